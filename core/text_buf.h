/* text_buf.h - a growing NUL-terminated string, for the JSON texts written by
 * hand (the schema export, the planner's configs). Once an allocation fails
 * the buffer stops growing and `oom` stays set; the caller then frees buf. */
#ifndef GM_TEXT_BUF_H
#define GM_TEXT_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct {
  char *buf; /* malloc'd; NULL until the first add; NUL-terminated after each add */
  size_t len, cap;
  int oom;
} gm_text_buf;

/* Makes room for n more bytes and the NUL; 0 when memory ran out (oom set). */
int gm_text_grow(gm_text_buf *b, size_t n);
/* Appends the n bytes of s. Inline: the answers are written in many small
 * pieces, most of which fit the room already there. */
static inline void gm_text_add(gm_text_buf *b, const char *s, size_t n) {
  if (b->oom || (b->cap - b->len < n + 1 && !gm_text_grow(b, n)))
    return;
  memcpy(b->buf + b->len, s, n);
  b->len += n;
  b->buf[b->len] = '\0';
}
/* A string literal, its length known at compile time. */
#define gm_text_addl(b, literal) gm_text_add(b, literal, sizeof literal - 1)
/* Appends the string s. */
void gm_text_adds(gm_text_buf *b, const char *s);
/* The text, handed to the caller (free() it); NULL when memory ran out,
 * then the buffer is freed here. */
char *gm_text_take(gm_text_buf *b);

#endif
