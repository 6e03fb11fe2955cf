/* test_reports.c — the compliance reports over HTTP (issue 4, "Done when"): under
 * the baseline, the Pinglu and the Luohu policies, the list of short officers is
 * exactly the officers the rules say are short, worst first, in pages; the CSV
 * opens in Excel (BOM, Chinese header) and is audited; the roll-up counts. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long base, pinglu, luohu;
static long long base_met, base_2699, base_political, pinglu_business, pinglu_split, luohu_off,
        luohu_on, luohu_mixed;
static struct test_identity auditor_pinglu;
static unsigned serial;

/* One 2025 session of org attended by officer: declared hours (units) or, with
 * units 0, untimed minutes. */
static void give(long long org, long long officer, const char *category, const char *platform,
                 long long units, int minutes)
{
	char sql[1024], declared[24];

	serial++;
	(void)snprintf(declared, sizeof(declared), "%lld", units);
	(void)snprintf(
	        sql, sizeof(sql),
	        "INSERT INTO training_session (title, org_id, category, form, platform,"
	        " starts_at, ends_at, duration_minutes, declared_units)"
	        " VALUES ('报表 %u', %lld, '%s', 'lecture', '%s',"
	        " timestamptz '2025-01-01 08:00+08' + interval '%u days',"
	        " timestamptz '2025-01-01 08:00+08' + interval '%u days' + interval '24 hours',"
	        " %d, %s);"
	        " INSERT INTO attendance (session_id, officer_id)"
	        " SELECT max(id), %lld FROM training_session",
	        serial, org, category, platform, serial, serial, minutes > 0 ? minutes : 60,
	        units > 0 ? declared : "NULL", officer);
	test_db_as_app(db, sql);
}

#define HOURS(h) ((long long)(h)*36000)

static void put_policy(long long org, const char *body)
{
	struct http_result r;
	char path[96];
	const char *headers[] = {"If-Match: *", NULL};

	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/policies/2025", org);
	http_call(&proc, &r, "PUT", path, headers, body);
	if (r.status != 200)
		fail_msg("PUT %s: %ld %s", path, r.status, r.body);
	http_result_clear(&r);
}

static int group_setup(void **state)
{
	long long city;
	int i;

	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	city = test_create_org(&proc, "rep-city", "报表市", "city", 0);
	base = test_create_org(&proc, "rep-base", "基准区", "county", city);
	pinglu = test_create_org(&proc, "rep-pinglu", "平陆县", "county", city);
	luohu = test_create_org(&proc, "rep-luohu", "罗湖区", "county", city);
	base_met = test_create_officer(&proc, 8401, "基准达标", base);
	base_2699 = test_create_officer(&proc, 8402, "基准差一点", base);
	base_political = test_create_officer(&proc, 8403, "只学政治", base);
	pinglu_business = test_create_officer(&proc, 8404, "平陆业务", pinglu);
	pinglu_split = test_create_officer(&proc, 8405, "平陆均衡", pinglu);
	luohu_off = test_create_officer(&proc, 8406, "罗湖线下", luohu);
	luohu_on = test_create_officer(&proc, 8407, "罗湖平台", luohu);
	luohu_mixed = test_create_officer(&proc, 8408, "罗湖混合", luohu);
	test_create_user(&proc, "rep.auditor", "auditor", pinglu, 0, NULL, &auditor_pinglu);

	for (i = 0; i < 3; i++) {
		give(base, base_met, "business", "", HOURS(20), 0);
		give(base, base_political, "political", "", HOURS(20), 0);
		give(pinglu, pinglu_business, "business", "", HOURS(20), 0);
		give(luohu, luohu_off, "skills", "", HOURS(20), 0);
		give(luohu, luohu_on, "public_law", "法治教育网", HOURS(20), 0);
	}
	/* 2699 untimed minutes: 59.97 h, short (DOMAIN.md rule 2). */
	give(base, base_2699, "public_law", "", 0, 1440);
	give(base, base_2699, "public_law", "", 0, 1259);
	give(pinglu, pinglu_split, "public_law", "", HOURS(20), 0);
	give(pinglu, pinglu_split, "public_law", "", HOURS(10), 0);
	give(pinglu, pinglu_split, "skills", "", HOURS(20), 0);
	give(pinglu, pinglu_split, "business", "", HOURS(10), 0);
	/* 70 h elsewhere and 50 h on the platform: 10 h short of Luohu's platform rule. */
	for (i = 0; i < 3; i++)
		give(luohu, luohu_mixed, "business", "", HOURS(20), 0);
	give(luohu, luohu_mixed, "business", "", HOURS(10), 0);
	give(luohu, luohu_mixed, "business", "法治教育网", HOURS(20), 0);
	give(luohu, luohu_mixed, "business", "法治教育网", HOURS(20), 0);
	give(luohu, luohu_mixed, "business", "法治教育网", HOURS(10), 0);

	/* A rotation round (全员轮训) of Luohu, attended by one of its three officers;
	 * political, so it changes no counted hours. */
	{
		char sql[512];

		(void)snprintf(sql, sizeof(sql),
		               "INSERT INTO training_session (title, org_id, category, form,"
		               " starts_at, ends_at, duration_minutes) VALUES ('全员轮训', %lld,"
		               " 'political', 'rotation', '2025-05-20 09:00+08',"
		               " '2025-05-20 10:00+08', 60);"
		               " INSERT INTO attendance (session_id, officer_id)"
		               " SELECT max(id), %lld FROM training_session",
		               luohu, luohu_on);
		test_db_as_app(db, sql);
	}
	/* Setting the policies re-evaluates every stale officer-year (the admin sees all). */
	put_policy(pinglu, "{\"required_hours\":\"60\",\"category_minima\":["
	                   "{\"categories\":[\"public_law\"],\"hours\":\"30\"},"
	                   "{\"categories\":[\"business\",\"skills\"],\"hours\":\"30\"}]}");
	put_policy(luohu, "{\"platform_minima\":[{\"platform\":\"法治教育网\",\"hours\":\"60\"}]}");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

/* GET the compliance list; fails unless 200. */
static void report(const struct test_identity *who, const char *query, struct http_result *r)
{
	char path[256];

	(void)snprintf(path, sizeof(path), "/api/v1/reports/compliance?year=2025%s", query);
	http_call_as(&proc, who != NULL ? who : &proc.admin, r, "GET", path, NULL, NULL);
	if (r->status != 200)
		fail_msg("GET %s: %ld %s", path, r->status, r->body);
}

/* The officer ids of a list, in order, as "id,id,…". */
static void ids_of(const struct http_result *r, char *out, size_t size)
{
	const json_t *item;
	size_t i, used = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(r->json, "items"), i, item) used +=
	        (size_t)snprintf(out + used, size - used, "%s%lld", i > 0 ? "," : "",
	                         (long long)json_integer_value(
	                                 json_object_get(json_object_get(item, "officer"), "id")));
}

static void expect_ids(char *buf, size_t size, int n, ...)
{
	va_list ap;
	size_t used = 0;
	int i;

	va_start(ap, n);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%lld", i > 0 ? "," : "",
		                         va_arg(ap, long long));
	va_end(ap);
}

static void test_short_lists_are_exactly_what_the_rules_say(void **state)
{
	struct http_result r;
	char query[64], got[256], want[256];

	(void)state;
	/* Baseline: 59.97 h is short, political hours do not count (60 short, listed first). */
	(void)snprintf(query, sizeof(query), "&org=%lld&status=short", base);
	report(NULL, query, &r);
	ids_of(&r, got, sizeof(got));
	expect_ids(want, sizeof(want), 2, base_political, base_2699);
	assert_string_equal(got, want);
	assert_string_equal(
	        json_string_value(json_object_get(
	                json_array_get(json_object_get(r.json, "items"), 1), "missing_hours")),
	        "0.03"); /* 60 - 59.977…, rounded up */
	http_result_clear(&r);

	/* Pinglu: 60 h of business knowledge is 30 h short of public law. */
	(void)snprintf(query, sizeof(query), "&org=%lld&status=short", pinglu);
	report(NULL, query, &r);
	ids_of(&r, got, sizeof(got));
	expect_ids(want, sizeof(want), 1, pinglu_business);
	assert_string_equal(got, want);
	assert_non_null(strstr(r.body, "public_law: 30.00 h short"));
	http_result_clear(&r);

	/* Luohu: hours elsewhere do not replace the platform's 60. */
	(void)snprintf(query, sizeof(query), "&org=%lld&status=short", luohu);
	report(NULL, query, &r);
	ids_of(&r, got, sizeof(got));
	expect_ids(want, sizeof(want), 2, luohu_off, luohu_mixed);
	assert_string_equal(got, want);
	assert_non_null(strstr(r.body, "法治教育网: 10.00 h short"));
	http_result_clear(&r);

	/* And the met ones. */
	(void)snprintf(query, sizeof(query), "&org=%lld&status=met", luohu);
	report(NULL, query, &r);
	ids_of(&r, got, sizeof(got));
	expect_ids(want, sizeof(want), 1, luohu_on);
	assert_string_equal(got, want);
	http_result_clear(&r);
}

static void test_pages_follow_the_cursor_without_gaps_or_repeats(void **state)
{
	struct http_result r;
	char query[256], all[512] = "", page[256], cursor[128] = "";
	int pages = 0;

	(void)state;
	for (;;) {
		(void)snprintf(query, sizeof(query), "&limit=3%s%s", cursor[0] ? "&cursor=" : "",
		               cursor);
		report(NULL, query, &r);
		ids_of(&r, page, sizeof(page));
		if (page[0] != '\0')
			(void)snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s",
			               all[0] ? "," : "", page);
		pages++;
		if (!json_is_string(json_object_get(r.json, "next_cursor"))) {
			http_result_clear(&r);
			break;
		}
		(void)snprintf(cursor, sizeof(cursor), "%s",
		               json_string_value(json_object_get(r.json, "next_cursor")));
		http_result_clear(&r);
	}
	report(NULL, "&limit=500", &r);
	ids_of(&r, page, sizeof(page));
	assert_string_equal(all, page);
	assert_int_equal(test_items_count(&r), 8);
	assert_true(pages >= 3);
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/reports/compliance?cursor=bm9wZQ", NULL, NULL);
	assert_problem(&r, 422, "cursor", "invalid");
	http_result_clear(&r);
}

static void test_auditor_sees_its_county_only(void **state)
{
	struct http_result r;
	char path[128], got[128], want[128];

	(void)state;
	report(&auditor_pinglu, "", &r);
	ids_of(&r, got, sizeof(got));
	expect_ids(want, sizeof(want), 2, pinglu_business, pinglu_split);
	assert_string_equal(got, want);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/reports/compliance?year=2025&org=%lld", luohu);
	http_call_as(&proc, &auditor_pinglu, &r, "GET", path, NULL, NULL);
	assert_problem(&r, 422, "org", "unknown");
	http_result_clear(&r);
}

static void test_csv_opens_in_excel_and_is_audited(void **state)
{
	struct http_result r;
	char path[128];
	long long exports = test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                      " 'report.compliance_export'");

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/reports/compliance.csv?year=2025&org=%lld",
	               luohu);
	http_call_as(&proc, &auditor_pinglu, &r, "GET", path, NULL, NULL);
	assert_problem(&r, 422, "org", NULL);
	http_result_clear(&r);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/csv; charset=utf-8");
	assert_memory_equal(r.body, "\xEF\xBB\xBF单位,姓名,身份证号,状态", 3 + 24);
	assert_non_null(strstr(r.body, "罗湖混合"));
	assert_non_null(strstr(r.body, "未达标"));
	assert_non_null(strstr(r.body, "法治教育网: 10.00 h short"));
	/* Header and three officers, each line ending in CRLF; no whole national ID. */
	{
		size_t lines = 0;
		const char *p;

		for (p = r.body; (p = strstr(p, "\r\n")) != NULL; p += 2)
			lines++;
		assert_int_equal(lines, 4);
	}
	assert_null(strstr(r.body, "19900"));
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                   " 'report.compliance_export'"),
	                 exports + 1);
}

/* The anomalies of a county's year: kinds and officers. */
static int has_anomaly(const struct http_result *r, const char *kind, long long officer,
                       const char *hours)
{
	const json_t *item;
	size_t i;

	json_array_foreach(json_object_get(r->json, "items"), i, item)
	{
		if (strcmp(json_string_value(json_object_get(item, "kind")), kind) != 0 ||
		    json_integer_value(json_object_get(json_object_get(item, "officer"), "id")) !=
		            officer)
			continue;
		if (hours == NULL ||
		    strcmp(json_string_value(json_object_get(item, "credited_hours")), hours) == 0)
			return 1;
	}
	return 0;
}

static void test_anomalies_list_overlaps_and_overfull_days(void **state)
{
	struct http_result r;
	char path[128], sql[1024];

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/reports/anomalies?year=2025&org=%lld", base);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	/* 1440 untimed minutes on one day are 32.00 class hours: more than 24. */
	assert_true(has_anomaly(&r, "day_over_24h", base_2699, "32.00"));
	assert_false(has_anomaly(&r, "overlap", base_met, NULL));
	assert_false(json_is_true(json_object_get(r.json, "truncated")));
	http_result_clear(&r);

	/* Two sessions at once for one officer: both kept, listed as an overlap. */
	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO training_session (title, org_id, category, form, starts_at,"
	               " ends_at, duration_minutes) VALUES"
	               " ('重叠甲', %lld, 'skills', 'lecture', '2025-06-01 09:00+08',"
	               " '2025-06-01 11:00+08', 120),"
	               " ('重叠乙', %lld, 'skills', 'lecture', '2025-06-01 10:00+08',"
	               " '2025-06-01 12:00+08', 120);"
	               " INSERT INTO attendance (session_id, officer_id) SELECT id, %lld"
	               " FROM training_session WHERE title LIKE '重叠%%'",
	               base, base, base_met);
	test_db_as_app(db, sql);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_true(has_anomaly(&r, "overlap", base_met, NULL));
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM attendance WHERE officer_id = %lld"
	                                " AND revoked_at IS NULL",
	                                base_met),
	                 5);

	/* Another county's anomalies are not the Pinglu auditor's to see. */
	http_call_as(&proc, &auditor_pinglu, &r, "GET", path, NULL, NULL);
	assert_problem(&r, 422, "org", "unknown");
	http_result_clear(&r);
}

/* The workbook is a valid ZIP whose sheet holds the header and the officers
 * (checked with Python's zipfile, a reader that is not ours). */
static void test_xlsx_opens_with_a_real_reader_and_is_audited(void **state)
{
	char path[128], file[700], command[1600], line[256];
	long long exports = test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                      " 'report.compliance_export'");
	FILE *reader;
	int found = 0;

	(void)state;
	(void)snprintf(path, sizeof(path),
	               "/api/v1/reports/compliance.xlsx?year=2025&org=%lld&status=short", luohu);
	(void)snprintf(file, sizeof(file), "%s/compliance.xlsx", proc.data_dir);
	assert_int_equal(test_download(&proc, &proc.admin, path, file), 200);
	(void)snprintf(command, sizeof(command),
	               "python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]);"
	               " assert z.testzip() is None;"
	               " s = z.read(\"xl/sharedStrings.xml\").decode();"
	               " print(\"ok\" if all(w in s for w in [\"单位\", \"说明\", \"罗湖线下\","
	               " \"罗湖混合\", \"未达标\"]) and \"罗湖平台\" not in s else \"bad\");"
	               " print(z.read(\"xl/workbook.xml\").decode().count(\"<sheet \"))' '%s'",
	               file);
	reader = popen(command, "r");
	assert_non_null(reader);
	while (fgets(line, sizeof(line), reader) != NULL)
		found += strcmp(line, "ok\n") == 0 || strcmp(line, "1\n") == 0;
	assert_int_equal(pclose(reader), 0);
	assert_int_equal(found, 2);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                   " 'report.compliance_export'"),
	                 exports + 1);
}

static void test_roll_up_counts_per_unit(void **state)
{
	struct http_result r;
	const json_t *item;
	char path[96];
	size_t i;
	int seen = 0;
	long long city = test_db_count(db, "SELECT id FROM org WHERE code = 'rep-city'");

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/reports/orgs?year=2025&org=%lld", city);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
	json_array_foreach(json_object_get(r.json, "items"), i, item)
	{
		if (strcmp(json_string_value(json_object_get(item, "code")), "rep-luohu") != 0)
			continue;
		/* 60, 60 and 120 counted hours; one of three met. */
		assert_int_equal(json_integer_value(json_object_get(item, "officers")), 3);
		assert_int_equal(json_integer_value(json_object_get(item, "met")), 1);
		assert_int_equal(json_integer_value(json_object_get(item, "short")), 2);
		assert_string_equal(json_string_value(json_object_get(item, "percent_met")),
		                    "33.33");
		assert_string_equal(json_string_value(json_object_get(item, "average_hours")),
		                    "80.00");
		assert_int_equal(json_integer_value(json_object_get(item, "rotation_attended")), 1);
		assert_string_equal(json_string_value(json_object_get(item, "rotation_percent")),
		                    "33.33");
		seen++;
	}
	assert_int_equal(seen, 1);
	http_result_clear(&r);
}

/* The roll-up's rotation_attended of the unit code and its rotation_percent as
 * "n percent". */
static void roll_up_rotation(const char *code, char *out, size_t size)
{
	struct http_result r;
	const json_t *item;
	char path[96];
	size_t i;
	long long city = test_db_count(db, "SELECT id FROM org WHERE code = 'rep-city'");

	(void)snprintf(path, sizeof(path), "/api/v1/reports/orgs?year=2025&org=%lld", city);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	(void)snprintf(out, size, "none");
	json_array_foreach(json_object_get(r.json, "items"), i, item)
	{
		if (strcmp(json_string_value(json_object_get(item, "code")), code) == 0)
			(void)snprintf(
			        out, size, "%lld %s",
			        (long long)json_integer_value(
			                json_object_get(item, "rotation_attended")),
			        json_string_value(json_object_get(item, "rotation_percent")));
	}
	http_result_clear(&r);
}

static void expect_rotation(const char *luohu_count, const char *pinglu_count)
{
	char got[64];

	roll_up_rotation("rep-luohu", got, sizeof(got));
	assert_string_equal(got, luohu_count);
	roll_up_rotation("rep-pinglu", got, sizeof(got));
	assert_string_equal(got, pinglu_count);
}

/* 全员轮训 is kept per officer-year by schema 015's triggers, not probed from
 * attendance: it follows a revoke and a restore, a session's form changed to and
 * from rotation, and a session moved out of the year and back. Leaves every
 * record and session as it found them. */
static void test_roll_up_rotation_count_follows_revokes_and_form_changes(void **state)
{
	char sql[512];
	long long rotation = test_db_count(db, "SELECT id FROM training_session"
	                                       " WHERE title = '全员轮训'");
	long long lecture = test_db_countf(db,
	                                   "SELECT min(session_id) FROM attendance"
	                                   " WHERE officer_id = %lld",
	                                   pinglu_business);

	(void)state;
	expect_rotation("1 33.33", "0 0.00");
	(void)snprintf(sql, sizeof(sql),
	               "UPDATE attendance SET revoked_at = now(), revoked_reason = '误登记'"
	               " WHERE session_id = %lld",
	               rotation);
	test_db_as_app(db, sql);
	expect_rotation("0 0.00", "0 0.00");
	(void)snprintf(sql, sizeof(sql),
	               "UPDATE attendance SET revoked_at = NULL, revoked_reason = NULL"
	               " WHERE session_id = %lld",
	               rotation);
	test_db_as_app(db, sql);
	expect_rotation("1 33.33", "0 0.00");
	/* Pinglu's business lecture becomes a rotation round; Luohu's round a lecture. */
	(void)snprintf(sql, sizeof(sql),
	               "UPDATE training_session SET form = 'rotation' WHERE id = %lld", lecture);
	test_db_as_app(db, sql);
	expect_rotation("1 33.33", "1 50.00");
	(void)snprintf(sql, sizeof(sql),
	               "UPDATE training_session SET form = 'lecture' WHERE id = %lld", rotation);
	test_db_as_app(db, sql);
	expect_rotation("0 0.00", "1 50.00");
	/* Back to a rotation round and moved to 2024 in one statement, then back to 2025. */
	(void)snprintf(sql, sizeof(sql),
	               "UPDATE training_session SET form = 'rotation', starts_at = starts_at -"
	               " interval '1 year', ends_at = ends_at - interval '1 year' WHERE id = %lld",
	               rotation);
	test_db_as_app(db, sql);
	expect_rotation("0 0.00", "1 50.00");
	(void)snprintf(sql, sizeof(sql),
	               "UPDATE training_session SET starts_at = starts_at + interval '1 year',"
	               " ends_at = ends_at + interval '1 year' WHERE id = %lld",
	               rotation);
	test_db_as_app(db, sql);
	(void)snprintf(sql, sizeof(sql),
	               "UPDATE training_session SET form = 'lecture' WHERE id = %lld", lecture);
	test_db_as_app(db, sql);
	expect_rotation("1 33.33", "0 0.00");
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM officer_year_rotation_drift"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_short_lists_are_exactly_what_the_rules_say),
	        cmocka_unit_test(test_pages_follow_the_cursor_without_gaps_or_repeats),
	        cmocka_unit_test(test_auditor_sees_its_county_only),
	        cmocka_unit_test(test_csv_opens_in_excel_and_is_audited),
	        cmocka_unit_test(test_xlsx_opens_with_a_real_reader_and_is_audited),
	        cmocka_unit_test(test_roll_up_counts_per_unit),
	        cmocka_unit_test(test_roll_up_rotation_count_follows_revokes_and_form_changes),
	        cmocka_unit_test(test_anomalies_list_overlaps_and_overfull_days),
	};

	return cmocka_run_group_tests_name("reports", tests, group_setup, group_teardown);
}
