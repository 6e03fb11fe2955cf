/* test_pgembed.c — the embedded PostgreSQL cluster (server/pgembed.c) against the real
 * PostgreSQL 15 binaries: first start, reuse, adoption after a tcardd crash, recovery from a
 * killed postmaster and from stale postmaster.pid files. The tests run in order and share one
 * temporary data directory; run as root they also exercise the drop to the `postgres` user. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "pgembed.h"

/* A made-up national ID that must never reach the server log (SECURITY.md item 10). */
#define SEEDED_NATIONAL_ID "110101199003070012"

static char temp_dir[] = "/tmp/tcard-pgembed-XXXXXX";
static char data_dir[256];
static struct pgembed pg;

/* ---- helpers ---- */

static void sleep_ms(long ms)
{
	struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
}

static void start_ok(struct pgembed *cluster)
{
	struct err err = {""};
	int rc = pgembed_start(cluster, data_dir, &err);

	if (rc != 0)
		print_error("pgembed_start: %s\n", err.message);
	assert_int_equal(rc, 0);
	assert_int_equal(cluster->started_by_us, 1);
}

static PGconn *connect_as(const char *role)
{
	char conninfo[512];
	PGconn *conn;

	assert_int_equal(pgembed_conninfo(&pg, role, conninfo, sizeof(conninfo)), 0);
	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
		print_error("connect as %s: %s", role, PQerrorMessage(conn));
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	return conn;
}

/* Runs sql and checks that its single value is expected. */
static void assert_query_value(PGconn *conn, const char *sql, const char *expected)
{
	PGresult *result = PQexec(conn, sql);

	if (PQresultStatus(result) != PGRES_TUPLES_OK)
		print_error("%s: %s", sql, PQerrorMessage(conn));
	assert_int_equal(PQresultStatus(result), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(result), 1);
	assert_string_equal(PQgetvalue(result, 0, 0), expected);
	PQclear(result);
}

static void exec_ok(PGconn *conn, const char *sql)
{
	PGresult *result = PQexec(conn, sql);

	if (PQresultStatus(result) != PGRES_COMMAND_OK)
		print_error("%s: %s", sql, PQerrorMessage(conn));
	assert_int_equal(PQresultStatus(result), PGRES_COMMAND_OK);
	PQclear(result);
}

static void pid_file_path(char *out, size_t outsize)
{
	int n = snprintf(out, outsize, "%s/postmaster.pid", pg.data_dir);

	assert_true(n > 0 && (size_t)n < outsize);
}

static long postmaster_pid(void)
{
	char path[4200], text[64] = "";
	FILE *file;
	long pid;

	pid_file_path(path, sizeof(path));
	file = fopen(path, "r");
	assert_non_null(file);
	assert_non_null(fgets(text, sizeof(text), file));
	assert_int_equal(fclose(file), 0);
	pid = strtol(text, NULL, 10);
	assert_true(pid > 1);
	return pid;
}

/* 1 while pid is a live process (a zombie counts as dead: nobody may reap it here). */
static int process_alive(long pid)
{
	char path[64], stat_line[512];
	const char *state;
	FILE *file;
	int alive = 0;

	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	file = fopen(path, "r");
	if (file == NULL)
		return 0;
	if (fgets(stat_line, sizeof(stat_line), file) != NULL) {
		state = strrchr(stat_line, ')');
		alive = state != NULL && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
	}
	(void)fclose(file);
	return alive;
}

/* Simulates a crash of the whole service: SIGKILL to the postmaster, no shutdown. */
/* pg_ctl stop returns when postmaster.pid is gone; the process itself may
 * take a moment longer to exit. */
static void assert_process_exits(long pid)
{
	int waited;

	for (waited = 0; process_alive(pid) && waited < 10000; waited += 20)
		sleep_ms(20);
	assert_false(process_alive(pid));
}

static void kill_postmaster(void)
{
	long pid = postmaster_pid();

	assert_int_equal(kill((pid_t)pid, SIGKILL), 0);
	assert_process_exits(pid);
}

/* Overwrites postmaster.pid as a crashed server would have left it, naming pid. */
static void write_pid_file(long pid)
{
	char path[4200];
	FILE *file;

	pid_file_path(path, sizeof(path));
	file = fopen(path, "w");
	assert_non_null(file);
	assert_true(fprintf(file, "%ld\n%s\n1700000000\n5432\n%s\n\n  5432001    32768\nready   \n",
	                    pid, pg.data_dir, pg.socket_dir) > 0);
	assert_int_equal(fclose(file), 0);
}

/* A PID that certainly belonged to a process that has exited. */
static long dead_pid(void)
{
	int status;
	pid_t child = fork();

	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, &status, 0), child);
	return (long)child;
}

/* After a crash: the next start succeeds on the same data. */
static void assert_restart_keeps_data(void)
{
	PGconn *conn;

	start_ok(&pg);
	assert_int_equal(pg.created, 0);
	conn = connect_as("tcard_app");
	assert_query_value(conn, "SELECT count(*) FROM public.pgembed_marker", "1");
	PQfinish(conn);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* nftw callbacks take no context: the search's state lives here. */
static const char *search_needle;
static int search_found;

static int search_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char *text;
	FILE *file;
	size_t n;

	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	text = malloc((size_t)st->st_size + 1);
	assert_non_null(text);
	file = fopen(path, "rb");
	assert_non_null(file);
	n = fread(text, 1, (size_t)st->st_size, file);
	(void)fclose(file);
	if (memmem(text, n, search_needle, strlen(search_needle)) != NULL)
		search_found = 1;
	free(text);
	return 0;
}

/* 1 when some file under dir contains needle. */
static int tree_contains(const char *dir, const char *needle)
{
	search_needle = needle;
	search_found = 0;
	assert_int_equal(nftw(dir, search_entry, 16, FTW_PHYS), 0);
	return search_found;
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(temp_dir) == NULL || chmod(temp_dir, 0755) != 0)
		return -1;
	(void)snprintf(data_dir, sizeof(data_dir), "%s/data", temp_dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pgembed_stop(&pg);
	return nftw(temp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void test_missing_binaries_name_the_debian_package(void **state)
{
	struct pgembed missing;
	struct err err = {""};

	(void)state;
	assert_int_equal(setenv("TCARD_PG_BINDIR", "/nonexistent/bin", 1), 0);
	assert_int_equal(pgembed_start(&missing, data_dir, &err), -1);
	assert_int_equal(unsetenv("TCARD_PG_BINDIR"), 0);
	assert_non_null(strstr(err.message, "postgresql-15"));
	assert_int_equal(missing.started_by_us, 0);
	pgembed_stop(&missing);
}

static void test_overlong_socket_path_is_refused(void **state)
{
	struct pgembed longer;
	struct err err = {""};
	char deep[512];

	(void)state;
	(void)snprintf(deep, sizeof(deep), "%s/%s", temp_dir,
	               "a-data-directory-whose-name-is-long-enough-that-the-socket-path-no-longer-"
	               "fits-in-sun-path");
	assert_int_equal(pgembed_start(&longer, deep, &err), -1);
	assert_non_null(strstr(err.message, "too long"));
	assert_non_null(strstr(err.message, ".s.PGSQL.5432"));
}

static void test_conninfo_names_socket_database_and_role(void **state)
{
	struct pgembed fake;
	char out[256];

	(void)state;
	memset(&fake, 0, sizeof(fake));
	(void)snprintf(fake.socket_dir, sizeof(fake.socket_dir), "/srv/tcard/pg/run");
	fake.port = PGEMBED_PORT;
	assert_int_equal(pgembed_conninfo(&fake, "tcard_ro", out, sizeof(out)), 0);
	assert_string_equal(out, "host=/srv/tcard/pg/run port=5432 dbname=tcard user=tcard_ro "
	                         "connect_timeout=2");
	assert_int_equal(pgembed_conninfo(&fake, "tcard_ro' user=postgres", out, sizeof(out)), -1);
	assert_int_equal(pgembed_conninfo(&fake, "tcard_ro", out, 20), -1);
	assert_string_equal(out, "");
}

static void test_first_start_creates_cluster_roles_and_database(void **state)
{
	PGconn *conn, *tcp;
	PGresult *result;
	const char *params[1] = {SEEDED_NATIONAL_ID};
	struct stat st;

	(void)state;
	start_ok(&pg);
	assert_int_equal(pg.created, 1);
	assert_int_equal(pg.port, 5432);
	assert_int_equal(stat(pg.socket_dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);

	conn = connect_as("tcard_app");
	assert_query_value(conn, "SELECT 1", "1");
	assert_query_value(conn, "SELECT count(*) FROM pg_collation WHERE collname = 'zh-x-icu'",
	                   "1");
	assert_query_value(conn, "SHOW server_encoding", "UTF8");
	assert_query_value(conn, "SHOW listen_addresses", "");
	assert_query_value(conn, "SHOW synchronous_commit", "on");
	assert_query_value(conn, "SHOW TimeZone", "Asia/Shanghai");
	assert_query_value(conn, "SHOW log_error_verbosity", "terse");
	assert_query_value(conn, "SELECT current_database()", "tcard");
	assert_query_value(conn,
	                   "SELECT rolsuper OR rolbypassrls OR rolcreatedb OR rolcreaterole "
	                   "FROM pg_roles WHERE rolname = current_user",
	                   "f");
	assert_query_value(conn,
	                   "SELECT pg_get_userbyid(datdba) FROM pg_database "
	                   "WHERE datname = current_database()",
	                   "tcard_owner");
	/* a rejected value that an ERROR message would quote */
	result = PQexecParams(conn, "SELECT $1::int", 1, NULL, params, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(result), PGRES_FATAL_ERROR);
	PQclear(result);
	PQfinish(conn);

	/* something to find again after restarts and crashes */
	conn = connect_as("tcard_owner");
	exec_ok(conn, "CREATE TABLE public.pgembed_marker (id int PRIMARY KEY)");
	exec_ok(conn, "INSERT INTO public.pgembed_marker VALUES (1)");
	exec_ok(conn, "GRANT SELECT ON public.pgembed_marker TO tcard_app");
	PQfinish(conn);

	tcp = PQconnectdb("host=127.0.0.1 port=5432 dbname=tcard user=tcard_app "
	                  "connect_timeout=2");
	assert_int_not_equal(PQstatus(tcp), CONNECTION_OK);
	PQfinish(tcp);

	pgembed_stop(&pg);
	assert_int_equal(pg.started_by_us, 0);
	pgembed_stop(&pg); /* twice is fine */
}

static void test_server_log_holds_no_seeded_national_id(void **state)
{
	(void)state;
	assert_true(tree_contains(pg.log_dir, "ready to accept connections")); /* it searches */
	assert_false(tree_contains(pg.log_dir, SEEDED_NATIONAL_ID));
}

static void test_second_start_reuses_cluster(void **state)
{
	char path[4200];

	(void)state;
	assert_restart_keeps_data();
	pgembed_stop(&pg);
	pid_file_path(path, sizeof(path));
	assert_int_equal(access(path, F_OK), -1);
}

static void test_postmaster_of_crashed_tcardd_is_adopted(void **state)
{
	struct pgembed again;
	long pid;

	(void)state;
	start_ok(&pg);
	pid = postmaster_pid();
	/* tcardd dies without pgembed_stop; the next tcardd finds the server running */
	start_ok(&again);
	assert_int_equal(again.created, 0);
	assert_int_equal(postmaster_pid(), pid);
	pgembed_stop(&again);
	assert_process_exits(pid);
	pg.started_by_us = 0;
}

static void test_failed_start_reports_server_log(void **state)
{
	struct pgembed broken;
	struct err err = {""};
	char path[4200];
	struct stat st;
	FILE *file;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/postgresql.conf", pg.data_dir);
	assert_int_equal(stat(path, &st), 0);
	file = fopen(path, "a");
	assert_non_null(file);
	assert_true(fputs("shared_buffers = 'plenty'\n", file) >= 0);
	assert_int_equal(fclose(file), 0);

	assert_int_equal(pgembed_start(&broken, data_dir, &err), -1);
	assert_int_equal(broken.started_by_us, 0);
	assert_non_null(strstr(err.message, "could not start database server"));
	assert_non_null(strstr(err.message, "shared_buffers"));
	assert_int_equal(truncate(path, st.st_size), 0);
}

static void test_killed_postmaster_is_restarted(void **state)
{
	(void)state;
	start_ok(&pg);
	kill_postmaster(); /* postmaster.pid now names a dead (or zombie) process */
	assert_restart_keeps_data();
}

static void test_stale_pid_file_naming_exited_process_is_removed(void **state)
{
	(void)state;
	kill_postmaster();
	write_pid_file(dead_pid());
	assert_restart_keeps_data();
}

static void test_stale_pid_file_naming_unrelated_live_process_is_removed(void **state)
{
	(void)state;
	kill_postmaster();
	write_pid_file((long)getppid());
	assert_restart_keeps_data();
	kill_postmaster();
	write_pid_file(1);
	assert_restart_keeps_data();
	pgembed_stop(&pg);
	/* every child was reaped: no zombies of ours */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_missing_binaries_name_the_debian_package),
	        cmocka_unit_test(test_overlong_socket_path_is_refused),
	        cmocka_unit_test(test_conninfo_names_socket_database_and_role),
	        cmocka_unit_test(test_first_start_creates_cluster_roles_and_database),
	        cmocka_unit_test(test_server_log_holds_no_seeded_national_id),
	        cmocka_unit_test(test_second_start_reuses_cluster),
	        cmocka_unit_test(test_postmaster_of_crashed_tcardd_is_adopted),
	        cmocka_unit_test(test_failed_start_reports_server_log),
	        cmocka_unit_test(test_killed_postmaster_is_restarted),
	        cmocka_unit_test(test_stale_pid_file_naming_exited_process_is_removed),
	        cmocka_unit_test(test_stale_pid_file_naming_unrelated_live_process_is_removed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
