/* cli.h - what the files of the command line share. */
#ifndef GM_CLI_H
#define GM_CLI_H

#include "gpumem.h"

#include <cJSON.h>
#include <stddef.h>

/* Exit statuses: 2 for an invalid config or usage, 1 for I/O. */
enum { CLI_EXIT_INVALID = 2, CLI_EXIT_IO = 1 };

/* set.c: apply "section.key=value" to config (an object). The value is JSON
 * when it reads as JSON (8192, true, "x", {...}), else a string (7B, H100).
 * 0, or -1 with a message in msg. */
int cli_set(cJSON *config, const char *assignment, char *msg, size_t n);
/* set.c: --margin's value as the share hardware.safety_margin takes: "15%"
 * becomes "0.15"; anything else is copied, for the core to check. -1, with
 * a message in out, for a number above 1 up to 100 (a percentage without %). */
int cli_margin_share(const char *arg, char *out, size_t n);

/* rows.c: tables of results for scripts. A row is one calc_json result; its
 * leading columns may name the values a sweep set. */
typedef enum { CLI_ROWS_TABLE, CLI_ROWS_CSV, CLI_ROWS_MARKDOWN } cli_rows_format;
/* The header; keys are the leading columns (may be NULL, nkeys 0). */
void cli_rows_header(cli_rows_format f, const char *const *keys, int nkeys);
/* One row: values of the leading columns, and the result (or its error). */
void cli_rows_row(cli_rows_format f, const char *const *values, int nkeys, const cJSON *result);
/* "csv" or "markdown" (or "table" when allow_table): 0 and *out set, else -1. */
int cli_rows_format_of(const char *name, int allow_table, cli_rows_format *out);

/* help.c: the help of one command to stdout; 0, or -1 when there is none. */
int cli_help(const char *command);
/* Whether argv (from index 2) asks for help: -h or --help. */
int cli_wants_help(int argc, char **argv);

/* table.c: the calculate command's table of one result (gm_calculate_json). */
void cli_print_table(const gm_result *r);

/* sweep.c */
int cli_sweep(int argc, char **argv);

#endif
