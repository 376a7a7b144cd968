/* gen_models.c - writes gm_preset_models (core/presets_table.h): each model
 * preset's "model" object as the core's own reader applies it to a fresh
 * gm_model. Usage: gen_models >> build/gen/presets_data.c
 *
 * Linked with the core built on the preset tables of scripts/gen_presets.c
 * (the text and the place of each model object in it), it runs the reader
 * once per preset at build time, so that a config naming a preset copies a
 * struct instead of parsing the preset's JSON on every call. A preset that
 * the reader refuses or warns about fails the build, naming the preset. */
#include "config.h"

#include "c_literal.h"

#include <stdio.h>
#include <string.h>

/* The fields written so far, to check that the initializer holds all of m. */
static gm_model written;

/* A field of m, left out when zero (as an initializer leaves it). */
#define INT(f)                                                                                     \
  do {                                                                                             \
    if (m->f)                                                                                      \
      printf(", .%s = %d", #f, (int)m->f);                                                         \
    written.f = m->f;                                                                              \
  } while (0)
#define I64(f)                                                                                     \
  do {                                                                                             \
    if (m->f)                                                                                      \
      printf(", .%s = %lldLL", #f, (long long)m->f);                                               \
    written.f = m->f;                                                                              \
  } while (0)

static int put_model(const gm_model *m) {
  memset(&written, 0, sizeof written);
  printf("    {.name = ");
  put_c_string(m->name);
  memcpy(written.name, m->name, sizeof m->name);
  INT(num_layers);
  INT(hidden_size);
  INT(num_attention_heads);
  INT(num_key_value_heads);
  INT(head_dim);
  I64(intermediate_size);
  I64(vocab_size);
  I64(max_position_embeddings);
  I64(max_seq_len);
  INT(mlp);
  INT(norm);
  INT(position);
  INT(norms_per_layer);
  INT(qkv_bias);
  INT(attn_out_bias);
  INT(mlp_bias);
  INT(qk_norm);
  INT(tied_embeddings);
  INT(num_experts);
  INT(experts_per_token);
  I64(moe_intermediate_size);
  INT(num_shared_experts);
  I64(shared_expert_intermediate_size);
  INT(shared_expert_gate);
  INT(first_dense_layers);
  INT(estimated);
  I64(declared_parameters);
  I64(largest_layer_params);
  INT(num_labels);
  INT(fused_projections);
  INT(q_lora_rank);
  INT(kv_lora_rank);
  INT(qk_nope_head_dim);
  INT(qk_rope_head_dim);
  INT(v_head_dim);
  INT(router_bias);
  printf("},\n");
  /* A field of gm_model missing above would be left zero here. */
  return memcmp(&written, m, sizeof *m) == 0;
}

int main(void) {
  const gm_model_preset *p;
  int rc = 0;
  printf("\nconst gm_model gm_preset_models[] = {\n");
  for (p = gm_model_presets; p->id && rc == 0; p++) {
    static gm_config cfg;
    static gm_result sink;
    gm_error err;
    gm_parse_ctx ctx = {&err, &sink, 0};
    cJSON *obj = cJSON_Parse(gm_preset_names(gm_preset_models_json, (int)(p - gm_model_presets)));
    memset(&err, 0, sizeof err);
    sink.num_warnings = 0;
    gm_config_init(&cfg);
    if (!cJSON_IsObject(obj)) {
      fprintf(stderr, "gen_models: preset %s: its model object does not parse\n", p->id);
      rc = 1;
    } else if (gm_apply_model_object(&ctx, obj, &cfg.model) != GM_OK) {
      fprintf(stderr, "gen_models: preset %s: %s: %s\n", p->id, err.field, err.message);
      rc = 1;
    } else if (sink.num_warnings > 0) {
      fprintf(stderr, "gen_models: preset %s: %s: %s\n", p->id, sink.warnings[0].field,
              sink.warnings[0].message);
      rc = 1;
    } else if (printf("    /* %s */\n", p->id) < 0 || !put_model(&cfg.model)) {
      fprintf(stderr, "gen_models: a field of gm_model is not written: add it to put_model\n");
      rc = 1;
    }
    cJSON_Delete(obj);
  }
  printf("    {.name = \"\"}};\n");
  return rc;
}
