/* perf.c - estimated time of one training step: an analytic model of compute,
 * pipeline bubble and the collectives that are not hidden behind compute.
 * docs/performance-model.md derives every term and compares the estimates
 * with published throughput. Estimates, not measurements. */
#include "internal.h"
#include "presets_table.h"

#include <math.h>
#include <string.h>

/* Links, bytes per second per GPU and direction (datasheets): the node's
 * interconnect and the network between nodes. */
static const struct {
  const char *name;
  double bytes_s;
} links[] = {
    {"nvlink2", 150e9},               /* V100 SXM2: 300 GB/s bidirectional */
    {"nvlink3", 300e9},               /* A100: 600 GB/s bidirectional */
    {"nvlink4", 450e9},               /* H100/H200/GH200: 900 GB/s bidirectional */
    {"nvlink5", 900e9},               /* B200/GB200: 1.8 TB/s bidirectional */
    {"pcie3", 16e9},                  /* x16 */
    {"pcie4", 32e9},                  /* x16 */
    {"pcie5", 64e9},                  /* x16 */
    {"infinity-fabric", 100e9},       /* MI250X: GCD-to-GCD links */
    {"infinity-fabric-mi300", 448e9}, /* MI300X: 7 links, 896 GB/s bidirectional */
    {"ib-edr", 12.5e9},               /* 100 Gb/s per GPU */
    {"ib-hdr", 25e9},                 /* 200 Gb/s per GPU */
    {"ib-ndr", 50e9},                 /* 400 Gb/s per GPU */
    {"ib-xdr", 100e9},                /* 800 Gb/s per GPU */
    {"roce-400", 50e9},               /* 400 Gb/s RoCE per GPU */
    {"slingshot-200", 25e9},          /* HPE Slingshot 200 Gb/s per GPU */
    {"ethernet-100", 12.5e9},         /* 100 Gb/s per node, shared: an optimistic bound */
};

/* NCCL reaches about 80% of a link's line rate as bus bandwidth on large
 * messages (nccl-tests all_reduce_perf on DGX A100/H100). */
#define LINK_EFFICIENCY 0.8
/* The share of dense peak that large bf16 matrix multiplies reach in a
 * whole training step. Calibrated on the published rows of
 * docs/performance-model.md (Megatron-LM reaches 52-58% MFU on A100 with
 * its TP collectives exposed, torchtitan 58-61% with FSDP). */
#ifndef UTILISATION_CEILING
#define UTILISATION_CEILING 0.75
#endif
/* Matmuls whose narrow dimension (hidden / TP) is small run below peak:
 * efficiency x / (x + GEMM_HALF), x = hidden / TP. */
#ifndef GEMM_HALF
#define GEMM_HALF 256.0
#endif
/* The share of data-parallel traffic that no overlap hides: the last
 * bucket, reduced after the backward has ended. */
#define TAIL 0.05
/* Bytes that the element-wise operators (norms, rotary embedding, the gated
 * activation, residual adds, their backward) read and write per token, per
 * unit of hidden size and per layer, in a training step: eager PyTorch
 * launches one kernel per operator and upcasts norms to fp32; fused kernels
 * (Megatron-LM, torch.compile) read each tensor about once. Calibrated on the
 * rows of docs/performance-model.md. */
#ifndef ELEMENTWISE_EAGER
#define ELEMENTWISE_EAGER 1500.0
#endif
#ifndef ELEMENTWISE_FUSED
#define ELEMENTWISE_FUSED 300.0
#endif
/* Optimizer states moved over PCIe and stepped on the CPU (DeepSpeed
 * CPU Adam, ZeRO-Offload paper: about 1e9 parameters/s per GPU's process). */
#define PCIE_BYTES_S 25e9
#define CPU_ADAM_PARAMS_S 1e9

static double link_bytes_s(const char *name) {
  size_t i;
  for (i = 0; i < sizeof links / sizeof links[0]; i++)
    if (strcmp(links[i].name, name) == 0)
      return links[i].bytes_s * LINK_EFFICIENCY;
  return 0;
}

int gm_gpu_perf_of(const char *gpu_id, gm_gpu_perf *out) {
  const gm_gpu_preset *g;
  memset(out, 0, sizeof *out);
  for (g = gm_gpu_presets; g->id; g++) {
    if (strcmp(g->id, gpu_id) != 0)
      continue;
    out->bf16_flops = g->bf16_tflops * 1e12;
    out->hbm_bytes_s = g->hbm_tbps * 1e12;
    out->intra_bytes_s = link_bytes_s(gm_gpu_interconnect(g));
    out->inter_bytes_s = link_bytes_s(gm_preset_name_after(gm_gpu_interconnect(g)));
    out->known = out->bf16_flops > 0 && out->hbm_bytes_s > 0 && out->intra_bytes_s > 0 &&
                 out->inter_bytes_s > 0;
  }
  return out->known ? GM_OK : GM_EINVAL;
}

/* Ring all-reduce over n ranks moves 2(n-1)/n of the data per GPU; an
 * all-gather or a reduce-scatter half of that. */
static double ring(double n, double bytes, double bw, double passes) {
  return n > 1 ? passes * (n - 1) / n * bytes / bw : 0;
}

void gm_perf_eval(const gm_config *c, const gm_params *P, const gm_gpu_perf *g, gm_perf *o) {
  const gm_model *m = &c->model;
  const gm_training *t = &c->training;
  const gm_parallel *pp = &c->parallel;
  const gm_engine *e = &c->engine;
  double tp = pp->tp, cp = pp->cp, p = pp->pp, v = pp->vpp, dp = pp->dp, ep = pp->ep;
  double G = tp * cp * p * dp, node = c->hardware.gpus_per_node;
  double s = (double)t->seq_len, b = (double)t->micro_batch_size, mb = (double)pp->num_microbatches;
  double L = m->num_layers, h = m->hidden_size, heads = m->num_attention_heads;
  double dh = m->head_dim, A = t->dtype == GM_DTYPE_FP32 ? 4.0 : 2.0;
  double active = (double)(P->active_per_token > 0 ? P->active_per_token : P->total);
  double emb = (double)P->embedding, matmul = active - emb;
  double attn = 12.0 * L * heads * dh * s; /* per token, as torchtitan and Megatron count it */
  double model_tok = 6.0 * matmul + attn, hw_tok = model_tok, extra = 0;
  double step_tokens = b * s * mb * dp, gpu_tokens = step_tokens / G;
  double x = h / tp, eff = UTILISATION_CEILING * x / (x + GEMM_HALF);
  double peak = g->bf16_flops, mb_tokens = b * s / cp;
  double compute, per_mb, tp_s = 0, dp_s = 0, other = 0, bubble;
  double layers_here = L / p, bytes_act = mb_tokens * h * A;
  memset(o, 0, sizeof *o);
  if (!g->known || peak <= 0)
    return;
  if (t->dtype == GM_DTYPE_FP32)
    peak /= 8.0; /* no tensor cores at bf16 rate: TF32 is half, plain fp32 far less */
  /* Recompute repeats forward work: full, the whole forward (a third of
   * 6N and of the attention); Megatron's selective, the attention core;
   * torchtitan's per-op policy, every other matmul. */
  if (t->recompute == GM_AC_FULL)
    extra = model_tok / 3.0;
  else if (t->recompute == GM_AC_SELECTIVE)
    extra = t->selective_policy == GM_SEL_PER_OP ? matmul : attn / 3.0;
  hw_tok += extra;
  compute = hw_tok * gpu_tokens / (peak * eff);
  {
    /* Element-wise operators are bound by memory bandwidth, not FLOPs. */
    int fused =
        t->compile || e->kind == GM_ENGINE_MEGATRON || e->kind == GM_ENGINE_MEGATRON_DEEPSPEED;
    double k = fused ? ELEMENTWISE_FUSED : ELEMENTWISE_EAGER;
    double bytes = k * h / tp * L * gpu_tokens * (t->recompute == GM_AC_FULL ? 4.0 / 3.0 : 1.0);
    compute += bytes / g->hbm_bytes_s;
  }
  per_mb = compute / mb;
  /* Pipeline bubble: (p - 1) / (v m) of the ideal time (1F1B, interleaved);
   * GPipe has the same bubble. */
  bubble = p > 1 ? compute * (p - 1) / (v * mb) : 0;
  /* TP (Megatron, and torchtitan's plan): two all-reduces (or, with SP,
   * all-gather + reduce-scatter pairs of the same volume) per layer in
   * forward and two in backward, one more forward under full recompute. */
  if (tp > 1) {
    double bw = tp <= node ? g->intra_bytes_s : g->inter_bytes_s;
    double colls = 4.0 + (t->recompute == GM_AC_FULL ? 2.0 : 0.0);
    tp_s = colls * layers_here * mb * ring(tp, bytes_act, bw, 2.0);
  }
  /* CP: K and V go around the ring once in forward, twice in backward,
   * behind the attention compute of each chunk. */
  if (cp > 1) {
    double bw = tp * cp <= node ? g->intra_bytes_s : g->inter_bytes_s;
    double kv = 2.0 * mb_tokens * m->num_key_value_heads * dh * A / tp;
    double comm = 3.0 * (cp - 1) * kv / bw * layers_here * mb;
    double hide = 3.0 * attn / L * mb_tokens * layers_here * mb / (peak * eff) / tp;
    other += comm > hide ? comm - hide : 0;
  }
  /* EP: two all-to-alls of the routed tokens in forward, two in backward. */
  if (ep > 1 && m->num_experts > 0) {
    double bw = ep * tp <= node ? g->intra_bytes_s : g->inter_bytes_s;
    double moe_layers = (L - m->first_dense_layers) / p;
    double routed = bytes_act * m->experts_per_token * (ep - 1) / ep / tp;
    other += 4.0 * moe_layers * mb * routed / bw;
  }
  /* PP: each micro-batch's activation crosses each stage boundary forward and back. */
  if (p > 1)
    other += 2.0 * v * mb * bytes_act / (pp->sequence_parallel ? tp : 1.0) / g->inter_bytes_s;
  /* Data parallel. Replicated weights (DDP, ZeRO-1/2, Megatron): gradients
   * all-reduced (or reduce-scattered, then weights all-gathered: the same
   * volume) once per step, overlapped with the backward of the last
   * micro-batch. Sharded weights (FSDP, ZeRO-3): every micro-batch gathers
   * them for forward and again for backward and reduce-scatters its
   * gradients, overlapped with that micro-batch's compute (FSDP2 under PP
   * keeps them gathered: one gather and one reduction per step). What is
   * not hidden is exposed; the last bucket never is (TAIL). */
  {
    double d = dp * cp, bw = tp * cp * dp <= node ? g->intra_bytes_s : g->inter_bytes_s;
    double shard = (double)(t->finetune != GM_FT_FULL ? P->trainable : P->total) / (tp * p);
    double weights = (double)P->total / (tp * p);
    double gbytes = t->precision == GM_PRECISION_MIXED_FP32_GRADS ||
                            t->precision == GM_PRECISION_FP32 || t->precision == GM_PRECISION_AMP
                        ? 4.0
                        : 2.0;
    int sharded = (e->kind == GM_ENGINE_FSDP && e->sharding != GM_FSDP_NO_SHARD) ||
                  ((e->kind == GM_ENGINE_DEEPSPEED || e->kind == GM_ENGINE_MEGATRON_DEEPSPEED) &&
                   e->zero_stage == 3);
    if (sharded) {
      double sd = d, sbw = bw, per, total;
      if (e->kind == GM_ENGINE_FSDP && e->sharding == GM_FSDP_HYBRID_SHARD && node / tp < d) {
        sd = floor(node / tp), sbw = g->intra_bytes_s;
        dp_s += ring(d / sd, shard / sd * gbytes, bw, 2.0); /* across the replicas */
      }
      if (e->kind == GM_ENGINE_FSDP && !e->reshard_after_forward) {
        total = ring(sd, weights * A, sbw, 1.0) + ring(sd, shard * gbytes, sbw, 1.0);
        dp_s += (total > per_mb ? total - per_mb : 0) + TAIL * total;
      } else {
        per = ring(sd, weights * A, sbw, 2.0) + ring(sd, shard * gbytes, sbw, 1.0);
        dp_s += mb * ((per > per_mb ? per - per_mb : 0) + TAIL * per);
      }
    } else if (d > 1) {
      double comm = ring(d, shard * gbytes, bw, 2.0), window = 2.0 / 3.0 * per_mb;
      dp_s += (comm > window ? comm - window : 0) + TAIL * comm;
    }
  }
  /* Optimizer offload: gradients down and weights up over PCIe, the step on
   * the CPU; parameter offload streams the weights every micro-batch. */
  if (e->offload_optimizer != GM_OFFLOAD_NONE) {
    double n = (double)P->trainable / (tp * p * dp * cp);
    other += n * 6.0 / PCIE_BYTES_S + n / CPU_ADAM_PARAMS_S;
  }
  if (e->offload_param != GM_OFFLOAD_NONE)
    other += mb * 2.0 * (double)P->total / (tp * p * dp * cp) * A / PCIE_BYTES_S;
  o->known = 1;
  o->compute_s = compute;
  o->bubble_s = bubble;
  o->tp_comm_s = tp_s;
  o->dp_comm_s = dp_s;
  o->other_comm_s = other;
  o->step_time_s = compute + bubble + tp_s + dp_s + other;
  o->tokens_per_s_per_gpu = step_tokens / o->step_time_s / G;
  o->mfu = model_tok * o->tokens_per_s_per_gpu / g->bf16_flops;
  o->flops_per_s_per_gpu = hw_tok * o->tokens_per_s_per_gpu;
}

void gm_perf_estimate(const gm_config *resolved, const gm_params *P, gm_perf *out) {
  gm_gpu_perf g;
  gm_gpu_perf_of(resolved->hardware.gpu_name, &g);
  gm_perf_eval(resolved, P, &g, out);
}
