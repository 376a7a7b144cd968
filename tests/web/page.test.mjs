// The page in headless Chromium: offline file and served build, figures equal to
// the native CLI's, share link and JSON round trips, errors, and screenshots.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fmtBytes, fmtPct } from '../../web/lib/format.js';
import { SINGLE_URL, cli, exportConfig, newPage, open, ready, servedUrl, shot, shown, useBrowser } from './browser.mjs';

useBrowser();

/** The page shows exactly what the CLI computes for config. */
async function assertMatchesCli(page, config) {
  const want = cli(config);
  assert.ok(!want.error, `the CLI rejected ${JSON.stringify(config)}: ${JSON.stringify(want.error)}`);
  const got = await shown(page);
  assert.equal(got.peak, want.total_memory_per_gpu_gb.toFixed(2), 'peak GiB');
  assert.equal(got.capacity, want.gpu_capacity_gb.toFixed(2), 'capacity GiB');
  assert.equal(got.util, fmtPct(want.memory_utilization_percent), 'utilization');
  assert.equal(got.level, { fits: 'ok', tight: 'tight', does_not_fit: 'over' }[want.verdict], 'the core\'s verdict');
  assert.ok(got.maxMb.startsWith(want.max_micro_batch_size > 0 ? String(want.max_micro_batch_size.toLocaleString('en-US')) : 'none'), `max micro-batch ${got.maxMb} vs ${want.max_micro_batch_size}`);
  for (const [k, bytes] of Object.entries(got.parts)) {
    assert.equal(bytes, want.bytes[k] ?? 0, `bytes.${k}`);
    assert.equal(got.partsText[k], fmtBytes(want.bytes[k] ?? 0), `shown ${k}`);
  }
  assert.deepEqual(got.totals, [want.bytes.peak_allocated, want.bytes.peak_reserved, want.bytes.peak_nvidia_smi], 'totals');
  assert.equal(got.stages, want.stages.length > 1 ? want.stages.length : 0, 'stage bars');
  return want;
}

async function presetIds(page, id) {
  return page.$$eval(`#${id} option`, (os) => os.map((o) => o.value).filter((v) => v && !v.startsWith('__')));
}

describe('offline file (file://, no network)', () => {
  test('loads, computes the default config like the CLI, and asks the network for nothing', async () => {
    const page = await open('offline');
    const { config } = await exportConfig(page);
    await assertMatchesCli(page, config);
    assert.deepEqual(page.blocked, [], 'no request left the machine');
    assert.deepEqual(page.errors, []);
    await shot(page, 'offline-desktop');
    await page.context().close();
  });
});

describe('served page (CDN answered from node_modules)', () => {
  test('a preset and edited fields give the CLI figures; export matches what was typed', async () => {
    const page = await open();
    const models = await presetIds(page, 'f-model-preset');
    const gpus = await presetIds(page, 'f-hardware-gpu');
    assert.ok(models.length >= 2 && gpus.length >= 2, 'presets come from gm.presets()');
    const model = models[1];
    const gpu = gpus.find((g) => /a100-80/i.test(g)) || gpus[1];
    await page.selectOption('#f-model-preset', model);
    await page.selectOption('#f-engine-type', 'deepspeed');
    await page.selectOption('#f-engine-zero_stage', '3');
    await page.fill('#f-training-batch_size', '2');
    await page.fill('#f-training-seq_len', '2048');
    await page.selectOption('#f-hardware-gpu', gpu);
    await page.fill('#f-hardware-num_gpus', '16');
    const expected = {
      model: { preset: model },
      training: { batch_size: 2, seq_len: 2048, activation_checkpointing: 'full' },
      engine: { type: 'deepspeed', zero_stage: 3 },
      hardware: { gpu, num_gpus: 16 },
    };
    await assertMatchesCli(page, expected);
    const { config, name } = await exportConfig(page);
    assert.deepEqual(config, expected, 'exported JSON');
    assert.match(name, /\.json$/);
    assert.deepEqual(page.blocked, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('before the first result: one request for the core, none for its loader (inline in the page)', async () => {
    const page = await open();
    const early = await page.evaluate(() => {
      const first = performance.getEntriesByName('gm-first-result')[0].startTime;
      return performance.getEntriesByType('resource').filter((e) => e.startTime < first).map((e) => new URL(e.name).pathname.split('/').pop());
    });
    assert.deepEqual(early.filter((f) => f.endsWith('.wasm')), ['gpumem.wasm'], `the core, fetched once (${early})`);
    assert.ok(early.includes('app.js'), `the page's modules (${early})`);
    assert.ok(!early.includes('gpumem.js'), `no request for the loader (${early})`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('the shareable link reopens the same config, form and figures', async () => {
    const page = await newPage();
    const url = await servedUrl();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    await page.goto(url);
    await ready(page);
    await page.selectOption('#f-engine-type', 'megatron_lm');
    await page.fill('#f-parallelism-tensor_parallel_size', '2');
    await page.fill('#f-parallelism-pipeline_parallel_size', '4');
    await page.fill('#f-training-gradient_accumulation_steps', '8');
    await page.check('#f-parallelism-sequence_parallel');
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.waitForSelector('.toast:not(:empty)');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(link, /#c=[A-Za-z0-9_-]+$/);
    const before = await shown(page);
    const { config } = await exportConfig(page);
    await page.context().close();

    const page2 = await newPage();
    await page2.goto(link);
    await ready(page2);
    assert.deepEqual(await shown(page2), before, 'same figures');
    assert.equal(await page2.inputValue('#f-engine-type'), 'megatron_lm');
    assert.equal(await page2.inputValue('#f-parallelism-pipeline_parallel_size'), '4');
    assert.equal(await page2.isChecked('#f-parallelism-sequence_parallel'), true);
    assert.deepEqual((await exportConfig(page2)).config, config, 'same config');
    const want = await assertMatchesCli(page2, config);
    assert.equal(want.stages.length, 4, 'four pipeline stages');
    await page2.setViewportSize({ width: 1280, height: 900 });
    await shot(page2, 'pipeline-desktop');
    await page2.context().close();
  });

  test('JSON export, then import into a fresh page, restores the config', async () => {
    const page = await open();
    await page.selectOption('#f-engine-type', 'fsdp');
    await page.selectOption('#f-engine-sharding_strategy', 'shard_grad_op');
    await page.fill('#f-training-batch_size', '3');
    const out = await exportConfig(page);
    const before = await shown(page);
    await page.context().close();

    const page2 = await open();
    await page2.setInputFiles('#import-file', out.path);
    await page2.waitForFunction(() => document.querySelector('#f-training-batch_size')?.value === '3');
    assert.deepEqual(await shown(page2), before);
    assert.equal(await page2.inputValue('#f-engine-sharding_strategy'), 'shard_grad_op');
    assert.deepEqual((await exportConfig(page2)).config, out.config);

    // A model's config.json through the same button replaces only the model.
    const hfPath = join(dirname(out.path), 'config.json');
    const hf = { model_type: 'llama', hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256, tie_word_embeddings: true };
    writeFileSync(hfPath, JSON.stringify(hf));
    await page2.setInputFiles('#import-file', hfPath);
    await page2.waitForFunction(() => document.querySelector('#f-model-preset')?.value === '__hf');
    const after = (await exportConfig(page2)).config;
    assert.deepEqual(after, { ...out.config, model: hf });
    await assertMatchesCli(page2, after);
    await page2.context().close();
  });

  test('an invalid value names its field, in the verdict and at the input', async () => {
    const page = await open();
    await page.selectOption('#f-engine-type', 'megatron_lm');
    await page.fill('#f-hardware-num_gpus', '6');
    await page.fill('#f-parallelism-tensor_parallel_size', '3');
    await page.waitForSelector('[data-testid="error"]');
    const { config } = await exportConfig(page);
    const want = cli(config);
    assert.ok(want.error, 'the CLI rejects it too');
    const err = await page.textContent('[data-testid="error"]');
    assert.match(err, /Tensor parallel/);
    assert.ok(err.includes(want.error.message), `shows the core's message: ${err}`);
    assert.equal(want.error.field, 'parallelism.tensor_parallel_size');
    assert.equal(await page.getAttribute('#f-parallelism-tensor_parallel_size', 'aria-invalid'), 'true');
    assert.ok((await page.textContent('#f-parallelism-tensor_parallel_size-err')).includes(want.error.message));
    await shot(page, 'error-desktop');

    await page.fill('#f-parallelism-tensor_parallel_size', '');
    await page.fill('#f-training-batch_size', 'lots');
    await page.waitForFunction(() => /Micro-batch/.test(document.querySelector('[data-testid="error"]')?.textContent || ''));
    await page.fill('#f-training-batch_size', '1');
    await page.waitForSelector('[data-testid="error"]', { state: 'detached' });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a pasted Hugging Face config.json fills the model', async () => {
    const page = await open();
    // A preset's model section, as its file gives it (the embedded presets leave it out).
    const presets = JSON.parse(readFileSync(new URL('../../presets/models.json', import.meta.url), 'utf8'));
    const hf = Object.values(presets).filter((m) => m.model.model_type).at(-1).model;
    await page.click('text=Paste or open a Hugging Face config.json');
    await page.fill('#hf-paste', JSON.stringify(hf, null, 2));
    await page.waitForSelector('.paste .ok-note');
    assert.equal(await page.inputValue('#f-model-preset'), '__hf');
    const { config } = await exportConfig(page);
    assert.deepEqual(config.model, hf);
    await assertMatchesCli(page, config);

    // Dropped anywhere on the page, a config.json fills the model too.
    const dropped = { ...hf, num_hidden_layers: 2 };
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'config.json', { type: 'application/json' }));
      document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, JSON.stringify(dropped));
    await page.waitForFunction(() => /· 2 layers ·/.test(document.querySelector('.model-summary')?.textContent || ''));
    assert.deepEqual((await exportConfig(page)).config.model, dropped);
    await page.context().close();
  });

  test('human formats: a parameter count such as 7B, a memory such as 80GB', async () => {
    const page = await open();
    await page.selectOption('#f-model-preset', '__count');
    await page.fill('#f-model-num_parameters', '7B');
    await page.selectOption('#f-hardware-gpu', '');
    await page.fill('#f-hardware-gpu_memory_gb', '80GB');
    const { config } = await exportConfig(page);
    assert.deepEqual(config.model, { num_parameters: '7B' });
    assert.equal(config.hardware.gpu_memory_gb, '80GB');
    const want = await assertMatchesCli(page, config);
    assert.equal(want.gpu_capacity_gb.toFixed(2), (80e9 / 2 ** 30).toFixed(2), '80GB is 10^9 bytes each');
    assert.match(await page.textContent('.model-summary'), /7B parameters \(estimated\)/);
    await page.context().close();
  });

  test('each engine shows only its own settings', async () => {
    const page = await open();
    const has = (id) => page.locator(`#${id}`).count().then((n) => n > 0);
    await page.selectOption('#f-engine-type', 'deepspeed');
    assert.equal(await has('f-engine-zero_stage'), true);
    assert.equal(await has('f-engine-offload_optimizer'), true);
    assert.equal(await has('f-engine-sharding_strategy'), false);
    assert.equal(await has('f-parallelism-tensor_parallel_size'), false);
    await page.selectOption('#f-engine-zero_stage', '3');
    assert.equal(await has('f-engine-offload_param'), true);
    await page.selectOption('#f-engine-offload_optimizer', 'cpu');
    await page.waitForSelector('#host-h');
    await shot(page, 'offload-desktop');
    await page.selectOption('#f-engine-type', 'fsdp');
    assert.equal(await has('f-engine-zero_stage'), false);
    assert.equal(await has('f-engine-sharding_strategy'), true);
    const { config } = await exportConfig(page);
    assert.equal(config.engine.zero_stage, undefined, 'switching engine drops ZeRO settings');
    await page.selectOption('#f-engine-type', 'megatron_lm');
    for (const id of ['f-parallelism-tensor_parallel_size', 'f-parallelism-pipeline_parallel_size', 'f-parallelism-sequence_parallel', 'f-engine-distributed_optimizer']) {
      assert.equal(await has(id), true, id);
    }
    await page.context().close();
  });

  test('every control has a label and the form works from the keyboard', async () => {
    const page = await open();
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    const unlabelled = await page.$$eval('input, select, textarea', (els) =>
      els.filter((e) => !e.labels?.length && !e.getAttribute('aria-label')).map((e) => e.id || e.outerHTML.slice(0, 60)));
    assert.deepEqual(unlabelled, []);
    await page.focus('#f-training-batch_size');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-training-seq_len');
    const { config } = await exportConfig(page);
    assert.equal(config.training.batch_size, 2);
    await page.context().close();
  });

  test('screenshots: desktop and phone, light and dark', async () => {
    for (const [name, opts] of [
      ['desktop-light', { width: 1280, colorScheme: 'light' }],
      ['desktop-dark', { width: 1280, colorScheme: 'dark' }],
      ['phone-light', { width: 390, height: 844, colorScheme: 'light' }],
      ['phone-dark', { width: 390, height: 844, colorScheme: 'dark' }],
    ]) {
      const page = await open('served', opts);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name}: no horizontal scroll (${overflow}px)`);
      await shot(page, name);
      await page.context().close();
    }
  });
});

describe('configs of the earlier tool', () => {
  // presets of the earlier Python calculator: 0–4 checkpointing scale, "zero_stage": null.
  const gpt3 = {
    model: { name: 'gpt3-175b', num_parameters: '175B', num_layers: 96, hidden_size: 12288, num_attention_heads: 96, vocab_size: 50257, max_seq_len: 2048 },
    training: { batch_size: 1, gradient_accumulation_steps: 1, optimizer: 'adamw', dtype: 'bf16', activation_checkpointing: 2 },
    parallelism: { tensor_parallel_size: 8, pipeline_parallel_size: 16, data_parallel_size: 1, sequence_parallel: true },
    engine: { type: 'megatron_lm', zero_stage: null },
    hardware: { num_gpus: 1024, gpu_memory_gb: 80 },
  };

  test('load unchanged from a link; stages and warnings as the CLI says', async () => {
    for (const [name, width] of [['gpt3-desktop', 1280], ['gpt3-phone', 390]]) {
      const page = await newPage({ width });
      const { hashFor } = await import('../../web/lib/url-state.js');
      await page.goto(`${SINGLE_URL}${hashFor(gpt3)}`);
      await ready(page);
      const want = await assertMatchesCli(page, gpt3);
      assert.equal(await page.inputValue('#f-training-activation_checkpointing'), 'selective');
      const items = await page.$$eval('.warnings li', (li) => li.map((l) => l.textContent));
      assert.equal(items.length, want.warnings.length);
      want.warnings.forEach((w, i) => assert.ok(items[i].includes(w.message), items[i]));
      assert.deepEqual((await exportConfig(page)).config, gpt3, 'nothing rewritten');
      await shot(page, name);
      await page.context().close();
    }
  });
});
