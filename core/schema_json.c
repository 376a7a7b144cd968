/* schema_json.c - gm_schema_json(): the schema's rows, the preset GPUs and
 * models and the thresholds the page shares with the core, as one JSON text,
 * so that the page builds its fields, options, defaults and name matching
 * from what the core reads. */
#include "internal.h"
#include "presets_table.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *buf;
  size_t len, cap;
  int oom;
} out;

static void put(out *o, const char *s, size_t n) {
  if (o->oom)
    return;
  if (o->len + n + 1 > o->cap) {
    size_t cap = o->cap ? o->cap : 32768;
    char *p;
    while (cap < o->len + n + 1)
      cap *= 2;
    if (!(p = realloc(o->buf, cap))) {
      o->oom = 1;
      return;
    }
    o->buf = p;
    o->cap = cap;
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}

static void puts_(out *o, const char *s) { put(o, s, strlen(s)); }

/* A JSON string of n bytes of s (the schema's and presets' text: UTF-8). */
static void str_n(out *o, const char *s, size_t n) {
  size_t i, run = 0;
  put(o, "\"", 1);
  for (i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '"' || ch == '\\' || ch < 0x20) {
      char esc[8];
      put(o, s + run, i - run);
      snprintf(esc, sizeof esc, ch == '"' || ch == '\\' ? "\\%c" : "\\u%04x", ch);
      puts_(o, esc);
      run = i + 1;
    }
  }
  put(o, s + run, n - run);
  put(o, "\"", 1);
}

static void str(out *o, const char *s) {
  if (s)
    str_n(o, s, strlen(s));
  else
    puts_(o, "null");
}

static void num(out *o, double v) {
  char t[32];
  snprintf(t, sizeof t, "%.15g", v);
  puts_(o, t);
}

/* ,"name": */
static void field(out *o, const char *name) {
  put(o, ",\"", 2);
  puts_(o, name);
  put(o, "\":", 2);
}

/* A NULL-terminated list as a JSON array. */
static void words(out *o, const char *const *list) {
  int i;
  put(o, "[", 1);
  for (i = 0; list && list[i]; i++) {
    if (i)
      put(o, ",", 1);
    str(o, list[i]);
  }
  put(o, "]", 1);
}

static const char *const kind_names[] = {"int",  "int64", "size",   "memory",
                                         "bool", "enum",  "number", "string"};

/* An enum's values: each printed name, its other spellings and its label. */
static void values(out *o, const gm_key *k) {
  const gm_name *v, *a;
  const char *label = k->labels;
  int first = 1;
  put(o, "[", 1);
  for (v = k->names; v->name; v++) {
    int more = 0;
    size_t len;
    if (gm_enum_name(k->names, v->value) != v->name)
      continue; /* an alias: listed under its value */
    if (!first)
      put(o, ",", 1);
    first = 0;
    puts_(o, "{\"name\":");
    str(o, v->name);
    puts_(o, ",\"aliases\":[");
    for (a = k->names; a->name; a++)
      if (a->value == v->value && a != v) {
        if (more++)
          put(o, ",", 1);
        str(o, a->name);
      }
    puts_(o, "],\"label\":");
    len = label ? strcspn(label, "|") : 0;
    if (label && len)
      str_n(o, label, len);
    else
      str(o, v->name);
    if (label) {
      label += len;
      label = *label == '|' ? label + 1 : NULL;
    }
    put(o, "}", 1);
  }
  put(o, "]", 1);
}

static void key_default(out *o, const gm_key *k) {
  if (k->rule || k->dflt == GM_NO_DEFAULT) {
    puts_(o, "null");
    return;
  }
  switch (k->kind) {
  case GM_K_BOOL:
    puts_(o, k->dflt != 0 ? "true" : "false");
    break;
  case GM_K_ENUM:
    str(o, gm_enum_name(k->names, (int)k->dflt));
    break;
  case GM_K_STRING:
    puts_(o, "null");
    break;
  default:
    num(o, k->dflt);
  }
}

static void one_key(out *o, const char *section, const gm_key *k) {
  int bounded = k->kind == GM_K_INT32 || k->kind == GM_K_INT64 || k->kind == GM_K_SIZE ||
                k->kind == GM_K_NUMBER;
  puts_(o, "{\"section\":");
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
    puts_(o, "null");
  field(o, "max");
  if (bounded)
    num(o, k->hi);
  else if (k->kind == GM_K_MEMORY)
    num(o, k->hi / GM_GIB); /* GiB */
  else
    puts_(o, "null");
  if (k->kind == GM_K_NUMBER) {
    field(o, "max_exclusive"); /* [min, max) */
    puts_(o, "true");
  }
  if (k->kind == GM_K_MEMORY) {
    field(o, "min_exclusive"); /* zero is refused: "more than zero" */
    puts_(o, k->lo != 0 ? "false" : "true");
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
  puts_(o, (k->flags & GM_KF_NOFIELD) && k->hook != GM_HOOK_TASK ? "false" : "true");
  put(o, "}", 1);
}

static void gpus(out *o) {
  const gm_gpu_preset *g;
  const char *const *a;
  put(o, "[", 1);
  for (g = gm_gpu_presets; g->id; g++) {
    if (g != gm_gpu_presets)
      put(o, ",", 1);
    puts_(o, "{\"id\":");
    str(o, g->id);
    field(o, "name");
    str(o, g->display_name);
    field(o, "aliases");
    put(o, "[", 1);
    for (a = g->aliases; *a; a++) {
      if (a != g->aliases)
        put(o, ",", 1);
      str(o, *a);
    }
    put(o, "]", 1);
    field(o, "memory_gb");
    num(o, (double)g->capacity_bytes / GM_GIB);
    field(o, "cuda_context_gb");
    num(o, (double)g->cuda_context_bytes / GM_GIB);
    put(o, "}", 1);
  }
  put(o, "]", 1);
}

static void models(out *o) {
  const gm_model_preset *p;
  put(o, "[", 1);
  for (p = gm_model_presets; p->id; p++) {
    if (p != gm_model_presets)
      put(o, ",", 1);
    puts_(o, "{\"id\":");
    str(o, p->id);
    field(o, "name");
    str(o, p->display_name[0] ? p->display_name : p->id);
    field(o, "aliases");
    put(o, "[", 1);
    if (p->hf_id[0])
      str(o, p->hf_id);
    put(o, "]}", 2);
  }
  put(o, "]", 1);
}

char *gm_schema_json(void) {
  out o = {NULL, 0, 0, 0};
  int s, first = 1;
  const gm_key *k;
  puts_(&o, "{\"keys\":[");
  for (s = 0; s < GM_SEC_COUNT; s++)
    for (k = gm_schema[s].keys; k->key; k++) {
      if (!first)
        put(&o, ",", 1);
      first = 0;
      one_key(&o, gm_schema[s].name, k);
    }
  puts_(&o, "],\"gpus\":");
  gpus(&o);
  puts_(&o, ",\"models\":");
  models(&o);
  puts_(&o, ",\"thresholds\":{\"safety_margin_default\":");
  num(&o, gm_default_safety_margin());
  field(&o, "max_config_bytes");
  num(&o, GM_MAX_CONFIG_BYTES);
  field(&o, "max_string_bytes");
  num(&o, GM_MAX_STRING_BYTES);
  puts_(&o, "}}\n");
  if (o.oom) {
    free(o.buf);
    return NULL;
  }
  o.buf[o.len] = '\0';
  return o.buf;
}
