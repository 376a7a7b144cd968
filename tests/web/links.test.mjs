// Crafted share links: the page shows an error or the core's own result for the
// text as written, never a blank page or figures for a config it does not display.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { BUILD, newPage, open, ready, servedUrl, shown, useBrowser } from './browser.mjs';

useBrowser();

/** "#c=" + base64url of a JSON text exactly as written (duplicate keys and all). */
const hashOfText = (text) => `#c=${Buffer.from(text, 'utf8').toString('base64url')}`;

/** The CLI's answer for a config text as written. */
function cliText(text) {
  const f = join(mkdtempSync(join(tmpdir(), 'gm-link-')), 'c.json');
  writeFileSync(f, text);
  const r = spawnSync(join(BUILD, 'gpu-mem-calc'), ['calculate', '--config', f, '--format', 'json'], { encoding: 'utf8' });
  return JSON.parse([r.stdout, r.stderr].find((t) => t && t.trim().startsWith('{')));
}

async function openText(text) {
  const page = await open('served', { hash: hashOfText(text) });
  return page;
}

const base = '"model":{"preset":"llama-3-8b"},"engine":{"type":"fsdp"},"hardware":{"gpu":"h100-80gb","num_gpus":8}';

describe('crafted share links', () => {
  for (const key of ['toString', 'constructor', 'valueOf', '__proto__', 'hasOwnProperty']) {
    test(`a top-level key "${key}" computes what the core computes, no blank page`, async () => {
      const text = `{"${key}":1,${base},"training":{"batch_size":2,"seq_len":1024}}`;
      const want = cliText(text);
      const page = await openText(text);
      assert.deepEqual(page.errors, []);
      const got = await shown(page);
      assert.equal(got.peak, want.total_memory_per_gpu_gb.toFixed(2));
      assert.equal(await page.inputValue('#f-training-batch_size'), '2', 'the form shows the config computed');
      assert.match(await page.textContent('.warnings'), new RegExp(`${key}.*unknown key`), 'the ignored key is named');
      await page.context().close();
    });
  }

  const pickGpu = (page) => page.selectOption('#f-hardware-gpu', 'a100-80gb');
  for (const [name, text, field, fix] of [
    ['an object as the GPU', `{"model":{"preset":"llama-3-8b"},"hardware":{"gpu":{"id":"h100-80gb"}}}`, /GPU/, pickGpu],
    ['an object as the model preset', `{"model":{"preset":{"x":1}},"hardware":{"gpu":"h100-80gb"}}`, /Model preset/,
      (page) => page.selectOption('#f-model-preset', 'llama-3-8b')],
    ['a number as a section', `{"model":{"preset":"llama-3-8b"},"training":5}`, /Training/, (page) => page.fill('#f-training-batch_size', '2')],
    ['an array as a section', `{"model":{"preset":"llama-3-8b"},"hardware":[1,2]}`, /Hardware/, pickGpu],
  ]) {
    test(`${name} shows the core's error; the page keeps working`, async () => {
      const want = cliText(text);
      assert.ok(want.error, 'the core rejects it');
      const page = await openText(text);
      assert.deepEqual(page.errors, []);
      const err = await page.textContent('[data-testid="error"]');
      assert.ok(err.includes(want.error.message), err);
      assert.match(err, field);
      assert.equal(await page.locator('.verdict[data-level]').count(), 0, 'no verdict for another config');
      // An edit replaces the broken part; the address and the export follow again.
      const before = await page.evaluate(() => location.hash);
      await fix(page);
      await page.waitForSelector('.verdict[data-level]');
      await page.waitForFunction((h) => location.hash !== h, before);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }

  for (const [name, text] of [
    ['a duplicate section', `{${base},"training":{"batch_size":1,"seq_len":128},"training":{"batch_size":64,"seq_len":8192}}`],
    ['a duplicate field', `{${base},"training":{"batch_size":1,"batch_size":64}}`],
    ['a NUL in a key', `{${base},"training":{"batch_size":1,"seq_len":128},"training\\u0000":{"batch_size":64,"seq_len":8192}}`],
  ]) {
    test(`${name}: an error, never figures for a config other than the one shown`, async () => {
      const page = await openText(text);
      assert.deepEqual(page.errors, []);
      const err = await page.textContent('[data-testid="error"]');
      assert.match(err, /twice|NUL/, err);
      assert.equal(await page.locator('.verdict[data-level]').count(), 0);
      await page.context().close();
    });
  }

  test('a link that is not base64 JSON opens the default config', async () => {
    const page = await newPage();
    await page.goto(`${await servedUrl()}#c=%%%not-json`);
    await ready(page);
    assert.deepEqual(page.errors, []);
    assert.ok(await page.locator('.verdict[data-level]').count());
    await page.context().close();
  });
});
