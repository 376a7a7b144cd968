/* unit_test.c - the public API's promises and the small static helpers of the
 * config readers, tested directly. The readers' .c files are included, as
 * cJSON's tests do, so their static functions and tables are in reach; the
 * rest of the core comes from the library. Prints "N passed, M failed". */
#include "../core/config_value.c"
#include "../core/hf_config.c"

#include "internal.h"
#include "presets_table.h"
#include "result_json.h"

static int passed, failed;

#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    if (cond) {                                                                                    \
      passed++;                                                                                    \
    } else {                                                                                       \
      failed++;                                                                                    \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                  \
      printf(__VA_ARGS__);                                                                         \
      printf("\n");                                                                                \
    }                                                                                              \
  } while (0)

/* scan_decimal: exact mantissa and power of ten, or NULL. */
static void test_scan_decimal(void) {
  static const struct {
    const char *text;
    int ok;
    uint64_t mant;
    int exp10;
    const char *rest; /* what follows the number */
  } cases[] = {
      {"1.5", 1, 15, -1, ""},
      {"007", 1, 7, 0, ""},
      {"0.0012", 1, 12, -4, ""},
      {"1e3", 1, 1, 3, ""},
      {"1.5E-2", 1, 15, -3, ""},
      {"7B", 1, 7, 0, "B"},
      {"6.74 B", 1, 674, -2, " B"},
      {"999999999999999999", 1, 999999999999999999u, 0, ""}, /* 18 digits fit */
      {"1000000000000000000", 0, 0, 0, NULL}, /* 19 digits, even if zeros: write 1e18 */
      {"1234567890123456789", 0, 0, 0, NULL}, /* 19 significant digits */
      {"", 0, 0, 0, NULL},
      {".", 0, 0, 0, NULL},
      {"1e", 0, 0, 0, NULL},
      {"1e+", 0, 0, 0, NULL},
      {"abc", 0, 0, 0, NULL},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint64_t m = 12345;
    int e = 99;
    const char *end = scan_decimal(cases[i].text, &m, &e);
    if (!cases[i].ok) {
      CHECK(end == NULL, "scan_decimal(\"%s\") should fail", cases[i].text);
      continue;
    }
    CHECK(end && strcmp(end, cases[i].rest) == 0 && m == cases[i].mant && e == cases[i].exp10,
          "scan_decimal(\"%s\") = %llu e%d, rest \"%s\"", cases[i].text, (unsigned long long)m, e,
          end ? end : "(null)");
  }
}

/* Sizes are exact decimals: a fraction that is not whole is refused, never rounded. */
static void test_read_size(void) {
  gm_error err;
  gm_parse_ctx c = {&err, NULL, 0};
  static const struct {
    const char *text;
    int ok;
    int64_t value;
  } cases[] = {
      {"\"1.5T\"", 1, 1500000000000},
      {"\"7B\"", 1, 7000000000},
      {"\" 6.74 B \"", 1, 6740000000},
      {"\"2.5K\"", 1, 2500},
      {"\"1.0001K\"", 0, 0},
      {"\"7X\"", 0, 0},
      {"\"1000000000000000\"", 1, 1e15},
      {"\"1e16\"", 0, 0},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *v = cJSON_Parse(cases[i].text);
    int64_t out = -7;
    int rc = gm_read_size(&c, v, "model.num_parameters", 1, (int64_t)1e15, &out);
    if (cases[i].ok)
      CHECK(rc == GM_OK && out == cases[i].value, "read_size(%s) = %lld (rc %d)", cases[i].text,
            (long long)out, rc);
    else
      CHECK(rc == GM_EINVAL && out == -7 && strcmp(err.field, "model.num_parameters") == 0,
            "read_size(%s) should fail naming the field (rc %d)", cases[i].text, rc);
    cJSON_Delete(v);
  }
}

/* utf8_trim drops only an incomplete last character; copy_text never splits one. */
static void test_utf8_trim(void) {
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"abc", "abc"},
      {"ab\xC3", "ab"},                   /* 2-byte lead alone */
      {"ab\xC3\xA9", "ab\xC3\xA9"},       /* é complete */
      {"a\xE2\x82", "a"},                 /* 3-byte, one continuation short */
      {"a\xE2\x82\xAC", "a\xE2\x82\xAC"}, /* € complete */
      {"a\xF0\x9F\x98", "a"},             /* 4-byte, one short */
      {"a\xF0\x9F\x98\x80", "a\xF0\x9F\x98\x80"},
      {"\x80", "\x80"}, /* a stray continuation byte is left for the writer */
      {"", ""},
  };
  size_t i;
  char buf[16];
  volatile size_t room = 3; /* not a constant: the compiler would flag the cut */
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(buf, sizeof buf, "%s", cases[i].in);
    utf8_trim(buf);
    CHECK(strcmp(buf, cases[i].out) == 0, "utf8_trim case %zu gave \"%s\"", i, buf);
  }
  copy_text(buf, room, "h\xC3\xA9llo"); /* room for "h" and half of é */
  CHECK(strcmp(buf, "h") == 0, "copy_text split a character: \"%s\"", buf);
  room = 4;
  copy_text(buf, room, "h\xC3\xA9llo");
  CHECK(strcmp(buf, "h\xC3\xA9") == 0, "copy_text lost a whole character: \"%s\"", buf);
}

/* Preset and enum names match ignoring case, spaces, '-' and '_', nothing else. */
static void test_name_equal(void) {
  static const struct {
    const char *a, *b;
    int equal;
  } cases[] = {
      {"H100 SXM", "h100-sxm", 1},
      {"h100_80gb", "H100-80GB", 1},
      {"-a-", "a", 1},
      {"", "", 1},
      {"", "-_ ", 1},
      {"a100", "a10", 0},
      {"a10", "a100", 0},
      {"h100", "h100x", 0},
      {"h100.80", "h10080", 0},
      {"megatron_lm", "Megatron-LM", 1},
      {"pure_bf16", "pure_fp16", 0},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK(gm_name_equal(cases[i].a, cases[i].b) == cases[i].equal &&
              gm_name_equal(cases[i].b, cases[i].a) == cases[i].equal,
          "gm_name_equal(\"%s\", \"%s\") should be %d", cases[i].a, cases[i].b, cases[i].equal);
}

/* Counts in formulas: thousands separators, whole numbers, nothing negative. */
static void test_fmt_count(void) {
  static const struct {
    double v;
    const char *text;
  } cases[] = {
      {0, "0"},
      {7, "7"},
      {999, "999"},
      {1000, "1,000"},
      {65536, "65,536"},
      {999999.6, "1,000,000"},
      {6738415616.0, "6,738,415,616"},
      {123456789012345.0, "123,456,789,012,345"},
      {-5, "0"},
  };
  char buf[32];
  size_t i, n;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    n = gm_fmt_count(buf, sizeof buf, cases[i].v);
    CHECK(strcmp(buf, cases[i].text) == 0 && n == strlen(cases[i].text),
          "gm_fmt_count(%.1f) gave \"%s\" (%zu), want \"%s\"", cases[i].v, buf, n, cases[i].text);
  }
}

/* The printed names of the config's enums (names.c) are the schema's first
 * spellings: every value has one, and one that is not a value gets "?". */
static void test_enum_names(void) {
  CHECK(strcmp(gm_precision_name(GM_PRECISION_PURE_HALF), "pure_bf16") == 0 &&
            strcmp(gm_precision_name(GM_PRECISION_MIXED_FP32_GRADS), "mixed_fp32_grads") == 0 &&
            strcmp(gm_engine_name(GM_ENGINE_DDP), "pytorch_ddp") == 0 &&
            strcmp(gm_engine_name(GM_ENGINE_FSDP), "fsdp") == 0 &&
            strcmp(gm_framework_name(GM_FW_MEGATRON), "megatron_lm") == 0 &&
            strcmp(gm_framework_name(GM_FW_LITGPT), "litgpt") == 0,
        "printed names of precision, engine and framework");
  CHECK(strcmp(gm_precision_name((gm_precision)99), "?") == 0 &&
            strcmp(gm_engine_name((gm_engine_kind)-2), "?") == 0 &&
            strcmp(gm_framework_name((gm_framework)7), "?") == 0 &&
            gm_verdict_reason_name((gm_verdict_reason)7) == NULL,
        "a value out of range has no name");
}

/* A JSON value in a message: printable, quoted, cut at 40 characters. */
static void test_describe(void) {
  static const struct {
    const char *json, *text;
  } cases[] = {
      {"\"7X\"", "\"7X\""},
      {"-3", "-3"},
      {"0.1", "0.1"},
      {"true", "true"},
      {"null", "null"},
      {"[1]", "an array"},
      {"{}", "an object"},
      {"\"a\\nb\"", "\"a?b\""},
      {"\"0123456789012345678901234567890123456789X\"",
       "\"0123456789012345678901234567890123456789...\""},
  };
  char buf[64];
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *v = cJSON_Parse(cases[i].json);
    gm_describe(v, buf, sizeof buf);
    CHECK(strcmp(buf, cases[i].text) == 0, "gm_describe(%s) gave %s", cases[i].json, buf);
    cJSON_Delete(v);
  }
}

/* The alias check looks only at neighbours: every spelling of a field must
 * sit next to the others in model_fields. */
/* Every spelling of a section finds its own row, and only that one; the key
 * ranks above its aliases, which rank in the order listed. */
static void test_schema_spellings(void) {
  int s, r, r2;
  for (s = 0; s < GM_SEC_COUNT; s++) {
    const gm_key *k;
    for (k = gm_schema[s].keys; k->key; k++) {
      const char *const *a = k->aliases;
      int n = 0;
      CHECK(gm_schema_find((gm_section)s, k->key, &r) == k, "%s.%s: its key finds another row",
            gm_schema[s].name, k->key);
      for (; a && *a; a++, n++)
        CHECK(gm_schema_find((gm_section)s, *a, &r2) == k && r2 == n && r2 < r,
              "%s.%s: alias %s finds another row or outranks the key", gm_schema[s].name, k->key,
              *a);
      CHECK(r == n, "%s.%s: the key must rank above its %d aliases", gm_schema[s].name, k->key, n);
    }
  }
  CHECK(gm_schema_find(GM_SEC_MODEL, "num_hidden_layers", NULL) ==
                gm_schema_find(GM_SEC_MODEL, "num_layers", NULL) &&
            gm_schema_find(GM_SEC_MODEL, "n_routed_experts", NULL) ==
                gm_schema_find(GM_SEC_MODEL, "num_experts", NULL),
        "Hugging Face spellings must find the native row");
  CHECK(gm_schema_find(GM_SEC_MODEL, "d_model", NULL) == NULL,
        "d_model is no spelling the core reads");
}

/* One pass over the members gives what per-key lookups gave. */
static void test_read_section(void) {
  cJSON *obj = cJSON_Parse("{\"num_layers\": 4, \"x\": 1, \"n_layer\": null, \"hidden_size\": 64,"
                           " \"num_layers\": 9}");
  gm_config cfg;
  gm_error err;
  gm_result *sink = calloc(1, sizeof *sink);
  gm_parse_ctx ctx = {&err, sink, 0};
  gm_config_init(&cfg);
  CHECK(gm_read_section(&ctx, obj, GM_SEC_MODEL, &cfg.model, 1) == GM_OK, "read_section failed");
  CHECK(cfg.model.num_layers == 4, "the first of repeated keys must count; got %d",
        cfg.model.num_layers);
  CHECK(cfg.model.hidden_size == 64, "hidden_size not read");
  CHECK(sink->num_warnings == 1 && strcmp(sink->warnings[0].field, "model.x") == 0,
        "a null member must count as absent, an unknown one warn");
  cJSON_Delete(obj);
  /* Two spellings that disagree: the key wins, the alias is named. */
  obj = cJSON_Parse("{\"n_layer\": 2, \"num_layers\": 3, \"num_hidden_layers\": 3}");
  sink->num_warnings = 0;
  gm_config_init(&cfg);
  CHECK(gm_read_section(&ctx, obj, GM_SEC_MODEL, &cfg.model, 0) == GM_OK &&
            cfg.model.num_layers == 3 && sink->num_warnings == 1 &&
            strcmp(sink->warnings[0].field, "model.n_layer") == 0,
        "of disagreeing spellings the key must win and the other warn (%d warnings)",
        sink->num_warnings);
  cJSON_Delete(obj);
  free(sink);
}

static void test_presets(void) {
  gm_gpu g;
  char ids[64];
  /* Every spelling the page may send: id, display name, aliases, any case and separators. */
  static const char *const h100[] = {"h100-80gb", "h100_80gb", "H100 80GB", "NVIDIA H100 SXM 80GB",
                                     "H100-SXM",  "h100"};
  size_t i;
  for (i = 0; i < sizeof h100 / sizeof h100[0]; i++) {
    memset(&g, 0x5A, sizeof g);
    CHECK(gm_find_gpu(h100[i], &g) == GM_OK && strcmp(g.id, "h100-80gb") == 0 &&
              g.capacity_bytes == 81559ull * 1048576 && g.cuda_context_bytes > 0,
          "gm_find_gpu(\"%s\") gave \"%.32s\"", h100[i], g.id);
  }
  /* The vendor and compute capability select allocator and attention behaviour. */
  CHECK(gm_find_gpu("B200", &g) == GM_OK && g.compute_capability == 100 && g.amd == 0,
        "B200: compute capability 10.0, NVIDIA (got %d, amd %d)", g.compute_capability, g.amd);
  CHECK(gm_find_gpu("H100", &g) == GM_OK && g.compute_capability == 90, "H100: 9.0 (got %d)",
        g.compute_capability);
  CHECK(gm_find_gpu("MI300X", &g) == GM_OK && g.amd == 1 && g.compute_capability == 0,
        "MI300X: AMD, no CUDA capability (got amd %d, %d)", g.amd, g.compute_capability);
  memset(&g, 0x5A, sizeof g);
  CHECK(gm_find_gpu("Z9000", &g) == GM_EINVAL && g.id[0] == '\0', "unknown GPU must fail cleanly");
  CHECK(gm_find_gpu(NULL, &g) == GM_EINVAL, "NULL name must fail");
  CHECK(gm_num_gpu_presets > 0 && gm_gpu_presets[gm_num_gpu_presets].id == NULL,
        "GPU table must end with a NULL id");
  CHECK(gm_find_model_preset("Llama 3 8B") == gm_find_model_preset("llama-3-8b") &&
            gm_find_model_preset("llama-3-8b") != NULL,
        "a model preset must be found by display name as by id");
  CHECK(gm_find_model_preset("no-such-model") == NULL, "unknown model preset must give NULL");
  gm_gpu_ids(ids, sizeof ids);
  CHECK(strlen(ids) < sizeof ids && strcmp(ids + strlen(ids) - 5, ", ...") == 0,
        "a cut list of ids must end with \", ...\": \"%s\"", ids);
}

/* The presets' text written from the tables (the WebAssembly module's
 * presets_json) is the stored text, byte for byte; a member the tables do not
 * keep, or keep in another order, shows as the first byte that differs. */
static void test_presets_text(void) {
  char *text = gm_presets_text();
  const char *want = gm_presets_json();
  size_t i = 0;
  if (text)
    while (text[i] && text[i] == want[i])
      i++;
  CHECK(text && text[i] == want[i],
        "written presets text differs at byte %zu: \"%.40s\" for \"%.40s\"", i,
        text ? text + i : "(out of memory)", want + i);
  CHECK(text && strlen(text) > 1000 && strstr(text, "\"compute_capability\":7.5,") &&
            strstr(text, "\"vendor\":\"amd\""),
        "written presets text must hold the GPUs' facts");
  free(text);
}

/* The name an index entry stands for. */
static const char *gpu_name_of(const gm_preset_name *e) {
  return gm_preset_names(gm_gpu_presets[e->index].id, e->slot);
}

/* Whether name (a hf_id or display name of m, may be "") picks m, or a
 * preset whose id it is. */
static int picks(const gm_model_preset *m, const char *name) {
  const gm_model_preset *p = gm_find_model_preset(name);
  return !name[0] || p == m || (p && gm_name_equal(p->id, name));
}

/* Every name of every preset finds it through the sorted indexes, in another
 * case and with other separators too; a model's id wins over other names. */
static void test_preset_names(void) {
  const gm_gpu_preset *p;
  const gm_model_preset *m;
  const char *a;
  gm_gpu g;
  char upper[128];
  size_t i;
  for (p = gm_gpu_presets; p->id; p++) {
    CHECK(gm_find_gpu(p->id, &g) == GM_OK && strcmp(g.id, p->id) == 0, "GPU id %s", p->id);
    CHECK(gm_find_gpu(GM_GPU_DISPLAY_NAME(p), &g) == GM_OK && strcmp(g.id, p->id) == 0,
          "GPU display name %s", GM_GPU_DISPLAY_NAME(p));
    for (a = GM_GPU_ALIASES(p); *a; a = gm_preset_name_after(a)) {
      for (i = 0; a[i] && i + 2 < sizeof upper; i++)
        upper[i] = a[i] == '-' ? '_' : (char)toupper((unsigned char)a[i]);
      upper[i] = '\0';
      CHECK(gm_find_gpu(upper, &g) == GM_OK && strcmp(g.id, p->id) == 0, "GPU alias %s as %s", a,
            upper);
    }
  }
  for (m = gm_model_presets; m->id; m++) {
    CHECK(gm_find_model_preset(m->id) == m, "model id %s", m->id);
    CHECK(picks(m, GM_MODEL_HF_ID(m)), "model hf_id %s", GM_MODEL_HF_ID(m));
    CHECK(picks(m, GM_MODEL_DISPLAY_NAME(m)), "model display name %s", GM_MODEL_DISPLAY_NAME(m));
  }
  CHECK(gm_gpu_names_count > gm_num_gpu_presets && gm_model_names_count >= gm_num_model_presets,
        "the indexes hold every preset (%d GPU names, %d model names)", gm_gpu_names_count,
        gm_model_names_count);
  for (i = 1; i < (size_t)gm_gpu_names_count; i++)
    CHECK(!gm_name_equal(gpu_name_of(&gm_gpu_names[i - 1]), gpu_name_of(&gm_gpu_names[i])),
          "GPU names once each, at %zu", i);
}

/* The build's table of preset models is what the reader makes of each
 * preset's model object now: a stale or wrongly written table fails here. */
static void test_preset_models(void) {
  const gm_model_preset *p;
  static gm_config cfg;
  static gm_result sink;
  for (p = gm_model_presets; p->id; p++) {
    gm_error err;
    gm_parse_ctx ctx = {&err, &sink, 0};
    cJSON *obj = cJSON_Parse(gm_preset_names(gm_preset_models_json, (int)(p - gm_model_presets)));
    gm_config_init(&cfg);
    sink.num_warnings = 0;
    CHECK(obj && gm_apply_model_object(&ctx, obj, &cfg.model) == GM_OK && sink.num_warnings == 0,
          "preset %s must read cleanly", p->id);
    CHECK(memcmp(&cfg.model, &gm_preset_models[p - gm_model_presets], sizeof cfg.model) == 0,
          "preset %s: the table differs from its model object read now", p->id);
    CHECK(cfg.model.num_layers > 0 && cfg.model.hidden_size > 0, "preset %s: layers and width",
          p->id);
    cJSON_Delete(obj);
  }
}

static int parse(const char *json, gm_config *cfg) {
  static gm_result sink;
  gm_error err;
  sink.num_warnings = 0;
  return gm_parse_config(json, cfg, &sink, &err);
}

static const char *const config_7b =
    "{\"model\": {\"preset\": \"llama-2-7b\"}, \"training\": {\"batch_size\": 1, \"seq_len\": 4096,"
    " \"gradient_accumulation_steps\": 8}, \"parallelism\": {\"pipeline_parallel_size\": 4}, "
    "\"engine\": {\"type\": \"megatron_lm\"},"
    " \"hardware\": {\"gpu\": \"a100-80gb\", \"num_gpus\": 8}}";

/* gm_calculate never reads its out-parameter: garbage in it changes nothing. */
static void test_calculate_writes_only(void) {
  static gm_result clean, dirty;
  gm_config cfg;
  gm_error err;
  char *a, *b;
  int i;
  CHECK(parse(config_7b, &cfg) == GM_OK, "config_7b must parse");
  memset(&clean, 0, sizeof clean);
  memset(&dirty, 0xA5, sizeof dirty); /* num_warnings is now a large negative number */
  CHECK(gm_calculate(&cfg, &clean, &err) == GM_OK, "calculate: %s", err.message);
  CHECK(gm_calculate(&cfg, &dirty, &err) == GM_OK, "calculate over garbage: %s", err.message);
  a = gm_result_json(&clean);
  b = gm_result_json(&dirty);
  CHECK(a && b && strcmp(a, b) == 0, "a result must not depend on what out held before");
  free(a);
  free(b);
  CHECK(dirty.num_stages == 4, "pp 4 gives 4 stages, got %d", dirty.num_stages);
  for (i = 0; i < dirty.num_stages; i++)
    CHECK((unsigned)dirty.stages[i].peak_phase <= GM_PHASE_STEP, "stage %d phase out of range", i);
  /* The last stage holds the head; the first holds the most micro-batches. */
  CHECK(dirty.stages[0].microbatches_in_flight == 4 && dirty.stages[3].microbatches_in_flight == 1,
        "1F1B keeps pp - r micro-batches in flight");
}

/* The header's promise: err is written only on GM_EINVAL; gm_count_params
 * leaves out as it was when it fails. */
static void test_err_only_on_failure(void) {
  static gm_result r;
  gm_config cfg;
  gm_params p, before;
  gm_error err, pattern;
  memset(&pattern, 0x5A, sizeof pattern);
  err = pattern;
  CHECK(gm_calculate_json(config_7b, &r, &err) == GM_OK && memcmp(&err, &pattern, sizeof err) == 0,
        "gm_calculate_json wrote err on success");
  CHECK(parse(config_7b, &cfg) == GM_OK, "config_7b must parse");
  err = pattern;
  CHECK(gm_calculate(&cfg, &r, &err) == GM_OK && memcmp(&err, &pattern, sizeof err) == 0,
        "gm_calculate wrote err on success");
  r.num_warnings = 0;
  err = pattern;
  CHECK(gm_resolve(&cfg, &r, &err) == GM_OK && memcmp(&err, &pattern, sizeof err) == 0,
        "gm_resolve wrote err on success");
  err = pattern;
  CHECK(gm_count_params(&cfg.model, &p, &err) == GM_OK && memcmp(&err, &pattern, sizeof err) == 0,
        "gm_count_params wrote err on success");
  gm_config_init(&cfg);
  memset(&p, 0x33, sizeof p);
  before = p;
  CHECK(gm_count_params(&cfg.model, &p, &err) == GM_EINVAL && memcmp(&p, &before, sizeof p) == 0,
        "gm_count_params wrote out on failure");
}

static void test_phase_names(void) {
  CHECK(strcmp(gm_phase_name(GM_PHASE_FORWARD), "forward") == 0 &&
            strcmp(gm_phase_name(GM_PHASE_LOSS), "loss") == 0 &&
            strcmp(gm_phase_name(GM_PHASE_BACKWARD), "backward") == 0 &&
            strcmp(gm_phase_name(GM_PHASE_STEP), "step") == 0 &&
            strcmp(gm_phase_name((gm_phase)9), "?") == 0,
        "phase names");
}

/* An unresolved model is rejected; resolved, Llama-2-7B counts exactly. */
static void test_count_params(void) {
  gm_config cfg;
  gm_params p;
  gm_error err;
  static gm_result sink;
  gm_config_init(&cfg);
  cfg.model.num_layers = 32;
  cfg.model.hidden_size = 4096;
  cfg.model.num_attention_heads = 32;
  cfg.model.head_dim = 128;
  cfg.model.vocab_size = 32000;
  memset(&err, 0, sizeof err);
  CHECK(gm_count_params(&cfg.model, &p, &err) == GM_EINVAL &&
            strcmp(err.field, "model.num_key_value_heads") == 0,
        "an unresolved model must be rejected, got field \"%s\"", err.field);
  sink.num_warnings = 0;
  cfg.hardware.gpu_capacity_bytes = 80ull << 30;
  CHECK(gm_resolve(&cfg, &sink, &err) == GM_OK, "resolve: %s %s", err.field, err.message);
  /* Llama-2-7B: 32 x (4 x 4096^2 + 3 x 4096 x 11008 + 2 x 4096) + 2 x 32000 x 4096 + 4096. */
  CHECK(gm_count_params(&cfg.model, &p, &err) == GM_OK && p.total == 6738415616,
        "Llama-2-7B total %lld", (long long)p.total);
}

/* The struct behind calc_json: the config's warnings first, errors name the field. */
static void test_calculate_json(void) {
  static gm_result r;
  gm_error err;
  memset(&r, 0xA5, sizeof r);
  CHECK(gm_calculate_json("{\"model\": {\"preset\": \"llama-2-7b\"}, \"training\": {\"colour\": 1},"
                          " \"hardware\": {\"gpu\": \"h100\"}}",
                          &r, &err) == GM_OK,
        "calculate_json: %s", err.message);
  CHECK(r.num_warnings >= 1 && strcmp(r.warnings[0].field, "training.colour") == 0,
        "the unknown key's warning comes first, got %d warnings", r.num_warnings);
  CHECK(r.params.total == 6738415616, "preset total %lld", (long long)r.params.total);
  CHECK(gm_calculate_json("{\"training\": {\"seq_len\": -1}}", &r, &err) == GM_EINVAL &&
            strcmp(err.field, "training.seq_len") == 0,
        "a bad value must name its field, got \"%s\"", err.field);
}

/* gm_summarize and the printed precision: each figure the table takes from
 * the struct is the number calc_json's JSON holds, to the last bit. */
static void test_summary(void) {
  static const char *const configs[] = {
      "{\"model\": {\"preset\": \"llama-3-8b\"}, \"parallelism\": {\"pipeline_parallel_size\": 4,"
      " \"virtual_pipeline_stages\": 2}, \"engine\": {\"type\": \"megatron_lm\"},"
      " \"hardware\": {\"num_gpus\": 8, \"safety_margin\": 0.1234567}}",
      "{\"model\": {\"preset\": \"llama-2-7b\"}, \"engine\": {\"type\": \"deepspeed\", "
      "\"zero_stage\": 3,"
      " \"offload_optimizer\": \"cpu\"}, \"hardware\": {\"gpu\": \"a10g\", \"num_gpus\": 4}}"};
  static gm_result r;
  size_t c;
  int checked = 0;
  for (c = 0; c < sizeof configs / sizeof configs[0]; c++) {
    gm_error err;
    gm_summary sum;
    char *text = calc_json(configs[c]);
    cJSON *j = cJSON_Parse(text);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "breakdown"), *st;
    int i = 0;
    CHECK(gm_calculate_json(configs[c], &r, &err) == GM_OK, "config %zu: %s", c, err.message);
    gm_summarize(&r, &sum);
#define JNUM(obj, key) cJSON_GetObjectItemCaseSensitive(obj, key)->valuedouble
    CHECK(sum.num_stages == cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "stages")) &&
              sum.worst_stage == (int)JNUM(j, "worst_stage"),
          "config %zu: stages and worst stage", c);
    CHECK(gm_printed_gib(sum.model_params_bytes, 4) == JNUM(b, "model_params_gb") &&
              gm_printed_gib(sum.activations_bytes, 4) == JNUM(b, "activations_gb") &&
              gm_printed_gib(sum.overhead_bytes, 4) == JNUM(b, "overhead_gb") &&
              gm_printed_gib(sum.fits_below_bytes, 4) == JNUM(j, "fits_below_gb") &&
              gm_printed_gib(r.capacity_bytes, 4) == JNUM(j, "gpu_capacity_gb"),
          "config %zu: the summary's figures as printed", c);
    CHECK(gm_printed_fixed(r.utilization_percent, 2) == JNUM(j, "memory_utilization_percent") &&
              gm_printed_fixed(r.resolved.hardware.safety_margin, 6) ==
                  JNUM(cJSON_GetObjectItemCaseSensitive(
                           cJSON_GetObjectItemCaseSensitive(j, "resolved"), "hardware"),
                       "safety_margin"),
          "config %zu: percent and margin as printed", c);
    cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(j, "stages")) {
      int first[GM_MAX_CHUNKS], count[GM_MAX_CHUNKS], n = gm_result_chunks(&r, i, first, count);
      const cJSON *chunks = cJSON_GetObjectItemCaseSensitive(st, "chunks");
      CHECK(
          gm_printed_gib(r.stages[i].peak_reserved_bytes, 4) == JNUM(st, "peak_reserved_gb") &&
              n == cJSON_GetArraySize(chunks) &&
              (n == 0 || (first[0] ==
                          (int)cJSON_GetArrayItem(cJSON_GetArrayItem(chunks, 0), 0)->valuedouble)),
          "config %zu stage %d: figures and chunks", c, i);
      i++;
      checked++;
    }
#undef JNUM
    cJSON_Delete(j);
    calc_free(text);
  }
  CHECK(checked == 5, "%d stages compared", checked);
  /* Rounded half up at 4 decimals: 53687 bytes are 0.00004999 GiB, 53688 0.00005000. */
  CHECK(gm_printed_gib(53687, 4) == 0.0 && gm_printed_gib(53688, 4) == 0.0001 &&
            gm_printed_gib(3ull << 29, 4) == 1.5 && gm_printed_gib(1, 10) == 0.0000000009,
        "gm_printed_gib rounding");
  CHECK(gm_printed_fixed(37.375, 2) == 37.38 && gm_printed_fixed(-0.125, 2) == -0.13,
        "gm_printed_fixed rounding: %.17g %.17g", gm_printed_fixed(37.375, 2),
        gm_printed_fixed(-0.125, 2));
  CHECK(strcmp(gm_value_name("training.dtype", GM_DTYPE_FP16), "fp16") == 0 &&
            strcmp(gm_value_name("engine.type", GM_ENGINE_FSDP), "fsdp") == 0 &&
            strcmp(gm_value_name("training.activation_checkpointing", GM_AC_FULL), "full") == 0,
        "gm_value_name of enum keys");
  CHECK(!gm_value_name("training.batch_size", 1) && !gm_value_name("training.dtype", 99) &&
            !gm_value_name("dtype", 0) && !gm_value_name("nope.dtype", 0) &&
            !gm_value_name(NULL, 0),
        "gm_value_name: NULL for no enum key or no such value");
}

/* gm_preset_id: a name's preset as the readers find it; NULL for none. */
static void test_preset_id(void) {
  const char *id = gm_preset_id(GM_PRESET_GPU, "NVIDIA H100 SXM 80GB");
  char longname[80];
  CHECK(id && strcmp(id, "h100-80gb") == 0, "display name: %s", id ? id : "NULL");
  id = gm_preset_id(GM_PRESET_GPU, "h100_80gb");
  CHECK(id && strcmp(id, "h100-80gb") == 0, "underscores: %s", id ? id : "NULL");
  id = gm_preset_id(GM_PRESET_MODEL, "LLAMA_3_8B");
  CHECK(id && strcmp(id, "llama-3-8b") == 0, "model id spelled loosely: %s", id ? id : "NULL");
  id = gm_preset_id(GM_PRESET_MODEL, "meta-llama/Meta-Llama-3-8B");
  CHECK(id && strcmp(id, "llama-3-8b") == 0, "Hugging Face id: %s", id ? id : "NULL");
  CHECK(gm_preset_id(GM_PRESET_GPU, "H100x") == NULL && gm_preset_id(GM_PRESET_GPU, "") == NULL &&
            gm_preset_id(GM_PRESET_GPU, NULL) == NULL &&
            gm_preset_id(GM_PRESET_MODEL, "h100-80gb") == NULL &&
            gm_preset_id((gm_preset_kind)7, "h100-80gb") == NULL,
        "unknown names, kinds and NULL give NULL");
  /* hardware.gpu is read into 64 bytes: what is cut off is not compared. */
  snprintf(longname, sizeof longname, "%-63s%s", "H100", "tail");
  id = gm_preset_id(GM_PRESET_GPU, longname);
  CHECK(id && strcmp(id, "h100-80gb") == 0, "a name cut at the row's size: %s", id ? id : "NULL");
}

/* gm_defaults_apply of gm_defaults_of(s) is gm_schema_defaults(s), byte for
 * byte, on every section: all unset, all set, and one field of each set. */
/* The defaults' lists (gm_schema_defaults is made of them; the tests of the
 * schema's defaults check the values): room for every row, and a field
 * given a value keeps it. */
static void test_defaults_list(void) {
  int s, n = 0, kept = 0, fields = 0;
  for (s = 0; s < GM_SEC_COUNT; s++) {
    gm_defaults d;
    size_t at = gm_schema[s].offset, size = gm_schema[s].size;
    int k = gm_defaults_of((gm_section)s, &d), i, rows = 0;
    const gm_key *key;
    for (key = gm_schema[s].keys; key->key; key++)
      rows++;
    CHECK(rows < GM_DEFAULTS_MAX, "%s has %d rows: the defaults' lists hold %d of each kind",
          gm_schema[s].name, rows, GM_DEFAULTS_MAX);
    fields += k;
    for (i = 0; i < k; i++) {
      gm_config a, b;
      char *p = (char *)&a + at;
      int j = i, seven = 7;
      int64_t seven64 = 7;
      double half = 0.5;
      gm_config_init(&a);
      a.hardware.safety_margin = NAN;
      if (j < d.n_int)
        memcpy(p + d.ints[j].offset, &seven, sizeof seven);
      else if ((j -= d.n_int) < d.n_i64)
        memcpy(p + d.i64s[j].offset, &seven64, sizeof seven64);
      else if ((j -= d.n_i64) < d.n_u64)
        memcpy(p + d.u64s[j].offset, &seven64, sizeof seven64);
      else if ((j -= d.n_u64) < d.n_real)
        memcpy(p + d.reals[j].offset, &half, sizeof half);
      gm_defaults_apply(&d, p);
      /* The same field given alone, on a section with every default applied. */
      gm_config_init(&b);
      b.hardware.safety_margin = NAN;
      gm_defaults_apply(&d, (char *)&b + at);
      n++;
      kept += memcmp(p, (char *)&b + at, size) != 0;
    }
  }
  CHECK(n > 40 && fields > 40 && kept == n,
        "each of the defaults' %d fields, given a value, keeps it (%d of %d do)", fields, kept, n);
}

/* gm_schema_defaults: a row's constant default lands in its field in the
 * stored unit; a value given stays, and keys with a rule are left to resolve.c. */
static void test_schema_constant_defaults(void) {
  gm_config c;
  int s, filled = 0, left = 0;
  gm_config_init(&c);
  c.model.vocab_size = 100;
  c.hardware.safety_margin = NAN;
  for (s = 0; s < GM_SEC_COUNT; s++)
    gm_schema_defaults((gm_section)s, (char *)&c + gm_schema[s].offset);
  CHECK(c.model.vocab_size == 100, "a given vocab_size became %lld", (long long)c.model.vocab_size);
  CHECK(c.model.mlp == GM_MLP_GATED && c.model.norms_per_layer == 2 && c.parallel.tp == 1 &&
            c.training.micro_batch_size == 1 && c.engine.kind == GM_ENGINE_DDP &&
            c.engine.stage3_max_live_parameters == 1000000000,
        "constant defaults of ints, enums and sizes");
  CHECK(c.engine.ddp_bucket_bytes == 25 * 1048576, "bucket_cap_mb 25 MiB, got %lld bytes",
        (long long)c.engine.ddp_bucket_bytes);
  CHECK(c.hardware.gpu_capacity_bytes == 80ull << 30 && c.hardware.cuda_context_bytes == 1ull << 30,
        "memory defaults in bytes from GiB");
  CHECK(c.hardware.safety_margin == GM_DEFAULT_SAFETY_MARGIN,
        "a NaN margin takes the default, got %g", c.hardware.safety_margin);
  CHECK(c.training.grads_set_to_none == GM_AUTO && c.parallel.dp == GM_AUTO &&
            c.training.loss == (gm_loss)GM_AUTO,
        "keys with a rule stay unset");
  /* Every row: a constant default leaves no field unset; a rule leaves it so. */
  for (s = 0; s < GM_SEC_COUNT; s++) {
    const gm_key *k;
    for (k = gm_schema[s].keys; k->key; k++) {
      const char *p = (const char *)&c + gm_schema[s].offset + k->offset;
      int iv;
      if ((k->flags & GM_KF_NOFIELD) || k->kind == GM_K_STRING || k->kind == GM_K_MEMORY ||
          k->kind == GM_K_NUMBER || k->kind == GM_K_INT64 || k->kind == GM_K_SIZE)
        continue; /* the int-stored rows (int, bool, enum) */
      memcpy(&iv, p, sizeof iv);
      if (k->rule || k->dflt == GM_NO_DEFAULT) {
        CHECK(iv == GM_AUTO || iv == 0, "%s.%s has no constant default but was set to %d",
              gm_schema[s].name, k->key, iv);
        left++;
      } else {
        CHECK(iv == (int)k->dflt, "%s.%s: default %g, field %d", gm_schema[s].name, k->key, k->dflt,
              iv);
        filled++;
      }
    }
  }
  CHECK(filled > 30 && left > 10, "%d int rows defaulted, %d left", filled, left);
}

/* The schema's defaults are what resolution gives: every key that resolved
 * prints back has, for a config that leaves it out, the schema's constant
 * default (null when it has none), so the page cannot show another one. */
static void test_schema_defaults(void) {
  char *schema_text = gm_schema_json();
  char *result_text = calc_json("{\"model\": {\"num_layers\": 2, \"hidden_size\": 64}}");
  cJSON *schema = cJSON_Parse(schema_text), *result = cJSON_Parse(result_text), *k;
  const cJSON *resolved = cJSON_GetObjectItemCaseSensitive(result, "resolved");
  int checked = 0, printed = 0, in_resolved = 0;
  CHECK(schema && resolved, "schema_json or calc_json gave no JSON");
  cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(schema, "keys")) {
    const char *sec = cJSON_GetObjectItemCaseSensitive(k, "section")->valuestring;
    const char *key = cJSON_GetObjectItemCaseSensitive(k, "key")->valuestring;
    const cJSON *dflt = cJSON_GetObjectItemCaseSensitive(k, "default");
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(k, "default_rule");
    const cJSON *got =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(resolved, sec), key);
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "in_resolved")))
      continue;
    in_resolved++;
    if (!cJSON_IsNull(rule))
      continue;
    checked++;
    if (cJSON_IsNull(dflt))
      CHECK(!got || cJSON_IsNull(got), "%s.%s has no default, but resolves to a value", sec, key);
    else if (cJSON_IsNumber(dflt))
      CHECK(cJSON_IsNumber(got) && got->valuedouble == dflt->valuedouble,
            "%s.%s: schema default %g, resolved %g", sec, key, dflt->valuedouble,
            cJSON_IsNumber(got) ? got->valuedouble : -1.0);
    else
      CHECK(got && cJSON_Compare(got, dflt, 1), "%s.%s: resolved differs from the schema default",
            sec, key);
  }
  /* Every key resolved prints is a schema key, by its own name. */
  cJSON_ArrayForEach(k, resolved) {
    const cJSON *v;
    int s;
    for (s = 0; s < GM_SEC_COUNT && strcmp(gm_schema[s].name, k->string) != 0; s++)
      ;
    CHECK(s < GM_SEC_COUNT, "resolved has a section %s the schema lacks", k->string);
    cJSON_ArrayForEach(v, k) {
      int rank;
      const gm_key *row = s < GM_SEC_COUNT ? gm_schema_find((gm_section)s, v->string, &rank) : NULL;
      CHECK(row && strcmp(row->key, v->string) == 0, "resolved prints %s.%s, no schema key",
            k->string, v->string);
      printed++;
    }
  }
  CHECK(checked > 50 && printed + 2 >= in_resolved, "%d defaults checked, %d printed of %d",
        checked, printed, in_resolved);
  cJSON_Delete(schema);
  cJSON_Delete(result);
  calc_free(schema_text);
  calc_free(result_text);
}

/* Every name of every enum row is read into its field as its value. */
static void test_schema_enum_names(void) {
  int s;
  char json[256];
  for (s = 0; s < GM_SEC_COUNT; s++) {
    const gm_key *k;
    for (k = gm_schema[s].keys; k->key; k++) {
      const gm_name *n;
      if (k->kind != GM_K_ENUM || (k->flags & GM_KF_NOFIELD))
        continue;
      for (n = k->names; n->name; n++) {
        gm_config cfg;
        int v = -99;
        snprintf(json, sizeof json, "{\"%s\": {\"%s\": \"%s\"}}", gm_schema[s].name, k->key,
                 n->name);
        CHECK(parse(json, &cfg) == GM_OK, "%s rejected", json);
        memcpy(&v, (char *)&cfg + gm_schema[s].offset + k->offset, sizeof v);
        CHECK(v == n->value, "%s read as %d, not %d", json, v, n->value);
      }
    }
  }
}

/* Whether trees a and b (siblings from a and b on) hold the same members in
 * the same order: types, keys, strings, numbers to the bit, cJSON's links. */
static int same_tree(const cJSON *a, const cJSON *b) {
  const cJSON *head = a;
  for (; a || b; a = a->next, b = b->next) {
    if (!a || !b || a->type != b->type || a->valueint != b->valueint ||
        memcmp(&a->valuedouble, &b->valuedouble, sizeof a->valuedouble) != 0 ||
        !a->string != !b->string || (a->string && strcmp(a->string, b->string) != 0) ||
        !a->valuestring != !b->valuestring ||
        (a->valuestring && strcmp(a->valuestring, b->valuestring) != 0) || !a->child != !b->child ||
        (a->child && !same_tree(a->child, b->child)))
      return 0;
    if (!a->next && head->prev && head->prev != a)
      return 0; /* the head points back at the tail, as cJSON's do */
  }
  return 1;
}

/* The two-block reader gives cJSON's tree, or leaves the text to cJSON. */
static void test_json_parse(void) {
  static const struct {
    const char *text;
    int fast; /* 1: read here; 0: left to cJSON */
  } cases[] = {
      {"{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"batch_size\":1}}", 1},
      {" {\"a\" : [ { } , [ ] , \"\" ] }\n", 1},
      {"[1.,-0,1e5,1E+2,-1.5e-3,01,1e400,-1e400,2147483648,-2147483649,0.1]", 1},
      {"[true,false,null]", 1},
      {"{\"s\":\"\\u00e9\\u4e2d\\u0041\\/\\b\\f\\n\\r\\t\\\"\\\\\"}", 1},
      {"{\"dup\":1,\"dup\":2}", 1},
      {"\"top\"", 1},
      {"{\"s\":\"\\ud83d\\ude00\"}", 0}, /* a surrogate pair: cJSON's rules */
      {"{\"s\":\"a\\u0000b\"}", 0},
      {"\x01[1]", 0}, /* cJSON skips any control byte as space */
      {"[+1]", 0},
      {"[1-2]", 0},
      {"[0x10]", 0},
      {"[nulll]", 0},
      {"{\"a\":1,}", 0},
      {"[1,]", 0},
      {"", 0},
      {"{\"a\":\"unterminated}", 0},
      {"{\"a\":\"\\x\"}", 0},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    gm_json_doc doc;
    const char *end;
    const cJSON *fast = gm_json_parse(cases[i].text, &doc);
    cJSON *slow = cJSON_ParseWithOpts(cases[i].text, &end, 1);
    CHECK(!fast == !cases[i].fast, "gm_json_parse(%s): %s", cases[i].text,
          fast ? "read" : "left to cJSON");
    CHECK(!fast || (slow && same_tree(fast, slow)), "gm_json_parse(%s): not cJSON's tree",
          cases[i].text);
    gm_json_free(&doc);
    cJSON_Delete(slow);
  }
}

/* The writer's strings: quotes, backslashes and control characters escaped
 * at every offset of a 40-byte string (five 8-byte words), valid UTF-8 kept,
 * invalid bytes replaced. */
static void test_json_strings(void) {
  static const char *const special[] = {"\"", "\\", "\n", "\t", "\x01", "\x1f", "\xff", "\xc3\xa9"};
  static const char *const escaped[] = {"\\\"",    "\\\\",    "\\n",     "\\t",
                                        "\\u0001", "\\u001f", "\\ufffd", "\xc3\xa9"};
  gm_error e;
  char want[512];
  char *got;
  size_t i, at;
  for (i = 0; i < sizeof special / sizeof special[0]; i++) {
    for (at = 0; at + strlen(special[i]) <= 40; at++) {
      memset(&e, 0, sizeof e);
      strcpy(e.field, "f");
      memset(e.message, 'x', 40);
      memcpy(e.message + at, special[i], strlen(special[i]));
      snprintf(
          want, sizeof want,
          "{\n  \"error\": {\n    \"field\": \"f\",\n    \"message\": \"%.*s%s%.*s\"\n  }\n}\n",
          (int)at, e.message, escaped[i], (int)(40 - at - strlen(special[i])),
          e.message + at + strlen(special[i]));
      got = gm_error_json(&e);
      CHECK(got && strcmp(got, want) == 0, "byte %zu at %zu: got %s", i, at, got ? got : "NULL");
      free(got);
    }
  }
  /* Overlong, truncated and surrogate sequences; DEL is plain ASCII. */
  memset(&e, 0, sizeof e);
  strcpy(e.field, "a\x7f"
                  "b");
  strcpy(e.message, "\xe0\x80\x80|\xe2\x82|\xed\xa0\x80|\xf0\x9f\x98\x80|\xf4\x90\x80\x80");
  got = gm_error_json(&e);
  CHECK(got && strcmp(got, "{\n  \"error\": {\n    \"field\": \"a\x7f"
                           "b\",\n    \"message\": "
                           "\"\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
                           "\xf0\x9f\x98\x80|\\ufffd\\ufffd\\ufffd\\ufffd\"\n  }\n}\n") == 0,
        "invalid UTF-8: got %s", got ? got : "NULL");
  free(got);
  /* A message that fills its array has no NUL: it ends there. */
  memset(&e, 0, sizeof e);
  memset(e.message, 'y', sizeof e.message);
  got = gm_error_json(&e);
  CHECK(got && strstr(got, "\"message\": \"") &&
            strlen(strstr(got, "\"message\": \"")) == 12 + sizeof e.message + 1 + 7,
        "an unterminated message must stop at its array's end");
  free(got);
}

/* The writer's whole numbers, as printf writes them: every digit count,
 * each side of every power of ten, and the largest. */
static void test_json_digits(void) {
  static gm_result r;
  gm_config cfg;
  gm_error err;
  uint64_t p = 1;
  int k, j;
  CHECK(parse(config_7b, &cfg) == GM_OK && gm_calculate(&cfg, &r, &err) == GM_OK,
        "config_7b must compute");
  for (k = 0; k <= 20; k++) {
    uint64_t vs[3] = {p - 1, p, p + 1};
    if (k == 20) /* 10^20 is beyond uint64_t: its largest value instead */
      vs[0] = vs[1] = vs[2] = UINT64_MAX;
    for (j = 0; j < 3; j++) {
      char want[64], *got;
      r.host_bytes_per_gpu = vs[j];
      r.nvme_bytes_per_gpu = vs[j] / 7;
      got = gm_result_json(&r);
      snprintf(want, sizeof want, "\"per_gpu_bytes\": %llu,", (unsigned long long)vs[j]);
      CHECK(got && strstr(got, want), "%s missing", want);
      snprintf(want, sizeof want, "\"nvme_per_gpu_bytes\": %llu\n",
               (unsigned long long)(vs[j] / 7));
      CHECK(got && strstr(got, want), "%s missing", want);
      free(got);
    }
    if (k < 19)
      p *= 10;
  }
}

/* calc_json draws each stage's timeline from the calculation's memory of the
 * stage; computed again from the result alone, the answer is the same bytes. */
static void test_kept_timelines(void) {
  static const char *const configs[] = {
      "{\"model\": {\"preset\": \"llama-3-8b\"}, \"engine\": {\"type\": \"fsdp\"}, "
      "\"hardware\": {\"gpu\": \"h100-80gb\", \"num_gpus\": 8}}",
      "{\"model\": {\"preset\": \"llama-3-8b\"}, \"parallelism\": {\"pipeline_parallel_size\": "
      "4, \"num_microbatches\": 8}, \"engine\": {\"type\": \"megatron_lm\"}, \"hardware\": "
      "{\"gpu\": \"h100-80gb\", \"num_gpus\": 8}}",
      "{\"model\": {\"preset\": \"llama-3-8b\"}, \"parallelism\": {\"pipeline_parallel_size\": "
      "2, \"virtual_pipeline_stages\": 2, \"num_microbatches\": 4}, \"engine\": {\"type\": "
      "\"fsdp\", \"framework\": \"torchtitan\"}, \"hardware\": {\"gpu\": \"h100-80gb\", "
      "\"num_gpus\": 8}}"};
  static gm_result r;
  size_t i;
  for (i = 0; i < sizeof configs / sizeof configs[0]; i++) {
    gm_error err;
    char *kept = calc_json(configs[i]), *again = NULL;
    CHECK(gm_calculate_json(configs[i], &r, &err) == GM_OK, "config %zu: %s", i, err.message);
    if (r.num_stages > 0)
      again = gm_result_json(&r);
    CHECK(kept && again && strstr(kept, "\"timeline\"") && strcmp(kept, again) == 0,
          "config %zu: the kept timelines differ from those computed again", i);
    calc_free(kept);
    free(again);
  }
}

/* The limit searches reuse the stage loop's memory at the config's own
 * value: the polynomial must be the one a fresh evaluation gives, for both
 * variables, on a single stage and on every stage of a pipeline. */
static void test_poly_from_sample(void) {
  const char *const list[] = {
      "{\"model\": {\"preset\": \"llama-3-8b\"}, \"training\": {\"batch_size\": 2, \"seq_len\": "
      "4096},"
      " \"engine\": {\"type\": \"fsdp\"}, \"hardware\": {\"gpu\": \"h100-80gb\", \"num_gpus\": 8}}",
      config_7b};
  int i, r, var;
  for (i = 0; i < 2; i++) {
    static gm_result res;
    gm_config cfg;
    gm_error err;
    gm_params P;
    CHECK(parse(list[i], &cfg) == GM_OK, "config %d must parse", i);
    res.num_warnings = 0;
    CHECK(gm_resolve(&cfg, &res, &err) == GM_OK && gm_config_params(&cfg, &P, &err) == GM_OK,
          "config %d must resolve: %s", i, err.message);
    for (r = 0; r < cfg.parallel.pp; r++) {
      gm_shape s = gm_stage_shape(&cfg, &P, r);
      gm_stage_mem sm;
      gm_stage_memory(&cfg, &P, &s, &sm, NULL);
      for (var = 0; var < 2; var++) {
        gm_fast_var v = var ? GM_VAR_SEQ_LEN : GM_VAR_MICRO_BATCH;
        int64_t x0 = var ? cfg.training.seq_len : cfg.training.micro_batch_size;
        gm_stage_poly a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        gm_stage_poly_of(&cfg, &P, r, v, 1, x0, &a);
        gm_stage_poly_from(&cfg, &P, r, v, 1, x0, &sm, &b);
        CHECK(memcmp(&a, &b, sizeof a) == 0, "config %d stage %d var %d: polynomials differ", i, r,
              var);
      }
    }
  }
}

/* gm_format_version writes YYYY-MM-DD digit by digit where it fits, else
 * through the printf: both as "%04d-%02d-%02d" of year, month and day. */
static void test_format_version(void) {
  static const int dates[] = {20240601, 20181231, 0, 7, 99999999, 100000000, -20240601, 123456};
  static const size_t sizes[] = {16, 11, 10, 5, 1};
  size_t i, j;
  for (i = 0; i < sizeof dates / sizeof dates[0]; i++)
    for (j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
      int d = dates[i];
      char got[16], want[16];
      memset(got, 'x', sizeof got);
      gm_format_version(d, got, sizes[j]);
      snprintf(want, sizes[j], "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
      CHECK(strcmp(got, want) == 0, "format_version(%d, %zu): %s, not %s", d, sizes[j], got, want);
    }
}

int main(void) {
  test_json_parse();
  test_format_version();
  test_scan_decimal();
  test_read_size();
  test_utf8_trim();
  test_name_equal();
  test_fmt_count();
  test_enum_names();
  test_describe();
  test_schema_spellings();
  test_read_section();
  test_presets();
  test_presets_text();
  test_preset_names();
  test_preset_models();
  test_calculate_writes_only();
  test_err_only_on_failure();
  test_phase_names();
  test_count_params();
  test_calculate_json();
  test_summary();
  test_preset_id();
  test_schema_constant_defaults();
  test_defaults_list();
  test_schema_defaults();
  test_schema_enum_names();
  test_json_strings();
  test_json_digits();
  test_kept_timelines();
  test_poly_from_sample();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
