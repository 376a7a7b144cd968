/* fmt.h - internal: text from numbers, byte for byte as C's printf writes
 * it, without the C library's printf (which in WebAssembly brings a software
 * long double: a tenth of the module). Not public. */
#ifndef GM_FMT_H
#define GM_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* snprintf and vsnprintf for the conversions d i u o x X c s f F e E g G p
 * and %, with flags, width, precision and the length modifiers hh h l ll z j t
 * (not L, n, a): the same bytes as C's, doubles converted exactly and rounded
 * to nearest, ties to even. The WebAssembly build calls these for snprintf. */
int gm_snprintf(char *out, size_t n, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int gm_vsnprintf(char *out, size_t n, const char *fmt, va_list ap);

/* Text appended piece by piece into buf[n] (n >= 1), kept NUL-terminated and
 * cut where snprintf would cut it: the same bytes as one gm_snprintf of the
 * whole, without parsing a format at run time. */
typedef struct {
  char *at, *end; /* the next byte; the last, kept for the NUL */
} gm_text;
void gm_text_start(gm_text *t, char *buf, size_t n);
void gm_text_put(gm_text *t, const char *s, size_t len);
void gm_text_str(gm_text *t, const char *s);
void gm_text_g(gm_text *t, double v);                   /* %g */
void gm_text_fixed(gm_text *t, double v, int decimals); /* %.<decimals>f */
void gm_text_int(gm_text *t, long long v);              /* %lld */
void gm_text_count(gm_text *t, double v);               /* gm_fmt_count's "1,234", up to 30 bytes */
/* A string literal, its length known at compile time. */
#define gm_text_lit(t, literal) gm_text_put(t, literal, sizeof literal - 1)

/* v's decimal digits at q (1 to 20); returns the end. Stores whole
 * eight-byte words: q needs 8 bytes of room past the last digit. */
char *gm_fmt_digits(char *q, uint64_t v);
/* The count of v's decimal digits (1 for 0). */
int gm_fmt_digit_count(uint64_t v);

/* 10^0 .. 10^19. */
extern const uint64_t gm_pow10_u64[20];

#endif
