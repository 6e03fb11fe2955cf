/* testlib.c — integration-test helpers (see testlib.h). */
#include "testlib.h"

#include "rules.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned test_free_port(void)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	assert_true(fd >= 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	port = ntohs(addr.sin_port);
	(void)close(fd);
	return port;
}

/* Runs argv with stderr (the log) appended to log_path and stdout to out_path
 * (NULL: the log too). */
static pid_t test_spawn(const char *const *argv, const char *log_path, const char *out_path)
{
	pid_t pid = fork();
	int fd, out;

	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		out = out_path != NULL ? open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0600) : fd;
		if (fd >= 0 && out >= 0) {
			(void)dup2(out, STDOUT_FILENO);
			(void)dup2(fd, STDERR_FILENO);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

int tcardd_run(const char *const *args, const char *log_path)
{
	const char *argv[32];
	int status, n = 0;
	pid_t pid;

	argv[n++] = TCARDD_PATH;
	while (args != NULL && *args != NULL && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = test_spawn(argv, log_path, NULL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static size_t test_collect(char *data, size_t size, size_t n, void *cls)
{
	char **body = cls;
	size_t old = *body != NULL ? strlen(*body) : 0;
	char *grown = realloc(*body, old + size * n + 1);

	if (grown == NULL)
		return 0;
	memcpy(grown + old, data, size * n);
	grown[old + size * n] = '\0';
	*body = grown;
	return size * n;
}

static void test_copy_header(const char *line, size_t len, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name);

	if (len <= nlen + 1 || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
		return;
	line += nlen + 1;
	len -= nlen + 1;
	while (len > 0 && *line == ' ') {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	(void)snprintf(out, size, "%.*s", (int)len, line);
}

static size_t test_header(char *line, size_t size, size_t n, void *cls)
{
	struct http_result *r = cls;
	size_t len = size * n;

	test_copy_header(line, len, "Content-Type", r->content_type, sizeof(r->content_type));
	test_copy_header(line, len, "ETag", r->etag, sizeof(r->etag));
	test_copy_header(line, len, "Location", r->location, sizeof(r->location));
	test_copy_header(line, len, "X-Request-Id", r->request_id, sizeof(r->request_id));
	test_copy_header(line, len, "Allow", r->allow, sizeof(r->allow));
	test_copy_header(line, len, "Set-Cookie", r->set_cookie, sizeof(r->set_cookie));
	test_copy_header(line, len, "Retry-After", r->retry_after, sizeof(r->retry_after));
	{
		/* Kept whole, so that a second Cache-Control header shows. */
		char value[64] = "";
		size_t used = strlen(r->cache_control);

		test_copy_header(line, len, "Cache-Control", value, sizeof(value));
		if (value[0] != '\0')
			(void)snprintf(r->cache_control + used, sizeof(r->cache_control) - used,
			               "%s%s", used > 0 ? " | " : "", value);
	}
	return len;
}

void http_call(struct tcardd_proc *proc, struct http_result *out, const char *method,
               const char *path, const char *const *headers, const char *body)
{
	http_call_as(proc, &proc->admin, out, method, path, headers, body);
}

/* Adds who's credential: the token, else the cookie and, on writes, the CSRF token. */
static struct curl_slist *test_credential_headers(struct curl_slist *list,
                                                  const struct test_identity *who,
                                                  const char *method)
{
	char header[256];

	if (who == NULL)
		return list;
	if (who->bearer[0] != '\0') {
		(void)snprintf(header, sizeof(header), "Authorization: Bearer %s", who->bearer);
		return curl_slist_append(list, header);
	}
	if (who->cookie[0] == '\0')
		return list;
	(void)snprintf(header, sizeof(header), "Cookie: %s", who->cookie);
	list = curl_slist_append(list, header);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		(void)snprintf(header, sizeof(header), "X-CSRF-Token: %s", who->csrf);
		list = curl_slist_append(list, header);
	}
	return list;
}

void http_call_as(struct tcardd_proc *proc, const struct test_identity *who,
                  struct http_result *out, const char *method, const char *path,
                  const char *const *headers, const char *body)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *list = NULL;
	char url[1024];
	int has_type = 0;
	CURLcode rc;

	memset(out, 0, sizeof(*out));
	assert_non_null(curl);
	(void)snprintf(url, sizeof(url), "%s%s", proc->base_url, path);
	list = test_credential_headers(list, who, method);
	for (; headers != NULL && *headers != NULL; headers++) {
		list = curl_slist_append(list, *headers);
		if (strncasecmp(*headers, "Content-Type:", 13) == 0)
			has_type = 1;
	}
	if (body != NULL && !has_type)
		list = curl_slist_append(list, "Content-Type: application/json");
	list = curl_slist_append(list, "Expect:");
	(void)curl_easy_setopt(curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		(void)curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	if (body != NULL) {
		(void)curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		(void)curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	(void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, test_collect);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out->body);
	(void)curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, test_header);
	(void)curl_easy_setopt(curl, CURLOPT_HEADERDATA, out);
	(void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
	(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	if (out->body != NULL && (strstr(out->content_type, "json") != NULL))
		out->json = json_loads(out->body, 0, NULL);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
}

long test_download(struct tcardd_proc *proc, const struct test_identity *who, const char *path,
                   const char *file)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *list = test_credential_headers(NULL, who, "GET");
	FILE *out = fopen(file, "wb");
	char url[1024];
	long status = 0;

	assert_non_null(curl);
	assert_non_null(out);
	(void)snprintf(url, sizeof(url), "%s%s", proc->base_url, path);
	(void)curl_easy_setopt(curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	(void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(curl) != CURLE_OK)
		fail_msg("GET %s failed", path);
	(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	assert_int_equal(fclose(out), 0);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	return status;
}

void http_result_clear(struct http_result *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

void assert_problem(const struct http_result *r, long status, const char *field, const char *reason)
{
	json_t *errors, *e;
	size_t i;
	int found = 0;

	if (r->status != status)
		fail_msg("expected status %ld, got %ld: %s", status, r->status,
		         r->body != NULL ? r->body : "");
	assert_string_equal(r->content_type, "application/problem+json");
	assert_non_null(r->json);
	assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
	assert_non_null(json_string_value(json_object_get(r->json, "type")));
	assert_non_null(json_string_value(json_object_get(r->json, "title")));
	assert_non_null(strstr(json_string_value(json_object_get(r->json, "type")), "urn:tcard:"));
	if (field == NULL)
		return;
	errors = json_object_get(r->json, "errors");
	json_array_foreach(errors, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0 &&
		    (reason == NULL ||
		     strcmp(json_string_value(json_object_get(e, "reason")), reason) == 0))
			found = 1;
	}
	if (!found)
		fail_msg("no field error %s/%s in %s", field, reason ? reason : "*", r->body);
}

/* Prints the last lines of a log to stderr, for a failure's report. */
static void test_print_log_tail(const char *path)
{
	char line[1024], tail[20][1024];
	unsigned count = 0, i;
	FILE *file = fopen(path, "r");

	if (file == NULL)
		return;
	while (fgets(line, sizeof(line), file) != NULL)
		(void)snprintf(tail[count++ % 20], sizeof(tail[0]), "%s", line);
	(void)fclose(file);
	(void)fprintf(stderr, "---- last lines of %s ----\n", path);
	for (i = count > 20 ? count - 20 : 0; i < count; i++)
		(void)fputs(tail[i % 20], stderr);
}

/* The admin's one-time password from the accounts table tcardd printed on its
 * first start ("  admin    admin            PASSWORD  …"), into out; 0 or -1. */
static int test_initial_admin_password(const char *out_path, char *out, size_t size)
{
	FILE *log = fopen(out_path, "r");
	char line[512], role[32], name[64], password[64];
	int found = -1;

	if (log == NULL)
		return -1;
	while (fgets(line, sizeof(line), log) != NULL)
		if (sscanf(line, " %31s %63s %63s", role, name, password) == 3 &&
		    strcmp(role, "admin") == 0 && strcmp(name, "admin") == 0) {
			(void)snprintf(out, size, "%s", password);
			found = 0;
		}
	(void)fclose(log);
	return found;
}

/* Sets proc->admin: the token kept in the data directory, or on the first
 * start the first administrator, logged in with its one-time password. */
static void test_admin_identity(struct tcardd_proc *proc)
{
	char path[700], password[64];
	struct test_identity session;
	FILE *file;

	(void)snprintf(path, sizeof(path), "%s/test-admin.token", proc->data_dir);
	memset(&proc->admin, 0, sizeof(proc->admin));
	file = fopen(path, "r");
	if (file != NULL) {
		if (fscanf(file, "%95s %lld", proc->admin.bearer, &proc->admin.user_id) != 2)
			fail_msg("unreadable %s", path);
		(void)fclose(file);
		return;
	}
	if (test_initial_admin_password(proc->out_path, password, sizeof(password)) != 0)
		return; /* an external database: the caller copies an identity */
	test_login(proc, "admin", password, &session);
	test_change_password(proc, &session, password, TEST_ADMIN_PASSWORD);
	test_create_token(proc, &session, &proc->admin);
	proc->admin.cookie[0] = proc->admin.csrf[0] = '\0';
	file = fopen(path, "w");
	assert_non_null(file);
	(void)fprintf(file, "%s %lld\n", proc->admin.bearer, proc->admin.user_id);
	assert_int_equal(fclose(file), 0);
}

void test_login(struct tcardd_proc *proc, const char *username, const char *password,
                struct test_identity *who)
{
	struct http_result r;
	const char *csrf, *end;
	json_t *body = json_pack("{s:s, s:s}", "username", username, "password", password);

	memset(who, 0, sizeof(*who));
	http_call_json_as(proc, NULL, &r, "POST", "/api/v1/login", NULL, body);
	if (r.status != 200)
		fail_msg("login as %s: %ld %s", username, r.status, r.body);
	csrf = json_string_value(json_object_get(r.json, "csrf_token"));
	assert_non_null(csrf);
	(void)snprintf(who->csrf, sizeof(who->csrf), "%s", csrf);
	who->user_id = json_integer_value(json_object_get(json_object_get(r.json, "user"), "id"));
	/* "tcard_session=SECRET; Path=/; HttpOnly; …" → "tcard_session=SECRET" */
	end = strchr(r.set_cookie, ';');
	assert_non_null(end);
	assert_true(strncmp(r.set_cookie, "tcard_session=", 14) == 0);
	(void)snprintf(who->cookie, sizeof(who->cookie), "%.*s", (int)(end - r.set_cookie),
	               r.set_cookie);
	http_result_clear(&r);
}

void test_change_password(struct tcardd_proc *proc, const struct test_identity *who,
                          const char *current, const char *new_password)
{
	struct http_result r;

	http_call_json_as(
	        proc, who, &r, "POST", "/api/v1/session/password", NULL,
	        json_pack("{s:s, s:s}", "current_password", current, "new_password", new_password));
	if (r.status != 204)
		fail_msg("password change: %ld %s", r.status, r.body);
	http_result_clear(&r);
}

void test_create_token(struct tcardd_proc *proc, const struct test_identity *who,
                       struct test_identity *out)
{
	struct http_result r;
	const char *token;

	http_call_json_as(proc, who, &r, "POST", "/api/v1/tokens", NULL,
	                  json_pack("{s:s}", "name", "integration test"));
	if (r.status != 201)
		fail_msg("token: %ld %s", r.status, r.body);
	token = json_string_value(json_object_get(r.json, "token"));
	assert_non_null(token);
	if (out != who)
		*out = *who;
	(void)snprintf(out->bearer, sizeof(out->bearer), "%s", token);
	http_result_clear(&r);
}

void test_create_user(struct tcardd_proc *proc, const char *username, const char *role,
                      long long org_id, long long officer_id, const char *password,
                      struct test_identity *who)
{
	struct http_result r;
	json_t *body = json_pack("{s:s, s:s, s:s}", "username", username, "display_name", username,
	                         "role", role);
	char one_time[64];

	if (org_id != 0)
		(void)json_object_set_new(body, "org_id", json_integer(org_id));
	if (officer_id != 0)
		(void)json_object_set_new(body, "officer_id", json_integer(officer_id));
	http_call_json(proc, &r, "POST", "/api/v1/users", NULL, body);
	if (r.status != 201)
		fail_msg("create user %s: %ld %s", username, r.status, r.body);
	(void)snprintf(one_time, sizeof(one_time), "%s",
	               json_string_value(json_object_get(r.json, "one_time_password")));
	http_result_clear(&r);
	test_login(proc, username, one_time, who);
	test_change_password(proc, who, one_time, password != NULL ? password : TEST_USER_PASSWORD);
}

/* 1 when GET /readyz answers 200 within 2 s. */
static int test_ready(struct tcardd_proc *proc)
{
	CURL *curl = curl_easy_init();
	char url[128];
	long code = 0;

	(void)snprintf(url, sizeof(url), "%s/readyz", proc->base_url);
	(void)curl_easy_setopt(curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	(void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, 2L);
	if (curl_easy_perform(curl) == CURLE_OK)
		(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(curl);
	return code == 200;
}

void test_assert_audit_intact(struct tcardd_proc *proc)
{
	struct http_result r;

	http_call(proc, &r, "GET", "/api/v1/audit/verify", NULL, NULL);
	if (r.status != 200 || !json_is_true(json_object_get(r.json, "ok")))
		fail_msg("the audit chain does not verify: %ld %s", r.status, r.body);
	http_result_clear(&r);
}

void tcardd_start(struct tcardd_proc *proc, const char *data_dir, const char *const *extra)
{
	const char *argv[40];
	char listen[64];
	struct http_result r;
	int n = 0, attempt, status;

	if (data_dir == NULL) {
		memset(proc, 0, sizeof(*proc));
		(void)snprintf(proc->data_dir, sizeof(proc->data_dir), "/tmp/tcard-test-XXXXXX");
		assert_non_null(mkdtemp(proc->data_dir));
		/* The embedded cluster runs as postgres when we are root: let it in. */
		assert_int_equal(chmod(proc->data_dir, 0755), 0);
	} else if (data_dir != proc->data_dir) {
		(void)snprintf(proc->data_dir, sizeof(proc->data_dir), "%s", data_dir);
	}
	(void)snprintf(proc->log_path, sizeof(proc->log_path), "%s/tcardd.log", proc->data_dir);
	(void)snprintf(proc->out_path, sizeof(proc->out_path), "%s/tcardd.out", proc->data_dir);
	proc->port = test_free_port();
	(void)snprintf(listen, sizeof(listen), "127.0.0.1:%u", proc->port);
	(void)snprintf(proc->base_url, sizeof(proc->base_url), "http://127.0.0.1:%u", proc->port);
	argv[n++] = TCARDD_PATH;
	argv[n++] = "--data-dir";
	argv[n++] = proc->data_dir;
	argv[n++] = "--listen";
	argv[n++] = listen;
	argv[n++] = "--workers";
	argv[n++] = "2";
	argv[n++] = "--no-demo"; /* a later --demo in extra wins */
	while (extra != NULL && *extra != NULL && n < 39)
		argv[n++] = *extra++;
	argv[n] = NULL;
	proc->pid = test_spawn(argv, proc->log_path, proc->out_path);
	for (attempt = 0; attempt < 1200; attempt++) {
		if (waitpid(proc->pid, &status, WNOHANG) == proc->pid) {
			test_print_log_tail(proc->log_path); /* the temp dir may be gone later */
			fail_msg("tcardd exited during start-up (status %d); see %s", status,
			         proc->log_path);
		}
		if (attempt > 0) {
			if (test_ready(proc)) {
				http_call(proc, &r, "GET", "/healthz", NULL, NULL);
				assert_int_equal(r.status, 200);
				http_result_clear(&r);
				test_admin_identity(proc);
				return;
			}
		}
		(void)usleep(100000);
	}
	(void)kill(proc->pid, SIGKILL);
	fail_msg("tcardd did not become ready in 120 s; see %s", proc->log_path);
}

int tcardd_stop(struct tcardd_proc *proc)
{
	int status;

	if (proc->pid <= 0)
		return 0;
	/* Every test leaves an intact audit chain behind: checked while tcardd
	 * and its database still answer (a test may have stopped either). */
	if (!proc->audit_broken_on_purpose && proc->admin.bearer[0] != '\0' &&
	    waitpid(proc->pid, &status, WNOHANG) == 0 && test_ready(proc))
		test_assert_audit_intact(proc);
	assert_int_equal(kill(proc->pid, SIGTERM), 0);
	assert_int_equal(waitpid(proc->pid, &status, 0), proc->pid);
	proc->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int test_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tcardd_cleanup(struct tcardd_proc *proc)
{
	if (proc->pid > 0) {
		(void)kill(proc->pid, SIGKILL);
		(void)waitpid(proc->pid, NULL, 0);
		proc->pid = 0;
	}
	if (proc->data_dir[0] != '\0' && getenv("TCARD_TEST_KEEP") == NULL)
		(void)nftw(proc->data_dir, test_remove, 32, FTW_DEPTH | FTW_PHYS);
}

void tcardd_finish(struct tcardd_proc *proc, PGconn *db)
{
	PQfinish(db);
	assert_int_equal(tcardd_stop(proc), 0);
	tcardd_cleanup(proc);
}

int test_file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	int found;

	if (f == NULL)
		return 0;
	(void)getdelim(&text, &len, '\0', f);
	(void)fclose(f);
	found = text != NULL && strstr(text, needle) != NULL;
	free(text);
	return found;
}

PGconn *test_db(struct tcardd_proc *proc)
{
	char conninfo[700];
	PGconn *conn;

	(void)snprintf(conninfo, sizeof(conninfo),
	               "host=%s/pg/run port=5432 dbname=tcard user=postgres", proc->data_dir);
	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
		fail_msg("cannot connect to the test database: %s", PQerrorMessage(conn));
	return conn;
}

long long test_db_count(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	long long value;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	value = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return value;
}

/* fmt with ap into sql (fails the test when it does not fit). */
static void test_format_sql(char *sql, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(sql, size, fmt, ap);

	assert_true(n > 0 && (size_t)n < size);
}

long long test_db_countf(PGconn *conn, const char *fmt, ...)
{
	char sql[4096];
	va_list ap;

	va_start(ap, fmt);
	test_format_sql(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return test_db_count(conn, sql);
}

void test_db_execf(PGconn *conn, const char *fmt, ...)
{
	char sql[4096];
	va_list ap;
	PGresult *res;

	va_start(ap, fmt);
	test_format_sql(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
}

void test_db_as_app(PGconn *conn, const char *sql)
{
	test_db_execf(conn,
	              "BEGIN; SET LOCAL ROLE tcard_app;"
	              " SELECT set_config('tcard.scope', 'all', true),"
	              " set_config('tcard.actor', 'test', true); %s; COMMIT",
	              sql);
}

void test_db_text(PGconn *conn, const char *sql, const char *param, char *out, size_t size)
{
	PGresult *res = PQexecParams(conn, sql, param != NULL ? 1 : 0, NULL, &param, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	(void)snprintf(out, size, "%s", PQgetisnull(res, 0, 0) ? "(null)" : PQgetvalue(res, 0, 0));
	PQclear(res);
}

void http_call_json(struct tcardd_proc *proc, struct http_result *out, const char *method,
                    const char *path, const char *if_match, json_t *body)
{
	http_call_json_as(proc, &proc->admin, out, method, path, if_match, body);
}

void http_call_json_as(struct tcardd_proc *proc, const struct test_identity *who,
                       struct http_result *out, const char *method, const char *path,
                       const char *if_match, json_t *body)
{
	char header[128];
	const char *headers[] = {header, NULL};
	char *text = NULL;

	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		assert_non_null(text);
	}
	if (if_match != NULL)
		assert_true(snprintf(header, sizeof(header), "If-Match: %s", if_match) <
		            (int)sizeof(header));
	http_call_as(proc, who, out, method, path, if_match != NULL ? headers : NULL, text);
	free(text);
}

size_t test_items_count(const struct http_result *r)
{
	json_t *items = json_object_get(r->json, "items");

	if (r->status != 200 || !json_is_array(items))
		fail_msg("expected a list: %ld %s", r->status, r->body);
	return json_array_size(items);
}

int test_items_hold(const struct http_result *r, long long id)
{
	json_t *item;
	size_t i;

	json_array_foreach(json_object_get(r->json, "items"), i,
	                   item) if (json_integer_value(json_object_get(item, "id")) ==
	                             id) return 1;
	(void)test_items_count(r); /* fails unless r is a list */
	return 0;
}

void test_national_id(unsigned n, char out[19])
{
	/* Region 441402, born 1980-01-01 + n % 7000 days, sequence from n. */
	struct tm tm = {.tm_year = 80, .tm_mon = 0, .tm_mday = 1 + (int)(n % 7000), .tm_hour = 12};
	time_t t = timegm(&tm);

	char first17[48];

	(void)gmtime_r(&t, &tm);
	(void)snprintf(first17, sizeof(first17), "441402%04d%02d%02d%03u", tm.tm_year + 1900,
	               tm.tm_mon + 1, tm.tm_mday, (n / 7000) % 1000);
	(void)snprintf(out, 19, "%.17s%c", first17, rules_national_id_check_char(first17));
}

long long test_create_org(struct tcardd_proc *proc, const char *code, const char *name,
                          const char *kind, long long parent_id)
{
	struct http_result r;
	char body[512];
	long long id;

	if (parent_id > 0)
		(void)snprintf(
		        body, sizeof(body),
		        "{\"code\":\"%s\",\"name\":\"%s\",\"kind\":\"%s\",\"parent_id\":%lld}",
		        code, name, kind, parent_id);
	else
		(void)snprintf(body, sizeof(body),
		               "{\"code\":\"%s\",\"name\":\"%s\",\"kind\":\"%s\"}", code, name,
		               kind);
	http_call(proc, &r, "POST", "/api/v1/orgs", NULL, body);
	if (r.status != 201)
		fail_msg("creating org %s: %ld %s", code, r.status, r.body);
	id = json_integer_value(json_object_get(r.json, "id"));
	http_result_clear(&r);
	return id;
}

long long test_create_officer(struct tcardd_proc *proc, unsigned n, const char *name,
                              long long org_id)
{
	return test_create_officer_with(proc, n, name, org_id, NULL, "");
}

long long test_create_officer_with(struct tcardd_proc *proc, unsigned n, const char *name,
                                   long long org_id, const char *hire_date, const char *extra)
{
	struct http_result r;
	char body[768], national_id[19];
	long long id;

	test_national_id(n, national_id);
	(void)snprintf(body, sizeof(body),
	               "{\"national_id\":\"%s\",\"name\":\"%s\",\"org_id\":%lld,"
	               "\"post\":\"执法队员\",\"hire_date\":\"%s\"%s}",
	               national_id, name, org_id, hire_date != NULL ? hire_date : "2015-03-01",
	               extra);
	http_call(proc, &r, "POST", "/api/v1/officers", NULL, body);
	if (r.status != 201)
		fail_msg("creating officer %u: %ld %s", n, r.status, r.body);
	id = json_integer_value(json_object_get(r.json, "id"));
	http_result_clear(&r);
	return id;
}

long long test_create_session(struct tcardd_proc *proc, const char *title, long long org_id,
                              const char *starts_at, const char *ends_at,
                              const char *declared_hours)
{
	struct http_result r;
	char body[768], declared[64] = "";
	long long id;

	if (declared_hours != NULL)
		(void)snprintf(declared, sizeof(declared), ",\"declared_hours\":\"%s\"",
		               declared_hours);
	(void)snprintf(body, sizeof(body),
	               "{\"title\":\"%s\",\"org_id\":%lld,\"category\":\"public_law\","
	               "\"form\":\"lecture\",\"starts_at\":\"%s\",\"ends_at\":\"%s\"%s}",
	               title, org_id, starts_at, ends_at, declared);
	http_call(proc, &r, "POST", "/api/v1/sessions", NULL, body);
	if (r.status != 201)
		fail_msg("creating session %s: %ld %s", title, r.status, r.body);
	id = json_integer_value(json_object_get(r.json, "id"));
	http_result_clear(&r);
	return id;
}

long long test_register_attendance(struct tcardd_proc *proc, long long session_id,
                                   long long officer_id)
{
	struct http_result r;
	char path[96], body[96];
	long long id;

	(void)snprintf(path, sizeof(path), "/api/v1/sessions/%lld/attendance", session_id);
	(void)snprintf(body, sizeof(body), "{\"officers\":[{\"officer_id\":%lld}]}", officer_id);
	http_call(proc, &r, "POST", path, NULL, body);
	if (r.status != 201)
		fail_msg("registering officer %lld on session %lld: %ld %s", officer_id, session_id,
		         r.status, r.body);
	id = json_integer_value(
	        json_object_get(json_array_get(json_object_get(r.json, "created"), 0), "id"));
	http_result_clear(&r);
	return id;
}

/* ---- raw HTTP over TCP ---- */

int test_tcp_connect(unsigned port)
{
	struct sockaddr_in addr;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		int saved = errno;

		(void)close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int test_tcp_send(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

char *test_tcp_read_all(int fd, int timeout_ms, size_t *len)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t used = 0, size = 4096;
	char *text = malloc(size);
	ssize_t n;

	assert_non_null(text);
	for (;;) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			break;
		if (size - used < 2048) {
			size *= 2;
			text = realloc(text, size);
			assert_non_null(text);
		}
		n = recv(fd, text + used, size - used - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* closed, or reset */
		used += (size_t)n;
	}
	text[used] = '\0';
	if (len != NULL)
		*len = used;
	return text;
}

char *test_raw_exchange(unsigned port, const char *request, size_t len, int timeout_ms)
{
	int fd = test_tcp_connect(port);
	char *reply;

	if (fd < 0)
		fail_msg("cannot connect to port %u: %s", port, strerror(errno));
	/* A server may answer before reading everything and close: read anyway. */
	(void)test_tcp_send(fd, request, len);
	reply = test_tcp_read_all(fd, timeout_ms, NULL);
	(void)close(fd);
	return reply;
}

int test_raw_status(const char *reply)
{
	int status = 0;

	if (reply == NULL || sscanf(reply, "HTTP/1.%*d %d", &status) != 1)
		return 0;
	return status;
}

int test_raw_header(const char *reply, const char *name, char *out, size_t size)
{
	const char *line, *end = reply != NULL ? strstr(reply, "\r\n\r\n") : NULL;
	size_t nlen = strlen(name);

	if (end == NULL)
		return 0;
	for (line = strstr(reply, "\r\n"); line != NULL && line < end;
	     line = strstr(line, "\r\n")) {
		line += 2;
		if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			const char *value = line + nlen + 1, *stop = strstr(value, "\r\n");

			while (*value == ' ')
				value++;
			(void)snprintf(out, size, "%.*s", (int)(stop - value), value);
			return 1;
		}
	}
	return 0;
}

const char *test_raw_body(const char *reply)
{
	const char *end = reply != NULL ? strstr(reply, "\r\n\r\n") : NULL;

	return end != NULL ? end + 4 : NULL;
}

char *test_wait_log_line(const char *path, const char *needle, int timeout_ms)
{
	int waited;

	for (waited = 0;; waited += 20) {
		FILE *f = fopen(path, "r");
		char *line = NULL;
		size_t size = 0;
		ssize_t n;

		while (f != NULL && (n = getline(&line, &size, f)) > 0) {
			if (strstr(line, needle) == NULL)
				continue;
			if (line[n - 1] == '\n')
				line[n - 1] = '\0';
			(void)fclose(f);
			return line;
		}
		free(line);
		if (f != NULL)
			(void)fclose(f);
		if (waited >= timeout_ms)
			return NULL;
		(void)usleep(20000);
	}
}

const char *test_json_str(const json_t *doc, const char *key)
{
	const char *value = json_string_value(json_object_get(doc, key));

	if (value == NULL)
		fail_msg("no string %s", key);
	return value;
}

long long test_json_int(const json_t *doc, const char *key)
{
	const json_t *value = json_object_get(doc, key);

	if (!json_is_integer(value))
		fail_msg("no integer %s", key);
	return json_integer_value(value);
}

long long test_issue_certificate(struct tcardd_proc *proc, long long officer_id,
                                 long long issuing_org_id, const char *number, const char *domain)
{
	struct http_result r;
	char body[512];
	long long id;

	(void)snprintf(body, sizeof(body),
	               "{\"number\":\"%s\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
	               "\"domain\":\"%s\",\"issued_on\":\"2024-01-01\","
	               "\"expires_on\":\"2030-12-31\"}",
	               number, officer_id, issuing_org_id, domain);
	http_call(proc, &r, "POST", "/api/v1/certificates", NULL, body);
	if (r.status != 201)
		fail_msg("issuing certificate %s: %ld %s", number, r.status, r.body);
	id = test_json_int(r.json, "id");
	http_result_clear(&r);
	return id;
}

void test_import_post(struct tcardd_proc *proc, const struct test_identity *who,
                      struct http_result *r, const char *kind, const char *query, const char *csv,
                      int chunked)
{
	const char *headers[] = {"Content-Type: text/csv; charset=utf-8",
	                         chunked ? "Transfer-Encoding: chunked" : NULL, NULL};
	char path[256];

	(void)snprintf(path, sizeof(path), "/api/v1/imports/%s%s%s", kind, query ? "?" : "",
	               query ? query : "");
	if (who == NULL)
		http_call(proc, r, "POST", path, headers, csv);
	else
		http_call_as(proc, who, r, "POST", path, headers, csv);
}

int test_row_error(const struct http_result *r, long long row, const char *column,
                   const char *reason)
{
	const json_t *errors = json_object_get(r->json, "row_errors"), *e;
	size_t i;

	json_array_foreach(errors, i, e)
	{
		if (json_integer_value(json_object_get(e, "row")) == row &&
		    strcmp(json_string_value(json_object_get(e, "column")), column) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "reason")), reason) == 0)
			return 1;
	}
	return 0;
}

void test_session_sql(PGconn *db, const char *code, long long org, const char *day, long long hours)
{
	char sql[768];

	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO training_session (code, title, org_id, category, form,"
	               " starts_at, ends_at, duration_minutes, declared_units)"
	               " VALUES ('%s', '培训 %s', %lld, 'business', 'lecture', '%s 09:00+08',"
	               " timestamptz '%s 09:00+08' + interval '4 hours', 240, %lld)",
	               code, code, org, day, day, hours * 36000LL);
	test_db_as_app(db, sql);
}

void test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

int test_run_command(const char *command, char *out, size_t size)
{
	char line[2048];
	FILE *p;
	size_t len;
	int status;

	assert_true(snprintf(line, sizeof(line), "%s 2>&1", command) < (int)sizeof(line));
	p = popen(line, "r");
	assert_non_null(p);
	len = fread(out, 1, size - 1, p);
	out[len] = '\0';
	status = pclose(p);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

int test_cli_import(struct tcardd_proc *proc, const char *home, const char *kind, const char *file,
                    const char *token, const char *extra, char *out, size_t size)
{
	char command[1600], token_arg[160] = "";

	if (token != NULL)
		(void)snprintf(token_arg, sizeof(token_arg), "--token '%s'", token);
	assert_true(snprintf(command, sizeof(command),
	                     "XDG_CONFIG_HOME='%s/config' %s import %s '%s' --server '%s' %s %s",
	                     home, TCARD_CLI_PATH, kind, file, proc->base_url, token_arg,
	                     extra) < (int)sizeof(command));
	return test_run_command(command, out, size);
}

long long test_cli_summary_count(const char *out, const char *key)
{
	json_t *doc = json_loads(out, 0, NULL);
	long long n;

	if (doc == NULL)
		fail_msg("not a JSON summary: %s", out);
	n = test_json_int(doc, key);
	json_decref(doc);
	return n;
}

long long test_cli_imported(struct tcardd_proc *proc, const char *home, const char *kind,
                            const char *file)
{
	char out[8192];
	int status = test_cli_import(proc, home, kind, file, proc->admin.bearer, "--json", out,
	                             sizeof(out));

	if (status != 0)
		fail_msg("tcard import %s: %d %s", kind, status, out);
	return test_cli_summary_count(out, "inserted");
}
