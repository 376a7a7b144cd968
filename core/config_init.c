/* config_init.c - gm_config_init: every field unset (GM_AUTO), for the
 * readers to fill and gm_resolve to default. */
#include "gpumem.h"

#include <string.h>

void gm_config_init(gm_config *cfg) {
  gm_model *m = &cfg->model;
  gm_training *t = &cfg->training;
  gm_parallel *p = &cfg->parallel;
  gm_engine *e = &cfg->engine;
  memset(cfg, 0, sizeof *cfg);
  m->num_layers = m->hidden_size = m->num_attention_heads = m->num_key_value_heads = GM_AUTO;
  m->head_dim = GM_AUTO;
  m->intermediate_size = m->vocab_size = m->max_position_embeddings = m->max_seq_len = GM_AUTO;
  m->mlp = (gm_mlp_kind)GM_AUTO;
  m->norm = (gm_norm_kind)GM_AUTO;
  m->position = (gm_pos_kind)GM_AUTO;
  m->norms_per_layer = m->qkv_bias = m->attn_out_bias = m->mlp_bias = m->qk_norm = GM_AUTO;
  m->tied_embeddings = m->num_experts = m->experts_per_token = GM_AUTO;
  m->moe_intermediate_size = m->shared_expert_intermediate_size = GM_AUTO;
  m->num_shared_experts = m->shared_expert_gate = m->first_dense_layers = GM_AUTO;
  m->num_labels = m->fused_projections = GM_AUTO;
  m->q_lora_rank = m->kv_lora_rank = m->qk_nope_head_dim = m->qk_rope_head_dim = GM_AUTO;
  m->v_head_dim = m->router_bias = GM_AUTO;
  t->micro_batch_size = t->gradient_accumulation_steps = t->seq_len = GM_AUTO;
  t->dtype = (gm_dtype)GM_AUTO;
  t->precision = (gm_precision)GM_AUTO;
  t->optimizer = (gm_optimizer)GM_AUTO;
  t->optimizer_impl = (gm_optimizer_impl)GM_AUTO;
  t->recompute = (gm_recompute)GM_AUTO;
  t->selective_policy = (gm_selective_policy)GM_AUTO;
  t->attention = (gm_attention)GM_AUTO;
  t->loss = (gm_loss)GM_AUTO;
  t->norm_impl = (gm_norm_impl)GM_AUTO;
  t->compile = t->gqa_expand_kv = t->activation_offload = t->optimizer_in_backward = GM_AUTO;
  t->grads_set_to_none = GM_AUTO;
  t->attention_dropout = t->hidden_dropout = -1.0;
  t->finetune = (gm_finetune)GM_AUTO;
  t->lora_rank = t->lora_all_linear = GM_AUTO;
  t->fp8 = (gm_fp8)GM_AUTO;
  t->fp8_all_gather = t->fp8_amax_history = GM_AUTO;
  p->tp = p->pp = p->dp = p->cp = p->ep = p->vpp = p->sequence_parallel = GM_AUTO;
  p->first_stage_layers = p->last_stage_layers = GM_AUTO;
  p->embedding_in_split = p->loss_in_split = GM_AUTO;
  p->schedule = (gm_schedule)GM_AUTO;
  p->num_microbatches = GM_AUTO;
  e->kind = (gm_engine_kind)GM_AUTO;
  e->framework = (gm_framework)GM_AUTO;
  e->zero_stage = GM_AUTO;
  e->offload_optimizer = e->offload_param = (gm_offload)GM_AUTO;
  e->sharding = (gm_fsdp_strategy)GM_AUTO;
  e->reshard_after_forward = e->distributed_optimizer = e->overlap_comm = GM_AUTO;
  e->ddp_bucket_view = GM_AUTO;
  e->reduce_bucket_elems = e->allgather_bucket_elems = GM_AUTO;
  e->stage3_max_live_parameters = e->stage3_prefetch_bucket_elems = e->ddp_bucket_bytes = GM_AUTO;
  e->sub_group_elems = GM_AUTO;
  e->framework_version = GM_AUTO;
  cfg->hardware.num_gpus = cfg->hardware.gpus_per_node = GM_AUTO;
  cfg->hardware.safety_margin = -1.0;
}
