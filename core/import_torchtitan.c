/* import_torchtitan.c - a torchtitan job config (its TOML, parsed into cJSON
 * by import_toml.cc) as our config. Keys, defaults and meanings follow
 * torchtitan's torchtitan/config/job_config.py; the older layouts are read
 * too: parallel degrees under [training] and pipeline keys under
 * [experimental] (2024), training.batch_size, training.compile, [float8]
 * enable_float8_linear and optimizer.fused. Every key of the file is mapped,
 * ignored (no effect on memory) or warned about.
 * Compiled only with GM_TOML (the programs that link toml++). */
#include "import.h"

#ifdef GM_TOML

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HANDLED 128

typedef struct {
  gm_import *im;
  const cJSON *doc;
  const cJSON *handled[MAX_HANDLED]; /* items already mapped or reported */
  int n;
} tt;

static void mark(tt *t, const cJSON *v) {
  if (v && t->n < MAX_HANDLED)
    t->handled[t->n++] = v;
}

static int is_handled(const tt *t, const cJSON *v) {
  int i;
  for (i = 0; i < t->n; i++)
    if (t->handled[i] == v)
      return 1;
  return 0;
}

static const cJSON *table(const cJSON *o, const char *name) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsObject(v) ? v : NULL;
}

/* The first of sections (NULL-terminated) holding key: the item, marked as
 * handled, with "section.key" in from. */
static const cJSON *find(tt *t, const char *const *sections, const char *key, char *from,
                         size_t n) {
  for (; *sections; sections++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(table(t->doc, *sections), key);
    if (v) {
      snprintf(from, n, "%s.%s", *sections, key);
      mark(t, v);
      return v;
    }
  }
  return NULL;
}

static int whole(const cJSON *v, double lo, double hi) {
  return cJSON_IsNumber(v) && v->valuedouble >= lo && v->valuedouble <= hi &&
         v->valuedouble == floor(v->valuedouble);
}

/* A whole number in [lo, hi] (also as a string, as selective_ac_option is
 * written); -2 when absent, -3 when something else (warned). */
static double number(tt *t, const cJSON *v, const char *from, double lo, double hi) {
  if (!v)
    return -2;
  if (cJSON_IsString(v) && *v->valuestring) {
    char *end;
    double x = strtod(v->valuestring, &end);
    if (!*end && x == floor(x) && x >= lo && x <= hi)
      return x;
  }
  if (whole(v, lo, hi))
    return v->valuedouble;
  gm_import_warn(t->im, from, "not mapped: expected a whole number from %.0f to %.0f", lo, hi);
  return -3;
}

static const char *text(const cJSON *v) { return cJSON_IsString(v) ? v->valuestring : NULL; }

static int in_list(const cJSON *list, const char *s) {
  const cJSON *e;
  cJSON_ArrayForEach(e, list) if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0) return 1;
  return 0;
}

static void set_str(tt *t, const char *from, const char *to, const char *value, const char *note) {
  gm_import_set(t->im, from, to, cJSON_CreateString(value), note);
}

static void set_num(tt *t, const char *from, const char *to, double value, const char *note) {
  gm_import_set(t->im, from, to, cJSON_CreateNumber(value), note);
}

/* ---- [model] -------------------------------------------------------------- */

/* torchtitan's model flavors (torchtitan/models/NAME/__init__.py) that have
 * a preset of the same architecture. */
static const char *const flavors[][4] = {
    {"llama3", "8B", "llama-3.1-8b", NULL},
    {"llama3", "70B", "llama-3.1-70b", NULL},
    {"llama3", "405B", "llama-3.1-405b", NULL},
    {"deepseek_v3", "671B", "deepseek-v3", NULL},
    {"deepseek_v3", "16B", "deepseek-v2-lite",
     "torchtitan's 16B flavor has DeepSeek-V2-Lite's architecture (27 layers, MLA, 64 + 2 "
     "experts)"},
    {"qwen3", "8B", "qwen3-8b", NULL},
    {"qwen3", "32B", "qwen3-32b", NULL},
    {"qwen3", "30B-A3B", "qwen3-30b-a3b", NULL},
    {"qwen3", "235B-A22B", "qwen3-235b-a22b", NULL},
};

static void model(tt *t) {
  static const char *const sec[] = {"model", NULL};
  char from[96] = "", f2[96] = "";
  const cJSON *name = find(t, sec, "name", from, sizeof from);
  const cJSON *flavor = find(t, sec, "flavor", f2, sizeof f2);
  const char *nm = text(name) ? text(name) : "llama3"; /* job_config.py's default */
  size_t i;
  if (!flavor) {
    if (name)
      gm_import_warn(t->im, from, "no flavor: torchtitan's default is its debugmodel");
    return;
  }
  if (!text(flavor)) {
    gm_import_warn(t->im, f2, "not mapped: expected a string");
    return;
  }
  for (i = 0; i < sizeof flavors / sizeof flavors[0]; i++)
    if (strcmp(nm, flavors[i][0]) == 0 && strcmp(text(flavor), flavors[i][1]) == 0 &&
        gm_find_model_preset(flavors[i][2])) {
      set_str(t, name ? "model.name, model.flavor" : "model.flavor", "model.preset", flavors[i][2],
              flavors[i][3]);
      return;
    }
  gm_import_warn(t->im, f2,
                 "%s %s is not a preset: give the model with --model config.json (or --set "
                 "model.preset=ID)",
                 nm, text(flavor));
}

/* ---- Float8 and MX -------------------------------------------------------- */

/* The linear-layer converter that model.converters (or the 2024 [float8]
 * enable_float8_linear) turns on: "float8", "mx" or NULL. */
static const char *converter(tt *t, char *from, size_t n) {
  static const char *const sec[] = {"model", NULL}, *const old[] = {"float8", NULL};
  const cJSON *list = find(t, sec, "converters", from, n), *e, *on;
  char f_old[96];
  const char *which = NULL;
  cJSON_ArrayForEach(e, list) {
    const char *s = text(e);
    if (s && (strcmp(s, "float8") == 0 || strcmp(s, "quantize.linear.float8") == 0))
      which = "float8";
    else if (s && (strcmp(s, "mx") == 0 || strcmp(s, "quantize.linear.mx") == 0))
      which = "mx";
    else if (s && (strcmp(s, "quantize.grouped_mm.float8") == 0 ||
                   strcmp(s, "quantize.grouped_mm.mx") == 0))
      gm_import_warn(t->im, from,
                     "%s: low-precision expert GEMMs are not modelled; the experts count in "
                     "bf16",
                     s);
    else
      gm_import_warn(t->im, from, "converter %s is not modelled", s ? s : "(not a string)");
  }
  if (list && !cJSON_IsArray(list))
    gm_import_warn(t->im, from, "not mapped: expected a list");
  on = find(t, old, "enable_float8_linear", f_old, sizeof f_old);
  if (cJSON_IsTrue(on)) {
    which = "float8";
    snprintf(from, n, "%s", f_old);
  } else if (on) {
    gm_import_ignore(t->im, f_old, "float8 is off");
  }
  return which;
}

/* The keys of one float8 / MX table: mapped when its converter is on. */
static void low_precision(tt *t, const cJSON *sec, const char *name, int on, int mx) {
  const cJSON *k;
  char from[128];
  if (!on) {
    cJSON_ArrayForEach(k, sec) {
      snprintf(from, sizeof from, "%s.%s", name, k->string);
      if (!is_handled(t, k))
        gm_import_ignore(t->im, from, "its converter is not in model.converters");
    }
    return;
  }
  cJSON_ArrayForEach(k, sec) {
    if (is_handled(t, k))
      continue;
    snprintf(from, sizeof from, "%s.%s", name, k->string);
    if (strcmp(k->string, "recipe_name") == 0 && text(k)) {
      const char *r = text(k);
      if (!mx && strcmp(r, "tensorwise") == 0)
        set_str(t, from, "training.fp8", "tensorwise", NULL);
      else if (!mx && (strcmp(r, "rowwise") == 0 || strcmp(r, "rowwise_with_gw_hp") == 0))
        set_str(t, from, "training.fp8", "rowwise",
                strcmp(r, "rowwise") ? "the weight gradient in bf16: counted as rowwise" : NULL);
      else if (mx && strncmp(r, "mxfp8", 5) == 0)
        set_str(t, from, "training.fp8", "mxfp8", NULL);
      else
        gm_import_warn(t->im, from, "recipe %s is not modelled", r);
    } else if (strcmp(k->string, "enable_fsdp_float8_all_gather") == 0 && cJSON_IsBool(k)) {
      gm_import_set(t->im, from, "training.fp8_all_gather", cJSON_CreateBool(cJSON_IsTrue(k)),
                    NULL);
    } else if (strcmp(k->string, "scaling_type_input") == 0 ||
               strcmp(k->string, "scaling_type_weight") == 0 ||
               strcmp(k->string, "scaling_type_grad_output") == 0) {
      /* 2024: dynamic (tensor-wise) or delayed scaling per tensor. */
      if (text(k) && strcmp(text(k), "delayed") == 0) {
        set_str(t, from, "training.fp8", "delayed", NULL);
      } else if (text(k) && strcmp(text(k), "dynamic") == 0) {
        gm_import_ignore(t->im, from, "dynamic scaling: the tensor-wise recipe");
      } else {
        gm_import_warn(t->im, from, "not mapped: %s", text(k) ? text(k) : "not a string");
      }
    } else if (strcmp(k->string, "precompute_float8_dynamic_scale_for_fsdp") == 0 ||
               strcmp(k->string, "force_recompute_fp8_weight_in_bwd") == 0 ||
               strcmp(k->string, "emulate") == 0 || strcmp(k->string, "filter_fqns") == 0 ||
               strcmp(k->string, "fqns") == 0 || strcmp(k->string, "moe_fqns_prototype") == 0 ||
               strcmp(k->string, "mxfp8_dim1_cast_kernel_choice") == 0) {
      gm_import_ignore(t->im, from,
                       strcmp(k->string, "filter_fqns") == 0
                           ? "the output head stays bf16 in the calculator too"
                           : "no modelled effect on memory");
    } else {
      gm_import_warn(t->im, from, "not recognised; its effect is not counted");
    }
  }
}

static void quantization(tt *t) {
  char on_from[96] = "";
  const char *which = converter(t, on_from, sizeof on_from);
  const cJSON *q = table(t->doc, "quantize"), *group, *k;
  char name[96];
  if (table(t->doc, "float8"))
    low_precision(t, table(t->doc, "float8"), "float8", which && !strcmp(which, "float8"), 0);
  cJSON_ArrayForEach(group, q) {
    if (!cJSON_IsObject(group)) {
      snprintf(name, sizeof name, "quantize.%s", group->string);
      gm_import_warn(t->im, name, "not recognised; its effect is not counted");
      continue;
    }
    cJSON_ArrayForEach(k, group) {
      int lin = strcmp(group->string, "linear") == 0;
      snprintf(name, sizeof name, "quantize.%s.%s", group->string, k->string);
      if (!cJSON_IsObject(k))
        gm_import_warn(t->im, name, "not recognised; its effect is not counted");
      else if (lin && strcmp(k->string, "float8") == 0)
        low_precision(t, k, name, which && !strcmp(which, "float8"), 0);
      else if (lin && strcmp(k->string, "mx") == 0)
        low_precision(t, k, name, which && !strcmp(which, "mx"), 1);
      else
        gm_import_ignore(t->im, name,
                         "low-precision expert GEMMs are not modelled (warned with "
                         "model.converters when on)");
    }
  }
  /* What turned the converter on: mapped to its default recipe, or
   * reported when its table named one. */
  if (which && !gm_import_get(t->im, "training.fp8"))
    set_str(t, on_from, "training.fp8", strcmp(which, "mx") ? "tensorwise" : "mxfp8",
            strcmp(which, "mx") ? "the float8 converter's default recipe: tensor-wise scaling"
                                : "the MX converter");
  else if (which)
    gm_import_ignore(t->im, on_from, "turns the converter on; its recipe is mapped");
  else if (on_from[0] && strcmp(on_from, "model.converters") == 0 &&
           !cJSON_GetArraySize(
               cJSON_GetObjectItemCaseSensitive(table(t->doc, "model"), "converters")))
    gm_import_ignore(t->im, on_from, "no converters");
}

/* ---- [parallelism], [training], [activation_checkpoint], ... -------------- */

/* Where a key may be: today's section first, then the older layouts. */
static const char *const par[] = {"parallelism", "training", "experimental", NULL};
static const char *const trn[] = {"training", NULL};

static void parallel_and_batch(tt *t) {
  char from[96] = "", f_r[96] = "", f_s[96] = "", f_pp[96] = "", f_mb[96] = "", f_lb[96] = "";
  const cJSON *v;
  double r =
      number(t, find(t, par, "data_parallel_replicate_degree", f_r, sizeof f_r), f_r, 1, 1e6);
  double s = number(t, find(t, par, "data_parallel_shard_degree", f_s, sizeof f_s), f_s, -1, 1e6);
  double tp = number(t, find(t, par, "tensor_parallel_degree", from, sizeof from), from, 1, 4096);
  double pp, cp, ep, lb, mbs, nmb, gb, dp = 0;
  const char *engine = "fsdp";
  if (tp >= 1)
    set_num(t, from, "parallelism.tensor_parallel_size", tp, NULL);
  pp = number(t, find(t, par, "pipeline_parallel_degree", f_pp, sizeof f_pp), f_pp, 1, 4096);
  if (pp >= 1)
    set_num(t, f_pp, "parallelism.pipeline_parallel_size", pp, NULL);
  cp = number(t, find(t, par, "context_parallel_degree", from, sizeof from), from, 1, 4096);
  if (cp >= 1)
    set_num(t, from, "parallelism.context_parallel_size", cp, NULL);
  ep = number(t, find(t, par, "expert_parallel_degree", from, sizeof from), from, 1, 65536);
  if (ep >= 1)
    set_num(t, from, "parallelism.expert_parallel_size", ep, NULL);
  v = find(t, par, "expert_tensor_parallel_degree", from, sizeof from);
  if (whole(v, 1, 1))
    gm_import_ignore(t->im, from, "1: experts are not split by tensor parallelism");
  else if (v)
    gm_import_warn(t->im, from, "not modelled: experts split by tensor parallelism");
  /* The old single degree (before HSDP). */
  v = find(t, par, "data_parallel_degree", from, sizeof from);
  if (v && (dp = number(t, v, from, -1, 1e6)) >= 1) {
    set_num(t, from, "parallelism.data_parallel_size", dp, NULL);
  } else if (whole(v, -1, -1)) {
    gm_import_ignore(t->im, from, "-1: the GPUs left after TP and PP (the calculator's default)");
  }

  /* Data parallelism: replicate r x shard s; s = -1 takes the GPUs left. */
  if (dp < 1)
    dp = 0;
  if (r < 1)
    r = 1;
  if (s == -2)
    s = -1;
  if (s == 1) {
    /* No FSDP sharding: torchtitan replicates with DDP, or not at all. */
    engine = "pytorch_ddp";
    dp = r;
    if (r > 1) {
      set_num(t, f_r, "parallelism.data_parallel_size", r, "replicated with DDP");
      gm_import_ignore(t->im, f_s, "1: not sharded (DDP)");
    } else {
      set_num(t, f_s, "parallelism.data_parallel_size", 1, "no data parallelism");
    }
  } else if (s > 1) {
    dp = r * s;
    set_num(t, f_s, "parallelism.data_parallel_size", dp,
            r > 1 ? "replicate x shard degrees" : NULL);
  } else if (s == -1 && f_s[0]) {
    gm_import_ignore(t->im, f_s,
                     "-1: the GPUs left after the other degrees, as the calculator's "
                     "parallelism.data_parallel_size does by default (give hardware.num_gpus)");
  }
  if (r > 1 && s != 1)
    set_str(t, f_r, "engine.sharding_strategy", "hybrid_shard",
            "HSDP; the calculator shards within a node (gpus_per_node / TP)");
  else if (r == 1 && f_r[0] && s != 1)
    gm_import_ignore(t->im, f_r, "1: no replication");
  else if (r == 1 && f_r[0])
    gm_import_ignore(t->im, f_r, "1: no data parallelism");
  set_str(t, engine[0] == 'f' ? "(torchtitan)" : f_s, "engine.type", engine,
          engine[0] == 'f' ? "torchtitan shards with FSDP2 (fully_shard)" : NULL);
  set_str(t, "(torchtitan)", "engine.framework", "torchtitan", "a torchtitan job config");

  /* Batch: local_batch_size (batch_size before 2025) per data-parallel rank;
   * under pipeline parallelism it is cut into micro-batches of
   * pipeline_parallel_microbatch_size (torchtitan/distributed/pipeline_parallel.py). */
  v = find(t, trn, "local_batch_size", f_lb, sizeof f_lb);
  if (!v)
    v = find(t, trn, "batch_size", f_lb, sizeof f_lb);
  lb = number(t, v, f_lb, 1, 1e7);
  mbs =
      number(t, find(t, par, "pipeline_parallel_microbatch_size", f_mb, sizeof f_mb), f_mb, 1, 1e7);
  nmb = number(t, find(t, par, "pipeline_parallel_microbatches", from, sizeof from), from, 1, 1e7);
  if (pp > 1 && lb >= 1) {
    if (nmb >= 1) {
      if (f_mb[0])
        gm_import_ignore(t->im, f_mb, "pipeline_parallel_microbatches sets the micro-batches");
      if (fmod(lb, nmb) == 0) {
        set_num(t, f_lb, "training.batch_size", lb / nmb, "local batch / pipeline micro-batches");
        set_num(t, from, "parallelism.num_microbatches", nmb, NULL);
      } else {
        gm_import_warn(t->im, from, "the local batch %.0f does not split into %.0f micro-batches",
                       lb, nmb);
      }
    } else {
      if (mbs < 1)
        mbs = 1; /* job_config.py's default */
      if (fmod(lb, mbs) == 0) {
        set_num(t, f_mb[0] ? f_mb : "pipeline_parallel_microbatch_size", "training.batch_size", mbs,
                f_mb[0] ? NULL : "torchtitan's default micro-batch of 1");
        set_num(t, f_lb, "parallelism.num_microbatches", lb / mbs, "local batch / micro-batch");
      } else {
        gm_import_warn(t->im, f_mb, "the local batch %.0f is not a multiple of %.0f", lb, mbs);
      }
    }
  } else {
    if (lb >= 1)
      set_num(t, f_lb, "training.batch_size", lb, NULL);
    if (f_mb[0] && mbs != -3)
      gm_import_ignore(t->im, f_mb, "pipeline parallelism is off");
    if (nmb >= 1 && from[0])
      gm_import_ignore(t->im, from, "pipeline parallelism is off");
  }
  v = find(t, trn, "global_batch_size", from, sizeof from);
  gb = number(t, v, from, -1, 1e9);
  if (v && (gb == -1 || gb == 0)) {
    gm_import_ignore(t->im, from, "-1: local batch x data parallel, no accumulation");
  } else if (gb >= 1 && lb >= 1 && dp >= 1) {
    if (fmod(gb, lb * dp) == 0)
      set_num(t, from, "training.gradient_accumulation_steps", gb / (lb * dp),
              "global batch / (local batch x data parallel)");
    else
      gm_import_warn(t->im, from, "%.0f is not a multiple of local batch x data parallel (%.0f)",
                     gb, lb * dp);
  } else if (gb >= 1) {
    gm_import_warn(
        t->im, from,
        "gradient accumulation = %.0f / (local batch x data parallel): the data-parallel "
        "size is not in the file; give training.gradient_accumulation_steps",
        gb);
  }
}

static void pipeline_schedule(tt *t) {
  static const char *const interleaved[] = {"Interleaved1F1B", "LoopedBFS", "InterleavedZeroBubble",
                                            "ZBVZeroBubble",   "DualPipeV", NULL};
  char from[96] = "", f_lps[96] = "";
  const cJSON *v = find(t, par, "pipeline_parallel_schedule", from, sizeof from);
  const cJSON *lps = find(t, par, "pipeline_parallel_layers_per_stage", f_lps, sizeof f_lps);
  const cJSON *pp = gm_import_get(t->im, "parallelism.pipeline_parallel_size");
  const char *const *k;
  const char *s = text(v);
  int on = cJSON_IsNumber(pp) && pp->valuedouble > 1;
  if (lps && on)
    gm_import_warn(t->im, f_lps,
                   "not mapped: give parallelism.virtual_pipeline_stages = ceil((layers + 2) / "
                   "%g) / PP",
                   cJSON_IsNumber(lps) ? lps->valuedouble : 0.0);
  else if (lps)
    gm_import_ignore(t->im, f_lps, "pipeline parallelism is off");
  if (!v)
    return;
  if (!on) {
    gm_import_ignore(t->im, from, "pipeline parallelism is off");
    return;
  }
  if (s && (strcmp(s, "1F1B") == 0 || strcmp(s, "GPipe") == 0)) {
    set_str(t, from, "parallelism.pipeline_schedule", s[0] == '1' ? "1f1b" : "gpipe", NULL);
    return;
  }
  for (k = interleaved; s && *k; k++)
    if (strcmp(s, *k) == 0) {
      set_str(t, from, "parallelism.pipeline_schedule", "interleaved",
              strcmp(s, "Interleaved1F1B") && strcmp(s, "LoopedBFS")
                  ? "zero-bubble and V schedules split the backward: counted as interleaved 1F1B"
                  : NULL);
      if (!lps)
        set_num(t, from, "parallelism.virtual_pipeline_stages", 2,
                "torchtitan's default for a multi-stage schedule: 2 stages per rank");
      return;
    }
  gm_import_warn(t->im, from, "schedule %s is not modelled", s ? s : "(not a string)");
}

static void activation_checkpoint(tt *t) {
  static const char *const sec[] = {"activation_checkpoint", NULL};
  char from[96] = "", f_opt[96] = "";
  const cJSON *mode = find(t, sec, "mode", from, sizeof from);
  const cJSON *opt = find(t, sec, "selective_ac_option", f_opt, sizeof f_opt);
  const char *m = text(mode);
  if (!mode) {
    if (table(t->doc, "activation_checkpoint") || opt)
      gm_import_warn(t->im, "activation_checkpoint.mode",
                     "absent: torchtitan then recomputes one layer in 2 in full, which is not "
                     "modelled");
    return;
  }
  if (m && strcmp(m, "none") == 0) {
    set_str(t, from, "training.activation_checkpointing", "none", NULL);
  } else if (m && strcmp(m, "full") == 0) {
    set_str(t, from, "training.activation_checkpointing", "full", NULL);
  } else if (m && strcmp(m, "selective") == 0) {
    const char *o = text(opt) ? text(opt) : opt ? "" : "2"; /* job_config.py's default */
    double every = 0;
    if (strcmp(o, "op") == 0) {
      set_str(t, from, "training.activation_checkpointing", "selective", NULL);
      set_str(t, f_opt, "training.selective_policy", "per_op",
              "torchtitan's op policy: every other matmul recomputed");
      return;
    }
    every = number(t, opt ? opt : NULL, f_opt, 1, 1e6);
    if (!opt)
      every = 2;
    if (every == 1) {
      set_str(t, f_opt, "training.activation_checkpointing", "full",
              "selective_ac_option 1: every layer recomputed in full");
    } else if (every > 1) {
      gm_import_warn(t->im, opt ? f_opt : from,
                     "one layer in %.0f recomputed in full is not modelled: counted without "
                     "checkpointing, an upper bound (--set training.activation_checkpointing="
                     "full for a lower one)",
                     every);
    }
  } else {
    gm_import_warn(t->im, from, "mode %s is not modelled", m ? m : "(not a string)");
  }
  if (opt && !is_handled(t, opt))
    mark(t, opt);
  if (opt && m && strcmp(m, "selective") != 0)
    gm_import_ignore(t->im, f_opt, "only read with mode = \"selective\"");
}

static void compile(tt *t) {
  static const char *const sec[] = {"compile", NULL};
  char from[96] = "", f_c[96] = "", f_old[96] = "";
  const cJSON *en = find(t, sec, "enable", from, sizeof from);
  const cJSON *comp = find(t, sec, "components", f_c, sizeof f_c);
  const cJSON *old = find(t, trn, "compile", f_old, sizeof f_old); /* before 2025 */
  if (old && cJSON_IsBool(old) && !en)
    gm_import_set(t->im, f_old, "training.compile", cJSON_CreateBool(cJSON_IsTrue(old)), NULL);
  else if (old)
    gm_import_warn(t->im, f_old, "not mapped: expected true or false, or [compile] instead");
  if (!en) {
    if (comp)
      gm_import_ignore(t->im, f_c, "compile is off");
    return;
  }
  if (!cJSON_IsBool(en)) {
    gm_import_warn(t->im, from, "not mapped: expected true or false");
    return;
  }
  if (cJSON_IsTrue(en) && comp && !in_list(comp, "model")) {
    gm_import_set(t->im, from, "training.compile", cJSON_CreateFalse(),
                  "compile.components leaves the model eager");
    gm_import_ignore(t->im, f_c, "the loss alone compiled: counted eager");
  } else {
    gm_import_set(t->im, from, "training.compile", cJSON_CreateBool(cJSON_IsTrue(en)), NULL);
    if (comp)
      gm_import_ignore(t->im, f_c,
                       cJSON_IsTrue(en)
                           ? "the loss is compiled with the model by the framework's date"
                           : "compile is off");
  }
}

static void precision_and_optimizer(tt *t) {
  static const char *const opt[] = {"optimizer", NULL};
  char from[96];
  const cJSON *v = find(t, trn, "mixed_precision_param", from, sizeof from);
  const char *s = text(v);
  if (s && strcmp(s, "bfloat16") == 0)
    set_str(t, from, "training.dtype", "bf16", NULL);
  else if (s && strcmp(s, "float32") == 0)
    set_str(t, from, "training.dtype", "fp32", NULL);
  else if (v)
    gm_import_warn(t->im, from, "not mapped: %s", s ? s : "not a string");
  v = find(t, trn, "mixed_precision_reduce", from, sizeof from);
  s = text(v);
  if (s && strcmp(s, "float32") == 0)
    gm_import_ignore(t->im, from, "fp32 gradient reduction: torchtitan's precision (amp)");
  else if (v)
    gm_import_warn(t->im, from, "not modelled: %s gradient reduction", s ? s : "not a string");
  v = find(t, trn, "dtype", from, sizeof from);
  s = text(v);
  if (s && strcmp(s, "bfloat16") == 0)
    set_str(t, from, "training.precision", "pure_bf16", "the whole model in bf16");
  else if (s && strcmp(s, "float32") == 0)
    gm_import_ignore(t->im, from, "fp32 weights: torchtitan's precision (amp)");
  else if (v)
    gm_import_warn(t->im, from, "not mapped: %s", s ? s : "not a string");
  v = find(t, trn, "enable_cpu_offload", from, sizeof from);
  if (cJSON_IsTrue(v)) {
    /* FSDP2's CPUOffloadPolicy: parameters, gradients and the optimizer step on the host. */
    set_str(t, from, "engine.offload_param", "cpu", NULL);
    set_str(t, from, "engine.offload_optimizer", "cpu", NULL);
  } else if (v) {
    gm_import_ignore(t->im, from, "off");
  }

  v = find(t, opt, "name", from, sizeof from);
  s = text(v);
  if (s && strcmp(s, "AdamW") == 0)
    set_str(t, from, "training.optimizer", "adamw", NULL);
  else if (s && strcmp(s, "Adam") == 0)
    set_str(t, from, "training.optimizer", "adam", NULL);
  else if (v)
    gm_import_warn(t->im, from, "%s is not modelled; the optimizer stays adamw",
                   s ? s : "(not a string)");
  v = find(t, opt, "implementation", from, sizeof from);
  s = text(v);
  if (s && (strcmp(s, "fused") == 0 || strcmp(s, "foreach") == 0))
    set_str(t, from, "training.optimizer_impl", s, NULL);
  else if (s && strcmp(s, "for-loop") == 0)
    set_str(t, from, "training.optimizer_impl", "for_loop", NULL);
  else if (v)
    gm_import_warn(t->im, from, "not mapped: %s", s ? s : "not a string");
  v = find(t, opt, "fused", from, sizeof from); /* before 2025-02 */
  if (cJSON_IsBool(v))
    set_str(t, from, "training.optimizer_impl", cJSON_IsTrue(v) ? "fused" : "foreach", NULL);
  else if (v)
    gm_import_warn(t->im, from, "not mapped: expected true or false");
  v = find(t, opt, "early_step_in_backward", from, sizeof from);
  if (cJSON_IsBool(v))
    gm_import_set(t->im, from, "training.optimizer_in_backward", cJSON_CreateBool(cJSON_IsTrue(v)),
                  NULL);
}

static void other_parallel(tt *t) {
  char from[96];
  const cJSON *v = find(t, par, "fsdp_reshard_after_forward", from, sizeof from);
  const char *s = text(v);
  if (s && strcmp(s, "always") == 0)
    gm_import_set(t->im, from, "engine.reshard_after_forward", cJSON_CreateTrue(), NULL);
  else if (s && strcmp(s, "never") == 0)
    gm_import_set(t->im, from, "engine.reshard_after_forward", cJSON_CreateFalse(), NULL);
  else if (s && strcmp(s, "default") == 0)
    gm_import_ignore(t->im, from, "default: resharded, except under pipeline parallelism");
  else if (v)
    gm_import_warn(t->im, from, "not mapped: %s", s ? s : "not a string");
  v = find(t, par, "enable_async_tensor_parallel", from, sizeof from);
  if (cJSON_IsTrue(v))
    gm_import_warn(t->im, from,
                   "async tensor parallelism's symmetric-memory buffers are not counted");
  else if (v)
    gm_import_ignore(t->im, from, "off");
  v = find(t, par, "disable_loss_parallel", from, sizeof from);
  if (cJSON_IsTrue(v))
    set_str(t, from, "training.loss", "standard", "the loss on gathered logits");
  else if (v)
    gm_import_ignore(t->im, from, "off: the loss is parallel under TP");
  v = find(t, par, "expert_parallel_comm_backend", from, sizeof from);
  if (text(v) && strcmp(text(v), "standard") == 0)
    gm_import_ignore(t->im, from, "standard all-to-all");
  else if (v)
    gm_import_warn(t->im, from, "not modelled: %s", text(v) ? text(v) : "not a string");
  v = find(t, par, "pipeline_parallel_first_stage_less_layers", from, sizeof from);
  if (whole(v, 1, 1))
    gm_import_ignore(t->im, from, "1: the split the calculator makes for torchtitan");
  else if (v)
    gm_import_warn(t->im, from, "not modelled: give parallelism.first_stage_layers");
  v = find(t, par, "pipeline_parallel_last_stage_less_layers", from, sizeof from);
  if (whole(v, 1, 1))
    gm_import_ignore(t->im, from, "1: the split the calculator makes for torchtitan");
  else if (v)
    gm_import_warn(t->im, from, "not modelled: give parallelism.last_stage_layers");
}

/* ---- Everything else ------------------------------------------------------ */

/* Keys (section.key; "section.*" for a whole table) without effect on GPU
 * memory, and why. */
static const char *const no_effect[][2] = {
    {"job.*", "the job's name and folders"},
    {"profiling.*", "profiling"},
    {"metrics.*", "logging"},
    {"lr_scheduler.*", "the learning-rate schedule"},
    {"checkpoint.*", "checkpoints on disk (staged in host memory)"},
    {"validation.*", "validation runs between training steps, without gradients"},
    {"comm.*", "timeouts and traces of the collectives"},
    {"memory_estimation.*", "torchtitan's own estimate"},
    {"debug.*", "seeds and determinism"},
    {"model.hf_assets_path", "where the tokenizer and weights are read from"},
    {"model.tokenizer_path", "where the tokenizer is read from"},
    {"model.print_after_conversion", "logging"},
    {"model.norm_type", "the model's norm comes from the preset"},
    {"optimizer.lr", "a learning rate"},
    {"optimizer.eps", "a hyperparameter"},
    {"optimizer.weight_decay", "a hyperparameter"},
    {"optimizer.beta1", "a hyperparameter"},
    {"optimizer.beta2", "a hyperparameter"},
    {"training.dataset", "the data"},
    {"training.dataset_path", "the data"},
    {"training.max_norm", "gradient clipping"},
    {"training.steps", "the run's length"},
    {"training.warmup_steps", "the learning-rate schedule"},
    {"training.gc_freq", "Python's garbage collector"},
    {"training.gc_debug", "Python's garbage collector"},
    {"training.seed", "seeds"},
    {"training.deterministic", "determinism"},
    {"training.dataloader", "host-side data loading"},
    {"training.use_cpu_offload", "2024 name; see enable_cpu_offload"},
    {"activation_checkpoint.preserve_rng_state", "random-number state"},
    {"activation_checkpoint.determinism_check", "a check"},
    {"activation_checkpoint.debug", "logging"},
    {"activation_checkpoint.early_stop", "recompute stops early: a speed option"},
    {"activation_checkpoint.memory_budget", "read only with mode = \"memory_budget\""},
    {"activation_checkpoint.visualize_memory_budget_pareto", "a plot"},
    {"activation_checkpoint.per_op_sac_force_recompute_mm_shapes_by_fqns",
     "matmuls of these shapes (the MoE router) recomputed: small"},
    {"compile.backend", "the compiler backend"},
    {"parallelism.context_parallel_rotate_method", "a communication pattern"},
    {"parallelism.context_parallel_load_balancer", "the token order across ranks"},
    {"parallelism.pipeline_parallel_expert_parallel_overlap", "overlap: a speed option"},
    {"parallelism.pipeline_parallel_schedule_csv", "read only with a CSV schedule"},
    {"experimental.enable_compiled_autograd", "a compiler option"},
    {"experimental.custom_args_module", "argument parsing"},
    {"fault_tolerance.process_group*", "the fault-tolerance process group"},
};

static const char *why_no_effect(const char *sec, const char *key) {
  size_t i, n = strlen(sec);
  for (i = 0; i < sizeof no_effect / sizeof no_effect[0]; i++) {
    const char *p = no_effect[i][0], *star = strchr(p, '*');
    if (strncmp(p, sec, n) != 0 || p[n] != '.')
      continue;
    p += n + 1;
    if (star ? strncmp(key, p, (size_t)(star - p)) == 0 : strcmp(key, p) == 0)
      return no_effect[i][1];
  }
  return NULL;
}

static void rest(tt *t) {
  const cJSON *sec, *k;
  char from[128];
  cJSON_ArrayForEach(sec, t->doc) {
    if (strcmp(sec->string, "quantize") == 0)
      continue; /* read whole by quantization() */
    if (strcmp(sec->string, "float8") == 0 && cJSON_IsObject(sec))
      continue;
    if (!cJSON_IsObject(sec)) {
      gm_import_warn(t->im, sec->string, "not recognised; its effect is not counted");
      continue;
    }
    cJSON_ArrayForEach(k, sec) {
      const char *why;
      if (is_handled(t, k))
        continue;
      snprintf(from, sizeof from, "%s.%s", sec->string, k->string);
      if ((why = why_no_effect(sec->string, k->string)))
        gm_import_ignore(t->im, from, why);
      else if (strcmp(sec->string, "fault_tolerance") == 0 && !cJSON_IsTrue(k) &&
               strcmp(k->string, "enable") == 0)
        gm_import_ignore(t->im, from, "off");
      else if (strcmp(sec->string, "experimental") == 0 && text(k) && !*text(k))
        gm_import_ignore(t->im, from, "empty");
      else
        gm_import_warn(t->im, from, "not recognised; its effect is not counted");
    }
  }
}

int gm_import_torchtitan(gm_import *im, const cJSON *o, gm_error *err) {
  tt t;
  if (!table(o, "job") && !table(o, "model") && !table(o, "training") && !table(o, "parallelism")) {
    snprintf(err->field, sizeof err->field, "toml");
    snprintf(err->message, sizeof err->message,
             "a TOML file that is not a torchtitan job config: it has no [job], [model], "
             "[training] or [parallelism] table");
    return GM_EINVAL;
  }
  memset(&t, 0, sizeof t);
  t.im = im;
  t.doc = o;
  model(&t);
  parallel_and_batch(&t);
  pipeline_schedule(&t);
  {
    char from[96];
    double n = number(&t, find(&t, trn, "seq_len", from, sizeof from), from, 1, 1e9);
    if (n >= 1)
      set_num(&t, from, "training.seq_len", n, NULL);
  }
  precision_and_optimizer(&t);
  other_parallel(&t);
  activation_checkpoint(&t);
  compile(&t);
  quantization(&t);
  rest(&t);
  return GM_OK;
}

#else
/* Built without toml++: import.c reports TOML as not supported. */
typedef int gm_no_torchtitan;
#endif
