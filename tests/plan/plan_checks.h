/* plan_checks.h - checks of the planner against gm_calculate, shared by
 * plan_test.c and the planner's fuzzer (tests/fuzz_plan.c). Included once
 * per program; the includer provides the core's internal headers. */
#ifndef GM_PLAN_CHECKS_H
#define GM_PLAN_CHECKS_H

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* The number member k of o; -1 when it is absent or not a number. */
static double num(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* The most loaded stage's nvidia-smi peak in a calc_json result. */
static double calc_peak(const cJSON *config, int *fits, char *verdict, size_t n) {
  char *text = cJSON_PrintUnformatted(config), *out = calc_json(text);
  cJSON *r = cJSON_Parse(out);
  const cJSON *st;
  double peak = -1;
  cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(r, "stages")) {
    double p = num(cJSON_GetObjectItemCaseSensitive(st, "bytes"), "peak_nvidia_smi");
    if (p > peak)
      peak = p;
  }
  *fits = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "fits_on_gpu"));
  snprintf(verdict, n, "%s",
           cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "verdict"))
               ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "verdict"))
               : "?");
  cJSON_Delete(r);
  calc_free(out);
  cJSON_free(text);
  return peak;
}

/* gm_first_stage_floor's figure before rounding: the most over the phases of
 * a stage's memory without its layers' activations (base: gm_stage_memory_base). */
static double floor_sum(const gm_stage_mem *base) {
  double most = 0;
  int ph, q;
  for (ph = 0; ph < GM_PH_COUNT; ph++) {
    double alloc = 0;
    for (q = 0; q < GM_C_CACHE; q++)
      alloc += ph == GM_PH_BACKWARD && q == GM_C_ACTIVATIONS ? 0.0 : base->comp[ph][q];
    if (alloc > most)
      most = alloc;
  }
  return most;
}

/* Every layout whose peak a search finds, against gm_calculate on the same
 * config: the same fit (tight and fits apart), no fit where calculate
 * rejects the config, and wherever it fits the same peak, or within 8 bytes
 * (floating-point rounding) when read off the stages' polynomials. */
typedef struct {
  gm_result *res;
  int n, from_poly, bounded, by_states, fitting, differ;
} eval_stats;

static int fit_of(gm_verdict v) { return v == GM_VERDICT_FITS ? 1 : v == GM_VERDICT_TIGHT ? 2 : 0; }

static void on_evaluated(void *arg, const gm_config *config, uint64_t peak, int fit, int poly) {
  eval_stats *st = arg;
  gm_error err;
  int same;
  st->n++;
  st->from_poly += poly == 1;
  st->bounded += poly >= 2;
  st->by_states += poly == 3;
  st->fitting += fit != 0;
  if (gm_calculate(config, st->res, &err) != GM_OK) {
    /* The floor is found on a layout that resolves (gm_calculate may still
     * reject its figures, past 2^53 bytes); the states' bound before
     * resolution, so on one that may not. */
    gm_config k = *config;
    same = fit == 0 && (poly != 2 || gm_resolve(&k, NULL, &err) == GM_OK);
  } else if (poly >= 2) {
    /* Settled by a bound: it does not fit, and stage 0 holds at least the bound. */
    same = fit == 0 && st->res->verdict == GM_VERDICT_DOES_NOT_FIT &&
           peak <= st->res->stages[0].peak_nvsmi_bytes;
    if (poly == 3 && same) {
      /* The states' bound, made from another layout's resolution, is below
       * the floor of this one's (gm_first_stage_floor's sum, rounded alike). */
      gm_config k = *config;
      gm_params P;
      gm_shape s;
      gm_stage_mem base;
      double most;
      if (gm_resolve(&k, NULL, &err) == GM_OK && gm_config_params(&k, &P, &err) == GM_OK) {
        s = gm_stage_layout(&k, &P, 0);
        gm_stage_memory_base(&k, &P, &s, &base);
        most = floor_sum(&base);
        same = (double)peak <= floor(most + 0.5) + (double)k.hardware.cuda_context_bytes;
      } else {
        same = 0;
      }
    }
  } else {
    double full = (double)st->res->stages[st->res->worst_stage].peak_nvsmi_bytes;
    same = fit == fit_of(st->res->verdict) &&
           (fit == 0 || (poly ? fabs((double)peak - full) <= 8 : (double)peak == full));
  }
  if (!same && st->differ++ < 3)
    printf("  differs: %s TP %d PP %d DP %d CP %d VPP %d EP %d mb %lld: planner %llu (%d%s), "
           "calculate %llu (%d)\n",
           gm_framework_name(config->engine.framework), config->parallel.tp, config->parallel.pp,
           config->parallel.dp, config->parallel.cp, config->parallel.vpp, config->parallel.ep,
           (long long)config->training.micro_batch_size, (unsigned long long)peak, fit,
           poly ? ", polynomial" : "",
           (unsigned long long)st->res->stages[st->res->worst_stage].peak_nvsmi_bytes,
           fit_of(st->res->verdict));
}

/* Whether two searches' answers are the same: the layouts (configs, peaks,
 * estimates), the reasons, the fewest GPUs, the layouts searched and the
 * suggestions (not the full evaluations, which the bounds save). */
static int same_answer(const gm_plan_result *a, const gm_plan_result *b) {
  int i;
  if (a->num_layouts != b->num_layouts || a->num_rejected != b->num_rejected ||
      a->min_gpus != b->min_gpus || a->searched != b->searched ||
      a->base_peak_bytes != b->base_peak_bytes || a->num_suggestions != b->num_suggestions)
    return 0;
  for (i = 0; i < a->num_layouts; i++) {
    const gm_plan_layout *x = &a->layouts[i], *y = &b->layouts[i];
    if (memcmp(&x->config, &y->config, sizeof x->config) != 0 || x->peak_bytes != y->peak_bytes ||
        x->tight != y->tight || x->perf.step_time_s != y->perf.step_time_s)
      return 0;
  }
  for (i = 0; i < a->num_rejected; i++)
    if (strcmp(a->rejected[i].family, b->rejected[i].family) != 0 ||
        strcmp(a->rejected[i].reason, b->rejected[i].reason) != 0)
      return 0;
  for (i = 0; i < a->num_suggestions; i++)
    if (strcmp(a->suggestions[i].change, b->suggestions[i].change) != 0 ||
        a->suggestions[i].peak_bytes != b->suggestions[i].peak_bytes)
      return 0;
  return 1;
}

#endif
