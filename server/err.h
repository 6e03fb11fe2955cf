/* err.h — the error object a failing function fills in for its caller.
 * Functions return 0 / a pointer on success and -1 / NULL on failure, with the
 * reason in a caller-provided struct err (like Jansson's json_error_t). */
#ifndef TCARD_ERR_H
#define TCARD_ERR_H

struct err {
	char message[512];
};

/* Formats the message into err (if err is not NULL) and returns -1, so a
 * failing path can say `return err_set(err, "…");`. Truncates silently: an
 * error message is advisory text, never parsed. */
int err_set(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
