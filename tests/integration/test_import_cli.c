/* test_import_cli.c — `tcard import` and `tcard login` against a real tcardd
 * (the CLI and the server share no code: doc/import.md is their contract). An
 * HR clerk's Excel-saved file with Chinese headers lands; the same file again
 * changes nothing; a file with a bad row writes nothing and leaves
 * FILE.errors.csv naming the row; a GB18030 file converts; a caller without
 * the right is refused with 77; a stored login serves the next import. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long unit, officer_1, officer_2, session;
static char dir[] = "/tmp/tcard-import-cli-XXXXXX";
static char id_1[19], id_2[19];

/* tcard import KIND FILE against our tcardd with token (NULL: the stored login). */
static int import(const char *kind, const char *file, const char *token, const char *extra,
                  char *out, size_t size)
{
	return test_cli_import(&proc, dir, kind, file, token, extra, out, size);
}

static int setup(void **state)
{
	char sql[160];

	(void)state;
	assert_non_null(mkdtemp(dir));
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	unit = test_create_org(&proc, "imp-unit", "导入测试执法队", "county", 0);
	officer_1 = test_create_officer(&proc, 9301, "周一", unit);
	officer_2 = test_create_officer(&proc, 9302, "吴二", unit);
	test_national_id(9301, id_1);
	test_national_id(9302, id_2);
	session = test_create_session(&proc, "导入测试培训", unit, "2025-06-01T09:00:00+08:00",
	                              "2025-06-01T12:00:00+08:00", "3");
	(void)snprintf(sql, sizeof(sql),
	               "UPDATE training_session SET code = 'IMP-1' WHERE id = %lld", session);
	test_db_as_app(db, sql);
	return 0;
}

static int teardown(void **state)
{
	char command[128];

	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	(void)snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
	return 0;
}

static void test_excel_file_lands_once_and_a_second_time_changes_nothing(void **state)
{
	char path[600], text[1024], out[8192];
	long long audit_before;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/第一批.csv", dir);
	(void)snprintf(text, sizeof(text),
	               "\xEF\xBB\xBF身份证号,培训编号,认定学时,认定说明\r\n"
	               "%s,IMP-1,,\r\n%s,IMP-1,2.5,\"早退, 补认定\"\r\n",
	               id_1, id_2);
	test_write_file(path, text);
	audit_before = test_db_count(db, "SELECT count(*) FROM audit_log");
	assert_int_equal(import("attendance", path, proc.admin.bearer, "--json", out, sizeof(out)),
	                 0);
	assert_int_equal(test_cli_summary_count(out, "inserted"), 2);
	/* One audit entry for the import, none per record. */
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log"), audit_before + 1);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log"
	                                   " WHERE action = 'import.attendance'"),
	                 1);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM attendance WHERE session_id = %lld",
	                                session),
	                 2);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM attendance WHERE officer_id = %lld"
	                                " AND override_units = 2.5 * 36000",
	                                officer_2),
	                 1);
	assert_int_equal(import("attendance", path, proc.admin.bearer, "--json", out, sizeof(out)),
	                 0);
	assert_int_equal(test_cli_summary_count(out, "inserted"), 0);
	assert_int_equal(test_cli_summary_count(out, "unchanged"), 2);
}

static void test_a_bad_row_writes_nothing_and_leaves_an_error_report(void **state)
{
	char path[600], report[640], text[1024], out[8192], bad_id[19];
	long long before = test_db_count(db, "SELECT count(*) FROM annual_assessment");
	FILE *f;
	size_t len;

	(void)state;
	memcpy(bad_id, id_1, sizeof(bad_id));
	bad_id[17] = bad_id[17] == '0' ? '1' : '0'; /* a wrong check digit */
	(void)snprintf(path, sizeof(path), "%s/考核.csv", dir);
	(void)snprintf(report, sizeof(report), "%s.errors.csv", path);
	(void)snprintf(text, sizeof(text), "身份证号,年度,考核等次\n%s,2025,合格\n%s,2025,优秀\n",
	               id_2, bad_id);
	test_write_file(path, text);
	assert_int_equal(import("assessments", path, proc.admin.bearer, "", out, sizeof(out)), 65);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM annual_assessment"), before);
	f = fopen(report, "r");
	assert_non_null(f);
	len = fread(text, 1, sizeof(text) - 1, f);
	text[len] = '\0';
	(void)fclose(f);
	assert_non_null(strstr(text, "行号"));
	assert_non_null(strstr(text, "\r\n3,national_id,"));
	assert_null(strstr(text, bad_id)); /* national IDs masked in the report */
}

static void test_gb18030_file_converts_and_grades_in_chinese_count(void **state)
{
	char utf8[600], gbk[600], command[1400], text[512], out[8192];

	(void)state;
	(void)snprintf(utf8, sizeof(utf8), "%s/utf8.csv", dir);
	(void)snprintf(gbk, sizeof(gbk), "%s/gbk.csv", dir);
	(void)snprintf(text, sizeof(text),
	               "身份证号,年度,考核等次,备注\r\n%s,2024,不合格,复核后\r\n", id_1);
	test_write_file(utf8, text);
	(void)snprintf(command, sizeof(command), "iconv -f UTF-8 -t GB18030 '%s' > '%s'", utf8,
	               gbk);
	assert_int_equal(system(command), 0);
	assert_int_equal(import("assessments", gbk, proc.admin.bearer, "", out, sizeof(out)), 0);
	assert_int_equal(
	        test_db_countf(db,
	                       "SELECT count(*) FROM annual_assessment WHERE officer_id ="
	                       " %lld AND year = 2024 AND grade = 'fail' AND note = '复核后'",
	                       officer_1),
	        1);
}

static void test_an_auditor_is_refused_with_77_and_a_stored_login_works(void **state)
{
	struct test_identity auditor, token;
	char path[600], command[1400], out[8192], token_file[640];
	struct stat st;

	(void)state;
	test_create_user(&proc, "imp.auditor", "auditor", unit, 0, NULL, &auditor);
	test_create_token(&proc, &auditor, &token);
	(void)snprintf(path, sizeof(path), "%s/第一批.csv", dir);
	assert_int_equal(import("attendance", path, token.bearer, "", out, sizeof(out)), 77);

	/* An HR clerk logs in once; the stored token serves the import. */
	test_create_user(&proc, "imp.hr", "hr", unit, 0, NULL, &auditor);
	(void)snprintf(command, sizeof(command),
	               "printf '%%s\\n' '%s' | XDG_CONFIG_HOME='%s/config' %s login --server '%s'"
	               " --user imp.hr",
	               TEST_USER_PASSWORD, dir, TCARD_CLI_PATH, proc.base_url);
	assert_int_equal(test_run_command(command, out, sizeof(out)), 0);
	(void)snprintf(token_file, sizeof(token_file), "%s/config/tcard/token", dir);
	assert_int_equal(stat(token_file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_null(strstr(out, TEST_USER_PASSWORD));
	assert_int_equal(import("attendance", path, NULL, "--dry-run", out, sizeof(out)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_excel_file_lands_once_and_a_second_time_changes_nothing),
	        cmocka_unit_test(test_a_bad_row_writes_nothing_and_leaves_an_error_report),
	        cmocka_unit_test(test_gb18030_file_converts_and_grades_in_chinese_count),
	        cmocka_unit_test(test_an_auditor_is_refused_with_77_and_a_stored_login_works),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
