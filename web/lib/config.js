// What the form knows about the config. Every key's label, kind, accepted
// values, bounds, spellings and default come from the core's schema
// (gm.schema(), set once by setSchema); this file adds only the layout: the
// order, what is folded away or grouped, when a field applies, and hints. A key
// the schema has and the layout does not is shown folded away, so a new key
// reaches the form with no edit here.

export const SECTIONS = ['model', 'training', 'parallelism', 'engine', 'hardware'];

const isDeepSpeed = (c) => c.engine === 'deepspeed' || c.engine === 'megatron_deepspeed';
const isMegatron = (c) => c.engine === 'megatron_lm' || c.engine === 'megatron_deepspeed';
const modelParallel = (c) => isMegatron(c) || c.engine === 'fsdp';
const moe = (c) => c.moe;
const lora = (c) => c.finetune === 'lora' || c.finetune === 'qlora';
const pipelined = (c) => c.pp > 1;
const zero3 = (c) => isDeepSpeed(c) && c.zero === 3;

/*
 * The layout per section, in the order shown. own: drawn by its section, not
 * as a plain field. advanced: folded away. group 'moe': the mixture-of-experts
 * fold. when(ctx): shown only then. bare: the suffix a bare number takes, and
 * unit: its name after the label. hint,
 * title: help under and over the field. choices: the select's text for each
 * whole number of a small range. required: no "default" choice.
 */
const LAYOUT = {
  model: [
    { key: 'preset', own: true },
    { key: 'name', advanced: true },
    { key: 'num_parameters', bare: 'B', unit: 'billions', hint: '70 = 70B; or 125M, 1.5T',
      title: 'A bare number is billions, as in the CLI. With an architecture, only a check; alone, the architecture is estimated from it.' },
    { key: 'num_layers' },
    { key: 'hidden_size' },
    { key: 'num_attention_heads' },
    { key: 'num_key_value_heads', title: 'fewer than the attention heads: GQA / MQA' },
    { key: 'intermediate_size' },
    { key: 'vocab_size' },
    { key: 'max_seq_len' },
    { key: 'head_dim', advanced: true },
    { key: 'max_position_embeddings', advanced: true },
    { key: 'mlp', advanced: true },
    { key: 'norm', advanced: true },
    { key: 'position_embedding', advanced: true },
    { key: 'norms_per_layer', advanced: true },
    { key: 'attention_bias', advanced: true },
    { key: 'attention_out_bias', advanced: true },
    { key: 'mlp_bias', advanced: true },
    { key: 'qk_norm', advanced: true },
    { key: 'tie_word_embeddings', advanced: true },
    { key: 'num_experts', group: 'moe', hint: '0 = dense' },
    { key: 'num_experts_per_tok', group: 'moe', when: moe },
    { key: 'moe_intermediate_size', group: 'moe', when: moe },
    { key: 'num_shared_experts', group: 'moe', when: moe },
    { key: 'shared_expert_intermediate_size', group: 'moe', when: moe },
    { key: 'shared_expert_gate', group: 'moe', when: moe },
    { key: 'first_dense_layers', group: 'moe', when: moe },
    { key: 'router_bias', group: 'moe', when: moe },
    { key: 'largest_layer_params', advanced: true, hint: 'parameters gathered at once under ZeRO-3' },
    { key: 'task', advanced: true },
    { key: 'num_labels', advanced: true, hint: 'with a sequence classifier' },
    { key: 'fused_projections', advanced: true },
    { key: 'kv_lora_rank', advanced: true, hint: '0 = standard attention' },
    { key: 'q_lora_rank', advanced: true },
    { key: 'qk_nope_head_dim', advanced: true },
    { key: 'qk_rope_head_dim', advanced: true },
    { key: 'v_head_dim', advanced: true },
  ],
  training: [
    { key: 'batch_size' },
    { key: 'seq_len' },
    { key: 'gradient_accumulation_steps' },
    { key: 'dtype' },
    { key: 'precision', wide: true },
    { key: 'optimizer' },
    { key: 'momentum', when: (c) => c.optimizer === 'sgd' || c.optimizer === 'sgd_momentum' },
    { key: 'activation_checkpointing' },
    { key: 'selective_policy', when: (c) => c.ac === 'selective' },
    { key: 'finetune' },
    { key: 'lora_rank', when: lora },
    { key: 'lora_targets', when: lora },
    { key: 'attention', advanced: true },
    { key: 'loss', advanced: true },
    { key: 'optimizer_impl', advanced: true },
    { key: 'norm_impl', advanced: true },
    { key: 'attention_dropout', advanced: true },
    { key: 'hidden_dropout', advanced: true },
    { key: 'compile', advanced: true },
    { key: 'gqa_expand_kv', advanced: true },
    { key: 'activation_offload', advanced: true },
    { key: 'optimizer_in_backward', advanced: true },
    { key: 'zero_grad_set_to_none', advanced: true, hint: 'PyTorch ≥ 2.0 default' },
    { key: 'fp8', advanced: true },
    { key: 'fp8_all_gather', advanced: true, when: (c) => c.fp8 && c.fp8 !== 'none', hint: 'FSDP gathers linear weights in fp8; Megatron: fp8 parameters' },
    { key: 'fp8_amax_history_len', advanced: true, when: (c) => c.fp8 === 'delayed' },
  ],
  parallelism: [
    { key: 'data_parallel_size' },
    { key: 'tensor_parallel_size', when: modelParallel },
    { key: 'pipeline_parallel_size', when: modelParallel },
    { key: 'sequence_parallel', when: isMegatron },
    { key: 'context_parallel_size', when: modelParallel, advanced: true },
    { key: 'expert_parallel_size', when: (c) => c.moe && modelParallel(c) },
    { key: 'virtual_pipeline_stages', when: pipelined },
    { key: 'pipeline_schedule', when: pipelined },
    { key: 'num_microbatches', when: pipelined },
    { key: 'microbatch_group_size', advanced: true, when: (c) => c.pp > 1 && c.engine === 'megatron_lm', hint: 'interleaved schedule' },
    { key: 'first_stage_layers', advanced: true, when: pipelined, hint: 'uneven split' },
    { key: 'last_stage_layers', advanced: true, when: pipelined, hint: 'uneven split' },
    { key: 'account_for_embedding_in_pipeline_split', advanced: true, when: (c) => c.pp > 1 && c.engine === 'megatron_lm' },
    { key: 'account_for_loss_in_pipeline_split', advanced: true, when: (c) => c.pp > 1 && c.engine === 'megatron_lm' },
    { key: 'defer_embedding_wgrad', advanced: true, when: (c) => c.pp > 1 && c.engine === 'megatron_lm' },
    { key: 'wgrad_deferral_limit', advanced: true, when: (c) => c.pp > 1 && c.engine === 'megatron_lm' },
  ],
  engine: [
    { key: 'type', required: true },
    { key: 'framework' },
    { key: 'framework_version', advanced: true, hint: 'date of the code, e.g. 2024-12-26; defaults follow it' },
    { key: 'zero_stage', when: isDeepSpeed, choices: ['0: no sharding', '1: optimizer states', '2: + gradients', '3: + parameters'] },
    { key: 'offload_optimizer', when: isDeepSpeed },
    { key: 'offload_param', when: zero3 },
    { key: 'overlap_comm', when: isDeepSpeed },
    { key: 'sharding_strategy', when: (c) => c.engine === 'fsdp' },
    { key: 'reshard_after_forward', when: (c) => c.engine === 'fsdp' },
    { key: 'distributed_optimizer', when: (c) => c.engine === 'megatron_lm' },
    { key: 'gradient_as_bucket_view', when: (c) => c.engine === 'pytorch_ddp' },
    { key: 'bucket_cap_mb', advanced: true, when: (c) => c.engine === 'pytorch_ddp' },
    { key: 'reduce_bucket_size', advanced: true, when: isDeepSpeed, hint: 'elements, e.g. 5e8' },
    { key: 'allgather_bucket_size', advanced: true, when: isDeepSpeed, hint: 'elements' },
    { key: 'stage3_max_live_parameters', advanced: true, when: zero3 },
    { key: 'stage3_prefetch_bucket_size', advanced: true, when: zero3 },
    { key: 'sub_group_size', advanced: true, when: zero3 },
  ],
  hardware: [
    { key: 'gpu', own: true },
    { key: 'num_gpus' },
    { key: 'gpus_per_node' },
    { key: 'gpu_memory_gb', when: (c) => !c.gpu, hint: 'e.g. 80GB, 80GiB, 81559MiB' },
    { key: 'host_memory_per_node_gb', hint: 'e.g. 1TB; checked under offload' },
    { key: 'safety_margin', hint: 'share of the card kept free for "fits", e.g. 0.1' },
    { key: 'cuda_context_gb', advanced: true, hint: 'beyond the allocator, e.g. 500MiB' },
  ],
};

/** How the form edits each kind of the schema: int, int64, size ("7B"), memory ("80GB"), bool, enum, number, string. */
const KIND = { int: 'int', int64: 'int', size: 'count', memory: 'memory', bool: 'bool', enum: 'select', number: 'number', string: 'text' };

let schema = { keys: [], gpus: [], models: [], thresholds: {} };
// Which preset a typed name stands for is the core's answer (gm.presetId),
// never a second matcher here; answers are kept per name.
let presetId = () => null;
const presetIds = new Map();
let fields = Object.fromEntries(SECTIONS.map((s) => [s, []]));
let rows = new Map();

/** A form field from a schema row and its place in the layout. */
function fieldOf(row, place) {
  const label = row.label || row.key;
  const f = { ...place, key: row.key, label: place.unit ? `${label} (${place.unit})` : label, kind: KIND[row.kind] || 'text', row };
  if (row.kind === 'enum') f.options = row.values.map((v) => ({ value: v.name, label: v.label || v.name }));
  else if (place.choices) {
    f.kind = 'select';
    f.options = place.choices.map((label, i) => ({ value: row.min + i, label }));
  }
  if (row.default_rule && !f.title) f.title = `default: ${row.default_rule}`;
  return f;
}

/**
 * Takes the core's schema (gm.schema()) for the page: fields, labels, options,
 * the Hugging Face spellings and the GPU and model lists; and its preset
 * matcher (gm.presetId), which says what a typed GPU or model name stands
 * for. Called once, before the page renders.
 */
export function setSchema(s, matchPreset) {
  schema = s;
  presetId = matchPreset;
  presetIds.clear();
  rows = new Map(s.keys.map((r) => [`${r.section}.${r.key}`, r]));
  fields = {};
  for (const sec of SECTIONS) {
    const placed = new Set(LAYOUT[sec].map((p) => p.key));
    fields[sec] = [
      ...LAYOUT[sec].filter((p) => !p.own && rows.has(`${sec}.${p.key}`)).map((p) => fieldOf(rows.get(`${sec}.${p.key}`), p)),
      // Keys of the core the layout does not place yet: folded away, always shown.
      ...s.keys.filter((r) => r.section === sec && !placed.has(r.key)).map((r) => fieldOf(r, { advanced: true })),
    ];
  }
}

/** The fields of a section, in the order shown. */
export const sectionFields = (section) => (Object.hasOwn(fields, section) ? fields[section] : []);

/** The schema row of "section.key", or undefined. */
export const schemaRow = (section, key) => rows.get(`${section}.${key}`);

/** The GPUs and models the core knows: [{id, name, aliases, ...}]. */
export const gpuList = () => schema.gpus;
export const modelList = () => schema.models;

/** A readable name for a config path such as "parallelism.tensor_parallel_size". */
export function fieldLabel(path) {
  if (!path) return 'Config';
  const [section, key] = String(path).split('.');
  const sec = section ? section[0].toUpperCase() + section.slice(1) : '';
  if (!key && SECTIONS.includes(section)) return sec;
  const row = key ? rows.get(`${section}.${key}`) : undefined;
  if (row) return `${sec} › ${row.label || key}`;
  return path;
}

/** The DOM id of a field's input. */
export const inputId = (section, key) => `f-${section}-${key}`;

/** The checkpointing value a select shows; the earlier 0–4 scale included. */
export function acName(v) {
  if (typeof v === 'number') return v <= 0 ? 'none' : v <= 2 ? 'selective' : 'full';
  return v;
}

/** Facts the form's show/hide rules read, from the config and the last result. */
export function context(config, resolved) {
  const r = resolved || {};
  const own = (o, k) => (o && typeof o === 'object' && Object.hasOwn(o, k) ? o[k] : undefined);
  const pick = (sec, key) => own(own(config, sec), key) ?? own(own(r, sec), key);
  const num = (v, d) => (Number.isFinite(Number(v)) ? Number(v) : d);
  return {
    engine: pick('engine', 'type') || schemaRow('engine', 'type')?.default,
    zero: num(pick('engine', 'zero_stage'), 0),
    pp: num(pick('parallelism', 'pipeline_parallel_size'), 1),
    tp: num(pick('parallelism', 'tensor_parallel_size'), 1),
    moe: num(modelValue(config?.model, 'num_experts') ?? own(r.model, 'num_experts'), 0) > 0,
    optimizer: pick('training', 'optimizer'),
    finetune: pick('training', 'finetune'),
    ac: acName(pick('training', 'activation_checkpointing')),
    fp8: pick('training', 'fp8'),
    gpu: typeof pick('hardware', 'gpu') === 'string' ? config?.hardware?.gpu || '' : '',
  };
}

/** Fields of a section shown for this context. */
export function visibleFields(section, ctx) {
  return sectionFields(section).filter((f) => !f.when || f.when(ctx));
}

/** Other spellings the core reads for a key, weakest first (the key itself wins); a form edit removes them so the edit wins. */
export const aliasesOf = (section, key) => schemaRow(section, key)?.aliases || [];

/** The value of a model field as the core reads it: the key, else its strongest spelling present. */
export function modelValue(model, key) {
  if (!model || typeof model !== 'object') return undefined;
  if (Object.hasOwn(model, key)) return model[key];
  const aliases = aliasesOf('model', key);
  for (let i = aliases.length - 1; i >= 0; i--) if (Object.hasOwn(model, aliases[i])) return model[aliases[i]];
  return undefined;
}

/** A copy of obj with key set to value, or removed when value is undefined. */
export function withKey(obj, key, value) {
  const out = { ...(obj || {}) };
  if (value === undefined) delete out[key];
  else out[key] = value;
  return out;
}

/** Does this JSON look like a whole config (rather than a model's config.json)? */
export function isFullConfig(obj) {
  return !!obj && typeof obj === 'object' && SECTIONS.some((s) => obj[s] && typeof obj[s] === 'object' && !Array.isArray(obj[s]));
}

/** Does this JSON look like a Hugging Face config.json? */
export function isHfConfig(obj) {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj) || isFullConfig(obj)) return false;
  const has = (key) => key in obj || aliasesOf('model', key).some((a) => a in obj);
  return 'model_type' in obj || has('num_layers') || has('hidden_size');
}

/**
 * Switching engine drops the settings that only the old engine reads, so a
 * ZeRO stage does not linger invisibly under FSDP.
 */
export function switchEngine(config, type) {
  const ctx = context({ ...config, engine: { type } }, null);
  const keepEngine = new Set(visibleFields('engine', ctx).map((f) => f.key));
  const engine = {};
  if (type === 'fsdp') keepEngine.add('offload_param').add('offload_optimizer');
  for (const [k, v] of Object.entries(config.engine || {})) if (keepEngine.has(k) || k === 'framework') engine[k] = v;
  engine.type = type;
  const keepPar = new Set(visibleFields('parallelism', { ...ctx, pp: 2, moe: true }).map((f) => f.key));
  const parallelism = {};
  for (const [k, v] of Object.entries(config.parallelism || {})) if (keepPar.has(k)) parallelism[k] = v;
  return { ...config, engine, parallelism };
}

/** The page's first config: a common fine-tuning run that people ask about. */
export const DEFAULT_CONFIG = {
  model: { preset: 'llama-3-8b' },
  training: { batch_size: 1, seq_len: 4096, activation_checkpointing: 'full' },
  parallelism: {},
  engine: { type: 'fsdp' },
  hardware: { gpu: 'h100-80gb', num_gpus: 8 },
};

/** The default config, adjusted to the presets the core has. */
export function defaultConfig() {
  const c = structuredClone(DEFAULT_CONFIG);
  if (!findModel(c.model.preset)) c.model = schema.models[0] ? { preset: schema.models[0].id } : { num_parameters: '7B' };
  if (!findGpu(c.hardware.gpu)) {
    if (schema.gpus[0]) c.hardware.gpu = schema.gpus[0].id;
    else delete c.hardware.gpu;
  }
  return c;
}

/** The entry of a list ({id, ...}) with the preset id the core gives a name, or null. */
function byPresetId(list, kind, name) {
  if (typeof name !== 'string' || !name) return null;
  const key = `${kind}:${name}`;
  if (!presetIds.has(key)) {
    if (presetIds.size >= 256) presetIds.clear(); // names typed one letter at a time
    presetIds.set(key, presetId(kind, name));
  }
  const id = presetIds.get(key);
  return (id && (list || []).find((p) => p.id === id)) || null;
}

/** The GPU preset a name stands for, as the core reads hardware.gpu (gm.presetId). */
export const findGpu = (name) => byPresetId(schema.gpus, 'gpu', name);

/** The model preset a name stands for, as the core reads model.preset (gm.presetId). */
export const findModel = (name) => byPresetId(schema.models, 'model', name);
