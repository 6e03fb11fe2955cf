/* api_public.c — the published cancellations of certificates (002 §4; lost
 * certificates are announced, 004 §3), for anyone without logging in:
 * certificate number, masked name, unit, date and reason category, newest
 * first, as JSON pages and as CSV. The request carries no scope, so row-level
 * security shows it nothing; schema 008's public_cancelled_certificates
 * (SECURITY DEFINER) selects exactly these columns and nothing more personal. */
#include "api_public.h"

#include "api.h"
#include "arena.h"
#include "buf.h"
#include "csv.h"
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows in one CSV download, newest first. */
#define PUBLIC_CSV_MAX 10000
/* public_cancelled_certificates returns at most this many rows a call. */
#define PUBLIC_CHUNK 500

#define PUBLIC_CACHE "public, max-age=300"

enum public_stmt { PUBLIC_CANCELLED, PUBLIC_STMT_COUNT };

static const struct db_stmt public_stmts[PUBLIC_STMT_COUNT] = {
        /* $1 the last event id shown (0: from the newest), $2 page size */
        [PUBLIC_CANCELLED] = {"public_cancelled",
                              "SELECT event_id, number, name_masked, unit, cancelled_on,"
                              " reason_category FROM public_cancelled_certificates($1, $2)"},
};

const struct db_stmt_table api_public_statements = {public_stmts, PUBLIC_STMT_COUNT};

/* The published reason categories (the function folds every other one into
 * 'other'), as "中文 / English". */
static const char *public_reason_label(const char *category)
{
	static const char *const labels[][2] = {
	        {"transferred", "调动 / transferred"},
	        {"resigned", "辞职 / resigned"},
	        {"dismissed", "辞退 / dismissed"},
	        {"retired", "退休 / retired"},
	        {"hours_short", "培训学时不足 / training hours short"},
	        {"assessment_fail", "年度考核不合格 / failed annual assessments"},
	        {"not_eligible", "不符合持证条件 / not eligible to hold a certificate"},
	        {"lost", "遗失 / lost"},
	        {"expired", "有效期届满 / expired"},
	        {"misconduct", "违法违纪 / violation of law or discipline"},
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i][0], category) == 0)
			return labels[i][1];
	return "其他 / other";
}

int api_public_cancelled(struct request *req)
{
	struct api_page page;
	const char *params[2];
	json_t *items, *reply, *item;
	PGresult *res;
	size_t i;
	int row;

	if (api_page_read(req, &page) != 0)
		return -1;
	params[0] = page.after_id;
	params[1] = page.limit;
	if (db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &public_stmts[PUBLIC_CANCELLED], 2, params);
	if (res == NULL)
		return -1;
	items = json_array();
	for (row = 0; items != NULL && row < PQntuples(res); row++) {
		/* "id" (the event) makes the cursor and is dropped below. */
		item = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		                 (json_int_t)strtoll(PQgetvalue(res, row, 0), NULL, 10), "number",
		                 PQgetvalue(res, row, 1), "name_masked", PQgetvalue(res, row, 2),
		                 "unit", PQgetvalue(res, row, 3), "cancelled_on",
		                 PQgetvalue(res, row, 4), "reason_category",
		                 PQgetvalue(res, row, 5), "reason_label",
		                 public_reason_label(PQgetvalue(res, row, 5)));
		if (item == NULL || json_array_append_new(items, item) != 0) {
			json_decref(items);
			items = NULL;
		}
	}
	reply = api_page_reply(items, &page);
	json_array_foreach(json_object_get(reply, "items"), i, item)
	{
		(void)json_object_del(item, "id");
	}
	(void)request_add_header(req, "Cache-Control", PUBLIC_CACHE);
	return request_reply_json(req, 200, reply);
}

/* One page of rows (res) as CSV lines. */
static int public_csv_rows(struct buf *out, const PGresult *res)
{
	int row;

	for (row = 0; row < PQntuples(res); row++)
		if (csv_field(out, PQgetvalue(res, row, 1), 0) != 0 ||
		    csv_field(out, PQgetvalue(res, row, 2), 0) != 0 ||
		    csv_field(out, PQgetvalue(res, row, 3), 0) != 0 ||
		    csv_field(out, PQgetvalue(res, row, 4), 0) != 0 ||
		    csv_field(out, public_reason_label(PQgetvalue(res, row, 5)), 1) != 0)
			return -1;
	return 0;
}

/* The whole list (at most PUBLIC_CSV_MAX rows, newest first) as CSV that
 * Excel opens in Chinese: UTF-8 with a BOM, CRLF lines. */
int api_public_cancelled_csv(struct request *req)
{
	char after[24] = "0", chunk[8];
	const char *params[2] = {after, chunk};
	struct buf out;
	PGresult *res;
	char *body;
	size_t len;
	int rows = 0, got;

	(void)snprintf(chunk, sizeof(chunk), "%d", PUBLIC_CHUNK);
	if (db_begin(req, DB_READ) != 0)
		return -1;
	buf_init(&out, (size_t)16 * 1024 * 1024);
	if (buf_append(&out, "\xEF\xBB\xBF", 3) != 0 ||
	    buf_puts(&out, "执法证号,姓名,单位,注销日期,注销原因\r\n") != 0)
		goto oom;
	do {
		res = db_exec(req, &public_stmts[PUBLIC_CANCELLED], 2, params);
		if (res == NULL) {
			buf_release(&out);
			return -1;
		}
		got = PQntuples(res);
		if (public_csv_rows(&out, res) != 0)
			goto oom;
		rows += got;
		if (got > 0)
			(void)snprintf(after, sizeof(after), "%s", PQgetvalue(res, got - 1, 0));
	} while (got == PUBLIC_CHUNK && rows < PUBLIC_CSV_MAX);
	(void)request_add_header(req, "Cache-Control", PUBLIC_CACHE);
	(void)request_add_header(req, "Content-Disposition",
	                         "attachment; filename=\"cancelled-certificates.csv\"");
	len = out.len;
	body = buf_detach(&out);
	if (body == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return request_reply_raw(req, 200, "text/csv; charset=utf-8", body, len);
oom:
	buf_release(&out);
	return problem_set(&req->problem, PROBLEM_INTERNAL, "the list could not be written");
}
