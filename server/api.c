/* api.c — shared handler helpers (see api.h). */
#include "api.h"

#include "arena.h"
#include "json_in.h"
#include "request.h"
#include "rules_hours.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Digits only, 1-18 of them, no leading zero: fits a bigint. */
static int api_is_id(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= 18 && s[n] == '\0' && s[0] != '0';
}

const char *api_id_param(struct request *req, const char *name)
{
	const char *value = request_param(req, name);

	if (value == NULL || !api_is_id(value)) {
		problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
		return NULL;
	}
	return value;
}

int api_page_read(struct request *req, struct api_page *page)
{
	const char *limit = request_query(req, "limit");
	const char *cursor = request_query(req, "cursor");
	unsigned char raw[24];
	size_t raw_len;
	char message[96];
	long value = API_PAGE_DEFAULT;
	char *end;

	if (limit != NULL) {
		value = strtol(limit, &end, 10);
		if (limit[0] == '\0' || *end != '\0' || value < 1 || value > API_PAGE_MAX) {
			(void)snprintf(message, sizeof(message),
			               "应为 1 到 %d 的整数 / must be an integer from 1 to %d",
			               API_PAGE_MAX, API_PAGE_MAX);
			return problem_field(&req->problem, "limit", "range", message);
		}
	}
	page->limit_value = (int)value;
	(void)snprintf(page->limit, sizeof(page->limit), "%ld", value);
	(void)snprintf(page->after_id, sizeof(page->after_id), "0");
	if (cursor != NULL) {
		/* The cursor is base64url of "i:<id>": opaque to clients, so its
		 * form may change without breaking them. */
		if (sodium_base642bin(raw, sizeof(raw) - 1, cursor, strlen(cursor), NULL, &raw_len,
		                      NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
		    raw_len < 3 || raw[0] != 'i' || raw[1] != ':')
			return problem_field(&req->problem, "cursor", "invalid",
			                     "分页游标无效 / invalid cursor");
		raw[raw_len] = '\0';
		if (!api_is_id((const char *)raw + 2))
			return problem_field(&req->problem, "cursor", "invalid",
			                     "分页游标无效 / invalid cursor");
		(void)snprintf(page->after_id, sizeof(page->after_id), "%s", (const char *)raw + 2);
	}
	return 0;
}

json_t *api_page_reply(json_t *items, const struct api_page *page)
{
	json_t *last, *reply;
	char raw[32], cursor[64];
	int n;

	if (items == NULL)
		return NULL;
	reply = json_pack("{s:o, s:n}", "items", items, "next_cursor");
	if (reply == NULL)
		return NULL;
	if ((int)json_array_size(items) < page->limit_value)
		return reply;
	last = json_object_get(json_array_get(items, json_array_size(items) - 1), "id");
	if (!json_is_integer(last))
		return reply;
	n = snprintf(raw, sizeof(raw), "i:%lld", (long long)json_integer_value(last));
	(void)sodium_bin2base64(cursor, sizeof(cursor), (const unsigned char *)raw, (size_t)n,
	                        sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	(void)json_object_set_new(reply, "next_cursor", json_string(cursor));
	return reply;
}

int api_if_match(struct request *req, const char **version)
{
	const char *header = request_header(req, "If-Match");
	size_t n;

	*version = NULL;
	if (header == NULL)
		return problem_set(&req->problem, PROBLEM_PRECONDITION_REQUIRED,
		                   "send If-Match with the ETag you read, so that nobody's change "
		                   "is overwritten unseen");
	if (strcmp(header, "*") == 0)
		return 0;
	if (strncmp(header, "W/", 2) == 0)
		header += 2;
	n = strlen(header);
	/* Versions are positive PostgreSQL integers: at most 10 digits, no leading
	 * zero, not above 2147483647. Anything else matches no version (412); it
	 * must not reach the statement, where it would fail as a bad value. */
	if (n < 3 || n > 12 || header[0] != '"' || header[n - 1] != '"' ||
	    strspn(header + 1, "0123456789") != n - 2 || header[1] == '0' ||
	    strtoll(header + 1, NULL, 10) > INT32_MAX)
		return problem_set(&req->problem, PROBLEM_PRECONDITION,
		                   "If-Match does not name a version of this resource");
	*version = arena_strndup(req->arena, header + 1, n - 2);
	return *version != NULL ? 0 : problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
}

void api_set_etag(struct request *req, const json_t *doc)
{
	char etag[32];
	json_t *version = json_object_get(doc, "version");

	if (!json_is_integer(version))
		return;
	(void)snprintf(etag, sizeof(etag), "\"%lld\"", (long long)json_integer_value(version));
	(void)request_add_header(req, "ETag", etag);
}

const char *api_doc_id(struct request *req, const json_t *doc)
{
	json_t *id = json_object_get(doc, "id");

	if (!json_is_integer(id))
		return NULL;
	return arena_printf(req->arena, "%lld", (long long)json_integer_value(id));
}

void api_set_location(struct request *req, const char *collection, const json_t *doc)
{
	const char *id = api_doc_id(req, doc);

	if (id != NULL)
		(void)request_add_header(req, "Location",
		                         arena_printf(req->arena, "%s/%s", collection, id));
}

int api_reply_doc(struct request *req, unsigned status, json_t *doc, const char *collection)
{
	if (doc == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "unreadable row");
	api_set_etag(req, doc);
	if (status == 201 && collection != NULL)
		api_set_location(req, collection, doc);
	return request_reply_json(req, status, doc);
}

const char *api_year_param(struct request *req, const char *name)
{
	const char *year = request_param(req, name);
	char *end;
	long value = year != NULL ? strtol(year, &end, 10) : 0;

	if (year == NULL || *year < '1' || *year > '9' || *end != '\0' || value < 2000 ||
	    value > 2099) {
		problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
		return NULL;
	}
	return year;
}

int api_update_missed(struct request *req, const struct db_stmt *version_stmt, const char *id,
                      const char *what)
{
	PGresult *res = db_exec(req, version_stmt, 1, &id);

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	return problem_set(&req->problem, PROBLEM_PRECONDITION,
	                   "the %s was changed meanwhile (now version %s): read it again", what,
	                   PQgetvalue(res, 0, 0));
}

enum api_stmt { API_ORG_VISIBLE, API_STMT_COUNT };

static const struct db_stmt api_stmts[API_STMT_COUNT] = {
        [API_ORG_VISIBLE] = {"api_org_visible", "SELECT 1 FROM org WHERE id = $1"},
};

const struct db_stmt_table api_statements = {api_stmts, API_STMT_COUNT};

int api_check_org_visible(struct request *req, const char *org_id, const char *field)
{
	PGresult *res = db_exec(req, &api_stmts[API_ORG_VISIBLE], 1, &org_id);

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return problem_field(&req->problem, field, "unknown",
		                     "单位不存在 / unknown organisation");
	return 0;
}

int api_today(void)
{
	time_t now = time(NULL) + 8 * 3600; /* China Standard Time, no DST */
	struct tm tm;

	(void)gmtime_r(&now, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

const char *api_query_choice(struct request *req, const char *name, const char *const *choices,
                             int *bad)
{
	const char *value = request_query(req, name);
	int i;

	if (value == NULL)
		return NULL;
	for (i = 0; choices[i] != NULL; i++)
		if (strcmp(choices[i], value) == 0)
			return choices[i];
	*bad = 1;
	problem_field(&req->problem, name, "choice", "取值无效 / not an allowed value");
	return NULL;
}

const char *api_query_id(struct request *req, const char *name, int *bad)
{
	const char *value = request_query(req, name);

	if (value == NULL)
		return NULL;
	if (api_is_id(value))
		return value;
	*bad = 1;
	problem_field(&req->problem, name, "id", "应为编号 / must be an id");
	return NULL;
}

/* An hours value of the body (a string like "4.5" or an integer; never a JSON
 * real: hours are exact) parsed by parse into *units. 0, or -1 with a field error. */
static int api_hours_parse(struct request *req, const json_t *value, const char *name,
                           enum hours_text_error (*parse)(const char *, int64_t *), int64_t *units)
{
	enum hours_text_error error;
	char text[32];

	if (json_is_integer(value))
		(void)snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(value));
	else if (json_is_string(value) && json_string_length(value) < sizeof(text))
		(void)snprintf(text, sizeof(text), "%s", json_string_value(value));
	else if (json_is_string(value))
		return problem_field(&req->problem, name, "syntax",
		                     hours_text_error_message(HOURS_TEXT_SYNTAX));
	else
		return problem_field(&req->problem, name, "type",
		                     "学时应为字符串 (如 \"4.5\") 或整数 / hours are a string like "
		                     "\"4.5\" or an integer");
	error = parse(text, units);
	if (error != HOURS_TEXT_OK)
		return problem_field(&req->problem, name, hours_text_error_reason(error),
		                     hours_text_error_message(error));
	return 0;
}

/* The hours field's value: see api_check_body_hours. 0, or -1 with a field error. */
static int api_hours_value(struct request *req, const json_t *value, const char *name, int nullable,
                           int64_t *units)
{
	if (json_is_null(value)) {
		if (!nullable)
			return problem_field(&req->problem, name, "null",
			                     "不能为空 / must not be null");
		*units = API_HOURS_NULL;
		return 0;
	}
	return api_hours_parse(req, value, name, hours_parse, units);
}

int api_hours_amount(struct request *req, const json_t *value, const char *field, int64_t *units)
{
	return api_hours_parse(req, value, field, hours_parse_amount, units);
}

json_t *api_hours_json(int64_t units)
{
	char text[HOURS_TEXT_SIZE];

	hours_format(units, text);
	return json_string(text);
}

void api_units_to_hours(json_t *doc, const char *units_key, const char *hours_key)
{
	const json_t *units = json_object_get(doc, units_key);

	if (doc == NULL || units == NULL)
		return;
	(void)json_object_set_new(doc, hours_key,
	                          json_is_integer(units) ? api_hours_json(json_integer_value(units))
	                                                 : json_null());
	(void)json_object_del(doc, units_key);
}

int api_check_body_hours(struct request *req, const struct field_spec *specs, size_t count,
                         int partial, const char *hours_name, int nullable, int64_t *units)
{
	json_t *hours = json_object_get(req->json, hours_name);
	int status;

	*units = API_HOURS_ABSENT;
	if (hours == NULL)
		return json_in_check(req->json, specs, count, partial, &req->problem);
	/* Checked apart: json_in knows one type per field. */
	(void)json_incref(hours);
	(void)json_object_del(req->json, hours_name);
	status = json_in_check(req->json, specs, count, partial, &req->problem);
	if (api_hours_value(req, hours, hours_name, nullable, units) != 0)
		status = -1;
	if (json_object_set_new(req->json, hours_name, hours) != 0)
		status = problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return status;
}

json_t *api_rows_json(const PGresult *res, json_t *(*finish)(json_t *doc))
{
	json_t *items = json_array(), *doc;
	int row;

	for (row = 0; items != NULL && row < PQntuples(res); row++) {
		doc = db_json(res, row, 0);
		if (doc != NULL && finish != NULL)
			doc = finish(doc);
		if (doc == NULL || json_array_append_new(items, doc) != 0) {
			json_decref(items);
			items = NULL;
		}
	}
	return items;
}
