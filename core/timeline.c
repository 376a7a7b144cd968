/* timeline.c - one GPU's memory across a training step: the phases whose
 * maximum is the reported peak (calc.c), with the layers between them. */
#include "internal.h"

#include <math.h>
#include <string.h>

/* Points between phases: forward and backward each in at most this many steps. */
#define STEPS_PER_PASS 8

typedef struct {
  const gm_config *c;
  gm_timeline_point *pts;
  int n, max;
} line;

/* llround(v) as an unsigned count: below 2^53 by the whole part and the
 * fraction (both exact), else llround itself. */
static uint64_t rounded(double v) {
  if (v >= 0 && v < 9007199254740992.0) {
    uint64_t t = (uint64_t)v;
    return t + (v - (double)t >= 0.5);
  }
  return (uint64_t)llround(v);
}

/* Allocated and reserved of one point, with calc.c's allocator rule. */
static void add(line *l, const char *label, const double comp[GM_C_COUNT], double persistent,
                double pooled) {
  double alloc = 0;
  int k;
  gm_timeline_point *p;
  if (l->n >= l->max)
    return;
  for (k = 0; k < GM_C_CACHE; k++)
    alloc += comp[k];
  p = &l->pts[l->n++];
  k = (int)strlen(label);
  if (k > (int)sizeof p->label - 1)
    k = (int)sizeof p->label - 1;
  memcpy(p->label, label, (size_t)k);
  p->label[k] = '\0';
  p->allocated_bytes = rounded(alloc);
  p->reserved_bytes = rounded(alloc + gm_allocator_cache(l->c, alloc, persistent, pooled));
  if (p->reserved_bytes < p->allocated_bytes)
    p->reserved_bytes = p->allocated_bytes;
}

/* "<pass> i/steps" (steps <= STEPS_PER_PASS: one digit each). */
static const char *pass_label(char *t, const char *pass, int i, int steps) {
  size_t k = strlen(pass);
  memcpy(t, pass, k);
  t[k++] = ' ';
  t[k++] = (char)('0' + i);
  t[k++] = '/';
  t[k++] = (char)('0' + steps);
  t[k] = '\0';
  return t;
}

int gm_stage_timeline(const gm_config *c, const gm_params *P, int stage, gm_timeline_point *pts,
                      int max) {
  gm_shape s = gm_stage_shape(c, P, stage);
  gm_stage_mem sm;
  line l = {c, pts, 0, max};
  double comp[GM_C_COUNT];
  int steps = s.layers < STEPS_PER_PASS ? (s.layers > 0 ? s.layers : 1) : STEPS_PER_PASS, i;
  char label[32];
  const double *fw = NULL, *bw = NULL;
  gm_stage_memory(c, P, &s, &sm, NULL);
  fw = sm.comp[GM_PH_FORWARD];
  bw = sm.comp[GM_PH_BACKWARD];
  /* Forward: the states, then activations kept layer by layer. */
  for (i = 0; i <= steps; i++) {
    memcpy(comp, fw, sizeof comp);
    comp[GM_C_ACTIVATIONS] = fw[GM_C_ACTIVATIONS] * i / steps;
    comp[GM_C_LOGITS] = 0;
    add(&l, i == 0 ? "start" : pass_label(label, "forward", i, steps), comp,
        sm.persistent[GM_PH_FORWARD], sm.pooled[GM_PH_FORWARD]);
  }
  /* The loss: the forward phase as calc.c counts it, logits included. */
  if (fw[GM_C_LOGITS] > 0)
    add(&l, "loss", fw, sm.persistent[GM_PH_FORWARD], sm.pooled[GM_PH_FORWARD]);
  /* Backward: the phase as counted, then activations freed layer by layer. */
  for (i = 0; i <= steps; i++) {
    memcpy(comp, bw, sizeof comp);
    comp[GM_C_ACTIVATIONS] = bw[GM_C_ACTIVATIONS] * (steps - i) / steps;
    add(&l, pass_label(label, "backward", i, steps), i == 0 ? bw : comp,
        sm.persistent[GM_PH_BACKWARD], sm.pooled[GM_PH_BACKWARD]);
  }
  add(&l, "optimizer step", sm.comp[GM_PH_STEP], sm.persistent[GM_PH_STEP], sm.pooled[GM_PH_STEP]);
  return l.n;
}
