/* utf8.h - internal: the one rule for which bytes are UTF-8, shared by the
 * result writer and the CLI's terminal output. Not public. */
#ifndef GM_UTF8_H
#define GM_UTF8_H

#include <stddef.h>

/* The length (2 to 4) of the well-formed multi-byte UTF-8 sequence at s,
 * of which n bytes may be read, with its code point in *cp; 0 when it is
 * truncated, overlong, a surrogate, out of range or not a lead byte. */
size_t gm_utf8_seq(const unsigned char *s, size_t n, unsigned *cp);

#endif
