/*
 * gpumem.h - GPU memory of one LLM training configuration.
 *
 * Memory management: the gm_ functions work on caller-owned structs and
 * never allocate, except gm_calculate_json, which parses its text with cJSON
 * and frees the tree before it returns. calc_json, import_json and plan_json
 * return a NUL-terminated string allocated by the library; release it with
 * calc_free().
 *
 * Out-parameters (out, err) are only written, never read: what they held
 * before a call changes nothing. err is written only when a call returns
 * GM_EINVAL. docs/c-api.md shows the API in use (examples/fit.c).
 *
 * Units: every byte count is an exact uint64_t named *_bytes; GiB (2^30)
 * appear only when results are printed.
 */
#ifndef GPUMEM_H
#define GPUMEM_H

#include <stdint.h>

#define GM_OK 0
#define GM_EINVAL 1

#define GM_AUTO (-1) /* any int or enum field: apply the default */
/* Pipeline stages a result holds (one gm_stage each, 152 bytes): every
 * split of the presets' deepest model (128 layers), twice the deepest
 * published pipeline (64 stages: Megatron-LM's GPT 1T, docs/performance-model.md).
 * A deeper pipeline is refused, naming parallelism.pipeline_parallel_size. */
#define GM_MAX_STAGES 128
#define GM_MAX_CHUNKS 64 /* virtual pipeline stages per rank */
#define GM_MAX_WARNINGS 16
#define GM_FORMULA_LEN 320

/* An error or a warning: the JSON path of the field and what is wrong. */
typedef struct {
  char field[64];
  char message[192];
} gm_error;

typedef enum { GM_MLP_GATED = 0, GM_MLP_PLAIN } gm_mlp_kind;
typedef enum { GM_NORM_RMS = 0, GM_NORM_LAYER } gm_norm_kind;
typedef enum { GM_POS_ROPE = 0, GM_POS_LEARNED } gm_pos_kind;

/* The architecture. Everything the parameter count and activations need. */
typedef struct {
  char name[64];
  int num_layers;                  /* L */
  int hidden_size;                 /* h */
  int num_attention_heads;         /* a */
  int num_key_value_heads;         /* g (= a without GQA) */
  int head_dim;                    /* d_h (usually h/a) */
  int64_t intermediate_size;       /* f, dense MLP width */
  int64_t vocab_size;              /* V */
  int64_t max_position_embeddings; /* rows of a learned position table */
  int64_t max_seq_len;             /* default training sequence length */
  gm_mlp_kind mlp;
  gm_norm_kind norm;
  gm_pos_kind position;
  int norms_per_layer;                   /* 2, or 4 with Gemma-2 sandwich norms */
  int qkv_bias, attn_out_bias, mlp_bias; /* 0/1 */
  int qk_norm;                           /* per-head RMSNorm on Q and K (Qwen3) */
  int tied_embeddings;
  /* Mixture of experts (num_experts == 0: dense). */
  int num_experts;
  int experts_per_token;
  int64_t moe_intermediate_size;
  int num_shared_experts;
  int64_t shared_expert_intermediate_size;
  int shared_expert_gate; /* Qwen2-MoE: a 1-wide gate on the shared expert */
  int first_dense_layers; /* leading layers with a dense MLP */
  /* Set when the config gave only num_parameters: the architecture above
   * was derived from it and the count is an estimate. */
  int estimated;
  int64_t declared_parameters;  /* num_parameters as given, 0 if none */
  int64_t largest_layer_params; /* as given by old configs, 0 if none */
  int num_labels;               /* 0: language-model head; >0: sequence classifier */
  int fused_projections;        /* Q/K/V (and gate/up) as one matmul (GPT-2, NeoX, Phi-3) */
  /* Multi-head latent attention (DeepSeek-V2/V3); kv_lora_rank == 0: standard. */
  int q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim;
  int router_bias; /* DeepSeek-V3's e_score_correction_bias */
} gm_model;

typedef enum {
  GM_PRECISION_FP32 = 0,         /* 4 w, 4 g, fp32 states */
  GM_PRECISION_AMP,              /* autocast: fp32 params and grads */
  GM_PRECISION_MIXED,            /* 2 w, 2 g, fp32 master + states */
  GM_PRECISION_MIXED_FP32_GRADS, /* 2 w, 4 g, fp32 master + states (Megatron bf16) */
  GM_PRECISION_PURE_HALF         /* 2 w, 2 g, half states, no master */
} gm_precision;

typedef enum { GM_DTYPE_FP32 = 0, GM_DTYPE_FP16, GM_DTYPE_BF16 } gm_dtype;

typedef enum {
  GM_OPT_ADAMW = 0,
  GM_OPT_ADAM,
  GM_OPT_SGD,
  GM_OPT_SGD_MOMENTUM,
  GM_OPT_LION,
  GM_OPT_ADAFACTOR,
  GM_OPT_ADAMW_8BIT
} gm_optimizer;

typedef enum { GM_OPTIMPL_FUSED = 0, GM_OPTIMPL_FOREACH, GM_OPTIMPL_FOR_LOOP } gm_optimizer_impl;

typedef enum { GM_AC_NONE = 0, GM_AC_SELECTIVE, GM_AC_FULL } gm_recompute;
/* What "selective" saves: Megatron recomputes the attention core only;
 * torchtitan's per-op policy saves every other matmul output and SDPA. */
typedef enum { GM_SEL_ATTENTION = 0, GM_SEL_PER_OP } gm_selective_policy;

typedef enum { GM_ATTN_FLASH = 0, GM_ATTN_EAGER } gm_attention;

typedef enum {
  GM_LOSS_EAGER = 0,           /* upcast to fp32, log-softmax, grad: ~12 B/logit */
  GM_LOSS_KEEP_FP32,           /* HF models: logits.float() kept alive: ~16 B/logit */
  GM_LOSS_VOCAB_PARALLEL,      /* Megatron vocab-parallel CE, in place: ~6 B/logit */
  GM_LOSS_COMPILED,            /* torch.compile'd CE: ~4 B/logit */
  GM_LOSS_CHUNKED,             /* chunked / fused linear CE */
  GM_LOSS_TP_PARALLEL,         /* PyTorch tensor-parallel loss_parallel: ~16 B/logit */
  GM_LOSS_VOCAB_PARALLEL_FUSED /* Megatron --cross-entropy-loss-fusion: ~10 B/logit */
} gm_loss;

typedef enum { GM_NORMIMPL_EAGER = 0, GM_NORMIMPL_FUSED } gm_norm_impl;

typedef enum { GM_FT_FULL = 0, GM_FT_LORA, GM_FT_QLORA } gm_finetune;

/* FP8 linears: torchao's dynamic tensorwise / rowwise recipes, MX-FP8 blocks,
 * or Transformer Engine's delayed scaling with an amax history. */
typedef enum {
  GM_FP8_NONE = 0,
  GM_FP8_TENSORWISE,
  GM_FP8_ROWWISE,
  GM_FP8_MXFP8,
  GM_FP8_DELAYED,
  GM_FP8_DEFAULT /* the framework's default recipe; resolved to one of the above */
} gm_fp8;

typedef enum {
  GM_FW_GENERIC = 0,
  GM_FW_HF_TRAINER,
  GM_FW_TORCHTITAN,
  GM_FW_MEGATRON,
  GM_FW_DEEPSPEED,
  GM_FW_TORCHTUNE,
  GM_FW_LITGPT
} gm_framework;

typedef struct {
  int64_t micro_batch_size; /* b */
  int64_t gradient_accumulation_steps;
  int64_t seq_len; /* s */
  gm_dtype dtype;  /* compute dtype */
  gm_precision
      precision; /* where weights, grads, master copy and states are kept, and in what dtype */
  gm_optimizer optimizer;
  gm_optimizer_impl optimizer_impl;
  gm_recompute recompute;
  gm_selective_policy selective_policy;
  gm_attention attention;
  gm_loss loss;
  gm_norm_impl norm_impl;
  int compile;              /* torch.compile of the blocks */
  int gqa_expand_kv;        /* K/V repeated to all heads before attention */
  double attention_dropout; /* >0 keeps masks (Megatron default 0.1) */
  double hidden_dropout;
  int activation_offload;    /* saved activations moved to host */
  int optimizer_in_backward; /* step per parameter during backward */
  int grads_set_to_none;     /* zero_grad(set_to_none): PyTorch >= 2.0 frees gradients */
  gm_finetune finetune;
  int lora_rank;
  int lora_all_linear; /* 0: attention q,v only; 1: every linear */
  gm_fp8 fp8; /* recipe of the decoder linears; master weights and states stay as laid out */
  int fp8_all_gather;   /* FSDP all-gathers (Megatron: keeps) the linear weights in fp8 */
  int fp8_amax_history; /* delayed scaling: amax values kept per scaled tensor */
} gm_training;

typedef enum { GM_SCHED_1F1B = 0, GM_SCHED_INTERLEAVED, GM_SCHED_GPIPE } gm_schedule;

typedef struct {
  int tp, pp, dp, cp, ep;
  int vpp; /* virtual stages (model chunks) per rank */
  int sequence_parallel;
  gm_schedule schedule;
  int64_t num_microbatches; /* per step per pipeline */
  /* Uneven pipeline splits: decoder layers on the first / last pipeline rank
   * (Megatron-LM's --decoder-first/last-pipeline-num-layers); GM_AUTO: unset. */
  int first_stage_layers, last_stage_layers;
  /* Megatron-LM counts the embedding / the loss as one layer of the split. */
  int embedding_in_split, loss_in_split;
  /* Megatron-LM's --defer-embedding-wgrad-compute and --wgrad-deferral-limit
   * (0: every micro-batch). */
  int defer_embedding_wgrad, wgrad_deferral_limit;
  /* Interleaved schedule: micro-batches that run on one virtual stage before
   * the next (Megatron-LM --microbatch-group-size-per-virtual-pipeline-stage);
   * GM_AUTO: the pipeline size. */
  int microbatch_group;
} gm_parallel;

typedef enum {
  GM_ENGINE_DDP = 0,
  GM_ENGINE_DEEPSPEED,
  GM_ENGINE_MEGATRON,
  GM_ENGINE_MEGATRON_DEEPSPEED,
  GM_ENGINE_FSDP
} gm_engine_kind;

typedef enum { GM_OFFLOAD_NONE = 0, GM_OFFLOAD_CPU, GM_OFFLOAD_NVME } gm_offload;

typedef enum {
  GM_FSDP_FULL_SHARD = 0,
  GM_FSDP_SHARD_GRAD_OP,
  GM_FSDP_HYBRID_SHARD,
  GM_FSDP_NO_SHARD
} gm_fsdp_strategy;

typedef struct {
  gm_engine_kind kind;
  gm_framework framework;
  int zero_stage; /* 0-3 (DeepSpeed, Megatron-DeepSpeed) */
  gm_offload offload_optimizer, offload_param;
  gm_fsdp_strategy sharding;
  int reshard_after_forward; /* FSDP2; torchtitan turns it off under PP */
  int distributed_optimizer; /* Megatron */
  int64_t reduce_bucket_elems, allgather_bucket_elems;
  int64_t stage3_max_live_parameters, stage3_prefetch_bucket_elems;
  int64_t sub_group_elems; /* DeepSpeed ZeRO-3 sub_group_size */
  int overlap_comm;
  int ddp_bucket_view; /* DDP gradient_as_bucket_view */
  int64_t ddp_bucket_bytes;
  int framework_version; /* date of the framework's code, YYYYMMDD; its defaults follow it */
} gm_engine;

typedef struct {
  char gpu_name[48];
  int num_gpus;
  int gpus_per_node;
  uint64_t gpu_capacity_bytes;         /* usable, as the card reports it */
  uint64_t cuda_context_bytes;         /* seen by nvidia-smi, not by the allocator */
  uint64_t host_memory_per_node_bytes; /* 0: unknown */
  double safety_margin;                /* share of the card kept free for "fits"; <0: default */
  int gpu_amd;                         /* from hardware.gpu's preset; 0 without one */
  int gpu_compute_capability;          /* CUDA major * 10 + minor; 0 unknown */
} gm_hardware;

/* A fully resolved configuration: every default already applied. */
typedef struct {
  gm_model model;
  gm_training training;
  gm_parallel parallel;
  gm_engine engine;
  gm_hardware hardware;
} gm_config;

/* Exact parameter counts of the whole model. */
typedef struct {
  int64_t total;
  int64_t trainable;
  int64_t embedding;               /* token (+ position) embedding */
  int64_t output_head;             /* 0 when tied */
  int64_t per_layer_dense;         /* one dense decoder layer */
  int64_t per_layer_moe;           /* one MoE layer (0 for dense models) */
  int64_t expert_params_per_layer; /* routed experts of one MoE layer */
  int64_t final_norm;
  int64_t largest_layer;    /* largest single unit that is gathered */
  int64_t active_per_token; /* MoE: parameters one token touches */
} gm_params;

/* The components of one GPU's memory at its peak. */
typedef enum {
  GM_C_WEIGHTS = 0,
  GM_C_GRADS,
  GM_C_OPTIMIZER,
  GM_C_ACTIVATIONS,
  GM_C_LOGITS,
  GM_C_GATHERED,
  GM_C_BUFFERS,
  GM_C_STEP,
  GM_C_CACHE,
  GM_C_CONTEXT,
  GM_C_COUNT
} gm_component;

/* The part of a step where a GPU's memory peaks. */
typedef enum { GM_PHASE_FORWARD = 0, GM_PHASE_LOSS, GM_PHASE_BACKWARD, GM_PHASE_STEP } gm_phase;

typedef struct {
  int first_layer, num_layers; /* decoder layers held (all chunks) */
  int has_embedding, has_output_head;
  int64_t params; /* parameters held by this GPU */
  int64_t microbatches_in_flight;
  uint64_t bytes[GM_C_COUNT]; /* at this GPU's peak */
  uint64_t peak_allocated_bytes;
  uint64_t peak_reserved_bytes;
  uint64_t peak_nvsmi_bytes; /* reserved + CUDA context */
  /* The nvidia-smi peak on a card with room to spare: the allocator keeps its
   * whole cache instead of releasing it under pressure (>= peak_nvsmi_bytes). */
  uint64_t peak_unconstrained_bytes;
  gm_phase peak_phase;
} gm_stage;

/* The answer to "will it run?", from the most loaded GPU and the host. */
typedef enum {
  GM_VERDICT_FITS = 0,    /* fits with the safety margin to spare */
  GM_VERDICT_TIGHT,       /* the allocations fit, inside the margin: may run out of memory */
  GM_VERDICT_DOES_NOT_FIT /* the allocations alone exceed the card, or the host */
} gm_verdict;
typedef enum {
  GM_REASON_NONE = 0,
  GM_REASON_GPU_MEMORY, /* the GPU decides a tight or failed verdict */
  GM_REASON_HOST_MEMORY /* offloaded states exceed the node's memory */
} gm_verdict_reason;

typedef struct {
  gm_config resolved; /* the config with every default applied */
  gm_params params;
  int num_stages;
  gm_stage stages[GM_MAX_STAGES];
  int worst_stage;             /* index of the most loaded GPU */
  uint64_t host_bytes_per_gpu; /* offloaded states and pinned buffers */
  uint64_t host_bytes_per_node;
  uint64_t nvme_bytes_per_gpu;
  uint64_t capacity_bytes;
  int fits; /* the GPU's allocations fit (verdict fits or tight on the GPU) */
  gm_verdict verdict;
  gm_verdict_reason verdict_reason;
  int host_fits; /* 1, 0, or -1 when the node's memory is unknown */
  double utilization_percent;
  int64_t max_micro_batch;    /* largest b whose verdict is "fits", 0 if none */
  int64_t max_seq_len;        /* longest s (a multiple of CP) whose verdict is "fits", 0 if none */
  uint64_t layer_saved_bytes; /* one dense layer, one micro-batch, this GPU */
  uint64_t layer_full_bytes;  /* the same with nothing recomputed */
  char formula[GM_C_COUNT][GM_FORMULA_LEN]; /* how each figure was made */
  int num_warnings;
  gm_error warnings[GM_MAX_WARNINGS];
} gm_result;

/* What calc_json derives from a result beyond its fields, the one way its
 * JSON and the CLI's table state it (gm_summarize). */
typedef struct {
  int num_stages;              /* num_stages, within 0..GM_MAX_STAGES */
  int worst_stage;             /* worst_stage, 0 when it names no stage */
  int num_warnings;            /* num_warnings, within 0..GM_MAX_WARNINGS */
  gm_stage worst;              /* that stage; all zero when there is none */
  uint64_t model_params_bytes; /* its weights and gathered parameters */
  uint64_t activations_bytes;  /* saved activations and logits */
  uint64_t overhead_bytes;     /* buffers, optimizer step, allocator cache, CUDA context */
  uint64_t fits_below_bytes;   /* (1 - safety margin) x capacity: the most that "fits" */
} gm_summary;

/* The summary of a result gm_calculate wrote; out is only written. */
void gm_summarize(const gm_result *r, gm_summary *out);
/* Stage `stage`'s decoder layers, one (first, count) pair per model chunk,
 * as calc_json's stages[].chunks: the number of pairs (<= GM_MAX_CHUNKS). */
int gm_result_chunks(const gm_result *r, int stage, int first[], int count[]);
/* A figure as calc_json prints it, as the nearest double: bytes in GiB
 * rounded half up to `decimals` (0-10; figures ending in _gb have 4), or v
 * rounded half away from zero (memory_utilization_percent has 2). */
double gm_printed_gib(uint64_t bytes, int decimals);
double gm_printed_fixed(double v, int decimals);
/* The name `resolved` prints for value of the enum key "section.key"
 * ("training.dtype", "engine.offload_param"), or NULL. Static. */
const char *gm_value_name(const char *key, int value);

/* Set every field of cfg to GM_AUTO (or 0 for sizes), to be filled in. */
void gm_config_init(gm_config *cfg);

/* Apply engine and framework defaults to every GM_AUTO field of cfg and
 * check it; GM_OK or GM_EINVAL. r is a warning sink, not an out-parameter:
 * warnings are appended at r->warnings[r->num_warnings] (set num_warnings to
 * 0 first); nothing else of r is touched; NULL drops them. gm_calculate
 * resolves a copy itself: call this only to see the resolved config. */
int gm_resolve(gm_config *cfg, gm_result *r, gm_error *err);

/* Count the parameters of a resolved model (gm_resolve) exactly; GM_OK with
 * out written, or GM_EINVAL with err set (out untouched), also when a field
 * of m is still GM_AUTO. */
int gm_count_params(const gm_model *m, gm_params *out, gm_error *err);

/* The whole calculation: resolves a copy of cfg, then computes. out is only
 * written, never read: stages[0..num_stages-1], warnings[0..num_warnings-1]
 * and every other field on GM_OK (the slots past those counts are left as
 * they were). */
int gm_calculate(const gm_config *cfg, gm_result *out, gm_error *err);

/* A JSON config (as calc_json takes) read and calculated into out: the
 * struct behind calc_json's text, for callers that want numbers, not text.
 * Warnings about the config come first in out->warnings. GM_OK, or
 * GM_EINVAL with err naming the field (out then holds nothing of use). */
int gm_calculate_json(const char *config_json, gm_result *out, gm_error *err);

/* Append a warning to r (a sink, as in gm_resolve); dropped past GM_MAX_WARNINGS. */
void gm_warn(gm_result *r, const char *field, const char *fmt, ...);

/* Names, for messages and JSON. */
const char *gm_component_name(gm_component c);
const char *gm_phase_name(gm_phase p); /* "forward", "loss", "backward", "step" */
const char *gm_precision_name(gm_precision l);
const char *gm_engine_name(gm_engine_kind k);
const char *gm_framework_name(gm_framework f);
const char *gm_verdict_name(gm_verdict v);               /* "fits", "tight", "does_not_fit" */
const char *gm_verdict_reason_name(gm_verdict_reason r); /* NULL, "gpu_memory", "host_memory" */

/* Presets, compiled in from presets/gpus.json and presets/models.json. */
typedef struct {
  char id[32];             /* "h100-80gb" */
  char display_name[64];   /* "NVIDIA H100 SXM 80GB" */
  uint64_t capacity_bytes; /* usable, as reported by nvidia-smi */
  uint64_t cuda_context_bytes;
  int amd;                /* an AMD card: PyTorch runs its ROCm build */
  int compute_capability; /* CUDA major * 10 + minor (90 for 9.0); 0 unknown */
} gm_gpu;
/* Look a GPU up by id, display name or alias ("H100", "a100-40gb"),
 * ignoring case, spaces, '-' and '_'; a table lookup, no parsing. GM_OK, or
 * GM_EINVAL (unknown name, or NULL) with out zeroed. */
int gm_find_gpu(const char *name, gm_gpu *out);
/* Which preset a name stands for, read exactly as a config's hardware.gpu
 * (GM_PRESET_GPU) or model.preset (GM_PRESET_MODEL: by id first, then Hugging
 * Face id or display name) is read: case, spaces, '-' and '_' ignored. The
 * preset's id (static, not freed), or NULL when a config naming it would be
 * rejected (or name is NULL). */
typedef enum { GM_PRESET_GPU = 0, GM_PRESET_MODEL = 1 } gm_preset_kind;
const char *gm_preset_id(gm_preset_kind kind, const char *name);
/* The embedded presets: {"gpus":[...],"models":{...}} (static, not freed). */
const char *gm_presets_json(void);
/* Every config key the core reads, as JSON: {"keys":[{"section","key","aliases",
 * "kind","min","max","values" (enums),"default","default_rule","doc","unit",
 * "label","in_resolved"}],"gpus":[{"id","name","aliases",...}],"models":[...],
 * "thresholds":{"safety_margin_default",...}}. Malloc'd, freed with calc_free();
 * NULL when memory runs out. docs/config.md's key tables are made from it. */
char *gm_schema_json(void);

/* JSON in, JSON out: the one entry point shared by the CLI and WASM.
 * Returns a malloc'd string ({"error":{"field","message"}} on bad input);
 * free it with calc_free(). NULL only when memory runs out. */
char *calc_json(const char *config_json);
/* Limits on what calc_json reads: the whole text, and any key or string. */
#define GM_MAX_CONFIG_BYTES 1048576
#define GM_MAX_STRING_BYTES 4096
void calc_free(char *p);

/* A launcher's file as our config. kind: "auto" (detect), "config", "hf_config"
 * (a Hugging Face config.json), "deepspeed" (ds_config.json), "megatron"
 * (Megatron-LM arguments, or a launch script holding them) or "yaml"
 * (Axolotl, LLaMA-Factory, accelerate; in builds with libyaml). Returns malloc'd
 * JSON {"kind", "detected", "config", "mapped": [{"from","to","value"}],
 * "ignored": [{"field","reason"}], "warnings": [{"field","message"}]} or
 * {"error":{"field","message"}}; free it with calc_free(). NULL when out of memory. */
char *import_json(const char *kind, const char *text);

/* ---- Planner: which layouts fit, and which is fastest (plan.c, perf.c) ---- */
#define GM_PLAN_MAX_TOP 100
#define GM_PLAN_MAX_REJECTED 24
#define GM_PLAN_MAX_SUGGESTIONS 10
#define GM_PLAN_MAX_FRAMEWORKS 8

/* Estimated time of one step from the analytic model in docs/performance-model.md. */
typedef struct {
  int known; /* 0 when the GPU has no throughput figures */
  double step_time_s, tokens_per_s_per_gpu, mfu;
  double compute_s, bubble_s, tp_comm_s, dp_comm_s, other_comm_s; /* exposed parts */
  double flops_per_s_per_gpu; /* achieved, recompute included (hardware FLOPs) */
} gm_perf;

typedef struct {
  gm_config base;         /* as parsed: every GM_AUTO layout field is searched */
  int min_gpus, max_gpus; /* the GPU counts to try */
  int top;                /* layouts to keep, best first */
  int64_t global_batch;   /* samples per step; 0: none */
  int max_micro_batch;    /* largest micro-batch tried */
  int num_frameworks;     /* 0: the base's framework, or all */
  gm_framework frameworks[GM_PLAN_MAX_FRAMEWORKS];
  int allow_offload, allow_recompute, allow_optimizer, allow_precision, allow_finetune;
  /* When set, called on every layout whose peak the search finds, with its
   * config as gm_calculate would read it, the peak and its fit: 0 does not fit
   * (or does not resolve), 1 fits, 2 tight; from_polynomial 1 when read off the
   * stages' polynomials rather than evaluated in full, 2 when a bound settled
   * that it does not fit, without the layout's better than the closest miss
   * kept (then peak_bytes is the bound, below its peak), 3 when the bound was
   * its model states', found before its resolution (the config may then not
   * resolve: it adds nothing to the answer either way). For tests that hold
   * the search to gm_calculate; NULL in use. */
  void (*on_evaluated)(void *arg, const gm_config *config, uint64_t peak_bytes, int fit,
                       int from_polynomial);
  void *on_evaluated_arg;
  /* For tests: no layout settled by a bound, every one evaluated in full. */
  int no_bounds;
} gm_plan_request;

/* One layout that fits: base with the searched fields set, still unresolved,
 * so that gm_calculate on it reads exactly what the planner evaluated. */
typedef struct {
  gm_config config;
  uint64_t peak_bytes; /* the most loaded GPU as nvidia-smi sees it */
  int tight;           /* fits, but within the calculator's error of the card */
  gm_perf perf;
} gm_plan_layout;

typedef struct {
  char family[64];
  char reason[192];
} gm_plan_rejection;

/* A change to the base config, and what it saves on its most loaded GPU. */
typedef struct {
  char change[64];
  gm_config config;
  uint64_t peak_bytes;
  int64_t saving_bytes;
  int fits;
} gm_plan_suggestion;

typedef struct {
  int num_layouts;
  gm_plan_layout layouts[GM_PLAN_MAX_TOP];
  int num_rejected;
  gm_plan_rejection rejected[GM_PLAN_MAX_REJECTED];
  int min_gpus;      /* fewest GPUs of this type that fit model and recipe, no offload; 0: none */
  int64_t searched;  /* layouts (micro-batch included) whose peak was found or bounded */
  int64_t evaluated; /* evaluations of the physics on a whole layout, for those (none for
                        a layout settled by a bound) */
  uint64_t base_peak_bytes; /* the base config as given, 0 when it is incomplete */
  int num_suggestions;
  gm_plan_suggestion suggestions[GM_PLAN_MAX_SUGGESTIONS];
} gm_plan_result;

/* Fill req with the defaults: the base's GPU count, top 20, micro-batches up
 * to 16, the base's framework or all, recompute allowed, offload allowed. */
void gm_plan_request_init(gm_plan_request *req, const gm_config *base);
/* Search the layouts of req; out is fully written on GM_OK, err on
 * GM_EINVAL. No allocation: out is large, so static or on the heap. */
int gm_plan(const gm_plan_request *req, gm_plan_result *out, gm_error *err);
/* Estimate the step time of a resolved config (r.resolved and r.params of
 * gm_calculate) from its GPU preset's throughput figures; out is fully
 * written, out->known 0 when the GPU has none (perf.c). */
void gm_perf_estimate(const gm_config *resolved, const gm_params *P, gm_perf *out);

/* JSON in, JSON out for the planner: a config with an optional "plan"
 * section; returns a malloc'd string freed with calc_free(). */
char *plan_json(const char *request_json);

#endif
