/* stages.c - where the layers, parameters and micro-batches of each pipeline stage sit. */
#include "internal.h"

#include <math.h>
#include <string.h>

/* Micro-batches whose activations are alive at once on rank r, of m_mb per
 * step (1F1B: p - r on rank r). */
static double inflight_of(const gm_parallel *pp, int r, double m_mb) {
  int p = pp->pp, v = pp->vpp;
  if (p == 1)
    return 1;
  if (pp->schedule == GM_SCHED_GPIPE)
    return m_mb;
  if (pp->schedule == GM_SCHED_INTERLEAVED) {
    double chunks = (double)(p - r - 1) * 2 + (double)(v - 1) * p + 1;
    if (chunks > m_mb * v)
      chunks = m_mb * v;
    return chunks / v; /* in units of this rank's whole layer set */
  }
  return (double)(p - r) < m_mb ? (double)(p - r) : m_mb;
}

int gm_accumulates(const gm_config *c) {
  return c->training.gradient_accumulation_steps > 1 || c->parallel.num_microbatches > 1;
}

int gm_same_schedule_memory(const gm_config *c, int64_t ga1, int64_t m1, int64_t ga2, int64_t m2) {
  gm_config a = *c, b = *c;
  int r;
  a.training.gradient_accumulation_steps = ga1, a.parallel.num_microbatches = m1;
  b.training.gradient_accumulation_steps = ga2, b.parallel.num_microbatches = m2;
  if (gm_accumulates(&a) != gm_accumulates(&b))
    return 0;
  /* torch.distributed.pipelining keeps buffers per micro-batch of the step
   * (components.c, torch_pipeline): its memory follows their number itself. */
  if (c->parallel.pp > 1 && c->engine.framework == GM_FW_TORCHTITAN && m1 != m2)
    return 0;
  for (r = 0; r < c->parallel.pp; r++)
    if (inflight_of(&a.parallel, r, (double)m1) != inflight_of(&b.parallel, r, (double)m2))
      return 0;
  return 1;
}

/* Stage r's layers, parameters and in-flight micro-batches. */
gm_shape gm_stage_shape(const gm_config *c, const gm_params *P, int r) {
  const gm_model *m = &c->model;
  const gm_parallel *pp = &c->parallel;
  gm_shape s;
  int p = pp->pp, L = m->num_layers, j, l;
  double t = pp->tp, e = pp->ep, vocab = (double)m->vocab_size, h = m->hidden_size;
  double norms = (double)gm_layer_norm_params(m), dense_layer, moe_layer;
  memset(&s, 0, sizeof s);
  {
    int first[GM_MAX_CHUNKS], count[GM_MAX_CHUNKS], n = gm_stage_chunks(c, r, first, count);
    s.first_layer = first[0];
    for (j = 0; j < n; j++) {
      s.layers += count[j];
      for (l = first[j]; l < first[j] + count[j]; l++)
        s.moe_layers += (m->num_experts > 0 && l >= m->first_dense_layers);
    }
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
  s.inflight = inflight_of(pp, r, (double)pp->num_microbatches);
  s.inflight_mbs = ceil(s.inflight);
  /* Each kind of layer evaluated only when the stage has one: the searches call this often. */
  s.acts_bytes =
      s.inflight *
      ((s.layers > s.moe_layers ? (s.layers - s.moe_layers) * gm_layer_saved_bytes(c) : 0) +
       (s.moe_layers > 0 ? s.moe_layers * gm_moe_layer_saved_bytes(c) : 0));
  return s;
}
