/* accounts.c — accounts made outside the API: the first administrator
 * (`tcardd --create-admin NAME`, and on the first start of the embedded
 * default) and the demo city's accounts, one per role. Passwords are random,
 * returned to the caller to show once, and stored only as argon2id hashes. */
#include "accounts.h"

#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* No 0/O, 1/l/I: a one-time password is read off a screen and typed. */
void accounts_one_time_password(char out[ACCOUNTS_PASSWORD_BYTES])
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	size_t i;

	for (i = 0; i + 1 < ACCOUNTS_PASSWORD_BYTES; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[ACCOUNTS_PASSWORD_BYTES - 1] = '\0';
}

static int accounts_exec(PGconn *conn, const char *sql, int n, const char *const *params,
                         PGresult **out, struct err *err)
{
	PGresult *res = n == 0 ? PQexec(conn, sql)
	                       : PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType status = PQresultStatus(res);

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		err_set(err, "accounts: %s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	if (out != NULL)
		*out = res;
	else
		PQclear(res);
	return 0;
}

/* As the app role when the login may act as it, with the whole tree in scope. */
static const char accounts_begin_sql[] =
        "BEGIN;"
        "SELECT set_config('role', 'tcard_app', true) "
        " WHERE current_user <> 'tcard_app' AND pg_has_role('tcard_app', 'MEMBER');"
        "SELECT set_config('tcard.scope', 'all', true), set_config('tcard.actor', 'tcardd', true)";

/* Creates user or resets its password (must change at next login), and
 * audits either in the same statement: accounts made outside the API are
 * traceable like the others. A reset ends the account's sessions and API
 * tokens, as a reset through the API does: whoever held them must not outlive
 * the password an operator just replaced. */
static const char accounts_upsert_sql[] =
        "WITH u AS (INSERT INTO app_user AS u (username, display_name, role, org_id, officer_id,"
        " password_hash, must_change_password)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash,"
        " must_change_password = EXCLUDED.must_change_password, disabled = false,"
        " version = u.version + 1, updated_at = now()"
        " WHERE u.role = EXCLUDED.role"
        " RETURNING id, xmax = 0 AS created),"
        " s AS (UPDATE auth_session SET revoked_at = now() FROM u"
        " WHERE auth_session.user_id = u.id AND NOT u.created"
        " AND auth_session.revoked_at IS NULL),"
        " t AS (UPDATE api_token SET revoked_at = now() FROM u"
        " WHERE api_token.user_id = u.id AND NOT u.created AND api_token.revoked_at IS NULL),"
        " a AS (INSERT INTO audit_log (actor, action, target_type, target_id, after)"
        " SELECT 'tcardd', CASE WHEN created THEN 'user.create' ELSE 'user.password_reset' END,"
        " 'user', id::text, jsonb_build_object('username', $1::text, 'role', $3::text) FROM u)"
        " SELECT id FROM u";

static int accounts_upsert(PGconn *conn, const char *username, const char *display_name,
                           const char *role, const char *org_id, const char *officer_id,
                           int must_change, char password[ACCOUNTS_PASSWORD_BYTES], struct err *err)
{
	char hash[AUTH_PASSWORD_HASH_MAX];
	const char *params[7];
	PGresult *res;
	int rc;

	accounts_one_time_password(password);
	if (auth_password_hash(password, hash) != 0)
		return err_set(err, "cannot hash a password (out of memory?)");
	params[0] = username;
	params[1] = display_name;
	params[2] = role;
	params[3] = org_id;
	params[4] = officer_id;
	params[5] = hash;
	params[6] = must_change ? "true" : "false";
	if (accounts_exec(conn, accounts_upsert_sql, 7, params, &res, err) != 0)
		return -1;
	rc = PQntuples(res) == 1
	             ? 0
	             : err_set(err, "user \"%s\" exists with another role than %s", username, role);
	PQclear(res);
	return rc;
}

int accounts_create_admin(PGconn *conn, const char *username,
                          char password[ACCOUNTS_PASSWORD_BYTES], struct err *err)
{
	int rc = -1;

	if (accounts_exec(conn, accounts_begin_sql, 0, NULL, NULL, err) == 0 &&
	    accounts_upsert(conn, username, "系统管理员 Administrator", "admin", NULL, NULL, 1,
	                    password, err) == 0 &&
	    accounts_exec(conn, "COMMIT", 0, NULL, NULL, err) == 0)
		rc = 0;
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	return rc;
}

int accounts_has_users(PGconn *conn, struct err *err)
{
	PGresult *res;
	int has;

	if (accounts_exec(conn, "SELECT EXISTS (SELECT FROM app_user)", 0, NULL, &res, err) != 0)
		return -1;
	has = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return has;
}

/* The demo's officer account: the first active officer (not auxiliary) of 梅江区. */
static const char accounts_demo_officer_sql[] =
        "SELECT o.id::text, o.name FROM officer o JOIN org g ON g.id = o.org_id"
        " WHERE g.code LIKE 'MZ.MJ.%' AND o.status = 'active' AND o.kind = 'officer'"
        " ORDER BY o.id LIMIT 1";

int accounts_create_demo(PGconn *conn, struct accounts_demo *demo, struct err *err)
{
	PGresult *ids = NULL, *officer = NULL;
	int rc = -1;

	memset(demo, 0, sizeof(*demo));
	if (accounts_exec(conn, accounts_begin_sql, 0, NULL, NULL, err) != 0 ||
	    accounts_exec(conn,
	                  "SELECT (SELECT id::text FROM org WHERE code = 'MZ'),"
	                  " (SELECT id::text FROM org WHERE code = 'MZ.MJ')",
	                  0, NULL, &ids, err) != 0 ||
	    accounts_exec(conn, accounts_demo_officer_sql, 0, NULL, &officer, err) != 0)
		goto done;
	if (PQgetisnull(ids, 0, 0) || PQgetisnull(ids, 0, 1) || PQntuples(officer) != 1) {
		err_set(err, "accounts: the demo city is not loaded");
		goto done;
	}
	(void)snprintf(demo->officer_name, sizeof(demo->officer_name), "%s",
	               PQgetvalue(officer, 0, 1));
	if (accounts_upsert(conn, "hr.meijiang", "梅江区人事 HR", "hr", PQgetvalue(ids, 0, 1), NULL,
	                    0, demo->hr_password, err) != 0 ||
	    accounts_upsert(conn, "auditor.meizhou", "梅州市审计 Auditor", "auditor",
	                    PQgetvalue(ids, 0, 0), NULL, 0, demo->auditor_password, err) != 0 ||
	    accounts_upsert(conn, "officer.demo", demo->officer_name, "officer", NULL,
	                    PQgetvalue(officer, 0, 0), 0, demo->officer_password, err) != 0 ||
	    accounts_exec(conn, "COMMIT", 0, NULL, NULL, err) != 0)
		goto done;
	rc = 0;
done:
	PQclear(ids);
	PQclear(officer);
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	return rc;
}
