/* checked.h - integer products and sums that cannot wrap, and byte figures
 * that cannot be negative, infinite or beyond what the results represent.
 *
 * A chain of operations shares one gm_checked: the first overflow sets
 * .overflow, and every later result is 0, so a whole formula is written
 * plainly and checked once at its end. */
#ifndef GM_CHECKED_H
#define GM_CHECKED_H

#include <math.h>
#include <stdint.h>

/* The largest byte count a figure may take: 2^53 (8 PiB), below which every
 * integer is exact in a double, so the physics (in doubles) and the results
 * (in integers) agree, and ten such figures still add up within 64 bits. */
#define GM_MAX_FIGURE_BYTES 9007199254740992.0

/* The most parameters a model may have (model.num_parameters' bound). */
#define GM_MAX_PARAMS INT64_C(1000000000000000)

typedef struct {
  int overflow;
} gm_checked;

static inline int64_t gm_mul(gm_checked *k, int64_t a, int64_t b) {
  int64_t r;
  if (k->overflow || __builtin_mul_overflow(a, b, &r)) {
    k->overflow = 1;
    return 0;
  }
  return r;
}

static inline int64_t gm_add(gm_checked *k, int64_t a, int64_t b) {
  int64_t r;
  if (k->overflow || __builtin_add_overflow(a, b, &r)) {
    k->overflow = 1;
    return 0;
  }
  return r;
}

static inline int64_t gm_sub(gm_checked *k, int64_t a, int64_t b) {
  int64_t r;
  if (k->overflow || __builtin_sub_overflow(a, b, &r)) {
    k->overflow = 1;
    return 0;
  }
  return r;
}

/* a * b * c */
static inline int64_t gm_mul3(gm_checked *k, int64_t a, int64_t b, int64_t c) {
  return gm_mul(k, gm_mul(k, a, b), c);
}

/* A byte figure computed in double as an exact count: rounded, and an
 * overflow when it is not finite, is negative beyond rounding, or exceeds
 * GM_MAX_FIGURE_BYTES. */
static inline uint64_t gm_bytes(gm_checked *k, double v) {
  if (k->overflow || !(v > -0.5) || !(v <= GM_MAX_FIGURE_BYTES)) {
    k->overflow = 1;
    return 0;
  }
  /* llround's half away from zero, inline: below 2^53 the truncation and
   * the fraction v - i are exact (and a v above -0.5 truncates to 0 or
   * more). Signed conversions: x86-64 has them as one instruction each, the
   * unsigned ones take branches. The searches call this per stage. */
  {
    int64_t i = (int64_t)v;
    return (uint64_t)i + (v - (double)i >= 0.5);
  }
}

/* llround(v) as an unsigned count: below 2^53 by the whole part and the
 * fraction (both exact), else llround itself. The searches call this per stage. */
static inline uint64_t gm_round_count(double v) {
  if (v >= 0 && v < GM_MAX_FIGURE_BYTES) {
    int64_t t = (int64_t)v; /* as gm_bytes */
    return (uint64_t)t + (v - (double)t >= 0.5);
  }
  return (uint64_t)llround(v);
}

/* A figure of gm_bytes (at most 2^53) as a double, exactly: through the
 * signed conversion, which x86-64 does in one instruction (the unsigned one
 * takes a branch). */
static inline double gm_figure(uint64_t bytes) { return (double)(int64_t)bytes; }

#endif
