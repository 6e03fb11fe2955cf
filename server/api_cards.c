/* api_cards.c — GET /cards/{officer}/{year}: the printable training
 * registration card (培训登记卡), one A4 page of HTML with print CSS. Its
 * content is the card document of GET /api/v1/officers/{id}/card
 * (api_card_json: the same records, hours and evaluation), plus the officer's
 * certificates and the QR code of the live one inlined as SVG (api_qr_url,
 * qr_svg). Row-level security decides who sees the officer (an officer only
 * itself); everything else answers 404. Every value is HTML-escaped; the page
 * loads nothing from outside and runs no script. */
#include "api_cards.h"

#include "api.h"
#include "api_card.h"
#include "api_qr.h"
#include "arena.h"
#include "buf.h"
#include "qr.h"
#include "request.h"
#include "rules_hours.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CARDS_PAGE_MAX ((size_t)2 * 1024 * 1024)
/* The code on paper: 4 units a module, drawn 32 mm wide by the CSS. */
#define CARDS_QR_MODULE 4
#define CARDS_QR_MARGIN 4

enum cards_stmt { CARDS_CERTIFICATES, CARDS_STMT_COUNT };

static const struct db_stmt cards_stmts[CARDS_STMT_COUNT] = {
        /* The officer's certificates, the live one (valid, not expired) first. */
        [CARDS_CERTIFICATES] = {"cards_certificates",
                                "SELECT number, status, domain, expires_on,"
                                " status = 'valid' AND expires_on >= current_date,"
                                " officer_id, extract(epoch FROM created_at)::bigint"
                                " FROM certificate WHERE officer_id = $1"
                                " ORDER BY 5 DESC, issued_on DESC, id DESC"},
};

const struct db_stmt_table api_cards_statements = {cards_stmts, CARDS_STMT_COUNT};

/* The style sheet; the Content-Security-Policy allows exactly it by hash. */
static const char cards_style[] =
        "@page{size:A4;margin:12mm 12mm 14mm}"
        "*{box-sizing:border-box}"
        "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\","
        "sans-serif;font-size:10pt;color:#000;margin:0 auto;max-width:186mm}"
        "h1{font-size:16pt;text-align:center;margin:0 0 1mm}"
        "h1 small{display:block;font-size:9pt;font-weight:normal}"
        "h2{font-size:11pt;margin:4mm 0 1mm;border-bottom:.4pt solid #000}"
        "table{width:100%;border-collapse:collapse}"
        "th,td{border:.4pt solid #000;padding:.8mm 1.2mm;text-align:left;vertical-align:top}"
        "th{background:#eee}"
        "td.n,th.n{text-align:right;white-space:nowrap}"
        ".head{display:flex;gap:4mm;align-items:flex-start}"
        ".head table{flex:1}"
        ".qr{width:34mm;text-align:center;font-size:7pt}"
        ".qr svg{width:32mm;height:32mm;display:block}"
        "tr.revoked td{text-decoration:line-through;color:#555}"
        "tr{page-break-inside:avoid}"
        ".status{font-weight:bold}"
        ".foot{margin-top:3mm;font-size:8pt;color:#333}"
        "@media print{th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* Appends text HTML-escaped. */
static int cards_text(struct buf *out, const char *text)
{
	const char *p;
	int rc = 0;

	if (text == NULL)
		return 0;
	for (p = text; rc == 0 && *p != '\0'; p++)
		switch (*p) {
		case '&':
			rc = buf_puts(out, "&amp;");
			break;
		case '<':
			rc = buf_puts(out, "&lt;");
			break;
		case '>':
			rc = buf_puts(out, "&gt;");
			break;
		case '"':
			rc = buf_puts(out, "&quot;");
			break;
		case '\'':
			rc = buf_puts(out, "&#39;");
			break;
		default:
			rc = buf_append(out, p, 1);
		}
	return rc;
}

/* A string member of doc, or "". */
static const char *cards_str(const json_t *doc, const char *key)
{
	const char *value = json_string_value(json_object_get(doc, key));

	return value != NULL ? value : "";
}

/* "<td class>escaped</td>". */
static int cards_cell(struct buf *out, const char *cls, const char *text)
{
	return buf_puts(out, cls != NULL ? "<td class=\"" : "<td") != 0 ||
	                       (cls != NULL &&
	                        (buf_puts(out, cls) != 0 || buf_puts(out, "\"") != 0)) ||
	                       buf_puts(out, ">") != 0 || cards_text(out, text) != 0 ||
	                       buf_puts(out, "</td>") != 0
	               ? -1
	               : 0;
}

static const char *cards_status_label(const char *status)
{
	static const char *const labels[][2] = {
	        {"met", "达标 / met"},
	        {"short", "未达标 / short"},
	        {"at_risk", "进度滞后 / at risk"},
	        {"exempt", "免于考核 / exempt"},
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i][0], status) == 0)
			return labels[i][1];
	return "未知 / unknown";
}

static const char *cards_certificate_label(const char *status)
{
	static const char *const labels[][2] = {
	        {"valid", "有效 / valid"},
	        {"suspended", "暂扣 / suspended"},
	        {"withdrawn", "收回 / withdrawn"},
	        {"cancelled", "注销 / cancelled"},
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i][0], status) == 0)
			return labels[i][1];
	return "未知 / unknown";
}

/* The Chinese label of a category or form name (rules_hours), or the name. */
static const char *cards_category_label(const char *name)
{
	enum hours_category category;

	return hours_category_parse(name, &category) == 0 ? hours_category_label(category) : name;
}

static const char *cards_form_label(const char *name)
{
	enum hours_form form;

	return hours_form_parse(name, &form) == 0 ? hours_form_label(form) : name;
}

/* The officer and the status beside the QR code of the live certificate. */
static int cards_head(struct buf *out, struct request *req, const json_t *card, const char *svg)
{
	const json_t *officer = json_object_get(card, "officer");
	const char *status = cards_str(card, "status");

	(void)req;
	if (buf_puts(out, "<div class=\"head\"><table><tr><th>姓名 / Name</th>") != 0 ||
	    cards_cell(out, NULL, cards_str(officer, "name")) != 0 ||
	    buf_puts(out, "<th>年度 / Year</th>") != 0 ||
	    buf_printf(out, "<td>%d</td></tr>",
	               (int)json_integer_value(json_object_get(card, "year"))) != 0 ||
	    buf_puts(out, "<tr><th>单位 / Unit</th>") != 0 ||
	    cards_cell(out, NULL, cards_str(json_object_get(officer, "org"), "name")) != 0 ||
	    buf_puts(out, "<th>岗位 / Post</th>") != 0 ||
	    cards_cell(out, NULL, cards_str(officer, "post")) != 0 ||
	    buf_puts(out, "</tr><tr><th>身份证号 / National ID</th>") != 0 ||
	    cards_cell(out, NULL, cards_str(officer, "national_id_masked")) != 0 ||
	    buf_puts(out, "<th>状态 / Status</th><td class=\"status\">") != 0 ||
	    cards_text(out, cards_status_label(status)) != 0 || buf_puts(out, "</td></tr>") != 0 ||
	    buf_puts(out, "<tr><th>应修学时 / Required hours</th>") != 0 ||
	    cards_cell(out, "n", cards_str(card, "required_hours")) != 0 ||
	    buf_puts(out, "<th>计入学时 / Counted hours</th>") != 0 ||
	    cards_cell(out, "n", cards_str(card, "counted_hours")) != 0 ||
	    buf_puts(out, "</tr>") != 0)
		return -1;
	if (json_is_string(json_object_get(card, "exempt_reason")) &&
	    (buf_puts(out, "<tr><th>免于考核 / Exemption</th><td colspan=\"3\">") != 0 ||
	     cards_text(out, cards_str(card, "exempt_reason")) != 0 ||
	     buf_puts(out, "</td></tr>") != 0))
		return -1;
	if (buf_puts(out, "</table><div class=\"qr\">") != 0)
		return -1;
	if (svg != NULL)
		return buf_puts(out, svg) != 0 ||
		                       buf_puts(out, "扫码核验执法证<br>Scan to verify the "
		                                     "certificate") != 0 ||
		                       buf_puts(out, "</div></div>") != 0
		               ? -1
		               : 0;
	return buf_puts(out, "无有效执法证<br>No valid certificate</div></div>");
}

/* The year's records: date, title, category, form, platform, hours, notes. */
static int cards_records(struct buf *out, const json_t *card)
{
	const json_t *record;
	size_t i;

	if (buf_puts(out, "<h2>培训记录 / Training records</h2><table><tr>"
	                  "<th>日期 / Date</th><th>培训项目 / Title</th><th>类别 / Category</th>"
	                  "<th>形式 / Form</th><th>平台 / Platform</th>"
	                  "<th class=\"n\">学时 / Hours</th><th>备注 / Notes</th></tr>") != 0)
		return -1;
	json_array_foreach(json_object_get(card, "records"), i, record)
	{
		const json_t *session = json_object_get(record, "session");
		int revoked = json_is_true(json_object_get(record, "revoked"));
		const char *basis = cards_str(record, "basis");
		char date[11];

		(void)snprintf(date, sizeof(date), "%s", cards_str(session, "starts_at"));
		if (buf_puts(out, revoked ? "<tr class=\"revoked\">" : "<tr>") != 0 ||
		    cards_cell(out, NULL, date) != 0 ||
		    cards_cell(out, NULL, cards_str(session, "title")) != 0 ||
		    cards_cell(out, NULL, cards_category_label(cards_str(session, "category"))) !=
		            0 ||
		    cards_cell(out, NULL, cards_form_label(cards_str(session, "form"))) != 0 ||
		    cards_cell(out, NULL, cards_str(session, "platform")) != 0 ||
		    cards_cell(out, "n", cards_str(record, "credited_hours")) != 0 ||
		    buf_puts(out, "<td>") != 0)
			return -1;
		if (revoked && (buf_puts(out, "已撤销 / revoked: ") != 0 ||
		                cards_text(out, cards_str(record, "revoked_reason")) != 0))
			return -1;
		if (!revoked && strcmp(basis, "override") == 0 &&
		    (buf_puts(out, "学时已调整 / hours adjusted: ") != 0 ||
		     cards_text(out, cards_str(record, "override_reason")) != 0))
			return -1;
		if (!revoked && strcmp(basis, "declared") == 0 &&
		    buf_puts(out, "按申报学时 / declared hours") != 0)
			return -1;
		if (buf_puts(out, "</td></tr>") != 0)
			return -1;
	}
	if (i == 0 && buf_puts(out, "<tr><td colspan=\"7\">本年度无培训记录 / No training records "
	                            "this year</td></tr>") != 0)
		return -1;
	return buf_puts(out, "</table>");
}

/* Hours by category (a category the policy does not count is marked) and
 * what is missing. */
static int cards_totals(struct buf *out, const json_t *card)
{
	const json_t *item;
	size_t i;

	if (buf_puts(out, "<h2>分类合计 / Totals by category</h2><table><tr>"
	                  "<th>类别 / Category</th><th class=\"n\">学时 / Hours</th></tr>") != 0)
		return -1;
	json_array_foreach(json_object_get(card, "categories"), i, item)
	{
		if (buf_puts(out, "<tr>") != 0 || buf_puts(out, "<td>") != 0 ||
		    cards_text(out, cards_str(item, "label")) != 0 || buf_puts(out, " / ") != 0 ||
		    cards_text(out, cards_str(item, "category")) != 0 ||
		    (!json_is_true(json_object_get(item, "counted")) &&
		     buf_puts(out, "（不计入 / not counted）") != 0) ||
		    buf_puts(out, "</td>") != 0 ||
		    cards_cell(out, "n", cards_str(item, "hours")) != 0 ||
		    buf_puts(out, "</tr>") != 0)
			return -1;
	}
	if (buf_puts(out, "<tr><th>合计 / Counted total</th>") != 0 ||
	    cards_cell(out, "n", cards_str(card, "counted_hours")) != 0 ||
	    buf_puts(out, "</tr></table>") != 0)
		return -1;
	if (json_array_size(json_object_get(card, "shortfalls")) == 0)
		return 0;
	if (buf_puts(out, "<h2>差额 / Shortfalls</h2><table><tr><th>要求 / Rule</th>"
	                  "<th class=\"n\">应修 / Required</th><th class=\"n\">尚缺 / Missing</th>"
	                  "<th>说明 / Note</th></tr>") != 0)
		return -1;
	json_array_foreach(json_object_get(card, "shortfalls"), i, item)
	{
		if (buf_puts(out, "<tr>") != 0 ||
		    cards_cell(out, NULL, cards_str(item, "name")) != 0 ||
		    cards_cell(out, "n", cards_str(item, "required_hours")) != 0 ||
		    cards_cell(out, "n", cards_str(item, "missing_hours")) != 0 ||
		    cards_cell(out, NULL, cards_str(item, "message")) != 0 ||
		    buf_puts(out, "</tr>") != 0)
			return -1;
	}
	return buf_puts(out, "</table>");
}

/* The officer's certificates, live one first. */
static int cards_certificates(struct buf *out, const PGresult *res)
{
	int row;

	if (buf_puts(out, "<h2>执法证 / Enforcement certificates</h2><table><tr>"
	                  "<th>证号 / Number</th><th>执法类别 / Domain</th>"
	                  "<th>状态 / Status</th><th>有效期至 / Expires</th></tr>") != 0)
		return -1;
	for (row = 0; row < PQntuples(res); row++)
		if (buf_puts(out, "<tr>") != 0 ||
		    cards_cell(out, NULL, PQgetvalue(res, row, 0)) != 0 ||
		    cards_cell(out, NULL, PQgetvalue(res, row, 2)) != 0 ||
		    cards_cell(out, NULL, cards_certificate_label(PQgetvalue(res, row, 1))) != 0 ||
		    cards_cell(out, NULL, PQgetvalue(res, row, 3)) != 0 ||
		    buf_puts(out, "</tr>") != 0)
			return -1;
	if (row == 0 && buf_puts(out, "<tr><td colspan=\"4\">无 / none</td></tr>") != 0)
		return -1;
	return buf_puts(out, "</table>");
}

/* Content-Security-Policy allowing only the inline style sheet, by hash. */
static const char *cards_csp(struct request *req)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char base64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
	                                      sodium_base64_VARIANT_ORIGINAL)];

	(void)crypto_hash_sha256(hash, (const unsigned char *)cards_style, sizeof(cards_style) - 1);
	(void)sodium_bin2base64(base64, sizeof(base64), hash, sizeof(hash),
	                        sodium_base64_VARIANT_ORIGINAL);
	return arena_printf(req->arena,
	                    "default-src 'none'; style-src 'sha256-%s'; img-src data:;"
	                    " base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	                    base64);
}

static int cards_page(struct buf *out, struct request *req, const json_t *card,
                      const PGresult *certificates, const char *svg)
{
	const json_t *officer = json_object_get(card, "officer");

	return buf_puts(out, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
	                     "<meta name=\"viewport\" content=\"width=device-width\">"
	                     "<meta name=\"referrer\" content=\"no-referrer\"><title>") != 0 ||
	                       buf_puts(out, "培训登记卡 / Training registration card — ") != 0 ||
	                       cards_text(out, cards_str(officer, "name")) != 0 ||
	                       buf_printf(out, " %d</title><style>",
	                                  (int)json_integer_value(json_object_get(card, "year"))) !=
	                               0 ||
	                       buf_puts(out, cards_style) != 0 ||
	                       buf_puts(out,
	                                "</style></head><body><h1>行政执法人员培训登记卡"
	                                "<small>Training registration card of an "
	                                "administrative law-enforcement officer</small></h1>") !=
	                               0 ||
	                       cards_head(out, req, card, svg) != 0 ||
	                       cards_records(out, card) != 0 || cards_totals(out, card) != 0 ||
	                       cards_certificates(out, certificates) != 0 ||
	                       buf_puts(out, "<p class=\"foot\">学时以小时计，保留两位小数 / hours "
	                                     "to two decimals. 扫描二维码可核验执法证的实时状态 / "
	                                     "scan the code for the certificate's live "
	                                     "status.</p></body></html>\n") != 0
	               ? -1
	               : 0;
}

int api_cards_print(struct request *req)
{
	const char *officer = api_id_param(req, "officer");
	const char *year = officer != NULL ? api_year_param(req, "year") : NULL;
	const char *url, *csp;
	struct buf out;
	PGresult *certificates;
	json_t *card;
	char *svg = NULL, *page;
	size_t svg_len = 0;
	int rc;

	if (officer == NULL || year == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	card = api_card_json(req, officer, year);
	if (card == NULL)
		return -1;
	certificates = db_exec(req, &cards_stmts[CARDS_CERTIFICATES], 1, &officer);
	if (certificates == NULL)
		goto fail;
	if (PQntuples(certificates) > 0 && strcmp(PQgetvalue(certificates, 0, 4), "t") == 0) {
		url = api_qr_url(req, PQgetvalue(certificates, 0, 5),
		                 PQgetvalue(certificates, 0, 6), PQgetvalue(certificates, 0, 0));
		if (url == NULL)
			goto fail;
		svg = qr_svg(url, CARDS_QR_MODULE, CARDS_QR_MARGIN, &svg_len);
		if (svg == NULL) {
			(void)problem_set(&req->problem, PROBLEM_INTERNAL,
			                  "cannot draw the QR code");
			goto fail;
		}
	}
	csp = cards_csp(req);
	buf_init(&out, CARDS_PAGE_MAX);
	rc = cards_page(&out, req, card, certificates, svg);
	page = rc == 0 ? buf_detach(&out) : NULL;
	buf_release(&out);
	free(svg);
	json_decref(card);
	if (page == NULL || csp == NULL) {
		free(page);
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	(void)request_add_header(req, "Content-Security-Policy", csp);
	(void)request_add_header(req, "Referrer-Policy", "no-referrer");
	return request_reply_raw(req, 200, "text/html; charset=utf-8", page, strlen(page));
fail:
	free(svg);
	json_decref(card);
	return -1;
}
