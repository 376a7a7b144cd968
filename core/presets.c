/* presets.c - the GPU and model presets, looked up by name in the sorted
 * indexes that scripts/gen_presets.c generates from presets/gpus.json and
 * models.json. */
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

/* The name of preset index in slot (see gm_preset_name). */
static const char *gpu_name(int index, int slot) {
  return gm_preset_names(gm_gpu_presets[index].id, slot);
}

static const char *model_name(int index, int slot) {
  return gm_preset_names(gm_model_presets[index].id, slot);
}

static int ignorable(unsigned char ch) { return ch == ' ' || ch == '-' || ch == '_'; }

static unsigned char lower(unsigned char ch) {
  return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

/* key (normalised) against name normalised as it is read: <0, 0 or >0 as strcmp. */
static int compare(const unsigned char *key, const char *name) {
  const unsigned char *s = (const unsigned char *)name;
  for (;; key++, s++) {
    while (ignorable(*s))
      s++;
    if (*key != lower(*s) || !*key)
      return (int)*key - (int)lower(*s);
  }
}

/* The index of the preset that name picks in table (n names, sorted), or -1:
 * name normalised once, then a binary search. */
static int find_name(const gm_preset_name *table, int n, const char *(*name_of)(int, int),
                     const char *name) {
  unsigned char key[128];
  size_t k = 0;
  int lo = 0, hi = n;
  for (; *name; name++) {
    unsigned char ch = (unsigned char)*name;
    if (ignorable(ch))
      continue;
    if (k + 1 == sizeof key)
      return -1; /* longer than any name in the tables */
    key[k++] = lower(ch);
  }
  key[k] = '\0';
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2, c = compare(key, name_of(table[mid].index, table[mid].slot));
    if (c == 0)
      return table[mid].index;
    if (c > 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

int gm_find_gpu(const char *name, gm_gpu *out) {
  const gm_gpu_preset *g;
  int i;
  if (!name || !out)
    return GM_EINVAL;
  memset(out, 0, sizeof *out);
  if ((i = find_name(gm_gpu_names, gm_gpu_names_count, gpu_name, name)) < 0)
    return GM_EINVAL;
  g = &gm_gpu_presets[i];
  copy(out->id, sizeof out->id, g->id);
  copy(out->display_name, sizeof out->display_name, GM_GPU_DISPLAY_NAME(g));
  out->capacity_bytes = g->capacity_bytes;
  out->cuda_context_bytes = g->cuda_context_bytes;
  out->amd = g->amd;
  out->compute_capability = g->compute_capability;
  return GM_OK;
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
  int i = name ? find_name(gm_model_names, gm_model_names_count, model_name, name) : -1;
  return i < 0 ? NULL : &gm_model_presets[i];
}
