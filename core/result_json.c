/* result_json.c - gm_result and gm_error to JSON text, with number
 * formatting done in integers so native and WebAssembly builds agree byte for byte. */
#include "result_json.h"

#include "config.h"
#include "fmt.h"
#include "internal.h"
#include "utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- A growing buffer with indentation ---------------------------------- */

/* Written straight into one buffer: each member makes room once, then
 * writes its comma, indent, key and value in place. */

#define MAX_DEPTH 8
/* Room kept past every write: the indent is copied as one fixed-size block
 * (a newline and up to 2 x MAX_DEPTH spaces), whatever its length. */
#define SLACK 32

typedef struct {
  char *buf;
  size_t len, cap;
  int oom;
  int depth;
  int more; /* the open level has a member already: the next one's comma */
} writer;

/* A newline and the deepest indent. */
static const char newline_indent[SLACK + 1] = "\n                               ";

/* A key literal and its length, for the put_ functions. */
#define K(name) name, sizeof name - 1

/* Makes room for n more bytes, the slack and the final NUL; 0 when memory ran out.
 * Out of line: a few calls in a result take it, and inlined it would make
 * every member save registers for it. */
__attribute__((noinline)) static int grow(writer *w, size_t n) {
  size_t cap = w->cap ? w->cap : 16384;
  char *p;
  if (w->oom)
    return 0;
  while (cap - w->len < n + SLACK + 1) {
    if (cap > ((size_t)-1) / 4) {
      w->oom = 1;
      return 0;
    }
    cap *= 2;
  }
  p = realloc(w->buf, cap);
  if (!p) {
    w->oom = 1;
    return 0;
  }
  w->buf = p;
  w->cap = cap;
  return 1;
}

/* Room for n more bytes at the end (with the slack and the final NUL);
 * NULL when memory ran out. */
static char *room(writer *w, size_t n) {
  if (w->cap - w->len < n + SLACK + 1 && !grow(w, n))
    return NULL;
  return w->buf + w->len;
}

/* Ends a write that began at w->buf + w->len and stopped before q. */
static void wrote(writer *w, const char *q) { w->len = (size_t)(q - w->buf); }

/* The n bytes of s at q, for the short keys most members have: in words,
 * the last one overlapping, with no call (a call to memcpy costs more than
 * copying a key); reads nothing past s + n. */
static void copy_short(char *q, const char *s, size_t n) {
  uint64_t x;
  uint32_t y;
  if (n >= 8) {
    size_t i;
    for (i = 0; i + 8 < n; i += 8) {
      memcpy(&x, s + i, 8);
      memcpy(q + i, &x, 8);
    }
    memcpy(&x, s + n - 8, 8);
    memcpy(q + n - 8, &x, 8);
  } else if (n >= 4) {
    memcpy(&y, s, 4);
    memcpy(q, &y, 4);
    memcpy(&y, s + n - 4, 4);
    memcpy(q + n - 4, &y, 4);
  } else if (n > 0) {
    q[0] = s[0];
    q[n / 2] = s[n / 2];
    q[n - 1] = s[n - 1];
  }
}

/* Start a member (key may be NULL inside arrays): comma, newline, indent
 * and key, written in place; returns where its value goes, with room for n
 * more bytes (NULL when memory ran out). The caller ends it with wrote().
 * Keys are the writer's own plain names: no escaping. Out of line, as gcc
 * leaves it: inlined into each of the writer's hundred or so calls, as
 * clang's -O2 (the planner's module) would, it costs more bytes than it
 * saves time. */
__attribute__((noinline)) static char *member_n(writer *w, const char *key, size_t key_len,
                                                size_t n) {
  char *q = room(w, key_len + n + 5);
  if (!q)
    return NULL;
  *q = ',';
  q += w->more;
  w->more = 1;
  if (w->len > 0) {
    memcpy(q, newline_indent, SLACK); /* depth <= MAX_DEPTH: the indent fits */
    q += 1 + 2 * w->depth;
  }
  if (key) {
    *q++ = '"';
    copy_short(q, key, key_len);
    q += key_len;
    memcpy(q, "\": ", 3);
    q += 3;
  }
  return q;
}

/* Opens an object or array: bracket is '{' or '['. */
static void begin(writer *w, const char *key, size_t key_len, char bracket) {
  char *q = member_n(w, key, key_len, 1);
  if (q) {
    *q++ = bracket;
    wrote(w, q);
  }
  if (w->depth < MAX_DEPTH)
    w->depth++;
  w->more = 0;
}

/* Closes it, on a line of its own unless it is empty: bracket '}' or ']'. */
static void end(writer *w, char bracket) {
  int had = w->more;
  char *q;
  w->more = 1; /* the level it closes into has it as a member */
  if (w->depth > 0)
    w->depth--;
  if (!(q = room(w, 1)))
    return;
  if (had) {
    memcpy(q, newline_indent, SLACK);
    q += 1 + 2 * w->depth;
  }
  *q++ = bracket;
  wrote(w, q);
}

/* A member whose value is the n bytes of text. */
static void put_raw(writer *w, const char *key, size_t key_len, const char *text, size_t n) {
  char *q = member_n(w, key, key_len, n);
  if (!q)
    return;
  memcpy(q, text, n);
  wrote(w, q + n);
}

#define RAW(text) text, sizeof text - 1

/* ---- Strings ------------------------------------------------------------- */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Does the word x hold a byte a JSON string cannot hold as it is: below
 * 0x20, at or above 0x80, '"' or '\\'? (v - ONES) & ~v has a high bit set
 * if and only if v has a zero byte, (x - 0x20s) & ~x if and only if x has
 * a byte below 0x20 (borrows only pass above such a byte). */
static int word_special(uint64_t x) {
  uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
  return ((x | ((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS) != 0;
}

/* A JSON string of s (n bytes) at q, which has room for 6 bytes per byte
 * of s and the quotes: escapes quotes, backslashes and control characters,
 * and replaces bytes that are not valid UTF-8 so the output always parses.
 * Plain bytes (printable ASCII but the quote and the backslash) go eight a
 * step, each word checked and copied at once, the last eight overlapping;
 * where a word has a special byte, one byte at a time. Returns the end. */
static char *string_at(char *q, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t i = 0;
  uint64_t x;
  *q++ = '"';
  while (i < n) {
    unsigned char ch;
    size_t len, start = i; /* bytes from start on are copied as they are */
    for (; i + 8 <= n; i += 8, q += 8) {
      memcpy(&x, s + i, 8);
      if (word_special(x))
        break;
      memcpy(q, &x, 8);
    }
    if (i < n && n - start >= 8 && i + 8 > n) {
      memcpy(&x, s + n - 8, 8);
      if (!word_special(x)) { /* rewrites bytes of this run before i, as they are */
        memcpy(q - (i + 8 - n), &x, 8);
        q += n - i;
        break;
      }
    }
    for (; i < n; i++) {
      ch = (unsigned char)s[i];
      if (ch < 0x20 || ch >= 0x80 || ch == '"' || ch == '\\')
        break;
      *q++ = (char)ch;
    }
    if (i >= n)
      break;
    ch = (unsigned char)s[i];
    len = 1;
    if (ch == '"' || ch == '\\') {
      *q++ = '\\';
      *q++ = (char)ch;
    } else if (ch == '\n') {
      *q++ = '\\';
      *q++ = 'n';
    } else if (ch == '\t') {
      *q++ = '\\';
      *q++ = 't';
    } else if (ch < 0x20) {
      memcpy(q, "\\u00", 4);
      q[4] = hex[ch >> 4];
      q[5] = hex[ch & 15];
      q += 6;
    } else {
      unsigned cp;
      /* Truncated, overlong, surrogate and out-of-range sequences: U+FFFD. */
      if ((len = gm_utf8_seq((const unsigned char *)s + i, n - i, &cp)) == 0) {
        memcpy(q, "\\ufffd", 6);
        q += 6;
        len = 1;
      } else {
        memcpy(q, s + i, len);
        q += len;
      }
    }
    i += len;
  }
  *q++ = '"';
  return q;
}

/* A member whose value is the string s, up to its NUL or max bytes. */
static void put_str(writer *w, const char *key, size_t key_len, const char *s, size_t max) {
  /* A field's array may be full, without a NUL; names end in one. */
  const char *nul = max == (size_t)-1 ? s + strlen(s) : memchr(s, '\0', max);
  size_t n = nul ? (size_t)(nul - s) : max;
  char *q;
  if (n > ((size_t)-1 - 64) / 6) { /* beyond any buffer */
    w->oom = 1;
    return;
  }
  if ((q = member_n(w, key, key_len, 6 * n + 2)))
    wrote(w, string_at(q, s, n));
}

/* ---- Numbers ------------------------------------------------------------- */

/* A member whose value is v's digits, '-' first when negative. */
static void put_digits(writer *w, const char *key, size_t key_len, uint64_t v, int negative) {
  char *q = member_n(w, key, key_len, 21);
  if (!q)
    return;
  *q = '-';
  q += negative != 0;
  wrote(w, gm_fmt_digits(q, v));
}

static void put_i64(writer *w, const char *key, size_t key_len, int64_t v) {
  put_digits(w, key, key_len, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

static void put_u64(writer *w, const char *key, size_t key_len, uint64_t v) {
  put_digits(w, key, key_len, v, 0);
}

/* Room for what decimal_at writes: '-', 20 digits, '.', 10 decimals. */
#define DECIMAL_MAX 32

/* whole, then "." and frac (< 10^decimals) as `decimals` digits with
 * trailing zeros dropped (no point when frac is 0), at q; returns the end. */
static char *decimal_at(char *q, uint64_t whole, uint64_t frac, int decimals) {
  int zeros;
  q = gm_fmt_digits(q, whole);
  if (frac == 0 || decimals <= 0)
    return q;
  for (; frac % 10 == 0; frac /= 10)
    decimals--;
  *q++ = '.';
  zeros = decimals - gm_fmt_digit_count(frac); /* the fraction's leading zeros */
  memcpy(q, "0000000000", 10);                 /* decimals <= 10; the slack holds the rest */
  return gm_fmt_digits(q + zeros, frac);
}

/* v / 2^shift with at most `decimals` (<= 10) decimals, rounded half up, at q. */
static char *scaled_at(char *q, uint64_t v, int shift, int decimals) {
  uint64_t whole = v >> shift, rem = v & ((UINT64_C(1) << shift) - 1),
           scale = gm_pow10_u64[decimals];
  /* rem < 2^30 and scale <= 10^10: the product stays below 2^64. */
  uint64_t frac = (rem * scale + (UINT64_C(1) << (shift - 1))) >> shift;
  if (frac >= scale) {
    whole++;
    frac -= scale;
  }
  return decimal_at(q, whole, frac, decimals);
}

static void put_gib(writer *w, const char *key, size_t key_len, uint64_t bytes, int decimals) {
  char *q = member_n(w, key, key_len, DECIMAL_MAX);
  if (q)
    wrote(w, scaled_at(q, bytes, 30, decimals));
}

/* A double with at most `decimals` (<= 10) decimals; null when it is not finite. */
static void put_fixed(writer *w, const char *key, size_t key_len, double v, int decimals) {
  double x = v * (double)gm_pow10_u64[decimals];
  char *q;
  if (!isfinite(v)) {
    put_raw(w, key, key_len, RAW("null"));
    return;
  }
  if (!(q = member_n(w, key, key_len, 64)))
    return;
  if (fabs(x) < 9e15) {
    long long n = llround(x);
    unsigned long long a = (unsigned long long)(n < 0 ? -n : n), s = gm_pow10_u64[decimals];
    *q = '-';
    q += n < 0;
    q = decimal_at(q, a / s, a % s, decimals);
  } else {
    char t[64];
    size_t n;
    snprintf(t, sizeof t, "%.0f", v); /* a whole number: printed exactly everywhere */
    n = strlen(t);
    memcpy(q, t, n);
    q += n;
  }
  wrote(w, q);
}

static void put_bool(writer *w, const char *key, size_t key_len, int v) {
  if (v)
    put_raw(w, key, key_len, RAW("true"));
  else
    put_raw(w, key, key_len, RAW("false"));
}

/* A 0/1 flag of the resolved config; null if it was left unresolved. */
static void put_flag(writer *w, const char *key, size_t key_len, int v) {
  if (v == 0 || v == 1)
    put_bool(w, key, key_len, v);
  else
    put_raw(w, key, key_len, RAW("null"));
}

/* An integer of the resolved config; null below min (unset or not applicable). */
static void put_count(writer *w, const char *key, size_t key_len, int64_t v, int64_t min) {
  if (v < min)
    put_raw(w, key, key_len, RAW("null"));
  else
    put_i64(w, key, key_len, v);
}

static void put_name(writer *w, const char *key, size_t key_len, const gm_name *table, int v) {
  const char *name = gm_enum_name(table, v);
  if (name)
    put_str(w, key, key_len, name, (size_t)-1);
  else
    put_raw(w, key, key_len, RAW("null"));
}

/* ---- The result ---------------------------------------------------------- */

/* JSON names of the components, in gm_component order. */
static const struct {
  const char *name;
  size_t len;
} component_keys[GM_C_COUNT] = {{K("weights")},     {K("gradients")},      {K("optimizer_states")},
                                {K("activations")}, {K("logits")},         {K("gathered_params")},
                                {K("buffers")},     {K("optimizer_step")}, {K("allocator_cache")},
                                {K("cuda_context")}};

static void put_bytes(writer *w, const gm_stage *s) {
  int i;
  begin(w, K("bytes"), '{');
  for (i = 0; i < GM_C_COUNT; i++)
    put_u64(w, component_keys[i].name, component_keys[i].len, s->bytes[i]);
  put_u64(w, K("peak_allocated"), s->peak_allocated_bytes);
  put_u64(w, K("peak_reserved"), s->peak_reserved_bytes);
  put_u64(w, K("peak_nvidia_smi"), s->peak_nvsmi_bytes);
  put_u64(w, K("peak_unconstrained"), s->peak_unconstrained_bytes);
  end(w, '}');
}

/* The rank's decoder layers, one [first, last] pair per model chunk. */
static void put_chunks(writer *w, const gm_result *r, int index) {
  int first[GM_MAX_CHUNKS], count[GM_MAX_CHUNKS], n = gm_result_chunks(r, index, first, count), j;
  begin(w, K("chunks"), '[');
  for (j = 0; j < n; j++) {
    char *q;
    if (count[j] <= 0 || !(q = member_n(w, NULL, 0, 46)))
      continue;
    *q++ = '[';
    q = gm_fmt_digits(q, (uint64_t)first[j]);
    memcpy(q, ", ", 2);
    q = gm_fmt_digits(q + 2, (uint64_t)(first[j] + count[j] - 1));
    *q++ = ']';
    wrote(w, q);
  }
  end(w, ']');
}

/* One point of a timeline, {"at", "allocated", "reserved"}, as begin,
 * put_str, put_u64 and end write it, in one go: a stage has up to
 * GM_TIMELINE_MAX of them. */
static void put_point(writer *w, const gm_timeline_point *pt) {
  const char *nul = memchr(pt->label, '\0', sizeof pt->label);
  size_t len = nul ? (size_t)(nul - pt->label) : sizeof pt->label;
  int outer = w->depth, inner = outer < MAX_DEPTH ? outer + 1 : outer;
  char *q = member_n(w, NULL, 0, 6 * len + 4 * SLACK + 2 * 21 + 40);
  if (!q)
    return;
  *q++ = '{';
  memcpy(q, newline_indent, SLACK);
  q += 1 + 2 * inner;
  memcpy(q, "\"at\": ", 6);
  q = string_at(q + 6, pt->label, len);
  *q++ = ',';
  memcpy(q, newline_indent, SLACK);
  q += 1 + 2 * inner;
  memcpy(q, "\"allocated\": ", 13);
  q = gm_fmt_digits(q + 13, pt->allocated_bytes);
  *q++ = ',';
  memcpy(q, newline_indent, SLACK);
  q += 1 + 2 * inner;
  memcpy(q, "\"reserved\": ", 12);
  q = gm_fmt_digits(q + 12, pt->reserved_bytes);
  memcpy(q, newline_indent, SLACK);
  q += 1 + 2 * outer;
  *q++ = '}';
  wrote(w, q);
}

/* The stage's memory across one step, from the same per-phase figures as its peak. */
static void put_timeline(writer *w, const gm_result *r, int index, const gm_stage_mem *mem) {
  gm_timeline_point pts[GM_TIMELINE_MAX];
  int i, n = gm_stage_timeline(r, index, mem, pts, GM_TIMELINE_MAX);
  begin(w, K("timeline"), '[');
  for (i = 0; i < n; i++)
    put_point(w, &pts[i]);
  end(w, ']');
}

static void put_stage(writer *w, const gm_result *r, const gm_stage *s, int index,
                      const gm_stage_mem *mem) {
  begin(w, NULL, 0, '{');
  put_i64(w, K("stage"), index);
  put_i64(w, K("first_layer"), s->first_layer);
  put_i64(w, K("num_layers"), s->num_layers);
  put_chunks(w, r, index);
  put_bool(w, K("has_embedding"), s->has_embedding);
  put_bool(w, K("has_output_head"), s->has_output_head);
  put_i64(w, K("params"), s->params);
  put_i64(w, K("microbatches_in_flight"), s->microbatches_in_flight);
  put_str(w, K("peak_phase"), gm_phase_name(s->peak_phase), (size_t)-1);
  put_gib(w, K("peak_allocated_gb"), s->peak_allocated_bytes, 4);
  put_gib(w, K("peak_reserved_gb"), s->peak_reserved_bytes, 4);
  put_gib(w, K("total_gb"), s->peak_nvsmi_bytes, 4);
  put_gib(w, K("unconstrained_gb"), s->peak_unconstrained_bytes, 4);
  put_bytes(w, s);
  put_timeline(w, r, index, mem);
  end(w, '}');
}

/* Memory of the resolved config: 10 decimals of GiB read back to the same byte. */
static void put_memory(writer *w, const char *key, size_t key_len, uint64_t bytes) {
  if (bytes == 0)
    put_raw(w, key, key_len, RAW("null"));
  else
    put_gib(w, key, key_len, bytes, 10);
}

/* One key of the resolved config, under its own name, as its row says. */
static void put_key(writer *w, const gm_key *k, const char *base, const gm_result *r) {
  const char *p = base + k->offset;
  int iv;
  int64_t lv;
  uint64_t uv;
  double dv;
  const char *key = k->key;
  size_t key_len = k->key_len;
  if (k->flags & GM_KF_NOFIELD) {
    if (k->hook == GM_HOOK_TASK) /* the head: from num_labels */
      put_str(w, key, key_len,
              r->resolved.model.num_labels > 0 ? "sequence_classification" : "causal_lm",
              (size_t)-1);
    return;
  }
  switch ((gm_hook)k->hook) {
  case GM_HOOK_NUM_PARAMS: /* as given, else the exact count */
    memcpy(&lv, p, sizeof lv);
    put_i64(w, key, key_len, lv > 0 ? lv : r->params.total);
    return;
  case GM_HOOK_VERSION:
    memcpy(&iv, p, sizeof iv);
    if (iv > 0) {
      char d[16];
      gm_format_version(iv, d, sizeof d);
      put_str(w, key, key_len, d, sizeof d);
    }
    return;
  case GM_HOOK_BUCKET_MIB:
    memcpy(&lv, p, sizeof lv);
    if (lv > 0) {
      char *q = member_n(w, key, key_len, DECIMAL_MAX);
      if (q)
        wrote(w, scaled_at(q, (uint64_t)lv, 20, 10));
    } else {
      put_raw(w, key, key_len, RAW("null"));
    }
    return;
  case GM_HOOK_GPU:
    if (*p)
      put_str(w, key, key_len, p, (size_t)k->hi);
    else
      put_raw(w, key, key_len, RAW("null"));
    return;
  default:
    break;
  }
  switch ((gm_key_kind)k->kind) {
  case GM_K_INT32:
    memcpy(&iv, p, sizeof iv);
    if (!(k->flags & GM_KF_OMIT_UNSET) || iv >= k->lo)
      put_count(w, key, key_len, iv, (int64_t)k->lo);
    break;
  case GM_K_INT64:
  case GM_K_SIZE:
    memcpy(&lv, p, sizeof lv);
    if (!(k->flags & GM_KF_OMIT_UNSET) || (double)lv >= k->lo)
      put_count(w, key, key_len, lv, (int64_t)k->lo);
    break;
  case GM_K_MEMORY:
    memcpy(&uv, p, sizeof uv);
    put_memory(w, key, key_len, uv);
    break;
  case GM_K_BOOL:
    memcpy(&iv, p, sizeof iv);
    put_flag(w, key, key_len, iv);
    break;
  case GM_K_ENUM:
    memcpy(&iv, p, sizeof iv);
    put_name(w, key, key_len, k->names, iv);
    break;
  case GM_K_NUMBER:
    memcpy(&dv, p, sizeof dv);
    if (dv >= 0)
      put_fixed(w, key, key_len, dv, 6);
    else
      put_raw(w, key, key_len, RAW("null"));
    break;
  case GM_K_STRING:
    put_str(w, key, key_len, p, (size_t)k->hi);
    break;
  }
}

/* The config with every default applied: each section's keys in the schema's order. */
static void put_resolved(writer *w, const gm_result *r) {
  int s;
  const gm_key *k;
  begin(w, K("resolved"), '{');
  for (s = 0; s < GM_SEC_COUNT; s++) {
    begin(w, gm_schema[s].name, strlen(gm_schema[s].name), '{');
    for (k = gm_schema[s].keys; k->key; k++)
      put_key(w, k, (const char *)&r->resolved + gm_schema[s].offset, r);
    end(w, '}');
  }
  end(w, '}');
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
    put_gib(w, K("total_memory_all_gpus_gb"), total, 4);
  else
    put_fixed(w, K("total_memory_all_gpus_gb"), approx / 1073741824.0, 4);
}

static void put_summary(writer *w, const gm_result *r, const gm_summary *sum) {
  const gm_stage *worst = &sum->worst;
  put_gib(w, K("total_memory_per_gpu_gb"), worst->peak_nvsmi_bytes, 4);
  put_all_gpus(w, r, sum->num_stages);
  put_gib(w, K("cpu_memory_gb"), r->host_bytes_per_node, 4);
  put_bool(w, K("fits_on_gpu"), r->fits);
  put_str(w, K("verdict"), gm_verdict_name(r->verdict), (size_t)-1);
  if (gm_verdict_reason_name(r->verdict_reason))
    put_str(w, K("verdict_reason"), gm_verdict_reason_name(r->verdict_reason), (size_t)-1);
  else
    put_raw(w, K("verdict_reason"), RAW("null"));
  put_flag(w, K("host_fits"), r->host_fits < 0 ? -1 : r->host_fits != 0);
  put_fixed(w, K("memory_utilization_percent"), r->utilization_percent, 2);
  put_gib(w, K("gpu_capacity_gb"), r->capacity_bytes, 4);
  put_gib(w, K("peak_allocated_gb"), worst->peak_allocated_bytes, 4);
  put_gib(w, K("peak_reserved_gb"), worst->peak_reserved_bytes, 4);
  put_gib(w, K("peak_nvidia_smi_gb"), worst->peak_nvsmi_bytes, 4);
  put_gib(w, K("peak_unconstrained_gb"), worst->peak_unconstrained_bytes, 4);
  put_gib(w, K("fits_below_gb"), sum->fits_below_bytes, 4);
  begin(w, K("breakdown"), '{');
  put_gib(w, K("model_params_gb"), sum->model_params_bytes, 4);
  put_gib(w, K("gradients_gb"), worst->bytes[GM_C_GRADS], 4);
  put_gib(w, K("optimizer_states_gb"), worst->bytes[GM_C_OPTIMIZER], 4);
  put_gib(w, K("activations_gb"), sum->activations_bytes, 4);
  put_gib(w, K("overhead_gb"), sum->overhead_bytes, 4);
  end(w, '}');
  put_bytes(w, worst);
}

static void put_parameters(writer *w, const gm_result *r, const gm_stage *worst) {
  const gm_params *p = &r->params;
  begin(w, K("parameters"), '{');
  put_i64(w, K("total"), p->total);
  put_i64(w, K("trainable"), p->trainable);
  put_i64(w, K("embedding"), p->embedding);
  put_i64(w, K("output_head"), p->output_head);
  put_i64(w, K("per_layer"), p->per_layer_dense);
  put_i64(w, K("per_layer_moe"), p->per_layer_moe);
  put_i64(w, K("largest_layer"), p->largest_layer);
  put_i64(w, K("active_per_token"), p->active_per_token);
  put_bool(w, K("estimated"), r->resolved.model.estimated > 0);
  put_i64(w, K("per_gpu"), worst->params);
  end(w, '}');
}

static void put_host(writer *w, const gm_result *r) {
  begin(w, K("host_memory"), '{');
  put_gib(w, K("per_gpu_gb"), r->host_bytes_per_gpu, 4);
  put_gib(w, K("per_node_gb"), r->host_bytes_per_node, 4);
  put_u64(w, K("per_gpu_bytes"), r->host_bytes_per_gpu);
  put_u64(w, K("per_node_bytes"), r->host_bytes_per_node);
  put_gib(w, K("nvme_per_gpu_gb"), r->nvme_bytes_per_gpu, 4);
  put_u64(w, K("nvme_per_gpu_bytes"), r->nvme_bytes_per_gpu);
  end(w, '}');
}

static char *finish(writer *w) {
  char *q = room(w, 1);
  if (q)
    *q = '\n', w->len++;
  if (w->oom) {
    free(w->buf);
    return NULL;
  }
  w->buf[w->len] = '\0';
  return w->buf;
}

char *gm_result_json(const gm_result *r) { return gm_result_json_kept(r, NULL); }

char *gm_result_json_kept(const gm_result *r, const gm_stage_mem *kept) {
  writer w;
  gm_summary sum; /* the worst stage (a zero one when there is none), the sums */
  int i;
  memset(&w, 0, sizeof w);
  gm_summarize(r, &sum);

  begin(&w, NULL, 0, '{');
  put_summary(&w, r, &sum);
  put_parameters(&w, r, &sum.worst);
  begin(&w, K("stages"), '[');
  for (i = 0; i < sum.num_stages; i++)
    put_stage(&w, r, &r->stages[i], i, kept ? &kept[i] : NULL);
  end(&w, ']');
  put_i64(&w, K("worst_stage"), sum.worst_stage);
  put_host(&w, r);
  put_i64(&w, K("max_micro_batch_size"), r->max_micro_batch);
  put_i64(&w, K("max_seq_len"), r->max_seq_len);
  put_u64(&w, K("activations_per_layer_bytes"), r->layer_saved_bytes);
  put_u64(&w, K("activations_per_layer_full_bytes"), r->layer_full_bytes);
  begin(&w, K("formulas"), '{');
  for (i = 0; i < GM_C_COUNT; i++)
    put_str(&w, component_keys[i].name, component_keys[i].len, r->formula[i], GM_FORMULA_LEN);
  end(&w, '}');
  put_resolved(&w, r);
  begin(&w, K("warnings"), '[');
  for (i = 0; i < sum.num_warnings; i++) {
    begin(&w, NULL, 0, '{');
    put_str(&w, K("field"), r->warnings[i].field, sizeof r->warnings[i].field);
    put_str(&w, K("message"), r->warnings[i].message, sizeof r->warnings[i].message);
    end(&w, '}');
  }
  end(&w, ']');
  end(&w, '}');
  return finish(&w);
}

char *gm_error_json(const gm_error *e) {
  writer w;
  memset(&w, 0, sizeof w);
  begin(&w, NULL, 0, '{');
  begin(&w, K("error"), '{');
  put_str(&w, K("field"), e->field, sizeof e->field);
  put_str(&w, K("message"), e->message, sizeof e->message);
  end(&w, '}');
  end(&w, '}');
  return finish(&w);
}
