/* inputs.h - the sources of a run's config, as given on the command line. */
#ifndef GM_CLI_INPUTS_H
#define GM_CLI_INPUTS_H

#include "cli.h"
#include "options.h"

#define CLI_MAX_INPUTS 64

typedef enum {
  CLI_IN_CONFIG,    /* --config FILE: any kind import_json detects */
  CLI_IN_MODEL,     /* --model FILE | PRESET | HUB-ID */
  CLI_IN_DEEPSPEED, /* --deepspeed FILE */
  CLI_IN_MEGATRON,  /* --megatron-args "ARGS" */
  CLI_IN_SET,       /* --set KEY=VALUE */
  CLI_IN_MARGIN     /* --margin M: --set hardware.safety_margin=M */
} cli_input_kind;

typedef struct {
  cli_input_kind kind;
  const char *arg;
} cli_input;

typedef struct {
  int n;
  cli_input items[CLI_MAX_INPUTS];
} cli_inputs;

/* If argv[*i] is one of the options above, record it (moving *i past its
 * value) and return 1; 0 when it is not one; -1 after a usage message. */
int cli_inputs_take(cli_inputs *in, int argc, char **argv, int *i);
/* Read argv[2..] of command cmd: the config sources above (into in), the
 * options of opts (may be NULL) and config files named without --config.
 * 0, or -1 after a usage message. */
int cli_inputs_read_args(cli_inputs *in, const cli_option *opts, const char *cmd, int argc,
                         char **argv);
/* A config file given without --config. 1, or -1 when there are too many. */
int cli_inputs_add_file(cli_inputs *in, const char *path);
/* Whether any source other than --set was given. */
int cli_inputs_has_source(const cli_inputs *in);

enum { CLI_INPUTS_QUIET = 1, CLI_INPUTS_VERBOSE = 2, CLI_INPUTS_RAW_ON_ERROR = 4 };
/* Read, import and merge every source in order, then apply the --set
 * overrides. What each imported file was detected as, and what could not be
 * mapped, goes to stderr unless QUIET. The config, or NULL with *rc the exit
 * status after the message. When raw is not NULL and the only source is a
 * --config file of no kind import_json knows (malformed JSON, say), returns
 * NULL with *rc 0 and the file's text in *raw, for calc_json to report on. */
cJSON *cli_inputs_load(const cli_inputs *in, int flags, int *rc, char **raw);

#endif
