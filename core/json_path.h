/* json_path.h - a member of nested JSON by its dotted path ("host_memory.per_gpu_gb",
 * "stages.0.bytes"; a number indexes an array), for the boundary and the programs
 * around it. */
#ifndef GM_JSON_PATH_H
#define GM_JSON_PATH_H

#include <cJSON.h>

/* The value at path under v, or NULL when a step is missing or longer than a key may be. */
const cJSON *gm_json_path(const cJSON *v, const char *path);

#endif
