/* text_buf.c - a growing NUL-terminated string (text_buf.h). */
#include "text_buf.h"

#include <stdlib.h>
#include <string.h>

int gm_text_grow(gm_text_buf *b, size_t n) {
  size_t cap = b->cap ? b->cap : 4096;
  char *p;
  if (b->oom)
    return 0;
  while (cap - b->len < n + 1) {
    if (cap > ((size_t)-1) / 4) {
      b->oom = 1;
      return 0;
    }
    cap *= 2;
  }
  if (!(p = realloc(b->buf, cap))) {
    b->oom = 1;
    return 0;
  }
  b->buf = p, b->cap = cap;
  return 1;
}

void gm_text_adds(gm_text_buf *b, const char *s) { gm_text_add(b, s, strlen(s)); }

char *gm_text_take(gm_text_buf *b) {
  char *t = b->buf;
  if (b->oom || !t) {
    free(t);
    t = NULL;
  }
  b->buf = NULL, b->len = b->cap = 0;
  return t;
}
