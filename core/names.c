/* names.c - the printed name of each enum value in results; for the config's
 * enums, the first spelling in the schema's tables (schema.c), as the
 * `resolved` writer prints them. */
#include "schema.h"

#include <stddef.h>

const char *gm_component_name(gm_component c) {
  static const char *names[GM_C_COUNT] = {
      "weights",         "gradients", "optimizer_states", "activations",     "logits",
      "gathered_params", "buffers",   "optimizer_step",   "allocator_cache", "cuda_context"};
  return (unsigned)c < GM_C_COUNT ? names[c] : "?";
}

const char *gm_phase_name(gm_phase p) {
  static const char *names[] = {"forward", "loss", "backward", "step"};
  return (unsigned)p < 4 ? names[p] : "?";
}

/* A config enum's printed name; "?" for a value it does not have. */
static const char *config_name(const gm_name *table, int value) {
  const char *name = gm_enum_name(table, value);
  return name ? name : "?";
}

const char *gm_precision_name(gm_precision l) { return config_name(gm_precision_names, (int)l); }

const char *gm_engine_name(gm_engine_kind k) { return config_name(gm_engine_names, (int)k); }

const char *gm_framework_name(gm_framework f) { return config_name(gm_framework_names, (int)f); }

const char *gm_verdict_name(gm_verdict v) {
  static const char *names[] = {"fits", "tight", "does_not_fit"};
  return (unsigned)v < 3 ? names[v] : "?";
}

const char *gm_verdict_reason_name(gm_verdict_reason r) {
  static const char *names[] = {NULL, "gpu_memory", "host_memory"};
  return (unsigned)r < 3 ? names[r] : NULL;
}
