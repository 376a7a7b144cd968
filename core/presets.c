/* presets.c - the GPU and model presets compiled in from presets/gpus.json and models.json. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* build/gen/presets_data.c, written by scripts/embed.sh: {"gpus":[...],"models":{...}}. */
extern const char gm_presets_data[];

const char *gm_presets_json(void) { return gm_presets_data; }

static const char *skip_space(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* The end of the JSON string starting at p (at its opening quote). */
static const char *skip_string(const char *p) {
  for (p++; *p && *p != '"'; p++)
    if (*p == '\\' && p[1])
      p++;
  return *p ? p + 1 : p;
}

/* The end of the JSON value starting at p: the ',' or '}' after it. */
static const char *skip_value(const char *p) {
  int depth = 0;
  while (*p) {
    if (*p == '"') {
      p = skip_string(p);
      continue;
    }
    if (depth == 0 && (*p == ',' || *p == '}' || *p == ']'))
      break;
    if (*p == '[' || *p == '{')
      depth++;
    else if (*p == ']' || *p == '}')
      depth--;
    p++;
  }
  return p;
}

/* Step through the members of the JSON object whose text starts at *cursor
 * (at its '{'): stores the next member's name (cut to fit n) and returns
 * where its value starts, or NULL after the last one. */
static const char *next_member(const char **cursor, char *name, size_t n) {
  const char *p = skip_space(*cursor), *start, *value;
  size_t len;
  if (*p == '{' || *p == ',')
    p = skip_space(p + 1);
  if (*p != '"')
    return NULL;
  start = p + 1;
  p = skip_string(p);
  len = (size_t)(p - 1 - start);
  len = len < n ? len : n - 1;
  memcpy(name, start, len);
  name[len] = '\0';
  p = skip_space(p);
  if (*p++ != ':')
    return NULL;
  value = skip_space(p);
  *cursor = skip_space(skip_value(value));
  return value;
}

/* Where the value of a top-level member of the presets starts, or NULL. */
static const char *member_text(const char *key) {
  const char *cursor = gm_presets_data, *value;
  char name[16];
  while ((value = next_member(&cursor, name, sizeof name)) != NULL)
    if (strcmp(name, key) == 0)
      return value;
  return NULL;
}

/* One top-level member of the presets, parsed alone, so that a lookup reads
 * only the part of the text it needs. */
static cJSON *presets_member(const char *key) {
  const char *value = member_text(key);
  return value ? cJSON_ParseWithOpts(value, NULL, 0) : NULL;
}

static int gpu_matches(const cJSON *gpu, const char *name) {
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(gpu, "id"), *a;
  const cJSON *display = cJSON_GetObjectItemCaseSensitive(gpu, "display_name");
  if (cJSON_IsString(id) && gm_name_equal(id->valuestring, name))
    return 1;
  if (cJSON_IsString(display) && gm_name_equal(display->valuestring, name))
    return 1;
  cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(gpu, "aliases")) {
    if (cJSON_IsString(a) && gm_name_equal(a->valuestring, name))
      return 1;
  }
  return 0;
}

/* A MiB count from the presets as bytes; 0 when absent or not sensible. */
static uint64_t mib_bytes(const cJSON *gpu, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(gpu, key);
  if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || v->valuedouble > 1e9)
    return 0;
  return (uint64_t)llround(v->valuedouble * 1048576.0);
}

int gm_find_gpu(const char *name, gm_gpu *out) {
  cJSON *root;
  const cJSON *gpu, *found = NULL;
  int rc = GM_EINVAL;
  if (!name || !out)
    return GM_EINVAL;
  memset(out, 0, sizeof *out);
  root = presets_member("gpus");
  cJSON_ArrayForEach(gpu, root) {
    if (gpu_matches(gpu, name)) {
      found = gpu;
      break;
    }
  }
  if (found) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(found, "id");
    const cJSON *display = cJSON_GetObjectItemCaseSensitive(found, "display_name");
    snprintf(out->id, sizeof out->id, "%s", cJSON_IsString(id) ? id->valuestring : "");
    snprintf(out->display_name, sizeof out->display_name, "%s",
             cJSON_IsString(display) ? display->valuestring : out->id);
    out->capacity_bytes = mib_bytes(found, "memory_mib");
    out->cuda_context_bytes = mib_bytes(found, "cuda_context_mib");
    rc = out->id[0] && out->capacity_bytes > 0 && out->cuda_context_bytes > 0 ? GM_OK : GM_EINVAL;
  }
  cJSON_Delete(root);
  return rc;
}

/* "a, b, c, ..." of the names in list (the string under key of each entry,
 * or each member's own name when key is NULL), cut to fit n. */
static void list_names(const cJSON *list, const char *key, char *out, size_t n) {
  const cJSON *item;
  size_t k = 0;
  if (n == 0)
    return;
  out[0] = '\0';
  cJSON_ArrayForEach(item, list) {
    const char *name =
        key ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, key)) : item->string;
    if (!name)
      continue;
    if (k + strlen(name) + 2 + 6 >= n) { /* keep room for ", ..." */
      if (k + 6 < n)
        memcpy(out + k, ", ...", 6);
      return;
    }
    k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : "", name);
  }
}

void gm_gpu_ids(char *out, size_t n) {
  cJSON *root = presets_member("gpus");
  list_names(root, "id", out, n);
  cJSON_Delete(root);
}

void gm_model_ids(char *out, size_t n) {
  cJSON *root = presets_member("models");
  list_names(root, NULL, out, n);
  cJSON_Delete(root);
}

int gm_find_model_preset(const char *name, cJSON **tree, const cJSON **entry_out) {
  const char *cursor = member_text("models"), *value;
  const cJSON *entry;
  char id[96];
  *tree = NULL;
  *entry_out = NULL;
  /* By id first, parsing only the entry that matches (presets are looked up
   * on every call and the models are most of the presets' text). */
  while (cursor && (value = next_member(&cursor, id, sizeof id)) != NULL) {
    cJSON *found;
    if (!gm_name_equal(id, name))
      continue;
    found = cJSON_ParseWithOpts(value, NULL, 0);
    *tree = cJSON_CreateObject();
    if (!found || !*tree) {
      cJSON_Delete(found);
      cJSON_Delete(*tree);
      *tree = NULL;
      return GM_EINVAL;
    }
    cJSON_AddItemToObject(*tree, id, found);
    *entry_out = found;
    return GM_OK;
  }
  /* Then by Hugging Face id or display name. */
  *tree = presets_member("models");
  cJSON_ArrayForEach(entry, *tree) {
    const char *hf = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "hf_id"));
    const char *display =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "display_name"));
    if ((hf && gm_name_equal(hf, name)) || (display && gm_name_equal(display, name))) {
      *entry_out = entry;
      return GM_OK;
    }
  }
  cJSON_Delete(*tree);
  *tree = NULL;
  return GM_EINVAL;
}
