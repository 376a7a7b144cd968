/* verdict.c - fits / tight / does not fit, from one GPU's peaks and a safety
 * margin, and the host's share of the verdict. */
#include "checked.h"
#include "internal.h"

double gm_default_safety_margin(void) { return GM_DEFAULT_SAFETY_MARGIN; }

gm_verdict gm_judge(const gm_config *c, const gm_stage *worst) {
  double at_peak = 0;
  int k;
  for (k = 0; k < GM_C_CACHE; k++)
    at_peak += gm_figure(worst->bytes[k]); /* figures of gm_bytes */
  return gm_judge_at(c, worst, at_peak);
}

gm_verdict gm_judge_at(const gm_config *c, const gm_stage *worst, double at_peak) {
  const gm_hardware *hw = &c->hardware;
  double cap = (double)hw->gpu_capacity_bytes, margin = hw->safety_margin;
  double allocated = (double)worst->peak_allocated_bytes, unconstrained;
  /* The allocations at the peak must fit whatever the allocator releases. */
  if (at_peak > allocated)
    allocated = at_peak;
  if (allocated + (double)hw->cuda_context_bytes > cap)
    return GM_VERDICT_DOES_NOT_FIT;
  if (!(margin >= 0 && margin < 1))
    margin = GM_DEFAULT_SAFETY_MARGIN;
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

int gm_node_host_fits(const gm_config *c, uint64_t host_bytes_per_gpu) {
  uint64_t n = (uint64_t)c->hardware.gpus_per_node;
  if ((double)host_bytes_per_gpu * (double)n > GM_MAX_FIGURE_BYTES)
    return 0;
  return gm_host_fits(c, host_bytes_per_gpu * n);
}
