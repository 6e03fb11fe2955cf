/* static_files.c — the web UI's files (static_files.h). A path is checked as
 * text first, then resolved with realpath and must stay inside its root; the
 * file is sent from its descriptor, so nothing is buffered whatever its size. */
#include "static_files.h"

#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pages hold no inline script or style; ECharts styles elements through the
 * CSSOM, which style-src does not govern. */
#define STATIC_CSP                                                                        \
	"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " \
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
#define STATIC_PATH_MAX 512

struct static_type {
	const char *extension;
	const char *content_type;
};

static const struct static_type static_types[] = {
        {"html", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"ico", "image/x-icon"},
        {"json", "application/json"},
        {"woff2", "font/woff2"},
        {"txt", "text/plain; charset=utf-8"},
};

/* The npm files a page may import, by URL. Nothing else under node_modules
 * is reachable: the ES-module build of ECharts needs no other file. */
struct static_vendor_file {
	const char *url;
	const char *package_path;
};

static const struct static_vendor_file static_vendor_files[] = {
        {"/vendor/echarts.js", "echarts/dist/echarts.esm.min.mjs"},
};

const char *static_files_content_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot != NULL && strchr(dot, '/') == NULL)
		for (i = 0; i < sizeof(static_types) / sizeof(static_types[0]); i++)
			if (strcasecmp(dot + 1, static_types[i].extension) == 0)
				return static_types[i].content_type;
	return "application/octet-stream";
}

/* 1 when a segment (len bytes, no '/') may name a file: not empty, not hidden
 * (".", "..", ".git"), no backslash, '%' (left by a double encoding) or
 * control byte. */
static int static_segment_ok(const char *segment, size_t len)
{
	size_t i;

	if (len == 0 || segment[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)segment[i];

		if (c < 0x20 || c == 0x7f || c == '\\' || c == '%')
			return 0;
	}
	return 1;
}

int static_files_path_ok(const char *path)
{
	const char *segment, *slash;
	size_t len = strlen(path);

	if (path[0] != '/' || len >= STATIC_PATH_MAX || strncmp(path, "/api/", 5) == 0 ||
	    strcmp(path, "/api") == 0)
		return 0;
	if (strcmp(path, "/") == 0)
		return 1;
	for (segment = path + 1;; segment = slash + 1) {
		slash = strchr(segment, '/');
		if (!static_segment_ok(segment,
		                       slash != NULL ? (size_t)(slash - segment) : strlen(segment)))
			return 0;
		if (slash == NULL)
			return 1;
	}
}

/* Opens root/relative for reading when it is a regular file whose real path
 * lies inside root's real path (a symlink may point within the root, never
 * out of it). Returns the descriptor with its stat in *st, or -1. */
static int static_open_inside(const char *root, const char *relative, struct stat *st)
{
	char joined[PATH_MAX], root_real[PATH_MAX], file_real[PATH_MAX];
	size_t root_len;
	int n, fd;

	n = snprintf(joined, sizeof(joined), "%s/%s", root, relative);
	if (n < 0 || (size_t)n >= sizeof(joined) || realpath(root, root_real) == NULL ||
	    realpath(joined, file_real) == NULL)
		return -1;
	root_len = strlen(root_real);
	if (strncmp(file_real, root_real, root_len) != 0 ||
	    (file_real[root_len] != '/' && root_len > 1))
		return -1;
	fd = open(file_real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* The vendor file that url names, opened, or -1 (also when url is none). */
static int static_open_vendor(const struct static_files_config *config, const char *url,
                              struct stat *st)
{
	char default_dir[PATH_MAX];
	const char *dir = config->vendor_dir;
	size_t i;
	int n;

	for (i = 0; i < sizeof(static_vendor_files) / sizeof(static_vendor_files[0]); i++) {
		if (strcmp(url, static_vendor_files[i].url) != 0)
			continue;
		if (dir == NULL) {
			n = snprintf(default_dir, sizeof(default_dir), "%s/../node_modules",
			             config->web_root);
			if (n < 0 || (size_t)n >= sizeof(default_dir))
				return -1;
			dir = default_dir;
		}
		return static_open_inside(dir, static_vendor_files[i].package_path, st);
	}
	return -1;
}

/* 1 when the If-None-Match header names etag (or is "*"). */
static int static_etag_matches(struct MHD_Connection *conn, const char *etag)
{
	const char *header =
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);

	return header != NULL && (strcmp(header, "*") == 0 || strstr(header, etag) != NULL);
}

static void static_add_headers(struct MHD_Response *response, const char *content_type,
                               const char *etag)
{
	(void)MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	(void)MHD_add_response_header(response, MHD_HTTP_HEADER_ETAG, etag);
	/* Revalidate every time: a new release must reach every page at once. */
	(void)MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	(void)MHD_add_response_header(response, "Content-Security-Policy", STATIC_CSP);
	(void)MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
	(void)MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
}

struct MHD_Response *static_files_reply(const struct static_files_config *config,
                                        struct MHD_Connection *conn, const char *path,
                                        unsigned *status)
{
	struct MHD_Response *response;
	struct stat st;
	char etag[64];
	const char *relative = strcmp(path, "/") == 0 ? "index.html" : path + 1;
	int fd;

	if (config->web_root == NULL || !static_files_path_ok(path))
		return NULL;
	fd = static_open_vendor(config, path, &st);
	if (fd < 0 && strncmp(path, "/vendor/", 8) != 0)
		fd = static_open_inside(config->web_root, relative, &st);
	if (fd < 0)
		return NULL;
	/* Size and modification time: a changed file gets a new tag. */
	(void)snprintf(etag, sizeof(etag), "\"%llx-%llx.%lx\"", (unsigned long long)st.st_size,
	               (unsigned long long)st.st_mtim.tv_sec, (unsigned long)st.st_mtim.tv_nsec);
	if (static_etag_matches(conn, etag)) {
		(void)close(fd);
		response = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		*status = MHD_HTTP_NOT_MODIFIED;
	} else {
		/* Takes the descriptor: closed when the response is destroyed. */
		response = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
		if (response == NULL)
			(void)close(fd);
		*status = MHD_HTTP_OK;
	}
	if (response != NULL)
		static_add_headers(response, static_files_content_type(relative), etag);
	return response;
}
