/* sweep.c - `gpu-mem-calc sweep`: one config, one row per value of the keys
 * it varies (every combination when several vary). */
#include "cli.h"
#include "gpumem.h"
#include "inputs.h"
#include "options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARY 8
#define MAX_ROWS 10000

typedef struct {
  char key[128];
  char **values;
  int n;
} vary;

static int usage(const char *fmt, const char *arg) {
  fprintf(stderr, "gpu-mem-calc: sweep: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nrun 'gpu-mem-calc sweep --help' for usage\n");
  return CLI_EXIT_INVALID;
}

static int push(vary *v, const char *text, size_t len) {
  char **values, *s;
  if (v->n >= MAX_ROWS)
    return -1;
  values = realloc(v->values, (size_t)(v->n + 1) * sizeof *values);
  if (!values)
    return -1;
  v->values = values;
  s = malloc(len + 1);
  if (!s)
    return -1;
  memcpy(s, text, len);
  s[len] = '\0';
  v->values[v->n++] = s;
  return 0;
}

/* A whole number in [-1e15, 1e15] filling all of text[0..len). */
static int whole(const char *text, size_t len, double *out) {
  char buf[32], *end;
  if (len == 0 || len >= sizeof buf)
    return 0;
  memcpy(buf, text, len);
  buf[len] = '\0';
  *out = strtod(buf, &end);
  return !*end && fabs(*out) <= 1e15 && *out == floor(*out);
}

/* KEY=SPEC into v: "a..b", "a..b:xN", "a..b:+N", or "a,b,c". 0, or -1 after a message. */
static int parse_vary(const char *arg, vary *v) {
  const char *eq = strchr(arg, '='), *spec, *dots;
  memset(v, 0, sizeof *v);
  if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof v->key || !eq[1])
    return usage("--vary takes KEY=VALUES (training.batch_size=1..16), got '%s'", arg), -1;
  memcpy(v->key, arg, (size_t)(eq - arg));
  v->key[eq - arg] = '\0';
  spec = eq + 1;
  dots = strstr(spec, "..");
  if (dots) {
    const char *colon = strchr(dots, ':');
    const char *hi_end = colon ? colon : dots + strlen(dots);
    double lo, hi, step = 1, x;
    int times = 0;
    if (!whole(spec, (size_t)(dots - spec), &lo) ||
        !whole(dots + 2, (size_t)(hi_end - dots - 2), &hi) || hi < lo)
      return usage("--vary %s: a range is LO..HI with whole numbers, LO <= HI", arg), -1;
    if (colon) {
      times = colon[1] == 'x' || colon[1] == '*';
      if (!whole(colon + 1 + (colon[1] == 'x' || colon[1] == '*' || colon[1] == '+'),
                 strlen(colon + 1) - (colon[1] == 'x' || colon[1] == '*' || colon[1] == '+'),
                 &step) ||
          step < (times ? 2 : 1) || (times && lo < 1))
        return usage("--vary %s: the step is :+N (N >= 1) or :xN (N >= 2, from LO >= 1)", arg), -1;
    }
    if ((times ? log(hi / lo) / log(step) : (hi - lo) / step) >= MAX_ROWS)
      return usage("--vary %s: more than 10000 values", arg), -1;
    for (x = lo; x <= hi; x = times ? x * step : x + step) {
      char num[32];
      int n = snprintf(num, sizeof num, "%.0f", x);
      if (push(v, num, (size_t)n) != 0)
        return usage("%s", "out of memory"), -1;
    }
  } else {
    const char *p = spec;
    for (;;) {
      size_t n = strcspn(p, ",");
      if (n == 0)
        return usage("--vary %s: an empty value in the list", arg), -1;
      if (push(v, p, n) != 0)
        return usage("--vary %s: more than 10000 values", arg), -1;
      if (!p[n])
        break;
      p += n + 1;
    }
  }
  return 0;
}

static void free_vary(vary *v) {
  int i;
  for (i = 0; i < v->n; i++)
    free(v->values[i]);
  free(v->values);
}

/* One row: the config with each varied key set; its calc_json result parsed. */
static cJSON *compute(const cJSON *config, const vary *vs, int nv, const int *at, int *rc) {
  cJSON *copy = cJSON_Duplicate(config, 1), *result = NULL;
  char *text, *json, msg[256];
  int i;
  if (!copy)
    return NULL;
  for (i = 0; i < nv; i++) {
    size_t n = strlen(vs[i].key) + strlen(vs[i].values[at[i]]) + 2;
    char *assign = malloc(n);
    if (!assign)
      break;
    snprintf(assign, n, "%s=%s", vs[i].key, vs[i].values[at[i]]);
    if (cli_set(copy, assign, msg, sizeof msg) != 0) {
      fprintf(stderr, "gpu-mem-calc: %s\n", msg);
      *rc = CLI_EXIT_INVALID;
      free(assign);
      cJSON_Delete(copy);
      return NULL;
    }
    free(assign);
  }
  text = i == nv ? cJSON_PrintUnformatted(copy) : NULL;
  cJSON_Delete(copy);
  json = text ? calc_json(text) : NULL;
  cJSON_free(text);
  if (json)
    result = cJSON_Parse(json);
  calc_free(json);
  if (!result) {
    fprintf(stderr, "gpu-mem-calc: out of memory\n");
    *rc = CLI_EXIT_IO;
  }
  return result;
}

int cli_sweep(int argc, char **argv) {
  cli_inputs in;
  vary vs[MAX_VARY];
  const char *format = "table", *keys[MAX_VARY], *values[MAX_VARY], *vary_args[MAX_VARY];
  int verbose = 0, nargs = 0;
  const cli_option opts[] = {
      {.name = "--vary", .value = vary_args, .count = &nargs, .max = MAX_VARY},
      {.name = "--format", .alias = "-f", .value = &format},
      {.name = "--verbose", .alias = "-v", .flag = &verbose},
      {.name = NULL}};
  cli_rows_format rows = CLI_ROWS_TABLE;
  int nv = 0, i, rc = 0, json = 0, rows_done = 0, invalid = 0, at[MAX_VARY];
  long total = 1;
  cJSON *config = NULL;
  memset(&in, 0, sizeof in);
  if (cli_inputs_read_args(&in, opts, "sweep", argc, argv) < 0) {
    rc = CLI_EXIT_INVALID;
    goto done;
  }
  for (; nv < nargs; nv++) {
    if (parse_vary(vary_args[nv], &vs[nv]) != 0) {
      free_vary(&vs[nv]);
      rc = CLI_EXIT_INVALID;
      goto done;
    }
    total *= vs[nv].n;
    if (total > MAX_ROWS) {
      nv++;
      rc = usage("%s", "more than 10000 combinations");
      goto done;
    }
  }
  json = strcmp(format, "json") == 0;
  if (!json && cli_rows_format_of(format, 1, &rows) != 0) {
    rc = usage("%s", "--format must be table, csv, markdown or json");
    goto done;
  }
  if (!cli_inputs_has_source(&in)) {
    rc = usage("%s", "needs --config FILE (or --model, --deepspeed, --megatron-args)");
    goto done;
  }
  if (nv == 0) {
    rc = usage("%s", "needs --vary KEY=VALUES");
    goto done;
  }
  config = cli_inputs_load(&in, verbose ? CLI_INPUTS_VERBOSE : 0, &rc, NULL);
  if (!config)
    goto done;
  for (i = 0; i < nv; i++) {
    keys[i] = vs[i].key;
    at[i] = 0;
  }
  if (json)
    printf("[");
  else
    cli_rows_header(rows, keys, nv);
  for (;;) {
    cJSON *result = compute(config, vs, nv, at, &rc);
    if (!result)
      break;
    invalid |= cJSON_GetObjectItemCaseSensitive(result, "error") != NULL;
    for (i = 0; i < nv; i++)
      values[i] = vs[i].values[at[i]];
    if (json) {
      cJSON *row = cJSON_CreateObject(), *set = cJSON_AddObjectToObject(row, "values");
      char *text;
      for (i = 0; i < nv; i++) {
        /* As --set reads it: JSON when it is JSON, else a string. */
        cJSON *v = cJSON_Parse(values[i]);
        cJSON_AddItemToObject(set, keys[i], v ? v : cJSON_CreateString(values[i]));
      }
      cJSON_AddItemToObject(row, "result", result);
      text = cJSON_Print(row);
      printf("%s\n%s", rows_done ? "," : "", text ? text : "null");
      cJSON_free(text);
      cJSON_Delete(row);
    } else {
      cli_rows_row(rows, values, nv, result);
      cJSON_Delete(result);
    }
    rows_done++;
    /* The next combination: the last key varies fastest. */
    for (i = nv - 1; i >= 0; i--) {
      if (++at[i] < vs[i].n)
        break;
      at[i] = 0;
    }
    if (i < 0)
      break;
  }
  if (json)
    printf("\n]\n");
  if (rc == 0 && invalid)
    rc = CLI_EXIT_INVALID;
done:
  cJSON_Delete(config);
  for (i = 0; i < nv; i++)
    free_vary(&vs[i]);
  return rc;
}
