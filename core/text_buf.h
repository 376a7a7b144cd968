/* text_buf.h - a growing NUL-terminated string, for the JSON texts written by
 * hand (the schema export, the planner's configs). Once an allocation fails
 * the buffer stops growing and `oom` stays set; the caller then frees buf. */
#ifndef GM_TEXT_BUF_H
#define GM_TEXT_BUF_H

#include <stddef.h>

typedef struct {
  char *buf; /* malloc'd; NULL until the first add; NUL-terminated after each add */
  size_t len, cap;
  int oom;
} gm_text_buf;

/* Appends the n bytes of s. */
void gm_text_add(gm_text_buf *b, const char *s, size_t n);
/* Appends the string s. */
void gm_text_adds(gm_text_buf *b, const char *s);
/* The text, handed to the caller (free() it); NULL when memory ran out,
 * then the buffer is freed here. */
char *gm_text_take(gm_text_buf *b);

#endif
