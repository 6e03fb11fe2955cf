/* api_qr.c — GET /api/v1/certificates/{id}/qr.svg and qr.png: the code a
 * certificate shows ("亮证即亮码"), holding <public base URL>/v/<token> with
 * the token signed by sign.c over {officer id, created_at, number}
 * (doc/qr-token.md). Every status gets a code: the page it opens tells the
 * truth about the status. Row-level security decides who sees the
 * certificate (an officer only its own); everything else answers 404. */
#include "api_qr.h"

#include "api.h"
#include "arena.h"
#include "qr.h"
#include "request.h"
#include "sign.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QR_MODULE_DEFAULT 8
#define QR_MARGIN_DEFAULT 4
/* The image depends on the certificate, the current key and the public URL,
 * not on live status: a short private cache is enough. */
#define QR_CACHE "private, max-age=300"

enum qr_stmt { QR_CERTIFICATE, QR_STMT_COUNT };

static const struct db_stmt qr_stmts[QR_STMT_COUNT] = {
        /* The claim of the token; issued_at is created_at, so the code of a
         * certificate stays the same while the key does. */
        [QR_CERTIFICATE] = {"qr_certificate",
                            "SELECT officer_id, extract(epoch FROM created_at)::bigint, number"
                            " FROM certificate WHERE id = $1"},
};

const struct db_stmt_table api_qr_statements = {qr_stmts, QR_STMT_COUNT};

const char *api_qr_url(struct request *req, const char *officer_id, const char *issued_at,
                       const char *number)
{
	struct sign_claim claim;
	char token[SIGN_TOKEN_MAX];
	const char *base = sign_public_url(), *url;
	size_t n = strlen(number);

	memset(&claim, 0, sizeof(claim));
	claim.officer_id = strtoull(officer_id, NULL, 10);
	claim.issued_at = (uint32_t)strtoul(issued_at, NULL, 10);
	if (n > SIGN_NUMBER_MAX) {
		(void)problem_set(&req->problem, PROBLEM_INTERNAL, "cannot sign this certificate");
		return NULL;
	}
	memcpy(claim.number, number, n + 1);
	if (sign_token_issue(&claim, token, sizeof(token)) != 0) {
		(void)problem_set(&req->problem, PROBLEM_INTERNAL, "cannot sign the QR token");
		return NULL;
	}
	url = arena_printf(req->arena, "%s/v/%s", base, token);
	if (url == NULL)
		(void)problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return url;
}

/* An optional whole-number query argument within min..max; fallback when
 * absent. -1 with a field error otherwise. */
static int qr_query_number(struct request *req, const char *name, unsigned min, unsigned max,
                           unsigned fallback, unsigned *value)
{
	const char *text = request_query(req, name);
	size_t n;
	char message[120];

	*value = fallback;
	if (text == NULL)
		return 0;
	n = strspn(text, "0123456789");
	if (n > 0 && n <= 3 && text[n] == '\0' && (unsigned)atoi(text) >= min &&
	    (unsigned)atoi(text) <= max) {
		*value = (unsigned)atoi(text);
		return 0;
	}
	(void)snprintf(message, sizeof(message),
	               "应为 %u 至 %u 的整数 / a whole number from %u to %u", min, max, min, max);
	return problem_field(&req->problem, name, "range", message);
}

/* A strong validator of what is drawn: the URL (so a new key or base URL
 * changes it), the format, the module size and the margin. */
static const char *qr_etag(struct request *req, const char *url, const char *format,
                           unsigned module, unsigned margin)
{
	unsigned char hash[16];
	char hex[33];
	const char *what = arena_printf(req->arena, "%s\n%s\n%u\n%u", url, format, module, margin);

	if (what == NULL || crypto_generichash(hash, sizeof(hash), (const unsigned char *)what,
	                                       strlen(what), NULL, 0) != 0)
		return NULL;
	(void)sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	return arena_printf(req->arena, "\"%s\"", hex);
}

/* 1 when If-None-Match names etag (or is "*"). */
static int qr_not_modified(struct request *req, const char *etag)
{
	const char *header = request_header(req, "If-None-Match");

	return header != NULL && (strcmp(header, "*") == 0 || strstr(header, etag) != NULL);
}

static int qr_reply(struct request *req, int png)
{
	const char *id = api_id_param(req, "id");
	const char *type = png ? "image/png" : "image/svg+xml";
	const char *url, *etag;
	unsigned module, margin;
	int bad;
	PGresult *res;
	void *image;
	size_t len = 0;

	if (id == NULL)
		return -1;
	bad = qr_query_number(req, "size", QR_MODULE_MIN, QR_MODULE_MAX, QR_MODULE_DEFAULT,
	                      &module) != 0;
	bad |= qr_query_number(req, "margin", QR_MARGIN_MIN, QR_MARGIN_MAX, QR_MARGIN_DEFAULT,
	                       &margin) != 0;
	if (bad)
		return -1;
	if (db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &qr_stmts[QR_CERTIFICATE], 1, &id);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	url = api_qr_url(req, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
	if (url == NULL)
		return -1;
	etag = qr_etag(req, url, type, module, margin);
	if (etag == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	(void)request_add_header(req, "ETag", etag);
	(void)request_add_header(req, "Cache-Control", QR_CACHE);
	(void)request_add_header(req, "Vary", "Cookie, Authorization");
	if (qr_not_modified(req, etag)) {
		char *empty = calloc(1, 1);

		if (empty == NULL)
			return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
		return request_reply_raw(req, 304, type, empty, 0);
	}
	image = png ? (void *)qr_png(url, module, margin, &len)
	            : (void *)qr_svg(url, module, margin, &len);
	if (image == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "cannot draw the QR code");
	return request_reply_raw(req, 200, type, image, len);
}

int api_qr_svg(struct request *req)
{
	return qr_reply(req, 0);
}

int api_qr_png(struct request *req)
{
	return qr_reply(req, 1);
}
