/* import_report.c - what an import builds: our config, set key by key, and
 * the report of what was mapped, ignored or could not be read. */
#include "import.h"
#include "json_path.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void add(gm_import *im, cJSON *list, cJSON *item) {
  if (!item || !cJSON_AddItemToArray(list, item)) {
    cJSON_Delete(item);
    im->failed = 1;
  }
}

static cJSON *pair(const char *k1, const char *v1, const char *k2, const char *v2) {
  cJSON *o = cJSON_CreateObject();
  if (o && (!cJSON_AddStringToObject(o, k1, v1) || !cJSON_AddStringToObject(o, k2, v2))) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void gm_import_set(gm_import *im, const char *from, const char *to, cJSON *value,
                   const char *note) {
  cJSON *obj = im->config, *entry;
  char key[64];
  const char *p = to;
  if (!value) {
    im->failed = 1;
    return;
  }
  for (;;) {
    size_t n = strcspn(p, ".");
    cJSON *next;
    if (n >= sizeof key) {
      cJSON_Delete(value);
      im->failed = 1;
      return;
    }
    memcpy(key, p, n);
    key[n] = '\0';
    p += n;
    if (!*p)
      break;
    p++;
    next = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsObject(next)) {
      cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
      next = cJSON_AddObjectToObject(obj, key);
    }
    if (!next) {
      cJSON_Delete(value);
      im->failed = 1;
      return;
    }
    obj = next;
  }
  cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
  entry = pair("from", from, "to", to);
  if (entry && (!cJSON_AddItemToObject(entry, "value", cJSON_Duplicate(value, 1)) ||
                (note && !cJSON_AddStringToObject(entry, "note", note)))) {
    cJSON_Delete(entry);
    entry = NULL;
  }
  add(im, im->mapped, entry);
  if (!cJSON_AddItemToObject(obj, key, value)) {
    cJSON_Delete(value);
    im->failed = 1;
  }
}

const cJSON *gm_import_get(const gm_import *im, const char *path) {
  return gm_json_path(im->config, path);
}

void gm_import_ignore(gm_import *im, const char *field, const char *reason) {
  add(im, im->ignored, pair("field", field, "reason", reason));
}

void gm_import_warn(gm_import *im, const char *field, const char *fmt, ...) {
  char message[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  add(im, im->warnings, pair("field", field, "message", message));
}
