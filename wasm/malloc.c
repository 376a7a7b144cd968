/* malloc for the WebAssembly module: power-of-two size classes, each with a
 * free list, carved from the top of the memory (-sMALLOC=none). A block is
 * its class in an 8-byte header and then the caller's bytes; freed blocks
 * are reused for the same class and never merged or returned. The module's
 * calls allocate the same sizes over and over, so the memory stops growing
 * after the first ones (tests/wasm/memory.test.mjs); the cost is up to twice
 * the bytes asked for. 1 KB (gzipped) less than emmalloc. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HEADER 8          /* keeps the caller's bytes 8-aligned */
#define MIN_CLASS 4       /* 16 bytes, the header included */
#define MAX_CLASS 31      /* 2 GiB: more than wasm32 can address in one block */
#define PAGE_BYTES 65536u /* a WebAssembly page */

extern unsigned char __heap_base; /* the linker's first free byte */
/* The loader's hook, called after the memory grows (wasm/gpumem.js). */
void emscripten_notify_memory_growth(size_t memory_index);

static void *free_list[MAX_CLASS + 1];
static uintptr_t top;

/* The smallest class whose blocks hold n bytes after the header; 0: none. */
static unsigned class_of(size_t n) {
  unsigned k = MIN_CLASS;
  if (n > ((size_t)1 << MAX_CLASS) - HEADER)
    return 0;
  while (((size_t)1 << k) - HEADER < n)
    k++;
  return k;
}

/* size bytes from the top of the memory, growing it as needed; NULL when it
 * cannot grow. */
static unsigned char *carve(size_t size) {
  size_t have = __builtin_wasm_memory_size(0) * PAGE_BYTES;
  if (!top)
    top = ((uintptr_t)&__heap_base + HEADER - 1) & ~(uintptr_t)(HEADER - 1);
  if (size > SIZE_MAX - top)
    return NULL;
  if (top + size > have) {
    size_t pages = (top + size - have - 1) / PAGE_BYTES + 1;
    if (__builtin_wasm_memory_grow(0, pages) == SIZE_MAX)
      return NULL;
    emscripten_notify_memory_growth(0);
  }
  top += size;
  return (unsigned char *)(top - size);
}

void *malloc(size_t n) {
  unsigned k = class_of(n);
  unsigned char *block;
  if (!k)
    return NULL;
  if (free_list[k]) {
    block = free_list[k];
    memcpy(&free_list[k], block + HEADER, sizeof free_list[k]);
  } else if (!(block = carve((size_t)1 << k))) {
    return NULL;
  }
  memcpy(block, &k, sizeof k);
  return block + HEADER;
}

void free(void *p) {
  unsigned char *block = (unsigned char *)p - HEADER;
  unsigned k;
  if (!p)
    return;
  memcpy(&k, block, sizeof k);
  memcpy(block + HEADER, &free_list[k], sizeof free_list[k]);
  free_list[k] = block;
}

void *realloc(void *p, size_t n) {
  unsigned k;
  void *q;
  if (!p)
    return malloc(n);
  memcpy(&k, (unsigned char *)p - HEADER, sizeof k);
  if (n <= ((size_t)1 << k) - HEADER)
    return p;
  q = malloc(n);
  if (q) {
    memcpy(q, p, ((size_t)1 << k) - HEADER);
    free(p);
  }
  return q;
}

void *calloc(size_t count, size_t size) {
  void *p;
  if (size && count > SIZE_MAX / size)
    return NULL;
  p = malloc(count * size);
  if (p)
    memset(p, 0, count * size);
  return p;
}
