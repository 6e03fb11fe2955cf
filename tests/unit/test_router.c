/* test_router.c — unit tests for router.c: path matching with placeholders,
 * 404 against 405 with the Allow set, HEAD served by GET routes, method names.
 * A small local route table stands in for routes.c, which is not in the core. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "router.h"

static int handler_stub(struct request *req)
{
	(void)req;
	return 0;
}

/* The table the tests route over; indexes are named so assertions say which
 * row must win. */
enum {
	ROW_HEALTH,
	ROW_OFFICERS_LIST,
	ROW_OFFICERS_CREATE,
	ROW_OFFICER_GET,
	ROW_OFFICER_PATCH,
	ROW_OFFICER_DELETE,
	ROW_OFFICER_CERT,
	ROW_ORG_UNIT_MEMBER,
	ROW_FIVE_PARAMS,
	ROW_COUNT
};

static const struct route table[ROW_COUNT] = {
        [ROW_HEALTH] = {HTTP_GET, "/healthz", handler_stub, ROLE_PUBLIC, ROUTE_BODY_NONE, "health"},
        [ROW_OFFICERS_LIST] = {HTTP_GET, "/api/v1/officers", handler_stub, ROLE_STAFF,
                               ROUTE_BODY_NONE, "list"},
        [ROW_OFFICERS_CREATE] = {HTTP_POST, "/api/v1/officers", handler_stub, ROLE_ADMIN,
                                 ROUTE_BODY_JSON, "create"},
        [ROW_OFFICER_GET] = {HTTP_GET, "/api/v1/officers/{id}", handler_stub, ROLE_STAFF,
                             ROUTE_BODY_NONE, "get"},
        [ROW_OFFICER_PATCH] = {HTTP_PATCH, "/api/v1/officers/{id}", handler_stub, ROLE_ADMIN,
                               ROUTE_BODY_JSON, "patch"},
        [ROW_OFFICER_DELETE] = {HTTP_DELETE, "/api/v1/officers/{id}", handler_stub, ROLE_ADMIN,
                                ROUTE_BODY_NONE, "delete"},
        [ROW_OFFICER_CERT] = {HTTP_GET, "/api/v1/officers/{id}/certificates/{cert_no}",
                              handler_stub, ROLE_STAFF, ROUTE_BODY_NONE, "certificate"},
        [ROW_ORG_UNIT_MEMBER] = {HTTP_PUT, "/api/v1/orgs/{org}/units/{unit}/members/{member}",
                                 handler_stub, ROLE_ADMIN, ROUTE_BODY_JSON, "member"},
        [ROW_FIVE_PARAMS] = {HTTP_GET, "/deep/{a}/{b}/{c}/{d}/{e}", handler_stub, ROLE_ADMIN,
                             ROUTE_BODY_NONE, "more placeholders than ROUTER_MAX_PARAMS"},
};

static enum router_result route(unsigned method, const char *path, struct route_match *m)
{
	return router_match(table, ROW_COUNT, method, path, m);
}

/* Asserts that parameter i of m is called name and holds value. */
static void assert_param(const struct route_match *m, int i, const char *name, const char *value)
{
	assert_true(i < m->nparams);
	assert_int_equal(m->params[i].name_len, strlen(name));
	assert_memory_equal(m->params[i].name, name, strlen(name));
	assert_int_equal(m->params[i].value_len, strlen(value));
	assert_memory_equal(m->params[i].value, value, strlen(value));
}

static void test_router_literal_path_matches_its_route(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(HTTP_GET, "/healthz", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &table[ROW_HEALTH]);
	assert_int_equal(m.nparams, 0);
	assert_int_equal(route(HTTP_POST, "/api/v1/officers", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &table[ROW_OFFICERS_CREATE]);
}

static void test_router_method_picks_the_row_for_a_shared_pattern(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(HTTP_GET, "/api/v1/officers/7", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &table[ROW_OFFICER_GET]);
	assert_int_equal(route(HTTP_PATCH, "/api/v1/officers/7", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &table[ROW_OFFICER_PATCH]);
	assert_int_equal(route(HTTP_DELETE, "/api/v1/officers/7", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &table[ROW_OFFICER_DELETE]);
}

static void test_router_placeholder_captures_name_and_value(void **state)
{
	struct route_match m;
	const char *path = "/api/v1/officers/12345";

	(void)state;
	assert_int_equal(route(HTTP_GET, path, &m), ROUTER_FOUND);
	assert_int_equal(m.nparams, 1);
	assert_param(&m, 0, "id", "12345");
	/* The value points into the path: no copy, nothing to free. */
	assert_ptr_equal(m.params[0].value, path + strlen("/api/v1/officers/"));
}

static void test_router_two_placeholders_are_captured_in_order(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(HTTP_GET, "/api/v1/officers/9/certificates/2026-001", &m),
	                 ROUTER_FOUND);
	assert_ptr_equal(m.route, &table[ROW_OFFICER_CERT]);
	assert_int_equal(m.nparams, 2);
	assert_param(&m, 0, "id", "9");
	assert_param(&m, 1, "cert_no", "2026-001");
}

static void test_router_placeholder_value_may_hold_any_non_slash_bytes(void **state)
{
	struct route_match m;

	(void)state;
	/* Decoded paths may carry dots, percent signs and UTF-8; one segment each. */
	assert_int_equal(route(HTTP_GET, "/api/v1/officers/a.b%20c", &m), ROUTER_FOUND);
	assert_param(&m, 0, "id", "a.b%20c");
	assert_int_equal(route(HTTP_GET, "/api/v1/officers/张三", &m), ROUTER_FOUND);
	assert_param(&m, 0, "id", "张三");
}

static void test_router_placeholder_never_matches_an_empty_segment(void **state)
{
	struct route_match m;

	(void)state;
	/* /officers/ is not /officers/{id} with id "": that would reach a handler
	 * with an empty id. It is not the list either, so nothing is allowed. */
	assert_int_equal(route(HTTP_GET, "/api/v1/officers/", &m), ROUTER_NOT_FOUND);
	assert_null(m.route);
	assert_int_equal(m.allowed, 0);
	assert_int_equal(route(HTTP_GET, "/api/v1/officers//certificates/1", &m), ROUTER_NOT_FOUND);
	assert_int_equal(route(HTTP_GET, "/api/v1/officers/9/certificates/", &m), ROUTER_NOT_FOUND);
}

static void test_router_placeholder_does_not_span_a_slash(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(HTTP_GET, "/api/v1/officers/1/2", &m), ROUTER_NOT_FOUND);
	assert_int_equal(route(HTTP_DELETE, "/api/v1/officers/1/", &m), ROUTER_NOT_FOUND);
}

static void test_router_trailing_slash_is_a_different_path(void **state)
{
	struct route_match m;

	(void)state;
	/* Strict: no silent redirect, no second spelling of a resource. */
	assert_int_equal(route(HTTP_GET, "/healthz/", &m), ROUTER_NOT_FOUND);
	assert_int_equal(route(HTTP_GET, "/api/v1/officers/", &m), ROUTER_NOT_FOUND);
}

static void test_router_prefix_and_extension_do_not_match(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(HTTP_GET, "/health", &m), ROUTER_NOT_FOUND);
	assert_int_equal(route(HTTP_GET, "/healthzz", &m), ROUTER_NOT_FOUND);
	assert_int_equal(route(HTTP_GET, "/api/v1", &m), ROUTER_NOT_FOUND);
	assert_int_equal(route(HTTP_GET, "", &m), ROUTER_NOT_FOUND);
	assert_int_equal(route(HTTP_GET, "/", &m), ROUTER_NOT_FOUND);
	assert_int_equal(route(HTTP_GET, "/API/v1/officers", &m), ROUTER_NOT_FOUND);
}

static void test_router_unknown_path_is_404_with_nothing_allowed(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(HTTP_GET, "/nowhere", &m), ROUTER_NOT_FOUND);
	assert_null(m.route);
	assert_int_equal(m.allowed, 0);
	assert_int_equal(m.nparams, 0);
}

static void test_router_known_path_wrong_method_is_405_with_allowed_set(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(HTTP_PUT, "/api/v1/officers/7", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_null(m.route);
	assert_int_equal(m.allowed, HTTP_GET | HTTP_HEAD | HTTP_PATCH | HTTP_DELETE);
	assert_int_equal(route(HTTP_DELETE, "/api/v1/officers", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_int_equal(m.allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
	assert_int_equal(route(HTTP_POST, "/healthz", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_int_equal(m.allowed, HTTP_GET | HTTP_HEAD);
}

static void test_router_found_route_reports_every_allowed_method(void **state)
{
	struct route_match m;

	(void)state;
	/* The matching row comes first in the table; rows after it still count. */
	assert_int_equal(route(HTTP_GET, "/api/v1/officers/7", &m), ROUTER_FOUND);
	assert_int_equal(m.allowed, HTTP_GET | HTTP_HEAD | HTTP_PATCH | HTTP_DELETE);
}

static void test_router_unknown_method_on_known_path_is_405(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(0, "/api/v1/officers", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_int_equal(m.allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
	assert_int_equal(route(HTTP_OPTIONS, "/healthz", &m), ROUTER_METHOD_NOT_ALLOWED);
}

static void test_router_head_matches_get_route(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(HTTP_HEAD, "/api/v1/officers/42", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &table[ROW_OFFICER_GET]);
	assert_param(&m, 0, "id", "42");
}

static void test_router_head_without_get_route_is_405(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(HTTP_HEAD, "/api/v1/orgs/1/units/2/members/3", &m),
	                 ROUTER_METHOD_NOT_ALLOWED);
	assert_int_equal(m.allowed, HTTP_PUT);
}

static void test_router_three_placeholders_fit_within_the_limit(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(route(HTTP_PUT, "/api/v1/orgs/o1/units/u2/members/m3", &m), ROUTER_FOUND);
	assert_int_equal(m.nparams, 3);
	assert_param(&m, 0, "org", "o1");
	assert_param(&m, 1, "unit", "u2");
	assert_param(&m, 2, "member", "m3");
}

static void test_router_more_placeholders_than_max_never_match(void **state)
{
	struct route_match m;

	(void)state;
	/* Five placeholders cannot be stored in ROUTER_MAX_PARAMS (4) slots: the row
	 * is refused rather than written past params[] (ASan would see that). */
	assert_int_equal(ROUTER_MAX_PARAMS, 4);
	assert_int_equal(route(HTTP_GET, "/deep/1/2/3/4/5", &m), ROUTER_NOT_FOUND);
	assert_null(m.route);
	assert_true(m.nparams <= ROUTER_MAX_PARAMS);
}

static void test_router_table_with_exactly_max_placeholders_matches(void **state)
{
	static const struct route four[] = {
	        {HTTP_GET, "/x/{a}/{b}/{c}/{d}", handler_stub, ROLE_ADMIN, ROUTE_BODY_NONE, "four"},
	};
	struct route_match m;

	(void)state;
	assert_int_equal(router_match(four, 1, HTTP_GET, "/x/1/2/3/4", &m), ROUTER_FOUND);
	assert_int_equal(m.nparams, ROUTER_MAX_PARAMS);
	assert_param(&m, 3, "d", "4");
}

static void test_router_empty_table_is_404(void **state)
{
	struct route_match m;

	(void)state;
	assert_int_equal(router_match(table, 0, HTTP_GET, "/healthz", &m), ROUTER_NOT_FOUND);
	assert_int_equal(m.allowed, 0);
}

static void test_router_first_row_wins_for_duplicate_method_and_path(void **state)
{
	static const struct route twice[] = {
	        {HTTP_GET, "/a/{x}", handler_stub, ROLE_ADMIN, ROUTE_BODY_NONE, "first"},
	        {HTTP_GET, "/a/b", handler_stub, ROLE_ADMIN, ROUTE_BODY_NONE, "second"},
	};
	struct route_match m;

	(void)state;
	assert_int_equal(router_match(twice, 2, HTTP_GET, "/a/b", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &twice[0]);
	assert_param(&m, 0, "x", "b");
}

static void test_router_later_candidate_does_not_clobber_found_params(void **state)
{
	/* A later row that matches the path with other placeholders must not
	 * overwrite the parameters of the row that was chosen. */
	static const struct route rows[] = {
	        {HTTP_GET, "/a/{first}/c", handler_stub, ROLE_ADMIN, ROUTE_BODY_NONE, "get"},
	        {HTTP_POST, "/{zero}/{other}/{third}", handler_stub, ROLE_ADMIN, ROUTE_BODY_NONE,
	         "post"},
	};
	struct route_match m;

	(void)state;
	assert_int_equal(router_match(rows, 2, HTTP_GET, "/a/b/c", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &rows[0]);
	assert_int_equal(m.nparams, 1);
	assert_param(&m, 0, "first", "b");
	assert_int_equal(m.allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
}

static void test_router_method_and_name_round_trip(void **state)
{
	static const char *const names[] = {"GET",   "HEAD",   "POST",   "PUT",
	                                    "PATCH", "DELETE", "OPTIONS"};
	unsigned seen = 0, method;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		method = router_method(names[i]);
		assert_int_not_equal(method, 0);
		/* One bit each, all different. */
		assert_int_equal(method & (method - 1), 0);
		assert_int_equal(seen & method, 0);
		seen |= method;
		assert_string_equal(router_method_name(method), names[i]);
	}
	assert_int_equal(router_method("GET"), HTTP_GET);
	assert_int_equal(router_method("DELETE"), HTTP_DELETE);
}

static void test_router_unknown_method_names_are_zero(void **state)
{
	(void)state;
	/* HTTP methods are case-sensitive (RFC 9110 9.1). */
	assert_int_equal(router_method("get"), 0);
	assert_int_equal(router_method("TRACE"), 0);
	assert_int_equal(router_method("CONNECT"), 0);
	assert_int_equal(router_method(""), 0);
	assert_int_equal(router_method("GETX"), 0);
	assert_int_equal(router_method("GE"), 0);
}

static void test_router_unknown_method_values_are_named_dash(void **state)
{
	(void)state;
	assert_string_equal(router_method_name(0), "-");
	assert_string_equal(router_method_name(1u << 20), "-");
	/* A set of two is not one method. */
	assert_string_equal(router_method_name(HTTP_GET | HTTP_POST), "-");
}

static void test_router_allow_header_lists_methods_in_table_order(void **state)
{
	char out[128];

	(void)state;
	assert_ptr_equal(router_allow_header(HTTP_PATCH | HTTP_GET | HTTP_HEAD, out, sizeof(out)),
	                 out);
	assert_string_equal(out, "GET, HEAD, PATCH");
	router_allow_header(HTTP_POST, out, sizeof(out));
	assert_string_equal(out, "POST");
	router_allow_header(HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE |
	                            HTTP_OPTIONS,
	                    out, sizeof(out));
	assert_string_equal(out, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
}

static void test_router_allow_header_of_empty_set_is_empty(void **state)
{
	char out[16];

	(void)state;
	memset(out, 'z', sizeof(out));
	router_allow_header(0, out, sizeof(out));
	assert_string_equal(out, "");
	/* Bits that are no method are ignored. */
	router_allow_header(1u << 20 | HTTP_PUT, out, sizeof(out));
	assert_string_equal(out, "PUT");
}

static void test_router_allow_header_truncates_at_whole_methods(void **state)
{
	const unsigned all = HTTP_GET | HTTP_HEAD | HTTP_POST;
	char out[32];
	size_t size;

	(void)state;
	/* Every size from 0 up: never a byte past size, always terminated, and
	 * always a prefix made of whole method names (no "GET, HE"). */
	for (size = 0; size <= sizeof("GET, HEAD, POST"); size++) {
		memset(out, 'z', sizeof(out));
		router_allow_header(all, out, size);
		assert_int_equal(out[size], 'z');
		if (size == 0)
			continue;
		assert_true(strlen(out) < size);
		if (size <= sizeof("GET") - 1)
			assert_string_equal(out, "");
		else if (size <= sizeof("GET, HEAD") - 1)
			assert_string_equal(out, "GET");
		else if (size <= sizeof("GET, HEAD, POST") - 1)
			assert_string_equal(out, "GET, HEAD");
		else
			assert_string_equal(out, "GET, HEAD, POST");
	}
}

static void test_router_allow_header_of_405_match_is_what_the_path_takes(void **state)
{
	struct route_match m;
	char out[64];

	(void)state;
	assert_int_equal(route(HTTP_POST, "/api/v1/officers/5", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(router_allow_header(m.allowed, out, sizeof(out)),
	                    "GET, HEAD, PATCH, DELETE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_router_literal_path_matches_its_route),
	        cmocka_unit_test(test_router_method_picks_the_row_for_a_shared_pattern),
	        cmocka_unit_test(test_router_placeholder_captures_name_and_value),
	        cmocka_unit_test(test_router_two_placeholders_are_captured_in_order),
	        cmocka_unit_test(test_router_placeholder_value_may_hold_any_non_slash_bytes),
	        cmocka_unit_test(test_router_placeholder_never_matches_an_empty_segment),
	        cmocka_unit_test(test_router_placeholder_does_not_span_a_slash),
	        cmocka_unit_test(test_router_trailing_slash_is_a_different_path),
	        cmocka_unit_test(test_router_prefix_and_extension_do_not_match),
	        cmocka_unit_test(test_router_unknown_path_is_404_with_nothing_allowed),
	        cmocka_unit_test(test_router_known_path_wrong_method_is_405_with_allowed_set),
	        cmocka_unit_test(test_router_found_route_reports_every_allowed_method),
	        cmocka_unit_test(test_router_unknown_method_on_known_path_is_405),
	        cmocka_unit_test(test_router_head_matches_get_route),
	        cmocka_unit_test(test_router_head_without_get_route_is_405),
	        cmocka_unit_test(test_router_three_placeholders_fit_within_the_limit),
	        cmocka_unit_test(test_router_more_placeholders_than_max_never_match),
	        cmocka_unit_test(test_router_table_with_exactly_max_placeholders_matches),
	        cmocka_unit_test(test_router_empty_table_is_404),
	        cmocka_unit_test(test_router_first_row_wins_for_duplicate_method_and_path),
	        cmocka_unit_test(test_router_later_candidate_does_not_clobber_found_params),
	        cmocka_unit_test(test_router_method_and_name_round_trip),
	        cmocka_unit_test(test_router_unknown_method_names_are_zero),
	        cmocka_unit_test(test_router_unknown_method_values_are_named_dash),
	        cmocka_unit_test(test_router_allow_header_lists_methods_in_table_order),
	        cmocka_unit_test(test_router_allow_header_of_empty_set_is_empty),
	        cmocka_unit_test(test_router_allow_header_truncates_at_whole_methods),
	        cmocka_unit_test(test_router_allow_header_of_405_match_is_what_the_path_takes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
