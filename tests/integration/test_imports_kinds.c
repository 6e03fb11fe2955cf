/* test_imports_kinds.c — POST /api/v1/imports/{kind} for the kinds beyond
 * attendance and assessments (issue 7, doc/import.md): officers and
 * sessions. Per kind a
 * good file lands, the same file again changes nothing, a file with typical
 * bad rows reports every one with its row and writes nothing; one `tcard
 * import` run per kind. Kinds not built yet answer 404. The tests run in
 * order. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long county_a, county_b, officer_a1, officer_b1;
static char id_a1[19], id_b1[19], id_new1[19], id_new2[19], id_cli[19];
static struct test_identity hr_a;
static char dir[] = "/tmp/tcard-import-kinds-XXXXXX";

static long long officer_count(void)
{
	return test_db_count(db, "SELECT count(*) FROM officer");
}

static int group_setup(void **state)
{
	long long city;

	(void)state;
	assert_non_null(mkdtemp(dir));
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	city = test_create_org(&proc, "kin-city", "导入市", "city", 0);
	county_a = test_create_org(&proc, "kin-a", "甲县", "county", city);
	county_b = test_create_org(&proc, "kin-b", "乙县", "county", city);
	officer_a1 = test_create_officer(&proc, 9501, "导入甲一", county_a);
	officer_b1 = test_create_officer(&proc, 9502, "导入乙一", county_b);
	test_national_id(9501, id_a1);
	test_national_id(9502, id_b1);
	test_national_id(9503, id_new1); /* sequence 001: a man */
	test_national_id(6504, id_new2); /* sequence 000: a woman */
	test_national_id(9505, id_cli);
	test_create_user(&proc, "kin.hr.a", "hr", county_a, 0, NULL, &hr_a);
	return 0;
}

static int group_teardown(void **state)
{
	char command[128];

	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	(void)snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
	return 0;
}

/* ---- officers ---- */

static char officers_csv[2048];

static void test_officers_good_file_inserts_and_updates_as_the_api_would(void **state)
{
	struct http_result r;
	char path[64];
	long long id;

	(void)state;
	(void)snprintf(officers_csv, sizeof(officers_csv),
	               "\xEF\xBB\xBFnational_id,name,org_code,kind,post,hire_date,status,"
	               "status_date,enforcement_post\r\n"
	               "%s,新人一,kin-a,执法人员,科员,2010-09-01,在岗,,是\r\n"
	               "%s,新人二,kin-b,auxiliary,,2015/3/2,active,2024-01-05,false\r\n"
	               "%s,导入甲一,kin-a,officer,队长,40179,,,\r\n",
	               id_new1, id_new2, id_a1);
	test_import_post(&proc, NULL, &r, "officers", "file=people.csv", officers_csv, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(test_json_str(r.json, "kind"), "officers");
	assert_int_equal(test_json_int(r.json, "rows"), 3);
	assert_int_equal(test_json_int(r.json, "inserted"), 2);
	assert_int_equal(test_json_int(r.json, "updated"), 1);
	assert_int_equal(test_json_int(r.json, "unchanged"), 0);
	http_result_clear(&r);
	/* Gender and birth date from the national ID, the ID sealed so that the
	 * API opens it. */
	id = test_db_countf(db,
	                    "SELECT id FROM officer WHERE name = '新人一' AND gender = 'M'"
	                    " AND birth_date = to_date('%.8s', 'YYYYMMDD') AND kind = 'officer'"
	                    " AND post = '科员' AND hire_date = '2010-09-01' AND enforcement_post"
	                    " AND status = 'active' AND org_id = %lld",
	                    id_new1 + 6, county_a);
	assert_true(id > 0);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld?reveal=national_id", id);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(test_json_str(r.json, "national_id"), id_new1);
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM officer WHERE name = '新人二' AND"
	                                " gender = 'F' AND kind = 'auxiliary' AND post = '' AND"
	                                " hire_date = '2015-03-02' AND status_date = '2024-01-05'"
	                                " AND NOT enforcement_post AND org_id = %lld",
	                                county_b),
	                 1);
	/* The existing officer: post and hire date (an Excel serial) updated. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM officer WHERE id = %lld AND post ="
	                                " '队长' AND hire_date = '2010-01-01' AND version = 2",
	                                officer_a1),
	                 1);
	/* Each new officer's current year was evaluated in the import. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM officer_year_status s JOIN officer o"
	                                " ON o.id = s.officer_id WHERE o.name LIKE '新人%%'"
	                                " AND NOT s.stale"),
	                 2);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                   " 'import.officers'"),
	                 1);
}

static void test_officers_same_file_again_changes_nothing(void **state)
{
	struct http_result r;
	long long versions = test_db_count(db, "SELECT sum(version) FROM officer");

	(void)state;
	test_import_post(&proc, NULL, &r, "officers", "file=people.csv", officers_csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "inserted"), 0);
	assert_int_equal(test_json_int(r.json, "updated"), 0);
	assert_int_equal(test_json_int(r.json, "unchanged"), 3);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT sum(version) FROM officer"), versions);
}

static void test_officers_bad_rows_are_all_reported_and_nothing_is_written(void **state)
{
	char csv[4096], bad_digit[19], fresh[6][19], long_name[200] = "";
	struct http_result r;
	long long before = officer_count(), versions;
	int i;

	(void)state;
	versions = test_db_count(db, "SELECT sum(version) FROM officer");
	for (i = 0; i < 6; i++)
		test_national_id(9510 + (unsigned)i, fresh[i]);
	for (i = 0; i < 51; i++)
		(void)strcat(long_name, "字");
	memcpy(bad_digit, fresh[0], sizeof(bad_digit));
	bad_digit[17] = bad_digit[17] == '1' ? '2' : '1';
	(void)snprintf(csv, sizeof(csv),
	               "national_id,name,org_code,kind,hire_date,status,enforcement_post\n"
	               "%s,甲,kin-a,,,,\n"           /* 2: bad check digit */
	               "%s,乙,no-such-unit,,,,\n"    /* 3: unknown unit */
	               "%s,丙,kin-b,,,,\n"           /* 4: outside hr_a's scope */
	               "%s,丁,kin-a,police,,,\n"     /* 5: unknown kind */
	               "%s,戊,kin-a,,2099-01-01,,\n" /* 6: hire date in the future */
	               "%s,己,kin-a,,1950-01-01,,\n" /* 7: hired before birth */
	               "%s,庚,kin-a,,,fired,maybe\n" /* 8: bad status and flag */
	               "%s,辛,kin-a,,2019-02-30,,\n" /* 9: impossible date */
	               "%s,%s,kin-a,,,,\n"           /* 10: name too long */
	               "%s,壬,kin-a\n"               /* 11: missing column */
	               "%s,,kin-a,,,,\n"             /* 12: name required */
	               "%s,癸,kin-a,,,,\n"           /* 13: fine */
	               "%s,癸二,kin-a,,,,\n",        /* 14: duplicate of 13 */
	               bad_digit, fresh[1], fresh[2], fresh[3], fresh[3], fresh[3], fresh[3],
	               fresh[3], fresh[3], long_name, fresh[3], fresh[3], fresh[4], fresh[4]);
	test_import_post(&proc, &hr_a, &r, "officers", NULL, csv, 0);
	assert_int_equal(r.status, 422);
	assert_true(test_row_error(&r, 2, "national_id", "check_digit"));
	assert_true(test_row_error(&r, 3, "org_code", "unknown"));
	assert_true(test_row_error(&r, 4, "org_code", "unknown"));
	assert_true(test_row_error(&r, 5, "kind", "choice"));
	assert_true(test_row_error(&r, 6, "hire_date", "future"));
	assert_true(test_row_error(&r, 7, "hire_date", "before_birth"));
	assert_true(test_row_error(&r, 8, "status", "choice"));
	assert_true(test_row_error(&r, 8, "enforcement_post", "choice"));
	assert_true(test_row_error(&r, 9, "hire_date", "format"));
	assert_true(test_row_error(&r, 10, "name", "too_long"));
	assert_true(test_row_error(&r, 11, "-", "missing_column"));
	assert_true(test_row_error(&r, 12, "name", "required"));
	assert_true(test_row_error(&r, 14, "national_id", "duplicate"));
	assert_false(test_row_error(&r, 13, "national_id", "duplicate"));
	assert_int_equal(test_json_int(r.json, "rows"), 13);
	assert_int_equal(test_json_int(r.json, "rejected"), 12);
	assert_null(strstr(r.body, bad_digit)); /* national IDs masked */
	http_result_clear(&r);
	assert_int_equal(officer_count(), before);

	/* An officer registered in another unit: found only at the merge, still a
	 * row error, still nothing written. */
	(void)snprintf(csv, sizeof(csv),
	               "national_id,name,org_code\n%s,新来的,kin-a\n%s,导入乙一,kin-a\n", fresh[5],
	               id_b1);
	test_import_post(&proc, &hr_a, &r, "officers", NULL, csv, 0);
	assert_int_equal(r.status, 422);
	assert_true(test_row_error(&r, 3, "national_id", "outside_scope"));
	assert_int_equal(test_json_int(r.json, "rejected"), 1);
	http_result_clear(&r);
	assert_int_equal(officer_count(), before);
	assert_int_equal(test_db_count(db, "SELECT sum(version) FROM officer"), versions);
	assert_int_equal(
	        test_db_countf(db, "SELECT org_id FROM officer WHERE id = %lld", officer_b1),
	        county_b);
}

static void test_officers_hr_moves_and_retires_within_scope(void **state)
{
	struct http_result r;
	char csv[512];

	(void)state;
	/* Without post and hire_date columns the stored values stay; a status
	 * change without a date takes today. */
	(void)snprintf(csv, sizeof(csv), "身份证号,name,org_code,status\n%s,导入甲一,kin-a,退休\n",
	               id_a1);
	/* Chinese headers are the CLI's business: the server takes canonical names. */
	test_import_post(&proc, &hr_a, &r, "officers", NULL, csv, 0);
	assert_int_equal(r.status, 422);
	http_result_clear(&r);
	(void)snprintf(csv, sizeof(csv),
	               "national_id,name,org_code,status\n%s,导入甲一,kin-a,退休\n", id_a1);
	test_import_post(&proc, &hr_a, &r, "officers", NULL, csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "updated"), 1);
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM officer WHERE id = %lld AND status ="
	                                " 'retired' AND post = '队长' AND hire_date = '2010-01-01'"
	                                " AND status_date = (now() AT TIME ZONE"
	                                " 'Asia/Shanghai')::date",
	                                officer_a1),
	                 1);
}

static void test_officers_through_the_cli(void **state)
{
	char path[600], text[1024];

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/人员.csv", dir);
	(void)snprintf(text, sizeof(text),
	               "\xEF\xBB\xBF身份证号,姓名,单位编码,人员类别,岗位,入职日期,状态,执法岗位\r\n"
	               "%s,命令行,kin-a,辅助人员,协管,2020/7/1,在岗,否\r\n",
	               id_cli);
	test_write_file(path, text);
	assert_int_equal(test_cli_imported(&proc, dir, "officers", path), 1);
	assert_int_equal(test_db_countf(db, "SELECT count(*) FROM officer WHERE name = '命令行' AND"
	                                    " kind = 'auxiliary' AND post = '协管' AND NOT"
	                                    " enforcement_post AND hire_date = '2020-07-01'"),
	                 1);
}

/* ---- sessions ---- */

#define UNITS_PER_HOUR 36000LL

static char sessions_csv[2048];
static long long session_attendee;

static void test_sessions_good_file_inserts_and_updates_and_hours_follow(void **state)
{
	struct http_result r;
	char sql[256];

	(void)state;
	session_attendee = test_create_officer(&proc, 9520, "听课人", county_a);
	test_session_sql(db, "KIN-S1", county_a, "2025-05-06", 2);
	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO attendance (session_id, officer_id) SELECT id, %lld FROM"
	               " training_session WHERE code = 'KIN-S1'",
	               session_attendee);
	test_db_as_app(db, sql);
	(void)snprintf(sessions_csv, sizeof(sessions_csv),
	               "code,title,org_code,category,form,platform,starts_at,ends_at,"
	               "duration_minutes,declared_hours\r\n"
	               "KIN-S1,培训 KIN-S1,kin-a,业务知识,讲授,,2025-05-06 09:00,2025-05-06 13:00,"
	               "240,3\r\n"
	               "KIN-S2,\"宪法, 行政法\",kin-a,public_law,网络培训,法治教育网,2025/6/1 8:30,"
	               "2025-06-01T11:30:00+08:00,,\r\n"
	               "KIN-S3,乙县技能,kin-b,skills,competition,,2025-07-01 09:00,"
	               "2025-07-01 17:00,300,1.5\r\n");
	test_import_post(&proc, NULL, &r, "sessions", "file=sessions.csv", sessions_csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "inserted"), 2);
	assert_int_equal(test_json_int(r.json, "updated"), 1);
	assert_int_equal(test_json_int(r.json, "unchanged"), 0);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db,
	                               "SELECT count(*) FROM training_session WHERE code ="
	                               " 'KIN-S2' AND title = '宪法, 行政法' AND category ="
	                               " 'public_law' AND form = 'online' AND platform ="
	                               " '法治教育网' AND starts_at = '2025-06-01 08:30+08'"
	                               " AND duration_minutes = 180 AND declared_units IS NULL"),
	                 1);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM training_session WHERE code ="
	                                " 'KIN-S3' AND org_id = %lld AND duration_minutes = 300"
	                                " AND declared_units = %lld",
	                                county_b, 3 * UNITS_PER_HOUR / 2),
	                 1);
	/* The attendee's year followed the new declared hours, in the import. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT counted_units FROM officer_year_status WHERE"
	                                " officer_id = %lld AND year = 2025 AND NOT stale",
	                                session_attendee),
	                 3 * UNITS_PER_HOUR);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                   " 'import.sessions'"),
	                 1);
}

static void test_sessions_same_file_again_changes_nothing(void **state)
{
	struct http_result r;
	long long versions = test_db_count(db, "SELECT sum(version) FROM training_session");

	(void)state;
	test_import_post(&proc, NULL, &r, "sessions", NULL, sessions_csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "inserted"), 0);
	assert_int_equal(test_json_int(r.json, "updated"), 0);
	assert_int_equal(test_json_int(r.json, "unchanged"), 3);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT sum(version) FROM training_session"), versions);
}

static void test_sessions_bad_rows_are_all_reported_and_nothing_is_written(void **state)
{
	char csv[4096];
	struct http_result r;
	long long before = test_db_count(db, "SELECT count(*) FROM training_session"), versions;

	(void)state;
	test_session_sql(db, "KIN-CITY",
	                 test_db_count(db, "SELECT id FROM org WHERE code = 'kin-city'"),
	                 "2025-03-03", 2);
	before++;
	versions = test_db_count(db, "SELECT sum(version) FROM training_session");
	(void)snprintf(
	        csv, sizeof(csv),
	        "code,title,org_code,category,form,starts_at,ends_at,duration_minutes,"
	        "declared_hours\n"
	        "N-1,甲,no-such,business,lecture,2025-05-01 09:00,2025-05-01 10:00,,\n"
	        "N-2,乙,kin-b,business,lecture,2025-05-01 09:00,2025-05-01 10:00,,\n"
	        "N-3,丙,kin-a,sports,lecture,2025-05-01 09:00,2025-05-01 10:00,,\n"
	        "N-4,丁,kin-a,business,dance,2025-05-01 09:00,2025-05-01 10:00,,\n"
	        "N-5,戊,kin-a,business,lecture,2025-05-01 10:00,2025-05-01 09:00,,\n"
	        "N-6,己,kin-a,business,lecture,2025-05-01 09:00,2025-05-01 10:00,-5,\n"
	        "N-7,庚,kin-a,business,lecture,2025-05-01 09:00,2025-05-01 10:00,90,\n"
	        "N-8,辛,kin-a,business,lecture,2025-05-01 09:00,2025-05-01 10:00,,-1\n"
	        "N-9,壬,kin-a,business,lecture,2025-05-01 25:00,2025-05-01 10:00,,\n"
	        "N-10,癸,kin-a,business,lecture,2025-05-01 09:00\n"
	        "KIN-CITY,市里的,kin-a,business,lecture,2025-05-01 09:00,2025-05-01 10:00,,\n"
	        "N-12,好,kin-a,business,lecture,2025-05-01 09:00,2025-05-01 10:00,,\n"
	        "N-12,重,kin-a,business,lecture,2025-05-01 09:00,2025-05-01 10:00,,\n");
	test_import_post(&proc, &hr_a, &r, "sessions", NULL, csv, 0);
	assert_int_equal(r.status, 422);
	assert_true(test_row_error(&r, 2, "org_code", "unknown"));
	assert_true(test_row_error(&r, 3, "org_code", "unknown"));
	assert_true(test_row_error(&r, 4, "category", "choice"));
	assert_true(test_row_error(&r, 5, "form", "choice"));
	assert_true(test_row_error(&r, 6, "ends_at", "order"));
	assert_true(test_row_error(&r, 7, "duration_minutes", "range"));
	assert_true(test_row_error(&r, 8, "duration_minutes", "exceeds_span"));
	assert_true(test_row_error(&r, 9, "declared_hours", "negative"));
	assert_true(test_row_error(&r, 10, "starts_at", "format"));
	assert_true(test_row_error(&r, 11, "-", "missing_column"));
	assert_true(test_row_error(&r, 12, "code", "not_yours"));
	assert_true(test_row_error(&r, 14, "code", "duplicate"));
	assert_int_equal(test_json_int(r.json, "rows"), 13);
	assert_int_equal(test_json_int(r.json, "rejected"), 12);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM training_session"), before);

	/* A code taken by a unit outside the caller's scope: found at the merge. */
	(void)snprintf(csv, sizeof(csv),
	               "code,title,org_code,category,form,starts_at,ends_at\n"
	               "N-20,新,kin-a,business,lecture,2025-05-01 09:00,2025-05-01 10:00\n"
	               "KIN-S3,抢,kin-a,business,lecture,2025-05-01 09:00,2025-05-01 10:00\n");
	test_import_post(&proc, &hr_a, &r, "sessions", NULL, csv, 0);
	assert_int_equal(r.status, 422);
	assert_true(test_row_error(&r, 3, "code", "outside_scope"));
	assert_int_equal(test_json_int(r.json, "rejected"), 1);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM training_session"), before);
	assert_int_equal(test_db_count(db, "SELECT sum(version) FROM training_session"), versions);
}

static void test_sessions_through_the_cli(void **state)
{
	char path[600], text[1024];

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/培训.csv", dir);
	(void)snprintf(
	        text, sizeof(text),
	        "培训编号,培训名称,主办单位编码,类别,形式,学习平台,开始时间,结束时间,"
	        "时长（分钟）,学时\r\n"
	        "KIN-CLI,命令行培训,kin-a,政治理论,研讨,,2025/8/1 9:00,2025/8/1 11:00,,2\r\n");
	test_write_file(path, text);
	assert_int_equal(test_cli_imported(&proc, dir, "sessions", path), 1);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM training_session WHERE code ="
	                                   " 'KIN-CLI' AND category = 'political' AND form ="
	                                   " 'seminar' AND duration_minutes = 120"),
	                 1);
}

/* ---- kinds not built yet ---- */

/* A kind that does not exist names nothing. */
static void test_unknown_kinds_answer_404(void **state)
{
	static const char *const kinds[] = {"widgets", "officer", "attendance.csv"};
	struct http_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		test_import_post(&proc, NULL, &r, kinds[i], NULL, "code\nx\n", 0);
		assert_int_equal(r.status, 404);
		http_result_clear(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_officers_good_file_inserts_and_updates_as_the_api_would),
	        cmocka_unit_test(test_officers_same_file_again_changes_nothing),
	        cmocka_unit_test(test_officers_bad_rows_are_all_reported_and_nothing_is_written),
	        cmocka_unit_test(test_officers_hr_moves_and_retires_within_scope),
	        cmocka_unit_test(test_officers_through_the_cli),
	        cmocka_unit_test(test_sessions_good_file_inserts_and_updates_and_hours_follow),
	        cmocka_unit_test(test_sessions_same_file_again_changes_nothing),
	        cmocka_unit_test(test_sessions_bad_rows_are_all_reported_and_nothing_is_written),
	        cmocka_unit_test(test_sessions_through_the_cli),
	        cmocka_unit_test(test_unknown_kinds_answer_404),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
