/* fmt_test.c - core/fmt.c against the C library's printf: the same bytes
 * for every conversion the core writes, on hard doubles (ties, carries,
 * subnormals, the largest) and on random ones. Prints "N passed, M failed". */
#include "fmt.h"
#include "internal.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static long passed, failed;

static uint64_t state = 0x9E3779B97F4A7C15u;
static uint64_t next(void) { /* xorshift64* */
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1Du;
}

static void same(const char *what, const char *mine, const char *libc) {
  if (strcmp(mine, libc) == 0) {
    passed++;
  } else if (failed++ < 20) {
    printf("FAIL %s: fmt.c \"%s\", libc \"%s\"\n", what, mine, libc);
  }
}

/* Not %#g: glibc writes 999999.5 as "1.e+06", C (and musl) "1.00000e+06". */
static const char *const double_formats[] = {
    "%g",     "%.15g",   "%.17g",   "%.3g",   "%.4g",   "%.1g",   "%.0g",    "%.2g",
    "%G",     "%.0f",    "%.1f",    "%.2f",   "%.6f",   "%f",     "%+.0f",   "% .3f",
    "%.20f",  "%#.0f",   "%e",      "%.0e",   "%.10e",  "%E",     "%#.0e",   "%12.3f|",
    "%-12g|", "%012.4f", "%+010g|", "%1.15g", "%1.17g", "%.40f|", "%-+9.2e|"};

/* The appenders against snprintf of the same text, whole and cut short at
 * every buffer size: a count as gm_fmt_count writes it into 32 bytes. */
static void check_text(double v) {
  char mine[400], libc[400], count[32], what[64];
  size_t n;
  gm_fmt_count(count, sizeof count, v);
  for (n = 1; n <= sizeof mine; n += 1 + n / 4) {
    gm_text t;
    gm_text_start(&t, mine, n);
    gm_text_lit(&t, "x=");
    gm_text_g(&t, v);
    gm_text_str(&t, " ");
    gm_text_fixed(&t, v, 2);
    gm_text_lit(&t, " ");
    gm_text_fixed(&t, v, 0);
    gm_text_lit(&t, " ");
    gm_text_count(&t, v);
    gm_text_lit(&t, " ");
    gm_text_int(&t, (long long)(v >= -1e18 && v <= 1e18 ? v : 0));
    snprintf(libc, n, "x=%g %.2f %.0f %s %lld", v, v, v, count,
             (long long)(v >= -1e18 && v <= 1e18 ? v : 0));
    snprintf(what, sizeof what, "text of %a in %zu bytes", v, n);
    same(what, mine, libc);
  }
}

static void check_double(double v) {
  char mine[2048], libc[2048], what[64];
  size_t i;
  for (i = 0; i < sizeof double_formats / sizeof double_formats[0]; i++) {
    int a = gm_snprintf(mine, sizeof mine, double_formats[i], v);
    int b = snprintf(libc, sizeof libc, double_formats[i], v);
    snprintf(what, sizeof what, "%s of %a", double_formats[i], v);
    same(what, mine, libc);
    if (a != b && failed++ < 20)
      printf("FAIL %s: returns %d, libc %d\n", what, a, b);
  }
  check_text(v);
  /* Counts: "%.0f" grouped by thousands, as every count is written. */
  if (v >= 0 && v < 1e30) {
    char digits[64], grouped[96];
    int len, j = 0, k, lead;
    snprintf(digits, sizeof digits, "%.0f", v == 0 ? 0.0 : v); /* -0 is a count of 0 */
    len = (int)strlen(digits);
    lead = len % 3 == 0 ? 3 : len % 3;
    for (k = 0; k < len; k++) {
      if (k > 0 && (k - lead) % 3 == 0)
        grouped[j++] = ',';
      grouped[j++] = digits[k];
    }
    grouped[j] = '\0';
    gm_fmt_count(mine, sizeof mine, v);
    snprintf(what, sizeof what, "count of %a", v);
    same(what, mine, grouped);
  }
}

static void test_doubles(void) {
  static const double hard[] = {
      0.0,    -0.0,        0.5,      1.5,     2.5,     -2.5,         0.125,     0.375,
      1e-5,   9.9999995,   999999.5, 9999995, 0.00001, 123456789012, 1e15,      1e16,
      1e17,   1e21,        1e22,     1e23,    0.1,     0.2,          0.3,       2.675,
      1.005,  4.127 / 8.0, 80.0,     1e300,   1e-300,  DBL_MAX,      DBL_MIN,   5e-324,
      1e-310, -1.0,        99.995,   0.95,    0.05,    9.5,          1e100,     123.456,
      0.0625, -0.0625,     1e-4,     9.99e-5, 999.9,   0.99999999,   1048576.0, 9007199254740993.0};
  size_t i;
  int k;
  for (i = 0; i < sizeof hard / sizeof hard[0]; i++)
    check_double(hard[i]);
  check_double(INFINITY);
  check_double(-INFINITY);
  check_double(NAN);
  for (k = 0; k < 4000; k++) { /* any bit pattern */
    uint64_t bits = next();
    double v;
    memcpy(&v, &bits, sizeof v);
    check_double(v);
  }
  for (k = 0; k < 4000; k++) { /* decimals and exact ties: n / 10^j, n / 2^j */
    uint64_t r = next();
    double n = (double)(r >> 40),
           v = k % 2 ? n / pow(10, (double)(r % 12)) : ldexp(n, -(int)(r % 30));
    check_double(v);
    check_double(-v * 3);
  }
  for (k = 0; k < 4000; k++) { /* 53-bit mantissas at scales around the 64-bit paths' edges */
    uint64_t r = next();
    double v = ldexp((double)(r >> 11), -(int)(r % 80));
    check_double(v);
    check_double(ldexp(1.0, 52) + (double)(r % 4096) - 2048.0);
  }
}

static void test_others(void) {
  char mine[256], libc[256];
  static const long long ints[] = {0,
                                   1,
                                   -1,
                                   7,
                                   42,
                                   -42,
                                   999,
                                   1000,
                                   65535,
                                   2147483647,
                                   -2147483647 - 1,
                                   9007199254740993LL,
                                   -9223372036854775807LL - 1};
  size_t i;
#define BOTH(...)                                                                                  \
  do {                                                                                             \
    gm_snprintf(mine, sizeof mine, __VA_ARGS__);                                                   \
    snprintf(libc, sizeof libc, __VA_ARGS__);                                                      \
    same(#__VA_ARGS__, mine, libc);                                                                \
  } while (0)
  for (i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    long long v = ints[i];
    int n = (int)v;
    BOTH("%d|%5d|%-5d|%05d|%+d|% d|%.3d|%i", n, n, n, n, n, n, n, n);
    BOTH("%x|%#x|%X|%o|%#o|%u|%08x|%#.0o", (unsigned)n, (unsigned)n, (unsigned)n, (unsigned)n,
         (unsigned)n, (unsigned)n, (unsigned)n, (unsigned)n);
    BOTH("%lld|%llu|%ld|%lu|%zu|%hd|%hhd|%hu", v, (unsigned long long)v, (long)v, (unsigned long)v,
         (size_t)v, (short)n, (signed char)n, (unsigned short)n);
    BOTH("[%*d] [%-*d] [%.*d]", 6, n, 6, n, 4, n);
  }
  BOTH("%s|%.3s|%10s|%-10s|%c|%%|%5c|%.0s|", "abcdef", "abcdef", "abc", "abc", 'x', 'y', "z");
  BOTH("%.*s and %.40s", 3, "truncated", "short");
  BOTH("100%% of %s", "it");
  BOTH("plain text");
  BOTH("%s", "");
  /* Cut to the buffer, and the length it would have had. */
  {
    volatile size_t five = 5; /* not a constant: the compiler would warn of the cut */
    int a = gm_snprintf(mine, five, "%s-%d", "abcdef", 12),
        b = snprintf(libc, five, "%s-%d", "abcdef", 12);
    same("cut", mine, libc);
    if (a != b && failed++ < 20)
      printf("FAIL cut returns %d, libc %d\n", a, b);
  }
#undef BOTH
}

int main(void) {
  test_doubles();
  test_others();
  printf("fmt_test: %ld passed, %ld failed\n", passed, failed);
  return failed != 0;
}
