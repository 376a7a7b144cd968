/* c_literal.h - the generators' one way to write a C string literal. */
#ifndef GM_C_LITERAL_H
#define GM_C_LITERAL_H

#include <stdio.h>

/* s as a C string literal on stdout; bytes outside printable ASCII as octal
 * escapes, '?' too (it could start a trigraph). */
static void put_c_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\')
      printf("\\%c", ch);
    else if (ch < 0x20 || ch >= 0x7f || ch == '?')
      printf("\\%03o", ch);
    else
      putchar(ch);
  }
  putchar('"');
}

#endif
