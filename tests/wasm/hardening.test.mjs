// Hostile and extreme inputs: native and WASM agree byte for byte, every
// figure is sane, and input that could exhaust memory or time is refused.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { extremeConfigs } from '../fuzz/extreme.mjs';
import { benchConfig, build, load, nativeCalc } from './helpers.mjs';

const gm = await load();
const MAX = 1048576; // GM_MAX_CONFIG_BYTES

/** Problems of one answer: not JSON, a negative, wrapped or non-finite number. */
function insane(text) {
  let r;
  try {
    r = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (r.error) return typeof r.error.field === 'string' && r.error.message ? null : 'a bad error';
  let bad = null;
  const walk = (v, key) => {
    if (typeof v === 'number' && !(v >= 0 && v < 2 ** 62)) bad ??= `${key} = ${v}`;
    else if (v === null && ['total_memory_per_gpu_gb', 'memory_utilization_percent'].includes(key)) bad ??= `${key} = null`;
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, Array.isArray(v) ? key : k);
  };
  walk(r, '');
  return bad;
}

test('native and WASM agree byte for byte on extreme configs, and every figure is sane', (t) => {
  const count = Number(process.env.GM_EXTREME_CONFIGS ?? 4000);
  const inputs = [...extremeConfigs(count, Object.keys(gm.presets().models))];
  // Inputs the fuzzer found (make fuzz), when present.
  const corpus = new URL('fuzz/corpus/', build);
  if (existsSync(corpus))
    for (const f of readdirSync(corpus).sort().slice(0, 4000)) {
      const text = readFileSync(new URL(f, corpus), 'latin1');
      if (!text.includes('\0')) inputs.push(Buffer.from(text, 'latin1').toString('utf8'));
    }
  const native = nativeCalc(inputs);
  assert.equal(native.length, inputs.length);
  let results = 0;
  inputs.forEach((input, i) => {
    const wasm = gm.calcRaw(input);
    if (wasm !== native[i]) assert.fail(`input #${i} differs: ${input.slice(0, 300)}`);
    const problem = insane(wasm);
    if (problem) assert.fail(`input #${i}: ${problem}: ${input.slice(0, 300)}`);
    if (!wasm.includes('"error"')) results++;
  });
  t.diagnostic(`${inputs.length} inputs (${count} generated), ${results} results`);
  assert.ok(results > count / 10, 'too few configs computed to mean anything');
});

test('a config over 1 MiB is refused without growing the memory, as natively', () => {
  const memory = gm.exports.memory;
  gm.calcRaw(benchConfig);
  const before = memory.buffer.byteLength;
  const ten = `{"model":{"preset":"gpt2","x":[${'0,'.repeat(5 * MAX)}0]}}`;
  const r = JSON.parse(gm.calcRaw(ten));
  assert.match(r.error.message, /at most 1048576 are accepted/);
  assert.equal(memory.buffer.byteLength, before, 'the memory grew');
  const over = `{"model":{"preset":"gpt2"}}${' '.repeat(MAX)}`;
  const atLimit = `{"model":{"preset":"gpt2"}}${' '.repeat(MAX - 27)}`;
  assert.equal(Buffer.byteLength(atLimit), MAX);
  const [nOver, nAt] = nativeCalc([over, atLimit]);
  assert.equal(gm.calcRaw(over), nOver);
  assert.match(nOver, /the config is 1048603 bytes/);
  assert.equal(gm.calcRaw(atLimit), nAt);
  assert.ok(JSON.parse(nAt).bytes, 'a config of exactly 1 MiB computes');
});

test('a raw NUL in the text is refused, not cut short', () => {
  const r = JSON.parse(gm.calcRaw('{"model":{"preset":"gpt2"}}\u0000{"training":{"batch_size":64}}'));
  assert.equal(r.error.message, 'a NUL byte at offset 27; a config is text');
});

test('a long mlp_only_layers and a 220-byte estimate compute in bounded time', () => {
  // Quadratic before: 100000 layers x 99999 entries took minutes.
  const layers = Array.from({ length: 99999 }, (_, i) => i);
  const moe = { model: { model_type: 'qwen2_moe', num_hidden_layers: 100000, hidden_size: 64, num_attention_heads: 4, intermediate_size: 128,
    moe_intermediate_size: 32, num_experts: 4, vocab_size: 100, mlp_only_layers: layers }, training: { seq_len: 16 } };
  let t0 = performance.now();
  const r = gm.calc(moe);
  assert.equal(r.resolved.model.first_dense_layers, 99999);
  assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
  // 1.3e9 estimated layers took 19 s in the page: now an error naming the field.
  t0 = performance.now();
  const e = JSON.parse(gm.calcRaw('{"model":{"num_parameters":"1e15","hidden_size":256,"vocab_size":1}}'));
  assert.equal(e.error.field, 'model.num_parameters');
  assert.ok(performance.now() - t0 < 1000);
});
