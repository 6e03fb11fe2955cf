/* api_officers.c — /api/v1/officers: register, read, correct, move and change
 * the status of officers, and list them with filters. National IDs are
 * validated here (rules.c), sealed and indexed (pii.c) before they reach SQL,
 * and shown in full only to roles that need them. */
#include "api_officers.h"

#include "api.h"
#include "arena.h"
#include "audit.h"
#include "auth.h"
#include "hours_store.h"
#include "json_in.h"
#include "pii.h"
#include "request.h"
#include "rules.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The JSON form of officer row `o` joined to its organisation `g`. */
#define OFFICER_JSON                                                                         \
	"jsonb_build_object('id', o.id, 'national_id_masked', o.national_id_masked,"         \
	" 'name', o.name, 'gender', o.gender, 'birth_date', o.birth_date,"                   \
	" 'org', jsonb_build_object('id', g.id, 'code', g.code, 'name', g.name),"            \
	" 'kind', o.kind, 'post', o.post, 'status', o.status, 'status_date', o.status_date," \
	" 'hire_date', o.hire_date, 'enforcement_post', o.enforcement_post,"                 \
	" 'version', o.version, 'created_at', o.created_at, 'updated_at', o.updated_at)"

static const struct db_field_error officer_field_errors[] = {
        {"officer_national_id_key", "national_id", "duplicate",
         "该身份证号已登记 / this national ID is already registered", PROBLEM_CONFLICT},
        {"officer_org_exists", "org_id", "unknown", "单位不存在 / unknown organisation",
         PROBLEM_VALIDATION},
        {"officer_hire_after_birth", "hire_date", "before_birth",
         "入职日期早于出生日期 / the hire date is before the birth date", PROBLEM_VALIDATION},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

enum officer_stmt {
	OFFICER_INSERT,
	OFFICER_GET,
	OFFICER_LIST,
	OFFICER_UPDATE,
	OFFICER_VERSION,
	OFFICER_HISTORY,
	OFFICER_STMT_COUNT
};

static const struct db_stmt officer_stmts[OFFICER_STMT_COUNT] = {
        [OFFICER_INSERT] = {"officer_insert",
                            "WITH o AS (INSERT INTO officer (national_id_sealed, national_id_index,"
                            " national_id_masked, name, gender, birth_date, org_id, kind, post,"
                            " status, status_date, hire_date, enforcement_post) VALUES ($1, $2, $3,"
                            " $4, $5, $6, $7, coalesce($8, 'officer'), coalesce($9, ''),"
                            " coalesce($10, 'active'),"
                            " coalesce($11::date, (now() AT TIME ZONE 'Asia/Shanghai')::date), $12,"
                            " coalesce($13::boolean, true))"
                            " RETURNING *)"
                            " SELECT " OFFICER_JSON " FROM o JOIN org g ON g.id = o.org_id",
                            officer_field_errors},
        [OFFICER_GET] = {"officer_get",
                         "SELECT " OFFICER_JSON ", o.national_id_sealed, o.org_path::text"
                         " FROM officer o JOIN org g ON g.id = o.org_id WHERE o.id = $1",
                         NULL},
        /* $1 org, $2 subtree root, $3 status, $4 kind, $5 name text, $6 national-ID index,
	 * $7 after id, $8 limit, $9 enforcement post */
        [OFFICER_LIST] =
                {"officer_list",
                 "SELECT " OFFICER_JSON " FROM officer o JOIN org g ON g.id = o.org_id"
                 " WHERE ($1::bigint IS NULL OR o.org_id = $1)"
                 " AND ($2::bigint IS NULL OR o.org_path <@"
                 "      (SELECT path FROM org WHERE id = $2))"
                 " AND ($3::text IS NULL OR o.status = $3)"
                 " AND ($4::text IS NULL OR o.kind = $4)"
                 " AND ($5::text IS NULL OR o.name LIKE '%' || tcard_like_escape($5) || '%')"
                 " AND ($6::bytea IS NULL OR o.national_id_index = $6)"
                 " AND ($9::boolean IS NULL OR o.enforcement_post = $9)"
                 " AND o.id > $7 ORDER BY o.id LIMIT $8",
                 NULL},
        /* $1 id, $2 patch (validated jsonb with sealed national-ID fields), $3 version */
        [OFFICER_UPDATE] =
                {"officer_update",
                 "WITH o AS (UPDATE officer o SET"
                 " national_id_sealed = CASE WHEN p ? 'national_id_sealed'"
                 "  THEN decode(p->>'national_id_sealed', 'hex') ELSE o.national_id_sealed END,"
                 " national_id_index = CASE WHEN p ? 'national_id_index'"
                 "  THEN decode(p->>'national_id_index', 'hex') ELSE o.national_id_index END,"
                 " national_id_masked = coalesce(p->>'national_id_masked', o.national_id_masked),"
                 " gender = coalesce(p->>'gender', o.gender),"
                 " birth_date = coalesce((p->>'birth_date')::date, o.birth_date),"
                 " name = coalesce(p->>'name', o.name),"
                 " org_id = coalesce((p->>'org_id')::bigint, o.org_id),"
                 " kind = coalesce(p->>'kind', o.kind),"
                 " post = coalesce(p->>'post', o.post),"
                 " status = coalesce(p->>'status', o.status),"
                 " status_date = CASE WHEN p ? 'status_date' THEN (p->>'status_date')::date"
                 "  WHEN p->>'status' IS DISTINCT FROM o.status AND p ? 'status'"
                 "  THEN (now() AT TIME ZONE 'Asia/Shanghai')::date ELSE o.status_date END,"
                 " hire_date = CASE WHEN p ? 'hire_date' THEN (p->>'hire_date')::date"
                 "  ELSE o.hire_date END,"
                 " enforcement_post = coalesce((p->>'enforcement_post')::boolean,"
                 "  o.enforcement_post),"
                 " version = o.version + 1, updated_at = now()"
                 " FROM (SELECT $2::jsonb AS p) patch"
                 " WHERE o.id = $1 AND ($3::integer IS NULL OR o.version = $3) RETURNING o.*)"
                 " SELECT " OFFICER_JSON " FROM o JOIN org g ON g.id = o.org_id",
                 officer_field_errors},
        [OFFICER_VERSION] = {"officer_version", "SELECT version FROM officer WHERE id = $1", NULL},
        [OFFICER_HISTORY] =
                {"officer_history",
                 "SELECT coalesce(jsonb_agg(jsonb_build_object('id', h.id,"
                 " 'changed_at', h.changed_at, 'actor', h.actor, 'request_id',"
                 " h.request_id, 'change', h.change, 'before', h.before, 'after',"
                 " h.after) ORDER BY h.id), '[]')"
                 " FROM (SELECT * FROM officer_history WHERE officer_id = $1 AND id > $2"
                 " ORDER BY id LIMIT $3) h",
                 NULL},
};

const struct db_stmt_table api_officers_statements = {officer_stmts, OFFICER_STMT_COUNT};

static const char *const officer_kinds[] = {"officer", "auxiliary", NULL};
static const char *const officer_booleans[] = {"true", "false", NULL};
static const char *const officer_statuses[] = {"active",    "transferred", "resigned",
                                               "dismissed", "retired",     NULL};

static const struct field_spec officer_fields[] = {
        {"national_id", FIELD_STRING, FIELD_REQUIRED, 18, NULL, "身份证号"},
        {"name", FIELD_STRING, FIELD_REQUIRED, 50, NULL, "姓名"},
        {"org_id", FIELD_INTEGER, FIELD_REQUIRED, 0, NULL, "单位"},
        {"kind", FIELD_CHOICE, 0, 0, officer_kinds, "人员类别"},
        {"post", FIELD_STRING, 0, 100, NULL, "岗位"},
        {"status", FIELD_CHOICE, 0, 0, officer_statuses, "状态"},
        {"status_date", FIELD_DATE, 0, 0, NULL, "状态变更日期"},
        {"hire_date", FIELD_DATE, FIELD_NULLABLE, 0, NULL, "入职日期"},
        /* 在执法岗位: certificates go to officers on enforcement posts (DOMAIN.md rule 8). */
        {"enforcement_post", FIELD_BOOLEAN, 0, 0, NULL, "执法岗位"},
};

/* The sealed national ID and everything derived from it, as statement parameters. */
struct officer_identity {
	char sealed[2 * PII_SEALED_ID_BYTES + 3];
	char index[2 * PII_INDEX_BYTES + 3];
	char masked[19];
	char gender[2];
	char birth_date[16];
};

/* Validates body's national_id and seals it; a field error when it is wrong. */
static int officer_identity_from(struct request *req, const char *text, struct officer_identity *id)
{
	unsigned char sealed[PII_SEALED_ID_BYTES], index[PII_INDEX_BYTES];
	struct national_id parsed;
	enum rules_id_error error = rules_national_id_parse(text, api_today(), &parsed);

	if (error != RULES_ID_OK)
		return problem_field(&req->problem, "national_id", rules_id_error_reason(error),
		                     rules_id_error_message(error));
	pii_seal_national_id(parsed.normalized, sealed);
	pii_index_national_id(parsed.normalized, index);
	(void)pii_bytea_hex(sealed, sizeof(sealed), id->sealed);
	(void)pii_bytea_hex(index, sizeof(index), id->index);
	rules_national_id_mask(parsed.normalized, id->masked);
	id->gender[0] = parsed.gender;
	id->gender[1] = '\0';
	(void)snprintf(id->birth_date, sizeof(id->birth_date), "%04d-%02d-%02d", parsed.birth_year,
	               parsed.birth_month, parsed.birth_day);
	sodium_memzero(&parsed, sizeof(parsed));
	return 0;
}

/* Adds the whole national ID of the officer row (doc, sealed id, org path)
 * to doc and audits that it was shown (SECURITY.md 10), in the request's
 * transaction. 0, or -1 with req->problem set. */
static int officer_reveal(struct request *req, json_t *doc, const PGresult *res, const char *id)
{
	unsigned char sealed[PII_SEALED_ID_BYTES + 1];
	char national_id[19];
	int len = pii_bytea_parse(PQgetvalue(res, 0, 1), sealed, sizeof(sealed));

	if (len <= 0 || pii_open_national_id(sealed, (size_t)len, national_id) != 0)
		return problem_set(&req->problem, PROBLEM_INTERNAL,
		                   "the national ID cannot be opened (wrong key?)");
	(void)json_object_set_new(doc, "national_id", json_string(national_id));
	sodium_memzero(national_id, sizeof(national_id));
	return audit_record(req, "officer.national_id_reveal", "officer", id, PQgetvalue(res, 0, 2),
	                    NULL, NULL);
}

/* Date rules that need more than one field. */
static void officer_check_dates(struct request *req, const struct officer_identity *id)
{
	const char *hire = json_string_value(json_object_get(req->json, "hire_date"));
	const char *status_date = json_string_value(json_object_get(req->json, "status_date"));
	char today[16];
	int now = api_today();

	(void)snprintf(today, sizeof(today), "%04d-%02d-%02d", now / 10000, now / 100 % 100,
	               now % 100);
	if (hire != NULL && strcmp(hire, today) > 0)
		problem_field(&req->problem, "hire_date", "future",
		              "入职日期不能晚于今天 / the hire date is in the future");
	if (hire != NULL && id != NULL && strcmp(hire, id->birth_date) <= 0)
		problem_field(&req->problem, "hire_date", "before_birth",
		              "入职日期早于出生日期 / the hire date is before the birth date");
	if (status_date != NULL && strcmp(status_date, today) > 0)
		problem_field(&req->problem, "status_date", "future",
		              "状态变更日期不能晚于今天 / the status date is in the future");
}

int api_officers_create(struct request *req)
{
	struct officer_identity id;
	const char *params[13];
	const json_t *on_post = json_object_get(req->json, "enforcement_post");
	char org_id[24];
	PGresult *res;

	/* Every field's fault is reported at once, not the first one only. */
	(void)json_in_check(req->json, officer_fields,
	                    sizeof(officer_fields) / sizeof(officer_fields[0]), 0, &req->problem);
	if (json_is_string(json_object_get(req->json, "national_id")) &&
	    officer_identity_from(req, json_string_value(json_object_get(req->json, "national_id")),
	                          &id) == 0)
		officer_check_dates(req, &id);
	if (req->problem.type != PROBLEM_NONE) /* field errors, or out of memory */
		return -1;
	(void)snprintf(org_id, sizeof(org_id), "%lld",
	               (long long)json_integer_value(json_object_get(req->json, "org_id")));
	params[0] = id.sealed;
	params[1] = id.index;
	params[2] = id.masked;
	params[3] = json_in_string(req->arena, req->json, "name");
	params[4] = id.gender;
	params[5] = id.birth_date;
	params[6] = org_id;
	params[7] = json_in_string(req->arena, req->json, "kind");
	params[8] = json_in_string(req->arena, req->json, "post");
	params[9] = json_in_string(req->arena, req->json, "status");
	params[10] = json_in_string(req->arena, req->json, "status_date");
	params[11] = json_in_string(req->arena, req->json, "hire_date");
	params[12] = on_post == NULL ? NULL : json_is_true(on_post) ? "true" : "false";
	if (db_begin(req, DB_WRITE) != 0 || api_check_org_visible(req, org_id, "org_id") != 0)
		return -1;
	res = db_exec(req, &officer_stmts[OFFICER_INSERT], 13, params);
	/* The new officer's year is evaluated before the commit (hours_store.c). */
	if (res == NULL || hours_store_refresh(req) != 0 || db_commit(req) != 0)
		return -1;
	return api_reply_doc(req, 201, db_json(res, 0, 0), "/api/v1/officers");
}

/* GET /officers/{id}; with ?reveal=national_id (admin and HR only) the whole
 * national ID too, in a write transaction because the reveal is audited. */
int api_officers_get(struct request *req)
{
	const char *id = api_id_param(req, "id");
	const char *reveal = request_query(req, "reveal");
	PGresult *res;
	json_t *doc;

	if (reveal != NULL && strcmp(reveal, "national_id") != 0)
		return problem_field(&req->problem, "reveal", "unknown",
		                     "reveal 只能为 national_id / reveal takes national_id only");
	if (reveal != NULL && !auth_sees_full_national_id(req))
		return problem_set(&req->problem, PROBLEM_FORBIDDEN,
		                   "只有管理员和人事可查看完整身份证号 / only admin and HR may see "
		                   "the whole national ID");
	if (id == NULL || db_begin(req, reveal != NULL ? DB_WRITE : DB_READ) != 0)
		return -1;
	res = db_exec(req, &officer_stmts[OFFICER_GET], 1, &id);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	if (reveal == NULL)
		return api_reply_doc(req, 200, db_json(res, 0, 0), "/api/v1/officers");
	doc = db_json(res, 0, 0);
	if (doc == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "unreadable row");
	if (officer_reveal(req, doc, res, id) != 0 || db_commit(req) != 0) {
		json_decref(doc);
		return -1;
	}
	api_set_etag(req, doc);
	return request_reply_json(req, 200, doc);
}

int api_officers_list(struct request *req)
{
	struct api_page page;
	const char *params[9];
	const char *q = request_query(req, "q");
	char index_hex[2 * PII_INDEX_BYTES + 3];
	struct national_id parsed;
	json_t *items;
	PGresult *res;
	int bad = 0;

	params[0] = api_query_id(req, "org", &bad);
	params[1] = api_query_id(req, "subtree", &bad);
	params[2] = api_query_choice(req, "status", officer_statuses, &bad);
	params[3] = api_query_choice(req, "kind", officer_kinds, &bad);
	params[4] = NULL;
	params[5] = NULL;
	params[8] = api_query_choice(req, "enforcement_post", officer_booleans, &bad);
	if (api_page_read(req, &page) != 0 || bad)
		return -1;
	/* q is a name fragment, or a whole national ID looked up by its blind index. */
	if (q != NULL && rules_national_id_parse(q, api_today(), &parsed) == RULES_ID_OK) {
		unsigned char index[PII_INDEX_BYTES];

		pii_index_national_id(parsed.normalized, index);
		params[5] = pii_bytea_hex(index, sizeof(index), index_hex);
		sodium_memzero(&parsed, sizeof(parsed));
	} else if (q != NULL && q[0] != '\0') {
		params[4] = q;
	}
	params[6] = page.after_id;
	params[7] = page.limit;
	if (db_begin(req, DB_READ) != 0)
		return -1;
	if ((params[0] != NULL && api_check_org_visible(req, params[0], "org") != 0) ||
	    (params[1] != NULL && api_check_org_visible(req, params[1], "subtree") != 0))
		return -1;
	res = db_exec(req, &officer_stmts[OFFICER_LIST], 9, params);
	if (res == NULL)
		return -1;
	items = api_rows_json(res, NULL);
	return request_reply_json(req, 200, api_page_reply(items, &page));
}

/* Turns the validated PATCH body into the statement's patch document: the
 * national ID replaced by its sealed, indexed and masked forms. */
static char *officer_patch(struct request *req)
{
	struct officer_identity id;
	const json_t *national_id = json_object_get(req->json, "national_id");
	json_t *patch = json_deep_copy(req->json);
	char *text;

	if (patch == NULL)
		return NULL;
	if (national_id != NULL) {
		if (officer_identity_from(req, json_string_value(national_id), &id) != 0) {
			json_decref(patch);
			return NULL;
		}
		(void)json_object_del(patch, "national_id");
		/* decode(…, 'hex') in SQL takes the digits without the \x prefix. */
		(void)json_object_set_new(patch, "national_id_sealed", json_string(id.sealed + 2));
		(void)json_object_set_new(patch, "national_id_index", json_string(id.index + 2));
		(void)json_object_set_new(patch, "national_id_masked", json_string(id.masked));
		(void)json_object_set_new(patch, "gender", json_string(id.gender));
		(void)json_object_set_new(patch, "birth_date", json_string(id.birth_date));
	}
	officer_check_dates(req, national_id != NULL ? &id : NULL);
	text = problem_has_fields(&req->problem) ? NULL : json_dumps(patch, JSON_COMPACT);
	json_decref(patch);
	if (text != NULL && arena_defer(req->arena, free, text) != 0)
		return NULL;
	return text;
}

int api_officers_update(struct request *req)
{
	const char *id = api_id_param(req, "id"), *version, *params[3], *org_id = NULL;
	char org_text[24];
	PGresult *res;

	if (id == NULL || api_if_match(req, &version) != 0)
		return -1;
	if (json_in_check(req->json, officer_fields,
	                  sizeof(officer_fields) / sizeof(officer_fields[0]), 1,
	                  &req->problem) != 0)
		return -1;
	params[0] = id;
	params[1] = officer_patch(req);
	params[2] = version;
	if (params[1] == NULL)
		return problem_has_fields(&req->problem)
		               ? -1
		               : problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (json_is_integer(json_object_get(req->json, "org_id"))) {
		(void)snprintf(org_text, sizeof(org_text), "%lld",
		               (long long)json_integer_value(json_object_get(req->json, "org_id")));
		org_id = org_text;
	}
	if (db_begin(req, DB_WRITE) != 0 ||
	    (org_id != NULL && api_check_org_visible(req, org_id, "org_id") != 0))
		return -1;
	res = db_exec(req, &officer_stmts[OFFICER_UPDATE], 3, params);
	if (res == NULL)
		return -1;
	/* Not updated: missing (or out of scope), or changed since it was read. */
	if (PQntuples(res) == 0)
		return api_update_missed(req, &officer_stmts[OFFICER_VERSION], id, "officer");
	/* A move, a status or a hire date changes the officer's requirement. */
	if (hours_store_refresh(req) != 0 || db_commit(req) != 0)
		return -1;
	return api_reply_doc(req, 200, db_json(res, 0, 0), "/api/v1/officers");
}

int api_officers_history(struct request *req)
{
	const char *id = api_id_param(req, "id"), *params[3];
	struct api_page page;
	PGresult *res;

	if (id == NULL || api_page_read(req, &page) != 0 || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &officer_stmts[OFFICER_VERSION], 1, &id);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	params[0] = id;
	params[1] = page.after_id;
	params[2] = page.limit;
	res = db_exec(req, &officer_stmts[OFFICER_HISTORY], 3, params);
	if (res == NULL)
		return -1;
	return request_reply_json(req, 200, api_page_reply(db_json(res, 0, 0), &page));
}
