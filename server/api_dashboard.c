/* api_dashboard.c — GET /api/v1/reports/dashboard?year=&org= (issue 8): what
 * the auditor's dashboard draws besides the per-unit roll-up of
 * /reports/orgs, for the subtree of org (default: the caller's whole scope):
 *   totals          officers evaluated, met, short, at risk, exempt, percent
 *                   met (of those not exempt, rounded down), records;
 *   hours_histogram officers not exempt by counted hours, in 10-hour bins
 *                   from 0 to 80 and one open bin from 80;
 *   records_by_month the training records that count, per month (1–12) of
 *                   their session's start in China Standard Time.
 * Set-wise over the maintained tables only: officer_year_status (005) and
 * attendance_month_count (013), never raw attendance; row-level security
 * holds every statement to the caller's scope. */
#include "api_dashboard.h"

#include "api.h"
#include "arena.h"
#include "request.h"

#include <stdlib.h>
#include <string.h>

/* Histogram bins: DASHBOARD_BINS - 1 closed ones of DASHBOARD_BIN_UNITS each
 * (10 class hours), then one open bin. */
#define DASHBOARD_BINS      9
#define DASHBOARD_BIN_UNITS 360000

enum dashboard_stmt { DASH_TOTALS, DASH_HISTOGRAM, DASH_MONTHS, DASH_STMT_COUNT };

/* $1 org id (NULL: the caller's scope), $2 year. */
#define DASH_SUBTREE " AND ($1::bigint IS NULL OR org_path <@ (SELECT path FROM org WHERE id = $1))"
#define DASH_EVALUATED                                   \
	" FROM officer_year_status WHERE year = $2::int" \
	" AND status IS NOT NULL" DASH_SUBTREE

static const struct db_stmt dashboard_stmts[DASH_STMT_COUNT] = {
        [DASH_TOTALS] = {"dashboard_totals",
                         "SELECT count(*), count(*) FILTER (WHERE status = 'met'),"
                         " count(*) FILTER (WHERE status = 'short'),"
                         " count(*) FILTER (WHERE status = 'at_risk'),"
                         " count(*) FILTER (WHERE status = 'exempt'),"
                         /* percent met with two decimals, rounded down; 100 of nobody */
                         " CASE WHEN count(*) FILTER (WHERE status <> 'exempt') = 0"
                         " THEN '100.00' ELSE to_char(trunc(count(*) FILTER"
                         " (WHERE status = 'met') * 100::numeric / count(*) FILTER"
                         " (WHERE status <> 'exempt'), 2), 'FM990.00') END" DASH_EVALUATED},
        [DASH_HISTOGRAM] = {"dashboard_histogram",
                            "SELECT least(counted_units / 360000, 8), count(*)" DASH_EVALUATED
                            " AND status <> 'exempt' GROUP BY 1"},
        [DASH_MONTHS] = {"dashboard_months",
                         "SELECT month, sum(records) FROM attendance_month_count"
                         " WHERE year = $2::int" DASH_SUBTREE " GROUP BY month"},
};

const struct db_stmt_table api_dashboard_statements = {dashboard_stmts, DASH_STMT_COUNT};

/* ?year=: 2000..2099 (default this year), as text; NULL with a field error. */
static const char *dashboard_year(struct request *req)
{
	const char *year = request_query(req, "year");

	if (year == NULL)
		return arena_printf(req->arena, "%d", api_today() / 10000);
	if (strlen(year) == 4 && strncmp(year, "20", 2) == 0 && strspn(year, "0123456789") == 4)
		return year;
	(void)problem_field(&req->problem, "year", "range",
	                    "年度为 2000 至 2099 / year must be 2000 to 2099");
	return NULL;
}

/* counts[i] of the rows (key, count) of res whose key is first..first+n-1. */
static void dashboard_counts(const PGresult *res, int first, long long *counts, int n)
{
	int row, key;

	memset(counts, 0, sizeof(*counts) * (size_t)n);
	for (row = 0; row < PQntuples(res); row++) {
		key = atoi(PQgetvalue(res, row, 0)) - first;
		if (key >= 0 && key < n)
			counts[key] = atoll(PQgetvalue(res, row, 1));
	}
}

static json_t *dashboard_histogram(const PGresult *res)
{
	long long counts[DASHBOARD_BINS];
	json_t *bins = json_array();
	int bin;

	dashboard_counts(res, 0, counts, DASHBOARD_BINS);
	for (bin = 0; bins != NULL && bin < DASHBOARD_BINS; bin++)
		if (json_array_append_new(
		            bins,
		            json_pack("{s:o, s:o, s:I}", "from",
		                      api_hours_json((int64_t)bin * DASHBOARD_BIN_UNITS), "to",
		                      bin < DASHBOARD_BINS - 1 ? api_hours_json((int64_t)(bin + 1) *
		                                                                DASHBOARD_BIN_UNITS)
		                                               : json_null(),
		                      "officers", (json_int_t)counts[bin])) != 0) {
			json_decref(bins);
			bins = NULL;
		}
	return bins;
}

/* The twelve months, and their sum into *total. */
static json_t *dashboard_months(const PGresult *res, long long *total)
{
	long long counts[12];
	json_t *months = json_array();
	int month;

	dashboard_counts(res, 1, counts, 12);
	*total = 0;
	for (month = 0; months != NULL && month < 12; month++) {
		*total += counts[month];
		if (json_array_append_new(months,
		                          json_pack("{s:i, s:I}", "month", month + 1, "records",
		                                    (json_int_t)counts[month])) != 0) {
			json_decref(months);
			months = NULL;
		}
	}
	return months;
}

int api_reports_dashboard(struct request *req)
{
	const char *params[2];
	PGresult *totals, *histogram, *months;
	json_t *bins, *per_month;
	long long records;
	int bad = 0;

	params[0] = api_query_id(req, "org", &bad);
	params[1] = dashboard_year(req);
	if (bad || params[1] == NULL || db_begin(req, DB_READ) != 0 ||
	    (params[0] != NULL && api_check_org_visible(req, params[0], "org") != 0))
		return -1;
	totals = db_exec(req, &dashboard_stmts[DASH_TOTALS], 2, params);
	histogram =
	        totals != NULL ? db_exec(req, &dashboard_stmts[DASH_HISTOGRAM], 2, params) : NULL;
	months = histogram != NULL ? db_exec(req, &dashboard_stmts[DASH_MONTHS], 2, params) : NULL;
	if (months == NULL)
		return -1;
	bins = dashboard_histogram(histogram);
	per_month = dashboard_months(months, &records);
	if (bins == NULL || per_month == NULL) {
		json_decref(bins);
		json_decref(per_month);
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	return request_reply_json(
	        req, 200,
	        json_pack("{s:i, s:{s:I, s:I, s:I, s:I, s:I, s:s, s:I}, s:o, s:o}", "year",
	                  atoi(params[1]), "totals", "officers",
	                  (json_int_t)atoll(PQgetvalue(totals, 0, 0)), "met",
	                  (json_int_t)atoll(PQgetvalue(totals, 0, 1)), "short",
	                  (json_int_t)atoll(PQgetvalue(totals, 0, 2)), "at_risk",
	                  (json_int_t)atoll(PQgetvalue(totals, 0, 3)), "exempt",
	                  (json_int_t)atoll(PQgetvalue(totals, 0, 4)), "percent_met",
	                  PQgetvalue(totals, 0, 5), "records", (json_int_t)records,
	                  "hours_histogram", bins, "records_by_month", per_month));
}
