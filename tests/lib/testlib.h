/* testlib.h — shared helpers of the integration tests: start tcardd on a
 * throwaway embedded PostgreSQL in a temp dir, call it over HTTP with libcurl,
 * look into its database as the superuser, and make valid test data. */
#ifndef TCARD_TESTLIB_H
#define TCARD_TESTLIB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

/* Who a request is made as: an API token (sent as Authorization: Bearer), or
 * a browser session (its cookie, and the CSRF token sent on writes). A zeroed
 * identity is nobody. */
struct test_identity {
	char bearer[96];
	char cookie[128]; /* "tcard_session=…" */
	char csrf[96];
	long long user_id;
};

struct tcardd_proc {
	pid_t pid;
	unsigned port;
	char data_dir[512];
	char base_url[64];
	char log_path[600]; /* stderr: the log */
	char out_path[600]; /* stdout: what tcardd prints for its operator */
	/* The administrator that http_call acts as: on the first start in a
	 * data directory tcardd_start logs in with the one-time password tcardd
	 * printed, sets TEST_ADMIN_PASSWORD and keeps an API token in
	 * DATA_DIR/test-admin.token for later starts. Empty for a tcardd on an
	 * external database: copy another's (secondary.admin = primary.admin). */
	struct test_identity admin;
	/* tcardd_stop checks the audit chain first unless this is set (a test
	 * that breaks the chain on purpose). */
	int audit_broken_on_purpose;
};

#define TEST_ADMIN_PASSWORD "test-admin-password-0"

/* Starts tcardd with its embedded database in a fresh temp dir (or in
 * data_dir when not NULL: a restart) with extra flags (NULL-terminated, may be
 * NULL) and waits until /readyz answers 200. Fails the test on error. */
void tcardd_start(struct tcardd_proc *proc, const char *data_dir, const char *const *extra);
/* Checks the audit chain over HTTP (GET /api/v1/audit/verify as the admin)
 * and fails the test unless it is intact. */
void test_assert_audit_intact(struct tcardd_proc *proc);
/* Sends SIGTERM and returns tcardd's exit status (-1 if it died of a signal).
 * Before that, while tcardd answers, the audit chain must verify. */
int tcardd_stop(struct tcardd_proc *proc);
/* Removes the temp dir (after stopping). */
void tcardd_cleanup(struct tcardd_proc *proc);
/* A test group's end: closes db (may be NULL), stops tcardd (it must exit 0
 * with an intact audit chain) and removes its temp dir. */
void tcardd_finish(struct tcardd_proc *proc, PGconn *db);
/* Runs tcardd with args and waits; returns its exit status. Output goes to log_path. */
int tcardd_run(const char *const *args, const char *log_path);
/* 1 when the file at path contains needle. */
int test_file_contains(const char *path, const char *needle);

struct http_result {
	long status;
	char *body;
	json_t *json; /* parsed body when it is JSON */
	char content_type[128];
	char etag[64];
	char location[256];
	char request_id[80];
	char allow[128];
	char set_cookie[256];
	char retry_after[16];
	char cache_control[128]; /* every Cache-Control header, joined by " | " */
};

/* Calls tcardd: method, path (with query), optional headers (NULL-terminated
 * "Name: value" strings), optional body sent as application/json unless a
 * Content-Type header is given. */
void http_call(struct tcardd_proc *proc, struct http_result *out, const char *method,
               const char *path, const char *const *headers, const char *body);
/* The same as who (NULL: nobody). http_call acts as proc->admin. */
void http_call_as(struct tcardd_proc *proc, const struct test_identity *who,
                  struct http_result *out, const char *method, const char *path,
                  const char *const *headers, const char *body);
void http_result_clear(struct http_result *r);
/* GETs path as who (NULL: nobody) and writes the body, bytes as they came, to
 * file; returns the status. For binary replies (XLSX, PNG). */
long test_download(struct tcardd_proc *proc, const struct test_identity *who, const char *path,
                   const char *file);
/* Calls with a JSON body (stolen, may be NULL) and, when if_match is not
 * NULL, an If-Match header. */
void http_call_json(struct tcardd_proc *proc, struct http_result *out, const char *method,
                    const char *path, const char *if_match, json_t *body);
void http_call_json_as(struct tcardd_proc *proc, const struct test_identity *who,
                       struct http_result *out, const char *method, const char *path,
                       const char *if_match, json_t *body);

/* Logs in (POST /api/v1/login) as username and fills who with the session
 * cookie and CSRF token; fails the test unless the reply is 200. */
void test_login(struct tcardd_proc *proc, const char *username, const char *password,
                struct test_identity *who);
/* Changes who's password (POST /api/v1/session/password); fails unless 204. */
void test_change_password(struct tcardd_proc *proc, const struct test_identity *who,
                          const char *current, const char *new_password);
/* Creates an API token for who and puts it in out->bearer (out may be who). */
void test_create_token(struct tcardd_proc *proc, const struct test_identity *who,
                       struct test_identity *out);
/* As the admin, creates an account (role "hr" or "auditor" with org_id, or
 * "officer" with officer_id; 0 = none), logs it in, replaces its one-time
 * password with password (TEST_USER_PASSWORD when NULL) and fills who with a
 * session (cookie and CSRF). */
void test_create_user(struct tcardd_proc *proc, const char *username, const char *role,
                      long long org_id, long long officer_id, const char *password,
                      struct test_identity *who);

#define TEST_USER_PASSWORD "test-user-password-0"
/* The number of items of a 200 list reply (fails the test otherwise), and
 * whether one of them has id. */
/* A string / integer member of a JSON object; fails the test when it is missing
 * or of another type. */
const char *test_json_str(const json_t *doc, const char *key);
long long test_json_int(const json_t *doc, const char *key);
size_t test_items_count(const struct http_result *r);
int test_items_hold(const struct http_result *r, long long id);

/* Asserts a problem+json reply with status and, when field is not NULL, a
 * field error on field with reason (reason may be NULL). */
void assert_problem(const struct http_result *r, long status, const char *field,
                    const char *reason);

/* A superuser connection to the embedded cluster (bypasses row-level
 * security): to check what the database really holds. */
PGconn *test_db(struct tcardd_proc *proc);
/* Runs a one-value query and returns it as a number. */
long long test_db_count(PGconn *conn, const char *sql);
/* The same with a printf-formatted query. */
long long test_db_countf(PGconn *conn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs sql in one transaction as the app role with the whole tree in scope and
 * actor "test" (row-level security and every trigger apply, as for tcardd). */
void test_db_as_app(PGconn *conn, const char *sql);
/* Runs a printf-formatted statement; fails the test when it fails. */
void test_db_execf(PGconn *conn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The single value of sql with one text parameter (may be NULL) into out;
 * "(null)" for SQL NULL. */
void test_db_text(PGconn *conn, const char *sql, const char *param, char *out, size_t size);

/* A valid national ID for number n (distinct n give distinct IDs), into out[19]. */
void test_national_id(unsigned n, char out[19]);
/* Creates an organisation over HTTP and returns its id. */
long long test_create_org(struct tcardd_proc *proc, const char *code, const char *name,
                          const char *kind, long long parent_id);
/* Creates an officer over HTTP and returns its id. */
long long test_create_officer(struct tcardd_proc *proc, unsigned n, const char *name,
                              long long org_id);
/* The same hired on hire_date (NULL: 2015-03-01) with extra members (a JSON
 * fragment starting with ',', or ""). */
long long test_create_officer_with(struct tcardd_proc *proc, unsigned n, const char *name,
                                   long long org_id, const char *hire_date, const char *extra);
/* Issues a certificate as the admin (201 or the test fails): number, in
 * domain, by issuing_org, valid from 2024-01-01 to 2030-12-31. Returns its id. */
long long test_issue_certificate(struct tcardd_proc *proc, long long officer_id,
                                 long long issuing_org_id, const char *number, const char *domain);

/* Bulk import (doc/import.md). POSTs csv to /api/v1/imports/KIND?QUERY (query
 * may be NULL) as who (NULL: the admin), as text/csv, chunked when asked. */
void test_import_post(struct tcardd_proc *proc, const struct test_identity *who,
                      struct http_result *r, const char *kind, const char *query, const char *csv,
                      int chunked);
/* 1 when an import reply's row_errors hold one for row and column with reason. */
int test_row_error(const struct http_result *r, long long row, const char *column,
                   const char *reason);
/* Inserts a session of unit org as the app role: code, on day (YYYY-MM-DD) 09:00
 * to 13:00 China time, business, lecture, declaring hours. */
void test_session_sql(PGconn *db, const char *code, long long org, const char *day,
                      long long hours);
/* Writes text to path (fails the test otherwise). */
void test_write_file(const char *path, const char *text);
/* Runs a shell command line; returns its exit status, with both output streams in out. */
int test_run_command(const char *command, char *out, size_t size);
/* Runs `tcard import KIND FILE` against proc with token (NULL: the login stored
 * under home) and extra arguments, XDG_CONFIG_HOME=home/config; returns the exit
 * status with the output in out. */
int test_cli_import(struct tcardd_proc *proc, const char *home, const char *kind, const char *file,
                    const char *token, const char *extra, char *out, size_t size);
/* A count of the CLI's --json summary in out (fails the test when out is not one). */
long long test_cli_summary_count(const char *out, const char *key);
/* Imports file as the admin through the CLI; fails unless it exits 0, and
 * returns how many records it inserted. */
long long test_cli_imported(struct tcardd_proc *proc, const char *home, const char *kind,
                            const char *file);
/* Creates a public_law lecture over HTTP (times RFC 3339; declared_hours "4.5" or NULL for
 * an untimed session) and returns its id. */
long long test_create_session(struct tcardd_proc *proc, const char *title, long long org_id,
                              const char *starts_at, const char *ends_at,
                              const char *declared_hours);
/* Registers one officer on a session over HTTP and returns the new record's id. */
long long test_register_attendance(struct tcardd_proc *proc, long long session_id,
                                   long long officer_id);

/* ---- raw HTTP over TCP: requests libcurl will not send, replies byte for byte ---- */

/* Connects to 127.0.0.1:port; returns the socket, or -1 with errno. */
int test_tcp_connect(unsigned port);
/* Sends len bytes on fd (never raises SIGPIPE); returns 0, or -1 when the peer
 * closed or reset the connection first. */
int test_tcp_send(int fd, const char *data, size_t len);
/* Reads from fd until the peer closes it or timeout_ms pass without data;
 * returns what arrived (malloc'd, NUL-terminated, caller frees; "" when
 * nothing did) and its length in *len when len is not NULL. */
char *test_tcp_read_all(int fd, int timeout_ms, size_t *len);
/* Opens a connection, sends request, reads the reply until the server closes
 * the connection (send "Connection: close") or timeout_ms pass. Caller frees. */
char *test_raw_exchange(unsigned port, const char *request, size_t len, int timeout_ms);
/* The status code of the first response in a raw reply, or 0. */
int test_raw_status(const char *reply);
/* Copies the value of header name in the first response of a raw reply into
 * out; returns 1 when present, 0 otherwise. */
int test_raw_header(const char *reply, const char *name, char *out, size_t size);
/* The body of the first response of a raw reply (after its blank line), or NULL. */
const char *test_raw_body(const char *reply);

/* Waits up to timeout_ms for a line of the file at path that contains needle;
 * returns that line without its newline (malloc'd, caller frees) or NULL. */
char *test_wait_log_line(const char *path, const char *needle, int timeout_ms);

#endif
