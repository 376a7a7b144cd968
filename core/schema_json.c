/* schema_json.c - the JSON texts the page reads as it loads, written from the
 * core's tables. gm_schema_json(): the schema's rows, the preset GPUs and
 * models and the thresholds the page shares with the core, so that the page
 * builds its fields, options, defaults and name matching from what the core
 * reads. gm_presets_text(): the presets as the files in presets/ hold them (the
 * WASM module writes them so rather than storing the text). */
#include "internal.h"
#include "presets_table.h"
#include "schema.h"
#include "text_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string of n bytes of s (the schema's and presets' text: UTF-8). */
static void str_n(gm_text_buf *o, const char *s, size_t n) {
  size_t i, run = 0;
  gm_text_add(o, "\"", 1);
  for (i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '"' || ch == '\\' || ch < 0x20) {
      char esc[8];
      gm_text_add(o, s + run, i - run);
      snprintf(esc, sizeof esc, ch == '"' || ch == '\\' ? "\\%c" : "\\u%04x", ch);
      gm_text_adds(o, esc);
      run = i + 1;
    }
  }
  gm_text_add(o, s + run, n - run);
  gm_text_add(o, "\"", 1);
}

static void str(gm_text_buf *o, const char *s) {
  if (s)
    str_n(o, s, strlen(s));
  else
    gm_text_adds(o, "null");
}

static void num(gm_text_buf *o, double v) {
  char t[32];
  snprintf(t, sizeof t, "%.15g", v);
  gm_text_adds(o, t);
}

/* ,"name": */
static void field(gm_text_buf *o, const char *name) {
  gm_text_add(o, ",\"", 2);
  gm_text_adds(o, name);
  gm_text_add(o, "\":", 2);
}

/* A NULL-terminated list as a JSON array. */
static void words(gm_text_buf *o, const char *const *list) {
  int i;
  gm_text_add(o, "[", 1);
  for (i = 0; list && list[i]; i++) {
    if (i)
      gm_text_add(o, ",", 1);
    str(o, list[i]);
  }
  gm_text_add(o, "]", 1);
}

/* A GPU's run of aliases as a JSON array. */
static void alias_run(gm_text_buf *o, const char *a) {
  gm_text_add(o, "[", 1);
  for (; *a; a = gm_preset_name_after(a)) {
    str(o, a);
    if (*gm_preset_name_after(a))
      gm_text_add(o, ",", 1);
  }
  gm_text_add(o, "]", 1);
}

static const char *const kind_names[] = {"int",  "int64", "size",   "memory",
                                         "bool", "enum",  "number", "string"};

/* An enum's values: each printed name, its other spellings and its label. */
static void values(gm_text_buf *o, const gm_key *k) {
  const gm_name *v, *a;
  const char *label = k->labels;
  int first = 1;
  gm_text_add(o, "[", 1);
  for (v = k->names; v->name; v++) {
    int more = 0;
    size_t len;
    if (gm_enum_name(k->names, v->value) != v->name)
      continue; /* an alias: listed under its value */
    if (!first)
      gm_text_add(o, ",", 1);
    first = 0;
    gm_text_adds(o, "{\"name\":");
    str(o, v->name);
    gm_text_adds(o, ",\"aliases\":[");
    for (a = k->names; a->name; a++)
      if (a->value == v->value && a != v) {
        if (more++)
          gm_text_add(o, ",", 1);
        str(o, a->name);
      }
    gm_text_adds(o, "],\"label\":");
    len = label ? strcspn(label, "|") : 0;
    if (label && len)
      str_n(o, label, len);
    else
      str(o, v->name);
    if (label) {
      label += len;
      label = *label == '|' ? label + 1 : NULL;
    }
    gm_text_add(o, "}", 1);
  }
  gm_text_add(o, "]", 1);
}

static void key_default(gm_text_buf *o, const gm_key *k) {
  if (k->rule || k->dflt == GM_NO_DEFAULT) {
    gm_text_adds(o, "null");
    return;
  }
  switch (k->kind) {
  case GM_K_BOOL:
    gm_text_adds(o, k->dflt != 0 ? "true" : "false");
    break;
  case GM_K_ENUM:
    str(o, gm_enum_name(k->names, (int)k->dflt));
    break;
  case GM_K_STRING:
    gm_text_adds(o, "null");
    break;
  default:
    num(o, k->dflt);
  }
}

static void one_key(gm_text_buf *o, const char *section, const gm_key *k) {
  int bounded = k->kind == GM_K_INT32 || k->kind == GM_K_INT64 || k->kind == GM_K_SIZE ||
                k->kind == GM_K_NUMBER;
  gm_text_adds(o, "{\"section\":");
  str(o, section);
  field(o, "key");
  str(o, k->key);
  field(o, "aliases");
  words(o, k->aliases);
  field(o, "kind");
  str(o, kind_names[k->kind]);
  field(o, "min");
  if (bounded || k->kind == GM_K_MEMORY)
    num(o, bounded ? k->lo : 0);
  else
    gm_text_adds(o, "null");
  field(o, "max");
  if (bounded)
    num(o, k->hi);
  else if (k->kind == GM_K_MEMORY)
    num(o, k->hi / GM_GIB); /* GiB */
  else
    gm_text_adds(o, "null");
  if (k->kind == GM_K_NUMBER) {
    field(o, "max_exclusive"); /* [min, max) */
    gm_text_adds(o, "true");
  }
  if (k->kind == GM_K_MEMORY) {
    field(o, "min_exclusive"); /* zero is refused: "more than zero" */
    gm_text_adds(o, k->lo != 0 ? "false" : "true");
  }
  if (k->kind == GM_K_ENUM) {
    field(o, "values");
    values(o, k);
  }
  field(o, "default");
  key_default(o, k);
  field(o, "default_rule");
  str(o, k->rule);
  field(o, "doc");
  str(o, k->doc);
  field(o, "unit");
  str(o, k->unit);
  field(o, "label");
  str(o, k->label);
  field(o, "in_resolved"); /* printed back under its own name in calc_json's "resolved" */
  gm_text_adds(o, (k->flags & GM_KF_NOFIELD) && k->hook != GM_HOOK_TASK ? "false" : "true");
  gm_text_add(o, "}", 1);
}

static void gpus(gm_text_buf *o) {
  const gm_gpu_preset *g;
  gm_text_add(o, "[", 1);
  for (g = gm_gpu_presets; g->id; g++) {
    if (g != gm_gpu_presets)
      gm_text_add(o, ",", 1);
    gm_text_adds(o, "{\"id\":");
    str(o, g->id);
    field(o, "name");
    str(o, GM_GPU_DISPLAY_NAME(g));
    field(o, "aliases");
    alias_run(o, GM_GPU_ALIASES(g));
    field(o, "memory_gb");
    num(o, (double)g->capacity_bytes / GM_GIB);
    field(o, "cuda_context_gb");
    num(o, (double)g->cuda_context_bytes / GM_GIB);
    gm_text_add(o, "}", 1);
  }
  gm_text_add(o, "]", 1);
}

static void models(gm_text_buf *o) {
  const gm_model_preset *p;
  gm_text_add(o, "[", 1);
  for (p = gm_model_presets; p->id; p++) {
    if (p != gm_model_presets)
      gm_text_add(o, ",", 1);
    gm_text_adds(o, "{\"id\":");
    str(o, p->id);
    field(o, "name");
    str(o, *GM_MODEL_DISPLAY_NAME(p) ? GM_MODEL_DISPLAY_NAME(p) : p->id);
    field(o, "aliases");
    gm_text_add(o, "[", 1);
    if (*GM_MODEL_HF_ID(p))
      str(o, GM_MODEL_HF_ID(p));
    gm_text_add(o, "]}", 2);
  }
  gm_text_add(o, "]", 1);
}

char *gm_schema_json(void) {
  gm_text_buf o = {NULL, 0, 0, 0};
  int s, first = 1;
  const gm_key *k;
  gm_text_adds(&o, "{\"keys\":[");
  for (s = 0; s < GM_SEC_COUNT; s++)
    for (k = gm_schema[s].keys; k->key; k++) {
      if (!first)
        gm_text_add(&o, ",", 1);
      first = 0;
      one_key(&o, gm_schema[s].name, k);
    }
  gm_text_adds(&o, "],\"gpus\":");
  gpus(&o);
  gm_text_adds(&o, ",\"models\":");
  models(&o);
  gm_text_adds(&o, ",\"thresholds\":{\"safety_margin_default\":");
  num(&o, gm_default_safety_margin());
  field(&o, "max_config_bytes");
  num(&o, GM_MAX_CONFIG_BYTES);
  field(&o, "max_string_bytes");
  num(&o, GM_MAX_STRING_BYTES);
  gm_text_adds(&o, "}}\n");
  return gm_text_take(&o);
}

/* "name": of an object's member, after a comma unless it is the first (*n 0). */
static void member(gm_text_buf *o, int *n, const char *name) {
  if ((*n)++)
    gm_text_add(o, ",", 1);
  str(o, name);
  gm_text_add(o, ":", 1);
}

/* A number member, left out when 0 (not in the preset file). */
static void number_member(gm_text_buf *o, int *n, const char *name, double v) {
  if (v != 0) {
    member(o, n, name);
    num(o, v);
  }
}

/* A string member, left out when "" (not in the preset file). */
static void string_member(gm_text_buf *o, int *n, const char *name, const char *s) {
  if (*s) {
    member(o, n, name);
    str(o, s);
  }
}

/* The members in the preset files' order; cJSON prints the stored text with
 * %.15g, as num() does, so the bytes are the same. */
char *gm_presets_text(void) {
  gm_text_buf o = {NULL, 0, 0, 0};
  const gm_gpu_preset *g;
  const gm_model_preset *p;
  const char *link;
  int n;
  gm_text_adds(&o, "{\"gpus\":[");
  for (g = gm_gpu_presets; g->id; g++) {
    if (g != gm_gpu_presets)
      gm_text_add(&o, ",", 1);
    n = 0;
    gm_text_add(&o, "{", 1);
    string_member(&o, &n, "id", g->id);
    string_member(&o, &n, "display_name", GM_GPU_DISPLAY_NAME(g));
    member(&o, &n, "aliases");
    alias_run(&o, GM_GPU_ALIASES(g));
    number_member(&o, &n, "nominal_gb", g->nominal_gb);
    number_member(&o, &n, "memory_mib", (double)g->capacity_bytes / 1048576.0);
    number_member(&o, &n, "cuda_context_mib", (double)g->cuda_context_bytes / 1048576.0);
    string_member(&o, &n, "vendor", g->amd ? "amd" : "nvidia");
    number_member(&o, &n, "compute_capability", g->compute_capability / 10.0);
    link = gm_gpu_interconnect(g);
    if (g->bf16_tflops > 0 || g->fp8_tflops > 0 || g->hbm_tbps > 0 || *link ||
        *gm_preset_name_after(link)) {
      int t = 0;
      member(&o, &n, "throughput");
      gm_text_add(&o, "{", 1);
      number_member(&o, &t, "bf16_tflops", g->bf16_tflops);
      number_member(&o, &t, "fp8_tflops", g->fp8_tflops);
      number_member(&o, &t, "hbm_tbps", g->hbm_tbps);
      string_member(&o, &t, "interconnect", link);
      string_member(&o, &t, "network", gm_preset_name_after(link));
      gm_text_add(&o, "}", 1);
    }
    gm_text_add(&o, "}", 1);
  }
  gm_text_adds(&o, "],\"models\":{");
  for (p = gm_model_presets; p->id; p++) {
    if (p != gm_model_presets)
      gm_text_add(&o, ",", 1);
    n = 0;
    str(&o, p->id);
    gm_text_add(&o, ":{", 2);
    string_member(&o, &n, "display_name", GM_MODEL_DISPLAY_NAME(p));
    member(&o, &n, "hf_id"); /* null in the file where a model has none */
    str(&o, *GM_MODEL_HF_ID(p) ? GM_MODEL_HF_ID(p) : NULL);
    number_member(&o, &n, "parameters", p->parameters);
    gm_text_add(&o, "}", 1);
  }
  gm_text_add(&o, "}}", 2);
  return gm_text_take(&o);
}
