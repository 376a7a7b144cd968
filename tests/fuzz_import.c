/* fuzz_import.c - libFuzzer driver: import_json must answer every input, of
 * every kind, with JSON (a report or an error object), never crash, leak or
 * hang.
 *
 * Not built by default. Build and run (clang with libFuzzer):
 *   make build/gen/presets_data.c
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I/usr/include/cjson -Icore \
 *     core/[a-z]*.c build/gen/presets_data.c tests/fuzz_import.c -lcjson -lm -o build/fuzz_import
 *   mkdir -p build/corpus_import && cp tests/imports/[a-z]*.json tests/imports/[a-z]*.sh
 * build/corpus_import/ build/fuzz_import -max_total_time=300 -max_len=8192 build/corpus_import */
#include "gpumem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const kinds[] = {"auto", "deepspeed", "megatron", "hf_config", "config"};
  char *text = malloc(size + 1), *out;
  size_t k;
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
    out = import_json(kinds[k], text);
    if (!out || out[0] != '{')
      abort();
    calc_free(out);
  }
  free(text);
  return 0;
}
