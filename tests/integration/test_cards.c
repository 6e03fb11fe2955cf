/* test_cards.c — the printable training registration card (issue 6),
 * GET /cards/{officer}/{year}: one A4 HTML page with the officer's unit, the
 * year's records and hours exactly as the JSON card has them, the totals, the
 * status, the certificates and the live certificate's QR code as inline SVG;
 * every value escaped, no whole national ID; who may print whose card. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long city, unit_a, officer_a, officer_b, officer_c;
static struct test_identity hr_a, hr_b, auditor_a, self_a;
static int last_year;
static char national_id_a[19];

static const char *const tricky_title = "执法<b>规范</b> & \"案卷\"培训";

static int group_setup(void **state)
{
	long long county_a, county_b, session;
	struct http_result r;
	time_t now = time(NULL) + 8 * 3600;
	struct tm tm;
	char starts[40], ends[40], body[512];

	(void)state;
	(void)gmtime_r(&now, &tm);
	last_year = tm.tm_year + 1900 - 1; /* a year over: records fixed */
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	city = test_create_org(&proc, "cards-city", "梅州市司法局", "city", 0);
	county_a = test_create_org(&proc, "cards-a", "甲县", "county", city);
	county_b = test_create_org(&proc, "cards-b", "乙县", "county", city);
	unit_a = test_create_org(&proc, "cards-a-cg", "甲县城管局", "department", county_a);
	officer_a = test_create_officer(&proc, 8101, "王五明", unit_a);
	officer_b = test_create_officer(&proc, 8102, "赵六", unit_a);
	officer_c = test_create_officer(&proc, 8103, "钱七", unit_a);
	test_national_id(8101, national_id_a);
	(void)snprintf(starts, sizeof(starts), "%d-03-10T09:00:00+08:00", last_year);
	(void)snprintf(ends, sizeof(ends), "%d-03-10T12:00:00+08:00", last_year);
	session = test_create_session(&proc, "执法<b>规范</b> & \\\"案卷\\\"培训", unit_a, starts,
	                              ends, NULL);
	(void)test_register_attendance(&proc, session, officer_a);
	(void)snprintf(body, sizeof(body),
	               "{\"number\":\"粤梅2023000777\",\"officer_id\":%lld,\"issuing_org_id\":%lld,"
	               "\"domain\":\"城市管理\",\"issued_on\":\"2024-01-01\","
	               "\"expires_on\":\"2030-12-31\"}",
	               officer_a, city);
	http_call(&proc, &r, "POST", "/api/v1/certificates", NULL, body);
	if (r.status != 201)
		fail_msg("POST certificate: %ld %s", r.status, r.body);
	http_result_clear(&r);
	test_create_user(&proc, "cards.hr.a", "hr", county_a, 0, NULL, &hr_a);
	test_create_user(&proc, "cards.hr.b", "hr", county_b, 0, NULL, &hr_b);
	test_create_user(&proc, "cards.auditor.a", "auditor", county_a, 0, NULL, &auditor_a);
	test_create_user(&proc, "cards.self.a", "officer", 0, officer_a, NULL, &self_a);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

/* GET /cards/{officer}/{year} as who; fails unless status. */
static void get_card_page(const struct test_identity *who, long long officer, int year, long status,
                          struct http_result *r)
{
	char path[96];

	(void)snprintf(path, sizeof(path), "/cards/%lld/%d", officer, year);
	http_call_as(&proc, who, r, "GET", path, NULL, NULL);
	if (r->status != status)
		fail_msg("GET %s: %ld, expected %ld: %s", path, r->status, status, r->body);
}

/* The JSON card of the same officer and year, as the admin. */
static void get_card_json(long long officer, int year, struct http_result *r)
{
	char path[96];

	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld/card?year=%d", officer, year);
	http_call(&proc, r, "GET", path, NULL, NULL);
	assert_int_equal(r->status, 200);
}

static void test_card_page_shows_the_records_and_hours_of_the_json_card(void **state)
{
	struct http_result page, card;
	const json_t *record;
	char cell[96];

	(void)state;
	get_card_page(&proc.admin, officer_a, last_year, 200, &page);
	assert_string_equal(page.content_type, "text/html; charset=utf-8");
	assert_non_null(strstr(page.body, "<!DOCTYPE html>"));
	assert_non_null(strstr(page.body, "培训登记卡"));
	assert_non_null(strstr(page.body, "@page{size:A4"));
	assert_non_null(strstr(page.body, "王五明"));
	assert_non_null(strstr(page.body, "甲县城管局"));
	get_card_json(officer_a, last_year, &card);
	assert_int_equal(json_array_size(json_object_get(card.json, "records")), 1);
	record = json_array_get(json_object_get(card.json, "records"), 0);
	/* The record's hours and the counted total, as the JSON card has them. */
	(void)snprintf(cell, sizeof(cell), "<td class=\"n\">%s</td>",
	               test_json_str(record, "credited_hours"));
	assert_non_null(strstr(page.body, cell));
	assert_string_not_equal(test_json_str(record, "credited_hours"), "0.00");
	(void)snprintf(cell, sizeof(cell), "<th>合计 / Counted total</th><td class=\"n\">%s</td>",
	               test_json_str(card.json, "counted_hours"));
	assert_non_null(strstr(page.body, cell));
	(void)snprintf(cell, sizeof(cell), "%d-03-10", last_year);
	assert_non_null(strstr(page.body, cell));
	/* The status in both languages. */
	if (strcmp(test_json_str(card.json, "status"), "short") == 0)
		assert_non_null(strstr(page.body, "未达标 / short"));
	else if (strcmp(test_json_str(card.json, "status"), "met") == 0)
		assert_non_null(strstr(page.body, "达标 / met"));
	http_result_clear(&card);
	http_result_clear(&page);
}

static void test_card_page_escapes_every_value(void **state)
{
	struct http_result page;

	(void)state;
	get_card_page(&proc.admin, officer_a, last_year, 200, &page);
	assert_null(strstr(page.body, tricky_title));
	assert_null(strstr(page.body, "<b>"));
	assert_non_null(
	        strstr(page.body, "执法&lt;b&gt;规范&lt;/b&gt; &amp; &quot;案卷&quot;培训"));
	http_result_clear(&page);
}

static void test_card_page_has_the_live_certificate_qr_as_svg(void **state)
{
	struct http_result page;
	const char *svg;

	(void)state;
	get_card_page(&proc.admin, officer_a, last_year, 200, &page);
	svg = strstr(page.body, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	assert_non_null(svg);
	assert_non_null(strstr(svg, "<path fill=\"#000\" d=\"M"));
	assert_non_null(strstr(page.body, "粤梅2023000777"));
	assert_non_null(strstr(page.body, "有效 / valid"));
	http_result_clear(&page);
	/* Without a certificate: no code, and the page says so. */
	get_card_page(&proc.admin, officer_c, last_year, 200, &page);
	assert_null(strstr(page.body, "<svg"));
	assert_non_null(strstr(page.body, "无有效执法证"));
	assert_non_null(strstr(page.body, "本年度无培训记录"));
	http_result_clear(&page);
}

static void test_card_page_shows_no_whole_national_id(void **state)
{
	struct http_result page, officer;
	char path[64];

	(void)state;
	get_card_page(&proc.admin, officer_a, last_year, 200, &page);
	assert_null(strstr(page.body, national_id_a));
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", officer_a);
	http_call(&proc, &officer, "GET", path, NULL, NULL);
	assert_int_equal(officer.status, 200);
	assert_non_null(strstr(page.body, test_json_str(officer.json, "national_id_masked")));
	http_result_clear(&officer);
	http_result_clear(&page);
}

static void test_who_may_print_whose_card(void **state)
{
	struct http_result r;

	(void)state;
	get_card_page(&self_a, officer_a, last_year, 200, &r);
	http_result_clear(&r);
	get_card_page(&self_a, officer_b, last_year, 404, &r);
	http_result_clear(&r);
	get_card_page(&hr_a, officer_b, last_year, 200, &r);
	http_result_clear(&r);
	get_card_page(&auditor_a, officer_a, last_year, 200, &r);
	http_result_clear(&r);
	get_card_page(&hr_b, officer_a, last_year, 404, &r);
	http_result_clear(&r);
	get_card_page(NULL, officer_a, last_year, 401, &r);
	http_result_clear(&r);
	get_card_page(&proc.admin, 999999, last_year, 404, &r);
	http_result_clear(&r);
}

static void test_year_outside_2000_to_2099_is_404(void **state)
{
	struct http_result r;
	char path[64];

	(void)state;
	get_card_page(&proc.admin, officer_a, 1999, 404, &r);
	http_result_clear(&r);
	get_card_page(&proc.admin, officer_a, 2100, 404, &r);
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/cards/%lld/20x5", officer_a);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_int_equal(r.status, 404);
	http_result_clear(&r);
}

/* The page loads nothing from outside and runs no script. */
static void test_card_page_has_a_strict_content_security_policy(void **state)
{
	char request[512], csp[512];
	char *reply;

	(void)state;
	(void)snprintf(request, sizeof(request),
	               "GET /cards/%lld/%d HTTP/1.1\r\nHost: localhost\r\n"
	               "Authorization: Bearer %s\r\nConnection: close\r\n\r\n",
	               officer_a, last_year, proc.admin.bearer);
	reply = test_raw_exchange(proc.port, request, strlen(request), 5000);
	assert_non_null(reply);
	assert_int_equal(test_raw_status(reply), 200);
	assert_int_equal(test_raw_header(reply, "Content-Security-Policy", csp, sizeof(csp)), 1);
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_non_null(strstr(csp, "style-src 'sha256-"));
	assert_null(strstr(csp, "unsafe"));
	assert_null(strstr(test_raw_body(reply), "<script"));
	assert_null(strstr(test_raw_body(reply), "<link"));
	assert_null(strstr(test_raw_body(reply), "url("));
	assert_null(strstr(test_raw_body(reply), " src="));
	free(reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_card_page_shows_the_records_and_hours_of_the_json_card),
	        cmocka_unit_test(test_card_page_escapes_every_value),
	        cmocka_unit_test(test_card_page_has_the_live_certificate_qr_as_svg),
	        cmocka_unit_test(test_card_page_shows_no_whole_national_id),
	        cmocka_unit_test(test_who_may_print_whose_card),
	        cmocka_unit_test(test_year_outside_2000_to_2099_is_404),
	        cmocka_unit_test(test_card_page_has_a_strict_content_security_policy),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
