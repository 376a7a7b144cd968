# gpu-mem-calc: `make` builds the CLI, `make test` runs every test.
CC      ?= cc
# Native builds are tuned for the machine that builds them and optimised
# across files at link time, where the compiler and archiver can (probed:
# else plain -O2). Neither changes the instruction set or the arithmetic, so
# every figure is the same bit for bit. Under generic tuning GCC copies and
# clears structs of 32 B to 8 KiB with `rep movsq`/`rep stosq`, slow to
# start on AMD Zen: perf put 13 % of the planner's samples on them. The
# planner's layouts/s with each build: docs/performance-model.md (4.5 M plain,
# 5.2 M tuned, 5.5 M tuned and linked with -flto, GCC 12 on a 2-core Zen VM);
# -flto doubles the native build's time (10 -> 20 s).
TUNE    := $(shell $(CC) -mtune=native -x c -c -o /dev/null /dev/null 2>/dev/null && echo -mtune=native)
# -flto=auto (GCC: parallel link-time jobs), else -flto (clang), whichever
# compiles, archives and links first.
LTO     := $(shell d=$$(mktemp -d) && echo 'int f(void){return 0;}' >$$d/f.c && \
             echo 'int f(void); int main(void){return f();}' >$$d/m.c && \
             for f in -flto=auto -flto; do \
               rm -f $$d/f.a && $(CC) $$f -c -o $$d/f.o $$d/f.c 2>/dev/null && \
               $(AR) rcs $$d/f.a $$d/f.o 2>/dev/null && \
               $(CC) $$f -o $$d/m $$d/m.c $$d/f.a 2>/dev/null && $$d/m && echo $$f && break; \
             done; rm -rf $$d)
CFLAGS  ?= -O2 $(TUNE) $(LTO)
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wconversion -Wcast-qual \
           -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wwrite-strings
BUILD    = build
# cJSON is compiled from the one pinned source (scripts/fetch_cjson.sh: Debian's
# 1.7.15 with its security patches) into every program and the WASM module,
# so that all of them parse a config alike, whatever libcjson is installed.
CJSON_DIR   ?= $(BUILD)/third_party/cjson
CJSON_OBJ    = $(BUILD)/cjson.o
CJSON_CFLAGS ?= -I$(CJSON_DIR)
CJSON_LIBS   ?= $(CJSON_OBJ)
CORE_SRC = $(wildcard core/*.c)
GEN_SRC  = $(BUILD)/gen/presets_data.c
GEN_BASE = $(BUILD)/gen/presets_base.c
# The programs around the core share one file reader.
READ_SRC = cli/read_file.c
# The CLI: main.c and one file per concern (commands, rows, inputs, ...).
CLI_SRC  = $(filter-out $(READ_SRC),$(wildcard cli/*.c))
PRESETS  = presets/gpus.json presets/models.json
# libyaml's parser, for the YAML importers (Axolotl, LLaMA-Factory,
# accelerate): the source scripts/fetch_libyaml.sh fetches and checks,
# compiled with its own flags (third-party code, not held to WARN).
YAML_DIR ?= $(BUILD)/third_party/libyaml
YAML_NAMES = api reader scanner parser
YAML_CFLAGS = -std=gnu11 -w -DNDEBUG -DYAML_VERSION_MAJOR=0 -DYAML_VERSION_MINOR=2 \
              -DYAML_VERSION_PATCH=5 '-DYAML_VERSION_STRING="0.2.5"' -I$(YAML_DIR)
YAML_OBJ = $(YAML_NAMES:%=$(BUILD)/libyaml/%.o)
# toml++'s headers, for the torchtitan importer: the source
# scripts/fetch_tomlplusplus.sh fetches and checks. core/import_toml.cc, the
# one C++ file, turns its tree into cJSON; built without exceptions or RTTI.
TOML_DIR ?= $(BUILD)/third_party/tomlplusplus
TOML_CXXFLAGS = -std=c++17 -fno-exceptions -fno-rtti -DTOML_EXCEPTIONS=0 -DTOML_HEADER_ONLY=1 \
                -DTOML_ENABLE_FORMATTERS=0 -I$(TOML_DIR) $(CJSON_CFLAGS)

.PHONY: all test test-native docs deps san fuzz fuzz-import wasm bench serve validate format clean examples

all: $(BUILD)/gpu-mem-calc

$(CJSON_OBJ): $(CJSON_DIR)/cJSON.c $(CJSON_DIR)/cJSON.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $(CJSON_DIR)/cJSON.c

$(BUILD)/gpu-mem-calc $(BUILD)/run_cases $(BUILD)/unit_test $(BUILD)/calc_stdin \
  $(BUILD)/bench_native $(BUILD)/validate $(BUILD)/plan_test $(BUILD)/examples/fit \
  $(BUILD)/gen_docs $(BUILD)/fmt_test: $(CJSON_OBJ)

# Tools run during the build link a plain cJSON, whatever CFLAGS (sanitizers) say.
$(BUILD)/cjson-host.o: $(CJSON_DIR)/cJSON.c $(CJSON_DIR)/cJSON.h
	@mkdir -p $(@D)
	$(CC) -O2 -c -o $@ $(CJSON_DIR)/cJSON.c

# Presets are data: a generator, run on the build machine, checks them and
# writes their text (for the page) and C tables (for lookups) that the CLI and
# WASM carry.
$(BUILD)/gen_presets: scripts/gen_presets.c $(BUILD)/cjson-host.o
	@mkdir -p $(@D)
	$(CC) $(WARN) -O2 $(CJSON_CFLAGS) -o $@ scripts/gen_presets.c $(BUILD)/cjson-host.o -lm

$(GEN_BASE): $(PRESETS) $(BUILD)/gen_presets
	@mkdir -p $(@D)
	$(BUILD)/gen_presets $(PRESETS) > $@.tmp
	mv $@.tmp $@

$(YAML_DIR)/parser.c: scripts/fetch_libyaml.sh
	sh scripts/fetch_libyaml.sh $(YAML_DIR)
	@touch $@

$(YAML_DIR)/api.c $(YAML_DIR)/reader.c $(YAML_DIR)/scanner.c $(YAML_DIR)/yaml.h: $(YAML_DIR)/parser.c

$(BUILD)/libyaml/%.o: $(YAML_DIR)/%.c $(YAML_DIR)/yaml.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(YAML_CFLAGS) -c -o $@ $<

$(TOML_DIR)/toml++/toml.h: scripts/fetch_tomlplusplus.sh
	sh scripts/fetch_tomlplusplus.sh $(TOML_DIR)
	@touch $@

# The core is built once, as a static library that every program links.
# Two layers: the physics never sees JSON. Its files are compiled without
# cJSON's include path, so including cJSON (or config.h) there fails to build;
# only the boundary (config readers, presets, result writer, calc_json) has it.
PHYSICS_SRC  = core/activations.c core/calc.c core/fastpath.c core/resolve.c core/params.c core/split.c core/stages.c \
               core/components.c core/verdict.c core/versions.c \
               core/config_init.c core/diag.c core/fmt.c core/names.c core/precision.c core/perf.c \
               core/schema.c
BOUNDARY_SRC = $(filter-out $(PHYSICS_SRC),$(CORE_SRC))
OBJ          = $(BUILD)/obj
PHYSICS_OBJ  = $(PHYSICS_SRC:core/%.c=$(OBJ)/%.o)
BOUNDARY_OBJ = $(BOUNDARY_SRC:core/%.c=$(OBJ)/%.o)
LIB          = $(BUILD)/libgpumem.a
# What a program links: the library, cJSON and libm.
LINK         = $(LIB) $(CJSON_LIBS) -lm

$(PHYSICS_OBJ): $(OBJ)/%.o: core/%.c core/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -Icore -c -o $@ $<

$(BOUNDARY_OBJ): $(OBJ)/%.o: core/%.c core/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -c -o $@ $<

$(OBJ)/presets_data.o: $(GEN_SRC) core/presets_table.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -Icore -c -o $@ $(GEN_SRC)

$(LIB): $(PHYSICS_OBJ) $(BOUNDARY_OBJ) $(OBJ)/presets_data.o
	rm -f $@
	$(AR) rcs $@ $^

# Then each model preset as the core's reader applies it (scripts/gen_models.c,
# linked with the core on the tables above), so that no call parses a preset.
# The archive lets the generator take only the reader's files.
$(OBJ)/presets_base.o: $(GEN_BASE) core/presets_table.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -Icore -c -o $@ $(GEN_BASE)

$(BUILD)/libgpumem-base.a: $(PHYSICS_OBJ) $(BOUNDARY_OBJ) $(OBJ)/presets_base.o
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/gen_models: scripts/gen_models.c scripts/c_literal.h core/*.h $(BUILD)/libgpumem-base.a $(CJSON_OBJ)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -o $@ scripts/gen_models.c \
	  $(BUILD)/libgpumem-base.a $(CJSON_LIBS) -lm

$(GEN_SRC): $(GEN_BASE) $(BUILD)/gen_models
	{ cat $(GEN_BASE) && $(BUILD)/gen_models; } > $@.tmp
	mv $@.tmp $@

# The boundary includes cJSON.h: fetched first.
$(BOUNDARY_OBJ) $(BUILD)/gen_presets: $(CJSON_DIR)/cJSON.h

# The CLI's importers read YAML and TOML too: import.c, import_yaml.c and
# import_torchtitan.c built with GM_YAML, GM_TOML, libyaml and toml++, linked
# ahead of the library (whose plain import.o then goes unused).
YAML_IMPORT_OBJ = $(BUILD)/obj-yaml/import.o $(BUILD)/obj-yaml/import_yaml.o \
                  $(BUILD)/obj-yaml/import_torchtitan.o $(BUILD)/obj-yaml/import_toml.o

$(filter-out %/import_toml.o,$(YAML_IMPORT_OBJ)): $(BUILD)/obj-yaml/%.o: core/%.c core/*.h $(YAML_DIR)/yaml.h $(CJSON_DIR)/cJSON.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -DGM_YAML -DGM_TOML -I$(YAML_DIR) -Icore -c -o $@ $<

$(BUILD)/obj-yaml/import_toml.o: core/import_toml.cc $(TOML_DIR)/toml++/toml.h $(CJSON_DIR)/cJSON.h
	@mkdir -p $(@D)
	$(CXX) -Wall -Wextra -Werror $(CFLAGS) $(TOML_CXXFLAGS) -c -o $@ core/import_toml.cc

$(BUILD)/gpu-mem-calc: $(CLI_SRC) $(READ_SRC) cli/*.h core/gpumem.h $(LIB) $(YAML_IMPORT_OBJ) $(YAML_OBJ)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -Icli -o $@ $(CLI_SRC) $(READ_SRC) \
	  $(YAML_IMPORT_OBJ) $(YAML_OBJ) $(LINK) -lstdc++

$(BUILD)/run_cases: tests/run_cases.c $(READ_SRC) cli/*.h core/gpumem.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -Icli -o $@ tests/run_cases.c $(READ_SRC) $(LINK)

# Unit tests of the API and of small static helpers (their .c included).
$(BUILD)/unit_test: tests/unit_test.c core/*.c core/*.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -o $@ tests/unit_test.c $(LINK)

# The C API in use (docs/c-api.md), built against the library as a user
# would; make test runs it (it fails if its C and JSON configs disagree).
$(BUILD)/examples/fit: examples/fit.c core/gpumem.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -Icore -o $@ examples/fit.c $(LINK)

examples: $(BUILD)/examples/fit

# The core's own printf (core/fmt.c) against the C library's.
$(BUILD)/fmt_test: tests/fmt_test.c core/fmt.h core/internal.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -Icore -o $@ tests/fmt_test.c $(LINK)

# The key tables of docs/config.md, made from the schema (core/schema.c):
# `make docs` rewrites them; test-native fails when they differ.
$(BUILD)/gen_docs: scripts/gen_docs.c core/gpumem.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -o $@ scripts/gen_docs.c $(LINK)

docs: $(BUILD)/gen_docs
	$(BUILD)/gen_docs docs/config.md

# Which core file calls which, and through which symbols: what test-native's
# dependency check reads.
callgraph: $(LIB)
	sh scripts/check_deps.sh -v $(PHYSICS_OBJ) -- $(BOUNDARY_OBJ) $(OBJ)/presets_data.o

# Installs what the build and tests need on Debian/Ubuntu (no-op when present).
deps:
	sh scripts/deps.sh

test-native: $(BUILD)/gpu-mem-calc $(BUILD)/run_cases $(BUILD)/unit_test $(BUILD)/plan_test \
             $(BUILD)/examples/fit $(BUILD)/gen_docs $(BUILD)/fmt_test
	$(BUILD)/gen_docs --check docs/config.md
	@# The core's files call each other one way; physics never uses the boundary
	@# (scripts/check_deps.sh -v lists who calls what).
	sh scripts/check_deps.sh $(PHYSICS_OBJ) -- $(BOUNDARY_OBJ) $(OBJ)/presets_data.o
	sh tests/check_deps_test.sh $(CC)
	$(BUILD)/unit_test
	$(BUILD)/examples/fit > $(BUILD)/examples/fit.out
	$(BUILD)/fmt_test
	$(BUILD)/run_cases tests/cases
	$(BUILD)/plan_test tests/plan
	sh tests/cli_test.sh $(BUILD)/gpu-mem-calc
	sh tests/cli_scripting_test.sh $(BUILD)/gpu-mem-calc

# The planner: published layouts, calculate on every returned layout, and
# the step-time model against published throughput (also its native side
# for the WASM parity test: plan_test --stdin).
$(BUILD)/plan_test: tests/plan/plan_test.c $(READ_SRC) cli/*.h core/*.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -Icli -o $@ tests/plan/plan_test.c $(READ_SRC) $(LINK)

test: deps
	$(MAKE) test-native
	$(MAKE) san
	$(MAKE) fuzz FUZZ_SECONDS=30
	$(MAKE) test-accuracy
	$(MAKE) test-wasm
	$(MAKE) test-web
	$(MAKE) test-python

# Address and undefined-behaviour sanitizers over the whole case suite.
san:
	$(MAKE) BUILD=build/san CJSON_DIR=$(CJSON_DIR) YAML_DIR=$(YAML_DIR) TOML_DIR=$(TOML_DIR) \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all" test-native

# libFuzzer with ASan and UBSan over calc_json, checking what every answer
# means (tests/fuzz_calc.c); seeded with the cases' configs. Inputs it finds
# stay in $(BUILD)/fuzz/corpus; a broken invariant leaves crash-* there.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_DIR      = $(BUILD)/fuzz
FUZZ_FLAGS    = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(FUZZ_DIR)/fuzz_calc: $(CORE_SRC) core/*.h $(GEN_SRC) tests/fuzz_calc.c $(CJSON_DIR)/cJSON.c
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 $(FUZZ_FLAGS) -I$(CJSON_DIR) -Icore -o $@ $(CORE_SRC) $(GEN_SRC) \
	  tests/fuzz_calc.c $(CJSON_DIR)/cJSON.c -lm

$(FUZZ_DIR)/fuzz_plan: $(CORE_SRC) core/*.h $(GEN_SRC) tests/fuzz_plan.c tests/plan/plan_checks.h \
                       $(CJSON_DIR)/cJSON.c
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 $(FUZZ_FLAGS) -I$(CJSON_DIR) -Icore -Itests -o $@ $(CORE_SRC) $(GEN_SRC) \
	  tests/fuzz_plan.c $(CJSON_DIR)/cJSON.c -lm

# The planner's fuzzer (tests/fuzz_plan.c) runs a third as long: each input
# is a search, every layout found checked by a full calculation.
fuzz: $(FUZZ_DIR)/fuzz_calc $(FUZZ_DIR)/fuzz_plan
	node tests/fuzz/seeds.mjs $(FUZZ_DIR)/seeds
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/corpus_plan
	$(FUZZ_DIR)/fuzz_calc -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=5 \
	  -rss_limit_mb=2048 -print_final_stats=1 -dict=$(FUZZ_DIR)/dict \
	  -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds
	$(FUZZ_DIR)/fuzz_plan -max_total_time=$$(( ($(FUZZ_SECONDS) + 2) / 3 )) -max_len=8192 -timeout=20 \
	  -rss_limit_mb=2048 -print_final_stats=1 -dict=$(FUZZ_DIR)/dict \
	  -artifact_prefix=$(FUZZ_DIR)/plan- $(FUZZ_DIR)/corpus_plan $(FUZZ_DIR)/seeds

# The importers' fuzzer (tests/fuzz_import.c): every kind of launcher file,
# YAML and TOML included, answered with JSON. Not in `make test`:
#   make fuzz-import FUZZ_SECONDS=600
# toml++ is built without UBSan's function-type check, whose runtime is C++'s.
$(FUZZ_DIR)/fuzz_toml.o: core/import_toml.cc $(TOML_DIR)/toml++/toml.h $(CJSON_DIR)/cJSON.h
	@mkdir -p $(@D)
	$(FUZZ_CC)++ -g -O1 -fsanitize=address,undefined -fno-sanitize=function -fsanitize=fuzzer-no-link \
	  $(TOML_CXXFLAGS) -I$(CJSON_DIR) -c -o $@ core/import_toml.cc

$(FUZZ_DIR)/fuzz_import: $(CORE_SRC) core/*.h $(GEN_SRC) tests/fuzz_import.c $(CJSON_DIR)/cJSON.c \
                         $(YAML_DIR)/parser.c $(FUZZ_DIR)/fuzz_toml.o
	$(FUZZ_CC) $(FUZZ_FLAGS) -DGM_YAML -DGM_TOML $(filter-out -std=% -w -I%,$(YAML_CFLAGS)) -I$(YAML_DIR) \
	  -I$(CJSON_DIR) -Icore -o $@ $(CORE_SRC) $(YAML_NAMES:%=$(YAML_DIR)/%.c) $(GEN_SRC) \
	  $(CJSON_DIR)/cJSON.c tests/fuzz_import.c $(FUZZ_DIR)/fuzz_toml.o -lstdc++ -lm

fuzz-import: $(FUZZ_DIR)/fuzz_import
	@mkdir -p $(FUZZ_DIR)/corpus_import
	cp tests/imports/[a-z]*.* $(FUZZ_DIR)/corpus_import/
	$(FUZZ_DIR)/fuzz_import -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
	  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/import- \
	  $(FUZZ_DIR)/corpus_import

format:
	clang-format -i core/*.c core/*.cc core/*.h cli/*.c cli/*.h tests/*.c examples/*.c python/gpu_mem_calculator/*.c

clean:
	rm -rf $(BUILD)

# --- WebAssembly -------------------------------------------------------------
# The same core built by emcc as a standalone reactor, without Emscripten's JS
# glue: wasm/gpumem.js instantiates it in browsers and Node and supplies its
# one import, a no-op hook called when the memory grows.
# -Oz, measured on bench/config.json (Node 20, CPU time, medians of 11 runs):
#   -Oz 44.3 KiB gzipped, 126 us/calc    -Os 48.7 KiB gzipped,  85 us/calc
#   -O2 51.8 KiB gzipped,  67 us/calc    -O3 52.3 KiB gzipped,  65 us/calc
# The page recomputes on every keystroke and 0.13 ms is imperceptible, while
# the module is most of the first load: size wins. -Oz links Emscripten's
# size-optimised libc (older log); the core uses log only to pick the nearest
# published size, and the parity tests require byte-identical output.
# Since then: link-time optimisation (-flto) takes 0.5 KiB more off, emmalloc
# 2 KiB and the host's strtod 4 KiB (gzipped; module 37.4 KiB with all three).
# Module + loader, gzip -9 as `make bench` counts them: 52,203 + 2,190 bytes
# before the presets' text was written from the tables, 49,856 + 2,154 after
# (below: presets_json 1.38 KB, dropped exports 0.12 KB; the loader 0.04 KB;
# scripts/gen_presets.c: a preset's names and a GPU's link names in one run,
# one pointer a row, 0.68 KB; no model-text offsets in the model rows, 0.18 KB).
# The rest is the calculator: code 33.9 KB gzipped (calc_json with the
# physics inlined into it about 10 KB, gm_stage_memory 4.3, the section
# reader 2.1, printf 1.1, cJSON's parser about 2), data 15.0 KB (messages,
# formulas and labels about 11, the schema's rows and the preset tables about
# 4). Measured and left out: other wasm-opt passes (--converge,
# --flatten --rereloop, -iit, --precompute-propagate, --merge-similar-functions:
# within 50 bytes either way); LLVM's inline thresholds (no change: -Oz
# functions carry minsize); --lto-O1 (38 bytes); printf's exact digits from
# the host's BigInt (443 bytes off the module, 248 back in the loader); a
# schema row's five texts in one run of strings (76 bytes more: each row's run
# is a literal of its own, so the linker no longer shares "tokens" and the like).
# Upper bounds of what the calculator's own texts cost (module 50,019 bytes
# gzipped as measured): every error and warning message, text and call sites,
# 4.6 KB; every component's formula text 1.2 KB; the preset models' table
# 0.5 KB. Binaryen's wasm-split, with the page's default config as the
# profile, leaves a first module of 46.2 KB (the data and calc_json, with the
# physics inlined, are all hot).
EMCC      ?= emcc
# -mbulk-memory: memset and memcpy as single instructions (smaller and
# faster; every browser since 2021 runs them).
WASM_OPT  ?= -Oz -flto -mbulk-memory -DGM_SCHEMA_NO_DOCS
# The calculator's modules also use saturating float-to-int conversions and
# sign extension as single instructions (every browser since 2021, like bulk
# memory): 0.2 KB (gzipped) less than their emulation. The core converts only
# values it has checked to be in range, where both give the same integer.
WASM_FEATURES = -mnontrapping-fptoint -msign-ext
WASM_DIR   = $(BUILD)/wasm
comma     := ,
# presets_json writes gm_presets_json()'s text from the preset tables
# (core/schema_json.c), so the module holds those facts once: 1.4 KB (gzipped)
# less than storing the text beside the tables; tests/unit_test.c checks the
# bytes are the same.
WASM_EXPORTS = _calc_json,_calc_free,_malloc,_free,_presets_json,_schema_json,_gm_preset_id$(if \
               $(shell grep -s 'gm_version(void)' core/gpumem.h),$(comma)_gm_version)
# The allocator is the module's own (wasm/malloc.c), 1.1 KB (gzipped) less
# than emmalloc, itself 2 KB less than dlmalloc.
# -sSUPPORT_ERRNO=0: no __errno_location export (for JS library functions that
# set errno; the module's one import does not).
WASM_LDFLAGS = -sSTANDALONE_WASM --no-entry -sALLOW_MEMORY_GROWTH=1 -sMALLOC=none \
               -sSUPPORT_ERRNO=0 -sEXPORTED_FUNCTIONS=$(WASM_EXPORTS)
# Binaryen's wasm-opt (a dependency of Debian's emscripten) runs -Oz again
# over emcc's output: 0.35 KB (gzipped) less. Then the data becomes one
# segment again (wasm/join_data.mjs): 1 KB less. Before that, the exports
# emcc adds and the loader never calls go (wasm/drop_exports.mjs), and
# wasm-opt with them what only they kept: with SUPPORT_ERRNO=0, 0.12 KB less.
WASM_OPT_TOOL ?= wasm-opt
WASM_DROP  = stackSave stackRestore stackAlloc __indirect_function_table
WASM_POST  = node wasm/drop_exports.mjs $@ $@ $(WASM_DROP) && \
             $(WASM_OPT_TOOL) -Oz -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
             --enable-sign-ext -o $@ $@ && node wasm/join_data.mjs $@ $@
# The planner (plan_json) is a module of its own, gpumem-plan.wasm, loaded
# only when a search runs: the page's first load stays the calculator.
PLAN_SRC     = core/plan.c core/plan_json.c core/perf.c
WASM_PLAN_LDFLAGS = $(subst -sEXPORTED_FUNCTIONS=$(WASM_EXPORTS),-sEXPORTED_FUNCTIONS=$(WASM_EXPORTS)$(comma)_plan_json,$(WASM_LDFLAGS))
# Debian's emcc runs its JS tools with the distribution's node modules.
EMENV      = NODE_PATH=/usr/share/nodejs$${NODE_PATH:+:$$NODE_PATH}

.PHONY: test-wasm wasm-repro

wasm: $(WASM_DIR)/gpumem.wasm $(WASM_DIR)/gpumem-plan.wasm $(WASM_DIR)/gpumem.js $(WASM_DIR)/gpumem-import.wasm

$(CJSON_DIR)/cJSON.c: scripts/fetch_cjson.sh
	sh scripts/fetch_cjson.sh $(CJSON_DIR)
	@touch $@

$(CJSON_DIR)/cJSON.h: $(CJSON_DIR)/cJSON.c

# strtod comes from the host (wasm/strtod.c): musl's works in software
# 128-bit long double, a fifth of the module; both round to the nearest double.
# snprintf is the core's own (core/fmt.c), exact without long double: musl's
# printf brings the software long double back (8 KiB of the module).
# strstr, strchr, strspn and strcspn are plain loops (wasm/string.c), 0.7 KiB
# (gzipped) under musl's, strlen and memchr 0.1 KiB more; round is trunc and
# a correction (wasm/math.c); qsort a heapsort (wasm/qsort.c), 0.6 KiB under
# musl's smoothsort.
WASM_DEFS = -Dstrtod=gm_strtod -Dsnprintf=gm_snprintf -Dvsnprintf=gm_vsnprintf
WASM_SRC = $(filter-out $(PLAN_SRC),$(CORE_SRC)) $(GEN_SRC) $(CJSON_DIR)/cJSON.c wasm/strtod.c \
           wasm/schema_json.c wasm/string.c wasm/math.c wasm/qsort.c wasm/malloc.c

$(WASM_DIR)/gpumem.wasm: $(WASM_SRC) core/*.h $(CJSON_DIR)/cJSON.h wasm/imports.js wasm/join_data.mjs wasm/leb128.mjs \
                         wasm/drop_exports.mjs Makefile
	@mkdir -p $(@D)
	$(EMENV) $(EMCC) $(WARN) $(WASM_OPT) $(WASM_FEATURES) $(WASM_DEFS) -Icore -I$(CJSON_DIR) -I$(CJSON_DIR)/.. \
	  $(WASM_LDFLAGS) --js-library wasm/imports.js -o $@ $(WASM_SRC) -lm
	$(WASM_POST)

# The planner's module is built for speed: it is loaded only when a search
# runs, and a search evaluates thousands of layouts. -O2 against -Oz on
# bench/plan_request.json (Node, CPU time, warm): 1.5x to 1.7x the layouts
# per second, for 18 KiB more gzipped (96 KiB against 78 KiB).
WASM_PLAN_OPT ?= $(subst -Oz,-O2,$(WASM_OPT))
WASM_PLAN_POST = $(subst -Oz -Oz,-O2,$(WASM_POST))

$(WASM_DIR)/gpumem-plan.wasm: $(WASM_SRC) $(PLAN_SRC) core/*.h $(CJSON_DIR)/cJSON.h wasm/imports.js \
                            wasm/join_data.mjs wasm/drop_exports.mjs wasm/leb128.mjs Makefile
	@mkdir -p $(@D)
	$(EMENV) $(EMCC) $(WARN) $(WASM_PLAN_OPT) $(WASM_FEATURES) $(WASM_DEFS) -Icore -I$(CJSON_DIR) -I$(CJSON_DIR)/.. \
	  $(WASM_PLAN_LDFLAGS) --js-library wasm/imports.js -o $@ $(WASM_SRC) $(PLAN_SRC) -lm
	$(WASM_PLAN_POST)

# The importers (import_json) as a second module, loaded only when a launcher's
# file is read, so the first load stays small; the linker keeps only what
# import_json reaches. Its size is mostly the parsers': with toml++ (whose
# C++ runtime reads floats through an istringstream) 280 KB, 106 KB gzipped;
# 137 KB, 53 KB gzipped before it.
IMPORT_LDFLAGS = -sSTANDALONE_WASM --no-entry -sALLOW_MEMORY_GROWTH=1 -sMALLOC=emmalloc \
                 -sEXPORTED_FUNCTIONS=_import_json,_calc_free,_malloc,_free

WASM_YAML_OBJ = $(YAML_NAMES:%=$(BUILD)/wasm-libyaml/%.o)

$(BUILD)/wasm-libyaml/%.o: $(YAML_DIR)/%.c $(YAML_DIR)/yaml.h Makefile
	@mkdir -p $(@D)
	$(EMENV) $(EMCC) $(WASM_OPT) $(YAML_CFLAGS) -c -o $@ $<

EMXX ?= em++
$(BUILD)/wasm-toml/import_toml.o: core/import_toml.cc $(TOML_DIR)/toml++/toml.h $(CJSON_DIR)/cJSON.h Makefile
	@mkdir -p $(@D)
	$(EMENV) $(EMXX) -Wall -Wextra -Werror $(WASM_OPT) $(TOML_CXXFLAGS) -c -o $@ core/import_toml.cc

$(WASM_DIR)/gpumem-import.wasm: $(CORE_SRC) core/*.h $(GEN_SRC) $(CJSON_DIR)/cJSON.c $(CJSON_DIR)/cJSON.h $(WASM_YAML_OBJ) $(BUILD)/wasm-toml/import_toml.o Makefile
	@mkdir -p $(@D)
	$(EMENV) $(EMCC) $(WARN) $(WASM_OPT) -DGM_YAML -DGM_TOML -I$(YAML_DIR) -Icore -I$(CJSON_DIR) -I$(CJSON_DIR)/.. \
	  $(IMPORT_LDFLAGS) -o $@ $(CORE_SRC) $(GEN_SRC) $(CJSON_DIR)/cJSON.c $(WASM_YAML_OBJ) \
	  $(BUILD)/wasm-toml/import_toml.o -lc++ -lc++abi -lm

# The loader ships without its comments (wasm/strip.mjs): 3.6 KB gzipped
# becomes 2.1 KB.
$(WASM_DIR)/gpumem.js: wasm/gpumem.js wasm/strip.mjs
	@mkdir -p $(@D)
	node wasm/strip.mjs wasm/gpumem.js $@

# Prints calc_json(stdin): the native side of the WASM parity test.
$(BUILD)/calc_stdin: tests/wasm/calc_stdin.c $(READ_SRC) cli/*.h core/gpumem.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -Icore -Icli -o $@ tests/wasm/calc_stdin.c $(READ_SRC) $(LINK)

$(BUILD)/bench_native: bench/bench_native.c core/gpumem.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -Icore -o $@ bench/bench_native.c $(LINK)

# Cases, native/WASM parity and memory, through the loader under node --test;
# then a second build must give the same bytes.
test-wasm: wasm $(BUILD)/gpu-mem-calc $(BUILD)/calc_stdin $(BUILD)/plan_test
	GM_BUILD=$(BUILD) node --test tests/wasm/*.test.mjs
	$(MAKE) --no-print-directory wasm-repro

# Two builds in different directories must give the same bytes.
wasm-repro: wasm
	$(MAKE) --no-print-directory BUILD=$(BUILD)/repro CJSON_DIR=$(CJSON_DIR) YAML_DIR=$(YAML_DIR) TOML_DIR=$(TOML_DIR) $(BUILD)/repro/wasm/gpumem.wasm
	cmp $(WASM_DIR)/gpumem.wasm $(BUILD)/repro/wasm/gpumem.wasm
	@echo "wasm-repro: identical ($$(wc -c < $(WASM_DIR)/gpumem.wasm) bytes)"
	$(MAKE) --no-print-directory BUILD=$(BUILD)/repro CJSON_DIR=$(CJSON_DIR) $(BUILD)/repro/wasm/gpumem-plan.wasm
	cmp $(WASM_DIR)/gpumem-plan.wasm $(BUILD)/repro/wasm/gpumem-plan.wasm
	@echo "wasm-repro: planner identical ($$(wc -c < $(WASM_DIR)/gpumem-plan.wasm) bytes)"

# Sizes, native and WASM calcs/sec (medians of 5 runs) and their ratio; then
# the page's first-load bytes and time to the first result in Chromium.
bench: wasm $(BUILD)/bench_native $(BUILD)/plan_test web
	GM_CFLAGS="$(CFLAGS)" node bench/bench.mjs $(BUILD)
	GM_BUILD=$(BUILD) node web/bench.mjs

# --- Web app -----------------------------------------------------------------
# web/ is a static page (Preact + htm, no build step) over the WASM core.
# `make web` writes $(BUILD)/web/ to serve (Preact from the CDN, pinned with
# SRI) and $(BUILD)/gpu-mem-calc.html, one file that works from disk offline.
# npm packages are pinned by package-lock.json; `npm ci` reruns when it changes.
NODE_DEPS = node_modules/.package-lock.json
WEB_SRC   = $(wildcard web/*.html web/*.css web/*.js web/*.mjs web/lib/*.js web/sections/*.js web/result/*.js web/plan/*.js)

.PHONY: web test-web

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web: $(BUILD)/gpu-mem-calc.html

$(BUILD)/gpu-mem-calc.html: $(WEB_SRC) $(NODE_DEPS) $(WASM_DIR)/gpumem.wasm $(WASM_DIR)/gpumem-plan.wasm $(WASM_DIR)/gpumem.js $(WASM_DIR)/gpumem-import.wasm
	GM_BUILD=$(BUILD) node web/build.mjs

# Installs what is missing, builds, and serves $(BUILD)/web/ on
# http://127.0.0.1:8000/ (PORT=n to change).
serve: deps
	$(MAKE) --no-print-directory web $(BUILD)/gpu-mem-calc
	node web/serve.mjs $(BUILD)/web --port $${PORT:-8000}

# The page in headless Chromium against the native CLI; screenshots go to
# $(BUILD)/screenshots/.
test-web: web $(BUILD)/gpu-mem-calc
	GM_BUILD=$(BUILD) node --test tests/web/*.test.mjs

# --- Validation against measured runs ----------------------------------------
# `make validate` compares the calculator with the measured runs in
# tests/validation/rows and regenerates docs/accuracy.md; `make test-accuracy`
# fails unless the accuracy bars hold (see docs/accuracy.md, "Method").
VALIDATE_ARGS = --rows tests/validation/rows --explanations tests/validation/explanations.md

.PHONY: test-accuracy

$(BUILD)/validate: tests/validation/validate.c $(READ_SRC) cli/*.h core/gpumem.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CJSON_CFLAGS) -Icore -Icli -o $@ tests/validation/validate.c $(READ_SRC) $(LINK)

validate: $(BUILD)/validate
	$(BUILD)/validate $(VALIDATE_ARGS) --markdown docs/accuracy.md

test-accuracy: $(BUILD)/validate
	$(BUILD)/validate $(VALIDATE_ARGS) --quiet --check

# --- Python package ----------------------------------------------------------
# python/gpu_mem_calculator: the core as a CPython extension (setup.py), put
# by pip into a venv that sees the system's setuptools; no package index is used.
# Debian's python3 carries setuptools and wheel as apt packages.
PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
VENV    = $(BUILD)/venv
PY_SRC  = setup.py pyproject.toml $(wildcard python/gpu_mem_calculator/*.py \
          python/gpu_mem_calculator/*.c python/gpu_mem_calculator/core/*.py)

.PHONY: python test-python

python: deps
	$(MAKE) --no-print-directory $(VENV)/.installed

$(VENV)/.installed: $(PY_SRC) $(CORE_SRC) core/*.h $(PRESETS) scripts/gen_presets.c scripts/gen_models.c $(CJSON_DIR)/cJSON.c \
                    $(YAML_DIR)/parser.c $(TOML_DIR)/toml++/toml.h core/*.cc
	[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv --system-site-packages $(VENV)
	CJSON_DIR=$(CJSON_DIR) YAML_DIR=$(YAML_DIR) TOML_DIR=$(TOML_DIR) $(VENV)/bin/python -m pip install -q --no-build-isolation --no-deps --no-index .
	@touch $@

# The shared cases through Python, compared with the native build.
test-python: $(VENV)/.installed $(BUILD)/run_cases $(BUILD)/gpu-mem-calc
	cd tests/python && GM_BUILD=$(abspath $(BUILD)) $(abspath $(VENV))/bin/python -m unittest test_api
