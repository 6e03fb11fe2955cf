/* api_exemptions.c — one officer's exemption for one year (long sick leave,
 * maternity leave, secondment): waive the year, or reduce its requirement,
 * with the reason and who approved it. Recorded and withdrawn by an admin or
 * an auditor of the officer's subtree (the supervising justice bureau); the
 * officer-year is re-evaluated in the same request. Withdrawing keeps the row. */
#include "api_exemptions.h"

#include "api.h"
#include "arena.h"
#include "hours_store.h"
#include "json_in.h"
#include "request.h"
#include "rules_hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXEMPTION_JSON                                                                   \
	"jsonb_build_object('id', e.id, 'officer_id', e.officer_id, 'year', e.year,"     \
	" 'kind', e.kind, 'reduced_units', e.reduced_units, 'reason', e.reason,"         \
	" 'approver', e.approver, 'recorded_by', e.recorded_by, 'revoked', e.revoked_at" \
	" IS NOT NULL, 'revoked_at', e.revoked_at, 'revoked_reason', e.revoked_reason,"  \
	" 'version', e.version, 'created_at', e.created_at, 'updated_at', e.updated_at)"

enum exemption_stmt { EXEMPTION_LIST, EXEMPTION_UPSERT, EXEMPTION_REVOKE, EXEMPTION_STMT_COUNT };

static const struct db_field_error exemption_field_errors[] = {
        {"hours_exemption_officer_exists", "officer_id", "unknown",
         "执法人员不存在 / unknown officer", PROBLEM_NOT_FOUND},
        {"hours_exemption_reason_length", "reason", "length",
         "事由为 1 至 500 个字符 / the reason needs 1 to 500 characters", PROBLEM_VALIDATION},
        {"hours_exemption_approver_length", "approver", "length",
         "审批人为 1 至 100 个字符 / the approver needs 1 to 100 characters", PROBLEM_VALIDATION},
        {"hours_exemption_revoked_reason_required", "reason", "required",
         "撤销须说明理由 / say why it is withdrawn", PROBLEM_VALIDATION},
        {"training_year_closed", "year", "closed", "该年度已关闭 / this year is closed",
         PROBLEM_CONFLICT},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

static const struct db_stmt exemption_stmts[EXEMPTION_STMT_COUNT] = {
        [EXEMPTION_LIST] = {"exemption_list",
                            "SELECT (SELECT coalesce(jsonb_agg(" EXEMPTION_JSON
                            " ORDER BY e.year DESC), '[]') FROM hours_exemption e"
                            " WHERE e.officer_id = o.id) FROM officer o WHERE o.id = $1"},
        /* $1 officer, $2 year, $3 kind, $4 reduced units, $5 reason, $6 approver,
         * $7 version or NULL. Recording again replaces it and undoes a withdrawal. */
        [EXEMPTION_UPSERT] = {"exemption_upsert",
                              "INSERT INTO hours_exemption AS e (officer_id, year, kind,"
                              " reduced_units, reason, approver)"
                              " SELECT o.id, $2, $3, $4, $5, $6 FROM officer o WHERE o.id = $1"
                              " ON CONFLICT (officer_id, year) DO UPDATE SET kind = EXCLUDED.kind,"
                              " reduced_units = EXCLUDED.reduced_units, reason = EXCLUDED.reason,"
                              " approver = EXCLUDED.approver, revoked_at = NULL,"
                              " revoked_reason = NULL, version = e.version + 1, updated_at = now()"
                              " WHERE $7::int IS NULL OR e.version = $7::int"
                              " RETURNING " EXEMPTION_JSON,
                              exemption_field_errors},
        [EXEMPTION_REVOKE] = {"exemption_revoke",
                              "UPDATE hours_exemption e SET revoked_at = now(),"
                              " revoked_reason = $3, version = e.version + 1, updated_at = now()"
                              " WHERE e.officer_id = $1 AND e.year = $2 AND e.revoked_at IS NULL"
                              " RETURNING " EXEMPTION_JSON,
                              exemption_field_errors},
};

const struct db_stmt_table api_exemptions_statements = {exemption_stmts, EXEMPTION_STMT_COUNT};

static const char *const exemption_kinds[] = {"waive", "reduce", NULL};

static const struct field_spec exemption_fields[] = {
        {"kind", FIELD_CHOICE, FIELD_REQUIRED, 0, exemption_kinds, "类型"},
        {"reason", FIELD_STRING, FIELD_REQUIRED, 500, NULL, "事由"},
        {"approver", FIELD_STRING, FIELD_REQUIRED, 100, NULL, "审批人"},
};

static const struct field_spec revoke_fields[] = {
        {"reason", FIELD_STRING, FIELD_REQUIRED, 500, NULL, "撤销理由"},
};

/* Runs a write that returns the exemption, refreshes the officer-year and replies. */
static int exemption_write(struct request *req, enum exemption_stmt stmt, int n,
                           const char *const *params, const char *none)
{
	PGresult *res;
	json_t *doc;

	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &exemption_stmts[stmt], n, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem,
		                   stmt == EXEMPTION_UPSERT && params[6] != NULL
		                           ? PROBLEM_PRECONDITION
		                           : PROBLEM_NOT_FOUND,
		                   "%s", none);
	doc = db_json(res, 0, 0);
	api_units_to_hours(doc, "reduced_units", "reduced_hours");
	if (doc == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (hours_store_refresh(req) != 0 || db_commit(req) != 0) {
		json_decref(doc);
		return -1;
	}
	return api_reply_doc(req, 200, doc, NULL);
}

int api_exemptions_list(struct request *req)
{
	const char *id = api_id_param(req, "id");
	PGresult *res;
	json_t *items, *item;
	size_t i;

	if (id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &exemption_stmts[EXEMPTION_LIST], 1, &id);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	items = db_json(res, 0, 0);
	json_array_foreach(items, i, item)
	        api_units_to_hours(item, "reduced_units", "reduced_hours");
	return request_reply_json(req, 200, json_pack("{s:o?}", "items", items));
}

int api_exemptions_put(struct request *req)
{
	const char *params[7], *version, *kind;
	const json_t *hours;
	int64_t units;

	params[0] = api_id_param(req, "id");
	params[1] = params[0] != NULL ? api_year_param(req, "year") : NULL;
	if (params[1] == NULL || api_if_match(req, &version) != 0)
		return -1;
	hours = json_object_get(req->json, "reduced_hours");
	if (hours != NULL)
		(void)json_incref((json_t *)hours),
		        (void)json_object_del(req->json, "reduced_hours");
	if (json_in_check(req->json, exemption_fields, 3, 0, &req->problem) != 0) {
		json_decref((json_t *)hours);
		return -1;
	}
	kind = json_in_string(req->arena, req->json, "kind");
	params[3] = NULL;
	if (kind != NULL && strcmp(kind, "reduce") == 0) {
		int bad = hours == NULL
		                  ? problem_field(&req->problem, "reduced_hours", "required",
		                                  "减免须给出学时 / reduce needs reduced_hours")
		                  : api_hours_amount(req, hours, "reduced_hours", &units);

		json_decref((json_t *)hours);
		if (bad != 0)
			return -1;
		params[3] = arena_printf(req->arena, "%lld", (long long)units);
	} else if (hours != NULL) {
		json_decref((json_t *)hours);
		return problem_field(&req->problem, "reduced_hours", "unexpected",
		                     "免除时不填学时 / waive takes no reduced_hours");
	}
	params[2] = kind;
	params[4] = json_in_string(req->arena, req->json, "reason");
	params[5] = json_in_string(req->arena, req->json, "approver");
	params[6] = version;
	return exemption_write(req, EXEMPTION_UPSERT, 7, params,
	                       "the exemption was changed meanwhile: read it again");
}

int api_exemptions_revoke(struct request *req)
{
	const char *params[3];

	params[0] = api_id_param(req, "id");
	params[1] = params[0] != NULL ? api_year_param(req, "year") : NULL;
	if (params[1] == NULL)
		return -1;
	if (json_in_check(req->json, revoke_fields, 1, 0, &req->problem) != 0)
		return -1;
	params[2] = json_in_string(req->arena, req->json, "reason");
	return exemption_write(req, EXEMPTION_REVOKE, 3, params,
	                       "no exemption in force for this officer and year");
}
