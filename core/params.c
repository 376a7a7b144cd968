/* params.c - exact parameter counts from the architecture. Every product
 * and sum is checked (checked.h): a count beyond 64 bits is an error. */
#include "checked.h"
#include "internal.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static int64_t norm_params(const gm_model *m) {
  /* RMSNorm has a weight; LayerNorm a weight and a bias. */
  return m->norm == GM_NORM_LAYER ? 2 * (int64_t)m->hidden_size : (int64_t)m->hidden_size;
}

int64_t gm_layer_norm_params(const gm_model *m) {
  return (int64_t)m->norms_per_layer * norm_params(m);
}

/* DeepSeek multi-head latent attention: low-rank Q (optional) and a shared
 * compressed KV with its own norms, expanded per head. */
static int64_t mla_params(gm_checked *k, const gm_model *m) {
  int64_t h = m->hidden_size, a = m->num_attention_heads;
  int64_t qk = (int64_t)m->qk_nope_head_dim + m->qk_rope_head_dim, q = m->q_lora_rank;
  int64_t kv = m->kv_lora_rank, n = 0;
  if (q > 0)
    n = gm_add(k, gm_add(k, gm_mul(k, h, q), q), gm_mul3(k, q, a, qk));
  else
    n = gm_mul3(k, h, a, qk);
  n = gm_add(k, n, gm_add(k, gm_mul(k, h, kv + m->qk_rope_head_dim), kv));
  n = gm_add(k, n, gm_mul3(k, kv, a, (int64_t)m->qk_nope_head_dim + m->v_head_dim));
  return gm_add(k, n, gm_mul3(k, a, m->v_head_dim, h));
}

static int64_t attention_params(gm_checked *k, const gm_model *m) {
  int64_t h = m->hidden_size, q, kv, n;
  if (m->kv_lora_rank > 0)
    return mla_params(k, m);
  q = (int64_t)m->num_attention_heads * m->head_dim;
  kv = (int64_t)m->num_key_value_heads * m->head_dim;
  n = gm_add(k, gm_mul(k, 2 * h, q), gm_mul3(k, 2, h, kv)); /* Q and O; K and V */
  if (m->qkv_bias)
    n = gm_add(k, n, q + 2 * kv);
  if (m->attn_out_bias)
    n = gm_add(k, n, h);
  if (m->qk_norm)
    n = gm_add(k, n, 2 * (int64_t)m->head_dim); /* Qwen3: one RMSNorm weight per head dim */
  return n;
}

/* One MLP of width f: gated has gate, up and down; plain has up and down. */
static int64_t mlp_params(gm_checked *k, const gm_model *m, int64_t f) {
  int64_t h = m->hidden_size, mats = m->mlp == GM_MLP_GATED ? 3 : 2;
  int64_t bias = m->mlp_bias ? gm_add(k, gm_mul(k, mats - 1, f), h) : 0;
  return gm_add(k, gm_mul3(k, mats, h, f), bias);
}

static int64_t moe_mlp_params(gm_checked *k, const gm_model *m) {
  int64_t n = gm_mul(k, m->hidden_size, m->num_experts); /* router */
  if (m->router_bias)
    n = gm_add(k, n, m->num_experts);
  n = gm_add(k, n, gm_mul(k, m->num_experts, mlp_params(k, m, m->moe_intermediate_size)));
  if (m->shared_expert_intermediate_size > 0)
    n = gm_add(k, n, mlp_params(k, m, m->shared_expert_intermediate_size));
  if (m->shared_expert_gate)
    n = gm_add(k, n, m->hidden_size);
  return n;
}

/* The first field of m still GM_AUTO (negative), or NULL: counting an
 * unresolved model would give a total that looks right and is not. */
static const char *unresolved_field(const gm_model *m) {
  static const struct {
    const char *name;
    size_t offset;
    int wide; /* int64_t rather than int or enum */
  } fields[] = {
#define I(f) {"model." #f, offsetof(gm_model, f), 0}
#define W(f)                                                                                       \
  { "model." #f, offsetof(gm_model, f), 1 }
      I(num_key_value_heads),
      W(intermediate_size),
      W(max_position_embeddings),
      I(mlp),
      I(norm),
      I(position),
      I(norms_per_layer),
      I(qkv_bias),
      I(attn_out_bias),
      I(mlp_bias),
      I(qk_norm),
      I(tied_embeddings),
      I(num_experts),
      I(experts_per_token),
      W(moe_intermediate_size),
      I(num_shared_experts),
      W(shared_expert_intermediate_size),
      I(shared_expert_gate),
      I(first_dense_layers),
      I(num_labels),
      I(fused_projections),
      I(q_lora_rank),
      I(kv_lora_rank),
      I(qk_nope_head_dim),
      I(qk_rope_head_dim),
      I(v_head_dim),
      I(router_bias)
#undef I
#undef W
  };
  size_t i;
  _Static_assert(sizeof(gm_mlp_kind) == sizeof(int), "enums must be int-sized");
  for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    const char *at = (const char *)m + fields[i].offset;
    int64_t v;
    if (fields[i].wide) {
      memcpy(&v, at, sizeof v);
    } else {
      int iv;
      memcpy(&iv, at, sizeof iv);
      v = iv;
    }
    if (v < 0)
      return fields[i].name;
  }
  return NULL;
}

int gm_count_params(const gm_model *m, gm_params *out, gm_error *err) {
  gm_params p = {0};
  gm_checked k = {0};
  int64_t h = m->hidden_size, attn, norms, vocab_matrix;
  int moe_layers, dense_layers;
  const char *unresolved;
  if (m->num_layers <= 0 || m->hidden_size <= 0 || m->num_attention_heads <= 0 ||
      m->head_dim <= 0 || m->vocab_size <= 0) {
    snprintf(err->field, sizeof err->field, "model");
    snprintf(err->message, sizeof err->message,
             "the architecture is incomplete: num_layers, hidden_size, num_attention_heads and "
             "vocab_size must be positive");
    return GM_EINVAL;
  }
  if ((unresolved = unresolved_field(m)) != NULL) {
    snprintf(err->field, sizeof err->field, "%s", unresolved);
    snprintf(err->message, sizeof err->message,
             "is not resolved (GM_AUTO): apply the defaults with gm_resolve first");
    return GM_EINVAL;
  }
  attn = attention_params(&k, m);
  norms = gm_layer_norm_params(m);
  moe_layers = m->num_experts > 0 ? m->num_layers - m->first_dense_layers : 0;
  dense_layers = m->num_layers - moe_layers;
  p.per_layer_dense = gm_add(&k, gm_add(&k, attn, norms), mlp_params(&k, m, m->intermediate_size));
  if (moe_layers > 0) {
    p.per_layer_moe = gm_add(&k, gm_add(&k, attn, norms), moe_mlp_params(&k, m));
    p.expert_params_per_layer =
        gm_mul(&k, m->num_experts, mlp_params(&k, m, m->moe_intermediate_size));
  }
  vocab_matrix = gm_mul(&k, m->vocab_size, h);
  p.embedding = vocab_matrix;
  if (m->position == GM_POS_LEARNED)
    p.embedding = gm_add(&k, p.embedding, gm_mul(&k, m->max_position_embeddings, h));
  if (m->num_labels > 0) /* a classifier scores one token per sequence */
    p.output_head = h * m->num_labels + (m->attn_out_bias ? m->num_labels : 0);
  else
    p.output_head = m->tied_embeddings ? 0 : vocab_matrix;
  p.final_norm = norm_params(m);
  p.total = gm_add(&k, gm_mul(&k, dense_layers, p.per_layer_dense),
                   gm_mul(&k, moe_layers, p.per_layer_moe));
  p.total = gm_add(&k, p.total, gm_add(&k, gm_add(&k, p.embedding, p.output_head), p.final_norm));
  p.trainable = p.total;
  /* The largest unit an engine gathers at once: a layer, or the vocabulary matrix. */
  p.largest_layer = p.per_layer_dense > p.per_layer_moe ? p.per_layer_dense : p.per_layer_moe;
  if (vocab_matrix > p.largest_layer)
    p.largest_layer = vocab_matrix;
  p.active_per_token = p.total;
  if (moe_layers > 0 && m->experts_per_token < m->num_experts)
    p.active_per_token = gm_sub(&k, p.active_per_token,
                                gm_mul3(&k, moe_layers, m->num_experts - m->experts_per_token,
                                        mlp_params(&k, m, m->moe_intermediate_size)));
  /* The bound of model.num_parameters holds for counted models too (and
   * keeps every count exact in the doubles of the physics). */
  if (k.overflow || p.total > GM_MAX_PARAMS) {
    snprintf(err->field, sizeof err->field, "model");
    snprintf(err->message, sizeof err->message,
             "the architecture has more than 10^15 parameters, the most a model may have; check "
             "the sizes (num_layers, hidden_size, intermediate_size, num_experts, vocab_size)");
    return GM_EINVAL;
  }
  *out = p;
  return GM_OK;
}

/* The weight matrices of one layer as (rows, cols, count), for adapters and
 * factored optimizers. Returns how many entries were written. */
typedef struct {
  int64_t in, out, count;
} matrix;

static int layer_matrices(const gm_model *m, matrix *mx, int moe) {
  int64_t h = m->hidden_size;
  int64_t q = (int64_t)m->num_attention_heads * m->head_dim;
  int64_t kv = (int64_t)m->num_key_value_heads * m->head_dim;
  int64_t f = moe ? m->moe_intermediate_size : m->intermediate_size;
  int64_t experts = moe ? m->num_experts : 1; /* at most 65536: the counts below fit */
  int n = 0;
  mx[n++] = (matrix){h, q, 1};                                          /* q */
  mx[n++] = (matrix){h, kv, 1};                                         /* k */
  mx[n++] = (matrix){h, kv, 1};                                         /* v */
  mx[n++] = (matrix){q, h, 1};                                          /* o */
  mx[n++] = (matrix){h, f, experts * (m->mlp == GM_MLP_GATED ? 2 : 1)}; /* gate, up */
  mx[n++] = (matrix){f, h, experts};                                    /* down */
  return n;
}

/* Both counts below saturate at INT64_MAX, which no byte figure accepts. */
int64_t gm_lora_params(const gm_config *c) {
  const gm_model *m = &c->model;
  matrix mx[8];
  gm_checked k = {0};
  int64_t r = c->training.lora_rank, total = 0;
  int layers[2] = {0, 0}, kind, i, n;
  layers[1] = m->num_experts > 0 ? m->num_layers - m->first_dense_layers : 0;
  layers[0] = m->num_layers - layers[1];
  for (kind = 0; kind < 2; kind++) {
    int64_t per = 0;
    if (layers[kind] == 0)
      continue;
    n = layer_matrices(m, mx, kind);
    for (i = 0; i < n; i++) {
      /* q,v only (i == 0, 2) unless every linear is adapted. */
      if (!c->training.lora_all_linear && i != 0 && i != 2)
        continue;
      per = gm_add(&k, per, gm_mul3(&k, mx[i].count, r, mx[i].in + mx[i].out));
    }
    total = gm_add(&k, total, gm_mul(&k, per, layers[kind]));
  }
  return k.overflow ? INT64_MAX : total;
}

int64_t gm_adafactor_elems(const gm_model *m) {
  matrix mx[8];
  gm_checked k = {0};
  int64_t total = 0, per;
  int layers[2], kind, i, n;
  layers[1] = m->num_experts > 0 ? m->num_layers - m->first_dense_layers : 0;
  layers[0] = m->num_layers - layers[1];
  for (kind = 0; kind < 2; kind++) {
    if (layers[kind] == 0)
      continue;
    n = layer_matrices(m, mx, kind);
    per = gm_layer_norm_params(m);
    for (i = 0; i < n; i++)
      per = gm_add(&k, per, gm_mul(&k, mx[i].count, mx[i].in + mx[i].out)); /* row, column */
    total = gm_add(&k, total, gm_mul(&k, per, layers[kind]));
  }
  /* Embedding (and untied head): one row and one column statistic each. */
  total = gm_add(&k, total, (m->vocab_size + m->hidden_size) * (m->tied_embeddings ? 1 : 2));
  return k.overflow ? INT64_MAX : total;
}

int64_t gm_largest_matrix(const gm_model *m) {
  int64_t v = m->vocab_size * m->hidden_size;
  int64_t f = m->intermediate_size > m->moe_intermediate_size ? m->intermediate_size
                                                              : m->moe_intermediate_size;
  int64_t mlp = f * m->hidden_size;
  return v > mlp ? v : mlp;
}
