/* router.h — method + path-pattern matching over a plain route table.
 * Pure: no HTTP library types, so the matcher is unit-tested alone.
 * Patterns are literal segments and `{name}` placeholders, e.g. /api/v1/officers/{id}. */
#ifndef TCARD_ROUTER_H
#define TCARD_ROUTER_H

#include <stddef.h>

enum http_method {
	HTTP_GET = 1u << 0,
	HTTP_HEAD = 1u << 1,
	HTTP_POST = 1u << 2,
	HTTP_PUT = 1u << 3,
	HTTP_PATCH = 1u << 4,
	HTTP_DELETE = 1u << 5,
	HTTP_OPTIONS = 1u << 6,
};

/* Roles a route admits (bit set); ROLE_PUBLIC needs no login. */
enum role {
	ROLE_PUBLIC = 1u << 0,
	ROLE_ADMIN = 1u << 1,
	ROLE_HR = 1u << 2,
	ROLE_AUDITOR = 1u << 3,
	ROLE_OFFICER = 1u << 4,
};
#define ROLE_STAFF    (ROLE_ADMIN | ROLE_HR | ROLE_AUDITOR)
#define ROLE_ANY_USER (ROLE_STAFF | ROLE_OFFICER)

/* How a route takes its request body. */
enum route_body {
	ROUTE_BODY_NONE = 0, /* a body is refused with 413/415 */
	ROUTE_BODY_JSON,     /* application/json object, bounded, parsed before the handler */
	ROUTE_BODY_STREAM,   /* any type, up to stream_body_max, handed over piece by piece
	                      * (request.h, struct request_stream) */
};

struct request;

struct route {
	unsigned method; /* one enum http_method */
	const char *pattern;
	int (*handler)(struct request *req);
	unsigned roles; /* enum role bits */
	enum route_body body;
	const char *summary; /* one line for the OpenAPI document and logs */
};

#define ROUTER_MAX_PARAMS 4

struct route_match {
	const struct route *route;
	unsigned allowed; /* methods that match the path (for 405's Allow) */
	int nparams;
	struct {
		const char *name; /* points into the pattern, length name_len */
		size_t name_len;
		const char *value; /* points into the path, length value_len */
		size_t value_len;
	} params[ROUTER_MAX_PARAMS];
};

enum router_result { ROUTER_FOUND = 0, ROUTER_NOT_FOUND, ROUTER_METHOD_NOT_ALLOWED };

/* HEAD matches a GET route. A placeholder matches one non-empty segment. */
enum router_result router_match(const struct route *table, size_t count, unsigned method,
                                const char *path, struct route_match *out);
/* Parses "GET", "POST", …; 0 for an unknown method. */
unsigned router_method(const char *name);
/* "GET", …; "-" for 0 or an unknown method. */
const char *router_method_name(unsigned method);
/* Writes e.g. "GET, HEAD, PATCH" for a method set; returns out. When size is too
 * small the list stops at the last method that fits whole. */
const char *router_allow_header(unsigned methods, char *out, size_t size);

#endif
