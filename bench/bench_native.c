/* Times calc_json() natively: calcs per CPU second on one config (CPU time,
 * so other load on the machine matters less).
 * Usage: bench_native CONFIG.json [RUNS] [SECONDS_PER_RUN]
 * Prints each run, then "median <calcs/s>" for bench/bench.mjs. */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpumem.h"

static double seconds_of(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Calls calc_json for `seconds` of CPU time (at most 3x that of wall time,
 * on a busy machine); returns calls per CPU second, or -1. */
static double run(const char *config, double seconds) {
  long calls = 0, batch = 64;
  double cpu0 = seconds_of(CLOCK_PROCESS_CPUTIME_ID), wall0 = seconds_of(CLOCK_MONOTONIC), cpu;
  do {
    for (long i = 0; i < batch; i++) {
      char *out = calc_json(config);
      if (!out)
        return -1;
      calc_free(out);
    }
    calls += batch;
    cpu = seconds_of(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  } while (cpu < seconds && seconds_of(CLOCK_MONOTONIC) - wall0 < 3 * seconds);
  return (double)calls / cpu;
}

int main(int argc, char **argv) {
  static char config[1 << 16];
  double rates[64];
  int runs = argc > 2 ? atoi(argv[2]) : 5;
  double seconds = argc > 3 ? atof(argv[3]) : 1.0;
  FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
  size_t n;
  char *probe;
  if (!f) {
    fprintf(stderr, "usage: bench_native CONFIG.json [RUNS] [SECONDS]\n");
    return 2;
  }
  n = fread(config, 1, sizeof config - 1, f);
  fclose(f);
  config[n] = '\0';
  if (runs < 1 || runs > 64)
    runs = 5;
  probe = calc_json(config);
  if (!probe || strstr(probe, "\"error\"") == probe + 1) {
    fprintf(stderr, "bench_native: the config fails: %s\n", probe ? probe : "out of memory");
    return 1;
  }
  calc_free(probe);
  run(config, seconds / 4); /* warm-up */
  for (int i = 0; i < runs; i++) {
    rates[i] = run(config, seconds);
    if (rates[i] < 0)
      return 1;
    printf("run %d %.0f\n", i + 1, rates[i]);
  }
  qsort(rates, (size_t)runs, sizeof rates[0], by_value);
  printf("median %.0f\n", rates[runs / 2]);
  return 0;
}
