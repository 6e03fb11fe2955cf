/* test_certificates.c — enforcement certificates over HTTP (DOMAIN.md rule 8,
 * issue 5): every pair of the transition table, the issuing rules, an officer
 * leaving the post withdrawing (or by policy cancelling) its certificates in
 * the same request, expiring soon, officers without a valid certificate, the
 * certificate policy, scope on every route, and the published cancellations
 * (no login, masked names, no national ID). */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long city, county_a, county_b, unit_a, unit_b;
static struct test_identity hr_a, hr_b, auditor_a;
static unsigned next_number = 1;

static const char *const statuses[] = {"valid", "suspended", "withdrawn", "cancelled"};

static int group_setup(void **state)
{
	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	city = test_create_org(&proc, "cert-city", "梅州市司法局", "city", 0);
	county_a = test_create_org(&proc, "cert-a", "甲县", "county", city);
	county_b = test_create_org(&proc, "cert-b", "乙县", "county", city);
	unit_a = test_create_org(&proc, "cert-a-cg", "甲县城管局", "department", county_a);
	unit_b = test_create_org(&proc, "cert-b-cg", "乙县城管局", "department", county_b);
	test_create_user(&proc, "cert.hr.a", "hr", county_a, 0, NULL, &hr_a);
	test_create_user(&proc, "cert.hr.b", "hr", county_b, 0, NULL, &hr_b);
	test_create_user(&proc, "cert.auditor.a", "auditor", county_a, 0, NULL, &auditor_a);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

/* A date days from today in China (YYYY-MM-DD) into out[40]. */
static void day_from_today(int days, char out[40])
{
	time_t t = time(NULL) + 8 * 3600 + (time_t)days * 86400;
	struct tm tm;

	(void)gmtime_r(&t, &tm);
	(void)snprintf(out, 40, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* text percent-encoded for a query string into out (3 bytes out per byte in). */
static void url_escape(const char *text, char *out, size_t size)
{
	size_t n = 0;

	for (; *text != '\0' && n + 4 < size; text++)
		n += (size_t)snprintf(out + n, size - n, "%%%02X", (unsigned char)*text);
	out[n] = '\0';
}

/* Creates an officer with extra members (a JSON fragment starting with ','
 * or "") and returns its id. */
static long long make_officer(unsigned n, const char *name, long long org, const char *extra)
{
	return test_create_officer_with(&proc, n, name, org, NULL, extra);
}

/* PATCHes an officer (If-Match: *) as the admin; fails unless 200. */
static void patch_officer(long long id, const char *body)
{
	struct http_result r;
	char path[64];
	const char *headers[] = {"If-Match: *", NULL};

	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", id);
	http_call(&proc, &r, "PATCH", path, headers, body);
	if (r.status != 200)
		fail_msg("PATCH %s: %ld %s", path, r.status, r.body);
	http_result_clear(&r);
}

/* POSTs a certificate as who (NULL: the admin) and checks the status. */
static void issue(const struct test_identity *who, const char *body, long expected,
                  struct http_result *r)
{
	http_call_as(&proc, who != NULL ? who : &proc.admin, r, "POST", "/api/v1/certificates",
	             NULL, body);
	if (r->status != expected)
		fail_msg("POST certificate %s: %ld %s", body, r->status, r->body);
}

/* A fresh certificate number. */
static void new_number(char out[32])
{
	(void)snprintf(out, 32, "粤梅-%05u", next_number++);
}

/* Issues a certificate of officer in domain (issued 2024-01-01, expiring
 * expires or 2030-12-31, issued by the city) as the admin; returns its id. */
static long long issue_ok(long long officer, const char *domain, const char *expires)
{
	struct http_result r;
	char body[512], number[32];
	long long id;

	new_number(number);
	(void)snprintf(body, sizeof(body),
	               "{\"number\":\"%s\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
	               "\"domain\":\"%s\",\"issued_on\":\"2024-01-01\",\"expires_on\":\"%s\"}",
	               number, officer, city, domain, expires != NULL ? expires : "2030-12-31");
	issue(NULL, body, 201, &r);
	id = test_json_int(r.json, "id");
	http_result_clear(&r);
	return id;
}

/* POST /certificates/{id}/status as who (NULL: the admin). */
static void change_status(const struct test_identity *who, long long id, const char *status,
                          const char *category, struct http_result *r)
{
	char path[96], body[256];

	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/status", id);
	(void)snprintf(body, sizeof(body), "{\"status\":\"%s\",\"reason_category\":\"%s\"}", status,
	               category);
	http_call_as(&proc, who != NULL ? who : &proc.admin, r, "POST", path, NULL, body);
}

static void change_status_ok(long long id, const char *status, const char *category)
{
	struct http_result r;

	change_status(NULL, id, status, category, &r);
	if (r.status != 200)
		fail_msg("status %s: %ld %s", status, r.status, r.body);
	http_result_clear(&r);
}

/* GET path as who (NULL: the admin) expecting status. */
static void get_as(const struct test_identity *who, const char *path, long expected,
                   struct http_result *r)
{
	http_call_as(&proc, who != NULL ? who : &proc.admin, r, "GET", path, NULL, NULL);
	if (r->status != expected)
		fail_msg("GET %s: %ld %s", path, r->status, r->body);
}

static long long cert_version(long long id)
{
	return test_db_countf(db, "SELECT version FROM certificate WHERE id = %lld", id);
}

static long long cert_events(long long id)
{
	return test_db_countf(
	        db, "SELECT count(*) FROM certificate_event WHERE certificate_id = %lld", id);
}

static int allowed(const char *from, const char *to)
{
	static const char *const pairs[][2] = {
	        {"valid", "suspended"},     {"valid", "withdrawn"},     {"valid", "cancelled"},
	        {"suspended", "valid"},     {"suspended", "withdrawn"}, {"suspended", "cancelled"},
	        {"withdrawn", "cancelled"},
	};
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (strcmp(pairs[i][0], from) == 0 && strcmp(pairs[i][1], to) == 0)
			return 1;
	return 0;
}

static const char *category_for(const char *to)
{
	return strcmp(to, "valid") == 0 ? "reinstated" : "misconduct";
}

/* The message of the field error on field, or "". */
static const char *field_message(const json_t *problem, const char *field)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(problem, "errors"), i, e)
	{
		if (strcmp(test_json_str(e, "field"), field) == 0)
			return test_json_str(e, "message");
	}
	return "";
}

static void test_every_pair_of_the_transition_table(void **state)
{
	long long officer = make_officer(9101, "转换甲", unit_a, "");
	struct http_result r;
	char path[96];
	int from, to;

	(void)state;
	for (from = 0; from < 4; from++) {
		for (to = 0; to < 4; to++) {
			char domain[32];
			long long id, version, events;
			int k;

			(void)snprintf(domain, sizeof(domain), "类别%d%d", from, to);
			id = issue_ok(officer, domain, NULL);
			/* Walk there: valid is where it starts; every other status is one
			 * step away. */
			if (from > 0)
				change_status_ok(id, statuses[from], category_for(statuses[from]));
			version = cert_version(id);
			events = cert_events(id);
			assert_int_equal(events, from > 0 ? 2 : 1);

			change_status(NULL, id, statuses[to], category_for(statuses[to]), &r);
			if (allowed(statuses[from], statuses[to])) {
				if (r.status != 200)
					fail_msg("%s -> %s: %ld %s", statuses[from], statuses[to],
					         r.status, r.body);
				assert_string_equal(test_json_str(r.json, "status"), statuses[to]);
				assert_string_equal(test_json_str(r.json, "status_reason_category"),
				                    category_for(statuses[to]));
				assert_int_equal(test_json_int(r.json, "version"), version + 1);
				assert_int_equal(
				        json_array_size(json_object_get(r.json, "history")),
				        events + 1);
				assert_string_equal(
				        test_json_str(
				                json_array_get(json_object_get(r.json, "history"),
				                               events),
				                "from_status"),
				        statuses[from]);
				assert_int_equal(cert_events(id), events + 1);
			} else {
				const char *message;

				assert_problem(&r, 409, "status", "transition");
				message = field_message(r.json, "status");
				/* The allowed ones are named, in the message and the detail. */
				for (k = 0; k < 4; k++)
					if (allowed(statuses[from], statuses[k]))
						assert_non_null(strstr(message, statuses[k]));
				assert_non_null(
				        strstr(test_json_str(r.json, "detail"), "\"allowed\""));
				if (strcmp(statuses[from], "cancelled") == 0)
					assert_non_null(
					        strstr(test_json_str(r.json, "detail"), "[]"));
				assert_int_equal(cert_version(id), version);
				assert_int_equal(cert_events(id), events);
				assert_int_equal(
				        test_db_countf(db,
				                       "SELECT count(*) FROM certificate WHERE"
				                       " id = %lld AND status = '%s'",
				                       id, statuses[from]),
				        1);
			}
			http_result_clear(&r);

			/* GET names what the certificate may become now. */
			(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", id);
			get_as(NULL, path, 200, &r);
			{
				const json_t *next = json_object_get(r.json, "allowed_transitions");
				const char *now = test_json_str(r.json, "status");
				size_t expected = 0;

				for (k = 0; k < 4; k++)
					expected += (size_t)allowed(now, statuses[k]);
				assert_int_equal(json_array_size(next), expected);
			}
			http_result_clear(&r);
		}
	}
}

static void test_status_change_input_is_checked(void **state)
{
	long long officer = make_officer(9102, "原因甲", unit_a, "");
	long long id = issue_ok(officer, "原因检查", NULL);
	struct http_result r;
	char path[96];
	const char *stale[] = {"If-Match: \"9\"", NULL};

	(void)state;
	change_status(NULL, id, "suspended", "reinstated", &r);
	assert_problem(&r, 422, "reason_category", "not_reinstatement");
	http_result_clear(&r);
	change_status(NULL, id, "suspended", "holiday", &r);
	assert_problem(&r, 422, "reason_category", "choice");
	http_result_clear(&r);
	change_status(NULL, id, "suspended", "other", &r);
	assert_problem(&r, 422, "reason", "required");
	http_result_clear(&r);
	change_status(NULL, id, "lost", "lost", &r);
	assert_problem(&r, 422, "status", "choice");
	http_result_clear(&r);
	/* Auditors change status too (a review outside a flag); officers do not. */
	change_status(&auditor_a, id, "suspended", "misconduct", &r);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	change_status(NULL, id, "valid", "expired", &r);
	assert_problem(&r, 422, "reason_category", "reinstated_only");
	http_result_clear(&r);
	/* A stale If-Match is 412, not a transition problem. */
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/status", id);
	http_call(&proc, &r, "POST", path, stale,
	          "{\"status\":\"valid\",\"reason_category\":\"reinstated\"}");
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	assert_int_equal(cert_events(id), 2);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate WHERE id = %lld"
	                                " AND status = 'suspended'",
	                                id),
	                 1);
}

static void test_reinstating_an_officer_off_the_post_is_refused(void **state)
{
	long long officer = make_officer(9103, "恢复甲", unit_a, "");
	long long id = issue_ok(officer, "恢复检查", NULL);
	struct http_result r;

	(void)state;
	change_status_ok(id, "suspended", "misconduct");
	patch_officer(officer, "{\"enforcement_post\":false}");
	change_status(NULL, id, "valid", "reinstated", &r);
	assert_problem(&r, 409, "status", "officer_not_on_post");
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate WHERE id = %lld"
	                                " AND status = 'suspended'",
	                                id),
	                 1);
	/* The suspended certificate of someone off the post is flagged. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM withdrawal_flag WHERE"
	                                " certificate_id = %lld AND reason = 'not_eligible'"
	                                " AND state = 'open'",
	                                id),
	                 1);
}

static void test_issuing_rules(void **state)
{
	long long auxiliary = make_officer(9201, "辅助甲", unit_a, ",\"kind\":\"auxiliary\"");
	long long resigned = make_officer(9202, "辞职甲", unit_a, "");
	long long off_post = make_officer(9203, "非岗甲", unit_a, ",\"enforcement_post\":false");
	long long officer = make_officer(9204, "发证甲", unit_a, "");
	long long certificates, audit, first, second;
	struct http_result r;
	char body[512], number[32], path[64];
	static const struct {
		const char *fragment, *field, *reason;
		long status;
	} bad[] = {
	        {"\"expires_on\":\"2023-12-31\"", "expires_on", "order", 422},
	        {"\"expires_on\":\"2024-01-01\"", "expires_on", "order", 422},
	        {"\"expires_on\":\"2030-02-30\"", "expires_on", "date", 422},
	        {"\"expires_on\":\"2030-12-31\",\"custody\":\"pocket\"", "custody", "choice", 422},
	        {"\"expires_on\":\"2030-12-31\",\"status\":\"valid\"", "status", "unknown_field",
	         422},
	};
	size_t i;

	(void)state;
	patch_officer(resigned, "{\"status\":\"resigned\"}");
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", off_post);
	get_as(NULL, path, 200, &r);
	assert_true(json_is_false(json_object_get(r.json, "enforcement_post")));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", officer);
	get_as(NULL, path, 200, &r);
	assert_true(json_is_true(json_object_get(r.json, "enforcement_post")));
	http_result_clear(&r);

	certificates = test_db_count(db, "SELECT count(*) FROM certificate");
	audit = test_db_count(db, "SELECT count(*) FROM audit_log");
	{
		static const struct {
			int who;
			const char *reason;
		} refused[] = {{0, "auxiliary"}, {1, "not_active"}, {2, "not_on_post"}};
		long long holders[3];

		holders[0] = auxiliary;
		holders[1] = resigned;
		holders[2] = off_post;
		for (i = 0; i < 3; i++) {
			new_number(number);
			(void)snprintf(
			        body, sizeof(body),
			        "{\"number\":\"%s\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
			        "\"domain\":\"城市管理\",\"issued_on\":\"2024-01-01\","
			        "\"expires_on\":\"2030-12-31\"}",
			        number, holders[refused[i].who], city);
			issue(&hr_a, body, 409, &r);
			assert_problem(&r, 409, "officer_id", refused[i].reason);
			http_result_clear(&r);
		}
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		new_number(number);
		(void)snprintf(body, sizeof(body),
		               "{\"number\":\"%s\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
		               "\"domain\":\"城市管理\",\"issued_on\":\"2024-01-01\",%s}",
		               number, officer, city, bad[i].fragment);
		issue(&hr_a, body, bad[i].status, &r);
		assert_problem(&r, bad[i].status, bad[i].field, bad[i].reason);
		http_result_clear(&r);
	}
	/* The number's form, an unknown officer, an unknown issuer. */
	(void)snprintf(body, sizeof(body),
	               "{\"number\":\"-12345\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
	               "\"domain\":\"城市管理\",\"issued_on\":\"2024-01-01\","
	               "\"expires_on\":\"2030-12-31\"}",
	               officer, city);
	issue(&hr_a, body, 422, &r);
	assert_problem(&r, 422, "number", "format");
	http_result_clear(&r);
	(void)snprintf(body, sizeof(body),
	               "{\"number\":\"X-99999\",\"officer_id\":987654321,\"issuing_org_id\":%lld,"
	               "\"domain\":\"城市管理\",\"issued_on\":\"2024-01-01\","
	               "\"expires_on\":\"2030-12-31\"}",
	               city);
	issue(&hr_a, body, 422, &r);
	assert_problem(&r, 422, "officer_id", "unknown");
	http_result_clear(&r);
	(void)snprintf(body, sizeof(body),
	               "{\"number\":\"X-99998\",\"officer_id\":%lld,\"issuing_org_id\":987654321,"
	               "\"domain\":\"城市管理\",\"issued_on\":\"2024-01-01\","
	               "\"expires_on\":\"2030-12-31\"}",
	               officer);
	issue(&hr_a, body, 422, &r);
	assert_problem(&r, 422, "issuing_org_id", "unknown");
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM certificate"), certificates);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log"), audit);

	/* One live certificate per officer and domain. HR issues; the issuer (the
	 * city, above HR's county) is named all the same. */
	(void)snprintf(body, sizeof(body),
	               "{\"number\":\"GD-MZ-0001\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
	               "\"domain\":\"城市管理\",\"area\":\"甲县\",\"issued_on\":\"2024-01-01\","
	               "\"expires_on\":\"2030-12-31\"}",
	               officer, city);
	issue(&hr_a, body, 201, &r);
	first = test_json_int(r.json, "id");
	assert_string_equal(test_json_str(r.json, "status"), "valid");
	assert_string_equal(test_json_str(r.json, "custody"), "unit_hr");
	assert_string_equal(test_json_str(r.json, "issuing_org_name"), "梅州市司法局");
	assert_string_equal(test_json_str(r.json, "org_name"), "甲县城管局");
	assert_string_equal(test_json_str(r.json, "officer_name"), "发证甲");
	assert_int_equal(json_array_size(json_object_get(r.json, "history")), 1);
	assert_string_equal(r.etag, "\"1\"");
	assert_non_null(strstr(r.location, "/api/v1/certificates/"));
	http_result_clear(&r);
	/* The same number again: 409 on number. */
	issue(&hr_a, body, 409, &r);
	assert_problem(&r, 409, "number", "duplicate");
	http_result_clear(&r);
	(void)snprintf(body, sizeof(body),
	               "{\"number\":\"GD-MZ-0002\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
	               "\"domain\":\"城市管理\",\"issued_on\":\"2024-01-01\","
	               "\"expires_on\":\"2030-12-31\"}",
	               officer, city);
	issue(&hr_a, body, 409, &r);
	assert_problem(&r, 409, "domain", "live_certificate");
	http_result_clear(&r);
	second = issue_ok(officer, "市场监管", NULL);
	assert_true(second > first);
	/* Suspended still blocks the domain; withdrawn no longer does. */
	change_status_ok(first, "suspended", "misconduct");
	issue(&hr_a, body, 409, &r);
	assert_problem(&r, 409, "domain", "live_certificate");
	http_result_clear(&r);
	change_status_ok(first, "withdrawn", "misconduct");
	issue(&hr_a, body, 201, &r);
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate WHERE officer_id = %lld",
	                                officer),
	                 3);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM audit_log WHERE action ="
	                                " 'certificate.create' AND target_id = '%lld'",
	                                first),
	                 1);
}

static void test_correcting_a_certificate(void **state)
{
	long long officer = make_officer(9301, "更正甲", unit_a, "");
	long long id = issue_ok(officer, "交通运输", NULL);
	struct http_result r;
	char path[64];
	const char *none[] = {NULL}, *stale[] = {"If-Match: \"7\"", NULL},
	           *current[] = {"If-Match: \"1\"", NULL};

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", id);
	http_call_as(&proc, &hr_a, &r, "PATCH", path, none, "{\"area\":\"甲县全域\"}");
	assert_problem(&r, 428, NULL, NULL);
	http_result_clear(&r);
	http_call_as(&proc, &hr_a, &r, "PATCH", path, stale, "{\"area\":\"甲县全域\"}");
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	http_call_as(&proc, &hr_a, &r, "PATCH", path, current, "{\"status\":\"cancelled\"}");
	assert_problem(&r, 422, "status", "unknown_field");
	http_result_clear(&r);
	http_call_as(&proc, &hr_a, &r, "PATCH", path, current, "{\"expires_on\":\"2023-01-01\"}");
	assert_problem(&r, 422, "expires_on", "order");
	http_result_clear(&r);
	http_call_as(&proc, &auditor_a, &r, "PATCH", path, current, "{\"area\":\"甲县全域\"}");
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	assert_int_equal(cert_version(id), 1);
	http_call_as(&proc, &hr_a, &r, "PATCH", path, current,
	             "{\"area\":\"甲县全域\",\"expires_on\":\"2031-06-30\",\"custody\":\"officer\","
	             "\"issuing_org_id\":0}");
	assert_problem(&r, 422, "issuing_org_id", "unknown");
	http_result_clear(&r);
	http_call_as(
	        &proc, &hr_a, &r, "PATCH", path, current,
	        "{\"area\":\"甲县全域\",\"expires_on\":\"2031-06-30\",\"custody\":\"officer\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(test_json_str(r.json, "area"), "甲县全域");
	assert_string_equal(test_json_str(r.json, "expires_on"), "2031-06-30");
	assert_string_equal(test_json_str(r.json, "custody"), "officer");
	assert_string_equal(test_json_str(r.json, "status"), "valid");
	assert_string_equal(r.etag, "\"2\"");
	http_result_clear(&r);
}

/* 张三丰 leaves: his valid and suspended certificates are withdrawn in the
 * same request, and one left_post flag per certificate queues the cancellation. */
static void test_leaving_the_post_withdraws_every_live_certificate(void **state)
{
	long long officer = make_officer(9401, "离岗甲", unit_a, "");
	long long valid = issue_ok(officer, "城市管理", NULL);
	long long suspended = issue_ok(officer, "环境保护", NULL);
	long long cancelled = issue_ok(officer, "农业执法", NULL);
	struct http_result r;
	char path[64];

	(void)state;
	change_status_ok(suspended, "suspended", "misconduct");
	change_status_ok(cancelled, "cancelled", "misconduct");
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", officer);
	{
		const char *headers[] = {"If-Match: *", NULL};

		http_call_as(&proc, &hr_a, &r, "PATCH", path, headers, "{\"status\":\"resigned\"}");
		assert_int_equal(r.status, 200);
		http_result_clear(&r);
	}
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate WHERE officer_id = %lld"
	                                " AND status = 'withdrawn'"
	                                " AND status_reason_category = 'resigned'",
	                                officer),
	                 2);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate WHERE id = %lld"
	                                " AND status = 'cancelled'"
	                                " AND status_reason_category = 'misconduct'",
	                                cancelled),
	                 1);
	assert_int_equal(
	        test_db_countf(db,
	                       "SELECT count(*) FROM withdrawal_flag WHERE officer_id = %lld"
	                       " AND reason = 'left_post' AND state = 'open'"
	                       " AND certificate_id IN (%lld, %lld)",
	                       officer, valid, suspended),
	        2);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM withdrawal_flag WHERE"
	                                " certificate_id = %lld",
	                                cancelled),
	                 0);
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", suspended);
	get_as(&hr_a, path, 200, &r);
	{
		const json_t *history = json_object_get(r.json, "history");
		const json_t *last = json_array_get(history, json_array_size(history) - 1);

		assert_int_equal(json_array_size(history), 3);
		assert_string_equal(test_json_str(last, "from_status"), "suspended");
		assert_string_equal(test_json_str(last, "to_status"), "withdrawn");
		assert_string_equal(test_json_str(last, "reason_category"), "resigned");
		assert_string_equal(test_json_str(last, "actor"), "cert.hr.a");
		assert_int_equal(json_array_size(json_object_get(r.json, "allowed_transitions")),
		                 1);
		assert_string_equal(json_string_value(json_array_get(
		                            json_object_get(r.json, "allowed_transitions"), 0)),
		                    "cancelled");
	}
	http_result_clear(&r);
}

static void test_certificate_policy_immediate_cancels_and_publishes(void **state)
{
	long long officer = make_officer(9501, "欧阳立明", unit_b, "");
	long long id = issue_ok(officer, "城市管理", NULL);
	struct http_result r;
	char path[96];
	const char *any[] = {"If-Match: *", NULL}, *stale[] = {"If-Match: \"5\"", NULL};
	char number[64];

	(void)state;
	/* No setting anywhere: review, the default. */
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/certificate-policy", unit_b);
	get_as(&hr_b, path, 200, &r);
	assert_string_equal(test_json_str(r.json, "cancel_on_leaving"), "review");
	assert_true(json_is_null(json_object_get(r.json, "source_org_id")));
	assert_true(json_is_false(json_object_get(r.json, "own")));
	http_result_clear(&r);

	/* Only the admin sets it; a version where there is no row is 412. */
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/certificate-policy", county_b);
	http_call_as(&proc, &hr_b, &r, "PUT", path, any, "{\"cancel_on_leaving\":\"immediate\"}");
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	http_call(&proc, &r, "PUT", path, stale, "{\"cancel_on_leaving\":\"immediate\"}");
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	http_call(&proc, &r, "PUT", path, any, "{\"cancel_on_leaving\":\"at_once\"}");
	assert_problem(&r, 422, "cancel_on_leaving", "choice");
	http_result_clear(&r);
	http_call(&proc, &r, "PUT", path, any, "{\"cancel_on_leaving\":\"immediate\"}");
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "own")));
	assert_string_equal(r.etag, "\"1\"");
	http_result_clear(&r);
	http_call(&proc, &r, "PUT", path, stale, "{\"cancel_on_leaving\":\"immediate\"}");
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);

	/* The unit below reads its county's setting. */
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/certificate-policy", unit_b);
	get_as(&hr_b, path, 200, &r);
	assert_string_equal(test_json_str(r.json, "cancel_on_leaving"), "immediate");
	assert_int_equal(test_json_int(r.json, "source_org_id"), county_b);
	assert_true(json_is_false(json_object_get(r.json, "own")));
	http_result_clear(&r);
	/* County A's HR cannot see county B's units. */
	get_as(&hr_a, path, 404, &r);
	http_result_clear(&r);

	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", id);
	get_as(NULL, path, 200, &r);
	(void)snprintf(number, sizeof(number), "%s", test_json_str(r.json, "number"));
	http_result_clear(&r);
	patch_officer(officer, "{\"status\":\"retired\"}");
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate WHERE id = %lld"
	                                " AND status = 'cancelled'"
	                                " AND status_reason_category = 'retired'",
	                                id),
	                 1);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM withdrawal_flag WHERE"
	                                " certificate_id = %lld AND state = 'open'",
	                                id),
	                 0);

	/* Published at once: 欧阳立明 → 欧**明, no login. */
	http_call_as(&proc, NULL, &r, "GET", "/public/cancelled-certificates?limit=500", NULL,
	             NULL);
	assert_int_equal(r.status, 200);
	{
		const json_t *item;
		size_t i;
		int found = 0;

		json_array_foreach(json_object_get(r.json, "items"), i, item)
		{
			if (strcmp(test_json_str(item, "number"), number) != 0)
				continue;
			found = 1;
			assert_string_equal(test_json_str(item, "name_masked"), "欧**明");
			assert_string_equal(test_json_str(item, "unit"), "乙县城管局");
			assert_string_equal(test_json_str(item, "reason_category"), "retired");
		}
		assert_true(found);
	}
	http_result_clear(&r);
}

static void test_expiring_within_lists_valid_certificates_by_expiry(void **state)
{
	long long unit =
	        test_create_org(&proc, "cert-exp", "甲县到期测试所", "department", county_a);
	long long one = make_officer(9601, "到期甲", unit, "");
	long long two = make_officer(9602, "到期乙", unit, "");
	char today[40], in10[40], in40[40], in5[40], yesterday[40], path[256], cursor[128];
	long long at_10, at_0, at_40, suspended, expired;
	struct http_result r;
	const json_t *items;

	(void)state;
	day_from_today(0, today);
	day_from_today(10, in10);
	day_from_today(40, in40);
	day_from_today(5, in5);
	day_from_today(-1, yesterday);
	at_10 = issue_ok(one, "甲类", in10);
	at_0 = issue_ok(one, "乙类", today);
	at_40 = issue_ok(one, "丙类", in40);
	suspended = issue_ok(two, "甲类", in5);
	change_status_ok(suspended, "suspended", "misconduct");
	expired = issue_ok(two, "乙类", yesterday);

	(void)snprintf(path, sizeof(path), "/api/v1/certificates?org=%lld&expiring_within=30",
	               unit);
	get_as(&hr_a, path, 200, &r);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_int_equal(test_json_int(json_array_get(items, 0), "id"), at_0);
	assert_int_equal(test_json_int(json_array_get(items, 1), "id"), at_10);
	http_result_clear(&r);

	/* Two pages of one, in expiry order. */
	(void)snprintf(path, sizeof(path),
	               "/api/v1/certificates?org=%lld&expiring_within=40&limit=2", unit);
	get_as(&hr_a, path, 200, &r);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_int_equal(test_json_int(json_array_get(items, 1), "id"), at_10);
	(void)snprintf(cursor, sizeof(cursor), "%s", test_json_str(r.json, "next_cursor"));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path),
	               "/api/v1/certificates?org=%lld&expiring_within=40&limit=2&cursor=%s", unit,
	               cursor);
	get_as(&hr_a, path, 200, &r);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(test_json_int(json_array_get(items, 0), "id"), at_40);
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);

	/* 0 days: those expiring today. */
	(void)snprintf(path, sizeof(path), "/api/v1/certificates?org=%lld&expiring_within=0", unit);
	get_as(&hr_a, path, 200, &r);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, at_0));
	http_result_clear(&r);

	/* Without the filter: all five by id; by status. */
	(void)snprintf(path, sizeof(path), "/api/v1/certificates?org=%lld", unit);
	get_as(&auditor_a, path, 200, &r);
	assert_int_equal(test_items_count(&r), 5);
	assert_true(test_items_hold(&r, expired));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/certificates?org=%lld&status=suspended", unit);
	get_as(&auditor_a, path, 200, &r);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, suspended));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path),
	               "/api/v1/certificates?officer=%lld&domain=%%E7%%94%%B2%%E7%%B1%%BB", one);
	get_as(&auditor_a, path, 200, &r);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, at_10));
	http_result_clear(&r);

	/* q: a number prefix. */
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", at_40);
	get_as(&hr_a, path, 200, &r);
	url_escape(test_json_str(r.json, "number"), cursor, sizeof(cursor));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/certificates?q=%s", cursor);
	get_as(&hr_a, path, 200, &r);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, at_40));
	http_result_clear(&r);
	get_as(&hr_a, "/api/v1/certificates?q=%25", 200, &r);
	assert_int_equal(test_items_count(&r), 0);
	http_result_clear(&r);

	get_as(&hr_a, "/api/v1/certificates?expiring_within=3651", 422, &r);
	assert_problem(&r, 422, "expiring_within", "range");
	http_result_clear(&r);
	get_as(&hr_a, "/api/v1/certificates?expiring_within=-1", 422, &r);
	assert_problem(&r, 422, "expiring_within", "range");
	http_result_clear(&r);
	get_as(&hr_a, "/api/v1/certificates?status=lost", 422, &r);
	assert_problem(&r, 422, "status", "choice");
	http_result_clear(&r);
}

/* The published list: no login, number, masked name, unit, date, reason;
 * nothing of the national ID or the whole name; pages with a cursor; CSV. */
static void test_public_list_shows_masked_names_and_no_national_id(void **state)
{
	long long zhang = make_officer(9701, "张三丰", unit_a, "");
	long long li = make_officer(9702, "李四", unit_a, "");
	long long lost = issue_ok(zhang, "城市管理", NULL);
	long long other = issue_ok(li, "城市管理", NULL);
	char national_id[19], masked[32], path[256], lost_number[64], cursor[128], today[40];
	struct http_result r, page2;
	const json_t *items;

	(void)state;
	day_from_today(0, today);
	change_status_ok(lost, "cancelled", "lost");
	change_status_ok(other, "withdrawn", "misconduct");
	change_status_ok(other, "cancelled", "misconduct");
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", lost);
	get_as(NULL, path, 200, &r);
	(void)snprintf(lost_number, sizeof(lost_number), "%s", test_json_str(r.json, "number"));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", zhang);
	get_as(NULL, path, 200, &r);
	(void)snprintf(masked, sizeof(masked), "%s", test_json_str(r.json, "national_id_masked"));
	http_result_clear(&r);
	test_national_id(9701, national_id);

	http_call_as(&proc, NULL, &r, "GET", "/public/cancelled-certificates?limit=2", NULL, NULL);
	assert_int_equal(r.status, 200);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 2);
	/* Newest first: 李四's, then 张三丰's lost one. */
	assert_string_equal(test_json_str(json_array_get(items, 0), "name_masked"), "李*");
	assert_string_equal(test_json_str(json_array_get(items, 0), "reason_category"),
	                    "misconduct");
	assert_string_equal(test_json_str(json_array_get(items, 1), "number"), lost_number);
	assert_string_equal(test_json_str(json_array_get(items, 1), "name_masked"), "张*丰");
	assert_string_equal(test_json_str(json_array_get(items, 1), "unit"), "甲县城管局");
	assert_string_equal(test_json_str(json_array_get(items, 1), "cancelled_on"), today);
	assert_string_equal(test_json_str(json_array_get(items, 1), "reason_category"), "lost");
	assert_non_null(strstr(test_json_str(json_array_get(items, 1), "reason_label"), "遗失"));
	/* Exactly these members, nothing more. */
	assert_int_equal(json_object_size(json_array_get(items, 1)), 6);
	assert_null(strstr(r.body, national_id));
	assert_null(strstr(r.body, masked));
	assert_null(strstr(r.body, "张三丰"));
	assert_null(strstr(r.body, "李四"));
	assert_null(strstr(r.body, "national_id"));
	(void)snprintf(cursor, sizeof(cursor), "%s", test_json_str(r.json, "next_cursor"));
	(void)snprintf(path, sizeof(path), "/public/cancelled-certificates?limit=2&cursor=%s",
	               cursor);
	http_call_as(&proc, NULL, &page2, "GET", path, NULL, NULL);
	assert_int_equal(page2.status, 200);
	/* The next page starts after the last one shown. */
	assert_null(strstr(page2.body, lost_number));
	assert_true(json_array_size(json_object_get(page2.json, "items")) >= 1);
	http_result_clear(&page2);
	http_result_clear(&r);

	http_call_as(&proc, NULL, &r, "GET", "/public/cancelled-certificates?limit=0", NULL, NULL);
	assert_problem(&r, 422, "limit", "range");
	assert_string_equal(r.cache_control, "no-store"); /* an error is never cached */
	http_result_clear(&r);

	http_call_as(&proc, NULL, &r, "GET", "/public/cancelled-certificates.csv", NULL, NULL);
	assert_int_equal(r.status, 200);
	/* Cacheable by anyone, and only that: no second, contradicting header. */
	assert_string_equal(r.cache_control, "public, max-age=300");
	assert_non_null(strstr(r.content_type, "text/csv"));
	assert_memory_equal(r.body, "\xEF\xBB\xBF", 3);
	assert_non_null(strstr(r.body, "执法证号,姓名,单位,注销日期,注销原因\r\n"));
	assert_non_null(strstr(r.body, lost_number));
	assert_non_null(strstr(r.body, "张*丰,甲县城管局"));
	assert_null(strstr(r.body, national_id));
	assert_null(strstr(r.body, masked));
	assert_null(strstr(r.body, "张三丰"));
	http_result_clear(&r);
}

/* Scope: county B's HR sees nothing of county A's; an officer sees its own only. */
static void test_scope_on_every_route(void **state)
{
	long long mine = make_officer(9801, "本人甲", unit_a, "");
	long long colleague = make_officer(9802, "同事甲", unit_a, "");
	long long own_cert = issue_ok(mine, "城市管理", NULL);
	long long other_cert = issue_ok(colleague, "城市管理", NULL);
	long long version = cert_version(own_cert), events = cert_events(own_cert);
	struct test_identity own;
	struct http_result r;
	char path[128], body[512];
	const char *any[] = {"If-Match: *", NULL};

	(void)state;
	test_create_user(&proc, "cert.own", "officer", 0, mine, NULL, &own);

	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", own_cert);
	get_as(&hr_b, path, 404, &r);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	http_call_as(&proc, &hr_b, &r, "PATCH", path, any, "{\"area\":\"乙县\"}");
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	change_status(&hr_b, own_cert, "suspended", "misconduct", &r);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/certificates", mine);
	get_as(&hr_b, path, 404, &r);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/certificates?org=%lld", county_a);
	get_as(&hr_b, path, 422, &r);
	assert_problem(&r, 422, "org", "unknown");
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/certificates?officer=%lld", mine);
	get_as(&hr_b, path, 200, &r);
	assert_int_equal(test_items_count(&r), 0);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/reports/uncertified?org=%lld", county_a);
	get_as(&hr_b, path, 422, &r);
	assert_problem(&r, 422, "org", "unknown");
	http_result_clear(&r);
	(void)snprintf(body, sizeof(body),
	               "{\"number\":\"B-CROSS-1\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
	               "\"domain\":\"跨县\",\"issued_on\":\"2024-01-01\","
	               "\"expires_on\":\"2030-12-31\"}",
	               mine, county_b);
	issue(&hr_b, body, 422, &r);
	assert_problem(&r, 422, "officer_id", "unknown");
	http_result_clear(&r);
	assert_int_equal(cert_version(own_cert), version);
	assert_int_equal(cert_events(own_cert), events);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM certificate WHERE number ="
	                                   " 'B-CROSS-1'"),
	                 0);

	/* The officer: its own certificate and list, nobody else's, and no writes. */
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", own_cert);
	get_as(&own, path, 200, &r);
	assert_int_equal(test_json_int(r.json, "officer_id"), mine);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", other_cert);
	get_as(&own, path, 404, &r);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/certificates", mine);
	get_as(&own, path, 200, &r);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, own_cert));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/certificates", colleague);
	get_as(&own, path, 404, &r);
	http_result_clear(&r);
	get_as(&own, "/api/v1/certificates", 403, &r);
	http_result_clear(&r);
	change_status(&own, own_cert, "suspended", "misconduct", &r);
	assert_problem(&r, 403, NULL, NULL);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld/certificate-policy", unit_a);
	get_as(&own, path, 403, &r);
	http_result_clear(&r);
	get_as(&own, "/api/v1/reports/uncertified", 403, &r);
	http_result_clear(&r);

	/* County A's HR and auditor see both. */
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/certificates", colleague);
	get_as(&hr_a, path, 200, &r);
	assert_true(test_items_hold(&r, other_cert));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", other_cert);
	get_as(&auditor_a, path, 200, &r);
	http_result_clear(&r);
	/* Unknown ids are 404 alike. */
	get_as(&hr_a, "/api/v1/certificates/987654321", 404, &r);
	http_result_clear(&r);
	get_as(&hr_a, "/api/v1/certificates/abc", 404, &r);
	http_result_clear(&r);
}

/* 持证上岗: active officers on a post without a valid certificate. */
static void test_uncertified_lists_officers_on_a_post_without_a_valid_certificate(void **state)
{
	long long unit =
	        test_create_org(&proc, "cert-unc", "甲县持证测试所", "department", county_a);
	long long bare = make_officer(9901, "无证甲", unit, "");
	long long holder = make_officer(9902, "持证甲", unit, "");
	long long auxiliary = make_officer(9903, "辅助乙", unit, ",\"kind\":\"auxiliary\"");
	long long suspended_only = make_officer(9904, "暂扣甲", unit, "");
	long long off_post = make_officer(9905, "非岗乙", unit, ",\"enforcement_post\":false");
	long long retired = make_officer(9906, "退休甲", unit, "");
	long long suspended;
	struct http_result r;
	char path[128];
	const json_t *item;
	size_t i;
	int seen_bare = 0, seen_suspended = 0;

	(void)state;
	(void)issue_ok(holder, "城市管理", NULL);
	suspended = issue_ok(suspended_only, "城市管理", NULL);
	change_status_ok(suspended, "suspended", "misconduct");
	patch_officer(retired, "{\"status\":\"retired\"}");

	(void)snprintf(path, sizeof(path), "/api/v1/reports/uncertified?org=%lld", unit);
	get_as(&auditor_a, path, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	json_array_foreach(json_object_get(r.json, "items"), i, item)
	{
		long long officer = test_json_int(item, "officer_id");

		assert_null(json_object_get(item, "id"));
		assert_null(json_object_get(item, "national_id"));
		assert_non_null(json_string_value(json_object_get(item, "national_id_masked")));
		assert_string_equal(test_json_str(item, "org_name"), "甲县持证测试所");
		assert_true(officer != holder && officer != auxiliary && officer != off_post &&
		            officer != retired);
		if (officer == bare) {
			seen_bare = 1;
			assert_int_equal(test_json_int(item, "live_certificates"), 0);
		}
		if (officer == suspended_only) {
			seen_suspended = 1;
			assert_int_equal(test_json_int(item, "live_certificates"), 1);
		}
	}
	assert_true(seen_bare && seen_suspended);
	http_result_clear(&r);

	/* Pages of one: the cursor moves on by officer. */
	(void)snprintf(path, sizeof(path), "/api/v1/reports/uncertified?org=%lld&limit=1", unit);
	get_as(&hr_a, path, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_int_equal(
	        test_json_int(json_array_get(json_object_get(r.json, "items"), 0), "officer_id"),
	        bare);
	assert_non_null(json_string_value(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);

	/* The officer list filter on enforcement_post. */
	(void)snprintf(path, sizeof(path), "/api/v1/officers?org=%lld&enforcement_post=false",
	               unit);
	get_as(&hr_a, path, 200, &r);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, off_post));
	http_result_clear(&r);
	get_as(&hr_a, "/api/v1/officers?enforcement_post=maybe", 422, &r);
	assert_problem(&r, 422, "enforcement_post", "choice");
	http_result_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_pair_of_the_transition_table),
	        cmocka_unit_test(test_status_change_input_is_checked),
	        cmocka_unit_test(test_reinstating_an_officer_off_the_post_is_refused),
	        cmocka_unit_test(test_issuing_rules),
	        cmocka_unit_test(test_correcting_a_certificate),
	        cmocka_unit_test(test_leaving_the_post_withdraws_every_live_certificate),
	        cmocka_unit_test(test_certificate_policy_immediate_cancels_and_publishes),
	        cmocka_unit_test(test_expiring_within_lists_valid_certificates_by_expiry),
	        cmocka_unit_test(test_public_list_shows_masked_names_and_no_national_id),
	        cmocka_unit_test(test_scope_on_every_route),
	        cmocka_unit_test(
	                test_uncertified_lists_officers_on_a_post_without_a_valid_certificate),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
