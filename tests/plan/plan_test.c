/* plan_test.c - the planner and the step-time model.
 *
 *   plan_test DIR           run the checks (DIR = tests/plan); exit 1 on a failure
 *   plan_test DIR --table   print the markdown table of docs/performance-model.md
 *   plan_test --stdin       print plan_json(stdin): the native side of the WASM parity test
 *
 * Checks: published layouts are among those that fit; every returned layout,
 * run through calc_json, fits and has the same peak; every peak three searches
 * find (in full or off the polynomials) is gm_calculate's; a layout that cannot
 * fit is never returned; min_gpus equals the hand-derived bound of a simple
 * case; each throughput row's error matches error_percent and the median
 * error is within 20%. */
#include "config.h"
#include "internal.h"
#include "plan_checks.h"
#include "read_file.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures, checks;

static void check(int ok, const char *what) {
  checks++;
  if (!ok) {
    failures++;
    printf("FAIL %s\n", what);
  }
}

static cJSON *plan(const char *request) {
  char *out = plan_json(request);
  cJSON *r = out ? cJSON_Parse(out) : NULL;
  calc_free(out);
  return r;
}

/* Every returned layout and suggestion re-checked by calculate. */
static void recheck(const char *name, const cJSON *r) {
  const cJSON *l;
  char what[256];
  int n = 0;
  cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r, "layouts")) {
    int fits = 0;
    char verdict[32];
    double peak =
        calc_peak(cJSON_GetObjectItemCaseSensitive(l, "config"), &fits, verdict, sizeof verdict);
    const char *said = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "verdict"));
    snprintf(what, sizeof what, "%s: layout %d (%s): calculate's peak %.0f (%s), planner %.0f (%s)",
             name, n, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "summary")), peak,
             verdict, num(l, "peak_bytes"), said ? said : "?");
    check(peak == num(l, "peak_bytes") && fits && said && strcmp(verdict, said) == 0, what);
    n++;
  }
  cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r, "suggestions")) {
    int fits = 0;
    char verdict[32];
    double peak =
        calc_peak(cJSON_GetObjectItemCaseSensitive(l, "config"), &fits, verdict, sizeof verdict);
    snprintf(what, sizeof what, "%s: suggestion %s: calculate's peak %.4f GiB, planner %.4f", name,
             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "change")), peak / GM_GIB,
             num(l, "peak_gb"));
    check(fabs(peak / GM_GIB - num(l, "peak_gb")) < 1e-4 &&
              fits == cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "fits")),
          what);
  }
}

/* A layout with these sizes (0: any) among those returned. */
static int has_layout(const cJSON *r, int tp, int pp, int dp, const char *engine) {
  const cJSON *l;
  cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r, "layouts")) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(l, "config");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(c, "parallelism");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c, "engine");
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "type"));
    if ((!tp || num(p, "tensor_parallel_size") == tp) &&
        (!pp || num(p, "pipeline_parallel_size") == pp) &&
        (!dp || num(p, "data_parallel_size") == dp) && type && strcmp(type, engine) == 0)
      return 1;
  }
  return 0;
}

/* A rejection whose reason contains text. */
static int says(const cJSON *r, const char *text) {
  const cJSON *rej;
  cJSON_ArrayForEach(rej, cJSON_GetObjectItemCaseSensitive(r, "rejected")) {
    const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rej, "reason"));
    if (why && strstr(why, text))
      return 1;
  }
  return 0;
}

static int count(const cJSON *r, const char *key) {
  return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, key));
}

static void published_layouts(void) {
  cJSON *r;
  /* torchtitan docs/performance.md Table 5: Llama 3.1 405B, 512 H100,
   * FSDP 8 x TP 8 x PP 8, seq 8192, local batch 32 of global 256. */
  r = plan("{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
           "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":8},"
           "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":512},"
           "\"plan\":{\"frameworks\":[\"torchtitan\"],\"global_batch_samples\":256,\"top\":50}}");
  check(has_layout(r, 8, 8, 8, "fsdp"), "torchtitan 405B on 512 H100: FSDP 8 x TP 8 x PP 8 fits");
  recheck("torchtitan 405B/512", r);
  cJSON_Delete(r);
  /* Llama 3 paper (Dubey et al. 2024, Table 4): 405B pre-training on 16,384
   * H100, TP 8 x CP 1 x PP 16 x DP 128, seq 8192, 16M tokens per batch. */
  r = plan("{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
           "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":16,"
           "\"context_parallel_size\":1},"
           "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":16384},"
           "\"plan\":{\"global_batch_tokens\":16777216,\"top\":50}}");
  /* 126 layers over 16 stages is uneven: torchtitan balances them; Megatron-LM
   * gives the first and last stages 7 layers and the 14 others 8, as Llama 3 did. */
  check(has_layout(r, 8, 16, 128, "fsdp"),
        "Llama 3 405B on 16,384 H100: TP 8 x PP 16 x DP 128 fits under torchtitan (uneven stages)");
  check(has_layout(r, 8, 16, 128, "megatron_lm"),
        "Llama 3 405B on 16,384 H100: TP 8 x PP 16 x DP 128 fits under Megatron-LM (7-layer ends)");
  recheck("Llama 3 405B/16384", r);
  cJSON_Delete(r);
  /* GPT-2's 12 layers cannot split over 5 Megatron stages, even with smaller ends. */
  r = plan(
      "{\"model\":{\"preset\":\"gpt2\"},\"parallelism\":{\"pipeline_parallel_size\":5},"
      "\"engine\":{\"type\":\"megatron_lm\"},\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":20}}");
  check(count(r, "layouts") == 0 && says(r, "PP 5 does not divide 12 layers"),
        "GPT-2 over 5 Megatron stages: rejected with the reason");
  recheck("GPT-2 over 5 stages", r);
  cJSON_Delete(r);
  /* Korthikanti et al. 2022, Table 3: GPT-3 175B, TP 8 x PP 8, 64 A100 80GB. */
  r = plan("{\"model\":{\"preset\":\"gpt3-175b\"},\"training\":{\"seq_len\":2048},"
           "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":8},"
           "\"engine\":{\"type\":\"megatron_lm\"},"
           "\"hardware\":{\"gpu\":\"a100-80gb\",\"num_gpus\":64},"
           "\"plan\":{\"global_batch_samples\":64,\"top\":50}}");
  check(has_layout(r, 8, 8, 1, "megatron_lm"), "GPT-3 175B on 64 A100: TP 8 x PP 8 fits");
  recheck("GPT-3 175B/64", r);
  cJSON_Delete(r);
}

static void open_searches(void) {
  cJSON *r;
  const cJSON *rej;
  int says_over = 0;
  /* Everything open: all frameworks. */
  r = plan("{\"model\":{\"preset\":\"llama-3.1-70b\"},\"training\":{\"seq_len\":4096},"
           "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":64},\"plan\":{\"top\":40}}");
  check(count(r, "layouts") == 40, "70B on 64 H100: 40 layouts");
  {
    char what[160];
    snprintf(what, sizeof what,
             "70B on 64 H100: more peaks found (%.0f) than full evaluations (%.0f): the "
             "micro-batches are read off the polynomials",
             num(r, "searched"), num(r, "evaluated"));
    check(num(r, "searched") > 1.2 * num(r, "evaluated"), what);
  }
  recheck("70B/64 open", r);
  cJSON_Delete(r);
  r = plan("{\"model\":{\"preset\":\"mixtral-8x7b\"},\"training\":{\"seq_len\":4096},"
           "\"hardware\":{\"gpu\":\"a100-80gb\",\"num_gpus\":32},"
           "\"plan\":{\"frameworks\":[\"megatron_lm\",\"torchtitan\"],\"top\":30,"
           "\"global_batch_samples\":256}}");
  check(count(r, "layouts") > 0, "Mixtral on 32 A100: layouts");
  recheck("Mixtral/32", r);
  cJSON_Delete(r);
  /* The user's own config: FSDP 70B full fine-tuning on 8 H100 does not fit. */
  r = plan("{\"model\":{\"preset\":\"llama-3.1-70b\"},\"training\":{\"seq_len\":4096,"
           "\"micro_batch_size\":1},\"engine\":{\"type\":\"fsdp\",\"framework\":\"hf_trainer\"},"
           "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":16},"
           "\"plan\":{\"allow\":{\"optimizer\":true,\"precision\":true}}}");
  check(count(r, "suggestions") > 0, "70B FSDP on 16 H100: suggestions");
  recheck("70B FSDP/16 suggestions", r);
  cJSON_Delete(r);
  /* On 8 H100 no single change is enough: the changes together are suggested, and fit. */
  r = plan("{\"model\":{\"preset\":\"llama-3.1-70b\"},\"training\":{\"seq_len\":4096,"
           "\"batch_size\":1},\"engine\":{\"type\":\"fsdp\",\"framework\":\"hf_trainer\"},"
           "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":8}}");
  {
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "suggestions"), 0);
    const char *change = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "change"));
    check(change && strstr(change, " + ") &&
              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(first, "fits")),
          "70B FSDP on 8 H100: a combination of changes that fits comes first");
  }
  recheck("70B FSDP/8 combined suggestion", r);
  cJSON_Delete(r);
  /* 405B with plain DDP on 8 GPUs cannot fit: never returned, and said why. */
  r = plan("{\"model\":{\"preset\":\"llama-3.1-405b\"},\"engine\":{\"type\":\"pytorch_ddp\"},"
           "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":8}}");
  check(r && count(r, "layouts") == 0, "405B DDP on 8 H100: no layout");
  cJSON_ArrayForEach(rej, cJSON_GetObjectItemCaseSensitive(r, "rejected")) {
    const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rej, "reason"));
    says_over |= why && strstr(why, "GiB over at micro-batch 1") != NULL;
  }
  check(says_over, "405B DDP on 8 H100: the reason states how far over it is");
  cJSON_Delete(r);
  /* Errors name the field. */
  r = plan("{\"model\":{\"preset\":\"gpt2\"},\"plan\":{\"gpus\":[64,8]}}");
  check(r && cJSON_GetObjectItemCaseSensitive(r, "error") &&
            strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                       cJSON_GetObjectItemCaseSensitive(r, "error"), "field")),
                   "plan.gpus") == 0,
        "gpus [64, 8]: an error naming plan.gpus");
  cJSON_Delete(r);
}

/* The hand-derived bound: generic FSDP, autocast over fp32 weights (4 B
 * weights + 4 B gradients + 8 B AdamW states = 16 B per parameter, all
 * sharded), fused step, 16-token sequences: activations and gathered layers
 * take a few MiB, so the fewest GPUs is ceil(16 P / (capacity - context)). */
/* The configs of the answer: the request's own keys where they were (left
 * open as null, they take the chosen value in place), the chosen fields after
 * them, a section given as null replaced by one at the end; alike whether the
 * request is written member by member (up to 64 keys) or as a tree (more). */
/* Fields the config fixes are not searched: a GPipe schedule keeps one
 * stage per rank (virtual stages would need the interleaved schedule), and
 * offload_param "none" keeps the parameters on the GPU. The answer's configs
 * keep those values, so each must recalculate to its layout's peak. */
static void fixed_fields_kept(void) {
  static const struct {
    const char *name, *request, *never; /* text no layout's summary may hold */
  } requests[] = {
      {"gpipe",
       "{\"model\":{\"preset\":\"llama-2-7b\"},\"parallelism\":{\"pipeline_parallel_size\":4,"
       "\"pipeline_schedule\":\"gpipe\"},\"engine\":{\"type\":\"megatron_lm\"},"
       "\"hardware\":{\"gpu\":\"h100-80gb\",\"num_gpus\":4}}",
       "virtual"},
      {"offload_param none",
       "{\"model\":{\"preset\":\"llama-3.1-70b\"},\"training\":{\"seq_len\":2048},"
       "\"engine\":{\"type\":\"deepspeed\",\"zero_stage\":3,\"offload_param\":\"none\"},"
       "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":8}}",
       "full offload"}};
  size_t i;
  for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
    cJSON *r = plan(requests[i].request);
    const cJSON *l;
    int n = 0, kept = 1;
    char what[160];
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r, "layouts")) {
      const char *summary = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "summary"));
      kept &= summary && !strstr(summary, requests[i].never);
      n++;
    }
    snprintf(what, sizeof what, "%s: %d layouts, none with \"%s\"", requests[i].name, n,
             requests[i].never);
    check(n >= 2 && kept, what);
    recheck(requests[i].name, r);
    cJSON_Delete(r);
  }
}

static void answer_configs(void) {
  static const char head[] =
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"engine\":null,\"training\":{\"seq_len\":4096,"
      "\"activation_checkpointing\":null,\"note\\u00e9\\\"\":\"caf\\u00e9\"},"
      "\"parallelism\":{\"tensor_parallel_size\":null},"
      "\"hardware\":{\"gpu\":\"a100-80gb\",\"num_gpus\":8}";
  char request[4096];
  char *text[2] = {NULL, NULL};
  int pass, ok = 1;
  for (pass = 0; pass < 2; pass++) {
    size_t n = (size_t)snprintf(request, sizeof request, "%s", head);
    cJSON *r, *l;
    int i;
    for (i = 0; pass == 1 && i < 70; i++) /* beyond the member-by-member writer */
      n += (size_t)snprintf(request + n, sizeof request - n, ",\"extra%d\":%d.5", i, i);
    snprintf(request + n, sizeof request - n, "}");
    r = plan(request);
    l = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "layouts"), 0);
    l = cJSON_GetObjectItemCaseSensitive(l, "config");
    if (!l) {
      ok = 0;
      cJSON_Delete(r);
      continue;
    }
    {
      const cJSON *t = cJSON_GetObjectItemCaseSensitive(l, "training");
      const cJSON *p = cJSON_GetObjectItemCaseSensitive(l, "parallelism");
      const cJSON *e = cJSON_GetObjectItemCaseSensitive(l, "engine");
      const cJSON *last = l->child;
      while (last && last->next)
        last = last->next;
      ok &= t && t->child && strcmp(t->child->string, "seq_len") == 0 && t->child->next &&
            strcmp(t->child->next->string, "activation_checkpointing") == 0 &&
            cJSON_IsString(t->child->next) && t->child->next->next &&
            strcmp(t->child->next->next->string, "note\xc3\xa9\"") == 0;
      ok &= p && p->child && strcmp(p->child->string, "tensor_parallel_size") == 0 &&
            cJSON_IsNumber(p->child);
      ok &= cJSON_IsObject(e) && last == e && cJSON_IsString(e->child);
      cJSON_DeleteItemFromObjectCaseSensitive(l, "extra0"); /* the same but for these */
      for (i = 1; i < 70; i++) {
        char k[24]; /* room for any int: -O1 builds check the bound */
        snprintf(k, sizeof k, "extra%d", i);
        cJSON_DeleteItemFromObjectCaseSensitive(l, k);
      }
      text[pass] = cJSON_PrintUnformatted(l);
    }
    cJSON_Delete(r);
  }
  check(ok && text[0] && text[1] && strcmp(text[0], text[1]) == 0,
        "answer configs: the request's keys in place, the chosen fields after, a null section "
        "replaced at the end; member by member as in the tree");
  free(text[0]);
  free(text[1]);
}

/* cJSON's text of a number: %1.15g, or %1.17g when that does not read back
 * within DBL_EPSILON (cJSON.c, print_number). */
static void cjson_number(double x, char *out, size_t n) {
  double back = 0;
  snprintf(out, n, "%1.15g", x);
  if (sscanf(out, "%lg", &back) != 1 ||
      !(fabs(back - x) <= (fabs(x) > fabs(back) ? fabs(x) : fabs(back)) * DBL_EPSILON))
    snprintf(out, n, "%1.17g", x);
}

/* The answer's numbers are written without cJSON's printf: each layout's
 * peak in GB (rounded to 1e-4 of the bytes) and in bytes, as cJSON would
 * print them, byte for byte, on the layouts of several searches. */
static void answer_numbers(void) {
  static const char *const requests[] = {
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":4096},"
      "\"hardware\":{\"gpu\":\"a100-80gb\",\"num_gpus\":8},\"plan\":{\"top\":100}}",
      "{\"model\":{\"preset\":\"mixtral-8x7b\"},\"training\":{\"seq_len\":4096},"
      "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":64},\"plan\":{\"top\":100}}",
      "{\"model\":{\"preset\":\"llama-3-70b\"},\"training\":{\"seq_len\":8192},"
      "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":64},\"plan\":{\"top\":100}}"};
  size_t i;
  int n = 0, differ = 0;
  for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
    char *out = plan_json(requests[i]), *at = out;
    while (at && (at = strstr(at, "\"peak_gb\":")) != NULL) {
      char gb[64], bytes[64], want[64];
      const char *b = strstr(at, "\"peak_bytes\":");
      double v;
      if (!b || sscanf(at + 10, "%63[^,}]", gb) != 1 || sscanf(b + 13, "%63[^,}]", bytes) != 1)
        break;
      v = strtod(bytes, NULL);
      cjson_number(v, want, sizeof want);
      differ += strcmp(want, bytes) != 0;
      v = floor(v / 1073741824.0 / 1e-4 + 0.5) * 1e-4;
      cjson_number(v, want, sizeof want);
      differ += strcmp(want, gb) != 0;
      n++;
      at = (char *)(uintptr_t)b;
    }
    calc_free(out);
  }
  {
    char what[128];
    snprintf(what, sizeof what,
             "%d layouts' peaks in GB and bytes as cJSON prints them (%d differ)", n, differ);
    check(n > 100 && differ == 0, what);
  }
}

static void fewest_gpus(void) {
  const char *model = "{\"num_layers\":48,\"hidden_size\":2048,\"num_attention_heads\":16,"
                      "\"vocab_size\":32000}";
  char req[1024], cfg[1024];
  cJSON *r, *c;
  char *out;
  double P, usable, bound, got;
  gm_gpu g;
  snprintf(cfg, sizeof cfg,
           "{\"model\":%s,\"training\":{\"seq_len\":16,\"precision\":\"amp\","
           "\"optimizer_impl\":\"fused\"},\"engine\":{\"type\":\"fsdp\"},"
           "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":1}}",
           model);
  out = calc_json(cfg);
  c = cJSON_Parse(out);
  P = num(cJSON_GetObjectItemCaseSensitive(c, "parameters"), "total");
  cJSON_Delete(c);
  calc_free(out);
  gm_find_gpu("a10-24gb", &g);
  usable = (double)(g.capacity_bytes - g.cuda_context_bytes);
  bound = ceil(16.0 * P / usable);
  snprintf(req, sizeof req,
           "{\"model\":%s,\"training\":{\"seq_len\":16,\"precision\":\"amp\","
           "\"optimizer_impl\":\"fused\"},\"engine\":{\"type\":\"fsdp\"},"
           "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":64},"
           "\"plan\":{\"frameworks\":[\"generic\"]}}",
           model);
  r = plan(req);
  got = num(r, "min_gpus");
  {
    char what[160];
    snprintf(what, sizeof what, "min_gpus %.0f equals ceil(16 x %.0f / %.0f) = %.0f", got, P,
             usable, bound);
    check(got == bound && P > 0, what);
  }
  cJSON_Delete(r);
}

/* gm_stage_dominated counts only the first middle stage's layers: every
 * split gives the middle ranks as many layers as a later one or more. Here
 * for each rule of split.c (even, torchtitan's, Megatron-LM's with and
 * without the embedding and loss counted, first and last stages given) over
 * pipeline and virtual sizes. */
static void middle_stages_descend(void) {
  static const char *const configs[] = {
      "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"engine\":{\"type\":\"fsdp\"}}",
      "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"engine\":{\"type\":\"fsdp\","
      "\"framework\":\"torchtitan\"}}",
      "{\"model\":{\"preset\":\"llama-3-70b\"},\"engine\":{\"type\":\"megatron_lm\"}}",
      "{\"model\":{\"preset\":\"llama-3-70b\"},\"engine\":{\"type\":\"megatron_lm\"},"
      "\"parallelism\":{\"account_for_embedding_in_pipeline_split\":true,"
      "\"account_for_loss_in_pipeline_split\":true}}",
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"engine\":{\"type\":\"deepspeed\","
      "\"zero_stage\":1}}"};
  gm_result *sink = calloc(1, sizeof *sink);
  int splits = 0, rising = 0, edge;
  size_t i;
  for (i = 0; i < sizeof configs / sizeof configs[0]; i++) {
    gm_config c;
    gm_error err;
    int p, v;
    if (gm_parse_config(configs[i], &c, sink, &err) != GM_OK || gm_resolve(&c, NULL, &err) != GM_OK)
      continue;
    for (p = 3; p <= 24; p++)
      for (v = 1; v <= 4; v++)
        for (edge = -1; edge <= 6; edge++) {
          gm_config k = c;
          int r, top = -1, first[GM_MAX_CHUNKS], count[GM_MAX_CHUNKS];
          k.parallel.pp = p, k.parallel.vpp = v;
          k.parallel.first_stage_layers = k.parallel.last_stage_layers = edge;
          if (edge == 0 || gm_check_split(&k, &err) != GM_OK)
            continue;
          splits++;
          for (r = 1; r < p - 1; r++) {
            int n = gm_stage_chunks(&k, r, first, count), j, layers = 0;
            for (j = 0; j < n; j++)
              layers += count[j];
            if (top >= 0 && layers > top)
              rising++;
            if (top < 0)
              top = layers;
          }
        }
  }
  free(sink);
  {
    char what[160];
    snprintf(what, sizeof what,
             "%d splits: no middle stage holds more layers than the first middle stage (%d do)",
             splits, rising);
    check(splits > 200 && rising == 0, what);
  }
}

/* The root of the closed forms: the largest x at which k0 + k1 (x - x0) +
 * k2 (x - x0)^2 stays within a bound. */
static void poly_roots(void) {
  gm_stage_poly q;
  const double line[3] = {10, 2, 0}, square[3] = {0, 0, 1}, flat[3] = {5, 0, 0};
  const double tiny[3] = {1e10, 1e9, 1e3}, mixed[3] = {3, -4, 1};
  memset(&q, 0, sizeof q);
  q.x0 = 4;
  /* 10 + 2 (x - 4) <= 30: x <= 14 */
  check(gm_poly_largest(&q, line, 30) == 14, "affine root: x0 + (bound - k0) / k1");
  /* (x - 4)^2 <= 9: x <= 7 */
  check(gm_poly_largest(&q, square, 9) == 7, "quadratic root: the larger one");
  check(gm_poly_largest(&q, flat, 5) == INFINITY && gm_poly_largest(&q, flat, 4.9) == -INFINITY,
        "a constant stays within its bound always or never");
  check(gm_poly_largest(&q, square, -1) == -INFINITY, "a parabola above its bound never fits");
  /* Nearly affine: no cancellation in the root. */
  check(fabs(gm_poly_largest(&q, tiny, 2e10) - (4 + 10 - 1e-4)) < 1e-6,
        "a tiny square term barely moves the affine root");
  /* 3 - 4y + y^2 <= 8, y = x - 4: y <= 2 + sqrt(9) */
  check(fabs(gm_poly_largest(&q, mixed, 8) - 9) < 1e-12, "root with a falling linear term");
}

typedef struct {
  int points, far, verdicts, closed_off;
  double max_diff;
} fast_stats;

/* The fast path against the full one on resolved config r (gm_calculate's
 * result in res): the stages' polynomials in the micro-batch give each
 * micro-batch's peak and verdict as gm_worst_peak_bytes does; the closed
 * forms give gm_calculate's largest micro-batch and longest sequence. */
static void poly_against_full(const gm_config *r, const gm_params *P, const gm_result *res,
                              fast_stats *st) {
  static gm_stage_poly q[GM_MAX_STAGES];
  gm_config at = *r;
  int nq = gm_stage_polys(r, P, q), b;
  int64_t unit = r->parallel.cp, mb, seq;
  for (b = 1; b <= 12; b++) {
    gm_verdict vf, vp;
    uint64_t full, poly;
    double d;
    at.training.micro_batch_size = b;
    full = gm_worst_peak_bytes(&at, P, NULL, &vf);
    poly = gm_poly_peak(r, q, nq, (double)b, NULL, &vp);
    st->points++;
    st->verdicts += vf != vp;
    if (vf == GM_VERDICT_DOES_NOT_FIT)
      continue; /* the search stops at the first stage over the card */
    d = fabs((double)full - (double)poly);
    if (d > st->max_diff)
      st->max_diff = d;
    st->far += d > 8;
  }
  mb = gm_fit_limit_estimate(r, P, GM_VAR_MICRO_BATCH, 1, r->training.micro_batch_size,
                             (int64_t)1 << 24);
  seq = unit * gm_fit_limit_estimate(r, P, GM_VAR_SEQ_LEN, unit, r->training.seq_len / unit,
                                     ((int64_t)1 << 24) / unit);
  st->closed_off += mb != res->max_micro_batch || seq != res->max_seq_len;
}

/* The planner's evaluation (gm_worst_peak_bytes) against gm_calculate on a
 * sweep of pipeline layouts, fitting or not: the same verdict, and the same
 * peak whenever the layout fits. */
static void evaluation_sweep(void) {
  static const int pps[] = {2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 16, 21};
  static const char *const engines[] = {"\"type\":\"fsdp\",\"framework\":\"torchtitan\"",
                                        "\"type\":\"megatron_lm\"",
                                        "\"type\":\"megatron_deepspeed\",\"zero_stage\":1"};
  /* The last: leading dense layers make a later middle stage the most
   * loaded (its expert layers), past the stages examined first. */
  static const char *const models[] = {"\"preset\":\"llama-3.1-70b\"",
                                       "\"preset\":\"mixtral-8x7b\"",
                                       "\"preset\":\"deepseek-v2-lite\"",
                                       "\"preset\":\"deepseek-v2-lite\",\"first_dense_layers\":6"};
  gm_result *res = calloc(1, sizeof *res);
  int mi, ei, pi, v, rc, bad = 0, n = 0, late = 0;
  fast_stats fast = {0, 0, 0, 0, 0};
  for (mi = 0; mi < (int)(sizeof models / sizeof models[0]); mi++)
    for (ei = 0; ei < 3; ei++)
      for (pi = 0; pi < (int)(sizeof pps / sizeof pps[0]); pi++)
        for (v = 1; v <= 3; v++)
          for (rc = 0; rc < 3; rc += 2) {
            char cfg[768];
            gm_config c, r;
            gm_error err;
            gm_params P;
            gm_verdict verdict;
            uint64_t peak;
            snprintf(cfg, sizeof cfg,
                     "{\"model\":{%s},\"training\":{\"seq_len\":4096,\"batch_size\":2,"
                     "\"gradient_accumulation_steps\":%d,\"activation_checkpointing\":\"%s\"},"
                     "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":%d,"
                     "\"virtual_pipeline_stages\":%d,\"data_parallel_size\":2},"
                     "\"engine\":{%s},\"hardware\":{\"gpu\":\"H100\"}}",
                     models[mi], 4 * pps[pi], rc ? "full" : "none", pps[pi], v, engines[ei]);
            memset(res, 0, sizeof *res);
            if (gm_parse_config(cfg, &c, res, &err) != GM_OK)
              continue;
            r = c;
            if (gm_resolve(&r, NULL, &err) != GM_OK || gm_config_params(&r, &P, &err) != GM_OK)
              continue;
            memset(res, 0, sizeof *res);
            if (gm_calculate(&c, res, &err) != GM_OK)
              continue;
            peak = gm_worst_peak_bytes(&r, &P, NULL, &verdict);
            poly_against_full(&r, &P, res, &fast);
            n++;
            /* Most loaded: a middle stage past the first examined (rank 1). */
            late += res->verdict != GM_VERDICT_DOES_NOT_FIT && res->worst_stage >= 2 &&
                    res->worst_stage < pps[pi] - 1;
            if (verdict != res->verdict ||
                (verdict != GM_VERDICT_DOES_NOT_FIT &&
                 peak != res->stages[res->worst_stage].peak_nvsmi_bytes)) {
              if (bad++ < 5)
                printf("  differs: %s\n", cfg);
            }
          }
  free(res);
  {
    char what[256];
    snprintf(what, sizeof what,
             "evaluation equals gm_calculate on %d pipeline layouts (%d differ; %d with a later "
             "middle stage the most loaded)",
             n, bad, late);
    check(n > 100 && bad == 0 && late > 0, what);
    snprintf(what, sizeof what,
             "polynomial peaks equal full evaluations within 8 bytes on %d micro-batches (%d "
             "differ, largest %.0f bytes; %d verdicts differ)",
             fast.points, fast.far, fast.max_diff, fast.verdicts);
    check(fast.points > 1000 && fast.far == 0 && fast.verdicts == 0, what);
    snprintf(what, sizeof what,
             "closed form equals the largest micro-batch and longest sequence of gm_calculate on "
             "%d configs (%d differ)",
             n, fast.closed_off);
    check(fast.closed_off == 0, what);
  }
}

/* Layouts both memo tests try: a MoE model on Megatron with interleaving and
 * expert parallelism, and one with dense first layers on torchtitan. */
#define MIXTRAL_MEGATRON                                                                           \
  "{\"model\":{\"preset\":\"mixtral-8x7b\"},\"training\":{\"seq_len\":4096,"                       \
  "\"gradient_accumulation_steps\":8},\"parallelism\":{\"tensor_parallel_size\":2,"                \
  "\"pipeline_parallel_size\":4,\"virtual_pipeline_stages\":2,\"expert_parallel_size\":2,"         \
  "\"data_parallel_size\":4},\"engine\":{\"type\":\"megatron_lm\"},"                               \
  "\"hardware\":{\"gpu\":\"a100-80gb\"}}"
#define DEEPSEEK_TORCHTITAN                                                                        \
  "{\"model\":{\"preset\":\"deepseek-v2-lite\"},\"training\":{\"seq_len\":4096},"                  \
  "\"parallelism\":{\"pipeline_parallel_size\":3,\"expert_parallel_size\":4,"                      \
  "\"data_parallel_size\":4},\"engine\":{\"type\":\"fsdp\",\"framework\":\"torchtitan\"},"         \
  "\"hardware\":{\"gpu\":\"H100\"}}"

/* c as a search tries it: recompute mode rc, micro-batch b, and off 0 (no
 * offload), 1 (optimizer states) or 2 (parameters too) to the host. */
static void as_candidate(gm_config *c, int rc, int64_t b, int off) {
  c->training.recompute = (gm_recompute)rc;
  c->training.micro_batch_size = b;
  if (off >= 1)
    c->engine.offload_optimizer = GM_OFFLOAD_CPU;
  if (off == 2)
    c->engine.offload_param = GM_OFFLOAD_CPU;
}

/* The planner's shortcuts against the plain functions, on layouts that differ
 * in the recompute mode, the micro-batch and offloading (what the search
 * varies within one layout): resolved with the request's model resolved once
 * (gm_resolve_layout), a config is the one gm_resolve_unchecked gives; with
 * the stages' layouts kept across them (gm_worst_peak_memo), the peak, the
 * worst stage and the verdict are gm_worst_peak_bytes's. */
static void memo_against_plain(void) {
  static const char *const configs[] = {
      "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
      "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":16,"
      "\"data_parallel_size\":8},\"engine\":{\"type\":\"fsdp\",\"framework\":\"torchtitan\"},"
      "\"hardware\":{\"gpu\":\"H100\"}}",
      /* The same model and recipe split otherwise in pipeline and data: the
       * layers kept from the first serve these (gm_layer_key). */
      "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192,"
      "\"gradient_accumulation_steps\":4},\"parallelism\":{\"tensor_parallel_size\":8,"
      "\"pipeline_parallel_size\":8,\"data_parallel_size\":16},\"engine\":{\"type\":\"fsdp\","
      "\"framework\":\"torchtitan\"},\"hardware\":{\"gpu\":\"H100\"}}",
      "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
      "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":1,"
      "\"data_parallel_size\":128},\"engine\":{\"type\":\"fsdp\",\"framework\":\"torchtitan\"},"
      "\"hardware\":{\"gpu\":\"H100\"}}",
      MIXTRAL_MEGATRON,
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":4096},"
      "\"engine\":{\"type\":\"deepspeed\",\"zero_stage\":3},"
      "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":8}}",
      DEEPSEEK_TORCHTITAN};
  static gm_shape_memo memo;
  static const int64_t mbs[] = {1, 3, 8, 2};
  gm_result *sink = calloc(1, sizeof *sink);
  int n = 0, resolve_differ = 0, peak_differ = 0, fitting = 0, kept_differ = 0, kept_failed = 0;
  size_t i;
  gm_sections_memo sections;
  sections.have = sections.defaults_made = 0;
  gm_shape_memo_init(&memo);
  for (i = 0; i < sizeof configs / sizeof configs[0]; i++) {
    gm_config c, m;
    gm_params P;
    gm_error err;
    int rc, off, j;
    if (gm_parse_config(configs[i], &c, sink, &err) != GM_OK)
      continue;
    m = c;
    if (gm_resolve(&m, NULL, &err) != GM_OK || gm_config_params(&m, &P, &err) != GM_OK)
      continue;
    gm_shape_memo_clear(&memo);
    /* The order of a search: each micro-batch, its modes, each with its offloads. */
    for (j = 0; j < (int)(sizeof mbs / sizeof mbs[0]); j++)
      for (rc = 0; rc < 3; rc++)
        for (off = 0; off < 3; off++) {
          gm_config k = c, a, b;
          gm_verdict va, vb;
          int wa = -1, wb = -2, ra, rb, var;
          uint64_t pa, pb;
          as_candidate(&k, rc, mbs[j], off);
          /* With the engine and training sections kept: each config as
           * the search varies it (accumulation steps, tensor parallel), then itself. */
          for (var = 0; var < 4; var++) {
            gm_config d = k, e;
            gm_error e1, e2;
            int rd, re;
            if (var == 0)
              d.training.gradient_accumulation_steps = 8;
            if (var == 1)
              d.parallel.tp = d.parallel.tp > 1 ? d.parallel.tp / 2 : 2;
            if (var == 2)
              d.training.optimizer_in_backward = 1, d.training.gradient_accumulation_steps = 4;
            e = d;
            memset(&e1, 0, sizeof e1), memset(&e2, 0, sizeof e2);
            rd = gm_resolve_unchecked(&d, NULL, &e1);
            re = gm_resolve_layout_memo(&e, &m.model, &sections, &e2);
            kept_differ += rd != re || (rd == GM_OK && memcmp(&d, &e, sizeof d) != 0) ||
                           (rd != GM_OK && strcmp(e1.field, e2.field) != 0);
            kept_failed += rd != GM_OK;
          }
          a = b = k;
          ra = gm_resolve_unchecked(&a, NULL, &err);
          rb = gm_resolve_layout(&b, &m.model, &err);
          n++;
          if (ra != rb || (ra == GM_OK && memcmp(&a, &b, sizeof a) != 0)) {
            resolve_differ++;
            continue;
          }
          if (ra != GM_OK)
            continue;
          pa = gm_worst_peak_bytes(&a, &P, &wa, &va);
          pb = gm_worst_peak_memo(&a, &P, &memo, &wb, &vb, NULL, NULL);
          peak_differ += pa != pb || wa != wb || va != vb;
          fitting += va != GM_VERDICT_DOES_NOT_FIT;
        }
  }
  free(sink);
  {
    char what[256];
    snprintf(what, sizeof what,
             "%d layouts: resolution with the model resolved once equals the plain one (%d "
             "differ); peaks with kept stage layouts equal the plain ones (%d differ; %d fit)",
             n, resolve_differ, peak_differ, fitting);
    check(n >= 100 && resolve_differ == 0 && peak_differ == 0 && fitting > 10, what);
    snprintf(what, sizeof what,
             "%d resolutions with the engine and training sections kept equal the plain ones, "
             "%d of them failing (%d differ)",
             4 * n, kept_failed, kept_differ);
    check(kept_failed > 50 && kept_differ == 0, what);
  }
}

/* The planner's resolutions of whole configs (gm_resolve_defaults, the
 * constant defaults made once) against gm_resolve; and the stage layouts kept
 * from one micro-batch count to the next (gm_shape_memo_restep: a layout's
 * accumulation steps change with its micro-batch) against those made afresh,
 * rank by rank, and the peaks read off them against gm_worst_peak_bytes. */
static void restep_against_plain(void) {
  static const char *const configs[] = {
      "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
      "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":16,"
      "\"data_parallel_size\":8},\"engine\":{\"type\":\"fsdp\",\"framework\":\"torchtitan\"},"
      "\"hardware\":{\"gpu\":\"H100\"}}",
      /* interleaved: the in-flight micro-batches of uneven chunks */
      MIXTRAL_MEGATRON,
      "{\"model\":{\"preset\":\"llama-3.1-70b\"},\"training\":{\"seq_len\":4096},"
      "\"parallelism\":{\"tensor_parallel_size\":4,\"pipeline_parallel_size\":8,"
      "\"virtual_pipeline_stages\":5,\"data_parallel_size\":2},"
      "\"engine\":{\"type\":\"megatron_lm\"},\"hardware\":{\"gpu\":\"H100\"}}",
      DEEPSEEK_TORCHTITAN,
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":4096},"
      "\"engine\":{\"type\":\"deepspeed\",\"zero_stage\":3},"
      "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":8}}"};
  /* Accumulation steps in the order a layout's micro-batches give them,
   * fewer than the pipeline's stages among them. */
  static const int64_t steps[] = {16, 8, 2, 1, 4, 32};
  static gm_shape_memo memo;
  gm_defaults d[GM_SEC_COUNT];
  gm_result *sink = calloc(1, sizeof *sink);
  int s, n = 0, resolve_differ = 0, shapes = 0, shape_differ = 0, peak_differ = 0, pipelined = 0;
  size_t i, j;
  for (s = 0; s < GM_SEC_COUNT; s++)
    gm_defaults_of((gm_section)s, &d[s]);
  for (i = 0; i < sizeof configs / sizeof configs[0]; i++) {
    gm_config c, prev;
    gm_params P;
    gm_error err;
    int have_prev = 0;
    if (gm_parse_config(configs[i], &c, sink, &err) != GM_OK)
      continue;
    gm_shape_memo_init(&memo);
    for (j = 0; j < sizeof steps / sizeof steps[0]; j++) {
      gm_config a = c, b;
      gm_error e1, e2;
      gm_verdict va, vb;
      int ra, rb, wa = -1, wb = -2, r, rc;
      a.training.gradient_accumulation_steps = steps[j];
      b = a;
      memset(&e1, 0, sizeof e1), memset(&e2, 0, sizeof e2);
      ra = gm_resolve(&a, NULL, &e1);
      rb = gm_resolve_defaults(&b, d, &e2);
      n++;
      resolve_differ += ra != rb || (ra == GM_OK && memcmp(&a, &b, sizeof a) != 0) ||
                        (ra != GM_OK && strcmp(e1.field, e2.field) != 0);
      if (ra != GM_OK || gm_config_params(&a, &P, &err) != GM_OK)
        continue;
      if (have_prev) {
        /* The search's test (restep_of): the same config but in these two. */
        prev.training.gradient_accumulation_steps = a.training.gradient_accumulation_steps;
        prev.parallel.num_microbatches = a.parallel.num_microbatches;
        if (memcmp(&prev, &a, sizeof a) != 0) {
          check(0, "configs that differ only in the accumulation steps");
          break;
        }
        gm_shape_memo_restep(&memo, &a);
      }
      pipelined += a.parallel.pp > 1 && a.parallel.num_microbatches < a.parallel.pp;
      for (r = 0; r < a.parallel.pp; r++) {
        gm_shape x = gm_stage_shape(&a, &P, r);
        const gm_shape *y = gm_stage_layout_memo(&memo, &a, &P, r);
        shapes++;
        shape_differ += x.layers != y->layers || x.params != y->params ||
                        x.inflight != y->inflight || x.inflight_mbs != y->inflight_mbs ||
                        x.chunk_params_max != y->chunk_params_max;
      }
      for (rc = 0; rc < 3; rc++) {
        as_candidate(&a, rc, a.training.micro_batch_size, 0);
        wa = -1, wb = -2;
        peak_differ += gm_worst_peak_bytes(&a, &P, &wa, &va) !=
                           gm_worst_peak_memo(&a, &P, &memo, &wb, &vb, NULL, NULL) ||
                       wa != wb || va != vb;
      }
      a.training.recompute = GM_AC_NONE;
      prev = a, have_prev = 1;
    }
  }
  free(sink);
  {
    char what[400];
    snprintf(what, sizeof what,
             "%d configs resolved with the defaults made once equal gm_resolve's (%d differ); "
             "%d stage layouts kept across accumulation steps equal fresh ones (%d differ, "
             "%d configs with fewer micro-batches than stages); %d peaks differ",
             n, resolve_differ, shapes, shape_differ, pipelined, peak_differ);
    check(n >= 30 && resolve_differ == 0 && shapes > 150 && shape_differ == 0 && pipelined >= 4 &&
              peak_differ == 0,
          what);
  }
}

/* A stage's memory in two parts (gm_stage_memory_base, then
 * gm_stage_memory_acts) against gm_stage_memory, bit for bit, on every stage
 * of layouts in each recompute mode, micro-batch and offload choice: with
 * the first part made at the mode itself and without recompute (as the
 * planner keeps it for the modes of a layout). */
static void stage_parts_against_plain(void) {
  static const char *const configs[] = {
      "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
      "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":4,"
      "\"data_parallel_size\":32},\"engine\":{\"type\":\"fsdp\",\"framework\":\"torchtitan\"},"
      "\"hardware\":{\"gpu\":\"H100\"}}",
      MIXTRAL_MEGATRON,
      /* activations offloaded to the host: the second part moves them */
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":4096,"
      "\"activation_offload\":true},\"engine\":{\"type\":\"deepspeed\",\"zero_stage\":3},"
      "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":8}}",
      DEEPSEEK_TORCHTITAN,
      "{\"model\":{\"preset\":\"qwen2.5-7b\"},\"training\":{\"seq_len\":2048},"
      "\"parallelism\":{\"pipeline_parallel_size\":2,\"data_parallel_size\":4},"
      "\"engine\":{\"type\":\"megatron_deepspeed\",\"zero_stage\":1},"
      "\"hardware\":{\"gpu\":\"a100-40gb\"}}"};
  static const int64_t mbs[] = {1, 4};
  gm_result *sink = calloc(1, sizeof *sink);
  int n = 0, differ = 0, heads = 0, offloaded = 0;
  size_t i;
  for (i = 0; i < sizeof configs / sizeof configs[0]; i++) {
    gm_config c;
    gm_error err;
    int rc, off, j, r;
    if (gm_parse_config(configs[i], &c, sink, &err) != GM_OK)
      continue;
    for (j = 0; j < (int)(sizeof mbs / sizeof mbs[0]); j++)
      for (rc = 0; rc < 3; rc++)
        for (off = 0; off < 3; off++) {
          gm_config k = c, k0;
          gm_params P;
          as_candidate(&k, rc, mbs[j], off);
          if (gm_resolve(&k, NULL, &err) != GM_OK || gm_config_params(&k, &P, &err) != GM_OK)
            continue;
          k0 = k;
          k0.training.recompute = GM_AC_NONE;
          for (r = 0; r < k.parallel.pp; r++) {
            gm_shape s = gm_stage_shape(&k, &P, r), s0 = gm_stage_shape(&k0, &P, r);
            gm_stage_mem plain, parts, shared;
            gm_stage_memory(&k, &P, &s, &plain, NULL);
            gm_stage_memory_base(&k, &P, &s, &parts);
            gm_stage_memory_acts(&k, &s, &parts);
            gm_stage_memory_base(&k0, &P, &s0, &shared);
            gm_stage_memory_acts(&k, &s, &shared);
            n++;
            differ += memcmp(&plain, &parts, sizeof plain) != 0 ||
                      memcmp(&plain, &shared, sizeof plain) != 0;
            heads += s.has_head;
            offloaded += k.training.activation_offload && s.acts_bytes > 0;
          }
        }
  }
  free(sink);
  {
    char what[200];
    snprintf(what, sizeof what,
             "a stage's memory in two parts equals gm_stage_memory on %d stages (%d with the "
             "head, %d offloading activations; %d differ)",
             n, heads, offloaded, differ);
    check(n >= 200 && heads >= 50 && offloaded >= 10 && differ == 0, what);
  }
}

/* The model states' bound the search settles layouts by before their
 * resolution (gm_stage_params, gm_stage_states_bytes) against the floor it
 * stands for: on stage 0 of every layout here, the bound is at most the
 * floor's figure (gm_first_stage_floor's sum of stage 0's memory without its
 * layers' activations), which is at most stage 0's peak by gm_calculate; and
 * gm_stage_params gives what gm_stage_layout gives. Dense and MoE models with
 * expert parallelism, LoRA, offload, fp8 (no bound), Megatron-LM with and
 * without the distributed optimizer, ZeRO 1 to 3, FSDP full and hybrid,
 * DDP; pipelines of one to four stages. */
static void states_bound_against_floor(void) {
  static const char *const configs[] = {
      "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
      "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":4,"
      "\"data_parallel_size\":32},\"engine\":{\"type\":\"fsdp\",\"framework\":\"torchtitan\"},"
      "\"hardware\":{\"gpu\":\"H100\"}}",
      "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
      "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":2,"
      "\"data_parallel_size\":8},\"engine\":{\"type\":\"fsdp\",\"framework\":\"torchtitan\","
      "\"sharding_strategy\":\"hybrid_shard\"},\"hardware\":{\"gpu\":\"H100\"}}",
      MIXTRAL_MEGATRON, DEEPSEEK_TORCHTITAN,
      "{\"model\":{\"preset\":\"llama-3.1-70b\"},\"training\":{\"seq_len\":4096},"
      "\"parallelism\":{\"tensor_parallel_size\":8,\"pipeline_parallel_size\":2,"
      "\"data_parallel_size\":4},\"engine\":{\"type\":\"megatron_lm\","
      "\"distributed_optimizer\":true},\"hardware\":{\"gpu\":\"H100\"}}",
      "{\"model\":{\"preset\":\"llama-3.1-70b\"},\"training\":{\"seq_len\":4096},"
      "\"parallelism\":{\"tensor_parallel_size\":4,\"pipeline_parallel_size\":4,"
      "\"data_parallel_size\":2},\"engine\":{\"type\":\"megatron_lm\"},"
      "\"hardware\":{\"gpu\":\"a100-80gb\"}}",
      "{\"model\":{\"preset\":\"llama-3.1-70b\"},\"training\":{\"seq_len\":4096,"
      "\"fp8\":\"delayed\"},\"parallelism\":{\"tensor_parallel_size\":8,"
      "\"data_parallel_size\":4},\"engine\":{\"type\":\"megatron_lm\"},"
      "\"hardware\":{\"gpu\":\"H100\"}}",
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":4096},"
      "\"engine\":{\"type\":\"deepspeed\",\"zero_stage\":1},"
      "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":8}}",
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":4096},"
      "\"engine\":{\"type\":\"deepspeed\",\"zero_stage\":2},"
      "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":8}}",
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":4096},"
      "\"engine\":{\"type\":\"deepspeed\",\"zero_stage\":3},"
      "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":8}}",
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":2048,"
      "\"finetune\":\"lora\"},\"engine\":{\"type\":\"fsdp\"},"
      "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":4}}",
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":2048},"
      "\"engine\":{\"type\":\"fsdp\",\"sharding_strategy\":\"hybrid_shard\"},"
      "\"hardware\":{\"gpu\":\"a100-40gb\",\"num_gpus\":32,\"gpus_per_node\":8}}",
      /* parenthesised: clang takes a lone two-line literal for a missing comma */
      ("{\"model\":{\"preset\":\"qwen2.5-7b\"},\"training\":{\"seq_len\":2048},"
       "\"engine\":{\"type\":\"pytorch_ddp\"},\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":8}}")};
  static const int64_t mbs[] = {1, 4};
  gm_result *res = calloc(1, sizeof *res);
  int n = 0, above = 0, above_peak = 0, params_differ = 0, tight = 0, fp8_bounded = 0, fp8 = 0;
  int offloaded = 0;
  size_t i;
  for (i = 0; i < sizeof configs / sizeof configs[0]; i++) {
    gm_config c;
    gm_error err;
    int off, j;
    if (gm_parse_config(configs[i], &c, res, &err) != GM_OK) {
      check(0, "a states bound config parses");
      continue;
    }
    for (j = 0; j < (int)(sizeof mbs / sizeof mbs[0]); j++)
      for (off = 0; off < 3; off++) {
        gm_config k = c;
        gm_params P;
        gm_shape s, layout;
        gm_stage_mem base;
        double bound, most;
        as_candidate(&k, GM_AC_NONE, mbs[j], off);
        if (gm_resolve(&k, NULL, &err) != GM_OK || gm_config_params(&k, &P, &err) != GM_OK ||
            gm_calculate(&k, res, &err) != GM_OK)
          continue;
        gm_stage_params(&k, &P, 0, &s);
        layout = gm_stage_layout(&k, &P, 0);
        params_differ +=
            s.layers != layout.layers || s.moe_layers != layout.moe_layers ||
            s.params != layout.params || s.trainable != layout.trainable ||
            s.trainable_expert != layout.trainable_expert || s.unit_params != layout.unit_params ||
            s.chunk_params_max != layout.chunk_params_max || s.emb_params != layout.emb_params;
        bound = gm_stage_states_bytes(&k, &P, &s);
        /* gm_first_stage_floor's sum. */
        gm_stage_memory_base(&k, &P, &layout, &base);
        most = floor_sum(&base);
        n++;
        above += bound > most;
        above_peak +=
            bound + (double)k.hardware.cuda_context_bytes > (double)res->stages[0].peak_nvsmi_bytes;
        /* Where the bound is most of the floor: a bound 10 % too high fails here. */
        tight += bound * 1.1 > most;
        offloaded += off > 0;
        if (k.training.fp8 != GM_FP8_NONE)
          fp8++, fp8_bounded += bound != 0;
      }
  }
  free(res);
  {
    char what[300];
    snprintf(what, sizeof what,
             "the model states' bound is at most stage 0's floor on %d layouts (%d offloading, %d "
             "with fp8 and no bound; %d above the floor, %d above the peak, %d with "
             "gm_stage_params unlike gm_stage_layout), within 10 %% of it on %d",
             n, offloaded, fp8, above, above_peak, params_differ, tight);
    check(n >= 50 && offloaded >= 10 && fp8 >= 2 && fp8_bounded == 0 && above == 0 &&
              above_peak == 0 && params_differ == 0 && tight >= 10,
          what);
  }
}

static void every_evaluation(void) {
  static const struct {
    const char *config;
    int64_t global_batch; /* samples */
    int num_frameworks;
    gm_framework frameworks[2];
  } requests[] = {/* bench/plan_request.json: every framework on 1,024 GPUs */
                  {"{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
                   "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":1024,\"gpus_per_node\":8}}",
                   2048,
                   0,
                   {GM_FW_GENERIC, GM_FW_GENERIC}},
                  /* experts: expert parallelism and MoE stages */
                  {"{\"model\":{\"preset\":\"mixtral-8x7b\"},\"training\":{\"seq_len\":4096},"
                   "\"hardware\":{\"gpu\":\"a100-80gb\",\"num_gpus\":32}}",
                   256,
                   2,
                   {GM_FW_MEGATRON, GM_FW_TORCHTITAN}},
                  /* a small model on few GPUs: DeepSpeed, the Trainer, offload, DDP */
                  {"{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":4096},"
                   "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":8}}",
                   0,
                   0,
                   {GM_FW_GENERIC, GM_FW_GENERIC}}};
  eval_stats st = {calloc(1, sizeof(gm_result)), 0, 0, 0, 0, 0, 0};
  gm_plan_result *out = calloc(1, sizeof *out);
  gm_result *sink = calloc(1, sizeof *sink);
  size_t i;
  for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
    gm_config base;
    gm_plan_request q;
    gm_error err;
    char what[320];
    int n0 = st.n, d0 = st.differ, k;
    if (gm_parse_config(requests[i].config, &base, sink, &err) != GM_OK) {
      snprintf(what, sizeof what, "request %zu parses: %s: %s", i, err.field, err.message);
      check(0, what);
      continue;
    }
    gm_plan_request_init(&q, &base);
    q.global_batch = requests[i].global_batch;
    q.num_frameworks = requests[i].num_frameworks;
    for (k = 0; k < q.num_frameworks; k++)
      q.frameworks[k] = requests[i].frameworks[k];
    q.on_evaluated = on_evaluated, q.on_evaluated_arg = &st;
    check(gm_plan(&q, out, &err) == GM_OK, "the search runs");
    snprintf(what, sizeof what,
             "request %zu: %d layouts' peaks (%lld counted), each as gm_calculate finds it (%d "
             "differ)",
             i, st.n - n0, (long long)out->searched, st.differ - d0);
    check(st.n - n0 > 50 && st.differ == d0, what);
  }
  {
    char what[200];
    snprintf(what, sizeof what,
             "the layouts include more than 1,000 that fit (%d), 100 read off the polynomials "
             "(%d) and 100 settled by a bound (%d), 100 of them by the model states' (%d)",
             st.fitting, st.from_poly, st.bounded, st.by_states);
    check(st.fitting > 1000 && st.from_poly > 100 && st.bounded > 100 && st.by_states > 100, what);
  }
  free(sink);
  free(out);
  free(st.res);
}

/* Whether layout a may come before b: with room before tight, then faster
 * (estimated tokens/s per GPU), then the smaller peak. */
static int in_order(const gm_plan_layout *a, const gm_plan_layout *b) {
  if (a->tight != b->tight)
    return b->tight;
  if (a->perf.tokens_per_s_per_gpu != b->perf.tokens_per_s_per_gpu)
    return a->perf.tokens_per_s_per_gpu > b->perf.tokens_per_s_per_gpu;
  return a->peak_bytes <= b->peak_bytes;
}

/* The layouts come best first, and the best 5 are the first 5 of the best
 * 100: keeping fewer replaces the worst kept, never another. */
static void ranked_best_first(void) {
  static const char *configs[] = {
      "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
      "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":1024,\"gpus_per_node\":8}}",
      "{\"model\":{\"preset\":\"llama-3-8b\"},\"training\":{\"seq_len\":4096},"
      "\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":8}}"};
  gm_plan_result *few = calloc(1, sizeof *few), *many = calloc(1, sizeof *many);
  gm_result *sink = calloc(1, sizeof *sink);
  size_t i;
  for (i = 0; i < sizeof configs / sizeof configs[0]; i++) {
    gm_config base;
    gm_plan_request q;
    gm_error err;
    char what[200];
    int k, ordered = 1, prefix = 1;
    if (gm_parse_config(configs[i], &base, sink, &err) != GM_OK) {
      check(0, "the ranking's request parses");
      continue;
    }
    gm_plan_request_init(&q, &base);
    q.top = 5;
    check(gm_plan(&q, few, &err) == GM_OK, "the search runs");
    q.top = GM_PLAN_MAX_TOP;
    check(gm_plan(&q, many, &err) == GM_OK, "the search runs");
    for (k = 0; k + 1 < many->num_layouts; k++)
      ordered &= in_order(&many->layouts[k], &many->layouts[k + 1]);
    for (k = 0; k < few->num_layouts; k++)
      prefix &= memcmp(&few->layouts[k].config, &many->layouts[k].config,
                       sizeof few->layouts[k].config) == 0 &&
                few->layouts[k].peak_bytes == many->layouts[k].peak_bytes;
    snprintf(what, sizeof what,
             "request %zu: %d layouts best first (%s), the best 5 (%d) their first 5 (%s)", i,
             many->num_layouts, ordered ? "yes" : "no", few->num_layouts, prefix ? "yes" : "no");
    check(ordered && prefix && few->num_layouts == 5 && many->num_layouts > 20, what);
  }
  free(sink);
  free(few);
  free(many);
}

static void count_bounded(void *arg, const gm_config *config, uint64_t peak, int fit, int poly) {
  (void)config, (void)peak, (void)fit;
  *(int *)arg += poly >= 2;
}

/* The search with layouts settled by a bound (a stage's memory without its
 * layers' activations already over the card, its family's closest miss not
 * beaten) against the same search evaluating every layout in full: the same
 * answer, reasons and layouts searched included. Requests where many families cannot
 * fit, where the closest misses decide the reasons. */
static void bounds_against_plain(void) {
  static const struct {
    const char *config;
    int64_t global_batch;
    int min_gpus, max_gpus;
  } requests[] = {{"{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
                   "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":1024,\"gpus_per_node\":8}}",
                   2048, 1024, 1024},
                  {"{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192},"
                   "\"hardware\":{\"gpu\":\"H100\",\"num_gpus\":64}}",
                   0, 64, 512},
                  {"{\"model\":{\"preset\":\"llama-3.1-70b\"},\"training\":{\"seq_len\":4096},"
                   "\"hardware\":{\"gpu\":\"a100-40gb\",\"num_gpus\":8}}",
                   0, 8, 8},
                  {"{\"model\":{\"preset\":\"mixtral-8x7b\"},\"training\":{\"seq_len\":4096},"
                   "\"hardware\":{\"gpu\":\"a100-80gb\",\"num_gpus\":32}}",
                   256, 32, 32},
                  /* adapters and offload: the states' bound on LoRA's trainable share */
                  {"{\"model\":{\"preset\":\"llama-3.1-70b\"},\"training\":{\"seq_len\":4096,"
                   "\"finetune\":\"lora\"},\"hardware\":{\"gpu\":\"a10-24gb\",\"num_gpus\":8}}",
                   0, 8, 16}};
  gm_plan_result *with = calloc(1, sizeof *with), *plain = calloc(1, sizeof *plain);
  gm_result *sink = calloc(1, sizeof *sink);
  size_t i;
  int bounded_all = 0;
  for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
    gm_config base;
    gm_plan_request q;
    gm_error err;
    char what[200];
    int bounded = 0, ok;
    if (gm_parse_config(requests[i].config, &base, sink, &err) != GM_OK) {
      check(0, "a bounds request parses");
      continue;
    }
    gm_plan_request_init(&q, &base);
    q.global_batch = requests[i].global_batch;
    q.min_gpus = requests[i].min_gpus, q.max_gpus = requests[i].max_gpus;
    q.on_evaluated = count_bounded, q.on_evaluated_arg = &bounded;
    ok = gm_plan(&q, with, &err) == GM_OK;
    q.no_bounds = 1, q.on_evaluated = NULL;
    ok = ok && gm_plan(&q, plain, &err) == GM_OK;
    snprintf(what, sizeof what,
             "request %zu: %d of %lld layouts settled by a bound, the answer the same as with "
             "every layout evaluated",
             i, bounded, (long long)with->searched);
    check(ok && same_answer(with, plain), what);
    /* A layout settled by the bound takes no full evaluation. */
    snprintf(what, sizeof what, "request %zu: %lld full evaluations with the bounds, %lld without",
             i, (long long)with->evaluated, (long long)plain->evaluated);
    check(ok && with->evaluated <= plain->evaluated - bounded, what);
    bounded_all += bounded;
  }
  check(bounded_all > 500, "the bounds settle more than 500 layouts in these searches");
  free(sink);
  free(plain);
  free(with);
}

/* ---- The step-time model against published throughput ---- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void throughput(const char *dir, int table) {
  char path[512], *text;
  cJSON *root;
  const cJSON *row;
  double errs[64];
  int n = 0;
  snprintf(path, sizeof path, "%s/throughput.json", dir);
  text = gm_read_file(path, NULL);
  root = text ? cJSON_Parse(text) : NULL;
  check(root != NULL, "tests/plan/throughput.json reads");
  if (table) {
    printf("| Run | Published | Estimate | Error |\n|---|---:|---:|---:|\n");
  }
  cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(root, "rows")) {
    const cJSON *pub = cJSON_GetObjectItemCaseSensitive(row, "published"), *want;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "name"));
    char *cfg = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(row, "config"));
    gm_config c;
    gm_result *sink = calloc(1, sizeof *sink);
    gm_error err;
    gm_params P;
    gm_perf pf;
    double published = 0, estimate = 0, e;
    const char *unit = "";
    char what[512];
    memset(&pf, 0, sizeof pf);
    if (gm_parse_config(cfg, &c, sink, &err) != GM_OK || gm_resolve(&c, NULL, &err) != GM_OK ||
        gm_config_params(&c, &P, &err) != GM_OK) {
      snprintf(what, sizeof what, "%s: config rejected: %s: %s", name, err.field, err.message);
      check(0, what);
    } else {
      gm_perf_estimate(&c, &P, &pf);
    }
    free(sink);
    cJSON_free(cfg);
    if ((want = cJSON_GetObjectItemCaseSensitive(pub, "tokens_per_s_per_gpu")) != NULL)
      published = want->valuedouble, estimate = pf.tokens_per_s_per_gpu, unit = "tokens/s/GPU";
    else if ((want = cJSON_GetObjectItemCaseSensitive(pub, "tflops_per_gpu")) != NULL)
      published = want->valuedouble, estimate = pf.flops_per_s_per_gpu / 1e12, unit = "TFLOP/s/GPU";
    else if ((want = cJSON_GetObjectItemCaseSensitive(pub, "mfu")) != NULL)
      published = 100.0 * want->valuedouble, estimate = 100.0 * pf.mfu, unit = "% MFU";
    e = published > 0 ? 100.0 * (estimate - published) / published : 1e9;
    if (n < 64)
      errs[n++] = fabs(e);
    if (table)
      printf("| %s | %.4g %s | %.4g | %+.1f%% |\n", name, published, unit, estimate, e);
    want = cJSON_GetObjectItemCaseSensitive(row, "error_percent");
    snprintf(what, sizeof what, "%s: error %+.1f%% (recorded %+.1f%%)", name, e,
             cJSON_IsNumber(want) ? want->valuedouble : NAN);
    check(pf.known && cJSON_IsNumber(want) && fabs(e - want->valuedouble) < 0.5, what);
  }
  if (n > 0) {
    double median;
    char what[96];
    qsort(errs, (size_t)n, sizeof errs[0], cmp_double);
    median = n % 2 ? errs[n / 2] : 0.5 * (errs[n / 2 - 1] + errs[n / 2]);
    if (table)
      printf("\nMedian absolute error over %d rows: %.1f%%.\n", n, median);
    snprintf(what, sizeof what, "median absolute error %.1f%% over %d rows is within 20%%", median,
             n);
    check(median <= 20.0, what);
  }
  cJSON_Delete(root);
  free(text);
}

/* CPU nanoseconds per call of what a search spends its time on, on one
 * layout of the bench request (TP 8 x PP 16, torchtitan FSDP): a full
 * evaluation, the stages' polynomials, and one micro-batch read off them. */
static void bench_parts(void) {
  static gm_stage_poly q[GM_MAX_STAGES];
  const char *cfg = "{\"model\":{\"preset\":\"llama-3.1-405b\"},\"training\":{\"seq_len\":8192,"
                    "\"activation_checkpointing\":\"full\"},\"parallelism\":{"
                    "\"tensor_parallel_size\":8,\"pipeline_parallel_size\":16,"
                    "\"data_parallel_size\":8},\"engine\":{\"type\":\"fsdp\","
                    "\"framework\":\"torchtitan\"},\"hardware\":{\"gpu\":\"H100\"}}";
  gm_config c;
  gm_params P;
  gm_error err;
  gm_result *sink = calloc(1, sizeof *sink);
  gm_verdict v;
  volatile uint64_t keep = 0;
  int i, n = 0, reps = 20000;
  clock_t t0;
  double full_ns, polys_ns, peak_ns;
  if (gm_parse_config(cfg, &c, sink, &err) != GM_OK || gm_resolve(&c, NULL, &err) != GM_OK ||
      gm_config_params(&c, &P, &err) != GM_OK) {
    free(sink);
    return;
  }
  free(sink);
  t0 = clock();
  for (i = 0; i < reps; i++)
    keep += gm_worst_peak_bytes(&c, &P, NULL, &v);
  full_ns = 1e9 * (double)(clock() - t0) / CLOCKS_PER_SEC / reps;
  t0 = clock();
  for (i = 0; i < reps; i++)
    n = gm_stage_polys(&c, &P, q);
  polys_ns = 1e9 * (double)(clock() - t0) / CLOCKS_PER_SEC / reps;
  t0 = clock();
  for (i = 0; i < reps * 10; i++)
    keep += gm_poly_peak(&c, q, n, (double)(1 + i % 16), NULL, &v);
  peak_ns = 1e9 * (double)(clock() - t0) / CLOCKS_PER_SEC / (reps * 10);
  printf("full_evaluation_ns %.0f\nstage_polys_ns %.0f\npoly_peak_ns %.0f\n", full_ns, polys_ns,
         peak_ns);
  (void)keep;
}

/* The planner's speed on one request: CPU time per search (median of runs)
 * and memory evaluations per CPU second. */
static int bench(const char *file, int runs) {
  char *in = gm_read_file(file, NULL);
  double ms[32];
  int i;
  int64_t searched = 0, evaluated = 0;
  if (!in || runs < 1 || runs > 32)
    return 1;
  for (i = 0; i < runs; i++) {
    clock_t t0 = clock();
    char *out = plan_json(in);
    cJSON *r;
    /* The search, request to answer; reading the answer back is not its time. */
    ms[i] = 1e3 * (double)(clock() - t0) / CLOCKS_PER_SEC;
    r = out ? cJSON_Parse(out) : NULL;
    searched = (int64_t)num(r, "searched");
    evaluated = (int64_t)num(r, "evaluated");
    cJSON_Delete(r);
    calc_free(out);
  }
  qsort(ms, (size_t)runs, sizeof ms[0], cmp_double);
  printf("searched %lld\nevaluated %lld\nmedian_ms %.2f\nlayouts_per_s %.0f\n", (long long)searched,
         (long long)evaluated, ms[runs / 2],
         ms[runs / 2] > 0 ? (double)searched / (ms[runs / 2] / 1e3) : 0);
  bench_parts();
  free(in);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "--bench") == 0)
    return bench(argv[2], argc > 3 ? atoi(argv[3]) : 5);
  if (argc > 1 && strcmp(argv[1], "--stdin") == 0) {
    char *in = gm_read_file("-", NULL), *out = in ? plan_json(in) : NULL;
    if (!out)
      return 1;
    puts(out);
    calc_free(out);
    free(in);
    return 0;
  }
  if (argc < 2) {
    fprintf(stderr, "usage: plan_test DIR [--table] | plan_test --stdin\n");
    return 2;
  }
  if (argc > 2 && strcmp(argv[2], "--table") == 0) {
    throughput(argv[1], 1);
    return 0;
  }
  throughput(argv[1], 0);
  poly_roots();
  middle_stages_descend();
  answer_configs();
  fixed_fields_kept();
  answer_numbers();
  evaluation_sweep();
  memo_against_plain();
  restep_against_plain();
  stage_parts_against_plain();
  states_bound_against_floor();
  every_evaluation();
  ranked_best_first();
  bounds_against_plain();
  published_layouts();
  open_searches();
  fewest_gpus();
  printf("plan: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
