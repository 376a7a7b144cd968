#define _POSIX_C_SOURCE 200809L
/* plan_cmd.c - `gpu-mem-calc plan`: which layouts fit, the fastest first.
 * Like the rest of the CLI it uses only the public API: plan_json. */
#include "plan_cmd.h"
#include "options.h"

#include "gpumem.h"
#include "inputs.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { EXIT_INVALID = 2, EXIT_IO = 1 };

static int fail_usage(const char *msg, const char *arg) {
  fprintf(stderr, "gpu-mem-calc: plan: %s%s%s\nrun 'gpu-mem-calc --help' for usage\n", msg,
          arg ? " " : "", arg ? arg : "");
  return EXIT_INVALID;
}

static double num(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *k) {
  const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
  return s ? s : "";
}

/* The "plan" section of root, created when missing. */
static cJSON *plan_section(cJSON *root) {
  cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "plan");
  if (!cJSON_IsObject(p)) {
    cJSON_DeleteItemFromObjectCaseSensitive(root, "plan");
    p = cJSON_AddObjectToObject(root, "plan");
  }
  return p;
}

static void set(cJSON *obj, const char *key, cJSON *v) {
  if (cJSON_GetObjectItemCaseSensitive(obj, key))
    cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
  else
    cJSON_AddItemToObject(obj, key, v);
}

/* "64" or "8-64" into the plan section; 0 when it is not a count or range. */
static int set_gpus(cJSON *plan, const char *arg) {
  char *end;
  long lo = strtol(arg, &end, 10), hi = lo;
  if (end == arg || lo < 1)
    return 0;
  if (*end == '-') {
    const char *h = end + 1;
    hi = strtol(h, &end, 10);
    if (end == h || hi < lo)
      return 0;
  }
  if (*end)
    return 0;
  if (hi == lo) {
    set(plan, "gpus", cJSON_CreateNumber((double)lo));
  } else {
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateNumber((double)lo));
    cJSON_AddItemToArray(a, cJSON_CreateNumber((double)hi));
    set(plan, "gpus", a);
  }
  return 1;
}

/* Characters on screen of UTF-8 text ("×" is one), for padding columns. */
static int text_width(const char *s) {
  int w = 0;
  for (; *s; s++)
    w += ((unsigned char)*s & 0xC0) != 0x80;
  return w;
}

static void put_padded(const char *s, int width) {
  int pad = width - text_width(s);
  printf("%s%*s", s, pad > 0 ? pad : 0, "");
}

/* The training code of a layout, as its config names it ("torchtitan"):
 * layouts that differ only in it have the same summary. */
static const char *framework_of(const cJSON *layout) {
  const cJSON *c = cJSON_GetObjectItemCaseSensitive(layout, "config");
  return str(cJSON_GetObjectItemCaseSensitive(c, "engine"), "framework");
}

/* Layouts per second as a person reads it: "340 K", "1.8 M". */
static void put_rate(double per_s) {
  if (per_s >= 1e6)
    printf("%.1f M", per_s / 1e6);
  else if (per_s >= 1e3)
    printf("%.0f K", per_s / 1e3);
  else
    printf("%.0f", per_s);
}

static void print_table(const cJSON *r, double wall_s) {
  const cJSON *l, *x;
  int i = 0, width = 6, fw_width = 9; /* "layout", "framework" */
  double searched = num(r, "searched");
  cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r, "layouts")) {
    int w = text_width(str(l, "summary")), f = text_width(framework_of(l));
    width = w > width ? w : width;
    fw_width = f > fw_width ? f : fw_width;
  }
  printf("Layouts that fit, fastest first (step time, tokens/s and MFU are estimates):\n");
  if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "layouts")) == 0)
    printf("  none\n");
  else {
    printf("  %3s  ", "#");
    put_padded("layout", width);
    printf("  ");
    put_padded("framework", fw_width);
    printf(" %9s %7s %9s %11s %6s\n", "peak GiB", "verdict", "step s", "tok/s/GPU", "MFU");
  }
  cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r, "layouts")) {
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(l, "step_time_s");
    char step[32] = "-", tps[32] = "-", mfu[32] = "-";
    if (cJSON_IsNumber(st)) {
      snprintf(step, sizeof step, "%.2f", st->valuedouble);
      snprintf(tps, sizeof tps, "%.0f", num(l, "tokens_per_s_per_gpu"));
      snprintf(mfu, sizeof mfu, "%.1f%%", 100.0 * num(l, "mfu"));
    }
    printf("  %3d  ", ++i);
    put_padded(str(l, "summary"), width);
    printf("  ");
    put_padded(framework_of(l), fw_width);
    printf(" %9.2f %7s %9s %11s %6s\n", num(l, "peak_gb"), str(l, "verdict"), step, tps, mfu);
  }
  l = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "layouts"), 0);
  if (l && !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(l, "step_time_s")))
    printf("  (this GPU has no throughput figures: ranked as an H100 would run the layouts)\n");
  x = cJSON_GetObjectItemCaseSensitive(r, "rejected");
  if (cJSON_GetArraySize(x) > 0) {
    printf("\nRejected:\n");
    cJSON_ArrayForEach(l, x) printf("  %s: %s\n", str(l, "family"), str(l, "reason"));
  }
  x = cJSON_GetObjectItemCaseSensitive(r, "min_gpus");
  if (cJSON_IsNumber(x))
    printf("\nFewest GPUs of this type that fit this model and recipe (no offload): %.0f\n",
           x->valuedouble);
  x = cJSON_GetObjectItemCaseSensitive(r, "suggestions");
  if (cJSON_GetArraySize(x) > 0) {
    printf("\nChanges to the config as given (peak %.2f GiB):\n", num(r, "base_peak_gb"));
    cJSON_ArrayForEach(l, x)
        printf("  %-44s -%.2f GiB -> %.2f GiB%s\n", str(l, "change"), num(l, "saving_gb"),
               num(l, "peak_gb"),
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "fits")) ? " (fits)" : "");
  }
  cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r, "warnings")) {
    const char *f = str(l, "field");
    printf("warning: %s%s%s\n", f, *f ? ": " : "", str(l, "message"));
  }
  /* A search takes a millisecond or two: tenths below 10 ms, as the page shows it. */
  printf("\nSearched %.0f layouts in %.*f ms", searched, wall_s < 0.01 ? 1 : 0, wall_s * 1e3);
  if (wall_s > 0 && searched > 0) {
    printf(" (");
    put_rate(searched / wall_s);
    printf(" layouts/s)");
  }
  printf(".\n");
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int gm_cmd_plan(int argc, char **argv) {
  const char *file = "plan", *format = "table", *gpus = NULL, *top = NULL;
  cli_inputs in;
  cJSON *root, *plan, *res;
  char *text = NULL, *req, *out;
  const cJSON *error;
  double t0, wall;
  int i, rc = 0;
  const cli_option opts[] = {{.name = "--format", .alias = "-f", .value = &format},
                             {.name = "--gpus", .value = &gpus},
                             {.name = "--top", .value = &top},
                             {.name = NULL}};
  memset(&in, 0, sizeof in);
  /* The config's sources, as calculate takes them (--config, --model,
   * launcher files, --set, --margin), and plan's own options. */
  if (cli_inputs_read_args(&in, opts, "plan", argc, argv) < 0)
    return EXIT_INVALID;
  if (!cli_inputs_has_source(&in))
    return fail_usage("needs --config FILE", NULL);
  if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
    return fail_usage("--format must be table or json", NULL);
  for (i = 0; i < in.n; i++)
    if (in.items[i].kind != CLI_IN_SET && in.items[i].kind != CLI_IN_MARGIN) {
      file = in.items[i].arg;
      break;
    }
  root = cli_inputs_load(&in, 0, &rc, &text);
  if (!root && !text)
    return rc;
  if (text) /* one config file of ours, as written */
    root = cJSON_Parse(text);
  if (!cJSON_IsObject(root)) {
    /* plan_json words the error. */
    cJSON_Delete(root);
    root = NULL;
    req = text;
  } else {
    plan = plan_section(root);
    if (gpus && !set_gpus(plan, gpus)) {
      cJSON_Delete(root);
      free(text);
      return fail_usage("--gpus must be N or MIN-MAX, e.g. 64 or 8-64; got", gpus);
    }
    if (top) {
      char *end;
      long n = strtol(top, &end, 10);
      if (end == top || *end || n < 1 || n > GM_PLAN_MAX_TOP) {
        cJSON_Delete(root);
        free(text);
        return fail_usage("--top must be 1 to 100; got", top);
      }
      set(plan, "top", cJSON_CreateNumber((double)n));
    }
    req = cJSON_PrintUnformatted(root);
  }
  t0 = now_s();
  out = plan_json(req);
  wall = now_s() - t0;
  if (req != text)
    cJSON_free(req);
  free(text);
  cJSON_Delete(root);
  if (!out) {
    fprintf(stderr, "gpu-mem-calc: out of memory\n");
    return EXIT_IO;
  }
  res = cJSON_Parse(out);
  error = cJSON_GetObjectItemCaseSensitive(res, "error");
  if (error) {
    const char *f = str(error, "field");
    fprintf(stderr, "gpu-mem-calc: %s: %s%s%s\n", file, f, *f ? ": " : "", str(error, "message"));
    rc = EXIT_INVALID;
  } else if (strcmp(format, "json") == 0) {
    char *pretty;
    if (!cJSON_GetObjectItemCaseSensitive(res, "evaluated_per_s"))
      cJSON_AddNumberToObject(res, "evaluated_per_s",
                              wall > 0 ? (double)(long long)(num(res, "searched") / wall) : 0);
    pretty = cJSON_Print(res);
    printf("%s\n", pretty);
    cJSON_free(pretty);
  } else {
    print_table(res, wall);
  }
  cJSON_Delete(res);
  calc_free(out);
  return rc;
}

char *gm_plan_choose(const char *config_json, char *summary, size_t n) {
  cJSON *root = cJSON_Parse(config_json), *res;
  const cJSON *first;
  char *req, *out, *chosen = NULL;
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return NULL;
  }
  set(plan_section(root), "top", cJSON_CreateNumber(1));
  req = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  out = req ? plan_json(req) : NULL;
  cJSON_free(req);
  res = out ? cJSON_Parse(out) : NULL;
  first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "layouts"), 0);
  if (first) {
    chosen = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(first, "config"));
    snprintf(summary, n, "%s", str(first, "summary"));
  }
  cJSON_Delete(res);
  calc_free(out);
  return chosen;
}
