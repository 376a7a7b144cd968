/* utf8.c - well-formed UTF-8 sequences (RFC 3629). */
#include "utf8.h"

size_t gm_utf8_seq(const unsigned char *s, size_t n, unsigned *cp) {
  unsigned char ch = n ? s[0] : 0;
  size_t len = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 0, k;
  unsigned c = len == 4 ? ch & 0x07u : len == 3 ? ch & 0x0Fu : ch & 0x1Fu;
  for (k = 1; k < len; k++) {
    unsigned char cb = k < n ? s[k] : 0;
    if ((cb & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (cb & 0x3Fu);
  }
  if (len == 0 || ch > 0xF4 || (len == 2 && c < 0x80) ||
      (len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
      (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
    return 0;
  *cp = c;
  return len;
}
