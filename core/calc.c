/* calc.c - the peak of every pipeline stage over the phases of a step, the
 * most loaded GPU, and the largest micro-batch that fits. */
#include "checked.h"
#include "fmt.h"
#include "internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* The caching allocator reserves about a quarter more than the short-lived
 * tensors (activations, loss, gathers) need: fragmentation between shapes.
 * Calibrated: 1.2-1.3 fits both the torchtitan runs that report reserved
 * memory (tests/validation/rows/TT-*.json) and the Hugging Face runs read with
 * nvidia-smi (HF-*.json); one factor on the whole peak fits neither. */
#define CACHE_FRACTION 0.25
/* torchtitan's launchers set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True
 * (run_llama_train.sh in December 2024, run_train.sh today; PyTorch's ROCm build
 * ignored it until 2026: gm_expandable_segments in versions.c): freed pages join
 * one growing segment per stream instead of fixed-size segments, which leaves
 * less unusable between shapes. Calibrated with the FSDP gradients pooled on
 * their reduce-scatter stream (components.c): 0.15 fits torchtitan's 8- and
 * 128-GPU rows of one recipe together (TT-1, TT-2, TT-8, TT-10 within 2 %),
 * which 0.25 cannot (their difference is the sharded states). */
#define CACHE_FRACTION_EXPANDABLE 0.15

/* The share of the short-lived bytes the allocator keeps beside them. */
static double cache_fraction(const gm_config *c) {
  return gm_expandable_segments(c) ? CACHE_FRACTION_EXPANDABLE : CACHE_FRACTION;
}

static const gm_phase phase_of[GM_PH_COUNT] = {GM_PHASE_FORWARD, GM_PHASE_BACKWARD, GM_PHASE_STEP};

double gm_allocator_cache(const gm_config *c, double alloc, double persistent, double pooled) {
  double cache = cache_fraction(c) * (alloc - persistent) + pooled;
  /* Under pressure the allocator frees cached blocks before it fails. */
  double room =
      (double)c->hardware.gpu_capacity_bytes - (double)c->hardware.cuda_context_bytes - alloc;
  if (cache > room && room >= 0)
    cache = room; /* only when the allocations themselves fit */
  return cache;
}

/* What a phase reserves before the cache is clipped to the card: its
 * allocations, the cache (share cf, cache_fraction) over its short-lived
 * share and the blocks it cannot reuse (another stream's, a larger one's). Linear in all three, so
 * the closed-form searches apply it to polynomial coefficients too. The callers read cf once per
 * stage: the searches call this per phase. */
static double phase_reserved(double cf, double alloc, double persistent, double pooled) {
  return alloc + cf * (alloc - persistent) + pooled;
}

/* The cache of the peak phase, reserving best_res with alloc_best allocated. */
static double clipped_cache(const gm_config *c, double best_res, double alloc_best) {
  /* The short-lived share is never negative; the components' rounding
   * could make the difference a fraction of a byte below zero. */
  double cache = best_res - alloc_best, room;
  if (cache < 0)
    cache = 0;
  /* Under pressure the allocator frees cached blocks before it fails. */
  room =
      (double)c->hardware.gpu_capacity_bytes - (double)c->hardware.cuda_context_bytes - alloc_best;
  if (cache > room && room >= 0)
    cache = room; /* only when the allocations themselves fit */
  return cache;
}

#define PEAK_OK (-1)
#define PEAK_TOTAL GM_C_COUNT

/* Allocated, reserved and nvidia-smi peaks of one stage; fills st, and
 * *at_peak with the sum of its allocations' figures (as gm_judge adds them).
 * Returns PEAK_OK, or what cannot be represented (a component, or PEAK_TOTAL
 * for the peak itself) with its bytes in *bad. */
static int stage_peaks(const gm_config *c, const gm_stage_mem *sm, gm_stage *st, double *bad,
                       double *at_peak) {
  gm_checked chk = {0};
  double best_res = -1, best_alloc = 0, cf = cache_fraction(c);
  int ph, k, best = 0;
  for (ph = 0; ph < GM_PH_COUNT; ph++) {
    double alloc = 0, res;
    for (k = 0; k < GM_C_CACHE; k++)
      alloc += sm->comp[ph][k];
    res = phase_reserved(cf, alloc, sm->persistent[ph], sm->pooled[ph]);
    if (alloc > best_alloc)
      best_alloc = alloc;
    if (res > best_res) {
      best_res = res;
      best = ph;
    }
  }
  /* One pass over the peak phase's components: their figures, the sum of
   * those in double (as gm_judge adds them) and in integers (the reserve). */
  {
    double alloc_best = 0, cache;
    uint64_t held = 0;
    for (k = 0; k < GM_C_CACHE; k++) {
      uint64_t b = gm_bytes(&chk, sm->comp[best][k]);
      st->bytes[k] = b;
      if (chk.overflow) {
        *bad = sm->comp[best][k];
        return k;
      }
      alloc_best += gm_figure(b);
      held += b;
    }
    st->peak_allocated_bytes = gm_bytes(&chk, best_alloc);
    *at_peak = alloc_best;
    cache = clipped_cache(c, best_res, alloc_best);
    st->bytes[GM_C_CACHE] = gm_bytes(&chk, cache);
    /* The peak itself, with the context, must be representable too. */
    (void)gm_bytes(&chk, alloc_best + cache + (double)c->hardware.cuda_context_bytes);
    if (chk.overflow) {
      *bad = (best_alloc > alloc_best ? best_alloc : alloc_best) + cache +
             (double)c->hardware.cuda_context_bytes;
      return PEAK_TOTAL;
    }
    st->peak_reserved_bytes = held + st->bytes[GM_C_CACHE];
  }
  st->bytes[GM_C_CONTEXT] = c->hardware.cuda_context_bytes;
  if (st->peak_reserved_bytes < st->peak_allocated_bytes)
    st->peak_reserved_bytes = st->peak_allocated_bytes;
  st->peak_nvsmi_bytes = st->peak_reserved_bytes + st->bytes[GM_C_CONTEXT];
  st->peak_unconstrained_bytes =
      gm_round_count(best_res > best_alloc ? best_res : best_alloc) + st->bytes[GM_C_CONTEXT];
  if (st->peak_unconstrained_bytes < st->peak_nvsmi_bytes)
    st->peak_unconstrained_bytes = st->peak_nvsmi_bytes;
  st->peak_phase = best == GM_PH_FORWARD && st->has_output_head ? GM_PHASE_LOSS : phase_of[best];
  return PEAK_OK;
}

/* The error for a figure beyond GM_MAX_FIGURE_BYTES, under the config
 * section that drives it. */
static int too_large(gm_error *err, const char *field, const char *what, int stage, double bytes) {
  snprintf(err->field, sizeof err->field, "%s", field);
  snprintf(err->message, sizeof err->message,
           "%s of pipeline stage %d would take %.3g bytes per GPU, more than the 2^53 bytes "
           "(8 PiB) the calculator represents",
           what, stage, bytes);
  return GM_EINVAL;
}

/* What stage_peaks could not represent, as an error. */
static int peak_too_large(gm_error *err, int what, int stage, double bytes) {
  static const char *const field[GM_C_COUNT + 1] = {"model",    "model",    "model",   "training",
                                                    "training", "model",    "engine",  "model",
                                                    "training", "hardware", "training"};
  static const char *const name[GM_C_COUNT + 1] = {
      "the weights",          "the gradients",
      "the optimizer states", "the activations",
      "the logits",           "the gathered parameters",
      "the buffers",          "the optimizer step temporaries",
      "the allocator cache",  "the CUDA context",
      "the peak memory"};
  return too_large(err, field[what], name[what], stage, bytes);
}

/* Every stage; sets r->worst_stage and its formulas, and the worst stage's
 * memory in *worst_sm. GM_OK, or GM_EINVAL when a figure cannot be represented. */
static int all_stages(const gm_config *c, const gm_params *P, gm_result *r, gm_stage_mem *worst_sm,
                      gm_stage_mem *kept, gm_error *err) {
  gm_checked chk = {0};
  int i, worst = 0, bad;
  double host_max = 0, nvme_max = 0, bytes, at_peak;
  memset(worst_sm, 0, sizeof *worst_sm);
  r->num_stages = c->parallel.pp;
  for (i = 0; i < r->num_stages; i++) {
    gm_shape s = gm_stage_shape(c, P, i);
    gm_stage_mem sm;
    gm_stage *st = &r->stages[i];
    memset(st, 0, sizeof *st);
    /* One stage is the worst: its formulas come with this pass. */
    gm_stage_memory(c, P, &s, &sm, r->num_stages == 1 ? r->formula : NULL);
    st->first_layer = s.first_layer;
    st->num_layers = s.layers;
    st->has_embedding = s.has_emb;
    st->has_output_head = s.has_head;
    st->params = (int64_t)gm_bytes(&chk, s.params); /* a count, bounded alike */
    st->microbatches_in_flight = (int64_t)s.inflight_mbs;
    if (chk.overflow)
      return too_large(err, "model", "the parameters", i, s.params);
    if ((bad = stage_peaks(c, &sm, st, &bytes, &at_peak)) != PEAK_OK)
      return peak_too_large(err, bad, i, bytes);
    if (kept)
      kept[i] = sm;
    if (i == 0 || st->peak_nvsmi_bytes > r->stages[worst].peak_nvsmi_bytes) {
      worst = i;
      *worst_sm = sm;
    }
    if (!(sm.host_bytes <= host_max))
      host_max = sm.host_bytes;
    if (!(sm.nvme_bytes <= nvme_max))
      nvme_max = sm.nvme_bytes;
  }
  r->host_bytes_per_gpu = gm_bytes(&chk, host_max);
  r->nvme_bytes_per_gpu = gm_bytes(&chk, nvme_max);
  if (chk.overflow)
    return too_large(err, "engine", "the offloaded states", worst,
                     host_max > nvme_max ? host_max : nvme_max);
  if (r->num_stages > 1) { /* the worst again, with its formulas */
    gm_shape s = gm_stage_shape(c, P, worst);
    gm_stage_memory(c, P, &s, worst_sm, r->formula);
  }
  r->worst_stage = worst;
  return GM_OK;
}

/* Is every stage's verdict "fits" (margin included), and does the node's
 * memory hold what is offloaded? No result needed. */
static int config_fits(const gm_config *c, const gm_params *P) {
  int i;
  double host_max = 0;
  for (i = 0; i < c->parallel.pp; i++) {
    gm_shape s = gm_stage_shape(c, P, i);
    gm_stage_mem sm;
    gm_stage st;
    memset(&st, 0, sizeof st);
    st.has_output_head = s.has_head;
    gm_stage_memory(c, P, &s, &sm, NULL);
    double bad, at_peak;
    if (stage_peaks(c, &sm, &st, &bad, &at_peak) != PEAK_OK)
      return 0; /* beyond any card */
    if (gm_judge(c, &st) != GM_VERDICT_FITS)
      return 0;
    if (sm.host_bytes > host_max)
      host_max = sm.host_bytes;
  }
  return gm_node_host_fits(c, gm_round_count(host_max)) != 0;
}

/* gm_fit_limit_estimate, with the memory of stage at_stage at x0 given
 * (at_x0, or NULL): the stage loop has already evaluated it. */
static int64_t fit_limit_estimate(const gm_config *c, const gm_params *P, gm_fast_var var,
                                  int64_t unit, int64_t x0, int64_t limit,
                                  const gm_stage_mem *at_x0, int at_stage) {
  const gm_hardware *hw = &c->hardware;
  double cap = (double)hw->gpu_capacity_bytes, ctx = (double)hw->cuda_context_bytes;
  double margin = hw->safety_margin, best = (double)limit, host_room = INFINITY;
  double cf = cache_fraction(c);
  int i, ph, k, mid_layers = -1;
  if (!(margin >= 0 && margin < 1))
    margin = gm_default_safety_margin();
  if (hw->host_memory_per_node_bytes > 0)
    host_room = (double)hw->host_memory_per_node_bytes / hw->gpus_per_node;
  for (i = 0; i < c->parallel.pp; i++) {
    gm_stage_poly q;
    if (gm_stage_dominated(c, i, &mid_layers))
      continue;
    gm_stage_poly_from(c, P, i, var, unit, x0, i == at_stage ? at_x0 : NULL, &q);
    for (ph = 0; ph < GM_PH_COUNT; ph++) {
      double res[3], x;
      for (k = 0; k < 3; k++)
        res[k] = phase_reserved(cf, q.alloc[ph][k], q.persistent[ph][k], q.pooled[ph][k]);
      /* gm_judge: the allocations within the card; the larger of them and
       * the uncapped reserve within the margin. */
      x = gm_poly_largest(&q, q.alloc[ph], cap - ctx);
      best = x < best ? x : best;
      x = gm_poly_largest(&q, q.alloc[ph], (1.0 - margin) * cap - ctx);
      best = x < best ? x : best;
      x = gm_poly_largest(&q, res, (1.0 - margin) * cap - ctx);
      best = x < best ? x : best;
    }
    {
      double x = gm_poly_largest(&q, q.host, host_room);
      best = x < best ? x : best;
    }
  }
  return best < 0 ? 0 : best >= (double)limit ? limit : (int64_t)floor(best);
}

int64_t gm_fit_limit_estimate(const gm_config *c, const gm_params *P, gm_fast_var var, int64_t unit,
                              int64_t x0, int64_t limit) {
  return fit_limit_estimate(c, P, var, unit, x0, limit, NULL, -1);
}

/* The largest k in [1, limit] for which the config fits with *field set to
 * k * unit, or 0: from a guess (the closed form, usually exact), checked
 * with its neighbour; when the check fails, by galloping from the guess
 * then bisection (memory grows with micro-batch and sequence). */
static int64_t settle(gm_config *c, const gm_params *P, int64_t *field, int64_t unit, int64_t guess,
                      int64_t limit) {
  int64_t lo, hi, step = 1;
#define FITS_AT(k) (*field = (k)*unit, config_fits(c, P))
  guess = guess < 0 ? 0 : guess > limit ? limit : guess;
  if (guess >= 1 && !FITS_AT(guess)) {
    /* Down: lo fits (or is 0), hi does not. */
    hi = guess;
    for (;;) {
      lo = hi - step;
      if (lo < 1) {
        lo = 0;
        break;
      }
      if (FITS_AT(lo))
        break;
      hi = lo, step *= 2;
    }
  } else {
    lo = guess;
    for (;;) {
      if (lo >= limit)
        return lo;
      hi = limit - lo > step ? lo + step : limit;
      if (!FITS_AT(hi))
        break;
      lo = hi, step *= 2;
    }
  }
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    if (FITS_AT(mid))
      lo = mid;
    else
      hi = mid;
  }
#undef FITS_AT
  return lo;
}

/* The largest micro-batch that fits, up to 2^24. sm: stage `stage`'s
 * memory as the config stands, from the stage loop. */
static int64_t max_micro_batch(const gm_config *cfg, const gm_params *P, const gm_stage_mem *sm,
                               int stage) {
  gm_config c = *cfg;
  int64_t limit = (int64_t)1 << 24;
  int64_t guess = fit_limit_estimate(cfg, P, GM_VAR_MICRO_BATCH, 1, cfg->training.micro_batch_size,
                                     limit, sm, stage);
  return settle(&c, P, &c.training.micro_batch_size, 1, guess, limit);
}

/* The longest sequence that fits at the configured micro-batch, in whole
 * multiples of the context-parallel size (which must divide it), up to 2^24
 * tokens or the learned position table. */
static int64_t max_seq_len(const gm_config *cfg, const gm_params *P, const gm_stage_mem *sm,
                           int stage) {
  gm_config c = *cfg;
  int64_t unit = c.parallel.cp > 0 ? c.parallel.cp : 1, limit = ((int64_t)1 << 24) / unit, guess;
  if (c.model.position == GM_POS_LEARNED && c.model.max_position_embeddings / unit < limit)
    limit = c.model.max_position_embeddings / unit;
  if (limit < 1)
    return 0;
  /* The stage loop's memory is at x0 only if the unit divides the sequence. */
  guess = fit_limit_estimate(cfg, P, GM_VAR_SEQ_LEN, unit, cfg->training.seq_len / unit, limit,
                             cfg->training.seq_len % unit == 0 ? sm : NULL, stage);
  return unit * settle(&c, P, &c.training.seq_len, unit, guess, limit);
}

/* An estimated architecture keeps the user's total: scale every part to it. */
static void scale_to_declared(gm_params *p, int64_t declared) {
  double k = (double)declared / (double)p->total;
  p->per_layer_dense = (int64_t)llround((double)p->per_layer_dense * k);
  p->per_layer_moe = (int64_t)llround((double)p->per_layer_moe * k);
  p->expert_params_per_layer = (int64_t)llround((double)p->expert_params_per_layer * k);
  p->embedding = (int64_t)llround((double)p->embedding * k);
  p->output_head = (int64_t)llround((double)p->output_head * k);
  p->largest_layer = (int64_t)llround((double)p->largest_layer * k);
  p->active_per_token = (int64_t)llround((double)p->active_per_token * k);
  p->total = p->trainable = declared;
}

int gm_calculate(const gm_config *cfg, gm_result *out, gm_error *err) {
  return gm_calculate_kept(cfg, out, NULL, err);
}

int gm_calculate_kept(const gm_config *cfg, gm_result *out, gm_stage_mem *mem, gm_error *err) {
  gm_config c = *cfg;
  gm_result *r = out;
  int rc;
  const gm_stage *w;
  gm_verdict gpu;
  gm_stage_mem worst_sm;
  double P_declared;
  size_t tail = offsetof(gm_result, stages) + sizeof out->stages;
  size_t warn = offsetof(gm_result, warnings), after = warn + sizeof out->warnings;
  /* out is only written: zeroed once, all but the stage slots, which
   * all_stages fills one by one (those past num_stages stay unwritten), and
   * the warnings, which count from num_warnings = 0. */
  memset(out, 0, offsetof(gm_result, stages));
  memset((char *)out + tail, 0, warn - tail);
  memset((char *)out + after, 0, sizeof *out - after);
  if ((rc = gm_resolve(&c, r, err)) != GM_OK)
    return rc;
  if ((rc = gm_count_params(&c.model, &r->params, err)) != GM_OK)
    return rc;
  if (c.model.estimated)
    scale_to_declared(&r->params, c.model.declared_parameters);
  if (c.training.finetune != GM_FT_FULL)
    r->params.trainable = gm_lora_params(&c);
  P_declared = (double)c.model.declared_parameters;
  if (P_declared > 0 && !c.model.estimated &&
      fabs((double)r->params.total - P_declared) > 0.05 * P_declared)
    gm_warn(r, "model.num_parameters",
            "given as %.4g but the architecture has %.4g parameters (%+.0f%%); the architecture's "
            "exact count is used",
            P_declared, (double)r->params.total,
            100.0 * ((double)r->params.total - P_declared) / P_declared);
  if ((double)r->params.trainable > GM_MAX_FIGURE_BYTES) {
    snprintf(err->field, sizeof err->field, "training.lora_rank");
    snprintf(err->message, sizeof err->message,
             "the adapters would have more than 2^53 parameters, more than the calculator "
             "represents; got rank %d",
             c.training.lora_rank);
    return GM_EINVAL;
  }
  r->resolved = c;
  if ((rc = all_stages(&c, &r->params, r, &worst_sm, mem, err)) != GM_OK)
    return rc;
  w = &r->stages[r->worst_stage];
  r->capacity_bytes = c.hardware.gpu_capacity_bytes;
  r->utilization_percent = 100.0 * (double)w->peak_nvsmi_bytes / (double)r->capacity_bytes;
  /* Both factors are bounded (2^53 bytes, 65536 GPUs), their product not. */
  if ((double)r->host_bytes_per_gpu * c.hardware.gpus_per_node > GM_MAX_FIGURE_BYTES) {
    snprintf(err->field, sizeof err->field, "hardware.gpus_per_node");
    snprintf(err->message, sizeof err->message,
             "%d GPUs per node need %.3g bytes of host memory per node, more than the 2^53 "
             "bytes (8 PiB) the calculator represents",
             c.hardware.gpus_per_node, (double)r->host_bytes_per_gpu * c.hardware.gpus_per_node);
    return GM_EINVAL;
  }
  r->host_bytes_per_node = r->host_bytes_per_gpu * (uint64_t)c.hardware.gpus_per_node;
  gpu = gm_judge(&c, w);
  r->verdict = gpu;
  r->fits = gpu != GM_VERDICT_DOES_NOT_FIT;
  r->verdict_reason = r->verdict == GM_VERDICT_FITS ? GM_REASON_NONE : GM_REASON_GPU_MEMORY;
  r->host_fits = gm_host_fits(&c, r->host_bytes_per_node);
  if (r->host_fits == 0 && r->verdict != GM_VERDICT_DOES_NOT_FIT) {
    r->verdict = GM_VERDICT_DOES_NOT_FIT;
    r->verdict_reason = GM_REASON_HOST_MEMORY;
  }
  {
    const gm_stage *ws = &r->stages[r->worst_stage];
    const gm_stage_mem *sm = &worst_sm;
    int ph = ws->peak_phase == GM_PHASE_STEP       ? GM_PH_STEP
             : ws->peak_phase == GM_PHASE_BACKWARD ? GM_PH_BACKWARD
                                                   : GM_PH_FORWARD;
    gm_text t;
    gm_text_start(&t, r->formula[GM_C_CACHE], GM_FORMULA_LEN);
    gm_text_fixed(&t, cache_fraction(&c) * 100.0, 0);
    gm_text_lit(&t, "% of the short-lived tensors (activations, loss, gathers, buffers)");
    if (cache_fraction(&c) < CACHE_FRACTION)
      gm_text_lit(&t, ", with expandable segments");
    gm_text_lit(&t, ": caching allocator reserve");
    if (sm->pooled[ph] - sm->merged > 0) {
      gm_text_lit(&t,
                  "; + the sharded gradients' blocks, cached for the reduce-scatter stream, B ");
      gm_text_count(&t, sm->pooled[ph] - sm->merged);
    }
    if (sm->merged > 0) {
      gm_text_lit(&t, "; + the merged outputs' own segment, B ");
      gm_text_count(&t, sm->merged);
    }
    gm_text_start(&t, r->formula[GM_C_CONTEXT], GM_FORMULA_LEN);
    gm_text_lit(&t, "CUDA context and libraries (");
    gm_text_str(&t, c.hardware.gpu_name[0] ? c.hardware.gpu_name : "default");
    gm_text_lit(&t, "): seen by nvidia-smi, not by PyTorch");
  }
  if (gpu == GM_VERDICT_TIGHT)
    gm_warn(r, "hardware.safety_margin",
            "tight: the peak, %.1f GiB with the allocator's full cache, is within the %.0f%% "
            "margin of the card (%.1f GiB): an out-of-memory error is possible",
            (double)w->peak_unconstrained_bytes / GM_GIB, 100.0 * c.hardware.safety_margin,
            (double)r->capacity_bytes / GM_GIB);
  if (w->peak_allocated_bytes + c.hardware.cuda_context_bytes <= r->capacity_bytes &&
      w->peak_reserved_bytes + c.hardware.cuda_context_bytes >= r->capacity_bytes)
    gm_warn(r, "hardware",
            "fits only if the allocator releases cached blocks: expect "
            "fragmentation retries; PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True "
            "helps");
  if (c.hardware.host_memory_per_node_bytes > 0 &&
      r->host_bytes_per_node > c.hardware.host_memory_per_node_bytes)
    gm_warn(r, "hardware.host_memory_per_node_gb",
            "offloading needs %.1f GiB of host memory per node; the node has %.1f GiB",
            (double)r->host_bytes_per_node / GM_GIB,
            (double)c.hardware.host_memory_per_node_bytes / GM_GIB);
  r->max_micro_batch = max_micro_batch(&c, &r->params, &worst_sm, r->worst_stage);
  r->max_seq_len = max_seq_len(&c, &r->params, &worst_sm, r->worst_stage);
  {
    gm_checked chk = {0};
    double kept = c.model.num_experts > 0 && c.model.first_dense_layers == 0
                      ? gm_moe_layer_saved_bytes(&c)
                      : gm_layer_saved_bytes(&c),
           full = gm_layer_full_bytes(&c);
    r->layer_saved_bytes = gm_bytes(&chk, kept);
    r->layer_full_bytes = gm_bytes(&chk, full);
    if (chk.overflow)
      return too_large(err, "training", "the activations of one layer", r->worst_stage,
                       full > kept ? full : kept);
  }
  return GM_OK;
}

/* k0 + k1 y + k2 y^2 */
static double poly_at(const double k[3], double y) { return k[0] + (k[1] + k[2] * y) * y; }

uint64_t gm_poly_peak(const gm_config *c, const gm_stage_poly *q, int n, double x, int *worst,
                      gm_verdict *verdict) {
  double host_max = 0, ctx = (double)c->hardware.cuda_context_bytes, cf = cache_fraction(c);
  int i, ph, best = 0;
  gm_stage w;
  memset(&w, 0, sizeof w);
  for (i = 0; i < n; i++) {
    double y = x - q[i].x0, best_res = -1, best_alloc = 0, alloc_best = 0, cache, host;
    gm_stage st;
    gm_checked chk = {0};
    /* As stage_peaks, on the phases' sums: the peak phase reserves most. */
    for (ph = 0; ph < GM_PH_COUNT; ph++) {
      double alloc = poly_at(q[i].alloc[ph], y);
      double res =
          phase_reserved(cf, alloc, poly_at(q[i].persistent[ph], y), poly_at(q[i].pooled[ph], y));
      if (alloc > best_alloc)
        best_alloc = alloc;
      if (res > best_res)
        best_res = res, alloc_best = alloc;
    }
    cache = clipped_cache(c, best_res, alloc_best);
    memset(&st, 0, sizeof st);
    st.bytes[GM_C_WEIGHTS] = gm_bytes(&chk, alloc_best);
    st.bytes[GM_C_CACHE] = gm_bytes(&chk, cache);
    st.bytes[GM_C_CONTEXT] = c->hardware.cuda_context_bytes;
    st.peak_allocated_bytes = gm_bytes(&chk, best_alloc);
    (void)gm_bytes(&chk, alloc_best + cache + ctx);
    if (chk.overflow) {
      if (worst)
        *worst = q[i].stage;
      if (verdict)
        *verdict = GM_VERDICT_DOES_NOT_FIT;
      return UINT64_MAX;
    }
    st.peak_reserved_bytes = st.bytes[GM_C_WEIGHTS] + st.bytes[GM_C_CACHE];
    if (st.peak_reserved_bytes < st.peak_allocated_bytes)
      st.peak_reserved_bytes = st.peak_allocated_bytes;
    st.peak_nvsmi_bytes = st.peak_reserved_bytes + st.bytes[GM_C_CONTEXT];
    st.peak_unconstrained_bytes =
        gm_round_count(best_res > best_alloc ? best_res : best_alloc) + st.bytes[GM_C_CONTEXT];
    if (st.peak_unconstrained_bytes < st.peak_nvsmi_bytes)
      st.peak_unconstrained_bytes = st.peak_nvsmi_bytes;
    if (verdict && gm_judge(c, &st) == GM_VERDICT_DOES_NOT_FIT) {
      if (worst)
        *worst = q[i].stage;
      *verdict = GM_VERDICT_DOES_NOT_FIT;
      return st.peak_nvsmi_bytes;
    }
    if (i == 0 || st.peak_nvsmi_bytes > w.peak_nvsmi_bytes ||
        (st.peak_nvsmi_bytes == w.peak_nvsmi_bytes && q[i].stage < best)) {
      w = st;
      best = q[i].stage;
    }
    host = poly_at(q[i].host, y);
    if (host > host_max)
      host_max = host;
  }
  if (worst)
    *worst = best;
  if (verdict) {
    *verdict = gm_judge(c, &w);
    if (*verdict != GM_VERDICT_DOES_NOT_FIT && gm_node_host_fits(c, gm_round_count(host_max)) == 0)
      *verdict = GM_VERDICT_DOES_NOT_FIT;
  }
  return w.peak_nvsmi_bytes;
}

int gm_stage_polys(const gm_config *c, const gm_params *P, gm_stage_poly *q) {
  int n = 0, i;
  (void)gm_worst_peak_start(c, P, NULL, NULL, q, &n);
  for (i = 0; i < n; i++)
    gm_stage_poly_finish(&q[i], c, P, NULL);
  return n;
}

int gm_config_params(const gm_config *c, gm_params *out, gm_error *err) {
  int rc = gm_count_params(&c->model, out, err);
  if (rc != GM_OK)
    return rc;
  if (c->model.estimated)
    scale_to_declared(out, c->model.declared_parameters);
  if (c->training.finetune != GM_FT_FULL)
    out->trainable = gm_lora_params(c);
  return GM_OK;
}

/* Stages in the order most likely to be the most loaded: the first, the
 * last, then the rest. A stage whose allocations exceed the card settles
 * the verdict (the most loaded GPU cannot fit either): the search stops
 * there and reports that stage. */
uint64_t gm_worst_peak_bytes(const gm_config *c, const gm_params *P, int *worst,
                             gm_verdict *verdict) {
  return gm_worst_peak_start(c, P, worst, verdict, NULL, NULL);
}

uint64_t gm_worst_peak_start(const gm_config *c, const gm_params *P, int *worst,
                             gm_verdict *verdict, gm_stage_poly *q, int *nq) {
  return gm_worst_peak_memo(c, P, NULL, worst, verdict, q, nq);
}

/* gm_stage_memory of stage i of c, examined k-th, its shape s: with the
 * part that does not read the recompute mode kept in memo (gm_shape_memo)
 * for the first two stages examined. */
static gm_base_memo *base_memo(const gm_config *c, const gm_params *P, gm_shape_memo *memo, int k,
                               int i, const gm_shape *s) {
  const gm_engine *e = &c->engine;
  int slot = (e->offload_optimizer != GM_OFFLOAD_NONE) + (e->offload_param != GM_OFFLOAD_NONE);
  gm_base_memo *b = &memo->base[k][slot > 2 ? 2 : slot];
  if (!b->have || b->stage != i || b->micro_batch != c->training.micro_batch_size ||
      b->opt != e->offload_optimizer || b->par != e->offload_param) {
    gm_stage_memory_base(c, P, s, &b->mem);
    b->have = 1, b->stage = i, b->micro_batch = c->training.micro_batch_size;
    b->opt = e->offload_optimizer, b->par = e->offload_param;
  }
  return b;
}

static void stage_memory_memo(const gm_config *c, const gm_params *P, gm_shape_memo *memo, int k,
                              int i, const gm_shape *s, gm_stage_mem *sm) {
  if (!memo || k > 1) {
    gm_stage_memory(c, P, s, sm, NULL);
    return;
  }
  *sm = base_memo(c, P, memo, k, i, s)->mem;
  gm_stage_memory_acts(c, s, sm);
}

int gm_first_stage_floor(gm_shape_memo *memo, const gm_config *c, const gm_params *P,
                         uint64_t *peak_floor) {
  /* Stage 0 is examined first (k = 0), as gm_worst_peak_memo does: its
   * part is then kept for it. The part reads the stage's layout only. */
  const gm_base_memo *b = base_memo(c, P, memo, 0, 0, gm_stage_layout_memo(memo, c, P, 0));
  gm_checked chk = {0};
  double most = 0;
  uint64_t lb;
  int ph, k;
  *peak_floor = 0;
  /* stage_peaks' sums, in its order, over the part without the layers'
   * activations: gm_stage_memory_acts adds bytes to the forward phase's
   * activations and sets the backward phase's (the base's there is left
   * out), so each sum, rounded alike, can only grow. */
  for (ph = 0; ph < GM_PH_COUNT; ph++) {
    double alloc = 0;
    for (k = 0; k < GM_C_CACHE; k++)
      alloc += ph == GM_PH_BACKWARD && k == GM_C_ACTIVATIONS ? 0.0 : b->mem.comp[ph][k];
    if (alloc > most)
      most = alloc;
  }
  lb = gm_bytes(&chk, most);
  if (chk.overflow)
    return 0; /* the evaluation settles it */
  /* gm_judge_at's test: the peak's allocations reach at least lb. */
  if (!((double)lb + (double)c->hardware.cuda_context_bytes >
        (double)c->hardware.gpu_capacity_bytes))
    return 0;
  *peak_floor = lb + c->hardware.cuda_context_bytes;
  return 1;
}

uint64_t gm_worst_peak_memo(const gm_config *c, const gm_params *P, gm_shape_memo *memo, int *worst,
                            gm_verdict *verdict, gm_stage_poly *q, int *nq) {
  int p = c->parallel.pp, k, best = 0, mid_layers = -1;
  double host_max = 0, bad, at_peak, w_at_peak = 0;
  gm_stage w; /* the most loaded stage's peaks, all gm_judge_at reads */
  memset(&w, 0, sizeof w);
  for (k = 0; k < p; k++) {
    int i = k == 0 ? 0 : k == 1 ? p - 1 : k - 1;
    gm_shape own;
    const gm_shape *s;
    gm_stage_mem sm;
    gm_stage st;
    /* Only middle stages are dominated, and once one is, every later one
     * is (gm_stage_dominated): the rest of the loop is all middle stages. */
    if (gm_stage_dominated(c, i, &mid_layers))
      break;
    s = memo ? gm_stage_shape_memo(memo, c, P, i) : (own = gm_stage_shape(c, P, i), &own);
    /* stage_peaks writes the peaks, the components and the phase; the
     * layers and parameters (gm_calculate sets them) are not read here. */
    st.has_output_head = s->has_head;
    stage_memory_memo(c, P, memo, k, i, s, &sm);
    if (stage_peaks(c, &sm, &st, &bad, &at_peak) != PEAK_OK) {
      /* Beyond what the calculator represents: beyond any card. */
      if (worst)
        *worst = i;
      if (verdict)
        *verdict = GM_VERDICT_DOES_NOT_FIT;
      return UINT64_MAX;
    }
    if (verdict && gm_judge_at(c, &st, at_peak) == GM_VERDICT_DOES_NOT_FIT) {
      if (worst)
        *worst = i;
      *verdict = GM_VERDICT_DOES_NOT_FIT;
      return st.peak_nvsmi_bytes;
    }
    /* Only a layout that may fit needs its polynomials. */
    if (q)
      gm_stage_poly_start(&q[(*nq)++], i, (double)c->training.micro_batch_size, &sm);
    /* Ties go to the lower stage, as gm_calculate picks it. */
    if (k == 0 || st.peak_nvsmi_bytes > w.peak_nvsmi_bytes ||
        (st.peak_nvsmi_bytes == w.peak_nvsmi_bytes && i < best)) {
      w.peak_allocated_bytes = st.peak_allocated_bytes;
      w.peak_reserved_bytes = st.peak_reserved_bytes;
      w.peak_nvsmi_bytes = st.peak_nvsmi_bytes;
      w.peak_unconstrained_bytes = st.peak_unconstrained_bytes;
      w_at_peak = at_peak;
      best = i;
    }
    if (sm.host_bytes > host_max)
      host_max = sm.host_bytes;
  }
  if (worst)
    *worst = best;
  if (verdict) {
    /* As gm_calculate judges: the most loaded GPU, then the node's memory. */
    *verdict = gm_judge_at(c, &w, w_at_peak);
    if (*verdict != GM_VERDICT_DOES_NOT_FIT && gm_node_host_fits(c, gm_round_count(host_max)) == 0)
      *verdict = GM_VERDICT_DOES_NOT_FIT;
  }
  return w.peak_nvsmi_bytes;
}
