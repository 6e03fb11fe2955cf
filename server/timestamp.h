/* timestamp.h — RFC 3339 times as the API takes them (a session's start and
 * end): pure, no time zone database, no localtime; in tcard_core. */
#ifndef TCARD_TIMESTAMP_H
#define TCARD_TIMESTAMP_H

#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)": 'T' and 'Z' in either case, a real
 * calendar day (proleptic Gregorian, years 0000..9999), hours 00..23, no leap
 * second, 1..9 fraction digits (ignored: whole seconds), an offset up to ±23:59.
 * The offset is required: a time without one names no instant. Returns 0 with
 * *unix_seconds set (UTC), or -1 leaving it unchanged. */
int timestamp_parse(const char *text, int64_t *unix_seconds);

#endif
