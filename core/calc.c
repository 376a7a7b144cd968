/* calc.c - the peak of every pipeline stage over the phases of a step, the
 * most loaded GPU, and the largest micro-batch that fits. */
#include "internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* The caching allocator reserves about a quarter more than the short-lived
 * tensors (activations, loss, gathers) need: fragmentation between shapes.
 * Calibrated: 1.2-1.3 fits both the torchtitan runs that report reserved
 * memory (tests/validation/rows/TT-*.json) and the Hugging Face runs read with
 * nvidia-smi (HF-*.json); one factor on the whole peak fits neither. */
#define CACHE_FRACTION 0.25

static const gm_phase phase_of[GM_PH_COUNT] = {GM_PHASE_FORWARD, GM_PHASE_BACKWARD, GM_PHASE_STEP};

#define F(i, ...) (fm ? (void)snprintf(fm[i], GM_FORMULA_LEN, __VA_ARGS__) : (void)0)

/* Allocated, reserved and nvidia-smi peaks of one stage; fills st. */
static void stage_peaks(const gm_config *c, const gm_stage_mem *sm, gm_stage *st) {
  double best_res = -1, best_alloc = 0;
  int ph, k, best = 0;
  for (ph = 0; ph < GM_PH_COUNT; ph++) {
    double alloc = 0, res;
    for (k = 0; k < GM_C_CACHE; k++)
      alloc += sm->comp[ph][k];
    res = alloc + CACHE_FRACTION * (alloc - sm->persistent[ph]);
    if (alloc > best_alloc)
      best_alloc = alloc;
    if (res > best_res) {
      best_res = res;
      best = ph;
    }
  }
  for (k = 0; k < GM_C_CACHE; k++)
    st->bytes[k] = (uint64_t)llround(sm->comp[best][k]);
  st->peak_allocated_bytes = (uint64_t)llround(best_alloc);
  {
    double alloc_best = 0, cache, room;
    for (k = 0; k < GM_C_CACHE; k++)
      alloc_best += (double)st->bytes[k];
    cache = best_res - alloc_best;
    /* Under pressure the allocator frees cached blocks before it fails. */
    room = (double)c->hardware.gpu_capacity_bytes - (double)c->hardware.cuda_context_bytes -
           alloc_best;
    if (cache > room && room >= 0)
      cache = room; /* only when the allocations themselves fit */
    st->bytes[GM_C_CACHE] = (uint64_t)llround(cache);
  }
  st->bytes[GM_C_CONTEXT] = c->hardware.cuda_context_bytes;
  st->peak_reserved_bytes = 0;
  for (k = 0; k < GM_C_CONTEXT; k++)
    st->peak_reserved_bytes += st->bytes[k];
  if (st->peak_reserved_bytes < st->peak_allocated_bytes)
    st->peak_reserved_bytes = st->peak_allocated_bytes;
  st->peak_nvsmi_bytes = st->peak_reserved_bytes + st->bytes[GM_C_CONTEXT];
  st->peak_phase = best == GM_PH_FORWARD && st->has_output_head ? GM_PHASE_LOSS : phase_of[best];
}

/* Every stage; returns the index of the most loaded one. */
static int all_stages(const gm_config *c, const gm_params *P, gm_result *r, int with_formulas) {
  int i, worst = 0;
  double host_max = 0, nvme_max = 0;
  r->num_stages = c->parallel.pp;
  for (i = 0; i < r->num_stages; i++) {
    gm_shape s = gm_stage_shape(c, P, i);
    gm_stage_mem sm;
    gm_stage *st = &r->stages[i];
    memset(st, 0, sizeof *st);
    gm_stage_memory(c, P, &s, &sm, NULL);
    st->first_layer = s.first_layer;
    st->num_layers = s.layers;
    st->has_embedding = s.has_emb;
    st->has_output_head = s.has_head;
    st->params = (int64_t)llround(s.params);
    st->microbatches_in_flight = (int64_t)s.inflight_mbs;
    stage_peaks(c, &sm, st);
    if (st->peak_nvsmi_bytes > r->stages[worst].peak_nvsmi_bytes)
      worst = i;
    if (sm.host_bytes > host_max)
      host_max = sm.host_bytes;
    if (sm.nvme_bytes > nvme_max)
      nvme_max = sm.nvme_bytes;
  }
  r->host_bytes_per_gpu = (uint64_t)llround(host_max);
  r->nvme_bytes_per_gpu = (uint64_t)llround(nvme_max);
  if (with_formulas) {
    gm_shape s = gm_stage_shape(c, P, worst);
    gm_stage_mem sm;
    gm_stage_memory(c, P, &s, &sm, r->formula);
  }
  return worst;
}

/* Does the most loaded GPU fit? Uses a single stage record, no result. */
static int config_fits(const gm_config *c, const gm_params *P) {
  int i;
  for (i = 0; i < c->parallel.pp; i++) {
    gm_shape s = gm_stage_shape(c, P, i);
    gm_stage_mem sm;
    gm_stage st;
    memset(&st, 0, sizeof st);
    st.has_output_head = s.has_head;
    gm_stage_memory(c, P, &s, &sm, NULL);
    stage_peaks(c, &sm, &st);
    if (st.peak_nvsmi_bytes > c->hardware.gpu_capacity_bytes ||
        st.peak_allocated_bytes + c->hardware.cuda_context_bytes > c->hardware.gpu_capacity_bytes)
      return 0;
  }
  return 1;
}

/* The largest micro-batch that fits, by bisection (memory grows with b). */
static int64_t max_micro_batch(const gm_config *cfg, const gm_params *P) {
  gm_config c = *cfg;
  int64_t lo = 0, hi = 1;
  for (;;) {
    c.training.micro_batch_size = hi;
    if (!config_fits(&c, P))
      break;
    lo = hi;
    if (hi >= ((int64_t)1 << 24))
      return lo;
    hi *= 2;
  }
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    c.training.micro_batch_size = mid;
    if (config_fits(&c, P))
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

/* An estimated architecture keeps the user's total: scale every part to it. */
static void scale_to_declared(gm_params *p, int64_t declared) {
  double k = (double)declared / (double)p->total;
  p->per_layer_dense = (int64_t)llround((double)p->per_layer_dense * k);
  p->per_layer_moe = (int64_t)llround((double)p->per_layer_moe * k);
  p->expert_params_per_layer = (int64_t)llround((double)p->expert_params_per_layer * k);
  p->embedding = (int64_t)llround((double)p->embedding * k);
  p->output_head = (int64_t)llround((double)p->output_head * k);
  p->largest_layer = (int64_t)llround((double)p->largest_layer * k);
  p->active_per_token = (int64_t)llround((double)p->active_per_token * k);
  p->total = p->trainable = declared;
}

int gm_calculate(const gm_config *cfg, gm_result *out, gm_error *err) {
  gm_config c = *cfg;
  gm_result *r = out;
  int rc;
  const gm_stage *w;
  double P_declared;
  size_t tail = offsetof(gm_result, stages) + sizeof out->stages;
  size_t warn = offsetof(gm_result, warnings), after = warn + sizeof out->warnings;
  /* out is only written: zeroed once, all but the stage slots, which
   * all_stages fills one by one (those past num_stages stay unwritten), and
   * the warnings, which count from num_warnings = 0. */
  memset(out, 0, offsetof(gm_result, stages));
  memset((char *)out + tail, 0, warn - tail);
  memset((char *)out + after, 0, sizeof *out - after);
  if ((rc = gm_resolve(&c, r, err)) != GM_OK)
    return rc;
  if ((rc = gm_count_params(&c.model, &r->params, err)) != GM_OK)
    return rc;
  if (c.model.estimated)
    scale_to_declared(&r->params, c.model.declared_parameters);
  if (c.training.finetune != GM_FT_FULL)
    r->params.trainable = gm_lora_params(&c);
  P_declared = (double)c.model.declared_parameters;
  if (P_declared > 0 && !c.model.estimated &&
      fabs((double)r->params.total - P_declared) > 0.05 * P_declared)
    gm_warn(r, "model.num_parameters",
            "given as %.4g but the architecture has %.4g parameters (%+.0f%%); the architecture's "
            "exact count is used",
            P_declared, (double)r->params.total,
            100.0 * ((double)r->params.total - P_declared) / P_declared);
  r->resolved = c;
  r->worst_stage = all_stages(&c, &r->params, r, 1);
  w = &r->stages[r->worst_stage];
  r->capacity_bytes = c.hardware.gpu_capacity_bytes;
  r->fits = w->peak_nvsmi_bytes <= r->capacity_bytes;
  r->utilization_percent = 100.0 * (double)w->peak_nvsmi_bytes / (double)r->capacity_bytes;
  r->host_bytes_per_node = r->host_bytes_per_gpu * (uint64_t)c.hardware.gpus_per_node;
  char(*fm)[GM_FORMULA_LEN] = r->formula;
  F(GM_C_CACHE,
    "%.0f%% of the short-lived tensors (activations, loss, gathers, buffers): caching "
    "allocator reserve",
    CACHE_FRACTION * 100.0);
  F(GM_C_CONTEXT, "CUDA context and libraries (%s): seen by nvidia-smi, not by PyTorch",
    c.hardware.gpu_name[0] ? c.hardware.gpu_name : "default");
  if (r->fits && r->utilization_percent > 90.0)
    gm_warn(r, "hardware",
            "uses %.0f%% of the card: within the calculator's error on measured runs (about "
            "10%% near the limit), so an out-of-memory error is possible",
            r->utilization_percent);
  if (w->peak_allocated_bytes + c.hardware.cuda_context_bytes <= r->capacity_bytes &&
      w->peak_reserved_bytes + c.hardware.cuda_context_bytes >= r->capacity_bytes)
    gm_warn(r, "hardware",
            "fits only if the allocator releases cached blocks: expect "
            "fragmentation retries; PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True "
            "helps");
  if (c.hardware.host_memory_per_node_bytes > 0 &&
      r->host_bytes_per_node > c.hardware.host_memory_per_node_bytes)
    gm_warn(r, "hardware.host_memory_per_node_gb",
            "offloading needs %.1f GiB of host memory per node; the node has %.1f GiB",
            (double)r->host_bytes_per_node / GM_GIB,
            (double)c.hardware.host_memory_per_node_bytes / GM_GIB);
  r->max_micro_batch = max_micro_batch(&c, &r->params);
  r->layer_saved_bytes = (uint64_t)llround(
      c.model.num_experts > 0 && c.model.first_dense_layers == 0 ? gm_moe_layer_saved_bytes(&c)
                                                                 : gm_layer_saved_bytes(&c));
  r->layer_full_bytes = (uint64_t)llround(gm_layer_full_bytes(&c));
  return GM_OK;
}

size_t gm_fmt_count(char *buf, size_t n, double v) {
  char digits[32];
  int len, i, j = 0, lead;
  snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
  len = (int)strlen(digits);
  lead = len % 3 == 0 ? 3 : len % 3;
  for (i = 0; i < len && (size_t)j + 2 < n; i++) {
    if (i > 0 && (i - lead) % 3 == 0)
      buf[j++] = ',';
    buf[j++] = digits[i];
  }
  buf[j] = '\0';
  return (size_t)j;
}

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

const char *gm_layout_name(gm_layout l) {
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
