/* calc_json.c - the JSON-in, JSON-out entry point shared by the CLI and WebAssembly. */
#include "config.h"
#include "result_json.h"

#include <stdlib.h>
#include <string.h>

/* Everything one call needs, allocated together: gm_result holds every
 * pipeline stage and is too large for a WebAssembly stack. */
typedef struct {
  gm_config cfg;
  gm_result result;
  int num_parse_warnings;
  gm_error parse_warnings[GM_MAX_WARNINGS];
} calc_state;

/* Put the config's warnings first, then the calculation's, up to the limit. */
static void merge_warnings(calc_state *s) {
  gm_result *r = &s->result;
  int calc = r->num_warnings < 0 ? 0 : r->num_warnings, parse = s->num_parse_warnings, i;
  if (calc > GM_MAX_WARNINGS)
    calc = GM_MAX_WARNINGS;
  if (calc > GM_MAX_WARNINGS - parse)
    calc = GM_MAX_WARNINGS - parse;
  memmove(&r->warnings[parse], &r->warnings[0], (size_t)calc * sizeof r->warnings[0]);
  for (i = 0; i < parse; i++)
    r->warnings[i] = s->parse_warnings[i];
  r->num_warnings = parse + calc;
}

char *calc_json(const char *config_json) {
  calc_state *s = calloc(1, sizeof *s);
  gm_error err;
  char *out = NULL;
  memset(&err, 0, sizeof err);
  if (!s)
    goto done;
  if (gm_parse_config(config_json, &s->cfg, &s->result, &err) != GM_OK) {
    out = gm_error_json(&err);
    goto done;
  }
  s->num_parse_warnings = s->result.num_warnings;
  if (s->num_parse_warnings > GM_MAX_WARNINGS)
    s->num_parse_warnings = GM_MAX_WARNINGS;
  memcpy(s->parse_warnings, s->result.warnings, sizeof s->parse_warnings);
  s->result.num_warnings = 0;
  if (gm_calculate(&s->cfg, &s->result, &err) != GM_OK) {
    out = gm_error_json(&err);
    goto done;
  }
  merge_warnings(s);
  out = gm_result_json(&s->result);
done:
  free(s);
  return out;
}

void calc_free(char *p) { free(p); }
