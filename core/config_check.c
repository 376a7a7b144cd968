/* config_check.c - checks of a config's text and tree before any value is
 * read: its size, NUL characters, duplicate keys and over-long strings.
 *
 * A config must mean one thing to every reader. JSON parsers disagree on
 * duplicate keys (cJSON takes the first, JavaScript the last) and a C string
 * ends at an escaped NUL ("training\u0000" reads as "training" here and as
 * another key in a browser), so both are errors rather than a choice. */
#include "config.h"
#include "fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Small objects are checked pairwise; larger ones sorted. */
#define PAIRWISE_KEYS 32

int gm_check_config_text(gm_parse_ctx *c, const char *json) {
  size_t n = strlen(json);
  if (n > GM_MAX_CONFIG_BYTES)
    return gm_fail(c, "", "the config is %zu bytes; at most %d are accepted", n,
                   GM_MAX_CONFIG_BYTES);
  return GM_OK;
}

/* ---- NUL characters: found in the text, since the tree cannot show them -- */

/* Append text (at most n bytes of it) to path, as far as it fits. */
static size_t append(char *path, size_t size, size_t len, const char *text, size_t n) {
  while (n-- > 0 && *text && len + 1 < size)
    path[len++] = *text++;
  path[len] = '\0';
  return len;
}

static int hex(char ch) {
  return ch >= '0' && ch <= '9'   ? ch - '0'
         : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
         : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                  : -1;
}

/* The string literal at s (its opening quote): appends its text to path
 * (NUL written as the six characters \u0000), sets *nul when it holds one,
 * and returns its closing quote. */
static const char *scan_string(const char *s, char *path, size_t size, size_t *len, int *nul) {
  for (s++; *s && *s != '"'; s++) {
    char ch = *s;
    if (ch == '\\' && s[1]) {
      s++;
      if (*s == 'u' && hex(s[1]) >= 0 && hex(s[2]) >= 0 && hex(s[3]) >= 0 && hex(s[4]) >= 0) {
        int cp = hex(s[1]) << 12 | hex(s[2]) << 8 | hex(s[3]) << 4 | hex(s[4]);
        s += 4;
        if (cp == 0) {
          *nul = 1;
          *len = append(path, size, *len, "\\u0000", 6);
          continue;
        }
        ch = cp < 0x80 ? (char)cp : '?';
      } else {
        ch = *s == 'n' || *s == 't' || *s == 'r' || *s == 'b' || *s == 'f' ? ' ' : *s;
      }
    }
    *len = append(path, size, *len, &ch, 1);
  }
  return s;
}

/* The first key or string of text (valid JSON, an object) that holds a NUL:
 * 1 with its path in path, 0 when there is none. */
static int find_nul(const char *text, char *path, size_t size, int *in_key) {
  /* Per open object or array: the path length at its start, and for an
   * array the index of the current element (-1 for an object). */
  static const int max_depth = CJSON_NESTING_LIMIT + 1;
  size_t mark[CJSON_NESTING_LIMIT + 1], len = 0;
  long index[CJSON_NESTING_LIMIT + 1];
  int depth = 0, expect_key = 0;
  char number[24];
  const char *s;
  path[0] = '\0';
  for (s = text; *s; s++) {
    switch (*s) {
    case '{':
    case '[':
      if (depth >= max_depth)
        return 0; /* cJSON refuses deeper text */
      mark[depth] = len;
      index[depth] = *s == '[' ? 0 : -1;
      depth++;
      expect_key = *s == '{';
      if (*s == '[')
        len = append(path, size, len, len ? ".0" : "0", 2);
      break;
    case '}':
    case ']':
      if (depth > 0)
        len = mark[--depth];
      path[len] = '\0';
      break;
    case ',':
      if (depth == 0)
        break;
      len = mark[depth - 1];
      path[len] = '\0';
      if (index[depth - 1] < 0) {
        expect_key = 1;
      } else {
        snprintf(number, sizeof number, "%s%ld", len ? "." : "", ++index[depth - 1]);
        len = append(path, size, len, number, sizeof number);
      }
      break;
    case ':':
      expect_key = 0;
      break;
    case '"': {
      int nul = 0;
      size_t before = len;
      if (expect_key && depth > 0) {
        len = mark[depth - 1];
        if (len)
          len = append(path, size, len, ".", 1);
        s = scan_string(s, path, size, &len, &nul);
        if (nul) {
          *in_key = 1;
          return 1;
        }
      } else {
        char ignored[8];
        size_t none = 0;
        s = scan_string(s, ignored, sizeof ignored, &none, &nul);
        len = before;
        if (nul) {
          *in_key = 0;
          return 1;
        }
      }
      if (!*s)
        return 0;
      break;
    }
    default:
      break;
    }
  }
  return 0;
}

/* ---- Duplicate keys and string lengths: on the tree ----------------------- */

typedef struct {
  gm_parse_ctx *c;
  char path[64];
} walk;

/* Where the walk is: a member (key) or element (index, key NULL) of the
 * value at up; the root is NULL. The path is only written for an error. */
typedef struct place {
  const struct place *up;
  const char *key;
  long index;
} place;

static int by_key(const void *a, const void *b) {
  return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* path[0..len) followed by ".key", or key alone at the top. */
static void key_path(walk *w, size_t len, const char *key) {
  if (len && len + 1 < sizeof w->path)
    w->path[len++] = '.';
  gm_snprintf(w->path + len, sizeof w->path - len, "%s", key);
}

/* path[0..len) followed by ".i". */
static void index_path(walk *w, size_t len, long i) {
  gm_snprintf(w->path + len, sizeof w->path - len, "%s%ld", len ? "." : "", i);
}

/* The path of p, "training.batch_size" or "model.architectures.0", in w->path. */
static void write_path(walk *w, const place *p) {
  if (!p) {
    w->path[0] = '\0';
    return;
  }
  write_path(w, p->up);
  if (p->key)
    key_path(w, strlen(w->path), p->key);
  else
    index_path(w, strlen(w->path), p->index);
}

static int duplicate(walk *w, const place *p, const char *key) {
  write_path(w, p);
  key_path(w, strlen(w->path), key);
  return gm_fail(w->c, w->path, "appears twice in one object; give each key once");
}

/* A duplicate key among the members of obj (at p), if any. */
static int check_duplicates(walk *w, const cJSON *obj, const place *p) {
  const cJSON *a, *b, **keys;
  size_t n = 0, i;
  cJSON_ArrayForEach(a, obj) n++;
  if (n <= PAIRWISE_KEYS) {
    cJSON_ArrayForEach(a, obj) {
      if (!a->string)
        continue;
      for (b = a->next; b; b = b->next)
        if (b->string && a->string[0] == b->string[0] && strcmp(a->string, b->string) == 0)
          return duplicate(w, p, a->string);
    }
    return GM_OK;
  }
  keys = malloc(n * sizeof *keys);
  if (!keys)
    return gm_fail(w->c, "", "out of memory");
  n = 0;
  cJSON_ArrayForEach(a, obj) {
    if (a->string)
      keys[n++] = a;
  }
  qsort(keys, n, sizeof *keys, by_key);
  for (i = 1; i < n; i++)
    if (strcmp(keys[i - 1]->string, keys[i]->string) == 0) {
      int rc = duplicate(w, p, keys[i]->string);
      free(keys);
      return rc;
    }
  free(keys);
  return GM_OK;
}

static int check_value(walk *w, const cJSON *v, const place *p);

static int check_members(walk *w, const cJSON *v, const place *p) {
  const cJSON *item;
  int object = cJSON_IsObject(v);
  place at = {p, NULL, 0};
  if (object && check_duplicates(w, v, p) != GM_OK)
    return GM_EINVAL;
  cJSON_ArrayForEach(item, v) {
    if (object) {
      at.key = item->string ? item->string : "";
      if (strlen(at.key) > GM_MAX_STRING_BYTES) {
        write_path(w, &at);
        return gm_fail(w->c, w->path, "a key is at most %d bytes long", GM_MAX_STRING_BYTES);
      }
    }
    if (check_value(w, item, &at) != GM_OK)
      return GM_EINVAL;
    at.index++;
  }
  return GM_OK;
}

static int check_value(walk *w, const cJSON *v, const place *p) {
  if (cJSON_IsString(v) && v->valuestring && strlen(v->valuestring) > GM_MAX_STRING_BYTES) {
    write_path(w, p);
    return gm_fail(w->c, w->path, "a string is at most %d bytes long; got %zu", GM_MAX_STRING_BYTES,
                   strlen(v->valuestring));
  }
  if (cJSON_IsObject(v) || cJSON_IsArray(v))
    return check_members(w, v, p);
  return GM_OK;
}

int gm_check_config_tree(gm_parse_ctx *c, const char *json, const cJSON *root) {
  walk w;
  int in_key = 0;
  if (strstr(json, "\\u0000") && find_nul(json, w.path, sizeof w.path, &in_key))
    return gm_fail(c, w.path, "%s contains a NUL character (\\u0000), which a config may not hold",
                   in_key ? "the key" : "the string");
  w.c = c;
  w.path[0] = '\0';
  return check_value(&w, root, NULL);
}
