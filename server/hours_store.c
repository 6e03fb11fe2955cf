/* hours_store.c — keeps officer_year_status up to date (doc/hours-engine.md):
 * the schema's triggers mark the officer-years a change touches stale, in the
 * writing transaction; hours_store_refresh evaluates them with the pure engine
 * (rules_hours.c) before that transaction commits, set-wise: one statement
 * reads a batch of stale officer-years with their maintained totals, policy and
 * exemption, one statement writes the batch's results back. A result is written
 * only if the row's generation is still the one read, so a change committed
 * meanwhile leaves the row stale rather than overwritten. */
#include "hours_store.h"

#include "api.h"
#include "arena.h"
#include "db.h"
#include "log.h"
#include "request.h"
#include "rules_hours.h"
#include "ticker.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Officer-years per round trip: large enough to amortise the statements, small
 * enough that a batch's results stay a few hundred KiB of JSON. */
#define HOURS_STORE_BATCH "500"

/* The background refresher: how often, and how many batches per transaction. */
#define HOURS_STORE_TICK_S          30
#define HOURS_STORE_TICK_BATCHES    20
#define HOURS_STORE_ARENA_MAX       (64u * 1024u * 1024u)
#define HOURS_STORE_BATCH_ARENA_MAX (16u * 1024u * 1024u) /* one batch's rows and results */

enum hours_store_stmt {
	STALE_BATCH,
	ONE_INPUT,
	WRITE_BATCH,
	ENSURE_YEAR,
	MARK_DATED,
	HOURS_STORE_STMT_COUNT
};

/* What the engine needs of the officer-years k (officer_id, year, generation):
 * officer_id, year, generation, hire date and last day in post (YYYYMMDD, 0 =
 * none), the policy (NULL: the baseline), the exemption's kind and reduced
 * units, the maintained totals [[category, platform, units, minutes], …]. */
#define HOURS_INPUT_SELECT                                                              \
	"SELECT k.officer_id, k.year, k.generation,"                                    \
	" coalesce(to_char(o.hire_date, 'YYYYMMDD')::int, 0),"                          \
	" CASE WHEN o.status <> 'active'"                                               \
	"  THEN to_char(o.status_date, 'YYYYMMDD')::int ELSE 0 END,"                    \
	" CASE WHEN p.id IS NULL THEN NULL ELSE jsonb_build_object("                    \
	"  'required_units', p.required_units, 'minutes_per_hour', p.minutes_per_hour," \
	"  'excluded_categories', to_jsonb(p.excluded_categories),"                     \
	"  'category_minima', p.category_minima, 'platform_minima', p.platform_minima," \
	"  'prorate', p.prorate, 'min_months', p.min_months, 'org_id', p.org_id) END,"  \
	" e.kind, e.reduced_units,"                                                     \
	" (SELECT coalesce(jsonb_agg(jsonb_build_array(t.category, t.platform,"         \
	"  t.units, t.untimed_minutes)), '[]') FROM officer_year_total t"               \
	"  WHERE t.officer_id = k.officer_id AND t.year = k.year)"
#define HOURS_INPUT_JOINS                                                   \
	" JOIN officer o ON o.id = k.officer_id"                            \
	" LEFT JOIN LATERAL hours_policy_for(o.org_path, k.year) p ON true" \
	" LEFT JOIN hours_exemption e ON e.officer_id = k.officer_id"       \
	"  AND e.year = k.year AND e.revoked_at IS NULL"

static const struct db_stmt hours_store_stmts[HOURS_STORE_STMT_COUNT] = {
        /* $1, $2: the last (year, officer) of the previous batch. */
        /* The batch's keys first, from the stale index: joined from the
         * officer side, a planner that underestimates row-level security's
         * scope filter (it cannot read statistics through it) scanned every
         * status row once per officer. */
        [STALE_BATCH] = {"hours_stale_batch",
                         "WITH k AS MATERIALIZED (SELECT officer_id, year, generation"
                         " FROM officer_year_status WHERE stale AND (year, officer_id) >"
                         " ($1::int, $2::bigint) ORDER BY year, officer_id"
                         " LIMIT " HOURS_STORE_BATCH ") " HOURS_INPUT_SELECT
                         " FROM k" HOURS_INPUT_JOINS " ORDER BY k.year, k.officer_id"},
        /* $1 officer, $2 year: whether or not a status row exists. */
        [ONE_INPUT] = {"hours_one_input",
                       HOURS_INPUT_SELECT " FROM (SELECT $1::bigint AS officer_id, $2::int AS year,"
                                          " 0::bigint AS generation) k" HOURS_INPUT_JOINS},
        [WRITE_BATCH] = {"hours_write_batch",
                         "UPDATE officer_year_status s SET counted_units = r.counted_units,"
                         " required_units = r.required_units, status = r.status,"
                         " shortfalls = r.shortfalls, evaluated_at = now(), stale = false"
                         " FROM jsonb_to_recordset($1::jsonb) AS r (officer_id bigint,"
                         "  year integer, generation bigint, counted_units bigint,"
                         "  required_units bigint, status text, shortfalls jsonb)"
                         " WHERE s.officer_id = r.officer_id AND s.year = r.year"
                         " AND s.generation = r.generation"
                         /* The batch's own key range (after $2, $3 up to $4, $5, in
                          * STALE_BATCH's order), so that the rows come from the stale
                          * index whatever row-level security makes the planner guess. */
                         " AND s.stale AND (s.year, s.officer_id) > ($2::int, $3::bigint)"
                         " AND (s.year, s.officer_id) <= ($4::int, $5::bigint)"},
        /* Every officer in post this year gets a row (also those with no training). */
        [ENSURE_YEAR] = {"hours_ensure_year", "SELECT officer_year_status_ensure($1::int)"},
        /* A new day moves the linear pace, and a new year makes last year final. */
        [MARK_DATED] = {"hours_mark_dated",
                        "UPDATE officer_year_status SET stale = true"
                        " WHERE year >= $1::int - 1 AND status IN ('short', 'at_risk')"
                        " AND NOT stale"},
};

const struct db_stmt_table hours_store_statements = {hours_store_stmts, HOURS_STORE_STMT_COUNT};

static int hours_store_category(const char *name, enum hours_category *out)
{
	return name != NULL && hours_category_parse(name, out) == 0 ? 0 : -1;
}

/* The policy row as JSON (NULL: the baseline applies) → *policy. 0 or -1. */
static int hours_store_policy(const json_t *doc, struct hours_policy *policy)
{
	const json_t *item, *name;
	size_t i, j;

	*policy = hours_policy_baseline();
	if (doc == NULL)
		return 0;
	policy->required_units = json_integer_value(json_object_get(doc, "required_units"));
	policy->minutes_per_hour =
	        (int)json_integer_value(json_object_get(doc, "minutes_per_hour"));
	policy->prorate = json_is_true(json_object_get(doc, "prorate"));
	policy->min_months = (int)json_integer_value(json_object_get(doc, "min_months"));
	policy->excluded = 0;
	json_array_foreach(json_object_get(doc, "excluded_categories"), i, name)
	{
		enum hours_category category;

		if (hours_store_category(json_string_value(name), &category) != 0)
			return -1;
		policy->excluded |= HOURS_CATEGORY_BIT(category);
	}
	json_array_foreach(json_object_get(doc, "category_minima"), i, item)
	{
		unsigned set = 0;

		json_array_foreach(json_object_get(item, "categories"), j, name)
		{
			enum hours_category category;

			if (hours_store_category(json_string_value(name), &category) != 0)
				return -1;
			set |= HOURS_CATEGORY_BIT(category);
		}
		if (hours_policy_add_category_minimum(
		            policy, set, json_integer_value(json_object_get(item, "units"))) != 0)
			return -1;
	}
	json_array_foreach(
	        json_object_get(doc, "platform_minima"), i,
	        item) if (hours_policy_add_platform_minimum(policy,
	                                                    json_string_value(json_object_get(
	                                                            item, "platform")),
	                                                    json_integer_value(json_object_get(
	                                                            item, "units"))) !=
	                  0) return -1;
	return hours_policy_check(policy) == HOURS_POLICY_OK ? 0 : -1;
}

/* [[category, platform, units, untimed_minutes], …] → totals, rows in the arena. */
static int hours_store_totals(struct request *req, const json_t *doc, struct hours_totals *totals)
{
	size_t n = json_array_size(doc), i;
	struct hours_total_row *rows = arena_alloc(req->arena, (n ? n : 1) * sizeof(*rows));
	const json_t *row;

	if (rows == NULL)
		return -1;
	hours_totals_init(totals, rows, n);
	json_array_foreach(doc, i, row)
	{
		const char *name = json_string_value(json_array_get(row, 1));
		/* Platform names outlive the JSON: the card reads them from the result. */
		const char *platform = arena_strdup(req->arena, name != NULL ? name : "");
		enum hours_category category;

		if (platform == NULL ||
		    hours_store_category(json_string_value(json_array_get(row, 0)), &category) !=
		            0 ||
		    hours_totals_add(totals, category, platform,
		                     json_integer_value(json_array_get(row, 2)),
		                     json_integer_value(json_array_get(row, 3))) != 0)
			return -1;
	}
	return 0;
}

json_t *hours_store_shortfalls(const struct hours_result *result)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; list != NULL && i < result->shortfall_count; i++) {
		const struct hours_shortfall *s = &result->shortfalls[i];

		if (json_array_append_new(list,
		                          json_pack("{s:s, s:s, s:I, s:I, s:b, s:s}", "kind",
		                                    hours_shortfall_kind_name(s->kind), "name",
		                                    s->name, "required_units",
		                                    (json_int_t)s->required_units, "missing_units",
		                                    (json_int_t)s->missing_units, "behind_pace",
		                                    s->behind_pace, "message", s->message)) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

/* Runs the engine on one row of HOURS_INPUT_SELECT. 0 or -1. */
static int hours_store_run(struct request *req, const PGresult *res, int row, int today,
                           struct hours_policy *policy, struct hours_result *result)
{
	struct hours_totals totals;
	struct hours_exemption exemption = {HOURS_EXEMPTION_NONE, 0};
	json_t *policy_doc = db_json(res, row, 5), *totals_doc = db_json(res, row, 8);
	int year = atoi(PQgetvalue(res, row, 1)), ok;

	if (!PQgetisnull(res, row, 6)) {
		exemption.kind = strcmp(PQgetvalue(res, row, 6), "waive") == 0
		                         ? HOURS_EXEMPTION_WAIVE
		                         : HOURS_EXEMPTION_REDUCE;
		exemption.units = strtoll(PQgetvalue(res, row, 7), NULL, 10);
	}
	ok = hours_store_policy(policy_doc, policy) == 0 &&
	     hours_store_totals(req, totals_doc, &totals) == 0 &&
	     hours_evaluate(&totals, policy,
	                    hours_months_in_post(year, atoi(PQgetvalue(res, row, 3)),
	                                         atoi(PQgetvalue(res, row, 4))),
	                    &exemption, year, today, result) == HOURS_EVAL_OK;
	json_decref(policy_doc);
	json_decref(totals_doc);
	return ok ? 0 : -1;
}

/* Evaluates one row of STALE_BATCH into its result document (NULL on failure). */
static json_t *hours_store_evaluate(struct request *req, const PGresult *res, int row, int today,
                                    struct hours_result *result)
{
	struct hours_policy policy;

	if (hours_store_run(req, res, row, today, &policy, result) != 0)
		return NULL;
	return json_pack("{s:I, s:i, s:I, s:I, s:I, s:s, s:o}", "officer_id",
	                 (json_int_t)strtoll(PQgetvalue(res, row, 0), NULL, 10), "year",
	                 atoi(PQgetvalue(res, row, 1)), "generation",
	                 (json_int_t)strtoll(PQgetvalue(res, row, 2), NULL, 10), "counted_units",
	                 (json_int_t)result->counted_units, "required_units",
	                 (json_int_t)result->required_units, "status",
	                 hours_status_name(result->status), "shortfalls",
	                 hours_store_shortfalls(result));
}

int hours_store_evaluate_one(struct request *req, const char *officer_id, const char *year,
                             struct hours_policy *policy, struct hours_result *result)
{
	const char *params[2] = {officer_id, year};
	PGresult *res = db_exec(req, &hours_store_stmts[ONE_INPUT], 2, params);

	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	if (hours_store_run(req, res, 0, api_today(), policy, result) != 0)
		return problem_set(&req->problem, PROBLEM_INTERNAL,
		                   "officer %s, year %s: stored hours cannot be evaluated",
		                   officer_id, year);
	return 0;
}

/* Evaluates one batch of stale officer-years after (last_year, last_officer)
 * and writes the results; moves the cursor to the batch's last key. Returns
 * the rows done (0: none left) or -1 with req->problem set. */
static int hours_store_refresh_batch(struct request *req, char last_year[16], char last_officer[24],
                                     struct hours_result *result)
{
	char first_year[16], first_officer[24];
	const char *params[2] = {last_year, last_officer};
	const char *write_params[5] = {NULL, first_year, first_officer, last_year, last_officer};
	PGresult *res = db_exec(req, &hours_store_stmts[STALE_BATCH], 2, params);
	int today = api_today(), rows, row;
	json_t *batch;
	char *text;

	if (res == NULL)
		return -1;
	rows = PQntuples(res);
	if (rows == 0)
		return 0;
	batch = json_array();
	for (row = 0; batch != NULL && row < rows; row++) {
		json_t *doc = hours_store_evaluate(req, res, row, today, result);

		if (doc == NULL || json_array_append_new(batch, doc) != 0) {
			json_decref(batch);
			return problem_set(&req->problem, PROBLEM_INTERNAL,
			                   "officer %s, year %s: stored hours cannot be evaluated",
			                   PQgetvalue(res, row, 0), PQgetvalue(res, row, 1));
		}
	}
	memcpy(first_year, last_year, sizeof(first_year));
	memcpy(first_officer, last_officer, sizeof(first_officer));
	(void)snprintf(last_year, 16, "%s", PQgetvalue(res, rows - 1, 1));
	(void)snprintf(last_officer, 24, "%s", PQgetvalue(res, rows - 1, 0));
	text = batch != NULL ? json_dumps(batch, JSON_COMPACT) : NULL;
	json_decref(batch);
	if (text == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	write_params[0] = text;
	res = db_exec(req, &hours_store_stmts[WRITE_BATCH], 5, write_params);
	free(text);
	return res != NULL ? rows : -1;
}

/* Evaluates stale officer-years, at most max_batches batches (0: all). Returns
 * the number of batches done, or -1 with req->problem set. Each batch runs in
 * an arena of its own, so that an import refreshing a province's officer-years
 * holds one batch's results and rows at a time, not all of them. */
static int hours_store_refresh_batches(struct request *req, int max_batches)
{
	char last_year[16] = "0", last_officer[24] = "0";
	struct arena *request_arena = req->arena;
	int batches = 0, rows = 1;

	while (rows > 0 && (max_batches == 0 || batches < max_batches)) {
		struct hours_result *result;

		req->arena = arena_new(HOURS_STORE_BATCH_ARENA_MAX);
		result = req->arena != NULL ? arena_alloc(req->arena, sizeof(*result)) : NULL;
		rows = result != NULL
		               ? hours_store_refresh_batch(req, last_year, last_officer, result)
		               : problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
		arena_free(req->arena);
		req->arena = request_arena;
		if (rows > 0)
			batches++;
	}
	return rows < 0 ? -1 : batches;
}

int hours_store_refresh(struct request *req)
{
	return hours_store_refresh_batches(req, 0) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- the refresher */

static struct {
	struct ticker ticker;
	int marked_day; /* the Shanghai day whose pace the stored statuses follow */
} hours_refresher;

/* One transaction of the refresher, as tcardd itself over the whole tree: a
 * new day's marking, this year's missing rows, then up to
 * HOURS_STORE_TICK_BATCHES batches. Returns 1 when more may be left, 0 when
 * done, -1 on failure (logged). */
static int hours_store_round(void)
{
	struct request req;
	char year[8];
	const char *param = year;
	char quoted[600];
	int today = api_today(), batches = -1;

	memset(&req, 0, sizeof(req));
	req.arena = arena_new(HOURS_STORE_ARENA_MAX);
	if (req.arena == NULL)
		return -1;
	req.principal.role = ROLE_ADMIN;
	req.principal.scope = "all";
	req.principal.actor = "tcardd";
	(void)snprintf(req.id, sizeof(req.id), "hours-refresher");
	(void)snprintf(year, sizeof(year), "%d", today / 10000);
	if (db_begin(&req, DB_WRITE) == 0 &&
	    (today == hours_refresher.marked_day ||
	     (db_exec(&req, &hours_store_stmts[MARK_DATED], 1, &param) != NULL &&
	      db_exec(&req, &hours_store_stmts[ENSURE_YEAR], 1, &param) != NULL)))
		batches = hours_store_refresh_batches(&req, HOURS_STORE_TICK_BATCHES);
	if (batches >= 0 && db_commit(&req) == 0)
		hours_refresher.marked_day = today;
	else
		log_event(LOG_WARN, "hours_refresh_failed", "reason=%s",
		          log_quote(quoted, sizeof(quoted), req.problem.detail));
	if (req.db != NULL)
		db_end(req.db);
	problem_clear(&req.problem);
	arena_free(req.arena);
	return batches < 0 ? -1 : batches == HOURS_STORE_TICK_BATCHES;
}

static void hours_store_tick(void *unused)
{
	(void)unused;
	while (hours_store_round() == 1)
		;
}

int hours_store_start(struct err *err)
{
	hours_refresher.marked_day = 0;
	if (ticker_start(&hours_refresher.ticker, HOURS_STORE_TICK_S, 1, hours_store_tick, NULL) !=
	    0)
		return err_set(err, "cannot start the hours refresher");
	return 0;
}

void hours_store_stop(void)
{
	ticker_stop(&hours_refresher.ticker);
}
