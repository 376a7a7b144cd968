/* result_json.c - gm_result and gm_error to JSON text, with number
 * formatting done in integers so native and WebAssembly builds agree byte for byte. */
#include "result_json.h"

#include "config.h"
#include "fmt.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- A growing buffer with indentation ---------------------------------- */

#define MAX_DEPTH 8

typedef struct {
  char *buf;
  size_t len, cap;
  int oom;
  int depth;
  int count[MAX_DEPTH + 1]; /* members written at each open level */
} writer;

/* Makes room for n more bytes and the final NUL; 0 when memory ran out. */
static int grow(writer *w, size_t n) {
  size_t cap = w->cap ? w->cap : 16384;
  char *p;
  if (w->oom)
    return 0;
  while (cap < w->len + n + 1)
    cap *= 2;
  p = realloc(w->buf, cap);
  if (!p) {
    w->oom = 1;
    return 0;
  }
  w->buf = p;
  w->cap = cap;
  return 1;
}

/* Room for n more bytes (and the final NUL) at the end; NULL when memory ran out. */
static char *room(writer *w, size_t n) {
  if (w->len + n + 1 > w->cap && !grow(w, n))
    return NULL;
  return w->buf + w->len;
}

static void put(writer *w, const char *s, size_t n) {
  char *p = room(w, n);
  if (!p)
    return;
  memcpy(p, s, n);
  w->len += n; /* room for the final NUL is kept; finish writes it */
}

static void put_s(writer *w, const char *s) { put(w, s, strlen(s)); }

/* Printable ASCII that a JSON string holds as it is. */
static int plain_ascii(char c) {
  unsigned char ch = (unsigned char)c;
  return ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\';
}

/* A JSON string: escapes quotes, backslashes and control characters, and
 * replaces bytes that are not valid UTF-8 so the output always parses. */
static void put_string(writer *w, const char *s, size_t max) {
  size_t i = 0;
  char esc[8];
  put(w, "\"", 1);
  while (i < max && s[i]) {
    unsigned char ch = (unsigned char)s[i];
    size_t len = 1, k;
    if (ch == '"' || ch == '\\') {
      esc[0] = '\\';
      esc[1] = (char)ch;
      put(w, esc, 2);
    } else if (ch == '\n') {
      put_s(w, "\\n");
    } else if (ch == '\t') {
      put_s(w, "\\t");
    } else if (ch < 0x20) {
      snprintf(esc, sizeof esc, "\\u%04x", ch);
      put_s(w, esc);
    } else if (ch < 0x80) {
      /* Copy the whole run of plain characters at once. */
      for (len = 1; i + len < max && plain_ascii(s[i + len]);)
        len++;
      put(w, s + i, len);
    } else {
      unsigned cp;
      len = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 0;
      cp = len == 4 ? ch & 0x07u : len == 3 ? ch & 0x0Fu : ch & 0x1Fu;
      for (k = 1; k < len; k++) {
        unsigned char cb = (unsigned char)(i + k < max ? s[i + k] : 0);
        if ((cb & 0xC0) != 0x80)
          break;
        cp = (cp << 6) | (cb & 0x3Fu);
      }
      /* Reject truncated, overlong, surrogate and out-of-range sequences. */
      if (len == 0 || ch > 0xF4 || k < len || (len == 2 && cp < 0x80) ||
          (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
          (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        put_s(w, "\\ufffd");
        len = 1;
      } else {
        put(w, s + i, len);
      }
    }
    i += len;
  }
  put(w, "\"", 1);
}

/* Start a member (key may be NULL inside arrays): comma, newline, indent
 * and key, written in place; returns room for n more bytes after it (NULL
 * when memory ran out). Keys are the writer's own plain names: no escaping. */
static char *member_n(writer *w, const char *key, size_t n) {
  size_t len = key ? strlen(key) : 0, indent = 2 * (size_t)w->depth;
  char *p = room(w, len + indent + 6 + n), *q = p;
  if (!p)
    return NULL;
  if (w->count[w->depth]++ > 0)
    *q++ = ',';
  if (w->len > 0) {
    *q++ = '\n';
    memset(q, ' ', indent);
    q += indent;
  }
  if (key) {
    *q++ = '"';
    memcpy(q, key, len);
    q += len;
    memcpy(q, "\": ", 3);
    q += 3;
  }
  w->len += (size_t)(q - p);
  return q;
}

static void member(writer *w, const char *key) { (void)member_n(w, key, 0); }

/* Opens an object or array: bracket is "{" or "[". */
static void begin(writer *w, const char *key, const char *bracket) {
  char *q = member_n(w, key, 1);
  if (q) {
    *q = bracket[0];
    w->len++;
  }
  if (w->depth < MAX_DEPTH)
    w->depth++;
  w->count[w->depth] = 0;
}

/* Closes it, on a line of its own unless it is empty: bracket "}" or "]". */
static void end(writer *w, const char *bracket) {
  int had = w->count[w->depth] > 0;
  size_t indent;
  char *q;
  if (w->depth > 0)
    w->depth--;
  indent = 2 * (size_t)w->depth;
  if (!(q = room(w, indent + 2)))
    return;
  if (had) {
    *q++ = '\n';
    memset(q, ' ', indent);
    q += indent;
    w->len += indent + 1;
  }
  *q = bracket[0];
  w->len++;
}

/* ---- Numbers ------------------------------------------------------------- */

/* Decimal digits of v, with a leading '-' when negative is set; out holds >= 22 bytes. */
static void decimal(char *out, uint64_t v, int negative) {
  char digits[24];
  size_t n = 0, k = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  if (negative)
    out[k++] = '-';
  while (n)
    out[k++] = digits[--n];
  out[k] = '\0';
}

static void put_raw(writer *w, const char *key, const char *text) {
  member(w, key);
  put_s(w, text);
}

/* A member whose value is v's digits, '-' first when negative, written in place. */
static void put_digits(writer *w, const char *key, uint64_t v, int negative) {
  static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                              "25262728293031323334353637383940414243444546474849"
                              "50515253545556575859606162636465666768697071727374"
                              "75767778798081828384858687888990919293949596979899";
  char digits[20], *q = member_n(w, key, 21);
  size_t n = 0;
  if (!q)
    return;
  for (; v >= 100; v /= 100) { /* two digits a division */
    const char *d = pairs + 2 * (v % 100);
    digits[n++] = d[1];
    digits[n++] = d[0];
  }
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  if (negative)
    *q++ = '-', w->len++;
  w->len += n;
  while (n)
    *q++ = digits[--n];
}

static void put_i64(writer *w, const char *key, int64_t v) {
  put_digits(w, key, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

static void put_u64(writer *w, const char *key, uint64_t v) { put_digits(w, key, v, 0); }

/* Append "." and frac as exactly `decimals` digits, then drop trailing zeros. */
static void append_fraction(char *t, size_t n, uint64_t frac, int decimals) {
  size_t len = strlen(t);
  int i;
  if (frac == 0 || decimals <= 0 || len + (size_t)decimals + 2 > n)
    return;
  t[len] = '.';
  for (i = decimals; i > 0; i--) {
    t[len + (size_t)i] = (char)('0' + frac % 10);
    frac /= 10;
  }
  len += (size_t)decimals + 1;
  while (t[len - 1] == '0')
    len--;
  t[len] = '\0';
}

static const uint64_t powers_of_ten[] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000};

/* v / 2^shift with at most `decimals` (<= 10) decimals, rounded half up. */
static void scaled(char *t, size_t n, uint64_t v, int shift, int decimals) {
  uint64_t whole = v >> shift, rem = v & ((UINT64_C(1) << shift) - 1),
           scale = powers_of_ten[decimals];
  /* rem < 2^30 and scale <= 10^10: the product stays below 2^64. */
  uint64_t frac = (rem * scale + (UINT64_C(1) << (shift - 1))) >> shift;
  if (frac >= scale) {
    whole++;
    frac -= scale;
  }
  if (n < 24) {
    if (n > 0)
      t[0] = '\0';
    return;
  }
  decimal(t, whole, 0);
  append_fraction(t, n, frac, decimals);
}

static void put_gib(writer *w, const char *key, uint64_t bytes, int decimals) {
  char t[48];
  scaled(t, sizeof t, bytes, 30, decimals);
  put_raw(w, key, t);
}

/* A double with at most `decimals` (<= 10) decimals; null when it is not finite. */
static void put_fixed(writer *w, const char *key, double v, int decimals) {
  char t[64];
  double x = v * (double)powers_of_ten[decimals];
  if (!isfinite(v)) {
    put_raw(w, key, "null");
    return;
  }
  if (fabs(x) < 9e15) {
    long long n = llround(x);
    unsigned long long a = (unsigned long long)(n < 0 ? -n : n), s = powers_of_ten[decimals];
    decimal(t, a / s, n < 0);
    append_fraction(t, sizeof t, a % s, decimals);
  } else {
    snprintf(t, sizeof t, "%.0f", v); /* a whole number: printed exactly everywhere */
  }
  put_raw(w, key, t);
}

static void put_bool(writer *w, const char *key, int v) { put_raw(w, key, v ? "true" : "false"); }

/* A 0/1 flag of the resolved config; null if it was left unresolved. */
static void put_flag(writer *w, const char *key, int v) {
  put_raw(w, key, v == 0 ? "false" : v == 1 ? "true" : "null");
}

/* An integer of the resolved config; null below min (unset or not applicable). */
static void put_count(writer *w, const char *key, int64_t v, int64_t min) {
  if (v < min)
    put_raw(w, key, "null");
  else
    put_i64(w, key, v);
}

static void put_str(writer *w, const char *key, const char *s, size_t max) {
  member(w, key);
  put_string(w, s, max);
}

static void put_name(writer *w, const char *key, const gm_name *table, int v) {
  const char *name = gm_enum_name(table, v);
  if (name)
    put_str(w, key, name, (size_t)-1);
  else
    put_raw(w, key, "null");
}

/* ---- The result ---------------------------------------------------------- */

/* JSON names of the components, in gm_component order. */
static const char *const component_keys[GM_C_COUNT] = {
    "weights",         "gradients", "optimizer_states", "activations",     "logits",
    "gathered_params", "buffers",   "optimizer_step",   "allocator_cache", "cuda_context"};

static void put_bytes(writer *w, const gm_stage *s) {
  int i;
  begin(w, "bytes", "{");
  for (i = 0; i < GM_C_COUNT; i++)
    put_u64(w, component_keys[i], s->bytes[i]);
  put_u64(w, "peak_allocated", s->peak_allocated_bytes);
  put_u64(w, "peak_reserved", s->peak_reserved_bytes);
  put_u64(w, "peak_nvidia_smi", s->peak_nvsmi_bytes);
  put_u64(w, "peak_unconstrained", s->peak_unconstrained_bytes);
  end(w, "}");
}

/* The rank's decoder layers, one [first, last] pair per model chunk. */
static void put_chunks(writer *w, const gm_result *r, int index) {
  int first[GM_MAX_CHUNKS], count[GM_MAX_CHUNKS], n = gm_result_chunks(r, index, first, count), j;
  begin(w, "chunks", "[");
  for (j = 0; j < n; j++) {
    char t[64], a[24], b[24];
    if (count[j] <= 0)
      continue;
    decimal(a, (uint64_t)first[j], 0);
    decimal(b, (uint64_t)(first[j] + count[j] - 1), 0);
    gm_snprintf(t, sizeof t, "[%s, %s]", a, b);
    put_raw(w, NULL, t);
  }
  end(w, "]");
}

/* The stage's memory across one step, from the same per-phase figures as its peak. */
static void put_timeline(writer *w, const gm_result *r, int index) {
  gm_timeline_point pts[GM_TIMELINE_MAX];
  int i, n = gm_stage_timeline(&r->resolved, &r->params, index, pts, GM_TIMELINE_MAX);
  begin(w, "timeline", "[");
  for (i = 0; i < n; i++) {
    begin(w, NULL, "{");
    put_str(w, "at", pts[i].label, sizeof pts[i].label);
    put_u64(w, "allocated", pts[i].allocated_bytes);
    put_u64(w, "reserved", pts[i].reserved_bytes);
    end(w, "}");
  }
  end(w, "]");
}

static void put_stage(writer *w, const gm_result *r, const gm_stage *s, int index) {
  begin(w, NULL, "{");
  put_i64(w, "stage", index);
  put_i64(w, "first_layer", s->first_layer);
  put_i64(w, "num_layers", s->num_layers);
  put_chunks(w, r, index);
  put_bool(w, "has_embedding", s->has_embedding);
  put_bool(w, "has_output_head", s->has_output_head);
  put_i64(w, "params", s->params);
  put_i64(w, "microbatches_in_flight", s->microbatches_in_flight);
  put_str(w, "peak_phase", gm_phase_name(s->peak_phase), (size_t)-1);
  put_gib(w, "peak_allocated_gb", s->peak_allocated_bytes, 4);
  put_gib(w, "peak_reserved_gb", s->peak_reserved_bytes, 4);
  put_gib(w, "total_gb", s->peak_nvsmi_bytes, 4);
  put_gib(w, "unconstrained_gb", s->peak_unconstrained_bytes, 4);
  put_bytes(w, s);
  put_timeline(w, r, index);
  end(w, "}");
}

/* Memory of the resolved config: 10 decimals of GiB read back to the same byte. */
static void put_memory(writer *w, const char *key, uint64_t bytes) {
  if (bytes == 0)
    put_raw(w, key, "null");
  else
    put_gib(w, key, bytes, 10);
}

/* One key of the resolved config, under its own name, as its row says. */
static void put_key(writer *w, const gm_key *k, const char *base, const gm_result *r) {
  const char *p = base + k->offset;
  int iv;
  int64_t lv;
  uint64_t uv;
  double dv;
  char t[48];
  if (k->flags & GM_KF_NOFIELD) {
    if (k->hook == GM_HOOK_TASK) /* the head: from num_labels */
      put_raw(w, k->key,
              r->resolved.model.num_labels > 0 ? "\"sequence_classification\"" : "\"causal_lm\"");
    return;
  }
  switch ((gm_hook)k->hook) {
  case GM_HOOK_NUM_PARAMS: /* as given, else the exact count */
    memcpy(&lv, p, sizeof lv);
    put_i64(w, k->key, lv > 0 ? lv : r->params.total);
    return;
  case GM_HOOK_VERSION:
    memcpy(&iv, p, sizeof iv);
    if (iv > 0) {
      char d[16];
      gm_format_version(iv, d, sizeof d);
      snprintf(t, sizeof t, "\"%s\"", d);
      put_raw(w, k->key, t);
    }
    return;
  case GM_HOOK_BUCKET_MIB:
    memcpy(&lv, p, sizeof lv);
    if (lv > 0) {
      scaled(t, sizeof t, (uint64_t)lv, 20, 10);
      put_raw(w, k->key, t);
    } else {
      put_raw(w, k->key, "null");
    }
    return;
  case GM_HOOK_GPU:
    if (*p)
      put_str(w, k->key, p, (size_t)k->hi);
    else
      put_raw(w, k->key, "null");
    return;
  default:
    break;
  }
  switch ((gm_key_kind)k->kind) {
  case GM_K_INT32:
    memcpy(&iv, p, sizeof iv);
    if (!(k->flags & GM_KF_OMIT_UNSET) || iv >= k->lo)
      put_count(w, k->key, iv, (int64_t)k->lo);
    break;
  case GM_K_INT64:
  case GM_K_SIZE:
    memcpy(&lv, p, sizeof lv);
    if (!(k->flags & GM_KF_OMIT_UNSET) || (double)lv >= k->lo)
      put_count(w, k->key, lv, (int64_t)k->lo);
    break;
  case GM_K_MEMORY:
    memcpy(&uv, p, sizeof uv);
    put_memory(w, k->key, uv);
    break;
  case GM_K_BOOL:
    memcpy(&iv, p, sizeof iv);
    put_flag(w, k->key, iv);
    break;
  case GM_K_ENUM:
    memcpy(&iv, p, sizeof iv);
    put_name(w, k->key, k->names, iv);
    break;
  case GM_K_NUMBER:
    memcpy(&dv, p, sizeof dv);
    if (dv >= 0)
      put_fixed(w, k->key, dv, 6);
    else
      put_raw(w, k->key, "null");
    break;
  case GM_K_STRING:
    put_str(w, k->key, p, (size_t)k->hi);
    break;
  }
}

/* The config with every default applied: each section's keys in the schema's order. */
static void put_resolved(writer *w, const gm_result *r) {
  int s;
  const gm_key *k;
  begin(w, "resolved", "{");
  for (s = 0; s < GM_SEC_COUNT; s++) {
    begin(w, gm_schema[s].name, "{");
    for (k = gm_schema[s].keys; k->key; k++)
      put_key(w, k, (const char *)&r->resolved + gm_schema[s].offset, r);
    end(w, "}");
  }
  end(w, "}");
}

/* Bytes on all GPUs: each stage's figure times the GPUs that run that stage. */
static void put_all_gpus(writer *w, const gm_result *r, int num_stages) {
  const gm_config *c = &r->resolved;
  uint64_t per_stage = (uint64_t)(c->hardware.num_gpus > 0 ? c->hardware.num_gpus : 1) /
                       (uint64_t)(c->parallel.pp > 0 ? c->parallel.pp : 1);
  uint64_t total = 0, part;
  double approx = 0;
  int i, overflow = 0;
  for (i = 0; i < num_stages; i++) {
    approx += (double)r->stages[i].peak_nvsmi_bytes * (double)per_stage;
    if (__builtin_mul_overflow(r->stages[i].peak_nvsmi_bytes, per_stage, &part) ||
        __builtin_add_overflow(total, part, &total))
      overflow = 1;
  }
  if (!overflow)
    put_gib(w, "total_memory_all_gpus_gb", total, 4);
  else
    put_fixed(w, "total_memory_all_gpus_gb", approx / 1073741824.0, 4);
}

static void put_summary(writer *w, const gm_result *r, const gm_summary *sum) {
  const gm_stage *worst = &sum->worst;
  put_gib(w, "total_memory_per_gpu_gb", worst->peak_nvsmi_bytes, 4);
  put_all_gpus(w, r, sum->num_stages);
  put_gib(w, "cpu_memory_gb", r->host_bytes_per_node, 4);
  put_bool(w, "fits_on_gpu", r->fits);
  put_str(w, "verdict", gm_verdict_name(r->verdict), (size_t)-1);
  if (gm_verdict_reason_name(r->verdict_reason))
    put_str(w, "verdict_reason", gm_verdict_reason_name(r->verdict_reason), (size_t)-1);
  else
    put_raw(w, "verdict_reason", "null");
  put_raw(w, "host_fits", r->host_fits < 0 ? "null" : r->host_fits ? "true" : "false");
  put_fixed(w, "memory_utilization_percent", r->utilization_percent, 2);
  put_gib(w, "gpu_capacity_gb", r->capacity_bytes, 4);
  put_gib(w, "peak_allocated_gb", worst->peak_allocated_bytes, 4);
  put_gib(w, "peak_reserved_gb", worst->peak_reserved_bytes, 4);
  put_gib(w, "peak_nvidia_smi_gb", worst->peak_nvsmi_bytes, 4);
  put_gib(w, "peak_unconstrained_gb", worst->peak_unconstrained_bytes, 4);
  put_gib(w, "fits_below_gb", sum->fits_below_bytes, 4);
  begin(w, "breakdown", "{");
  put_gib(w, "model_params_gb", sum->model_params_bytes, 4);
  put_gib(w, "gradients_gb", worst->bytes[GM_C_GRADS], 4);
  put_gib(w, "optimizer_states_gb", worst->bytes[GM_C_OPTIMIZER], 4);
  put_gib(w, "activations_gb", sum->activations_bytes, 4);
  put_gib(w, "overhead_gb", sum->overhead_bytes, 4);
  end(w, "}");
  put_bytes(w, worst);
}

static void put_parameters(writer *w, const gm_result *r, const gm_stage *worst) {
  const gm_params *p = &r->params;
  begin(w, "parameters", "{");
  put_i64(w, "total", p->total);
  put_i64(w, "trainable", p->trainable);
  put_i64(w, "embedding", p->embedding);
  put_i64(w, "output_head", p->output_head);
  put_i64(w, "per_layer", p->per_layer_dense);
  put_i64(w, "per_layer_moe", p->per_layer_moe);
  put_i64(w, "largest_layer", p->largest_layer);
  put_i64(w, "active_per_token", p->active_per_token);
  put_bool(w, "estimated", r->resolved.model.estimated > 0);
  put_i64(w, "per_gpu", worst->params);
  end(w, "}");
}

static void put_host(writer *w, const gm_result *r) {
  begin(w, "host_memory", "{");
  put_gib(w, "per_gpu_gb", r->host_bytes_per_gpu, 4);
  put_gib(w, "per_node_gb", r->host_bytes_per_node, 4);
  put_u64(w, "per_gpu_bytes", r->host_bytes_per_gpu);
  put_u64(w, "per_node_bytes", r->host_bytes_per_node);
  put_gib(w, "nvme_per_gpu_gb", r->nvme_bytes_per_gpu, 4);
  put_u64(w, "nvme_per_gpu_bytes", r->nvme_bytes_per_gpu);
  end(w, "}");
}

static char *finish(writer *w) {
  put(w, "\n", 1);
  if (w->oom) {
    free(w->buf);
    return NULL;
  }
  w->buf[w->len] = '\0';
  return w->buf;
}

char *gm_result_json(const gm_result *r) {
  writer w;
  gm_summary sum; /* the worst stage (a zero one when there is none), the sums */
  int i;
  memset(&w, 0, sizeof w);
  gm_summarize(r, &sum);

  begin(&w, NULL, "{");
  put_summary(&w, r, &sum);
  put_parameters(&w, r, &sum.worst);
  begin(&w, "stages", "[");
  for (i = 0; i < sum.num_stages; i++)
    put_stage(&w, r, &r->stages[i], i);
  end(&w, "]");
  put_i64(&w, "worst_stage", sum.worst_stage);
  put_host(&w, r);
  put_i64(&w, "max_micro_batch_size", r->max_micro_batch);
  put_i64(&w, "max_seq_len", r->max_seq_len);
  put_u64(&w, "activations_per_layer_bytes", r->layer_saved_bytes);
  put_u64(&w, "activations_per_layer_full_bytes", r->layer_full_bytes);
  begin(&w, "formulas", "{");
  for (i = 0; i < GM_C_COUNT; i++)
    put_str(&w, component_keys[i], r->formula[i], GM_FORMULA_LEN);
  end(&w, "}");
  put_resolved(&w, r);
  begin(&w, "warnings", "[");
  for (i = 0; i < sum.num_warnings; i++) {
    begin(&w, NULL, "{");
    put_str(&w, "field", r->warnings[i].field, sizeof r->warnings[i].field);
    put_str(&w, "message", r->warnings[i].message, sizeof r->warnings[i].message);
    end(&w, "}");
  }
  end(&w, "]");
  end(&w, "}");
  return finish(&w);
}

char *gm_error_json(const gm_error *e) {
  writer w;
  memset(&w, 0, sizeof w);
  begin(&w, NULL, "{");
  begin(&w, "error", "{");
  put_str(&w, "field", e->field, sizeof e->field);
  put_str(&w, "message", e->message, sizeof e->message);
  end(&w, "}");
  end(&w, "}");
  return finish(&w);
}
