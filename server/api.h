/* api.h — small helpers every api_*.c handler uses: numeric ids in paths,
 * cursor pagination, ETag / If-Match, and today's date in China. */
#ifndef TCARD_API_H
#define TCARD_API_H

#include <jansson.h>
#include <stdint.h>

struct request;

/* An id path parameter as text (digits only, no leading zero). Anything else
 * answers 404, exactly like a missing id. NULL with req->problem set. */
const char *api_id_param(struct request *req, const char *name);

#define API_PAGE_DEFAULT 50
#define API_PAGE_MAX     500

struct api_page {
	char limit[8];     /* rows to return, as a statement parameter */
	char after_id[24]; /* cursor: rows with a larger id come next ("0" = from the start) */
	int limit_value;
};

/* Reads ?limit= and ?cursor=. 0, or -1 with a field error. */
int api_page_read(struct request *req, struct api_page *page);
/* Builds {"items": items, "next_cursor": …} (steals items). items are objects
 * with an "id"; a full page yields a cursor after the last one. */
json_t *api_page_reply(json_t *items, const struct api_page *page);

/* The If-Match version of a conditional write: "*" gives NULL (any version).
 * Returns 0 and sets *version (a digit string in the arena, or NULL), or -1
 * with 428 when the header is missing and 412 when it is malformed. */
int api_if_match(struct request *req, const char **version);
/* Sets ETag: "<version>" from a document's "version" member. */
void api_set_etag(struct request *req, const json_t *doc);
/* A document's "id" member as text in the arena (for audit targets), or NULL. */
const char *api_doc_id(struct request *req, const json_t *doc);
/* Sets Location: <collection>/<id> for a document just created. */
void api_set_location(struct request *req, const char *collection, const json_t *doc);

/* Today's date in Asia/Shanghai (UTC+8, no daylight saving) as YYYYMMDD. */
int api_today(void);

/* An optional query argument that must be one of choices; NULL when absent.
 * Sets a field error and returns NULL via *bad = 1 when it is not. */
const char *api_query_choice(struct request *req, const char *name, const char *const *choices,
                             int *bad);
/* An optional query argument that must be an id; NULL when absent. */
const char *api_query_id(struct request *req, const char *name, int *bad);

#endif
