/* config_fields.c - reading one section of a config by its table of keys,
 * and describing a JSON value in a message. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A short rendering of a JSON value for messages. */
static void quote(const char *s, char *out, size_t n) {
  size_t i = 0, k = 0;
  if (n < 8) {
    if (n > 0)
      out[0] = '\0';
    return;
  }
  out[k++] = '"';
  for (; s[i] && i < 40 && k + 5 < n; i++)
    out[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
  if (s[i] && k + 5 < n) {
    memcpy(out + k, "...", 3);
    k += 3;
  }
  out[k++] = '"';
  out[k] = '\0';
}

void gm_describe(const cJSON *v, char *out, size_t n) {
  if (cJSON_IsString(v))
    quote(v->valuestring, out, n);
  else if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
    snprintf(out, n, "%.15g", v->valuedouble);
  else if (cJSON_IsNumber(v))
    snprintf(out, n, "a number out of range");
  else if (cJSON_IsBool(v))
    snprintf(out, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
  else if (cJSON_IsNull(v))
    snprintf(out, n, "null");
  else if (cJSON_IsArray(v))
    snprintf(out, n, "an array");
  else if (cJSON_IsObject(v))
    snprintf(out, n, "an object");
  else
    snprintf(out, n, "an invalid value");
}

/* ---- Field tables -------------------------------------------------------- */

/* The index of key in fields, or -1. The first byte is compared before the
 * rest: most keys differ there. */
static int field_index(const gm_field *fields, const char *key) {
  int i;
  for (i = 0; fields && fields[i].key; i++)
    if (fields[i].key[0] == key[0] && strcmp(fields[i].key, key) == 0)
      return i;
  return -1;
}

int gm_known_key(const char *key, const gm_field *fields, const char *const *extra) {
  if (field_index(fields, key) >= 0)
    return 1;
  for (; extra && *extra; extra++)
    if ((*extra)[0] == key[0] && strcmp(key, *extra) == 0)
      return 1;
  return 0;
}

int gm_index_fields(const cJSON *obj, const gm_field *fields, const cJSON **seen) {
  const cJSON *item;
  int n = 0, i;
  while (fields[n].key)
    n++;
  if (n > GM_MAX_FIELDS)
    return -1;
  memset(seen, 0, (size_t)n * sizeof *seen);
  /* One pass over the members; the first of duplicate keys counts, as in
   * cJSON_GetObjectItem, and null is the same as leaving the key out. */
  cJSON_ArrayForEach(item, obj) {
    if (item->string && (i = field_index(fields, item->string)) >= 0 && !seen[i])
      seen[i] = item;
  }
  for (i = 0; i < n; i++)
    if (seen[i] && cJSON_IsNull(seen[i]))
      seen[i] = NULL;
  return n;
}

int gm_read_seen(gm_parse_ctx *c, const char *section, const gm_field *fields,
                 const cJSON *const *seen, void *base) {
  char path[64];
  int i;
  /* In table order, so that of two spellings of a field the later one wins. */
  for (i = 0; fields[i].key; i++) {
    const gm_field *f = &fields[i];
    const cJSON *v = seen[i];
    void *dst = (char *)base + f->offset;
    int rc = GM_OK, iv;
    int64_t lo = (int64_t)f->lo, hi = (int64_t)f->hi;
    if (!v)
      continue;
    gm_join_path(path, sizeof path, section, f->key);
    switch (f->kind) {
    case GM_F_INT32:
      rc = gm_read_int32(c, v, path, (int)lo, (int)hi, (int *)dst);
      break;
    case GM_F_INT64:
      rc = gm_read_int(c, v, path, lo, hi, (int64_t *)dst);
      break;
    case GM_F_SIZE:
      rc = gm_read_size(c, v, path, lo, hi, (int64_t *)dst);
      break;
    case GM_F_MEMORY:
      rc = gm_read_memory(c, v, path, f->lo != 0, (uint64_t)f->hi, (uint64_t *)dst);
      break;
    case GM_F_BOOL:
      rc = gm_read_bool(c, v, path, (int *)dst);
      break;
    case GM_F_ENUM:
      rc = gm_read_enum(c, v, path, f->names, &iv);
      if (rc == GM_OK)
        memcpy(dst, &iv, sizeof iv);
      break;
    case GM_F_NUMBER:
      rc = gm_read_number(c, v, path, f->lo, f->hi, (double *)dst);
      break;
    }
    if (rc != GM_OK)
      return rc;
  }
  return GM_OK;
}

int gm_read_fields(gm_parse_ctx *c, const cJSON *obj, const char *section, const gm_field *fields,
                   void *base) {
  const cJSON *seen[GM_MAX_FIELDS];
  if (gm_index_fields(obj, fields, seen) < 0)
    return gm_fail(c, section, "internal: more than %d keys in one section", GM_MAX_FIELDS);
  return gm_read_seen(c, section, fields, seen, base);
}
