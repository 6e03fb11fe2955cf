/* http.h — the HTTP server: libmicrohttpd with its internal epoll thread pool,
 * routing through the route table, bounded request bodies, JSON and
 * problem+json replies, request ids and one access-log line per request. */
#ifndef TCARD_HTTP_H
#define TCARD_HTTP_H

#include "err.h"
#include "router.h"
#include "static_files.h"

#include <stddef.h>
#include <stdint.h>

struct http_config {
	const char *listen;         /* "127.0.0.1:8080", "[::1]:8080", port 0 picks one */
	unsigned workers;           /* threads in the pool; one database connection each */
	unsigned connection_limit;  /* total open connections */
	unsigned per_address_limit; /* per client address; 0 = unlimited (behind a proxy) */
	unsigned idle_timeout;      /* seconds of inactivity before a connection is closed */
	size_t connection_memory;   /* bytes of buffer per connection */
	size_t json_body_max;       /* bytes of a JSON request body */
	size_t stream_body_max;     /* bytes of a streamed body (ROUTE_BODY_STREAM) */
	const struct route *routes;
	size_t route_count;
	struct static_files_config static_files; /* the web UI, for paths no route has */
	/* Called once per request before routing, to resolve who asks. */
};

struct http_server;

struct http_server *http_start(const struct http_config *config, struct err *err);
/* The port actually bound (useful with port 0). */
unsigned http_port(const struct http_server *server);
/* Stops accepting, waits up to grace_ms for requests in flight, then stops. */
void http_stop(struct http_server *server, unsigned grace_ms);

/* Parses "host:port" / "[v6]:port" (pure; exposed for tests). Returns 0 or -1. */
int http_parse_listen(const char *listen, char *host, size_t host_size, unsigned *port);

#endif
