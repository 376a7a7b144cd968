/* precision.c - bytes per element: activations in the compute dtype, and
 * weights, gradients, master copy and optimizer state under a precision layout. */
#include "internal.h"

double gm_act_bytes(const gm_config *c) { return c->training.dtype == GM_DTYPE_FP32 ? 4.0 : 2.0; }

gm_precision_bytes gm_precision_bytes_of(const gm_training *t) {
  gm_precision_bytes b = {0, 0, 0, 0};
  double state = t->precision == GM_PRECISION_PURE_HALF ? 2.0 : 4.0, n = 0;
  switch (t->precision) {
  case GM_PRECISION_FP32:
  case GM_PRECISION_AMP:
    b.weights = 4, b.grads = 4;
    break;
  case GM_PRECISION_MIXED:
    b.weights = 2, b.grads = 2, b.master = 4;
    break;
  case GM_PRECISION_MIXED_FP32_GRADS:
    b.weights = 2, b.grads = 4, b.master = 4;
    break;
  case GM_PRECISION_PURE_HALF:
    b.weights = 2, b.grads = 2;
    break;
  }
  switch (t->optimizer) {
  case GM_OPT_ADAM:
  case GM_OPT_ADAMW:
    n = 2;
    break;
  case GM_OPT_SGD:
    n = 0;
    break;
  case GM_OPT_SGD_MOMENTUM:
  case GM_OPT_LION:
  case GM_OPT_ADAFACTOR: /* replaced by the factored count in model_states() */
    n = 1;
    break;
  case GM_OPT_ADAMW_8BIT:
    b.states = 2.0 + 2.0 * 4.0 / 2048.0; /* two 8-bit states, fp32 absmax per 2048 block */
    return b;
  }
  b.states = n * state;
  return b;
}
