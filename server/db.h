/* db.h — PostgreSQL access for handlers: one connection per worker thread,
 * every statement prepared when the connection is made, one transaction per
 * request carrying the principal's scope for row-level security, SQLSTATEs
 * mapped to problems in one table, reconnection with back-off. */
#ifndef TCARD_DB_H
#define TCARD_DB_H

#include "err.h"
#include "problem.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

struct request;
struct db;

/* A constraint whose violation is the client's fault in a known field. */
struct db_field_error {
	const char *constraint; /* NULL ends a list */
	const char *field;
	const char *reason;
	const char *message; /* Chinese / English */
	enum problem_type type;
};

/* A prepared statement: name unique across the program, SQL with $n parameters only. */
struct db_stmt {
	const char *name;
	const char *sql;
	const struct db_field_error *field_errors; /* optional, NULL-terminated */
};

struct db_stmt_table {
	const struct db_stmt *stmts;
	size_t count;
};

/* Remembers the connection string and the statements, connects once to
 * prepare them all (a bad statement fails start-up here), and returns 0 or -1. */
int db_setup(const char *conninfo, const struct db_stmt_table *const *tables, size_t table_count,
             struct err *err);
/* Closes every worker connection. Call after the HTTP server stopped. */
void db_shutdown(void);

enum db_mode { DB_READ, DB_WRITE };

/* Starts the request's transaction on this thread's connection with the
 * principal's scope, actor and request id set locally. 0, or -1 with
 * req->problem set (503 when the database is unreachable). */
int db_begin(struct request *req, enum db_mode mode);
/* Runs a prepared statement; the result is freed with the request. NULL with
 * req->problem set on failure. Parameters are text (NULL = SQL NULL). */
PGresult *db_exec(struct request *req, const struct db_stmt *stmt, int nparams,
                  const char *const *params);
/* As db_exec, for a statement that cannot be prepared on connect because it
 * names a temporary table of the transaction (an import's staging table). */
PGresult *db_exec_unprepared(struct request *req, const struct db_stmt *stmt, int nparams,
                             const char *const *params);
/* Runs one prepared statement in a transaction of its own (autocommit), before
 * or instead of the request's transaction: credentials are resolved this way.
 * Nothing of the request's context is set. NULL with req->problem on failure. */
PGresult *db_exec_once(struct request *req, const struct db_stmt *stmt, int nparams,
                       const char *const *params);
/* Raises this transaction's statement timeout from 5 s to
 * DB_LONG_STATEMENT_TIMEOUT: for a subtree-wide write that one statement does
 * for a whole province (closing a year, a policy that re-evaluates every
 * officer-year under it). 0, or -1 with req->problem set. */
#define DB_LONG_STATEMENT_TIMEOUT "10min"
int db_allow_long_statements(struct request *req);
int db_commit(struct request *req);

/* A connection of the request's own, outside the worker's: a streamed import
 * holds a COPY open across many libmicrohttpd callbacks, while other
 * connections of the same worker thread use its shared connection. Opens,
 * configures and prepares it like a worker's and sets req->db to it. 0, or -1
 * with req->problem (503). The caller keeps the handle and closes it with
 * db_close_dedicated before the request is freed (req->db = NULL then). */
int db_open_dedicated(struct request *req);
/* For /metrics: worker connections open, those inside a transaction, and the
 * imports' dedicated connections. */
void db_stats(long *connections, long *in_transaction, long *dedicated);
/* BEGIN on req->db (dedicated) with the request context, as db_begin does. */
int db_begin_dedicated(struct request *req);
/* The libpq connection, for COPY. Borrowed. */
PGconn *db_connection(struct db *db);
/* Closes it; an open transaction is rolled back by the server. NULL is a no-op. */
void db_close_dedicated(struct db *db);
/* Rolls back an open transaction (no-op otherwise). */
void db_end(struct db *db);
/* 1 when the last failure was a serialization failure or deadlock worth retrying. */
int db_retryable(const struct db *db);

/* Parses a json/jsonb column; returns a new reference or NULL (SQL NULL or bad JSON). */
json_t *db_json(const PGresult *res, int row, int col);

/* Checks that the database answers (for /readyz): 0, or -1 with problem. */
int db_ping(struct problem *problem);

#endif
