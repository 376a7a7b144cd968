/* schema.h - internal: one row per config key (core/schema.c). The rows drive
 * the readers (config.c, hf_config.c), gm_config_init, the `resolved` writer
 * (result_json.c), gm_schema_json() and the key tables of docs/config.md.
 * Not public; no JSON types here. */
#ifndef GM_SCHEMA_H
#define GM_SCHEMA_H

#include "gpumem.h"

#include <stddef.h>
#include <stdint.h>

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
    gm_offload_names[], gm_fsdp_names[], gm_mlp_names[], gm_norm_names[], gm_position_names[],
    gm_task_names[];

/* The printed name of value in table, or NULL when it has none. */
const char *gm_enum_name(const gm_name *table, int value);

/* How a key is written in a config, and (unless a hook says otherwise) how it is stored. */
typedef enum {
  GM_K_INT32,  /* int, whole number in [lo, hi] */
  GM_K_INT64,  /* int64_t, whole number in [lo, hi] */
  GM_K_SIZE,   /* int64_t, number or size string ("7B") in [lo, hi] */
  GM_K_MEMORY, /* uint64_t bytes from GiB or "80GB"; at most hi bytes, lo != 0 allows zero */
  GM_K_BOOL,   /* int 0/1 */
  GM_K_ENUM,   /* an enum (int-sized), by name from names */
  GM_K_NUMBER, /* double in [lo, hi) */
  GM_K_STRING  /* char[hi] */
} gm_key_kind;

/* Keys read by code of their own (config.c, hf_config.c) and printed by the
 * writer's own code; the row still names them, their kind and default. */
typedef enum {
  GM_HOOK_NONE = 0,
  GM_HOOK_PRESET,     /* model.preset: a preset's model section, then the keys beside it */
  GM_HOOK_TASK,       /* model.task: also from architectures and id2label; num_labels */
  GM_HOOK_NUM_PARAMS, /* model.num_parameters: printed as the exact count when not given */
  GM_HOOK_RECOMPUTE,  /* training.activation_checkpointing: names, the 0-4 scale, a bool */
  GM_HOOK_FP8,        /* training.fp8: names or a bool */
  GM_HOOK_MOMENTUM,   /* training.momentum: makes sgd sgd_momentum */
  GM_HOOK_VERSION,    /* engine.framework_version: a date, stored as YYYYMMDD */
  GM_HOOK_BUCKET_MIB, /* engine.bucket_cap_mb: MiB, stored in bytes */
  GM_HOOK_GPU,        /* hardware.gpu: a preset GPU, sets capacity and CUDA context */
  GM_HOOK_GPU_MEMORY  /* hardware.gpu_memory_gb: ignored beside hardware.gpu */
} gm_hook;

/* Row flags. */
#define GM_KF_NOFIELD 1u    /* read, but stored in no field of its own (never printed) */
#define GM_KF_ZERO_UNSET 2u /* unset is 0, not GM_AUTO */
#define GM_KF_OMIT_UNSET 4u /* left out of `resolved` (not printed as null) when unset */

typedef enum {
  GM_SEC_MODEL = 0,
  GM_SEC_TRAINING,
  GM_SEC_PARALLEL,
  GM_SEC_ENGINE,
  GM_SEC_HARDWARE,
  GM_SEC_COUNT
} gm_section;

/* One config key. */
typedef struct {
  const char *key;            /* the name printed in `resolved` */
  const char *const *aliases; /* other spellings, NULL-terminated, weakest first; the key wins */
  unsigned char kind;         /* gm_key_kind */
  unsigned char hook;         /* gm_hook */
  unsigned char flags;        /* GM_KF_* */
  unsigned char key_len;      /* strlen(key), for the writer */
  unsigned short offset;      /* into the section's struct (gm_model, gm_training, ...) */
  double lo, hi;              /* bounds, as the gm_read_* functions take them */
  const gm_name *names;       /* ENUM: accepted names, the first per value printed */
  const char *labels;         /* ENUM: the page's label of each printed name, '|'-separated */
  double dflt;                /* the value resolution gives when the key is left out */
  const char *rule;           /* NULL, or how resolution sets it instead of dflt */
  const char *unit;           /* of the value as written, or NULL */
  const char *label;          /* what the page shows */
  const char *doc;            /* one line */
} gm_key;

/* dflt of a key with neither a constant default nor a rule (printed as null). */
#define GM_NO_DEFAULT (-1e300)

typedef struct {
  const char *name;           /* "training" */
  size_t offset;              /* of the section's struct in gm_config */
  size_t size;                /* of that struct */
  const gm_key *keys;         /* ends with a NULL key */
  const char *const *ignored; /* other keys accepted silently (NULL-terminated) */
} gm_section_schema;

extern const gm_section_schema gm_schema[GM_SEC_COUNT];

/* Every field of section s (the gm_model, gm_training, ... at section) that
 * is unset and whose row has a constant default and no rule takes that
 * default (memory in bytes from GiB, bucket_cap_mb in bytes from MiB). Keys
 * with a rule are left to resolve.c. */
void gm_schema_defaults(gm_section s, void *section);

/* gm_schema_defaults of one section as lists, made once by the caller
 * (gm_defaults_of) and applied many times (gm_defaults_apply): the fields
 * with a constant default by how they are stored, each with the value that
 * means unset and the default, so that applying reads only those fields. */
#define GM_DEFAULTS_MAX 40 /* of each kind: more than any section's rows (unit_test checks) */
typedef struct {
  int n_int, n_i64, n_u64, n_real;
  struct {
    unsigned short offset;
    int unset, value;
  } ints[GM_DEFAULTS_MAX];
  struct {
    unsigned short offset;
    int64_t unset, value;
  } i64s[GM_DEFAULTS_MAX];
  struct {
    unsigned short offset;
    uint64_t value; /* memory: unset is 0 */
  } u64s[GM_DEFAULTS_MAX];
  struct {
    unsigned short offset;
    double value; /* unset: negative or NaN */
  } reals[GM_DEFAULTS_MAX];
} gm_defaults;
/* Returns the number of fields. */
int gm_defaults_of(gm_section s, gm_defaults *out);
/* gm_schema_defaults(s, section) for d = gm_defaults_of(s). */
void gm_defaults_apply(const gm_defaults *d, void *section);

/* gm_check_resolved of section s alone: it reads nothing else. */
int gm_check_resolved_section(gm_section s, const gm_config *cfg, gm_error *err);

/* Whether name is key's own name or one of its aliases; *rank is 0 for the
 * first alias, increasing, and highest for the key itself. */
int gm_key_matches(const gm_key *k, const char *name, int *rank);
/* The row of section s named (or aliased) name, or NULL. */
const gm_key *gm_schema_find(gm_section s, const char *name, int *rank);
/* The same, looking from row `from` on first (a valid index of s's rows). */
const gm_key *gm_schema_find_from(gm_section s, const char *name, int from, int *rank);
/* Whether name is a key, an alias or an ignored key of s. */
int gm_schema_known(gm_section s, const char *name);
/* The key of section s that name most likely meant (a typo, or the same
 * first words), or NULL. */
const char *gm_schema_closest(gm_section s, const char *name);
/* The section a top-level name most likely meant (a typo), or NULL. */
const char *gm_schema_closest_section(const char *name);

#endif
