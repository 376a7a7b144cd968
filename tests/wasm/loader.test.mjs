// wasm/gpumem.js: loading, memoisation, calc/calcRaw/presets and GmError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GmError, loadGpuMem } from '../../wasm/gpumem.js';
import { benchConfig, build, wasmBytes } from './helpers.mjs';

test('the module imports only the memory-growth hook and the number reader', () => {
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasmBytes));
  assert.deepEqual(imports.map((i) => `${i.module}.${i.name}`).sort(), ['env.emscripten_notify_memory_growth', 'env.gm_parse_number']);
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(wasmBytes)).map((e) => e.name);
  for (const name of ['memory', 'calc_json', 'calc_free', 'malloc', 'free', 'presets_json'])
    assert.ok(exports.includes(name), name);
});

test('bytes: memoised per source', async () => {
  const a = await loadGpuMem({ bytes: wasmBytes });
  assert.equal(await loadGpuMem({ bytes: wasmBytes }), a);
  const copy = new Uint8Array(wasmBytes).buffer; // an ArrayBuffer, another source
  const b = await loadGpuMem({ bytes: copy });
  assert.notEqual(b, a);
  assert.equal(b.calcRaw(benchConfig), a.calcRaw(benchConfig));
});

test('url: the built loader finds gpumem.wasm next to itself', async () => {
  const built = await import(new URL('wasm/gpumem.js', build));
  const gm = await built.loadGpuMem();
  assert.equal(await built.loadGpuMem({ url: new URL('wasm/gpumem.wasm', build) }), gm);
  assert.equal(typeof gm.version, 'string');
  assert.ok(gm.calc(benchConfig));
});

test('url: a missing file rejects, and a later call may retry', async () => {
  const url = new URL('wasm/missing.wasm', build);
  await assert.rejects(loadGpuMem({ url }), /ENOENT/);
  await assert.rejects(loadGpuMem({ url }), /ENOENT/);
});

test('calc takes an object or a string; calcRaw returns the JSON untouched', async () => {
  const gm = await loadGpuMem({ bytes: wasmBytes });
  const raw = gm.calcRaw(benchConfig);
  assert.equal(gm.calcRaw(JSON.parse(benchConfig)), gm.calcRaw(JSON.stringify(JSON.parse(benchConfig))));
  assert.deepEqual(gm.calc(benchConfig), JSON.parse(raw));
  assert.deepEqual(gm.calc(JSON.parse(benchConfig)), JSON.parse(raw));
});

test('calc throws GmError with the field; calcRaw returns the error', async () => {
  const gm = await loadGpuMem({ bytes: wasmBytes });
  const raw = JSON.parse(gm.calcRaw('{"model":'));
  assert.equal(typeof raw.error.message, 'string');
  assert.throws(() => gm.calc('{"model":'), (e) => e instanceof GmError && e instanceof Error && e.field === raw.error.field);
  const cfg = JSON.parse(benchConfig);
  cfg.parallelism.tensor_parallel_size = 5;
  try {
    gm.calc(cfg);
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof GmError);
    assert.equal(e.name, 'GmError');
    assert.match(e.field, /tensor_parallel_size/);
    assert.ok(e.message.includes(e.field));
  }
});

test('presets: gpus and models, a fresh copy each time', async () => {
  const gm = await loadGpuMem({ bytes: wasmBytes });
  const p = gm.presets();
  assert.ok(Array.isArray(p.gpus) && p.gpus.length > 0);
  assert.equal(typeof p.models, 'object');
  p.gpus.length = 0;
  assert.ok(gm.presets().gpus.length > 0);
});
