/* math.c - round() for the WebAssembly module from the instruction set's
 * trunc: musl's adds and subtracts 2^52 to round, then corrects, in twice
 * the code. Halfway cases go away from zero, as C's round does; x - trunc(x)
 * is exact, so nothing else rounds. */
#include <math.h>

double round(double x) {
  double t = trunc(x);
  if (fabs(x - t) >= 0.5)
    t += copysign(1.0, x);
  return t;
}
