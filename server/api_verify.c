/* api_verify.c — the public side of the QR code (doc/qr-token.md): the
 * published keys, the verdict on a token as JSON and as the page a phone
 * opens after scanning (Chinese, or English with ?lang=en). A token is checked
 * by sign.c without the database; a valid one is looked up by number and
 * officer id through schema 009's certificate_public_status (SECURITY
 * DEFINER: the request has no scope), which counts the verification and
 * returns nothing more personal than the masked name. Both verify routes are
 * rate-limited per client address, in memory. */
#include "api_verify.h"

#include "api.h"
#include "arena.h"
#include "buf.h"
#include "log.h"
#include "request.h"
#include "sign.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VERIFY_KEYS_CACHE "public, max-age=3600"

/* ---------------------------------------------------------------- statements */

enum verify_stmt { VERIFY_LOOKUP, VERIFY_STMT_COUNT };

static const struct db_stmt verify_stmts[VERIFY_STMT_COUNT] = {
        /* $1 number, $2 officer id, $3 latitude, $4 longitude (NULL: not shared),
         * $5 whether to count the verification */
        [VERIFY_LOOKUP] = {"verify_lookup",
                           "SELECT number, status, name_masked, unit, issuing_org, domain, area,"
                           " expires_on, training_year, training_on_track"
                           " FROM certificate_public_status($1, $2::bigint, $3::numeric,"
                           " $4::numeric, $5::boolean)"},
};

const struct db_stmt_table api_verify_statements = {verify_stmts, VERIFY_STMT_COUNT};

/* ---------------------------------------------------------------- rate limit */

/* A fixed one-minute window per address in a table of VERIFY_SLOTS slots,
 * VERIFY_PROBES probed per address: memory is bounded whatever the number of
 * addresses; when every probed slot is busy this minute the first is taken
 * over (that address starts counting afresh — the price of the bound). */
#define VERIFY_SLOTS  4096
#define VERIFY_PROBES 8
#define VERIFY_WINDOW 60 /* seconds */

struct verify_slot {
	char address[64];
	long long window; /* monotonic seconds / VERIFY_WINDOW; 0 = free */
	unsigned count;
};

static struct {
	pthread_mutex_t lock;
	unsigned per_minute; /* 0: no limit */
	struct verify_slot slots[VERIFY_SLOTS];
} verify_rate = {PTHREAD_MUTEX_INITIALIZER, API_VERIFY_RATE_DEFAULT, {{{0}}}};

void api_verify_set_rate(unsigned per_minute)
{
	(void)pthread_mutex_lock(&verify_rate.lock);
	verify_rate.per_minute = per_minute;
	memset(verify_rate.slots, 0, sizeof(verify_rate.slots));
	(void)pthread_mutex_unlock(&verify_rate.lock);
}

static uint32_t verify_hash(const char *text)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *text != '\0'; text++)
		h = (h ^ (unsigned char)*text) * 16777619u;
	return h;
}

/* Counts one verification from address: 0 allowed, else the seconds until
 * the window ends (for Retry-After). */
static unsigned verify_rate_take(const char *address)
{
	struct timespec now;
	struct verify_slot *slot = NULL, *spare = NULL, *s;
	long long window;
	uint32_t h = verify_hash(address);
	unsigned i, wait = 0;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	window = (long long)now.tv_sec / VERIFY_WINDOW + 1;
	(void)pthread_mutex_lock(&verify_rate.lock);
	if (verify_rate.per_minute == 0)
		goto done;
	for (i = 0; i < VERIFY_PROBES && slot == NULL; i++) {
		s = &verify_rate.slots[(h + i) % VERIFY_SLOTS];
		if (s->window != 0 && strcmp(s->address, address) == 0)
			slot = s;
		else if (spare == NULL && s->window != window)
			spare = s;
	}
	if (slot == NULL) {
		slot = spare != NULL ? spare : &verify_rate.slots[h % VERIFY_SLOTS];
		(void)snprintf(slot->address, sizeof(slot->address), "%s", address);
		slot->window = window;
		slot->count = 0;
	}
	if (slot->window != window) {
		slot->window = window;
		slot->count = 0;
	}
	if (slot->count >= verify_rate.per_minute)
		wait = (unsigned)(VERIFY_WINDOW - now.tv_sec % VERIFY_WINDOW);
	else
		slot->count++;
done:
	(void)pthread_mutex_unlock(&verify_rate.lock);
	return wait;
}

/* ---------------------------------------------------------------- the verdict */

enum verify_outcome { VERIFY_INVALID, VERIFY_UNKNOWN, VERIFY_FOUND };

struct verify_result {
	enum verify_outcome outcome;
	const char *number, *status, *name_masked, *unit, *issuing_org, *domain, *area, *expires_on;
	int expired;
	long long training_year;
	int on_track; /* 1, 0, or -1 when not evaluated */
};

static const char *const verify_status_zh[][2] = {
        {"valid", "有效"},
        {"suspended", "暂扣"},
        {"withdrawn", "已收回"},
        {"cancelled", "已注销"},
};

static const char *verify_status_label_zh(const char *status)
{
	size_t i;

	for (i = 0; i < sizeof(verify_status_zh) / sizeof(verify_status_zh[0]); i++)
		if (strcmp(verify_status_zh[i][0], status) == 0)
			return verify_status_zh[i][1];
	return "无效";
}

/* A coordinate the scanner chose to share: [-]digits[.digits] (at most 6
 * decimals) within ±limit. NULL when absent; *bad when given but wrong. */
static const char *verify_coordinate(struct request *req, const char *name, double limit, int *bad)
{
	const char *text = request_query(req, name), *p;
	size_t digits = 0, decimals = 0;
	int dot = 0;
	double value;
	char *end;

	if (text == NULL)
		return NULL;
	p = text[0] == '-' ? text + 1 : text;
	for (; *p != '\0'; p++) {
		if (*p == '.' && !dot && digits > 0)
			dot = 1;
		else if (*p >= '0' && *p <= '9')
			dot ? decimals++ : digits++;
		else
			break;
	}
	errno = 0;
	value = strtod(text, &end);
	if (*p != '\0' || digits == 0 || digits > 3 || (dot && decimals == 0) || decimals > 6 ||
	    errno != 0 || *end != '\0' || value < -limit || value > limit) {
		*bad = 1;
		return NULL;
	}
	return text;
}

/* Checks the token of the path and looks its certificate up (counting the
 * verification when record). 0 with result filled, -1 with req->problem. */
static int verify_lookup(struct request *req, const char *lat, const char *lon,
                         struct verify_result *result)
{
	const char *token = request_param(req, "token");
	struct sign_claim claim;
	enum sign_verdict verdict;
	char officer_id[24], kid[9], today[32];
	const char *params[5];
	PGresult *res;
	int day = api_today();

	memset(result, 0, sizeof(*result));
	verdict = sign_token_verify(token, &claim, kid);
	if (verdict != SIGN_VALID) {
		/* The exact reason goes to the log only. */
		log_event(LOG_INFO, "qr_token_invalid", "request_id=%s reason=%s", req->id,
		          sign_verdict_name(verdict));
		result->outcome = VERIFY_INVALID;
		return 0;
	}
	if (claim.officer_id > (uint64_t)INT64_MAX) {
		result->outcome = VERIFY_UNKNOWN;
		return 0;
	}
	(void)snprintf(officer_id, sizeof(officer_id), "%llu",
	               (unsigned long long)claim.officer_id);
	params[0] = claim.number;
	params[1] = officer_id;
	params[2] = lat != NULL && lon != NULL ? lat : NULL;
	params[3] = lat != NULL && lon != NULL ? lon : NULL;
	params[4] = "true";
	if (db_begin(req, DB_WRITE) != 0)
		return -1;
	res = db_exec(req, &verify_stmts[VERIFY_LOOKUP], 5, params);
	if (res == NULL || db_commit(req) != 0)
		return -1;
	if (PQntuples(res) != 1) {
		log_event(LOG_INFO, "qr_token_unknown", "request_id=%s kid=%s", req->id, kid);
		result->outcome = VERIFY_UNKNOWN;
		return 0;
	}
	result->outcome = VERIFY_FOUND;
	result->number = arena_strdup(req->arena, PQgetvalue(res, 0, 0));
	result->status = arena_strdup(req->arena, PQgetvalue(res, 0, 1));
	result->name_masked = arena_strdup(req->arena, PQgetvalue(res, 0, 2));
	result->unit = arena_strdup(req->arena, PQgetvalue(res, 0, 3));
	result->issuing_org = arena_strdup(req->arena, PQgetvalue(res, 0, 4));
	result->domain = arena_strdup(req->arena, PQgetvalue(res, 0, 5));
	result->area = arena_strdup(req->arena, PQgetvalue(res, 0, 6));
	result->expires_on = arena_strdup(req->arena, PQgetvalue(res, 0, 7));
	result->training_year = strtoll(PQgetvalue(res, 0, 8), NULL, 10);
	result->on_track = PQgetisnull(res, 0, 9) ? -1 : PQgetvalue(res, 0, 9)[0] == 't';
	(void)snprintf(today, sizeof(today), "%04d-%02d-%02d", day / 10000, day / 100 % 100,
	               day % 100);
	/* The last day of validity still counts (expires_on is that day). */
	result->expired = strcmp(result->expires_on, today) < 0;
	if (result->number == NULL || result->status == NULL || result->name_masked == NULL ||
	    result->unit == NULL || result->issuing_org == NULL || result->domain == NULL ||
	    result->area == NULL || result->expires_on == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return 0;
}

/* ---------------------------------------------------------------- JSON */

int api_keys_list(struct request *req)
{
	(void)request_add_header(req, "Cache-Control", VERIFY_KEYS_CACHE);
	return request_reply_json(req, 200, sign_keys_json());
}

int api_verify_json(struct request *req)
{
	struct verify_result result;
	const char *lat, *lon;
	char retry[16], label[64];
	unsigned wait;
	int bad = 0;
	json_t *reply, *training;

	wait = verify_rate_take(req->address);
	if (wait > 0) {
		(void)snprintf(retry, sizeof(retry), "%u", wait);
		(void)request_add_header(req, "Retry-After", retry);
		return problem_set(&req->problem, PROBLEM_RATE_LIMITED,
		                   "核验过于频繁，请 %u 秒后再试 / too many verifications: try "
		                   "again in %u s",
		                   wait, wait);
	}
	lat = verify_coordinate(req, "lat", 90, &bad);
	if (bad)
		(void)problem_field(&req->problem, "lat", "range",
		                    "纬度应为 -90 到 90 之间的数 / latitude must be a number from "
		                    "-90 to 90");
	bad = 0;
	lon = verify_coordinate(req, "lon", 180, &bad);
	if (bad)
		(void)problem_field(
		        &req->problem, "lon", "range",
		        "经度应为 -180 到 180 之间的数 / longitude must be a number from "
		        "-180 to 180");
	if ((lat == NULL) != (lon == NULL) && !problem_has_fields(&req->problem))
		(void)problem_field(&req->problem, lat == NULL ? "lat" : "lon", "required",
		                    "纬度和经度须同时提供 / give both latitude and longitude");
	if (problem_has_fields(&req->problem))
		return -1;
	if (verify_lookup(req, lat, lon, &result) != 0)
		return -1;
	if (result.outcome != VERIFY_FOUND)
		return request_reply_json(
		        req, 200,
		        json_pack("{s:b, s:s}", "valid", 0, "reason",
		                  result.outcome == VERIFY_INVALID ? "invalid" : "unknown"));
	(void)snprintf(label, sizeof(label), "%s / %s", verify_status_label_zh(result.status),
	               result.status);
	training = json_pack("{s:I, s:o}", "year", (json_int_t)result.training_year, "on_track",
	                     result.on_track < 0 ? json_null() : json_boolean(result.on_track));
	reply = json_pack("{s:b, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}, s:o*}",
	                  "valid", 1, "certificate", "number", result.number, "status",
	                  result.status, "status_label", label, "name_masked", result.name_masked,
	                  "unit", result.unit, "issuing_org", result.issuing_org, "domain",
	                  result.domain, "area", result.area, "expires_on", result.expires_on,
	                  "expired", result.expired, "training", training);
	if (reply == NULL || training == NULL) {
		json_decref(reply);
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	return request_reply_json(req, 200, reply);
}

/* ---------------------------------------------------------------- the page */

/* The page's only style; the Content-Security-Policy allows it by its hash
 * and nothing else (no script, no image, no external file). */
static const char verify_style[] =
        "body{margin:0;font-family:system-ui,-apple-system,\"PingFang SC\",\"Microsoft YaHei\","
        "sans-serif;font-size:18px;line-height:1.5;color:#222;background:#f4f4f4}"
        "main{max-width:32em;margin:0 auto;padding:1em}"
        ".verdict{font-size:2.4em;font-weight:bold;text-align:center;color:#fff;"
        "border-radius:.3em;padding:.4em;margin:.3em 0}"
        ".ok{background:#1b7f3b}.warn{background:#b36b00}.bad{background:#b3261e}"
        ".sub{text-align:center;font-size:1.1em}"
        "dl{background:#fff;border-radius:.3em;padding:.5em 1em}"
        "dt{color:#666;font-size:.85em;margin-top:.6em}dd{margin:0;font-size:1.15em}"
        ".note{color:#555;font-size:.85em}nav{text-align:right}a{color:#0b57d0}";

static pthread_once_t verify_csp_once = PTHREAD_ONCE_INIT;
static char verify_csp[200];

static void verify_csp_build(void)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hash64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
	                                      sodium_base64_VARIANT_ORIGINAL)];

	(void)crypto_hash_sha256(hash, (const unsigned char *)verify_style,
	                         sizeof(verify_style) - 1);
	(void)sodium_bin2base64(hash64, sizeof(hash64), hash, sizeof(hash),
	                        sodium_base64_VARIANT_ORIGINAL);
	(void)snprintf(verify_csp, sizeof(verify_csp),
	               "default-src 'none'; style-src 'sha256-%s'; base-uri 'none'; "
	               "form-action 'none'; frame-ancestors 'none'",
	               hash64);
}

/* Appends text HTML-escaped. */
static int verify_html_text(struct buf *out, const char *text)
{
	const char *p, *run = text;
	const char *entity;
	int rc = 0;

	for (p = text; *p != '\0' && rc == 0; p++) {
		switch (*p) {
		case '&':
			entity = "&amp;";
			break;
		case '<':
			entity = "&lt;";
			break;
		case '>':
			entity = "&gt;";
			break;
		case '"':
			entity = "&quot;";
			break;
		case '\'':
			entity = "&#39;";
			break;
		default:
			continue;
		}
		rc = buf_append(out, run, (size_t)(p - run));
		if (rc == 0)
			rc = buf_puts(out, entity);
		run = p + 1;
	}
	return rc == 0 ? buf_append(out, run, (size_t)(p - run)) : rc;
}

/* One <dt>label</dt><dd>value</dd>. */
static int verify_html_row(struct buf *out, const char *label, const char *value)
{
	return buf_puts(out, "<dt>") != 0 || verify_html_text(out, label) != 0 ||
	                       buf_puts(out, "</dt><dd>") != 0 ||
	                       verify_html_text(out, value) != 0 || buf_puts(out, "</dd>") != 0
	               ? -1
	               : 0;
}

/* The words of the page in one language. */
struct verify_words {
	const char *lang, *title, *other_lang, *other_label;
	const char *invalid, *invalid_note, *unknown, *unknown_note, *expired;
	const char *number, *status, *name, *unit, *issuer, *domain, *area, *expires;
	const char *training, *on_track, *behind, *not_evaluated;
	const char *live_note, *too_many;
	const char *status_words[4][2];
};

static const struct verify_words verify_zh = {
        "zh-CN",
        "行政执法证核验",
        "en",
        "English",
        "无效",
        "此二维码不是本系统签发的有效证件码，或已被篡改。",
        "无效",
        "未找到该二维码对应的执法证。",
        "已过期",
        "证号",
        "状态",
        "姓名",
        "所在单位",
        "发证机关",
        "执法类别",
        "执法区域",
        "有效期至",
        "年度培训",
        "达标",
        "未达标",
        "尚未评估",
        "以上为本系统当前记录的实时状态。",
        "核验过于频繁，请稍后再试。",
        {{"valid", "有效"},
         {"suspended", "暂扣"},
         {"withdrawn", "已收回"},
         {"cancelled", "已注销"}},
};

static const struct verify_words verify_en = {
        "en",
        "Enforcement certificate check",
        "zh",
        "中文",
        "Invalid",
        "This code was not issued by this system as a valid certificate code, or it was "
        "altered.",
        "Invalid",
        "No enforcement certificate matches this code.",
        "Expired",
        "Number",
        "Status",
        "Name",
        "Unit",
        "Issued by",
        "Enforcement domain",
        "Area",
        "Valid until",
        "Training this year",
        "on track",
        "not on track",
        "not yet evaluated",
        "This is the live status the system holds now.",
        "Too many checks: please try again later.",
        {{"valid", "Valid"},
         {"suspended", "Suspended"},
         {"withdrawn", "Withdrawn"},
         {"cancelled", "Cancelled"}},
};

static const char *verify_status_word(const struct verify_words *w, const char *status)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(w->status_words[i][0], status) == 0)
			return w->status_words[i][1];
	return w->invalid;
}

/* The page: a verdict (class ok, warn or bad), a line under it, and for a
 * certificate found its public facts. */
static int verify_html(struct buf *out, const struct verify_words *w, const struct verify_result *r,
                       const char *verdict, const char *verdict_class, const char *line)
{
	char year_label[96];
	const char *training;

	if (buf_printf(
	            out,
	            "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	            "<meta name=\"robots\" content=\"noindex\"><title>%s</title><style>%s</style>"
	            "</head><body><main><nav><a href=\"?lang=%s\">%s</a></nav>"
	            "<div class=\"verdict %s\">",
	            w->lang, w->title, verify_style, w->other_lang, w->other_label,
	            verdict_class) != 0 ||
	    verify_html_text(out, verdict) != 0 || buf_puts(out, "</div>") != 0)
		return -1;
	if (line != NULL && (buf_puts(out, "<p class=\"sub\">") != 0 ||
	                     verify_html_text(out, line) != 0 || buf_puts(out, "</p>") != 0))
		return -1;
	if (r != NULL && r->outcome == VERIFY_FOUND) {
		(void)snprintf(year_label, sizeof(year_label), "%s (%lld)", w->training,
		               r->training_year);
		training = r->on_track < 0 ? w->not_evaluated
		           : r->on_track   ? w->on_track
		                           : w->behind;
		if (buf_puts(out, "<dl>") != 0 || verify_html_row(out, w->number, r->number) != 0 ||
		    verify_html_row(out, w->status, verify_status_word(w, r->status)) != 0 ||
		    verify_html_row(out, w->name, r->name_masked) != 0 ||
		    verify_html_row(out, w->unit, r->unit) != 0 ||
		    verify_html_row(out, w->issuer, r->issuing_org) != 0 ||
		    verify_html_row(out, w->domain, r->domain) != 0 ||
		    (r->area[0] != '\0' && verify_html_row(out, w->area, r->area) != 0) ||
		    verify_html_row(out, w->expires, r->expires_on) != 0 ||
		    verify_html_row(out, year_label, training) != 0 ||
		    buf_puts(out, "</dl>") != 0 ||
		    buf_printf(out, "<p class=\"note\">%s</p>", w->live_note) != 0)
			return -1;
	}
	return buf_puts(out, "</main></body></html>\n");
}

static int verify_page_reply(struct request *req, unsigned status, struct buf *out)
{
	size_t len = out->len;
	char *body;

	(void)pthread_once(&verify_csp_once, verify_csp_build);
	(void)request_add_header(req, "Content-Security-Policy", verify_csp);
	(void)request_add_header(req, "Referrer-Policy", "no-referrer");
	body = buf_detach(out);
	if (body == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return request_reply_raw(req, status, "text/html; charset=utf-8", body, len);
}

int api_verify_page(struct request *req)
{
	const char *lang = request_query(req, "lang");
	const struct verify_words *w =
	        lang != NULL && strcmp(lang, "en") == 0 ? &verify_en : &verify_zh;
	struct verify_result result;
	const char *lat, *lon, *verdict, *verdict_class = "bad", *line = NULL;
	struct buf out;
	char retry[16];
	unsigned wait;
	int bad = 0;

	buf_init(&out, 64 * 1024);
	wait = verify_rate_take(req->address);
	if (wait > 0) {
		(void)snprintf(retry, sizeof(retry), "%u", wait);
		(void)request_add_header(req, "Retry-After", retry);
		if (verify_html(&out, w, NULL, w->too_many, "warn", NULL) != 0)
			goto oom;
		return verify_page_reply(req, 429, &out);
	}
	/* A place the scanner shared; on the page a wrong one is ignored. */
	lat = verify_coordinate(req, "lat", 90, &bad);
	lon = verify_coordinate(req, "lon", 180, &bad);
	if (bad)
		lat = lon = NULL;
	if (verify_lookup(req, lat, lon, &result) != 0) {
		buf_release(&out);
		return -1;
	}
	if (result.outcome == VERIFY_INVALID) {
		verdict = w->invalid;
		line = w->invalid_note;
	} else if (result.outcome == VERIFY_UNKNOWN) {
		verdict = w->unknown;
		line = w->unknown_note;
	} else {
		verdict = verify_status_word(w, result.status);
		if (strcmp(result.status, "valid") == 0 && result.expired)
			verdict = w->expired;
		else if (strcmp(result.status, "valid") == 0)
			verdict_class = "ok";
		else if (strcmp(result.status, "suspended") == 0)
			verdict_class = "warn";
	}
	if (verify_html(&out, w, &result, verdict, verdict_class, line) != 0)
		goto oom;
	return verify_page_reply(req, 200, &out);
oom:
	buf_release(&out);
	return problem_set(&req->problem, PROBLEM_INTERNAL, "the page could not be written");
}
