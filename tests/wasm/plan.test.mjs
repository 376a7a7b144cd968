// The planner through the WASM module: the same answer as the native build
// (plan_test --stdin) for several searches, every returned layout re-checked
// by calc, errors as GmError.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GmError, loadGpuMem } from '../../wasm/gpumem.js';
import { build, load } from './helpers.mjs';

const planStdin = fileURLToPath(new URL('plan_test', build));
// The planner is a module of its own; the calculator's module has no plan_json.
const gm = await loadGpuMem({ bytes: readFileSync(new URL('wasm/gpumem-plan.wasm', build)) });
const calcOnly = await load();

test('the calculator module leaves the planner out; the planner module calculates alike', () => {
  assert.equal(calcOnly.exports.plan_json, undefined);
  assert.throws(() => calcOnly.plan({ model: { preset: 'gpt2' } }), /no planner/);
  const config = JSON.stringify({ model: { preset: 'llama-3-8b' }, hardware: { gpu: 'H100', num_gpus: 8 } });
  assert.equal(gm.calcRaw(config), calcOnly.calcRaw(config));
});

const requests = {
  'torchtitan 405B on 512 H100': {
    model: { preset: 'llama-3.1-405b' },
    training: { seq_len: 8192 },
    hardware: { gpu: 'H100', num_gpus: 512 },
    plan: { frameworks: ['torchtitan'], global_batch_samples: 256, top: 10 },
  },
  '70B on 8 to 64 H100, every framework': {
    model: { preset: 'llama-3.1-70b' },
    training: { seq_len: 4096 },
    hardware: { gpu: 'H100' },
    plan: { gpus: [8, 64], top: 20 },
  },
  'Mixtral on 32 A100, Megatron-LM': {
    model: { preset: 'mixtral-8x7b' },
    training: { seq_len: 4096 },
    hardware: { gpu: 'a100-80gb', num_gpus: 32 },
    plan: { frameworks: ['megatron_lm'], global_batch_tokens: 1048576, top: 10 },
  },
  '70B FSDP on 16 H100 as given, with suggestions': {
    model: { preset: 'llama-3.1-70b' },
    training: { seq_len: 4096, batch_size: 2 },
    engine: { type: 'fsdp', framework: 'hf_trainer', sharding_strategy: 'shard_grad_op' },
    hardware: { gpu: 'H100', num_gpus: 16 },
    plan: { allow: { optimizer: true } },
  },
};

for (const [name, request] of Object.entries(requests)) {
  test(`${name}: WASM and native give the same answer`, () => {
    const text = JSON.stringify(request);
    const native = JSON.parse(execFileSync(planStdin, ['--stdin'], { input: text, encoding: 'utf8' }));
    const wasm = JSON.parse(gm.planRaw(text));
    assert.deepEqual(wasm, native);
  });
  test(`${name}: calc gives each layout's peak and verdict`, () => {
    const result = gm.plan(request);
    assert.ok(result.layouts.length > 0 || result.suggestions.length > 0);
    assert.ok(result.evaluated_per_s > 0);
    for (const layout of result.layouts) {
      const r = gm.calc(layout.config);
      const peak = Math.max(...r.stages.map((s) => s.bytes.peak_nvidia_smi));
      assert.equal(peak, layout.peak_bytes, layout.summary);
      assert.equal(r.verdict, layout.verdict, layout.summary);
    }
  });
}

test('a bad request throws GmError naming the field', () => {
  assert.throws(
    () => gm.plan({ model: { preset: 'gpt2' }, plan: { gpus: 'many' } }),
    (e) => e instanceof GmError && e.field === 'plan.gpus',
  );
});
