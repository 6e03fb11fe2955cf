/* audit.h — the tamper-evident audit log (SECURITY.md 8): entries appended in
 * the request's own transaction (schema/003_audit.sql links them into a
 * SHA-256 chain), verification of the chain in C, and Ed25519-signed
 * checkpoints of the chain head kept outside the database.
 *
 * Checkpoints (checkpoint.h gives the line) are appended to
 * <data_dir>/audit/checkpoints (0600) and signed with the key in
 * <data_dir>/keys/audit.ed25519 (0600, a 32-byte seed made on first start; its
 * public key in hex is written next to it as audit.ed25519.pub). One is
 * written at start-up after the migrations, once a minute by a background
 * thread while the head moved, after each verification that found the chain
 * intact, and at a clean shutdown. A checkpoint catches what the chain alone
 * cannot: a chain rebuilt with recomputed hashes, or a cut tail. Entries
 * appended after the newest checkpoint are covered by the chain and the head
 * record only. */
#ifndef TCARD_AUDIT_H
#define TCARD_AUDIT_H

#include "db.h"
#include "err.h"

#include <jansson.h>
#include <stdio.h>

struct request;

/* audit_record's prepared statement, for db_setup (routes_statements). */
extern const struct db_stmt_table audit_statements;

/* Appends one entry in the request's open write transaction (call db_begin
 * with DB_WRITE first), for events that change no audited row: login,
 * login_failed, token.create, export, … The actor, user id, request id and
 * address come from req; before and after are borrowed and may be NULL, as may
 * target_type, target_id and org_path (NULL = a global entry, visible to
 * scope "all" only). Keys naming secrets or national IDs are dropped from
 * the payloads by the database. Returns 0, or -1 with req->problem set. */
int audit_record(struct request *req, const char *action, const char *target_type,
                 const char *target_id, const char *org_path, json_t *before, json_t *after);

/* Start-up, after the migrations: loads or creates the signing key, writes a
 * checkpoint of the current head and starts the checkpoint thread. conninfo
 * is the app role's (copied). 0, or -1 with err. */
int audit_start(const char *data_dir, const char *conninfo, struct err *err);
/* Shutdown: stops the thread and writes a last checkpoint. Safe without a
 * successful audit_start, and twice. */
void audit_stop(void);

/* Why verification failed, with the entry it names (first_broken_seq):
 *   gap                  the entry with this seq is missing
 *   link                 its prev_hash is not the previous entry's hash
 *   hash_mismatch        its hash is not SHA-256(prev_hash ‖ canonical text)
 *   head_mismatch        the chain goes on past the head record (seq = head + 1)
 *                        or its last hash differs from the head's (seq = head)
 *   tail_cut             the chain ends before the head record or a checkpoint
 *                        says it reached (seq = the first missing entry)
 *   checkpoint_mismatch  a checkpoint saw another hash at this seq (the chain
 *                        was rebuilt at or before it, after the previous
 *                        checkpoint that still matches)
 *   checkpoint_invalid   a line of the checkpoint file does not parse or its
 *                        signature fails (seq = its seq, 0 if unreadable);
 *                        reported only when the chain itself is intact */
struct audit_report {
	int ok;
	long long checked;          /* entries whose hash was recomputed */
	long long head_seq;         /* the head record's seq */
	long long checkpoints;      /* checkpoints with a valid signature */
	long long first_broken_seq; /* when !ok */
	const char *reason;         /* when !ok: one of the words above (static) */
	char detail[256];           /* when !ok: English, no personal data */
};

enum audit_verify_result { AUDIT_VERIFIED = 0, AUDIT_FAILED = -1, AUDIT_BUSY = -2 };

/* Re-checks the whole chain (streamed through a cursor, never all in memory)
 * and every checkpoint, on a connection of its own; writes a checkpoint when
 * the chain is intact. One verification runs at a time: with wait = 0 a second
 * caller gets AUDIT_BUSY at once. AUDIT_VERIFIED with report filled (intact or
 * not), or AUDIT_FAILED with err when the check could not run. Needs
 * audit_start (or audit_verify_command's set-up). */
int audit_verify(struct audit_report *report, int wait, struct err *err);

/* The report as {"ok", "checked", "head_seq", "checkpoints", "first_broken":
 * null | {"seq", "reason", "detail"}}. New reference or NULL (out of memory). */
json_t *audit_report_json(const struct audit_report *report);

/* tcardd --verify-audit on an open database: verifies, prints one line on out
 * (or why it could not check on stderr) and returns the exit status: 0 intact,
 * 1 broken (the line names the first broken entry), 2 when it could not check.
 * Does not create a missing key. */
int audit_verify_command(const char *data_dir, const char *conninfo, FILE *out);

#endif
