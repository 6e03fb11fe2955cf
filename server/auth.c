/* auth.c — the one authorisation choke point (SECURITY.md 1, 3, 4): every
 * request passes auth_authorize before its body is read. It finds the
 * credential (an API token in Authorization: Bearer, or the session cookie),
 * resolves it to a principal in one database call, checks CSRF and Origin for
 * cookie writes, and checks the route's roles; only a request that passes all
 * of it records the credential's use (once a minute at most). Also the
 * password and token primitives that api_auth.c and api_users.c use. */
#include "auth.h"

#include "arena.h"
#include "db.h"
#include "log.h"
#include "request.h"

#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Argon2id at OWASP's minimum (SECURITY.md 4): 19 MiB, t = 2, at most two
 * hashes at once so that a burst of logins cannot exhaust memory. */
#define AUTH_PWHASH_OPS      2ULL
#define AUTH_PWHASH_MEM      (19u * 1024u * 1024u)
#define AUTH_PWHASH_PARALLEL 2

static struct {
	sem_t hashing;
	char dummy_hash[crypto_pwhash_STRBYTES]; /* verified for unknown users: same time */
	int ready;
} auth_global;

enum auth_stmt { AUTH_RESOLVE, AUTH_TOUCH_SESSION, AUTH_TOUCH_TOKEN, AUTH_STMT_COUNT };

static const struct db_stmt auth_stmts[AUTH_STMT_COUNT] = {
        [AUTH_RESOLVE] = {"auth_resolve",
                          "SELECT state, credential_id, user_id, username, role, scope,"
                          " officer_id, must_change_password, csrf_token, stale"
                          " FROM tcard_resolve_credential($1, $2::bytea, $3::interval)"},
        /* At most once a minute, and only for a request that passed every check. */
        [AUTH_TOUCH_SESSION] = {"auth_touch_session",
                                "UPDATE auth_session SET last_seen_at = now()"
                                " WHERE id = $1 AND last_seen_at < now() - interval '1 minute'"},
        [AUTH_TOUCH_TOKEN] = {"auth_touch_token",
                              "UPDATE api_token SET last_used_at = now() WHERE id = $1"
                              " AND (last_used_at IS NULL"
                              " OR last_used_at < now() - interval '1 minute')"},
};

const struct db_stmt_table auth_statements = {auth_stmts, AUTH_STMT_COUNT};

int auth_init(struct err *err)
{
	if (sem_init(&auth_global.hashing, 0, AUTH_PWHASH_PARALLEL) != 0)
		return err_set(err, "cannot create the password hashing semaphore");
	auth_global.ready = 1;
	/* A real hash of a random password: verifying an unknown user's
	 * password costs exactly what a known user's does. */
	{
		char random_password[33];
		unsigned char raw[16];

		randombytes_buf(raw, sizeof(raw));
		(void)sodium_bin2hex(random_password, sizeof(random_password), raw, sizeof(raw));
		if (auth_password_hash(random_password, auth_global.dummy_hash) != 0)
			return err_set(err, "cannot hash a password (out of memory?)");
	}
	return 0;
}

void auth_release(void)
{
	if (auth_global.ready)
		(void)sem_destroy(&auth_global.hashing);
	auth_global.ready = 0;
}

int auth_password_hash(const char *password, char out[AUTH_PASSWORD_HASH_MAX])
{
	int rc;

	while (sem_wait(&auth_global.hashing) != 0)
		;
	rc = crypto_pwhash_str(out, password, strlen(password), AUTH_PWHASH_OPS, AUTH_PWHASH_MEM);
	(void)sem_post(&auth_global.hashing);
	return rc == 0 ? 0 : -1;
}

int auth_password_verify(const char *hash, const char *password, int *needs_rehash)
{
	int rc;

	if (hash == NULL)
		hash = auth_global.dummy_hash;
	while (sem_wait(&auth_global.hashing) != 0)
		;
	rc = crypto_pwhash_str_verify(hash, password, strlen(password));
	(void)sem_post(&auth_global.hashing);
	if (needs_rehash != NULL)
		*needs_rehash = rc == 0 && crypto_pwhash_str_needs_rehash(hash, AUTH_PWHASH_OPS,
		                                                          AUTH_PWHASH_MEM) != 0;
	return rc == 0 && hash != auth_global.dummy_hash ? 0 : -1;
}

const char *auth_password_problem(const char *password)
{
	size_t chars = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)password; *p != '\0'; p++)
		chars += (*p & 0xC0) != 0x80;
	if (chars < AUTH_PASSWORD_MIN)
		return "密码至少 12 个字符 / the password needs at least 12 characters";
	if (chars > 128)
		return "密码最多 128 个字符 / the password may have at most 128 characters";
	return NULL;
}

void auth_random_secret(const char *prefix, char *out, size_t size)
{
	unsigned char raw[32];
	size_t len = strlen(prefix);

	randombytes_buf(raw, sizeof(raw));
	(void)snprintf(out, size, "%s", prefix);
	if (len < size)
		(void)sodium_bin2base64(out + len, size - len, raw, sizeof(raw),
		                        sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void auth_secret_hash(const char *secret, char out[AUTH_HASH_PARAM_BYTES])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)secret, strlen(secret));
	out[0] = '\\';
	out[1] = 'x';
	(void)sodium_bin2hex(out + 2, AUTH_HASH_PARAM_BYTES - 2, digest, sizeof(digest));
}

/* The value of cookie name in a Cookie header, copied into the arena; NULL if absent. */
static const char *auth_cookie(struct request *req, const char *header, const char *name)
{
	size_t name_len = strlen(name);
	const char *p = header;

	while (p != NULL && *p != '\0') {
		const char *end;

		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > name_len && strncmp(p, name, name_len) == 0 &&
		    p[name_len] == '=')
			return arena_strndup(req->arena, p + name_len + 1,
			                     (size_t)(end - p) - name_len - 1);
		p = end;
	}
	return NULL;
}

static int auth_is_write(unsigned method)
{
	return !(method & (HTTP_GET | HTTP_HEAD | HTTP_OPTIONS));
}

/* A cookie write must come from our own pages: the Origin, when the browser
 * sends one, names the host the request was sent to. */
static int auth_origin_ok(struct request *req)
{
	const char *origin = request_header(req, "Origin");
	const char *host = request_header(req, "Host");
	const char *origin_host;

	if (origin == NULL)
		return 1;
	if (host == NULL)
		return 0;
	origin_host = strstr(origin, "://");
	if (origin_host == NULL)
		return 0;
	return strcmp(origin_host + 3, host) == 0;
}

/* Why a credential that was found is refused, for the 401 detail. */
static int auth_refuse(struct request *req, const char *state, int via_cookie)
{
	const char *what = via_cookie ? "session" : "token";

	if (strcmp(state, "expired") == 0)
		return problem_set(&req->problem, PROBLEM_UNAUTHENTICATED,
		                   "登录已过期，请重新登录 / the %s has expired: log in again",
		                   what);
	if (strcmp(state, "revoked") == 0)
		return problem_set(&req->problem, PROBLEM_UNAUTHENTICATED,
		                   "凭据已注销 / the %s was revoked", what);
	if (strcmp(state, "disabled") == 0)
		return problem_set(&req->problem, PROBLEM_UNAUTHENTICATED,
		                   "账号已停用 / the account is disabled");
	return problem_set(&req->problem, PROBLEM_UNAUTHENTICATED,
	                   "凭据无效 / the %s is not valid: log in again", what);
}

static enum role auth_role(const char *name)
{
	if (strcmp(name, "admin") == 0)
		return ROLE_ADMIN;
	if (strcmp(name, "hr") == 0)
		return ROLE_HR;
	if (strcmp(name, "auditor") == 0)
		return ROLE_AUDITOR;
	if (strcmp(name, "officer") == 0)
		return ROLE_OFFICER;
	return ROLE_PUBLIC;
}

/* Routes a user who must change the one-time password may still use. */
static int auth_allowed_before_password_change(const struct route *route)
{
	return strcmp(route->pattern, "/api/v1/session") == 0 ||
	       strcmp(route->pattern, "/api/v1/session/password") == 0 ||
	       strcmp(route->pattern, "/api/v1/logout") == 0;
}

/* Resolves the credential into req->principal; *stale says it was last used
 * over a minute ago. 0, or -1 with a 401 problem. */
static int auth_resolve(struct request *req, const char *secret, int via_cookie, int *stale)
{
	char hash[AUTH_HASH_PARAM_BYTES];
	const char *params[3] = {via_cookie ? "session" : "token", hash, AUTH_SESSION_IDLE};
	PGresult *res;
	const char *state;

	auth_secret_hash(secret, hash);
	res = db_exec_once(req, &auth_stmts[AUTH_RESOLVE], 3, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return auth_refuse(req, "unknown", via_cookie);
	state = PQgetvalue(res, 0, 0);
	if (strcmp(state, "ok") != 0)
		return auth_refuse(req, state, via_cookie);
	req->principal.role = auth_role(PQgetvalue(res, 0, 4));
	req->principal.user_id = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	req->principal.actor = arena_strdup(req->arena, PQgetvalue(res, 0, 3));
	req->principal.scope = arena_strdup(req->arena, PQgetvalue(res, 0, 5));
	req->principal.officer_id =
	        PQgetisnull(res, 0, 6) ? 0 : strtoll(PQgetvalue(res, 0, 6), NULL, 10);
	req->principal.must_change_password = strcmp(PQgetvalue(res, 0, 7), "t") == 0;
	*stale = strcmp(PQgetvalue(res, 0, 9), "t") == 0;
	if (via_cookie) {
		req->principal.session_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		req->principal.csrf = arena_strdup(req->arena, PQgetvalue(res, 0, 8));
	} else {
		req->principal.token_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	}
	if (req->principal.actor == NULL || req->principal.scope == NULL ||
	    (via_cookie && req->principal.csrf == NULL))
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return 0;
}

/* The credential of the request: a Bearer token, else the session cookie.
 * *secret is NULL when there is none. -1 with 401 for a malformed header. */
static int auth_credential(struct request *req, const char **secret, int *via_cookie)
{
	const char *authorization = request_header(req, "Authorization");
	const char *cookies = request_header(req, "Cookie");

	*secret = NULL;
	*via_cookie = 0;
	if (authorization != NULL) {
		if (strncasecmp(authorization, "Bearer ", 7) != 0 || authorization[7] == '\0')
			return problem_set(&req->problem, PROBLEM_UNAUTHENTICATED,
			                   "Authorization must be \"Bearer <token>\"");
		*secret = authorization + 7;
		return 0;
	}
	if (cookies == NULL)
		return 0;
	*secret = auth_cookie(req, cookies, AUTH_COOKIE_SECURE);
	if (*secret == NULL)
		*secret = auth_cookie(req, cookies, AUTH_COOKIE);
	*via_cookie = *secret != NULL;
	return 0;
}

/* Records that the credential was used (its idle time starts again). */
static int auth_touch(struct request *req, int via_cookie)
{
	const struct db_stmt *stmt =
	        &auth_stmts[via_cookie ? AUTH_TOUCH_SESSION : AUTH_TOUCH_TOKEN];
	long long credential = via_cookie ? req->principal.session_id : req->principal.token_id;
	char id[24];
	const char *param = id;

	(void)snprintf(id, sizeof(id), "%lld", credential);
	return db_exec_once(req, stmt, 1, &param) != NULL ? 0 : -1;
}

int auth_authorize(struct request *req)
{
	const struct route *route = req->match.route;
	const char *secret, *csrf;
	int via_cookie, stale = 0;

	req->principal.role = ROLE_PUBLIC;
	req->principal.scope = "";
	req->principal.actor = "anonymous";
	if (route->roles & ROLE_PUBLIC) {
		/* Public routes never look at credentials; a public write (logging
		 * in) from another site's page is refused all the same. */
		if (auth_is_write(req->method) && !auth_origin_ok(req))
			return problem_set(&req->problem, PROBLEM_FORBIDDEN,
			                   "请求来源不符 / the Origin is not this site");
		return 0;
	}
	if (auth_credential(req, &secret, &via_cookie) != 0)
		return -1;
	if (secret == NULL)
		return problem_set(&req->problem, PROBLEM_UNAUTHENTICATED,
		                   "请先登录 / log in first (session cookie or Bearer token)");
	if (strlen(secret) > AUTH_SECRET_MAX)
		return auth_refuse(req, "unknown", via_cookie);
	if (auth_resolve(req, secret, via_cookie, &stale) != 0)
		return -1;
	if (via_cookie && auth_is_write(req->method)) {
		csrf = request_header(req, AUTH_CSRF_HEADER);
		if (csrf == NULL || strlen(csrf) != strlen(req->principal.csrf) ||
		    sodium_memcmp(csrf, req->principal.csrf, strlen(csrf)) != 0)
			return problem_set(&req->problem, PROBLEM_FORBIDDEN,
			                   "缺少或错误的 CSRF 令牌 / missing or wrong %s header",
			                   AUTH_CSRF_HEADER);
		if (!auth_origin_ok(req))
			return problem_set(&req->problem, PROBLEM_FORBIDDEN,
			                   "请求来源不符 / the Origin is not this site");
	}
	if (!(route->roles & req->principal.role))
		return problem_set(&req->problem, PROBLEM_FORBIDDEN,
		                   "无权访问 / your role may not use this endpoint");
	if (req->principal.must_change_password && !auth_allowed_before_password_change(route))
		return problem_set(&req->problem, PROBLEM_FORBIDDEN,
		                   "请先修改初始密码 / change your one-time password first "
		                   "(POST /api/v1/session/password)");
	/* Only now: a refused request must not keep a session alive. */
	return stale ? auth_touch(req, via_cookie) : 0;
}

int auth_sees_full_national_id(const struct request *req)
{
	return req->principal.role == ROLE_ADMIN || req->principal.role == ROLE_HR;
}

int auth_is_tls(struct request *req)
{
	const char *proto = request_header(req, "X-Forwarded-Proto");

	return proto != NULL && strcasecmp(proto, "https") == 0;
}

int auth_set_session_cookie(struct request *req, const char *secret)
{
	char *cookie;

	if (auth_is_tls(req))
		cookie = arena_printf(
		        req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=%d",
		        AUTH_COOKIE_SECURE, secret, AUTH_SESSION_MAX_SECONDS);
	else
		cookie = arena_printf(req->arena,
		                      "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
		                      AUTH_COOKIE, secret, AUTH_SESSION_MAX_SECONDS);
	if (cookie == NULL)
		return -1;
	return request_add_header(req, "Set-Cookie", cookie);
}

int auth_clear_session_cookie(struct request *req)
{
	const char *cookie = auth_is_tls(req) ? AUTH_COOKIE_SECURE
	                             "=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0"
	                                      : AUTH_COOKIE
	                             "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";

	return request_add_header(req, "Set-Cookie", cookie);
}
