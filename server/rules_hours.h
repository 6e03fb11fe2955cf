/* rules_hours.h — the class-hour engine of issue 4 (doc/hours-engine.md): hours text, the fine
 * unit, one record's contribution, the Shanghai year, months in post, policies, exemptions and
 * the evaluation of one officer-year. Pure like rules.h: plain values in, plain values out; no
 * I/O, no allocation, no floating point. Structs are fixed-size with the limits below, except
 * the totals, whose rows live in storage the caller owns. Every row, policy and exemption that
 * schema/005_training.sql accepts is accepted here too, so evaluation never fails on stored data.
 *
 * Decisions where doc/hours-engine.md was open (also written into that page):
 * - The baseline excludes {political, other}: DOMAIN.md rule 1 and seeds 000, 001, 002 name the
 *   60 hours as public_law, business and skills only.
 * - min_months applies whether or not the policy prorates (min_months 0 turns it off); 0 months
 *   in post is always exempt (not in post that year).
 * - A reduction to H hours scales every minimum by H / the requirement it replaces (after
 *   proration), so proration and reduction never compound; H above the prorated requirement
 *   changes nothing.
 * - at_risk looks at every rule (total, category and platform minima), each against its own
 *   linear pace; days elapsed are the days of the year before today (1 January: 0).
 * - A shortfall shows its missing hours rounded UP ("0.01 h short" for 1 unit), so a short rule
 *   never reads "0.00 h short"; counted hours are shown rounded down.
 * - A leave (status) date is the last day in post: left 30 June = January..June in post.
 * - Hours text of 0 is refused: a record that should count nothing is revoked (as the schema's
 *   override_units > 0). */
#ifndef TCARD_RULES_HOURS_H
#define TCARD_RULES_HOURS_H

#include <stddef.h>
#include <stdint.h>

/* Class hours are integers of 1/36000 class hour ("units"): 0.01 h = 360 units and one untimed
 * minute = 36000 / m units for every allowed minutes-per-hour m, all exact. */
#define HOURS_UNITS_PER_HOUR      36000
#define HOURS_UNITS_PER_HUNDREDTH 360
/* One session declares or credits at most 24 h. */
#define HOURS_SESSION_UNITS_MAX (24 * HOURS_UNITS_PER_HOUR)
/* A requirement or minimum is at most the hours of a leap year (8784 h). */
#define HOURS_REQUIRED_UNITS_MAX ((int64_t)366 * 24 * HOURS_UNITS_PER_HOUR)
/* Sums of hours saturate at 10^15 units (about 27.8 billion h), far above any requirement, so
 * any number of rows of any size is summed without overflow, and every product the engine forms
 * (sum × 366 days) stays below 4e17, inside int64_t. */
#define HOURS_UNITS_SUM_MAX INT64_C(1000000000000000)
/* A platform name ("法治教育网"): 1..100 characters (as the schema allows), so at most 400 bytes
 * of UTF-8 plus the NUL. */
#define HOURS_PLATFORM_CHARS_MAX 100
#define HOURS_PLATFORM_SIZE      (4 * HOURS_PLATFORM_CHARS_MAX + 1)
/* As the schema: at most 16 minima of each kind. */
#define HOURS_CATEGORY_MINIMA_MAX 16
#define HOURS_PLATFORM_MINIMA_MAX 16
/* One per rule: the total, every category minimum, every platform minimum. */
#define HOURS_SHORTFALLS_MAX (1 + HOURS_CATEGORY_MINIMA_MAX + HOURS_PLATFORM_MINIMA_MAX)
/* The result lists the units of this many named platforms; more are counted, not listed. */
#define HOURS_RESULT_PLATFORMS_MAX 32
/* "59.99": for INT64_MAX units 15 digits, the point, two decimals and the NUL. */
#define HOURS_TEXT_SIZE 24
/* A shortfall's bilingual message; holds two names and two numbers at their longest. */
#define HOURS_MESSAGE_SIZE 1024

/* Training categories, in the order names are joined ("business+skills"). */
enum hours_category {
	HOURS_CATEGORY_PUBLIC_LAW = 0, /* 公共法律知识 */
	HOURS_CATEGORY_BUSINESS,       /* 业务知识 */
	HOURS_CATEGORY_SKILLS,         /* 行政执法技能 */
	HOURS_CATEGORY_POLITICAL,      /* 政治理论 */
	HOURS_CATEGORY_OTHER,          /* 其他 */
	HOURS_CATEGORY_COUNT
};
/* A set of categories is a bit set of these. */
#define HOURS_CATEGORY_BIT(category) (1u << (category))
#define HOURS_CATEGORY_ALL           ((1u << HOURS_CATEGORY_COUNT) - 1u)

/* Name ("public_law") ↔ enum. Parse returns 0, or -1 for an unknown or NULL name (*out is
 * left unchanged). Name and label return static strings; "unknown" / "未知" out of range. */
int hours_category_parse(const char *name, enum hours_category *out);
const char *hours_category_name(enum hours_category category);
const char *hours_category_label(enum hours_category category);

/* Forms of training in the registration scope (DOMAIN.md rule 6). */
enum hours_form {
	HOURS_FORM_LECTURE = 0, /* 讲授 */
	HOURS_FORM_SEMINAR,     /* 研讨 */
	HOURS_FORM_ONLINE,      /* 网络培训 */
	HOURS_FORM_MENTORSHIP,  /* 导师制 */
	HOURS_FORM_ONSITE,      /* 驻点培训 */
	HOURS_FORM_COMPETITION, /* 大比武 */
	HOURS_FORM_ROTATION,    /* 全员轮训 */
	HOURS_FORM_CASE_STUDY,  /* 案例教学 */
	HOURS_FORM_FIELD_DEMO,  /* 现场示范 */
	HOURS_FORM_OTHER,       /* 其他 */
	HOURS_FORM_COUNT
};

/* As the category functions. */
int hours_form_parse(const char *name, enum hours_form *out);
const char *hours_form_name(enum hours_form form);
const char *hours_form_label(enum hours_form form);

/* Hours text as the API and imports take it: ASCII digits with at most two decimals ("4",
 * "4.5", "4.25", "04.50"); no sign, exponent, spaces, ".5" or "4.". Errors in enum order: the
 * first failing check wins ("-4.255" is PRECISION). */
enum hours_text_error {
	HOURS_TEXT_OK = 0,
	HOURS_TEXT_EMPTY,       /* NULL or "" */
	HOURS_TEXT_SYNTAX,      /* not digits[.digits] */
	HOURS_TEXT_PRECISION,   /* more than two decimals, "4.255" and "4.250" alike */
	HOURS_TEXT_NEGATIVE,    /* a leading minus sign, "-0" included */
	HOURS_TEXT_ZERO,        /* 0 hours */
	HOURS_TEXT_TOO_LARGE,   /* more than 24 h for one session */
	HOURS_TEXT_OVER_MAXIMUM /* an amount (hours_parse_amount) over 1000 h */
};

/* A session's declared hours ("4学时") or a record's credited hours (partial attendance; a record
 * that should count nothing is revoked instead, as the schema has it): 0 < hours <= 24. On
 * success *units is set; on failure it is left unchanged. */
enum hours_text_error hours_parse(const char *text, int64_t *units);
/* A stable reason ("precision") and a Chinese / English message; static, never NULL. */
/* An amount of hours rather than one session's: a requirement, a minimum or a reduced
 * requirement, 0 <= hours <= 1000 (HOURS_AMOUNT_UNITS_MAX, as the schema), same text form. */
#define HOURS_AMOUNT_UNITS_MAX ((int64_t)1000 * HOURS_UNITS_PER_HOUR)
enum hours_text_error hours_parse_amount(const char *text, int64_t *units);
const char *hours_text_error_reason(enum hours_text_error e);
const char *hours_text_error_message(enum hours_text_error e);

/* 1 if m minutes may count as one untimed class hour: m divides 36000 and 30 <= m <= 60
 * (30, 32, 36, 40, 45, 48, 50, 60). Else 0. */
int hours_minutes_per_hour_valid(int minutes_per_hour);

/* units + untimed minutes at m minutes per hour, exactly. Returns -1 if m is not valid or an
 * input is negative; saturates at INT64_MAX instead of overflowing. */
int64_t hours_total_units(int64_t units, int64_t untimed_minutes, int minutes_per_hour);

/* Writes units as hours with two decimals, rounded DOWN: 2159964 units (59.999 h) is "59.99".
 * Negative units never occur in the engine; if passed they are clamped to "0.00". */
void hours_format(int64_t units, char out[HOURS_TEXT_SIZE]);
/* The same rounded UP, for missing hours: 1 unit short is "0.01". Negative clamps to "0.00". */
void hours_format_shortfall(int64_t units, char out[HOURS_TEXT_SIZE]);
/* Units as whole hundredths of an hour, rounded down (for JSON numbers); negative gives 0. */
int64_t hours_hundredths(int64_t units);

/* One attendance record as stored: override, the session's declared hours and duration. */
struct hours_record {
	int64_t credited_units; /* HR's override (partial attendance), or -1 for none */
	int64_t declared_units; /* the session's declared hours, or -1 for none */
	int64_t minutes;        /* the session's duration in whole minutes */
	int revoked;            /* nonzero: the record contributes nothing */
};

/* What one record adds to its (category, platform) totals: units, or untimed minutes that the
 * policy converts later. Exactly one of the two is nonzero (or both are 0). */
struct hours_contribution {
	int64_t units;
	int64_t untimed_minutes;
};

/* Override if present, else declared hours, else the session's minutes as untimed minutes
 * (DOMAIN.md rule 2: declared hours count whatever the length). Negative minutes count 0. */
struct hours_contribution hours_record_contribution(const struct hours_record *record);

/* Unix seconds (UTC) → Asia/Shanghai (UTC+8, no DST) calendar year / date as YYYYMMDD. Exact for
 * every instant in Shanghai years 1..9999 (HOURS_UNIX_MIN..HOURS_UNIX_MAX); instants outside are
 * clamped to that range. Own civil-from-days arithmetic (proleptic Gregorian), no localtime. */
#define HOURS_UNIX_MIN INT64_C(-62135625600) /* 0001-01-01T00:00:00+08:00 */
#define HOURS_UNIX_MAX INT64_C(253402271999) /* 9999-12-31T23:59:59+08:00 */
int hours_year_of(int64_t unix_seconds);
int hours_shanghai_date(int64_t unix_seconds);

/* Whole calendar months of year in post, 0..12. A month counts when the officer was in post on
 * every day of it: from hire_yyyymmdd (0 or less: hired before the year) through
 * leave_yyyymmdd, the last day in post (0 or less: still in post), both inclusive. Dates are
 * compared as integers, so they need not be checked first. */
int hours_months_in_post(int year, int hire_yyyymmdd, int leave_yyyymmdd);

/* A session's times, Unix seconds. Errors in enum order. */
enum hours_session_error {
	HOURS_SESSION_OK = 0,
	HOURS_SESSION_RANGE,     /* start outside Shanghai years 2000..2099 (as the schema) */
	HOURS_SESSION_ORDER,     /* end not after start */
	HOURS_SESSION_TOO_SHORT, /* under one minute */
	HOURS_SESSION_TOO_LONG   /* over 24 hours */
};

enum hours_session_error hours_session_check(int64_t start_unix, int64_t end_unix);
/* Whole minutes from start to end, rounded down: 0 if end is not after start, at most 1440. */
int64_t hours_session_minutes(int64_t start_unix, int64_t end_unix);
const char *hours_session_error_reason(enum hours_session_error e);
const char *hours_session_error_message(enum hours_session_error e);

/* 1 if name may be given as a platform (API input): 1..100 characters and at most 400 bytes,
 * no leading or trailing space (the schema keeps names trimmed), no ASCII control character;
 * reads at most HOURS_PLATFORM_SIZE bytes. The UTF-8 itself is the JSON parser's to check.
 * The engine compares names byte for byte and refuses none the database holds. */
int hours_platform_name_valid(const char *name);

/* "Sum over categories ≥ units", e.g. Pinglu {business, skills} ≥ 30 h. */
struct hours_category_minimum {
	unsigned categories; /* bit set of HOURS_CATEGORY_BIT */
	int64_t units;
};

/* "Hours through this platform ≥ units", e.g. Luohu 法治教育网 ≥ 60 h. */
struct hours_platform_minimum {
	char platform[HOURS_PLATFORM_SIZE];
	int64_t units;
};

/* The rule set of one org subtree and year (the nearest ancestor's applies). */
struct hours_policy {
	int64_t required_units; /* total over counted categories */
	int minutes_per_hour;   /* for untimed sessions */
	unsigned excluded;      /* bit set: shown, never counted */
	size_t category_minimum_count;
	struct hours_category_minimum category_minima[HOURS_CATEGORY_MINIMA_MAX];
	size_t platform_minimum_count;
	struct hours_platform_minimum platform_minima[HOURS_PLATFORM_MINIMA_MAX];
	int prorate;    /* nonzero: every requirement × whole months in post / 12 */
	int min_months; /* fewer months in post: no requirement (0..12; 0 turns it off) */
};

/* 60 h, 45 minutes per untimed hour, political and other excluded, no minima, prorated, 3
 * months minimum. */
struct hours_policy hours_policy_baseline(void);
/* Appends a minimum. Return 0, or -1 when the list is full or (platform) the name is empty or
 * longer than HOURS_PLATFORM_SIZE - 1 bytes; the rest of the check is hours_policy_check's. */
int hours_policy_add_category_minimum(struct hours_policy *policy, unsigned categories,
                                      int64_t units);
int hours_policy_add_platform_minimum(struct hours_policy *policy, const char *platform,
                                      int64_t units);

/* Errors in enum order. */
enum hours_policy_error {
	HOURS_POLICY_OK = 0,
	HOURS_POLICY_REQUIRED,          /* required units outside 0..HOURS_REQUIRED_UNITS_MAX */
	HOURS_POLICY_MINUTES_PER_HOUR,  /* see hours_minutes_per_hour_valid */
	HOURS_POLICY_EXCLUDED,          /* an unknown category bit */
	HOURS_POLICY_MIN_MONTHS,        /* outside 0..12 */
	HOURS_POLICY_MINIMA_COUNT,      /* more minima than the arrays hold */
	HOURS_POLICY_CATEGORY_SET,      /* a category minimum's set is empty or has unknown bits */
	HOURS_POLICY_CATEGORY_EXCLUDED, /* a category minimum names an excluded category */
	HOURS_POLICY_PLATFORM,          /* a platform minimum's name is empty or not terminated */
	HOURS_POLICY_MINIMUM_UNITS      /* a minimum outside 0..HOURS_REQUIRED_UNITS_MAX */
};

enum hours_policy_error hours_policy_check(const struct hours_policy *policy);
const char *hours_policy_error_reason(enum hours_policy_error e);
const char *hours_policy_error_message(enum hours_policy_error e);

/* An approved exemption of one officer for one year (reason and approver live in the
 * database). */
enum hours_exemption_kind {
	HOURS_EXEMPTION_NONE = 0,
	HOURS_EXEMPTION_WAIVE, /* no requirement: status exempt */
	HOURS_EXEMPTION_REDUCE /* requirement becomes min(prorated, units); minima scaled alike */
};

struct hours_exemption {
	enum hours_exemption_kind kind;
	int64_t units; /* REDUCE: 0..HOURS_REQUIRED_UNITS_MAX; ignored otherwise */
};

/* One row of an officer-year's totals, as the database keeps them per (category, platform). */
struct hours_total_row {
	enum hours_category category;
	const char *platform;    /* borrowed; NULL or "" when the sessions name no platform */
	int64_t units;           /* >= 0 */
	int64_t untimed_minutes; /* >= 0 */
};

/* An officer-year's rows, in storage the caller owns (an array on the stack or in the request's
 * arena); no limit on their number. The database's rows can be pointed at directly
 * (rows = array, count = capacity = n) or merged in with hours_totals_add. */
struct hours_totals {
	struct hours_total_row *rows;
	size_t count, capacity;
};

void hours_totals_init(struct hours_totals *totals, struct hours_total_row *storage,
                       size_t capacity);
/* Adds units and untimed minutes to the row of (category, platform), creating it; platform NULL
 * is "" and is borrowed (it must outlive the totals). Returns 0, or -1 (totals unchanged) for an
 * unknown category, a negative amount, a sum past INT64_MAX, or no room for a new row. */
int hours_totals_add(struct hours_totals *totals, enum hours_category category,
                     const char *platform, int64_t units, int64_t untimed_minutes);

enum hours_status {
	HOURS_STATUS_MET = 0, /* every rule met */
	HOURS_STATUS_SHORT, /* not met: the year is over, or it is not and every rule is on pace */
	HOURS_STATUS_AT_RISK, /* the year is not over and some rule is behind its linear pace */
	HOURS_STATUS_EXEMPT   /* waived, or no requirement this year */
};

/* "met", "short", "at_risk", "exempt"; labels 达标, 未达标, 进度滞后, 免于考核. */
const char *hours_status_name(enum hours_status status);
const char *hours_status_label(enum hours_status status);

enum hours_exempt_reason {
	HOURS_EXEMPT_NONE = 0,
	HOURS_EXEMPT_WAIVED,          /* an exemption waived the year */
	HOURS_EXEMPT_NOT_IN_POST,     /* no whole month in post */
	HOURS_EXEMPT_UNDER_MIN_MONTHS /* in post fewer months than the policy's min_months */
};

/* "none", "waived", "not_in_post", "in_post_under_min_months"; Chinese / English message. */
const char *hours_exempt_reason_name(enum hours_exempt_reason reason);
const char *hours_exempt_reason_message(enum hours_exempt_reason reason);

enum hours_shortfall_kind {
	HOURS_SHORTFALL_TOTAL = 0,
	HOURS_SHORTFALL_CATEGORY,
	HOURS_SHORTFALL_PLATFORM
};

/* "total", "category", "platform". */
const char *hours_shortfall_kind_name(enum hours_shortfall_kind kind);

/* One rule not met. */
struct hours_shortfall {
	enum hours_shortfall_kind kind;
	char name[HOURS_PLATFORM_SIZE]; /* "total", "public_law", "business+skills", "法治教育网" */
	int64_t required_units;         /* after proration and exemption */
	int64_t missing_units;          /* > 0 */
	int behind_pace;                /* the year is not over and this rule is behind its pace */
	/* "public_law: 12.50 h short / 公共法律知识差 12.50 学时" (missing rounded up) */
	char message[HOURS_MESSAGE_SIZE];
};

/* Units on one named platform (counted categories only). */
struct hours_platform_units {
	const char *platform; /* borrowed from the totals' rows */
	int64_t units;
};

struct hours_result {
	enum hours_status status;
	enum hours_exempt_reason exempt_reason;
	int year_over;      /* today is after 31 December of the year */
	int months_in_post; /* as passed in */
	int64_t counted_units;
	/* Every category, excluded ones too; excluded marks those not counted. */
	int64_t category_units[HOURS_CATEGORY_COUNT];
	unsigned excluded;
	int64_t required_units; /* the total requirement after proration and exemption; 0 if exempt */
	/* Per minimum of the policy, same order: what it requires now and what the officer has. */
	int64_t category_minimum_required[HOURS_CATEGORY_MINIMA_MAX];
	int64_t category_minimum_units[HOURS_CATEGORY_MINIMA_MAX];
	int64_t platform_minimum_required[HOURS_PLATFORM_MINIMA_MAX];
	int64_t platform_minimum_units[HOURS_PLATFORM_MINIMA_MAX];
	/* Named platforms in the totals (counted categories; "" left out), first-seen order; past
	 * HOURS_RESULT_PLATFORMS_MAX they are counted in platforms_left_out (minima still see them). */
	size_t platform_count, platforms_left_out;
	struct hours_platform_units platforms[HOURS_RESULT_PLATFORMS_MAX];
	/* Total first, then category minima, then platform minima, in policy order. None if
	 * exempt. */
	size_t shortfall_count;
	struct hours_shortfall shortfalls[HOURS_SHORTFALLS_MAX];
};

enum hours_eval_error {
	HOURS_EVAL_OK = 0,
	HOURS_EVAL_TOTALS, /* NULL, count past capacity, an unknown category, a negative amount */
	HOURS_EVAL_POLICY, /* NULL or hours_policy_check fails */
	HOURS_EVAL_EXEMPTION, /* unknown kind or reduced units out of range */
	HOURS_EVAL_MONTHS,    /* months in post outside 0..12 */
	HOURS_EVAL_DATE       /* year outside 1900..2999 or today not a real YYYYMMDD date */
};

/* Evaluates one officer-year (doc/hours-engine.md). exemption may be NULL (none). today is the
 * evaluation date in Shanghai; it tells how much of the year has passed. On HOURS_EVAL_OK fills
 * *result (about 50 KB: allocate it from the request's arena rather than a thread's stack); its
 * platform names are borrowed from the totals. On failure *result is left unchanged. Integer
 * arithmetic only; see the limits above. */
enum hours_eval_error hours_evaluate(const struct hours_totals *totals,
                                     const struct hours_policy *policy, int months_in_post,
                                     const struct hours_exemption *exemption, int year,
                                     int today_yyyymmdd, struct hours_result *result);
const char *hours_eval_error_reason(enum hours_eval_error e);
const char *hours_eval_error_message(enum hours_eval_error e);

#endif
