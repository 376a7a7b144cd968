/* text.h - what the CLI takes from its arguments and prints to a terminal. */
#ifndef GM_TEXT_H
#define GM_TEXT_H

#include <cJSON.h>
#include <stdio.h>

/* Rewrite every string and key of tree so that printing it cannot drive a
 * terminal: C0 and C1 control characters and DEL become \xNN (\u0085 and
 * the like for C1). Returns 0, or -1 when memory runs out. */
int gm_escape_tree(cJSON *tree);

/* Print at most max bytes of s to f as gm_escape_tree leaves a string of
 * calc_json's output: bytes that are not UTF-8 become U+FFFD (as the JSON
 * writer replaces them), control characters \xNN and \u00NN. */
void gm_put_text(FILE *f, const char *s, size_t max);

/* 6738415616 -> "6,738,415,616" */
void cli_thousands(double v, char *out, size_t n);
/* 6738415616 -> "6.74 B", 124439808 -> "124.4 M" */
void cli_short_count(double v, char *out, size_t n);

/* Whether s is exactly one JSON number: no sign but '-', no nan, inf, hex,
 * spaces or trailing text, as the config parser reads numbers. */
int gm_is_json_number(const char *s);

#endif
