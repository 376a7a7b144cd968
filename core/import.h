/* import.h - internal: launcher configs (DeepSpeed, Megatron-LM, YAML, torchtitan TOML) read into
 * our config, with a report of what was mapped and what was not. Not public;
 * import_json in gpumem.h is the entry point. */
#ifndef GM_IMPORT_H
#define GM_IMPORT_H

#include "gpumem.h"

#include <cJSON.h>

/* One import in progress: the config built so far and the report. */
typedef struct {
  cJSON *config;   /* our config: {"model": ..., "training": ..., ...} */
  cJSON *mapped;   /* [{"from", "to", "value"}]: keys carried over */
  cJSON *ignored;  /* [{"field", "reason"}]: keys without a memory effect */
  cJSON *warnings; /* [{"field", "message"}]: keys that could not be mapped */
  int failed;      /* out of memory */
} gm_import;

/* Set config[to] (a dotted path) to value, taking ownership of it, and
 * record that from gave it. note (may be NULL) says how it was read. */
void gm_import_set(gm_import *im, const char *from, const char *to, cJSON *value, const char *note);
/* The value at a dotted path of the config built so far, or NULL. */
const cJSON *gm_import_get(const gm_import *im, const char *path);
/* A key that has no effect on memory, and why. */
void gm_import_ignore(gm_import *im, const char *field, const char *reason);
/* A key that could not be mapped. */
void gm_import_warn(gm_import *im, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A DeepSpeed config (ds_config.json), parsed. GM_OK or GM_EINVAL. */
int gm_import_deepspeed(gm_import *im, const cJSON *ds, gm_error *err);
/* Megatron-LM arguments: a command line, or a launch script holding one. */
int gm_import_megatron(gm_import *im, const char *text, gm_error *err);

#ifdef GM_YAML
#include <stddef.h>
/* The first document of a YAML text as cJSON (NULL with msg set). */
cJSON *gm_yaml_parse(const char *text, char *msg, size_t n);
/* An Axolotl, LLaMA-Factory or accelerate config, parsed; *detected says which. */
int gm_import_yaml(gm_import *im, const cJSON *o, const char **detected, gm_error *err);
#endif

#ifdef GM_TOML
#include <stddef.h>
/* A TOML document as cJSON (NULL with msg set: "line L, column C: ..."). */
cJSON *gm_toml_parse(const char *text, char *msg, size_t n);
/* A torchtitan job config (its TOML as parsed), into our config. */
int gm_import_torchtitan(gm_import *im, const cJSON *o, gm_error *err);
#endif

#endif
