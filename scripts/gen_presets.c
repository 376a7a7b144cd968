/* gen_presets.c - writes the C tables of core/presets_table.h from the preset files
 * (all but gm_preset_models, which scripts/gen_models.c appends).
 * Usage: gen_presets presets/gpus.json presets/models.json > build/gen/presets_data.c
 *
 * Runs at build time, on the build machine, so the core looks a GPU or a model
 * preset up by comparing names instead of parsing JSON on every call. It checks
 * the data as it goes: a preset the core could not use fails the build, naming
 * the file and the entry. */
#include <cJSON.h>
#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *file, const char *what, const char *why) {
  fprintf(stderr, "gen_presets: %s: %s: %s\n", file, what, why);
  return 1;
}

/* The whole file, NUL-terminated, or NULL. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t len = 0, cap = 0, n;
  if (!f)
    return NULL;
  do {
    if (cap - len < 4096) {
      char *p = realloc(buf, cap = cap * 2 + 8192);
      if (!p) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = p;
    }
    n = fread(buf + len, 1, cap - len - 1, f);
    len += n;
  } while (n > 0);
  fclose(f);
  buf[len] = '\0';
  return buf;
}

static const char *string_of(const cJSON *obj, const char *key) {
  return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* The tables' strings, each NUL-terminated, in gm_preset_strings: an array
 * of its own, apart from the page's text (gm_presets_data), which the
 * WebAssembly module leaves out and writes from the tables instead. */
static char pool[1 << 16];
static size_t pool_len;

/* Appends s, NUL-terminated, to the pool: a preset's names lie one after
 * another there, its table row pointing at the first (the id), so that a
 * row holds one pointer for all of them (0.63 KB less gzipped in the
 * WebAssembly module than a pointer per name). */
static int run_add(const char *id, const char *s) {
  size_t len = strlen(s);
  if (len + 1 > sizeof pool - pool_len)
    return fail("presets", id, "too many names");
  memcpy(pool + pool_len, s, len + 1);
  pool_len += len + 1;
  return 0;
}

/* A MiB count as bytes; 0 when absent or not sensible. */
static unsigned long long mib_bytes(const cJSON *gpu, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(gpu, key);
  if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || v->valuedouble > 1e9)
    return 0;
  return (unsigned long long)llround(v->valuedouble * 1048576.0);
}

/* A number of the GPU's "throughput" object, 0 when absent. */
static double throughput_number(const cJSON *gpu, const char *key) {
  const cJSON *v =
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(gpu, "throughput"), key);
  return cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 1e9 ? v->valuedouble : 0;
}

/* A string of the GPU's "throughput" object, "" when absent. */
static const char *throughput_string(const cJSON *gpu, const char *key) {
  const char *s = string_of(cJSON_GetObjectItemCaseSensitive(gpu, "throughput"), key);
  return s ? s : "";
}

/* name as the core compares names: case, spaces, '-' and '_' ignored. */
static void normalise(const char *name, char *out, size_t n) {
  size_t k = 0;
  for (; *name && k + 1 < n; name++)
    if (*name != ' ' && *name != '-' && *name != '_')
      out[k++] = (char)(*name >= 'A' && *name <= 'Z' ? *name - 'A' + 'a' : *name);
  out[k] = '\0';
}

/* Every id, display name and alias must name one GPU only: the core takes
 * the first match, so a shared name would silently pick one. */
static int check_unique_names(const char *file, const cJSON *gpus) {
  enum { MAX_NAMES = 1024 };
  static char names[MAX_NAMES][128];
  static const char *owner[MAX_NAMES], *given[MAX_NAMES];
  const cJSON *gpu, *v;
  int n = 0, i, j;
  cJSON_ArrayForEach(gpu, gpus) {
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(gpu, "id"));
    const cJSON *display = cJSON_GetObjectItemCaseSensitive(gpu, "display_name");
    const cJSON *aliases = cJSON_GetObjectItemCaseSensitive(gpu, "aliases");
    const cJSON *own[2];
    int first = n;
    own[0] = cJSON_GetObjectItemCaseSensitive(gpu, "id");
    own[1] = display;
    for (i = 0; i < 2 + cJSON_GetArraySize(aliases); i++) {
      v = i < 2 ? own[i] : cJSON_GetArrayItem(aliases, i - 2);
      if (!cJSON_IsString(v))
        continue;
      if (n == MAX_NAMES)
        return fail(file, id, "too many GPU names");
      normalise(v->valuestring, names[n], sizeof names[n]);
      owner[n] = id;
      given[n] = v->valuestring;
      for (j = 0; j < first; j++) /* the GPU's own names may repeat each other */
        if (strcmp(names[j], names[n]) == 0) {
          fprintf(stderr, "gen_presets: %s: \"%s\" names both %s and %s\n", file, given[n],
                  owner[j], id);
          return 1;
        }
      n++;
    }
  }
  return 0;
}

/* ---- Name indexes: every accepted name, normalised and sorted ----------- */

/* One name of a preset: normalised, the preset's index, which of its names
 * it is (slot: 0 the id, 1 the display name, 2 a model's hf_id or a GPU's
 * first alias, 3 the second, ...), and its priority (0 wins over 1: a
 * model's id over another model's hf_id or display name). */
typedef struct {
  char name[128];
  int index, slot, priority;
} name_entry;

enum { MAX_INDEX = 2048 };
static name_entry entries[MAX_INDEX];
static int num_entries;

static int add_entry(const char *file, const char *name, int index, int slot, int priority) {
  if (!name || !*name)
    return 0;
  if (num_entries == MAX_INDEX)
    return fail(file, name, "too many preset names");
  if (strlen(name) >= sizeof entries[0].name)
    return fail(file, name, "a name is at most 127 characters");
  if (index > 65535 || slot > 255)
    return fail(file, name, "too many presets or names of one preset");
  normalise(name, entries[num_entries].name, sizeof entries[0].name);
  entries[num_entries].index = index;
  entries[num_entries].slot = slot;
  entries[num_entries].priority = priority;
  num_entries++;
  return 0;
}

static int by_name_then_priority(const void *a, const void *b) {
  const name_entry *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c)
    return c;
  if (x->priority != y->priority)
    return x->priority - y->priority;
  return x->index - y->index;
}

/* The entries as `table`, sorted by name for a binary search (strcmp's
 * order); of entries with one name the first by priority, then file order,
 * is kept: the preset the name picks. */
static void write_index(const char *table) {
  int i, n = 0;
  qsort(entries, (size_t)num_entries, sizeof entries[0], by_name_then_priority);
  printf("const gm_preset_name %s[] = {\n", table);
  for (i = 0; i < num_entries; i++) {
    if (i > 0 && strcmp(entries[i].name, entries[i - 1].name) == 0)
      continue;
    printf("    {%d, %d}, /* %s */\n", entries[i].index, entries[i].slot, entries[i].name);
    n++;
  }
  printf("    {0, 0}};\nconst int %s_count = %d;\n\n", table, n);
  num_entries = 0;
}

/* 1 for an AMD card (PyTorch's ROCm build), else 0. */
static int amd_of(const cJSON *gpu) {
  const char *v = string_of(gpu, "vendor");
  return v && strcmp(v, "amd") == 0;
}

/* CUDA compute capability as major * 10 + minor (9.0 -> 90); 0 when absent. */
static int capability_of(const cJSON *gpu) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(gpu, "compute_capability");
  return cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 100
             ? (int)(v->valuedouble * 10.0 + 0.5)
             : 0;
}

static int write_gpus(const char *file, const cJSON *gpus) {
  const cJSON *gpu, *a;
  int i = 0;
  if (!cJSON_IsArray(gpus))
    return fail(file, "top level", "must be an array of GPUs");
  cJSON_ArrayForEach(gpu, gpus) {
    const char *id = string_of(gpu, "id"), *display = string_of(gpu, "display_name");
    const cJSON *aliases = cJSON_GetObjectItemCaseSensitive(gpu, "aliases");
    if (!id || !*id || strlen(id) >= 32)
      return fail(file, id ? id : "a GPU", "needs an id of 1 to 31 characters");
    if (display && strlen(display) >= 64)
      return fail(file, id, "display_name must be under 64 characters");
    if (!mib_bytes(gpu, "memory_mib") || !mib_bytes(gpu, "cuda_context_mib"))
      return fail(file, id, "needs positive memory_mib and cuda_context_mib");
    if (aliases && !cJSON_IsArray(aliases))
      return fail(file, id, "aliases must be an array of strings");
    cJSON_ArrayForEach(a, aliases) {
      if (!cJSON_IsString(a) || !a->valuestring[0])
        return fail(file, id, "aliases must be an array of non-empty strings");
    }
  }
  if (check_unique_names(file, gpus))
    return 1;
  printf("\nconst gm_gpu_preset gm_gpu_presets[] = {\n");
  i = 0;
  cJSON_ArrayForEach(gpu, gpus) {
    const char *id = string_of(gpu, "id"), *display = string_of(gpu, "display_name");
    const cJSON *nominal = cJSON_GetObjectItemCaseSensitive(gpu, "nominal_gb");
    double nominal_gb = cJSON_IsNumber(nominal) ? nominal->valuedouble : 0;
    const char *vendor = string_of(gpu, "vendor");
    /* The tables keep the vendor as amd or not, and the text written from
     * them (gm_presets_text) names it so. */
    if (!vendor || (strcmp(vendor, "nvidia") != 0 && strcmp(vendor, "amd") != 0))
      return fail(file, id, "vendor must be \"nvidia\" or \"amd\"");
    size_t start = pool_len;
    /* id, display name, aliases, then an empty name. */
    if (run_add(id, id) || run_add(id, display ? display : id))
      return 1;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(gpu, "aliases")) {
      if (run_add(id, a->valuestring))
        return 1;
    }
    if (run_add(id, "") || run_add(id, throughput_string(gpu, "interconnect")) ||
        run_add(id, throughput_string(gpu, "network")))
      return 1;
    i++;
    printf("    {gm_preset_strings + %zu, %lluu, %lluu, %.17g, %.17g, ", start,
           mib_bytes(gpu, "memory_mib"), mib_bytes(gpu, "cuda_context_mib"),
           throughput_number(gpu, "bf16_tflops"), throughput_number(gpu, "hbm_tbps"));
    printf("%d, %d, %.17g, %.17g},\n", amd_of(gpu), capability_of(gpu), nominal_gb,
           throughput_number(gpu, "fp8_tflops"));
  }
  printf("    {NULL, 0, 0, 0, 0, 0, 0, 0, 0}};\nconst int gm_num_gpu_presets = %d;\n\n", i);
  i = 0;
  cJSON_ArrayForEach(gpu, gpus) {
    int slot = 2;
    if (add_entry(file, string_of(gpu, "id"), i, 0, 0) ||
        add_entry(file, string_of(gpu, "display_name"), i, 1, 0))
      return 1;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(gpu, "aliases")) {
      if (add_entry(file, a->valuestring, i, slot++, 0))
        return 1;
    }
    i++;
  }
  write_index("gm_gpu_names");
  return 0;
}

/* Writes gm_model_presets and, for gen_models, gm_preset_models_json: each
 * model object's compact text, NUL-terminated, in the presets' order, which
 * main took out of the page's text. */
static int write_models(const char *file, const cJSON *models, const cJSON *objects) {
  const cJSON *entry, *model = objects ? objects->child : NULL;
  size_t at = 0;
  int n = 0;
  if (!cJSON_IsObject(models))
    return fail(file, "top level", "must be an object of models by id");
  printf("const gm_model_preset gm_model_presets[] = {\n");
  cJSON_ArrayForEach(entry, models) {
    const char *display = string_of(entry, "display_name"), *hf = string_of(entry, "hf_id");
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(entry, "parameters");
    double parameters = cJSON_IsNumber(count) ? count->valuedouble : 0;
    if (!entry->string[0] || strlen(entry->string) >= 64)
      return fail(file, "a model", "needs an id of 1 to 63 characters");
    if (!cJSON_IsObject(model))
      return fail(file, entry->string, "needs a \"model\" object");
    /* id, display name, Hugging Face id ("" when absent). */
    printf("    {gm_preset_strings + %zu, %.17g},\n", pool_len, parameters);
    if (run_add(entry->string, entry->string) || run_add(entry->string, display ? display : "") ||
        run_add(entry->string, hf ? hf : ""))
      return 1;
    /* By id first, then by Hugging Face id or display name. */
    if (add_entry(file, entry->string, n, 0, 0) || add_entry(file, display, n, 1, 1) ||
        add_entry(file, hf, n, 2, 1))
      return 1;
    n++;
    model = model->next;
  }
  printf("    {NULL, 0}};\nconst int gm_num_model_presets = %d;\n\n", n);
  write_index("gm_model_names");
  printf("const char gm_preset_models_json[] = {");
  for (model = objects ? objects->child : NULL; model; model = model->next) {
    char *text = cJSON_PrintUnformatted(model);
    size_t i;
    if (!text)
      return fail(file, "models", "out of memory");
    for (i = 0; i == 0 || text[i - 1]; i++, at++) /* its NUL too */
      printf("%s0x%02x,", at % 24 == 0 ? "\n" : "", (unsigned char)text[i]);
    free(text);
  }
  printf("0x00};\n");
  return 0;
}

/* Drops the "source" notes of every entry and of the GPUs' throughput: they
 * document the data in the preset files, and neither the page nor a lookup
 * reads them. Left out of the text, as of the tables from which the
 * WebAssembly module writes that text (gm_presets_text). */
static void drop_sources(cJSON *root) {
  cJSON *entry;
  cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(root, "gpus")) {
    cJSON_DeleteItemFromObjectCaseSensitive(entry, "source");
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(entry, "throughput"),
                                            "source");
  }
  cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(root, "models")) {
    cJSON_DeleteItemFromObjectCaseSensitive(entry, "source");
  }
}

int main(int argc, char **argv) {
  char *gpus_text, *models_text, *text;
  cJSON *root, *gpus, *models, *objects;
  size_t k, i;
  int rc;
  if (argc != 3) {
    fprintf(stderr, "usage: gen_presets GPUS.json MODELS.json\n");
    return 2;
  }
  gpus_text = slurp(argv[1]);
  models_text = slurp(argv[2]);
  if (!gpus_text || !models_text)
    return fail(gpus_text ? argv[2] : argv[1], "file", "cannot be read");
  gpus = cJSON_Parse(gpus_text);
  if (!gpus)
    return fail(argv[1], "JSON", "does not parse");
  models = cJSON_Parse(models_text);
  if (!models)
    return fail(argv[2], "JSON", "does not parse");
  root = cJSON_CreateObject();
  if (!root || !cJSON_AddItemToObject(root, "gpus", gpus) ||
      !cJSON_AddItemToObject(root, "models", models))
    return fail(argv[1], "memory", "out of memory");
  drop_sources(root);
  /* The model objects are read at build time (gen_models) and never by the
   * page: out of its text, in their own, which only the generator links. */
  objects = cJSON_CreateArray();
  if (!objects)
    return fail(argv[2], "memory", "out of memory");
  if (cJSON_IsObject(models)) {
    cJSON *entry;
    cJSON_ArrayForEach(entry, models) {
      cJSON *model = cJSON_DetachItemFromObjectCaseSensitive(entry, "model");
      if (!cJSON_IsObject(model))
        return fail(argv[2], entry->string, "needs a \"model\" object");
      cJSON_AddItemToArray(objects, model);
    }
  }
  /* The text the page reads: compact. */
  text = cJSON_PrintUnformatted(root);
  if (!text)
    return fail(argv[1], "memory", "out of memory");
  k = strlen(text);

  printf("/* Generated from presets/ by scripts/gen_presets.c. Do not edit. */\n");
  printf("#include \"presets_table.h\"\n\n");
  rc = write_gpus(argv[1], gpus);
  if (rc == 0)
    rc = write_models(argv[2], models, objects);
  printf("\nconst char gm_presets_data[] = {");
  for (i = 0; i <= k; i++)
    printf("%s0x%02x,", i % 24 == 0 ? "\n" : "", (unsigned char)text[i]);
  printf("};\n\nconst char gm_preset_strings[] = {");
  for (i = 0; i < pool_len; i++)
    printf("%s0x%02x,", i % 24 == 0 ? "\n" : "", (unsigned char)pool[i]);
  printf("};\n");
  cJSON_Delete(root);
  cJSON_Delete(objects);
  free(text);
  free(gpus_text);
  free(models_text);
  return rc;
}
