/* api.h — small helpers every api_*.c handler uses: numeric ids in paths,
 * cursor pagination, ETag / If-Match, and today's date in China. */
#ifndef TCARD_API_H
#define TCARD_API_H

#include "db.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct request;
struct field_spec;

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

/* The json column 0 of every row of res as an array, each document passed
 * through finish when given (it returns the document, or NULL on failure).
 * NULL when memory runs out or a row does not parse. */
json_t *api_rows_json(const PGresult *res, json_t *(*finish)(json_t *doc));

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
/* Replies with a resource document (stolen; NULL: 500 "unreadable row") with its
 * ETag, and for 201 its Location under collection. Returns 0. */
int api_reply_doc(struct request *req, unsigned status, json_t *doc, const char *collection);

/* A year path parameter, 2000..2099 (the years the schema holds); anything
 * else names nothing: NULL with 404. */
const char *api_year_param(struct request *req, const char *name);

/* A conditional UPDATE (… AND version = If-Match) changed no row: runs
 * version_stmt ($1 id → the current version) to answer 404 when the row is
 * missing or out of scope, else 412 naming the version. Returns -1. */
int api_update_missed(struct request *req, const struct db_stmt *version_stmt, const char *id,
                      const char *what);

/* Statements of the helpers below, for db_setup. */
extern const struct db_stmt_table api_statements;
/* 0 when organisation org_id is visible to the caller; else a field error on
 * field ("unknown organisation", exactly as for a missing one) and -1. */
int api_check_org_visible(struct request *req, const char *org_id, const char *field);

/* Today's date in Asia/Shanghai (UTC+8, no daylight saving) as YYYYMMDD. */
int api_today(void);

/* An optional query argument that must be one of choices; NULL when absent.
 * Sets a field error and returns NULL via *bad = 1 when it is not. */
const char *api_query_choice(struct request *req, const char *name, const char *const *choices,
                             int *bad);
/* An optional query argument that must be an id; NULL when absent. */
const char *api_query_id(struct request *req, const char *name, int *bad);

/* json_in_check of req->json, with one hours field (declared or credited hours)
 * checked apart because it takes two JSON types: a string of digits with at
 * most two decimals ("4.5") or an integer, never a JSON real (hours are exact,
 * doc/hours-engine.md), 0 < h <= 24 (hours_parse). *units is set to
 * API_HOURS_ABSENT, API_HOURS_NULL (JSON null, accepted when nullable) or the
 * units (1/36000 h). Returns 0, or -1 with every field error in req->problem. */
#define API_HOURS_ABSENT (-1)
#define API_HOURS_NULL   0
int api_check_body_hours(struct request *req, const struct field_spec *specs, size_t count,
                         int partial, const char *hours_name, int nullable, int64_t *units);

/* An amount of hours for a requirement, a minimum or a reduced requirement:
 * 0 to 1000 h with at most two decimals (hours_parse_amount), as a string
 * ("30.00") or an integer, never a JSON real; into units (1/36000 h). 0, or -1
 * with a field error. */
int api_hours_amount(struct request *req, const json_t *value, const char *field, int64_t *units);
/* Units as hours text ("12.50", rounded down): how every reply shows hours. */
json_t *api_hours_json(int64_t units);
/* Replaces doc's integer units_key by hours_key as hours text (null stays null). */
void api_units_to_hours(json_t *doc, const char *units_key, const char *hours_key);

#endif
