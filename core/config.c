/* config.c - JSON config text to gm_config: the top level and the training,
 * parallelism, engine and hardware sections (values: config_value.c; model: hf_config.c). */
#include "config.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_UNKNOWN_WARNINGS 4 /* as gm_unknown_key warns for the first 4 */

static const char *const top_extra[] = {"model",    "training", "parallelism", "engine",
                                        "hardware", "name",     "description", NULL};

/* The object under key, NULL when absent or null; an error if it is not an object. */
static int section(gm_parse_ctx *c, const cJSON *root, const char *key, const cJSON **out) {
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, key);
  char got[64];
  *out = NULL;
  if (!s || cJSON_IsNull(s))
    return GM_OK;
  if (!cJSON_IsObject(s)) {
    gm_describe(s, got, sizeof got);
    return gm_fail(c, key, "must be an object; got %s", got);
  }
  *out = s;
  return GM_OK;
}

/* The model section: a preset's model (applied at build time: gm_preset_models)
 * and the keys beside it, or the section alone. */
static int model_section(gm_parse_ctx *c, const cJSON *section, gm_model *m) {
  const cJSON *preset = cJSON_GetObjectItemCaseSensitive(section, "preset");
  const gm_model_preset *p;
  char name[96], got[64], ids[120];
  if (!preset || cJSON_IsNull(preset))
    return gm_apply_model_object(c, section, m);
  if (gm_read_string(c, preset, "model.preset", name, sizeof name) != GM_OK)
    return GM_EINVAL;
  if ((p = gm_find_model_preset(name)) == NULL) {
    gm_describe(preset, got, sizeof got);
    gm_model_ids(ids, sizeof ids);
    return gm_fail(c, "model.preset", "unknown model preset %s; known: %s", got, ids);
  }
  *m = gm_preset_models[p - gm_model_presets];
  if (!m->name[0]) { /* the id: generated, ASCII, shorter than the field (cut to fit anyway) */
    size_t len = strlen(p->id);
    len = len < sizeof m->name ? len : sizeof m->name - 1;
    memcpy(m->name, p->id, len);
    m->name[len] = '\0';
  }
  return gm_apply_model_object(c, section, m);
}

/* "line 3, column 7" for a byte offset into text, and why parsing may have
 * stopped there when the text is not simply malformed. */
static void position(const char *text, size_t offset, char *out, size_t n) {
  size_t i, line = 1, column = 1;
  int depth = 0, in_string = 0;
  for (i = 0; i < offset && text[i]; i++) {
    char ch = text[i];
    if (ch == '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
    if (in_string) {
      if (ch == '\\' && text[i + 1])
        i++, column++;
      else if (ch == '"')
        in_string = 0;
    } else if (ch == '"') {
      in_string = 1;
    } else if (ch == '[' || ch == '{') {
      depth++;
    } else if (ch == ']' || ch == '}') {
      depth--;
    }
  }
  if (!text[strspn(text, " \t\r\n")])
    snprintf(out, n, "line %zu, column %zu: the config is empty", line, column);
  else if (depth >= CJSON_NESTING_LIMIT)
    snprintf(out, n, "line %zu, column %zu: nested deeper than %d levels", line, column,
             CJSON_NESTING_LIMIT);
  else
    snprintf(out, n, "line %zu, column %zu", line, column);
}

int gm_parse_config(const char *json, gm_config *cfg, gm_result *warnings, gm_error *err) {
  gm_parse_ctx ctx = {err, warnings, 0};
  gm_parse_ctx *c = &ctx;
  const cJSON *root = NULL, *s;
  cJSON *owned = NULL;
  gm_json_doc doc = {NULL, NULL, 0};
  const char *end = NULL;
  char where[96], got[64];
  int rc = GM_EINVAL, sec;

  gm_config_init(cfg);
  if (!json) {
    gm_fail(c, "", "no config given");
    goto done;
  }
  if ((unsigned char)json[0] == 0xEF && (unsigned char)json[1] == 0xBB &&
      (unsigned char)json[2] == 0xBF)
    json += 3; /* a UTF-8 byte order mark, as some editors save */
  if (gm_check_config_text(c, json) != GM_OK)
    goto done;
  /* In two blocks when it can (config_json.c), else by cJSON, whose error
   * position the message gives. */
  root = gm_json_parse(json, &doc);
  if (!root)
    root = owned = cJSON_ParseWithOpts(json, &end, 1);
  if (!root) {
    size_t offset = end && end >= json ? (size_t)(end - json) : 0;
    position(json, offset, where, sizeof where);
    gm_fail(c, "", "malformed JSON at %s", where);
    goto done;
  }
  if (!cJSON_IsObject(root)) {
    gm_describe(root, got, sizeof got);
    gm_fail(c, "",
            "the config must be a JSON object with sections model, training, parallelism, "
            "engine, hardware; got %s",
            got);
    goto done;
  }
  if (gm_check_config_tree(c, json, root) != GM_OK)
    goto done;
  if (section(c, root, "model", &s) != GM_OK || (s && model_section(c, s, &cfg->model) != GM_OK))
    goto done;
  for (sec = GM_SEC_TRAINING; sec < GM_SEC_COUNT; sec++)
    if (section(c, root, gm_schema[sec].name, &s) != GM_OK ||
        (s &&
         gm_read_section(c, s, (gm_section)sec, (char *)cfg + gm_schema[sec].offset, 1) != GM_OK))
      goto done;
  {
    const cJSON *item;
    cJSON_ArrayForEach(item, root) {
      if (item->string && !gm_known_key(item->string, NULL, top_extra))
        gm_unknown_key(c, item->string, gm_schema_closest_section(item->string));
    }
  }
  if (c->unknown_keys > MAX_UNKNOWN_WARNINGS && warnings)
    gm_warn(warnings, "", "%d more unknown keys ignored", c->unknown_keys - MAX_UNKNOWN_WARNINGS);
  rc = GM_OK;
done:
  cJSON_Delete(owned);
  gm_json_free(&doc);
  return rc;
}
