/* split.c - which decoder layers each pipeline rank holds, by the rule of the
 * framework that splits them, and whether that framework accepts the split.
 *
 * A pipeline of p ranks with v model chunks each runs S = p x v virtual
 * stages; virtual stage k = j x p + r is chunk j of rank r (the looped
 * placement of Megatron-LM's interleaved schedule and of torchtitan's
 * looped schedules). Each rule below gives every virtual stage its size. */
#include "internal.h"

typedef enum {
  SPLIT_BALANCED,   /* layers over S stages, the first ones take one more */
  SPLIT_TORCHTITAN, /* balanced over layers + embedding + output "layers" */
  SPLIT_MEGATRON,   /* equal stages (embedding / loss may count as a layer) */
  SPLIT_FIRST_LAST  /* given first and last ranks, the rest split evenly */
} split_rule;

static int is_megatron(const gm_config *c) { return c->engine.kind == GM_ENGINE_MEGATRON; }

static int has_first(const gm_parallel *p) { return p->first_stage_layers >= 0; }
static int has_last(const gm_parallel *p) { return p->last_stage_layers >= 0; }

static split_rule rule_of(const gm_config *c) {
  const gm_parallel *p = &c->parallel;
  if (has_first(p) || has_last(p))
    return SPLIT_FIRST_LAST;
  if (is_megatron(c))
    return SPLIT_MEGATRON;
  if (c->engine.framework == GM_FW_TORCHTITAN && (int64_t)p->pp * p->vpp > 1)
    return SPLIT_TORCHTITAN;
  return SPLIT_BALANCED;
}

/* Layers spread over S stages in "slots": the embedding takes in_w slots of
 * the first stage and the output out_w slots of the last one. */
typedef struct {
  int64_t base, extra; /* stage k has base + (k < extra) slots */
  int in_w, out_w;
} even_split;

static even_split even_of(const gm_config *c, split_rule rule) {
  const gm_parallel *p = &c->parallel;
  int64_t S = (int64_t)p->pp * p->vpp, slots = c->model.num_layers;
  even_split e = {0, 0, 0, 0};
  if (rule == SPLIT_TORCHTITAN) {
    /* generate_llm_fqn_per_model_part: input_weight = output_weight = 1
     * (pipeline_parallel_first/last_stage_less_layers' defaults). */
    e.in_w = e.out_w = 1;
  } else if (rule == SPLIT_MEGATRON) {
    e.in_w = p->embedding_in_split == 1;
    e.out_w = p->loss_in_split == 1;
  }
  slots += e.in_w + e.out_w;
  e.base = slots / S;
  e.extra = slots % S;
  return e;
}

/* The middle ranks of a first/last split: how many, and their layers. */
static void middle_of(const gm_parallel *p, int L, int *ranks, int *layers) {
  *ranks = p->pp - has_first(p) - has_last(p);
  *layers =
      L - (has_first(p) ? p->first_stage_layers : 0) - (has_last(p) ? p->last_stage_layers : 0);
}

int gm_stage_chunks(const gm_config *c, int r, int first[], int count[]) {
  const gm_parallel *p = &c->parallel;
  int L = c->model.num_layers, v = p->vpp, j;
  split_rule rule = rule_of(c);
  if (v > GM_MAX_CHUNKS)
    v = GM_MAX_CHUNKS;
  if (rule == SPLIT_FIRST_LAST) {
    int ms, mid, f = has_first(p) ? p->first_stage_layers : 0;
    middle_of(p, L, &ms, &mid);
    for (j = 0; j < v; j++) {
      /* Megatron-LM: every rank's share is cut into v equal chunks, chunk j
       * of every rank lies in the j-th L/v layers (get_transformer_layer_offset). */
      int fv = f / v, mv = ms > 0 ? mid / ms / v : 0, mextra = ms > 0 ? (mid / v) % ms : 0;
      int chunk0 = j * (L / v), m = r - has_first(p);
      if (r == 0 && has_first(p)) {
        first[j] = chunk0;
        count[j] = fv;
      } else if (r == p->pp - 1 && has_last(p)) {
        first[j] = chunk0 + fv + ms * mv + mextra;
        count[j] = p->last_stage_layers / v;
      } else {
        /* Outside Megatron-LM (v = 1) the middle ranks split the rest as
         * evenly as they can, the first ones taking one more. */
        first[j] = chunk0 + fv + m * mv + (m < mextra ? m : mextra);
        count[j] = mv + (m < mextra);
      }
    }
    return v;
  }
  {
    even_split e = even_of(c, rule);
    int64_t S = (int64_t)p->pp * v;
    for (j = 0; j < v; j++) {
      int64_t k = (int64_t)j * p->pp + r;
      int64_t slot = k * e.base + (k < e.extra ? k : e.extra);
      int64_t size = e.base + (k < e.extra);
      first[j] = (int)(k == 0 ? 0 : slot - e.in_w);
      count[j] = (int)(size - (k == 0 ? e.in_w : 0) - (k == S - 1 ? e.out_w : 0));
    }
  }
  return v;
}

int gm_check_split(const gm_config *c, gm_error *err) {
  const gm_parallel *p = &c->parallel;
  int L = c->model.num_layers, v = p->vpp, pp = p->pp;
  int64_t S = (int64_t)pp * v;
  split_rule rule = rule_of(c);
  if ((has_first(p) || has_last(p)) && pp < 2)
    return gm_error_set(
        err, has_first(p) ? "parallelism.first_stage_layers" : "parallelism.last_stage_layers",
        "applies only with pipeline parallelism (pipeline_parallel_size >= 2)");
  if ((p->embedding_in_split == 1 || p->loss_in_split == 1) && !is_megatron(c))
    return gm_error_set(err,
                        p->embedding_in_split == 1
                            ? "parallelism.account_for_embedding_in_pipeline_split"
                            : "parallelism.account_for_loss_in_pipeline_split",
                        "is a Megatron-LM option (engine.type megatron_lm)");
  if (v > GM_MAX_CHUNKS)
    return gm_error_set(err, "parallelism.virtual_pipeline_stages", "at most %d per rank; got %d",
                        GM_MAX_CHUNKS, v);
  /* torchtitan always, Megatron-LM when told, count the embedding and the
   * output (loss) as layers: a chunk may hold one of them alone. */
  if (S > L + even_of(c, rule).in_w + even_of(c, rule).out_w && rule != SPLIT_FIRST_LAST)
    return gm_error_set(
        err, v > 1 ? "parallelism.virtual_pipeline_stages" : "parallelism.pipeline_parallel_size",
        "pipeline x virtual stages (%d x %d) exceeds the %d layers%s", pp, v, L,
        rule == SPLIT_TORCHTITAN ? " + embedding + output"
        : rule == SPLIT_MEGATRON && (p->embedding_in_split == 1 || p->loss_in_split == 1)
            ? " (counting the embedding / loss as layers)"
            : "");
  if (rule == SPLIT_TORCHTITAN) {
    even_split e = even_of(c, rule);
    /* torchtitan's generate_llm_fqn_per_model_part rejects stages that would
     * hold less than the embedding's or the output's weight. */
    if (e.base < 1 || e.in_w > e.base || e.out_w > e.base)
      return gm_error_set(
          err, v > 1 ? "parallelism.virtual_pipeline_stages" : "parallelism.pipeline_parallel_size",
          "torchtitan gives each of the %lld stages %lld of the %d layers + embedding + "
          "output, fewer than the 1 that the embedding and the output each count for",
          (long long)S, (long long)e.base, L);
    return GM_OK;
  }
  if (rule == SPLIT_MEGATRON) {
    int slots = L + (p->embedding_in_split == 1) + (p->loss_in_split == 1);
    const char *what = slots > L ? " (counting the embedding / loss as layers)" : "";
    if (slots % pp != 0)
      return gm_error_set(err, "parallelism.pipeline_parallel_size",
                          "Megatron-LM needs the %d layers%s divisible by it; got %d: set "
                          "first_stage_layers / last_stage_layers for an uneven split",
                          slots, what, pp);
    if ((slots / pp) % v != 0)
      return gm_error_set(err, "parallelism.virtual_pipeline_stages",
                          "Megatron-LM needs each rank's %d layers%s divisible by it; got %d",
                          slots / pp, what, v);
    return GM_OK;
  }
  if (rule == SPLIT_FIRST_LAST) {
    int ms, mid;
    const char *field =
        has_first(p) ? "parallelism.first_stage_layers" : "parallelism.last_stage_layers";
    middle_of(p, L, &ms, &mid);
    if (p->embedding_in_split == 1 || p->loss_in_split == 1)
      return gm_error_set(
          err, field,
          "Megatron-LM does not combine an uneven first / last stage with the embedding "
          "or loss counted in the split");
    if (mid < 0 || (ms == 0 && mid != 0))
      return gm_error_set(
          err, field,
          "first and last stages hold %d of the %d layers; the %d other stages cannot "
          "hold the rest",
          L - mid, L, ms);
    if (is_megatron(c)) {
      if (ms > 0 && mid % ms != 0)
        return gm_error_set(
            err, field,
            "Megatron-LM splits the other %d layers evenly over the %d middle stages; "
            "they do not divide",
            mid, ms);
      if (v > 1 &&
          ((has_first(p) && p->first_stage_layers % v != 0) ||
           (has_last(p) && p->last_stage_layers % v != 0) || (ms > 0 && (mid / ms) % v != 0)))
        return gm_error_set(
            err, "parallelism.virtual_pipeline_stages",
            "Megatron-LM cuts the first, middle and last stages' layers into %d equal "
            "chunks each; they do not divide",
            v);
    } else {
      if (v > 1)
        return gm_error_set(
            err, field,
            "an uneven first / last stage with virtual stages is a Megatron-LM option "
            "(engine.type megatron_lm)");
      if (mid < ms)
        return gm_error_set(err, field, "leaves %d layers for %d middle stages", mid, ms);
    }
  }
  return GM_OK;
}
