/* activations.c - tensors a decoder layer keeps for its backward pass, one by one. */
#include "internal.h"

double gm_tokens_per_gpu(const gm_config *c) {
  return (double)c->training.micro_batch_size * (double)c->training.seq_len / c->parallel.cp;
}

/* Autocast over fp32 weights (AMP without FSDP's low-precision parameters). */
static int autocast_fp32_weights(const gm_config *c) {
  return c->training.precision == GM_PRECISION_AMP && c->engine.kind != GM_ENGINE_FSDP &&
         c->training.dtype != GM_DTYPE_FP32;
}

int gm_fp8_saves_inputs(const gm_config *c) {
  const gm_training *t = &c->training;
  if (t->fp8 == GM_FP8_NONE)
    return 0;
  /* Transformer Engine's Linear, LayerNormLinear and LayerNormMLP save the fp8
   * cast of each GEMM input for the weight gradient (linear.py, layernorm_mlp.py). */
  if (c->engine.framework == GM_FW_MEGATRON)
    return 1;
  /* torchao saves the high-precision input (matmul_with_hp_or_float8_args); under
   * torch.compile the partitioner keeps the fp8 cast instead when backward's cast is
   * the same one (one tensor-wide scale). Row-wise and MX scale the other axis in
   * backward, so the bf16 input stays. */
  return t->compile == 1 && (t->fp8 == GM_FP8_TENSORWISE || t->fp8 == GM_FP8_DELAYED);
}

/* Bytes per element of a saved linear input: 1 in fp8, else the compute dtype. */
static double linear_input_bytes(const gm_config *c) {
  return gm_fp8_saves_inputs(c) ? 1.0 : gm_act_bytes(c);
}

/* Bytes a norm keeps for backward, per token (its output is counted by the
 * matmul that reads it). Eager RMSNorm (Hugging Face style) keeps the fp32
 * upcast of its input (4h) and the normalised copy before the weight (A*h);
 * fused kernels and LayerNorm keep the input and a per-row statistic. */
static double norm_saved(const gm_config *c) {
  double h = c->model.hidden_size, A = gm_act_bytes(c);
  if (c->training.norm_impl == GM_NORMIMPL_EAGER && c->model.norm == GM_NORM_RMS)
    return 4.0 * h + A * h;
  if (c->training.precision == GM_PRECISION_AMP && c->model.norm == GM_NORM_LAYER)
    return 4.0 * h + 8.0; /* autocast runs layer_norm in fp32: it keeps an fp32 input copy */
  return A * h + 4.0;     /* input + fp32 rstd */
}

/* A norm over a latent of width n (MLA): eager keeps an fp32 copy too. */
static double latent_norm_saved(const gm_config *c, double n) {
  return (c->training.norm_impl == GM_NORMIMPL_EAGER ? 4.0 : 0.0) * n + gm_act_bytes(c) * n;
}

/* MLP intermediates saved per token, width f, before tensor parallelism. */
static double mlp_saved(const gm_config *c, double f) {
  double A = gm_act_bytes(c), in = linear_input_bytes(c);
  int fused = c->training.compile || c->engine.framework == GM_FW_MEGATRON;
  if (c->model.mlp == GM_MLP_GATED)
    /* gate g, up u, act(g), act(g)*u (the down projection's input); fused or
     * compiled kernels recompute act(g). */
    return (fused ? 2.0 : 3.0) * A * f + in * f;
  return A * f + in * f; /* fc1 output and activation output (fc2's input) */
}

/* Terms of one layer with nothing recomputed. moe selects an expert layer. */
static gm_act_terms full_terms(const gm_config *c, int moe) {
  const gm_model *m = &c->model;
  const gm_training *t = &c->training;
  gm_act_terms r = {0, 0, 0};
  double A = gm_act_bytes(c), h = m->hidden_size, in = linear_input_bytes(c);
  double ad = (double)m->num_attention_heads * m->head_dim;
  double kd =
      (t->gqa_expand_kv ? m->num_attention_heads : m->num_key_value_heads) * (double)m->head_dim;
  double extra_norms = m->norms_per_layer > 2 ? m->norms_per_layer - 2 : 0;
  /* Two pre-norms keep their input and feed a matmul that keeps their output;
   * sandwich norms (Gemma-2) feed the residual, so only their input counts. */
  r.replicated = 2.0 * (norm_saved(c) + in * h) + extra_norms * norm_saved(c);
  if (autocast_fp32_weights(c) && !m->fused_projections) {
    /* Autocast casts an activation anew for every linear that reads it: separate
     * Q, K, V projections keep three copies, separate gate and up two. */
    r.replicated += A * h * (2.0 + (m->mlp == GM_MLP_GATED ? 1.0 : 0.0));
  }
  if (t->hidden_dropout > 0)
    r.replicated += 2.0 * h; /* two 1-byte dropout masks */
  /* Attention: Q, K, V as the kernel saves them, and its output (the input
   * of the output projection). */
  r.split = A * (ad + 2.0 * kd) + in * ad;
  if (m->kv_lora_rank > 0) {
    /* Latent attention: the compressed KV (and Q) and their norms are kept
     * whole; per head, Q and K of the query-key size, the expanded KV
     * projection (which V views) and the output of the value size. */
    double a = m->num_attention_heads, ql = m->q_lora_rank, kl = m->kv_lora_rank;
    r.replicated += A * (kl + m->qk_rope_head_dim) + latent_norm_saved(c, kl) + A * kl;
    if (ql > 0)
      r.replicated += A * ql + latent_norm_saved(c, ql) + A * ql;
    r.split = A * a *
              (2.0 * (m->qk_nope_head_dim + m->qk_rope_head_dim) +
               (m->qk_nope_head_dim + m->v_head_dim) + m->v_head_dim);
  }
  if (t->attention == GM_ATTN_FLASH) {
    r.split += 4.0 * m->num_attention_heads; /* fp32 log-sum-exp per head */
  } else if (c->engine.framework == GM_FW_MEGATRON) {
    /* Fused softmax keeps its output; dropout keeps a mask and its output. */
    r.scores = (double)m->num_attention_heads * (A + (t->attention_dropout > 0 ? 1.0 + A : 0.0));
  } else {
    /* Hugging Face eager: the fp32 softmax output, a dropout mask, and the
     * probabilities the value matmul keeps (after dropout, in the compute dtype). */
    r.scores = (double)m->num_attention_heads * (4.0 + A + (t->attention_dropout > 0 ? 1.0 : 0.0));
  }
  if (!moe) {
    r.split += mlp_saved(c, (double)m->intermediate_size);
  } else {
    double k = m->experts_per_token;
    /* Each token is copied to k experts (dispatch and combine buffers) and
     * runs through each expert's MLP; fp32 router probabilities. */
    r.split += k * (mlp_saved(c, (double)m->moe_intermediate_size) + 2.0 * A * h);
    r.split += 4.0 * m->num_experts;
    if (m->shared_expert_intermediate_size > 0)
      r.split += mlp_saved(c, (double)m->shared_expert_intermediate_size);
  }
  return r;
}

gm_act_terms gm_layer_terms(const gm_config *c, int moe) {
  const gm_model *m = &c->model;
  const gm_training *t = &c->training;
  double A = gm_act_bytes(c), h = m->hidden_size;
  gm_act_terms r = full_terms(c, moe);
  switch (t->recompute) {
  case GM_AC_NONE:
    break;
  case GM_AC_SELECTIVE:
    if (t->selective_policy == GM_SEL_ATTENTION) {
      r.scores = 0; /* Korthikanti: the attention core is recomputed */
    } else {
      /* Per-op policy: the block input and the outputs of every other matmul
       * (wq, wv, w1, w2) and of the attention kernel are kept (torchtitan's
       * _custom_policy: every second aten.mm is recomputed). Eager checkpointing
       * stores each policy-saved output; a compiled block saves only what its
       * backward reads, and no backward reads w2's output (it only joins the
       * residual), so compile drops that h-wide tensor. */
      double ad = (double)m->num_attention_heads * m->head_dim;
      double gd = (double)m->num_key_value_heads * m->head_dim;
      double f = moe ? (double)m->moe_intermediate_size * m->experts_per_token
                     : (double)m->intermediate_size;
      r.replicated = (t->compile == 1 ? 1.0 : 2.0) * A * h;
      r.split = A * (ad + gd + ad + f) + 4.0 * m->num_attention_heads;
      if (gm_sac_recomputes_attention(c))
        /* cuDNN attention is not on the save list: its output and log-sum-exp
         * are recomputed in backward from the saved Q and V and a recomputed K. */
        r.split = A * (ad + gd + f);
      r.scores = 0;
    }
    break;
  case GM_AC_FULL:
    r.replicated = A * h; /* only the block input */
    r.split = 0;
    r.scores = 0;
    break;
  }
  return r;
}

/* Bytes on one GPU for one micro-batch from per-token terms. */
static double terms_bytes(const gm_config *c, gm_act_terms r) {
  double t = c->parallel.tp, T = gm_tokens_per_gpu(c);
  double rep = c->parallel.sequence_parallel ? r.replicated / t : r.replicated;
  /* Scores: every local query row holds a score for each key of the sequence. */
  double kv_len = (double)c->training.seq_len;
  return T * (rep + r.split / t + r.scores * kv_len / t);
}

double gm_layer_saved_bytes(const gm_config *c) { return terms_bytes(c, gm_layer_terms(c, 0)); }

double gm_moe_layer_saved_bytes(const gm_config *c) { return terms_bytes(c, gm_layer_terms(c, 1)); }

double gm_layer_full_bytes(const gm_config *c) {
  int moe = c->model.num_experts > 0;
  return terms_bytes(c, full_terms(c, moe));
}

/* The final norm and the output projection run outside the checkpointed
 * blocks, so their saved tensors stay whatever the recomputation: the norm keeps
 * its input, and the head keeps its input for the weight gradient. Under
 * sequence parallelism torchtitan's ColwiseParallel head gathers that input over
 * the sequence and autograd saves the gathered copy; Megatron's
 * ColumnParallelLinear saves its shard and gathers again in backward
 * (layers.py, LinearWithGradAccumulationAndAsyncCommunication). */
double gm_head_saved_bytes(const gm_config *c) {
  double t = c->parallel.tp, h = c->model.hidden_size;
  int sp = c->parallel.sequence_parallel;
  double norm = norm_saved(c) / (sp ? t : 1.0);
  double in = gm_act_bytes(c) * h / (sp && c->engine.framework == GM_FW_MEGATRON ? t : 1.0);
  return gm_tokens_per_gpu(c) * (norm + in);
}

/* The backward of one layer holds gradients of its activations while it
 * runs: the residual-stream gradient and two MLP-width gradients. */
double gm_layer_backward_bytes(const gm_config *c) {
  const gm_model *m = &c->model;
  double A = gm_act_bytes(c), T = gm_tokens_per_gpu(c), t = c->parallel.tp;
  double f = m->num_experts > 0 ? (double)m->moe_intermediate_size * m->experts_per_token
                                : (double)m->intermediate_size;
  double h_part = c->parallel.sequence_parallel ? m->hidden_size / t : m->hidden_size;
  double bytes = T * A * (2.0 * h_part + 2.0 * f / t);
  if (c->training.attention == GM_ATTN_EAGER) {
    /* Gradients of the probabilities and of the scores for one layer: fp32 in
     * Hugging Face code; Megatron's fused softmax backward works in place. */
    double per_score = c->engine.framework == GM_FW_MEGATRON ? 2.0 * A : 8.0;
    bytes += T * per_score * m->num_attention_heads * (double)c->training.seq_len / t;
  }
  if (c->parallel.cp > 1) {
    /* Ring attention's backward gathers K and V of the whole sequence and
     * accumulates dQ, dK, dV in fp32 (PyTorch context parallel, all-gather rotation). */
    double kd = (c->training.gqa_expand_kv ? m->num_attention_heads : m->num_key_value_heads) *
                (double)m->head_dim / t;
    double qd = (double)m->num_attention_heads * m->head_dim / t;
    double full = T * c->parallel.cp;
    bytes += full * A * 2.0 * kd + T * 4.0 * (qd + 2.0 * kd);
  }
  return bytes;
}

double gm_loss_bytes(const gm_config *c, double *bytes_per_logit) {
  double A = gm_act_bytes(c), per;
  double logits = gm_tokens_per_gpu(c) * (double)c->model.vocab_size / c->parallel.tp;
  if (c->model.num_labels > 0) /* one score per label for each sequence */
    logits = (double)c->training.micro_batch_size * c->model.num_labels;
  /* Peak bytes per logit while the loss and its gradient are alive, read from
   * each framework's loss code (docs/formulas.md, section 4, names the files)
   * and checked against the measured rows in tests/validation/rows. */
  switch (c->training.loss) {
  case GM_LOSS_KEEP_FP32:
    per = 16.0; /* bf16 logits, an fp32 copy kept in the outputs, log-softmax, its grad */
    break;
  case GM_LOSS_TP_PARALLEL:
    per = 16.0; /* DTensor loss_parallel: fp32 copies of the sharded logits and their grads */
    break;
  case GM_LOSS_VOCAB_PARALLEL:
    per = 6.0; /* Megatron: logits, fp32 exp in place, grad reuses the buffer */
    break;
  case GM_LOSS_VOCAB_PARALLEL_FUSED:
    /* Megatron's --cross-entropy-loss-fusion runs the same steps through
     * jit_fuser (torch.compile from PyTorch 2.2, megatron/core/jit.py): the
     * compiled calculate_predicted_logits cannot subtract and exponentiate in
     * place, so exp_logits is a new fp32 tensor beside the fp32 copy the
     * caller still holds until forward returns (fusions/fused_cross_entropy.py). */
    per = 10.0;
    break;
  case GM_LOSS_COMPILED:
    per = 4.0;
    break;
  case GM_LOSS_CHUNKED:
    per = A + 12.0 / 8.0; /* low-precision logits, one of 8 chunks in fp32 */
    break;
  default:
    per = 12.0; /* bf16 logits, fp32 upcast and log-softmax, fp32 grad */
  }
  if (c->training.dtype == GM_DTYPE_FP32 && per < 12.0 && c->training.loss != GM_LOSS_CHUNKED)
    per += 2.0; /* fp32 logits are twice the size */
  if (bytes_per_logit)
    *bytes_per_logit = per;
  return per * logits;
}
