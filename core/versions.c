/* versions.c - framework releases whose defaults change memory: each boundary is
 * the date of the change in the framework's (or PyTorch's) source, and a config
 * names the date of the code it ran (engine.framework_version). */
#include "internal.h"

/* The newest code the defaults were checked against (torchtitan main, August 2026). */
#define GM_VERSION_CURRENT 20260821

/* PyTorch 2.0 (2023-03-15): Module/Optimizer.zero_grad(set_to_none=True) and
 * multi-tensor (foreach) Adam/AdamW on CUDA by default; 1.x looped per parameter. */
#define TORCH_2_0 20230315
/* transformers #25109 (2023-07-26): Trainer's default optim adamw_hf -> adamw_torch. */
#define HF_ADAMW_TORCH 20230726
/* transformers #37358 (2025-07-10): adamw_torch_fused by default with PyTorch >= 2.8. */
#define HF_ADAMW_FUSED 20250710
/* torchtitan #755 (2024-12-18): the loss is no longer compiled with the model. */
#define TITAN_LOSS_EAGER 20241218
/* torchtitan #881 (2025-02-24): optimizer.implementation defaults to fused AdamW. */
#define TITAN_FUSED_ADAMW 20250224
/* torchtitan #1033 (2025-04-02): build_loss_fn compiles the loss when compile is on. */
#define TITAN_LOSS_COMPILED 20250402
/* pytorch #153383 (2025-05-13): a pipeline stage keeps its outputs for the merge
 * after step() only on the last stage; before, every stage kept all of them. */
#define TORCH_PP_OUTPUTS_LAST_ONLY 20250513
/* torchtitan #1922 (2025-10-22): pp_schedule.step(return_outputs=False), so the
 * last stage no longer keeps every micro-batch's logits until the step ends. */
#define TITAN_PP_NO_OUTPUTS 20251022

void gm_version_defaults(gm_config *c) {
  gm_training *t = &c->training;
  gm_engine *e = &c->engine;
  int v;
  if (e->framework_version == GM_AUTO)
    e->framework_version = GM_VERSION_CURRENT;
  v = e->framework_version;
  switch (e->framework) {
  case GM_FW_TORCHTITAN:
    if (t->optimizer_impl == (gm_optimizer_impl)GM_AUTO)
      t->optimizer_impl = v < TITAN_FUSED_ADAMW ? GM_OPTIMPL_FOREACH : GM_OPTIMPL_FUSED;
    /* The compiled loss replaces the eager one only without tensor parallelism
     * (loss_parallel keeps its own DTensor path). */
    if (t->loss == (gm_loss)GM_AUTO && t->compile == 1 && c->parallel.tp <= 1)
      t->loss = v >= TITAN_LOSS_EAGER && v < TITAN_LOSS_COMPILED ? GM_LOSS_EAGER : GM_LOSS_COMPILED;
    break;
  case GM_FW_HF_TRAINER:
    if (t->optimizer_impl == (gm_optimizer_impl)GM_AUTO && e->kind != GM_ENGINE_DEEPSPEED &&
        e->kind != GM_ENGINE_MEGATRON && e->kind != GM_ENGINE_MEGATRON_DEEPSPEED)
      /* adamw_hf steps parameter by parameter, as torch's single-tensor path. */
      t->optimizer_impl = v < HF_ADAMW_TORCH   ? GM_OPTIMPL_FOR_LOOP
                          : v < HF_ADAMW_FUSED ? GM_OPTIMPL_FOREACH
                                               : GM_OPTIMPL_FUSED;
    break;
  case GM_FW_GENERIC:
  case GM_FW_LITGPT:
    if (t->optimizer_impl == (gm_optimizer_impl)GM_AUTO && v < TORCH_2_0 &&
        e->kind != GM_ENGINE_DEEPSPEED && e->kind != GM_ENGINE_MEGATRON &&
        e->kind != GM_ENGINE_MEGATRON_DEEPSPEED)
      t->optimizer_impl = GM_OPTIMPL_FOR_LOOP;
    break;
  default:
    break;
  }
  /* zero_grad kept zero-filled gradients before PyTorch 2.0. */
  if (t->grads_set_to_none == GM_AUTO && v < TORCH_2_0 &&
      (e->framework == GM_FW_GENERIC || e->framework == GM_FW_HF_TRAINER ||
       e->framework == GM_FW_LITGPT))
    t->grads_set_to_none = 0;
}

int gm_pp_kept_outputs(const gm_config *c) {
  int v = c->engine.framework_version;
  if (c->engine.framework != GM_FW_TORCHTITAN || c->parallel.pp <= 1)
    return GM_PP_KEEP_NONE;
  if (v > 0 && v < TORCH_PP_OUTPUTS_LAST_ONLY)
    return GM_PP_KEEP_ALL_STAGES;
  if (v > 0 && v < TITAN_PP_NO_OUTPUTS)
    return GM_PP_KEEP_LAST_STAGE;
  return GM_PP_KEEP_NONE;
}
