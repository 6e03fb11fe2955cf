/* client.h — what the commands that talk to tcardd share: a bounded reply
 * buffer for libcurl and the mapping of failures to exit statuses
 * (sysexits.h: 65 data, 69 unavailable, 77 not allowed). */
#ifndef TCARD_CLI_CLIENT_H
#define TCARD_CLI_CLIENT_H

#include <curl/curl.h>
#include <stddef.h>

#define CLIENT_EXIT_USAGE       64
#define CLIENT_EXIT_DATA        65
#define CLIENT_EXIT_UNAVAILABLE 69
#define CLIENT_EXIT_SOFTWARE    70
#define CLIENT_EXIT_NOPERM      77

/* The reply's body, NUL-terminated, kept up to max bytes (the rest is
 * dropped and truncated set). Owned by the caller: client_reply_clear. */
struct client_reply {
	char *body;
	size_t len, max;
	int truncated;
};

/* CURLOPT_WRITEFUNCTION for a struct client_reply. */
size_t client_reply_write(char *data, size_t size, size_t count, void *userdata);

void client_reply_clear(struct client_reply *reply);

/* The exit status for an HTTP status that is not success. */
int client_status_exit(long status);

#endif
