/* diag.c - where messages go: warnings into a result, an error into a gm_error. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

void gm_warn(gm_result *r, const char *field, const char *fmt, ...) {
  va_list ap;
  gm_error *w;
  if (!r || r->num_warnings >= GM_MAX_WARNINGS)
    return;
  w = &r->warnings[r->num_warnings++];
  snprintf(w->field, sizeof w->field, "%s", field);
  va_start(ap, fmt);
  vsnprintf(w->message, sizeof w->message, fmt, ap);
  va_end(ap);
}

int gm_error_set(gm_error *err, const char *field, const char *fmt, ...) {
  va_list ap;
  snprintf(err->field, sizeof err->field, "%s", field);
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return GM_EINVAL;
}
