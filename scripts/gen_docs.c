/* gen_docs.c - the key tables of docs/config.md, made from the schema
 * (gm_schema_json(), core/schema.c), so the reference cannot drift from
 * what the core reads.
 *   gen_docs docs/config.md           rewrite the tables between the markers
 *   gen_docs --check docs/config.md   exit 1 when the file differs from the schema
 * A table sits between "<!-- schema:SECTION -->" and "<!-- /schema:SECTION -->";
 * "<!-- schema:model-aliases -->" holds the Hugging Face spellings. */
#include "gpumem.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *buf;
  size_t len, cap;
} text;

static void add(text *t, const char *s, size_t n) {
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 65536;
    while (cap < t->len + n + 1)
      cap *= 2;
    t->buf = realloc(t->buf, cap);
    if (!t->buf) {
      fprintf(stderr, "gen_docs: out of memory\n");
      exit(2);
    }
    t->cap = cap;
  }
  memcpy(t->buf + t->len, s, n);
  t->len += n;
  t->buf[t->len] = '\0';
}

static void adds(text *t, const char *s) { add(t, s, strlen(s)); }

static void addf(text *t, const char *fmt, double v) {
  char b[64];
  snprintf(b, sizeof b, fmt, v);
  adds(t, b);
}

/* Text for a table cell: '|' escaped. */
static void cell(text *t, const char *s) {
  for (; *s; s++) {
    if (*s == '|')
      adds(t, "\\|");
    else
      add(t, s, 1);
  }
}

static const char *str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *o, const char *k, int *ok) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  *ok = cJSON_IsNumber(v);
  return *ok ? v->valuedouble : 0;
}

/* A bound: powers of ten as 10^k, the rest as they are. */
static void bound(text *t, double v) {
  double p = 1e6;
  int e = 6;
  for (; p <= v && e <= 18; p *= 10, e++)
    if (p == v) {
      addf(t, "10^%.0f", e);
      return;
    }
  addf(t, "%.15g", v);
}

static void type_cell(text *t, const cJSON *k) {
  const char *kind = str(k, "kind");
  const cJSON *v;
  int has_min, has_max;
  double lo = num(k, "min", &has_min), hi = num(k, "max", &has_max);
  if (strcmp(kind, "enum") == 0) {
    int first = 1;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(k, "values")) {
      adds(t, first ? "`" : " \\| `");
      cell(t, str(v, "name"));
      adds(t, "`");
      first = 0;
    }
    return;
  }
  adds(t, strcmp(kind, "int64") == 0 ? "int" : kind);
  if (has_min && has_max && strcmp(kind, "memory") == 0) {
    adds(t, ", GiB, at most ");
    bound(t, hi);
    return;
  }
  if (has_min && has_max) {
    adds(t, " ");
    bound(t, lo);
    adds(t,
         cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "max_exclusive")) ? " to below " : "–");
    bound(t, hi);
  }
  if (str(k, "unit") && strcmp(kind, "memory") != 0) {
    adds(t, ", ");
    cell(t, str(k, "unit"));
  }
}

static void default_cell(text *t, const cJSON *k) {
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(k, "default");
  const char *rule = str(k, "default_rule");
  if (rule)
    cell(t, rule);
  else if (cJSON_IsString(d)) {
    adds(t, "`");
    cell(t, d->valuestring);
    adds(t, "`");
  } else if (cJSON_IsBool(d))
    adds(t, cJSON_IsTrue(d) ? "true" : "false");
  else if (cJSON_IsNumber(d))
    addf(t, "%.15g", d->valuedouble);
  else
    adds(t, "–");
}

static void meaning_cell(text *t, const cJSON *k) {
  const char *doc = str(k, "doc");
  const cJSON *a, *v;
  int n = 0;
  cell(t, doc ? doc : "");
  cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(k, "aliases")) {
    adds(t, n++ ? ", `" : ". Also `");
    cell(t, a->valuestring);
    adds(t, "`");
  }
  n = 0;
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(k, "values")) {
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(v, "aliases")) {
      adds(t, n++ ? ", `" : ". Other spellings: `");
      cell(t, a->valuestring);
      adds(t, "` (= `");
      cell(t, str(v, "name"));
      adds(t, "`)");
    }
  }
}

static void section_table(text *t, const cJSON *keys, const char *section) {
  const cJSON *k;
  adds(t, "| key | type | default | meaning |\n|---|---|---|---|\n");
  cJSON_ArrayForEach(k, keys) {
    if (strcmp(str(k, "section"), section) != 0)
      continue;
    adds(t, "| `");
    cell(t, str(k, "key"));
    adds(t, "` | ");
    type_cell(t, k);
    adds(t, " | ");
    default_cell(t, k);
    adds(t, " | ");
    meaning_cell(t, k);
    adds(t, " |\n");
  }
}

static void alias_table(text *t, const cJSON *keys) {
  const cJSON *k, *a;
  adds(t, "| Hugging Face key | native key |\n|---|---|\n");
  cJSON_ArrayForEach(k, keys) {
    int n = 0;
    if (strcmp(str(k, "section"), "model") != 0 ||
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(k, "aliases")) == 0)
      continue;
    adds(t, "| ");
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(k, "aliases")) {
      adds(t, n++ ? ", `" : "`");
      cell(t, a->valuestring);
      adds(t, "`");
    }
    adds(t, " | `");
    cell(t, str(k, "key"));
    adds(t, "` |\n");
  }
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  text t = {NULL, 0, 0};
  char buf[8192];
  size_t n;
  if (!f)
    return NULL;
  adds(&t, "");
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    add(&t, buf, n);
  fclose(f);
  return t.buf;
}

int main(int argc, char **argv) {
  static const char *const names[] = {"model",       "model-aliases", "training",
                                      "parallelism", "engine",        "hardware"};
  int check = argc == 3 && strcmp(argv[1], "--check") == 0, i;
  const char *path = argv[argc - 1];
  char *old, *schema_text = gm_schema_json();
  cJSON *schema = schema_text ? cJSON_Parse(schema_text) : NULL;
  const cJSON *keys = cJSON_GetObjectItemCaseSensitive(schema, "keys");
  text out = {NULL, 0, 0};
  const char *at;
  if (argc != 2 && !check) {
    fprintf(stderr, "usage: gen_docs [--check] docs/config.md\n");
    return 2;
  }
  if (!cJSON_IsArray(keys) || !(old = slurp(path))) {
    fprintf(stderr, "gen_docs: cannot read the schema or %s\n", path);
    return 2;
  }
  /* Each marked block is replaced, in file order; the text around is kept. */
  at = old;
  adds(&out, "");
  for (;;) {
    const char *open = strstr(at, "<!-- schema:"), *close, *end;
    char name[32], closing[64];
    size_t len;
    if (!open)
      break;
    end = strstr(open, " -->");
    len = end ? (size_t)(end - open - 12) : 0;
    if (!end || len == 0 || len >= sizeof name) {
      fprintf(stderr, "gen_docs: %s: a malformed schema marker\n", path);
      return 2;
    }
    memcpy(name, open + 12, len);
    name[len] = '\0';
    snprintf(closing, sizeof closing, "<!-- /schema:%s -->", name);
    if (!(close = strstr(end, closing))) {
      fprintf(stderr, "gen_docs: %s: no %s\n", path, closing);
      return 2;
    }
    for (i = 0; i < (int)(sizeof names / sizeof names[0]) && strcmp(names[i], name) != 0; i++)
      ;
    if (i == (int)(sizeof names / sizeof names[0])) {
      fprintf(stderr, "gen_docs: %s: unknown table \"%s\"\n", path, name);
      return 2;
    }
    add(&out, at, (size_t)(end + 4 - at));
    adds(&out, "\n");
    if (strcmp(name, "model-aliases") == 0)
      alias_table(&out, keys);
    else
      section_table(&out, keys, name);
    at = close;
  }
  adds(&out, at);
  if (check) {
    if (strcmp(out.buf, old) != 0) {
      fprintf(stderr,
              "gen_docs: %s differs from the schema (core/schema.c); run `make docs` to "
              "regenerate its key tables\n",
              path);
      return 1;
    }
    printf("gen_docs: %s agrees with the schema\n", path);
  } else {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(out.buf, 1, out.len, f) != out.len || fclose(f) != 0) {
      fprintf(stderr, "gen_docs: cannot write %s\n", path);
      return 2;
    }
  }
  cJSON_Delete(schema);
  calc_free(schema_text);
  free(old);
  free(out.buf);
  return 0;
}
