/* api_assessments.c — one officer's annual assessments (年度考核, DOMAIN.md rule
 * 9): read by anyone who may see the officer (an officer its own), recorded or
 * corrected by HR or an admin of the officer's subtree, one grade per year. A
 * change to a closed year's assessment re-evaluates the 'assessment_fail_twice'
 * flags of that year and the next in the same transaction (schema 008's
 * triggers); the history is the audit log's. */
#include "api_assessments.h"

#include "api.h"
#include "arena.h"
#include "json_in.h"
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSESSMENT_JSON                                                              \
	"jsonb_build_object('id', a.id, 'officer_id', a.officer_id, 'year', a.year," \
	" 'grade', a.grade, 'note', a.note, 'recorded_by', a.recorded_by,"           \
	" 'version', a.version, 'created_at', a.created_at, 'updated_at', a.updated_at)"

enum assessment_stmt {
	ASSESSMENT_LIST,
	ASSESSMENT_UPSERT,
	ASSESSMENT_VERSION,
	ASSESSMENT_STMT_COUNT
};

const struct db_field_error api_assessment_field_errors[] = {
        {"annual_assessment_officer_exists", "officer_id", "unknown",
         "执法人员不存在 / unknown officer", PROBLEM_NOT_FOUND},
        {"annual_assessment_year_range", "year", "range",
         "年度应为 2000 至 2099 / the year is 2000 to 2099", PROBLEM_VALIDATION},
        {"annual_assessment_grade_valid", "grade", "choice",
         "考核等次为 excellent、pass、basic、fail / the grade is excellent, pass, basic or fail",
         PROBLEM_VALIDATION},
        {"annual_assessment_note_length", "note", "too_long",
         "备注最多 500 个字符 / the note has at most 500 characters", PROBLEM_VALIDATION},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

static const struct db_stmt assessment_stmts[ASSESSMENT_STMT_COUNT] = {
        /* $1 officer: its assessments, newest year first; no row when not visible. */
        [ASSESSMENT_LIST] = {"assessment_list",
                             "SELECT (SELECT coalesce(jsonb_agg(" ASSESSMENT_JSON
                             " ORDER BY a.year DESC), '[]') FROM annual_assessment a"
                             " WHERE a.officer_id = o.id) FROM officer o WHERE o.id = $1"},
        /* $1 officer, $2 year, $3 grade, $4 note, $5 version or NULL (If-Match: *).
         * A version names an existing assessment: none to update writes nothing. */
        [ASSESSMENT_UPSERT] =
                {"assessment_upsert",
                 "INSERT INTO annual_assessment AS a (officer_id, year, grade, note)"
                 " SELECT o.id, $2::int, $3, coalesce($4, '') FROM officer o WHERE o.id = $1"
                 " AND ($5::int IS NULL OR EXISTS (SELECT FROM annual_assessment x"
                 " WHERE x.officer_id = o.id AND x.year = $2::int))"
                 " ON CONFLICT (officer_id, year) DO UPDATE SET grade = EXCLUDED.grade,"
                 " note = EXCLUDED.note, version = a.version + 1, updated_at = now()"
                 " WHERE $5::int IS NULL OR a.version = $5::int"
                 " RETURNING " ASSESSMENT_JSON,
                 api_assessment_field_errors},
        /* $1 officer, $2 year: no row when the officer is not visible; else the
         * assessment's version, or NULL when there is none. */
        [ASSESSMENT_VERSION] = {"assessment_version",
                                "SELECT a.version FROM officer o LEFT JOIN annual_assessment a"
                                " ON a.officer_id = o.id AND a.year = $2::int WHERE o.id = $1"},
};

const struct db_stmt_table api_assessments_statements = {assessment_stmts, ASSESSMENT_STMT_COUNT};

const char *const api_assessment_grades[] = {"excellent", "pass", "basic", "fail", NULL};

const struct field_spec api_assessment_fields[] = {
        {"grade", FIELD_CHOICE, FIELD_REQUIRED, 0, api_assessment_grades, "考核等次"},
        {"note", FIELD_STRING, 0, 500, NULL, "备注"},
};
const size_t api_assessment_field_count =
        sizeof(api_assessment_fields) / sizeof(api_assessment_fields[0]);

int api_assessment_check_year(struct problem *p, int year, const char *field)
{
	/* A year is assessed once it has begun; a later one is a typing error. */
	if (year > api_today() / 10000)
		return problem_field(p, field, "not_begun",
		                     "该年度尚未开始 / this year has not begun yet");
	return 0;
}

int api_assessments_list(struct request *req)
{
	const char *id = api_id_param(req, "id");
	PGresult *res;

	if (id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &assessment_stmts[ASSESSMENT_LIST], 1, &id);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	return request_reply_json(req, 200, json_pack("{s:o?}", "items", db_json(res, 0, 0)));
}

/* The upsert wrote nothing: 404 when the officer is not visible, else 412. */
static int assessment_missed(struct request *req, const char *const *params)
{
	PGresult *res = db_exec(req, &assessment_stmts[ASSESSMENT_VERSION], 2, params);

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	if (PQgetisnull(res, 0, 0))
		return problem_set(&req->problem, PROBLEM_PRECONDITION,
		                   "there is no assessment for this year yet: send If-Match: *");
	return problem_set(&req->problem, PROBLEM_PRECONDITION,
	                   "the assessment was changed meanwhile (now version %s): read it again",
	                   PQgetvalue(res, 0, 0));
}

int api_assessments_put(struct request *req)
{
	const char *params[5], *version;
	PGresult *res;

	params[0] = api_id_param(req, "id");
	params[1] = params[0] != NULL ? api_year_param(req, "year") : NULL;
	if (params[1] == NULL || api_if_match(req, &version) != 0)
		return -1;
	(void)json_in_check(req->json, api_assessment_fields, api_assessment_field_count, 0,
	                    &req->problem);
	(void)api_assessment_check_year(&req->problem, atoi(params[1]), "year");
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	params[2] = json_in_string(req->arena, req->json, "grade");
	params[3] = json_in_string(req->arena, req->json, "note");
	params[4] = version;
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &assessment_stmts[ASSESSMENT_UPSERT], 5, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return assessment_missed(req, params);
	if (db_commit(req) != 0)
		return -1;
	return api_reply_doc(req, 200, db_json(res, 0, 0), NULL);
}
