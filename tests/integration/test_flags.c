/* test_flags.c — annual assessments, closing the training year 2025 and the
 * withdrawal flags it raises (issue 5, DOMAIN.md rules 8–10), over HTTP on a
 * crafted data set of county A: short on hours, 60 h met, hired in November,
 * exempt, fail–fail, pass–fail, an old fail–fail, an auxiliary and an officer
 * who resigned, both holding certificates. Then the flags' life after the
 * closing (late hours, a corrected assessment), the review (confirm applies
 * the action to the certificate, dismiss needs a reason), the published
 * cancellation, scope on every route, and the audit log. The tests run in
 * order on one data set. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long county_a, county_b;
/* County A's officers, each made for one rule; officer_b is county B's. */
static long long o_short, o_met, o_nov, o_exempt, o_ff, o_pf, o_ff_old, o_aux, o_resign;
static long long officer_b;
static long long session_a1, session_a2, session_a17;
static long long late_attendance; /* o_short's 3 late hours of 2025 */
static struct test_identity hr_a, hr_b, auditor_a, auditor_b, own_pf;

/* 20 class hours (declared) × 36000 units. */
#define UNITS_PER_HOUR 36000LL

/* Calls as who (NULL: the admin) and fails unless the status is expected. */
static void call(const struct test_identity *who, const char *method, const char *path,
                 const char *if_match, const char *body, long expected, struct http_result *r)
{
	char header[64];
	const char *headers[] = {header, NULL};

	if (if_match != NULL)
		(void)snprintf(header, sizeof(header), "If-Match: %s", if_match);
	http_call_as(&proc, who != NULL ? who : &proc.admin, r, method, path,
	             if_match != NULL ? headers : NULL, body);
	if (r->status != expected)
		fail_msg("%s %s: %ld, expected %ld: %s", method, path, r->status, expected,
		         r->body != NULL ? r->body : "");
}

/* The same, with the reply thrown away. */
static void call_expect(const struct test_identity *who, const char *method, const char *path,
                        const char *if_match, const char *body, long expected)
{
	struct http_result r;

	call(who, method, path, if_match, body, expected, &r);
	http_result_clear(&r);
}

/* An officer of kind officer hired on hire_date (YYYY-MM-DD). */
static long long officer_hired(unsigned n, const char *name, long long org, const char *hire_date)
{
	return test_create_officer_with(&proc, n, name, org, hire_date, "");
}

/* A 2025 session of county A that states its hours; written as the app role. */
static long long session_sql(const char *code, const char *day, long long hours)
{
	char sql[768];

	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO training_session (code, title, org_id, category, form,"
	               " starts_at, ends_at, duration_minutes, declared_units)"
	               " VALUES ('%s', '培训 %s', %lld, 'business', 'lecture', '%s 00:30+08',"
	               " timestamptz '%s 00:30+08' + interval '23 hours', 1380, %lld)",
	               code, code, county_a, day, day, hours * UNITS_PER_HOUR);
	test_db_as_app(db, sql);
	return test_db_countf(db, "SELECT id FROM training_session WHERE code = '%s'", code);
}

static void attend_sql(long long session, long long officer)
{
	char sql[256];

	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO attendance (session_id, officer_id) VALUES (%lld, %lld)",
	               session, officer);
	test_db_as_app(db, sql);
}

/* 60 h in 2025: sessions A1 + A2 (20 h each) and the 17 h one plus 3 h more. */
static void attend_60_hours(long long officer, long long session_3h)
{
	attend_sql(session_a1, officer);
	attend_sql(session_a2, officer);
	attend_sql(session_a17, officer);
	attend_sql(session_3h, officer);
}

/* A valid certificate, issued as the app role (the issuing rules apply). */
static void certificate_sql(const char *number, long long officer)
{
	char sql[512];

	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO certificate (number, officer_id, issuing_org_id, domain,"
	               " issued_on, expires_on) VALUES ('%s', %lld, %lld, '城市管理',"
	               " '2024-01-15', '2029-01-14')",
	               number, officer, county_a);
	test_db_as_app(db, sql);
}

/* The id of officer's flag for reason (0: none). */
static long long flag_of(long long officer, const char *reason)
{
	return test_db_countf(
	        db,
	        "SELECT coalesce((SELECT id FROM withdrawal_flag WHERE officer_id = %lld"
	        " AND reason = '%s'), 0)",
	        officer, reason);
}

static const char *flag_state(long long flag, char *out, size_t size)
{
	char id[24];

	(void)snprintf(id, sizeof(id), "%lld", flag);
	test_db_text(db, "SELECT state FROM withdrawal_flag WHERE id = $1::bigint", id, out, size);
	return out;
}

static void put_assessment(const struct test_identity *who, long long officer, int year,
                           const char *grade, long expected)
{
	char path[96], body[96];

	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/assessments/%d", officer, year);
	(void)snprintf(body, sizeof(body), "{\"grade\":\"%s\",\"note\":\"年度考核\"}", grade);
	call_expect(who, "PUT", path, "*", body, expected);
}

static int group_setup(void **state)
{
	long long city, session_3h;
	char sql[256];

	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	city = test_create_org(&proc, "flag-city", "标记市", "city", 0);
	county_a = test_create_org(&proc, "flag-a", "甲县", "county", city);
	county_b = test_create_org(&proc, "flag-b", "乙县", "county", city);
	o_short = test_create_officer(&proc, 9101, "短学时", county_a);
	o_met = test_create_officer(&proc, 9102, "学时满", county_a);
	o_nov = officer_hired(9103, "十一月", county_a, "2025-11-10");
	o_exempt = test_create_officer(&proc, 9104, "免除者", county_a);
	o_ff = test_create_officer(&proc, 9105, "两不合格", county_a);
	o_pf = test_create_officer(&proc, 9106, "先合格", county_a);
	o_ff_old = test_create_officer(&proc, 9107, "旧不合格", county_a);
	o_aux = test_create_officer(&proc, 9108, "辅助人", county_a);
	o_resign = test_create_officer(&proc, 9109, "欧阳辞职", county_a);
	officer_b = test_create_officer(&proc, 9110, "乙县人", county_b);
	test_create_user(&proc, "flag.hr.a", "hr", county_a, 0, NULL, &hr_a);
	test_create_user(&proc, "flag.hr.b", "hr", county_b, 0, NULL, &hr_b);
	test_create_user(&proc, "flag.auditor.a", "auditor", county_a, 0, NULL, &auditor_a);
	test_create_user(&proc, "flag.auditor.b", "auditor", county_b, 0, NULL, &auditor_b);
	test_create_user(&proc, "flag.own", "officer", 0, o_pf, NULL, &own_pf);

	/* 2025: o_short has 57 h; everyone else but o_nov, o_exempt and county B has 60. */
	session_a1 = session_sql("flag-a1", "2025-03-03", 20);
	session_a2 = session_sql("flag-a2", "2025-04-07", 20);
	session_a17 = session_sql("flag-a17", "2025-05-05", 17);
	session_3h = session_sql("flag-a3", "2025-06-02", 3);
	attend_sql(session_a1, o_short);
	attend_sql(session_a2, o_short);
	attend_sql(session_a17, o_short);
	attend_60_hours(o_met, session_3h);
	attend_60_hours(o_ff, session_3h);
	attend_60_hours(o_pf, session_3h);
	attend_60_hours(o_ff_old, session_3h);
	attend_60_hours(o_aux, session_3h);
	attend_60_hours(o_resign, session_3h);

	/* Certificates: o_short's (suspended on review later), the auxiliary's and the
	 * one of the officer who resigns. */
	certificate_sql("FLAG-SHORT-01", o_short);
	certificate_sql("FLAG-AUX-01", o_aux);
	certificate_sql("FLAG-RESIGN-01", o_resign);
	/* Issued while a regular officer, then reclassified as auxiliary staff. */
	(void)snprintf(sql, sizeof(sql), "UPDATE officer SET kind = 'auxiliary' WHERE id = %lld",
	               o_aux);
	test_db_as_app(db, sql);
	(void)snprintf(sql, sizeof(sql),
	               "UPDATE officer SET status = 'resigned', status_date ="
	               " (now() AT TIME ZONE 'Asia/Shanghai')::date WHERE id = %lld",
	               o_resign);
	test_db_as_app(db, sql);

	/* o_exempt's 2025 is waived; the request re-evaluates every stale officer-year,
	 * so the preview reads current evaluations. */
	{
		char path[96];

		(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/exemptions/2025",
		               o_exempt);
		call_expect(
		        NULL, "PUT", path, "*",
		        "{\"kind\":\"waive\",\"reason\":\"长期病假\",\"approver\":\"县司法局\"}",
		        200);
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

static void test_assessments_are_recorded_once_a_year_within_scope(void **state)
{
	struct http_result r;
	char path[96];

	(void)state;
	put_assessment(&hr_a, o_ff, 2024, "fail", 200);
	put_assessment(&hr_a, o_ff, 2025, "fail", 200);
	put_assessment(&hr_a, o_pf, 2024, "pass", 200);
	put_assessment(NULL, o_pf, 2025, "fail", 200);
	put_assessment(&hr_a, o_ff_old, 2023, "fail", 200);
	put_assessment(&hr_a, o_ff_old, 2024, "fail", 200);
	put_assessment(&hr_a, o_ff_old, 2025, "basic", 200);

	/* Newest year first, with who recorded it; one row per year. */
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/assessments", o_ff_old);
	call(&hr_a, "GET", path, NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
	assert_int_equal(test_json_int(json_array_get(json_object_get(r.json, "items"), 0), "year"),
	                 2025);
	assert_string_equal(
	        test_json_str(json_array_get(json_object_get(r.json, "items"), 0), "grade"),
	        "basic");
	assert_string_equal(
	        test_json_str(json_array_get(json_object_get(r.json, "items"), 2), "recorded_by"),
	        "flag.hr.a");
	http_result_clear(&r);

	/* Correcting with the version read; a stale version is 412 and changes nothing. */
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/assessments/2025", o_ff_old);
	call(&hr_a, "PUT", path, "\"1\"", "{\"grade\":\"pass\"}", 200, &r);
	assert_int_equal(test_json_int(r.json, "version"), 2);
	assert_string_equal(r.etag, "\"2\"");
	http_result_clear(&r);
	call(&hr_a, "PUT", path, "\"1\"", "{\"grade\":\"fail\"}", 412, &r);
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM annual_assessment WHERE officer_id ="
	                                " %lld AND year = 2025 AND grade = 'pass'",
	                                o_ff_old),
	                 1);
	call(&hr_a, "PUT", path, NULL, "{\"grade\":\"pass\"}", 428, &r);
	http_result_clear(&r);

	/* Bad input: field errors, nothing written. */
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/assessments/2027", o_met);
	call(&hr_a, "PUT", path, "*", "{\"grade\":\"pass\"}", 422, &r);
	assert_problem(&r, 422, "year", "not_begun");
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/assessments/2025", o_met);
	call(&hr_a, "PUT", path, "*", "{\"grade\":\"good\"}", 422, &r);
	assert_problem(&r, 422, "grade", NULL);
	http_result_clear(&r);
	call(&hr_a, "PUT", path, "*", "{\"grade\":\"pass\",\"score\":90}", 422, &r);
	assert_problem(&r, 422, "score", NULL);
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM annual_assessment WHERE officer_id ="
	                                " %lld",
	                                o_met),
	                 0);

	/* Scope: HR of county B gets 404 for A's officer, exactly as for a missing one;
	 * an auditor may read but not record. */
	call(&hr_b, "PUT", path, "*", "{\"grade\":\"pass\"}", 404, &r);
	http_result_clear(&r);
	call_expect(&hr_a, "PUT", "/api/v1/officers/999999/assessments/2025", "*",
	            "{\"grade\":\"pass\"}", 404);
	call_expect(&auditor_a, "PUT", path, "*", "{\"grade\":\"pass\"}", 403);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/assessments", o_ff);
	call_expect(&hr_b, "GET", path, NULL, NULL, 404);
	call_expect(&auditor_a, "GET", path, NULL, NULL, 200);
	/* An officer reads its own assessments only. */
	call_expect(&own_pf, "GET", path, NULL, NULL, 404);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/assessments", o_pf);
	call(&own_pf, "GET", path, NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/assessments/2025", o_pf);
	call_expect(&own_pf, "PUT", path, "*", "{\"grade\":\"pass\"}", 403);
}

static void test_leaving_the_post_withdraws_and_flags_at_once(void **state)
{
	char status[32];
	long long flag;

	(void)state;
	/* The resignation withdrew the certificate in its own transaction, and queued
	 * the cancellation as a left_post flag. */
	test_db_text(db,
	             "SELECT status || '/' || status_reason_category FROM certificate"
	             " WHERE number = $1",
	             "FLAG-RESIGN-01", status, sizeof(status));
	assert_string_equal(status, "withdrawn/resigned");
	flag = flag_of(o_resign, "left_post");
	assert_true(flag > 0);
	assert_string_equal(flag_state(flag, status, sizeof(status)), "open");
	/* The auxiliary's certificate stays valid, but is flagged. */
	test_db_text(db, "SELECT status FROM certificate WHERE number = $1", "FLAG-AUX-01", status,
	             sizeof(status));
	assert_string_equal(status, "valid");
	assert_true(flag_of(o_aux, "not_eligible") > 0);
	/* Nobody else has a flag yet: hours and assessments wait for the closing. */
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM withdrawal_flag"), 2);
}

static void test_closing_is_refused_for_open_years_other_roles_and_foreign_units(void **state)
{
	struct http_result r;
	char body[64];
	long long flags = test_db_count(db, "SELECT count(*) FROM withdrawal_flag");

	(void)state;
	call(&auditor_a, "POST", "/api/v1/years/2026/close", NULL, "{}", 409, &r);
	assert_problem(&r, 409, "year", "not_ended");
	http_result_clear(&r);
	call(&auditor_a, "GET", "/api/v1/years/2026/close-preview", NULL, NULL, 409, &r);
	assert_problem(&r, 409, "year", "not_ended");
	http_result_clear(&r);
	call_expect(&hr_a, "POST", "/api/v1/years/2025/close", NULL, "{}", 403);
	call_expect(&own_pf, "POST", "/api/v1/years/2025/close", NULL, "{}", 403);
	call_expect(&hr_a, "GET", "/api/v1/years/2025/close-preview", NULL, NULL, 403);
	(void)snprintf(body, sizeof(body), "{\"org_id\":%lld}", county_b);
	call(&auditor_a, "POST", "/api/v1/years/2025/close", NULL, body, 422, &r);
	assert_problem(&r, 422, "org_id", "unknown");
	http_result_clear(&r);
	call(&auditor_a, "POST", "/api/v1/years/2025/close", NULL, "{\"org_id\":\"x\"}", 422, &r);
	assert_problem(&r, 422, "org_id", NULL);
	http_result_clear(&r);
	(void)snprintf(body, sizeof(body), "/api/v1/years/2025/close-preview?org=%lld", county_b);
	call(&auditor_a, "GET", body, NULL, NULL, 422, &r);
	assert_problem(&r, 422, "org", "unknown");
	http_result_clear(&r);
	call_expect(&auditor_a, "POST", "/api/v1/years/1999/close", NULL, "{}", 404);
	/* Nothing was written. */
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM training_year_close"), 0);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM withdrawal_flag"), flags);
}

/* The preview's items as "officer:reason" of the conditions without a flag. */
static void preview_new(const json_t *items, char *out, size_t size)
{
	const json_t *item;
	size_t i, len = 0;

	out[0] = '\0';
	json_array_foreach(items, i, item)
	{
		if (!json_is_null(json_object_get(item, "existing_flag_id")))
			continue;
		len += (size_t)snprintf(out + len, size - len, "%s%lld:%s", len ? "," : "",
		                        test_json_int(item, "officer_id"),
		                        test_json_str(item, "reason"));
		assert_true(len < size);
	}
}

static void test_preview_shows_what_closing_raises_and_writes_nothing(void **state)
{
	struct http_result r, page;
	char expected[512], raised[512], path[256];
	long long flags = test_db_count(db, "SELECT count(*) FROM withdrawal_flag");
	long long before = test_db_count(db, "SELECT coalesce(max(id), 0) FROM withdrawal_flag");
	const json_t *counts, *item;
	size_t i;
	int left_post = 0;

	(void)state;
	call(&auditor_a, "GET", "/api/v1/years/2025/close-preview", NULL, NULL, 200, &r);
	assert_int_equal(test_json_int(r.json, "year"), 2025);
	assert_int_equal(test_json_int(r.json, "org_id"), county_a);
	assert_int_equal(test_json_int(r.json, "stale"), 0);
	counts = json_object_get(r.json, "counts");
	assert_int_equal(test_json_int(json_object_get(counts, "hours_short"), "new"), 1);
	assert_int_equal(test_json_int(json_object_get(counts, "assessment_fail_twice"), "new"), 1);
	assert_int_equal(test_json_int(json_object_get(counts, "left_post"), "conditions"), 1);
	assert_int_equal(test_json_int(json_object_get(counts, "left_post"), "new"), 0);
	assert_int_equal(test_json_int(json_object_get(counts, "not_eligible"), "new"), 0);
	json_array_foreach(json_object_get(r.json, "items"), i, item)
	{
		/* Nobody of county B, and no national ID. */
		assert_int_equal(test_json_int(item, "org_id"), county_a);
		assert_string_equal(test_json_str(item, "org_name"), "甲县");
		if (strcmp(test_json_str(item, "reason"), "left_post") == 0) {
			left_post++;
			assert_int_equal(test_json_int(item, "officer_id"), o_resign);
			assert_int_equal(test_json_int(item, "existing_flag_id"),
			                 flag_of(o_resign, "left_post"));
			assert_string_equal(test_json_str(item, "existing_state"), "open");
		}
	}
	assert_int_equal(left_post, 1);
	assert_null(strstr(r.body, "national_id"));
	preview_new(json_object_get(r.json, "items"), expected, sizeof(expected));
	/* Pages hold whole officers: one officer a page, the cursor moves on. */
	call(&auditor_a, "GET", "/api/v1/years/2025/close-preview?limit=1", NULL, NULL, 200, &page);
	assert_true(json_is_string(json_object_get(page.json, "next_cursor")));
	(void)snprintf(path, sizeof(path), "/api/v1/years/2025/close-preview?limit=1&cursor=%s",
	               test_json_str(page.json, "next_cursor"));
	assert_int_not_equal(
	        test_json_int(json_array_get(json_object_get(page.json, "items"), 0), "officer_id"),
	        0);
	{
		long long first = test_json_int(
		        json_array_get(json_object_get(page.json, "items"), 0), "officer_id");

		http_result_clear(&page);
		call(&auditor_a, "GET", path, NULL, NULL, 200, &page);
		assert_true(test_json_int(json_array_get(json_object_get(page.json, "items"), 0),
		                          "officer_id") > first);
		http_result_clear(&page);
	}
	http_result_clear(&r);
	call_expect(&auditor_a, "GET", "/api/v1/years/2025/close-preview?reason=bogus", NULL, NULL,
	            422);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM withdrawal_flag"), flags);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM training_year_close"), 0);

	/* The closing raises exactly what the preview listed. */
	call(&auditor_a, "POST", "/api/v1/years/2025/close", NULL, "{}", 200, &r);
	assert_int_equal(test_json_int(r.json, "org_id"), county_a);
	assert_int_equal(test_json_int(r.json, "year"), 2025);
	assert_int_equal(test_json_int(r.json, "closings"), 1);
	assert_string_equal(test_json_str(r.json, "closed_by"), "flag.auditor.a");
	assert_int_equal(test_json_int(json_object_get(r.json, "flags"), "raised"), 2);
	http_result_clear(&r);
	(void)snprintf(
	        path, sizeof(path),
	        "SELECT coalesce(string_agg(officer_id || ':' || reason, ','"
	        " ORDER BY officer_id, reason), '') FROM withdrawal_flag WHERE id > $1::bigint");
	{
		char id[24];

		(void)snprintf(id, sizeof(id), "%lld", before);
		test_db_text(db, path, id, raised, sizeof(raised));
	}
	assert_string_equal(raised, expected);
}

static void test_the_closing_flags_exactly_the_right_officers(void **state)
{
	struct http_result r;
	char path[96];
	const json_t *details;

	(void)state;
	/* 57 h of 60: short, with the details in hours. */
	assert_true(flag_of(o_short, "hours_short") > 0);
	(void)snprintf(path, sizeof(path), "/api/v1/flags/%lld", flag_of(o_short, "hours_short"));
	call(&auditor_a, "GET", path, NULL, NULL, 200, &r);
	assert_string_equal(test_json_str(r.json, "reason"), "hours_short");
	assert_string_equal(test_json_str(r.json, "state"), "open");
	assert_int_equal(test_json_int(r.json, "year"), 2025);
	assert_string_equal(test_json_str(r.json, "officer_name"), "短学时");
	assert_string_equal(test_json_str(r.json, "org_name"), "甲县");
	details = json_object_get(r.json, "details");
	assert_string_equal(test_json_str(details, "counted_hours"), "57.00");
	assert_string_equal(test_json_str(details, "required_hours"), "60.00");
	assert_null(json_object_get(details, "counted_units"));
	assert_string_equal(test_json_str(json_array_get(json_object_get(details, "shortfalls"), 0),
	                                  "missing_hours"),
	                    "3.00");
	assert_int_equal(json_array_size(json_object_get(r.json, "history")), 1);
	assert_string_equal(
	        test_json_str(json_array_get(json_object_get(r.json, "history"), 0), "event"),
	        "raised");
	assert_string_equal(r.etag, "\"1\"");
	http_result_clear(&r);

	/* Two failing years in a row: exit recommended. */
	assert_true(flag_of(o_ff, "assessment_fail_twice") > 0);
	/* Nobody else: 60 h met, hired in November, exempt, pass–fail, fail–fail of
	 * 2023–2024 only, and no hours flag for anyone with 60 h. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM withdrawal_flag WHERE officer_id IN"
	                                " (%lld, %lld, %lld, %lld, %lld)",
	                                o_met, o_nov, o_exempt, o_pf, o_ff_old),
	                 0);
	assert_int_equal(
	        test_db_count(db, "SELECT count(*) FROM withdrawal_flag WHERE year = 2025"), 2);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM withdrawal_flag"), 4);
	/* The November hire was evaluated by the closing and owes nothing. */
	assert_int_equal(
	        test_db_countf(db,
	                       "SELECT count(*) FROM officer_year_status WHERE officer_id ="
	                       " %lld AND year = 2025 AND status IN ('met', 'exempt')"
	                       " AND NOT stale",
	                       o_nov),
	        1);
}

static void test_closing_twice_raises_nothing_twice(void **state)
{
	struct http_result r;
	long long flags = test_db_count(db, "SELECT count(*) FROM withdrawal_flag");
	long long events = test_db_count(db, "SELECT count(*) FROM withdrawal_flag_event");
	const json_t *item;
	char body[64];
	size_t i;

	(void)state;
	call(&auditor_a, "POST", "/api/v1/years/2025/close", NULL, "{}", 200, &r);
	assert_int_equal(test_json_int(r.json, "closings"), 2);
	assert_int_equal(test_json_int(json_object_get(r.json, "flags"), "raised"), 0);
	assert_int_equal(test_json_int(json_object_get(r.json, "flags"), "holding"), 4);
	http_result_clear(&r);
	/* The same subtree named by id is the same closing. */
	(void)snprintf(body, sizeof(body), "{\"org_id\":%lld}", county_a);
	call(NULL, "POST", "/api/v1/years/2025/close", NULL, body, 200, &r);
	assert_int_equal(test_json_int(r.json, "closings"), 3);
	assert_int_equal(test_json_int(json_object_get(r.json, "flags"), "raised"), 0);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM withdrawal_flag"), flags);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM withdrawal_flag_event"), events);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM training_year_close"), 1);

	/* County B is closed on its own; its reader sees its closing, not A's. */
	call(&auditor_b, "POST", "/api/v1/years/2025/close", NULL, "{}", 200, &r);
	assert_int_equal(test_json_int(r.json, "org_id"), county_b);
	assert_int_equal(test_json_int(json_object_get(r.json, "flags"), "raised"), 1);
	http_result_clear(&r);
	assert_true(flag_of(officer_b, "hours_short") > 0);
	call(&hr_b, "GET", "/api/v1/years/2025/closings", NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_int_equal(
	        test_json_int(json_array_get(json_object_get(r.json, "items"), 0), "org_id"),
	        county_b);
	assert_string_equal(
	        test_json_str(json_array_get(json_object_get(r.json, "items"), 0), "org_name"),
	        "乙县");
	http_result_clear(&r);
	call(NULL, "GET", "/api/v1/years/2025/closings", NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	json_array_foreach(json_object_get(r.json, "items"), i, item) assert_int_equal(
	        test_json_int(item, "closings"), test_json_int(item, "org_id") == county_a ? 3 : 1);
	http_result_clear(&r);
	call(NULL, "GET", "/api/v1/years/2024/closings", NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	http_result_clear(&r);
	call_expect(&own_pf, "GET", "/api/v1/years/2025/closings", NULL, NULL, 403);
}

/* The events of flag, oldest first, as "raised,lapsed,…". */
static void flag_events(long long flag, char *out, size_t size)
{
	char id[24];

	(void)snprintf(id, sizeof(id), "%lld", flag);
	test_db_text(db,
	             "SELECT string_agg(event, ',' ORDER BY id) FROM withdrawal_flag_event"
	             " WHERE flag_id = $1::bigint",
	             id, out, size);
}

/* Closing a province is a few statements over a million officer-years: the
 * closing may run past the 5 s every other request is held to. A statement made
 * slow on purpose (a trigger that sleeps 5.5 s) stands in for that size. */
static void test_a_closing_may_run_past_the_usual_statement_timeout(void **state)
{
	struct http_result r;

	(void)state;
	test_db_execf(db, "CREATE FUNCTION test_slow_closing() RETURNS trigger LANGUAGE plpgsql"
	                  " AS $$ BEGIN PERFORM pg_sleep(5.5); RETURN NEW; END $$;"
	                  " CREATE TRIGGER test_slow_closing BEFORE INSERT ON training_year_close"
	                  " FOR EACH ROW EXECUTE FUNCTION test_slow_closing()");
	call(&auditor_a, "POST", "/api/v1/years/2025/close", NULL, "{}", 200, &r);
	http_result_clear(&r);
	test_db_execf(db, "DROP TRIGGER test_slow_closing ON training_year_close;"
	                  " DROP FUNCTION test_slow_closing()");
}

static void test_late_hours_lapse_the_hours_flag_and_revoking_reopens_it(void **state)
{
	struct http_result r;
	long long flag = flag_of(o_short, "hours_short"), session;
	char text[128], path[96];

	(void)state;
	/* A late record of 3 h in 2025 through the API: the refresh in the same
	 * request brings the officer to 60 h, and the closed year's flag lapses. */
	session = test_create_session(&proc, "补录培训", county_a, "2025-09-01T09:00:00+08:00",
	                              "2025-09-01T12:00:00+08:00", "3");
	late_attendance = test_register_attendance(&proc, session, o_short);
	assert_string_equal(flag_state(flag, text, sizeof(text)), "lapsed");
	flag_events(flag, text, sizeof(text));
	assert_string_equal(text, "raised,lapsed");
	(void)snprintf(path, sizeof(path), "/api/v1/flags/%lld", flag);
	call(&auditor_a, "GET", path, NULL, NULL, 200, &r);
	assert_false(json_is_true(json_object_get(r.json, "holds")));
	assert_string_equal(
	        test_json_str(json_array_get(json_object_get(r.json, "history"), 1), "event"),
	        "lapsed");
	http_result_clear(&r);

	/* Revoking the record brings the shortfall back: the flag reopens. */
	(void)snprintf(path, sizeof(path), "/api/v1/attendance/%lld", late_attendance);
	call_expect(NULL, "PATCH", path, "*",
	            "{\"revoked\":true,\"revoked_reason\":\"重复登记 / duplicate\"}", 200);
	assert_string_equal(flag_state(flag, text, sizeof(text)), "open");
	flag_events(flag, text, sizeof(text));
	assert_string_equal(text, "raised,lapsed,reopened");
	/* Still one flag for the officer-year. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM withdrawal_flag WHERE officer_id ="
	                                " %lld",
	                                o_short),
	                 1);
}

static void test_a_corrected_assessment_lapses_the_fail_twice_flag(void **state)
{
	long long flag = flag_of(o_ff, "assessment_fail_twice");
	char text[64];

	(void)state;
	put_assessment(&hr_a, o_ff, 2024, "pass", 200);
	assert_string_equal(flag_state(flag, text, sizeof(text)), "lapsed");
	flag_events(flag, text, sizeof(text));
	assert_string_equal(text, "raised,lapsed");
}

static void test_confirming_suspends_the_certificate_in_the_same_request(void **state)
{
	struct http_result r;
	long long flag = flag_of(o_short, "hours_short");
	char path[256], text[128];
	const json_t *changed;

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/flags/%lld/confirm", flag);
	call_expect(&hr_a, "POST", path, NULL, "{\"action\":\"suspend\"}", 403);
	call(&auditor_a, "POST", path, NULL, "{\"action\":\"revoke\"}", 422, &r);
	assert_problem(&r, 422, "action", NULL);
	http_result_clear(&r);
	call(&auditor_a, "POST", path, NULL, "{\"action\":\"suspend\",\"note\":\"学时不足，暂扣\"}",
	     200, &r);
	assert_string_equal(test_json_str(r.json, "state"), "confirmed");
	assert_string_equal(test_json_str(r.json, "review_action"), "suspend");
	assert_string_equal(test_json_str(r.json, "reviewed_by"), "flag.auditor.a");
	changed = json_object_get(r.json, "certificates");
	assert_int_equal(json_array_size(changed), 1);
	assert_string_equal(test_json_str(json_array_get(changed, 0), "number"), "FLAG-SHORT-01");
	assert_string_equal(test_json_str(json_array_get(changed, 0), "status"), "suspended");
	http_result_clear(&r);
	/* The certificate's history names the flag and the reason. */
	(void)snprintf(path, sizeof(path),
	               "SELECT e.to_status || '/' || e.reason_category || '/' || e.flag_id"
	               " FROM certificate_event e JOIN certificate c ON c.id = e.certificate_id"
	               " WHERE c.number = $1 ORDER BY e.id DESC LIMIT 1");
	test_db_text(db, path, "FLAG-SHORT-01", text, sizeof(text));
	{
		char expected[64];

		(void)snprintf(expected, sizeof(expected), "suspended/hours_short/%lld", flag);
		assert_string_equal(text, expected);
	}
	/* Once only. */
	(void)snprintf(path, sizeof(path), "/api/v1/flags/%lld/confirm", flag);
	call(&auditor_a, "POST", path, NULL, "{\"action\":\"withdraw\"}", 409, &r);
	assert_problem(&r, 409, "state", NULL);
	http_result_clear(&r);
	test_db_text(db, "SELECT status FROM certificate WHERE number = $1", "FLAG-SHORT-01", text,
	             sizeof(text));
	assert_string_equal(text, "suspended");
	call_expect(&auditor_a, "POST", "/api/v1/flags/999999/confirm", NULL,
	            "{\"action\":\"suspend\"}", 404);
}

static void test_dismissing_needs_a_reason_and_an_unreviewed_flag(void **state)
{
	struct http_result r;
	char path[96], text[64];
	long long lapsed = flag_of(o_ff, "assessment_fail_twice");

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/flags/%lld/dismiss", lapsed);
	call(&auditor_a, "POST", path, NULL, "{}", 422, &r);
	assert_problem(&r, 422, "reason", "required");
	http_result_clear(&r);
	call(&auditor_a, "POST", path, NULL, "{\"reason\":\"  \"}", 422, &r);
	assert_problem(&r, 422, "reason", "required");
	http_result_clear(&r);
	assert_string_equal(flag_state(lapsed, text, sizeof(text)), "lapsed");
	call(&auditor_a, "POST", path, NULL, "{\"reason\":\"考核结果已更正 / corrected\"}", 200,
	     &r);
	assert_string_equal(test_json_str(r.json, "state"), "dismissed");
	assert_string_equal(test_json_str(r.json, "review_note"), "考核结果已更正 / corrected");
	assert_true(json_is_null(json_object_get(r.json, "review_action")));
	http_result_clear(&r);
	flag_events(lapsed, text, sizeof(text));
	assert_string_equal(text, "raised,lapsed,dismissed");
	/* A reviewed flag is not dismissed (again). */
	call(&auditor_a, "POST", path, NULL, "{\"reason\":\"再次\"}", 409, &r);
	assert_problem(&r, 409, "state", "reviewed");
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/flags/%lld/dismiss",
	               flag_of(o_short, "hours_short"));
	call(&auditor_a, "POST", path, NULL, "{\"reason\":\"不应驳回\"}", 409, &r);
	assert_problem(&r, 409, "state", "reviewed");
	http_result_clear(&r);
	assert_string_equal(flag_state(flag_of(o_short, "hours_short"), text, sizeof(text)),
	                    "confirmed");
}

static void test_cancelling_on_leaving_the_post_publishes_the_cancellation(void **state)
{
	struct http_result r;
	long long flag = flag_of(o_resign, "left_post");
	char path[96], text[64], national_id[19];
	const json_t *item;
	size_t i;
	int found = 0;

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/flags/%lld/confirm", flag);
	/* A withdrawn certificate can only be cancelled: the reply says so. */
	call(&auditor_a, "POST", path, NULL, "{\"action\":\"suspend\"}", 409, &r);
	assert_problem(&r, 409, "action", "transition");
	assert_non_null(strstr(r.body, "allowed actions: cancel"));
	http_result_clear(&r);
	assert_string_equal(flag_state(flag, text, sizeof(text)), "open");

	call(&auditor_a, "POST", path, NULL, "{\"action\":\"cancel\"}", 200, &r);
	assert_string_equal(
	        test_json_str(json_array_get(json_object_get(r.json, "certificates"), 0), "status"),
	        "cancelled");
	http_result_clear(&r);
	test_db_text(db,
	             "SELECT status || '/' || status_reason_category FROM certificate"
	             " WHERE number = $1",
	             "FLAG-RESIGN-01", text, sizeof(text));
	assert_string_equal(text, "cancelled/resigned");

	/* Published without a login: number, masked name, unit, date, reason. */
	http_call_as(&proc, NULL, &r, "GET", "/public/cancelled-certificates", NULL, NULL);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "items"), i, item)
	{
		if (strcmp(test_json_str(item, "number"), "FLAG-RESIGN-01") != 0)
			continue;
		found++;
		assert_string_equal(test_json_str(item, "name_masked"), "欧**职");
		assert_string_equal(test_json_str(item, "unit"), "甲县");
		assert_string_equal(test_json_str(item, "reason_category"), "resigned");
	}
	assert_int_equal(found, 1);
	test_national_id(9109, national_id);
	assert_null(strstr(r.body, national_id));
	assert_null(strstr(r.body, "欧阳辞职"));
	http_result_clear(&r);
}

static void test_flags_are_listed_and_reviewed_within_scope_only(void **state)
{
	struct http_result r;
	long long flag_b = flag_of(officer_b, "hours_short");
	char path[128];
	const json_t *item;
	size_t i;

	(void)state;
	/* Auditor A: county A's four flags only, in id order. */
	call(&auditor_a, "GET", "/api/v1/flags", NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 4);
	assert_false(test_items_hold(&r, flag_b));
	json_array_foreach(json_object_get(r.json, "items"), i, item)
	        assert_int_equal(test_json_int(item, "org_id"), county_a);
	http_result_clear(&r);
	call(NULL, "GET", "/api/v1/flags", NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 5);
	http_result_clear(&r);
	/* Filters and paging. */
	call(&auditor_a, "GET", "/api/v1/flags?reason=left_post&state=confirmed", NULL, NULL, 200,
	     &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_string_equal(test_json_str(json_array_get(json_object_get(r.json, "items"), 0),
	                                  "certificate_number"),
	                    "FLAG-RESIGN-01");
	http_result_clear(&r);
	call(&auditor_a, "GET", "/api/v1/flags?year=2025&limit=1", NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_true(json_is_string(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/flags?officer=%lld", o_aux);
	call(&hr_a, "GET", path, NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_string_equal(
	        test_json_str(json_array_get(json_object_get(r.json, "items"), 0), "reason"),
	        "not_eligible");
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/flags?org=%lld", county_b);
	call(&auditor_a, "GET", path, NULL, NULL, 422, &r);
	assert_problem(&r, 422, "org", "unknown");
	http_result_clear(&r);
	call(&auditor_a, "GET", "/api/v1/flags?state=closed", NULL, NULL, 422, &r);
	assert_problem(&r, 422, "state", NULL);
	http_result_clear(&r);
	call_expect(&own_pf, "GET", "/api/v1/flags", NULL, NULL, 403);

	/* The summary: open flags per unit and reason, within scope. */
	call(&auditor_a, "GET", "/api/v1/flags/summary", NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	item = json_array_get(json_object_get(r.json, "items"), 0);
	assert_int_equal(test_json_int(item, "org_id"), county_a);
	assert_string_equal(test_json_str(item, "reason"), "not_eligible");
	assert_int_equal(test_json_int(item, "count"), 1);
	http_result_clear(&r);
	call(NULL, "GET", "/api/v1/flags/summary?year=2025", NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_int_equal(
	        test_json_int(json_array_get(json_object_get(r.json, "items"), 0), "org_id"),
	        county_b);
	http_result_clear(&r);
	call(&auditor_a, "GET", "/api/v1/flags/summary?state=confirmed", NULL, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	http_result_clear(&r);

	/* B's flag is 404 for A, exactly like a missing one, and stays untouched. */
	(void)snprintf(path, sizeof(path), "/api/v1/flags/%lld", flag_b);
	call_expect(&auditor_a, "GET", path, NULL, NULL, 404);
	call_expect(&auditor_b, "GET", path, NULL, NULL, 200);
	(void)snprintf(path, sizeof(path), "/api/v1/flags/%lld/confirm", flag_b);
	call_expect(&auditor_a, "POST", path, NULL, "{\"action\":\"suspend\"}", 404);
	(void)snprintf(path, sizeof(path), "/api/v1/flags/%lld/dismiss", flag_b);
	call_expect(&auditor_a, "POST", path, NULL, "{\"reason\":\"越权\"}", 404);
	{
		char text[32];

		assert_string_equal(flag_state(flag_b, text, sizeof(text)), "open");
	}
	call_expect(&auditor_b, "POST", path, NULL, "{\"reason\":\"已调离执法岗位\"}", 200);
}

static void test_closings_and_reviews_are_in_the_audit_log(void **state)
{
	(void)state;
	assert_true(test_db_count(db, "SELECT count(*) FROM audit_log"
	                              " WHERE action LIKE 'training_year_close.%'") >= 3);
	assert_true(test_db_count(db, "SELECT count(*) FROM audit_log"
	                              " WHERE action = 'withdrawal_flag.create'") >= 5);
	/* The review: who confirmed which flag. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM audit_log WHERE target_type ="
	                                " 'withdrawal_flag' AND target_id = '%lld'"
	                                " AND after->>'state' = 'confirmed'"
	                                " AND actor = 'flag.auditor.a'",
	                                flag_of(o_short, "hours_short")),
	                 1);
	assert_true(test_db_count(db, "SELECT count(*) FROM audit_log WHERE target_type ="
	                              " 'withdrawal_flag' AND after->>'state' = 'dismissed'") >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_assessments_are_recorded_once_a_year_within_scope),
	        cmocka_unit_test(test_leaving_the_post_withdraws_and_flags_at_once),
	        cmocka_unit_test(
	                test_closing_is_refused_for_open_years_other_roles_and_foreign_units),
	        cmocka_unit_test(test_preview_shows_what_closing_raises_and_writes_nothing),
	        cmocka_unit_test(test_the_closing_flags_exactly_the_right_officers),
	        cmocka_unit_test(test_closing_twice_raises_nothing_twice),
	        cmocka_unit_test(test_a_closing_may_run_past_the_usual_statement_timeout),
	        cmocka_unit_test(test_late_hours_lapse_the_hours_flag_and_revoking_reopens_it),
	        cmocka_unit_test(test_a_corrected_assessment_lapses_the_fail_twice_flag),
	        cmocka_unit_test(test_confirming_suspends_the_certificate_in_the_same_request),
	        cmocka_unit_test(test_dismissing_needs_a_reason_and_an_unreviewed_flag),
	        cmocka_unit_test(test_cancelling_on_leaving_the_post_publishes_the_cancellation),
	        cmocka_unit_test(test_flags_are_listed_and_reviewed_within_scope_only),
	        cmocka_unit_test(test_closings_and_reviews_are_in_the_audit_log),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
