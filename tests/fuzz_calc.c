/* fuzz_calc.c - libFuzzer driver that checks what calc_json's answers mean.
 *
 * Every input gets one JSON object: an error with a field and a message, or
 * a result in which
 *   - every number is finite, not negative and not wrapped (below 2^62);
 *     byte counts are at most 2^53;
 *   - each stage's components add up to its reserved peak (or the allocated
 *     peak stands above them), and the context on top gives the nvidia-smi peak;
 *   - the top-level bytes are those of the worst stage, which no stage exceeds;
 *   - fits_on_gpu says whether that peak is within the capacity, the GiB
 *     figures are the bytes, and host memory per node is per GPU x GPUs per node;
 *   - the same input gives the same bytes again, and the resolved config,
 *     run again, gives the same figures (unless the architecture is estimated).
 * A broken invariant prints what broke and aborts, so libFuzzer keeps the input.
 *
 *   make fuzz FUZZ_SECONDS=60     (clang with libFuzzer, ASan and UBSan)
 * Seeds are the configs of tests/cases and presets/examples (build/fuzz/corpus). */
#include "gpumem.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *input_text;

static void broken(const char *what, const char *detail) {
  fprintf(stderr, "fuzz_calc: invariant broken: %s (%s)\ninput: %.2000s\n", what,
          detail ? detail : "", input_text);
  abort();
}

static const cJSON *get(const cJSON *o, const char *k) {
  return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Every number in v: finite, >= 0, < 2^62. */
static void numbers(const cJSON *v, const char *key) {
  const cJSON *c;
  if (cJSON_IsNumber(v)) {
    double x = v->valuedouble;
    if (!isfinite(x) || x < 0 || x >= 4611686018427387904.0)
      broken("a negative, wrapped or non-finite number", key);
  }
  cJSON_ArrayForEach(c, v) numbers(c, c->string ? c->string : key);
}

/* A byte count: an exact integer in [0, 2^53]. */
static uint64_t bytes_of(const cJSON *o, const char *k) {
  const cJSON *v = get(o, k);
  if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0 ||
      v->valuedouble != floor(v->valuedouble))
    broken("a byte count that is missing, fractional or beyond 2^53", k);
  return (uint64_t)v->valuedouble;
}

static const char *const parts[] = {"weights",     "gradients",      "optimizer_states",
                                    "activations", "logits",         "gathered_params",
                                    "buffers",     "optimizer_step", "allocator_cache"};

/* Returns the stage's nvidia-smi peak after checking its sums. */
static uint64_t check_bytes(const cJSON *b) {
  uint64_t sum = 0, alloc, reserved, smi, context;
  size_t i;
  if (!cJSON_IsObject(b))
    broken("no bytes object", NULL);
  for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
    sum += bytes_of(b, parts[i]);
  context = bytes_of(b, "cuda_context");
  alloc = bytes_of(b, "peak_allocated");
  reserved = bytes_of(b, "peak_reserved");
  smi = bytes_of(b, "peak_nvidia_smi");
  if (reserved != (sum > alloc ? sum : alloc))
    broken("the components do not add up to the reserved peak", NULL);
  if (smi != reserved + context)
    broken("reserved + context is not the nvidia-smi peak", NULL);
  if (alloc > reserved)
    broken("allocated above reserved", NULL);
  return smi;
}

static char *calc_object(const cJSON *config) {
  char *text = cJSON_PrintUnformatted(config), *out;
  if (!text)
    return NULL;
  out = calc_json(text);
  free(text);
  return out;
}

static void same(const cJSON *a, const cJSON *b, const char *what) {
  if (!a || !b || !cJSON_Compare(a, b, 1))
    broken("the resolved config, run again, gives another result", what);
}

static void check_result(const char *out) {
  cJSON *r = cJSON_Parse(out), *again_tree;
  const cJSON *error, *stages, *s, *worst_bytes, *resolved;
  uint64_t worst = 0, top;
  int n = 0, worst_index;
  char *again;
  if (!r)
    broken("the answer is not JSON", out);
  if ((error = get(r, "error")) != NULL) {
    if (!cJSON_IsString(get(error, "field")) || !cJSON_IsString(get(error, "message")) ||
        !*get(error, "message")->valuestring)
      broken("an error without field and message", NULL);
    cJSON_Delete(r);
    return;
  }
  numbers(r, "");
  stages = get(r, "stages");
  cJSON_ArrayForEach(s, stages) {
    uint64_t smi = check_bytes(get(s, "bytes"));
    if (smi > worst)
      worst = smi;
    n++;
  }
  if (n < 1 || n > GM_MAX_STAGES)
    broken("no stages, or too many", NULL);
  worst_index = (int)get(r, "worst_stage")->valuedouble;
  worst_bytes = get(cJSON_GetArrayItem(stages, worst_index), "bytes");
  top = check_bytes(get(r, "bytes"));
  if (top != worst || !cJSON_Compare(get(r, "bytes"), worst_bytes, 1))
    broken("the summary is not the worst stage, or a stage exceeds it", NULL);
  {
    double cap_gb = get(r, "gpu_capacity_gb")->valuedouble,
           total_gb = get(r, "total_memory_per_gpu_gb")->valuedouble;
    int fits = cJSON_IsTrue(get(r, "fits_on_gpu"));
    /* Both are rounded to 4 decimals of GiB: compare away from the edge. */
    if ((fits && total_gb > cap_gb + 1e-3) || (!fits && total_gb < cap_gb - 1e-3))
      broken("fits_on_gpu disagrees with the peak and the capacity", NULL);
  }
  {
    /* The GiB figures are the bytes rounded, and host memory per node is per GPU times
     * the GPUs of a node. */
    const cJSON *host = get(r, "host_memory"), *hw = get(get(r, "resolved"), "hardware");
    double gb = get(r, "total_memory_per_gpu_gb")->valuedouble;
    uint64_t per_gpu = bytes_of(host, "per_gpu_bytes"), per_node = bytes_of(host, "per_node_bytes");
    const cJSON *per = get(hw, "gpus_per_node");
    if (fabs(gb - (double)top / 1073741824.0) > 1e-4)
      broken("total_memory_per_gpu_gb is not the peak in GiB", NULL);
    if (!cJSON_IsNumber(per) || per_node != per_gpu * (uint64_t)per->valuedouble)
      broken("host memory per node is not per GPU x gpus_per_node", NULL);
  }
  /* Deterministic, and the resolved config reads back as what was computed. */
  again = calc_json(input_text);
  if (!again || strcmp(again, out) != 0)
    broken("the same input gave another answer", NULL);
  calc_free(again);
  resolved = get(r, "resolved");
  if (!cJSON_IsTrue(get(get(r, "parameters"), "estimated"))) {
    again = calc_object(resolved);
    again_tree = again ? cJSON_Parse(again) : NULL;
    if (!again_tree || get(again_tree, "error"))
      broken("the resolved config is rejected", again);
    same(get(r, "bytes"), get(again_tree, "bytes"), "bytes");
    same(get(r, "stages"), get(again_tree, "stages"), "stages");
    same(get(get(r, "parameters"), "total"), get(get(again_tree, "parameters"), "total"),
         "parameters.total");
    same(get(r, "host_memory"), get(again_tree, "host_memory"), "host_memory");
    same(get(r, "max_micro_batch_size"), get(again_tree, "max_micro_batch_size"),
         "max_micro_batch_size");
    same(get(r, "fits_on_gpu"), get(again_tree, "fits_on_gpu"), "fits_on_gpu");
    cJSON_Delete(again_tree);
    calc_free(again);
  }
  cJSON_Delete(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1), *out;
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  input_text = text;
  out = calc_json(text);
  if (!out || out[0] != '{' || out[strlen(out) - 1] != '\n')
    broken("no answer, or not one JSON object and a newline", out);
  check_result(out);
  calc_free(out);
  free(text);
  return 0;
}
