/* fit.c - the C API in use: does Llama-2-7B train on 8 H100s under
 * DeepSpeed ZeRO-3 with micro-batch 2, what fills the most loaded GPU, and
 * what is the largest micro-batch that fits?
 *
 * The same run is given twice: as a gm_config built in C, and as the JSON
 * text calc_json takes. Both give the same figures; the program fails if
 * they do not.
 *
 * Build and run (after `make`):
 *   cc -Icore examples/fit.c build/libgpumem.a build/cjson.o -lm -o fit && ./fit
 * or `make examples`. docs/c-api.md explains each call. */
#include "gpumem.h"

#include <stdio.h>

#define GIB 1073741824.0

static void report(const char *how, const gm_result *r) {
  const gm_stage *w = &r->stages[r->worst_stage];
  int i;
  printf("%s: %s; GPU %d peaks at %.2f GiB of %.2f GiB in the %s phase; largest micro-batch %lld\n",
         how, gm_verdict_name(r->verdict), r->worst_stage, (double)w->peak_nvsmi_bytes / GIB,
         (double)r->capacity_bytes / GIB, gm_phase_name(w->peak_phase),
         (long long)r->max_micro_batch);
  for (i = 0; i < GM_C_COUNT; i++)
    printf("  %-17s %7.2f GiB\n", gm_component_name((gm_component)i), (double)w->bytes[i] / GIB);
  for (i = 0; i < r->num_warnings; i++)
    printf("  warning: %s: %s\n", r->warnings[i].field, r->warnings[i].message);
}

int main(void) {
  /* A result holds every pipeline stage (27 KB): static, not on the stack. */
  static gm_result from_c, from_json;
  gm_config cfg;
  gm_gpu gpu;
  gm_error err;
  static const char *const json =
      "{\"model\": {\"num_layers\": 32, \"hidden_size\": 4096, \"num_attention_heads\": 32,"
      "             \"intermediate_size\": 11008, \"vocab_size\": 32000, \"max_seq_len\": 4096},"
      " \"training\": {\"batch_size\": 2, \"seq_len\": 4096},"
      " \"engine\": {\"type\": \"deepspeed\", \"zero_stage\": 3},"
      " \"hardware\": {\"gpu\": \"H100\", \"num_gpus\": 8}}";

  /* 1. In C: every field starts unset (GM_AUTO); set what is known, and
   *    gm_calculate applies the same defaults as a JSON config gets. */
  gm_config_init(&cfg);
  cfg.model.num_layers = 32;
  cfg.model.hidden_size = 4096;
  cfg.model.num_attention_heads = 32;
  cfg.model.intermediate_size = 11008;
  cfg.model.vocab_size = 32000;
  cfg.model.max_seq_len = 4096;
  cfg.training.micro_batch_size = 2;
  cfg.training.seq_len = 4096;
  cfg.engine.kind = GM_ENGINE_DEEPSPEED;
  cfg.engine.zero_stage = 3;
  if (gm_find_gpu("H100", &gpu) != GM_OK) {
    fprintf(stderr, "fit: no GPU preset named H100\n");
    return 1;
  }
  snprintf(cfg.hardware.gpu_name, sizeof cfg.hardware.gpu_name, "%s", gpu.id);
  cfg.hardware.gpu_capacity_bytes = gpu.capacity_bytes;
  cfg.hardware.cuda_context_bytes = gpu.cuda_context_bytes;
  cfg.hardware.num_gpus = 8;
  if (gm_calculate(&cfg, &from_c, &err) != GM_OK) {
    fprintf(stderr, "fit: %s: %s\n", err.field, err.message);
    return 1;
  }
  report("from C", &from_c);

  /* 2. From JSON text: the struct behind calc_json's output. */
  if (gm_calculate_json(json, &from_json, &err) != GM_OK) {
    fprintf(stderr, "fit: %s: %s\n", err.field, err.message);
    return 1;
  }
  report("from JSON", &from_json);

  if (from_c.stages[from_c.worst_stage].peak_nvsmi_bytes !=
          from_json.stages[from_json.worst_stage].peak_nvsmi_bytes ||
      from_c.verdict != from_json.verdict || from_c.max_micro_batch != from_json.max_micro_batch) {
    fprintf(stderr, "fit: the C config and the JSON config disagree\n");
    return 1;
  }
  return 0;
}
