/* import.c - import_json: which kind of file a text is (our config, a Hugging
 * Face config.json, a DeepSpeed config, Megatron-LM arguments, a YAML or a
 * torchtitan TOML), read into our config with a report. The format readers
 * are import_deepspeed.c, import_megatron.c, import_yaml.c and
 * import_torchtitan.c. */
#include "import.h"

#include "result_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys that only a DeepSpeed config has at its top level. */
static const char *const deepspeed_keys[] = {"zero_optimization",
                                             "train_micro_batch_size_per_gpu",
                                             "train_batch_size",
                                             "zero_allow_untested_optimizer",
                                             "zero_force_ds_cpu_optimizer",
                                             "steps_per_print",
                                             "wall_clock_breakdown",
                                             "activation_checkpointing",
                                             "gradient_clipping",
                                             NULL};
/* Keys of a Hugging Face config.json. */
static const char *const hf_keys[] = {
    "model_type", "architectures", "num_hidden_layers",   "n_layer",
    "n_embd",     "hidden_size",   "num_attention_heads", NULL};
static const char *const config_keys[] = {"model",  "training", "parallelism",
                                          "engine", "hardware", NULL};

static int has_any(const cJSON *obj, const char *const *keys) {
  for (; *keys; keys++)
    if (cJSON_GetObjectItemCaseSensitive(obj, *keys))
      return 1;
  return 0;
}

/* ---- import_json ---------------------------------------------------------- */

static char *error_json(const char *field, const char *message) {
  gm_error e;
  memset(&e, 0, sizeof e);
  snprintf(e.field, sizeof e.field, "%s", field);
  snprintf(e.message, sizeof e.message, "%s", message);
  return gm_error_json(&e);
}

/* Whether text reads as Megatron-LM arguments: one of its common options. */
static int looks_megatron(const char *text) {
  static const char *const options[] = {"--num-layers",
                                        "--tensor-model-parallel-size",
                                        "--pipeline-model-parallel-size",
                                        "--micro-batch-size",
                                        "--hidden-size",
                                        "--seq-length",
                                        NULL};
  const char *const *o;
  for (o = options; *o; o++)
    if (strstr(text, *o))
      return 1;
  return 0;
}

#if defined(GM_YAML) && defined(GM_TOML)
#define NOT_ANY "neither JSON, TOML, YAML nor a Megatron-LM command line"
#elif defined(GM_YAML)
#define NOT_ANY "neither JSON, YAML nor a Megatron-LM command line"
#else
#define NOT_ANY "neither JSON nor a Megatron-LM command line"
#endif

#ifdef GM_TOML
/* Whether text reads as meant to be TOML: a line that is a table header
 * ("[training]") or a "key = value" pair, neither of which YAML writes. */
static int looks_toml(const char *text) {
  const char *line = text;
  while (*line) {
    const char *p = line + strspn(line, " \t");
    size_t n = strcspn(p, "\r\n#");
    if (*p == '[' &&
        ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') || p[1] == '_')) {
      while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
      if (n > 2 && p[n - 1] == ']')
        return 1;
    } else {
      size_t k = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");
      if (k && k < n && p[k + strspn(p + k, " \t")] == '=')
        return 1;
    }
    line = p + strcspn(p, "\n");
    if (*line)
      line++;
  }
  return 0;
}
#endif

#ifdef GM_YAML
/* Detection's last try: the text as a YAML mapping; NULL when it is not one. */
static cJSON *try_yaml(const char *text, const char **kind) {
  char msg[128];
  cJSON *doc = gm_yaml_parse(text, msg, sizeof msg);
  if (cJSON_IsObject(doc)) {
    *kind = "yaml";
    return doc;
  }
  cJSON_Delete(doc);
  return NULL;
}
#endif

char *import_json(const char *kind, const char *text) {
  gm_import im;
  gm_error err;
  cJSON *doc = NULL, *out = NULL;
  const char *detected = NULL, *kind_out = NULL;
  char *result = NULL, description[128];
  int rc = GM_OK;
  if (!kind || !*kind)
    kind = "auto";
  if (!text)
    return error_json("", "no text to import");
  memset(&im, 0, sizeof im);
  memset(&err, 0, sizeof err);
  im.config = cJSON_CreateObject();
  im.mapped = cJSON_CreateArray();
  im.ignored = cJSON_CreateArray();
  im.warnings = cJSON_CreateArray();
  if (!im.config || !im.mapped || !im.ignored || !im.warnings)
    goto oom;
  if (strcmp(kind, "torchtitan") == 0)
    kind = "toml";
  if (strcmp(kind, "megatron") != 0 && strcmp(kind, "yaml") != 0 && strcmp(kind, "toml") != 0)
    doc = cJSON_Parse(text);

  if (strcmp(kind, "auto") == 0) {
    if (cJSON_IsObject(doc)) {
      if (has_any(doc, config_keys))
        kind = "config";
      else if (has_any(doc, deepspeed_keys))
        kind = "deepspeed";
      else if (has_any(doc, hf_keys))
        kind = "hf_config";
    } else if (!doc && looks_megatron(text)) {
      kind = "megatron";
    }
#ifdef GM_TOML
    else if (!doc) {
      char msg[160];
      doc = gm_toml_parse(text, msg, sizeof msg);
      if (cJSON_IsObject(doc) && doc->child) {
        kind = "toml";
      } else {
        cJSON_Delete(doc);
        doc = NULL;
#ifdef GM_YAML
        doc = try_yaml(text, &kind);
#endif
        /* Neither: a file written as TOML gets TOML's message. */
        if (strcmp(kind, "auto") == 0 && *msg && looks_toml(text)) {
          result = error_json("toml", msg);
          goto done;
        }
      }
    }
#elif defined(GM_YAML)
    else if (!doc) {
      doc = try_yaml(text, &kind);
    }
#endif
    if (strcmp(kind, "auto") == 0) {
      result = error_json("", doc ? "a JSON object that is neither a gpu-mem-calc config, a "
                                    "Hugging Face config.json nor a DeepSpeed config"
                                  : NOT_ANY);
      goto done;
    }
  }

  if (strcmp(kind, "megatron") == 0) {
    kind_out = "megatron";
    detected = "Megatron-LM arguments";
    rc = gm_import_megatron(&im, text, &err);
  } else if (strcmp(kind, "yaml") == 0) {
#ifdef GM_YAML
    char msg[128];
    kind_out = "yaml";
    if (!doc && !(doc = gm_yaml_parse(text, msg, sizeof msg))) {
      result = error_json("yaml", msg);
      goto done;
    }
    rc = gm_import_yaml(&im, doc, &detected, &err);
#else
    result = error_json("kind", "YAML is not built into this program");
    goto done;
#endif
  } else if (strcmp(kind, "toml") == 0) {
#ifdef GM_TOML
    char msg[160];
    kind_out = "toml";
    detected = "a torchtitan job config (TOML)";
    if (!doc && !(doc = gm_toml_parse(text, msg, sizeof msg))) {
      result = error_json("toml", msg);
      goto done;
    }
    rc = gm_import_torchtitan(&im, doc, &err);
#else
    result = error_json("kind", "TOML is not built into this program");
    goto done;
#endif
  } else if (!cJSON_IsObject(doc)) {
    result = error_json("", "not a JSON object");
    goto done;
  } else if (strcmp(kind, "config") == 0) {
    kind_out = "config";
    detected = "a gpu-mem-calc config";
    cJSON_Delete(im.config);
    im.config = doc;
    doc = NULL;
  } else if (strcmp(kind, "hf_config") == 0 || strcmp(kind, "hf") == 0) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(doc, "model_type");
    kind_out = "hf_config";
    snprintf(description, sizeof description, "a Hugging Face config.json%s%s%s",
             cJSON_IsString(type) ? " (model_type " : "",
             cJSON_IsString(type) ? type->valuestring : "", cJSON_IsString(type) ? ")" : "");
    detected = description;
    gm_import_set(&im, "config.json", "model", doc, "the whole file is the model section");
    doc = NULL;
  } else if (strcmp(kind, "deepspeed") == 0) {
    kind_out = "deepspeed";
    detected = "a DeepSpeed config (ds_config.json)";
    rc = gm_import_deepspeed(&im, doc, &err);
  } else {
    result =
        error_json("kind", "must be auto, config, hf_config, deepspeed, megatron, yaml or toml");
    goto done;
  }
  if (rc != GM_OK) {
    result = gm_error_json(&err);
    goto done;
  }
  if (im.failed)
    goto oom;
  out = cJSON_CreateObject();
  if (!out || !cJSON_AddStringToObject(out, "kind", kind_out) ||
      !cJSON_AddStringToObject(out, "detected", detected))
    goto oom;
  cJSON_AddItemToObject(out, "config", im.config);
  cJSON_AddItemToObject(out, "mapped", im.mapped);
  cJSON_AddItemToObject(out, "ignored", im.ignored);
  cJSON_AddItemToObject(out, "warnings", im.warnings);
  im.config = im.mapped = im.ignored = im.warnings = NULL;
  result = cJSON_Print(out);
  goto done;
oom:
  result = NULL;
done:
  cJSON_Delete(out);
  cJSON_Delete(doc);
  cJSON_Delete(im.config);
  cJSON_Delete(im.mapped);
  cJSON_Delete(im.ignored);
  cJSON_Delete(im.warnings);
  return result;
}
