/* json_in.h — strict JSON request bodies (SECURITY.md 5): duplicate keys
 * rejected, an object at the top, nesting at most 16 deep; typed field specs
 * that reject unknown fields (no mass assignment) and wrong types, collecting
 * every field error into one problem. */
#ifndef TCARD_JSON_IN_H
#define TCARD_JSON_IN_H

#include "problem.h"

#include <jansson.h>
#include <stddef.h>

struct arena;

#define JSON_IN_MAX_DEPTH 16

enum field_type {
	FIELD_STRING, /* text without control characters, trimmed, max_chars code points */
	FIELD_INTEGER,
	FIELD_BOOLEAN,
	FIELD_DATE,   /* "YYYY-MM-DD", a real calendar day */
	FIELD_CHOICE, /* one string of choices[] */
};

#define FIELD_REQUIRED 1u
#define FIELD_NULLABLE 2u /* JSON null is accepted (to clear a value) */

struct field_spec {
	const char *name;
	enum field_type type;
	unsigned flags;
	size_t max_chars;           /* FIELD_STRING: 0 = 200 */
	const char *const *choices; /* FIELD_CHOICE: NULL-terminated */
	const char *label;          /* Chinese name of the field for messages, e.g. "姓名" */
};

/* Parses a request body. A new reference, or NULL with p set (400; 500 when memory
 * runs out). */
json_t *json_in_parse(const char *data, size_t len, struct problem *p);

/* Checks obj against specs; with partial = 1 (PATCH) no field is required.
 * Trims surrounding white space off string values in place (what was pasted
 * from a spreadsheet). Returns 0, or -1 with one field error per problem in p (or p
 * set to PROBLEM_INTERNAL when memory runs out). */
int json_in_check(json_t *obj, const struct field_spec *specs, size_t count, int partial,
                  struct problem *p);

/* The string value of a checked field, copied into the arena; NULL when
 * absent or null. */
const char *json_in_string(struct arena *arena, const json_t *obj, const char *name);
/* 1 when the field is present (null included). */
int json_in_present(const json_t *obj, const char *name);

#endif
