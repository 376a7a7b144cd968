/* summary.c - the figures calc_json derives from a gm_result (the worst
 * stage, the breakdown's sums, the margin's limit, each stage's layer
 * ranges) and the precision it prints them with: one place that both the
 * JSON writer (result_json.c) and the CLI's table read. */
#include "fmt.h"
#include "internal.h"
#include "schema.h"

#include <math.h>
#include <string.h>

void gm_summarize(const gm_result *r, gm_summary *out) {
  const uint64_t *b;
  int n = r->num_stages < 0 ? 0 : r->num_stages > GM_MAX_STAGES ? GM_MAX_STAGES : r->num_stages;
  int worst = r->worst_stage < 0 || r->worst_stage >= n ? 0 : r->worst_stage;
  memset(out, 0, sizeof *out);
  out->num_stages = n;
  out->worst_stage = worst;
  out->num_warnings = r->num_warnings < 0                 ? 0
                      : r->num_warnings > GM_MAX_WARNINGS ? GM_MAX_WARNINGS
                                                          : r->num_warnings;
  if (n > 0)
    out->worst = r->stages[worst]; /* else a zero stage stands in */
  b = out->worst.bytes;
  out->model_params_bytes = b[GM_C_WEIGHTS] + b[GM_C_GATHERED];
  out->activations_bytes = b[GM_C_ACTIVATIONS] + b[GM_C_LOGITS];
  out->overhead_bytes = b[GM_C_BUFFERS] + b[GM_C_STEP] + b[GM_C_CACHE] + b[GM_C_CONTEXT];
  out->fits_below_bytes =
      (uint64_t)llround((1.0 - r->resolved.hardware.safety_margin) * (double)r->capacity_bytes);
}

int gm_result_chunks(const gm_result *r, int stage, int first[], int count[]) {
  const gm_config *c = &r->resolved;
  if (stage < 0 || stage >= c->parallel.pp || c->parallel.pp <= 0 || c->parallel.vpp <= 0)
    return 0;
  return gm_stage_chunks(c, stage, first, count);
}

/* whole + frac / 10^decimals, the decimal calc_json prints, as the nearest
 * double: exact integers divided once (correctly rounded) while they fit. */
static double decimal_value(uint64_t whole, uint64_t frac, int decimals) {
  double scale = (double)gm_pow10_u64[decimals];
  if ((double)whole < 9007199254740992.0 / scale)
    return (double)(whole * (uint64_t)scale + frac) / scale;
  return (double)whole + (double)frac / scale;
}

double gm_printed_gib(uint64_t bytes, int decimals) {
  /* As result_json.c's scaled(): the fraction rounded half up. */
  uint64_t whole = bytes >> 30, rem = bytes & ((UINT64_C(1) << 30) - 1), scale, frac;
  if (decimals < 0 || decimals > 10)
    decimals = decimals < 0 ? 0 : 10;
  scale = gm_pow10_u64[decimals];
  frac = (rem * scale + (UINT64_C(1) << 29)) >> 30;
  if (frac >= scale) {
    whole++;
    frac -= scale;
  }
  return decimal_value(whole, frac, decimals);
}

double gm_printed_fixed(double v, int decimals) {
  /* As result_json.c's put_fixed(): rounded half away from zero; whole beyond 9e15. */
  double x;
  long long n;
  uint64_t a, s;
  if (decimals < 0 || decimals > 10)
    decimals = decimals < 0 ? 0 : 10;
  x = v * (double)gm_pow10_u64[decimals];
  if (!isfinite(v))
    return v;
  if (!(fabs(x) < 9e15))
    return rint(v); /* printed with %.0f */
  n = llround(x);
  a = (uint64_t)(n < 0 ? -n : n);
  s = gm_pow10_u64[decimals];
  return (n < 0 ? -1 : 1) * decimal_value(a / s, a % s, decimals);
}

const char *gm_value_name(const char *key, int value) {
  const char *dot = key ? strchr(key, '.') : NULL;
  const gm_key *k = NULL;
  int s;
  if (!dot)
    return NULL;
  for (s = 0; s < GM_SEC_COUNT; s++)
    if (strlen(gm_schema[s].name) == (size_t)(dot - key) &&
        memcmp(gm_schema[s].name, key, (size_t)(dot - key)) == 0)
      k = gm_schema_find((gm_section)s, dot + 1, NULL);
  return k && k->kind == GM_K_ENUM ? gm_enum_name(k->names, value) : NULL;
}
