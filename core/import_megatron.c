/* import_megatron.c - Megatron-LM arguments as our config.
 *
 * The text is a command line or a launch script. It is split into words as
 * a POSIX shell does (quotes, backslashes, line continuations, # comments),
 * and every --option is read with the word after it as its value unless
 * that word is another option, as argparse does. A quoted "--option value"
 * is split as an unquoted array expansion would split it. A value that is
 * a variable ($NAME, ${NAME}) takes the script's literal assignment NAME=...
 * when it has one, and is reported otherwise; an assignment whose value
 * holds options (ARGS="--tp 2 ...") is read as those options, as the
 * unquoted $ARGS expands. Meanings and defaults
 * are those of megatron/training/arguments.py (Megatron-LM core_r0.9+):
 * LayerNorm, GeLU with ffn = 4h, learned positions, biases on, tied
 * embeddings, fp32, vocabulary padded to a multiple of 128 x TP. */
#include "import.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 20000
#define MAX_OPTIONS 4096

/* ---- Words ---------------------------------------------------------------- */

typedef struct {
  char *buf;    /* the words, each NUL-terminated */
  char **words; /* into buf */
  int n;
} words;

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Split text into shell words; 0, or -1 when out of memory. */
static int split(const char *text, words *w) {
  size_t len = strlen(text);
  const char *p = text;
  char *out;
  int in_word = 0;
  w->buf = malloc(len + 1);
  w->words = malloc((len / 2 + 2) * sizeof *w->words);
  w->n = 0;
  if (!w->buf || !w->words)
    return -1;
  out = w->buf;
  while (*p) {
    if (!in_word) {
      if (is_space(*p) || *p == ';' || *p == '|' || *p == '&' || *p == '(' || *p == ')') {
        p++;
        continue;
      }
      if (*p == '\\' && (p[1] == '\n' || (p[1] == '\r' && p[2] == '\n'))) {
        p += p[1] == '\n' ? 2 : 3;
        continue;
      }
      if (*p == '#') { /* a comment to the end of the line */
        while (*p && *p != '\n')
          p++;
        continue;
      }
      w->words[w->n++] = out;
      in_word = 1;
    }
    if (is_space(*p) || *p == ';' || *p == '|' || *p == '&' || *p == '(' || *p == ')') {
      *out++ = '\0';
      in_word = 0;
      continue;
    }
    if (*p == '\\') {
      if (p[1] == '\n') {
        p += 2;
        continue;
      }
      if (p[1])
        p++;
      *out++ = *p++;
    } else if (*p == '\'') {
      for (p++; *p && *p != '\''; p++)
        *out++ = *p;
      if (*p)
        p++;
    } else if (*p == '"') {
      for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$'))
          p++;
        *out++ = *p;
      }
      if (*p)
        p++;
    } else {
      *out++ = *p++;
    }
  }
  if (in_word)
    *out++ = '\0';
  return 0;
}

/* ---- Options -------------------------------------------------------------- */

typedef struct {
  const char *name; /* without the leading -- */
  const char *value;
  int used;
} option;

typedef struct {
  option *o;
  int n;
  const words *w; /* for variables */
} options;

/* The literal value assigned to the variable NAME by a word "NAME=value" of
 * the script (the last such), or NULL. */
static const char *variable(const words *w, const char *ref) {
  const char *name = ref + 1, *found = NULL;
  size_t n;
  int i;
  if (*name == '{')
    name++;
  n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
  if (n == 0 || (ref[1] == '{' ? strcmp(name + n, "}") != 0 : name[n] != '\0'))
    return NULL;
  for (i = 0; i < w->n; i++) {
    const char *word = w->words[i];
    if (strncmp(word, name, n) == 0 && word[n] == '=' && !strchr(word + n + 1, '$') && word[n + 1])
      found = word + n + 1;
  }
  return found;
}

/* The last occurrence of --name (argparse keeps the last), marked used. */
static option *find(options *opts, const char *name) {
  int i;
  option *found = NULL;
  for (i = 0; i < opts->n; i++)
    if (strcmp(opts->o[i].name, name) == 0) {
      opts->o[i].used = 1;
      found = &opts->o[i];
    }
  if (found && found->value && found->value[0] == '$') {
    const char *v = variable(opts->w, found->value);
    if (v)
      found->value = v;
  }
  return found;
}

static int has(options *opts, const char *name) { return find(opts, name) != NULL; }

/* A whole number from --name into *out; 1 when present and valid. */
static int number(gm_import *im, options *opts, const char *name, double lo, double hi,
                  double *out) {
  option *o = find(opts, name);
  char field[80], *end;
  double v;
  if (!o)
    return 0;
  snprintf(field, sizeof field, "--%s", name);
  if (!o->value) {
    gm_import_warn(im, field, "not mapped: needs a value");
    return 0;
  }
  if (o->value[0] == '$') {
    gm_import_warn(im, field, "not mapped: %s is a shell variable; give its value", o->value);
    return 0;
  }
  v = strtod(o->value, &end);
  if (*end || end == o->value || !(v >= lo && v <= hi) || v != floor(v)) {
    gm_import_warn(im, field, "not mapped: '%s' is not a whole number in [%.0f, %.0f]", o->value,
                   lo, hi);
    return 0;
  }
  *out = v;
  return 1;
}

/* --name N mapped to `to`; returns whether it was. */
static int map_number(gm_import *im, options *opts, const char *name, const char *to, double lo,
                      double hi, double *out) {
  double v;
  char field[80];
  if (!number(im, opts, name, lo, hi, &v))
    return 0;
  snprintf(field, sizeof field, "--%s", name);
  gm_import_set(im, field, to, cJSON_CreateNumber(v), NULL);
  if (out)
    *out = v;
  return 1;
}

static void map_fraction(gm_import *im, options *opts, const char *name, const char *to) {
  option *o = find(opts, name);
  char field[80], *end;
  double v;
  if (!o)
    return;
  snprintf(field, sizeof field, "--%s", name);
  v = o->value ? strtod(o->value, &end) : -1;
  if (!o->value || *end || end == o->value || !(v >= 0 && v < 1))
    gm_import_warn(im, field, "not mapped: expected a number in [0, 1)");
  else
    gm_import_set(im, field, to, cJSON_CreateNumber(v), NULL);
}

static const char *string(gm_import *im, options *opts, const char *name) {
  option *o = find(opts, name);
  char field[80];
  if (!o)
    return NULL;
  if (!o->value) {
    snprintf(field, sizeof field, "--%s", name);
    gm_import_warn(im, field, "not mapped: needs a value");
  }
  return o->value;
}

/* Equal ignoring ASCII case. */
static int same(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char x = (char)(*a >= 'A' && *a <= 'Z' ? *a - 'A' + 'a' : *a);
    char y = (char)(*b >= 'A' && *b <= 'Z' ? *b - 'A' + 'a' : *b);
    if (x != y)
      return 0;
  }
  return *a == *b;
}

/* Options without a memory effect (prefix match when the entry ends in '*'). */
static const char *const no_effect[] = {
    "lr", "min-lr", "lr-*", "train-iters", "train-samples", "weight-decay*", "clip-grad", "adam-*",
    "init-method-std", "log-*", "eval-*", "save", "save-*", "load", "data-path", "data-*", "split",
    "vocab-file", "merge-file", "tokenizer-model", "seed", "exit-*", "tensorboard-*", "wandb-*",
    "timing-*", "distributed-backend", "distributed-timeout-minutes", "no-load-*", "finetune",
    "use-mcore-models", "use-checkpoint-args", "ckpt-*", "dist-ckpt-*", "async-save",
    "override-opt_param-scheduler", "use-legacy-models", "transformer-impl", "mock-data",
    "num-workers", "dataloader-type", "reset-*", "eod-mask-loss", "loss-scale*",
    "initial-loss-scale", "min-loss-scale", "hysteresis", "apply-query-key-layer-scaling",
    "attention-softmax-in-fp32", "accumulate-allreduce-grads-in-fp32", "bf16-*",
    "overlap-grad-reduce", "overlap-param-gather", "tp-comm-overlap", "manual-gc*", "rotary-base",
    "rotary-percent", "rope-scaling*", "norm-epsilon", "layernorm-epsilon", "profile*",
    "use-pytorch-profiler", "micro-batch-size-per-gpu", "decoupled-*", "apply-layernorm-1p",
    "calculate-per-token-loss", "tiktoken-*", "no-mmap-bin-files",
    "no-create-attention-mask-in-dataloader", "no-query-key-layer-scaling", "data-impl",
    "rampup-batch-size", "make-vocab-size-divisible-by",
    /* torchrun's own */
    "node_rank", "node-rank", "master_addr", "master-addr", "master_port", "master-port", "rdzv_*",
    "rdzv-*", "standalone", "max_restarts", "max-restarts", NULL};

static int without_effect(const char *name) {
  const char *const *p;
  for (p = no_effect; *p; p++) {
    size_t n = strlen(*p);
    if ((*p)[n - 1] == '*' ? strncmp(name, *p, n - 1) == 0 : strcmp(name, *p) == 0)
      return 1;
  }
  return 0;
}

/* Vocabularies of Megatron's built-in tokenizers with a fixed size. */
static double tokenizer_vocab(const char *type) {
  if (type && strcmp(type, "GPT2BPETokenizer") == 0)
    return 50257; /* GPT-2's vocab.json */
  return 0;
}

static void model_args(gm_import *im, options *opts, double tp) {
  double h = 0, layers = 0, heads = 0, ffn = 0, groups = 0, v = 0, divisible = 128;
  const char *s;
  int swiglu = has(opts, "swiglu");
  /* Without the model's shape, the arguments are meant to run with a model
   * given elsewhere (--model): Megatron's defaults must not override it. */
  if (!has(opts, "num-layers") && !has(opts, "hidden-size") && !has(opts, "num-attention-heads")) {
    gm_import_warn(im, "--num-layers",
                   "the arguments hold no model (--num-layers, "
                   "--hidden-size, ...): it must come from elsewhere (--model)");
    return;
  }
  map_number(im, opts, "num-layers", "model.num_layers", 1, 1e5, &layers);
  map_number(im, opts, "hidden-size", "model.hidden_size", 1, 1048576, &h);
  map_number(im, opts, "num-attention-heads", "model.num_attention_heads", 1, 65536, &heads);
  if (has(opts, "group-query-attention")) {
    if (!map_number(im, opts, "num-query-groups", "model.num_key_value_heads", 1, 65536, &groups))
      gm_import_warn(im, "--group-query-attention", "not mapped: needs --num-query-groups");
  } else if (has(opts, "num-query-groups")) {
    gm_import_ignore(im, "--num-query-groups", "applies only with --group-query-attention");
  }
  /* Megatron-DeepSpeed's spelling of GQA. */
  map_number(im, opts, "num-key-value-heads", "model.num_key_value_heads", 1, 65536, NULL);
  map_number(im, opts, "kv-channels", "model.head_dim", 1, 65536, NULL);
  if (!map_number(im, opts, "ffn-hidden-size", "model.intermediate_size", 1, 1e8, &ffn) && h > 0)
    /* arguments.py: 4h, or with SwiGLU int(4h * 2/3 / 64) * 64. */
    gm_import_set(im, swiglu ? "--swiglu (no --ffn-hidden-size)" : "(no --ffn-hidden-size)",
                  "model.intermediate_size",
                  cJSON_CreateNumber(swiglu ? floor(4 * h * 2 / 3 / 64) * 64 : 4 * h),
                  swiglu ? "Megatron's default: int(4h x 2/3 / 64) x 64"
                         : "Megatron's default: 4h");
  gm_import_set(im, swiglu ? "--swiglu" : "(no --swiglu)", "model.mlp",
                cJSON_CreateString(swiglu ? "swiglu" : "gelu"), NULL);
  /* RMSNorm/LayerNorm (Megatron-LM), rmsnorm/layernorm (Megatron-DeepSpeed). */
  s = string(im, opts, "normalization");
  if (s && !same(s, "rmsnorm") && !same(s, "layernorm"))
    gm_import_warn(im, "--normalization", "not mapped: %s (RMSNorm or LayerNorm)", s);
  else
    gm_import_set(im, s ? "--normalization" : "(no --normalization)", "model.norm",
                  cJSON_CreateString(s && same(s, "rmsnorm") ? "rmsnorm" : "layernorm"), NULL);
  s = string(im, opts, "position-embedding-type");
  if (has(opts, "use-rotary-position-embeddings") || (s && strcmp(s, "rope") == 0))
    gm_import_set(im, "--position-embedding-type", "model.position_embedding",
                  cJSON_CreateString("rope"), NULL);
  else if (!s || strcmp(s, "learned_absolute") == 0)
    gm_import_set(im, s ? "--position-embedding-type" : "(no --position-embedding-type)",
                  "model.position_embedding", cJSON_CreateString("learned"),
                  "Megatron's default: learned_absolute");
  else
    gm_import_warn(im, "--position-embedding-type", "not mapped: %s (rope or learned_absolute)", s);
  map_number(im, opts, "max-position-embeddings", "model.max_position_embeddings", 1, 1e9, NULL);
  if (has(opts, "disable-bias-linear")) {
    int qkv = has(opts, "add-qkv-bias");
    gm_import_set(im, "--disable-bias-linear", "model.attention_bias", cJSON_CreateBool(qkv),
                  qkv ? "--add-qkv-bias keeps the Q/K/V biases" : NULL);
    gm_import_set(im, "--disable-bias-linear", "model.attention_out_bias", cJSON_CreateFalse(),
                  NULL);
    gm_import_set(im, "--disable-bias-linear", "model.mlp_bias", cJSON_CreateFalse(), NULL);
  } else {
    gm_import_set(im, "(no --disable-bias-linear)", "model.attention_bias", cJSON_CreateTrue(),
                  "Megatron's default: biases on every linear");
    gm_import_set(im, "(no --disable-bias-linear)", "model.mlp_bias", cJSON_CreateTrue(), NULL);
  }
  gm_import_set(im,
                has(opts, "untie-embeddings-and-output-weights")
                    ? "--untie-embeddings-and-output-weights"
                    : "(no --untie-embeddings-and-output-weights)",
                "model.tie_word_embeddings",
                cJSON_CreateBool(!has(opts, "untie-embeddings-and-output-weights")), NULL);
  /* The vocabulary: given, or a tokenizer's; padded as Megatron pads it. */
  number(im, opts, "make-vocab-size-divisible-by", 1, 1e6, &divisible);
  s = string(im, opts, "tokenizer-type");
  if (!number(im, opts, "vocab-size", 1, 1e9, &v))
    v = tokenizer_vocab(s);
  if (v > 0) {
    double multiple = divisible * (tp > 0 ? tp : 1);
    gm_import_set(im, has(opts, "vocab-size") ? "--vocab-size" : "--tokenizer-type",
                  "model.vocab_size", cJSON_CreateNumber(ceil(v / multiple) * multiple),
                  "padded to a multiple of make-vocab-size-divisible-by x TP, as Megatron pads it");
  } else if (layers > 0) {
    gm_import_warn(im, s ? "--tokenizer-type" : "--vocab-size",
                   "not mapped: the vocabulary comes from the tokenizer's files; set "
                   "model.vocab_size (padded to a multiple of %.0f)",
                   divisible * (tp > 0 ? tp : 1));
  }
  map_number(im, opts, "num-experts", "model.num_experts", 1, 65536, NULL);
  map_number(im, opts, "moe-router-topk", "model.num_experts_per_tok", 1, 65536, NULL);
  map_number(im, opts, "moe-ffn-hidden-size", "model.moe_intermediate_size", 1, 1e8, NULL);
  map_number(im, opts, "moe-shared-expert-intermediate-size",
             "model.shared_expert_intermediate_size", 1, 1e8, NULL);
  (void)heads;
  (void)groups;
}

static void training_args(gm_import *im, options *opts, double gpus, double tp, double pp,
                          double cp) {
  double micro = 0, global = 0, layers = 0, per_stage = 0;
  const char *s;
  int local;
  map_number(im, opts, "micro-batch-size", "training.batch_size", 1, 1e7, &micro);
  map_number(im, opts, "seq-length", "training.seq_len", 1, 1e8, NULL);
  if (number(im, opts, "global-batch-size", 1, 1e12, &global)) {
    double dp = gpus > 0 ? gpus / (tp * pp * cp) : 0;
    if (dp >= 1 && dp == floor(dp) && micro > 0 && fmod(global, micro * dp) == 0)
      gm_import_set(im, "--global-batch-size", "training.gradient_accumulation_steps",
                    cJSON_CreateNumber(global / (micro * dp)),
                    "global batch / (micro-batch x data-parallel size)");
    else
      gm_import_warn(im, "--global-batch-size",
                     "not mapped: accumulation steps need the number of GPUs (torchrun's "
                     "--nproc_per_node x --nnodes) and --micro-batch-size; set "
                     "training.gradient_accumulation_steps");
  }
  if (has(opts, "bf16"))
    gm_import_set(im, "--bf16", "training.dtype", cJSON_CreateString("bf16"), NULL);
  else if (has(opts, "fp16"))
    gm_import_set(im, "--fp16", "training.dtype", cJSON_CreateString("fp16"), NULL);
  else
    gm_import_set(im, "(no --bf16 or --fp16)", "training.dtype", cJSON_CreateString("fp32"),
                  "Megatron's default");
  s = string(im, opts, "recompute-granularity");
  if (s && (strcmp(s, "full") == 0 || strcmp(s, "selective") == 0))
    gm_import_set(im, "--recompute-granularity", "training.activation_checkpointing",
                  cJSON_CreateString(s), NULL);
  else if (s)
    gm_import_warn(im, "--recompute-granularity", "not mapped: %s (full or selective)", s);
  else if (has(opts, "recompute-activations"))
    gm_import_set(im, "--recompute-activations", "training.activation_checkpointing",
                  cJSON_CreateString("selective"), "the older spelling of selective");
  s = string(im, opts, "recompute-method");
  if (s && strcmp(s, "block") == 0)
    gm_import_warn(im, "--recompute-method",
                   "not mapped: block recomputes only --recompute-num-layers layers per stage; "
                   "counted as every layer");
  else if (s)
    gm_import_ignore(im, "--recompute-method", "uniform: every layer is recomputed");
  if (has(opts, "recompute-num-layers"))
    gm_import_ignore(im, "--recompute-num-layers", "read with --recompute-method");
  map_fraction(im, opts, "attention-dropout", "training.attention_dropout");
  map_fraction(im, opts, "hidden-dropout", "training.hidden_dropout");
  /* The local spec's DotProductAttention is unfused whatever the backend
   * (megatron/core/models/gpt/gpt_layer_specs.py, get_gpt_layer_local_spec). */
  s = string(im, opts, "transformer-impl");
  local = s && strcmp(s, "local") == 0;
  if (local)
    gm_import_set(im, "--transformer-impl", "training.attention", cJSON_CreateString("eager"),
                  "the local implementation keeps the s x s scores");
  else if (s)
    gm_import_ignore(im, "--transformer-impl", "no effect on memory beyond attention");
  s = string(im, opts, "attention-backend");
  if (s && local) {
    gm_import_ignore(im, "--attention-backend", "the local implementation is unfused");
    s = NULL;
  }
  if (s && (strcmp(s, "flash") == 0 || strcmp(s, "fused") == 0 || strcmp(s, "auto") == 0))
    gm_import_set(im, "--attention-backend", "training.attention", cJSON_CreateString("flash"),
                  "flash and cuDNN fused attention keep no score matrix");
  else if (s && (strcmp(s, "unfused") == 0 || strcmp(s, "local") == 0))
    gm_import_set(im, "--attention-backend", "training.attention", cJSON_CreateString("eager"),
                  NULL);
  else if (s)
    gm_import_warn(im, "--attention-backend", "not mapped: %s", s);
  s = string(im, opts, "cross-entropy-fusion-impl");
  if (has(opts, "cross-entropy-loss-fusion") && (!s || strcmp(s, "native") == 0))
    gm_import_set(im, "--cross-entropy-loss-fusion", "training.loss",
                  cJSON_CreateString("vocab_parallel_fused"),
                  "the compiled loss keeps a second fp32 copy of the logits");
  else if (has(opts, "cross-entropy-loss-fusion"))
    gm_import_warn(im, "--cross-entropy-fusion-impl",
                   "not mapped: %s; counted as the unfused vocab-parallel loss", s);
  if (has(opts, "use-flash-attn"))
    gm_import_set(im, "--use-flash-attn", "training.attention", cJSON_CreateString("flash"), NULL);
  s = string(im, opts, "optimizer");
  if (s && (strcmp(s, "adam") == 0 || strcmp(s, "sgd") == 0))
    gm_import_set(im, "--optimizer", "training.optimizer", cJSON_CreateString(s),
                  strcmp(s, "adam") == 0 ? "Megatron's adam is AdamW (decoupled weight decay)"
                                         : NULL);
  else if (s)
    gm_import_warn(im, "--optimizer", "not mapped: %s (adam or sgd)", s);
  if (has(opts, "sgd-momentum")) {
    option *o = find(opts, "sgd-momentum");
    char *end;
    double m = o->value ? strtod(o->value, &end) : -1;
    if (o->value && !*end && m >= 0 && m < 1)
      gm_import_set(im, "--sgd-momentum", "training.momentum", cJSON_CreateNumber(m), NULL);
  }
  if (has(opts, "cpu-offloading"))
    gm_import_warn(im, "--cpu-offloading", "not mapped: activation offload of some layers");
  /* Virtual stages: layers per stage / layers per virtual stage. */
  if (number(im, opts, "num-layers-per-virtual-pipeline-stage", 1, 1e5, &per_stage)) {
    number(im, opts, "num-layers", 1, 1e5, &layers);
    if (layers > 0 && fmod(layers / pp, per_stage) == 0 && fmod(layers, pp) == 0)
      gm_import_set(im, "--num-layers-per-virtual-pipeline-stage",
                    "parallelism.virtual_pipeline_stages",
                    cJSON_CreateNumber(layers / pp / per_stage),
                    "num-layers / pipeline size / layers per virtual stage");
    else
      gm_import_warn(im, "--num-layers-per-virtual-pipeline-stage",
                     "not mapped: must divide the layers of a stage");
  }
  map_number(im, opts, "virtual-pipeline-model-parallel-size",
             "parallelism.virtual_pipeline_stages", 1, 65536, NULL);
  map_number(im, opts, "microbatch-group-size-per-virtual-pipeline-stage",
             "parallelism.microbatch_group_size", 1, 1e9, NULL);
  map_number(im, opts, "num-virtual-stages-per-pipeline-rank",
             "parallelism.virtual_pipeline_stages", 1, 65536, NULL);
  map_number(im, opts, "decoder-first-pipeline-num-layers", "parallelism.first_stage_layers", 0,
             1e5, NULL);
  map_number(im, opts, "decoder-last-pipeline-num-layers", "parallelism.last_stage_layers", 0, 1e5,
             NULL);
  if (has(opts, "account-for-embedding-in-pipeline-split"))
    gm_import_set(im, "--account-for-embedding-in-pipeline-split",
                  "parallelism.account_for_embedding_in_pipeline_split", cJSON_CreateTrue(), NULL);
  if (has(opts, "account-for-loss-in-pipeline-split"))
    gm_import_set(im, "--account-for-loss-in-pipeline-split",
                  "parallelism.account_for_loss_in_pipeline_split", cJSON_CreateTrue(), NULL);
}

/* Whether word i assigns options (ARGS="--tp 2") outside any if block. An
 * assignment inside one depends on a condition that is not evaluated here:
 * it is reported instead. */
static int assigns_options(gm_import *im, const words *w, int i, int depth) {
  const char *word = w->words[i], *eq = strchr(word, '=');
  char name[64];
  if (!eq || eq == word || word[0] == '-' || !strstr(eq, "--"))
    return 0;
  if (depth == 0)
    return 1;
  if (im) {
    snprintf(name, sizeof name, "%.*s", (int)(eq - word), word);
    gm_import_warn(im, name,
                   "assigned inside an if block, whose condition is not evaluated: \"%.120s\" "
                   "is not applied",
                   eq + 1 + strspn(eq + 1, " "));
  }
  return 0;
}

/* if/fi nesting after word i. */
static int depth_after(const words *w, int i, int depth) {
  if (strcmp(w->words[i], "if") == 0)
    return depth + 1;
  if (strcmp(w->words[i], "fi") == 0 && depth > 0)
    return depth - 1;
  return depth;
}

/* The text followed by the values of its assignments that hold options,
 * one per line; NULL when out of memory. */
static char *with_assigned_options(gm_import *im, const char *text) {
  words w;
  size_t len = strlen(text), extra = 0, n;
  char *out = NULL, *p;
  int i, depth = 0;
  if (split(text, &w) != 0)
    goto done;
  for (i = 0; i < w.n; i++) {
    const char *eq = strchr(w.words[i], '=');
    if (assigns_options(im, &w, i, depth))
      extra += strlen(eq + 1) + 1;
    depth = depth_after(&w, i, depth);
  }
  out = malloc(len + extra + 1);
  if (!out)
    goto done;
  memcpy(out, text, len);
  p = out + len;
  for (i = 0, depth = 0; i < w.n; i++) {
    const char *eq = strchr(w.words[i], '=');
    int assigns = assigns_options(NULL, &w, i, depth);
    depth = depth_after(&w, i, depth);
    if (assigns) {
      *p++ = '\n';
      n = strlen(eq + 1);
      memcpy(p, eq + 1, n);
      p += n;
    }
  }
  *p = '\0';
done:
  free(w.words);
  free(w.buf);
  return out;
}

int gm_import_megatron(gm_import *im, const char *text, gm_error *err) {
  words w;
  options opts;
  double tp = 1, pp = 1, cp = 1, nodes = 1, per_node = 0, gpus = 0, zero = 0;
  int i, rc = GM_OK;
  char *full = with_assigned_options(im, text);
  memset(&opts, 0, sizeof opts);
  memset(&w, 0, sizeof w);
  if (!full || split(full, &w) != 0) {
    im->failed = 1;
    goto done;
  }
  /* Bounds keep the quadratic lookups below small; launch scripts hold a
   * few thousand words at most. */
  if (w.n > MAX_WORDS) {
    snprintf(err->field, sizeof err->field, "megatron");
    snprintf(err->message, sizeof err->message, "more than %d words: too long for a launch script",
             MAX_WORDS);
    rc = GM_EINVAL;
    goto done;
  }
  opts.o = calloc((size_t)w.n + 1, sizeof *opts.o);
  opts.w = &w;
  if (!opts.o) {
    im->failed = 1;
    goto done;
  }
  for (i = 0; i < w.n; i++) {
    char *word = w.words[i], *eq;
    if (strncmp(word, "--", 2) != 0 || !word[2])
      continue;
    opts.o[opts.n].name = word + 2;
    if ((eq = strchr(word, ' ')) != NULL) { /* "--vocab-size 128256" from a quoted array item */
      *eq = '\0';
      opts.o[opts.n].value = eq + 1 + strspn(eq + 1, " ");
    } else if ((eq = strchr(word, '=')) != NULL) {
      *eq = '\0';
      opts.o[opts.n].value = eq + 1;
    } else if (i + 1 < w.n && strncmp(w.words[i + 1], "--", 2) != 0) {
      opts.o[opts.n].value = w.words[++i];
    }
    opts.n++;
  }
  if (opts.n > MAX_OPTIONS) {
    snprintf(err->field, sizeof err->field, "megatron");
    snprintf(err->message, sizeof err->message, "more than %d options", MAX_OPTIONS);
    rc = GM_EINVAL;
    goto done;
  }
  if (opts.n == 0) {
    snprintf(err->field, sizeof err->field, "megatron");
    snprintf(err->message, sizeof err->message, "no --options found");
    rc = GM_EINVAL;
    goto done;
  }
  if (has(&opts, "deepspeed")) {
    gm_import_set(im, "--deepspeed", "engine.type", cJSON_CreateString("megatron_deepspeed"),
                  "Megatron-DeepSpeed");
    if (number(im, &opts, "zero-stage", 0, 3, &zero))
      gm_import_set(im, "--zero-stage", "engine.zero_stage", cJSON_CreateNumber(zero), NULL);
    if (has(&opts, "deepspeed_config") || has(&opts, "deepspeed-config"))
      gm_import_warn(im, "--deepspeed_config",
                     "not read: give the file too (calculate --deepspeed FILE)");
  } else {
    gm_import_set(im, "(Megatron-LM arguments)", "engine.type", cJSON_CreateString("megatron_lm"),
                  NULL);
  }
  map_number(im, &opts, "tensor-model-parallel-size", "parallelism.tensor_parallel_size", 1, 65536,
             &tp);
  map_number(im, &opts, "pipeline-model-parallel-size", "parallelism.pipeline_parallel_size", 1,
             65536, &pp);
  map_number(im, &opts, "context-parallel-size", "parallelism.context_parallel_size", 1, 65536,
             &cp);
  map_number(im, &opts, "expert-model-parallel-size", "parallelism.expert_parallel_size", 1, 65536,
             NULL);
  /* torchrun's size of the job: one launch's GPUs x nodes. */
  if ((number(im, &opts, "nproc_per_node", 1, 65536, &per_node) ||
       number(im, &opts, "nproc-per-node", 1, 65536, &per_node))) {
    if (!number(im, &opts, "nnodes", 1, 1e6, &nodes))
      nodes = 1;
    gpus = per_node * nodes;
    if (fmod(gpus, tp * pp * cp) == 0) {
      gm_import_set(im, "torchrun --nproc_per_node x --nnodes", "hardware.num_gpus",
                    cJSON_CreateNumber(gpus), NULL);
      gm_import_set(im, "torchrun --nproc_per_node", "hardware.gpus_per_node",
                    cJSON_CreateNumber(per_node), NULL);
    } else {
      gm_import_warn(im, "--nnodes",
                     "not mapped: %.0f GPUs are not a multiple of TP x PP x CP = %.0f (a "
                     "multi-node job launched per node?); set hardware.num_gpus",
                     gpus, tp * pp * cp);
      gpus = 0;
    }
  }
  if (has(&opts, "sequence-parallel"))
    gm_import_set(im, "--sequence-parallel", "parallelism.sequence_parallel", cJSON_CreateTrue(),
                  NULL);
  if (has(&opts, "use-distributed-optimizer"))
    gm_import_set(im, "--use-distributed-optimizer", "engine.distributed_optimizer",
                  cJSON_CreateTrue(), NULL);
  if (has(&opts, "defer-embedding-wgrad-compute")) {
    gm_import_set(im, "--defer-embedding-wgrad-compute", "parallelism.defer_embedding_wgrad",
                  cJSON_CreateTrue(), NULL);
    map_number(im, &opts, "wgrad-deferral-limit", "parallelism.wgrad_deferral_limit", 0, 1e9, NULL);
  }
  model_args(im, &opts, tp);
  training_args(im, &opts, gpus, tp, pp, cp);
  for (i = 0; i < opts.n; i++) {
    char field[80];
    int j, seen = 0;
    if (opts.o[i].used)
      continue;
    for (j = 0; j < i; j++) /* report each name once */
      if (strcmp(opts.o[j].name, opts.o[i].name) == 0)
        seen = 1;
    if (seen)
      continue;
    snprintf(field, sizeof field, "--%s", opts.o[i].name);
    if (without_effect(opts.o[i].name))
      gm_import_ignore(im, field, "no effect on memory");
    else
      gm_import_warn(im, field, "not recognised; its effect is not counted");
  }
done:
  free(opts.o);
  free(w.words);
  free(w.buf);
  free(full);
  return rc;
}
