/*
 * validate.c - compares the calculator with measured training runs.
 *
 * Each tests/validation/rows/<id>.json holds one published measurement and
 * the run's setup written as a config of this calculator. The config goes
 * through calc_json(); the predicted figure that matches what the source
 * measured (allocated, reserved or nvidia-smi; last stage, worst GPU, one
 * GPU or the sum over GPUs) is compared with the measurement, like with
 * like in bytes. Fit/OOM rows (tier D) compare the verdict instead: an
 * observed OOM must be "tight" or "does not fit", an observed fit must not be
 * "does not fit" (--check enforces it).
 *
 * Usage: validate [--rows DIR] [--markdown FILE] [--explanations FILE]
 *                 [--check] [--quiet]
 *   --markdown  also writes the accuracy report (docs/accuracy.md)
 *   --check     exits 1 unless the accuracy bars hold (make test-accuracy)
 *   --quiet     prints only the summary
 *   --warnings  also prints the calculator's warnings for each row
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "gpumem.h"
#include "read_file.h"

#define MAX_ROWS 512
#define MAX_SENS 8
#define MAX_KNOBS 160
#define GIB 1073741824.0

/* The accuracy bars (make test-accuracy). */
#define BAR_A_MEDIAN 10.0
#define BAR_A_MAX 25.0
#define BAR_B_MEDIAN 15.0
/* Rows beyond this |error| get an entry in the explanations section. */
#define EXPLAIN_ABOVE 15.0

typedef struct {
  char knob[64];
  char value[48];
  int ok;
  double predicted_bytes;
  double delta_pct; /* change of the prediction */
  double err_pct;   /* error against the measurement with this setting */
} sens_result;

typedef struct {
  char id[48];
  char tier[4];
  char group[24];
  char locator[200];
  char metric[16];
  char rank[16];
  char unit[8];
  int is_fit; /* tier D: fits / OOM evidence */
  int fits_measured;
  int fits_predicted; /* the allocations fit the card (fits_on_gpu) */
  int verdict;        /* tier D: V_FITS, V_TIGHT or V_DOES_NOT_FIT */
  double utilization; /* predicted per-GPU peak over capacity, percent (tier D) */
  double unconstrained_share; /* unconstrained peak over capacity (tier D) */
  double seq_measured;        /* tier D: the longest context the source saw fit, 0 if none */
  double seq_predicted;       /* the result's max_seq_len */
  int assumption; /* the row carries an "assumption" */
  char assumption_text[400];
  double measured_value;
  double measured_bytes;
  int ok; /* the calculator gave a figure */
  double predicted_bytes;
  double err_pct;
  char error[256];    /* why no figure */
  char warnings[600]; /* the calculator's warnings, "field: message; ..." */
  int has_static;
  double static_measured_bytes;
  double static_predicted_bytes; /* < 0: not available from the result */
  int num_sens;
  sens_result sens[MAX_SENS];
} row_result;

typedef struct {
  char key[96];
  char rows[1400];
} knob_entry;

static row_result g_rows[MAX_ROWS];
static int g_num_rows;
static knob_entry g_knobs[MAX_KNOBS];
static int g_num_knobs;

/* ------------------------------------------------------------------ util */

static void copy_str(char *dst, size_t cap, const char *src) {
  size_t n = src ? strlen(src) : 0;
  if (n >= cap)
    n = cap - 1;
  if (n)
    memcpy(dst, src, n);
  dst[n] = '\0';
}

enum { V_FITS = 0, V_TIGHT, V_DOES_NOT_FIT };
static double g_margin; /* hardware.safety_margin of the fit/OOM rows' results */
static const char *const verdict_names[] = {"fits", "tight", "does not fit"};

/* A verdict that its row's observation contradicts. */
static int verdict_wrong(int fits_measured, int verdict) {
  return fits_measured ? verdict == V_DOES_NOT_FIT : verdict == V_FITS;
}

static const char *get_str(const cJSON *obj, const char *key) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsString(it) ? it->valuestring : NULL;
}

static int get_num(const cJSON *obj, const char *key, double *out) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!cJSON_IsNumber(it))
    return 0;
  *out = it->valuedouble;
  return 1;
}

/* "TT-2" < "TT-10": digits compare as numbers; '.' ends a name (".json"). */
static int natural_cmp(const char *a, const char *b) {
  while (*a && *b && *a != '.' && *b != '.') {
    if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
      char *ea, *eb;
      unsigned long na = strtoul(a, &ea, 10), nb = strtoul(b, &eb, 10);
      if (na != nb)
        return na < nb ? -1 : 1;
      a = ea;
      b = eb;
      continue;
    }
    if (*a != *b)
      return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
    a++;
    b++;
  }
  return (*a != 0 && *a != '.') - (*b != 0 && *b != '.');
}

static int cmp_names(const void *x, const void *y) {
  return natural_cmp(*(const char *const *)x, *(const char *const *)y);
}

static int cmp_knobs(const void *x, const void *y) {
  return strcmp(((const knob_entry *)x)->key, ((const knob_entry *)y)->key);
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

static double unit_bytes(const char *unit) {
  if (!strcmp(unit, "GiB"))
    return GIB;
  if (!strcmp(unit, "GB"))
    return 1e9;
  if (!strcmp(unit, "MiB"))
    return 1048576.0;
  if (!strcmp(unit, "MB"))
    return 1e6;
  return 0.0;
}

/* ------------------------------------------------------- result figures */

/* The result field that matches a measured metric. */
static const char *metric_field(const char *metric) {
  if (!strcmp(metric, "reserved"))
    return "peak_reserved";
  if (!strcmp(metric, "nvidia_smi"))
    return "peak_nvidia_smi";
  return "peak_allocated"; /* allocated, active */
}

/* One stage's figure in bytes, or -1. */
static double stage_figure(const cJSON *stage, const char *field) {
  const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(stage, "bytes");
  char key[48];
  double v;
  if (bytes && get_num(bytes, field, &v))
    return v;
  if (!strcmp(field, "peak_nvidia_smi")) {
    if (get_num(stage, "peak_nvidia_smi_gb", &v) || get_num(stage, "total_gb", &v))
      return v * GIB;
    return -1.0;
  }
  snprintf(key, sizeof key, "%s_gb", field);
  if (get_num(stage, key, &v))
    return v * GIB;
  return -1.0;
}

/* The top-level figure in bytes, or -1. */
static double top_figure(const cJSON *res, const char *field) {
  const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(res, "bytes");
  char key[48];
  double v;
  if (bytes && get_num(bytes, field, &v))
    return v;
  snprintf(key, sizeof key, "%s_gb", field);
  if (get_num(res, key, &v))
    return v * GIB;
  if (!strcmp(field, "peak_nvidia_smi") && get_num(res, "total_memory_per_gpu_gb", &v))
    return v * GIB;
  return -1.0;
}

/* The predicted figure for a metric and rank, in bytes; -1 if absent. */
static double pick_figure(const cJSON *res, const char *metric, const char *rank, double num_gpus) {
  const char *field = metric_field(metric);
  const cJSON *stages = cJSON_GetObjectItemCaseSensitive(res, "stages");
  int n = cJSON_IsArray(stages) ? cJSON_GetArraySize(stages) : 0;
  double top = top_figure(res, field);
  if (n > 0 && !strcmp(rank, "last_stage")) {
    double v = stage_figure(cJSON_GetArrayItem(stages, n - 1), field);
    return v >= 0 ? v : top;
  }
  if (n > 0 && !strcmp(rank, "first_stage")) {
    double v = stage_figure(cJSON_GetArrayItem(stages, 0), field);
    return v >= 0 ? v : top;
  }
  if (n > 0 && !strcmp(rank, "sum")) {
    double sum = 0;
    const cJSON *st;
    cJSON_ArrayForEach(st, stages) {
      double v = stage_figure(st, field);
      if (v < 0)
        return top >= 0 ? top * num_gpus : -1.0;
      sum += v;
    }
    return sum * (num_gpus / n);
  }
  if (!strcmp(rank, "sum"))
    return top >= 0 ? top * num_gpus : -1.0;
  /* max, single: the most loaded GPU */
  if (n > 0) {
    double best = -1.0;
    const cJSON *st;
    cJSON_ArrayForEach(st, stages) {
      double v = stage_figure(st, field);
      if (v > best)
        best = v;
    }
    if (best >= 0)
      return best > top ? best : top;
  }
  return top;
}

/* What the last stage holds through the optimizer step, in bytes from its
 * timeline's "optimizer step" point, or -1: the states plus what stays allocated
 * across steps (cuBLAS and Transformer Engine workspaces, kept buffers), and the
 * step's temporaries, which the fused Adam of Megatron's runs does not have. */
static double static_figure(const cJSON *res) {
  const cJSON *stages = cJSON_GetObjectItemCaseSensitive(res, "stages"), *line, *p;
  double v;
  int n = cJSON_IsArray(stages) ? cJSON_GetArraySize(stages) : 0;
  if (n == 0)
    return -1.0;
  line = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(stages, n - 1), "timeline");
  cJSON_ArrayForEach(p, line) {
    const char *at = get_str(p, "at");
    if (at && !strcmp(at, "optimizer step") && get_num(p, "allocated", &v))
      return v;
  }
  return -1.0;
}

/* Appends the result's warnings to buf. */
static void collect_warnings(const cJSON *res, char *buf, size_t cap) {
  const cJSON *ws = cJSON_GetObjectItemCaseSensitive(res, "warnings"), *w;
  buf[0] = '\0';
  cJSON_ArrayForEach(w, ws) {
    char one[300];
    const char *field = get_str(w, "field"), *msg = get_str(w, "message");
    if (cJSON_IsString(w))
      msg = w->valuestring;
    snprintf(one, sizeof one, "%s%s%s%s", buf[0] ? "; " : "", field ? field : "", field ? ": " : "",
             msg ? msg : "?");
    if (strlen(buf) + strlen(one) + 1 < cap)
      strcat(buf, one);
  }
}

/* Runs one config; returns the parsed result or NULL with why set. */
static cJSON *run_config(const cJSON *config, char *why, size_t cap) {
  char *in = cJSON_PrintUnformatted(config), *out;
  cJSON *res, *err;
  if (!in) {
    copy_str(why, cap, "out of memory");
    return NULL;
  }
  out = calc_json(in);
  cJSON_free(in);
  if (!out) {
    copy_str(why, cap, "calc_json returned NULL");
    return NULL;
  }
  res = cJSON_Parse(out);
  calc_free(out);
  if (!res) {
    copy_str(why, cap, "result is not JSON");
    return NULL;
  }
  err = cJSON_GetObjectItemCaseSensitive(res, "error");
  if (err) {
    snprintf(why, cap, "%s: %s", get_str(err, "field") ? get_str(err, "field") : "?",
             get_str(err, "message") ? get_str(err, "message") : "?");
    cJSON_Delete(res);
    return NULL;
  }
  return res;
}

/* Sets a dotted path ("training.loss") in a config to a copy of v. */
static int set_path(cJSON *config, const char *path, const cJSON *v) {
  char section[64];
  const char *dot = strchr(path, '.');
  cJSON *sec, *copy;
  size_t n;
  if (!dot || (n = (size_t)(dot - path)) >= sizeof section)
    return 0;
  memcpy(section, path, n);
  section[n] = '\0';
  sec = cJSON_GetObjectItemCaseSensitive(config, section);
  if (!sec) {
    sec = cJSON_CreateObject();
    if (!sec)
      return 0;
    cJSON_AddItemToObject(config, section, sec);
  }
  copy = cJSON_Duplicate(v, 1);
  if (!copy)
    return 0;
  if (cJSON_GetObjectItemCaseSensitive(sec, dot + 1))
    return cJSON_ReplaceItemInObjectCaseSensitive(sec, dot + 1, copy) ? 1 : 0;
  cJSON_AddItemToObject(sec, dot + 1, copy);
  return 1;
}

static void value_text(const cJSON *v, char *buf, size_t cap) {
  if (cJSON_IsString(v))
    copy_str(buf, cap, v->valuestring);
  else if (cJSON_IsBool(v))
    copy_str(buf, cap, cJSON_IsTrue(v) ? "true" : "false");
  else if (cJSON_IsNumber(v))
    snprintf(buf, cap, "%.10g", v->valuedouble);
  else
    copy_str(buf, cap, "?");
}

/* ----------------------------------------------------------- knob index */

static void knob_add(const char *key, const char *id) {
  int i;
  knob_entry *k = NULL;
  for (i = 0; i < g_num_knobs; i++)
    if (!strcmp(g_knobs[i].key, key))
      k = &g_knobs[i];
  if (!k) {
    if (g_num_knobs == MAX_KNOBS)
      return;
    k = &g_knobs[g_num_knobs++];
    copy_str(k->key, sizeof k->key, key);
    k->rows[0] = '\0';
  }
  if (strlen(k->rows) + strlen(id) + 3 < sizeof k->rows) {
    if (k->rows[0])
      strcat(k->rows, ", ");
    strcat(k->rows, id);
  }
}

/* Records the settings of a row that move memory (sizes excluded). */
static void index_knobs(const cJSON *config, const char *id) {
  static const char *const keys[] = {"training.precision",
                                     "training.dtype",
                                     "training.optimizer",
                                     "training.optimizer_impl",
                                     "training.activation_checkpointing",
                                     "training.selective_policy",
                                     "training.attention",
                                     "training.loss",
                                     "training.compile",
                                     "training.activation_offload",
                                     "training.optimizer_in_backward",
                                     "training.finetune",
                                     "training.lora_targets",
                                     "parallelism.sequence_parallel",
                                     "parallelism.pipeline_schedule",
                                     "engine.type",
                                     "engine.framework",
                                     "engine.zero_stage",
                                     "engine.sharding_strategy",
                                     "engine.distributed_optimizer",
                                     "engine.offload_param",
                                     "engine.offload_optimizer"};
  static const char *const sizes[] = {
      "parallelism.tensor_parallel_size", "parallelism.pipeline_parallel_size",
      "parallelism.context_parallel_size", "parallelism.virtual_pipeline_stages"};
  size_t i;
  char key[96], val[48], section[32];
  for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const char *dot = strchr(keys[i], '.');
    const cJSON *sec, *v;
    size_t n = (size_t)(dot - keys[i]);
    memcpy(section, keys[i], n);
    section[n] = '\0';
    sec = cJSON_GetObjectItemCaseSensitive(config, section);
    v = sec ? cJSON_GetObjectItemCaseSensitive(sec, dot + 1) : NULL;
    if (!v)
      continue;
    value_text(v, val, sizeof val);
    snprintf(key, sizeof key, "%s = %s", keys[i], val);
    knob_add(key, id);
  }
  for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    const char *dot = strchr(sizes[i], '.');
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(config, "parallelism");
    double v;
    if (sec && get_num(sec, dot + 1, &v) && v > 1) {
      snprintf(key, sizeof key, "%s > 1", sizes[i]);
      knob_add(key, id);
    }
  }
}

/* ------------------------------------------------------------ one row */

static int load_row(const char *path, row_result *r) {
  char *text = gm_read_file(path, NULL);
  cJSON *row, *config, *meas, *sens, *extra, *res;
  const char *s;
  double num_gpus = 1, v;
  int rc = 0;
  memset(r, 0, sizeof *r);
  r->static_predicted_bytes = -1.0;
  if (!text) {
    fprintf(stderr, "validate: cannot read %s\n", path);
    return 0;
  }
  row = cJSON_Parse(text);
  free(text);
  if (!row) {
    fprintf(stderr, "validate: %s is not valid JSON\n", path);
    return 0;
  }
  config = cJSON_GetObjectItemCaseSensitive(row, "config");
  meas = cJSON_GetObjectItemCaseSensitive(row, "measured");
  if (!get_str(row, "id") || !get_str(row, "tier") || !cJSON_IsObject(config) ||
      !cJSON_IsObject(meas)) {
    fprintf(stderr, "validate: %s lacks id, tier, config or measured\n", path);
    goto done;
  }
  copy_str(r->id, sizeof r->id, get_str(row, "id"));
  copy_str(r->tier, sizeof r->tier, get_str(row, "tier"));
  copy_str(r->group, sizeof r->group, get_str(row, "group") ? get_str(row, "group") : "?");
  copy_str(r->locator, sizeof r->locator, get_str(row, "locator"));
  if ((s = get_str(row, "assumption")) != NULL) {
    r->assumption = 1;
    copy_str(r->assumption_text, sizeof r->assumption_text, s);
  }
  {
    const cJSON *hw = cJSON_GetObjectItemCaseSensitive(config, "hardware");
    if (hw && get_num(hw, "num_gpus", &v) && v >= 1)
      num_gpus = v;
  }
  index_knobs(config, r->id);

  if (cJSON_GetObjectItemCaseSensitive(meas, "fits")) {
    r->is_fit = 1;
    r->fits_measured = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(meas, "fits"));
    get_num(meas, "max_seq_len", &r->seq_measured);
  } else {
    if (!get_num(meas, "value", &r->measured_value) || !get_str(meas, "unit") ||
        !get_str(meas, "metric") || !get_str(meas, "rank")) {
      fprintf(stderr, "validate: %s: measured needs value, unit, metric, rank\n", path);
      goto done;
    }
    copy_str(r->unit, sizeof r->unit, get_str(meas, "unit"));
    copy_str(r->metric, sizeof r->metric, get_str(meas, "metric"));
    copy_str(r->rank, sizeof r->rank, get_str(meas, "rank"));
    if (unit_bytes(r->unit) == 0) {
      fprintf(stderr, "validate: %s: unknown unit %s\n", path, r->unit);
      goto done;
    }
    r->measured_bytes = r->measured_value * unit_bytes(r->unit);
  }
  extra = cJSON_GetObjectItemCaseSensitive(row, "extra");
  if (extra) {
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(extra, "static_after_step");
    if (st && get_num(st, "value", &v) && get_str(st, "unit")) {
      r->has_static = 1;
      r->static_measured_bytes = v * unit_bytes(get_str(st, "unit"));
    }
  }

  res = run_config(config, r->error, sizeof r->error);
  if (res) {
    collect_warnings(res, r->warnings, sizeof r->warnings);
    if (r->is_fit) {
      const cJSON *f = cJSON_GetObjectItemCaseSensitive(res, "fits_on_gpu");
      const char *vname = get_str(res, "verdict");
      double cap = 0, peak = 0;
      if (cJSON_IsBool(f) && vname) {
        r->ok = 1;
        r->fits_predicted = cJSON_IsTrue(f);
        r->verdict = !strcmp(vname, "fits")    ? V_FITS
                     : !strcmp(vname, "tight") ? V_TIGHT
                                               : V_DOES_NOT_FIT;
        get_num(res, "memory_utilization_percent", &r->utilization);
        get_num(res, "max_seq_len", &r->seq_predicted);
        get_num(cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(res, "resolved"), "hardware"),
                "safety_margin", &g_margin);
        if (get_num(res, "gpu_capacity_gb", &cap) && get_num(res, "peak_unconstrained_gb", &peak) &&
            cap > 0)
          r->unconstrained_share = peak / cap;
      } else {
        copy_str(r->error, sizeof r->error, "result has no fits_on_gpu or verdict");
      }
    } else {
      r->predicted_bytes = pick_figure(res, r->metric, r->rank, num_gpus);
      if (r->predicted_bytes >= 0) {
        r->ok = 1;
        r->err_pct = 100.0 * (r->predicted_bytes - r->measured_bytes) / r->measured_bytes;
      } else {
        snprintf(r->error, sizeof r->error, "result has no %s figure", metric_field(r->metric));
      }
      r->static_predicted_bytes = r->has_static ? static_figure(res) : -1.0;
    }
    cJSON_Delete(res);
  }

  sens = cJSON_GetObjectItemCaseSensitive(row, "sensitivity");
  if (cJSON_IsObject(sens) && r->ok && !r->is_fit) {
    const cJSON *item;
    cJSON_ArrayForEach(item, sens) {
      sens_result *sr;
      cJSON *alt;
      if (r->num_sens == MAX_SENS)
        break;
      sr = &r->sens[r->num_sens++];
      copy_str(sr->knob, sizeof sr->knob, item->string);
      value_text(item, sr->value, sizeof sr->value);
      alt = cJSON_Duplicate(config, 1);
      if (alt && set_path(alt, item->string, item)) {
        char why[256];
        cJSON *ares = run_config(alt, why, sizeof why);
        if (ares) {
          sr->predicted_bytes = pick_figure(ares, r->metric, r->rank, num_gpus);
          if (sr->predicted_bytes >= 0) {
            sr->ok = 1;
            sr->delta_pct = 100.0 * (sr->predicted_bytes - r->predicted_bytes) / r->predicted_bytes;
            sr->err_pct = 100.0 * (sr->predicted_bytes - r->measured_bytes) / r->measured_bytes;
          }
          cJSON_Delete(ares);
        }
      }
      cJSON_Delete(alt);
    }
  }
  rc = 1;
done:
  cJSON_Delete(row);
  return rc;
}

/* ----------------------------------------------------------- statistics */

typedef struct {
  int n, computed;
  double median, max, bias; /* |err| median and max, mean signed err */
  char worst[48];
} stats;

static stats stats_of(const char *tier, const char *group) {
  double errs[MAX_ROWS], sum = 0;
  stats s;
  int i;
  memset(&s, 0, sizeof s);
  for (i = 0; i < g_num_rows; i++) {
    const row_result *r = &g_rows[i];
    if (r->is_fit)
      continue;
    if (tier && strcmp(r->tier, tier))
      continue;
    if (group && strcmp(r->group, group))
      continue;
    s.n++;
    if (!r->ok)
      continue;
    errs[s.computed++] = fabs(r->err_pct);
    sum += r->err_pct;
    if (fabs(r->err_pct) >= s.max) {
      s.max = fabs(r->err_pct);
      copy_str(s.worst, sizeof s.worst, r->id);
    }
  }
  if (s.computed) {
    qsort(errs, (size_t)s.computed, sizeof errs[0], cmp_double);
    s.median = s.computed % 2 ? errs[s.computed / 2]
                              : 0.5 * (errs[s.computed / 2 - 1] + errs[s.computed / 2]);
    s.bias = sum / s.computed;
  }
  return s;
}

/* The distinct groups in row order. */
static int list_groups(char groups[][24], int cap) {
  int n = 0, i, j;
  for (i = 0; i < g_num_rows; i++) {
    int seen = 0;
    if (g_rows[i].is_fit)
      continue;
    for (j = 0; j < n; j++)
      if (!strcmp(groups[j], g_rows[i].group))
        seen = 1;
    if (!seen && n < cap)
      copy_str(groups[n++], 24, g_rows[i].group);
  }
  return n;
}

typedef struct {
  double a_median, a_max, b_median;
  int a_failed, b_failed; /* rows the calculator could not compute */
  int ok_a_median, ok_a_max, ok_b_median;
} bars;

static bars check_bars(void) {
  bars b;
  stats a = stats_of("A", NULL), bb = stats_of("B", NULL);
  b.a_median = a.median;
  b.a_max = a.max;
  b.b_median = bb.median;
  b.a_failed = a.n - a.computed;
  b.b_failed = bb.n - bb.computed;
  b.ok_a_median = a.computed > 0 && a.median <= BAR_A_MEDIAN && b.a_failed == 0;
  b.ok_a_max = a.computed > 0 && a.max <= BAR_A_MAX && b.a_failed == 0;
  b.ok_b_median = bb.computed > 0 && bb.median <= BAR_B_MEDIAN && b.b_failed == 0;
  return b;
}

/* ------------------------------------------------------------- console */

static void print_warnings(void) {
  int i;
  printf("\nCalculator warnings:\n");
  for (i = 0; i < g_num_rows; i++)
    if (g_rows[i].warnings[0])
      printf("  %-20s %s\n", g_rows[i].id, g_rows[i].warnings);
}

static void print_table(void) {
  int i;
  printf("%-20s %-4s %-10s %-10s %12s %12s %9s\n", "id", "tier", "metric", "rank", "measured",
         "predicted", "error");
  for (i = 0; i < g_num_rows; i++) {
    const row_result *r = &g_rows[i];
    if (r->is_fit)
      continue;
    if (r->ok) {
      double u = unit_bytes(r->unit);
      printf("%-20s %-4s %-10s %-10s %8.2f %-3s %8.2f %-3s %+8.1f%%%s\n", r->id, r->tier, r->metric,
             r->rank, r->measured_value, r->unit, r->predicted_bytes / u, r->unit, r->err_pct,
             r->assumption ? " *" : "");
    } else {
      printf("%-20s %-4s %-10s %-10s %8.2f %-3s   error: %s\n", r->id, r->tier, r->metric, r->rank,
             r->measured_value, r->unit, r->error);
    }
  }
  printf("(* the row's setup carries an assumption: see its \"assumption\" field)\n");
}

static void print_stats_line(const char *label, stats s) {
  if (s.computed)
    printf("  %-12s %3d rows (%d computed)  median |err| %5.1f%%  max |err| %5.1f%% (%s)  bias "
           "%+5.1f%%\n",
           label, s.n, s.computed, s.median, s.max, s.worst, s.bias);
  else
    printf("  %-12s %3d rows (none computed)\n", label, s.n);
}

static void fit_counts(int c[2][3], int *errors) {
  int i;
  memset(c, 0, sizeof(int) * 6);
  *errors = 0;
  for (i = 0; i < g_num_rows; i++) {
    const row_result *r = &g_rows[i];
    if (!r->is_fit)
      continue;
    if (!r->ok) {
      (*errors)++;
      continue;
    }
    c[r->fits_measured ? 0 : 1][r->verdict]++;
  }
}

/* What the evidence asks of the safety margin: the smallest margin that makes
 * every observed OOM whose allocations fit "tight", and how many measured
 * rows stay below prediction / (1 - margin). */
typedef struct {
  double needed;
  const char *needed_id;
  int covered, measured;
} margin_evidence;

static margin_evidence margin_evidence_of(void) {
  margin_evidence e = {0, NULL, 0, 0};
  int i;
  for (i = 0; i < g_num_rows; i++) {
    const row_result *r = &g_rows[i];
    if (!r->ok)
      continue;
    if (r->is_fit) {
      if (!r->fits_measured && r->fits_predicted && 1.0 - r->unconstrained_share >= e.needed) {
        e.needed = 1.0 - r->unconstrained_share;
        e.needed_id = r->id;
      }
    } else {
      e.measured++;
      e.covered += r->measured_bytes * (1.0 - g_margin) <= r->predicted_bytes;
    }
  }
  return e;
}

static void print_margin_evidence(void) {
  margin_evidence e = margin_evidence_of();
  if (e.needed_id)
    printf("Safety margin: %.1f%% needed to call every observed OOM tight (%s); %.0f%% used, "
           "covering the calculator's shortfall on %d of %d measured rows\n",
           100.0 * e.needed, e.needed_id, 100.0 * g_margin, e.covered, e.measured);
}

/* Rows that give the longest context that fit: the calculator's longest
 * sequence with the margin against it. */
static void print_longest_sequences(FILE *f, int markdown) {
  int i, any = 0;
  for (i = 0; i < g_num_rows; i++) {
    const row_result *r = &g_rows[i];
    double err;
    if (!r->is_fit || !r->ok || r->seq_measured <= 0)
      continue;
    if (!any)
      fprintf(f, markdown ? "\n### Longest sequence\n\nRows that give the longest context that "
                            "fit, against `max_seq_len` (with the %.0f %% margin).\n\n"
                            "| id | measured | predicted | error |\n|---|---:|---:|---:|\n"
                          : "Longest sequence (with the %.0f%% margin) against the longest context "
                            "measured:\n",
              100.0 * g_margin);
    any = 1;
    err = 100.0 * (r->seq_predicted - r->seq_measured) / r->seq_measured;
    if (markdown)
      fprintf(f, "| %s | %.0f | %.0f | %+.1f %% |\n", r->id, r->seq_measured, r->seq_predicted, err);
    else
      fprintf(f, "  %-18s measured %7.0f  predicted %7.0f  %+6.1f%%\n", r->id, r->seq_measured,
              r->seq_predicted, err);
  }
}

static void print_summary(void) {
  static const char *const tiers[] = {"A", "B", "C"};
  char groups[32][24];
  int ng = list_groups(groups, 32), i, c[2][3], ferr;
  bars b = check_bars();
  printf("\nBy tier:\n");
  for (i = 0; i < 3; i++)
    print_stats_line(tiers[i], stats_of(tiers[i], NULL));
  printf("By source:\n");
  for (i = 0; i < ng; i++)
    print_stats_line(groups[i], stats_of(NULL, groups[i]));
  fit_counts(c, &ferr);
  printf("\nFit/OOM evidence (tier D): observed fits -> fits %d, tight %d, does not fit %d; "
         "observed OOM -> fits %d, tight %d, does not fit %d; not computed %d\n",
         c[0][0], c[0][1], c[0][2], c[1][0], c[1][1], c[1][2], ferr);
  print_margin_evidence();
  print_longest_sequences(stdout, 0);
  for (i = 0; i < g_num_rows; i++) {
    const row_result *r = &g_rows[i];
    if (!r->is_fit)
      continue;
    if (!r->ok)
      printf("  %-18s observed %-4s  error: %s\n", r->id, r->fits_measured ? "fits" : "OOM",
             r->error);
    else if (verdict_wrong(r->fits_measured, r->verdict))
      printf("  %-18s observed %-4s predicted %s at %.1f%% of the card\n", r->id,
             r->fits_measured ? "fits" : "OOM", verdict_names[r->verdict], r->utilization);
  }
  printf("\nBars: tier A median |err| %.1f%% (<= %.0f%%: %s), tier A max %.1f%% (<= %.0f%%: %s), "
         "tier B median %.1f%% (<= %.0f%%: %s)\n",
         b.a_median, BAR_A_MEDIAN, b.ok_a_median ? "ok" : "FAIL", b.a_max, BAR_A_MAX,
         b.ok_a_max ? "ok" : "FAIL", b.b_median, BAR_B_MEDIAN, b.ok_b_median ? "ok" : "FAIL");
  if (b.a_failed || b.b_failed)
    printf("      %d tier A and %d tier B rows could not be computed (they fail the bars)\n",
           b.a_failed, b.b_failed);
}

/* ------------------------------------------------------------ markdown */

/* Text of "## <id>" in the explanations file, or NULL. */
static char *explanation_for(const char *text, const char *id) {
  const char *p = text;
  size_t idlen = strlen(id);
  while (p && *p) {
    if (!strncmp(p, "## ", 3)) {
      const char *q = p + 3, *end;
      while (*q == ' ')
        q++;
      if (!strncmp(q, id, idlen) && (q[idlen] == '\n' || q[idlen] == ' ' || q[idlen] == '\r')) {
        const char *body = strchr(q, '\n');
        char *out;
        size_t n;
        if (!body)
          return NULL;
        body++;
        end = strstr(body, "\n## ");
        n = end ? (size_t)(end - body) + 1 : strlen(body);
        while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == ' '))
          n--;
        if (n == 0)
          return NULL;
        out = malloc(n + 1);
        if (!out)
          return NULL;
        memcpy(out, body, n);
        out[n] = '\0';
        return out;
      }
    }
    p = strchr(p, '\n');
    if (p)
      p++;
  }
  return NULL;
}

static void md_stats_row(FILE *f, const char *label, stats s) {
  if (s.computed)
    fprintf(f, "| %s | %d | %d | %.1f %% | %.1f %% (%s) | %+.1f %% |\n", label, s.n, s.computed,
            s.median, s.max, s.worst, s.bias);
  else
    fprintf(f, "| %s | %d | 0 | – | – | – |\n", label, s.n);
}

static const char *rank_words(const char *rank) {
  if (!strcmp(rank, "max"))
    return "worst GPU";
  if (!strcmp(rank, "last_stage"))
    return "last stage";
  if (!strcmp(rank, "first_stage"))
    return "first stage";
  if (!strcmp(rank, "sum"))
    return "sum of GPUs";
  return "one GPU";
}

static void write_markdown(const char *path, const char *explanations, const char *rows_dir) {
  static const char *const tiers[] = {"A", "B", "C"};
  char groups[32][24];
  int ng = list_groups(groups, 32), i, j, c[2][3], ferr, any;
  bars b = check_bars();
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "validate: cannot write %s\n", path);
    return;
  }
  fprintf(f, "# Accuracy against measured training runs\n\n");
  fprintf(
      f,
      "This page is generated by `make validate` from `%s/*.json`; do not edit it by hand. "
      "The explanations at the end come from `tests/validation/explanations.md`. How each source's "
      "setup was turned into a config is in [validation-mapping.md](validation-mapping.md).\n\n",
      rows_dir);

  fprintf(f, "## Method\n\n");
  fprintf(
      f,
      "- **Rows.** Each row is one memory figure that a public source measured on real hardware "
      "(a benchmark table, a test's recorded golden values, a README), copied unchanged into "
      "`tests/validation/measured/`. Its `config` is the run's setup written in this calculator's "
      "format: architecture, batch and sequence, precision layout, optimizer and its "
      "implementation, "
      "activation checkpointing, attention kernel, loss, parallelism, engine and framework, GPU.\n"
      "- **What is compared.** The config goes through `calc_json`, exactly as the CLI and the web "
      "page run it. The predicted figure is the one that matches what the source read: "
      "*allocated* and *active* → `peak_allocated`; *reserved* → `peak_reserved`; *nvidia-smi* → "
      "`peak_nvidia_smi` (reserved + CUDA context).\n"
      "- **Which GPU.** *worst GPU* = the most loaded stage (torchtitan reports the max over "
      "GPUs); "
      "*last stage* = the last pipeline stage (Megatron logs the last global rank, which holds the "
      "output layer and the loss); *one GPU* = any GPU of a run without pipeline stages; *sum of "
      "GPUs* = the per-GPU figures summed over the job (Qwen's multi-GPU rows).\n"
      "- **Units.** The measured value is converted to bytes with its own unit (GiB = 2^30 B, "
      "GB = 10^9 B, MiB = 2^20 B) and compared like with like; tables show both in the source's "
      "unit.\n"
      "- **Error** = (predicted − measured) / measured. Positive means the calculator "
      "over-estimates.\n"
      "- **Tiers.** A: every memory-relevant setting is recoverable from the source. B: one "
      "setting "
      "is inferred, or the reading is coarse (nvidia-smi rounded to GB, sums over GPUs). C: LoRA / "
      "QLoRA. D: fit / OOM evidence, compared with `fits_on_gpu`. Rows marked ✱ carry an "
      "`assumption` in their JSON: a setting the source does not give.\n"
      "- **Bars** (`make test-accuracy`): tier A median |error| ≤ %.0f %%, every tier A row ≤ %.0f "
      "%%, "
      "tier B median |error| ≤ %.0f %%. A row the calculator rejects counts as a failure.\n\n",
      BAR_A_MEDIAN, BAR_A_MAX, BAR_B_MEDIAN);

  fprintf(f, "## Summary\n\n");
  fprintf(f, "| bar | value | limit | status |\n|---|---:|---:|---|\n");
  fprintf(f, "| tier A median abs error | %.1f %% | %.0f %% | %s |\n", b.a_median, BAR_A_MEDIAN,
          b.ok_a_median ? "met" : "**not met**");
  fprintf(f, "| tier A max abs error | %.1f %% | %.0f %% | %s |\n", b.a_max, BAR_A_MAX,
          b.ok_a_max ? "met" : "**not met**");
  fprintf(f, "| tier B median abs error | %.1f %% | %.0f %% | %s |\n\n", b.b_median, BAR_B_MEDIAN,
          b.ok_b_median ? "met" : "**not met**");
  if (b.a_failed || b.b_failed)
    fprintf(f, "%d tier A and %d tier B rows could not be computed.\n\n", b.a_failed, b.b_failed);
  fprintf(
      f, "| tier | rows | computed | median abs error | max abs error (row) | mean signed error |\n"
         "|---|---:|---:|---:|---:|---:|\n");
  for (i = 0; i < 3; i++)
    md_stats_row(f, tiers[i], stats_of(tiers[i], NULL));
  fprintf(f, "\n| source | rows | computed | median abs error | max abs error (row) | mean signed "
             "error |\n"
             "|---|---:|---:|---:|---:|---:|\n");
  for (i = 0; i < ng; i++)
    md_stats_row(f, groups[i], stats_of(NULL, groups[i]));

  fprintf(f, "\n## Row by row\n\n");
  fprintf(f, "| id | tier | source | locator | reading | measured | predicted | error |\n"
             "|---|---|---|---|---|---:|---:|---:|\n");
  for (i = 0; i < g_num_rows; i++) {
    const row_result *r = &g_rows[i];
    if (r->is_fit)
      continue;
    fprintf(f, "| %s%s | %s | %s | %s | %s, %s | %.2f %s | ", r->id, r->assumption ? " ✱" : "",
            r->tier, r->group, r->locator, r->metric, rank_words(r->rank), r->measured_value,
            r->unit);
    if (r->ok)
      fprintf(f, "%.2f %s | %+.1f %% |\n", r->predicted_bytes / unit_bytes(r->unit), r->unit,
              r->err_pct);
    else
      fprintf(f, "error: %s | – |\n", r->error);
  }
  any = 0;
  for (i = 0; i < g_num_rows; i++)
    if (g_rows[i].has_static)
      any = 1;
  if (any) {
    fprintf(
        f,
        "\n### Static memory after the step (Megatron's logged current allocation)\n\n"
        "Megatron's golden values also record the memory still allocated after the optimizer step "
        "on the last rank: the model states and what PyTorch keeps across steps, such as the "
        "cuBLAS workspaces of the forward and backward threads and Transformer Engine's (32 MiB "
        "each on H100). The prediction is the last stage's allocation in the optimizer step "
        "(`stages[].timeline`): states, those workspaces and the buffers kept across steps, and "
        "the step's temporaries, which the fused Adam of these runs does not have.\n\n"
        "| id | measured | predicted in the step (last stage) | error |\n|---|---:|---:|---:|\n");
    for (i = 0; i < g_num_rows; i++) {
      const row_result *r = &g_rows[i];
      if (!r->has_static)
        continue;
      if (r->static_predicted_bytes >= 0)
        fprintf(f, "| %s | %.3f GiB | %.3f GiB | %+.1f %% |\n", r->id,
                r->static_measured_bytes / GIB, r->static_predicted_bytes / GIB,
                100.0 * (r->static_predicted_bytes - r->static_measured_bytes) /
                    r->static_measured_bytes);
      else
        fprintf(f, "| %s | %.3f GiB | not in the result | – |\n", r->id,
                r->static_measured_bytes / GIB);
    }
  }

  fit_counts(c, &ferr);
  fprintf(f,
          "\n## Fit / OOM evidence (tier D)\n\n"
          "| observed \\ verdict | fits | tight | does not fit |\n|---|---:|---:|---:|\n"
          "| fits | %d | %d | %d |\n| OOM | %d | %d | %d |\n\n",
          c[0][0], c[0][1], c[0][2], c[1][0], c[1][1], c[1][2]);
  if (ferr)
    fprintf(f, "%d rows could not be computed.\n\n", ferr);
  fprintf(f, "The goal: every observed OOM is \"tight\" or \"does not fit\", and no observed "
             "fit is \"does not fit\" (`make test-accuracy` enforces it). The verdict is "
             "\"tight\" when the peak with the allocator's full cache is within the safety "
             "margin of the card (default %.0f %%; docs/formulas.md §6.1).\n\n",
          100.0 * g_margin);
  {
    margin_evidence e = margin_evidence_of();
    if (e.needed_id)
      fprintf(f,
              "The smallest margin that calls every observed OOM whose allocations fit "
              "\"tight\" is %.1f %% (%s). Against the measured rows of tiers A-C, a margin of "
              "%.0f %% covers the calculator's shortfall on %d of %d rows.\n\n",
              100.0 * e.needed, e.needed_id, 100.0 * g_margin, e.covered, e.measured);
  }
  fprintf(f, "| id | source | locator | observed | verdict | predicted use of the card |\n"
             "|---|---|---|---|---|---:|\n");
  for (i = 0; i < g_num_rows; i++) {
    const row_result *r = &g_rows[i];
    if (!r->is_fit)
      continue;
    fprintf(f, "| %s%s | %s | %s | %s | ", r->id, r->assumption ? " ✱" : "", r->group, r->locator,
            r->fits_measured ? "fits" : "OOM");
    if (r->ok)
      fprintf(f, "%s%s | %.1f %% (%.1f %% unconstrained) |\n", verdict_names[r->verdict],
              verdict_wrong(r->fits_measured, r->verdict) ? " **(wrong)**" : "", r->utilization,
              100.0 * r->unconstrained_share);
    else
      fprintf(f, "error: %s | – |\n", r->error);
  }
  print_longest_sequences(f, 1);

  fprintf(
      f,
      "\n## Sensitivity to the uncertain settings\n\n"
      "Where a source leaves a setting open (a framework version's default, the sequence length of "
      "padded data, the GPU count), the row lists alternatives under `sensitivity`; here is what "
      "each "
      "would predict.\n\n"
      "| id | setting | alternative | predicted | change | error with it |\n"
      "|---|---|---|---:|---:|---:|\n");
  for (i = 0; i < g_num_rows; i++) {
    const row_result *r = &g_rows[i];
    for (j = 0; j < r->num_sens; j++) {
      const sens_result *s = &r->sens[j];
      if (s->ok)
        fprintf(f, "| %s | `%s` | %s | %.2f %s | %+.1f %% | %+.1f %% |\n", r->id, s->knob, s->value,
                s->predicted_bytes / unit_bytes(r->unit), r->unit, s->delta_pct, s->err_pct);
      else
        fprintf(f, "| %s | `%s` | %s | error | – | – |\n", r->id, s->knob, s->value);
    }
  }

  fprintf(
      f,
      "\n## Which rows depend on which settings\n\n"
      "Every memory-relevant setting the rows use, with the rows that use it: a change to how the "
      "calculator treats a setting moves exactly these rows.\n\n"
      "| setting | rows |\n|---|---|\n");
  qsort(g_knobs, (size_t)g_num_knobs, sizeof g_knobs[0], cmp_knobs);
  for (i = 0; i < g_num_knobs; i++)
    fprintf(f, "| `%s` | %s |\n", g_knobs[i].key, g_knobs[i].rows);

  fprintf(
      f,
      "\n## Explanations of the rows far off\n\n"
      "Rows with |error| above %.0f %% and wrong fit verdicts. The text comes from "
      "`tests/validation/explanations.md` (a `## <id>` heading per row); rows without one show a "
      "marked placeholder.\n\n",
      EXPLAIN_ABOVE);
  any = 0;
  for (i = 0; i < g_num_rows; i++) {
    const row_result *r = &g_rows[i];
    char *text;
    int far = (!r->is_fit && r->ok && fabs(r->err_pct) > EXPLAIN_ABOVE) ||
              (r->is_fit && r->ok && verdict_wrong(r->fits_measured, r->verdict)) || !r->ok;
    if (!far)
      continue;
    any = 1;
    if (r->is_fit)
      fprintf(f, "### %s (observed %s, predicted %s)\n\n", r->id, r->fits_measured ? "fits" : "OOM",
              !r->ok              ? "error"
                                  : verdict_names[r->verdict]);
    else if (r->ok)
      fprintf(f, "### %s (%+.1f %%)\n\n", r->id, r->err_pct);
    else
      fprintf(f, "### %s (not computed)\n\n", r->id);
    if (r->assumption)
      fprintf(f, "Assumption: %s.\n\n", r->assumption_text);
    text = explanations ? explanation_for(explanations, r->id) : NULL;
    if (text) {
      fprintf(f, "%s\n\n", text);
      free(text);
    } else {
      fprintf(f,
              "> **TO BE FILLED:** no explanation yet. Add a `## %s` section to "
              "`tests/validation/explanations.md`.\n\n",
              r->id);
    }
  }
  if (!any)
    fprintf(f, "None.\n\n");

  fprintf(
      f,
      "## Not compared\n\n"
      "The kind-E rows of `boundaries_and_estimates.csv` (analytical formulas and other "
      "estimators' "
      "numbers, not measurements) are listed in [validation-mapping.md](validation-mapping.md) and "
      "are not compared.\n");
  fclose(f);
}

/* ----------------------------------------------------------------- main */

int main(int argc, char **argv) {
  const char *rows_dir = "tests/validation/rows", *md = NULL, *expl_path = NULL;
  int check = 0, quiet = 0, warnings = 0, i, n = 0;
  char *names[MAX_ROWS], *explanations = NULL;
  DIR *dir;
  struct dirent *de;
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--rows") && i + 1 < argc)
      rows_dir = argv[++i];
    else if (!strcmp(argv[i], "--markdown") && i + 1 < argc)
      md = argv[++i];
    else if (!strcmp(argv[i], "--explanations") && i + 1 < argc)
      expl_path = argv[++i];
    else if (!strcmp(argv[i], "--check"))
      check = 1;
    else if (!strcmp(argv[i], "--quiet"))
      quiet = 1;
    else if (!strcmp(argv[i], "--warnings"))
      warnings = 1;
    else {
      fprintf(stderr,
              "usage: %s [--rows DIR] [--markdown FILE] [--explanations FILE] [--check] "
              "[--quiet] [--warnings]\n",
              argv[0]);
      return 2;
    }
  }
  dir = opendir(rows_dir);
  if (!dir) {
    fprintf(stderr, "validate: cannot open %s\n", rows_dir);
    return 2;
  }
  while ((de = readdir(dir)) != NULL && n < MAX_ROWS) {
    size_t len = strlen(de->d_name);
    if (len > 5 && !strcmp(de->d_name + len - 5, ".json")) {
      names[n] = malloc(len + 1);
      if (!names[n])
        break;
      memcpy(names[n], de->d_name, len + 1);
      n++;
    }
  }
  closedir(dir);
  qsort(names, (size_t)n, sizeof names[0], cmp_names);
  for (i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", rows_dir, names[i]);
    if (!load_row(path, &g_rows[g_num_rows])) {
      int j;
      for (j = i; j < n; j++)
        free(names[j]);
      return 2;
    }
    g_num_rows++;
    free(names[i]);
  }
  if (g_num_rows == 0) {
    fprintf(stderr, "validate: no rows in %s\n", rows_dir);
    return 2;
  }
  if (!quiet)
    print_table();
  if (warnings)
    print_warnings();
  print_summary();
  if (md) {
    if (expl_path)
      explanations = gm_read_file(expl_path, NULL);
    write_markdown(md, explanations, rows_dir);
    free(explanations);
    printf("wrote %s\n", md);
  }
  if (check) {
    bars b = check_bars();
    int wrong = 0;
    for (i = 0; i < g_num_rows; i++)
      if (g_rows[i].is_fit &&
          (!g_rows[i].ok || verdict_wrong(g_rows[i].fits_measured, g_rows[i].verdict))) {
        printf("test-accuracy: fit/OOM row %s: observed %s, verdict %s\n", g_rows[i].id,
               g_rows[i].fits_measured ? "fits" : "OOM",
               g_rows[i].ok ? verdict_names[g_rows[i].verdict] : "not computed");
        wrong++;
      }
    if (!(b.ok_a_median && b.ok_a_max && b.ok_b_median) || wrong) {
      printf("test-accuracy: FAIL\n");
      return 1;
    }
    printf("test-accuracy: ok\n");
  }
  return 0;
}
