/* calc.c - the peak memory of every pipeline stage, phase by phase. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The caching allocator reserves about a quarter more than the short-lived
 * tensors (activations, loss, gathers) need: fragmentation between shapes. */
#define CACHE_FRACTION 0.25
/* QLoRA NF4 with double quantisation: 4.127 bits per weight. */
#define NF4_BYTES (4.127 / 8.0)
/* DeepSpeed asynchronous I/O buffers for NVMe offload (buffer_count x size). */
#define NVME_OPT_PINNED_BYTES (4.0 * 1e8 * 4.0)
#define NVME_PARAM_PINNED_BYTES (5.0 * 1e8 * 2.0)

enum { PH_FORWARD = 0, PH_BACKWARD, PH_STEP, PH_COUNT };
static const char *phase_names[PH_COUNT] = {"forward", "backward", "step"};

/* What one GPU of a stage holds, in parameters. */
typedef struct {
  int first_layer, layers, moe_layers, has_emb, has_head;
  double params, expert_params, emb_params, head_params, unit_params;
  double trainable, trainable_expert;
  double inflight;     /* micro-batches of activations kept */
  double inflight_mbs; /* the same, rounded up to whole micro-batches */
  double acts_bytes;   /* all kept activations */
} shape;

static double act_elem_bytes(const gm_config *c) {
  return c->training.dtype == GM_DTYPE_FP32 ? 4.0 : 2.0;
}

gm_layout_bytes gm_layout_bytes_of(const gm_training *t) {
  gm_layout_bytes b = {0, 0, 0, 0};
  double state = t->layout == GM_LAYOUT_PURE_HALF ? 2.0 : 4.0, n = 0;
  switch (t->layout) {
  case GM_LAYOUT_FP32:
  case GM_LAYOUT_AMP:
    b.weights = 4, b.grads = 4;
    break;
  case GM_LAYOUT_MIXED:
    b.weights = 2, b.grads = 2, b.master = 4;
    break;
  case GM_LAYOUT_MIXED_FP32_GRADS:
    b.weights = 2, b.grads = 4, b.master = 4;
    break;
  case GM_LAYOUT_PURE_HALF:
    b.weights = 2, b.grads = 2;
    break;
  }
  switch (t->optimizer) {
  case GM_OPT_ADAM:
  case GM_OPT_ADAMW:
    n = 2;
    break;
  case GM_OPT_SGD:
    n = 0;
    break;
  case GM_OPT_SGD_MOMENTUM:
  case GM_OPT_LION:
  case GM_OPT_ADAFACTOR: /* replaced by the factored count in states() */
    n = 1;
    break;
  case GM_OPT_ADAMW_8BIT:
    b.states = 2.0 + 2.0 * 4.0 / 2048.0; /* two 8-bit states, fp32 absmax per 2048 block */
    return b;
  }
  b.states = n * state;
  return b;
}

/* Stage r's layers, parameters and in-flight micro-batches. */
static shape stage_shape(const gm_config *c, const gm_params *P, int r) {
  const gm_model *m = &c->model;
  const gm_parallel *pp = &c->parallel;
  shape s;
  int p = pp->pp, v = pp->vpp, L = m->num_layers, j, l;
  double t = pp->tp, e = pp->ep, vocab = (double)m->vocab_size, h = m->hidden_size;
  double norms = (double)gm_layer_norm_params(m), dense_layer, moe_layer, m_mb;
  memset(&s, 0, sizeof s);
  if (v > 1) {
    int lpc = L / (p * v);
    s.layers = lpc * v;
    s.first_layer = r * lpc;
    for (j = 0; j < v; j++)
      for (l = (j * p + r) * lpc; l < (j * p + r + 1) * lpc; l++)
        s.moe_layers += (m->num_experts > 0 && l >= m->first_dense_layers);
  } else {
    int base = L / p, rem = L % p;
    s.layers = base + (r < rem);
    s.first_layer = r * base + (r < rem ? r : rem);
    for (l = s.first_layer; l < s.first_layer + s.layers; l++)
      s.moe_layers += (m->num_experts > 0 && l >= m->first_dense_layers);
  }
  s.has_emb = r == 0;
  s.has_head = r == p - 1;
  /* Megatron pads the vocabulary to a multiple of 128 x TP. */
  if (c->engine.kind == GM_ENGINE_MEGATRON || c->engine.kind == GM_ENGINE_MEGATRON_DEEPSPEED)
    vocab = ceil(vocab / (128.0 * t)) * 128.0 * t;
  /* TP splits the linears; norms stay whole. Experts split by EP (and TP). */
  dense_layer = ((double)P->per_layer_dense - norms) / t + norms;
  moe_layer = 0;
  if (P->per_layer_moe > 0) {
    double experts = (double)P->expert_params_per_layer;
    moe_layer = ((double)P->per_layer_moe - norms - experts) / t + norms + experts / (e * t);
    s.expert_params = s.moe_layers * experts / (e * t);
  }
  s.params = (s.layers - s.moe_layers) * dense_layer + s.moe_layers * moe_layer;
  s.unit_params = s.layers - s.moe_layers > 0 ? dense_layer : moe_layer;
  if (s.moe_layers > 0 && moe_layer > s.unit_params)
    s.unit_params = moe_layer;
  {
    /* Vocabulary matrices split over TP; a learned position table does not. */
    double pos = m->position == GM_POS_LEARNED ? (double)m->max_position_embeddings * h : 0;
    double token = (double)P->embedding - pos, pad = vocab / (double)m->vocab_size;
    if (s.has_emb) {
      s.emb_params = token * pad / t + pos;
      s.params += s.emb_params;
    }
    if (s.has_head) {
      /* Tied weights share the embedding on one stage; a separate last stage keeps a copy. */
      if (m->num_labels > 0)
        s.head_params = (double)P->output_head;
      else if (!m->tied_embeddings)
        s.head_params = (double)P->output_head * pad / t;
      else if (p > 1)
        s.head_params = token * pad / t;
      s.params += s.head_params + (double)P->final_norm;
    }
  }
  /* Trainable share: all, or this GPU's part of the adapters. */
  if (c->training.finetune == GM_FT_FULL) {
    s.trainable = s.params;
    s.trainable_expert = s.expert_params;
  } else {
    s.trainable = (double)gm_lora_params(c) * s.layers / L / t;
    s.trainable_expert = 0;
  }
  /* Micro-batches whose activations are alive at once (1F1B: p - r on rank r). */
  m_mb = (double)pp->num_microbatches;
  if (p == 1) {
    s.inflight = 1;
  } else if (pp->schedule == GM_SCHED_GPIPE) {
    s.inflight = m_mb;
  } else if (pp->schedule == GM_SCHED_INTERLEAVED) {
    double chunks = (double)(p - r - 1) * 2 + (double)(v - 1) * p + 1;
    if (chunks > m_mb * v)
      chunks = m_mb * v;
    s.inflight = chunks / v; /* in units of this rank's whole layer set */
  } else {
    s.inflight = (double)(p - r) < m_mb ? (double)(p - r) : m_mb;
  }
  s.inflight_mbs = ceil(s.inflight);
  s.acts_bytes = s.inflight * ((s.layers - s.moe_layers) * gm_layer_saved_bytes(c) +
                               s.moe_layers * gm_moe_layer_saved_bytes(c));
  return s;
}

/* Per-GPU memory of one stage: every component in each phase. */
typedef struct {
  double comp[PH_COUNT][GM_C_COUNT];
  double persistent[PH_COUNT]; /* part of the phase that is not short-lived */
  double host_bytes, nvme_bytes;
} stage_mem;

#define F(i, ...) (fm ? (void)snprintf(fm[i], GM_FORMULA_LEN, __VA_ARGS__) : (void)0)

static void stage_memory(const gm_config *c, const gm_params *P, const shape *s, stage_mem *o,
                         char (*fm)[GM_FORMULA_LEN]) {
  const gm_training *tr = &c->training;
  const gm_engine *e = &c->engine;
  const gm_parallel *pp = &c->parallel;
  gm_layout_bytes lb = gm_layout_bytes_of(tr);
  double A = act_elem_bytes(c), d = (double)pp->dp * pp->cp, d_exp, d_w, wbytes, gbytes, obytes;
  double w_full, g_full, o_full, state_elem = tr->layout == GM_LAYOUT_PURE_HALF ? 2.0 : 4.0;
  double dense_tr = s->trainable - s->trainable_expert, exp_tr = s->trainable_expert;
  double gathered_f = 0, gathered_b = 0, buf_persist = 0, buf_b = 0, buf_c = 0, step = 0;
  double grads_f = 0, grads_b = 0, grads_c = 0, acts_f, acts_b, logits = 0, per_logit = 0;
  double working, offload_host_acts = 0;
  int w_sh = 0, g_sh = 0, o_sh = 0, ds = 0, fsdp = e->kind == GM_ENGINE_FSDP, persist_grads;
  int z = e->zero_stage;
  const char *shard_txt = "not sharded";
  char cnt[32], grp[48];
  memset(o, 0, sizeof *o);

  /* The group the engine shards over: data (and context) parallel ranks. */
  if (fsdp && e->sharding == GM_FSDP_HYBRID_SHARD) {
    double in_node = floor((double)c->hardware.gpus_per_node / pp->tp);
    if (in_node < 1)
      in_node = 1;
    if (in_node < d)
      d = in_node;
  }
  d_exp = d / pp->ep < 1 ? 1 : d / pp->ep;
  snprintf(grp, sizeof grp, "%g data-parallel GPUs", d);

  switch (e->kind) {
  case GM_ENGINE_DDP:
    break;
  case GM_ENGINE_DEEPSPEED:
  case GM_ENGINE_MEGATRON_DEEPSPEED:
    ds = 1;
    o_sh = z >= 1, g_sh = z >= 2, w_sh = z >= 3;
    if (z > 0)
      shard_txt = z == 1 ? "ZeRO-1" : z == 2 ? "ZeRO-2" : "ZeRO-3";
    break;
  case GM_ENGINE_MEGATRON:
    o_sh = e->distributed_optimizer;
    if (o_sh)
      shard_txt = "distributed optimizer";
    break;
  case GM_ENGINE_FSDP:
    if (e->sharding != GM_FSDP_NO_SHARD) {
      w_sh = g_sh = o_sh = 1;
      shard_txt = e->sharding == GM_FSDP_SHARD_GRAD_OP  ? "FSDP SHARD_GRAD_OP"
                  : e->sharding == GM_FSDP_HYBRID_SHARD ? "FSDP HYBRID_SHARD"
                                                        : "FSDP FULL_SHARD";
    }
    break;
  }

  /* Weights: trainable in the layout's dtype; frozen LoRA bases in the compute
   * dtype, QLoRA bases in NF4 except embeddings and head. */
  if (tr->finetune == GM_FT_FULL) {
    w_full = lb.weights * s->params;
  } else {
    double emb = s->emb_params + s->head_params, linear = s->params - emb;
    w_full = (tr->finetune == GM_FT_QLORA ? NF4_BYTES : A) * linear + A * emb +
             lb.weights * s->trainable;
  }
  g_full = lb.grads * s->trainable;
  if (tr->optimizer == GM_OPT_ADAFACTOR) {
    /* Factored second moment: row and column statistics per matrix. */
    double ratio = (double)gm_adafactor_elems(&c->model) / (double)P->total;
    o_full = (lb.master + state_elem * ratio) * s->trainable;
  } else {
    o_full = (lb.master + lb.states) * s->trainable;
  }
  d_w = w_sh ? d : 1;
  wbytes = w_full / d_w;
  gbytes = g_sh ? lb.grads * (dense_tr / d + exp_tr / d_exp) : g_full;
  obytes = o_sh ? (o_full / (s->trainable > 0 ? s->trainable : 1)) * (dense_tr / d + exp_tr / d_exp)
                : o_full;

  /* Offload: optimizer states, fp32 master and fp32 gradients live on the host. */
  if (e->offload_optimizer != GM_OFFLOAD_NONE) {
    double host = obytes + (ds ? 4.0 * s->trainable / (o_sh ? d : 1) : 0);
    if (fsdp)
      host += gbytes;
    if (e->offload_optimizer == GM_OFFLOAD_NVME) {
      o->nvme_bytes += host;
      o->host_bytes += NVME_OPT_PINNED_BYTES;
    } else {
      o->host_bytes += host;
    }
    obytes = 0;
    if (fsdp || (ds && z >= 2))
      gbytes = 0; /* reduced straight into host buffers */
  }
  if (e->offload_param != GM_OFFLOAD_NONE) {
    if (e->offload_param == GM_OFFLOAD_NVME) {
      o->nvme_bytes += wbytes;
      o->host_bytes += NVME_PARAM_PINNED_BYTES;
    } else {
      o->host_bytes += wbytes;
    }
    wbytes = 0;
  }

  /* Gradients exist through forward when they accumulate across micro-batches
   * or live in a persistent buffer (Megatron main_grad, DeepSpeed partitions). */
  persist_grads = tr->gradient_accumulation_steps > 1 || pp->num_microbatches > 1 ||
                  !tr->grads_set_to_none || e->kind == GM_ENGINE_MEGATRON ||
                  (ds && (z >= 2 || lb.grads == 4));
  if (tr->optimizer_in_backward) {
    grads_b = lb.grads * s->unit_params;
  } else if (persist_grads) {
    grads_f = grads_b = grads_c = gbytes;
  } else {
    grads_c = gbytes;
    /* The head's gradients come first, whole until they are reduced. */
    grads_b = lb.grads * s->head_params;
  }

  if (ds && lb.grads == 4 && lb.weights == 2 && !tr->optimizer_in_backward) {
    /* DeepSpeed's BF16 optimizer: bf16 .grad tensors besides its fp32 accumulation buffer. */
    double bf16_grads = 2.0 * s->trainable / (g_sh ? d : 1);
    grads_b += bf16_grads;
    grads_c += bf16_grads;
  }

  /* Parameters gathered or cast for compute. */
  if (fsdp && e->sharding != GM_FSDP_NO_SHARD) {
    /* The root unit (embedding, head) stays unsharded through the step; torchtune
     * wraps embedding and head as units of their own, so only the head, in use
     * from the loss into backward, is gathered at the peak. */
    double root = (e->framework == GM_FW_TORCHTUNE ? 0 : s->emb_params) + s->head_params;
    double unit = s->unit_params;
    double reduce_bytes = lb.grads; /* FSDP reduces in the gradient dtype */
    if (e->sharding == GM_FSDP_SHARD_GRAD_OP || !e->reshard_after_forward) {
      gathered_f = gathered_b = A * s->params;
      if (!e->reshard_after_forward && pp->pp > 1) {
        /* Reduction waits for the last micro-batch: unsharded accumulators. */
        grads_f = grads_b = reduce_bytes * s->trainable;
      } else {
        gathered_b += reduce_bytes * unit;
      }
    } else {
      /* The root, one unit and the prefetched one. */
      gathered_f = A * (root + 2.0 * unit);
      gathered_b = gathered_f + reduce_bytes * unit;
    }
    F(GM_C_GATHERED, "compute copies: %g B x (embedding+head %.0f + 2 x layer %.0f params)%s", A,
      root, unit, gathered_b > gathered_f ? " + unsharded gradient of one layer in backward" : "");
  } else if (ds && z == 3) {
    double unit = P->largest_layer > 0 ? (double)P->largest_layer / pp->tp : s->unit_params;
    double live;
    if (c->model.largest_layer_params > 0)
      unit = (double)c->model.largest_layer_params;
    live = 2.0 * unit;
    if (live > (double)e->stage3_max_live_parameters)
      live = (double)e->stage3_max_live_parameters;
    gathered_f = A * live;
    gathered_b = gathered_f + A * unit;
    F(GM_C_GATHERED,
      "ZeRO-3 live parameters: %g B x min(2 x largest unit %.0f, stage3_max_live_parameters "
      "%lld); + its %g B gradients in backward",
      A, unit, (long long)e->stage3_max_live_parameters, A);
  } else if (tr->layout == GM_LAYOUT_AMP && !fsdp && tr->finetune == GM_FT_FULL) {
    /* Autocast caches a low-precision copy of every linear weight until backward uses it. */
    gathered_f = gathered_b = A * (s->params - s->emb_params);
    F(GM_C_GATHERED, "autocast weight cache: %g B x %.0f linear weights", A,
      s->params - s->emb_params);
  } else {
    F(GM_C_GATHERED, "none: weights are used in place");
  }

  /* Buffers for communication. */
  if (e->kind == GM_ENGINE_DDP && d > 1 && !e->ddp_bucket_view) {
    buf_persist = g_full; /* DDP buckets hold a second copy of every gradient */
    F(GM_C_BUFFERS,
      "DDP gradient buckets (gradient_as_bucket_view off): a copy of %.0f B of "
      "gradients",
      g_full);
  }
  if (ds && z >= 1) {
    double bucket = (double)e->reduce_bucket_elems;
    if (bucket > s->trainable)
      bucket = s->trainable;
    buf_b = A * bucket * (e->overlap_comm ? 2.0 : 1.0);
    if (z <= 2) {
      double ag = (double)e->allgather_bucket_elems;
      buf_c = A * (ag < s->trainable ? ag : s->trainable); /* updated (trainable) params */
    }
    F(GM_C_BUFFERS,
      "DeepSpeed reduce bucket %g B x %.0f x %d in backward; all-gather bucket %.0f B "
      "at the step",
      A, bucket, e->overlap_comm ? 2 : 1, buf_c);
  }
  if (pp->pp > 1) {
    double h = c->model.hidden_size / (pp->sequence_parallel ? (double)pp->tp : 1.0);
    buf_persist += 2.0 * A * gm_tokens_per_gpu(c) * h; /* send and receive buffers */
  }
  if (buf_persist == 0 && buf_b == 0 && buf_c == 0)
    F(GM_C_BUFFERS, "none");

  /* Optimizer step temporaries. */
  if (obytes > 0 && !tr->optimizer_in_backward) {
    double opt_params = o_sh ? dense_tr / d + exp_tr / d_exp : s->trainable;
    if (tr->optimizer_impl == GM_OPTIMPL_FOREACH && tr->optimizer != GM_OPT_ADAMW_8BIT &&
        tr->optimizer != GM_OPT_ADAFACTOR && lb.states > 0) {
      step = state_elem * opt_params;
      F(GM_C_STEP, "foreach step: one state-sized temporary, %g B x %.0f params", state_elem,
        opt_params);
    } else if (tr->optimizer == GM_OPT_ADAFACTOR || tr->optimizer_impl == GM_OPTIMPL_FOR_LOOP) {
      step = 2.0 * 4.0 * (double)gm_largest_matrix(&c->model) / pp->tp;
      F(GM_C_STEP, "per-parameter step: two fp32 temporaries of the largest matrix");
    } else {
      F(GM_C_STEP, "fused step: no temporaries");
    }
    if (ds && z >= 1) {
      /* The fp32 gradient partition built for the step; ZeRO-3 steps one
       * sub-group (sub_group_size, 1e9 elements) at a time. */
      double part = z == 3 && opt_params > (double)e->sub_group_elems ? (double)e->sub_group_elems
                                                                      : opt_params;
      step += 4.0 * part;
      F(GM_C_STEP, "DeepSpeed fp32 gradient partition: 4 B x %.0f params%s", part,
        step > 4.0 * part ? " + optimizer temporaries" : "");
    } else if (ds && z == 0 && lb.grads == 2 && lb.master > 0) {
      step += 4.0 * s->trainable; /* FP16_Optimizer's flat fp32 gradients */
      F(GM_C_STEP, "DeepSpeed FP16 optimizer flat fp32 gradients: 4 B x %.0f params", s->trainable);
    }
  } else {
    F(GM_C_STEP, "none: the optimizer step runs %s",
      tr->optimizer_in_backward ? "inside backward" : "on the host");
  }

  /* Activations, and what backward adds while one layer runs. */
  acts_f = s->acts_bytes;
  working = gm_layer_backward_bytes(c);
  if (tr->recompute != GM_AC_NONE)
    working += gm_layer_full_bytes(c); /* the layer being recomputed */
  if (tr->activation_offload && acts_f > 0) {
    double on_gpu = 2.0 * (s->layers > 0 ? acts_f / s->layers / s->inflight : 0);
    offload_host_acts = acts_f - on_gpu;
    acts_f = on_gpu;
    o->host_bytes += offload_host_acts;
  }
  acts_b = acts_f + working;
  if (s->has_head)
    logits = gm_loss_bytes(c, &per_logit);

  o->comp[PH_FORWARD][GM_C_WEIGHTS] = o->comp[PH_BACKWARD][GM_C_WEIGHTS] =
      o->comp[PH_STEP][GM_C_WEIGHTS] = wbytes;
  o->comp[PH_FORWARD][GM_C_OPTIMIZER] = o->comp[PH_BACKWARD][GM_C_OPTIMIZER] =
      o->comp[PH_STEP][GM_C_OPTIMIZER] = obytes;
  o->comp[PH_FORWARD][GM_C_GRADS] = grads_f;
  o->comp[PH_BACKWARD][GM_C_GRADS] = grads_b;
  o->comp[PH_STEP][GM_C_GRADS] = grads_c;
  o->comp[PH_FORWARD][GM_C_ACTIVATIONS] = acts_f;
  o->comp[PH_BACKWARD][GM_C_ACTIVATIONS] = acts_b;
  o->comp[PH_FORWARD][GM_C_LOGITS] = logits;
  o->comp[PH_FORWARD][GM_C_GATHERED] = gathered_f;
  o->comp[PH_BACKWARD][GM_C_GATHERED] = gathered_b;
  o->comp[PH_FORWARD][GM_C_BUFFERS] = buf_persist;
  o->comp[PH_BACKWARD][GM_C_BUFFERS] = buf_persist + buf_b;
  o->comp[PH_STEP][GM_C_BUFFERS] = buf_persist + buf_c;
  o->comp[PH_STEP][GM_C_STEP] = step;
  {
    int ph;
    for (ph = 0; ph < PH_COUNT; ph++)
      o->persistent[ph] = wbytes + obytes + o->comp[ph][GM_C_GRADS] + buf_persist;
  }

  gm_fmt_count(cnt, sizeof cnt, s->params);
  if (tr->finetune == GM_FT_FULL)
    F(GM_C_WEIGHTS, "%g B x %s params of this stage (%s layout), %s%s", lb.weights, cnt,
      gm_layout_name(tr->layout), w_sh ? "sharded over " : "", w_sh ? grp : "not sharded");
  else
    F(GM_C_WEIGHTS, "frozen base: %g B x %s params (%s) + adapters %g B x %.0f, %s",
      tr->finetune == GM_FT_QLORA ? NF4_BYTES : A, cnt,
      tr->finetune == GM_FT_QLORA ? "NF4 linears, embeddings 2 B" : "compute dtype", lb.weights,
      s->trainable, w_sh ? "sharded" : "not sharded");
  if (e->offload_param != GM_OFFLOAD_NONE)
    F(GM_C_WEIGHTS, "0 on the GPU: parameters offloaded to %s (%.0f bytes)",
      e->offload_param == GM_OFFLOAD_NVME ? "NVMe" : "host memory", o->host_bytes);
  F(GM_C_GRADS, "%g B x %.0f trainable params, %s%s; %s", lb.grads, s->trainable,
    g_sh ? "sharded over " : "", g_sh ? grp : "not sharded",
    persist_grads ? "resident through the step (accumulation or a persistent buffer)"
                  : "built during backward, largest at the step");
  if (obytes > 0)
    F(GM_C_OPTIMIZER, "(%g B master + %g B states) x %.0f trainable params, %s%s", lb.master,
      tr->optimizer == GM_OPT_ADAFACTOR ? state_elem : lb.states, s->trainable,
      o_sh ? shard_txt : "not sharded", o_sh ? " over data parallel" : "");
  else
    F(GM_C_OPTIMIZER, "0 on the GPU: optimizer states offloaded to %s",
      e->offload_optimizer == GM_OFFLOAD_NVME ? "NVMe" : "host memory");
  {
    gm_act_terms at = gm_layer_terms(c, s->moe_layers > 0 && s->moe_layers == s->layers);
    F(GM_C_ACTIVATIONS,
      "%.2f micro-batches in flight x %d layers x %.0f tokens x (%.0f replicated%s + %.0f / TP "
      "%d%s) B per token per layer; + %.2f GiB while one layer runs backward%s",
      s->inflight, s->layers, gm_tokens_per_gpu(c), at.replicated,
      pp->sequence_parallel ? " / TP" : "", at.split, pp->tp,
      at.scores > 0 ? " + attention scores" : "", working / GM_GIB,
      tr->recompute != GM_AC_NONE ? " (incl. recomputation)" : "");
  }
  if (s->has_head && c->model.num_labels > 0)
    F(GM_C_LOGITS, "sequence classifier: %g B x %lld sequences x %d labels", per_logit,
      (long long)tr->micro_batch_size, c->model.num_labels);
  else if (s->has_head)
    F(GM_C_LOGITS, "%g B per logit x %.0f tokens x vocab %lld / TP %d (%s loss)", per_logit,
      gm_tokens_per_gpu(c), (long long)c->model.vocab_size, pp->tp,
      tr->loss == GM_LOSS_CHUNKED          ? "chunked"
      : tr->loss == GM_LOSS_VOCAB_PARALLEL ? "vocab-parallel"
      : tr->loss == GM_LOSS_TP_PARALLEL    ? "tensor-parallel loss_parallel"
      : tr->loss == GM_LOSS_COMPILED       ? "compiled"
      : tr->loss == GM_LOSS_KEEP_FP32      ? "fp32 logits kept"
                                           : "eager fp32");
  else
    F(GM_C_LOGITS, "none: the loss is computed on the last pipeline stage");
}

/* Allocated, reserved and nvidia-smi peaks of one stage; fills st. */
static void stage_peaks(const gm_config *c, const stage_mem *sm, gm_stage *st) {
  double best_res = -1, best_alloc = 0;
  int ph, k, best = 0;
  for (ph = 0; ph < PH_COUNT; ph++) {
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
  snprintf(st->peak_phase, sizeof st->peak_phase, "%s",
           best == PH_FORWARD && st->has_output_head ? "loss" : phase_names[best]);
}

/* Every stage; returns the index of the most loaded one. */
static int all_stages(const gm_config *c, const gm_params *P, gm_result *r, int with_formulas) {
  int i, worst = 0;
  double host_max = 0, nvme_max = 0;
  r->num_stages = c->parallel.pp;
  for (i = 0; i < r->num_stages; i++) {
    shape s = stage_shape(c, P, i);
    stage_mem sm;
    gm_stage *st = &r->stages[i];
    memset(st, 0, sizeof *st);
    stage_memory(c, P, &s, &sm, NULL);
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
    shape s = stage_shape(c, P, worst);
    stage_mem sm;
    stage_memory(c, P, &s, &sm, r->formula);
  }
  return worst;
}

/* Does the most loaded GPU fit? Uses a single stage record, no result. */
static int config_fits(const gm_config *c, const gm_params *P) {
  int i;
  for (i = 0; i < c->parallel.pp; i++) {
    shape s = stage_shape(c, P, i);
    stage_mem sm;
    gm_stage st;
    memset(&st, 0, sizeof st);
    st.has_output_head = s.has_head;
    stage_memory(c, P, &s, &sm, NULL);
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
  int rc, keep = out->num_warnings;
  gm_error saved[GM_MAX_WARNINGS];
  const gm_stage *w;
  double P_declared;
  /* Keep warnings a parser may already have put in out. */
  memcpy(saved, out->warnings, sizeof saved);
  memset(out, 0, sizeof *out);
  memcpy(out->warnings, saved, sizeof saved);
  out->num_warnings = keep;
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
