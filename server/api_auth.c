/* api_auth.c — logging in and out, the current session, changing one's
 * password, and API tokens (SECURITY.md 3, 4). Every outcome that matters is
 * audited: logins, failed logins, password changes (and wrong current
 * passwords), token creation and revocation. A failed login answers the same,
 * in the same time, whether or not the user exists; repeated failures lock the
 * account name and the address for a while, doubling up to 15 minutes, never
 * for good. */
#include "api_auth.h"

#include "api.h"
#include "arena.h"
#include "audit.h"
#include "auth.h"
#include "json_in.h"
#include "request.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Failures before a lock: per account name, per address (an office behind one
 * NAT address has many users, so it gets more). */
#define LOGIN_USER_THRESHOLD    "5"
#define LOGIN_ADDRESS_THRESHOLD "20"

#define USER_JSON                                                                                \
	"jsonb_build_object('id', u.id, 'username', u.username, 'display_name', u.display_name," \
	" 'role', u.role, 'org_id', u.org_id, 'officer_id', u.officer_id,"                       \
	" 'must_change_password', u.must_change_password)"

enum auth_api_stmt {
	LOGIN_LOCKED,
	LOGIN_USER,
	LOGIN_FAILED,
	LOGIN_SUCCEEDED,
	LOGIN_REHASH,
	SESSION_GET,
	SESSION_REVOKE,
	PASSWORD_GET,
	PASSWORD_SET,
	TOKEN_INSERT,
	TOKEN_LIST,
	TOKEN_REVOKE,
	AUTH_API_STMT_COUNT
};

static const struct db_field_error token_field_errors[] = {
        {"api_token_name_length", "name", "too_long",
         "名称为 1 至 100 个字符 / the name needs 1 to 100 characters", PROBLEM_VALIDATION},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

static const struct db_stmt auth_api_stmts[AUTH_API_STMT_COUNT] = {
        /* Seconds until the account name or the address may try again (0 = now):
         * 1, 2, 4, 8, then 15 minutes. The exponent is capped before it is used,
         * as 2^38 minutes is past what an interval holds. */
        [LOGIN_LOCKED] = {"login_locked",
                          "SELECT coalesce(max(ceil(extract(epoch FROM t.last_failure"
                          " + least(interval '15 minutes', interval '1 minute'"
                          " * power(2, least(t.failures - k.threshold, 4))) - now()))), 0)::int"
                          " FROM login_throttle t"
                          " JOIN (VALUES ($1, " LOGIN_USER_THRESHOLD "),"
                          "              ($2, " LOGIN_ADDRESS_THRESHOLD ")) k(key, threshold)"
                          " ON k.key = t.key"
                          " WHERE t.failures >= k.threshold"
                          " AND t.first_failure > now() - interval '1 hour'"},
        [LOGIN_USER] = {"login_user", "SELECT u.id, u.password_hash, u.disabled, " USER_JSON
                                      " FROM app_user u WHERE u.username = $1"},
        /* Counts a failure for both keys; a window older than an hour restarts. */
        [LOGIN_FAILED] = {"login_failed",
                          /* Keys quiet for a day go: names tried once do not pile up. */
                          "WITH pruned AS (DELETE FROM login_throttle"
                          " WHERE last_failure < now() - interval '1 day'"
                          " AND key <> ALL (ARRAY[$1, $2]))"
                          " INSERT INTO login_throttle AS t (key, failures, first_failure,"
                          " last_failure) SELECT k, 1, now(), now() FROM unnest(ARRAY[$1, $2]) k"
                          " ON CONFLICT (key) DO UPDATE SET"
                          " failures = CASE WHEN t.first_failure <= now() - interval '1 hour'"
                          " THEN 1 ELSE t.failures + 1 END,"
                          " first_failure = CASE WHEN t.first_failure <= now() - interval"
                          " '1 hour' THEN now() ELSE t.first_failure END,"
                          " last_failure = now()"},
        [LOGIN_SUCCEEDED] = {"login_succeeded",
                             "WITH cleared AS (DELETE FROM login_throttle WHERE key = $5)"
                             " INSERT INTO auth_session (user_id, token_hash, csrf_token,"
                             " expires_at, address) VALUES ($1, $2::bytea, $3, now()"
                             " + interval '" AUTH_SESSION_MAX "', $4)"
                             " RETURNING id, to_jsonb(expires_at) #>> '{}'"},
        [LOGIN_REHASH] = {"login_rehash", "UPDATE app_user SET password_hash = $2 WHERE id = $1"},
        [SESSION_GET] = {"session_get",
                         "SELECT " USER_JSON " || jsonb_build_object('org',"
                         " (SELECT jsonb_build_object('id', g.id, 'code', g.code, 'name', g.name,"
                         "  'path', g.path::text) FROM org g"
                         "  WHERE g.id = coalesce(u.org_id, (SELECT f.org_id FROM officer f"
                         "  WHERE f.id = u.officer_id))))"
                         " FROM app_user u WHERE u.id = $1"},
        [SESSION_REVOKE] = {"session_revoke", "UPDATE auth_session SET revoked_at = now()"
                                              " WHERE id = $1 AND revoked_at IS NULL"},
        [PASSWORD_GET] = {"password_get",
                          "SELECT password_hash FROM app_user WHERE id = $1 FOR UPDATE"},
        /* The new password ends every other session of the user. */
        [PASSWORD_SET] = {"password_set",
                          "WITH others AS (UPDATE auth_session SET revoked_at = now()"
                          " WHERE user_id = $1 AND revoked_at IS NULL"
                          " AND id IS DISTINCT FROM $3::bigint)"
                          " UPDATE app_user SET password_hash = $2, must_change_password = false,"
                          " version = version + 1, updated_at = now() WHERE id = $1"},
        [TOKEN_INSERT] = {"token_insert",
                          "INSERT INTO api_token (user_id, name, token_hash, prefix, expires_at)"
                          " VALUES ($1, $2, $3::bytea, $4, now() + make_interval(days => $5::int))"
                          " RETURNING jsonb_build_object('id', id, 'name', name, 'prefix', prefix,"
                          " 'created_at', created_at, 'expires_at', expires_at)",
                          token_field_errors},
        [TOKEN_LIST] = {"token_list",
                        "SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'name', name,"
                        " 'prefix', prefix, 'created_at', created_at, 'expires_at', expires_at,"
                        " 'last_used_at', last_used_at, 'revoked_at', revoked_at,"
                        " 'active', revoked_at IS NULL AND expires_at > now())"
                        " ORDER BY id DESC), '[]') FROM api_token WHERE user_id = $1"},
        [TOKEN_REVOKE] =
                {"token_revoke",
                 "UPDATE api_token SET revoked_at = now()"
                 " WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"
                 " RETURNING jsonb_build_object('id', id, 'name', name, 'prefix', prefix)"},
};

const struct db_stmt_table api_auth_statements = {auth_api_stmts, AUTH_API_STMT_COUNT};

static const struct field_spec login_fields[] = {
        {"username", FIELD_STRING, FIELD_REQUIRED, 32, NULL, "用户名"},
        {"password", FIELD_STRING, FIELD_REQUIRED, 128, NULL, "密码"},
};

static const char login_refused[] = "用户名或密码错误 / wrong username or password";

/* Account names are case-insensitive: stored and compared in lower case. */
static char *api_auth_username(struct request *req, const char *text)
{
	char *name = arena_strdup(req->arena, text);
	char *p;

	if (name != NULL)
		for (p = name; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	return name;
}

static int api_auth_locked(struct request *req, const char *keys[2])
{
	PGresult *res = db_exec_once(req, &auth_api_stmts[LOGIN_LOCKED], 2, keys);
	long seconds;
	char retry[24];

	if (res == NULL)
		return -1;
	seconds = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	if (seconds <= 0)
		return 0;
	(void)snprintf(retry, sizeof(retry), "%ld", seconds);
	(void)request_add_header(req, "Retry-After", retry);
	return problem_set(
	        &req->problem, PROBLEM_RATE_LIMITED,
	        "登录失败次数过多，请 %ld 秒后再试 / too many failed logins: try again in "
	        "%ld s",
	        seconds, seconds);
}

/* Counts a failed password check against both keys and audits it as action
 * (target_id may be NULL), in a transaction of its own that is committed
 * whatever the caller answers. 0 or -1. */
static int api_auth_count_failure(struct request *req, const char *keys[2], const char *action,
                                  const char *target_id, const char *username)
{
	json_t *detail = json_pack("{s:s}", "username", username);
	int rc = 0;

	if (db_begin(req, DB_WRITE) != 0 ||
	    db_exec(req, &auth_api_stmts[LOGIN_FAILED], 2, keys) == NULL ||
	    audit_record(req, action, "user", target_id, NULL, NULL, detail) != 0 ||
	    db_commit(req) != 0)
		rc = -1;
	json_decref(detail);
	return rc;
}

/* Counts the failure and audits it, committed, then answers 401. */
static int api_auth_login_failed(struct request *req, const char *keys[2], const char *username)
{
	if (api_auth_count_failure(req, keys, "login_failed", NULL, username) != 0)
		return -1;
	return problem_set(&req->problem, PROBLEM_UNAUTHENTICATED, "%s", login_refused);
}

int api_auth_login(struct request *req)
{
	char secret[AUTH_SECRET_MAX], csrf[AUTH_SECRET_MAX], hash[AUTH_HASH_PARAM_BYTES];
	char rehash[AUTH_PASSWORD_HASH_MAX];
	const char *keys[2], *params[5], *username, *password, *user_id;
	PGresult *user, *session;
	json_t *doc;
	int needs_rehash = 0, known;

	if (json_in_check(req->json, login_fields, 2, 0, &req->problem) != 0)
		return -1;
	username = api_auth_username(req, json_in_string(req->arena, req->json, "username"));
	password = json_in_string(req->arena, req->json, "password");
	keys[0] = arena_printf(req->arena, "user:%s", username != NULL ? username : "");
	keys[1] = arena_printf(req->arena, "addr:%s", req->address);
	if (username == NULL || password == NULL || keys[0] == NULL || keys[1] == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (api_auth_locked(req, keys) != 0)
		return -1;
	user = db_exec_once(req, &auth_api_stmts[LOGIN_USER], 1, &username);
	if (user == NULL)
		return -1;
	known = PQntuples(user) == 1;
	/* Always one argon2id verification: unknown users cost the same. */
	if (auth_password_verify(known ? PQgetvalue(user, 0, 1) : NULL, password, &needs_rehash) !=
	            0 ||
	    !known || strcmp(PQgetvalue(user, 0, 2), "t") == 0)
		return api_auth_login_failed(req, keys, username);

	user_id = PQgetvalue(user, 0, 0);
	req->principal.user_id = strtoll(user_id, NULL, 10);
	req->principal.actor = username;
	auth_random_secret("", secret, sizeof(secret));
	auth_random_secret("", csrf, sizeof(csrf));
	auth_secret_hash(secret, hash);
	params[0] = user_id;
	params[1] = hash;
	params[2] = csrf;
	params[3] = req->address;
	params[4] = keys[0];
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	session = db_exec(req, &auth_api_stmts[LOGIN_SUCCEEDED], 5, params);
	if (session == NULL)
		return -1;
	if (needs_rehash && auth_password_hash(password, rehash) == 0) {
		params[1] = rehash;
		if (db_exec(req, &auth_api_stmts[LOGIN_REHASH], 2, params) == NULL)
			return -1;
	}
	doc = db_json(user, 0, 3);
	if (doc == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (audit_record(req, "login", "user", user_id, NULL, NULL, NULL) != 0 ||
	    db_commit(req) != 0 || auth_set_session_cookie(req, secret) != 0) {
		json_decref(doc);
		return -1;
	}
	return request_reply_json(
	        req, 200,
	        json_pack("{s:o, s:s, s:b, s:s}", "user", doc, "csrf_token", csrf,
	                  "must_change_password",
	                  json_is_true(json_object_get(doc, "must_change_password")), "expires_at",
	                  PQgetvalue(session, 0, 1)));
}

static const char *api_auth_user_id(struct request *req)
{
	return arena_printf(req->arena, "%lld", (long long)req->principal.user_id);
}

int api_auth_logout(struct request *req)
{
	char credential_id[24];

	/* Logging out ends the credential the request came with: the session, or
	 * the API token (a CLI's "tcard logout"). */
	if (req->principal.session_id != 0 || req->principal.token_id != 0) {
		const char *params[2] = {credential_id, api_auth_user_id(req)};
		int by_token = req->principal.session_id == 0;

		(void)snprintf(credential_id, sizeof(credential_id), "%lld",
		               (long long)(by_token ? req->principal.token_id
		                                    : req->principal.session_id));
		/* Aimed at the user, as its login is: found with its other entries. */
		if (params[1] == NULL || db_begin(req, DB_WRITE) != 0 ||
		    db_exec(req, &auth_api_stmts[by_token ? TOKEN_REVOKE : SESSION_REVOKE],
		            by_token ? 2 : 1, params) == NULL ||
		    audit_record(req, "logout", "user", api_auth_user_id(req), NULL, NULL, NULL) !=
		            0 ||
		    db_commit(req) != 0)
			return -1;
	}
	if (auth_clear_session_cookie(req) != 0)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return request_reply_raw(req, 204, NULL, NULL, 0);
}

int api_auth_session(struct request *req)
{
	const char *user_id = api_auth_user_id(req);
	PGresult *res;
	json_t *doc;

	if (user_id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &auth_api_stmts[SESSION_GET], 1, &user_id);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_UNAUTHENTICATED, "the account is gone");
	doc = db_json(res, 0, 0);
	if (doc == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return request_reply_json(req, 200,
	                          json_pack("{s:o, s:s?, s:s}", "user", doc, "csrf_token",
	                                    req->principal.csrf, "authenticated_by",
	                                    req->principal.session_id != 0 ? "session" : "token"));
}

static const struct field_spec password_fields[] = {
        {"current_password", FIELD_STRING, FIELD_REQUIRED, 128, NULL, "当前密码"},
        {"new_password", FIELD_STRING, FIELD_REQUIRED, 128, NULL, "新密码"},
};

/* The current password is checked like a login's (SECURITY.md 4): a wrong one
 * counts against the account and the address and is audited, and while either
 * is locked nothing is checked, so that a stolen session cannot be used to
 * guess the password past the throttle. */
int api_auth_password(struct request *req)
{
	char hash[AUTH_PASSWORD_HASH_MAX], session_id[24];
	const char *current, *new_password, *why, *params[3], *keys[2];
	PGresult *res;
	int wrong;

	if (json_in_check(req->json, password_fields, 2, 0, &req->problem) != 0)
		return -1;
	current = json_in_string(req->arena, req->json, "current_password");
	new_password = json_in_string(req->arena, req->json, "new_password");
	why = auth_password_problem(new_password);
	if (why != NULL)
		return problem_field(&req->problem, "new_password", "weak", why);
	if (strcmp(current, new_password) == 0)
		return problem_field(&req->problem, "new_password", "unchanged",
		                     "新密码不能与当前密码相同 / the new password must differ");
	keys[0] = arena_printf(req->arena, "user:%s", req->principal.actor);
	keys[1] = arena_printf(req->arena, "addr:%s", req->address);
	(void)snprintf(session_id, sizeof(session_id), "%lld",
	               (long long)req->principal.session_id);
	params[0] = api_auth_user_id(req);
	params[1] = hash;
	params[2] = req->principal.session_id != 0 ? session_id : NULL;
	if (keys[0] == NULL || keys[1] == NULL || params[0] == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (api_auth_locked(req, keys) != 0 || db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &auth_api_stmts[PASSWORD_GET], 1, params);
	if (res == NULL)
		return -1;
	wrong = PQntuples(res) != 1 ||
	        auth_password_verify(PQgetvalue(res, 0, 0), current, NULL) != 0;
	if (wrong) {
		db_end(req->db);
		if (api_auth_count_failure(req, keys, "password.change_failed", params[0],
		                           req->principal.actor) != 0)
			return -1;
		return problem_field(&req->problem, "current_password", "wrong",
		                     "当前密码不正确 / the current password is wrong");
	}
	if (auth_password_hash(new_password, hash) != 0)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (db_exec(req, &auth_api_stmts[PASSWORD_SET], 3, params) == NULL ||
	    audit_record(req, "password.change", "user", params[0], NULL, NULL, NULL) != 0 ||
	    db_commit(req) != 0)
		return -1;
	return request_reply_raw(req, 204, NULL, NULL, 0);
}

static const struct field_spec token_fields[] = {
        {"name", FIELD_STRING, FIELD_REQUIRED, 100, NULL, "名称"},
        {"expires_in_days", FIELD_INTEGER, 0, 0, NULL, "有效天数"},
};

int api_auth_token_create(struct request *req)
{
	char secret[AUTH_SECRET_MAX], hash[AUTH_HASH_PARAM_BYTES], prefix[16], days[16];
	const char *params[5];
	json_int_t expires_in = 90;
	json_t *days_json, *doc;
	PGresult *res;

	if (json_in_check(req->json, token_fields, 2, 0, &req->problem) != 0)
		return -1;
	days_json = json_object_get(req->json, "expires_in_days");
	if (json_is_integer(days_json))
		expires_in = json_integer_value(days_json);
	if (expires_in < 1 || expires_in > 365)
		return problem_field(&req->problem, "expires_in_days", "range",
		                     "有效期为 1 至 365 天 / between 1 and 365 days");
	auth_random_secret(AUTH_TOKEN_PREFIX, secret, sizeof(secret));
	auth_secret_hash(secret, hash);
	(void)snprintf(prefix, sizeof(prefix), "%.10s", secret);
	(void)snprintf(days, sizeof(days), "%lld", (long long)expires_in);
	params[0] = api_auth_user_id(req);
	params[1] = json_in_string(req->arena, req->json, "name");
	params[2] = hash;
	params[3] = prefix;
	params[4] = days;
	if (params[0] == NULL || db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &auth_api_stmts[TOKEN_INSERT], 5, params);
	if (res == NULL)
		return -1;
	doc = db_json(res, 0, 0);
	if (doc == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (audit_record(req, "token.create", "api_token", api_doc_id(req, doc), NULL, NULL, doc) !=
	            0 ||
	    db_commit(req) != 0) {
		json_decref(doc);
		return -1;
	}
	/* The secret is shown this once; only its hash is kept. */
	(void)json_object_set_new(doc, "token", json_string(secret));
	return request_reply_json(req, 201, doc);
}

int api_auth_token_list(struct request *req)
{
	const char *user_id = api_auth_user_id(req);
	PGresult *res;

	if (user_id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &auth_api_stmts[TOKEN_LIST], 1, &user_id);
	if (res == NULL)
		return -1;
	return request_reply_json(req, 200, json_pack("{s:o?}", "items", db_json(res, 0, 0)));
}

int api_auth_token_revoke(struct request *req)
{
	const char *params[2];
	PGresult *res;
	json_t *doc;

	params[0] = api_id_param(req, "id");
	params[1] = api_auth_user_id(req);
	if (params[0] == NULL || params[1] == NULL || db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &auth_api_stmts[TOKEN_REVOKE], 2, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND,
		                   "no active token with this id");
	doc = db_json(res, 0, 0);
	if (audit_record(req, "token.revoke", "api_token", params[0], NULL, doc, NULL) != 0 ||
	    db_commit(req) != 0) {
		json_decref(doc);
		return -1;
	}
	json_decref(doc);
	return request_reply_raw(req, 204, NULL, NULL, 0);
}
