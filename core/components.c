/* components.c - what one GPU of a stage holds in each phase: model states,
 * gathered parameters, buffers, step temporaries and activations. */
#include "fmt.h"
#include "internal.h"

#include <math.h>
#include <string.h>

/* QLoRA NF4 with double quantisation: 4 bits per weight plus 0.127 bits of
 * quantisation constants (Dettmers et al. 2023, QLoRA, section 3). */
#define NF4_BYTES (4.127 / 8.0)
/* DeepSpeed asynchronous I/O buffers for NVMe offload, buffer_count x
 * buffer_size at their defaults (deepspeed/runtime/zero/offload_config.py:
 * optimizer 4 fp32 buffers, parameters 5 x 1e8 half-precision elements). */
#define NVME_OPT_PINNED_BYTES (4.0 * 1e8 * 4.0)
#define NVME_PARAM_PINNED_BYTES (5.0 * 1e8 * 2.0)

/* Formula text, appended piece by piece (fmt.h): a string literal, a
 * string, a number as %g writes it, a count ("1,234,567"). */
#define LIT(t, literal) gm_text_lit(t, literal)
#define STR gm_text_str
#define NUM gm_text_g
#define CNT gm_text_count

/* The inputs of one stage's calculation, and what earlier steps decided. */
typedef struct {
  const gm_config *c;
  const gm_params *P;
  const gm_shape *s;
  char (*fm)[GM_FORMULA_LEN];
  gm_precision_bytes lb;
  double A, state_elem;
  double d, d_exp;                /* data-parallel sharding group, and its expert share */
  int w_sh, g_sh, o_sh, ds, fsdp; /* what the engine shards; DeepSpeed; FSDP */
  const char *shard_txt;
  char grp[48];
  double g_full, wbytes, gbytes, obytes;
  double fp8_persist; /* Transformer Engine's fp8 weight copies, kept across micro-batches */
  double pp_logits[GM_PH_COUNT]; /* earlier micro-batches' logits a pipeline keeps */
  double per_logit;              /* bytes per logit of the loss (last stage) */
  int persist_grads;
} ctx;

/* Starts component i's formula; only when formulas are asked for (x->fm). */
static gm_text formula(const ctx *x, int i) {
  gm_text t;
  gm_text_start(&t, x->fm[i], GM_FORMULA_LEN);
  return t;
}

/* Parameters of the decoder linears among params of `layers` layers (norms aside). */
static double linear_params(const ctx *x, double params, double layers) {
  double norms = layers * (double)gm_layer_norm_params(&x->c->model);
  return params > norms ? params - norms : 0;
}

/* The decoder linears of this stage's GPU: embedding, head and final norm aside. */
static double stage_linear_params(const ctx *x) {
  const gm_shape *s = x->s;
  double rest =
      s->params - s->emb_params - s->head_params - (s->has_head ? (double)x->P->final_norm : 0);
  return linear_params(x, rest, s->layers);
}

/* GEMMs of one decoder layer: Q, K, V (one when fused, and always one in
 * Transformer Engine's LayerNormLinear), the output projection, and the MLP's. */
static double gemms_per_layer(const gm_config *c) {
  int te = c->engine.framework == GM_FW_MEGATRON;
  double attn = (te || c->model.fused_projections) ? 2.0 : 4.0;
  double mlp = c->model.mlp == GM_MLP_GATED && !te && !c->model.fused_projections ? 3.0 : 2.0;
  return attn + mlp;
}

/* Scaling state of fp8 delayed scaling: per scaled tensor an amax history, a scale
 * (and, in Transformer Engine, its inverse). TE scales input, weight and output in
 * forward and two gradients in backward; torchao's Float8Linear input, weight and
 * grad_output. */
static double fp8_meta_bytes(const ctx *x) {
  const gm_training *t = &x->c->training;
  int te = x->c->engine.framework == GM_FW_MEGATRON;
  if (t->fp8 != GM_FP8_DELAYED)
    return 0;
  return x->s->layers * gemms_per_layer(x->c) * (te ? 5.0 : 3.0) * 4.0 *
         ((double)t->fp8_amax_history + (te ? 2.0 : 1.0));
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
  if (x->fm) { /* only formulas print it */
    gm_text t;
    gm_text_start(&t, x->grp, sizeof x->grp);
    NUM(&t, x->d);
    LIT(&t, " data-parallel GPUs");
  }
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
  x->persist_grads = gm_accumulates(x->c) || !tr->grads_set_to_none ||
                     e->kind == GM_ENGINE_MEGATRON ||
                     (x->ds && (e->zero_stage >= 2 || x->lb.grads == 4));
  if (tr->optimizer_in_backward) {
    *b = x->lb.grads * x->s->unit_params;
  } else if (x->persist_grads) {
    *f = *b = *st = x->gbytes;
  } else {
    *st = x->gbytes;
    /* The head's gradients come first, whole until they are reduced. */
    *b = x->lb.grads * x->s->head_params;
    if (x->fsdp && e->sharding != GM_FSDP_NO_SHARD)
      /* FSDP allocates each sharded gradient (the reduce-scatter output) on
       * its reduce-scatter stream (FSDP2 _fsdp_collectives.py foreach_reduce,
       * FSDP1 _runtime_utils.py _reduce_grad), and the caching allocator keeps
       * blocks per stream (c10/cuda/CUDACachingAllocator.cpp): freed by
       * zero_grad, they stay reserved through the next forward and backward,
       * where the compute stream cannot use them. */
      o->pooled[GM_PH_FORWARD] = o->pooled[GM_PH_BACKWARD] = x->gbytes;
  }
  if (x->ds && x->lb.grads == 4 && x->lb.weights == 2 && !tr->optimizer_in_backward) {
    /* DeepSpeed's BF16 optimizer: bf16 .grad tensors besides its fp32 accumulation buffer. */
    double bf16_grads = 2.0 * x->s->trainable / (x->g_sh ? x->d : 1);
    *b += bf16_grads;
    *st += bf16_grads;
  }
}

/* Share of the stage's trainable parameters whose unsharded gradient
 * accumulators are alive together. torch.distributed.pipelining, which
 * torchtitan runs, reduces a model chunk's gradients at that chunk's last
 * backward (stage.py, backward_maybe_with_nosync: post_backward of every FSDP
 * group under the chunk's root), which frees its accumulators. Its interleaved
 * schedule runs the backwards of one round of micro-batches chunk by chunk,
 * the last chunk first (schedules.py, ScheduleInterleaved1F1B: rounds =
 * max(1, m / p)); with one round, m < 2p, no two chunks' accumulators coexist
 * and the largest chunk's are the most alive at once. */
static double accumulating_share(const ctx *x) {
  const gm_parallel *pp = &x->c->parallel;
  const gm_shape *s = x->s;
  if (x->c->engine.framework != GM_FW_TORCHTITAN || pp->schedule != GM_SCHED_INTERLEAVED ||
      pp->vpp < 2 || pp->num_microbatches >= 2 * (int64_t)pp->pp || s->params <= 0)
    return 1.0;
  return s->chunk_params_max / s->params;
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
     * and torchtitan since July 2025 wrap embedding and head as units of their own,
     * so only the head, in use from the loss into backward, is gathered at the peak. */
    double root =
        (e->framework == GM_FW_TORCHTUNE || gm_titan_embedding_unit(x->c) ? 0 : s->emb_params) +
        s->head_params;
    double unit = s->unit_params;
    double reduce_bytes = x->lb.grads; /* FSDP reduces in the gradient dtype */
    /* FP8: torchao's float8 all-gather gathers the linear weights in fp8 (1 B);
     * without it each linear casts its gathered bf16 weight to fp8 as it runs. */
    double lin_unit = linear_params(x, unit, 1), cw = A, cast = 0;
    if (tr->fp8 != GM_FP8_NONE && tr->fp8_all_gather)
      cw = 1.0;
    else if (tr->fp8 != GM_FP8_NONE)
      cast = 1.0 * lin_unit;
    if (e->sharding == GM_FSDP_SHARD_GRAD_OP || !e->reshard_after_forward) {
      double lin_all = stage_linear_params(x);
      *f = *b = A * (s->params - lin_all) + cw * lin_all + cast;
      if (!e->reshard_after_forward && x->c->parallel.pp > 1) {
        /* Reduction waits for the last micro-batch: unsharded accumulators. The
         * sharded gradients it then makes are pooled as without accumulation. */
        o->comp[GM_PH_FORWARD][GM_C_GRADS] = o->comp[GM_PH_BACKWARD][GM_C_GRADS] =
            reduce_bytes * s->trainable * accumulating_share(x);
        o->pooled[GM_PH_FORWARD] = o->pooled[GM_PH_BACKWARD] = x->gbytes;
      } else {
        *b += reduce_bytes * unit;
      }
    } else {
      /* The root, one unit and the prefetched one. */
      *f = A * root + 2.0 * (A * (unit - lin_unit) + cw * lin_unit) + cast;
      *b = *f + reduce_bytes * unit;
    }
    if (x->fm) {
      gm_text t = formula(x, GM_C_GATHERED);
      if (e->sharding == GM_FSDP_SHARD_GRAD_OP || !e->reshard_after_forward) {
        LIT(&t, "compute copies of every weight of the stage: ");
        NUM(&t, A);
        LIT(&t, " B x ");
        CNT(&t, s->params);
        LIT(&t, " params");
        if (cw < A)
          LIT(&t, ", linear weights gathered in fp8 (1 B)");
      } else {
        LIT(&t, "compute copies: ");
        NUM(&t, A);
        LIT(&t, " B x (");
        STR(&t, root > s->head_params ? "embedding+head " : "head ");
        CNT(&t, root);
        LIT(&t, " + 2 x layer ");
        CNT(&t, unit);
        LIT(&t, " params)");
        if (cw < A)
          LIT(&t, ", linear weights gathered in fp8 (1 B)");
        else if (cast > 0)
          LIT(&t, ", + one layer's weights cast to fp8");
        if (*b > *f)
          LIT(&t, " + unsharded gradient of one layer in backward");
      }
    }
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
    if (x->fm) {
      gm_text t = formula(x, GM_C_GATHERED);
      LIT(&t, "ZeRO-3 live parameters: ");
      NUM(&t, A);
      LIT(&t, " B x min(2 x largest unit ");
      CNT(&t, unit);
      LIT(&t, ", stage3_max_live_parameters ");
      CNT(&t, (double)e->stage3_max_live_parameters);
      LIT(&t, "); + its ");
      NUM(&t, A);
      LIT(&t, " B gradients in backward");
    }
  } else if (tr->fp8 != GM_FP8_NONE && e->framework == GM_FW_MEGATRON) {
    /* Transformer Engine casts each weight to fp8 on a step's first micro-batch and
     * keeps the copy and its transpose (Hopper GEMMs read both layouts) for the
     * rest; with fp8 parameters (--fp8-param-gather) the weight is already fp8 and
     * only the transpose is added. */
    double lin_all = stage_linear_params(x);
    double copies = tr->fp8_all_gather ? 1.0 : 2.0;
    if (tr->fp8_all_gather && x->lb.weights > 1.0)
      x->wbytes -= (x->lb.weights - 1.0) * lin_all / (x->w_sh ? x->d : 1);
    *f = *b = copies * lin_all;
    x->fp8_persist = *f;
    if (x->fm) {
      gm_text t = formula(x, GM_C_GATHERED);
      LIT(&t, "Transformer Engine fp8 weight copies: ");
      NUM(&t, copies);
      LIT(&t, " B x ");
      CNT(&t, lin_all);
      STR(&t, tr->fp8_all_gather ? " linear params (transpose only: parameters are fp8)"
                                 : " linear params (data + transpose)");
    }
  } else if (tr->fp8 != GM_FP8_NONE) {
    /* torchao: each linear casts its weight to fp8 while it runs. */
    double lin_unit = linear_params(x, s->unit_params, 1);
    *f = *b = 1.0 * lin_unit;
    if (x->fm) {
      gm_text t = formula(x, GM_C_GATHERED);
      LIT(&t, "fp8 weight casts of the running layer: 1 B x ");
      CNT(&t, lin_unit);
      LIT(&t, " params");
    }
  } else if (tr->precision == GM_PRECISION_AMP && !x->fsdp && tr->finetune == GM_FT_FULL) {
    /* Autocast caches a low-precision copy of every linear weight until backward uses it. */
    *f = *b = A * (s->params - s->emb_params);
    if (x->fm) {
      gm_text t = formula(x, GM_C_GATHERED);
      LIT(&t, "autocast weight cache: ");
      NUM(&t, A);
      LIT(&t, " B x ");
      CNT(&t, s->params - s->emb_params);
      LIT(&t, " linear weights");
    }
  } else if (x->fm) {
    gm_text t = formula(x, GM_C_GATHERED);
    LIT(&t, "none: weights are used in place");
  }
}

/* Whether name starts with id and a dash: strncmp and strlen inline (the
 * searches call this per stage). */
static int id_prefix(const char *name, const char *id) {
  while (*id)
    if (*name++ != *id++)
      return 0;
  return *name == '-';
}

/* Hopper and later (sm90+) by preset id: PyTorch and Transformer Engine size their
 * cuBLAS workspaces by it. A card given only by its memory counts as one. */
static int hopper_or_later(const gm_hardware *hw) {
  static const char *const ids[] = {"h100", "h200", "gh200", "h800", "h20",
                                    "b100", "b200", "gb200", "b300", "gb300"};
  size_t i, n = sizeof ids / sizeof ids[0];
  if (!hw->gpu_name[0])
    return 1;
  for (i = 0; i < n; i++)
    if (id_prefix(hw->gpu_name, ids[i]))
      return 1;
  return 0;
}

/* Fixed workspaces taken from the caching allocator once and kept. PyTorch keys a
 * cuBLAS workspace by (handle, stream) and handles are per thread, so forward (the
 * main thread) and backward (autograd's device thread) hold one each: 32 MiB on
 * sm90+ (":4096:8"), else 8 MiB + 128 KiB (aten/src/ATen/cuda/CublasHandlePool.cpp).
 * Transformer Engine, which Megatron-LM runs, adds one of 32 MiB on sm90+, else 4 MiB
 * (transformer_engine/pytorch/module/base.py, get_cublas_workspace_size_bytes). */
static double workspace_bytes(const gm_config *c, double *te) {
  int sm90 = hopper_or_later(&c->hardware);
  double one = sm90 ? 32.0 * 1048576.0 : 8.0 * 1048576.0 + 131072.0;
  *te = c->engine.framework == GM_FW_MEGATRON ? (sm90 ? 33554432.0 : 4194304.0) : 0;
  return 2.0 * one + *te;
}

/* torch.distributed.pipelining, which torchtitan runs (torch/distributed/pipelining/
 * stage.py). _prepare_forward_infra allocates a receive buffer per micro-batch for
 * every stage but the first and _prepare_backward_infra a gradient receive buffer
 * per micro-batch for every stage but the last; both stay allocated across steps
 * (pytorch issue #136380). stage_backward accumulates each received input's
 * gradient into its buffer's .grad, released by clear_runtime_states when the next
 * step starts. fwd_cache holds each output until its backward, and output_chunks
 * keeps every output for the merge after step(): on every stage before pytorch
 * #153383, on the last (the logits) until torchtitan #1922 (gm_pp_kept_outputs).
 * Returns the persistent receive buffers; what the step keeps goes into the
 * buffers component per phase and the kept logits into x->pp_logits. */
static double torch_pipeline(ctx *x, gm_stage_mem *o) {
  const gm_parallel *pp = &x->c->parallel;
  const gm_shape *s = x->s;
  int keep = gm_pp_kept_outputs(x->c);
  double h = x->c->model.hidden_size / (pp->sequence_parallel ? (double)pp->tp : 1.0);
  double act = x->A * gm_tokens_per_gpu(x->c) * h; /* one stage boundary tensor */
  double m = (double)pp->num_microbatches, v = pp->vpp > 1 ? pp->vpp : 1;
  double recv = v - (s->has_emb ? 1 : 0), send = v - (s->has_head ? 1 : 0);
  /* In flight the received input is the first layer's saved input (activations). */
  double waiting = m > s->inflight ? m - s->inflight : 0;
  double persist = (waiting * recv + m * send) * act;
  double outs = (keep == GM_PP_KEEP_ALL_STAGES ? m : s->inflight) * send * act;
  double logits =
      s->has_head ? gm_tokens_per_gpu(x->c) * (double)x->c->model.vocab_size / pp->tp * x->A : 0;
  o->comp[GM_PH_FORWARD][GM_C_BUFFERS] = outs + waiting * recv * act;
  o->comp[GM_PH_BACKWARD][GM_C_BUFFERS] = outs + waiting * recv * act;
  o->comp[GM_PH_STEP][GM_C_BUFFERS] =
      (keep == GM_PP_KEEP_ALL_STAGES ? m * send * act : 0) + m * recv * act;
  if (keep != GM_PP_KEEP_NONE && m > 1) {
    /* The loss term holds the running micro-batch's logits. */
    x->pp_logits[GM_PH_FORWARD] = (m - 1) * logits;
    x->pp_logits[GM_PH_BACKWARD] = x->pp_logits[GM_PH_STEP] = m * logits;
  }
  /* The last stage's step() then returns its outputs merged (schedules.py
   * _merge_outputs, microbatch.py merge_chunks: one torch.cat of output_chunks),
   * which torchtitan's train.py drops at once. No block the step freed is that
   * large (the largest, the loss's fp32 copy of one micro-batch's logits, holds
   * 4 B a logit), so the caching allocator maps a segment for it, and keeps it:
   * the later steps' tensors fit the blocks they used before. */
  if (keep != GM_PP_KEEP_NONE && m * x->A > 4.0) {
    int ph;
    o->merged = m * logits;
    for (ph = 0; ph < GM_PH_COUNT; ph++)
      o->pooled[ph] += o->merged;
  }
  return persist;
}

/* Buffers for communication and fixed workspaces: persistent ones, and those of
 * backward and the step. */
static double buffers(ctx *x, gm_stage_mem *o) {
  const gm_engine *e = &x->c->engine;
  const gm_parallel *pp = &x->c->parallel;
  const gm_shape *s = x->s;
  double A = x->A, persist = 0, bwd = 0, step = 0, te, ws = workspace_bytes(x->c, &te);
  /* Text only when formulas are asked for: the searches call this many times. */
  gm_text t = {NULL, NULL};
  if (x->fm)
    t = formula(x, GM_C_BUFFERS);
  if (e->kind == GM_ENGINE_DDP && x->d > 1 && !e->ddp_bucket_view) {
    persist = x->g_full; /* DDP buckets hold a second copy of every gradient */
    if (x->fm) {
      LIT(&t, "DDP gradient buckets (gradient_as_bucket_view off): a copy of ");
      CNT(&t, x->g_full);
      LIT(&t, " B of gradients; ");
    }
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
    if (x->fm) {
      LIT(&t, "DeepSpeed reduce bucket ");
      NUM(&t, A);
      LIT(&t, " B x ");
      CNT(&t, bucket);
      STR(&t, e->overlap_comm ? " x 2 in backward; all-gather bucket "
                              : " x 1 in backward; all-gather bucket ");
      CNT(&t, step);
      LIT(&t, " B at the step; ");
    }
  }
  if (pp->pp > 1 && e->framework == GM_FW_TORCHTITAN) {
    double pipe = torch_pipeline(x, o);
    persist += pipe;
    if (x->fm) {
      LIT(&t, "pipeline receive buffers, one per micro-batch, ");
      CNT(&t, pipe);
      LIT(&t, " B; outputs and input gradients kept until the step ends, up to ");
      CNT(&t, o->comp[GM_PH_STEP][GM_C_BUFFERS]);
      LIT(&t, " B; ");
    }
  } else if (pp->pp > 1) {
    double h = x->c->model.hidden_size / (pp->sequence_parallel ? (double)pp->tp : 1.0);
    double pipe = 2.0 * A * gm_tokens_per_gpu(x->c) * h; /* send and receive buffers */
    if (e->kind == GM_ENGINE_MEGATRON_DEEPSPEED && !s->has_head)
      /* DeepSpeed's pipeline engine keeps each in-flight micro-batch's output
       * in its pipe buffers until that micro-batch's backward (Megatron-Core
       * frees them: deallocate_pipeline_outputs). */
      pipe += s->inflight_mbs * A * gm_tokens_per_gpu(x->c) * x->c->model.hidden_size;
    persist += pipe;
    if (x->fm) {
      LIT(&t, "pipeline send/receive buffers ");
      CNT(&t, pipe);
      LIT(&t, " B; ");
    }
  }
  if (pp->defer_embedding_wgrad == 1 && s->has_head) {
    /* Megatron-LM's --defer-embedding-wgrad-compute: the output layer's forward
     * appends its input to embedding_activation_buffer and its backward appends
     * grad_output to grad_output_buffer instead of computing the weight
     * gradient, up to --wgrad-deferral-limit micro-batches (tensor_parallel/
     * layers.py); finish_embedding_wgrad_compute empties both in the pipeline
     * flush (pipeline_parallel/schedules.py). */
    double m = (double)pp->num_microbatches, lim = (double)pp->wgrad_deferral_limit;
    double kept = lim > 0 && lim < m ? lim : m, done = kept < m - 1 ? kept : m - 1;
    double h = x->c->model.hidden_size / (pp->sequence_parallel ? (double)pp->tp : 1.0);
    double one = A * gm_tokens_per_gpu(x->c) * ((double)x->c->model.vocab_size / pp->tp + h);
    o->comp[GM_PH_FORWARD][GM_C_BUFFERS] += done * one;
    o->comp[GM_PH_BACKWARD][GM_C_BUFFERS] += kept * one;
    if (x->fm) {
      LIT(&t, "deferred output-layer weight gradients: grad outputs and inputs of ");
      NUM(&t, kept);
      STR(&t, kept == 1 ? " micro-batch, " : " micro-batches, ");
      CNT(&t, one);
      LIT(&t, " B each; ");
    }
  }
  if (x->c->training.fp8 == GM_FP8_DELAYED) {
    double meta = fp8_meta_bytes(x);
    persist += meta;
    if (x->fm) {
      LIT(&t, "fp8 delayed scaling: amax history of ");
      gm_text_int(&t, x->c->training.fp8_amax_history);
      LIT(&t, " + scales, ");
      CNT(&t, meta);
      LIT(&t, " B; ");
    }
  }
  persist += ws;
  if (x->fm) {
    LIT(&t, "cuBLAS workspaces of the forward and backward threads, ");
    CNT(&t, ws - te);
    STR(&t, te > 0 ? " B + Transformer Engine's" : " B");
  }
  /* torch_pipeline left what the pipeline keeps between micro-batches there. */
  o->comp[GM_PH_FORWARD][GM_C_BUFFERS] += persist;
  o->comp[GM_PH_BACKWARD][GM_C_BUFFERS] += persist + bwd;
  o->comp[GM_PH_STEP][GM_C_BUFFERS] += persist + step;
  return persist;
}

/* Temporaries of the optimizer step. */
static void step_temporaries(ctx *x, gm_stage_mem *o) {
  const gm_training *tr = &x->c->training;
  const gm_engine *e = &x->c->engine;
  const gm_shape *s = x->s;
  double step = 0;
  gm_text t = {NULL, NULL};
  if (x->fm)
    t = formula(x, GM_C_STEP);
  if (x->obytes > 0 && !tr->optimizer_in_backward) {
    double opt_params =
        x->o_sh ? (s->trainable - s->trainable_expert) / x->d + s->trainable_expert / x->d_exp
                : s->trainable;
    if (tr->optimizer_impl == GM_OPTIMPL_FOREACH && tr->optimizer != GM_OPT_ADAMW_8BIT &&
        tr->optimizer != GM_OPT_ADAFACTOR && x->lb.states > 0) {
      step = x->state_elem * opt_params;
      if (x->fm) {
        LIT(&t, "foreach step: one state-sized temporary, ");
        NUM(&t, x->state_elem);
        LIT(&t, " B x ");
        CNT(&t, opt_params);
        LIT(&t, " params");
      }
    } else if (tr->optimizer == GM_OPT_ADAFACTOR || tr->optimizer_impl == GM_OPTIMPL_FOR_LOOP) {
      step = 2.0 * 4.0 * (double)gm_largest_matrix(&x->c->model) / x->c->parallel.tp;
      if (x->fm)
        LIT(&t, "per-parameter step: two fp32 temporaries of the largest matrix");
    } else if (x->fm) {
      LIT(&t, "fused step: no temporaries");
    }
    if (x->ds && e->zero_stage >= 1) {
      /* The fp32 gradient partition built for the step; ZeRO-3 steps one
       * sub-group (sub_group_size, 1e9 elements) at a time. */
      double part = e->zero_stage == 3 && opt_params > (double)e->sub_group_elems
                        ? (double)e->sub_group_elems
                        : opt_params;
      step += 4.0 * part;
      if (x->fm) { /* replaces the optimizer's own text */
        t = formula(x, GM_C_STEP);
        LIT(&t, "DeepSpeed fp32 gradient partition: 4 B x ");
        CNT(&t, part);
        STR(&t, step > 4.0 * part ? " params + optimizer temporaries" : " params");
      }
    } else if (x->ds && e->zero_stage == 0 && x->lb.grads == 2 && x->lb.master > 0) {
      step += 4.0 * s->trainable; /* FP16_Optimizer's flat fp32 gradients */
      if (x->fm) {
        t = formula(x, GM_C_STEP);
        LIT(&t, "DeepSpeed FP16 optimizer flat fp32 gradients: 4 B x ");
        CNT(&t, s->trainable);
        LIT(&t, " params");
      }
    }
  } else if (tr->optimizer_in_backward || e->offload_optimizer != GM_OFFLOAD_NONE) {
    if (x->fm)
      STR(&t, tr->optimizer_in_backward ? "none: the optimizer step runs inside backward"
                                        : "none: the optimizer step runs on the host");
  } else if (x->fm) {
    LIT(&t, "none: plain SGD adds the gradients to the weights in place");
  }
  o->comp[GM_PH_STEP][GM_C_STEP] = step;
}

/* The loss spike on the last stage, the logits a pipeline keeps, and what
 * the final norm and the head keep for backward (in the forward phase's
 * activations, which gm_stage_memory_acts completes). */
static void loss_parts(ctx *x, gm_stage_mem *o) {
  const gm_shape *s = x->s;
  int ph;
  if (s->has_head) {
    /* freed once the head's backward has run */
    o->comp[GM_PH_FORWARD][GM_C_ACTIVATIONS] = gm_head_saved_bytes(x->c);
    o->comp[GM_PH_FORWARD][GM_C_LOGITS] = gm_loss_bytes(x->c, &x->per_logit);
  }
  for (ph = 0; ph < GM_PH_COUNT; ph++)
    o->comp[ph][GM_C_LOGITS] += x->pp_logits[ph];
}

void gm_stage_memory_acts(const gm_config *c, const gm_shape *s, gm_stage_mem *o) {
  double acts = s->acts_bytes, working = s->working_bytes;
  if (c->training.activation_offload && acts > 0) {
    double on_gpu = 2.0 * (s->layers > 0 ? acts / s->layers / s->inflight : 0);
    o->host_bytes += acts - on_gpu;
    acts = on_gpu;
  }
  /* Added to the head's part (loss_parts; 0 without the head). */
  o->comp[GM_PH_FORWARD][GM_C_ACTIVATIONS] += acts;
  o->comp[GM_PH_BACKWARD][GM_C_ACTIVATIONS] = acts + working;
}

/* The formulas of the activations and the loss. */
static void activations_formulas(ctx *x) {
  const gm_training *tr = &x->c->training;
  const gm_shape *s = x->s;
  double working = s->working_bytes, per_logit = x->per_logit;
  {
    const gm_parallel *pp = &x->c->parallel;
    gm_act_terms at = gm_layer_terms(x->c, s->moe_layers > 0 && s->moe_layers == s->layers);
    gm_text t = formula(x, GM_C_ACTIVATIONS);
    gm_text_fixed(&t, s->inflight, 2);
    LIT(&t, " micro-batches in flight x ");
    gm_text_int(&t, s->layers);
    STR(&t, s->layers == 1 ? " layer x " : " layers x ");
    CNT(&t, gm_tokens_per_gpu(x->c));
    LIT(&t, " tokens x (");
    CNT(&t, at.replicated);
    STR(&t, pp->sequence_parallel ? " replicated / TP + " : " replicated + ");
    CNT(&t, at.split);
    LIT(&t, " / TP ");
    gm_text_int(&t, pp->tp);
    STR(&t, at.scores > 0 ? " + attention scores) B per token per layer; + "
                          : ") B per token per layer; + ");
    gm_text_fixed(&t, working / GM_GIB, 2);
    LIT(&t, " GiB while one layer runs backward");
    if (tr->recompute == GM_AC_SELECTIVE && tr->selective_policy == GM_SEL_PER_OP &&
        gm_sac_recomputes_attention(x->c))
      LIT(&t, " (incl. recomputation of cuDNN attention)");
    else if (tr->recompute != GM_AC_NONE)
      LIT(&t, " (incl. recomputation)");
    t = formula(x, GM_C_LOGITS);
    if (s->has_head && x->c->model.num_labels > 0) {
      LIT(&t, "sequence classifier: ");
      NUM(&t, per_logit);
      LIT(&t, " B x ");
      gm_text_int(&t, (long long)tr->micro_batch_size);
      LIT(&t, " sequences x ");
      gm_text_int(&t, x->c->model.num_labels);
      LIT(&t, " labels");
    } else if (s->has_head) {
      NUM(&t, per_logit);
      LIT(&t, " B per logit x ");
      CNT(&t, gm_tokens_per_gpu(x->c));
      LIT(&t, " tokens x vocab ");
      CNT(&t, (double)x->c->model.vocab_size);
      LIT(&t, " / TP ");
      gm_text_int(&t, pp->tp);
      STR(&t, tr->loss == GM_LOSS_CHUNKED                ? " (loss computed in chunks)"
              : tr->loss == GM_LOSS_VOCAB_PARALLEL       ? " (loss split over the vocabulary)"
              : tr->loss == GM_LOSS_VOCAB_PARALLEL_FUSED ? " (fused loss split over the vocabulary)"
              : tr->loss == GM_LOSS_TP_PARALLEL ? " (loss split over tensor-parallel ranks)"
              : tr->loss == GM_LOSS_COMPILED    ? " (compiled loss)"
              : tr->loss == GM_LOSS_KEEP_FP32   ? " (logits also kept as fp32 for the loss)"
                                                : " (loss in fp32)");
      if (x->pp_logits[GM_PH_FORWARD] > 0) {
        LIT(&t, "; + the earlier micro-batches' logits the pipeline keeps for its outputs, ");
        CNT(&t, x->pp_logits[GM_PH_FORWARD]);
        LIT(&t, " B");
      }
    } else {
      LIT(&t, "none: the loss is computed on the last pipeline stage");
    }
  }
}

/* How the weights are stored, in words. */
static const char *layout_words(gm_precision l) {
  switch (l) {
  case GM_PRECISION_AMP:
    return "fp32 weights, autocast to half precision for compute";
  case GM_PRECISION_MIXED:
  case GM_PRECISION_MIXED_FP32_GRADS:
    return "half-precision weights, an fp32 master copy with the optimizer";
  case GM_PRECISION_PURE_HALF:
    return "half-precision weights, no fp32 master copy";
  default:
    return "fp32 weights";
  }
}

/* The formulas of the model states, once everything about them is known. */
static void states_formulas(ctx *x, const gm_stage_mem *o) {
  const gm_training *tr = &x->c->training;
  const gm_engine *e = &x->c->engine;
  const gm_shape *s = x->s;
  gm_text t;
  if (!x->fm)
    return;
  t = formula(x, GM_C_WEIGHTS);
  if (e->offload_param != GM_OFFLOAD_NONE) {
    STR(&t, e->offload_param == GM_OFFLOAD_NVME ? "0 on the GPU: parameters offloaded to NVMe ("
                                                : "0 on the GPU: parameters offloaded to host "
                                                  "memory (");
    CNT(&t, o->host_bytes);
    LIT(&t, " bytes)");
  } else if (tr->finetune == GM_FT_FULL) {
    NUM(&t, x->lb.weights);
    LIT(&t, " B x ");
    CNT(&t, s->params);
    LIT(&t, " params of this stage (");
    STR(&t, layout_words(tr->precision));
    STR(&t, x->w_sh ? "), sharded over " : "), ");
    STR(&t, x->w_sh ? x->grp : "not sharded");
  } else {
    LIT(&t, "frozen base: ");
    NUM(&t, tr->finetune == GM_FT_QLORA ? NF4_BYTES : x->A);
    LIT(&t, " B x ");
    CNT(&t, s->params);
    STR(&t, tr->finetune == GM_FT_QLORA ? " params (NF4 linears, embeddings 2 B) + adapters "
                                        : " params (compute dtype) + adapters ");
    NUM(&t, x->lb.weights);
    LIT(&t, " B x ");
    CNT(&t, s->trainable);
    STR(&t, x->w_sh ? ", sharded" : ", not sharded");
  }
  t = formula(x, GM_C_GRADS);
  NUM(&t, x->lb.grads);
  LIT(&t, " B x ");
  CNT(&t, s->trainable);
  STR(&t, x->g_sh ? " trainable params, sharded over " : " trainable params, ");
  STR(&t, x->g_sh ? x->grp : "not sharded");
  STR(&t, x->persist_grads ? "; resident through the step (accumulation or a persistent buffer)"
                           : "; built during backward, largest at the step");
  t = formula(x, GM_C_OPTIMIZER);
  if (x->obytes > 0) {
    LIT(&t, "(");
    NUM(&t, x->lb.master);
    LIT(&t, " B master + ");
    NUM(&t, tr->optimizer == GM_OPT_ADAFACTOR ? x->state_elem : x->lb.states);
    LIT(&t, " B states) x ");
    CNT(&t, s->trainable);
    LIT(&t, " trainable params, ");
    STR(&t, x->o_sh ? x->shard_txt : "not sharded");
    if (x->o_sh)
      LIT(&t, " over data parallel");
  } else if (e->offload_optimizer != GM_OFFLOAD_NONE) {
    STR(&t, e->offload_optimizer == GM_OFFLOAD_NVME
                ? "0 on the GPU: optimizer states offloaded to NVMe"
                : "0 on the GPU: optimizer states offloaded to host memory");
  } else {
    STR(&t, tr->optimizer == GM_OPT_SGD ? "0: plain SGD keeps no optimizer state and the "
                                        : "0: the optimizer keeps no optimizer state and the ");
    STR(&t, gm_precision_name(tr->precision));
    LIT(&t, " layout no master copy");
  }
}

/* The first steps of a stage's memory, into a cleared *o: the sharding, the
 * weights and optimizer states, the gradients and the gathered parameters. */
static void states_part(ctx *x, gm_stage_mem *o) {
  const gm_config *c = x->c;
  memset(o, 0, sizeof *o);
  x->lb = gm_precision_bytes_of(&c->training);
  x->A = gm_act_bytes(c);
  x->state_elem = c->training.precision == GM_PRECISION_PURE_HALF ? 2.0 : 4.0;
  sharding(x);
  model_states(x, o);
  gradients(x, o);
  gathered(x, o); /* after gradients: FSDP under PP keeps unsharded accumulators */
}

/* Every component but the activations of the stage's layers; x's formulas
 * when x->fm. */
static void stage_base(ctx *x, gm_stage_mem *o) {
  double persist_buffers;
  int ph;
  states_part(x, o);
  persist_buffers = buffers(x, o);
  step_temporaries(x, o);
  loss_parts(x, o);
  for (ph = 0; ph < GM_PH_COUNT; ph++) {
    o->comp[ph][GM_C_WEIGHTS] = x->wbytes;
    o->comp[ph][GM_C_OPTIMIZER] = x->obytes;
    o->persistent[ph] =
        x->wbytes + x->obytes + o->comp[ph][GM_C_GRADS] + persist_buffers + x->fp8_persist;
  }
}

double gm_stage_states_bytes(const gm_config *c, const gm_params *P, const gm_shape *s) {
  const gm_training *tr = &c->training;
  gm_stage_mem o;
  ctx x;
  double most = 0;
  int ph;
  /* fp8 changes the weights after (gathered) and a setting in resolution. */
  if (tr->fp8 != GM_FP8_NONE)
    return 0;
  memset(&x, 0, sizeof x);
  x.c = c, x.P = P, x.s = s;
  states_part(&x, &o); /* stage_base's first steps, to the same figures */
  /* Each phase's weights, gradients, optimizer states and gathered
   * parameters, summed in gm_first_stage_floor's order without the terms
   * between (all at least 0): no more than its sum. */
  for (ph = 0; ph < GM_PH_COUNT; ph++) {
    double sum = x.wbytes + o.comp[ph][GM_C_GRADS] + x.obytes + o.comp[ph][GM_C_GATHERED];
    if (sum > most)
      most = sum;
  }
  return most;
}

void gm_stage_memory_base(const gm_config *c, const gm_params *P, const gm_shape *s,
                          gm_stage_mem *o) {
  ctx x;
  memset(&x, 0, sizeof x);
  x.c = c, x.P = P, x.s = s;
  stage_base(&x, o);
}

void gm_stage_memory(const gm_config *c, const gm_params *P, const gm_shape *s, gm_stage_mem *o,
                     char (*fm)[GM_FORMULA_LEN]) {
  ctx x;
  memset(&x, 0, sizeof x);
  x.c = c, x.P = P, x.s = s, x.fm = fm;
  stage_base(&x, o);
  gm_stage_memory_acts(c, s, o);
  if (fm) {
    activations_formulas(&x);
    states_formulas(&x, o);
  }
}
