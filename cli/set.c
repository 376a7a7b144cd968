/* set.c - --set section.key=value: one key of a config, by its dotted path. */
#include "cli.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 8

/* The value as JSON when the whole text is JSON, else as a string. */
static cJSON *value_of(const char *text) {
  const char *end = NULL;
  cJSON *v = cJSON_ParseWithOpts(text, &end, 1);
  return v ? v : cJSON_CreateString(text);
}

int cli_set(cJSON *config, const char *assignment, char *msg, size_t n) {
  const char *eq = strchr(assignment, '='), *p = assignment;
  cJSON *obj = config, *value;
  char key[128];
  int depth = 0;
  if (!eq || eq == assignment) {
    snprintf(msg, n, "--set takes section.key=value, got '%s'", assignment);
    return -1;
  }
  for (;;) {
    size_t len = strcspn(p, ".=");
    cJSON *next;
    if (len == 0 || len >= sizeof key || ++depth > MAX_DEPTH) {
      snprintf(msg, n, "--set: '%.*s' is not a key path like training.seq_len",
               (int)(eq - assignment), assignment);
      return -1;
    }
    memcpy(key, p, len);
    key[len] = '\0';
    p += len;
    if (*p == '=')
      break;
    p++; /* '.' */
    next = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!next) {
      next = cJSON_AddObjectToObject(obj, key);
    } else if (!cJSON_IsObject(next)) {
      snprintf(msg, n, "--set %.*s: '%s' holds a value, not a section", (int)(eq - assignment),
               assignment, key);
      return -1;
    }
    if (!next) {
      snprintf(msg, n, "out of memory");
      return -1;
    }
    obj = next;
  }
  value = value_of(eq + 1);
  if (!value) {
    snprintf(msg, n, "out of memory");
    return -1;
  }
  if (cJSON_GetObjectItemCaseSensitive(obj, key))
    cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
  else
    cJSON_AddItemToObject(obj, key, value);
  return 0;
}

int cli_margin_share(const char *arg, char *out, size_t n) {
  size_t len = strlen(arg);
  char number[64];
  double v;
  /* People write a margin as a percentage; the config keeps a share. */
  if (len > 1 && len < sizeof number && arg[len - 1] == '%') {
    memcpy(number, arg, len - 1);
    number[len - 1] = '\0';
    if (gm_is_json_number(number)) {
      snprintf(out, n, "%.15g", strtod(number, NULL) / 100.0);
      return 0;
    }
  }
  /* A whole percentage without its sign: say how to write it, not guess. */
  if (gm_is_json_number(arg) && (v = strtod(arg, NULL)) > 1 && v <= 100) {
    snprintf(out, n, "--margin %.20s: a share below 1 (%.15g) or a percentage (%.20s%%)", arg,
             v / 100.0, arg);
    return -1;
  }
  snprintf(out, n, "%s", arg);
  return 0;
}
