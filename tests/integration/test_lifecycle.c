/* test_lifecycle.c — tcardd's process contract (server/main.c, pgembed.c,
 * migrate.c, db.c): exit codes and messages for bad usage, --help and
 * --version, creating and reusing the embedded cluster, clean shutdown on
 * SIGTERM/SIGINT with a request in flight, recovery after kill -9, surviving
 * a database restart underneath, migration checksums, and an external
 * database given by --db or TCARD_DB. Most tests share one data directory,
 * made by the first start; the migration test has its own. */
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char shared_dir[512]; /* the embedded cluster most tests reuse */
static char scratch[] = "/tmp/tcard-lifecycle-XXXXXX";

/* ---- helpers ---- */

static long long now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
}

/* Starts tcardd on the shared data directory, creating it on first use. */
static void start_shared(struct tcardd_proc *proc, const char *const *extra)
{
	memset(proc, 0, sizeof(*proc));
	if (shared_dir[0] == '\0') {
		tcardd_start(proc, NULL, extra);
		(void)snprintf(shared_dir, sizeof(shared_dir), "%s", proc->data_dir);
		return;
	}
	tcardd_start(proc, shared_dir, extra);
}

/* Runs tcardd with stdout and stderr in separate files; returns its exit status. */
static int run_split(const char *const *args, const char *out_path, const char *err_path)
{
	const char *argv[32];
	int status, n = 0, fd;
	pid_t pid;

	argv[n++] = TCARDD_PATH;
	while (*args != NULL && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(126);
		fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The whole of a small text file (caller frees); "" when it is missing. */
static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t size = 0;

	if (f == NULL || getdelim(&text, &size, '\0', f) < 0) {
		free(text);
		text = strdup("");
	}
	if (f != NULL)
		(void)fclose(f);
	assert_non_null(text);
	return text;
}

static void write_text(const char *path, const char *mode, const char *text)
{
	FILE *f = fopen(path, mode);

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int count_occurrences(const char *path, const char *needle)
{
	char *text = read_text(path);
	const char *at;
	int count = 0;

	for (at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle))
		count++;
	free(text);
	return count;
}

static int path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* PGDATA of a tcardd data directory (pgembed.h: <data_dir>/pg/data). */
static void pgdata_of(const char *data_dir, char *out, size_t size)
{
	assert_true((size_t)snprintf(out, size, "%s/pg/data", data_dir) < size);
}

/* The postmaster's PID from postmaster.pid, or 0 when the file is absent. */
static long postmaster_pid(const char *data_dir)
{
	char path[700], *text;
	long pid;

	assert_true((size_t)snprintf(path, sizeof(path), "%s/pg/data/postmaster.pid", data_dir) <
	            sizeof(path));
	if (!path_exists(path))
		return 0;
	text = read_text(path);
	pid = strtol(text, NULL, 10);
	free(text);
	return pid;
}

/* 1 while pid runs (a zombie, which nobody here may reap, counts as gone). */
static int process_alive(long pid)
{
	char path[64], *stat_text;
	const char *state;
	int alive;

	if (pid <= 0 || kill((pid_t)pid, 0) != 0)
		return 0;
	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	stat_text = read_text(path);
	state = strrchr(stat_text, ')');
	alive = state != NULL && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
	free(stat_text);
	return alive;
}

static int wait_gone(long pid, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	while (process_alive(pid)) {
		if (now_ms() >= deadline)
			return 0;
		sleep_ms(50);
	}
	return 1;
}

/* Processes whose working directory is the cluster's PGDATA: the postmaster
 * and its backends. */
static int cluster_processes(const char *data_dir)
{
	char pgdata[700], path[300], link[1024];
	const struct dirent *entry;
	int count = 0;
	ssize_t n;
	DIR *proc = opendir("/proc");

	pgdata_of(data_dir, pgdata, sizeof(pgdata));
	assert_non_null(proc);
	while ((entry = readdir(proc)) != NULL) {
		if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
			continue;
		(void)snprintf(path, sizeof(path), "/proc/%s/cwd", entry->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, pgdata) == 0 && process_alive(strtol(entry->d_name, NULL, 10)))
			count++;
	}
	(void)closedir(proc);
	return count;
}

/* Asserts the embedded cluster of data_dir is down: no postmaster.pid, no process. */
static void assert_cluster_stopped(const char *data_dir, long old_postmaster)
{
	long long deadline = now_ms() + 5000;

	assert_int_equal(postmaster_pid(data_dir), 0);
	if (old_postmaster > 0 && !wait_gone(old_postmaster, 5000))
		fail_msg("postmaster %ld still runs", old_postmaster);
	/* The logger leaves just after the postmaster. */
	while (cluster_processes(data_dir) > 0)
		if (now_ms() >= deadline)
			fail_msg("%d processes of the cluster in %s still run",
			         cluster_processes(data_dir), data_dir);
		else
			sleep_ms(50);
}

/* Runs pg_ctl ACTION on the embedded cluster as the cluster's owner, as an
 * operator would (the configuration is in PGDATA/tcard.conf, so no -o).
 * Returns pg_ctl's exit status. */
static int pg_ctl(const char *data_dir, const char *action)
{
	const char *bindir = getenv("TCARD_PG_BINDIR");
	char program[600], pgdata[700];
	const char *argv[16];
	int n = 0, status, fd;
	pid_t pid;

	(void)snprintf(program, sizeof(program), "%s/pg_ctl",
	               bindir != NULL ? bindir : "/usr/lib/postgresql/15/bin");
	pgdata_of(data_dir, pgdata, sizeof(pgdata));
	if (geteuid() == 0) {
		argv[n++] = "/usr/sbin/runuser";
		argv[n++] = "-u";
		argv[n++] = "postgres";
		argv[n++] = "--";
	}
	argv[n++] = program;
	argv[n++] = "-D";
	argv[n++] = pgdata;
	argv[n++] = "-m";
	argv[n++] = "fast";
	argv[n++] = "-w";
	argv[n++] = "-t";
	argv[n++] = "60";
	argv[n++] = action;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The server started here must not hold the test's output open. */
		fd = open("/dev/null", O_RDWR);
		if (fd < 0 || dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
		    dup2(fd, STDERR_FILENO) < 0 || chdir("/") != 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Calls method path and asserts status, within limit_ms (no hung request). */
static void assert_status_fast(struct tcardd_proc *proc, const char *method, const char *path,
                               const char *body, long status, long long limit_ms)
{
	struct http_result r;
	long long started = now_ms(), took;

	http_call(proc, &r, method, path, NULL, body);
	took = now_ms() - started;
	if (r.status != status)
		fail_msg("%s %s: expected %ld, got %ld: %s", method, path, status, r.status,
		         r.body != NULL ? r.body : "");
	if (took > limit_ms)
		fail_msg("%s %s took %lld ms", method, path, took);
	if (status >= 400) {
		assert_problem(&r, status, NULL, NULL);
		if (status == 503)
			assert_string_equal(json_string_value(json_object_get(r.json, "type")),
			                    "urn:tcard:problem:unavailable");
	}
	http_result_clear(&r);
}

/* GET path from a server as JSON (new reference). */
static json_t *get_json(struct tcardd_proc *proc, const char *path)
{
	struct http_result r;
	json_t *doc;

	http_call(proc, &r, "GET", path, NULL, NULL);
	if (r.status != 200)
		fail_msg("GET %s: %ld %s", path, r.status, r.body != NULL ? r.body : "");
	doc = json_incref(r.json);
	http_result_clear(&r);
	return doc;
}

/* Copies a file byte for byte (a key is binary: it may hold NUL bytes). */
static void copy_file(const char *from, const char *to, mode_t mode)
{
	char bytes[4096];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_EXCL, mode);
	ssize_t n;

	assert_true(in >= 0);
	assert_true(out >= 0);
	while ((n = read(in, bytes, sizeof(bytes))) > 0)
		assert_int_equal(write(out, bytes, (size_t)n), n);
	assert_int_equal(n, 0);
	assert_int_equal(close(in), 0);
	assert_int_equal(close(out), 0);
}

/* A data directory for a tcardd on an external database, holding the same
 * PII key as the shared one (an operator copies keys/pii.key along). */
static void make_external_dir(char *out, size_t size, const char *name)
{
	char keys[700], from[700], to[800];

	assert_true((size_t)snprintf(out, size, "%s/%s", scratch, name) < size);
	assert_int_equal(mkdir(out, 0700), 0);
	(void)snprintf(keys, sizeof(keys), "%s/keys", out);
	assert_int_equal(mkdir(keys, 0700), 0);
	(void)snprintf(from, sizeof(from), "%s/keys/pii.key", shared_dir);
	(void)snprintf(to, sizeof(to), "%s/pii.key", keys);
	copy_file(from, to, 0600);
}

static void conninfo_for(const char *role, char *out, size_t size)
{
	assert_true((size_t)snprintf(out, size, "host=%s/pg/run dbname=tcard user=%s", shared_dir,
	                             role) < size);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	(void)state;
	if (mkdtemp(scratch) == NULL || chmod(scratch, 0755) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	struct tcardd_proc shared;

	(void)state;
	if (shared_dir[0] != '\0') {
		memset(&shared, 0, sizeof(shared));
		(void)snprintf(shared.data_dir, sizeof(shared.data_dir), "%s", shared_dir);
		tcardd_cleanup(&shared);
	}
	if (getenv("TCARD_TEST_KEEP") == NULL)
		(void)nftw(scratch, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* ---- usage ---- */

static void test_bad_flags_exit_64_with_a_message_on_stderr(void **state)
{
	static const struct {
		const char *flag, *value, *message, *quoted;
	} cases[] = {
	        {"--bogus", NULL, "unknown option --bogus", NULL},
	        {"--workers", "0", "--workers must be a number from 1 to 256", "\"0\""},
	        {"--workers", "abc", "--workers must be a number from 1 to 256", "\"abc\""},
	        {"--workers", "-3", "--workers must be a number", "\"-3\""},
	        {"--listen", "nonsense", "--listen must be HOST:PORT", "\"nonsense\""},
	        {"--listen", "localhost:8080", "--listen must be HOST:PORT", "\"localhost:8080\""},
	        {"--listen", "127.0.0.1:70000", "--listen must be HOST:PORT",
	         "\"127.0.0.1:70000\""},
	        {"--idle-timeout", "0", "--idle-timeout must be 1 to 3600 seconds", "\"0\""},
	        {"--max-body", "1G", "--max-body must be 1K to 64M", "\"1G\""},
	        {"stray", NULL, "unexpected argument \"stray\"", NULL},
	        {"--workers", NULL, "option --workers needs a value", NULL},
	};
	char data_dir[600], out[600], err[600];
	size_t i;

	(void)state;
	(void)snprintf(data_dir, sizeof(data_dir), "%s/never-made", scratch);
	(void)snprintf(out, sizeof(out), "%s/usage.out", scratch);
	(void)snprintf(err, sizeof(err), "%s/usage.err", scratch);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[] = {"--data-dir",  data_dir,       "--no-demo",
		                      cases[i].flag, cases[i].value, NULL};
		char *text;
		int rc = run_split(args, out, err);

		text = read_text(err);
		if (rc != 64 || strstr(text, cases[i].message) == NULL ||
		    (cases[i].quoted != NULL && strstr(text, cases[i].quoted) == NULL))
			fail_msg("%s %s: exit %d, stderr: %s", cases[i].flag,
			         cases[i].value ? cases[i].value : "", rc, text);
		assert_non_null(strstr(text, "Try 'tcardd --help'"));
		free(text);
		text = read_text(out);
		assert_string_equal(text, "");
		free(text);
		/* Refused before any side effect: no data directory, no cluster. */
		assert_false(path_exists(data_dir));
	}
	/* tcardd_run gives the same status. */
	{
		const char *args[] = {"--workers", "abc", NULL};

		(void)snprintf(out, sizeof(out), "%s/usage-run.log", scratch);
		assert_int_equal(tcardd_run(args, out), 64);
		assert_true(test_file_contains(out, "--workers must be a number"));
	}
}

static void test_help_exits_0_with_usage_on_stdout(void **state)
{
	static const char *const flags[] = {"--help", "-h"};
	char out[600], err[600];
	size_t i;

	(void)state;
	(void)snprintf(out, sizeof(out), "%s/help.out", scratch);
	(void)snprintf(err, sizeof(err), "%s/help.err", scratch);
	for (i = 0; i < 2; i++) {
		const char *args[] = {flags[i], NULL};
		char *text;

		assert_int_equal(run_split(args, out, err), 0);
		text = read_text(out);
		assert_true(strncmp(text, "Usage: tcardd [OPTION]...\n", 26) == 0);
		assert_non_null(strstr(text, "--max-per-address"));
		assert_non_null(strstr(text, "--idle-timeout"));
		assert_non_null(strstr(text, "TCARD_DB"));
		assert_non_null(strstr(text, "64 on bad usage"));
		free(text);
		text = read_text(err);
		assert_string_equal(text, "");
		free(text);
	}
}

static void test_version_exits_0_and_prints_the_version(void **state)
{
	static const char *const flags[] = {"--version", "-V"};
	char out[600], err[600];
	size_t i;

	(void)state;
	(void)snprintf(out, sizeof(out), "%s/version.out", scratch);
	(void)snprintf(err, sizeof(err), "%s/version.err", scratch);
	for (i = 0; i < 2; i++) {
		const char *args[] = {flags[i], NULL};
		char *text;

		assert_int_equal(run_split(args, out, err), 0);
		text = read_text(out);
		assert_string_equal(text, "tcardd " TCARD_VERSION "\n");
		free(text);
	}
}

/* ---- start, stop, crash ---- */

static void test_first_start_creates_the_cluster_and_the_next_reuses_it(void **state)
{
	struct tcardd_proc proc;
	char path[700];
	long long org_id;
	long postmaster;
	json_t *org;

	(void)state;
	start_shared(&proc, NULL);
	assert_true(test_file_contains(proc.log_path, "created=1"));
	assert_true((size_t)snprintf(path, sizeof(path), "%s/pg/data/PG_VERSION", proc.data_dir) <
	            sizeof(path));
	assert_true(path_exists(path));
	postmaster = postmaster_pid(proc.data_dir);
	assert_true(process_alive(postmaster));
	org_id = test_create_org(&proc, "LIFE-FIRST", "首次启动局", "province", 0);
	assert_int_equal(tcardd_stop(&proc), 0);
	assert_cluster_stopped(shared_dir, postmaster);

	start_shared(&proc, NULL);
	assert_int_equal(count_occurrences(proc.log_path, "created=1"), 1);
	assert_true(test_file_contains(proc.log_path, "created=0"));
	assert_true(test_file_contains(proc.log_path, "migrations_applied=0"));
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld", org_id);
	org = get_json(&proc, path);
	assert_string_equal(json_string_value(json_object_get(org, "code")), "LIFE-FIRST");
	json_decref(org);
	assert_int_equal(tcardd_stop(&proc), 0);
}

static void test_sigterm_and_sigint_exit_0_and_stop_the_embedded_cluster(void **state)
{
	static const int signals[] = {SIGTERM, SIGINT};
	struct tcardd_proc proc;
	long postmaster;
	int status;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		start_shared(&proc, NULL);
		postmaster = postmaster_pid(proc.data_dir);
		assert_true(process_alive(postmaster));
		assert_true(cluster_processes(proc.data_dir) > 1);
		assert_int_equal(kill(proc.pid, signals[i]), 0);
		assert_int_equal(waitpid(proc.pid, &status, 0), proc.pid);
		proc.pid = 0;
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		assert_cluster_stopped(proc.data_dir, postmaster);
		assert_true(
		        test_file_contains(proc.log_path, i == 0 ? "event=stopping signal=SIGTERM"
		                                                 : "event=stopping signal=SIGINT"));
	}
	assert_true(test_file_contains(proc.log_path, "event=stopped status=0"));
}

static void test_request_in_flight_at_sigterm_completes(void **state)
{
	static const char head_form[] = "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\n"
	                                "Authorization: Bearer %s\r\n"
	                                "Content-Type: application/json\r\n"
	                                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
	static const char body[] = "{\"code\":\"LIFE-INFLIGHT\",\"name\":\"在途请求局\","
	                           "\"kind\":\"province\"}";
	struct tcardd_proc proc;
	char chunk[256], path[64], head[512], *reply;
	long long org_id;
	int fd, late, status;
	json_t *doc;

	(void)state;
	start_shared(&proc, NULL);
	(void)snprintf(head, sizeof(head), head_form, proc.admin.bearer);
	fd = test_tcp_connect(proc.port);
	assert_true(fd >= 0);
	/* Headers and the first half of the body, then the signal. */
	(void)snprintf(chunk, sizeof(chunk), "%zx\r\n%.*s\r\n", strlen(body) / 2,
	               (int)(strlen(body) / 2), body);
	assert_int_equal(test_tcp_send(fd, head, strlen(head)), 0);
	assert_int_equal(test_tcp_send(fd, chunk, strlen(chunk)), 0);
	sleep_ms(300);
	assert_int_equal(kill(proc.pid, SIGTERM), 0);
	sleep_ms(300);
	/* Stopping: no new connections are accepted… */
	late = test_tcp_connect(proc.port);
	if (late >= 0) {
		(void)close(late);
		fail_msg("tcardd accepted a connection after SIGTERM");
	}
	assert_int_equal(waitpid(proc.pid, &status, WNOHANG), 0);
	/* …but the one in flight is finished. */
	(void)snprintf(chunk, sizeof(chunk), "%zx\r\n%s\r\n0\r\n\r\n",
	               strlen(body) - strlen(body) / 2, body + strlen(body) / 2);
	assert_int_equal(test_tcp_send(fd, chunk, strlen(chunk)), 0);
	reply = test_tcp_read_all(fd, 5000, NULL);
	(void)close(fd);
	if (test_raw_status(reply) != 201)
		fail_msg("the request in flight got: %s", reply);
	doc = json_loads(test_raw_body(reply), 0, NULL);
	assert_non_null(doc);
	org_id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	free(reply);
	assert_int_equal(waitpid(proc.pid, &status, 0), proc.pid);
	proc.pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* It was committed, not just answered. */
	start_shared(&proc, NULL);
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld", org_id);
	doc = get_json(&proc, path);
	assert_string_equal(json_string_value(json_object_get(doc, "code")), "LIFE-INFLIGHT");
	json_decref(doc);
	assert_int_equal(tcardd_stop(&proc), 0);
}

static void test_stalled_request_does_not_hold_shutdown_past_the_grace(void **state)
{
	static const char head_form[] = "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\n"
	                                "Authorization: Bearer %s\r\n"
	                                "Content-Type: application/json\r\n"
	                                "Transfer-Encoding: chunked\r\n\r\n3\r\n{\"c\r\n";
	char head[512];
	const char *extra[] = {"--idle-timeout", "60", NULL};
	struct tcardd_proc proc;
	long long started, took;
	long postmaster;
	int fd, status;

	(void)state;
	start_shared(&proc, extra);
	(void)snprintf(head, sizeof(head), head_form, proc.admin.bearer);
	postmaster = postmaster_pid(proc.data_dir);
	fd = test_tcp_connect(proc.port);
	assert_true(fd >= 0);
	assert_int_equal(test_tcp_send(fd, head, strlen(head)), 0);
	sleep_ms(300);
	started = now_ms();
	assert_int_equal(kill(proc.pid, SIGTERM), 0);
	assert_int_equal(waitpid(proc.pid, &status, 0), proc.pid);
	took = now_ms() - started;
	proc.pid = 0;
	(void)close(fd);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* main.c waits SHUTDOWN_GRACE_MS (10 s) for requests in flight, no longer. */
	if (took < 9000 || took > 20000)
		fail_msg("shutdown with a stalled upload took %lld ms", took);
	assert_cluster_stopped(proc.data_dir, postmaster);
}

static void test_a_second_tcardd_on_the_same_data_dir_is_refused(void **state)
{
	struct tcardd_proc proc;
	char log_path[600], listen[] = "127.0.0.1:0", message[128];
	const char *args[] = {"--data-dir", shared_dir, "--listen", listen, "--no-demo", NULL};
	long postmaster;

	(void)state;
	start_shared(&proc, NULL);
	postmaster = postmaster_pid(proc.data_dir);
	(void)snprintf(log_path, sizeof(log_path), "%s/second.log", scratch);
	assert_int_equal(tcardd_run(args, log_path), 1);
	(void)snprintf(message, sizeof(message), "another tcardd (pid %ld) is running on",
	               (long)proc.pid);
	if (!test_file_contains(log_path, message))
		fail_msg("no \"%s\" in %s", message, log_path);
	/* The first one, and its database, did not notice. */
	assert_int_equal(postmaster_pid(proc.data_dir), postmaster);
	assert_status_fast(&proc, "GET", "/api/v1/orgs", NULL, 200, 2000);
	assert_int_equal(tcardd_stop(&proc), 0);
}

static void test_sigkill_leaves_the_cluster_running_and_the_next_start_adopts_it(void **state)
{
	struct tcardd_proc proc;
	long postmaster;
	long long org_id;
	char path[64];
	json_t *org;

	(void)state;
	start_shared(&proc, NULL);
	org_id = test_create_org(&proc, "LIFE-KILLED", "强杀恢复局", "province", 0);
	postmaster = postmaster_pid(proc.data_dir);
	assert_int_equal(kill(proc.pid, SIGKILL), 0);
	assert_int_equal(waitpid(proc.pid, NULL, 0), proc.pid);
	proc.pid = 0;
	/* Nobody stopped the cluster. */
	assert_true(process_alive(postmaster));

	start_shared(&proc, NULL);
	assert_int_equal(postmaster_pid(proc.data_dir), postmaster); /* adopted, not restarted */
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld", org_id);
	org = get_json(&proc, path);
	assert_string_equal(json_string_value(json_object_get(org, "code")), "LIFE-KILLED");
	json_decref(org);
	/* The adopted cluster is stopped with tcardd. */
	assert_int_equal(tcardd_stop(&proc), 0);
	assert_cluster_stopped(proc.data_dir, postmaster);
}

static void test_next_start_works_after_tcardd_and_postmaster_were_killed(void **state)
{
	struct tcardd_proc proc;
	long postmaster;
	json_t *orgs;

	(void)state;
	start_shared(&proc, NULL);
	postmaster = postmaster_pid(proc.data_dir);
	assert_int_equal(kill(proc.pid, SIGKILL), 0);
	assert_int_equal(waitpid(proc.pid, NULL, 0), proc.pid);
	proc.pid = 0;
	assert_int_equal(kill((pid_t)postmaster, SIGKILL), 0);
	assert_true(wait_gone(postmaster, 5000));
	/* A stale postmaster.pid is left behind. */
	assert_int_equal(postmaster_pid(proc.data_dir), postmaster);

	start_shared(&proc, NULL);
	assert_true(postmaster_pid(proc.data_dir) != postmaster);
	assert_true(process_alive(postmaster_pid(proc.data_dir)));
	orgs = get_json(&proc, "/api/v1/orgs");
	assert_true(json_array_size(json_object_get(orgs, "items")) >= 2);
	json_decref(orgs);
	postmaster = postmaster_pid(proc.data_dir);
	assert_int_equal(tcardd_stop(&proc), 0);
	assert_cluster_stopped(proc.data_dir, postmaster);
}

/* ---- the database restarts underneath ---- */

static void test_database_restart_underneath_is_survived_by_every_worker(void **state)
{
	const char *extra[] = {"--workers", "4", NULL};
	struct tcardd_proc proc;
	long long started = 0;
	struct http_result r;
	long postmaster;
	int i;

	(void)state;
	start_shared(&proc, extra);
	/* Give every worker its connection. */
	for (i = 0; i < 16; i++)
		assert_status_fast(&proc, "GET", i % 2 ? "/api/v1/orgs" : "/readyz", NULL, 200,
		                   2000);

	/* A restart while tcardd idles: every worker's connection is now dead.
	 * The first request on each must reconnect, not fail: /readyz first. */
	assert_int_equal(pg_ctl(proc.data_dir, "restart"), 0);
	for (i = 0; i < 16; i++)
		assert_status_fast(&proc, "GET", "/readyz", NULL, 200, 2000);
	assert_int_equal(pg_ctl(proc.data_dir, "restart"), 0);
	for (i = 0; i < 16; i++)
		assert_status_fast(&proc, "GET", "/api/v1/orgs", NULL, 200, 2000);

	/* Down: 503 problem+json at once, never a hang; the process stays healthy. */
	assert_int_equal(pg_ctl(proc.data_dir, "stop"), 0);
	for (i = 0; i < 8; i++) {
		assert_status_fast(&proc, "GET", "/readyz", NULL, 503, 2000);
		assert_status_fast(&proc, "GET", "/api/v1/orgs", NULL, 503, 2000);
		assert_status_fast(&proc, "POST", "/api/v1/orgs",
		                   "{\"code\":\"LIFE-DOWN\",\"name\":\"停机局\",\"kind\":\"city\"}",
		                   503, 2000);
		assert_status_fast(&proc, "GET", "/healthz", NULL, 200, 2000);
	}

	/* Up again (as pgembed would start it: options in PGDATA/tcard.conf). */
	assert_int_equal(pg_ctl(proc.data_dir, "start"), 0);
	started = now_ms();
	for (;;) {
		http_call(&proc, &r, "GET", "/api/v1/orgs", NULL, NULL);
		i = (int)r.status;
		http_result_clear(&r);
		if (i == 200)
			break;
		assert_int_equal(i, 503);
		if (now_ms() - started > 2500)
			fail_msg("no success within 2.5 s of the database accepting connections");
		sleep_ms(50);
	}
	/* A worker that failed while the database was down waits out its back-off
	 * (at most 1 s, db.c) before it tries again; after that every one serves. */
	while (now_ms() - started < 1200)
		sleep_ms(50);
	for (i = 0; i < 16; i++) {
		assert_status_fast(&proc, "GET", "/readyz", NULL, 200, 2000);
		assert_status_fast(&proc, "GET", "/api/v1/orgs", NULL, 200, 2000);
	}
	/* Writes work again, and the one refused while down left nothing. */
	(void)test_create_org(&proc, "LIFE-UP", "恢复局", "city", 0);
	http_call(&proc, &r, "GET", "/api/v1/orgs", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "LIFE-DOWN"));
	assert_non_null(strstr(r.body, "LIFE-UP"));
	http_result_clear(&r);
	/* tcardd stops the cluster even though pg_ctl started this postmaster. */
	postmaster = postmaster_pid(proc.data_dir);
	assert_int_equal(tcardd_stop(&proc), 0);
	assert_cluster_stopped(proc.data_dir, postmaster);
}

/* ---- migrations ---- */

/* Copies *.sql of the schema directory into dir; returns the highest number
 * and the name of the first migration in first. */
static int copy_schema(const char *dir, char *first, size_t first_size)
{
	const struct dirent *entry;
	char from[1024], to[1024];
	int highest = 0;
	DIR *schema = opendir(TCARD_SCHEMA_DIR);
	size_t len;

	assert_non_null(schema);
	first[0] = '\0';
	while ((entry = readdir(schema)) != NULL) {
		len = strlen(entry->d_name);
		if (len < 5 || strcmp(entry->d_name + len - 4, ".sql") != 0)
			continue;
		(void)snprintf(from, sizeof(from), "%s/%s", TCARD_SCHEMA_DIR, entry->d_name);
		(void)snprintf(to, sizeof(to), "%s/%s", dir, entry->d_name);
		copy_file(from, to, 0644);
		if (atoi(entry->d_name) > highest)
			highest = atoi(entry->d_name);
		if (atoi(entry->d_name) == 1)
			(void)snprintf(first, first_size, "%s", entry->d_name);
	}
	(void)closedir(schema);
	assert_true(first[0] != '\0');
	return highest;
}

static void sha256_hex(const char *text, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	assert_true(sodium_init() >= 0);
	crypto_hash_sha256(digest, (const unsigned char *)text, strlen(text));
	(void)sodium_bin2hex(out, 65, digest, sizeof(digest));
}

static void test_changed_migration_refuses_start_and_a_new_one_is_applied_once(void **state)
{
	static const char probe_sql[] = "-- a migration added by test_lifecycle\n"
	                                "CREATE TABLE lifecycle_probe (id integer PRIMARY KEY);\n"
	                                "INSERT INTO lifecycle_probe VALUES (42);\n";
	char schema[600], first[256], first_path[900], probe[64], probe_path[900];
	char run_log[600], sql[256], sha[65], listen[] = "127.0.0.1:0";
	const char *extra[] = {"--schema-dir", schema, NULL};
	struct tcardd_proc proc;
	char *original;
	int next;
	PGconn *db;

	(void)state;
	(void)snprintf(schema, sizeof(schema), "%s/schema", scratch);
	assert_int_equal(mkdir(schema, 0755), 0);
	next = copy_schema(schema, first, sizeof(first)) + 1;
	(void)snprintf(first_path, sizeof(first_path), "%s/%s", schema, first);
	(void)snprintf(probe, sizeof(probe), "%03d_lifecycle_probe.sql", next);
	(void)snprintf(probe_path, sizeof(probe_path), "%s/%s", schema, probe);
	(void)snprintf(run_log, sizeof(run_log), "%s/migrate-run.log", scratch);

	memset(&proc, 0, sizeof(proc));
	tcardd_start(&proc, NULL, extra);
	assert_int_equal(tcardd_stop(&proc), 0);

	/* An applied migration edited afterwards: refuse to start, name the file. */
	original = read_text(first_path);
	write_text(first_path, "a", "-- an edit after the fact\n");
	{
		const char *args[] = {"--data-dir", proc.data_dir,  "--listen", listen,
		                      "--no-demo",  "--schema-dir", schema,     NULL};
		char message[400];

		assert_int_equal(tcardd_run(args, run_log), 1);
		(void)snprintf(message, sizeof(message),
		               "migration %s was changed after it was applied", first);
		if (!test_file_contains(run_log, message))
			fail_msg("no \"%s\" in %s", message, run_log);
		assert_true(test_file_contains(run_log, "event=startup_failed"));
		/* The failed start left no cluster running. */
		assert_cluster_stopped(proc.data_dir, 0);
	}
	write_text(first_path, "w", original);
	free(original);

	/* A new migration is applied on the next start and recorded with its checksum. */
	write_text(probe_path, "w", probe_sql);
	tcardd_start(&proc, proc.data_dir, extra);
	db = test_db(&proc);
	sha256_hex(probe_sql, sha);
	(void)snprintf(sql, sizeof(sql),
	               "SELECT count(*) FROM schema_migration WHERE version = %d AND name = '%s' "
	               "AND sha256 = '%s'",
	               next, probe, sha);
	assert_int_equal(test_db_count(db, sql), 1);
	assert_int_equal(test_db_count(db, "SELECT id FROM lifecycle_probe"), 42);
	PQfinish(db);
	assert_int_equal(tcardd_stop(&proc), 0);

	/* …and only once. */
	tcardd_start(&proc, proc.data_dir, extra);
	assert_int_equal(tcardd_stop(&proc), 0);
	(void)snprintf(sql, sizeof(sql), "event=migration_applied name=%s", probe);
	assert_int_equal(count_occurrences(proc.log_path, sql), 1);

	/* A recorded migration missing from the directory: refuse (an older tcardd). */
	assert_int_equal(unlink(probe_path), 0);
	{
		const char *args[] = {"--data-dir", proc.data_dir,  "--listen", listen,
		                      "--no-demo",  "--schema-dir", schema,     NULL};
		char message[400];

		assert_int_equal(tcardd_run(args, run_log), 1);
		(void)snprintf(message, sizeof(message), "the database has migration %s", probe);
		assert_true(test_file_contains(run_log, message));
		assert_cluster_stopped(proc.data_dir, 0);
	}
	tcardd_cleanup(&proc);
}

/* ---- an external database ---- */

static void test_external_database_by_flag_serves_the_same_data(void **state)
{
	struct tcardd_proc primary, secondary;
	char dir[600], app[700], owner[700], path[700];
	const char *extra[] = {"--db", app, "--db-owner", owner, NULL};
	long long org_id, officer_id, other_id;
	long postmaster;
	json_t *a, *b;

	(void)state;
	start_shared(&primary, NULL);
	postmaster = postmaster_pid(primary.data_dir);
	org_id = test_create_org(&primary, "LIFE-EXT", "外部库局", "province", 0);
	officer_id = test_create_officer(&primary, 4242, "外部库", org_id);

	make_external_dir(dir, sizeof(dir), "external-flag");
	conninfo_for("tcard_app", app, sizeof(app));
	conninfo_for("tcard_owner", owner, sizeof(owner));
	memset(&secondary, 0, sizeof(secondary));
	tcardd_start(&secondary, dir, extra);
	secondary.admin = primary.admin; /* one database: the same accounts */
	/* No embedded cluster of its own. */
	assert_false(test_file_contains(secondary.log_path, "embedded_database"));
	(void)snprintf(path, sizeof(path), "%s/pg", dir);
	assert_false(path_exists(path));

	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld", org_id);
	a = get_json(&primary, path);
	b = get_json(&secondary, path);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", officer_id);
	a = get_json(&primary, path);
	b = get_json(&secondary, path);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	/* Writes through either are seen by the other. */
	other_id = test_create_org(&secondary, "LIFE-EXT2", "外部库二局", "city", org_id);
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld", other_id);
	a = get_json(&primary, path);
	assert_string_equal(json_string_value(json_object_get(a, "code")), "LIFE-EXT2");
	json_decref(a);

	/* Stopping it leaves the cluster it does not own alone. */
	assert_int_equal(tcardd_stop(&secondary), 0);
	assert_int_equal(postmaster_pid(primary.data_dir), postmaster);
	assert_status_fast(&primary, "GET", "/readyz", NULL, 200, 2000);
	assert_int_equal(tcardd_stop(&primary), 0);
}

static void test_tcard_db_environment_is_honoured_and_the_flag_wins(void **state)
{
	struct tcardd_proc primary, secondary;
	char dir[600], app[700], owner[700];
	const char *owner_only[] = {"--db-owner", owner, NULL};
	const char *both[] = {"--db", app, "--db-owner", owner, NULL};
	json_t *a, *b;

	(void)state;
	start_shared(&primary, NULL);
	conninfo_for("tcard_app", app, sizeof(app));
	conninfo_for("tcard_owner", owner, sizeof(owner));

	make_external_dir(dir, sizeof(dir), "external-env");
	assert_int_equal(setenv("TCARD_DB", app, 1), 0);
	memset(&secondary, 0, sizeof(secondary));
	tcardd_start(&secondary, dir, owner_only);
	secondary.admin = primary.admin;
	assert_int_equal(unsetenv("TCARD_DB"), 0);
	assert_false(test_file_contains(secondary.log_path, "embedded_database"));
	a = get_json(&primary, "/api/v1/orgs");
	b = get_json(&secondary, "/api/v1/orgs");
	assert_true(json_array_size(json_object_get(a, "items")) > 0);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	assert_int_equal(tcardd_stop(&secondary), 0);

	/* --db wins over an unusable TCARD_DB. */
	assert_int_equal(setenv("TCARD_DB",
	                        "host=/nonexistent dbname=tcard user=tcard_app connect_timeout=1",
	                        1),
	                 0);
	memset(&secondary, 0, sizeof(secondary));
	tcardd_start(&secondary, dir, both);
	secondary.admin = primary.admin;
	assert_int_equal(unsetenv("TCARD_DB"), 0);
	assert_int_equal(tcardd_stop(&secondary), 0);
	assert_int_equal(tcardd_stop(&primary), 0);
}

/* An operator who gives only the app role (no --db-owner) starts when every migration
 * is applied already: the app role reads schema_migration, it changes nothing. */
static void test_app_role_alone_starts_on_a_migrated_database(void **state)
{
	struct tcardd_proc primary, secondary;
	char dir[600], app[700];
	const char *app_only[] = {"--db", app, NULL};
	json_t *a, *b;

	(void)state;
	start_shared(&primary, NULL);
	conninfo_for("tcard_app", app, sizeof(app));
	make_external_dir(dir, sizeof(dir), "external-app-only");
	memset(&secondary, 0, sizeof(secondary));
	tcardd_start(&secondary, dir, app_only);
	secondary.admin = primary.admin;
	assert_true(test_file_contains(secondary.log_path, "migrations_applied=0"));
	a = get_json(&primary, "/api/v1/orgs");
	b = get_json(&secondary, "/api/v1/orgs");
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	assert_int_equal(tcardd_stop(&secondary), 0);
	assert_int_equal(tcardd_stop(&primary), 0);
}

static void test_unreachable_external_database_fails_start_with_status_1(void **state)
{
	char dir[600], log_path[700], listen[] = "127.0.0.1:0";
	const char *args[] = {
	        "--data-dir", dir,
	        "--listen",   listen,
	        "--db",       "host=/nonexistent dbname=tcard user=tcard_app connect_timeout=1",
	        NULL};

	(void)state;
	(void)snprintf(dir, sizeof(dir), "%s/unreachable", scratch);
	(void)snprintf(log_path, sizeof(log_path), "%s/unreachable.log", scratch);
	assert_int_equal(tcardd_run(args, log_path), 1);
	assert_true(test_file_contains(log_path, "event=startup_failed"));
	assert_true(test_file_contains(log_path, "cannot connect"));
	assert_false(test_file_contains(log_path, "event=listening"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bad_flags_exit_64_with_a_message_on_stderr),
	        cmocka_unit_test(test_help_exits_0_with_usage_on_stdout),
	        cmocka_unit_test(test_version_exits_0_and_prints_the_version),
	        cmocka_unit_test(test_first_start_creates_the_cluster_and_the_next_reuses_it),
	        cmocka_unit_test(test_sigterm_and_sigint_exit_0_and_stop_the_embedded_cluster),
	        cmocka_unit_test(test_a_second_tcardd_on_the_same_data_dir_is_refused),
	        cmocka_unit_test(test_request_in_flight_at_sigterm_completes),
	        cmocka_unit_test(test_stalled_request_does_not_hold_shutdown_past_the_grace),
	        cmocka_unit_test(
	                test_sigkill_leaves_the_cluster_running_and_the_next_start_adopts_it),
	        cmocka_unit_test(test_next_start_works_after_tcardd_and_postmaster_were_killed),
	        cmocka_unit_test(test_database_restart_underneath_is_survived_by_every_worker),
	        cmocka_unit_test(
	                test_changed_migration_refuses_start_and_a_new_one_is_applied_once),
	        cmocka_unit_test(test_external_database_by_flag_serves_the_same_data),
	        cmocka_unit_test(test_tcard_db_environment_is_honoured_and_the_flag_wins),
	        cmocka_unit_test(test_app_role_alone_starts_on_a_migrated_database),
	        cmocka_unit_test(test_unreachable_external_database_fails_start_with_status_1),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
