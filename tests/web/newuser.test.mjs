// What a new user trips on, each reproduction a test: offload under FSDP, errors at
// the field just changed, parameter sizes, layout warnings, phone width, the
// breakdown's wording, Reset and links, presets, version and docs links.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { startServer } from '../../web/serve.mjs';
import { BUILD, SINGLE_URL, cli, exportConfig, newPage, open, ready, servedUrl, shot, shown, useBrowser } from './browser.mjs';
import { join } from 'node:path';

useBrowser();

const openConfig = (config, opts = {}) => open('served', { config, ...opts });

/** The page's figures equal the CLI's for config. */
async function sameAsCli(page, config) {
  const want = cli(config);
  assert.ok(!want.error, JSON.stringify(want.error));
  const got = await shown(page);
  assert.equal(got.peak, want.total_memory_per_gpu_gb.toFixed(2), 'peak');
  for (const [k, bytes] of Object.entries(got.parts)) assert.equal(bytes, want.bytes[k] ?? 0, k);
  return want;
}

const fieldText = (page, id) => page.locator(`#${id}-err, #${id}-warn`).first().textContent();

describe('defects a new user met', () => {
  test('1. FSDP CPU offload can be chosen, and an imported one shows', async () => {
    const page = await openConfig();
    await page.selectOption('#f-engine-type', 'fsdp');
    await page.selectOption('#f-engine-offload_param', 'all');
    await page.waitForSelector('#host-h');
    const { config } = await exportConfig(page);
    assert.equal(config.engine.offload_param, 'cpu');
    assert.equal(config.engine.offload_optimizer, 'cpu');
    const want = await sameAsCli(page, config);
    assert.equal(want.bytes.weights, 0, 'parameters live on the host');
    assert.ok(want.host_memory.per_gpu_gb > 0);
    await page.context().close();

    const page2 = await openConfig(config);
    assert.equal(await page2.inputValue('#f-engine-offload_param'), 'all', 'the imported offload shows');
    await page2.context().close();
  });

  test('2. a cross-field error lands at the field just changed, with every cause, and the layout line follows', async () => {
    const page = await openConfig({ model: { preset: 'llama-3-8b' }, engine: { type: 'megatron_lm' }, hardware: { gpu: 'h100-80gb', num_gpus: 8 } });
    assert.match(await page.textContent('.layout-line'), /d=8/);
    await page.fill('#f-parallelism-tensor_parallel_size', '5');
    await page.waitForSelector('[data-testid="error"]');
    const atTp = await page.textContent('#f-parallelism-tensor_parallel_size-err');
    assert.match(atTp, /must divide num_attention_heads \(32\); got 5/, atTp);
    assert.match(atTp, /GPUs in the job/, 'the other cause, named');
    const card = await page.textContent('[data-testid="error"]');
    assert.match(card, /2 problems/);
    assert.match(card, /Tensor parallel/);
    const line = await page.textContent('.layout-line');
    assert.doesNotMatch(line, /d=8/, `stale layout: ${line}`);
    assert.match(line, /t=5/);
    assert.equal(await page.locator('.verdict[data-level]').count(), 0, 'no stale verdict under the error');
    await page.fill('#f-parallelism-tensor_parallel_size', '4');
    await page.waitForSelector('[data-testid="error"]', { state: 'detached' });
    assert.match(await page.textContent('.layout-line'), /d=2 × t=4 = 8 GPUs/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('3. a bare parameter count is billions, as in the CLI; sizes no model has are refused', async () => {
    const page = await openConfig();
    await page.selectOption('#f-model-preset', '__count');
    assert.match(await page.textContent('label[for="f-model-num_parameters"]'), /billions/);
    await page.fill('#f-model-num_parameters', '70');
    await page.waitForFunction(() => /^70B/.test(document.querySelector('.model-summary')?.textContent || ''));
    assert.equal(await page.inputValue('#f-model-num_parameters'), '70', 'what was typed stays');
    const { config } = await exportConfig(page);
    assert.equal(config.model.num_parameters, '70B');
    await sameAsCli(page, config);
    const quick = spawnSync(join(BUILD, 'gpu-mem-calc'), ['quick', '70', '--gpus', '8', '--gpu', 'H100', '--engine', 'fsdp', '--format', 'json'], { encoding: 'utf8' });
    assert.equal(JSON.parse(quick.stdout).parameters.total, cli(config).parameters.total, 'the same model as quick 70');
    await page.context().close();

    // A file or link with the bare number 70 means 70 parameters: no model is that small.
    const page2 = await openConfig({ model: { num_parameters: 70 } });
    assert.match(await page2.textContent('[data-testid="error"]'), /Parameters.*70B/);
    await page2.context().close();
  });

  test('4. layout, positions and schedule warnings', async () => {
    let page = await openConfig({ model: { preset: 'llama-3-8b' }, parallelism: { data_parallel_size: 16 }, hardware: { gpu: 'h100-80gb', num_gpus: 8 } });
    assert.match(await page.textContent('[data-testid="layout-warning"]'), /do not match the GPU count.*num_gpus is 8/s);
    await page.context().close();

    page = await openConfig({ model: { preset: 'llama-2-7b' }, training: { seq_len: 131072, activation_checkpointing: 'full' }, engine: { type: 'fsdp' }, hardware: { gpu: 'h100-80gb', num_gpus: 8 } });
    assert.match(await fieldText(page, 'f-training-seq_len'), /exceed the model's 4096 positions/);
    await page.context().close();

    const pp = { model: { preset: 'llama-2-7b' }, training: { gradient_accumulation_steps: 6 }, engine: { type: 'megatron_lm' }, hardware: { gpu: 'h100-80gb', num_gpus: 4 } };
    page = await openConfig({ ...pp, parallelism: { pipeline_parallel_size: 4, pipeline_schedule: 'interleaved' } });
    assert.match(await fieldText(page, 'f-parallelism-pipeline_schedule'), /needs virtual_pipeline_stages/);
    await page.fill('#f-parallelism-virtual_pipeline_stages', '2');
    await page.waitForSelector('#f-parallelism-num_microbatches-warn');
    assert.match(await fieldText(page, 'f-parallelism-num_microbatches'), /multiple of the pipeline size \(4\)/);
    await page.context().close();
  });

  test('5. no horizontal scroll at phone width with pipeline stages, details open', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const page = await openConfig({ model: { preset: 'llama-3-8b' }, parallelism: { tensor_parallel_size: 2, pipeline_parallel_size: 4 }, engine: { type: 'megatron_lm' }, hardware: { gpu: 'h100-80gb', num_gpus: 8 } },
        { width: 390, height: 844, colorScheme });
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${colorScheme}: ${overflow}px of horizontal scroll`);
      await shot(page, `pp-phone-${colorScheme}`);
      await page.setViewportSize({ width: 1280, height: 900 });
      await shot(page, `pp-desktop-${colorScheme}`);
      await page.context().close();
    }
  });

  test('6. make serve needs no network: Preact from node_modules, the same pinned files', async () => {
    const { server, url } = await startServer({ dir: join(BUILD, 'web'), port: 0, localVendor: true });
    try {
      const page = await newPage({ offline: true });
      await page.goto(url);
      await ready(page);
      assert.deepEqual(page.blocked, [], 'nothing asked of the network');
      assert.deepEqual(page.errors, []);
      await page.context().close();
    } finally {
      server.close();
    }
  });

  test('7. plain words: parts not held at the peak, the DeepSpeed note per stage, gated MLP naming, precision readable', async () => {
    const config = { model: { preset: 'llama-3-8b' }, training: { batch_size: 1, seq_len: 4096, activation_checkpointing: 'full' }, engine: { type: 'fsdp' }, hardware: { gpu: 'h100-80gb', num_gpus: 8 } };
    const want = cli(config);
    const page = await openConfig(config);
    const zeroWithFormula = Object.keys(want.formulas).filter((k) => !want.bytes[k] && /[0-9]/.test(want.formulas[k]) && !/^(none|0 )/.test(want.formulas[k]));
    assert.ok(zeroWithFormula.length > 0, 'this config has a part held only outside the peak');
    for (const k of zeroWithFormula) assert.match(await page.textContent(`.bd-row[data-part="${k}"] summary`), /not held at the peak/, k);
    assert.equal(await page.locator('.bd-row[data-part="weights"] .bd-note').count(), 0);
    // Counts in formulas: one format.
    for (const f of Object.values(want.formulas)) assert.doesNotMatch(f, /[0-9]{5}/, f);
    assert.doesNotMatch(Object.values(want.formulas).join(' '), /amp layout|fp32 logits kept loss/);

    await page.selectOption('#f-engine-type', 'deepspeed');
    await page.selectOption('#f-engine-zero_stage', '3');
    const note = await page.textContent('#sec-parallelism .section-note');
    assert.doesNotMatch(note, /whole model replica/);
    assert.match(note, /ZeRO-3 shards weights/);

    await page.selectOption('#f-model-preset', 'mixtral-8x7b');
    await page.click('text=More architecture options');
    // The folded fields render after the click: wait for them, under load too.
    await page.waitForSelector('#f-model-mlp option[value=""]', { state: 'attached' });
    assert.match(await page.$eval('#f-model-mlp option[value=""]', (o) => o.textContent), /SwiGLU/);
    await page.setViewportSize({ width: 390, height: 844 });
    const w = await page.$eval('#f-training-precision', (e) => e.getBoundingClientRect().width);
    assert.ok(w > 250, `the precision select is ${w}px wide at phone width`);
    await page.context().close();
  });

  test('8. Reset can be undone and Back returns; Copy link in the offline file; no stale verdict', async () => {
    const page = await openConfig();
    await page.fill('#f-training-batch_size', '3');
    await page.waitForFunction(() => /"batch_size":3/.test(atob(location.hash.slice(3).replace(/-/g, '+').replace(/_/g, '/'))));
    await page.getByRole('button', { name: 'Reset' }).click();
    assert.equal(await page.inputValue('#f-training-batch_size'), '1');
    await page.getByRole('button', { name: 'Undo' }).click();
    assert.equal(await page.inputValue('#f-training-batch_size'), '3', 'undo restores');
    await page.getByRole('button', { name: 'Reset' }).click();
    assert.equal(await page.inputValue('#f-training-batch_size'), '1');
    await page.goBack();
    await page.waitForFunction(() => document.querySelector('#f-training-batch_size')?.value === '3');
    assert.deepEqual(page.errors, []);
    await page.context().close();

    const off = await newPage({ offline: true });
    await off.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', { value: { writeText: async (t) => { window.copied = t; } } });
    });
    await off.goto(SINGLE_URL);
    await ready(off);
    await off.evaluate(() => document.querySelector('meta[name="gm-page-url"]').setAttribute('content', 'https://example.org/gpu-mem-calc/'));
    await off.fill('#f-training-batch_size', '2');
    await off.getByRole('button', { name: 'Copy link' }).click();
    await off.waitForFunction(() => window.copied);
    const link = await off.evaluate(() => window.copied);
    assert.match(link, /^https:\/\/example\.org\/gpu-mem-calc\/#c=/, link);
    const { configFromHash } = await import('../../web/lib/url-state.js');
    assert.equal(configFromHash(new URL(link).hash).training.batch_size, 2, 'the link carries the state');
    assert.match(await off.textContent('.toast'), /published page/);
    await off.context().close();
  });

  test('9. presets people rent today, with exact counts', async () => {
    const page = await openConfig();
    const gpus = await page.$$eval('#f-hardware-gpu option', (o) => o.map((x) => x.value));
    for (const id of ['rtx-5090-32gb', 'l40-48gb', 'a40-48gb', 'rtx-6000-ada-48gb', 'h20-96gb', 'a800-80gb', 'mi325x-256gb', 'b300-288gb']) assert.ok(gpus.includes(id), id);
    const models = await page.$$eval('#f-model-preset option', (o) => o.map((x) => x.value));
    for (const id of ['llama-3-70b', 'llama-3.3-70b']) assert.ok(models.includes(id), id);
    await page.selectOption('#f-model-preset', 'llama-3.3-70b');
    await page.selectOption('#f-hardware-gpu', 'b300-288gb');
    const { config } = await exportConfig(page);
    const want = await sameAsCli(page, config);
    assert.equal(want.parameters.total, 70553706496);
    assert.equal(want.gpu_capacity_gb.toFixed(2), (275040 / 1024).toFixed(2));
    await page.context().close();
  });

  test('10. version, and links to the formulas and the accuracy page', async () => {
    const page = await openConfig();
    const v = spawnSync(join(BUILD, 'gpu-mem-calc'), ['--version'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(await page.textContent('[data-testid="version"]').then((t) => t.split(' · ')[0].trim()), v);
    const hrefs = await page.$$eval('.bd-row', (rows) => rows.map((r) => [r.dataset.part, r.querySelector('.formula a')?.getAttribute('href')]));
    for (const [part, href] of hrefs) assert.match(href || '', /formulas\.md#[0-9]-/, part);
    assert.match(await page.getAttribute('.verdict a[href*="accuracy.md"]', 'href'), /accuracy\.md$/);
    // The served page carries the docs it links to.
    const res = await page.request.get(new URL('docs/formulas.md', await servedUrl()).href);
    assert.equal(res.status(), 200);
    assert.match(await res.text(), /## 3\. Activations/);
    await page.context().close();
  });
});
