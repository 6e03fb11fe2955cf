/* test_rules_hours.c — unit tests for rules_hours.c: the class-hour engine of issue 4.
 * Every example of DOMAIN.md and doc/hours-engine.md, the Pinglu and Luohu policies, proration,
 * exemptions, the Shanghai year, pace, display and every parser's refusals; calendar and
 * display properties are checked against naive independent computations. No I/O, no floating
 * point: expected values are integers of 1/36000 h or text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "rules_hours.h"

/* Whole hours and hundredths of an hour in units. */
#define HOURS(h)      ((int64_t)(h)*HOURS_UNITS_PER_HOUR)
#define HUNDREDTHS(x) ((int64_t)(x)*HOURS_UNITS_PER_HUNDREDTH)

#define PLATFORM_FAZHI "法治教育网"
#define JULY_1_2025    20250701
#define AFTER_2025     20260115

/* Deterministic xorshift32, so a failing property case reproduces. */
static uint32_t random_state = 2463534242u;

static uint32_t random_below(uint32_t bound)
{
	random_state ^= random_state << 13;
	random_state ^= random_state >> 17;
	random_state ^= random_state << 5;
	return random_state % bound;
}

/* ---- helpers: records, totals, policies, evaluation ---- */

/* An officer-year's totals with their own storage, as the evaluator will keep them. */
#define CARD_ROWS 80

struct test_card {
	struct hours_total_row storage[CARD_ROWS];
	struct hours_totals totals;
};

static void card_init(struct test_card *card)
{
	memset(card->storage, 0, sizeof(card->storage));
	hours_totals_init(&card->totals, card->storage, CARD_ROWS);
}

static struct hours_record untimed(int64_t minutes)
{
	struct hours_record record = {-1, -1, minutes, 0};

	return record;
}

static struct hours_record declared(int64_t declared_units, int64_t minutes)
{
	struct hours_record record = {-1, declared_units, minutes, 0};

	return record;
}

static struct hours_record credited(int64_t credited_units, int64_t declared_units, int64_t minutes)
{
	struct hours_record record = {credited_units, declared_units, minutes, 0};

	return record;
}

/* The one place that turns a record into totals, as the database will. */
static void add_record(struct hours_totals *totals, enum hours_category category,
                       const char *platform, struct hours_record record)
{
	struct hours_contribution contribution = hours_record_contribution(&record);

	assert_int_equal(hours_totals_add(totals, category, platform, contribution.units,
	                                  contribution.untimed_minutes),
	                 0);
}

static void add_units(struct hours_totals *totals, enum hours_category category,
                      const char *platform, int64_t units)
{
	assert_int_equal(hours_totals_add(totals, category, platform, units, 0), 0);
}

static void add_minutes(struct hours_totals *totals, enum hours_category category,
                        const char *platform, int64_t minutes)
{
	assert_int_equal(hours_totals_add(totals, category, platform, 0, minutes), 0);
}

/* Pinglu (002 §3): public_law ≥ 30 h, business + skills ≥ 30 h, on top of political hours. */
static struct hours_policy pinglu_policy(void)
{
	struct hours_policy policy = hours_policy_baseline();

	assert_int_equal(hours_policy_add_category_minimum(
	                         &policy, HOURS_CATEGORY_BIT(HOURS_CATEGORY_PUBLIC_LAW), HOURS(30)),
	                 0);
	assert_int_equal(
	        hours_policy_add_category_minimum(&policy,
	                                          HOURS_CATEGORY_BIT(HOURS_CATEGORY_BUSINESS) |
	                                                  HOURS_CATEGORY_BIT(HOURS_CATEGORY_SKILLS),
	                                          HOURS(30)),
	        0);
	assert_int_equal(hours_policy_check(&policy), HOURS_POLICY_OK);
	return policy;
}

/* Luohu (004 §2): ≥ 60 h through 法治教育网. */
static struct hours_policy luohu_policy(void)
{
	struct hours_policy policy = hours_policy_baseline();

	assert_int_equal(hours_policy_add_platform_minimum(&policy, PLATFORM_FAZHI, HOURS(60)), 0);
	assert_int_equal(hours_policy_check(&policy), HOURS_POLICY_OK);
	return policy;
}

static void evaluate_ok(const struct hours_totals *totals, const struct hours_policy *policy,
                        int months, const struct hours_exemption *exemption, int year, int today,
                        struct hours_result *result)
{
	assert_int_equal(hours_evaluate(totals, policy, months, exemption, year, today, result),
	                 HOURS_EVAL_OK);
}

/* A full year in post under the baseline, judged after the year. */
static void evaluate_year_2025(const struct hours_totals *totals, struct hours_result *result)
{
	struct hours_policy policy = hours_policy_baseline();

	evaluate_ok(totals, &policy, 12, NULL, 2025, AFTER_2025, result);
}

static const struct hours_shortfall *find_shortfall(const struct hours_result *result,
                                                    const char *name)
{
	for (size_t i = 0; i < result->shortfall_count; i++) {
		if (strcmp(result->shortfalls[i].name, name) == 0)
			return &result->shortfalls[i];
	}
	fail_msg("no shortfall named %s", name);
	return NULL;
}

static void assert_formatted(int64_t units, const char *expected)
{
	char text[HOURS_TEXT_SIZE];

	hours_format(units, text);
	assert_string_equal(text, expected);
}

/* ---- DOMAIN.md rule 2: the 45-minute rule and declared hours ---- */

static void test_three_untimed_60_minute_sessions_are_4_00_hours_not_3_99(void **state)
{
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	for (int i = 0; i < 3; i++)
		add_record(&card.totals, HOURS_CATEGORY_BUSINESS, "", untimed(60));
	assert_int_equal(card.totals.count, 1);
	assert_int_equal(card.totals.rows[0].untimed_minutes, 180);
	evaluate_year_2025(&card.totals, &result);
	assert_int_equal(result.counted_units, HOURS(4));
	assert_formatted(result.counted_units, "4.00");
}

static void test_untimed_2699_minutes_is_59_97_hours_and_short(void **state)
{
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_minutes(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, "", 2699);
	evaluate_year_2025(&card.totals, &result);
	assert_int_equal(result.counted_units, 2699 * 800);
	assert_formatted(result.counted_units, "59.97");
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
	assert_int_equal(result.shortfall_count, 1);
	assert_int_equal(result.shortfalls[0].kind, HOURS_SHORTFALL_TOTAL);
	assert_int_equal(result.shortfalls[0].missing_units, 800); /* one minute */
	assert_string_equal(result.shortfalls[0].message,
	                    "total: 0.03 h short / 总学时差 0.03 学时");
}

static void test_untimed_2700_minutes_meets_60_hours(void **state)
{
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_minutes(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, "", 2700);
	evaluate_year_2025(&card.totals, &result);
	assert_int_equal(result.counted_units, HOURS(60));
	assert_formatted(result.counted_units, "60.00");
	assert_int_equal(result.status, HOURS_STATUS_MET);
	assert_int_equal(result.shortfall_count, 0);
}

static void test_declared_4_hours_count_4_whatever_the_length(void **state)
{
	static const int64_t lengths[] = {1, 30, 45, 180, 600, 1440};
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		struct hours_record record = declared(HOURS(4), lengths[i]);
		struct hours_contribution contribution = hours_record_contribution(&record);

		assert_int_equal(contribution.units, HOURS(4));
		assert_int_equal(contribution.untimed_minutes, 0);
		add_record(&card.totals, HOURS_CATEGORY_SKILLS, "", record);
	}
	evaluate_year_2025(&card.totals, &result);
	assert_int_equal(result.counted_units, HOURS(24));
}

static void test_political_hours_are_shown_but_not_counted_by_default(void **state)
{
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_POLITICAL, "", HOURS(100));
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, "", HOURS(59));
	evaluate_year_2025(&card.totals, &result);
	assert_int_equal(result.category_units[HOURS_CATEGORY_POLITICAL], HOURS(100));
	assert_true(result.excluded & HOURS_CATEGORY_BIT(HOURS_CATEGORY_POLITICAL));
	assert_int_equal(result.counted_units, HOURS(59));
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
}

/* DOMAIN.md rule 1 names only public_law, business and skills as the 60 hours. */
static void test_other_hours_are_not_counted_by_the_baseline(void **state)
{
	struct test_card card;
	struct hours_result result;
	struct hours_policy policy = hours_policy_baseline();

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_OTHER, "", HOURS(60));
	evaluate_year_2025(&card.totals, &result);
	assert_int_equal(result.category_units[HOURS_CATEGORY_OTHER], HOURS(60));
	assert_int_equal(result.counted_units, 0);
	assert_int_equal(result.status, HOURS_STATUS_SHORT);

	policy.excluded = HOURS_CATEGORY_BIT(HOURS_CATEGORY_POLITICAL);
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_MET);
}

static void test_mixed_declared_and_untimed_sessions_in_one_year(void **state)
{
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_record(&card.totals, HOURS_CATEGORY_BUSINESS, "", declared(HUNDREDTHS(450), 240));
	add_record(&card.totals, HOURS_CATEGORY_BUSINESS, "", untimed(90));
	add_record(&card.totals, HOURS_CATEGORY_BUSINESS, "", untimed(90));
	add_record(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, PLATFORM_FAZHI, untimed(100));
	add_record(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, PLATFORM_FAZHI,
	           declared(HUNDREDTHS(125), 9));
	assert_int_equal(card.totals.count, 2);
	evaluate_year_2025(&card.totals, &result);
	/* business: 4.50 + 180/45 = 8.50 h; public_law: 100/45 h + 1.25 h */
	assert_int_equal(result.category_units[HOURS_CATEGORY_BUSINESS], HUNDREDTHS(850));
	assert_int_equal(result.category_units[HOURS_CATEGORY_PUBLIC_LAW],
	                 100 * 800 + HUNDREDTHS(125));
	assert_int_equal(result.counted_units, HUNDREDTHS(850) + 100 * 800 + HUNDREDTHS(125));
	assert_formatted(result.counted_units, "11.97"); /* 8.50 + 2.2222 + 1.25 = 11.9722 */
}

static void test_override_wins_over_declared_hours_and_over_minutes(void **state)
{
	struct hours_record over_declared = credited(HOURS(2), HOURS(4), 240);
	struct hours_record over_minutes = credited(HUNDREDTHS(75), -1, 240);
	struct hours_contribution contribution;
	struct test_card card;
	struct hours_result result;

	(void)state;
	contribution = hours_record_contribution(&over_declared);
	assert_int_equal(contribution.units, HOURS(2));
	assert_int_equal(contribution.untimed_minutes, 0);
	contribution = hours_record_contribution(&over_minutes);
	assert_int_equal(contribution.units, HUNDREDTHS(75));
	assert_int_equal(contribution.untimed_minutes, 0);

	card_init(&card);
	add_record(&card.totals, HOURS_CATEGORY_BUSINESS, "", over_declared);
	add_record(&card.totals, HOURS_CATEGORY_BUSINESS, "", over_minutes);
	evaluate_year_2025(&card.totals, &result);
	assert_int_equal(result.counted_units, HUNDREDTHS(275));
}

static void test_override_of_zero_hours_credits_nothing(void **state)
{
	struct hours_record record = credited(0, HOURS(4), 240);
	struct hours_contribution contribution = hours_record_contribution(&record);

	(void)state;
	assert_int_equal(contribution.units, 0);
	assert_int_equal(contribution.untimed_minutes, 0);
}

static void test_revoked_record_contributes_nothing(void **state)
{
	struct hours_record records[3] = {untimed(90), declared(HOURS(4), 90),
	                                  credited(HOURS(1), HOURS(4), 90)};

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct hours_contribution contribution;

		records[i].revoked = 1;
		contribution = hours_record_contribution(&records[i]);
		assert_int_equal(contribution.units, 0);
		assert_int_equal(contribution.untimed_minutes, 0);
	}
}

static void test_untimed_record_with_no_minutes_contributes_nothing(void **state)
{
	struct hours_record negative = untimed(-5), zero = untimed(0);

	(void)state;
	assert_int_equal(hours_record_contribution(&negative).untimed_minutes, 0);
	assert_int_equal(hours_record_contribution(&zero).untimed_minutes, 0);
}

/* ---- Pinglu: category minima ---- */

static void test_pinglu_60_business_hours_short_on_public_law_by_exactly_30(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct test_card card;
	struct hours_result result;
	const struct hours_shortfall *shortfall;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(60));
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
	assert_int_equal(result.shortfall_count, 1);
	shortfall = find_shortfall(&result, "public_law");
	assert_int_equal(shortfall->kind, HOURS_SHORTFALL_CATEGORY);
	assert_int_equal(shortfall->required_units, HOURS(30));
	assert_int_equal(shortfall->missing_units, HOURS(30));
	assert_false(shortfall->behind_pace);
	assert_string_equal(shortfall->message,
	                    "public_law: 30.00 h short / 公共法律知识差 30.00 学时");
	assert_int_equal(result.category_minimum_units[0], 0);
	assert_int_equal(result.category_minimum_units[1], HOURS(60));
	assert_int_equal(result.category_minimum_required[1], HOURS(30));
}

static void test_pinglu_30_public_law_15_business_15_skills_meets(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, "", HOURS(30));
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(15));
	add_units(&card.totals, HOURS_CATEGORY_SKILLS, "", HOURS(15));
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_MET);
	assert_int_equal(result.shortfall_count, 0);
}

static void test_pinglu_political_hours_never_help(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, "", HOURS(30));
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(29));
	add_units(&card.totals, HOURS_CATEGORY_POLITICAL, "", HOURS(200));
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
	assert_int_equal(result.counted_units, HOURS(59));
	assert_int_equal(result.shortfall_count, 2);
	assert_int_equal(find_shortfall(&result, "total")->missing_units, HOURS(1));
	assert_int_equal(find_shortfall(&result, "business+skills")->missing_units, HOURS(1));
}

static void test_pinglu_business_plus_skills_shortfall_sums_the_set(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct test_card card;
	struct hours_result result;
	const struct hours_shortfall *shortfall;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, "", HOURS(40));
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(12));
	add_minutes(&card.totals, HOURS_CATEGORY_SKILLS, "", 360); /* 8 h */
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
	assert_int_equal(result.shortfall_count, 1); /* the total of 60 is met */
	shortfall = find_shortfall(&result, "business+skills");
	assert_int_equal(shortfall->missing_units, HOURS(10));
	assert_string_equal(
	        shortfall->message,
	        "business+skills: 10.00 h short / 业务知识+行政执法技能合计差 10.00 学时");
}

/* ---- Luohu: platform minima ---- */

static void test_luohu_70_elsewhere_and_50_on_platform_short_by_10(void **state)
{
	struct hours_policy policy = luohu_policy();
	struct test_card card;
	struct hours_result result;
	const struct hours_shortfall *shortfall;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(40));
	add_units(&card.totals, HOURS_CATEGORY_SKILLS, "学习强国", HOURS(30));
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, PLATFORM_FAZHI, HOURS(35));
	add_minutes(&card.totals, HOURS_CATEGORY_BUSINESS, PLATFORM_FAZHI, 675); /* 15 h */
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.counted_units, HOURS(120));
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
	assert_int_equal(result.shortfall_count, 1);
	shortfall = find_shortfall(&result, PLATFORM_FAZHI);
	assert_int_equal(shortfall->kind, HOURS_SHORTFALL_PLATFORM);
	assert_int_equal(shortfall->required_units, HOURS(60));
	assert_int_equal(shortfall->missing_units, HOURS(10));
	assert_string_equal(shortfall->message,
	                    "法治教育网: 10.00 h short / 法治教育网差 10.00 学时");
	assert_int_equal(result.platform_minimum_units[0], HOURS(50));
	assert_int_equal(result.platform_minimum_required[0], HOURS(60));
}

static void test_luohu_political_hours_on_the_platform_do_not_count(void **state)
{
	struct hours_policy policy = luohu_policy();
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, PLATFORM_FAZHI, HOURS(50));
	add_units(&card.totals, HOURS_CATEGORY_POLITICAL, PLATFORM_FAZHI, HOURS(50));
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.platform_minimum_units[0], HOURS(50));
	assert_int_equal(find_shortfall(&result, PLATFORM_FAZHI)->missing_units, HOURS(10));
}

static void test_per_platform_list_sums_counted_hours_per_named_platform(void **state)
{
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, PLATFORM_FAZHI, HOURS(3));
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "学习强国", HOURS(5));
	add_minutes(&card.totals, HOURS_CATEGORY_SKILLS, PLATFORM_FAZHI, 90);
	add_units(&card.totals, HOURS_CATEGORY_POLITICAL, PLATFORM_FAZHI, HOURS(100));
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(7));
	evaluate_year_2025(&card.totals, &result);
	assert_int_equal(result.platform_count, 2);
	assert_string_equal(result.platforms[0].platform, PLATFORM_FAZHI);
	assert_int_equal(result.platforms[0].units,
	                 HOURS(5)); /* 3 h + 90/45 h, political left out */
	assert_string_equal(result.platforms[1].platform, "学习强国");
	assert_int_equal(result.platforms[1].units, HOURS(5));
	assert_int_equal(result.counted_units, HOURS(17));
}

static void test_platform_with_only_excluded_hours_is_not_listed(void **state)
{
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_POLITICAL, "党员教育网", HOURS(10));
	add_units(&card.totals, HOURS_CATEGORY_POLITICAL, "学习强国", HOURS(10));
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "学习强国", HOURS(2));
	evaluate_year_2025(&card.totals, &result);
	assert_int_equal(result.platform_count, 1);
	assert_string_equal(result.platforms[0].platform, "学习强国");
	assert_int_equal(result.platforms[0].units, HOURS(2));
}

static void test_platform_names_match_byte_for_byte(void **state)
{
	struct hours_policy policy = luohu_policy();
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, "“法治教育网”", HOURS(60));
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.platform_minimum_units[0], 0);
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
}

/* ---- proration and months in post ---- */

static void test_december_hire_has_no_requirement(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;
	int months = hours_months_in_post(2025, 20251201, 0);

	(void)state;
	assert_int_equal(months, 1);
	card_init(&card);
	evaluate_ok(&card.totals, &policy, months, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_EXEMPT);
	assert_int_equal(result.exempt_reason, HOURS_EXEMPT_UNDER_MIN_MONTHS);
	assert_int_equal(result.required_units, 0);
	assert_int_equal(result.shortfall_count, 0);
}

static void test_november_hire_is_not_flagged(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;
	int months = hours_months_in_post(2025, 20251101, 0);

	(void)state;
	assert_int_equal(months, 2);
	card_init(&card);
	evaluate_ok(&card.totals, &policy, months, NULL, 2025, 20251215, &result);
	assert_int_equal(result.status, HOURS_STATUS_EXEMPT);
}

static void test_october_hire_has_3_months_and_15_hours(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;
	int months = hours_months_in_post(2025, 20251001, 0);

	(void)state;
	assert_int_equal(months, 3);
	card_init(&card);
	evaluate_ok(&card.totals, &policy, months, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, HOURS(15));
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
}

static void test_hired_1_april_prorates_to_45_hours(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;
	int months = hours_months_in_post(2025, 20250401, 0);

	(void)state;
	assert_int_equal(months, 9);
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(45));
	evaluate_ok(&card.totals, &policy, months, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, HOURS(45));
	assert_int_equal(result.status, HOURS_STATUS_MET);
}

static void test_hired_15_march_counts_april_to_december_45_hours(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;
	int months = hours_months_in_post(2025, 20250315, 0);

	(void)state;
	assert_int_equal(months, 9);
	assert_int_equal(hours_months_in_post(2025, 20250302, 0), 9);
	assert_int_equal(hours_months_in_post(2025, 20250301, 0), 10);
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(45) - 1);
	evaluate_ok(&card.totals, &policy, months, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, HOURS(45));
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
}

static void test_left_30_june_prorates_to_30_hours(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;
	int months = hours_months_in_post(2025, 0, 20250630);

	(void)state;
	assert_int_equal(months, 6);
	assert_int_equal(hours_months_in_post(2025, 0, 20250629), 5); /* June not whole */
	assert_int_equal(hours_months_in_post(2025, 0, 20250701), 6);
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_SKILLS, "", HOURS(30));
	evaluate_ok(&card.totals, &policy, months, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, HOURS(30));
	assert_int_equal(result.status, HOURS_STATUS_MET);
}

static void test_hired_and_left_in_the_same_year(void **state)
{
	(void)state;
	assert_int_equal(hours_months_in_post(2025, 20250215, 20250915), 6); /* March..August */
	assert_int_equal(hours_months_in_post(2025, 20250201, 20250930),
	                 8); /* February..September */
	assert_int_equal(hours_months_in_post(2025, 20250610, 20250620), 0);
	assert_int_equal(hours_months_in_post(2025, 20250601, 20250630), 1);
}

static void test_hired_before_the_year_has_12_months(void **state)
{
	(void)state;
	assert_int_equal(hours_months_in_post(2025, 20100301, 0), 12);
	assert_int_equal(hours_months_in_post(2025, 0, 0), 12);
	assert_int_equal(hours_months_in_post(2025, 20250101, 0), 12);
	assert_int_equal(hours_months_in_post(2025, 20250102, 0), 11);
	assert_int_equal(hours_months_in_post(2025, 0, 20251231), 12);
	assert_int_equal(hours_months_in_post(2025, 0, 20251230), 11);
}

static void test_february_counts_whole_in_leap_and_common_years(void **state)
{
	(void)state;
	assert_int_equal(hours_months_in_post(2024, 0, 20240228), 1); /* 29 February missing */
	assert_int_equal(hours_months_in_post(2024, 0, 20240229), 2);
	assert_int_equal(hours_months_in_post(2025, 0, 20250228), 2);
}

static void test_no_month_in_post_is_exempt_not_in_post(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;

	(void)state;
	assert_int_equal(hours_months_in_post(2025, 0, 20241231), 0);
	assert_int_equal(hours_months_in_post(2025, 20260101, 0), 0);
	assert_int_equal(hours_months_in_post(2025, 20250801, 20250301), 0);
	policy.prorate = 0;
	policy.min_months = 0;
	card_init(&card);
	evaluate_ok(&card.totals, &policy, 0, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_EXEMPT);
	assert_int_equal(result.exempt_reason, HOURS_EXEMPT_NOT_IN_POST);
}

static void test_months_in_post_outside_years_1_to_9999_is_0(void **state)
{
	(void)state;
	assert_int_equal(hours_months_in_post(0, 0, 0), 0);
	assert_int_equal(hours_months_in_post(10000, 0, 0), 0);
	assert_int_equal(hours_months_in_post(INT_MAX, 0, 0), 0);
	assert_int_equal(hours_months_in_post(INT_MIN, 0, 0), 0);
	assert_int_equal(hours_months_in_post(9999, 0, 0), 12);
}

static void test_proration_off_requires_full_60_hours(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;

	(void)state;
	policy.prorate = 0;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(45));
	evaluate_ok(&card.totals, &policy, 9, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, HOURS(60));
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
	assert_int_equal(find_shortfall(&result, "total")->missing_units, HOURS(15));
}

static void test_min_months_applies_without_proration_and_zero_turns_it_off(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;

	(void)state;
	policy.prorate = 0;
	card_init(&card);
	evaluate_ok(&card.totals, &policy, 2, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_EXEMPT);
	policy.min_months = 0;
	evaluate_ok(&card.totals, &policy, 2, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
	assert_int_equal(result.required_units, HOURS(60));
	policy.prorate = 1;
	evaluate_ok(&card.totals, &policy, 1, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, HOURS(5));
}

static void test_prorated_minima_scale_with_months(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, "", HOURS(15));
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(14));
	evaluate_ok(&card.totals, &policy, 6, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, HOURS(30));
	assert_int_equal(result.category_minimum_required[0], HOURS(15));
	assert_int_equal(result.category_minimum_required[1], HOURS(15));
	assert_int_equal(result.shortfall_count, 2);
	assert_int_equal(find_shortfall(&result, "business+skills")->missing_units, HOURS(1));
}

static void test_prorated_requirement_rounds_down_to_the_unit(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;

	(void)state;
	policy.required_units = HOURS(60) + 1;
	assert_int_equal(hours_policy_add_platform_minimum(&policy, PLATFORM_FAZHI, 11), 0);
	card_init(&card);
	evaluate_ok(&card.totals, &policy, 7, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, 1260000); /* 2160001 × 7 / 12 = 1260000.58 */
	assert_int_equal(result.platform_minimum_required[0], 6); /* 11 × 7 / 12 = 6.4 */
}

/* Property: months counted as calendar months agree with a day-by-day walk. */
static void test_months_in_post_matches_day_by_day_count(void **state)
{
	(void)state;
	for (int n = 0; n < 3000; n++) {
		int year = 2020 + (int)random_below(8);
		int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		int hire = 0, leave = 0, expected = 0;

		if (year % 4 == 0)
			days[1] = 29;
		if (random_below(4) != 0)
			hire = (year - 1 + (int)random_below(3)) * 10000 +
			       (1 + (int)random_below(12)) * 100 + 1 + (int)random_below(28);
		if (random_below(3) == 0)
			leave = (year - 1 + (int)random_below(3)) * 10000 +
			        (1 + (int)random_below(12)) * 100 + 1 + (int)random_below(28);
		for (int month = 1; month <= 12; month++) {
			int whole = 1;

			for (int day = 1; day <= days[month - 1]; day++) {
				int date = year * 10000 + month * 100 + day;

				if ((hire > 0 && date < hire) || (leave > 0 && date > leave))
					whole = 0;
			}
			expected += whole;
		}
		assert_int_equal(hours_months_in_post(year, hire, leave), expected);
	}
}

/* ---- exemptions ---- */

static void test_waived_exemption_is_exempt(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct hours_exemption waive = {HOURS_EXEMPTION_WAIVE, 0};
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(3));
	evaluate_ok(&card.totals, &policy, 12, &waive, 2025, AFTER_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_EXEMPT);
	assert_int_equal(result.exempt_reason, HOURS_EXEMPT_WAIVED);
	assert_int_equal(result.required_units, 0);
	assert_int_equal(result.category_minimum_required[0], 0);
	assert_int_equal(result.category_minimum_units[1], HOURS(3));
	assert_int_equal(result.counted_units, HOURS(3));
	assert_int_equal(result.shortfall_count, 0);
}

static void test_reduced_to_20_hours_requires_20_and_scales_minima(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct hours_exemption reduce = {HOURS_EXEMPTION_REDUCE, HOURS(20)};
	struct test_card card;
	struct hours_result result;

	(void)state;
	assert_int_equal(hours_policy_add_platform_minimum(&policy, PLATFORM_FAZHI, HOURS(12)), 0);
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, PLATFORM_FAZHI, HOURS(10));
	add_units(&card.totals, HOURS_CATEGORY_SKILLS, "", HOURS(9));
	evaluate_ok(&card.totals, &policy, 12, &reduce, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, HOURS(20));
	assert_int_equal(result.category_minimum_required[0], HOURS(10));
	assert_int_equal(result.category_minimum_required[1], HOURS(10));
	assert_int_equal(result.platform_minimum_required[0], HOURS(4));
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
	assert_int_equal(result.shortfall_count, 2);
	assert_int_equal(find_shortfall(&result, "total")->missing_units, HOURS(1));
	assert_int_equal(find_shortfall(&result, "business+skills")->missing_units, HOURS(1));
}

static void test_reduction_after_proration_does_not_compound(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct hours_exemption reduce = {HOURS_EXEMPTION_REDUCE, HOURS(20)};
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	evaluate_ok(&card.totals, &policy, 6, &reduce, 2025, AFTER_2025, &result);
	/* prorated 30 h with minima 15 / 15, reduced to 20 h: minima 10 / 10, not 5 / 5 */
	assert_int_equal(result.required_units, HOURS(20));
	assert_int_equal(result.category_minimum_required[0], HOURS(10));
	assert_int_equal(result.category_minimum_required[1], HOURS(10));
}

static void test_reduction_above_prorated_requirement_changes_nothing(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct hours_exemption reduce = {HOURS_EXEMPTION_REDUCE, HOURS(50)};
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	evaluate_ok(&card.totals, &policy, 9, &reduce, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, HOURS(45));
	assert_int_equal(result.category_minimum_required[0], HUNDREDTHS(2250));
}

static void test_reduced_to_zero_hours_is_met(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct hours_exemption reduce = {HOURS_EXEMPTION_REDUCE, 0};
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	evaluate_ok(&card.totals, &policy, 12, &reduce, 2025, AFTER_2025, &result);
	assert_int_equal(result.required_units, 0);
	assert_int_equal(result.status, HOURS_STATUS_MET);
}

/* ---- the year of a session: Asia/Shanghai ---- */

static void test_session_at_0700_shanghai_on_new_year_counts_in_new_year(void **state)
{
	(void)state;
	/* 2024-12-31T23:00:00Z = 2025-01-01T07:00:00+08:00 */
	assert_int_equal(hours_year_of(1735686000), 2025);
	assert_int_equal(hours_shanghai_date(1735686000), 20250101);
	/* 2024-12-31T15:59:59Z = 23:59:59 in Shanghai, still 2024 */
	assert_int_equal(hours_year_of(1735660799), 2024);
	assert_int_equal(hours_shanghai_date(1735660799), 20241231);
	assert_int_equal(hours_year_of(1735660800), 2025);
}

static void test_2025_12_31_1600_utc_is_2026_in_shanghai(void **state)
{
	(void)state;
	assert_int_equal(hours_year_of(1767196800), 2026); /* 2025-12-31T16:00:00Z */
	assert_int_equal(hours_shanghai_date(1767196800), 20260101);
	assert_int_equal(hours_year_of(1767196799), 2025);
}

static void test_year_of_far_dates_1900_and_2100(void **state)
{
	(void)state;
	/* 1900-01-01T00:00:00Z = -2208988800; Shanghai midnight is 8 hours earlier. */
	assert_int_equal(hours_year_of(-2208988800 - 28800), 1900);
	assert_int_equal(hours_year_of(-2208988800 - 28800 - 1), 1899);
	assert_int_equal(hours_shanghai_date(-2208988800 - 28800 - 1), 18991231);
	/* 1900 is not a leap year: day 59 after 1 January is 1 March. */
	assert_int_equal(hours_shanghai_date(-2208988800 + 59 * 86400), 19000301);
	/* 2100-01-01T00:00:00Z = 4102444800; 2100 is not a leap year either. */
	assert_int_equal(hours_year_of(4102444800 - 28800), 2100);
	assert_int_equal(hours_year_of(4102444800 - 28800 - 1), 2099);
	assert_int_equal(hours_shanghai_date(4102444800 + 59 * 86400), 21000301);
	/* 2000 is: 29 February exists. */
	assert_int_equal(hours_shanghai_date(946684800 + 59 * 86400), 20000229);
}

static int naive_leap(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Days from 1970-01-01 to 1 January of year, by summing year lengths one by one. */
static int64_t naive_days_to_year(int64_t year)
{
	int64_t days = 0;

	for (int64_t y = 1970; y < year; y++)
		days += naive_leap(y) ? 366 : 365;
	for (int64_t y = year; y < 1970; y++)
		days -= naive_leap(y) ? 366 : 365;
	return days;
}

/* Property: every Shanghai new year from 0002 to 9999, found by adding year lengths. */
static void test_every_new_year_from_2_to_9999_matches_naive_count(void **state)
{
	int64_t days = naive_days_to_year(1);

	(void)state;
	for (int year = 1; year <= 9999; year++) {
		int64_t midnight = days * 86400 - 28800;

		assert_int_equal(hours_year_of(midnight), year);
		assert_int_equal(hours_shanghai_date(midnight), year * 10000 + 101);
		if (year > 1) {
			assert_int_equal(hours_year_of(midnight - 1), year - 1);
			assert_int_equal(hours_shanghai_date(midnight - 1),
			                 (year - 1) * 10000 + 1231);
		}
		days += naive_leap(year) ? 366 : 365;
	}
}

/* Property: every day from 1899 to 2101 by walking a naive calendar. */
static void test_every_day_from_1899_to_2101_matches_naive_walk(void **state)
{
	int64_t days = naive_days_to_year(1899);

	(void)state;
	for (int year = 1899; year <= 2101; year++) {
		for (int month = 1; month <= 12; month++) {
			static const int lengths[12] = {31, 28, 31, 30, 31, 30,
			                                31, 31, 30, 31, 30, 31};
			int length = lengths[month - 1] + (month == 2 && naive_leap(year));

			for (int day = 1; day <= length; day++, days++) {
				int64_t midnight = days * 86400 - 28800;
				int expected = year * 10000 + month * 100 + day;

				assert_int_equal(hours_shanghai_date(midnight), expected);
				assert_int_equal(hours_shanghai_date(midnight + 86399), expected);
				assert_int_equal(hours_year_of(midnight + 43200), year);
			}
		}
	}
}

static void test_year_of_clamps_outside_years_1_to_9999(void **state)
{
	(void)state;
	assert_int_equal(naive_days_to_year(1) * 86400 - 28800, HOURS_UNIX_MIN);
	assert_int_equal(naive_days_to_year(10000) * 86400 - 28800 - 1, HOURS_UNIX_MAX);
	assert_int_equal(hours_shanghai_date(HOURS_UNIX_MIN), 10101);
	assert_int_equal(hours_shanghai_date(HOURS_UNIX_MAX), 99991231);
	assert_int_equal(hours_year_of(INT64_MIN), 1);
	assert_int_equal(hours_year_of(INT64_MAX), 9999);
	assert_int_equal(hours_shanghai_date(INT64_MIN), 10101);
	assert_int_equal(hours_shanghai_date(INT64_MAX), 99991231);
}

/* ---- status and pace ---- */

static enum hours_status status_with(int64_t units, int year, int today)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;

	card_init(&card);
	if (units > 0)
		add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", units);
	evaluate_ok(&card.totals, &policy, 12, NULL, year, today, &result);
	return result.status;
}

static void test_1_july_with_20_of_60_hours_is_at_risk(void **state)
{
	(void)state;
	assert_int_equal(status_with(HOURS(20), 2025, JULY_1_2025), HOURS_STATUS_AT_RISK);
}

static void test_1_july_with_35_of_60_hours_is_short_on_pace(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(35));
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, JULY_1_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
	assert_false(result.year_over);
	assert_false(result.shortfalls[0].behind_pace);
}

static void test_after_the_year_59_99_hours_is_short(void **state)
{
	(void)state;
	assert_int_equal(status_with(HUNDREDTHS(5999), 2025, AFTER_2025), HOURS_STATUS_SHORT);
	assert_int_equal(status_with(HOURS(60) - 1, 2025, 20260101), HOURS_STATUS_SHORT);
	assert_int_equal(status_with(HOURS(60), 2025, 20260101), HOURS_STATUS_MET);
}

static void test_met_during_the_year_is_met(void **state)
{
	(void)state;
	assert_int_equal(status_with(HOURS(60), 2025, 20250301), HOURS_STATUS_MET);
}

/* 1 July 2025: 181 of 365 days passed; pace 60 h × 181 / 365 = 1071123.3 units. */
static void test_pace_threshold_is_exact_to_the_unit(void **state)
{
	(void)state;
	assert_int_equal(status_with(1071123, 2025, JULY_1_2025), HOURS_STATUS_AT_RISK);
	assert_int_equal(status_with(1071124, 2025, JULY_1_2025), HOURS_STATUS_SHORT);
}

/* 1 July 2024: 182 of 366 days, pace 29.836 h; in 2025 the same date needs 29.753 h. */
static void test_leap_year_pace_counts_366_days(void **state)
{
	(void)state;
	assert_int_equal(status_with(HUNDREDTHS(2983), 2024, 20240701), HOURS_STATUS_AT_RISK);
	assert_int_equal(status_with(HUNDREDTHS(2984), 2024, 20240701), HOURS_STATUS_SHORT);
	assert_int_equal(status_with(HUNDREDTHS(2983), 2025, JULY_1_2025), HOURS_STATUS_SHORT);
}

static void test_1_january_is_never_at_risk_and_31_december_is(void **state)
{
	(void)state;
	assert_int_equal(status_with(0, 2025, 20250101), HOURS_STATUS_SHORT);
	/* 31 December: 364 days passed, pace 59.83 h */
	assert_int_equal(status_with(HUNDREDTHS(5983), 2025, 20251231), HOURS_STATUS_AT_RISK);
	assert_int_equal(status_with(HUNDREDTHS(5984), 2025, 20251231), HOURS_STATUS_SHORT);
}

/* 15 February 2025: 45 days passed, pace 60 h × 45 / 365 = 7.397 h; 29 February 2024: 59 of 366. */
static void test_pace_in_february_counts_the_days_of_january(void **state)
{
	(void)state;
	assert_int_equal(status_with(HUNDREDTHS(739), 2025, 20250215), HOURS_STATUS_AT_RISK);
	assert_int_equal(status_with(HUNDREDTHS(740), 2025, 20250215), HOURS_STATUS_SHORT);
	/* 60 h × 59 / 366 = 9.672 h */
	assert_int_equal(status_with(HUNDREDTHS(967), 2024, 20240229), HOURS_STATUS_AT_RISK);
	assert_int_equal(status_with(HUNDREDTHS(968), 2024, 20240229), HOURS_STATUS_SHORT);
}

static void test_future_year_is_short_not_at_risk(void **state)
{
	(void)state;
	assert_int_equal(status_with(0, 2026, JULY_1_2025), HOURS_STATUS_SHORT);
}

static void test_at_risk_when_a_minimum_is_behind_pace_though_the_total_is_met(void **state)
{
	struct hours_policy policy = pinglu_policy();
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(60));
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, JULY_1_2025, &result);
	assert_int_equal(result.status, HOURS_STATUS_AT_RISK);
	assert_int_equal(result.shortfall_count, 1);
	assert_true(find_shortfall(&result, "public_law")->behind_pace);
}

/* ---- display ---- */

static void test_display_never_rounds_59_999_up(void **state)
{
	(void)state;
	assert_formatted(2159964, "59.99"); /* 59.999 h */
	assert_formatted(HOURS(60) - 1, "59.99");
	assert_formatted(HOURS(60), "60.00");
	assert_formatted(0, "0.00");
	assert_formatted(359, "0.00");
	assert_formatted(360, "0.01");
	assert_formatted(HOURS(8784), "8784.00");
	assert_int_equal(hours_hundredths(2159964), 5999);
}

static void test_format_negative_units_clamps_to_zero(void **state)
{
	char text[HOURS_TEXT_SIZE];

	(void)state;
	assert_formatted(-1, "0.00");
	assert_formatted(INT64_MIN, "0.00");
	hours_format_shortfall(-360, text);
	assert_string_equal(text, "0.00");
	assert_int_equal(hours_hundredths(-720), 0);
}

static void test_format_of_largest_units_fits(void **state)
{
	(void)state;
	assert_formatted(INT64_MAX, "256204778801521.55");
}

static void test_shortfall_display_rounds_up(void **state)
{
	char text[HOURS_TEXT_SIZE];

	(void)state;
	hours_format_shortfall(1, text);
	assert_string_equal(text, "0.01");
	hours_format_shortfall(360, text);
	assert_string_equal(text, "0.01");
	hours_format_shortfall(361, text);
	assert_string_equal(text, "0.02");
	hours_format_shortfall(HOURS(30), text);
	assert_string_equal(text, "30.00");
	hours_format_shortfall(0, text);
	assert_string_equal(text, "0.00");
}

/* Property: every hundredth from 0.01 to 24.00 parses to hundredths × 360 and prints back. */
static void test_every_hundredth_round_trips_through_parse_and_format(void **state)
{
	(void)state;
	for (int h = 1; h <= 2400; h++) {
		char text[HOURS_TEXT_SIZE], back[HOURS_TEXT_SIZE];
		int64_t units = -1;
		int n = snprintf(text, sizeof(text), "%d.%02d", h / 100, h % 100);

		assert_true(n > 0 && (size_t)n < sizeof(text));
		assert_int_equal(hours_parse(text, &units), HOURS_TEXT_OK);
		assert_int_equal(units, HUNDREDTHS(h));
		hours_format(units, back);
		assert_string_equal(back, text);
	}
}

/* ---- hours text ---- */

static int64_t parsed(const char *text)
{
	int64_t units = -1;

	assert_int_equal(hours_parse(text, &units), HOURS_TEXT_OK);
	return units;
}

static void test_parse_accepts_whole_and_decimal_hours(void **state)
{
	(void)state;
	assert_int_equal(parsed("4"), HOURS(4));
	assert_int_equal(parsed("4.5"), HUNDREDTHS(450));
	assert_int_equal(parsed("4.25"), HUNDREDTHS(425));
	assert_int_equal(parsed("4.05"), HUNDREDTHS(405));
	assert_int_equal(parsed("0.01"), 360);
	assert_int_equal(parsed("04.50"), HUNDREDTHS(450));
	assert_int_equal(parsed("24"), HOURS(24));
	assert_int_equal(parsed("24.00"), HOURS(24));
}

static void test_parse_rejects_more_than_two_decimals(void **state)
{
	int64_t units;

	(void)state;
	assert_int_equal(hours_parse("4.255", &units), HOURS_TEXT_PRECISION);
	assert_int_equal(hours_parse("4.250", &units), HOURS_TEXT_PRECISION);
	assert_int_equal(hours_parse("0.001", &units), HOURS_TEXT_PRECISION);
	assert_int_equal(hours_parse("-4.255", &units), HOURS_TEXT_PRECISION);
}

static void test_parse_rejects_negative_hours(void **state)
{
	int64_t units;

	(void)state;
	assert_int_equal(hours_parse("-1", &units), HOURS_TEXT_NEGATIVE);
	assert_int_equal(hours_parse("-1", &units), HOURS_TEXT_NEGATIVE);
	assert_int_equal(hours_parse("-0", &units), HOURS_TEXT_NEGATIVE);
	assert_int_equal(hours_parse("-4.5", &units), HOURS_TEXT_NEGATIVE);
	assert_int_equal(hours_parse("--1", &units), HOURS_TEXT_SYNTAX);
}

static void test_parse_rejects_empty_and_null(void **state)
{
	int64_t units;

	(void)state;
	assert_int_equal(hours_parse("", &units), HOURS_TEXT_EMPTY);
	assert_int_equal(hours_parse(NULL, &units), HOURS_TEXT_EMPTY);
	assert_int_equal(hours_parse("", &units), HOURS_TEXT_EMPTY);
}

static void test_parse_rejects_what_is_not_a_plain_decimal(void **state)
{
	static const char *const texts[] = {
	        "abc",   "1e3", "1E3",  " 4", "4 ",  "4.", ".5", "+4",  "4,5", "4..5", "4.5.1",
	        "4学时", "４",  "0x10", "-",  "-.5", ".",  "4h", "\t4", "NaN", "inf",  "4.-5"};
	int64_t units;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (hours_parse(texts[i], &units) != HOURS_TEXT_SYNTAX)
			fail_msg("\"%s\" is not a syntax error", texts[i]);
	}
}

static void test_parse_rejects_more_than_24_hours(void **state)
{
	int64_t units;

	(void)state;
	assert_int_equal(hours_parse("24.01", &units), HOURS_TEXT_TOO_LARGE);
	assert_int_equal(hours_parse("25", &units), HOURS_TEXT_TOO_LARGE);
	assert_int_equal(hours_parse("1000", &units), HOURS_TEXT_TOO_LARGE);
	assert_int_equal(hours_parse("99999999999999999999999999999.99", &units),
	                 HOURS_TEXT_TOO_LARGE);
}

/* A record that should count nothing is revoked, not credited 0 h (the schema agrees). */
static void test_parse_rejects_zero_hours(void **state)
{
	int64_t units = -1;

	(void)state;
	assert_int_equal(hours_parse("0", &units), HOURS_TEXT_ZERO);
	assert_int_equal(hours_parse("0.00", &units), HOURS_TEXT_ZERO);
	assert_int_equal(hours_parse("00.0", &units), HOURS_TEXT_ZERO);
	assert_int_equal(units, -1);
}

/* Amounts (requirements, minima, reductions): 0 to 1000 h, the same text form. */
static void test_parse_amount_takes_0_to_1000_hours(void **state)
{
	int64_t units = -1;

	(void)state;
	assert_int_equal(hours_parse_amount("0", &units), HOURS_TEXT_OK);
	assert_int_equal(units, 0);
	assert_int_equal(hours_parse_amount("60", &units), HOURS_TEXT_OK);
	assert_int_equal(units, 60 * HOURS_UNITS_PER_HOUR);
	assert_int_equal(hours_parse_amount("30.25", &units), HOURS_TEXT_OK);
	assert_int_equal(units, 3025 * HOURS_UNITS_PER_HUNDREDTH);
	assert_int_equal(hours_parse_amount("1000", &units), HOURS_TEXT_OK);
	assert_int_equal(units, HOURS_AMOUNT_UNITS_MAX);
	units = -1;
	assert_int_equal(hours_parse_amount("1000.01", &units), HOURS_TEXT_OVER_MAXIMUM);
	assert_int_equal(hours_parse_amount("99999999999999999999", &units),
	                 HOURS_TEXT_OVER_MAXIMUM);
	assert_int_equal(hours_parse_amount("60.001", &units), HOURS_TEXT_PRECISION);
	assert_int_equal(hours_parse_amount("-1", &units), HOURS_TEXT_NEGATIVE);
	assert_int_equal(hours_parse_amount("6e1", &units), HOURS_TEXT_SYNTAX);
	assert_int_equal(hours_parse_amount("", &units), HOURS_TEXT_EMPTY);
	assert_int_equal(hours_parse_amount(NULL, &units), HOURS_TEXT_EMPTY);
	assert_int_equal(units, -1);
}

static void test_parse_failure_leaves_units_unchanged(void **state)
{
	static const char *const texts[] = {"", "abc", "4.255", "-1", "25", "0"};
	int64_t units = 777;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_not_equal(hours_parse(texts[i], &units), HOURS_TEXT_OK);
		assert_int_equal(units, 777);
	}
}

static void test_hours_text_error_reasons_and_messages(void **state)
{
	(void)state;
	assert_string_equal(hours_text_error_reason(HOURS_TEXT_OK), "ok");
	assert_string_equal(hours_text_error_reason(HOURS_TEXT_EMPTY), "required");
	assert_string_equal(hours_text_error_reason(HOURS_TEXT_SYNTAX), "syntax");
	assert_string_equal(hours_text_error_reason(HOURS_TEXT_PRECISION), "precision");
	assert_string_equal(hours_text_error_reason(HOURS_TEXT_NEGATIVE), "negative");
	assert_string_equal(hours_text_error_reason(HOURS_TEXT_ZERO), "zero");
	assert_string_equal(hours_text_error_reason(HOURS_TEXT_TOO_LARGE), "too_large");
	assert_string_equal(hours_text_error_message(HOURS_TEXT_PRECISION),
	                    "学时最多保留两位小数 / the hours may have at most two decimals");
	assert_string_equal(hours_text_error_reason(HOURS_TEXT_OVER_MAXIMUM), "range");
	for (int e = HOURS_TEXT_OK; e <= HOURS_TEXT_OVER_MAXIMUM; e++)
		assert_non_null(strstr(hours_text_error_message((enum hours_text_error)e), " / "));
	assert_string_equal(hours_text_error_reason((enum hours_text_error)99), "unknown");
	assert_non_null(strstr(hours_text_error_message((enum hours_text_error)99), " / "));
}

/* ---- minutes per untimed hour ---- */

static void test_minutes_per_hour_valid_are_the_divisors_of_36000_from_30_to_60(void **state)
{
	static const int valid[] = {30, 32, 36, 40, 45, 48, 50, 60};

	(void)state;
	for (int m = -1; m <= 120; m++) {
		int expected = 0;

		for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
			expected |= valid[i] == m;
		assert_int_equal(hours_minutes_per_hour_valid(m), expected);
	}
	assert_int_equal(hours_minutes_per_hour_valid(INT_MIN), 0);
	assert_int_equal(hours_minutes_per_hour_valid(36000), 0);
}

static void test_minutes_per_hour_40_50_60_give_exact_results(void **state)
{
	char text[HOURS_TEXT_SIZE];

	(void)state;
	assert_int_equal(hours_total_units(0, 2400, 40), HOURS(60));
	assert_int_equal(hours_total_units(0, 3000, 50), HOURS(60));
	assert_int_equal(hours_total_units(0, 3600, 60), HOURS(60));
	hours_format(hours_total_units(0, 2399, 40), text);
	assert_string_equal(text, "59.97"); /* 59.975 */
	hours_format(hours_total_units(0, 2999, 50), text);
	assert_string_equal(text, "59.98");
	hours_format(hours_total_units(0, 3599, 60), text);
	assert_string_equal(text, "59.98"); /* 59.9833 */
	assert_int_equal(hours_total_units(0, 180, 40), HUNDREDTHS(450));
	assert_int_equal(hours_total_units(0, 180, 60), HOURS(3));
	assert_int_equal(hours_total_units(HOURS(1), 100, 50), HOURS(3));
}

static void test_policy_minutes_per_hour_changes_the_evaluation(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_minutes(&card.totals, HOURS_CATEGORY_BUSINESS, "", 3000);
	policy.minutes_per_hour = 50;
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.counted_units, HOURS(60));
	assert_int_equal(result.status, HOURS_STATUS_MET);
	policy.minutes_per_hour = 60;
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.counted_units, HOURS(50));
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
	policy.minutes_per_hour = 40;
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.counted_units, HOURS(75));
}

/* Property: for every allowed m, the shown hours of n untimed minutes are n × 100 / m
 * hundredths rounded down, computed here the schoolbook way. */
static void test_untimed_display_is_minutes_times_100_over_m_for_every_valid_m(void **state)
{
	static const int valid[] = {30, 32, 36, 40, 45, 48, 50, 60};

	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		for (int minutes = 0; minutes <= 6000; minutes++) {
			char text[HOURS_TEXT_SIZE], expected[HOURS_TEXT_SIZE];
			int hundredths = minutes * 100 / valid[i];

			(void)snprintf(expected, sizeof(expected), "%d.%02d", hundredths / 100,
			               hundredths % 100);
			hours_format(hours_total_units(0, minutes, valid[i]), text);
			assert_string_equal(text, expected);
		}
	}
}

static void test_total_units_rejects_bad_input_and_saturates(void **state)
{
	(void)state;
	assert_int_equal(hours_total_units(0, 10, 44), -1);
	assert_int_equal(hours_total_units(-1, 10, 45), -1);
	assert_int_equal(hours_total_units(0, -10, 45), -1);
	assert_int_equal(hours_total_units(0, INT64_MAX, 30), INT64_MAX);
	assert_int_equal(hours_total_units(INT64_MAX, 1, 60), INT64_MAX);
	assert_int_equal(hours_total_units(INT64_MAX, 0, 60), INT64_MAX);
}

/* ---- session times ---- */

#define JULY_1_2025_0900 INT64_C(1751331600) /* 2025-07-01T09:00:00+08:00 */

static void test_session_of_1_minute_to_24_hours_is_valid(void **state)
{
	(void)state;
	assert_int_equal(hours_session_check(JULY_1_2025_0900, JULY_1_2025_0900 + 60),
	                 HOURS_SESSION_OK);
	assert_int_equal(hours_session_check(JULY_1_2025_0900, JULY_1_2025_0900 + 3 * 3600),
	                 HOURS_SESSION_OK);
	assert_int_equal(hours_session_check(JULY_1_2025_0900, JULY_1_2025_0900 + 86400),
	                 HOURS_SESSION_OK);
}

static void test_session_ending_at_or_before_its_start_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(hours_session_check(JULY_1_2025_0900, JULY_1_2025_0900),
	                 HOURS_SESSION_ORDER);
	assert_int_equal(hours_session_check(JULY_1_2025_0900, JULY_1_2025_0900 - 3600),
	                 HOURS_SESSION_ORDER);
	assert_int_equal(hours_session_check(JULY_1_2025_0900, INT64_MIN), HOURS_SESSION_ORDER);
}

static void test_session_under_a_minute_or_over_24_hours_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(hours_session_check(JULY_1_2025_0900, JULY_1_2025_0900 + 59),
	                 HOURS_SESSION_TOO_SHORT);
	assert_int_equal(hours_session_check(JULY_1_2025_0900, JULY_1_2025_0900 + 86401),
	                 HOURS_SESSION_TOO_LONG);
	assert_int_equal(hours_session_check(JULY_1_2025_0900, INT64_MAX), HOURS_SESSION_TOO_LONG);
}

static void test_session_outside_2000_to_2099_is_rejected(void **state)
{
	int64_t start_2000 = 946684800 - 28800;  /* 2000-01-01T00:00+08:00 */
	int64_t start_2100 = 4102444800 - 28800; /* 2100-01-01T00:00+08:00 */

	(void)state;
	assert_int_equal(hours_session_check(start_2000, start_2000 + 3600), HOURS_SESSION_OK);
	assert_int_equal(hours_session_check(start_2000 - 1, start_2000 + 3600),
	                 HOURS_SESSION_RANGE);
	assert_int_equal(hours_session_check(start_2100 - 60, start_2100), HOURS_SESSION_OK);
	assert_int_equal(hours_session_check(start_2100, start_2100 + 3600), HOURS_SESSION_RANGE);
	assert_int_equal(hours_session_check(INT64_MIN, INT64_MIN + 3600), HOURS_SESSION_RANGE);
	assert_int_equal(hours_session_check(INT64_MAX - 3600, INT64_MAX), HOURS_SESSION_RANGE);
}

static void test_session_minutes_round_down_and_never_overflow(void **state)
{
	(void)state;
	assert_int_equal(hours_session_minutes(JULY_1_2025_0900, JULY_1_2025_0900 + 59), 0);
	assert_int_equal(hours_session_minutes(JULY_1_2025_0900, JULY_1_2025_0900 + 119), 1);
	assert_int_equal(hours_session_minutes(JULY_1_2025_0900, JULY_1_2025_0900 + 5400), 90);
	assert_int_equal(hours_session_minutes(JULY_1_2025_0900, JULY_1_2025_0900 - 60), 0);
	assert_int_equal(hours_session_minutes(INT64_MIN, INT64_MAX), 1440);
	assert_int_equal(hours_session_minutes(INT64_MAX - 120, INT64_MAX), 2);
}

static void test_session_error_reasons_and_messages(void **state)
{
	(void)state;
	assert_string_equal(hours_session_error_reason(HOURS_SESSION_OK), "ok");
	assert_string_equal(hours_session_error_reason(HOURS_SESSION_RANGE), "range");
	assert_string_equal(hours_session_error_reason(HOURS_SESSION_ORDER), "order");
	assert_string_equal(hours_session_error_reason(HOURS_SESSION_TOO_SHORT), "too_short");
	assert_string_equal(hours_session_error_reason(HOURS_SESSION_TOO_LONG), "too_long");
	for (int e = HOURS_SESSION_OK; e <= HOURS_SESSION_TOO_LONG; e++)
		assert_non_null(
		        strstr(hours_session_error_message((enum hours_session_error)e), " / "));
	assert_string_equal(hours_session_error_reason((enum hours_session_error)99), "unknown");
}

/* ---- categories and forms ---- */

static void test_category_names_round_trip_and_labels(void **state)
{
	static const char *const names[] = {"public_law", "business", "skills", "political",
	                                    "other"};
	static const char *const labels[] = {"公共法律知识", "业务知识", "行政执法技能", "政治理论",
	                                     "其他"};

	(void)state;
	for (int c = 0; c < HOURS_CATEGORY_COUNT; c++) {
		enum hours_category category = HOURS_CATEGORY_COUNT;

		assert_int_equal(hours_category_parse(names[c], &category), 0);
		assert_int_equal(category, c);
		assert_string_equal(hours_category_name(category), names[c]);
		assert_string_equal(hours_category_label(category), labels[c]);
	}
	assert_string_equal(hours_category_name(HOURS_CATEGORY_COUNT), "unknown");
	assert_string_equal(hours_category_label((enum hours_category) - 1), "未知");
}

static void test_form_names_round_trip_and_labels(void **state)
{
	static const char *const names[] = {"lecture",    "seminar",     "online",   "mentorship",
	                                    "onsite",     "competition", "rotation", "case_study",
	                                    "field_demo", "other"};

	(void)state;
	assert_int_equal(sizeof(names) / sizeof(names[0]), HOURS_FORM_COUNT);
	for (int f = 0; f < HOURS_FORM_COUNT; f++) {
		enum hours_form form = HOURS_FORM_COUNT;

		assert_int_equal(hours_form_parse(names[f], &form), 0);
		assert_int_equal(form, f);
		assert_string_equal(hours_form_name(form), names[f]);
	}
	assert_string_equal(hours_form_label(HOURS_FORM_MENTORSHIP), "导师制");
	assert_string_equal(hours_form_label(HOURS_FORM_ONSITE), "驻点培训");
	assert_string_equal(hours_form_label(HOURS_FORM_COMPETITION), "大比武");
	assert_string_equal(hours_form_label(HOURS_FORM_ROTATION), "全员轮训");
	assert_string_equal(hours_form_name(HOURS_FORM_COUNT), "unknown");
}

static void test_unknown_category_and_form_names_are_rejected(void **state)
{
	static const char *const texts[] = {"",    "Public_law", "public_law ", "公共法律知识",
	                                    "law", "Lecture",    "politics"};
	enum hours_category category = HOURS_CATEGORY_OTHER;
	enum hours_form form = HOURS_FORM_OTHER;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(hours_category_parse(texts[i], &category), -1);
		assert_int_equal(hours_form_parse(texts[i], &form), -1);
	}
	assert_int_equal(hours_category_parse(NULL, &category), -1);
	assert_int_equal(hours_form_parse(NULL, &form), -1);
	assert_int_equal(category, HOURS_CATEGORY_OTHER);
	assert_int_equal(form, HOURS_FORM_OTHER);
}

/* ---- policies ---- */

static void test_baseline_policy_is_60_hours_at_45_minutes_prorated_from_3_months(void **state)
{
	struct hours_policy policy = hours_policy_baseline();

	(void)state;
	assert_int_equal(policy.required_units, HOURS(60));
	assert_int_equal(policy.minutes_per_hour, 45);
	assert_int_equal(policy.excluded, HOURS_CATEGORY_BIT(HOURS_CATEGORY_POLITICAL) |
	                                          HOURS_CATEGORY_BIT(HOURS_CATEGORY_OTHER));
	assert_int_equal(policy.category_minimum_count, 0);
	assert_int_equal(policy.platform_minimum_count, 0);
	assert_true(policy.prorate);
	assert_int_equal(policy.min_months, 3);
	assert_int_equal(hours_policy_check(&policy), HOURS_POLICY_OK);
}

static enum hours_policy_error check_changed(void (*change)(struct hours_policy *))
{
	struct hours_policy policy = pinglu_policy();

	assert_int_equal(hours_policy_add_platform_minimum(&policy, PLATFORM_FAZHI, HOURS(10)), 0);
	change(&policy);
	return hours_policy_check(&policy);
}

static void required_negative(struct hours_policy *p)
{
	p->required_units = -1;
}
static void required_over_a_year(struct hours_policy *p)
{
	p->required_units = HOURS_REQUIRED_UNITS_MAX + 1;
}
static void minutes_44(struct hours_policy *p)
{
	p->minutes_per_hour = 44;
}
static void excluded_unknown(struct hours_policy *p)
{
	p->excluded |= 1u << HOURS_CATEGORY_COUNT;
}
static void min_months_13(struct hours_policy *p)
{
	p->min_months = 13;
}
static void min_months_negative(struct hours_policy *p)
{
	p->min_months = -1;
}
static void too_many_minima(struct hours_policy *p)
{
	p->platform_minimum_count = HOURS_PLATFORM_MINIMA_MAX + 1;
}
static void empty_category_set(struct hours_policy *p)
{
	p->category_minima[1].categories = 0;
}
static void unknown_category_bit(struct hours_policy *p)
{
	p->category_minima[1].categories |= 1u << 7;
}
static void minimum_on_political(struct hours_policy *p)
{
	p->category_minima[1].categories |= HOURS_CATEGORY_BIT(HOURS_CATEGORY_POLITICAL);
}
static void empty_platform(struct hours_policy *p)
{
	p->platform_minima[0].platform[0] = '\0';
}
static void unterminated_platform(struct hours_policy *p)
{
	memset(p->platform_minima[0].platform, 'a', HOURS_PLATFORM_SIZE);
}
static void negative_minimum(struct hours_policy *p)
{
	p->category_minima[0].units = -1;
}
static void platform_minimum_over_a_year(struct hours_policy *p)
{
	p->platform_minima[0].units = HOURS_REQUIRED_UNITS_MAX + 1;
}
static void everything_zero_and_maximal(struct hours_policy *p)
{
	p->required_units = HOURS_REQUIRED_UNITS_MAX;
	p->category_minima[0].units = 0;
	p->min_months = 12;
}

static void test_policy_check_rejects_each_bad_setting(void **state)
{
	(void)state;
	assert_int_equal(check_changed(required_negative), HOURS_POLICY_REQUIRED);
	assert_int_equal(check_changed(required_over_a_year), HOURS_POLICY_REQUIRED);
	assert_int_equal(check_changed(minutes_44), HOURS_POLICY_MINUTES_PER_HOUR);
	assert_int_equal(check_changed(excluded_unknown), HOURS_POLICY_EXCLUDED);
	assert_int_equal(check_changed(min_months_13), HOURS_POLICY_MIN_MONTHS);
	assert_int_equal(check_changed(min_months_negative), HOURS_POLICY_MIN_MONTHS);
	assert_int_equal(check_changed(too_many_minima), HOURS_POLICY_MINIMA_COUNT);
	assert_int_equal(check_changed(empty_category_set), HOURS_POLICY_CATEGORY_SET);
	assert_int_equal(check_changed(unknown_category_bit), HOURS_POLICY_CATEGORY_SET);
	assert_int_equal(check_changed(minimum_on_political), HOURS_POLICY_CATEGORY_EXCLUDED);
	assert_int_equal(check_changed(empty_platform), HOURS_POLICY_PLATFORM);
	assert_int_equal(check_changed(unterminated_platform), HOURS_POLICY_PLATFORM);
	assert_int_equal(check_changed(negative_minimum), HOURS_POLICY_MINIMUM_UNITS);
	assert_int_equal(check_changed(platform_minimum_over_a_year), HOURS_POLICY_MINIMUM_UNITS);
	assert_int_equal(check_changed(everything_zero_and_maximal), HOURS_POLICY_OK);
}

static void test_policy_minimum_lists_refuse_to_overflow(void **state)
{
	struct hours_policy policy = hours_policy_baseline();

	(void)state;
	for (int i = 0; i < HOURS_CATEGORY_MINIMA_MAX; i++)
		assert_int_equal(
		        hours_policy_add_category_minimum(
		                &policy, HOURS_CATEGORY_BIT(HOURS_CATEGORY_SKILLS), HOURS(1)),
		        0);
	assert_int_equal(hours_policy_add_category_minimum(
	                         &policy, HOURS_CATEGORY_BIT(HOURS_CATEGORY_SKILLS), HOURS(1)),
	                 -1);
	for (int i = 0; i < HOURS_PLATFORM_MINIMA_MAX; i++)
		assert_int_equal(
		        hours_policy_add_platform_minimum(&policy, PLATFORM_FAZHI, HOURS(1)), 0);
	assert_int_equal(hours_policy_add_platform_minimum(&policy, PLATFORM_FAZHI, HOURS(1)), -1);
	assert_int_equal(policy.category_minimum_count, HOURS_CATEGORY_MINIMA_MAX);
	assert_int_equal(policy.platform_minimum_count, HOURS_PLATFORM_MINIMA_MAX);
	assert_int_equal(hours_policy_check(&policy), HOURS_POLICY_OK);
}

static void test_policy_error_reasons_and_messages(void **state)
{
	(void)state;
	assert_string_equal(hours_policy_error_reason(HOURS_POLICY_OK), "ok");
	assert_string_equal(hours_policy_error_reason(HOURS_POLICY_MINUTES_PER_HOUR),
	                    "minutes_per_hour");
	assert_string_equal(hours_policy_error_reason(HOURS_POLICY_CATEGORY_EXCLUDED),
	                    "category_excluded");
	for (int e = HOURS_POLICY_OK; e <= HOURS_POLICY_MINIMUM_UNITS; e++) {
		assert_string_not_equal(hours_policy_error_reason((enum hours_policy_error)e),
		                        "unknown");
		assert_non_null(
		        strstr(hours_policy_error_message((enum hours_policy_error)e), " / "));
	}
	assert_string_equal(hours_policy_error_reason((enum hours_policy_error)99), "unknown");
}

/* Writes count copies of the UTF-8 character c into out, NUL-terminated. */
static void repeat_character(char *out, const char *c, int count)
{
	size_t length = strlen(c);

	for (int i = 0; i < count; i++)
		memcpy(out + (size_t)i * length, c, length);
	out[(size_t)count * length] = '\0';
}

static void test_platform_name_validity(void **state)
{
	char name[2 * HOURS_PLATFORM_SIZE];

	(void)state;
	assert_true(hours_platform_name_valid(PLATFORM_FAZHI));
	assert_true(hours_platform_name_valid("学习强国"));
	assert_true(hours_platform_name_valid("广东省 干部培训网络学院"));
	assert_false(hours_platform_name_valid(""));
	assert_false(hours_platform_name_valid(NULL));
	assert_false(hours_platform_name_valid(" 法治教育网"));
	assert_false(hours_platform_name_valid("法治教育网 "));
	assert_false(hours_platform_name_valid("法治\n教育网"));
	assert_false(hours_platform_name_valid("a\x7f"));
	repeat_character(name, "网", 100); /* 100 characters, 300 bytes */
	assert_true(hours_platform_name_valid(name));
	repeat_character(name, "网", 101);
	assert_false(hours_platform_name_valid(name));
	repeat_character(name, "\xf0\x9f\x93\x9a", 100); /* 100 four-byte characters */
	assert_true(hours_platform_name_valid(name));
	repeat_character(name, "a", 100);
	assert_true(hours_platform_name_valid(name));
	repeat_character(name, "a", 101);
	assert_false(hours_platform_name_valid(name));
	repeat_character(name, "a", 2 * HOURS_PLATFORM_SIZE - 1); /* never read to its end */
	assert_false(hours_platform_name_valid(name));
}

/* ---- totals ---- */

static void test_totals_add_merges_same_category_and_platform(void **state)
{
	struct test_card card;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(1));
	assert_int_equal(hours_totals_add(&card.totals, HOURS_CATEGORY_BUSINESS, NULL, 0, 45), 0);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, PLATFORM_FAZHI, HOURS(2));
	add_units(&card.totals, HOURS_CATEGORY_SKILLS, PLATFORM_FAZHI, HOURS(3));
	add_minutes(&card.totals, HOURS_CATEGORY_BUSINESS, PLATFORM_FAZHI, 90);
	assert_int_equal(card.totals.count, 3);
	assert_int_equal(card.totals.rows[0].units, HOURS(1));
	assert_int_equal(card.totals.rows[0].untimed_minutes, 45);
	assert_string_equal(card.totals.rows[1].platform, PLATFORM_FAZHI);
	assert_int_equal(card.totals.rows[1].units, HOURS(2));
	assert_int_equal(card.totals.rows[1].untimed_minutes, 90);
}

static void test_totals_add_refuses_bad_rows_and_leaves_totals_unchanged(void **state)
{
	struct hours_total_row storage[2], before[2];
	struct hours_totals totals;

	(void)state;
	memset(storage, 0, sizeof(storage));
	hours_totals_init(&totals, storage, 2);
	assert_int_equal(hours_totals_add(&totals, HOURS_CATEGORY_BUSINESS, "", INT64_MAX - 1, 5),
	                 0);
	memcpy(before, storage, sizeof(before));
	assert_int_equal(hours_totals_add(&totals, HOURS_CATEGORY_COUNT, "", 1, 0), -1);
	assert_int_equal(hours_totals_add(&totals, (enum hours_category) - 1, "", 1, 0), -1);
	assert_int_equal(hours_totals_add(&totals, HOURS_CATEGORY_BUSINESS, "", -1, 0), -1);
	assert_int_equal(hours_totals_add(&totals, HOURS_CATEGORY_BUSINESS, "", 0, -1), -1);
	assert_int_equal(hours_totals_add(&totals, HOURS_CATEGORY_BUSINESS, "", 2, 0), -1);
	assert_int_equal(hours_totals_add(&totals, HOURS_CATEGORY_BUSINESS, "", 0, INT64_MAX), -1);
	assert_memory_equal(storage, before, sizeof(before));
	assert_int_equal(totals.count, 1);
	assert_int_equal(hours_totals_add(&totals, HOURS_CATEGORY_BUSINESS, "", 1, 0), 0);
	assert_int_equal(storage[0].units, INT64_MAX);

	add_units(&totals, HOURS_CATEGORY_SKILLS, "", 1);
	assert_int_equal(hours_totals_add(&totals, HOURS_CATEGORY_OTHER, "", 1, 0), -1); /* full */
	assert_int_equal(hours_totals_add(&totals, HOURS_CATEGORY_SKILLS, NULL, 1, 0), 0);
	assert_int_equal(totals.count, 2);
	assert_int_equal(storage[1].units, 2);
}

/* ---- evaluation's refusals and limits ---- */

static void test_evaluate_rejects_bad_inputs_and_leaves_result_unchanged(void **state)
{
	struct hours_policy policy = hours_policy_baseline(), bad_policy = hours_policy_baseline();
	struct hours_exemption bad_kind = {(enum hours_exemption_kind)7, 0};
	struct hours_exemption bad_units = {HOURS_EXEMPTION_REDUCE, -1};
	struct hours_total_row bad_rows[1];
	struct hours_totals bad_totals;
	struct test_card card;
	struct hours_result result;

	(void)state;
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_BUSINESS, "", HOURS(1));
	memset(&result, 0x5a, sizeof(result));
	bad_policy.minutes_per_hour = 0;
	assert_int_equal(hours_evaluate(NULL, &policy, 12, NULL, 2025, AFTER_2025, &result),
	                 HOURS_EVAL_TOTALS);
	hours_totals_init(&bad_totals, NULL, 4);
	bad_totals.count = 1;
	assert_int_equal(hours_evaluate(&bad_totals, &policy, 12, NULL, 2025, AFTER_2025, &result),
	                 HOURS_EVAL_TOTALS);
	hours_totals_init(&bad_totals, bad_rows, 1);
	bad_totals.count = 2;
	assert_int_equal(hours_evaluate(&bad_totals, &policy, 12, NULL, 2025, AFTER_2025, &result),
	                 HOURS_EVAL_TOTALS);
	bad_totals.count = 1;
	bad_rows[0] = card.storage[0];
	bad_rows[0].category = HOURS_CATEGORY_COUNT;
	assert_int_equal(hours_evaluate(&bad_totals, &policy, 12, NULL, 2025, AFTER_2025, &result),
	                 HOURS_EVAL_TOTALS);
	bad_rows[0] = card.storage[0];
	bad_rows[0].units = -1;
	assert_int_equal(hours_evaluate(&bad_totals, &policy, 12, NULL, 2025, AFTER_2025, &result),
	                 HOURS_EVAL_TOTALS);
	bad_rows[0] = card.storage[0];
	bad_rows[0].untimed_minutes = -1;
	assert_int_equal(hours_evaluate(&bad_totals, &policy, 12, NULL, 2025, AFTER_2025, &result),
	                 HOURS_EVAL_TOTALS);
	assert_int_equal(hours_evaluate(&card.totals, NULL, 12, NULL, 2025, AFTER_2025, &result),
	                 HOURS_EVAL_POLICY);
	assert_int_equal(
	        hours_evaluate(&card.totals, &bad_policy, 12, NULL, 2025, AFTER_2025, &result),
	        HOURS_EVAL_POLICY);
	assert_int_equal(
	        hours_evaluate(&card.totals, &policy, 12, &bad_kind, 2025, AFTER_2025, &result),
	        HOURS_EVAL_EXEMPTION);
	assert_int_equal(
	        hours_evaluate(&card.totals, &policy, 12, &bad_units, 2025, AFTER_2025, &result),
	        HOURS_EVAL_EXEMPTION);
	assert_int_equal(hours_evaluate(&card.totals, &policy, 13, NULL, 2025, AFTER_2025, &result),
	                 HOURS_EVAL_MONTHS);
	assert_int_equal(hours_evaluate(&card.totals, &policy, -1, NULL, 2025, AFTER_2025, &result),
	                 HOURS_EVAL_MONTHS);
	assert_int_equal(hours_evaluate(&card.totals, &policy, 12, NULL, 1899, AFTER_2025, &result),
	                 HOURS_EVAL_DATE);
	assert_int_equal(hours_evaluate(&card.totals, &policy, 12, NULL, 3000, AFTER_2025, &result),
	                 HOURS_EVAL_DATE);
	assert_int_equal(hours_evaluate(&card.totals, &policy, 12, NULL, 2025, 20250230, &result),
	                 HOURS_EVAL_DATE);
	assert_int_equal(hours_evaluate(&card.totals, &policy, 12, NULL, 2025, 20250431, &result),
	                 HOURS_EVAL_DATE);
	assert_int_equal(hours_evaluate(&card.totals, &policy, 12, NULL, 2025, 20250229, &result),
	                 HOURS_EVAL_DATE);
	assert_int_equal(hours_evaluate(&card.totals, &policy, 12, NULL, 2025, 20250001, &result),
	                 HOURS_EVAL_DATE);
	assert_int_equal(hours_evaluate(&card.totals, &policy, 12, NULL, 2025, 20251300, &result),
	                 HOURS_EVAL_DATE);
	assert_int_equal(hours_evaluate(&card.totals, &policy, 12, NULL, 2025, 0, &result),
	                 HOURS_EVAL_DATE);
	for (size_t i = 0; i < sizeof(result); i++)
		assert_int_equal(((const unsigned char *)&result)[i], 0x5a);
}

static void test_evaluate_of_empty_totals_with_no_storage(void **state)
{
	struct hours_policy policy = hours_policy_baseline();
	struct hours_totals totals;
	struct hours_result result;

	(void)state;
	hours_totals_init(&totals, NULL, 0);
	evaluate_ok(&totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.counted_units, 0);
	assert_int_equal(result.status, HOURS_STATUS_SHORT);
}

/* Rows of INT64_MAX units and minutes: every sum saturates at HOURS_UNITS_SUM_MAX, nothing
 * overflows (UBSan watches), and the officer meets the largest requirement. */
static void test_evaluate_of_huge_rows_saturates_without_overflow(void **state)
{
	struct hours_policy policy = luohu_policy();
	struct test_card card;
	struct hours_result result;

	(void)state;
	policy.minutes_per_hour = 30;
	policy.required_units = HOURS_REQUIRED_UNITS_MAX;
	card_init(&card);
	for (int c = 0; c < HOURS_CATEGORY_COUNT; c++) {
		assert_int_equal(hours_totals_add(&card.totals, (enum hours_category)c,
		                                  PLATFORM_FAZHI, INT64_MAX, INT64_MAX),
		                 0);
		assert_int_equal(
		        hours_totals_add(&card.totals, (enum hours_category)c, "", INT64_MAX, 0),
		        0);
	}
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, JULY_1_2025, &result);
	assert_int_equal(result.counted_units, HOURS_UNITS_SUM_MAX);
	assert_int_equal(result.category_units[HOURS_CATEGORY_POLITICAL], HOURS_UNITS_SUM_MAX);
	assert_int_equal(result.platform_minimum_units[0], HOURS_UNITS_SUM_MAX);
	assert_int_equal(result.platforms[0].units, HOURS_UNITS_SUM_MAX);
	assert_int_equal(result.status, HOURS_STATUS_MET);
}

/* More named platforms than the result lists: the first HOURS_RESULT_PLATFORMS_MAX are listed,
 * the rest counted as left out, and a minimum on a platform left out still sees its hours. */
static void test_platforms_past_the_list_still_count_for_minima(void **state)
{
	static char names[CARD_ROWS][16];
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;
	int platforms = HOURS_RESULT_PLATFORMS_MAX + 8;

	(void)state;
	card_init(&card);
	for (int i = 0; i < platforms; i++) {
		(void)snprintf(names[i], sizeof(names[i]), "platform %d", i);
		add_units(&card.totals, HOURS_CATEGORY_BUSINESS, names[i], HOURS(1));
	}
	add_units(&card.totals, HOURS_CATEGORY_SKILLS, names[platforms - 1], HOURS(2));
	add_units(&card.totals, HOURS_CATEGORY_SKILLS, names[0], HOURS(2));
	assert_int_equal(hours_policy_add_platform_minimum(&policy, names[platforms - 1], HOURS(4)),
	                 0);
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	assert_int_equal(result.platform_count, HOURS_RESULT_PLATFORMS_MAX);
	assert_int_equal(result.platforms_left_out, 8);
	assert_string_equal(result.platforms[0].platform, names[0]);
	assert_int_equal(result.platforms[0].units, HOURS(3));
	assert_int_equal(result.platform_minimum_units[0], HOURS(3));
	assert_int_equal(result.counted_units, HOURS(platforms + 4));
	assert_int_equal(find_shortfall(&result, names[platforms - 1])->missing_units, HOURS(1));
}

/* The schema allows 100-character platform names; a shortfall names one in full. */
static void test_longest_platform_name_shows_in_full_in_the_shortfall(void **state)
{
	char name[HOURS_PLATFORM_SIZE], expected[HOURS_MESSAGE_SIZE];
	struct hours_policy policy = hours_policy_baseline();
	struct test_card card;
	struct hours_result result;
	int n;

	(void)state;
	repeat_character(name, "\xf0\x9f\x93\x9a", HOURS_PLATFORM_CHARS_MAX);
	assert_true(hours_platform_name_valid(name));
	assert_int_equal(hours_policy_add_platform_minimum(&policy, name, HOURS(60)), 0);
	card_init(&card);
	add_units(&card.totals, HOURS_CATEGORY_PUBLIC_LAW, name, HOURS(60) - 1);
	evaluate_ok(&card.totals, &policy, 12, NULL, 2025, AFTER_2025, &result);
	n = snprintf(expected, sizeof(expected), "%s: 0.01 h short / %s差 0.01 学时", name, name);
	assert_true(n > 0 && (size_t)n < sizeof(expected));
	assert_string_equal(find_shortfall(&result, name)->message, expected);
}

/* Property over random officer-years under the Pinglu and Luohu rules together: the parts add
 * up, shortfalls are exactly the unmet rules, and at_risk happens only inside the year. */
static void test_random_officer_years_are_consistent(void **state)
{
	struct hours_policy policy = pinglu_policy();
	static const char *const platforms[] = {"", PLATFORM_FAZHI, "学习强国"};

	(void)state;
	assert_int_equal(hours_policy_add_platform_minimum(&policy, PLATFORM_FAZHI, HOURS(20)), 0);
	for (int n = 0; n < 2000; n++) {
		struct test_card card;
		struct hours_result result;
		int64_t counted = 0, minima_met = 0;
		int rows = (int)random_below(12);
		int today =
		        20250000 + (1 + (int)random_below(12)) * 100 + 1 + (int)random_below(28);
		int months = (int)random_below(13);

		card_init(&card);
		for (int i = 0; i < rows; i++)
			assert_int_equal(
			        hours_totals_add(
			                &card.totals,
			                (enum hours_category)random_below(HOURS_CATEGORY_COUNT),
			                platforms[random_below(3)], HUNDREDTHS(random_below(2000)),
			                random_below(900)),
			        0);
		if (random_below(5) == 0)
			today += 10000;
		evaluate_ok(&card.totals, &policy, months, NULL, 2025, today, &result);
		for (int c = 0; c < HOURS_CATEGORY_COUNT; c++) {
			if ((result.excluded & HOURS_CATEGORY_BIT(c)) == 0)
				counted += result.category_units[c];
		}
		assert_int_equal(result.counted_units, counted);
		if (result.status == HOURS_STATUS_EXEMPT) {
			assert_true(months < 3);
			assert_int_equal(result.shortfall_count, 0);
			continue;
		}
		assert_int_equal(result.required_units, HOURS(60) * months / 12);
		minima_met += result.counted_units >= result.required_units;
		for (int i = 0; i < 2; i++)
			minima_met += result.category_minimum_units[i] >=
			              result.category_minimum_required[i];
		minima_met +=
		        result.platform_minimum_units[0] >= result.platform_minimum_required[0];
		assert_int_equal(result.shortfall_count, 4 - minima_met);
		assert_int_equal(result.status == HOURS_STATUS_MET, result.shortfall_count == 0);
		if (result.status == HOURS_STATUS_AT_RISK)
			assert_false(result.year_over);
		for (size_t i = 0; i < result.shortfall_count; i++)
			assert_true(result.shortfalls[i].missing_units > 0);
	}
}

static void test_status_reason_and_kind_names(void **state)
{
	(void)state;
	assert_string_equal(hours_status_name(HOURS_STATUS_MET), "met");
	assert_string_equal(hours_status_name(HOURS_STATUS_SHORT), "short");
	assert_string_equal(hours_status_name(HOURS_STATUS_AT_RISK), "at_risk");
	assert_string_equal(hours_status_name(HOURS_STATUS_EXEMPT), "exempt");
	assert_string_equal(hours_status_label(HOURS_STATUS_MET), "达标");
	assert_string_equal(hours_status_label(HOURS_STATUS_SHORT), "未达标");
	assert_string_equal(hours_status_label(HOURS_STATUS_AT_RISK), "进度滞后");
	assert_string_equal(hours_status_label(HOURS_STATUS_EXEMPT), "免于考核");
	assert_string_equal(hours_status_label((enum hours_status)9), "未知");
	assert_string_equal(hours_exempt_reason_name(HOURS_EXEMPT_NONE), "none");
	assert_string_equal(hours_status_name((enum hours_status)9), "unknown");
	assert_string_equal(hours_exempt_reason_name(HOURS_EXEMPT_UNDER_MIN_MONTHS),
	                    "in_post_under_min_months");
	assert_string_equal(hours_exempt_reason_name(HOURS_EXEMPT_WAIVED), "waived");
	assert_string_equal(hours_exempt_reason_name(HOURS_EXEMPT_NOT_IN_POST), "not_in_post");
	for (int r = HOURS_EXEMPT_NONE; r <= HOURS_EXEMPT_UNDER_MIN_MONTHS; r++)
		assert_non_null(
		        strstr(hours_exempt_reason_message((enum hours_exempt_reason)r), " / "));
	assert_string_equal(hours_shortfall_kind_name(HOURS_SHORTFALL_TOTAL), "total");
	assert_string_equal(hours_shortfall_kind_name(HOURS_SHORTFALL_CATEGORY), "category");
	assert_string_equal(hours_shortfall_kind_name(HOURS_SHORTFALL_PLATFORM), "platform");
	assert_string_equal(hours_eval_error_reason(HOURS_EVAL_DATE), "date");
	for (int e = HOURS_EVAL_OK; e <= HOURS_EVAL_DATE; e++) {
		assert_string_not_equal(hours_eval_error_reason((enum hours_eval_error)e),
		                        "unknown");
		assert_non_null(strstr(hours_eval_error_message((enum hours_eval_error)e), " / "));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_three_untimed_60_minute_sessions_are_4_00_hours_not_3_99),
	        cmocka_unit_test(test_untimed_2699_minutes_is_59_97_hours_and_short),
	        cmocka_unit_test(test_untimed_2700_minutes_meets_60_hours),
	        cmocka_unit_test(test_declared_4_hours_count_4_whatever_the_length),
	        cmocka_unit_test(test_political_hours_are_shown_but_not_counted_by_default),
	        cmocka_unit_test(test_other_hours_are_not_counted_by_the_baseline),
	        cmocka_unit_test(test_mixed_declared_and_untimed_sessions_in_one_year),
	        cmocka_unit_test(test_override_wins_over_declared_hours_and_over_minutes),
	        cmocka_unit_test(test_override_of_zero_hours_credits_nothing),
	        cmocka_unit_test(test_revoked_record_contributes_nothing),
	        cmocka_unit_test(test_untimed_record_with_no_minutes_contributes_nothing),
	        cmocka_unit_test(test_pinglu_60_business_hours_short_on_public_law_by_exactly_30),
	        cmocka_unit_test(test_pinglu_30_public_law_15_business_15_skills_meets),
	        cmocka_unit_test(test_pinglu_political_hours_never_help),
	        cmocka_unit_test(test_pinglu_business_plus_skills_shortfall_sums_the_set),
	        cmocka_unit_test(test_luohu_70_elsewhere_and_50_on_platform_short_by_10),
	        cmocka_unit_test(test_luohu_political_hours_on_the_platform_do_not_count),
	        cmocka_unit_test(test_per_platform_list_sums_counted_hours_per_named_platform),
	        cmocka_unit_test(test_platform_with_only_excluded_hours_is_not_listed),
	        cmocka_unit_test(test_platform_names_match_byte_for_byte),
	        cmocka_unit_test(test_december_hire_has_no_requirement),
	        cmocka_unit_test(test_november_hire_is_not_flagged),
	        cmocka_unit_test(test_october_hire_has_3_months_and_15_hours),
	        cmocka_unit_test(test_hired_1_april_prorates_to_45_hours),
	        cmocka_unit_test(test_hired_15_march_counts_april_to_december_45_hours),
	        cmocka_unit_test(test_left_30_june_prorates_to_30_hours),
	        cmocka_unit_test(test_hired_and_left_in_the_same_year),
	        cmocka_unit_test(test_hired_before_the_year_has_12_months),
	        cmocka_unit_test(test_february_counts_whole_in_leap_and_common_years),
	        cmocka_unit_test(test_no_month_in_post_is_exempt_not_in_post),
	        cmocka_unit_test(test_months_in_post_outside_years_1_to_9999_is_0),
	        cmocka_unit_test(test_proration_off_requires_full_60_hours),
	        cmocka_unit_test(test_min_months_applies_without_proration_and_zero_turns_it_off),
	        cmocka_unit_test(test_prorated_minima_scale_with_months),
	        cmocka_unit_test(test_prorated_requirement_rounds_down_to_the_unit),
	        cmocka_unit_test(test_months_in_post_matches_day_by_day_count),
	        cmocka_unit_test(test_waived_exemption_is_exempt),
	        cmocka_unit_test(test_reduced_to_20_hours_requires_20_and_scales_minima),
	        cmocka_unit_test(test_reduction_after_proration_does_not_compound),
	        cmocka_unit_test(test_reduction_above_prorated_requirement_changes_nothing),
	        cmocka_unit_test(test_reduced_to_zero_hours_is_met),
	        cmocka_unit_test(test_session_at_0700_shanghai_on_new_year_counts_in_new_year),
	        cmocka_unit_test(test_2025_12_31_1600_utc_is_2026_in_shanghai),
	        cmocka_unit_test(test_year_of_far_dates_1900_and_2100),
	        cmocka_unit_test(test_every_new_year_from_2_to_9999_matches_naive_count),
	        cmocka_unit_test(test_every_day_from_1899_to_2101_matches_naive_walk),
	        cmocka_unit_test(test_year_of_clamps_outside_years_1_to_9999),
	        cmocka_unit_test(test_1_july_with_20_of_60_hours_is_at_risk),
	        cmocka_unit_test(test_1_july_with_35_of_60_hours_is_short_on_pace),
	        cmocka_unit_test(test_after_the_year_59_99_hours_is_short),
	        cmocka_unit_test(test_met_during_the_year_is_met),
	        cmocka_unit_test(test_pace_threshold_is_exact_to_the_unit),
	        cmocka_unit_test(test_leap_year_pace_counts_366_days),
	        cmocka_unit_test(test_1_january_is_never_at_risk_and_31_december_is),
	        cmocka_unit_test(test_pace_in_february_counts_the_days_of_january),
	        cmocka_unit_test(test_future_year_is_short_not_at_risk),
	        cmocka_unit_test(
	                test_at_risk_when_a_minimum_is_behind_pace_though_the_total_is_met),
	        cmocka_unit_test(test_display_never_rounds_59_999_up),
	        cmocka_unit_test(test_format_negative_units_clamps_to_zero),
	        cmocka_unit_test(test_format_of_largest_units_fits),
	        cmocka_unit_test(test_shortfall_display_rounds_up),
	        cmocka_unit_test(test_every_hundredth_round_trips_through_parse_and_format),
	        cmocka_unit_test(test_parse_accepts_whole_and_decimal_hours),
	        cmocka_unit_test(test_parse_rejects_more_than_two_decimals),
	        cmocka_unit_test(test_parse_rejects_negative_hours),
	        cmocka_unit_test(test_parse_rejects_empty_and_null),
	        cmocka_unit_test(test_parse_rejects_what_is_not_a_plain_decimal),
	        cmocka_unit_test(test_parse_rejects_more_than_24_hours),
	        cmocka_unit_test(test_parse_rejects_zero_hours),
	        cmocka_unit_test(test_parse_amount_takes_0_to_1000_hours),
	        cmocka_unit_test(test_parse_failure_leaves_units_unchanged),
	        cmocka_unit_test(test_hours_text_error_reasons_and_messages),
	        cmocka_unit_test(
	                test_minutes_per_hour_valid_are_the_divisors_of_36000_from_30_to_60),
	        cmocka_unit_test(test_minutes_per_hour_40_50_60_give_exact_results),
	        cmocka_unit_test(test_policy_minutes_per_hour_changes_the_evaluation),
	        cmocka_unit_test(
	                test_untimed_display_is_minutes_times_100_over_m_for_every_valid_m),
	        cmocka_unit_test(test_total_units_rejects_bad_input_and_saturates),
	        cmocka_unit_test(test_session_of_1_minute_to_24_hours_is_valid),
	        cmocka_unit_test(test_session_ending_at_or_before_its_start_is_rejected),
	        cmocka_unit_test(test_session_under_a_minute_or_over_24_hours_is_rejected),
	        cmocka_unit_test(test_session_outside_2000_to_2099_is_rejected),
	        cmocka_unit_test(test_session_minutes_round_down_and_never_overflow),
	        cmocka_unit_test(test_session_error_reasons_and_messages),
	        cmocka_unit_test(test_category_names_round_trip_and_labels),
	        cmocka_unit_test(test_form_names_round_trip_and_labels),
	        cmocka_unit_test(test_unknown_category_and_form_names_are_rejected),
	        cmocka_unit_test(
	                test_baseline_policy_is_60_hours_at_45_minutes_prorated_from_3_months),
	        cmocka_unit_test(test_policy_check_rejects_each_bad_setting),
	        cmocka_unit_test(test_policy_minimum_lists_refuse_to_overflow),
	        cmocka_unit_test(test_policy_error_reasons_and_messages),
	        cmocka_unit_test(test_platform_name_validity),
	        cmocka_unit_test(test_totals_add_merges_same_category_and_platform),
	        cmocka_unit_test(test_totals_add_refuses_bad_rows_and_leaves_totals_unchanged),
	        cmocka_unit_test(test_evaluate_rejects_bad_inputs_and_leaves_result_unchanged),
	        cmocka_unit_test(test_evaluate_of_empty_totals_with_no_storage),
	        cmocka_unit_test(test_evaluate_of_huge_rows_saturates_without_overflow),
	        cmocka_unit_test(test_platforms_past_the_list_still_count_for_minima),
	        cmocka_unit_test(test_longest_platform_name_shows_in_full_in_the_shortfall),
	        cmocka_unit_test(test_random_officer_years_are_consistent),
	        cmocka_unit_test(test_status_reason_and_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
