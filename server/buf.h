/* buf.h — a growable text/byte buffer with a hard maximum size (curl's dynbuf).
 *
 * Rules: a buffer is created with buf_init(b, max); every append fails with -1
 * (and leaves the content unchanged) if the result would exceed max bytes or
 * memory runs out. data is always NUL-terminated (the NUL is not counted in
 * len and does not count against max). buf_release frees and re-initialises;
 * buf_detach hands the malloc'd data to the caller (caller frees). */
#ifndef TCARD_BUF_H
#define TCARD_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;
};

void buf_init(struct buf *b, size_t max);
int buf_append(struct buf *b, const void *bytes, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
/* Returns the content (never NULL: "" for an empty buffer; caller frees) or NULL on OOM. */
char *buf_detach(struct buf *b);

#endif
