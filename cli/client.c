/* client.c — the reply buffer and exit statuses shared by `tcard import` and
 * `tcard login`. The buffer has a maximum so a runaway reply cannot take the
 * memory that streaming the upload saves. */
#include "client.h"

#include <stdlib.h>
#include <string.h>

size_t client_reply_write(char *data, size_t size, size_t count, void *userdata)
{
	struct client_reply *reply = userdata;
	size_t n = size * count, keep = n;
	char *grown;

	if (reply->len + keep > reply->max) {
		keep = reply->max - reply->len;
		reply->truncated = 1;
	}
	if (keep > 0) {
		grown = realloc(reply->body, reply->len + keep + 1);
		if (grown == NULL)
			return 0;
		reply->body = grown;
		memcpy(reply->body + reply->len, data, keep);
		reply->len += keep;
		reply->body[reply->len] = '\0';
	}
	return n;
}

void client_reply_clear(struct client_reply *reply)
{
	free(reply->body);
	reply->body = NULL;
	reply->len = 0;
	reply->truncated = 0;
}

int client_status_exit(long status)
{
	if (status == 401 || status == 403)
		return CLIENT_EXIT_NOPERM;
	if (status == 422 || status == 413 || status == 400)
		return CLIENT_EXIT_DATA;
	if (status >= 500 || status == 0)
		return CLIENT_EXIT_UNAVAILABLE;
	return CLIENT_EXIT_SOFTWARE;
}
