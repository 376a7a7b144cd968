// "Find a layout" and the scaling charts in headless Chromium: the search runs in
// a worker (served page and offline file), a loaded layout gives the CLI's
// figures, the page answers while a search runs, rejected families say why.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { BUILD, cli, exportConfig, newPage, open, ready, requireBuild, servedUrl, shot, shown, useBrowser } from './browser.mjs';

requireBuild();
// Whether the build has the planner (its own module, or in the main one) decides which tests apply.
const { loadGpuMem } = await import(pathToFileURL(join(BUILD, 'wasm', 'gpumem.js')).href);
const planModule = join(BUILD, 'wasm', 'gpumem-plan.wasm');
const hasPlan = !!(await loadGpuMem(existsSync(planModule) ? { bytes: readFileSync(planModule) } : {})).exports.plan_json;
useBrowser();
const needsPlanner = () => (hasPlan ? false : 'the core in this build has no planner');

/** The charts, once computed for the form's config: {axis: [{x, gb, fits}]} from the points' titles. */
async function charts(page) {
  await page.waitForSelector('.sweeps[data-ready]', { timeout: 15000 });
  return page.$$eval('.sweep', (figs) => Object.fromEntries(figs.map((f) => [f.dataset.axis, {
    largest: f.dataset.largestFit === '' ? null : Number(f.dataset.largestFit),
    current: f.querySelector('.sw-pt.cur title')?.textContent ?? null,
    points: [...f.querySelectorAll('.sw-pt')].map((c) => c.querySelector('title').textContent),
    capacity: f.querySelector('.sw-cap-label')?.textContent ?? null,
  }])));
}

async function setForm(page, { model, gpu, gpus }) {
  if (model) await page.selectOption('#f-model-preset', model);
  if (gpu) await page.selectOption('#f-hardware-gpu', gpu);
  if (gpus) await page.fill('#f-hardware-num_gpus', String(gpus));
}

/** Click "Find layouts" and wait for the answer. */
async function search(page) {
  await page.getByRole('button', { name: 'Find layouts' }).click();
  await page.waitForFunction(() => ['done', 'error', 'unavailable'].includes(document.getElementById('planner')?.dataset.status), null, { timeout: 30000 });
  const status = await page.$eval('#planner', (e) => e.dataset.status);
  // The suggestions for the form's own config follow the table.
  if (status === 'done') await page.waitForSelector('[data-testid="plan-found"][data-suggestions="ready"]', { timeout: 30000 });
  return status;
}

async function tableRows(page) {
  return page.$$eval('[data-testid="plan-layouts"] tbody tr', (trs) => trs.map((tr) => ({
    summary: tr.querySelector('.plan-summary').childNodes[0].textContent.trim(),
    cells: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()),
    peak: Number(tr.querySelector('[data-gb]').dataset.gb),
    inForm: tr.classList.contains('in-form'),
  })));
}

describe('scaling charts (a worker computes every point)', () => {
  test('offline file: the worker starts from the file, with no network; the form\'s point is the shown peak', async () => {
    const page = await open('offline');
    const c = await charts(page);
    const peak = (await shown(page)).peak;
    for (const axis of ['batch_size', 'seq_len', 'num_gpus']) {
      assert.ok(c[axis].points.length >= 5, `${axis}: points`);
      assert.match(c[axis].current, new RegExp(`: ${peak} GiB`), `${axis}: the form's point`);
    }
    assert.deepEqual(page.blocked, [], 'no request left the machine');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('served: each point is the CLI\'s figure for that config, and the largest that fits is the CLI\'s', async () => {
    const page = await open();
    const c = await charts(page);
    const { config } = await exportConfig(page);
    // Micro-batch: the largest point that fits is the CLI's largest micro-batch (when within the points tried).
    const want = cli(config);
    if (want.max_micro_batch_size <= 16) assert.equal(c.batch_size.largest, want.max_micro_batch_size, 'largest micro-batch that fits');
    for (const [axis, x, set] of [
      ['batch_size', 3, (cfg) => ({ ...cfg, training: { ...cfg.training, batch_size: 3 } })],
      ['seq_len', 16384, (cfg) => ({ ...cfg, training: { ...cfg.training, seq_len: 16384 } })],
      ['num_gpus', 64, (cfg) => ({ ...cfg, hardware: { ...cfg.hardware, num_gpus: 64 } })],
    ]) {
      const r = cli(set(config));
      const label = axis === 'seq_len' ? '16K' : String(x);
      const p = c[axis].points.find((t) => t.startsWith(`${label}${axis === 'num_gpus' ? ' GPUs' : ''}:`));
      assert.ok(p, `${axis} ${x} is a point (${c[axis].points.join(' | ')})`);
      assert.match(p, new RegExp(`: ${r.total_memory_per_gpu_gb.toFixed(2)} GiB${r.fits_on_gpu ? '(?!, does not fit)' : ', does not fit'}`), `${axis} ${x}`);
    }
    assert.equal(c.batch_size.capacity, `capacity ${want.gpu_capacity_gb.toFixed(1)} GiB`);
    await page.context().close();
  });
});

describe('find a layout', () => {
  test('without the planner in the core, the panel says so', { skip: hasPlan ? 'the core has the planner' : false }, async () => {
    const page = await open();
    assert.equal(await search(page), 'unavailable');
    assert.match(await page.textContent('[data-testid="plan-status"]'), /no planner/);
    await page.context().close();
  });

  test('finds layouts for a preset on a cluster; a loaded layout gives the CLI\'s figures', { skip: needsPlanner() }, async () => {
    const page = await newPage();
    const wasm = [];
    page.context().on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url().split('/').pop()); });
    await page.goto(await servedUrl());
    await ready(page);
    await page.waitForSelector('.sweeps[data-ready]');
    assert.ok(!wasm.includes('gpumem-plan.wasm'), `the first load does not fetch the planner's module (${wasm})`);
    await setForm(page, { model: 'llama-3.1-70b', gpu: 'h100-80gb', gpus: 64 });
    assert.equal(await page.inputValue('#plan-gpus'), '64', 'the panel takes the form\'s GPU count');
    assert.equal(await search(page), 'done');
    if (existsSync(planModule)) assert.ok(wasm.includes('gpumem-plan.wasm'), `the search loads the planner's module (${wasm})`);
    const rows = await tableRows(page);
    assert.ok(rows.length >= 3, `${rows.length} layouts`);
    assert.match(await page.textContent('[data-testid="plan-meta"]'), /Searched [0-9,]+ layouts in [0-9.]+ ms/);
    assert.ok(Number((await page.textContent('[data-testid="plan-searched"]')).replace(/,/g, '')) >= rows.length);

    // With no global batch, the table opens by tokens/s per GPU, and the fastest job is marked.
    const rate = (r) => Number(r.cells[4].replace(/,/g, ''));
    const opened = (await tableRows(page)).map(rate);
    assert.deepEqual(opened, [...opened].sort((a, b) => b - a), 'descending tokens/s per GPU');
    assert.equal(await page.locator('[data-testid="plan-layouts"] tr.fastest').count(), 1);
    const fastest = Number((await page.textContent('[data-testid="plan-layouts"] tr.fastest td:nth-child(5)')).replace(/,/g, ''));
    assert.equal(fastest, Math.max(...opened), 'on 64 GPUs each, the fastest job has the most tokens/s per GPU');

    // Sorting by a column reorders the rows by that figure.
    await page.getByRole('button', { name: /^Peak/ }).click();
    const byPeak = (await tableRows(page)).map((r) => r.peak);
    assert.deepEqual(byPeak, [...byPeak].sort((a, b) => a - b), 'ascending peak');
    await page.getByRole('button', { name: /^Peak/ }).click();
    const byPeakDown = (await tableRows(page)).map((r) => r.peak);
    assert.deepEqual(byPeakDown, [...byPeak].sort((a, b) => b - a), 'descending peak');

    // Load the third row: the form takes its config and the page shows the CLI's figures for it.
    const { config: formBefore } = await exportConfig(page);
    const pick = (await tableRows(page))[2];
    await page.locator('[data-testid="plan-layouts"] tbody tr').nth(2).click();
    await page.waitForSelector('[data-testid="plan-layouts"] tr.in-form');
    const { config } = await exportConfig(page);
    const want = cli(config);
    assert.ok(!want.error, JSON.stringify(want.error));
    const got = await shown(page);
    assert.equal(got.peak, want.total_memory_per_gpu_gb.toFixed(2), 'the page\'s peak is the CLI\'s');
    assert.equal(pick.peak.toFixed(2), want.total_memory_per_gpu_gb.toFixed(2), 'the table\'s peak is the CLI\'s');
    assert.ok(want.fits_on_gpu, 'a returned layout fits');
    assert.equal(config.model.preset, 'llama-3.1-70b');
    assert.equal(config.hardware.num_gpus, 64);
    const inForm = (await tableRows(page)).filter((r) => r.inForm);
    assert.deepEqual(inForm.map((r) => r.summary), [pick.summary], 'that row is marked as the form\'s');
    // Undo in the toast returns to the config before the layout.
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="plan-layouts"] tr.in-form'));
    assert.deepEqual((await exportConfig(page)).config, formBefore, 'the form as it was');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('when nothing fits, the rejected families say why, with the fewest GPUs', { skip: needsPlanner() }, async () => {
    const page = await open();
    await setForm(page, { model: 'llama-3.1-405b', gpu: 'h100-80gb', gpus: 8 });
    await page.uncheck('#plan-allow-offload');
    assert.equal(await search(page), 'done');
    assert.equal(await page.locator('[data-testid="plan-layouts"]').count(), 0, 'no layout of 405B fits on 8 H100 without offload');
    await page.waitForSelector('[data-testid="plan-none"]');
    const reasons = await page.$$eval('[data-testid="plan-rejected"] li', (lis) => lis.map((l) => l.textContent.trim()));
    assert.ok(reasons.length >= 1, 'rejected families listed');
    for (const r of reasons) assert.match(r, /^.+: .{10,}/, `a family and its reason: ${r}`);
    assert.ok(await page.isVisible('[data-testid="plan-rejected"]'), 'the reasons are open when nothing fits');
    const min = Number((await page.textContent('[data-testid="plan-min-gpus"]')).replace(/,/g, ''));
    // The model states alone, 16 bytes per parameter (bf16 weights and gradients, fp32 master
    // weights and two Adam moments), spread over every GPU: fewer GPUs cannot hold them.
    const { config } = await exportConfig(page);
    const ref = cli(config);
    const bound = Math.ceil((16 * ref.parameters.total) / (ref.gpu_capacity_gb * 2 ** 30));
    assert.ok(min >= bound && min > 8, `at least ${min} GPUs; the model states alone need ${bound}`);
    await page.context().close();
  });

  test('changes to the form\'s own config, each with its saving; Apply loads one', { skip: needsPlanner() }, async () => {
    const page = await open();
    // Llama-3.1-70B, full fine-tuning under FSDP on 8 H100: does not fit as given.
    await setForm(page, { model: 'llama-3.1-70b', gpu: 'h100-80gb', gpus: 8 });
    const { config: before } = await exportConfig(page);
    const base = cli(before);
    assert.equal(base.fits_on_gpu, false);
    await page.check('#plan-allow-optimizer');
    assert.equal(await search(page), 'done');
    const items = await page.$$eval('[data-testid="plan-suggestions"] li', (lis) => lis.map((li) => li.textContent.replace(/\s+/g, ' ').trim()));
    assert.ok(items.length >= 1, 'at least one suggestion');
    assert.match(await page.textContent('.plan-block h3'), new RegExp(`now ${base.total_memory_per_gpu_gb.toFixed(2)} GiB`), 'about the form\'s config as it is');
    const fits = items.findIndex((t) => !t.includes('not enough alone'));
    assert.ok(fits >= 0, `one suggestion is enough alone: ${items.join(' | ')}`);
    const [, saving, after] = /−([0-9.]+) GiB → ([0-9.]+) GiB/.exec(items[fits]);
    await page.locator('[data-testid="plan-suggestions"] li').nth(fits).getByRole('button', { name: /^Apply/ }).click();
    await page.waitForFunction((p) => document.querySelector('[data-testid="peak"]').textContent === p, after);
    const { config } = await exportConfig(page);
    const want = cli(config);
    assert.equal(want.total_memory_per_gpu_gb.toFixed(2), after, 'the page and the CLI agree with the suggestion');
    assert.ok(Math.abs(base.total_memory_per_gpu_gb - want.total_memory_per_gpu_gb - Number(saving)) < 0.011, `saving ${saving} GiB`);
    assert.ok(want.fits_on_gpu);
    assert.equal(config.hardware.num_gpus, 8, 'still the form\'s GPUs');
    await page.context().close();
  });

  test('a request the planner rejects names its field; options that do not parse are marked at once', { skip: needsPlanner() }, async () => {
    const page = await open();
    await page.fill('#plan-gpus', '64-8');
    assert.match(await page.textContent('#plan-gpus-err'), /64 is more than 8/);
    assert.ok(await page.getByRole('button', { name: 'Find layouts' }).isDisabled(), 'nothing to search');
    await page.fill('#plan-gpus', '8');
    // 1,000 tokens is no whole number of 4,096-token sequences.
    await page.fill('#plan-batch', '1000');
    await page.selectOption('#plan-batch-kind', 'tokens');
    assert.equal(await search(page), 'error');
    assert.match(await page.textContent('[data-testid="plan-error"]'), /^plan\.global_batch_tokens: must be a multiple of the sequence length/);
    await page.selectOption('#plan-batch-kind', 'samples');
    assert.equal(await search(page), 'done', 'then 1,000 samples is searched');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('the page answers while a search runs', { skip: needsPlanner() }, async () => {
    const page = await open();
    // A wide search: every GPU count from 8 to 16,384 for Llama-3.1-405B.
    await setForm(page, { model: 'llama-3.1-405b', gpu: 'h100-80gb', gpus: 1024 });
    await page.fill('#plan-gpus', '8-16384');
    const r = await page.evaluate(async () => {
      const ch = new MessageChannel();
      const tick = () => new Promise((res) => { ch.port1.onmessage = res; ch.port2.postMessage(0); });
      const planner = document.getElementById('planner');
      const peak = () => document.querySelector('[data-testid="peak"]').textContent;
      const before = peak();
      [...document.querySelectorAll('#planner button')].find((b) => b.textContent.trim() === 'Find layouts').click();
      await tick();
      const started = planner.dataset.status;
      // An edit while the search runs is computed and shown at once; a search on
      // this thread would have ended (or blocked the edit) first.
      const el = document.getElementById('f-training-seq_len');
      el.value = '2048';
      el.dispatchEvent(new Event('input', { bubbles: true }));
      await tick();
      const edited = peak();
      const during = planner.dataset.status;
      const t0 = performance.now();
      while (planner.dataset.status === 'running' && performance.now() - t0 < 60000) await new Promise((res) => setTimeout(res, 5));
      return { before, edited, started, during, end: planner.dataset.status, meta: document.querySelector('[data-testid="plan-meta"]')?.textContent };
    });
    assert.equal(r.started, 'running');
    assert.notEqual(r.edited, r.before, 'the edit is shown at once');
    assert.equal(r.during, 'running', 'while the search is still running');
    assert.equal(r.end, 'done');
    assert.match(r.meta, /The form changed since this search/, 'the result says it is for the form before the edit');
    await page.context().close();
  });

  test('offline file: the search runs in the file\'s own worker', { skip: needsPlanner() }, async () => {
    const page = await open('offline');
    await setForm(page, { model: 'llama-3.1-8b', gpu: 'h100-80gb', gpus: 8 });
    assert.equal(await search(page), 'done');
    assert.ok((await tableRows(page)).length >= 1);
    assert.deepEqual(page.blocked, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('screenshots', () => {
  test('desktop and phone, light and dark, with the charts and a search; no sideways scroll at 390 px', async () => {
    for (const [name, opts] of [
      ['planner-desktop-light', { width: 1280, colorScheme: 'light' }],
      ['planner-desktop-dark', { width: 1280, colorScheme: 'dark' }],
      ['planner-phone-light', { width: 390, height: 844, colorScheme: 'light' }],
      ['planner-phone-dark', { width: 390, height: 844, colorScheme: 'dark' }],
    ]) {
      const page = await open('served', opts);
      // 70B on 16 H100 does not fit as the form has it: layouts that do, and suggestions.
      await setForm(page, { model: 'llama-3.1-70b', gpu: 'h100-80gb', gpus: 16 });
      await charts(page);
      if (hasPlan) {
        await page.check('#plan-allow-optimizer');
        assert.equal(await search(page), 'done');
        await page.click('text=/families? of layouts rejected/');
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name}: no horizontal scroll (${overflow}px)`);
      await page.locator('#planner').screenshot({ path: join(BUILD, 'screenshots', `${name}.png`) });
      await page.locator('.sweeps').screenshot({ path: join(BUILD, 'screenshots', `${name.replace('planner', 'charts')}.png`) });
      if (name === 'planner-phone-light') await shot(page, 'planner-phone-full');
      await page.context().close();
    }
  });
});
