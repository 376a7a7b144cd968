/* config_json.c - a config's text as a cJSON tree built in two blocks (one
 * for the nodes, one for the strings) and freed at once: cJSON allocates and
 * frees every node and string, which cost a config more than reading it.
 *
 * It reads what cJSON reads, to the same values, and gives up (NULL) on
 * anything it is not sure cJSON reads alike: escaped NUL characters and
 * surrogates, whitespace other than space, tab, CR and LF, deep nesting.
 * The caller then parses with cJSON, whose answer (or error position) is the
 * one that counts. The tree must only be read: cJSON may not free it. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct gm_json_block {
  struct gm_json_block *next;
  size_t used, size;
  cJSON nodes[];
};

typedef struct {
  const char *p;
  gm_json_doc *doc;
  int depth;
} reader;

static cJSON *new_node(reader *r) {
  struct gm_json_block *b = r->doc->blocks;
  if (!b || b->used == b->size) {
    size_t size = b ? b->size * 2 : 32;
    struct gm_json_block *n = malloc(sizeof *n + size * sizeof n->nodes[0]);
    if (!n)
      return NULL;
    n->next = b;
    n->used = 0;
    n->size = size;
    r->doc->blocks = b = n;
  }
  memset(&b->nodes[b->used], 0, sizeof b->nodes[0]);
  return &b->nodes[b->used++];
}

static void skip_space(reader *r) {
  while (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t')
    r->p++;
}

static int hex(char ch) {
  return ch >= '0' && ch <= '9'   ? ch - '0'
         : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
         : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                  : -1;
}

/* The string at r->p (its opening quote), decoded into the strings block. */
static char *read_string(reader *r) {
  char *out = r->doc->strings + r->doc->strings_used, *start = out;
  const char *p = r->p + 1;
  for (; *p != '"'; p++) {
    unsigned cp;
    int i, d;
    if (*p == '\0')
      return NULL;
    if (*p != '\\') {
      *out++ = *p;
      continue;
    }
    switch (*++p) {
    case 'b':
      *out++ = '\b';
      break;
    case 'f':
      *out++ = '\f';
      break;
    case 'n':
      *out++ = '\n';
      break;
    case 'r':
      *out++ = '\r';
      break;
    case 't':
      *out++ = '\t';
      break;
    case '"':
    case '\\':
    case '/':
      *out++ = *p;
      break;
    case 'u':
      for (cp = 0, i = 1; i <= 4; i++) {
        if ((d = hex(p[i])) < 0)
          return NULL;
        cp = cp << 4 | (unsigned)d;
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
        return NULL; /* cJSON's own rules: left to it */
      p += 4;
      if (cp < 0x80) {
        *out++ = (char)cp;
      } else if (cp < 0x800) {
        *out++ = (char)(0xC0 | cp >> 6);
        *out++ = (char)(0x80 | (cp & 0x3F));
      } else {
        *out++ = (char)(0xE0 | cp >> 12);
        *out++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *out++ = (char)(0x80 | (cp & 0x3F));
      }
      break;
    default:
      return NULL;
    }
  }
  *out++ = '\0';
  r->doc->strings_used += (size_t)(out - start);
  r->p = p + 1;
  return start;
}

/* A number as cJSON reads one: the run of characters it takes, all of
 * which strtod must read. */
static int read_number(reader *r, cJSON *item) {
  const char *p = r->p, *run = p + strspn(p, "0123456789+-eE."), *digits = p + (*p == '-');
  double x;
  if (run - digits >= 1 && run - digits <= 15 &&
      strspn(digits, "0123456789") == (size_t)(run - digits)) {
    /* A whole number of up to 15 digits is exact in a double, as strtod gives it. */
    int64_t v = 0;
    for (; digits < run; digits++)
      v = v * 10 + (*digits - '0');
    x = *p == '-' ? -(double)v : (double)v;
  } else {
    char *end;
    x = strtod(p, &end);
    if (end != run || end == p)
      return 0;
  }
  item->type = cJSON_Number;
  item->valuedouble = x;
  item->valueint = x >= INT_MAX ? INT_MAX : x <= (double)INT_MIN ? INT_MIN : (int)x;
  r->p = run;
  return 1;
}

static int read_value(reader *r, cJSON *item);

/* null, true or false, spelled out. */
static int read_literal(reader *r, cJSON *item, int type, const char *word) {
  size_t n = strlen(word);
  if (strncmp(r->p, word, n) != 0)
    return 0;
  item->type = type;
  item->valueint = type == cJSON_True; /* as cJSON sets it */
  r->p += n;
  return 1;
}

/* The members of an object or the elements of an array, r->p at its bracket. */
static int read_members(reader *r, cJSON *item, int object) {
  cJSON *last = NULL;
  char close = object ? '}' : ']';
  if (++r->depth >= CJSON_NESTING_LIMIT)
    return 0;
  item->type = object ? cJSON_Object : cJSON_Array;
  r->p++;
  skip_space(r);
  if (*r->p == close) {
    r->p++;
    r->depth--;
    return 1;
  }
  for (;;) {
    cJSON *child = new_node(r);
    if (!child)
      return 0;
    if (last) {
      last->next = child;
      child->prev = last;
    } else {
      item->child = child;
    }
    last = child;
    item->child->prev = child; /* cJSON's head points back at the tail */
    if (object) {
      if (*r->p != '"' || !(child->string = read_string(r)))
        return 0;
      skip_space(r);
      if (*r->p++ != ':')
        return 0;
      skip_space(r);
    }
    if (!read_value(r, child))
      return 0;
    skip_space(r);
    if (*r->p == close)
      break;
    if (*r->p != ',')
      return 0;
    r->p++;
    skip_space(r);
  }
  r->p++;
  r->depth--;
  return 1;
}

static int read_value(reader *r, cJSON *item) {
  switch (*r->p) {
  case '{':
    return read_members(r, item, 1);
  case '[':
    return read_members(r, item, 0);
  case '"':
    item->type = cJSON_String;
    return (item->valuestring = read_string(r)) != NULL;
  case 'n':
    return read_literal(r, item, cJSON_NULL, "null");
  case 't':
    return read_literal(r, item, cJSON_True, "true");
  case 'f':
    return read_literal(r, item, cJSON_False, "false");
  default:
    return (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) && read_number(r, item);
  }
}

const cJSON *gm_json_parse(const char *text, gm_json_doc *doc) {
  reader r = {text, doc, 0};
  cJSON *root;
  memset(doc, 0, sizeof *doc);
  /* Decoded strings are no longer than their text: one block holds them. */
  if (!(doc->strings = malloc(strlen(text) + 1)) || !(root = new_node(&r)))
    goto fail;
  skip_space(&r);
  if (!read_value(&r, root))
    goto fail;
  skip_space(&r);
  if (*r.p == '\0')
    return root;
fail:
  gm_json_free(doc);
  return NULL;
}

void gm_json_free(gm_json_doc *doc) {
  struct gm_json_block *b = doc->blocks, *next;
  for (; b; b = next) {
    next = b->next;
    free(b);
  }
  free(doc->strings);
  memset(doc, 0, sizeof *doc);
}
