/* metrics.h — what GET /metrics tells an operator, in Prometheus' text format
 * (issue 9): requests and their latency per route, the database connections,
 * and imports. Counters are atomics updated where things happen; reading them
 * takes no lock, so a scrape never stalls a request. */
#ifndef TCARD_METRICS_H
#define TCARD_METRICS_H

#include <stddef.h>

struct buf;
struct route;

/* The routes whose requests are counted (one slot each, plus one for paths no
 * route has: static files, 404s). Call once before serving. */
void metrics_init(const struct route *routes, size_t count);

/* A request began (counted in flight until it is observed). */
void metrics_request_begin(void);
/* One finished request: its route (NULL: none), HTTP status and duration. */
void metrics_observe_request(const struct route *route, unsigned status, long duration_us);

/* One finished import: rows read, and whether it was written (not a dry run,
 * no row refused, committed). */
void metrics_observe_import(long long rows, int written);

/* Gauges read when scraped, supplied by their owners. */
struct metrics_gauges {
	long db_connections;    /* worker connections open */
	long db_in_transaction; /* of those, inside a transaction */
	long db_dedicated;      /* imports' own connections */
	long imports_running;
};

/* Appends the exposition text. 0, or -1 when the buffer refuses. */
int metrics_write(struct buf *out, const struct metrics_gauges *gauges);

#endif
