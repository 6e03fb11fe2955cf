/* test_http.c — the HTTP layer's contract (server/http.c, api_meta.c): every
 * error is RFC 9457 problem+json, 404/405/413/415/400 are decided before a
 * body is read, request ids reach the access log and cannot forge it, the
 * security headers, the OpenAPI document, and the connection-limit and
 * idle-timeout flags. One tcardd serves the file; a second one, on the same
 * database, has tight connection limits. Raw sockets send what curl will not. */
#include "testlib.h"

#include "routes.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A made-up national ID that must never be echoed or logged (SECURITY.md 10). */
#define SEEDED_NATIONAL_ID "110101199003070012"
#define BODY_MAX           (1024 * 1024)

static struct tcardd_proc server;
static struct tcardd_proc limited; /* --max-per-address 2 --idle-timeout 1 */
static char limited_dir[] = "/tmp/tcard-http-limited-XXXXXX";

/* ---- helpers ---- */

static long long now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int is_request_id(const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0'; i++)
		if (!isdigit((unsigned char)id[i]) && !(id[i] >= 'a' && id[i] <= 'f'))
			return 0;
	return i == 32;
}

/* The whole RFC 9457 shape: type urn:tcard:problem:<slug>, a title in
 * Chinese and English, status equal to the HTTP status, a detail, the path
 * as instance, and the request id of the X-Request-Id header. */
static void assert_problem_doc(const struct http_result *r, long status, const char *slug,
                               const char *instance)
{
	char type[128];
	const char *title, *detail, *slash;

	assert_problem(r, status, NULL, NULL);
	(void)snprintf(type, sizeof(type), "urn:tcard:problem:%s", slug);
	assert_string_equal(json_string_value(json_object_get(r->json, "type")), type);
	title = json_string_value(json_object_get(r->json, "title"));
	slash = strstr(title, " / ");
	if (slash == NULL || (unsigned char)title[0] < 0xe4 || !isalpha((unsigned char)slash[3]))
		fail_msg("title is not \"中文 / English\": %s", title);
	detail = json_string_value(json_object_get(r->json, "detail"));
	assert_non_null(detail);
	assert_true(detail[0] != '\0');
	assert_string_equal(json_string_value(json_object_get(r->json, "instance")), instance);
	assert_true(is_request_id(r->request_id));
	assert_string_equal(json_string_value(json_object_get(r->json, "request_id")),
	                    r->request_id);
}

/* The same checks on a raw reply. */
static void assert_raw_problem(const char *reply, int status, const char *slug,
                               const char *instance)
{
	struct http_result r;
	const char *body = test_raw_body(reply);

	memset(&r, 0, sizeof(r));
	if (test_raw_status(reply) != status)
		fail_msg("expected %d, got: %.600s", status, reply);
	r.status = status;
	assert_true(test_raw_header(reply, "Content-Type", r.content_type, sizeof(r.content_type)));
	assert_true(test_raw_header(reply, "X-Request-Id", r.request_id, sizeof(r.request_id)));
	assert_non_null(body);
	r.json = json_loads(body, 0, NULL);
	assert_problem_doc(&r, status, slug, instance);
	json_decref(r.json);
}

/* request with the admin's Authorization header after its request line
 * (malloc'd): the raw requests test framing, not credentials. */
static char *with_credential(const char *request)
{
	const char *line_end = strstr(request, "\r\n");
	char *out;

	assert_non_null(line_end);
	assert_true(asprintf(&out, "%.*s\r\nAuthorization: Bearer %s%s", (int)(line_end - request),
	                     request, server.admin.bearer, line_end) > 0);
	return out;
}

static char *raw(const char *request)
{
	char *sent = with_credential(request);
	char *reply = test_raw_exchange(server.port, sent, strlen(sent), 3000);

	free(sent);
	return reply;
}

/* A chunked upload of len bytes of body text (sent in chunk-sized pieces). */
static char *raw_chunked(unsigned port, const char *head, const char *body, size_t len,
                         size_t chunk)
{
	char size_line[32];
	int fd = test_tcp_connect(port);
	size_t off, n;
	char *reply;

	char *sent = with_credential(head);

	assert_true(fd >= 0);
	assert_int_equal(test_tcp_send(fd, sent, strlen(sent)), 0);
	free(sent);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		(void)snprintf(size_line, sizeof(size_line), "%zx\r\n", n);
		if (test_tcp_send(fd, size_line, strlen(size_line)) != 0 ||
		    test_tcp_send(fd, body + off, n) != 0 || test_tcp_send(fd, "\r\n", 2) != 0)
			break;
	}
	(void)test_tcp_send(fd, "0\r\n\r\n", 5);
	reply = test_tcp_read_all(fd, 5000, NULL);
	(void)close(fd);
	return reply;
}

/* The access-log line of a request, split on spaces into key=value fields. */
static char *log_line_of(const char *request_id)
{
	char needle[64];
	char *line;

	/* The access-log line itself: a request may log other events with its id first
	 * (a refusal by the database, a retry). */
	(void)snprintf(needle, sizeof(needle), "event=request request_id=%s ", request_id);
	line = test_wait_log_line(server.log_path, needle, 3000);
	if (line == NULL)
		fail_msg("no access-log line for request %s in %s", request_id, server.log_path);
	return line;
}

static void assert_log_field(const char *line, const char *key, const char *value)
{
	char field[256];

	(void)snprintf(field, sizeof(field), " %s=%s ", key, value);
	if (strstr(line, field) == NULL)
		fail_msg("log line lacks%s: %s", field, line);
}

/* Holds count connections open; returns how many were made. */
static int open_connections(unsigned port, int *fds, int count)
{
	int i;

	for (i = 0; i < count; i++) {
		fds[i] = test_tcp_connect(port);
		if (fds[i] < 0)
			break;
	}
	return i;
}

static void close_connections(int *fds, int count)
{
	int i;

	for (i = 0; i < count; i++)
		(void)close(fds[i]);
}

/* Milliseconds until the server closes fd (EOF or reset), or -1 after timeout_ms. */
static long long ms_until_closed(int fd, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	long long start = now_ms();
	char byte;

	while (now_ms() - start < timeout_ms) {
		if (poll(&pfd, 1, 50) == 1) {
			ssize_t n = recv(fd, &byte, 1, 0);

			if (n <= 0)
				return now_ms() - start;
		}
	}
	return -1;
}

/* A second tcardd on the first one's database, with tight connection limits. */
static void start_limited(void)
{
	char app[700], owner[700];
	const char *extra[] = {"--db",           app, "--db-owner", owner, "--max-per-address", "2",
	                       "--idle-timeout", "1", NULL};

	if (limited.pid > 0)
		return;
	(void)snprintf(app, sizeof(app), "host=%s/pg/run dbname=tcard user=tcard_app",
	               server.data_dir);
	(void)snprintf(owner, sizeof(owner), "host=%s/pg/run dbname=tcard user=tcard_owner",
	               server.data_dir);
	assert_non_null(mkdtemp(limited_dir));
	memset(&limited, 0, sizeof(limited));
	tcardd_start(&limited, limited_dir, extra);
}

static int group_setup(void **state)
{
	(void)state;
	tcardd_start(&server, NULL, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (limited.pid > 0)
		assert_int_equal(tcardd_stop(&limited), 0);
	if (limited.data_dir[0] != '\0')
		tcardd_cleanup(&limited);
	assert_int_equal(tcardd_stop(&server), 0);
	tcardd_cleanup(&server);
	return 0;
}

/* ---- routing ---- */

static void test_unknown_path_is_404_problem_without_the_query(void **state)
{
	static const char *const paths[] = {"/no-such-page", "/api/v1/nope", "/api/v1/officers/",
	                                    "/api/v1/orgs/1/extra", "/healthz/"};
	struct http_result r;
	char *line;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		http_call(&server, &r, "GET", paths[i], NULL, NULL);
		assert_problem_doc(&r, 404, "not-found", paths[i]);
		http_result_clear(&r);
	}
	/* The query string may hold personal data: not in the body, not in the log. */
	http_call(&server, &r, "GET", "/api/v1/nope?national_id=" SEEDED_NATIONAL_ID, NULL, NULL);
	assert_problem_doc(&r, 404, "not-found", "/api/v1/nope");
	assert_null(strstr(r.body, SEEDED_NATIONAL_ID));
	line = log_line_of(r.request_id);
	assert_log_field(line, "status", "404");
	free(line);
	assert_false(test_file_contains(server.log_path, SEEDED_NATIONAL_ID));
	http_result_clear(&r);
}

static void test_wrong_method_is_405_with_allow_listing_the_path_methods(void **state)
{
	static const struct {
		const char *method, *path, *allow;
	} cases[] = {
	        {"DELETE", "/api/v1/officers/1", "GET, HEAD, PATCH"},
	        {"PUT", "/api/v1/orgs", "GET, HEAD, POST"},
	        {"DELETE", "/api/v1/orgs/7", "GET, HEAD, PATCH"},
	        {"POST", "/healthz", "GET, HEAD"},
	        {"PATCH", "/api/v1/officers/1/history", "GET, HEAD"},
	        {"BREW", "/readyz", "GET, HEAD"},
	};
	struct http_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_call(&server, &r, cases[i].method, cases[i].path, NULL, NULL);
		assert_problem_doc(&r, 405, "method-not-allowed", cases[i].path);
		assert_string_equal(r.allow, cases[i].allow);
		http_result_clear(&r);
	}
}

static void test_405_is_decided_before_the_body_is_read(void **state)
{
	/* 5 MB announced, none sent: a server that waited for the body would time out. */
	char *reply = raw("POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	                  "Content-Length: 5000000\r\n\r\n");
	char allow[64];

	(void)state;
	assert_raw_problem(reply, 405, "method-not-allowed", "/healthz");
	assert_true(test_raw_header(reply, "Allow", allow, sizeof(allow)));
	assert_string_equal(allow, "GET, HEAD");
	free(reply);
}

static void test_head_on_a_get_route_sends_headers_without_a_body(void **state)
{
	static const char *const paths[] = {"/healthz", "/api/v1/openapi.json", "/api/v1/orgs"};
	char request[256], length[32], type[64];
	struct http_result get;
	char *reply;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		http_call(&server, &get, "GET", paths[i], NULL, NULL);
		assert_int_equal(get.status, 200);
		(void)snprintf(request, sizeof(request),
		               "HEAD %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		               paths[i]);
		reply = raw(request);
		assert_int_equal(test_raw_status(reply), 200);
		assert_true(test_raw_header(reply, "Content-Type", type, sizeof(type)));
		assert_string_equal(type, "application/json");
		assert_true(test_raw_header(reply, "Content-Length", length, sizeof(length)));
		assert_int_equal(strtoul(length, NULL, 10), strlen(get.body));
		assert_string_equal(test_raw_body(reply), "");
		free(reply);
		http_result_clear(&get);
	}
}

/* ---- JSON bodies ---- */

static void test_malformed_json_is_400(void **state)
{
	static const char *const bodies[] = {"{\"code\":", "{code: 1}", "{}trailing", "{\"a\":1,}",
	                                     "\xff\xfe{}"};
	struct http_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		http_call(&server, &r, "POST", "/api/v1/orgs", NULL, bodies[i]);
		assert_problem_doc(&r, 400, "bad-request", "/api/v1/orgs");
		http_result_clear(&r);
	}
}

static void test_duplicate_json_keys_are_400(void **state)
{
	struct http_result r;

	(void)state;
	/* Without the repeated key the body is merely invalid (422)… */
	http_call(&server, &r, "POST", "/api/v1/orgs", NULL, "{\"kind\":\"city\"}");
	assert_int_equal(r.status, 422);
	http_result_clear(&r);
	/* …with it, whichever value a parser kept, the request is malformed. */
	http_call(&server, &r, "POST", "/api/v1/orgs", NULL,
	          "{\"kind\":\"nonsense\",\"kind\":\"city\"}");
	assert_problem_doc(&r, 400, "bad-request", "/api/v1/orgs");
	http_result_clear(&r);
	http_call(&server, &r, "POST", "/api/v1/orgs", NULL,
	          "{\"kind\":\"city\",\"name\":{\"a\":1,\"a\":1}}");
	assert_problem_doc(&r, 400, "bad-request", "/api/v1/orgs");
	http_result_clear(&r);
}

static void test_json_top_level_that_is_not_an_object_is_400(void **state)
{
	static const char *const bodies[] = {"[]", "[{\"code\":\"A\"}]", "\"text\"", "42", "null"};
	struct http_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		http_call(&server, &r, "POST", "/api/v1/orgs", NULL, bodies[i]);
		assert_problem_doc(&r, 400, "bad-request", "/api/v1/orgs");
		http_result_clear(&r);
	}
}

static void test_empty_json_body_is_400(void **state)
{
	struct http_result r;

	(void)state;
	http_call(&server, &r, "POST", "/api/v1/orgs", NULL, "");
	assert_problem_doc(&r, 400, "bad-request", "/api/v1/orgs");
	http_result_clear(&r);
}

/* Objects nested levels deep: {"a":{"a":…{}…}}. Caller frees. */
static char *nested_object(int levels)
{
	size_t size = (size_t)levels * 6 + 8, len = 0;
	char *text = malloc(size);
	int i;

	assert_non_null(text);
	for (i = 0; i < levels - 1; i++)
		len += (size_t)snprintf(text + len, size - len, "{\"a\":");
	len += (size_t)snprintf(text + len, size - len, "{}");
	for (i = 0; i < levels - 1; i++)
		text[len++] = '}';
	text[len] = '\0';
	return text;
}

static void test_json_nested_past_16_levels_is_400_and_16_is_parsed(void **state)
{
	struct http_result r;
	char *body;

	(void)state;
	body = nested_object(17);
	http_call(&server, &r, "POST", "/api/v1/orgs", NULL, body);
	assert_problem_doc(&r, 400, "bad-request", "/api/v1/orgs");
	http_result_clear(&r);
	free(body);
	/* 16 levels pass the parser; the handler then rejects the unknown field. */
	body = nested_object(16);
	http_call(&server, &r, "POST", "/api/v1/orgs", NULL, body);
	assert_problem(&r, 422, "a", "unknown_field");
	http_result_clear(&r);
	free(body);
}

/* ---- body size ---- */

static void test_content_length_over_1_mib_is_413_before_the_body_is_sent(void **state)
{
	char request[256], connection[32];
	char *reply;

	(void)state;
	(void)snprintf(request, sizeof(request),
	               "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	               "Content-Length: %d\r\n\r\n",
	               BODY_MAX + 1);
	reply = raw(request);
	assert_raw_problem(reply, 413, "payload-too-large", "/api/v1/orgs");
	/* The unread body must not be taken for the next request. */
	assert_true(test_raw_header(reply, "Connection", connection, sizeof(connection)));
	assert_string_equal(connection, "close");
	free(reply);
}

static void test_body_of_exactly_1_mib_is_accepted(void **state)
{
	struct http_result r;
	char *body = malloc(BODY_MAX + 1);

	(void)state;
	assert_non_null(body);
	memset(body, ' ', BODY_MAX);
	body[0] = '{';
	body[BODY_MAX - 1] = '}';
	body[BODY_MAX] = '\0';
	http_call(&server, &r, "POST", "/api/v1/orgs", NULL, body);
	/* Parsed and handed to the handler, which wants fields: not 413. */
	assert_problem(&r, 422, "code", "required");
	http_result_clear(&r);
	free(body);
}

static void test_chunked_body_over_1_mib_is_413(void **state)
{
	static const char head[] = "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\n"
	                           "Content-Type: application/json\r\n"
	                           "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
	size_t len = BODY_MAX + BODY_MAX / 2;
	char *body = malloc(len), *reply;

	(void)state;
	assert_non_null(body);
	memset(body, ' ', len);
	body[0] = '{';
	body[len - 1] = '}';
	reply = raw_chunked(server.port, head, body, len, 65536);
	assert_raw_problem(reply, 413, "payload-too-large", "/api/v1/orgs");
	free(reply);
	free(body);
}

static void test_chunked_body_within_the_limit_reaches_the_handler(void **state)
{
	static const char head[] = "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\n"
	                           "Content-Type: application/json\r\n"
	                           "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
	static const char body[] =
	        "{\"code\":\"HTTPCHUNKED\",\"name\":\"分块上传局\",\"kind\":\"city\"}";
	json_t *doc;
	char *reply;

	(void)state;
	/* 7-byte chunks split the UTF-8 name across chunk boundaries. */
	reply = raw_chunked(server.port, head, body, strlen(body), 7);
	if (test_raw_status(reply) != 201)
		fail_msg("expected 201: %s", reply);
	doc = json_loads(test_raw_body(reply), 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "code")), "HTTPCHUNKED");
	assert_string_equal(json_string_value(json_object_get(doc, "name")), "分块上传局");
	json_decref(doc);
	free(reply);
}

/* ---- content type and framing ---- */

static void test_wrong_content_type_is_415_before_the_body(void **state)
{
	static const char *const heads[] = {
	        "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
	        "Content-Length: 100\r\n\r\n",
	        "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n",
	        "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\nContent-Type: application/jsonx\r\n"
	        "Content-Length: 100\r\n\r\n",
	        "PATCH /api/v1/orgs/1 HTTP/1.1\r\nHost: t\r\n"
	        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		char *reply = raw(heads[i]);

		assert_raw_problem(reply, 415, "unsupported-media-type",
		                   i == 3 ? "/api/v1/orgs/1" : "/api/v1/orgs");
		free(reply);
	}
}

static void test_json_content_type_with_parameters_is_accepted(void **state)
{
	static const char *const types[] = {"Content-Type: application/json; charset=utf-8",
	                                    "Content-Type: Application/JSON"};
	struct http_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *headers[] = {types[i], NULL};

		http_call(&server, &r, "POST", "/api/v1/orgs", headers, "{}");
		assert_problem(&r, 422, "code", "required");
		http_result_clear(&r);
	}
}

static void test_body_on_a_route_that_takes_none_is_415(void **state)
{
	struct http_result r;
	char *reply;

	(void)state;
	http_call(&server, &r, "GET", "/healthz", NULL, "{}");
	assert_problem_doc(&r, 415, "unsupported-media-type", "/healthz");
	http_result_clear(&r);
	reply = raw("GET /api/v1/orgs HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
	            "Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
	assert_raw_problem(reply, 415, "unsupported-media-type", "/api/v1/orgs");
	free(reply);
	/* An explicit empty body is no body. */
	reply = raw("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
	            "Connection: close\r\n\r\n");
	assert_int_equal(test_raw_status(reply), 200);
	free(reply);
}

static void test_content_length_with_transfer_encoding_is_400(void **state)
{
	char *reply;

	(void)state;
	reply = raw("POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	            "Content-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
	            "2\r\n{}\r\n0\r\n\r\n");
	assert_raw_problem(reply, 400, "bad-request", "/api/v1/orgs");
	free(reply);
	reply = raw("POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	            "Content-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
	assert_raw_problem(reply, 400, "bad-request", "/api/v1/orgs");
	free(reply);
}

static void test_unread_body_of_a_refused_request_is_not_run_as_a_request(void **state)
{
	/* The body of a refused request is itself a request; if the server read
	 * it as the next one on the connection, a second response would follow. */
	static const char inner[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	char request[512], *reply;
	const char *second;

	(void)state;
	(void)snprintf(request, sizeof(request),
	               "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
	               "Content-Length: %zu\r\n\r\n%s",
	               strlen(inner), inner);
	reply = raw(request);
	assert_int_equal(test_raw_status(reply), 415);
	second = strstr(reply + 1, "HTTP/1.");
	if (second != NULL)
		fail_msg("a second response followed: %s", reply);
	free(reply);
}

/* ---- request ids and the access log ---- */

static void test_every_response_has_a_request_id_that_its_access_log_line_repeats(void **state)
{
	static const struct {
		const char *method, *path, *body, *route, *status;
	} cases[] = {
	        {"GET", "/healthz", NULL, "/healthz", "200"},
	        {"GET", "/api/v1/orgs/999999", NULL, "/api/v1/orgs/{id}", "404"},
	        {"GET", "/api/v1/nowhere", NULL, "-", "404"},
	        {"DELETE", "/api/v1/orgs", NULL, "-", "405"},
	        {"POST", "/api/v1/orgs", "{", "/api/v1/orgs", "400"},
	        {"POST", "/api/v1/orgs", "{}", "/api/v1/orgs", "422"},
	        {"GET", "/healthz", "{}", "/healthz", "415"},
	};
	char ids[sizeof(cases) / sizeof(cases[0])][80];
	struct http_result r;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *line, *duration;

		http_call(&server, &r, cases[i].method, cases[i].path, NULL, cases[i].body);
		assert_int_equal(r.status, atoi(cases[i].status));
		if (!is_request_id(r.request_id))
			fail_msg("%s %s: X-Request-Id \"%s\"", cases[i].method, cases[i].path,
			         r.request_id);
		(void)snprintf(ids[i], sizeof(ids[i]), "%s", r.request_id);
		for (j = 0; j < i; j++)
			assert_string_not_equal(ids[j], ids[i]);
		line = log_line_of(r.request_id);
		assert_true(strncmp(line, "ts=", 3) == 0);
		assert_non_null(strstr(line, " event=request "));
		assert_log_field(line, "method", cases[i].method);
		assert_log_field(line, "route", cases[i].route);
		assert_log_field(line, "status", cases[i].status);
		duration = strstr(line, " duration_us=");
		assert_non_null(duration);
		assert_true(isdigit((unsigned char)duration[13]));
		free(line);
		http_result_clear(&r);
	}
}

static void test_client_request_id_is_replaced_not_echoed(void **state)
{
	const char *headers[] = {"X-Request-Id: client-chosen-id-4711", NULL};
	struct http_result r;
	char *line;

	(void)state;
	http_call(&server, &r, "GET", "/healthz", headers, NULL);
	assert_int_equal(r.status, 200);
	assert_true(is_request_id(r.request_id));
	line = log_line_of(r.request_id);
	free(line);
	assert_false(test_file_contains(server.log_path, "client-chosen-id-4711"));
	http_result_clear(&r);
}

static void test_request_id_with_line_breaks_cannot_forge_log_lines(void **state)
{
	static const char *const requests[] = {
	        /* bare LF inside the value */
	        "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: a\n"
	        "ts=2000-01-01T00:00:00.000Z level=error event=forged\r\nConnection: close\r\n\r\n",
	        /* obsolete line folding */
	        "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: a\r\n"
	        " ts=2000-01-01T00:00:00.000Z level=error event=forged\r\nConnection: "
	        "close\r\n\r\n",
	        /* CR alone, and other control characters */
	        "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: a\r"
	        "ts=2000-01-01T00:00:00.000Z\x01 level=error event=forged\r\nConnection: "
	        "close\r\n\r\n",
	        /* in the path, percent-encoded */
	        "GET /x%0ats=2000-01-01T00:00:00.000Z%20level=error%20event=forged HTTP/1.1\r\n"
	        "Host: t\r\nConnection: close\r\n\r\n",
	};
	char id[80], *reply, *text = NULL, *line, *next;
	struct http_result last;
	size_t i, size = 0;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		reply = raw(requests[i]);
		assert_true(test_raw_status(reply) >= 200);
		/* Any id we return is ours: 32 hex digits. */
		if (test_raw_header(reply, "X-Request-Id", id, sizeof(id)))
			assert_true(is_request_id(id));
		free(reply);
	}
	/* A last, ordinary request: once its line is in the log, so are the others'. */
	http_call(&server, &last, "GET", "/healthz", NULL, NULL);
	free(log_line_of(last.request_id));
	http_result_clear(&last);
	f = fopen(server.log_path, "r");
	assert_non_null(f);
	(void)getdelim(&text, &size, '\0', f);
	(void)fclose(f);
	assert_non_null(text);
	/* Every line is one of ours: it starts with our time stamp and names an event. */
	for (line = text; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		assert_non_null(next);
		*next++ = '\0';
		if (strncmp(line, "ts=20", 5) != 0 || strncmp(line, "ts=2000-", 8) == 0 ||
		    strstr(line, " event=") == NULL)
			fail_msg("a log line that tcardd did not write: %s", line);
		assert_null(strstr(line, "event=forged"));
	}
	free(text);
}

/* ---- meta endpoints and headers ---- */

static void test_healthz_and_readyz_answer_200(void **state)
{
	struct http_result r;

	(void)state;
	http_call(&server, &r, "GET", "/healthz", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
	http_result_clear(&r);
	http_call(&server, &r, "GET", "/readyz", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ready");
	assert_string_equal(json_string_value(json_object_get(r.json, "database")), "ok");
	http_result_clear(&r);
}

static const char *method_key(unsigned method)
{
	switch (method) {
	case HTTP_GET:
		return "get";
	case HTTP_POST:
		return "post";
	case HTTP_PUT:
		return "put";
	case HTTP_PATCH:
		return "patch";
	case HTTP_DELETE:
		return "delete";
	default:
		fail_msg("route table has an unexpected method %u", method);
		return NULL;
	}
}

static void test_openapi_document_lists_every_route_of_the_table(void **state)
{
	struct http_result r;
	json_t *paths, *item, *operation;
	const char *path, *key;
	size_t i, operations = 0;

	(void)state;
	http_call(&server, &r, "GET", "/api/v1/openapi.json", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	assert_non_null(r.json); /* valid JSON */
	assert_string_equal(json_string_value(json_object_get(r.json, "openapi")), "3.1.0");
	assert_string_equal(
	        json_string_value(json_object_get(json_object_get(r.json, "info"), "version")),
	        TCARD_VERSION);
	paths = json_object_get(r.json, "paths");
	assert_true(json_is_object(paths));
	for (i = 0; i < routes_count; i++) {
		operation = json_object_get(json_object_get(paths, routes_table[i].pattern),
		                            method_key(routes_table[i].method));
		if (!json_is_object(operation))
			fail_msg("openapi.json lacks %s %s", method_key(routes_table[i].method),
			         routes_table[i].pattern);
		assert_string_equal(json_string_value(json_object_get(operation, "summary")),
		                    routes_table[i].summary);
		assert_true(json_is_array(json_object_get(operation, "x-roles")));
		assert_int_equal(json_is_true(json_object_get(operation, "x-json-body")),
		                 routes_table[i].body == ROUTE_BODY_JSON);
		/* The body as OpenAPI says it: JSON, CSV streamed (imports), or none. */
		{
			const json_t *content = json_object_get(
			        json_object_get(operation, "requestBody"), "content");
			const char *type = routes_table[i].body == ROUTE_BODY_JSON
			                           ? "application/json"
			                   : routes_table[i].body == ROUTE_BODY_STREAM ? "text/csv"
			                                                               : NULL;

			if (type == NULL)
				assert_null(json_object_get(operation, "requestBody"));
			else
				assert_non_null(json_object_get(content, type));
		}
		/* Public routes say they need no credential; the others name both kinds. */
		assert_int_equal(json_array_size(json_object_get(operation, "security")),
		                 (routes_table[i].roles & ROLE_PUBLIC) ? 0 : 2);
	}
	assert_string_equal(
	        json_string_value(json_object_get(
	                json_object_get(json_object_get(json_object_get(r.json, "components"),
	                                                "securitySchemes"),
	                                "token"),
	                "scheme")),
	        "bearer");
	/* …and nothing the table does not have. */
	json_object_foreach(paths, path, item)
	{
		json_object_foreach(item, key, operation)
		{
			(void)key;
			(void)operation;
			operations++;
		}
	}
	assert_int_equal(operations, routes_count);
	http_result_clear(&r);
}

static void test_every_response_carries_nosniff_and_no_store(void **state)
{
	static const char *const requests[] = {
	        "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	        "GET /api/v1/orgs HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	        "GET /api/v1/openapi.json HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	        "GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	        "DELETE /api/v1/orgs HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	        "POST /api/v1/orgs HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
	        "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
	};
	char value[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		char *reply = raw(requests[i]);

		assert_true(test_raw_status(reply) >= 200);
		assert_true(test_raw_header(reply, "X-Content-Type-Options", value, sizeof(value)));
		assert_string_equal(value, "nosniff");
		assert_true(test_raw_header(reply, "Cache-Control", value, sizeof(value)));
		assert_string_equal(value, "no-store");
		assert_true(test_raw_header(reply, "X-Request-Id", value, sizeof(value)));
		assert_true(is_request_id(value));
		free(reply);
	}
}

/* ---- connection limits ---- */

static void test_loopback_default_has_no_per_address_limit(void **state)
{
	/* More than the 64 an exposed listener allows per address. */
	int fds[70], opened;
	static const char request[] =
	        "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	char *reply;

	(void)state;
	opened = open_connections(server.port, fds, 70);
	assert_int_equal(opened, 70);
	assert_int_equal(test_tcp_send(fds[69], request, sizeof(request) - 1), 0);
	reply = test_tcp_read_all(fds[69], 3000, NULL);
	assert_int_equal(test_raw_status(reply), 200);
	free(reply);
	/* The first one, opened long before, is still served too. */
	assert_int_equal(test_tcp_send(fds[0], request, sizeof(request) - 1), 0);
	reply = test_tcp_read_all(fds[0], 3000, NULL);
	assert_int_equal(test_raw_status(reply), 200);
	free(reply);
	close_connections(fds, 70);
}

/* Sends a keep-alive request on fd and returns the reply's status (0 if none). */
static int request_on(int fd)
{
	static const char keep[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	char *reply;
	int status;

	if (test_tcp_send(fd, keep, sizeof(keep) - 1) != 0)
		return 0;
	reply = test_tcp_read_all(fd, 300, NULL);
	status = test_raw_status(reply);
	free(reply);
	return status;
}

/* Waits until a new connection to port is served (all earlier ones are gone). */
static void wait_until_served(unsigned port, int timeout_ms)
{
	static const char once[] = "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	long long start = now_ms();
	char *reply;
	int status;

	for (;;) {
		reply = test_raw_exchange(port, once, sizeof(once) - 1, 1000);
		status = test_raw_status(reply);
		free(reply);
		if (status == 200)
			return;
		if (now_ms() - start > timeout_ms)
			fail_msg("port %u served no new connection for %d ms", port, timeout_ms);
		(void)usleep(20000);
	}
}

static void test_per_address_limit_closes_the_third_connection(void **state)
{
	long long closed_after;
	int fds[3] = {-1, -1, -1};
	char *line;

	(void)state;
	start_limited();
	wait_until_served(limited.port, 2000);
	/* Two connections, each known to be accepted and served. */
	fds[0] = test_tcp_connect(limited.port);
	assert_true(fds[0] >= 0);
	assert_int_equal(request_on(fds[0]), 200);
	fds[1] = test_tcp_connect(limited.port);
	assert_true(fds[1] >= 0);
	assert_int_equal(request_on(fds[1]), 200);
	/* The kernel accepts a third; tcardd closes it at once. */
	fds[2] = test_tcp_connect(limited.port);
	assert_true(fds[2] >= 0);
	closed_after = ms_until_closed(fds[2], 900);
	if (closed_after < 0 || closed_after >= 500)
		fail_msg("the third connection was not closed (%lld ms)", closed_after);
	/* The two held ones are still served. */
	assert_int_equal(request_on(fds[0]), 200);
	close_connections(fds, 3);
	/* A limit on concurrent connections, not a ban: once they are gone the
	 * address is served again. */
	wait_until_served(limited.port, 1500);
	line = test_wait_log_line(limited.log_path, "connection limit", 1000);
	assert_non_null(line);
	free(line);
}

static void test_idle_connection_is_closed_after_the_idle_timeout(void **state)
{
	long long closed_after;
	int fd;

	(void)state;
	start_limited();
	wait_until_served(limited.port, 2000);
	/* Silent from the start. */
	fd = test_tcp_connect(limited.port);
	assert_true(fd >= 0);
	closed_after = ms_until_closed(fd, 4000);
	(void)close(fd);
	if (closed_after < 800 || closed_after > 3000)
		fail_msg("an idle connection was closed after %lld ms (--idle-timeout 1)",
		         closed_after);
	/* Idle after a served request on a kept-alive connection. */
	fd = test_tcp_connect(limited.port);
	assert_true(fd >= 0);
	assert_int_equal(request_on(fd), 200);
	closed_after = ms_until_closed(fd, 4000);
	(void)close(fd);
	if (closed_after < 300 || closed_after > 3000)
		fail_msg("a kept-alive connection was closed %lld ms after its reply",
		         closed_after);
}

/* A serialization failure or deadlock rolls the whole transaction back, so the
 * dispatcher runs the handler again (at most 3 more times). A trigger installed by
 * the superuser fails attempts of an org update with 40001/40P01 while a sequence
 * (never rolled back) is below a limit the test sets. */
static void test_serialization_failures_are_retried_then_answered_409(void **state)
{
	PGconn *db = test_db(&server);
	struct http_result r;
	char path[64];
	long long org = test_create_org(&server, "HTTPRETRY", "重试局", "city", 0);
	long long audits;

	(void)state;
	test_db_execf(db, "CREATE SEQUENCE retry_attempts;"
	                  "CREATE TABLE retry_limit (failing int NOT NULL);"
	                  "INSERT INTO retry_limit VALUES (2);"
	                  "CREATE FUNCTION retry_fail() RETURNS trigger LANGUAGE plpgsql"
	                  " SECURITY DEFINER SET search_path = public AS $$"
	                  " DECLARE n bigint := nextval('retry_attempts'); BEGIN"
	                  " IF n <= (SELECT failing FROM retry_limit) THEN"
	                  "  RAISE EXCEPTION 'forced' USING ERRCODE ="
	                  "  CASE WHEN n %% 2 = 0 THEN '40P01' ELSE '40001' END;"
	                  " END IF; RETURN NEW; END $$;"
	                  "CREATE TRIGGER retry_fail BEFORE UPDATE ON org FOR EACH ROW"
	                  " WHEN (OLD.code = 'HTTPRETRY') EXECUTE FUNCTION retry_fail()");
	(void)snprintf(path, sizeof(path), "/api/v1/orgs/%lld", org);
	audits = test_db_count(db, "SELECT count(*) FROM audit_log WHERE action = 'org.update'");

	/* Two failures (40001, then 40P01), then success: one change, one audit entry. */
	http_call_json(&server, &r, "PATCH", path, "*", json_pack("{s:s}", "name", "重试后局"));
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "重试后局");
	assert_string_equal(r.etag, "\"2\"");
	http_result_clear(&r);
	free(test_wait_log_line(server.log_path, "event=request_retried", 3000));
	assert_int_equal(test_db_count(db, "SELECT last_value FROM retry_attempts"), 3);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                   " 'org.update'"),
	                 audits + 1);

	/* Failing for good: 1 + 3 attempts, then 409 and nothing written. */
	test_db_execf(db, "UPDATE retry_limit SET failing = 1000");
	http_call_json(&server, &r, "PATCH", path, "*", json_pack("{s:s}", "name", "不会写入"));
	assert_problem(&r, 409, NULL, NULL);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT last_value FROM retry_attempts"), 7);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM org WHERE name = '重试后局'"), 1);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                   " 'org.update'"),
	                 audits + 1);
	test_db_execf(db, "DROP TRIGGER retry_fail ON org; DROP FUNCTION retry_fail();"
	                  "DROP TABLE retry_limit; DROP SEQUENCE retry_attempts");
	PQfinish(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_unknown_path_is_404_problem_without_the_query),
	        cmocka_unit_test(test_serialization_failures_are_retried_then_answered_409),
	        cmocka_unit_test(test_wrong_method_is_405_with_allow_listing_the_path_methods),
	        cmocka_unit_test(test_405_is_decided_before_the_body_is_read),
	        cmocka_unit_test(test_head_on_a_get_route_sends_headers_without_a_body),
	        cmocka_unit_test(test_malformed_json_is_400),
	        cmocka_unit_test(test_duplicate_json_keys_are_400),
	        cmocka_unit_test(test_json_top_level_that_is_not_an_object_is_400),
	        cmocka_unit_test(test_empty_json_body_is_400),
	        cmocka_unit_test(test_json_nested_past_16_levels_is_400_and_16_is_parsed),
	        cmocka_unit_test(test_content_length_over_1_mib_is_413_before_the_body_is_sent),
	        cmocka_unit_test(test_body_of_exactly_1_mib_is_accepted),
	        cmocka_unit_test(test_chunked_body_over_1_mib_is_413),
	        cmocka_unit_test(test_chunked_body_within_the_limit_reaches_the_handler),
	        cmocka_unit_test(test_wrong_content_type_is_415_before_the_body),
	        cmocka_unit_test(test_json_content_type_with_parameters_is_accepted),
	        cmocka_unit_test(test_body_on_a_route_that_takes_none_is_415),
	        cmocka_unit_test(test_content_length_with_transfer_encoding_is_400),
	        cmocka_unit_test(test_unread_body_of_a_refused_request_is_not_run_as_a_request),
	        cmocka_unit_test(
	                test_every_response_has_a_request_id_that_its_access_log_line_repeats),
	        cmocka_unit_test(test_client_request_id_is_replaced_not_echoed),
	        cmocka_unit_test(test_request_id_with_line_breaks_cannot_forge_log_lines),
	        cmocka_unit_test(test_healthz_and_readyz_answer_200),
	        cmocka_unit_test(test_openapi_document_lists_every_route_of_the_table),
	        cmocka_unit_test(test_every_response_carries_nosniff_and_no_store),
	        cmocka_unit_test(test_loopback_default_has_no_per_address_limit),
	        cmocka_unit_test(test_per_address_limit_closes_the_third_connection),
	        cmocka_unit_test(test_idle_connection_is_closed_after_the_idle_timeout),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
