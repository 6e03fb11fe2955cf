/* test_matrix.c — the role × route × scope matrix (SECURITY.md 1): every route of
 * routes_table, called by nobody, an admin, an hr and an auditor scoped to county A, and an
 * officer of A's unit, on something in the caller's own scope and on something outside it,
 * must answer the status its row expects; a route without a row fails, as does a row
 * without a route. The matrix runs once with browser sessions and once with API tokens.
 * Denied calls must change nothing, lists must hold the caller's scope only, an
 * out-of-scope id must answer exactly as a missing one, and only admin and hr read whole
 * national IDs. */
#include "testlib.h"

#include "routes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum caller { NOBODY, ADMIN, HR, AUDITOR, OFFICER, CALLERS };
enum scope { OWN, OTHER, SCOPES };
enum credential { CRED_SESSION, CRED_TOKEN };

static const char *const caller_names[CALLERS] = {"nobody", "admin", "hr", "auditor", "officer"};
static const char *const scope_names[SCOPES] = {"own", "other"};
static const char *const usernames[CALLERS] = {NULL, "m.admin", "m.hr", "m.auditor", "m.officer"};

static struct tcardd_proc proc;
static PGconn *db;

/* The world the matrix acts on: a city with counties A and B; A has a unit with two
 * officers (the officer account is the first); B has one officer. The edit_* orgs and
 * the account_* users are the objects the admin-only writes change, so that those writes
 * disturb none of the callers. */
static struct {
	long long city, org_a, org_b, unit_a, edit_org_a, edit_org_b;
	long long officer_a1, officer_a2, officer_b;
	long long account_a, account_b;
	long long session_a, session_b, record_a, record_b; /* A2 on session A, B1 on B */
	/* A1's and B1's certificates (read, corrected); two more whose status the
	 * status row toggles; a flag in A and one in B (read). */
	long long cert_a, cert_b, cert_status_a, cert_status_b, flag_a, flag_b;
	long long import_session_a, import_session_b; /* codes M-IA, M-IB: the import row's */
	char path_a[64];
} fx;

/* Every caller's current password (the password row changes them), its browser session
 * and its API token; acting[] is the current run's credential for each caller. */
static char passwords[CALLERS][64];
static struct test_identity sessions[CALLERS], tokens[CALLERS];
static const struct test_identity *acting[CALLERS];
static enum credential credential;
static unsigned serial; /* makes codes, names and national IDs unique per call */

#define LOGIN_ONLY_USER "m.login" /* an account only logged into, by every caller */
static char login_only_password[64];

/* One call of the matrix: built by a row for (caller, scope), then checked. */
struct call {
	enum caller caller;
	enum scope scope;
	const struct test_identity *who; /* NULL: nobody */
	char path[256];
	char body[1024]; /* "" = no body */
	char if_match[64];
	char content_type[64];     /* "" = application/json */
	long long object_id;       /* what the call acts on, for its check */
	char text[64];             /* a name or password the check needs */
	struct test_identity temp; /* a throwaway session or token */
};

struct matrix_row {
	unsigned method;
	const char *pattern;
	void (*build)(struct call *call);
	/* Called when the status was the expected one and the caller got past the gate (not
	 * 401 or 403): 0, or -1 with why filled. */
	int (*check)(struct call *call, const struct http_result *r, char *why, size_t size);
	long expect[CALLERS][SCOPES];
	/* The one audit entry a 422 of this route writes (NULL: none). A wrong current
	 * password counts like a failed login and is audited (SECURITY.md 4); every other
	 * refusal writes nothing. */
	const char *audited_refusal;
};

/* ---- helpers ---- */

static void format_into(char *out, size_t size, const char *format, ...)
        __attribute__((format(printf, 3, 4)));

static void format_into(char *out, size_t size, const char *format, ...)
{
	va_list ap;
	int n;

	va_start(ap, format);
	n = vsnprintf(out, size, format, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		fail_msg("text too long for its buffer: %s", format);
}

static int complain(char *why, size_t size, const char *format, ...)
        __attribute__((format(printf, 3, 4)));

static int complain(char *why, size_t size, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	(void)vsnprintf(why, size, format, ap);
	va_end(ap);
	return -1;
}

/* The caller whose own objects a call uses: nobody borrows the admin's. */
static enum caller subject_of(enum caller c)
{
	return c == NOBODY ? ADMIN : c;
}

/* Another account whose objects the caller must not reach. */
static enum caller victim_of(enum caller c)
{
	return c == HR ? AUDITOR : HR;
}

/* The ETag of path, read by the fixture's administrator just before a write. */
static void admin_etag(const char *path, char *out, size_t size)
{
	struct http_result r;

	http_call(&proc, &r, "GET", path, NULL, NULL);
	if (r.status != 200 || r.etag[0] == '\0')
		fail_msg("GET %s for its ETag: %ld %s", path, r.status, r.body);
	format_into(out, size, "%s", r.etag);
	http_result_clear(&r);
}

/* Creates an API token for who; returns its id and puts a Bearer identity in out. */
static long long new_token(const struct test_identity *who, struct test_identity *out)
{
	struct http_result r;
	long long id;

	http_call_as(&proc, who, &r, "POST", "/api/v1/tokens", NULL, "{\"name\":\"matrix\"}");
	if (r.status != 201)
		fail_msg("creating a token: %ld %s", r.status, r.body);
	memset(out, 0, sizeof(*out));
	format_into(out->bearer, sizeof(out->bearer), "%s",
	            json_string_value(json_object_get(r.json, "token")));
	out->user_id = who->user_id;
	id = json_integer_value(json_object_get(r.json, "id"));
	http_result_clear(&r);
	return id;
}

/* "user_id:active" of an API token, from the database. */
static void token_state(long long id, char *out, size_t size)
{
	char text[24];

	format_into(text, sizeof(text), "%lld", id);
	test_db_text(db,
	             "SELECT user_id || ':' || (revoked_at IS NULL) FROM api_token"
	             " WHERE id = $1::bigint",
	             text, out, size);
}

/* Everything a denied call must leave as it was besides the audit log: rows and versions
 * of every resource, sessions and tokens. */
static void db_state(char *out, size_t size)
{
	test_db_text(
	        db,
	        "SELECT concat_ws(' ',"
	        " (SELECT count(*) || '/' || sum(version) FROM org),"
	        " (SELECT count(*) || '/' || sum(version) FROM officer),"
	        " (SELECT count(*) FROM officer_history),"
	        " (SELECT count(*) || '/' || sum(version) FROM app_user),"
	        " (SELECT count(*) || '/' || count(revoked_at) FROM auth_session),"
	        " (SELECT count(*) || '/' || count(revoked_at) FROM api_token),"
	        " (SELECT count(*) || '/' || sum(version) FROM training_session),"
	        " (SELECT count(*) || '/' || sum(version) FROM attendance),"
	        " (SELECT count(*) || '/' || sum(version) FROM hours_policy),"
	        " (SELECT count(*) || '/' || sum(version) FROM hours_exemption),"
	        " (SELECT count(*) || '/' || sum(version) FROM certificate),"
	        " (SELECT count(*) FROM certificate_event),"
	        " (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM certificate_policy),"
	        " (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM annual_assessment),"
	        " (SELECT count(*) || '/' || coalesce(sum(closings), 0) FROM training_year_close),"
	        " (SELECT count(*) || '/' || count(reviewed_at) FROM withdrawal_flag))",
	        NULL, out, size);
}

/* Own: county A's policy for 2025; other: county B's. */
static void build_policy_get(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/orgs/%lld/policies/2025",
	            call->scope == OWN ? fx.org_a : fx.org_b);
}

static void build_policy_put(struct call *call)
{
	build_policy_get(call);
	format_into(call->if_match, sizeof(call->if_match), "*");
	format_into(call->body, sizeof(call->body), "{\"required_hours\":\"%u\"}",
	            50 + ++serial % 10);
}

/* The admin sets the policy first, so that there is one to remove. */
static void build_policy_delete(struct call *call)
{
	struct http_result r;
	const char *headers[] = {"If-Match: *", NULL};

	build_policy_put(call);
	http_call(&proc, &r, "PUT", call->path, headers, call->body);
	if (r.status != 200)
		fail_msg("setting a policy to remove: %ld %s", r.status, r.body);
	http_result_clear(&r);
	call->body[0] = '\0';
}

/* Own: officer A1's exemptions; other: B's officer's. */
static void build_exemptions(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/officers/%lld/exemptions",
	            call->scope == OWN ? fx.officer_a1 : fx.officer_b);
}

static void build_exemption_put(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/officers/%lld/exemptions/2025",
	            call->scope == OWN ? fx.officer_a1 : fx.officer_b);
	format_into(call->if_match, sizeof(call->if_match), "*");
	format_into(call->body, sizeof(call->body),
	            "{\"kind\":\"reduce\",\"reduced_hours\":\"%u\",\"reason\":\"病假\","
	            "\"approver\":\"局长\"}",
	            10 + ++serial % 20);
}

/* Revoking needs an exemption in force: the admin records one first. */
static void build_exemption_revoke(struct call *call)
{
	struct http_result r;
	const char *headers[] = {"If-Match: *", NULL};

	build_exemption_put(call);
	http_call(&proc, &r, "PUT", call->path, headers, call->body);
	if (r.status != 200)
		fail_msg("recording an exemption to revoke: %ld %s", r.status, r.body);
	http_result_clear(&r);
	call->if_match[0] = '\0';
	format_into(call->path + strlen(call->path), sizeof(call->path) - strlen(call->path),
	            "/revoke");
	format_into(call->body, sizeof(call->body), "{\"reason\":\"复岗\"}");
}

/* Own: county A's list; other: county B's (422 "unknown organisation" out of scope). */
static void build_report(struct call *call, const char *report)
{
	format_into(call->path, sizeof(call->path), "/api/v1/reports/%s?org=%lld&year=2025", report,
	            call->scope == OWN ? fx.org_a : fx.org_b);
}

static void build_report_compliance(struct call *call)
{
	build_report(call, "compliance");
}

static void build_report_csv(struct call *call)
{
	build_report(call, "compliance.csv");
}

static void build_report_xlsx(struct call *call)
{
	build_report(call, "compliance.xlsx");
}

static void build_report_anomalies(struct call *call)
{
	build_report(call, "anomalies");
}

static void build_report_orgs(struct call *call)
{
	build_report(call, "orgs");
}

static void build_report_dashboard(struct call *call)
{
	build_report(call, "dashboard");
}

/* ---- certificates, assessments, closing a year, flags (issue 5) ---- */

static void build_officer_get(struct call *call);

/* Issues a certificate as the fixture's administrator; returns its id. */
static long long issue_certificate(long long officer_id, const char *domain)
{
	struct http_result r;
	char body[512];
	long long id;

	format_into(body, sizeof(body),
	            "{\"number\":\"MX%04u%lld\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
	            "\"domain\":\"%s\",\"issued_on\":\"2024-01-01\",\"expires_on\":\"2030-01-01\"}",
	            ++serial, officer_id, officer_id, fx.city, domain);
	http_call(&proc, &r, "POST", "/api/v1/certificates", NULL, body);
	if (r.status != 201)
		fail_msg("issuing a certificate: %ld %s", r.status, r.body);
	id = json_integer_value(json_object_get(r.json, "id"));
	http_result_clear(&r);
	return id;
}

/* A fresh open flag in org: an officer with a certificate who leaves the
 * enforcement post (a 'not_eligible' flag, raised at once). */
static long long new_flag(long long org_id)
{
	char sql[160], text[32];
	long long officer = test_create_officer(&proc, 500 + ++serial, "旗标", org_id);

	(void)issue_certificate(officer, "矩阵执法");
	format_into(sql, sizeof(sql), "UPDATE officer SET enforcement_post = false WHERE id = %lld",
	            officer);
	test_db_as_app(db, sql);
	format_into(text, sizeof(text), "%lld", officer);
	test_db_text(
	        db,
	        "SELECT id FROM withdrawal_flag WHERE officer_id = $1::bigint AND state = 'open'",
	        text, sql, sizeof(sql));
	return atoll(sql);
}

static void build_certificates(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/certificates?org=%lld",
	            call->scope == OWN ? fx.org_a : fx.org_b);
}

/* A new domain each time: one live certificate per officer and domain. */
static void build_certificate_create(struct call *call)
{
	unsigned n = ++serial;

	format_into(call->path, sizeof(call->path), "/api/v1/certificates");
	format_into(call->body, sizeof(call->body),
	            "{\"number\":\"MC%05u\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
	            "\"domain\":\"矩阵领域%u\",\"issued_on\":\"2024-01-01\","
	            "\"expires_on\":\"2030-01-01\"}",
	            n, call->scope == OWN ? fx.officer_a1 : fx.officer_b, fx.city, n);
}

/* Own: A1's certificate (the officer's own); other: B1's. */
static void build_certificate_get(struct call *call)
{
	call->object_id = call->scope == OWN ? fx.cert_a : fx.cert_b;
	format_into(call->path, sizeof(call->path), "/api/v1/certificates/%lld", call->object_id);
}

static void build_certificate_update(struct call *call)
{
	build_certificate_get(call);
	admin_etag(call->path, call->if_match, sizeof(call->if_match));
	format_into(call->body, sizeof(call->body), "{\"area\":\"矩阵区域%u\"}", ++serial);
}

/* Suspends the certificate when valid, reinstates it when suspended. */
static void build_certificate_status(struct call *call)
{
	char id[24], status[16];

	call->object_id = call->scope == OWN ? fx.cert_status_a : fx.cert_status_b;
	format_into(id, sizeof(id), "%lld", call->object_id);
	test_db_text(db, "SELECT status FROM certificate WHERE id = $1::bigint", id, status,
	             sizeof(status));
	format_into(call->path, sizeof(call->path), "/api/v1/certificates/%lld/status",
	            call->object_id);
	if (strcmp(status, "valid") == 0)
		format_into(call->body, sizeof(call->body),
		            "{\"status\":\"suspended\",\"reason_category\":\"misconduct\","
		            "\"reason\":\"矩阵\"}");
	else
		format_into(call->body, sizeof(call->body),
		            "{\"status\":\"valid\",\"reason_category\":\"reinstated\"}");
}

static void build_officer_certificates(struct call *call)
{
	build_officer_get(call);
	format_into(call->path + strlen(call->path), sizeof(call->path) - strlen(call->path),
	            "/certificates");
}

static void build_certificate_policy(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/orgs/%lld/certificate-policy",
	            call->scope == OWN ? fx.org_a : fx.org_b);
}

static void build_certificate_policy_put(struct call *call)
{
	build_certificate_policy(call);
	format_into(call->if_match, sizeof(call->if_match), "*");
	format_into(call->body, sizeof(call->body), "{\"cancel_on_leaving\":\"%s\"}",
	            ++serial % 2 ? "review" : "immediate");
}

static void build_report_uncertified(struct call *call)
{
	build_report(call, "uncertified");
}

static void build_assessments(struct call *call)
{
	build_officer_get(call);
	format_into(call->path + strlen(call->path), sizeof(call->path) - strlen(call->path),
	            "/assessments");
}

static void build_assessment_put(struct call *call)
{
	static const char *const grades[] = {"excellent", "pass", "basic"};

	format_into(call->path, sizeof(call->path), "/api/v1/officers/%lld/assessments/2025",
	            call->scope == OWN ? fx.officer_a1 : fx.officer_b);
	format_into(call->if_match, sizeof(call->if_match), "*");
	format_into(call->body, sizeof(call->body), "{\"grade\":\"%s\"}", grades[++serial % 3]);
}

/* Own: county A; other: county B (422 "unknown organisation" out of scope). */
static void build_year_close(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/years/2025/close");
	format_into(call->body, sizeof(call->body), "{\"org_id\":%lld}",
	            call->scope == OWN ? fx.org_a : fx.org_b);
}

static void build_year_preview(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/years/2025/close-preview?org=%lld",
	            call->scope == OWN ? fx.org_a : fx.org_b);
}

static void build_year_closings(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/years/%d/closings",
	            call->scope == OWN ? 2025 : 2024);
}

static void build_flags(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/flags?org=%lld",
	            call->scope == OWN ? fx.org_a : fx.org_b);
}

static void build_flags_summary(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/flags/summary?org=%lld",
	            call->scope == OWN ? fx.org_a : fx.org_b);
}

static void build_flag_get(struct call *call)
{
	call->object_id = call->scope == OWN ? fx.flag_a : fx.flag_b;
	format_into(call->path, sizeof(call->path), "/api/v1/flags/%lld", call->object_id);
}

/* A fresh open flag for each call that may get past the gate. */
static void build_flag_review(struct call *call, const char *what, const char *body)
{
	int reaches = call->caller == ADMIN || call->caller == AUDITOR;

	call->object_id = !reaches ? (call->scope == OWN ? fx.flag_a : fx.flag_b)
	                           : new_flag(call->scope == OWN ? fx.unit_a : fx.org_b);
	format_into(call->path, sizeof(call->path), "/api/v1/flags/%lld/%s", call->object_id, what);
	format_into(call->body, sizeof(call->body), "%s", body);
}

static void build_flag_confirm(struct call *call)
{
	build_flag_review(call, "confirm", "{\"action\":\"suspend\",\"note\":\"矩阵\"}");
}

static void build_flag_dismiss(struct call *call)
{
	build_flag_review(call, "dismiss", "{\"reason\":\"核实无误\"}");
}

static void build_public_cancelled(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/public/cancelled-certificates%s",
	            call->scope == OWN ? "" : "?limit=1");
}

static void build_public_cancelled_csv(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/public/cancelled-certificates.csv");
}

/* Nothing personal beyond a masked name in the public list. */
static int check_public_cancelled(struct call *call, const struct http_result *r, char *why,
                                  size_t size)
{
	(void)call;
	if (r->body == NULL || strstr(r->body, "national_id") != NULL ||
	    strstr(r->body, "officer_id") != NULL)
		return complain(why, size, "the public list names more than it may");
	return 0;
}

/* ---- QR codes, verification and the printable card (issue 6) ---- */

static void build_certificate_qr(struct call *call, const char *format)
{
	build_certificate_get(call);
	format_into(call->path + strlen(call->path), sizeof(call->path) - strlen(call->path),
	            "/qr.%s", format);
}

static void build_certificate_qr_svg(struct call *call)
{
	build_certificate_qr(call, "svg");
}

static void build_certificate_qr_png(struct call *call)
{
	build_certificate_qr(call, "png");
}

static void build_keys(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/keys");
}

/* Tokens that do not verify: the answer is a verdict, never a denial. */
static void build_verify(struct call *call, const char *prefix)
{
	format_into(call->path, sizeof(call->path), "%s/%s", prefix,
	            call->scope == OWN ? "AAAAAAAAAAAAAAAAAAAAAAAA" : "not-a-token_at-all");
}

static void build_verify_json(struct call *call)
{
	build_verify(call, "/api/v1/verify");
}

static void build_verify_page(struct call *call)
{
	build_verify(call, "/v");
}

static int check_not_valid(struct call *call, const struct http_result *r, char *why, size_t size)
{
	(void)call;
	if (r->json == NULL || !json_is_false(json_object_get(r->json, "valid")))
		return complain(why, size, "a token that does not verify must answer valid: false");
	return 0;
}

/* Own: A1's card (the officer's own); other: B's officer's (the officer's colleague's). */
static void build_card_print(struct call *call)
{
	build_officer_get(call);
	format_into(call->path, sizeof(call->path), "/cards/%lld/2025", call->object_id);
}

/* ---- bulk import (issue 7) ---- */

/* One attendance record as CSV: own, A1 on A's import session; other, B's officer on B's
 * (out of an A-scoped caller's reach: a row error, 422). Repeats are unchanged rows. */
static void build_import(struct call *call)
{
	char national_id[19];

	test_national_id(call->scope == OWN ? 1 : 3, national_id);
	format_into(call->path, sizeof(call->path), "/api/v1/imports/attendance");
	format_into(call->content_type, sizeof(call->content_type), "text/csv; charset=utf-8");
	format_into(call->body, sizeof(call->body), "national_id,session_code\r\n%s,%s\r\n",
	            national_id, call->scope == OWN ? "M-IA" : "M-IB");
}

static int json_has_field_error(const json_t *doc, const char *field, const char *reason)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "errors"), i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "reason")), reason) == 0)
			return 1;
	}
	return 0;
}

/* 1 when org path lies in the subtree at root ("1.2" holds "1.2" and "1.2.7"). */
static int path_within(const char *path, const char *root)
{
	size_t len = strlen(root);

	return path != NULL && strncmp(path, root, len) == 0 &&
	       (path[len] == '\0' || path[len] == '.');
}

/* The national ID in an officer document: masked (the first 6 characters, 8 '*', the
 * last 4) for everyone; whole only when admin or hr asked for it (?reveal=national_id,
 * revealed set). 0, or -1 with why. */
static int check_national_id_as(enum caller c, const json_t *doc, int revealed, char *why,
                                size_t size)
{
	const char *whole = json_string_value(json_object_get(doc, "national_id"));
	const char *masked = json_string_value(json_object_get(doc, "national_id_masked"));
	size_t i;

	if (masked == NULL || strlen(masked) != 18)
		return complain(why, size, "national_id_masked missing or not 18 characters");
	for (i = 0; i < 18; i++) {
		int ok = i < 6    ? masked[i] >= '0' && masked[i] <= '9'
		         : i < 14 ? masked[i] == '*'
		                  : (masked[i] >= '0' && masked[i] <= '9') || masked[i] == 'X';

		if (!ok)
			return complain(why, size, "national_id_masked is not 6 + 8 '*' + 4: %s",
			                masked);
	}
	if (revealed && (c == ADMIN || c == HR)) {
		if (whole == NULL || strlen(whole) != 18 || strncmp(whole, masked, 6) != 0 ||
		    strcmp(whole + 14, masked + 14) != 0)
			return complain(why, size, "%s must see the whole national_id",
			                caller_names[c]);
	} else if (json_object_get(doc, "national_id") != NULL) {
		return complain(why, size, "%s must not see national_id unasked", caller_names[c]);
	}
	return 0;
}

static int check_national_id(enum caller c, const json_t *doc, char *why, size_t size)
{
	return check_national_id_as(c, doc, 0, why, size);
}

/* ---- the rows: how each route is called for (caller, scope), and what is checked ---- */

static void build_healthz(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/healthz");
}

static void build_readyz(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/readyz");
}

static void build_openapi(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/openapi.json");
}

static int check_openapi(struct call *call, const struct http_result *r, char *why, size_t size)
{
	(void)call;
	if (json_object_get(json_object_get(r->json, "paths"), "/api/v1/officers/{id}") == NULL)
		return complain(why, size, "the OpenAPI document lacks /api/v1/officers/{id}");
	return 0;
}

/* Public: the caller's credential is not looked at. Own: one's own account; other:
 * another account. Neither fails, so the throttle never counts a failure here. */
static void build_login(struct call *call)
{
	enum caller c = call->caller;

	format_into(call->path, sizeof(call->path), "/api/v1/login");
	if (call->scope == OWN && c != NOBODY) {
		format_into(call->text, sizeof(call->text), "%s", usernames[c]);
		format_into(call->body, sizeof(call->body),
		            "{\"username\":\"%s\",\"password\":\"%s\"}", usernames[c],
		            passwords[c]);
	} else {
		format_into(call->text, sizeof(call->text), "%s", LOGIN_ONLY_USER);
		format_into(call->body, sizeof(call->body),
		            "{\"username\":\"%s\",\"password\":\"%s\"}", LOGIN_ONLY_USER,
		            login_only_password);
	}
}

static int check_login(struct call *call, const struct http_result *r, char *why, size_t size)
{
	const char *name =
	        json_string_value(json_object_get(json_object_get(r->json, "user"), "username"));

	if (name == NULL || strcmp(name, call->text) != 0)
		return complain(why, size, "logged in as %s, not %s", name ? name : "(none)",
		                call->text);
	if (strncmp(r->set_cookie, "tcard_session=", 14) != 0)
		return complain(why, size, "no session cookie");
	return 0;
}

/* Logs out a throwaway credential of the caller's (a session, or with tokens a token),
 * so that the identities of the later rows live on. */
static void build_logout(struct call *call)
{
	enum caller c = call->caller;

	format_into(call->path, sizeof(call->path), "/api/v1/logout");
	if (c == NOBODY)
		return;
	if (credential == CRED_SESSION)
		test_login(&proc, usernames[c], passwords[c], &call->temp);
	else
		call->object_id = new_token(acting[c], &call->temp);
	call->who = &call->temp;
}

static int check_logout(struct call *call, const struct http_result *r, char *why, size_t size)
{
	struct http_result after;
	enum caller keeps = call->scope == OWN ? call->caller : victim_of(call->caller);
	long ended;

	(void)r;
	/* The credential logged out with ends: the session, or the API token. */
	http_call_as(&proc, &call->temp, &after, "GET", "/api/v1/session", NULL, NULL);
	ended = after.status;
	http_result_clear(&after);
	if (ended != 401)
		return complain(why, size, "the logged-out credential then answers %ld", ended);
	/* Own: the caller's other session lives on; other: so does another user's. */
	http_call_as(&proc, acting[keeps], &after, "GET", "/api/v1/session", NULL, NULL);
	ended = after.status;
	http_result_clear(&after);
	if (ended != 200)
		return complain(why, size, "%s's credential then answers %ld", caller_names[keeps],
		                ended);
	return 0;
}

/* Own: /session; other: the same asking for another user, which must still show oneself. */
static void build_session(struct call *call)
{
	if (call->scope == OWN)
		format_into(call->path, sizeof(call->path), "/api/v1/session");
	else
		format_into(call->path, sizeof(call->path), "/api/v1/session?user_id=%lld",
		            acting[victim_of(call->caller)]->user_id);
}

static int check_session(struct call *call, const struct http_result *r, char *why, size_t size)
{
	long long id = json_integer_value(json_object_get(json_object_get(r->json, "user"), "id"));
	const char *by = json_string_value(json_object_get(r->json, "authenticated_by"));

	if (id != acting[call->caller]->user_id)
		return complain(why, size, "the session shows user %lld", id);
	if (by == NULL || strcmp(by, credential == CRED_SESSION ? "session" : "token") != 0)
		return complain(why, size, "authenticated_by is %s", by ? by : "(none)");
	return 0;
}

/* Own: change one's password; other: try it with another user's current password. A wrong
 * current password counts against the caller and the address like a failed login: the two
 * runs make 8 such failures, well below the address's threshold of 20 an hour, and a
 * caller's 2 are cleared by its next successful login. */
static void build_password(struct call *call)
{
	enum caller c = subject_of(call->caller);
	const char *current = call->scope == OWN ? passwords[c] : passwords[victim_of(c)];

	format_into(call->path, sizeof(call->path), "/api/v1/session/password");
	format_into(call->text, sizeof(call->text), "matrix-%s-password-%u", usernames[c],
	            ++serial);
	format_into(call->body, sizeof(call->body),
	            "{\"current_password\":\"%s\",\"new_password\":\"%s\"}", current, call->text);
}

static int check_password(struct call *call, const struct http_result *r, char *why, size_t size)
{
	if (call->scope == OTHER) {
		if (!json_has_field_error(r->json, "current_password", "wrong"))
			return complain(why, size, "no field error current_password/wrong");
		return 0;
	}
	format_into(passwords[call->caller], sizeof(passwords[0]), "%s", call->text);
	return 0;
}

/* Own: one's tokens; other: the same asking for another user's, which must still list
 * one's own only. */
static void build_tokens(struct call *call)
{
	if (call->scope == OWN)
		format_into(call->path, sizeof(call->path), "/api/v1/tokens");
	else
		format_into(call->path, sizeof(call->path), "/api/v1/tokens?user_id=%lld",
		            acting[victim_of(call->caller)]->user_id);
}

static int check_tokens(struct call *call, const struct http_result *r, char *why, size_t size)
{
	const json_t *item;
	char state[64], owner[32];
	size_t i;

	format_into(owner, sizeof(owner), "%lld:", acting[call->caller]->user_id);
	if (test_items_count(r) == 0)
		return complain(why, size, "no tokens listed");
	json_array_foreach(json_object_get(r->json, "items"), i, item)
	{
		long long id = json_integer_value(json_object_get(item, "id"));

		token_state(id, state, sizeof(state));
		if (strncmp(state, owner, strlen(owner)) != 0)
			return complain(why, size, "token %lld of another user listed", id);
	}
	return 0;
}

/* Own: a token for oneself; other: one for another user (a field that does not exist). */
static void build_token_create(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/tokens");
	if (call->scope == OWN)
		format_into(call->body, sizeof(call->body), "{\"name\":\"matrix %u\"}", ++serial);
	else
		format_into(call->body, sizeof(call->body),
		            "{\"name\":\"matrix %u\",\"user_id\":%lld}", ++serial,
		            acting[victim_of(call->caller)]->user_id);
}

static int check_token_create(struct call *call, const struct http_result *r, char *why,
                              size_t size)
{
	char state[64], expected[64];

	if (call->scope == OTHER) {
		if (!json_has_field_error(r->json, "user_id", "unknown_field"))
			return complain(why, size, "no field error user_id/unknown_field");
		return 0;
	}
	token_state(json_integer_value(json_object_get(r->json, "id")), state, sizeof(state));
	format_into(expected, sizeof(expected), "%lld:true", acting[call->caller]->user_id);
	if (strcmp(state, expected) != 0)
		return complain(why, size, "the new token is %s, not %s", state, expected);
	return 0;
}

/* Own: revoke a fresh token of one's own; other: a fresh token of another user's. */
static void build_token_revoke(struct call *call)
{
	enum caller owner =
	        call->scope == OWN ? subject_of(call->caller) : victim_of(subject_of(call->caller));

	call->object_id = new_token(acting[owner], &call->temp);
	format_into(call->path, sizeof(call->path), "/api/v1/tokens/%lld", call->object_id);
}

static int check_token_revoke(struct call *call, const struct http_result *r, char *why,
                              size_t size)
{
	char state[64];
	const char *active;

	(void)r;
	token_state(call->object_id, state, sizeof(state));
	active = strchr(state, ':') + 1;
	if (strcmp(active, call->scope == OWN ? "false" : "true") != 0)
		return complain(why, size, "token %lld is %s afterwards", call->object_id, state);
	return 0;
}

static void build_users(struct call *call)
{
	format_into(call->path, sizeof(call->path),
	            call->scope == OWN ? "/api/v1/users?limit=500" : "/api/v1/users?role=hr");
}

static int check_users(struct call *call, const struct http_result *r, char *why, size_t size)
{
	if (call->scope == OWN &&
	    !(test_items_hold(r, fx.account_a) && test_items_hold(r, fx.account_b)))
		return complain(why, size, "the list lacks the accounts of A or B");
	return 0;
}

static void build_user_create(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/users");
	format_into(call->body, sizeof(call->body),
	            "{\"username\":\"m.new%u\",\"display_name\":\"矩阵新账号\",\"role\":\"hr\","
	            "\"org_id\":%lld}",
	            ++serial, call->scope == OWN ? fx.org_a : fx.org_b);
}

static long long account_of(const struct call *call)
{
	return call->scope == OWN ? fx.account_a : fx.account_b;
}

static void build_user_get(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/users/%lld", account_of(call));
}

static void build_user_update(struct call *call)
{
	build_user_get(call);
	admin_etag(call->path, call->if_match, sizeof(call->if_match));
	format_into(call->body, sizeof(call->body), "{\"display_name\":\"矩阵改名 %u\"}", ++serial);
}

static void build_user_reset(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/users/%lld/password-reset",
	            account_of(call));
}

/* Own: the whole list; other: the subtree of B. */
static void build_orgs(struct call *call)
{
	if (call->scope == OWN)
		format_into(call->path, sizeof(call->path), "/api/v1/orgs?limit=500");
	else
		format_into(call->path, sizeof(call->path), "/api/v1/orgs?subtree=%lld&limit=500",
		            fx.org_b);
}

static int check_orgs(struct call *call, const struct http_result *r, char *why, size_t size)
{
	enum caller c = call->caller;
	int city = test_items_hold(r, fx.city), a = test_items_hold(r, fx.org_a);
	int b = test_items_hold(r, fx.org_b), unit = test_items_hold(r, fx.unit_a);
	int edit_b = test_items_hold(r, fx.edit_org_b);

	if (call->scope == OTHER) {
		if (c == ADMIN ? !(b && edit_b) : test_items_count(r) != 0)
			return complain(why, size, "the subtree of B is %s",
			                c == ADMIN ? "incomplete" : "not empty");
		return 0;
	}
	if (c == ADMIN && !(city && a && b && unit))
		return complain(why, size, "the admin's list lacks part of the tree");
	if ((c == HR || c == AUDITOR) && !(a && unit && !city && !b && !edit_b))
		return complain(why, size,
		                "the list is not A's subtree (city %d A %d B %d unit %d)", city, a,
		                b, unit);
	if (c == OFFICER && !(unit && !a && !b && !city))
		return complain(why, size, "the officer's list is not its unit (A %d B %d unit %d)",
		                a, b, unit);
	return 0;
}

/* Own: a new department under A; other: under B. */
static void build_org_create(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/orgs");
	format_into(call->body, sizeof(call->body),
	            "{\"code\":\"m-new-%u\",\"name\":\"矩阵新单位\",\"kind\":\"department\","
	            "\"parent_id\":%lld}",
	            ++serial, call->scope == OWN ? fx.org_a : fx.org_b);
}

/* Own: A's unit (inside every caller's scope, the officer's too); other: county B. */
static void build_org_get(struct call *call)
{
	call->object_id = call->scope == OWN ? fx.unit_a : fx.org_b;
	format_into(call->path, sizeof(call->path), "/api/v1/orgs/%lld", call->object_id);
}

static int check_object_id(struct call *call, const struct http_result *r, char *why, size_t size)
{
	long long id = json_integer_value(json_object_get(r->json, "id"));

	if (r->status >= 300)
		return 0; /* an out-of-scope id: its status was all there was to check */
	if (id != call->object_id)
		return complain(why, size, "answered with id %lld, not %lld", id, call->object_id);
	return 0;
}

static void build_org_update(struct call *call)
{
	call->object_id = call->scope == OWN ? fx.edit_org_a : fx.edit_org_b;
	format_into(call->path, sizeof(call->path), "/api/v1/orgs/%lld", call->object_id);
	admin_etag(call->path, call->if_match, sizeof(call->if_match));
	format_into(call->body, sizeof(call->body), "{\"name\":\"矩阵改名 %u\"}", ++serial);
}

/* Own: every officer; other: the officers of B (an org filter out of scope). */
static void build_officers(struct call *call)
{
	if (call->scope == OWN)
		format_into(call->path, sizeof(call->path), "/api/v1/officers?limit=500");
	else
		format_into(call->path, sizeof(call->path), "/api/v1/officers?org=%lld", fx.org_b);
}

static int check_officers(struct call *call, const struct http_result *r, char *why, size_t size)
{
	enum caller c = call->caller;
	const json_t *item;
	size_t i;
	int a1, a2, b;

	if (r->status != 200)
		return 0; /* an org filter out of scope: refused like an unknown org */
	a1 = test_items_hold(r, fx.officer_a1);
	a2 = test_items_hold(r, fx.officer_a2);
	b = test_items_hold(r, fx.officer_b);
	if (call->scope == OTHER ? !(b && !a1) : !(a1 && a2 && (c == ADMIN ? b : !b)))
		return complain(why, size, "the list holds A1 %d A2 %d B %d", a1, a2, b);
	json_array_foreach(json_object_get(r->json, "items"), i, item)
	{
		if (check_national_id(c, item, why, size) != 0)
			return -1;
	}
	return 0;
}

/* Own: a new officer in A's unit; other: in B. */
static void build_officer_create(struct call *call)
{
	char national_id[19];

	test_national_id(1000 + ++serial, national_id);
	format_into(call->path, sizeof(call->path), "/api/v1/officers");
	format_into(call->body, sizeof(call->body),
	            "{\"national_id\":\"%s\",\"name\":\"矩阵人员\",\"org_id\":%lld,"
	            "\"post\":\"执法队员\",\"hire_date\":\"2015-03-01\"}",
	            national_id, call->scope == OWN ? fx.unit_a : fx.org_b);
}

/* Own: the officer account's own record (in A's unit); other: B's officer, and for the
 * officer its colleague in the same unit (its scope is its own record). */
static void build_officer_get(struct call *call)
{
	call->object_id = call->scope == OWN        ? fx.officer_a1
	                  : call->caller == OFFICER ? fx.officer_a2
	                                            : fx.officer_b;
	format_into(call->path, sizeof(call->path), "/api/v1/officers/%lld", call->object_id);
}

static int check_officer(struct call *call, const struct http_result *r, char *why, size_t size)
{
	if (r->status >= 300)
		return 0;
	if (check_object_id(call, r, why, size) != 0)
		return -1;
	return check_national_id(call->caller, r->json, why, size);
}

static void build_officer_update(struct call *call)
{
	call->object_id = call->scope == OWN ? fx.officer_a2 : fx.officer_b;
	format_into(call->path, sizeof(call->path), "/api/v1/officers/%lld", call->object_id);
	admin_etag(call->path, call->if_match, sizeof(call->if_match));
	format_into(call->body, sizeof(call->body), "{\"post\":\"矩阵岗位 %u\"}", ++serial);
}

static void build_officer_history(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/officers/%lld/history",
	            call->scope == OWN ? fx.officer_a1 : fx.officer_b);
}

/* Own: the officer's own card (A1); other: the colleague A2 for the officer, B's for the rest. */
static void build_card(struct call *call)
{
	long long other = call->caller == OFFICER ? fx.officer_a2 : fx.officer_b;

	call->object_id = call->scope == OWN ? fx.officer_a1 : other;
	format_into(call->path, sizeof(call->path), "/api/v1/officers/%lld/card", call->object_id);
}

static int check_card(struct call *call, const struct http_result *r, char *why, size_t size)
{
	if (r->status != 200)
		return 0;
	if (json_integer_value(json_object_get(json_object_get(r->json, "officer"), "id")) !=
	    call->object_id)
		return complain(why, size, "the card of another officer");
	if (json_object_get(json_object_get(r->json, "officer"), "national_id") != NULL)
		return complain(why, size, "a card shows a whole national ID");
	return 0;
}

static int check_history(struct call *call, const struct http_result *r, char *why, size_t size)
{
	(void)call;
	if (r->status != 200)
		return 0;
	if (test_items_count(r) == 0)
		return complain(why, size, "no history entries");
	return 0;
}

/* Own: every session; other: the sessions of B (an org filter out of scope). */
static void build_sessions(struct call *call)
{
	if (call->scope == OWN)
		format_into(call->path, sizeof(call->path), "/api/v1/sessions?limit=500");
	else
		format_into(call->path, sizeof(call->path), "/api/v1/sessions?org=%lld", fx.org_b);
}

static int check_sessions(struct call *call, const struct http_result *r, char *why, size_t size)
{
	int a, b;

	if (r->status != 200)
		return 0; /* an org filter out of scope: refused like an unknown org */
	a = test_items_hold(r, fx.session_a);
	b = test_items_hold(r, fx.session_b);
	if (call->scope == OTHER ? !(b && !a) : !(a && (call->caller == ADMIN ? b : !b)))
		return complain(why, size, "the list holds session A %d B %d", a, b);
	return 0;
}

/* Own: a new session organised by A's unit; other: by B. */
static void build_session_create(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/sessions");
	format_into(call->body, sizeof(call->body),
	            "{\"title\":\"矩阵培训 %u\",\"org_id\":%lld,\"category\":\"business\","
	            "\"form\":\"seminar\",\"starts_at\":\"2025-05-06T09:00:00+08:00\","
	            "\"ends_at\":\"2025-05-06T12:00:00+08:00\",\"declared_hours\":\"3\"}",
	            ++serial, call->scope == OWN ? fx.unit_a : fx.org_b);
}

static void build_session_get(struct call *call)
{
	call->object_id = call->scope == OWN ? fx.session_a : fx.session_b;
	format_into(call->path, sizeof(call->path), "/api/v1/sessions/%lld", call->object_id);
}

static void build_session_update(struct call *call)
{
	build_session_get(call);
	admin_etag(call->path, call->if_match, sizeof(call->if_match));
	format_into(call->body, sizeof(call->body), "{\"title\":\"矩阵改名 %u\"}", ++serial);
}

static void build_session_attendance(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/sessions/%lld/attendance",
	            call->scope == OWN ? fx.session_a : fx.session_b);
}

/* The records of the session, every one in the caller's scope. */
static int check_session_attendance(struct call *call, const struct http_result *r, char *why,
                                    size_t size)
{
	long long expected = call->scope == OWN ? fx.record_a : fx.record_b;

	if (r->status != 200)
		return 0;
	if (test_items_count(r) != 1 || !test_items_hold(r, expected))
		return complain(why, size, "the records are not just record %lld", expected);
	return 0;
}

/* Own: A2 on a fresh session of A's unit (so that every call creates its record);
 * other: B's officer on a fresh session of B. */
static void build_attendance_register(struct call *call)
{
	long long org = call->scope == OWN ? fx.unit_a : fx.org_b;
	long long officer = call->scope == OWN ? fx.officer_a2 : fx.officer_b;
	char title[64];

	format_into(title, sizeof(title), "矩阵登记 %u", ++serial);
	call->object_id = test_create_session(&proc, title, org, "2025-05-07T09:00:00+08:00",
	                                      "2025-05-07T10:30:00+08:00", NULL);
	format_into(call->path, sizeof(call->path), "/api/v1/sessions/%lld/attendance",
	            call->object_id);
	format_into(call->body, sizeof(call->body), "{\"officers\":[{\"officer_id\":%lld}]}",
	            officer);
}

static int check_attendance_register(struct call *call, const struct http_result *r, char *why,
                                     size_t size)
{
	(void)call;
	if (r->status == 201 && json_array_size(json_object_get(r->json, "created")) != 1)
		return complain(why, size, "not one record created");
	return 0;
}

/* Own: A2's record on session A; other: B's officer's on session B. Any version. */
static void build_attendance_update(struct call *call)
{
	call->object_id = call->scope == OWN ? fx.record_a : fx.record_b;
	format_into(call->path, sizeof(call->path), "/api/v1/attendance/%lld", call->object_id);
	format_into(call->if_match, sizeof(call->if_match), "*");
	format_into(call->body, sizeof(call->body),
	            "{\"credited_hours\":\"1.5\",\"override_reason\":\"矩阵早退 %u\"}", ++serial);
}

/* Own: the newest entries; other: the entries of B's officer. */
static void build_audit(struct call *call)
{
	if (call->scope == OWN)
		format_into(call->path, sizeof(call->path), "/api/v1/audit?order=desc&limit=500");
	else
		format_into(call->path, sizeof(call->path),
		            "/api/v1/audit?target_type=officer&target_id=%lld", fx.officer_b);
}

static int check_audit(struct call *call, const struct http_result *r, char *why, size_t size)
{
	const json_t *item;
	size_t i, global = 0;

	if (call->scope == OTHER) {
		if (call->caller == ADMIN ? test_items_count(r) == 0 : test_items_count(r) != 0)
			return complain(why, size, "%zu entries of B's officer",
			                test_items_count(r));
		return 0;
	}
	if (test_items_count(r) == 0)
		return complain(why, size, "no audit entries");
	json_array_foreach(json_object_get(r->json, "items"), i, item)
	{
		const char *path = json_string_value(json_object_get(item, "org_path"));

		global += path == NULL;
		if (call->caller == AUDITOR && !path_within(path, fx.path_a))
			return complain(why, size, "entry %lld of org_path %s is outside A",
			                (long long)json_integer_value(json_object_get(item, "seq")),
			                path ? path : "(global)");
	}
	if (call->caller == ADMIN && global == 0)
		return complain(why, size, "the admin sees no global entry");
	return 0;
}

static void build_audit_verify(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/api/v1/audit/verify");
}

static int check_audit_verify(struct call *call, const struct http_result *r, char *why,
                              size_t size)
{
	(void)call;
	if (!json_is_true(json_object_get(r->json, "ok")))
		return complain(why, size, "the chain does not verify");
	return 0;
}

static void build_metrics(struct call *call)
{
	format_into(call->path, sizeof(call->path), "/metrics");
}

static int check_metrics(struct call *call, const struct http_result *r, char *why, size_t size)
{
	(void)call;
	if (r->body == NULL ||
	    strstr(r->body, "# TYPE tcard_http_requests_total counter") == NULL ||
	    strstr(r->body, "tcard_db_connections ") == NULL)
		return complain(why, size, "not the Prometheus text of tcard's metrics");
	return 0;
}

/* clang-format off */
/* A row's expected statuses, {own, other} for each caller in turn. */
#define EXPECT(n1, n2, a1, a2, h1, h2, u1, u2, o1, o2) \
	{{n1, n2}, {a1, a2}, {h1, h2}, {u1, u2}, {o1, o2}}

static const struct matrix_row matrix[] = {
	/* method, pattern, how to call it, what to check besides the status;
	 *             nobody      admin       hr          auditor     officer
	 *             own  other  own  other  own  other  own  other  own  other */
	{HTTP_GET, "/healthz", build_healthz, NULL,
	        EXPECT(200, 200,   200, 200,   200, 200,   200, 200,   200, 200)},
	{HTTP_GET, "/readyz", build_readyz, NULL,
	        EXPECT(200, 200,   200, 200,   200, 200,   200, 200,   200, 200)},
	{HTTP_GET, "/metrics", build_metrics, check_metrics,
	        EXPECT(401, 401,   200, 200,   403, 403,   200, 200,   403, 403)},
	{HTTP_GET, "/api/v1/openapi.json", build_openapi, check_openapi,
	        EXPECT(200, 200,   200, 200,   200, 200,   200, 200,   200, 200)},

	{HTTP_POST, "/api/v1/login", build_login, check_login,
	        EXPECT(200, 200,   200, 200,   200, 200,   200, 200,   200, 200)},
	{HTTP_POST, "/api/v1/logout", build_logout, check_logout,
	        EXPECT(401, 401,   204, 204,   204, 204,   204, 204,   204, 204)},
	{HTTP_GET, "/api/v1/session", build_session, check_session,
	        EXPECT(401, 401,   200, 200,   200, 200,   200, 200,   200, 200)},
	{HTTP_POST, "/api/v1/session/password", build_password, check_password,
	        EXPECT(401, 401,   204, 422,   204, 422,   204, 422,   204, 422),
	        "password.change_failed"},
	{HTTP_GET, "/api/v1/tokens", build_tokens, check_tokens,
	        EXPECT(401, 401,   200, 200,   200, 200,   200, 200,   200, 200)},
	{HTTP_POST, "/api/v1/tokens", build_token_create, check_token_create,
	        EXPECT(401, 401,   201, 422,   201, 422,   201, 422,   201, 422)},
	{HTTP_DELETE, "/api/v1/tokens/{id}", build_token_revoke, check_token_revoke,
	        EXPECT(401, 401,   204, 404,   204, 404,   204, 404,   204, 404)},

	{HTTP_GET, "/api/v1/users", build_users, check_users,
	        EXPECT(401, 401,   200, 200,   403, 403,   403, 403,   403, 403)},
	{HTTP_POST, "/api/v1/users", build_user_create, NULL,
	        EXPECT(401, 401,   201, 201,   403, 403,   403, 403,   403, 403)},
	{HTTP_GET, "/api/v1/users/{id}", build_user_get, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   403, 403,   403, 403)},
	{HTTP_PATCH, "/api/v1/users/{id}", build_user_update, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   403, 403,   403, 403)},
	{HTTP_POST, "/api/v1/users/{id}/password-reset", build_user_reset, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   403, 403,   403, 403)},

	{HTTP_GET, "/api/v1/orgs", build_orgs, check_orgs,
	        EXPECT(401, 401,   200, 200,   200, 200,   200, 200,   200, 200)},
	{HTTP_POST, "/api/v1/orgs", build_org_create, NULL,
	        EXPECT(401, 401,   201, 201,   403, 403,   403, 403,   403, 403)},
	{HTTP_GET, "/api/v1/orgs/{id}", build_org_get, check_object_id,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   200, 404)},
	{HTTP_PATCH, "/api/v1/orgs/{id}", build_org_update, check_object_id,
	        EXPECT(401, 401,   200, 200,   403, 403,   403, 403,   403, 403)},

	/* An org filter out of scope is 422 "unknown organisation", as a missing org is. */
	{HTTP_GET, "/api/v1/officers", build_officers, check_officers,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_POST, "/api/v1/officers", build_officer_create, NULL,
	        EXPECT(401, 401,   201, 201,   201, 422,   403, 403,   403, 403)},
	/* The officer's other is its colleague in the same unit; everyone else's is B's officer. */
	{HTTP_GET, "/api/v1/officers/{id}", build_officer_get, check_officer,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   200, 404)},
	{HTTP_PATCH, "/api/v1/officers/{id}", build_officer_update, check_object_id,
	        EXPECT(401, 401,   200, 200,   200, 404,   403, 403,   403, 403)},
	{HTTP_GET, "/api/v1/officers/{id}/history", build_officer_history, check_history,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   403, 403)},
	{HTTP_GET, "/api/v1/officers/{id}/card", build_card, check_card,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   200, 404)},

	/* An org filter out of scope is 422 "unknown organisation", as a missing org is. */
	{HTTP_GET, "/api/v1/sessions", build_sessions, check_sessions,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_POST, "/api/v1/sessions", build_session_create, NULL,
	        EXPECT(401, 401,   201, 201,   201, 422,   403, 403,   403, 403)},
	{HTTP_GET, "/api/v1/sessions/{id}", build_session_get, check_object_id,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   403, 403)},
	{HTTP_PATCH, "/api/v1/sessions/{id}", build_session_update, check_object_id,
	        EXPECT(401, 401,   200, 200,   200, 404,   403, 403,   403, 403)},
	{HTTP_GET, "/api/v1/sessions/{id}/attendance", build_session_attendance,
	        check_session_attendance,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   403, 403)},
	{HTTP_POST, "/api/v1/sessions/{id}/attendance", build_attendance_register,
	        check_attendance_register,
	        EXPECT(401, 401,   201, 201,   201, 404,   403, 403,   403, 403)},
	{HTTP_PATCH, "/api/v1/attendance/{id}", build_attendance_update, check_object_id,
	        EXPECT(401, 401,   200, 200,   200, 404,   403, 403,   403, 403)},

	{HTTP_GET, "/api/v1/orgs/{id}/policies/{year}", build_policy_get, NULL,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   403, 403)},
	{HTTP_PUT, "/api/v1/orgs/{id}/policies/{year}", build_policy_put, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   403, 403,   403, 403)},
	{HTTP_DELETE, "/api/v1/orgs/{id}/policies/{year}", build_policy_delete, NULL,
	        EXPECT(401, 401,   204, 204,   403, 403,   403, 403,   403, 403)},
	{HTTP_GET, "/api/v1/officers/{id}/exemptions", build_exemptions, NULL,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   403, 403)},
	{HTTP_PUT, "/api/v1/officers/{id}/exemptions/{year}", build_exemption_put, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   200, 404,   403, 403)},
	{HTTP_POST, "/api/v1/officers/{id}/exemptions/{year}/revoke", build_exemption_revoke, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   200, 404,   403, 403)},

	{HTTP_GET, "/api/v1/certificates", build_certificates, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_POST, "/api/v1/certificates", build_certificate_create, NULL,
	        EXPECT(401, 401,   201, 201,   201, 422,   403, 403,   403, 403)},
	{HTTP_GET, "/api/v1/certificates/{id}", build_certificate_get, check_object_id,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   200, 404)},
	{HTTP_PATCH, "/api/v1/certificates/{id}", build_certificate_update, check_object_id,
	        EXPECT(401, 401,   200, 200,   200, 404,   403, 403,   403, 403)},
	{HTTP_POST, "/api/v1/certificates/{id}/status", build_certificate_status, check_object_id,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   403, 403)},
	{HTTP_GET, "/api/v1/certificates/{id}/qr.svg", build_certificate_qr_svg, NULL,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   200, 404)},
	{HTTP_GET, "/api/v1/certificates/{id}/qr.png", build_certificate_qr_png, NULL,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   200, 404)},
	{HTTP_GET, "/api/v1/officers/{id}/certificates", build_officer_certificates, NULL,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   200, 404)},
	{HTTP_GET, "/api/v1/orgs/{id}/certificate-policy", build_certificate_policy, NULL,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   403, 403)},
	{HTTP_PUT, "/api/v1/orgs/{id}/certificate-policy", build_certificate_policy_put, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   403, 403,   403, 403)},
	{HTTP_GET, "/api/v1/officers/{id}/assessments", build_assessments, NULL,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   200, 404)},
	{HTTP_PUT, "/api/v1/officers/{id}/assessments/{year}", build_assessment_put, NULL,
	        EXPECT(401, 401,   200, 200,   200, 404,   403, 403,   403, 403)},

	{HTTP_POST, "/api/v1/years/{year}/close", build_year_close, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   200, 422,   403, 403)},
	{HTTP_GET, "/api/v1/years/{year}/close-preview", build_year_preview, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   200, 422,   403, 403)},
	{HTTP_GET, "/api/v1/years/{year}/closings", build_year_closings, NULL,
	        EXPECT(401, 401,   200, 200,   200, 200,   200, 200,   403, 403)},
	{HTTP_GET, "/api/v1/flags", build_flags, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_GET, "/api/v1/flags/summary", build_flags_summary, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_GET, "/api/v1/flags/{id}", build_flag_get, check_object_id,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   403, 403)},
	{HTTP_POST, "/api/v1/flags/{id}/confirm", build_flag_confirm, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   200, 404,   403, 403)},
	{HTTP_POST, "/api/v1/flags/{id}/dismiss", build_flag_dismiss, NULL,
	        EXPECT(401, 401,   200, 200,   403, 403,   200, 404,   403, 403)},

	{HTTP_GET, "/api/v1/keys", build_keys, NULL,
	        EXPECT(200, 200,   200, 200,   200, 200,   200, 200,   200, 200)},
	{HTTP_GET, "/api/v1/verify/{token}", build_verify_json, check_not_valid,
	        EXPECT(200, 200,   200, 200,   200, 200,   200, 200,   200, 200)},
	{HTTP_GET, "/v/{token}", build_verify_page, NULL,
	        EXPECT(200, 200,   200, 200,   200, 200,   200, 200,   200, 200)},
	{HTTP_GET, "/cards/{officer}/{year}", build_card_print, NULL,
	        EXPECT(401, 401,   200, 200,   200, 404,   200, 404,   200, 404)},
	{HTTP_GET, "/public/cancelled-certificates", build_public_cancelled, check_public_cancelled,
	        EXPECT(200, 200,   200, 200,   200, 200,   200, 200,   200, 200)},
	{HTTP_GET, "/public/cancelled-certificates.csv", build_public_cancelled_csv,
	        check_public_cancelled,
	        EXPECT(200, 200,   200, 200,   200, 200,   200, 200,   200, 200)},

	{HTTP_GET, "/api/v1/reports/compliance", build_report_compliance, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_GET, "/api/v1/reports/compliance.csv", build_report_csv, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_GET, "/api/v1/reports/compliance.xlsx", build_report_xlsx, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_GET, "/api/v1/reports/anomalies", build_report_anomalies, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_GET, "/api/v1/reports/orgs", build_report_orgs, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_GET, "/api/v1/reports/dashboard", build_report_dashboard, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},
	{HTTP_GET, "/api/v1/reports/uncertified", build_report_uncertified, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   200, 422,   403, 403)},

	{HTTP_POST, "/api/v1/imports/{kind}", build_import, NULL,
	        EXPECT(401, 401,   200, 200,   200, 422,   403, 403,   403, 403)},

	{HTTP_GET, "/api/v1/audit", build_audit, check_audit,
	        EXPECT(401, 401,   200, 200,   403, 403,   200, 200,   403, 403)},
	{HTTP_GET, "/api/v1/audit/verify", build_audit_verify, check_audit_verify,
	        EXPECT(401, 401,   200, 200,   403, 403,   200, 200,   403, 403)},
};
/* clang-format on */

#define MATRIX_ROWS (sizeof(matrix) / sizeof(matrix[0]))

static const struct matrix_row *matrix_row_for(const struct route *route)
{
	size_t i;

	for (i = 0; i < MATRIX_ROWS; i++)
		if (matrix[i].method == route->method &&
		    strcmp(matrix[i].pattern, route->pattern) == 0)
			return &matrix[i];
	return NULL;
}

static const struct route *route_for(const struct matrix_row *row)
{
	size_t i;

	for (i = 0; i < routes_count; i++)
		if (routes_table[i].method == row->method &&
		    strcmp(routes_table[i].pattern, row->pattern) == 0)
			return &routes_table[i];
	return NULL;
}

/* ---- running the matrix ---- */

struct cell_result {
	long got;
	int broken;
	char why[240];
};

/* The length of text's longest prefix of at most max bytes that ends between UTF-8
 * characters (a reply quoted in a failure message stays printable). */
static int utf8_prefix(const char *text, size_t max)
{
	size_t len = text != NULL ? strlen(text) : 0;

	if (len <= max)
		return (int)len;
	while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

/* Makes the call of one cell and judges it. */
static void matrix_cell(const struct matrix_row *row, enum caller c, enum scope s,
                        struct cell_result *out)
{
	struct call call;
	struct http_result r;
	char header[96], type[96], before[512], after[512], action[64] = "";
	const char *headers[3] = {NULL, NULL, NULL};
	size_t nheaders = 0;
	long expected = row->expect[c][s];
	int denied = expected >= 300;
	const char *audited = expected == 422 ? row->audited_refusal : NULL;
	long long audit_before = 0, audit_after;

	memset(&call, 0, sizeof(call));
	call.caller = c;
	call.scope = s;
	call.who = acting[c];
	row->build(&call);
	if (call.if_match[0] != '\0') {
		format_into(header, sizeof(header), "If-Match: %s", call.if_match);
		headers[nheaders++] = header;
	}
	if (call.content_type[0] != '\0') {
		format_into(type, sizeof(type), "Content-Type: %s", call.content_type);
		headers[nheaders++] = type;
	}
	if (denied) {
		db_state(before, sizeof(before));
		audit_before = test_db_count(db, "SELECT count(*) FROM audit_log");
	}
	http_call_as(&proc, call.who, &r, router_method_name(row->method), call.path,
	             nheaders > 0 ? headers : NULL, call.body[0] != '\0' ? call.body : NULL);
	out->got = r.status;
	if (r.status != expected) {
		out->broken = 1;
		format_into(out->why, sizeof(out->why), "%s %s: expected %ld, got %ld: %.*s",
		            router_method_name(row->method), call.path, expected, r.status,
		            utf8_prefix(r.body, 120), r.body != NULL ? r.body : "");
	} else if (denied && (r.content_type[0] == '\0' ||
	                      strcmp(r.content_type, "application/problem+json") != 0)) {
		out->broken = 1;
		format_into(out->why, sizeof(out->why), "%s %s: a %ld that is not problem+json",
		            router_method_name(row->method), call.path, r.status);
	} else if (row->check != NULL && expected != 401 && expected != 403 &&
	           row->check(&call, &r, out->why, sizeof(out->why)) != 0) {
		out->broken = 1;
	}
	if (denied && !out->broken) {
		db_state(after, sizeof(after));
		audit_after = test_db_count(db, "SELECT count(*) FROM audit_log");
		if (audit_after == audit_before + 1)
			test_db_text(db, "SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1",
			             NULL, action, sizeof(action));
		if (strcmp(before, after) != 0) {
			out->broken = 1;
			format_into(out->why, sizeof(out->why),
			            "a denied call changed the database: %s -> %s", before, after);
		} else if (audit_after != audit_before + (audited != NULL) ||
		           (audited != NULL && strcmp(action, audited) != 0)) {
			out->broken = 1;
			format_into(out->why, sizeof(out->why),
			            "a denied call wrote %lld audit entries (%s), expected %s",
			            audit_after - audit_before, action[0] ? action : "-",
			            audited != NULL ? audited : "none");
		}
	}
	http_result_clear(&r);
}

static void matrix_print(const char *label, const struct cell_result (*cells)[CALLERS][SCOPES],
                         size_t broken, size_t total)
{
	size_t i;
	int c, s;

	(void)fprintf(stderr, "\nmatrix with %s: %zu of %zu cells broke (* = unexpected)\n", label,
	              broken, total);
	(void)fprintf(stderr, "%-6s %-34s", "", "");
	for (c = 0; c < CALLERS; c++)
		(void)fprintf(stderr, " %-10s", caller_names[c]);
	(void)fprintf(stderr, "\n%-6s %-34s", "", "route");
	for (c = 0; c < CALLERS; c++)
		(void)fprintf(stderr, " %-5s%-5s", scope_names[OWN], scope_names[OTHER]);
	(void)fputc('\n', stderr);
	for (i = 0; i < routes_count; i++) {
		(void)fprintf(stderr, "%-6s %-34s", router_method_name(routes_table[i].method),
		              routes_table[i].pattern);
		if (matrix_row_for(&routes_table[i]) == NULL) {
			(void)fprintf(stderr, " * no row in the matrix\n");
			continue;
		}
		for (c = 0; c < CALLERS; c++)
			(void)fprintf(stderr, " %3ld%c %3ld%c", cells[i][c][OWN].got,
			              cells[i][c][OWN].broken ? '*' : ' ', cells[i][c][OTHER].got,
			              cells[i][c][OTHER].broken ? '*' : ' ');
		(void)fputc('\n', stderr);
	}
	for (i = 0; i < routes_count; i++)
		for (c = 0; c < CALLERS; c++)
			for (s = 0; s < SCOPES; s++)
				if (cells[i][c][s].broken)
					(void)fprintf(stderr, "  * %s %s, %s/%s: %s\n",
					              router_method_name(routes_table[i].method),
					              routes_table[i].pattern, caller_names[c],
					              scope_names[s], cells[i][c][s].why);
}

/* Runs every cell of the matrix with the callers' sessions or tokens. The table of results
 * is printed when a cell broke, or always with TCARD_MATRIX_PRINT set. */
static void matrix_run(enum credential kind)
{
	const char *label = kind == CRED_SESSION ? "browser sessions" : "API tokens";
	struct cell_result(*cells)[CALLERS][SCOPES] = calloc(routes_count, sizeof(*cells));
	size_t i, broken = 0, total = 0;
	int c, s;

	assert_non_null(cells);
	credential = kind;
	acting[NOBODY] = NULL;
	for (c = ADMIN; c < CALLERS; c++) {
		/* Fresh sessions: a password change made with a token ended the old ones. */
		if (kind == CRED_SESSION)
			test_login(&proc, usernames[c], passwords[c], &sessions[c]);
		acting[c] = kind == CRED_SESSION ? &sessions[c] : &tokens[c];
	}
	for (i = 0; i < routes_count; i++) {
		const struct matrix_row *row = matrix_row_for(&routes_table[i]);

		if (row == NULL) {
			broken++;
			continue;
		}
		for (c = 0; c < CALLERS; c++)
			for (s = 0; s < SCOPES; s++) {
				matrix_cell(row, (enum caller)c, (enum scope)s, &cells[i][c][s]);
				broken += cells[i][c][s].broken;
				total++;
			}
	}
	if (broken > 0 || getenv("TCARD_MATRIX_PRINT") != NULL)
		matrix_print(label, (const struct cell_result(*)[CALLERS][SCOPES])cells, broken,
		             total);
	free(cells);
	if (broken > 0)
		fail_msg("%zu cell(s) of the matrix with %s broke: see the table above", broken,
		         label);
}

/* ---- fixtures ---- */

/* The ltree path of organisation id, as the admin reads it. */
static void org_path_of(long long id, char *out, size_t size)
{
	struct http_result r;
	char path[64];

	format_into(path, sizeof(path), "/api/v1/orgs/%lld", id);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	format_into(out, size, "%s", json_string_value(json_object_get(r.json, "path")));
	http_result_clear(&r);
}

/* An account with its own password; fills who with a session and returns the user id. */
static long long make_account(const char *username, const char *role, long long org_id,
                              long long officer_id, char password[64], struct test_identity *who)
{
	format_into(password, 64, "matrix-%s-password-0", username);
	test_create_user(&proc, username, role, org_id, officer_id, password, who);
	return who->user_id;
}

static int group_setup(void **state)
{
	struct test_identity unused;
	char scratch[128];
	int c;

	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	fx.city = test_create_org(&proc, "m-city", "矩阵市", "city", 0);
	fx.org_a = test_create_org(&proc, "m-a", "矩阵甲区", "county", fx.city);
	fx.org_b = test_create_org(&proc, "m-b", "矩阵乙县", "county", fx.city);
	fx.unit_a = test_create_org(&proc, "m-a-unit", "矩阵甲区执法队", "department", fx.org_a);
	fx.edit_org_a = test_create_org(&proc, "m-a-edit", "矩阵甲区科室", "department", fx.org_a);
	fx.edit_org_b = test_create_org(&proc, "m-b-edit", "矩阵乙县科室", "department", fx.org_b);
	fx.officer_a1 = test_create_officer(&proc, 1, "甲一", fx.unit_a);
	fx.officer_a2 = test_create_officer(&proc, 2, "甲二", fx.unit_a);
	fx.officer_b = test_create_officer(&proc, 3, "乙一", fx.org_b);
	org_path_of(fx.org_a, fx.path_a, sizeof(fx.path_a));
	fx.session_a =
	        test_create_session(&proc, "矩阵甲区培训", fx.unit_a, "2025-04-01T09:00:00+08:00",
	                            "2025-04-01T12:00:00+08:00", NULL);
	fx.session_b =
	        test_create_session(&proc, "矩阵乙县培训", fx.org_b, "2025-04-02T09:00:00+08:00",
	                            "2025-04-02T12:00:00+08:00", "3");
	fx.record_a = test_register_attendance(&proc, fx.session_a, fx.officer_a2);
	fx.record_b = test_register_attendance(&proc, fx.session_b, fx.officer_b);
	fx.import_session_a =
	        test_create_session(&proc, "矩阵甲区导入", fx.unit_a, "2025-05-01T09:00:00+08:00",
	                            "2025-05-01T12:00:00+08:00", NULL);
	fx.import_session_b =
	        test_create_session(&proc, "矩阵乙县导入", fx.org_b, "2025-05-02T09:00:00+08:00",
	                            "2025-05-02T12:00:00+08:00", NULL);
	format_into(
	        scratch, sizeof(scratch),
	        "UPDATE training_session SET code = 'M-I' || CASE id WHEN %lld THEN 'A' ELSE 'B'"
	        " END WHERE id IN (%lld, %lld)",
	        fx.import_session_a, fx.import_session_a, fx.import_session_b);
	test_db_as_app(db, scratch);
	fx.cert_a = issue_certificate(fx.officer_a1, "矩阵执法");
	fx.cert_b = issue_certificate(fx.officer_b, "矩阵执法");
	fx.cert_status_a = issue_certificate(fx.officer_a2, "矩阵状态");
	fx.cert_status_b = issue_certificate(fx.officer_b, "矩阵状态");
	fx.flag_a = new_flag(fx.unit_a);
	fx.flag_b = new_flag(fx.org_b);

	(void)make_account(usernames[ADMIN], "admin", 0, 0, passwords[ADMIN], &sessions[ADMIN]);
	(void)make_account(usernames[HR], "hr", fx.org_a, 0, passwords[HR], &sessions[HR]);
	(void)make_account(usernames[AUDITOR], "auditor", fx.org_a, 0, passwords[AUDITOR],
	                   &sessions[AUDITOR]);
	(void)make_account(usernames[OFFICER], "officer", 0, fx.officer_a1, passwords[OFFICER],
	                   &sessions[OFFICER]);
	for (c = ADMIN; c < CALLERS; c++) {
		(void)new_token(&sessions[c], &tokens[c]);
		/* A token identity is the token alone. */
		assert_int_equal(tokens[c].cookie[0], '\0');
	}
	fx.account_a = make_account("m.account.a", "auditor", fx.org_a, 0, scratch, &unused);
	fx.account_b = make_account("m.account.b", "hr", fx.org_b, 0, scratch, &unused);
	(void)make_account(LOGIN_ONLY_USER, "auditor", fx.org_b, 0, login_only_password, &unused);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

/* ---- tests ---- */

static void test_every_route_has_a_row_and_every_row_names_a_route(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < routes_count; i++)
		if (matrix_row_for(&routes_table[i]) == NULL)
			fail_msg("route %s %s has no row in the matrix",
			         router_method_name(routes_table[i].method),
			         routes_table[i].pattern);
	for (i = 0; i < MATRIX_ROWS; i++) {
		if (route_for(&matrix[i]) == NULL)
			fail_msg("the matrix row %s %s names no route",
			         router_method_name(matrix[i].method), matrix[i].pattern);
		for (j = 0; j < i; j++)
			if (matrix[j].method == matrix[i].method &&
			    strcmp(matrix[j].pattern, matrix[i].pattern) == 0)
				fail_msg("the matrix has two rows for %s %s",
				         router_method_name(matrix[i].method), matrix[i].pattern);
	}
}

/* The expectations agree with the route table: a role the route does not admit gets 403,
 * nobody gets 401 on a route that needs a login, and everyone the route admits gets past
 * the gate (a status other than 401 and 403). */
static void test_every_row_agrees_with_the_roles_of_its_route(void **state)
{
	static const unsigned role_bits[CALLERS] = {ROLE_PUBLIC, ROLE_ADMIN, ROLE_HR, ROLE_AUDITOR,
	                                            ROLE_OFFICER};
	size_t i;
	int c, s;

	(void)state;
	for (i = 0; i < MATRIX_ROWS; i++) {
		const struct route *route = route_for(&matrix[i]);

		assert_non_null(route);
		for (c = 0; c < CALLERS; c++)
			for (s = 0; s < SCOPES; s++) {
				long expected = matrix[i].expect[c][s];
				int admitted = (route->roles & ROLE_PUBLIC) != 0 ||
				               (route->roles & role_bits[c]) != 0;
				long gate = admitted ? 0 : c == NOBODY ? 401 : 403;

				if (gate != 0 ? expected != gate
				              : expected == 401 || expected == 403)
					fail_msg("row %s %s, %s/%s expects %ld; the route's roles "
					         "say "
					         "%s",
					         router_method_name(matrix[i].method),
					         matrix[i].pattern, caller_names[c], scope_names[s],
					         expected, gate != 0 ? "a denial" : "admitted");
			}
	}
}

static void test_matrix_holds_with_browser_sessions(void **state)
{
	(void)state;
	matrix_run(CRED_SESSION);
}

static void test_matrix_holds_with_api_tokens(void **state)
{
	(void)state;
	matrix_run(CRED_TOKEN);
}

/* A call that names something: a path and, for writes, a body (NULL = none). */
struct probe {
	const char *path;
	const char *body;
};

/* The replies to a call that names something out of the caller's scope and to one that
 * names something missing agree in all but their instance and request id. */
static void assert_same_reply(const struct test_identity *who, const char *method,
                              const char *if_match, struct probe out_of_scope, struct probe missing)
{
	struct http_result a, b;
	char header[96];
	const char *headers[] = {header, NULL};
	char *text_a, *text_b;

	if (if_match != NULL)
		format_into(header, sizeof(header), "If-Match: %s", if_match);
	http_call_as(&proc, who, &a, method, out_of_scope.path, if_match ? headers : NULL,
	             out_of_scope.body);
	http_call_as(&proc, who, &b, method, missing.path, if_match ? headers : NULL, missing.body);
	if (a.status != b.status || strcmp(a.content_type, b.content_type) != 0 || a.json == NULL ||
	    b.json == NULL)
		fail_msg("%s %s %s answers %ld (%s) but %s %s answers %ld (%s)", method,
		         out_of_scope.path, out_of_scope.body ? out_of_scope.body : "", a.status,
		         a.content_type, missing.path, missing.body ? missing.body : "", b.status,
		         b.content_type);
	(void)json_object_del(a.json, "instance");
	(void)json_object_del(a.json, "request_id");
	(void)json_object_del(b.json, "instance");
	(void)json_object_del(b.json, "request_id");
	text_a = json_dumps(a.json, JSON_SORT_KEYS | JSON_COMPACT);
	text_b = json_dumps(b.json, JSON_SORT_KEYS | JSON_COMPACT);
	if (text_a == NULL || text_b == NULL || strcmp(text_a, text_b) != 0)
		fail_msg("%s %s: out of scope %s, missing %s", method, out_of_scope.path,
		         text_a ? text_a : "?", text_b ? text_b : "?");
	free(text_a);
	free(text_b);
	http_result_clear(&a);
	http_result_clear(&b);
}

/* GETs of path (out of scope) and missing, as who, answer alike. */
static void assert_same_get(const struct test_identity *who, const char *path, const char *missing)
{
	assert_same_reply(who, "GET", NULL, (struct probe){path, NULL},
	                  (struct probe){missing, NULL});
}

/* Nothing in a reply tells an out-of-scope id from one that does not exist: the same
 * status and the same body, for reads, conditional writes (a stale If-Match must not
 * give 412 away), filters, and ids in a request body. */
static void test_out_of_scope_ids_answer_exactly_like_missing_ids(void **state)
{
	static const enum caller scoped[] = {HR, AUDITOR, OFFICER};
	static const char missing_officer[] = "/api/v1/officers/999999999";
	char path[128], body[256], missing[256], national_id[19];
	struct test_identity unused;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(scoped) / sizeof(scoped[0]); i++) {
		const struct test_identity *who = &tokens[scoped[i]];

		format_into(path, sizeof(path), "/api/v1/orgs/%lld", fx.org_b);
		assert_same_get(who, path, "/api/v1/orgs/999999999");
		format_into(path, sizeof(path), "/api/v1/officers/%lld", fx.officer_b);
		assert_same_get(who, path, missing_officer);
		format_into(path, sizeof(path), "/api/v1/orgs?subtree=%lld", fx.org_b);
		assert_same_get(who, path, "/api/v1/orgs?subtree=999999999");
		/* Another user's token cannot be revoked, nor told from a missing one. */
		format_into(path, sizeof(path), "/api/v1/tokens/%lld",
		            new_token(&tokens[victim_of(scoped[i])], &unused));
		assert_same_reply(who, "DELETE", NULL, (struct probe){path, NULL},
		                  (struct probe){"/api/v1/tokens/999999999", NULL});
	}
	for (i = 0; i < 2; i++) { /* hr and auditor: sessions and records of B */
		const struct test_identity *who = &tokens[scoped[i]];

		format_into(path, sizeof(path), "/api/v1/sessions/%lld", fx.session_b);
		assert_same_get(who, path, "/api/v1/sessions/999999999");
		format_into(path, sizeof(path), "/api/v1/sessions/%lld/attendance", fx.session_b);
		assert_same_get(who, path, "/api/v1/sessions/999999999/attendance");
	}
	format_into(path, sizeof(path), "/api/v1/attendance/%lld", fx.record_b);
	assert_same_reply(&tokens[HR], "PATCH", "*", (struct probe){path, "{\"revoked\":false}"},
	                  (struct probe){"/api/v1/attendance/999999999", "{\"revoked\":false}"});
	/* The officer sees its own record only, not its colleague in the same unit. */
	format_into(path, sizeof(path), "/api/v1/officers/%lld", fx.officer_a2);
	assert_same_get(&tokens[OFFICER], path, missing_officer);
	for (i = 0; i < 2; i++) { /* hr and auditor */
		const struct test_identity *who = &tokens[scoped[i]];

		format_into(path, sizeof(path), "/api/v1/officers/%lld/history", fx.officer_b);
		assert_same_get(who, path, "/api/v1/officers/999999999/history");
		format_into(path, sizeof(path), "/api/v1/officers?org=%lld", fx.org_b);
		assert_same_get(who, path, "/api/v1/officers?org=999999999");
		format_into(path, sizeof(path), "/api/v1/officers?subtree=%lld", fx.org_b);
		assert_same_get(who, path, "/api/v1/officers?subtree=999999999");
		/* A national ID registered in B is not found, as one never registered is. */
		test_national_id(3, national_id);
		format_into(path, sizeof(path), "/api/v1/officers?q=%s", national_id);
		test_national_id(899, national_id);
		format_into(missing, sizeof(missing), "/api/v1/officers?q=%s", national_id);
		assert_same_get(who, path, missing);
	}
	format_into(path, sizeof(path), "/api/v1/officers/%lld", fx.officer_b);
	assert_same_reply(&tokens[HR], "PATCH", "\"1\"",
	                  (struct probe){path, "{\"post\":\"越权\"}"},
	                  (struct probe){missing_officer, "{\"post\":\"越权\"}"});
	assert_same_reply(&tokens[HR], "PATCH", "*", (struct probe){path, "{\"post\":\"越权\"}"},
	                  (struct probe){missing_officer, "{\"post\":\"越权\"}"});
	/* An officer registered into B, or moved there, is refused like one into an org that
	 * does not exist. */
	test_national_id(900, national_id);
	format_into(body, sizeof(body),
	            "{\"national_id\":\"%s\",\"name\":\"越权\",\"org_id\":%lld}", national_id,
	            fx.org_b);
	format_into(missing, sizeof(missing),
	            "{\"national_id\":\"%s\",\"name\":\"越权\",\"org_id\":999999999}", national_id);
	assert_same_reply(&tokens[HR], "POST", NULL, (struct probe){"/api/v1/officers", body},
	                  (struct probe){"/api/v1/officers", missing});
	format_into(body, sizeof(body), "{\"org_id\":%lld}", fx.org_b);
	format_into(path, sizeof(path), "/api/v1/officers/%lld", fx.officer_a2);
	assert_same_reply(&tokens[HR], "PATCH", "*", (struct probe){path, body},
	                  (struct probe){path, "{\"org_id\":999999999}"});
}

/* Everyone reads the masked national ID; admin and hr may ask for the whole one
 * (?reveal=national_id, audited), auditor and officer may not, and nobody can reveal
 * an officer outside its scope (404, like a missing one). */
static void test_full_national_id_only_for_admin_and_hr(void **state)
{
	struct http_result r;
	char path[96], why[240];
	int c, reveal;

	(void)state;
	for (reveal = 0; reveal < 2; reveal++) {
		format_into(path, sizeof(path), "/api/v1/officers/%lld%s", fx.officer_a1,
		            reveal ? "?reveal=national_id" : "");
		for (c = ADMIN; c < CALLERS; c++) {
			int may = !reveal || c == ADMIN || c == HR;

			http_call_as(&proc, &tokens[c], &r, "GET", path, NULL, NULL);
			if (r.status != (may ? 200 : 403))
				fail_msg("%s reading %s: %ld %s", caller_names[c], path, r.status,
				         r.body);
			if (may && check_national_id_as((enum caller)c, r.json, reveal, why,
			                                sizeof(why)) != 0)
				fail_msg("%s reading %s: %s", caller_names[c], path, why);
			http_result_clear(&r);
		}
	}
	format_into(path, sizeof(path), "/api/v1/officers/%lld?reveal=national_id", fx.officer_b);
	http_call_as(&proc, &tokens[HR], &r, "GET", path, NULL, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
}

/* An account that still has its one-time password passes the gate of /session,
 * /session/password and /logout only: every other route that needs a login is 403. */
static void test_one_time_password_admits_only_the_session_routes(void **state)
{
	struct test_identity fresh;
	struct http_result r;
	char path[128], *brace;
	const char *one_time;
	size_t i;

	(void)state;
	format_into(path, sizeof(path), "/api/v1/users/%lld/password-reset", fx.account_b);
	http_call(&proc, &r, "POST", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	one_time = json_string_value(json_object_get(r.json, "one_time_password"));
	assert_non_null(one_time);
	test_login(&proc, "m.account.b", one_time, &fresh);
	http_result_clear(&r);
	for (i = 0; i < routes_count; i++) {
		const struct route *route = &routes_table[i];
		int allowed = strcmp(route->pattern, "/api/v1/session") == 0 ||
		              strcmp(route->pattern, "/api/v1/session/password") == 0 ||
		              strcmp(route->pattern, "/api/v1/logout") == 0;

		if ((route->roles & ROLE_PUBLIC) != 0 || (allowed && route->method != HTTP_GET))
			continue;
		/* "/api/v1/officers/{id}/history" -> "/api/v1/officers/1/history" */
		format_into(path, sizeof(path), "%s", route->pattern);
		brace = strstr(path, "{id}");
		if (brace != NULL) {
			brace[0] = '1';
			memmove(brace + 1, brace + 4, strlen(brace + 4) + 1);
		}
		http_call_as(&proc, &fresh, &r, router_method_name(route->method), path, NULL,
		             route->body == ROUTE_BODY_JSON ? "{}" : NULL);
		if (r.status != (allowed ? 200 : 403))
			fail_msg("%s %s before the password change: %ld %s",
			         router_method_name(route->method), path, r.status, r.body);
		http_result_clear(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_route_has_a_row_and_every_row_names_a_route),
	        cmocka_unit_test(test_every_row_agrees_with_the_roles_of_its_route),
	        cmocka_unit_test(test_matrix_holds_with_browser_sessions),
	        cmocka_unit_test(test_matrix_holds_with_api_tokens),
	        cmocka_unit_test(test_out_of_scope_ids_answer_exactly_like_missing_ids),
	        cmocka_unit_test(test_full_national_id_only_for_admin_and_hr),
	        cmocka_unit_test(test_one_time_password_admits_only_the_session_routes),
	};

	return cmocka_run_group_tests_name("matrix", tests, group_setup, group_teardown);
}
