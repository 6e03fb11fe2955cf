/* request.h — the state of one HTTP request as handlers see it: who asks,
 * what was matched, the parsed body, the reply being built, and the problem
 * that becomes problem+json if the handler fails. Free of libmicrohttpd types
 * so that db.c and the api_* files do not depend on the HTTP library. */
#ifndef TCARD_REQUEST_H
#define TCARD_REQUEST_H

#include "buf.h"
#include "problem.h"
#include "router.h"

#include <jansson.h>
#include <stdint.h>

struct arena;
struct db;
struct MHD_Connection;

/* Who makes the request. scope is the organisation subtree the principal may
 * see: "all", or an ltree path such as "1.4.17"; never empty. */
struct principal {
	enum role role; /* ROLE_PUBLIC when nobody is logged in */
	const char *scope;
	const char *actor;  /* user name for history and audit entries */
	int64_t user_id;    /* 0 when nobody is logged in */
	int64_t officer_id; /* the officer's own record for ROLE_OFFICER, else 0 */
	int64_t session_id; /* the browser session, or 0 (API token, nobody) */
	int64_t token_id;   /* the API token, or 0 */
	const char *csrf;   /* the session's CSRF token (arena), or NULL */
	int must_change_password;
};

#define REQUEST_MAX_HEADERS 8

/* A ROUTE_BODY_STREAM route's body. http.c runs the route's handler once the
 * head was accepted (route, framing, authorisation) and before any body byte
 * is read; the handler either fails (the reply is sent at once) or sets chunk
 * and finish. chunk gets each piece of the body as it arrives (0, or -1 with
 * req->problem set: the rest is discarded and the problem is the reply);
 * finish runs once the whole body arrived and builds the reply; release runs
 * when the request ends, completed or aborted (a client gone mid-upload), and
 * must free state. The handler is never re-run: a body cannot be read twice. */
struct request_stream {
	int (*chunk)(struct request *req, const char *data, size_t len);
	int (*finish)(struct request *req);
	void (*release)(struct request *req);
	void *state;
	size_t max;      /* bytes allowed (http_config.stream_body_max) */
	size_t received; /* bytes so far */
};

struct request {
	struct MHD_Connection *conn; /* borrowed from libmicrohttpd */
	struct arena *arena;         /* request-scoped memory; freed when the request ends */
	unsigned method;             /* enum http_method */
	const char *path;            /* the URL path, borrowed */
	char id[33];                 /* request id: in the response, the log and the audit */
	char address[64];            /* the client's IP address as text */
	struct route_match match;
	struct buf body;
	json_t *json; /* the parsed body of a ROUTE_BODY_JSON route (owned) */
	struct principal principal;
	struct db *db; /* this worker's connection; set by db_begin */
	struct problem problem;

	/* The reply: either json (owned) or raw (malloc'd, owned) with its type. */
	unsigned status;
	json_t *reply_json;
	char *reply_raw;
	size_t reply_raw_len;
	const char *reply_type;
	struct {
		const char *name, *value; /* arena strings */
	} headers[REQUEST_MAX_HEADERS];
	int nheaders;

	int64_t started_ns;
	int early; /* a reply was decided before the body was read */
	int discard_body;
	size_t discarded;
	struct request_stream stream; /* ROUTE_BODY_STREAM only */
};

/* Path parameter by name ("id" for /officers/{id}), NUL-terminated in the arena; NULL if absent. */
const char *request_param(struct request *req, const char *name);
/* Query-string argument (decoded) or NULL. */
const char *request_query(struct request *req, const char *name);
/* Request header or NULL. */
const char *request_header(struct request *req, const char *name);

/* Sets a JSON reply (steals the reference; NULL means out of memory -> 500). Returns 0. */
int request_reply_json(struct request *req, unsigned status, json_t *body);
/* Sets a raw reply (steals the malloc'd body). Returns 0. */
int request_reply_raw(struct request *req, unsigned status, const char *content_type, char *body,
                      size_t len);
/* Adds a response header (both strings copied). Returns 0 or -1 when full. */
int request_add_header(struct request *req, const char *name, const char *value);

#endif
