/* options.h - a command's options read from a table. */
#ifndef GM_CLI_OPTIONS_H
#define GM_CLI_OPTIONS_H

/* One option; a table ends with a NULL name. Written with designated
 * initializers: {.name = "--format", .alias = "-f", .value = &format}. */
typedef struct {
  const char *name;   /* "--format" */
  const char *alias;  /* "-f", or NULL */
  const char **value; /* where its value goes (the last given wins) */
  int *count;         /* a repeated option: value is an array of max, *count used */
  int max;
  int *flag; /* an option without a value: set to 1 */
} cli_option;

/* If argv[*i] is an option of opts ("--name VALUE", "--name=VALUE", or the
 * alias followed by VALUE), store its value, move *i past it and return 1;
 * 0 when argv[*i] is none of them; -1 after a usage message (a missing
 * value, or a repeated option given more than max times). */
int cli_option_take(const cli_option *opts, int argc, char **argv, int *i);

/* The value of option name at argv[*i] ("name VALUE" or "name=VALUE"), *i
 * moved past it; NULL when the value is missing. *matched: whether argv[*i]
 * is that option at all. */
const char *cli_option_value(int argc, char **argv, int *i, const char *name, int *matched);

#endif
