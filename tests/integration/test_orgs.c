/* test_orgs.c — /api/v1/orgs against tcardd on a throwaway PostgreSQL: create, read,
 * list with filters and cursor pages, conditional PATCH (If-Match), moving a subtree, and
 * the validation and conflict answers. One tcardd serves the whole file; each test makes
 * its own organisations (codes carry the test's name), so the tests do not depend on order. */
#include "testlib.h"

#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tcardd_proc proc;
static PGconn *db;

/* ---- helpers ---- */

/* GETs prefix followed by id ("/api/v1/orgs/" 12, "/api/v1/orgs?subtree=" 12). */
static void get(struct http_result *r, const char *prefix, long long id)
{
	char path[256];

	assert_true(snprintf(path, sizeof(path), "%s%lld", prefix, id) < (int)sizeof(path));
	http_call(&proc, r, "GET", path, NULL, NULL);
}

static void patch_org(struct http_result *r, long long id, const char *if_match, json_t *body)
{
	char path[64];

	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld", id);
	http_call_json(&proc, r, "PATCH", path, if_match, body);
}

/* A valid unified social credit code for n (distinct n give distinct codes). */
static void credit_code(unsigned n, char out[19])
{
	(void)snprintf(out, 19, "91441402MA%07u", n % 10000000u);
	out[17] = rules_credit_code_check_char(out);
	out[18] = '\0';
	assert_int_not_equal(out[17], 0);
}

/* The path the database holds for organisation id. */
static void db_org_path(long long id, char *out, size_t size)
{
	char text[24];

	(void)snprintf(text, sizeof(text), "%lld", id);
	test_db_text(db, "SELECT path::text FROM org WHERE id = $1", text, out, size);
}

static long long org_rows(void)
{
	return test_db_count(db, "SELECT count(*) FROM org");
}

static long long json_id(const json_t *doc)
{
	return json_integer_value(json_object_get(doc, "id"));
}

/* Lists with query (after "?") and asserts 200. */
static void list(struct http_result *r, const char *query)
{
	char path[512];

	assert_true(snprintf(path, sizeof(path), "/api/v1/orgs?%s", query) < (int)sizeof(path));
	http_call(&proc, r, "GET", path, NULL, NULL);
	if (r->status != 200)
		fail_msg("GET %s: %ld %s", path, r->status, r->body);
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

static void test_create_answers_201_with_location_etag_and_tree_fields(void **state)
{
	struct http_result r;
	char expected[128], code[19];
	long long root, child;

	(void)state;
	credit_code(1, code);
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", "create-root", "name",
	                         "梅州市司法局", "kind", "city", "region_code", "441400",
	                         "credit_code", code));
	assert_int_equal(r.status, 201);
	assert_string_equal(r.content_type, "application/json");
	root = json_id(r.json);
	assert_true(root > 0);
	(void)snprintf(expected, sizeof(expected), "/api/v1/orgs/%lld", root);
	assert_string_equal(r.location, expected);
	assert_string_equal(r.etag, "\"1\"");
	assert_string_equal(json_string_value(json_object_get(r.json, "code")), "create-root");
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "梅州市司法局");
	assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "city");
	assert_string_equal(json_string_value(json_object_get(r.json, "region_code")), "441400");
	assert_string_equal(json_string_value(json_object_get(r.json, "credit_code")), code);
	assert_true(json_is_null(json_object_get(r.json, "parent_id")));
	(void)snprintf(expected, sizeof(expected), "%lld", root);
	assert_string_equal(json_string_value(json_object_get(r.json, "path")), expected);
	assert_int_equal(json_integer_value(json_object_get(r.json, "depth")), 1);
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 1);
	assert_non_null(json_string_value(json_object_get(r.json, "created_at")));
	http_result_clear(&r);

	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s, s:I}", "code", "create-child", "name",
	                         "梅江区司法局", "kind", "county", "parent_id", (json_int_t)root));
	assert_int_equal(r.status, 201);
	child = json_id(r.json);
	assert_int_equal(json_integer_value(json_object_get(r.json, "parent_id")), root);
	(void)snprintf(expected, sizeof(expected), "%lld.%lld", root, child);
	assert_string_equal(json_string_value(json_object_get(r.json, "path")), expected);
	assert_int_equal(json_integer_value(json_object_get(r.json, "depth")), 2);
	assert_true(json_is_null(json_object_get(r.json, "credit_code")));
	http_result_clear(&r);

	/* What the reply said is what the database holds. */
	db_org_path(child, code, sizeof(code));
	assert_string_equal(code, expected);
}

static void test_get_returns_the_org_with_its_etag(void **state)
{
	struct http_result r;
	long long id = test_create_org(&proc, "get-one", "平远县司法局", "county", 0);

	(void)state;
	get(&r, "/api/v1/orgs/", id);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_id(r.json), id);
	assert_string_equal(json_string_value(json_object_get(r.json, "code")), "get-one");
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "平远县司法局");
	assert_string_equal(r.etag, "\"1\"");
	http_result_clear(&r);
}

static void test_unknown_and_non_numeric_ids_are_404(void **state)
{
	static const char *const paths[] = {
	        "/api/v1/orgs/999999999", "/api/v1/orgs/abc", "/api/v1/orgs/0",
	        "/api/v1/orgs/-1",        "/api/v1/orgs/01",  "/api/v1/orgs/1x",
	};
	struct http_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		http_call(&proc, &r, "GET", paths[i], NULL, NULL);
		assert_problem(&r, 404, NULL, NULL);
		http_result_clear(&r);
	}
	patch_org(&r, 999999999, "*", json_pack("{s:s}", "name", "无此单位"));
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	http_call_json(&proc, &r, "PATCH", "/api/v1/orgs/abc", "*",
	               json_pack("{s:s}", "name", "无此单位"));
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
}

/* ---- list ---- */

static void test_list_filters_by_parent_subtree_kind_and_q(void **state)
{
	struct http_result r;
	char query[128];
	long long root, a, a1, b, other;

	(void)state;
	root = test_create_org(&proc, "filter-root", "筛选市", "city", 0);
	a = test_create_org(&proc, "filter-a", "筛选甲区", "county", root);
	a1 = test_create_org(&proc, "filter-a1", "筛选甲街道", "town", a);
	b = test_create_org(&proc, "filter-b", "筛选乙县", "county", root);
	other = test_create_org(&proc, "filter-other", "别处市", "city", 0);

	/* parent: direct children only */
	(void)snprintf(query, sizeof(query), "parent=%lld", root);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 2);
	assert_true(test_items_hold(&r, a) && test_items_hold(&r, b));
	http_result_clear(&r);

	/* subtree: the root and everything below it, nothing beside it */
	(void)snprintf(query, sizeof(query), "subtree=%lld", root);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 4);
	assert_true(test_items_hold(&r, root) && test_items_hold(&r, a) &&
	            test_items_hold(&r, a1) && test_items_hold(&r, b));
	assert_false(test_items_hold(&r, other));
	http_result_clear(&r);

	(void)snprintf(query, sizeof(query), "subtree=%lld", a);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 2);
	assert_true(test_items_hold(&r, a) && test_items_hold(&r, a1));
	http_result_clear(&r);

	/* kind combines with subtree */
	(void)snprintf(query, sizeof(query), "subtree=%lld&kind=county", root);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 2);
	assert_true(test_items_hold(&r, a) && test_items_hold(&r, b));
	http_result_clear(&r);

	/* q: a name fragment (here 甲, URL-encoded) or an exact code */
	list(&r, "q=%E7%AD%9B%E9%80%89%E7%94%B2");
	assert_int_equal(test_items_count(&r), 2);
	assert_true(test_items_hold(&r, a) && test_items_hold(&r, a1));
	http_result_clear(&r);
	list(&r, "q=filter-b");
	assert_int_equal(test_items_count(&r), 1);
	assert_true(test_items_hold(&r, b));
	http_result_clear(&r);
	/* a code matches whole, not as a fragment */
	list(&r, "q=filter-");
	assert_int_equal(test_items_count(&r), 0);
	http_result_clear(&r);
	/* LIKE wild cards in q are literal */
	list(&r, "q=%25");
	assert_int_equal(test_items_count(&r), 0);
	http_result_clear(&r);

	/* filters with bad values are field errors, not empty lists */
	http_call(&proc, &r, "GET", "/api/v1/orgs?kind=planet", NULL, NULL);
	assert_problem(&r, 422, "kind", "choice");
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/orgs?parent=x1", NULL, NULL);
	assert_problem(&r, 422, "parent", "id");
	http_result_clear(&r);
	http_call(&proc, &r, "GET", "/api/v1/orgs?subtree=-3", NULL, NULL);
	assert_problem(&r, 422, "subtree", "id");
	http_result_clear(&r);
}

static void test_list_pages_return_every_org_exactly_once(void **state)
{
	struct http_result r;
	char query[256], cursor[128] = "", code[32];
	long long root, seen[16], expected[16];
	int pages = 0, n = 0, i, j;

	(void)state;
	root = test_create_org(&proc, "pages-root", "分页市", "city", 0);
	expected[0] = root;
	for (i = 1; i <= 7; i++) {
		(void)snprintf(code, sizeof(code), "pages-%d", i);
		expected[i] = test_create_org(&proc, code, "分页单位", "department", root);
	}
	do {
		if (cursor[0] != '\0')
			(void)snprintf(query, sizeof(query), "subtree=%lld&limit=3&cursor=%s", root,
			               cursor);
		else
			(void)snprintf(query, sizeof(query), "subtree=%lld&limit=3", root);
		list(&r, query);
		assert_true(test_items_count(&r) <= 3);
		for (i = 0; i < (int)test_items_count(&r); i++) {
			assert_true(n < 16);
			seen[n++] = json_id(
			        json_array_get(json_object_get(r.json, "items"), (size_t)i));
		}
		if (json_is_string(json_object_get(r.json, "next_cursor"))) {
			assert_int_equal(test_items_count(&r), 3);
			(void)snprintf(cursor, sizeof(cursor), "%s",
			               json_string_value(json_object_get(r.json, "next_cursor")));
		} else {
			assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
			cursor[0] = '\0';
		}
		http_result_clear(&r);
		pages++;
		assert_true(pages <= 5);
	} while (cursor[0] != '\0');
	/* 8 rows in pages of 3: 3 + 3 + 2, in id order, each once */
	assert_int_equal(pages, 3);
	assert_int_equal(n, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(seen[i], expected[i]);
		for (j = 0; j < i; j++)
			assert_true(seen[j] < seen[i]);
	}

	/* A page that ends exactly at the last row still offers a cursor; the next is empty. */
	(void)snprintf(query, sizeof(query), "subtree=%lld&limit=4", root);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 4);
	(void)snprintf(cursor, sizeof(cursor), "%s",
	               json_string_value(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);
	(void)snprintf(query, sizeof(query), "subtree=%lld&limit=4&cursor=%s", root, cursor);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 4);
	assert_int_equal(json_id(json_array_get(json_object_get(r.json, "items"), 0)), expected[4]);
	(void)snprintf(cursor, sizeof(cursor), "%s",
	               json_string_value(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);
	(void)snprintf(query, sizeof(query), "subtree=%lld&limit=4&cursor=%s", root, cursor);
	list(&r, query);
	assert_int_equal(test_items_count(&r), 0);
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	http_result_clear(&r);
}

static void test_list_refuses_bad_cursor_and_limit(void **state)
{
	static const char *const bad_cursors[] = {
	        "!!!",      /* not base64url */
	        "aToxMg==", /* padded: the cursor has no padding */
	        "eDoxMg",   /* "x:12": wrong prefix */
	        "aTphYmM",  /* "i:abc": not an id */
	        "aTow",     /* "i:0": not an id */
	        "",         /* empty */
	};
	static const char *const bad_limits[] = {"0", "501", "-1", "abc", "10x", ""};
	struct http_result r;
	char path[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cursors) / sizeof(bad_cursors[0]); i++) {
		(void)snprintf(path, sizeof(path), "/api/v1/orgs?cursor=%s", bad_cursors[i]);
		http_call(&proc, &r, "GET", path, NULL, NULL);
		assert_problem(&r, 422, "cursor", "invalid");
		http_result_clear(&r);
	}
	for (i = 0; i < sizeof(bad_limits) / sizeof(bad_limits[0]); i++) {
		(void)snprintf(path, sizeof(path), "/api/v1/orgs?limit=%s", bad_limits[i]);
		http_call(&proc, &r, "GET", path, NULL, NULL);
		assert_problem(&r, 422, "limit", "range");
		http_result_clear(&r);
	}
	/* The bounds themselves are allowed; "aToxMg" is the cursor "i:12". */
	list(&r, "limit=500");
	http_result_clear(&r);
	list(&r, "limit=1&cursor=aToxMg");
	http_result_clear(&r);
}

/* ---- conditional update ---- */

static void test_patch_without_if_match_is_428_and_changes_nothing(void **state)
{
	struct http_result r;
	char value[64], id_text[24];
	long long id = test_create_org(&proc, "patch-428", "原名", "county", 0);

	(void)state;
	patch_org(&r, id, NULL, json_pack("{s:s}", "name", "新名"));
	assert_problem(&r, 428, NULL, NULL);
	http_result_clear(&r);
	(void)snprintf(id_text, sizeof(id_text), "%lld", id);
	test_db_text(db, "SELECT name || '/' || version FROM org WHERE id = $1", id_text, value,
	             sizeof(value));
	assert_string_equal(value, "原名/1");
}

static void test_patch_with_stale_or_malformed_etag_is_412_and_changes_nothing(void **state)
{
	static const char *const stale[] = {"\"2\"", "\"0\"", "\"01\"", "W/\"7\"",
	                                    "1",     "\"x\"", "\"\""};
	struct http_result r;
	char value[64], id_text[24];
	long long id = test_create_org(&proc, "patch-412", "原名", "county", 0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(stale) / sizeof(stale[0]); i++) {
		patch_org(&r, id, stale[i], json_pack("{s:s}", "name", "新名"));
		if (r.status != 412)
			fail_msg("If-Match %s: %ld %s", stale[i], r.status, r.body);
		assert_problem(&r, 412, NULL, NULL);
		http_result_clear(&r);
	}
	(void)snprintf(id_text, sizeof(id_text), "%lld", id);
	test_db_text(db, "SELECT name || '/' || version FROM org WHERE id = $1", id_text, value,
	             sizeof(value));
	assert_string_equal(value, "原名/1");
}

/* A version beyond the integer range names no version of the resource: 412, not a
 * database type error. */
static void test_patch_with_out_of_range_version_is_412(void **state)
{
	struct http_result r;
	long long id = test_create_org(&proc, "patch-big-version", "原名", "county", 0);

	(void)state;
	patch_org(&r, id, "\"9999999999\"", json_pack("{s:s}", "name", "新名"));
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
}

static void test_patch_with_current_etag_changes_and_bumps_version(void **state)
{
	struct http_result r;
	char etag[64], value[128], id_text[24], code[19];
	long long id = test_create_org(&proc, "patch-ok", "原名", "county", 0);

	(void)state;
	get(&r, "/api/v1/orgs/", id);
	(void)snprintf(etag, sizeof(etag), "%s", r.etag);
	http_result_clear(&r);
	credit_code(2, code);
	patch_org(&r, id, etag,
	          json_pack("{s:s, s:s, s:s, s:s}", "name", "  新名  ", "kind", "department",
	                    "region_code", "441402", "credit_code", code));
	assert_int_equal(r.status, 200);
	assert_string_equal(r.etag, "\"2\"");
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 2);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "新名");
	assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "department");
	/* fields the patch leaves out keep their values */
	assert_string_equal(json_string_value(json_object_get(r.json, "code")), "patch-ok");
	http_result_clear(&r);
	(void)snprintf(id_text, sizeof(id_text), "%lld", id);
	test_db_text(
	        db,
	        "SELECT name || '/' || kind || '/' || region_code || '/' || credit_code || '/' ||"
	        " version FROM org WHERE id = $1",
	        id_text, value, sizeof(value));
	(void)snprintf(etag, sizeof(etag), "新名/department/441402/%s/2", code);
	assert_string_equal(value, etag);

	/* The old ETag is stale now; null clears a nullable field. */
	patch_org(&r, id, "\"1\"", json_pack("{s:n}", "credit_code"));
	assert_problem(&r, 412, NULL, NULL);
	http_result_clear(&r);
	patch_org(&r, id, "W/\"2\"", json_pack("{s:n}", "credit_code"));
	assert_int_equal(r.status, 200);
	assert_true(json_is_null(json_object_get(r.json, "credit_code")));
	assert_string_equal(r.etag, "\"3\"");
	http_result_clear(&r);
}

static void test_patch_with_star_if_match_accepts_any_version(void **state)
{
	struct http_result r;
	long long id = test_create_org(&proc, "patch-star", "原名", "county", 0);

	(void)state;
	patch_org(&r, id, "\"1\"", json_pack("{s:s}", "name", "第二版"));
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	patch_org(&r, id, "*", json_pack("{s:s}", "name", "第三版"));
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 3);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "第三版");
	http_result_clear(&r);
}

/* ---- moving in the tree ---- */

static void test_moving_an_org_carries_its_subtree_and_officers(void **state)
{
	struct http_result r;
	char expected[128], actual[128], id_text[24];
	long long from, to, moved, child, grandchild, officer, stay;

	(void)state;
	from = test_create_org(&proc, "move-from", "原上级", "city", 0);
	to = test_create_org(&proc, "move-to", "新上级", "city", 0);
	moved = test_create_org(&proc, "move-me", "搬迁区", "county", from);
	child = test_create_org(&proc, "move-child", "搬迁街道", "town", moved);
	grandchild = test_create_org(&proc, "move-grandchild", "搬迁科室", "department", child);
	stay = test_create_org(&proc, "move-stay", "留守区", "county", from);
	officer = test_create_officer(&proc, 101, "搬迁人员", grandchild);

	patch_org(&r, moved, "\"1\"", json_pack("{s:I}", "parent_id", (json_int_t)to));
	assert_int_equal(r.status, 200);
	(void)snprintf(expected, sizeof(expected), "%lld.%lld", to, moved);
	assert_string_equal(json_string_value(json_object_get(r.json, "path")), expected);
	assert_int_equal(json_integer_value(json_object_get(r.json, "parent_id")), to);
	assert_int_equal(json_integer_value(json_object_get(r.json, "depth")), 2);
	http_result_clear(&r);

	/* the database: descendants and the officer's scope path followed */
	db_org_path(moved, actual, sizeof(actual));
	assert_string_equal(actual, expected);
	(void)snprintf(expected, sizeof(expected), "%lld.%lld.%lld", to, moved, child);
	db_org_path(child, actual, sizeof(actual));
	assert_string_equal(actual, expected);
	(void)snprintf(expected, sizeof(expected), "%lld.%lld.%lld.%lld", to, moved, child,
	               grandchild);
	db_org_path(grandchild, actual, sizeof(actual));
	assert_string_equal(actual, expected);
	(void)snprintf(id_text, sizeof(id_text), "%lld", officer);
	test_db_text(db, "SELECT org_path::text FROM officer WHERE id = $1", id_text, actual,
	             sizeof(actual));
	assert_string_equal(actual, expected);
	/* a sibling of the moved org stays */
	(void)snprintf(expected, sizeof(expected), "%lld.%lld", from, stay);
	db_org_path(stay, actual, sizeof(actual));
	assert_string_equal(actual, expected);
	/* moving an organisation is not a change of the officer: no history entry */
	test_db_text(db, "SELECT count(*) FROM officer_history WHERE officer_id = $1", id_text,
	             actual, sizeof(actual));
	assert_string_equal(actual, "1");

	/* the API sees the new tree */
	get(&r, "/api/v1/orgs?subtree=", to);
	assert_int_equal(test_items_count(&r), 4);
	assert_true(test_items_hold(&r, grandchild));
	http_result_clear(&r);
	get(&r, "/api/v1/orgs?subtree=", from);
	assert_int_equal(test_items_count(&r), 2);
	assert_false(test_items_hold(&r, child));
	http_result_clear(&r);
	get(&r, "/api/v1/officers?subtree=", to);
	assert_int_equal(r.status, 200);
	assert_true(test_items_hold(&r, officer));
	http_result_clear(&r);
	get(&r, "/api/v1/officers?subtree=", from);
	assert_int_equal(r.status, 200);
	assert_false(test_items_hold(&r, officer));
	http_result_clear(&r);

	/* parent_id null makes it a root again, subtree included */
	patch_org(&r, moved, "*", json_pack("{s:n}", "parent_id"));
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "depth")), 1);
	http_result_clear(&r);
	(void)snprintf(expected, sizeof(expected), "%lld.%lld.%lld", moved, child, grandchild);
	db_org_path(grandchild, actual, sizeof(actual));
	assert_string_equal(actual, expected);
	test_db_text(db, "SELECT org_path::text FROM officer WHERE id = $1", id_text, actual,
	             sizeof(actual));
	assert_string_equal(actual, expected);
}

static void test_moving_under_own_subtree_is_422_and_changes_nothing(void **state)
{
	struct http_result r;
	char before[128], after[128], id_text[24];
	long long top, mid, leaf;

	(void)state;
	top = test_create_org(&proc, "cycle-top", "环上", "city", 0);
	mid = test_create_org(&proc, "cycle-mid", "环中", "county", top);
	leaf = test_create_org(&proc, "cycle-leaf", "环下", "town", mid);
	(void)snprintf(id_text, sizeof(id_text), "%lld", top);
	test_db_text(db,
	             "SELECT string_agg(id || '=' || path::text || '/' || version, ',' ORDER BY id)"
	             " FROM org WHERE path <@ (SELECT path FROM org WHERE id = $1)",
	             id_text, before, sizeof(before));

	patch_org(&r, top, "*", json_pack("{s:I}", "parent_id", (json_int_t)leaf));
	assert_problem(&r, 422, "parent_id", "cycle");
	http_result_clear(&r);
	patch_org(&r, top, "*", json_pack("{s:I}", "parent_id", (json_int_t)mid));
	assert_problem(&r, 422, "parent_id", "cycle");
	http_result_clear(&r);
	patch_org(&r, mid, "*", json_pack("{s:I}", "parent_id", (json_int_t)mid));
	assert_problem(&r, 422, "parent_id", "cycle");
	http_result_clear(&r);

	test_db_text(db,
	             "SELECT string_agg(id || '=' || path::text || '/' || version, ',' ORDER BY id)"
	             " FROM org WHERE path <@ (SELECT path FROM org WHERE id = $1)",
	             id_text, after, sizeof(after));
	assert_string_equal(after, before);
}

static void test_unknown_parent_is_422_on_parent_id(void **state)
{
	struct http_result r;
	long long rows = org_rows();
	long long id = test_create_org(&proc, "orphan-move", "孤儿", "county", 0);

	(void)state;
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s, s:I}", "code", "orphan", "name", "孤儿", "kind",
	                         "county", "parent_id", (json_int_t)987654321));
	assert_problem(&r, 422, "parent_id", "unknown");
	http_result_clear(&r);
	assert_int_equal(org_rows(), rows + 1);

	patch_org(&r, id, "\"1\"", json_pack("{s:I}", "parent_id", (json_int_t)987654321));
	assert_problem(&r, 422, "parent_id", "unknown");
	http_result_clear(&r);
	get(&r, "/api/v1/orgs/", id);
	assert_true(json_is_null(json_object_get(r.json, "parent_id")));
	assert_string_equal(r.etag, "\"1\"");
	http_result_clear(&r);
}

/* ---- conflicts and validation ---- */

static void test_duplicate_code_is_409_on_code(void **state)
{
	struct http_result r;
	long long rows, other;

	(void)state;
	(void)test_create_org(&proc, "dup-code", "先到", "county", 0);
	other = test_create_org(&proc, "dup-code-2", "后到", "county", 0);
	rows = org_rows();
	http_call_json(
	        &proc, &r, "POST", "/api/v1/orgs", NULL,
	        json_pack("{s:s, s:s, s:s}", "code", "dup-code", "name", "重复", "kind", "county"));
	assert_problem(&r, 409, "code", "duplicate");
	http_result_clear(&r);
	assert_int_equal(org_rows(), rows);
	/* renaming another org's code onto it conflicts too */
	patch_org(&r, other, "*", json_pack("{s:s}", "code", "dup-code"));
	assert_problem(&r, 409, "code", "duplicate");
	http_result_clear(&r);
}

static void test_duplicate_credit_code_is_409_on_credit_code(void **state)
{
	struct http_result r;
	char code[19];
	long long rows;

	(void)state;
	credit_code(3, code);
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s, s:s}", "code", "dup-credit-1", "name", "先到",
	                         "kind", "county", "credit_code", code));
	assert_int_equal(r.status, 201);
	http_result_clear(&r);
	rows = org_rows();
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s, s:s}", "code", "dup-credit-2", "name", "后到",
	                         "kind", "county", "credit_code", code));
	assert_problem(&r, 409, "credit_code", "duplicate");
	http_result_clear(&r);
	assert_int_equal(org_rows(), rows);
}

static void test_credit_code_with_wrong_check_character_is_422(void **state)
{
	struct http_result r;
	char code[19];
	long long rows = org_rows();

	(void)state;
	credit_code(4, code);
	code[17] = code[17] == '0' ? '1' : '0';
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s, s:s}", "code", "bad-credit", "name", "校验错",
	                         "kind", "county", "credit_code", code));
	assert_problem(&r, 422, "credit_code", "check_char");
	http_result_clear(&r);
	/* lower case and a letter GB 32100 leaves out (O) are charset errors */
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s, s:s}", "code", "bad-credit", "name", "校验错",
	                         "kind", "county", "credit_code", "91441402mA00000O1X"));
	assert_problem(&r, 422, "credit_code", "charset");
	http_result_clear(&r);
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s, s:s}", "code", "bad-credit", "name", "校验错",
	                         "kind", "county", "credit_code", "9144140"));
	assert_problem(&r, 422, "credit_code", "length");
	http_result_clear(&r);
	assert_int_equal(org_rows(), rows);
}

static void test_bad_region_code_is_422(void **state)
{
	static const char *const bad[] = {"44140", "4414000", "941400", "44a400", "041400"};
	struct http_result r;
	long long rows = org_rows();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
		               json_pack("{s:s, s:s, s:s, s:s}", "code", "bad-region", "name",
		                         "区划错", "kind", "county", "region_code", bad[i]));
		if (r.status != 422)
			fail_msg("region %s: %ld %s", bad[i], r.status, r.body);
		assert_true(r.status == 422);
		http_result_clear(&r);
	}
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s, s:s}", "code", "bad-region", "name", "区划错",
	                         "kind", "county", "region_code", "941400"));
	assert_problem(&r, 422, "region_code", "format");
	http_result_clear(&r);
	assert_int_equal(org_rows(), rows);
}

static void test_bad_kind_and_missing_fields_are_422(void **state)
{
	struct http_result r;
	long long rows = org_rows();
	long long id = test_create_org(&proc, "kind-patch", "类型", "county", 0);

	(void)state;
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s}", "code", "bad-kind", "name", "类型错", "kind",
	                         "planet"));
	assert_problem(&r, 422, "kind", "choice");
	http_result_clear(&r);
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s}", "name", "缺字段"));
	assert_problem(&r, 422, "code", "required");
	assert_problem(&r, 422, "kind", "required");
	http_result_clear(&r);
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s}", "code", "bad code!", "name", "代码错", "kind",
	                         "county"));
	assert_problem(&r, 422, "code", "format");
	http_result_clear(&r);
	http_call_json(&proc, &r, "POST", "/api/v1/orgs", NULL,
	               json_pack("{s:s, s:s, s:s, s:b}", "code", "extra-field", "name", "多余",
	                         "kind", "county", "admin", 1));
	assert_problem(&r, 422, "admin", "unknown_field");
	http_result_clear(&r);
	assert_int_equal(org_rows(), rows + 1);
	patch_org(&r, id, "*", json_pack("{s:s}", "kind", "galaxy"));
	assert_problem(&r, 422, "kind", "choice");
	http_result_clear(&r);
	patch_org(&r, id, "*", json_pack("{s:n}", "name"));
	assert_problem(&r, 422, "name", "required");
	http_result_clear(&r);
	get(&r, "/api/v1/orgs/", id);
	assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "county");
	assert_string_equal(r.etag, "\"1\"");
	http_result_clear(&r);
}

/* ---- the subtree filter is index-backed ---- */

static void test_subtree_filter_uses_the_gist_index(void **state)
{
	PGresult *res;
	const char *plan;
	char root[24];

	(void)state;
	/* The index exists, on path, with GiST. */
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM pg_indexes WHERE tablename = 'org'"
	                                   " AND indexname = 'org_path_gist'"
	                                   " AND indexdef LIKE '%USING gist (path)%'"),
	                 1);
	assert_int_equal(test_db_count(db,
	                               "SELECT count(*) FROM pg_indexes WHERE tablename = 'officer'"
	                               " AND indexname = 'officer_org_path_gist'"
	                               " AND indexdef LIKE '%USING gist (org_path)%'"),
	                 1);
	(void)snprintf(root, sizeof(root), "%lld",
	               test_create_org(&proc, "gist-root", "索引市", "city", 0));
	/* With sequential scans priced out, the planner can answer `path <@ $1` from the
	 * index: an operator class that does not support <@ would leave it a seq scan. */
	res = PQexec(db, "SET enable_seqscan = off");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	res = PQexecParams(db,
	                   "EXPLAIN (FORMAT JSON) SELECT id FROM org"
	                   " WHERE path <@ (SELECT path FROM org WHERE id = $1::bigint)",
	                   1, NULL, (const char *const[]){root}, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	plan = PQgetvalue(res, 0, 0);
	if (strstr(plan, "\"Index Name\": \"org_path_gist\"") == NULL)
		fail_msg("subtree filter does not use org_path_gist: %s", plan);
	PQclear(res);
	res = PQexec(db, "EXPLAIN (FORMAT JSON) SELECT id FROM officer WHERE org_path <@ '1'");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	plan = PQgetvalue(res, 0, 0);
	if (strstr(plan, "\"Index Name\": \"officer_org_path_gist\"") == NULL)
		fail_msg("officer subtree filter does not use officer_org_path_gist: %s", plan);
	PQclear(res);
	res = PQexec(db, "RESET enable_seqscan");
	PQclear(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_create_answers_201_with_location_etag_and_tree_fields),
	        cmocka_unit_test(test_get_returns_the_org_with_its_etag),
	        cmocka_unit_test(test_unknown_and_non_numeric_ids_are_404),
	        cmocka_unit_test(test_list_filters_by_parent_subtree_kind_and_q),
	        cmocka_unit_test(test_list_pages_return_every_org_exactly_once),
	        cmocka_unit_test(test_list_refuses_bad_cursor_and_limit),
	        cmocka_unit_test(test_patch_without_if_match_is_428_and_changes_nothing),
	        cmocka_unit_test(
	                test_patch_with_stale_or_malformed_etag_is_412_and_changes_nothing),
	        cmocka_unit_test(test_patch_with_out_of_range_version_is_412),
	        cmocka_unit_test(test_patch_with_current_etag_changes_and_bumps_version),
	        cmocka_unit_test(test_patch_with_star_if_match_accepts_any_version),
	        cmocka_unit_test(test_moving_an_org_carries_its_subtree_and_officers),
	        cmocka_unit_test(test_moving_under_own_subtree_is_422_and_changes_nothing),
	        cmocka_unit_test(test_unknown_parent_is_422_on_parent_id),
	        cmocka_unit_test(test_duplicate_code_is_409_on_code),
	        cmocka_unit_test(test_duplicate_credit_code_is_409_on_credit_code),
	        cmocka_unit_test(test_credit_code_with_wrong_check_character_is_422),
	        cmocka_unit_test(test_bad_region_code_is_422),
	        cmocka_unit_test(test_bad_kind_and_missing_fields_are_422),
	        cmocka_unit_test(test_subtree_filter_uses_the_gist_index),
	};

	return cmocka_run_group_tests_name("orgs", tests, group_setup, group_teardown);
}
