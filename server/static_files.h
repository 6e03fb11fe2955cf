/* static_files.h — the web UI's static files: GET and HEAD of paths outside
 * /api/ that no route matched, served from the web root, and a short
 * allow-list of npm files (ECharts) from the vendor directory. */
#ifndef TCARD_STATIC_FILES_H
#define TCARD_STATIC_FILES_H

struct MHD_Connection;
struct MHD_Response;

struct static_files_config {
	const char *web_root;   /* NULL: no static files */
	const char *vendor_dir; /* npm's node_modules; NULL: WEB_ROOT/../node_modules */
};

/* The reply to a GET or HEAD of path (decoded, as libmicrohttpd hands it
 * over), with its status (200, or 304 when If-None-Match holds its ETag) in
 * *status; the caller queues and destroys it. NULL when there is no such
 * file to serve (the caller answers 404), refused paths included: "..",
 * "//", backslashes, hidden segments, anything that is not a regular file
 * or whose real path leaves its root. */
struct MHD_Response *static_files_reply(const struct static_files_config *config,
                                        struct MHD_Connection *conn, const char *path,
                                        unsigned *status);

/* The Content-Type for a file name by its extension (pure; for tests). */
const char *static_files_content_type(const char *name);

/* 1 when path (starting with '/') is one static_files_reply may look up:
 * outside /api/, no "..", "//", backslash, '%', control byte or hidden
 * segment (pure; for tests). */
int static_files_path_ok(const char *path);

#endif
