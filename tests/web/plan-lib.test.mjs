// The planner panel's pure parts (web/lib/plan.js): the request it sends, the
// order of its table, and the configs behind the scaling charts, which the core
// must accept.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { AXES, currentRequest, defaultPlanOptions, fixableFields, formConfig, marginBand, parseGpus, planRequest, pointOf, sortLayouts, sweepConfigs } from '../../web/lib/plan.js';
import { BUILD } from './browser.mjs';

const FORM = {
  model: { preset: 'llama-3.1-70b' },
  training: { batch_size: 2, seq_len: 8192, activation_checkpointing: 'full', optimizer: 'adamw' },
  parallelism: { tensor_parallel_size: 8, data_parallel_size: 2 },
  engine: { type: 'fsdp', framework: 'torchtitan' },
  hardware: { gpu: 'h100-80gb', num_gpus: 16, gpus_per_node: 8 },
};

describe('GPU count', () => {
  test('a count or a range', () => {
    assert.deepEqual(parseGpus('64'), { value: 64 });
    assert.deepEqual(parseGpus(' 32-128 '), { value: [32, 128] });
    assert.deepEqual(parseGpus('32–128'), { value: [32, 128] });
    assert.deepEqual(parseGpus('8-8'), { value: 8 });
  });
  test('anything else is an error', () => {
    for (const t of ['0', '', 'x', '128-32', '1.5', '-4', '0-8']) assert.ok(parseGpus(t).error, t);
  });
});

describe('the planner request', () => {
  test('the recipe stays; the layout is searched unless kept', () => {
    const opts = { ...defaultPlanOptions(FORM), gpus: '64' };
    const { request } = planRequest(FORM, opts);
    assert.deepEqual(request.model, FORM.model);
    assert.deepEqual(request.training, { seq_len: 8192, optimizer: 'adamw' });
    assert.equal(request.parallelism, undefined, 'no layout field is kept');
    assert.deepEqual(request.engine, { framework: 'torchtitan' });
    assert.deepEqual(request.hardware, { gpu: 'h100-80gb', gpus_per_node: 8 }, 'the GPU count goes to plan.gpus');
    assert.equal(request.plan.gpus, 64);
    assert.deepEqual(request.plan.frameworks, ['torchtitan']);
    assert.deepEqual(request.plan.allow, { recompute: true, offload: true, optimizer: false, precision: false, finetune: false });
    assert.equal(request.plan.max_micro_batch, 16);
    assert.equal(request.plan.global_batch_samples, undefined);
    assert.deepEqual(FORM.parallelism, { tensor_parallel_size: 8, data_parallel_size: 2 }, 'the form is not changed');
  });
  test('kept fields go with it, and the global batch in samples or tokens', () => {
    const opts = { ...defaultPlanOptions(FORM), gpus: '16-256', fixed: ['parallelism.tensor_parallel_size', 'engine.type'], batch: '1,024', batchKind: 'tokens', framework: '' };
    const { request } = planRequest(FORM, opts);
    assert.deepEqual(request.parallelism, { tensor_parallel_size: 8 });
    assert.deepEqual(request.engine, { type: 'fsdp' });
    assert.deepEqual(request.plan.gpus, [16, 256]);
    assert.equal(request.plan.global_batch_tokens, 1024);
    assert.equal(request.plan.frameworks, undefined, 'any framework');
    const s = planRequest(FORM, { ...opts, batchKind: 'samples', batch: '512' }).request.plan;
    assert.equal(s.global_batch_samples, 512);
    assert.equal(s.global_batch_tokens, undefined);
  });
  test('options that do not parse are named, and nothing is sent', () => {
    const r = planRequest(FORM, { ...defaultPlanOptions(FORM), gpus: 'many', batch: '0', maxMicroBatch: '2.5', gpusPerNode: '-1' });
    assert.equal(r.request, undefined);
    assert.deepEqual(Object.keys(r.errors).sort(), ['batch', 'gpus', 'gpusPerNode', 'maxMicroBatch']);
  });
  test('the suggestions are asked for the form\'s config as it is', () => {
    const opts = { ...defaultPlanOptions(FORM), gpus: '64', allow: { optimizer: true } };
    const r = currentRequest(FORM, opts);
    const { plan, ...config } = r;
    assert.deepEqual(config, FORM, 'the whole config, layout included');
    assert.deepEqual(plan, { top: 1, gpus: 16, allow: { optimizer: true } }, 'on the form\'s GPUs, not the search\'s');
    r.training.seq_len = 1;
    assert.equal(FORM.training.seq_len, 8192, 'the form is not changed');
  });
  test('the fields the user may keep are those the form sets', () => {
    assert.deepEqual(fixableFields(FORM).map((f) => f.path), [
      'engine.type', 'parallelism.data_parallel_size', 'parallelism.tensor_parallel_size', 'training.batch_size', 'training.activation_checkpointing',
    ]);
  });
});

describe('a layout loaded into the form', () => {
  test('the micro-batch goes under the name the form edits', () => {
    const c = { model: { preset: 'x' }, training: { seq_len: 4096, micro_batch_size: 2, activation_checkpointing: 'full' } };
    assert.deepEqual(formConfig(c).training, { seq_len: 4096, batch_size: 2, activation_checkpointing: 'full' });
    assert.equal(formConfig(FORM), FORM, 'a config already in the form\'s names is unchanged');
  });
});

describe('the layouts table', () => {
  const L = [
    { summary: 'b', step_time_s: 2, mfu: 0.4, peak_gb: 70, verdict: 'tight' },
    { summary: 'a', step_time_s: 1, mfu: 0.5, peak_gb: 75, verdict: 'fits' },
    { summary: 'c', step_time_s: null, mfu: 0.3, peak_gb: 60, verdict: 'fits' },
    { summary: 'd', step_time_s: 1, mfu: 0.45, peak_gb: 50, verdict: 'fits' },
  ];
  test('sorts by a figure either way; ties keep the planner order; missing figures last', () => {
    assert.deepEqual(sortLayouts(L, 'step_time_s', true).map((l) => l.summary), ['a', 'd', 'b', 'c']);
    assert.deepEqual(sortLayouts(L, 'step_time_s', false).map((l) => l.summary), ['b', 'a', 'd', 'c']);
    assert.deepEqual(sortLayouts(L, 'mfu', false).map((l) => l.summary), ['a', 'd', 'b', 'c']);
    assert.deepEqual(sortLayouts(L, 'peak_gb', true).map((l) => l.summary), ['d', 'c', 'b', 'a']);
    assert.deepEqual(sortLayouts(L, 'verdict', true).map((l) => l.summary), ['a', 'c', 'd', 'b']);
    assert.deepEqual(L.map((l) => l.summary), ['b', 'a', 'c', 'd'], 'the input is not reordered');
  });
});

describe('scaling charts', () => {
  test('GPU counts keep the model-parallel group whole and let data parallel follow', () => {
    const resolved = { parallelism: { tensor_parallel_size: 8, pipeline_parallel_size: 2, context_parallel_size: 1 }, hardware: { num_gpus: 16 } };
    const sweep = sweepConfigs(FORM, 'num_gpus', resolved);
    assert.ok(sweep.length >= 8);
    for (const { x, config } of sweep) {
      assert.equal(x % 16, 0, `${x} GPUs`);
      assert.equal(config.hardware.num_gpus, x);
      assert.equal(config.parallelism.data_parallel_size, undefined);
      assert.equal(config.parallelism.tensor_parallel_size, 8);
    }
    assert.ok(sweep.some((p) => p.x === 16), 'the current count is a point');
  });
  test('micro-batch and sequence length include the current value', () => {
    assert.ok(AXES.batch_size.values(24).includes(24));
    assert.deepEqual(AXES.batch_size.values(1).slice(0, 4), [1, 2, 3, 4]);
    assert.ok(AXES.seq_len.values(3000).includes(3000));
    assert.ok(AXES.seq_len.values(8192).includes(131072));
  });
  test('the margin band sits under the capacity, where the core says it starts', () => {
    assert.equal(marginBand({ gpu_capacity_gb: 80, resolved: { hardware: {} } }), null);
    assert.deepEqual(marginBand({ gpu_capacity_gb: 80, resolved: { hardware: { safety_margin: 0.25 } } }), { from_gb: 60, to_gb: 80 });
    assert.deepEqual(marginBand({ gpu_capacity_gb: 80, fits_below_gb: 63.2, resolved: { hardware: { safety_margin: 0.25 } } }), { from_gb: 63.2, to_gb: 80 });
  });
  test('a point takes the core\'s verdict when it gives one', () => {
    const r = (verdict, fits) => ({ total_memory_per_gpu_gb: 70, gpu_capacity_gb: 80, fits_on_gpu: fits, verdict });
    assert.equal(pointOf(1, r('tight', true)).level, 'tight');
    assert.equal(pointOf(1, r('does_not_fit', false)).level, 'over');
    assert.equal(pointOf(1, r(undefined, true)).level, 'fits');
    assert.equal(pointOf(1, r(undefined, false)).level, 'over');
    assert.match(pointOf(1, { error: { field: 'x', message: 'bad' } }).error, /bad/);
  });
  test('every point of every chart is a config the core computes', async () => {
    const { loadGpuMem } = await import(pathToFileURL(join(BUILD, 'wasm', 'gpumem.js')).href);
    const gm = await loadGpuMem();
    for (const config of [FORM, { model: { preset: 'llama-3-8b' }, training: { seq_len: 4096 }, engine: { type: 'fsdp' }, hardware: { gpu: 'h100-80gb', num_gpus: 8 } }]) {
      const base = gm.calc(config);
      for (const axis of Object.keys(AXES)) {
        const pts = sweepConfigs(config, axis, base.resolved).map(({ x, config: c }) => pointOf(x, JSON.parse(gm.calcRaw(c))));
        for (const p of pts) assert.ok(Number.isFinite(p.peak_gb), `${axis} = ${p.x}: ${p.error}`);
        const cur = pts.find((p) => p.x === AXES[axis].current(base.resolved));
        assert.equal(cur.peak_gb, base.total_memory_per_gpu_gb, `${axis}: the current point is the form's peak`);
        // More of any of these never takes less memory per GPU, except more GPUs.
        const peaks = pts.map((p) => p.peak_gb);
        const monotone = peaks.every((v, i) => i === 0 || (axis === 'num_gpus' ? v <= peaks[i - 1] + 1e-9 : v >= peaks[i - 1] - 1e-9));
        assert.ok(monotone, `${axis}: ${peaks.join(', ')}`);
      }
    }
  });
});
