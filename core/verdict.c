/* verdict.c - fits / tight / does not fit, from one GPU's peaks and a safety
 * margin, and the host's share of the verdict. */
#include "internal.h"

/* The default share of the card kept free before a run is called "fits".
 * Evidence (docs/formulas.md §6.1): the fit/OOM rows of the validation set
 * (tests/validation/rows, tier D). The lowest observed out-of-memory run is
 * predicted at 79.9 % of its card (D-7, LitGPT Llama-2-7B full fine-tune on
 * 4x A10G), so a margin below 20.1 % would call an observed OOM "fits"; no
 * observed fit has its allocations beyond the card. With this margin the
 * longest sequence lands within -5.4 % .. +9.6 % of the longest context
 * measured on six of the seven rows that give one, and all but two measured
 * rows are below 1 / (1 - 0.21) = 1.27 times the prediction. */
#define DEFAULT_SAFETY_MARGIN 0.21

double gm_default_safety_margin(void) { return DEFAULT_SAFETY_MARGIN; }

gm_verdict gm_judge(const gm_config *c, const gm_stage *worst) {
  const gm_hardware *hw = &c->hardware;
  double cap = (double)hw->gpu_capacity_bytes, margin = hw->safety_margin;
  double allocated = (double)worst->peak_allocated_bytes, unconstrained;
  int k;
  /* The allocations at the peak must fit whatever the allocator releases. */
  {
    double at_peak = 0;
    for (k = 0; k < GM_C_CACHE; k++)
      at_peak += (double)worst->bytes[k];
    if (at_peak > allocated)
      allocated = at_peak;
  }
  if (allocated + (double)hw->cuda_context_bytes > cap)
    return GM_VERDICT_DOES_NOT_FIT;
  if (!(margin >= 0 && margin < 1))
    margin = DEFAULT_SAFETY_MARGIN;
  unconstrained = (double)worst->peak_unconstrained_bytes;
  if ((double)worst->peak_nvsmi_bytes > unconstrained)
    unconstrained = (double)worst->peak_nvsmi_bytes;
  return unconstrained > (1.0 - margin) * cap ? GM_VERDICT_TIGHT : GM_VERDICT_FITS;
}

int gm_host_fits(const gm_config *c, uint64_t host_bytes_per_node) {
  uint64_t have = c->hardware.host_memory_per_node_bytes;
  if (have == 0)
    return -1;
  return host_bytes_per_node <= have;
}
