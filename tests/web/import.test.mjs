// Launcher files dropped on the page: the import module is loaded on demand
// (fetched by the served page, inline in the offline file), several files are
// laid over the config in order, and the toast says what each was.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, SINGLE_URL, cli, exportConfig, newPage, open, ready, servedUrl, shown, useBrowser } from './browser.mjs';

useBrowser();

const file = (name) => ({ name, text: readFileSync(join(ROOT, 'tests/imports', name), 'utf8') });

/** Drop files (name, text) on the page at once. */
async function drop(page, files) {
  await page.evaluate((fs) => {
    const dt = new DataTransfer();
    for (const f of fs) dt.items.add(new File([f.text], f.name));
    document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
}

for (const [where, url] of [['served page', null], ['offline file', SINGLE_URL]]) {
  test(`${where}: a ds_config.json and a Megatron-DeepSpeed script dropped together`, async () => {
    const page = await newPage({ offline: where === 'offline file' });
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url ?? (await servedUrl()));
    await ready(page);
    assert.ok(!requests.some((u) => u.endsWith('gpumem-import.wasm')), 'the import module is not part of the first load');
    await drop(page, [file('transformers_ds_config_zero2.json'), file('megatron_deepspeed_pretrain_llama2_distributed.sh')]);
    await page.waitForFunction(() => /Megatron-LM arguments/.test(document.querySelector('.toast')?.textContent || ''));
    assert.match(await page.textContent('.toast'), /megatron_deepspeed_pretrain_llama2_distributed\.sh: Megatron-LM arguments; \d+ keys mapped; not mapped: WANDB_ARGS/);
    const { config } = await exportConfig(page);
    // The script came last: its engine and ZeRO stage win; the DeepSpeed file's offload stays.
    assert.equal(config.engine.type, 'megatron_deepspeed');
    assert.equal(config.engine.zero_stage, 0);
    assert.equal(config.engine.offload_optimizer, 'cpu');
    assert.equal(config.parallelism.tensor_parallel_size, 2);
    assert.equal(config.model.num_key_value_heads, 4);
    if (where === 'served page') assert.ok(requests.some((u) => u.endsWith('/gpumem-import.wasm')), 'fetched when needed');
    else assert.ok(!requests.some((u) => u.startsWith('http')), 'the offline file fetches nothing');
    // What the page shows is what the CLI computes for the same config.
    const want = cli(config);
    assert.ok(!want.error, JSON.stringify(want.error));
    assert.equal((await shown(page)).peak, want.total_memory_per_gpu_gb.toFixed(2));
    await page.context().close();
  });
}

test('a YAML and an unreadable file: the toast says what each was', async () => {
  const page = await open();
  await drop(page, [file('axolotl_llama-3_qlora.yml')]);
  await page.waitForFunction(() => /Axolotl/.test(document.querySelector('.toast')?.textContent || ''));
  assert.match(await page.textContent('.toast'), /not mapped: base_model/);
  const { config } = await exportConfig(page);
  assert.equal(config.training.finetune, 'qlora');
  assert.equal(config.training.lora_rank, 32);
  await drop(page, [{ name: 'notes.txt', text: 'hello' }]);
  await page.waitForFunction(() => /notes\.txt: neither JSON, TOML, YAML nor a Megatron-LM command line/.test(document.querySelector('.toast')?.textContent || ''));
  await page.context().close();
});

test('a torchtitan TOML dropped: its layout and float8 are taken, and the page computes what the CLI does', async () => {
  const page = await open();
  await drop(page, [file('torchtitan_llama3_405b.toml')]);
  await page.waitForFunction(() => /torchtitan/.test(document.querySelector('.toast')?.textContent || ''));
  assert.match(await page.textContent('.toast'), /torchtitan_llama3_405b\.toml: a torchtitan job config \(TOML\); \d+ keys mapped; not mapped: parallelism\.enable_async_tensor_parallel/);
  const { config } = await exportConfig(page);
  assert.equal(config.model.preset, 'llama-3.1-405b');
  assert.equal(config.engine.framework, 'torchtitan');
  assert.equal(config.parallelism.tensor_parallel_size, 8);
  assert.equal(config.training.fp8, 'tensorwise');
  assert.equal(config.training.fp8_all_gather, true);
  assert.equal(config.training.activation_checkpointing, 'full');
  const want = cli(config);
  assert.ok(!want.error, JSON.stringify(want.error));
  assert.equal((await shown(page)).peak, want.total_memory_per_gpu_gb.toFixed(2));
  // Pasted outside a field, as text: read as the dropped file was.
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', text);
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, file('torchtitan_llama3_70b.toml').text);
  await page.waitForFunction(() => /the pasted text: a torchtitan job config/.test(document.querySelector('.toast')?.textContent || ''));
  assert.equal((await exportConfig(page)).config.model.preset, 'llama-3.1-70b');
  await drop(page, [{ name: 'bad.toml', text: '[training]\nseq_len = 8192\nlocal_batch_size = \n' }]);
  await page.waitForFunction(() => /bad\.toml: toml: line 3, column 20/.test(document.querySelector('.toast')?.textContent || ''));
  await page.context().close();
});
