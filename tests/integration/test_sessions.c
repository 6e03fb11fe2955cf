/* test_sessions.c — /api/v1/sessions and attendance against tcardd on a throwaway
 * PostgreSQL: registering, reading, listing and correcting sessions with every field error;
 * registering many officers at once by id and by national ID (duplicates are one record, an
 * officer out of scope refuses the whole request); partial credit and revocation, whose
 * hours reach officer_year_total and officer_year_status in the same request; the DOMAIN.md
 * examples end to end; and scope. One tcardd serves the file; each test makes its own
 * organisations and officers (national-ID numbers 200 and up, distinct per test). */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tcardd_proc proc;
static PGconn *db;

/* ---- helpers ---- */

static const char *str(const json_t *doc, const char *key)
{
	const char *value = json_string_value(json_object_get(doc, key));

	if (value == NULL)
		fail_msg("no string member %s", key);
	return value;
}

static long long num(const json_t *doc, const char *key)
{
	const json_t *value = json_object_get(doc, key);

	if (!json_is_integer(value))
		fail_msg("no integer member %s", key);
	return json_integer_value(value);
}

/* prefix, id and suffix ("/api/v1/sessions/" 12 "/attendance") into out. */
static void path_of(char *out, size_t size, const char *prefix, long long id, const char *suffix)
{
	assert_true(snprintf(out, size, "%s%lld%s", prefix, id, suffix) < (int)size);
}

/* A valid session body (caller owns it) of org: 2025-03-03 09:00-12:00 China time. */
static json_t *session_body(const char *title, long long org_id)
{
	json_t *body = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "title", title, "org_id",
	                         (json_int_t)org_id, "category", "public_law", "form", "lecture",
	                         "starts_at", "2025-03-03T09:00:00+08:00", "ends_at",
	                         "2025-03-03T12:00:00+08:00", "location", "市司法局三楼");

	assert_non_null(body);
	return body;
}

/* A session of org from starts_at to ends_at with duration minutes (0: the span) and
 * declared hours (NULL: untimed). */
static long long make_session(long long org_id, const char *title, const char *starts_at,
                              const char *ends_at, int minutes, const char *declared)
{
	struct http_result r;
	long long id;
	json_t *body = session_body(title, org_id);

	(void)json_object_set_new(body, "starts_at", json_string(starts_at));
	(void)json_object_set_new(body, "ends_at", json_string(ends_at));
	if (minutes > 0)
		(void)json_object_set_new(body, "duration_minutes", json_integer(minutes));
	if (declared != NULL)
		(void)json_object_set_new(body, "declared_hours", json_string(declared));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	if (r.status != 201)
		fail_msg("creating session %s: %ld %s", title, r.status, r.body);
	id = num(r.json, "id");
	http_result_clear(&r);
	return id;
}

/* POST /sessions/{id}/attendance with body (stolen) as who (NULL: the admin). */
static void register_as(const struct test_identity *who, struct http_result *r,
                        long long session_id, json_t *body)
{
	char path[96];

	path_of(path, sizeof(path), "/api/v1/sessions/", session_id, "/attendance");
	if (who == NULL)
		http_call_json(&proc, r, "POST", path, NULL, body);
	else
		http_call_json_as(&proc, who, r, "POST", path, NULL, body);
}

static void patch_record(struct http_result *r, long long record_id, json_t *body)
{
	char path[96];

	path_of(path, sizeof(path), "/api/v1/attendance/", record_id, "");
	http_call_json(&proc, r, "PATCH", path, "*", body);
}

/* What the database holds for an officer-year (as the superuser). */
static long long total_units(long long officer_id)
{
	return test_db_countf(db,
	                      "SELECT coalesce(sum(units), 0) FROM officer_year_total"
	                      " WHERE officer_id = %lld AND year = 2025",
	                      officer_id);
}

static long long total_minutes(long long officer_id)
{
	return test_db_countf(db,
	                      "SELECT coalesce(sum(untimed_minutes), 0) FROM officer_year_total"
	                      " WHERE officer_id = %lld AND year = 2025",
	                      officer_id);
}

static long long counted_units(long long officer_id)
{
	return test_db_countf(db,
	                      "SELECT coalesce(counted_units, -1) FROM officer_year_status"
	                      " WHERE officer_id = %lld AND year = 2025 AND NOT stale",
	                      officer_id);
}

static void year_status(long long officer_id, char *out, size_t size)
{
	char id[24];

	(void)snprintf(id, sizeof(id), "%lld", officer_id);
	test_db_text(db,
	             "SELECT status FROM officer_year_status WHERE officer_id = $1::bigint"
	             " AND year = 2025 AND NOT stale",
	             id, out, size);
}

static long long records_of(long long session_id)
{
	return test_db_countf(db, "SELECT count(*) FROM attendance WHERE session_id = %lld",
	                      session_id);
}

/* The first field error of a 422 with field, or fails. */
static const json_t *field_error(const struct http_result *r, const char *field)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(r->json, "errors"), i, e)
	{
		if (strcmp(str(e, "field"), field) == 0)
			return e;
	}
	fail_msg("no field error on %s in %s", field, r->body);
	return NULL;
}

static void assert_field(const struct http_result *r, const char *field, const char *reason)
{
	assert_string_equal(str(field_error(r, field), "reason"), reason);
}

static int group_setup(void **state)
{
	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

/* ---- sessions ---- */

static void test_create_session_answers_201_with_location_etag_and_defaults(void **state)
{
	long long org = test_create_org(&proc, "s-create", "培训创建区", "county", 0);
	struct http_result r;
	char location[96];
	json_t *body = session_body("行政处罚法专题讲座", org);
	long long id;

	(void)state;
	(void)json_object_set_new(body, "code", json_string("S-2025-001"));
	(void)json_object_set_new(body, "declared_hours", json_string("4.5"));
	(void)json_object_set_new(body, "platform", json_string("法治教育网"));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_int_equal(r.status, 201);
	id = num(r.json, "id");
	path_of(location, sizeof(location), "/api/v1/sessions/", id, "");
	assert_string_equal(r.location, location);
	assert_string_equal(r.etag, "\"1\"");
	assert_string_equal(str(r.json, "declared_hours"), "4.50");
	assert_int_equal(num(r.json, "duration_minutes"), 180); /* the span by default */
	assert_int_equal(num(r.json, "year"), 2025);
	assert_string_equal(str(r.json, "starts_at"), "2025-03-03T09:00:00+08:00");
	assert_string_equal(str(r.json, "platform"), "法治教育网");
	assert_int_equal(num(json_object_get(r.json, "org"), "id"), org);
	http_result_clear(&r);

	http_call(&proc, &r, "GET", location, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.etag, "\"1\"");
	assert_string_equal(str(r.json, "title"), "行政处罚法专题讲座");
	assert_string_equal(str(r.json, "code"), "S-2025-001");
	http_result_clear(&r);

	/* Declared hours as an integer; a start given in UTC counts in the China year. */
	body = session_body("跨年培训", org);
	(void)json_object_set_new(body, "declared_hours", json_integer(4));
	(void)json_object_set_new(body, "starts_at", json_string("2024-12-31T23:00:00Z"));
	(void)json_object_set_new(body, "ends_at", json_string("2025-01-01T01:00:00Z"));
	(void)json_object_set_new(body, "duration_minutes", json_integer(90));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_int_equal(r.status, 201);
	assert_string_equal(str(r.json, "declared_hours"), "4.00");
	assert_int_equal(num(r.json, "year"), 2025);
	assert_int_equal(num(r.json, "duration_minutes"), 90);
	http_result_clear(&r);
}

static void test_create_session_reports_every_field_error_at_once(void **state)
{
	long long org = test_create_org(&proc, "s-errors", "培训错误区", "county", 0);
	long long before = test_db_count(db, "SELECT count(*) FROM training_session");
	struct http_result r;
	char long_text[700];
	json_t *body;

	(void)state;
	memset(long_text, 'x', 201);
	long_text[201] = '\0';
	body = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f, s:s, s:s, s:b}", "org_id", "1", "category",
	                 "law", "form", "party", "starts_at", "2025-03-03 09:00",
	                 "duration_minutes", 0, "declared_hours", 4.5, "location", long_text,
	                 "ends_at", "2025-03-03T12:00:00+08:00", "extra", 1);
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 422, NULL, NULL);
	assert_field(&r, "title", "required");
	assert_field(&r, "org_id", "type");
	assert_field(&r, "category", "choice");
	assert_field(&r, "form", "choice");
	assert_field(&r, "starts_at", "format");
	assert_field(&r, "duration_minutes", "range");
	assert_field(&r, "declared_hours", "type");
	assert_field(&r, "location", "too_long");
	assert_field(&r, "extra", "unknown_field");
	http_result_clear(&r);

	/* The rules between fields and of the hours text, one by one. */
	body = session_body("反了", org);
	(void)json_object_set_new(body, "ends_at", json_string("2025-03-03T08:00:00+08:00"));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 422, "ends_at", "order");
	http_result_clear(&r);
	body = session_body("太长", org);
	(void)json_object_set_new(body, "ends_at", json_string("2025-03-04T09:01:00+08:00"));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 422, "ends_at", "too_long");
	http_result_clear(&r);
	body = session_body("太早", org);
	(void)json_object_set_new(body, "starts_at", json_string("1999-12-31T09:00:00+08:00"));
	(void)json_object_set_new(body, "ends_at", json_string("1999-12-31T10:00:00+08:00"));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 422, "starts_at", "range");
	http_result_clear(&r);
	body = session_body("时长超出", org);
	(void)json_object_set_new(body, "duration_minutes", json_integer(181));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 422, "duration_minutes", "exceeds_span");
	http_result_clear(&r);
	body = session_body("学时过细", org);
	(void)json_object_set_new(body, "declared_hours", json_string("4.255"));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 422, "declared_hours", "precision");
	http_result_clear(&r);
	body = session_body("学时过多", org);
	(void)json_object_set_new(body, "declared_hours", json_string("24.01"));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 422, "declared_hours", "too_large");
	http_result_clear(&r);
	body = session_body("零学时", org);
	(void)json_object_set_new(body, "declared_hours", json_integer(0));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 422, "declared_hours", "zero");
	http_result_clear(&r);
	body = session_body("无时区", org);
	(void)json_object_set_new(body, "starts_at", json_string("2025-03-03T09:00:00"));
	(void)json_object_set_new(body, "ends_at", json_string("2025-02-30T12:00:00+08:00"));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_field(&r, "starts_at", "format");
	assert_field(&r, "ends_at", "format");
	http_result_clear(&r);
	body = session_body("空编号", org);
	(void)json_object_set_new(body, "code", json_string(""));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 422, "code", "length");
	http_result_clear(&r);
	body = session_body("未知单位", 999999999);
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 422, "org_id", "unknown");
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM training_session"), before);

	/* A code is unique: the second use is 409 on code. */
	body = session_body("编号一", org);
	(void)json_object_set_new(body, "code", json_string("S-DUP"));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_int_equal(r.status, 201);
	http_result_clear(&r);
	body = session_body("编号二", org);
	(void)json_object_set_new(body, "code", json_string("S-DUP"));
	http_call_json(&proc, &r, "POST", "/api/v1/sessions", NULL, body);
	assert_problem(&r, 409, "code", "duplicate");
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM training_session"), before + 1);
}

static void test_list_sessions_filters_by_org_year_category_and_title_in_pages(void **state)
{
	long long org = test_create_org(&proc, "s-list", "培训列表区", "county", 0);
	long long a, b, c;
	struct http_result r;
	char path[160];
	const char *cursor;

	(void)state;
	a = make_session(org, "列表 安全生产法", "2025-04-01T09:00:00+08:00",
	                 "2025-04-01T10:00:00+08:00", 0, NULL);
	b = make_session(org, "列表 行政许可法", "2025-04-02T09:00:00+08:00",
	                 "2025-04-02T10:00:00+08:00", 0, "1");
	c = make_session(org, "列表 安全检查实务", "2024-04-03T09:00:00+08:00",
	                 "2024-04-03T10:00:00+08:00", 0, NULL);
	path_of(path, sizeof(path), "/api/v1/sessions?org=", org, "&year=2025");
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_items_count(&r), 2);
	assert_true(test_items_hold(&r, a) && test_items_hold(&r, b) && !test_items_hold(&r, c));
	http_result_clear(&r);
	path_of(path, sizeof(path), "/api/v1/sessions?org=", org, "&q=%E5%AE%89%E5%85%A8");
	http_call(&proc, &r, "GET", path, NULL, NULL); /* q=安全 */
	assert_int_equal(r.status, 200);
	assert_int_equal(test_items_count(&r), 2);
	assert_true(test_items_hold(&r, a) && test_items_hold(&r, c));
	http_result_clear(&r);
	path_of(path, sizeof(path), "/api/v1/sessions?org=", org, "&category=business");
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(test_items_count(&r), 0);
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/sessions?year=1999&category=law", NULL, NULL);
	assert_field(&r, "year", "range");
	assert_field(&r, "category", "choice");
	http_result_clear(&r);

	/* Pages of one: a, b, c in id order, then no cursor. */
	path_of(path, sizeof(path), "/api/v1/sessions?org=", org, "&limit=2");
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(test_items_count(&r), 2);
	cursor = json_string_value(json_object_get(r.json, "next_cursor"));
	assert_non_null(cursor);
	assert_true(snprintf(path, sizeof(path), "/api/v1/sessions?org=%lld&limit=2&cursor=%s", org,
	                     cursor) < (int)sizeof(path));
	http_result_clear(&r);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, c));
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);
}

static void test_patch_session_needs_if_match_and_moves_the_hours_of_its_records(void **state)
{
	long long org = test_create_org(&proc, "s-patch", "培训修改区", "county", 0);
	long long officer = test_create_officer(&proc, 201, "修改甲", org);
	long long session = make_session(org, "修改前", "2025-05-01T09:00:00+08:00",
	                                 "2025-05-01T12:00:00+08:00", 0, NULL);
	struct http_result r;
	char path[64];

	(void)state;
	(void)test_register_attendance(&proc, session, officer);
	assert_int_equal(total_minutes(officer), 180);
	assert_int_equal(counted_units(officer), 180 * 800);
	path_of(path, sizeof(path), "/api/v1/sessions/", session, "");
	http_call_json(&proc, &r, "PATCH", path, NULL, json_pack("{s:s}", "title", "改名"));
	assert_problem(&r, 428, NULL, NULL);
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"7\"", json_pack("{s:s}", "title", "改名"));
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"1\"",
	               json_pack("{s:s, s:i}", "declared_hours", "2.5", "duration_minutes", 400));
	assert_problem(&r, 422, "duration_minutes", "exceeds_span"); /* the stored span: 180 */
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"1\"",
	               json_pack("{s:i}", "duration_minutes", 1441));
	assert_problem(&r, 422, "duration_minutes", "range");
	http_result_clear(&r);

	/* Declared hours replace the untimed minutes of every record, in the same request. */
	http_call_json(&proc, &r, "PATCH", path, "\"1\"",
	               json_pack("{s:s, s:s}", "title", "改名", "declared_hours", "2.5"));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.etag, "\"2\"");
	assert_string_equal(str(r.json, "declared_hours"), "2.50");
	http_result_clear(&r);
	assert_int_equal(total_units(officer), 90000);
	assert_int_equal(total_minutes(officer), 0);
	assert_int_equal(counted_units(officer), 90000);

	/* Back to untimed, an hour shorter: the duration that was the span follows the span. */
	http_call_json(
	        &proc, &r, "PATCH", path, "\"2\"",
	        json_pack("{s:n, s:s}", "declared_hours", "ends_at", "2025-05-01T11:00:00+08:00"));
	assert_int_equal(r.status, 200);
	assert_int_equal(num(r.json, "duration_minutes"), 120);
	assert_true(json_is_null(json_object_get(r.json, "declared_hours")));
	http_result_clear(&r);
	assert_int_equal(total_minutes(officer), 120);
	assert_int_equal(counted_units(officer), 120 * 800);

	/* Field errors of a PATCH: the schema judges the patched row. */
	http_call_json(&proc, &r, "PATCH", path, "\"3\"",
	               json_pack("{s:s}", "ends_at", "2025-05-01T08:00:00+08:00"));
	assert_problem(&r, 422, "ends_at", "order");
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"3\"",
	               json_pack("{s:i}", "duration_minutes", 121));
	assert_problem(&r, 422, "duration_minutes", "exceeds_span");
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"3\"", json_pack("{s:n}", "title"));
	assert_problem(&r, 422, "title", "required");
	http_result_clear(&r);
	assert_int_equal(
	        test_db_countf(db, "SELECT version FROM training_session WHERE id = %lld", session),
	        3);
}

/* ---- attendance ---- */

static void test_bulk_registration_by_id_and_national_id_makes_one_record_each(void **state)
{
	long long org = test_create_org(&proc, "s-bulk", "培训登记区", "county", 0);
	long long o1 = test_create_officer(&proc, 211, "登记甲", org);
	long long o2 = test_create_officer(&proc, 212, "登记乙", org);
	long long o3 = test_create_officer(&proc, 213, "登记丙", org);
	long long session = make_session(org, "批量登记", "2025-06-01T09:00:00+08:00",
	                                 "2025-06-01T12:00:00+08:00", 0, "3");
	struct http_result r;
	char id2[19], id3[19], path[96];
	const json_t *item;
	size_t i;

	(void)state;
	test_national_id(212, id2);
	test_national_id(213, id3);
	/* o1 by id twice, o2 by national ID and by id: two records. */
	register_as(NULL, &r, session,
	            json_pack("{s:[{s:I}, {s:s}, {s:I}, {s:I}]}", "officers", "officer_id",
	                      (json_int_t)o1, "national_id", id2, "officer_id", (json_int_t)o1,
	                      "officer_id", (json_int_t)o2));
	assert_int_equal(r.status, 201);
	assert_int_equal(json_array_size(json_object_get(r.json, "created")), 2);
	assert_int_equal(json_array_size(json_object_get(r.json, "existing")), 0);
	http_result_clear(&r);
	assert_int_equal(records_of(session), 2);
	assert_int_equal(counted_units(o1), 3 * 36000);
	assert_int_equal(counted_units(o2), 3 * 36000);

	/* Again with o3 (lower-case x would be normalised; this one by its ID): o1 and o2
	 * already exist, o3 is new. */
	register_as(NULL, &r, session,
	            json_pack("{s:[{s:I}, {s:s}, {s:s}]}", "officers", "officer_id", (json_int_t)o1,
	                      "national_id", id2, "national_id", id3));
	assert_int_equal(r.status, 201);
	assert_int_equal(json_array_size(json_object_get(r.json, "created")), 1);
	assert_int_equal(num(json_array_get(json_object_get(r.json, "created"), 0), "officer_id"),
	                 o3);
	assert_int_equal(json_array_size(json_object_get(r.json, "existing")), 2);
	http_result_clear(&r);
	assert_int_equal(records_of(session), 3);

	/* Everyone already there: 200, nothing created. */
	register_as(NULL, &r, session, json_pack("{s:[{s:I}]}", "officers", "officer_id", o3));
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "created")), 0);
	http_result_clear(&r);

	/* The list shows names, masked IDs and hours as text. */
	path_of(path, sizeof(path), "/api/v1/sessions/", session, "/attendance");
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_items_count(&r), 3);
	json_array_foreach(json_object_get(r.json, "items"), i, item)
	{
		const json_t *officer = json_object_get(item, "officer");

		assert_string_equal(str(item, "credited_hours"), "3.00");
		assert_string_equal(str(item, "status"), "attended");
		assert_int_equal(strlen(str(officer, "national_id_masked")), 18);
		assert_non_null(strstr(str(officer, "national_id_masked"), "********"));
		assert_null(json_object_get(officer, "national_id"));
		assert_non_null(str(officer, "name"));
	}
	http_result_clear(&r);
}

static void test_bulk_registration_refuses_everything_for_one_unknown_officer(void **state)
{
	long long city = test_create_org(&proc, "s-scope-city", "范围市", "city", 0);
	long long a = test_create_org(&proc, "s-scope-a", "范围甲区", "county", city);
	long long b = test_create_org(&proc, "s-scope-b", "范围乙县", "county", city);
	long long oa = test_create_officer(&proc, 221, "范围甲", a);
	long long ob = test_create_officer(&proc, 222, "范围乙", b);
	long long session = make_session(a, "范围登记", "2025-06-02T09:00:00+08:00",
	                                 "2025-06-02T12:00:00+08:00", 0, NULL);
	struct test_identity hr_a;
	struct http_result r;
	char id_b[19], unknown[19];
	long long writes = test_db_count(db, "SELECT count(*) FROM attendance");

	(void)state;
	test_create_user(&proc, "s.hr.a", "hr", a, 0, NULL, &hr_a);
	test_national_id(222, id_b);
	test_national_id(229, unknown); /* valid, never registered */
	/* B's officer is out of the hr's scope: by id and by national ID, as unknown as
	 * an officer that does not exist, and the in-scope one is not registered either. */
	register_as(&hr_a, &r, session,
	            json_pack("{s:[{s:I}, {s:I}, {s:s}, {s:s}, {s:I}]}", "officers", "officer_id",
	                      (json_int_t)oa, "officer_id", (json_int_t)ob, "national_id", id_b,
	                      "national_id", unknown, "officer_id", (json_int_t)999999999));
	assert_problem(&r, 422, "officers[1].officer_id", "unknown");
	assert_field(&r, "officers[2].national_id", "unknown");
	assert_field(&r, "officers[3].national_id", "unknown");
	assert_field(&r, "officers[4].officer_id", "unknown");
	assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 4);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM attendance"), writes);

	/* Malformed items are named by position too, and nothing is written. */
	register_as(&hr_a, &r, session,
	            json_pack("{s:[{s:I, s:s}, {s:s}, {s:s}], s:s}", "officers", "officer_id",
	                      (json_int_t)oa, "national_id", id_b, "national_id", "123", "name",
	                      "x", "credited_hours", "2"));
	assert_problem(&r, 422, "officers[0]", "one_of");
	assert_field(&r, "officers[1].national_id", "length");
	assert_field(&r, "officers[2]", "one_of");
	assert_field(&r, "override_reason", "required");
	http_result_clear(&r);
	register_as(&hr_a, &r, session, json_pack("{s:[]}", "officers"));
	assert_problem(&r, 422, "officers", "type");
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM attendance"), writes);

	/* The hr registers its own officer, with partial credit and its reason. */
	register_as(&hr_a, &r, session,
	            json_pack("{s:[{s:I}], s:s, s:s}", "officers", "officer_id", (json_int_t)oa,
	                      "credited_hours", "1.25", "override_reason", "中途离场"));
	assert_int_equal(r.status, 201);
	http_result_clear(&r);
	assert_int_equal(total_units(oa), 45000);
	assert_int_equal(counted_units(oa), 45000);
}

static void test_override_and_revoke_change_totals_and_status_in_the_same_request(void **state)
{
	long long org = test_create_org(&proc, "s-override", "培训调整区", "county", 0);
	long long officer = test_create_officer(&proc, 231, "调整甲", org);
	long long big = make_session(org, "整日培训", "2025-07-01T00:00:00+08:00",
	                             "2025-07-02T00:00:00+08:00", 0, "24");
	long long s2 = make_session(org, "整日培训二", "2025-07-02T00:00:00+08:00",
	                            "2025-07-03T00:00:00+08:00", 0, "24");
	long long s3 = make_session(org, "半日培训", "2025-07-03T00:00:00+08:00",
	                            "2025-07-03T12:00:00+08:00", 0, "12");
	long long record;
	struct http_result r;
	char status[32], path[64];

	(void)state;
	(void)test_register_attendance(&proc, big, officer);
	(void)test_register_attendance(&proc, s2, officer);
	record = test_register_attendance(&proc, s3, officer);
	assert_int_equal(counted_units(officer), 60 * 36000);
	year_status(officer, status, sizeof(status));
	assert_string_equal(status, "met");

	/* Left early: 2.5 h credited instead of 12 → 50.5 h, short, before the commit. */
	patch_record(&r, record, json_pack("{s:s}", "credited_hours", "2.5"));
	assert_problem(&r, 422, "override_reason", "required");
	http_result_clear(&r);
	patch_record(&r, record,
	             json_pack("{s:s, s:s}", "credited_hours", "2.5", "override_reason", "早退"));
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "credited_hours"), "2.50");
	assert_string_equal(str(r.json, "override_hours"), "2.50");
	assert_string_equal(str(r.json, "status"), "partial");
	http_result_clear(&r);
	assert_int_equal(total_units(officer), 50 * 36000 + 18000);
	assert_int_equal(counted_units(officer), 50 * 36000 + 18000);
	year_status(officer, status, sizeof(status));
	assert_string_equal(status, "short");

	/* Clearing the override restores the session's 12 h, and clears the reason. */
	patch_record(&r, record, json_pack("{s:n}", "credited_hours"));
	assert_int_equal(r.status, 200);
	assert_true(json_is_null(json_object_get(r.json, "override_reason")));
	http_result_clear(&r);
	assert_int_equal(counted_units(officer), 60 * 36000);

	/* Revoked: the record counts nothing; a reason is required; restoring brings it back. */
	patch_record(&r, record, json_pack("{s:b}", "revoked", 1));
	assert_problem(&r, 422, "revoked_reason", "required");
	http_result_clear(&r);
	patch_record(&r, record, json_pack("{s:b, s:s}", "revoked", 1, "revoked_reason", "代签"));
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "status"), "revoked");
	assert_string_equal(str(r.json, "credited_hours"), "0.00");
	http_result_clear(&r);
	assert_int_equal(total_units(officer), 48 * 36000);
	assert_int_equal(counted_units(officer), 48 * 36000);
	year_status(officer, status, sizeof(status));
	assert_string_equal(status, "short");
	patch_record(&r, record, json_pack("{s:b, s:s}", "revoked", 0, "revoked_reason", "误撤"));
	assert_problem(&r, 422, "revoked_reason", "without_revoke");
	http_result_clear(&r);
	patch_record(&r, record, json_pack("{s:b}", "revoked", 0));
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "status"), "attended");
	http_result_clear(&r);
	assert_int_equal(counted_units(officer), 60 * 36000);
	year_status(officer, status, sizeof(status));
	assert_string_equal(status, "met");

	/* A stale or missing If-Match is refused before anything changes. */
	path_of(path, sizeof(path), "/api/v1/attendance/", record, "");
	http_call_json(&proc, &r, "PATCH", path, "\"1\"", json_pack("{s:b}", "revoked", 0));
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, NULL, json_pack("{s:b}", "revoked", 0));
	assert_problem(&r, 428, NULL, NULL);
	http_result_clear(&r);

	/* Hours as a JSON real are refused; an empty PATCH changes nothing. */
	patch_record(&r, record,
	             json_pack("{s:f, s:s}", "credited_hours", 2.5, "override_reason", "早退"));
	assert_problem(&r, 422, "credited_hours", "type");
	http_result_clear(&r);
	patch_record(&r, record, json_object());
	assert_problem(&r, 422, NULL, NULL);
	http_result_clear(&r);
}

/* ---- DOMAIN.md examples ---- */

static void test_three_untimed_60_minute_sessions_count_4_hours(void **state)
{
	long long org = test_create_org(&proc, "s-45min", "四十五分钟区", "county", 0);
	long long officer = test_create_officer(&proc, 241, "学时甲", org);
	long long s;
	int day;
	char start[40], end[40], title[32];

	(void)state;
	for (day = 1; day <= 3; day++) {
		(void)snprintf(start, sizeof(start), "2025-08-0%dT09:00:00+08:00", day);
		(void)snprintf(end, sizeof(end), "2025-08-0%dT10:00:00+08:00", day);
		(void)snprintf(title, sizeof(title), "一小时 %d", day);
		s = make_session(org, title, start, end, 0, NULL);
		(void)test_register_attendance(&proc, s, officer);
	}
	/* 180 / 45 = 4.00 h exactly, not 3 × 1.33 = 3.99. */
	assert_int_equal(total_minutes(officer), 180);
	assert_int_equal(counted_units(officer), 4 * 36000);
}

static void test_2699_untimed_minutes_are_short_and_2700_meet_60_hours(void **state)
{
	long long org = test_create_org(&proc, "s-2700", "二七零零区", "county", 0);
	long long officer = test_create_officer(&proc, 251, "学时乙", org);
	long long day1 = make_session(org, "整日", "2025-09-01T00:00:00+08:00",
	                              "2025-09-02T00:00:00+08:00", 0, NULL);
	long long day2 = make_session(org, "大半日", "2025-09-02T00:00:00+08:00",
	                              "2025-09-02T21:00:00+08:00", 1259, NULL);
	struct http_result r;
	char status[32], path[64];

	(void)state;
	(void)test_register_attendance(&proc, day1, officer);
	(void)test_register_attendance(&proc, day2, officer);
	assert_int_equal(total_minutes(officer), 2699);
	assert_int_equal(counted_units(officer), 2699 * 800); /* 59.97 h */
	year_status(officer, status, sizeof(status));
	assert_string_equal(status, "short");
	/* One more minute on the session: every record follows, and the year is met. */
	path_of(path, sizeof(path), "/api/v1/sessions/", day2, "");
	http_call_json(&proc, &r, "PATCH", path, "*", json_pack("{s:i}", "duration_minutes", 1260));
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	assert_int_equal(total_minutes(officer), 2700);
	assert_int_equal(counted_units(officer), 60 * 36000);
	year_status(officer, status, sizeof(status));
	assert_string_equal(status, "met");
}

/* ---- scope ---- */

static void test_hr_of_another_county_gets_404_on_a_session_outside_its_scope(void **state)
{
	long long city = test_create_org(&proc, "s-404-city", "四零四市", "city", 0);
	long long a = test_create_org(&proc, "s-404-a", "四零四甲区", "county", city);
	long long b = test_create_org(&proc, "s-404-b", "四零四乙县", "county", city);
	long long ob = test_create_officer(&proc, 261, "四零四乙", b);
	long long session = make_session(b, "乙县培训", "2025-10-01T09:00:00+08:00",
	                                 "2025-10-01T12:00:00+08:00", 0, NULL);
	long long record = test_register_attendance(&proc, session, ob);
	long long city_session = make_session(city, "全市轮训", "2025-10-02T09:00:00+08:00",
	                                      "2025-10-02T12:00:00+08:00", 0, NULL);
	long long oa = test_create_officer(&proc, 262, "四零四甲", a);
	struct test_identity hr_a;
	struct http_result r;
	char path[96];

	(void)state;
	test_create_user(&proc, "s.hr.404", "hr", a, 0, NULL, &hr_a);
	path_of(path, sizeof(path), "/api/v1/sessions/", session, "");
	http_call_as(&proc, &hr_a, &r, "GET", path, NULL, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	http_call_json_as(&proc, &hr_a, &r, "PATCH", path, "*",
	                  json_pack("{s:s}", "title", "越权"));
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	path_of(path, sizeof(path), "/api/v1/sessions/", session, "/attendance");
	http_call_as(&proc, &hr_a, &r, "GET", path, NULL, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	register_as(&hr_a, &r, session, json_pack("{s:[{s:I}]}", "officers", "officer_id", oa));
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	path_of(path, sizeof(path), "/api/v1/attendance/", record, "");
	http_call_json_as(&proc, &hr_a, &r, "PATCH", path, "*",
	                  json_pack("{s:b, s:s}", "revoked", 1, "revoked_reason", "越权"));
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	assert_int_equal(records_of(session), 1);

	/* The city's session is readable below it and A registers its own officers on it;
	 * only the city changes it. */
	path_of(path, sizeof(path), "/api/v1/sessions/", city_session, "");
	http_call_as(&proc, &hr_a, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	http_call_json_as(&proc, &hr_a, &r, "PATCH", path, "*", json_pack("{s:s}", "title", "改"));
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	register_as(&hr_a, &r, city_session,
	            json_pack("{s:[{s:I}]}", "officers", "officer_id", (json_int_t)oa));
	assert_int_equal(r.status, 201);
	http_result_clear(&r);
	assert_int_equal(counted_units(oa), 180 * 800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_create_session_answers_201_with_location_etag_and_defaults),
	        cmocka_unit_test(test_create_session_reports_every_field_error_at_once),
	        cmocka_unit_test(
	                test_list_sessions_filters_by_org_year_category_and_title_in_pages),
	        cmocka_unit_test(
	                test_patch_session_needs_if_match_and_moves_the_hours_of_its_records),
	        cmocka_unit_test(
	                test_bulk_registration_by_id_and_national_id_makes_one_record_each),
	        cmocka_unit_test(test_bulk_registration_refuses_everything_for_one_unknown_officer),
	        cmocka_unit_test(
	                test_override_and_revoke_change_totals_and_status_in_the_same_request),
	        cmocka_unit_test(test_three_untimed_60_minute_sessions_count_4_hours),
	        cmocka_unit_test(test_2699_untimed_minutes_are_short_and_2700_meet_60_hours),
	        cmocka_unit_test(test_hr_of_another_county_gets_404_on_a_session_outside_its_scope),
	};

	return cmocka_run_group_tests_name("sessions", tests, group_setup, group_teardown);
}
