/* main.c - the gpu-mem-calc command line. It uses only the public API: the
 * config goes through calc_json for JSON, CSV and markdown, and through
 * gm_calculate_json for the table (table.c), which reads the result struct. */
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
    "  --margin M sets hardware.safety_margin: the share of the card (0.15 or 15%)\n"
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

/* The table: the result struct, not calc_json's text read back. */
static int run_table(const char *config, const char *where) {
  gm_result *r = malloc(sizeof *r); /* every pipeline stage: too large for the stack */
  gm_error err;
  int rc = 0;
  if (!r) {
    fprintf(stderr, "gpu-mem-calc: out of memory\n");
    return EXIT_IO;
  }
  memset(&err, 0, sizeof err);
  if (gm_calculate_json(config, r, &err) == GM_OK) {
    cli_print_table(r);
  } else {
    fprintf(stderr, "gpu-mem-calc: invalid config%s%s: ", where ? " " : "", where ? where : "");
    if (err.field[0]) {
      gm_put_text(stderr, err.field, sizeof err.field);
      fputs(": ", stderr);
    }
    gm_put_text(stderr, err.message, sizeof err.message);
    fputs("\n", stderr);
    rc = EXIT_INVALID;
  }
  free(r);
  return rc;
}

/* Calculate config text and print it; the exit status. */
static int run(const char *config, const char *format, const char *where) {
  char *json;
  cJSON *tree = NULL;
  const cJSON *error;
  int rc = 0;
  if (strcmp(format, "table") == 0)
    return run_table(config, where);
  if (!(json = calc_json(config))) {
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
  } else {
    cli_rows_format rows;
    if (cli_rows_format_of(format, 0, &rows) == 0) {
      cli_rows_header(rows, NULL, 0);
      cli_rows_row(rows, NULL, 0, tree);
    }
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
  if (margin) {
    char share[96];
    if (cli_margin_share(margin, share, sizeof share) != 0) {
      cJSON_Delete(config);
      return usage_error("%s", share);
    }
    cJSON_AddItemToObject(hw, "safety_margin", number_or_string(share));
  }
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
    cli_thousands(num(m, "parameters"), count, sizeof count);
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
