/* config_fields.c - reading one section of a config by the schema's rows
 * (core/schema.c), with the readers of the keys that have a hook. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Enum fields are written through int pointers by read_value. */
_Static_assert(sizeof(gm_dtype) == sizeof(int), "enums must be int-sized");

#define GIB 1073741824.0

/* ---- Sections, read by the schema's rows -------------------------------- */

/* Most keys of one section, and spellings of one key. */
#define MAX_KEYS 64 /* a bit each in a uint64_t */
#define MAX_SPELLINGS 4

int gm_known_key(const char *key, const void *fields, const char *const *extra) {
  (void)fields;
  for (; extra && *extra; extra++)
    if ((*extra)[0] == key[0] && strcmp(key, *extra) == 0)
      return 1;
  return 0;
}

/* training.activation_checkpointing: a name, the earlier tool's 0-4 scale, or a bool. */
static int read_recompute(gm_parse_ctx *c, const cJSON *v, const char *path, gm_training *t) {
  int level;
  /* 1-2 recompute part of a layer, 3-4 all of it. */
  static const gm_recompute scale[] = {GM_AC_NONE, GM_AC_SELECTIVE, GM_AC_SELECTIVE, GM_AC_FULL,
                                       GM_AC_FULL};
  if (cJSON_IsNumber(v)) {
    if (gm_read_int32(c, v, path, 0, 4, &level) != GM_OK)
      return GM_EINVAL;
    t->recompute = scale[level];
  } else if (cJSON_IsBool(v)) {
    t->recompute = cJSON_IsTrue(v) ? GM_AC_FULL : GM_AC_NONE;
  } else {
    if (gm_read_enum(c, v, path, gm_recompute_names, &level) != GM_OK)
      return GM_EINVAL;
    t->recompute = (gm_recompute)level;
  }
  return GM_OK;
}

/* hardware.gpu: a preset card, which sets the capacity and the CUDA context. */
static int read_gpu(gm_parse_ctx *c, const cJSON *v, const char *path, gm_hardware *hw) {
  char name[64], ids[150], got[64];
  gm_gpu card;
  if (gm_read_string(c, v, path, name, sizeof name) != GM_OK)
    return GM_EINVAL;
  if (gm_find_gpu(name, &card) != GM_OK) {
    gm_describe(v, got, sizeof got);
    gm_gpu_ids(ids, sizeof ids);
    return gm_fail(c, path, "unknown GPU %s; known: %s", got, ids);
  }
  /* card.id is NUL-terminated and no longer than the field. */
  _Static_assert(sizeof card.id <= sizeof hw->gpu_name, "a GPU id fits hardware.gpu");
  memcpy(hw->gpu_name, card.id, sizeof card.id);
  hw->gpu_capacity_bytes = card.capacity_bytes;
  hw->cuda_context_bytes = card.cuda_context_bytes;
  hw->gpu_amd = card.amd;
  hw->gpu_compute_capability = card.compute_capability;
  return GM_OK;
}

/* hardware.gpu_memory_gb: the capacity, unless hardware.gpu (read before) set it. */
static int read_gpu_memory(gm_parse_ctx *c, const gm_key *k, const cJSON *v, const char *path,
                           gm_hardware *hw) {
  uint64_t bytes;
  if (gm_read_memory(c, v, path, k->lo != 0, (uint64_t)k->hi, &bytes) != GM_OK)
    return GM_EINVAL;
  if (!hw->gpu_name[0]) {
    hw->gpu_capacity_bytes = bytes;
  } else if (fabs((double)bytes - (double)hw->gpu_capacity_bytes) >
                 0.01 * (double)hw->gpu_capacity_bytes &&
             c->sink) {
    /* The card's usable capacity is measured; a rounded "80" would overstate it. */
    gm_warn(c->sink, path, "ignored: hardware.gpu \"%s\" sets the capacity to %.2f GiB",
            hw->gpu_name, (double)hw->gpu_capacity_bytes / GIB);
  }
  return GM_OK;
}

/* One value of row k, from v, into the section's struct at base. */
static int read_value(gm_parse_ctx *c, const gm_key *k, const cJSON *v, const char *path,
                      void *base) {
  void *dst = (char *)base + k->offset;
  int64_t lo = (int64_t)k->lo, hi = (int64_t)k->hi;
  int iv, rc = GM_OK;
  switch ((gm_hook)k->hook) {
  case GM_HOOK_NONE:
  case GM_HOOK_NUM_PARAMS:
    break;
  case GM_HOOK_PRESET:
  case GM_HOOK_TASK:
    return GM_OK; /* hf_config.c reads them, with the whole model object at hand */
  case GM_HOOK_RECOMPUTE:
    return read_recompute(c, v, path, base);
  case GM_HOOK_FP8: {
    gm_training *t = base;
    if (cJSON_IsBool(v))
      t->fp8 = cJSON_IsTrue(v) ? GM_FP8_DEFAULT : GM_FP8_NONE; /* true: the framework's recipe */
    else if (gm_read_enum(c, v, path, gm_fp8_names, &iv) != GM_OK)
      return GM_EINVAL;
    else
      t->fp8 = (gm_fp8)iv;
    return GM_OK;
  }
  case GM_HOOK_MOMENTUM: {
    gm_training *t = base;
    double momentum;
    if (gm_read_number(c, v, path, k->lo, k->hi, &momentum) != GM_OK)
      return GM_EINVAL;
    if ((int)t->optimizer == GM_OPT_SGD && momentum > 0)
      t->optimizer = GM_OPT_SGD_MOMENTUM;
    else if ((int)t->optimizer != GM_OPT_SGD && (int)t->optimizer != GM_OPT_SGD_MOMENTUM &&
             momentum > 0 && c->sink)
      gm_warn(c->sink, path, "ignored: only optimizer sgd takes a momentum");
    return GM_OK;
  }
  case GM_HOOK_VERSION:
    return gm_read_version(c, v, path, (int *)dst);
  case GM_HOOK_BUCKET_MIB: {
    double mib;
    if (gm_read_number(c, v, path, k->lo, k->hi, &mib) != GM_OK)
      return GM_EINVAL;
    if (mib * 1048576.0 < 1)
      return gm_fail(c, path, "must be positive; got %g", mib);
    *(int64_t *)dst = (int64_t)floor(mib * 1048576.0 + 0.5);
    return GM_OK;
  }
  case GM_HOOK_GPU:
    return read_gpu(c, v, path, base);
  case GM_HOOK_GPU_MEMORY:
    return read_gpu_memory(c, k, v, path, base);
  }
  switch ((gm_key_kind)k->kind) {
  case GM_K_INT32:
    rc = gm_read_int32(c, v, path, (int)lo, (int)hi, (int *)dst);
    break;
  case GM_K_INT64:
    rc = gm_read_int(c, v, path, lo, hi, (int64_t *)dst);
    break;
  case GM_K_SIZE:
    rc = gm_read_size(c, v, path, lo, hi, (int64_t *)dst);
    break;
  case GM_K_MEMORY:
    rc = gm_read_memory(c, v, path, k->lo != 0, (uint64_t)k->hi, (uint64_t *)dst);
    break;
  case GM_K_BOOL:
    rc = gm_read_bool(c, v, path, (int *)dst);
    break;
  case GM_K_ENUM:
    rc = gm_read_enum(c, v, path, k->names, &iv);
    if (rc == GM_OK)
      memcpy(dst, &iv, sizeof iv);
    break;
  case GM_K_NUMBER:
    rc = gm_read_number(c, v, path, k->lo, k->hi, (double *)dst);
    break;
  case GM_K_STRING:
    rc = gm_read_string(c, v, path, (char *)dst, (size_t)k->hi);
    break;
  }
  return rc;
}

int gm_read_section(gm_parse_ctx *c, const cJSON *obj, gm_section s, void *base, int warn_unknown) {
  const gm_section_schema *sec = &gm_schema[s];
  /* seen[i][r]: the member spelling key i with rank r (the key itself ranks highest). */
  const cJSON *seen[MAX_KEYS][MAX_SPELLINGS], *item;
  unsigned char spelled[MAX_KEYS]; /* bit r: spelling r was given */
  uint64_t given = 0, many = 0;    /* bit i: key i given; given more than once */
  char path[64];
  int n, i, r, unknown = 0, next = 0;
  for (n = 0; sec->keys[n].key; n++)
    ;
  if (n > MAX_KEYS)
    return gm_fail(c, sec->name, "internal: more than %d keys in one section", MAX_KEYS);
  /* One pass over the members; null is the same as leaving the key out. */
  cJSON_ArrayForEach(item, obj) {
    const gm_key *k;
    if (!item->string)
      continue;
    if (!(k = gm_schema_find_from(s, item->string, next, &r))) {
      unknown++;
      continue;
    }
    next = (int)(k - sec->keys) + 1 < n ? (int)(k - sec->keys) + 1 : 0;
    if (cJSON_IsNull(item) || r >= MAX_SPELLINGS)
      continue;
    i = (int)(k - sec->keys);
    if (!(given & (UINT64_C(1) << i))) {
      given |= UINT64_C(1) << i;
      spelled[i] = 0;
    } else if (!(spelled[i] & (1u << r))) {
      many |= UINT64_C(1) << i;
    }
    if (!(spelled[i] & (1u << r))) {
      spelled[i] |= (unsigned char)(1u << r);
      seen[i][r] = item;
    }
  }
  /* In the rows' order; of two spellings of a key the stronger is read last, and wins. */
  for (; given; given &= given - 1) {
    i = __builtin_ctzll(given);
    for (r = 0; r < MAX_SPELLINGS; r++) {
      if (!(spelled[i] & (1u << r)))
        continue;
      gm_join_path(path, sizeof path, sec->name, seen[i][r]->string);
      if (read_value(c, &sec->keys[i], seen[i][r], path, base) != GM_OK)
        return GM_EINVAL;
    }
  }
  /* Spellings that disagree with the one used. */
  for (; many; many &= many - 1) {
    int used = -1;
    i = __builtin_ctzll(many);
    for (r = MAX_SPELLINGS - 1; r >= 0 && used < 0; r--)
      if (spelled[i] & (1u << r))
        used = r;
    for (r = 0; r < used; r++) {
      if ((spelled[i] & (1u << r)) && !cJSON_Compare(seen[i][r], seen[i][used], 1)) {
        gm_join_path(path, sizeof path, sec->name, seen[i][r]->string);
        gm_warn(c->sink, path, "disagrees with %s.%s, which is used", sec->name,
                seen[i][used]->string);
      }
    }
  }
  if (warn_unknown && unknown) {
    cJSON_ArrayForEach(item, obj) {
      if (item->string && !gm_schema_known(s, item->string)) {
        gm_join_path(path, sizeof path, sec->name, item->string);
        gm_unknown_key(c, path, gm_schema_closest(s, item->string));
      }
    }
  }
  return GM_OK;
}
