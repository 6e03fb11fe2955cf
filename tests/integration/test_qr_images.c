/* test_qr_images.c — a certificate's QR code over HTTP (issue 6): the PNG and
 * the SVG decode with a real decoder (zbarimg) to <public URL>/v/<token>, and
 * the token verifies against the keys tcardd keeps in its data directory;
 * caching headers and 304; size and margin bounds; who may see which code
 * (row-level security: an officer only its own). */
#include "testlib.h"

#include "qr_decode.h"

#include "sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PUBLIC_URL "https://tcard.example.gov.cn/tc"

static struct tcardd_proc proc;
static PGconn *db;
static long long city, unit_a, unit_b, officer_a, officer_b, cert_a, cert_b;
static struct test_identity hr_a, hr_b, auditor_a, self_a;
static char number_a[32];

static long long issue_certificate(long long officer, const char *number)
{
	return test_issue_certificate(&proc, officer, city, number, "城市管理");
}

static int group_setup(void **state)
{
	const char *const extra[] = {"--public-url=" PUBLIC_URL, NULL};
	long long county_a, county_b;
	struct err err;

	(void)state;
	tcardd_start(&proc, NULL, extra);
	db = test_db(&proc);
	city = test_create_org(&proc, "qr-city", "梅州市司法局", "city", 0);
	county_a = test_create_org(&proc, "qr-a", "甲县", "county", city);
	county_b = test_create_org(&proc, "qr-b", "乙县", "county", city);
	unit_a = test_create_org(&proc, "qr-a-cg", "甲县城管局", "department", county_a);
	unit_b = test_create_org(&proc, "qr-b-cg", "乙县城管局", "department", county_b);
	officer_a = test_create_officer(&proc, 7101, "张三明", unit_a);
	officer_b = test_create_officer(&proc, 7102, "李四", unit_a);
	(void)snprintf(number_a, sizeof(number_a), "粤梅2022000123");
	cert_a = issue_certificate(officer_a, number_a);
	cert_b = issue_certificate(officer_b, "粤梅2022000124");
	test_create_user(&proc, "qr.hr.a", "hr", county_a, 0, NULL, &hr_a);
	test_create_user(&proc, "qr.hr.b", "hr", county_b, 0, NULL, &hr_b);
	test_create_user(&proc, "qr.auditor.a", "auditor", county_a, 0, NULL, &auditor_a);
	test_create_user(&proc, "qr.self.a", "officer", 0, officer_a, NULL, &self_a);
	/* The test process reads the public keys tcardd created. */
	if (sign_start(proc.data_dir, &err) != 0)
		fail_msg("sign_start: %s", err.message);
	(void)unit_b;
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

/* The URL must be PUBLIC_URL/v/<token> with a token tcardd signed for
 * officer and number. */
static void assert_signed_url(const char *url, long long officer, const char *number)
{
	const char *prefix = PUBLIC_URL "/v/";
	struct sign_claim claim;

	assert_non_null(url);
	assert_memory_equal(url, prefix, strlen(prefix));
	assert_int_equal(sign_token_verify(url + strlen(prefix), &claim, NULL), SIGN_VALID);
	assert_int_equal(claim.officer_id, (unsigned long long)officer);
	assert_string_equal(claim.number, number);
	assert_true(claim.issued_at > 1700000000u);
}

static char *fetch_png_url(const struct test_identity *who, long long cert, const char *query)
{
	char path[128], file[600];
	char *url;

	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/qr.png%s", cert, query);
	(void)snprintf(file, sizeof(file), "%s/qr-test.png", proc.data_dir);
	assert_int_equal(test_download(&proc, who, path, file), 200);
	url = test_zbar_decode(file);
	(void)unlink(file);
	return url;
}

static void test_png_decodes_to_the_signed_verification_url(void **state)
{
	struct http_result r;
	char path[96];
	char *url;

	(void)state;
	url = fetch_png_url(&proc.admin, cert_a, "");
	assert_signed_url(url, officer_a, number_a);
	/* The phone-screen target of the issue: version ≤ 10 at level M. */
	assert_true(strlen(url) < 180);
	free(url);
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/qr.png", cert_a);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "image/png");
	assert_string_equal(r.cache_control, "private, max-age=300");
	assert_true(r.etag[0] == '"');
	http_result_clear(&r);
}

static void test_svg_decodes_to_the_same_url_as_the_png(void **state)
{
	struct http_result r;
	char path[96], file[600];
	char *svg_url, *png_url;

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/qr.svg?size=3&margin=2",
	               cert_a);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "image/svg+xml");
	assert_string_equal(r.cache_control, "private, max-age=300");
	assert_non_null(strstr(r.body, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	(void)snprintf(file, sizeof(file), "%s/qr-test.pgm", proc.data_dir);
	test_svg_to_pgm_file(r.body, 4, file);
	http_result_clear(&r);
	svg_url = test_zbar_decode(file);
	(void)unlink(file);
	assert_signed_url(svg_url, officer_a, number_a);
	png_url = fetch_png_url(&proc.admin, cert_a, "?size=2&margin=4");
	assert_non_null(png_url);
	/* The token is a function of the certificate and the key: stable. */
	assert_string_equal(svg_url, png_url);
	free(svg_url);
	free(png_url);
}

static void test_matching_if_none_match_answers_304(void **state)
{
	struct http_result r;
	char path[96], header[96], etag[64];
	const char *headers[] = {header, NULL};

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/qr.svg", cert_a);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	(void)snprintf(etag, sizeof(etag), "%s", r.etag);
	http_result_clear(&r);
	(void)snprintf(header, sizeof(header), "If-None-Match: %s", etag);
	http_call(&proc, &r, "GET", path, headers, NULL);
	assert_int_equal(r.status, 304);
	http_result_clear(&r);
	/* Another size is another image with another validator. */
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/qr.svg?size=9", cert_a);
	http_call(&proc, &r, "GET", path, headers, NULL);
	assert_int_equal(r.status, 200);
	assert_string_not_equal(r.etag, etag);
	http_result_clear(&r);
	/* The PNG of the same size differs from the SVG. */
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/qr.png", cert_a);
	http_call(&proc, &r, "GET", path, headers, NULL);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
}

static void test_size_and_margin_out_of_range_are_422(void **state)
{
	static const struct {
		const char *query, *field;
	} cases[] = {
	        {"?size=0", "size"},     {"?size=41", "size"},
	        {"?size=abc", "size"},   {"?size=", "size"},
	        {"?size=-1", "size"},    {"?margin=17", "margin"},
	        {"?margin=x", "margin"}, {"?size=8&margin=99", "margin"},
	};
	struct http_result r;
	char path[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/qr.png%s", cert_a,
		               cases[i].query);
		http_call(&proc, &r, "GET", path, NULL, NULL);
		assert_problem(&r, 422, cases[i].field, "range");
		http_result_clear(&r);
	}
	/* The bounds themselves draw. */
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/qr.svg?size=40&margin=0",
	               cert_a);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
}

static void expect_status(const struct test_identity *who, long long cert, long status)
{
	struct http_result r;
	char path[96];

	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/qr.svg", cert);
	http_call_as(&proc, who, &r, "GET", path, NULL, NULL);
	if (r.status != status)
		fail_msg("GET %s: %ld, expected %ld: %s", path, r.status, status, r.body);
	http_result_clear(&r);
}

static void test_who_gets_which_code(void **state)
{
	(void)state;
	expect_status(&self_a, cert_a, 200);
	expect_status(&self_a, cert_b, 404);
	expect_status(&hr_a, cert_b, 200);
	expect_status(&auditor_a, cert_a, 200);
	expect_status(&hr_b, cert_a, 404);
	expect_status(NULL, cert_a, 401);
	expect_status(&proc.admin, 999999, 404);
}

static void test_officer_code_decodes_to_its_own_certificate(void **state)
{
	char *url;

	(void)state;
	url = fetch_png_url(&self_a, cert_a, "?size=4");
	assert_signed_url(url, officer_a, number_a);
	free(url);
}

/* The whole path of a phone: the code decodes to a URL whose page tells the
 * truth (genuine, valid, the masked name only), and offline `tcard verify`
 * with the published key file says the signature holds. */
static void test_scanned_code_opens_the_page_and_verifies_offline(void **state)
{
	struct http_result r;
	char kid[16] = "", key_file[600], command[1200], out[1024];
	char *url;
	FILE *p;
	size_t len;

	(void)state;
	url = fetch_png_url(&self_a, cert_a, "");
	assert_signed_url(url, officer_a, number_a);
	http_call_as(&proc, NULL, &r, "GET", url + strlen(PUBLIC_URL), NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.content_type, "text/html"));
	assert_non_null(strstr(r.body, "有效"));
	assert_non_null(strstr(r.body, "张*明"));
	assert_null(strstr(r.body, "张三明"));
	assert_non_null(strstr(r.body, number_a));
	http_result_clear(&r);

	(void)snprintf(key_file, sizeof(key_file), "%s/keys/qr/current", proc.data_dir);
	p = fopen(key_file, "r");
	assert_non_null(p);
	assert_non_null(fgets(kid, sizeof(kid), p));
	(void)fclose(p);
	kid[strcspn(kid, "\r\n")] = '\0';
	(void)snprintf(key_file, sizeof(key_file), "%s/keys/qr/%s.pub", proc.data_dir, kid);
	(void)snprintf(command, sizeof(command), "%s verify '%s' --key '%s' 2>&1", TCARD_CLI_PATH,
	               url, key_file);
	p = popen(command, "r");
	assert_non_null(p);
	len = fread(out, 1, sizeof(out) - 1, p);
	out[len] = '\0';
	assert_int_equal(pclose(p), 0);
	assert_non_null(strstr(out, number_a));
	free(url);
}

/* A withdrawn certificate still has its code: the page tells the status. */
static void test_withdrawn_certificate_still_has_a_code(void **state)
{
	struct http_result r;
	char path[96];
	char *url;

	(void)state;
	(void)snprintf(path, sizeof(path), "/api/v1/certificates/%lld/status", cert_b);
	http_call(&proc, &r, "POST", path, NULL,
	          "{\"status\":\"withdrawn\",\"reason_category\":\"misconduct\"}");
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	url = fetch_png_url(&proc.admin, cert_b, "");
	assert_signed_url(url, officer_b, "粤梅2022000124");
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_png_decodes_to_the_signed_verification_url),
	        cmocka_unit_test(test_svg_decodes_to_the_same_url_as_the_png),
	        cmocka_unit_test(test_matching_if_none_match_answers_304),
	        cmocka_unit_test(test_size_and_margin_out_of_range_are_422),
	        cmocka_unit_test(test_who_gets_which_code),
	        cmocka_unit_test(test_officer_code_decodes_to_its_own_certificate),
	        cmocka_unit_test(test_scanned_code_opens_the_page_and_verifies_offline),
	        cmocka_unit_test(test_withdrawn_certificate_still_has_a_code),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
