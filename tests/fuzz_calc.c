/* fuzz_calc.c - libFuzzer driver: calc_json must answer every input with
 * JSON (a result or an error object), never crash, leak or hang.
 *
 * Not built by default. Build and run (clang with libFuzzer):
 *   make build/gen/presets_data.c
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I/usr/include/cjson -Icore \
 *     core/[a-z]*.c build/gen/presets_data.c tests/fuzz_calc.c -lcjson -lm -o build/fuzz_calc
 *   mkdir -p build/corpus && cp tests/cases/[a-z]*.json presets/examples/[a-z]*.json build/corpus/
 *   build/fuzz_calc -max_total_time=300 -max_len=8192 build/corpus
 * (tests/cases files hold whole cases, whose config section the fuzzer finds by mutation.) */
#include "gpumem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1), *out;
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  out = calc_json(text);
  /* Every answer is one JSON object: a result or {"error": ...}. */
  if (!out || out[0] != '{' || out[strlen(out) - 1] != '\n')
    abort();
  calc_free(out);
  free(text);
  return 0;
}
