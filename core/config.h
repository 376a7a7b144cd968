/* config.h - internal: reading a JSON config into a gm_config. Not public. */
#ifndef GM_CONFIG_H
#define GM_CONFIG_H

#include "gpumem.h"
#include "presets_table.h"
#include "schema.h"

#include <cJSON.h>
#include <stddef.h>

/* Parse a JSON config into cfg (gm_config_init first, then only what the
 * JSON gives; gm_resolve applies the defaults later). Warnings go to
 * warnings->warnings. GM_OK, or GM_EINVAL with err naming the field. */
int gm_parse_config(const char *json, gm_config *cfg, gm_result *warnings, gm_error *err);

/* A planner request as plan_json reads it (a config with an optional "plan"
 * section) into *req, the config's warnings into *warnings (plan_json.c).
 * GM_OK; GM_EINVAL with err naming the field; -1 when memory ran out. */
int gm_plan_request_json(const char *json, gm_plan_request *req, gm_result *warnings,
                         gm_error *err);

/* A config's text as a read-only cJSON tree in two blocks (config_json.c),
 * or NULL where cJSON_ParseWithOpts(text, &end, 1) must be asked instead:
 * text that is not JSON, or JSON this reader leaves to cJSON. gm_json_free
 * frees the tree (never cJSON_Delete). */
typedef struct {
  struct gm_json_block *blocks;
  char *strings;
  size_t strings_used;
} gm_json_doc;
const cJSON *gm_json_parse(const char *text, gm_json_doc *doc);
void gm_json_free(gm_json_doc *doc);

/* Names compare equal ignoring case, spaces, '-' and '_' ("H100 SXM" = "h100-sxm"). */
int gm_name_equal(const char *a, const char *b);

/* State of one parse: where errors and warnings go. */
typedef struct {
  gm_error *err;
  gm_result *sink;  /* warnings */
  int unknown_keys; /* unknown keys seen; only the first few get a warning each */
} gm_parse_ctx;

/* Set ctx->err to (path, message) and return GM_EINVAL. */
int gm_fail(gm_parse_ctx *c, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Warn that the key at path is not known and is ignored. */
void gm_unknown_key(gm_parse_ctx *c, const char *path, const char *meant);
/* "section.key", truncated to fit a gm_error field. */
void gm_join_path(char *out, size_t n, const char *section, const char *key);
/* A short, printable rendering of a JSON value for messages ("\"7X\"", "-3", "an array"). */
void gm_describe(const cJSON *v, char *out, size_t n);

/* The typed readers below check one JSON value and store it. Each returns
 * GM_OK, or GM_EINVAL with ctx->err naming path and stating the rule. */

/* A whole number in [lo, hi]. */
int gm_read_int(gm_parse_ctx *c, const cJSON *v, const char *path, int64_t lo, int64_t hi,
                int64_t *out);
int gm_read_int32(gm_parse_ctx *c, const cJSON *v, const char *path, int lo, int hi, int *out);
/* A count: a number or a string with K, M, B/G or T ("7B", "1.5T", "7e9"). */
int gm_read_size(gm_parse_ctx *c, const cJSON *v, const char *path, int64_t lo, int64_t hi,
                 int64_t *out);
/* Memory: a number in GiB or a string "80GB", "80GiB", "81559MiB"; at most max_bytes. */
int gm_read_memory(gm_parse_ctx *c, const cJSON *v, const char *path, int allow_zero,
                   uint64_t max_bytes, uint64_t *out_bytes);
/* A finite number in [lo, hi). */
int gm_read_number(gm_parse_ctx *c, const cJSON *v, const char *path, double lo, double hi,
                   double *out);
/* true or false. */
int gm_read_bool(gm_parse_ctx *c, const cJSON *v, const char *path, int *out);
/* A string, copied and truncated at a character boundary to fit out. */
int gm_read_string(gm_parse_ctx *c, const cJSON *v, const char *path, char *out, size_t n);
/* A framework's code date, "YYYY-MM-DD" or "YYYY-MM", as YYYYMMDD; "current" gives GM_AUTO. */
int gm_read_version(gm_parse_ctx *c, const cJSON *v, const char *path, int *out);
/* YYYYMMDD as "YYYY-MM-DD". */
void gm_format_version(int date, char *out, size_t n);
/* One of the names in table. */
int gm_read_enum(gm_parse_ctx *c, const cJSON *v, const char *path, const gm_name *table, int *out);

/* Read the keys of section s present in obj into base (the section's struct):
 * each key's strongest spelling wins, weaker ones that disagree get a
 * warning; absent and null keys leave base untouched. Keys with a hook of
 * the model section (preset, task) are left to hf_config.c. With
 * warn_unknown, keys the schema does not know get a warning. */
int gm_read_section(gm_parse_ctx *c, const cJSON *obj, gm_section s, void *base, int warn_unknown);
/* Whether key is in extra (a NULL-terminated list, may be NULL); fields is unused (NULL). */
int gm_known_key(const char *key, const void *fields, const char *const *extra);

/* Checks before any value is read (config_check.c): the text's size; then
 * on the parsed tree, NUL characters, duplicate keys and string lengths. */
int gm_check_config_text(gm_parse_ctx *c, const char *json);
int gm_check_config_tree(gm_parse_ctx *c, const char *json, const cJSON *root);

/* Apply one model object (native keys or a Hugging Face config.json) on
 * top of m (hf_config.c). The model section is one, or a preset plus
 * overriding keys: gm_preset_models holds each preset's object applied at
 * build time (scripts/gen_models.c), which the keys then override. */
int gm_apply_model_object(gm_parse_ctx *c, const cJSON *obj, gm_model *m);

/* Presets (presets.c). The ids of all GPUs, comma-separated, truncated to n. */
void gm_gpu_ids(char *out, size_t n);
/* The model preset named name (by id, then hf_id or display name), or NULL. */
const gm_model_preset *gm_find_model_preset(const char *name);
/* The ids of all model presets, comma-separated, truncated to n. */
void gm_model_ids(char *out, size_t n);

#endif
