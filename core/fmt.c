/* fmt.c - numbers as text: counts with thousands separators, as every formula writes them. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

size_t gm_fmt_count(char *buf, size_t n, double v) {
  char digits[32];
  int len, i, j = 0, lead;
  snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
  len = (int)strlen(digits);
  lead = len % 3 == 0 ? 3 : len % 3;
  for (i = 0; i < len && (size_t)j + 2 < n; i++) {
    if (i > 0 && (i - lead) % 3 == 0)
      buf[j++] = ',';
    buf[j++] = digits[i];
  }
  buf[j] = '\0';
  return (size_t)j;
}
