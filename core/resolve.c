/* resolve.c - resolution: engine and framework defaults, and the checks that need them. */
#include "internal.h"
#include "schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A default that depends on other fields or on the framework (its schema row
 * states the rule); constant defaults are the rows' own (gm_schema_defaults). */
#define DEF(x, v)                                                                                  \
  do {                                                                                             \
    if (sizeof(x) <= sizeof(int) ? (int)(x) == GM_AUTO : (int64_t)(x) == GM_AUTO)                  \
      (x) = (v);                                                                                   \
  } while (0)

gm_schedule gm_schedule_run(const gm_parallel *p) {
  if ((int)p->schedule == GM_AUTO)
    return p->vpp > 1 ? GM_SCHED_INTERLEAVED : GM_SCHED_1F1B;
  return p->schedule == GM_SCHED_INTERLEAVED && p->vpp == 1 ? GM_SCHED_1F1B : p->schedule;
}

/* Published dense sizes (GPT-3 paper table 2.1, Llama): parameters -> width, heads. */
static const struct {
  double params;
  int hidden, heads;
} size_table[] = {
    {125e6, 768, 12},  {350e6, 1024, 16},  {760e6, 1536, 16},   {1.3e9, 2048, 16},
    {2.7e9, 2560, 20}, {6.7e9, 4096, 32},  {13e9, 5120, 40},    {30e9, 6656, 52},
    {65e9, 8192, 64},  {175e9, 12288, 96}, {405e9, 16384, 128}, {1e12, 25600, 160},
};

/* The bounds of docs/config.md on model.num_layers and the MLP widths,
 * enforced on derived values as on given ones. */
#define MAX_LAYERS 100000
#define MAX_WIDTH 100000000

/* Only num_parameters known: a Llama-style model of that size. */
static int estimate_architecture(gm_model *m, gm_result *r, gm_error *err) {
  double P = (double)m->declared_parameters, best = 1e300;
  size_t i, n = sizeof size_table / sizeof size_table[0];
  int h = 4096, a = 32;
  double L;
  if (m->hidden_size == GM_AUTO) {
    /* The nearest size by ratio, max(P / size, size / P): the order of
     * |log(P / size)| without the logarithm (libm's log, 0.3 KB gzipped in the
     * WebAssembly module, was its only use). */
    for (i = 0; i < n; i++) {
      double ratio = P / size_table[i].params, d = ratio < 1 ? 1 / ratio : ratio;
      if (d < best) {
        best = d;
        h = size_table[i].hidden;
        a = size_table[i].heads;
      }
    }
    m->hidden_size = h;
    if (m->num_attention_heads == GM_AUTO)
      m->num_attention_heads = a;
  }
  if (m->num_layers == GM_AUTO) {
    /* 12h^2 per layer (4h^2 attention + 8h^2 MLP), embeddings and head aside. */
    h = m->hidden_size;
    L = (P - 2.0 * (double)m->vocab_size * h) / (12.0 * (double)h * h);
    if (L > MAX_LAYERS + 0.5)
      return gm_error_set(err, "model.num_parameters",
                          "at hidden size %d the estimate needs %.3g layers, more than %d; give a "
                          "larger hidden_size or the architecture",
                          h, L, MAX_LAYERS);
    m->num_layers = L < 1 ? 1 : (int)lround(L);
  }
  m->estimated = 1;
  gm_warn(r, "model",
          "only num_parameters was given: the architecture is estimated as a Llama-style model "
          "(%d layers, hidden %d, %d heads); give the architecture or a Hugging Face config.json "
          "for exact figures",
          m->num_layers, m->hidden_size,
          m->num_attention_heads == GM_AUTO ? h / 128 : m->num_attention_heads);
  return GM_OK;
}

/* An estimate from fewer parameters than this describes no language model (the
 * tiniest test models have about 10^5): it is a size typed without its unit. */
#define MIN_MODEL_PARAMETERS 100000

static int resolve_model(gm_model *m, gm_result *r, gm_error *err, const gm_defaults *d) {
  int estimated = 0, vocab_given = m->vocab_size != GM_AUTO;
  if (d)
    gm_defaults_apply(d, m);
  else
    gm_schema_defaults(GM_SEC_MODEL, m);
  if (m->num_layers == GM_AUTO || m->hidden_size == GM_AUTO) {
    if (m->declared_parameters <= 0)
      return gm_error_set(err, m->num_layers == GM_AUTO ? "model.num_layers" : "model.hidden_size",
                          "is required (or give model.num_parameters for an estimate)");
    if (m->declared_parameters < MIN_MODEL_PARAMETERS)
      return gm_error_set(
          err, "model.num_parameters",
          "%lld parameters is smaller than any language model; a bare number counts "
          "parameters, so write \"70B\" for 70 billion",
          (long long)m->declared_parameters);
    if (estimate_architecture(m, r, err) != GM_OK)
      return GM_EINVAL;
    estimated = 1;
  }
  if (m->num_attention_heads == GM_AUTO)
    m->num_attention_heads = m->hidden_size % 128 == 0  ? m->hidden_size / 128
                             : m->hidden_size % 64 == 0 ? m->hidden_size / 64
                                                        : 1;
  DEF(m->num_key_value_heads, m->num_attention_heads);
  if (m->num_key_value_heads <= 0 || m->num_attention_heads % m->num_key_value_heads != 0)
    return gm_error_set(err, "model.num_key_value_heads",
                        "must divide num_attention_heads (%d); got %d", m->num_attention_heads,
                        m->num_key_value_heads);
  if (m->head_dim == GM_AUTO) {
    if (m->hidden_size % m->num_attention_heads != 0)
      return gm_error_set(err, "model.num_attention_heads",
                          "must divide hidden_size (%d) unless head_dim is given; got %d",
                          m->hidden_size, m->num_attention_heads);
    m->head_dim = m->hidden_size / m->num_attention_heads;
  }
  if (m->intermediate_size == GM_AUTO) {
    /* Llama's rule: 2/3 of 4h, rounded up to a multiple of 256; GPT: 4h. */
    int64_t f = 8 * (int64_t)m->hidden_size / 3;
    m->intermediate_size =
        m->mlp == GM_MLP_GATED ? (f + 255) / 256 * 256 : 4 * (int64_t)m->hidden_size;
  }
  if (!vocab_given && !estimated)
    gm_warn(r, "model.vocab_size", "not given; assumed %lld", (long long)m->vocab_size);
  DEF(m->max_position_embeddings, m->max_seq_len > 0 ? m->max_seq_len : 2048);
  DEF(m->attn_out_bias, m->qkv_bias);
  DEF(m->experts_per_token, m->num_experts > 0 ? 2 : 0);
  DEF(m->moe_intermediate_size, m->num_experts > 0 ? m->intermediate_size : 0);
  DEF(m->shared_expert_intermediate_size,
      m->moe_intermediate_size * (int64_t)m->num_shared_experts);
  if (m->shared_expert_intermediate_size > MAX_WIDTH)
    return gm_error_set(
        err, "model.num_shared_experts",
        "%d shared experts of width %lld make a shared MLP of width %lld, more than %d",
        m->num_shared_experts, (long long)m->moe_intermediate_size,
        (long long)m->shared_expert_intermediate_size, MAX_WIDTH);
  DEF(m->num_labels, 0);
  if (m->kv_lora_rank > 0) {
    DEF(m->qk_rope_head_dim, 64);
    DEF(m->qk_nope_head_dim, 128);
    DEF(m->v_head_dim, m->qk_nope_head_dim);
    /* Scores and Q/K use the query-key head size. */
    m->head_dim = m->qk_nope_head_dim + m->qk_rope_head_dim;
  } else {
    DEF(m->qk_rope_head_dim, 0);
    DEF(m->qk_nope_head_dim, 0);
    DEF(m->v_head_dim, 0);
  }
  if (m->num_experts > 0 && m->experts_per_token > m->num_experts)
    return gm_error_set(err, "model.num_experts_per_tok",
                        "must not exceed num_experts (%d); got %d", m->num_experts,
                        m->experts_per_token);
  if (m->first_dense_layers > m->num_layers)
    m->first_dense_layers = m->num_layers; /* as the modeling code: every layer is dense */
  return GM_OK;
}

static gm_loss default_loss(gm_framework fw, int tp) {
  switch (fw) {
  case GM_FW_TORCHTITAN:
    return tp > 1 ? GM_LOSS_TP_PARALLEL : GM_LOSS_EAGER;
  case GM_FW_MEGATRON:
    return GM_LOSS_VOCAB_PARALLEL;
  case GM_FW_TORCHTUNE:
  case GM_FW_LITGPT:
    return GM_LOSS_CHUNKED;
  default:
    return GM_LOSS_KEEP_FP32; /* Hugging Face model code */
  }
}

/* The checks of the accumulation steps, the only reading of them in the
 * resolution of the engine and training sections. */
static int steps_positive(const gm_training *t, gm_error *err) {
  if (t->gradient_accumulation_steps <= 0)
    return gm_error_set(err, "training.gradient_accumulation_steps", "must be positive; got %lld",
                        (long long)t->gradient_accumulation_steps);
  return GM_OK;
}

static int steps_allowed(const gm_training *t, gm_error *err) {
  if (t->optimizer_in_backward && t->gradient_accumulation_steps > 1)
    return gm_error_set(err, "training.optimizer_in_backward",
                        "cannot be combined with gradient accumulation (%lld steps)",
                        (long long)t->gradient_accumulation_steps);
  return GM_OK;
}

/* The section's constant defaults: from the lists a search made once
 * (gm_defaults_of), or from the schema's rows. */
static void section_defaults(gm_section sec, void *section, const gm_defaults *d) {
  if (d)
    gm_defaults_apply(d, section);
  else
    gm_schema_defaults(sec, section);
}

static int resolve_training(gm_config *c, gm_result *r, gm_error *err, const gm_defaults *d) {
  gm_training *t = &c->training;
  gm_framework fw = c->engine.framework;
  int megatron =
      c->engine.kind == GM_ENGINE_MEGATRON || c->engine.kind == GM_ENGINE_MEGATRON_DEEPSPEED;
  section_defaults(GM_SEC_TRAINING, t, d);
  if (t->seq_len == GM_AUTO) {
    if (c->model.max_seq_len > 0) {
      t->seq_len = c->model.max_seq_len;
    } else {
      t->seq_len = 2048;
      if (c->model.position == GM_POS_LEARNED && c->model.max_position_embeddings < 2048)
        t->seq_len = c->model.max_position_embeddings;
      gm_warn(r, "training.seq_len", "not given; assumed %lld tokens", (long long)t->seq_len);
    }
  }
  gm_version_defaults(c); /* before the defaults that do not depend on the release */
  if (t->precision == (gm_precision)GM_AUTO) {
    if (t->dtype == GM_DTYPE_FP32)
      t->precision = GM_PRECISION_FP32;
    else if (fw == GM_FW_TORCHTUNE || fw == GM_FW_LITGPT)
      t->precision = GM_PRECISION_PURE_HALF;
    else if (megatron)
      t->precision = t->dtype == GM_DTYPE_BF16 ? GM_PRECISION_MIXED_FP32_GRADS : GM_PRECISION_MIXED;
    else if (c->engine.kind == GM_ENGINE_DEEPSPEED)
      t->precision = GM_PRECISION_MIXED;
    else
      t->precision = GM_PRECISION_AMP;
  }
  if (t->dtype == GM_DTYPE_FP32 && t->precision != GM_PRECISION_FP32)
    return gm_error_set(err, "training.precision", "dtype fp32 needs precision fp32; got %s",
                        gm_precision_name(t->precision));
  if (t->optimizer_impl == (gm_optimizer_impl)GM_AUTO) {
    /* torch.optim picks foreach on CUDA unless told otherwise; the big
     * frameworks ask for fused (or apex / DeepSpeed FusedAdam). */
    int own_optimizer = megatron || c->engine.kind == GM_ENGINE_DEEPSPEED;
    t->optimizer_impl =
        !own_optimizer && (fw == GM_FW_GENERIC || fw == GM_FW_HF_TRAINER || fw == GM_FW_LITGPT)
            ? GM_OPTIMPL_FOREACH
            : GM_OPTIMPL_FUSED;
  }
  DEF(t->selective_policy, fw == GM_FW_TORCHTITAN ? GM_SEL_PER_OP : GM_SEL_ATTENTION);
  DEF(t->loss, default_loss(fw, c->parallel.tp));
  if (t->norm_impl == (gm_norm_impl)GM_AUTO)
    t->norm_impl = (megatron || c->model.norm == GM_NORM_LAYER || t->compile) ? GM_NORMIMPL_FUSED
                                                                              : GM_NORMIMPL_EAGER;
  DEF(t->gqa_expand_kv, megatron ? 0 : 1);
  if (t->attention_dropout < 0)
    t->attention_dropout = megatron ? 0.1 : 0.0;
  if (t->hidden_dropout < 0)
    t->hidden_dropout = megatron ? 0.1 : 0.0;
  DEF(t->grads_set_to_none, 1);
  DEF(t->lora_rank, t->finetune == GM_FT_FULL ? 0 : 16);
  if (t->finetune != GM_FT_FULL && t->lora_rank <= 0)
    return gm_error_set(err, "training.lora_rank", "must be positive with LoRA; got %d",
                        t->lora_rank);
  if (t->fp8 == GM_FP8_DEFAULT) /* Megatron-LM's --fp8-recipe delayed; torchao's tensorwise */
    t->fp8 = megatron ? GM_FP8_DELAYED : GM_FP8_TENSORWISE;
  if (t->fp8_all_gather && t->fp8 == GM_FP8_NONE)
    return gm_error_set(err, "training.fp8_all_gather", "needs an fp8 recipe in training.fp8");
  if (t->fp8_all_gather && c->engine.kind == GM_ENGINE_FSDP && t->fp8 != GM_FP8_TENSORWISE &&
      t->fp8 != GM_FP8_DELAYED) {
    gm_warn(r, "training.fp8_all_gather",
            "ignored: torchao all-gathers float8 weights only with tensor-wise scaling; %s "
            "gathers bf16 weights",
            t->fp8 == GM_FP8_ROWWISE ? "rowwise" : "mxfp8");
    t->fp8_all_gather = 0;
  }
  if (t->fp8_all_gather && c->engine.kind != GM_ENGINE_FSDP && !megatron) {
    gm_warn(r, "training.fp8_all_gather",
            "ignored: %s gathers no weights (fp8 all-gather needs FSDP, or Megatron-LM's fp8 "
            "parameters)",
            gm_engine_name(c->engine.kind));
    t->fp8_all_gather = 0;
  }
  if (t->fp8 != GM_FP8_DELAYED && t->fp8_amax_history != GM_AUTO) {
    gm_warn(r, "training.fp8_amax_history_len",
            "ignored: only delayed scaling keeps an amax history");
    t->fp8_amax_history = GM_AUTO;
  }
  /* Megatron-LM's --fp8-amax-history-len defaults to 1; torchao's delayed scaling keeps 16. */
  DEF(t->fp8_amax_history, t->fp8 != GM_FP8_DELAYED ? 0 : megatron ? 1 : 16);
  if (t->micro_batch_size <= 0)
    return gm_error_set(err, "training.batch_size", "must be positive; got %lld",
                        (long long)t->micro_batch_size);
  if (steps_positive(t, err) != GM_OK)
    return GM_EINVAL;
  if (t->seq_len <= 0)
    return gm_error_set(err, "training.seq_len", "must be positive; got %lld",
                        (long long)t->seq_len);
  return steps_allowed(t, err);
}

/* Whether the engine shards model states over the data-parallel group. */
static int shards_states(const gm_engine *e) {
  switch (e->kind) {
  case GM_ENGINE_FSDP:
    return 1;
  case GM_ENGINE_DEEPSPEED:
  case GM_ENGINE_MEGATRON_DEEPSPEED:
    return e->zero_stage >= 1;
  case GM_ENGINE_MEGATRON:
    return e->distributed_optimizer == 1;
  default:
    return 0;
  }
}

static int resolve_parallel(gm_config *c, gm_result *r, gm_error *err) {
  gm_parallel *p = &c->parallel;
  gm_hardware *hw = &c->hardware;
  const gm_model *m = &c->model;
  int64_t layout_gpus;
  if (p->tp < 1 || p->pp < 1 || p->cp < 1 || p->ep < 1 || p->vpp < 1 ||
      (p->dp != GM_AUTO && p->dp < 1))
    return gm_error_set(err, "parallelism", "every parallel size must be at least 1");
  if (p->dp == GM_AUTO) {
    int64_t mp = (int64_t)p->tp * p->pp * p->cp;
    if (hw->num_gpus != GM_AUTO && hw->num_gpus % mp != 0)
      return gm_error_set(
          err, "hardware.num_gpus",
          "must be a multiple of tensor x pipeline x context parallel (%lld); got %d",
          (long long)mp, hw->num_gpus);
    p->dp = hw->num_gpus == GM_AUTO ? 1 : (int)(hw->num_gpus / mp);
    /* Launcher files leave the GPU count to the launch (torchtitan's
     * data_parallel_shard_degree = -1); with no count the states are not sharded. */
    if (hw->num_gpus == GM_AUTO && shards_states(&c->engine))
      gm_warn(r, "hardware.num_gpus",
              "not given; assumed tensor x pipeline x context parallel = %lld GPUs, so data "
              "parallel 1 and no sharding of the model states; give hardware.num_gpus or "
              "parallelism.data_parallel_size",
              (long long)mp);
  }
  layout_gpus = (int64_t)p->tp * p->pp * p->dp * p->cp;
  if (layout_gpus > 100000000)
    return gm_error_set(err, "parallelism",
                        "tensor x pipeline x data x context = %lld GPUs is absurd",
                        (long long)layout_gpus);
  if (hw->num_gpus == GM_AUTO)
    hw->num_gpus = (int)layout_gpus;
  else if (hw->num_gpus != layout_gpus)
    gm_warn(r, "hardware.num_gpus",
            "tensor x pipeline x data x context parallel = %d x %d x %d x %d = %lld GPUs, but "
            "num_gpus is %d; per-GPU figures use the parallel sizes as given (data parallel %d), "
            "totals count %lld GPUs",
            p->tp, p->pp, p->dp, p->cp, (long long)layout_gpus, hw->num_gpus, p->dp,
            (long long)layout_gpus);
  hw->num_gpus = (int)layout_gpus;
  DEF(hw->gpus_per_node, hw->num_gpus < 8 ? hw->num_gpus : 8);
  if (hw->gpus_per_node < 1)
    return gm_error_set(err, "hardware.gpus_per_node", "must be at least 1; got %d",
                        hw->gpus_per_node);
  /* The launchers start one process per GPU the run uses (torchrun's
   * --nproc-per-node, DeepSpeed's --num_gpus): a run on fewer GPUs than a
   * node has holds only its own on that node, and only their host memory. */
  if (hw->gpus_per_node > hw->num_gpus) {
    gm_warn(r, "hardware.gpus_per_node",
            "%d per node, but the run uses %d GPU%s: host memory per node counts its %d "
            "process%s there, not %d",
            hw->gpus_per_node, hw->num_gpus, hw->num_gpus == 1 ? "" : "s", hw->num_gpus,
            hw->num_gpus == 1 ? "" : "es", hw->gpus_per_node);
    hw->gpus_per_node = hw->num_gpus;
  }
  if (m->num_attention_heads % p->tp != 0)
    return gm_error_set(err, "parallelism.tensor_parallel_size",
                        "must divide num_attention_heads (%d); got %d", m->num_attention_heads,
                        p->tp);
  if (m->num_key_value_heads % p->tp != 0 && p->tp % m->num_key_value_heads != 0)
    return gm_error_set(err, "parallelism.tensor_parallel_size",
                        "must divide num_key_value_heads (%d) or be a multiple of it; got %d",
                        m->num_key_value_heads, p->tp);
  if (p->pp > m->num_layers)
    return gm_error_set(err, "parallelism.pipeline_parallel_size",
                        "must not exceed num_layers (%d); got %d", m->num_layers, p->pp);
  if (p->pp > GM_MAX_STAGES)
    return gm_error_set(err, "parallelism.pipeline_parallel_size", "at most %d stages; got %d",
                        GM_MAX_STAGES, p->pp);
  if (p->schedule == GM_SCHED_INTERLEAVED && p->vpp == 1 && p->pp > 1)
    gm_warn(r, "parallelism.pipeline_schedule",
            "interleaved needs virtual_pipeline_stages above 1; computed as plain 1F1B");
  p->schedule = gm_schedule_run(p);
  /* megatron/core/model_parallel_config.py refuses the deferral without a pipeline. */
  if (p->defer_embedding_wgrad == 1 && (c->engine.kind != GM_ENGINE_MEGATRON || p->pp < 2))
    return gm_error_set(err, "parallelism.defer_embedding_wgrad",
                        "is a Megatron-LM option that needs pipeline parallelism (engine.type "
                        "megatron_lm, pipeline_parallel_size >= 2)");
  if (gm_check_split(c, err) != GM_OK)
    return GM_EINVAL;
  if (m->position == GM_POS_LEARNED && c->training.seq_len > m->max_position_embeddings)
    return gm_error_set(err, "training.seq_len",
                        "must not exceed the %lld learned positions of the model; got %lld",
                        (long long)m->max_position_embeddings, (long long)c->training.seq_len);
  if (c->training.seq_len % p->cp != 0)
    return gm_error_set(err, "parallelism.context_parallel_size",
                        "must divide seq_len (%lld); got %d", (long long)c->training.seq_len,
                        p->cp);
  if (p->ep > 1 && (m->num_experts <= 0 || m->num_experts % p->ep != 0))
    return gm_error_set(err, "parallelism.expert_parallel_size",
                        "must divide num_experts (%d); got %d", m->num_experts, p->ep);
  if (p->ep > p->dp * p->cp)
    return gm_error_set(err, "parallelism.expert_parallel_size",
                        "must not exceed data x context parallel (%d); got %d", p->dp * p->cp,
                        p->ep);
  if (c->training.fp8_all_gather && c->engine.framework == GM_FW_TORCHTITAN && p->dp == 1) {
    /* torchtitan's float8 converter: enable_fsdp_float8_all_gather = dp_shard_enabled and the
     * option; with context parallelism alone the weights are gathered in bf16. */
    gm_warn(r, "training.fp8_all_gather",
            "ignored: torchtitan gathers float8 weights only when data parallelism shards them");
    c->training.fp8_all_gather = 0;
  }
  /* torchtitan's tensor-parallel plan (apply_tp in models/llama3/infra/parallelize.py,
   * parallelisms/parallelize_llama.py before 2025) and torchtune's training plan
   * (models/llama3/_parallelism.py) put SequenceParallel on every norm and shard the block
   * inputs along the sequence, with no option to turn it off. */
  DEF(p->sequence_parallel,
      (c->engine.framework == GM_FW_TORCHTITAN || c->engine.framework == GM_FW_TORCHTUNE) &&
          p->tp > 1);
  if (p->sequence_parallel && p->tp == 1) {
    p->sequence_parallel = 0;
    gm_warn(r, "parallelism.sequence_parallel", "needs tensor parallelism; ignored with TP = 1");
  }
  DEF(p->num_microbatches, c->training.gradient_accumulation_steps);
  if (p->num_microbatches < 1)
    return gm_error_set(err, "parallelism.num_microbatches", "must be positive; got %lld",
                        (long long)p->num_microbatches);
  DEF(p->microbatch_group, p->pp);
  /* Megatron-LM's interleaved schedule (schedules.py,
   * forward_backward_pipelining_with_interleaving) runs micro-batches in groups
   * of g (the pipeline size unless told), refuses g outside [pipeline size,
   * micro-batches] and a last group smaller than the pipeline size. */
  if (p->schedule == GM_SCHED_INTERLEAVED && p->pp > 1) {
    int64_t g = p->microbatch_group, mb = p->num_microbatches;
    if (g == p->pp && mb % g != 0)
      gm_warn(r, "parallelism.num_microbatches",
              "the interleaved schedule needs a multiple of the pipeline size (%d) "
              "micro-batches; got %lld, which Megatron-LM refuses",
              p->pp, (long long)mb);
    else if (g != p->pp && (g < p->pp || g > mb))
      gm_warn(r, "parallelism.microbatch_group_size",
              "the interleaved schedule needs a group of %d to %lld micro-batches (pipeline "
              "size to micro-batches); got %lld, which Megatron-LM refuses",
              p->pp, (long long)mb, (long long)g);
    else if (mb % g != 0 && mb % g < p->pp)
      gm_warn(r, "parallelism.num_microbatches",
              "the interleaved schedule needs a multiple of the group of %lld micro-batches, or "
              "a remainder of at least the pipeline size (%d); got %lld, which Megatron-LM "
              "refuses",
              (long long)g, p->pp, (long long)mb);
  }
  if (p->pp > 1 && p->num_microbatches < p->pp)
    gm_warn(r, "parallelism.num_microbatches",
            "%lld micro-batch%s for %d pipeline stages leaves the pipeline mostly idle",
            (long long)p->num_microbatches, p->num_microbatches == 1 ? "" : "es", p->pp);
  if (c->training.attention == GM_ATTN_EAGER && p->cp > 1)
    gm_warn(r, "training.attention",
            "context parallelism runs ring flash attention; eager attention is modelled per "
            "local chunk");
  return GM_OK;
}

int gm_check_offload(const gm_engine *e, gm_error *err) {
  if ((e->offload_optimizer != GM_OFFLOAD_NONE || e->offload_param != GM_OFFLOAD_NONE) &&
      e->kind == GM_ENGINE_DDP)
    return gm_error_set(
        err, "engine.offload_optimizer",
        "offloading needs deepspeed, fsdp or megatron; pytorch_ddp keeps everything on "
        "the GPU");
  if (e->offload_param != GM_OFFLOAD_NONE && e->kind != GM_ENGINE_FSDP && e->zero_stage != 3)
    return gm_error_set(err, "engine.offload_param",
                        "parameter offload needs ZeRO-3 (or FSDP); got stage %d", e->zero_stage);
  if (e->kind == GM_ENGINE_FSDP && e->offload_optimizer == GM_OFFLOAD_NVME)
    return gm_error_set(err, "engine.offload_optimizer", "FSDP offloads to cpu only; got nvme");
  return GM_OK;
}

static int resolve_engine(gm_config *c, gm_result *r, gm_error *err, const gm_defaults *d) {
  gm_engine *e = &c->engine;
  int zero_given = e->zero_stage != GM_AUTO;
  section_defaults(GM_SEC_ENGINE, e, d);
  if (e->framework == (gm_framework)GM_AUTO) {
    switch (e->kind) {
    case GM_ENGINE_MEGATRON:
    case GM_ENGINE_MEGATRON_DEEPSPEED:
      e->framework = GM_FW_MEGATRON;
      break;
    case GM_ENGINE_DEEPSPEED:
      e->framework = GM_FW_DEEPSPEED;
      break;
    default:
      e->framework = GM_FW_GENERIC;
    }
  }
  if (!zero_given && e->kind == GM_ENGINE_DEEPSPEED)
    gm_warn(r, "engine.zero_stage",
            "not given: DeepSpeed's default is stage 0, which shards nothing; set 1, 2 or 3");
  if (e->zero_stage < 0 || e->zero_stage > 3)
    return gm_error_set(err, "engine.zero_stage", "must be 0, 1, 2 or 3; got %d", e->zero_stage);
  if (e->zero_stage > 0 && e->kind != GM_ENGINE_DEEPSPEED &&
      e->kind != GM_ENGINE_MEGATRON_DEEPSPEED) {
    gm_warn(r, "engine.zero_stage", "ZeRO stages apply to DeepSpeed engines; ignored for %s",
            gm_engine_name(e->kind));
    e->zero_stage = 0;
  }
  if (gm_check_offload(e, err) != GM_OK)
    return GM_EINVAL;
  DEF(e->reshard_after_forward, (e->framework == GM_FW_TORCHTITAN && c->parallel.pp > 1) ? 0 : 1);
  if (e->framework == GM_FW_HF_TRAINER && e->kind == GM_ENGINE_DEEPSPEED) {
    /* The Trainer's DeepSpeed templates: "auto" buckets sized by the hidden size,
     * all-gather 2e8, overlap_comm on. */
    int64_t h2 = (int64_t)c->model.hidden_size * c->model.hidden_size;
    DEF(e->reduce_bucket_elems, h2);
    DEF(e->stage3_prefetch_bucket_elems, h2 * 9 / 10);
    DEF(e->allgather_bucket_elems, 200000000);
    DEF(e->overlap_comm, 1);
  }
  DEF(e->reduce_bucket_elems, 500000000);
  DEF(e->allgather_bucket_elems, 500000000);
  DEF(e->stage3_prefetch_bucket_elems, 500000000);
  DEF(e->overlap_comm, e->zero_stage == 3 ? 1 : 0);
  return GM_OK;
}

/* The parallel layout and the hardware, after the engine and training
 * sections; positions_given: whether the config stated the model's position count. */
static int resolve_layout_rest(gm_config *c, gm_result *r, gm_error *err, int positions_given,
                               const gm_defaults *hw_defaults) {
  gm_hardware *hw = &c->hardware;
  int rc;
  if ((rc = resolve_parallel(c, r, err)) != GM_OK)
    return rc;
  /* Learned positions are an error above (no table rows); RoPE runs but the
   * model was not trained there: the memory holds, the quality does not. */
  if (positions_given && c->model.position != GM_POS_LEARNED &&
      c->training.seq_len > c->model.max_position_embeddings)
    gm_warn(r, "training.seq_len",
            "%lld tokens exceed the model's %lld positions (max_position_embeddings); it needs "
            "RoPE scaling or a longer-context model",
            (long long)c->training.seq_len, (long long)c->model.max_position_embeddings);
  /* Capacity, CUDA context and safety margin; a NaN margin (from a caller
   * that skipped the parser) counts as unset. */
  section_defaults(GM_SEC_HARDWARE, hw, hw_defaults);
  if (hw->cuda_context_bytes >= hw->gpu_capacity_bytes)
    return gm_error_set(err, "hardware.cuda_context_gb", "must be smaller than the GPU's memory");
  if (hw->safety_margin >= 1)
    return gm_error_set(err, "hardware.safety_margin",
                        "must be a share of the card in [0, 1); got %g", hw->safety_margin);
  return GM_OK;
}

/* The constant defaults of section s: d's when given, else none (the schema's rows). */
static const gm_defaults *defaults_at(const gm_defaults *d, gm_section s) {
  return d ? &d[s] : NULL;
}

/* Everything after the model, which is resolved; d: as gm_resolve_defaults. */
static int resolve_rest(gm_config *c, gm_result *r, gm_error *err, int positions_given,
                        const gm_defaults *d) {
  int rc;
  /* The engine first: training defaults depend on it. */
  section_defaults(GM_SEC_PARALLEL, &c->parallel, defaults_at(d, GM_SEC_PARALLEL));
  if ((rc = resolve_engine(c, r, err, defaults_at(d, GM_SEC_ENGINE))) != GM_OK)
    return rc;
  if ((rc = resolve_training(c, r, err, defaults_at(d, GM_SEC_TRAINING))) != GM_OK)
    return rc;
  return resolve_layout_rest(c, r, err, positions_given, defaults_at(d, GM_SEC_HARDWARE));
}

/* Whether c gives resolve_engine and resolve_training what m's entry was made
 * from. They read the model, the engine and training sections, and of the
 * parallel sizes (their constant defaults applied) whether tensor parallelism
 * is on (the loss) and whether there is a pipeline (resharding); of the
 * accumulation steps only their checks (steps_positive, steps_allowed). */
static int same_sections(const gm_sections_memo *m, const gm_config *c) {
  gm_training t = c->training;
  if (!m->have)
    return 0;
  /* Steps given in both (an unset count takes its default in resolve_training). */
  if (t.gradient_accumulation_steps > 0 && m->training_in.gradient_accumulation_steps > 0)
    t.gradient_accumulation_steps = m->training_in.gradient_accumulation_steps;
  return (c->parallel.tp > 1) == m->tp_on && (c->parallel.pp > 1) == m->pp_on &&
         memcmp(&t, &m->training_in, sizeof t) == 0 &&
         memcmp(&c->engine, &m->engine_in, sizeof c->engine) == 0 &&
         memcmp(&c->model, &m->model, sizeof c->model) == 0;
}

int gm_resolve_layout_memo(gm_config *c, const gm_model *resolved_model, gm_sections_memo *m,
                           gm_error *err) {
  int rc;
  c->model = *resolved_model;
  if (!m->defaults_made) {
    int s;
    for (s = 0; s < GM_SEC_COUNT; s++)
      gm_defaults_of((gm_section)s, &m->defaults[s]);
    m->defaults_made = 1;
  }
  gm_defaults_apply(&m->defaults[GM_SEC_PARALLEL], &c->parallel);
  if (same_sections(m, c)) {
    int64_t steps = c->training.gradient_accumulation_steps;
    c->engine = m->engine, c->training = m->training;
    if (steps > 0)
      c->training.gradient_accumulation_steps = steps;
    /* The entry resolved: of its checks only those of the steps may differ. */
    if ((rc = steps_positive(&c->training, err)) != GM_OK ||
        (rc = steps_allowed(&c->training, err)) != GM_OK)
      return rc;
  } else {
    m->have = 0;
    m->model = c->model, m->engine_in = c->engine, m->training_in = c->training;
    m->tp_on = c->parallel.tp > 1, m->pp_on = c->parallel.pp > 1;
    if ((rc = resolve_engine(c, NULL, err, &m->defaults[GM_SEC_ENGINE])) != GM_OK)
      return rc;
    if ((rc = resolve_training(c, NULL, err, &m->defaults[GM_SEC_TRAINING])) != GM_OK)
      return rc;
    m->engine = c->engine, m->training = c->training;
    m->have = 1; /* only resolutions that pass are kept */
  }
  return resolve_layout_rest(c, NULL, err, 0, &m->defaults[GM_SEC_HARDWARE]);
}

/* gm_resolve_unchecked, with each section's constant defaults from d when given. */
static int resolve_unchecked(gm_config *c, gm_result *r, gm_error *err, const gm_defaults *d) {
  /* A position count the config states (a default is no limit to warn about). */
  int positions_given = c->model.max_position_embeddings != GM_AUTO;
  int rc = resolve_model(&c->model, r, err, defaults_at(d, GM_SEC_MODEL));
  return rc != GM_OK ? rc : resolve_rest(c, r, err, positions_given, d);
}

int gm_resolve_unchecked(gm_config *c, gm_result *r, gm_error *err) {
  return resolve_unchecked(c, r, err, NULL);
}

int gm_resolve_defaults(gm_config *c, const gm_defaults d[GM_SEC_COUNT], gm_error *err) {
  int rc = resolve_unchecked(c, NULL, err, d);
  return rc != GM_OK ? rc : gm_check_resolved(c, err);
}

int gm_resolve_layout(gm_config *c, const gm_model *resolved_model, gm_error *err) {
  /* The model's section reads nothing else: its resolution stands. */
  c->model = *resolved_model;
  return resolve_rest(c, NULL, err, 0, NULL); /* positions_given: only for a warning */
}

int gm_resolve(gm_config *c, gm_result *r, gm_error *err) {
  int rc = gm_resolve_unchecked(c, r, err);
  return rc != GM_OK ? rc : gm_check_resolved(c, err);
}
