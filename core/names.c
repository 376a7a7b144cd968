/* names.c - the printed name of each enum value in results. */
#include "gpumem.h"

#include <stddef.h>

const char *gm_component_name(gm_component c) {
  static const char *names[GM_C_COUNT] = {
      "weights",         "gradients", "optimizer_states", "activations",     "logits",
      "gathered_params", "buffers",   "optimizer_step",   "allocator_cache", "cuda_context"};
  return (unsigned)c < GM_C_COUNT ? names[c] : "?";
}

const char *gm_phase_name(gm_phase p) {
  static const char *names[] = {"forward", "loss", "backward", "step"};
  return (unsigned)p < 4 ? names[p] : "?";
}

const char *gm_precision_name(gm_precision l) {
  static const char *names[] = {"fp32", "amp", "mixed", "mixed_fp32_grads", "pure_bf16"};
  return (unsigned)l < 5 ? names[l] : "?";
}

const char *gm_engine_name(gm_engine_kind k) {
  static const char *names[] = {"pytorch_ddp", "deepspeed", "megatron_lm", "megatron_deepspeed",
                                "fsdp"};
  return (unsigned)k < 5 ? names[k] : "?";
}

const char *gm_framework_name(gm_framework f) {
  static const char *names[] = {"generic",   "hf_trainer", "torchtitan", "megatron_lm",
                                "deepspeed", "torchtune",  "litgpt"};
  return (unsigned)f < 7 ? names[f] : "?";
}

const char *gm_verdict_name(gm_verdict v) {
  static const char *names[] = {"fits", "tight", "does_not_fit"};
  return (unsigned)v < 3 ? names[v] : "?";
}

const char *gm_verdict_reason_name(gm_verdict_reason r) {
  static const char *names[] = {NULL, "gpu_memory", "host_memory"};
  return (unsigned)r < 3 ? names[r] : NULL;
}
