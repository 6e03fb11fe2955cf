/* api_meta.c — /healthz, /readyz, /metrics and /api/v1/openapi.json. */
#include "api_meta.h"

#include "api_imports.h"
#include "buf.h"
#include "db.h"
#include "metrics.h"
#include "request.h"
#include "routes.h"

#include <string.h>

int api_meta_healthz(struct request *req)
{
	return request_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

int api_meta_readyz(struct request *req)
{
	if (db_ping(&req->problem) != 0)
		return -1;
	return request_reply_json(req, 200,
	                          json_pack("{s:s, s:s}", "status", "ready", "database", "ok"));
}

#define API_META_METRICS_MAX (4u * 1024u * 1024u)

int api_meta_metrics(struct request *req)
{
	struct metrics_gauges gauges;
	struct buf out;
	size_t len;
	char *body;

	db_stats(&gauges.db_connections, &gauges.db_in_transaction, &gauges.db_dedicated);
	gauges.imports_running = api_imports_running();
	buf_init(&out, API_META_METRICS_MAX);
	if (metrics_write(&out, &gauges) != 0) {
		buf_release(&out);
		return problem_set(&req->problem, PROBLEM_INTERNAL,
		                   "the metrics could not be written");
	}
	len = out.len;
	body = buf_detach(&out);
	if (body == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return request_reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
}

static const char *api_meta_method_name(unsigned method)
{
	switch (method) {
	case HTTP_GET:
		return "get";
	case HTTP_POST:
		return "post";
	case HTTP_PUT:
		return "put";
	case HTTP_PATCH:
		return "patch";
	case HTTP_DELETE:
		return "delete";
	default:
		return "options";
	}
}

static json_t *api_meta_roles(unsigned roles)
{
	static const struct {
		unsigned role;
		const char *name;
	} names[] = {{ROLE_PUBLIC, "public"},
	             {ROLE_ADMIN, "admin"},
	             {ROLE_HR, "hr"},
	             {ROLE_AUDITOR, "auditor"},
	             {ROLE_OFFICER, "officer"}};
	json_t *list = json_array();
	size_t i;

	for (i = 0; list != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (roles & names[i].role)
			(void)json_array_append_new(list, json_string(names[i].name));
	return list;
}

/* What a route takes as its body: a JSON object, or CSV streamed as it is
 * read (bulk import, doc/import.md); NULL for none. */
static json_t *api_meta_request_body(enum route_body body)
{
	if (body == ROUTE_BODY_JSON)
		return json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content",
		                 "application/json", "schema", "type", "object");
	if (body == ROUTE_BODY_STREAM)
		return json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content", "text/csv",
		                 "schema", "type", "string");
	return NULL;
}

/* The paths of the OpenAPI 3.1 document, one operation per route-table row. */
int api_meta_openapi(struct request *req)
{
	json_t *paths = json_object(), *doc;
	size_t i;

	for (i = 0; paths != NULL && i < routes_count; i++) {
		const struct route *r = &routes_table[i];
		json_t *item = json_object_get(paths, r->pattern);

		if (item == NULL) {
			item = json_object();
			(void)json_object_set_new(paths, r->pattern, item);
		}
		/* Public routes need nothing; the others a token or the session
		 * cookie (with X-CSRF-Token on writes). */
		(void)json_object_set_new(
		        item, api_meta_method_name(r->method),
		        json_pack("{s:s, s:o, s:b, s:o, s:o*}", "summary", r->summary, "x-roles",
		                  api_meta_roles(r->roles), "x-json-body",
		                  r->body == ROUTE_BODY_JSON, "security",
		                  (r->roles & ROLE_PUBLIC)
		                          ? json_array()
		                          : json_pack("[{s:[]}, {s:[]}]", "token", "session"),
		                  "requestBody", api_meta_request_body(r->body)));
	}
	doc = json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:{s:{s:s, s:s}, s:{s:s, s:s, s:s}}}}",
	                "openapi", "3.1.0", "info", "title", "tcard API", "version", TCARD_VERSION,
	                "paths", paths, "components", "securitySchemes", "token", "type", "http",
	                "scheme", "bearer", "session", "type", "apiKey", "in", "cookie", "name",
	                "tcard_session");
	return request_reply_json(req, 200, doc);
}
