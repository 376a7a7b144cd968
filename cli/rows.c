/* rows.c - results as rows: an aligned table, CSV (RFC 4180) or a Markdown
 * table, one row per result, for sweeps and scripts. */
#include "cli.h"
#include "json_path.h"

#include <stdio.h>
#include <string.h>

typedef enum { COL_STR, COL_INT, COL_GIB, COL_PCT, COL_BOOL } col_kind;

typedef struct {
  const char *title;
  const char *path; /* dotted, in the calc_json result */
  col_kind kind;
  int wide; /* only in CSV and Markdown, not in the terminal table */
} column;

static const column columns[] = {
    {"model", "resolved.model.name", COL_STR, 1},
    {"parameters", "parameters.total", COL_INT, 1},
    {"gpus", "resolved.hardware.num_gpus", COL_INT, 1},
    {"gpu", "resolved.hardware.gpu", COL_STR, 1},
    {"engine", "resolved.engine.type", COL_STR, 1},
    {"zero_stage", "resolved.engine.zero_stage", COL_INT, 1},
    {"tp", "resolved.parallelism.tensor_parallel_size", COL_INT, 1},
    {"pp", "resolved.parallelism.pipeline_parallel_size", COL_INT, 1},
    {"dp", "resolved.parallelism.data_parallel_size", COL_INT, 1},
    {"micro_batch", "resolved.training.batch_size", COL_INT, 1},
    {"seq_len", "resolved.training.seq_len", COL_INT, 1},
    {"grad_accum", "resolved.training.gradient_accumulation_steps", COL_INT, 1},
    {"checkpointing", "resolved.training.activation_checkpointing", COL_STR, 1},
    {"weights_gb", "breakdown.model_params_gb", COL_GIB, 0},
    {"gradients_gb", "breakdown.gradients_gb", COL_GIB, 0},
    {"optimizer_gb", "breakdown.optimizer_states_gb", COL_GIB, 0},
    {"activations_gb", "breakdown.activations_gb", COL_GIB, 0},
    {"overhead_gb", "breakdown.overhead_gb", COL_GIB, 0},
    {"allocated_gb", "peak_allocated_gb", COL_GIB, 1},
    {"reserved_gb", "peak_reserved_gb", COL_GIB, 1},
    {"total_gb", "total_memory_per_gpu_gb", COL_GIB, 0},
    {"capacity_gb", "gpu_capacity_gb", COL_GIB, 0},
    {"used_pct", "memory_utilization_percent", COL_PCT, 0},
    {"fits", "fits_on_gpu", COL_BOOL, 0},
    {"max_micro_batch", "max_micro_batch_size", COL_INT, 0},
    {"host_gb", "host_memory.per_gpu_gb", COL_GIB, 1},
};
#define NCOLS (int)(sizeof columns / sizeof columns[0])

/* Width of a leading (key) column in the terminal table. */
#define KEY_WIDTH 14

static int shown(cli_rows_format f, const column *c) { return f != CLI_ROWS_TABLE || !c->wide; }

/* A byte of a cell: control characters (a name from the user's file) as a space. */
static void out(char c) { putchar((unsigned char)c < 0x20 || c == 0x7f ? ' ' : c); }

/* A CSV field: quoted when it holds a comma or a quote. */
static void csv_field(const char *s) {
  if (strpbrk(s, ",\"")) {
    putchar('"');
    for (; *s; s++) {
      if (*s == '"')
        putchar('"');
      out(*s);
    }
    putchar('"');
  } else {
    for (; *s; s++)
      out(*s);
  }
}

/* A Markdown cell: '|' escaped. */
static void md_cell(const char *s) {
  putchar(' ');
  for (; *s; s++) {
    if (*s == '|')
      fputs("\\|", stdout);
    else
      out(*s);
  }
  fputs(" |", stdout);
}

static void cell(cli_rows_format f, int first, const char *s, int width, int left) {
  switch (f) {
  case CLI_ROWS_CSV:
    if (!first)
      putchar(',');
    csv_field(s);
    break;
  case CLI_ROWS_MARKDOWN:
    if (first)
      putchar('|');
    md_cell(s);
    break;
  case CLI_ROWS_TABLE: {
    int n = (int)strlen(s);
    if (!first)
      fputs("  ", stdout);
    if (!left)
      printf("%*s", width > n ? width - n : 0, "");
    for (; *s; s++)
      out(*s);
    if (left)
      printf("%*s", width > n ? width - n : 0, "");
    break;
  }
  }
}

static int width_of(const column *c) {
  int n = (int)strlen(c->title);
  return n < 6 ? 6 : n;
}

void cli_rows_header(cli_rows_format f, const char *const *keys, int nkeys) {
  int i, first = 1;
  for (i = 0; i < nkeys; i++, first = 0)
    cell(f, first, keys[i], KEY_WIDTH, 1);
  for (i = 0; i < NCOLS; i++) {
    if (!shown(f, &columns[i]))
      continue;
    cell(f, first, columns[i].title, width_of(&columns[i]), 0);
    first = 0;
  }
  cell(f, first, f == CLI_ROWS_TABLE ? " error" : "error", 0, 1);
  putchar('\n');
  if (f == CLI_ROWS_MARKDOWN) {
    putchar('|');
    for (i = 0; i < nkeys; i++)
      fputs(" --- |", stdout);
    for (i = 0; i < NCOLS; i++)
      fputs(columns[i].kind == COL_STR ? " --- |" : " ---: |", stdout);
    fputs(" --- |\n", stdout);
  }
}

/* The text of one column of result: JSON's full precision in CSV, rounded elsewhere. */
static void format_value(cli_rows_format f, const column *c, const cJSON *v, char *out, size_t n) {
  out[0] = '\0';
  if (!v || cJSON_IsNull(v))
    return;
  if (cJSON_IsString(v)) {
    snprintf(out, n, "%s", v->valuestring);
  } else if (cJSON_IsBool(v)) {
    snprintf(out, n, "%s", cJSON_IsTrue(v) ? "yes" : "no");
  } else if (cJSON_IsNumber(v)) {
    if (c->kind == COL_INT || f == CLI_ROWS_CSV)
      snprintf(out, n, "%.15g", v->valuedouble);
    else if (c->kind == COL_PCT)
      snprintf(out, n, "%.1f", v->valuedouble);
    else
      snprintf(out, n, "%.2f", v->valuedouble);
  }
}

void cli_rows_row(cli_rows_format f, const char *const *values, int nkeys, const cJSON *result) {
  const cJSON *error = cJSON_GetObjectItemCaseSensitive(result, "error");
  char text[256];
  int i, first = 1;
  for (i = 0; i < nkeys; i++, first = 0)
    cell(f, first, values[i], KEY_WIDTH, 1);
  for (i = 0; i < NCOLS; i++) {
    if (!shown(f, &columns[i]))
      continue;
    format_value(f, &columns[i], error ? NULL : gm_json_path(result, columns[i].path), text,
                 sizeof text);
    cell(f, first, text, width_of(&columns[i]), 0);
    first = 0;
  }
  text[0] = '\0';
  if (error) {
    const cJSON *field = cJSON_GetObjectItemCaseSensitive(error, "field"),
                *message = cJSON_GetObjectItemCaseSensitive(error, "message");
    snprintf(text, sizeof text, "%s%s%s", cJSON_IsString(field) ? field->valuestring : "",
             cJSON_IsString(field) && *field->valuestring ? ": " : "",
             cJSON_IsString(message) ? message->valuestring : "invalid");
  }
  if (f == CLI_ROWS_TABLE && text[0]) {
    const char *p;
    printf("  ");
    for (p = text; *p; p++)
      out(*p);
  } else if (f != CLI_ROWS_TABLE) {
    cell(f, first, text, 0, 1);
  }
  putchar('\n');
}

int cli_rows_format_of(const char *name, int allow_table, cli_rows_format *out) {
  if (!name)
    return -1;
  if (strcmp(name, "csv") == 0)
    *out = CLI_ROWS_CSV;
  else if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
    *out = CLI_ROWS_MARKDOWN;
  else if (allow_table && strcmp(name, "table") == 0)
    *out = CLI_ROWS_TABLE;
  else
    return -1;
  return 0;
}
