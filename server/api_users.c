/* api_users.c — /api/v1/users: the administrator's account management.
 * Accounts get a role and a scope (a unit, or for an officer its own record);
 * new accounts and password resets get a one-time password, shown once, that
 * must be changed at the first login. Disabling an account or resetting its
 * password ends its sessions and tokens in the same transaction. */
#include "api_users.h"

#include "accounts.h"
#include "api.h"
#include "arena.h"
#include "audit.h"
#include "auth.h"
#include "json_in.h"
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP_USER_JSON                                                                              \
	"jsonb_build_object('id', u.id, 'username', u.username, 'display_name', u.display_name,"   \
	" 'role', u.role, 'org_id', u.org_id, 'officer_id', u.officer_id, 'disabled', u.disabled," \
	" 'must_change_password', u.must_change_password, 'version', u.version,"                   \
	" 'created_at', u.created_at, 'updated_at', u.updated_at)"

static const struct db_field_error user_field_errors[] = {
        {"app_user_username_key", "username", "duplicate", "用户名已存在 / this username is taken",
         PROBLEM_CONFLICT},
        {"app_user_username_form", "username", "format",
         "用户名为 2 至 32 个小写字母、数字或 . _ - / 2-32 lower-case letters, digits, . _ -",
         PROBLEM_VALIDATION},
        {"app_user_scope_fits_role", "org_id", "scope",
         "管理员不设单位；人事与审计须指定单位；执法人员账号须指定 officer_id / admin takes no "
         "org_id; hr and auditor need org_id; officer needs officer_id",
         PROBLEM_VALIDATION},
        {"app_user_officer_key", "officer_id", "duplicate",
         "该执法人员已有账号 / this officer has an account already", PROBLEM_CONFLICT},
        {"app_user_org_id_fkey", "org_id", "unknown", "单位不存在 / unknown organisation",
         PROBLEM_VALIDATION},
        {"app_user_officer_id_fkey", "officer_id", "unknown", "执法人员不存在 / unknown officer",
         PROBLEM_VALIDATION},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

enum user_stmt { USER_INSERT, USER_GET, USER_LIST, USER_UPDATE, USER_RESET, USER_STMT_COUNT };

static const struct db_stmt user_stmts[USER_STMT_COUNT] = {
        [USER_INSERT] = {"user_insert",
                         "INSERT INTO app_user AS u (username, display_name, role, org_id,"
                         " officer_id, password_hash, must_change_password)"
                         " VALUES ($1, $2, $3, $4, $5, $6, true) RETURNING " APP_USER_JSON,
                         user_field_errors},
        [USER_GET] = {"user_get", "SELECT " APP_USER_JSON " FROM app_user u WHERE u.id = $1"},
        [USER_LIST] = {"user_list",
                       "SELECT coalesce(jsonb_agg(x.doc ORDER BY x.id), '[]') FROM ("
                       " SELECT u.id, " APP_USER_JSON " AS doc FROM app_user u"
                       " WHERE u.id > $1 AND ($3::text IS NULL OR u.role = $3)"
                       " AND ($4::text IS NULL OR u.username LIKE '%' || tcard_like_escape($4)"
                       " || '%' OR u.display_name LIKE '%' || tcard_like_escape($4) || '%')"
                       " ORDER BY u.id LIMIT $2) x"},
        /* A jsonb patch of the given fields; disabling ends sessions and tokens. */
        [USER_UPDATE] =
                {"user_update",
                 "WITH u0 AS (SELECT * FROM app_user WHERE id = $1 FOR UPDATE),"
                 " u1 AS (UPDATE app_user u SET"
                 " display_name = coalesce($3::jsonb->>'display_name', u.display_name),"
                 " role = coalesce($3::jsonb->>'role', u.role),"
                 " org_id = CASE WHEN $3::jsonb ? 'org_id' THEN ($3::jsonb->>'org_id')::bigint"
                 " ELSE u.org_id END,"
                 " officer_id = CASE WHEN $3::jsonb ? 'officer_id' THEN"
                 " ($3::jsonb->>'officer_id')::bigint ELSE u.officer_id END,"
                 " disabled = coalesce(($3::jsonb->>'disabled')::boolean, u.disabled),"
                 " version = u.version + 1, updated_at = now()"
                 " FROM u0 WHERE u.id = u0.id AND ($2::int IS NULL OR u0.version = $2)"
                 " RETURNING u.*),"
                 " s AS (UPDATE auth_session SET revoked_at = now() FROM u1"
                 " WHERE auth_session.user_id = u1.id AND u1.disabled"
                 " AND auth_session.revoked_at IS NULL),"
                 " t AS (UPDATE api_token SET revoked_at = now() FROM u1"
                 " WHERE api_token.user_id = u1.id AND u1.disabled"
                 " AND api_token.revoked_at IS NULL)"
                 " SELECT (SELECT version FROM u0),"
                 " (SELECT " APP_USER_JSON " FROM u1 u),"
                 " (SELECT " APP_USER_JSON " FROM u0 u)",
                 user_field_errors},
        [USER_RESET] = {"user_reset",
                        "WITH s AS (UPDATE auth_session SET revoked_at = now()"
                        " WHERE user_id = $1 AND revoked_at IS NULL),"
                        " t AS (UPDATE api_token SET revoked_at = now()"
                        " WHERE user_id = $1 AND revoked_at IS NULL)"
                        " UPDATE app_user u SET password_hash = $2, must_change_password = true,"
                        " version = u.version + 1, updated_at = now() WHERE u.id = $1"
                        " RETURNING " APP_USER_JSON},
};

const struct db_stmt_table api_users_statements = {user_stmts, USER_STMT_COUNT};

static const char *const user_roles[] = {"admin", "hr", "auditor", "officer", NULL};

static const struct field_spec user_fields[] = {
        {"username", FIELD_STRING, FIELD_REQUIRED, 32, NULL, "用户名"},
        {"display_name", FIELD_STRING, FIELD_REQUIRED, 50, NULL, "姓名"},
        {"role", FIELD_CHOICE, FIELD_REQUIRED, 0, user_roles, "角色"},
        {"org_id", FIELD_INTEGER, FIELD_NULLABLE, 0, NULL, "单位"},
        {"officer_id", FIELD_INTEGER, FIELD_NULLABLE, 0, NULL, "执法人员"},
        {"disabled", FIELD_BOOLEAN, 0, 0, NULL, "停用"},
};
#define USER_FIELDS (sizeof(user_fields) / sizeof(user_fields[0]))

/* An integer member as a statement parameter, NULL when absent or null. */
static const char *api_users_int(struct request *req, const char *name)
{
	json_t *value = json_object_get(req->json, name);

	if (!json_is_integer(value))
		return NULL;
	return arena_printf(req->arena, "%lld", (long long)json_integer_value(value));
}

static int api_users_reply(struct request *req, unsigned status, json_t *doc, const char *password)
{
	if (doc == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	api_set_etag(req, doc);
	if (password != NULL)
		(void)json_object_set_new(doc, "one_time_password", json_string(password));
	return request_reply_json(req, status, doc);
}

int api_users_create(struct request *req)
{
	char password[ACCOUNTS_PASSWORD_BYTES], hash[AUTH_PASSWORD_HASH_MAX];
	const char *params[6];
	PGresult *res;
	json_t *doc;

	if (json_in_check(req->json, user_fields, USER_FIELDS, 0, &req->problem) != 0)
		return -1;
	if (json_in_present(req->json, "disabled"))
		return problem_field(&req->problem, "disabled", "unknown_field",
		                     "新账号不能停用 / a new account cannot be disabled");
	accounts_one_time_password(password);
	if (auth_password_hash(password, hash) != 0)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	params[0] = json_in_string(req->arena, req->json, "username");
	params[1] = json_in_string(req->arena, req->json, "display_name");
	params[2] = json_in_string(req->arena, req->json, "role");
	params[3] = api_users_int(req, "org_id");
	params[4] = api_users_int(req, "officer_id");
	params[5] = hash;
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &user_stmts[USER_INSERT], 6, params);
	if (res == NULL)
		return -1;
	doc = db_json(res, 0, 0);
	if (doc == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (audit_record(req, "user.create", "user", api_doc_id(req, doc), NULL, NULL, doc) != 0 ||
	    db_commit(req) != 0) {
		json_decref(doc);
		return -1;
	}
	api_set_location(req, "/api/v1/users", doc);
	return api_users_reply(req, 201, doc, password);
}

int api_users_get(struct request *req)
{
	const char *id = api_id_param(req, "id");
	PGresult *res;

	if (id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &user_stmts[USER_GET], 1, &id);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no user with this id");
	return api_users_reply(req, 200, db_json(res, 0, 0), NULL);
}

int api_users_list(struct request *req)
{
	struct api_page page;
	const char *params[4];
	int bad = 0;
	PGresult *res;

	if (api_page_read(req, &page) != 0)
		return -1;
	params[0] = page.after_id;
	params[1] = page.limit;
	params[2] = api_query_choice(req, "role", user_roles, &bad);
	params[3] = request_query(req, "q");
	if (bad || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &user_stmts[USER_LIST], 4, params);
	if (res == NULL)
		return -1;
	return request_reply_json(req, 200, api_page_reply(db_json(res, 0, 0), &page));
}

int api_users_update(struct request *req)
{
	const char *params[3], *version;
	PGresult *res;
	json_t *after, *before;
	char *patch;

	params[0] = api_id_param(req, "id");
	if (params[0] == NULL || api_if_match(req, &version) != 0)
		return -1;
	if (json_in_check(req->json, user_fields, USER_FIELDS, 1, &req->problem) != 0)
		return -1;
	if (json_in_present(req->json, "username"))
		return problem_field(&req->problem, "username", "read_only",
		                     "用户名不能修改 / a username cannot change");
	patch = json_dumps(req->json, JSON_COMPACT);
	if (patch == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	params[1] = version;
	params[2] = arena_strdup(req->arena, patch);
	free(patch);
	if (params[2] == NULL || db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &user_stmts[USER_UPDATE], 3, params);
	if (res == NULL)
		return -1;
	if (PQgetisnull(res, 0, 0))
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no user with this id");
	if (PQgetisnull(res, 0, 1))
		return problem_set(&req->problem, PROBLEM_PRECONDITION,
		                   "the user was changed meanwhile (now version %s): read it again",
		                   PQgetvalue(res, 0, 0));
	after = db_json(res, 0, 1);
	before = db_json(res, 0, 2);
	if (audit_record(req, "user.update", "user", params[0], NULL, before, after) != 0 ||
	    db_commit(req) != 0) {
		json_decref(after);
		json_decref(before);
		return -1;
	}
	json_decref(before);
	return api_users_reply(req, 200, after, NULL);
}

int api_users_reset_password(struct request *req)
{
	char password[ACCOUNTS_PASSWORD_BYTES], hash[AUTH_PASSWORD_HASH_MAX];
	const char *params[2];
	PGresult *res;
	json_t *doc;

	params[0] = api_id_param(req, "id");
	if (params[0] == NULL)
		return -1;
	accounts_one_time_password(password);
	if (auth_password_hash(password, hash) != 0)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	params[1] = hash;
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &user_stmts[USER_RESET], 2, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no user with this id");
	doc = db_json(res, 0, 0);
	if (doc == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (audit_record(req, "user.password_reset", "user", params[0], NULL, NULL, NULL) != 0 ||
	    db_commit(req) != 0) {
		json_decref(doc);
		return -1;
	}
	return api_users_reply(req, 200, doc, password);
}
