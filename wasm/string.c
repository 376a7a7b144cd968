/* string.c - the string searches of the WebAssembly module as plain loops.
 * musl's work a word at a time (strlen, strchr, memchr), through a bit set
 * (strspn, strcspn) or by the two-way algorithm (strstr, 1.8 KB of code
 * alone); the core measures and searches short strings, where the plain loop
 * is as fast and a fraction of the code. */
#include <stdint.h>
#include <string.h>

size_t strlen(const char *s) {
  const char *p = s;
  while (*p)
    p++;
  return (size_t)(p - s);
}

void *memchr(const void *s, int c, size_t n) {
  const unsigned char *p = s;
  for (; n; n--, p++)
    if (*p == (unsigned char)c)
      return (void *)(uintptr_t)p;
  return NULL;
}

char *strchr(const char *s, int c) {
  for (;; s++) {
    if (*s == (char)c)
      return (char *)(uintptr_t)s;
    if (!*s)
      return NULL;
  }
}

size_t strspn(const char *s, const char *accept) {
  size_t n = 0;
  while (s[n] && strchr(accept, s[n]))
    n++;
  return n;
}

size_t strcspn(const char *s, const char *reject) {
  size_t n = 0;
  while (s[n] && !strchr(reject, s[n]))
    n++;
  return n;
}

/* The first occurrence of needle in haystack, compared in place: at most
 * strlen(needle) comparisons a byte. */
char *strstr(const char *haystack, const char *needle) {
  size_t i;
  if (!needle[0])
    return (char *)(uintptr_t)haystack;
  for (; *haystack; haystack++) {
    for (i = 0; needle[i] && haystack[i] == needle[i]; i++)
      ;
    if (!needle[i])
      return (char *)(uintptr_t)haystack;
  }
  return NULL;
}

/* Eight bytes at a time while they agree, then byte by byte: the planner
 * compares configs (hundreds of bytes, mostly equal) to reuse what it has
 * resolved and computed, where musl's byte loop costs more than it saves. */
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *l = a, *r = b;
  while (n >= 8) {
    uint64_t x, y;
    memcpy(&x, l, 8);
    memcpy(&y, r, 8);
    if (x != y)
      break;
    l += 8, r += 8, n -= 8;
  }
  for (; n && *l == *r; n--, l++, r++)
    ;
  return n ? *l - *r : 0;
}
