/* read_file.h - a whole file (or stdin) in memory, for the programs around the core. */
#ifndef GM_READ_FILE_H
#define GM_READ_FILE_H

#include <stddef.h>

/* The whole file at path ("-" reads stdin), NUL-terminated, its length in
 * *len when len is not NULL. NULL with errno set when it cannot be read.
 * The caller frees the result. */
char *gm_read_file(const char *path, size_t *len);

#endif
