/* result_json.h - internal: a gm_result or a gm_error as JSON text. */
#ifndef GM_RESULT_JSON_H
#define GM_RESULT_JSON_H

#include "gpumem.h"
#include "internal.h"

/* The result as indented JSON ending in a newline, malloc'd; NULL when out
 * of memory. Numbers are formatted here, not by printf's %g, so every
 * platform prints the same bytes. */
char *gm_result_json(const gm_result *r);
/* The same, the timelines drawn from each stage's memory as calculated
 * (gm_calculate_kept) instead of computed again. */
char *gm_result_json_kept(const gm_result *r, const gm_stage_mem *kept);

/* {"error":{"field":...,"message":...}} as indented JSON, malloc'd; NULL when out of memory. */
char *gm_error_json(const gm_error *e);

#endif
