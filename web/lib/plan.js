// The planner panel's pure parts: the request sent to the core's planner, the
// configs behind the scaling charts, and the order of the layouts table.
// No DOM here, so Node's test runner can check it.

/*
 * Layout fields: what the planner searches when the request leaves them out.
 * The form's value of each may be kept ("fixed") instead. The recipe (model,
 * sequence length, precision, optimizer, fine-tuning) is always sent as it is;
 * `allow` says which parts of it the planner may change.
 */
export const LAYOUT_FIELDS = [
  { path: 'engine.type', label: 'Engine' },
  { path: 'engine.zero_stage', label: 'ZeRO stage' },
  { path: 'engine.sharding_strategy', label: 'FSDP sharding' },
  { path: 'engine.reshard_after_forward', label: 'Reshard after forward' },
  { path: 'engine.distributed_optimizer', label: 'Distributed optimizer' },
  { path: 'engine.offload_optimizer', label: 'Offload optimizer' },
  { path: 'engine.offload_param', label: 'Offload parameters' },
  { path: 'parallelism.data_parallel_size', label: 'Data parallel' },
  { path: 'parallelism.tensor_parallel_size', label: 'Tensor parallel' },
  { path: 'parallelism.pipeline_parallel_size', label: 'Pipeline parallel' },
  { path: 'parallelism.virtual_pipeline_stages', label: 'Virtual stages' },
  { path: 'parallelism.pipeline_schedule', label: 'Schedule' },
  { path: 'parallelism.num_microbatches', label: 'Micro-batches per step' },
  { path: 'parallelism.sequence_parallel', label: 'Sequence parallel' },
  { path: 'parallelism.context_parallel_size', label: 'Context parallel' },
  { path: 'parallelism.expert_parallel_size', label: 'Expert parallel' },
  { path: 'training.batch_size', label: 'Micro-batch' },
  { path: 'training.gradient_accumulation_steps', label: 'Gradient accumulation' },
  { path: 'training.activation_checkpointing', label: 'Activation checkpointing' },
  { path: 'training.selective_policy', label: 'Selective policy' },
];

/** The changes to the recipe the planner may make (the contract's defaults). */
export const ALLOW = [
  { key: 'recompute', label: 'activation checkpointing', def: true },
  { key: 'offload', label: 'CPU offload', def: true },
  { key: 'optimizer', label: 'optimizer (fused, 8-bit…)', def: false },
  { key: 'precision', label: 'precision', def: false },
  { key: 'finetune', label: 'fine-tuning mode (LoRA…)', def: false },
];

export const FRAMEWORKS = [
  ['', 'any'],
  ['torchtitan', 'torchtitan'],
  ['megatron_lm', 'Megatron-LM'],
  ['deepspeed', 'DeepSpeed'],
  ['hf_trainer', 'HF Trainer'],
  ['torchtune', 'torchtune'],
  ['litgpt', 'LitGPT'],
  ['generic', 'generic PyTorch'],
];

const get = (config, path) => {
  const [s, k] = path.split('.');
  return config?.[s]?.[k];
};

/** The layout fields the form sets: the ones the user may choose to keep. */
export function fixableFields(config) {
  return LAYOUT_FIELDS.filter((f) => get(config, f.path) !== undefined).map((f) => ({ ...f, value: get(config, f.path) }));
}

/** The panel's first state for a config: nothing fixed, the form's GPUs. */
export function defaultPlanOptions(config) {
  const hw = config?.hardware || {};
  return {
    gpus: hw.num_gpus != null ? String(hw.num_gpus) : '8',
    gpusPerNode: hw.gpus_per_node != null ? String(hw.gpus_per_node) : '',
    batchKind: 'samples',
    batch: '',
    maxMicroBatch: '16',
    framework: config?.engine?.framework || '',
    fixed: [],
    allow: Object.fromEntries(ALLOW.map((a) => [a.key, a.def])),
    top: 20,
  };
}

/** "64" -> 64, "32-128" or "32–128" -> [32, 128]; otherwise {error}. */
export function parseGpus(text) {
  const t = String(text ?? '').trim();
  let m = /^([0-9]+)$/.exec(t);
  if (m) {
    const n = Number(m[1]);
    return n >= 1 && Number.isSafeInteger(n) ? { value: n } : { error: 'at least 1 GPU' };
  }
  m = /^([0-9]+)\s*(?:-|–|\.\.|to)\s*([0-9]+)$/.exec(t);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (!(a >= 1) || !Number.isSafeInteger(b)) return { error: 'at least 1 GPU' };
    if (a > b) return { error: `${a} is more than ${b}` };
    return { value: a === b ? a : [a, b] };
  }
  return { error: 'a number such as 64, or a range such as 32-128' };
}

function positiveInt(text, name) {
  const t = String(text ?? '').trim();
  if (t === '') return { value: undefined };
  const n = Number(t.replace(/[_,\s]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) return { error: `${name}: a whole number of at least 1` };
  return { value: n };
}

/**
 * The planner request for the form's config and the panel's options, or
 * {errors: {option: message}} for options that do not parse. Fields of the
 * layout not kept are removed, so the planner searches them.
 */
export function planRequest(config, opts) {
  const errors = {};
  const gpus = parseGpus(opts.gpus);
  if (gpus.error) errors.gpus = gpus.error;
  const perNode = positiveInt(opts.gpusPerNode, 'GPUs per node');
  if (perNode.error) errors.gpusPerNode = perNode.error;
  const batch = positiveInt(opts.batch, 'Global batch');
  if (batch.error) errors.batch = batch.error;
  const mmb = positiveInt(opts.maxMicroBatch, 'Largest micro-batch');
  if (mmb.error) errors.maxMicroBatch = mmb.error;
  if (Object.keys(errors).length) return { errors };

  const req = {};
  for (const s of ['model', 'training', 'parallelism', 'engine', 'hardware']) req[s] = { ...(config?.[s] || {}) };
  const keep = new Set(opts.fixed || []);
  for (const f of LAYOUT_FIELDS) {
    if (keep.has(f.path)) continue;
    const [s, k] = f.path.split('.');
    delete req[s][k];
  }
  delete req.hardware.num_gpus;
  if (perNode.value !== undefined) req.hardware.gpus_per_node = perNode.value;
  if (opts.framework) req.engine.framework = opts.framework;
  else delete req.engine.framework;
  for (const s of Object.keys(req)) if (!Object.keys(req[s]).length) delete req[s];

  const plan = { gpus: gpus.value, top: opts.top || 20 };
  if (batch.value !== undefined) plan[opts.batchKind === 'tokens' ? 'global_batch_tokens' : 'global_batch_samples'] = batch.value;
  if (mmb.value !== undefined) plan.max_micro_batch = mmb.value;
  if (opts.framework) plan.frameworks = [opts.framework];
  plan.allow = { ...opts.allow };
  req.plan = plan;
  return { request: req };
}

/**
 * The request whose suggestions are about the form's own config: all of it
 * as given (the layout included), on the form's GPUs, with the same allowed
 * changes; one layout is enough, since only the suggestions are read.
 */
export function currentRequest(config, opts) {
  const req = {};
  for (const [k, v] of Object.entries(config || {})) req[k] = v && typeof v === 'object' && !Array.isArray(v) ? { ...v } : v;
  const plan = { top: 1, allow: { ...opts.allow } };
  if (Number.isSafeInteger(req.hardware?.num_gpus) && req.hardware.num_gpus > 0) plan.gpus = req.hardware.num_gpus;
  req.plan = plan;
  return req;
}

/** Sort keys of the layouts table: the value each row is ordered by, and the natural direction. */
export const SORTS = {
  step_time_s: { label: 'Step time', asc: true },
  tokens_per_s_per_gpu: { label: 'Tokens/s per GPU', asc: false },
  mfu: { label: 'MFU', asc: false },
  peak_gb: { label: 'Peak', asc: true },
  verdict: { label: 'Verdict', asc: true },
  summary: { label: 'Layout', asc: true },
};

const VERDICT_RANK = { fits: 0, tight: 1 };

/** A copy of layouts ordered by key; rows without the figure go last; ties keep the planner's order. */
export function sortLayouts(layouts, key, asc) {
  const val = (l) => (key === 'verdict' ? VERDICT_RANK[l.verdict] ?? 2 : l[key]);
  return layouts
    .map((l, i) => ({ l, i }))
    .sort((a, b) => {
      const x = val(a.l);
      const y = val(b.l);
      const missX = x == null || (typeof x === 'number' && !Number.isFinite(x));
      const missY = y == null || (typeof y === 'number' && !Number.isFinite(y));
      if (missX || missY) return missX - missY || a.i - b.i;
      const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
      return (asc ? c : -c) || a.i - b.i;
    })
    .map((e) => e.l);
}

/*
 * Scaling charts: the current config with one figure changed. Each axis says
 * which values to try around the current one and how to set it.
 */
const pow2 = (lo, hi) => {
  const out = [];
  for (let v = lo; v <= hi; v *= 2) out.push(v);
  return out;
};

function withValue(config, section, key, value) {
  return { ...config, [section]: { ...(config[section] || {}), [key]: value } };
}

export const AXES = {
  batch_size: {
    label: 'micro-batch',
    title: 'Peak memory against micro-batch',
    values: (cur) => {
      const hi = Math.max(16, cur || 1);
      return [...new Set([...Array.from({ length: Math.min(hi, 16) }, (_, i) => i + 1), ...pow2(32, hi), cur].filter((v) => v >= 1))].sort((a, b) => a - b);
    },
    current: (r) => r?.training?.batch_size,
    apply: (config, v) => withValue(config, 'training', 'batch_size', v),
  },
  seq_len: {
    label: 'sequence length',
    title: 'Peak memory against sequence length',
    values: (cur) => [...new Set([...pow2(512, Math.max(131072, cur || 0)), cur].filter((v) => v >= 1))].sort((a, b) => a - b),
    current: (r) => r?.training?.seq_len,
    apply: (config, v) => withValue(config, 'training', 'seq_len', v),
  },
  num_gpus: {
    label: 'GPUs',
    title: 'Peak memory against GPU count',
    // Multiples of the model-parallel group, so the layout itself stays valid.
    values: (cur, r) => {
      const p = r?.parallelism || {};
      const group = (p.tensor_parallel_size || 1) * (p.pipeline_parallel_size || 1) * (p.context_parallel_size || 1);
      const vals = pow2(1, Math.max(1024, (cur || 1) * 4)).map((d) => d * group).filter((v) => v <= Math.max(16384, cur || 0));
      return [...new Set([...vals, cur].filter((v) => v >= 1))].sort((a, b) => a - b);
    },
    current: (r) => r?.hardware?.num_gpus,
    // The data-parallel size follows the GPU count.
    apply: (config, v) => {
      const c = withValue(config, 'hardware', 'num_gpus', v);
      if (c.parallelism?.data_parallel_size !== undefined) {
        c.parallelism = { ...c.parallelism };
        delete c.parallelism.data_parallel_size;
      }
      return c;
    },
  },
};

/** The sweep of one axis for a config, given the core's resolved values: [{x, config}]. */
export function sweepConfigs(config, axis, resolved) {
  const a = AXES[axis];
  const cur = a.current(resolved);
  return a.values(cur, resolved).map((x) => ({ x, config: a.apply(config, x) }));
}

/**
 * What a chart keeps of one calculate result. level: the core's verdict
 * ("fits", "tight", "over") where it gives one, else from fits_on_gpu.
 */
export function pointOf(x, result) {
  if (!result || result.error) return { x, error: result?.error?.message || 'invalid' };
  const v = result.verdict;
  const level = v === 'fits' || v === 'tight' ? v : v === 'does_not_fit' ? 'over' : result.fits_on_gpu ? 'fits' : 'over';
  return { x, peak_gb: result.total_memory_per_gpu_gb, capacity_gb: result.gpu_capacity_gb, fits: level !== 'over', level };
}

/**
 * The band under the capacity where the core's verdict is "tight", in GiB:
 * from the result's fits_below_gb, else its resolved safety margin (a
 * fraction of the card); null when the core reports neither.
 */
export function marginBand(result) {
  const cap = result?.gpu_capacity_gb;
  if (!(cap > 0)) return null;
  const below = result.fits_below_gb;
  if (typeof below === 'number' && Number.isFinite(below) && below >= 0 && below < cap) return { from_gb: below, to_gb: cap };
  const m = result.resolved?.hardware?.safety_margin;
  if (typeof m !== 'number' || !Number.isFinite(m) || m <= 0 || m >= 1) return null;
  return { from_gb: (1 - m) * cap, to_gb: cap };
}

/** A planner config as the form holds it: the form edits training.batch_size, not its alias. */
export function formConfig(config) {
  const t = config?.training;
  if (!t || t.micro_batch_size === undefined || t.batch_size !== undefined) return config;
  const training = {};
  for (const [k, v] of Object.entries(t)) training[k === 'micro_batch_size' ? 'batch_size' : k] = v;
  return { ...config, training };
}
