/* auth.h — who is asking, and may they use this route: the one authorisation
 * choke point every request passes before its handler (SECURITY.md 1), plus
 * the password and token primitives of the accounts API (SECURITY.md 3, 4). */
#ifndef TCARD_AUTH_H
#define TCARD_AUTH_H

#include "err.h"

#include <sodium.h>
#include <stddef.h>

struct request;
struct db_stmt_table;

/* Browser sessions: 30 minutes idle, 12 hours at most (SECURITY.md 3). The
 * cookie is __Host-tcard_session (Secure) behind TLS, tcard_session on plain
 * HTTP (a developer's loopback). */
#define AUTH_SESSION_IDLE        "30 minutes"
#define AUTH_SESSION_MAX         "12 hours"
#define AUTH_SESSION_MAX_SECONDS (12 * 3600)
#define AUTH_COOKIE              "tcard_session"
#define AUTH_COOKIE_SECURE       "__Host-tcard_session"
#define AUTH_CSRF_HEADER         "X-CSRF-Token"
#define AUTH_TOKEN_PREFIX        "tcard_"
#define AUTH_PASSWORD_MIN        12
/* A secret: prefix + 43 base64url characters of 32 random bytes. */
#define AUTH_SECRET_MAX 64
/* A SHA-256 as a bytea parameter: "\x" + 64 hex digits + NUL. */
#define AUTH_HASH_PARAM_BYTES  67
#define AUTH_PASSWORD_HASH_MAX crypto_pwhash_STRBYTES

extern const struct db_stmt_table auth_statements;

/* Sets up password hashing (call after sodium_init, before the workers). */
int auth_init(struct err *err);
void auth_release(void);

/* Resolves req->principal from the request's credential and checks the
 * route's roles, CSRF and Origin for cookie writes, and a pending password
 * change. Public routes pass without looking. 0, or -1 with req->problem set
 * (401 no or bad credential, 403 role, CSRF or Origin). */
int auth_authorize(struct request *req);

/* 1 when the principal may see full national IDs of officers in its scope. */
int auth_sees_full_national_id(const struct request *req);
/* 1 when the client reached us over TLS (nginx sets X-Forwarded-Proto). */
int auth_is_tls(struct request *req);

/* Argon2id (crypto_pwhash_str), at most two at once. 0 or -1 (out of memory). */
int auth_password_hash(const char *password, char out[AUTH_PASSWORD_HASH_MAX]);
/* 0 when password matches hash. hash NULL (unknown user) costs the same and
 * fails. *needs_rehash (may be NULL) says the parameters changed. */
int auth_password_verify(const char *hash, const char *password, int *needs_rehash);
/* NULL when the password is acceptable, else a Chinese / English reason. */
const char *auth_password_problem(const char *password);

/* A new 256-bit random secret, base64url, after prefix ("" or AUTH_TOKEN_PREFIX). */
void auth_random_secret(const char *prefix, char *out, size_t size);
/* SHA-256 of a secret as a bytea parameter ("\x…"). */
void auth_secret_hash(const char *secret, char out[AUTH_HASH_PARAM_BYTES]);

/* Set-Cookie for a new session, or to remove it. 0 or -1. */
int auth_set_session_cookie(struct request *req, const char *secret);
int auth_clear_session_cookie(struct request *req);

#endif
