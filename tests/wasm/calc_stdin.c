/* Prints calc_json() of stdin: the native side of the WASM parity test.
 * With -0, stdin holds NUL-terminated configs and each result is printed
 * followed by a NUL, so one process answers a whole suite.
 * With -p, prints gm_presets_json(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpumem.h"

/* Reads all of f into a NUL-terminated buffer; NULL when memory runs out. */
static char *read_all(FILE *f, size_t *len) {
  size_t cap = 1 << 16, n = 0, got;
  char *buf = malloc(cap), *grown;
  if (!buf)
    return NULL;
  while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n - 1 == 0) {
      if (!(grown = realloc(buf, cap * 2))) {
        free(buf);
        return NULL;
      }
      buf = grown;
      cap *= 2;
    }
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Prints the result of one config, then the terminator. */
static int answer(const char *config, int terminator) {
  char *out = calc_json(config);
  if (!out) {
    fputs("calc_stdin: out of memory\n", stderr);
    return 1;
  }
  fputs(out, stdout);
  putchar(terminator);
  calc_free(out);
  return 0;
}

int main(int argc, char **argv) {
  int batch = argc > 1 && strcmp(argv[1], "-0") == 0;
  size_t len = 0, at = 0;
  char *in;
  int rc = 0;
  if (argc > 1 && strcmp(argv[1], "-p") == 0) {
    puts(gm_presets_json());
    return fflush(stdout) != 0;
  }
  in = read_all(stdin, &len);
  if (!in) {
    fputs("calc_stdin: out of memory\n", stderr);
    return 1;
  }
  if (!batch) {
    rc = answer(in, '\n');
  } else {
    while (at < len && rc == 0) {
      rc = answer(in + at, '\0');
      at += strlen(in + at) + 1;
    }
  }
  free(in);
  return rc || fflush(stdout) != 0;
}
