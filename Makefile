# gpu-mem-calc: `make` builds the CLI, `make test` runs every test.
CC      ?= cc
CFLAGS  ?= -O2
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wconversion -Wcast-qual \
           -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wwrite-strings
CJSON_CFLAGS ?= -I/usr/include/cjson
CJSON_LIBS   ?= -lcjson
BUILD    = build
CORE_SRC = $(wildcard core/*.c)
GEN_SRC  = $(BUILD)/gen/presets_data.c
PRESETS  = presets/gpus.json presets/models.json

.PHONY: all test test-native deps san wasm bench serve validate format clean

all: $(BUILD)/gpu-mem-calc

# Presets are data: embed them as C arrays so the CLI and WASM carry them.
$(GEN_SRC): $(PRESETS) scripts/embed.sh
	@mkdir -p $(@D)
	sh scripts/embed.sh $(PRESETS) > $@

$(BUILD)/gpu-mem-calc: $(CORE_SRC) cli/main.c core/*.h $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -o $@ $(CORE_SRC) $(GEN_SRC) cli/main.c $(CJSON_LIBS) -lm

$(BUILD)/run_cases: $(CORE_SRC) tests/run_cases.c core/*.h $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -o $@ $(CORE_SRC) $(GEN_SRC) tests/run_cases.c $(CJSON_LIBS) -lm

# Installs what the build and tests need on Debian/Ubuntu (no-op when present).
deps:
	sh scripts/deps.sh

test-native: $(BUILD)/gpu-mem-calc $(BUILD)/run_cases
	$(BUILD)/run_cases tests/cases
	sh tests/cli_test.sh $(BUILD)/gpu-mem-calc

test: deps
	$(MAKE) test-native
	$(MAKE) test-wasm

# Address and undefined-behaviour sanitizers over the whole case suite.
san:
	$(MAKE) BUILD=build/san CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all" test-native

format:
	clang-format -i core/*.c core/*.h cli/*.c tests/*.c

clean:
	rm -rf $(BUILD)

# --- WebAssembly -------------------------------------------------------------
# The same core built by emcc as a standalone reactor: no Emscripten JS glue
# and no imports; wasm/gpumem.js instantiates it in browsers and Node.
# cJSON's C source is fetched and checked by scripts/fetch_cjson.sh.
# -Oz over -O3: MEASURED_NUMBERS_HERE
EMCC      ?= emcc
WASM_OPT  ?= -Oz
CJSON_DIR ?= $(BUILD)/third_party/cjson
WASM_DIR   = $(BUILD)/wasm
comma     := ,
WASM_EXPORTS = _calc_json,_calc_free,_malloc,_free,_gm_presets_json$(if \
               $(shell grep -s 'gm_version(void)' core/gpumem.h),$(comma)_gm_version)
WASM_LDFLAGS = -sSTANDALONE_WASM --no-entry -sALLOW_MEMORY_GROWTH=1 \
               -sEXPORTED_FUNCTIONS=$(WASM_EXPORTS)
# Debian's emcc runs its JS tools with the distribution's node modules.
EMENV      = NODE_PATH=/usr/share/nodejs$${NODE_PATH:+:$$NODE_PATH}

.PHONY: test-wasm wasm-repro

wasm: $(WASM_DIR)/gpumem.wasm $(WASM_DIR)/gpumem.js

$(CJSON_DIR)/cJSON.c: scripts/fetch_cjson.sh
	sh scripts/fetch_cjson.sh $(CJSON_DIR)
	@touch $@

$(CJSON_DIR)/cJSON.h: $(CJSON_DIR)/cJSON.c

$(WASM_DIR)/gpumem.wasm: $(CORE_SRC) core/*.h $(GEN_SRC) $(CJSON_DIR)/cJSON.c $(CJSON_DIR)/cJSON.h
	@mkdir -p $(@D)
	$(EMENV) $(EMCC) $(WARN) $(WASM_OPT) -Icore -I$(CJSON_DIR) -I$(CJSON_DIR)/.. $(WASM_LDFLAGS) \
	  -o $@ $(CORE_SRC) $(GEN_SRC) $(CJSON_DIR)/cJSON.c -lm

$(WASM_DIR)/gpumem.js: wasm/gpumem.js
	@mkdir -p $(@D)
	cp wasm/gpumem.js $@

# Prints calc_json(stdin): the native side of the WASM parity test.
$(BUILD)/calc_stdin: $(CORE_SRC) tests/wasm/calc_stdin.c core/*.h $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -o $@ $(CORE_SRC) $(GEN_SRC) tests/wasm/calc_stdin.c $(CJSON_LIBS) -lm

$(BUILD)/bench_native: $(CORE_SRC) bench/bench_native.c core/*.h $(GEN_SRC)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -o $@ $(CORE_SRC) $(GEN_SRC) bench/bench_native.c $(CJSON_LIBS) -lm

# Cases, native/WASM parity and memory, through the loader under node --test.
test-wasm: wasm $(BUILD)/gpu-mem-calc $(BUILD)/calc_stdin
	GM_BUILD=$(BUILD) node --test tests/wasm/*.test.mjs

# Two builds in different directories must give the same bytes.
wasm-repro: wasm
	$(MAKE) --no-print-directory BUILD=$(BUILD)/repro CJSON_DIR=$(CJSON_DIR) $(BUILD)/repro/wasm/gpumem.wasm
	cmp $(WASM_DIR)/gpumem.wasm $(BUILD)/repro/wasm/gpumem.wasm
	@echo "wasm-repro: identical ($$(wc -c < $(WASM_DIR)/gpumem.wasm) bytes)"

# Sizes, native and WASM calcs/sec (medians of 5 runs) and their ratio.
bench: wasm $(BUILD)/bench_native
	node bench/bench.mjs $(BUILD)

# --- Web app -----------------------------------------------------------------
serve:
	@echo "serve: not built yet" && false

# --- Validation against measured runs ----------------------------------------
validate:
	@echo "validate: not built yet" && false
