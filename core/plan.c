/* plan.c - the planner: every layout the chosen frameworks can run on the
 * given GPUs, the memory of each (the same evaluation as gm_calculate, with
 * no strings), the largest micro-batch that fits, and a ranking by the
 * estimated step time of perf.c. */
#include "checked.h"
#include "internal.h"
#include "schema.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* What a framework's engine can do (flags of a family). */
enum {
  CAN_TP = 1,
  CAN_PP = 2,
  CAN_UNEVEN_PP = 4,
  CAN_VPP = 8,
  CAN_CP = 16,
  CAN_EP = 32,
  CAN_OFFLOAD = 64,        /* optimizer states to the host */
  CAN_OFFLOAD_PARAM = 128, /* parameters too */
  CAN_EDGE_PP = 256        /* uneven split by the sizes of the first and last stages */
};

/* A family: a framework, its engine and one sharding choice. */
typedef struct {
  gm_framework fw;
  gm_engine_kind engine;
  int variant; /* ZeRO stage, FSDP strategy or distributed optimizer */
  unsigned can;
  const char *label;
} family;

#define TITAN (CAN_TP | CAN_PP | CAN_UNEVEN_PP | CAN_VPP | CAN_CP | CAN_EP)
#define MEGA (CAN_TP | CAN_PP | CAN_EDGE_PP | CAN_VPP | CAN_CP | CAN_EP)
/* The parallelism each framework implements (torchtitan: FSDP2 with TP, PP
 * with uneven splits, CP, EP; Megatron-LM: even pipeline splits unless told
 * otherwise; DeepSpeed and the Trainer: data parallel with ZeRO or FSDP). */
static const family families[] = {
    {GM_FW_TORCHTITAN, GM_ENGINE_FSDP, GM_FSDP_FULL_SHARD, TITAN | CAN_OFFLOAD | CAN_OFFLOAD_PARAM,
     "torchtitan FSDP"},
    {GM_FW_TORCHTITAN, GM_ENGINE_FSDP, GM_FSDP_HYBRID_SHARD, TITAN, "torchtitan HSDP"},
    {GM_FW_MEGATRON, GM_ENGINE_MEGATRON, 1, MEGA, "megatron_lm distributed optimizer"},
    {GM_FW_MEGATRON, GM_ENGINE_MEGATRON, 0, MEGA, "megatron_lm"},
    {GM_FW_MEGATRON, GM_ENGINE_MEGATRON_DEEPSPEED, 1, CAN_TP | CAN_PP, "megatron_deepspeed ZeRO-1"},
    {GM_FW_DEEPSPEED, GM_ENGINE_DEEPSPEED, 3, CAN_OFFLOAD | CAN_OFFLOAD_PARAM, "deepspeed ZeRO-3"},
    {GM_FW_DEEPSPEED, GM_ENGINE_DEEPSPEED, 2, CAN_OFFLOAD, "deepspeed ZeRO-2"},
    {GM_FW_DEEPSPEED, GM_ENGINE_DEEPSPEED, 1, CAN_OFFLOAD, "deepspeed ZeRO-1"},
    {GM_FW_HF_TRAINER, GM_ENGINE_FSDP, GM_FSDP_FULL_SHARD, CAN_OFFLOAD | CAN_OFFLOAD_PARAM,
     "hf_trainer FSDP"},
    {GM_FW_HF_TRAINER, GM_ENGINE_FSDP, GM_FSDP_SHARD_GRAD_OP, 0, "hf_trainer FSDP SHARD_GRAD_OP"},
    {GM_FW_HF_TRAINER, GM_ENGINE_FSDP, GM_FSDP_HYBRID_SHARD, 0, "hf_trainer HSDP"},
    {GM_FW_HF_TRAINER, GM_ENGINE_DEEPSPEED, 3, CAN_OFFLOAD | CAN_OFFLOAD_PARAM,
     "hf_trainer ZeRO-3"},
    {GM_FW_HF_TRAINER, GM_ENGINE_DEEPSPEED, 2, CAN_OFFLOAD, "hf_trainer ZeRO-2"},
    {GM_FW_HF_TRAINER, GM_ENGINE_DDP, 0, 0, "hf_trainer DDP"},
    {GM_FW_TORCHTUNE, GM_ENGINE_FSDP, GM_FSDP_FULL_SHARD, CAN_OFFLOAD | CAN_OFFLOAD_PARAM,
     "torchtune FSDP"},
    {GM_FW_LITGPT, GM_ENGINE_FSDP, GM_FSDP_FULL_SHARD, 0, "litgpt FSDP"},
    {GM_FW_GENERIC, GM_ENGINE_FSDP, GM_FSDP_FULL_SHARD, 0, "pytorch FSDP"},
    {GM_FW_GENERIC, GM_ENGINE_DDP, 0, 0, "pytorch DDP"},
};
#define NUM_FAMILIES ((int)(sizeof families / sizeof families[0]))

/* The search's working state. */
typedef struct {
  const gm_plan_request *req;
  gm_plan_result *out;
  gm_params P;
  gm_gpu_perf gpu;
  int first_fit_only; /* min_gpus: stop at the first layout that fits */
  int reference_only; /* the card has no figures: rank as an H100, show none */
  int found;
  /* Per family: layouts that fit, and the closest miss. */
  int fam_fits[NUM_FAMILIES];
  uint64_t fam_best_over[NUM_FAMILIES];
  int fam_best_stage[NUM_FAMILIES], fam_best_rc[NUM_FAMILIES];
  gm_config fam_best[NUM_FAMILIES];
  /* The last resolutions (resolve_layout), each numbered, and the bounds
   * check of its config at one micro-batch (check_layout). */
  struct {
    int have, rc, serial, check_rc;
    int64_t checked_mb;
    int of;          /* the family_serial of the search_family call it was made in */
    gm_parallel par; /* and its key there: the parallel section, the accumulation steps */
    int64_t ga;
    /* The resolution with the recompute mode, micro-batch and offload
     * choices of its last candidate (resolve_here); opt, par_off: its own
     * offload choices. */
    gm_config resolved;
    gm_offload opt, par_off;
  } memo[3];
  int memo_next, memo_serial, last; /* last: the entry of the last resolution */
  /* The stage layouts of the resolution numbered shapes_of (0: none). */
  gm_shape_memo shapes;
  int shapes_of;
  /* Each family's resolution with every parallel size 1 (the same for every
   * GPU count): its rc, error, and the sizes the layouts are drawn from. Set
   * once per family by search_family, cleared by gm_plan only. */
  struct {
    int have, rc, layers, heads, kv_heads, experts;
    int64_t seq_len;
    gm_error err;
  } fam_r0[NUM_FAMILIES];
  gm_sections_memo sections; /* of the resolutions: checked by its key, cleared by gm_plan only */
  /* The sections of the last config whose bounds were checked that passed
   * (check_layout), each with a flag: cleared by gm_plan only. */
  gm_config passed;
  unsigned char passed_ok[GM_SEC_COUNT];
  /* Per class of the layouts of the family being searched (search_family's
   * call numbered family_serial): tensor parallelism on or off, a pipeline or
   * none. The engine and training sections of a class resolve alike
   * (gm_resolve_layout_memo's key: same_sections), and so do the model and
   * the hardware of one family and GPU count: the first resolution of the
   * class that resolved, with its offload choices as resolved, serves
   * states_floor; its parallel section is scratch. */
  int family_serial;
  gm_parallel states_given, states_par; /* the family's base parallel section, and with defaults */
  struct {
    int of; /* the family_serial it was kept for */
    gm_offload opt, par;
    gm_config c;
  } states_ref[4];
  int rank[GM_PLAN_MAX_TOP]; /* keep's order of out->layouts' slots */
  /* The pipeline sizes of divs_G GPUs and divs_L layers (search_family's),
   * found once for every family: each a division. Cleared by gm_plan only. */
  int divs_G, divs_L, ndivs;
  int divs[1600];                 /* the most divisors a positive int has */
  gm_stage_poly q[GM_MAX_STAGES]; /* the stages of the layout being tried */
  gm_model model;                 /* the request's, resolved: set once by gm_plan, never cleared */
} search;

/* A search of q into out starts: no layout seen, nothing resolved. Only the
 * counts and flags are cleared: the kept resolutions, stage layouts and
 * closest misses (tens of kilobytes) are read only behind them, and
 * min_gpus starts a search per GPU count. S->model is kept. */
static void search_start(search *S, const gm_plan_request *q, gm_plan_result *out,
                         const gm_params *P, int first_fit_only) {
  int i;
  S->req = q, S->out = out, S->P = *P;
  memset(&S->gpu, 0, sizeof S->gpu);
  S->first_fit_only = first_fit_only;
  S->reference_only = S->found = 0;
  for (i = 0; i < NUM_FAMILIES; i++) {
    S->fam_fits[i] = S->fam_best_stage[i] = S->fam_best_rc[i] = 0;
    S->fam_best_over[i] = 0;
  }
  for (i = 0; i < 3; i++)
    S->memo[i].have = 0;
  S->memo_next = S->last = 0;
  S->shapes_of = 0; /* no resolution has this number: the first clears them */
}

void gm_plan_request_init(gm_plan_request *req, const gm_config *base) {
  memset(req, 0, sizeof *req);
  req->base = *base;
  req->min_gpus = req->max_gpus = base->hardware.num_gpus > 0 ? base->hardware.num_gpus : 0;
  req->top = 20;
  req->max_micro_batch = 16;
  req->allow_offload = 1;
  req->allow_recompute = 1;
}

/* The fit verdict, as calculate gives it (verdict.c): 0 does not fit, 1
 * fits, 2 tight (within hardware.safety_margin of the card). */
static int fit_code(gm_verdict v) {
  return v == GM_VERDICT_FITS ? 1 : v == GM_VERDICT_TIGHT ? 2 : 0;
}

/* One line saying why a family was rejected; a repeated line is dropped. */
static void reject(gm_plan_result *o, const char *fam, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void reject(gm_plan_result *o, const char *fam, const char *fmt, ...) {
  char reason[sizeof o->rejected[0].reason];
  va_list ap;
  int i;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  for (i = 0; i < o->num_rejected; i++)
    if (strcmp(o->rejected[i].reason, reason) == 0 && strcmp(o->rejected[i].family, fam) == 0)
      return;
  if (o->num_rejected >= GM_PLAN_MAX_REJECTED)
    return;
  snprintf(o->rejected[o->num_rejected].family, sizeof o->rejected[0].family, "%s", fam);
  snprintf(o->rejected[o->num_rejected].reason, sizeof reason, "%s", reason);
  o->num_rejected++;
}

/* Whether memo entry i was resolved from candidate c (its recompute mode,
 * micro-batch and offload choices set aside, as resolve_layout does). The
 * candidates of one search_family call are its base config with the
 * parallel section, the micro-batch, the accumulation steps, the recompute
 * mode and the offload choices set, nothing else: within a call those
 * fields tell them apart, and the call's number the rest. The section is
 * compared whole (as gm_resolve_layout_memo compares its sections), so a
 * field added to it is part of the key. */
static int same_key(const search *S, int i, const gm_config *c) {
  return S->memo[i].have && S->memo[i].of == S->family_serial &&
         S->memo[i].ga == c->training.gradient_accumulation_steps &&
         memcmp(&S->memo[i].par, &c->parallel, sizeof c->parallel) == 0;
}

/* A candidate's offload choices over its resolution's: those it sets (not
 * GM_AUTO) replace them. */
static void patch_offload(gm_engine *e, gm_offload opt, gm_offload par) {
  if ((int)opt != GM_AUTO)
    e->offload_optimizer = opt;
  if ((int)par != GM_AUTO)
    e->offload_param = par;
}

/* The class of a layout whose engine and training sections resolve alike
 * (gm_resolve_layout_memo's key): tensor parallelism on or not, a pipeline or not. */
static int layout_class(const gm_parallel *p) { return (p->tp > 1) * 2 + (p->pp > 1); }

/* gm_resolve_unchecked of a candidate. Resolution copies the recompute mode
 * and the micro-batch size as given (the search always gives both), and the
 * offload choices unless unset, and derives nothing from them but the
 * offload checks (gm_check_offload); so candidates that differ in nothing
 * else resolve alike: the recompute modes, offloads and micro-batches of one
 * layout are resolved once and patched. Resolution is a pure function of the
 * config, so a kept result is exact whatever the order of the search.
 * cand is the caller's scratch: with those fields at fixed values while it
 * is resolved, as given again after. *c is set to the resolution with the
 * candidate's fields patched in, held in the memo: good until the next call
 * (which patches the entry again, or replaces it). */
static int resolve_here(search *S, gm_config *cand, gm_config **c) {
  gm_recompute rc = cand->training.recompute;
  int64_t b = cand->training.micro_batch_size;
  gm_offload opt = cand->engine.offload_optimizer, par = cand->engine.offload_param;
  gm_config *r;
  gm_error err;
  int i, n;
  /* Resolved with these fields at these values (same_key sets them aside). */
  cand->training.recompute = GM_AC_NONE;
  cand->training.micro_batch_size = 1;
  cand->engine.offload_optimizer = cand->engine.offload_param = (gm_offload)GM_AUTO;
  /* The last entry used first: a layout's modes come one after another. */
  for (n = 0; n < 3; n++) {
    i = (S->last + n) % 3;
    if (same_key(S, i, cand))
      break;
  }
  if (n == 3) {
    i = S->memo_next, S->memo_next = (i + 1) % 3;
    S->memo[i].have = 1;
    S->memo[i].serial = ++S->memo_serial;
    S->memo[i].checked_mb = 0;
    S->memo[i].of = S->family_serial;
    S->memo[i].par = cand->parallel;
    S->memo[i].ga = cand->training.gradient_accumulation_steps;
    S->memo[i].resolved = *cand;
    /* Every candidate has the request's model, resolved once. */
    S->memo[i].rc =
        memcmp(&cand->model, &S->req->base.model, sizeof cand->model) == 0
            ? gm_resolve_layout_memo(&S->memo[i].resolved, &S->model, &S->sections, &err)
            : gm_resolve_unchecked(&S->memo[i].resolved, NULL, &err);
    S->memo[i].opt = S->memo[i].resolved.engine.offload_optimizer;
    S->memo[i].par_off = S->memo[i].resolved.engine.offload_param;
  }
  cand->training.recompute = rc;
  cand->training.micro_batch_size = b;
  cand->engine.offload_optimizer = opt, cand->engine.offload_param = par;
  S->last = i;
  if (S->memo[i].rc != GM_OK)
    return S->memo[i].rc;
  r = &S->memo[i].resolved;
  r->training.recompute = rc;
  r->training.micro_batch_size = b;
  r->engine.offload_optimizer = S->memo[i].opt, r->engine.offload_param = S->memo[i].par_off;
  patch_offload(&r->engine, opt, par);
  *c = r;
  return gm_check_offload(&r->engine, &err);
}

/* The same, copied into the caller's *c (written when it resolves). */
static int resolve_layout(search *S, gm_config *cand, gm_config *c) {
  gm_config *r;
  int rc = resolve_here(S, cand, &r);
  if (rc == GM_OK)
    *c = *r;
  return rc;
}

/* gm_check_resolved of c, section by section: a section the same as one
 * that passed passes (each check reads its own section only). */
static int check_sections(search *S, const gm_config *c) {
  gm_error err;
  int s;
  for (s = 0; s < GM_SEC_COUNT; s++) {
    size_t at = gm_schema[s].offset, n = gm_schema[s].size;
    const char *mine = (const char *)c + at;
    char *kept = (char *)&S->passed + at;
    if (S->passed_ok[s] && memcmp(mine, kept, n) == 0)
      continue;
    if (gm_check_resolved_section((gm_section)s, c, &err) != GM_OK)
      return GM_EINVAL;
    memcpy(kept, mine, n);
    S->passed_ok[s] = 1;
  }
  return GM_OK;
}

/* gm_check_resolved of c, just resolved by resolve_layout. The bounds read
 * neither the recompute mode nor offloading (enums, unbounded), so the check
 * at one micro-batch holds for every mode and offload of the resolution. */
static int check_layout(search *S, const gm_config *c) {
  int i = S->last;
  if (S->memo[i].checked_mb != c->training.micro_batch_size) {
    S->memo[i].checked_mb = c->training.micro_batch_size;
    S->memo[i].check_rc = check_sections(S, c);
  }
  return S->memo[i].check_rc;
}

/* The first micro-batch of a layout's candidates (micro_batches): the same
 * for its recompute modes and offload choices (known: found once). */
typedef struct {
  int known, n;
  int64_t b, ga;
  /* Stage 0's parameters (gm_stage_params), the same for them too (shaped:
   * known); under: its states without offload are not over the card. */
  int shaped, under;
  gm_shape stage0;
} first_batch;

/* A peak below which a candidate cannot be (0: none known), and its excess
 * over the card; tried once the first candidate it serves resolved. Before
 * that, states: the peak is the model states' bound (states_floor), found
 * before the candidate's resolution. */
typedef struct {
  int tried, states;
  uint64_t peak, over;
} floor_peak;

/* Whether a candidate of family fi that does not fit, with a peak of at
 * least floor (gm_first_stage_floor), needs no evaluation: the search looks
 * for a first fit only (min_gpus: its closest misses are not reported), or
 * the family has a layout that fits, or a closest miss it cannot beat
 * (try_layout keeps the first of equal misses). */
static int beyond_reach(const search *S, int fi, const floor_peak *floor) {
  return floor->peak > 0 && (S->first_fit_only || S->fam_fits[fi] ||
                             (S->fam_best_over[fi] != 0 && floor->over >= S->fam_best_over[fi]));
}

/* Whether the kept resolution numbered serial (0: none) is c but in the
 * accumulation steps and micro-batches per step (and the candidate's fields
 * resolve_here patches). */
static int restep_of(search *S, int serial, gm_config *c) {
  int i, same;
  int64_t ga = c->training.gradient_accumulation_steps, m = c->parallel.num_microbatches;
  int64_t b = c->training.micro_batch_size;
  gm_recompute rc = c->training.recompute;
  gm_offload opt = c->engine.offload_optimizer, par = c->engine.offload_param;
  const gm_config *k = NULL;
  for (i = 0; i < 3 && serial; i++)
    if (S->memo[i].have && S->memo[i].serial == serial)
      k = &S->memo[i].resolved;
  if (!k || k->parallel.tp != c->parallel.tp || k->parallel.pp != c->parallel.pp ||
      k->parallel.vpp != c->parallel.vpp || k->parallel.dp != c->parallel.dp)
    return 0;
  /* Both hold their last candidate's patches (resolve_here), which the
   * stage layouts do not read either. */
  c->training.gradient_accumulation_steps = k->training.gradient_accumulation_steps;
  c->parallel.num_microbatches = k->parallel.num_microbatches;
  c->training.micro_batch_size = k->training.micro_batch_size;
  c->training.recompute = k->training.recompute;
  c->engine.offload_optimizer = k->engine.offload_optimizer;
  c->engine.offload_param = k->engine.offload_param;
  same = memcmp(k, c, sizeof *c) == 0;
  c->training.gradient_accumulation_steps = ga, c->parallel.num_microbatches = m;
  c->training.micro_batch_size = b, c->training.recompute = rc;
  c->engine.offload_optimizer = opt, c->engine.offload_param = par;
  return same;
}

/* Resolve a candidate and find its peak and verdict (fit_code); 0 when it
 * does not resolve. With nq, the polynomials of the stages it evaluates are
 * started in S->q (*nq of them). With floor (that of family fi, try_layout),
 * a candidate beyond reach by it is settled with its floor as its peak:
 * searched, but not evaluated in full. *res: the resolution (resolve_here's,
 * good until the next), when it resolves. */
static uint64_t evaluate_start(search *S, gm_config *cand, const gm_config **res, int *worst,
                               int *fit, int *nq, int fi, floor_peak *floor) {
  gm_config *resolved;
  gm_verdict v;
  uint64_t peak;
  int how = 0; /* on_evaluated's from_polynomial: 2 when settled by the floor */
  int cls;
  *fit = 0;
  S->out->searched++;
  /* The bounds of derived values (gm_check_resolved) are checked only where
   * the answer depends on them: on a layout that fits, and on the closest
   * miss (try_layout). Outside them a layout does not resolve, as in calculate. */
  if (resolve_here(S, cand, &resolved) != GM_OK) {
    peak = 0;
  } else {
    *res = resolved;
    /* The stage layouts differ only between resolutions; their parameters
     * not between those that differ only in the accumulation steps (a
     * layout's micro-batches). */
    if (S->shapes_of != S->memo[S->last].serial) {
      if (restep_of(S, S->shapes_of, &S->memo[S->last].resolved))
        gm_shape_memo_restep(&S->shapes, &S->memo[S->last].resolved);
      else
        gm_shape_memo_clear(&S->shapes);
      S->shapes_of = S->memo[S->last].serial;
    }
    /* A class's first resolution serves states_floor. */
    cls = layout_class(&resolved->parallel);
    if (S->states_ref[cls].of != S->family_serial) {
      S->states_ref[cls].of = S->family_serial;
      S->states_ref[cls].c = *resolved;
      S->states_ref[cls].opt = S->memo[S->last].opt;
      S->states_ref[cls].par = S->memo[S->last].par_off;
    }
    /* The part that reads no recompute mode serves the layout's next modes. */
    if (floor && !floor->tried && !S->req->no_bounds) {
      floor->tried = 1, floor->states = 0;
      if (gm_first_stage_floor(&S->shapes, resolved, &S->P, &floor->peak))
        floor->over = floor->peak - resolved->hardware.gpu_capacity_bytes;
    }
    if (floor && beyond_reach(S, fi, floor)) {
      peak = floor->peak,
      how = 2; /* at stage 0; try_layout may record it as a miss, which changes no answer */
      *worst = 0;
    } else {
      peak = gm_worst_peak_memo(resolved, &S->P, &S->shapes, worst, &v, nq ? S->q : NULL, nq);
      *fit = fit_code(v);
      if (*fit && check_layout(S, resolved) != GM_OK)
        peak = 0, *fit = 0;
    }
  }
  if (how != 2)
    S->out->evaluated++; /* in full, or found not to resolve */
  if (S->req->on_evaluated)
    S->req->on_evaluated(S->req->on_evaluated_arg, cand, peak, *fit, how);
  return peak;
}

/* The same, without the polynomials. */
static uint64_t evaluate(search *S, gm_config *cand, int *worst, int *fit) {
  const gm_config *res;
  return evaluate_start(S, cand, &res, worst, fit, NULL, 0, NULL);
}

/* A candidate beyond reach by the floor its layout's first mode found, or by
 * its model states, settled before its resolution: searched, but not evaluated. */
static int settled_by_floor(search *S, int fi, const gm_config *cand, const floor_peak *floor) {
  if (!beyond_reach(S, fi, floor))
    return 0;
  S->out->searched++;
  if (S->req->on_evaluated)
    S->req->on_evaluated(S->req->on_evaluated_arg, cand, floor->peak, 0, floor->states ? 3 : 2);
  return 1;
}

/* A bound below gm_first_stage_floor's, before the candidate's resolution:
 * stage 0's weights, gradients, optimizer states and gathered parameters in
 * their largest phase (gm_stage_states_bytes), over the card with the CUDA
 * context, into *floor (states set); stage 0's parameters are kept in *first
 * for the layout's other candidates. The candidate's class's kept resolution (states_ref) with
 * the candidate's parallel section, constant defaults applied (all that
 * resolution gives the fields stage 0's parameters read), and its offload
 * choices patched in as resolve_layout patches them, is the candidate's
 * resolution in all that the states read. A candidate that would not resolve
 * is settled too: it adds nothing to the answer either way. */
static void states_floor(search *S, const gm_config *cand, first_batch *first, floor_peak *floor) {
  int cls = layout_class(&cand->parallel);
  gm_config *r = &S->states_ref[cls].c;
  gm_checked chk = {0};
  uint64_t lb, ctx = (uint64_t)r->hardware.cuda_context_bytes;
  const gm_parallel *p = &cand->parallel, *given = &S->states_given, *dflt = &S->states_par;
  if (S->states_ref[cls].of != S->family_serial || first->under)
    return;
  /* The candidate's parallel section with its constant defaults applied: it
   * is the family's but in the fields search_family sets, none of them
   * unset; the rest, unset or not, are those of the family's with defaults. */
  r->parallel = *dflt;
  r->parallel.tp = p->tp, r->parallel.cp = p->cp, r->parallel.pp = p->pp;
  r->parallel.dp = p->dp, r->parallel.vpp = p->vpp, r->parallel.ep = p->ep;
  if (p->first_stage_layers != given->first_stage_layers)
    r->parallel.first_stage_layers = p->first_stage_layers;
  if (p->last_stage_layers != given->last_stage_layers)
    r->parallel.last_stage_layers = p->last_stage_layers;
  if (p->schedule != given->schedule)
    r->parallel.schedule = p->schedule;
  if (p->sequence_parallel != given->sequence_parallel)
    r->parallel.sequence_parallel = p->sequence_parallel;
  /* What resolve_parallel derives of what the states read (the schedule and
   * the micro-batches per step, for the gradients' accumulators), and the
   * fields resolve_layout patches in. */
  r->parallel.schedule = gm_schedule_run(&r->parallel);
  if (r->parallel.num_microbatches == GM_AUTO)
    r->parallel.num_microbatches = cand->training.gradient_accumulation_steps;
  r->training.gradient_accumulation_steps = cand->training.gradient_accumulation_steps;
  r->training.micro_batch_size = cand->training.micro_batch_size;
  r->training.recompute = cand->training.recompute;
  r->engine.offload_optimizer = S->states_ref[cls].opt;
  r->engine.offload_param = S->states_ref[cls].par;
  patch_offload(&r->engine, cand->engine.offload_optimizer, cand->engine.offload_param);
  if (!first->shaped) {
    gm_stage_params(r, &S->P, 0, &first->stage0);
    first->shaped = 1;
  }
  lb = gm_bytes(&chk, gm_stage_states_bytes(r, &S->P, &first->stage0));
  /* gm_first_stage_floor's test and figure. */
  if (chk.overflow || !((double)lb + (double)ctx > (double)r->hardware.gpu_capacity_bytes)) {
    /* Offloading only takes states off the GPU (model_states): the
     * layout's offload choices after this one are not over either. */
    first->under = r->engine.offload_optimizer == GM_OFFLOAD_NONE &&
                   r->engine.offload_param == GM_OFFLOAD_NONE && !chk.overflow;
    return;
  }
  floor->peak = lb + ctx;
  floor->over = floor->peak - r->hardware.gpu_capacity_bytes;
  floor->states = 1;
}

/* Layouts that fit with room come before tight ones; then the fastest. */
static int better(const gm_plan_layout *a, const gm_plan_layout *b) {
  if (a->tight != b->tight)
    return b->tight;
  if (a->perf.tokens_per_s_per_gpu > 0 && b->perf.tokens_per_s_per_gpu > 0 &&
      a->perf.tokens_per_s_per_gpu != b->perf.tokens_per_s_per_gpu)
    return a->perf.tokens_per_s_per_gpu > b->perf.tokens_per_s_per_gpu;
  return a->peak_bytes < b->peak_bytes;
}

/* Keep the best req->top layouts: each stays in its slot of out->layouts,
 * S->rank[i] is the slot of the i-th best (a layout is 744 bytes: moving
 * ranks instead took 1 % off the bench request's instructions).
 * put_in_rank_order orders the slots once the search ends. */
static void keep(search *S, const gm_plan_layout *l) {
  gm_plan_result *o = S->out;
  int top = S->req->top < 1 ? 1 : S->req->top > GM_PLAN_MAX_TOP ? GM_PLAN_MAX_TOP : S->req->top;
  int i = o->num_layouts, slot = i;
  if (i >= top) {
    if (!better(l, &o->layouts[S->rank[top - 1]]))
      return;
    i = top - 1, slot = S->rank[i];
  } else {
    o->num_layouts++;
  }
  while (i > 0 && better(l, &o->layouts[S->rank[i - 1]])) {
    S->rank[i] = S->rank[i - 1];
    i--;
  }
  S->rank[i] = slot;
  o->layouts[slot] = *l;
}

/* out->layouts best first: the layout in slot S->rank[i] moved to slot i,
 * along each cycle of the permutation with one layout held aside. */
static void put_in_rank_order(search *S) {
  gm_plan_result *o = S->out;
  gm_plan_layout held;
  int i, j, k;
  for (i = 0; i < o->num_layouts; i++) {
    if (S->rank[i] == i)
      continue;
    held = o->layouts[i];
    for (j = i; S->rank[j] != i; j = k) {
      k = S->rank[j];
      o->layouts[j] = o->layouts[k];
      S->rank[j] = j;
    }
    o->layouts[j] = held;
    S->rank[j] = j;
  }
}

/* Micro-batch sizes worth trying for data parallel dp, ascending; and the
 * accumulation steps of each to reach the global batch. */
static int micro_batches(const search *S, const gm_config *c, int dp, int max_n, int64_t *b,
                         int64_t *ga) {
  const gm_plan_request *q = S->req;
  int64_t fixed_b = c->training.micro_batch_size,
          fixed_ga = c->training.gradient_accumulation_steps;
  int64_t lo = fixed_b > 0 ? fixed_b : 1, hi = fixed_b > 0 ? fixed_b : q->max_micro_batch, x;
  int n = 0, p = c->parallel.pp > 0 ? c->parallel.pp : 1;
  int v = c->parallel.vpp > 0 ? c->parallel.vpp : 1;
  if (S->first_fit_only)
    hi = lo;
  for (x = lo; x <= hi && n < max_n; x++) {
    int64_t steps;
    if (q->global_batch > 0 && !S->first_fit_only) {
      if (q->global_batch % (x * dp) != 0)
        continue;
      steps = q->global_batch / (x * dp);
      if (fixed_ga > 0 && steps != fixed_ga)
        continue;
      if (p > 1 && v > 1 && steps % p != 0)
        continue; /* the interleaved schedule runs micro-batches in groups of p */
    } else {
      /* No global batch: enough micro-batches to keep the pipeline busy. */
      steps = fixed_ga > 0 ? fixed_ga : p > 1 ? 4 * p : 1;
    }
    b[n] = x, ga[n] = steps, n++;
  }
  return n;
}

static void set_mb(gm_config *c, int64_t b, int64_t ga) {
  c->training.micro_batch_size = b;
  c->training.gradient_accumulation_steps = ga;
}

/* The largest index of b whose micro-batch fits with room, b[0] fitting
 * with room in r (c resolved) at *peak_lo, its nq stages' polynomials started
 * in S->q. Memory is affine in the
 * micro-batch while the accumulation steps keep the same micro-batches in
 * flight: the candidates that do are read off the stages' polynomials up to
 * the first that does not fit; that one and the last that fits are then
 * evaluated in full. Where the polynomials do not reach or disagree:
 * bisection, in full (memory grows with b). */
static int largest_fitting_index(search *S, gm_config *c, const gm_config *r, const int64_t *b,
                                 const int64_t *ga, int n, int nq, uint64_t *peak_lo) {
  int lo = 0, hi = n, i, worst, f, checked = 0, last_read = 0;
  uint64_t pk;
  /* A micro-batch evaluated in full after its peak was read off counts once. */
#define FULL_AT(j)                                                                                 \
  (set_mb(c, b[j], ga[j]), pk = evaluate(S, c, &worst, &f), S->out->searched -= (j) <= last_read,  \
   pk > 0 && f == 1)
  /* Two candidates: one full evaluation settles them, as the polynomial would. */
  if (n > 2) {
    int64_t m0 = r->parallel.num_microbatches;
    for (i = 0; i < nq; i++)
      gm_stage_poly_finish(&S->q[i], r, &S->P, &S->shapes); /* r's layouts, just evaluated */
    S->out->evaluated++;                                    /* the stages at a second micro-batch */
    for (i = 1; i < n; i++) {
      gm_verdict v;
      int64_t m = c->parallel.num_microbatches == GM_AUTO ? ga[i] : m0;
      uint64_t at;
      if (!gm_same_schedule_memory(r, ga[0], m0, ga[i], m))
        break;
      at = gm_poly_peak(r, S->q, nq, (double)b[i], NULL, &v);
      S->out->searched++, last_read = i;
      if (S->req->on_evaluated) {
        gm_config k = *c;
        set_mb(&k, b[i], ga[i]);
        S->req->on_evaluated(S->req->on_evaluated_arg, &k, at, fit_code(v), 1);
      }
      if (v != GM_VERDICT_FITS)
        break;
      lo = i;
    }
    hi = i;
    if (lo > 0) {
      if (FULL_AT(lo))
        *peak_lo = pk;
      else
        hi = lo, lo = 0, checked = 1; /* hi is known not to fit */
    }
    if (hi < n && !checked) {
      if (!FULL_AT(hi))
        return lo;
      lo = hi, *peak_lo = pk, hi = n;
    }
  }
  while (hi - lo > 1) {
    int mid = lo + (hi - lo) / 2;
    if (FULL_AT(mid))
      lo = mid, *peak_lo = pk;
    else
      hi = mid;
  }
#undef FULL_AT
  return lo;
}

/* One layout without its micro-batch: find the largest b that fits with
 * room (memory grows with b), then the fastest b up to it. The candidate is
 * the caller's scratch: its micro-batch and accumulation steps change.
 * *first is kept by the caller for the candidates of one layout, *floor for
 * its recompute modes of one offload choice (both zero to start): set by
 * the first of them (the floor by the first that resolves, evaluate_start),
 * each serves them all, as they share the b[0] it is for. */
static void try_layout(search *S, int fi, gm_config *cand, first_batch *first, floor_peak *floor) {
  int64_t b[64], ga[64];
  int64_t given_b = cand->training.micro_batch_size,
          given_ga = cand->training.gradient_accumulation_steps;
  int n, lo, i, worst = 0, fit, best_i, nq = 0;
  const gm_config *res = NULL;
  gm_config r;
  gm_plan_layout l;
  uint64_t peak, peak_lo, peak0;
  /* The first micro-batch only: most layouts stop there. */
  if (!first->known) {
    first->known = 1;
    first->n = micro_batches(S, cand, cand->parallel.dp, 1, b, ga);
    first->b = b[0], first->ga = ga[0];
  }
  n = first->n, b[0] = first->b, ga[0] = first->ga;
  if (n == 0)
    return;
  set_mb(cand, b[0], ga[0]);
  if (!floor->tried && floor->peak == 0 && !S->req->no_bounds)
    states_floor(S, cand, first, floor);
  if (settled_by_floor(S, fi, cand, floor))
    return;
  peak = evaluate_start(S, cand, &res, &worst, &fit, &nq, fi, floor);
  if (peak == 0)
    return;
  if (!fit) {
    uint64_t cap = res->hardware.gpu_capacity_bytes, over = peak > cap ? peak - cap : 1;
    if (!S->fam_fits[fi] && (S->fam_best_over[fi] == 0 || over < S->fam_best_over[fi]) &&
        check_layout(S, res) == GM_OK) {
      S->fam_best_over[fi] = over;
      S->fam_best_stage[fi] = worst;
      S->fam_best_rc[fi] = (int)res->training.recompute;
      S->fam_best[fi] = *res;
    }
    return;
  }
  r = *res; /* the next evaluations patch or replace it */
  S->fam_fits[fi]++;
  S->found = 1;
  if (S->first_fit_only)
    return;
  set_mb(cand, given_b, given_ga);
  n = micro_batches(S, cand, cand->parallel.dp, 64, b, ga); /* b[0] again, and the rest */
  /* A tight b[0] stays alone. */
  peak_lo = peak;
  lo = fit == 2 ? 0 : largest_fitting_index(S, cand, &r, b, ga, n, nq, &peak_lo);
  /* The fastest micro-batch up to the largest that fits. The step time
   * needs only the batch fields of the resolved config: resolve once. */
  memset(&l, 0, sizeof l);
  best_i = lo;
  set_mb(cand, b[lo], ga[lo]);
  /* b[lo] was evaluated in full and fits: its bounds are checked. */
  if (resolve_layout(S, cand, &r) == GM_OK)
    for (i = 0; i <= lo; i++) {
      gm_perf pf;
      r.training.micro_batch_size = b[i];
      r.training.gradient_accumulation_steps = ga[i];
      if (cand->parallel.num_microbatches == GM_AUTO)
        r.parallel.num_microbatches = ga[i];
      gm_perf_eval(&r, &S->P, &S->gpu, &pf);
      if (i == 0 || (pf.known && pf.tokens_per_s_per_gpu > l.perf.tokens_per_s_per_gpu))
        l.perf = pf, best_i = i;
    }
  peak0 = peak, peak = peak_lo;
  if (best_i == 0 && lo > 0) {
    peak = peak0; /* evaluated in full first */
  } else if (best_i != lo) {
    int f;
    set_mb(cand, b[best_i], ga[best_i]);
    peak = evaluate(S, cand, &worst, &f);
    S->out->searched--; /* its peak was found already, up to the largest */
    if (peak == 0 || f != 1) {
      /* Memory was not monotone in b here: keep the largest that fits. */
      best_i = lo, peak = peak_lo;
      set_mb(cand, b[lo], ga[lo]);
      if (resolve_layout(S, cand, &r) == GM_OK)
        gm_perf_eval(&r, &S->P, &S->gpu, &l.perf);
    }
  }
  set_mb(cand, b[best_i], ga[best_i]);
  if (S->reference_only)
    l.perf.known = 0;
  l.config = *cand;
  l.peak_bytes = peak;
  l.tight = best_i == 0 && fit == 2;
  keep(S, &l);
}

static int family_allowed(const gm_plan_request *q, const family *f) {
  const gm_engine *e = &q->base.engine;
  int i, listed = q->num_frameworks == 0;
  for (i = 0; i < q->num_frameworks; i++)
    if (q->frameworks[i] == f->fw)
      listed = 1;
  if (!listed)
    return 0;
  if ((int)e->kind != GM_AUTO && e->kind != f->engine)
    return 0;
  if ((int)e->kind == GM_AUTO && f->engine == GM_ENGINE_MEGATRON_DEEPSPEED)
    return 0; /* only when asked for */
  if ((int)e->framework != GM_AUTO && e->framework != f->fw)
    return 0;
  if (e->zero_stage != GM_AUTO &&
      (f->engine == GM_ENGINE_DEEPSPEED || f->engine == GM_ENGINE_MEGATRON_DEEPSPEED) &&
      e->zero_stage != f->variant)
    return 0;
  if ((int)e->sharding != GM_AUTO && f->engine == GM_ENGINE_FSDP && (int)e->sharding != f->variant)
    return 0;
  if (e->distributed_optimizer != GM_AUTO && f->engine == GM_ENGINE_MEGATRON &&
      e->distributed_optimizer != f->variant)
    return 0;
  return 1;
}

/* Every layout of family fi on G GPUs. */
static void search_family(search *S, int fi, int G) {
  const family *f = &families[fi];
  const gm_plan_request *q = S->req;
  const gm_config *base = &q->base;
  const char *fw = gm_framework_name(f->fw);
  gm_config c = *base, k;
  int node, L, heads, kv, nex, tp, cp, pp, v, ep, rc, off, edge;
  int64_t seq;
  floor_peak floors[3]; /* try_layout's, per offload choice */
  first_batch first;    /* try_layout's */
  int npp, pi;
  c.engine.kind = f->engine;
  c.engine.framework = f->fw;
  if (f->engine == GM_ENGINE_DEEPSPEED || f->engine == GM_ENGINE_MEGATRON_DEEPSPEED)
    c.engine.zero_stage = f->variant;
  else if (f->engine == GM_ENGINE_FSDP)
    c.engine.sharding = (gm_fsdp_strategy)f->variant;
  else if (f->engine == GM_ENGINE_MEGATRON)
    c.engine.distributed_optimizer = f->variant;
  c.hardware.num_gpus = G;
  k = c;
  S->family_serial++; /* no kept resolution serves states_floor yet */
  S->states_given = S->states_par = c.parallel;
  gm_defaults_apply(&S->sections.defaults[GM_SEC_PARALLEL], &S->states_par);
  /* The model as resolved (layout-independent: the GPU count is left open). */
  if (!S->fam_r0[fi].have) {
    gm_config r0 = c;
    r0.parallel.tp = r0.parallel.pp = r0.parallel.cp = r0.parallel.ep = r0.parallel.vpp = 1;
    r0.parallel.dp = GM_AUTO;
    r0.hardware.num_gpus = GM_AUTO;
    S->fam_r0[fi].have = 1;
    S->fam_r0[fi].rc = gm_resolve_defaults(&r0, S->sections.defaults, &S->fam_r0[fi].err);
    S->fam_r0[fi].layers = r0.model.num_layers, S->fam_r0[fi].heads = r0.model.num_attention_heads;
    S->fam_r0[fi].kv_heads = r0.model.num_key_value_heads;
    S->fam_r0[fi].experts = r0.model.num_experts, S->fam_r0[fi].seq_len = r0.training.seq_len;
  }
  if (S->fam_r0[fi].rc != GM_OK) {
    reject(S->out, f->label, "%s: %s", S->fam_r0[fi].err.field, S->fam_r0[fi].err.message);
    return;
  }
  node = base->hardware.gpus_per_node > 0 ? base->hardware.gpus_per_node : (G < 8 ? G : 8);
  L = S->fam_r0[fi].layers, heads = S->fam_r0[fi].heads, kv = S->fam_r0[fi].kv_heads;
  nex = S->fam_r0[fi].experts, seq = S->fam_r0[fi].seq_len;
  /* The pipeline sizes G allows, ascending: each is a divisor of G (of the
   * GPUs per tensor and context group), up to the layers. */
  if (S->divs_G != G || S->divs_L != L) {
    S->divs_G = G, S->divs_L = L;
    for (pp = 1, npp = 0; pp <= L && pp <= G && npp < (int)(sizeof S->divs / sizeof S->divs[0]);
         pp++)
      if (G % pp == 0)
        S->divs[npp++] = pp;
    S->ndivs = npp;
  }
  npp = S->ndivs;
  for (tp = 1; tp <= G; tp *= 2) {
    if (base->parallel.tp != GM_AUTO && tp != base->parallel.tp)
      continue;
    if (tp > 1 && !(f->can & CAN_TP)) {
      if (base->parallel.tp > 1)
        reject(S->out, fw, "%s has no tensor parallelism", f->label);
      break;
    }
    if (heads % tp != 0 || (kv % tp != 0 && tp % kv != 0)) {
      reject(S->out, fw, "TP %d does not divide %d attention heads and %d KV heads", tp, heads, kv);
      continue;
    }
    if (tp > node) {
      reject(S->out, fw, "TP %d crosses a node of %d GPUs", tp, node);
      break;
    }
    for (cp = 1; cp * tp <= G; cp *= 2) {
      if (base->parallel.cp != GM_AUTO && cp != base->parallel.cp)
        continue;
      /* Context parallelism is for long sequences: chunks of 4,096 tokens at least. */
      if (cp > 1 && (!(f->can & CAN_CP) || seq % cp != 0 || seq / cp < 4096))
        break;
      for (pi = 0; pi < npp && (pp = S->divs[pi]) * tp * cp <= G; pi++) {
        int dp, vmax;
        if (base->parallel.pp != GM_AUTO && pp != base->parallel.pp)
          continue;
        if (G % (tp * cp * pp) != 0)
          continue;
        if (pp > 1 && !(f->can & CAN_PP))
          break;
        edge = -1;
        if (pp > 1 && L % pp != 0 && !(f->can & CAN_UNEVEN_PP)) {
          /* Megatron-LM's uneven split: the first and last stages take
           * fewer layers (--decoder-first/last-pipeline-num-layers), the
           * middle stages split the rest evenly. */
          if ((f->can & CAN_EDGE_PP) && pp > 2 && base->parallel.first_stage_layers == GM_AUTO &&
              base->parallel.last_stage_layers == GM_AUTO)
            for (edge = L / pp; edge >= 1 && (L - 2 * edge) % (pp - 2) != 0; edge--)
              ;
          /* Ends of at least half a middle stage: fewer starve the pipeline. */
          if (edge >= 1 && 2 * edge < (L - 2 * edge) / (pp - 2))
            edge = -1;
          if (edge < 1) {
            if (base->parallel.pp != GM_AUTO || pp <= 16)
              reject(S->out, fw, "PP %d does not divide %d layers and %s is set to even splits%s",
                     pp, L, fw,
                     f->can & CAN_EDGE_PP
                         ? " (nor with first and last stages of half a stage or more)"
                         : "");
            continue;
          }
        }
        dp = G / (tp * cp * pp);
        if (base->parallel.dp != GM_AUTO && dp != base->parallel.dp)
          continue;
        if (f->variant == GM_FSDP_HYBRID_SHARD && f->engine == GM_ENGINE_FSDP &&
            dp * cp <= node / tp)
          continue; /* hybrid equals full shard inside one node */
        /* Virtual stages are searched under the interleaved schedule, which
         * they then select; a schedule the config fixes otherwise (1F1B,
         * GPipe) keeps one stage per rank, unless it gives virtual stages too. */
        vmax = pp > 1 && (f->can & CAN_VPP) ? 8 : 1;
        if ((int)base->parallel.schedule != GM_AUTO &&
            base->parallel.schedule != GM_SCHED_INTERLEAVED && base->parallel.vpp == GM_AUTO)
          vmax = 1;
        for (v = 1; v <= vmax; v++) {
          if (base->parallel.vpp != GM_AUTO && v != base->parallel.vpp)
            continue;
          if (v > 1 &&
              (edge > 0 ? edge % v != 0 || (L - 2 * edge) / (pp - 2) % v != 0 : L % (pp * v) != 0))
            continue;
          for (ep = 1; ep <= dp * cp; ep++) {
            if (base->parallel.ep != GM_AUTO && ep != base->parallel.ep)
              continue;
            if (ep > 1 && (!(f->can & CAN_EP) || nex <= 0))
              break;
            if (ep > 1 && nex % ep != 0)
              continue;
            memset(floors, 0, sizeof floors); /* a new layout */
            memset(&first, 0, sizeof first);
            for (rc = 0; rc < 3; rc++) {
              if ((int)base->training.recompute != GM_AUTO) {
                if (rc != (int)base->training.recompute)
                  continue;
              } else if (!q->allow_recompute && rc != 0) {
                continue;
              }
              for (off = 0; off < 3; off++) {
                if (off > 0 && (!q->allow_offload || S->first_fit_only ||
                                (int)base->engine.offload_optimizer != GM_AUTO))
                  break;
                if (off == 1 && !(f->can & CAN_OFFLOAD))
                  continue;
                if (off == 2 &&
                    (!(f->can & CAN_OFFLOAD_PARAM) || (int)base->engine.offload_param != GM_AUTO))
                  continue; /* nor a parameter offload the config fixes */
                /* k is c but in what the candidates set (and try_layout changes). */
                k.parallel = c.parallel;
                k.training.micro_batch_size = c.training.micro_batch_size;
                k.training.gradient_accumulation_steps = c.training.gradient_accumulation_steps;
                k.engine.offload_optimizer = c.engine.offload_optimizer;
                k.engine.offload_param = c.engine.offload_param;
                k.parallel.tp = tp, k.parallel.cp = cp, k.parallel.pp = pp;
                k.parallel.dp = dp, k.parallel.vpp = v, k.parallel.ep = ep;
                if (edge > 0)
                  k.parallel.first_stage_layers = k.parallel.last_stage_layers = edge;
                if (v > 1 && (int)base->parallel.schedule == GM_AUTO)
                  k.parallel.schedule = GM_SCHED_INTERLEAVED;
                if (tp > 1 && base->parallel.sequence_parallel == GM_AUTO &&
                    (f->fw == GM_FW_TORCHTITAN || f->fw == GM_FW_MEGATRON))
                  k.parallel.sequence_parallel = 1; /* always on with TP in both */
                k.training.recompute = (gm_recompute)rc;
                if (off >= 1)
                  k.engine.offload_optimizer = GM_OFFLOAD_CPU;
                if (off == 2)
                  k.engine.offload_param = GM_OFFLOAD_CPU;
                try_layout(S, fi, &k, &first, &floors[off]);
                if (S->first_fit_only && S->found)
                  return;
              }
            }
          }
        }
      }
    }
  }
}

static void search_all(search *S, int G) {
  int fi;
  for (fi = 0; fi < NUM_FAMILIES; fi++) {
    if (!family_allowed(S->req, &families[fi]))
      continue;
    search_family(S, fi, G);
    if (S->first_fit_only && S->found)
      return;
  }
}

/* The GPU counts tried in a range [lo, hi]: lo, hi, every power of two
 * between, and every multiple of a node when there are at most 32 of them
 * (a wide range is sampled, not swept). */
static int next_count(int G, int lo, int hi, int node) {
  int p2 = 1, mult, next;
  while (p2 <= G)
    p2 *= 2;
  mult = (G / node + 1) * node;
  next = (hi - lo) / node <= 32 && mult < p2 ? mult : p2;
  return G < hi && next > hi ? hi : next;
}

/* Fewest GPUs on which some layout fits: from the bound of the model
 * states fully sharded over every GPU, upwards. */
static int min_gpus(search *S, const gm_plan_request *q, const gm_params *P,
                    gm_plan_result *scratch) {
  gm_config r = q->base;
  gm_error err;
  gm_precision_bytes lb;
  double usable, states;
  int G, lo, tries = 0;
  r.hardware.num_gpus = GM_AUTO;
  r.parallel.tp = r.parallel.pp = r.parallel.cp = r.parallel.ep = r.parallel.vpp = 1;
  r.parallel.dp = GM_AUTO;
  if ((int)r.engine.kind == GM_AUTO)
    r.engine.kind = GM_ENGINE_FSDP;
  if (gm_resolve_defaults(&r, S->sections.defaults, &err) != GM_OK)
    return 0;
  lb = gm_precision_bytes_of(&r.training);
  usable = (double)(r.hardware.gpu_capacity_bytes - r.hardware.cuda_context_bytes);
  states =
      (double)P->total * lb.weights + (double)P->trainable * (lb.grads + lb.master + lb.states);
  lo = (int)ceil(states / usable);
  if (lo < 1)
    lo = 1;
  for (G = lo; G <= 1 << 20 && tries < 200; tries++) {
    /* A first-fit search keeps no layouts: its reasons start again, its counts add up. */
    scratch->num_layouts = scratch->num_rejected = scratch->num_suggestions = 0;
    search_start(S, q, scratch, P, 1);
    search_all(S, G);
    if (S->found)
      return G;
    G = G < lo + 64 ? G + 1 : G * 2;
  }
  return 0;
}

/* ---- Suggestions: single changes to the config as given ---- */

static uint64_t peak_of(const gm_config *c, const gm_params *P, int *ok, int *fit) {
  gm_config r = *c;
  gm_error err;
  gm_verdict v = GM_VERDICT_DOES_NOT_FIT;
  uint64_t peak;
  *ok = gm_resolve(&r, NULL, &err) == GM_OK;
  peak = *ok ? gm_worst_peak_bytes(&r, P, NULL, &v) : 0;
  *fit = fit_code(v);
  return peak;
}

static void suggest(gm_plan_result *o, const gm_params *P, const gm_config *c, uint64_t before,
                    const char *change) {
  gm_plan_suggestion *s;
  gm_config r = *c;
  gm_error err;
  gm_verdict v;
  uint64_t after;
  if (o->num_suggestions >= GM_PLAN_MAX_SUGGESTIONS || gm_resolve(&r, NULL, &err) != GM_OK)
    return;
  after = gm_worst_peak_bytes(&r, P, NULL, &v);
  if (after >= before)
    return;
  s = &o->suggestions[o->num_suggestions++];
  snprintf(s->change, sizeof s->change, "%s", change);
  s->config = *c;
  s->peak_bytes = after;
  s->saving_bytes = (int64_t)(before - after);
  s->fits = fit_code(v) != 0;
}

/* Copy into acc what changed differs in from base, unless acc already
 * changed that field. */
static void merge_change(gm_config *acc, const gm_config *base, const gm_config *changed) {
#define TAKE(f)                                                                                    \
  if (changed->f != base->f && acc->f == base->f)                                                  \
  acc->f = changed->f
  TAKE(training.optimizer_impl);
  TAKE(training.optimizer);
  TAKE(training.precision);
  TAKE(training.recompute);
  TAKE(training.micro_batch_size);
  TAKE(training.gradient_accumulation_steps);
  TAKE(parallel.num_microbatches);
  TAKE(engine.zero_stage);
  TAKE(engine.distributed_optimizer);
  TAKE(engine.sharding);
  TAKE(engine.offload_optimizer);
#undef TAKE
}

/* When no single change fits: the changes together, the largest saving
 * first, until the config fits (LoRA aside: it changes the model). */
static void combine(gm_plan_result *o, const gm_params *P, const gm_config *base, uint64_t before) {
  int order[GM_PLAN_MAX_SUGGESTIONS], n = 0, i, j;
  gm_config acc = *base;
  char text[64] = "";
  for (i = 0; i < o->num_suggestions; i++) {
    if (o->suggestions[i].fits)
      return;
    if (o->suggestions[i].config.training.finetune == base->training.finetune)
      order[n++] = i;
  }
  for (i = 1; i < n; i++)
    for (j = i;
         j > 0 && o->suggestions[order[j]].saving_bytes > o->suggestions[order[j - 1]].saving_bytes;
         j--) {
      int t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  for (i = 0; i < n && o->num_suggestions < GM_PLAN_MAX_SUGGESTIONS; i++) {
    const gm_plan_suggestion *g = &o->suggestions[order[i]];
    int ok, fit;
    size_t k = strlen(text);
    uint64_t after;
    merge_change(&acc, base, &g->config);
    snprintf(text + k, sizeof text - k, "%s%s", k ? " + " : "", g->change);
    if (i == 0)
      continue;
    after = peak_of(&acc, P, &ok, &fit);
    if (ok && fit && after < before) {
      gm_plan_suggestion *s = &o->suggestions[o->num_suggestions++];
      snprintf(s->change, sizeof s->change, "%s", text);
      s->config = acc, s->peak_bytes = after, s->saving_bytes = (int64_t)(before - after);
      s->fits = 1;
      return;
    }
  }
}

static void suggestions(const gm_plan_request *q, const gm_params *P, gm_plan_result *o, int G) {
  gm_config base = q->base, r, c;
  gm_error err;
  int ok, i, j, fit;
  uint64_t before;
  if ((int)base.engine.kind == GM_AUTO)
    return; /* no engine chosen: the layouts are the answer */
  base.hardware.num_gpus = G;
  before = peak_of(&base, P, &ok, &fit);
  if (!ok)
    return;
  o->base_peak_bytes = before;
  r = base;
  gm_resolve(&r, NULL, &err);
  if (fit)
    return; /* it fits as given */
  /* Implementation and sharding choices first: they cost little or nothing. */
  if (r.training.optimizer_impl != GM_OPTIMPL_FUSED) {
    c = base, c.training.optimizer_impl = GM_OPTIMPL_FUSED;
    suggest(o, P, &c, before, "fused optimizer step");
  }
  if (r.engine.kind == GM_ENGINE_DEEPSPEED || r.engine.kind == GM_ENGINE_MEGATRON_DEEPSPEED) {
    for (i = r.engine.zero_stage + 1; i <= 3; i++) {
      char t[32];
      if (r.engine.kind == GM_ENGINE_MEGATRON_DEEPSPEED && r.parallel.pp > 1 && i > 1)
        break;
      c = base, c.engine.zero_stage = i;
      snprintf(t, sizeof t, "ZeRO-%d", i);
      suggest(o, P, &c, before, t);
    }
  }
  if (r.engine.kind == GM_ENGINE_MEGATRON && !r.engine.distributed_optimizer) {
    c = base, c.engine.distributed_optimizer = 1;
    suggest(o, P, &c, before, "distributed optimizer");
  }
  if (r.engine.kind == GM_ENGINE_FSDP && r.engine.sharding != GM_FSDP_FULL_SHARD) {
    c = base, c.engine.sharding = GM_FSDP_FULL_SHARD;
    suggest(o, P, &c, before, "FSDP FULL_SHARD");
  }
  if (r.training.micro_batch_size > 1) {
    char t[64];
    c = base, c.training.micro_batch_size = 1;
    c.training.gradient_accumulation_steps =
        r.training.gradient_accumulation_steps * r.training.micro_batch_size;
    c.parallel.num_microbatches = GM_AUTO;
    snprintf(t, sizeof t, "micro-batch 1 with %lld accumulation steps",
             (long long)c.training.gradient_accumulation_steps);
    suggest(o, P, &c, before, t);
  }
  if (q->allow_recompute)
    for (j = (int)r.training.recompute + 1; j <= (int)GM_AC_FULL; j++) {
      c = base, c.training.recompute = (gm_recompute)j;
      suggest(o, P, &c, before, j == GM_AC_SELECTIVE ? "selective recompute" : "full recompute");
    }
  if (q->allow_offload && r.engine.kind != GM_ENGINE_DDP && r.engine.kind != GM_ENGINE_MEGATRON &&
      r.engine.offload_optimizer == GM_OFFLOAD_NONE &&
      (r.engine.kind == GM_ENGINE_FSDP || r.engine.zero_stage >= 1)) {
    c = base, c.engine.offload_optimizer = GM_OFFLOAD_CPU;
    suggest(o, P, &c, before, "optimizer offload to CPU");
  }
  if (q->allow_optimizer && r.training.optimizer != GM_OPT_ADAMW_8BIT &&
      (r.training.optimizer == GM_OPT_ADAMW || r.training.optimizer == GM_OPT_ADAM)) {
    c = base, c.training.optimizer = GM_OPT_ADAMW_8BIT;
    suggest(o, P, &c, before, "8-bit AdamW");
  }
  if (q->allow_precision && r.training.precision != GM_PRECISION_PURE_HALF &&
      r.training.dtype != GM_DTYPE_FP32) {
    c = base, c.training.precision = GM_PRECISION_PURE_HALF;
    suggest(o, P, &c, before, "pure bf16 weights and optimizer states");
  }
  if (q->allow_finetune && r.training.finetune == GM_FT_FULL) {
    gm_params lp;
    c = base, c.training.finetune = GM_FT_LORA;
    r = c;
    if (gm_resolve(&r, NULL, &err) == GM_OK && gm_config_params(&r, &lp, &err) == GM_OK) {
      /* LoRA changes the trainable count: compare with its own parameters. */
      gm_verdict v;
      uint64_t after = gm_worst_peak_bytes(&r, &lp, NULL, &v);
      if (after < before && o->num_suggestions < GM_PLAN_MAX_SUGGESTIONS) {
        gm_plan_suggestion *s = &o->suggestions[o->num_suggestions++];
        snprintf(s->change, sizeof s->change, "LoRA rank %d", r.training.lora_rank);
        s->config = c, s->peak_bytes = after, s->saving_bytes = (int64_t)(before - after);
        s->fits = fit_code(v) != 0;
      }
    }
  }
  combine(o, P, &base, before);
  /* Those that make it fit first, each group in the order of cost above. */
  for (i = 1; i < o->num_suggestions; i++)
    for (j = i; j > 0 && o->suggestions[j].fits > o->suggestions[j - 1].fits; j--) {
      gm_plan_suggestion t = o->suggestions[j];
      o->suggestions[j] = o->suggestions[j - 1];
      o->suggestions[j - 1] = t;
    }
}

/* The closest miss of each family that has no layout, ahead of the
 * structural reasons. */
static void family_reasons(search *S) {
  gm_plan_result *o = S->out;
  gm_plan_rejection structural[GM_PLAN_MAX_REJECTED];
  int fi, i, n = o->num_rejected;
  memcpy(structural, o->rejected, sizeof structural);
  o->num_rejected = 0;
  for (fi = 0; fi < NUM_FAMILIES; fi++) {
    const gm_config *b = &S->fam_best[fi];
    if (!family_allowed(S->req, &families[fi]) || S->fam_fits[fi] || S->fam_best_over[fi] == 0)
      continue;
    reject(S->out, families[fi].label,
           "stage %d is %.1f GiB over at micro-batch %lld %s (closest: TP %d x PP %d x DP %d%s)",
           S->fam_best_stage[fi], (double)S->fam_best_over[fi] / GM_GIB,
           (long long)b->training.micro_batch_size,
           S->fam_best_rc[fi] == GM_AC_FULL        ? "even with full recompute"
           : S->fam_best_rc[fi] == GM_AC_SELECTIVE ? "with selective recompute"
                                                   : "without recompute",
           b->parallel.tp, b->parallel.pp, b->parallel.dp,
           b->engine.offload_optimizer != GM_OFFLOAD_NONE ? ", offload" : "");
  }
  for (i = 0; i < n && o->num_rejected < GM_PLAN_MAX_REJECTED; i++)
    o->rejected[o->num_rejected++] = structural[i];
}

int gm_plan(const gm_plan_request *q, gm_plan_result *out, gm_error *err) {
  search s_mem, *S = &s_mem;
  gm_params P;
  gm_config r = q->base;
  int G, node, fewest, fi;
  int64_t searched, evaluated;
  memset(out, 0, sizeof *out);
  if (q->min_gpus < 1 || q->max_gpus < q->min_gpus) {
    snprintf(err->field, sizeof err->field, "plan.gpus");
    snprintf(err->message, sizeof err->message,
             "needs a GPU count (plan.gpus or hardware.num_gpus), at least 1");
    return GM_EINVAL;
  }
  if (q->max_micro_batch < 1 || q->max_micro_batch > 64) {
    snprintf(err->field, sizeof err->field, "plan.max_micro_batch");
    snprintf(err->message, sizeof err->message, "must be 1 to 64; got %d", q->max_micro_batch);
    return GM_EINVAL;
  }
  /* The model and recipe must resolve on their own. */
  r.parallel.tp = r.parallel.pp = r.parallel.cp = r.parallel.ep = r.parallel.vpp = 1;
  r.parallel.dp = GM_AUTO, r.hardware.num_gpus = GM_AUTO;
  r.parallel.sequence_parallel = GM_AUTO;
  r.training.micro_batch_size = GM_AUTO, r.training.gradient_accumulation_steps = GM_AUTO;
  r.parallel.num_microbatches = GM_AUTO;
  /* The constant defaults of each section, made once: the resolutions of the
   * search apply them (gm_resolve_defaults, gm_resolve_layout_memo). */
  for (fi = 0; fi < GM_SEC_COUNT; fi++)
    gm_defaults_of((gm_section)fi, &S->sections.defaults[fi]);
  S->sections.defaults_made = 1;
  if (gm_resolve_defaults(&r, S->sections.defaults, err) != GM_OK)
    return GM_EINVAL;
  S->model = r.model;
  S->memo_serial = 0;
  S->family_serial = 0;
  S->divs_G = 0;
  for (fi = 0; fi < 4; fi++)
    S->states_ref[fi].of = 0;
  for (fi = 0; fi < NUM_FAMILIES; fi++)
    S->fam_r0[fi].have = 0;
  gm_shape_memo_init(&S->shapes);
  S->sections.have = 0;
  memset(S->passed_ok, 0, sizeof S->passed_ok);
  if (gm_config_params(&r, &P, err) != GM_OK)
    return GM_EINVAL;
  /* The fewest GPUs first, with out as scratch space: its reasons are
   * cleared again, nothing else was written. */
  fewest = min_gpus(S, q, &P, out);
  searched = out->searched, evaluated = out->evaluated;
  memset(out->rejected, 0, (size_t)out->num_rejected * sizeof out->rejected[0]);
  out->num_rejected = 0;
  out->searched = out->evaluated = 0;
  search_start(S, q, out, &P, 0);
  /* A card without throughput figures is ranked as an H100 would run the
   * layouts; its estimates are not shown. */
  S->reference_only = gm_gpu_perf_of(r.hardware.gpu_name, &S->gpu) != GM_OK;
  if (S->reference_only)
    gm_gpu_perf_of("h100-80gb", &S->gpu);
  node = q->base.hardware.gpus_per_node > 0 ? q->base.hardware.gpus_per_node : 8;
  for (G = q->min_gpus; G <= q->max_gpus; G = next_count(G, q->min_gpus, q->max_gpus, node))
    search_all(S, G);
  put_in_rank_order(S);
  family_reasons(S);
  out->min_gpus = fewest;
  out->searched += searched, out->evaluated += evaluated;
  suggestions(q, &S->P, out, q->max_gpus);
  return GM_OK;
}
