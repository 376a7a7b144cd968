/* read_file.c - reads a whole file or stdin into one NUL-terminated buffer. */
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */

#include "read_file.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *gm_read_file(const char *path, size_t *len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  char *buf = NULL, *p;
  size_t used = 0, cap = 0, n;
  int saved;
  if (!f)
    return NULL;
  if (f != stdin) {
    /* fopen opens a directory; say so rather than fail to read it. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
      fclose(f);
      errno = EISDIR;
      return NULL;
    }
  }
  do {
    if (used + 4096 + 1 > cap) {
      cap = cap ? cap * 2 : 8192;
      p = realloc(buf, cap);
      if (!p) {
        free(buf);
        buf = NULL;
        errno = ENOMEM;
        break;
      }
      buf = p;
    }
    n = fread(buf + used, 1, 4096, f);
    used += n;
  } while (n > 0);
  saved = ferror(f) ? EIO : errno;
  if (buf && ferror(f)) {
    free(buf);
    buf = NULL;
  }
  if (buf) {
    buf[used] = '\0';
    if (len)
      *len = used;
  }
  if (f != stdin)
    fclose(f);
  errno = saved;
  return buf;
}
