/* test_policies.c — GET/PUT /api/v1/orgs/{id}/policies/{year}: the policy that
 * applies (nearest ancestor, else the baseline), setting one (admin only, with
 * field errors checked by the engine), and the subtree re-evaluated in the same
 * request: the Pinglu rule makes an officer with 60 business hours short on
 * public law by exactly 30.00 h. Then exemptions: waive, reduce, withdraw. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long county, unit, officer;
static struct test_identity hr, auditor;

static void put_policy(const struct test_identity *who, long long org, const char *if_match,
                       const char *body, long expected, struct http_result *r)
{
	char path[96], header[64];
	const char *headers[] = {header, NULL};

	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/policies/2025", org);
	(void)snprintf(header, sizeof(header), "If-Match: %s", if_match);
	http_call_as(&proc, who != NULL ? who : &proc.admin, r, "PUT", path, headers, body);
	if (r->status != expected)
		fail_msg("PUT %s: %ld %s", path, r->status, r->body != NULL ? r->body : "");
}

static int group_setup(void **state)
{
	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	county = test_create_org(&proc, "pinglu", "平陆县", "county", 0);
	unit = test_create_org(&proc, "pinglu-sfj", "平陆县司法局", "department", county);
	officer = test_create_officer(&proc, 8301, "平陆一", unit);
	test_create_user(&proc, "policy.hr", "hr", county, 0, NULL, &hr);
	test_create_user(&proc, "policy.auditor", "auditor", county, 0, NULL, &auditor);
	/* 60 h of business knowledge in 2025 (15 sessions of "4学时"). */
	{
		char sql[1024];
		int i;

		for (i = 0; i < 15; i++) {
			(void)snprintf(
			        sql, sizeof(sql),
			        "INSERT INTO training_session (title, org_id, category, form,"
			        " starts_at, ends_at, duration_minutes, declared_units)"
			        " VALUES ('业务 %d', %lld, 'business', 'lecture',"
			        " '2025-03-%02d 09:00+08', '2025-03-%02d 12:00+08', 180, 144000);"
			        " INSERT INTO attendance (session_id, officer_id)"
			        " SELECT max(id), %lld FROM training_session",
			        i, county, i + 1, i + 1, officer);
			test_db_as_app(db, sql);
		}
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

static void test_no_policy_means_the_baseline(void **state)
{
	struct http_result r;
	char path[96];

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/policies/2025", unit);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "baseline")));
	assert_true(json_is_null(json_object_get(r.json, "policy")));
	http_result_clear(&r);
}

static void test_pinglu_policy_applies_to_the_subtree_at_once(void **state)
{
	struct http_result r;
	char path[96];
	json_t *minima;

	(void)state;
	put_policy(NULL, county, "*",
	           "{\"required_hours\":\"60\",\"category_minima\":["
	           "{\"categories\":[\"public_law\"],\"hours\":\"30\"},"
	           "{\"categories\":[\"business\",\"skills\"],\"hours\":30}]}",
	           200, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "required_hours")), "60.00");
	minima = json_object_get(r.json, "category_minima");
	assert_int_equal(json_array_size(minima), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(minima, 0), "hours")),
	                    "30.00");
	assert_string_equal(r.etag, "\"1\"");
	http_result_clear(&r);

	/* The unit below sees the county's policy. */
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/policies/2025", unit);
	http_call_as(&proc, &hr, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(
	        json_integer_value(json_object_get(json_object_get(r.json, "policy"), "org_id")),
	        county);
	http_result_clear(&r);

	/* Re-evaluated in the same request: short on public law by exactly 30 h. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM officer_year_status WHERE"
	                                " officer_id = %lld AND year = 2025 AND NOT stale"
	                                " AND status = 'short' AND counted_units = 2160000"
	                                " AND shortfalls @> '[{\"name\": \"public_law\","
	                                " \"missing_units\": 1080000}]'",
	                                officer),
	                 1);
	assert_true(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                              " 'hours_policy.create'") == 1);

	/* A stale version is refused; the current one replaces the policy. */
	put_policy(NULL, county, "\"7\"", "{\"required_hours\":\"40\"}", 412, &r);
	http_result_clear(&r);
	put_policy(NULL, county, "\"1\"", "{\"required_hours\":\"40\"}", 200, &r);
	assert_string_equal(r.etag, "\"2\"");
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM officer_year_status WHERE"
	                                " officer_id = %lld AND year = 2025 AND status = 'met'",
	                                officer),
	                 1);
}

static void test_bad_policies_are_field_errors_and_change_nothing(void **state)
{
	static const struct {
		const char *body, *field, *reason;
	} cases[] = {
	        {"{\"required_hours\":\"60.001\"}", "required_hours", "precision"},
	        {"{\"required_hours\":4.5}", "required_hours", "type"},
	        {"{\"required_hours\":\"1001\"}", "required_hours", "range"},
	        {"{\"minutes_per_hour\":47}", "policy", NULL},
	        {"{\"min_months\":13}", "policy", NULL},
	        {"{\"excluded_categories\":[\"sports\"]}", "excluded_categories", "unknown"},
	        {"{\"category_minima\":[{\"categories\":[\"political\"],\"hours\":\"10\"}]}",
	         "policy", NULL},
	        {"{\"category_minima\":{}}", "category_minima", "type"},
	        {"{\"platform_minima\":[{\"platform\":\"\",\"hours\":\"60\"}]}", "platform_minima",
	         "platform"},
	        {"{\"hours\":60}", "hours", "unknown_field"},
	};
	struct http_result r;
	long long audit = test_db_count(db, "SELECT count(*) FROM audit_log");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put_policy(NULL, unit, "*", cases[i].body, 422, &r);
		assert_problem(&r, 422, cases[i].field, cases[i].reason);
		http_result_clear(&r);
	}
	/* Only the admin sets policies; out of the tree is 404 like a missing org. */
	put_policy(&hr, unit, "*", "{\"required_hours\":\"60\"}", 403, &r);
	http_result_clear(&r);
	put_policy(NULL, 987654321, "*", "{\"required_hours\":\"60\"}", 404, &r);
	http_result_clear(&r);
	assert_int_equal(
	        test_db_countf(db, "SELECT count(*) FROM hours_policy WHERE org_id = %lld", unit),
	        0);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log"), audit);
}

static void test_removing_a_policy_brings_back_the_baseline(void **state)
{
	struct http_result r;
	char path[96];
	const char *stale[] = {"If-Match: \"9\"", NULL}, *current[] = {"If-Match: \"2\"", NULL};

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/policies/2025", county);
	http_call(&proc, &r, "DELETE", path, stale, NULL);
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	http_call_as(&proc, &hr, &r, "DELETE", path, current, NULL);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	http_call(&proc, &r, "DELETE", path, current, NULL);
	assert_int_equal(r.status, 204);
	http_result_clear(&r);
	http_call(&proc, &r, "DELETE", path, current, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);

	/* The unit below falls back to the baseline, and its officer was re-evaluated:
	 * 60 business hours meet it. */
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/policies/2025", unit);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_true(json_is_true(json_object_get(r.json, "baseline")));
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM officer_year_status WHERE"
	                                " officer_id = %lld AND year = 2025 AND NOT stale"
	                                " AND status = 'met' AND required_units = 2160000",
	                                officer),
	                 1);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                   " 'hours_policy.delete'"),
	                 1);
}

static void exemption(const struct test_identity *who, const char *action, const char *body,
                      long expected, struct http_result *r)
{
	char path[128];
	const char *headers[] = {"If-Match: *", NULL};

	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/exemptions/2025%s", officer,
	               action);
	http_call_as(&proc, who, r, action[0] == '\0' ? "PUT" : "POST", path,
	             action[0] == '\0' ? headers : NULL, body);
	if (r->status != expected)
		fail_msg("%s: %ld %s", path, r->status, r->body != NULL ? r->body : "");
}

/* The officer's stored 2025 status and requirement, as "status/required units". */
static void stored_status(char *out, size_t size)
{
	char sql[256];

	(void)snprintf(sql, sizeof(sql),
	               "SELECT status || '/' || required_units FROM officer_year_status"
	               " WHERE officer_id = %lld AND year = 2025 AND NOT stale",
	               officer);
	test_db_text(db, sql, NULL, out, size);
}

static void test_exemptions_waive_reduce_and_withdraw_at_once(void **state)
{
	struct http_result r;
	char status[64], path[96];

	(void)state;
	/* An auditor of the county waives the year: exempt, in the same request. */
	exemption(&auditor, "",
	          "{\"kind\":\"waive\",\"reason\":\"产假\",\"approver\":\"县司法局\"}", 200, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "recorded_by")),
	                    "policy.auditor");
	http_result_clear(&r);
	stored_status(status, sizeof(status));
	assert_string_equal(status, "exempt/0");

	/* Reduced to 20 h. */
	exemption(&auditor, "",
	          "{\"kind\":\"reduce\",\"reduced_hours\":\"20\",\"reason\":\"病假\","
	          "\"approver\":\"县司法局\"}",
	          200, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "reduced_hours")), "20.00");
	http_result_clear(&r);
	stored_status(status, sizeof(status));
	assert_string_equal(status, "met/720000");

	/* Withdrawn: the policy's requirement again; the row stays, marked revoked. */
	exemption(&auditor, "/revoke", "{\"reason\":\"提前复岗\"}", 200, &r);
	assert_true(json_is_true(json_object_get(r.json, "revoked")));
	http_result_clear(&r);
	stored_status(status, sizeof(status));
	assert_string_not_equal(status, "met/720000");
	exemption(&auditor, "/revoke", "{\"reason\":\"再次\"}", 404, &r);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/exemptions", officer);
	http_call_as(&proc, &hr, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action LIKE"
	                                   " 'hours_exemption.%'"),
	                 3);
}

static void test_bad_exemptions_are_field_errors_and_change_nothing(void **state)
{
	static const struct {
		const char *body, *field, *reason;
	} cases[] = {
	        {"{\"kind\":\"reduce\",\"reason\":\"病假\",\"approver\":\"局长\"}", "reduced_hours",
	         "required"},
	        {"{\"kind\":\"waive\",\"reduced_hours\":\"5\",\"reason\":\"病假\","
	         "\"approver\":\"局长\"}",
	         "reduced_hours", "unexpected"},
	        {"{\"kind\":\"reduce\",\"reduced_hours\":\"5.555\",\"reason\":\"病假\","
	         "\"approver\":\"局长\"}",
	         "reduced_hours", "precision"},
	        {"{\"kind\":\"pause\",\"reason\":\"病假\",\"approver\":\"局长\"}", "kind", NULL},
	        {"{\"kind\":\"waive\",\"approver\":\"局长\"}", "reason", "required"},
	};
	struct http_result r;
	long long rows =
	        test_db_count(db, "SELECT count(*) * 1000000 + sum(version) FROM hours_exemption");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		exemption(&auditor, "", cases[i].body, 422, &r);
		assert_problem(&r, 422, cases[i].field, cases[i].reason);
		http_result_clear(&r);
	}
	/* A stale version is refused, not overwritten. */
	{
		char path[128];
		const char *headers[] = {"If-Match: \"99\"", NULL};

		(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/exemptions/2025",
		               officer);
		http_call_as(&proc, &auditor, &r, "PUT", path, headers,
		             "{\"kind\":\"waive\",\"reason\":\"病假\",\"approver\":\"局长\"}");
		assert_problem(&r, 412, NULL, NULL);
		http_result_clear(&r);
	}
	/* HR records training, not exemptions. */
	exemption(&hr, "", "{\"kind\":\"waive\",\"reason\":\"病假\",\"approver\":\"局长\"}", 403,
	          &r);
	http_result_clear(&r);
	assert_int_equal(
	        test_db_count(db, "SELECT count(*) * 1000000 + sum(version) FROM hours_exemption"),
	        rows);
}

/* A policy high in the tree re-evaluates every officer-year under it, at a
 * province's size past the 5 s other requests are held to. A statement made slow
 * on purpose (a trigger that sleeps 5.5 s) stands in for that size. */
static void test_a_policy_change_may_run_past_the_usual_statement_timeout(void **state)
{
	struct http_result r;

	(void)state;
	test_db_execf(db, "CREATE FUNCTION test_slow_policy() RETURNS trigger LANGUAGE plpgsql"
	                  " AS $$ BEGIN PERFORM pg_sleep(5.5); RETURN NEW; END $$;"
	                  " CREATE TRIGGER test_slow_policy BEFORE INSERT OR UPDATE ON hours_policy"
	                  " FOR EACH ROW EXECUTE FUNCTION test_slow_policy()");
	put_policy(NULL, unit, "*", "{\"required_hours\":\"50\"}", 200, &r);
	http_result_clear(&r);
	test_db_execf(db, "DROP TRIGGER test_slow_policy ON hours_policy;"
	                  " DROP FUNCTION test_slow_policy()");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_no_policy_means_the_baseline),
	        cmocka_unit_test(test_pinglu_policy_applies_to_the_subtree_at_once),
	        cmocka_unit_test(test_bad_policies_are_field_errors_and_change_nothing),
	        cmocka_unit_test(test_removing_a_policy_brings_back_the_baseline),
	        cmocka_unit_test(test_exemptions_waive_reduce_and_withdraw_at_once),
	        cmocka_unit_test(test_bad_exemptions_are_field_errors_and_change_nothing),
	        cmocka_unit_test(test_a_policy_change_may_run_past_the_usual_statement_timeout),
	};

	return cmocka_run_group_tests_name("policies", tests, group_setup, group_teardown);
}
