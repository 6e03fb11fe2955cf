/* log.h — the server's one logging function: one `key=value` line per event on stderr.
 * Nothing else in the server writes to stdout or stderr. Never pass personal
 * data (national IDs, passwords, tokens) to it. */
#ifndef TCARD_LOG_H
#define TCARD_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level min);

/* Writes `ts=<RFC 3339> level=<level> event=<event> <fields>` where fields is
 * fmt formatted (more key=value pairs; may be NULL). Lines longer than 2 KiB are cut. */
void log_event(enum log_level level, const char *event, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Writes s into dst as a double-quoted value with ", \ and control characters
 * escaped; returns dst. For values that may hold spaces (error messages). */
const char *log_quote(char *dst, size_t size, const char *s);

#endif
