/* problem.h — RFC 9457 problem details: the one shape every error takes.
 * A handler fills one struct problem; http.c renders it as
 * application/problem+json in exactly one place. */
#ifndef TCARD_PROBLEM_H
#define TCARD_PROBLEM_H

#include <jansson.h>

/* Stable problem types; the table in problem.c gives status, slug and titles. */
enum problem_type {
	PROBLEM_NONE = 0,
	PROBLEM_BAD_REQUEST,           /* 400 malformed request or JSON */
	PROBLEM_UNAUTHENTICATED,       /* 401 */
	PROBLEM_FORBIDDEN,             /* 403 */
	PROBLEM_NOT_FOUND,             /* 404 no such resource (or out of scope) */
	PROBLEM_METHOD,                /* 405 with Allow */
	PROBLEM_NOT_ACCEPTABLE,        /* 406 */
	PROBLEM_CONFLICT,              /* 409 duplicate or state conflict */
	PROBLEM_PRECONDITION,          /* 412 stale If-Match */
	PROBLEM_TOO_LARGE,             /* 413 body over the limit */
	PROBLEM_MEDIA_TYPE,            /* 415 not application/json */
	PROBLEM_VALIDATION,            /* 422 field-level errors */
	PROBLEM_PRECONDITION_REQUIRED, /* 428 If-Match missing */
	PROBLEM_RATE_LIMITED,          /* 429 */
	PROBLEM_INTERNAL,              /* 500 */
	PROBLEM_UNAVAILABLE,           /* 503 database unreachable, shutting down */
	PROBLEM_TYPE_COUNT
};

struct problem {
	enum problem_type type;
	char detail[400]; /* English-first human explanation; never personal data */
	json_t *errors;   /* owned: array of {field, reason, message}, or NULL */
};

/* Sets type and detail (printf-style; may be NULL) and returns -1 for `return problem_set(…)`.
 * Keeps field errors already added. */
int problem_set(struct problem *p, enum problem_type type, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Adds one field error: field is a JSON path ("national_id", "items[3].hours"),
 * reason a stable machine word ("required", "check_digit"), message Chinese / English text.
 * Sets the type to PROBLEM_VALIDATION when none is set yet; when memory runs out the
 * problem becomes PROBLEM_INTERNAL, as a list missing an entry must not be sent. Returns -1. */
int problem_field(struct problem *p, const char *field, const char *reason, const char *message);
int problem_has_fields(const struct problem *p);

unsigned problem_status(enum problem_type type);
const char *problem_slug(enum problem_type type);
/* Builds the problem+json object (caller owns the result), or NULL when memory runs
 * out; instance is the request path. instance and request_id are left out when they
 * are not UTF-8; a detail that is not is replaced by the title. */
json_t *problem_to_json(const struct problem *p, const char *instance, const char *request_id);
void problem_clear(struct problem *p);

#endif
