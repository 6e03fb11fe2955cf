/* metrics.c — see metrics.h. Latency buckets in seconds, as Prometheus
 * histograms want them (cumulative when written out). */
#include "metrics.h"

#include "buf.h"
#include "router.h"

#include <stdatomic.h>

#define METRICS_ROUTES_MAX 160
#define METRICS_BUCKETS    12

static const struct {
	long us;
	const char *le;
} metrics_bounds[METRICS_BUCKETS] = {
        {1000, "0.001"}, {5000, "0.005"},  {10000, "0.01"},  {25000, "0.025"},
        {50000, "0.05"}, {100000, "0.1"},  {250000, "0.25"}, {500000, "0.5"},
        {1000000, "1"},  {2500000, "2.5"}, {5000000, "5"},   {10000000, "10"},
};

/* Status classes 1xx…5xx. */
#define METRICS_CLASSES 5

struct metrics_route {
	atomic_ullong by_class[METRICS_CLASSES];
	atomic_ullong bucket[METRICS_BUCKETS + 1]; /* the last: above every bound */
	atomic_ullong sum_us;
};

static struct {
	const struct route *routes;
	size_t count; /* counted routes; slot `count` is "no route" */
	struct metrics_route slot[METRICS_ROUTES_MAX + 1];
	atomic_long in_flight;
	atomic_ullong imports;
	atomic_ullong imports_written;
	atomic_ullong import_rows;
} metrics;

void metrics_init(const struct route *routes, size_t count)
{
	metrics.routes = routes;
	metrics.count = count < METRICS_ROUTES_MAX ? count : METRICS_ROUTES_MAX;
}

static struct metrics_route *metrics_slot(const struct route *route)
{
	if (route != NULL && metrics.routes != NULL && route >= metrics.routes &&
	    route < metrics.routes + metrics.count)
		return &metrics.slot[route - metrics.routes];
	return &metrics.slot[metrics.count];
}

void metrics_request_begin(void)
{
	atomic_fetch_add_explicit(&metrics.in_flight, 1, memory_order_relaxed);
}

void metrics_observe_request(const struct route *route, unsigned status, long duration_us)
{
	struct metrics_route *slot = metrics_slot(route);
	unsigned class = status / 100;
	int b = 0;

	atomic_fetch_sub_explicit(&metrics.in_flight, 1, memory_order_relaxed);
	if (class >= 1 && class <= METRICS_CLASSES)
		atomic_fetch_add_explicit(&slot->by_class[class - 1], 1, memory_order_relaxed);
	if (duration_us < 0)
		duration_us = 0;
	while (b < METRICS_BUCKETS && duration_us > metrics_bounds[b].us)
		b++;
	atomic_fetch_add_explicit(&slot->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&slot->sum_us, (unsigned long long)duration_us,
	                          memory_order_relaxed);
}

void metrics_observe_import(long long rows, int written)
{
	atomic_fetch_add_explicit(&metrics.imports, 1, memory_order_relaxed);
	if (written) {
		atomic_fetch_add_explicit(&metrics.imports_written, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&metrics.import_rows,
		                          (unsigned long long)(rows > 0 ? rows : 0),
		                          memory_order_relaxed);
	}
}

static unsigned long long metrics_load(atomic_ullong *value)
{
	return atomic_load_explicit(value, memory_order_relaxed);
}

/* The labels of slot i: method and route pattern (patterns hold no quote or
 * backslash, so they need no escaping). */
static int metrics_labels(struct buf *out, size_t i)
{
	if (i == metrics.count)
		return buf_puts(out, "method=\"\",route=\"none\"");
	return buf_printf(out, "method=\"%s\",route=\"%s\"",
	                  router_method_name(metrics.routes[i].method), metrics.routes[i].pattern);
}

static int metrics_write_requests(struct buf *out)
{
	size_t i;
	int c, b, rc = 0;

	rc |= buf_puts(out, "# HELP tcard_http_requests_total HTTP requests served, by route and"
	                    " status class.\n# TYPE tcard_http_requests_total counter\n");
	for (i = 0; i <= metrics.count; i++)
		for (c = 0; c < METRICS_CLASSES; c++) {
			unsigned long long n = metrics_load(&metrics.slot[i].by_class[c]);

			if (n == 0)
				continue;
			rc |= buf_puts(out, "tcard_http_requests_total{");
			rc |= metrics_labels(out, i);
			rc |= buf_printf(out, ",code=\"%dxx\"} %llu\n", c + 1, n);
		}
	rc |= buf_puts(out, "# HELP tcard_http_request_duration_seconds Time from the request's"
	                    " first byte to its reply.\n"
	                    "# TYPE tcard_http_request_duration_seconds histogram\n");
	for (i = 0; i <= metrics.count; i++) {
		struct metrics_route *slot = &metrics.slot[i];
		unsigned long long cumulative = 0;

		for (b = 0; b <= METRICS_BUCKETS; b++)
			cumulative += metrics_load(&slot->bucket[b]);
		if (cumulative == 0)
			continue; /* a route never called has no series */
		cumulative = 0;
		for (b = 0; b <= METRICS_BUCKETS; b++) {
			cumulative += metrics_load(&slot->bucket[b]);
			rc |= buf_puts(out, "tcard_http_request_duration_seconds_bucket{");
			rc |= metrics_labels(out, i);
			rc |= buf_printf(out, ",le=\"%s\"} %llu\n",
			                 b < METRICS_BUCKETS ? metrics_bounds[b].le : "+Inf",
			                 cumulative);
		}
		rc |= buf_puts(out, "tcard_http_request_duration_seconds_sum{");
		rc |= metrics_labels(out, i);
		rc |= buf_printf(out, "} %llu.%06llu\n", metrics_load(&slot->sum_us) / 1000000,
		                 metrics_load(&slot->sum_us) % 1000000);
		rc |= buf_puts(out, "tcard_http_request_duration_seconds_count{");
		rc |= metrics_labels(out, i);
		rc |= buf_printf(out, "} %llu\n", cumulative);
	}
	return rc != 0 ? -1 : 0;
}

static int metrics_gauge(struct buf *out, const char *name, const char *help, long value)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %ld\n", name, help, name, name,
	                  value);
}

static int metrics_counter(struct buf *out, const char *name, const char *help,
                           unsigned long long value)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
	                  value);
}

int metrics_write(struct buf *out, const struct metrics_gauges *g)
{
	int rc = metrics_write_requests(out);

	rc |= metrics_gauge(out, "tcard_http_in_flight", "Requests being served.",
	                    atomic_load_explicit(&metrics.in_flight, memory_order_relaxed));
	rc |= metrics_gauge(out, "tcard_db_connections",
	                    "Worker database connections open (one per worker).",
	                    g->db_connections);
	rc |= metrics_gauge(out, "tcard_db_connections_in_transaction",
	                    "Worker connections inside a transaction.", g->db_in_transaction);
	rc |= metrics_gauge(out, "tcard_db_dedicated_connections",
	                    "Connections of running imports (their own, one each).",
	                    g->db_dedicated);
	rc |= metrics_gauge(out, "tcard_imports_running", "Imports being received.",
	                    g->imports_running);
	rc |= metrics_counter(out, "tcard_imports_total", "Imports finished, written or not.",
	                      metrics_load(&metrics.imports));
	rc |= metrics_counter(out, "tcard_imports_written_total",
	                      "Imports committed (not a dry run, no row refused).",
	                      metrics_load(&metrics.imports_written));
	rc |= metrics_counter(out, "tcard_import_rows_total", "Rows of the committed imports.",
	                      metrics_load(&metrics.import_rows));
	return rc != 0 ? -1 : 0;
}
