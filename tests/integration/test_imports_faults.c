/* test_imports_faults.c — POST /api/v1/imports/{kind} under faults (issue 7,
 * "Faults and bad input"; doc/import.md): a GB18030 file sent raw is refused
 * row by row as not UTF-8; a third concurrent import gets 503 with
 * Retry-After while two stream; tcardd killed with SIGKILL mid-import and the
 * CLI killed mid-upload both leave nothing written and the next import works;
 * tcardd's peak RSS stays flat during a 50 MB import. The tests run in order
 * on one tcardd; the audit chain must verify at the end. */
#include "testlib.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OFFICERS       200
#define SESSIONS       1100
#define OFFICER_BASE   20000u
#define BIG_SESSIONS   1000 /* BULK-1 … BULK-1000 × every officer: the big file */
#define REASON_PAD     200  /* bytes of override reason per row of the big file */
#define RSS_IDLE_KB    (30 * 1024)
#define COPY_WAIT_MS   60000
#define BACKEND_WAIT_S 60

static struct tcardd_proc proc;
static PGconn *db;
static long long unit;
static char ids[OFFICERS][19];
static char dir[] = "/tmp/tcard-import-faults-XXXXXX";
static char big_path[600];

static long long attendance_count(void)
{
	return test_db_count(db, "SELECT count(*) FROM attendance");
}

/* Backends of tcardd in COPY now (state active, COPY import_staging …). */
static long long copies_running(void)
{
	return test_db_count(db, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
	                         " AND query LIKE 'COPY import_staging%'");
}

/* Waits until at least n COPYs run; fails after COPY_WAIT_MS. */
static void wait_copies(long long n)
{
	int waited;

	for (waited = 0; waited < COPY_WAIT_MS; waited += 2) {
		if (copies_running() >= n)
			return;
		(void)usleep(2000);
	}
	fail_msg("no %lld COPY running after %d ms", n, COPY_WAIT_MS);
}

/* Waits until no import backend is left (its transaction rolled back). */
static void wait_no_import_backends(void)
{
	int i;

	for (i = 0; i < BACKEND_WAIT_S * 10; i++) {
		if (test_db_count(db, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE"
		                      " 'COPY import_staging%' AND state <> 'idle'") == 0 &&
		    test_db_count(db,
		                  "SELECT count(*) FROM pg_stat_activity WHERE"
		                  " state LIKE 'idle in transaction%' AND usename <> 'postgres'") ==
		            0)
			return;
		(void)usleep(100000);
	}
	fail_msg("an import's backend is still there after %d s", BACKEND_WAIT_S);
}

/* CSV rows "national_id,session_code" for officers [o0, o1) on sessions [s0, s1]. */
static char *rows_csv(int o0, int o1, int s0, int s1, int with_header)
{
	size_t size = (size_t)(o1 - o0) * (size_t)(s1 - s0 + 1) * 32 + 64, len = 0;
	char *csv = malloc(size);
	int o, s;

	assert_non_null(csv);
	csv[0] = '\0';
	if (with_header)
		len += (size_t)snprintf(csv, size, "national_id,session_code\n");
	for (s = s0; s <= s1; s++)
		for (o = o0; o < o1; o++)
			len += (size_t)snprintf(csv + len, size - len, "%s,BULK-%d\n", ids[o], s);
	return csv;
}

static void import_csv(struct http_result *r, const char *csv)
{
	const char *headers[] = {"Content-Type: text/csv; charset=utf-8", NULL};

	http_call(&proc, r, "POST", "/api/v1/imports/attendance", headers, csv);
}

/* Opens a chunked upload and sends its head; returns the socket. */
static int upload_open(void)
{
	char head[512];
	int fd = test_tcp_connect(proc.port);

	assert_true(fd >= 0);
	(void)snprintf(head, sizeof(head),
	               "POST /api/v1/imports/attendance?file=faults.csv HTTP/1.1\r\n"
	               "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
	               "Content-Type: text/csv; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"
	               "Connection: close\r\n\r\n",
	               proc.admin.bearer);
	assert_int_equal(test_tcp_send(fd, head, strlen(head)), 0);
	return fd;
}

static int upload_chunk(int fd, const char *data)
{
	char size[32];
	size_t len = strlen(data);

	(void)snprintf(size, sizeof(size), "%zx\r\n", len);
	if (test_tcp_send(fd, size, strlen(size)) != 0 || test_tcp_send(fd, data, len) != 0 ||
	    test_tcp_send(fd, "\r\n", 2) != 0)
		return -1;
	return 0;
}

/* Ends a chunked upload and returns the reply's status. */
static int upload_finish(int fd)
{
	char *reply;
	int status;

	assert_int_equal(test_tcp_send(fd, "0\r\n\r\n", 5), 0);
	reply = test_tcp_read_all(fd, 120000, NULL);
	status = test_raw_status(reply);
	if (status != 200)
		(void)fprintf(stderr, "# reply: %s\n", reply);
	free(reply);
	(void)close(fd);
	return status;
}

/* A small valid import of officers [o0, o1) on session s lands. */
static void assert_next_import_works(int o0, int o1, int s)
{
	char *csv = rows_csv(o0, o1, s, s, 1);
	long long before = attendance_count();
	struct http_result r;

	import_csv(&r, csv);
	free(csv);
	if (r.status != 200)
		fail_msg("next import: %ld %s", r.status, r.body);
	assert_int_equal(test_json_int(r.json, "inserted"), o1 - o0);
	http_result_clear(&r);
	assert_int_equal(attendance_count(), before + (o1 - o0));
}

/* Writes the big file: every officer on BULK-1 … BULK-BIG_SESSIONS with hours
 * and a padded reason (about 50 MB). */
static void write_big_file(void)
{
	char reason[REASON_PAD + 1];
	FILE *f;
	int o, s;

	(void)snprintf(big_path, sizeof(big_path), "%s/big.csv", dir);
	memset(reason, 'r', REASON_PAD);
	reason[REASON_PAD] = '\0';
	f = fopen(big_path, "w");
	assert_non_null(f);
	assert_true(fputs("national_id,session_code,hours,override_reason\n", f) >= 0);
	for (s = 1; s <= BIG_SESSIONS; s++)
		for (o = 0; o < OFFICERS; o++)
			assert_true(fprintf(f, "%s,BULK-%d,1,%s\n", ids[o], s, reason) > 0);
	assert_int_equal(fclose(f), 0);
}

static int group_setup(void **state)
{
	char sql[1024];
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	unit = test_create_org(&proc, "flt-unit", "导入故障测试队", "county", 0);
	for (i = 0; i < OFFICERS; i++) {
		(void)test_create_officer(&proc, OFFICER_BASE + (unsigned)i, "故障测试", unit);
		test_national_id(OFFICER_BASE + (unsigned)i, ids[i]);
	}
	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO training_session (code, title, org_id, category, form,"
	               " starts_at, ends_at, duration_minutes, declared_units)"
	               " SELECT 'BULK-' || g, '批量 ' || g, %lld, 'business', 'lecture',"
	               " timestamptz '2025-01-02 09:00+08' + (g %% 300) * interval '1 day',"
	               " timestamptz '2025-01-02 13:00+08' + (g %% 300) * interval '1 day',"
	               " 240, 144000 FROM generate_series(1, %d) AS g",
	               unit, SESSIONS);
	test_db_as_app(db, sql);
	write_big_file();
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

/* (e) Excel's GB18030 sent as it is, bypassing the CLI's conversion. */
static void test_a_gb18030_body_is_refused_row_by_row_and_nothing_is_written(void **state)
{
	char csv[1024];
	const json_t *errors, *e;
	struct http_result r;
	long long before = attendance_count();
	int encoding_rows = 0;
	size_t i;

	(void)state;
	/* 认定说明 "中文" in GB18030 is D6 D0 CE C4: not UTF-8. */
	(void)snprintf(csv, sizeof(csv),
	               "national_id,session_code,hours,override_reason\n"
	               "%s,BULK-1050,1,\xD6\xD0\xCE\xC4\n"
	               "%s,BULK-1050,,\n"
	               "%s,BULK-1050,2,\xB3\xD9\xB5\xBD\n",
	               ids[0], ids[1], ids[2]);
	import_csv(&r, csv);
	assert_int_equal(r.status, 422);
	errors = json_object_get(r.json, "row_errors");
	json_array_foreach(errors, i, e)
	{
		long long row = json_integer_value(json_object_get(e, "row"));

		assert_string_equal(json_string_value(json_object_get(e, "reason")), "encoding");
		assert_string_equal(json_string_value(json_object_get(e, "column")), "-");
		assert_true(row == 2 || row == 4);
		encoding_rows++;
	}
	assert_int_equal(encoding_rows, 2);
	assert_int_equal(test_json_int(r.json, "rejected"), 2);
	http_result_clear(&r);
	assert_int_equal(attendance_count(), before);
}

/* (c) Two imports stream slowly; a third is turned away until one ends. */
static void test_a_third_concurrent_import_gets_503_with_retry_after(void **state)
{
	char *first = rows_csv(0, 100, 1001, 1002, 1), *second = rows_csv(100, 200, 1001, 1002, 1);
	char *third = rows_csv(0, 10, 1003, 1003, 1);
	long long before = attendance_count();
	struct http_result r;
	int a, b;

	(void)state;
	a = upload_open();
	assert_int_equal(upload_chunk(a, first), 0);
	b = upload_open();
	assert_int_equal(upload_chunk(b, second), 0);
	wait_copies(2);
	import_csv(&r, third);
	assert_problem(&r, 503, NULL, NULL);
	assert_string_equal(r.retry_after, "30");
	http_result_clear(&r);
	/* The two finish and land. */
	assert_int_equal(upload_finish(a), 200);
	assert_int_equal(upload_finish(b), 200);
	assert_int_equal(attendance_count(), before + 400);
	/* Their slots are free again. */
	import_csv(&r, third);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	assert_int_equal(attendance_count(), before + 410);
	free(first);
	free(second);
	free(third);
}

/* (b) SIGKILL to tcardd while a chunked upload streams into COPY. */
static void test_tcardd_killed_mid_import_writes_nothing_and_restarts(void **state)
{
	char *part = rows_csv(0, OFFICERS, 1005, 1010, 1);
	long long before = attendance_count();
	long long audits = test_db_count(db, "SELECT count(*) FROM audit_log");
	int fd;

	(void)state;
	fd = upload_open();
	assert_int_equal(upload_chunk(fd, part), 0);
	wait_copies(1);
	assert_int_equal(kill(proc.pid, SIGKILL), 0);
	assert_int_equal(waitpid(proc.pid, NULL, 0), proc.pid);
	proc.pid = 0;
	(void)close(fd);
	wait_no_import_backends();
	assert_int_equal(attendance_count(), before);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log"), audits);
	free(part);

	tcardd_start(&proc, proc.data_dir, NULL);
	assert_int_equal(attendance_count(), before);
	assert_next_import_works(0, OFFICERS, 1011);
	test_assert_audit_intact(&proc);
}

/* (a) SIGKILL to `tcard import` half-way through a 50 MB upload. */
static void test_the_cli_killed_mid_upload_writes_nothing(void **state)
{
	long long before = attendance_count();
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		(void)dup2(null, STDOUT_FILENO);
		(void)dup2(null, STDERR_FILENO);
		(void)execl(TCARD_CLI_PATH, "tcard", "import", "attendance", big_path, "--server",
		            proc.base_url, "--token", proc.admin.bearer, "--json", (char *)NULL);
		_exit(127);
	}
	wait_copies(1);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	wait_no_import_backends();
	assert_int_equal(attendance_count(), before);
	assert_next_import_works(0, OFFICERS, 1012);
}

static long vm_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	(void)snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
			kb = strtol(line + strlen(key) + 1, NULL, 10);
	(void)fclose(f);
	assert_true(kb > 0);
	return kb;
}

/* (d) 50 MB through `tcard import`: tcardd's peak RSS grows by far less. */
static void test_a_50_mb_import_keeps_tcardd_memory_flat(void **state)
{
	char command[2048];
	long idle, peak;
	long long before = attendance_count();
	int status;

	(void)state;
	idle = vm_kb(proc.pid, "VmHWM");
	(void)snprintf(command, sizeof(command),
	               "%s import attendance '%s' --server '%s' --token '%s' --json"
	               " >'%s/big.out' 2>&1",
	               TCARD_CLI_PATH, big_path, proc.base_url, proc.admin.bearer, dir);
	status = system(command);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0) {
		(void)snprintf(command, sizeof(command), "head -c 2000 '%s/big.out' >&2", dir);
		(void)system(command);
		fail_msg("tcard import exited %d", WEXITSTATUS(status));
	}
	peak = vm_kb(proc.pid, "VmHWM");
	(void)fprintf(stderr, "# tcardd VmHWM before %ld KiB, after a 50 MB import %ld KiB\n", idle,
	              peak);
	assert_true(peak - idle < RSS_IDLE_KB);
	assert_int_equal(attendance_count(), before + (long long)OFFICERS * BIG_SESSIONS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_a_gb18030_body_is_refused_row_by_row_and_nothing_is_written),
	        cmocka_unit_test(test_a_third_concurrent_import_gets_503_with_retry_after),
	        cmocka_unit_test(test_tcardd_killed_mid_import_writes_nothing_and_restarts),
	        cmocka_unit_test(test_the_cli_killed_mid_upload_writes_nothing),
	        cmocka_unit_test(test_a_50_mb_import_keeps_tcardd_memory_flat),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
