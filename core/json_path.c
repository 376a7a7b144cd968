/* json_path.c - see json_path.h. */
#include "json_path.h"

#include <string.h>

/* Array element by a decimal index ("0", "12"); NULL when key is not one. */
static const cJSON *element(const cJSON *array, const char *key) {
  int i = 0;
  if (!*key)
    return NULL;
  for (; *key; key++) {
    if (*key < '0' || *key > '9' || i > 100000000)
      return NULL;
    i = i * 10 + (*key - '0');
  }
  return cJSON_GetArrayItem(array, i);
}

const cJSON *gm_json_path(const cJSON *v, const char *path) {
  char key[128];
  while (v && *path) {
    size_t n = strcspn(path, ".");
    if (n >= sizeof key)
      return NULL;
    memcpy(key, path, n);
    key[n] = '\0';
    v = cJSON_IsArray(v) ? element(v, key) : cJSON_GetObjectItemCaseSensitive(v, key);
    path += n;
    if (*path == '.')
      path++;
  }
  return v;
}
