/* api_certificates.c — enforcement certificates (行政执法证, DOMAIN.md rule 8):
 * issue one to an active officer on an enforcement post, correct it, change
 * its status with the reason (only along certificate_transition), list them
 * (by unit, status, domain, expiring soon), an officer's certificates, the
 * officers on a post without a valid one, and the certificate policy of a
 * subtree. The issuing rules, the history and the cascades live in schema
 * 008's triggers; this file maps their refusals to field errors. */
#include "api_certificates.h"

#include "api.h"
#include "arena.h"
#include "json_in.h"
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The certificate document of row c: the officer o, its unit g and the
 * issuing organisation ig (LEFT JOINs; an issuer above the reader's scope is
 * named through tcard_org_name, which reads any organisation's name). */
#define CERT_JSON                                                                        \
	"jsonb_build_object('id', c.id, 'number', c.number, 'officer_id', c.officer_id," \
	" 'officer_name', o.name, 'org_id', o.org_id, 'org_name', g.name,"               \
	" 'issuing_org_id', c.issuing_org_id, 'issuing_org_name',"                       \
	" coalesce(ig.name, tcard_org_name(c.issuing_org_id)), 'domain', c.domain,"      \
	" 'area', c.area, 'issued_on', c.issued_on, 'expires_on', c.expires_on,"         \
	" 'custody', c.custody, 'status', c.status, 'status_changed_at',"                \
	" c.status_changed_at, 'status_reason_category', c.status_reason_category,"      \
	" 'status_reason', c.status_reason, 'status_flag_id', c.status_flag_id,"         \
	" 'version', c.version, 'created_at', c.created_at, 'updated_at', c.updated_at)"

#define CERT_FROM                                                        \
	" FROM certificate c LEFT JOIN officer o ON o.id = c.officer_id" \
	" LEFT JOIN org g ON g.id = o.org_id LEFT JOIN org ig ON ig.id = c.issuing_org_id"

/* The statuses certificate c may take next, in the order of their severity. */
#define CERT_ALLOWED                                                                    \
	"(SELECT coalesce(jsonb_agg(t.to_status ORDER BY array_position(ARRAY['valid'," \
	" 'suspended', 'withdrawn', 'cancelled'], t.to_status)), '[]')"                 \
	" FROM certificate_transition t WHERE t.from_status = c.status)"

/* The list filters shared by the two list statements: $1 org (subtree), $2
 * status, $3 officer, $4 domain, $5 number prefix. */
#define CERT_FILTERS                                                                        \
	" WHERE ($1::bigint IS NULL OR c.org_path <@ (SELECT path FROM org WHERE id = $1))" \
	" AND ($2::text IS NULL OR c.status = $2) AND ($3::bigint IS NULL OR"               \
	" c.officer_id = $3) AND ($4::text IS NULL OR c.domain = $4) AND ($5::text IS NULL" \
	" OR c.number LIKE tcard_like_escape($5) || '%')"

enum cert_stmt {
	CERT_INSERT,
	CERT_DETAIL,
	CERT_LIST,
	CERT_EXPIRING,
	CERT_UPDATE,
	CERT_VERSION,
	CERT_STATUS,
	CERT_STATE,
	CERT_OF_OFFICER,
	CERT_UNCERTIFIED,
	CERT_POLICY_GET,
	CERT_POLICY_PUT,
	CERT_STMT_COUNT
};

/* The issuing rules (schema 008's certificate_derive) and the constraints of
 * an issue or a correction. */
static const struct db_field_error cert_field_errors[] = {
        {"certificate_number_key", "number", "duplicate",
         "执法证号已存在 / this certificate number is already used", PROBLEM_CONFLICT},
        {"certificate_number_form", "number", "format",
         "执法证号为 4 至 40 个字母、数字、汉字或 -，不以 - 开头 / 4 to 40 letters, digits, "
         "Chinese characters or '-', not starting with '-'",
         PROBLEM_VALIDATION},
        {"certificate_officer_exists", "officer_id", "unknown", "执法人员不存在 / unknown officer",
         PROBLEM_VALIDATION},
        {"certificate_officer_id_fkey", "officer_id", "unknown", "执法人员不存在 / unknown officer",
         PROBLEM_VALIDATION},
        {"certificate_officer_auxiliary", "officer_id", "auxiliary",
         "执法辅助人员不持有执法证 / auxiliary staff hold no certificate", PROBLEM_CONFLICT},
        {"certificate_officer_not_active", "officer_id", "not_active",
         "该人员已不在岗 / the officer is no longer in post", PROBLEM_CONFLICT},
        {"certificate_officer_not_on_post", "officer_id", "not_on_post",
         "该人员不在执法岗位 / the officer is not on an enforcement post", PROBLEM_CONFLICT},
        {"certificate_live_per_domain", "domain", "live_certificate",
         "该人员在此执法类别已有有效或暂扣的执法证 / the officer already holds a valid or "
         "suspended certificate in this domain",
         PROBLEM_CONFLICT},
        {"certificate_issuing_org_exists", "issuing_org_id", "unknown",
         "发证机关不存在 / unknown issuing organisation", PROBLEM_VALIDATION},
        {"certificate_issuing_org_id_fkey", "issuing_org_id", "unknown",
         "发证机关不存在 / unknown issuing organisation", PROBLEM_VALIDATION},
        {"certificate_expires_after_issue", "expires_on", "order",
         "有效期截止日应晚于发证日期 / the expiry date must be after the issue date",
         PROBLEM_VALIDATION},
        {"certificate_issued_on_range", "issued_on", "range",
         "发证日期应在 2000 至 2099 年之间 / the issue date lies in 2000..2099",
         PROBLEM_VALIDATION},
        {"certificate_domain_length", "domain", "length",
         "执法类别为 1 至 100 个字符 / the domain has 1 to 100 characters", PROBLEM_VALIDATION},
        {"certificate_area_length", "area", "length",
         "执法区域最多 100 个字符 / the area has at most 100 characters", PROBLEM_VALIDATION},
        {"certificate_custody_valid", "custody", "choice",
         "保管方为 unit_hr 或 officer / custody is unit_hr or officer", PROBLEM_VALIDATION},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

/* A status change: the transition, and a reinstatement refused because the
 * officer may no longer hold a certificate. */
static const struct db_field_error cert_status_field_errors[] = {
        {"certificate_transition", "status", "transition",
         "此状态变更不允许 / this status change is not allowed", PROBLEM_CONFLICT},
        {"certificate_officer_auxiliary", "status", "officer_auxiliary",
         "执法辅助人员不持有执法证，不能恢复 / auxiliary staff hold no certificate: it cannot "
         "be reinstated",
         PROBLEM_CONFLICT},
        {"certificate_officer_not_active", "status", "officer_not_active",
         "该人员已不在岗，不能恢复 / the officer is no longer in post: it cannot be reinstated",
         PROBLEM_CONFLICT},
        {"certificate_officer_not_on_post", "status", "officer_not_on_post",
         "该人员不在执法岗位，不能恢复 / the officer is not on an enforcement post: it cannot "
         "be reinstated",
         PROBLEM_CONFLICT},
        {"certificate_live_per_domain", "status", "live_certificate",
         "该人员在此执法类别已有有效或暂扣的执法证 / the officer already holds a valid or "
         "suspended certificate in this domain",
         PROBLEM_CONFLICT},
        {"certificate_status_reason_fits", "reason_category", "choice",
         "恢复有效须用 reinstated，其他变更不能用 / reinstated goes with valid only",
         PROBLEM_VALIDATION},
        {"certificate_status_reason_length", "reason", "too_long",
         "说明最多 500 个字符 / at most 500 characters", PROBLEM_VALIDATION},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

static const struct db_field_error cert_policy_field_errors[] = {
        {"certificate_policy_cancel_on_leaving_valid", "cancel_on_leaving", "choice",
         "取值为 review 或 immediate / review or immediate", PROBLEM_VALIDATION},
        {"certificate_policy_org_exists", "org_id", "unknown", "单位不存在 / unknown organisation",
         PROBLEM_NOT_FOUND},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

static const struct db_stmt cert_stmts[CERT_STMT_COUNT] = {
        /* $1 number, $2 officer, $3 issuing org, $4 domain, $5 area, $6 issued,
         * $7 expires, $8 custody. The trigger checks the officer and the issuer. */
        [CERT_INSERT] = {"cert_insert",
                         "INSERT INTO certificate (number, officer_id, issuing_org_id, domain,"
                         " area, issued_on, expires_on, custody) VALUES ($1, $2, $3, $4,"
                         " coalesce($5, ''), $6, $7, coalesce($8, 'unit_hr')) RETURNING id",
                         cert_field_errors},
        /* The document with its history, oldest first, and the changes allowed now. */
        [CERT_DETAIL] = {"cert_detail",
                         "SELECT " CERT_JSON " || jsonb_build_object('history',"
                         " (SELECT coalesce(jsonb_agg(jsonb_build_object('at', e.at, 'actor',"
                         " e.actor, 'from_status', e.from_status, 'to_status', e.to_status,"
                         " 'reason_category', e.reason_category, 'reason', e.reason,"
                         " 'flag_id', e.flag_id) ORDER BY e.id), '[]')"
                         " FROM certificate_event e WHERE e.certificate_id = c.id),"
                         " 'allowed_transitions', " CERT_ALLOWED ","
                         /* how often its QR code was checked (schema 009) */
                         " 'verifications', (SELECT jsonb_build_object('count', count(*),"
                         " 'last_at', max(v.at)) FROM certificate_verification v"
                         " WHERE v.certificate_id = c.id))" CERT_FROM " WHERE c.id = $1"},
        /* $6 after id, $7 limit */
        [CERT_LIST] = {"cert_list", "SELECT " CERT_JSON CERT_FROM CERT_FILTERS
                                    " AND c.id > $6 ORDER BY c.id LIMIT $7"},
        /* Expiring soon: valid, expiring between $8 (today in China) and $8 + $9
         * days, by expiry date; the cursor is the last row's id, whose expiry
         * date continues the keyset. */
        [CERT_EXPIRING] = {"cert_expiring",
                           "SELECT " CERT_JSON CERT_FROM CERT_FILTERS
                           " AND c.status = 'valid' AND c.expires_on BETWEEN $8::date AND"
                           " $8::date + $9::integer AND ($6::bigint = 0 OR (c.expires_on, c.id)"
                           " > (SELECT k.expires_on, k.id FROM certificate k WHERE k.id = $6))"
                           " ORDER BY c.expires_on, c.id LIMIT $7"},
        /* $1 id, $2 patch (validated jsonb), $3 version */
        [CERT_UPDATE] = {"cert_update",
                         "UPDATE certificate c SET issuing_org_id ="
                         " coalesce((p->>'issuing_org_id')::bigint, c.issuing_org_id),"
                         " domain = coalesce(p->>'domain', c.domain),"
                         " area = coalesce(p->>'area', c.area),"
                         " issued_on = coalesce((p->>'issued_on')::date, c.issued_on),"
                         " expires_on = coalesce((p->>'expires_on')::date, c.expires_on),"
                         " custody = coalesce(p->>'custody', c.custody),"
                         " version = c.version + 1, updated_at = now()"
                         " FROM (SELECT $2::jsonb AS p) patch"
                         " WHERE c.id = $1 AND ($3::integer IS NULL OR c.version = $3)"
                         " RETURNING c.id",
                         cert_field_errors},
        [CERT_VERSION] = {"cert_version", "SELECT version FROM certificate WHERE id = $1"},
        /* $1 id, $2 status, $3 reason category, $4 reason, $5 version or NULL.
         * Changes nothing unless certificate_transition allows it. */
        [CERT_STATUS] = {"cert_status",
                         "UPDATE certificate c SET status = $2, status_reason_category = $3,"
                         " status_reason = $4, status_flag_id = NULL, version = c.version + 1,"
                         " updated_at = now()"
                         " WHERE c.id = $1 AND ($5::integer IS NULL OR c.version = $5)"
                         " AND EXISTS (SELECT FROM certificate_transition t"
                         " WHERE t.from_status = c.status AND t.to_status = $2) RETURNING c.id",
                         cert_status_field_errors},
        /* Why a status change changed nothing: the status, version and what is allowed. */
        [CERT_STATE] = {"cert_state", "SELECT c.status, c.version, " CERT_ALLOWED
                                      "::text FROM certificate c WHERE c.id = $1"},
        /* Newest first; no row when the officer is not visible. */
        [CERT_OF_OFFICER] = {"cert_of_officer",
                             "SELECT (SELECT coalesce(jsonb_agg(" CERT_JSON
                             " ORDER BY c.id DESC), '[]') FROM certificate c"
                             " LEFT JOIN org ig ON ig.id = c.issuing_org_id"
                             " WHERE c.officer_id = o.id)"
                             " FROM officer o LEFT JOIN org g ON g.id = o.org_id WHERE o.id = $1"},
        /* 持证上岗: active officers (not auxiliaries) on an enforcement post
         * without a valid certificate. $1 org (subtree), $2 after id, $3 limit.
         * "id" is renamed officer_id after the page's cursor is made. */
        [CERT_UNCERTIFIED] = {"cert_uncertified",
                              "SELECT jsonb_build_object('id', o.id, 'name', o.name,"
                              " 'national_id_masked', o.national_id_masked, 'org_id', o.org_id,"
                              " 'org_name', g.name, 'post', o.post, 'live_certificates',"
                              " (SELECT count(*) FROM certificate s WHERE s.officer_id = o.id"
                              " AND s.status = 'suspended'))"
                              " FROM officer o JOIN org g ON g.id = o.org_id"
                              " WHERE o.status = 'active' AND o.kind = 'officer'"
                              " AND o.enforcement_post"
                              " AND ($1::bigint IS NULL OR o.org_path <@"
                              " (SELECT path FROM org WHERE id = $1))"
                              " AND NOT EXISTS (SELECT FROM certificate v"
                              " WHERE v.officer_id = o.id AND v.status = 'valid')"
                              " AND o.id > $2 ORDER BY o.id LIMIT $3"},
        /* The setting that applies at organisation $1: the nearest ancestor's
         * (row-level security shows the reader's ancestors' settings), or the
         * default 'review'. No row when the organisation is not visible. */
        [CERT_POLICY_GET] = {"cert_policy_get",
                             "SELECT jsonb_build_object('org_id', g.id, 'cancel_on_leaving',"
                             " coalesce(p.cancel_on_leaving, 'review'), 'source_org_id',"
                             " p.org_id, 'own', coalesce(p.org_id = g.id, false), 'version',"
                             " CASE WHEN p.org_id = g.id THEN p.version END)"
                             " FROM org g LEFT JOIN LATERAL (SELECT q.org_id,"
                             " q.cancel_on_leaving, q.version FROM certificate_policy q"
                             " WHERE q.org_path @> g.path ORDER BY nlevel(q.org_path) DESC"
                             " LIMIT 1) p ON true WHERE g.id = $1"},
        /* $1 org, $2 setting, $3 version or NULL (If-Match: *). A version names
         * an existing row: without one, nothing is written (412). */
        [CERT_POLICY_PUT] = {"cert_policy_put",
                             "INSERT INTO certificate_policy AS p (org_id, cancel_on_leaving)"
                             " SELECT g.id, $2 FROM org g WHERE g.id = $1 AND ($3::integer IS"
                             " NULL OR EXISTS (SELECT FROM certificate_policy q"
                             " WHERE q.org_id = $1))"
                             " ON CONFLICT (org_id) DO UPDATE SET"
                             " cancel_on_leaving = EXCLUDED.cancel_on_leaving,"
                             " version = p.version + 1, updated_at = now()"
                             " WHERE $3::integer IS NULL OR p.version = $3 RETURNING p.org_id",
                             cert_policy_field_errors},
};

const struct db_stmt_table api_certificates_statements = {cert_stmts, CERT_STMT_COUNT};

static const char *const cert_statuses[] = {"valid", "suspended", "withdrawn", "cancelled", NULL};
static const char *const cert_custodies[] = {"unit_hr", "officer", NULL};
/* certificate_reason_valid() of schema 008. */
static const char *const cert_reasons[] = {
        "transferred",     "resigned",     "dismissed", "retired", "hours_short",
        "assessment_fail", "not_eligible", "lost",      "expired", "misconduct",
        "reinstated",      "other",        NULL};
static const char *const cert_policy_choices[] = {"review", "immediate", NULL};

static const struct field_spec cert_fields[] = {
        {"number", FIELD_STRING, FIELD_REQUIRED, 40, NULL, "执法证号"},
        {"officer_id", FIELD_INTEGER, FIELD_REQUIRED, 0, NULL, "持证人"},
        {"issuing_org_id", FIELD_INTEGER, FIELD_REQUIRED, 0, NULL, "发证机关"},
        {"domain", FIELD_STRING, FIELD_REQUIRED, 100, NULL, "执法类别"},
        {"area", FIELD_STRING, 0, 100, NULL, "执法区域"},
        {"issued_on", FIELD_DATE, FIELD_REQUIRED, 0, NULL, "发证日期"},
        {"expires_on", FIELD_DATE, FIELD_REQUIRED, 0, NULL, "有效期至"},
        {"custody", FIELD_CHOICE, 0, 0, cert_custodies, "保管方"},
};
#define CERT_FIELDS (sizeof(cert_fields) / sizeof(cert_fields[0]))

/* What a correction may change: not the number, the holder or the status. */
static const struct field_spec cert_patch_fields[] = {
        {"issuing_org_id", FIELD_INTEGER, 0, 0, NULL, "发证机关"},
        {"domain", FIELD_STRING, 0, 100, NULL, "执法类别"},
        {"area", FIELD_STRING, 0, 100, NULL, "执法区域"},
        {"issued_on", FIELD_DATE, 0, 0, NULL, "发证日期"},
        {"expires_on", FIELD_DATE, 0, 0, NULL, "有效期至"},
        {"custody", FIELD_CHOICE, 0, 0, cert_custodies, "保管方"},
};
#define CERT_PATCH_FIELDS (sizeof(cert_patch_fields) / sizeof(cert_patch_fields[0]))

static const struct field_spec cert_status_fields[] = {
        {"status", FIELD_CHOICE, FIELD_REQUIRED, 0, cert_statuses, "状态"},
        {"reason_category", FIELD_CHOICE, FIELD_REQUIRED, 0, cert_reasons, "原因类别"},
        {"reason", FIELD_STRING, 0, 500, NULL, "说明"},
};
#define CERT_STATUS_FIELDS (sizeof(cert_status_fields) / sizeof(cert_status_fields[0]))

static const struct field_spec cert_policy_fields[] = {
        {"cancel_on_leaving", FIELD_CHOICE, FIELD_REQUIRED, 0, cert_policy_choices, "离岗注销方式"},
};

/* The Chinese name of a status, for messages. */
static const char *cert_status_label(const char *status)
{
	static const char *const labels[][2] = {{"valid", "有效"},
	                                        {"suspended", "暂扣"},
	                                        {"withdrawn", "收回"},
	                                        {"cancelled", "注销"}};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i][0], status) == 0)
			return labels[i][1];
	return status;
}

/* An integer member of the checked body as text in the arena, or NULL. */
static const char *cert_integer(struct request *req, const char *name)
{
	const json_t *value = json_object_get(req->json, name);

	if (!json_is_integer(value))
		return NULL;
	return arena_printf(req->arena, "%lld", (long long)json_integer_value(value));
}

/* The expiry after the issue, when the body holds both (YYYY-MM-DD compares
 * as text); a field error otherwise. */
static void cert_check_dates(struct request *req)
{
	const char *issued = json_string_value(json_object_get(req->json, "issued_on"));
	const char *expires = json_string_value(json_object_get(req->json, "expires_on"));

	if (issued != NULL && expires != NULL && strcmp(expires, issued) <= 0)
		problem_field(
		        &req->problem, "expires_on", "order",
		        "有效期截止日应晚于发证日期 / the expiry date must be after the issue "
		        "date");
}

/* Reads one document with stmt ($1 = id) in the open transaction, commits
 * when commit is set, and replies with it (Location under collection for a
 * 201). Returns 0, or -1 with req->problem set. */
static int cert_reply_row(struct request *req, enum cert_stmt stmt, const char *id, unsigned status,
                          const char *collection, int commit)
{
	PGresult *res = db_exec(req, &cert_stmts[stmt], 1, &id);
	json_t *doc;

	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	doc = db_json(res, 0, 0);
	if (doc == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "unreadable row");
	if (commit && db_commit(req) != 0) {
		json_decref(doc);
		return -1;
	}
	return api_reply_doc(req, status, doc, collection);
}

/* A certificate with its history. */
static int cert_reply_detail(struct request *req, unsigned status, const char *id, int commit)
{
	return cert_reply_row(req, CERT_DETAIL, id, status, "/api/v1/certificates", commit);
}

int api_certificates_create(struct request *req)
{
	const char *params[8], *id;
	PGresult *res;

	/* Every field's fault is reported at once. */
	(void)json_in_check(req->json, cert_fields, CERT_FIELDS, 0, &req->problem);
	cert_check_dates(req);
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	params[0] = json_in_string(req->arena, req->json, "number");
	params[1] = cert_integer(req, "officer_id");
	params[2] = cert_integer(req, "issuing_org_id");
	params[3] = json_in_string(req->arena, req->json, "domain");
	params[4] = json_in_string(req->arena, req->json, "area");
	params[5] = json_in_string(req->arena, req->json, "issued_on");
	params[6] = json_in_string(req->arena, req->json, "expires_on");
	params[7] = json_in_string(req->arena, req->json, "custody");
	if (params[0] == NULL || params[1] == NULL || params[2] == NULL || params[3] == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	/* An officer out of scope is unknown, exactly like a missing one
	 * (certificate_officer_exists): the trigger reads it under row-level security. */
	res = db_exec(req, &cert_stmts[CERT_INSERT], 8, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1 || (id = arena_strdup(req->arena, PQgetvalue(res, 0, 0))) == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL,
		                   "the certificate was not stored");
	return cert_reply_detail(req, 201, id, 1);
}

int api_certificates_get(struct request *req)
{
	const char *id = api_id_param(req, "id");

	if (id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	return cert_reply_detail(req, 200, id, 0);
}

/* ?expiring_within=: whole days, 0..3650; NULL when absent. */
static const char *cert_query_days(struct request *req, int *bad)
{
	const char *value = request_query(req, "expiring_within");
	size_t n;

	if (value == NULL)
		return NULL;
	n = strspn(value, "0123456789");
	if (n == 0 || n > 4 || value[n] != '\0' || atoi(value) > 3650) {
		*bad = 1;
		problem_field(&req->problem, "expiring_within", "range",
		              "应为 0 至 3650 的天数 / whole days from 0 to 3650");
		return NULL;
	}
	return value;
}

int api_certificates_list(struct request *req)
{
	struct api_page page;
	const char *params[9], *q = request_query(req, "q"), *domain = request_query(req, "domain");
	int today = api_today(), bad = 0;
	json_t *items;
	PGresult *res;

	params[0] = api_query_id(req, "org", &bad);
	params[1] = api_query_choice(req, "status", cert_statuses, &bad);
	params[2] = api_query_id(req, "officer", &bad);
	params[3] = domain != NULL && domain[0] != '\0' ? domain : NULL;
	params[4] = q != NULL && q[0] != '\0' ? q : NULL;
	params[8] = cert_query_days(req, &bad);
	if (api_page_read(req, &page) != 0 || bad)
		return -1;
	params[5] = page.after_id;
	params[6] = page.limit;
	params[7] = arena_printf(req->arena, "%04d-%02d-%02d", today / 10000, today / 100 % 100,
	                         today % 100);
	if (params[7] == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (db_begin(req, DB_READ) != 0 ||
	    (params[0] != NULL && api_check_org_visible(req, params[0], "org") != 0))
		return -1;
	res = params[8] != NULL ? db_exec(req, &cert_stmts[CERT_EXPIRING], 9, params)
	                        : db_exec(req, &cert_stmts[CERT_LIST], 7, params);
	if (res == NULL)
		return -1;
	items = api_rows_json(res, NULL);
	return request_reply_json(req, 200, api_page_reply(items, &page));
}

int api_certificates_update(struct request *req)
{
	const char *id = api_id_param(req, "id"), *version, *params[3];
	PGresult *res;
	char *patch;

	if (id == NULL || api_if_match(req, &version) != 0)
		return -1;
	(void)json_in_check(req->json, cert_patch_fields, CERT_PATCH_FIELDS, 1, &req->problem);
	cert_check_dates(req);
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	patch = json_dumps(req->json, JSON_COMPACT);
	if (patch == NULL || arena_defer(req->arena, free, patch) != 0) {
		free(patch);
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	params[0] = id;
	params[1] = patch;
	params[2] = version;
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &cert_stmts[CERT_UPDATE], 3, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return api_update_missed(req, &cert_stmts[CERT_VERSION], id, "certificate");
	return cert_reply_detail(req, 200, id, 1);
}

/* The refusal of a status change that changed no row: 404 when the
 * certificate is not visible, 412 when If-Match named another version, else
 * 409 naming the statuses it may take. Returns -1. */
static int cert_status_refused(struct request *req, const char *id, const char *target,
                               const char *version)
{
	PGresult *res = db_exec(req, &cert_stmts[CERT_STATE], 1, &id);
	const char *status, *allowed_json;
	json_t *allowed, *next;
	char english[160] = "", chinese[160] = "", message[400];
	size_t i, e = 0, c = 0;

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	status = PQgetvalue(res, 0, 0);
	if (version != NULL && strcmp(version, PQgetvalue(res, 0, 1)) != 0)
		return problem_set(
		        &req->problem, PROBLEM_PRECONDITION,
		        "the certificate was changed meanwhile (now version %s): read it "
		        "again",
		        PQgetvalue(res, 0, 1));
	allowed_json = PQgetvalue(res, 0, 2);
	allowed = json_loads(allowed_json, 0, NULL);
	json_array_foreach(allowed, i, next)
	{
		const char *name = json_string_value(next);

		/* At most three names of a few bytes each: they fit. */
		if (name == NULL || e >= sizeof(english) || c >= sizeof(chinese))
			continue;
		e += (size_t)snprintf(english + e, sizeof(english) - e, "%s%s", i > 0 ? ", " : "",
		                      name);
		c += (size_t)snprintf(chinese + c, sizeof(chinese) - c, "%s%s", i > 0 ? "、" : "",
		                      cert_status_label(name));
	}
	if (json_array_size(allowed) == 0)
		(void)snprintf(
		        message, sizeof(message),
		        "%s的执法证不能再变更状态 / a %s certificate takes no further change",
		        cert_status_label(status), status);
	else
		(void)snprintf(message, sizeof(message),
		               "%s的执法证只能变更为：%s / a %s certificate can become: %s",
		               cert_status_label(status), chinese, status, english);
	json_decref(allowed);
	problem_field(&req->problem, "status", "transition", message);
	return problem_set(&req->problem, PROBLEM_CONFLICT,
	                   "a %s certificate cannot become %s; \"allowed\": %s", status, target,
	                   allowed_json);
}

int api_certificates_status(struct request *req)
{
	const char *id = api_id_param(req, "id"), *version = NULL, *params[5];
	const char *status, *category, *reason;
	PGresult *res;

	if (id == NULL)
		return -1;
	/* If-Match is optional here: a status change names where it goes, and
	 * the transition table refuses what no longer fits. */
	if (request_header(req, "If-Match") != NULL && api_if_match(req, &version) != 0)
		return -1;
	if (json_in_check(req->json, cert_status_fields, CERT_STATUS_FIELDS, 0, &req->problem) != 0)
		return -1;
	status = json_in_string(req->arena, req->json, "status");
	category = json_in_string(req->arena, req->json, "reason_category");
	reason = json_in_string(req->arena, req->json, "reason");
	if (status == NULL || category == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (strcmp(status, "valid") == 0 && strcmp(category, "reinstated") != 0)
		return problem_field(&req->problem, "reason_category", "reinstated_only",
		                     "恢复有效的原因类别为 reinstated / going back to valid is a "
		                     "reinstatement (reinstated)");
	if (strcmp(status, "valid") != 0 && strcmp(category, "reinstated") == 0)
		return problem_field(&req->problem, "reason_category", "not_reinstatement",
		                     "reinstated 只用于恢复有效 / reinstated goes with valid only");
	if (strcmp(category, "other") == 0 && (reason == NULL || reason[0] == '\0'))
		return problem_field(&req->problem, "reason", "required",
		                     "原因为其他时须说明 / say why when the category is other");
	params[0] = id;
	params[1] = status;
	params[2] = category;
	params[3] = reason != NULL && reason[0] != '\0' ? reason : NULL;
	params[4] = version;
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &cert_stmts[CERT_STATUS], 5, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return cert_status_refused(req, id, status, version);
	return cert_reply_detail(req, 200, id, 1);
}

int api_certificates_of_officer(struct request *req)
{
	const char *id = api_id_param(req, "id");
	PGresult *res;

	if (id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &cert_stmts[CERT_OF_OFFICER], 1, &id);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	return request_reply_json(req, 200, json_pack("{s:o?}", "items", db_json(res, 0, 0)));
}

int api_certificates_uncertified(struct request *req)
{
	struct api_page page;
	const char *params[3];
	json_t *items, *reply, *item;
	PGresult *res;
	size_t i;
	int bad = 0;

	params[0] = api_query_id(req, "org", &bad);
	if (api_page_read(req, &page) != 0 || bad)
		return -1;
	params[1] = page.after_id;
	params[2] = page.limit;
	if (db_begin(req, DB_READ) != 0 ||
	    (params[0] != NULL && api_check_org_visible(req, params[0], "org") != 0))
		return -1;
	res = db_exec(req, &cert_stmts[CERT_UNCERTIFIED], 3, params);
	if (res == NULL)
		return -1;
	items = api_rows_json(res, NULL);
	reply = api_page_reply(items, &page);
	/* The cursor was made from "id"; the item names the officer. */
	json_array_foreach(json_object_get(reply, "items"), i, item)
	{
		(void)json_object_set(item, "officer_id", json_object_get(item, "id"));
		(void)json_object_del(item, "id");
	}
	return request_reply_json(req, 200, reply);
}

/* The policy that applies at org_id. */
static int cert_policy_reply(struct request *req, const char *org_id, int commit)
{
	return cert_reply_row(req, CERT_POLICY_GET, org_id, 200, NULL, commit);
}

int api_certificate_policy_get(struct request *req)
{
	const char *id = api_id_param(req, "id");

	if (id == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	return cert_policy_reply(req, id, 0);
}

int api_certificate_policy_put(struct request *req)
{
	const char *params[3], *version;
	PGresult *res;

	params[0] = api_id_param(req, "id");
	if (params[0] == NULL || api_if_match(req, &version) != 0)
		return -1;
	if (json_in_check(req->json, cert_policy_fields, 1, 0, &req->problem) != 0)
		return -1;
	params[1] = json_in_string(req->arena, req->json, "cancel_on_leaving");
	params[2] = version;
	if (params[1] == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &cert_stmts[CERT_POLICY_GET], 1, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	res = db_exec(req, &cert_stmts[CERT_POLICY_PUT], 3, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_PRECONDITION,
		                   "the certificate policy was changed meanwhile, or this "
		                   "organisation has none of its own yet (send If-Match: *)");
	return cert_policy_reply(req, params[0], 1);
}
