/* strstr for the WebAssembly module: the first occurrence of needle in
 * haystack, compared in place. musl's two-way search is 1.8 KB of code; the
 * core looks for short needles ("\u0000", a class-name suffix), for which
 * this is linear in practice (at most strlen(needle) comparisons a byte). */
#include <stdint.h>
#include <string.h>

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
