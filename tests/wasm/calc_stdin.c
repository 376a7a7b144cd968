/* Prints calc_json() of stdin: the native side of the WASM parity test.
 * With -0, stdin holds NUL-terminated configs and each result is printed
 * followed by a NUL, so one process answers a whole suite.
 * With -p, prints gm_presets_json(); with -s, gm_schema_json(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpumem.h"
#include "read_file.h"

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
  if (argc > 1 && strcmp(argv[1], "-s") == 0) {
    char *schema = gm_schema_json();
    if (!schema)
      return 1;
    fputs(schema, stdout);
    calc_free(schema);
    return fflush(stdout) != 0;
  }
  in = gm_read_file("-", &len);
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
