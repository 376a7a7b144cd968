/* inputs.c - the config of a run from one or more sources: config files of
 * any kind import_json detects (--config), a model (--model: a config.json,
 * or a preset or Hub id), a DeepSpeed config (--deepspeed), Megatron-LM
 * arguments (--megatron-args), then --set overrides. Later sources win, key
 * by key. */
#include "inputs.h"

#include "gpumem.h"
#include "read_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(const char *fmt, const char *arg) {
  fprintf(stderr, "gpu-mem-calc: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nrun 'gpu-mem-calc COMMAND --help' for usage\n");
  return -1;
}

static int add(cli_inputs *in, cli_input_kind kind, const char *arg) {
  if (in->n >= CLI_MAX_INPUTS)
    return usage("too many config options (at most %s)", "64");
  in->items[in->n].kind = kind;
  in->items[in->n].arg = arg;
  in->n++;
  return 1;
}

int cli_inputs_take(cli_inputs *in, int argc, char **argv, int *i) {
  static const struct {
    const char *name;
    cli_input_kind kind;
  } opts[] = {{"--config", CLI_IN_CONFIG},
              {"-c", CLI_IN_CONFIG},
              {"--model", CLI_IN_MODEL},
              {"--deepspeed", CLI_IN_DEEPSPEED},
              {"--megatron-args", CLI_IN_MEGATRON},
              {"--set", CLI_IN_SET},
              {"-s", CLI_IN_SET},
              {"--margin", CLI_IN_MARGIN}};
  size_t k;
  for (k = 0; k < sizeof opts / sizeof opts[0]; k++) {
    int matched;
    const char *v = cli_option_value(argc, argv, i, opts[k].name, &matched);
    if (!matched)
      continue;
    if (!v)
      return usage("%s needs a value", opts[k].name);
    return add(in, opts[k].kind, v);
  }
  return 0;
}

int cli_inputs_add_file(cli_inputs *in, const char *path) { return add(in, CLI_IN_CONFIG, path); }

int cli_inputs_read_args(cli_inputs *in, const cli_option *opts, const char *cmd, int argc,
                         char **argv) {
  int i, took;
  for (i = 2; i < argc; i++) {
    const char *a = argv[i];
    took = cli_inputs_take(in, argc, argv, &i);
    if (took == 0 && opts)
      took = cli_option_take(opts, argc, argv, &i);
    if (took < 0)
      return -1;
    if (took)
      continue;
    if (a[0] == '-' && strcmp(a, "-") != 0) {
      fprintf(stderr, "gpu-mem-calc: %s: unknown argument '%s'\n", cmd, a);
      fprintf(stderr, "run 'gpu-mem-calc %s --help' for usage\n", cmd);
      return -1;
    }
    if (cli_inputs_add_file(in, a) < 0)
      return -1;
  }
  return 0;
}

static int has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Merge src into dst key by key: objects recursively, anything else replaced. */
static void merge(cJSON *dst, cJSON *src) {
  cJSON *item = src->child;
  while (item) {
    cJSON *next = item->next, *have = cJSON_GetObjectItemCaseSensitive(dst, item->string);
    if (cJSON_IsObject(have) && cJSON_IsObject(item)) {
      merge(have, item);
    } else {
      /* Replacing frees item's own copy of the key: pass another. */
      char *key = item->string;
      item->string = NULL;
      cJSON_DetachItemViaPointer(src, item);
      if (have)
        cJSON_ReplaceItemInObjectCaseSensitive(dst, key, item);
      else
        cJSON_AddItemToObject(dst, key, item);
      cJSON_free(key);
    }
    item = next;
  }
}

/* A string of the report for the terminal: control characters (from the
 * user's file) as '?'. */
static void put(const char *s) {
  for (; s && *s; s++)
    fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
}

/* The string at key of obj, or "". */
static const char *text_of(const cJSON *obj, const char *key) {
  const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
  return s ? s : "";
}

static void print_report(const char *where, const cJSON *report, int verbose) {
  const cJSON *v;
  int mapped = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "mapped")),
      ignored = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "ignored")),
      warnings = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "warnings"));
  fputs("gpu-mem-calc: ", stderr);
  put(where);
  fputs(": ", stderr);
  put(text_of(report, "detected"));
  if (mapped || ignored || warnings)
    fprintf(stderr, "; %d mapped, %d without effect, %d not mapped", mapped, ignored, warnings);
  fputc('\n', stderr);
  if (verbose) {
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(report, "mapped")) {
      char *value = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(v, "value"));
      fputs("  ", stderr);
      put(text_of(v, "from"));
      fputs(" -> ", stderr);
      put(text_of(v, "to"));
      fputs(" = ", stderr);
      if (value && strlen(value) > 60)
        value[60] = '\0';
      put(value ? value : "?");
      if (*text_of(v, "note")) {
        fputs(" (", stderr);
        put(text_of(v, "note"));
        fputs(")", stderr);
      }
      fputc('\n', stderr);
      cJSON_free(value);
    }
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(report, "ignored")) {
      fputs("  ", stderr);
      put(text_of(v, "field"));
      fputs(": no memory effect (", stderr);
      put(text_of(v, "reason"));
      fputs(")\n", stderr);
    }
  }
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(report, "warnings")) {
    fputs("  warning: ", stderr);
    put(text_of(v, "field"));
    fputs(": ", stderr);
    put(text_of(v, "message"));
    fputc('\n', stderr);
  }
}

/* Import text of kind; the config it maps to (owned by the caller), or NULL
 * with *rc set and the message printed. */
static cJSON *import(const char *kind, const char *text, const char *where, int flags, int *rc,
                     int *ours) {
  char *json = import_json(kind, text);
  cJSON *report, *error, *config;
  if (!json) {
    fprintf(stderr, "gpu-mem-calc: out of memory\n");
    *rc = CLI_EXIT_IO;
    return NULL;
  }
  report = cJSON_Parse(json);
  calc_free(json);
  error = cJSON_GetObjectItemCaseSensitive(report, "error");
  if ((!report || error) && (flags & CLI_INPUTS_RAW_ON_ERROR)) {
    cJSON_Delete(report);
    *rc = CLI_EXIT_INVALID;
    return NULL;
  }
  if (!report || error) {
    fputs("gpu-mem-calc: cannot read ", stderr);
    put(where);
    fputs(": ", stderr);
    put(text_of(error, "field"));
    fputs(*text_of(error, "field") ? ": " : "", stderr);
    put(*text_of(error, "message") ? text_of(error, "message") : "unreadable");
    fputc('\n', stderr);
    cJSON_Delete(report);
    *rc = CLI_EXIT_INVALID;
    return NULL;
  }
  /* Our own config needs no report; anything imported says what it was. */
  *ours = strcmp(text_of(report, "kind"), "config") == 0;
  if (!(flags & CLI_INPUTS_QUIET) && !*ours)
    print_report(where, report, flags & CLI_INPUTS_VERBOSE);
  config = cJSON_DetachItemFromObjectCaseSensitive(report, "config");
  cJSON_Delete(report);
  return config;
}

cJSON *cli_inputs_load(const cli_inputs *in, int flags, int *rc, char **raw) {
  cJSON *config = cJSON_CreateObject();
  int i, single = in->n == 1 && in->items[0].kind == CLI_IN_CONFIG && raw;
  *rc = 0;
  if (raw)
    *raw = NULL;
  if (!config) {
    *rc = CLI_EXIT_IO;
    return NULL;
  }
  for (i = 0; i < in->n && *rc == 0; i++) {
    const cli_input *it = &in->items[i];
    cJSON *part = NULL;
    char *text = NULL;
    size_t len = 0;
    const char *kind = "auto";
    int ours = 0;
    switch (it->kind) {
    case CLI_IN_SET:
    case CLI_IN_MARGIN:
      continue; /* after every file */
    case CLI_IN_MEGATRON:
      part = import("megatron", it->arg, "--megatron-args", flags, rc, &ours);
      break;
    case CLI_IN_MODEL:
    case CLI_IN_DEEPSPEED:
    case CLI_IN_CONFIG:
      if (it->kind == CLI_IN_DEEPSPEED)
        kind = "deepspeed";
      text = gm_read_file(it->arg, &len);
      if (!text && errno == ENOENT && it->kind == CLI_IN_MODEL && !has_suffix(it->arg, ".json")) {
        /* Not a file: a preset or Hugging Face Hub id ("meta-llama/Llama-3.1-8B"). */
        part = cJSON_CreateObject();
        if (part)
          cJSON_AddStringToObject(cJSON_AddObjectToObject(part, "model"), "preset", it->arg);
        break;
      }
      if (!text) {
        fprintf(stderr, "gpu-mem-calc: cannot read %s: %s\n", it->arg, strerror(errno));
        *rc = CLI_EXIT_IO;
        break;
      }
      if (strlen(text) != len) {
        /* The text would end early for the core while an editor shows the rest. */
        fprintf(stderr,
                "gpu-mem-calc: invalid config %s: a NUL byte at offset %zu; a config is "
                "text\n",
                it->arg, strlen(text));
        free(text);
        *rc = CLI_EXIT_INVALID;
        break;
      }
      part = import(kind, text, it->arg,
                    flags | (single || it->kind == CLI_IN_MODEL ? CLI_INPUTS_RAW_ON_ERROR : 0), rc,
                    &ours);
      if (!part && it->kind == CLI_IN_MODEL && *rc == CLI_EXIT_INVALID) {
        /* A model section of our own keys ({"preset": ...}, {"num_layers": ...}). */
        *rc = 0;
        part = import("hf_config", text, it->arg, flags | CLI_INPUTS_QUIET, rc, &ours);
      }
      if (single && ((!part && *rc == CLI_EXIT_INVALID) || (part && ours))) {
        /* Our own config goes to the core as written, and so does a file of no
         * kind we import: the core says what is wrong with it. */
        cJSON_Delete(part);
        *rc = 0;
        *raw = text;
        cJSON_Delete(config);
        return NULL;
      }
      free(text);
      if (part && it->kind == CLI_IN_MODEL && !cJSON_GetObjectItemCaseSensitive(part, "model")) {
        fprintf(stderr, "gpu-mem-calc: --model %s: holds no model\n", it->arg);
        *rc = CLI_EXIT_INVALID;
      }
      break;
    }
    if (part && *rc == 0)
      merge(config, part);
    cJSON_Delete(part);
  }
  for (i = 0; i < in->n && *rc == 0; i++) {
    char msg[256], margin[128], share[96];
    const char *assignment = in->items[i].arg;
    if (in->items[i].kind == CLI_IN_MARGIN) {
      if (cli_margin_share(in->items[i].arg, share, sizeof share) != 0) {
        fprintf(stderr, "gpu-mem-calc: %s\n", share);
        *rc = CLI_EXIT_INVALID;
        break;
      }
      snprintf(margin, sizeof margin, "hardware.safety_margin=%.80s", share);
      assignment = margin;
    } else if (in->items[i].kind != CLI_IN_SET) {
      continue;
    }
    if (cli_set(config, assignment, msg, sizeof msg) != 0) {
      fprintf(stderr, "gpu-mem-calc: %s\n", msg);
      *rc = CLI_EXIT_INVALID;
    }
  }
  if (*rc == 0 && !cJSON_GetObjectItemCaseSensitive(config, "model"))
    fprintf(stderr, "gpu-mem-calc: no model given: add --model config.json, --model PRESET "
                    "(see 'gpu-mem-calc presets') or --set model.preset=ID\n");
  if (*rc != 0) {
    cJSON_Delete(config);
    return NULL;
  }
  return config;
}

int cli_inputs_has_source(const cli_inputs *in) {
  int i;
  for (i = 0; i < in->n; i++)
    if (in->items[i].kind != CLI_IN_SET && in->items[i].kind != CLI_IN_MARGIN)
      return 1;
  return 0;
}
