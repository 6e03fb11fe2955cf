/* api_attendance.c — attendance records (培训登记): registering many officers on a
 * session in one statement (by id or by national ID, looked up through its blind
 * index), the records of a session, and HR's corrections: partial attendance
 * (an override of the credited hours) and revocation, each with its reason.
 * Every write re-evaluates the officer-years it changed before the commit. */
#include "api_attendance.h"

#include "api.h"
#include "arena.h"
#include "hours_store.h"
#include "json_in.h"
#include "pii.h"
#include "request.h"
#include "rules.h"
#include "rules_hours.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this many officers per registration (one rotation round of a large unit). */
#define ATTENDANCE_BATCH_MAX 2000

/* The JSON form of record `a` and its officer `o`. The raw credit (units, untimed
 * minutes and the minutes per hour of the policy that applies) becomes
 * credited_hours in attendance_finish. */
#define ATTENDANCE_JSON                                                                          \
	"jsonb_build_object('id', a.id, 'session_id', a.session_id,"                             \
	" 'officer', jsonb_build_object('id', o.id, 'name', o.name,"                             \
	"  'national_id_masked', o.national_id_masked, 'org_id', o.org_id),"                     \
	" 'status', CASE WHEN a.revoked_at IS NOT NULL THEN 'revoked'"                           \
	"  WHEN a.override_units IS NOT NULL THEN 'partial' ELSE 'attended' END,"                \
	" 'override_units', a.override_units, 'override_reason', a.override_reason,"             \
	" 'revoked_at', a.revoked_at, 'revoked_reason', a.revoked_reason,"                       \
	" 'year', a.year, 'category', a.category, 'platform', a.platform,"                       \
	" 'credited_units', a.credited_units, 'credited_minutes', a.credited_minutes,"           \
	" 'minutes_per_hour', coalesce((hours_policy_for(a.org_path, a.year)).minutes_per_hour," \
	"  45), 'version', a.version, 'created_at', a.created_at, 'updated_at', a.updated_at)"

static const struct db_field_error attendance_field_errors[] = {
        {"attendance_override_units_valid", "credited_hours", "range",
         "学时应大于 0、不超过 24 且最多两位小数 / more than 0, at most 24, two decimals",
         PROBLEM_VALIDATION},
        {"attendance_override_reason_required", "override_reason", "required",
         "调整学时须说明原因 / an override needs its reason", PROBLEM_VALIDATION},
        {"attendance_override_reason_without_override", "override_reason", "without_override",
         "未调整学时，不能填写调整原因 / a reason without an override", PROBLEM_VALIDATION},
        {"attendance_override_reason_length", "override_reason", "too_long",
         "原因最多 500 个字符 / at most 500 characters", PROBLEM_VALIDATION},
        {"attendance_revoked_reason_required", "revoked_reason", "required",
         "撤销登记须说明原因 / a revocation needs its reason", PROBLEM_VALIDATION},
        {"attendance_revoked_reason_without_revoke", "revoked_reason", "without_revoke",
         "登记未撤销，不能填写撤销原因 / a reason without a revocation", PROBLEM_VALIDATION},
        {"attendance_revoked_reason_length", "revoked_reason", "too_long",
         "原因最多 500 个字符 / at most 500 characters", PROBLEM_VALIDATION},
        {"attendance_officer_exists", "officers", "unknown", "人员不存在 / unknown officer",
         PROBLEM_VALIDATION},
        {"attendance_session_exists", "session_id", "unknown",
         "培训不存在 / unknown training session", PROBLEM_VALIDATION},
        {"training_year_closed", "session_id", "year_closed",
         "该培训年度已关闭 / the training year is closed", PROBLEM_CONFLICT},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

enum attendance_stmt {
	ATTENDANCE_SESSION_VISIBLE,
	ATTENDANCE_REGISTER,
	ATTENDANCE_LIST,
	ATTENDANCE_UPDATE,
	ATTENDANCE_VERSION,
	ATTENDANCE_STMT_COUNT
};

static const struct db_stmt attendance_stmts[ATTENDANCE_STMT_COUNT] = {
        [ATTENDANCE_SESSION_VISIBLE] = {"api_attendance_session_visible",
                                        "SELECT 1 FROM training_session WHERE id = $1", NULL},
        /* $1 session, $2 [{pos, officer_id} | {pos, idx (hex blind index)}], $3 override
	 * units, $4 override reason. One statement: each position resolved (under the
	 * caller's scope, so an officer out of scope is as unknown as a missing one); if
	 * any is unknown nothing is inserted; the same officer twice is one record, and
	 * one already registered is left as it is. */
        [ATTENDANCE_REGISTER] =
                {"api_attendance_register",
                 "WITH wanted AS (SELECT w.pos, w.officer_id, decode(w.idx, 'hex') AS idx"
                 "  FROM jsonb_to_recordset($2::jsonb) AS w (pos integer, officer_id bigint,"
                 "  idx text)),"
                 " found AS (SELECT w.pos, coalesce(a.id, b.id) AS officer_id FROM wanted w"
                 "  LEFT JOIN officer a ON a.id = w.officer_id"
                 "  LEFT JOIN officer b ON b.national_id_index = w.idx),"
                 " added AS (INSERT INTO attendance (session_id, officer_id, override_units,"
                 "  override_reason)"
                 "  SELECT DISTINCT $1::bigint, f.officer_id, $3::bigint, $4::text FROM found f"
                 "  WHERE NOT EXISTS (SELECT FROM found WHERE officer_id IS NULL) ORDER BY 2"
                 "  ON CONFLICT (session_id, officer_id) DO NOTHING RETURNING id, officer_id)"
                 " SELECT jsonb_build_object("
                 " 'unknown', coalesce((SELECT jsonb_agg(pos ORDER BY pos) FROM found"
                 "  WHERE officer_id IS NULL), '[]'),"
                 " 'created', coalesce((SELECT jsonb_agg(jsonb_build_object('id', id,"
                 "  'officer_id', officer_id) ORDER BY officer_id) FROM added), '[]'),"
                 " 'existing', coalesce((SELECT jsonb_agg(jsonb_build_object('id', r.id,"
                 "  'officer_id', d.officer_id) ORDER BY d.officer_id)"
                 "  FROM (SELECT DISTINCT officer_id FROM found WHERE officer_id IS NOT NULL) d"
                 "  LEFT JOIN attendance r ON r.session_id = $1::bigint"
                 "   AND r.officer_id = d.officer_id"
                 "  WHERE NOT EXISTS (SELECT FROM found WHERE officer_id IS NULL)"
                 "  AND d.officer_id NOT IN (SELECT officer_id FROM added)), '[]'))",
                 attendance_field_errors},
        /* $1 session, $2 after id, $3 limit: the records in the caller's scope. */
        [ATTENDANCE_LIST] = {"api_attendance_list",
                             "SELECT " ATTENDANCE_JSON " FROM attendance a"
                             " JOIN officer o ON o.id = a.officer_id"
                             " WHERE a.session_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3",
                             NULL},
        /* $1 id, $2 patch {override_units, override_reason, revoked, revoked_reason}
	 * (each optional, null clears), $3 version. Revoking keeps the first revocation
	 * time. */
        [ATTENDANCE_UPDATE] =
                {"api_attendance_update",
                 "WITH a AS (UPDATE attendance a SET"
                 " override_units = CASE WHEN p ? 'override_units'"
                 "  THEN (p->>'override_units')::bigint ELSE a.override_units END,"
                 " override_reason = CASE WHEN p ? 'override_reason'"
                 "  THEN p->>'override_reason' ELSE a.override_reason END,"
                 " revoked_at = CASE WHEN NOT p ? 'revoked' THEN a.revoked_at"
                 "  WHEN (p->>'revoked')::boolean THEN coalesce(a.revoked_at, now()) END,"
                 " revoked_reason = CASE WHEN p ? 'revoked_reason'"
                 "  THEN p->>'revoked_reason' ELSE a.revoked_reason END,"
                 " version = a.version + 1, updated_at = now()"
                 " FROM (SELECT $2::jsonb AS p) patch"
                 " WHERE a.id = $1 AND ($3::integer IS NULL OR a.version = $3) RETURNING a.*)"
                 " SELECT " ATTENDANCE_JSON " FROM a JOIN officer o ON o.id = a.officer_id",
                 attendance_field_errors},
        [ATTENDANCE_VERSION] = {"api_attendance_version",
                                "SELECT version FROM attendance WHERE id = $1", NULL},
};

const struct db_stmt_table api_attendance_statements = {attendance_stmts, ATTENDANCE_STMT_COUNT};

/* Replaces the raw credit by hours text: credited_hours ("4.00", rounded down as
 * everywhere; untimed minutes converted by the applicable policy) and override_hours
 * (HR's partial credit, or null). */
static json_t *attendance_finish(json_t *doc)
{
	int64_t units;

	if (doc == NULL)
		return NULL;
	units = hours_total_units(
	        json_integer_value(json_object_get(doc, "credited_units")),
	        json_integer_value(json_object_get(doc, "credited_minutes")),
	        (int)json_integer_value(json_object_get(doc, "minutes_per_hour")));
	(void)json_object_set_new(doc, "credited_hours", api_hours_json(units < 0 ? 0 : units));
	api_units_to_hours(doc, "override_units", "override_hours");
	(void)json_object_del(doc, "credited_units");
	return doc;
}

/* 404 unless the session is visible to the caller (its subtree's, an ancestor's, or one
 * it has records on). */
static int attendance_session_visible(struct request *req, const char *session_id)
{
	PGresult *res = db_exec(req, &attendance_stmts[ATTENDANCE_SESSION_VISIBLE], 1, &session_id);

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	return 0;
}

/* Sets out of memory and returns NULL, for the functions that return text. */
static const char *attendance_out_of_memory(struct request *req)
{
	problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return NULL;
}

/* ---- POST /sessions/{id}/attendance ---- */

static const struct field_spec register_fields[] = {
        {"override_reason", FIELD_STRING, FIELD_NULLABLE, 500, NULL, "调整原因"},
};

/* One officers[i] of the body: {"officer_id": n} or {"national_id": "…"}. Appends its
 * statement form to wanted; a field error naming officers[i] when it is wrong. */
static void register_item(struct request *req, const json_t *item, size_t pos, json_t *wanted)
{
	const json_t *officer_id = json_object_get(item, "officer_id");
	const json_t *national_id = json_object_get(item, "national_id");
	char field[64], index_hex[2 * PII_INDEX_BYTES + 3];
	unsigned char index[PII_INDEX_BYTES];
	struct national_id parsed;
	enum rules_id_error error;

	if (!json_is_object(item) || json_object_size(item) != 1 ||
	    (officer_id == NULL && national_id == NULL)) {
		(void)snprintf(field, sizeof(field), "officers[%zu]", pos);
		problem_field(
		        &req->problem, field, "one_of",
		        "每项应为 {\"officer_id\": 编号} 或 {\"national_id\": 身份证号} / each "
		        "item is {\"officer_id\": id} or {\"national_id\": \"…\"}");
		return;
	}
	if (officer_id != NULL) {
		(void)snprintf(field, sizeof(field), "officers[%zu].officer_id", pos);
		if (!json_is_integer(officer_id) || json_integer_value(officer_id) < 1)
			problem_field(&req->problem, field, "id", "应为编号 / must be an id");
		else if (json_array_append_new(wanted, json_pack("{s:I, s:I}", "pos",
		                                                 (json_int_t)pos, "officer_id",
		                                                 json_integer_value(officer_id))) !=
		         0)
			problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
		return;
	}
	(void)snprintf(field, sizeof(field), "officers[%zu].national_id", pos);
	if (!json_is_string(national_id)) {
		problem_field(&req->problem, field, "type", "应为字符串 / must be a string");
		return;
	}
	error = rules_national_id_parse(json_string_value(national_id), api_today(), &parsed);
	if (error != RULES_ID_OK) {
		problem_field(&req->problem, field, rules_id_error_reason(error),
		              rules_id_error_message(error));
		return;
	}
	/* Looked up by its blind index: the ID itself never reaches SQL. */
	pii_index_national_id(parsed.normalized, index);
	sodium_memzero(&parsed, sizeof(parsed));
	(void)pii_bytea_hex(index, sizeof(index), index_hex);
	if (json_array_append_new(wanted, json_pack("{s:I, s:s}", "pos", (json_int_t)pos, "idx",
	                                            index_hex + 2)) != 0)
		problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
}

/* Checks the body; returns the statement's officer list as JSON text (arena), or NULL
 * with req->problem set. *units is the override for new records or API_HOURS_ABSENT. */
static const char *register_body(struct request *req, int64_t *units)
{
	json_t *officers = json_object_get(req->json, "officers"), *wanted, *item;
	const char *reason;
	char *text = NULL;
	size_t i;

	/* officers is an array json_in does not know: checked here, apart. */
	if (officers != NULL) {
		(void)json_incref(officers);
		(void)json_object_del(req->json, "officers");
	}
	(void)api_check_body_hours(req, register_fields, 1, 0, "credited_hours", 1, units);
	if (officers != NULL && json_object_set_new(req->json, "officers", officers) != 0)
		return attendance_out_of_memory(req);
	reason = json_string_value(json_object_get(req->json, "override_reason"));
	if (*units > 0 && (reason == NULL || reason[0] == '\0'))
		problem_field(&req->problem, "override_reason", "required",
		              "调整学时须说明原因 / an override needs its reason");
	if (*units <= 0 && reason != NULL)
		problem_field(&req->problem, "override_reason", "without_override",
		              "未调整学时，不能填写调整原因 / a reason without an override");
	if (officers == NULL)
		problem_field(&req->problem, "officers", "required", "必填 / required");
	else if (!json_is_array(officers) || json_array_size(officers) == 0)
		problem_field(&req->problem, "officers", "type",
		              "应为非空数组 / must be a non-empty array");
	else if (json_array_size(officers) > ATTENDANCE_BATCH_MAX)
		problem_field(&req->problem, "officers", "too_many",
		              "一次最多登记 2000 人 / at most 2000 officers at once");
	if (req->problem.type != PROBLEM_NONE && !problem_has_fields(&req->problem))
		return NULL;
	wanted = json_array();
	if (wanted == NULL)
		return attendance_out_of_memory(req);
	if (json_is_array(officers) && json_array_size(officers) <= ATTENDANCE_BATCH_MAX)
		json_array_foreach(officers, i, item)
		{
			register_item(req, item, i, wanted);
		}
	if (req->problem.type == PROBLEM_NONE)
		text = json_dumps(wanted, JSON_COMPACT);
	json_decref(wanted);
	if (req->problem.type != PROBLEM_NONE)
		return NULL;
	if (text == NULL || arena_defer(req->arena, free, text) != 0)
		return attendance_out_of_memory(req);
	return text;
}

int api_attendance_register(struct request *req)
{
	const char *id = api_id_param(req, "id"), *params[4];
	json_t *reply, *unknown, *pos;
	int64_t units;
	PGresult *res;
	size_t i;

	if (id == NULL)
		return -1;
	params[0] = id;
	params[1] = register_body(req, &units);
	if (params[1] == NULL)
		return -1;
	params[2] = units > 0 ? arena_printf(req->arena, "%lld", (long long)units) : NULL;
	params[3] = units > 0 ? json_in_string(req->arena, req->json, "override_reason") : NULL;
	if (db_begin(req, DB_WRITE) != 0 || attendance_session_visible(req, id) != 0)
		return -1;
	res = db_exec(req, &attendance_stmts[ATTENDANCE_REGISTER], 4, params);
	if (res == NULL)
		return -1;
	reply = db_json(res, 0, 0);
	if (reply == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "unreadable row");
	unknown = json_object_get(reply, "unknown");
	if (json_array_size(unknown) > 0) {
		/* Nothing was written: name every position that is not an officer in scope. */
		json_array_foreach(unknown, i, pos)
		{
			const json_t *item = json_array_get(json_object_get(req->json, "officers"),
			                                    (size_t)json_integer_value(pos));
			char field[64];

			(void)snprintf(field, sizeof(field), "officers[%lld].%s",
			               (long long)json_integer_value(pos),
			               json_object_get(item, "officer_id") != NULL ? "officer_id"
			                                                           : "national_id");
			problem_field(&req->problem, field, "unknown",
			              "人员不存在或不在本单位范围内 / unknown officer");
		}
		json_decref(reply);
		return -1;
	}
	(void)json_object_del(reply, "unknown");
	/* The new records' hours are evaluated before the commit. */
	if (hours_store_refresh(req) != 0 || db_commit(req) != 0) {
		json_decref(reply);
		return -1;
	}
	return request_reply_json(
	        req, json_array_size(json_object_get(reply, "created")) > 0 ? 201 : 200, reply);
}

/* ---- GET /sessions/{id}/attendance ---- */

int api_attendance_list(struct request *req)
{
	const char *id = api_id_param(req, "id"), *params[3];
	struct api_page page;
	json_t *items;
	PGresult *res;

	if (id == NULL || api_page_read(req, &page) != 0 || db_begin(req, DB_READ) != 0 ||
	    attendance_session_visible(req, id) != 0)
		return -1;
	params[0] = id;
	params[1] = page.after_id;
	params[2] = page.limit;
	res = db_exec(req, &attendance_stmts[ATTENDANCE_LIST], 3, params);
	if (res == NULL)
		return -1;
	items = api_rows_json(res, attendance_finish);
	return request_reply_json(req, 200, api_page_reply(items, &page));
}

/* ---- PATCH /attendance/{id} ---- */

static const struct field_spec update_fields[] = {
        {"override_reason", FIELD_STRING, FIELD_NULLABLE, 500, NULL, "调整原因"},
        {"revoked", FIELD_BOOLEAN, 0, 0, NULL, "撤销"},
        {"revoked_reason", FIELD_STRING, FIELD_NULLABLE, 500, NULL, "撤销原因"},
};

static int update_blank(const json_t *value)
{
	return !json_is_string(value) || json_string_value(value)[0] == '\0';
}

/* The statement's patch from the checked body: credited_hours becomes override_units;
 * clearing the override clears its reason, restoring a record clears the revocation's
 * (DOMAIN.md: partial attendance and revocations carry their reason). NULL with
 * req->problem set. */
static const char *update_patch(struct request *req, int64_t units)
{
	const json_t *revoked = json_object_get(req->json, "revoked");
	const json_t *override_reason = json_object_get(req->json, "override_reason");
	const json_t *revoked_reason = json_object_get(req->json, "revoked_reason");
	json_t *patch;
	char *text;

	if (units == API_HOURS_ABSENT && override_reason == NULL && revoked == NULL &&
	    revoked_reason == NULL) {
		problem_set(&req->problem, PROBLEM_VALIDATION,
		            "nothing to change: send credited_hours or revoked");
		return NULL;
	}
	if (units > 0 && update_blank(override_reason))
		problem_field(&req->problem, "override_reason", "required",
		              "调整学时须说明原因 / an override needs its reason");
	if (units == API_HOURS_NULL && override_reason != NULL && !json_is_null(override_reason))
		problem_field(&req->problem, "override_reason", "without_override",
		              "取消调整时不能填写调整原因 / a reason without an override");
	if (json_is_true(revoked) && update_blank(revoked_reason))
		problem_field(&req->problem, "revoked_reason", "required",
		              "撤销登记须说明原因 / a revocation needs its reason");
	if (json_is_false(revoked) && revoked_reason != NULL && !json_is_null(revoked_reason))
		problem_field(&req->problem, "revoked_reason", "without_revoke",
		              "恢复登记时不能填写撤销原因 / a reason without a revocation");
	if (problem_has_fields(&req->problem))
		return NULL;
	patch = json_object();
	if (patch == NULL)
		return attendance_out_of_memory(req);
	if (units != API_HOURS_ABSENT) {
		(void)json_object_set_new(patch, "override_units",
		                          units > 0 ? json_integer(units) : json_null());
		if (units == API_HOURS_NULL)
			(void)json_object_set_new(patch, "override_reason", json_null());
	}
	if (override_reason != NULL && units != API_HOURS_NULL)
		(void)json_object_set(patch, "override_reason", (json_t *)override_reason);
	if (revoked != NULL) {
		(void)json_object_set(patch, "revoked", (json_t *)revoked);
		if (json_is_false(revoked))
			(void)json_object_set_new(patch, "revoked_reason", json_null());
	}
	if (revoked_reason != NULL && !json_is_false(revoked))
		(void)json_object_set(patch, "revoked_reason", (json_t *)revoked_reason);
	text = json_dumps(patch, JSON_COMPACT);
	json_decref(patch);
	if (text == NULL || arena_defer(req->arena, free, text) != 0)
		return attendance_out_of_memory(req);
	return text;
}

int api_attendance_update(struct request *req)
{
	const char *id = api_id_param(req, "id"), *version, *params[3];
	int64_t units;
	PGresult *res;

	if (id == NULL || api_if_match(req, &version) != 0)
		return -1;
	if (api_check_body_hours(req, update_fields,
	                         sizeof(update_fields) / sizeof(update_fields[0]), 1,
	                         "credited_hours", 1, &units) != 0)
		return -1;
	params[0] = id;
	params[1] = update_patch(req, units);
	params[2] = version;
	if (params[1] == NULL || db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &attendance_stmts[ATTENDANCE_UPDATE], 3, params);
	if (res == NULL)
		return -1;
	/* Not updated: missing (or out of scope), or changed since it was read. */
	if (PQntuples(res) == 0)
		return api_update_missed(req, &attendance_stmts[ATTENDANCE_VERSION], id, "record");
	/* The override or revocation moved the officer's hours (attendance_apply_totals):
	 * its year is evaluated in this transaction. */
	if (hours_store_refresh(req) != 0 || db_commit(req) != 0)
		return -1;
	return api_reply_doc(req, 200, attendance_finish(db_json(res, 0, 0)), NULL);
}
