/* config.h - internal: reading a JSON config into a gm_config. Not public. */
#ifndef GM_CONFIG_H
#define GM_CONFIG_H

#include "gpumem.h"
#include "presets_table.h"

#include <cJSON.h>
#include <stddef.h>

/* Parse a JSON config into cfg (gm_config_init first, then only what the
 * JSON gives; gm_resolve applies the defaults later). Warnings go to
 * warnings->warnings. GM_OK, or GM_EINVAL with err naming the field. */
int gm_parse_config(const char *json, gm_config *cfg, gm_result *warnings, gm_error *err);

/* One accepted spelling of an enum value. A table ends with {NULL, 0}; the
 * first entry for a value is the name printed in results. */
typedef struct {
  const char *name;
  int value;
} gm_name;

extern const gm_name gm_dtype_names[], gm_precision_names[], gm_optimizer_names[],
    gm_optimizer_impl_names[], gm_recompute_names[], gm_selective_names[], gm_attention_names[],
    gm_loss_names[], gm_norm_impl_names[], gm_fp8_names[], gm_finetune_names[],
    gm_lora_target_names[], gm_schedule_names[], gm_engine_names[], gm_framework_names[],
    gm_offload_names[], gm_fsdp_names[], gm_mlp_names[], gm_norm_names[], gm_position_names[];

/* The printed name of value in table, or NULL when it has none. */
const char *gm_enum_name(const gm_name *table, int value);

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
void gm_unknown_key(gm_parse_ctx *c, const char *path);
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

/* How one key of a section is read and where it is stored. */
typedef enum {
  GM_F_INT32,  /* int, whole number in [lo, hi] */
  GM_F_INT64,  /* int64_t, whole number in [lo, hi] */
  GM_F_SIZE,   /* int64_t, number or size string in [lo, hi] */
  GM_F_MEMORY, /* uint64_t bytes, at most hi bytes; lo != 0 allows zero */
  GM_F_BOOL,   /* int 0/1 */
  GM_F_ENUM,   /* an enum (int-sized), by name from names */
  GM_F_NUMBER  /* double in [lo, hi) */
} gm_field_kind;

typedef struct {
  const char *key;
  gm_field_kind kind;
  size_t offset; /* into the section's struct */
  double lo, hi;
  const gm_name *names;
} gm_field;

/* Most keys one section's table may hold. */
#define GM_MAX_FIELDS 64
/* One pass over obj's members: seen[i] is the member named fields[i].key
 * (the first if repeated), NULL when absent or null. Returns the number of
 * fields, or -1 when fields holds more than GM_MAX_FIELDS. */
int gm_index_fields(const cJSON *obj, const gm_field *fields, const cJSON **seen);
/* Read the members seen for fields into base, in the table's order. */
int gm_read_seen(gm_parse_ctx *c, const char *section, const gm_field *fields,
                 const cJSON *const *seen, void *base);
/* Read every key of fields (a table ending with a NULL key) present in obj
 * into base. Absent and null keys leave base untouched. */
int gm_read_fields(gm_parse_ctx *c, const cJSON *obj, const char *section, const gm_field *fields,
                   void *base);
/* Whether key is in fields or in extra (a NULL-terminated list, may be NULL). */
int gm_known_key(const char *key, const gm_field *fields, const char *const *extra);

/* Checks before any value is read (config_check.c): the text's size; then
 * on the parsed tree, NUL characters, duplicate keys and string lengths. */
int gm_check_config_text(gm_parse_ctx *c, const char *json);
int gm_check_config_tree(gm_parse_ctx *c, const char *json, const cJSON *root);

/* The keys of the model section (hf_config.c). */
const gm_field *gm_model_field_table(void);

/* Parse the model section (native keys, a Hugging Face config.json, or a
 * preset plus overrides) into m. */
int gm_parse_model(gm_parse_ctx *c, const cJSON *section, gm_model *m);

/* Presets (presets.c). The ids of all GPUs, comma-separated, truncated to n. */
void gm_gpu_ids(char *out, size_t n);
/* The model preset named name (by id, then hf_id or display name), or NULL. */
const gm_model_preset *gm_find_model_preset(const char *name);
/* The ids of all model presets, comma-separated, truncated to n. */
void gm_model_ids(char *out, size_t n);

#endif
