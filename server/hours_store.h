/* hours_store.h — brings the stored evaluation of officer-years
 * (officer_year_status) up to date inside the writing transaction. */
#ifndef TCARD_HOURS_STORE_H
#define TCARD_HOURS_STORE_H

#include "db.h"
#include "err.h"

#include <jansson.h>

struct request;
struct hours_policy;
struct hours_result;

extern const struct db_stmt_table hours_store_statements;

/* Evaluates every stale officer-year the request may see, in batches, in the
 * request's open write transaction. 0, or -1 with req->problem set. */
int hours_store_refresh(struct request *req);

/* Evaluates one officer-year from its maintained totals (for the card), with
 * the policy that applies into *policy. The officer must be visible (404
 * otherwise). 0, or -1 with req->problem set. */
int hours_store_evaluate_one(struct request *req, const char *officer_id, const char *year,
                             struct hours_policy *policy, struct hours_result *result);

/* Starts the background refresher: every 30 s, as tcardd over the whole tree,
 * it evaluates officer-years left stale (written outside a request, e.g. the
 * demo loader, or out of the writer's scope), gives every officer in post a row
 * for the current year, and once a day marks the rows whose status depends on
 * the date (the linear pace; a year that ended) stale. */
int hours_store_start(struct err *err);
void hours_store_stop(void);

/* A result's shortfalls as stored and served: [{kind, name, required_units,
 * missing_units, behind_pace, message}]; NULL when out of memory. */
json_t *hours_store_shortfalls(const struct hours_result *result);

#endif
