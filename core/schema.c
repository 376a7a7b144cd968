/* schema.c - every config key, one row each: its section, name and spellings,
 * kind and bounds, the C field it fills, its default or the rule that sets it,
 * and what the page and docs/config.md say about it. The rows drive the
 * readers (config.c, hf_config.c), gm_config_init, the `resolved` writer
 * (result_json.c) and gm_schema_json() (schema_json.c). A new key is one row
 * here plus its physics. */
#include "schema.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define GIB 1073741824.0
#define NONE GM_NO_DEFAULT

/* The one-line docs go where they are read: docs/config.md (scripts/gen_docs.c)
 * and the CLI. The WebAssembly module leaves them out (GM_SCHEMA_NO_DOCS): the
 * page shows labels, and the docs are a fifth of the schema's gzipped bytes. */
#ifdef GM_SCHEMA_NO_DOCS
#define DOC(text) NULL
#else
#define DOC(text) text
#endif

/* Row builders: key, aliases, kind, hook, flags, field, lo, hi, names,
 * labels, default, rule, unit, label, doc. */
#define ROW(S, key, al, kind, hook, fl, field, lo, hi, nm, lb, dflt, rule, unit, label, doc)       \
  {                                                                                                \
    key, al, kind, hook, fl, sizeof key - 1, (unsigned short)offsetof(S, field), lo, hi, nm, lb,   \
        dflt, rule, unit, label, DOC(doc)                                                          \
  }
#define M(...) ROW(gm_model, __VA_ARGS__)
#define T(...) ROW(gm_training, __VA_ARGS__)
#define P(...) ROW(gm_parallel, __VA_ARGS__)
#define E(...) ROW(gm_engine, __VA_ARGS__)
#define H(...) ROW(gm_hardware, __VA_ARGS__)
/* Aliases: a NULL-terminated list, weakest first. */
#define AL(...) ((const char *const[]){__VA_ARGS__, NULL})
#define END                                                                                        \
  { NULL, NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL }

/* Short names for the columns. */
#define I32 GM_K_INT32
#define I64 GM_K_INT64
#define SIZE GM_K_SIZE
#define MEM GM_K_MEMORY
#define BOOL GM_K_BOOL
#define ENUM GM_K_ENUM
#define NUM GM_K_NUMBER
#define STR GM_K_STRING
#define NOF GM_KF_NOFIELD
#define ZERO GM_KF_ZERO_UNSET
#define OMIT GM_KF_OMIT_UNSET
#define MLA "with latent attention (kv_lora_rank > 0)"
#define HFDS "with hf_trainer on deepspeed"

/* ---- Accepted names of the enum keys --------------------------------- */

/* Enum spellings: the first entry of each value is the one printed. */
const gm_name gm_dtype_names[] = {
    {"bf16", GM_DTYPE_BF16},     {"fp16", GM_DTYPE_FP16},    {"fp32", GM_DTYPE_FP32},
    {"bfloat16", GM_DTYPE_BF16}, {"float16", GM_DTYPE_FP16}, {"half", GM_DTYPE_FP16},
    {"float32", GM_DTYPE_FP32},  {"float", GM_DTYPE_FP32},   {NULL, 0}};
const gm_name gm_precision_names[] = {
    {"fp32", GM_PRECISION_FP32},           {"amp", GM_PRECISION_AMP},
    {"mixed", GM_PRECISION_MIXED},         {"mixed_fp32_grads", GM_PRECISION_MIXED_FP32_GRADS},
    {"pure_bf16", GM_PRECISION_PURE_HALF}, {"pure_fp16", GM_PRECISION_PURE_HALF},
    {"pure_half", GM_PRECISION_PURE_HALF}, {NULL, 0}};
const gm_name gm_optimizer_names[] = {{"adamw", GM_OPT_ADAMW},
                                      {"adam", GM_OPT_ADAM},
                                      {"sgd", GM_OPT_SGD},
                                      {"sgd_momentum", GM_OPT_SGD_MOMENTUM},
                                      {"lion", GM_OPT_LION},
                                      {"adafactor", GM_OPT_ADAFACTOR},
                                      {"adamw_8bit", GM_OPT_ADAMW_8BIT},
                                      {"adam_8bit", GM_OPT_ADAMW_8BIT},
                                      {NULL, 0}};
const gm_name gm_optimizer_impl_names[] = {{"fused", GM_OPTIMPL_FUSED},
                                           {"foreach", GM_OPTIMPL_FOREACH},
                                           {"for_loop", GM_OPTIMPL_FOR_LOOP},
                                           {NULL, 0}};
const gm_name gm_recompute_names[] = {
    {"none", GM_AC_NONE}, {"selective", GM_AC_SELECTIVE}, {"full", GM_AC_FULL}, {NULL, 0}};
const gm_name gm_selective_names[] = {
    {"attention", GM_SEL_ATTENTION}, {"per_op", GM_SEL_PER_OP}, {NULL, 0}};
const gm_name gm_attention_names[] = {{"flash", GM_ATTN_FLASH},
                                      {"eager", GM_ATTN_EAGER},
                                      {"sdpa", GM_ATTN_FLASH},
                                      {"flash_attention_2", GM_ATTN_FLASH},
                                      {NULL, 0}};
const gm_name gm_loss_names[] = {{"standard", GM_LOSS_EAGER},
                                 {"keep_fp32", GM_LOSS_KEEP_FP32},
                                 {"vocab_parallel", GM_LOSS_VOCAB_PARALLEL},
                                 {"loss_parallel", GM_LOSS_TP_PARALLEL},
                                 {"compiled", GM_LOSS_COMPILED},
                                 {"chunked", GM_LOSS_CHUNKED},
                                 {"vocab_parallel_fused", GM_LOSS_VOCAB_PARALLEL_FUSED},
                                 {"eager", GM_LOSS_EAGER},
                                 {NULL, 0}};
const gm_name gm_norm_impl_names[] = {
    {"eager", GM_NORMIMPL_EAGER}, {"fused", GM_NORMIMPL_FUSED}, {NULL, 0}};
const gm_name gm_fp8_names[] = {{"none", GM_FP8_NONE},
                                {"tensorwise", GM_FP8_TENSORWISE},
                                {"rowwise", GM_FP8_ROWWISE},
                                {"mxfp8", GM_FP8_MXFP8},
                                {"delayed", GM_FP8_DELAYED},
                                {"default", GM_FP8_DEFAULT},
                                {"float8", GM_FP8_TENSORWISE},
                                {"current", GM_FP8_TENSORWISE},
                                {"mxfp8_cublas", GM_FP8_MXFP8},
                                {"blockwise", GM_FP8_MXFP8},
                                {NULL, 0}};
const gm_name gm_finetune_names[] = {
    {"full", GM_FT_FULL}, {"lora", GM_FT_LORA}, {"qlora", GM_FT_QLORA}, {NULL, 0}};
/* training.lora_targets: the value is gm_training.lora_all_linear. */
const gm_name gm_lora_target_names[] = {{"qv", 0}, {"all", 1}, {NULL, 0}};
const gm_name gm_schedule_names[] = {{"1f1b", GM_SCHED_1F1B},
                                     {"interleaved", GM_SCHED_INTERLEAVED},
                                     {"gpipe", GM_SCHED_GPIPE},
                                     {"interleaved_1f1b", GM_SCHED_INTERLEAVED},
                                     {NULL, 0}};
/* The short names are the earlier tool's CLI spellings. */
const gm_name gm_engine_names[] = {{"pytorch_ddp", GM_ENGINE_DDP},
                                   {"deepspeed", GM_ENGINE_DEEPSPEED},
                                   {"megatron_lm", GM_ENGINE_MEGATRON},
                                   {"megatron_deepspeed", GM_ENGINE_MEGATRON_DEEPSPEED},
                                   {"fsdp", GM_ENGINE_FSDP},
                                   {"ddp", GM_ENGINE_DDP},
                                   {"pytorch", GM_ENGINE_DDP},
                                   {"megatron", GM_ENGINE_MEGATRON},
                                   {NULL, 0}};
const gm_name gm_framework_names[] = {
    {"generic", GM_FW_GENERIC},         {"hf_trainer", GM_FW_HF_TRAINER},
    {"torchtitan", GM_FW_TORCHTITAN},   {"megatron_lm", GM_FW_MEGATRON},
    {"deepspeed", GM_FW_DEEPSPEED},     {"torchtune", GM_FW_TORCHTUNE},
    {"litgpt", GM_FW_LITGPT},           {"megatron", GM_FW_MEGATRON},
    {"transformers", GM_FW_HF_TRAINER}, {NULL, 0}};
const gm_name gm_offload_names[] = {
    {"none", GM_OFFLOAD_NONE}, {"cpu", GM_OFFLOAD_CPU}, {"nvme", GM_OFFLOAD_NVME}, {NULL, 0}};
const gm_name gm_fsdp_names[] = {{"full_shard", GM_FSDP_FULL_SHARD},
                                 {"shard_grad_op", GM_FSDP_SHARD_GRAD_OP},
                                 {"hybrid_shard", GM_FSDP_HYBRID_SHARD},
                                 {"no_shard", GM_FSDP_NO_SHARD},
                                 {NULL, 0}};
/* The MLP activation only matters through the number of matrices. */
const gm_name gm_mlp_names[] = {{"gated", GM_MLP_GATED},  {"plain", GM_MLP_PLAIN},
                                {"swiglu", GM_MLP_GATED}, {"geglu", GM_MLP_GATED},
                                {"gelu", GM_MLP_PLAIN},   {"relu", GM_MLP_PLAIN},
                                {"relu2", GM_MLP_PLAIN},  {NULL, 0}};
const gm_name gm_norm_names[] = {{"rmsnorm", GM_NORM_RMS}, {"layernorm", GM_NORM_LAYER}, {NULL, 0}};
const gm_name gm_position_names[] = {{"rope", GM_POS_ROPE}, {"learned", GM_POS_LEARNED}, {NULL, 0}};
/* model.task: the value is whether the head classifies. */
const gm_name gm_task_names[] = {{"causal_lm", 0}, {"sequence_classification", 1}, {NULL, 0}};

const char *gm_enum_name(const gm_name *table, int value) {
  for (; table->name; table++)
    if (table->value == value)
      return table->name;
  return NULL;
}

/* ---- The keys ------------------------------------------------------------ */

/* The order of each table is the order of `resolved`; keys are read in it
 * too (training.momentum after optimizer, hardware.gpu before the memory keys). */
/* clang-format off */
static const gm_key model_keys[] = {
    M("name", NULL, STR, 0, ZERO, name, 0, 64, NULL, NULL, NONE, "the preset's id, else empty", NULL, "Name", "a label; with a preset, the preset's id unless given"),
    M("preset", NULL, STR, GM_HOOK_PRESET, NOF, name, 0, 96, NULL, NULL, NONE, NULL, NULL, "Model preset", "a model of `presets/models.json` by id (`\"llama-3-8b\"`), Hugging Face id or display name; the keys beside it override it"),
    M("num_parameters", NULL, SIZE, GM_HOOK_NUM_PARAMS, ZERO, declared_parameters, 1, 1e15, NULL, NULL, NONE, "the exact count of the architecture", "parameters", "Parameters", "total parameters. With an architecture only a check (a warning above 5 % off the exact count); alone, the architecture is estimated from it and flagged `estimated`"),
    M("num_layers", AL("n_layer", "num_hidden_layers"), I32, 0, 0, num_layers, 1, 100000, NULL, NULL, NONE, "required, or estimated from num_parameters", NULL, "Layers", "decoder layers L"),
    M("hidden_size", AL("n_embd"), I32, 0, 0, hidden_size, 1, 1048576, NULL, NULL, NONE, "required, or estimated from num_parameters", NULL, "Hidden size", "model width h"),
    M("num_attention_heads", AL("n_head"), I32, 0, 0, num_attention_heads, 1, 65536, NULL, NULL, NONE, "hidden_size / 128, else / 64 (estimated: the size table's)", NULL, "Attention heads", "attention heads a"),
    M("num_key_value_heads", NULL, I32, 0, 0, num_key_value_heads, 1, 65536, NULL, NULL, NONE, "= num_attention_heads", NULL, "KV heads", "key/value heads g; fewer than a: GQA or MQA"),
    M("head_dim", NULL, I32, 0, 0, head_dim, 1, 65536, NULL, NULL, NONE, "hidden_size / num_attention_heads; with latent attention qk_nope + qk_rope", NULL, "Head dim", "per-head width d_h"),
    M("intermediate_size", AL("n_inner"), I64, 0, 0, intermediate_size, 1, 1e8, NULL, NULL, NONE, "gated: 8h/3 rounded up to 256; plain: 4h", NULL, "MLP width", "dense MLP width f"),
    M("vocab_size", NULL, I64, 0, 0, vocab_size, 1, 1e9, NULL, NULL, 32000, NULL, "tokens", "Vocabulary", "vocabulary size V (warns when assumed)"),
    M("max_seq_len", NULL, I64, 0, 0, max_seq_len, 1, 1e8, NULL, NULL, NONE, NULL, "tokens", "Max sequence length", "training sequence length when training.seq_len is absent"),
    M("max_position_embeddings", AL("n_positions"), I64, 0, 0, max_position_embeddings, 1, 1e9, NULL, NULL, NONE, "= max_seq_len, else 2048", "tokens", "Position embeddings", "rows of a learned position table"),
    M("mlp", NULL, ENUM, 0, 0, mlp, 0, 0, gm_mlp_names, "SwiGLU / GeGLU (gated)|plain (GELU, ReLU)", GM_MLP_GATED, NULL, NULL, "MLP", "gated (3 matrices: SwiGLU and GeGLU are the same memory, and the result calls them `gated`) or plain (2)"),
    M("norm", NULL, ENUM, 0, 0, norm, 0, 0, gm_norm_names, "RMSNorm|LayerNorm", GM_NORM_RMS, NULL, NULL, "Norm", "LayerNorm has a bias"),
    M("position_embedding", NULL, ENUM, 0, 0, position, 0, 0, gm_position_names, "RoPE|learned table", GM_POS_ROPE, NULL, NULL, "Positions", "learned adds max_position_embeddings x h parameters"),
    M("norms_per_layer", NULL, I32, 0, 0, norms_per_layer, 1, 8, NULL, NULL, 2, NULL, NULL, "Norms per layer", "4 for Gemma-2 sandwich norms"),
    M("attention_bias", NULL, BOOL, 0, 0, qkv_bias, 0, 0, NULL, NULL, 0, NULL, NULL, "QKV bias", "bias on Q, K and V (Qwen2: true)"),
    M("attention_out_bias", NULL, BOOL, 0, 0, attn_out_bias, 0, 0, NULL, NULL, NONE, "= attention_bias", NULL, "Attention output bias", "bias on the output projection"),
    M("mlp_bias", NULL, BOOL, 0, 0, mlp_bias, 0, 0, NULL, NULL, 0, NULL, NULL, "MLP bias", "biases on the MLP linears"),
    M("qk_norm", NULL, BOOL, 0, 0, qk_norm, 0, 0, NULL, NULL, 0, NULL, NULL, "QK norm", "per-head RMSNorm on Q and K (Qwen3)"),
    M("tie_word_embeddings", NULL, BOOL, 0, 0, tied_embeddings, 0, 0, NULL, NULL, 0, NULL, NULL, "Tied embeddings", "the output head shares the embedding"),
    M("num_experts", AL("num_local_experts", "n_routed_experts"), I32, 0, 0, num_experts, 0, 65536, NULL, NULL, 0, NULL, NULL, "Experts", "routed experts per MoE layer; 0: dense"),
    M("num_experts_per_tok", NULL, I32, 0, 0, experts_per_token, 1, 65536, NULL, NULL, NONE, "2 with experts", NULL, "Experts per token", "experts each token is routed to"),
    M("moe_intermediate_size", NULL, I64, 0, 0, moe_intermediate_size, 1, 1e8, NULL, NULL, NONE, "= intermediate_size with experts", NULL, "Expert width", "width of one expert"),
    M("num_shared_experts", AL("n_shared_experts"), I32, 0, 0, num_shared_experts, 0, 1024, NULL, NULL, 0, NULL, NULL, "Shared experts", "always-on experts"),
    M("shared_expert_intermediate_size", NULL, I64, 0, 0, shared_expert_intermediate_size, 0, 1e8, NULL, NULL, NONE, "moe_intermediate_size x num_shared_experts", NULL, "Shared expert width", "total width of the shared experts"),
    M("shared_expert_gate", NULL, BOOL, 0, 0, shared_expert_gate, 0, 0, NULL, NULL, 0, NULL, NULL, "Shared expert gate", "a 1-wide sigmoid gate on the shared expert (Qwen2-MoE): h more parameters per MoE layer"),
    M("fused_projections", NULL, BOOL, 0, 0, fused_projections, 0, 0, NULL, NULL, 0, NULL, NULL, "Fused QKV / gate-up", "Q/K/V (and gate/up) as one matmul; matters under autocast (model_type gpt2, gpt_neox, phi3: true)"),
    M("q_lora_rank", NULL, I32, 0, 0, q_lora_rank, 0, 1048576, NULL, NULL, 0, NULL, NULL, "Q latent rank (MLA)", "rank of the compressed Q; 0: full-rank Q projection"),
    M("kv_lora_rank", NULL, I32, 0, 0, kv_lora_rank, 0, 1048576, NULL, NULL, 0, NULL, NULL, "KV latent rank (MLA)", "multi-head latent attention (DeepSeek-V2/V3) when > 0: rank of the compressed KV"),
    M("qk_nope_head_dim", NULL, I32, 0, 0, qk_nope_head_dim, 0, 65536, NULL, NULL, NONE, "128 " MLA ", else 0", NULL, "MLA QK head (no RoPE)", "per-head Q/K width without RoPE in latent attention; head_dim becomes nope + rope"),
    M("qk_rope_head_dim", NULL, I32, 0, 0, qk_rope_head_dim, 0, 65536, NULL, NULL, NONE, "64 " MLA ", else 0", NULL, "MLA QK head (RoPE)", "per-head Q/K width with RoPE"),
    M("v_head_dim", NULL, I32, 0, 0, v_head_dim, 0, 65536, NULL, NULL, NONE, "= qk_nope_head_dim " MLA ", else 0", NULL, "MLA V head", "per-head V width"),
    M("router_bias", NULL, BOOL, 0, 0, router_bias, 0, 0, NULL, NULL, 0, NULL, NULL, "Router bias", "a per-expert score-correction bias (model_type deepseek_v3: true)"),
    M("first_dense_layers", AL("first_k_dense_replace"), I32, 0, 0, first_dense_layers, 0, 100000, NULL, NULL, 0, NULL, "layers", "Leading dense layers", "leading layers with a dense MLP"),
    M("largest_layer_params", NULL, SIZE, 0, ZERO, largest_layer_params, 1, 1e15, NULL, NULL, NONE, NULL, "parameters", "Largest layer", "the earlier tool's input for ZeRO-3: used as the gathered unit when given, else computed"),
    M("task", NULL, ENUM, GM_HOOK_TASK, NOF, num_labels, 0, 0, gm_task_names, "language model|sequence classifier", 0, NULL, NULL, "Head", "the head: vocabulary logits, or a classifier over `num_labels` (also read from a Hugging Face `architectures` entry `*ForSequenceClassification` and `id2label`)"),
    M("num_labels", NULL, I32, 0, OMIT, num_labels, 1, 1000000, NULL, NULL, NONE, "2 with a sequence classifier (id2label's count when given)", NULL, "Labels", "classes of a sequence classifier"),
    END};

static const gm_key training_keys[] = {
    T("batch_size", AL("micro_batch_size"), I64, 0, 0, micro_batch_size, 1, 1e7, NULL, NULL, 1, NULL, "samples", "Micro-batch per GPU", "micro-batch per GPU b"),
    T("gradient_accumulation_steps", NULL, I64, 0, 0, gradient_accumulation_steps, 1, 1e9, NULL, NULL, 1, NULL, NULL, "Gradient accumulation", "micro-batches per optimizer step"),
    T("seq_len", NULL, I64, 0, 0, seq_len, 1, 1e8, NULL, NULL, NONE, "model.max_seq_len, else 2048 (warns)", "tokens", "Sequence length", "tokens per sample s"),
    T("dtype", NULL, ENUM, 0, 0, dtype, 0, 0, gm_dtype_names, "bf16|fp16|fp32", GM_DTYPE_BF16, NULL, NULL, "Compute dtype", "compute dtype"),
    T("precision", NULL, ENUM, 0, 0, precision, 0, 0, gm_precision_names, "fp32 only|fp32 weights, autocast|half weights + fp32 master|half weights + fp32 master and gradients|half only, no master", NONE, "fp32 with dtype fp32; torchtune, litgpt: pure_bf16; Megatron: mixed_fp32_grads (bf16) or mixed; deepspeed: mixed; else amp", NULL, "Precision", "where weights, gradients, master copy and optimizer states are kept, and in what dtype (docs/formulas.md)"),
    T("optimizer", NULL, ENUM, 0, 0, optimizer, 0, 0, gm_optimizer_names, "AdamW|Adam|SGD|SGD + momentum|Lion|Adafactor|AdamW 8-bit", GM_OPT_ADAMW, NULL, NULL, "Optimizer", "the optimizer, which sets the states per parameter"),
    T("momentum", NULL, NUM, GM_HOOK_MOMENTUM, NOF, optimizer, 0, 1, NULL, NULL, 0, NULL, NULL, "Momentum", "with `sgd`: above 0 means SGD with momentum; ignored with a warning for other optimizers"),
    T("optimizer_impl", NULL, ENUM, 0, 0, optimizer_impl, 0, 0, gm_optimizer_impl_names, "fused|foreach|for loop", NONE, "foreach with generic, hf_trainer, litgpt on pytorch_ddp or fsdp; else fused", NULL, "Optimizer implementation", "foreach makes a state-sized temporary in `step()`"),
    T("activation_checkpointing", NULL, ENUM, GM_HOOK_RECOMPUTE, 0, recompute, 0, 0, gm_recompute_names, "none|selective|full", GM_AC_NONE, NULL, NULL, "Activation checkpointing", "what backward recomputes; also the earlier tool's 0-4 scale (0 none; 1, 2 selective; 3, 4 full) or a bool (`true` full, `false` none)"),
    T("selective_policy", NULL, ENUM, 0, 0, selective_policy, 0, 0, gm_selective_names, "attention core (Megatron)|every other matmul (torchtitan)", NONE, "per_op under torchtitan, else attention", NULL, "Selective policy", "what selective recompute saves: Megatron recomputes the attention core; torchtitan saves every other matmul"),
    T("attention", NULL, ENUM, 0, 0, attention, 0, 0, gm_attention_names, "flash / SDPA|eager (keeps s x s)", GM_ATTN_FLASH, NULL, NULL, "Attention", "flash/SDPA keeps no s x s matrix"),
    T("loss", NULL, ENUM, 0, 0, loss, 0, 0, gm_loss_names, "standard|standard, fp32 copy of the logits kept|split over the vocabulary|split over tensor-parallel ranks|compiled|chunked / fused linear|split over the vocabulary, fused (Megatron --cross-entropy-loss-fusion)", NONE, "megatron_lm: vocab_parallel; torchtune, litgpt: chunked; torchtitan: loss_parallel with TP, else standard; else keep_fp32", NULL, "Loss", "cross-entropy implementation; `standard` (also `eager`) is the plain eager loss"),
    T("norm_impl", NULL, ENUM, 0, 0, norm_impl, 0, 0, gm_norm_impl_names, "eager|fused", NONE, "fused under Megatron, with LayerNorm or compile; else eager", NULL, "Norm implementation", "eager RMSNorm keeps an fp32 copy"),
    T("compile", NULL, BOOL, 0, 0, compile, 0, 0, NULL, NULL, 0, NULL, NULL, "torch.compile", "torch.compile of the blocks"),
    T("gqa_expand_kv", NULL, BOOL, 0, 0, gqa_expand_kv, 0, 0, NULL, NULL, NONE, "false under Megatron, else true", NULL, "Expand KV heads", "K/V repeated to all heads before attention"),
    T("attention_dropout", NULL, NUM, 0, 0, attention_dropout, 0, 1, NULL, NULL, NONE, "0.1 under Megatron, else 0", NULL, "Attention dropout", "dropout keeps masks"),
    T("hidden_dropout", NULL, NUM, 0, 0, hidden_dropout, 0, 1, NULL, NULL, NONE, "0.1 under Megatron, else 0", NULL, "Hidden dropout", "dropout keeps masks"),
    T("activation_offload", NULL, BOOL, 0, 0, activation_offload, 0, 0, NULL, NULL, 0, NULL, NULL, "Offload activations", "saved activations go to host memory"),
    T("optimizer_in_backward", NULL, BOOL, 0, 0, optimizer_in_backward, 0, 0, NULL, NULL, 0, NULL, NULL, "Optimizer in backward", "step each parameter during backward"),
    T("zero_grad_set_to_none", NULL, BOOL, 0, 0, grads_set_to_none, 0, 0, NULL, NULL, NONE, "false with generic, hf_trainer or litgpt code before PyTorch 2.0 (framework_version), else true", NULL, "zero_grad frees gradients", "PyTorch >= 2.0 frees gradients between steps; false (PyTorch 1.x, old Trainer) keeps them through forward"),
    T("finetune", NULL, ENUM, 0, 0, finetune, 0, 0, gm_finetune_names, "full|LoRA|QLoRA", GM_FT_FULL, NULL, NULL, "Fine-tuning", "full training or adapters"),
    T("lora_rank", NULL, I32, 0, 0, lora_rank, 1, 65536, NULL, NULL, NONE, "16 with LoRA", NULL, "LoRA rank", "rank of the adapters"),
    T("lora_targets", NULL, ENUM, 0, 0, lora_all_linear, 0, 0, gm_lora_target_names, "q and v only|all linears", 1, NULL, NULL, "LoRA targets", "the adapted linears"),
    T("fp8", NULL, ENUM, GM_HOOK_FP8, 0, fp8, 0, 0, gm_fp8_names, "none (bf16)|tensor-wise (torchao)|row-wise (torchao)|MX-FP8|delayed scaling (Transformer Engine)|the framework's recipe", GM_FP8_NONE, NULL, NULL, "FP8 linears", "fp8 recipe of the decoder linears: torchao's dynamic tensor-wise, row-wise or MX-FP8 scaling, or delayed scaling (Transformer Engine under megatron_lm, torchao otherwise); `true` or `default` takes the framework's recipe (Megatron-LM `--fp8-recipe delayed`, torchao tensor-wise); master weights, gradients and optimizer states keep their layout"),
    T("fp8_all_gather", NULL, BOOL, 0, 0, fp8_all_gather, 0, 0, NULL, NULL, 0, NULL, NULL, "FP8 all-gather", "FSDP all-gathers the linear weights in fp8 (torchao `enable_fsdp_float8_all_gather`, tensor-wise or delayed scaling only; with another recipe or engine it is ignored with a warning); under megatron_lm the parameters themselves are fp8 (`--fp8-param-gather`)"),
    T("fp8_amax_history_len", NULL, I32, 0, OMIT, fp8_amax_history, 1, 1048576, NULL, NULL, NONE, "delayed: 1 under megatron_lm, 16 with torchao", NULL, "FP8 amax history", "amax values kept per scaled tensor (Megatron-LM `--fp8-amax-history-len`)"),
    END};

static const gm_key parallel_keys[] = {
    P("tensor_parallel_size", NULL, I32, 0, 0, tp, 1, 65536, NULL, NULL, 1, NULL, "GPUs", "Tensor parallel", "t; divides heads and KV heads"),
    P("pipeline_parallel_size", NULL, I32, 0, 0, pp, 1, 65536, NULL, NULL, 1, NULL, "GPUs", "Pipeline parallel", "pipeline stages p"),
    P("data_parallel_size", NULL, I32, 0, 0, dp, 1, 1e7, NULL, NULL, NONE, "num_gpus / (t x p x c), else 1", "GPUs", "Data parallel", "data-parallel replicas d"),
    P("context_parallel_size", NULL, I32, 0, 0, cp, 1, 65536, NULL, NULL, 1, NULL, "GPUs", "Context parallel", "c; divides seq_len"),
    P("expert_parallel_size", NULL, I32, 0, 0, ep, 1, 65536, NULL, NULL, 1, NULL, "GPUs", "Expert parallel", "e; divides num_experts"),
    P("virtual_pipeline_stages", NULL, I32, 0, 0, vpp, 1, 65536, NULL, NULL, 1, NULL, NULL, "Virtual stages", "model chunks per rank (interleaved schedule), at most 64; how layers split: docs/formulas.md section 1.1"),
    P("sequence_parallel", NULL, BOOL, 0, 0, sequence_parallel, 0, 0, NULL, NULL, NONE, "true with TP above 1 under torchtitan or torchtune, else false", NULL, "Sequence parallel", "norms, dropout and the residual stream split along the sequence over the TP group (Megatron-LM `--sequence-parallel`; torchtitan and torchtune always)"),
    P("pipeline_schedule", NULL, ENUM, 0, 0, schedule, 0, 0, gm_schedule_names, "1F1B|interleaved 1F1B|GPipe", NONE, "interleaved with virtual stages above 1, else 1f1b", NULL, "Schedule", "pipeline schedule"),
    P("num_microbatches", NULL, I64, 0, 0, num_microbatches, 1, 1e9, NULL, NULL, NONE, "= training.gradient_accumulation_steps", NULL, "Micro-batches per step", "micro-batches per step per pipeline"),
    P("microbatch_group_size", NULL, I32, 0, 0, microbatch_group, 1, 1e9, NULL, NULL, NONE, "pipeline_parallel_size", "micro-batches", "Micro-batch group", "interleaved schedule: micro-batches that run on one virtual stage before the next (Megatron-LM `--microbatch-group-size-per-virtual-pipeline-stage`); more keeps more in flight"),
    P("first_stage_layers", NULL, I32, 0, 0, first_stage_layers, 0, 1e6, NULL, NULL, NONE, NULL, "layers", "First stage layers", "decoder layers on the first pipeline rank (Megatron-LM `--decoder-first-pipeline-num-layers`); the other ranks split the rest evenly"),
    P("last_stage_layers", NULL, I32, 0, 0, last_stage_layers, 0, 1e6, NULL, NULL, NONE, NULL, "layers", "Last stage layers", "decoder layers on the last pipeline rank (Megatron-LM `--decoder-last-pipeline-num-layers`); the other ranks split the rest evenly"),
    P("account_for_embedding_in_pipeline_split", NULL, BOOL, 0, 0, embedding_in_split, 0, 0, NULL, NULL, 0, NULL, NULL, "Embedding counts as a layer", "Megatron-LM counts the embedding as one layer of the split (engine `megatron_lm` only)"),
    P("account_for_loss_in_pipeline_split", NULL, BOOL, 0, 0, loss_in_split, 0, 0, NULL, NULL, 0, NULL, NULL, "Loss counts as a layer", "Megatron-LM counts the loss as one layer of the split (engine `megatron_lm` only)"),
    P("defer_embedding_wgrad", NULL, BOOL, 0, 0, defer_embedding_wgrad, 0, 0, NULL, NULL, 0, NULL, NULL, "Defer output-layer wgrad", "Megatron-LM --defer-embedding-wgrad-compute: the last stage keeps each micro-batch's output-layer input and output gradient until the pipeline flush (engine `megatron_lm`, pipeline parallelism only)"),
    P("wgrad_deferral_limit", NULL, I32, 0, 0, wgrad_deferral_limit, 0, 1e9, NULL, NULL, 0, NULL, "micro-batches", "Wgrad deferral limit", "Megatron-LM --wgrad-deferral-limit: at most this many micro-batches are deferred; 0 defers every one"),
    END};

static const gm_key engine_keys[] = {
    E("type", NULL, ENUM, 0, 0, kind, 0, 0, gm_engine_names, "PyTorch DDP|DeepSpeed|Megatron-LM|Megatron-DeepSpeed|PyTorch FSDP", GM_ENGINE_DDP, NULL, NULL, "Engine", "the training engine"),
    E("framework", NULL, ENUM, 0, 0, framework, 0, 0, gm_framework_names, "generic PyTorch|HF Trainer|torchtitan|Megatron-LM|DeepSpeed|torchtune|LitGPT", NONE, "megatron_lm under Megatron engines, deepspeed under deepspeed, else generic", NULL, "Training code", "training code whose defaults apply"),
    E("framework_version", NULL, STR, GM_HOOK_VERSION, OMIT, framework_version, 0, 16, NULL, NULL, NONE, "current: the newest code the calculator knows", "YYYY-MM-DD", "Framework version", "the date of the framework's code (`\"YYYY-MM-DD\"`, `\"YYYY-MM\"` or `\"current\"`): where a default changed memory, the one of that date applies (formulas.md section 7); `resolved` shows the date used. A release number (`\"0.1.0\"`) is not mapped to a date: it warns and the current defaults apply"),
    E("zero_stage", NULL, I32, 0, 0, zero_stage, 0, 3, NULL, NULL, 0, NULL, NULL, "ZeRO stage", "DeepSpeed ZeRO stage: 1 shards optimizer states, 2 also gradients, 3 also parameters; left out under deepspeed it warns (DeepSpeed's own default, 0, shards nothing)"),
    E("offload_optimizer", NULL, ENUM, 0, 0, offload_optimizer, 0, 0, gm_offload_names, "none|CPU|NVMe", GM_OFFLOAD_NONE, NULL, NULL, "Offload optimizer", "where the optimizer states live; needs deepspeed, fsdp (cpu only) or megatron"),
    E("offload_param", NULL, ENUM, 0, 0, offload_param, 0, 0, gm_offload_names, "none|CPU|NVMe", GM_OFFLOAD_NONE, NULL, NULL, "Offload parameters", "where the parameters live; needs ZeRO-3 or FSDP"),
    E("sharding_strategy", NULL, ENUM, 0, 0, sharding, 0, 0, gm_fsdp_names, "full shard|shard grads and optimizer|hybrid shard|no sharding", GM_FSDP_FULL_SHARD, NULL, NULL, "Sharding strategy", "FSDP sharding"),
    E("reshard_after_forward", NULL, BOOL, 0, 0, reshard_after_forward, 0, 0, NULL, NULL, NONE, "false under torchtitan with PP, else true", NULL, "Reshard after forward", "FSDP2 frees gathered parameters after forward"),
    E("distributed_optimizer", NULL, BOOL, 0, 0, distributed_optimizer, 0, 0, NULL, NULL, 0, NULL, NULL, "Distributed optimizer", "Megatron --use-distributed-optimizer"),
    E("reduce_bucket_size", NULL, SIZE, 0, 0, reduce_bucket_elems, 1, 1e13, NULL, NULL, NONE, "5e8; h^2 " HFDS, "elements", "Reduce bucket", "DeepSpeed gradient reduce bucket"),
    E("allgather_bucket_size", NULL, SIZE, 0, 0, allgather_bucket_elems, 1, 1e13, NULL, NULL, NONE, "5e8; 2e8 " HFDS, "elements", "All-gather bucket", "DeepSpeed all-gather bucket"),
    E("stage3_max_live_parameters", NULL, SIZE, 0, 0, stage3_max_live_parameters, 1, 1e15, NULL, NULL, 1e9, NULL, "parameters", "Max live parameters", "DeepSpeed ZeRO-3 gathered parameters kept"),
    E("stage3_prefetch_bucket_size", NULL, SIZE, 0, 0, stage3_prefetch_bucket_elems, 1, 1e13, NULL, NULL, NONE, "5e8; 0.9 h^2 " HFDS, "elements", "Prefetch bucket", "DeepSpeed ZeRO-3 prefetch"),
    E("sub_group_size", NULL, SIZE, 0, 0, sub_group_elems, 1, 1e15, NULL, NULL, 1e9, NULL, "elements", "Sub-group size", "DeepSpeed ZeRO-3 steps the optimizer this many elements at a time"),
    E("overlap_comm", NULL, BOOL, 0, 0, overlap_comm, 0, 0, NULL, NULL, NONE, "true at ZeRO-3 or " HFDS ", else false", NULL, "Overlap communication", "DeepSpeed double-buffers the reduce bucket"),
    E("gradient_as_bucket_view", NULL, BOOL, 0, 0, ddp_bucket_view, 0, 0, NULL, NULL, 0, NULL, NULL, "Gradient as bucket view", "DDP gradients are views into its buckets"),
    E("bucket_cap_mb", NULL, NUM, GM_HOOK_BUCKET_MIB, 0, ddp_bucket_bytes, 0, 1048576, NULL, NULL, 25, NULL, "MiB", "Bucket size (MiB)", "DDP gradient bucket"),
    END};

static const gm_key hardware_keys[] = {
    H("gpu", NULL, STR, GM_HOOK_GPU, ZERO, gpu_name, 0, 64, NULL, NULL, NONE, NULL, NULL, "GPU", "a GPU of `presets/gpus.json` by id, alias or display name (`\"H100\"`, `\"a100-40gb\"`, `\"NVIDIA A100-SXM4-80GB\"`): sets the usable capacity and CUDA context; `gpu-mem-calc presets` lists them"),
    H("num_gpus", NULL, I32, 0, 0, num_gpus, 1, 1e7, NULL, NULL, NONE, "t x p x d x c", "GPUs", "GPUs in the job", "all GPUs of the job"),
    H("gpus_per_node", NULL, I32, 0, 0, gpus_per_node, 1, 65536, NULL, NULL, NONE, "min(8, num_gpus)", "GPUs", "GPUs per node", "the run's GPUs on one node, sharing its host memory; at most num_gpus"),
    H("gpu_memory_gb", NULL, MEM, GM_HOOK_GPU_MEMORY, ZERO, gpu_capacity_bytes, 0, GIB * 16384, NULL, NULL, 80, NULL, "GiB", "Memory per GPU", "capacity per GPU if `gpu` is absent; with `gpu` it is ignored (with a warning when it differs by more than 1 % from the card's measured capacity)"),
    H("cuda_context_gb", NULL, MEM, 0, ZERO, cuda_context_bytes, 0, GIB * 16384, NULL, NULL, 1, NULL, "GiB", "CUDA context", "memory nvidia-smi shows beyond the allocator; overrides the GPU's figure (1 GiB without `gpu`); must be positive"),
    H("host_memory_per_node_gb", NULL, MEM, 0, ZERO, host_memory_per_node_bytes, 0, GIB * 1048576, NULL, NULL, NONE, NULL, "GiB", "Host memory per node", "checked against host use under offload"),
    H("safety_margin", NULL, NUM, 0, 0, safety_margin, 0, 1, NULL, NULL, GM_DEFAULT_SAFETY_MARGIN, NULL, NULL, "Safety margin", "share of the card kept free for the verdict \"fits\"; above it the verdict is \"tight\" (docs/formulas.md section 6.1 gives the evidence for the default); CLI `--margin`"),
    END};
/* clang-format on */

static const char *const ignored_model[] = {"description", NULL};
static const char *const ignored_engine[] = {"zero_init", "description", NULL};
static const char *const ignored_other[] = {"description", NULL};

const gm_section_schema gm_schema[GM_SEC_COUNT] = {
    {"model", offsetof(gm_config, model), sizeof(((gm_config *)0)->model), model_keys,
     ignored_model},
    {"training", offsetof(gm_config, training), sizeof(((gm_config *)0)->training), training_keys,
     ignored_other},
    {"parallelism", offsetof(gm_config, parallel), sizeof(((gm_config *)0)->parallel),
     parallel_keys, ignored_other},
    {"engine", offsetof(gm_config, engine), sizeof(((gm_config *)0)->engine), engine_keys,
     ignored_engine},
    {"hardware", offsetof(gm_config, hardware), sizeof(((gm_config *)0)->hardware), hardware_keys,
     ignored_other},
};

/* Whether name is k's key or an alias: the rank, or -1. The first byte is
 * compared before the rest: most spellings differ there. */
static int match(const gm_key *k, const char *name) {
  const char *const *a = k->aliases;
  int r;
  if (k->key[0] == name[0] && strcmp(k->key, name) == 0) {
    for (r = 0; a && a[r]; r++)
      ;
    return r;
  }
  for (r = 0; a && a[r]; r++)
    if (a[r][0] == name[0] && strcmp(a[r], name) == 0)
      return r;
  return -1;
}

int gm_key_matches(const gm_key *k, const char *name, int *rank) {
  int r = match(k, name);
  if (r >= 0)
    *rank = r;
  return r >= 0;
}

const gm_key *gm_schema_find_from(gm_section s, const char *name, int from, int *rank) {
  const gm_key *keys = gm_schema[s].keys, *k;
  int r, pass;
  /* From the row after the last one found, then from the top: a config
   * written in the rows' order (as `resolved` prints it) finds each key at once. */
  for (pass = 0; pass < 2; pass++) {
    for (k = pass ? keys : keys + from; k->key && (!pass || k < keys + from); k++)
      if ((k->key[0] == name[0] || k->aliases) && (r = match(k, name)) >= 0) {
        if (rank)
          *rank = r;
        return k;
      }
  }
  return NULL;
}

const gm_key *gm_schema_find(gm_section s, const char *name, int *rank) {
  return gm_schema_find_from(s, name, 0, rank);
}

int gm_schema_known(gm_section s, const char *name) {
  const char *const *x;
  if (gm_schema_find(s, name, NULL))
    return 1;
  for (x = gm_schema[s].ignored; *x; x++)
    if ((*x)[0] == name[0] && strcmp(*x, name) == 0)
      return 1;
  return 0;
}

/* Edits (insert, delete, replace) from a to b, or more than 2 when it is more. */
static int edits(const char *a, const char *b) {
  int row[65], i, j, na = (int)strlen(a), nb = (int)strlen(b);
  if (na > 64 || nb > 64 || na - nb > 2 || nb - na > 2)
    return 3;
  for (j = 0; j <= nb; j++)
    row[j] = j;
  for (i = 1; i <= na; i++) {
    int diag = row[0], best;
    row[0] = i, best = i;
    for (j = 1; j <= nb; j++) {
      int up = row[j], d = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < d)
        d = up + 1;
      if (row[j - 1] + 1 < d)
        d = row[j - 1] + 1;
      diag = up, row[j] = d;
      if (d < best)
        best = d;
    }
    if (best > 2)
      return 3;
  }
  return row[nb];
}

const char *gm_schema_closest(gm_section s, const char *name) {
  const gm_key *k, *best = NULL;
  int best_score = 0;
  /* A typo (two edits at most), or the same first words (8 characters at
   * least in common, or the whole key): what people get wrong about a key. */
  for (k = gm_schema[s].keys; k->key; k++) {
    const char *const *a = k->aliases;
    const char *spelling = k->key;
    do { /* the key, then its other spellings */
      int e = edits(name, spelling), common = 0, score;
      while (name[common] && name[common] == spelling[common])
        common++;
      score = e <= 2 ? 100 - e : common >= 8 || (!spelling[common] && common >= 5) ? common : 0;
      if (score > best_score)
        best_score = score, best = k;
    } while (a && (spelling = *a++) != NULL);
  }
  return best ? best->key : NULL;
}

const char *gm_schema_closest_section(const char *name) {
  int i;
  for (i = 0; i < GM_SEC_COUNT; i++)
    if (edits(name, gm_schema[i].name) <= 2)
      return gm_schema[i].name;
  return NULL;
}

/* ---- Bounds of derived values -------------------------------------------- */

/* One section's counts and memory against its rows' bounds; values below 1
 * mean "none" and are printed as null, so only set values are checked. */
static int check_section(const gm_section_schema *sec, const char *base, gm_error *err) {
  const gm_key *k;
  for (k = sec->keys; k->key; k++) {
    const char *p = base + k->offset;
    double v;
    int iv;
    int64_t lv;
    uint64_t uv;
    if (k->hook != GM_HOOK_NONE && k->hook != GM_HOOK_NUM_PARAMS)
      continue;
    switch (k->kind) {
    case GM_K_INT32:
      memcpy(&iv, p, sizeof iv);
      v = iv;
      break;
    case GM_K_INT64:
    case GM_K_SIZE:
      memcpy(&lv, p, sizeof lv);
      v = (double)lv;
      break;
    case GM_K_MEMORY:
      memcpy(&uv, p, sizeof uv);
      if ((double)uv <= k->hi)
        continue;
      v = (double)uv;
      break;
    default:
      continue;
    }
    if (v >= 1 && (v < k->lo || v > k->hi)) {
      snprintf(err->field, sizeof err->field, "%s.%s", sec->name, k->key);
      snprintf(err->message, sizeof err->message,
               "comes to %.15g from the other values, outside %.15g to %.15g; give it, or "
               "change what it is derived from",
               v, k->lo, k->hi);
      return GM_EINVAL;
    }
  }
  return GM_OK;
}

int gm_check_resolved_section(gm_section s, const gm_config *cfg, gm_error *err) {
  return check_section(&gm_schema[s], (const char *)cfg + gm_schema[s].offset, err);
}

int gm_check_resolved(const gm_config *cfg, gm_error *err) {
  int s;
  for (s = 0; s < GM_SEC_COUNT; s++)
    if (gm_check_resolved_section((gm_section)s, cfg, err) != GM_OK)
      return GM_EINVAL;
  return GM_OK;
}
