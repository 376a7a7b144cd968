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
