/* config_version.c - engine.framework_version as written in a config: a date of
 * the framework's code, "current", or a release number (warned, not mapped). */
#include "config.h"
#include "fmt.h"

#include <stdio.h>
#include <string.h>

static int days_in_month(int y, int m) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/* "2.5", "v0.1.0", "4.46.2": digits separated by dots, at least one dot. */
static int is_release_number(const char *s) {
  int dots = 0, digits = 0;
  if (*s == 'v' || *s == 'V')
    s++;
  for (; *s; s++) {
    if (*s == '.') {
      if (!digits)
        return 0;
      dots++, digits = 0;
    } else if (*s >= '0' && *s <= '9') {
      digits++;
    } else {
      return 0;
    }
  }
  return dots > 0 && digits > 0;
}

/* The number in s[0..len) when all of it is digits, else -1. */
static int digits_of(const char *s, int len) {
  int v = 0, i;
  for (i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* "YYYY-MM-DD" or "YYYY-MM" (day 1), digits only; 1 when s is one. */
static int scan_date(const char *s, int *y, int *m, int *day) {
  size_t len = strlen(s);
  if ((len != 10 && len != 7) || s[4] != '-' || (len == 10 && s[7] != '-'))
    return 0;
  *y = digits_of(s, 4);
  *m = digits_of(s + 5, 2);
  *day = len == 10 ? digits_of(s + 8, 2) : 1;
  return *y >= 0 && *m >= 0 && *day >= 0;
}

int gm_read_version(gm_parse_ctx *c, const cJSON *v, const char *path, int *out) {
  char d[64];
  int y = 0, m = 0, day = 1;
  const char *s;
  if (!cJSON_IsString(v) || !v->valuestring) {
    gm_describe(v, d, sizeof d);
    return gm_fail(c, path, "must be a date \"YYYY-MM-DD\" or \"current\"; got %s", d);
  }
  s = v->valuestring;
  if (gm_name_equal(s, "current") || gm_name_equal(s, "latest")) {
    *out = GM_AUTO;
    return GM_OK;
  }
  if (is_release_number(s)) {
    /* Release numbers differ per framework and are not mapped to dates here. */
    if (c->sink)
      gm_warn(c->sink, path,
              "release numbers are not mapped to dates: give the date of the release "
              "(\"YYYY-MM-DD\"); the current defaults apply to \"%.40s\"",
              s);
    *out = GM_AUTO;
    return GM_OK;
  }
  if (!scan_date(s, &y, &m, &day) || y < 2018 || y > 2100 || m < 1 || m > 12 || day < 1 ||
      day > days_in_month(y, m)) {
    gm_describe(v, d, sizeof d);
    return gm_fail(c, path,
                   "must be the date of the framework's code, \"YYYY-MM-DD\" or \"YYYY-MM\" "
                   "(2018 or later), or \"current\"; got %s",
                   d);
  }
  *out = y * 10000 + m * 100 + day;
  return GM_OK;
}

void gm_format_version(int date, char *out, size_t n) {
  /* Every result prints it: the digits directly where they fit in YYYY-MM-DD. */
  if (date >= 0 && date <= 99999999 && n > 10) {
    static const int shift[8] = {10000000, 1000000, 100000, 10000, 1000, 100, 10, 1};
    static const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    int i;
    for (i = 0; i < 8; i++)
      out[at[i]] = (char)('0' + date / shift[i] % 10);
    out[4] = out[7] = '-';
    out[10] = '\0';
    return;
  }
  gm_snprintf(out, n, "%04d-%02d-%02d", date / 10000, date / 100 % 100, date % 100);
}
