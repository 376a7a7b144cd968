/* hf_config.c - one model object: native keys or a pasted Hugging Face
 * config.json (mapped by model_type). Presets are such objects too, applied
 * at build time (scripts/gen_models.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The model section's keys and their Hugging Face spellings are rows of
 * core/schema.c; this file adds what a model object implies beyond its keys. */

/* Keys only a Hugging Face config.json has: their presence means the object
 * is one, whose many keys without a memory effect are ignored silently. */
static const char *const hf_only[] = {"model_type",
                                      "architectures",
                                      "num_hidden_layers",
                                      "n_layer",
                                      "n_embd",
                                      "n_head",
                                      "n_inner",
                                      "n_positions",
                                      "num_local_experts",
                                      "n_routed_experts",
                                      "n_shared_experts",
                                      "first_k_dense_replace",
                                      "rms_norm_eps",
                                      "layer_norm_eps",
                                      "layer_norm_epsilon",
                                      "hidden_act",
                                      "hidden_activation",
                                      "activation_function",
                                      "decoder_sparse_step",
                                      "mlp_only_layers",
                                      "torch_dtype",
                                      "transformers_version",
                                      "rope_theta",
                                      "bos_token_id",
                                      "eos_token_id",
                                      NULL};

/* What a model_type implies beyond its config.json keys (the Hugging Face
 * modeling files: which linears have biases, norms, tying defaults). */
typedef struct {
  const char *type;
  gm_mlp_kind mlp;
  gm_norm_kind norm;
  gm_pos_kind position;
  int qkv_bias, out_bias, mlp_bias, qk_norm, tied, norms_per_layer, shared_gate;
} hf_rules;

/* clang-format off */
static const hf_rules rules_table[] = {
    /* type       mlp           norm           position        qkv out mlp qk  tie norms gate */
    {"llama",     GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    0,  0,  0,  0,  0,  2,    0},
    {"mistral",   GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    0,  0,  0,  0,  0,  2,    0},
    {"mixtral",   GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    0,  0,  0,  0,  0,  2,    0},
    {"phi3",      GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    0,  0,  0,  0,  0,  2,    0},
    {"qwen2",     GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    1,  0,  0,  0,  0,  2,    0},
    {"qwen2_moe", GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    1,  0,  0,  0,  0,  2,    1},
    {"qwen3",     GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    0,  0,  0,  1,  0,  2,    0},
    {"qwen3_moe", GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    0,  0,  0,  1,  0,  2,    0},
    {"gemma",     GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    0,  0,  0,  0,  1,  2,    0},
    {"gemma2",    GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    0,  0,  0,  0,  1,  4,    0},
    {"gpt2",      GM_MLP_PLAIN, GM_NORM_LAYER, GM_POS_LEARNED, 1,  1,  1,  0,  1,  2,    0},
    {"gpt_neox",  GM_MLP_PLAIN, GM_NORM_LAYER, GM_POS_ROPE,    1,  1,  1,  0,  0,  2,    0},
    {"deepseek_v2", GM_MLP_GATED, GM_NORM_RMS, GM_POS_ROPE,    0,  0,  0,  0,  0,  2,    0},
    {"deepseek_v3", GM_MLP_GATED, GM_NORM_RMS, GM_POS_ROPE,    0,  0,  0,  0,  0,  2,    0},
    /* any other model_type: Llama-like */
    {NULL,        GM_MLP_GATED, GM_NORM_RMS,   GM_POS_ROPE,    0,  0,  0,  0,  0,  2,    0}};
/* clang-format on */

/* The members the rules below look at, found in one pass over the object. */
enum {
  K_MODEL_TYPE,
  K_N_EMBD,
  K_ATTENTION_BIAS,
  K_ATTENTION_OUT_BIAS,
  K_NORM,
  K_RMS_NORM_EPS,
  K_LAYER_NORM_EPS,
  K_LAYER_NORM_EPSILON,
  K_DECODER_SPARSE_STEP,
  K_MLP_ONLY_LAYERS,
  K_TASK,
  K_ARCHITECTURES,
  K_NUM_LABELS,
  K_ID2LABEL,
  K_COUNT
};

static const char *const wanted[K_COUNT] = {"model_type",
                                            "n_embd",
                                            "attention_bias",
                                            "attention_out_bias",
                                            "norm",
                                            "rms_norm_eps",
                                            "layer_norm_eps",
                                            "layer_norm_epsilon",
                                            "decoder_sparse_step",
                                            "mlp_only_layers",
                                            "task",
                                            "architectures",
                                            "num_labels",
                                            "id2label"};

typedef struct {
  const cJSON *v[K_COUNT]; /* the first member of each name; NULL when absent or null */
  int hf;                  /* a non-null key only a Hugging Face config.json has */
} model_keys;

static void find_keys(const cJSON *obj, model_keys *k) {
  const cJSON *v;
  const char *const *h;
  unsigned seen = 0;
  int i;
  memset(k, 0, sizeof *k);
  cJSON_ArrayForEach(v, obj) {
    const char *name = v->string;
    if (!name)
      continue;
    for (i = 0; i < K_COUNT; i++)
      if (wanted[i][0] == name[0] && !(seen & 1u << i) && strcmp(wanted[i], name) == 0) {
        seen |= 1u << i;
        k->v[i] = cJSON_IsNull(v) ? NULL : v;
      }
    if (!k->hf && !cJSON_IsNull(v))
      for (h = hf_only; *h; h++)
        if ((*h)[0] == name[0] && strcmp(*h, name) == 0)
          k->hf = 1;
  }
}

/* The rules of type; the last (Llama-like) entry when type is unknown. */
static const hf_rules *find_rules(const char *type, int *known) {
  const hf_rules *r = rules_table;
  for (; r->type; r++)
    if (strcmp(r->type, type) == 0)
      break;
  *known = r->type != NULL;
  return r;
}

static void apply_rules(const hf_rules *r, gm_model *m) {
  /* GPT-2 (c_attn), GPT-NeoX (query_key_value) and Phi-3 (qkv_proj, gate_up_proj)
   * compute their projections as one matmul. */
  /* DeepSeek-V3's router carries a score-correction bias per expert. */
  m->router_bias = r->type && strcmp(r->type, "deepseek_v3") == 0;
  m->fused_projections =
      r->type && (strcmp(r->type, "gpt2") == 0 || strcmp(r->type, "gpt_neox") == 0 ||
                  strcmp(r->type, "phi3") == 0);
  m->mlp = r->mlp;
  m->norm = r->norm;
  m->position = r->position;
  m->qkv_bias = r->qkv_bias;
  m->attn_out_bias = r->out_bias;
  m->mlp_bias = r->mlp_bias;
  m->qk_norm = r->qk_norm;
  m->tied_embeddings = r->tied;
  m->norms_per_layer = r->norms_per_layer;
  m->shared_expert_gate = r->shared_gate;
}

/* Qwen-MoE place dense layers by decoder_sparse_step and mlp_only_layers;
 * gm_model knows only leading dense layers, which keeps the count exact. */
static int moe_layout(gm_parse_ctx *c, const model_keys *k, gm_model *m) {
  const cJSON *step_v = k->v[K_DECODER_SPARSE_STEP], *list = k->v[K_MLP_ONLY_LAYERS];
  const cJSON *v;
  unsigned char *listed;
  int step = 1, i, dense = 0, leading = 1,
      first = m->first_dense_layers > 0 ? m->first_dense_layers : 0;
  char got[64];
  if (!step_v && !list)
    return GM_OK;
  if (step_v && gm_read_int32(c, step_v, "model.decoder_sparse_step", 1, 100000, &step) != GM_OK)
    return GM_EINVAL;
  if (list && !cJSON_IsArray(list)) {
    gm_describe(list, got, sizeof got);
    return gm_fail(c, "model.mlp_only_layers", "must be an array of layer indices; got %s", got);
  }
  if (m->num_experts <= 0 || m->num_layers <= 0)
    return GM_OK; /* dense, or no layer count to place them in */
  /* One flag per layer keeps this linear in the list and the layers. */
  listed = calloc((size_t)m->num_layers, 1);
  if (!listed)
    return gm_fail(c, "model.mlp_only_layers", "out of memory");
  cJSON_ArrayForEach(v, list) {
    if (gm_read_int32(c, v, "model.mlp_only_layers", 0, m->num_layers - 1, &i) != GM_OK) {
      free(listed);
      return GM_EINVAL;
    }
    listed[i] = 1;
  }
  for (i = 0; i < m->num_layers; i++) {
    if (i < first || (i + 1) % step != 0 || listed[i]) {
      if (i != dense)
        leading = 0;
      dense++;
    }
  }
  free(listed);
  m->first_dense_layers = dense;
  if (!leading)
    gm_warn(c->sink, list ? "model.mlp_only_layers" : "model.decoder_sparse_step",
            "%d dense layers are counted as the first %d: the parameter total is exact, the "
            "split across pipeline stages approximate",
            dense, dense);
  return GM_OK;
}

/* The head: a language model's vocabulary projection, or a sequence
 * classifier (`task`, or a Hugging Face *ForSequenceClassification). */
static int parse_task(gm_parse_ctx *c, const model_keys *k, gm_model *m) {
  const cJSON *task = k->v[K_TASK], *arch = k->v[K_ARCHITECTURES], *labels, *v;
  int classify = -1;
  if (task && gm_read_enum(c, task, "model.task", gm_task_names, &classify) != GM_OK)
    return GM_EINVAL;
  if (classify < 0 && cJSON_IsArray(arch)) {
    cJSON_ArrayForEach(v, arch) {
      if (cJSON_IsString(v) && strstr(v->valuestring, "ForSequenceClassification"))
        classify = 1;
    }
  }
  if (classify == 0 || (classify < 0 && k->v[K_NUM_LABELS])) {
    m->num_labels = 0; /* labels alone do not make a classifier */
  } else if (classify == 1 && m->num_labels <= 0) {
    labels = k->v[K_ID2LABEL];
    m->num_labels =
        cJSON_IsObject(labels) && cJSON_GetArraySize(labels) > 0 ? cJSON_GetArraySize(labels) : 2;
  }
  return GM_OK;
}

int gm_apply_model_object(gm_parse_ctx *c, const cJSON *obj, gm_model *m) {
  model_keys k;
  const cJSON *type;
  int known = 0;
  char got[64];
  find_keys(obj, &k);
  type = k.v[K_MODEL_TYPE];
  if (type) {
    if (!cJSON_IsString(type)) {
      gm_describe(type, got, sizeof got);
      return gm_fail(c, "model.model_type", "must be a string; got %s", got);
    }
    apply_rules(find_rules(type->valuestring, &known), m);
    if (!known) {
      gm_describe(type, got, sizeof got);
      gm_warn(c->sink, "model.model_type",
              "unknown model_type %s: counted as a Llama-style model (gated MLP, RMSNorm, no "
              "biases); check parameters.total against the checkpoint",
              got);
    }
  }
  if (!type && k.v[K_N_EMBD]) {
    /* GPT-2's own key names: its rules, not Llama's. */
    apply_rules(find_rules("gpt2", &known), m);
    gm_warn(c->sink, "model.model_type",
            "not given; GPT-2 key names (n_embd, n_layer), so counted with GPT-2's rules");
  }
  /* A config.json's many keys without a memory effect are ignored silently;
   * other unknown keys get a warning. */
  if (gm_read_section(c, obj, GM_SEC_MODEL, m, !k.hf) != GM_OK)
    return GM_EINVAL;
  /* attention_bias covers the output projection too unless that is given. */
  if (k.v[K_ATTENTION_BIAS] && !k.v[K_ATTENTION_OUT_BIAS])
    m->attn_out_bias = m->qkv_bias;
  /* Without a known model_type the norm follows the epsilon key's name. */
  if (!known && !k.v[K_NORM]) {
    if (k.v[K_RMS_NORM_EPS])
      m->norm = GM_NORM_RMS;
    else if (k.v[K_LAYER_NORM_EPS] || k.v[K_LAYER_NORM_EPSILON])
      m->norm = GM_NORM_LAYER;
  }
  if (moe_layout(c, &k, m) != GM_OK)
    return GM_EINVAL;
  if (parse_task(c, &k, m) != GM_OK)
    return GM_EINVAL;
  if (type &&
      (strcmp(type->valuestring, "qwen2") == 0 || strcmp(type->valuestring, "qwen2_moe") == 0)) {
    /* Qwen2's modeling code always builds the Q/K/V biases, whatever attention_bias says. */
    m->qkv_bias = 1;
    m->attn_out_bias = 0;
  }
  if (type && strcmp(type->valuestring, "qwen2_moe") == 0) {
    /* One shared expert of shared_expert_intermediate_size, behind a 1-wide gate. */
    m->num_shared_experts = m->shared_expert_intermediate_size > 0 ? 1 : 0;
    m->shared_expert_gate = m->num_shared_experts;
  }
  return GM_OK;
}
