/* api_card.c — GET /api/v1/officers/{id}/card?year=: the training registration
 * card (培训登记卡) of one officer for one year: every record with the hours it
 * credits and why, the hours by category and platform, the requirement after
 * proration and exemption, the status and what is missing. The totals are the
 * maintained ones (officer_year_total), evaluated with the engine on read; the
 * records are one index range on attendance (officer_id, year). */
#include "api_card.h"

#include "api.h"
#include "arena.h"
#include "hours_store.h"
#include "request.h"
#include "rules_hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum card_stmt { CARD_OFFICER, CARD_RECORDS, CARD_STMT_COUNT };

static const struct db_stmt card_stmts[CARD_STMT_COUNT] = {
        [CARD_OFFICER] = {"card_officer",
                          "SELECT jsonb_build_object('id', o.id, 'name', o.name,"
                          " 'national_id_masked', o.national_id_masked, 'kind', o.kind,"
                          " 'post', o.post, 'status', o.status, 'status_date', o.status_date,"
                          " 'hire_date', o.hire_date, 'org', jsonb_build_object('id', g.id,"
                          " 'code', g.code, 'name', g.name))"
                          " FROM officer o JOIN org g ON g.id = o.org_id WHERE o.id = $1"},
        /* Revoked records too: the card shows them, struck through, with the reason.
         * The organiser is named whatever the reader's scope: an officer or a
         * county's HR cannot read the city bureau that ran a session, and a
         * join on org would drop the record from the card. */
        [CARD_RECORDS] = {"card_records",
                          "SELECT a.id, a.credited_units, a.credited_minutes,"
                          " a.override_units IS NOT NULL, s.declared_units IS NOT NULL,"
                          " jsonb_build_object('id', a.id, 'override_reason', a.override_reason,"
                          " 'revoked', a.revoked_at IS NOT NULL, 'revoked_at', a.revoked_at,"
                          " 'revoked_reason', a.revoked_reason, 'source_platform',"
                          " a.source_platform, 'source_record_id', a.source_record_id,"
                          " 'session', jsonb_build_object('id', s.id, 'code', s.code,"
                          " 'title', s.title, 'category', s.category, 'form', s.form,"
                          " 'platform', s.platform, 'starts_at', s.starts_at, 'ends_at',"
                          " s.ends_at, 'duration_minutes', s.duration_minutes, 'location',"
                          " s.location, 'organiser', jsonb_build_object('id', s.org_id,"
                          " 'name', tcard_org_name(s.org_id))))"
                          " FROM attendance a JOIN training_session s ON s.id = a.session_id"
                          " WHERE a.officer_id = $1 AND a.year = $2"
                          " ORDER BY s.starts_at, a.id"},
};

const struct db_stmt_table api_card_statements = {card_stmts, CARD_STMT_COUNT};

static json_t *card_missing(int64_t units)
{
	char text[HOURS_TEXT_SIZE];

	hours_format_shortfall(units, text);
	return json_string(text);
}

/* The records, each with the hours it credits under the policy and the basis. */
static json_t *card_records(const PGresult *res, const struct hours_policy *policy)
{
	json_t *list = json_array();
	int row;

	for (row = 0; list != NULL && row < PQntuples(res); row++) {
		json_t *doc = db_json(res, row, 5);
		int64_t units = strtoll(PQgetvalue(res, row, 1), NULL, 10);
		int64_t minutes = strtoll(PQgetvalue(res, row, 2), NULL, 10);
		int revoked = json_is_true(json_object_get(doc, "revoked"));
		const char *basis = strcmp(PQgetvalue(res, row, 3), "t") == 0   ? "override"
		                    : strcmp(PQgetvalue(res, row, 4), "t") == 0 ? "declared"
		                                                                : "minutes";

		if (doc == NULL ||
		    json_object_set_new(
		            doc, "credited_hours",
		            api_hours_json(
		                    revoked ? 0
		                            : hours_total_units(units, minutes,
		                                                policy->minutes_per_hour))) != 0 ||
		    json_object_set_new(doc, "basis", json_string(basis)) != 0 ||
		    json_array_append_new(list, doc) != 0) {
			json_decref(doc);
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

static json_t *card_categories(const struct hours_result *result)
{
	json_t *list = json_array();
	int c;

	for (c = 0; list != NULL && c < HOURS_CATEGORY_COUNT; c++)
		if (json_array_append_new(
		            list, json_pack("{s:s, s:s, s:o, s:b}", "category",
		                            hours_category_name((enum hours_category)c), "label",
		                            hours_category_label((enum hours_category)c), "hours",
		                            api_hours_json(result->category_units[c]), "counted",
		                            !(result->excluded & HOURS_CATEGORY_BIT(c)))) != 0) {
			json_decref(list);
			return NULL;
		}
	return list;
}

static json_t *card_platforms(const struct hours_result *result)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; list != NULL && i < result->platform_count; i++)
		if (json_array_append_new(
		            list, json_pack("{s:s, s:o}", "platform", result->platforms[i].platform,
		                            "hours", api_hours_json(result->platforms[i].units))) !=
		    0) {
			json_decref(list);
			return NULL;
		}
	return list;
}

static json_t *card_shortfalls(const struct hours_result *result)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; list != NULL && i < result->shortfall_count; i++) {
		const struct hours_shortfall *s = &result->shortfalls[i];

		if (json_array_append_new(
		            list,
		            json_pack("{s:s, s:s, s:o, s:o, s:b, s:s}", "kind",
		                      hours_shortfall_kind_name(s->kind), "name", s->name,
		                      "required_hours", api_hours_json(s->required_units),
		                      "missing_hours", card_missing(s->missing_units),
		                      "behind_pace", s->behind_pace, "message", s->message)) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

/* The year asked for (?year=YYYY, 2000..2099), or this year in Shanghai. */
static const char *card_year(struct request *req)
{
	const char *text = request_query(req, "year");
	char *end;
	long year;

	if (text == NULL)
		return arena_printf(req->arena, "%d", api_today() / 10000);
	year = strtol(text, &end, 10);
	if (*text < '0' || *text > '9' || *end != '\0' || year < 2000 || year > 2099) {
		problem_field(&req->problem, "year", "range",
		              "年度为 2000 至 2099 / year must be 2000 to 2099");
		return NULL;
	}
	return text;
}

json_t *api_card_json(struct request *req, const char *id, const char *year)
{
	const char *params[2] = {id, year};
	struct hours_policy *policy = arena_alloc(req->arena, sizeof(*policy));
	struct hours_result *result = arena_alloc(req->arena, sizeof(*result));
	PGresult *officer, *records;
	json_t *card;

	if (policy == NULL || result == NULL) {
		(void)problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
		return NULL;
	}
	officer = db_exec(req, &card_stmts[CARD_OFFICER], 1, params);
	if (officer == NULL)
		return NULL;
	if (PQntuples(officer) != 1) {
		(void)problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
		return NULL;
	}
	if (hours_store_evaluate_one(req, id, year, policy, result) != 0)
		return NULL;
	records = db_exec(req, &card_stmts[CARD_RECORDS], 2, params);
	if (records == NULL)
		return NULL;
	card = json_pack("{s:o?, s:i, s:s, s:s?, s:s, s:i, s:o, s:o, s:o?, s:o?, s:o?, s:o?, s:o?}",
	                 "officer", db_json(officer, 0, 0), "year", atoi(year), "status",
	                 hours_status_name(result->status), "exempt_reason",
	                 result->exempt_reason != HOURS_EXEMPT_NONE
	                         ? hours_exempt_reason_message(result->exempt_reason)
	                         : NULL,
	                 "status_label", hours_status_label(result->status), "months_in_post",
	                 result->months_in_post, "required_hours",
	                 api_hours_json(result->required_units), "counted_hours",
	                 api_hours_json(result->counted_units), "categories",
	                 card_categories(result), "platforms", card_platforms(result), "shortfalls",
	                 card_shortfalls(result), "records", card_records(records, policy),
	                 "minutes_per_hour", json_integer(policy->minutes_per_hour));
	if (card == NULL) {
		(void)problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
		return NULL;
	}
	(void)json_object_set_new(card, "year_over", json_boolean(result->year_over));
	return card;
}

int api_card_get(struct request *req)
{
	const char *id = api_id_param(req, "id");
	const char *year = id != NULL ? card_year(req) : NULL;
	json_t *card;

	if (id == NULL || year == NULL || db_begin(req, DB_READ) != 0)
		return -1;
	card = api_card_json(req, id, year);
	return card != NULL ? request_reply_json(req, 200, card) : -1;
}
