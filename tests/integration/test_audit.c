/* test_audit.c — the tamper-evident audit log (SECURITY.md 8) against tcardd on a
 * throwaway PostgreSQL: writes of organisations and officers leave one entry each with
 * before/after and the request id, never a national ID; the list filters and pages;
 * verification passes on an intact chain, under concurrent writers, and names the right
 * entry for each of the six tamper kinds (edit, delete, insert, swap, cut tail, rebuild),
 * which the tests commit as a superuser with triggers off; tcardd --verify-audit exits
 * 0 or 1. The tests run in order on one tcardd: the tamper tests restore the chain from a
 * copy, and the rebuild comes last because a checkpoint remembers it for good. */
#include "testlib.h"

#include "checkpoint.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long city_id;

#define WRITERS              4
#define CREATIONS_PER_WRITER 25

/* ---- helpers ---- */

static void sql_ok(const char *sql)
{
	PGresult *res = PQexec(db, sql);
	ExecStatusType status = PQresultStatus(res);

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
}

#define sql_okf(...) test_db_execf(db, __VA_ARGS__)

/* The SQLSTATE a statement fails with (it must fail); the transaction is rolled back. */
static void assert_sql_fails(const char *sql, const char *sqlstate)
{
	PGresult *res;

	sql_ok("BEGIN");
	res = PQexec(db, sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK)
		fail_msg("%s succeeded", sql);
	assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), sqlstate);
	PQclear(res);
	sql_ok("ROLLBACK");
}

static long long count_of(const char *sql)
{
	return test_db_count(db, sql);
}

#define count_off(...) test_db_countf(db, __VA_ARGS__)

static long long head_seq(void)
{
	return count_of("SELECT seq FROM audit_head");
}

/* GETs path and checks for 200 JSON. */
static void get_ok(struct http_result *r, const char *path)
{
	http_call(&proc, r, "GET", path, NULL, NULL);
	if (r->status != 200 || r->json == NULL)
		fail_msg("GET %s: %ld %s", path, r->status, r->body != NULL ? r->body : "");
}

/* The audit entries of one target, oldest first (an owned array). */
static json_t *entries_of(const char *target_type, long long target_id)
{
	struct http_result r;
	char path[256];
	json_t *items;

	(void)snprintf(path, sizeof(path), "/api/v1/audit?target_type=%s&target_id=%lld",
	               target_type, target_id);
	get_ok(&r, path);
	items = json_incref(json_object_get(r.json, "items"));
	assert_true(json_is_array(items));
	http_result_clear(&r);
	return items;
}

static const char *member_text(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Calls method path with body and If-Match: *; returns the X-Request-Id. */
static void write_call(struct http_result *r, const char *method, const char *path,
                       const char *body, long expected_status)
{
	const char *headers[] = {"If-Match: *", NULL};

	http_call(&proc, r, method, path, strcmp(method, "PATCH") == 0 ? headers : NULL, body);
	if (r->status != expected_status)
		fail_msg("%s %s: %ld %s", method, path, r->status, r->body != NULL ? r->body : "");
	assert_true(r->request_id[0] != '\0');
}

/* GET /api/v1/audit/verify: the report (owned). */
static json_t *verify(void)
{
	struct http_result r;
	json_t *report;

	get_ok(&r, "/api/v1/audit/verify");
	report = json_incref(r.json);
	http_result_clear(&r);
	return report;
}

static void assert_verify_ok(void)
{
	json_t *report = verify();
	char *text = json_dumps(report, 0);

	if (!json_is_true(json_object_get(report, "ok")))
		fail_msg("verification failed: %s", text);
	assert_true(json_is_null(json_object_get(report, "first_broken")));
	assert_int_equal(json_integer_value(json_object_get(report, "checked")), head_seq());
	assert_int_equal(json_integer_value(json_object_get(report, "head_seq")), head_seq());
	free(text);
	json_decref(report);
}

/* Verification must name exactly entry seq for reason. */
static void assert_verify_broken(long long seq, const char *reason)
{
	json_t *report = verify(), *broken = json_object_get(report, "first_broken");
	char *text = json_dumps(report, 0);

	if (json_is_true(json_object_get(report, "ok")) || !json_is_object(broken))
		fail_msg("verification passed a tampered chain: %s", text);
	if (json_integer_value(json_object_get(broken, "seq")) != seq ||
	    strcmp(member_text(broken, "reason"), reason) != 0)
		fail_msg("expected entry %lld %s, got %s", seq, reason, text);
	assert_non_null(member_text(broken, "detail"));
	free(text);
	json_decref(report);
}

static void checkpoint_path(char *out, size_t size)
{
	(void)snprintf(out, size, "%s/audit/checkpoints", proc.data_dir);
}

/* The smallest checkpointed seq at or above seq, or -1; *last gets the last line's seq. */
static long long checkpoint_at_or_after(long long seq, long long *last)
{
	char path[600], line[CHECKPOINT_LINE_MAX + 2];
	struct checkpoint cp;
	long long best = -1;
	FILE *f;

	checkpoint_path(path, sizeof(path));
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		assert_true(checkpoint_parse(line, strlen(line), &cp) > 0);
		if (cp.seq >= seq && (best < 0 || cp.seq < best))
			best = cp.seq;
		if (last != NULL)
			*last = cp.seq;
	}
	(void)fclose(f);
	return best;
}

/* The chain as it is now, kept aside (as the superuser) to undo a tamper. */
static void keep_chain(void)
{
	sql_ok("SET client_min_messages = warning;"
	       "DROP TABLE IF EXISTS audit_kept; DROP TABLE IF EXISTS audit_head_kept;"
	       "CREATE TABLE audit_kept AS SELECT * FROM audit_log;"
	       "CREATE TABLE audit_head_kept AS SELECT * FROM audit_head");
}

/* An attacker with the superuser: triggers off, so neither the append-only guard nor the
 * chain trigger stops or helps them. */
static void tamper(const char *sql)
{
	sql_ok("BEGIN");
	sql_ok("SET LOCAL session_replication_role = replica");
	sql_ok(sql);
	sql_ok("COMMIT");
}

static void restore_chain(void)
{
	tamper("DELETE FROM audit_log;"
	       "INSERT INTO audit_log SELECT * FROM audit_kept;"
	       "UPDATE audit_head h SET seq = k.seq, hash = k.hash FROM audit_head_kept k");
	assert_verify_ok();
}

/* Today in China as YYYY-MM-DD, and the day before. */
static void china_dates(char today[16], char yesterday[16])
{
	time_t now = time(NULL) + 8 * 3600, before = now - 24 * 3600;
	struct tm tm;

	(void)gmtime_r(&now, &tm);
	(void)strftime(today, 16, "%Y-%m-%d", &tm);
	(void)gmtime_r(&before, &tm);
	(void)strftime(yesterday, 16, "%Y-%m-%d", &tm);
}

/* ---- set-up ---- */

static int group_setup(void **state)
{
	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	city_id = test_create_org(&proc, "audit-city", "审计市局", "city", 0);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	PQfinish(db);
	tcardd_cleanup(&proc);
	return 0;
}

/* ---- entries ---- */

static void test_audit_log_begins_with_a_start_entry_and_a_checkpoint(void **state)
{
	char path[600];
	struct stat st;

	(void)state;
	assert_int_equal(count_of("SELECT count(*) FROM audit_log WHERE seq = 1"
	                          " AND action = 'audit.start' AND org_path IS NULL"),
	                 1);
	checkpoint_path(path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	(void)snprintf(path, sizeof(path), "%s/keys/audit.ed25519", proc.data_dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	assert_true(checkpoint_at_or_after(1, NULL) >= 1);
}

static void test_audit_org_create_and_update_record_before_after_and_request_id(void **state)
{
	struct http_result created, updated, unchanged;
	json_t *items, *entry;
	char path[64];
	long long id, before;

	(void)state;
	write_call(&created, "POST", "/api/v1/orgs",
	           "{\"code\":\"audit-county\",\"name\":\"审计县局\",\"kind\":\"county\"}", 201);
	id = json_integer_value(json_object_get(created.json, "id"));
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld", id);
	write_call(&updated, "PATCH", path, "{\"name\":\"审计县公安局\"}", 200);

	items = entries_of("org", id);
	assert_int_equal(json_array_size(items), 2);
	entry = json_array_get(items, 0);
	assert_string_equal(member_text(entry, "action"), "org.create");
	assert_string_equal(member_text(entry, "request_id"), created.request_id);
	assert_string_equal(member_text(entry, "actor"), "admin");
	assert_int_equal(json_integer_value(json_object_get(entry, "user_id")), proc.admin.user_id);
	assert_true(json_is_null(json_object_get(entry, "before")));
	assert_string_equal(member_text(json_object_get(entry, "after"), "code"), "audit-county");
	assert_string_equal(member_text(entry, "org_path"), member_text(created.json, "path"));
	entry = json_array_get(items, 1);
	assert_string_equal(member_text(entry, "action"), "org.update");
	assert_string_equal(member_text(entry, "request_id"), updated.request_id);
	/* Only what changed, on both sides; version and updated_at are not changes. */
	assert_int_equal(json_object_size(json_object_get(entry, "before")), 1);
	assert_int_equal(json_object_size(json_object_get(entry, "after")), 1);
	assert_string_equal(member_text(json_object_get(entry, "before"), "name"), "审计县局");
	assert_string_equal(member_text(json_object_get(entry, "after"), "name"), "审计县公安局");
	json_decref(items);

	/* A PATCH that changes nothing writes no entry. */
	before = head_seq();
	write_call(&unchanged, "PATCH", path, "{\"name\":\"审计县公安局\",\"kind\":\"county\"}",
	           200);
	assert_int_equal(head_seq(), before);
	http_result_clear(&created);
	http_result_clear(&updated);
	http_result_clear(&unchanged);
}

static void test_audit_org_move_writes_one_entry_not_one_per_subtree_row(void **state)
{
	long long parent, child, other, before;
	struct http_result r;
	char path[64], body[64];
	json_t *items, *entry;

	(void)state;
	parent = test_create_org(&proc, "audit-move-a", "搬迁甲", "county", city_id);
	child = test_create_org(&proc, "audit-move-a1", "搬迁甲一", "town", parent);
	(void)test_create_officer(&proc, 9101, "搬迁民警", child);
	other = test_create_org(&proc, "audit-move-b", "搬迁乙", "county", city_id);
	before = head_seq();
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld", parent);
	(void)snprintf(body, sizeof(body), "{\"parent_id\":%lld}", other);
	write_call(&r, "PATCH", path, body, 200);
	/* The child's path and the officer's copy of it follow along: derived, not changes. */
	assert_int_equal(head_seq(), before + 1);
	items = entries_of("org", parent);
	entry = json_array_get(items, json_array_size(items) - 1);
	assert_string_equal(member_text(entry, "action"), "org.update");
	assert_int_equal(
	        json_integer_value(json_object_get(json_object_get(entry, "after"), "parent_id")),
	        other);
	assert_string_equal(member_text(entry, "org_path"), member_text(r.json, "path"));
	json_decref(items);
	http_result_clear(&r);
}

static void test_audit_officer_entries_hold_masked_ids_only(void **state)
{
	struct http_result created, corrected, retired;
	char national_id[19], new_id[19], body[256], path[64], like[64];
	json_t *items, *entry, *after;
	long long id;

	(void)state;
	test_national_id(9201, national_id);
	test_national_id(9202, new_id);
	(void)snprintf(body, sizeof(body),
	               "{\"national_id\":\"%s\",\"name\":\"审计民警\",\"org_id\":%lld,"
	               "\"hire_date\":\"2015-03-01\"}",
	               national_id, city_id);
	write_call(&created, "POST", "/api/v1/officers", body, 201);
	id = json_integer_value(json_object_get(created.json, "id"));
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", id);
	(void)snprintf(body, sizeof(body), "{\"national_id\":\"%s\"}", new_id);
	write_call(&corrected, "PATCH", path, body, 200);
	write_call(&retired, "PATCH", path, "{\"status\":\"retired\"}", 200);

	items = entries_of("officer", id);
	assert_int_equal(json_array_size(items), 3);
	entry = json_array_get(items, 0);
	after = json_object_get(entry, "after");
	assert_string_equal(member_text(entry, "action"), "officer.create");
	assert_string_equal(member_text(entry, "request_id"), created.request_id);
	assert_string_equal(member_text(after, "national_id_masked"),
	                    member_text(created.json, "national_id_masked"));
	assert_string_equal(member_text(after, "name"), "审计民警");
	assert_null(json_object_get(after, "national_id"));
	assert_null(json_object_get(after, "national_id_sealed"));
	assert_null(json_object_get(after, "national_id_index"));
	assert_null(json_object_get(after, "org_path"));
	entry = json_array_get(items, 1);
	assert_string_equal(member_text(entry, "action"), "officer.update");
	assert_string_equal(member_text(entry, "request_id"), corrected.request_id);
	assert_string_equal(member_text(json_object_get(entry, "after"), "national_id_masked"),
	                    member_text(corrected.json, "national_id_masked"));
	entry = json_array_get(items, 2);
	assert_string_equal(member_text(entry, "action"), "officer.status");
	assert_string_equal(member_text(entry, "request_id"), retired.request_id);
	assert_string_equal(member_text(json_object_get(entry, "before"), "status"), "active");
	assert_string_equal(member_text(json_object_get(entry, "after"), "status"), "retired");
	json_decref(items);

	/* Nowhere in the whole log: neither ID, nor a sealed or index column. */
	(void)snprintf(like, sizeof(like), "%%%s%%", national_id);
	assert_int_equal(count_of("SELECT count(*) FROM audit_log WHERE concat(before::text,"
	                          " after::text) ~ '(national_id_sealed|national_id_index|"
	                          "\"national_id\")'"),
	                 0);
	assert_int_equal(count_off("SELECT count(*) FROM audit_log WHERE concat(before::text,"
	                           " after::text, actor, target_id) LIKE '%s'",
	                           like),
	                 0);
	assert_int_equal(count_of("SELECT count(*) FROM audit_log WHERE concat(before::text,"
	                          " after::text) ~ '[0-9]{17}[0-9X]'"),
	                 0);
	http_result_clear(&created);
	http_result_clear(&corrected);
	http_result_clear(&retired);
}

static void test_audit_payloads_are_scrubbed_whoever_writes_them(void **state)
{
	PGresult *res;

	(void)state;
	/* audit_record's callers hand in JSON; the chain trigger scrubs it at any depth. */
	res = PQexec(db, "SELECT audit_scrub('{\"national_id\": \"110101199003070011\","
	                 " \"password\": \"x\", \"list\": [{\"token_hash\": \"ab\", \"q\":"
	                 " \"11010119900307001X\"}], \"ok\": 1}')::text");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(res, 0, 0),
	                    "{\"ok\": 1, \"list\": [{\"q\": \"110101********001X\"}]}");
	PQclear(res);
}

static void test_audit_app_role_may_only_append_and_read(void **state)
{
	(void)state;
	assert_sql_fails("SET LOCAL ROLE tcard_app; UPDATE audit_log SET actor = 'x'", "42501");
	assert_sql_fails("SET LOCAL ROLE tcard_app; DELETE FROM audit_log", "42501");
	assert_sql_fails("SET LOCAL ROLE tcard_app; TRUNCATE audit_log", "42501");
	assert_sql_fails("SET LOCAL ROLE tcard_app; UPDATE audit_head SET seq = 0", "42501");
	/* Even the owner and the superuser, with triggers on, cannot rewrite an entry. */
	assert_sql_fails("UPDATE audit_log SET actor = 'x' WHERE seq = 1", "P0001");
	assert_sql_fails("DELETE FROM audit_log WHERE seq = 1", "P0001");
	assert_sql_fails("DELETE FROM audit_head", "P0001");
}

static void test_audit_entries_are_visible_within_the_readers_scope(void **state)
{
	char path_text[64];
	PGresult *res;

	(void)state;
	res = PQexec(db, "SELECT path::text FROM org WHERE code = 'audit-city'");
	assert_int_equal(PQntuples(res), 1);
	(void)snprintf(path_text, sizeof(path_text), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);

	sql_ok("BEGIN");
	sql_ok("SET LOCAL ROLE tcard_app");
	/* No scope: nothing. */
	assert_int_equal(count_of("SELECT count(*) FROM audit_log"), 0);
	sql_okf("SELECT set_config('tcard.scope', '%s', true)", path_text);
	assert_true(count_of("SELECT count(*) FROM audit_log") > 0);
	assert_int_equal(count_off("SELECT count(*) FROM audit_log WHERE org_path IS NULL"
	                           " OR NOT org_path <@ '%s'",
	                           path_text),
	                 0);
	/* Global entries (audit.start, later logins) need scope "all". */
	sql_ok("SELECT set_config('tcard.scope', 'all', true)");
	assert_true(count_of("SELECT count(*) FROM audit_log WHERE org_path IS NULL") >= 1);
	sql_ok("ROLLBACK");
}

static void test_audit_entries_of_one_transaction_chain_and_move_the_head_at_commit(void **state)
{
	long long before = head_seq();

	(void)state;
	sql_ok("BEGIN");
	sql_ok("SET LOCAL ROLE tcard_app");
	sql_ok("INSERT INTO audit_log (actor, action) VALUES ('t', 'test.one')");
	sql_ok("SAVEPOINT undone");
	sql_ok("INSERT INTO audit_log (actor, action) VALUES ('t', 'test.undone')");
	sql_ok("ROLLBACK TO SAVEPOINT undone");
	sql_ok("INSERT INTO audit_log (actor, action) SELECT 't', 'test.many'"
	       " FROM generate_series(1, 50)");
	/* The head moves at commit, not before. */
	assert_int_equal(head_seq(), before);
	sql_ok("COMMIT");
	assert_int_equal(head_seq(), before + 51);
	assert_int_equal(count_of("SELECT count(*) FROM audit_log WHERE action = 'test.undone'"),
	                 0);
	assert_int_equal(count_off("SELECT count(*) FROM audit_log WHERE seq > %lld", before), 51);
	assert_int_equal(count_of("SELECT max(seq) FROM audit_log"), head_seq());
	assert_verify_ok();
}

/* ---- the list ---- */

static void test_audit_list_filters_by_action_actor_target_and_date(void **state)
{
	struct http_result r;
	char today[16], yesterday[16], path[256];
	json_t *item;
	size_t i;

	(void)state;
	get_ok(&r, "/api/v1/audit?action=officer.create&limit=500");
	assert_true(json_array_size(json_object_get(r.json, "items")) >= 2);
	json_array_foreach(json_object_get(r.json, "items"), i, item)
	{
		assert_string_equal(member_text(item, "action"), "officer.create");
		assert_string_equal(member_text(item, "target_type"), "officer");
		assert_int_equal(strlen(member_text(item, "hash")), 64);
	}
	http_result_clear(&r);

	get_ok(&r, "/api/v1/audit?actor=nobody-at-all");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	http_result_clear(&r);

	china_dates(today, yesterday);
	(void)snprintf(path, sizeof(path), "/api/v1/audit?from=%s&to=%s&target_type=org", today,
	               today);
	get_ok(&r, path);
	assert_true(json_array_size(json_object_get(r.json, "items")) >= 3);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/audit?to=%s", yesterday);
	get_ok(&r, path);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	http_result_clear(&r);

	http_call(&proc, &r, "GET", "/api/v1/audit?from=2026-02-30", NULL, NULL);
	assert_problem(&r, 422, "from", "date");
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/audit?order=sideways", NULL, NULL);
	assert_problem(&r, 422, "order", NULL);
	http_result_clear(&r);
}

static void test_audit_list_pages_by_cursor_in_either_order(void **state)
{
	struct http_result first, second, newest;
	char path[256];
	json_t *a, *b;

	(void)state;
	get_ok(&first, "/api/v1/audit?limit=2");
	assert_int_equal(json_array_size(json_object_get(first.json, "items")), 2);
	assert_non_null(member_text(first.json, "next_cursor"));
	(void)snprintf(path, sizeof(path), "/api/v1/audit?limit=2&cursor=%s",
	               member_text(first.json, "next_cursor"));
	get_ok(&second, path);
	a = json_array_get(json_object_get(first.json, "items"), 1);
	b = json_array_get(json_object_get(second.json, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(b, "seq")),
	                 json_integer_value(json_object_get(a, "seq")) + 1);

	get_ok(&newest, "/api/v1/audit?limit=3&order=desc");
	a = json_array_get(json_object_get(newest.json, "items"), 0);
	b = json_array_get(json_object_get(newest.json, "items"), 1);
	assert_int_equal(json_integer_value(json_object_get(a, "seq")), head_seq());
	assert_int_equal(json_integer_value(json_object_get(b, "seq")), head_seq() - 1);
	http_result_clear(&first);
	http_result_clear(&second);
	http_result_clear(&newest);
}

/* ---- verification ---- */

static void test_audit_verify_passes_an_intact_chain(void **state)
{
	(void)state;
	assert_verify_ok();
	/* … and leaves a checkpoint of the head it verified. */
	assert_int_equal(checkpoint_at_or_after(head_seq(), NULL), head_seq());
}

struct writer {
	unsigned first;
	int created;
};

static void *writer_run(void *arg)
{
	struct writer *w = arg;
	struct http_result r;
	char national_id[19], body[256];
	int i;

	for (i = 0; i < CREATIONS_PER_WRITER; i++) {
		test_national_id(w->first + (unsigned)i, national_id);
		(void)snprintf(body, sizeof(body),
		               "{\"national_id\":\"%s\",\"name\":\"并发民警\",\"org_id\":%lld}",
		               national_id, city_id);
		http_call(&proc, &r, "POST", "/api/v1/officers", NULL, body);
		if (r.status == 201)
			w->created++;
		http_result_clear(&r);
	}
	return NULL;
}

static void test_audit_concurrent_writers_leave_a_chain_that_verifies(void **state)
{
	pthread_t threads[WRITERS];
	struct writer writers[WRITERS];
	long long before = head_seq();
	int i;

	(void)state;
	for (i = 0; i < WRITERS; i++) {
		writers[i].first = 20000u + (unsigned)i * 100u;
		writers[i].created = 0;
		assert_int_equal(pthread_create(&threads[i], NULL, writer_run, &writers[i]), 0);
	}
	for (i = 0; i < WRITERS; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(writers[i].created, CREATIONS_PER_WRITER);
	}
	assert_int_equal(head_seq(), before + WRITERS * CREATIONS_PER_WRITER);
	/* 1, 2, 3, … without a gap or a double. */
	assert_int_equal(count_of("SELECT count(*) FROM audit_log"), head_seq());
	assert_int_equal(count_of("SELECT max(seq) FROM audit_log"), head_seq());
	assert_verify_ok();
	keep_chain();
}

static void test_audit_verify_audit_flag_exits_0_on_the_running_instance(void **state)
{
	const char *args[] = {"--verify-audit", "--data-dir", proc.data_dir, NULL};
	struct http_result r;
	char out[600];

	(void)state;
	(void)snprintf(out, sizeof(out), "%s/verify-intact.out", proc.data_dir);
	assert_int_equal(tcardd_run(args, out), 0);
	assert_true(test_file_contains(out, "audit chain intact"));
	/* The cluster it found running belongs to the instance: still there. */
	http_call(&proc, &r, "GET", "/readyz", NULL, NULL);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
}

static void test_audit_verify_audit_flag_exits_2_without_a_database(void **state)
{
	char missing[600], out[600];
	const char *args[] = {"--verify-audit", "--data-dir", missing, NULL};
	struct stat st;

	(void)state;
	(void)snprintf(missing, sizeof(missing), "%s/no-such-dir", proc.data_dir);
	(void)snprintf(out, sizeof(out), "%s/verify-missing.out", proc.data_dir);
	assert_int_equal(tcardd_run(args, out), 2);
	assert_true(test_file_contains(out, "no embedded database"));
	/* Checking made no cluster. */
	assert_int_equal(stat(missing, &st), -1);
}

static void test_audit_tamper_edit_names_the_edited_entry(void **state)
{
	long long k = head_seq() / 2;

	(void)state;
	/* From here on the chain is broken and restored in turn, and the last
	 * tests leave it broken: tcardd_stop must not expect it intact. */
	proc.audit_broken_on_purpose = 1;
	sql_okf("BEGIN; SET LOCAL session_replication_role = replica;"
	        " UPDATE audit_log SET after = '{\"name\": \"伪造\"}' WHERE seq = %lld; COMMIT",
	        k);
	assert_verify_broken(k, "hash_mismatch");
	restore_chain();
}

static void test_audit_tamper_delete_names_the_missing_entry(void **state)
{
	long long k = head_seq() / 2 + 1;
	char sql[128];

	(void)state;
	(void)snprintf(sql, sizeof(sql), "DELETE FROM audit_log WHERE seq = %lld", k);
	tamper(sql);
	assert_verify_broken(k, "gap");
	restore_chain();
}

static void test_audit_tamper_insert_names_the_forged_entry(void **state)
{
	long long n = head_seq();
	char sql[1024];

	(void)state;
	/* A forged entry with a made-up hash after the head. */
	(void)snprintf(
	        sql, sizeof(sql),
	        "INSERT INTO audit_log SELECT %lld, now(), 'mallory', NULL, 'officer.update',"
	        " 'officer', '1', NULL, NULL, '{\"status\": \"active\"}', NULL, NULL,"
	        " (SELECT hash FROM audit_head), sha256('forged')",
	        n + 1);
	tamper(sql);
	assert_verify_broken(n + 1, "hash_mismatch");
	restore_chain();

	/* One whose hash is computed the way the chain does it: the head record disowns it. */
	(void)snprintf(
	        sql, sizeof(sql),
	        "INSERT INTO audit_log SELECT %lld, now(), 'mallory', NULL, 'officer.update',"
	        " 'officer', '1', NULL, NULL, '{\"status\": \"active\"}', NULL, NULL,"
	        " (SELECT hash FROM audit_head), sha256('placeholder');"
	        "UPDATE audit_log a SET hash = sha256(a.prev_hash ||"
	        " convert_to(audit_canonical(a), 'UTF8')) WHERE seq = %lld",
	        n + 1, n + 1);
	tamper(sql);
	assert_verify_broken(n + 1, "head_mismatch");
	restore_chain();
}

static void test_audit_tamper_swap_names_the_first_swapped_entry(void **state)
{
	long long a = head_seq() / 3, b = head_seq() / 3 * 2;

	(void)state;
	sql_okf("BEGIN; SET LOCAL session_replication_role = replica;"
	        " UPDATE audit_log x SET actor = y.actor, user_id = y.user_id, action = y.action,"
	        " target_type = y.target_type, target_id = y.target_id, org_path = y.org_path,"
	        " before = y.before, after = y.after, request_id = y.request_id,"
	        " address = y.address, at = y.at"
	        " FROM audit_kept y WHERE (x.seq, y.seq) IN ((%lld, %lld), (%lld, %lld)); COMMIT",
	        a, b, b, a);
	assert_int_equal(count_of("SELECT count(*) FROM audit_log l JOIN audit_kept k USING (seq)"
	                          " WHERE l.after IS DISTINCT FROM k.after"),
	                 2);
	assert_verify_broken(a, "hash_mismatch");
	restore_chain();
}

static void test_audit_tamper_cut_tail_is_caught_by_the_checkpoint(void **state)
{
	long long n = head_seq(), k = n - 5;
	char sql[256];

	(void)state;
	assert_true(checkpoint_at_or_after(n, NULL) == n);
	/* The tail and the head record cut back consistently: only the checkpoint knows. */
	(void)snprintf(sql, sizeof(sql),
	               "DELETE FROM audit_log WHERE seq > %lld;"
	               "UPDATE audit_head SET seq = a.seq, hash = a.hash FROM audit_log a"
	               " WHERE a.seq = %lld",
	               k, k);
	tamper(sql);
	assert_verify_broken(k + 1, "tail_cut");
	restore_chain();

	/* The tail alone: the head record knows too. */
	(void)snprintf(sql, sizeof(sql), "DELETE FROM audit_log WHERE seq > %lld", k);
	tamper(sql);
	assert_verify_broken(k + 1, "tail_cut");
	restore_chain();
}

static void test_audit_tampered_checkpoint_file_is_reported(void **state)
{
	char path[600], *kept = NULL, line[CHECKPOINT_LINE_MAX + 2];
	size_t size = 0;
	FILE *f;

	(void)state;
	checkpoint_path(path, sizeof(path));
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(getdelim(&kept, &size, '\0', f) > 0);
	(void)fclose(f);
	/* A checkpoint for a rebuilt chain, without the key to sign it. */
	(void)snprintf(line, sizeof(line), "%s", kept);
	line[10] = line[10] == 'a' ? 'b' : 'a';
	f = fopen(path, "a");
	assert_non_null(f);
	assert_true(fputs(line, f) >= 0);
	assert_int_equal(fclose(f), 0);
	{
		json_t *report = verify(), *broken = json_object_get(report, "first_broken");

		assert_true(json_is_false(json_object_get(report, "ok")));
		assert_string_equal(member_text(broken, "reason"), "checkpoint_invalid");
		assert_non_null(strstr(member_text(broken, "detail"), "bad signature"));
		json_decref(report);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(kept, f) >= 0);
	assert_int_equal(fclose(f), 0);
	free(kept);
	assert_verify_ok();
}

static void test_audit_tamper_rebuild_is_caught_by_the_checkpoint(void **state)
{
	long long n = head_seq(), k = n / 2, expected;
	char sql[2048];

	(void)state;
	expected = checkpoint_at_or_after(k, NULL);
	assert_true(expected >= k && expected <= n);
	/* Edit an entry, then recompute every hash from the start and the head, as an
	 * attacker who knows the canonical form would. */
	(void)snprintf(sql, sizeof(sql),
	               "UPDATE audit_log SET after = '{\"name\": \"伪造\"}' WHERE seq = %lld;"
	               "DO $$ DECLARE e audit_log; prev bytea := decode(repeat('00', 32), 'hex');"
	               " BEGIN FOR e IN SELECT * FROM audit_log ORDER BY seq LOOP"
	               "  e.prev_hash := prev;"
	               "  e.hash := sha256(prev || convert_to(audit_canonical(e), 'UTF8'));"
	               "  UPDATE audit_log SET prev_hash = e.prev_hash, hash = e.hash"
	               "   WHERE seq = e.seq;"
	               "  prev := e.hash;"
	               " END LOOP;"
	               " UPDATE audit_head SET hash = prev; END $$",
	               k);
	tamper(sql);
	/* The chain is consistent in itself: only the checkpoint can tell. */
	assert_verify_broken(expected, "checkpoint_mismatch");
}

static void test_audit_verify_audit_flag_exits_1_after_tampering(void **state)
{
	const char *args[] = {"--verify-audit", "--data-dir", proc.data_dir, NULL};
	char out[600], pid_file[600], needle[64];
	long long last = -1, n = head_seq(), expected = checkpoint_at_or_after(n / 2, NULL);

	(void)state;
	/* A clean shutdown leaves a checkpoint of the head. */
	assert_int_equal(tcardd_stop(&proc), 0);
	(void)checkpoint_at_or_after(0, &last);
	assert_int_equal(last, n);

	/* Stopped instance: --verify-audit starts the cluster, checks, stops it again. */
	(void)snprintf(out, sizeof(out), "%s/verify-broken.out", proc.data_dir);
	assert_int_equal(tcardd_run(args, out), 1);
	(void)snprintf(needle, sizeof(needle), "broken at entry %lld: checkpoint_mismatch",
	               expected);
	if (!test_file_contains(out, needle))
		fail_msg("%s does not say \"%s\"", out, needle);
	(void)snprintf(pid_file, sizeof(pid_file), "%s/pg/data/postmaster.pid", proc.data_dir);
	assert_int_equal(access(pid_file, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_audit_log_begins_with_a_start_entry_and_a_checkpoint),
	        cmocka_unit_test(
	                test_audit_org_create_and_update_record_before_after_and_request_id),
	        cmocka_unit_test(test_audit_org_move_writes_one_entry_not_one_per_subtree_row),
	        cmocka_unit_test(test_audit_officer_entries_hold_masked_ids_only),
	        cmocka_unit_test(test_audit_payloads_are_scrubbed_whoever_writes_them),
	        cmocka_unit_test(test_audit_app_role_may_only_append_and_read),
	        cmocka_unit_test(test_audit_entries_are_visible_within_the_readers_scope),
	        cmocka_unit_test(
	                test_audit_entries_of_one_transaction_chain_and_move_the_head_at_commit),
	        cmocka_unit_test(test_audit_list_filters_by_action_actor_target_and_date),
	        cmocka_unit_test(test_audit_list_pages_by_cursor_in_either_order),
	        cmocka_unit_test(test_audit_verify_passes_an_intact_chain),
	        cmocka_unit_test(test_audit_concurrent_writers_leave_a_chain_that_verifies),
	        cmocka_unit_test(test_audit_verify_audit_flag_exits_0_on_the_running_instance),
	        cmocka_unit_test(test_audit_verify_audit_flag_exits_2_without_a_database),
	        cmocka_unit_test(test_audit_tamper_edit_names_the_edited_entry),
	        cmocka_unit_test(test_audit_tamper_delete_names_the_missing_entry),
	        cmocka_unit_test(test_audit_tamper_insert_names_the_forged_entry),
	        cmocka_unit_test(test_audit_tamper_swap_names_the_first_swapped_entry),
	        cmocka_unit_test(test_audit_tamper_cut_tail_is_caught_by_the_checkpoint),
	        cmocka_unit_test(test_audit_tampered_checkpoint_file_is_reported),
	        cmocka_unit_test(test_audit_tamper_rebuild_is_caught_by_the_checkpoint),
	        cmocka_unit_test(test_audit_verify_audit_flag_exits_1_after_tampering),
	};

	return cmocka_run_group_tests_name("audit", tests, group_setup, group_teardown);
}
