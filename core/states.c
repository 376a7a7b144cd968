/* states.c - what one GPU of a stage holds in each phase: model states,
 * gathered parameters, buffers, step temporaries and activations. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* QLoRA NF4 with double quantisation: 4 bits per weight plus 0.127 bits of
 * quantisation constants (Dettmers et al. 2023, QLoRA, section 3). */
#define NF4_BYTES (4.127 / 8.0)
/* DeepSpeed asynchronous I/O buffers for NVMe offload, buffer_count x
 * buffer_size at their defaults (deepspeed/runtime/zero/offload_config.py:
 * optimizer 4 fp32 buffers, parameters 5 x 1e8 half-precision elements). */
#define NVME_OPT_PINNED_BYTES (4.0 * 1e8 * 4.0)
#define NVME_PARAM_PINNED_BYTES (5.0 * 1e8 * 2.0)

#define F(i, ...) (x->fm ? (void)snprintf(x->fm[i], GM_FORMULA_LEN, __VA_ARGS__) : (void)0)

/* The inputs of one stage's calculation, and what earlier steps decided. */
typedef struct {
  const gm_config *c;
  const gm_params *P;
  const gm_shape *s;
  char (*fm)[GM_FORMULA_LEN];
  gm_layout_bytes lb;
  double A, state_elem;
  double d, d_exp;                /* data-parallel sharding group, and its expert share */
  int w_sh, g_sh, o_sh, ds, fsdp; /* what the engine shards; DeepSpeed; FSDP */
  const char *shard_txt;
  char grp[48];
  double g_full, wbytes, gbytes, obytes;
  int persist_grads;
} ctx;

double gm_act_bytes(const gm_config *c) { return c->training.dtype == GM_DTYPE_FP32 ? 4.0 : 2.0; }

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
  case GM_OPT_ADAFACTOR: /* replaced by the factored count in model_states() */
    n = 1;
    break;
  case GM_OPT_ADAMW_8BIT:
    b.states = 2.0 + 2.0 * 4.0 / 2048.0; /* two 8-bit states, fp32 absmax per 2048 block */
    return b;
  }
  b.states = n * state;
  return b;
}

/* The group the engine shards over (data and context parallel ranks), and
 * which states it shards. */
static void sharding(ctx *x) {
  const gm_engine *e = &x->c->engine;
  const gm_parallel *pp = &x->c->parallel;
  int z = e->zero_stage;
  x->d = (double)pp->dp * pp->cp;
  x->fsdp = e->kind == GM_ENGINE_FSDP;
  x->shard_txt = "not sharded";
  if (x->fsdp && e->sharding == GM_FSDP_HYBRID_SHARD) {
    double in_node = floor((double)x->c->hardware.gpus_per_node / pp->tp);
    if (in_node < 1)
      in_node = 1;
    if (in_node < x->d)
      x->d = in_node;
  }
  x->d_exp = x->d / pp->ep < 1 ? 1 : x->d / pp->ep;
  if (x->fm) /* only formulas print it */
    snprintf(x->grp, sizeof x->grp, "%g data-parallel GPUs", x->d);
  switch (e->kind) {
  case GM_ENGINE_DDP:
    break;
  case GM_ENGINE_DEEPSPEED:
  case GM_ENGINE_MEGATRON_DEEPSPEED:
    x->ds = 1;
    x->o_sh = z >= 1, x->g_sh = z >= 2, x->w_sh = z >= 3;
    if (z > 0)
      x->shard_txt = z == 1 ? "ZeRO-1" : z == 2 ? "ZeRO-2" : "ZeRO-3";
    break;
  case GM_ENGINE_MEGATRON:
    x->o_sh = e->distributed_optimizer;
    if (x->o_sh)
      x->shard_txt = "distributed optimizer";
    break;
  case GM_ENGINE_FSDP:
    if (e->sharding != GM_FSDP_NO_SHARD) {
      x->w_sh = x->g_sh = x->o_sh = 1;
      x->shard_txt = e->sharding == GM_FSDP_SHARD_GRAD_OP  ? "FSDP SHARD_GRAD_OP"
                     : e->sharding == GM_FSDP_HYBRID_SHARD ? "FSDP HYBRID_SHARD"
                                                           : "FSDP FULL_SHARD";
    }
    break;
  }
}

/* Weights, gradients and optimizer states on the GPU, and what offload moves
 * to the host or NVMe. */
static void model_states(ctx *x, gm_stage_mem *o) {
  const gm_training *tr = &x->c->training;
  const gm_engine *e = &x->c->engine;
  const gm_shape *s = x->s;
  double dense_tr = s->trainable - s->trainable_expert, exp_tr = s->trainable_expert;
  double w_full, o_full;
  /* Weights: trainable in the layout's dtype; frozen LoRA bases in the compute
   * dtype, QLoRA bases in NF4 except embeddings and head. */
  if (tr->finetune == GM_FT_FULL) {
    w_full = x->lb.weights * s->params;
  } else {
    double emb = s->emb_params + s->head_params, linear = s->params - emb;
    w_full = (tr->finetune == GM_FT_QLORA ? NF4_BYTES : x->A) * linear + x->A * emb +
             x->lb.weights * s->trainable;
  }
  x->g_full = x->lb.grads * s->trainable;
  if (tr->optimizer == GM_OPT_ADAFACTOR) {
    /* Factored second moment: row and column statistics per matrix. */
    double ratio = (double)gm_adafactor_elems(&x->c->model) / (double)x->P->total;
    o_full = (x->lb.master + x->state_elem * ratio) * s->trainable;
  } else {
    o_full = (x->lb.master + x->lb.states) * s->trainable;
  }
  x->wbytes = w_full / (x->w_sh ? x->d : 1);
  x->gbytes = x->g_sh ? x->lb.grads * (dense_tr / x->d + exp_tr / x->d_exp) : x->g_full;
  x->obytes = x->o_sh ? (o_full / (s->trainable > 0 ? s->trainable : 1)) *
                            (dense_tr / x->d + exp_tr / x->d_exp)
                      : o_full;

  /* Offload: optimizer states, fp32 master and fp32 gradients live on the host. */
  if (e->offload_optimizer != GM_OFFLOAD_NONE) {
    double host = x->obytes + (x->ds ? 4.0 * s->trainable / (x->o_sh ? x->d : 1) : 0);
    if (x->fsdp)
      host += x->gbytes;
    if (e->offload_optimizer == GM_OFFLOAD_NVME) {
      o->nvme_bytes += host;
      o->host_bytes += NVME_OPT_PINNED_BYTES;
    } else {
      o->host_bytes += host;
    }
    x->obytes = 0;
    if (x->fsdp || (x->ds && e->zero_stage >= 2))
      x->gbytes = 0; /* reduced straight into host buffers */
  }
  if (e->offload_param != GM_OFFLOAD_NONE) {
    if (e->offload_param == GM_OFFLOAD_NVME) {
      o->nvme_bytes += x->wbytes;
      o->host_bytes += NVME_PARAM_PINNED_BYTES;
    } else {
      o->host_bytes += x->wbytes;
    }
    x->wbytes = 0;
  }
}

/* When gradients exist: through forward when they accumulate across
 * micro-batches or live in a persistent buffer (Megatron main_grad, DeepSpeed
 * partitions); otherwise they are built during backward. */
static void gradients(ctx *x, gm_stage_mem *o) {
  const gm_training *tr = &x->c->training;
  const gm_engine *e = &x->c->engine;
  double *f = &o->comp[GM_PH_FORWARD][GM_C_GRADS], *b = &o->comp[GM_PH_BACKWARD][GM_C_GRADS];
  double *st = &o->comp[GM_PH_STEP][GM_C_GRADS];
  x->persist_grads = tr->gradient_accumulation_steps > 1 || x->c->parallel.num_microbatches > 1 ||
                     !tr->grads_set_to_none || e->kind == GM_ENGINE_MEGATRON ||
                     (x->ds && (e->zero_stage >= 2 || x->lb.grads == 4));
  if (tr->optimizer_in_backward) {
    *b = x->lb.grads * x->s->unit_params;
  } else if (x->persist_grads) {
    *f = *b = *st = x->gbytes;
  } else {
    *st = x->gbytes;
    /* The head's gradients come first, whole until they are reduced. */
    *b = x->lb.grads * x->s->head_params;
  }
  if (x->ds && x->lb.grads == 4 && x->lb.weights == 2 && !tr->optimizer_in_backward) {
    /* DeepSpeed's BF16 optimizer: bf16 .grad tensors besides its fp32 accumulation buffer. */
    double bf16_grads = 2.0 * x->s->trainable / (x->g_sh ? x->d : 1);
    *b += bf16_grads;
    *st += bf16_grads;
  }
}

/* Parameters gathered or cast for compute. */
static void gathered(ctx *x, gm_stage_mem *o) {
  const gm_training *tr = &x->c->training;
  const gm_engine *e = &x->c->engine;
  const gm_shape *s = x->s;
  double A = x->A, *f = &o->comp[GM_PH_FORWARD][GM_C_GATHERED];
  double *b = &o->comp[GM_PH_BACKWARD][GM_C_GATHERED];
  if (x->fsdp && e->sharding != GM_FSDP_NO_SHARD) {
    /* The root unit (embedding, head) stays unsharded through the step; torchtune
     * wraps embedding and head as units of their own, so only the head, in use
     * from the loss into backward, is gathered at the peak. */
    double root = (e->framework == GM_FW_TORCHTUNE ? 0 : s->emb_params) + s->head_params;
    double unit = s->unit_params;
    double reduce_bytes = x->lb.grads; /* FSDP reduces in the gradient dtype */
    if (e->sharding == GM_FSDP_SHARD_GRAD_OP || !e->reshard_after_forward) {
      *f = *b = A * s->params;
      if (!e->reshard_after_forward && x->c->parallel.pp > 1) {
        /* Reduction waits for the last micro-batch: unsharded accumulators. */
        o->comp[GM_PH_FORWARD][GM_C_GRADS] = o->comp[GM_PH_BACKWARD][GM_C_GRADS] =
            reduce_bytes * s->trainable;
      } else {
        *b += reduce_bytes * unit;
      }
    } else {
      /* The root, one unit and the prefetched one. */
      *f = A * (root + 2.0 * unit);
      *b = *f + reduce_bytes * unit;
    }
    F(GM_C_GATHERED, "compute copies: %g B x (embedding+head %.0f + 2 x layer %.0f params)%s", A,
      root, unit, *b > *f ? " + unsharded gradient of one layer in backward" : "");
  } else if (x->ds && e->zero_stage == 3) {
    double unit =
        x->P->largest_layer > 0 ? (double)x->P->largest_layer / x->c->parallel.tp : s->unit_params;
    double live;
    if (x->c->model.largest_layer_params > 0)
      unit = (double)x->c->model.largest_layer_params;
    live = 2.0 * unit;
    if (live > (double)e->stage3_max_live_parameters)
      live = (double)e->stage3_max_live_parameters;
    *f = A * live;
    *b = *f + A * unit;
    F(GM_C_GATHERED,
      "ZeRO-3 live parameters: %g B x min(2 x largest unit %.0f, stage3_max_live_parameters "
      "%lld); + its %g B gradients in backward",
      A, unit, (long long)e->stage3_max_live_parameters, A);
  } else if (tr->layout == GM_LAYOUT_AMP && !x->fsdp && tr->finetune == GM_FT_FULL) {
    /* Autocast caches a low-precision copy of every linear weight until backward uses it. */
    *f = *b = A * (s->params - s->emb_params);
    F(GM_C_GATHERED, "autocast weight cache: %g B x %.0f linear weights", A,
      s->params - s->emb_params);
  } else {
    F(GM_C_GATHERED, "none: weights are used in place");
  }
}

/* Buffers for communication: persistent ones, and those of backward and the step. */
static double buffers(ctx *x, gm_stage_mem *o) {
  const gm_engine *e = &x->c->engine;
  const gm_parallel *pp = &x->c->parallel;
  const gm_shape *s = x->s;
  double A = x->A, persist = 0, bwd = 0, step = 0;
  if (e->kind == GM_ENGINE_DDP && x->d > 1 && !e->ddp_bucket_view) {
    persist = x->g_full; /* DDP buckets hold a second copy of every gradient */
    F(GM_C_BUFFERS,
      "DDP gradient buckets (gradient_as_bucket_view off): a copy of %.0f B of "
      "gradients",
      x->g_full);
  }
  if (x->ds && e->zero_stage >= 1) {
    double bucket = (double)e->reduce_bucket_elems;
    if (bucket > s->trainable)
      bucket = s->trainable;
    bwd = A * bucket * (e->overlap_comm ? 2.0 : 1.0);
    if (e->zero_stage <= 2) {
      double ag = (double)e->allgather_bucket_elems;
      step = A * (ag < s->trainable ? ag : s->trainable); /* updated (trainable) params */
    }
    F(GM_C_BUFFERS,
      "DeepSpeed reduce bucket %g B x %.0f x %d in backward; all-gather bucket %.0f B "
      "at the step",
      A, bucket, e->overlap_comm ? 2 : 1, step);
  }
  if (pp->pp > 1) {
    double h = x->c->model.hidden_size / (pp->sequence_parallel ? (double)pp->tp : 1.0);
    persist += 2.0 * A * gm_tokens_per_gpu(x->c) * h; /* send and receive buffers */
    if (e->kind == GM_ENGINE_MEGATRON_DEEPSPEED && !s->has_head)
      /* DeepSpeed's pipeline engine keeps each in-flight micro-batch's output
       * in its pipe buffers until that micro-batch's backward (Megatron-Core
       * frees them: deallocate_pipeline_outputs). */
      persist += s->inflight_mbs * A * gm_tokens_per_gpu(x->c) * x->c->model.hidden_size;
  }
  if (persist == 0 && bwd == 0 && step == 0)
    F(GM_C_BUFFERS, "none");
  o->comp[GM_PH_FORWARD][GM_C_BUFFERS] = persist;
  o->comp[GM_PH_BACKWARD][GM_C_BUFFERS] = persist + bwd;
  o->comp[GM_PH_STEP][GM_C_BUFFERS] = persist + step;
  return persist;
}

/* Temporaries of the optimizer step. */
static void step_temporaries(ctx *x, gm_stage_mem *o) {
  const gm_training *tr = &x->c->training;
  const gm_engine *e = &x->c->engine;
  const gm_shape *s = x->s;
  double step = 0;
  if (x->obytes > 0 && !tr->optimizer_in_backward) {
    double opt_params =
        x->o_sh ? (s->trainable - s->trainable_expert) / x->d + s->trainable_expert / x->d_exp
                : s->trainable;
    if (tr->optimizer_impl == GM_OPTIMPL_FOREACH && tr->optimizer != GM_OPT_ADAMW_8BIT &&
        tr->optimizer != GM_OPT_ADAFACTOR && x->lb.states > 0) {
      step = x->state_elem * opt_params;
      F(GM_C_STEP, "foreach step: one state-sized temporary, %g B x %.0f params", x->state_elem,
        opt_params);
    } else if (tr->optimizer == GM_OPT_ADAFACTOR || tr->optimizer_impl == GM_OPTIMPL_FOR_LOOP) {
      step = 2.0 * 4.0 * (double)gm_largest_matrix(&x->c->model) / x->c->parallel.tp;
      F(GM_C_STEP, "per-parameter step: two fp32 temporaries of the largest matrix");
    } else {
      F(GM_C_STEP, "fused step: no temporaries");
    }
    if (x->ds && e->zero_stage >= 1) {
      /* The fp32 gradient partition built for the step; ZeRO-3 steps one
       * sub-group (sub_group_size, 1e9 elements) at a time. */
      double part = e->zero_stage == 3 && opt_params > (double)e->sub_group_elems
                        ? (double)e->sub_group_elems
                        : opt_params;
      step += 4.0 * part;
      F(GM_C_STEP, "DeepSpeed fp32 gradient partition: 4 B x %.0f params%s", part,
        step > 4.0 * part ? " + optimizer temporaries" : "");
    } else if (x->ds && e->zero_stage == 0 && x->lb.grads == 2 && x->lb.master > 0) {
      step += 4.0 * s->trainable; /* FP16_Optimizer's flat fp32 gradients */
      F(GM_C_STEP, "DeepSpeed FP16 optimizer flat fp32 gradients: 4 B x %.0f params", s->trainable);
    }
  } else if (tr->optimizer_in_backward || e->offload_optimizer != GM_OFFLOAD_NONE) {
    F(GM_C_STEP, "none: the optimizer step runs %s",
      tr->optimizer_in_backward ? "inside backward" : "on the host");
  } else {
    F(GM_C_STEP, "none: plain SGD adds the gradients to the weights in place");
  }
  o->comp[GM_PH_STEP][GM_C_STEP] = step;
}

/* Activations kept for backward, what backward adds while one layer runs,
 * and the loss spike on the last stage. */
static void activations(ctx *x, gm_stage_mem *o) {
  const gm_training *tr = &x->c->training;
  const gm_shape *s = x->s;
  double acts = s->acts_bytes, working = gm_layer_backward_bytes(x->c), per_logit = 0;
  if (tr->recompute != GM_AC_NONE)
    working += gm_layer_full_bytes(x->c); /* the layer being recomputed */
  if (tr->activation_offload && acts > 0) {
    double on_gpu = 2.0 * (s->layers > 0 ? acts / s->layers / s->inflight : 0);
    o->host_bytes += acts - on_gpu;
    acts = on_gpu;
  }
  o->comp[GM_PH_FORWARD][GM_C_ACTIVATIONS] = acts;
  o->comp[GM_PH_BACKWARD][GM_C_ACTIVATIONS] = acts + working;
  if (s->has_head)
    o->comp[GM_PH_FORWARD][GM_C_LOGITS] = gm_loss_bytes(x->c, &per_logit);
  if (x->fm) {
    const gm_parallel *pp = &x->c->parallel;
    gm_act_terms at = gm_layer_terms(x->c, s->moe_layers > 0 && s->moe_layers == s->layers);
    F(GM_C_ACTIVATIONS,
      "%.2f micro-batches in flight x %d layers x %.0f tokens x (%.0f replicated%s + %.0f / TP "
      "%d%s) B per token per layer; + %.2f GiB while one layer runs backward%s",
      s->inflight, s->layers, gm_tokens_per_gpu(x->c), at.replicated,
      pp->sequence_parallel ? " / TP" : "", at.split, pp->tp,
      at.scores > 0 ? " + attention scores" : "", working / GM_GIB,
      tr->recompute != GM_AC_NONE ? " (incl. recomputation)" : "");
    if (s->has_head && x->c->model.num_labels > 0)
      F(GM_C_LOGITS, "sequence classifier: %g B x %lld sequences x %d labels", per_logit,
        (long long)tr->micro_batch_size, x->c->model.num_labels);
    else if (s->has_head)
      F(GM_C_LOGITS, "%g B per logit x %.0f tokens x vocab %lld / TP %d (%s loss)", per_logit,
        gm_tokens_per_gpu(x->c), (long long)x->c->model.vocab_size, pp->tp,
        tr->loss == GM_LOSS_CHUNKED          ? "chunked"
        : tr->loss == GM_LOSS_VOCAB_PARALLEL ? "vocab-parallel"
        : tr->loss == GM_LOSS_TP_PARALLEL    ? "tensor-parallel loss_parallel"
        : tr->loss == GM_LOSS_COMPILED       ? "compiled"
        : tr->loss == GM_LOSS_KEEP_FP32      ? "fp32 logits kept"
                                             : "eager fp32");
    else
      F(GM_C_LOGITS, "none: the loss is computed on the last pipeline stage");
  }
}

/* The formulas of the model states, once everything about them is known. */
static void states_formulas(ctx *x, const gm_stage_mem *o) {
  const gm_training *tr = &x->c->training;
  const gm_engine *e = &x->c->engine;
  const gm_shape *s = x->s;
  char cnt[32];
  if (!x->fm)
    return;
  gm_fmt_count(cnt, sizeof cnt, s->params);
  if (tr->finetune == GM_FT_FULL)
    F(GM_C_WEIGHTS, "%g B x %s params of this stage (%s layout), %s%s", x->lb.weights, cnt,
      gm_layout_name(tr->layout), x->w_sh ? "sharded over " : "", x->w_sh ? x->grp : "not sharded");
  else
    F(GM_C_WEIGHTS, "frozen base: %g B x %s params (%s) + adapters %g B x %.0f, %s",
      tr->finetune == GM_FT_QLORA ? NF4_BYTES : x->A, cnt,
      tr->finetune == GM_FT_QLORA ? "NF4 linears, embeddings 2 B" : "compute dtype", x->lb.weights,
      s->trainable, x->w_sh ? "sharded" : "not sharded");
  if (e->offload_param != GM_OFFLOAD_NONE)
    F(GM_C_WEIGHTS, "0 on the GPU: parameters offloaded to %s (%.0f bytes)",
      e->offload_param == GM_OFFLOAD_NVME ? "NVMe" : "host memory", o->host_bytes);
  F(GM_C_GRADS, "%g B x %.0f trainable params, %s%s; %s", x->lb.grads, s->trainable,
    x->g_sh ? "sharded over " : "", x->g_sh ? x->grp : "not sharded",
    x->persist_grads ? "resident through the step (accumulation or a persistent buffer)"
                     : "built during backward, largest at the step");
  if (x->obytes > 0)
    F(GM_C_OPTIMIZER, "(%g B master + %g B states) x %.0f trainable params, %s%s", x->lb.master,
      tr->optimizer == GM_OPT_ADAFACTOR ? x->state_elem : x->lb.states, s->trainable,
      x->o_sh ? x->shard_txt : "not sharded", x->o_sh ? " over data parallel" : "");
  else if (e->offload_optimizer != GM_OFFLOAD_NONE)
    F(GM_C_OPTIMIZER, "0 on the GPU: optimizer states offloaded to %s",
      e->offload_optimizer == GM_OFFLOAD_NVME ? "NVMe" : "host memory");
  else
    F(GM_C_OPTIMIZER, "0: %s keeps no optimizer state and the %s layout no master copy",
      tr->optimizer == GM_OPT_SGD ? "plain SGD" : "the optimizer", gm_layout_name(tr->layout));
}

void gm_stage_memory(const gm_config *c, const gm_params *P, const gm_shape *s, gm_stage_mem *o,
                     char (*fm)[GM_FORMULA_LEN]) {
  ctx x;
  double persist_buffers;
  int ph;
  memset(&x, 0, sizeof x);
  memset(o, 0, sizeof *o);
  x.c = c, x.P = P, x.s = s, x.fm = fm;
  x.lb = gm_layout_bytes_of(&c->training);
  x.A = gm_act_bytes(c);
  x.state_elem = c->training.layout == GM_LAYOUT_PURE_HALF ? 2.0 : 4.0;
  sharding(&x);
  model_states(&x, o);
  gradients(&x, o);
  gathered(&x, o); /* after gradients: FSDP under PP keeps unsharded accumulators */
  persist_buffers = buffers(&x, o);
  step_temporaries(&x, o);
  activations(&x, o);
  for (ph = 0; ph < GM_PH_COUNT; ph++) {
    o->comp[ph][GM_C_WEIGHTS] = x.wbytes;
    o->comp[ph][GM_C_OPTIMIZER] = x.obytes;
    o->persistent[ph] = x.wbytes + x.obytes + o->comp[ph][GM_C_GRADS] + persist_buffers;
  }
  states_formulas(&x, o);
}
