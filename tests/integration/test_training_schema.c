/* test_training_schema.c — schema/005_training.sql against tcardd on a throwaway PostgreSQL,
 * in SQL as the app role under a scope: officer_year_total stays exactly equal to a GROUP BY
 * over the raw rows (45-minute rule, declared and overridden hours, revocation, session edits,
 * officer moves, and a randomized run of a few hundred operations), every CHECK names its
 * constraint, row-level security scopes records by unit and by officer, and every change that
 * affects an evaluation marks the officer-year stale. */
#include "testlib.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tcardd_proc proc;
static PGconn *db;

/* The tree: city → county A → town A1, and city → county B. */
static long long city_id, a_id, a1_id, b_id;
static char city_path[32], a_path[32], a1_path[32], b_path[32];
static unsigned next_officer_number = 7000;

#define HOUR 36000LL /* units per class hour */

/* Who a statement runs as: tcard_app under scope ("all", an org path, or "" for unset),
 * and as one officer when officer is not 0 (tcard.officer, the officer role). */
struct app_as {
	const char *scope;
	long long officer;
};

#define AS_ALL         ((struct app_as){"all", 0})
#define AS_SCOPE(path) ((struct app_as){(path), 0})

/* The totals from scratch, written here independently of the migration's view and of its
 * training_year_of(): the contribution rule of doc/hours-engine.md, straight from raw rows. */
#define RECOMPUTED                                                                               \
	"SELECT a.officer_id, extract(year FROM s.starts_at AT TIME ZONE "                       \
	"'Asia/Shanghai')::integer,"                                                             \
	" s.category, s.platform, sum(coalesce(a.override_units, s.declared_units, 0))::bigint," \
	" sum(CASE WHEN a.override_units IS NULL AND s.declared_units IS NULL"                   \
	"     THEN s.duration_minutes ELSE 0 END)::bigint"                                       \
	" FROM attendance a JOIN training_session s ON s.id = a.session_id"                      \
	" WHERE a.revoked_at IS NULL GROUP BY 1, 2, 3, 4"

/* Records that count on a rotation round per officer-year (schema 015), from raw rows. */
#define ROTATION_RECOMPUTED                                                 \
	"SELECT a.officer_id, extract(year FROM s.starts_at AT TIME ZONE "  \
	"'Asia/Shanghai')::integer, count(*)::bigint"                       \
	" FROM attendance a JOIN training_session s ON s.id = a.session_id" \
	" WHERE a.revoked_at IS NULL AND s.form = 'rotation' GROUP BY 1, 2"

/* ---- helpers ---- */

static void sql_ok(const char *sql)
{
	PGresult *res = PQexec(db, sql);
	ExecStatusType status = PQresultStatus(res);

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
}

#define sql_okf(...)   test_db_execf(db, __VA_ARGS__)
#define count_off(...) test_db_countf(db, __VA_ARGS__)

static long long count_of(const char *sql)
{
	return test_db_count(db, sql);
}

static void format_sql(char *sql, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(sql, size, fmt, ap);

	assert_true(n > 0 && (size_t)n < size);
}

/* Opens a transaction acting as as. */
static void app_begin(struct app_as as)
{
	char officer[24] = "";
	const char *params[2] = {as.scope, officer};
	PGresult *res;

	if (as.officer != 0)
		(void)snprintf(officer, sizeof(officer), "%lld", as.officer);
	sql_ok("BEGIN");
	sql_ok("SET LOCAL ROLE tcard_app");
	res = PQexecParams(db,
	                   "SELECT set_config('tcard.scope', $1, true),"
	                   " set_config('tcard.officer', $2, true),"
	                   " set_config('tcard.actor', 'training-test', true)",
	                   2, NULL, params, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
}

/* Runs one statement as as and commits. Returns the first value of its first row (-1 for
 * NULL or no row) or, for a statement without rows, how many rows it changed. */
static long long app_sql(struct app_as as, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static long long app_sql(struct app_as as, const char *fmt, ...)
{
	char sql[8192], message[1024];
	long long value = -1;
	PGresult *res;
	va_list ap;

	va_start(ap, fmt);
	format_sql(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	app_begin(as);
	res = PQexec(db, sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		if (PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0))
			value = atoll(PQgetvalue(res, 0, 0));
	} else if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		value = atoll(PQcmdTuples(res));
	} else {
		(void)snprintf(message, sizeof(message), "%s", PQresultErrorMessage(res));
		PQclear(res);
		sql_ok("ROLLBACK");
		fail_msg("as %s: %s: %s", as.scope, sql, message);
	}
	PQclear(res);
	sql_ok("COMMIT");
	return value;
}

/* Runs one statement as as; it must fail with sqlstate and, unless constraint is NULL, name
 * that constraint. Rolls back. */
static void app_fails(struct app_as as, const char *sqlstate, const char *constraint,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void app_fails(struct app_as as, const char *sqlstate, const char *constraint,
                      const char *fmt, ...)
{
	char sql[8192], got_state[16], got_constraint[128], message[512];
	ExecStatusType status;
	PGresult *res;
	const char *field;
	va_list ap;

	va_start(ap, fmt);
	format_sql(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	app_begin(as);
	res = PQexec(db, sql);
	status = PQresultStatus(res);
	field = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	(void)snprintf(got_state, sizeof(got_state), "%s", field != NULL ? field : "");
	field = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	(void)snprintf(got_constraint, sizeof(got_constraint), "%s", field != NULL ? field : "");
	(void)snprintf(message, sizeof(message), "%s", PQresultErrorMessage(res));
	PQclear(res);
	sql_ok("ROLLBACK");
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		fail_msg("succeeded: %s", sql);
	if (strcmp(got_state, sqlstate) != 0 ||
	    (constraint != NULL && strcmp(got_constraint, constraint) != 0))
		fail_msg("%s: expected %s %s, got %s %s (%s)", sql, sqlstate,
		         constraint != NULL ? constraint : "", got_state, got_constraint, message);
}

static void org_path_of(long long id, char *out, size_t size)
{
	char id_text[24];

	(void)snprintf(id_text, sizeof(id_text), "%lld", id);
	test_db_text(db, "SELECT path::text FROM org WHERE id = $1", id_text, out, size);
}

/* A new officer of org_id, over HTTP (hired 2015-03-01, active). */
static long long new_officer(long long org_id)
{
	char name[32];

	(void)snprintf(name, sizeof(name), "培训民警%u", next_officer_number);
	return test_create_officer(&proc, next_officer_number++, name, org_id);
}

/* A session organised by org_id from starts (a timestamptz literal) for minutes, ending
 * when its minutes do; declared class hours as units, or 0 for none (the minutes count). */
static long long new_session(long long org_id, const char *category, const char *platform,
                             const char *starts, int minutes, long long declared)
{
	char declared_text[24] = "NULL";

	if (declared > 0)
		(void)snprintf(declared_text, sizeof(declared_text), "%lld", declared);
	return app_sql(AS_ALL,
	               "INSERT INTO training_session (title, org_id, category, form, platform,"
	               " starts_at, ends_at, duration_minutes, declared_units) VALUES ('测试培训',"
	               " %lld, '%s', 'lecture', '%s', '%s', timestamptz '%s' + make_interval(mins"
	               " => %d), %d, %s) RETURNING id",
	               org_id, category, platform, starts, starts, minutes, minutes, declared_text);
}

static long long attend(long long session_id, long long officer_id)
{
	return app_sql(AS_ALL,
	               "INSERT INTO attendance (session_id, officer_id) VALUES (%lld, %lld)"
	               " RETURNING id",
	               session_id, officer_id);
}

/* The stored total of one key as "units/minutes", or "none" when there is no row. */
static void assert_total(long long officer_id, int year, const char *category, const char *platform,
                         const char *expected)
{
	char sql[512], actual[64];

	(void)snprintf(
	        sql, sizeof(sql),
	        "SELECT coalesce((SELECT units || '/' || untimed_minutes FROM"
	        " officer_year_total WHERE officer_id = %lld AND year = %d AND category = '%s'"
	        " AND platform = '%s'), 'none')",
	        officer_id, year, category, platform);
	test_db_text(db, sql, NULL, actual, sizeof(actual));
	assert_string_equal(actual, expected);
}

/* Every invariant of the maintained tables, checked as the superuser (no row hidden). */
static void assert_consistent(const char *when)
{
	long long n;

	n = count_of("SELECT count(*) FROM ((TABLE officer_year_total EXCEPT " RECOMPUTED
	             ") UNION ALL (" RECOMPUTED " EXCEPT TABLE officer_year_total)) d");
	if (n != 0)
		fail_msg("%s: %lld total rows differ from the recomputation", when, n);
	n = count_of("SELECT count(*) FROM officer_year_total_drift");
	if (n != 0)
		fail_msg("%s: officer_year_total_drift lists %lld rows", when, n);
	n = count_of(
	        "SELECT count(*) FROM officer_year_total"
	        " WHERE units <= 0 AND untimed_minutes <= 0 OR units < 0 OR untimed_minutes < 0");
	if (n != 0)
		fail_msg("%s: %lld total rows are zero or negative", when, n);
	n = count_of("SELECT count(*) FROM attendance a"
	             " JOIN training_session s ON s.id = a.session_id"
	             " JOIN officer o ON o.id = a.officer_id"
	             " WHERE a.org_path <> o.org_path"
	             "  OR a.year <> extract(year FROM s.starts_at AT TIME ZONE 'Asia/Shanghai')"
	             "  OR a.category <> s.category OR a.platform <> s.platform"
	             "  OR a.credited_units <> CASE WHEN a.revoked_at IS NOT NULL THEN 0"
	             "     ELSE coalesce(a.override_units, s.declared_units, 0) END"
	             "  OR a.credited_minutes <> CASE WHEN a.revoked_at IS NULL AND"
	             "     a.override_units IS NULL AND s.declared_units IS NULL"
	             "     THEN s.duration_minutes ELSE 0 END");
	if (n != 0)
		fail_msg("%s: %lld attendance records have wrong derived columns", when, n);
	n = count_of("SELECT (SELECT count(*) FROM training_session s JOIN org g ON g.id = s.org_id"
	             "         WHERE s.org_path <> g.path)"
	             "     + (SELECT count(*) FROM hours_policy p JOIN org g ON g.id = p.org_id"
	             "         WHERE p.org_path <> g.path)"
	             "     + (SELECT count(*) FROM hours_exemption e JOIN officer o"
	             "         ON o.id = e.officer_id WHERE e.org_path <> o.org_path)"
	             "     + (SELECT count(*) FROM officer_year_status x JOIN officer o"
	             "         ON o.id = x.officer_id WHERE x.org_path <> o.org_path)");
	if (n != 0)
		fail_msg("%s: %lld org_path copies are out of date", when, n);
	n = count_of(
	        "SELECT count(*) FROM officer_year_total t WHERE NOT EXISTS (SELECT FROM"
	        " officer_year_status x WHERE x.officer_id = t.officer_id AND x.year = t.year)");
	if (n != 0)
		fail_msg("%s: %lld totals have no status row", when, n);
	n = count_of("SELECT count(*) FROM ((SELECT officer_id, year, rotation_records FROM"
	             " officer_year_status WHERE rotation_records <> 0 EXCEPT " ROTATION_RECOMPUTED
	             ") UNION ALL (" ROTATION_RECOMPUTED " EXCEPT SELECT officer_id, year,"
	             " rotation_records FROM officer_year_status)) d");
	if (n != 0)
		fail_msg("%s: %lld rotation counts differ from the recomputation", when, n);
	n = count_of("SELECT count(*) FROM officer_year_rotation_drift");
	if (n != 0)
		fail_msg("%s: officer_year_rotation_drift lists %lld rows", when, n);
	n = count_of("SELECT count(*) FROM officer_year_status WHERE rotation_records < 0");
	if (n != 0)
		fail_msg("%s: %lld rotation counts are negative", when, n);
}

/* The evaluator's pass, as the app role (which may write the results and nothing else). */
static void evaluate_all(void)
{
	(void)app_sql(AS_ALL,
	              "UPDATE officer_year_status SET counted_units = 0, required_units = 0,"
	              " status = 'short', shortfalls = '[]', evaluated_at = now(),"
	              " stale = false");
}

/* 1 stale, 0 evaluated since its last change, -1 no row. */
static long long stale_of(long long officer_id, int year)
{
	return count_off("SELECT coalesce((SELECT stale::integer FROM officer_year_status"
	                 " WHERE officer_id = %lld AND year = %d), -1)",
	                 officer_id, year);
}

static long long generation_of(long long officer_id, int year)
{
	return count_off("SELECT generation FROM officer_year_status"
	                 " WHERE officer_id = %lld AND year = %d",
	                 officer_id, year);
}

/* ---- set-up ---- */

static int group_setup(void **state)
{
	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	/* Years and days are China's whatever the connection's zone: make a mistake show. */
	sql_ok("SET TimeZone = 'America/Los_Angeles'");
	city_id = test_create_org(&proc, "train-city", "培训市", "city", 0);
	a_id = test_create_org(&proc, "train-a", "甲县", "county", city_id);
	a1_id = test_create_org(&proc, "train-a1", "甲县一镇", "town", a_id);
	b_id = test_create_org(&proc, "train-b", "乙县", "county", city_id);
	org_path_of(city_id, city_path, sizeof(city_path));
	org_path_of(a_id, a_path, sizeof(a_path));
	org_path_of(a1_id, a1_path, sizeof(a1_path));
	org_path_of(b_id, b_path, sizeof(b_path));
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

/* ---- the schema's shape ---- */

static void test_training_tables_force_rls_and_the_app_role_owns_nothing(void **state)
{
	(void)state;
	assert_int_equal(
	        count_of("SELECT count(*) FROM pg_class WHERE relname IN"
	                 " ('training_session', 'attendance', 'hours_policy',"
	                 "  'hours_exemption', 'officer_year_total', 'officer_year_status')"
	                 " AND relrowsecurity AND relforcerowsecurity"
	                 " AND relowner <> 'tcard_app'::regrole"),
	        6);
	assert_int_equal(
	        count_of("SELECT count(*) FROM pg_class WHERE relowner = 'tcard_app'::regrole"), 0);
	assert_int_equal(
	        count_of("SELECT count(*) FROM pg_proc WHERE proowner = 'tcard_app'::regrole"), 0);
	/* No DELETE but of a policy (007: an admin removes one, audited); the maintained
	 * tables are the triggers' own. */
	assert_int_equal(
	        count_of("SELECT count(*) FROM unnest(ARRAY['training_session', 'attendance',"
	                 " 'hours_policy', 'hours_exemption', 'officer_year_total',"
	                 " 'officer_year_status']) t"
	                 " WHERE (has_table_privilege('tcard_app', t, 'DELETE')"
	                 "        AND t <> 'hours_policy')"
	                 "    OR has_table_privilege('tcard_app', t, 'TRUNCATE')"
	                 "    OR has_table_privilege('tcard_ro', t, 'INSERT')"
	                 "    OR NOT has_table_privilege('tcard_ro', t, 'SELECT')"),
	        0);
	assert_int_equal(
	        count_of(
	                "SELECT count(*) FROM unnest(ARRAY['INSERT', 'UPDATE']) p"
	                " WHERE has_any_column_privilege('tcard_app', 'officer_year_total', p)"
	                "    OR has_table_privilege('tcard_app', 'officer_year_status', 'INSERT')"),
	        0);
	/* Derived columns are written by triggers only: never updated by the app role, and
	 * inserted only into attendance, where attendance_derive overwrites them or, in a
	 * bulk import, attendance_bulk_verify holds them to the officer and session (012). */
	assert_int_equal(
	        count_of("SELECT count(*) FROM (VALUES ('attendance', 'org_path'), ('attendance', "
	                 "'year'),"
	                 " ('attendance', 'category'), ('attendance', 'platform'),"
	                 " ('attendance', 'credited_units'), ('attendance', 'credited_minutes'),"
	                 " ('training_session', 'org_path'), ('hours_policy', 'org_path'),"
	                 " ('hours_exemption', 'org_path'), ('hours_exemption', 'recorded_by'),"
	                 " ('officer_year_status', 'org_path'), ('officer_year_status', "
	                 "'generation'),"
	                 " ('officer_year_status', 'officer_id'),"
	                 " ('officer_year_status', 'rotation_records')) c (t, col)"
	                 " WHERE (has_column_privilege('tcard_app', t, col, 'INSERT')"
	                 "        AND t <> 'attendance')"
	                 "    OR has_column_privilege('tcard_app', t, col, 'UPDATE')"),
	        0);
	assert_int_equal(
	        count_of("SELECT count(*) FROM unnest(ARRAY['session_id', 'officer_id']) col"
	                 " WHERE has_column_privilege('tcard_app', 'attendance', col, 'UPDATE')"),
	        0);
	/* Audited: the four tables people write; not the two the triggers maintain. */
	assert_int_equal(
	        count_of("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_row_change'"
	                 " AND tgrelid::regclass::text IN ('training_session', 'attendance',"
	                 " 'hours_policy', 'hours_exemption')"),
	        4);
	assert_int_equal(
	        count_of("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_row_change'"
	                 " AND tgrelid::regclass::text IN ('officer_year_total',"
	                 " 'officer_year_status')"),
	        0);
}

static void test_app_role_writes_no_derived_column_no_total_and_deletes_nothing(void **state)
{
	long long officer = new_officer(a_id), session;

	(void)state;
	session = new_session(a_id, "business", "", "2025-02-03 09:00+08", 60, 0);
	(void)attend(session, officer);
	app_fails(AS_ALL, "42501", NULL, "UPDATE attendance SET credited_units = 0");
	app_fails(AS_ALL, "42501", NULL, "UPDATE attendance SET org_path = '%s'", b_path);
	app_fails(AS_ALL, "42501", NULL, "UPDATE attendance SET session_id = session_id");
	app_fails(AS_ALL, "42501", NULL, "UPDATE training_session SET org_path = '%s'", b_path);
	app_fails(AS_ALL, "42501", NULL, "UPDATE officer_year_total SET units = 0");
	app_fails(AS_ALL, "42501", NULL,
	          "INSERT INTO officer_year_total VALUES (%lld, 2025, 'business', '', 1, 0)",
	          officer);
	app_fails(AS_ALL, "42501", NULL, "UPDATE officer_year_status SET generation = 0");
	app_fails(AS_ALL, "42501", NULL, "UPDATE officer_year_status SET rotation_records = 0");
	app_fails(AS_ALL, "42501", NULL,
	          "INSERT INTO officer_year_status (officer_id, year, org_path)"
	          " VALUES (%lld, 2001, '%s')",
	          officer, a_path);
	app_fails(AS_ALL, "42501", NULL, "UPDATE hours_exemption SET recorded_by = 'x'");
	app_fails(AS_ALL, "42501", NULL, "DELETE FROM attendance");
	app_fails(AS_ALL, "42501", NULL, "DELETE FROM training_session");
	app_fails(AS_ALL, "42501", NULL, "DELETE FROM officer_year_total");
	app_fails(AS_ALL, "42501", NULL, "DELETE FROM officer_year_status");
	app_fails(AS_ALL, "42501", NULL, "SELECT officer_year_total_repair()");
	/* An unset scope sees nothing at all. */
	assert_int_equal(app_sql(AS_SCOPE(""), "SELECT (SELECT count(*) FROM training_session)"
	                                       " + (SELECT count(*) FROM attendance)"
	                                       " + (SELECT count(*) FROM hours_policy)"
	                                       " + (SELECT count(*) FROM hours_exemption)"
	                                       " + (SELECT count(*) FROM officer_year_total)"
	                                       " + (SELECT count(*) FROM officer_year_status)"),
	                 0);
	assert_true(count_of("SELECT count(*) FROM attendance") > 0);
}

/* The insert a bulk import's merge makes (schema 012): the app role names the derived
 * columns itself under tcard.bulk = 'import'; returns the SQLSTATE and constraint of the
 * failure ("ok" when it was written), inside a transaction undone at the end. */
static void bulk_insert(long long session, long long officer, const char *org_path,
                        const char *category, long long units, long long minutes,
                        const char *expected_state, const char *expected_constraint)
{
	char sql[768];
	PGresult *res;

	app_begin(AS_ALL);
	sql_ok("SELECT set_config('tcard.bulk', 'import', true)");
	(void)snprintf(
	        sql, sizeof(sql),
	        "INSERT INTO attendance (session_id, officer_id, org_path, year, category,"
	        " platform, credited_units, credited_minutes) VALUES (%lld, %lld, '%s', 2025,"
	        " '%s', '', %lld, %lld)",
	        session, officer, org_path, category, units, minutes);
	res = PQexec(db, sql);
	if (strcmp(expected_state, "ok") == 0) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	} else {
		assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), expected_state);
		assert_string_equal(PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME),
		                    expected_constraint);
	}
	PQclear(res);
	sql_ok("ROLLBACK");
}

/* An import derives a record's columns set-wise in its merge instead of row by row;
 * one check per statement holds it to what attendance_derive would have written. */
static void test_bulk_inserts_are_verified_against_their_officer_and_session(void **state)
{
	long long officer = new_officer(a_id), session, record;

	(void)state;
	session = new_session(a_id, "business", "", "2025-06-02 09:00+08", 90, 0);
	/* Right: written, and the totals move as for any record. */
	app_begin(AS_ALL);
	sql_ok("SELECT set_config('tcard.bulk', 'import', true)");
	sql_okf("INSERT INTO attendance (session_id, officer_id, org_path, year, category, "
	        "platform,"
	        " credited_units, credited_minutes) VALUES (%lld, %lld, '%s', 2025, 'business', '',"
	        " 0, 90)",
	        session, officer, a_path);
	sql_ok("COMMIT");
	assert_total(officer, 2025, "business", "", "0/90");
	assert_consistent("after a verified bulk insert");
	officer = new_officer(a_id);
	/* Wrong in any derived column: refused, nothing written. */
	bulk_insert(session, officer, a_path, "skills", 0, 90, "TC409", "attendance_bulk_derived");
	bulk_insert(session, officer, b_path, "business", 0, 90, "TC409",
	            "attendance_bulk_derived");
	bulk_insert(session, officer, a_path, "business", HOUR, 90, "TC409",
	            "attendance_bulk_derived");
	bulk_insert(session, officer, a_path, "business", 0, 45, "TC409",
	            "attendance_bulk_derived");
	/* Outside an import, whatever the caller names is derived again. */
	record = app_sql(AS_ALL,
	                 "INSERT INTO attendance (session_id, officer_id, org_path, year, category,"
	                 " platform, credited_units, credited_minutes) VALUES (%lld, %lld, '%s',"
	                 " 2001, 'skills', 'x', 99, 99) RETURNING id",
	                 session, officer, b_path);
	assert_int_equal(count_off("SELECT count(*) FROM attendance WHERE id = %lld AND org_path ="
	                           " '%s' AND year = 2025 AND category = 'business' AND platform ="
	                           " '' AND credited_units = 0 AND credited_minutes = 90",
	                           record, a_path),
	                 1);
	assert_consistent("after a derived insert");
}

/* The planner's row estimate of sql as as (EXPLAIN's top "Plan Rows"). */
static double planned_rows(struct app_as as, const char *sql)
{
	char explain[512];
	PGresult *res;
	double rows;
	const char *plan;

	app_begin(as);
	(void)snprintf(explain, sizeof(explain), "EXPLAIN (FORMAT JSON) %s", sql);
	res = PQexec(db, explain);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	plan = strstr(PQgetvalue(res, 0, 0), "\"Plan Rows\": ");
	assert_non_null(plan);
	rows = atof(plan + strlen("\"Plan Rows\": "));
	PQclear(res);
	sql_ok("ROLLBACK");
	return rows;
}

/* Row-level security the planner can estimate (schema 014): with ltree's ancestor
 * tests LEAKPROOF and the officer condition a range, the scope filter is estimated
 * from the statistics — all rows for staff of the whole tree, a few for an officer —
 * instead of a blind 1 % and 0.5 % that made it nest loops over whole provinces. */
static void test_the_planner_estimates_row_level_security_from_statistics(void **state)
{
	long long officer = new_officer(a_id), rows;
	double all, own;

	(void)state;
	assert_int_equal(count_of("SELECT count(*) FROM pg_proc WHERE proleakproof AND oid IN"
	                          " ('ltree_isparent(ltree, ltree)'::regprocedure,"
	                          " 'ltree_risparent(ltree, ltree)'::regprocedure)"),
	                 2);
	sql_ok("ANALYZE officer_year_status");
	rows = count_of("SELECT count(*) FROM officer_year_status");
	assert_true(rows >= 10);
	all = planned_rows(AS_ALL, "SELECT * FROM officer_year_status");
	own = planned_rows(((struct app_as){"all", officer}), "SELECT * FROM officer_year_status");
	if (all < 0.8 * (double)rows || own > 5)
		fail_msg("%lld rows: planned %.0f for the whole tree, %.0f for one officer", rows,
		         all, own);
	/* The same rows as before for an officer: its own only. */
	assert_int_equal(
	        app_sql(((struct app_as){"all", officer}),
	                "SELECT count(*) FROM officer_year_status WHERE officer_id <> %lld",
	                officer),
	        0);
}

/* ---- the contribution rule ---- */

static void test_untimed_2699_and_2700_minutes_stay_minutes_and_2700_meet_60_hours(void **state)
{
	long long officer = new_officer(a_id);

	(void)state;
	(void)attend(new_session(a_id, "public_law", "", "2025-03-03 00:00+08", 1440, 0), officer);
	(void)attend(new_session(a_id, "public_law", "", "2025-03-04 08:00+08", 1259, 0), officer);
	assert_total(officer, 2025, "public_law", "", "0/2699");
	/* At 45 minutes per hour a minute is 800 units: 2699 minutes are 59.97 h, short. */
	assert_int_equal(count_off("SELECT units + untimed_minutes * (36000 / 45) FROM"
	                           " officer_year_total WHERE officer_id = %lld AND year = 2025",
	                           officer),
	                 2159200);
	(void)attend(new_session(a_id, "public_law", "", "2025-03-05 08:00+08", 1, 0), officer);
	assert_total(officer, 2025, "public_law", "", "0/2700");
	assert_int_equal(count_off("SELECT units + untimed_minutes * (36000 / 45) FROM"
	                           " officer_year_total WHERE officer_id = %lld AND year = 2025",
	                           officer),
	                 60 * HOUR);
	assert_consistent("2700 minutes");
}

static void test_declared_hours_win_over_minutes_and_an_override_over_both(void **state)
{
	long long officer = new_officer(a_id), declared, untimed, on_declared, on_untimed;

	(void)state;
	declared = new_session(a_id, "business", "", "2025-04-01 09:00+08", 180, 4 * HOUR);
	untimed = new_session(a_id, "business", "", "2025-04-02 09:00+08", 90, 0);
	on_declared = attend(declared, officer);
	on_untimed = attend(untimed, officer);
	/* 180 minutes of a "4学时" session count 4 h, not 4 h of minutes. */
	assert_total(officer, 2025, "business", "", "144000/90");
	/* Left early: 1.50 h credited instead. */
	assert_int_equal(app_sql(AS_ALL,
	                         "UPDATE attendance SET override_units = 54000, override_reason ="
	                         " '早退' WHERE id = %lld",
	                         on_declared),
	                 1);
	assert_total(officer, 2025, "business", "", "54000/90");
	(void)app_sql(AS_ALL,
	              "UPDATE attendance SET override_units = 27000, override_reason = '迟到'"
	              " WHERE id = %lld",
	              on_untimed);
	assert_total(officer, 2025, "business", "", "81000/0");
	(void)app_sql(AS_ALL,
	              "UPDATE attendance SET override_units = NULL, override_reason = NULL"
	              " WHERE id = %lld",
	              on_declared);
	assert_total(officer, 2025, "business", "", "171000/0");
	/* The session no longer states its hours: its 180 minutes count again. */
	(void)app_sql(AS_ALL, "UPDATE training_session SET declared_units = NULL WHERE id = %lld",
	              declared);
	assert_total(officer, 2025, "business", "", "27000/180");
	assert_int_equal(count_off("SELECT credited_units * 1000 + credited_minutes FROM attendance"
	                           " WHERE id = %lld",
	                           on_declared),
	                 180);
	assert_consistent("declared and override");
}

static void test_revoke_removes_the_hours_and_unrevoke_restores_them(void **state)
{
	long long officer = new_officer(b_id), first, second;

	(void)state;
	first = attend(new_session(b_id, "skills", "法治教育网", "2025-05-01 09:00+08", 120, 0),
	               officer);
	assert_total(officer, 2025, "skills", "法治教育网", "0/120");
	(void)app_sql(AS_ALL,
	              "UPDATE attendance SET revoked_at = now(), revoked_reason = '重复登记'"
	              " WHERE id = %lld",
	              first);
	/* A total that reaches zero is deleted; the record stays. */
	assert_total(officer, 2025, "skills", "法治教育网", "none");
	assert_int_equal(count_off("SELECT count(*) FROM attendance WHERE id = %lld"
	                           " AND revoked_at IS NOT NULL AND credited_minutes = 0",
	                           first),
	                 1);
	(void)app_sql(AS_ALL,
	              "UPDATE attendance SET revoked_at = NULL, revoked_reason = NULL"
	              " WHERE id = %lld",
	              first);
	assert_total(officer, 2025, "skills", "法治教育网", "0/120");
	second = attend(
	        new_session(b_id, "skills", "法治教育网", "2025-05-02 09:00+08", 60, HOUR + 360),
	        officer);
	assert_total(officer, 2025, "skills", "法治教育网", "36360/120");
	(void)app_sql(AS_ALL,
	              "UPDATE attendance SET revoked_at = now(), revoked_reason = '未参加'"
	              " WHERE id = %lld",
	              second);
	assert_total(officer, 2025, "skills", "法治教育网", "0/120");
	assert_consistent("revoke");
}

static void test_session_edits_move_hours_between_categories_platforms_and_years(void **state)
{
	long long one = new_officer(a_id), two = new_officer(b_id), session, other;

	(void)state;
	session = new_session(a_id, "public_law", "", "2025-06-01 09:00+08", 60, 0);
	other = new_session(a_id, "public_law", "", "2025-06-02 09:00+08", 30, 0);
	(void)attend(session, one);
	(void)attend(session, two);
	(void)attend(other, one);
	assert_total(one, 2025, "public_law", "", "0/90");

	(void)app_sql(AS_ALL, "UPDATE training_session SET category = 'political' WHERE id = %lld",
	              session);
	assert_total(one, 2025, "public_law", "", "0/30");
	assert_total(one, 2025, "political", "", "0/60");
	assert_total(two, 2025, "public_law", "", "none");
	assert_total(two, 2025, "political", "", "0/60");

	(void)app_sql(AS_ALL, "UPDATE training_session SET platform = '法治教育网' WHERE id = %lld",
	              session);
	assert_total(two, 2025, "political", "", "none");
	assert_total(two, 2025, "political", "法治教育网", "0/60");

	/* 2025-01-01T07:00+08 is 2024-12-31T23:00Z: it counts in 2025 (China's year). */
	(void)app_sql(AS_ALL,
	              "UPDATE training_session SET starts_at = '2025-01-01 07:00+08',"
	              " ends_at = '2025-01-01 08:00+08' WHERE id = %lld",
	              session);
	assert_int_equal(count_off("SELECT year FROM training_session WHERE id = %lld", session),
	                 2025);
	assert_total(two, 2025, "political", "法治教育网", "0/60");
	(void)app_sql(AS_ALL,
	              "UPDATE training_session SET starts_at = '2024-12-31 23:00+08',"
	              " ends_at = '2025-01-01 00:00+08' WHERE id = %lld",
	              session);
	assert_int_equal(count_off("SELECT year FROM training_session WHERE id = %lld", session),
	                 2024);
	assert_total(two, 2025, "political", "法治教育网", "none");
	assert_total(two, 2024, "political", "法治教育网", "0/60");
	assert_total(one, 2024, "political", "法治教育网", "0/60");
	assert_total(one, 2025, "public_law", "", "0/30");

	(void)app_sql(AS_ALL, "UPDATE training_session SET declared_units = 90000 WHERE id = %lld",
	              session);
	assert_total(two, 2024, "political", "法治教育网", "90000/0");
	(void)app_sql(AS_ALL,
	              "UPDATE training_session SET declared_units = NULL, duration_minutes = 45"
	              " WHERE id = %lld",
	              session);
	assert_total(two, 2024, "political", "法治教育网", "0/45");

	/* Two sessions in one statement. */
	(void)app_sql(AS_ALL,
	              "UPDATE training_session SET category = 'other' WHERE id IN (%lld, %lld)",
	              session, other);
	assert_total(one, 2024, "other", "法治教育网", "0/45");
	assert_total(one, 2025, "other", "", "0/30");
	assert_total(one, 2025, "public_law", "", "none");
	assert_consistent("session edits");
}

static void test_same_officer_twice_on_a_session_is_one_record(void **state)
{
	long long officer = new_officer(a1_id), session, other;

	(void)state;
	session = new_session(a1_id, "skills", "", "2025-07-07 09:00+08", 60, 0);
	other = new_session(a1_id, "skills", "", "2025-07-08 09:00+08", 60, 0);
	(void)attend(session, officer);
	app_fails(AS_ALL, "23505", "attendance_session_officer_key",
	          "INSERT INTO attendance (session_id, officer_id) VALUES (%lld, %lld)", session,
	          officer);
	/* An import skips it. */
	assert_int_equal(
	        app_sql(AS_ALL,
	                "INSERT INTO attendance (session_id, officer_id) VALUES (%lld, %lld)"
	                " ON CONFLICT (session_id, officer_id) DO NOTHING",
	                session, officer),
	        0);
	assert_total(officer, 2025, "skills", "", "0/60");
	/* A platform's record is one record too. */
	(void)app_sql(
	        AS_ALL,
	        "UPDATE attendance SET source_platform = '法治教育网', source_record_id = 'R-1'"
	        " WHERE session_id = %lld AND officer_id = %lld",
	        session, officer);
	app_fails(
	        AS_ALL, "23505", "attendance_source_record_key",
	        "INSERT INTO attendance (session_id, officer_id, source_platform, source_record_id)"
	        " VALUES (%lld, %lld, '法治教育网', 'R-1')",
	        other, officer);
	assert_consistent("duplicates");
}

/* ---- constraints ---- */

#define SESSION_INSERT                                                                       \
	"INSERT INTO training_session (title, org_id, category, form, platform, starts_at, " \
	"ends_at,"                                                                           \
	" duration_minutes, declared_units, code) VALUES "

static void test_checks_refuse_bad_input_with_their_named_constraint(void **state)
{
	long long officer = new_officer(a_id), session, record;

	(void)state;
	/* sessions */
	app_fails(AS_ALL, "23514", "training_session_ends_after_start",
	          SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '2025-01-02 10:00+08',"
	                         " '2025-01-02 09:00+08', 30, NULL, NULL)",
	          a_id);
	app_fails(AS_ALL, "23514", "training_session_span_at_most_24h",
	          SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '2025-01-02 00:00+08',"
	                         " '2025-01-03 00:01+08', 60, NULL, NULL)",
	          a_id);
	app_fails(AS_ALL, "23514", "training_session_duration_within_span",
	          SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '2025-01-02 09:00+08',"
	                         " '2025-01-02 10:00+08', 61, NULL, NULL)",
	          a_id);
	app_fails(AS_ALL, "23514", "training_session_duration_range",
	          SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '2025-01-02 09:00+08',"
	                         " '2025-01-02 10:00+08', 0, NULL, NULL)",
	          a_id);
	/* 1.005 h has three decimals; 0 h and 24.01 h are out of range. */
	app_fails(AS_ALL, "23514", "training_session_declared_units_valid",
	          SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '2025-01-02 09:00+08',"
	                         " '2025-01-02 10:00+08', 60, 36180, NULL)",
	          a_id);
	app_fails(AS_ALL, "23514", "training_session_declared_units_valid",
	          SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '2025-01-02 09:00+08',"
	                         " '2025-01-02 10:00+08', 60, 0, NULL)",
	          a_id);
	app_fails(AS_ALL, "23514", "training_session_declared_units_valid",
	          SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '2025-01-02 09:00+08',"
	                         " '2025-01-02 10:00+08', 60, 864360, NULL)",
	          a_id);
	app_fails(AS_ALL, "23514", "training_session_category_valid",
	          SESSION_INSERT "('t', %lld, 'law', 'lecture', '', '2025-01-02 09:00+08',"
	                         " '2025-01-02 10:00+08', 60, NULL, NULL)",
	          a_id);
	app_fails(AS_ALL, "23514", "training_session_form_valid",
	          SESSION_INSERT "('t', %lld, 'business', 'party', '', '2025-01-02 09:00+08',"
	                         " '2025-01-02 10:00+08', 60, NULL, NULL)",
	          a_id);
	app_fails(AS_ALL, "23514", "training_session_platform_form",
	          SESSION_INSERT "('t', %lld, 'business', 'online', ' 法治教育网',"
	                         " '2025-01-02 09:00+08', '2025-01-02 10:00+08', 60, NULL, NULL)",
	          a_id);
	app_fails(AS_ALL, "23514", "training_session_starts_at_range",
	          SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '1900-01-01 09:00+08',"
	                         " '1900-01-01 10:00+08', 60, NULL, NULL)",
	          a_id);
	app_fails(AS_ALL, "23514", "training_session_title_length",
	          SESSION_INSERT "('', %lld, 'business', 'lecture', '', '2025-01-02 09:00+08',"
	                         " '2025-01-02 10:00+08', 60, NULL, NULL)",
	          a_id);
	app_fails(AS_ALL, "TC422", "training_session_org_exists",
	          SESSION_INSERT "('t', 999999, 'business', 'lecture', '', '2025-01-02 09:00+08',"
	                         " '2025-01-02 10:00+08', 60, NULL, NULL)");
	/* Two decimals are fine; a code is unique when given. */
	(void)app_sql(AS_ALL,
	              SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '2025-01-02 09:00+08',"
	                             " '2025-01-02 10:00+08', 60, 153000, 'DUP-1')",
	              a_id);
	app_fails(AS_ALL, "23505", "training_session_code_key",
	          SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '2025-01-03 09:00+08',"
	                         " '2025-01-03 10:00+08', 60, NULL, 'DUP-1')",
	          a_id);

	/* attendance */
	session = new_session(a_id, "business", "", "2025-01-06 09:00+08", 60, 0);
	record = attend(session, officer);
	app_fails(AS_ALL, "23514", "attendance_override_reason_required",
	          "UPDATE attendance SET override_units = 36000 WHERE id = %lld", record);
	app_fails(AS_ALL, "23514", "attendance_override_reason_required",
	          "UPDATE attendance SET override_units = 36000, override_reason = '  '"
	          " WHERE id = %lld",
	          record);
	app_fails(AS_ALL, "23514", "attendance_override_units_valid",
	          "UPDATE attendance SET override_units = 36180, override_reason = '早退'"
	          " WHERE id = %lld",
	          record);
	app_fails(AS_ALL, "23514", "attendance_override_reason_without_override",
	          "UPDATE attendance SET override_reason = '早退' WHERE id = %lld", record);
	app_fails(AS_ALL, "23514", "attendance_revoked_reason_required",
	          "UPDATE attendance SET revoked_at = now() WHERE id = %lld", record);
	app_fails(AS_ALL, "23514", "attendance_revoked_reason_without_revoke",
	          "UPDATE attendance SET revoked_reason = '重复' WHERE id = %lld", record);
	app_fails(AS_ALL, "23514", "attendance_source_record_needs_platform",
	          "UPDATE attendance SET source_record_id = 'R-9' WHERE id = %lld", record);
	app_fails(AS_ALL, "TC422", "attendance_officer_exists",
	          "INSERT INTO attendance (session_id, officer_id) VALUES (%lld, 999999)", session);
	app_fails(AS_ALL, "TC422", "attendance_session_exists",
	          "INSERT INTO attendance (session_id, officer_id) VALUES (999999, %lld)", officer);

	/* policies */
	app_fails(
	        AS_ALL, "23514", "hours_policy_minutes_per_hour_valid",
	        "INSERT INTO hours_policy (org_id, year, minutes_per_hour) VALUES (%lld, 2031, 35)",
	        a_id);
	app_fails(
	        AS_ALL, "23514", "hours_policy_minutes_per_hour_valid",
	        "INSERT INTO hours_policy (org_id, year, minutes_per_hour) VALUES (%lld, 2031, 72)",
	        a_id);
	app_fails(AS_ALL, "23514", "hours_policy_required_units_valid",
	          "INSERT INTO hours_policy (org_id, year, required_units) VALUES (%lld, 2031, "
	          "2160180)",
	          a_id);
	app_fails(AS_ALL, "23514", "hours_policy_excluded_categories_valid",
	          "INSERT INTO hours_policy (org_id, year, excluded_categories)"
	          " VALUES (%lld, 2031, '{politics}')",
	          a_id);
	app_fails(AS_ALL, "23514", "hours_policy_min_months_range",
	          "INSERT INTO hours_policy (org_id, year, min_months) VALUES (%lld, 2031, 13)",
	          a_id);
	/* A minimum over an excluded category could never be met. */
	app_fails(AS_ALL, "23514", "hours_policy_category_minima_valid",
	          "INSERT INTO hours_policy (org_id, year, category_minima) VALUES (%lld, 2031,"
	          " '[{\"categories\": [\"political\"], \"units\": 360000}]')",
	          a_id);
	app_fails(AS_ALL, "23514", "hours_policy_category_minima_valid",
	          "INSERT INTO hours_policy (org_id, year, category_minima) VALUES (%lld, 2031,"
	          " '[{\"categories\": [\"public_law\"], \"units\": 36180}]')",
	          a_id);
	app_fails(AS_ALL, "23514", "hours_policy_category_minima_valid",
	          "INSERT INTO hours_policy (org_id, year, category_minima) VALUES (%lld, 2031,"
	          " '[{\"categories\": [\"public_law\"], \"units\": \"1080000\"}]')",
	          a_id);
	app_fails(AS_ALL, "23514", "hours_policy_category_minima_valid",
	          "INSERT INTO hours_policy (org_id, year, category_minima) VALUES (%lld, 2031,"
	          " '[{\"categories\": [\"skills\", \"skills\"], \"units\": 360}]')",
	          a_id);
	app_fails(AS_ALL, "23514", "hours_policy_category_minima_valid",
	          "INSERT INTO hours_policy (org_id, year, category_minima) VALUES (%lld, 2031,"
	          " '[{\"categories\": [\"skills\"], \"units\": 360, \"note\": 1}]')",
	          a_id);
	app_fails(AS_ALL, "23514", "hours_policy_category_minima_valid",
	          "INSERT INTO hours_policy (org_id, year, category_minima) VALUES (%lld, 2031, "
	          "'{}')",
	          a_id);
	app_fails(AS_ALL, "23514", "hours_policy_platform_minima_valid",
	          "INSERT INTO hours_policy (org_id, year, platform_minima) VALUES (%lld, 2031,"
	          " '[{\"platform\": \"法治教育网\", \"units\": 360},"
	          "   {\"platform\": \"法治教育网\", \"units\": 720}]')",
	          a_id);
	app_fails(AS_ALL, "23514", "hours_policy_platform_minima_valid",
	          "INSERT INTO hours_policy (org_id, year, platform_minima) VALUES (%lld, 2031,"
	          " '[{\"platform\": \"法治教育网 \", \"units\": 360}]')",
	          a_id);
	app_fails(AS_ALL, "TC422", "hours_policy_org_exists",
	          "INSERT INTO hours_policy (org_id, year) VALUES (999999, 2031)");
	/* Pinglu's and Luohu's rules are fine; one policy per unit and year. */
	(void)app_sql(
	        AS_ALL,
	        "INSERT INTO hours_policy (org_id, year, category_minima, platform_minima)"
	        " VALUES (%lld, 2031, '[{\"categories\": [\"public_law\"], \"units\": 1080000},"
	        " {\"categories\": [\"business\", \"skills\"], \"units\": 1080000}]',"
	        " '[{\"platform\": \"法治教育网\", \"units\": 2160000}]')",
	        a_id);
	app_fails(AS_ALL, "23505", "hours_policy_org_year_key",
	          "INSERT INTO hours_policy (org_id, year) VALUES (%lld, 2031)", a_id);

	/* exemptions */
	app_fails(AS_ALL, "23514", "hours_exemption_reduced_units_required",
	          "INSERT INTO hours_exemption (officer_id, year, kind, reason, approver)"
	          " VALUES (%lld, 2025, 'reduce', '病假', '张科长')",
	          officer);
	app_fails(AS_ALL, "23514", "hours_exemption_reduced_units_required",
	          "INSERT INTO hours_exemption (officer_id, year, kind, reduced_units, reason,"
	          " approver) VALUES (%lld, 2025, 'waive', 720000, '病假', '张科长')",
	          officer);
	app_fails(AS_ALL, "23514", "hours_exemption_kind_valid",
	          "INSERT INTO hours_exemption (officer_id, year, kind, reason, approver)"
	          " VALUES (%lld, 2025, 'pause', '病假', '张科长')",
	          officer);
	app_fails(AS_ALL, "23514", "hours_exemption_reason_length",
	          "INSERT INTO hours_exemption (officer_id, year, kind, reason, approver)"
	          " VALUES (%lld, 2025, 'waive', ' ', '张科长')",
	          officer);
	(void)app_sql(AS_ALL,
	              "INSERT INTO hours_exemption (officer_id, year, kind, reduced_units, reason,"
	              " approver) VALUES (%lld, 2025, 'reduce', 720000, '产假', '张科长')",
	              officer);
	assert_int_equal(count_off("SELECT count(*) FROM hours_exemption WHERE officer_id = %lld"
	                           " AND recorded_by = 'training-test' AND org_path = '%s'",
	                           officer, a_path),
	                 1);
	app_fails(AS_ALL, "23505", "hours_exemption_officer_year_key",
	          "INSERT INTO hours_exemption (officer_id, year, kind, reason, approver)"
	          " VALUES (%lld, 2025, 'waive', '病假', '张科长')",
	          officer);
}

/* ---- row-level security ---- */

/* Officers of A, A1 and B with records on sessions of the city, A and B; exemptions and
 * policies (year 2027) in each place. Made once, for the two tests that read it. */
static struct {
	int made;
	long long oa, oa1, ob, s_city, s_a, s_b, s_b2, p_city, p_a, p_b;
} rls;

static void rls_fixture(void)
{
	if (rls.made)
		return;
	rls.oa = new_officer(a_id);
	rls.oa1 = new_officer(a1_id);
	rls.ob = new_officer(b_id);
	rls.s_city = new_session(city_id, "public_law", "", "2025-08-01 09:00+08", 60, 0);
	rls.s_a = new_session(a_id, "business", "", "2025-08-02 09:00+08", 60, 0);
	rls.s_b = new_session(b_id, "skills", "", "2025-08-03 09:00+08", 60, 0);
	rls.s_b2 = new_session(b_id, "skills", "", "2025-08-04 09:00+08", 60, 0);
	(void)attend(rls.s_city, rls.oa);
	(void)attend(rls.s_a, rls.oa);
	(void)attend(rls.s_b, rls.oa); /* a county A officer on county B's session */
	(void)attend(rls.s_a, rls.oa1);
	(void)attend(rls.s_b, rls.ob);
	(void)attend(rls.s_b2, rls.ob);
	(void)app_sql(
	        AS_ALL,
	        "INSERT INTO hours_exemption (officer_id, year, kind, reason, approver)"
	        " VALUES (%lld, 2025, 'waive', '借调', '李主任'), (%lld, 2025, 'waive', '病假',"
	        " '李主任')",
	        rls.oa, rls.ob);
	rls.p_city = app_sql(
	        AS_ALL, "INSERT INTO hours_policy (org_id, year) VALUES (%lld, 2027) RETURNING id",
	        city_id);
	rls.p_a = app_sql(AS_ALL,
	                  "INSERT INTO hours_policy (org_id, year, required_units)"
	                  " VALUES (%lld, 2027, 1800000) RETURNING id",
	                  a_id);
	rls.p_b = app_sql(
	        AS_ALL, "INSERT INTO hours_policy (org_id, year) VALUES (%lld, 2027) RETURNING id",
	        b_id);
	rls.made = 1;
}

static void test_rls_scopes_records_totals_sessions_and_policies_by_unit(void **state)
{
	struct app_as as_a = AS_SCOPE(a_path);
	long long fresh;

	(void)state;
	rls_fixture();
	assert_int_equal(app_sql(as_a,
	                         "SELECT count(*) FROM attendance WHERE officer_id IN (%lld, %lld,"
	                         " %lld)",
	                         rls.oa, rls.oa1, rls.ob),
	                 4);
	assert_int_equal(
	        app_sql(as_a, "SELECT count(*) FROM attendance WHERE officer_id = %lld", rls.ob),
	        0);
	assert_true(app_sql(as_a, "SELECT count(*) FROM officer_year_total WHERE officer_id = %lld",
	                    rls.oa) > 0);
	assert_int_equal(app_sql(as_a,
	                         "SELECT count(*) FROM officer_year_total WHERE officer_id = %lld",
	                         rls.ob),
	                 0);
	assert_int_equal(app_sql(as_a,
	                         "SELECT count(*) FROM officer_year_status WHERE officer_id = %lld",
	                         rls.ob),
	                 0);
	assert_int_equal(app_sql(as_a,
	                         "SELECT count(*) FROM hours_exemption WHERE officer_id IN (%lld,"
	                         " %lld)",
	                         rls.oa, rls.ob),
	                 1);
	/* Sessions: the ancestor's, its own, and B's one its officer attended; not B's other. */
	assert_int_equal(
	        app_sql(as_a,
	                "SELECT count(*) FROM training_session WHERE id IN (%lld, %lld, %lld)",
	                rls.s_city, rls.s_a, rls.s_b),
	        3);
	assert_int_equal(
	        app_sql(as_a, "SELECT count(*) FROM training_session WHERE id = %lld", rls.s_b2),
	        0);
	/* Policies: its own and its ancestors'; hours_policy_for finds the nearest. */
	assert_int_equal(app_sql(as_a,
	                         "SELECT count(*) FROM hours_policy WHERE id IN (%lld, %lld, %lld)",
	                         rls.p_city, rls.p_a, rls.p_b),
	                 2);
	assert_int_equal(
	        app_sql(AS_SCOPE(a1_path), "SELECT (hours_policy_for('%s', 2027)).id", a1_path),
	        rls.p_a);
	assert_int_equal(
	        app_sql(AS_SCOPE(b_path), "SELECT (hours_policy_for('%s', 2027)).id", b_path),
	        rls.p_b);
	assert_int_equal(app_sql(AS_ALL, "SELECT (hours_policy_for('%s', 2027)).id", city_path),
	                 rls.p_city);
	assert_int_equal(app_sql(AS_ALL, "SELECT (hours_policy_for('%s', 2026)).id", a1_path), -1);

	/* Writes outside the scope: as if the row did not exist. */
	app_fails(as_a, "TC422", "attendance_officer_exists",
	          "INSERT INTO attendance (session_id, officer_id) VALUES (%lld, %lld)", rls.s_a,
	          rls.ob);
	app_fails(as_a, "TC422", "attendance_session_exists",
	          "INSERT INTO attendance (session_id, officer_id) VALUES (%lld, %lld)", rls.s_b2,
	          rls.oa);
	app_fails(as_a, "TC422", "training_session_org_exists",
	          SESSION_INSERT "('t', %lld, 'business', 'lecture', '', '2025-01-02 09:00+08',"
	                         " '2025-01-02 10:00+08', 60, NULL, NULL)",
	          b_id);
	app_fails(as_a, "TC422", "hours_exemption_officer_exists",
	          "INSERT INTO hours_exemption (officer_id, year, kind, reason, approver)"
	          " VALUES (%lld, 2026, 'waive', '病假', '张科长')",
	          rls.ob);
	/* Readable is not writable: B's session and the city's are read-only for county A. */
	assert_int_equal(app_sql(as_a,
	                         "UPDATE training_session SET title = 'x' WHERE id IN (%lld, %lld)",
	                         rls.s_b, rls.s_city),
	                 0);
	assert_int_equal(app_sql(as_a, "UPDATE hours_policy SET prorate = false WHERE id = %lld",
	                         rls.p_city),
	                 0);
	/* … but an ancestor's session is open to registration. */
	fresh = new_officer(a1_id);
	assert_true(app_sql(as_a,
	                    "INSERT INTO attendance (session_id, officer_id) VALUES (%lld, %lld)"
	                    " RETURNING id",
	                    rls.s_city, fresh) > 0);
	assert_consistent("rls");
}

static void test_officer_role_sees_only_its_own_records_and_writes_nothing(void **state)
{
	struct app_as me;
	long long session;

	(void)state;
	rls_fixture();
	me = (struct app_as){a_path, rls.oa};
	assert_int_equal(app_sql(me, "SELECT count(*) FROM attendance"), 3);
	assert_int_equal(
	        app_sql(me, "SELECT count(*) FROM attendance WHERE officer_id <> %lld", rls.oa), 0);
	assert_true(app_sql(me, "SELECT count(*) FROM officer_year_total") > 0);
	assert_int_equal(app_sql(me,
	                         "SELECT count(*) FROM officer_year_total WHERE officer_id <> %lld",
	                         rls.oa),
	                 0);
	assert_true(app_sql(me, "SELECT count(*) FROM officer_year_status") > 0);
	assert_int_equal(
	        app_sql(me, "SELECT count(*) FROM officer_year_status WHERE officer_id <> %lld",
	                rls.oa),
	        0);
	assert_int_equal(app_sql(me, "SELECT count(*) FROM hours_exemption"), 1);
	assert_int_equal(app_sql(me, "SELECT count(*) FROM officer WHERE id = %lld", rls.oa1), 0);
	/* Its card names every session it attended, B's included. */
	assert_int_equal(app_sql(me, "SELECT count(*) FROM attendance a JOIN training_session s"
	                             " ON s.id = a.session_id"),
	                 3);
	assert_int_equal(
	        app_sql(me, "SELECT count(*) FROM training_session WHERE id = %lld", rls.s_b2), 0);
	/* It writes nothing. */
	session = new_session(a_id, "business", "", "2025-08-09 09:00+08", 60, 0);
	app_fails(me, "42501", NULL,
	          "INSERT INTO attendance (session_id, officer_id) VALUES (%lld, %lld)", session,
	          rls.oa);
	app_fails(me, "42501", NULL,
	          "UPDATE attendance SET override_units = 864000, override_reason = '自己改'"
	          " WHERE officer_id = %lld",
	          rls.oa);
	app_fails(me, "42501", NULL, "UPDATE officer_year_status SET stale = false");
}

static void test_a_session_edit_moves_the_hours_of_attendees_outside_the_editors_scope(void **state)
{
	long long outsider = new_officer(b_id), insider = new_officer(a_id), session;
	char scope[64];

	(void)state;
	session = new_session(a_id, "public_law", "", "2025-09-01 09:00+08", 60, 0);
	(void)attend(session, outsider); /* registered by someone who sees both */
	(void)attend(session, insider);
	/* County A edits its session: it cannot see the county B officer, whose totals move all
	 * the same. */
	assert_int_equal(app_sql(AS_SCOPE(a_path),
	                         "SELECT count(*) FROM attendance WHERE session_id = %lld",
	                         session),
	                 1);
	app_begin(AS_SCOPE(a_path));
	sql_okf("UPDATE training_session SET category = 'skills', declared_units = 72000"
	        " WHERE id = %lld",
	        session);
	/* The triggers widened the scope for their own statements and handed it back. */
	test_db_text(
	        db,
	        "SELECT current_setting('tcard.scope') || '|' || current_setting('tcard.officer')",
	        NULL, scope, sizeof(scope));
	sql_ok("COMMIT");
	assert_true(strncmp(scope, a_path, strlen(a_path)) == 0 &&
	            strcmp(scope + strlen(a_path), "|") == 0);
	assert_total(outsider, 2025, "public_law", "", "none");
	assert_total(outsider, 2025, "skills", "", "72000/0");
	assert_total(insider, 2025, "skills", "", "72000/0");
	assert_consistent("cross-scope edit");
}

/* ---- stale marking ---- */

static void test_every_change_that_affects_an_evaluation_marks_the_officer_year_stale(void **state)
{
	long long officer = new_officer(a1_id), session, other, record, generation, exemption;
	long long pa, pa1, pb, pnew, policy;
	int this_year = (int)count_of("SELECT training_year_of(now())");

	(void)state;
	session = new_session(a_id, "public_law", "", "2025-10-01 09:00+08", 60, 0);
	other = new_session(a_id, "business", "", "2025-10-02 09:00+08", 60, 0);
	evaluate_all();
	/* A new officer in post has this year's row. */
	assert_int_equal(stale_of(officer, this_year), 0);
	assert_int_equal(stale_of(officer, 2025), -1);

	record = attend(session, officer);
	assert_int_equal(stale_of(officer, 2025), 1);
	evaluate_all();
	/* Only the source changed: the totals did not, the evaluation stands. */
	(void)app_sql(AS_ALL, "UPDATE attendance SET source_file = '2025.xlsx' WHERE id = %lld",
	              record);
	assert_int_equal(stale_of(officer, 2025), 0);
	(void)app_sql(AS_ALL,
	              "UPDATE attendance SET override_units = 18000, override_reason = '早退'"
	              " WHERE id = %lld",
	              record);
	assert_int_equal(stale_of(officer, 2025), 1);
	evaluate_all();
	(void)app_sql(
	        AS_ALL,
	        "UPDATE attendance SET revoked_at = now(), revoked_reason = '未到' WHERE id = %lld",
	        record);
	assert_int_equal(stale_of(officer, 2025), 1);
	evaluate_all();
	(void)app_sql(
	        AS_ALL,
	        "UPDATE attendance SET revoked_at = NULL, revoked_reason = NULL WHERE id = %lld",
	        record);
	assert_int_equal(stale_of(officer, 2025), 1);
	evaluate_all();
	(void)app_sql(AS_ALL, "UPDATE training_session SET title = '改名' WHERE id = %lld",
	              session);
	assert_int_equal(stale_of(officer, 2025), 0);
	(void)app_sql(AS_ALL, "UPDATE training_session SET category = 'skills' WHERE id = %lld",
	              session);
	assert_int_equal(stale_of(officer, 2025), 1);
	evaluate_all();

	/* The evaluator's guard: a result computed from generation g is not written once a
	 * change marked the row again. */
	generation = generation_of(officer, 2025);
	(void)attend(other, officer);
	assert_int_equal(generation_of(officer, 2025), generation + 1);
	assert_int_equal(
	        app_sql(AS_ALL,
	                "UPDATE officer_year_status SET counted_units = 0, required_units ="
	                " 0, status = 'met', shortfalls = '[]', evaluated_at = now(), stale"
	                " = false WHERE officer_id = %lld AND year = 2025 AND generation ="
	                " %lld",
	                officer, generation),
	        0);
	assert_int_equal(stale_of(officer, 2025), 1);
	evaluate_all();

	/* Exemptions: recorded, changed, withdrawn; a reworded reason changes nothing. */
	exemption = app_sql(AS_ALL,
	                    "INSERT INTO hours_exemption (officer_id, year, kind, reason, approver)"
	                    " VALUES (%lld, 2025, 'waive', '病假', '张科长') RETURNING id",
	                    officer);
	assert_int_equal(stale_of(officer, 2025), 1);
	evaluate_all();
	(void)app_sql(AS_ALL, "UPDATE hours_exemption SET reason = '长期病假' WHERE id = %lld",
	              exemption);
	assert_int_equal(stale_of(officer, 2025), 0);
	(void)app_sql(AS_ALL,
	              "UPDATE hours_exemption SET kind = 'reduce', reduced_units = 1080000"
	              " WHERE id = %lld",
	              exemption);
	assert_int_equal(stale_of(officer, 2025), 1);
	evaluate_all();
	(void)app_sql(AS_ALL,
	              "UPDATE hours_exemption SET revoked_at = now(), revoked_reason = '提前返岗'"
	              " WHERE id = %lld",
	              exemption);
	assert_int_equal(stale_of(officer, 2025), 1);
	evaluate_all();

	/* The officer: hire date, status, unit. Every year it has a row for goes stale. */
	(void)app_sql(AS_ALL, "UPDATE officer SET hire_date = '2016-01-01' WHERE id = %lld",
	              officer);
	assert_int_equal(stale_of(officer, 2025), 1);
	assert_int_equal(stale_of(officer, this_year), 1);
	evaluate_all();
	(void)app_sql(AS_ALL, "UPDATE officer SET post = '内勤' WHERE id = %lld", officer);
	assert_int_equal(stale_of(officer, 2025), 0);
	(void)app_sql(AS_ALL, "UPDATE officer SET org_id = %lld WHERE id = %lld", b_id, officer);
	assert_int_equal(stale_of(officer, 2025), 1);
	assert_int_equal(stale_of(officer, this_year), 1);
	assert_int_equal(count_off("SELECT count(*) FROM attendance WHERE officer_id = %lld"
	                           " AND org_path = '%s'",
	                           officer, b_path),
	                 2);
	assert_int_equal(
	        count_off("SELECT count(*) FROM officer_year_status WHERE officer_id = %lld"
	                  " AND org_path <> '%s'",
	                  officer, b_path),
	        0);
	assert_int_equal(count_off("SELECT count(*) FROM hours_exemption WHERE id = %lld"
	                           " AND org_path = '%s'",
	                           exemption, b_path),
	                 1);
	evaluate_all();
	(void)app_sql(AS_ALL,
	              "UPDATE officer SET status = 'retired', status_date = '2025-11-30'"
	              " WHERE id = %lld",
	              officer);
	assert_int_equal(stale_of(officer, 2025), 1);
	evaluate_all();

	/* A policy marks its subtree for its year, in post or with a row, nobody else. */
	pa = new_officer(a_id);
	pa1 = new_officer(a1_id);
	pb = new_officer(b_id);
	pnew = new_officer(a1_id);
	(void)attend(session, pa);
	(void)attend(session, pa1);
	(void)attend(session, pb);
	evaluate_all();
	assert_int_equal(stale_of(pnew, 2025), -1);
	policy = app_sql(AS_SCOPE(a_path),
	                 "INSERT INTO hours_policy (org_id, year, minutes_per_hour)"
	                 " VALUES (%lld, 2025, 40) RETURNING id",
	                 a_id);
	assert_int_equal(stale_of(pa, 2025), 1);
	assert_int_equal(stale_of(pa1, 2025), 1);
	assert_int_equal(stale_of(pnew, 2025), 1); /* in post, no row before: inserted */
	assert_int_equal(stale_of(pb, 2025), 0);
	assert_int_equal(stale_of(pa, this_year), 0);
	assert_int_equal(count_off("SELECT count(*) FROM officer_year_status x JOIN officer o"
	                           " ON o.id = x.officer_id WHERE x.year = 2025 AND x.stale"
	                           " AND NOT o.org_path <@ '%s'",
	                           a_path),
	                 0);
	evaluate_all();
	(void)app_sql(AS_ALL, "UPDATE hours_policy SET version = version + 1 WHERE id = %lld",
	              policy);
	assert_int_equal(stale_of(pa1, 2025), 0);
	(void)app_sql(AS_ALL,
	              "UPDATE hours_policy SET platform_minima ="
	              " '[{\"platform\": \"法治教育网\", \"units\": 360000}]' WHERE id = %lld",
	              policy);
	assert_int_equal(stale_of(pa1, 2025), 1);
	assert_int_equal(stale_of(pb, 2025), 0);
	evaluate_all();
	(void)app_sql(AS_ALL, "INSERT INTO hours_policy (org_id, year) VALUES (%lld, 2025)",
	              city_id);
	assert_int_equal(stale_of(pa, 2025), 1);
	assert_int_equal(stale_of(pb, 2025), 1);
	assert_consistent("stale marking");
}

static void test_an_org_move_carries_sessions_policies_and_records_in_one_audit_entry(void **state)
{
	const char *headers[] = {"If-Match: *", NULL};
	long long moved = test_create_org(&proc, "train-moved", "迁移县", "county", city_id);
	long long officer = new_officer(moved), session, before;
	char path[64], body[64], new_path[32];
	struct http_result r;

	(void)state;
	session = new_session(moved, "business", "", "2025-11-03 09:00+08", 60, 0);
	(void)attend(session, officer);
	(void)app_sql(AS_ALL, "INSERT INTO hours_policy (org_id, year) VALUES (%lld, 2028)", moved);
	(void)app_sql(AS_ALL,
	              "INSERT INTO hours_exemption (officer_id, year, kind, reason, approver)"
	              " VALUES (%lld, 2028, 'waive', '借调', '王处长')",
	              officer);
	evaluate_all();
	before = count_of("SELECT seq FROM audit_head");
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld", moved);
	(void)snprintf(body, sizeof(body), "{\"parent_id\":%lld}", b_id);
	http_call(&proc, &r, "PATCH", path, headers, body);
	if (r.status != 200)
		fail_msg("PATCH %s: %ld %s", path, r.status, r.body != NULL ? r.body : "");
	http_result_clear(&r);
	org_path_of(moved, new_path, sizeof(new_path));
	assert_int_equal(count_off("SELECT count(*) FROM training_session WHERE id = %lld"
	                           " AND org_path = '%s'",
	                           session, new_path),
	                 1);
	assert_int_equal(count_off("SELECT count(*) FROM hours_policy WHERE org_id = %lld"
	                           " AND org_path = '%s'",
	                           moved, new_path),
	                 1);
	assert_int_equal(count_off("SELECT count(*) FROM attendance WHERE officer_id = %lld"
	                           " AND org_path = '%s'",
	                           officer, new_path),
	                 1);
	assert_int_equal(count_off("SELECT count(*) FROM hours_exemption WHERE officer_id = %lld"
	                           " AND org_path = '%s'",
	                           officer, new_path),
	                 1);
	assert_int_equal(stale_of(officer, 2025), 1);
	assert_int_equal(stale_of(officer, 2028), 1);
	/* The org's entry only: the copies are derived, not changes. */
	assert_int_equal(count_of("SELECT seq FROM audit_head"), before + 1);
	assert_consistent("org move");
}

static void test_training_writes_are_audited_and_their_cascades_are_not(void **state)
{
	long long one = new_officer(a_id), two = new_officer(a1_id), session, record, before;

	(void)state;
	before = count_of("SELECT seq FROM audit_head");
	session = new_session(a_id, "business", "", "2025-11-10 09:00+08", 60, 0);
	assert_int_equal(
	        count_off("SELECT count(*) FROM audit_log WHERE seq > %lld AND action ="
	                  " 'training_session.create' AND target_id = '%lld' AND org_path ="
	                  " '%s' AND actor = 'training-test' AND NOT after ? 'org_path'"
	                  " AND NOT after ? 'year'",
	                  before, session, a_path),
	        1);
	record = attend(session, one);
	(void)attend(session, two);
	assert_int_equal(count_off("SELECT count(*) FROM audit_log WHERE seq > %lld AND action ="
	                           " 'attendance.create' AND target_id = '%lld' AND org_path = '%s'"
	                           " AND NOT after ?| ARRAY['credited_units', 'credited_minutes',"
	                           " 'category', 'org_path']",
	                           before, record, a_path),
	                 1);
	before = count_of("SELECT seq FROM audit_head");
	(void)app_sql(AS_ALL, "UPDATE training_session SET declared_units = 36000 WHERE id = %lld",
	              session);
	/* One entry for the session; its two records' credit changed without one each. */
	assert_int_equal(count_of("SELECT seq FROM audit_head"), before + 1);
	assert_int_equal(count_off("SELECT count(*) FROM audit_log WHERE seq > %lld AND action ="
	                           " 'training_session.update' AND after = '{\"declared_units\":"
	                           " 36000}'",
	                           before),
	                 1);
}

/* ---- anomalies, helpers, repair ---- */

static void test_anomalies_list_overlaps_long_days_and_training_outside_the_post(void **state)
{
	long long officer = new_officer(a_id), first, second, early, late, on_leaving;

	(void)state;
	/* Two sessions that overlap in time. */
	first = attend(new_session(a_id, "business", "", "2025-07-01 09:00+08", 120, 0), officer);
	second = attend(new_session(a_id, "skills", "", "2025-07-01 10:00+08", 60, 0), officer);
	assert_int_equal(count_off("SELECT count(*) FROM training_anomaly WHERE officer_id = %lld"
	                           " AND kind = 'overlap' AND attendance_id = %lld AND"
	                           " other_attendance_id = %lld AND day = '2025-07-01'",
	                           officer, first, second),
	                 1);
	/* 20 h and 8 h credited on one day, back to back. */
	(void)attend(new_session(a_id, "business", "", "2025-07-02 08:00+08", 60, 20 * HOUR),
	             officer);
	(void)attend(new_session(a_id, "business", "", "2025-07-02 09:00+08", 60, 8 * HOUR),
	             officer);
	assert_int_equal(count_off("SELECT credited_units FROM training_anomaly WHERE officer_id ="
	                           " %lld AND kind = 'day_over_24h' AND day = '2025-07-02'",
	                           officer),
	                 28 * HOUR);
	assert_int_equal(count_off("SELECT count(*) FROM training_anomaly WHERE officer_id = %lld"
	                           " AND kind = 'overlap' AND day = '2025-07-02'",
	                           officer),
	                 0);
	/* Hired 2015-03-01; resigned 2025-08-31. */
	early = attend(new_session(a_id, "business", "", "2014-06-01 09:00+08", 60, 0), officer);
	(void)app_sql(AS_ALL,
	              "UPDATE officer SET status = 'resigned', status_date = '2025-08-31'"
	              " WHERE id = %lld",
	              officer);
	on_leaving =
	        attend(new_session(a_id, "business", "", "2025-08-31 09:00+08", 60, 0), officer);
	late = attend(new_session(a_id, "business", "", "2025-09-10 09:00+08", 60, 0), officer);
	assert_int_equal(count_off("SELECT count(*) FROM training_anomaly WHERE officer_id = %lld"
	                           " AND kind = 'before_hire' AND attendance_id = %lld",
	                           officer, early),
	                 1);
	assert_int_equal(count_off("SELECT count(*) FROM training_anomaly WHERE officer_id = %lld"
	                           " AND kind = 'after_leaving' AND attendance_id = %lld",
	                           officer, late),
	                 1);
	assert_int_equal(
	        count_off("SELECT count(*) FROM training_anomaly WHERE attendance_id = %lld",
	                  on_leaving),
	        0);
	/* A revoked record is no anomaly; auditors see them in their scope only. */
	(void)app_sql(AS_ALL,
	              "UPDATE attendance SET revoked_at = now(), revoked_reason = '重复' WHERE id ="
	              " %lld",
	              second);
	assert_int_equal(count_off("SELECT count(*) FROM training_anomaly WHERE officer_id = %lld"
	                           " AND kind = 'overlap'",
	                           officer),
	                 0);
	assert_int_equal(app_sql(AS_SCOPE(a_path),
	                         "SELECT count(*) FROM training_anomaly WHERE officer_id = %lld",
	                         officer),
	                 3);
	assert_int_equal(app_sql(AS_SCOPE(b_path),
	                         "SELECT count(*) FROM training_anomaly WHERE officer_id = %lld",
	                         officer),
	                 0);
}

static void test_status_ensure_adds_a_row_for_every_officer_in_post_that_year(void **state)
{
	long long left = new_officer(b_id), in_b, added;

	(void)state;
	(void)app_sql(AS_ALL,
	              "UPDATE officer SET status = 'transferred', status_date = '2019-06-30'"
	              " WHERE id = %lld",
	              left);
	in_b = count_off("SELECT count(*) FROM officer WHERE org_path <@ '%s'"
	                 " AND (hire_date IS NULL OR hire_date <= '2020-12-31')"
	                 " AND (status = 'active' OR status_date >= '2020-01-01')",
	                 b_path);
	added = app_sql(AS_SCOPE(b_path), "SELECT officer_year_status_ensure(2020)");
	assert_int_equal(added, in_b);
	assert_int_equal(count_off("SELECT count(*) FROM officer_year_status WHERE year = 2020"
	                           " AND stale AND org_path <@ '%s'",
	                           b_path),
	                 in_b);
	assert_int_equal(stale_of(left, 2020), -1);
	/* Nothing outside the caller's scope, nothing twice. */
	assert_int_equal(count_off("SELECT count(*) FROM officer_year_status WHERE year = 2020"
	                           " AND NOT org_path <@ '%s'",
	                           b_path),
	                 0);
	assert_int_equal(app_sql(AS_SCOPE(b_path), "SELECT officer_year_status_ensure(2020)"), 0);
}

static void test_repair_restores_totals_and_copies_after_triggers_were_off(void **state)
{
	long long officer = new_officer(b_id), session, record, repaired;

	(void)state;
	session = new_session(b_id, "business", "法治教育网", "2025-12-01 09:00+08", 60, 2 * HOUR);
	record = attend(session, officer);
	(void)attend(new_session(b_id, "skills", "", "2025-12-02 09:00+08", 50, 0), officer);
	/* A superuser with triggers off: totals and a copy drift. */
	sql_okf("BEGIN; SET LOCAL session_replication_role = replica;"
	        " UPDATE officer_year_total SET units = units + 360 WHERE officer_id = %lld"
	        "  AND category = 'business';"
	        " DELETE FROM officer_year_total WHERE officer_id = %lld AND category = 'skills';"
	        " UPDATE attendance SET credited_units = 1, category = 'other' WHERE id = %lld;"
	        " COMMIT",
	        officer, officer, record);
	assert_true(count_of("SELECT count(*) FROM officer_year_total_drift") > 0);
	evaluate_all();
	sql_ok("SET ROLE tcard_owner");
	repaired = count_of("SELECT officer_year_total_repair()");
	sql_ok("RESET ROLE");
	assert_true(repaired >= 3);
	assert_total(officer, 2025, "business", "法治教育网", "72000/0");
	assert_total(officer, 2025, "skills", "", "0/50");
	assert_int_equal(stale_of(officer, 2025), 1);
	assert_consistent("repair");
	sql_ok("SET ROLE tcard_owner");
	assert_int_equal(count_of("SELECT officer_year_total_repair()"), 0);
	sql_ok("RESET ROLE");
}

/* officer_year_rotation_repair() is schema 015's backfill too: it sets every rotation
 * count to the raw records' recount, inserting a missing status row. */
static void test_rotation_repair_recounts_from_raw_records_after_triggers_were_off(void **state)
{
	long long officer = new_officer(b_id), other = new_officer(b_id), session;

	(void)state;
	session = new_session(b_id, "political", "", "2025-11-03 09:00+08", 60, 0);
	(void)app_sql(AS_ALL, "UPDATE training_session SET form = 'rotation' WHERE id = %lld",
	              session);
	(void)attend(session, officer);
	(void)attend(session, other);
	assert_int_equal(count_off("SELECT rotation_records FROM officer_year_status"
	                           " WHERE officer_id = %lld AND year = 2025",
	                           officer),
	                 1);
	sql_okf("BEGIN; SET LOCAL session_replication_role = replica;"
	        " UPDATE officer_year_status SET rotation_records = 3 WHERE officer_id = %lld"
	        "  AND year = 2025;"
	        " DELETE FROM officer_year_status WHERE officer_id = %lld AND year = 2025; COMMIT",
	        officer, other);
	assert_int_equal(count_of("SELECT count(*) FROM officer_year_rotation_drift"), 2);
	sql_ok("SET ROLE tcard_owner");
	assert_int_equal(count_of("SELECT officer_year_rotation_repair()"), 2);
	sql_ok("RESET ROLE");
	assert_consistent("rotation repair");
	assert_int_equal(stale_of(other, 2025), 1);
	sql_ok("SET ROLE tcard_owner");
	assert_int_equal(count_of("SELECT officer_year_rotation_repair()"), 0);
	sql_ok("RESET ROLE");
}

static void test_a_closed_year_refuses_changes_through_the_issue_5_hook(void **state)
{
	long long officer = new_officer(a_id), session, record;
	PGresult *res;

	(void)state;
	session = new_session(a_id, "business", "", "2019-05-06 09:00+08", 60, 0);
	record = attend(session, officer);
	/* Issue 5 will replace training_year_closed(); here, inside a transaction undone at the
	 * end, 2019 is closed everywhere. */
	sql_ok("BEGIN");
	sql_ok("CREATE OR REPLACE FUNCTION training_year_closed(org_path ltree, year integer)"
	       " RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT year = 2019 $$");
	sql_ok("SET LOCAL ROLE tcard_app");
	sql_ok("SELECT set_config('tcard.scope', 'all', true)");
	sql_ok("SAVEPOINT s");
	res = PQexec(db,
	             "UPDATE attendance SET revoked_at = now(), revoked_reason = 'x' WHERE id = "
	             "(SELECT max(id) FROM attendance WHERE year = 2019)");
	assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), "TC409");
	assert_string_equal(PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME),
	                    "training_year_closed");
	PQclear(res);
	sql_ok("ROLLBACK TO SAVEPOINT s");
	res = PQexec(db, "UPDATE training_session SET starts_at = '2020-05-06 09:00+08', ends_at ="
	                 " '2020-05-06 10:00+08' WHERE year = 2019");
	assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), "TC409");
	PQclear(res);
	sql_ok("ROLLBACK TO SAVEPOINT s");
	/* A change that credits nothing differently is no change to the year. */
	sql_ok("UPDATE training_session SET title = '2019年培训' WHERE year = 2019");
	sql_ok("ROLLBACK");
	assert_int_equal(count_off("SELECT count(*) FROM attendance WHERE id = %lld"
	                           " AND revoked_at IS NULL",
	                           record),
	                 1);
	assert_int_equal(count_of("SELECT training_year_closed('1', 2019)::integer"), 0);
}

/* ---- the property ---- */

#define RANDOM_OFFICERS   8
#define RANDOM_SESSIONS   10
#define RANDOM_OPERATIONS 400

/* The pick-th record of the run's officers (by id). */
#define PICKED \
	"(SELECT id FROM attendance WHERE officer_id = ANY ('%s') ORDER BY id OFFSET %u LIMIT 1)"

/* xorshift64*: the same sequence on every run. */
static unsigned random_below(unsigned long long *state, unsigned n)
{
	unsigned long long x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (unsigned)((x * 2685821657736338717ULL) >> 33) % n;
}

static void test_randomized_operations_keep_totals_equal_to_the_recomputation(void **state)
{
	static const char *const categories[] = {"public_law", "business", "skills", "political",
	                                         "other"};
	static const char *const platforms[] = {"", "法治教育网", "学习强国"};
	/* Starts around two New Years in China (the year of a record is China's). */
	static const char *const starts[] = {"2024-06-01 09:00+08", "2024-12-31 22:00+08",
	                                     "2025-01-01 07:00+08", "2025-03-15 09:00+08",
	                                     "2025-12-31 23:30+08", "2026-01-01 00:30+08"};
	long long orgs[4], officers[RANDOM_OFFICERS], sessions[RANDOM_SESSIONS];
	const char *org_paths[4];
	unsigned session_org[RANDOM_SESSIONS];
	unsigned long long seed = 20250401ULL;
	char officer_set[256], when[64];
	size_t used = 0;
	long long records;
	int i, op;

	(void)state;
	orgs[0] = city_id;
	orgs[1] = a_id;
	orgs[2] = a1_id;
	orgs[3] = b_id;
	org_paths[0] = city_path;
	org_paths[1] = a_path;
	org_paths[2] = a1_path;
	org_paths[3] = b_path;
	used += (size_t)snprintf(officer_set, sizeof(officer_set), "{");
	for (i = 0; i < RANDOM_OFFICERS; i++) {
		officers[i] = new_officer(orgs[i % 4]);
		used += (size_t)snprintf(officer_set + used, sizeof(officer_set) - used, "%s%lld",
		                         i > 0 ? "," : "", officers[i]);
		assert_true(used < sizeof(officer_set));
	}
	(void)snprintf(officer_set + used, sizeof(officer_set) - used, "}");
	for (i = 0; i < RANDOM_SESSIONS; i++) {
		unsigned org = random_below(&seed, 4);

		session_org[i] = org;
		sessions[i] = new_session(
		        orgs[org], categories[random_below(&seed, 5)],
		        platforms[random_below(&seed, 3)], starts[random_below(&seed, 6)],
		        1 + (int)random_below(&seed, 600),
		        random_below(&seed, 3) == 0 ? (1 + random_below(&seed, 2400)) * 360LL : 0);
		/* A third are rotation rounds (schema 015's count). */
		if (i % 3 == 0)
			(void)app_sql(
			        AS_ALL,
			        "UPDATE training_session SET form = 'rotation' WHERE id = %lld",
			        sessions[i]);
	}

	for (op = 0; op < RANDOM_OPERATIONS; op++) {
		unsigned kind = random_below(&seed, 20), pick;
		long long session = sessions[random_below(&seed, RANDOM_SESSIONS)];
		long long officer = officers[random_below(&seed, RANDOM_OFFICERS)];
		unsigned s = random_below(&seed, RANDOM_SESSIONS);

		records = count_off("SELECT count(*) FROM attendance WHERE officer_id = ANY ('%s')",
		                    officer_set);
		pick = records > 0 ? random_below(&seed, (unsigned)records) : 0;
		if (records == 0 && kind >= 4 && kind <= 7)
			kind = 0;
		switch (kind) {
		case 0:
		case 1:
		case 2:
			(void)app_sql(AS_ALL,
			              "INSERT INTO attendance (session_id, officer_id) VALUES "
			              "(%lld, %lld)"
			              " ON CONFLICT (session_id, officer_id) DO NOTHING",
			              session, officer);
			break;
		case 3: /* an import: every officer at once */
			(void)app_sql(
			        AS_ALL,
			        "INSERT INTO attendance (session_id, officer_id, source_platform,"
			        " source_file) SELECT %lld, unnest('%s'::bigint[]), '学习强国',"
			        " 'import.xlsx' ON CONFLICT (session_id, officer_id) DO NOTHING",
			        session, officer_set);
			break;
		case 4:
			(void)app_sql(AS_ALL,
			              "UPDATE attendance SET override_units = %u, override_reason "
			              "= '早退'"
			              " WHERE id = " PICKED,
			              (1 + random_below(&seed, 2400)) * 360, officer_set, pick);
			break;
		case 5:
			(void)app_sql(AS_ALL,
			              "UPDATE attendance SET override_units = NULL, "
			              "override_reason = NULL"
			              " WHERE id = " PICKED,
			              officer_set, pick);
			break;
		case 6:
			(void)app_sql(
			        AS_ALL,
			        "UPDATE attendance SET revoked_at = now(), revoked_reason = '撤销'"
			        " WHERE id = " PICKED,
			        officer_set, pick);
			break;
		case 7:
			(void)app_sql(
			        AS_ALL,
			        "UPDATE attendance SET revoked_at = NULL, revoked_reason = NULL"
			        " WHERE id = " PICKED,
			        officer_set, pick);
			break;
		case 8: /* revoke the restored and restore the revoked of a whole session */
			(void)app_sql(
			        AS_ALL,
			        "UPDATE attendance SET revoked_at = CASE WHEN revoked_at IS NULL"
			        " THEN now() END, revoked_reason = CASE WHEN revoked_at IS NULL "
			        "THEN"
			        " '整场撤销' END WHERE session_id = %lld",
			        session);
			break;
		case 9: /* edits by the organiser, who may not see every attendee */
			(void)app_sql(AS_SCOPE(org_paths[session_org[s]]),
			              "UPDATE training_session SET category = '%s' WHERE id = %lld",
			              categories[random_below(&seed, 5)], sessions[s]);
			break;
		case 10:
			(void)app_sql(AS_SCOPE(org_paths[session_org[s]]),
			              "UPDATE training_session SET platform = '%s' WHERE id = %lld",
			              platforms[random_below(&seed, 3)], sessions[s]);
			break;
		case 11:
			if (random_below(&seed, 2) == 0)
				(void)app_sql(AS_SCOPE(org_paths[session_org[s]]),
				              "UPDATE training_session SET declared_units = NULL "
				              "WHERE id ="
				              " %lld",
				              sessions[s]);
			else
				(void)app_sql(
				        AS_SCOPE(org_paths[session_org[s]]),
				        "UPDATE training_session SET declared_units = %u WHERE id ="
				        " %lld",
				        (1 + random_below(&seed, 2400)) * 360, sessions[s]);
			break;
		case 12: {
			const char *start = starts[random_below(&seed, 6)];
			int minutes = 1 + (int)random_below(&seed, 600);

			(void)app_sql(AS_SCOPE(org_paths[session_org[s]]),
			              "UPDATE training_session SET starts_at = '%s', ends_at = "
			              "timestamptz"
			              " '%s' + make_interval(mins => %d), duration_minutes = %d "
			              "WHERE id ="
			              " %lld",
			              start, start, minutes, minutes, sessions[s]);
			break;
		}
		case 13: /* several sessions in one statement */
			(void)app_sql(
			        AS_ALL,
			        "UPDATE training_session SET category = '%s', declared_units = CASE"
			        " WHEN declared_units IS NULL THEN 7200 END WHERE id IN (%lld, "
			        "%lld,"
			        " %lld)",
			        categories[random_below(&seed, 5)], sessions[s], session,
			        sessions[(s + 3) % RANDOM_SESSIONS]);
			break;
		case 14: /* an officer moves */
			(void)app_sql(AS_ALL, "UPDATE officer SET org_id = %lld WHERE id = %lld",
			              orgs[random_below(&seed, 4)], officer);
			break;
		case 15: /* work that is rolled back leaves nothing */
			app_begin(AS_ALL);
			sql_okf("INSERT INTO attendance (session_id, officer_id) VALUES (%lld, "
			        "%lld)"
			        " ON CONFLICT (session_id, officer_id) DO NOTHING",
			        session, officer);
			sql_okf("UPDATE attendance SET revoked_at = now(), revoked_reason = '回滚'"
			        " WHERE session_id = %lld",
			        session);
			sql_okf("UPDATE training_session SET category = 'other' WHERE id = %lld",
			        session);
			sql_ok("ROLLBACK");
			break;
		case 16: /* a session becomes a rotation round or stops being one */
			(void)app_sql(
			        AS_SCOPE(org_paths[session_org[s]]),
			        "UPDATE training_session SET form = CASE WHEN form = 'rotation'"
			        " THEN 'lecture' ELSE 'rotation' END WHERE id = %lld",
			        sessions[s]);
			break;
		case 17: { /* form and year of several sessions in one statement */
			const char *start = starts[random_below(&seed, 6)];

			(void)app_sql(
			        AS_ALL,
			        "UPDATE training_session SET form = CASE WHEN form = 'rotation'"
			        " THEN 'seminar' ELSE 'rotation' END, starts_at = '%s',"
			        " ends_at = timestamptz '%s' + make_interval(mins =>"
			        " duration_minutes) WHERE id IN (%lld, %lld)",
			        start, start, sessions[s], session);
			break;
		}
		case 18: /* a bulk import (schema 012): derived columns computed set-wise */
			app_begin(AS_ALL);
			sql_ok("SELECT set_config('tcard.bulk', 'import', true)");
			sql_okf("INSERT INTO attendance (session_id, officer_id, org_path, year,"
			        " category, platform, credited_units, credited_minutes, "
			        "source_platform,"
			        " source_record_id)"
			        " SELECT s.id, o.id, o.org_path, s.year, s.category, s.platform,"
			        " coalesce(s.declared_units, 0), CASE WHEN s.declared_units IS NULL"
			        " THEN s.duration_minutes ELSE 0 END, '学习强国', 'R' || s.id || "
			        "'-' || o.id"
			        " FROM training_session s, officer o WHERE s.id IN (%lld, %lld)"
			        " AND o.id = ANY ('%s') ON CONFLICT DO NOTHING",
			        session, sessions[s], officer_set);
			sql_ok("COMMIT");
			break;
		default: /* several statements in one transaction */
			app_begin(AS_ALL);
			sql_okf("INSERT INTO attendance (session_id, officer_id) VALUES (%lld, "
			        "%lld)"
			        " ON CONFLICT (session_id, officer_id) DO NOTHING",
			        session, officer);
			sql_okf("UPDATE attendance SET override_units = 3600, override_reason = "
			        "'部分'"
			        " WHERE session_id = %lld AND officer_id = %lld",
			        session, officer);
			sql_okf("UPDATE training_session SET duration_minutes = 1, ends_at = "
			        "starts_at +"
			        " interval '1 minute' WHERE id = %lld",
			        sessions[s]);
			sql_ok("COMMIT");
			break;
		}
		(void)snprintf(when, sizeof(when), "operation %d (kind %u)", op, kind);
		assert_consistent(when);
	}
	/* The run reached what it meant to. */
	assert_true(count_off("SELECT count(*) FROM attendance WHERE officer_id = ANY ('%s')"
	                      " AND revoked_at IS NOT NULL",
	                      officer_set) > 0);
	assert_true(count_off("SELECT count(*) FROM attendance WHERE officer_id = ANY ('%s')"
	                      " AND override_units IS NOT NULL AND revoked_at IS NULL",
	                      officer_set) > 0);
	assert_true(count_off("SELECT count(DISTINCT year) FROM officer_year_total"
	                      " WHERE officer_id = ANY ('%s')",
	                      officer_set) >= 2);
	assert_true(count_off("SELECT count(DISTINCT year) FROM officer_year_status"
	                      " WHERE officer_id = ANY ('%s') AND rotation_records > 0",
	                      officer_set) >= 2);
	print_message(
	        "%d operations: %lld records, %lld total rows\n", RANDOM_OPERATIONS,
	        count_off("SELECT count(*) FROM attendance WHERE officer_id = ANY ('%s')",
	                  officer_set),
	        count_off("SELECT count(*) FROM officer_year_total WHERE officer_id = ANY ('%s')",
	                  officer_set));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_training_tables_force_rls_and_the_app_role_owns_nothing),
	        cmocka_unit_test(
	                test_app_role_writes_no_derived_column_no_total_and_deletes_nothing),
	        cmocka_unit_test(
	                test_untimed_2699_and_2700_minutes_stay_minutes_and_2700_meet_60_hours),
	        cmocka_unit_test(test_declared_hours_win_over_minutes_and_an_override_over_both),
	        cmocka_unit_test(test_bulk_inserts_are_verified_against_their_officer_and_session),
	        cmocka_unit_test(test_the_planner_estimates_row_level_security_from_statistics),
	        cmocka_unit_test(test_revoke_removes_the_hours_and_unrevoke_restores_them),
	        cmocka_unit_test(
	                test_session_edits_move_hours_between_categories_platforms_and_years),
	        cmocka_unit_test(test_same_officer_twice_on_a_session_is_one_record),
	        cmocka_unit_test(test_checks_refuse_bad_input_with_their_named_constraint),
	        cmocka_unit_test(test_rls_scopes_records_totals_sessions_and_policies_by_unit),
	        cmocka_unit_test(test_officer_role_sees_only_its_own_records_and_writes_nothing),
	        cmocka_unit_test(
	                test_a_session_edit_moves_the_hours_of_attendees_outside_the_editors_scope),
	        cmocka_unit_test(
	                test_every_change_that_affects_an_evaluation_marks_the_officer_year_stale),
	        cmocka_unit_test(
	                test_an_org_move_carries_sessions_policies_and_records_in_one_audit_entry),
	        cmocka_unit_test(test_training_writes_are_audited_and_their_cascades_are_not),
	        cmocka_unit_test(
	                test_anomalies_list_overlaps_long_days_and_training_outside_the_post),
	        cmocka_unit_test(test_status_ensure_adds_a_row_for_every_officer_in_post_that_year),
	        cmocka_unit_test(test_repair_restores_totals_and_copies_after_triggers_were_off),
	        cmocka_unit_test(
	                test_rotation_repair_recounts_from_raw_records_after_triggers_were_off),
	        cmocka_unit_test(test_a_closed_year_refuses_changes_through_the_issue_5_hook),
	        cmocka_unit_test(test_randomized_operations_keep_totals_equal_to_the_recomputation),
	};

	return cmocka_run_group_tests_name("training_schema", tests, group_setup, group_teardown);
}
