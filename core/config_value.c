/* config_value.c - reading typed values (sizes, memory, enums) from JSON, with errors. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_ignorable(char ch) { return ch == ' ' || ch == '-' || ch == '_'; }

int gm_name_equal(const char *a, const char *b) {
  for (;;) {
    while (is_ignorable(*a))
      a++;
    while (is_ignorable(*b))
      b++;
    if (!*a || !*b)
      return !*a && !*b;
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
      return 0;
    a++;
    b++;
  }
}

/* Drop an incomplete UTF-8 sequence left at the end by truncation. */
static void utf8_trim(char *s) {
  size_t n = strlen(s), i = n, need;
  unsigned char lead;
  while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && n - i < 3)
    i--;
  if (i == 0)
    return;
  lead = (unsigned char)s[i - 1];
  if (lead < 0xC0)
    return; /* ASCII (or a stray continuation byte, left for the writer) */
  need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  if (n - (i - 1) < need)
    s[i - 1] = '\0';
}

/* Appends at most n-1-k bytes of src at out+k; returns the new length.
 * (Paths are built for every key read: snprintf would cost more than the read.) */
static size_t append(char *out, size_t n, size_t k, const char *src) {
  size_t len = strlen(src);
  if (k + len >= n)
    len = n - 1 - k;
  memcpy(out + k, src, len);
  out[k + len] = '\0';
  return k + len;
}

/* Copy at most n-1 bytes of src, never splitting a character. */
static void copy_text(char *out, size_t n, const char *src) {
  if (n == 0)
    return;
  append(out, n, 0, src);
  utf8_trim(out);
}

void gm_join_path(char *out, size_t n, const char *section, const char *key) {
  if (n == 0)
    return;
  append(out, n, append(out, n, append(out, n, 0, section), "."), key ? key : "");
  utf8_trim(out);
}

int gm_fail(gm_parse_ctx *c, const char *path, const char *fmt, ...) {
  va_list ap;
  copy_text(c->err->field, sizeof c->err->field, path);
  va_start(ap, fmt);
  vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
  va_end(ap);
  utf8_trim(c->err->message);
  return GM_EINVAL;
}

/* Unknown keys after the first few are only counted (see gm_parse_config),
 * so that they cannot crowd out the warnings that matter. */
void gm_unknown_key(gm_parse_ctx *c, const char *path, const char *meant) {
  if (c->unknown_keys++ < 4) {
    if (meant)
      gm_warn(c->sink, path, "unknown key, ignored; did you mean %s?", meant);
    else
      gm_warn(c->sink, path, "unknown key, ignored");
  }
}

/* A short rendering of a JSON value for messages. */
static void quote(const char *s, char *out, size_t n) {
  size_t i = 0, k = 0;
  if (n < 8) {
    if (n > 0)
      out[0] = '\0';
    return;
  }
  out[k++] = '"';
  for (; s[i] && i < 40 && k + 5 < n; i++)
    out[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
  if (s[i] && k + 5 < n) {
    memcpy(out + k, "...", 3);
    k += 3;
  }
  out[k++] = '"';
  out[k] = '\0';
}

void gm_describe(const cJSON *v, char *out, size_t n) {
  if (cJSON_IsString(v))
    quote(v->valuestring, out, n);
  else if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
    snprintf(out, n, "%.15g", v->valuedouble);
  else if (cJSON_IsNumber(v))
    snprintf(out, n, "a number out of range");
  else if (cJSON_IsBool(v))
    snprintf(out, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
  else if (cJSON_IsNull(v))
    snprintf(out, n, "null");
  else if (cJSON_IsArray(v))
    snprintf(out, n, "an array");
  else if (cJSON_IsObject(v))
    snprintf(out, n, "an object");
  else
    snprintf(out, n, "an invalid value");
}

/* A short description of a JSON value for messages: -1, "abc", an object. */
static const char *describe(const cJSON *v, char *buf, size_t n) {
  char text[44];
  if (cJSON_IsNumber(v))
    snprintf(buf, n, "%.15g", v->valuedouble);
  else if (cJSON_IsString(v) && v->valuestring) {
    copy_text(text, sizeof text, v->valuestring);
    snprintf(buf, n, "\"%s%s\"", text, strlen(v->valuestring) >= sizeof text ? "..." : "");
  } else if (cJSON_IsBool(v))
    snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
  else if (cJSON_IsNull(v))
    snprintf(buf, n, "null");
  else if (cJSON_IsArray(v))
    snprintf(buf, n, "an array");
  else
    snprintf(buf, n, "an object");
  return buf;
}

/* A finite JSON number, or an error naming what was given instead. */
static int number_of(gm_parse_ctx *c, const cJSON *v, const char *path, const char *what,
                     double *out) {
  char d[64];
  if (!cJSON_IsNumber(v))
    return gm_fail(c, path, "must be %s; got %s", what, describe(v, d, sizeof d));
  if (!isfinite(v->valuedouble))
    return gm_fail(c, path, "must be a finite number; got %s", describe(v, d, sizeof d));
  *out = v->valuedouble;
  return GM_OK;
}

int gm_read_int(gm_parse_ctx *c, const cJSON *v, const char *path, int64_t lo, int64_t hi,
                int64_t *out) {
  double x = 0;
  char d[64];
  if (number_of(c, v, path, "an integer", &x))
    return GM_EINVAL;
  if (x != floor(x))
    return gm_fail(c, path, "must be a whole number; got %s", describe(v, d, sizeof d));
  if (x < (double)lo || x > (double)hi)
    return gm_fail(c, path, "must be from %lld to %lld; got %s", (long long)lo, (long long)hi,
                   describe(v, d, sizeof d));
  *out = (int64_t)x;
  return GM_OK;
}

int gm_read_int32(gm_parse_ctx *c, const cJSON *v, const char *path, int lo, int hi, int *out) {
  int64_t x;
  if (gm_read_int(c, v, path, lo, hi, &x))
    return GM_EINVAL;
  *out = (int)x;
  return GM_OK;
}

/* Reads digits[.digits][e[+-]digits] exactly as mantissa * 10^exp10.
 * Returns the end of the number, or NULL when there is none or it has more
 * significant digits than fit. */
static const char *scan_decimal(const char *s, uint64_t *mant, int *exp10) {
  uint64_t m = 0;
  int e = 0, digits = 0, any = 0;
  for (; isdigit((unsigned char)*s); s++, any = 1) {
    if (m == 0 && *s == '0')
      continue;
    if (++digits > 18)
      return NULL;
    m = m * 10 + (uint64_t)(*s - '0');
  }
  if (*s == '.') {
    for (s++; isdigit((unsigned char)*s); s++, any = 1) {
      if (m == 0 && *s == '0') {
        e--;
        continue;
      }
      if (++digits > 18)
        return NULL;
      m = m * 10 + (uint64_t)(*s - '0');
      e--;
    }
  }
  if (!any)
    return NULL;
  if (*s == 'e' || *s == 'E') {
    int sign = 1, x = 0;
    const char *p = s + 1;
    if (*p == '+' || *p == '-')
      sign = *p++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*p))
      return NULL;
    for (; isdigit((unsigned char)*p); p++)
      if (x < 1000)
        x = x * 10 + (*p - '0');
    e += sign * x;
    s = p;
  }
  *mant = m;
  *exp10 = e;
  return s;
}

static const char *skip_space(const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

int gm_read_size(gm_parse_ctx *c, const cJSON *v, const char *path, int64_t lo, int64_t hi,
                 int64_t *out) {
  uint64_t m;
  int e, unit = 0;
  const char *s;
  char d[64];
  if (!cJSON_IsString(v))
    return cJSON_IsNumber(v) ? gm_read_int(c, v, path, lo, hi, out)
                             : gm_fail(c, path, "must be a number or a size like \"7B\"; got %s",
                                       describe(v, d, sizeof d));
  s = skip_space(v->valuestring);
  s = scan_decimal(s, &m, &e);
  if (s) {
    s = skip_space(s);
    switch (toupper((unsigned char)*s)) {
    case 'K':
      unit = 3;
      s++;
      break;
    case 'M':
      unit = 6;
      s++;
      break;
    case 'B':
    case 'G':
      unit = 9;
      s++;
      break;
    case 'T':
      unit = 12;
      s++;
      break;
    default:
      break;
    }
    s = skip_space(s);
  }
  if (!s || *s)
    return gm_fail(c, path,
                   "must be a number with an optional K, M, B (or G) or T suffix, like \"7B\" or "
                   "\"1.5T\"; got %s",
                   describe(v, d, sizeof d));
  /* Exact decimal arithmetic: "1.5T" is 1500000000000, never 1499999999999. */
  e += unit;
  for (; e < 0 && m != 0; e++) {
    if (m % 10 != 0)
      return gm_fail(c, path, "must be a whole number; got %s", describe(v, d, sizeof d));
    m /= 10;
  }
  for (; e > 0 && m != 0 && m <= (uint64_t)hi; e--)
    m *= 10;
  if (m < (uint64_t)lo || m > (uint64_t)hi)
    return gm_fail(c, path, "must be from %lld to %lld; got %s", (long long)lo, (long long)hi,
                   describe(v, d, sizeof d));
  *out = (int64_t)m;
  return GM_OK;
}

typedef struct {
  const char *suffix;
  double bytes;
} mem_unit;

static const mem_unit mem_units[] = {
    {"", 1073741824.0}, {"GiB", 1073741824.0}, {"GB", 1e9},
    {"MiB", 1048576.0}, {"MB", 1e6},           {"TiB", 1099511627776.0},
    {"TB", 1e12},       {"KiB", 1024.0},       {"KB", 1e3},
};

static int same_ci(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
      return 0;
  return *a == *b;
}

int gm_read_memory(gm_parse_ctx *c, const cJSON *v, const char *path, int allow_zero,
                   uint64_t max_bytes, uint64_t *out_bytes) {
  double x, unit = 1073741824.0, bytes;
  char d[64], suffix[8];
  size_t i, n;
  if (cJSON_IsString(v)) {
    uint64_t m;
    int e;
    const char *s = skip_space(v->valuestring), *end = scan_decimal(s, &m, &e);
    int found = 0;
    if (end) {
      end = skip_space(end);
      n = strlen(end);
      while (n > 0 && (end[n - 1] == ' ' || end[n - 1] == '\t'))
        n--;
      if (n < sizeof suffix) {
        memcpy(suffix, end, n);
        suffix[n] = '\0';
        for (i = 0; i < sizeof mem_units / sizeof mem_units[0]; i++)
          if (same_ci(suffix, mem_units[i].suffix)) {
            unit = mem_units[i].bytes;
            found = 1;
            break;
          }
      }
    }
    if (!found)
      return gm_fail(c, path,
                     "must be a number of GiB or a string like \"80GB\", \"80GiB\" or "
                     "\"81559MiB\"; got %s",
                     describe(v, d, sizeof d));
    x = strtod(s, NULL);
  } else if (number_of(c, v, path, "a number of GiB or a string like \"80GB\"", &x)) {
    return GM_EINVAL;
  }
  bytes = x * unit;
  if (!isfinite(bytes) || bytes < 0 || (!allow_zero && bytes < 1) || bytes > (double)max_bytes)
    return gm_fail(c, path, "must be %s and at most %.0f GiB; got %s",
                   allow_zero ? "zero or more" : "more than zero", (double)max_bytes / 1073741824.0,
                   describe(v, d, sizeof d));
  *out_bytes = (uint64_t)floor(bytes + 0.5);
  return GM_OK;
}

int gm_read_number(gm_parse_ctx *c, const cJSON *v, const char *path, double lo, double hi,
                   double *out) {
  double x = 0; /* as in gm_read_int */
  char d[64];
  if (number_of(c, v, path, "a number", &x))
    return GM_EINVAL;
  if (x < lo || x >= hi)
    return gm_fail(c, path, "must be at least %g and below %g; got %s", lo, hi,
                   describe(v, d, sizeof d));
  *out = x;
  return GM_OK;
}

int gm_read_bool(gm_parse_ctx *c, const cJSON *v, const char *path, int *out) {
  char d[64];
  if (!cJSON_IsBool(v))
    return gm_fail(c, path, "must be true or false; got %s", describe(v, d, sizeof d));
  *out = cJSON_IsTrue(v) ? 1 : 0;
  return GM_OK;
}

int gm_read_string(gm_parse_ctx *c, const cJSON *v, const char *path, char *out, size_t n) {
  char d[64];
  if (!cJSON_IsString(v) || !v->valuestring)
    return gm_fail(c, path, "must be a string; got %s", describe(v, d, sizeof d));
  copy_text(out, n, v->valuestring);
  return GM_OK;
}

int gm_read_enum(gm_parse_ctx *c, const cJSON *v, const char *path, const gm_name *table,
                 int *out) {
  const gm_name *t;
  char allowed[128], d[64];
  size_t len = 0;
  if (cJSON_IsString(v) && v->valuestring)
    for (t = table; t->name; t++)
      if (gm_name_equal(v->valuestring, t->name)) {
        *out = t->value;
        return GM_OK;
      }
  allowed[0] = '\0';
  for (t = table; t->name && len < sizeof allowed; t++)
    if (gm_enum_name(table, t->value) == t->name) /* list each value once */
      len +=
          (size_t)snprintf(allowed + len, sizeof allowed - len, "%s%s", len ? ", " : "", t->name);
  return gm_fail(c, path, "must be one of %s; got %s", allowed, describe(v, d, sizeof d));
}
