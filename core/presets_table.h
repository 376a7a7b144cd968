/* presets_table.h - internal: the presets as C tables, generated at build time
 * from presets/gpus.json and presets/models.json by scripts/gen_presets.c and
 * scripts/gen_models.c, so that a lookup compares names and never parses JSON.
 * Not public. */
#ifndef GM_PRESETS_TABLE_H
#define GM_PRESETS_TABLE_H

#include "gpumem.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* {"gpus":[...],"models":{...}}: the text the page reads (gm_presets_json),
 * without the models' "model" objects, which gm_preset_models holds read.
 * The WebAssembly module leaves it out: gm_presets_text writes the same
 * bytes from the tables below (tests/unit_test.c compares them). */
extern const char gm_presets_data[];
/* The tables' names, NUL-terminated. */
extern const char gm_preset_strings[];
/* The "model" objects' texts, each NUL-terminated, in the order of
 * gm_model_presets (gm_preset_names(gm_preset_models_json, i) is the i-th):
 * only the build's generator and the tests read them (the WebAssembly linker
 * leaves them out). */
extern const char gm_preset_models_json[];

/* A preset's names lie one after another in gm_preset_strings, each
 * NUL-terminated: a row points at the first, its id (gm_preset_name_after
 * walks on). A GPU's are its id, display name and aliases, then an empty
 * name, its interconnect and its network; a model's its id, display name
 * and Hugging Face id. */
typedef struct {
  const char *id;          /* then the display name, the aliases, "", the links */
  uint64_t capacity_bytes; /* memory_mib, usable as nvidia-smi reports it */
  uint64_t cuda_context_bytes;
  /* "throughput", for the step-time model (perf.c); 0 when not given. */
  double bf16_tflops, hbm_tbps;
  int amd;                /* vendor "amd": PyTorch's ROCm build */
  int compute_capability; /* CUDA major * 10 + minor (100 for 10.0); 0 unknown */
  /* Only for gm_presets_text: the marketed size; fp8_tflops, 0 when not given. */
  double nominal_gb, fp8_tflops;
} gm_gpu_preset;

typedef struct {
  const char *id;    /* then the display name and the Hugging Face id, either may be "" */
  double parameters; /* the count models.json records (0: none), for gm_presets_text */
} gm_model_preset;

/* A name a preset answers to: the preset's index and which of its names
 * (0 id, 1 display name, 2 a model's hf_id or a GPU's first alias, 3 the
 * second alias, ...). Each table is sorted by the names normalised as
 * gm_name_equal compares them (case, spaces, '-' and '_' ignored; then
 * strcmp's order) and holds each normalised name once. */
typedef struct {
  unsigned short index;
  unsigned char slot;
} gm_preset_name;

/* GPUs by id, display name and alias; models by id, then Hugging Face id
 * and display name (a model's id wins over another's other names). */
extern const gm_preset_name gm_gpu_names[], gm_model_names[];
extern const int gm_gpu_names_count, gm_model_names_count;

extern const gm_gpu_preset gm_gpu_presets[];
extern const int gm_num_gpu_presets;
extern const gm_model_preset gm_model_presets[];
extern const int gm_num_model_presets;

/* Each model preset's "model" object applied to a fresh gm_model, in the
 * order of gm_model_presets: what the reader would make of it, computed by
 * the reader itself at build time (scripts/gen_models.c). */
extern const gm_model gm_preset_models[];

/* The name after name in a preset's run; n names after with gm_preset_names. */
static inline const char *gm_preset_name_after(const char *name) { return name + strlen(name) + 1; }
static inline const char *gm_preset_names(const char *name, int n) {
  for (; n > 0; n--)
    name = gm_preset_name_after(name);
  return name;
}
/* The display name (id when the file gives none), and the first alias. */
#define GM_GPU_DISPLAY_NAME(g) gm_preset_name_after((g)->id)
#define GM_GPU_ALIASES(g) gm_preset_names((g)->id, 2)
/* The GPU's link names (perf.c's table) after its aliases, "" when not given:
 * the interconnect, then the network (gm_preset_name_after of it). */
static inline const char *gm_gpu_interconnect(const gm_gpu_preset *g) {
  const char *a = GM_GPU_ALIASES(g);
  while (*a)
    a = gm_preset_name_after(a);
  return a + 1;
}
/* The display name and the Hugging Face id, "" when the file gives none. */
#define GM_MODEL_DISPLAY_NAME(m) gm_preset_name_after((m)->id)
#define GM_MODEL_HF_ID(m) gm_preset_names((m)->id, 2)

/* gm_presets_json()'s text written from the tables: malloc'd (free() it),
 * NULL when memory runs out. The WebAssembly module's presets_json(). */
char *gm_presets_text(void);

#endif
