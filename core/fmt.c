/* fmt.c - printf's conversions written here: a double's exact decimal
 * expansion (a big integer in base 10^9, as musl's printf keeps it), then
 * rounded as C rounds, to nearest with ties to even. */
#include "fmt.h"
#include "internal.h"

#include <stdint.h>
#include <string.h>

/* ---- A double's exact decimal digits ------------------------------------ */

/* A double is m x 2^e with m < 2^53 and -1074 <= e <= 971: its integer part
 * has at most 309 digits, its fraction at most 1074 (r / 2^k = r x 5^k / 10^k). */
#define MAX_DIGITS 1100
#define BIG_WORDS 128 /* base 10^9: 1,152 digits */

typedef struct {
  uint32_t w[BIG_WORDS]; /* least significant first */
  int n;
} big;

static void big_set(big *b, uint64_t v) {
  b->n = 0;
  do {
    b->w[b->n++] = (uint32_t)(v % 1000000000u);
    v /= 1000000000u;
  } while (v);
}

/* b *= f, f < 2^30: each word times f stays below 2^60. */
static void big_mul(big *b, uint32_t f) {
  uint64_t carry = 0;
  int i;
  for (i = 0; i < b->n; i++) {
    uint64_t t = (uint64_t)b->w[i] * f + carry;
    b->w[i] = (uint32_t)(t % 1000000000u);
    carry = t / 1000000000u;
  }
  while (carry && b->n < BIG_WORDS) {
    b->w[b->n++] = (uint32_t)(carry % 1000000000u);
    carry /= 1000000000u;
  }
}

/* The digits of b, most significant first, at least `width` (zero-padded);
 * returns their count. */
static int big_digits(const big *b, char *out, int width) {
  int i = b->n - 1, len = 0, k, pad;
  char top[10];
  uint32_t v = b->w[i];
  do {
    top[len++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  pad = width - (len + 9 * i);
  for (k = 0; k < pad; k++)
    out[k] = '0';
  for (; len > 0; len--)
    out[k++] = top[len - 1];
  for (i--; i >= 0; i--) {
    v = b->w[i];
    for (len = 8; len >= 0; len--, v /= 10)
      out[k + len] = (char)('0' + v % 10);
    k += 9;
  }
  return k;
}

/* v's significand m and exponent *e, |v| = m x 2^*e, for finite v. */
static uint64_t significand_of(double v, int *e) {
  uint64_t bits, m;
  memcpy(&bits, &v, sizeof bits);
  m = bits & ((UINT64_C(1) << 52) - 1);
  *e = (int)(bits >> 52 & 0x7ff);
  if (*e)
    m |= UINT64_C(1) << 52;
  *e = *e ? *e - 1075 : -1074;
  return m;
}

/* |v| (finite) as 0.d1d2...dlen x 10^point, d without leading or trailing
 * zeros (len 0 for zero). Returns len. */
static int exact(double v, char *d, int *point) {
  uint64_t m;
  int e, len = 0, k, start;
  big b;
  m = significand_of(v, &e);
  *point = 0;
  if (m == 0)
    return 0;
  if (e >= 0) {
    big_set(&b, m);
    for (; e > 0; e -= e < 29 ? e : 29)
      big_mul(&b, UINT32_C(1) << (e < 29 ? e : 29));
    len = big_digits(&b, d, 0);
    *point = len;
  } else {
    int shift = -e;
    uint64_t whole = shift < 64 ? m >> shift : 0, frac = shift < 64 ? m - (whole << shift) : m;
    if (whole) {
      big_set(&b, whole);
      len = big_digits(&b, d, 0);
    }
    *point = len;
    if (frac) {
      big_set(&b, frac);
      for (k = shift; k > 0; k -= k < 12 ? k : 12) {
        static const uint32_t five[13] = {
            1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625, 48828125, 244140625};
        big_mul(&b, five[k < 12 ? k : 12]);
      }
      len += big_digits(&b, d + len, shift);
    }
  }
  /* Drop leading zeros (a fraction's), then trailing ones. */
  for (start = 0; start < len && d[start] == '0'; start++)
    (*point)--;
  if (start) {
    memmove(d, d + start, (size_t)(len - start));
    len -= start;
  }
  while (len > 0 && d[len - 1] == '0')
    len--;
  return len;
}

/* Keeps the first `keep` digits of d, rounded to nearest, ties to even; a
 * carry out of the first digit makes d "1" and raises *point. Returns the
 * new length, trailing zeros dropped. */
static int round_to(char *d, int len, int keep, int *point) {
  int up, i;
  if (keep >= len)
    return len;
  if (keep < 0)
    return 0;
  /* d has no trailing zeros: any digit after d[keep] is not zero. */
  up = d[keep] > '5' ||
       (d[keep] == '5' && (len > keep + 1 || (keep > 0 && (d[keep - 1] - '0') % 2 == 1)));
  len = keep;
  if (up) {
    for (i = keep - 1; i >= 0 && d[i] == '9'; i--)
      len = i; /* the 9s become trailing zeros */
    if (i < 0) {
      d[0] = '1';
      (*point)++;
      return 1;
    }
    d[i]++;
  }
  while (len > 0 && d[len - 1] == '0')
    len--;
  return len;
}

/* ---- Conversions ---------------------------------------------------------- */

typedef struct {
  char *out;
  size_t n, len; /* capacity, bytes that would be written */
} sink;

static void emit(sink *s, const char *p, size_t k) {
  if (s->len < s->n) {
    size_t room = s->n - s->len;
    memcpy(s->out + s->len, p, k < room ? k : room);
  }
  s->len += k;
}

static void emit_fill(sink *s, char c, int k) {
  char t[16];
  memset(t, c, sizeof t);
  for (; k > 0; k -= 16)
    emit(s, t, k < 16 ? (size_t)k : 16);
}

enum { F_MINUS = 1, F_PLUS = 2, F_SPACE = 4, F_ALT = 8, F_ZERO = 16 };

/* prefix (sign, 0x) then body, padded to width as flags say; zeros (from
 * precision or the 0 flag) go between them. */
static void field(sink *s, int flags, int width, const char *prefix, int zeros, const char *body,
                  int body_len) {
  int pre, total;
  if (!prefix[0] && !zeros && width <= body_len) { /* most conversions: the body alone */
    emit(s, body, (size_t)body_len);
    return;
  }
  pre = (int)strlen(prefix);
  total = pre + zeros + body_len;
  if (flags & F_ZERO && !(flags & F_MINUS) && width > total) {
    zeros += width - total;
    total = width;
  }
  if (!(flags & F_MINUS))
    emit_fill(s, ' ', width - total);
  emit(s, prefix, (size_t)pre);
  emit_fill(s, '0', zeros);
  emit(s, body, (size_t)body_len);
  if (flags & F_MINUS)
    emit_fill(s, ' ', width - total);
}

/* Digits d (len, 0.d x 10^point) with `frac` decimals, as %f writes them. */
static int put_fixed(char *t, const char *d, int len, int point, int frac, int alt) {
  int k = 0, i;
  if (point <= 0)
    t[k++] = '0';
  for (i = 0; i < point; i++)
    t[k++] = i < len ? d[i] : '0';
  if (frac > 0 || alt)
    t[k++] = '.';
  for (i = point; i < point + frac; i++)
    t[k++] = i >= 0 && i < len ? d[i] : '0';
  return k;
}

/* d.ddd with `frac` decimals, then e+XX, as %e writes them. */
static int put_exp(char *t, const char *d, int len, int point, int frac, int alt, char e) {
  int k = 0, i, x = len ? point - 1 : 0, ax = x < 0 ? -x : x;
  char digits[8];
  int nd = 0;
  t[k++] = len ? d[0] : '0';
  if (frac > 0 || alt)
    t[k++] = '.';
  for (i = 1; i <= frac; i++)
    t[k++] = i < len ? d[i] : '0';
  t[k++] = e;
  t[k++] = x < 0 ? '-' : '+';
  do {
    digits[nd++] = (char)('0' + ax % 10);
    ax /= 10;
  } while (ax);
  if (nd < 2)
    digits[nd++] = '0';
  while (nd)
    t[k++] = digits[--nd];
  return k;
}

/* 10^0 .. 10^19, every power of ten a uint64_t holds. */
const uint64_t gm_pow10_u64[20] = {1,
                                   10,
                                   100,
                                   1000,
                                   10000,
                                   100000,
                                   1000000,
                                   10000000,
                                   100000000,
                                   1000000000,
                                   10000000000,
                                   100000000000,
                                   1000000000000,
                                   10000000000000,
                                   100000000000000,
                                   1000000000000000,
                                   10000000000000000,
                                   100000000000000000,
                                   1000000000000000000,
                                   10000000000000000000u};

/* |v| (finite) x 10^prec rounded to a whole number, ties to even, as %f
 * rounds, in *q; *whole when nothing was rounded off. Exact in 64 bits:
 * |v| = m / 2^s with m < 2^53, and prec <= 3 keeps m 10^prec below 2^63.
 * Returns 0, the long way to go, for |v| >= 2^52 or prec > 3. */
static int scaled_whole(double v, int prec, uint64_t *q, int *whole) {
  uint64_t m, n, r;
  int e, s;
  m = significand_of(v, &e);
  if (e >= 0 || prec < 0 || prec > 3)
    return 0;
  n = m * gm_pow10_u64[prec];
  s = -e;
  if (s >= 64) { /* |v| < 2^-11: below half of 10^-3 */
    *q = 0;
    *whole = n == 0;
    return 1;
  }
  *q = n >> s;
  r = n & ((UINT64_C(1) << s) - 1);
  *whole = r == 0;
  if (r > UINT64_C(1) << (s - 1) || (r == UINT64_C(1) << (s - 1) && *q % 2 == 1))
    (*q)++;
  return 1;
}

/* The count of v's decimal digits: from its bit length, 1233 / 4096 being
 * just above log10(2), then one comparison. */
int gm_fmt_digit_count(uint64_t v) {
  int n = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;
  return n + (v >= gm_pow10_u64[n]) + (v == 0);
}

/* The eight decimal digits of x < 10^8, leading zeros kept, as the bytes of
 * a word in memory order: every lane of the word divided at once, first
 * into two halves of four digits, then by 100 and by 10 with a multiply
 * and a shift (10486 / 2^20 and 103 / 2^10 are exact below 10^4 and 10^2;
 * no lane's product reaches the next lane). */
static uint64_t eight_digits(uint32_t x) {
  uint64_t v = (uint64_t)(x / 10000) | (uint64_t)(x % 10000) << 32;
  uint64_t hi = (v * 10486 >> 20) & UINT64_C(0x0000007f0000007f);
  v = hi | (v - 100 * hi) << 16;
  hi = (v * 103 >> 10) & UINT64_C(0x000f000f000f000f);
  v = (hi | (v - 10 * hi) << 8) | UINT64_C(0x3030303030303030);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

/* The last n (1 to 8) digits of x < 10^8 at q; returns the end. Stores a
 * whole word: every write has SLACK bytes of room past its end. */
static char *last_digits_at(char *q, uint32_t x, int n) {
  uint64_t v = eight_digits(x);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v <<= 8 * (8 - n);
#else
  v >>= 8 * (8 - n);
#endif
  memcpy(q, &v, 8);
  return q + n;
}

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                                  "25262728293031323334353637383940414243444546474849"
                                  "50515253545556575859606162636465666768697071727374"
                                  "75767778798081828384858687888990919293949596979899";

/* v's decimal digits at q (at most 20); returns the end. One or two digits
 * (most of a result's) from a table; more, eight a step, the leading ones
 * first. Out of line: the result writer calls it from many places, and
 * clang's -O2 with LTO (the planner's module) would inline it into each. */
__attribute__((noinline)) char *gm_fmt_digits(char *q, uint64_t v) {
  int n;
  if (v < 100) {
    memcpy(q, digit_pairs + 2 * v + (v < 10), 2);
    return q + 1 + (v >= 10);
  }
  n = gm_fmt_digit_count(v);
  if (n > 8) {
    uint64_t hi = v / 100000000;
    uint32_t lo = (uint32_t)(v - hi * 100000000);
    if (n > 16) {
      q = last_digits_at(q, (uint32_t)(hi / 100000000), n - 16);
      hi %= 100000000;
      n = 16;
    }
    q = last_digits_at(q, (uint32_t)hi, n - 8);
    return last_digits_at(q, lo, 8);
  }
  return last_digits_at(q, (uint32_t)v, n);
}

/* %f with prec <= 3, and %g of a whole number with at most prec digits, in
 * integers: the bytes of the long way, without its big numbers. Returns
 * the length of the text in t (room for 32 bytes), or -1 when it does not apply. */
static int put_double_fast(char *t, double v, int flags, int prec, char lower) {
  uint64_t q;
  int whole, k, i;
  if (lower == 'f' && scaled_whole(v, prec, &q, &whole)) {
    k = (int)(gm_fmt_digits(t, q / gm_pow10_u64[prec]) - t);
    if (prec > 0 || flags & F_ALT)
      t[k++] = '.';
    for (i = prec - 1, q %= gm_pow10_u64[prec]; i >= 0; i--, q /= 10)
      t[k + i] = (char)('0' + q % 10);
    return k + prec;
  }
  if (lower == 'g' && !(flags & F_ALT) && scaled_whole(v, 0, &q, &whole) && whole &&
      q < gm_pow10_u64[prec == 0   ? 1
                       : prec < 19 ? prec
                                   : 19]) {
    return (int)(gm_fmt_digits(t, q) - t);
  }
  return -1;
}

/* %f %e %g (and capitals) of v. */
static void put_double(sink *s, double v, int flags, int width, int prec, char conv) {
  char d[MAX_DIGITS + 2], t[MAX_DIGITS + 40];
  char lower = (char)(conv | 0x20), prefix[2] = {0, 0};
  int upper = conv != lower, len, point, k, i;
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  if (bits >> 63)
    prefix[0] = '-';
  else if (flags & F_PLUS)
    prefix[0] = '+';
  else if (flags & F_SPACE)
    prefix[0] = ' ';
  if (v != v || v - v != 0) { /* NaN or infinite */
    const char *w = v != v ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
    field(s, flags & ~F_ZERO, width, prefix, 0, w, 3);
    return;
  }
  if (prec < 0)
    prec = 6;
  if ((k = put_double_fast(t, v, flags, prec, lower)) >= 0) {
    field(s, flags, width, prefix, 0, t, k);
    return;
  }
  len = exact(v, d, &point);
  if (lower == 'f') {
    len = round_to(d, len, point + prec, &point);
    k = put_fixed(t, d, len, point, prec, flags & F_ALT);
  } else if (lower == 'e') {
    len = round_to(d, len, prec + 1, &point);
    k = put_exp(t, d, len, point, prec, flags & F_ALT, upper ? 'E' : 'e');
  } else {
    int p = prec == 0 ? 1 : prec, x;
    len = round_to(d, len, p, &point);
    x = len ? point - 1 : 0;
    if (p > x && x >= -4)
      k = put_fixed(t, d, len, point, p - 1 - x, flags & F_ALT);
    else
      k = put_exp(t, d, len, point, p - 1, flags & F_ALT, upper ? 'E' : 'e');
    if (!(flags & F_ALT)) { /* %g drops trailing zeros and a bare point */
      int dot = -1, end = k;
      for (i = 0; i < k && t[i] != 'e' && t[i] != 'E'; i++)
        if (t[i] == '.')
          dot = i;
      if (dot >= 0) {
        int cut = i;
        while (cut > dot + 1 && t[cut - 1] == '0')
          cut--;
        if (cut == dot + 1)
          cut = dot;
        memmove(t + cut, t + i, (size_t)(end - i));
        k = cut + (end - i);
      }
    }
  }
  field(s, flags, width, prefix, 0, t, k);
}

/* %d %i %u %o %x %X %p of an integer; `negative` for a signed one below 0. */
static void put_int(sink *s, uint64_t v, int negative, int flags, int width, int prec, char conv) {
  char t[24], prefix[3] = {0, 0, 0};
  int k = 24, base = conv == 'o' ? 8 : conv == 'x' || conv == 'X' || conv == 'p' ? 16 : 10;
  const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  int len, zeros;
  if (negative)
    prefix[0] = '-';
  else if (base == 10 && conv != 'u' && flags & F_PLUS)
    prefix[0] = '+';
  else if (base == 10 && conv != 'u' && flags & F_SPACE)
    prefix[0] = ' ';
  if (conv == 'p' || (base == 16 && flags & F_ALT && v)) {
    prefix[0] = '0';
    prefix[1] = conv == 'X' ? 'X' : 'x';
  }
  while (v) {
    t[--k] = digits[v % (unsigned)base];
    v /= (unsigned)base;
  }
  len = 24 - k;
  if (base == 8 && flags & F_ALT && (len == 0 || prec <= len))
    prec = len + 1; /* %#o starts with a 0 */
  if (prec < 0)
    prec = 1;
  else
    flags &= ~F_ZERO; /* a precision disables the 0 flag */
  zeros = prec > len ? prec - len : 0;
  field(s, flags, width, prefix, zeros, t + k, len);
}

int gm_vsnprintf(char *out, size_t n, const char *fmt, va_list ap) {
  sink s = {out, n, 0};
  const char *p = fmt;
  while (*p) {
    int flags = 0, width = 0, prec = -1, size = 0; /* size: -2 hh, -1 h, 1 l, 2 ll/j/z/t */
    char conv;
    const char *start = p, *pct;
    p = strchr(p, '%');
    if (!p)
      p = start + strlen(start);
    emit(&s, start, (size_t)(p - start));
    if (!*p)
      break;
    pct = p++;
    if (*p == 's') { /* a plain %s, the most common: no flags, width or precision */
      const char *str = va_arg(ap, const char *);
      if (!str)
        str = "(null)";
      emit(&s, str, strlen(str));
      p++;
      continue;
    }
    for (;; p++) {
      int f = *p == '-'   ? F_MINUS
              : *p == '+' ? F_PLUS
              : *p == ' ' ? F_SPACE
              : *p == '#' ? F_ALT
              : *p == '0' ? F_ZERO
                          : 0;
      if (!f)
        break;
      flags |= f;
    }
    if (*p == '*') {
      width = va_arg(ap, int);
      if (width < 0) {
        flags |= F_MINUS;
        width = -width;
      }
      p++;
    } else {
      for (; *p >= '0' && *p <= '9'; p++)
        width = width * 10 + (*p - '0');
    }
    if (*p == '.') {
      p++;
      prec = 0;
      if (*p == '*') {
        prec = va_arg(ap, int);
        p++;
      } else {
        for (; *p >= '0' && *p <= '9'; p++)
          prec = prec * 10 + (*p - '0');
      }
    }
    for (;; p++) {
      if (*p == 'h')
        size = size == -1 ? -2 : -1;
      else if (*p == 'l')
        size = size == 1 ? 2 : 1;
      else if (*p == 'j')
        size = 2;
      else if (*p == 'z' || *p == 't') /* as wide as long, or as long long */
        size = sizeof(size_t) == sizeof(long) ? 1 : 2;
      else
        break;
    }
    conv = *p ? *p++ : '\0';
    switch (conv) {
    case 'd':
    case 'i': {
      int64_t v = size == 2   ? (int64_t)va_arg(ap, long long)
                  : size == 1 ? (int64_t)va_arg(ap, long)
                              : (int64_t)va_arg(ap, int);
      if (size == -1)
        v = (short)v;
      else if (size == -2)
        v = (signed char)v;
      put_int(&s, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, flags, width, prec, conv);
      break;
    }
    case 'u':
    case 'o':
    case 'x':
    case 'X': {
      uint64_t v = size == 2   ? (uint64_t)va_arg(ap, unsigned long long)
                   : size == 1 ? (uint64_t)va_arg(ap, unsigned long)
                               : (uint64_t)va_arg(ap, unsigned);
      if (size == -1)
        v = (unsigned short)v;
      else if (size == -2)
        v = (unsigned char)v;
      put_int(&s, v, 0, flags, width, prec, conv);
      break;
    }
    case 'p':
      put_int(&s, (uint64_t)(uintptr_t)va_arg(ap, void *), 0, flags, width, prec, 'p');
      break;
    case 'c': {
      char c = (char)va_arg(ap, int);
      field(&s, flags & ~F_ZERO, width, "", 0, &c, 1);
      break;
    }
    case 's': {
      const char *str = va_arg(ap, const char *);
      size_t len = 0;
      if (!str)
        str = "(null)";
      if (prec < 0) {
        len = strlen(str);
      } else {
        const char *end = memchr(str, '\0', (size_t)prec);
        len = end ? (size_t)(end - str) : (size_t)prec;
      }
      field(&s, flags & ~F_ZERO, width, "", 0, str, (int)len);
      break;
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      put_double(&s, va_arg(ap, double), flags, width, prec, conv);
      break;
    case '%':
      emit(&s, "%", 1);
      break;
    default: /* not a conversion this writer knows: copied as it stands */
      emit(&s, pct, (size_t)(p - pct));
      break;
    }
  }
  if (n > 0)
    out[s.len < n ? s.len : n - 1] = '\0';
  return s.len > 0x7fffffff ? -1 : (int)s.len;
}

int gm_snprintf(char *out, size_t n, const char *fmt, ...) {
  va_list ap;
  int k;
  va_start(ap, fmt);
  k = gm_vsnprintf(out, n, fmt, ap);
  va_end(ap);
  return k;
}

/* ---- Counts --------------------------------------------------------------- */

size_t gm_fmt_count(char *buf, size_t n, double v) {
  char digits[MAX_DIGITS + 2];
  int len, i, j = 0, lead;
  if (v < 0 || v == 0) /* and -0 */
    v = 0;
  if (v < 9007199254740992.0 && v == (double)(uint64_t)v) { /* a whole number: most counts */
    uint64_t u = (uint64_t)v;
    char t[32], *q = t + sizeof t;
    while (u >= 1000) { /* a group of three and its comma a step, from the last */
      unsigned g = (unsigned)(u % 1000);
      u /= 1000;
      q -= 4;
      q[0] = ',';
      q[1] = (char)('0' + g / 100);
      q[2] = (char)('0' + g / 10 % 10);
      q[3] = (char)('0' + g % 10);
    }
    do {
      *--q = (char)('0' + u % 10);
      u /= 10;
    } while (u);
    len = (int)(t + sizeof t - q);
    if ((size_t)len + 2 <= n) { /* room for all of it: the loop below would not cut */
      memcpy(buf, q, (size_t)len);
      buf[len] = '\0';
      return (size_t)len;
    }
    u = (uint64_t)v;
    len = 0;
    do {
      t[len++] = (char)('0' + u % 10);
      u /= 10;
    } while (u);
    for (i = 0; i < len; i++)
      digits[i] = t[len - 1 - i];
  } else if (v - v != 0) { /* NaN or infinite */
    memcpy(digits, v != v ? "nan" : "inf", 3);
    len = 3;
  } else { /* %.0f: rounded to the nearest whole number, ties to even */
    char d[MAX_DIGITS + 2];
    int point;
    len = exact(v, d, &point);
    len = round_to(d, len, point, &point);
    len = put_fixed(digits, d, len, point, 0, 0);
  }
  lead = len % 3 == 0 ? 3 : len % 3;
  if (n == 0)
    return 0;
  for (i = 0; i < len && (size_t)j + 2 < n; i++) {
    if (i > 0 && (i - lead) % 3 == 0)
      buf[j++] = ',';
    buf[j++] = digits[i];
  }
  buf[j] = '\0';
  return (size_t)j;
}

/* ---- Appended text -------------------------------------------------------- */

void gm_text_start(gm_text *t, char *buf, size_t n) {
  t->at = buf;
  t->end = buf + n - 1;
  *t->at = '\0';
}

void gm_text_put(gm_text *t, const char *s, size_t len) {
  size_t room = (size_t)(t->end - t->at);
  if (len > room)
    len = room;
  memcpy(t->at, s, len);
  t->at += len;
  *t->at = '\0';
}

void gm_text_str(gm_text *t, const char *s) { gm_text_put(t, s, strlen(s)); }

/* A conversion of one double: the fast path's bytes, or gm_snprintf's. */
static void text_double(gm_text *t, double v, int prec, char conv, const char *fmt) {
  char tmp[32];
  uint64_t bits;
  int k = -1;
  memcpy(&bits, &v, sizeof bits);
  if (!(bits >> 63) && v - v == 0) /* not negative, finite: no sign to write */
    k = put_double_fast(tmp, v, 0, prec, conv);
  if (k >= 0)
    gm_text_put(t, tmp, (size_t)k);
  else if (t->at < t->end) {
    int n = gm_snprintf(t->at, (size_t)(t->end - t->at) + 1, fmt, prec, v);
    size_t room = (size_t)(t->end - t->at);
    t->at += n < 0 ? 0 : (size_t)n < room ? (size_t)n : room;
  }
}

void gm_text_g(gm_text *t, double v) {
  if (v >= 1 && v < 1e6 && v == (double)(uint32_t)v) /* most formula numbers: 2, 4, 8 */
    gm_text_int(t, (long long)v);
  else
    text_double(t, v, 6, 'g', "%.*g");
}

void gm_text_fixed(gm_text *t, double v, int decimals) { text_double(t, v, decimals, 'f', "%.*f"); }

void gm_text_int(gm_text *t, long long v) {
  char tmp[32]; /* '-', 20 digits and gm_fmt_digits' 8 bytes of room */
  unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
  tmp[0] = '-';
  gm_text_put(t, tmp, (size_t)(gm_fmt_digits(tmp + (v < 0), u) - tmp));
}

void gm_text_count(gm_text *t, double v) {
  char tmp[32];
  if (t->end - t->at >= (ptrdiff_t)sizeof tmp - 1) /* room for all of it: written in place */
    t->at += gm_fmt_count(t->at, sizeof tmp, v);
  else
    gm_text_put(t, tmp, gm_fmt_count(tmp, sizeof tmp, v));
}
