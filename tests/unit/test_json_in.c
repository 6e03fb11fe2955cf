/* test_json_in.c — unit tests for json_in.c: the strict body parser (duplicate
 * keys, object at the top, depth) and the field checker (unknown fields, types,
 * required, trimming, lengths in code points, dates, choices), which must
 * report every fault of a body at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "json_in.h"

static const char *const officer_kinds[] = {"police", "auxiliary", "civilian", NULL};

/* A body spec shaped like the officer resource: one field of every type. */
static const struct field_spec officer_specs[] = {
        {"name", FIELD_STRING, FIELD_REQUIRED, 50, NULL, "姓名"},
        {"post", FIELD_STRING, 0, 0, NULL, "岗位"}, /* default limit: 200 */
        {"org_id", FIELD_INTEGER, FIELD_REQUIRED, 0, NULL, "单位"},
        {"active", FIELD_BOOLEAN, 0, 0, NULL, "在职"},
        {"hire_date", FIELD_DATE, FIELD_NULLABLE, 0, NULL, "入职日期"},
        {"birth_date", FIELD_DATE, FIELD_REQUIRED, 0, NULL, "出生日期"},
        {"kind", FIELD_CHOICE, FIELD_REQUIRED, 0, officer_kinds, "人员类别"},
        {"note", FIELD_STRING, FIELD_NULLABLE, 10, NULL, "备注"},
};
#define OFFICER_SPEC_COUNT (sizeof(officer_specs) / sizeof(officer_specs[0]))

/* The one place that knows a valid officer body; tests change one field. */
static json_t *valid_officer(void)
{
	json_t *obj = json_pack("{s:s, s:s, s:i, s:b, s:s, s:s, s:s, s:s}", "name", "张三", "post",
	                        "巡警", "org_id", 12, "active", 1, "hire_date", "2020-09-01",
	                        "birth_date", "1990-03-07", "kind", "police", "note", "无");

	assert_non_null(obj);
	return obj;
}

/* valid_officer() with one member replaced (value is stolen; NULL removes it). */
static json_t *officer_with(const char *field, json_t *value)
{
	json_t *obj = valid_officer();

	if (value == NULL)
		assert_int_equal(json_object_del(obj, field), 0);
	else
		assert_int_equal(json_object_set_new(obj, field, value), 0);
	return obj;
}

static int check(json_t *obj, int partial, struct problem *p)
{
	return json_in_check(obj, officer_specs, OFFICER_SPEC_COUNT, partial, p);
}

static json_t *parse(const char *text, struct problem *p)
{
	return json_in_parse(text, strlen(text), p);
}

/* The reason recorded for field, or NULL when it has no error. */
static const char *reason_for(const struct problem *p, const char *field)
{
	size_t i;
	json_t *error;

	json_array_foreach(p->errors, i, error)
	{
		if (strcmp(json_string_value(json_object_get(error, "field")), field) == 0)
			return json_string_value(json_object_get(error, "reason"));
	}
	return NULL;
}

static const char *message_for(const struct problem *p, const char *field)
{
	size_t i;
	json_t *error;

	json_array_foreach(p->errors, i, error)
	{
		if (strcmp(json_string_value(json_object_get(error, "field")), field) == 0)
			return json_string_value(json_object_get(error, "message"));
	}
	return NULL;
}

/* Checks an officer whose field is value and asserts the one error's reason
 * (NULL: no error at all). */
static void assert_field_reason(const char *field, json_t *value, int partial, const char *reason)
{
	struct problem p = {0};
	json_t *obj = officer_with(field, value);

	if (reason == NULL) {
		assert_int_equal(check(obj, partial, &p), 0);
		assert_int_equal(p.type, PROBLEM_NONE);
		assert_null(p.errors);
	} else {
		assert_int_equal(check(obj, partial, &p), -1);
		assert_int_equal(p.type, PROBLEM_VALIDATION);
		assert_int_equal(json_array_size(p.errors), 1);
		assert_non_null(reason_for(&p, field));
		assert_string_equal(reason_for(&p, field), reason);
	}
	json_decref(obj);
	problem_clear(&p);
}

/* A string of n copies of the UTF-8 text unit (caller frees). */
static char *repeat(const char *unit, size_t n)
{
	size_t len = strlen(unit), i;
	char *out = malloc(len * n + 1);

	assert_non_null(out);
	for (i = 0; i < n; i++)
		memcpy(out + i * len, unit, len);
	out[len * n] = '\0';
	return out;
}

/* An object nested containers deep ({"a":[{"a":…}]}: objects and arrays taking
 * turns), with leaf inside the innermost one (or nothing when leaf is NULL).
 * Caller frees. */
static char *nested(int containers, const char *leaf)
{
	struct buf text;
	char *out;
	int i;

	buf_init(&text, 1024 * 1024);
	for (i = 0; i < containers; i++) {
		if (i % 2 == 1)
			assert_int_equal(buf_puts(&text, "["), 0);
		else
			assert_int_equal(buf_puts(&text, i == containers - 1 ? "{" : "{\"a\":"), 0);
	}
	/* The innermost container is an object when containers is odd. */
	if (leaf != NULL)
		assert_int_equal(
		        buf_printf(&text, "%s%s", containers % 2 == 1 ? "\"k\":" : "", leaf), 0);
	for (i = containers - 1; i >= 0; i--)
		assert_int_equal(buf_puts(&text, i % 2 == 1 ? "]" : "}"), 0);
	out = buf_detach(&text);
	assert_non_null(out);
	return out;
}

static void assert_parse_fails(const char *text, size_t len, const char *detail_part)
{
	struct problem p = {0};

	assert_null(json_in_parse(text, len, &p));
	assert_int_equal(p.type, PROBLEM_BAD_REQUEST);
	assert_int_equal(problem_status(p.type), 400);
	assert_null(p.errors);
	if (detail_part != NULL)
		assert_non_null(strstr(p.detail, detail_part));
	problem_clear(&p);
}

/* ---- json_in_parse ---- */

static void test_json_in_parse_accepts_an_object(void **state)
{
	struct problem p = {0};
	json_t *doc;

	(void)state;
	doc = parse("{\"name\": \"张三\", \"org_id\": 3}", &p);
	assert_non_null(doc);
	assert_true(json_is_object(doc));
	assert_string_equal(json_string_value(json_object_get(doc, "name")), "张三");
	assert_int_equal(p.type, PROBLEM_NONE);
	json_decref(doc);
}

static void test_json_in_parse_reads_only_len_bytes(void **state)
{
	struct problem p = {0};
	const char text[] = "{\"a\":1}garbage after the body";
	json_t *doc;

	(void)state;
	doc = json_in_parse(text, strlen("{\"a\":1}"), &p);
	assert_non_null(doc);
	json_decref(doc);
	assert_parse_fails(text, strlen(text), "malformed JSON");
}

/* SECURITY.md 10: the detail names where, never what (Jansson quotes the token). */
static void test_json_in_parse_detail_never_echoes_the_body(void **state)
{
	static const char *const bodies[] = {
	        "{\"national_id\": \"441402198412050009}",
	        "{\"national_id\": 441402198412050009x}",
	        "{\"441402198412050009\" 1}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct problem p = {0};

		assert_null(json_in_parse(bodies[i], strlen(bodies[i]), &p));
		assert_int_equal(p.type, PROBLEM_BAD_REQUEST);
		assert_null(strstr(p.detail, "4414"));
		assert_non_null(strstr(p.detail, "line 1"));
		problem_clear(&p);
	}
}

static void test_json_in_parse_rejects_duplicate_keys(void **state)
{
	(void)state;
	/* Two "role" keys: which one wins must never be a question (SECURITY.md 5). */
	assert_parse_fails("{\"role\": \"officer\", \"role\": \"admin\"}",
	                   strlen("{\"role\": \"officer\", \"role\": \"admin\"}"), "duplicate");
	assert_parse_fails("{\"a\": {\"b\": 1, \"b\": 2}}", strlen("{\"a\": {\"b\": 1, \"b\": 2}}"),
	                   "duplicate");
}

static void test_json_in_parse_rejects_non_object_top(void **state)
{
	static const char *const bodies[] = {"[]", "[{\"a\":1}]", "\"text\"", "1", "true", "null"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		assert_parse_fails(bodies[i], strlen(bodies[i]), NULL);
	assert_parse_fails("[1, 2]", 6, "must be a JSON object");
}

static void test_json_in_parse_rejects_empty_body(void **state)
{
	(void)state;
	assert_parse_fails("", 0, "empty");
	assert_parse_fails(NULL, 0, "empty");
	assert_parse_fails("{}", 0, "empty");
	assert_parse_fails("   \r\n", 5, "malformed JSON");
}

static void test_json_in_parse_malformed_detail_names_line_and_column(void **state)
{
	(void)state;
	assert_parse_fails("{\"a\": }", 7, "malformed JSON at line 1, column 7");
	assert_parse_fails("{\n\"a\": 1,\n}", 11, "line 3");
	assert_parse_fails("{\"a\": 1", 7, "malformed JSON");
	assert_parse_fails("{'a': 1}", 8, "malformed JSON");
}

static void test_json_in_parse_rejects_nul_and_bad_utf8(void **state)
{
	(void)state;
	assert_parse_fails("{\"a\": \"x\\u0000y\"}", strlen("{\"a\": \"x\\u0000y\"}"), NULL);
	assert_parse_fails("{\"a\": 1}\0", 9, NULL);
	assert_parse_fails("{\"a\": \"\xff\"}", 9, NULL);
	assert_parse_fails("{\"\xe4\xb8\": 1}", 9, NULL);
}

static void test_json_in_parse_accepts_16_levels_of_nesting(void **state)
{
	struct problem p = {0};
	char *text;
	json_t *doc;

	(void)state;
	/* 16 containers with an empty innermost one, and with a scalar inside
	 * it: a scalar is no level of nesting. */
	text = nested(JSON_IN_MAX_DEPTH, NULL);
	doc = parse(text, &p);
	assert_non_null(doc);
	json_decref(doc);
	free(text);
	text = nested(JSON_IN_MAX_DEPTH, "1");
	doc = parse(text, &p);
	assert_non_null(doc);
	assert_int_equal(p.type, PROBLEM_NONE);
	json_decref(doc);
	free(text);
}

static void test_json_in_parse_rejects_17_levels_of_nesting(void **state)
{
	char *text;

	(void)state;
	text = nested(JSON_IN_MAX_DEPTH + 1, NULL);
	assert_parse_fails(text, strlen(text), "nested more than 16 levels");
	free(text);
	text = nested(JSON_IN_MAX_DEPTH + 1, "\"deep\"");
	assert_parse_fails(text, strlen(text), "nested more than 16 levels");
	free(text);
	/* Far deeper than any body: refused, no stack trouble. */
	text = nested(1000, NULL);
	assert_parse_fails(text, strlen(text), NULL);
	free(text);
}

/* ---- json_in_check ---- */

static void test_json_in_check_accepts_a_valid_body_untouched(void **state)
{
	struct problem p = {0};
	json_t *obj = valid_officer();

	(void)state;
	assert_int_equal(check(obj, 0, &p), 0);
	assert_int_equal(p.type, PROBLEM_NONE);
	assert_null(p.errors);
	assert_string_equal(json_string_value(json_object_get(obj, "name")), "张三");
	json_decref(obj);
}

static void test_json_in_check_unknown_field_is_reported_by_name(void **state)
{
	struct problem p = {0};
	json_t *obj = officer_with("role", json_string("admin"));

	(void)state;
	/* No mass assignment: a field the spec does not name is an error, not ignored. */
	assert_int_equal(check(obj, 0, &p), -1);
	assert_string_equal(reason_for(&p, "role"), "unknown_field");
	assert_int_equal(json_array_size(p.errors), 1);
	json_decref(obj);
	problem_clear(&p);
	obj = officer_with("备注2", json_integer(1));
	assert_int_equal(check(obj, 1, &p), -1);
	assert_string_equal(reason_for(&p, "备注2"), "unknown_field");
	json_decref(obj);
	problem_clear(&p);
}

static void test_json_in_check_wrong_type_is_type(void **state)
{
	(void)state;
	assert_field_reason("name", json_integer(5), 0, "type");
	assert_field_reason("name", json_array(), 0, "type");
	assert_field_reason("org_id", json_string("12"), 0, "type");
	assert_field_reason("org_id", json_real(12.0), 0, "type");
	assert_field_reason("org_id", json_true(), 0, "type");
	assert_field_reason("active", json_integer(1), 0, "type");
	assert_field_reason("active", json_string("true"), 0, "type");
	assert_field_reason("hire_date", json_integer(20200901), 0, "type");
	assert_field_reason("kind", json_object(), 0, "type");
}

static void test_json_in_check_type_message_names_the_expected_type(void **state)
{
	struct problem p = {0};
	json_t *obj = officer_with("org_id", json_string("12"));

	(void)state;
	check(obj, 0, &p);
	assert_non_null(strstr(message_for(&p, "org_id"), "an integer"));
	json_decref(obj);
	problem_clear(&p);
}

static void test_json_in_check_missing_required_is_required(void **state)
{
	(void)state;
	assert_field_reason("name", NULL, 0, "required");
	assert_field_reason("org_id", NULL, 0, "required");
	assert_field_reason("kind", NULL, 0, "required");
	/* Optional fields may be left out. */
	assert_field_reason("post", NULL, 0, NULL);
	assert_field_reason("hire_date", NULL, 0, NULL);
	assert_field_reason("active", NULL, 0, NULL);
}

static void test_json_in_check_partial_mode_skips_required(void **state)
{
	struct problem p = {0};
	json_t *obj = json_pack("{s:s}", "post", "交警");

	(void)state;
	/* PATCH: only what is sent is checked. */
	assert_int_equal(check(obj, 1, &p), 0);
	assert_null(p.errors);
	assert_int_equal(check(obj, 0, &p), -1);
	assert_string_equal(reason_for(&p, "name"), "required");
	assert_string_equal(reason_for(&p, "org_id"), "required");
	assert_string_equal(reason_for(&p, "birth_date"), "required");
	assert_string_equal(reason_for(&p, "kind"), "required");
	assert_int_equal(json_array_size(p.errors), 4);
	json_decref(obj);
	problem_clear(&p);
}

static void test_json_in_check_partial_mode_still_checks_what_is_sent(void **state)
{
	(void)state;
	assert_field_reason("org_id", json_string("x"), 1, "type");
	assert_field_reason("hire_date", json_string("2026-02-30"), 1, "date");
	/* A PATCH cannot blank out a required field either. */
	assert_field_reason("name", json_null(), 1, "required");
	assert_field_reason("name", json_string("  "), 1, "required");
}

static void test_json_in_check_null_needs_nullable(void **state)
{
	(void)state;
	assert_field_reason("hire_date", json_null(), 0, NULL);
	assert_field_reason("note", json_null(), 0, NULL);
	assert_field_reason("post", json_null(), 0, "null");
	assert_field_reason("active", json_null(), 0, "null");
	assert_field_reason("name", json_null(), 0, "required");
}

static void test_json_in_check_blank_required_string_is_required(void **state)
{
	(void)state;
	assert_field_reason("name", json_string(""), 0, "required");
	assert_field_reason("name", json_string(" \t\r\n "), 0, "required");
	assert_field_reason("birth_date", json_string(" "), 0, "required");
	/* An optional string may be empty. */
	assert_field_reason("post", json_string(""), 0, NULL);
}

static void test_json_in_check_trims_strings_in_place(void **state)
{
	struct problem p = {0};
	json_t *obj = officer_with("name", json_string(" \t张三\r\n "));

	(void)state;
	assert_int_equal(json_object_set_new(obj, "hire_date", json_string("  2020-09-01 ")), 0);
	assert_int_equal(json_object_set_new(obj, "kind", json_string("\tauxiliary ")), 0);
	assert_int_equal(check(obj, 0, &p), 0);
	assert_string_equal(json_string_value(json_object_get(obj, "name")), "张三");
	assert_int_equal(json_string_length(json_object_get(obj, "name")), strlen("张三"));
	assert_string_equal(json_string_value(json_object_get(obj, "hire_date")), "2020-09-01");
	assert_string_equal(json_string_value(json_object_get(obj, "kind")), "auxiliary");
	json_decref(obj);
}

static void test_json_in_check_trim_keeps_inner_spaces(void **state)
{
	struct problem p = {0};
	json_t *obj = officer_with("post", json_string("  社区 民警  "));

	(void)state;
	assert_int_equal(check(obj, 0, &p), 0);
	assert_string_equal(json_string_value(json_object_get(obj, "post")), "社区 民警");
	json_decref(obj);
}

static void test_json_in_check_50_chinese_characters_fit_max_50(void **state)
{
	char *name = repeat("警", 50);

	(void)state;
	/* 150 bytes but 50 characters: the limit is in code points. */
	assert_int_equal(strlen(name), 150);
	assert_field_reason("name", json_string(name), 0, NULL);
	free(name);
}

static void test_json_in_check_51_chinese_characters_are_too_long(void **state)
{
	struct problem p = {0};
	char *name = repeat("警", 51);
	json_t *obj = officer_with("name", json_string(name));

	(void)state;
	assert_int_equal(check(obj, 0, &p), -1);
	assert_string_equal(reason_for(&p, "name"), "too_long");
	assert_non_null(strstr(message_for(&p, "name"), "50"));
	json_decref(obj);
	problem_clear(&p);
	free(name);
}

static void test_json_in_check_length_counts_four_byte_characters_once(void **state)
{
	char *name = repeat("𠀀", 50); /* U+20000, four bytes in UTF-8 */

	(void)state;
	assert_field_reason("name", json_string(name), 0, NULL);
	free(name);
	name = repeat("𠀀", 51);
	assert_field_reason("name", json_string(name), 0, "too_long");
	free(name);
}

static void test_json_in_check_length_is_measured_after_trimming(void **state)
{
	char *name = repeat("a", 50), padded[80];

	(void)state;
	(void)snprintf(padded, sizeof(padded), "   %s   ", name);
	assert_field_reason("name", json_string(padded), 0, NULL);
	free(name);
}

static void test_json_in_check_default_string_limit_is_200(void **state)
{
	char *post = repeat("a", 200);

	(void)state;
	assert_field_reason("post", json_string(post), 0, NULL);
	free(post);
	post = repeat("a", 201);
	assert_field_reason("post", json_string(post), 0, "too_long");
	free(post);
}

static void test_json_in_check_control_characters_are_rejected(void **state)
{
	(void)state;
	assert_field_reason("name", json_string("张\t三"), 0, "control_character");
	assert_field_reason("name", json_string("a\nb"), 0, "control_character");
	assert_field_reason("post", json_string("x\x01y"), 0, "control_character");
	assert_field_reason("post", json_string("del\x7f"), 0, "control_character");
	assert_field_reason("post", json_string("\x1b[31mred"), 0, "control_character");
	/* Surrounding white space is trimmed first, so a pasted "\n" is fine. */
	assert_field_reason("post", json_string("巡警\n"), 0, NULL);
}

static void test_json_in_check_real_dates_pass(void **state)
{
	(void)state;
	assert_field_reason("birth_date", json_string("2026-02-28"), 0, NULL);
	assert_field_reason("birth_date", json_string("2024-02-29"), 0, NULL);
	assert_field_reason("birth_date", json_string("2000-02-29"), 0, NULL);
	assert_field_reason("birth_date", json_string("1990-12-31"), 0, NULL);
}

static void test_json_in_check_impossible_or_malformed_dates_fail(void **state)
{
	static const char *const bad[] = {
	        "2026-02-30", "2026-13-01",          "2026-1-1",   "2026-00-10",
	        "2026-04-31", "2025-02-29",          "1900-02-29", "2026/01/01",
	        "20260101",   "2026-01-01T00:00:00", "today",      "2026-01-0x",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_field_reason("birth_date", json_string(bad[i]), 0, "date");
	/* An optional date given as "" is no date either. */
	assert_field_reason("hire_date", json_string(""), 0, "date");
}

static void test_json_in_check_unknown_choice_is_choice(void **state)
{
	struct problem p = {0};
	json_t *obj = officer_with("kind", json_string("POLICE"));

	(void)state;
	/* Case matters: stored values are exact words. */
	assert_int_equal(check(obj, 0, &p), -1);
	assert_string_equal(reason_for(&p, "kind"), "choice");
	/* The message lists what is allowed. */
	assert_non_null(strstr(message_for(&p, "kind"), "police"));
	assert_non_null(strstr(message_for(&p, "kind"), "auxiliary"));
	assert_non_null(strstr(message_for(&p, "kind"), "civilian"));
	json_decref(obj);
	problem_clear(&p);
	assert_field_reason("kind", json_string("civilian"), 0, NULL);
	assert_field_reason("kind", json_string("polic"), 0, "choice");
}

static void test_json_in_check_collects_every_fault_at_once(void **state)
{
	struct problem p = {0};
	char *long_note = repeat("长", 11);
	json_t *obj = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:s}", "name", "a\x02", "org_id",
	                        "7", "active", 0, "birth_date", "2026-02-30", "kind", "pilot",
	                        "note", long_note, "role", "admin");
	json_t *doc;

	(void)state;
	assert_non_null(obj);
	assert_int_equal(check(obj, 0, &p), -1);
	assert_int_equal(p.type, PROBLEM_VALIDATION);
	assert_string_equal(reason_for(&p, "name"), "control_character");
	assert_string_equal(reason_for(&p, "org_id"), "type");
	assert_string_equal(reason_for(&p, "birth_date"), "date");
	assert_string_equal(reason_for(&p, "kind"), "choice");
	assert_string_equal(reason_for(&p, "note"), "too_long");
	assert_string_equal(reason_for(&p, "role"), "unknown_field");
	assert_null(reason_for(&p, "active"));
	assert_int_equal(json_array_size(p.errors), 6);
	/* And they render as one problem+json. */
	doc = problem_to_json(&p, "/api/v1/officers", "r");
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "errors")), 6);
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), 422);
	json_decref(doc);
	json_decref(obj);
	problem_clear(&p);
	free(long_note);
}

static void test_json_in_check_missing_and_wrong_fields_together(void **state)
{
	struct problem p = {0};
	json_t *obj = json_pack("{s:i}", "name", 3);

	(void)state;
	assert_int_equal(check(obj, 0, &p), -1);
	/* One error per field: a wrong name is "type", not also "required". */
	assert_string_equal(reason_for(&p, "name"), "type");
	assert_string_equal(reason_for(&p, "org_id"), "required");
	assert_string_equal(reason_for(&p, "birth_date"), "required");
	assert_string_equal(reason_for(&p, "kind"), "required");
	assert_int_equal(json_array_size(p.errors), 4);
	json_decref(obj);
	problem_clear(&p);
}

static void test_json_in_string_copies_into_the_arena(void **state)
{
	struct arena *arena = arena_new(64 * 1024);
	json_t *obj = valid_officer();
	const char *name;

	(void)state;
	assert_non_null(arena);
	assert_int_equal(json_object_set_new(obj, "hire_date", json_null()), 0);
	name = json_in_string(arena, obj, "name");
	assert_string_equal(name, "张三");
	assert_ptr_not_equal(name, json_string_value(json_object_get(obj, "name")));
	assert_null(json_in_string(arena, obj, "hire_date"));
	assert_null(json_in_string(arena, obj, "absent"));
	assert_null(json_in_string(arena, obj, "org_id"));
	assert_true(json_in_present(obj, "hire_date"));
	assert_true(json_in_present(obj, "name"));
	assert_false(json_in_present(obj, "absent"));
	json_decref(obj);
	/* The copy outlives the document. */
	assert_string_equal(name, "张三");
	arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_json_in_parse_accepts_an_object),
	        cmocka_unit_test(test_json_in_parse_reads_only_len_bytes),
	        cmocka_unit_test(test_json_in_parse_rejects_duplicate_keys),
	        cmocka_unit_test(test_json_in_parse_detail_never_echoes_the_body),
	        cmocka_unit_test(test_json_in_parse_rejects_non_object_top),
	        cmocka_unit_test(test_json_in_parse_rejects_empty_body),
	        cmocka_unit_test(test_json_in_parse_malformed_detail_names_line_and_column),
	        cmocka_unit_test(test_json_in_parse_rejects_nul_and_bad_utf8),
	        cmocka_unit_test(test_json_in_parse_accepts_16_levels_of_nesting),
	        cmocka_unit_test(test_json_in_parse_rejects_17_levels_of_nesting),
	        cmocka_unit_test(test_json_in_check_accepts_a_valid_body_untouched),
	        cmocka_unit_test(test_json_in_check_unknown_field_is_reported_by_name),
	        cmocka_unit_test(test_json_in_check_wrong_type_is_type),
	        cmocka_unit_test(test_json_in_check_type_message_names_the_expected_type),
	        cmocka_unit_test(test_json_in_check_missing_required_is_required),
	        cmocka_unit_test(test_json_in_check_partial_mode_skips_required),
	        cmocka_unit_test(test_json_in_check_partial_mode_still_checks_what_is_sent),
	        cmocka_unit_test(test_json_in_check_null_needs_nullable),
	        cmocka_unit_test(test_json_in_check_blank_required_string_is_required),
	        cmocka_unit_test(test_json_in_check_trims_strings_in_place),
	        cmocka_unit_test(test_json_in_check_trim_keeps_inner_spaces),
	        cmocka_unit_test(test_json_in_check_50_chinese_characters_fit_max_50),
	        cmocka_unit_test(test_json_in_check_51_chinese_characters_are_too_long),
	        cmocka_unit_test(test_json_in_check_length_counts_four_byte_characters_once),
	        cmocka_unit_test(test_json_in_check_length_is_measured_after_trimming),
	        cmocka_unit_test(test_json_in_check_default_string_limit_is_200),
	        cmocka_unit_test(test_json_in_check_control_characters_are_rejected),
	        cmocka_unit_test(test_json_in_check_real_dates_pass),
	        cmocka_unit_test(test_json_in_check_impossible_or_malformed_dates_fail),
	        cmocka_unit_test(test_json_in_check_unknown_choice_is_choice),
	        cmocka_unit_test(test_json_in_check_collects_every_fault_at_once),
	        cmocka_unit_test(test_json_in_check_missing_and_wrong_fields_together),
	        cmocka_unit_test(test_json_in_string_copies_into_the_arena),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
