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
    double g = pp->microbatch_group > 0 ? pp->microbatch_group : p;
    double chunks = (double)(p - r - 1) * 2 + (double)(v - 1) * g + 1;
    if (chunks > m_mb * v)
      chunks = m_mb * v;
    return chunks / v; /* in units of this rank's whole layer set */
  }
  return (double)(p - r) < m_mb ? (double)(p - r) : m_mb;
}

/* The model chunk of the k-th forward of the interleaved schedule: groups of
 * g micro-batches run chunk 0, then chunk 1, ...; the last group takes the
 * remaining micro-batches (Megatron-LM pipeline_parallel/schedules.py,
 * get_schedule_table). */
static int chunk_of(int64_t k, int64_t m, int64_t g, int v) {
  int64_t last = (m - 1) / g * g; /* first micro-batch of the last group */
  if (k < last * v)
    return (int)(k % (g * v) / g);
  return (int)((k - last * v) / (m - last));
}

/* Layer-micro-batches alive at the peak of the interleaved schedule on rank r
 * when its chunks hold different numbers of layers (uneven splits, Megatron-LM's
 * embedding / loss accounting, where a chunk may hold no layer). After
 * (p - r - 1) x 2 + (v - 1) x g warmup forwards each step runs one forward and
 * the backward of the oldest, whose chunks come in reverse order (schedules.py,
 * get_pp_rank_microbatches; PyTorch's ScheduleInterleaved1F1B with g = p).
 * Steps repeat every g x v within the full groups: two periods and the last
 * group hold the peak. */
static double interleaved_alive(const gm_parallel *pp, int r, const int count[]) {
  int p = pp->pp, v = pp->vpp, j;
  int64_t m = pp->num_microbatches, g = pp->microbatch_group > 0 ? pp->microbatch_group : p;
  int64_t total = m * v, warmup = (int64_t)(p - r - 1) * 2 + (int64_t)(v - 1) * g, k = 0, i;
  int64_t round, full, period, tail;
  double alive = 0, peak, per_round = 0;
  if (g > m)
    g = m;
  round = g * v;              /* one group through every chunk */
  full = (m - 1) / g * g * v; /* forwards before the last group */
  period = 2 * round, tail = total - warmup - 2 * period;
  if (round > 1000000)
    return -1; /* too long to follow: the caller counts equal shares */
  if (warmup > total)
    warmup = total;
  for (j = 0; j < v; j++)
    per_round += (double)g * count[j];
  /* Whole rounds of the warmup add every chunk g times. */
  k = (warmup < full ? warmup : full) / round * round;
  alive = (double)(k / round) * per_round;
  for (; k < warmup; k++)
    alive += count[chunk_of(k, m, g, v)];
  peak = alive;
  for (i = 0; warmup + i < total; i++) {
    if (i == period && tail > period)
      /* Skip whole rounds: every step adds and removes the same chunks. */
      i += (tail - period) / round * round;
    alive += count[chunk_of(warmup + i, m, g, v)];
    if (alive > peak)
      peak = alive;
    alive -= count[v - 1 - chunk_of(i, m, g, v)];
  }
  return peak;
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
  /* Uneven chunks: the interleaved peak follows the micro-batches' order itself. */
  if (c->parallel.schedule == GM_SCHED_INTERLEAVED && c->parallel.vpp > 1 && m1 != m2)
    for (r = 0; r < c->parallel.pp; r++) {
      int first[GM_MAX_CHUNKS], count[GM_MAX_CHUNKS], n = gm_stage_chunks(c, r, first, count), j;
      for (j = 1; j < n; j++)
        if (count[j] != count[0])
          return 0;
    }
  for (r = 0; r < c->parallel.pp; r++)
    if (inflight_of(&a.parallel, r, (double)m1) != inflight_of(&b.parallel, r, (double)m2))
      return 0;
  return 1;
}

gm_shape gm_stage_shape(const gm_config *c, const gm_params *P, int r) {
  gm_shape s = gm_stage_layout(c, P, r);
  gm_stage_acts(c, &s);
  return s;
}

/* The parameters part of gm_stage_layout: the layers of rank r (count[],
 * one per chunk, returned), its parameters, largest chunk and trainable share. */
static int stage_params(const gm_config *c, const gm_params *P, int r, gm_shape *s, int count[]) {
  int first[GM_MAX_CHUNKS], chunk_moe[GM_MAX_CHUNKS];
  double dense_layer, moe_layer;
  const gm_model *m = &c->model;
  const gm_parallel *pp = &c->parallel;
  int p = pp->pp, L = m->num_layers, j;
  double t = pp->tp, e = pp->ep, vocab = (double)m->vocab_size, h = m->hidden_size;
  double norms = (double)gm_layer_norm_params(m);
  int n = gm_stage_chunks(c, r, first, count);
  memset(s, 0, sizeof *s);
  s->first_layer = first[0];
  for (j = 0; j < n; j++) {
    /* The chunk's layers from first_dense_layers on are expert layers. */
    int from = first[j] > m->first_dense_layers ? first[j] : m->first_dense_layers;
    chunk_moe[j] =
        m->num_experts > 0 && first[j] + count[j] > from ? first[j] + count[j] - from : 0;
    s->layers += count[j];
    s->moe_layers += chunk_moe[j];
  }
  s->has_emb = r == 0;
  s->has_head = r == p - 1;
  /* Megatron pads the vocabulary to a multiple of 128 x TP. */
  if (c->engine.kind == GM_ENGINE_MEGATRON || c->engine.kind == GM_ENGINE_MEGATRON_DEEPSPEED)
    vocab = ceil(vocab / (128.0 * t)) * 128.0 * t;
  /* TP splits the linears; norms stay whole. Experts split by EP (and TP). */
  dense_layer = ((double)P->per_layer_dense - norms) / t + norms;
  moe_layer = 0;
  if (P->per_layer_moe > 0) {
    double experts = (double)P->expert_params_per_layer;
    moe_layer = ((double)P->per_layer_moe - norms - experts) / t + norms + experts / (e * t);
    s->expert_params = s->moe_layers * experts / (e * t);
  }
  s->params = (s->layers - s->moe_layers) * dense_layer + s->moe_layers * moe_layer;
  s->unit_params = s->layers - s->moe_layers > 0 ? dense_layer : moe_layer;
  if (s->moe_layers > 0 && moe_layer > s->unit_params)
    s->unit_params = moe_layer;
  {
    /* Vocabulary matrices split over TP; a learned position table does not. */
    double pos = m->position == GM_POS_LEARNED ? (double)m->max_position_embeddings * h : 0;
    double token = (double)P->embedding - pos, pad = vocab / (double)m->vocab_size;
    if (s->has_emb) {
      s->emb_params = token * pad / t + pos;
      s->params += s->emb_params;
    }
    if (s->has_head) {
      /* Tied weights share the embedding on one stage; a separate last stage keeps a copy. */
      if (m->num_labels > 0)
        s->head_params = (double)P->output_head;
      else if (!m->tied_embeddings)
        s->head_params = (double)P->output_head * pad / t;
      else if (p > 1)
        s->head_params = token * pad / t;
      s->params += s->head_params + (double)P->final_norm;
    }
  }
  /* The embedding opens the rank's first chunk and the head closes its last. */
  for (j = 0; j < n; j++) {
    double chunk = (count[j] - chunk_moe[j]) * dense_layer + chunk_moe[j] * moe_layer;
    if (j == 0)
      chunk += s->emb_params;
    if (j == n - 1 && s->has_head)
      chunk += s->head_params + (double)P->final_norm;
    if (chunk > s->chunk_params_max)
      s->chunk_params_max = chunk;
  }
  /* Trainable share: all, or this GPU's part of the adapters. */
  if (c->training.finetune == GM_FT_FULL) {
    s->trainable = s->params;
    s->trainable_expert = s->expert_params;
  } else {
    s->trainable = (double)gm_lora_params(c) * s->layers / L / t;
    s->trainable_expert = 0;
  }
  return n;
}

void gm_stage_params(const gm_config *c, const gm_params *P, int r, gm_shape *s) {
  int count[GM_MAX_CHUNKS];
  stage_params(c, P, r, s, count);
}

/* The in-flight part of gm_stage_layout: s's inflight and inflight_mbs from
 * its layers and the rank's chunks (n of them, count[]; found when n < 0). */
static void stage_inflight(const gm_config *c, int r, int n, int count[], gm_shape *s) {
  const gm_parallel *pp = &c->parallel;
  int p = pp->pp;
  s->inflight = inflight_of(pp, r, (double)pp->num_microbatches);
  if (pp->schedule == GM_SCHED_INTERLEAVED && p > 1 && pp->vpp > 1 && pp->vpp <= GM_MAX_CHUNKS &&
      s->layers > 0) {
    double alive;
    if (n < 0) {
      int first[GM_MAX_CHUNKS];
      n = gm_stage_chunks(c, r, first, count);
    }
    alive = n == pp->vpp ? interleaved_alive(pp, r, count) : -1;
    if (alive >= 0)
      s->inflight = alive / s->layers;
  }
  s->inflight_mbs = ceil(s->inflight);
}

gm_shape gm_stage_layout(const gm_config *c, const gm_params *P, int r) {
  gm_shape s;
  int count[GM_MAX_CHUNKS];
  int n = stage_params(c, P, r, &s, count);
  stage_inflight(c, r, n, count, &s);
  return s;
}

/* Activations of s from the saved bytes of one dense and one expert layer. */
static double acts_of(const gm_shape *s, double dense, double moe) {
  return s->inflight * ((s->layers > s->moe_layers ? (s->layers - s->moe_layers) * dense : 0.0) +
                        (s->moe_layers > 0 ? s->moe_layers * moe : 0.0));
}

/* What backward adds while one layer runs: its gradients, and the layer being recomputed. */
static double working_of(const gm_config *c) {
  double working = gm_layer_backward_bytes(c);
  if (c->training.recompute != GM_AC_NONE)
    working += gm_layer_full_bytes(c);
  return working;
}

void gm_stage_acts(const gm_config *c, gm_shape *s) {
  /* Each kind of layer only where the stage has some: the searches call this per stage. */
  s->acts_bytes = acts_of(s, s->layers > s->moe_layers ? gm_layer_saved_bytes(c) : 0.0,
                          s->moe_layers > 0 ? gm_moe_layer_saved_bytes(c) : 0.0);
  s->working_bytes = working_of(c);
}

void gm_shape_memo_clear(gm_shape_memo *m) {
  size_t j, k;
  memset(m->have, 0, sizeof m->have);
  m->layer_at = -1;
  m->group_now = -1;
  for (j = 0; j < 2; j++)
    for (k = 0; k < 3; k++)
      m->base[j][k].have = 0;
}

void gm_shape_memo_restep(gm_shape_memo *m, const gm_config *c) {
  int r, p = c->parallel.pp < GM_MAX_STAGES ? c->parallel.pp : GM_MAX_STAGES;
  size_t j, k;
  /* The layers' key clears both changes (gm_layer_key): the layer entry and
   * group stand. The stages' memory read them: cleared. */
  for (j = 0; j < 2; j++)
    for (k = 0; k < 3; k++)
      m->base[j][k].have = 0;
  for (r = 0; r < p; r++)
    if (m->have[r]) {
      int count[GM_MAX_CHUNKS];
      stage_inflight(c, r, -1, count, &m->shape[r]);
    }
}

void gm_shape_memo_init(gm_shape_memo *m) {
  size_t j;
  gm_shape_memo_clear(m);
  for (j = 0; j < sizeof m->layer / sizeof m->layer[0]; j++)
    m->layer[j].have = 0;
  m->layer_next = m->group_next = 0;
}

void gm_layer_key(const gm_config *c, gm_config *key) {
  *key = *c;
  memset(&key->parallel, 0, sizeof key->parallel);
  key->parallel.tp = c->parallel.tp;
  key->parallel.cp = c->parallel.cp;
  key->parallel.sequence_parallel = c->parallel.sequence_parallel;
  key->training.gradient_accumulation_steps = 0;
  key->engine.offload_optimizer = key->engine.offload_param = GM_OFFLOAD_NONE;
  key->engine.reshard_after_forward = 0;
  key->hardware.num_gpus = 0;
}

/* Whether entry k's key is key but in the recompute mode and micro-batch. */
static int same_group(const gm_config *k, gm_config *key) {
  gm_recompute rc = key->training.recompute;
  int64_t b = key->training.micro_batch_size;
  int same;
  key->training.recompute = k->training.recompute;
  key->training.micro_batch_size = k->training.micro_batch_size;
  same = memcmp(k, key, sizeof *key) == 0;
  key->training.recompute = rc, key->training.micro_batch_size = b;
  return same;
}

/* The layer entry of c: kept, or made (its bytes then computed as asked).
 * Between clears the configs differ only in the recompute mode, the
 * micro-batch and offloading (which the key clears): once the group of
 * one of them is known, the others are looked up in it by those two. */
static gm_layer_memo *layer_of(gm_shape_memo *m, const gm_config *c) {
  int n = (int)(sizeof m->layer / sizeof m->layer[0]), j;
  gm_config key;
  gm_layer_memo *e;
  if (m->group_now >= 0) {
    for (j = 0; j < n; j++)
      if (m->layer[j].have && m->layer[j].group == m->group_now &&
          m->layer[j].key.training.recompute == c->training.recompute &&
          m->layer[j].key.training.micro_batch_size == c->training.micro_batch_size)
        return &m->layer[j];
    gm_layer_key(c, &key);
  } else {
    gm_layer_key(c, &key);
    for (j = 0; j < n; j++) {
      const gm_config *k = &m->layer[j].key;
      /* The fields that tell the layouts of one search apart, first. */
      if (m->layer[j].have && k->training.recompute == key.training.recompute &&
          k->training.micro_batch_size == key.training.micro_batch_size &&
          k->parallel.tp == key.parallel.tp && k->parallel.cp == key.parallel.cp &&
          k->parallel.sequence_parallel == key.parallel.sequence_parallel &&
          memcmp(k, &key, sizeof key) == 0) {
        m->group_now = m->layer[j].group;
        return &m->layer[j];
      }
    }
    for (j = 0; j < n && m->group_now < 0; j++)
      if (m->layer[j].have && same_group(&m->layer[j].key, &key))
        m->group_now = m->layer[j].group;
    if (m->group_now < 0)
      m->group_now = m->group_next++;
  }
  j = m->layer_next, m->layer_next = (j + 1) % n;
  e = &m->layer[j];
  e->have = 1;
  e->group = m->group_now;
  e->key = key;
  e->dense_saved = e->moe_saved = -1;
  e->working = working_of(c);
  return e;
}

const gm_shape *gm_stage_layout_memo(gm_shape_memo *m, const gm_config *c, const gm_params *P,
                                     int r) {
  if (!m->have[r]) {
    m->shape[r] = gm_stage_layout(c, P, r);
    m->have[r] = 1;
  }
  return &m->shape[r];
}

const gm_shape *gm_stage_shape_memo(gm_shape_memo *m, const gm_config *c, const gm_params *P,
                                    int r) {
  gm_shape *s;
  gm_layer_memo *e;
  /* Set in place, no copy: the layout's readers (gm_stage_memory_base,
   * gm_first_stage_floor) read neither of the two fields set below. */
  (void)gm_stage_layout_memo(m, c, P, r);
  s = &m->shape[r];
  /* A layer's saved and working bytes read the recompute mode and the
   * micro-batch, not the stage nor offloading: looked up once for the stages of one evaluation. */
  if (m->layer_at < 0 || m->layer_recompute != c->training.recompute ||
      m->layer_micro_batch != c->training.micro_batch_size) {
    m->layer_at = (int)(layer_of(m, c) - m->layer);
    m->layer_recompute = c->training.recompute;
    m->layer_micro_batch = c->training.micro_batch_size;
  }
  e = &m->layer[m->layer_at];
  s->working_bytes = e->working;
  if (s->layers > s->moe_layers && e->dense_saved < 0)
    e->dense_saved = gm_layer_saved_bytes(c);
  if (s->moe_layers > 0 && e->moe_saved < 0)
    e->moe_saved = gm_moe_layer_saved_bytes(c);
  s->acts_bytes = acts_of(s, e->dense_saved, e->moe_saved);
  return s;
}
