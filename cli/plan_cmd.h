/* plan_cmd.h - the `plan` command, and the planner's choice for `quick`. */
#ifndef GM_PLAN_CMD_H
#define GM_PLAN_CMD_H

#include <stddef.h>

/* gpu-mem-calc plan --config FILE [--top N] [--gpus N|MIN-MAX] [--format table|json] */
int gm_cmd_plan(int argc, char **argv);

/* The fastest layout that fits for config_json (a config whose layout is
 * open): its config as a malloc'd JSON string, and its one-line summary in
 * summary; NULL when none fits or the config is invalid. */
char *gm_plan_choose(const char *config_json, char *summary, size_t n);

#endif
