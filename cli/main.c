/* main.c - the gpu-mem-calc command line. It uses only the public API: the
 * config goes through calc_json, and tables are drawn from its JSON output. */
#include "cli.h"
#include "gpumem.h"
#include "inputs.h"
#include "options.h"
#include "plan_cmd.h"
#include "read_file.h"
#include "text.h"

#include <cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERSION "0.1.0"
#define GIB 1073741824.0

/* Exit statuses: 2 for an invalid config or usage, 1 for I/O. */
enum { EXIT_INVALID = 2, EXIT_IO = 1 };

static const char usage[] =
    "usage: gpu-mem-calc COMMAND [OPTIONS]\n"
    "\n"
    "GPU memory of an LLM training run, per GPU, at its peak.\n"
    "\n"
    "commands:\n"
    "  calculate --config FILE [--set KEY=VALUE...] [--margin M]\n"
    "        [--format table|json|csv|markdown]\n"
    "      compute the memory of the config in FILE (see docs/config.md); FILE may also\n"
    "      be a Hugging Face config.json, a DeepSpeed ds_config.json, Megatron-LM\n"
    "      arguments, an Axolotl, LLaMA-Factory or accelerate YAML or a torchtitan\n"
    "      TOML, and several combine (--model, --deepspeed, --megatron-args)\n"
    "  quick PARAMS|ID --gpus N [--gpu NAME | --gpu-mem GB] [--engine E] [--dtype D]\n"
    "        [--zero-stage Z] [--batch-size B] [--seq-len S] [--margin M]\n"
    "        [--format table|json]\n"
    "      estimate from a parameter count (7, 125M, 1.5T) or a preset or Hub id\n"
    "      (llama-3-8b, meta-llama/Llama-3.1-8B); engines pytorch_ddp (ddp, pytorch),\n"
    "      deepspeed, megatron_lm (megatron), megatron_deepspeed, fsdp\n"
    "      without --engine, the planner picks the fastest layout that fits\n"
    "  plan --config FILE [--top N] [--gpus N|MIN-MAX] [--format table|json]\n"
    "      the layouts that fit, fastest first (estimated), why the others do not,\n"
    "      the fewest GPUs, and changes that make the config as given fit\n"
    "  --margin M sets hardware.safety_margin: the share of the card (0.15 = 15 %)\n"
    "  kept free for the verdict \"fits\"; above it the verdict is \"tight\"\n"
    "  sweep --config FILE --vary KEY=VALUES [--format table|csv|markdown|json]\n"
    "      one row per value (training.batch_size=1..16, engine.zero_stage=1,2,3)\n"
    "  validate FILE [--format text|json]\n"
    "      check a config: prints \"valid\" and any warnings, or the error (exit 2)\n"
    "  import FILE\n"
    "      show how a DeepSpeed, Megatron-LM, YAML, torchtitan TOML or Hugging Face\n"
    "      file maps to a config\n"
    "  presets [--format table|json]\n"
    "      list the GPUs and models that configs can name\n"
    "\n"
    "options:\n"
    "  -h, --help      show this help (COMMAND --help: the command's options)\n"
    "  -V, --version   show the version\n"
    "\n"
    "Memory is in GiB (2^30 bytes). Exit status: 0 (also when the config does not\n"
    "fit), 1 when a file cannot be read, 2 for an invalid config or usage.\n";

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int
usage_error(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "gpu-mem-calc: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nrun 'gpu-mem-calc --help' for usage\n");
  return EXIT_INVALID;
}

/* ---- Reading the result --------------------------------------------------- */

static const cJSON *get(const cJSON *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static double num(const cJSON *obj, const char *key) {
  const cJSON *v = get(obj, key);
  return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *obj, const char *key) {
  const cJSON *v = get(obj, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int flag(const cJSON *obj, const char *key) { return cJSON_IsTrue(get(obj, key)); }

static double gib(const cJSON *bytes, const char *key) { return num(bytes, key) / GIB; }

/* 6738415616 -> "6,738,415,616" */
static void thousands(double v, char *out, size_t n) {
  char digits[32];
  size_t len, i, k = 0;
  snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
  len = strlen(digits);
  for (i = 0; i < len && k + 2 < n; i++) {
    if (i > 0 && (len - i) % 3 == 0)
      out[k++] = ',';
    out[k++] = digits[i];
  }
  out[k] = '\0';
}

/* 6738415616 -> "6.74 B", 124439808 -> "124.4 M" */
static void short_count(double v, char *out, size_t n) {
  if (v >= 1e12)
    snprintf(out, n, "%.2f T", v / 1e12);
  else if (v >= 1e9)
    snprintf(out, n, "%.2f B", v / 1e9);
  else if (v >= 1e6)
    snprintf(out, n, "%.1f M", v / 1e6);
  else
    snprintf(out, n, "%.0f", v);
}

/* ---- The table ------------------------------------------------------------ */

static void row(const char *label, double value_gib) {
  printf("  %-34s %10.2f\n", label, value_gib);
}

static void detail(const cJSON *bytes, const char *key, const char *label) {
  if (num(bytes, key) > 0)
    printf("    %-32s %10.2f\n", label, gib(bytes, key));
}

static void print_header(const cJSON *out) {
  const cJSON *res = get(out, "resolved"), *m = get(res, "model"), *t = get(res, "training"),
              *p = get(res, "parallelism"), *e = get(res, "engine"), *h = get(res, "hardware"),
              *params = get(out, "parameters");
  const char *name = str(m, "name"), *engine = str(e, "type"), *gpu = str(h, "gpu");
  char count[32], exact[40];
  short_count(num(params, "total"), count, sizeof count);
  thousands(num(params, "total"), exact, sizeof exact);
  printf("Model       %s%s%s parameters (%s)%s\n", name && *name ? name : "",
         name && *name ? ": " : "", count, exact,
         flag(params, "estimated") ? ", architecture estimated from the count" : "");
  printf("Training    micro-batch %.0f x %.0f tokens, gradient accumulation %.0f, %s compute, %s "
         "precision, %s, activation checkpointing %s\n",
         num(t, "batch_size"), num(t, "seq_len"), num(t, "gradient_accumulation_steps"),
         str(t, "dtype") ? str(t, "dtype") : "?", str(t, "precision") ? str(t, "precision") : "?",
         str(t, "optimizer") ? str(t, "optimizer") : "?",
         str(t, "activation_checkpointing") ? str(t, "activation_checkpointing") : "?");
  if (str(t, "finetune") && strcmp(str(t, "finetune"), "full") != 0)
    printf("            %s rank %.0f on %s linears, %.0f trainable parameters\n",
           strcmp(str(t, "finetune"), "qlora") == 0 ? "QLoRA (NF4 base)" : "LoRA",
           num(t, "lora_rank"), str(t, "lora_targets") ? str(t, "lora_targets") : "?",
           num(params, "trainable"));
  if (str(t, "fp8") && strcmp(str(t, "fp8"), "none") != 0)
    printf("            FP8 linears (%s scaling)%s\n", str(t, "fp8"),
           flag(t, "fp8_all_gather") ? ", weights gathered in fp8" : "");
  printf("Engine      %s", engine ? engine : "?");
  if (engine && (strcmp(engine, "deepspeed") == 0 || strcmp(engine, "megatron_deepspeed") == 0))
    printf(" ZeRO-%.0f", num(e, "zero_stage"));
  if (engine && strcmp(engine, "fsdp") == 0 && str(e, "sharding_strategy"))
    printf(" %s", str(e, "sharding_strategy"));
  if (str(e, "offload_optimizer") && strcmp(str(e, "offload_optimizer"), "none") != 0)
    printf(", optimizer offload to %s", str(e, "offload_optimizer"));
  if (str(e, "offload_param") && strcmp(str(e, "offload_param"), "none") != 0)
    printf(", parameter offload to %s", str(e, "offload_param"));
  if (engine && str(e, "framework") && strcmp(str(e, "framework"), engine) != 0)
    printf(" (%s defaults%s%s)", str(e, "framework"), str(e, "framework_version") ? " as of " : "",
           str(e, "framework_version") ? str(e, "framework_version") : "");
  printf("\n");
  printf("Parallel    %.0f GPUs: TP %.0f x PP %.0f x DP %.0f", num(h, "num_gpus"),
         num(p, "tensor_parallel_size"), num(p, "pipeline_parallel_size"),
         num(p, "data_parallel_size"));
  if (num(p, "context_parallel_size") > 1)
    printf(" x CP %.0f", num(p, "context_parallel_size"));
  if (num(p, "expert_parallel_size") > 1)
    printf(", EP %.0f", num(p, "expert_parallel_size"));
  if (flag(p, "sequence_parallel"))
    printf(", sequence parallel");
  printf("\n");
  printf("GPU         %s%s%.2f GiB usable each\n", gpu ? gpu : "", gpu ? ": " : "",
         num(out, "gpu_capacity_gb"));
}

static void print_memory(const cJSON *out) {
  const cJSON *b = get(out, "bytes"), *d = get(out, "breakdown");
  int stages = cJSON_GetArraySize(get(out, "stages"));
  char title[80];
  if (stages > 1)
    snprintf(title, sizeof title, "Memory per GPU, stage %.0f of %d", num(out, "worst_stage"),
             stages);
  else
    snprintf(title, sizeof title, "Memory per GPU");
  printf("\n%-36s %10s\n", title, "GiB");
  row("Model parameters", num(d, "model_params_gb"));
  if (num(b, "gathered_params") > 0) {
    detail(b, "weights", "own shard");
    detail(b, "gathered_params", "gathered for compute");
  }
  row("Gradients", num(d, "gradients_gb"));
  row("Optimizer states", num(d, "optimizer_states_gb"));
  row("Activations", num(d, "activations_gb"));
  detail(b, "activations", "saved for backward");
  detail(b, "logits", "logits and loss");
  row("Overhead", num(d, "overhead_gb"));
  detail(b, "buffers", "buffers and cuBLAS workspaces");
  detail(b, "optimizer_step", "optimizer step temporaries");
  detail(b, "allocator_cache", "allocator cache");
  detail(b, "cuda_context", "CUDA context");
  printf("  %s\n", "-----------------------------------------------");
  row("Peak allocated (PyTorch)", num(out, "peak_allocated_gb"));
  row("Peak reserved (PyTorch)", num(out, "peak_reserved_gb"));
  row("Total (nvidia-smi)", num(out, "total_memory_per_gpu_gb"));
}

static void print_verdict(const cJSON *out) {
  double total = num(out, "total_memory_per_gpu_gb"), cap = num(out, "gpu_capacity_gb");
  double mb = num(out, "max_micro_batch_size"), seq = num(out, "max_seq_len");
  double margin = num(get(get(out, "resolved"), "hardware"), "safety_margin");
  const char *verdict = str(out, "verdict"), *reason = str(out, "verdict_reason");
  const cJSON *host = get(out, "host_memory");
  char tokens[32];
  if (verdict && strcmp(verdict, "fits") == 0)
    printf("\nFITS: %.2f GiB of %.2f GiB per GPU (%.1f %%), %.2f GiB headroom; fits below "
           "%.2f GiB with the %.0f %% safety margin\n",
           total, cap, num(out, "memory_utilization_percent"), cap - total,
           num(out, "fits_below_gb"), 100.0 * margin);
  else if (verdict && strcmp(verdict, "tight") == 0)
    printf("\nTIGHT (may run out of memory): %.2f GiB of %.2f GiB per GPU (%.1f %%); without "
           "pressure the allocator would hold %.2f GiB, more than the %.2f GiB that keeps a "
           "%.0f %% margin\n",
           total, cap, num(out, "memory_utilization_percent"), num(out, "peak_unconstrained_gb"),
           num(out, "fits_below_gb"), 100.0 * margin);
  else if (reason && strcmp(reason, "host_memory") == 0)
    printf("\nDOES NOT FIT (host memory): %.2f GiB of host memory per node needed; the GPUs "
           "hold %.2f GiB of %.2f GiB each\n",
           num(host, "per_node_gb"), total, cap);
  else
    printf("\nDOES NOT FIT: %.2f GiB of %.2f GiB per GPU (%.1f %%), %.2f GiB over\n", total, cap,
           num(out, "memory_utilization_percent"), total - cap);
  if (mb > 0)
    printf("Largest micro-batch that fits with the margin: %.0f\n", mb);
  else
    printf("Largest micro-batch that fits with the margin: none (even 1 does not)\n");
  thousands(seq, tokens, sizeof tokens);
  if (seq > 0)
    printf("Longest sequence that fits with the margin: %s tokens\n", tokens);
  else
    printf("Longest sequence that fits with the margin: none\n");
}

/* A stage's layers from its chunks: "0-9, 40-49"; "-" when it has none. */
static void stage_layers(const cJSON *stage, char *out, size_t n) {
  const cJSON *chunk;
  size_t len = 0;
  out[0] = '\0';
  cJSON_ArrayForEach(chunk, get(stage, "chunks")) {
    const cJSON *a = cJSON_GetArrayItem(chunk, 0), *b = cJSON_GetArrayItem(chunk, 1);
    int k;
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || len >= n)
      continue;
    k = snprintf(out + len, n - len, "%s%.0f-%.0f", len ? ", " : "", a->valuedouble,
                 b->valuedouble);
    if (k > 0)
      len += (size_t)k;
  }
  if (!out[0])
    snprintf(out, n, "-");
}

static void print_stages(const cJSON *out) {
  const cJSON *s;
  int worst = (int)num(out, "worst_stage"), width = 9;
  char layers[160];
  if (cJSON_GetArraySize(get(out, "stages")) < 2)
    return;
  cJSON_ArrayForEach(s, get(out, "stages")) {
    stage_layers(s, layers, sizeof layers);
    if ((int)strlen(layers) > width)
      width = (int)strlen(layers);
  }
  printf("\nPipeline stages\n  %5s  %-*s  %15s  %-9s  %9s  %9s  %9s\n", "stage", width, "layers",
         "params", "peak in", "allocated", "reserved", "total GiB");
  cJSON_ArrayForEach(s, get(out, "stages")) {
    char params[32];
    int index = (int)num(s, "stage");
    stage_layers(s, layers, sizeof layers);
    thousands(num(s, "params"), params, sizeof params);
    printf("  %5d  %-*s  %15s  %-9s  %9.2f  %9.2f  %9.2f%s\n", index, width, layers, params,
           str(s, "peak_phase") ? str(s, "peak_phase") : "", num(s, "peak_allocated_gb"),
           num(s, "peak_reserved_gb"), num(s, "total_gb"),
           index == worst ? "  <- most loaded" : "");
  }
}

static void print_host(const cJSON *out) {
  const cJSON *host = get(out, "host_memory");
  const cJSON *node = get(get(get(out, "resolved"), "hardware"), "host_memory_per_node_gb");
  if (num(host, "per_gpu_bytes") <= 0 && num(host, "nvme_per_gpu_bytes") <= 0)
    return;
  printf("\nHost memory %.2f GiB per GPU, %.2f GiB per node", num(host, "per_gpu_gb"),
         num(host, "per_node_gb"));
  if (cJSON_IsNumber(node))
    printf(" (of %.2f GiB)", node->valuedouble);
  if (num(host, "nvme_per_gpu_bytes") > 0)
    printf("; NVMe %.2f GiB per GPU", num(host, "nvme_per_gpu_gb"));
  printf("\n");
}

static void print_warnings(const cJSON *out) {
  const cJSON *w;
  if (cJSON_GetArraySize(get(out, "warnings")) == 0)
    return;
  printf("\nWarnings\n");
  cJSON_ArrayForEach(w, get(out, "warnings")) {
    const char *field = str(w, "field");
    printf("  %s%s%s\n", field && *field ? field : "", field && *field ? ": " : "",
           str(w, "message") ? str(w, "message") : "");
  }
}

static int print_table(const char *json) {
  cJSON *out = cJSON_Parse(json);
  if (!out || gm_escape_tree(out) != 0) {
    cJSON_Delete(out);
    fprintf(stderr, "gpu-mem-calc: the calculation returned unreadable output\n");
    return EXIT_IO;
  }
  print_header(out);
  print_memory(out);
  print_verdict(out);
  print_stages(out);
  print_host(out);
  print_warnings(out);
  cJSON_Delete(out);
  return 0;
}

/* ---- Commands ------------------------------------------------------------- */

/* The error of a calc_json output, or NULL when it holds a result. */
static cJSON *error_of(const char *json, cJSON **tree) {
  *tree = cJSON_Parse(json);
  gm_escape_tree(*tree); /* its strings may be printed: names, keys, messages */
  return cJSON_GetObjectItemCaseSensitive(*tree, "error");
}

static void print_error(const char *where, const cJSON *error) {
  const char *field = str(error, "field"), *message = str(error, "message");
  fprintf(stderr, "gpu-mem-calc: invalid config%s%s: %s%s%s\n", where ? " " : "",
          where ? where : "", field && *field ? field : "", field && *field ? ": " : "",
          message ? message : "unknown error");
}

/* The config in file, or NULL after printing why not (*rc: the exit status).
 * A NUL byte would end the text early for the core while an editor shows
 * what follows it, so it is refused. */
static char *read_config(const char *file, int *rc) {
  size_t len = 0;
  char *text = gm_read_file(file, &len);
  if (!text) {
    fprintf(stderr, "gpu-mem-calc: cannot read %s: %s\n", file, strerror(errno));
    *rc = EXIT_IO;
  } else if (strlen(text) != len) {
    fprintf(stderr, "gpu-mem-calc: invalid config %s: a NUL byte at offset %zu; a config is text\n",
            file, strlen(text));
    free(text);
    text = NULL;
    *rc = EXIT_INVALID;
  }
  return text;
}

/* Calculate config text and print it; the exit status. */
static int run(const char *config, const char *format, const char *where) {
  char *json = calc_json(config);
  cJSON *tree = NULL;
  const cJSON *error;
  int rc = 0;
  if (!json) {
    fprintf(stderr, "gpu-mem-calc: out of memory\n");
    return EXIT_IO;
  }
  error = error_of(json, &tree);
  if (strcmp(format, "json") == 0) {
    fputs(json, stdout); /* exactly calc_json's bytes */
    if (error)
      print_error(where, error);
  } else if (error) {
    print_error(where, error);
  } else if (strcmp(format, "table") != 0) {
    cli_rows_format rows;
    if (cli_rows_format_of(format, 0, &rows) == 0) {
      cli_rows_header(rows, NULL, 0);
      cli_rows_row(rows, NULL, 0, tree);
    }
  } else {
    rc = print_table(json);
  }
  if (error)
    rc = EXIT_INVALID;
  cJSON_Delete(tree);
  calc_free(json);
  return rc;
}

static int check_format(const char *format) {
  cli_rows_format rows;
  return strcmp(format, "json") == 0 || strcmp(format, "table") == 0 ||
         cli_rows_format_of(format, 0, &rows) == 0;
}

/* The sources combined, as the text to give calc_json (free with free()), or
 * NULL with *rc set. cJSON allocates with malloc: no hooks are installed. */
static char *inputs_text(const cli_inputs *in, int flags, int *rc) {
  char *raw = NULL, *text;
  cJSON *config = cli_inputs_load(in, flags, rc, &raw);
  if (raw)
    return raw;
  if (!config)
    return NULL;
  text = cJSON_PrintUnformatted(config);
  cJSON_Delete(config);
  if (!text) {
    fprintf(stderr, "gpu-mem-calc: out of memory\n");
    *rc = EXIT_IO;
  }
  return text;
}

/* Load the sources, then calculate and print; the exit status. */
static int run_inputs(const cli_inputs *in, int flags, const char *format) {
  int rc;
  char *text = inputs_text(in, flags, &rc);
  if (!text)
    return rc;
  rc = run(text, format, in->n == 1 ? in->items[0].arg : "(the combined config)");
  free(text);
  return rc;
}

static int cmd_calculate(int argc, char **argv) {
  const char *format = "table";
  int verbose = 0;
  const cli_option opts[] = {{.name = "--format", .alias = "-f", .value = &format},
                             {.name = "--verbose", .alias = "-v", .flag = &verbose},
                             {.name = NULL}};
  cli_inputs in;
  memset(&in, 0, sizeof in);
  if (cli_inputs_read_args(&in, opts, "calculate", argc, argv) < 0)
    return EXIT_INVALID;
  if (!check_format(format))
    return usage_error("--format must be table or json (or csv, markdown)");
  if (!cli_inputs_has_source(&in))
    return usage_error("calculate needs --config FILE");
  return run_inputs(&in, verbose ? CLI_INPUTS_VERBOSE : 0, format);
}

/* A number as a JSON number, anything else as a string (calc_json names the
 * field when it is not valid). */
static cJSON *number_or_string(const char *s) {
  /* Strictly a JSON number: strtod alone would take "nan", "inf" and "0x10". */
  if (gm_is_json_number(s))
    return cJSON_CreateNumber(strtod(s, NULL));
  return cJSON_CreateString(s);
}

/* Whether s is a parameter count (7, 0.5, 125M, 1.5T) rather than a model id. */
static int is_count(const char *s) {
  char *end;
  (void)strtod(s, &end);
  if (end == s)
    return 0;
  return !*end || (strchr("kKmMbBgGtT", *end) && !end[1]);
}

static const char *engine_name(const char *e) {
  static const char *const aliases[][2] = {{"ddp", "pytorch_ddp"},
                                           {"pytorch", "pytorch_ddp"},
                                           {"megatron", "megatron_lm"},
                                           {"megatron-deepspeed", "megatron_deepspeed"},
                                           {"megatron-lm", "megatron_lm"}};
  size_t i;
  for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (strcmp(e, aliases[i][0]) == 0)
      return aliases[i][1];
  return e;
}

static int cmd_quick(int argc, char **argv) {
  const char *params = NULL, *gpus = NULL, *gpu = NULL, *mem = NULL, *engine = NULL, *dtype = NULL,
             *zero = NULL, *batch = NULL, *seq = NULL, *format = "table", *margin = NULL;
  const char *accum = NULL, *recompute = NULL, *tp = NULL, *pp = NULL, *finetune = NULL,
             *rank = NULL, *offload = NULL, *offload_params = NULL;
  const cli_option opts[] = {{.name = "--gpus", .value = &gpus},
                             {.name = "--gpu", .value = &gpu},
                             {.name = "--gpu-mem", .value = &mem},
                             {.name = "--engine", .value = &engine},
                             {.name = "--dtype", .value = &dtype},
                             {.name = "--zero-stage", .value = &zero},
                             {.name = "--batch-size", .value = &batch},
                             {.name = "--seq-len", .value = &seq},
                             {.name = "--format", .alias = "-f", .value = &format},
                             {.name = "--grad-accum", .value = &accum},
                             {.name = "--checkpointing", .value = &recompute},
                             {.name = "--tp", .value = &tp},
                             {.name = "--pp", .value = &pp},
                             {.name = "--finetune", .value = &finetune},
                             {.name = "--lora-rank", .value = &rank},
                             {.name = "--offload", .value = &offload},
                             {.name = "--offload-params", .value = &offload_params},
                             {.name = NULL}};
  cli_inputs sets;
  cJSON *config, *model, *training, *eng, *hw;
  char *text, number[64];
  int i, rc;
  memset(&sets, 0, sizeof sets);
  for (i = 2; i < argc; i++) {
    int took = cli_inputs_take(&sets, argc, argv, &i);
    if (took < 0)
      return EXIT_INVALID;
    if (took && sets.items[sets.n - 1].kind == CLI_IN_MARGIN) {
      margin = sets.items[--sets.n].arg;
      continue;
    }
    if (took && sets.items[sets.n - 1].kind != CLI_IN_SET)
      return usage_error("quick takes --set; for config files use calculate");
    if (took)
      continue;
    if ((took = cli_option_take(opts, argc, argv, &i)) < 0)
      return EXIT_INVALID;
    if (took)
      continue;
    if (argv[i][0] != '-' && !params)
      params = argv[i];
    else
      return usage_error("quick: unknown argument '%s'", argv[i]);
  }
  if (!params)
    return usage_error("quick needs a parameter count in billions or a model id, e.g. 'quick 7 "
                       "--gpus 8'");
  if (!gpus)
    return usage_error("quick needs --gpus N");
  if (gpu && mem)
    return usage_error("quick takes --gpu or --gpu-mem, not both");
  if (!check_format(format))
    return usage_error("--format must be table or json (or csv, markdown)");

  config = cJSON_CreateObject();
  model = cJSON_AddObjectToObject(config, "model");
  training = cJSON_AddObjectToObject(config, "training");
  eng = cJSON_AddObjectToObject(config, "engine");
  hw = cJSON_AddObjectToObject(config, "hardware");
  /* A bare number is billions, as in the earlier tool's 'quick 7'. */
  if (!is_count(params)) {
    /* A preset or Hugging Face Hub id: the exact architecture. */
    cJSON_AddStringToObject(model, "preset", params);
  } else {
    if (gm_is_json_number(params) && params[0] != '-' && strlen(params) < sizeof number - 2) {
      snprintf(number, sizeof number, "%sB", params);
      cJSON_AddStringToObject(model, "num_parameters", number);
    } else {
      cJSON_AddStringToObject(model, "num_parameters", params);
    }
  }
  if (is_count(params))
    cJSON_AddStringToObject(model, "name", "quick estimate");
  if (dtype)
    cJSON_AddStringToObject(training, "dtype", dtype);
  if (batch)
    cJSON_AddItemToObject(training, "batch_size", number_or_string(batch));
  if (seq)
    cJSON_AddItemToObject(training, "seq_len", number_or_string(seq));
  if (engine)
    cJSON_AddStringToObject(eng, "type", engine_name(engine));
  if (zero)
    cJSON_AddItemToObject(eng, "zero_stage", number_or_string(zero));
  cJSON_AddItemToObject(hw, "num_gpus", number_or_string(gpus));
  if (gpu)
    cJSON_AddStringToObject(hw, "gpu", gpu);
  if (mem)
    cJSON_AddItemToObject(hw, "gpu_memory_gb", number_or_string(mem));
  if (accum)
    cJSON_AddItemToObject(training, "gradient_accumulation_steps", number_or_string(accum));
  if (recompute)
    cJSON_AddStringToObject(training, "activation_checkpointing", recompute);
  if (finetune)
    cJSON_AddStringToObject(training, "finetune", finetune);
  if (rank)
    cJSON_AddItemToObject(training, "lora_rank", number_or_string(rank));
  if (tp || pp) {
    cJSON *par = cJSON_AddObjectToObject(config, "parallelism");
    if (tp)
      cJSON_AddItemToObject(par, "tensor_parallel_size", number_or_string(tp));
    if (pp)
      cJSON_AddItemToObject(par, "pipeline_parallel_size", number_or_string(pp));
  }
  if (offload)
    cJSON_AddStringToObject(eng, "offload_optimizer", offload);
  if (offload_params)
    cJSON_AddStringToObject(eng, "offload_param", offload_params);
  for (i = 0; i < sets.n; i++) {
    char msg[256];
    if (cli_set(config, sets.items[i].arg, msg, sizeof msg) != 0) {
      cJSON_Delete(config);
      return usage_error("%s", msg);
    }
  }
  if (margin)
    cJSON_AddItemToObject(hw, "safety_margin", number_or_string(margin));
  text = cJSON_PrintUnformatted(config);
  cJSON_Delete(config);
  if (!text) {
    fprintf(stderr, "gpu-mem-calc: out of memory\n");
    return EXIT_IO;
  }
  {
    /* The layout is open: the planner picks the fastest that fits. */
    char layout[160], *chosen = gm_plan_choose(text, layout, sizeof layout);
    if (chosen) {
      if (strcmp(format, "table") == 0)
        printf("Layout chosen by the planner: %s\n\n", layout);
      cJSON_free(text);
      text = chosen;
    }
  }
  rc = run(text, format, "(from the quick options)");
  cJSON_free(text);
  return rc;
}

/* validate: text ("valid" and warnings) or JSON ({"valid", "warnings"} or {"valid", "error"}). */
static int cmd_validate(int argc, char **argv) {
  const char *format = "text";
  const cli_option opts[] = {{.name = "--format", .alias = "-f", .value = &format}, {.name = NULL}};
  char *text, *json;
  cJSON *tree = NULL;
  const cJSON *error, *w;
  cli_inputs in;
  int rc;
  memset(&in, 0, sizeof in);
  if (cli_inputs_read_args(&in, opts, "validate", argc, argv) < 0)
    return EXIT_INVALID;
  if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
    return usage_error("validate: --format must be text or json");
  if (!cli_inputs_has_source(&in))
    return usage_error("validate takes one FILE");
  if (!(text = inputs_text(&in, 0, &rc)))
    return rc;
  json = calc_json(text);
  free(text);
  if (!json) {
    fprintf(stderr, "gpu-mem-calc: out of memory\n");
    return EXIT_IO;
  }
  error = error_of(json, &tree);
  if (strcmp(format, "json") == 0) {
    cJSON *out = cJSON_CreateObject();
    char *printed;
    cJSON_AddBoolToObject(out, "valid", !error);
    if (error)
      cJSON_AddItemToObject(out, "error", cJSON_Duplicate(error, 1));
    else
      cJSON_AddItemToObject(out, "warnings", cJSON_Duplicate(get(tree, "warnings"), 1));
    printed = cJSON_Print(out);
    if (printed)
      printf("%s\n", printed);
    cJSON_free(printed);
    cJSON_Delete(out);
  } else if (error) {
    print_error(in.n == 1 ? in.items[0].arg : NULL, error);
  } else {
    printf("valid\n");
    cJSON_ArrayForEach(w, get(tree, "warnings")) {
      const char *field = str(w, "field");
      printf("warning: %s%s%s\n", field && *field ? field : "", field && *field ? ": " : "",
             str(w, "message") ? str(w, "message") : "");
    }
  }
  cJSON_Delete(tree);
  calc_free(json);
  return error ? EXIT_INVALID : 0;
}

/* import: import_json's report, or only the config it maps to. */
static int cmd_import(int argc, char **argv) {
  const char *file = NULL, *kind = "auto", *format = "json";
  const cli_option opts[] = {
      {.name = "--kind", .value = &kind}, {.name = "--format", .value = &format}, {.name = NULL}};
  char *text, *json;
  cJSON *tree;
  const cJSON *error;
  int i, rc = 0, took;
  for (i = 2; i < argc; i++) {
    const char *a = argv[i];
    if ((took = cli_option_take(opts, argc, argv, &i)) < 0)
      return EXIT_INVALID;
    if (took)
      continue;
    if ((a[0] != '-' || strcmp(a, "-") == 0) && !file)
      file = a;
    else
      return usage_error("import: unknown argument '%s'", a);
  }
  if (strcmp(format, "json") != 0 && strcmp(format, "config") != 0)
    return usage_error("import: --format must be json or config");
  if (!file)
    return usage_error("import takes one FILE");
  if (!(text = read_config(file, &rc)))
    return rc;
  json = import_json(kind, text);
  free(text);
  if (!json) {
    fprintf(stderr, "gpu-mem-calc: out of memory\n");
    return EXIT_IO;
  }
  error = error_of(json, &tree);
  if (error) {
    const char *field = str(error, "field"), *message = str(error, "message");
    fprintf(stderr, "gpu-mem-calc: cannot import %s: %s%s%s\n", file, field && *field ? field : "",
            field && *field ? ": " : "", message ? message : "unreadable");
    rc = EXIT_INVALID;
  } else if (strcmp(format, "config") == 0) {
    char *config = cJSON_Print(get(tree, "config"));
    if (config)
      printf("%s\n", config);
    cJSON_free(config);
  } else {
    fputs(json, stdout);
    putchar('\n');
  }
  cJSON_Delete(tree);
  calc_free(json);
  return rc;
}

/* The presets as one table: kind (gpu or model), id, name, usable GiB, parameters. */
static void print_presets_rows(const cJSON *presets, const char *format) {
  const cJSON *g, *m;
  int csv = strcmp(format, "csv") == 0;
  printf(
      csv ? "kind,id,name,usable_gib,parameters\n"
          : "| kind | id | name | usable GiB | parameters |\n| --- | --- | --- | ---: | ---: |\n");
  cJSON_ArrayForEach(g, get(presets, "gpus")) {
    printf(csv ? "gpu,%s,\"%s\",%.2f,\n" : "| gpu | %s | %s | %.2f | |\n",
           str(g, "id") ? str(g, "id") : "?", str(g, "display_name") ? str(g, "display_name") : "",
           num(g, "memory_mib") / 1024.0);
  }
  cJSON_ArrayForEach(m, get(presets, "models")) {
    printf(csv ? "model,%s,\"%s\",,%.0f\n" : "| model | %s | %s | | %.0f |\n", m->string,
           str(m, "display_name") ? str(m, "display_name") : "", num(m, "parameters"));
  }
}

static int cmd_presets(int argc, char **argv) {
  cJSON *presets;
  const cJSON *g, *m;
  const char *format = "table";
  const cli_option opts[] = {{.name = "--format", .value = &format}, {.name = NULL}};
  int i, took;
  for (i = 2; i < argc; i++) {
    if ((took = cli_option_take(opts, argc, argv, &i)) < 0)
      return EXIT_INVALID;
    if (!took)
      return usage_error("presets: unknown argument '%s'", argv[i]);
  }
  if (!check_format(format))
    return usage_error("--format must be table or json (or csv, markdown)");
  if (strcmp(format, "json") == 0) {
    printf("%s\n", gm_presets_json());
    return 0;
  }
  presets = cJSON_Parse(gm_presets_json());
  if (strcmp(format, "table") != 0) {
    print_presets_rows(presets, format);
    cJSON_Delete(presets);
    return 0;
  }
  printf("GPUs (hardware.gpu: the id or any alias; a short name means the common card: \"A100\" "
         "is the 80 GB A100, \"V100\" the 16 GB V100, \"H100\" the SXM H100)\n  %-18s %10s  %s\n",
         "id", "usable GiB", "name");
  cJSON_ArrayForEach(g, get(presets, "gpus")) {
    const cJSON *a;
    int n = 0;
    printf("  %-18s %10.2f  %s\n", str(g, "id") ? str(g, "id") : "?", num(g, "memory_mib") / 1024.0,
           str(g, "display_name") ? str(g, "display_name") : "");
    cJSON_ArrayForEach(a, get(g, "aliases")) {
      if (cJSON_IsString(a))
        printf("%s%s", n++ ? ", " : "    also: ", a->valuestring);
    }
    if (n)
      printf("\n");
  }
  printf("\nModels (model.preset)\n  %-18s %18s  %s\n", "id", "parameters", "name");
  cJSON_ArrayForEach(m, get(presets, "models")) {
    char count[40];
    thousands(num(m, "parameters"), count, sizeof count);
    printf("  %-18s %18s  %s\n", m->string, count,
           str(m, "display_name") ? str(m, "display_name") : "");
  }
  cJSON_Delete(presets);
  return 0;
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : NULL;
  if (!cmd)
    return usage_error("missing command");
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
    printf("gpu-mem-calc %s\n", VERSION);
    return 0;
  }
  if (cli_wants_help(argc, argv) && cli_help(cmd) == 0)
    return 0;
  if (strcmp(cmd, "calculate") == 0)
    return cmd_calculate(argc, argv);
  if (strcmp(cmd, "sweep") == 0)
    return cli_sweep(argc, argv);
  if (strcmp(cmd, "import") == 0)
    return cmd_import(argc, argv);
  if (strcmp(cmd, "quick") == 0)
    return cmd_quick(argc, argv);
  if (strcmp(cmd, "plan") == 0)
    return gm_cmd_plan(argc, argv);
  if (strcmp(cmd, "validate") == 0)
    return cmd_validate(argc, argv);
  if (strcmp(cmd, "presets") == 0)
    return cmd_presets(argc, argv);
  return usage_error("unknown command '%s'", cmd);
}
