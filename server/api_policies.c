/* api_policies.c — hours policies per organisation subtree and year
 * (doc/hours-engine.md): GET /api/v1/orgs/{id}/policies/{year} answers the
 * policy that applies there (the nearest ancestor's, or the baseline), PUT
 * sets the organisation's own (admin). Hours travel as strings with two
 * decimals ("30.00"); the database keeps units. The request is checked field
 * by field, then as a whole by the engine (hours_policy_check), so a policy
 * that is stored is always one the evaluator accepts. Changing a policy marks
 * its subtree's officer-years stale (schema 005) and re-evaluates them before
 * the commit. */
#include "api_policies.h"

#include "api.h"
#include "arena.h"
#include "hours_store.h"
#include "json_in.h"
#include "request.h"
#include "rules_hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The policy as stored (units); policy_finish turns units into hours text. */
#define POLICY_JSON                                                                    \
	"jsonb_build_object('org_id', p.org_id, 'year', p.year,"                       \
	" 'required_units', p.required_units, 'minutes_per_hour', p.minutes_per_hour," \
	" 'excluded_categories', to_jsonb(p.excluded_categories),"                     \
	" 'category_minima', p.category_minima, 'platform_minima', p.platform_minima," \
	" 'prorate', p.prorate, 'min_months', p.min_months, 'version', p.version,"     \
	" 'updated_at', p.updated_at)"

enum policy_stmt {
	POLICY_ORG,
	POLICY_EFFECTIVE,
	POLICY_UPSERT,
	POLICY_DELETE,
	POLICY_VERSION,
	POLICY_STMT_COUNT
};

static const struct db_field_error policy_field_errors[] = {
        {"hours_policy_year_range", "year", "range",
         "年度为 2000 至 2099 / year must be 2000 to 2099", PROBLEM_VALIDATION},
        {"hours_policy_required_units_valid", "required_hours", "range",
         "要求学时为 0 至 1000 / required hours must be 0 to 1000", PROBLEM_VALIDATION},
        {"training_year_closed", "year", "closed", "该年度已关闭 / this year is closed",
         PROBLEM_CONFLICT},
        {NULL, NULL, NULL, NULL, PROBLEM_NONE},
};

static const struct db_stmt policy_stmts[POLICY_STMT_COUNT] = {
        [POLICY_ORG] = {"policy_org", "SELECT path::text FROM org WHERE id = $1"},
        /* $1 org, $2 year: the nearest ancestor's policy (NULL: the baseline). */
        [POLICY_EFFECTIVE] = {"policy_effective",
                              "SELECT (SELECT " POLICY_JSON
                              " FROM hours_policy_for(g.path, $2::int) p WHERE p.id IS NOT"
                              " NULL) FROM org g WHERE g.id = $1"},
        /* $1 org, $2 year, $3 units, $4 minutes, $5 excluded (jsonb), $6 category
         * minima, $7 platform minima, $8 prorate, $9 min months, $10 version or NULL */
        [POLICY_UPSERT] = {"policy_upsert",
                           "INSERT INTO hours_policy AS p (org_id, year, required_units,"
                           " minutes_per_hour, excluded_categories, category_minima,"
                           " platform_minima, prorate, min_months)"
                           " VALUES ($1, $2, $3, $4, ARRAY(SELECT jsonb_array_elements_text($5"
                           "::jsonb)), $6::jsonb, $7::jsonb, $8, $9)"
                           " ON CONFLICT (org_id, year) DO UPDATE SET"
                           " required_units = EXCLUDED.required_units,"
                           " minutes_per_hour = EXCLUDED.minutes_per_hour,"
                           " excluded_categories = EXCLUDED.excluded_categories,"
                           " category_minima = EXCLUDED.category_minima,"
                           " platform_minima = EXCLUDED.platform_minima,"
                           " prorate = EXCLUDED.prorate, min_months = EXCLUDED.min_months,"
                           " version = p.version + 1, updated_at = now()"
                           " WHERE $10::int IS NULL OR p.version = $10::int"
                           " RETURNING " POLICY_JSON,
                           policy_field_errors},
        /* $1 org, $2 year, $3 version or NULL (If-Match: *) */
        [POLICY_DELETE] = {"policy_delete",
                           "DELETE FROM hours_policy WHERE org_id = $1 AND year = $2::int"
                           " AND ($3::int IS NULL OR version = $3::int) RETURNING id",
                           policy_field_errors},
        [POLICY_VERSION] =
                {"policy_version",
                 "SELECT version FROM hours_policy WHERE org_id = $1 AND year = $2::int"},
};

const struct db_stmt_table api_policies_statements = {policy_stmts, POLICY_STMT_COUNT};

/* A policy as served: its hours (requirement and every minimum) as text. */
static json_t *policy_finish(json_t *doc)
{
	json_t *minimum;
	size_t i;

	api_units_to_hours(doc, "required_units", "required_hours");
	json_array_foreach(json_object_get(doc, "category_minima"), i, minimum)
	        api_units_to_hours(minimum, "units", "hours");
	json_array_foreach(json_object_get(doc, "platform_minima"), i, minimum)
	        api_units_to_hours(minimum, "units", "hours");
	return doc;
}

static const struct field_spec policy_fields[] = {
        {"minutes_per_hour", FIELD_INTEGER, 0, 0, NULL, "每学时分钟数"},
        {"prorate", FIELD_BOOLEAN, 0, 0, NULL, "按在岗月份折算"},
        {"min_months", FIELD_INTEGER, 0, 0, NULL, "最少在岗月数"},
};
#define POLICY_FIELDS (sizeof(policy_fields) / sizeof(policy_fields[0]))

/* A list of category names into a bit set; a field error names the bad one. */
static int policy_categories(struct request *req, const json_t *list, const char *field,
                             unsigned *set, json_t *out)
{
	const json_t *name;
	size_t i;

	*set = 0;
	if (!json_is_array(list))
		return problem_field(&req->problem, field, "type",
		                     "应为类别数组 / must be an array of categories");
	json_array_foreach(list, i, name)
	{
		enum hours_category category;

		if (!json_is_string(name) ||
		    hours_category_parse(json_string_value(name), &category) != 0)
			return problem_field(
			        &req->problem, field, "unknown",
			        "类别为 public_law、business、skills、political、other / "
			        "unknown category");
		*set |= HOURS_CATEGORY_BIT(category);
		if (out != NULL &&
		    json_array_append_new(out, json_string(json_string_value(name))) != 0)
			return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	return 0;
}

/* The body into the engine's policy (for hours_policy_check) and the
 * database's JSON (units). 0, or -1 with every field error found. */
static int policy_from_body(struct request *req, struct hours_policy *policy, json_t *excluded,
                            json_t *category_minima, json_t *platform_minima)
{
	const json_t *body = req->json, *item, *value;
	const char *key;
	size_t i;
	int bad = 0;

	*policy = hours_policy_baseline();
	json_object_foreach((json_t *)body, key, value)
	{
		if (strcmp(key, "required_hours") != 0 && strcmp(key, "excluded_categories") != 0 &&
		    strcmp(key, "category_minima") != 0 && strcmp(key, "platform_minima") != 0 &&
		    strcmp(key, "minutes_per_hour") != 0 && strcmp(key, "prorate") != 0 &&
		    strcmp(key, "min_months") != 0)
			bad |= problem_field(&req->problem, key, "unknown_field",
			                     "未知字段 / unknown field") != 0;
	}
	if (bad)
		return -1;
	{
		json_t *scalars = json_pack("{}");

		if (scalars == NULL)
			return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
		for (i = 0; i < POLICY_FIELDS; i++)
			if (json_object_get(body, policy_fields[i].name) != NULL)
				(void)json_object_set(scalars, policy_fields[i].name,
				                      json_object_get(body, policy_fields[i].name));
		bad |= json_in_check(scalars, policy_fields, POLICY_FIELDS, 1, &req->problem) != 0;
		json_decref(scalars);
	}
	if ((value = json_object_get(body, "required_hours")) != NULL)
		bad |= api_hours_amount(req, value, "required_hours", &policy->required_units) != 0;
	if ((value = json_object_get(body, "minutes_per_hour")) != NULL && json_is_integer(value))
		policy->minutes_per_hour = (int)json_integer_value(value);
	if ((value = json_object_get(body, "prorate")) != NULL)
		policy->prorate = json_is_true(value);
	if ((value = json_object_get(body, "min_months")) != NULL && json_is_integer(value))
		policy->min_months = (int)json_integer_value(value);
	if ((value = json_object_get(body, "excluded_categories")) != NULL)
		bad |= policy_categories(req, value, "excluded_categories", &policy->excluded,
		                         excluded) != 0;
	else
		for (i = 0; i < HOURS_CATEGORY_COUNT; i++)
			if (policy->excluded & HOURS_CATEGORY_BIT(i))
				(void)json_array_append_new(
				        excluded,
				        json_string(hours_category_name((enum hours_category)i)));
	if (json_object_get(body, "category_minima") != NULL &&
	    !json_is_array(json_object_get(body, "category_minima")))
		bad |= problem_field(&req->problem, "category_minima", "type",
		                     "应为数组 / must be an array") != 0;
	if (json_object_get(body, "platform_minima") != NULL &&
	    !json_is_array(json_object_get(body, "platform_minima")))
		bad |= problem_field(&req->problem, "platform_minima", "type",
		                     "应为数组 / must be an array") != 0;
	json_array_foreach(json_object_get(body, "category_minima"), i, item)
	{
		unsigned set;
		int64_t units;
		json_t *names = json_array();

		if (names == NULL ||
		    policy_categories(req, json_object_get(item, "categories"), "category_minima",
		                      &set, names) != 0 ||
		    api_hours_amount(req, json_object_get(item, "hours"), "category_minima",
		                     &units) != 0 ||
		    hours_policy_add_category_minimum(policy, set, units) != 0) {
			json_decref(names);
			bad = 1;
			continue;
		}
		(void)json_array_append_new(
		        category_minima,
		        json_pack("{s:o, s:I}", "categories", names, "units", (json_int_t)units));
	}
	json_array_foreach(json_object_get(body, "platform_minima"), i, item)
	{
		const char *platform = json_string_value(json_object_get(item, "platform"));
		int64_t units;

		if (platform == NULL || !hours_platform_name_valid(platform)) {
			bad |= problem_field(
			               &req->problem, "platform_minima", "platform",
			               "平台名称为 1 至 100 个字符 / a platform name has 1 to "
			               "100 characters") != 0;
			continue;
		}
		if (api_hours_amount(req, json_object_get(item, "hours"), "platform_minima",
		                     &units) != 0 ||
		    hours_policy_add_platform_minimum(policy, platform, units) != 0) {
			bad = 1;
			continue;
		}
		(void)json_array_append_new(
		        platform_minima,
		        json_pack("{s:s, s:I}", "platform", platform, "units", (json_int_t)units));
	}
	if (bad)
		return -1;
	{
		enum hours_policy_error error = hours_policy_check(policy);

		if (error != HOURS_POLICY_OK)
			return problem_field(&req->problem, "policy",
			                     hours_policy_error_reason(error),
			                     hours_policy_error_message(error));
	}
	return 0;
}

int api_policies_get(struct request *req)
{
	const char *params[2] = {api_id_param(req, "id"), NULL};
	PGresult *res;
	json_t *doc;

	if (params[0] == NULL || (params[1] = api_year_param(req, "year")) == NULL)
		return -1;
	if (db_begin(req, DB_READ) != 0)
		return -1;
	res = db_exec(req, &policy_stmts[POLICY_EFFECTIVE], 2, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1)
		return problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
	doc = policy_finish(db_json(res, 0, 0));
	return request_reply_json(req, 200,
	                          json_pack("{s:o?, s:b}", "policy", doc, "baseline", doc == NULL));
}

int api_policies_put(struct request *req)
{
	const char *params[10], *version;
	struct hours_policy *policy = arena_alloc(req->arena, sizeof(*policy));
	json_t *excluded = json_array(), *category_minima = json_array(),
	       *platform_minima = json_array();
	char *texts[3] = {NULL, NULL, NULL};
	PGresult *res;
	json_t *doc;
	int rc = -1, i;

	params[0] = api_id_param(req, "id");
	params[1] = params[0] != NULL ? api_year_param(req, "year") : NULL;
	if (params[1] == NULL || api_if_match(req, &version) != 0)
		goto done;
	if (policy == NULL || excluded == NULL || category_minima == NULL ||
	    platform_minima == NULL) {
		problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
		goto done;
	}
	if (policy_from_body(req, policy, excluded, category_minima, platform_minima) != 0)
		goto done;
	texts[0] = json_dumps(excluded, JSON_COMPACT);
	texts[1] = json_dumps(category_minima, JSON_COMPACT);
	texts[2] = json_dumps(platform_minima, JSON_COMPACT);
	params[2] = arena_printf(req->arena, "%lld", (long long)policy->required_units);
	params[3] = arena_printf(req->arena, "%d", policy->minutes_per_hour);
	for (i = 0; i < 3; i++)
		params[4 + i] = texts[i] != NULL ? arena_strdup(req->arena, texts[i]) : NULL;
	params[7] = policy->prorate ? "true" : "false";
	params[8] = arena_printf(req->arena, "%d", policy->min_months);
	params[9] = version;
	if (params[4] == NULL || params[5] == NULL || params[6] == NULL) {
		problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
		goto done;
	}
	/* A policy high in the tree re-evaluates every officer-year under it. */
	if (db_begin(req, DB_WRITE) != 0 || db_allow_long_statements(req) != 0)
		goto done;
	res = db_exec(req, &policy_stmts[POLICY_ORG], 1, params);
	if (res == NULL)
		goto done;
	if (PQntuples(res) != 1) {
		problem_set(&req->problem, PROBLEM_NOT_FOUND, "no resource at this path");
		goto done;
	}
	res = db_exec(req, &policy_stmts[POLICY_UPSERT], 10, params);
	if (res == NULL)
		goto done;
	if (PQntuples(res) != 1) {
		problem_set(&req->problem, PROBLEM_PRECONDITION,
		            "the policy was changed meanwhile: read it again");
		goto done;
	}
	doc = policy_finish(db_json(res, 0, 0));
	/* Every officer-year of the subtree was marked stale: evaluated now. */
	if (doc == NULL || hours_store_refresh(req) != 0 || db_commit(req) != 0) {
		json_decref(doc);
		if (doc == NULL)
			problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
		goto done;
	}
	rc = api_reply_doc(req, 200, doc, NULL);
done:
	for (i = 0; i < 3; i++)
		free(texts[i]);
	json_decref(excluded);
	json_decref(category_minima);
	json_decref(platform_minima);
	return rc;
}

/* DELETE: the organisation's own policy goes; its subtree falls back to the
 * nearest ancestor's (or the baseline) and is re-evaluated before the reply. */
int api_policies_delete(struct request *req)
{
	const char *params[3], *version;
	PGresult *res;

	params[0] = api_id_param(req, "id");
	params[1] = params[0] != NULL ? api_year_param(req, "year") : NULL;
	if (params[1] == NULL || api_if_match(req, &version) != 0)
		return -1;
	params[2] = version;
	if (db_begin(req, DB_WRITE) != 0 || db_allow_long_statements(req) != 0)
		return -1;
	res = db_exec(req, &policy_stmts[POLICY_DELETE], 3, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		res = db_exec(req, &policy_stmts[POLICY_VERSION], 2, params);
		if (res == NULL)
			return -1;
		return PQntuples(res) == 0
		               ? problem_set(&req->problem, PROBLEM_NOT_FOUND,
		                             "this organisation has no policy of its own that year")
		               : problem_set(&req->problem, PROBLEM_PRECONDITION,
		                             "the policy was changed meanwhile (now version %s): "
		                             "read it "
		                             "again",
		                             PQgetvalue(res, 0, 0));
	}
	if (hours_store_refresh(req) != 0 || db_commit(req) != 0)
		return -1;
	return request_reply_raw(req, 204, NULL, NULL, 0);
}
