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

/* 10^0 .. 10^19. */
extern const uint64_t gm_pow10_u64[20];

#endif
