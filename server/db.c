/* db.c — one PostgreSQL connection per worker thread (thread-local), all
 * statements prepared on connect, request transactions with the principal's
 * scope for row-level security, the SQLSTATE → problem table, reconnection
 * with back-off after the database restarts. */
#include "db.h"

#include "arena.h"
#include "log.h"
#include "request.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct db {
	PGconn *conn;
	struct db *next; /* in the list of all connections, for shutdown */
	/* Atomic: /metrics counts them from another thread. */
	atomic_int in_transaction;
	atomic_int open; /* conn is connected (or was, until a failure shows) */
	int retryable;
	int64_t next_connect_ns; /* back-off: no new attempt before this time */
	int64_t backoff_ns;
};

static struct {
	char *conninfo;
	const struct db_stmt_table *const *tables;
	size_t table_count;
	pthread_mutex_t lock; /* guards all */
	struct db *all;
} db_global = {.lock = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local struct db *db_mine;
static atomic_long db_dedicated_open; /* imports' own connections */

#define DB_BACKOFF_MIN_NS (50LL * 1000000LL)
#define DB_BACKOFF_MAX_NS (1000LL * 1000000LL)

/* Session settings of every connection (SECURITY.md 6, 7). */
static const char db_session_sql[] = "SET statement_timeout = '5s';"
                                     "SET idle_in_transaction_session_timeout = '10s';"
                                     "SET lock_timeout = '4s';"
                                     "SET TimeZone = 'Asia/Shanghai';"
                                     "SET application_name = 'tcardd';"
                                     /* Compiling a report's plan took longer than
                                      * running it (tests/bench/README.md). */
                                     "SET jit = off;"
                                     "SET synchronous_commit = on;";

/* When the login role may act as tcard_app (an operator's superuser URL in
 * tests), act as it, so row-level security applies as in production. */
static const char db_role_sql[] =
        "SELECT current_user <> 'tcard_app' AND pg_has_role('tcard_app', 'MEMBER')";

/* SQLSTATE → problem. First match wins; an entry of two characters matches a class. */
static const struct {
	const char *sqlstate;
	enum problem_type type;
	const char *detail;
} db_sqlstate_problems[] = {
        {"23505", PROBLEM_CONFLICT, "a record with this key already exists"},
        {"23503", PROBLEM_VALIDATION, "a referenced record does not exist"},
        {"23514", PROBLEM_VALIDATION, "a value is outside its allowed range"},
        {"23502", PROBLEM_VALIDATION, "a required value is missing"},
        {"23P01", PROBLEM_CONFLICT, "the record overlaps an existing one"},
        {"22", PROBLEM_VALIDATION, "a value has the wrong form"},
        {"42501", PROBLEM_NOT_FOUND, "no resource at this path"}, /* RLS: out of scope */
        {"40001", PROBLEM_CONFLICT, "concurrent update, please retry"},
        {"40P01", PROBLEM_CONFLICT, "concurrent update, please retry"},
        {"55P03", PROBLEM_UNAVAILABLE, "the record is locked, please retry"},
        {"57014", PROBLEM_UNAVAILABLE, "the database took too long"},
        {"57P", PROBLEM_UNAVAILABLE, "the database is restarting"},
        {"08", PROBLEM_UNAVAILABLE, "the database is unreachable"},
        {"53", PROBLEM_UNAVAILABLE, "the database is out of resources"},
        {"TC404", PROBLEM_NOT_FOUND, NULL}, /* our triggers: the message is the detail */
        {"TC409", PROBLEM_CONFLICT, NULL},
        {"TC422", PROBLEM_VALIDATION, NULL},
};

/* The request context that row-level security, history and audit triggers read. */
static const struct db_stmt db_set_context = {"db_set_context",
                                              "SELECT set_config('tcard.scope', $1, true), "
                                              "set_config('tcard.actor', $2, true), "
                                              "set_config('tcard.request_id', $3, true), "
                                              "set_config('tcard.user_id', $4, true), "
                                              "set_config('tcard.address', $5, true), "
                                              "set_config('tcard.officer', $6, true)"};

static int64_t db_now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int db_prepare(PGconn *conn, const struct db_stmt *stmt, struct err *err)
{
	PGresult *res = PQprepare(conn, stmt->name, stmt->sql, 0, NULL);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		err_set(err, "cannot prepare statement %s: %s", stmt->name,
		        PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

static int db_prepare_all(PGconn *conn, struct err *err)
{
	size_t t, i;

	if (db_prepare(conn, &db_set_context, err) != 0)
		return -1;
	for (t = 0; t < db_global.table_count; t++)
		for (i = 0; i < db_global.tables[t]->count; i++)
			if (db_prepare(conn, &db_global.tables[t]->stmts[i], err) != 0)
				return -1;
	return 0;
}

/* Opens, configures and prepares a connection. NULL with err on failure. */
static PGconn *db_connect(struct err *err)
{
	PGconn *conn = PQconnectdb(db_global.conninfo);
	PGresult *res = NULL;

	if (PQstatus(conn) != CONNECTION_OK) {
		err_set(err, "cannot connect to the database: %s", PQerrorMessage(conn));
		goto fail;
	}
	res = PQexec(conn, db_session_sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		err_set(err, "cannot configure the session: %s", PQresultErrorMessage(res));
		goto fail;
	}
	PQclear(res);
	res = PQexec(conn, db_role_sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		err_set(err, "cannot check the session role: %s", PQresultErrorMessage(res));
		goto fail;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		PQclear(res);
		res = PQexec(conn, "SET ROLE tcard_app");
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			err_set(err, "cannot act as tcard_app: %s", PQresultErrorMessage(res));
			goto fail;
		}
	}
	PQclear(res);
	res = NULL;
	if (db_prepare_all(conn, err) != 0)
		goto fail;
	return conn;
fail:
	PQclear(res);
	PQfinish(conn);
	return NULL;
}

int db_setup(const char *conninfo, const struct db_stmt_table *const *tables, size_t table_count,
             struct err *err)
{
	PGconn *probe;

	free(db_global.conninfo);
	db_global.conninfo = strdup(conninfo);
	if (db_global.conninfo == NULL)
		return err_set(err, "out of memory");
	db_global.tables = tables;
	db_global.table_count = table_count;
	probe = db_connect(err);
	if (probe == NULL)
		return -1;
	PQfinish(probe);
	return 0;
}

void db_shutdown(void)
{
	struct db *db, *next;

	pthread_mutex_lock(&db_global.lock);
	for (db = db_global.all; db != NULL; db = next) {
		next = db->next;
		PQfinish(db->conn);
		free(db);
	}
	db_global.all = NULL;
	pthread_mutex_unlock(&db_global.lock);
	free(db_global.conninfo);
	db_global.conninfo = NULL;
}

/* This thread's connection, (re)connected if needed. NULL with problem set. */
static struct db *db_acquire(struct problem *problem)
{
	struct db *db = db_mine;
	struct err err;
	int64_t now = db_now_ns();

	if (db == NULL) {
		db = calloc(1, sizeof(*db));
		if (db == NULL) {
			problem_set(problem, PROBLEM_INTERNAL, "out of memory");
			return NULL;
		}
		pthread_mutex_lock(&db_global.lock);
		db->next = db_global.all;
		db_global.all = db;
		pthread_mutex_unlock(&db_global.lock);
		db_mine = db;
	}
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return db;
	if (now < db->next_connect_ns) {
		problem_set(problem, PROBLEM_UNAVAILABLE, "the database is unreachable");
		return NULL;
	}
	PQfinish(db->conn);
	db->conn = db_connect(&err);
	db->in_transaction = 0;
	db->open = db->conn != NULL;
	if (db->conn == NULL) {
		db->backoff_ns = db->backoff_ns ? db->backoff_ns * 2 : DB_BACKOFF_MIN_NS;
		if (db->backoff_ns > DB_BACKOFF_MAX_NS)
			db->backoff_ns = DB_BACKOFF_MAX_NS;
		db->next_connect_ns = now + db->backoff_ns;
		log_event(LOG_WARN, "db_connect_failed", "retry_in_ms=%lld",
		          (long long)(db->backoff_ns / 1000000));
		problem_set(problem, PROBLEM_UNAVAILABLE, "the database is unreachable");
		return NULL;
	}
	if (db->backoff_ns != 0)
		log_event(LOG_INFO, "db_reconnected", NULL);
	db->backoff_ns = 0;
	db->next_connect_ns = 0;
	return db;
}

static void db_clear_result(void *res)
{
	PQclear(res);
}

/* Fills req->problem from a failed result; marks retryable failures. */
static void db_problem(struct request *req, const struct db_stmt *stmt, const PGresult *res)
{
	const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	const char *message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const struct db_field_error *fe;
	char quoted[300];
	size_t i;

	if (sqlstate == NULL)
		sqlstate = "08006"; /* no SQLSTATE: the connection broke */
	req->db->retryable = strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0;
	if (constraint != NULL && stmt != NULL && stmt->field_errors != NULL) {
		for (fe = stmt->field_errors; fe->constraint != NULL; fe++) {
			if (strcmp(fe->constraint, constraint) == 0) {
				problem_set(&req->problem, fe->type, "%s", fe->message);
				problem_field(&req->problem, fe->field, fe->reason, fe->message);
				return;
			}
		}
	}
	for (i = 0; i < sizeof(db_sqlstate_problems) / sizeof(db_sqlstate_problems[0]); i++) {
		if (strncmp(sqlstate, db_sqlstate_problems[i].sqlstate,
		            strlen(db_sqlstate_problems[i].sqlstate)) != 0)
			continue;
		if (db_sqlstate_problems[i].detail != NULL)
			problem_set(&req->problem, db_sqlstate_problems[i].type, "%s",
			            db_sqlstate_problems[i].detail);
		else
			problem_set(&req->problem, db_sqlstate_problems[i].type, "%s",
			            message != NULL ? message : "");
		log_event(LOG_INFO, "db_refused", "request_id=%s statement=%s sqlstate=%s", req->id,
		          stmt != NULL ? stmt->name : "-", sqlstate);
		return;
	}
	/* Our own messages never hold a national ID: they are not sent to the
	 * database in clear text. */
	log_event(LOG_ERROR, "db_error", "request_id=%s statement=%s sqlstate=%s message=%s",
	          req->id, stmt != NULL ? stmt->name : "-", sqlstate,
	          log_quote(quoted, sizeof(quoted), message));
	problem_set(&req->problem, PROBLEM_INTERNAL, "the database refused the request");
}

/* Runs a fixed command (no parameters) on the request's connection. */
static int db_command(struct request *req, const char *sql)
{
	PGresult *res = PQexec(req->db->conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		db_problem(req, NULL, res);
	PQclear(res);
	return ok ? 0 : -1;
}

/* Sets the request context on req->db's open transaction. */
static int db_set_request_context(struct request *req)
{
	const char *params[6];
	char user_id[24] = "", officer_id[24] = "";

	params[0] = req->principal.scope;
	params[1] = req->principal.actor;
	params[2] = req->id;
	/* "" rather than NULL: the audit trigger reads "" as no user / no address. */
	if (req->principal.user_id != 0)
		(void)snprintf(user_id, sizeof(user_id), "%lld", (long long)req->principal.user_id);
	params[3] = user_id;
	params[4] = req->address;
	/* An officer's own record: row-level security shows it nothing else. */
	if (req->principal.officer_id != 0)
		(void)snprintf(officer_id, sizeof(officer_id), "%lld",
		               (long long)req->principal.officer_id);
	params[5] = officer_id;
	return db_exec(req, &db_set_context, 6, params) != NULL ? 0 : -1;
}

void db_stats(long *connections, long *in_transaction, long *dedicated)
{
	struct db *db;

	*connections = 0;
	*in_transaction = 0;
	pthread_mutex_lock(&db_global.lock);
	for (db = db_global.all; db != NULL; db = db->next) {
		/* The owner changes them without the lock: a gauge may be a moment old. */
		if (atomic_load(&db->open))
			(*connections)++;
		if (atomic_load(&db->in_transaction))
			(*in_transaction)++;
	}
	pthread_mutex_unlock(&db_global.lock);
	*dedicated = atomic_load(&db_dedicated_open);
}

int db_open_dedicated(struct request *req)
{
	struct db *db = calloc(1, sizeof(*db));
	struct err err;

	if (db == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	db->conn = db_connect(&err);
	if (db->conn == NULL) {
		free(db);
		log_event(LOG_WARN, "db_connect_failed", "request_id=%s dedicated=1", req->id);
		return problem_set(&req->problem, PROBLEM_UNAVAILABLE,
		                   "the database is unreachable");
	}
	atomic_fetch_add(&db_dedicated_open, 1);
	req->db = db;
	return 0;
}

int db_begin_dedicated(struct request *req)
{
	if (db_command(req, "BEGIN") != 0)
		return -1;
	req->db->in_transaction = 1;
	return db_set_request_context(req);
}

PGconn *db_connection(struct db *db)
{
	return db->conn;
}

void db_close_dedicated(struct db *db)
{
	if (db == NULL)
		return;
	/* Closing without COMMIT is a rollback: the server ends the transaction
	 * when the connection goes, even in the middle of a COPY. */
	PQfinish(db->conn);
	free(db);
	atomic_fetch_sub(&db_dedicated_open, 1);
}

int db_begin(struct request *req, enum db_mode mode)
{
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		req->db = db_acquire(&req->problem);
		if (req->db == NULL)
			return -1;
		if (req->db->in_transaction)
			db_end(req->db);
		req->db->retryable = 0;
		if (db_command(req, mode == DB_READ ? "BEGIN READ ONLY" : "BEGIN") == 0)
			break;
		/* Nothing was written yet, so after a broken connection one fresh
		 * attempt is safe. */
		if (PQstatus(req->db->conn) == CONNECTION_OK || attempt == 1)
			return -1;
		problem_clear(&req->problem);
	}
	req->db->in_transaction = 1;
	return db_set_request_context(req);
}

PGresult *db_exec_once(struct request *req, const struct db_stmt *stmt, int nparams,
                       const char *const *params)
{
	PGresult *res = NULL;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		req->db = db_acquire(&req->problem);
		if (req->db == NULL)
			return NULL;
		if (req->db->in_transaction)
			db_end(req->db);
		res = db_exec(req, stmt, nparams, params);
		/* A connection broken by a database restart fails its first
		 * statement; this one ran in its own transaction, so once more. */
		if (res != NULL || PQstatus(req->db->conn) == CONNECTION_OK)
			return res;
		problem_clear(&req->problem);
	}
	return res;
}

static PGresult *db_run(struct request *req, const struct db_stmt *stmt, int prepared, int nparams,
                        const char *const *params)
{
	PGresult *res;
	ExecStatusType status;

	if (req->db == NULL || req->db->conn == NULL) {
		problem_set(&req->problem, PROBLEM_INTERNAL, "no transaction");
		return NULL;
	}
	res = prepared ? PQexecPrepared(req->db->conn, stmt->name, nparams, params, NULL, NULL, 0)
	               : PQexecParams(req->db->conn, stmt->sql, nparams, NULL, params, NULL, NULL,
	                              0);
	if (res == NULL) {
		problem_set(&req->problem, PROBLEM_UNAVAILABLE, "the database is unreachable");
		return NULL;
	}
	status = PQresultStatus(res);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
		db_problem(req, stmt, res);
		PQclear(res);
		return NULL;
	}
	if (arena_defer(req->arena, db_clear_result, res) != 0) {
		problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
		return NULL;
	}
	return res;
}

PGresult *db_exec(struct request *req, const struct db_stmt *stmt, int nparams,
                  const char *const *params)
{
	return db_run(req, stmt, 1, nparams, params);
}

PGresult *db_exec_unprepared(struct request *req, const struct db_stmt *stmt, int nparams,
                             const char *const *params)
{
	return db_run(req, stmt, 0, nparams, params);
}

int db_allow_long_statements(struct request *req)
{
	return db_command(req, "SET LOCAL statement_timeout = '" DB_LONG_STATEMENT_TIMEOUT "'");
}

int db_commit(struct request *req)
{
	int rc;

	if (req->db == NULL || !req->db->in_transaction)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "no transaction");
	rc = db_command(req, "COMMIT");
	req->db->in_transaction = 0;
	if (rc != 0 && PQstatus(req->db->conn) != CONNECTION_OK)
		problem_set(&req->problem, PROBLEM_UNAVAILABLE,
		            "the connection broke during commit; whether the change was saved is "
		            "unknown: read it back before repeating it");
	return rc;
}

void db_end(struct db *db)
{
	PGresult *res;

	if (db == NULL || !db->in_transaction)
		return;
	db->in_transaction = 0;
	if (PQstatus(db->conn) != CONNECTION_OK)
		return;
	res = PQexec(db->conn, "ROLLBACK");
	PQclear(res);
}

int db_retryable(const struct db *db)
{
	return db != NULL && db->retryable;
}

json_t *db_json(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return json_loadb(PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col), 0, NULL);
}

int db_ping(struct problem *problem)
{
	struct db *db;
	PGresult *res;
	int ok = 0, attempt;

	/* A connection made before the database restarted fails its first query;
	 * one fresh attempt tells a restarted database from an absent one. */
	for (attempt = 0; attempt < 2 && !ok; attempt++) {
		db = db_acquire(problem);
		if (db == NULL)
			return -1;
		res = PQexec(db->conn, "SELECT current_setting('synchronous_commit')");
		ok = PQresultStatus(res) == PGRES_TUPLES_OK &&
		     strcmp(PQgetvalue(res, 0, 0), "off") != 0;
		PQclear(res);
		if (!ok && PQstatus(db->conn) == CONNECTION_OK)
			return problem_set(problem, PROBLEM_UNAVAILABLE,
			                   "synchronous_commit is off: commits are not durable");
	}
	if (!ok)
		return problem_set(problem, PROBLEM_UNAVAILABLE, "the database is unreachable");
	return 0;
}
