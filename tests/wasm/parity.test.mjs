// Native and WASM builds must answer every input with byte-identical JSON.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { benchConfig, calcStdin, load, nativeCalc, readCases } from './helpers.mjs';

const gm = await load();
const extra = [
  benchConfig,
  '',
  '{',
  'null',
  '[]',
  '{"model":',
  '{"model":{"num_parameters":"7B"}}',
  '{"model":{"hidden_size":1e400}}',
  '{"model":{"name":"\u00e9\u4e2d\ud83d\ude00"}}',
  // Numbers are read by the host in WASM (wasm/strtod.c) and by glibc natively.
  '{"model":{"num_parameters":7e9},"training":{"attention_dropout":0.30000000000000004,"hidden_dropout":2.2250738585072011e-308}}',
  '{"model":{"num_parameters":123456789012345678901234567890}}',
  '{"model":{"num_parameters":-0}}',
  '{"model":{"num_parameters":"7B"},"hardware":{"gpu_memory_gb":79.99999999999999999999}}',
  '{"model":{"num_parameters":"7B"},"hardware":{"gpu_memory_gb":"79.6474609375000000001GiB","cuda_context_gb":4.9e-324}}',
  '{"model":{"num_parameters":"7B"},"hardware":{"gpu_memory_gb":1.7976931348623157e308}}',
];

test('every case, resolved config, preset and extra input: byte-identical results', (t) => {
  const cases = readCases().filter((c) => !c.bad).map((c) => c.input);
  // The resolved configs the results print, run again as run_cases.c does.
  const resolved = cases.map((input) => JSON.parse(gm.calcRaw(input)).resolved).filter(Boolean).map((r) => JSON.stringify(r));
  const presets = Object.keys(gm.presets().models ?? {}).map((name) => JSON.stringify({ model: { preset: name } }));
  const inputs = [...cases, ...resolved, ...presets, ...extra];
  const native = nativeCalc(inputs);
  assert.equal(native.length, inputs.length);
  let same = 0;
  inputs.forEach((input, i) => {
    const wasm = gm.calcRaw(input);
    assert.equal(wasm, native[i], `input #${i}: ${input.slice(0, 200)}`);
    same++;
  });
  assert.equal(same, inputs.length);
  t.diagnostic(`${same} inputs, ${cases.length} of them cases`);
});

test('presets: the same JSON as the native build', () => {
  const native = execFileSync(calcStdin, ['-p'], { encoding: 'utf8' });
  assert.deepEqual(gm.presets(), JSON.parse(native));
});
