/* test_auth.c — accounts, browser sessions, API tokens and login throttling
 * (issue 3, SECURITY.md 3, 4, 8) against tcardd on a throwaway PostgreSQL: the
 * first administrator and the demo accounts, cookies and CSRF, token life
 * cycles, one-time passwords, the administrator's account management, every
 * refused credential answering problem+json and changing nothing, the audit
 * entries of each event with no secret in them, and many clients at once.
 * Expiry and lock-outs are simulated by moving timestamps as the superuser. */
#include "testlib.h"

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long city_id, district_id, officer_a, officer_b;

#define NEW_PASSWORD     "another-password-1"
#define WRONG_PASSWORD   "wrong-password-1"
#define CHINESE_PASSWORD "十二个字的密码口令很长啊"

/* ---- secrets seen during the run: none may reach the audit log or the log file ---- */

#define SECRETS_MAX 600
static char secrets[SECRETS_MAX][100];
static size_t secret_count;

static void keep_secret(const char *secret)
{
	assert_non_null(secret);
	assert_true(strlen(secret) >= 8);
	if (secret_count < SECRETS_MAX)
		(void)snprintf(secrets[secret_count++], sizeof(secrets[0]), "%s", secret);
}

static const char *cookie_secret(const struct test_identity *who)
{
	const char *eq = strchr(who->cookie, '=');

	assert_non_null(eq);
	return eq + 1;
}

static void keep_identity(const struct test_identity *who)
{
	if (who->cookie[0] != '\0')
		keep_secret(cookie_secret(who));
	if (who->csrf[0] != '\0')
		keep_secret(who->csrf);
	if (who->bearer[0] != '\0')
		keep_secret(who->bearer);
}

/* ---- SQL as the superuser ---- */

#define sql_okf(...) test_db_execf(db, __VA_ARGS__)
#define countf(...)  test_db_countf(db, __VA_ARGS__)

static long long count_with(const char *sql, const char *param)
{
	char value[64];

	test_db_text(db, sql, param, value, sizeof(value));
	return atoll(value);
}

/* The session row of who's cookie. */
static long long session_id_of(const struct test_identity *who)
{
	return count_with("SELECT coalesce((SELECT id FROM auth_session"
	                  " WHERE token_hash = sha256(convert_to($1, 'UTF8'))), 0)",
	                  cookie_secret(who));
}

static long long token_id_of(const struct test_identity *who)
{
	return count_with("SELECT coalesce((SELECT id FROM api_token"
	                  " WHERE token_hash = sha256(convert_to($1, 'UTF8'))), 0)",
	                  who->bearer);
}

/* A fingerprint of every row a refused request must leave alone: the account
 * tables, the throttle, the audit head, the units and officers. */
static void snapshot(char out[33])
{
	test_db_text(db,
	             "SELECT md5(concat_ws('|',"
	             " (SELECT string_agg(t::text, ',' ORDER BY id) FROM app_user t),"
	             " (SELECT string_agg(t::text, ',' ORDER BY id) FROM auth_session t),"
	             " (SELECT string_agg(t::text, ',' ORDER BY id) FROM api_token t),"
	             " (SELECT string_agg(t::text, ',' ORDER BY key) FROM login_throttle t),"
	             " (SELECT t::text FROM audit_head t),"
	             " (SELECT count(*) FROM org), (SELECT count(*) FROM officer)))",
	             NULL, out, 33);
}

static void assert_unchanged(const char *before)
{
	char after[33];

	snapshot(after);
	assert_string_equal(before, after);
}

static long long audit_count(const char *action)
{
	return count_with("SELECT count(*) FROM audit_log WHERE action = $1", action);
}

/* ---- HTTP ---- */

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static long long num(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

static int64_t now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* POST /api/v1/login as nobody; address (sent as X-Real-IP) and extra may be NULL. */
static void login_call(struct http_result *r, const char *username, const char *password,
                       const char *address, const char *extra)
{
	char real_ip[80];
	const char *headers[3] = {NULL, NULL, NULL};
	json_t *body = json_pack("{s:s, s:s}", "username", username, "password", password);
	char *text = json_dumps(body, JSON_COMPACT);
	int n = 0;

	assert_non_null(text);
	json_decref(body);
	if (address != NULL) {
		(void)snprintf(real_ip, sizeof(real_ip), "X-Real-IP: %s", address);
		headers[n++] = real_ip;
	}
	if (extra != NULL)
		headers[n++] = extra;
	http_call_as(&proc, NULL, r, "POST", "/api/v1/login", headers, text);
	free(text);
}

/* Fills who from a 200 login reply (either cookie name). */
static void identity_from_login(const struct http_result *r, struct test_identity *who)
{
	const char *end = strchr(r->set_cookie, ';');

	memset(who, 0, sizeof(*who));
	if (r->status != 200)
		fail_msg("login: %ld %s", r->status, r->body != NULL ? r->body : "");
	assert_non_null(end);
	(void)snprintf(who->cookie, sizeof(who->cookie), "%.*s", (int)(end - r->set_cookie),
	               r->set_cookie);
	assert_non_null(str(r->json, "csrf_token"));
	(void)snprintf(who->csrf, sizeof(who->csrf), "%s", str(r->json, "csrf_token"));
	who->user_id = num(json_object_get(r->json, "user"), "id");
	keep_identity(who);
}

static void login(const char *username, const char *password, struct test_identity *who)
{
	struct http_result r;

	login_call(&r, username, password, NULL, NULL);
	identity_from_login(&r, who);
	http_result_clear(&r);
}

/* A call with a session cookie and, when not NULL, a CSRF token and an Origin. */
static void cookie_call(struct http_result *r, const struct test_identity *who, const char *method,
                        const char *path, const char *csrf, const char *origin, const char *body)
{
	char cookie[200], csrf_header[160], origin_header[160];
	const char *headers[4] = {cookie, NULL, NULL, NULL};
	int n = 1;

	(void)snprintf(cookie, sizeof(cookie), "Cookie: %s", who->cookie);
	if (csrf != NULL) {
		(void)snprintf(csrf_header, sizeof(csrf_header), "X-CSRF-Token: %s", csrf);
		headers[n++] = csrf_header;
	}
	if (origin != NULL) {
		(void)snprintf(origin_header, sizeof(origin_header), "Origin: %s", origin);
		headers[n++] = origin_header;
	}
	http_call_as(&proc, NULL, r, method, path, headers, body);
}

/* A call with exactly the given Authorization header (NULL: none). */
static void authorization_call(struct http_result *r, const char *method, const char *path,
                               const char *authorization)
{
	char header[512];
	const char *headers[2] = {header, NULL};

	(void)snprintf(header, sizeof(header), "Authorization: %s", authorization);
	http_call_as(&proc, NULL, r, method, path, authorization != NULL ? headers : NULL, NULL);
}

/* GET /api/v1/session as who: 200 with who's user, else fail. */
static void assert_session_is(const struct test_identity *who, const char *username,
                              const char *authenticated_by)
{
	struct http_result r;

	http_call_as(&proc, who, &r, "GET", "/api/v1/session", NULL, NULL);
	if (r.status != 200)
		fail_msg("GET /api/v1/session: %ld %s", r.status, r.body != NULL ? r.body : "");
	assert_string_equal(str(json_object_get(r.json, "user"), "username"), username);
	assert_string_equal(str(r.json, "authenticated_by"), authenticated_by);
	http_result_clear(&r);
}

/* GET /api/v1/session as who must be 401 problem+json whose detail says why. */
static void assert_refused(const struct test_identity *who, const char *why)
{
	struct http_result r;

	http_call_as(&proc, who, &r, "GET", "/api/v1/session", NULL, NULL);
	assert_problem(&r, 401, NULL, NULL);
	if (why != NULL && strstr(str(r.json, "detail"), why) == NULL)
		fail_msg("the detail does not say \"%s\": %s", why, r.body);
	assert_string_equal(r.set_cookie, "");
	http_result_clear(&r);
}

/* A problem reply without its request id, for comparing two replies. */
static json_t *problem_without_request_id(const struct http_result *r)
{
	json_t *copy = json_deep_copy(r->json);

	assert_non_null(copy);
	assert_non_null(json_object_get(copy, "request_id"));
	(void)json_object_del(copy, "request_id");
	return copy;
}

static void assert_same_problem(const struct http_result *a, const struct http_result *b)
{
	json_t *x = problem_without_request_id(a), *y = problem_without_request_id(b);

	assert_int_equal(a->status, b->status);
	assert_string_equal(a->content_type, b->content_type);
	if (!json_equal(x, y))
		fail_msg("the replies differ:\n%s\n%s", a->body, b->body);
	json_decref(x);
	json_decref(y);
}

/* As the admin, creates an account; its one-time password into otp. Returns its id. */
static long long create_account(const char *username, const char *role, long long org_id,
                                long long officer_id, char *otp, size_t otp_size)
{
	struct http_result r;
	json_t *body = json_pack("{s:s, s:s, s:s}", "username", username, "display_name", username,
	                         "role", role);
	long long id;

	if (org_id != 0)
		(void)json_object_set_new(body, "org_id", json_integer(org_id));
	if (officer_id != 0)
		(void)json_object_set_new(body, "officer_id", json_integer(officer_id));
	http_call_json(&proc, &r, "POST", "/api/v1/users", NULL, body);
	if (r.status != 201)
		fail_msg("create user %s: %ld %s", username, r.status, r.body);
	assert_non_null(str(r.json, "one_time_password"));
	(void)snprintf(otp, otp_size, "%s", str(r.json, "one_time_password"));
	keep_secret(otp);
	id = num(r.json, "id");
	http_result_clear(&r);
	return id;
}

/* An account with TEST_USER_PASSWORD, logged in: who holds its session. */
static void make_user(const char *username, const char *role, long long org_id,
                      long long officer_id, struct test_identity *who)
{
	test_create_user(&proc, username, role, org_id, officer_id, NULL, who);
	keep_identity(who);
}

static void make_token(const struct test_identity *who, struct test_identity *out)
{
	test_create_token(&proc, who, out);
	out->cookie[0] = out->csrf[0] = '\0';
	keep_identity(out);
}

/* PATCH /api/v1/users/{id} as the admin with If-Match: *. */
static void patch_user(struct http_result *r, long long id, json_t *body)
{
	char path[64];

	(void)snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	http_call_json(&proc, r, "PATCH", path, "*", body);
}

/* Runs tcardd with args: stdout into out_path, stderr (the log) into err_path. */
static int run_tcardd(const char *const *args, const char *out_path, const char *err_path)
{
	const char *argv[16];
	int n = 0, status, out, err;
	pid_t pid;

	argv[n++] = TCARDD_PATH;
	while (*args != NULL && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 ||
		    dup2(err, STDERR_FILENO) < 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The password of username in an accounts table tcardd printed ("  role  name  password  …"). */
static int printed_password(const char *path, const char *username, char *out, size_t size)
{
	FILE *file = fopen(path, "r");
	char line[512], role[32], name[64], password[64];
	int found = 0;

	assert_non_null(file);
	while (fgets(line, sizeof(line), file) != NULL)
		if (sscanf(line, " %31s %63s %63s", role, name, password) == 3 &&
		    strcmp(name, username) == 0) {
			(void)snprintf(out, size, "%s", password);
			found = 1;
		}
	(void)fclose(file);
	return found;
}

/* The password --create-admin printed ("…: PASSWORD"). */
static void create_admin_password(const char *path, char *out, size_t size)
{
	FILE *file = fopen(path, "r");
	char line[512], password[64] = "";
	const char *colon;

	assert_non_null(file);
	while (fgets(line, sizeof(line), file) != NULL)
		if (strstr(line, "one-time password") != NULL &&
		    (colon = strrchr(line, ':')) != NULL)
			(void)sscanf(colon + 1, " %63s", password);
	(void)snprintf(out, size, "%s", password);
	(void)fclose(file);
	assert_int_equal(strlen(out), 16);
	keep_secret(out);
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	(void)state;
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), 0);
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	keep_identity(&proc.admin);
	keep_secret(TEST_ADMIN_PASSWORD);
	keep_secret(TEST_USER_PASSWORD);
	keep_secret(NEW_PASSWORD);
	keep_secret(WRONG_PASSWORD);
	keep_secret(CHINESE_PASSWORD);
	keep_secret("twelve-chars");
	city_id = test_create_org(&proc, "auth-city", "账号市局", "city", 0);
	district_id = test_create_org(&proc, "auth-district", "账号区局", "county", city_id);
	officer_a = test_create_officer(&proc, 301, "甲", district_id);
	officer_b = test_create_officer(&proc, 302, "乙", district_id);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	curl_global_cleanup();
	return 0;
}

/* Every test starts with no failed logins counted: all of them come from 127.0.0.1. */
static int forget_failures(void **state)
{
	(void)state;
	sql_okf("DELETE FROM login_throttle");
	return 0;
}

/* ---- the first administrator ---- */

static void test_first_start_prints_the_admin_password_on_stdout_and_in_a_0600_file(void **state)
{
	char path[700], password[64];
	struct http_result r;
	struct stat st;

	(void)state;
	assert_true(printed_password(proc.out_path, "admin", password, sizeof(password)));
	assert_int_equal(strlen(password), 16);
	keep_secret(password);
	(void)snprintf(path, sizeof(path), "%s/initial-accounts.txt", proc.data_dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(test_file_contains(path, password));
	/* Never in the log. */
	assert_false(test_file_contains(proc.log_path, password));
	/* One-time: testlib replaced it at the first login. */
	login_call(&r, "admin", password, NULL, NULL);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	assert_int_equal(
	        countf("SELECT count(*) FROM app_user WHERE username = 'admin'"
	               " AND role = 'admin' AND org_id IS NULL AND NOT must_change_password"
	               " AND password_hash LIKE '$argon2id$v=19$m=19456,t=2,p=1$%%'"),
	        1);
	assert_int_equal(countf("SELECT count(*) FROM audit_log a JOIN app_user u"
	                        " ON a.target_id = u.id::text WHERE u.username = 'admin'"
	                        " AND a.action = 'user.create' AND a.actor = 'tcardd'"),
	                 1);
}

/* ---- browser sessions ---- */

static void test_login_sets_an_httponly_strict_cookie_and_stores_only_its_hash(void **state)
{
	struct test_identity who, first;
	struct http_result r;
	long long logins = audit_count("login");
	json_t *user;

	(void)state;
	make_user("cookie.user", "hr", district_id, 0, &first);
	login_call(&r, "cookie.user", TEST_USER_PASSWORD, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	assert_true(strncmp(r.set_cookie, "tcard_session=", 14) == 0);
	assert_non_null(strstr(r.set_cookie, "; Path=/"));
	assert_non_null(strstr(r.set_cookie, "; HttpOnly"));
	assert_non_null(strstr(r.set_cookie, "; SameSite=Strict"));
	assert_non_null(strstr(r.set_cookie, "; Max-Age=43200"));
	assert_null(strstr(r.set_cookie, "Secure"));
	user = json_object_get(r.json, "user");
	assert_string_equal(str(user, "username"), "cookie.user");
	assert_string_equal(str(user, "role"), "hr");
	assert_int_equal(num(user, "org_id"), district_id);
	assert_null(json_object_get(user, "password_hash"));
	assert_true(json_is_false(json_object_get(r.json, "must_change_password")));
	assert_int_equal(strlen(str(r.json, "csrf_token")), 43);
	assert_non_null(str(r.json, "expires_at"));
	identity_from_login(&r, &who);
	http_result_clear(&r);
	assert_string_not_equal(cookie_secret(&who), cookie_secret(&first));

	http_call_as(&proc, &who, &r, "GET", "/api/v1/session", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "authenticated_by"), "session");
	assert_string_equal(str(r.json, "csrf_token"), who.csrf);
	assert_int_equal(num(json_object_get(json_object_get(r.json, "user"), "org"), "id"),
	                 district_id);
	http_result_clear(&r);

	/* The table holds SHA-256 of the cookie, never the cookie; 12 hours at most. */
	assert_int_equal(count_with("SELECT count(*) FROM auth_session"
	                            " WHERE token_hash = sha256(convert_to($1, 'UTF8'))"
	                            " AND revoked_at IS NULL"
	                            " AND expires_at BETWEEN now() + interval '11 hours 59 minutes'"
	                            " AND now() + interval '12 hours 1 minute'",
	                            cookie_secret(&who)),
	                 1);
	assert_int_equal(count_with("SELECT count(*) FROM auth_session t"
	                            " WHERE strpos(t::text, $1) > 0",
	                            cookie_secret(&who)),
	                 0);
	assert_int_equal(audit_count("login"), logins + 2);
	assert_int_equal(countf("SELECT count(*) FROM audit_log WHERE action = 'login'"
	                        " AND actor = 'cookie.user' AND user_id = %lld"
	                        " AND target_id = '%lld' AND address = '127.0.0.1'",
	                        who.user_id, who.user_id),
	                 2);

	/* User names are case-insensitive. */
	login_call(&r, "Cookie.USER", TEST_USER_PASSWORD, NULL, NULL);
	assert_int_equal(r.status, 200);
	identity_from_login(&r, &who);
	http_result_clear(&r);
}

static void test_login_over_tls_uses_a_secure_host_prefixed_cookie(void **state)
{
	struct test_identity who;
	struct http_result r;
	const char *https[] = {"X-Forwarded-Proto: https", NULL};

	(void)state;
	login_call(&r, "cookie.user", TEST_USER_PASSWORD, NULL, https[0]);
	assert_int_equal(r.status, 200);
	assert_true(strncmp(r.set_cookie, "__Host-tcard_session=", 21) == 0);
	assert_non_null(strstr(r.set_cookie, "; Path=/"));
	assert_non_null(strstr(r.set_cookie, "; HttpOnly"));
	assert_non_null(strstr(r.set_cookie, "; SameSite=Strict"));
	assert_non_null(strstr(r.set_cookie, "; Secure"));
	assert_null(strstr(r.set_cookie, "Domain"));
	identity_from_login(&r, &who);
	http_result_clear(&r);
	assert_session_is(&who, "cookie.user", "session");

	http_call_as(&proc, &who, &r, "POST", "/api/v1/logout", https, NULL);
	assert_int_equal(r.status, 204);
	assert_true(strncmp(r.set_cookie, "__Host-tcard_session=;", 22) == 0);
	assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
	assert_non_null(strstr(r.set_cookie, "; Secure"));
	http_result_clear(&r);
	assert_refused(&who, "revoked");
}

static void test_logout_revokes_the_session_and_is_audited(void **state)
{
	struct test_identity who, other;
	struct http_result r;
	long long session, logouts = audit_count("logout"), mine;
	char path[96];

	(void)state;
	login("cookie.user", TEST_USER_PASSWORD, &who);
	mine = countf("SELECT count(*) FROM audit_log WHERE action = 'logout' AND user_id = %lld",
	              who.user_id);
	login("cookie.user", TEST_USER_PASSWORD, &other);
	session = session_id_of(&who);
	assert_true(session > 0);

	/* Without the CSRF header logging out is refused like any write. */
	cookie_call(&r, &who, "POST", "/api/v1/logout", NULL, NULL, NULL);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	assert_session_is(&who, "cookie.user", "session");

	http_call_as(&proc, &who, &r, "POST", "/api/v1/logout", NULL, NULL);
	assert_int_equal(r.status, 204);
	assert_true(strncmp(r.set_cookie, "tcard_session=;", 15) == 0);
	assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
	http_result_clear(&r);
	assert_int_equal(countf("SELECT count(*) FROM auth_session WHERE id = %lld"
	                        " AND revoked_at IS NOT NULL",
	                        session),
	                 1);
	assert_int_equal(audit_count("logout"), logouts + 1);
	assert_int_equal(countf("SELECT count(*) FROM audit_log WHERE action = 'logout'"
	                        " AND user_id = %lld AND actor = 'cookie.user'",
	                        who.user_id),
	                 mine + 1);
	/* Found with the user's other entries, like its logins. */
	(void)snprintf(path, sizeof(path), "/api/v1/audit?target_type=user&target_id=%lld",
	               who.user_id);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"logout\""));
	assert_non_null(strstr(r.body, "\"login\""));
	http_result_clear(&r);
	assert_refused(&who, "revoked");
	http_call_as(&proc, &who, &r, "POST", "/api/v1/logout", NULL, NULL);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	/* Only that session ended. */
	assert_session_is(&other, "cookie.user", "session");
}

static void test_logout_with_an_api_token_revokes_that_token_only(void **state)
{
	struct test_identity session, token, kept;
	struct http_result r;
	long long token_id, logouts = audit_count("logout");

	(void)state;
	login("cookie.user", TEST_USER_PASSWORD, &session);
	make_token(&session, &token);
	make_token(&session, &kept);
	token_id = token_id_of(&token);

	http_call_as(&proc, &token, &r, "POST", "/api/v1/logout", NULL, NULL);
	assert_int_equal(r.status, 204);
	http_result_clear(&r);
	assert_int_equal(countf("SELECT count(*) FROM api_token WHERE id = %lld"
	                        " AND revoked_at IS NOT NULL",
	                        token_id),
	                 1);
	assert_int_equal(audit_count("logout"), logouts + 1);
	assert_refused(&token, "revoked");
	/* The user's other token and its session live on. */
	assert_session_is(&kept, "cookie.user", "token");
	assert_session_is(&session, "cookie.user", "session");
}

/* ---- CSRF and Origin ---- */

static void test_cookie_writes_without_the_right_csrf_token_are_403_and_change_nothing(void **state)
{
	struct test_identity who, other;
	struct http_result r;
	const char *body = "{\"name\":\"csrf\"}";
	char before[33], wrong[96];

	(void)state;
	login("cookie.user", TEST_USER_PASSWORD, &who);
	login("cookie.user", TEST_USER_PASSWORD, &other);
	/* Seen five minutes ago: a request that is let through would touch it. */
	sql_okf("UPDATE auth_session SET last_seen_at = now() - interval '5 minutes'"
	        " WHERE id = %lld",
	        session_id_of(&who));
	snapshot(before);

	cookie_call(&r, &who, "POST", "/api/v1/tokens", NULL, NULL, body);
	assert_problem(&r, 403, NULL, NULL);
	assert_non_null(strstr(str(r.json, "detail"), "X-CSRF-Token"));
	http_result_clear(&r);
	(void)snprintf(wrong, sizeof(wrong), "%s", who.csrf);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	cookie_call(&r, &who, "POST", "/api/v1/tokens", wrong, NULL, body);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	/* Another session's token (of the same user) is no better. */
	cookie_call(&r, &who, "POST", "/api/v1/tokens", other.csrf, NULL, body);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	cookie_call(&r, &who, "POST", "/api/v1/tokens", "", NULL, body);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	cookie_call(&r, &who, "POST", "/api/v1/session/password", NULL, NULL,
	            "{\"current_password\":\"" TEST_USER_PASSWORD "\","
	            "\"new_password\":\"" NEW_PASSWORD "\"}");
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	assert_unchanged(before);

	/* Reads need none; the right token lets the write through. */
	cookie_call(&r, &who, "GET", "/api/v1/tokens", NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	cookie_call(&r, &who, "POST", "/api/v1/tokens", who.csrf, NULL, body);
	assert_int_equal(r.status, 201);
	keep_secret(str(r.json, "token"));
	http_result_clear(&r);
	assert_int_equal(countf("SELECT count(*) FROM auth_session WHERE id = %lld"
	                        " AND last_seen_at > now() - interval '1 minute'",
	                        session_id_of(&who)),
	                 1);
}

static void test_writes_from_another_origin_are_403_and_change_nothing(void **state)
{
	struct test_identity who;
	struct http_result r;
	const char *body = "{\"name\":\"origin\"}";
	char before[33];

	(void)state;
	login("cookie.user", TEST_USER_PASSWORD, &who);
	sql_okf("UPDATE auth_session SET last_seen_at = now() - interval '5 minutes'"
	        " WHERE id = %lld",
	        session_id_of(&who));
	snapshot(before);
	cookie_call(&r, &who, "POST", "/api/v1/tokens", who.csrf, "http://evil.example", body);
	assert_problem(&r, 403, NULL, NULL);
	assert_non_null(strstr(str(r.json, "detail"), "Origin"));
	http_result_clear(&r);
	cookie_call(&r, &who, "POST", "/api/v1/tokens", who.csrf, "null", body);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	cookie_call(&r, &who, "POST", "/api/v1/logout", who.csrf, "https://evil.example", NULL);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	/* Logging in from another site's page is refused before the password is looked at. */
	login_call(&r, "cookie.user", TEST_USER_PASSWORD, NULL, "Origin: http://evil.example");
	assert_problem(&r, 403, NULL, NULL);
	assert_string_equal(r.set_cookie, "");
	http_result_clear(&r);
	login_call(&r, "cookie.user", WRONG_PASSWORD, NULL, "Origin: http://evil.example");
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	assert_unchanged(before);

	/* Our own origin passes. */
	cookie_call(&r, &who, "POST", "/api/v1/tokens", who.csrf, proc.base_url, body);
	assert_int_equal(r.status, 201);
	keep_secret(str(r.json, "token"));
	http_result_clear(&r);
	login_call(&r, "cookie.user", TEST_USER_PASSWORD, NULL, "Origin: http://127.0.0.1:1");
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
}

/* ---- failed logins ---- */

static void test_unknown_user_and_wrong_password_get_the_same_reply_in_the_same_time(void **state)
{
	struct test_identity who;
	struct http_result wrong, unknown;
	long long failed = audit_count("login_failed"), sessions;
	int64_t started, known_ms = INT64_MAX, unknown_ms = INT64_MAX, ms;
	int i;

	(void)state;
	make_user("same.reply", "auditor", city_id, 0, &who);
	sessions = countf("SELECT count(*) FROM auth_session");
	/* The fastest of four each (five failures would lock the name): a busy machine
	 * slows single calls, rarely all four. */
	for (i = 0; i < 4; i++) {
		started = now_ms();
		login_call(&wrong, "same.reply", WRONG_PASSWORD, "10.0.1.1", NULL);
		ms = now_ms() - started;
		known_ms = ms < known_ms ? ms : known_ms;
		started = now_ms();
		login_call(&unknown, "no.such.user", WRONG_PASSWORD, "10.0.1.2", NULL);
		ms = now_ms() - started;
		unknown_ms = ms < unknown_ms ? ms : unknown_ms;
		assert_problem(&wrong, 401, NULL, NULL);
		assert_same_problem(&wrong, &unknown);
		assert_string_equal(wrong.set_cookie, "");
		assert_string_equal(unknown.set_cookie, "");
		assert_null(strstr(wrong.body, "same.reply"));
		http_result_clear(&wrong);
		http_result_clear(&unknown);
	}
	/* Both verify one argon2id hash: an unknown name is not answered faster. */
	if (unknown_ms * 2 < known_ms)
		fail_msg("unknown user %lld ms, wrong password %lld ms", (long long)unknown_ms,
		         (long long)known_ms);
	assert_int_equal(countf("SELECT count(*) FROM auth_session"), sessions);
	assert_int_equal(audit_count("login_failed"), failed + 8);
	assert_int_equal(countf("SELECT count(*) FROM audit_log WHERE action = 'login_failed'"
	                        " AND after ->> 'username' = 'no.such.user'"
	                        " AND address = '10.0.1.2' AND user_id IS NULL"),
	                 4);
}

static void test_repeated_failures_for_one_account_lock_it_with_retry_after(void **state)
{
	struct test_identity who;
	struct http_result r, ghost;
	char address[32];
	long long failed;
	int i, retry;

	(void)state;
	make_user("locked.user", "hr", district_id, 0, &who);
	/* Five failures from five addresses: the account counts them all. */
	for (i = 0; i < 5; i++) {
		(void)snprintf(address, sizeof(address), "10.1.0.%d", i + 1);
		login_call(&r, "locked.user", WRONG_PASSWORD, address, NULL);
		assert_problem(&r, 401, NULL, NULL);
		http_result_clear(&r);
		login_call(&r, "ghost.user", WRONG_PASSWORD, address, NULL);
		assert_problem(&r, 401, NULL, NULL);
		http_result_clear(&r);
	}
	failed = audit_count("login_failed");
	/* Locked now: even the right password waits, and so does a name nobody has. */
	login_call(&r, "locked.user", TEST_USER_PASSWORD, "10.1.0.9", NULL);
	assert_problem(&r, 429, NULL, NULL);
	retry = atoi(r.retry_after);
	assert_true(retry >= 1 && retry <= 60);
	assert_string_equal(r.set_cookie, "");
	login_call(&ghost, "ghost.user", WRONG_PASSWORD, "10.1.0.9", NULL);
	assert_problem(&ghost, 429, NULL, NULL);
	assert_true(atoi(ghost.retry_after) >= 1);
	assert_string_equal(str(r.json, "type"), str(ghost.json, "type"));
	assert_string_equal(str(r.json, "title"), str(ghost.json, "title"));
	http_result_clear(&ghost);
	http_result_clear(&r);
	/* A refused attempt is not a try: nothing was verified, nothing counted. */
	assert_int_equal(audit_count("login_failed"), failed);
	assert_int_equal(
	        countf("SELECT failures FROM login_throttle WHERE key = 'user:locked.user'"), 5);

	/* The lock passes; the next failure locks twice as long. */
	sql_okf("UPDATE login_throttle SET last_failure = last_failure - interval '61 seconds'"
	        " WHERE key = 'user:locked.user'");
	login_call(&r, "locked.user", WRONG_PASSWORD, "10.1.0.10", NULL);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	login_call(&r, "locked.user", TEST_USER_PASSWORD, "10.1.0.10", NULL);
	assert_problem(&r, 429, NULL, NULL);
	retry = atoi(r.retry_after);
	assert_true(retry > 60 && retry <= 120);
	http_result_clear(&r);

	/* Many failures: at most 15 minutes at a time. */
	sql_okf("UPDATE login_throttle SET failures = 60, last_failure = now()"
	        " WHERE key = 'user:locked.user'");
	login_call(&r, "locked.user", TEST_USER_PASSWORD, "10.1.0.11", NULL);
	assert_problem(&r, 429, NULL, NULL);
	retry = atoi(r.retry_after);
	assert_true(retry > 840 && retry <= 900);
	http_result_clear(&r);

	/* Never for good: once the lock passed the right password logs in and the count restarts. */
	sql_okf("UPDATE login_throttle SET last_failure = now() - interval '16 minutes'"
	        " WHERE key = 'user:locked.user'");
	login_call(&r, "locked.user", TEST_USER_PASSWORD, "10.1.0.12", NULL);
	identity_from_login(&r, &who);
	http_result_clear(&r);
	assert_int_equal(
	        countf("SELECT count(*) FROM login_throttle WHERE key = 'user:locked.user'"), 0);
}

static void test_repeated_failures_from_one_address_lock_that_address_only(void **state)
{
	struct test_identity who;
	struct http_result r;
	char name[32];
	int i, retry;

	(void)state;
	make_user("address.user", "hr", district_id, 0, &who);
	/* Twenty names, one failure each: no account reaches its threshold. */
	for (i = 0; i < 20; i++) {
		(void)snprintf(name, sizeof(name), "nobody.%d", i);
		login_call(&r, name, WRONG_PASSWORD, "10.2.0.1", NULL);
		assert_problem(&r, 401, NULL, NULL);
		http_result_clear(&r);
	}
	login_call(&r, "address.user", TEST_USER_PASSWORD, "10.2.0.1", NULL);
	assert_problem(&r, 429, NULL, NULL);
	retry = atoi(r.retry_after);
	assert_true(retry >= 1 && retry <= 60);
	http_result_clear(&r);
	login_call(&r, "address.user", TEST_USER_PASSWORD, "10.2.0.2", NULL);
	identity_from_login(&r, &who);
	http_result_clear(&r);
	/* A success elsewhere does not unlock the address. */
	login_call(&r, "address.user", TEST_USER_PASSWORD, "10.2.0.1", NULL);
	assert_problem(&r, 429, NULL, NULL);
	http_result_clear(&r);
	sql_okf("UPDATE login_throttle SET last_failure = now() - interval '61 seconds'"
	        " WHERE key = 'addr:10.2.0.1'");
	login_call(&r, "address.user", TEST_USER_PASSWORD, "10.2.0.1", NULL);
	identity_from_login(&r, &who);
	http_result_clear(&r);
}

/* ---- API tokens ---- */

static void test_api_token_is_shown_once_stored_hashed_listed_and_revoked(void **state)
{
	struct test_identity who, token;
	struct http_result r;
	long long token_id, created = audit_count("token.create"), revoked;
	char path[64], prefix[16];
	json_t *item;
	size_t i;

	(void)state;
	make_user("token.user", "auditor", city_id, 0, &who);
	http_call_json_as(
	        &proc, &who, &r, "POST", "/api/v1/tokens", NULL,
	        json_pack("{s:s, s:i}", "name", "备份脚本 backup", "expires_in_days", 30));
	assert_int_equal(r.status, 201);
	token = who;
	token.cookie[0] = token.csrf[0] = '\0';
	assert_true(strncmp(str(r.json, "token"), "tcard_", 6) == 0);
	assert_int_equal(strlen(str(r.json, "token")), 49);
	(void)snprintf(token.bearer, sizeof(token.bearer), "%s", str(r.json, "token"));
	keep_identity(&token);
	assert_string_equal(str(r.json, "name"), "备份脚本 backup");
	assert_int_equal(strlen(str(r.json, "prefix")), 10);
	assert_true(strncmp(str(r.json, "prefix"), token.bearer, 10) == 0);
	(void)snprintf(prefix, sizeof(prefix), "%s", str(r.json, "prefix"));
	token_id = num(r.json, "id");
	http_result_clear(&r);

	/* Only its SHA-256 is kept; it expires in the days asked for. */
	assert_int_equal(token_id_of(&token), token_id);
	assert_int_equal(
	        count_with("SELECT count(*) FROM api_token t WHERE strpos(t::text, $1) > 0",
	                   token.bearer),
	        0);
	assert_int_equal(countf("SELECT count(*) FROM api_token WHERE id = %lld AND user_id = %lld"
	                        " AND expires_at BETWEEN now() + interval '29 days 23 hours'"
	                        " AND now() + interval '30 days 1 hour'",
	                        token_id, who.user_id),
	                 1);
	assert_int_equal(audit_count("token.create"), created + 1);
	assert_int_equal(countf("SELECT count(*) FROM audit_log WHERE action = 'token.create'"
	                        " AND target_id = '%lld' AND user_id = %lld",
	                        token_id, who.user_id),
	                 1);

	assert_session_is(&token, "token.user", "token");
	/* Writes with a token need no CSRF header (browsers never send it by themselves). */
	http_call_json_as(&proc, &token, &r, "POST", "/api/v1/tokens", NULL,
	                  json_pack("{s:s}", "name", "second"));
	assert_int_equal(r.status, 201);
	keep_secret(str(r.json, "token"));
	http_result_clear(&r);
	assert_int_equal(countf("SELECT count(*) FROM api_token WHERE user_id = %lld"
	                        " AND name = 'second' AND expires_at BETWEEN now()"
	                        " + interval '89 days' AND now() + interval '91 days'",
	                        who.user_id),
	                 1);

	/* Listed without the secret. */
	http_call_as(&proc, &token, &r, "GET", "/api/v1/tokens", NULL, NULL);
	assert_int_equal(test_items_count(&r), 2);
	assert_true(test_items_hold(&r, token_id));
	json_array_foreach(json_object_get(r.json, "items"), i, item)
	{
		assert_null(json_object_get(item, "token"));
		assert_null(json_object_get(item, "token_hash"));
		assert_true(json_is_true(json_object_get(item, "active")));
	}
	assert_null(strstr(r.body, token.bearer));
	assert_non_null(strstr(r.body, prefix));
	http_result_clear(&r);
	/* Somebody else's list does not show it, and they cannot revoke it. */
	(void)snprintf(path, sizeof(path), "/api/v1/tokens/%lld", token_id);
	http_call(&proc, &r, "GET", "/api/v1/tokens", NULL, NULL);
	assert_false(test_items_hold(&r, token_id));
	http_result_clear(&r);
	revoked = audit_count("token.revoke");
	http_call(&proc, &r, "DELETE", path, NULL, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	assert_session_is(&token, "token.user", "token");

	/* Revoked by its owner: refused from then on, still listed as inactive. */
	http_call_as(&proc, &who, &r, "DELETE", path, NULL, NULL);
	assert_int_equal(r.status, 204);
	http_result_clear(&r);
	assert_int_equal(audit_count("token.revoke"), revoked + 1);
	assert_int_equal(countf("SELECT count(*) FROM audit_log WHERE action = 'token.revoke'"
	                        " AND target_id = '%lld' AND user_id = %lld",
	                        token_id, who.user_id),
	                 1);
	assert_refused(&token, "revoked");
	http_call_as(&proc, &who, &r, "DELETE", path, NULL, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	http_call_as(&proc, &who, &r, "GET", "/api/v1/tokens", NULL, NULL);
	json_array_foreach(json_object_get(r.json, "items"), i, item)
	{
		if (num(item, "id") != token_id)
			continue;
		assert_true(json_is_false(json_object_get(item, "active")));
		assert_non_null(str(item, "revoked_at"));
	}
	http_result_clear(&r);
}

static void test_token_needs_a_name_and_1_to_365_days(void **state)
{
	struct http_result r;
	char before[33];

	(void)state;
	snapshot(before);
	http_call(&proc, &r, "POST", "/api/v1/tokens", NULL,
	          "{\"name\":\"x\",\"expires_in_days\":0}");
	assert_problem(&r, 422, "expires_in_days", "range");
	http_result_clear(&r);
	http_call(&proc, &r, "POST", "/api/v1/tokens", NULL,
	          "{\"name\":\"x\",\"expires_in_days\":366}");
	assert_problem(&r, 422, "expires_in_days", "range");
	http_result_clear(&r);
	http_call(&proc, &r, "POST", "/api/v1/tokens", NULL,
	          "{\"name\":\"x\",\"expires_in_days\":\"30\"}");
	assert_problem(&r, 422, "expires_in_days", "type");
	http_result_clear(&r);
	http_call(&proc, &r, "POST", "/api/v1/tokens", NULL, "{\"expires_in_days\":30}");
	assert_problem(&r, 422, "name", "required");
	http_result_clear(&r);
	http_call(&proc, &r, "POST", "/api/v1/tokens", NULL, "{\"name\":\"  \"}");
	assert_problem(&r, 422, "name", "required");
	http_result_clear(&r);
	http_call(&proc, &r, "POST", "/api/v1/tokens", NULL, "{\"name\":\"x\",\"user_id\":1}");
	assert_problem(&r, 422, "user_id", "unknown_field");
	http_result_clear(&r);
	assert_unchanged(before);
	http_call(&proc, &r, "POST", "/api/v1/tokens", NULL,
	          "{\"name\":\"a year\",\"expires_in_days\":365}");
	assert_int_equal(r.status, 201);
	keep_secret(str(r.json, "token"));
	http_result_clear(&r);
	http_call(&proc, &r, "POST", "/api/v1/tokens", NULL,
	          "{\"name\":\"a day\",\"expires_in_days\":1}");
	assert_int_equal(r.status, 201);
	keep_secret(str(r.json, "token"));
	http_result_clear(&r);
}

/* ---- expiry ---- */

static void test_idle_and_absolute_expiry_end_sessions_and_tokens_expire(void **state)
{
	struct test_identity who, second, token;
	struct http_result r;
	long long session;
	char before[33];

	(void)state;
	make_user("expiry.user", "hr", district_id, 0, &who);
	make_token(&who, &token);
	session = session_id_of(&who);

	/* 29 minutes idle: still valid, and using it starts the 30 minutes again. */
	sql_okf("UPDATE auth_session SET last_seen_at = now() - interval '29 minutes'"
	        " WHERE id = %lld",
	        session);
	assert_session_is(&who, "expiry.user", "session");
	assert_int_equal(countf("SELECT count(*) FROM auth_session WHERE id = %lld"
	                        " AND last_seen_at > now() - interval '1 minute'",
	                        session),
	                 1);

	/* 31 minutes idle: expired, and refusing it changes nothing. */
	sql_okf("UPDATE auth_session SET last_seen_at = now() - interval '31 minutes'"
	        " WHERE id = %lld",
	        session);
	snapshot(before);
	assert_refused(&who, "expired");
	http_call_as(&proc, &who, &r, "POST", "/api/v1/tokens", NULL, "{\"name\":\"late\"}");
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	http_call_as(&proc, &who, &r, "POST", "/api/v1/logout", NULL, NULL);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	assert_unchanged(before);

	/* Used a minute ago but 12 hours old: the absolute limit ends it. */
	login("expiry.user", TEST_USER_PASSWORD, &second);
	sql_okf("UPDATE auth_session SET created_at = now() - interval '12 hours 1 minute',"
	        " last_seen_at = now() - interval '1 minute', expires_at = now() - interval '1 "
	        "minute'"
	        " WHERE id = %lld",
	        session_id_of(&second));
	snapshot(before);
	assert_refused(&second, "expired");
	assert_unchanged(before);

	/* A token past its expiry. */
	assert_session_is(&token, "expiry.user", "token");
	sql_okf("UPDATE api_token SET created_at = now() - interval '91 days',"
	        " expires_at = now() - interval '1 second' WHERE id = %lld",
	        token_id_of(&token));
	snapshot(before);
	assert_refused(&token, "expired");
	http_call_json_as(&proc, &token, &r, "POST", "/api/v1/tokens", NULL,
	                  json_pack("{s:s}", "name", "late"));
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	assert_unchanged(before);
}

/* ---- refused credentials ---- */

static void test_tampered_or_malformed_credentials_are_401_and_change_nothing(void **state)
{
	struct test_identity who, token, tampered;
	struct http_result r;
	char before[33], header[300], long_token[256];
	size_t len;

	(void)state;
	make_user("tamper.user", "hr", district_id, 0, &who);
	make_token(&who, &token);
	sql_okf("UPDATE auth_session SET last_seen_at = now() - interval '5 minutes'"
	        " WHERE user_id = %lld",
	        who.user_id);
	sql_okf("UPDATE api_token SET last_used_at = now() - interval '5 minutes'"
	        " WHERE user_id = %lld",
	        who.user_id);
	snapshot(before);

	/* One character changed in the cookie, and in the token. */
	tampered = who;
	len = strlen(tampered.cookie);
	tampered.cookie[len - 1] = tampered.cookie[len - 1] == 'A' ? 'B' : 'A';
	assert_refused(&tampered, "not valid");
	http_call_as(&proc, &tampered, &r, "POST", "/api/v1/tokens", NULL, "{\"name\":\"t\"}");
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	tampered = token;
	len = strlen(tampered.bearer);
	tampered.bearer[len - 1] = tampered.bearer[len - 1] == 'A' ? 'B' : 'A';
	assert_refused(&tampered, "not valid");
	/* The cookie's secret is no API token, nor the token a cookie. */
	(void)snprintf(header, sizeof(header), "Bearer %s", cookie_secret(&who));
	authorization_call(&r, "GET", "/api/v1/session", header);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	memset(&tampered, 0, sizeof(tampered));
	(void)snprintf(tampered.cookie, sizeof(tampered.cookie), "tcard_session=%s", token.bearer);
	assert_refused(&tampered, NULL);

	/* Malformed Authorization headers. */
	authorization_call(&r, "GET", "/api/v1/session", "Basic dGFtcGVyLnVzZXI6cGFzc3dvcmQ=");
	assert_problem(&r, 401, NULL, NULL);
	assert_non_null(strstr(str(r.json, "detail"), "Bearer"));
	http_result_clear(&r);
	authorization_call(&r, "GET", "/api/v1/session", "Bearer");
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	authorization_call(&r, "GET", "/api/v1/session", token.bearer);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	memset(long_token, 'a', sizeof(long_token) - 1);
	long_token[sizeof(long_token) - 1] = '\0';
	(void)snprintf(header, sizeof(header), "Bearer %s", long_token);
	authorization_call(&r, "GET", "/api/v1/session", header);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	/* A bad Authorization header is not overlooked because a good cookie came along. */
	{
		char cookie[200];
		const char *headers[] = {"Authorization: Basic eDp5", cookie, NULL};

		(void)snprintf(cookie, sizeof(cookie), "Cookie: %s", who.cookie);
		http_call_as(&proc, NULL, &r, "GET", "/api/v1/session", headers, NULL);
		assert_problem(&r, 401, NULL, NULL);
		http_result_clear(&r);
	}
	/* No credential at all. */
	http_call_as(&proc, NULL, &r, "GET", "/api/v1/session", NULL, NULL);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	http_call_as(&proc, NULL, &r, "POST", "/api/v1/users", NULL, "{}");
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	assert_unchanged(before);
	assert_session_is(&who, "tamper.user", "session");
	assert_session_is(&token, "tamper.user", "token");
}

static void test_refused_role_or_pending_password_change_touches_nothing(void **state)
{
	struct test_identity who, token, pending;
	struct http_result r;
	char before[33], otp[64];
	long long id;

	(void)state;
	make_user("role.user", "auditor", city_id, 0, &who);
	make_token(&who, &token);
	sql_okf("UPDATE auth_session SET last_seen_at = now() - interval '5 minutes'"
	        " WHERE user_id = %lld",
	        who.user_id);
	sql_okf("UPDATE api_token SET last_used_at = now() - interval '5 minutes'"
	        " WHERE user_id = %lld",
	        who.user_id);
	snapshot(before);
	http_call_as(&proc, &who, &r, "GET", "/api/v1/users", NULL, NULL);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	http_call_as(&proc, &token, &r, "POST", "/api/v1/users", NULL,
	             "{\"username\":\"sneaky\",\"display_name\":\"x\",\"role\":\"admin\"}");
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	assert_unchanged(before);
	/* Nor does a request refused for a one-time password not yet changed. */
	id = create_account("pending.user", "auditor", city_id, 0, otp, sizeof(otp));
	login("pending.user", otp, &pending);
	sql_okf("UPDATE auth_session SET last_seen_at = now() - interval '5 minutes'"
	        " WHERE user_id = %lld",
	        id);
	snapshot(before);
	http_call_as(&proc, &pending, &r, "GET", "/api/v1/orgs", NULL, NULL);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	assert_unchanged(before);
	/* An allowed request keeps both alive. */
	assert_session_is(&who, "role.user", "session");
	assert_session_is(&token, "role.user", "token");
	assert_int_equal(countf("SELECT count(*) FROM api_token WHERE user_id = %lld"
	                        " AND last_used_at > now() - interval '1 minute'",
	                        who.user_id),
	                 1);
}

/* ---- passwords ---- */

static void test_one_time_password_allows_only_session_password_and_logout(void **state)
{
	struct test_identity who, again;
	struct http_result r;
	char otp[64];
	long long id, changes = audit_count("password.change");

	(void)state;
	id = create_account("otp.user", "hr", district_id, 0, otp, sizeof(otp));
	assert_int_equal(strlen(otp), 16);
	assert_int_equal(countf("SELECT count(*) FROM app_user WHERE id = %lld"
	                        " AND must_change_password"
	                        " AND password_hash LIKE '$argon2id$%%'",
	                        id),
	                 1);
	login_call(&r, "otp.user", otp, NULL, NULL);
	assert_true(json_is_true(json_object_get(r.json, "must_change_password")));
	identity_from_login(&r, &who);
	http_result_clear(&r);
	login("otp.user", otp, &again);

	http_call_as(&proc, &who, &r, "GET", "/api/v1/orgs", NULL, NULL);
	assert_problem(&r, 403, NULL, NULL);
	assert_non_null(strstr(str(r.json, "detail"), "one-time password"));
	http_result_clear(&r);
	http_call_as(&proc, &who, &r, "GET", "/api/v1/tokens", NULL, NULL);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	http_call_as(&proc, &who, &r, "POST", "/api/v1/tokens", NULL, "{\"name\":\"early\"}");
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	http_call_as(&proc, &who, &r, "GET", "/api/v1/session", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(
	        json_object_get(json_object_get(r.json, "user"), "must_change_password")));
	http_result_clear(&r);

	/* The new password must be new, long enough, and follow the right current one. */
	http_call_json_as(&proc, &who, &r, "POST", "/api/v1/session/password", NULL,
	                  json_pack("{s:s, s:s}", "current_password", "not-the-password",
	                            "new_password", NEW_PASSWORD));
	assert_problem(&r, 422, "current_password", "wrong");
	http_result_clear(&r);
	http_call_json_as(&proc, &who, &r, "POST", "/api/v1/session/password", NULL,
	                  json_pack("{s:s, s:s}", "current_password", otp, "new_password", otp));
	assert_problem(&r, 422, "new_password", "unchanged");
	http_result_clear(&r);
	http_call_json_as(
	        &proc, &who, &r, "POST", "/api/v1/session/password", NULL,
	        json_pack("{s:s, s:s}", "current_password", otp, "new_password", "eleven-char"));
	assert_problem(&r, 422, "new_password", "weak");
	http_result_clear(&r);
	assert_int_equal(audit_count("password.change"), changes);
	/* Twelve characters are enough, Chinese ones too. */
	test_change_password(&proc, &who, otp, CHINESE_PASSWORD);
	assert_int_equal(audit_count("password.change"), changes + 1);
	assert_int_equal(countf("SELECT count(*) FROM audit_log WHERE action = 'password.change'"
	                        " AND target_id = '%lld' AND user_id = %lld",
	                        id, id),
	                 1);
	http_call_as(&proc, &who, &r, "GET", "/api/v1/orgs", NULL, NULL);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	/* The other session ended with the change. */
	assert_refused(&again, "revoked");
	login_call(&r, "otp.user", otp, NULL, NULL);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	login("otp.user", CHINESE_PASSWORD, &again);
	test_change_password(&proc, &again, CHINESE_PASSWORD, "twelve-chars");
}

static void test_wrong_current_passwords_count_as_failed_logins_and_lock(void **state)
{
	struct test_identity who;
	struct http_result r;
	long long failed = audit_count("password.change_failed");
	int i, retry;

	(void)state;
	make_user("guess.user", "hr", district_id, 0, &who);
	/* A stolen session is no way round the throttle to guess the password. */
	for (i = 0; i < 5; i++) {
		http_call_json_as(&proc, &who, &r, "POST", "/api/v1/session/password", NULL,
		                  json_pack("{s:s, s:s}", "current_password", WRONG_PASSWORD,
		                            "new_password", NEW_PASSWORD));
		assert_problem(&r, 422, "current_password", "wrong");
		http_result_clear(&r);
	}
	assert_int_equal(audit_count("password.change_failed"), failed + 5);
	assert_int_equal(countf("SELECT count(*) FROM audit_log"
	                        " WHERE action = 'password.change_failed' AND user_id = %lld",
	                        who.user_id),
	                 5);
	http_call_json_as(&proc, &who, &r, "POST", "/api/v1/session/password", NULL,
	                  json_pack("{s:s, s:s}", "current_password", TEST_USER_PASSWORD,
	                            "new_password", NEW_PASSWORD));
	assert_problem(&r, 429, NULL, NULL);
	retry = atoi(r.retry_after);
	assert_true(retry >= 1 && retry <= 60);
	http_result_clear(&r);
	login_call(&r, "guess.user", TEST_USER_PASSWORD, "10.4.0.1", NULL);
	assert_problem(&r, 429, NULL, NULL);
	http_result_clear(&r);
	assert_int_equal(countf("SELECT count(*) FROM app_user WHERE id = %lld AND version = 2",
	                        who.user_id),
	                 1);
	/* Once the lock passed, the right password changes it. */
	sql_okf("UPDATE login_throttle SET last_failure = now() - interval '61 seconds'");
	test_change_password(&proc, &who, TEST_USER_PASSWORD, NEW_PASSWORD);
}

static void test_login_rehashes_a_password_kept_with_other_parameters(void **state)
{
	struct test_identity who;
	char old_hash[crypto_pwhash_STRBYTES];
	const char *param = old_hash;
	PGresult *res;

	(void)state;
	make_user("rehash.user", "hr", district_id, 0, &who);
	/* A hash from a time of other parameters (t = 3, 8 MiB). */
	assert_true(sodium_init() >= 0);
	assert_int_equal(crypto_pwhash_str(old_hash, TEST_USER_PASSWORD, strlen(TEST_USER_PASSWORD),
	                                   3, 8u * 1024u * 1024u),
	                 0);
	res = PQexecParams(db,
	                   "UPDATE app_user SET password_hash = $1 WHERE username = 'rehash.user'",
	                   1, NULL, &param, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	login("rehash.user", TEST_USER_PASSWORD, &who);
	assert_int_equal(count_with("SELECT count(*) FROM app_user WHERE username = 'rehash.user'"
	                            " AND password_hash <> $1"
	                            " AND password_hash LIKE '$argon2id$v=19$m=19456,t=2,p=1$%'",
	                            old_hash),
	                 1);
	login("rehash.user", TEST_USER_PASSWORD, &who);
}

static void test_password_change_ends_the_users_other_sessions(void **state)
{
	struct test_identity first, second, third;
	struct http_result r;

	(void)state;
	make_user("change.user", "hr", district_id, 0, &first);
	login("change.user", TEST_USER_PASSWORD, &second);
	login("change.user", TEST_USER_PASSWORD, &third);
	test_change_password(&proc, &first, TEST_USER_PASSWORD, NEW_PASSWORD);
	assert_session_is(&first, "change.user", "session");
	assert_refused(&second, "revoked");
	assert_refused(&third, "revoked");
	assert_int_equal(countf("SELECT count(*) FROM auth_session WHERE user_id = %lld"
	                        " AND revoked_at IS NULL",
	                        first.user_id),
	                 1);
	login_call(&r, "change.user", TEST_USER_PASSWORD, NULL, NULL);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	login("change.user", NEW_PASSWORD, &second);
	assert_int_equal(countf("SELECT count(*) FROM app_user WHERE id = %lld"
	                        " AND version = 3", /* created, changed twice */
	                        first.user_id),
	                 1);
}

/* ---- account management ---- */

static void assert_create_refused(json_t *body, long status, const char *field, const char *reason)
{
	struct http_result r;

	http_call_json(&proc, &r, "POST", "/api/v1/users", NULL, body);
	assert_problem(&r, status, field, reason);
	assert_null(json_object_get(r.json, "one_time_password"));
	http_result_clear(&r);
}

static void test_admin_creates_accounts_with_field_errors_as_problems(void **state)
{
	struct test_identity hr;
	struct http_result r;
	char otp[64], path[64], before[33];
	long long id, officer_account;

	(void)state;
	http_call_json(&proc, &r, "POST", "/api/v1/users", NULL,
	               json_pack("{s:s, s:s, s:s, s:I}", "username", "new.hr", "display_name",
	                         "新人事", "role", "hr", "org_id", (json_int_t)district_id));
	assert_int_equal(r.status, 201);
	id = num(r.json, "id");
	(void)snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	assert_string_equal(r.location, path);
	assert_string_equal(r.etag, "\"1\"");
	assert_string_equal(str(r.json, "username"), "new.hr");
	assert_string_equal(str(r.json, "role"), "hr");
	assert_true(json_is_true(json_object_get(r.json, "must_change_password")));
	assert_null(json_object_get(r.json, "password_hash"));
	keep_secret(str(r.json, "one_time_password"));
	(void)snprintf(otp, sizeof(otp), "%s", str(r.json, "one_time_password"));
	http_result_clear(&r);
	assert_int_equal(countf("SELECT count(*) FROM audit_log WHERE action = 'user.create'"
	                        " AND target_id = '%lld' AND after ->> 'username' = 'new.hr'"
	                        " AND user_id = %lld",
	                        id, proc.admin.user_id),
	                 1);
	/* Read back: no password of any kind. */
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.etag, "\"1\"");
	assert_null(json_object_get(r.json, "one_time_password"));
	assert_null(strstr(r.body, otp));
	assert_null(strstr(r.body, "argon2"));
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/users?q=new.h", NULL, NULL);
	assert_true(test_items_hold(&r, id));
	assert_null(strstr(r.body, "argon2"));
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/users?role=auditor", NULL, NULL);
	assert_false(test_items_hold(&r, id));
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/users/999999", NULL, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);

	officer_account = create_account("officer.a", "officer", 0, officer_a, otp, sizeof(otp));
	assert_true(officer_account > 0);

	snapshot(before);
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I}", "username", "new.hr",
	                                "display_name", "x", "role", "hr", "org_id",
	                                (json_int_t)district_id),
	                      409, "username", "duplicate");
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I}", "username", "Bad Name",
	                                "display_name", "x", "role", "hr", "org_id",
	                                (json_int_t)district_id),
	                      422, "username", "format");
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I}", "username", "x", "display_name",
	                                "x", "role", "hr", "org_id", (json_int_t)district_id),
	                      422, "username", "format");
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I}", "username", "scope.admin",
	                                "display_name", "x", "role", "admin", "org_id",
	                                (json_int_t)district_id),
	                      422, "org_id", "scope");
	assert_create_refused(json_pack("{s:s, s:s, s:s}", "username", "scope.hr", "display_name",
	                                "x", "role", "hr"),
	                      422, "org_id", "scope");
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I}", "username", "scope.officer",
	                                "display_name", "x", "role", "officer", "org_id",
	                                (json_int_t)district_id),
	                      422, "org_id", "scope");
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I, s:I}", "username", "scope.auditor",
	                                "display_name", "x", "role", "auditor", "org_id",
	                                (json_int_t)city_id, "officer_id", (json_int_t)officer_b),
	                      422, "org_id", "scope");
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I}", "username", "unknown.org",
	                                "display_name", "x", "role", "hr", "org_id",
	                                (json_int_t)999999),
	                      422, "org_id", "unknown");
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I}", "username", "unknown.officer",
	                                "display_name", "x", "role", "officer", "officer_id",
	                                (json_int_t)999999),
	                      422, "officer_id", "unknown");
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I}", "username", "officer.a2",
	                                "display_name", "x", "role", "officer", "officer_id",
	                                (json_int_t)officer_a),
	                      409, "officer_id", "duplicate");
	assert_create_refused(json_pack("{s:s, s:s, s:s}", "username", "bad.role", "display_name",
	                                "x", "role", "boss"),
	                      422, "role", "choice");
	assert_create_refused(json_pack("{s:s, s:s, s:I}", "username", "no.name", "role", "hr",
	                                "org_id", (json_int_t)district_id),
	                      422, "display_name", "required");
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I, s:s}", "username", "with.password",
	                                "display_name", "x", "role", "hr", "org_id",
	                                (json_int_t)district_id, "password", "chosen-password-1"),
	                      422, "password", "unknown_field");
	assert_create_refused(json_pack("{s:s, s:s, s:s, s:I, s:b}", "username", "born.disabled",
	                                "display_name", "x", "role", "hr", "org_id",
	                                (json_int_t)district_id, "disabled", 1),
	                      422, "disabled", NULL);
	assert_unchanged(before);

	/* Only an administrator manages accounts. */
	make_user("plain.hr", "hr", district_id, 0, &hr);
	snapshot(before);
	http_call_as(&proc, &hr, &r, "GET", "/api/v1/users", NULL, NULL);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	http_call_json_as(&proc, &hr, &r, "POST", "/api/v1/users", NULL,
	                  json_pack("{s:s, s:s, s:s}", "username", "hr.made", "display_name", "x",
	                            "role", "admin"));
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/users/%lld/password-reset", id);
	http_call_as(&proc, &hr, &r, "POST", path, NULL, NULL);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	assert_unchanged(before);
}

static void test_patch_user_needs_if_match_and_checks_the_scope(void **state)
{
	struct http_result r;
	char otp[64], path[64], before[33];
	long long id, updates;
	const char *headers[] = {"If-Match: \"7\"", NULL};

	(void)state;
	id = create_account("patch.user", "hr", district_id, 0, otp, sizeof(otp));
	(void)snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	updates = audit_count("user.update");
	snapshot(before);
	http_call(&proc, &r, "PATCH", path, NULL, "{\"display_name\":\"改名\"}");
	assert_problem(&r, 428, NULL, NULL);
	http_result_clear(&r);
	http_call(&proc, &r, "PATCH", path, headers, "{\"display_name\":\"改名\"}");
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"1\"",
	               json_pack("{s:s}", "username", "renamed"));
	assert_problem(&r, 422, "username", "read_only");
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"1\"", json_pack("{s:s}", "role", "admin"));
	assert_problem(&r, 422, "org_id", "scope");
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"1\"", json_pack("{s:I}", "org_id", 999999));
	assert_problem(&r, 422, "org_id", "unknown");
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"1\"",
	               json_pack("{s:s, s:n, s:I}", "role", "officer", "org_id", "officer_id",
	                         (json_int_t)officer_a));
	assert_problem(&r, 409, "officer_id", "duplicate");
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", "/api/v1/users/999999", "*",
	               json_pack("{s:s}", "display_name", "x"));
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	assert_unchanged(before);
	assert_int_equal(audit_count("user.update"), updates);

	http_call_json(&proc, &r, "PATCH", path, "\"1\"",
	               json_pack("{s:s}", "display_name", "改名"));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.etag, "\"2\"");
	assert_string_equal(str(r.json, "display_name"), "改名");
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"1\"",
	               json_pack("{s:s}", "display_name", "又改"));
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"2\"",
	               json_pack("{s:s, s:I}", "role", "auditor", "org_id", (json_int_t)city_id));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.etag, "\"3\"");
	assert_string_equal(str(r.json, "role"), "auditor");
	assert_int_equal(num(r.json, "org_id"), city_id);
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", path, "\"3\"",
	               json_pack("{s:s, s:n, s:I}", "role", "officer", "org_id", "officer_id",
	                         (json_int_t)officer_b));
	assert_int_equal(r.status, 200);
	assert_int_equal(num(r.json, "officer_id"), officer_b);
	assert_true(json_is_null(json_object_get(r.json, "org_id")));
	http_result_clear(&r);
	assert_int_equal(audit_count("user.update"), updates + 3);
	assert_int_equal(
	        countf("SELECT count(*) FROM audit_log WHERE action = 'user.update'"
	               " AND target_id = '%lld' AND before ->> 'display_name' = 'patch.user'"
	               " AND after ->> 'display_name' = '改名'",
	               id),
	        1);
}

static void test_disabling_an_account_revokes_its_sessions_and_tokens(void **state)
{
	struct test_identity who, second, token;
	struct http_result r, unknown;

	(void)state;
	make_user("disable.user", "hr", district_id, 0, &who);
	login("disable.user", TEST_USER_PASSWORD, &second);
	make_token(&who, &token);
	patch_user(&r, who.user_id, json_pack("{s:b}", "disabled", 1));
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "disabled")));
	http_result_clear(&r);
	assert_int_equal(countf("SELECT count(*) FROM auth_session WHERE user_id = %lld"
	                        " AND revoked_at IS NULL",
	                        who.user_id),
	                 0);
	assert_int_equal(countf("SELECT count(*) FROM api_token WHERE user_id = %lld"
	                        " AND revoked_at IS NULL",
	                        who.user_id),
	                 0);
	assert_refused(&who, NULL);
	assert_refused(&second, NULL);
	assert_refused(&token, NULL);
	assert_int_equal(countf("SELECT count(*) FROM audit_log WHERE action = 'user.update'"
	                        " AND target_id = '%lld' AND (after ->> 'disabled')::boolean",
	                        who.user_id),
	                 1);
	/* The right password of a disabled account answers like a wrong one. */
	login_call(&r, "disable.user", TEST_USER_PASSWORD, "10.3.0.1", NULL);
	login_call(&unknown, "no.such.user", TEST_USER_PASSWORD, "10.3.0.2", NULL);
	assert_problem(&r, 401, NULL, NULL);
	assert_same_problem(&r, &unknown);
	http_result_clear(&r);
	http_result_clear(&unknown);

	/* Enabled again: it may log in, the old credentials stay dead. */
	patch_user(&r, who.user_id, json_pack("{s:b}", "disabled", 0));
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	login("disable.user", TEST_USER_PASSWORD, &second);
	assert_refused(&token, "revoked");
	assert_refused(&who, "revoked");
}

static void test_password_reset_revokes_sessions_and_tokens_and_forces_a_change(void **state)
{
	struct test_identity who, token, fresh;
	struct http_result r;
	char path[80], otp[64];
	long long resets = audit_count("user.password_reset");

	(void)state;
	make_user("reset.user", "hr", district_id, 0, &who);
	make_token(&who, &token);
	(void)snprintf(path, sizeof(path), "/api/v1/users/%lld/password-reset", who.user_id);
	http_call(&proc, &r, "POST", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.etag, "\"3\""); /* created, password changed, reset */
	assert_true(json_is_true(json_object_get(r.json, "must_change_password")));
	assert_int_equal(strlen(str(r.json, "one_time_password")), 16);
	(void)snprintf(otp, sizeof(otp), "%s", str(r.json, "one_time_password"));
	keep_secret(otp);
	http_result_clear(&r);
	assert_int_equal(audit_count("user.password_reset"), resets + 1);
	assert_int_equal(
	        countf("SELECT count(*) FROM audit_log WHERE action = 'user.password_reset'"
	               " AND target_id = '%lld' AND user_id = %lld",
	               who.user_id, proc.admin.user_id),
	        1);
	assert_refused(&who, "revoked");
	assert_refused(&token, "revoked");
	login_call(&r, "reset.user", TEST_USER_PASSWORD, NULL, NULL);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	login_call(&r, "reset.user", otp, NULL, NULL);
	assert_true(json_is_true(json_object_get(r.json, "must_change_password")));
	identity_from_login(&r, &fresh);
	http_result_clear(&r);
	http_call_as(&proc, &fresh, &r, "GET", "/api/v1/orgs", NULL, NULL);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	test_change_password(&proc, &fresh, otp, NEW_PASSWORD);
	http_call_as(&proc, &fresh, &r, "GET", "/api/v1/orgs", NULL, NULL);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	http_call(&proc, &r, "POST", "/api/v1/users/999999/password-reset", NULL, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
}

/* ---- accounts made by tcardd itself ---- */

static void
test_create_admin_flag_works_while_tcardd_runs_and_resets_an_existing_admin(void **state)
{
	const char *args[] = {"--create-admin", "ops.admin", "--data-dir", proc.data_dir, NULL};
	const char *hr_args[] = {"--create-admin", "ops.hr", "--data-dir", proc.data_dir, NULL};
	struct test_identity who, token;
	struct http_result r;
	char out[700], err[700], first[64], second[64], otp[64];
	long long id;

	(void)state;
	(void)snprintf(out, sizeof(out), "%s/create-admin.out", proc.data_dir);
	(void)snprintf(err, sizeof(err), "%s/create-admin.err", proc.data_dir);
	assert_int_equal(run_tcardd(args, out, err), 0);
	create_admin_password(out, first, sizeof(first));
	assert_false(test_file_contains(err, first));
	login_call(&r, "ops.admin", first, NULL, NULL);
	assert_true(json_is_true(json_object_get(r.json, "must_change_password")));
	assert_string_equal(str(json_object_get(r.json, "user"), "role"), "admin");
	identity_from_login(&r, &who);
	http_result_clear(&r);
	test_change_password(&proc, &who, first, NEW_PASSWORD);
	make_token(&who, &token);
	assert_session_is(&token, "ops.admin", "token");
	id = who.user_id;
	assert_int_equal(countf("SELECT count(*) FROM audit_log WHERE action = 'user.create'"
	                        " AND actor = 'tcardd' AND target_id = '%lld'",
	                        id),
	                 1);

	/* Again on the same name: a new one-time password, and the old credentials end. */
	assert_int_equal(run_tcardd(args, out, err), 0);
	create_admin_password(out, second, sizeof(second));
	assert_string_not_equal(first, second);
	assert_false(test_file_contains(err, second));
	assert_int_equal(
	        countf("SELECT count(*) FROM audit_log WHERE action = 'user.password_reset'"
	               " AND actor = 'tcardd' AND target_id = '%lld'",
	               id),
	        1);
	login_call(&r, "ops.admin", NEW_PASSWORD, NULL, NULL);
	assert_problem(&r, 401, NULL, NULL);
	http_result_clear(&r);
	assert_refused(&who, "revoked");
	assert_refused(&token, "revoked");
	login_call(&r, "ops.admin", second, NULL, NULL);
	assert_true(json_is_true(json_object_get(r.json, "must_change_password")));
	identity_from_login(&r, &who);
	http_result_clear(&r);
	assert_int_equal(who.user_id, id);

	/* A name that belongs to another role is left alone. */
	(void)create_account("ops.hr", "hr", district_id, 0, otp, sizeof(otp));
	assert_int_equal(run_tcardd(hr_args, out, err), 1);
	assert_true(test_file_contains(err, "another role"));
	login_call(&r, "ops.hr", otp, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(str(json_object_get(r.json, "user"), "role"), "hr");
	identity_from_login(&r, &who);
	http_result_clear(&r);
}

static void test_demo_start_creates_one_account_per_role(void **state)
{
	static const struct {
		const char *username, *role;
	} accounts[] = {
	        {"hr.meijiang", "hr"},
	        {"auditor.meizhou", "auditor"},
	        {"officer.demo", "officer"},
	};
	const char *demo_flags[] = {"--demo", NULL};
	struct tcardd_proc demo, saved = proc;
	struct test_identity who;
	struct http_result r;
	char password[64], path[700], out[700], err[700], admin[64];
	const char *args[] = {"--create-admin", "admin", "--data-dir", NULL, NULL};
	struct stat st;
	size_t i;
	json_t *user;

	(void)state;
	tcardd_start(&demo, NULL, demo_flags);
	proc = demo; /* the helpers talk to proc */
	(void)snprintf(path, sizeof(path), "%s/initial-accounts.txt", demo.data_dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	for (i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
		assert_true(printed_password(demo.out_path, accounts[i].username, password,
		                             sizeof(password)));
		assert_int_equal(strlen(password), 16);
		keep_secret(password);
		assert_true(test_file_contains(path, password));
		assert_false(test_file_contains(demo.log_path, password));
		login_call(&r, accounts[i].username, password, NULL, NULL);
		assert_int_equal(r.status, 200);
		user = json_object_get(r.json, "user");
		assert_string_equal(str(user, "role"), accounts[i].role);
		identity_from_login(&r, &who);
		http_result_clear(&r);
		http_call_as(&proc, &who, &r, "GET", "/api/v1/session", NULL, NULL);
		assert_int_equal(r.status, 200);
		user = json_object_get(r.json, "user");
		if (strcmp(accounts[i].role, "officer") == 0) {
			assert_true(num(user, "officer_id") > 0);
			assert_true(json_is_null(json_object_get(user, "org_id")));
		} else {
			assert_string_equal(str(json_object_get(user, "org"), "code"),
			                    strcmp(accounts[i].role, "hr") == 0 ? "MZ.MJ" : "MZ");
		}
		http_result_clear(&r);
	}
	assert_true(test_file_contains(demo.out_path, "admin    admin"));
	assert_int_equal(tcardd_stop(&demo), 0);

	/* --create-admin on a stopped data directory: starts and stops its cluster. */
	args[3] = demo.data_dir;
	(void)snprintf(out, sizeof(out), "%s/create-admin.out", demo.data_dir);
	(void)snprintf(err, sizeof(err), "%s/create-admin.err", demo.data_dir);
	assert_int_equal(run_tcardd(args, out, err), 0);
	create_admin_password(out, admin, sizeof(admin));
	(void)snprintf(path, sizeof(path), "%s/pg/data/postmaster.pid", demo.data_dir);
	assert_int_equal(access(path, F_OK), -1);
	proc = saved;
	tcardd_cleanup(&demo);
}

/* ---- many clients at once ---- */

#define THREADS             8
#define REQUESTS_PER_THREAD 20

struct worker {
	char username[32];
	const char *base_url;
	pthread_barrier_t *start;
	const char *shared_bearer; /* the admin's token, used by every worker */
	char cookie[256];
	char csrf[96];
	char bearer[96];
	int done;
	char failure[400];
};

struct worker_reply {
	long status;
	char *body;
	char set_cookie[256];
};

static size_t worker_collect(char *data, size_t size, size_t n, void *cls)
{
	struct worker_reply *reply = cls;
	size_t old = reply->body != NULL ? strlen(reply->body) : 0;
	char *grown = realloc(reply->body, old + size * n + 1);

	if (grown == NULL)
		return 0;
	memcpy(grown + old, data, size * n);
	grown[old + size * n] = '\0';
	reply->body = grown;
	return size * n;
}

static size_t worker_header(char *line, size_t size, size_t n, void *cls)
{
	struct worker_reply *reply = cls;
	size_t len = size * n;

	if (len > 12 && strncasecmp(line, "Set-Cookie: ", 12) == 0)
		(void)snprintf(reply->set_cookie, sizeof(reply->set_cookie), "%.*s",
		               (int)strcspn(line + 12, ";\r\n"), line + 12);
	return len;
}

/* One request as w: "cookie" (with CSRF on writes), "bearer" or nobody. 0 or -1. */
static int worker_call(struct worker *w, const char *how, const char *method, const char *path,
                       const char *body, struct worker_reply *reply)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *list = NULL;
	char url[256], header[300];
	CURLcode rc;

	memset(reply, 0, sizeof(*reply));
	if (curl == NULL)
		return -1;
	(void)snprintf(url, sizeof(url), "%s%s", w->base_url, path);
	if (strcmp(how, "cookie") == 0) {
		(void)snprintf(header, sizeof(header), "Cookie: %s", w->cookie);
		list = curl_slist_append(list, header);
		(void)snprintf(header, sizeof(header), "X-CSRF-Token: %s", w->csrf);
		list = curl_slist_append(list, header);
	} else if (strcmp(how, "bearer") == 0 || strcmp(how, "shared") == 0) {
		(void)snprintf(header, sizeof(header), "Authorization: Bearer %s",
		               strcmp(how, "bearer") == 0 ? w->bearer : w->shared_bearer);
		list = curl_slist_append(list, header);
	}
	list = curl_slist_append(list, "Content-Type: application/json");
	list = curl_slist_append(list, "Expect:");
	(void)curl_easy_setopt(curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		(void)curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		(void)curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	(void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, worker_collect);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
	(void)curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, worker_header);
	(void)curl_easy_setopt(curl, CURLOPT_HEADERDATA, reply);
	(void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	(void)curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	return rc == CURLE_OK ? 0 : -1;
}

/* One step of a worker: log in, make a token, or ask who it is with its
 * cookie, its token or the token all share. 0, or -1 with w->failure. */
static int worker_step(struct worker *w, int step)
{
	struct worker_reply reply;
	char body[200];
	const char *how = step % 5 == 4 ? "shared" : step % 2 == 0 ? "cookie" : "bearer";
	const char *expected = strcmp(how, "shared") == 0 ? "admin" : w->username;
	json_t *doc = NULL, *user;
	int ok = 0;

	if (step == 0 || step == 10) {
		(void)snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}",
		               w->username, TEST_USER_PASSWORD);
		if (worker_call(w, "nobody", "POST", "/api/v1/login", body, &reply) == 0 &&
		    reply.status == 200 && (doc = json_loads(reply.body, 0, NULL)) != NULL) {
			user = json_object_get(doc, "user");
			ok = strcmp(str(user, "username"), w->username) == 0 &&
			     str(doc, "csrf_token") != NULL && reply.set_cookie[0] != '\0';
			if (ok) {
				(void)snprintf(w->cookie, sizeof(w->cookie), "%s",
				               reply.set_cookie);
				(void)snprintf(w->csrf, sizeof(w->csrf), "%s",
				               str(doc, "csrf_token"));
			}
		}
	} else if (step == 1 || step == 11) {
		if (worker_call(w, "cookie", "POST", "/api/v1/tokens", "{\"name\":\"worker\"}",
		                &reply) == 0 &&
		    reply.status == 201 && (doc = json_loads(reply.body, 0, NULL)) != NULL &&
		    str(doc, "token") != NULL) {
			(void)snprintf(w->bearer, sizeof(w->bearer), "%s", str(doc, "token"));
			ok = 1;
		}
	} else if (worker_call(w, how, "GET", "/api/v1/session", NULL, &reply) == 0 &&
	           reply.status == 200 && (doc = json_loads(reply.body, 0, NULL)) != NULL) {
		user = json_object_get(doc, "user");
		ok = str(user, "username") != NULL &&
		     strcmp(str(user, "username"), expected) == 0 &&
		     strcmp(str(doc, "authenticated_by"),
		            strcmp(how, "cookie") == 0 ? "session" : "token") == 0;
	}
	if (!ok && w->failure[0] == '\0')
		(void)snprintf(w->failure, sizeof(w->failure), "%s step %d: %ld %s", w->username,
		               step, reply.status, reply.body != NULL ? reply.body : "(no reply)");
	json_decref(doc);
	free(reply.body);
	return ok ? 0 : -1;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	int step;

	(void)pthread_barrier_wait(w->start);
	for (step = 0; step < REQUESTS_PER_THREAD; step++) {
		if (worker_step(w, step) != 0)
			break;
		w->done++;
	}
	return NULL;
}

static void
test_many_clients_logging_in_and_using_tokens_at_once_keep_their_identities(void **state)
{
	struct worker workers[THREADS];
	pthread_t threads[THREADS];
	pthread_barrier_t start;
	struct test_identity who;
	long long logins = audit_count("login"), tokens = audit_count("token.create");
	int i;

	(void)state;
	memset(workers, 0, sizeof(workers));
	assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (i = 0; i < THREADS; i++) {
		(void)snprintf(workers[i].username, sizeof(workers[i].username), "many.%d", i);
		make_user(workers[i].username, i % 2 ? "hr" : "auditor",
		          i % 2 ? district_id : city_id, 0, &who);
		workers[i].base_url = proc.base_url;
		workers[i].shared_bearer = proc.admin.bearer;
		workers[i].start = &start;
	}
	logins = audit_count("login");
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, worker_run, &workers[i]), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	(void)pthread_barrier_destroy(&start);
	for (i = 0; i < THREADS; i++) {
		if (workers[i].failure[0] != '\0')
			fail_msg("%s", workers[i].failure);
		assert_int_equal(workers[i].done, REQUESTS_PER_THREAD);
		keep_secret(workers[i].bearer);
		keep_secret(workers[i].csrf);
	}
	assert_int_equal(audit_count("login"), logins + 2 * THREADS);
	assert_int_equal(audit_count("token.create"), tokens + 2 * THREADS);
	assert_int_equal(countf("SELECT count(*) FROM api_token t JOIN app_user u"
	                        " ON u.id = t.user_id WHERE u.username LIKE 'many.%%'"),
	                 2 * THREADS);
	assert_int_equal(countf("SELECT count(DISTINCT (a.actor, a.user_id)) FROM audit_log a"
	                        " JOIN app_user u ON u.id = a.user_id"
	                        " WHERE a.action = 'token.create' AND u.username LIKE 'many.%%'"
	                        " AND a.actor = u.username"),
	                 THREADS);
}

/* ---- the audit trail of it all ---- */

static void test_every_account_event_is_audited_and_no_secret_is_kept_anywhere(void **state)
{
	static const char *const actions[] = {
	        "login",
	        "login_failed",
	        "logout",
	        "password.change",
	        "token.create",
	        "token.revoke",
	        "user.create",
	        "user.update",
	        "user.password_reset",
	        "password.change_failed",
	};
	struct http_result r;
	char admin_password[64], pg_log_dir[600], path[900];
	struct dirent *entry;
	size_t i;
	DIR *dir;

	(void)state;
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (audit_count(actions[i]) == 0)
			fail_msg("no audit entry %s", actions[i]);
	/* No password hash, session or token hash, nor any secret the tests saw. */
	assert_int_equal(countf("SELECT count(*) FROM audit_log a WHERE a::text LIKE '%%argon2%%'"),
	                 0);
	assert_int_equal(countf("SELECT count(*) FROM audit_log a, app_user u"
	                        " WHERE strpos(a::text, u.password_hash) > 0"),
	                 0);
	assert_int_equal(countf("SELECT count(*) FROM audit_log a, auth_session s"
	                        " WHERE strpos(a::text, encode(s.token_hash, 'hex')) > 0"
	                        " OR strpos(a::text, s.csrf_token) > 0"),
	                 0);
	assert_int_equal(countf("SELECT count(*) FROM audit_log a, api_token t"
	                        " WHERE strpos(a::text, encode(t.token_hash, 'hex')) > 0"),
	                 0);
	assert_true(
	        printed_password(proc.out_path, "admin", admin_password, sizeof(admin_password)));
	http_call(&proc, &r, "GET", "/api/v1/audit?limit=500", NULL, NULL);
	assert_int_equal(r.status, 200);
	for (i = 0; i < secret_count; i++) {
		if (count_with("SELECT count(*) FROM audit_log a WHERE strpos(a::text, $1) > 0",
		               secrets[i]) != 0)
			fail_msg("a secret is in the audit log: %s", secrets[i]);
		if (test_file_contains(proc.log_path, secrets[i]))
			fail_msg("a secret is in tcardd's log: %s", secrets[i]);
		if (strstr(r.body, secrets[i]) != NULL)
			fail_msg("a secret is in GET /api/v1/audit: %s", secrets[i]);
		/* tcardd's stdout shows the first administrator's password only. */
		if (strcmp(secrets[i], admin_password) != 0 &&
		    test_file_contains(proc.out_path, secrets[i]))
			fail_msg("a secret is on tcardd's stdout: %s", secrets[i]);
	}
	http_result_clear(&r);
	/* Nor in PostgreSQL's own log: secrets never reach it in clear. */
	(void)snprintf(pg_log_dir, sizeof(pg_log_dir), "%s/pg/log", proc.data_dir);
	dir = opendir(pg_log_dir);
	assert_non_null(dir);
	while ((entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", pg_log_dir, entry->d_name);
		for (i = 0; i < secret_count; i++)
			if (test_file_contains(path, secrets[i]))
				fail_msg("a secret is in %s: %s", path, secrets[i]);
	}
	(void)closedir(dir);
	http_call(&proc, &r, "GET", "/api/v1/users?limit=500", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "argon2"));
	assert_null(strstr(r.body, "password_hash"));
	assert_null(strstr(r.body, "one_time_password"));
	http_result_clear(&r);
}

#define TEST(f) cmocka_unit_test_setup(f, forget_failures)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        TEST(test_first_start_prints_the_admin_password_on_stdout_and_in_a_0600_file),
	        TEST(test_login_sets_an_httponly_strict_cookie_and_stores_only_its_hash),
	        TEST(test_login_over_tls_uses_a_secure_host_prefixed_cookie),
	        TEST(test_logout_revokes_the_session_and_is_audited),
	        TEST(test_logout_with_an_api_token_revokes_that_token_only),
	        TEST(test_cookie_writes_without_the_right_csrf_token_are_403_and_change_nothing),
	        TEST(test_writes_from_another_origin_are_403_and_change_nothing),
	        TEST(test_unknown_user_and_wrong_password_get_the_same_reply_in_the_same_time),
	        TEST(test_repeated_failures_for_one_account_lock_it_with_retry_after),
	        TEST(test_repeated_failures_from_one_address_lock_that_address_only),
	        TEST(test_api_token_is_shown_once_stored_hashed_listed_and_revoked),
	        TEST(test_token_needs_a_name_and_1_to_365_days),
	        TEST(test_idle_and_absolute_expiry_end_sessions_and_tokens_expire),
	        TEST(test_tampered_or_malformed_credentials_are_401_and_change_nothing),
	        TEST(test_refused_role_or_pending_password_change_touches_nothing),
	        TEST(test_one_time_password_allows_only_session_password_and_logout),
	        TEST(test_wrong_current_passwords_count_as_failed_logins_and_lock),
	        TEST(test_login_rehashes_a_password_kept_with_other_parameters),
	        TEST(test_password_change_ends_the_users_other_sessions),
	        TEST(test_admin_creates_accounts_with_field_errors_as_problems),
	        TEST(test_patch_user_needs_if_match_and_checks_the_scope),
	        TEST(test_disabling_an_account_revokes_its_sessions_and_tokens),
	        TEST(test_password_reset_revokes_sessions_and_tokens_and_forces_a_change),
	        TEST(test_create_admin_flag_works_while_tcardd_runs_and_resets_an_existing_admin),
	        TEST(test_demo_start_creates_one_account_per_role),
	        TEST(test_many_clients_logging_in_and_using_tokens_at_once_keep_their_identities),
	        TEST(test_every_account_event_is_audited_and_no_secret_is_kept_anywhere),
	};

	return cmocka_run_group_tests_name("auth", tests, group_setup, group_teardown);
}
