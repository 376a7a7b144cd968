/* text.c - escaping for the terminal, counts as people read them, and strict
 * numbers for options. */
#include "text.h"

#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of s once escaped; 0 when nothing needs escaping. */
static size_t escaped_size(const unsigned char *s) {
  size_t n = 0, extra = 0;
  for (; s[n]; n++) {
    if (s[n] < 0x20 || s[n] == 0x7f)
      extra += 3; /* \xNN */
    else if (s[n] == 0xC2 && s[n + 1] >= 0x80 && s[n + 1] <= 0x9F)
      extra += 4; /* two bytes become \u00NN */
  }
  return extra ? n + extra + 1 : 0;
}

static char *escape(const char *text) {
  const unsigned char *s = (const unsigned char *)text;
  size_t size = escaped_size(s), k = 0;
  char *out;
  if (!size)
    return NULL;
  out = cJSON_malloc(size);
  if (!out)
    return NULL;
  for (; *s; s++) {
    if (*s < 0x20 || *s == 0x7f) {
      k += (size_t)snprintf(out + k, size - k, "\\x%02x", *s);
    } else if (*s == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F) {
      k += (size_t)snprintf(out + k, size - k, "\\u%04x", s[1]);
      s++;
    } else {
      out[k++] = (char)*s;
    }
  }
  out[k] = '\0';
  return out;
}

int gm_escape_tree(cJSON *tree) {
  cJSON *item;
  char *e;
  if (!tree)
    return 0;
  if (tree->string && escaped_size((const unsigned char *)tree->string)) {
    if (!(e = escape(tree->string)))
      return -1;
    if (!(tree->type & cJSON_StringIsConst))
      cJSON_free(tree->string);
    tree->string = e;
    tree->type &= ~cJSON_StringIsConst;
  }
  if (cJSON_IsString(tree) && tree->valuestring &&
      escaped_size((const unsigned char *)tree->valuestring)) {
    if (!(e = escape(tree->valuestring)))
      return -1;
    cJSON_free(tree->valuestring);
    tree->valuestring = e;
  }
  for (item = tree->child; item; item = item->next)
    if (gm_escape_tree(item) != 0)
      return -1;
  return 0;
}

static const char *digits(const char *s) {
  const char *start = s;
  while (*s >= '0' && *s <= '9')
    s++;
  return s > start ? s : NULL;
}

int gm_is_json_number(const char *s) {
  if (*s == '-')
    s++;
  if (*s == '0')
    s++;
  else if (!(s = digits(s)))
    return 0;
  if (*s == '.' && !(s = digits(s + 1)))
    return 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-')
      s++;
    if (!(s = digits(s)))
      return 0;
  }
  return *s == '\0';
}

void gm_put_text(FILE *f, const char *text, size_t max) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;
  while (i < max && s[i]) {
    unsigned char ch = s[i];
    unsigned cp = 0;
    size_t len;
    if (ch < 0x80) {
      if (ch < 0x20 || ch == 0x7f)
        fprintf(f, "\\x%02x", ch);
      else
        fputc(ch, f);
      i++;
      continue;
    }
    /* Not UTF-8 (truncated, overlong, a surrogate, out of range): U+FFFD, as
     * calc_json writes it, one byte at a time. */
    if ((len = gm_utf8_seq(s + i, max - i, &cp)) == 0) {
      fputs("\xef\xbf\xbd", f);
      i++;
    } else if (cp >= 0x80 && cp <= 0x9F) {
      fprintf(f, "\\u%04x", cp); /* a C1 control character */
      i += len;
    } else {
      fwrite(s + i, 1, len, f);
      i += len;
    }
  }
}

void cli_thousands(double v, char *out, size_t n) {
  char digits[32];
  size_t len, i, k = 0;
  snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
  len = strlen(digits);
  for (i = 0; i < len && k + 2 < n; i++) {
    if (i > 0 && (len - i) % 3 == 0)
      out[k++] = ',';
    out[k++] = digits[i];
  }
  out[k] = '\0';
}

void cli_short_count(double v, char *out, size_t n) {
  if (v >= 1e12)
    snprintf(out, n, "%.2f T", v / 1e12);
  else if (v >= 1e9)
    snprintf(out, n, "%.2f B", v / 1e9);
  else if (v >= 1e6)
    snprintf(out, n, "%.1f M", v / 1e6);
  else
    snprintf(out, n, "%.0f", v);
}
