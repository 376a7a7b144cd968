// What the form knows about the config: every field's label, kind and when it
// applies, the default config, and small helpers to read and edit it.

export const SECTIONS = ['model', 'training', 'parallelism', 'engine', 'hardware'];

const opts = (...pairs) => pairs.map(([value, label]) => ({ value, label: label ?? value }));
const BOOL = 'bool';

const isDeepSpeed = (c) => c.engine === 'deepspeed' || c.engine === 'megatron_deepspeed';
const isMegatron = (c) => c.engine === 'megatron_lm' || c.engine === 'megatron_deepspeed';
const modelParallel = (c) => isMegatron(c) || c.engine === 'fsdp';

export const ENGINE_OPTIONS = opts(
  ['pytorch_ddp', 'PyTorch DDP'],
  ['fsdp', 'PyTorch FSDP'],
  ['deepspeed', 'DeepSpeed'],
  ['megatron_lm', 'Megatron-LM'],
  ['megatron_deepspeed', 'Megatron-DeepSpeed'],
);

/*
 * Fields per section. kind: int | count ("7B") | memory ("80GB") | number |
 * select | bool | text. when(ctx): shown only then. advanced: folded away.
 */
export const FIELDS = {
  model: [
    { key: 'name', label: 'Name', kind: 'text', advanced: true },
    { key: 'num_parameters', label: 'Parameters (billions)', kind: 'count', bare: 'B', hint: '70 = 70B; or 125M, 1.5T',
      title: 'A bare number is billions, as in the CLI. With an architecture, only a check; alone, the architecture is estimated from it.' },
    { key: 'num_layers', label: 'Layers', kind: 'int' },
    { key: 'hidden_size', label: 'Hidden size', kind: 'int' },
    { key: 'num_attention_heads', label: 'Attention heads', kind: 'int' },
    { key: 'num_key_value_heads', label: 'KV heads', kind: 'int', title: 'fewer than the attention heads: GQA / MQA' },
    { key: 'intermediate_size', label: 'MLP width', kind: 'int' },
    { key: 'vocab_size', label: 'Vocabulary', kind: 'int' },
    { key: 'max_seq_len', label: 'Max sequence length', kind: 'int' },
    { key: 'head_dim', label: 'Head dim', kind: 'int', advanced: true },
    { key: 'max_position_embeddings', label: 'Position embeddings', kind: 'int', advanced: true },
    { key: 'mlp', label: 'MLP', kind: 'select', advanced: true,
      options: opts(['gated', 'SwiGLU / GeGLU (gated)'], ['gelu', 'GELU'], ['relu', 'ReLU'], ['relu2', 'ReLU²'], ['plain', 'plain']) },
    { key: 'norm', label: 'Norm', kind: 'select', advanced: true, options: opts(['rmsnorm', 'RMSNorm'], ['layernorm', 'LayerNorm']) },
    { key: 'position_embedding', label: 'Positions', kind: 'select', advanced: true, options: opts(['rope', 'RoPE'], ['learned', 'learned table']) },
    { key: 'norms_per_layer', label: 'Norms per layer', kind: 'int', advanced: true },
    { key: 'attention_bias', label: 'QKV bias', kind: BOOL, advanced: true },
    { key: 'attention_out_bias', label: 'Attention output bias', kind: BOOL, advanced: true },
    { key: 'mlp_bias', label: 'MLP bias', kind: BOOL, advanced: true },
    { key: 'qk_norm', label: 'QK norm', kind: BOOL, advanced: true },
    { key: 'tie_word_embeddings', label: 'Tied embeddings', kind: BOOL, advanced: true },
    { key: 'num_experts', label: 'Experts', kind: 'int', group: 'moe', hint: '0 = dense' },
    { key: 'num_experts_per_tok', label: 'Experts per token', kind: 'int', group: 'moe', when: (c) => c.moe },
    { key: 'moe_intermediate_size', label: 'Expert width', kind: 'int', group: 'moe', when: (c) => c.moe },
    { key: 'num_shared_experts', label: 'Shared experts', kind: 'int', group: 'moe', when: (c) => c.moe },
    { key: 'shared_expert_intermediate_size', label: 'Shared expert width', kind: 'int', group: 'moe', when: (c) => c.moe },
    { key: 'first_dense_layers', label: 'Leading dense layers', kind: 'int', group: 'moe', when: (c) => c.moe },
    { key: 'largest_layer_params', label: 'Largest layer', kind: 'count', advanced: true, hint: 'parameters gathered at once under ZeRO-3' },
    { key: 'task', label: 'Head', kind: 'select', advanced: true, options: opts(['causal_lm', 'language model'], ['sequence_classification', 'sequence classifier']) },
    { key: 'num_labels', label: 'Labels', kind: 'int', advanced: true, hint: 'with a sequence classifier' },
    { key: 'fused_projections', label: 'Fused QKV / gate-up', kind: BOOL, advanced: true },
    { key: 'kv_lora_rank', label: 'KV latent rank (MLA)', kind: 'int', advanced: true, hint: '0 = standard attention' },
    { key: 'q_lora_rank', label: 'Q latent rank (MLA)', kind: 'int', advanced: true },
    { key: 'qk_nope_head_dim', label: 'MLA QK head (no RoPE)', kind: 'int', advanced: true },
    { key: 'qk_rope_head_dim', label: 'MLA QK head (RoPE)', kind: 'int', advanced: true },
    { key: 'v_head_dim', label: 'MLA V head', kind: 'int', advanced: true },
    { key: 'router_bias', label: 'Router bias', kind: BOOL, group: 'moe', when: (c) => c.moe },
  ],
  training: [
    { key: 'batch_size', label: 'Micro-batch per GPU', kind: 'int' },
    { key: 'seq_len', label: 'Sequence length', kind: 'int' },
    { key: 'gradient_accumulation_steps', label: 'Gradient accumulation', kind: 'int' },
    { key: 'dtype', label: 'Compute dtype', kind: 'select', options: opts(['bf16'], ['fp16'], ['fp32']) },
    { key: 'precision', label: 'Precision', kind: 'select', wide: true,
      options: opts(['mixed', 'half weights + fp32 master'], ['mixed_fp32_grads', 'half weights + fp32 master and gradients'], ['amp', 'fp32 weights, autocast'], ['pure_bf16', 'half only, no master'], ['fp32', 'fp32 only']) },
    { key: 'optimizer', label: 'Optimizer', kind: 'select',
      options: opts(['adamw', 'AdamW'], ['adam', 'Adam'], ['adamw_8bit', 'AdamW 8-bit'], ['sgd', 'SGD'], ['sgd_momentum', 'SGD + momentum'], ['lion', 'Lion'], ['adafactor', 'Adafactor']) },
    { key: 'momentum', label: 'Momentum', kind: 'number', when: (c) => c.optimizer === 'sgd' || c.optimizer === 'sgd_momentum' },
    { key: 'activation_checkpointing', label: 'Activation checkpointing', kind: 'select',
      options: opts(['none', 'none'], ['selective', 'selective'], ['full', 'full']) },
    { key: 'selective_policy', label: 'Selective policy', kind: 'select', when: (c) => c.ac === 'selective',
      options: opts(['attention', 'attention core (Megatron)'], ['per_op', 'every other matmul (torchtitan)']) },
    { key: 'finetune', label: 'Fine-tuning', kind: 'select', options: opts(['full', 'full'], ['lora', 'LoRA'], ['qlora', 'QLoRA']) },
    { key: 'lora_rank', label: 'LoRA rank', kind: 'int', when: (c) => c.finetune === 'lora' || c.finetune === 'qlora' },
    { key: 'lora_targets', label: 'LoRA targets', kind: 'select', when: (c) => c.finetune === 'lora' || c.finetune === 'qlora',
      options: opts(['all', 'all linears'], ['qv', 'q and v only']) },
    { key: 'attention', label: 'Attention', kind: 'select', advanced: true, options: opts(['flash', 'flash / SDPA'], ['eager', 'eager (keeps s×s)']) },
    { key: 'loss', label: 'Loss', kind: 'select', advanced: true,
      options: opts(['standard', 'standard'], ['chunked', 'chunked / fused linear'], ['compiled', 'compiled'], ['vocab_parallel', 'split over the vocabulary'], ['loss_parallel', 'split over tensor-parallel ranks'], ['keep_fp32', 'standard, fp32 copy of the logits kept']) },
    { key: 'optimizer_impl', label: 'Optimizer implementation', kind: 'select', advanced: true, options: opts(['fused'], ['foreach'], ['for_loop', 'for loop']) },
    { key: 'norm_impl', label: 'Norm implementation', kind: 'select', advanced: true, options: opts(['eager'], ['fused']) },
    { key: 'attention_dropout', label: 'Attention dropout', kind: 'number', advanced: true },
    { key: 'hidden_dropout', label: 'Hidden dropout', kind: 'number', advanced: true },
    { key: 'compile', label: 'torch.compile', kind: BOOL, advanced: true },
    { key: 'gqa_expand_kv', label: 'Expand KV heads', kind: BOOL, advanced: true },
    { key: 'activation_offload', label: 'Offload activations', kind: BOOL, advanced: true },
    { key: 'optimizer_in_backward', label: 'Optimizer in backward', kind: BOOL, advanced: true },
    { key: 'zero_grad_set_to_none', label: 'zero_grad frees gradients', kind: BOOL, advanced: true, hint: 'PyTorch ≥ 2.0 default' },
    { key: 'fp8', label: 'FP8 linears', kind: 'select', advanced: true,
      options: opts(['none', 'none (bf16)'], ['tensorwise', 'tensor-wise (torchao)'], ['rowwise', 'row-wise (torchao)'], ['mxfp8', 'MX-FP8'], ['delayed', 'delayed scaling (Transformer Engine)']) },
    { key: 'fp8_all_gather', label: 'FP8 all-gather', kind: BOOL, advanced: true, when: (c) => c.fp8 && c.fp8 !== 'none',
      hint: 'FSDP gathers linear weights in fp8; Megatron: fp8 parameters' },
  ],
  parallelism: [
    { key: 'data_parallel_size', label: 'Data parallel', kind: 'int' },
    { key: 'tensor_parallel_size', label: 'Tensor parallel', kind: 'int', when: modelParallel },
    { key: 'pipeline_parallel_size', label: 'Pipeline parallel', kind: 'int', when: modelParallel },
    { key: 'sequence_parallel', label: 'Sequence parallel', kind: BOOL, when: isMegatron },
    { key: 'context_parallel_size', label: 'Context parallel', kind: 'int', when: modelParallel, advanced: true },
    { key: 'expert_parallel_size', label: 'Expert parallel', kind: 'int', when: (c) => c.moe && modelParallel(c) },
    { key: 'virtual_pipeline_stages', label: 'Virtual stages', kind: 'int', when: (c) => c.pp > 1 },
    { key: 'pipeline_schedule', label: 'Schedule', kind: 'select', when: (c) => c.pp > 1,
      options: opts(['1f1b', '1F1B'], ['interleaved', 'interleaved 1F1B'], ['gpipe', 'GPipe']) },
    { key: 'num_microbatches', label: 'Micro-batches per step', kind: 'int', when: (c) => c.pp > 1 },
    { key: 'first_stage_layers', label: 'First stage layers', kind: 'int', advanced: true, when: (c) => c.pp > 1, hint: 'uneven split' },
    { key: 'last_stage_layers', label: 'Last stage layers', kind: 'int', advanced: true, when: (c) => c.pp > 1, hint: 'uneven split' },
    { key: 'account_for_embedding_in_pipeline_split', label: 'Embedding counts as a layer', kind: BOOL, advanced: true, when: (c) => c.pp > 1 && c.engine === 'megatron_lm' },
    { key: 'account_for_loss_in_pipeline_split', label: 'Loss counts as a layer', kind: BOOL, advanced: true, when: (c) => c.pp > 1 && c.engine === 'megatron_lm' },
  ],
  engine: [
    { key: 'type', label: 'Engine', kind: 'select', options: ENGINE_OPTIONS, required: true },
    { key: 'framework', label: 'Training code', kind: 'select',
      options: opts(['generic', 'generic PyTorch'], ['hf_trainer', 'HF Trainer'], ['torchtitan', 'torchtitan'], ['megatron_lm', 'Megatron-LM'], ['deepspeed', 'DeepSpeed'], ['torchtune', 'torchtune'], ['litgpt', 'LitGPT']) },
    { key: 'framework_version', label: 'Framework version', kind: 'text', advanced: true, hint: 'date of the code, e.g. 2024-12-26; defaults follow it' },
    { key: 'zero_stage', label: 'ZeRO stage', kind: 'select', when: isDeepSpeed,
      options: opts([0, '0: no sharding'], [1, '1: optimizer states'], [2, '2: + gradients'], [3, '3: + parameters']) },
    { key: 'offload_optimizer', label: 'Offload optimizer', kind: 'select', when: isDeepSpeed, options: opts(['none'], ['cpu', 'CPU'], ['nvme', 'NVMe']) },
    { key: 'offload_param', label: 'Offload parameters', kind: 'select', when: (c) => isDeepSpeed(c) && c.zero === 3, options: opts(['none'], ['cpu', 'CPU'], ['nvme', 'NVMe']) },
    { key: 'overlap_comm', label: 'Overlap communication', kind: BOOL, when: isDeepSpeed },
    { key: 'sharding_strategy', label: 'Sharding strategy', kind: 'select', when: (c) => c.engine === 'fsdp',
      options: opts(['full_shard', 'full shard'], ['shard_grad_op', 'shard grads and optimizer'], ['hybrid_shard', 'hybrid shard'], ['no_shard', 'no sharding']) },
    { key: 'reshard_after_forward', label: 'Reshard after forward', kind: BOOL, when: (c) => c.engine === 'fsdp' },
    { key: 'distributed_optimizer', label: 'Distributed optimizer', kind: BOOL, when: (c) => c.engine === 'megatron_lm' },
    { key: 'gradient_as_bucket_view', label: 'Gradient as bucket view', kind: BOOL, when: (c) => c.engine === 'pytorch_ddp' },
    { key: 'bucket_cap_mb', label: 'Bucket size (MiB)', kind: 'number', advanced: true, when: (c) => c.engine === 'pytorch_ddp' },
    { key: 'reduce_bucket_size', label: 'Reduce bucket', kind: 'count', advanced: true, when: isDeepSpeed, hint: 'elements, e.g. 5e8' },
    { key: 'allgather_bucket_size', label: 'All-gather bucket', kind: 'count', advanced: true, when: isDeepSpeed, hint: 'elements' },
    { key: 'stage3_max_live_parameters', label: 'Max live parameters', kind: 'count', advanced: true, when: (c) => isDeepSpeed(c) && c.zero === 3 },
    { key: 'stage3_prefetch_bucket_size', label: 'Prefetch bucket', kind: 'count', advanced: true, when: (c) => isDeepSpeed(c) && c.zero === 3 },
  ],
  hardware: [
    { key: 'num_gpus', label: 'GPUs in the job', kind: 'int' },
    { key: 'gpus_per_node', label: 'GPUs per node', kind: 'int' },
    { key: 'gpu_memory_gb', label: 'Memory per GPU', kind: 'memory', when: (c) => !c.gpu, hint: 'e.g. 80GB, 80GiB, 81559MiB' },
    { key: 'host_memory_per_node_gb', label: 'Host memory per node', kind: 'memory', hint: 'e.g. 1TB; checked under offload' },
    { key: 'safety_margin', label: 'Safety margin', kind: 'number', hint: 'share of the card kept free for "fits", e.g. 0.1' },
    { key: 'cuda_context_gb', label: 'CUDA context', kind: 'memory', advanced: true, hint: 'beyond the allocator, e.g. 500MiB' },
  ],
};

/** A readable name for a config path such as "parallelism.tensor_parallel_size". */
export function fieldLabel(path) {
  if (!path) return 'Config';
  const [section, key] = String(path).split('.');
  if (section === 'model' && key === 'preset') return 'Model preset';
  if (section === 'hardware' && key === 'gpu') return 'GPU';
  const f = (Object.hasOwn(FIELDS, section) ? FIELDS[section] : []).find((x) => x.key === key);
  const sec = section ? section[0].toUpperCase() + section.slice(1) : '';
  if (!key && SECTIONS.includes(section)) return sec;
  if (f) return `${sec} › ${f.label}`;
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
    engine: pick('engine', 'type') || 'pytorch_ddp',
    zero: num(pick('engine', 'zero_stage'), 0),
    pp: num(pick('parallelism', 'pipeline_parallel_size'), 1),
    tp: num(pick('parallelism', 'tensor_parallel_size'), 1),
    moe: num(pick('model', 'num_experts') ?? pick('model', 'num_local_experts'), 0) > 0,
    optimizer: pick('training', 'optimizer'),
    finetune: pick('training', 'finetune'),
    ac: acName(pick('training', 'activation_checkpointing')),
    fp8: pick('training', 'fp8'),
    gpu: typeof pick('hardware', 'gpu') === 'string' ? config?.hardware?.gpu || '' : '',
  };
}

/** Fields of a section shown for this context. */
export function visibleFields(section, ctx) {
  return (Object.hasOwn(FIELDS, section) ? FIELDS[section] : []).filter((f) => !f.when || f.when(ctx));
}

/**
 * Other spellings the core reads for a model key (core/hf_config.c), weakest
 * first; the key itself wins. A form edit removes them so the edit wins.
 */
export const HF_ALIASES = {
  num_layers: ['n_layer', 'num_hidden_layers'],
  hidden_size: ['n_embd'],
  num_attention_heads: ['n_head'],
  intermediate_size: ['n_inner'],
  max_position_embeddings: ['n_positions'],
  num_experts: ['num_local_experts', 'n_routed_experts'],
  num_shared_experts: ['n_shared_experts'],
  first_dense_layers: ['first_k_dense_replace'],
};

/** The value of a model field as the core reads it: the key, else its strongest spelling present. */
export function modelValue(model, key) {
  if (!model) return undefined;
  if (Object.hasOwn(model, key)) return model[key];
  const aliases = (Object.hasOwn(HF_ALIASES, key) && HF_ALIASES[key]) || [];
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
  return !!obj && typeof obj === 'object' && !isFullConfig(obj) &&
    ('model_type' in obj || 'num_hidden_layers' in obj || 'n_layer' in obj || 'hidden_size' in obj || 'n_embd' in obj);
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

/** The default config, adjusted to the presets that exist. */
export function defaultConfig(presets) {
  const c = structuredClone(DEFAULT_CONFIG);
  const models = presets?.models || {};
  if (!models[c.model.preset]) {
    const first = Object.keys(models)[0];
    c.model = first ? { preset: first } : { num_parameters: '7B' };
  }
  const gpus = presets?.gpus || [];
  if (!gpus.some((g) => g.id === c.hardware.gpu)) {
    if (gpus[0]) c.hardware.gpu = gpus[0].id;
    else delete c.hardware.gpu;
  }
  return c;
}

/**
 * Two names the same as the core compares them (gm_name_equal in
 * core/config_value.c): case, spaces, '-' and '_' ignored.
 */
export function sameName(a, b) {
  const norm = (x) => String(x).replace(/[ _-]+/g, '').replace(/[A-Z]+/g, (c) => c.toLowerCase());
  return norm(a) === norm(b);
}

/** The GPU preset a name stands for, as the core finds it: by id, display name or alias. */
export function findGpu(presets, name) {
  if (typeof name !== 'string' || !name) return null;
  return (presets?.gpus || []).find((g) => [g.id, g.display_name, ...(g.aliases || [])].some((n) => n && sameName(n, name))) || null;
}
