/* test_verify.c — verifying a certificate's QR token over HTTP (issue 6,
 * doc/qr-token.md): the live status as JSON and as the page, masked and
 * without national ID or full name; tampered, foreign and unknown tokens;
 * each valid lookup counted with the place shared; the published keys; a key
 * rotated on the stopped data directory leaving old codes valid; the rate
 * limit per address. Tokens are issued in this process with the instance's
 * own keys (sign_start on its data directory), as the QR routes would. */
#include "testlib.h"

#include "sign.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FULL_NAME "张三明"
#define MASKED    "张*明"
#define UNIT      "甲县城管局"
#define CITY      "梅州市司法局"

static struct tcardd_proc proc;
static PGconn *db;
static long long city, unit, officer, cert_valid, cert_withdrawn;
static char national_id[19];

/* Issues a certificate of officer as the admin; returns its id. */
static long long issue_certificate(const char *number, const char *domain)
{
	struct http_result r;
	char body[512];
	long long id;

	(void)snprintf(body, sizeof(body),
	               "{\"number\":\"%s\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
	               "\"domain\":\"%s\",\"area\":\"甲县\",\"issued_on\":\"2024-01-01\","
	               "\"expires_on\":\"2030-12-31\"}",
	               number, officer, city, domain);
	http_call(&proc, &r, "POST", "/api/v1/certificates", NULL, body);
	if (r.status != 201)
		fail_msg("POST certificate: %ld %s", r.status, r.body);
	id = test_json_int(r.json, "id");
	http_result_clear(&r);
	return id;
}

static void load_keys(void)
{
	struct err err = {{0}};

	if (sign_start(proc.data_dir, &err) != 0)
		fail_msg("sign_start: %s", err.message);
}

static int group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	tcardd_start(&proc, NULL, (const char *const[]){"--verify-rate", "10000", NULL});
	db = test_db(&proc);
	city = test_create_org(&proc, "verify-city", CITY, "city", 0);
	unit = test_create_org(&proc, "verify-cg", UNIT, "department", city);
	test_national_id(77, national_id);
	officer = test_create_officer(&proc, 77, FULL_NAME, unit);
	cert_valid = issue_certificate("粤梅2022000123", "城市管理");
	cert_withdrawn = issue_certificate("粤梅2022000124", "市场监管");
	load_keys();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	sign_stop();
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

/* The token of certificate id as the QR routes make it. */
static void token_of(long long id, char token[SIGN_TOKEN_MAX])
{
	struct sign_claim claim;
	char sql[200], value[64];

	memset(&claim, 0, sizeof(claim));
	(void)snprintf(sql, sizeof(sql), "SELECT number FROM certificate WHERE id = %lld", id);
	test_db_text(db, sql, NULL, claim.number, sizeof(claim.number));
	(void)snprintf(
	        sql, sizeof(sql),
	        "SELECT extract(epoch FROM created_at)::bigint FROM certificate WHERE id = %lld",
	        id);
	test_db_text(db, sql, NULL, value, sizeof(value));
	claim.issued_at = (uint32_t)strtoul(value, NULL, 10);
	claim.officer_id = (uint64_t)officer;
	assert_int_equal(sign_token_issue(&claim, token, SIGN_TOKEN_MAX), 0);
}

static long long verifications(long long id)
{
	return test_db_countf(
	        db,
	        "SELECT count(*) FROM certificate_verification WHERE certificate_id = "
	        "%lld",
	        id);
}

/* GET path as nobody from address (X-Real-IP). */
static void get_from(const char *address, const char *path, struct http_result *r)
{
	char real_ip[80];
	const char *headers[] = {real_ip, NULL};

	(void)snprintf(real_ip, sizeof(real_ip), "X-Real-IP: %s", address);
	http_call_as(&proc, NULL, r, "GET", path, headers, NULL);
}

static void verify_json(const char *token, const char *query, struct http_result *r)
{
	char path[600];

	(void)snprintf(path, sizeof(path), "/api/v1/verify/%s%s", token, query);
	get_from("198.51.100.1", path, r);
}

/* Nothing personal beyond the masked name in a public reply. */
static void assert_nothing_personal(const struct http_result *r)
{
	assert_null(strstr(r->body, national_id));
	assert_null(strstr(r->body, national_id + 6)); /* not even its tail */
	assert_null(strstr(r->body, FULL_NAME));
	assert_null(strstr(r->body, "national_id"));
}

static void assert_invalid(const struct http_result *r, const char *reason)
{
	assert_int_equal(r->status, 200);
	assert_false(json_is_true(json_object_get(r->json, "valid")));
	assert_string_equal(test_json_str(r->json, "reason"), reason);
	assert_null(json_object_get(r->json, "certificate"));
}

static void test_valid_token_shows_live_status_masked_and_counts(void **state)
{
	char token[SIGN_TOKEN_MAX];
	struct http_result r;
	const json_t *cert, *training;
	long long before = verifications(cert_valid);

	(void)state;
	token_of(cert_valid, token);
	verify_json(token, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "valid")));
	cert = json_object_get(r.json, "certificate");
	assert_string_equal(test_json_str(cert, "number"), "粤梅2022000123");
	assert_string_equal(test_json_str(cert, "status"), "valid");
	assert_string_equal(test_json_str(cert, "status_label"), "有效 / valid");
	assert_string_equal(test_json_str(cert, "name_masked"), MASKED);
	assert_string_equal(test_json_str(cert, "unit"), UNIT);
	assert_string_equal(test_json_str(cert, "issuing_org"), CITY);
	assert_string_equal(test_json_str(cert, "domain"), "城市管理");
	assert_string_equal(test_json_str(cert, "area"), "甲县");
	assert_string_equal(test_json_str(cert, "expires_on"), "2030-12-31");
	assert_true(json_is_false(json_object_get(cert, "expired")));
	/* Exactly these facts, nothing more. */
	assert_int_equal(json_object_size(cert), 10);
	training = json_object_get(r.json, "training");
	assert_true(test_json_int(training, "year") >= 2025);
	assert_non_null(json_object_get(training, "on_track"));
	assert_int_equal(json_object_size(r.json), 3);
	assert_nothing_personal(&r);
	assert_string_equal(r.cache_control, "no-store");
	http_result_clear(&r);
	assert_int_equal(verifications(cert_valid), before + 1);
	/* Without a shared place, none is stored. */
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate_verification WHERE "
	                                "certificate_id = %lld AND latitude IS NULL",
	                                cert_valid),
	                 before + 1);
}

static void test_shared_place_is_stored_and_checked(void **state)
{
	char token[SIGN_TOKEN_MAX];
	struct http_result r;
	long long before;

	(void)state;
	token_of(cert_valid, token);
	before = verifications(cert_valid);
	verify_json(token, "?lat=24.288615&lon=116.122046", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "valid")));
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate_verification WHERE "
	                                "certificate_id = %lld AND latitude = 24.288615 AND "
	                                "longitude = 116.122046",
	                                cert_valid),
	                 1);
	verify_json(token, "?lat=91&lon=116", &r);
	assert_problem(&r, 422, "lat", "range");
	http_result_clear(&r);
	verify_json(token, "?lat=24&lon=-180.5", &r);
	assert_problem(&r, 422, "lon", "range");
	http_result_clear(&r);
	verify_json(token, "?lat=24.1", &r);
	assert_problem(&r, 422, "lon", "required");
	http_result_clear(&r);
	verify_json(token, "?lat=1e1&lon=2", &r);
	assert_problem(&r, 422, "lat", "range");
	http_result_clear(&r);
	/* HR and auditors see how often the code was checked, and when last. */
	{
		char path[64];

		(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld", cert_valid);
		http_call(&proc, &r, "GET", path, NULL, NULL);
		assert_int_equal(r.status, 200);
		assert_int_equal(test_json_int(json_object_get(r.json, "verifications"), "count"),
		                 verifications(cert_valid));
		assert_true(json_is_string(
		        json_object_get(json_object_get(r.json, "verifications"), "last_at")));
		http_result_clear(&r);
	}
	/* Refused requests counted nothing. */
	assert_int_equal(verifications(cert_valid), before + 1);
}

static void test_tampered_truncated_and_foreign_tokens_are_invalid(void **state)
{
	char token[SIGN_TOKEN_MAX], bad[SIGN_TOKEN_MAX], other_dir[] = "/tmp/tcard-verify-XXXXXX",
	                                                 command[100];
	struct http_result r;
	struct sign_claim claim;
	struct err err = {{0}};
	long long before = verifications(cert_valid), total;
	size_t len, i;
	const size_t positions[] = {0, 1, 4, 5, 12, 17, 23, 30, 60, 100, 128, 129, 130};

	(void)state;
	total = test_db_count(db, "SELECT count(*) FROM certificate_verification");
	token_of(cert_valid, token);
	len = strlen(token);
	/* A changed character in every part (version, key id, officer, time,
	 * length, number, signature, the last); unit tests try every one. */
	assert_int_equal(len, 131);
	for (i = 0; i < sizeof(positions) / sizeof(positions[0]); i++) {
		memcpy(bad, token, len + 1);
		bad[positions[i]] = bad[positions[i]] == 'A' ? 'B' : 'A';
		verify_json(bad, "", &r);
		assert_invalid(&r, "invalid");
		http_result_clear(&r);
	}
	/* Cut short. */
	memcpy(bad, token, len - 1);
	bad[len - 1] = '\0';
	verify_json(bad, "", &r);
	assert_invalid(&r, "invalid");
	http_result_clear(&r);
	verify_json("AAAA", "", &r);
	assert_invalid(&r, "invalid");
	http_result_clear(&r);
	/* Signed by a key this instance does not know. */
	memset(&claim, 0, sizeof(claim));
	(void)snprintf(claim.number, sizeof(claim.number), "粤梅2022000123");
	claim.officer_id = (uint64_t)officer;
	assert_non_null(mkdtemp(other_dir));
	sign_stop();
	if (sign_start(other_dir, &err) != 0)
		fail_msg("sign_start: %s", err.message);
	assert_int_equal(sign_token_issue(&claim, bad, sizeof(bad)), 0);
	sign_stop();
	load_keys();
	(void)snprintf(command, sizeof(command), "rm -rf '%s'", other_dir);
	assert_int_equal(system(command), 0);
	verify_json(bad, "", &r);
	/* The public never learns which check failed. */
	assert_invalid(&r, "invalid");
	http_result_clear(&r);
	/* No database work: nothing counted. */
	assert_int_equal(verifications(cert_valid), before);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM certificate_verification"), total);
	/* The log knows why. */
	assert_true(test_file_contains(proc.log_path, "reason=bad_signature"));
	assert_true(test_file_contains(proc.log_path, "reason=unknown_key"));
	assert_true(test_file_contains(proc.log_path, "reason=malformed"));
}

static void test_signed_token_of_no_certificate_is_unknown(void **state)
{
	char token[SIGN_TOKEN_MAX];
	struct sign_claim claim;
	struct http_result r;
	long long total = test_db_count(db, "SELECT count(*) FROM certificate_verification");

	(void)state;
	memset(&claim, 0, sizeof(claim));
	(void)snprintf(claim.number, sizeof(claim.number), "粤梅-99999");
	claim.officer_id = (uint64_t)officer;
	assert_int_equal(sign_token_issue(&claim, token, sizeof(token)), 0);
	verify_json(token, "", &r);
	assert_invalid(&r, "unknown");
	http_result_clear(&r);
	/* A real number with another officer's id names nothing either. */
	(void)snprintf(claim.number, sizeof(claim.number), "粤梅2022000123");
	claim.officer_id = (uint64_t)officer + 1000;
	assert_int_equal(sign_token_issue(&claim, token, sizeof(token)), 0);
	verify_json(token, "", &r);
	assert_invalid(&r, "unknown");
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM certificate_verification"), total);
}

/* The value of header name in a raw reply, or fails. */
static void raw_header(const char *reply, const char *name, char *out, size_t size)
{
	if (!test_raw_header(reply, name, out, size))
		fail_msg("no %s header in %.300s", name, reply);
}

static void test_page_shows_verdict_in_chinese_and_english(void **state)
{
	char token[SIGN_TOKEN_MAX], request[800], value[400], expected[400], hash64[64];
	unsigned char hash[crypto_hash_sha256_BYTES];
	const char *body, *style, *style_end;
	struct http_result r;
	char *reply;
	long long before = verifications(cert_valid);

	(void)state;
	token_of(cert_valid, token);
	(void)snprintf(request, sizeof(request),
	               "GET /v/%s HTTP/1.1\r\nHost: x\r\nX-Real-IP: 198.51.100.2\r\n"
	               "Connection: close\r\n\r\n",
	               token);
	reply = test_raw_exchange(proc.port, request, strlen(request), 5000);
	assert_int_equal(test_raw_status(reply), 200);
	raw_header(reply, "Content-Type", value, sizeof(value));
	assert_string_equal(value, "text/html; charset=utf-8");
	body = test_raw_body(reply);
	assert_non_null(body);
	assert_non_null(strstr(body, "lang=\"zh-CN\""));
	assert_non_null(strstr(body, "name=\"viewport\""));
	assert_non_null(strstr(body, "verdict ok\">有效</div>"));
	assert_non_null(strstr(body, MASKED));
	assert_non_null(strstr(body, UNIT));
	assert_non_null(strstr(body, CITY));
	assert_non_null(strstr(body, "2030-12-31"));
	assert_non_null(strstr(body, "href=\"?lang=en\""));
	assert_null(strstr(body, FULL_NAME));
	assert_null(strstr(body, national_id));
	assert_null(strstr(body, "<script"));
	/* The policy allows the page's own style by its hash, and nothing else. */
	raw_header(reply, "Content-Security-Policy", value, sizeof(value));
	style = strstr(body, "<style>");
	style_end = strstr(body, "</style>");
	assert_non_null(style);
	assert_non_null(style_end);
	style += strlen("<style>");
	(void)crypto_hash_sha256(hash, (const unsigned char *)style, (size_t)(style_end - style));
	(void)sodium_bin2base64(hash64, sizeof(hash64), hash, sizeof(hash),
	                        sodium_base64_VARIANT_ORIGINAL);
	(void)snprintf(expected, sizeof(expected),
	               "default-src 'none'; style-src 'sha256-%s'; base-uri 'none'; "
	               "form-action 'none'; frame-ancestors 'none'",
	               hash64);
	assert_string_equal(value, expected);
	raw_header(reply, "Referrer-Policy", value, sizeof(value));
	assert_string_equal(value, "no-referrer");
	raw_header(reply, "Cache-Control", value, sizeof(value));
	assert_string_equal(value, "no-store");
	free(reply);
	assert_int_equal(verifications(cert_valid), before + 1);

	/* English on request. */
	(void)snprintf(request, sizeof(request), "/v/%s?lang=en", token);
	get_from("198.51.100.2", request, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "lang=\"en\""));
	assert_non_null(strstr(r.body, "verdict ok\">Valid</div>"));
	assert_non_null(strstr(r.body, "Enforcement certificate check"));
	assert_non_null(strstr(r.body, MASKED));
	assert_non_null(strstr(r.body, "href=\"?lang=zh\""));
	assert_null(strstr(r.body, "有效"));
	assert_nothing_personal(&r);
	http_result_clear(&r);

	/* A tampered token: the red verdict, no facts. */
	token[10] = token[10] == 'A' ? 'B' : 'A';
	(void)snprintf(request, sizeof(request), "/v/%s", token);
	get_from("198.51.100.2", request, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "verdict bad\">无效</div>"));
	assert_null(strstr(r.body, MASKED));
	assert_null(strstr(r.body, "<dl>"));
	http_result_clear(&r);
	assert_int_equal(verifications(cert_valid), before + 2);
}

static void test_withdrawn_certificate_shows_withdrawn(void **state)
{
	char token[SIGN_TOKEN_MAX], path[400], body[200];
	struct http_result r;
	const json_t *cert;

	(void)state;
	/* The token made while it was valid tells the truth afterwards. */
	token_of(cert_withdrawn, token);
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/status", cert_withdrawn);
	(void)snprintf(body, sizeof(body),
	               "{\"status\":\"withdrawn\",\"reason_category\":\"misconduct\"}");
	http_call(&proc, &r, "POST", path, NULL, body);
	if (r.status != 200)
		fail_msg("withdrawing: %ld %s", r.status, r.body);
	http_result_clear(&r);
	verify_json(token, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "valid")));
	cert = json_object_get(r.json, "certificate");
	assert_string_equal(test_json_str(cert, "status"), "withdrawn");
	assert_string_equal(test_json_str(cert, "status_label"), "已收回 / withdrawn");
	assert_string_equal(test_json_str(cert, "number"), "粤梅2022000124");
	assert_nothing_personal(&r);
	/* The reason of the withdrawal is not public here. */
	assert_null(strstr(r.body, "misconduct"));
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/v/%s", token);
	get_from("198.51.100.3", path, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "verdict bad\">已收回</div>"));
	assert_null(strstr(r.body, ">有效<"));
	assert_non_null(strstr(r.body, MASKED));
	assert_nothing_personal(&r);
	http_result_clear(&r);
	assert_int_equal(verifications(cert_withdrawn), 2);
}

/* GET /api/v1/keys: the count of keys and of current ones; the current kid. */
static size_t keys_listed(int *current, char kid[9])
{
	struct http_result r;
	const json_t *key;
	size_t i, n;

	http_call_as(&proc, NULL, &r, "GET", "/api/v1/keys", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.cache_control, "public, max-age=3600");
	*current = 0;
	json_array_foreach(json_object_get(r.json, "keys"), i, key)
	{
		assert_string_equal(test_json_str(key, "alg"), "Ed25519");
		assert_int_equal(strlen(test_json_str(key, "public_key")), 43);
		if (json_is_true(json_object_get(key, "current"))) {
			(*current)++;
			(void)snprintf(kid, 9, "%s", test_json_str(key, "kid"));
		}
	}
	n = json_array_size(json_object_get(r.json, "keys"));
	http_result_clear(&r);
	return n;
}

static void test_keys_are_published(void **state)
{
	char token[SIGN_TOKEN_MAX], kid[9], listed[9], path[600], hex[80];
	unsigned char pk[32];
	char pk64[64];
	struct http_result r;
	int current;
	size_t pk_len;
	FILE *f;

	(void)state;
	token_of(cert_valid, token);
	assert_int_equal(sign_token_verify(token, NULL, kid), SIGN_VALID);
	assert_int_equal(keys_listed(&current, listed), 1);
	assert_int_equal(current, 1);
	assert_string_equal(listed, kid);
	/* The published key is the one in <kid>.pub. */
	(void)snprintf(path, sizeof(path), "%s/keys/qr/%s.pub", proc.data_dir, kid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(hex, sizeof(hex), f));
	(void)fclose(f);
	assert_int_equal(sodium_hex2bin(pk, sizeof(pk), hex, 64, NULL, &pk_len, NULL), 0);
	(void)sodium_bin2base64(pk64, sizeof(pk64), pk, sizeof(pk),
	                        sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	http_call_as(&proc, NULL, &r, "GET", "/api/v1/keys", NULL, NULL);
	assert_non_null(strstr(r.body, pk64));
	assert_null(strstr(r.body, "seed"));
	http_result_clear(&r);
}

static void test_rotated_key_keeps_old_codes_valid(void **state)
{
	char old_token[SIGN_TOKEN_MAX], new_token[SIGN_TOKEN_MAX], old_kid[9], new_kid[9],
	        listed[9], out[700];
	const char *args[] = {"--rotate-qr-key", "--data-dir", proc.data_dir, NULL};
	struct http_result r;
	int current;

	(void)state;
	token_of(cert_valid, old_token);
	assert_int_equal(sign_token_verify(old_token, NULL, old_kid), SIGN_VALID);
	/* Not while tcardd runs on the data directory. */
	(void)snprintf(out, sizeof(out), "%s/rotate.out", proc.data_dir);
	assert_int_equal(tcardd_run(args, out), 1);
	assert_true(test_file_contains(out, "another tcardd"));
	assert_int_equal(tcardd_stop(&proc), 0);
	assert_int_equal(tcardd_run(args, out), 0);
	assert_true(test_file_contains(out, "is current"));
	tcardd_start(&proc, proc.data_dir, (const char *const[]){"--verify-rate", "5", NULL});
	PQfinish(db); /* its cluster restarted with tcardd */
	db = test_db(&proc);
	sign_stop();
	load_keys();
	assert_int_equal(keys_listed(&current, listed), 2);
	assert_int_equal(current, 1);
	assert_string_not_equal(listed, old_kid);
	/* The old code still verifies. */
	verify_json(old_token, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "valid")));
	http_result_clear(&r);
	/* New codes are signed with the new key and verify too. */
	token_of(cert_valid, new_token);
	assert_int_equal(sign_token_verify(new_token, NULL, new_kid), SIGN_VALID);
	assert_string_equal(new_kid, listed);
	verify_json(new_token, "", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "valid")));
	http_result_clear(&r);
}

static void test_verifications_are_rate_limited_per_address(void **state)
{
	char token[SIGN_TOKEN_MAX], path[600], page[600];
	struct http_result r;
	long long before = verifications(cert_valid);
	int i;

	(void)state;
	/* tcardd runs with --verify-rate 5 since the rotation. */
	token_of(cert_valid, token);
	(void)snprintf(path, sizeof(path), "/api/v1/verify/%s", token);
	(void)snprintf(page, sizeof(page), "/v/%s", token);
	for (i = 0; i < 5; i++) {
		/* The page shares the limit with the JSON route. */
		get_from("203.0.113.9", i % 2 == 0 ? path : page, &r);
		assert_int_equal(r.status, 200);
		if (i % 2 == 0)
			assert_true(json_is_true(json_object_get(r.json, "valid")));
		http_result_clear(&r);
	}
	get_from("203.0.113.9", path, &r);
	assert_problem(&r, 429, NULL, NULL);
	assert_true(atoi(r.retry_after) >= 1 && atoi(r.retry_after) <= 60);
	http_result_clear(&r);
	get_from("203.0.113.9", page, &r);
	assert_int_equal(r.status, 429);
	assert_non_null(strstr(r.content_type, "text/html"));
	assert_non_null(strstr(r.body, "核验过于频繁"));
	assert_null(strstr(r.body, MASKED));
	http_result_clear(&r);
	/* Refused lookups were not counted; another address is not limited. */
	assert_int_equal(verifications(cert_valid), before + 5);
	get_from("203.0.113.10", page, &r);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	assert_int_equal(verifications(cert_valid), before + 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_valid_token_shows_live_status_masked_and_counts),
	        cmocka_unit_test(test_shared_place_is_stored_and_checked),
	        cmocka_unit_test(test_tampered_truncated_and_foreign_tokens_are_invalid),
	        cmocka_unit_test(test_signed_token_of_no_certificate_is_unknown),
	        cmocka_unit_test(test_page_shows_verdict_in_chinese_and_english),
	        cmocka_unit_test(test_withdrawn_certificate_shows_withdrawn),
	        cmocka_unit_test(test_keys_are_published),
	        cmocka_unit_test(test_rotated_key_keeps_old_codes_valid),
	        cmocka_unit_test(test_verifications_are_rate_limited_per_address),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
