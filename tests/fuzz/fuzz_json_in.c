/* fuzz_json_in.c — fuzz harness for request bodies: json_in_parse, then
 * json_in_check (full and partial) against a spec with a field of every type,
 * then problem_to_json of whatever went wrong. Checks the contracts of
 * json_in.h on every input, not only the absence of crashes. */
#include "fuzz.h"

#include "arena.h"
#include "json_in.h"
#include "rules.h"

#include <string.h>

static const char *const fuzz_kinds[] = {"police", "auxiliary", "civilian", NULL};

static const struct field_spec fuzz_specs[] = {
        {"name", FIELD_STRING, FIELD_REQUIRED, 50, NULL, "姓名"},
        {"post", FIELD_STRING, 0, 0, NULL, "岗位"},
        {"org_id", FIELD_INTEGER, FIELD_REQUIRED, 0, NULL, "单位"},
        {"active", FIELD_BOOLEAN, 0, 0, NULL, "在职"},
        {"hire_date", FIELD_DATE, FIELD_NULLABLE, 0, NULL, "入职日期"},
        {"birth_date", FIELD_DATE, FIELD_REQUIRED, 0, NULL, "出生日期"},
        {"kind", FIELD_CHOICE, FIELD_REQUIRED, 0, fuzz_kinds, "人员类别"},
        {"note", FIELD_STRING, FIELD_NULLABLE, 5, NULL, "备注"},
};
#define FUZZ_SPEC_COUNT (sizeof(fuzz_specs) / sizeof(fuzz_specs[0]))

const struct fuzz_input fuzz_seeds[] = {
        FUZZ_TEXT("{\"name\":\"张三\",\"org_id\":12,\"active\":true,\"hire_date\":\"2020-09-01\","
                  "\"birth_date\":\"1990-03-07\",\"kind\":\"police\",\"note\":null}"),
        FUZZ_TEXT("{\"name\":\"  李四 \",\"org_id\":1,\"birth_date\":\" 2024-02-29\","
                  "\"kind\":\"auxiliary\"}"),
        FUZZ_TEXT("{\"name\":\"\",\"org_id\":\"7\",\"birth_date\":\"2026-02-30\",\"kind\":\"x\","
                  "\"role\":\"admin\"}"),
        FUZZ_TEXT("{\"post\":\"a\\tb\",\"note\":\"123456\",\"active\":1}"),
        FUZZ_TEXT("{\"a\":1,\"a\":2}"),
        FUZZ_TEXT("{\"a\":{\"b\":[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]}}"),
        FUZZ_TEXT("[1,2,3]"),
        FUZZ_TEXT("{\"name\":\"\\u0000\"}"),
        FUZZ_TEXT("{\"name\":\"\\ud83d\\ude00\\u00e9\"}"),
        FUZZ_TEXT("{\"org_id\":1e400,\"active\":nul}"),
        FUZZ_TEXT("{}"),
        FUZZ_TEXT(""),
};
const size_t fuzz_seed_count = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

const struct fuzz_input fuzz_tokens[] = {
        FUZZ_TEXT("{"),
        FUZZ_TEXT("}"),
        FUZZ_TEXT("["),
        FUZZ_TEXT("]"),
        FUZZ_TEXT(":"),
        FUZZ_TEXT(","),
        FUZZ_TEXT("\""),
        FUZZ_TEXT("\\u"),
        FUZZ_TEXT("\\ud800"),
        FUZZ_TEXT("null"),
        FUZZ_TEXT("true"),
        FUZZ_TEXT("false"),
        FUZZ_TEXT("-0"),
        FUZZ_TEXT("1e9"),
        FUZZ_TEXT("9223372036854775808"),
        FUZZ_TEXT("\"name\":"),
        FUZZ_TEXT("\"org_id\":"),
        FUZZ_TEXT("\"kind\":"),
        FUZZ_TEXT("\"note\":"),
        FUZZ_TEXT("\"police\""),
        FUZZ_TEXT("\"2024-02-29\""),
        FUZZ_TEXT("\"hire_date\":"),
        FUZZ_TEXT("张"),
        FUZZ_TEXT("\xe4\xb8"),
        FUZZ_TEXT("\xff"),
        FUZZ_TEXT(" \t\r\n"),
        FUZZ_TEXT("\\t"),
        FUZZ_TEXT("\x7f"),
};
const size_t fuzz_token_count = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);

static int fuzz_depth(const json_t *value)
{
	const char *key;
	json_t *child;
	size_t i;
	int deepest = 0, depth;

	if (json_is_object(value)) {
		json_object_foreach((json_t *)value, key, child)
		{
			depth = fuzz_depth(child);
			deepest = depth > deepest ? depth : deepest;
		}
		return deepest + 1;
	}
	if (json_is_array(value)) {
		json_array_foreach(value, i, child)
		{
			depth = fuzz_depth(child);
			deepest = depth > deepest ? depth : deepest;
		}
		return deepest + 1;
	}
	return 0;
}

static size_t fuzz_code_points(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int fuzz_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* After a clean check, each value keeps its spec: what handlers rely on. */
static void fuzz_require_checked(json_t *doc)
{
	const struct field_spec *spec;
	struct rules_date date;
	const json_t *value;
	const char *s;
	size_t i, len, max;
	int found;

	for (i = 0; i < FUZZ_SPEC_COUNT; i++) {
		spec = &fuzz_specs[i];
		value = json_object_get(doc, spec->name);
		if (value == NULL || json_is_null(value)) {
			FUZZ_REQUIRE(value == NULL || (spec->flags & FIELD_NULLABLE));
			continue;
		}
		if (spec->type == FIELD_INTEGER) {
			FUZZ_REQUIRE(json_is_integer(value));
			continue;
		}
		if (spec->type == FIELD_BOOLEAN) {
			FUZZ_REQUIRE(json_is_boolean(value));
			continue;
		}
		FUZZ_REQUIRE(json_is_string(value));
		s = json_string_value(value);
		len = json_string_length(value);
		FUZZ_REQUIRE(strlen(s) == len);
		FUZZ_REQUIRE(len == 0 || (!fuzz_is_space(s[0]) && !fuzz_is_space(s[len - 1])));
		for (size_t k = 0; k < len; k++)
			FUZZ_REQUIRE((unsigned char)s[k] >= 0x20 && s[k] != 0x7f);
		if (spec->flags & FIELD_REQUIRED)
			FUZZ_REQUIRE(len > 0);
		if (spec->type == FIELD_STRING) {
			max = spec->max_chars ? spec->max_chars : 200;
			FUZZ_REQUIRE(fuzz_code_points(s) <= max);
		} else if (spec->type == FIELD_DATE) {
			FUZZ_REQUIRE(rules_date_parse(s, &date) == 0);
		} else {
			found = 0;
			for (size_t k = 0; spec->choices[k] != NULL; k++)
				found |= strcmp(spec->choices[k], s) == 0;
			FUZZ_REQUIRE(found);
		}
	}
}

static void fuzz_require_problem(const struct problem *p)
{
	static const char *const reasons[] = {
	        "unknown_field", "type", "required", "null", "control_character",
	        "too_long",      "date", "choice",   NULL};
	json_t *doc, *error;
	char *text;
	size_t i;
	int known;

	FUZZ_REQUIRE(p->type != PROBLEM_NONE);
	json_array_foreach(p->errors, i, error)
	{
		FUZZ_REQUIRE(json_is_string(json_object_get(error, "field")));
		FUZZ_REQUIRE(json_is_string(json_object_get(error, "message")));
		known = 0;
		for (size_t k = 0; reasons[k] != NULL; k++)
			known |= strcmp(reasons[k],
			                json_string_value(json_object_get(error, "reason"))) == 0;
		FUZZ_REQUIRE(known);
	}
	/* Every problem renders, with the status of its type. */
	doc = problem_to_json(p, "/api/v1/officers", "fuzz");
	FUZZ_REQUIRE(doc != NULL);
	FUZZ_REQUIRE(json_integer_value(json_object_get(doc, "status")) ==
	             (json_int_t)problem_status(p->type));
	FUZZ_REQUIRE(json_is_string(json_object_get(doc, "detail")));
	text = json_dumps(doc, JSON_COMPACT);
	FUZZ_REQUIRE(text != NULL);
	free(text);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct problem p = {0};
	struct arena *arena;
	json_t *doc;
	int partial, full;

	doc = json_in_parse((const char *)data, size, &p);
	if (doc == NULL) {
		FUZZ_REQUIRE(p.type == PROBLEM_BAD_REQUEST);
		FUZZ_REQUIRE(p.detail[0] != '\0');
		fuzz_require_problem(&p);
		goto done;
	}
	FUZZ_REQUIRE(p.type == PROBLEM_NONE);
	FUZZ_REQUIRE(json_is_object(doc));
	FUZZ_REQUIRE(fuzz_depth(doc) <= JSON_IN_MAX_DEPTH);

	/* Partial first: it must never report more than the full check. */
	partial = json_in_check(doc, fuzz_specs, FUZZ_SPEC_COUNT, 1, &p);
	FUZZ_REQUIRE(partial == 0 || partial == -1);
	FUZZ_REQUIRE((partial == 0) == (p.type == PROBLEM_NONE));
	FUZZ_REQUIRE((partial == 0) == !problem_has_fields(&p));
	problem_clear(&p);
	full = json_in_check(doc, fuzz_specs, FUZZ_SPEC_COUNT, 0, &p);
	FUZZ_REQUIRE(partial == 0 || full == -1);
	if (full == 0) {
		FUZZ_REQUIRE(p.type == PROBLEM_NONE && p.errors == NULL);
		fuzz_require_checked(doc);
		arena = arena_new(64 * 1024);
		FUZZ_REQUIRE(arena != NULL);
		FUZZ_REQUIRE(json_in_string(arena, doc, "name") != NULL);
		FUZZ_REQUIRE(json_in_present(doc, "org_id"));
		arena_free(arena);
	} else {
		FUZZ_REQUIRE(full == -1);
		FUZZ_REQUIRE(p.type == PROBLEM_VALIDATION);
		FUZZ_REQUIRE(problem_has_fields(&p));
		fuzz_require_problem(&p);
	}
done:
	json_decref(doc);
	problem_clear(&p);
	return 0;
}
