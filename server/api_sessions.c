/* api_sessions.c — /api/v1/sessions: register, read, list and correct training
 * sessions (培训). Times are RFC 3339 with an offset; hours are exact (declared
 * hours as "4.5" or 4, never a JSON real). A change of what a session credits
 * moves the hours of all its records (schema 005's triggers), so every write
 * re-evaluates the officer-years it touched before the commit. */
#include "api_sessions.h"

#include "api.h"
#include "arena.h"
#include "hours_store.h"
#include "json_in.h"
#include "request.h"
#include "rules_hours.h"
#include "timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The JSON form of session row `s` and its organiser `g` (LEFT JOIN: a session of an
 * ancestor unit is readable although the unit itself is not). declared_units is
 * turned into declared_hours by session_finish. */
#define SESSION_JSON                                                                   \
	"jsonb_build_object('id', s.id, 'code', s.code, 'title', s.title,"             \
	" 'org', jsonb_build_object('id', s.org_id, 'code', g.code, 'name', g.name),"  \
	" 'category', s.category, 'form', s.form, 'platform', s.platform,"             \
	" 'starts_at', s.starts_at, 'ends_at', s.ends_at,"                             \
	" 'duration_minutes', s.duration_minutes, 'declared_units', s.declared_units," \
	" 'location', s.location, 'year', s.year, 'version', s.version,"               \
	" 'created_at', s.created_at, 'updated_at', s.updated_at)"

/* The whole minutes between the (patched) start and end, clamped to 1..1440 so that a
 * reversed or too long span is reported by its own constraint, not the duration's. */
#define SESSION_NEW_SPAN                                                                  \
	"least(greatest(floor(extract(epoch FROM coalesce((p->>'ends_at')::timestamptz,"  \
	" s.ends_at) - coalesce((p->>'starts_at')::timestamptz, s.starts_at)) / 60), 1)," \
	" 1440)::integer"

static const struct db_field_error session_field_errors[] = {
        {"training_session_code_key", "code", "duplicate",
         "培训编号已存在 / this code is already used", PROBLEM_CONFLICT},
        {"training_session_code_length", "code", "length",
         "培训编号应为 1 至 64 个字符 / the code is 1 to 64 characters", PROBLEM_VALIDATION},
        {"training_session_title_length", "title", "length",
         "培训名称应为 1 至 200 个字符 / the title is 1 to 200 characters", PROBLEM_VALIDATION},
        {"training_session_org_exists", "org_id", "unknown", "单位不存在 / unknown organisation",
         PROBLEM_VALIDATION},
        {"training_session_org_id_fkey", "org_id", "unknown", "单位不存在 / unknown organisation",
         PROBLEM_VALIDATION},
        {"training_session_category_valid", "category", "choice", "培训类别无效 / unknown category",
         PROBLEM_VALIDATION},
        {"training_session_form_valid", "form", "choice", "培训形式无效 / unknown form",
         PROBLEM_VALIDATION},
        {"training_session_platform_form", "platform", "format",
         "平台名称最多 100 个字符且首尾无空格 / at most 100 characters, trimmed",
         PROBLEM_VALIDATION},
        {"training_session_starts_at_range", "starts_at", "range",
         "开始时间应在 2000 至 2099 年之间 / the start lies in 2000..2099 (China time)",
         PROBLEM_VALIDATION},
        {"training_session_duration_range", "duration_minutes", "range",
         "时长应为 1 至 1440 分钟 / the duration is 1 to 1440 minutes", PROBLEM_VALIDATION},
        {"training_session_declared_units_valid", "declared_hours", "range",
         "学时应大于 0、不超过 24 且最多两位小数 / more than 0, at most 24, two decimals",
         PROBLEM_VALIDATION},
        {"training_session_location_length", "location", "too_long",
         "地点最多 200 个字符 / at most 200 characters", PROBLEM_VALIDATION},
        {"training_session_ends_after_start", "ends_at", "order",
         "结束时间应晚于开始时间 / the end must be after the start", PROBLEM_VALIDATION},
        {"training_session_span_at_most_24h", "ends_at", "too_long",
         "单次培训不超过 24 小时 / a session lasts at most 24 hours", PROBLEM_VALIDATION},
        {"training_session_duration_within_span", "duration_minutes", "exceeds_span",
         "时长不能超过开始至结束的时间 / the duration exceeds the span from start to end",
         PROBLEM_VALIDATION},
        {"training_year_closed", "starts_at", "year_closed",
         "该培训年度已关闭 / the training year is closed", PROBLEM_CONFLICT},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

enum session_stmt {
	SESSION_INSERT,
	SESSION_GET,
	SESSION_LIST,
	SESSION_UPDATE,
	SESSION_VERSION,
	SESSION_STMT_COUNT
};

static const struct db_stmt session_stmts[SESSION_STMT_COUNT] = {
        [SESSION_INSERT] = {"api_sessions_insert",
                            "WITH s AS (INSERT INTO training_session (code, title, org_id,"
                            " category, form, platform, starts_at, ends_at, duration_minutes,"
                            " declared_units, location) VALUES ($1, $2, $3, $4, $5,"
                            " coalesce($6, ''), $7, $8, $9, $10, coalesce($11, ''))"
                            " RETURNING *)"
                            " SELECT " SESSION_JSON " FROM s LEFT JOIN org g ON g.id = s.org_id",
                            session_field_errors},
        [SESSION_GET] = {"api_sessions_get",
                         "SELECT " SESSION_JSON " FROM training_session s"
                         " LEFT JOIN org g ON g.id = s.org_id WHERE s.id = $1",
                         NULL},
        /* $1 org, $2 year, $3 category, $4 title text, $5 after id, $6 limit */
        [SESSION_LIST] =
                {"api_sessions_list",
                 "SELECT " SESSION_JSON " FROM training_session s"
                 " LEFT JOIN org g ON g.id = s.org_id"
                 " WHERE ($1::bigint IS NULL OR s.org_id = $1)"
                 " AND ($2::integer IS NULL OR s.year = $2)"
                 " AND ($3::text IS NULL OR s.category = $3)"
                 " AND ($4::text IS NULL OR s.title LIKE '%' || tcard_like_escape($4) || '%')"
                 " AND s.id > $5 ORDER BY s.id LIMIT $6",
                 NULL},
        /* $1 id, $2 patch (validated jsonb; declared_units instead of declared_hours),
	 * $3 version. A duration equal to the old span (the default) follows the new span;
	 * one set apart from it stays, and must still fit. */
        [SESSION_UPDATE] =
                {"api_sessions_update",
                 "WITH s AS (UPDATE training_session s SET"
                 " code = CASE WHEN p ? 'code' THEN p->>'code' ELSE s.code END,"
                 " title = coalesce(p->>'title', s.title),"
                 " org_id = coalesce((p->>'org_id')::bigint, s.org_id),"
                 " category = coalesce(p->>'category', s.category),"
                 " form = coalesce(p->>'form', s.form),"
                 " platform = coalesce(p->>'platform', s.platform),"
                 " starts_at = coalesce((p->>'starts_at')::timestamptz, s.starts_at),"
                 " ends_at = coalesce((p->>'ends_at')::timestamptz, s.ends_at),"
                 " duration_minutes = CASE"
                 "  WHEN p ? 'duration_minutes' THEN coalesce((p->>'duration_minutes')::integer,"
                 "   " SESSION_NEW_SPAN ")"
                 "  WHEN (p ? 'starts_at' OR p ? 'ends_at') AND s.duration_minutes ="
                 "   floor(extract(epoch FROM s.ends_at - s.starts_at) / 60)"
                 "  THEN " SESSION_NEW_SPAN " ELSE s.duration_minutes END,"
                 " declared_units = CASE WHEN p ? 'declared_units'"
                 "  THEN (p->>'declared_units')::bigint ELSE s.declared_units END,"
                 " location = coalesce(p->>'location', s.location),"
                 " version = s.version + 1, updated_at = now()"
                 " FROM (SELECT $2::jsonb AS p) patch"
                 " WHERE s.id = $1 AND ($3::integer IS NULL OR s.version = $3) RETURNING s.*)"
                 " SELECT " SESSION_JSON " FROM s LEFT JOIN org g ON g.id = s.org_id",
                 session_field_errors},
        /* Readable, and whether the caller may change it (its own subtree's, not an
	 * ancestor's it only reads). */
        [SESSION_VERSION] = {"api_sessions_version",
                             "SELECT version, org_path <@ tcard_scope() FROM training_session"
                             " WHERE id = $1",
                             NULL},
};

const struct db_stmt_table api_sessions_statements = {session_stmts, SESSION_STMT_COUNT};

static const char *const session_categories[] = {"public_law", "business", "skills",
                                                 "political",  "other",    NULL};
static const char *const session_forms[] = {"lecture",    "seminar",     "online",   "mentorship",
                                            "onsite",     "competition", "rotation", "case_study",
                                            "field_demo", "other",       NULL};

static const struct field_spec session_fields[] = {
        {"code", FIELD_STRING, FIELD_NULLABLE, 64, NULL, "培训编号"},
        {"title", FIELD_STRING, FIELD_REQUIRED, 200, NULL, "培训名称"},
        {"org_id", FIELD_INTEGER, FIELD_REQUIRED, 0, NULL, "主办单位"},
        {"category", FIELD_CHOICE, FIELD_REQUIRED, 0, session_categories, "培训类别"},
        {"form", FIELD_CHOICE, FIELD_REQUIRED, 0, session_forms, "培训形式"},
        {"platform", FIELD_STRING, 0, 100, NULL, "学习平台"},
        {"starts_at", FIELD_STRING, FIELD_REQUIRED, 40, NULL, "开始时间"},
        {"ends_at", FIELD_STRING, FIELD_REQUIRED, 40, NULL, "结束时间"},
        {"duration_minutes", FIELD_INTEGER, FIELD_NULLABLE, 0, NULL, "时长"},
        {"location", FIELD_STRING, 0, 200, NULL, "地点"},
};
#define SESSION_FIELDS (sizeof(session_fields) / sizeof(session_fields[0]))

/* A time field of the body: absent (1), valid (0, *unix set), or a field error (-1). */
static int session_time_field(struct request *req, const char *name, int64_t *unix_seconds)
{
	const char *text = json_string_value(json_object_get(req->json, name));

	if (text == NULL)
		return 1;
	if (timestamp_parse(text, unix_seconds) != 0)
		return problem_field(
		        &req->problem, name, "format",
		        "时间应为带时区的 RFC 3339 格式，如 2025-03-01T09:00:00+08:00 / "
		        "an RFC 3339 time with offset, e.g. 2025-03-01T09:00:00+08:00");
	return 0;
}

/* The checks json_in cannot make: times, their order and span, the duration, the
 * platform name, an empty code. For a PATCH only what the body holds is checked; the
 * schema's constraints judge it against the stored row. The duration in minutes (the
 * span when the body gives none) goes to *minutes, or -1 when unknown. */
static void session_check(struct request *req, int partial, int64_t *minutes)
{
	const json_t *duration = json_object_get(req->json, "duration_minutes");
	const char *platform = json_string_value(json_object_get(req->json, "platform"));
	const char *code = json_string_value(json_object_get(req->json, "code"));
	int64_t start = 0, end = 0;
	int has_start = session_time_field(req, "starts_at", &start) == 0;
	int has_end = session_time_field(req, "ends_at", &end) == 0;
	enum hours_session_error error;

	*minutes = -1;
	if (code != NULL && code[0] == '\0')
		problem_field(&req->problem, "code", "length",
		              "培训编号不能为空串，不设编号请省略或用 null / the code must not be "
		              "empty: leave it out or send null");
	if (platform != NULL && platform[0] != '\0' && !hours_platform_name_valid(platform))
		problem_field(&req->problem, "platform", "format",
		              "平台名称最多 100 个字符且不含控制字符 / at most 100 characters, no "
		              "control characters");
	if (json_is_integer(duration) &&
	    (json_integer_value(duration) < 1 || json_integer_value(duration) > 1440))
		problem_field(&req->problem, "duration_minutes", "range",
		              "时长应为 1 至 1440 分钟 / the duration is 1 to 1440 minutes");
	if (has_start && !has_end && !partial)
		return;
	if (has_start && (error = hours_session_check(start, has_end ? end : start + 60)) ==
	                         HOURS_SESSION_RANGE) {
		problem_field(&req->problem, "starts_at", hours_session_error_reason(error),
		              hours_session_error_message(error));
		return;
	}
	if (!has_start || !has_end)
		return;
	error = hours_session_check(start, end);
	if (error != HOURS_SESSION_OK) {
		problem_field(&req->problem, "ends_at", hours_session_error_reason(error),
		              hours_session_error_message(error));
		return;
	}
	*minutes = hours_session_minutes(start, end);
	if (json_is_integer(duration) && json_integer_value(duration) > *minutes)
		problem_field(&req->problem, "duration_minutes", "exceeds_span",
		              "时长不能超过开始至结束的时间 / the duration exceeds the span from "
		              "start to end");
	if (json_is_integer(duration))
		*minutes = json_integer_value(duration);
}

/* Replaces declared_units by declared_hours ("4.50", or null for an untimed session). */
static json_t *session_finish(json_t *doc)
{
	api_units_to_hours(doc, "declared_units", "declared_hours");
	return doc;
}

static int session_reply(struct request *req, unsigned status, const PGresult *res)
{
	return api_reply_doc(req, status, session_finish(db_json(res, 0, 0)), "/api/v1/sessions");
}

static const char *session_integer(struct request *req, const char *name)
{
	const json_t *value = json_object_get(req->json, name);

	if (!json_is_integer(value))
		return NULL;
	return arena_printf(req->arena, "%lld", (long long)json_integer_value(value));
}

int api_sessions_create(struct request *req)
{
	const char *params[11];
	int64_t declared, minutes;
	PGresult *res;

	/* Every field's fault is reported at once, not the first one only. */
	(void)api_check_body_hours(req, session_fields, SESSION_FIELDS, 0, "declared_hours", 1,
	                           &declared);
	session_check(req, 0, &minutes);
	if (req->problem.type != PROBLEM_NONE) /* field errors, or out of memory */
		return -1;
	params[0] = json_in_string(req->arena, req->json, "code");
	params[1] = json_in_string(req->arena, req->json, "title");
	params[2] = session_integer(req, "org_id");
	params[3] = json_in_string(req->arena, req->json, "category");
	params[4] = json_in_string(req->arena, req->json, "form");
	params[5] = json_in_string(req->arena, req->json, "platform");
	params[6] = json_in_string(req->arena, req->json, "starts_at");
	params[7] = json_in_string(req->arena, req->json, "ends_at");
	/* duration_minutes defaults to the span (DOMAIN.md rule 2 counts its minutes). */
	params[8] = arena_printf(req->arena, "%lld", (long long)minutes);
	params[9] = declared > 0 ? arena_printf(req->arena, "%lld", (long long)declared) : NULL;
	params[10] = json_in_string(req->arena, req->json, "location");
	if (params[2] == NULL || params[8] == NULL || (declared > 0 && params[9] == NULL))
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (db_begin(req, DB_WRITE) != 0 || api_check_org_visible(req, params[2], "org_id") != 0)
		return -1;
	res = db_exec(req, &session_stmts[SESSION_INSERT], 11, params);
	/* A new session has no records yet; refreshing costs nothing and keeps the rule
	 * (every write that may change hours refreshes) without exceptions. */
	if (res == NULL || hours_store_refresh(req) != 0 || db_commit(req) != 0)
		return -1;
	return session_reply(req, 201, res);
}

int api_sessions_get(struct request *req)
{
	const char *id = api_id_param(req, "id");
	PGresult *res;

	if (id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &session_stmts[SESSION_GET], 1, &id);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	return session_reply(req, 200, res);
}

/* ?year=: a training year, 2000..2099; NULL when absent. */
static const char *session_query_year(struct request *req, int *bad)
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

int api_sessions_list(struct request *req)
{
	struct api_page page;
	const char *params[6];
	const char *q = request_query(req, "q");
	json_t *items;
	PGresult *res;
	int bad = 0;

	params[0] = api_query_id(req, "org", &bad);
	params[1] = session_query_year(req, &bad);
	params[2] = api_query_choice(req, "category", session_categories, &bad);
	params[3] = q != NULL && q[0] != '\0' ? q : NULL;
	if (api_page_read(req, &page) != 0 || bad)
		return -1;
	params[4] = page.after_id;
	params[5] = page.limit;
	if (db_begin(req, DB_READ) != 0 ||
	    (params[0] != NULL && api_check_org_visible(req, params[0], "org") != 0))
		return -1;
	res = db_exec(req, &session_stmts[SESSION_LIST], 6, params);
	if (res == NULL)
		return -1;
	items = api_rows_json(res, session_finish);
	return request_reply_json(req, 200, api_page_reply(items, &page));
}

/* The statement's patch document: the validated body with declared_hours replaced by
 * declared_units (a number, or null for untimed). NULL when out of memory. */
static char *session_patch(struct request *req, int64_t declared)
{
	json_t *patch = json_deep_copy(req->json);
	char *text;

	if (patch == NULL)
		return NULL;
	if (declared != API_HOURS_ABSENT) {
		(void)json_object_del(patch, "declared_hours");
		(void)json_object_set_new(patch, "declared_units",
		                          declared > 0 ? json_integer(declared) : json_null());
	}
	text = json_dumps(patch, JSON_COMPACT);
	json_decref(patch);
	if (text != NULL && arena_defer(req->arena, free, text) != 0)
		return NULL;
	return text;
}

int api_sessions_update(struct request *req)
{
	const char *id = api_id_param(req, "id"), *version, *params[3], *org_id;
	int64_t declared, minutes;
	PGresult *res;

	if (id == NULL || api_if_match(req, &version) != 0)
		return -1;
	(void)api_check_body_hours(req, session_fields, SESSION_FIELDS, 1, "declared_hours", 1,
	                           &declared);
	session_check(req, 1, &minutes);
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	params[0] = id;
	params[1] = session_patch(req, declared);
	params[2] = version;
	if (params[1] == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	org_id = session_integer(req, "org_id");
	if (db_begin(req, DB_WRITE) != 0 ||
	    (org_id != NULL && api_check_org_visible(req, org_id, "org_id") != 0))
		return -1;
	res = db_exec(req, &session_stmts[SESSION_UPDATE], 3, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		res = db_exec(req, &session_stmts[SESSION_VERSION], 1, &id);
		if (res == NULL)
			return -1;
		if (PQntuples(res) == 0)
			return problem_set(&req->problem, PROBLEM_NOT_FOUND,
			                   "no resource at this path");
		if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
			return problem_set(
			        &req->problem, PROBLEM_FORBIDDEN,
			        "该培训由上级单位登记，只能由其修改 / the session belongs "
			        "to a unit above yours: only it may change the session");
		return problem_set(&req->problem, PROBLEM_PRECONDITION,
		                   "the session was changed meanwhile (now version %s): read it "
		                   "again",
		                   PQgetvalue(res, 0, 0));
	}
	/* The schema moved the hours of every record of the session (training_session_
	 * propagate): evaluate the officer-years before the commit. */
	if (hours_store_refresh(req) != 0 || db_commit(req) != 0)
		return -1;
	return session_reply(req, 200, res);
}
