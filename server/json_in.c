/* json_in.c — strict request-body parsing and field validation (json_in.h). */
#include "json_in.h"

#include "arena.h"
#include "rules.h"

#include <stdio.h>
#include <string.h>

static int json_in_depth_ok(const json_t *value, int depth)
{
	const char *key;
	json_t *child;
	size_t i;

	/* Depth counts containers, as Jansson's own limit does: a scalar adds none. */
	if (!json_is_object(value) && !json_is_array(value))
		return 1;
	if (depth > JSON_IN_MAX_DEPTH)
		return 0;
	if (json_is_object(value)) {
		json_object_foreach((json_t *)value, key,
		                    child) if (!json_in_depth_ok(child, depth + 1)) return 0;
	} else if (json_is_array(value)) {
		json_array_foreach(value, i,
		                   child) if (!json_in_depth_ok(child, depth + 1)) return 0;
	}
	return 1;
}

/* A fixed description of a parse failure, never quoting the input. */
static const char *json_in_fault(enum json_error_code code)
{
	switch (code) {
	case json_error_premature_end_of_input:
		return "the body ends too early";
	case json_error_invalid_utf8:
		return "the body is not valid UTF-8";
	case json_error_invalid_syntax:
		return "invalid syntax";
	case json_error_invalid_format:
		return "invalid format";
	case json_error_duplicate_key:
		return "duplicate key: a key appears twice in one object";
	case json_error_end_of_input_expected:
		return "text follows the JSON value";
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return "the body contains a NUL character";
	case json_error_numeric_overflow:
		return "a number is too large";
	case json_error_stack_overflow:
		return "the JSON is nested too deeply";
	default:
		return "invalid JSON";
	}
}

json_t *json_in_parse(const char *data, size_t len, struct problem *p)
{
	json_error_t error;
	json_t *doc;

	if (data == NULL || len == 0) {
		problem_set(p, PROBLEM_BAD_REQUEST,
		            "the request body is empty: send a JSON object");
		return NULL;
	}
	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &error);
	/* Out of memory is the server's failure, not the body's. Jansson 2.14 says
	 * so by the error code, or not at all (no text) when it fails to start;
	 * a few failures inside its lexer it reports as syntax errors (400). */
	if (doc == NULL &&
	    (json_error_code(&error) == json_error_out_of_memory || error.text[0] == '\0')) {
		problem_set(p, PROBLEM_INTERNAL, "out of memory while parsing the request body");
		return NULL;
	}
	if (doc == NULL) {
		/* Jansson's text quotes the offending token ("near '4414…'"), which
		 * can be a national ID: say only where and what kind of fault. */
		problem_set(p, PROBLEM_BAD_REQUEST, "malformed JSON at line %d, column %d: %s",
		            error.line, error.column, json_in_fault(json_error_code(&error)));
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		problem_set(p, PROBLEM_BAD_REQUEST, "the request body must be a JSON object");
		return NULL;
	}
	if (!json_in_depth_ok(doc, 1)) {
		json_decref(doc);
		problem_set(p, PROBLEM_BAD_REQUEST, "the JSON is nested more than %d levels deep",
		            JSON_IN_MAX_DEPTH);
		return NULL;
	}
	return doc;
}

/* Number of UTF-8 code points (Jansson has validated the encoding). */
static size_t json_in_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int json_in_has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

static const char *json_in_type_name(enum field_type type)
{
	switch (type) {
	case FIELD_STRING:
	case FIELD_CHOICE:
		return "字符串 / a string";
	case FIELD_INTEGER:
		return "整数 / an integer";
	case FIELD_BOOLEAN:
		return "true 或 false / true or false";
	case FIELD_DATE:
		return "日期 YYYY-MM-DD / a date YYYY-MM-DD";
	}
	return "?";
}

static int json_in_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* Trims ASCII white space off a string value in place. 0, or -1 when memory runs out. */
static int json_in_trim(json_t *value)
{
	const char *s = json_string_value(value);
	size_t start = strspn(s, " \t\r\n"), end = json_string_length(value);

	while (end > start && strchr(" \t\r\n", s[end - 1]) != NULL)
		end--;
	if (start > 0 || end < json_string_length(value))
		return json_string_setn(value, s + start, end - start);
	return 0;
}

/* Checks one present value; returns 0, or -1 after recording the fault in p. */
static int json_in_check_value(json_t *value, const struct field_spec *spec, struct problem *p)
{
	char message[300];
	const char *s;
	size_t max;
	struct rules_date date;
	int i;

	if (json_is_null(value)) {
		if (!(spec->flags & FIELD_NULLABLE))
			return problem_field(p, spec->name,
			                     spec->flags & FIELD_REQUIRED ? "required" : "null",
			                     "不能为空 / must not be null");
		return 0;
	}
	switch (spec->type) {
	case FIELD_INTEGER:
		if (!json_is_integer(value))
			goto wrong_type;
		return 0;
	case FIELD_BOOLEAN:
		if (!json_is_boolean(value))
			goto wrong_type;
		return 0;
	case FIELD_STRING:
	case FIELD_DATE:
	case FIELD_CHOICE:
		if (!json_is_string(value))
			goto wrong_type;
		break;
	}
	if (json_in_trim(value) != 0)
		return problem_set(p, PROBLEM_INTERNAL, "out of memory while checking the body");
	if (json_in_has_control(json_string_value(value), json_string_length(value)))
		return problem_field(p, spec->name, "control_character",
		                     "含有不可见控制字符 / contains a control character");
	s = json_string_value(value);
	if ((spec->flags & FIELD_REQUIRED) && json_in_blank(s))
		return problem_field(p, spec->name, "required", "不能为空 / must not be empty");
	switch (spec->type) {
	case FIELD_STRING:
		max = spec->max_chars ? spec->max_chars : 200;
		if (json_in_chars(s) > max) {
			(void)snprintf(message, sizeof(message),
			               "最多 %zu 个字符 / at most %zu characters", max, max);
			return problem_field(p, spec->name, "too_long", message);
		}
		return 0;
	case FIELD_DATE:
		if (rules_date_parse(s, &date) != 0)
			return problem_field(
			        p, spec->name, "date",
			        "日期应为 YYYY-MM-DD 且真实存在 / must be a real date, YYYY-MM-DD");
		return 0;
	case FIELD_CHOICE:
		for (i = 0; spec->choices[i] != NULL; i++)
			if (strcmp(spec->choices[i], s) == 0)
				return 0;
		{
			size_t len = (size_t)snprintf(message, sizeof(message),
			                              "取值须为 / must be one of:");

			for (i = 0; spec->choices[i] != NULL && len < sizeof(message); i++)
				len += (size_t)snprintf(message + len, sizeof(message) - len,
				                        "%s %s", i ? "," : "", spec->choices[i]);
		}
		return problem_field(p, spec->name, "choice", message);
	default:
		return 0;
	}
wrong_type:
	(void)snprintf(message, sizeof(message), "应为%s", json_in_type_name(spec->type));
	return problem_field(p, spec->name, "type", message);
}

int json_in_check(json_t *obj, const struct field_spec *specs, size_t count, int partial,
                  struct problem *p)
{
	const char *key;
	json_t *value;
	size_t i;
	int status = 0; /* not problem_has_fields(p): out of memory may lose an entry */

	json_object_foreach(obj, key, value)
	{
		for (i = 0; i < count; i++)
			if (strcmp(specs[i].name, key) == 0)
				break;
		if (i == count) {
			/* The key is client text: it goes into the field name only,
			 * which is where the client needs it. */
			status = problem_field(p, key, "unknown_field", "未知字段 / unknown field");
			continue;
		}
		if (json_in_check_value(value, &specs[i], p) != 0)
			status = -1;
	}
	for (i = 0; i < count && !partial; i++)
		if ((specs[i].flags & FIELD_REQUIRED) &&
		    json_object_get(obj, specs[i].name) == NULL)
			status = problem_field(p, specs[i].name, "required", "必填 / required");
	return status;
}

const char *json_in_string(struct arena *arena, const json_t *obj, const char *name)
{
	const json_t *value = json_object_get(obj, name);

	if (!json_is_string(value))
		return NULL;
	return arena_strndup(arena, json_string_value(value), json_string_length(value));
}

int json_in_present(const json_t *obj, const char *name)
{
	return json_object_get(obj, name) != NULL;
}
