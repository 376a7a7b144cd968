/* schema_json.c - the module's exports schema_json(): gm_schema_json() under
 * the name of the module's other JSON entry points (calc_json, plan_json),
 * and presets_json(): gm_presets_json()'s text written from the preset tables,
 * which the module holds in place of the stored text (both freed with
 * calc_free). */
#include "gpumem.h"
#include "presets_table.h"

char *schema_json(void);
char *presets_json(void);

char *schema_json(void) { return gm_schema_json(); }

char *presets_json(void) { return gm_presets_text(); }
