// The verdict on the page is the core's: fits (green), tight (amber), does not
// fit (red), for host memory too; the margin control moves it; stages list
// their chunks. Each figure is checked against the native CLI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, exportConfig, open, shot, useBrowser } from './browser.mjs';

useBrowser();

const LEVEL = { fits: 'ok', tight: 'tight', does_not_fit: 'over' };

/** What the verdict card shows. */
async function verdictShown(page) {
  return page.evaluate(() => {
    const card = document.querySelector('.verdict[data-level]');
    const t = (sel) => document.querySelector(sel)?.textContent.trim() ?? null;
    return {
      level: card?.dataset.level ?? null,
      border: card ? getComputedStyle(card).borderLeftColor : null,
      head: t('[data-testid="verdict"]'),
      why: t('[data-testid="verdict-why"]'),
      maxMb: t('[data-testid="max-mb"]'),
      maxSeq: t('[data-testid="max-seq"]'),
      host: t('[data-testid="host"]'),
      mark: parseFloat(document.querySelector('[data-testid="margin-mark"]')?.style.left ?? 'NaN'),
    };
  });
}

const openConfig = (config) => open('offline', { config });

/** Waits until the card shows the CLI's verdict for the page's config, and returns both. */
async function agrees(page) {
  const { config } = await exportConfig(page);
  const want = cli(config);
  assert.ok(!want.error, JSON.stringify(want.error));
  await page.waitForFunction((lv) => document.querySelector('.verdict[data-level]')?.dataset.level === lv, LEVEL[want.verdict]);
  const got = await verdictShown(page);
  assert.equal(got.level, LEVEL[want.verdict], `level for verdict ${want.verdict}`);
  assert.ok(got.maxMb.startsWith(want.max_micro_batch_size > 0 ? want.max_micro_batch_size.toLocaleString('en-US') : 'none'), got.maxMb);
  assert.equal(got.maxSeq, want.max_seq_len > 0 ? `${want.max_seq_len.toLocaleString('en-US')} tokens` : 'none');
  return { got, want };
}

const llama = (batch, hardware = {}) => ({
  model: { preset: 'llama-3-8b' },
  training: { batch_size: batch, seq_len: 4096, activation_checkpointing: 'full' },
  engine: { type: 'fsdp' },
  hardware: { gpu: 'h100-80gb', num_gpus: 8, ...hardware },
});

test('fits, tight and does not fit are the core\'s verdicts, in green, amber and red', async () => {
  const borders = {};
  for (const [batch, verdict, head] of [[1, 'fits', 'Fits'], [5, 'tight', 'Tight: may run out of memory'], [8, 'does_not_fit', 'Does not fit']]) {
    const page = await openConfig(llama(batch));
    const { got, want } = await agrees(page);
    assert.equal(want.verdict, verdict, `the CLI calls micro-batch ${batch} ${verdict}`);
    assert.equal(got.head, head);
    borders[verdict] = got.border;
    if (verdict === 'tight') {
      // 88 % of the card: the page once called this a plain "fits" below 85 % and "tight" above.
      assert.ok(got.why.includes('21 % safety margin'), got.why);
      await shot(page, 'verdict-tight');
    }
    await page.context().close();
  }
  assert.equal(new Set(Object.values(borders)).size, 3, `three colours: ${JSON.stringify(borders)}`);
});

test('the safety margin control changes the verdict and the largest micro-batch', async () => {
  const page = await openConfig(llama(5));
  const before = await agrees(page);
  assert.equal(before.want.verdict, 'tight');
  await page.fill('#f-hardware-safety_margin', '0.05');
  const after = await agrees(page);
  assert.equal(after.want.verdict, 'fits');
  assert.equal(after.want.resolved.hardware.safety_margin, 0.05);
  // The meter marks where "fits" ends: 79 % of the card by default, 95 % now.
  assert.ok(Math.abs(before.got.mark - 79) < 0.01, `mark at ${before.got.mark} %`);
  assert.ok(Math.abs(after.got.mark - 95) < 0.01, `mark at ${after.got.mark} %`);
  assert.ok(after.want.max_micro_batch_size > before.want.max_micro_batch_size, 'a smaller margin lets a larger micro-batch fit');
  await page.fill('#f-hardware-safety_margin', '1.5');
  await page.waitForSelector('#f-hardware-safety_margin-err');
  assert.match(await page.textContent('#f-hardware-safety_margin-err'), /must be at least 0 and below 1/);
  await page.context().close();
});

test('offloaded states beyond the node\'s memory: does not fit (host memory)', async () => {
  const config = {
    model: { preset: 'llama-3.1-70b' },
    training: { batch_size: 1, seq_len: 4096, activation_checkpointing: 'full' },
    engine: { type: 'deepspeed', zero_stage: 3, offload_optimizer: 'cpu', offload_param: 'cpu' },
    hardware: { gpu: 'h100-80gb', num_gpus: 8, host_memory_per_node_gb: '512GB' },
  };
  const page = await openConfig(config);
  const { got, want } = await agrees(page);
  assert.equal(want.verdict_reason, 'host_memory');
  assert.equal(got.head, 'Does not fit (host memory)');
  assert.ok(got.why.includes('host memory per node'), got.why);
  assert.ok(got.host.startsWith('does not fit'), got.host);
  await shot(page, 'verdict-host');
  await page.fill('#f-hardware-host_memory_per_node_gb', '2TB');
  const after = await agrees(page);
  assert.equal(after.want.host_fits, true);
  assert.ok(after.got.host.startsWith('fits'), after.got.host);
  await page.context().close();
});

test('pipeline stages list every chunk they run', async () => {
  const config = {
    model: { preset: 'llama-3-8b' },
    training: { batch_size: 1, seq_len: 4096, gradient_accumulation_steps: 8 },
    parallelism: { pipeline_parallel_size: 4, virtual_pipeline_stages: 2 },
    engine: { type: 'megatron_lm' },
    hardware: { num_gpus: 4, gpu: 'H100' },
  };
  const want = cli(config);
  const page = await openConfig(config);
  const labels = await page.$$eval('[data-testid="stage-layers"]', (els) => els.map((e) => e.textContent.trim()));
  assert.deepEqual(want.stages.map((s) => s.chunks), [[[0, 3], [16, 19]], [[4, 7], [20, 23]], [[8, 11], [24, 27]], [[12, 15], [28, 31]]]);
  assert.ok(labels[0].startsWith('layers 0–3, 16–19'), labels[0]);
  assert.ok(labels[3].startsWith('layers 12–15, 28–31'), labels[3]);
  await page.context().close();
});
