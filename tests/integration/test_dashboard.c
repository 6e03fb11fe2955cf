/* test_dashboard.c — GET /api/v1/reports/dashboard (issue 8): on crafted 2025
 * records of two counties, the status totals, the distribution of officers'
 * hours and the records per month are exactly what the records say; a
 * revoked record and a session moved to another month move the months along;
 * the maintained counts equal their recomputation from attendance; an
 * auditor of county A sees A only and is refused B like a missing unit. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long county_a, county_b, a_met, a_short, a_none, b_short;
static long long moved_session, revoked_session;
static struct test_identity auditor_a;

#define HOURS(h) ((long long)(h)*36000)

/* A session of org on day (2025-MM-DD, 09:00 China time) with declared hours
 * (whole hours) and category, attended by officer; returns the session id. */
static long long attend(long long org, long long officer, const char *day, int hours,
                        const char *category)
{
	char sql[1024], id[32];

	(void)snprintf(sql, sizeof(sql),
	               "INSERT INTO training_session (title, org_id, category, form, starts_at,"
	               " ends_at, duration_minutes, declared_units) VALUES ('看板 %s %lld', %lld,"
	               " '%s', 'lecture', '%s 09:00+08', timestamptz '%s 09:00+08' +"
	               " interval '%d hours', 60, %lld);"
	               " INSERT INTO attendance (session_id, officer_id)"
	               " SELECT max(id), %lld FROM training_session",
	               day, officer, org, category, day, day, hours, HOURS(hours), officer);
	test_db_as_app(db, sql);
	test_db_text(db, "SELECT max(id)::text FROM training_session", NULL, id, sizeof(id));
	return atoll(id);
}

static int group_setup(void **state)
{
	long long city;
	struct http_result r;
	const char *headers[] = {"If-Match: *", NULL};
	char path[96];

	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	city = test_create_org(&proc, "dash-city", "看板市", "city", 0);
	county_a = test_create_org(&proc, "dash-a", "看板甲县", "county", city);
	county_b = test_create_org(&proc, "dash-b", "看板乙县", "county", city);
	a_met = test_create_officer(&proc, 8501, "甲达标", county_a);
	a_short = test_create_officer(&proc, 8502, "甲差学时", county_a);
	a_none = test_create_officer(&proc, 8503, "甲未学", county_a);
	b_short = test_create_officer(&proc, 8504, "乙差学时", county_b);
	test_create_user(&proc, "dash.auditor", "auditor", county_a, 0, NULL, &auditor_a);

	/* A: 60 h of business knowledge in January, February and March, and a
	 * political session in July (a record, no counted hours). */
	(void)attend(county_a, a_met, "2025-01-10", 20, "business");
	moved_session = attend(county_a, a_met, "2025-02-10", 20, "business");
	(void)attend(county_a, a_met, "2025-03-10", 20, "business");
	(void)attend(county_a, a_met, "2025-07-01", 2, "political");
	/* 25 h in March; a June record revoked. */
	(void)attend(county_a, a_short, "2025-03-11", 15, "skills");
	(void)attend(county_a, a_short, "2025-03-12", 10, "public_law");
	revoked_session = attend(county_a, a_short, "2025-06-01", 8, "skills");
	/* B: 30 h in May. */
	(void)attend(county_b, b_short, "2025-05-05", 15, "business");
	(void)attend(county_b, b_short, "2025-05-06", 15, "business");

	test_db_execf(
	        db,
	        "BEGIN; SET LOCAL ROLE tcard_app; SELECT set_config('tcard.scope', 'all', true),"
	        " set_config('tcard.actor', 'test', true);"
	        " UPDATE attendance SET revoked_at = now(), revoked_reason = '重复登记'"
	        " WHERE session_id = %lld;"
	        " UPDATE training_session SET starts_at = '2025-04-10 09:00+08',"
	        " ends_at = '2025-04-10 19:00+08' WHERE id = %lld;"
	        " SELECT officer_year_status_ensure(2025); COMMIT",
	        revoked_session, moved_session);
	/* Setting the city's policy evaluates every stale officer-year. */
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/policies/2025", city);
	http_call(&proc, &r, "PUT", path, headers, "{\"required_hours\":\"60\"}");
	if (r.status != 200)
		fail_msg("PUT %s: %ld %s", path, r.status, r.body);
	http_result_clear(&r);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

static void dashboard(const struct test_identity *who, const char *query, long status,
                      struct http_result *r)
{
	char path[192];

	(void)snprintf(path, sizeof(path), "/api/v1/reports/dashboard?year=2025%s", query);
	http_call_as(&proc, who != NULL ? who : &proc.admin, r, "GET", path, NULL, NULL);
	if (r->status != status)
		fail_msg("GET %s: %ld %s", path, r->status, r->body);
}

static long long total(const struct http_result *r, const char *key)
{
	return test_json_int(json_object_get(r->json, "totals"), key);
}

/* The counts of an array member of r (key, value) as "n,n,…". */
static void counts_of(const struct http_result *r, const char *array, const char *key, char *out,
                      size_t size)
{
	const json_t *item;
	size_t i, used = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(r->json, array), i, item) used +=
	        (size_t)snprintf(out + used, size - used, "%s%lld", i > 0 ? "," : "",
	                         (long long)json_integer_value(json_object_get(item, key)));
}

/* County A as seen by who (the admin naming the county, or A's auditor by default). */
static void assert_county_a(const struct http_result *r)
{
	char got[128];
	const json_t *last;

	assert_int_equal(total(r, "officers"), 3);
	assert_int_equal(total(r, "met"), 1);
	assert_int_equal(total(r, "short"), 2);
	assert_int_equal(total(r, "at_risk"), 0);
	assert_int_equal(total(r, "exempt"), 0);
	assert_string_equal(test_json_str(json_object_get(r->json, "totals"), "percent_met"),
	                    "33.33");
	/* 0 h, 25 h and 60 h: bins 0–10, 20–30 and 60–70. */
	counts_of(r, "hours_histogram", "officers", got, sizeof(got));
	assert_string_equal(got, "1,0,1,0,0,0,1,0,0");
	assert_string_equal(
	        test_json_str(json_array_get(json_object_get(r->json, "hours_histogram"), 2),
	                      "from"),
	        "20.00");
	last = json_array_get(json_object_get(r->json, "hours_histogram"), 8);
	assert_string_equal(test_json_str(last, "from"), "80.00");
	assert_true(json_is_null(json_object_get(last, "to")));
	/* January 1, March 3 (February's session moved to April), April 1, June's
	 * record revoked, July 1 (political: a record, no hours). */
	counts_of(r, "records_by_month", "records", got, sizeof(got));
	assert_string_equal(got, "1,0,3,1,0,0,1,0,0,0,0,0");
	assert_int_equal(total(r, "records"), 6);
}

static void test_numbers_are_exactly_what_the_records_say(void **state)
{
	struct http_result r;
	char query[64], got[128];

	(void)state;
	(void)snprintf(query, sizeof(query), "&org=%lld", county_a);
	dashboard(NULL, query, 200, &r);
	assert_int_equal(test_json_int(r.json, "year"), 2025);
	assert_county_a(&r);
	http_result_clear(&r);

	(void)snprintf(query, sizeof(query), "&org=%lld", county_b);
	dashboard(NULL, query, 200, &r);
	assert_int_equal(total(&r, "officers"), 1);
	assert_int_equal(total(&r, "short"), 1);
	assert_string_equal(test_json_str(json_object_get(r.json, "totals"), "percent_met"),
	                    "0.00");
	counts_of(&r, "hours_histogram", "officers", got, sizeof(got));
	assert_string_equal(got, "0,0,0,1,0,0,0,0,0");
	counts_of(&r, "records_by_month", "records", got, sizeof(got));
	assert_string_equal(got, "0,0,0,0,2,0,0,0,0,0,0,0");
	http_result_clear(&r);

	/* A year without records: zeros, and 100 % of nobody. */
	http_call(&proc, &r, "GET", "/api/v1/reports/dashboard?year=2031", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(total(&r, "officers"), 0);
	assert_int_equal(total(&r, "records"), 0);
	assert_string_equal(test_json_str(json_object_get(r.json, "totals"), "percent_met"),
	                    "100.00");
	http_result_clear(&r);
}

/* The maintained counts equal their recomputation from attendance. */
static void assert_counts_exact(void)
{
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM ("
	                                   "(TABLE attendance_month_count"
	                                   "  EXCEPT TABLE attendance_month_count_recomputed)"
	                                   " UNION ALL (TABLE attendance_month_count_recomputed"
	                                   "  EXCEPT TABLE attendance_month_count)) d"),
	                 0);
}

/* Revokes (or restores) the June record and puts A's short officer in org, as the app. */
static void revoke_and_move(int revoke, long long org)
{
	test_db_execf(
	        db,
	        "BEGIN; SET LOCAL ROLE tcard_app; SELECT set_config('tcard.scope', 'all', true),"
	        " set_config('tcard.actor', 'test', true);"
	        " UPDATE attendance SET revoked_at = %s, revoked_reason = %s"
	        " WHERE session_id = %lld; UPDATE officer SET org_id = %lld WHERE id = %lld;"
	        " COMMIT",
	        revoke ? "now()" : "NULL", revoke ? "'重复登记'" : "NULL", revoked_session, org,
	        a_short);
}

static void test_counts_follow_writes_and_equal_their_recomputation(void **state)
{
	struct http_result r;
	char query[64], got[128];

	(void)state;
	assert_counts_exact();
	/* Restoring the revoked record and moving A's short officer to B move the counts. */
	revoke_and_move(0, county_b);
	(void)snprintf(query, sizeof(query), "&org=%lld", county_b);
	dashboard(NULL, query, 200, &r);
	counts_of(&r, "records_by_month", "records", got, sizeof(got));
	assert_string_equal(got, "0,0,2,0,2,1,0,0,0,0,0,0");
	http_result_clear(&r);
	(void)snprintf(query, sizeof(query), "&org=%lld", county_a);
	dashboard(NULL, query, 200, &r);
	counts_of(&r, "records_by_month", "records", got, sizeof(got));
	assert_string_equal(got, "1,0,1,1,0,0,1,0,0,0,0,0");
	http_result_clear(&r);
	assert_counts_exact();
	/* Back as it was, for the scope test. */
	revoke_and_move(1, county_a);
}

static void test_auditor_sees_its_county_only(void **state)
{
	struct http_result r;
	char query[64];

	(void)state;
	dashboard(&auditor_a, "", 200, &r);
	assert_county_a(&r);
	http_result_clear(&r);
	(void)snprintf(query, sizeof(query), "&org=%lld", county_b);
	dashboard(&auditor_a, query, 422, &r);
	assert_problem(&r, 422, "org", "unknown");
	http_result_clear(&r);
	dashboard(&auditor_a, "&org=999999", 422, &r);
	assert_problem(&r, 422, "org", "unknown");
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/reports/dashboard?year=1999", NULL, NULL);
	assert_problem(&r, 422, "year", "range");
	http_result_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_numbers_are_exactly_what_the_records_say),
	        cmocka_unit_test(test_counts_follow_writes_and_equal_their_recomputation),
	        cmocka_unit_test(test_auditor_sees_its_county_only),
	};

	return cmocka_run_group_tests_name("dashboard", tests, group_setup, group_teardown);
}
