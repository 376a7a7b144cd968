// The page and the core cannot disagree: the GPU names the core accepts, the
// Hugging Face spellings it reads, the words of its verdict, and what a
// dropdown's "default" means. Each answer is the native CLI's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD, cli, exportConfig, open, useBrowser } from './browser.mjs';

useBrowser();

const on = (hardware) => ({
  model: { preset: 'llama-3-8b' },
  training: { batch_size: 1, seq_len: 4096, activation_checkpointing: 'full' },
  engine: { type: 'fsdp' },
  hardware: { num_gpus: 8, ...hardware },
});

test('the GPU list selects the card for every name the core accepts', async () => {
  for (const name of ['H100-SXM', 'NVIDIA H100 SXM 80GB', 'h100_80gb', 'a100 80gb', 'RTX-4090']) {
    const config = on({ gpu: name });
    const want = cli(config);
    assert.ok(!want.error, `${name}: ${JSON.stringify(want.error)}`);
    const page = await open('offline', { config });
    assert.equal(await page.inputValue('#f-hardware-gpu'), want.resolved.hardware.gpu, `${name} is ${want.resolved.hardware.gpu}`);
    assert.equal(await page.locator('#f-hardware-gpu option').evaluateAll((os) => os.filter((o) => o.value === o.textContent).length), 0,
      `${name}: no option for a name the list did not know`);
    assert.match(await page.textContent('#sec-hardware .hint'), /GiB usable/);
    await page.context().close();
  }
});

test('the model list selects the preset for every name the core accepts', async () => {
  for (const name of ['meta-llama/Meta-Llama-3-8B', 'Llama 3 8B', 'LLAMA_3_8B']) {
    const config = { ...on({ gpu: 'h100-80gb' }), model: { preset: name } };
    const want = cli(config);
    assert.ok(!want.error, `${name}: ${JSON.stringify(want.error)}`);
    const page = await open('offline', { config });
    assert.equal(await page.inputValue('#f-model-preset'), want.resolved.model.name, `${name} is ${want.resolved.model.name}`);
    assert.match(await page.textContent('.model-summary'), /meta-llama\/Meta-Llama-3-8B/);
    await page.context().close();
  }
});

test('every field is the schema\'s: its label, and a select\'s choices are the values the core accepts', async () => {
  const { loadGpuMem } = await import(pathToFileURL(join(BUILD, 'wasm', 'gpumem.js')).href);
  const schema = (await loadGpuMem()).schema();
  const config = {
    model: { preset: 'mixtral-8x7b' }, training: { optimizer: 'sgd', finetune: 'lora', activation_checkpointing: 'selective', fp8: 'delayed' },
    parallelism: { pipeline_parallel_size: 2 }, engine: { type: 'deepspeed', zero_stage: 3 }, hardware: { gpu: 'h100-80gb', num_gpus: 16 },
  };
  const page = await open('offline', { config });
  for (const d of await page.$$('details.more:not([open]) > summary')) await d.click();
  const shown = await page.$$eval('.form [id^="f-"]', (els) => els.map((el) => ({
    id: el.id, label: document.querySelector(`label[for="${el.id}"]`)?.textContent.replace(/ default$/, '').trim(),
    options: el.tagName === 'SELECT' ? [...el.options].map((o) => o.value).filter((v) => v !== '') : null,
  })));
  let checked = 0;
  for (const row of schema.keys) {
    const f = shown.find((x) => x.id === `f-${row.section}-${row.key}`);
    if (!f || row.key === 'preset' || row.key === 'gpu') continue;
    checked++;
    // The schema's label, with at most the unit a bare number takes ("Parameters (billions)").
    assert.ok(f.label === row.label || f.label.startsWith(`${row.label} (`), `${row.section}.${row.key}: "${f.label}" vs "${row.label}"`);
    if (row.kind === 'enum') assert.deepEqual(f.options, row.values.map((v) => v.name), `${row.section}.${row.key} choices`);
  }
  assert.ok(checked > 60, `${checked} fields checked`);
  await page.context().close();
});

test('Hugging Face spellings: the form shows and replaces those the core reads, and no other', async () => {
  const model = {
    model_type: 'deepseek_v3', num_hidden_layers: 6, hidden_size: 1024, num_attention_heads: 8, intermediate_size: 4096,
    moe_intermediate_size: 512, vocab_size: 32000, num_experts_per_tok: 2,
    n_routed_experts: 16, n_shared_experts: 1, first_k_dense_replace: 1, d_model: 2048,
  };
  const page = await open('offline', { config: { model, engine: { type: 'fsdp' }, hardware: { gpu: 'h100-80gb', num_gpus: 8 } } });
  for (const [id, v] of [['num_experts', '16'], ['num_shared_experts', '1'], ['first_dense_layers', '1'], ['hidden_size', '1024']])
    assert.equal(await page.inputValue(`#f-model-${id}`), v, `${id} shows the config.json's value`);
  await page.fill('#f-model-num_experts', '8');
  await page.fill('#f-model-num_shared_experts', '2');
  await page.fill('#f-model-first_dense_layers', '2');
  await page.fill('#f-model-hidden_size', '1536');
  const { config } = await exportConfig(page);
  const want = cli(config);
  assert.deepEqual(want.warnings.filter((w) => /disagrees/.test(w.message)), [], 'no spelling left to contradict an edit');
  assert.equal(want.resolved.model.num_experts, 8);
  assert.equal(want.resolved.model.num_shared_experts, 2);
  assert.equal(want.resolved.model.first_dense_layers, 2);
  for (const k of ['n_routed_experts', 'n_shared_experts', 'first_k_dense_replace']) assert.ok(!(k in config.model), `${k} replaced by the edit`);
  assert.equal(config.model.d_model, 2048, 'd_model, which the core does not read, is not the hidden size');
  await page.context().close();

  // Without hidden_size, d_model is not shown as one: the field holds what the core read, nothing.
  const t5ish = { ...model, hidden_size: undefined };
  delete t5ish.hidden_size;
  const page2 = await open('offline', { config: { model: t5ish, hardware: { gpu: 'h100-80gb' } } });
  assert.equal(await page2.inputValue('#f-model-hidden_size'), '');
  await page2.context().close();
});

test('tight reads the same everywhere: verdict card, compare table and Markdown export', async () => {
  const config = on({ gpu: 'h100-80gb' });
  config.training.batch_size = 5;
  const want = cli(config);
  assert.equal(want.verdict, 'tight', 'micro-batch 5 is tight for the core');
  const page = await open('offline', { config });
  const head = await page.textContent('[data-testid="verdict"]');
  assert.match(head, /^Tight/);
  const amber = await page.$eval('.verdict[data-level]', (c) => getComputedStyle(c).borderLeftColor);
  await page.getByRole('button', { name: 'Pin as A' }).click();
  await page.fill('#f-training-batch_size', '1');
  await page.waitForSelector('.cmp-verdict td[data-col="1"][data-level="ok"]');
  const cell = await page.textContent('.cmp-verdict td[data-col="0"]');
  assert.ok(cell.startsWith('Tight'), `compare says "${cell}"`);
  const colour = (i) => page.$eval(`.cmp-verdict td[data-col="${i}"]`, (td) => getComputedStyle(td).color);
  assert.equal(await colour(0), amber, 'tight in the verdict card\'s amber');
  assert.notEqual(await colour(1), amber, 'fits in another colour');
  await page.fill('#f-training-batch_size', '5');
  await page.waitForSelector('.verdict[data-level="tight"]');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('.export button', { hasText: 'Markdown' }).click()]);
  const md = readFileSync(await dl.path(), 'utf8');
  assert.match(md, /^\*\*Tight[^*]*\*\*: /m);
  await page.context().close();
});

test('a dropdown\'s "default" option names the default, not the value chosen', async () => {
  const page = await open('offline', { config: on({ gpu: 'h100-80gb' }) });
  /** The default option's text, and the text it should have: the label of what the core resolves with the key unset. */
  const check = async (section, key) => {
    const { config } = await exportConfig(page);
    assert.ok(config[section]?.[key] != null, `${section}.${key} is set`);
    const unset = structuredClone(config);
    delete unset[section][key];
    const def = cli(unset).resolved[section][key];
    const label = await page.$eval(`#f-${section}-${key} option[value="${def}"]`, (o) => o.textContent);
    assert.equal(await page.$eval(`#f-${section}-${key} option[value=""]`, (o) => o.textContent), `default: ${label}`, `${section}.${key}`);
  };
  await check('training', 'activation_checkpointing'); // set to full on the start page; the default is none
  await page.selectOption('#f-engine-type', 'deepspeed');
  await page.selectOption('#f-engine-zero_stage', '3');
  await check('engine', 'zero_stage');
  await page.selectOption('#f-training-precision', 'fp32');
  await check('training', 'precision'); // a rule: DeepSpeed's default
  await page.context().close();
});
