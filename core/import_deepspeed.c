/* import_deepspeed.c - a DeepSpeed config (ds_config.json) as our config.
 *
 * Keys follow DeepSpeed's configuration reference
 * (https://www.deepspeed.ai/docs/config-json/). "auto" values are those the
 * Hugging Face Trainer fills in (transformers/integrations/deepspeed.py,
 * HfTrainerDeepSpeedConfig.trainer_config_process): batch sizes and
 * precision from its arguments, reduce_bucket_size = h^2,
 * stage3_prefetch_bucket_size = 0.9 h^2, persistence threshold 10 h. A file
 * with "auto" therefore runs under the Trainer, whose defaults the core
 * applies for framework hf_trainer. */
#include "import.h"

#include <stdio.h>
#include <string.h>

/* A whole number in [1, 1e15]. */
static int whole(double x) { return x >= 1 && x <= 1e15 && x == (double)(int64_t)x; }

static int is_auto(const cJSON *v) {
  return cJSON_IsString(v) && strcmp(v->valuestring, "auto") == 0;
}

static void path_of(char *out, size_t n, const char *section, const char *key) {
  if (section)
    snprintf(out, n, "%s.%s", section, key);
  else
    snprintf(out, n, "%s", key);
}

/* What one key of a section becomes. */
typedef enum {
  DS_INT,     /* a whole number, as is */
  DS_SIZE,    /* a number of elements, "auto" filled by the Trainer */
  DS_BOOL,    /* true/false */
  DS_IGNORE,  /* no effect on memory: reason */
  DS_UNMAPPED /* affects memory, not modelled: reason */
} ds_kind;

typedef struct {
  const char *key;
  ds_kind kind;
  const char *to; /* our dotted path, or the reason for IGNORE/UNMAPPED */
} ds_key;

static const ds_key zero_keys[] = {
    {"reduce_bucket_size", DS_SIZE, "engine.reduce_bucket_size"},
    {"allgather_bucket_size", DS_SIZE, "engine.allgather_bucket_size"},
    {"overlap_comm", DS_BOOL, "engine.overlap_comm"},
    {"stage3_max_live_parameters", DS_SIZE, "engine.stage3_max_live_parameters"},
    {"stage3_prefetch_bucket_size", DS_SIZE, "engine.stage3_prefetch_bucket_size"},
    {"sub_group_size", DS_SIZE, "engine.sub_group_size"},
    {"contiguous_gradients", DS_IGNORE,
     "copies gradients into one buffer as they are produced; the gradient bytes are the same"},
    {"reduce_scatter", DS_IGNORE, "reduce-scatter rather than all-reduce; same buffers"},
    {"allgather_partitions", DS_IGNORE, "all-gather rather than broadcasts; same buffers"},
    {"round_robin_gradients", DS_IGNORE, "orders the gradient copy to the host; same bytes"},
    {"elastic_checkpoint", DS_IGNORE, "checkpoint format"},
    {"load_from_fp32_weights", DS_IGNORE, "checkpoint loading"},
    {"ignore_unused_parameters", DS_IGNORE, "error handling"},
    {"stage3_gather_16bit_weights_on_model_save", DS_IGNORE, "applies when saving only"},
    {"stage3_gather_fp16_weights_on_model_save", DS_IGNORE, "applies when saving only"},
    {"gather_16bit_weights_on_model_save", DS_IGNORE, "applies when saving only"},
    {"stage3_max_reuse_distance", DS_UNMAPPED,
     "parameters reused within this distance stay gathered; the model gathers one unit at a "
     "time plus the prefetch bucket"},
    {"stage3_param_persistence_threshold", DS_UNMAPPED,
     "parameters below it stay gathered on every GPU (small: biases and norms, 10 h under the "
     "Trainer); not counted"},
    {"zero_hpz_partition_size", DS_UNMAPPED, "ZeRO++ hierarchical partitioning is not modelled"},
    {"zero_quantized_weights", DS_UNMAPPED, "ZeRO++ quantized weights are not modelled"},
    {"zero_quantized_gradients", DS_UNMAPPED, "ZeRO++ quantized gradients are not modelled"},
    {"mics_shard_size", DS_UNMAPPED, "MiCS sharding groups are not modelled"},
    {NULL, 0, NULL}};

static const ds_key top_keys[] = {
    {"steps_per_print", DS_IGNORE, "logging"},
    {"wall_clock_breakdown", DS_IGNORE, "logging"},
    {"dump_state", DS_IGNORE, "logging"},
    {"flops_profiler", DS_IGNORE, "profiling"},
    {"tensorboard", DS_IGNORE, "logging"},
    {"wandb", DS_IGNORE, "logging"},
    {"csv_monitor", DS_IGNORE, "logging"},
    {"comms_logger", DS_IGNORE, "logging"},
    {"scheduler", DS_IGNORE, "the learning-rate schedule keeps no tensors"},
    {"gradient_clipping", DS_IGNORE, "the norm is reduced in place"},
    {"prescale_gradients", DS_IGNORE, "scales in place"},
    {"gradient_predivide_factor", DS_IGNORE, "scales in place"},
    {"zero_allow_untested_optimizer", DS_IGNORE, "a check"},
    {"zero_force_ds_cpu_optimizer", DS_IGNORE, "a check"},
    {"communication_data_type", DS_UNMAPPED, "the gradient reduction dtype is not modelled"},
    {"data_types", DS_UNMAPPED,
     "grad_accum_dtype changes the accumulated gradients' dtype; not modelled"},
    {"sparse_gradients", DS_UNMAPPED, "sparse embedding gradients are not modelled"},
    {"amp", DS_UNMAPPED, "NVIDIA Apex AMP is not modelled; set training.precision"},
    {"compression_training", DS_UNMAPPED, "compression is not modelled"},
    {"pipeline", DS_UNMAPPED, "DeepSpeed's pipeline engine: set parallelism.* directly"},
    {"elasticity", DS_UNMAPPED, "elastic batch sizes are not modelled"},
    {NULL, 0, NULL}};

/* Apply a table entry for key=v in section; 1 when the key was in the table. */
static int apply_key(gm_import *im, const ds_key *table, const char *section, const cJSON *v,
                     int *saw_auto) {
  char from[96];
  const ds_key *k;
  for (k = table; k->key; k++)
    if (strcmp(k->key, v->string) == 0)
      break;
  if (!k->key)
    return 0;
  path_of(from, sizeof from, section, k->key);
  switch (k->kind) {
  case DS_IGNORE:
    gm_import_ignore(im, from, k->to);
    break;
  case DS_UNMAPPED:
    gm_import_warn(im, from, "not mapped: %s", k->to);
    break;
  case DS_BOOL:
    if (cJSON_IsBool(v))
      gm_import_set(im, from, k->to, cJSON_CreateBool(cJSON_IsTrue(v)), NULL);
    else
      gm_import_warn(im, from, "not mapped: expected true or false");
    break;
  case DS_INT:
  case DS_SIZE:
    if (is_auto(v)) {
      *saw_auto = 1;
      gm_import_ignore(im, from,
                       "\"auto\": the Hugging Face Trainer sizes it from the model (framework "
                       "hf_trainer applies the same rule)");
    } else if (cJSON_IsNumber(v) && v->valuedouble >= 1) {
      gm_import_set(im, from, k->to, cJSON_CreateNumber(v->valuedouble), NULL);
    } else {
      char got[32];
      if (cJSON_IsNumber(v))
        snprintf(got, sizeof got, "%g", v->valuedouble);
      else
        snprintf(got, sizeof got, "%s", cJSON_IsString(v) ? "a string" : "not a number");
      gm_import_warn(im, from,
                     "not mapped: expected a positive number or \"auto\", got %s; the "
                     "default applies",
                     got);
    }
    break;
  }
  return 1;
}

/* offload_optimizer / offload_param: {"device": "cpu"|"nvme"|"none", "nvme_path",
 * "pin_memory", "buffer_count", ...}. */
static void offload(gm_import *im, const cJSON *sec, const char *name, const char *to) {
  const cJSON *v;
  char from[96];
  if (!cJSON_IsObject(sec)) {
    snprintf(from, sizeof from, "zero_optimization.%s", name);
    if (!cJSON_IsNull(sec))
      gm_import_warn(im, from, "not mapped: expected an object with \"device\"");
    return;
  }
  cJSON_ArrayForEach(v, sec) {
    snprintf(from, sizeof from, "zero_optimization.%s.%s", name, v->string);
    if (strcmp(v->string, "device") == 0) {
      if (cJSON_IsString(v) &&
          (strcmp(v->valuestring, "cpu") == 0 || strcmp(v->valuestring, "nvme") == 0 ||
           strcmp(v->valuestring, "none") == 0))
        gm_import_set(im, from, to, cJSON_CreateString(v->valuestring), NULL);
      else
        gm_import_warn(im, from, "not mapped: expected cpu, nvme or none");
    } else if (strcmp(v->string, "nvme_path") == 0) {
      gm_import_ignore(im, from, "where the NVMe files go; their size is reported");
    } else if (strcmp(v->string, "pin_memory") == 0) {
      gm_import_ignore(im, from,
                       "page-locks the host copy; the same host bytes are reported either way");
    } else if (strcmp(v->string, "fast_init") == 0) {
      gm_import_ignore(im, from, "initialisation speed");
    } else if (strcmp(v->string, "ratio") == 0) {
      gm_import_warn(im, from,
                     "not mapped: a partial optimizer offload is not modelled; "
                     "counted as all offloaded");
    } else {
      gm_import_warn(im, from,
                     "not mapped: the NVMe/pinned staging buffers (%s) are not "
                     "modelled",
                     v->string);
    }
  }
}

static void zero(gm_import *im, const cJSON *z, int *saw_auto) {
  const cJSON *v;
  char from[96];
  cJSON_ArrayForEach(v, z) {
    snprintf(from, sizeof from, "zero_optimization.%s", v->string);
    if (strcmp(v->string, "stage") == 0) {
      if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 3 &&
          v->valuedouble == (int)v->valuedouble)
        gm_import_set(im, from, "engine.zero_stage", cJSON_CreateNumber(v->valuedouble), NULL);
      else
        gm_import_warn(im, from, "not mapped: expected 0, 1, 2 or 3");
    } else if (strcmp(v->string, "offload_optimizer") == 0) {
      offload(im, v, "offload_optimizer", "engine.offload_optimizer");
    } else if (strcmp(v->string, "offload_param") == 0) {
      offload(im, v, "offload_param", "engine.offload_param");
    } else if (strcmp(v->string, "cpu_offload") == 0) { /* before DeepSpeed 0.3.16 */
      if (cJSON_IsTrue(v))
        gm_import_set(im, from, "engine.offload_optimizer", cJSON_CreateString("cpu"),
                      "the older spelling of offload_optimizer.device cpu");
    } else if (strcmp(v->string, "cpu_offload_params") == 0) {
      if (cJSON_IsTrue(v))
        gm_import_set(im, from, "engine.offload_param", cJSON_CreateString("cpu"),
                      "the older spelling of offload_param.device cpu");
    } else if (!apply_key(im, zero_keys, "zero_optimization", v, saw_auto)) {
      gm_import_warn(im, from, "not recognised");
    }
  }
}

/* fp16 / bf16 sections: {"enabled": true|false|"auto", ...}. Returns 1 when
 * enabled, 0 when not, -1 for "auto". */
static int precision(gm_import *im, const cJSON *sec, const char *name) {
  const cJSON *en = cJSON_GetObjectItemCaseSensitive(sec, "enabled"), *v;
  char from[96];
  cJSON_ArrayForEach(v, sec) {
    if (strcmp(v->string, "enabled") == 0)
      continue;
    snprintf(from, sizeof from, "%s.%s", name, v->string);
    gm_import_ignore(im, from, "loss scaling keeps no tensors");
  }
  if (is_auto(en))
    return -1;
  /* DeepSpeed: a section without "enabled" is off. */
  return cJSON_IsTrue(en) ? 1 : 0;
}

static void optimizer(gm_import *im, const cJSON *opt, int *saw_auto) {
  static const char *const names[][2] = {{"adam", "adam"},      {"adamw", "adamw"},
                                         {"fusedadam", "adam"}, {"cpuadam", "adam"},
                                         {"lion", "lion"},      {"sgd", "sgd"}};
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(opt, "type"), *params, *v;
  char lower[32] = "";
  size_t i;
  if (is_auto(type)) {
    *saw_auto = 1;
    gm_import_ignore(im, "optimizer.type", "\"auto\": the Trainer's --optim (AdamW by default)");
  } else if (cJSON_IsString(type)) {
    for (i = 0; type->valuestring[i] && i + 1 < sizeof lower; i++)
      lower[i] = (char)(type->valuestring[i] >= 'A' && type->valuestring[i] <= 'Z'
                            ? type->valuestring[i] - 'A' + 'a'
                            : type->valuestring[i]);
    lower[i] = '\0';
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
      if (strcmp(lower, names[i][0]) == 0)
        break;
    if (i < sizeof names / sizeof names[0])
      gm_import_set(im, "optimizer.type", "training.optimizer", cJSON_CreateString(names[i][1]),
                    NULL);
    else
      gm_import_warn(im, "optimizer.type",
                     "not mapped: %s is not modelled (adam, adamw, lion, sgd are); the "
                     "optimizer stays adamw",
                     type->valuestring);
  }
  params = cJSON_GetObjectItemCaseSensitive(opt, "params");
  cJSON_ArrayForEach(v, params) {
    char from[96];
    snprintf(from, sizeof from, "optimizer.params.%s", v->string);
    if (strcmp(v->string, "momentum") == 0 && cJSON_IsString(type) && strcmp(lower, "sgd") == 0 &&
        cJSON_IsNumber(v))
      gm_import_set(im, from, "training.momentum", cJSON_CreateNumber(v->valuedouble), NULL);
    else
      gm_import_ignore(im, from, "a hyperparameter");
  }
}

static void checkpointing(gm_import *im, const cJSON *sec) {
  const cJSON *v;
  char from[96];
  cJSON_ArrayForEach(v, sec) {
    snprintf(from, sizeof from, "activation_checkpointing.%s", v->string);
    if (strcmp(v->string, "cpu_checkpointing") == 0 && cJSON_IsBool(v))
      gm_import_set(im, from, "training.activation_offload", cJSON_CreateBool(cJSON_IsTrue(v)),
                    "checkpoints kept in host memory");
    else if (strcmp(v->string, "partition_activations") == 0 && cJSON_IsTrue(v))
      gm_import_warn(im, from,
                     "not mapped: checkpoints split across tensor-parallel ranks "
                     "are not modelled");
    else
      gm_import_ignore(im, from, "how checkpoints are stored, not how many");
  }
  gm_import_warn(im, "activation_checkpointing",
                 "this section configures DeepSpeed's checkpointing API; whether layers are "
                 "recomputed is up to the model code: set training.activation_checkpointing");
}

/* A batch-size key: a whole number, or "auto" from the Trainer's arguments. */
static void batch_key(gm_import *im, const cJSON *v, const char *to, const char *trainer_arg,
                      int *saw_auto) {
  if (is_auto(v) && !to) {
    *saw_auto = 1;
    gm_import_ignore(im, v->string,
                     "\"auto\": the Trainer derives it from the micro-batch, "
                     "the accumulation steps and the number of GPUs");
  } else if (is_auto(v)) {
    *saw_auto = 1;
    gm_import_warn(im, v->string,
                   "\"auto\": the Trainer fills it from %s, which this file does not hold; "
                   "set %s",
                   trainer_arg, to);
  } else if (cJSON_IsNumber(v) && whole(v->valuedouble)) {
    if (to)
      gm_import_set(im, v->string, to, cJSON_CreateNumber(v->valuedouble), NULL);
  } else {
    gm_import_warn(im, v->string, "not mapped: expected a positive whole number or \"auto\"");
  }
}

int gm_import_deepspeed(gm_import *im, const cJSON *ds, gm_error *err) {
  const cJSON *v, *micro, *accum, *global;
  int saw_auto = 0, fp16 = 0, bf16 = 0;
  (void)err;
  gm_import_set(im, "(a DeepSpeed config)", "engine.type", cJSON_CreateString("deepspeed"), NULL);
  cJSON_ArrayForEach(v, ds) {
    if (strcmp(v->string, "zero_optimization") == 0)
      zero(im, v, &saw_auto);
    else if (strcmp(v->string, "fp16") == 0)
      fp16 = precision(im, v, "fp16");
    else if (strcmp(v->string, "bf16") == 0 || strcmp(v->string, "bfloat16") == 0)
      bf16 = precision(im, v, v->string);
    else if (strcmp(v->string, "optimizer") == 0)
      optimizer(im, v, &saw_auto);
    else if (strcmp(v->string, "activation_checkpointing") == 0)
      checkpointing(im, v);
    else if (strcmp(v->string, "train_micro_batch_size_per_gpu") == 0)
      batch_key(im, v, "training.batch_size", "--per_device_train_batch_size", &saw_auto);
    else if (strcmp(v->string, "gradient_accumulation_steps") == 0)
      batch_key(im, v, "training.gradient_accumulation_steps", "--gradient_accumulation_steps",
                &saw_auto);
    else if (strcmp(v->string, "train_batch_size") == 0)
      batch_key(im, v, NULL, "", &saw_auto);
    else if (!apply_key(im, top_keys, NULL, v, &saw_auto))
      gm_import_warn(im, v->string, "not recognised");
  }
  /* train_batch_size = micro-batch x accumulation x data-parallel GPUs. */
  micro = cJSON_GetObjectItemCaseSensitive(ds, "train_micro_batch_size_per_gpu");
  accum = cJSON_GetObjectItemCaseSensitive(ds, "gradient_accumulation_steps");
  global = cJSON_GetObjectItemCaseSensitive(ds, "train_batch_size");
  if (cJSON_IsNumber(global) && global->valuedouble >= 1) {
    double m = cJSON_IsNumber(micro) ? micro->valuedouble : 0,
           a = cJSON_IsNumber(accum) ? accum->valuedouble : (accum ? 0 : 1);
    double dp = m >= 1 && a >= 1 ? global->valuedouble / (m * a) : 0;
    if (whole(dp) && dp <= 1e7)
      gm_import_set(im, "train_batch_size", "parallelism.data_parallel_size",
                    cJSON_CreateNumber(dp),
                    "train_batch_size / (train_micro_batch_size_per_gpu x "
                    "gradient_accumulation_steps)");
    else if (m >= 1 && a >= 1)
      gm_import_warn(im, "train_batch_size",
                     "not mapped: not a whole multiple of micro-batch x accumulation steps");
    else
      gm_import_warn(im, "train_batch_size",
                     "not mapped: the data-parallel size needs the micro-batch size too");
  }
  if (fp16 == 1 && bf16 == 1)
    gm_import_warn(im, "fp16", "fp16 and bf16 are both enabled; DeepSpeed refuses this");
  if (fp16 == 1)
    gm_import_set(im, "fp16.enabled", "training.dtype", cJSON_CreateString("fp16"), NULL);
  else if (bf16 == 1)
    gm_import_set(im, "bf16.enabled", "training.dtype", cJSON_CreateString("bf16"), NULL);
  else if (fp16 == -1 || bf16 == -1) {
    saw_auto = 1;
    gm_import_warn(im, fp16 == -1 ? "fp16.enabled" : "bf16.enabled",
                   "\"auto\": the Trainer enables it from --bf16/--fp16, which this file does not "
                   "hold; set training.dtype (bf16 is assumed)");
  } else
    gm_import_set(im, "(no fp16 or bf16 section enabled)", "training.dtype",
                  cJSON_CreateString("fp32"), "DeepSpeed trains in fp32 unless one is enabled");
  if (saw_auto)
    gm_import_set(im, "(\"auto\" values)", "engine.framework", cJSON_CreateString("hf_trainer"),
                  "\"auto\" is filled in by the Hugging Face Trainer");
  return GM_OK;
}
