/* test_metrics.c — GET /metrics (issue 9): Prometheus text whose counters
 * move exactly with the requests and imports made, histograms that are
 * cumulative and end in their count, and gauges of the connections. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tcardd_proc proc;
static PGconn *db;
static char national_id[19];

static int group_setup(void **state)
{
	long long org;

	(void)state;
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	org = test_create_org(&proc, "metrics-a", "指标县", "county", 0);
	(void)test_create_officer(&proc, 8801, "指标一", org);
	test_national_id(8801, national_id);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	return 0;
}

/* The metrics text, as the admin. The caller frees it. */
static char *scrape(void)
{
	struct http_result r;
	char *text;

	http_call(&proc, &r, "GET", "/metrics", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.content_type, "text/plain; version=0.0.4"));
	text = strdup(r.body);
	assert_non_null(text);
	http_result_clear(&r);
	return text;
}

/* The value of the series named exactly series (name and labels), 0 when absent. */
static long long value_of(const char *text, const char *series)
{
	size_t len = strlen(series);
	const char *line = text;

	while (line != NULL && *line != '\0') {
		if (strncmp(line, series, len) == 0 && line[len] == ' ')
			return atoll(line + len + 1);
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return 0;
}

/* A scrape in which series has reached at least value: a request is counted when
 * libmicrohttpd reports it completed, a moment after its reply reached the client.
 * Gives up after two seconds (the caller's assertions then fail). */
static char *scrape_reaching(const char *series, long long value)
{
	char *text = scrape();
	int tries;

	for (tries = 0; tries < 40 && value_of(text, series) < value; tries++) {
		free(text);
		(void)usleep(50 * 1000);
		text = scrape();
	}
	return text;
}

#define HEALTHZ_2XX "tcard_http_requests_total{method=\"GET\",route=\"/healthz\",code=\"2xx\"}"
#define NONE_4XX    "tcard_http_requests_total{method=\"\",route=\"none\",code=\"4xx\"}"
#define HEALTHZ_SERIES \
	"tcard_http_request_duration_seconds_%s{method=\"GET\",route=\"/healthz\"%s%s%s}"

static void test_request_counters_move_exactly_with_the_requests(void **state)
{
	struct http_result r;
	char *before, *after;
	int i;

	(void)state;
	before = scrape();
	for (i = 0; i < 3; i++) {
		http_call(&proc, &r, "GET", "/healthz", NULL, NULL);
		assert_int_equal(r.status, 200);
		http_result_clear(&r);
	}
	http_call(&proc, &r, "GET", "/api/v1/no-such-route", NULL, NULL);
	assert_int_equal(r.status, 404);
	http_result_clear(&r);
	free(scrape_reaching(HEALTHZ_2XX, value_of(before, HEALTHZ_2XX) + 3));
	after = scrape_reaching(NONE_4XX, value_of(before, NONE_4XX) + 1);
	assert_int_equal(value_of(after, HEALTHZ_2XX) - value_of(before, HEALTHZ_2XX), 3);
	assert_int_equal(value_of(after, NONE_4XX) - value_of(before, NONE_4XX), 1);
	assert_non_null(strstr(after, "# TYPE tcard_http_request_duration_seconds histogram"));
	/* The scrape that made `before` is counted in `after`. */
	assert_true(value_of(after, "tcard_http_requests_total{method=\"GET\",route=\"/metrics\","
	                            "code=\"2xx\"}") >= 1);
	/* At least this worker's connection, and none inside a transaction but the scrape's
	 * own worker at most. */
	assert_true(value_of(after, "tcard_db_connections") >= 1);
	assert_true(value_of(after, "tcard_db_connections_in_transaction") <= 1);
	assert_int_equal(value_of(after, "tcard_imports_running"), 0);
	free(before);
	free(after);
}

static void test_histograms_are_cumulative_and_end_in_their_count(void **state)
{
	static const char *const bounds[] = {"0.001", "0.005", "0.01", "0.025", "0.05",
	                                     "0.1",   "0.25",  "0.5",  "1",     "2.5",
	                                     "5",     "10",    "+Inf"};
	char series[256], *text;
	long long previous = 0, value, count;
	size_t i;

	(void)state;
	text = scrape();
	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		(void)snprintf(series, sizeof(series), HEALTHZ_SERIES, "bucket", ",le=\"",
		               bounds[i], "\"");
		value = value_of(text, series);
		assert_true(value >= previous);
		previous = value;
	}
	(void)snprintf(series, sizeof(series), HEALTHZ_SERIES, "count", "", "", "");
	count = value_of(text, series);
	assert_true(count >= 3);
	assert_int_equal(previous, count); /* +Inf holds every request */
	(void)snprintf(series, sizeof(series), HEALTHZ_SERIES, "sum", "", "", "");
	assert_non_null(strstr(text, series));
	free(text);
}

static void test_import_counters_count_runs_and_committed_rows(void **state)
{
	struct http_result r;
	char csv[256], *before, *after;

	(void)state;
	(void)snprintf(csv, sizeof(csv), "national_id,year,grade\n%s,2025,pass\n", national_id);
	before = scrape();
	test_import_post(&proc, NULL, &r, "assessments", "dry_run=true", csv, 0);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	test_import_post(&proc, NULL, &r, "assessments", NULL, csv, 0);
	assert_int_equal(r.status, 200);
	http_result_clear(&r);
	after = scrape_reaching("tcard_imports_total", value_of(before, "tcard_imports_total") + 2);
	assert_int_equal(value_of(after, "tcard_imports_total") -
	                         value_of(before, "tcard_imports_total"),
	                 2);
	assert_int_equal(value_of(after, "tcard_imports_written_total") -
	                         value_of(before, "tcard_imports_written_total"),
	                 1);
	assert_int_equal(value_of(after, "tcard_import_rows_total") -
	                         value_of(before, "tcard_import_rows_total"),
	                 1);
	assert_int_equal(value_of(after, "tcard_db_dedicated_connections"), 0);
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_request_counters_move_exactly_with_the_requests),
	        cmocka_unit_test(test_histograms_are_cumulative_and_end_in_their_count),
	        cmocka_unit_test(test_import_counters_count_runs_and_committed_rows),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
