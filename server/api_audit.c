/* api_audit.c — /api/v1/audit: the audit log for admins and auditors, filtered
 * and paged by seq, limited by row-level security to the reader's scope
 * (global entries need scope "all"); /api/v1/audit/verify re-checks the chain
 * and the checkpoints (audit.c). */
#include "api_audit.h"

#include "api.h"
#include "arena.h"
#include "audit.h"
#include "log.h"
#include "request.h"
#include "rules.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The JSON form of audit entry `a`. */
#define AUDIT_JSON                                                                             \
	"jsonb_build_object('seq', a.seq, 'at', a.at, 'actor', a.actor, 'user_id', a.user_id," \
	" 'action', a.action, 'target_type', a.target_type, 'target_id', a.target_id,"         \
	" 'org_path', a.org_path::text, 'before', a.before, 'after', a.after,"                 \
	" 'request_id', a.request_id, 'address', a.address, 'hash', encode(a.hash, 'hex'))"

/* $1 actor, $2 action, $3 target type, $4 target id, $5 from, $6 to (dates in
 * China, both included). */
#define AUDIT_FILTERS                                                                         \
	" WHERE ($1::text IS NULL OR a.actor = $1)"                                           \
	" AND ($2::text IS NULL OR a.action = $2)"                                            \
	" AND ($3::text IS NULL OR a.target_type = $3)"                                       \
	" AND ($4::text IS NULL OR a.target_id = $4)"                                         \
	" AND ($5::date IS NULL OR a.at >= $5::date::timestamp AT TIME ZONE 'Asia/Shanghai')" \
	" AND ($6::date IS NULL OR a.at < ($6::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')"

enum audit_list_stmt { AUDIT_LIST_ASC, AUDIT_LIST_DESC, AUDIT_LIST_STMT_COUNT };

/* $7 cursor (seq; 0 = from the start), $8 limit */
static const struct db_stmt audit_list_stmts[AUDIT_LIST_STMT_COUNT] = {
        [AUDIT_LIST_ASC] = {"audit_list_asc",
                            "SELECT coalesce(jsonb_agg(doc ORDER BY seq), '[]') FROM ("
                            " SELECT a.seq, " AUDIT_JSON " AS doc FROM audit_log a" AUDIT_FILTERS
                            " AND a.seq > $7 ORDER BY a.seq LIMIT $8) page",
                            NULL},
        [AUDIT_LIST_DESC] = {"audit_list_desc",
                             "SELECT coalesce(jsonb_agg(doc ORDER BY seq DESC), '[]') FROM ("
                             " SELECT a.seq, " AUDIT_JSON " AS doc FROM audit_log a" AUDIT_FILTERS
                             " AND ($7 = 0 OR a.seq < $7) ORDER BY a.seq DESC LIMIT $8) page",
                             NULL},
};

const struct db_stmt_table api_audit_statements = {audit_list_stmts, AUDIT_LIST_STMT_COUNT};

static const char *const audit_orders[] = {"asc", "desc", NULL};

/* An optional text filter of at most 100 bytes. */
static const char *audit_query_text(struct request *req, const char *name, int *bad)
{
	const char *value = request_query(req, name);

	if (value == NULL || strlen(value) <= 100)
		return value;
	*bad = 1;
	problem_field(&req->problem, name, "too_long", "过长 / at most 100 characters");
	return NULL;
}

/* An optional date filter, YYYY-MM-DD. */
static const char *audit_query_date(struct request *req, const char *name, int *bad)
{
	const char *value = request_query(req, name);
	struct rules_date date;

	if (value == NULL || rules_date_parse(value, &date) == 0)
		return value;
	*bad = 1;
	problem_field(&req->problem, name, "date",
	              "日期应为 YYYY-MM-DD 且真实存在 / must be a real date, YYYY-MM-DD");
	return NULL;
}

/* {"items": items, "next_cursor": …}: a full page gets a cursor after its last
 * entry's seq, in the form api.c gives every list ("i:<n>", base64url). */
static json_t *audit_page_reply(json_t *items, const struct api_page *page)
{
	json_t *reply;
	char raw[32], cursor[64];
	int n;

	if (items == NULL)
		return NULL;
	reply = json_pack("{s:o, s:n}", "items", items, "next_cursor");
	if (reply == NULL || (int)json_array_size(items) < page->limit_value)
		return reply;
	n = snprintf(raw, sizeof(raw), "i:%lld",
	             (long long)json_integer_value(json_object_get(
	                     json_array_get(items, json_array_size(items) - 1), "seq")));
	(void)sodium_bin2base64(cursor, sizeof(cursor), (const unsigned char *)raw, (size_t)n,
	                        sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	(void)json_object_set_new(reply, "next_cursor", json_string(cursor));
	return reply;
}

int api_audit_list(struct request *req)
{
	struct api_page page;
	const char *params[8], *order;
	PGresult *res;
	int bad = 0;

	params[0] = audit_query_text(req, "actor", &bad);
	params[1] = audit_query_text(req, "action", &bad);
	params[2] = audit_query_text(req, "target_type", &bad);
	params[3] = audit_query_text(req, "target_id", &bad);
	params[4] = audit_query_date(req, "from", &bad);
	params[5] = audit_query_date(req, "to", &bad);
	order = api_query_choice(req, "order", audit_orders, &bad);
	if (api_page_read(req, &page) != 0 || bad)
		return -1;
	params[6] = page.after_id;
	params[7] = page.limit;
	if (db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(
	        req,
	        &audit_list_stmts[order != NULL && strcmp(order, "desc") == 0 ? AUDIT_LIST_DESC
	                                                                      : AUDIT_LIST_ASC],
	        8, params);
	if (res == NULL)
		return -1;
	return request_reply_json(req, 200, audit_page_reply(db_json(res, 0, 0), &page));
}

int api_audit_verify(struct request *req)
{
	struct audit_report report;
	struct err err = {{0}};
	char quoted[600];

	switch (audit_verify(&report, 0, &err)) {
	case AUDIT_VERIFIED:
		return request_reply_json(req, 200, audit_report_json(&report));
	case AUDIT_BUSY:
		(void)request_add_header(req, "Retry-After", "5");
		return problem_set(
		        &req->problem, PROBLEM_UNAVAILABLE,
		        "a verification of the audit chain is running; try again shortly");
	default:
		log_event(LOG_ERROR, "audit_verify_failed", "request_id=%s reason=%s", req->id,
		          log_quote(quoted, sizeof(quoted), err.message));
		return problem_set(&req->problem, PROBLEM_UNAVAILABLE,
		                   "the audit chain cannot be read now");
	}
}
