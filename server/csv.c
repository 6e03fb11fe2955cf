/* csv.c — CSV fields for exports (see csv.h). */
#include "csv.h"

#include "buf.h"

#include <string.h>

int csv_field(struct buf *out, const char *text, int last)
{
	int quote = strpbrk(text, ",\"\r\n") != NULL;
	const char *p;

	if ((quote && buf_append(out, "\"", 1) != 0) ||
	    (text[0] != '\0' && strchr("=+-@", text[0]) != NULL && buf_append(out, "'", 1) != 0))
		return -1;
	for (p = text; *p != '\0'; p++)
		if ((*p == '"' && buf_append(out, "\"", 1) != 0) || buf_append(out, p, 1) != 0)
			return -1;
	if (quote && buf_append(out, "\"", 1) != 0)
		return -1;
	return buf_append(out, last ? "\r\n" : ",", last ? 2 : 1);
}
