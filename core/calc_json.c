/* calc_json.c - the JSON-in entry points shared by the CLI and WebAssembly. */
#include "config.h"
#include "result_json.h"

#include <stdlib.h>
#include <string.h>

/* gm_calculate_json, keeping each stage's memory when kept is not NULL. */
static int calculate_json(const char *config_json, gm_result *out, gm_stage_mem *kept,
                          gm_error *err) {
  gm_config cfg;
  gm_error parse_warnings[GM_MAX_WARNINGS];
  int parse, calc, i;
  out->num_warnings = 0; /* the parser's warnings go here first */
  if (gm_parse_config(config_json, &cfg, out, err) != GM_OK)
    return GM_EINVAL;
  parse = out->num_warnings < GM_MAX_WARNINGS ? out->num_warnings : GM_MAX_WARNINGS;
  memcpy(parse_warnings, out->warnings, (size_t)parse * sizeof out->warnings[0]);
  if (gm_calculate_kept(&cfg, out, kept, err) != GM_OK)
    return GM_EINVAL;
  /* The config's warnings first, then the calculation's, up to the limit. */
  calc = out->num_warnings < GM_MAX_WARNINGS - parse ? out->num_warnings : GM_MAX_WARNINGS - parse;
  memmove(&out->warnings[parse], &out->warnings[0], (size_t)calc * sizeof out->warnings[0]);
  for (i = 0; i < parse; i++)
    out->warnings[i] = parse_warnings[i];
  out->num_warnings = parse + calc;
  return GM_OK;
}

int gm_calculate_json(const char *config_json, gm_result *out, gm_error *err) {
  return calculate_json(config_json, out, NULL, err);
}

char *calc_json(const char *config_json) {
  /* On the heap: gm_result holds every pipeline stage and is too large for a
   * WebAssembly stack; with it each stage's memory, which the timelines
   * read instead of computing it again. calculate_json writes what it reads. */
  struct {
    gm_result r;
    gm_stage_mem kept[GM_MAX_STAGES];
  } *k = malloc(sizeof *k);
  gm_error err;
  char *out;
  memset(&err, 0, sizeof err);
  if (!k)
    return NULL;
  if (calculate_json(config_json, &k->r, k->kept, &err) != GM_OK)
    out = gm_error_json(&err);
  else
    out = gm_result_json_kept(&k->r, k->kept);
  free(k);
  return out;
}

void calc_free(char *p) { free(p); }
