/* calc_json.c - the JSON-in entry points shared by the CLI and WebAssembly. */
#include "config.h"
#include "result_json.h"

#include <stdlib.h>
#include <string.h>

int gm_calculate_json(const char *config_json, gm_result *out, gm_error *err) {
  gm_config cfg;
  gm_error parse_warnings[GM_MAX_WARNINGS];
  int parse, calc, i;
  out->num_warnings = 0; /* the parser's warnings go here first */
  if (gm_parse_config(config_json, &cfg, out, err) != GM_OK)
    return GM_EINVAL;
  parse = out->num_warnings < GM_MAX_WARNINGS ? out->num_warnings : GM_MAX_WARNINGS;
  memcpy(parse_warnings, out->warnings, (size_t)parse * sizeof out->warnings[0]);
  if (gm_calculate(&cfg, out, err) != GM_OK)
    return GM_EINVAL;
  /* The config's warnings first, then the calculation's, up to the limit. */
  calc = out->num_warnings < GM_MAX_WARNINGS - parse ? out->num_warnings : GM_MAX_WARNINGS - parse;
  memmove(&out->warnings[parse], &out->warnings[0], (size_t)calc * sizeof out->warnings[0]);
  for (i = 0; i < parse; i++)
    out->warnings[i] = parse_warnings[i];
  out->num_warnings = parse + calc;
  return GM_OK;
}

char *calc_json(const char *config_json) {
  /* On the heap: gm_result holds every pipeline stage and is too large for a
   * WebAssembly stack. gm_calculate_json writes what it reads. */
  gm_result *r = malloc(sizeof *r);
  gm_error err;
  char *out;
  memset(&err, 0, sizeof err);
  if (!r)
    return NULL;
  if (gm_calculate_json(config_json, r, &err) != GM_OK)
    out = gm_error_json(&err);
  else
    out = gm_result_json(r);
  free(r);
  return out;
}

void calc_free(char *p) { free(p); }
