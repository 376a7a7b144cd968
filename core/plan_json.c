/* plan_json.c - the planner's JSON entry point: a config plus an optional
 * "plan" section in, the layouts that fit, the reasons and the suggestions
 * out. Every returned config is the request's own config with the searched
 * fields written in, so that calculate reads exactly what was evaluated. */
#include "config.h"
#include "fmt.h"
#include "internal.h"
#include "text_buf.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIB 1073741824.0
/* read_request's answer when memory ran out. */
#define NO_MEMORY (-1)

typedef struct {
  gm_plan_request req;
  gm_plan_result result;
  gm_result sink; /* warnings of the config */
} plan_state;

static char *error_json(const gm_error *e) {
  cJSON *root = cJSON_CreateObject(), *o = cJSON_AddObjectToObject(root, "error");
  char *out;
  cJSON_AddStringToObject(o, "field", e->field);
  cJSON_AddStringToObject(o, "message", e->message);
  out = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  return out;
}

/* Whole numbers below 10^15 as cJSON prints them (%1.15g: the digits
 * alone, which read back exactly), without its sprintf and sscanf per
 * number; 0 when v is not one. */
static size_t whole_text(double v, char out[32]) {
  char *q = out;
  if (!(v == floor(v) && fabs(v) < 1e15) || (v == 0 && signbit(v)))
    return 0;
  if (v < 0)
    *q++ = '-', v = -v;
  q = gm_fmt_digits(q, (uint64_t)v);
  *q = '\0';
  return (size_t)(q - out);
}

/* v rounded to the unit 10^-decimals, as cJSON prints it, without its sprintf and
 * sscanf. The value x is n x 10^-decimals for a whole n, off the decimal d it
 * stands for by two roundings (the unit's and the product's): within
 * 2.3e-16 of d, less than half a unit of d's 15th digit (5e-16 of it at
 * least), so cJSON's %1.15g of x is d's digits. cJSON keeps them when they
 * read back (d correctly rounded: n / 10^decimals, a division of exact
 * doubles) within DBL_EPSILON of x; else it prints 17 digits: then it
 * prints x here too. */
static int rounded_text(double v, int decimals, char text[48], double *x_out) {
  static const double unit[] = {1, 0.1, 1e-2, 1e-3, 1e-4}, scale[] = {1, 10, 100, 1000, 10000};
  double n = floor(v / unit[decimals] + 0.5), x = n * unit[decimals], y, big;
  char digits[32], *q = text;
  int len, i, last;
  *x_out = x;
  if (whole_text(x, text))
    return 1;
  y = n / scale[decimals];
  big = fabs(x) > fabs(y) ? fabs(x) : fabs(y);
  if (!(fabs(n) < 1e15 && fabs(x) >= 1e-4 && fabs(x - y) <= big * DBL_EPSILON))
    return 0; /* %g's exponent form, or 17 digits: cJSON's */
  if (x < 0)
    *q++ = '-';
  len = (int)(gm_fmt_digits(digits, (uint64_t)fabs(n)) - digits);
  /* The whole part (0 when n has no more digits than decimals), the point, the fraction. */
  for (i = 0; i < len - decimals; i++)
    *q++ = digits[i];
  if (len <= decimals)
    *q++ = '0';
  *q++ = '.';
  for (i = len - decimals; i < 0; i++)
    *q++ = '0';
  for (i = len - decimals > 0 ? len - decimals : 0; i < len; i++)
    *q++ = digits[i];
  /* %g drops the fraction's trailing zeros, and the point when none is left
   * (d whole, x a rounding off it). */
  for (last = (int)(q - text) - 1; text[last] == '0'; last--)
    ;
  if (text[last] == '.')
    last--;
  text[last + 1] = '\0';
  return 1;
}

/* The answer is written as cJSON_PrintUnformatted prints its tree: "key":
 * before each member (a comma between), values as cJSON prints them. */
/* KEY("name"): the two arguments key, key_len of the functions below, the
 * member's start ,"name": written in one piece (without the comma for the
 * first member). */
#define KEY(name) ",\"" name "\":", sizeof(",\"" name "\":") - 1
static void add_key(gm_text_buf *b, int *comma, const char *key, size_t key_len) {
  int first = !*comma;
  *comma = 1;
  gm_text_add(b, key + first, key_len - (size_t)first);
}

static void add_null(gm_text_buf *b, int *comma, const char *key, size_t key_len) {
  add_key(b, comma, key, key_len);
  gm_text_addl(b, "null");
}

/* The start of the i-th object of an array. */
static void open_item(gm_text_buf *b, int i) { gm_text_add(b, i ? ",{" : "{", i ? 2u : 1u); }

/* v as cJSON prints a number (or a string), by cJSON itself. */
static void add_printed(gm_text_buf *b, cJSON *v) {
  char *t = v ? cJSON_PrintUnformatted(v) : NULL;
  if (t)
    gm_text_adds(b, t);
  else
    b->oom = 1;
  cJSON_free(t);
  cJSON_Delete(v);
}

/* A number of the answer: a whole one as its digits, else as cJSON prints it. */
static void add_number(gm_text_buf *b, int *comma, const char *key, size_t key_len, double v) {
  char text[32];
  size_t n;
  add_key(b, comma, key, key_len);
  if ((n = whole_text(v, text)) > 0)
    gm_text_add(b, text, n);
  else
    add_printed(b, cJSON_CreateNumber(v));
}

/* v rounded to decimals places (rounded_text). */
static void add_rounded(gm_text_buf *b, int *comma, const char *key, size_t key_len, double v,
                        int decimals) {
  char text[48];
  double x;
  add_key(b, comma, key, key_len);
  if (rounded_text(v, decimals, text, &x))
    gm_text_adds(b, text);
  else
    add_printed(b, cJSON_CreateNumber(x));
}

/* A string as cJSON quotes it: as it is when nothing needs escaping (cJSON
 * escapes quotes, backslashes and control characters only), else by cJSON. */
static void add_string(gm_text_buf *b, int *comma, const char *key, size_t key_len, const char *v) {
  const unsigned char *u = (const unsigned char *)v;
  add_key(b, comma, key, key_len);
  while (*u >= 32 && *u != '"' && *u != '\\')
    u++;
  if (*u == '\0') {
    gm_text_addl(b, "\""), gm_text_add(b, v, (size_t)((const char *)u - v)), gm_text_addl(b, "\"");
    return;
  }
  add_printed(b, cJSON_CreateString(v));
}

/* The request's whole numbers as their text (the same bytes): every
 * returned config repeats them. */
static void whole_numbers_raw(cJSON *node) {
  cJSON *item;
  cJSON_ArrayForEach(item, node) {
    char text[32];
    size_t n;
    if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
      whole_numbers_raw(item);
    } else if (cJSON_IsNumber(item) && (n = whole_text(item->valuedouble, text)) > 0) {
      char *copy = cJSON_malloc(n + 1);
      if (!copy)
        continue; /* printed as a number: the same text */
      memcpy(copy, text, n + 1);
      item->type = cJSON_Raw;
      item->valuestring = copy;
    }
  }
}

/* The "plan" section into req. */
static int parse_plan(gm_parse_ctx *pc, const cJSON *plan, gm_plan_request *q,
                      int64_t *global_tokens) {
  const cJSON *v, *item;
  int64_t x;
  static const char *const known[] = {"gpus",
                                      "top",
                                      "global_batch_samples",
                                      "global_batch_tokens",
                                      "max_micro_batch",
                                      "frameworks",
                                      "allow",
                                      NULL};
  if (!plan)
    return GM_OK;
  if (!cJSON_IsObject(plan))
    return gm_fail(pc, "plan", "must be an object");
  cJSON_ArrayForEach(item, plan) {
    if (!gm_known_key(item->string, NULL, known)) {
      char path[64];
      gm_join_path(path, sizeof path, "plan", item->string);
      gm_unknown_key(pc, path, NULL);
    }
  }
  v = cJSON_GetObjectItemCaseSensitive(plan, "gpus");
  if (cJSON_IsArray(v)) {
    int lo, hi;
    if (cJSON_GetArraySize(v) != 2)
      return gm_fail(pc, "plan.gpus", "must be a count or [min, max]");
    if (gm_read_int32(pc, cJSON_GetArrayItem(v, 0), "plan.gpus", 1, 1 << 20, &lo) != GM_OK ||
        gm_read_int32(pc, cJSON_GetArrayItem(v, 1), "plan.gpus", 1, 1 << 20, &hi) != GM_OK)
      return GM_EINVAL;
    if (hi < lo)
      return gm_fail(pc, "plan.gpus", "[min, max] needs min <= max; got [%d, %d]", lo, hi);
    q->min_gpus = lo, q->max_gpus = hi;
  } else if (v && !cJSON_IsNull(v)) {
    int n;
    if (gm_read_int32(pc, v, "plan.gpus", 1, 1 << 20, &n) != GM_OK)
      return GM_EINVAL;
    q->min_gpus = q->max_gpus = n;
  }
  v = cJSON_GetObjectItemCaseSensitive(plan, "top");
  if (v && gm_read_int32(pc, v, "plan.top", 1, GM_PLAN_MAX_TOP, &q->top) != GM_OK)
    return GM_EINVAL;
  v = cJSON_GetObjectItemCaseSensitive(plan, "max_micro_batch");
  if (v && gm_read_int32(pc, v, "plan.max_micro_batch", 1, 64, &q->max_micro_batch) != GM_OK)
    return GM_EINVAL;
  v = cJSON_GetObjectItemCaseSensitive(plan, "global_batch_samples");
  if (v) {
    if (gm_read_size(pc, v, "plan.global_batch_samples", 1, (int64_t)1 << 40, &x) != GM_OK)
      return GM_EINVAL;
    q->global_batch = x;
  }
  v = cJSON_GetObjectItemCaseSensitive(plan, "global_batch_tokens");
  if (v) {
    if (q->global_batch > 0)
      return gm_fail(pc, "plan.global_batch_tokens",
                     "give global_batch_samples or global_batch_tokens, not both");
    if (gm_read_size(pc, v, "plan.global_batch_tokens", 1, (int64_t)1 << 50, &x) != GM_OK)
      return GM_EINVAL;
    *global_tokens = x;
  }
  v = cJSON_GetObjectItemCaseSensitive(plan, "frameworks");
  if (v) {
    if (!cJSON_IsArray(v))
      return gm_fail(pc, "plan.frameworks", "must be a list of framework names");
    cJSON_ArrayForEach(item, v) {
      int fw;
      if (q->num_frameworks >= GM_PLAN_MAX_FRAMEWORKS)
        return gm_fail(pc, "plan.frameworks", "at most %d frameworks", GM_PLAN_MAX_FRAMEWORKS);
      if (gm_read_enum(pc, item, "plan.frameworks", gm_framework_names, &fw) != GM_OK)
        return GM_EINVAL;
      q->frameworks[q->num_frameworks++] = (gm_framework)fw;
    }
  }
  v = cJSON_GetObjectItemCaseSensitive(plan, "allow");
  if (v) {
    static const struct {
      const char *key;
      size_t offset;
    } allow[] = {{"offload", offsetof(gm_plan_request, allow_offload)},
                 {"recompute", offsetof(gm_plan_request, allow_recompute)},
                 {"optimizer", offsetof(gm_plan_request, allow_optimizer)},
                 {"precision", offsetof(gm_plan_request, allow_precision)},
                 {"finetune", offsetof(gm_plan_request, allow_finetune)}};
    size_t i;
    if (!cJSON_IsObject(v))
      return gm_fail(pc, "plan.allow", "must be an object of true/false");
    for (i = 0; i < sizeof allow / sizeof allow[0]; i++) {
      const cJSON *a = cJSON_GetObjectItemCaseSensitive(v, allow[i].key);
      char path[64];
      gm_join_path(path, sizeof path, "plan.allow", allow[i].key);
      if (a && gm_read_bool(pc, a, path, (int *)((char *)q + allow[i].offset)) != GM_OK)
        return GM_EINVAL;
    }
  }
  return GM_OK;
}

/* The sections the planner writes into, in the order of config_puts. */
static const char *const sections[] = {"engine", "parallelism", "training", "hardware"};
#define NUM_SECTIONS 4

/* One field the planner writes: sections[section].key = text (JSON).
 * member is "key": as written in the answer; the lengths spare a strlen per
 * layout. */
typedef struct {
  int section;
  const char *key, *member;
  size_t member_len, text_len;
  char text[40];
} field_put;

/* v as cJSON prints a value; text has room for 40 bytes. */
static void value_text(cJSON *v, field_put *f) {
  char *t = v ? cJSON_PrintUnformatted(v) : NULL;
  snprintf(f->text, 40, "%s", t ? t : "null");
  f->text_len = strlen(f->text);
  cJSON_free(t);
  cJSON_Delete(v);
}

static void put_number(field_put *f, double v) {
  if (!(f->text_len = whole_text(v, f->text)))
    value_text(cJSON_CreateNumber(v), f);
}

/* A name as cJSON quotes it: plain printable ASCII as it is (copied while
 * checked, in one pass), else by cJSON. */
static void put_string(field_put *f, const char *name) {
  size_t i;
  unsigned char ch;
  for (i = 0; i + 3 <= sizeof f->text; i++) {
    ch = (unsigned char)name[i];
    if (ch < 0x20 || ch == '"' || ch == '\\' || ch > 0x7e)
      break;
    f->text[i + 1] = (char)ch;
  }
  if (i + 3 <= sizeof f->text && name[i] == '\0') {
    f->text[0] = '"';
    f->text[i + 1] = '"', f->text[i + 2] = '\0';
    f->text_len = i + 2;
  } else
    value_text(cJSON_CreateString(name), f);
}

/* Every field the planner chose that base left open, in order, so that the
 * user's own spelling stays; returns their count. */
static int config_puts(const gm_config *base, const gm_config *c, field_put *f) {
  const gm_parallel *p = &c->parallel, *bp = &base->parallel;
  const gm_engine *e = &c->engine, *be = &base->engine;
  const gm_training *t = &c->training, *bt = &base->training;
  int n = 0;
#define OPEN(x, y) ((int)(y) == GM_AUTO && (int)(x) != GM_AUTO)
#define AT(sec, k)                                                                                 \
  (f[n].section = (sec), f[n].key = (k),                                                           \
   f[n].member = "\"" k "\":", f[n].member_len = sizeof("\"" k "\":") - 1, &f[n++])
#define NUM(sec, k, v) put_number(AT(sec, k), (double)(v))
#define NAME(sec, k, table, v)                                                                     \
  do {                                                                                             \
    const char *name_ = gm_enum_name(table, (int)(v));                                             \
    put_string(AT(sec, k), name_ ? name_ : "?");                                                   \
  } while (0)
#define BOOL(sec, k, v)                                                                            \
  (memcpy(AT(sec, k)->text, (v) ? "true" : "false", (v) ? 5 : 6), f[n - 1].text_len = (v) ? 4 : 5)
  if (OPEN(e->kind, be->kind))
    NAME(0, "type", gm_engine_names, e->kind);
  if (OPEN(e->framework, be->framework))
    NAME(0, "framework", gm_framework_names, e->framework);
  if (OPEN(e->zero_stage, be->zero_stage))
    NUM(0, "zero_stage", e->zero_stage);
  if (OPEN(e->sharding, be->sharding))
    NAME(0, "sharding_strategy", gm_fsdp_names, e->sharding);
  if (OPEN(e->distributed_optimizer, be->distributed_optimizer))
    BOOL(0, "distributed_optimizer", e->distributed_optimizer);
  if (OPEN(e->offload_optimizer, be->offload_optimizer))
    NAME(0, "offload_optimizer", gm_offload_names, e->offload_optimizer);
  if (OPEN(e->offload_param, be->offload_param))
    NAME(0, "offload_param", gm_offload_names, e->offload_param);
  if (OPEN(e->reshard_after_forward, be->reshard_after_forward))
    BOOL(0, "reshard_after_forward", e->reshard_after_forward);
  if (OPEN(p->tp, bp->tp))
    NUM(1, "tensor_parallel_size", p->tp);
  if (OPEN(p->pp, bp->pp))
    NUM(1, "pipeline_parallel_size", p->pp);
  if (OPEN(p->dp, bp->dp))
    NUM(1, "data_parallel_size", p->dp);
  if (OPEN(p->cp, bp->cp))
    NUM(1, "context_parallel_size", p->cp);
  if (OPEN(p->ep, bp->ep))
    NUM(1, "expert_parallel_size", p->ep);
  if (OPEN(p->vpp, bp->vpp))
    NUM(1, "virtual_pipeline_stages", p->vpp);
  if (OPEN(p->schedule, bp->schedule))
    NAME(1, "pipeline_schedule", gm_schedule_names, p->schedule);
  if (OPEN(p->first_stage_layers, bp->first_stage_layers))
    NUM(1, "first_stage_layers", p->first_stage_layers);
  if (OPEN(p->last_stage_layers, bp->last_stage_layers))
    NUM(1, "last_stage_layers", p->last_stage_layers);
  if (OPEN(p->sequence_parallel, bp->sequence_parallel))
    BOOL(1, "sequence_parallel", p->sequence_parallel);
  if (OPEN(t->micro_batch_size, bt->micro_batch_size))
    NUM(2, "batch_size", t->micro_batch_size); /* the page's key */
  if (OPEN(t->gradient_accumulation_steps, bt->gradient_accumulation_steps))
    NUM(2, "gradient_accumulation_steps", t->gradient_accumulation_steps);
  if (OPEN(t->recompute, bt->recompute))
    NAME(2, "activation_checkpointing", gm_recompute_names, t->recompute);
  if (OPEN(t->optimizer_impl, bt->optimizer_impl))
    NAME(2, "optimizer_impl", gm_optimizer_impl_names, t->optimizer_impl);
  if (OPEN(t->optimizer, bt->optimizer))
    NAME(2, "optimizer", gm_optimizer_names, t->optimizer);
  if (OPEN(t->precision, bt->precision))
    NAME(2, "precision", gm_precision_names, t->precision);
  if (OPEN(t->finetune, bt->finetune))
    NAME(2, "finetune", gm_finetune_names, t->finetune);
  if (c->hardware.num_gpus != base->hardware.num_gpus)
    NUM(3, "num_gpus", c->hardware.num_gpus);
#undef OPEN
#undef AT
#undef NUM
#undef NAME
#undef BOOL
  return n;
}
#define MAX_PUTS 32

/* section.key = value, replacing what is there. */
static void put(cJSON *root, const char *section, const char *key, cJSON *value) {
  cJSON *s = cJSON_GetObjectItemCaseSensitive(root, section);
  if (!cJSON_IsObject(s)) {
    cJSON_DeleteItemFromObjectCaseSensitive(root, section);
    s = cJSON_AddObjectToObject(root, section);
  }
  if (cJSON_GetObjectItemCaseSensitive(s, key))
    cJSON_ReplaceItemInObjectCaseSensitive(s, key, value);
  else
    cJSON_AddItemToObject(s, key, value);
}

/* The request's config with every field the planner chose written in, as a tree. */
static cJSON *config_json(const cJSON *request, const gm_config *base, const gm_config *c) {
  cJSON *root = cJSON_Duplicate(request, 1);
  field_put f[MAX_PUTS];
  int n = config_puts(base, c, f), i;
  cJSON_DeleteItemFromObjectCaseSensitive(root, "plan");
  for (i = 0; i < n; i++)
    put(root, sections[f[i].section], f[i].key, cJSON_CreateRaw(f[i].text));
  return root;
}

/* ---- The same as text, from the request printed once ---- */

/* A member of the request as cJSON prints it inside its object: "key":value. */
static char *member_text(const cJSON *item) {
  cJSON *o = cJSON_CreateObject();
  char *t = NULL, *m = NULL;
  cJSON *copy = cJSON_Duplicate(item, 1);
  if (o && copy && cJSON_AddItemToObject(o, item->string, copy))
    t = cJSON_PrintUnformatted(o);
  else
    cJSON_Delete(copy);
  if (t && strlen(t) >= 2 && (m = cJSON_malloc(strlen(t) - 1)) != NULL) {
    memcpy(m, t + 1, strlen(t) - 2); /* without the braces */
    m[strlen(t) - 2] = '\0';
  }
  cJSON_free(t);
  cJSON_Delete(o);
  return m;
}

/* The request printed member by member, and the members of the sections
 * the planner writes into. usable: the writer below applies (no key twice
 * where a field is looked up, every text printed). */
typedef struct {
  int usable, n;
  const cJSON *item[64];
  char *text[64];
  size_t text_len[64];
  int section[64];         /* section_of the member's key */
  char *key[NUM_SECTIONS]; /* the section's own "key":{, when an object */
  size_t key_len[NUM_SECTIONS];
  int first[NUM_SECTIONS], count[NUM_SECTIONS]; /* its members: inner[first, first + count) */
  const cJSON *inner_item[128];
  char *inner[128];
  size_t inner_len[128];
  int num_inner;
} printed_request;

static int section_of(const char *name) {
  int k;
  for (k = 0; name && k < NUM_SECTIONS; k++)
    if (strcmp(name, sections[k]) == 0)
      return k;
  return -1;
}

static void printed_free(printed_request *r) {
  int i;
  for (i = 0; i < r->n; i++)
    cJSON_free(r->text[i]);
  for (i = 0; i < r->num_inner; i++)
    cJSON_free(r->inner[i]);
  for (i = 0; i < NUM_SECTIONS; i++)
    cJSON_free(r->key[i]);
}

static void printed_of(const cJSON *request, printed_request *r) {
  const cJSON *it, *in;
  int i, k;
  memset(r, 0, sizeof *r);
  r->usable = cJSON_IsObject(request);
  cJSON_ArrayForEach(it, request) {
    if (!r->usable || r->n >= 64 || !it->string || strcmp(it->string, "plan") == 0) {
      r->usable = 0;
      break;
    }
    for (i = 0; i < r->n; i++)
      if (strcmp(r->item[i]->string, it->string) == 0)
        r->usable = 0; /* a key twice: put finds the first */
    r->item[r->n] = it;
    r->text[r->n] = member_text(it);
    r->usable &= r->text[r->n] != NULL;
    r->text_len[r->n] = r->text[r->n] ? strlen(r->text[r->n]) : 0;
    r->section[r->n] = k = section_of(it->string);
    r->n++;
    if (k < 0 || !cJSON_IsObject(it))
      continue;
    {
      cJSON *name = cJSON_CreateString(it->string);
      char *t = name ? cJSON_PrintUnformatted(name) : NULL;
      size_t n = t ? strlen(t) : 0;
      r->key[k] = t ? cJSON_malloc(n + 3) : NULL;
      if (r->key[k]) {
        memcpy(r->key[k], t, n);
        memcpy(r->key[k] + n, ":{", 3);
        r->key_len[k] = n + 2;
      }
      cJSON_free(t);
      cJSON_Delete(name);
      r->usable &= r->key[k] != NULL;
    }
    r->first[k] = r->num_inner;
    cJSON_ArrayForEach(in, it) {
      if (r->num_inner >= 128 || !in->string) {
        r->usable = 0;
        break;
      }
      for (i = r->first[k]; i < r->num_inner; i++)
        if (strcmp(r->inner_item[i]->string, in->string) == 0)
          r->usable = 0;
      r->inner_item[r->num_inner] = in;
      r->inner[r->num_inner] = member_text(in);
      r->usable &= r->inner[r->num_inner] != NULL;
      r->inner_len[r->num_inner] = r->inner[r->num_inner] ? strlen(r->inner[r->num_inner]) : 0;
      r->num_inner++;
    }
    r->count[k] = r->num_inner - r->first[k];
  }
}

/* The puts of section k not written in their places by the caller
 * (used[]), as members in order: in[0, count) indexes them in f. */
static void add_new_puts(gm_text_buf *b, const field_put *f, const int *in, int count,
                         const int *used, int *comma) {
  int i;
  for (i = 0; i < count; i++) {
    const field_put *g = &f[in[i]];
    if (used[in[i]])
      continue;
    if (*comma)
      gm_text_addl(b, ",");
    gm_text_add(b, g->member, g->member_len), gm_text_add(b, g->text, g->text_len);
    *comma = 1;
  }
}

/* cJSON_PrintUnformatted(config_json(request, base, c)) appended to b,
 * without the tree: the request's members as printed, the planner's fields
 * put as put() puts them (in place where the section has the key, else at
 * its end; a section that is no object replaced by one at the end). */
static void config_text(gm_text_buf *b, const printed_request *r, const gm_config *base,
                        const gm_config *c) {
  field_put f[MAX_PUTS];
  int n = config_puts(base, c, f), used[MAX_PUTS] = {0}, count[NUM_SECTIONS] = {0};
  int in[NUM_SECTIONS][MAX_PUTS]; /* the puts of each section, in order */
  int placed[NUM_SECTIONS] = {0}, i, j, k, comma = 0;
  for (i = 0; i < n; i++)
    in[f[i].section][count[f[i].section]++] = i;
  gm_text_addl(b, "{");
  for (i = 0; i < r->n; i++) {
    k = r->section[i];
    if (k >= 0 && count[k] && !cJSON_IsObject(r->item[i]))
      continue; /* put deletes it, and adds the section at the end */
    if (comma)
      gm_text_addl(b, ",");
    comma = 1;
    if (k < 0 || !count[k]) {
      gm_text_add(b, r->text[i], r->text_len[i]);
      continue;
    }
    {
      int inner_comma = 0;
      placed[k] = 1;
      gm_text_add(b, r->key[k], r->key_len[k]);
      for (j = r->first[k]; j < r->first[k] + r->count[k]; j++) {
        int m;
        const char *own = r->inner_item[j]->string;
        if (inner_comma)
          gm_text_addl(b, ",");
        inner_comma = 1;
        for (m = 0; m < count[k]; m++)
          if (strcmp(f[in[k][m]].key, own) == 0)
            break;
        if (m < count[k]) {
          const field_put *g = &f[in[k][m]];
          used[in[k][m]] = 1;
          gm_text_add(b, g->member, g->member_len), gm_text_add(b, g->text, g->text_len);
        } else {
          gm_text_add(b, r->inner[j], r->inner_len[j]);
        }
      }
      add_new_puts(b, f, in[k], count[k], used, &inner_comma);
      gm_text_addl(b, "}");
    }
  }
  /* Sections added by put, in the order of their first field. */
  for (i = 0; i < n; i++) {
    int inner_comma = 0;
    k = f[i].section;
    if (placed[k])
      continue;
    placed[k] = 1;
    if (comma)
      gm_text_addl(b, ",");
    comma = 1;
    gm_text_addl(b, "\"");
    gm_text_adds(b, sections[k]);
    gm_text_addl(b, "\":{");
    add_new_puts(b, f, in[k], count[k], used, &inner_comma);
    gm_text_addl(b, "}");
  }
  gm_text_addl(b, "}");
}

/* The config of a layout as a member of the answer: written straight into
 * the answer where the writer applies, else the tree's. */
static void add_config(gm_text_buf *b, int *comma, const printed_request *r, const cJSON *request,
                       const gm_config *base, const gm_config *c) {
  add_key(b, comma, KEY("config"));
  if (r->usable)
    config_text(b, r, base, c);
  else
    add_printed(b, config_json(request, base, c));
}

/* One parallel size in the summary, when there is more than one rank. */
static void factor(gm_text *t, const char *label, int n) {
  if (n > 1) {
    gm_text_str(t, label);
    gm_text_int(t, n);
  }
}

/* "FSDP 8 × TP 8 × PP 8, mb 1, selective": the layout in one line (cut
 * where snprintf would cut it). */
static void summary(const gm_config *c, char *out, size_t n) {
  const gm_parallel *p = &c->parallel;
  const gm_engine *e = &c->engine;
  const char *rc;
  gm_text t;
  gm_text_start(&t, out, n);
  switch (e->kind) {
  case GM_ENGINE_FSDP:
    gm_text_str(&t, e->sharding == GM_FSDP_HYBRID_SHARD    ? "HSDP "
                    : e->sharding == GM_FSDP_SHARD_GRAD_OP ? "FSDP (grad-op) "
                                                           : "FSDP ");
    gm_text_int(&t, p->dp);
    break;
  case GM_ENGINE_DEEPSPEED:
  case GM_ENGINE_MEGATRON_DEEPSPEED:
    gm_text_lit(&t, "ZeRO-");
    gm_text_int(&t, e->zero_stage);
    gm_text_lit(&t, " DP ");
    gm_text_int(&t, p->dp);
    break;
  case GM_ENGINE_MEGATRON:
    gm_text_lit(&t, "DP ");
    gm_text_int(&t, p->dp);
    if (e->distributed_optimizer == 1)
      gm_text_lit(&t, " (dist. opt.)");
    break;
  default:
    gm_text_lit(&t, "DDP ");
    gm_text_int(&t, p->dp);
  }
  factor(&t, " \xc3\x97 TP ", p->tp);
  factor(&t, " \xc3\x97 PP ", p->pp);
  if (p->first_stage_layers > 0 && p->first_stage_layers == p->last_stage_layers) {
    gm_text_lit(&t, " (first and last ");
    gm_text_int(&t, p->first_stage_layers);
    gm_text_str(&t, p->first_stage_layers == 1 ? " layer)" : " layers)");
  }
  if (p->vpp > 1) {
    gm_text_lit(&t, " (");
    gm_text_int(&t, p->vpp);
    gm_text_lit(&t, " virtual)");
  }
  factor(&t, " \xc3\x97 CP ", p->cp);
  factor(&t, " \xc3\x97 EP ", p->ep);
  gm_text_lit(&t, ", mb ");
  gm_text_int(&t, (long long)c->training.micro_batch_size);
  if (c->training.gradient_accumulation_steps > 1) {
    gm_text_lit(&t, " \xc3\x97 ");
    gm_text_int(&t, (long long)c->training.gradient_accumulation_steps);
  }
  gm_text_lit(&t, ", ");
  rc = gm_enum_name(gm_recompute_names, (int)c->training.recompute);
  gm_text_str(&t, rc ? rc : "(null)"); /* as glibc's printf writes a null string */
  if (e->offload_optimizer != GM_OFFLOAD_NONE)
    gm_text_str(&t, e->offload_param != GM_OFFLOAD_NONE ? ", full offload" : ", optimizer offload");
}

static void add_estimate(gm_text_buf *b, int *comma, const char *key, size_t key_len, int known,
                         double v, int decimals) {
  if (known && isfinite(v)) {
    add_rounded(b, comma, key, key_len, v, decimals);
  } else {
    add_null(b, comma, key, key_len);
  }
}

/* The answer, as cJSON_PrintUnformatted would print it built as a tree. */
static char *result_json(const cJSON *request, const plan_state *s) {
  const gm_plan_result *r = &s->result;
  gm_text_buf b = {NULL, 0, 0, 0};
  int i, top = 0, have_model = 0;
  printed_request pr;
  gm_model model, resolved_model; /* the layouts' model section, and it resolved */
  printed_of(request, &pr);
  if (r->num_layouts > 0) {
    /* The model resolved once: every layout keeps the request's model
     * section, and its resolution reads nothing else (gm_resolve_layout). */
    gm_config m = r->layouts[0].config;
    gm_error e1;
    model = m.model;
    have_model = gm_resolve_unchecked(&m, NULL, &e1) == GM_OK;
    resolved_model = m.model;
  }
  gm_text_add(&b, "{", 1);
  add_key(&b, &top, KEY("layouts"));
  gm_text_add(&b, "[", 1);
  for (i = 0; i < r->num_layouts; i++) {
    const gm_plan_layout *l = &r->layouts[i];
    gm_config c = l->config;
    char text[160];
    int comma = 0;
    {
      /* For the summary: the config as gm_calculate reads it (the bounds'
       * check, which changes nothing, left out). */
      gm_error e2;
      if (have_model && memcmp(&c.model, &model, sizeof model) == 0)
        gm_resolve_layout(&c, &resolved_model, &e2);
      else
        gm_resolve_unchecked(&c, NULL, &e2);
    }
    open_item(&b, i);
    add_config(&b, &comma, &pr, request, &s->req.base, &l->config);
    add_rounded(&b, &comma, KEY("peak_gb"), (double)l->peak_bytes / GIB, 4);
    add_number(&b, &comma, KEY("peak_bytes"), (double)l->peak_bytes);
    add_string(&b, &comma, KEY("verdict"), l->tight ? "tight" : "fits");
    add_estimate(&b, &comma, KEY("step_time_s"), l->perf.known, l->perf.step_time_s, 4);
    add_estimate(&b, &comma, KEY("tokens_per_s_per_gpu"), l->perf.known,
                 l->perf.tokens_per_s_per_gpu, 1);
    add_estimate(&b, &comma, KEY("mfu"), l->perf.known, l->perf.mfu, 4);
    summary(&c, text, sizeof text);
    add_string(&b, &comma, KEY("summary"), text);
    gm_text_add(&b, "}", 1);
  }
  gm_text_add(&b, "]", 1);
  add_key(&b, &top, KEY("rejected"));
  gm_text_add(&b, "[", 1);
  for (i = 0; i < r->num_rejected; i++) {
    int comma = 0;
    open_item(&b, i);
    add_string(&b, &comma, KEY("family"), r->rejected[i].family);
    add_string(&b, &comma, KEY("reason"), r->rejected[i].reason);
    gm_text_add(&b, "}", 1);
  }
  gm_text_add(&b, "]", 1);
  if (r->min_gpus > 0) {
    add_number(&b, &top, KEY("min_gpus"), r->min_gpus);
  } else {
    add_null(&b, &top, KEY("min_gpus"));
  }
  add_number(&b, &top, KEY("searched"), (double)r->searched);
  add_number(&b, &top, KEY("evaluated"), (double)r->evaluated);
  if (r->base_peak_bytes > 0)
    add_rounded(&b, &top, KEY("base_peak_gb"), (double)r->base_peak_bytes / GIB, 4);
  add_key(&b, &top, KEY("suggestions"));
  gm_text_add(&b, "[", 1);
  for (i = 0; i < r->num_suggestions; i++) {
    const gm_plan_suggestion *g = &r->suggestions[i];
    int comma = 0;
    open_item(&b, i);
    add_string(&b, &comma, KEY("change"), g->change);
    add_rounded(&b, &comma, KEY("saving_gb"), (double)g->saving_bytes / GIB, 2);
    add_rounded(&b, &comma, KEY("peak_gb"), (double)g->peak_bytes / GIB, 4);
    add_key(&b, &comma, KEY("fits"));
    gm_text_adds(&b, g->fits ? "true" : "false");
    add_config(&b, &comma, &pr, request, &s->req.base, &g->config);
    gm_text_add(&b, "}", 1);
  }
  gm_text_add(&b, "]", 1);
  add_key(&b, &top, KEY("warnings"));
  gm_text_add(&b, "[", 1);
  for (i = 0; i < s->sink.num_warnings && i < GM_MAX_WARNINGS; i++) {
    int comma = 0;
    open_item(&b, i);
    add_string(&b, &comma, KEY("field"), s->sink.warnings[i].field);
    add_string(&b, &comma, KEY("message"), s->sink.warnings[i].message);
    gm_text_add(&b, "}", 1);
  }
  gm_text_add(&b, "]}", 2);
  printed_free(&pr);
  return gm_text_take(&b);
}

/* A request (a config and its "plan" section, detached from request) into
 * *req, with the config's warnings in *sink: GM_OK, or GM_EINVAL with err set. */
static int read_request(cJSON *request, gm_plan_request *req, gm_result *sink, gm_error *err) {
  cJSON *plan = cJSON_DetachItemFromObjectCaseSensitive(request, "plan");
  char *text = cJSON_PrintUnformatted(request);
  gm_config base;
  gm_parse_ctx pc;
  int64_t tokens = 0;
  int rc = NO_MEMORY;
  if (!text)
    goto done;
  if ((rc = gm_parse_config(text, &base, sink, err)) != GM_OK)
    goto done;
  gm_plan_request_init(req, &base);
  pc.err = err, pc.sink = sink, pc.unknown_keys = 0;
  if ((rc = parse_plan(&pc, plan, req, &tokens)) != GM_OK || tokens <= 0)
    goto done;
  {
    gm_config r = base;
    r.parallel.tp = r.parallel.pp = r.parallel.cp = r.parallel.vpp = r.parallel.ep = 1;
    r.parallel.dp = GM_AUTO, r.hardware.num_gpus = GM_AUTO;
    if ((rc = gm_resolve(&r, NULL, err)) != GM_OK)
      goto done;
    if (tokens % r.training.seq_len != 0) {
      snprintf(err->field, sizeof err->field, "plan.global_batch_tokens");
      snprintf(err->message, sizeof err->message,
               "must be a multiple of the sequence length (%lld); got %lld",
               (long long)r.training.seq_len, (long long)tokens);
      rc = GM_EINVAL;
      goto done;
    }
    req->global_batch = tokens / r.training.seq_len;
  }
done:
  cJSON_Delete(plan);
  cJSON_free(text);
  return rc;
}

/* The request's JSON object, or NULL with err set: where the text is not
 * JSON the config reader words the error (where it breaks). */
static cJSON *request_object(const char *json, gm_result *sink, gm_error *err) {
  cJSON *request = json ? cJSON_Parse(json) : NULL;
  gm_config base;
  if (cJSON_IsObject(request))
    return request;
  cJSON_Delete(request);
  gm_config_init(&base);
  if (gm_parse_config(json, &base, sink, err) == GM_OK) {
    snprintf(err->field, sizeof err->field, "%s", "");
    snprintf(err->message, sizeof err->message, "the request must be a JSON object");
  }
  return NULL;
}

int gm_plan_request_json(const char *request_json, gm_plan_request *req, gm_result *sink,
                         gm_error *err) {
  cJSON *request;
  int rc;
  sink->num_warnings = 0;
  if (!(request = request_object(request_json, sink, err)))
    return GM_EINVAL;
  rc = read_request(request, req, sink, err);
  cJSON_Delete(request);
  return rc;
}

char *plan_json(const char *request_json) {
  /* Not zeroed whole (a hundred kilobytes): gm_plan_request_init and gm_plan
   * clear the request and the result, the config's warnings start empty. */
  plan_state *s = malloc(sizeof *s);
  cJSON *request = NULL;
  char *out = NULL;
  gm_error err;
  int rc;
  memset(&err, 0, sizeof err);
  if (!s)
    return NULL;
  s->sink.num_warnings = 0; /* the sink holds warnings only (gm_warn counts from here) */
  if (!(request = request_object(request_json, &s->sink, &err))) {
    out = error_json(&err);
    goto done;
  }
  if ((rc = read_request(request, &s->req, &s->sink, &err)) != GM_OK) {
    out = rc == GM_EINVAL ? error_json(&err) : NULL;
    goto done;
  }
  if (gm_plan(&s->req, &s->result, &err) != GM_OK) {
    out = error_json(&err);
    goto done;
  }
  whole_numbers_raw(request);
  out = result_json(request, s);
done:
  cJSON_Delete(request);
  free(s);
  return out;
}
