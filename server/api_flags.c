/* api_flags.c — withdrawal flags (issue 5, DOMAIN.md rules 8–10): lists by
 * unit, year, reason and state; the open flags counted per unit and reason; one
 * flag with its history; and the auditor's review. Confirming applies the
 * chosen action (suspend, withdraw, cancel) to the certificates in the same
 * transaction (withdrawal_flag_confirm); dismissing needs a reason. Flags are
 * raised and re-evaluated by the schema only; every change lands in the audit
 * log through its triggers. */
#include "api_flags.h"

#include "api.h"
#include "arena.h"
#include "json_in.h"
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A flag f with its officer o, the officer's unit g and the certificate c. */
#define FLAG_JSON                                                                            \
	"jsonb_build_object('id', f.id, 'officer_id', f.officer_id, 'officer_name', o.name," \
	" 'org_id', o.org_id, 'org_name', g.name, 'year', f.year, 'reason', f.reason,"       \
	" 'certificate_id', f.certificate_id, 'certificate_number', c.number,"               \
	" 'details', f.details, 'holds', f.holds, 'state', f.state,"                         \
	" 'review_action', f.review_action, 'review_note', f.review_note,"                   \
	" 'reviewed_by', f.reviewed_by, 'reviewed_at', f.reviewed_at, 'version', f.version," \
	" 'created_at', f.created_at, 'updated_at', f.updated_at)"
#define FLAG_FROM                                                       \
	" FROM withdrawal_flag f JOIN officer o ON o.id = f.officer_id" \
	" LEFT JOIN org g ON g.id = o.org_id LEFT JOIN certificate c ON c.id = f.certificate_id"
/* $1 org (its subtree), $2 year, $3 reason, $4 state: NULL = any. */
#define FLAG_FILTERS                                                                        \
	" WHERE ($1::bigint IS NULL OR f.org_path <@ (SELECT path FROM org WHERE id = $1))" \
	" AND ($2::int IS NULL OR f.year = $2::int)"                                        \
	" AND ($3::text IS NULL OR f.reason = $3) AND ($4::text IS NULL OR f.state = $4)"

enum flag_stmt {
	FLAG_LIST,
	FLAG_SUMMARY,
	FLAG_GET,
	FLAG_HISTORY,
	FLAG_CONFIRM,
	FLAG_DISMISS,
	FLAG_STATE,
	FLAG_STMT_COUNT
};

static const struct db_field_error flag_field_errors[] = {
        {"withdrawal_flag_review", "state", "reviewed",
         "该标记已复核或已失效，不能再确认 / the flag was reviewed already or has lapsed",
         PROBLEM_CONFLICT},
        {"withdrawal_flag_review_note_length", "note", "too_long",
         "说明最多 500 个字符 / at most 500 characters", PROBLEM_VALIDATION},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

static const struct db_field_error dismiss_field_errors[] = {
        {"withdrawal_flag_review", "state", "reviewed",
         "只有待复核或已失效的标记可以驳回 / only an open or lapsed flag is dismissed",
         PROBLEM_CONFLICT},
        {"withdrawal_flag_review_note_length", "reason", "too_long",
         "理由最多 500 个字符 / at most 500 characters", PROBLEM_VALIDATION},
        {"withdrawal_flag_review_fits", "reason", "required",
         "驳回须说明理由 / say why the flag is dismissed", PROBLEM_VALIDATION},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

static const struct db_stmt flag_stmts[FLAG_STMT_COUNT] = {
        /* FLAG_FILTERS, $5 officer or NULL, $6 after id, $7 limit */
        [FLAG_LIST] = {"flag_list", "SELECT " FLAG_JSON FLAG_FROM FLAG_FILTERS
                                    " AND ($5::bigint IS NULL OR f.officer_id = $5)"
                                    " AND f.id > $6::bigint ORDER BY f.id LIMIT $7::int"},
        /* FLAG_FILTERS: counted per unit of the officer and reason. */
        [FLAG_SUMMARY] = {"flag_summary",
                          "SELECT coalesce(jsonb_agg(jsonb_build_object('org_id', x.org_id,"
                          " 'org_name', x.org_name, 'reason', x.reason, 'count', x.n)"
                          " ORDER BY x.org_path, x.org_id, x.reason), '[]')"
                          " FROM (SELECT o.org_id, g.name AS org_name, g.path AS org_path,"
                          " f.reason, count(*) AS n" FLAG_FROM FLAG_FILTERS
                          " GROUP BY o.org_id, g.name, g.path, f.reason) x"},
        [FLAG_GET] = {"flag_get", "SELECT " FLAG_JSON FLAG_FROM " WHERE f.id = $1"},
        /* Oldest first. */
        [FLAG_HISTORY] = {"flag_history",
                          "SELECT coalesce(jsonb_agg(jsonb_build_object('at', e.at,"
                          " 'actor', e.actor, 'event', e.event, 'holds', e.holds,"
                          " 'details', e.details, 'note', e.note) ORDER BY e.id), '[]')"
                          " FROM withdrawal_flag_event e WHERE e.flag_id = $1"},
        /* $1 flag, $2 action, $3 note or NULL: NULL when the flag is not visible. */
        [FLAG_CONFIRM] = {"flag_confirm", "SELECT withdrawal_flag_confirm($1::bigint, $2, $3)",
                          flag_field_errors},
        /* $1 flag, $2 reason */
        [FLAG_DISMISS] = {"flag_dismiss",
                          "UPDATE withdrawal_flag f SET state = 'dismissed', review_note = $2,"
                          " version = f.version + 1, updated_at = now()"
                          " WHERE f.id = $1 AND f.state IN ('open', 'lapsed') RETURNING f.id",
                          dismiss_field_errors},
        [FLAG_STATE] = {"flag_state", "SELECT state FROM withdrawal_flag WHERE id = $1"},
};

const struct db_stmt_table api_flags_statements = {flag_stmts, FLAG_STMT_COUNT};

static const char *const flag_reasons[] = {"hours_short", "assessment_fail_twice", "left_post",
                                           "not_eligible", NULL};
static const char *const flag_states[] = {"open", "confirmed", "dismissed", "lapsed", NULL};
static const char *const flag_actions[] = {"suspend", "withdraw", "cancel", NULL};

static const struct field_spec confirm_fields[] = {
        {"action", FIELD_CHOICE, FIELD_REQUIRED, 0, flag_actions, "处理方式"},
        {"note", FIELD_STRING, 0, 500, NULL, "说明"},
};

static const struct field_spec dismiss_fields[] = {
        {"reason", FIELD_STRING, FIELD_REQUIRED, 500, NULL, "驳回理由"},
};

/* An evaluation's details as served: hours as text, not units. */
static void flag_details_finish(json_t *details)
{
	json_t *shortfall;
	size_t i;

	if (!json_is_object(details))
		return;
	api_units_to_hours(details, "counted_units", "counted_hours");
	api_units_to_hours(details, "required_units", "required_hours");
	json_array_foreach(json_object_get(details, "shortfalls"), i, shortfall)
	{
		api_units_to_hours(shortfall, "required_units", "required_hours");
		api_units_to_hours(shortfall, "missing_units", "missing_hours");
	}
}

static json_t *flag_finish(json_t *doc)
{
	flag_details_finish(json_object_get(doc, "details"));
	return doc;
}

/* ?year=: 2000..2099; NULL when absent. */
static const char *flag_query_year(struct request *req, int *bad)
{
	const char *value = request_query(req, "year");

	if (value == NULL)
		return NULL;
	if (strlen(value) == 4 && strspn(value, "0123456789") == 4 && strncmp(value, "20", 2) == 0)
		return value;
	*bad = 1;
	problem_field(&req->problem, "year", "range",
	              "年度应为 2000 至 2099 / the year is 2000 to 2099");
	return NULL;
}

/* The filters shared by the list and the summary into params[0..3]; the org,
 * when given, must be visible. 0, or -1 with req->problem (the transaction
 * is opened here). */
static int flag_filters(struct request *req, const char **params, const char *default_state,
                        struct api_page *page)
{
	int bad = 0;

	params[0] = api_query_id(req, "org", &bad);
	params[1] = flag_query_year(req, &bad);
	params[2] = api_query_choice(req, "reason", flag_reasons, &bad);
	params[3] = api_query_choice(req, "state", flag_states, &bad);
	if (params[3] == NULL && !bad)
		params[3] = default_state;
	if (page != NULL) {
		params[4] = api_query_id(req, "officer", &bad);
		if (api_page_read(req, page) != 0)
			return -1;
	}
	if (bad)
		return -1;
	if (db_begin(req, DB_READ) != 0 ||
	    (params[0] != NULL && api_check_org_visible(req, params[0], "org") != 0))
		return -1;
	return 0;
}

int api_flags_list(struct request *req)
{
	struct api_page page;
	const char *params[7];
	json_t *items;
	PGresult *res;

	if (flag_filters(req, params, NULL, &page) != 0)
		return -1;
	params[5] = page.after_id;
	params[6] = page.limit;
	res = db_exec(req, &flag_stmts[FLAG_LIST], 7, params);
	if (res == NULL)
		return -1;
	items = api_rows_json(res, flag_finish);
	return request_reply_json(req, 200, api_page_reply(items, &page));
}

int api_flags_summary(struct request *req)
{
	const char *params[4];
	PGresult *res;

	if (flag_filters(req, params, "open", NULL) != 0)
		return -1;
	res = db_exec(req, &flag_stmts[FLAG_SUMMARY], 4, params);
	if (res == NULL)
		return -1;
	return request_reply_json(req, 200, json_pack("{s:o?}", "items", db_json(res, 0, 0)));
}

/* The flag id in the open transaction as a document (new reference), with its
 * history when asked. NULL with req->problem (404 when not visible). */
static json_t *flag_document(struct request *req, const char *id, int with_history)
{
	PGresult *res = db_exec(req, &flag_stmts[FLAG_GET], 1, &id);
	json_t *doc, *history, *event;
	size_t i;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
		return NULL;
	}
	doc = flag_finish(db_json(res, 0, 0));
	if (doc != NULL && with_history) {
		res = db_exec(req, &flag_stmts[FLAG_HISTORY], 1, &id);
		if (res == NULL) {
			json_decref(doc);
			return NULL;
		}
		history = db_json(res, 0, 0);
		json_array_foreach(history, i, event)
		        flag_details_finish(json_object_get(event, "details"));
		if (history == NULL || json_object_set_new(doc, "history", history) != 0) {
			json_decref(doc);
			doc = NULL;
		}
	}
	if (doc == NULL)
		problem_set(&req->problem, PROBLEM_INTERNAL, "unreadable row");
	return doc;
}

int api_flags_get(struct request *req)
{
	const char *id = api_id_param(req, "id");
	json_t *doc;

	if (id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	doc = flag_document(req, id, 1);
	if (doc == NULL)
		return -1;
	return api_reply_doc(req, 200, doc, NULL);
}

int api_flags_confirm(struct request *req)
{
	const char *params[3];
	PGresult *res;
	json_t *result, *doc;

	params[0] = api_id_param(req, "id");
	if (params[0] == NULL)
		return -1;
	if (json_in_check(req->json, confirm_fields, 2, 0, &req->problem) != 0)
		return -1;
	params[1] = json_in_string(req->arena, req->json, "action");
	params[2] = json_in_string(req->arena, req->json, "note");
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &flag_stmts[FLAG_CONFIRM], 3, params);
	if (res == NULL) {
		/* A certificate that cannot take the action: the database's message
		 * names the actions its status allows. */
		if (req->problem.type == PROBLEM_CONFLICT && !problem_has_fields(&req->problem) &&
		    strstr(req->problem.detail, "allowed actions") != NULL) {
			const char *message = arena_printf(
			        req->arena, "证书当前状态不允许此处理 / %s", req->problem.detail);

			return problem_field(&req->problem, "action", "transition",
			                     message != NULL ? message : req->problem.detail);
		}
		return -1;
	}
	if (PQgetisnull(res, 0, 0))
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	result = db_json(res, 0, 0);
	doc = result != NULL ? flag_document(req, params[0], 0) : NULL;
	if (doc == NULL || db_commit(req) != 0) {
		json_decref(result);
		json_decref(doc);
		return result == NULL
		               ? problem_set(&req->problem, PROBLEM_INTERNAL, "unreadable row")
		               : -1;
	}
	(void)json_object_set(doc, "certificates", json_object_get(result, "certificates"));
	json_decref(result);
	return api_reply_doc(req, 200, doc, NULL);
}

int api_flags_dismiss(struct request *req)
{
	const char *params[2];
	PGresult *res;
	json_t *doc;

	params[0] = api_id_param(req, "id");
	if (params[0] == NULL)
		return -1;
	if (json_in_check(req->json, dismiss_fields, 1, 0, &req->problem) != 0)
		return -1;
	params[1] = json_in_string(req->arena, req->json, "reason");
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &flag_stmts[FLAG_DISMISS], 2, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		res = db_exec(req, &flag_stmts[FLAG_STATE], 1, params);
		if (res == NULL)
			return -1;
		if (PQntuples(res) == 0)
			return problem_set(&req->problem, PROBLEM_NOT_FOUND,
			                   "no resource at this path");
		problem_set(&req->problem, PROBLEM_CONFLICT,
		            "the flag is %s: only an open or lapsed flag is dismissed",
		            PQgetvalue(res, 0, 0));
		return problem_field(&req->problem, "state", "reviewed",
		                     "只有待复核或已失效的标记可以驳回 / only an open or lapsed "
		                     "flag is dismissed");
	}
	doc = flag_document(req, params[0], 0);
	if (doc == NULL || db_commit(req) != 0) {
		json_decref(doc);
		return -1;
	}
	return api_reply_doc(req, 200, doc, NULL);
}
