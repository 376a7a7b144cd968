/* config.c - JSON config text to gm_config: the top level and the training,
 * parallelism, engine and hardware sections (values: config_value.c; model: hf_config.c). */
#include "config.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Enum fields are written through int pointers by the field tables. */
_Static_assert(sizeof(gm_dtype) == sizeof(int), "enums must be int-sized");

#define GIB 1073741824.0
#define MAX_UNKNOWN_WARNINGS 4 /* as gm_unknown_key warns for the first 4 */

/* A short rendering of a JSON value for messages. */
static void quote(const char *s, char *out, size_t n) {
  size_t i = 0, k = 0;
  if (n < 8) {
    if (n > 0)
      out[0] = '\0';
    return;
  }
  out[k++] = '"';
  for (; s[i] && i < 40 && k + 5 < n; i++)
    out[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
  if (s[i] && k + 5 < n) {
    memcpy(out + k, "...", 3);
    k += 3;
  }
  out[k++] = '"';
  out[k] = '\0';
}

void gm_describe(const cJSON *v, char *out, size_t n) {
  if (cJSON_IsString(v))
    quote(v->valuestring, out, n);
  else if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
    snprintf(out, n, "%.15g", v->valuedouble);
  else if (cJSON_IsNumber(v))
    snprintf(out, n, "a number out of range");
  else if (cJSON_IsBool(v))
    snprintf(out, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
  else if (cJSON_IsNull(v))
    snprintf(out, n, "null");
  else if (cJSON_IsArray(v))
    snprintf(out, n, "an array");
  else if (cJSON_IsObject(v))
    snprintf(out, n, "an object");
  else
    snprintf(out, n, "an invalid value");
}

/* ---- Field tables -------------------------------------------------------- */

/* The index of key in fields, or -1. The first byte is compared before the
 * rest: most keys differ there. */
static int field_index(const gm_field *fields, const char *key) {
  int i;
  for (i = 0; fields && fields[i].key; i++)
    if (fields[i].key[0] == key[0] && strcmp(fields[i].key, key) == 0)
      return i;
  return -1;
}

int gm_known_key(const char *key, const gm_field *fields, const char *const *extra) {
  if (field_index(fields, key) >= 0)
    return 1;
  for (; extra && *extra; extra++)
    if ((*extra)[0] == key[0] && strcmp(key, *extra) == 0)
      return 1;
  return 0;
}

int gm_index_fields(const cJSON *obj, const gm_field *fields, const cJSON **seen) {
  const cJSON *item;
  int n = 0, i;
  while (fields[n].key)
    n++;
  if (n > GM_MAX_FIELDS)
    return -1;
  memset(seen, 0, (size_t)n * sizeof *seen);
  /* One pass over the members; the first of duplicate keys counts, as in
   * cJSON_GetObjectItem, and null is the same as leaving the key out. */
  cJSON_ArrayForEach(item, obj) {
    if (item->string && (i = field_index(fields, item->string)) >= 0 && !seen[i])
      seen[i] = item;
  }
  for (i = 0; i < n; i++)
    if (seen[i] && cJSON_IsNull(seen[i]))
      seen[i] = NULL;
  return n;
}

int gm_read_seen(gm_parse_ctx *c, const char *section, const gm_field *fields,
                 const cJSON *const *seen, void *base) {
  char path[64];
  int i;
  /* In table order, so that of two spellings of a field the later one wins. */
  for (i = 0; fields[i].key; i++) {
    const gm_field *f = &fields[i];
    const cJSON *v = seen[i];
    void *dst = (char *)base + f->offset;
    int rc = GM_OK, iv;
    int64_t lo = (int64_t)f->lo, hi = (int64_t)f->hi;
    if (!v)
      continue;
    gm_join_path(path, sizeof path, section, f->key);
    switch (f->kind) {
    case GM_F_INT32:
      rc = gm_read_int32(c, v, path, (int)lo, (int)hi, (int *)dst);
      break;
    case GM_F_INT64:
      rc = gm_read_int(c, v, path, lo, hi, (int64_t *)dst);
      break;
    case GM_F_SIZE:
      rc = gm_read_size(c, v, path, lo, hi, (int64_t *)dst);
      break;
    case GM_F_MEMORY:
      rc = gm_read_memory(c, v, path, f->lo != 0, (uint64_t)f->hi, (uint64_t *)dst);
      break;
    case GM_F_BOOL:
      rc = gm_read_bool(c, v, path, (int *)dst);
      break;
    case GM_F_ENUM:
      rc = gm_read_enum(c, v, path, f->names, &iv);
      if (rc == GM_OK)
        memcpy(dst, &iv, sizeof iv);
      break;
    case GM_F_NUMBER:
      rc = gm_read_number(c, v, path, f->lo, f->hi, (double *)dst);
      break;
    }
    if (rc != GM_OK)
      return rc;
  }
  return GM_OK;
}

int gm_read_fields(gm_parse_ctx *c, const cJSON *obj, const char *section, const gm_field *fields,
                   void *base) {
  const cJSON *seen[GM_MAX_FIELDS];
  if (gm_index_fields(obj, fields, seen) < 0)
    return gm_fail(c, section, "internal: more than %d keys in one section", GM_MAX_FIELDS);
  return gm_read_seen(c, section, fields, seen, base);
}

static void warn_unknown_keys(gm_parse_ctx *c, const cJSON *obj, const char *section,
                              const gm_field *fields, const char *const *extra) {
  const cJSON *item;
  char path[64];
  cJSON_ArrayForEach(item, obj) {
    if (item->string && !gm_known_key(item->string, fields, extra)) {
      if (*section)
        gm_join_path(path, sizeof path, section, item->string);
      else
        snprintf(path, sizeof path, "%s", item->string);
      gm_unknown_key(c, path);
    }
  }
}

/* ---- Sections ------------------------------------------------------------ */

#define T(field) offsetof(gm_training, field)
static const gm_field training_fields[] = {
    {"micro_batch_size", GM_F_INT64, T(micro_batch_size), 1, 1e7, NULL},
    {"batch_size", GM_F_INT64, T(micro_batch_size), 1, 1e7, NULL},
    {"gradient_accumulation_steps", GM_F_INT64, T(gradient_accumulation_steps), 1, 1e9, NULL},
    {"seq_len", GM_F_INT64, T(seq_len), 1, 1e8, NULL},
    {"dtype", GM_F_ENUM, T(dtype), 0, 0, gm_dtype_names},
    {"precision", GM_F_ENUM, T(precision), 0, 0, gm_precision_names},
    {"optimizer", GM_F_ENUM, T(optimizer), 0, 0, gm_optimizer_names},
    {"optimizer_impl", GM_F_ENUM, T(optimizer_impl), 0, 0, gm_optimizer_impl_names},
    {"selective_policy", GM_F_ENUM, T(selective_policy), 0, 0, gm_selective_names},
    {"attention", GM_F_ENUM, T(attention), 0, 0, gm_attention_names},
    {"loss", GM_F_ENUM, T(loss), 0, 0, gm_loss_names},
    {"norm_impl", GM_F_ENUM, T(norm_impl), 0, 0, gm_norm_impl_names},
    {"compile", GM_F_BOOL, T(compile), 0, 0, NULL},
    {"gqa_expand_kv", GM_F_BOOL, T(gqa_expand_kv), 0, 0, NULL},
    {"attention_dropout", GM_F_NUMBER, T(attention_dropout), 0, 1, NULL},
    {"hidden_dropout", GM_F_NUMBER, T(hidden_dropout), 0, 1, NULL},
    {"activation_offload", GM_F_BOOL, T(activation_offload), 0, 0, NULL},
    {"optimizer_in_backward", GM_F_BOOL, T(optimizer_in_backward), 0, 0, NULL},
    {"zero_grad_set_to_none", GM_F_BOOL, T(grads_set_to_none), 0, 0, NULL},
    {"finetune", GM_F_ENUM, T(finetune), 0, 0, gm_finetune_names},
    {"lora_rank", GM_F_INT32, T(lora_rank), 1, 65536, NULL},
    {"lora_targets", GM_F_ENUM, T(lora_all_linear), 0, 0, gm_lora_target_names},
    {"fp8_all_gather", GM_F_BOOL, T(fp8_all_gather), 0, 0, NULL},
    {"fp8_amax_history_len", GM_F_INT32, T(fp8_amax_history), 1, 1048576, NULL},
    {NULL, 0, 0, 0, 0, NULL}};
#undef T
static const char *const training_extra[] = {"activation_checkpointing", "momentum", "fp8",
                                             "description", NULL};

#define P(field) offsetof(gm_parallel, field)
static const gm_field parallel_fields[] = {
    {"tensor_parallel_size", GM_F_INT32, P(tp), 1, 65536, NULL},
    {"pipeline_parallel_size", GM_F_INT32, P(pp), 1, 65536, NULL},
    {"data_parallel_size", GM_F_INT32, P(dp), 1, 1e7, NULL},
    {"context_parallel_size", GM_F_INT32, P(cp), 1, 65536, NULL},
    {"expert_parallel_size", GM_F_INT32, P(ep), 1, 65536, NULL},
    {"virtual_pipeline_stages", GM_F_INT32, P(vpp), 1, 65536, NULL},
    {"sequence_parallel", GM_F_BOOL, P(sequence_parallel), 0, 0, NULL},
    {"pipeline_schedule", GM_F_ENUM, P(schedule), 0, 0, gm_schedule_names},
    {"num_microbatches", GM_F_INT64, P(num_microbatches), 1, 1e9, NULL},
    {"first_stage_layers", GM_F_INT32, P(first_stage_layers), 0, 1e6, NULL},
    {"last_stage_layers", GM_F_INT32, P(last_stage_layers), 0, 1e6, NULL},
    {"account_for_embedding_in_pipeline_split", GM_F_BOOL, P(embedding_in_split), 0, 0, NULL},
    {"account_for_loss_in_pipeline_split", GM_F_BOOL, P(loss_in_split), 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL}};
#undef P
static const char *const parallel_extra[] = {"description", NULL};

#define E(field) offsetof(gm_engine, field)
static const gm_field engine_fields[] = {
    {"type", GM_F_ENUM, E(kind), 0, 0, gm_engine_names},
    {"framework", GM_F_ENUM, E(framework), 0, 0, gm_framework_names},
    {"zero_stage", GM_F_INT32, E(zero_stage), 0, 3, NULL},
    {"offload_optimizer", GM_F_ENUM, E(offload_optimizer), 0, 0, gm_offload_names},
    {"offload_param", GM_F_ENUM, E(offload_param), 0, 0, gm_offload_names},
    {"sharding_strategy", GM_F_ENUM, E(sharding), 0, 0, gm_fsdp_names},
    {"reshard_after_forward", GM_F_BOOL, E(reshard_after_forward), 0, 0, NULL},
    {"distributed_optimizer", GM_F_BOOL, E(distributed_optimizer), 0, 0, NULL},
    {"reduce_bucket_size", GM_F_SIZE, E(reduce_bucket_elems), 1, 1e13, NULL},
    {"allgather_bucket_size", GM_F_SIZE, E(allgather_bucket_elems), 1, 1e13, NULL},
    {"stage3_max_live_parameters", GM_F_SIZE, E(stage3_max_live_parameters), 1, 1e15, NULL},
    {"stage3_prefetch_bucket_size", GM_F_SIZE, E(stage3_prefetch_bucket_elems), 1, 1e13, NULL},
    {"sub_group_size", GM_F_SIZE, E(sub_group_elems), 1, 1e15, NULL},
    {"overlap_comm", GM_F_BOOL, E(overlap_comm), 0, 0, NULL},
    {"gradient_as_bucket_view", GM_F_BOOL, E(ddp_bucket_view), 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL}};
#undef E
static const char *const engine_extra[] = {"bucket_cap_mb", "zero_init", "framework_version",
                                           "description", NULL};

#define H(field) offsetof(gm_hardware, field)
/* Memory limits: 16 TiB per GPU, 1 PiB per node. */
static const gm_field hardware_fields[] = {
    {"num_gpus", GM_F_INT32, H(num_gpus), 1, 1e7, NULL},
    {"gpus_per_node", GM_F_INT32, H(gpus_per_node), 1, 65536, NULL},
    {"host_memory_per_node_gb", GM_F_MEMORY, H(host_memory_per_node_bytes), 0, GIB * 1048576, NULL},
    {"cuda_context_gb", GM_F_MEMORY, H(cuda_context_bytes), 0, GIB * 16384, NULL},
    {"safety_margin", GM_F_NUMBER, H(safety_margin), 0, 1, NULL},
    {NULL, 0, 0, 0, 0, NULL}};
#undef H
static const char *const hardware_extra[] = {"gpu", "gpu_memory_gb", "description", NULL};

static const char *const top_extra[] = {"model",    "training", "parallelism", "engine",
                                        "hardware", "name",     "description", NULL};

/* ---- Bounds of derived values -------------------------------------------- */

/* One section's values against its table; values below 1 mean "none" and are
 * printed as null, so only set values are checked. */
static int check_section(const char *section, const gm_field *f, const void *base, gm_error *err) {
  for (; f->key; f++) {
    const char *p = (const char *)base + f->offset;
    double v;
    int iv;
    int64_t lv;
    uint64_t uv;
    switch (f->kind) {
    case GM_F_INT32:
      memcpy(&iv, p, sizeof iv);
      v = iv;
      break;
    case GM_F_INT64:
    case GM_F_SIZE:
      memcpy(&lv, p, sizeof lv);
      v = (double)lv;
      break;
    case GM_F_MEMORY:
      memcpy(&uv, p, sizeof uv);
      if ((double)uv <= f->hi)
        continue;
      v = (double)uv;
      break;
    default:
      continue;
    }
    if (v >= 1 && (v < f->lo || v > f->hi)) {
      snprintf(err->field, sizeof err->field, "%s.%s", section, f->key);
      snprintf(err->message, sizeof err->message,
               "comes to %.15g from the other values, outside %.15g to %.15g; give it, or "
               "change what it is derived from",
               v, f->lo, f->hi);
      return GM_EINVAL;
    }
  }
  return GM_OK;
}

int gm_check_resolved(const gm_config *cfg, gm_error *err) {
  if (check_section("model", gm_model_field_table(), &cfg->model, err) != GM_OK ||
      check_section("training", training_fields, &cfg->training, err) != GM_OK ||
      check_section("parallelism", parallel_fields, &cfg->parallel, err) != GM_OK ||
      check_section("engine", engine_fields, &cfg->engine, err) != GM_OK ||
      check_section("hardware", hardware_fields, &cfg->hardware, err) != GM_OK)
    return GM_EINVAL;
  return GM_OK;
}

/* The object under key, NULL when absent or null; an error if it is not an object. */
static int section(gm_parse_ctx *c, const cJSON *root, const char *key, const cJSON **out) {
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, key);
  char got[64];
  *out = NULL;
  if (!s || cJSON_IsNull(s))
    return GM_OK;
  if (!cJSON_IsObject(s)) {
    gm_describe(s, got, sizeof got);
    return gm_fail(c, key, "must be an object; got %s", got);
  }
  *out = s;
  return GM_OK;
}

static int parse_training(gm_parse_ctx *c, const cJSON *s, gm_training *t) {
  const cJSON *v;
  if (gm_read_fields(c, s, "training", training_fields, t) != GM_OK)
    return GM_EINVAL;
  v = cJSON_GetObjectItemCaseSensitive(s, "activation_checkpointing");
  if (v && !cJSON_IsNull(v)) {
    int level;
    /* The earlier tool's 0-4 scale: 1-2 recompute part of a layer, 3-4 all of it. */
    static const gm_recompute scale[] = {GM_AC_NONE, GM_AC_SELECTIVE, GM_AC_SELECTIVE, GM_AC_FULL,
                                         GM_AC_FULL};
    if (cJSON_IsNumber(v)) {
      if (gm_read_int32(c, v, "training.activation_checkpointing", 0, 4, &level) != GM_OK)
        return GM_EINVAL;
      t->recompute = scale[level];
    } else if (cJSON_IsBool(v)) {
      t->recompute = cJSON_IsTrue(v) ? GM_AC_FULL : GM_AC_NONE;
    } else {
      if (gm_read_enum(c, v, "training.activation_checkpointing", gm_recompute_names, &level) !=
          GM_OK)
        return GM_EINVAL;
      t->recompute = (gm_recompute)level;
    }
  }
  v = cJSON_GetObjectItemCaseSensitive(s, "fp8");
  if (v && !cJSON_IsNull(v)) {
    int recipe;
    if (cJSON_IsBool(v))
      t->fp8 = cJSON_IsTrue(v) ? GM_FP8_DEFAULT : GM_FP8_NONE; /* true: the framework's recipe */
    else if (gm_read_enum(c, v, "training.fp8", gm_fp8_names, &recipe) != GM_OK)
      return GM_EINVAL;
    else
      t->fp8 = (gm_fp8)recipe;
  }
  v = cJSON_GetObjectItemCaseSensitive(s, "momentum");
  if (v && !cJSON_IsNull(v)) {
    double momentum;
    if (gm_read_number(c, v, "training.momentum", 0, 1, &momentum) != GM_OK)
      return GM_EINVAL;
    if ((int)t->optimizer == GM_OPT_SGD && momentum > 0)
      t->optimizer = GM_OPT_SGD_MOMENTUM;
    else if ((int)t->optimizer != GM_OPT_SGD && (int)t->optimizer != GM_OPT_SGD_MOMENTUM &&
             momentum > 0 && c->sink)
      gm_warn(c->sink, "training.momentum", "ignored: only optimizer sgd takes a momentum");
  }
  warn_unknown_keys(c, s, "training", training_fields, training_extra);
  return GM_OK;
}

static int parse_engine(gm_parse_ctx *c, const cJSON *s, gm_engine *e) {
  const cJSON *v;
  if (gm_read_fields(c, s, "engine", engine_fields, e) != GM_OK)
    return GM_EINVAL;
  v = cJSON_GetObjectItemCaseSensitive(s, "bucket_cap_mb");
  if (v && !cJSON_IsNull(v)) {
    double mib;
    if (gm_read_number(c, v, "engine.bucket_cap_mb", 0, 1048576, &mib) != GM_OK)
      return GM_EINVAL;
    if (mib * 1048576.0 < 1)
      return gm_fail(c, "engine.bucket_cap_mb", "must be positive; got %g", mib);
    e->ddp_bucket_bytes = (int64_t)floor(mib * 1048576.0 + 0.5);
  }
  v = cJSON_GetObjectItemCaseSensitive(s, "framework_version");
  if (v && !cJSON_IsNull(v) &&
      gm_read_version(c, v, "engine.framework_version", &e->framework_version) != GM_OK)
    return GM_EINVAL;
  warn_unknown_keys(c, s, "engine", engine_fields, engine_extra);
  return GM_OK;
}

static int parse_hardware(gm_parse_ctx *c, const cJSON *s, gm_hardware *hw) {
  const cJSON *gpu = cJSON_GetObjectItemCaseSensitive(s, "gpu");
  const cJSON *mem = cJSON_GetObjectItemCaseSensitive(s, "gpu_memory_gb");
  uint64_t context = hw->cuda_context_bytes;
  gm_gpu card;
  int have_gpu = gpu && !cJSON_IsNull(gpu);
  if (have_gpu) {
    char name[64], ids[150];
    if (gm_read_string(c, gpu, "hardware.gpu", name, sizeof name) != GM_OK)
      return GM_EINVAL;
    if (gm_find_gpu(name, &card) != GM_OK) {
      char got[64];
      gm_describe(gpu, got, sizeof got);
      gm_gpu_ids(ids, sizeof ids);
      return gm_fail(c, "hardware.gpu", "unknown GPU %s; known: %s", got, ids);
    }
    snprintf(hw->gpu_name, sizeof hw->gpu_name, "%s", card.id);
    hw->gpu_capacity_bytes = card.capacity_bytes;
    hw->gpu_amd = card.amd;
    hw->gpu_compute_capability = card.compute_capability;
    context = card.cuda_context_bytes;
  }
  if (mem && !cJSON_IsNull(mem)) {
    uint64_t bytes;
    if (gm_read_memory(c, mem, "hardware.gpu_memory_gb", 0, (uint64_t)(GIB * 16384), &bytes) !=
        GM_OK)
      return GM_EINVAL;
    if (!have_gpu) {
      hw->gpu_capacity_bytes = bytes;
    } else if (fabs((double)bytes - (double)card.capacity_bytes) >
                   0.01 * (double)card.capacity_bytes &&
               c->sink) {
      /* The card's usable capacity is measured; a rounded "80" would overstate it. */
      gm_warn(c->sink, "hardware.gpu_memory_gb",
              "ignored: hardware.gpu \"%s\" sets the capacity to %.2f GiB", card.id,
              (double)card.capacity_bytes / GIB);
    }
  }
  hw->cuda_context_bytes = context;
  if (gm_read_fields(c, s, "hardware", hardware_fields, hw) != GM_OK)
    return GM_EINVAL;
  warn_unknown_keys(c, s, "hardware", hardware_fields, hardware_extra);
  return GM_OK;
}

/* "line 3, column 7" for a byte offset into text, and why parsing may have
 * stopped there when the text is not simply malformed. */
static void position(const char *text, size_t offset, char *out, size_t n) {
  size_t i, line = 1, column = 1;
  int depth = 0, in_string = 0;
  for (i = 0; i < offset && text[i]; i++) {
    char ch = text[i];
    if (ch == '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
    if (in_string) {
      if (ch == '\\' && text[i + 1])
        i++, column++;
      else if (ch == '"')
        in_string = 0;
    } else if (ch == '"') {
      in_string = 1;
    } else if (ch == '[' || ch == '{') {
      depth++;
    } else if (ch == ']' || ch == '}') {
      depth--;
    }
  }
  if (!text[strspn(text, " \t\r\n")])
    snprintf(out, n, "line %zu, column %zu: the config is empty", line, column);
  else if (depth >= CJSON_NESTING_LIMIT)
    snprintf(out, n, "line %zu, column %zu: nested deeper than %d levels", line, column,
             CJSON_NESTING_LIMIT);
  else
    snprintf(out, n, "line %zu, column %zu", line, column);
}

int gm_parse_config(const char *json, gm_config *cfg, gm_result *warnings, gm_error *err) {
  gm_parse_ctx ctx = {err, warnings, 0};
  gm_parse_ctx *c = &ctx;
  cJSON *root = NULL;
  const cJSON *s;
  const char *end = NULL;
  char where[96], got[64];
  int rc = GM_EINVAL;

  memset(err, 0, sizeof *err);
  gm_config_init(cfg);
  if (!json) {
    gm_fail(c, "", "no config given");
    goto done;
  }
  if ((unsigned char)json[0] == 0xEF && (unsigned char)json[1] == 0xBB &&
      (unsigned char)json[2] == 0xBF)
    json += 3; /* a UTF-8 byte order mark, as some editors save */
  if (gm_check_config_text(c, json) != GM_OK)
    goto done;
  root = cJSON_ParseWithOpts(json, &end, 1);
  if (!root) {
    size_t offset = end && end >= json ? (size_t)(end - json) : 0;
    position(json, offset, where, sizeof where);
    gm_fail(c, "", "malformed JSON at %s", where);
    goto done;
  }
  if (!cJSON_IsObject(root)) {
    gm_describe(root, got, sizeof got);
    gm_fail(c, "",
            "the config must be a JSON object with sections model, training, parallelism, "
            "engine, hardware; got %s",
            got);
    goto done;
  }
  if (gm_check_config_tree(c, json, root) != GM_OK)
    goto done;
  if (section(c, root, "model", &s) != GM_OK || (s && gm_parse_model(c, s, &cfg->model) != GM_OK))
    goto done;
  if (section(c, root, "training", &s) != GM_OK ||
      (s && parse_training(c, s, &cfg->training) != GM_OK))
    goto done;
  if (section(c, root, "parallelism", &s) != GM_OK)
    goto done;
  if (s) {
    if (gm_read_fields(c, s, "parallelism", parallel_fields, &cfg->parallel) != GM_OK)
      goto done;
    warn_unknown_keys(c, s, "parallelism", parallel_fields, parallel_extra);
  }
  if (section(c, root, "engine", &s) != GM_OK || (s && parse_engine(c, s, &cfg->engine) != GM_OK))
    goto done;
  if (section(c, root, "hardware", &s) != GM_OK ||
      (s && parse_hardware(c, s, &cfg->hardware) != GM_OK))
    goto done;
  warn_unknown_keys(c, root, "", NULL, top_extra);
  if (c->unknown_keys > MAX_UNKNOWN_WARNINGS && warnings)
    gm_warn(warnings, "", "%d more unknown keys ignored", c->unknown_keys - MAX_UNKNOWN_WARNINGS);
  rc = GM_OK;
done:
  cJSON_Delete(root);
  return rc;
}
