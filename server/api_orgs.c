/* api_orgs.c — /api/v1/orgs: create, read, update (If-Match) and list the
 * organisation tree. Subtrees are materialised ltree paths (schema 001);
 * row-level security limits every statement to the caller's scope. */
#include "api_orgs.h"

#include "api.h"
#include "arena.h"
#include "json_in.h"
#include "request.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The JSON form of an organisation row `g`, defined once for every statement. */
#define ORG_JSON                                                                         \
	"jsonb_build_object('id', g.id, 'code', g.code, 'name', g.name, 'kind', g.kind," \
	" 'parent_id', g.parent_id, 'path', g.path::text, 'depth', nlevel(g.path),"      \
	" 'region_code', g.region_code, 'credit_code', g.credit_code,"                   \
	" 'version', g.version, 'created_at', g.created_at, 'updated_at', g.updated_at)"

static const struct db_field_error org_field_errors[] = {
        {"org_code_key", "code", "duplicate", "单位代码已存在 / this code is already used",
         PROBLEM_CONFLICT},
        {"org_credit_code_key", "credit_code", "duplicate",
         "统一社会信用代码已存在 / this credit code is already registered", PROBLEM_CONFLICT},
        {"org_code_form", "code", "format",
         "单位代码只能含字母、数字、点、横线和下划线 / letters, digits, '.', '-' and '_' only",
         PROBLEM_VALIDATION},
        {"org_parent_exists", "parent_id", "unknown",
         "上级单位不存在 / unknown parent organisation", PROBLEM_VALIDATION},
        {"org_parent_cycle", "parent_id", "cycle",
         "不能移到自己的下级单位之下 / cannot move under its own subtree", PROBLEM_VALIDATION},
        {"org_not_own_parent", "parent_id", "cycle",
         "不能以自身为上级单位 / cannot be its own parent", PROBLEM_VALIDATION},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

enum org_stmt { ORG_INSERT, ORG_GET, ORG_LIST, ORG_UPDATE, ORG_VERSION, ORG_STMT_COUNT };

static const struct db_stmt org_stmts[ORG_STMT_COUNT] = {
        [ORG_INSERT] = {"org_insert",
                        "WITH g AS (INSERT INTO org (code, name, kind, parent_id, region_code,"
                        " credit_code) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *)"
                        " SELECT " ORG_JSON " FROM g",
                        org_field_errors},
        [ORG_GET] = {"org_get", "SELECT " ORG_JSON " FROM org g WHERE g.id = $1", NULL},
        /* $1 parent, $2 subtree root, $3 kind, $4 name or code text, $5 after id, $6 limit */
        [ORG_LIST] = {"org_list",
                      "SELECT coalesce(jsonb_agg(doc ORDER BY id), '[]') FROM ("
                      " SELECT g.id, " ORG_JSON " AS doc FROM org g"
                      " WHERE ($1::bigint IS NULL OR g.parent_id = $1)"
                      " AND ($2::bigint IS NULL OR g.path <@ (SELECT path FROM org WHERE id = $2))"
                      " AND ($3::text IS NULL OR g.kind = $3)"
                      " AND ($4::text IS NULL OR g.name LIKE '%' || tcard_like_escape($4) || '%'"
                      "      OR g.code = $4)"
                      " AND g.id > $5 ORDER BY g.id LIMIT $6) page",
                      NULL},
        /* $1 id, $2 patch (validated jsonb), $3 expected version or NULL */
        [ORG_UPDATE] = {"org_update",
                        "UPDATE org g SET"
                        " code = CASE WHEN p ? 'code' THEN p->>'code' ELSE g.code END,"
                        " name = CASE WHEN p ? 'name' THEN p->>'name' ELSE g.name END,"
                        " kind = CASE WHEN p ? 'kind' THEN p->>'kind' ELSE g.kind END,"
                        " parent_id = CASE WHEN p ? 'parent_id' THEN (p->>'parent_id')::bigint"
                        "  ELSE g.parent_id END,"
                        " region_code = CASE WHEN p ? 'region_code' THEN p->>'region_code'"
                        "  ELSE g.region_code END,"
                        " credit_code = CASE WHEN p ? 'credit_code' THEN p->>'credit_code'"
                        "  ELSE g.credit_code END,"
                        " version = g.version + 1, updated_at = now()"
                        " FROM (SELECT $2::jsonb AS p) patch"
                        " WHERE g.id = $1 AND ($3::integer IS NULL OR g.version = $3)"
                        " RETURNING " ORG_JSON,
                        org_field_errors},
        [ORG_VERSION] = {"org_version", "SELECT version FROM org WHERE id = $1", NULL},
};

const struct db_stmt_table api_orgs_statements = {org_stmts, ORG_STMT_COUNT};

static const char *const org_kinds[] = {"province", "city", "county", "town", "department", NULL};

static const struct field_spec org_fields[] = {
        {"code", FIELD_STRING, FIELD_REQUIRED, 64, NULL, "单位代码"},
        {"name", FIELD_STRING, FIELD_REQUIRED, 100, NULL, "单位名称"},
        {"kind", FIELD_CHOICE, FIELD_REQUIRED, 0, org_kinds, "单位类型"},
        {"parent_id", FIELD_INTEGER, FIELD_NULLABLE, 0, NULL, "上级单位"},
        {"region_code", FIELD_STRING, FIELD_NULLABLE, 6, NULL, "行政区划代码"},
        {"credit_code", FIELD_STRING, FIELD_NULLABLE, 18, NULL, "统一社会信用代码"},
};

/* Checks the fields that have rules beyond their type. */
static void org_check_codes(struct request *req, const json_t *body)
{
	const char *region = json_string_value(json_object_get(body, "region_code"));
	const char *credit = json_string_value(json_object_get(body, "credit_code"));
	enum rules_credit_error credit_error;

	if (region != NULL && !rules_region_code_valid(region))
		problem_field(&req->problem, "region_code", "format",
		              "行政区划代码应为 6 位数字 / must be a 6-digit GB/T 2260 code");
	if (credit != NULL && (credit_error = rules_credit_code_check(credit)) != RULES_CREDIT_OK)
		problem_field(&req->problem, "credit_code", rules_credit_error_reason(credit_error),
		              rules_credit_error_message(credit_error));
}

/* A parent id as text for a statement parameter; NULL for null or absent. */
static const char *org_parent_param(struct request *req, const json_t *body)
{
	const json_t *parent = json_object_get(body, "parent_id");

	if (!json_is_integer(parent))
		return NULL;
	return arena_printf(req->arena, "%lld", (long long)json_integer_value(parent));
}

int api_orgs_create(struct request *req)
{
	const char *params[6];
	PGresult *res;

	if (json_in_check(req->json, org_fields, sizeof(org_fields) / sizeof(org_fields[0]), 0,
	                  &req->problem) != 0)
		return -1;
	org_check_codes(req, req->json);
	if (problem_has_fields(&req->problem))
		return -1;
	params[0] = json_in_string(req->arena, req->json, "code");
	params[1] = json_in_string(req->arena, req->json, "name");
	params[2] = json_in_string(req->arena, req->json, "kind");
	params[3] = org_parent_param(req, req->json);
	params[4] = json_in_string(req->arena, req->json, "region_code");
	params[5] = json_in_string(req->arena, req->json, "credit_code");
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &org_stmts[ORG_INSERT], 6, params);
	if (res == NULL || db_commit(req) != 0)
		return -1;
	return api_reply_doc(req, 201, db_json(res, 0, 0), "/api/v1/orgs");
}

int api_orgs_get(struct request *req)
{
	const char *id = api_id_param(req, "id");
	PGresult *res;

	if (id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &org_stmts[ORG_GET], 1, &id);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	return api_reply_doc(req, 200, db_json(res, 0, 0), "/api/v1/orgs");
}

int api_orgs_list(struct request *req)
{
	struct api_page page;
	const char *params[6];
	PGresult *res;
	int bad = 0;

	params[0] = api_query_id(req, "parent", &bad);
	params[1] = api_query_id(req, "subtree", &bad);
	params[2] = api_query_choice(req, "kind", org_kinds, &bad);
	params[3] = request_query(req, "q");
	if (api_page_read(req, &page) != 0 || bad)
		return -1;
	params[4] = page.after_id;
	params[5] = page.limit;
	if (db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &org_stmts[ORG_LIST], 6, params);
	if (res == NULL)
		return -1;
	return request_reply_json(req, 200, api_page_reply(db_json(res, 0, 0), &page));
}

int api_orgs_update(struct request *req)
{
	const char *id = api_id_param(req, "id"), *version, *params[3];
	char *patch;
	PGresult *res;

	if (id == NULL || api_if_match(req, &version) != 0)
		return -1;
	if (json_in_check(req->json, org_fields, sizeof(org_fields) / sizeof(org_fields[0]), 1,
	                  &req->problem) != 0)
		return -1;
	org_check_codes(req, req->json);
	if (problem_has_fields(&req->problem))
		return -1;
	patch = json_dumps(req->json, JSON_COMPACT);
	if (patch == NULL || arena_defer(req->arena, free, patch) != 0)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	params[0] = id;
	params[1] = patch;
	params[2] = version;
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &org_stmts[ORG_UPDATE], 3, params);
	if (res == NULL)
		return -1;
	/* Not updated: missing (or out of scope), or changed since it was read. */
	if (PQntuples(res) == 0)
		return api_update_missed(req, &org_stmts[ORG_VERSION], id, "organisation");
	if (db_commit(req) != 0)
		return -1;
	return api_reply_doc(req, 200, db_json(res, 0, 0), "/api/v1/orgs");
}
