/* test_problem.c — unit tests for problem.c: the RFC 9457 problem+json shape,
 * the status and slug of every problem type, field errors and their cleanup
 * (ASan/LSan check that problem_clear frees what problem_field made). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

/* Every type with the HTTP status it must carry (problem.h's comments). */
static const struct {
	enum problem_type type;
	unsigned status;
} expected_statuses[] = {
        {PROBLEM_BAD_REQUEST, 400},  {PROBLEM_UNAUTHENTICATED, 401},
        {PROBLEM_FORBIDDEN, 403},    {PROBLEM_NOT_FOUND, 404},
        {PROBLEM_METHOD, 405},       {PROBLEM_NOT_ACCEPTABLE, 406},
        {PROBLEM_CONFLICT, 409},     {PROBLEM_PRECONDITION, 412},
        {PROBLEM_TOO_LARGE, 413},    {PROBLEM_MEDIA_TYPE, 415},
        {PROBLEM_VALIDATION, 422},   {PROBLEM_PRECONDITION_REQUIRED, 428},
        {PROBLEM_RATE_LIMITED, 429}, {PROBLEM_INTERNAL, 500},
        {PROBLEM_UNAVAILABLE, 503},
};
#define EXPECTED_COUNT (sizeof(expected_statuses) / sizeof(expected_statuses[0]))

static const char *string_member(const json_t *obj, const char *key)
{
	const json_t *value = json_object_get(obj, key);

	assert_true(json_is_string(value));
	return json_string_value(value);
}

/* 1 when text holds a character outside ASCII (the Chinese half of a title). */
static int has_non_ascii(const char *text)
{
	for (; *text != '\0'; text++)
		if ((unsigned char)*text >= 0x80)
			return 1;
	return 0;
}

static void test_problem_every_type_has_its_http_status(void **state)
{
	size_t i;

	(void)state;
	/* The table covers every enum value between NONE and COUNT. */
	assert_int_equal(EXPECTED_COUNT, PROBLEM_TYPE_COUNT - 1);
	for (i = 0; i < EXPECTED_COUNT; i++)
		assert_int_equal(problem_status(expected_statuses[i].type),
		                 expected_statuses[i].status);
}

static void test_problem_out_of_range_types_are_internal_500(void **state)
{
	(void)state;
	assert_int_equal(problem_status(PROBLEM_NONE), 500);
	assert_int_equal(problem_status(PROBLEM_TYPE_COUNT), 500);
	assert_int_equal(problem_status((enum problem_type) - 1), 500);
	assert_string_equal(problem_slug(PROBLEM_NONE), "internal");
	assert_string_equal(problem_slug(PROBLEM_TYPE_COUNT), "internal");
}

static void test_problem_slugs_are_stable(void **state)
{
	(void)state;
	/* Clients key on these: a rename is an API break and must fail here. */
	assert_string_equal(problem_slug(PROBLEM_BAD_REQUEST), "bad-request");
	assert_string_equal(problem_slug(PROBLEM_UNAUTHENTICATED), "unauthenticated");
	assert_string_equal(problem_slug(PROBLEM_FORBIDDEN), "forbidden");
	assert_string_equal(problem_slug(PROBLEM_NOT_FOUND), "not-found");
	assert_string_equal(problem_slug(PROBLEM_METHOD), "method-not-allowed");
	assert_string_equal(problem_slug(PROBLEM_NOT_ACCEPTABLE), "not-acceptable");
	assert_string_equal(problem_slug(PROBLEM_CONFLICT), "conflict");
	assert_string_equal(problem_slug(PROBLEM_PRECONDITION), "precondition-failed");
	assert_string_equal(problem_slug(PROBLEM_TOO_LARGE), "payload-too-large");
	assert_string_equal(problem_slug(PROBLEM_MEDIA_TYPE), "unsupported-media-type");
	assert_string_equal(problem_slug(PROBLEM_VALIDATION), "validation");
	assert_string_equal(problem_slug(PROBLEM_PRECONDITION_REQUIRED), "precondition-required");
	assert_string_equal(problem_slug(PROBLEM_RATE_LIMITED), "rate-limited");
	assert_string_equal(problem_slug(PROBLEM_INTERNAL), "internal");
	assert_string_equal(problem_slug(PROBLEM_UNAVAILABLE), "unavailable");
}

static void test_problem_slugs_are_unique_lowercase_words(void **state)
{
	size_t i, j;
	const char *slug, *c;

	(void)state;
	for (i = 0; i < EXPECTED_COUNT; i++) {
		slug = problem_slug(expected_statuses[i].type);
		assert_true(slug[0] != '\0');
		for (c = slug; *c != '\0'; c++)
			assert_true((*c >= 'a' && *c <= 'z') || *c == '-');
		for (j = 0; j < i; j++)
			assert_string_not_equal(slug, problem_slug(expected_statuses[j].type));
	}
}

static void test_problem_json_has_rfc9457_members(void **state)
{
	struct problem p = {0};
	json_t *doc;

	(void)state;
	assert_int_equal(
	        problem_set(&p, PROBLEM_CONFLICT, "officer %d is already in org %s", 7, "A1"), -1);
	doc = problem_to_json(&p, "/api/v1/officers/7", "req-abc");
	assert_non_null(doc);
	assert_string_equal(string_member(doc, "type"), "urn:tcard:problem:conflict");
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), 409);
	assert_true(json_is_integer(json_object_get(doc, "status")));
	assert_string_equal(string_member(doc, "detail"), "officer 7 is already in org A1");
	assert_string_equal(string_member(doc, "instance"), "/api/v1/officers/7");
	assert_string_equal(string_member(doc, "request_id"), "req-abc");
	assert_null(json_object_get(doc, "errors"));
	json_decref(doc);
	problem_clear(&p);
}

static void test_problem_every_title_is_chinese_and_english(void **state)
{
	struct problem p = {0};
	json_t *doc;
	const char *title;
	char uri[96];
	size_t i;

	(void)state;
	for (i = 0; i < EXPECTED_COUNT; i++) {
		problem_set(&p, expected_statuses[i].type, NULL);
		doc = problem_to_json(&p, NULL, NULL);
		assert_non_null(doc);
		title = string_member(doc, "title");
		/* "中文 / English": both halves present. */
		assert_non_null(strstr(title, " / "));
		assert_true(has_non_ascii(title));
		assert_false(has_non_ascii(strstr(title, " / ") + 3));
		(void)snprintf(uri, sizeof(uri), "urn:tcard:problem:%s",
		               problem_slug(expected_statuses[i].type));
		assert_string_equal(string_member(doc, "type"), uri);
		assert_int_equal(json_integer_value(json_object_get(doc, "status")),
		                 expected_statuses[i].status);
		/* Without a detail of its own, the title explains. */
		assert_string_equal(string_member(doc, "detail"), title);
		assert_null(json_object_get(doc, "instance"));
		assert_null(json_object_get(doc, "request_id"));
		json_decref(doc);
	}
	problem_clear(&p);
}

static void test_problem_none_renders_as_internal_500(void **state)
{
	struct problem p = {0};
	json_t *doc;

	(void)state;
	doc = problem_to_json(&p, "/x", NULL);
	assert_non_null(doc);
	assert_string_equal(string_member(doc, "type"), "urn:tcard:problem:internal");
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), 500);
	json_decref(doc);
}

static void test_problem_field_makes_a_validation_problem(void **state)
{
	struct problem p = {0};

	(void)state;
	assert_false(problem_has_fields(&p));
	assert_int_equal(problem_field(&p, "national_id", "check_digit", "校验码错误 / bad"), -1);
	assert_int_equal(p.type, PROBLEM_VALIDATION);
	assert_int_equal(problem_status(p.type), 422);
	assert_true(problem_has_fields(&p));
	problem_clear(&p);
}

static void test_problem_field_keeps_a_type_already_set(void **state)
{
	struct problem p = {0};

	(void)state;
	problem_set(&p, PROBLEM_CONFLICT, "duplicate national ID");
	problem_field(&p, "national_id", "duplicate", "已存在 / already registered");
	assert_int_equal(p.type, PROBLEM_CONFLICT);
	assert_string_equal(p.detail, "duplicate national ID");
	problem_clear(&p);
}

static void test_problem_set_keeps_field_errors_added_before(void **state)
{
	struct problem p = {0};

	(void)state;
	problem_field(&p, "name", "required", "必填 / required");
	problem_set(&p, PROBLEM_VALIDATION, "the officer is incomplete");
	assert_true(problem_has_fields(&p));
	assert_int_equal(json_array_size(p.errors), 1);
	problem_clear(&p);
}

static void test_problem_errors_array_holds_field_reason_message(void **state)
{
	struct problem p = {0};
	json_t *doc, *errors, *first, *second;

	(void)state;
	problem_field(&p, "national_id", "check_digit", "校验码错误 / wrong check digit");
	problem_field(&p, "items[3].hours", "too_long", "最多 5 个字符 / at most 5 characters");
	doc = problem_to_json(&p, "/api/v1/officers", "r1");
	assert_non_null(doc);
	assert_string_equal(string_member(doc, "type"), "urn:tcard:problem:validation");
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), 422);
	errors = json_object_get(doc, "errors");
	assert_true(json_is_array(errors));
	assert_int_equal(json_array_size(errors), 2);
	first = json_array_get(errors, 0);
	second = json_array_get(errors, 1);
	assert_int_equal(json_object_size(first), 3);
	assert_string_equal(string_member(first, "field"), "national_id");
	assert_string_equal(string_member(first, "reason"), "check_digit");
	assert_string_equal(string_member(first, "message"), "校验码错误 / wrong check digit");
	assert_string_equal(string_member(second, "field"), "items[3].hours");
	assert_string_equal(string_member(second, "reason"), "too_long");
	/* Without a detail, the count of errors explains, in both languages. */
	assert_string_equal(string_member(doc, "detail"), "2 处输入有误 / 2 invalid field(s)");
	json_decref(doc);
	problem_clear(&p);
}

static void test_problem_json_shares_errors_and_outlives_clear(void **state)
{
	struct problem p = {0};
	json_t *doc;

	(void)state;
	problem_field(&p, "name", "required", "必填 / required");
	doc = problem_to_json(&p, NULL, NULL);
	assert_non_null(doc);
	/* The document holds its own reference: clearing the problem first must
	 * not leave it pointing at freed memory (ASan). */
	problem_clear(&p);
	assert_int_equal(json_array_size(json_object_get(doc, "errors")), 1);
	json_decref(doc);
}

static void test_problem_clear_frees_errors_and_resets(void **state)
{
	struct problem p = {0};
	int i;

	(void)state;
	for (i = 0; i < 50; i++)
		problem_field(&p, "f", "required", "必填 / required");
	problem_set(&p, PROBLEM_VALIDATION, "fifty faults");
	problem_clear(&p);
	assert_null(p.errors);
	assert_int_equal(p.type, PROBLEM_NONE);
	assert_string_equal(p.detail, "");
	assert_false(problem_has_fields(&p));
	/* Clearing twice is harmless. */
	problem_clear(&p);
	assert_null(p.errors);
}

static void test_problem_set_returns_minus_one_and_null_fmt_empties_detail(void **state)
{
	struct problem p = {0};

	(void)state;
	problem_set(&p, PROBLEM_NOT_FOUND, "first");
	assert_int_equal(problem_set(&p, PROBLEM_FORBIDDEN, NULL), -1);
	assert_int_equal(p.type, PROBLEM_FORBIDDEN);
	assert_string_equal(p.detail, "");
}

static void test_problem_long_detail_is_truncated_to_the_buffer(void **state)
{
	struct problem p = {0};
	char longer[1000];
	json_t *doc;

	(void)state;
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	problem_set(&p, PROBLEM_BAD_REQUEST, "%s", longer);
	assert_int_equal(strlen(p.detail), sizeof(p.detail) - 1);
	doc = problem_to_json(&p, NULL, NULL);
	assert_non_null(doc);
	assert_int_equal(strlen(string_member(doc, "detail")), sizeof(p.detail) - 1);
	json_decref(doc);
}

static void test_problem_truncated_chinese_detail_still_renders(void **state)
{
	struct problem p = {0};
	char longer[1000];
	json_t *doc;
	size_t shift, len;

	(void)state;
	/* Shift the cut through every byte of a 3-byte character: the detail is
	 * never left with half a character, so the problem always renders. */
	for (shift = 0; shift < 3; shift++) {
		memset(longer, 'a', shift);
		for (len = shift; len + 3 < sizeof(longer); len += 3)
			memcpy(longer + len, "警", 3);
		longer[len] = '\0';
		problem_set(&p, PROBLEM_CONFLICT, "%s", longer);
		assert_true(strlen(p.detail) < sizeof(p.detail));
		assert_true(strlen(p.detail) >= sizeof(p.detail) - 3);
		doc = problem_to_json(&p, NULL, NULL);
		assert_non_null(doc);
		assert_string_equal(string_member(doc, "detail"), p.detail);
		json_decref(doc);
	}
}

static void test_problem_detail_not_utf8_falls_back_to_title(void **state)
{
	struct problem p = {0};
	json_t *doc;

	(void)state;
	/* Client bytes passed through %s (a path segment, say) must not make the
	 * whole problem unrenderable. */
	problem_set(&p, PROBLEM_NOT_FOUND, "no officer %s", "\xff\xfe");
	doc = problem_to_json(&p, NULL, NULL);
	assert_non_null(doc);
	assert_string_equal(string_member(doc, "detail"), string_member(doc, "title"));
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), 404);
	json_decref(doc);
}

static void test_problem_instance_not_utf8_is_left_out(void **state)
{
	struct problem p = {0};
	json_t *doc;

	(void)state;
	problem_set(&p, PROBLEM_NOT_FOUND, "no resource at this path");
	doc = problem_to_json(&p, "/api/\xc3", "id-\xff");
	assert_non_null(doc);
	assert_null(json_object_get(doc, "instance"));
	assert_null(json_object_get(doc, "request_id"));
	assert_string_equal(string_member(doc, "detail"), "no resource at this path");
	json_decref(doc);
}

static void test_problem_json_dumps_as_utf8_not_escapes(void **state)
{
	struct problem p = {0};
	json_t *doc;
	char *text;

	(void)state;
	problem_set(&p, PROBLEM_UNAVAILABLE, "数据库不可用 / database unreachable");
	doc = problem_to_json(&p, "/readyz", "r");
	text = json_dumps(doc, JSON_COMPACT);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"detail\":\"数据库不可用 / database unreachable\""));
	assert_non_null(strstr(text, "\"status\":503"));
	free(text);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_problem_every_type_has_its_http_status),
	        cmocka_unit_test(test_problem_out_of_range_types_are_internal_500),
	        cmocka_unit_test(test_problem_slugs_are_stable),
	        cmocka_unit_test(test_problem_slugs_are_unique_lowercase_words),
	        cmocka_unit_test(test_problem_json_has_rfc9457_members),
	        cmocka_unit_test(test_problem_every_title_is_chinese_and_english),
	        cmocka_unit_test(test_problem_none_renders_as_internal_500),
	        cmocka_unit_test(test_problem_field_makes_a_validation_problem),
	        cmocka_unit_test(test_problem_field_keeps_a_type_already_set),
	        cmocka_unit_test(test_problem_set_keeps_field_errors_added_before),
	        cmocka_unit_test(test_problem_errors_array_holds_field_reason_message),
	        cmocka_unit_test(test_problem_json_shares_errors_and_outlives_clear),
	        cmocka_unit_test(test_problem_clear_frees_errors_and_resets),
	        cmocka_unit_test(test_problem_set_returns_minus_one_and_null_fmt_empties_detail),
	        cmocka_unit_test(test_problem_long_detail_is_truncated_to_the_buffer),
	        cmocka_unit_test(test_problem_truncated_chinese_detail_still_renders),
	        cmocka_unit_test(test_problem_detail_not_utf8_falls_back_to_title),
	        cmocka_unit_test(test_problem_instance_not_utf8_is_left_out),
	        cmocka_unit_test(test_problem_json_dumps_as_utf8_not_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
