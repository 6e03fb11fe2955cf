/* rules_hours.c — the class-hour engine; see rules_hours.h for the contracts and
 * doc/hours-engine.md for the design. Integer units of 1/36000 h throughout: no floating point,
 * no I/O, no allocation. */
#include "rules_hours.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SECONDS_PER_DAY     86400
#define SHANGHAI_OFFSET     (8 * 3600) /* UTC+8 all year: China has had no DST since 1991 */
#define SESSION_SECONDS_MAX (24 * 3600)

/* The longest message: two names of HOURS_PLATFORM_SIZE, two numbers, the fixed words. */
_Static_assert(HOURS_MESSAGE_SIZE >= 2 * HOURS_PLATFORM_SIZE + 2 * HOURS_TEXT_SIZE + 64,
               "a shortfall message must fit two names and two numbers");

static const char *const category_names[HOURS_CATEGORY_COUNT] = {"public_law", "business", "skills",
                                                                 "political", "other"};
static const char *const category_labels[HOURS_CATEGORY_COUNT] = {
        "公共法律知识", "业务知识", "行政执法技能", "政治理论", "其他"};

static const char *const form_names[HOURS_FORM_COUNT] = {
        "lecture",     "seminar",  "online",     "mentorship", "onsite",
        "competition", "rotation", "case_study", "field_demo", "other"};
static const char *const form_labels[HOURS_FORM_COUNT] = {
        "讲授",   "研讨",     "网络培训", "导师制",   "驻点培训",
        "大比武", "全员轮训", "案例教学", "现场示范", "其他"};

/* Index of name in a table of count names, or -1. */
static int table_index(const char *const *table, int count, const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < count; i++) {
		if (strcmp(table[i], name) == 0)
			return i;
	}
	return -1;
}

int hours_category_parse(const char *name, enum hours_category *out)
{
	int index = table_index(category_names, HOURS_CATEGORY_COUNT, name);

	if (index < 0)
		return -1;
	*out = (enum hours_category)index;
	return 0;
}

static int category_valid(enum hours_category category)
{
	return (int)category >= 0 && category < HOURS_CATEGORY_COUNT;
}

const char *hours_category_name(enum hours_category category)
{
	return category_valid(category) ? category_names[category] : "unknown";
}

const char *hours_category_label(enum hours_category category)
{
	return category_valid(category) ? category_labels[category] : "未知";
}

int hours_form_parse(const char *name, enum hours_form *out)
{
	int index = table_index(form_names, HOURS_FORM_COUNT, name);

	if (index < 0)
		return -1;
	*out = (enum hours_form)index;
	return 0;
}

static int form_valid(enum hours_form form)
{
	return (int)form >= 0 && form < HOURS_FORM_COUNT;
}

const char *hours_form_name(enum hours_form form)
{
	return form_valid(form) ? form_names[form] : "unknown";
}

const char *hours_form_label(enum hours_form form)
{
	return form_valid(form) ? form_labels[form] : "未知";
}

/* ---- hours text ---- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads digits[.digits] from text into hundredths of an hour. The whole part stops growing
 * past 1000 h (already too large), so no input overflows. */
static enum hours_text_error scan_hundredths(const char *text, int64_t *hundredths)
{
	int64_t whole = 0, fraction = 0;
	int decimals = 0;

	if (!is_digit(*text))
		return HOURS_TEXT_SYNTAX;
	for (; is_digit(*text); text++) {
		if (whole <= 1000)
			whole = whole * 10 + (*text - '0');
	}
	if (*text == '.') {
		text++;
		if (!is_digit(*text))
			return HOURS_TEXT_SYNTAX;
		for (; is_digit(*text); text++, decimals++) {
			if (decimals < 2)
				fraction = fraction * 10 + (*text - '0');
		}
	}
	if (*text != '\0')
		return HOURS_TEXT_SYNTAX;
	if (decimals > 2)
		return HOURS_TEXT_PRECISION;
	if (decimals == 1)
		fraction *= 10;
	*hundredths = whole * 100 + fraction;
	return HOURS_TEXT_OK;
}

/* Hours text within (0 or more when zero_ok, else more than 0) .. max_units; over it
 * is too_large. *units is set only on success. */
static enum hours_text_error parse_bounded(const char *text, int zero_ok, int64_t max_units,
                                           enum hours_text_error too_large, int64_t *units)
{
	int64_t hundredths;
	int negative;
	enum hours_text_error e;

	if (text == NULL || *text == '\0')
		return HOURS_TEXT_EMPTY;
	negative = *text == '-';
	e = scan_hundredths(text + negative, &hundredths);
	if (e != HOURS_TEXT_OK)
		return e;
	if (negative)
		return HOURS_TEXT_NEGATIVE;
	if (hundredths == 0 && !zero_ok)
		return HOURS_TEXT_ZERO;
	if (hundredths * HOURS_UNITS_PER_HUNDREDTH > max_units)
		return too_large;
	*units = hundredths * HOURS_UNITS_PER_HUNDREDTH;
	return HOURS_TEXT_OK;
}

enum hours_text_error hours_parse(const char *text, int64_t *units)
{
	return parse_bounded(text, 0, HOURS_SESSION_UNITS_MAX, HOURS_TEXT_TOO_LARGE, units);
}

enum hours_text_error hours_parse_amount(const char *text, int64_t *units)
{
	return parse_bounded(text, 1, HOURS_AMOUNT_UNITS_MAX, HOURS_TEXT_OVER_MAXIMUM, units);
}

const char *hours_text_error_reason(enum hours_text_error e)
{
	switch (e) {
	case HOURS_TEXT_OK:
		return "ok";
	case HOURS_TEXT_EMPTY:
		return "required";
	case HOURS_TEXT_SYNTAX:
		return "syntax";
	case HOURS_TEXT_PRECISION:
		return "precision";
	case HOURS_TEXT_NEGATIVE:
		return "negative";
	case HOURS_TEXT_ZERO:
		return "zero";
	case HOURS_TEXT_TOO_LARGE:
		return "too_large";
	case HOURS_TEXT_OVER_MAXIMUM:
		return "range";
	}
	return "unknown";
}

const char *hours_text_error_message(enum hours_text_error e)
{
	switch (e) {
	case HOURS_TEXT_OK:
		return "学时有效 / the hours are valid";
	case HOURS_TEXT_EMPTY:
		return "请填写学时 / the hours are required";
	case HOURS_TEXT_SYNTAX:
		return "学时应为数字，如 4 或 4.5 / the hours must be a number such as 4 or 4.5";
	case HOURS_TEXT_PRECISION:
		return "学时最多保留两位小数 / the hours may have at most two decimals";
	case HOURS_TEXT_NEGATIVE:
		return "学时不能为负数 / the hours must not be negative";
	case HOURS_TEXT_ZERO:
		return "学时应大于0 / the hours must be more than 0";
	case HOURS_TEXT_TOO_LARGE:
		return "单次培训不超过24学时 / one session counts at most 24 hours";
	case HOURS_TEXT_OVER_MAXIMUM:
		return "学时为 0 至 1000 / an amount of hours is 0 to 1000";
	}
	return "学时无效 / the hours are not valid";
}

/* ---- units ---- */

int hours_minutes_per_hour_valid(int minutes_per_hour)
{
	return minutes_per_hour >= 30 && minutes_per_hour <= 60 &&
	       HOURS_UNITS_PER_HOUR % minutes_per_hour == 0;
}

int64_t hours_total_units(int64_t units, int64_t untimed_minutes, int minutes_per_hour)
{
	int64_t per_minute;

	if (!hours_minutes_per_hour_valid(minutes_per_hour) || units < 0 || untimed_minutes < 0)
		return -1;
	per_minute = HOURS_UNITS_PER_HOUR / minutes_per_hour;
	if (untimed_minutes > (INT64_MAX - units) / per_minute)
		return INT64_MAX;
	return units + untimed_minutes * per_minute;
}

int64_t hours_hundredths(int64_t units)
{
	return units < 0 ? 0 : units / HOURS_UNITS_PER_HUNDREDTH;
}

static void format_hundredths(int64_t hundredths, char out[HOURS_TEXT_SIZE])
{
	/* INT64_MAX / 360 has 17 digits: with the point and two decimals it fits in 24. */
	(void)snprintf(out, HOURS_TEXT_SIZE, "%" PRId64 ".%02" PRId64, hundredths / 100,
	               hundredths % 100);
}

void hours_format(int64_t units, char out[HOURS_TEXT_SIZE])
{
	format_hundredths(hours_hundredths(units), out);
}

void hours_format_shortfall(int64_t units, char out[HOURS_TEXT_SIZE])
{
	int64_t hundredths = hours_hundredths(units);

	if (units > 0 && units % HOURS_UNITS_PER_HUNDREDTH != 0)
		hundredths++;
	format_hundredths(hundredths, out);
}

/* ---- records ---- */

struct hours_contribution hours_record_contribution(const struct hours_record *record)
{
	struct hours_contribution contribution = {0, 0};

	if (record->revoked)
		return contribution;
	if (record->credited_units >= 0)
		contribution.units = record->credited_units;
	else if (record->declared_units >= 0)
		contribution.units = record->declared_units;
	else if (record->minutes > 0)
		contribution.untimed_minutes = record->minutes;
	return contribution;
}

/* ---- calendar: proleptic Gregorian, days since 1970-01-01 (H. Hinnant's algorithms) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t quotient = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		quotient--;
	return quotient;
}

static int64_t days_from_civil(int64_t year, int month, int day)
{
	int64_t era, year_of_era, day_of_year, day_of_era;

	year -= month <= 2;
	era = floor_div(year, 400);
	year_of_era = year - era * 400;
	day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + day_of_era - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t era, day_of_era, year_of_era, day_of_year, month_index;

	days += 719468;
	era = floor_div(days, 146097);
	day_of_era = days - era * 146097;
	year_of_era =
	        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	month_index = (5 * day_of_year + 2) / 153; /* March = 0 */
	*day = (int)(day_of_year - (153 * month_index + 2) / 5 + 1);
	*month = (int)(month_index < 10 ? month_index + 3 : month_index - 9);
	*year = year_of_era + era * 400 + (*month <= 2);
}

/* Days since 1970-01-01 of the Shanghai calendar day of an instant. */
static int64_t shanghai_days(int64_t unix_seconds)
{
	if (unix_seconds < HOURS_UNIX_MIN)
		unix_seconds = HOURS_UNIX_MIN;
	if (unix_seconds > HOURS_UNIX_MAX)
		unix_seconds = HOURS_UNIX_MAX;
	return floor_div(unix_seconds + SHANGHAI_OFFSET, SECONDS_PER_DAY);
}

int hours_year_of(int64_t unix_seconds)
{
	int64_t year;
	int month, day;

	civil_from_days(shanghai_days(unix_seconds), &year, &month, &day);
	return (int)year;
}

int hours_shanghai_date(int64_t unix_seconds)
{
	int64_t year;
	int month, day;

	civil_from_days(shanghai_days(unix_seconds), &year, &month, &day);
	return (int)year * 10000 + month * 100 + day;
}

/* Splits a YYYYMMDD date of years 1..9999 into days since 1970; -1 if it is not a real day. */
static int date_days(int yyyymmdd, int64_t *days)
{
	int year = yyyymmdd / 10000, month = yyyymmdd / 100 % 100, day = yyyymmdd % 100;
	int64_t back_year;
	int back_month, back_day;

	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31)
		return -1;
	*days = days_from_civil(year, month, day);
	civil_from_days(*days, &back_year, &back_month, &back_day);
	return back_month == month && back_day == day ? 0 : -1; /* 31 April rolls into May */
}

/* YYYYMMDD of the last day of a month. */
static int month_last_day(int year, int month)
{
	int64_t last_year;
	int last_month, last_day;

	civil_from_days(days_from_civil(year + (month == 12), month % 12 + 1, 1) - 1, &last_year,
	                &last_month, &last_day);
	return year * 10000 + month * 100 + last_day;
}

int hours_months_in_post(int year, int hire_yyyymmdd, int leave_yyyymmdd)
{
	int months = 0;

	if (year < 1 || year > 9999)
		return 0;
	for (int month = 1; month <= 12; month++) {
		int first = year * 10000 + month * 100 + 1;

		if (hire_yyyymmdd > first)
			continue;
		if (leave_yyyymmdd > 0 && leave_yyyymmdd < month_last_day(year, month))
			continue;
		months++;
	}
	return months;
}

/* ---- sessions ---- */

enum hours_session_error hours_session_check(int64_t start_unix, int64_t end_unix)
{
	int year = hours_year_of(start_unix);

	if (year < 2000 || year > 2099)
		return HOURS_SESSION_RANGE;
	/* start is now within a few 10^10 s of 0, so start + 24 h cannot overflow. */
	if (end_unix <= start_unix)
		return HOURS_SESSION_ORDER;
	if (end_unix < start_unix + 60)
		return HOURS_SESSION_TOO_SHORT;
	if (end_unix > start_unix + SESSION_SECONDS_MAX)
		return HOURS_SESSION_TOO_LONG;
	return HOURS_SESSION_OK;
}

int64_t hours_session_minutes(int64_t start_unix, int64_t end_unix)
{
	uint64_t seconds;

	if (end_unix <= start_unix)
		return 0;
	/* Exact in unsigned arithmetic, where end - start may not fit in int64_t. */
	seconds = (uint64_t)end_unix - (uint64_t)start_unix;
	if (seconds > SESSION_SECONDS_MAX)
		seconds = SESSION_SECONDS_MAX;
	return (int64_t)(seconds / 60);
}

const char *hours_session_error_reason(enum hours_session_error e)
{
	switch (e) {
	case HOURS_SESSION_OK:
		return "ok";
	case HOURS_SESSION_RANGE:
		return "range";
	case HOURS_SESSION_ORDER:
		return "order";
	case HOURS_SESSION_TOO_SHORT:
		return "too_short";
	case HOURS_SESSION_TOO_LONG:
		return "too_long";
	}
	return "unknown";
}

const char *hours_session_error_message(enum hours_session_error e)
{
	switch (e) {
	case HOURS_SESSION_OK:
		return "培训时间有效 / the session times are valid";
	case HOURS_SESSION_RANGE:
		return "培训开始时间应在2000年至2099年之间 / "
		       "the session must start between 2000 and 2099";
	case HOURS_SESSION_ORDER:
		return "培训结束时间应晚于开始时间 / the session must end after it starts";
	case HOURS_SESSION_TOO_SHORT:
		return "培训时长至少1分钟 / a session lasts at least one minute";
	case HOURS_SESSION_TOO_LONG:
		return "单次培训时长不超过24小时 / a session lasts at most 24 hours";
	}
	return "培训时间无效 / the session times are not valid";
}

/* ---- policies ---- */

int hours_platform_name_valid(const char *name)
{
	size_t length = 0, characters = 0;

	if (name == NULL || name[0] == '\0' || name[0] == ' ')
		return 0;
	for (; name[length] != '\0'; length++) {
		unsigned char c = (unsigned char)name[length];

		if (length >= HOURS_PLATFORM_SIZE - 1 || c < 0x20 || c == 0x7f)
			return 0;
		characters += (c & 0xc0) != 0x80; /* count lead bytes, not continuations */
	}
	return characters <= HOURS_PLATFORM_CHARS_MAX && name[length - 1] != ' ';
}

struct hours_policy hours_policy_baseline(void)
{
	struct hours_policy policy;

	memset(&policy, 0, sizeof(policy));
	policy.required_units = 60 * HOURS_UNITS_PER_HOUR;
	policy.minutes_per_hour = 45;
	/* DOMAIN.md rule 1: the 60 hours are public_law, business and skills (000, 001, 002). */
	policy.excluded = HOURS_CATEGORY_BIT(HOURS_CATEGORY_POLITICAL) |
	                  HOURS_CATEGORY_BIT(HOURS_CATEGORY_OTHER);
	policy.prorate = 1;
	policy.min_months = 3;
	return policy;
}

int hours_policy_add_category_minimum(struct hours_policy *policy, unsigned categories,
                                      int64_t units)
{
	struct hours_category_minimum *minimum;

	if (policy->category_minimum_count >= HOURS_CATEGORY_MINIMA_MAX)
		return -1;
	minimum = &policy->category_minima[policy->category_minimum_count++];
	minimum->categories = categories;
	minimum->units = units;
	return 0;
}

int hours_policy_add_platform_minimum(struct hours_policy *policy, const char *platform,
                                      int64_t units)
{
	struct hours_platform_minimum *minimum;

	if (policy->platform_minimum_count >= HOURS_PLATFORM_MINIMA_MAX || platform == NULL ||
	    platform[0] == '\0' || memchr(platform, '\0', HOURS_PLATFORM_SIZE) == NULL)
		return -1;
	minimum = &policy->platform_minima[policy->platform_minimum_count++];
	memcpy(minimum->platform, platform, strlen(platform) + 1);
	minimum->units = units;
	return 0;
}

static int units_in_range(int64_t units)
{
	return units >= 0 && units <= HOURS_REQUIRED_UNITS_MAX;
}

static enum hours_policy_error category_minima_check(const struct hours_policy *policy)
{
	for (size_t i = 0; i < policy->category_minimum_count; i++) {
		const struct hours_category_minimum *minimum = &policy->category_minima[i];

		if (minimum->categories == 0 || (minimum->categories & ~HOURS_CATEGORY_ALL) != 0)
			return HOURS_POLICY_CATEGORY_SET;
		if ((minimum->categories & policy->excluded) != 0)
			return HOURS_POLICY_CATEGORY_EXCLUDED;
		if (!units_in_range(minimum->units))
			return HOURS_POLICY_MINIMUM_UNITS;
	}
	return HOURS_POLICY_OK;
}

static enum hours_policy_error platform_minima_check(const struct hours_policy *policy)
{
	for (size_t i = 0; i < policy->platform_minimum_count; i++) {
		const struct hours_platform_minimum *minimum = &policy->platform_minima[i];

		if (minimum->platform[0] == '\0' ||
		    memchr(minimum->platform, '\0', HOURS_PLATFORM_SIZE) == NULL)
			return HOURS_POLICY_PLATFORM;
		if (!units_in_range(minimum->units))
			return HOURS_POLICY_MINIMUM_UNITS;
	}
	return HOURS_POLICY_OK;
}

enum hours_policy_error hours_policy_check(const struct hours_policy *policy)
{
	enum hours_policy_error e;

	if (!units_in_range(policy->required_units))
		return HOURS_POLICY_REQUIRED;
	if (!hours_minutes_per_hour_valid(policy->minutes_per_hour))
		return HOURS_POLICY_MINUTES_PER_HOUR;
	if ((policy->excluded & ~HOURS_CATEGORY_ALL) != 0)
		return HOURS_POLICY_EXCLUDED;
	if (policy->min_months < 0 || policy->min_months > 12)
		return HOURS_POLICY_MIN_MONTHS;
	if (policy->category_minimum_count > HOURS_CATEGORY_MINIMA_MAX ||
	    policy->platform_minimum_count > HOURS_PLATFORM_MINIMA_MAX)
		return HOURS_POLICY_MINIMA_COUNT;
	e = category_minima_check(policy);
	if (e != HOURS_POLICY_OK)
		return e;
	return platform_minima_check(policy);
}

const char *hours_policy_error_reason(enum hours_policy_error e)
{
	switch (e) {
	case HOURS_POLICY_OK:
		return "ok";
	case HOURS_POLICY_REQUIRED:
		return "required_hours";
	case HOURS_POLICY_MINUTES_PER_HOUR:
		return "minutes_per_hour";
	case HOURS_POLICY_EXCLUDED:
		return "excluded_categories";
	case HOURS_POLICY_MIN_MONTHS:
		return "min_months";
	case HOURS_POLICY_MINIMA_COUNT:
		return "too_many_minima";
	case HOURS_POLICY_CATEGORY_SET:
		return "category_set";
	case HOURS_POLICY_CATEGORY_EXCLUDED:
		return "category_excluded";
	case HOURS_POLICY_PLATFORM:
		return "platform";
	case HOURS_POLICY_MINIMUM_UNITS:
		return "minimum_hours";
	}
	return "unknown";
}

const char *hours_policy_error_message(enum hours_policy_error e)
{
	switch (e) {
	case HOURS_POLICY_OK:
		return "学时规则有效 / the policy is valid";
	case HOURS_POLICY_REQUIRED:
		return "年度要求学时应在0至8784之间 / the required hours must be between 0 and "
		       "8784";
	case HOURS_POLICY_MINUTES_PER_HOUR:
		return "每学时分钟数应为30、32、36、40、45、48、50或60 / "
		       "the minutes per class hour must be 30, 32, 36, 40, 45, 48, 50 or 60";
	case HOURS_POLICY_EXCLUDED:
		return "不计入的培训类别无效 / an excluded category is not known";
	case HOURS_POLICY_MIN_MONTHS:
		return "最少在岗月数应在0至12之间 / the minimum months in post must be between 0 "
		       "and 12";
	case HOURS_POLICY_MINIMA_COUNT:
		return "最低学时要求过多 / the policy has too many minima";
	case HOURS_POLICY_CATEGORY_SET:
		return "类别最低学时应指定已知类别 / a category minimum must name known categories";
	case HOURS_POLICY_CATEGORY_EXCLUDED:
		return "不计入的类别不能设最低学时 / a category minimum must not name an excluded "
		       "category";
	case HOURS_POLICY_PLATFORM:
		return "平台名称无效 / a platform minimum must name a platform";
	case HOURS_POLICY_MINIMUM_UNITS:
		return "最低学时应在0至8784之间 / a minimum must be between 0 and 8784 hours";
	}
	return "学时规则无效 / the policy is not valid";
}

/* ---- totals ---- */

void hours_totals_init(struct hours_totals *totals, struct hours_total_row *storage,
                       size_t capacity)
{
	totals->rows = storage;
	totals->count = 0;
	totals->capacity = capacity;
}

static const char *platform_or_none(const char *platform)
{
	return platform == NULL ? "" : platform;
}

static struct hours_total_row *totals_find(struct hours_totals *totals,
                                           enum hours_category category, const char *platform)
{
	for (size_t i = 0; i < totals->count; i++) {
		struct hours_total_row *row = &totals->rows[i];

		if (row->category == category &&
		    strcmp(platform_or_none(row->platform), platform) == 0)
			return row;
	}
	return NULL;
}

int hours_totals_add(struct hours_totals *totals, enum hours_category category,
                     const char *platform, int64_t units, int64_t untimed_minutes)
{
	struct hours_total_row *row;

	platform = platform_or_none(platform);
	if (!category_valid(category) || units < 0 || untimed_minutes < 0)
		return -1;
	row = totals_find(totals, category, platform);
	if (row == NULL) {
		if (totals->count >= totals->capacity)
			return -1;
		row = &totals->rows[totals->count++];
		row->category = category;
		row->platform = platform;
		row->units = 0;
		row->untimed_minutes = 0;
	} else if (units > INT64_MAX - row->units ||
	           untimed_minutes > INT64_MAX - row->untimed_minutes) {
		return -1;
	}
	row->units += units;
	row->untimed_minutes += untimed_minutes;
	return 0;
}

/* ---- names of statuses and shortfalls ---- */

const char *hours_status_name(enum hours_status status)
{
	switch (status) {
	case HOURS_STATUS_MET:
		return "met";
	case HOURS_STATUS_SHORT:
		return "short";
	case HOURS_STATUS_AT_RISK:
		return "at_risk";
	case HOURS_STATUS_EXEMPT:
		return "exempt";
	}
	return "unknown";
}

const char *hours_status_label(enum hours_status status)
{
	switch (status) {
	case HOURS_STATUS_MET:
		return "达标";
	case HOURS_STATUS_SHORT:
		return "未达标";
	case HOURS_STATUS_AT_RISK:
		return "进度滞后";
	case HOURS_STATUS_EXEMPT:
		return "免于考核";
	}
	return "未知";
}

const char *hours_exempt_reason_name(enum hours_exempt_reason reason)
{
	switch (reason) {
	case HOURS_EXEMPT_NONE:
		return "none";
	case HOURS_EXEMPT_WAIVED:
		return "waived";
	case HOURS_EXEMPT_NOT_IN_POST:
		return "not_in_post";
	case HOURS_EXEMPT_UNDER_MIN_MONTHS:
		return "in_post_under_min_months";
	}
	return "unknown";
}

const char *hours_exempt_reason_message(enum hours_exempt_reason reason)
{
	switch (reason) {
	case HOURS_EXEMPT_NONE:
		return "无豁免 / not exempt";
	case HOURS_EXEMPT_WAIVED:
		return "本年度学时要求已批准免除 / the requirement is waived for this year";
	case HOURS_EXEMPT_NOT_IN_POST:
		return "本年度未在岗 / not in post this year";
	case HOURS_EXEMPT_UNDER_MIN_MONTHS:
		return "本年度在岗不足规定月数，不作要求 / in post under the policy's minimum "
		       "months "
		       "this year: no requirement";
	}
	return "未知 / unknown";
}

const char *hours_shortfall_kind_name(enum hours_shortfall_kind kind)
{
	switch (kind) {
	case HOURS_SHORTFALL_TOTAL:
		return "total";
	case HOURS_SHORTFALL_CATEGORY:
		return "category";
	case HOURS_SHORTFALL_PLATFORM:
		return "platform";
	}
	return "unknown";
}

/* ---- evaluation ---- */

/* What the evaluation date says about the year: whether it is over, and how many of its days
 * have passed before today (0 before and on 1 January). */
struct year_progress {
	int over;
	int64_t elapsed_days;
	int64_t days_in_year;
};

static int year_progress_of(int year, int today_yyyymmdd, struct year_progress *progress)
{
	int64_t today, first = days_from_civil(year, 1, 1);

	if (year < 1900 || year > 2999 || date_days(today_yyyymmdd, &today) != 0)
		return -1;
	progress->days_in_year = days_from_civil(year + 1, 1, 1) - first;
	progress->over = today >= first + progress->days_in_year;
	if (today < first)
		progress->elapsed_days = 0;
	else if (progress->over)
		progress->elapsed_days = progress->days_in_year;
	else
		progress->elapsed_days = today - first;
	return 0;
}

static int totals_valid(const struct hours_totals *totals)
{
	if (totals == NULL || totals->count > totals->capacity ||
	    (totals->rows == NULL && totals->count > 0))
		return 0;
	for (size_t i = 0; i < totals->count; i++) {
		const struct hours_total_row *row = &totals->rows[i];

		if (!category_valid(row->category) || row->units < 0 || row->untimed_minutes < 0)
			return 0;
	}
	return 1;
}

static int exemption_valid(const struct hours_exemption *exemption)
{
	if (exemption == NULL)
		return 1;
	switch (exemption->kind) {
	case HOURS_EXEMPTION_NONE:
	case HOURS_EXEMPTION_WAIVE:
		return 1;
	case HOURS_EXEMPTION_REDUCE:
		return units_in_range(exemption->units);
	}
	return 0;
}

/* a + b for sums of hours: a in 0..HOURS_UNITS_SUM_MAX, b >= 0, saturating there. */
static int64_t sum_add(int64_t a, int64_t b)
{
	return b > HOURS_UNITS_SUM_MAX - a ? HOURS_UNITS_SUM_MAX : a + b;
}

/* One row's hours: units + minutes × 36000 / m (INT64_MAX if that overflows; sum_add saturates). */
static int64_t row_units(const struct hours_total_row *row, const struct hours_policy *policy)
{
	return hours_total_units(row->units, row->untimed_minutes, policy->minutes_per_hour);
}

static int row_counted(const struct hours_total_row *row, const struct hours_policy *policy)
{
	return (policy->excluded & HOURS_CATEGORY_BIT(row->category)) == 0;
}

/* Counted units on a platform, from the rows themselves (the listed platforms may be cut). */
static int64_t platform_units(const struct hours_totals *totals, const struct hours_policy *policy,
                              const char *platform)
{
	int64_t units = 0;

	for (size_t i = 0; i < totals->count; i++) {
		const struct hours_total_row *row = &totals->rows[i];

		if (row_counted(row, policy) &&
		    strcmp(platform_or_none(row->platform), platform) == 0)
			units = sum_add(units, row_units(row, policy));
	}
	return units;
}

/* 1 if a counted row before row i names the same platform. */
static int platform_seen_before(const struct hours_totals *totals, size_t i,
                                const struct hours_policy *policy)
{
	for (size_t j = 0; j < i; j++) {
		if (row_counted(&totals->rows[j], policy) &&
		    strcmp(platform_or_none(totals->rows[j].platform), totals->rows[i].platform) ==
		            0)
			return 1;
	}
	return 0;
}

/* Lists the named platforms of the counted rows in first-seen order with their units, as long
 * as there is room; the others are counted as left out. */
static void list_platforms(const struct hours_totals *totals, const struct hours_policy *policy,
                           struct hours_result *result)
{
	for (size_t i = 0; i < totals->count; i++) {
		const struct hours_total_row *row = &totals->rows[i];
		struct hours_platform_units *entry;

		if (!row_counted(row, policy) || row->platform == NULL ||
		    row->platform[0] == '\0' || platform_seen_before(totals, i, policy))
			continue;
		if (result->platform_count == HOURS_RESULT_PLATFORMS_MAX) {
			result->platforms_left_out++;
			continue;
		}
		entry = &result->platforms[result->platform_count++];
		entry->platform = row->platform;
		entry->units = platform_units(totals, policy, row->platform);
	}
}

/* Units per category and the counted sum. */
static void sum_totals(const struct hours_totals *totals, const struct hours_policy *policy,
                       struct hours_result *result)
{
	for (size_t i = 0; i < totals->count; i++) {
		const struct hours_total_row *row = &totals->rows[i];
		int64_t units = row_units(row, policy);

		result->category_units[row->category] =
		        sum_add(result->category_units[row->category], units);
		if (row_counted(row, policy))
			result->counted_units = sum_add(result->counted_units, units);
	}
}

/* Units over a set of categories; hours_policy_check keeps excluded ones out of every set. */
static int64_t category_set_units(const struct hours_result *result, unsigned categories)
{
	int64_t units = 0;

	for (int c = 0; c < HOURS_CATEGORY_COUNT; c++) {
		if ((categories & HOURS_CATEGORY_BIT(c)) != 0)
			units = sum_add(units, result->category_units[c]);
	}
	return units;
}

/* Scales a policy amount to what the officer-year requires: first by months / 12 when the
 * policy prorates, then, when an exemption reduced the total below the prorated one, by
 * reduced / prorated. Each step rounds down to the unit. */
struct requirement_scale {
	int64_t prorate_numerator, prorate_denominator;
	int64_t reduce_numerator, reduce_denominator;
};

static int64_t scale_requirement(const struct requirement_scale *scale, int64_t units)
{
	units = units * scale->prorate_numerator / scale->prorate_denominator;
	return units * scale->reduce_numerator / scale->reduce_denominator;
}

static struct requirement_scale requirement_scale_of(const struct hours_policy *policy,
                                                     int months_in_post,
                                                     const struct hours_exemption *exemption)
{
	struct requirement_scale scale = {1, 1, 1, 1};
	int64_t prorated;

	if (policy->prorate) {
		scale.prorate_numerator = months_in_post;
		scale.prorate_denominator = 12;
	}
	prorated = policy->required_units * scale.prorate_numerator / scale.prorate_denominator;
	if (exemption != NULL && exemption->kind == HOURS_EXEMPTION_REDUCE &&
	    exemption->units < prorated) {
		scale.reduce_numerator = exemption->units;
		scale.reduce_denominator = prorated;
	}
	return scale;
}

/* Appends s to out (size bytes, length *length so far); the caller sized out for it. */
static void append(char *out, size_t size, size_t *length, const char *s)
{
	size_t n = strlen(s);

	if (*length + n >= size)
		n = size - 1 - *length;
	memcpy(out + *length, s, n);
	*length += n;
	out[*length] = '\0';
}

/* "business+skills" (names) or "业务知识+行政执法技能合计" (labels: a set of several is a sum),
 * in category order. */
static void category_set_text(unsigned categories, int labels, char *out, size_t size)
{
	size_t length = 0;

	out[0] = '\0';
	for (int c = 0; c < HOURS_CATEGORY_COUNT; c++) {
		if ((categories & HOURS_CATEGORY_BIT(c)) == 0)
			continue;
		if (length > 0)
			append(out, size, &length, "+");
		append(out, size, &length, labels ? category_labels[c] : category_names[c]);
	}
	if (labels && strchr(out, '+') != NULL)
		append(out, size, &length, "合计");
}

/* A rule about to be judged: what it is called in English and Chinese, what it requires now and
 * what the officer has. */
struct rule {
	enum hours_shortfall_kind kind;
	char name[HOURS_PLATFORM_SIZE];
	char label[HOURS_PLATFORM_SIZE];
	int64_t required_units, achieved_units;
};

/* The rule's pace: behind when achieved / required < elapsed / days of the year. */
static int behind_pace(const struct rule *rule, const struct year_progress *progress)
{
	return !progress->over && rule->achieved_units * progress->days_in_year <
	                                  rule->required_units * progress->elapsed_days;
}

/* Records a shortfall if the rule is not met. Returns 1 if it is not met and behind pace. */
static int judge_rule(const struct rule *rule, const struct year_progress *progress,
                      struct hours_result *result)
{
	struct hours_shortfall *shortfall;
	char missing[HOURS_TEXT_SIZE];

	if (rule->achieved_units >= rule->required_units)
		return 0;
	shortfall = &result->shortfalls[result->shortfall_count++];
	shortfall->kind = rule->kind;
	memcpy(shortfall->name, rule->name, sizeof(shortfall->name));
	shortfall->required_units = rule->required_units;
	shortfall->missing_units = rule->required_units - rule->achieved_units;
	shortfall->behind_pace = behind_pace(rule, progress);
	hours_format_shortfall(shortfall->missing_units, missing);
	/* Cannot truncate: the _Static_assert above sizes the message for two names. */
	(void)snprintf(shortfall->message, sizeof(shortfall->message),
	               "%s: %s h short / %s差 %s 学时", rule->name, missing, rule->label, missing);
	return shortfall->behind_pace;
}

static void set_name(char out[HOURS_PLATFORM_SIZE], const char *name)
{
	size_t length = 0;

	out[0] = '\0';
	append(out, HOURS_PLATFORM_SIZE, &length, name);
}

/* Judges the total, then every minimum in policy order; returns 1 if any unmet rule is behind
 * its pace. */
static int judge_rules(const struct hours_totals *totals, const struct hours_policy *policy,
                       const struct requirement_scale *scale, const struct year_progress *progress,
                       struct hours_result *result)
{
	struct rule rule = {0};
	int behind;

	rule.kind = HOURS_SHORTFALL_TOTAL;
	set_name(rule.name, "total");
	set_name(rule.label, "总学时");
	rule.required_units = result->required_units;
	rule.achieved_units = result->counted_units;
	behind = judge_rule(&rule, progress, result);
	for (size_t i = 0; i < policy->category_minimum_count; i++) {
		unsigned categories = policy->category_minima[i].categories;

		rule.kind = HOURS_SHORTFALL_CATEGORY;
		category_set_text(categories, 0, rule.name, sizeof(rule.name));
		category_set_text(categories, 1, rule.label, sizeof(rule.label));
		rule.required_units = scale_requirement(scale, policy->category_minima[i].units);
		rule.achieved_units = category_set_units(result, categories);
		result->category_minimum_required[i] = rule.required_units;
		result->category_minimum_units[i] = rule.achieved_units;
		behind |= judge_rule(&rule, progress, result);
	}
	for (size_t i = 0; i < policy->platform_minimum_count; i++) {
		const char *platform = policy->platform_minima[i].platform;

		rule.kind = HOURS_SHORTFALL_PLATFORM;
		set_name(rule.name, platform);
		set_name(rule.label, platform);
		rule.required_units = scale_requirement(scale, policy->platform_minima[i].units);
		rule.achieved_units = platform_units(totals, policy, platform);
		result->platform_minimum_required[i] = rule.required_units;
		result->platform_minimum_units[i] = rule.achieved_units;
		behind |= judge_rule(&rule, progress, result);
	}
	return behind;
}

/* Why the officer has no requirement this year, or HOURS_EXEMPT_NONE. */
static enum hours_exempt_reason exempt_reason_of(const struct hours_policy *policy,
                                                 int months_in_post,
                                                 const struct hours_exemption *exemption)
{
	if (exemption != NULL && exemption->kind == HOURS_EXEMPTION_WAIVE)
		return HOURS_EXEMPT_WAIVED;
	if (months_in_post == 0)
		return HOURS_EXEMPT_NOT_IN_POST;
	if (months_in_post < policy->min_months)
		return HOURS_EXEMPT_UNDER_MIN_MONTHS;
	return HOURS_EXEMPT_NONE;
}

/* Units held by the officer are shown whatever the status; the minima's achieved units are
 * filled in even when exempt, with nothing required. */
static void fill_exempt(const struct hours_totals *totals, const struct hours_policy *policy,
                        struct hours_result *result)
{
	for (size_t i = 0; i < policy->category_minimum_count; i++)
		result->category_minimum_units[i] =
		        category_set_units(result, policy->category_minima[i].categories);
	for (size_t i = 0; i < policy->platform_minimum_count; i++)
		result->platform_minimum_units[i] =
		        platform_units(totals, policy, policy->platform_minima[i].platform);
	result->status = HOURS_STATUS_EXEMPT;
}

enum hours_eval_error hours_evaluate(const struct hours_totals *totals,
                                     const struct hours_policy *policy, int months_in_post,
                                     const struct hours_exemption *exemption, int year,
                                     int today_yyyymmdd, struct hours_result *result)
{
	struct year_progress progress;
	struct requirement_scale scale;
	int behind;

	if (!totals_valid(totals))
		return HOURS_EVAL_TOTALS;
	if (policy == NULL || hours_policy_check(policy) != HOURS_POLICY_OK)
		return HOURS_EVAL_POLICY;
	if (!exemption_valid(exemption))
		return HOURS_EVAL_EXEMPTION;
	if (months_in_post < 0 || months_in_post > 12)
		return HOURS_EVAL_MONTHS;
	if (year_progress_of(year, today_yyyymmdd, &progress) != 0)
		return HOURS_EVAL_DATE;

	memset(result, 0, sizeof(*result));
	result->months_in_post = months_in_post;
	result->year_over = progress.over;
	result->excluded = policy->excluded;
	sum_totals(totals, policy, result);
	list_platforms(totals, policy, result);

	result->exempt_reason = exempt_reason_of(policy, months_in_post, exemption);
	if (result->exempt_reason != HOURS_EXEMPT_NONE) {
		fill_exempt(totals, policy, result);
		return HOURS_EVAL_OK;
	}
	scale = requirement_scale_of(policy, months_in_post, exemption);
	result->required_units = scale_requirement(&scale, policy->required_units);
	behind = judge_rules(totals, policy, &scale, &progress, result);
	if (result->shortfall_count == 0)
		result->status = HOURS_STATUS_MET;
	else
		result->status = behind ? HOURS_STATUS_AT_RISK : HOURS_STATUS_SHORT;
	return HOURS_EVAL_OK;
}

const char *hours_eval_error_reason(enum hours_eval_error e)
{
	switch (e) {
	case HOURS_EVAL_OK:
		return "ok";
	case HOURS_EVAL_TOTALS:
		return "totals";
	case HOURS_EVAL_POLICY:
		return "policy";
	case HOURS_EVAL_EXEMPTION:
		return "exemption";
	case HOURS_EVAL_MONTHS:
		return "months_in_post";
	case HOURS_EVAL_DATE:
		return "date";
	}
	return "unknown";
}

const char *hours_eval_error_message(enum hours_eval_error e)
{
	switch (e) {
	case HOURS_EVAL_OK:
		return "评估完成 / evaluated";
	case HOURS_EVAL_TOTALS:
		return "学时汇总数据无效 / the hour totals are not valid";
	case HOURS_EVAL_POLICY:
		return "学时规则无效 / the policy is not valid";
	case HOURS_EVAL_EXEMPTION:
		return "豁免设置无效 / the exemption is not valid";
	case HOURS_EVAL_MONTHS:
		return "在岗月数应在0至12之间 / the months in post must be between 0 and 12";
	case HOURS_EVAL_DATE:
		return "年度或评估日期无效 / the year or the evaluation date is not valid";
	}
	return "评估失败 / the evaluation failed";
}
