/* api_years.c — closing a training year for a subtree (issue 5): every officer
 * in post that year is evaluated afresh and the withdrawal flags of the year
 * are raised, in one transaction (schema 008's training_year_close_prepare,
 * hours_store_refresh, training_year_close_finish). Closing again raises
 * nothing twice and counts the closings. The preview answers what closing
 * would raise now from the stored evaluations, writing nothing; the closings
 * list shows which subtrees were closed. */
#include "api_years.h"

#include "api.h"
#include "arena.h"
#include "hours_store.h"
#include "json_in.h"
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The flag reasons (schema 008, withdrawal_flag_reason_valid). */
static const char *const year_reasons[] = {"hours_short", "assessment_fail_twice", "left_post",
                                           "not_eligible", NULL};
#define YEAR_ALL_REASONS "{hours_short,assessment_fail_twice,left_post,not_eligible}"

/* The flag that a condition c of year $2 matches (withdrawal_flag_evaluate's
 * rule): by certificate for certificate reasons, else by officer and year. */
#define YEAR_FLAG_MATCH                                                                      \
	" LEFT JOIN withdrawal_flag f ON f.reason = c.reason AND CASE WHEN c.certificate_id" \
	" IS NULL THEN f.certificate_id IS NULL AND f.officer_id = c.officer_id"             \
	" AND f.year = $2::int ELSE f.certificate_id = c.certificate_id END"

enum year_stmt {
	YEAR_ORG,
	YEAR_SCOPE_ROOT,
	YEAR_PREPARE,
	YEAR_FINISH,
	YEAR_PREVIEW_STALE,
	YEAR_PREVIEW_COUNTS,
	YEAR_PREVIEW_ITEMS,
	YEAR_CLOSINGS,
	YEAR_STMT_COUNT
};

static const struct db_field_error year_field_errors[] = {
        {"training_year_not_ended", "year", "not_ended",
         "该年度尚未结束，不能关闭 / the year has not ended: it cannot be closed",
         PROBLEM_CONFLICT},
        {"training_year_close_scope", "org_id", "unknown", "单位不存在 / unknown organisation",
         PROBLEM_VALIDATION},
        {"withdrawal_flag_scope", "org_id", "unknown", "单位不存在 / unknown organisation",
         PROBLEM_VALIDATION},
        {"training_year_close_org_exists", "org_id", "unknown", "单位不存在 / unknown organisation",
         PROBLEM_VALIDATION},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

static const struct db_stmt year_stmts[YEAR_STMT_COUNT] = {
        /* $1 org: its id and path when visible. */
        [YEAR_ORG] = {"year_org", "SELECT id, path::text FROM org WHERE id = $1"},
        /* The caller's whole scope: its root organisation (NULL for the whole tree)
         * and path ('' for the whole tree). */
        [YEAR_SCOPE_ROOT] = {"year_scope_root",
                             "SELECT (SELECT id FROM org WHERE path = tcard_scope()),"
                             " tcard_scope()::text"},
        /* $1 path, $2 year: status rows for every officer in post, old ones stale. */
        [YEAR_PREPARE] = {"year_close_prepare",
                          "SELECT training_year_close_prepare($1::ltree, $2::int)",
                          year_field_errors},
        /* $1 org or NULL, $2 path, $3 year: the flags raised and the closing. */
        [YEAR_FINISH] = {"year_close_finish",
                         "SELECT training_year_close_finish($1::bigint, $2::ltree, $3::int)",
                         year_field_errors},
        /* $1 path, $2 year: evaluations the preview cannot trust (stale, or made
         * before the year ended), and officers in post that year without one. */
        [YEAR_PREVIEW_STALE] =
                {"year_preview_stale",
                 "SELECT (SELECT count(*) FROM officer_year_status s WHERE s.year = $2::int"
                 " AND s.org_path <@ $1::ltree AND (s.stale OR s.evaluated_at <"
                 " make_timestamptz($2::int + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai'))),"
                 " (SELECT count(*) FROM officer o WHERE o.org_path <@ $1::ltree"
                 " AND officer_in_post_during(o.hire_date, o.status, o.status_date, $2::int)"
                 " AND NOT EXISTS (SELECT FROM officer_year_status s"
                 " WHERE s.officer_id = o.id AND s.year = $2::int))"},
        /* $1 path, $2 year, $3 reasons: {reason: {conditions, new}} for every reason. */
        [YEAR_PREVIEW_COUNTS] =
                {"year_preview_counts",
                 "SELECT jsonb_object_agg(r.reason, jsonb_build_object("
                 "'conditions', coalesce(n.conditions, 0), 'new', coalesce(n.fresh, 0)))"
                 " FROM unnest($3::text[]) r (reason) LEFT JOIN ("
                 "SELECT c.reason, count(*) AS conditions,"
                 " count(*) FILTER (WHERE f.id IS NULL) AS fresh"
                 " FROM withdrawal_conditions($1::ltree, NULL::bigint[], $2::int, $3::text[]) "
                 "c" YEAR_FLAG_MATCH " GROUP BY c.reason) n ON n.reason = r.reason"},
        /* $1 path, $2 year, $3 reasons, $4 after officer, $5 officers per page: the
         * conditions of the page's officers. */
        [YEAR_PREVIEW_ITEMS] =
                {"year_preview_items",
                 "WITH cond AS (SELECT * FROM withdrawal_conditions($1::ltree, NULL::bigint[],"
                 " $2::int, $3::text[])),"
                 " page AS (SELECT DISTINCT officer_id FROM cond WHERE officer_id > $4::bigint"
                 " ORDER BY officer_id LIMIT $5::int)"
                 " SELECT c.officer_id, jsonb_build_object('officer_id', c.officer_id,"
                 " 'name', o.name, 'org_id', o.org_id, 'org_name', tcard_org_name(o.org_id),"
                 " 'reason', c.reason, 'certificate_id', c.certificate_id,"
                 " 'details', c.details, 'existing_flag_id', f.id, 'existing_state', f.state)"
                 " FROM cond c JOIN page p ON p.officer_id = c.officer_id"
                 " JOIN officer o ON o.id = c.officer_id" YEAR_FLAG_MATCH
                 " ORDER BY c.officer_id, c.reason, c.certificate_id NULLS FIRST"},
        /* $1 year: the closings that cover the reader's units or lie within them. */
        [YEAR_CLOSINGS] = {"year_closings",
                           "SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.id,"
                           " 'org_id', c.org_id, 'org_name', tcard_org_name(c.org_id),"
                           " 'year', c.year, 'closed_at', c.closed_at, 'closed_by', c.closed_by,"
                           " 'closings', c.closings, 'last_result', c.last_result)"
                           " ORDER BY c.org_path, c.id), '[]')"
                           " FROM training_year_close c WHERE c.year = $1::int"},
};

const struct db_stmt_table api_years_statements = {year_stmts, YEAR_STMT_COUNT};

static const struct field_spec close_fields[] = {
        {"org_id", FIELD_INTEGER, 0, 0, NULL, "单位"},
};

/* A year that has not ended (the current one in China, or later) cannot be
 * closed or previewed: 409 on the field year, as the schema answers. */
static int year_refuse_open(struct request *req, const char *year)
{
	if (atoi(year) < api_today() / 10000)
		return 0;
	problem_set(&req->problem, PROBLEM_CONFLICT, "the year %s has not ended", year);
	return problem_field(
	        &req->problem, "year", "not_ended",
	        "该年度尚未结束，不能关闭 / the year has not ended: it cannot be closed");
}

/* The subtree a request works on, in the open transaction: org (visible, else a
 * field error on field) or, when NULL, the caller's whole scope. *org_id is
 * NULL for the whole tree; *path '' then. 0, or -1 with req->problem. */
static int year_subtree(struct request *req, const char *org, const char *field,
                        const char **org_id, const char **path)
{
	PGresult *res;

	if (org != NULL) {
		res = db_exec(req, &year_stmts[YEAR_ORG], 1, &org);
		if (res == NULL)
			return -1;
		if (PQntuples(res) == 0)
			return problem_field(&req->problem, field, "unknown",
			                     "单位不存在 / unknown organisation");
	} else {
		res = db_exec(req, &year_stmts[YEAR_SCOPE_ROOT], 0, NULL);
		if (res == NULL)
			return -1;
	}
	*org_id = PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0);
	*path = PQgetvalue(res, 0, 1);
	return 0;
}

int api_years_close(struct request *req)
{
	const char *year = api_year_param(req, "year"), *org = NULL, *org_id, *path;
	const char *params[3];
	const json_t *given;
	PGresult *res;

	if (year == NULL)
		return -1;
	if (json_in_check(req->json, close_fields, 1, 0, &req->problem) != 0)
		return -1;
	given = json_object_get(req->json, "org_id");
	if (json_is_integer(given)) {
		if (json_integer_value(given) < 1)
			return problem_field(&req->problem, "org_id", "unknown",
			                     "单位不存在 / unknown organisation");
		org = arena_printf(req->arena, "%lld", (long long)json_integer_value(given));
		if (org == NULL)
			return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	if (db_begin(req, DB_WRITE) != 0 || db_allow_long_statements(req) != 0 ||
	    year_subtree(req, org, "org_id", &org_id, &path) != 0)
		return -1;
	params[0] = path;
	params[1] = year;
	if (db_exec(req, &year_stmts[YEAR_PREPARE], 2, params) == NULL)
		return -1;
	/* Every officer-year of the subtree evaluated after the year's end. */
	if (hours_store_refresh(req) != 0)
		return -1;
	params[0] = org_id;
	params[1] = path;
	params[2] = year;
	res = db_exec(req, &year_stmts[YEAR_FINISH], 3, params);
	if (res == NULL || db_commit(req) != 0)
		return -1;
	return request_reply_json(req, 200, db_json(res, 0, 0));
}

/* The reasons asked for, as a text[] literal. */
static const char *year_reason_array(struct request *req, const char *reason)
{
	if (reason == NULL)
		return YEAR_ALL_REASONS;
	return arena_printf(req->arena, "{%s}", reason);
}

int api_years_preview(struct request *req)
{
	const char *year = api_year_param(req, "year"), *org, *reason, *org_id, *path;
	const char *params[5];
	struct api_page page;
	PGresult *stale, *counts, *items;
	json_t *officers, *list, *reply;
	int bad = 0, row;

	if (year == NULL)
		return -1;
	org = api_query_id(req, "org", &bad);
	reason = api_query_choice(req, "reason", year_reasons, &bad);
	if (api_page_read(req, &page) != 0 || bad || year_refuse_open(req, year) != 0)
		return -1;
	if (db_begin(req, DB_READ) != 0 || year_subtree(req, org, "org", &org_id, &path) != 0)
		return -1;
	params[0] = path;
	params[1] = year;
	params[2] = year_reason_array(req, reason);
	params[3] = page.after_id;
	params[4] = page.limit;
	if (params[2] == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	stale = db_exec(req, &year_stmts[YEAR_PREVIEW_STALE], 2, params);
	counts = stale != NULL ? db_exec(req, &year_stmts[YEAR_PREVIEW_COUNTS], 3, params) : NULL;
	items = counts != NULL ? db_exec(req, &year_stmts[YEAR_PREVIEW_ITEMS], 5, params) : NULL;
	if (items == NULL)
		return -1;
	/* Pages hold whole officers: the cursor follows the last officer's id. */
	officers = json_array();
	list = json_array();
	for (row = 0; officers != NULL && list != NULL && row < PQntuples(items); row++) {
		const char *officer = PQgetvalue(items, row, 0);

		if ((row == 0 || strcmp(officer, PQgetvalue(items, row - 1, 0)) != 0) &&
		    json_array_append_new(
		            officers, json_pack("{s:I}", "id", (json_int_t)atoll(officer))) != 0)
			break;
		if (json_array_append_new(list, db_json(items, row, 1)) != 0)
			break;
	}
	reply = api_page_reply(officers, &page);
	if (reply == NULL || list == NULL || row < PQntuples(items)) {
		json_decref(reply);
		json_decref(list);
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	if (json_object_set_new(reply, "items", list) != 0 ||
	    json_object_set_new(reply, "year", json_integer(atoi(year))) != 0 ||
	    json_object_set_new(reply, "org_id",
	                        org_id != NULL ? json_integer(atoll(org_id)) : json_null()) != 0 ||
	    json_object_set_new(reply, "stale", json_integer(atoll(PQgetvalue(stale, 0, 0)))) !=
	            0 ||
	    json_object_set_new(reply, "unevaluated",
	                        json_integer(atoll(PQgetvalue(stale, 0, 1)))) != 0 ||
	    json_object_set_new(reply, "counts", db_json(counts, 0, 0)) != 0) {
		json_decref(reply);
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	return request_reply_json(req, 200, reply);
}

int api_years_closings(struct request *req)
{
	const char *year = api_year_param(req, "year");
	PGresult *res;

	if (year == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &year_stmts[YEAR_CLOSINGS], 1, &year);
	if (res == NULL)
		return -1;
	return request_reply_json(req, 200, json_pack("{s:o?}", "items", db_json(res, 0, 0)));
}
