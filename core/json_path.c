/* json_path.c - see json_path.h. */
#include "json_path.h"

#include <string.h>

const cJSON *gm_json_path(const cJSON *v, const char *path) {
  char key[64];
  while (v && *path) {
    size_t n = strcspn(path, ".");
    if (n >= sizeof key)
      return NULL;
    memcpy(key, path, n);
    key[n] = '\0';
    v = cJSON_GetObjectItemCaseSensitive(v, key);
    path += n;
    if (*path == '.')
      path++;
  }
  return v;
}
