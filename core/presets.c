/* presets.c - the GPU and model presets, looked up in the tables that
 * scripts/gen_presets.c generates from presets/gpus.json and models.json. */
#include "config.h"

#include <string.h>

const char *gm_presets_json(void) { return gm_presets_data; }

/* Copy s into out (n bytes), cut to fit. */
static void copy(char *out, size_t n, const char *s) {
  size_t len = strlen(s);
  len = len < n ? len : n - 1;
  memcpy(out, s, len);
  out[len] = '\0';
}

static int gpu_matches(const gm_gpu_preset *g, const char *name) {
  const char *const *a;
  if (gm_name_equal(g->id, name) || gm_name_equal(g->display_name, name))
    return 1;
  for (a = g->aliases; *a; a++)
    if (gm_name_equal(*a, name))
      return 1;
  return 0;
}

int gm_find_gpu(const char *name, gm_gpu *out) {
  const gm_gpu_preset *g;
  if (!name || !out)
    return GM_EINVAL;
  memset(out, 0, sizeof *out);
  for (g = gm_gpu_presets; g->id; g++) {
    if (gpu_matches(g, name)) {
      copy(out->id, sizeof out->id, g->id);
      copy(out->display_name, sizeof out->display_name, g->display_name);
      out->capacity_bytes = g->capacity_bytes;
      out->cuda_context_bytes = g->cuda_context_bytes;
      out->amd = g->amd;
      out->compute_capability = g->compute_capability;
      return GM_OK;
    }
  }
  return GM_EINVAL;
}

/* Appends "name" to the list in out (k bytes used), or ", ..." once it is full. */
static size_t add_name(char *out, size_t n, size_t k, const char *name, int *full) {
  size_t len = strlen(name);
  if (*full)
    return k;
  if (k + len + 2 + 6 >= n) { /* keep room for ", ..." */
    if (k + 6 < n) {
      memcpy(out + k, ", ...", 6);
      k += 5;
    }
    *full = 1;
    return k;
  }
  if (k) {
    memcpy(out + k, ", ", 2);
    k += 2;
  }
  memcpy(out + k, name, len + 1);
  return k + len;
}

void gm_gpu_ids(char *out, size_t n) {
  const gm_gpu_preset *g;
  size_t k = 0;
  int full = 0;
  if (n == 0)
    return;
  out[0] = '\0';
  for (g = gm_gpu_presets; g->id; g++)
    k = add_name(out, n, k, g->id, &full);
}

void gm_model_ids(char *out, size_t n) {
  const gm_model_preset *p;
  size_t k = 0;
  int full = 0;
  if (n == 0)
    return;
  out[0] = '\0';
  for (p = gm_model_presets; p->id; p++)
    k = add_name(out, n, k, p->id, &full);
}

const gm_model_preset *gm_find_model_preset(const char *name) {
  const gm_model_preset *p;
  /* By id first, then by Hugging Face id or display name. */
  for (p = gm_model_presets; p->id; p++)
    if (gm_name_equal(p->id, name))
      return p;
  for (p = gm_model_presets; p->id; p++)
    if ((p->hf_id[0] && gm_name_equal(p->hf_id, name)) ||
        (p->display_name[0] && gm_name_equal(p->display_name, name)))
      return p;
  return NULL;
}
