/* fastpath.c - one GPU's memory as a polynomial in the micro-batch or the
 * sequence length, for the largest micro-batch and the longest sequence in
 * closed form.
 *
 * Within one layout, every component of a stage's memory in each phase of a
 * step is, in the micro-batch b, of degree 1: activations, logits, the
 * backward working set and the pipeline buffers scale with the tokens
 * b x s / CP, and nothing else depends on b. In the sequence s it is of
 * degree 2: eager attention keeps, and its backward builds, an s x s score
 * matrix per head (activations.c). So evaluations of the shared physics
 * (gm_stage_shape, gm_stage_memory) at two or three points give each phase's
 * coefficients exactly, up to floating-point rounding; the answer is then a
 * root. The caller checks the answer and its neighbour in full, since the
 * rounding, and the allocator cache, which is clipped to the card, are not
 * part of the polynomial. */
#include "internal.h"

#include <math.h>

/* The config with the variable set to x. */
static void set_var(gm_config *c, gm_fast_var var, int64_t unit, double x) {
  if (var == GM_VAR_MICRO_BATCH)
    c->training.micro_batch_size = (int64_t)x;
  else
    c->training.seq_len = (int64_t)x * unit;
}

/* The phases' sums of one stage's memory. */
static void sums(const gm_stage_mem *sm, double alloc[GM_PH_COUNT], double persistent[GM_PH_COUNT],
                 double pooled[GM_PH_COUNT], double *host) {
  int ph, k;
  for (ph = 0; ph < GM_PH_COUNT; ph++) {
    double a = 0;
    for (k = 0; k < GM_C_CACHE; k++)
      a += sm->comp[ph][k];
    alloc[ph] = a;
    persistent[ph] = sm->persistent[ph];
    pooled[ph] = sm->pooled[ph];
  }
  *host = sm->host_bytes;
}

/* Allocations, persistent and pooled bytes of each phase, and host bytes, of
 * stage r at c; with memo, the stage's layout as kept there (it reads no
 * micro-batch). */
static void sample(const gm_config *c, const gm_params *P, int r, gm_shape_memo *memo,
                   double alloc[GM_PH_COUNT], double persistent[GM_PH_COUNT],
                   double pooled[GM_PH_COUNT], double *host) {
  gm_shape own;
  const gm_shape *s =
      memo ? gm_stage_shape_memo(memo, c, P, r) : (own = gm_stage_shape(c, P, r), &own);
  gm_stage_mem sm;
  gm_stage_memory(c, P, s, &sm, NULL);
  sums(&sm, alloc, persistent, pooled, host);
}

void gm_stage_poly_start(gm_stage_poly *q, int stage, double x0, const gm_stage_mem *sm) {
  double a[GM_PH_COUNT], p[GM_PH_COUNT], o[GM_PH_COUNT], h;
  int ph, k;
  sums(sm, a, p, o, &h);
  q->stage = stage;
  q->x0 = x0;
  for (ph = 0; ph < GM_PH_COUNT; ph++)
    for (k = 0; k < 3; k++) {
      q->alloc[ph][k] = k == 0 ? a[ph] : 0;
      q->persistent[ph][k] = k == 0 ? p[ph] : 0;
      q->pooled[ph][k] = k == 0 ? o[ph] : 0;
    }
  q->host[0] = h, q->host[1] = q->host[2] = 0;
}

void gm_stage_poly_finish(gm_stage_poly *q, const gm_config *c, const gm_params *P,
                          gm_shape_memo *memo) {
  gm_config v = *c;
  double a[GM_PH_COUNT], p[GM_PH_COUNT], o[GM_PH_COUNT], h;
  int ph;
  v.training.micro_batch_size = 2 * (int64_t)q->x0;
  sample(&v, P, q->stage, memo, a, p, o, &h);
  for (ph = 0; ph < GM_PH_COUNT; ph++) {
    q->alloc[ph][1] = (a[ph] - q->alloc[ph][0]) / q->x0;
    q->persistent[ph][1] = (p[ph] - q->persistent[ph][0]) / q->x0;
    q->pooled[ph][1] = (o[ph] - q->pooled[ph][0]) / q->x0;
  }
  q->host[1] = (h - q->host[0]) / q->x0;
}

/* Newton's form through (x0, f0), (2 x0, f1), (3 x0, f2), written around x0:
 * f(x0 + y) = k0 + k1 y + k2 y^2. */
static void fit(double x0, int degree, double f0, double f1, double f2, double k[3]) {
  double c1 = (f1 - f0) / x0, c2 = degree == 2 ? (f2 - 2.0 * f1 + f0) / (2.0 * x0 * x0) : 0;
  k[0] = f0;
  k[1] = c1 - c2 * x0;
  k[2] = c2;
}

void gm_stage_poly_of(const gm_config *c, const gm_params *P, int r, gm_fast_var var, int64_t unit,
                      int64_t x0, gm_stage_poly *out) {
  gm_stage_poly_from(c, P, r, var, unit, x0, NULL, out);
}

void gm_stage_poly_from(const gm_config *c, const gm_params *P, int r, gm_fast_var var,
                        int64_t unit, int64_t x0, const gm_stage_mem *at_x0, gm_stage_poly *out) {
  gm_config v = *c;
  double a[3][GM_PH_COUNT], p[3][GM_PH_COUNT], o[3][GM_PH_COUNT], h[3];
  int degree = var == GM_VAR_MICRO_BATCH ? 1 : 2, i, ph;
  if (x0 < 1)
    x0 = 1, at_x0 = NULL;
  for (i = 0; i <= degree; i++) {
    if (i == 0 && at_x0) {
      sums(at_x0, a[0], p[0], o[0], &h[0]);
      continue;
    }
    set_var(&v, var, unit, (double)x0 * (i + 1));
    sample(&v, P, r, NULL, a[i], p[i], o[i], &h[i]);
  }
  if (degree == 1)
    for (ph = 0; ph < GM_PH_COUNT; ph++)
      a[2][ph] = p[2][ph] = o[2][ph] = 0;
  if (degree == 1)
    h[2] = 0;
  out->x0 = (double)x0;
  for (ph = 0; ph < GM_PH_COUNT; ph++) {
    fit(out->x0, degree, a[0][ph], a[1][ph], a[2][ph], out->alloc[ph]);
    fit(out->x0, degree, p[0][ph], p[1][ph], p[2][ph], out->persistent[ph]);
    fit(out->x0, degree, o[0][ph], o[1][ph], o[2][ph], out->pooled[ph]);
  }
  fit(out->x0, degree, h[0], h[1], h[2], out->host);
}

double gm_poly_largest(const gm_stage_poly *q, const double k[3], double bound) {
  double y, room = bound - k[0];
  if (k[2] > 0) {
    double disc = k[1] * k[1] + 4.0 * k[2] * room;
    if (disc < 0)
      return -INFINITY;
    /* The larger root, in the form without cancellation. */
    y = k[1] > 0 ? 2.0 * room / (k[1] + sqrt(disc)) : (-k[1] + sqrt(disc)) / (2.0 * k[2]);
  } else if (k[1] > 0) {
    y = room / k[1];
  } else {
    return room >= 0 ? INFINITY : -INFINITY; /* does not grow */
  }
  return q->x0 + y;
}

int gm_stage_dominated(const gm_config *c, int r, int *mid_layers) {
  int first[GM_MAX_CHUNKS], count[GM_MAX_CHUNKS], n, j, layers = 0;
  if (r == 0 || r == c->parallel.pp - 1 || c->model.num_experts != 0)
    return 0;
  /* A dense model's middle stage holds no more than an earlier middle stage
   * with as many layers: same components, fewer micro-batches in flight.
   * Every split of split.c gives the middle ranks as many layers as a later
   * one or more (each chunk's share falls with the rank; the plan tests
   * check it): the first middle stage dominates the rest, uncounted. */
  if (*mid_layers >= 0)
    return 1;
  n = gm_stage_chunks(c, r, first, count);
  for (j = 0; j < n; j++)
    layers += count[j];
  if (layers <= *mid_layers)
    return 1;
  *mid_layers = layers;
  return 0;
}
