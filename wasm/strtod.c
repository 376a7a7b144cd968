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

/* The longest prefix of s that strtod reads as a decimal number: [space]
 * [sign] digits [. digits] [e [sign] digits], with at least one digit before
 * the exponent. cJSON hands over only such characters; "inf", "nan" and hex
 * never reach it, and the core's own callers give decimals. */
double gm_strtod(const char *s, char **end);
double gm_strtod(const char *s, char **end) {
  const char *p = s, *start, *q;
  int digits = 0;
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
  return gm_parse_number(start, (size_t)(p - start));
}
