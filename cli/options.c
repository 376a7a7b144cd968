/* options.c - a command's options read from a table: every command accepts
 * "--name VALUE" and "--name=VALUE" alike, and says the same when a value is
 * missing. */
#include "options.h"

#include <stdio.h>
#include <string.h>

static int usage(const char *what, const char *name) {
  fprintf(stderr, "gpu-mem-calc: %s %s\nrun 'gpu-mem-calc COMMAND --help' for usage\n", name, what);
  return -1;
}

const char *cli_option_value(int argc, char **argv, int *i, const char *name, int *matched) {
  size_t n = strlen(name);
  *matched = 0;
  if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=') {
    *matched = 1;
    return argv[*i] + n + 1;
  }
  if (strcmp(argv[*i], name) == 0) {
    *matched = 1;
    return *i + 1 < argc ? argv[++*i] : NULL;
  }
  return NULL;
}

int cli_option_take(const cli_option *opts, int argc, char **argv, int *i) {
  const cli_option *o;
  int matched;
  for (o = opts; o->name; o++) {
    const char *v;
    if (!o->value) {
      if (strcmp(argv[*i], o->name) != 0 && !(o->alias && strcmp(argv[*i], o->alias) == 0))
        continue;
      if (o->flag)
        *o->flag = 1;
      return 1;
    }
    v = cli_option_value(argc, argv, i, o->name, &matched);
    if (!matched && o->alias)
      v = cli_option_value(argc, argv, i, o->alias, &matched);
    if (!matched)
      continue;
    if (!v)
      return usage("needs a value", o->name);
    if (!o->count) {
      *o->value = v;
    } else if (*o->count < o->max) {
      o->value[(*o->count)++] = v;
    } else {
      fprintf(stderr, "gpu-mem-calc: at most %d %s\nrun 'gpu-mem-calc COMMAND --help' for usage\n",
              o->max, o->name);
      return -1;
    }
    return 1;
  }
  return 0;
}
