/* fuzz_import.c - libFuzzer driver: import_json must answer every input, of
 * every kind, with JSON (a report or an error object), never crash, leak or
 * hang.
 *
 * Not built by default (clang with libFuzzer; fetches libyaml and toml++):
 *   make fuzz-import FUZZ_SECONDS=300
 * Seeds: the files of tests/imports (build/fuzz/corpus_import). */
#include "gpumem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const kinds[] = {"auto",      "deepspeed", "megatron", "config",
                                      "hf_config", "yaml",      "toml"};
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
