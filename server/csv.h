/* csv.h — CSV as Excel reads it (RFC 4180 quoting, CRLF line ends), safe to
 * open: a cell that starts like a formula is defused. */
#ifndef TCARD_CSV_H
#define TCARD_CSV_H

struct buf;

/* Appends one field: quoted when it holds a comma, a quote or a line break
 * (quotes doubled); a leading =, +, - or @ is prefixed with ' so that Excel
 * does not run it. Then "," or, for the last field of a line, CRLF.
 * 0, or -1 when the buffer refuses (full or out of memory). */
int csv_field(struct buf *out, const char *text, int last);

#endif
