/* test_static_files.c — the web UI's files served by tcardd (issue 8): the
 * index at "/", content types, the security headers, ETag and 304, HEAD, the
 * allow-listed vendor file, and every way out of the web root refused with
 * the same 404 problem as an unknown API path. tcardd serves a temp web root
 * and a temp vendor dir made here, not the repository's web/. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CSP                                                                               \
	"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " \
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
#define INDEX_HTML   "<!doctype html><title>tcard test</title>\n"
#define ECHARTS_STUB "export const version = 'stub';\n"

static struct tcardd_proc proc;
static char files_dir[256], web_root[300], vendor_dir[300];

static void make_dir(const char *path)
{
	assert_int_equal(mkdir(path, 0755), 0);
}

static void make_file_in(const char *dir, const char *name, const char *text)
{
	char path[600];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < sizeof(path));
	test_write_file(path, text);
}

/* web/ with pages of each type, a hidden directory and a symlink out of it;
 * vendor/ shaped like node_modules with a stand-in ECharts build. */
static void make_trees(void)
{
	char path[600];

	(void)snprintf(files_dir, sizeof(files_dir), "/tmp/tcard-static-XXXXXX");
	assert_non_null(mkdtemp(files_dir));
	(void)snprintf(web_root, sizeof(web_root), "%s/web", files_dir);
	(void)snprintf(vendor_dir, sizeof(vendor_dir), "%s/vendor", files_dir);
	make_dir(web_root);
	make_file_in(web_root, "index.html", INDEX_HTML);
	make_file_in(web_root, "app.css", "body{margin:0}\n");
	make_file_in(web_root, "app.js", "export {};\n");
	make_file_in(web_root, "logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>\n");
	make_file_in(web_root, "data.bin", "\x01\x02");
	make_file_in(files_dir, "secret.txt", "outside the web root\n");
	(void)snprintf(path, sizeof(path), "%s/.git", web_root);
	make_dir(path);
	make_file_in(path, "config", "[core]\n");
	(void)snprintf(path, sizeof(path), "%s/out.txt", web_root);
	assert_int_equal(symlink("../secret.txt", path), 0);
	(void)snprintf(path, sizeof(path), "%s/sub", web_root);
	make_dir(path);
	(void)snprintf(path, sizeof(path), "%s/echarts", vendor_dir);
	assert_int_equal(mkdir(vendor_dir, 0755), 0);
	make_dir(path);
	(void)snprintf(path, sizeof(path), "%s/echarts/dist", vendor_dir);
	make_dir(path);
	make_file_in(path, "echarts.esm.min.mjs", ECHARTS_STUB);
	make_file_in(path, "echarts.js", "not allow-listed\n");
}

static int group_setup(void **state)
{
	char web_flag[320], vendor_flag[320];
	const char *extra[] = {web_flag, vendor_flag, NULL};

	(void)state;
	make_trees();
	(void)snprintf(web_flag, sizeof(web_flag), "--web-root=%s", web_root);
	(void)snprintf(vendor_flag, sizeof(vendor_flag), "--vendor-dir=%s", vendor_dir);
	tcardd_start(&proc, NULL, extra);
	return 0;
}

static int remove_tree(const char *dir)
{
	char command[600];

	(void)snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	return system(command);
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, NULL);
	(void)remove_tree(files_dir);
	return 0;
}

/* One raw request for target (sent byte for byte, so "/../x" is not
 * normalised away by a client); the reply, caller frees. */
static char *raw_request(const char *method, const char *target, const char *extra_header)
{
	char request[1024];
	int n;

	n = snprintf(request, sizeof(request),
	             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%sConnection: close\r\n\r\n", method,
	             target, extra_header != NULL ? extra_header : "",
	             extra_header != NULL ? "\r\n" : "");
	assert_true(n > 0 && (size_t)n < sizeof(request));
	return test_raw_exchange(proc.port, request, (size_t)n, 5000);
}

static void assert_header(const char *reply, const char *name, const char *expected)
{
	char value[512];

	if (!test_raw_header(reply, name, value, sizeof(value)))
		fail_msg("no %s header in: %.300s", name, reply);
	assert_string_equal(value, expected);
}

static void assert_served(const char *target, const char *content_type, const char *body)
{
	char *reply = raw_request("GET", target, NULL);

	assert_int_equal(test_raw_status(reply), 200);
	assert_header(reply, "Content-Type", content_type);
	if (body != NULL)
		assert_string_equal(test_raw_body(reply), body);
	free(reply);
}

static void assert_not_found_problem(const char *target)
{
	char *reply = raw_request("GET", target, NULL);

	if (test_raw_status(reply) != 404)
		fail_msg("GET %s: expected 404, got: %.300s", target, reply);
	assert_header(reply, "Content-Type", "application/problem+json");
	assert_null(strstr(reply, "outside the web root"));
	assert_null(strstr(reply, "[core]"));
	free(reply);
}

static void test_root_serves_index_html(void **state)
{
	(void)state;
	assert_served("/", "text/html; charset=utf-8", INDEX_HTML);
	assert_served("/index.html", "text/html; charset=utf-8", INDEX_HTML);
}

static void test_content_type_follows_the_extension(void **state)
{
	(void)state;
	assert_served("/app.css", "text/css; charset=utf-8", NULL);
	assert_served("/app.js", "text/javascript; charset=utf-8", NULL);
	assert_served("/logo.svg", "image/svg+xml", NULL);
	assert_served("/data.bin", "application/octet-stream", NULL);
}

static void test_static_reply_carries_csp_nosniff_no_referrer_and_no_cache(void **state)
{
	char *reply = raw_request("GET", "/", NULL);

	(void)state;
	assert_header(reply, "Content-Security-Policy", CSP);
	assert_header(reply, "X-Content-Type-Options", "nosniff");
	assert_header(reply, "Referrer-Policy", "no-referrer");
	assert_header(reply, "Cache-Control", "no-cache");
	free(reply);
}

static void test_matching_if_none_match_is_304_without_a_body(void **state)
{
	char etag[128], header[200], *reply = raw_request("GET", "/app.css", NULL);

	(void)state;
	assert_true(test_raw_header(reply, "ETag", etag, sizeof(etag)));
	assert_int_equal(etag[0], '"');
	free(reply);
	(void)snprintf(header, sizeof(header), "If-None-Match: %s", etag);
	reply = raw_request("GET", "/app.css", header);
	assert_int_equal(test_raw_status(reply), 304);
	assert_header(reply, "ETag", etag);
	assert_string_equal(test_raw_body(reply), "");
	free(reply);
	reply = raw_request("GET", "/app.css", "If-None-Match: \"other\"");
	assert_int_equal(test_raw_status(reply), 200);
	free(reply);
}

static void test_head_sends_the_headers_without_the_body(void **state)
{
	char *reply = raw_request("HEAD", "/", NULL);
	char length[32];

	(void)state;
	assert_int_equal(test_raw_status(reply), 200);
	assert_header(reply, "Content-Type", "text/html; charset=utf-8");
	assert_true(test_raw_header(reply, "Content-Length", length, sizeof(length)));
	assert_int_equal(atoi(length), (int)strlen(INDEX_HTML));
	assert_string_equal(test_raw_body(reply), "");
	free(reply);
}

static void test_vendor_echarts_is_the_es_module_build(void **state)
{
	(void)state;
	assert_served("/vendor/echarts.js", "text/javascript; charset=utf-8", ECHARTS_STUB);
	/* Only the allow-list: no other file of the vendor dir or of the web root. */
	assert_not_found_problem("/vendor/echarts/dist/echarts.js");
	assert_not_found_problem("/vendor/other.js");
}

static void test_paths_out_of_the_web_root_are_404_problems(void **state)
{
	(void)state;
	assert_not_found_problem("/../CMakeLists.txt");
	assert_not_found_problem("/../secret.txt");
	assert_not_found_problem("/%2e%2e/secret.txt");
	assert_not_found_problem("/sub/../index.html");
	assert_not_found_problem("/.git/config");
	assert_not_found_problem("/%2egit/config");
	assert_not_found_problem("//index.html");
	assert_not_found_problem("/sub//x");
	assert_not_found_problem("/sub\\..\\index.html");
	assert_not_found_problem("/index.html%00.png");
	assert_not_found_problem("/out.txt"); /* a symlink out of the web root */
	assert_not_found_problem("/sub");     /* a directory */
	assert_not_found_problem("/sub/");
	assert_not_found_problem("/missing.html");
}

static void test_unknown_api_path_stays_a_404_problem(void **state)
{
	struct http_result r;

	(void)state;
	http_call(&proc, &r, "GET", "/api/v1/nope", NULL, NULL);
	assert_problem(&r, 404, NULL, NULL);
	http_result_clear(&r);
	assert_not_found_problem("/api/index.html");
}

static void test_writes_to_a_static_path_are_not_served(void **state)
{
	char *reply = raw_request("POST", "/index.html", "Content-Length: 0");

	(void)state;
	assert_int_equal(test_raw_status(reply), 404);
	assert_null(strstr(reply, "tcard test"));
	free(reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_root_serves_index_html),
	        cmocka_unit_test(test_content_type_follows_the_extension),
	        cmocka_unit_test(test_static_reply_carries_csp_nosniff_no_referrer_and_no_cache),
	        cmocka_unit_test(test_matching_if_none_match_is_304_without_a_body),
	        cmocka_unit_test(test_head_sends_the_headers_without_the_body),
	        cmocka_unit_test(test_vendor_echarts_is_the_es_module_build),
	        cmocka_unit_test(test_paths_out_of_the_web_root_are_404_problems),
	        cmocka_unit_test(test_unknown_api_path_stays_a_404_problem),
	        cmocka_unit_test(test_writes_to_a_static_path_are_not_served),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
