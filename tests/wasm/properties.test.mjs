// Invariants of the physics over every model preset: what must hold whatever
// the exact figures are (more sharding never costs memory, more tokens never
// save it, the breakdown adds up, the largest micro-batch is a boundary).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from './helpers.mjs';

const gm = await load();
const models = Object.keys(gm.presets().models);

function run(model, over = {}) {
  const cfg = {
    model: { preset: model },
    training: { batch_size: 1, seq_len: 1024, gradient_accumulation_steps: 2, ...over.training },
    parallelism: { data_parallel_size: 8, ...over.parallelism },
    engine: { type: 'deepspeed', zero_stage: 1, ...over.engine },
    hardware: { gpu: 'H100', num_gpus: 8, ...over.hardware },
  };
  return gm.calc(cfg);
}

const allocated = (r) => r.bytes.peak_allocated;

function finiteEverywhere(v, path = '') {
  if (typeof v === 'number') assert.ok(Number.isFinite(v) && v >= 0 || path.endsWith('percent'), `${path} = ${v}`);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) finiteEverywhere(x, `${path}.${k}`);
}

test('every figure is finite and non-negative for every preset', () => {
  for (const m of models) finiteEverywhere(run(m), m);
});

test('each ZeRO stage needs no more memory than the one before', () => {
  for (const m of models) {
    const peaks = [0, 1, 2, 3].map((z) => allocated(run(m, { engine: { zero_stage: z } })));
    for (let z = 1; z < 4; z++) assert.ok(peaks[z] <= peaks[z - 1], `${m}: ZeRO-${z} ${peaks[z]} > ZeRO-${z - 1} ${peaks[z - 1]}`);
  }
});

test('longer sequences and larger micro-batches never need less memory', () => {
  for (const m of ['llama-3-8b', 'mixtral-8x7b', 'gpt2', 'qwen3-30b-a3b', 'gemma-2-9b']) {
    let prev = 0;
    for (const seq of [128, 256, 512, 1024]) {
      const a = allocated(run(m, { training: { seq_len: seq } }));
      assert.ok(a >= prev, `${m}: seq ${seq} needs ${a} < ${prev}`);
      prev = a;
    }
    prev = 0;
    for (const b of [1, 2, 4, 8]) {
      const a = allocated(run(m, { training: { batch_size: b } }));
      assert.ok(a >= prev, `${m}: batch ${b} needs ${a} < ${prev}`);
      prev = a;
    }
  }
});

test('recomputation keeps fewer activations: full <= selective <= none', () => {
  for (const m of models) {
    const acts = ['none', 'selective', 'full'].map(
      (ac) => run(m, { training: { activation_checkpointing: ac, attention: 'eager' } }).activations_per_layer_bytes,
    );
    assert.ok(acts[1] <= acts[0] && acts[2] <= acts[1], `${m}: ${acts}`);
  }
});

test('the breakdown adds up to the per-GPU total', () => {
  for (const m of models) {
    const r = run(m, { parallelism: { pipeline_parallel_size: 2, data_parallel_size: 4 } });
    const sum = Object.values(r.breakdown).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - r.total_memory_per_gpu_gb) < 0.001, `${m}: ${sum} vs ${r.total_memory_per_gpu_gb}`);
    const bytes = ['weights', 'gradients', 'optimizer_states', 'activations', 'logits', 'gathered_params', 'buffers', 'optimizer_step', 'allocator_cache', 'cuda_context']
      .reduce((a, k) => a + r.bytes[k], 0);
    assert.equal(bytes, r.bytes.peak_nvidia_smi, m);
  }
});

test('pipeline stages hold every layer once and the most loaded one is reported', () => {
  for (const m of models) {
    const r = run(m, { parallelism: { pipeline_parallel_size: 4, data_parallel_size: 2 } });
    const layers = r.stages.reduce((a, s) => a + s.num_layers, 0);
    assert.equal(layers, r.resolved.model.num_layers, m);
    const worst = Math.max(...r.stages.map((s) => s.total_gb));
    assert.equal(r.stages[r.worst_stage].total_gb, worst, m);
    assert.equal(r.total_memory_per_gpu_gb, worst, m);
  }
});

test('max_micro_batch_size and max_seq_len fit with the margin and one more does not', () => {
  for (const m of ['llama-3-8b', 'qwen2.5-7b', 'phi-3-mini', 'mistral-7b']) {
    const over = { engine: { zero_stage: 3 }, hardware: { gpu: 'A100 40GB' } };
    const r = run(m, over);
    const b = r.max_micro_batch_size, s = r.max_seq_len;
    assert.ok(b >= 1, `${m}: nothing fits`);
    assert.equal(run(m, { ...over, training: { batch_size: b } }).verdict, 'fits', `${m} at ${b}`);
    assert.notEqual(run(m, { ...over, training: { batch_size: b + 1 } }).verdict, 'fits', `${m} at ${b + 1}`);
    const seq = (n) => run(m, { ...over, training: { batch_size: r.resolved.training.batch_size, seq_len: n } });
    assert.ok(s >= 1, `${m}: no sequence fits`);
    assert.equal(seq(s).verdict, 'fits', `${m} at ${s} tokens`);
    assert.notEqual(seq(s + 1).verdict, 'fits', `${m} at ${s + 1} tokens`);
    // The margin keeps the largest micro-batch off the card's edge.
    const at = run(m, { ...over, training: { batch_size: b } });
    assert.ok(at.peak_unconstrained_gb <= at.fits_below_gb, `${m}: ${at.peak_unconstrained_gb} > ${at.fits_below_gb}`);
  }
});

test('the verdict: fits, then tight inside the margin, then does not fit', () => {
  const m = 'llama-3-8b', over = { engine: { zero_stage: 3 }, hardware: { gpu: 'A100 40GB' } };
  const seen = new Set();
  let last = 'fits';
  const order = { fits: 0, tight: 1, does_not_fit: 2 };
  for (let b = 1; b <= 64; b *= 2) {
    const r = run(m, { ...over, training: { batch_size: b } });
    assert.ok(order[r.verdict] >= order[last], `${m} at ${b}: ${r.verdict} after ${last}`);
    assert.equal(r.fits_on_gpu, r.verdict !== 'does_not_fit');
    assert.equal(r.verdict === 'fits', r.peak_unconstrained_gb <= r.fits_below_gb);
    seen.add(r.verdict);
    last = r.verdict;
  }
  assert.deepEqual([...seen].sort(), ['does_not_fit', 'fits', 'tight']);
});

test('tensor parallelism divides what it shards', () => {
  const one = run('llama-3-8b', { engine: { type: 'megatron_lm' }, parallelism: { data_parallel_size: 8 } });
  const four = run('llama-3-8b', { engine: { type: 'megatron_lm' }, parallelism: { tensor_parallel_size: 4, data_parallel_size: 2 } });
  const ratio = one.bytes.weights / four.bytes.weights;
  assert.ok(ratio > 3.9 && ratio <= 4.0, `weights shrink by ${ratio}`);
  assert.ok(four.activations_per_layer_bytes < one.activations_per_layer_bytes);
  assert.ok(one.peak_allocated_gb - four.peak_allocated_gb > 10, "TP 4 saves over 10 GiB of states");
});
