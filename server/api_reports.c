/* api_reports.c — what auditors ask of a year (issue 4):
 *   GET /api/v1/reports/compliance?org=&year=&status=   officers of a subtree,
 *       worst first (hours still missing), in pages with a keyset cursor;
 *   GET /api/v1/reports/compliance.csv, .xlsx           the same list whole, as
 *       CSV that Excel opens in Chinese (UTF-8 with a BOM) or as a workbook,
 *       audited as an export of personal data;
 *   GET /api/v1/reports/orgs?org=&year=                 per unit below org:
 *       officers, met, short, at risk, exempt, percent met, average hours, and
 *       how many attended a rotation round (全员轮训) that year.
 * They read the evaluated officer-years (officer_year_status), never raw
 * attendance, within the caller's scope (row-level security). */
#include "api_reports.h"

#include "api.h"
#include "arena.h"
#include "audit.h"
#include "buf.h"
#include "csv.h"
#include "request.h"
#include "rules_hours.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* At most this many rows in one CSV export (a province's county at a time). */
#define REPORT_EXPORT_MAX "200000"

/* At most this many anomalies in one reply (a county's year is far fewer). */
#define REPORT_ANOMALIES_MAX 1000

enum report_stmt { REPORT_ORG, REPORT_PAGE, REPORT_ORGS, REPORT_ANOMALIES, REPORT_STMT_COUNT };

/* One officer-year of the list: officer id, missing units (the sort key),
 * counted, required, status, the officer's document, the shortfalls. */
#define REPORT_ROW                                                                     \
	"SELECT s.officer_id, s.required_units - s.counted_units, s.counted_units,"    \
	" s.required_units, s.status, jsonb_build_object('id', o.id, 'name', o.name,"  \
	" 'national_id_masked', o.national_id_masked, 'kind', o.kind, 'post', o.post," \
	" 'status', o.status, 'org', jsonb_build_object('id', g.id, 'code', g.code,"   \
	" 'name', g.name)), s.shortfalls"                                              \
	" FROM officer_year_status s JOIN officer o ON o.id = s.officer_id"            \
	" JOIN org g ON g.id = o.org_id"                                               \
	" WHERE s.year = $2::int AND s.status IS NOT NULL AND s.org_path <@ $1::ltree" \
	" AND ($3::text IS NULL OR s.status = $3)"

static const struct db_stmt report_stmts[REPORT_STMT_COUNT] = {
        [REPORT_ORG] = {"report_org", "SELECT path::text FROM org WHERE id = $1"},
        /* $4, $5: the cursor (missing units, officer id) of the last row shown; $6 limit */
        [REPORT_PAGE] = {"report_page",
                         REPORT_ROW " AND ($4::bigint IS NULL OR (s.required_units -"
                                    " s.counted_units, -s.officer_id) < ($4::bigint,"
                                    " -$5::bigint))"
                                    " ORDER BY s.required_units - s.counted_units DESC,"
                                    " s.officer_id LIMIT $6::int"},
        /* Per child of the organisation at $1 (the officer's unit on that level). */
        [REPORT_ORGS] = {"report_orgs",
                         "SELECT u.id, u.code, u.name, count(*),"
                         " count(*) FILTER (WHERE s.status = 'met'),"
                         " count(*) FILTER (WHERE s.status = 'short'),"
                         " count(*) FILTER (WHERE s.status = 'at_risk'),"
                         " count(*) FILTER (WHERE s.status = 'exempt'),"
                         " coalesce(sum(s.counted_units) FILTER (WHERE s.status <> 'exempt'), 0),"
                         /* 全员轮训: officers with a record that counts on a rotation
                          * round this year, kept per officer-year by schema 015's
                          * triggers (no read of attendance). */
                         " count(*) FILTER (WHERE s.rotation_records > 0)"
                         " FROM officer_year_status s"
                         " JOIN org u ON u.path = subpath(s.org_path, 0, nlevel($1::ltree) + 1)"
                         " WHERE s.year = $2::int AND s.status IS NOT NULL"
                         " AND s.org_path <@ $1::ltree AND nlevel(s.org_path) > nlevel($1::ltree)"
                         " GROUP BY u.id, u.code, u.name ORDER BY u.code"},
        /* Records kept but shown to auditors (DOMAIN.md): sessions that overlap for
         * one officer, more than 24 h credited on one day, training before the hire
         * date or after leaving. One more row than the limit says "truncated". */
        [REPORT_ANOMALIES] = {"report_anomalies",
                              "SELECT jsonb_build_object('kind', a.kind, 'day', a.day,"
                              " 'attendance_id', a.attendance_id, 'other_attendance_id',"
                              " a.other_attendance_id, 'credited_units', a.credited_units,"
                              " 'officer', jsonb_build_object('id', o.id, 'name', o.name,"
                              " 'national_id_masked', o.national_id_masked, 'org',"
                              " jsonb_build_object('id', g.id, 'code', g.code, 'name', g.name)))"
                              " FROM training_anomaly a JOIN officer o ON o.id = a.officer_id"
                              " JOIN org g ON g.id = o.org_id"
                              " WHERE a.year = $2::int AND a.org_path <@ $1::ltree"
                              " ORDER BY a.day, a.officer_id, a.kind LIMIT $3::int"},
};

const struct db_stmt_table api_reports_statements = {report_stmts, REPORT_STMT_COUNT};

static const char *const report_statuses[] = {"met", "short", "at_risk", "exempt", NULL};

/* The common arguments: org (an id; default the top of the caller's scope),
 * year (default this year) and status. */
struct report_args {
	const char *path; /* ltree text of org, "" for the whole tree */
	const char *year;
	const char *status;
};

static int report_args(struct request *req, struct report_args *args)
{
	const char *org, *year = request_query(req, "year");
	int bad = 0;
	char *end;
	long value;
	PGresult *res;

	org = api_query_id(req, "org", &bad);
	args->status = api_query_choice(req, "status", report_statuses, &bad);
	if (year == NULL)
		args->year = arena_printf(req->arena, "%d", api_today() / 10000);
	else {
		value = strtol(year, &end, 10);
		if (*year < '1' || *year > '9' || *end != '\0' || value < 2000 || value > 2099)
			bad = problem_field(&req->problem, "year", "range",
			                    "年度为 2000 至 2099 / year must be 2000 to 2099") != 0;
		args->year = year;
	}
	if (bad || args->year == NULL)
		return -1;
	args->path = "";
	if (org == NULL) {
		/* The caller's own subtree; "all" is the whole tree (an empty ltree). */
		if (strcmp(req->principal.scope, "all") != 0)
			args->path = req->principal.scope;
		return 0;
	}
	res = db_exec(req, &report_stmts[REPORT_ORG], 1, &org);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_field(&req->problem, "org", "unknown",
		                     "单位不存在 / unknown organisation");
	args->path = arena_strdup(req->arena, PQgetvalue(res, 0, 0));
	return args->path != NULL ? 0
	                          : problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
}

/* One row of REPORT_ROW as an item of the list. */
static json_t *report_item(const PGresult *res, int row)
{
	int64_t missing = strtoll(PQgetvalue(res, row, 1), NULL, 10);
	char text[HOURS_TEXT_SIZE];

	hours_format_shortfall(missing > 0 ? missing : 0, text);
	return json_pack("{s:o?, s:s, s:o, s:o, s:s, s:o?}", "officer", db_json(res, row, 5),
	                 "status", PQgetvalue(res, row, 4), "counted_hours",
	                 api_hours_json(strtoll(PQgetvalue(res, row, 2), NULL, 10)),
	                 "required_hours",
	                 api_hours_json(strtoll(PQgetvalue(res, row, 3), NULL, 10)),
	                 "missing_hours", text, "shortfalls", db_json(res, row, 6));
}

/* The cursor: base64url of "<missing units>:<officer id>" of the last row. */
static char *report_cursor_encode(struct request *req, const char *missing, const char *id)
{
	char raw[64], *out = arena_alloc(req->arena, 96);
	int len = snprintf(raw, sizeof(raw), "%s:%s", missing, id);

	if (out == NULL || len <= 0 || (size_t)len >= sizeof(raw))
		return NULL;
	return sodium_bin2base64(out, 96, (const unsigned char *)raw, (size_t)len,
	                         sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int report_cursor_decode(struct request *req, const char *cursor, const char **missing,
                                const char **id)
{
	unsigned char raw[64];
	size_t len;
	char *colon, *end;

	*missing = *id = NULL;
	if (cursor == NULL)
		return 0;
	if (sodium_base642bin(raw, sizeof(raw) - 1, cursor, strlen(cursor), NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		goto bad;
	raw[len] = '\0';
	colon = strchr((char *)raw, ':');
	if (colon == NULL)
		goto bad;
	*colon = '\0';
	(void)strtoll((char *)raw, &end, 10);
	if (end == (char *)raw || *end != '\0')
		goto bad;
	(void)strtoll(colon + 1, &end, 10);
	if (end == colon + 1 || *end != '\0')
		goto bad;
	*missing = arena_strdup(req->arena, (char *)raw);
	*id = arena_strdup(req->arena, colon + 1);
	return 0;
bad:
	return problem_field(&req->problem, "cursor", "invalid", "分页游标无效 / invalid cursor");
}

int api_reports_compliance(struct request *req)
{
	struct report_args args;
	const char *params[6], *limit_text = request_query(req, "limit");
	long limit = API_PAGE_DEFAULT;
	json_t *items;
	PGresult *res;
	int row, rows;
	char *end;

	if (limit_text != NULL) {
		limit = strtol(limit_text, &end, 10);
		if (*limit_text == '\0' || *end != '\0' || limit < 1 || limit > API_PAGE_MAX)
			return problem_field(
			        &req->problem, "limit", "range",
			        "应为 1 到 500 的整数 / must be an integer from 1 to 500");
	}
	if (report_cursor_decode(req, request_query(req, "cursor"), &params[3], &params[4]) != 0 ||
	    db_begin(req, DB_READ) != 0 || report_args(req, &args) != 0)
		return -1;
	params[0] = args.path;
	params[1] = args.year;
	params[2] = args.status;
	params[5] = arena_printf(req->arena, "%ld", limit);
	res = db_exec(req, &report_stmts[REPORT_PAGE], 6, params);
	if (res == NULL)
		return -1;
	items = json_array();
	rows = PQntuples(res);
	for (row = 0; items != NULL && row < rows; row++)
		if (json_array_append_new(items, report_item(res, row)) != 0) {
			json_decref(items);
			items = NULL;
		}
	if (items == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return request_reply_json(
	        req, 200,
	        json_pack("{s:o, s:s?, s:i}", "items", items, "next_cursor",
	                  rows == limit ? report_cursor_encode(req, PQgetvalue(res, rows - 1, 1),
	                                                       PQgetvalue(res, rows - 1, 0))
	                                : NULL,
	                  "year", atoi(args.year)));
}

/* The columns of an export, in order, with their Chinese headings. */
#define REPORT_COLUMNS 8
static const char *const report_headings[REPORT_COLUMNS] = {
        "单位", "姓名", "身份证号", "状态", "已计学时", "应完成学时", "差额学时", "说明"};

/* The Chinese label of a stored status name ("short" → 未达标). */
static const char *report_status_label(const char *name)
{
	int status;

	for (status = HOURS_STATUS_MET; status <= HOURS_STATUS_EXEMPT; status++)
		if (strcmp(hours_status_name((enum hours_status)status), name) == 0)
			return hours_status_label((enum hours_status)status);
	return name;
}

/* The export cells of a list item (borrowed from item, why): unit, name,
 * masked ID, status, counted, required and missing hours, and every rule's
 * message joined in why. 0 or -1 (out of memory). */
static int report_cells(const json_t *item, const char *status, struct buf *why,
                        const char *cells[REPORT_COLUMNS])
{
	const json_t *officer = json_object_get(item, "officer"), *shortfall;
	size_t i;

	buf_reset(why);
	json_array_foreach(json_object_get(item, "shortfalls"), i, shortfall)
	{
		const char *message = json_string_value(json_object_get(shortfall, "message"));

		if (message != NULL &&
		    ((i > 0 && buf_puts(why, "; ") != 0) || buf_puts(why, message) != 0))
			return -1;
	}
	cells[0] = json_string_value(json_object_get(json_object_get(officer, "org"), "name"));
	cells[1] = json_string_value(json_object_get(officer, "name"));
	cells[2] = json_string_value(json_object_get(officer, "national_id_masked"));
	cells[3] = report_status_label(status);
	cells[4] = json_string_value(json_object_get(item, "counted_hours"));
	cells[5] = json_string_value(json_object_get(item, "required_hours"));
	cells[6] = json_string_value(json_object_get(item, "missing_hours"));
	cells[7] = why->data != NULL ? why->data : "";
	for (i = 0; i < REPORT_COLUMNS; i++)
		if (cells[i] == NULL)
			cells[i] = "";
	return 0;
}

static int report_csv_row(struct buf *out, const char *const cells[REPORT_COLUMNS])
{
	int i;

	for (i = 0; i < REPORT_COLUMNS; i++)
		if (csv_field(out, cells[i], i == REPORT_COLUMNS - 1) != 0)
			return -1;
	return 0;
}

/* The whole list of args as CSV (UTF-8 with a BOM, CRLF lines) into out. */
static int report_csv(const PGresult *res, struct buf *out)
{
	const char *cells[REPORT_COLUMNS];
	struct buf why;
	int row, ok;

	buf_init(&why, 16 * 1024);
	ok = buf_append(out, "\xEF\xBB\xBF", 3) == 0 && report_csv_row(out, report_headings) == 0;
	for (row = 0; ok && row < PQntuples(res); row++) {
		json_t *item = report_item(res, row);

		ok = item != NULL &&
		     report_cells(item, PQgetvalue(res, row, 4), &why, cells) == 0 &&
		     report_csv_row(out, cells) == 0;
		json_decref(item);
	}
	buf_release(&why);
	return ok ? 0 : -1;
}

/* The whole list as an XLSX workbook (libxlsxwriter writes a file: a private
 * temporary one, read back and removed) into out. */
static int report_xlsx(const PGresult *res, struct buf *out)
{
	char path[] = "/tmp/tcard-report-XXXXXX";
	const char *cells[REPORT_COLUMNS];
	lxw_workbook *book;
	lxw_worksheet *sheet;
	lxw_format *bold;
	struct buf why;
	char chunk[65536];
	int fd = mkstemp(path), row, col, ok = fd >= 0;
	ssize_t got;

	if (!ok)
		return -1;
	book = workbook_new(path);
	sheet = book != NULL ? workbook_add_worksheet(book, "学时情况") : NULL;
	bold = book != NULL ? workbook_add_format(book) : NULL;
	ok = sheet != NULL && bold != NULL;
	if (ok)
		format_set_bold(bold);
	for (col = 0; ok && col < REPORT_COLUMNS; col++)
		ok = worksheet_write_string(sheet, 0, (lxw_col_t)col, report_headings[col], bold) ==
		     LXW_NO_ERROR;
	buf_init(&why, 16 * 1024);
	for (row = 0; ok && row < PQntuples(res); row++) {
		json_t *item = report_item(res, row);

		ok = item != NULL && report_cells(item, PQgetvalue(res, row, 4), &why, cells) == 0;
		for (col = 0; ok && col < REPORT_COLUMNS; col++)
			ok = worksheet_write_string(sheet, (lxw_row_t)(row + 1), (lxw_col_t)col,
			                            cells[col], NULL) == LXW_NO_ERROR;
		json_decref(item);
	}
	buf_release(&why);
	if (book != NULL && workbook_close(book) != LXW_NO_ERROR)
		ok = 0;
	while (ok && (got = read(fd, chunk, sizeof(chunk))) > 0)
		ok = buf_append(out, chunk, (size_t)got) == 0;
	(void)close(fd);
	(void)unlink(path);
	return ok ? 0 : -1;
}

/* GET /reports/compliance.csv and .xlsx: the whole list (at most
 * REPORT_EXPORT_MAX rows), audited as an export of personal data. */
static int report_export(struct request *req, int xlsx)
{
	struct report_args args;
	const char *params[6] = {NULL, NULL, NULL, NULL, NULL, REPORT_EXPORT_MAX};
	struct buf out;
	json_t *detail;
	PGresult *res;
	size_t len;

	if (db_begin(req, DB_WRITE) != 0 || report_args(req, &args) != 0)
		return -1;
	params[0] = args.path;
	params[1] = args.year;
	params[2] = args.status;
	res = db_exec(req, &report_stmts[REPORT_PAGE], 6, params);
	if (res == NULL)
		return -1;
	buf_init(&out, (size_t)256 * 1024 * 1024);
	if ((xlsx ? report_xlsx(res, &out) : report_csv(res, &out)) != 0) {
		buf_release(&out);
		return problem_set(&req->problem, PROBLEM_INTERNAL,
		                   "the export could not be written");
	}
	detail = json_pack("{s:s, s:s, s:s?, s:s, s:i}", "org_path", args.path, "year", args.year,
	                   "status", args.status, "format", xlsx ? "xlsx" : "csv", "rows",
	                   PQntuples(res));
	if (audit_record(req, "report.compliance_export", "report", NULL,
	                 args.path[0] != '\0' ? args.path : NULL, NULL, detail) != 0 ||
	    db_commit(req) != 0) {
		json_decref(detail);
		buf_release(&out);
		return -1;
	}
	json_decref(detail);
	(void)request_add_header(req, "Content-Disposition",
	                         arena_printf(req->arena,
	                                      "attachment; filename=\"compliance-%s.%s\"",
	                                      args.year, xlsx ? "xlsx" : "csv"));
	len = out.len;
	return request_reply_raw(req, 200,
	                         xlsx ? "application/"
	                                "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	                              : "text/csv; charset=utf-8",
	                         buf_detach(&out), len);
}

int api_reports_compliance_csv(struct request *req)
{
	return report_export(req, 0);
}

int api_reports_compliance_xlsx(struct request *req)
{
	return report_export(req, 1);
}

/* part of whole as a percent with two decimals, rounded down ("33.33");
 * "100.00" of nothing. */
static json_t *report_percent(long long part, long long whole)
{
	char text[48];

	if (whole <= 0)
		return json_string("100.00");
	(void)snprintf(text, sizeof(text), "%lld.%02lld", part * 10000 / whole / 100,
	               part * 10000 / whole % 100);
	return json_string(text);
}

int api_reports_orgs(struct request *req)
{
	struct report_args args;
	const char *params[2];
	json_t *items;
	PGresult *res;
	int row;

	if (db_begin(req, DB_READ) != 0 || report_args(req, &args) != 0)
		return -1;
	params[0] = args.path;
	params[1] = args.year;
	res = db_exec(req, &report_stmts[REPORT_ORGS], 2, params);
	if (res == NULL)
		return -1;
	items = json_array();
	for (row = 0; items != NULL && row < PQntuples(res); row++) {
		long long officers = atoll(PQgetvalue(res, row, 3)),
		          met = atoll(PQgetvalue(res, row, 4));
		long long exempt = atoll(PQgetvalue(res, row, 7)), counted_in = officers - exempt;
		long long rotation = atoll(PQgetvalue(res, row, 9));
		int64_t sum = strtoll(PQgetvalue(res, row, 8), NULL, 10);

		if (json_array_append_new(
		            items,
		            json_pack(
		                    "{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:o}",
		                    "org_id", (json_int_t)atoll(PQgetvalue(res, row, 0)), "code",
		                    PQgetvalue(res, row, 1), "name", PQgetvalue(res, row, 2),
		                    "officers", (json_int_t)officers, "met", (json_int_t)met,
		                    "short", (json_int_t)atoll(PQgetvalue(res, row, 5)), "at_risk",
		                    (json_int_t)atoll(PQgetvalue(res, row, 6)), "exempt",
		                    (json_int_t)exempt, "percent_met",
		                    report_percent(met, counted_in), "average_hours",
		                    api_hours_json(counted_in > 0 ? sum / counted_in : 0),
		                    "rotation_attended", (json_int_t)rotation, "rotation_percent",
		                    report_percent(rotation, officers))) != 0) {
			json_decref(items);
			items = NULL;
		}
	}
	if (items == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return request_reply_json(req, 200,
	                          json_pack("{s:o, s:i}", "items", items, "year", atoi(args.year)));
}

int api_reports_anomalies(struct request *req)
{
	struct report_args args;
	const char *params[3];
	json_t *items, *item;
	PGresult *res;
	int row, rows;

	if (db_begin(req, DB_READ) != 0 || report_args(req, &args) != 0)
		return -1;
	params[0] = args.path;
	params[1] = args.year;
	params[2] = arena_printf(req->arena, "%d", REPORT_ANOMALIES_MAX + 1);
	res = db_exec(req, &report_stmts[REPORT_ANOMALIES], 3, params);
	if (res == NULL)
		return -1;
	rows = PQntuples(res);
	items = json_array();
	for (row = 0; items != NULL && row < rows && row < REPORT_ANOMALIES_MAX; row++) {
		item = db_json(res, row, 0);
		/* More than 24 h on one day: the day's credited hours, shown as text. */
		if (item != NULL && json_is_integer(json_object_get(item, "credited_units")))
			(void)json_object_set_new(item, "credited_hours",
			                          api_hours_json(json_integer_value(json_object_get(
			                                  item, "credited_units"))));
		if (item != NULL)
			(void)json_object_del(item, "credited_units");
		if (item == NULL || json_array_append_new(items, item) != 0) {
			json_decref(items);
			items = NULL;
		}
	}
	if (items == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return request_reply_json(req, 200,
	                          json_pack("{s:o, s:b, s:i}", "items", items, "truncated",
	                                    rows > REPORT_ANOMALIES_MAX, "year", atoi(args.year)));
}
