/* test_officers.c — /api/v1/officers against tcardd on a throwaway PostgreSQL: registering
 * (what the national ID yields, how it is shown), reading, listing with filters and cursor
 * pages, conditional PATCH (correct, move, change status), the history of changes, and every
 * kind of bad input, each of which must leave the database as it was. Last, that no national
 * ID the tests sent reached the logs or sits in the database in clear text (SECURITY.md 10).
 * One tcardd serves the whole file; each test makes its own organisations and uses its own
 * national-ID numbers, so the tests do not depend on order. */
#include "testlib.h"

#include "rules.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct tcardd_proc proc;
static PGconn *db;

/* Every national ID a test sent, valid or not: none may reach a log or sit in clear
 * text in the database. */
#define SENT_MAX 256
static char sent_ids[SENT_MAX][24];
static size_t sent_count;

/* ---- helpers ---- */

static void remember(const char *national_id)
{
	size_t i;

	for (i = 0; i < sent_count; i++)
		if (strcmp(sent_ids[i], national_id) == 0)
			return;
	assert_true(sent_count < SENT_MAX);
	(void)snprintf(sent_ids[sent_count++], sizeof(sent_ids[0]), "%s", national_id);
}

/* test_national_id(n), remembered as sent. */
static void national_id(unsigned n, char out[19])
{
	test_national_id(n, out);
	remember(out);
}

/* The first national ID from test_national_id(from), (from + 1), … whose check character
 * is X. */
static void national_id_ending_x(unsigned from, char out[19])
{
	unsigned n;

	for (n = from; n < from + 200; n++) {
		test_national_id(n, out);
		if (out[17] == 'X') {
			remember(out);
			return;
		}
	}
	fail_msg("no national ID with check character X from %u", from);
}

/* 441402 + birth (YYYYMMDD) + seq + the right check character, whatever the date. */
static void national_id_born(const char *birth, unsigned seq, char out[19])
{
	(void)snprintf(out, 19, "441402%.8s%03u", birth, seq % 1000);
	out[17] = rules_national_id_check_char(out);
	out[18] = '\0';
	assert_int_not_equal(out[17], 0);
	remember(out);
}

/* GETs prefix followed by id ("/api/v1/officers/" 12). */
static void get(struct http_result *r, const char *prefix, long long id, const char *suffix)
{
	char path[256];

	assert_true(snprintf(path, sizeof(path), "%s%lld%s", prefix, id, suffix) <
	            (int)sizeof(path));
	http_call(&proc, r, "GET", path, NULL, NULL);
}

/* The whole national ID is shown only when asked for (?reveal=national_id):
 * the plain read holds the masked form alone, the reveal holds expected. */
static void assert_revealed(long long officer, const char *expected)
{
	struct http_result r;

	get(&r, "/api/v1/officers/", officer, "");
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "national_id"));
	http_result_clear(&r);
	get(&r, "/api/v1/officers/", officer, "?reveal=national_id");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "national_id")), expected);
	http_result_clear(&r);
}

static void patch_officer(struct http_result *r, long long id, const char *if_match, json_t *body)
{
	char path[64];

	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", id);
	http_call_json(&proc, r, "PATCH", path, if_match, body);
}

/* A valid registration body (caller owns it) for national_id, name and org. */
static json_t *officer_body(const char *id, const char *name, long long org_id)
{
	json_t *body =
	        json_pack("{s:s, s:s, s:I, s:s, s:s}", "national_id", id, "name", name, "org_id",
	                  (json_int_t)org_id, "post", "执法队员", "hire_date", "2015-03-01");

	assert_non_null(body);
	return body;
}

/* Registers an officer from body (stolen) and returns its id. */
static long long create_officer(json_t *body)
{
	struct http_result r;
	long long id;

	http_call_json(&proc, &r, "POST", "/api/v1/officers", NULL, body);
	if (r.status != 201)
		fail_msg("creating an officer: %ld %s", r.status, r.body);
	id = json_integer_value(json_object_get(r.json, "id"));
	http_result_clear(&r);
	return id;
}

static const char *str(const json_t *doc, const char *key)
{
	const char *value = json_string_value(json_object_get(doc, key));

	if (value == NULL)
		fail_msg("no string member %s", key);
	return value;
}

static long long num(const json_t *doc, const char *key)
{
	const json_t *value = json_object_get(doc, key);

	if (!json_is_integer(value))
		fail_msg("no integer member %s", key);
	return json_integer_value(value);
}

static long long db_number(const char *sql, const char *param)
{
	char value[64];

	test_db_text(db, sql, param, value, sizeof(value));
	return atoll(value);
}

/* Today in China and a day later, as YYYY-MM-DD, from the database's clock. */
static void today(char out[16], int plus_days)
{
	char days[8];

	(void)snprintf(days, sizeof(days), "%d", plus_days);
	test_db_text(db,
	             "SELECT to_char((now() AT TIME ZONE 'Asia/Shanghai')::date + $1::int,"
	             " 'YYYY-MM-DD')",
	             days, out, 16);
}

/* What the officer tables hold, to prove a refused request changed nothing. */
struct officer_rows {
	long long officers, history;
	char fingerprint[40]; /* md5 over every officer row */
};

static void rows_now(struct officer_rows *rows)
{
	rows->officers = test_db_count(db, "SELECT count(*) FROM officer");
	rows->history = test_db_count(db, "SELECT count(*) FROM officer_history");
	test_db_text(
	        db, "SELECT md5(coalesce(string_agg(o::text, '|' ORDER BY id), '')) FROM officer o",
	        NULL, rows->fingerprint, sizeof(rows->fingerprint));
}

static void assert_rows_unchanged(const struct officer_rows *before)
{
	struct officer_rows now;

	rows_now(&now);
	assert_int_equal(now.officers, before->officers);
	assert_int_equal(now.history, before->history);
	assert_string_equal(now.fingerprint, before->fingerprint);
}

/* POSTs body (stolen) expecting a refusal with status on field/reason (either may be
 * NULL), and no change to the officer tables. */
static void assert_create_refused(json_t *body, long status, const char *field, const char *reason)
{
	struct officer_rows before;
	struct http_result r;

	rows_now(&before);
	http_call_json(&proc, &r, "POST", "/api/v1/officers", NULL, body);
	assert_problem(&r, status, field, reason);
	http_result_clear(&r);
	assert_rows_unchanged(&before);
}

/* As assert_create_refused for a PATCH of officer id with If-Match "*". */
static void assert_patch_refused(long long id, json_t *body, long status, const char *field,
                                 const char *reason)
{
	struct officer_rows before;
	struct http_result r;

	rows_now(&before);
	patch_officer(&r, id, "*", body);
	assert_problem(&r, status, field, reason);
	http_result_clear(&r);
	assert_rows_unchanged(&before);
}

static const json_t *item(const struct http_result *r, size_t i)
{
	return json_array_get(json_object_get(r->json, "items"), i);
}

static void list(struct http_result *r, const char *query)
{
	char path[512];

	assert_true(snprintf(path, sizeof(path), "/api/v1/officers?%s", query) < (int)sizeof(path));
	http_call(&proc, r, "GET", path, NULL, NULL);
	if (r->status != 200)
		fail_msg("GET %s: %ld %s", path, r->status, r->body);
}

/* The last entry of officer id's history (a copy the caller frees). */
static json_t *last_history(long long id)
{
	struct http_result r;
	json_t *entry;

	get(&r, "/api/v1/officers/", id, "/history");
	assert_true(test_items_count(&r) > 0);
	entry = json_deep_copy(item(&r, test_items_count(&r) - 1));
	http_result_clear(&r);
	return entry;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

/* ---- create and read ---- */

static void test_create_derives_gender_and_birth_date_and_masks_the_id(void **state)
{
	struct http_result r;
	char id[19], masked[19], birth[16], location[64], day[16], id_text[24], value[200];
	long long org = test_create_org(&proc, "create-org", "梅州市市场监督管理局", "city", 0);
	long long officer;

	(void)state;
	national_id_ending_x(7100, id); /* sequence 001: odd, a man */
	http_call_json(&proc, &r, "POST", "/api/v1/officers", NULL, officer_body(id, "张三", org));
	assert_int_equal(r.status, 201);
	assert_string_equal(r.content_type, "application/json");
	officer = num(r.json, "id");
	(void)snprintf(location, sizeof(location), "/api/v1/officers/%lld", officer);
	assert_string_equal(r.location, location);
	assert_string_equal(r.etag, "\"1\"");
	/* everyone sees first 6 + last 4; the whole ID only when revealed */
	assert_null(json_object_get(r.json, "national_id"));
	assert_revealed(officer, id);
	(void)snprintf(masked, sizeof(masked), "441402********%s", id + 14);
	assert_string_equal(str(r.json, "national_id_masked"), masked);
	assert_int_equal(masked[17], 'X');
	assert_string_equal(str(r.json, "gender"), "M");
	(void)snprintf(birth, sizeof(birth), "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
	assert_string_equal(str(r.json, "birth_date"), birth);
	assert_string_equal(str(r.json, "name"), "张三");
	assert_int_equal(num(json_object_get(r.json, "org"), "id"), org);
	assert_string_equal(str(json_object_get(r.json, "org"), "code"), "create-org");
	assert_string_equal(str(r.json, "kind"), "officer");
	assert_string_equal(str(r.json, "status"), "active");
	today(day, 0);
	assert_string_equal(str(r.json, "status_date"), day);
	assert_string_equal(str(r.json, "hire_date"), "2015-03-01");
	assert_string_equal(str(r.json, "post"), "执法队员");
	assert_int_equal(num(r.json, "version"), 1);
	http_result_clear(&r);

	/* the database agrees, and keeps the ID sealed, indexed and masked only */
	(void)snprintf(id_text, sizeof(id_text), "%lld", officer);
	test_db_text(db,
	             "SELECT national_id_masked || '/' || gender || '/' || birth_date || '/' ||"
	             " length(national_id_sealed) || '/' || length(national_id_index)"
	             " FROM officer WHERE id = $1",
	             id_text, value, sizeof(value));
	(void)snprintf(location, sizeof(location), "%s/M/%s/59/32", masked, birth);
	assert_string_equal(value, location);
	test_db_text(db,
	             "SELECT change || '/' || (after->>'national_id_masked') || '/' ||"
	             " (before IS NULL) FROM officer_history WHERE officer_id = $1",
	             id_text, value, sizeof(value));
	(void)snprintf(location, sizeof(location), "created/%s/true", masked);
	assert_string_equal(value, location);

	/* an even sequence digit is a woman */
	national_id_born("19920229", 124, id);
	http_call_json(&proc, &r, "POST", "/api/v1/officers", NULL, officer_body(id, "李四", org));
	assert_int_equal(r.status, 201);
	assert_string_equal(str(r.json, "gender"), "F");
	assert_string_equal(str(r.json, "birth_date"), "1992-02-29");
	http_result_clear(&r);
}

static void test_lower_case_x_check_digit_is_normalised_to_upper_case(void **state)
{
	struct http_result r;
	char upper[19], lower[19];
	long long org = test_create_org(&proc, "lower-x-org", "小写单位", "county", 0);
	long long officer;

	(void)state;
	national_id_ending_x(7300, upper);
	(void)snprintf(lower, sizeof(lower), "%.17sx", upper);
	remember(lower);
	http_call_json(&proc, &r, "POST", "/api/v1/officers", NULL,
	               officer_body(lower, "王五", org));
	assert_int_equal(r.status, 201);
	officer = num(r.json, "id");
	assert_int_equal(str(r.json, "national_id_masked")[17], 'X');
	http_result_clear(&r);
	assert_revealed(officer, upper);

	/* one person, whichever way the X was typed */
	assert_create_refused(officer_body(upper, "王五", org), 409, "national_id", "duplicate");
	{
		char query[64];

		(void)snprintf(query, sizeof(query), "q=%s", lower);
		list(&r, query);
		assert_int_equal(test_items_count(&r), 1);
		assert_int_equal(num(item(&r, 0), "id"), officer);
		http_result_clear(&r);
	}
}

static void test_get_returns_the_officer_with_etag_and_404_for_bad_ids(void **state)
{
	static const char *const missing[] = {"/api/v1/officers/987654321", "/api/v1/officers/abc",
	                                      "/api/v1/officers/0", "/api/v1/officers/-5",
	                                      "/api/v1/officers/007"};
	struct http_result r;
	char id[19];
	long long org = test_create_org(&proc, "get-org", "读取单位", "county", 0);
	long long officer;
	size_t i;

	(void)state;
	national_id(400, id);
	officer = create_officer(officer_body(id, "赵六", org));
	get(&r, "/api/v1/officers/", officer, "");
	assert_int_equal(r.status, 200);
	assert_int_equal(num(r.json, "id"), officer);
	assert_string_equal(str(r.json, "name"), "赵六");
	assert_string_equal(r.etag, "\"1\"");
	http_result_clear(&r);
	assert_revealed(officer, id);
	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		http_call(&proc, &r, "GET", missing[i], NULL, NULL);
		assert_problem(&r, 404, NULL, NULL);
		http_result_clear(&r);
	}
	http_call(&proc, &r, "GET", "/api/v1/officers/987654321/history", NULL, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	assert_patch_refused(987654321, json_pack("{s:s}", "name", "无此人"), 404, NULL, NULL);
}

/* ---- list ---- */

static void test_list_filters_by_org_subtree_status_kind_and_q(void **state)
{
	struct http_result r;
	char query[128], id[19], prefix[19];
	long long root, child, grandchild, sibling, in_root, in_child, in_grandchild, in_sibling;
	json_t *body;

	(void)state;
	root = test_create_org(&proc, "list-root", "列表市", "city", 0);
	child = test_create_org(&proc, "list-child", "列表区", "county", root);
	grandchild = test_create_org(&proc, "list-grandchild", "列表街道", "town", child);
	sibling = test_create_org(&proc, "list-sibling", "列表县", "county", root);

	national_id(500, id);
	in_root = create_officer(officer_body(id, "列表甲", root));
	national_id(501, id);
	body = officer_body(id, "列表乙", child);
	(void)json_object_set_new(body, "kind", json_string("auxiliary"));
	in_child = create_officer(body);
	national_id(502, id);
	body = officer_body(id, "列表丙", grandchild);
	(void)json_object_set_new(body, "status", json_string("retired"));
	(void)json_object_set_new(body, "status_date", json_string("2023-12-31"));
	in_grandchild = create_officer(body);
	national_id(503, id);
	in_sibling = create_officer(officer_body(id, "特别的名字", sibling));

	(void)snprintf(query, sizeof(query), "org=%lld", child);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, in_child));
	http_result_clear(&r);

	(void)snprintf(query, sizeof(query), "subtree=%lld", child);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 2);
	assert_true(test_items_hold(&r, in_child) && test_items_hold(&r, in_grandchild));
	http_result_clear(&r);

	(void)snprintf(query, sizeof(query), "subtree=%lld", root);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 4);
	assert_true(test_items_hold(&r, in_root) && test_items_hold(&r, in_sibling));
	/* lists never show whole IDs, not even to an admin */
	assert_null(json_object_get(item(&r, 0), "national_id"));
	assert_non_null(json_string_value(json_object_get(item(&r, 0), "national_id_masked")));
	http_result_clear(&r);

	(void)snprintf(query, sizeof(query), "subtree=%lld&status=retired", root);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, in_grandchild));
	assert_string_equal(str(item(&r, 0), "status_date"), "2023-12-31");
	http_result_clear(&r);

	(void)snprintf(query, sizeof(query), "subtree=%lld&kind=auxiliary", root);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, in_child));
	http_result_clear(&r);

	(void)snprintf(query, sizeof(query), "subtree=%lld&kind=officer&status=active", root);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 2);
	assert_true(test_items_hold(&r, in_root) && test_items_hold(&r, in_sibling));
	http_result_clear(&r);

	/* q: a fragment of the name (特别, URL-encoded) … */
	list(&r, "q=%E7%89%B9%E5%88%AB");
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, in_sibling));
	http_result_clear(&r);
	/* … LIKE wild cards in it are literal … */
	(void)snprintf(query, sizeof(query), "subtree=%lld&q=%%25", root);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 0);
	http_result_clear(&r);
	/* … or a whole national ID, matched exactly */
	(void)snprintf(query, sizeof(query), "q=%s", id);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, in_sibling));
	http_result_clear(&r);
	/* a part of an ID finds nobody: IDs cannot be enumerated by prefix */
	(void)snprintf(prefix, sizeof(prefix), "%.14s", id);
	(void)snprintf(query, sizeof(query), "q=%s", prefix);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 0);
	http_result_clear(&r);

	/* bad filter values are field errors */
	http_call(&proc, &r, "GET", "/api/v1/officers?status=asleep", NULL, NULL);
	assert_problem(&r, 422, "status", "choice");
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/officers?kind=robot", NULL, NULL);
	assert_problem(&r, 422, "kind", "choice");
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/officers?org=987654321", NULL, NULL);
	assert_problem(&r, 422, "org", "unknown");
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/officers?subtree=abc", NULL, NULL);
	assert_problem(&r, 422, "subtree", "id");
	http_result_clear(&r);
}

static void test_list_pages_return_every_officer_exactly_once(void **state)
{
	struct http_result r;
	char query[256], cursor[128] = "", id[19];
	long long org, expected[6], seen[12];
	int pages = 0, n = 0, i;

	(void)state;
	org = test_create_org(&proc, "pages-org", "分页单位", "county", 0);
	for (i = 0; i < 6; i++) {
		national_id(600 + (unsigned)i, id);
		expected[i] = create_officer(officer_body(id, "分页人员", org));
	}
	/* 6 rows in pages of 4: 4 + 2 */
	do {
		if (cursor[0] != '\0')
			(void)snprintf(query, sizeof(query), "org=%lld&limit=4&cursor=%s", org,
			               cursor);
		else
			(void)snprintf(query, sizeof(query), "org=%lld&limit=4", org);
		list(&r, query);
		for (i = 0; i < (int)test_items_count(&r); i++) {
			assert_true(n < 12);
			seen[n++] = num(item(&r, (size_t)i), "id");
		}
		if (json_is_string(json_object_get(r.json, "next_cursor")))
			(void)snprintf(cursor, sizeof(cursor), "%s",
			               json_string_value(json_object_get(r.json, "next_cursor")));
		else
			cursor[0] = '\0';
		http_result_clear(&r);
		assert_true(++pages <= 4);
	} while (cursor[0] != '\0');
	assert_int_equal(pages, 2);
	assert_int_equal(n, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(seen[i], expected[i]);

	/* pages of 3 end exactly on the last row: a third, empty page closes the walk */
	(void)snprintf(query, sizeof(query), "org=%lld&limit=3", org);
	list(&r, query);
	(void)snprintf(cursor, sizeof(cursor), "%s",
	               json_string_value(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);
	(void)snprintf(query, sizeof(query), "org=%lld&limit=3&cursor=%s", org, cursor);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 3);
	assert_int_equal(num(item(&r, 0), "id"), expected[3]);
	(void)snprintf(cursor, sizeof(cursor), "%s",
	               json_string_value(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);
	(void)snprintf(query, sizeof(query), "org=%lld&limit=3&cursor=%s", org, cursor);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 0);
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);

	http_call(&proc, &r, "GET", "/api/v1/officers?cursor=not*base64", NULL, NULL);
	assert_problem(&r, 422, "cursor", "invalid");
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/officers?limit=0", NULL, NULL);
	assert_problem(&r, 422, "limit", "range");
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/officers?limit=501", NULL, NULL);
	assert_problem(&r, 422, "limit", "range");
	http_result_clear(&r);
}

/* ---- conditional update ---- */

static void test_patch_without_if_match_is_428_and_changes_nothing(void **state)
{
	struct officer_rows before;
	struct http_result r;
	char id[19];
	long long org = test_create_org(&proc, "patch-428-org", "条件单位", "county", 0);
	long long officer;

	(void)state;
	national_id(700, id);
	officer = create_officer(officer_body(id, "原名", org));
	rows_now(&before);
	patch_officer(&r, officer, NULL, json_pack("{s:s}", "name", "新名"));
	assert_problem(&r, 428, NULL, NULL);
	http_result_clear(&r);
	assert_rows_unchanged(&before);
}

static void test_patch_with_stale_etag_is_412_and_changes_nothing(void **state)
{
	struct officer_rows before;
	struct http_result r;
	char id[19];
	long long org = test_create_org(&proc, "patch-412-org", "条件单位", "county", 0);
	long long officer;

	(void)state;
	national_id(710, id);
	officer = create_officer(officer_body(id, "原名", org));
	patch_officer(&r, officer, "\"1\"", json_pack("{s:s}", "post", "科员"));
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	rows_now(&before);
	patch_officer(&r, officer, "\"1\"", json_pack("{s:s}", "name", "新名"));
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	patch_officer(&r, officer, "\"3\"", json_pack("{s:s}", "name", "新名"));
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	assert_rows_unchanged(&before);
}

static void test_patch_corrects_name_post_and_kind_and_bumps_version(void **state)
{
	struct http_result r;
	char id[19];
	long long org = test_create_org(&proc, "patch-ok-org", "更正单位", "county", 0);
	long long officer;
	json_t *entry;

	(void)state;
	national_id(720, id);
	officer = create_officer(officer_body(id, "错名", org));
	patch_officer(&r, officer, "\"1\"",
	              json_pack("{s:s, s:s, s:s}", "name", "正名", "post", "法制员", "kind",
	                        "auxiliary"));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.etag, "\"2\"");
	assert_int_equal(num(r.json, "version"), 2);
	assert_string_equal(str(r.json, "name"), "正名");
	assert_string_equal(str(r.json, "post"), "法制员");
	assert_string_equal(str(r.json, "kind"), "auxiliary");
	/* untouched fields stay */
	assert_string_equal(str(r.json, "hire_date"), "2015-03-01");
	assert_string_equal(str(r.json, "status"), "active");
	http_result_clear(&r);
	assert_revealed(officer, id);

	get(&r, "/api/v1/officers/", officer, "");
	assert_string_equal(str(r.json, "name"), "正名");
	assert_string_equal(r.etag, "\"2\"");
	http_result_clear(&r);

	entry = last_history(officer);
	assert_string_equal(str(entry, "change"), "updated");
	assert_string_equal(str(json_object_get(entry, "before"), "name"), "错名");
	assert_string_equal(str(json_object_get(entry, "after"), "name"), "正名");
	assert_string_equal(str(json_object_get(entry, "after"), "kind"), "auxiliary");
	/* only what changed is recorded */
	assert_null(json_object_get(json_object_get(entry, "after"), "org_id"));
	json_decref(entry);
}

static void test_revealing_a_national_id_is_audited_and_asked_for_by_name(void **state)
{
	char id[19], path[96], target[24];
	long long org = test_create_org(&proc, "reveal-org", "亮证单位", "county", 0);
	long long officer, reveals;
	struct http_result r;

	(void)state;
	national_id(4600, id);
	officer = create_officer(officer_body(id, "亮证", org));
	(void)snprintf(target, sizeof(target), "%lld", officer);
	reveals = test_db_countf(db,
	                         "SELECT count(*) FROM audit_log WHERE action ="
	                         " 'officer.national_id_reveal' AND target_id = '%s'",
	                         target);
	assert_revealed(officer, id);
	/* one entry per reveal, with who asked, scoped to the officer's unit, and no ID in it */
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM audit_log WHERE action ="
	                                " 'officer.national_id_reveal' AND target_id = '%s'"
	                                " AND actor = 'admin' AND org_path IS NOT NULL"
	                                " AND before IS NULL AND after IS NULL",
	                                target),
	                 reveals + 1);
	/* only national_id can be revealed; a missing officer reveals nothing and audits nothing */
	get(&r, "/api/v1/officers/", officer, "?reveal=name");
	assert_problem(&r, 422, "reveal", "unknown");
	http_result_clear(&r);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld?reveal=national_id",
	               officer + 100000);
	http_call(&proc, &r, "GET", path, NULL, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	assert_int_equal(
	        test_db_countf(db,
	                       "SELECT count(*) FROM audit_log WHERE action ="
	                       " 'officer.national_id_reveal' AND target_id IN ('%s', '%lld')",
	                       target, officer + 100000),
	        reveals + 1);
	assert_false(test_file_contains(proc.log_path, id));
}

/* The officer's current year is evaluated in the transaction that creates or
 * changes the officer (schema 005 marks it stale, hours_store evaluates it). */
static void test_officer_year_is_evaluated_when_created_and_when_it_leaves(void **state)
{
	long long org = test_create_org(&proc, "year-org", "学时单位", "county", 0);
	long long officer, year = test_db_count(db, "SELECT extract(year FROM now() AT TIME ZONE"
	                                            " 'Asia/Shanghai')::int");
	char id[19], sql[512], status_date[16];
	struct http_result r;

	(void)state;
	national_id(4700, id);
	officer = create_officer(officer_body(id, "学时", org));
	(void)snprintf(sql, sizeof(sql),
	               "SELECT count(*) FROM officer_year_status WHERE officer_id = %lld"
	               " AND year = %lld AND NOT stale AND counted_units = 0"
	               " AND required_units = 60 * 36000 AND status IN ('at_risk', 'short')"
	               " AND shortfalls @> '[{\"kind\": \"total\", \"missing_units\": 2160000}]'",
	               officer, year);
	assert_int_equal(test_db_count(db, sql), 1);

	/* Retired on 1 January: not one whole month in post this year, so exempt. */
	(void)snprintf(status_date, sizeof(status_date), "%lld-01-01", year);
	patch_officer(&r, officer, "\"1\"",
	              json_pack("{s:s, s:s}", "status", "retired", "status_date", status_date));
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	(void)snprintf(sql, sizeof(sql),
	               "SELECT count(*) FROM officer_year_status WHERE officer_id = %lld"
	               " AND year = %lld AND NOT stale AND status = 'exempt'"
	               " AND required_units = 0 AND shortfalls = '[]'",
	               officer, year);
	assert_int_equal(test_db_count(db, sql), 1);
}

static void test_status_change_defaults_status_date_to_today_and_is_recorded(void **state)
{
	struct http_result r;
	char id[19], day[16], request_id[80];
	long long org = test_create_org(&proc, "status-org", "状态单位", "county", 0);
	long long officer;
	json_t *body, *entry;

	(void)state;
	today(day, 0);
	national_id(730, id);
	body = officer_body(id, "退休人员", org);
	(void)json_object_set_new(body, "status_date", json_string("2020-01-01"));
	officer = create_officer(body);

	/* the same status again is no status change: the date stays */
	patch_officer(&r, officer, "*",
	              json_pack("{s:s, s:s}", "status", "active", "post", "岗位"));
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "status_date"), "2020-01-01");
	http_result_clear(&r);

	patch_officer(&r, officer, "\"2\"", json_pack("{s:s}", "status", "retired"));
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "status"), "retired");
	assert_string_equal(str(r.json, "status_date"), day);
	assert_int_equal(num(r.json, "version"), 3);
	(void)snprintf(request_id, sizeof(request_id), "%s", r.request_id);
	http_result_clear(&r);
	entry = last_history(officer);
	assert_string_equal(str(entry, "change"), "status");
	/* the entry names the request that made the change */
	assert_string_equal(str(entry, "request_id"), request_id);
	assert_string_equal(str(json_object_get(entry, "before"), "status"), "active");
	assert_string_equal(str(json_object_get(entry, "before"), "status_date"), "2020-01-01");
	assert_string_equal(str(json_object_get(entry, "after"), "status"), "retired");
	assert_string_equal(str(json_object_get(entry, "after"), "status_date"), day);
	assert_string_equal(str(entry, "actor"), "admin");
	json_decref(entry);

	/* a status date may not lie ahead either */
	assert_patch_refused(
	        officer,
	        json_pack("{s:s, s:s}", "status", "dismissed", "status_date", "2999-01-01"), 422,
	        "status_date", "future");
	/* a given date wins */
	patch_officer(
	        &r, officer, "\"3\"",
	        json_pack("{s:s, s:s}", "status", "transferred", "status_date", "2021-05-01"));
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "status_date"), "2021-05-01");
	http_result_clear(&r);
}

static void test_patch_national_id_is_revalidated_and_rederives_gender_and_birth(void **state)
{
	struct http_result r;
	char old_id[19], new_id[19], bad[19], query[64], masked[19];
	long long org = test_create_org(&proc, "reid-org", "改号单位", "county", 0);
	long long officer;
	json_t *entry;

	(void)state;
	national_id_born("19880808", 222, old_id); /* a woman */
	officer = create_officer(officer_body(old_id, "改号人员", org));

	national_id_born("19770707", 333, bad);
	bad[17] = bad[17] == '1' ? '2' : '1';
	remember(bad);
	assert_patch_refused(officer, json_pack("{s:s}", "national_id", bad), 422, "national_id",
	                     "check_digit");
	remember("44140219900230123");
	assert_patch_refused(officer, json_pack("{s:s}", "national_id", "44140219900230123"), 422,
	                     "national_id", "length");

	/* the new ID's birth date must still precede the stored hire date (2015-03-01) */
	national_id_born("20160101", 444, bad);
	assert_patch_refused(officer, json_pack("{s:s}", "national_id", bad), 422, "hire_date",
	                     "before_birth");

	national_id_born("19770707", 333, new_id); /* a man */
	patch_officer(&r, officer, "\"1\"", json_pack("{s:s}", "national_id", new_id));
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "national_id"));
	(void)snprintf(masked, sizeof(masked), "441402********%s", new_id + 14);
	assert_string_equal(str(r.json, "national_id_masked"), masked);
	assert_string_equal(str(r.json, "gender"), "M");
	assert_string_equal(str(r.json, "birth_date"), "1977-07-07");
	http_result_clear(&r);
	assert_revealed(officer, new_id);

	/* the blind index follows: the new ID finds the officer, the old one nobody */
	(void)snprintf(query, sizeof(query), "q=%s", new_id);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 1);
	assert_int_equal(num(item(&r, 0), "id"), officer);
	http_result_clear(&r);
	(void)snprintf(query, sizeof(query), "q=%s", old_id);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 0);
	http_result_clear(&r);

	/* history holds the masked forms only */
	entry = last_history(officer);
	assert_string_equal(str(entry, "change"), "updated");
	assert_string_equal(str(json_object_get(entry, "after"), "national_id_masked"), masked);
	assert_null(json_object_get(json_object_get(entry, "after"), "national_id"));
	json_decref(entry);
}

static void test_patch_org_id_moves_the_officer_and_history_says_moved(void **state)
{
	struct http_result r;
	char id[19], text[24], path[64], expected[64];
	long long from = test_create_org(&proc, "move-from-org", "调出单位", "county", 0);
	long long parent = test_create_org(&proc, "move-to-parent", "调入上级", "city", 0);
	long long to = test_create_org(&proc, "move-to-org", "调入单位", "county", parent);
	long long officer;
	json_t *entry;

	(void)state;
	national_id(740, id);
	officer = create_officer(officer_body(id, "调动人员", from));
	patch_officer(&r, officer, "\"1\"", json_pack("{s:I}", "org_id", (json_int_t)to));
	assert_int_equal(r.status, 200);
	assert_int_equal(num(json_object_get(r.json, "org"), "id"), to);
	assert_string_equal(str(json_object_get(r.json, "org"), "code"), "move-to-org");
	http_result_clear(&r);

	/* its scope path in the database is the new org's */
	(void)snprintf(text, sizeof(text), "%lld", officer);
	test_db_text(db, "SELECT org_path::text FROM officer WHERE id = $1", text, path,
	             sizeof(path));
	(void)snprintf(expected, sizeof(expected), "%lld.%lld", parent, to);
	assert_string_equal(path, expected);

	entry = last_history(officer);
	assert_string_equal(str(entry, "change"), "moved");
	assert_int_equal(num(json_object_get(entry, "before"), "org_id"), from);
	assert_int_equal(num(json_object_get(entry, "after"), "org_id"), to);
	json_decref(entry);

	/* it lists under its new org only */
	get(&r, "/api/v1/officers?subtree=", parent, "");
	assert_true(test_items_hold(&r, officer));
	http_result_clear(&r);
	get(&r, "/api/v1/officers?org=", from, "");
	assert_false(test_items_hold(&r, officer));
	http_result_clear(&r);

	/* an unknown org is a field error, and nothing moves */
	assert_patch_refused(officer, json_pack("{s:I}", "org_id", (json_int_t)987654321), 422,
	                     "org_id", "unknown");
}

static void test_history_lists_every_change_in_order_with_pages(void **state)
{
	struct http_result r;
	char id[19], query[128], cursor[96];
	long long org = test_create_org(&proc, "history-org", "历史单位", "county", 0);
	long long other = test_create_org(&proc, "history-other", "历史他处", "county", 0);
	long long officer;

	(void)state;
	national_id(750, id);
	officer = create_officer(officer_body(id, "历史人员", org));
	patch_officer(&r, officer, "\"1\"", json_pack("{s:s}", "name", "历史人员乙"));
	http_result_clear(&r);
	patch_officer(&r, officer, "\"2\"", json_pack("{s:I}", "org_id", (json_int_t)other));
	http_result_clear(&r);
	patch_officer(&r, officer, "\"3\"", json_pack("{s:s}", "status", "resigned"));
	http_result_clear(&r);
	/* a PATCH that changes nothing tracked leaves no entry */
	patch_officer(&r, officer, "\"4\"", json_pack("{s:s}", "name", "历史人员乙"));
	assert_int_equal(r.status, 200);
	http_result_clear(&r);

	get(&r, "/api/v1/officers/", officer, "/history");
	assert_int_equal(test_items_count(&r), 4);
	assert_string_equal(str(item(&r, 0), "change"), "created");
	assert_true(json_is_null(json_object_get(item(&r, 0), "before")));
	assert_string_equal(str(item(&r, 1), "change"), "updated");
	assert_string_equal(str(item(&r, 2), "change"), "moved");
	assert_string_equal(str(item(&r, 3), "change"), "status");
	assert_non_null(json_string_value(json_object_get(item(&r, 3), "request_id")));
	http_result_clear(&r);

	(void)snprintf(query, sizeof(query), "/history?limit=3");
	get(&r, "/api/v1/officers/", officer, query);
	assert_int_equal(test_items_count(&r), 3);
	(void)snprintf(cursor, sizeof(cursor), "%s",
	               json_string_value(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);
	(void)snprintf(query, sizeof(query), "/history?limit=3&cursor=%s", cursor);
	get(&r, "/api/v1/officers/", officer, query);
	assert_int_equal(test_items_count(&r), 1);
	assert_string_equal(str(item(&r, 0), "change"), "status");
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);
}

/* ---- bad input: the right answer, and no change ---- */

static void test_malformed_json_is_400_and_changes_nothing(void **state)
{
	static const char *const bodies[] = {
	        "{\"name\": ",                                   /* cut short */
	        "[1, 2]",                                        /* not an object */
	        "{\"name\":\"a\",\"name\":\"b\"}",               /* duplicate key */
	        "{\"name\":\"\xff\xfe\"}",                       /* not UTF-8 */
	        "",                                              /* empty */
	        "{\"a\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}", /* deeper than 16 */
	};
	struct officer_rows before;
	struct http_result r;
	size_t i;

	(void)state;
	rows_now(&before);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		http_call(&proc, &r, "POST", "/api/v1/officers", NULL, bodies[i]);
		if (r.status != 400)
			fail_msg("body %zu: %ld %s", i, r.status, r.body);
		assert_problem(&r, 400, NULL, NULL);
		http_result_clear(&r);
	}
	assert_rows_unchanged(&before);
}

/* SECURITY.md 10: a national ID never appears in an error body. A client that sends one
 * inside broken JSON must not get it back in the problem's detail.
 * KNOWN BUG, fails until fixed: server/json_in.c json_in_parse() puts Jansson's
 * error.text into the detail, and that text quotes the offending token ("premature end
 * of input near '"44140219…X}'", "unexpected newline near '"44140219…X'"). Fix there:
 * report line and column with a fixed message (json_error_code()), never error.text. */
static void test_malformed_json_reply_does_not_echo_a_national_id(void **state)
{
	/* the broken body around the ID: before it, after it */
	static const char *const shapes[][2] = {
	        {"{\"national_id\": \"", "}"},               /* string never closed */
	        {"{\"national_id\": \"", "\n\"}"},           /* raw newline in the string */
	        {"{\"national_id\": \"", "\" \"name\": 1}"}, /* comma missing */
	};
	struct http_result r;
	char id[19], body[128], detail[512];
	size_t i;

	(void)state;
	national_id(1800, id);
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		(void)snprintf(body, sizeof(body), "%s%s%s", shapes[i][0], id, shapes[i][1]);
		http_call(&proc, &r, "POST", "/api/v1/officers", NULL, body);
		assert_problem(&r, 400, NULL, NULL);
		(void)snprintf(detail, sizeof(detail), "%s",
		               strstr(r.body, id) != NULL ? r.body : "");
		http_result_clear(&r);
		if (detail[0] != '\0')
			fail_msg("the 400 reply quotes the national ID: %s", detail);
	}
}

static void test_wrong_types_are_422_type_all_at_once(void **state)
{
	struct http_result r;
	struct officer_rows before;
	long long org = test_create_org(&proc, "types-org", "类型单位", "county", 0);

	(void)state;
	remember("44140219800101000X");
	rows_now(&before);
	http_call_json(&proc, &r, "POST", "/api/v1/officers", NULL,
	               json_pack("{s:i, s:[s], s:s, s:i, s:b}", "national_id", 44140219, "name",
	                         "张三", "org_id", "1", "hire_date", 20150301, "post", 1));
	assert_problem(&r, 422, "national_id", "type");
	assert_problem(&r, 422, "name", "type");
	assert_problem(&r, 422, "org_id", "type");
	assert_problem(&r, 422, "hire_date", "type");
	assert_problem(&r, 422, "post", "type");
	http_result_clear(&r);
	/* a float is not an integer id */
	http_call_json(&proc, &r, "POST", "/api/v1/officers", NULL,
	               json_pack("{s:s, s:s, s:f}", "national_id", "44140219800101000X", "name",
	                         "张三", "org_id", (double)org));
	assert_problem(&r, 422, "org_id", "type");
	http_result_clear(&r);
	assert_rows_unchanged(&before);
}

static void test_unknown_field_is_422_unknown_field(void **state)
{
	char id[19];
	long long org = test_create_org(&proc, "unknown-field-org", "字段单位", "county", 0);
	long long officer;
	json_t *body;

	(void)state;
	national_id(800, id);
	body = officer_body(id, "多字段", org);
	(void)json_object_set_new(body, "version", json_integer(7));
	assert_create_refused(body, 422, "version", "unknown_field");
	body = officer_body(id, "多字段", org);
	(void)json_object_set_new(body, "national_id_masked", json_string("000000********0000"));
	assert_create_refused(body, 422, "national_id_masked", "unknown_field");

	national_id(801, id);
	officer = create_officer(officer_body(id, "多字段", org));
	assert_patch_refused(officer, json_pack("{s:s, s:s}", "name", "新名", "gender", "M"), 422,
	                     "gender", "unknown_field");
}

static void test_missing_required_fields_are_all_reported_at_once(void **state)
{
	struct officer_rows before;
	struct http_result r;

	(void)state;
	rows_now(&before);
	http_call_json(&proc, &r, "POST", "/api/v1/officers", NULL,
	               json_pack("{s:s}", "post", "科员"));
	assert_problem(&r, 422, "national_id", "required");
	assert_problem(&r, 422, "name", "required");
	assert_problem(&r, 422, "org_id", "required");
	assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 3);
	http_result_clear(&r);
	/* blank or null counts as missing */
	http_call_json(&proc, &r, "POST", "/api/v1/officers", NULL,
	               json_pack("{s:s, s:s, s:n}", "national_id", "   ", "name", "", "org_id"));
	assert_problem(&r, 422, "national_id", "required");
	assert_problem(&r, 422, "name", "required");
	assert_problem(&r, 422, "org_id", "required");
	http_result_clear(&r);
	assert_rows_unchanged(&before);
}

static void test_invalid_national_ids_are_422_with_a_reason(void **state)
{
	struct {
		char id[24];
		const char *reason;
	} cases[8];
	char valid[19];
	long long org = test_create_org(&proc, "bad-id-org", "号码单位", "county", 0);
	size_t i, n = 0;

	(void)state;
	national_id(900, valid);
	(void)snprintf(cases[n].id, sizeof(cases[n].id), "%.17s%c", valid,
	               valid[17] == '1' ? '2' : '1');
	cases[n++].reason = "check_digit";
	national_id_born("19900230", 123, cases[n].id); /* right check character, no such day */
	cases[n++].reason = "birth_date";
	national_id_born("19891301", 123, cases[n].id); /* month 13 */
	cases[n++].reason = "birth_date";
	national_id_born("20990101", 123, cases[n].id); /* born in the future */
	cases[n++].reason = "birth_date";
	(void)snprintf(cases[n].id, sizeof(cases[n].id), "%.17s", valid);
	cases[n++].reason = "length";
	(void)snprintf(cases[n].id, sizeof(cases[n].id), "%.6sAB%.10s", valid, valid + 8);
	cases[n++].reason = "charset";
	(void)snprintf(cases[n].id, sizeof(cases[n].id), "%.17sY", valid);
	cases[n++].reason = "charset";
	(void)snprintf(cases[n].id, sizeof(cases[n].id), "00%.16s", valid + 2);
	cases[n++].reason = "region";
	for (i = 0; i < n; i++) {
		remember(cases[i].id);
		assert_create_refused(officer_body(cases[i].id, "号码错", org), 422, "national_id",
		                      cases[i].reason);
	}
	/* 19 characters: too long, whatever else */
	(void)snprintf(cases[0].id, sizeof(cases[0].id), "%s1", valid);
	remember(cases[0].id);
	assert_create_refused(officer_body(cases[0].id, "号码错", org), 422, "national_id", NULL);
}

static void test_duplicate_national_id_is_409(void **state)
{
	char id[19];
	long long org = test_create_org(&proc, "dup-id-org", "重号单位", "county", 0);
	long long other;

	(void)state;
	national_id(1000, id);
	(void)create_officer(officer_body(id, "先登记", org));
	assert_create_refused(officer_body(id, "后登记", org), 409, "national_id", "duplicate");
	/* giving another officer the same ID conflicts too */
	{
		char other_id[19];

		national_id(1001, other_id);
		other = create_officer(officer_body(other_id, "另一人", org));
	}
	assert_patch_refused(other, json_pack("{s:s}", "national_id", id), 409, "national_id",
	                     "duplicate");
}

static void test_unknown_org_is_422_on_org_id(void **state)
{
	char id[19];

	(void)state;
	national_id(1100, id);
	assert_create_refused(officer_body(id, "无单位", 987654321), 422, "org_id", "unknown");
}

static void test_dates_in_the_future_or_before_birth_are_422(void **state)
{
	char id[19], tomorrow[16], day[16];
	long long org = test_create_org(&proc, "dates-org", "日期单位", "county", 0);
	long long officer;
	json_t *body;

	(void)state;
	today(tomorrow, 1);
	today(day, 0);
	national_id(1200, id);
	body = officer_body(id, "日期", org);
	(void)json_object_set_new(body, "hire_date", json_string(tomorrow));
	assert_create_refused(body, 422, "hire_date", "future");
	body = officer_body(id, "日期", org);
	(void)json_object_set_new(body, "hire_date", json_string("1979-12-31"));
	assert_create_refused(body, 422, "hire_date", "before_birth");
	body = officer_body(id, "日期", org);
	(void)json_object_set_new(body, "status_date", json_string(tomorrow));
	assert_create_refused(body, 422, "status_date", "future");
	body = officer_body(id, "日期", org);
	(void)json_object_set_new(body, "hire_date", json_string("2015-02-29"));
	assert_create_refused(body, 422, "hire_date", "date");

	/* today itself is fine */
	body = officer_body(id, "日期", org);
	(void)json_object_set_new(body, "hire_date", json_string(day));
	officer = create_officer(body);
	assert_patch_refused(officer, json_pack("{s:s}", "hire_date", tomorrow), 422, "hire_date",
	                     "future");
	/* only hire_date in the PATCH: the stored birth date still bounds it */
	assert_patch_refused(officer, json_pack("{s:s}", "hire_date", "1975-01-01"), 422,
	                     "hire_date", "before_birth");
}

static void test_bad_status_and_kind_values_are_422(void **state)
{
	char id[19];
	long long org = test_create_org(&proc, "status-bad-org", "状态单位", "county", 0);
	long long officer;
	json_t *body;

	(void)state;
	national_id(1300, id);
	body = officer_body(id, "状态", org);
	(void)json_object_set_new(body, "status", json_string("fired"));
	assert_create_refused(body, 422, "status", "choice");
	body = officer_body(id, "状态", org);
	(void)json_object_set_new(body, "kind", json_string("volunteer"));
	assert_create_refused(body, 422, "kind", "choice");
	officer = create_officer(officer_body(id, "状态", org));
	assert_patch_refused(officer, json_pack("{s:s}", "status", "Active"), 422, "status",
	                     "choice");
	assert_patch_refused(officer, json_pack("{s:n}", "status"), 422, "status", NULL);
}

static void test_name_over_50_characters_is_422_counted_in_characters(void **state)
{
	static const char one[] = "名"; /* 3 bytes of UTF-8 */
	char id[19], name[52 * 3];
	long long org = test_create_org(&proc, "name-org", "姓名单位", "county", 0);
	long long officer;
	size_t i;

	(void)state;
	/* 50 Chinese characters are 150 bytes, and allowed */
	for (i = 0; i < 51; i++)
		memcpy(name + i * 3, one, 3);
	name[50 * 3] = '\0';
	national_id(1400, id);
	officer = create_officer(officer_body(id, name, org));
	assert_true(officer > 0);
	memcpy(name + 50 * 3, one, 3);
	name[51 * 3] = '\0';
	national_id(1401, id);
	assert_create_refused(officer_body(id, name, org), 422, "name", "too_long");
	assert_patch_refused(officer, json_pack("{s:s}", "name", name), 422, "name", "too_long");
	/* a control character has no place in a name */
	assert_create_refused(officer_body(id, "张\n三", org), 422, "name", "control_character");
}

static void test_text_plain_body_is_415(void **state)
{
	static const char *const headers[] = {"Content-Type: text/plain", NULL};
	static const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	struct officer_rows before;
	struct http_result r;
	char id[19], body[256];
	long long org = test_create_org(&proc, "plain-org", "文本单位", "county", 0);

	(void)state;
	national_id(1500, id);
	(void)snprintf(body, sizeof(body),
	               "{\"national_id\":\"%s\",\"name\":\"文本\",\"org_id\":%lld}", id, org);
	rows_now(&before);
	http_call(&proc, &r, "POST", "/api/v1/officers", headers, body);
	assert_problem(&r, 415, NULL, NULL);
	http_result_clear(&r);
	http_call(&proc, &r, "POST", "/api/v1/officers", form, body);
	assert_problem(&r, 415, NULL, NULL);
	http_result_clear(&r);
	assert_rows_unchanged(&before);
	/* the same body as JSON is accepted: the type alone was at fault */
	http_call(&proc, &r, "POST", "/api/v1/officers", NULL, body);
	assert_int_equal(r.status, 201);
	http_result_clear(&r);
}

/* Over 1 MiB is 413 before the body is read: the head alone is sent (libcurl,
 * still sending a body the server no longer reads, would fail at random). */
static void test_body_over_1_mib_is_413(void **state)
{
	struct officer_rows before;
	char head[512], *reply;

	(void)state;
	(void)snprintf(head, sizeof(head),
	               "POST /api/v1/officers HTTP/1.1\r\nHost: t\r\n"
	               "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
	               "Content-Length: %d\r\nConnection: close\r\n\r\n",
	               proc.admin.bearer, 1024 * 1024 + 64);
	rows_now(&before);
	reply = test_raw_exchange(proc.port, head, strlen(head), 3000);
	assert_int_equal(test_raw_status(reply), 413);
	assert_non_null(strstr(test_raw_body(reply), "payload-too-large"));
	free(reply);
	assert_rows_unchanged(&before);
}

static void test_officers_are_never_deleted_delete_is_405_with_allow(void **state)
{
	struct officer_rows before;
	struct http_result r;
	char id[19], path[64];
	long long org = test_create_org(&proc, "delete-org", "删除单位", "county", 0);
	long long officer;

	(void)state;
	national_id(1600, id);
	officer = create_officer(officer_body(id, "不可删", org));
	rows_now(&before);
	(void)snprintf(path, sizeof(path), "/api/v1/officers/%lld", officer);
	http_call(&proc, &r, "DELETE", path, NULL, NULL);
	assert_problem(&r, 405, NULL, NULL);
	assert_non_null(strstr(r.allow, "GET"));
	assert_non_null(strstr(r.allow, "PATCH"));
	assert_null(strstr(r.allow, "DELETE"));
	http_result_clear(&r);
	http_call(&proc, &r, "DELETE", "/api/v1/officers", NULL, NULL);
	assert_problem(&r, 405, NULL, NULL);
	assert_non_null(strstr(r.allow, "POST"));
	assert_null(strstr(r.allow, "DELETE"));
	http_result_clear(&r);
	assert_rows_unchanged(&before);
	/* and the database would refuse the app role a DELETE as well */
	assert_int_equal(test_db_count(db,
	                               "SELECT count(*) FROM information_schema.role_table_grants"
	                               " WHERE grantee = 'tcard_app' AND privilege_type = 'DELETE'"
	                               " AND table_name IN ('officer', 'officer_history')"),
	                 0);
}

/* ---- personal data ---- */

/* nftw callbacks take no context: the search's state lives here. */
static const char *search_needle;
static char search_found[600];

static int search_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F && test_file_contains(path, search_needle))
		(void)snprintf(search_found, sizeof(search_found), "%s", path);
	return 0;
}

/* The file under dir that contains needle, or NULL. */
static const char *tree_file_containing(const char *dir, const char *needle)
{
	search_needle = needle;
	search_found[0] = '\0';
	(void)nftw(dir, search_entry, 16, FTW_PHYS);
	return search_found[0] != '\0' ? search_found : NULL;
}

/* Runs last, so that it covers every ID the other tests sent; it also sends its own,
 * through every path that handles one, so it proves something when run alone. */
static void test_no_national_id_reaches_the_logs_or_the_database_in_clear(void **state)
{
	struct http_result r;
	char id[19], other[19], bad[19], query[64], pg_log[700];
	long long org = test_create_org(&proc, "pii-org", "个人信息单位", "county", 0);
	long long officer;
	const char *file;
	size_t i;

	(void)state;
	national_id(1700, id);
	national_id(1701, other);
	officer = create_officer(officer_body(id, "隐私", org));
	get(&r, "/api/v1/officers/", officer, "");
	http_result_clear(&r);
	(void)snprintf(query, sizeof(query), "q=%s", id);
	list(&r, query);
	http_result_clear(&r);
	assert_create_refused(officer_body(id, "重号", org), 409, "national_id", "duplicate");
	(void)snprintf(bad, sizeof(bad), "%.17s%c", other, other[17] == '1' ? '2' : '1');
	remember(bad);
	assert_create_refused(officer_body(bad, "错号", org), 422, "national_id", "check_digit");
	patch_officer(&r, officer, "*", json_pack("{s:s}", "national_id", other));
	assert_int_equal(r.status, 200);
	http_result_clear(&r);

	assert_true(sent_count >= 4);
	(void)snprintf(pg_log, sizeof(pg_log), "%s/pg/log", proc.data_dir);
	for (i = 0; i < sent_count; i++) {
		if (test_file_contains(proc.log_path, sent_ids[i]))
			fail_msg("national ID %s is in the tcardd log %s", sent_ids[i],
			         proc.log_path);
		file = tree_file_containing(pg_log, sent_ids[i]);
		if (file != NULL)
			fail_msg("national ID %s is in the PostgreSQL log %s", sent_ids[i], file);
		if (db_number("SELECT count(*) FROM officer o WHERE to_jsonb(o)::text LIKE"
		              " '%' || $1 || '%'",
		              sent_ids[i]) != 0 ||
		    db_number("SELECT count(*) FROM officer_history h WHERE to_jsonb(h)::text LIKE"
		              " '%' || $1 || '%'",
		              sent_ids[i]) != 0 ||
		    db_number("SELECT count(*) FROM org g WHERE to_jsonb(g)::text LIKE"
		              " '%' || $1 || '%'",
		              sent_ids[i]) != 0)
			fail_msg("national ID %s is in the database in clear text", sent_ids[i]);
	}
	/* The log did record the requests: the search looked at the right file. */
	assert_true(test_file_contains(proc.log_path, "/api/v1/officers"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_create_derives_gender_and_birth_date_and_masks_the_id),
	        cmocka_unit_test(test_lower_case_x_check_digit_is_normalised_to_upper_case),
	        cmocka_unit_test(test_get_returns_the_officer_with_etag_and_404_for_bad_ids),
	        cmocka_unit_test(test_list_filters_by_org_subtree_status_kind_and_q),
	        cmocka_unit_test(test_list_pages_return_every_officer_exactly_once),
	        cmocka_unit_test(test_patch_without_if_match_is_428_and_changes_nothing),
	        cmocka_unit_test(test_patch_with_stale_etag_is_412_and_changes_nothing),
	        cmocka_unit_test(test_patch_corrects_name_post_and_kind_and_bumps_version),
	        cmocka_unit_test(test_revealing_a_national_id_is_audited_and_asked_for_by_name),
	        cmocka_unit_test(test_officer_year_is_evaluated_when_created_and_when_it_leaves),
	        cmocka_unit_test(test_status_change_defaults_status_date_to_today_and_is_recorded),
	        cmocka_unit_test(
	                test_patch_national_id_is_revalidated_and_rederives_gender_and_birth),
	        cmocka_unit_test(test_patch_org_id_moves_the_officer_and_history_says_moved),
	        cmocka_unit_test(test_history_lists_every_change_in_order_with_pages),
	        cmocka_unit_test(test_malformed_json_is_400_and_changes_nothing),
	        cmocka_unit_test(test_malformed_json_reply_does_not_echo_a_national_id),
	        cmocka_unit_test(test_wrong_types_are_422_type_all_at_once),
	        cmocka_unit_test(test_unknown_field_is_422_unknown_field),
	        cmocka_unit_test(test_missing_required_fields_are_all_reported_at_once),
	        cmocka_unit_test(test_invalid_national_ids_are_422_with_a_reason),
	        cmocka_unit_test(test_duplicate_national_id_is_409),
	        cmocka_unit_test(test_unknown_org_is_422_on_org_id),
	        cmocka_unit_test(test_dates_in_the_future_or_before_birth_are_422),
	        cmocka_unit_test(test_bad_status_and_kind_values_are_422),
	        cmocka_unit_test(test_name_over_50_characters_is_422_counted_in_characters),
	        cmocka_unit_test(test_text_plain_body_is_415),
	        cmocka_unit_test(test_body_over_1_mib_is_413),
	        cmocka_unit_test(test_officers_are_never_deleted_delete_is_405_with_allow),
	        cmocka_unit_test(test_no_national_id_reaches_the_logs_or_the_database_in_clear),
	};

	return cmocka_run_group_tests_name("officers", tests, group_setup, group_teardown);
}
