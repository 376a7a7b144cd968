/* config_init.c - gm_config_init: every field a schema row names (core/schema.c)
 * unset, for the readers to fill; gm_schema_defaults: the rows' constant
 * defaults, which gm_resolve applies. */
#include "schema.h"

#include <string.h>

/* How a row's value is stored: its kind's way, unless its reader says otherwise. */
typedef enum { ST_NONE, ST_INT, ST_I64, ST_U64, ST_DOUBLE, ST_TEXT } storage;

static storage storage_of(const gm_key *k) {
  if (k->flags & GM_KF_NOFIELD)
    return ST_NONE;
  if (k->hook == GM_HOOK_VERSION)
    return ST_INT; /* YYYYMMDD */
  if (k->hook == GM_HOOK_BUCKET_MIB)
    return ST_I64; /* bytes */
  switch (k->kind) {
  case GM_K_INT64:
  case GM_K_SIZE:
    return ST_I64;
  case GM_K_MEMORY:
    return ST_U64;
  case GM_K_NUMBER:
    return ST_DOUBLE;
  case GM_K_STRING:
    return ST_TEXT;
  default:
    return ST_INT; /* int, bool, and enums (int-sized, as config.c asserts) */
  }
}

void gm_config_init(gm_config *cfg) {
  int s;
  memset(cfg, 0, sizeof *cfg);
  for (s = 0; s < GM_SEC_COUNT; s++) {
    const gm_key *k;
    char *base = (char *)cfg + gm_schema[s].offset;
    for (k = gm_schema[s].keys; k->key; k++) {
      int auto_int = (k->flags & GM_KF_ZERO_UNSET) ? 0 : GM_AUTO;
      int64_t auto_i64 = auto_int;
      double unset_number = -1.0; /* "<0: default", as resolve.c reads it */
      switch (storage_of(k)) {
      case ST_INT:
        memcpy(base + k->offset, &auto_int, sizeof auto_int);
        break;
      case ST_I64:
        memcpy(base + k->offset, &auto_i64, sizeof auto_i64);
        break;
      case ST_DOUBLE:
        memcpy(base + k->offset, &unset_number, sizeof unset_number);
        break;
      default: /* memory and text: 0 and "" */
        break;
      }
    }
  }
}

/* The value a row's field holds when the config left it out (ST_DOUBLE: any
 * negative or NaN, "<0: default" as gm_config_init and resolve.c read it). */
static int unset_int(const gm_key *k) { return (k->flags & GM_KF_ZERO_UNSET) ? 0 : GM_AUTO; }

/* A row's constant default in the stored unit: bucket_cap_mb is written in
 * MiB and stored in bytes, memory is written in GiB and stored in bytes. */
static int64_t i64_default(const gm_key *k) {
  return (int64_t)(k->hook == GM_HOOK_BUCKET_MIB ? k->dflt * 1048576.0 : k->dflt);
}
static uint64_t u64_default(const gm_key *k) { return (uint64_t)(k->dflt * 1073741824.0); }

void gm_schema_defaults(gm_section s, void *section) {
  /* The lists a search makes once, made and applied here for one section. */
  gm_defaults d;
  gm_defaults_of(s, &d);
  gm_defaults_apply(&d, section);
}

int gm_defaults_of(gm_section s, gm_defaults *out) {
  const gm_key *k;
  out->n_int = out->n_i64 = out->n_u64 = out->n_real = 0;
  for (k = gm_schema[s].keys; k->key; k++) {
    if (k->rule || k->dflt == GM_NO_DEFAULT)
      continue; /* set by resolve.c's code, or left unset */
    if (out->n_int == GM_DEFAULTS_MAX || out->n_i64 == GM_DEFAULTS_MAX ||
        out->n_u64 == GM_DEFAULTS_MAX || out->n_real == GM_DEFAULTS_MAX)
      break; /* never: a section has fewer rows */
    switch (storage_of(k)) {
    case ST_INT:
      out->ints[out->n_int].offset = k->offset;
      out->ints[out->n_int].unset = unset_int(k);
      out->ints[out->n_int++].value = (int)k->dflt;
      break;
    case ST_I64:
      out->i64s[out->n_i64].offset = k->offset;
      out->i64s[out->n_i64].unset = unset_int(k);
      out->i64s[out->n_i64++].value = i64_default(k);
      break;
    case ST_U64:
      out->u64s[out->n_u64].offset = k->offset;
      out->u64s[out->n_u64++].value = u64_default(k);
      break;
    case ST_DOUBLE:
      out->reals[out->n_real].offset = k->offset;
      out->reals[out->n_real++].value = k->dflt;
      break;
    default: /* no field, or text: no constant default */
      break;
    }
  }
  return out->n_int + out->n_i64 + out->n_u64 + out->n_real;
}

void gm_defaults_apply(const gm_defaults *d, void *section) {
  char *base = section;
  int j;
  for (j = 0; j < d->n_int; j++) {
    int v;
    memcpy(&v, base + d->ints[j].offset, sizeof v);
    if (v == d->ints[j].unset)
      memcpy(base + d->ints[j].offset, &d->ints[j].value, sizeof v);
  }
  for (j = 0; j < d->n_i64; j++) {
    int64_t v;
    memcpy(&v, base + d->i64s[j].offset, sizeof v);
    if (v == d->i64s[j].unset)
      memcpy(base + d->i64s[j].offset, &d->i64s[j].value, sizeof v);
  }
  for (j = 0; j < d->n_u64; j++) {
    uint64_t v;
    memcpy(&v, base + d->u64s[j].offset, sizeof v);
    if (v == 0)
      memcpy(base + d->u64s[j].offset, &d->u64s[j].value, sizeof v);
  }
  for (j = 0; j < d->n_real; j++) {
    double v;
    memcpy(&v, base + d->reals[j].offset, sizeof v);
    if (!(v >= 0))
      memcpy(base + d->reals[j].offset, &d->reals[j].value, sizeof v);
  }
}
