/* audit.c — audit entries for events, chain verification and signed
 * checkpoints (see audit.h; the chain itself is built by the triggers of
 * schema/003_audit.sql). Verification and checkpoints use short connections
 * of their own, never a worker's: they read the whole chain under scope
 * "all", which no request transaction may do. */
#include "audit.h"

#include "arena.h"
#include "checkpoint.h"
#include "log.h"
#include "request.h"
#include "ticker.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AUDIT_CHECKPOINT_INTERVAL_S 60
#define AUDIT_FETCH_ROWS            "1000"
#define AUDIT_PATH_MAX              4200

enum audit_stmt { AUDIT_INSERT, AUDIT_STMT_COUNT };

/* seq, at, prev_hash and hash are assigned by the audit_chain trigger. */
static const struct db_stmt audit_stmts[AUDIT_STMT_COUNT] = {
        [AUDIT_INSERT] = {"audit_insert",
                          "INSERT INTO audit_log (actor, user_id, action, target_type,"
                          " target_id, org_path, before, after, request_id, address)"
                          " VALUES ($1, $2::bigint, $3, $4, $5, $6::ltree, $7::jsonb,"
                          " $8::jsonb, $9, nullif($10, ''))",
                          NULL},
};

const struct db_stmt_table audit_statements = {audit_stmts, AUDIT_STMT_COUNT};

/* Settings of the module's own connections: generous per-statement limits
 * (a fetch of 1,000 entries is quick), UTC, named for pg_stat_activity. */
static const char audit_session_sql[] = "SET statement_timeout = '30s';"
                                        "SET idle_in_transaction_session_timeout = '60s';"
                                        "SET lock_timeout = '4s';"
                                        "SET TimeZone = 'UTC';"
                                        "SET application_name = 'tcardd-audit';";

static const char audit_cursor_sql[] =
        "DECLARE audit_verify NO SCROLL BINARY CURSOR FOR"
        " SELECT a.seq, a.prev_hash, a.hash, convert_to(audit_canonical(a), 'UTF8')"
        " FROM audit_log a ORDER BY a.seq";

/* The module's long-lived state, set by audit_start or audit_verify_command. */
static struct {
	pthread_mutex_t lock;   /* guards the checkpoint file, last_* */
	pthread_mutex_t verify; /* one verification at a time */
	struct ticker ticker;   /* a checkpoint a minute */
	int ready;
	char *conninfo;
	char checkpoint_path[AUDIT_PATH_MAX];
	unsigned char *secret_key; /* sodium_malloc'd; NULL when there is no key */
	unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
	long long last_seq; /* the last checkpoint this process wrote */
	unsigned char last_hash[CHECKPOINT_HASH_BYTES];
	int have_last;
} audit_global = {.lock = PTHREAD_MUTEX_INITIALIZER, .verify = PTHREAD_MUTEX_INITIALIZER};

/* ---------------------------------------------------------------- entries */

int audit_record(struct request *req, const char *action, const char *target_type,
                 const char *target_id, const char *org_path, json_t *before, json_t *after)
{
	const char *params[10];
	char user_id[24];
	char *before_text = NULL, *after_text = NULL;

	if (before != NULL) {
		before_text = json_dumps(before, JSON_COMPACT | JSON_ENCODE_ANY);
		if (before_text == NULL || arena_defer(req->arena, free, before_text) != 0)
			return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	if (after != NULL) {
		after_text = json_dumps(after, JSON_COMPACT | JSON_ENCODE_ANY);
		if (after_text == NULL || arena_defer(req->arena, free, after_text) != 0)
			return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	(void)snprintf(user_id, sizeof(user_id), "%lld", (long long)req->principal.user_id);
	params[0] = req->principal.actor;
	params[1] = req->principal.user_id != 0 ? user_id : NULL;
	params[2] = action;
	params[3] = target_type;
	params[4] = target_id;
	params[5] = org_path;
	params[6] = before_text;
	params[7] = after_text;
	params[8] = req->id;
	params[9] = req->address;
	return db_exec(req, &audit_stmts[AUDIT_INSERT], 10, params) != NULL ? 0 : -1;
}

/* ---------------------------------------------------------------- keys */

static int audit_join(char *out, size_t size, const char *dir, const char *name, struct err *err)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size)
		return err_set(err, "the path %s/%s is too long", dir, name);
	return 0;
}

/* Writes the public key as hex for checkers that hold no secret. */
static int audit_write_public_key(const char *path, struct err *err)
{
	char text[2 * crypto_sign_PUBLICKEYBYTES + 2];
	size_t len;
	int fd;

	(void)sodium_bin2hex(text, sizeof(text), audit_global.public_key,
	                     sizeof(audit_global.public_key));
	len = strlen(text);
	text[len++] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return err_set(err, "cannot create %s: %s", path, strerror(errno));
	if (write(fd, text, len) != (ssize_t)len) {
		(void)close(fd);
		return err_set(err, "cannot write %s", path);
	}
	return close(fd) == 0 ? 0 : err_set(err, "cannot write %s", path);
}

/* Loads the signing key from keys_dir/audit.ed25519, creating it when create
 * is set. 0 loaded, 1 absent (and not created), -1 with err. */
static int audit_load_key(const char *keys_dir, int create, struct err *err)
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	char path[AUDIT_PATH_MAX], public_path[AUDIT_PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd, rc = -1, created = 0;

	if (audit_join(path, sizeof(path), keys_dir, "audit.ed25519", err) != 0 ||
	    audit_join(public_path, sizeof(public_path), keys_dir, "audit.ed25519.pub", err) != 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		if (!create)
			return 1;
		if (mkdir(keys_dir, 0700) != 0 && errno != EEXIST)
			return err_set(err, "cannot create %s: %s", keys_dir, strerror(errno));
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return err_set(err, "cannot create the key file %s: %s", path,
			               strerror(errno));
		randombytes_buf(seed, sizeof(seed));
		if (write(fd, seed, sizeof(seed)) != (ssize_t)sizeof(seed) || fsync(fd) != 0) {
			(void)close(fd);
			(void)unlink(path);
			err_set(err, "cannot write the key file %s", path);
			goto done;
		}
		if (close(fd) != 0) {
			err_set(err, "cannot write the key file %s", path);
			goto done;
		}
		created = 1;
	} else if (fd < 0) {
		return err_set(err, "cannot open the key file %s: %s", path, strerror(errno));
	} else {
		if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
			(void)close(fd);
			return err_set(err,
			               "the key file %s must not be readable by group or others "
			               "(chmod 600)",
			               path);
		}
		n = read(fd, seed, sizeof(seed));
		(void)close(fd);
		if (n != (ssize_t)sizeof(seed)) {
			err_set(err, "the key file %s is damaged (expected %d bytes)", path,
			        crypto_sign_SEEDBYTES);
			goto done;
		}
	}
	audit_global.secret_key = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (audit_global.secret_key == NULL) {
		err_set(err, "out of memory");
		goto done;
	}
	(void)crypto_sign_seed_keypair(audit_global.public_key, audit_global.secret_key, seed);
	(void)sodium_mprotect_readonly(audit_global.secret_key);
	rc = created ? audit_write_public_key(public_path, err) : 0;
done:
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

/* ---------------------------------------------------------------- connections */

static PGconn *audit_connect(struct err *err)
{
	PGconn *conn = PQconnectdb(audit_global.conninfo);
	PGresult *res;

	if (PQstatus(conn) != CONNECTION_OK) {
		err_set(err, "cannot connect to the database: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	res = PQexec(conn, audit_session_sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		err_set(err, "cannot configure the session: %s", PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(conn);
		return NULL;
	}
	PQclear(res);
	return conn;
}

static int audit_command(PGconn *conn, const char *sql, struct err *err)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType status = PQresultStatus(res);
	int rc = 0;

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		rc = err_set(err, "%s", PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

/* A binary int8 column. */
static long long audit_int8(const PGresult *res, int row, int col)
{
	const unsigned char *p = (const unsigned char *)PQgetvalue(res, row, col);
	uint64_t value = 0;
	int i;

	if (PQgetlength(res, row, col) != 8)
		return -1;
	for (i = 0; i < 8; i++)
		value = value << 8 | p[i];
	return (long long)value;
}

/* Reads the head record (seq, hash) in the connection's current snapshot. */
static int audit_read_head(PGconn *conn, long long *seq, unsigned char hash[CHECKPOINT_HASH_BYTES],
                           struct err *err)
{
	PGresult *res = PQexecParams(conn, "SELECT seq, hash FROM audit_head", 0, NULL, NULL, NULL,
	                             NULL, 1);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = err_set(err, "cannot read the audit chain head: %s",
		             PQresultErrorMessage(res));
	else if (PQntuples(res) != 1 || PQgetlength(res, 0, 1) != CHECKPOINT_HASH_BYTES ||
	         (*seq = audit_int8(res, 0, 0)) < 0)
		rc = err_set(err, "the audit chain head record is missing or damaged");
	else
		memcpy(hash, PQgetvalue(res, 0, 1), CHECKPOINT_HASH_BYTES);
	PQclear(res);
	return rc;
}

/* ---------------------------------------------------------------- checkpoints */

/* Signs and appends one checkpoint. Called with audit_global.lock held. The
 * line is one write(2) under an exclusive flock, so a tcardd --verify-audit
 * appending to the same file at once cannot interleave with it. */
static int audit_append_checkpoint(long long seq, const unsigned char hash[CHECKPOINT_HASH_BYTES],
                                   struct err *err)
{
	struct checkpoint cp;
	char message[CHECKPOINT_LINE_MAX + 1], line[CHECKPOINT_LINE_MAX + 1];
	char hash_hex[2 * CHECKPOINT_HASH_BYTES + 1];
	int message_len, line_len, fd;

	if (audit_global.secret_key == NULL)
		return err_set(err, "there is no checkpoint key");
	memset(&cp, 0, sizeof(cp));
	cp.seq = seq;
	memcpy(cp.hash, hash, CHECKPOINT_HASH_BYTES);
	cp.time = (long long)time(NULL);
	message_len = checkpoint_message(&cp, message, sizeof(message));
	if (message_len < 0)
		return err_set(err, "cannot form a checkpoint of seq %lld", seq);
	(void)crypto_sign_detached(cp.signature, NULL, (const unsigned char *)message,
	                           (unsigned long long)message_len, audit_global.secret_key);
	line_len = checkpoint_format(&cp, line, sizeof(line));
	if (line_len < 0)
		return err_set(err, "cannot form a checkpoint of seq %lld", seq);
	fd = open(audit_global.checkpoint_path,
	          O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_set(err, "cannot open %s: %s", audit_global.checkpoint_path,
		               strerror(errno));
	if (flock(fd, LOCK_EX) != 0 || write(fd, line, (size_t)line_len) != line_len ||
	    fsync(fd) != 0) {
		err_set(err, "cannot append to %s: %s", audit_global.checkpoint_path,
		        strerror(errno));
		(void)close(fd);
		return -1;
	}
	if (close(fd) != 0) {
		err_set(err, "cannot append to %s: %s", audit_global.checkpoint_path,
		        strerror(errno));
		return -1;
	}
	audit_global.last_seq = seq;
	memcpy(audit_global.last_hash, hash, CHECKPOINT_HASH_BYTES);
	audit_global.have_last = 1;
	(void)sodium_bin2hex(hash_hex, sizeof(hash_hex), hash, CHECKPOINT_HASH_BYTES);
	/* The log is a second witness outside the database. */
	log_event(LOG_INFO, "audit_checkpoint", "seq=%lld hash=%s", seq, hash_hex);
	return 0;
}

/* Writes a checkpoint of the current head; with only_if_moved, only when it
 * differs from the last one this process wrote. */
static int audit_checkpoint_head(int only_if_moved, struct err *err)
{
	unsigned char hash[CHECKPOINT_HASH_BYTES];
	long long seq;
	PGconn *conn = audit_connect(err);
	int rc;

	if (conn == NULL)
		return -1;
	rc = audit_read_head(conn, &seq, hash, err);
	PQfinish(conn);
	if (rc != 0)
		return -1;
	pthread_mutex_lock(&audit_global.lock);
	if (!only_if_moved || !audit_global.have_last || audit_global.last_seq != seq ||
	    memcmp(audit_global.last_hash, hash, sizeof(hash)) != 0)
		rc = audit_append_checkpoint(seq, hash, err);
	pthread_mutex_unlock(&audit_global.lock);
	return rc;
}

/* Once a minute, a checkpoint when the head moved; a failure is logged and
 * tried again at the next tick. */
static void audit_tick(void *unused)
{
	struct err err;
	char quoted[600];

	(void)unused;
	if (audit_checkpoint_head(1, &err) != 0)
		log_event(LOG_WARN, "audit_checkpoint_failed", "reason=%s",
		          log_quote(quoted, sizeof(quoted), err.message));
}

/* Sets up paths and the key; create: make the key and the audit directory. */
static int audit_open(const char *data_dir, const char *conninfo, int create, struct err *err)
{
	char dir[AUDIT_PATH_MAX];
	int rc;

	if (audit_global.ready)
		return err_set(err, "the audit module is already set up");
	free(audit_global.conninfo);
	audit_global.conninfo = strdup(conninfo);
	if (audit_global.conninfo == NULL)
		return err_set(err, "out of memory");
	if (audit_join(dir, sizeof(dir), data_dir, "audit", err) != 0 ||
	    audit_join(audit_global.checkpoint_path, sizeof(audit_global.checkpoint_path), dir,
	               "checkpoints", err) != 0)
		return -1;
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(err, "cannot create %s: %s", dir, strerror(errno));
	if (audit_join(dir, sizeof(dir), data_dir, "keys", err) != 0)
		return -1;
	rc = audit_load_key(dir, create, err);
	if (rc < 0)
		return -1;
	audit_global.have_last = 0;
	audit_global.ready = 1;
	return 0;
}

static void audit_release(void)
{
	sodium_free(audit_global.secret_key);
	audit_global.secret_key = NULL;
	free(audit_global.conninfo);
	audit_global.conninfo = NULL;
	audit_global.ready = 0;
}

int audit_start(const char *data_dir, const char *conninfo, struct err *err)
{
	if (audit_open(data_dir, conninfo, 1, err) != 0 || audit_checkpoint_head(0, err) != 0)
		goto fail;
	if (ticker_start(&audit_global.ticker, AUDIT_CHECKPOINT_INTERVAL_S, 0, audit_tick, NULL) !=
	    0) {
		err_set(err, "cannot start the checkpoint thread");
		goto fail;
	}
	return 0;
fail:
	audit_release();
	return -1;
}

void audit_stop(void)
{
	struct err err;
	char quoted[600];

	if (!audit_global.ready)
		return;
	ticker_stop(&audit_global.ticker);
	if (audit_checkpoint_head(0, &err) != 0)
		log_event(LOG_WARN, "audit_checkpoint_failed", "reason=%s",
		          log_quote(quoted, sizeof(quoted), err.message));
	audit_release();
}

/* ---------------------------------------------------------------- verification */

/* A checkpoint whose signature held, with the line it came from. */
struct audit_anchor {
	long long seq;
	unsigned char hash[CHECKPOINT_HASH_BYTES];
	long line;
};

struct audit_anchors {
	struct audit_anchor *items; /* sorted by seq once loaded */
	size_t count, cap;
	int invalid; /* a line that does not parse or verify */
	long long invalid_seq;
	char invalid_detail[200];
};

static void audit_anchors_invalid(struct audit_anchors *a, long line, long long seq,
                                  const char *why)
{
	if (a->invalid)
		return;
	a->invalid = 1;
	a->invalid_seq = seq;
	(void)snprintf(a->invalid_detail, sizeof(a->invalid_detail),
	               "line %ld of the checkpoint file %s", line, why);
}

static int audit_anchor_order(const void *x, const void *y)
{
	const struct audit_anchor *a = x, *b = y;

	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int audit_anchors_add(struct audit_anchors *a, const struct checkpoint *cp, long line,
                             struct err *err)
{
	struct audit_anchor *grown;
	size_t cap;

	if (a->count == a->cap) {
		cap = a->cap != 0 ? a->cap * 2 : 256;
		grown = realloc(a->items, cap * sizeof(*grown));
		if (grown == NULL)
			return err_set(err, "out of memory reading the checkpoints");
		a->items = grown;
		a->cap = cap;
	}
	a->items[a->count].seq = cp->seq;
	memcpy(a->items[a->count].hash, cp->hash, CHECKPOINT_HASH_BYTES);
	a->items[a->count].line = line;
	a->count++;
	return 0;
}

/* Reads and checks every line of the checkpoint file; an absent file has none.
 * Lines are read in bounded pieces: an overlong line is invalid, not a reason
 * to allocate without limit. */
static int audit_anchors_load(struct audit_anchors *a, struct err *err)
{
	char line[CHECKPOINT_LINE_MAX + 2];
	struct checkpoint cp;
	long number = 0;
	size_t len;
	int message_len, overlong = 0, c;
	FILE *f = fopen(audit_global.checkpoint_path, "re");

	if (f == NULL)
		return errno == ENOENT ? 0
		                       : err_set(err, "cannot read %s: %s",
		                                 audit_global.checkpoint_path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		number++;
		len = strlen(line);
		if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
			/* longer than any checkpoint: skip the rest of it */
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			overlong = 1;
		}
		message_len = overlong ? -1 : checkpoint_parse(line, len, &cp);
		overlong = 0;
		if (message_len < 0) {
			audit_anchors_invalid(a, number, 0, "is not a checkpoint");
			continue;
		}
		if (audit_global.secret_key == NULL) {
			audit_anchors_invalid(a, number, cp.seq,
			                      "cannot be checked: the checkpoint key is missing");
			continue;
		}
		if (crypto_sign_verify_detached(cp.signature, (const unsigned char *)line,
		                                (unsigned long long)message_len,
		                                audit_global.public_key) != 0) {
			audit_anchors_invalid(a, number, cp.seq, "has a bad signature");
			continue;
		}
		if (audit_anchors_add(a, &cp, number, err) != 0) {
			(void)fclose(f);
			return -1;
		}
	}
	if (ferror(f)) {
		(void)fclose(f);
		return err_set(err, "cannot read %s", audit_global.checkpoint_path);
	}
	(void)fclose(f);
	if (a->count > 1)
		qsort(a->items, a->count, sizeof(a->items[0]), audit_anchor_order);
	return 0;
}

/* Walks the chain; the state carried from one entry to the next. */
struct audit_walk {
	struct audit_report *report;
	const struct audit_anchors *anchors;
	size_t next_anchor;       /* first anchor not yet compared */
	long long matched_anchor; /* seq of the last anchor that matched, -1 none */
	long long expected;       /* seq the next entry must have */
	unsigned char last_hash[CHECKPOINT_HASH_BYTES]; /* hash of entry expected - 1 */
};

static void audit_broken(struct audit_report *r, long long seq, const char *reason, const char *fmt,
                         ...) __attribute__((format(printf, 4, 5)));

static void audit_broken(struct audit_report *r, long long seq, const char *reason, const char *fmt,
                         ...)
{
	va_list ap;

	if (!r->ok)
		return; /* the first one found is the one named */
	r->ok = 0;
	r->first_broken_seq = seq;
	r->reason = reason;
	va_start(ap, fmt);
	(void)vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* Compares the anchors at seq with hash. */
static void audit_walk_anchors(struct audit_walk *w, long long seq,
                               const unsigned char hash[CHECKPOINT_HASH_BYTES])
{
	const struct audit_anchor *anchor;

	while (w->next_anchor < w->anchors->count && w->anchors->items[w->next_anchor].seq == seq) {
		anchor = &w->anchors->items[w->next_anchor++];
		if (memcmp(anchor->hash, hash, CHECKPOINT_HASH_BYTES) != 0) {
			if (w->matched_anchor >= 0)
				audit_broken(w->report, seq, "checkpoint_mismatch",
				             "the checkpoint on line %ld saw another hash at entry "
				             "%lld: the chain was rewritten after entry %lld",
				             anchor->line, seq, w->matched_anchor);
			else
				audit_broken(w->report, seq, "checkpoint_mismatch",
				             "the checkpoint on line %ld saw another hash at entry "
				             "%lld: the chain was rewritten at or before it",
				             anchor->line, seq);
			return;
		}
		w->matched_anchor = seq;
	}
}

/* Checks one entry; 0 to go on, -1 when the chain broke here. */
static int audit_walk_entry(struct audit_walk *w, const PGresult *res, int row)
{
	unsigned char computed[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state state;
	long long seq = audit_int8(res, row, 0);
	const unsigned char *prev_hash = (const unsigned char *)PQgetvalue(res, row, 1);
	const unsigned char *hash = (const unsigned char *)PQgetvalue(res, row, 2);

	if (seq != w->expected) {
		audit_broken(w->report, w->expected, "gap",
		             "entry %lld is missing: the chain goes on with entry %lld",
		             w->expected, seq);
		return -1;
	}
	if (PQgetlength(res, row, 1) != CHECKPOINT_HASH_BYTES ||
	    memcmp(prev_hash, w->last_hash, CHECKPOINT_HASH_BYTES) != 0) {
		audit_broken(w->report, seq, "link",
		             "entry %lld does not link to entry %lld: its prev_hash differs from "
		             "that entry's hash",
		             seq, seq - 1);
		return -1;
	}
	(void)crypto_hash_sha256_init(&state);
	(void)crypto_hash_sha256_update(&state, prev_hash, CHECKPOINT_HASH_BYTES);
	(void)crypto_hash_sha256_update(&state, (const unsigned char *)PQgetvalue(res, row, 3),
	                                (unsigned long long)PQgetlength(res, row, 3));
	(void)crypto_hash_sha256_final(&state, computed);
	if (PQgetlength(res, row, 2) != CHECKPOINT_HASH_BYTES ||
	    memcmp(computed, hash, CHECKPOINT_HASH_BYTES) != 0) {
		audit_broken(w->report, seq, "hash_mismatch",
		             "entry %lld was changed: its hash does not match its content", seq);
		return -1;
	}
	w->report->checked++;
	audit_walk_anchors(w, seq, hash);
	if (!w->report->ok)
		return -1;
	memcpy(w->last_hash, hash, CHECKPOINT_HASH_BYTES);
	w->expected++;
	return 0;
}

/* After the last entry: the head record and the checkpoints must not reach
 * further than the chain does. */
static void audit_walk_end(struct audit_walk *w, long long head_seq,
                           const unsigned char head_hash[CHECKPOINT_HASH_BYTES])
{
	long long last = w->expected - 1;
	const struct audit_anchor *beyond;

	if (w->next_anchor < w->anchors->count) {
		beyond = &w->anchors->items[w->anchors->count - 1];
		audit_broken(w->report, last + 1, "tail_cut",
		             "the chain ends at entry %lld but the checkpoint on line %ld saw "
		             "entry %lld",
		             last, beyond->line, beyond->seq);
	} else if (head_seq > last) {
		audit_broken(w->report, last + 1, "tail_cut",
		             "the chain ends at entry %lld but its head record says %lld", last,
		             head_seq);
	} else if (head_seq < last) {
		audit_broken(w->report, head_seq + 1, "head_mismatch",
		             "the chain goes on past its head record (entry %lld) to entry %lld",
		             head_seq, last);
	} else if (memcmp(head_hash, w->last_hash, CHECKPOINT_HASH_BYTES) != 0) {
		audit_broken(w->report, last, "head_mismatch",
		             "the head record's hash differs from entry %lld's", last);
	}
}

/* The walk inside one REPEATABLE READ READ ONLY transaction, so the head and
 * the entries are one consistent snapshot. */
static int audit_walk_chain(PGconn *conn, struct audit_walk *w, long long *head_seq,
                            unsigned char head_hash[CHECKPOINT_HASH_BYTES], struct err *err)
{
	PGresult *res;
	int row, rows, done = 0;

	if (audit_command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err) != 0 ||
	    audit_command(conn, "SELECT set_config('tcard.scope', 'all', true)", err) != 0 ||
	    audit_read_head(conn, head_seq, head_hash, err) != 0 ||
	    audit_command(conn, audit_cursor_sql, err) != 0)
		return -1;
	w->report->head_seq = *head_seq;
	/* The empty chain's hash is the genesis value, 32 zero bytes. */
	audit_walk_anchors(w, 0, w->last_hash);
	done = !w->report->ok;
	while (!done) {
		res = PQexec(conn, "FETCH " AUDIT_FETCH_ROWS " FROM audit_verify");
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != 4) {
			err_set(err, "cannot read the audit chain: %s", PQresultErrorMessage(res));
			PQclear(res);
			return -1;
		}
		rows = PQntuples(res);
		for (row = 0; row < rows && !done; row++)
			done = audit_walk_entry(w, res, row) != 0;
		PQclear(res);
		if (rows == 0) {
			audit_walk_end(w, *head_seq, head_hash);
			done = 1;
		}
	}
	return audit_command(conn, "COMMIT", err);
}

int audit_verify(struct audit_report *report, int wait, struct err *err)
{
	struct audit_anchors anchors;
	struct audit_walk walk;
	unsigned char head_hash[CHECKPOINT_HASH_BYTES];
	long long head_seq = 0;
	struct err checkpoint_err;
	char quoted[600];
	PGconn *conn = NULL;
	int rc = AUDIT_FAILED;

	if (!audit_global.ready)
		return err_set(err, "the audit module is not set up");
	if (wait)
		pthread_mutex_lock(&audit_global.verify);
	else if (pthread_mutex_trylock(&audit_global.verify) != 0)
		return AUDIT_BUSY;
	memset(report, 0, sizeof(*report));
	memset(&anchors, 0, sizeof(anchors));
	memset(&walk, 0, sizeof(walk));
	report->ok = 1;
	walk.report = report;
	walk.anchors = &anchors;
	walk.matched_anchor = -1;
	walk.expected = 1;
	/* The checkpoints are read before the snapshot is taken, so every one of
	 * them describes a head the snapshot already holds. */
	if (audit_anchors_load(&anchors, err) != 0)
		goto done;
	report->checkpoints = (long long)anchors.count;
	conn = audit_connect(err);
	if (conn == NULL || audit_walk_chain(conn, &walk, &head_seq, head_hash, err) != 0)
		goto done;
	if (report->ok && anchors.invalid)
		audit_broken(report, anchors.invalid_seq, "checkpoint_invalid", "%s",
		             anchors.invalid_detail);
	if (report->ok && audit_global.secret_key != NULL) {
		pthread_mutex_lock(&audit_global.lock);
		if (audit_append_checkpoint(head_seq, head_hash, &checkpoint_err) != 0)
			log_event(LOG_WARN, "audit_checkpoint_failed", "reason=%s",
			          log_quote(quoted, sizeof(quoted), checkpoint_err.message));
		pthread_mutex_unlock(&audit_global.lock);
	}
	log_event(report->ok ? LOG_INFO : LOG_ERROR, "audit_verified",
	          "ok=%d checked=%lld head_seq=%lld checkpoints=%lld first_broken=%lld reason=%s",
	          report->ok, report->checked, report->head_seq, report->checkpoints,
	          report->ok ? 0 : report->first_broken_seq, report->ok ? "-" : report->reason);
	rc = AUDIT_VERIFIED;
done:
	PQfinish(conn);
	free(anchors.items);
	pthread_mutex_unlock(&audit_global.verify);
	return rc;
}

json_t *audit_report_json(const struct audit_report *report)
{
	json_t *broken = json_null();

	if (!report->ok)
		broken = json_pack("{s:I, s:s, s:s}", "seq", (json_int_t)report->first_broken_seq,
		                   "reason", report->reason, "detail", report->detail);
	if (broken == NULL)
		return NULL;
	return json_pack("{s:b, s:I, s:I, s:I, s:o}", "ok", report->ok, "checked",
	                 (json_int_t)report->checked, "head_seq", (json_int_t)report->head_seq,
	                 "checkpoints", (json_int_t)report->checkpoints, "first_broken", broken);
}

int audit_verify_command(const char *data_dir, const char *conninfo, FILE *out)
{
	struct audit_report report;
	struct err err = {{0}};
	int status = 2;

	if (audit_open(data_dir, conninfo, 0, &err) != 0 ||
	    audit_verify(&report, 1, &err) != AUDIT_VERIFIED) {
		(void)fprintf(stderr, "tcardd: cannot verify the audit chain: %s\n", err.message);
		goto done;
	}
	if (report.ok) {
		(void)fprintf(out,
		              "audit chain intact: %lld entries checked, head at entry %lld, "
		              "%lld checkpoints hold\n",
		              report.checked, report.head_seq, report.checkpoints);
		status = 0;
	} else {
		(void)fprintf(out, "audit chain broken at entry %lld: %s (%s)\n",
		              report.first_broken_seq, report.reason, report.detail);
		status = 1;
	}
done:
	audit_release();
	return status;
}
