/* bench_mhd_min.c — the HTTP layer's limit for run.sh (tests/bench/README.md):
 * a minimal libmicrohttpd server with the threading and connection options
 * of server/http.c's MHD_start_daemon, answering every request with the JSON
 * tcardd's /healthz sends. No routing, no auth, no logging, no arena: what
 * is left is libmicrohttpd and the kernel. Runs until SIGINT or SIGTERM.
 *
 *   bench_mhd_min PORT [WORKERS]   (WORKERS: tcardd's --workers, default 4) */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char body[] = "{\"status\": \"ok\"}";
static int seen; /* *state of a request whose headers were seen */

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
	struct MHD_Response *response;
	enum MHD_Result ret;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	/* The first call has the headers only: a response queued then, before
	 * the (empty) body was read, makes libmicrohttpd close the connection.
	 * tcardd answers on the last call, as here. */
	if (*state == NULL) {
		*state = &seen;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	response = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
	                                           MHD_RESPMEM_PERSISTENT);
	if (response == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ret = MHD_queue_response(connection, MHD_HTTP_OK, response);
	MHD_destroy_response(response);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *connection, void **state,
                      enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)connection;
	(void)state;
	(void)code;
}

int main(int argc, char **argv)
{
	struct MHD_Daemon *daemon;
	struct sockaddr_in addr;
	unsigned port, workers = 4;

	if (argc < 2 || argc > 3) {
		(void)fprintf(stderr, "usage: bench_mhd_min PORT [WORKERS]\n");
		return 64;
	}
	port = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc == 3)
		workers = (unsigned)strtoul(argv[2], NULL, 10);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)signal(SIGINT, on_signal);
	(void)signal(SIGTERM, on_signal);
	/* As server/http.c with its defaults (server/config.c). */
	daemon = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG,
	                          (uint16_t)port, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR,
	                          &addr, MHD_OPTION_THREAD_POOL_SIZE, workers,
	                          MHD_OPTION_CONNECTION_LIMIT, 2000u, MHD_OPTION_CONNECTION_TIMEOUT,
	                          15u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	                          MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	                          MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
	if (daemon == NULL) {
		(void)fprintf(stderr, "bench_mhd_min: cannot listen on port %u\n", port);
		return 1;
	}
	while (!stopping)
		(void)pause();
	MHD_stop_daemon(daemon);
	return 0;
}
