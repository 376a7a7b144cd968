/* text.h - what the CLI takes from its arguments and prints to a terminal. */
#ifndef GM_TEXT_H
#define GM_TEXT_H

#include <cJSON.h>

/* Rewrite every string and key of tree so that printing it cannot drive a
 * terminal: C0 and C1 control characters and DEL become \xNN (\u0085 and
 * the like for C1). Returns 0, or -1 when memory runs out. */
int gm_escape_tree(cJSON *tree);

/* Whether s is exactly one JSON number: no sign but '-', no nan, inf, hex,
 * spaces or trailing text, as the config parser reads numbers. */
int gm_is_json_number(const char *s);

#endif
