/* test_imports.c — POST /api/v1/imports/{kind} (issue 7, doc/import.md) for
 * attendance and assessments: real CSV bodies over HTTP (Content-Length and
 * chunked), counts of a first and a repeated import, every kind of bad row
 * reported with its row and nothing written, empty and header-only files,
 * dry runs, Chinese grade words, the caller's scope, the size limit, one audit
 * entry per import and an upload abandoned half-way. The tests run in order. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNITS_PER_HOUR 36000LL

static struct tcardd_proc proc;
static PGconn *db;
static long long county_a, county_b;
static long long officer_a1, officer_a2, officer_a3, officer_b1;
static char id_a1[19], id_a2[19], id_a3[19], id_b1[19];
static struct test_identity hr_a;

static long long attendance_count(void)
{
	return test_db_count(db, "SELECT count(*) FROM attendance");
}

static long long import_audits(const char *action)
{
	return test_db_countf(db, "SELECT count(*) FROM audit_log WHERE action = '%s'", action);
}

static int group_setup(void **state)
{
	long long city;

	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	city = test_create_org(&proc, "imp-city", "导入市", "city", 0);
	county_a = test_create_org(&proc, "imp-a", "甲县", "county", city);
	county_b = test_create_org(&proc, "imp-b", "乙县", "county", city);
	officer_a1 = test_create_officer(&proc, 9301, "导入甲一", county_a);
	officer_a2 = test_create_officer(&proc, 9302, "导入甲二", county_a);
	officer_a3 = test_create_officer(&proc, 9303, "导入甲三", county_a);
	officer_b1 = test_create_officer(&proc, 9304, "导入乙一", county_b);
	test_national_id(9301, id_a1);
	test_national_id(9302, id_a2);
	test_national_id(9303, id_a3);
	test_national_id(9304, id_b1);
	test_create_user(&proc, "imp.hr.a", "hr", county_a, 0, NULL, &hr_a);
	test_session_sql(db, "IMP-1", county_a, "2025-03-03", 4);
	test_session_sql(db, "IMP-2", county_a, "2025-04-07", 3);
	test_session_sql(db, "IMP-B", county_b, "2025-04-08", 3);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

static char good_csv[2048];

static void test_a_good_attendance_file_lands_and_the_cards_show_it(void **state)
{
	struct http_result r;

	(void)state;
	/* A BOM, CRLF, columns in another order, a quoted reason with a comma, partial
	 * hours, platform record ids and the date forms doc/import.md names. */
	(void)snprintf(good_csv, sizeof(good_csv),
	               "\xEF\xBB\xBFsession_code,national_id,hours,override_reason,platform,"
	               "record_id,completed_at\r\n"
	               "IMP-1,%s,,,法治教育网,R-1,2025-03-03 12:00\r\n"
	               "IMP-1,%s,2.5,\"迟到, 早退\",法治教育网,R-2,2025/3/3 13:05\r\n"
	               "IMP-2,%s,,,,,45719.5\r\n"
	               "IMP-2,%s,,,,,2025-04-07T12:00:00+08:00\r\n",
	               id_a1, id_a2, id_a1, id_a3);
	test_import_post(&proc, NULL, &r, "attendance", "file=march.csv", good_csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "rows"), 4);
	assert_int_equal(test_json_int(r.json, "inserted"), 4);
	assert_int_equal(test_json_int(r.json, "updated"), 0);
	assert_int_equal(test_json_int(r.json, "unchanged"), 0);
	assert_int_equal(test_json_int(r.json, "rejected"), 0);
	assert_int_equal(strlen(test_json_str(r.json, "file_sha256")), 64);
	http_result_clear(&r);
	assert_int_equal(attendance_count(), 4);
	assert_int_equal(
	        test_db_countf(db,
	                       "SELECT override_units FROM attendance WHERE officer_id = %lld"
	                       " AND source_record_id = 'R-2' AND source_file = 'march.csv'",
	                       officer_a2),
	        (long long)(2.5 * UNITS_PER_HOUR));
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM attendance WHERE source_completed_at"
	                                " = '2025-03-03 12:00+08'"),
	                 2);
	/* The officer-years were evaluated in the import: 4 h + 3 h for a1. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT counted_units FROM officer_year_status WHERE"
	                                " officer_id = %lld AND year = 2025 AND NOT stale",
	                                officer_a1),
	                 7 * UNITS_PER_HOUR);
	assert_int_equal(import_audits("import.attendance"), 1);
}

static void test_the_same_file_again_changes_nothing(void **state)
{
	struct http_result r;

	(void)state;
	test_import_post(&proc, NULL, &r, "attendance", "file=march.csv", good_csv, 1);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "inserted"), 0);
	assert_int_equal(test_json_int(r.json, "updated"), 0);
	assert_int_equal(test_json_int(r.json, "unchanged"), 4);
	http_result_clear(&r);
	assert_int_equal(attendance_count(), 4);
	assert_int_equal(test_db_count(db, "SELECT max(version) FROM attendance"), 1);
	assert_int_equal(import_audits("import.attendance"), 2);
}

static void test_every_bad_row_is_reported_and_nothing_is_written(void **state)
{
	char csv[2048], bad_digit[19];
	struct http_result r;
	long long before = attendance_count();

	(void)state;
	(void)snprintf(bad_digit, sizeof(bad_digit), "%s", id_a3);
	bad_digit[17] = bad_digit[17] == '1' ? '2' : '1';
	(void)snprintf(csv, sizeof(csv),
	               "national_id,session_code,hours,override_reason,completed_at\n"
	               "%s,IMP-2,,,\n"                 /* 2: bad check digit */
	               "110101199001010000,IMP-2,,,\n" /* 3: check digit too */
	               "%s,NO-SUCH,,,\n"               /* 4: unknown session */
	               "%s,IMP-1,,,\n"                 /* 5: fine */
	               "%s,IMP-1,,,\n"                 /* 6: duplicate of 5 */
	               "%s,IMP-2,3,,\n"                /* 7: hours without reason */
	               "%s,IMP-2,-1,x,\n"              /* 8: bad hours */
	               "%s,IMP-2,,,2025-13-01\n"       /* 9: bad completed_at */
	               "%s,IMP-2\n"                    /* 10: missing column */
	               "%s,IMP-2,,,,extra\n"           /* 11: extra column */
	               "%s,IMP-2,,,\n",                /* 12: fine */
	               bad_digit, id_a3, id_a3, id_a3, id_a3, id_a3, id_a3, id_a3, id_a3, id_a3);
	test_import_post(&proc, NULL, &r, "attendance", NULL, csv, 0);
	assert_int_equal(r.status, 422);
	assert_string_equal(r.content_type, "application/problem+json");
	assert_true(test_row_error(&r, 2, "national_id", "check_digit"));
	assert_true(test_row_error(&r, 4, "session_code", "unknown"));
	assert_true(test_row_error(&r, 6, "national_id", "duplicate"));
	assert_true(test_row_error(&r, 7, "override_reason", "required"));
	assert_true(test_row_error(&r, 8, "hours", "negative") ||
	            test_row_error(&r, 8, "hours", "syntax"));
	assert_true(test_row_error(&r, 9, "completed_at", "format"));
	assert_true(test_row_error(&r, 10, "-", "missing_column"));
	assert_true(test_row_error(&r, 11, "-", "extra_column"));
	assert_int_equal(test_json_int(r.json, "rows"), 11);
	assert_int_equal(test_json_int(r.json, "rejected"), 9);
	/* National IDs are masked in the reply. */
	assert_null(strstr(r.body, id_a3));
	http_result_clear(&r);
	assert_int_equal(attendance_count(), before);
}

static void test_bad_headers_empty_files_and_types_are_refused(void **state)
{
	struct http_result r;
	const char *headers[] = {"Content-Type: application/json", NULL};

	(void)state;
	test_import_post(&proc, NULL, &r, "attendance", NULL, "national_id,session,hours\nx,y,z\n",
	                 0);
	assert_problem(&r, 422, "columns", "unknown");
	http_result_clear(&r);
	test_import_post(&proc, NULL, &r, "attendance", NULL, "national_id,hours\n", 0);
	assert_problem(&r, 422, "columns", "missing");
	http_result_clear(&r);
	test_import_post(&proc, NULL, &r, "attendance", NULL, "", 0);
	assert_problem(&r, 422, "file", "empty");
	http_result_clear(&r);
	test_import_post(&proc, NULL, &r, "attendance", NULL, "national_id,session_code\r\n", 1);
	assert_problem(&r, 422, "file", "no_rows");
	http_result_clear(&r);
	test_import_post(&proc, NULL, &r, "officers-nope", NULL, "a\n", 0);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	http_call(&proc, &r, "POST", "/api/v1/imports/attendance", headers, "{}");
	assert_problem(&r, 415, NULL, NULL);
	http_result_clear(&r);
}

static void test_a_dry_run_counts_and_writes_nothing(void **state)
{
	char csv[256];
	struct http_result r;
	long long before = attendance_count();

	(void)state;
	(void)snprintf(csv, sizeof(csv), "national_id,session_code\n%s,IMP-1\n%s,IMP-1\n", id_a3,
	               id_a1);
	test_import_post(&proc, NULL, &r, "attendance", "dry_run=true", csv, 0);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "dry_run")));
	assert_int_equal(test_json_int(r.json, "inserted"), 1);
	assert_int_equal(test_json_int(r.json, "unchanged"), 1);
	http_result_clear(&r);
	assert_int_equal(attendance_count(), before);
	assert_int_equal(import_audits("import.attendance"), 2);
}

static void test_assessments_take_chinese_grades_and_update(void **state)
{
	char csv[512];
	struct http_result r;

	(void)state;
	(void)snprintf(csv, sizeof(csv),
	               "national_id,year,grade,note\n%s,2024,优秀,\n%s,2024,pass,年中调入\n"
	               "%s,2025,不合格,\n",
	               id_a1, id_a2, id_a3);
	test_import_post(&proc, &hr_a, &r, "assessments", "file=kh.csv", csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "inserted"), 3);
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM annual_assessment WHERE officer_id ="
	                                " %lld AND year = 2024 AND grade = 'excellent'",
	                                officer_a1),
	                 1);
	/* Again with one grade changed: 1 updated, 2 unchanged. */
	(void)snprintf(csv, sizeof(csv),
	               "national_id,year,grade,note\n%s,2024,合格,\n%s,2024,pass,年中调入\n"
	               "%s,2025,不合格,\n",
	               id_a1, id_a2, id_a3);
	test_import_post(&proc, &hr_a, &r, "assessments", NULL, csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "inserted"), 0);
	assert_int_equal(test_json_int(r.json, "updated"), 1);
	assert_int_equal(test_json_int(r.json, "unchanged"), 2);
	http_result_clear(&r);
	/* A bad grade and a future year. */
	(void)snprintf(csv, sizeof(csv), "national_id,year,grade\n%s,2024,好\n%s,2098,pass\n",
	               id_a1, id_a2);
	test_import_post(&proc, &hr_a, &r, "assessments", NULL, csv, 0);
	assert_int_equal(r.status, 422);
	assert_true(test_row_error(&r, 2, "grade", "unknown"));
	assert_true(test_row_error(&r, 3, "year", "future"));
	http_result_clear(&r);
	assert_int_equal(import_audits("import.assessments"), 2);
}

static void test_hr_of_county_a_cannot_import_county_b(void **state)
{
	char csv[256];
	struct http_result r;
	long long before = attendance_count();

	(void)state;
	(void)snprintf(csv, sizeof(csv), "national_id,session_code\n%s,IMP-2\n%s,IMP-2\n", id_a2,
	               id_b1);
	test_import_post(&proc, &hr_a, &r, "attendance", NULL, csv, 0);
	assert_int_equal(r.status, 422);
	assert_true(test_row_error(&r, 3, "national_id", "unknown"));
	assert_int_equal(test_json_int(r.json, "rejected"), 1);
	http_result_clear(&r);
	assert_int_equal(attendance_count(), before);
	(void)officer_b1;
}

/* Sends a head promising more body than it sends, then closes. */
static void abandon_upload(unsigned port, const char *bearer, const char *part)
{
	char head[1024];
	int fd = test_tcp_connect(port);

	assert_true(fd >= 0);
	(void)snprintf(head, sizeof(head),
	               "POST /api/v1/imports/attendance HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	               "Authorization: Bearer %s\r\nContent-Type: text/csv\r\n"
	               "Content-Length: 100000\r\n\r\n",
	               bearer);
	assert_int_equal(test_tcp_send(fd, head, strlen(head)), 0);
	assert_int_equal(test_tcp_send(fd, part, strlen(part)), 0);
	(void)usleep(300000);
	(void)close(fd);
}

static void test_an_abandoned_upload_writes_nothing_and_the_next_works(void **state)
{
	char csv[256];
	struct http_result r;
	long long before = attendance_count();
	int i;

	(void)state;
	(void)snprintf(csv, sizeof(csv), "national_id,session_code\n%s,IMP-2\n", id_a2);
	/* More than IMPORT_CONCURRENT abandoned uploads: their slots come back. */
	for (i = 0; i < 3; i++)
		abandon_upload(proc.port, proc.admin.bearer, csv);
	(void)usleep(300000);
	assert_int_equal(attendance_count(), before);
	test_import_post(&proc, NULL, &r, "attendance", NULL, csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "inserted"), 1);
	http_result_clear(&r);
	assert_int_equal(attendance_count(), before + 1);
	(void)officer_a2;
}

static void test_over_the_size_limit_is_413_and_nothing_is_written(void **state)
{
	static const char *const flags[] = {"--import-max-bytes=1K", NULL};
	struct tcardd_proc small;
	struct http_result r;
	PGconn *small_db;
	char *csv = malloc(4096);
	size_t len = 0;
	int i;

	(void)state;
	assert_non_null(csv);
	tcardd_start(&small, NULL, flags);
	small_db = test_db(&small);
	len += (size_t)snprintf(csv, 4096, "national_id,session_code\n");
	for (i = 0; i < 60; i++)
		len += (size_t)snprintf(csv + len, 4096 - len, "%s,IMP-%d\n", id_a1, i);
	test_import_post(&proc, NULL, &r, "attendance", NULL, csv,
	                 0); /* on the main tcardd: 422, not 413 */
	assert_int_equal(r.status, 422);
	http_result_clear(&r);
	{
		const char *headers[] = {"Content-Type: text/csv", NULL};
		const char *chunked[] = {"Content-Type: text/csv", "Transfer-Encoding: chunked",
		                         NULL};

		http_call(&small, &r, "POST", "/api/v1/imports/attendance", headers, csv);
		assert_problem(&r, 413, NULL, NULL);
		http_result_clear(&r);
		http_call(&small, &r, "POST", "/api/v1/imports/attendance", chunked, csv);
		assert_problem(&r, 413, NULL, NULL);
		http_result_clear(&r);
	}
	assert_int_equal(test_db_count(small_db, "SELECT count(*) FROM attendance"), 0);
	free(csv);
	tcardd_finish(&small, small_db);
}

static void test_only_admin_and_hr_may_import(void **state)
{
	struct http_result r;

	(void)state;
	test_import_post(&proc, &(struct test_identity){0}, &r, "attendance", NULL, "national_id\n",
	                 0);
	assert_int_equal(r.status, 401);
	http_result_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_a_good_attendance_file_lands_and_the_cards_show_it),
	        cmocka_unit_test(test_the_same_file_again_changes_nothing),
	        cmocka_unit_test(test_every_bad_row_is_reported_and_nothing_is_written),
	        cmocka_unit_test(test_bad_headers_empty_files_and_types_are_refused),
	        cmocka_unit_test(test_a_dry_run_counts_and_writes_nothing),
	        cmocka_unit_test(test_assessments_take_chinese_grades_and_update),
	        cmocka_unit_test(test_hr_of_county_a_cannot_import_county_b),
	        cmocka_unit_test(test_an_abandoned_upload_writes_nothing_and_the_next_works),
	        cmocka_unit_test(test_over_the_size_limit_is_413_and_nothing_is_written),
	        cmocka_unit_test(test_only_admin_and_hr_may_import),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
