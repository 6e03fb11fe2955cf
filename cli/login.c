/* login.c — `tcard login`: POST /api/v1/login (session cookie and CSRF token),
 * then POST /api/v1/tokens with them for a token named "tcard CLI on HOST",
 * stored 0600 with the server's address (config.h). The password is read
 * without echo and wiped after use. */
#include "login.h"

#include "client.h"
#include "config.h"

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int login_read_password(char *out, size_t size)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), rc = 0;
	size_t len;

	if (tty) {
		(void)fputs("密码 / password: ", stderr);
		(void)fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			return -1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
			return -1;
	}
	if (fgets(out, (int)size, stdin) == NULL)
		rc = -1;
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		(void)fputc('\n', stderr);
	}
	if (rc != 0)
		return -1;
	len = strlen(out);
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	return len > 0 ? 0 : -1;
}

/* POSTs body (borrowed) as JSON to base + path; the reply in reply. */
static CURLcode login_post(CURL *curl, const char *base, const char *path,
                           struct curl_slist *headers, const json_t *body,
                           struct client_reply *reply, long *status)
{
	char url[4096];
	char *text = json_dumps(body, JSON_COMPACT);
	CURLcode rc;

	*status = 0;
	if (text == NULL || snprintf(url, sizeof(url), "%s%s", base, path) >= (int)sizeof(url)) {
		free(text);
		return CURLE_URL_MALFORMAT;
	}
	client_reply_clear(reply);
	(void)curl_easy_setopt(curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	(void)curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, text);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, client_reply_write);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	free(text);
	return rc;
}

int login_command(int argc, char **argv)
{
	const char *server = NULL, *user = NULL, *token = NULL;
	char password[256], host[256], name[400], csrf_header[300], base[2048], path[4096];
	struct client_reply reply = {NULL, 0, 1024 * 1024, 0};
	struct curl_slist *headers = NULL, *token_headers = NULL;
	json_t *body = NULL, *doc = NULL;
	CURL *curl = NULL;
	const char *csrf;
	long status;
	CURLcode rc;
	int i, exit_status = CLIENT_EXIT_USAGE;
	size_t len;

	password[0] = '\0';
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--server") == 0 && i + 1 < argc)
			server = argv[++i];
		else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else
			goto usage;
	}
	if (server == NULL)
		server = getenv("TCARD_SERVER");
	if (server == NULL || user == NULL)
		goto usage;
	len = strlen(server);
	while (len > 0 && server[len - 1] == '/')
		len--;
	if (snprintf(base, sizeof(base), "%.*s", (int)len, server) >= (int)sizeof(base))
		goto usage;
	if (login_read_password(password, sizeof(password)) != 0) {
		(void)fputs("tcard login: 没有读到密码 / no password read\n", stderr);
		goto done;
	}
	curl = curl_easy_init();
	headers = curl_slist_append(NULL, "Content-Type: application/json");
	body = json_pack("{s:s, s:s}", "username", user, "password", password);
	if (curl == NULL || headers == NULL || body == NULL) {
		exit_status = CLIENT_EXIT_SOFTWARE;
		goto done;
	}
	(void)curl_easy_setopt(curl, CURLOPT_COOKIEFILE, ""); /* the session cookie, in memory */
	(void)curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
	(void)curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = login_post(curl, base, "/api/v1/login", headers, body, &reply, &status);
	json_decref(body);
	body = NULL;
	if (rc != CURLE_OK) {
		(void)fprintf(stderr,
		              "tcard login: 无法连接服务器 / cannot reach the server %s: %s\n",
		              base, curl_easy_strerror(rc));
		exit_status = CLIENT_EXIT_UNAVAILABLE;
		goto done;
	}
	doc = reply.body != NULL ? json_loads(reply.body, 0, NULL) : NULL;
	csrf = json_string_value(json_object_get(doc, "csrf_token"));
	if (status != 200 || csrf == NULL) {
		(void)fprintf(stderr, "tcard login: 登录失败 / login failed (%ld)\n", status);
		exit_status = status == 200 ? CLIENT_EXIT_SOFTWARE : client_status_exit(status);
		goto done;
	}
	if (gethostname(host, sizeof(host)) != 0)
		(void)snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	(void)snprintf(name, sizeof(name), "tcard CLI on %s", host);
	(void)snprintf(csrf_header, sizeof(csrf_header), "X-CSRF-Token: %s", csrf);
	token_headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (token_headers != NULL)
		token_headers = curl_slist_append(token_headers, csrf_header);
	body = json_pack("{s:s}", "name", name);
	if (token_headers == NULL || body == NULL) {
		exit_status = CLIENT_EXIT_SOFTWARE;
		goto done;
	}
	rc = login_post(curl, base, "/api/v1/tokens", token_headers, body, &reply, &status);
	json_decref(doc);
	doc = rc == CURLE_OK && reply.body != NULL ? json_loads(reply.body, 0, NULL) : NULL;
	token = json_string_value(json_object_get(doc, "token"));
	if (rc != CURLE_OK || status != 201 || token == NULL) {
		(void)fprintf(stderr, "tcard login: 无法创建令牌 / cannot create a token (%ld)\n",
		              status);
		exit_status = rc != CURLE_OK ? CLIENT_EXIT_UNAVAILABLE : client_status_exit(status);
		goto done;
	}
	if (config_write("token", token) != 0 || config_write("server", base) != 0 ||
	    config_path("token", path, sizeof(path)) != 0) {
		(void)fputs("tcard login: 无法保存令牌 / cannot store the token\n", stderr);
		exit_status = 73;
		goto done;
	}
	(void)fprintf(stderr, "已登录，令牌保存在 / logged in, token stored in %s\n", path);
	exit_status = 0;
	goto done;
usage:
	(void)fputs("用法 / usage: tcard login --server URL --user NAME\n", stderr);
done:
	sodium_memzero(password, sizeof(password));
	json_decref(body);
	json_decref(doc);
	curl_slist_free_all(headers);
	curl_slist_free_all(token_headers);
	if (curl != NULL)
		curl_easy_cleanup(curl);
	client_reply_clear(&reply);
	return exit_status;
}
