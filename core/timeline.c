/* timeline.c - one GPU's memory across a training step: the phases whose
 * maximum is the reported peak (calc.c), with the layers between them. */
#include "checked.h"
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

/* Allocated and reserved of one point, with calc.c's allocator rule. */
static void add(line *l, const char *label, size_t label_len, const double comp[GM_C_COUNT],
                double persistent, double pooled) {
  double alloc = 0;
  int k;
  gm_timeline_point *p;
  if (l->n >= l->max)
    return;
  for (k = 0; k < GM_C_CACHE; k++)
    alloc += comp[k];
  p = &l->pts[l->n++];
  if (label_len > sizeof p->label - 1)
    label_len = sizeof p->label - 1;
  memcpy(p->label, label, label_len);
  p->label[label_len] = '\0';
  p->allocated_bytes = gm_round_count(alloc);
  p->reserved_bytes = gm_round_count(alloc + gm_allocator_cache(l->c, alloc, persistent, pooled));
  if (p->reserved_bytes < p->allocated_bytes)
    p->reserved_bytes = p->allocated_bytes;
}

/* "<pass> i/steps" (steps <= STEPS_PER_PASS: one digit each) at t, after
 * the k bytes of pass already there; returns its length. */
static size_t pass_label(char *t, size_t k, int i, int steps) {
  t[k++] = ' ';
  t[k++] = (char)('0' + i);
  t[k++] = '/';
  t[k++] = (char)('0' + steps);
  return k;
}

/* A label literal and its length. */
#define L(text) text, sizeof text - 1

int gm_stage_timeline(const gm_result *r, int stage, const gm_stage_mem *mem,
                      gm_timeline_point *pts, int max) {
  const gm_config *c = &r->resolved;
  int layers = r->stages[stage].num_layers;
  gm_stage_mem again;
  line l = {c, pts, 0, max};
  double comp[GM_C_COUNT];
  int steps = layers < STEPS_PER_PASS ? (layers > 0 ? layers : 1) : STEPS_PER_PASS, i;
  char fwd[16] = "forward", bwd[16] = "backward";
  const double *fw = NULL, *bw = NULL;
  if (!mem) {
    gm_shape s = gm_stage_shape(c, &r->params, stage);
    gm_stage_memory(c, &r->params, &s, &again, NULL);
    mem = &again;
  }
  fw = mem->comp[GM_PH_FORWARD];
  bw = mem->comp[GM_PH_BACKWARD];
  /* Forward: the states, then activations kept layer by layer. */
  for (i = 0; i <= steps; i++) {
    memcpy(comp, fw, sizeof comp);
    comp[GM_C_ACTIVATIONS] = fw[GM_C_ACTIVATIONS] * i / steps;
    comp[GM_C_LOGITS] = 0;
    if (i == 0)
      add(&l, L("start"), comp, mem->persistent[GM_PH_FORWARD], mem->pooled[GM_PH_FORWARD]);
    else
      add(&l, fwd, pass_label(fwd, sizeof "forward" - 1, i, steps), comp,
          mem->persistent[GM_PH_FORWARD], mem->pooled[GM_PH_FORWARD]);
  }
  /* The loss: the forward phase as calc.c counts it, logits included. */
  if (fw[GM_C_LOGITS] > 0)
    add(&l, L("loss"), fw, mem->persistent[GM_PH_FORWARD], mem->pooled[GM_PH_FORWARD]);
  /* Backward: the phase as counted, then activations freed layer by layer. */
  for (i = 0; i <= steps; i++) {
    memcpy(comp, bw, sizeof comp);
    comp[GM_C_ACTIVATIONS] = bw[GM_C_ACTIVATIONS] * (steps - i) / steps;
    add(&l, bwd, pass_label(bwd, sizeof "backward" - 1, i, steps), i == 0 ? bw : comp,
        mem->persistent[GM_PH_BACKWARD], mem->pooled[GM_PH_BACKWARD]);
  }
  add(&l, L("optimizer step"), mem->comp[GM_PH_STEP], mem->persistent[GM_PH_STEP],
      mem->pooled[GM_PH_STEP]);
  return l.n;
}
