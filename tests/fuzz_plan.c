/* fuzz_plan.c - libFuzzer driver that holds the planner to the calculator.
 *
 * Every input gets one JSON object from plan_json: an error with a field and
 * a message, or an answer whose every layout's config, run through
 * calc_json, fits with the layout's peak. When the input reads as a request
 * (a config and its "plan" section, gm_plan_request_json) over at most
 * MAX_GPUS GPUs, the search runs again through gm_plan and
 *   - every layout whose peak the search finds is as gm_calculate finds it
 *     (plan_checks.h's on_evaluated: the same fit, the same peak, or within
 *     8 bytes off the polynomials; a bound never above the peak);
 *   - every returned layout fits, as gm_calculate says, with that peak;
 *   - the same search evaluating every layout in full (no bounds) gives the
 *     same answer.
 * A broken invariant prints what broke and aborts, so libFuzzer keeps the input.
 *
 *   make fuzz FUZZ_SECONDS=60     (runs this after fuzz_calc, a third of the time)
 * Seeds: the configs of tests/cases and presets/examples (build/fuzz/seeds). */
#include "config.h"
#include "internal.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Searches over more GPUs take long under the sanitizers, with a full
 * calculation per layout found; plan_json still answers them. */
#ifndef MAX_GPUS
#define MAX_GPUS 64
#endif

static const char *input_text;

static void broken(const char *what, const char *detail) {
  fflush(stdout); /* the checks' own lines first */
  fprintf(stderr, "fuzz_plan: invariant broken: %s (%s)\ninput: %.2000s\n", what,
          detail ? detail : "", input_text);
  abort();
}

static const cJSON *get(const cJSON *o, const char *k) {
  return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* A layout's config as plan_json writes it (the request's own config with
 * the searched fields written in), through calc_json: it fits, and its most
 * loaded stage has the layout's peak. */
static void recalculates(const cJSON *layout) {
  int fits = 0;
  char verdict[32];
  double peak = calc_peak(get(layout, "config"), &fits, verdict, sizeof verdict);
  if (!fits || peak != num(layout, "peak_bytes"))
    broken("a layout's config, calculated, does not fit with the layout's peak", verdict);
}

/* plan_json answers with an object holding an error or layouts, each of
 * which recalculates. */
static void answers(const char *text) {
  char *out = plan_json(text);
  cJSON *r = out ? cJSON_Parse(out) : NULL;
  const cJSON *l;
  if (!out)
    broken("plan_json returned NULL", NULL);
  if (!cJSON_IsObject(r))
    broken("plan_json's answer is not a JSON object", out);
  if (!cJSON_IsObject(get(r, "error")) && !cJSON_IsArray(get(r, "layouts")))
    broken("plan_json's answer has neither an error nor layouts", out);
  cJSON_ArrayForEach(l, get(r, "layouts")) recalculates(l);
  cJSON_Delete(r);
  calc_free(out);
}

static gm_plan_result with_bounds, without_bounds;
static gm_result result;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  gm_plan_request q;
  gm_error err;
  eval_stats st = {&result, 0, 0, 0, 0, 0, 0};
  int i;
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  input_text = text;
  answers(text);
  if (gm_plan_request_json(text, &q, &result, &err) != GM_OK || q.max_gpus > MAX_GPUS) {
    free(text);
    return 0;
  }
  q.on_evaluated = on_evaluated, q.on_evaluated_arg = &st;
  if (gm_plan(&q, &with_bounds, &err) != GM_OK) {
    free(text);
    return 0;
  }
  if (st.differ)
    broken("a layout's peak or fit differs from gm_calculate's", NULL);
  for (i = 0; i < with_bounds.num_layouts; i++) {
    const gm_plan_layout *l = &with_bounds.layouts[i];
    if (gm_calculate(&l->config, &result, &err) != GM_OK)
      broken("a returned layout does not calculate", err.message);
    if (result.verdict != (l->tight ? GM_VERDICT_TIGHT : GM_VERDICT_FITS) ||
        result.stages[result.worst_stage].peak_nvsmi_bytes != l->peak_bytes)
      broken("a returned layout's verdict or peak is not gm_calculate's", NULL);
  }
  q.on_evaluated = NULL, q.no_bounds = 1;
  if (gm_plan(&q, &without_bounds, &err) != GM_OK)
    broken("the search without bounds fails where the one with them ran", err.message);
  if (!same_answer(&with_bounds, &without_bounds))
    broken("the answer with bounds differs from the one evaluating every layout", NULL);
  free(text);
  return 0;
}
