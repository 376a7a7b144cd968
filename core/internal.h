/* internal.h - declarations shared by the calculation files, not public. */
#ifndef GM_INTERNAL_H
#define GM_INTERNAL_H

#include "gpumem.h"
#include "schema.h"

#include <stddef.h>

#define GM_GIB 1073741824.0

/* Bytes kept per layer and per token on one GPU, split by how they shard. */
typedef struct {
  double replicated; /* norm inputs/outputs, dropout masks: divided by t only under SP */
  double split;      /* Q, K, V, attention output, MLP intermediates: divided by t */
  double scores;     /* eager attention: bytes per token per (head x key), before /t */
} gm_act_terms;

/* Saved bytes of one decoder layer for one micro-batch on one GPU. */
double gm_layer_saved_bytes(const gm_config *c);
/* The same for a mixture-of-experts layer. */
double gm_moe_layer_saved_bytes(const gm_config *c);
/* Bytes of one layer with nothing recomputed (what recompute rebuilds). */
double gm_layer_full_bytes(const gm_config *c);
/* Gradient working set of one layer's backward for one micro-batch. */
double gm_layer_backward_bytes(const gm_config *c);
/* What the final norm and the output head keep for backward (last stage). */
double gm_head_saved_bytes(const gm_config *c);
/* Logits and cross-entropy spike for one micro-batch on the last stage. */
double gm_loss_bytes(const gm_config *c, double *bytes_per_logit);
/* The per-token terms, for formulas. */
gm_act_terms gm_layer_terms(const gm_config *c, int recomputed_none);
/* Whether the linears keep their inputs for backward in fp8 (training.fp8). */
int gm_fp8_saves_inputs(const gm_config *c);
/* Tokens one GPU processes per micro-batch: b * s / c. */
double gm_tokens_per_gpu(const gm_config *c);

/* Trainable parameters of the adapters (LoRA) for the whole model. */
int64_t gm_lora_params(const gm_config *c);
/* Adafactor's factored second moment, elements for the whole model. */
int64_t gm_adafactor_elems(const gm_model *m);
/* Largest single weight matrix, elements. */
int64_t gm_largest_matrix(const gm_model *m);
/* Parameters of the norms in one layer. */
int64_t gm_layer_norm_params(const gm_model *m);

/* Bytes per parameter of weights, grads, master copy and optimizer state (precision.c). */
typedef struct {
  double weights, grads, master, states;
} gm_precision_bytes;
gm_precision_bytes gm_precision_bytes_of(const gm_training *t);

/* Defaults that changed between framework releases, for engine.framework_version
 * (GM_AUTO: the current release, written back); only GM_AUTO fields change (versions.c). */
void gm_version_defaults(gm_config *c);
/* Which pipeline stages keep every micro-batch's output until the step ends
 * (torch.distributed.pipelining's output_chunks, as torchtitan calls it), by
 * the config's framework_version (versions.c). */
enum { GM_PP_KEEP_NONE = 0, GM_PP_KEEP_LAST_STAGE, GM_PP_KEEP_ALL_STAGES };
int gm_pp_kept_outputs(const gm_config *c);
/* 1 when the caching allocator runs with expandable segments: torchtitan's
 * launcher asks for them, and PyTorch's ROCm build honours them only from
 * 2026 (versions.c). */
int gm_expandable_segments(const gm_config *c);
/* 1 when torchtitan wraps the embedding as an FSDP unit of its own, resharded
 * after forward (July 2025 on); before, it sat in the root unit with the head. */
int gm_titan_embedding_unit(const gm_config *c);
/* 1 when per-op selective checkpointing recomputes the attention kernel:
 * torchtitan picks cuDNN attention on compute capability 10.0 and later, an op
 * its save list named only from December 2025 (versions.c). */
int gm_sac_recomputes_attention(const gm_config *c);

size_t gm_fmt_count(char *buf, size_t n, double v); /* 1,234,567 (fmt.c) */

/* The phases of a step: each component's bytes in each (components.c). */
enum { GM_PH_FORWARD = 0, GM_PH_BACKWARD, GM_PH_STEP, GM_PH_COUNT };
typedef struct {
  double comp[GM_PH_COUNT][GM_C_COUNT];
  double persistent[GM_PH_COUNT]; /* part of the phase that is not short-lived */
  double pooled[GM_PH_COUNT];     /* freed, but cached where the phase cannot reuse it */
  double merged; /* of pooled: the segment of a pipeline's merged outputs (components.c) */
  double host_bytes, nvme_bytes;
} gm_stage_mem;
/* A stage's memory but its layers' activations (gm_stage_memory_base), and
 * the stage, micro-batch and offload choices it was made for. */
typedef struct {
  int have, stage;
  int64_t micro_batch;
  gm_offload opt, par;
  gm_stage_mem mem;
} gm_base_memo;
/* What one GPU of pipeline stage r holds, in parameters (stages.c). */
typedef struct {
  int first_layer, layers, moe_layers, has_emb, has_head;
  double params, expert_params, emb_params, head_params, unit_params;
  double trainable, trainable_expert;
  double chunk_params_max; /* parameters of the rank's largest model chunk (virtual stage) */
  double inflight;         /* micro-batches of activations kept */
  double inflight_mbs;     /* the same, rounded up to whole micro-batches */
  double acts_bytes;       /* all kept activations */
  /* What backward adds while one layer runs (gm_layer_backward_bytes), and
   * under recompute the layer being rebuilt (gm_layer_full_bytes). */
  double working_bytes;
} gm_shape;
/* Stage r's layers, parameters and in-flight micro-batches, and their activations. */
gm_shape gm_stage_shape(const gm_config *c, const gm_params *P, int r);
/* The same in two parts: all but acts_bytes and working_bytes (left 0), which
 * reads neither the recompute mode, the micro-batch size nor offloading; then those two. */
gm_shape gm_stage_layout(const gm_config *c, const gm_params *P, int r);
void gm_stage_acts(const gm_config *c, gm_shape *s);
/* Of gm_stage_layout, only the layers, parameters and trainable share
 * (first_layer to trainable_expert); the rest of *s is 0. */
void gm_stage_params(const gm_config *c, const gm_params *P, int r, gm_shape *s);
/* One layer's saved bytes (gm_layer_saved_bytes, gm_moe_layer_saved_bytes; -1
 * until needed) and working bytes, for the configs whose gm_layer_key is key. */
typedef struct {
  int have;
  int group; /* entries of one group have keys equal but in the recompute mode and micro-batch */
  gm_config key;
  double dense_saved, moe_saved, working;
} gm_layer_memo;
/* c with what a layer's bytes (activations.c) do not read cleared: of the
 * parallel sizes all but tensor, context and sequence parallelism, and the
 * accumulation steps, offloading, resharding and the GPU count. Configs with
 * equal keys have equal layers. */
void gm_layer_key(const gm_config *c, gm_config *key);
/* The stages' gm_stage_layout for configs that differ only in what it does not
 * read, each computed once: the planner's recompute modes, micro-batches and
 * offload choices of one layout. Plain storage of the caller's, which clears
 * it (to start, and) whenever the config changes in anything else. The last
 * layers (gm_layer_memo) are kept across clears: checked by their key, they
 * serve the layouts that split a model alike in tensor and context. */
typedef struct {
  unsigned char have[GM_MAX_STAGES];
  gm_shape shape[GM_MAX_STAGES];
  /* The layer entry of the recompute mode and micro-batch last asked (-1: none since the clear). */
  int layer_at;
  gm_recompute layer_recompute;
  int64_t layer_micro_batch;
  gm_layer_memo layer[4];
  int layer_next;
  /* The group of the configs since the clear (-1: not known yet), and the next group's number. */
  int group_now, group_next;
  /* The memory but the layers' activations of the first two stages
   * gm_worst_peak_memo examines (ranks 0 and p - 1), one entry per offload
   * choice: the recompute modes of one layout share it. */
  gm_base_memo base[2][3];
} gm_shape_memo;
void gm_shape_memo_clear(gm_shape_memo *m);
/* For a config c that differs from the one m's entries were made for only in
 * the accumulation steps and micro-batches per step: the stage layouts kept
 * are brought to c (their parameters do not read those two, their in-flight
 * micro-batches do), the layer entries stand (their key clears both), the
 * stages' memory is cleared. */
void gm_shape_memo_restep(gm_shape_memo *m, const gm_config *c);
/* An empty memo, its kept layers too (before its first use). */
void gm_shape_memo_init(gm_shape_memo *m);
/* gm_stage_shape of c, its layout from m (computed there once): m's stage r,
 * with its layers' bytes (working_bytes, acts_bytes) set for c; good until
 * the next call for that stage. */
const gm_shape *gm_stage_shape_memo(gm_shape_memo *m, const gm_config *c, const gm_params *P,
                                    int r);
/* The layout part of it (gm_stage_layout), computed there once. */
const gm_shape *gm_stage_layout_memo(gm_shape_memo *m, const gm_config *c, const gm_params *P,
                                     int r);
/* Whether gradients accumulate over several micro-batches per step (stages.c). */
int gm_accumulates(const gm_config *c);
/* Whether every stage of c holds the same memory with ga1 accumulation steps
 * and m1 micro-batches per pipeline as with ga2 and m2: the same micro-batches
 * in flight on every rank, and gradients accumulated in both or in neither. */
int gm_same_schedule_memory(const gm_config *c, int64_t ga1, int64_t m1, int64_t ga2, int64_t m2);
/* The decoder layers of pipeline rank r, one [first, first + count) range
 * per model chunk (virtual stage), in the order the rank runs them; returns
 * the number of chunks (<= GM_MAX_CHUNKS). The config must have passed
 * gm_check_split. */
int gm_stage_chunks(const gm_config *c, int r, int first[], int count[]);
/* Whether the framework accepts c's split of layers over pipeline x virtual
 * stages (stages.c); GM_OK, or GM_EINVAL with err naming the field and rule. */
int gm_check_split(const gm_config *c, gm_error *err);

/* Every component of one stage's GPU; formulas written to fm when not NULL. */
void gm_stage_memory(const gm_config *c, const gm_params *P, const gm_shape *s, gm_stage_mem *o,
                     char (*fm)[GM_FORMULA_LEN]);
/* gm_stage_memory in two parts, without formulas: every component but the
 * activations of the stage's layers, which alone read s->acts_bytes and
 * s->working_bytes (so the recompute mode only there); then those, added
 * to o as gm_stage_memory adds them. */
void gm_stage_memory_base(const gm_config *c, const gm_params *P, const gm_shape *s,
                          gm_stage_mem *o);
void gm_stage_memory_acts(const gm_config *c, const gm_shape *s, gm_stage_mem *o);
/* The most over the phases of a stage's weights, gradients, optimizer
 * states and gathered parameters, s its parameters (gm_stage_params
 * suffices), each phase summed in gm_first_stage_floor's order: no more than
 * the phase's allocations without activations. The config's accumulation
 * steps and micro-batches per step count (the gradients); 0 with fp8, whose
 * weights the rest changes (components.c). */
double gm_stage_states_bytes(const gm_config *c, const gm_params *P, const gm_shape *s);
/* gm_calculate, keeping each stage's memory in mem[0, num_stages) for the
 * timelines when mem is not NULL (calc.c). */
int gm_calculate_kept(const gm_config *cfg, gm_result *out, gm_stage_mem *mem, gm_error *err);
/* gm_resolve without its last part, gm_check_resolved: for the planner, which
 * checks the bounds only of the layouts that fit (resolve.c). */
int gm_resolve_unchecked(gm_config *c, gm_result *r, gm_error *err);
/* gm_resolve without warnings, each section's constant defaults applied from
 * d (gm_defaults_of of every section, made once by the caller) rather than
 * made again from the schema's rows: the planner's resolutions of whole configs. */
int gm_resolve_defaults(gm_config *c, const gm_defaults d[GM_SEC_COUNT], gm_error *err);
/* The schedule a pipeline of p runs: the one given, else interleaved with
 * virtual stages and 1F1B without; interleaved without virtual stages runs
 * as 1F1B (resolve.c). */
gm_schedule gm_schedule_run(const gm_parallel *p);
/* gm_resolve_unchecked, without warnings, of a config whose model section
 * resolves to resolved_model (the model of an earlier resolution of the same
 * model section): the rest is resolved, the model copied. */
int gm_resolve_layout(gm_config *c, const gm_model *resolved_model, gm_error *err);
/* The engine and training sections of the last gm_resolve_layout_memo that
 * passed them, and what they were made from. Plain storage; have and
 * defaults_made 0 to start. */
typedef struct {
  int have, tp_on, pp_on;
  /* The constant defaults of each section (gm_defaults_of), made once. */
  int defaults_made;
  gm_defaults defaults[GM_SEC_COUNT];
  gm_model model;
  gm_engine engine_in, engine;
  gm_training training_in, training;
} gm_sections_memo;
/* gm_resolve_layout, with the engine and training sections taken from m
 * when c gives their resolution the same inputs (the planner's layouts of one
 * framework differ in the parallel sizes and the accumulation steps). */
int gm_resolve_layout_memo(gm_config *c, const gm_model *resolved_model, gm_sections_memo *m,
                           gm_error *err);
/* Whether the engine (its kind and ZeRO stage resolved) can offload as asked:
 * the checks of resolution that read the offload fields, its only reading of
 * them (resolve.c). GM_OK, or GM_EINVAL naming the field. */
int gm_check_offload(const gm_engine *e, gm_error *err);
/* Every resolved value within the bounds a config may give it (config.c):
 * derived values are held to them too. GM_OK, or GM_EINVAL naming the field. */
int gm_check_resolved(const gm_config *cfg, gm_error *err);
/* The allocator's cache beside alloc bytes in use, persistent of them long-lived,
 * and pooled bytes cached for another stream (calc.c). */
double gm_allocator_cache(const gm_config *c, double alloc, double persistent, double pooled);

/* One GPU's memory at one moment of a step (timeline.c). */
typedef struct {
  char label[24];
  uint64_t allocated_bytes, reserved_bytes;
} gm_timeline_point;
#define GM_TIMELINE_MAX 24
/* Stage's points of r, in order; the largest equal its reported peaks. From
 * the stage's memory as calculated (gm_calculate_kept), or, with mem NULL,
 * computed again. Returns the count. */
int gm_stage_timeline(const gm_result *r, int stage, const gm_stage_mem *mem,
                      gm_timeline_point *pts, int max);

/* Bytes of one activation element in the compute dtype (precision.c). */
double gm_act_bytes(const gm_config *c);

/* Parameters as gm_calculate counts them for a resolved config (calc.c). */
int gm_config_params(const gm_config *c, gm_params *out, gm_error *err);
/* Peak nvidia-smi bytes of the most loaded GPU of a resolved config, with
 * no strings or warnings; *worst gets its stage and *verdict the verdict
 * gm_calculate gives (either may be NULL) (calc.c). */
uint64_t gm_worst_peak_bytes(const gm_config *c, const gm_params *P, int *worst,
                             gm_verdict *verdict);

/* Throughput figures of a GPU preset (perf.c): dense bf16 FLOP/s and the
 * achievable bandwidths of its node's interconnect and of the network. */
typedef struct {
  int known;
  double bf16_flops, hbm_bytes_s, intra_bytes_s, inter_bytes_s;
} gm_gpu_perf;
int gm_gpu_perf_of(const char *gpu_id, gm_gpu_perf *out);
/* The step-time model on a resolved config, without lookups. */
void gm_perf_eval(const gm_config *c, const gm_params *P, const gm_gpu_perf *g, gm_perf *o);
/* The verdict on one GPU's peaks (a gm_stage filled by the calculation) under
 * c's capacity, CUDA context and hardware.safety_margin (verdict.c):
 * does not fit when the allocations at the peak exceed the card; tight when
 * the unconstrained peak is within the margin of the card; else fits. */
gm_verdict gm_judge(const gm_config *c, const gm_stage *worst);
/* The same, with the sum of worst's allocations (bytes[0, GM_C_CACHE) as
 * figures, added in order) given: the searches have it from its peaks. */
gm_verdict gm_judge_at(const gm_config *c, const gm_stage *worst, double at_peak);
/* The default share of the card kept free before a run is called "fits"
 * (hardware.safety_margin's row in schema.c). Evidence (docs/formulas.md §6.1): the fit/OOM rows of
 * the validation set (tests/validation/rows, tier D). The lowest observed out-of-memory run is
 * predicted at 79.9 % of its card (D-7, LitGPT Llama-2-7B full fine-tune on
 * 4x A10G), so a margin below 20.1 % would call an observed OOM "fits"; no
 * observed fit has its allocations beyond the card. With this margin the
 * longest sequence lands within -5.4 % .. +9.6 % of the longest context
 * measured on six of the seven rows that give one, and all but two measured
 * rows are below 1 / (1 - 0.21) = 1.27 times the prediction. */
#define GM_DEFAULT_SAFETY_MARGIN 0.21
/* The safety margin applied when the config sets none: GM_DEFAULT_SAFETY_MARGIN. */
double gm_default_safety_margin(void);
/* 1 when the node's memory holds host_bytes_per_node, 0 when not, -1 when unknown. */
int gm_host_fits(const gm_config *c, uint64_t host_bytes_per_node);
/* The same for each of the node's GPUs needing host_bytes_per_gpu, as the
 * searches judge it: 0 also when the node's figure would pass the 2^53
 * bytes gm_calculate represents (it rejects such a config), so that no
 * product wraps and no layout it rejects is judged to fit. */
int gm_node_host_fits(const gm_config *c, uint64_t host_bytes_per_gpu);

/* The variable of a closed-form search: the micro-batch, or the sequence
 * length in units of the context-parallel size (fastpath.c). */
typedef enum { GM_VAR_MICRO_BATCH = 0, GM_VAR_SEQ_LEN } gm_fast_var;
/* One stage's memory around x0 as k0 + k1 (x - x0) + k2 (x - x0)^2: the
 * allocations, their persistent part and the bytes pooled for another stream
 * in each phase, and the host bytes. */
typedef struct {
  int stage; /* pipeline rank */
  double x0;
  double alloc[GM_PH_COUNT][3], persistent[GM_PH_COUNT][3], pooled[GM_PH_COUNT][3], host[3];
} gm_stage_poly;
/* Stage r of a resolved config as a polynomial in var (degree 1 in the
 * micro-batch, 2 in the sequence), from the physics at x0, 2 x0 (and 3 x0). */
void gm_stage_poly_of(const gm_config *c, const gm_params *P, int r, gm_fast_var var, int64_t unit,
                      int64_t x0, gm_stage_poly *out);
/* The same, with the memory of stage r at x0 itself (x0 >= 1) given when
 * the caller has it: one evaluation fewer. NULL evaluates it. */
void gm_stage_poly_from(const gm_config *c, const gm_params *P, int r, gm_fast_var var,
                        int64_t unit, int64_t x0, const gm_stage_mem *at_x0, gm_stage_poly *out);
/* The same, affine in the micro-batch, in two steps: start from the memory
 * of stage r at micro-batch x0, finish with one more evaluation at 2 x0 (its layout from
 * memo, which holds c's (gm_shape_memo), or computed when memo is NULL). */
void gm_stage_poly_start(gm_stage_poly *q, int stage, double x0, const gm_stage_mem *sm);
void gm_stage_poly_finish(gm_stage_poly *q, const gm_config *c, const gm_params *P,
                          gm_shape_memo *memo);
/* The largest real x at which the polynomial k (around q->x0, growing) stays
 * within bound: INFINITY when it always does, -INFINITY when it never does. */
double gm_poly_largest(const gm_stage_poly *q, const double k[3], double bound);
/* Whether stage r needs no evaluation of its own: a dense model's middle
 * stage with no more layers than an earlier middle stage holds no more.
 * Call for r = 0, p - 1, then the middle stages in order; *mid_layers starts at -1. */
int gm_stage_dominated(const gm_config *c, int r, int *mid_layers);
/* The largest x in [0, limit] at which the config fits with var = x (every
 * stage's verdict "fits", and the host), in closed form from the stages'
 * polynomials: an estimate, exact up to rounding and the allocator cache's
 * clipping, for the caller to check in full (calc.c). */
int64_t gm_fit_limit_estimate(const gm_config *c, const gm_params *P, gm_fast_var var, int64_t unit,
                              int64_t x0, int64_t limit);

/* gm_worst_peak_bytes that also starts the polynomial in the micro-batch of
 * every stage it evaluates (q[*nq...], *nq counting them; both may be NULL),
 * but for a stage that settles "does not fit". */
uint64_t gm_worst_peak_start(const gm_config *c, const gm_params *P, int *worst,
                             gm_verdict *verdict, gm_stage_poly *q, int *nq);
/* The same, with the stages' layouts from memo (NULL: computed), which holds
 * c's or nothing (gm_shape_memo). */
uint64_t gm_worst_peak_memo(const gm_config *c, const gm_params *P, gm_shape_memo *memo, int *worst,
                            gm_verdict *verdict, gm_stage_poly *q, int *nq);
/* Whether stage 0 of c (gm_worst_peak_memo's first stage) already exceeds
 * the card without its layers' activations, the only part that reads the
 * recompute mode: then gm_worst_peak_memo on c, in any recompute mode, says
 * "does not fit" at stage 0 and returns at least *peak_floor; else 0. The
 * part is computed into memo, where gm_worst_peak_memo finds it (calc.c). */
int gm_first_stage_floor(gm_shape_memo *memo, const gm_config *c, const gm_params *P,
                         uint64_t *peak_floor);
/* The stages gm_worst_peak_bytes examines, as polynomials in the micro-batch
 * around c's (q: room for pp); returns their number (calc.c). */
int gm_stage_polys(const gm_config *c, const gm_params *P, gm_stage_poly *q);
/* gm_worst_peak_bytes at micro-batch x, read off those polynomials: the same
 * peak and verdict up to floating-point rounding (calc.c). */
uint64_t gm_poly_peak(const gm_config *c, const gm_stage_poly *q, int n, double x, int *worst,
                      gm_verdict *verdict);

/* Write err (field and message) and return GM_EINVAL (diag.c). */
int gm_error_set(gm_error *err, const char *field, const char *fmt, ...);

#endif
