/* import_yaml.c - YAML launcher configs as our config: Axolotl and
 * LLaMA-Factory training files and accelerate's config (FSDP, DeepSpeed,
 * multi-GPU). The YAML is parsed by libyaml (scripts/fetch_libyaml.sh) into
 * a cJSON tree; plain scalars take YAML 1.2's core schema (null, true/false,
 * numbers), quoted ones stay strings.
 *
 * Keys follow each project's documentation: Axolotl's config reference
 * (docs/config-reference.qmd), LLaMA-Factory's hparams (src/llamafactory/
 * hparams), accelerate's config (commands/config/config_args.py).
 * Compiled only with GM_YAML (the programs that link libyaml). */
#include "import.h"

#ifdef GM_YAML

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64

/* ---- YAML to cJSON ------------------------------------------------------- */

static cJSON *scalar(const yaml_event_t *e) {
  const char *s = (const char *)e->data.scalar.value;
  char *end;
  double v;
  if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return cJSON_CreateString(s);
  if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
      strcmp(s, "NULL") == 0)
    return cJSON_CreateNull();
  if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
    return cJSON_CreateTrue();
  if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
    return cJSON_CreateFalse();
  v = strtod(s, &end);
  if (end != s && !*end && isfinite(v) && strspn(s, "+-0123456789.eE") == strlen(s))
    return cJSON_CreateNumber(v);
  return cJSON_CreateString(s);
}

/* The next node of the parser as cJSON; NULL with msg set on error. */
static cJSON *node(yaml_parser_t *p, yaml_event_t *first, int depth, char *msg, size_t n) {
  yaml_event_t e;
  cJSON *out = NULL, *item;
  if (depth > MAX_DEPTH) {
    snprintf(msg, n, "nested deeper than %d levels", MAX_DEPTH);
    return NULL;
  }
  switch (first->type) {
  case YAML_SCALAR_EVENT:
    return scalar(first);
  case YAML_ALIAS_EVENT:
    snprintf(msg, n, "aliases (*%s) are not read", (const char *)first->data.alias.anchor);
    return NULL;
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    int mapping = first->type == YAML_MAPPING_START_EVENT;
    out = mapping ? cJSON_CreateObject() : cJSON_CreateArray();
    for (;;) {
      char *key = NULL;
      if (!out || !yaml_parser_parse(p, &e))
        goto fail;
      if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
        yaml_event_delete(&e);
        return out;
      }
      if (mapping) {
        if (e.type != YAML_SCALAR_EVENT) {
          snprintf(msg, n, "a mapping key that is not a plain value");
          yaml_event_delete(&e);
          goto fail;
        }
        key = malloc(strlen((const char *)e.data.scalar.value) + 1);
        if (key)
          strcpy(key, (const char *)e.data.scalar.value);
        yaml_event_delete(&e);
        if (!key || !yaml_parser_parse(p, &e)) {
          free(key);
          goto fail;
        }
      }
      item = node(p, &e, depth + 1, msg, n);
      yaml_event_delete(&e);
      if (!item) {
        free(key);
        goto fail;
      }
      if (mapping) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, key); /* the last one wins */
        cJSON_AddItemToObject(out, key, item);
      } else {
        cJSON_AddItemToArray(out, item);
      }
      free(key);
    }
  }
  default:
    snprintf(msg, n, "unexpected YAML structure");
    return NULL;
  }
fail:
  if (!*msg)
    snprintf(msg, n, "%s at line %lu", p->problem ? p->problem : "malformed YAML",
             (unsigned long)p->problem_mark.line + 1);
  cJSON_Delete(out);
  return NULL;
}

cJSON *gm_yaml_parse(const char *text, char *msg, size_t n) {
  yaml_parser_t p;
  yaml_event_t e;
  cJSON *doc = NULL;
  msg[0] = '\0';
  if (!yaml_parser_initialize(&p)) {
    snprintf(msg, n, "out of memory");
    return NULL;
  }
  yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
  /* STREAM-START, DOCUMENT-START, the root node (the first document only). */
  while (yaml_parser_parse(&p, &e)) {
    yaml_event_type_t t = e.type;
    if (t == YAML_STREAM_END_EVENT) {
      yaml_event_delete(&e);
      break;
    }
    if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT ||
        t == YAML_ALIAS_EVENT) {
      doc = node(&p, &e, 0, msg, n);
      yaml_event_delete(&e);
      break;
    }
    yaml_event_delete(&e);
  }
  if (!doc && !*msg)
    snprintf(msg, n, "%s at line %lu", p.problem ? p.problem : "no YAML document",
             (unsigned long)p.problem_mark.line + 1);
  yaml_parser_delete(&p);
  return doc;
}

/* ---- Mapping -------------------------------------------------------------- */

static const cJSON *get(const cJSON *o, const char *k) {
  return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int whole(const cJSON *v, double lo, double hi) {
  return cJSON_IsNumber(v) && v->valuedouble >= lo && v->valuedouble <= hi &&
         v->valuedouble == floor(v->valuedouble);
}

/* key (a whole number) to `to`; 1 when mapped. */
static int number(gm_import *im, const cJSON *o, const char *key, const char *to, double lo,
                  double hi) {
  const cJSON *v = get(o, key);
  if (!v || cJSON_IsNull(v))
    return 0;
  if (!whole(v, lo, hi)) {
    gm_import_warn(im, key, "not mapped: expected a whole number");
    return 0;
  }
  gm_import_set(im, key, to, cJSON_CreateNumber(v->valuedouble), NULL);
  return 1;
}

static int truthy(const cJSON *v) {
  return cJSON_IsTrue(v) || (cJSON_IsString(v) && strcmp(v->valuestring, "auto") == 0);
}

/* The Hugging Face id of the model: a preset when one has it. */
static void base_model(gm_import *im, const char *key, const cJSON *v) {
  if (!cJSON_IsString(v))
    return;
  if (gm_find_model_preset(v->valuestring))
    gm_import_set(im, key, "model.preset", cJSON_CreateString(v->valuestring), NULL);
  else
    gm_import_warn(im, key,
                   "%s is not a preset: give its config.json with --model (or --set "
                   "model.preset=ID)",
                   v->valuestring);
}

/* Optimizer names of the Hugging Face Trainer (--optim) and bitsandbytes. */
static void optimizer(gm_import *im, const char *key, const cJSON *v) {
  static const char *const names[][2] = {{"adamw_torch", "adamw"},
                                         {"adamw_torch_fused", "adamw"},
                                         {"adamw_hf", "adamw"},
                                         {"adamw_apex_fused", "adamw"},
                                         {"adamw", "adamw"},
                                         {"adam", "adam"},
                                         {"adamw_bnb_8bit", "adamw_8bit"},
                                         {"adamw_8bit", "adamw_8bit"},
                                         {"paged_adamw_8bit", "adamw_8bit"},
                                         {"adam8bit", "adamw_8bit"},
                                         {"paged_adamw_32bit", "adamw"},
                                         {"sgd", "sgd"},
                                         {"adafactor", "adafactor"},
                                         {"lion_32bit", "lion"},
                                         {"paged_lion_32bit", "lion"},
                                         {"lion", "lion"}};
  size_t i;
  if (!cJSON_IsString(v))
    return;
  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(v->valuestring, names[i][0]) == 0) {
      gm_import_set(im, key, "training.optimizer", cJSON_CreateString(names[i][1]),
                    strncmp(v->valuestring, "paged_", 6) == 0
                        ? "paged: the states may move to host memory under pressure; counted on "
                          "the GPU"
                        : NULL);
      return;
    }
  gm_import_warn(im, key, "not mapped: %s is not modelled; the optimizer stays adamw",
                 v->valuestring);
}

static void dtype(gm_import *im, const cJSON *o) {
  if (truthy(get(o, "bf16")))
    gm_import_set(im, "bf16", "training.dtype", cJSON_CreateString("bf16"), NULL);
  else if (truthy(get(o, "fp16")))
    gm_import_set(im, "fp16", "training.dtype", cJSON_CreateString("fp16"), NULL);
  else if (cJSON_IsTrue(get(o, "tf32")) || cJSON_IsFalse(get(o, "bf16")))
    gm_import_set(im, "bf16", "training.dtype", cJSON_CreateString("fp32"),
                  "neither bf16 nor fp16");
}

/* A referenced DeepSpeed config is a file of its own. */
static void referenced_deepspeed(gm_import *im, const char *key, const cJSON *v) {
  if (cJSON_IsString(v)) {
    gm_import_set(im, key, "engine.type", cJSON_CreateString("deepspeed"), NULL);
    gm_import_warn(im, key, "%s is not read: give it too (--deepspeed %s)", v->valuestring,
                   v->valuestring);
  }
}

/* Report every key of o not in handled as without effect (no_effect) or unknown. */
static void rest(gm_import *im, const cJSON *o, const char *const *handled,
                 const char *const *no_effect) {
  const cJSON *v;
  cJSON_ArrayForEach(v, o) {
    const char *const *k;
    int found = 0;
    for (k = handled; *k && !found; k++)
      found = strcmp(*k, v->string) == 0;
    if (found)
      continue;
    for (k = no_effect; *k && !found; k++) {
      size_t n = strlen(*k);
      found = (*k)[n - 1] == '*' ? strncmp(v->string, *k, n - 1) == 0 : strcmp(*k, v->string) == 0;
    }
    if (found)
      gm_import_ignore(im, v->string, "no effect on memory");
    else if (!cJSON_IsNull(v) && !cJSON_IsFalse(v))
      gm_import_warn(im, v->string, "not recognised; its effect is not counted");
  }
}

static const char *const trainer_no_effect[] = {"datasets",
                                                "dataset*",
                                                "val_set_size",
                                                "output_dir",
                                                "learning_rate",
                                                "lr_*",
                                                "num_epochs",
                                                "num_train_epochs",
                                                "warmup*",
                                                "logging_*",
                                                "eval*",
                                                "save*",
                                                "weight_decay",
                                                "seed",
                                                "wandb_*",
                                                "report_to",
                                                "hub_*",
                                                "push_to_hub",
                                                "resume_from_checkpoint",
                                                "max_grad_norm",
                                                "max_steps",
                                                "plot_loss",
                                                "overwrite_*",
                                                "template",
                                                "preprocessing_num_workers",
                                                "dataloader_*",
                                                "ddp_timeout",
                                                "max_samples",
                                                "do_train",
                                                "do_eval",
                                                "trust_remote_code",
                                                "special_tokens",
                                                "tokens",
                                                "chat_template",
                                                "train_on_inputs",
                                                "group_by_length",
                                                "strict",
                                                "shuffle_*",
                                                "debug*",
                                                "early_stopping_patience",
                                                "local_rank",
                                                "xformers_attention",
                                                "logging_steps",
                                                "per_device_eval_batch_size",
                                                "eval_batch_size",
                                                "tokenizer_type",
                                                "model_type",
                                                "is_llama_derived_model",
                                                "lora_dropout",
                                                "lora_alpha",
                                                "lora_fan_in_fan_out",
                                                "pad_to_sequence_len",
                                                "sample_packing",
                                                "eval_sample_packing",
                                                "optim_args",
                                                "lr_scheduler*",
                                                "cosine_*",
                                                "gradient_checkpointing_kwargs",
                                                "use_reentrant",
                                                "adam_*",
                                                "loss_watchdog_*",
                                                "stage",
                                                "do_predict",
                                                "cutoff_len_*",
                                                "packing",
                                                "neat_packing",
                                                "ddp_find_unused_parameters",
                                                "resize_vocab",
                                                "use_fast_tokenizer",
                                                "dataset_dir",
                                                "val_size",
                                                "finetuning_args",
                                                "lora_dropout",
                                                "pissa_*",
                                                "use_dora",
                                                "bnb_config_kwargs",
                                                NULL};

/* Axolotl: https://docs.axolotl.ai/docs/config-reference.html */
static void axolotl(gm_import *im, const cJSON *o) {
  static const char *const handled[] = {"base_model",
                                        "sequence_len",
                                        "micro_batch_size",
                                        "gradient_accumulation_steps",
                                        "adapter",
                                        "lora_r",
                                        "lora_target_linear",
                                        "lora_target_modules",
                                        "load_in_4bit",
                                        "load_in_8bit",
                                        "bf16",
                                        "fp16",
                                        "tf32",
                                        "gradient_checkpointing",
                                        "optimizer",
                                        "flash_attention",
                                        "sdp_attention",
                                        "deepspeed",
                                        "fsdp",
                                        "fsdp_config",
                                        "torch_compile",
                                        NULL};
  const cJSON *v;
  gm_import_set(im, "(an Axolotl config)", "engine.framework", cJSON_CreateString("hf_trainer"),
                "Axolotl trains with the Hugging Face Trainer");
  base_model(im, "base_model", get(o, "base_model"));
  number(im, o, "sequence_len", "training.seq_len", 1, 1e8);
  number(im, o, "micro_batch_size", "training.batch_size", 1, 1e7);
  number(im, o, "gradient_accumulation_steps", "training.gradient_accumulation_steps", 1, 1e9);
  v = get(o, "adapter");
  if (cJSON_IsString(v) &&
      (strcmp(v->valuestring, "lora") == 0 || strcmp(v->valuestring, "qlora") == 0))
    gm_import_set(im, "adapter", "training.finetune",
                  cJSON_CreateString(strcmp(v->valuestring, "qlora") == 0 ||
                                             cJSON_IsTrue(get(o, "load_in_4bit"))
                                         ? "qlora"
                                         : "lora"),
                  NULL);
  else if (cJSON_IsString(v))
    gm_import_warn(im, "adapter", "not mapped: %s (lora or qlora)", v->valuestring);
  if (cJSON_IsTrue(get(o, "load_in_8bit")))
    gm_import_warn(im, "load_in_8bit", "not mapped: an 8-bit base model is not modelled");
  number(im, o, "lora_r", "training.lora_rank", 1, 65536);
  if (cJSON_IsTrue(get(o, "lora_target_linear")))
    gm_import_set(im, "lora_target_linear", "training.lora_targets", cJSON_CreateString("all"),
                  NULL);
  v = get(o, "lora_target_modules");
  if (cJSON_IsArray(v) && !cJSON_IsTrue(get(o, "lora_target_linear"))) {
    int n = cJSON_GetArraySize(v);
    const cJSON *a = cJSON_GetArrayItem(v, 0), *b = cJSON_GetArrayItem(v, 1);
    int qv = n == 2 && cJSON_IsString(a) && cJSON_IsString(b) &&
             ((strcmp(a->valuestring, "q_proj") == 0 && strcmp(b->valuestring, "v_proj") == 0) ||
              (strcmp(a->valuestring, "v_proj") == 0 && strcmp(b->valuestring, "q_proj") == 0));
    if (qv || n >= 7)
      gm_import_set(im, "lora_target_modules", "training.lora_targets",
                    cJSON_CreateString(qv ? "qv" : "all"), NULL);
    else
      gm_import_warn(im, "lora_target_modules",
                     "not mapped: only q_proj+v_proj or every linear are modelled");
  }
  dtype(im, o);
  if (truthy(get(o, "gradient_checkpointing")))
    gm_import_set(im, "gradient_checkpointing", "training.activation_checkpointing",
                  cJSON_CreateString("full"), NULL);
  optimizer(im, "optimizer", get(o, "optimizer"));
  if (cJSON_IsTrue(get(o, "flash_attention")) || cJSON_IsTrue(get(o, "sdp_attention")))
    gm_import_set(im, cJSON_IsTrue(get(o, "flash_attention")) ? "flash_attention" : "sdp_attention",
                  "training.attention", cJSON_CreateString("flash"), NULL);
  if (cJSON_IsTrue(get(o, "torch_compile")))
    gm_import_set(im, "torch_compile", "training.compile", cJSON_CreateTrue(), NULL);
  referenced_deepspeed(im, "deepspeed", get(o, "deepspeed"));
  if (cJSON_IsArray(get(o, "fsdp")) || cJSON_IsObject(get(o, "fsdp_config")))
    gm_import_set(im, cJSON_IsArray(get(o, "fsdp")) ? "fsdp" : "fsdp_config", "engine.type",
                  cJSON_CreateString("fsdp"), NULL);
  rest(im, o, handled, trainer_no_effect);
}

/* LLaMA-Factory: src/llamafactory/hparams (model_args, finetuning_args, and
 * the Trainer's own arguments). */
static void llama_factory(gm_import *im, const cJSON *o) {
  static const char *const handled[] = {"model_name_or_path",
                                        "cutoff_len",
                                        "per_device_train_batch_size",
                                        "gradient_accumulation_steps",
                                        "finetuning_type",
                                        "lora_rank",
                                        "lora_target",
                                        "quantization_bit",
                                        "bf16",
                                        "fp16",
                                        "tf32",
                                        "disable_gradient_checkpointing",
                                        "optim",
                                        "flash_attn",
                                        "deepspeed",
                                        "quantization_method",
                                        NULL};
  const cJSON *v;
  gm_import_set(im, "(a LLaMA-Factory config)", "engine.framework",
                cJSON_CreateString("hf_trainer"),
                "LLaMA-Factory trains with the Hugging Face Trainer");
  base_model(im, "model_name_or_path", get(o, "model_name_or_path"));
  number(im, o, "cutoff_len", "training.seq_len", 1, 1e8);
  number(im, o, "per_device_train_batch_size", "training.batch_size", 1, 1e7);
  number(im, o, "gradient_accumulation_steps", "training.gradient_accumulation_steps", 1, 1e9);
  v = get(o, "finetuning_type");
  if (cJSON_IsString(v) && strcmp(v->valuestring, "lora") == 0)
    gm_import_set(im, "finetuning_type", "training.finetune",
                  cJSON_CreateString(whole(get(o, "quantization_bit"), 4, 4) ? "qlora" : "lora"),
                  NULL);
  else if (cJSON_IsString(v) && strcmp(v->valuestring, "full") != 0)
    gm_import_warn(im, "finetuning_type", "not mapped: %s (full or lora)", v->valuestring);
  if (get(o, "quantization_bit") && !whole(get(o, "quantization_bit"), 4, 4))
    gm_import_warn(im, "quantization_bit", "not mapped: only a 4-bit base (QLoRA) is modelled");
  number(im, o, "lora_rank", "training.lora_rank", 1, 65536);
  v = get(o, "lora_target");
  if (cJSON_IsString(v) &&
      (strcmp(v->valuestring, "all") == 0 || strcmp(v->valuestring, "q_proj,v_proj") == 0))
    gm_import_set(im, "lora_target", "training.lora_targets",
                  cJSON_CreateString(strcmp(v->valuestring, "all") == 0 ? "all" : "qv"), NULL);
  else if (v)
    gm_import_warn(im, "lora_target", "not mapped: only all or q_proj,v_proj are modelled");
  dtype(im, o);
  /* LLaMA-Factory turns gradient checkpointing on unless told not to
   * (model/model_utils/checkpointing.py). */
  gm_import_set(
      im,
      cJSON_IsTrue(get(o, "disable_gradient_checkpointing"))
          ? "disable_gradient_checkpointing"
          : "(no disable_gradient_checkpointing)",
      "training.activation_checkpointing",
      cJSON_CreateString(cJSON_IsTrue(get(o, "disable_gradient_checkpointing")) ? "none" : "full"),
      "LLaMA-Factory's default is on");
  optimizer(im, "optim", get(o, "optim"));
  v = get(o, "flash_attn");
  if (cJSON_IsString(v) &&
      (strcmp(v->valuestring, "fa2") == 0 || strcmp(v->valuestring, "sdpa") == 0 ||
       strcmp(v->valuestring, "auto") == 0))
    gm_import_set(im, "flash_attn", "training.attention", cJSON_CreateString("flash"), NULL);
  else if (cJSON_IsString(v) && strcmp(v->valuestring, "disabled") == 0)
    gm_import_set(im, "flash_attn", "training.attention", cJSON_CreateString("eager"), NULL);
  referenced_deepspeed(im, "deepspeed", get(o, "deepspeed"));
  rest(im, o, handled, trainer_no_effect);
}

/* accelerate's config file (accelerate config / default_config.yaml). */
static void accelerate(gm_import *im, const cJSON *o) {
  static const char *const handled[] = {"distributed_type",
                                        "num_processes",
                                        "num_machines",
                                        "mixed_precision",
                                        "deepspeed_config",
                                        "fsdp_config",
                                        NULL};
  static const char *const no_effect[] = {"compute_environment",
                                          "debug",
                                          "machine_rank",
                                          "main_training_function",
                                          "rdzv_backend",
                                          "same_network",
                                          "tpu_*",
                                          "use_cpu",
                                          "downcast_bf16",
                                          "main_process_*",
                                          "gpu_ids",
                                          "enable_cpu_affinity",
                                          "dynamo_config",
                                          NULL};
  const cJSON *v = get(o, "distributed_type"), *ds = get(o, "deepspeed_config"),
              *fsdp = get(o, "fsdp_config"), *k;
  double procs = 0, machines = 1;
  const char *type = cJSON_IsString(v) ? v->valuestring : "";
  if (strcmp(type, "DEEPSPEED") == 0)
    gm_import_set(im, "distributed_type", "engine.type", cJSON_CreateString("deepspeed"), NULL);
  else if (strcmp(type, "FSDP") == 0)
    gm_import_set(im, "distributed_type", "engine.type", cJSON_CreateString("fsdp"), NULL);
  else if (strcmp(type, "MULTI_GPU") == 0 || strcmp(type, "NO") == 0)
    gm_import_set(im, "distributed_type", "engine.type", cJSON_CreateString("pytorch_ddp"), NULL);
  else if (*type)
    gm_import_warn(im, "distributed_type", "not mapped: %s", type);
  if (whole(get(o, "num_processes"), 1, 1e7)) {
    procs = get(o, "num_processes")->valuedouble;
    if (whole(get(o, "num_machines"), 1, 1e6))
      machines = get(o, "num_machines")->valuedouble;
    /* accelerate's num_processes counts every process of the job. */
    gm_import_set(im, "num_processes", "hardware.num_gpus", cJSON_CreateNumber(procs), NULL);
    if (fmod(procs, machines) == 0 && procs / machines <= 65536)
      gm_import_set(im, "num_machines", "hardware.gpus_per_node",
                    cJSON_CreateNumber(procs / machines), "num_processes / num_machines");
  }
  v = get(o, "mixed_precision");
  if (cJSON_IsString(v) &&
      (strcmp(v->valuestring, "bf16") == 0 || strcmp(v->valuestring, "fp16") == 0))
    gm_import_set(im, "mixed_precision", "training.dtype", cJSON_CreateString(v->valuestring),
                  NULL);
  else if (cJSON_IsString(v) && strcmp(v->valuestring, "no") == 0)
    gm_import_set(im, "mixed_precision", "training.dtype", cJSON_CreateString("fp32"), NULL);
  else if (cJSON_IsString(v))
    gm_import_warn(im, "mixed_precision", "not mapped: %s", v->valuestring);
  cJSON_ArrayForEach(k, ds) {
    char from[96];
    snprintf(from, sizeof from, "deepspeed_config.%s", k->string);
    if (strcmp(k->string, "zero_stage") == 0 && whole(k, 0, 3))
      gm_import_set(im, from, "engine.zero_stage", cJSON_CreateNumber(k->valuedouble), NULL);
    else if ((strcmp(k->string, "offload_optimizer_device") == 0 ||
              strcmp(k->string, "offload_param_device") == 0) &&
             cJSON_IsString(k))
      gm_import_set(im, from,
                    k->string[8] == 'o' ? "engine.offload_optimizer" : "engine.offload_param",
                    cJSON_CreateString(k->valuestring), NULL);
    else if (strcmp(k->string, "gradient_accumulation_steps") == 0 && whole(k, 1, 1e9))
      gm_import_set(im, from, "training.gradient_accumulation_steps",
                    cJSON_CreateNumber(k->valuedouble), NULL);
    else if (strcmp(k->string, "deepspeed_config_file") == 0)
      referenced_deepspeed(im, from, k);
    else if (strcmp(k->string, "zero3_init_flag") == 0 ||
             strcmp(k->string, "zero3_save_16bit_model") == 0 ||
             strcmp(k->string, "deepspeed_multinode_launcher") == 0)
      gm_import_ignore(im, from, "no effect on the training peak");
    else
      gm_import_warn(im, from, "not recognised; its effect is not counted");
  }
  cJSON_ArrayForEach(k, fsdp) {
    char from[96];
    snprintf(from, sizeof from, "fsdp_config.%s", k->string);
    if (strcmp(k->string, "fsdp_sharding_strategy") == 0) {
      /* A name, or torch's ShardingStrategy number (1 full, 2 grad-op, 3 none, 4 hybrid). */
      static const char *const by_number[] = {"", "full_shard", "shard_grad_op", "no_shard",
                                              "hybrid_shard"};
      const char *s = whole(k, 1, 4)      ? by_number[(int)k->valuedouble]
                      : cJSON_IsString(k) ? k->valuestring
                                          : "";
      char lower[32];
      size_t i;
      for (i = 0; s[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
      lower[i] = '\0';
      if (strcmp(lower, "full_shard") == 0 || strcmp(lower, "shard_grad_op") == 0 ||
          strcmp(lower, "no_shard") == 0 || strcmp(lower, "hybrid_shard") == 0)
        gm_import_set(im, from, "engine.sharding_strategy", cJSON_CreateString(lower), NULL);
      else
        gm_import_warn(im, from, "not mapped: %s", s);
    } else if (strcmp(k->string, "fsdp_offload_params") == 0 && cJSON_IsBool(k)) {
      /* FSDP's CPUOffload moves parameters, gradients and optimizer states. */
      gm_import_set(im, from, "engine.offload_param",
                    cJSON_CreateString(cJSON_IsTrue(k) ? "cpu" : "none"), NULL);
      gm_import_set(im, from, "engine.offload_optimizer",
                    cJSON_CreateString(cJSON_IsTrue(k) ? "cpu" : "none"), NULL);
    } else if (strcmp(k->string, "fsdp_activation_checkpointing") == 0 && cJSON_IsBool(k)) {
      gm_import_set(im, from, "training.activation_checkpointing",
                    cJSON_CreateString(cJSON_IsTrue(k) ? "full" : "none"), NULL);
    } else if (strcmp(k->string, "fsdp_reshard_after_forward") == 0 && cJSON_IsBool(k)) {
      gm_import_set(im, from, "engine.reshard_after_forward", cJSON_CreateBool(cJSON_IsTrue(k)),
                    NULL);
    } else if (strcmp(k->string, "fsdp_auto_wrap_policy") == 0 ||
               strcmp(k->string, "fsdp_transformer_layer_cls_to_wrap") == 0 ||
               strcmp(k->string, "fsdp_backward_prefetch") == 0 ||
               strcmp(k->string, "fsdp_backward_prefetch_policy") == 0 ||
               strcmp(k->string, "fsdp_forward_prefetch") == 0 ||
               strcmp(k->string, "fsdp_state_dict_type") == 0 ||
               strcmp(k->string, "fsdp_sync_module_states") == 0 ||
               strcmp(k->string, "fsdp_use_orig_params") == 0 ||
               strcmp(k->string, "fsdp_cpu_ram_efficient_loading") == 0 ||
               strcmp(k->string, "fsdp_version") == 0 ||
               strcmp(k->string, "fsdp_min_num_params") == 0) {
      gm_import_ignore(im, from, "the model gathers one decoder layer at a time");
    } else {
      gm_import_warn(im, from, "not recognised; its effect is not counted");
    }
  }
  rest(im, o, handled, no_effect);
}

int gm_import_yaml(gm_import *im, const cJSON *o, const char **detected, gm_error *err) {
  if (!cJSON_IsObject(o)) {
    snprintf(err->field, sizeof err->field, "yaml");
    snprintf(err->message, sizeof err->message, "a YAML document that is not a mapping");
    return GM_EINVAL;
  }
  if (get(o, "base_model") || get(o, "sequence_len") || get(o, "micro_batch_size")) {
    *detected = "an Axolotl config (YAML)";
    axolotl(im, o);
  } else if (get(o, "model_name_or_path") || get(o, "finetuning_type") || get(o, "cutoff_len")) {
    *detected = "a LLaMA-Factory config (YAML)";
    llama_factory(im, o);
  } else if (get(o, "distributed_type") || get(o, "compute_environment")) {
    *detected = "an accelerate config (YAML)";
    accelerate(im, o);
  } else {
    snprintf(err->field, sizeof err->field, "yaml");
    snprintf(err->message, sizeof err->message,
             "a YAML file that is neither an Axolotl, a LLaMA-Factory nor an accelerate config");
    return GM_EINVAL;
  }
  return GM_OK;
}

#else
/* Built without libyaml: import.c reports YAML as not supported. */
typedef int gm_no_yaml;
#endif
