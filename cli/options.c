/* options.c - a command's options read from a table: every command accepts
 * "--name VALUE" and "--name=VALUE" alike, and says the same when a value is
 * missing. */
#include "options.h"

#include <stdio.h>
#include <string.h>

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
  int k, matched;
  for (k = 0; opts[k].name; k++) {
    const cli_option *o = &opts[k];
    const char *v;
    if (!o->value) {
      if (strcmp(argv[*i], o->name) != 0 && !(o->alias && strcmp(argv[*i], o->alias) == 0))
        continue;
      if (o->flag)
        *o->flag = 1;
      return k + 1;
    }
    v = cli_option_value(argc, argv, i, o->name, &matched);
    if (!matched && o->alias)
      v = cli_option_value(argc, argv, i, o->alias, &matched);
    if (!matched)
      continue;
    if (!v) {
      fprintf(stderr,
              "gpu-mem-calc: %s needs a value\nrun 'gpu-mem-calc COMMAND --help' for usage\n",
              o->name);
      return -1;
    }
    *o->value = v;
    return k + 1;
  }
  return 0;
}
