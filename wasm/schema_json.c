/* schema_json.c - the module's export schema_json(): gm_schema_json() under
 * the name of the module's other JSON entry points (calc_json, plan_json). */
#include "gpumem.h"

char *schema_json(void);

char *schema_json(void) { return gm_schema_json(); }
