/* test_card.c — GET /api/v1/officers/{id}/card?year=: the training registration
 * card over HTTP. Sessions and attendance are written in SQL as the app role
 * with the whole tree in scope (the sessions API is tested on its own); the
 * card must show the DOMAIN.md arithmetic exactly, explain every record, and
 * answer only within the caller's scope. */
#include "testlib.h"

#include "rules_hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long county_a, county_b, officer_a, officer_b, officer_other_a;
static struct test_identity hr_a, hr_b, auditor_a, own;

/* A session of the county organiser A in the given year; returns its id. */
static long long session(const char *code, const char *category, const char *platform,
                         const char *starts_at, int minutes, const char *declared_units)
{
	char sql[1024];

	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO training_session (code, title, org_id, category, form,"
	               " platform, starts_at, ends_at, duration_minutes, declared_units)"
	               " VALUES ('%s', '培训 %s', %lld, '%s', 'lecture', '%s', '%s',"
	               " timestamptz '%s' + interval '%d minutes', %d, %s)",
	               code, code, county_a, category, platform, starts_at, starts_at, minutes,
	               minutes, declared_units);
	test_db_as_app(db, sql);
	(void)snprintf(sql, sizeof(sql), "SELECT id FROM training_session WHERE code = '%s'", code);
	return test_db_count(db, sql);
}

static void attend(long long session_id, long long officer_id)
{
	char sql[256];

	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO attendance (session_id, officer_id) VALUES (%lld, %lld)",
	               session_id, officer_id);
	test_db_as_app(db, sql);
}

/* GET the card as who (NULL: the admin); fails unless the status is expected. */
static void get_card(const struct test_identity *who, long long officer, const char *query,
                     long expected, struct http_result *r)
{
	char path[128];

	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/card%s", officer, query);
	http_call_as(&proc, who != NULL ? who : &proc.admin, r, "GET", path, NULL, NULL);
	if (r->status != expected)
		fail_msg("GET %s: %ld %s", path, r->status, r->body != NULL ? r->body : "");
}

static const char *str(const json_t *doc, const char *key)
{
	const char *value = json_string_value(json_object_get(doc, key));

	if (value == NULL)
		fail_msg("no string %s", key);
	return value;
}

/* The hours of category name on a card. */
static const char *category_hours(const json_t *card, const char *name)
{
	size_t i;
	json_t *item;

	json_array_foreach(json_object_get(card, "categories"), i,
	                   item) if (strcmp(str(item, "category"), name) == 0) return str(item,
	                                                                                  "hours");
	fail_msg("no category %s", name);
	return NULL;
}

static int group_setup(void **state)
{
	long long city;

	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	city = test_create_org(&proc, "card-city", "登记卡市", "city", 0);
	county_a = test_create_org(&proc, "card-a", "甲县", "county", city);
	county_b = test_create_org(&proc, "card-b", "乙县", "county", city);
	officer_a = test_create_officer(&proc, 8101, "甲一", county_a);
	officer_other_a = test_create_officer(&proc, 8102, "甲二", county_a);
	officer_b = test_create_officer(&proc, 8103, "乙一", county_b);
	test_create_user(&proc, "card.hr.a", "hr", county_a, 0, NULL, &hr_a);
	test_create_user(&proc, "card.hr.b", "hr", county_b, 0, NULL, &hr_b);
	test_create_user(&proc, "card.auditor", "auditor", county_a, 0, NULL, &auditor_a);
	test_create_user(&proc, "card.own", "officer", 0, officer_a, NULL, &own);

	/* 2025 for officer A: three untimed 60-minute sessions (4.00 h, not 3.99), one
	 * declared "4学时" session of 90 minutes (4.00 h), political hours (not counted),
	 * and an online course on 法治教育网 that starts 2025-01-01 07:00 in Shanghai. */
	attend(session("c1", "public_law", "", "2025-03-01 09:00+08", 60, "NULL"), officer_a);
	attend(session("c2", "public_law", "", "2025-03-02 09:00+08", 60, "NULL"), officer_a);
	attend(session("c3", "public_law", "", "2025-03-03 09:00+08", 60, "NULL"), officer_a);
	attend(session("c4", "business", "", "2025-04-01 09:00+08", 90, "144000"), officer_a);
	attend(session("c5", "political", "", "2025-05-01 09:00+08", 180, "NULL"), officer_a);
	attend(session("c6", "skills", "法治教育网", "2025-01-01 07:00+08", 45, "NULL"), officer_a);
	/* A record in 2024 is on the 2024 card only. */
	attend(session("c7", "skills", "", "2024-12-31 22:00+08", 45, "NULL"), officer_a);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

static void test_card_counts_exactly_as_domain_md_says(void **state)
{
	struct http_result r;

	(void)state;
	get_card(NULL, officer_a, "?year=2025", 200, &r);
	/* 180 untimed minutes of public law = 4.00 h; 4 declared; 45 minutes on the
	 * platform = 1.00 h; political 4.00 h shown but not counted. */
	assert_string_equal(category_hours(r.json, "public_law"), "4.00");
	assert_string_equal(category_hours(r.json, "business"), "4.00");
	assert_string_equal(category_hours(r.json, "skills"), "1.00");
	assert_string_equal(category_hours(r.json, "political"), "4.00");
	assert_string_equal(str(r.json, "counted_hours"), "9.00");
	assert_string_equal(str(r.json, "required_hours"), "60.00");
	/* 2025 is over: short, and the total's shortfall says by how much. */
	assert_string_equal(str(r.json, "status"), "short");
	assert_true(json_is_true(json_object_get(r.json, "year_over")));
	assert_string_equal(
	        str(json_array_get(json_object_get(r.json, "shortfalls"), 0), "missing_hours"),
	        "51.00");
	assert_int_equal(json_array_size(json_object_get(r.json, "records")), 6);
	assert_int_equal(json_integer_value(json_object_get(r.json, "minutes_per_hour")), 45);
	/* Hours by platform: the names come from the maintained totals (a dangling name
	 * here was once caught by ASan only). */
	assert_int_equal(json_array_size(json_object_get(r.json, "platforms")), 1);
	assert_string_equal(
	        str(json_array_get(json_object_get(r.json, "platforms"), 0), "platform"),
	        "法治教育网");
	assert_string_equal(str(json_array_get(json_object_get(r.json, "platforms"), 0), "hours"),
	                    "1.00");
	http_result_clear(&r);
}

static void test_card_explains_every_record(void **state)
{
	struct http_result r;
	json_t *records, *record;
	size_t i;
	int declared = 0, minutes = 0;

	(void)state;
	get_card(NULL, officer_a, "?year=2025", 200, &r);
	records = json_object_get(r.json, "records");
	json_array_foreach(records, i, record)
	{
		const char *basis = str(record, "basis");
		const char *code = str(json_object_get(record, "session"), "code");

		if (strcmp(code, "c4") == 0) {
			assert_string_equal(basis, "declared");
			assert_string_equal(str(record, "credited_hours"), "4.00");
			declared++;
		} else {
			assert_string_equal(basis, "minutes");
			minutes++;
		}
		if (strcmp(code, "c1") == 0)
			assert_string_equal(str(record, "credited_hours"), "1.33"); /* shown down */
	}
	assert_int_equal(declared, 1);
	assert_int_equal(minutes, 5);
	/* The first record is the earliest: the 法治教育网 course of 1 January, 07:00. */
	assert_string_equal(str(json_object_get(json_array_get(records, 0), "session"), "code"),
	                    "c6");
	http_result_clear(&r);

	get_card(NULL, officer_a, "?year=2024", 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "records")), 1);
	assert_string_equal(category_hours(r.json, "skills"), "1.00");
	http_result_clear(&r);
}

static void test_card_is_read_within_scope_only(void **state)
{
	struct http_result r, missing;

	(void)state;
	get_card(&hr_a, officer_a, "?year=2025", 200, &r);
	http_result_clear(&r);
	get_card(&auditor_a, officer_a, "?year=2025", 200, &r);
	assert_null(json_object_get(json_object_get(r.json, "officer"), "national_id"));
	http_result_clear(&r);
	get_card(&own, officer_a, "?year=2025", 200, &r);
	assert_string_equal(str(json_object_get(r.json, "officer"), "name"), "甲一");
	http_result_clear(&r);
	/* Out of scope answers exactly like a missing officer. */
	get_card(&hr_b, officer_a, "?year=2025", 404, &r);
	get_card(&hr_b, 987654321, "?year=2025", 404, &missing);
	assert_string_equal(str(r.json, "type"), str(missing.json, "type"));
	assert_string_equal(str(r.json, "detail"), str(missing.json, "detail"));
	http_result_clear(&r);
	http_result_clear(&missing);
	/* An officer sees its own card and no colleague's. */
	get_card(&own, officer_other_a, "", 404, &r);
	http_result_clear(&r);
	get_card(NULL, 0, "", 404, &r);
	http_result_clear(&r);
	http_call_as(&proc, NULL, &r, "GET", "/api/v1/officers/1/card", NULL, NULL);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	(void)officer_b;
}

static void test_card_year_defaults_to_this_year_and_is_checked(void **state)
{
	struct http_result r;
	long long year = test_db_count(db, "SELECT extract(year FROM now() AT TIME ZONE"
	                                   " 'Asia/Shanghai')::int");

	(void)state;
	get_card(NULL, officer_b, "", 200, &r);
	assert_int_equal(json_integer_value(json_object_get(r.json, "year")), year);
	assert_int_equal(json_array_size(json_object_get(r.json, "records")), 0);
	assert_string_equal(str(r.json, "counted_hours"), "0.00");
	http_result_clear(&r);
	get_card(NULL, officer_b, "?year=1999", 422, &r);
	assert_problem(&r, 422, "year", "range");
	http_result_clear(&r);
	get_card(NULL, officer_b, "?year=20x5", 422, &r);
	assert_problem(&r, 422, "year", "range");
	http_result_clear(&r);
}

/* A fixed-seed random walk (xorshift, no libc rand) over what changes hours:
 * records added, overridden, revoked and restored; sessions moved in time,
 * category and hours; officers moved and leaving; policies and exemptions
 * changed. After it, one request refreshes every stale row (the admin sees
 * them all), and each stored status must equal the card's evaluation of the
 * maintained totals (which test_training_schema checks against the raw rows). */
static unsigned long long walk_state = 20261123;

static unsigned walk(unsigned n)
{
	walk_state ^= walk_state << 13;
	walk_state ^= walk_state >> 7;
	walk_state ^= walk_state << 17;
	return (unsigned)(walk_state % n);
}

static void test_stored_statuses_equal_a_fresh_evaluation_after_a_random_walk(void **state)
{
	static const char *const categories[] = {"public_law", "business", "skills", "political",
	                                         "other"};
	static const char *const policies[] = {
	        "required_units = 2160000, category_minima = '[]', platform_minima = '[]'",
	        "required_units = 720000, category_minima = '[{\"categories\": [\"public_law\"],"
	        " \"units\": 36000}]', platform_minima = '[]'",
	        "required_units = 2160000, category_minima = '[]', platform_minima ="
	        " '[{\"platform\": \"法治教育网\", \"units\": 72000}]', minutes_per_hour = 60",
	        "required_units = 360000, category_minima = '[]', platform_minima = '[]',"
	        " prorate = false, min_months = 0"};
	long long officers[6], sessions[12], walk_org[2];
	char sql[1024], code[16], path[96];
	struct http_result r;
	PGresult *rows;
	int i, op, row, compared = 0;

	(void)state;
	walk_org[0] = test_create_org(&proc, "walk-a", "随机甲", "county", 0);
	walk_org[1] = test_create_org(&proc, "walk-b", "随机乙", "county", 0);
	for (i = 0; i < 6; i++)
		officers[i] =
		        test_create_officer(&proc, 8200 + (unsigned)i, "随机", walk_org[i % 2]);
	for (i = 0; i < 12; i++) {
		(void)snprintf(code, sizeof(code), "w%d", i);
		(void)snprintf(sql, sizeof(sql), "%d-%02d-%02d 0%d:00+08", 2024 + i % 2, 1 + i % 12,
		               1 + i, i % 10);
		sessions[i] = session(code, categories[i % 5], i % 3 == 0 ? "法治教育网" : "", sql,
		                      30 + 17 * i, i % 4 == 0 ? "72000" : "NULL");
	}
	for (op = 0; op < 160; op++) {
		long long officer = officers[walk(6)], session_id = sessions[walk(12)];

		switch (walk(9)) {
		case 0:
		case 1:
		case 2:
			(void)snprintf(
			        sql, sizeof(sql),
			        "INSERT INTO attendance (session_id, officer_id) VALUES (%lld,"
			        " %lld) ON CONFLICT DO NOTHING",
			        session_id, officer);
			break;
		case 3:
			(void)snprintf(sql, sizeof(sql),
			               "UPDATE attendance SET override_units = %u * 360,"
			               " override_reason = '早退' WHERE session_id = %lld",
			               1 + walk(400), session_id);
			break;
		case 4:
			(void)snprintf(
			        sql, sizeof(sql),
			        "UPDATE attendance SET revoked_at = CASE WHEN revoked_at IS NULL"
			        " THEN now() END, revoked_reason = CASE WHEN revoked_at IS NULL"
			        " THEN '登记有误' END WHERE officer_id = %lld",
			        officer);
			break;
		case 5: {
			int shift = walk(2) ? 200 : -200; /* days: moves records across years */

			(void)snprintf(
			        sql, sizeof(sql),
			        "UPDATE training_session SET category = '%s', declared_units = %s,"
			        " starts_at = starts_at + interval '%d days',"
			        " ends_at = ends_at + interval '%d days' WHERE id = %lld",
			        categories[walk(5)], walk(2) ? "NULL" : "108000", shift, shift,
			        session_id);
			break;
		}
		case 6:
			(void)snprintf(
			        sql, sizeof(sql),
			        "UPDATE officer SET org_id = %lld, status = '%s', status_date ="
			        " '2025-0%u-15' WHERE id = %lld",
			        walk_org[walk(2)], walk(3) ? "active" : "transferred", 1 + walk(9),
			        officer);
			break;
		case 7:
			(void)snprintf(sql, sizeof(sql),
			               "INSERT INTO hours_policy (org_id, year) VALUES (%lld, %u)"
			               " ON CONFLICT (org_id, year) DO NOTHING;"
			               " UPDATE hours_policy SET %s WHERE org_id = %lld",
			               walk_org[0], 2024 + walk(2), policies[walk(4)], walk_org[0]);
			break;
		default: {
			int waive = walk(2);

			(void)snprintf(
			        sql, sizeof(sql),
			        "INSERT INTO hours_exemption (officer_id, year, kind,"
			        " reduced_units, reason, approver) VALUES (%lld, %u, '%s', %s,"
			        " '病假', '局长') ON CONFLICT (officer_id, year) DO UPDATE SET"
			        " revoked_at = CASE WHEN hours_exemption.revoked_at IS NULL"
			        " THEN now() END, revoked_reason = CASE WHEN"
			        " hours_exemption.revoked_at IS NULL THEN '撤销' END",
			        officer, 2024 + walk(2), waive ? "waive" : "reduce",
			        waive ? "NULL" : "360000");
			break;
		}
		}
		test_db_as_app(db, sql);
	}
	/* Any write by the admin refreshes every stale row before it commits. */
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", officers[0]);
	http_call_json(&proc, &r, "PATCH", path, "*", json_pack("{s:s}", "post", "随机岗位"));
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM officer_year_status WHERE stale"),
	                 0);
	rows = PQexec(db, "SELECT officer_id, year, status, counted_units, required_units"
	                  " FROM officer_year_status WHERE year IN (2024, 2025)"
	                  " ORDER BY officer_id, year");
	assert_int_equal(PQresultStatus(rows), PGRES_TUPLES_OK);
	for (row = 0; row < PQntuples(rows); row++) {
		long long officer = atoll(PQgetvalue(rows, row, 0));
		char query[16], counted[HOURS_TEXT_SIZE], required[HOURS_TEXT_SIZE];

		(void)snprintf(query, sizeof(query), "?year=%s", PQgetvalue(rows, row, 1));
		get_card(NULL, officer, query, 200, &r);
		hours_format(atoll(PQgetvalue(rows, row, 3)), counted);
		hours_format(atoll(PQgetvalue(rows, row, 4)), required);
		if (strcmp(str(r.json, "status"), PQgetvalue(rows, row, 2)) != 0 ||
		    strcmp(str(r.json, "counted_hours"), counted) != 0 ||
		    strcmp(str(r.json, "required_hours"), required) != 0)
			fail_msg("officer %lld %s: stored %s %s/%s, card %s %s/%s", officer, query,
			         PQgetvalue(rows, row, 2), counted, required, str(r.json, "status"),
			         str(r.json, "counted_hours"), str(r.json, "required_hours"));
		http_result_clear(&r);
		compared++;
	}
	PQclear(rows);
	/* The walk reached many officer-years, records and rules. */
	assert_true(compared >= 8);
	assert_true(test_db_count(db, "SELECT count(*) FROM attendance a JOIN officer o ON"
	                              " o.id = a.officer_id WHERE o.name = '随机'") >= 20);
}

/* The "Done when": HR registers a session and its attendee over HTTP, and
 * the officer's own card shows the new hours at once. */
static void test_hr_registers_and_the_officer_sees_the_card_change_at_once(void **state)
{
	struct http_result r;
	char before[16], path[96];
	long long session_id;

	(void)state;
	get_card(&own, officer_a, "?year=2025", 200, &r);
	(void)snprintf(before, sizeof(before), "%s", str(r.json, "counted_hours"));
	http_result_clear(&r);
	assert_string_equal(before, "9.00");

	http_call_json_as(&proc, &hr_a, &r, "POST", "/api/v1/sessions", NULL,
	                  json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "title", "执法技能实训",
	                            "org_id", (json_int_t)county_a, "category", "skills", "form",
	                            "field_demo", "starts_at", "2025-09-01T09:00:00+08:00",
	                            "ends_at", "2025-09-01T17:00:00+08:00", "declared_hours",
	                            "6.5"));
	assert_int_equal(r.status, 201);
	session_id = json_integer_value(json_object_get(r.json, "id"));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/sessions/%lld/attendance", session_id);
	http_call_json_as(
	        &proc, &hr_a, &r, "POST", path, NULL,
	        json_pack("{s:[{s:I}]}", "officers", "officer_id", (json_int_t)officer_a));
	assert_int_equal(r.status, 201);
	http_result_clear(&r);

	get_card(&own, officer_a, "?year=2025", 200, &r);
	assert_string_equal(str(r.json, "counted_hours"), "15.50");
	assert_string_equal(category_hours(r.json, "skills"), "7.50");
	assert_int_equal(json_array_size(json_object_get(r.json, "records")), 7);
	http_result_clear(&r);
	/* …and the stored status the reports read moved in the same request. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM officer_year_status WHERE"
	                                " officer_id = %lld AND year = 2025 AND NOT stale"
	                                " AND counted_units = 15.5 * 36000",
	                                officer_a),
	                 1);
}

/* A closed year (issue 5 closes years; schema 005 already refuses writes into
 * one): registering into it is a clear 409 and writes nothing. The hook is
 * switched on here by the superuser, and off again. */
/* A session the city ran (an ancestor of the officer's county, outside both
 * the officer's and the county HR's scope) is on the card with its organiser
 * named: the card must not drop records whose organiser the reader cannot see. */
static void test_card_lists_a_session_organised_above_the_reader(void **state)
{
	struct http_result r;
	const struct test_identity *readers[] = {&own, &hr_a};
	long long city = test_db_count(db, "SELECT id FROM org WHERE code = 'card-city'");
	char sql[512];
	size_t i;

	(void)state;
	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO training_session (code, title, org_id, category, form,"
	               " starts_at, ends_at, duration_minutes) VALUES ('city-1', '全市执法培训',"
	               " %lld, 'public_law', 'lecture', '2023-05-01 09:00+08',"
	               " '2023-05-01 10:30+08', 90)",
	               city);
	test_db_as_app(db, sql);
	attend(test_db_count(db, "SELECT id FROM training_session WHERE code = 'city-1'"),
	       officer_a);
	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		json_t *record, *organiser;

		get_card(readers[i], officer_a, "?year=2023", 200, &r);
		assert_int_equal(json_array_size(json_object_get(r.json, "records")), 1);
		record = json_array_get(json_object_get(r.json, "records"), 0);
		organiser = json_object_get(json_object_get(record, "session"), "organiser");
		assert_string_equal(str(organiser, "name"), "登记卡市");
		assert_int_equal(json_integer_value(json_object_get(organiser, "id")), city);
		assert_string_equal(str(r.json, "counted_hours"), "2.00");
		http_result_clear(&r);
	}
}

static void test_a_closed_year_refuses_sessions_and_records_with_409(void **state)
{
	struct http_result r;
	long long sessions = test_db_count(db, "SELECT count(*) FROM training_session");

	(void)state;
	test_db_execf(db, "CREATE OR REPLACE FUNCTION training_year_closed(org_path ltree,"
	                  " year integer) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE"
	                  " AS $$ SELECT year = 2024 $$");
	http_call_json_as(&proc, &hr_a, &r, "POST", "/api/v1/sessions", NULL,
	                  json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "title", "补登去年", "org_id",
	                            (json_int_t)county_a, "category", "business", "form", "lecture",
	                            "starts_at", "2024-06-01T09:00:00+08:00", "ends_at",
	                            "2024-06-01T11:00:00+08:00"));
	test_db_execf(db, "CREATE OR REPLACE FUNCTION training_year_closed(org_path ltree,"
	                  " year integer) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE"
	                  " AS $$ SELECT false $$");
	assert_problem(&r, 409, "starts_at", "year_closed");
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM training_session"), sessions);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_card_counts_exactly_as_domain_md_says),
	        cmocka_unit_test(test_card_explains_every_record),
	        cmocka_unit_test(test_card_is_read_within_scope_only),
	        cmocka_unit_test(test_card_year_defaults_to_this_year_and_is_checked),
	        cmocka_unit_test(test_hr_registers_and_the_officer_sees_the_card_change_at_once),
	        cmocka_unit_test(test_card_lists_a_session_organised_above_the_reader),
	        cmocka_unit_test(test_a_closed_year_refuses_sessions_and_records_with_409),
	        cmocka_unit_test(test_stored_statuses_equal_a_fresh_evaluation_after_a_random_walk),
	};

	return cmocka_run_group_tests_name("card", tests, group_setup, group_teardown);
}
