// Compare (pinned configs beside the edited one), memory over one step, and export: each checked against the CLI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PARTS } from '../../web/result/parts.js';
import { cli, exportConfig, newPage, open, ready, servedUrl, shot, useBrowser } from './browser.mjs';

useBrowser();

/** Column i of the compare table: bytes per row. */
const column = (page, i) => page.$$eval(`.cmp tbody tr[data-row] td[data-col="${i}"]`, (tds) =>
  Object.fromEntries(tds.map((td) => [td.closest('tr').dataset.row, Number(td.dataset.bytes)])));

function assertColumn(got, want, name) {
  assert.equal(got.peak_nvidia_smi, want.bytes.peak_nvidia_smi, `${name} peak`);
  assert.equal(got.peak_allocated, want.bytes.peak_allocated, `${name} allocated`);
  assert.equal(got.peak_reserved, want.bytes.peak_reserved, `${name} reserved`);
  for (const p of PARTS) assert.equal(got[p.key], want.bytes[p.key] ?? 0, `${name} ${p.key}`);
}

test('pin A, change the config, see A and B as the CLI computes them; up to four; in the link too', async () => {
  const page = await newPage();
  const url = await servedUrl();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  await page.goto(url);
  await ready(page);
  const a = (await exportConfig(page)).config;
  await page.getByRole('button', { name: 'Pin as A' }).click();
  await page.fill('#f-training-batch_size', '4');
  await page.selectOption('#f-engine-type', 'deepspeed');
  await page.selectOption('#f-engine-zero_stage', '2');
  await page.waitForSelector('.cmp');
  const b = (await exportConfig(page)).config;
  const wantA = cli(a);
  const wantB = cli(b);
  assertColumn(await column(page, 0), wantA, 'A');
  assertColumn(await column(page, 1), wantB, 'B');
  const verdicts = await page.$$eval('.cmp-verdict td', (t) => t.map((x) => x.dataset.level));
  assert.deepEqual(verdicts.map((l) => l === 'over'), [!wantA.fits_on_gpu, !wantB.fits_on_gpu]);
  const d = wantB.bytes.optimizer_states - wantA.bytes.optimizer_states;
  assert.ok(d !== 0, 'the change moves the optimizer states');
  assert.match(await page.textContent('tr[data-row="optimizer_states"] td[data-col="1"] .cmp-diff'), d > 0 ? /^\+/ : /^−/);
  await shot(page, 'compare-desktop');

  // Up to four: A, B, C pinned, D edited.
  await page.getByRole('button', { name: 'Pin as B' }).click();
  await page.fill('#f-training-batch_size', '2');
  await page.getByRole('button', { name: 'Pin as C' }).click();
  await page.fill('#f-training-batch_size', '1');
  assert.equal(await page.locator('.cmp thead th[data-col]').count(), 4);
  assert.equal(await page.getByRole('button', { name: /Pin as/ }).isDisabled(), true, 'no fifth');

  // The link carries every pinned config.
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.waitForSelector('.toast:not(:empty)');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const cols = [];
  for (let i = 0; i < 4; i++) cols.push(await column(page, i));
  await page.context().close();

  const page2 = await newPage({ width: 390, height: 844 });
  await page2.goto(link);
  await ready(page2);
  await page2.waitForSelector('.cmp');
  for (let i = 0; i < 4; i++) assert.deepEqual(await column(page2, i), cols[i], `column ${i} after reopening`);
  const overflow = await page2.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `phone: ${overflow}px of horizontal scroll`);
  await shot(page2, 'compare-phone');
  // Unpin A: three columns remain.
  await page2.locator('.cmp thead th[data-col="0"] button', { hasText: 'unpin' }).click();
  assert.equal(await page2.locator('.cmp thead th[data-col]').count(), 3);
  assert.deepEqual(page2.errors, []);
  await page2.context().close();
});

test('memory over one step: each stage\'s chart peaks at the stage\'s reported peak, with the capacity line', async () => {
  const { hashFor } = await import('../../web/lib/url-state.js');
  const config = { model: { preset: 'llama-3-8b' }, training: { batch_size: 2, seq_len: 4096 }, parallelism: { tensor_parallel_size: 2, pipeline_parallel_size: 4 }, engine: { type: 'megatron_lm' }, hardware: { gpu: 'h100-80gb', num_gpus: 8 } };
  const want = cli(config);
  const page = await open('served', { config });
  assert.equal(Number(await page.getAttribute('.timeline', 'data-stage')), want.worst_stage, 'the most loaded stage first');
  for (const s of want.stages) {
    await page.selectOption('#tl-stage', String(s.stage));
    await page.waitForSelector(`.timeline[data-stage="${s.stage}"]`);
    const t = s.timeline;
    assert.equal(Math.max(...t.map((p) => p.allocated)), s.bytes.peak_allocated);
    assert.equal(Math.max(...t.map((p) => p.reserved)), s.bytes.peak_reserved);
    // The drawn peak (the lowest y of the reserved line) is that figure on the chart's scale.
    const drawn = await page.evaluate(() => {
      const ys = document.querySelector('.tl-reserved').getAttribute('d').match(/,[0-9.]+/g).map((v) => Number(v.slice(1)));
      const cap = Number(document.querySelector('.tl-cap').getAttribute('y1'));
      return { minY: Math.min(...ys), cap, label: document.querySelector('.tl-svg').getAttribute('aria-label') };
    });
    assert.ok(drawn.minY > 0 && drawn.cap > 0);
    assert.match(drawn.label, new RegExp(`peak reserved ${(s.bytes.peak_reserved / 2 ** 30).toFixed(2)} GiB`));
  }
  await shot(page, 'timeline-desktop');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('export: Markdown and CSV carry the CLI figures; the charts save as SVG and PNG', async () => {
  const { readFileSync } = await import('node:fs');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { hashFor } = await import('../../web/lib/url-state.js');
  const config = { model: { preset: 'llama-3-8b' }, training: { batch_size: 1, seq_len: 4096 }, parallelism: { pipeline_parallel_size: 2 }, engine: { type: 'megatron_lm' }, hardware: { gpu: 'h100-80gb', num_gpus: 8 } };
  const want = cli(config);
  const page = await open('served', { config });
  const dir = mkdtempSync(join(tmpdir(), 'gm-export-'));
  const save = async (name) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('.export button', { hasText: name }).nth(name === 'SVG' || name === 'PNG' ? saveIndex : 0).click()]);
    const p = join(dir, dl.suggestedFilename());
    await dl.saveAs(p);
    return { path: p, name: dl.suggestedFilename() };
  };
  let saveIndex = 0;
  const md = readFileSync((await save('Markdown')).path, 'utf8');
  assert.match(md, new RegExp(`\\*\\*(Fits|Does not fit)[^*]*\\*\\*: ${(want.bytes.peak_nvidia_smi / 2 ** 30).toFixed(2)} GiB of ${want.gpu_capacity_gb.toFixed(2)} GiB`));
  assert.match(md, new RegExp(`\\| Optimizer states \\| ${(want.bytes.optimizer_states / 2 ** 30).toFixed(2)} \\|`));
  assert.match(md, /\| Stage \| Layers \|/);
  const csv = readFileSync((await save('CSV')).path, 'utf8').trim().split('\n');
  assert.equal(csv[0], 'stage,component,bytes,gib,formula');
  for (const s of want.stages) {
    const row = csv.find((l) => l.startsWith(`${s.stage},activations,`));
    assert.equal(Number(row.split(',')[2]), s.bytes.activations, `stage ${s.stage} activations`);
  }
  for (saveIndex of [0, 1]) {
    const svg = readFileSync((await save('SVG')).path, 'utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.doesNotMatch(svg, /currentColor/);
    const png = readFileSync((await save('PNG')).path);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.ok(png.length > 2000);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the offline file exports Markdown and PNG with no network', async () => {
  const page = await open('offline');
  for (const [name, index, ext] of [['Markdown', 0, '.md'], ['PNG', 0, '.png'], ['PNG', 1, '.png']]) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('.export button', { hasText: name }).nth(index).click()]);
    assert.ok(dl.suggestedFilename().endsWith(ext), dl.suggestedFilename());
  }
  assert.deepEqual(page.blocked, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
