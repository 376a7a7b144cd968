/* qsort for the WebAssembly module: a heapsort, O(n log n) at worst with no
 * recursion or extra memory. musl's smoothsort is 1.4 KB of code; the core
 * sorts only to find duplicate keys (config_check.c), which needs no
 * particular order among equal elements. */
#include <stddef.h>
#include <stdlib.h>

static void swap(unsigned char *a, unsigned char *b, size_t width) {
  while (width--) {
    unsigned char t = *a;
    *a++ = *b;
    *b++ = t;
  }
}

/* Sifts element i down the heap of the first n elements. */
static void sift(unsigned char *base, size_t i, size_t n, size_t width,
                 int (*cmp)(const void *, const void *)) {
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n)
      return;
    if (child + 1 < n && cmp(base + child * width, base + (child + 1) * width) < 0)
      child++;
    if (cmp(base + i * width, base + child * width) >= 0)
      return;
    swap(base + i * width, base + child * width, width);
    i = child;
  }
}

void qsort(void *base, size_t n, size_t width, int (*cmp)(const void *, const void *)) {
  unsigned char *b = base;
  size_t i;
  for (i = n / 2; i-- > 0;)
    sift(b, i, n, width, cmp);
  for (i = n; i-- > 1;) {
    swap(b, b + i * width, width);
    sift(b, 0, i, width, cmp);
  }
}
