/* run_cases.c - runs the data-driven cases of tests/cases through calc_json.
 *
 *   run_cases DIR          every .json case in DIR, sorted by name, then the preset check
 *   run_cases --calc FILE  print calc_json's output for the config in FILE ("-": stdin)
 *
 * A case: {"id", "description", "config": {...} | "config_text": "raw text",
 *          "expect": {"dotted.path": [value, rel_tol] | exact value | null (absent)}
 *          | "error": {"field": "...", "message_contains": "..."},
 *          "roundtrip": false (optional)}.
 * Paths index arrays by number: "stages.0.bytes.weights".
 *
 * Every successful case is also run again from its own "resolved" config,
 * which must give the same bytes: the printed config has to read back as
 * what was computed. ("roundtrip": false opts out, e.g. when the config
 * depends on an estimate.) And every model preset must count exactly the
 * parameters recorded for it in presets/models.json.
 *
 * Prints one line per failure and ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L

#include "gpumem.h"
#include "json_path.h"
#include "read_file.h"

#include <cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void fail(const char *id, const char *fmt, ...) {
  va_list ap;
  printf("FAIL %s: ", id);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

/* Compare one expectation; 1 when it holds. */
static int check(const char *id, const char *path, const cJSON *want, const cJSON *got) {
  char *w = cJSON_PrintUnformatted(want), *g = got ? cJSON_PrintUnformatted(got) : NULL;
  int ok = 0;
  if (cJSON_IsNull(want)) {
    ok = !got || cJSON_IsNull(got); /* null: absent or null */
  } else if (!got) {
    ok = 0;
  } else if (cJSON_IsArray(want)) {
    const cJSON *value = cJSON_GetArrayItem(want, 0), *tol = cJSON_GetArrayItem(want, 1);
    if (cJSON_GetArraySize(want) != 2 || !cJSON_IsNumber(value) || !cJSON_IsNumber(tol)) {
      fail(id, "%s: bad expectation %s (use [value, rel_tol])", path, w);
      free(w);
      free(g);
      return 0;
    }
    ok = cJSON_IsNumber(got) &&
         fabs(got->valuedouble - value->valuedouble) <=
             tol->valuedouble * (value->valuedouble != 0 ? fabs(value->valuedouble) : 1.0);
  } else if (cJSON_IsNumber(want)) {
    ok = cJSON_IsNumber(got) && got->valuedouble == want->valuedouble;
  } else if (cJSON_IsBool(want)) {
    ok = cJSON_IsBool(got) && cJSON_IsTrue(got) == cJSON_IsTrue(want);
  } else if (cJSON_IsString(want)) {
    ok = cJSON_IsString(got) && strcmp(got->valuestring, want->valuestring) == 0;
  }
  if (!ok)
    fail(id, "%s: expected %s, got %s", path, w, g ? g : "(missing)");
  free(w);
  free(g);
  return ok;
}

/* calc_json of a config object, parsed. */
static cJSON *calc_object(const cJSON *config) {
  char *text = cJSON_PrintUnformatted(config), *out;
  cJSON *result;
  if (!text)
    return NULL;
  out = calc_json(text);
  free(text);
  result = out ? cJSON_Parse(out) : NULL;
  calc_free(out);
  return result;
}

/* Run the result's resolved config again: bytes and parameters must match. */
static void roundtrip(const char *id, const cJSON *result) {
  static const char *const same[] = {
      "bytes", "stages", "parameters.total", "host_memory", "max_micro_batch_size", "fits_on_gpu"};
  char name[160];
  cJSON *again = calc_object(cJSON_GetObjectItemCaseSensitive(result, "resolved"));
  size_t i;
  int ok = 1;
  snprintf(name, sizeof name, "%s (resolved config run again)", id);
  if (!again || cJSON_GetObjectItemCaseSensitive(again, "error")) {
    char *e =
        again ? cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(again, "error")) : NULL;
    fail(name, "the resolved config is rejected: %s", e ? e : "(no output)");
    free(e);
    ok = 0;
  } else {
    for (i = 0; i < sizeof same / sizeof same[0]; i++) {
      const cJSON *a = gm_json_path(result, same[i]), *b = gm_json_path(again, same[i]);
      if (!a || !b || !cJSON_Compare(a, b, 1)) {
        char *x = a ? cJSON_PrintUnformatted(a) : NULL, *y = b ? cJSON_PrintUnformatted(b) : NULL;
        fail(name, "%s differs: first %.300s, again %.300s", same[i], x ? x : "(missing)",
             y ? y : "(missing)");
        free(x);
        free(y);
        ok = 0;
      }
    }
  }
  cJSON_Delete(again);
  if (ok)
    passed++;
  else
    failed++;
}

static void run_case(const char *dir, const char *file) {
  char path[1024], *text, *out = NULL, *config_text = NULL;
  cJSON *c = NULL, *result = NULL;
  const cJSON *id_v, *config, *raw, *expect, *error, *item;
  const char *id = file;
  int ok = 1;
  snprintf(path, sizeof path, "%s/%s", dir, file);
  text = gm_read_file(path, NULL);
  c = text ? cJSON_Parse(text) : NULL;
  free(text);
  if (!c) {
    fail(file, "cannot read the case, or it is not valid JSON");
    failed++;
    return;
  }
  id_v = cJSON_GetObjectItemCaseSensitive(c, "id");
  if (cJSON_IsString(id_v))
    id = id_v->valuestring;
  config = cJSON_GetObjectItemCaseSensitive(c, "config");
  raw = cJSON_GetObjectItemCaseSensitive(c, "config_text");
  expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
  error = cJSON_GetObjectItemCaseSensitive(c, "error");
  if (cJSON_IsString(raw))
    config_text = raw->valuestring;
  else if (config)
    config_text = cJSON_PrintUnformatted(config);
  if (!config_text || (!cJSON_IsObject(expect) && !cJSON_IsObject(error))) {
    fail(id, "a case needs config (or config_text) and expect (or error)");
    ok = 0;
    goto done;
  }
  out = calc_json(config_text);
  result = out ? cJSON_Parse(out) : NULL;
  if (!result) {
    fail(id, "calc_json gave no JSON: %.200s", out ? out : "(NULL)");
    ok = 0;
    goto done;
  }
  if (cJSON_IsObject(error)) {
    const cJSON *want_field = cJSON_GetObjectItemCaseSensitive(error, "field");
    const cJSON *want_text = cJSON_GetObjectItemCaseSensitive(error, "message_contains");
    const cJSON *got = cJSON_GetObjectItemCaseSensitive(result, "error");
    const cJSON *field = cJSON_GetObjectItemCaseSensitive(got, "field");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(got, "message");
    if (!cJSON_IsString(field) || !cJSON_IsString(message)) {
      fail(id, "expected an error at %s, got a result",
           cJSON_IsString(want_field) ? want_field->valuestring : "?");
      ok = 0;
    } else {
      if (cJSON_IsString(want_field) && strcmp(want_field->valuestring, field->valuestring) != 0) {
        fail(id, "error field: expected \"%s\", got \"%s\" (%s)", want_field->valuestring,
             field->valuestring, message->valuestring);
        ok = 0;
      }
      if (cJSON_IsString(want_text) && !strstr(message->valuestring, want_text->valuestring)) {
        fail(id, "error message: expected it to contain \"%s\", got \"%s\"", want_text->valuestring,
             message->valuestring);
        ok = 0;
      }
    }
  } else {
    const cJSON *got_error = cJSON_GetObjectItemCaseSensitive(result, "error");
    if (got_error) {
      char *e = cJSON_PrintUnformatted(got_error);
      fail(id, "expected a result, got error %s", e ? e : "?");
      free(e);
      ok = 0;
    } else {
      cJSON_ArrayForEach(item, expect) {
        if (!check(id, item->string, item, gm_json_path(result, item->string)))
          ok = 0;
      }
    }
  }
done:
  if (ok)
    passed++;
  else
    failed++;
  if (ok && cJSON_IsObject(expect) &&
      !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(c, "roundtrip")) &&
      !cJSON_IsTrue(gm_json_path(result, "parameters.estimated")))
    roundtrip(id, result);
  if (config_text && !cJSON_IsString(raw))
    free(config_text);
  calc_free(out);
  cJSON_Delete(result);
  cJSON_Delete(c);
}

/* Every model preset must count exactly the parameters presets/models.json records. */
static void check_presets(void) {
  cJSON *presets = cJSON_Parse(gm_presets_json());
  const cJSON *entry;
  cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(presets, "models")) {
    char id[160];
    cJSON *config = cJSON_CreateObject(), *model = cJSON_AddObjectToObject(config, "model");
    cJSON *result;
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(entry, "parameters");
    cJSON_AddStringToObject(model, "preset", entry->string);
    snprintf(id, sizeof id, "preset %s", entry->string);
    result = calc_object(config);
    if (check(id, "parameters.total", want, gm_json_path(result, "parameters.total")))
      passed++;
    else
      failed++;
    cJSON_Delete(result);
    cJSON_Delete(config);
  }
  cJSON_Delete(presets);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  DIR *d;
  struct dirent *e;
  char **names = NULL;
  size_t n = 0, cap = 0, i;
  if (argc == 3 && strcmp(argv[1], "--calc") == 0) {
    char *text = gm_read_file(argv[2], NULL), *out;
    if (!text) {
      fprintf(stderr, "run_cases: cannot read %s\n", argv[2]);
      return 1;
    }
    out = calc_json(text);
    free(text);
    if (!out)
      return 1;
    fputs(out, stdout);
    calc_free(out);
    return 0;
  }
  if (argc != 2) {
    fprintf(stderr, "usage: run_cases DIR | run_cases --calc FILE\n");
    return 2;
  }
  d = opendir(argv[1]);
  if (!d) {
    fprintf(stderr, "run_cases: cannot open %s\n", argv[1]);
    return 1;
  }
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
      continue;
    if (n == cap) {
      char **p = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
      if (!p)
        return 1;
      names = p;
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof *names, by_name);
  for (i = 0; i < n; i++) {
    if (names[i])
      run_case(argv[1], names[i]);
    free(names[i]);
  }
  free(names);
  check_presets();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
