/* http.c — libmicrohttpd glue: one request state per connection callback
 * sequence, routing, header and body checks before the handler runs, the one
 * place where problems become application/problem+json, and the access log. */
#include "http.h"

#include "arena.h"
#include "auth.h"
#include "db.h"
#include "json_in.h"
#include "log.h"
#include "metrics.h"
#include "problem.h"
#include "request.h"
#include "static_files.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_ARENA_MAX (4u * 1024u * 1024u)
/* Past this many discarded bytes of an oversized body the connection is dropped. */
#define DISCARD_MAX (8u * 1024u * 1024u)
/* Re-runs of a handler whose transaction hit a serialization failure or deadlock. */
#define HTTP_RETRIES 3

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_config config;
	atomic_int in_flight;
};

static int64_t http_now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int http_parse_listen(const char *listen, char *host, size_t host_size, unsigned *port)
{
	const char *colon, *host_start = listen, *host_end;
	char *end;
	unsigned long value;

	if (listen[0] == '[') {
		host_end = strchr(listen, ']');
		if (host_end == NULL || host_end[1] != ':')
			return -1;
		host_start = listen + 1;
		colon = host_end + 1;
	} else {
		colon = strrchr(listen, ':');
		if (colon == NULL)
			return -1;
		host_end = colon;
	}
	if (host_end == host_start || (size_t)(host_end - host_start) >= host_size)
		return -1;
	errno = 0;
	value = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || value > 65535)
		return -1;
	memcpy(host, host_start, (size_t)(host_end - host_start));
	host[host_end - host_start] = '\0';
	*port = (unsigned)value;
	return 0;
}

/* ---- request accessors (request.h) ---- */

const char *request_param(struct request *req, const char *name)
{
	size_t len = strlen(name);
	int i;

	for (i = 0; i < req->match.nparams; i++)
		if (req->match.params[i].name_len == len &&
		    memcmp(req->match.params[i].name, name, len) == 0)
			return arena_strndup(req->arena, req->match.params[i].value,
			                     req->match.params[i].value_len);
	return NULL;
}

const char *request_query(struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *request_header(struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int request_reply_json(struct request *req, unsigned status, json_t *body)
{
	json_decref(req->reply_json);
	req->reply_json = body;
	req->status = body != NULL ? status : 500;
	if (body == NULL)
		problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return 0;
}

int request_reply_raw(struct request *req, unsigned status, const char *content_type, char *body,
                      size_t len)
{
	free(req->reply_raw);
	req->reply_raw = body;
	req->reply_raw_len = len;
	req->reply_type = content_type;
	req->status = status;
	return 0;
}

int request_add_header(struct request *req, const char *name, const char *value)
{
	if (req->nheaders == REQUEST_MAX_HEADERS)
		return -1;
	req->headers[req->nheaders].name = arena_strdup(req->arena, name);
	req->headers[req->nheaders].value = arena_strdup(req->arena, value);
	if (req->headers[req->nheaders].name == NULL || req->headers[req->nheaders].value == NULL)
		return -1;
	req->nheaders++;
	return 0;
}

/* ---- replies ---- */

static void http_free_buffer(void *buffer)
{
	free(buffer);
}

/* Queues req's reply (or its problem) on the connection. The one place a
 * problem is rendered. */
static enum MHD_Result http_send(struct request *req)
{
	struct MHD_Response *response;
	char *body = NULL, allow[64];
	const char *type = "application/json";
	size_t len = 0;
	enum MHD_Result ret;
	int i, cache_set = 0;

	if (req->problem.type != PROBLEM_NONE) {
		json_t *doc = problem_to_json(&req->problem, req->path, req->id);

		req->status = problem_status(req->problem.type);
		type = "application/problem+json";
		json_decref(req->reply_json);
		req->reply_json = doc;
		free(req->reply_raw);
		req->reply_raw = NULL;
	}
	if (req->reply_raw != NULL) {
		body = req->reply_raw;
		len = req->reply_raw_len;
		type = req->reply_type;
		req->reply_raw = NULL;
	} else if (req->reply_json != NULL) {
		body = json_dumps(req->reply_json, JSON_COMPACT | JSON_ENCODE_ANY);
		if (body != NULL)
			len = strlen(body);
	}
	if (body == NULL && req->status != 204) {
		/* Out of memory while rendering: a fixed body says so. */
		static const char oom[] =
		        "{\"type\":\"urn:tcard:problem:internal\",\"status\":500}";

		body = strdup(oom);
		len = body != NULL ? sizeof(oom) - 1 : 0;
		req->status = 500;
		type = "application/problem+json";
	}
	if (body != NULL)
		response = MHD_create_response_from_buffer_with_free_callback(len, body,
		                                                              http_free_buffer);
	else
		response = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (response == NULL) {
		free(body);
		return MHD_NO;
	}
	if (req->status == 0)
		req->status = 200;
	if (len > 0 || req->status != 204)
		(void)MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	(void)MHD_add_response_header(response, "X-Request-Id", req->id);
	(void)MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
	if (req->problem.type == PROBLEM_METHOD)
		(void)MHD_add_response_header(
		        response, MHD_HTTP_HEADER_ALLOW,
		        router_allow_header(req->match.allowed, allow, sizeof(allow)));
	/* Nothing is cached unless a successful handler said how (public lists). */
	for (i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, MHD_HTTP_HEADER_CACHE_CONTROL) == 0) {
			if (req->status >= 400)
				continue;
			cache_set = 1;
		}
		(void)MHD_add_response_header(response, req->headers[i].name,
		                              req->headers[i].value);
	}
	if (!cache_set)
		(void)MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(req->conn, req->status, response);
	MHD_destroy_response(response);
	return ret;
}

/* A GET or HEAD that no route matched may name a file of the web UI: queues
 * it and returns 0, or returns -1 to answer the 404 problem as before. */
static int http_send_static(struct http_server *server, struct request *req,
                            enum MHD_Result *result)
{
	struct MHD_Response *response;

	if (req->problem.type != PROBLEM_NOT_FOUND || req->match.route != NULL ||
	    (req->method != HTTP_GET && req->method != HTTP_HEAD))
		return -1;
	response = static_files_reply(&server->config.static_files, req->conn, req->path,
	                              &req->status);
	if (response == NULL)
		return -1;
	problem_clear(&req->problem);
	(void)MHD_add_response_header(response, "X-Request-Id", req->id);
	*result = MHD_queue_response(req->conn, req->status, response);
	MHD_destroy_response(response);
	return 0;
}

/* ---- request life cycle ---- */

static void http_new_request_id(char out[33])
{
	unsigned char raw[16];

	randombytes_buf(raw, sizeof(raw));
	(void)sodium_bin2hex(out, 33, raw, sizeof(raw));
}

/* 1 when text is an IPv4 or IPv6 address. */
static int http_is_ip(const char *text)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, text, addr) == 1 || inet_pton(AF_INET6, text, addr) == 1;
}

/* The client's address as text: the peer, or behind nginx on this machine
 * (the peer is loopback) the X-Real-IP it sets (deploy/nginx-tcard.conf). Used
 * for login throttling and the audit log. */
static void http_client_address(struct request *req)
{
	const union MHD_ConnectionInfo *info =
	        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *peer = info != NULL ? info->client_addr : NULL;
	const char *real_ip = request_header(req, "X-Real-IP");
	int loopback = 0;

	(void)snprintf(req->address, sizeof(req->address), "unknown");
	if (peer == NULL)
		return;
	if (peer->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)peer;

		(void)inet_ntop(AF_INET, &in->sin_addr, req->address, sizeof(req->address));
		loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else if (peer->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)peer;

		(void)inet_ntop(AF_INET6, &in6->sin6_addr, req->address, sizeof(req->address));
		loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	if (loopback && real_ip != NULL && strlen(real_ip) < sizeof(req->address) &&
	    http_is_ip(real_ip))
		(void)snprintf(req->address, sizeof(req->address), "%s", real_ip);
}

static struct request *http_request_new(struct MHD_Connection *conn, const char *path,
                                        size_t body_max, size_t stream_max)
{
	struct request *req = calloc(1, sizeof(*req));

	if (req == NULL)
		return NULL;
	req->arena = arena_new(REQUEST_ARENA_MAX);
	if (req->arena == NULL) {
		free(req);
		return NULL;
	}
	req->conn = conn;
	req->path = arena_strdup(req->arena, path);
	req->started_ns = http_now_ns();
	buf_init(&req->body, body_max);
	req->stream.max = stream_max;
	http_new_request_id(req->id);
	http_client_address(req);
	return req;
}

static void http_request_free(struct request *req)
{
	/* First: a stream's state may own the request's database connection. */
	if (req->stream.release != NULL)
		req->stream.release(req);
	if (req->db != NULL)
		db_end(req->db);
	json_decref(req->json);
	json_decref(req->reply_json);
	free(req->reply_raw);
	buf_release(&req->body);
	problem_clear(&req->problem);
	arena_free(req->arena);
	free(req);
}

/* Counts a header's occurrences (for request smuggling checks). */
struct header_count {
	const char *name;
	int count;
};

static enum MHD_Result http_count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                         const char *value)
{
	struct header_count *hc = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, hc->name) == 0)
		hc->count++;
	return MHD_YES;
}

static int http_header_count(struct MHD_Connection *conn, const char *name)
{
	struct header_count hc = {name, 0};

	(void)MHD_get_connection_values(conn, MHD_HEADER_KIND, http_count_header, &hc);
	return hc.count;
}

static int http_is_json_type(const char *type)
{
	size_t len = strlen("application/json");

	if (type == NULL || strncasecmp(type, "application/json", len) != 0)
		return 0;
	type += len;
	while (*type == ' ')
		type++;
	return *type == '\0' || *type == ';';
}

/* Checks everything that can be decided from the request line and headers.
 * Returns 0 to go on reading the body, -1 with req->problem set. */
static int http_check_head(struct http_server *server, struct request *req, const char *method)
{
	const char *length, *chunked;
	int has_body;

	req->method = router_method(method);
	switch (router_match(server->config.routes, server->config.route_count, req->method,
	                     req->path, &req->match)) {
	case ROUTER_NOT_FOUND:
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	case ROUTER_METHOD_NOT_ALLOWED:
		return problem_set(&req->problem, PROBLEM_METHOD, "method %s is not allowed here",
		                   req->method ? method : "(unknown)");
	case ROUTER_FOUND:
		break;
	}
	/* Request smuggling: refuse ambiguous framing outright. */
	length = request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	chunked = request_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (http_header_count(req->conn, MHD_HTTP_HEADER_CONTENT_LENGTH) > 1 ||
	    (length != NULL && chunked != NULL))
		return problem_set(&req->problem, PROBLEM_BAD_REQUEST,
		                   "ambiguous message framing (Content-Length with "
		                   "Transfer-Encoding, or two Content-Length headers)");
	if (auth_authorize(req) != 0)
		return -1;
	has_body = chunked != NULL || (length != NULL && strcmp(length, "0") != 0);
	if (req->match.route->body == ROUTE_BODY_NONE) {
		if (has_body)
			return problem_set(&req->problem, PROBLEM_MEDIA_TYPE,
			                   "this endpoint takes no request body");
	} else if (req->match.route->body == ROUTE_BODY_JSON) {
		if (!http_is_json_type(request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE)))
			return problem_set(&req->problem, PROBLEM_MEDIA_TYPE,
			                   "the body must be application/json");
		if (length != NULL && strtoull(length, NULL, 10) > req->body.max)
			return problem_set(&req->problem, PROBLEM_TOO_LARGE,
			                   "the body may have at most %zu bytes", req->body.max);
	} else if (req->match.route->body == ROUTE_BODY_STREAM) {
		/* The content type is the handler's to check; the size is checked here. */
		if (length != NULL && strtoull(length, NULL, 10) > req->stream.max)
			return problem_set(&req->problem, PROBLEM_TOO_LARGE,
			                   "the body may have at most %zu bytes", req->stream.max);
	}
	return 0;
}

/* Hands one piece of a streamed body to the handler's chunk function, within
 * the size limit; a refusal makes the rest of the body discarded. */
static void http_stream_chunk(struct request *req, const char *data, size_t len)
{
	/* After an early reply (the handler refused before the body) nothing reads it. */
	if (req->discard_body || req->early || req->stream.chunk == NULL)
		return;
	req->stream.received += len;
	if (req->stream.received > req->stream.max) {
		req->discard_body = 1;
		problem_set(&req->problem, PROBLEM_TOO_LARGE, "the body may have at most %zu bytes",
		            req->stream.max);
		return;
	}
	if (req->stream.chunk(req, data, len) != 0) {
		req->discard_body = 1;
		if (req->problem.type == PROBLEM_NONE)
			problem_set(&req->problem, PROBLEM_INTERNAL, "the request failed");
	}
}

/* Parses the JSON body and runs the handler; the reply or problem is left in req. */
/* Forgets a failed attempt's reply, headers and problem before the next one. */
static void http_reset_reply(struct request *req)
{
	json_decref(req->reply_json);
	req->reply_json = NULL;
	free(req->reply_raw);
	req->reply_raw = NULL;
	req->reply_raw_len = 0;
	req->reply_type = NULL;
	req->status = 0;
	req->nheaders = 0;
	problem_clear(&req->problem);
}

/* Runs the handler; a transaction that failed on a serialization failure or a
 * deadlock (40001, 40P01) was rolled back whole, so it runs again, at most
 * HTTP_RETRIES times, after a short random pause (SECURITY.md 7). */
static void http_run_handler(struct request *req)
{
	int attempt;

	if (req->match.route->body == ROUTE_BODY_JSON) {
		req->json = json_in_parse(req->body.data, req->body.len, &req->problem);
		if (req->json == NULL)
			return;
	}
	for (attempt = 0;; attempt++) {
		int failed = req->match.route->handler(req) != 0;

		if (req->db != NULL)
			db_end(req->db);
		if (!failed || !db_retryable(req->db) || attempt == HTTP_RETRIES) {
			if (failed && req->problem.type == PROBLEM_NONE)
				problem_set(&req->problem, PROBLEM_INTERNAL, "the request failed");
			return;
		}
		log_event(LOG_INFO, "request_retried", "request_id=%s attempt=%d", req->id,
		          attempt + 1);
		http_reset_reply(req);
		(void)usleep((useconds_t)(1000u << attempt) + randombytes_uniform(5000));
	}
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **con_cls)
{
	struct http_server *server = cls;
	struct request *req = *con_cls;

	(void)version;
	if (req == NULL) {
		req = http_request_new(conn, url, server->config.json_body_max,
		                       server->config.stream_body_max);
		if (req == NULL)
			return MHD_NO;
		*con_cls = req;
		atomic_fetch_add(&server->in_flight, 1);
		metrics_request_begin();
		if (http_check_head(server, req, method) != 0) {
			enum MHD_Result result;

			req->early = 1;
			if (http_send_static(server, req, &result) == 0)
				return result;
			return http_send(req);
		}
		/* A streamed body: the handler opens its sink before the first byte. */
		if (req->match.route->body == ROUTE_BODY_STREAM &&
		    (req->match.route->handler(req) != 0 || req->stream.chunk == NULL ||
		     req->stream.finish == NULL)) {
			if (req->problem.type == PROBLEM_NONE)
				problem_set(&req->problem, PROBLEM_INTERNAL, "the request failed");
			req->early = 1;
			return http_send(req);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0 && req->match.route->body == ROUTE_BODY_STREAM) {
		http_stream_chunk(req, upload_data, *upload_data_size);
		if (req->discard_body) {
			req->discarded += *upload_data_size;
			if (req->discarded > DISCARD_MAX)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!req->discard_body &&
		    buf_append(&req->body, upload_data, *upload_data_size) != 0) {
			/* A chunked body outgrew the limit: say 413 once it has arrived. */
			req->discard_body = 1;
			buf_release(&req->body);
			problem_set(&req->problem, PROBLEM_TOO_LARGE,
			            "the body may have at most %zu bytes", req->body.max);
		}
		if (req->discard_body) {
			req->discarded += *upload_data_size;
			if (req->discarded > DISCARD_MAX)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->early)
		return MHD_YES;
	if (req->problem.type == PROBLEM_NONE) {
		if (req->match.route->body != ROUTE_BODY_STREAM)
			http_run_handler(req);
		else if (req->stream.finish(req) != 0 && req->problem.type == PROBLEM_NONE)
			problem_set(&req->problem, PROBLEM_INTERNAL, "the request failed");
	}
	return http_send(req);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode code)
{
	struct http_server *server = cls;
	struct request *req = *con_cls;
	long duration_us;

	(void)conn;
	if (req == NULL)
		return;
	duration_us = (long)((http_now_ns() - req->started_ns) / 1000);
	log_event(LOG_INFO, "request",
	          "request_id=%s method=%s route=%s status=%u duration_us=%ld%s", req->id,
	          router_method_name(req->method),
	          req->match.route != NULL ? req->match.route->pattern : "-", req->status,
	          duration_us, code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
	metrics_observe_request(req->match.route, req->status, duration_us);
	http_request_free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&server->in_flight, 1);
}

static int http_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX in the URL path and arguments in place, as libmicrohttpd's own
 * does, except %00: decoded, it would silently cut the text at the NUL
 * ("/index.html%00.png" would serve index.html), so it stays as it came and
 * the static files refuse any '%' left in a path. */
static size_t http_unescape(void *cls, struct MHD_Connection *conn, char *text)
{
	char *out = text;
	const char *in = text;

	(void)cls;
	(void)conn;
	while (*in != '\0') {
		int high = in[0] == '%' ? http_hex_digit(in[1]) : -1;
		int low = high >= 0 ? http_hex_digit(in[2]) : -1;

		if (low >= 0 && (high | low) != 0) {
			*out++ = (char)(high * 16 + low);
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return (size_t)(out - text);
}

static void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char message[256], quoted[300];

	(void)cls;
	(void)vsnprintf(message, sizeof(message), fmt, ap);
	message[strcspn(message, "\n")] = '\0';
	log_event(LOG_WARN, "http", "message=%s", log_quote(quoted, sizeof(quoted), message));
}

struct http_server *http_start(const struct http_config *config, struct err *err)
{
	struct http_server *server;
	struct sockaddr_storage addr;
	char host[256];
	unsigned port;

	memset(&addr, 0, sizeof(addr));
	if (http_parse_listen(config->listen, host, sizeof(host), &port) != 0) {
		err_set(err, "invalid listen address \"%s\": expected HOST:PORT", config->listen);
		return NULL;
	}
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&addr)->sin_addr) == 1) {
		((struct sockaddr_in *)&addr)->sin_family = AF_INET;
		((struct sockaddr_in *)&addr)->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&addr)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&addr)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&addr)->sin6_port = htons((uint16_t)port);
	} else {
		err_set(err, "invalid listen host \"%s\": expected an IPv4 or IPv6 address", host);
		return NULL;
	}
	server = calloc(1, sizeof(*server));
	if (server == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	server->config = *config;
	atomic_init(&server->in_flight, 0);
	server->daemon = MHD_start_daemon(
	        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	        0, NULL, NULL, http_access, server, MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
	        MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE, config->workers,
	        MHD_OPTION_CONNECTION_LIMIT, config->connection_limit,
	        MHD_OPTION_PER_IP_CONNECTION_LIMIT, config->per_address_limit,
	        MHD_OPTION_CONNECTION_TIMEOUT, config->idle_timeout,
	        MHD_OPTION_CONNECTION_MEMORY_LIMIT, config->connection_memory,
	        MHD_OPTION_NOTIFY_COMPLETED, http_completed, server, MHD_OPTION_UNESCAPE_CALLBACK,
	        http_unescape, NULL, MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
	if (server->daemon == NULL) {
		err_set(err, "cannot listen on %s: %s", config->listen,
		        errno ? strerror(errno) : "libmicrohttpd refused to start");
		free(server);
		return NULL;
	}
	return server;
}

unsigned http_port(const struct http_server *server)
{
	const union MHD_DaemonInfo *info =
	        MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return info != NULL ? info->port : 0;
}

void http_stop(struct http_server *server, unsigned grace_ms)
{
	unsigned waited = 0;
	MHD_socket listener;

	if (server == NULL)
		return;
	listener = MHD_quiesce_daemon(server->daemon);
	if (listener != MHD_INVALID_SOCKET)
		(void)close(listener);
	while (atomic_load(&server->in_flight) > 0 && waited < grace_ms) {
		(void)usleep(10000);
		waited += 10;
	}
	MHD_stop_daemon(server->daemon);
	free(server);
}
