/* fuzz_import.c - libFuzzer driver: import_json must answer every input, of
 * every kind, with JSON (a report or an error object), never crash, leak or
 * hang.
 *
 * Not built by default. Build and run (clang with libFuzzer):
 *   make build/gen/presets_data.c build/third_party/libyaml/parser.c \
 *     build/third_party/tomlplusplus/toml++/toml.h
 *   Y=build/third_party/libyaml T=build/third_party/tomlplusplus C=build/third_party/cjson
 *   F="-g -O1 -fsanitize=address,undefined"
 *   clang++ $F -fsanitize=fuzzer-no-link -std=c++17 -fno-exceptions -fno-rtti \
 *     -DTOML_EXCEPTIONS=0 -DTOML_HEADER_ONLY=1 -DTOML_ENABLE_FORMATTERS=0 -I$T -I$C \
 *     -c core/import_toml.cc -o build/fuzz_toml.o
 *   clang $F -fsanitize=fuzzer -DGM_YAML -DGM_TOML -DYAML_VERSION_MAJOR=0 \
 *     -DYAML_VERSION_MINOR=2 -DYAML_VERSION_PATCH=5 '-DYAML_VERSION_STRING="0.2.5"' \
 *     -I$C -I$Y -Icore core/[a-z]*.c $Y/api.c $Y/reader.c $Y/scanner.c $Y/parser.c \
 *     $C/cJSON.c build/gen/presets_data.c tests/fuzz_import.c build/fuzz_toml.o \
 *     -lstdc++ -lm -o build/fuzz_import
 *   mkdir -p build/corpus_import && cp tests/imports/[a-z]*.* build/corpus_import/
 *   build/fuzz_import -max_total_time=300 -max_len=8192 build/corpus_import */
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
