/* strtod.c - strtod for the WebAssembly build, through the host's number parser.
 *
 * musl's strtod works in 128-bit long double, which WebAssembly has only in
 * software: with its helpers it is a fifth of the module. JavaScript's
 * Number() rounds a decimal to the nearest double as glibc's strtod does, so
 * the native and WebAssembly builds read every number to the same bits.
 * The build maps strtod to gm_strtod (-Dstrtod=gm_strtod) for the core and
 * cJSON; the loader (wasm/gpumem.js) supplies gm_parse_number. */
#include <stddef.h>
#include <stdlib.h>

/* The double nearest to the decimal number in the len bytes at text. */
__attribute__((import_module("env"), import_name("gm_parse_number"))) double
gm_parse_number(const char *text, size_t len);

static int digit(char c) { return c >= '0' && c <= '9'; }

/* Clinger's fast path: a mantissa below 2^53 and a power of ten up to 10^22
 * are exact doubles, so one multiplication or division rounds correctly.
 * Most numbers in a config take it; the others go to the host. */
static int exact(const char *p, const char *end, double *out) {
  static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  unsigned long long m = 0;
  int e = 0, x = 0, neg = *p == '-', xneg = 0;
  if (*p == '+' || *p == '-')
    p++;
  for (; p < end && digit(*p); p++) {
    if (m >= (1ull << 53) / 10)
      return 0;
    m = m * 10 + (unsigned)(*p - '0');
  }
  if (p < end && *p == '.')
    for (p++; p < end && digit(*p); p++, e--) {
      if (m >= (1ull << 53) / 10)
        return 0;
      m = m * 10 + (unsigned)(*p - '0');
    }
  if (p < end) { /* the exponent */
    p++;
    if (*p == '+' || *p == '-')
      xneg = *p++ == '-';
    for (; p < end; p++)
      if ((x = x * 10 + (*p - '0')) > 400)
        return 0;
    e += xneg ? -x : x;
  }
  if (e < -22 || e > 22)
    return 0;
  *out = e < 0 ? (double)m / pow10[-e] : (double)m * pow10[e];
  if (neg)
    *out = -*out;
  return 1;
}

/* The longest prefix of s that strtod reads as a decimal number: [space]
 * [sign] digits [. digits] [e [sign] digits], with at least one digit before
 * the exponent. cJSON hands over only such characters; "inf", "nan" and hex
 * never reach it, and the core's own callers give decimals. */
double gm_strtod(const char *s, char **end);
double gm_strtod(const char *s, char **end) {
  const char *p = s, *start, *q;
  int digits = 0;
  double value;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\v' || *p == '\f' || *p == '\r')
    p++;
  start = p;
  if (*p == '+' || *p == '-')
    p++;
  for (; digit(*p); p++)
    digits++;
  if (*p == '.')
    for (p++; digit(*p); p++)
      digits++;
  if (!digits) {
    if (end)
      *end = (char *)(size_t)s; /* no number: as strtod, end is s */
    return 0;
  }
  if (*p == 'e' || *p == 'E') {
    q = p + 1;
    if (*q == '+' || *q == '-')
      q++;
    if (digit(*q)) {
      while (digit(*q))
        q++;
      p = q;
    }
  }
  if (end)
    *end = (char *)(size_t)p;
  return exact(start, p, &value) ? value : gm_parse_number(start, (size_t)(p - start));
}
