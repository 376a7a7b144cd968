/* table.c - the calculate command's table, drawn from the result struct
 * (gm_calculate_json) and its summary (gm_summarize): the same figures, at
 * the same precision, as calc_json's JSON states them. */
#include "cli.h"
#include "gpumem.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define GIB 1073741824.0

/* A figure ending in _gb, as calc_json prints it. */
static double gb(uint64_t bytes) { return gm_printed_gib(bytes, 4); }

/* A count of the resolved config: 0 where `resolved` prints null (below lo). */
static double count(int64_t v, int64_t lo) { return v < lo ? 0 : (double)v; }

/* The printed name of an enum key, or "?" where `resolved` prints null. */
static const char *name_or(const char *key, int value, const char *none) {
  const char *n = gm_value_name(key, value);
  return n ? n : none;
}

static int is(const char *key, int value, const char *name) {
  const char *n = gm_value_name(key, value);
  return n && strcmp(n, name) == 0;
}

static void row(const char *label, double value_gib) {
  printf("  %-34s %10.2f\n", label, value_gib);
}

static void detail(uint64_t bytes, const char *label) {
  if (bytes > 0)
    printf("    %-32s %10.2f\n", label, (double)bytes / GIB);
}

static void print_header(const gm_result *r) {
  const gm_config *c = &r->resolved;
  const gm_training *t = &c->training;
  const gm_parallel *p = &c->parallel;
  const gm_engine *e = &c->engine;
  const char *engine = gm_value_name("engine.type", (int)e->kind);
  const char *framework = gm_value_name("engine.framework", (int)e->framework);
  char total[32], exact[40];
  cli_short_count((double)r->params.total, total, sizeof total);
  cli_thousands((double)r->params.total, exact, sizeof exact);
  printf("Model       ");
  if (c->model.name[0]) {
    gm_put_text(stdout, c->model.name, sizeof c->model.name);
    printf(": ");
  }
  printf("%s parameters (%s)%s\n", total, exact,
         c->model.estimated > 0 ? ", architecture estimated from the count" : "");
  printf("Training    micro-batch %.0f x %.0f tokens, gradient accumulation %.0f, %s compute, %s "
         "precision, %s, activation checkpointing %s\n",
         count(t->micro_batch_size, 1), count(t->seq_len, 1),
         count(t->gradient_accumulation_steps, 1), name_or("training.dtype", (int)t->dtype, "?"),
         name_or("training.precision", (int)t->precision, "?"),
         name_or("training.optimizer", (int)t->optimizer, "?"),
         name_or("training.activation_checkpointing", (int)t->recompute, "?"));
  if (gm_value_name("training.finetune", (int)t->finetune) &&
      !is("training.finetune", (int)t->finetune, "full"))
    printf("            %s rank %.0f on %s linears, %.0f trainable parameters\n",
           is("training.finetune", (int)t->finetune, "qlora") ? "QLoRA (NF4 base)" : "LoRA",
           count(t->lora_rank, 1), name_or("training.lora_targets", t->lora_all_linear, "?"),
           (double)r->params.trainable);
  if (gm_value_name("training.fp8", (int)t->fp8) && !is("training.fp8", (int)t->fp8, "none"))
    printf("            FP8 linears (%s scaling)%s\n", gm_value_name("training.fp8", (int)t->fp8),
           t->fp8_all_gather == 1 ? ", weights gathered in fp8" : "");
  printf("Engine      %s", engine ? engine : "?");
  if (engine && (strcmp(engine, "deepspeed") == 0 || strcmp(engine, "megatron_deepspeed") == 0))
    printf(" ZeRO-%.0f", count(e->zero_stage, 0));
  if (engine && strcmp(engine, "fsdp") == 0 &&
      gm_value_name("engine.sharding_strategy", (int)e->sharding))
    printf(" %s", gm_value_name("engine.sharding_strategy", (int)e->sharding));
  if (gm_value_name("engine.offload_optimizer", (int)e->offload_optimizer) &&
      !is("engine.offload_optimizer", (int)e->offload_optimizer, "none"))
    printf(", optimizer offload to %s",
           gm_value_name("engine.offload_optimizer", (int)e->offload_optimizer));
  if (gm_value_name("engine.offload_param", (int)e->offload_param) &&
      !is("engine.offload_param", (int)e->offload_param, "none"))
    printf(", parameter offload to %s",
           gm_value_name("engine.offload_param", (int)e->offload_param));
  if (engine && framework && strcmp(framework, engine) != 0) {
    printf(" (%s defaults", framework);
    if (e->framework_version > 0) /* `resolved` prints the date only when there is one */
      printf(" as of %04d-%02d-%02d", e->framework_version / 10000,
             e->framework_version / 100 % 100, e->framework_version % 100);
    printf(")");
  }
  printf("\n");
  printf("Parallel    %.0f GPUs: TP %.0f x PP %.0f x DP %.0f", count(c->hardware.num_gpus, 1),
         count(p->tp, 1), count(p->pp, 1), count(p->dp, 1));
  if (p->cp > 1)
    printf(" x CP %d", p->cp);
  if (p->ep > 1)
    printf(", EP %d", p->ep);
  if (p->sequence_parallel == 1)
    printf(", sequence parallel");
  printf("\n");
  printf("GPU         ");
  if (c->hardware.gpu_name[0]) {
    gm_put_text(stdout, c->hardware.gpu_name, sizeof c->hardware.gpu_name);
    printf(": ");
  }
  printf("%.2f GiB usable each\n", gb(r->capacity_bytes));
}

static void print_memory(const gm_summary *s) {
  const uint64_t *b = s->worst.bytes;
  char title[80];
  if (s->num_stages > 1)
    snprintf(title, sizeof title, "Memory per GPU, stage %d of %d", s->worst_stage, s->num_stages);
  else
    snprintf(title, sizeof title, "Memory per GPU");
  printf("\n%-36s %10s\n", title, "GiB");
  row("Model parameters", gb(s->model_params_bytes));
  if (b[GM_C_GATHERED] > 0) {
    detail(b[GM_C_WEIGHTS], "own shard");
    detail(b[GM_C_GATHERED], "gathered for compute");
  }
  row("Gradients", gb(b[GM_C_GRADS]));
  row("Optimizer states", gb(b[GM_C_OPTIMIZER]));
  row("Activations", gb(s->activations_bytes));
  detail(b[GM_C_ACTIVATIONS], "saved for backward");
  detail(b[GM_C_LOGITS], "logits and loss");
  row("Overhead", gb(s->overhead_bytes));
  detail(b[GM_C_BUFFERS], "buffers and cuBLAS workspaces");
  detail(b[GM_C_STEP], "optimizer step temporaries");
  detail(b[GM_C_CACHE], "allocator cache");
  detail(b[GM_C_CONTEXT], "CUDA context");
  printf("  %s\n", "-----------------------------------------------");
  row("Peak allocated (PyTorch)", gb(s->worst.peak_allocated_bytes));
  row("Peak reserved (PyTorch)", gb(s->worst.peak_reserved_bytes));
  row("Total (nvidia-smi)", gb(s->worst.peak_nvsmi_bytes));
}

static void print_verdict(const gm_result *r, const gm_summary *s) {
  double total = gb(s->worst.peak_nvsmi_bytes), cap = gb(r->capacity_bytes);
  double used = isfinite(r->utilization_percent) ? gm_printed_fixed(r->utilization_percent, 2) : 0;
  double margin = r->resolved.hardware.safety_margin;
  char tokens[32];
  margin = margin >= 0 ? gm_printed_fixed(margin, 6) : 0;
  if (r->verdict == GM_VERDICT_FITS)
    printf("\nFITS: %.2f GiB of %.2f GiB per GPU (%.1f %%), %.2f GiB headroom; fits below "
           "%.2f GiB with the %.0f %% safety margin\n",
           total, cap, used, cap - total, gb(s->fits_below_bytes), 100.0 * margin);
  else if (r->verdict == GM_VERDICT_TIGHT)
    printf("\nTIGHT (may run out of memory): %.2f GiB of %.2f GiB per GPU (%.1f %%); without "
           "pressure the allocator would hold %.2f GiB, more than the %.2f GiB that keeps a "
           "%.0f %% margin\n",
           total, cap, used, gb(s->worst.peak_unconstrained_bytes), gb(s->fits_below_bytes),
           100.0 * margin);
  else if (r->verdict_reason == GM_REASON_HOST_MEMORY)
    printf("\nDOES NOT FIT (host memory): %.2f GiB of host memory per node needed; the GPUs "
           "hold %.2f GiB of %.2f GiB each\n",
           gb(r->host_bytes_per_node), total, cap);
  else
    printf("\nDOES NOT FIT: %.2f GiB of %.2f GiB per GPU (%.1f %%), %.2f GiB over\n", total, cap,
           used, total - cap);
  if (r->max_micro_batch > 0)
    printf("Largest micro-batch that fits with the margin: %.0f\n", (double)r->max_micro_batch);
  else
    printf("Largest micro-batch that fits with the margin: none (even 1 does not)\n");
  cli_thousands((double)r->max_seq_len, tokens, sizeof tokens);
  if (r->max_seq_len > 0)
    printf("Longest sequence that fits with the margin: %s tokens\n", tokens);
  else
    printf("Longest sequence that fits with the margin: none\n");
}

/* A stage's layers from its chunks: "0-9, 40-49"; "-" when it has none. */
static void stage_layers(const gm_result *r, int stage, char *out, size_t n) {
  int first[GM_MAX_CHUNKS], num[GM_MAX_CHUNKS], chunks = gm_result_chunks(r, stage, first, num), j;
  size_t len = 0;
  out[0] = '\0';
  for (j = 0; j < chunks; j++) {
    int k;
    if (num[j] <= 0 || len >= n)
      continue;
    k = snprintf(out + len, n - len, "%s%d-%d", len ? ", " : "", first[j], first[j] + num[j] - 1);
    if (k > 0)
      len += (size_t)k;
  }
  if (!out[0])
    snprintf(out, n, "-");
}

static void print_stages(const gm_result *r, const gm_summary *s) {
  int i, width = 9;
  char layers[160];
  if (s->num_stages < 2)
    return;
  for (i = 0; i < s->num_stages; i++) {
    stage_layers(r, i, layers, sizeof layers);
    if ((int)strlen(layers) > width)
      width = (int)strlen(layers);
  }
  printf("\nPipeline stages\n  %5s  %-*s  %15s  %-9s  %9s  %9s  %9s\n", "stage", width, "layers",
         "params", "peak in", "allocated", "reserved", "total GiB");
  for (i = 0; i < s->num_stages; i++) {
    const gm_stage *st = &r->stages[i];
    char params[32];
    stage_layers(r, i, layers, sizeof layers);
    cli_thousands((double)st->params, params, sizeof params);
    printf("  %5d  %-*s  %15s  %-9s  %9.2f  %9.2f  %9.2f%s\n", i, width, layers, params,
           gm_phase_name(st->peak_phase), gb(st->peak_allocated_bytes), gb(st->peak_reserved_bytes),
           gb(st->peak_nvsmi_bytes), i == s->worst_stage ? "  <- most loaded" : "");
  }
}

static void print_host(const gm_result *r) {
  uint64_t node = r->resolved.hardware.host_memory_per_node_bytes;
  if (r->host_bytes_per_gpu == 0 && r->nvme_bytes_per_gpu == 0)
    return;
  printf("\nHost memory %.2f GiB per GPU, %.2f GiB per node", gb(r->host_bytes_per_gpu),
         gb(r->host_bytes_per_node));
  if (node > 0) /* `resolved` prints it with 10 decimals */
    printf(" (of %.2f GiB)", gm_printed_gib(node, 10));
  if (r->nvme_bytes_per_gpu > 0)
    printf("; NVMe %.2f GiB per GPU", gb(r->nvme_bytes_per_gpu));
  printf("\n");
}

static void print_warnings(const gm_result *r, const gm_summary *s) {
  int i;
  if (s->num_warnings == 0)
    return;
  printf("\nWarnings\n");
  for (i = 0; i < s->num_warnings; i++) {
    const gm_error *w = &r->warnings[i];
    printf("  ");
    if (w->field[0]) {
      gm_put_text(stdout, w->field, sizeof w->field);
      printf(": ");
    }
    gm_put_text(stdout, w->message, sizeof w->message);
    printf("\n");
  }
}

void cli_print_table(const gm_result *r) {
  gm_summary s;
  gm_summarize(r, &s);
  print_header(r);
  print_memory(&s);
  print_verdict(r, &s);
  print_stages(r, &s);
  print_host(r);
  print_warnings(r, &s);
}
