/* rules.h — the domain's pure rules: plain values in, plain values out, no I/O.
 * For now it validates identifiers (national ID, unified social credit code,
 * region code); the class-hour rules will join it later. */
#ifndef TCARD_RULES_H
#define TCARD_RULES_H

/* National ID (身份证号), GB 11643-1999: 6-digit region, 8-digit birth date,
 * 3-digit sequence (odd 17th digit = male), ISO 7064 MOD 11-2 check character. */
enum rules_id_error {
	RULES_ID_OK = 0,
	RULES_ID_LENGTH,
	RULES_ID_CHARSET,
	RULES_ID_REGION,
	RULES_ID_BIRTH_DATE,
	RULES_ID_CHECK_DIGIT
};

struct national_id {
	char normalized[19]; /* 18 characters + NUL; check character upper-case */
	int birth_year, birth_month, birth_day;
	char gender; /* 'M' or 'F' */
};

/* Validates text (NUL-terminated, exactly 18 characters; surrounding spaces are
 * rejected, a lower-case x check character is accepted and normalized to X).
 * today_yyyymmdd (e.g. 20261123) is passed in so the rule stays pure: a birth
 * date before 1900-01-01, after today or impossible (Feb 30, Feb 29 of a
 * non-leap year, month 13) is RULES_ID_BIRTH_DATE. The region must start with a
 * province-like number 11..82; unknown region codes are not rejected beyond
 * that. Errors are reported in enum order: the first failing check wins.
 * On success fills *out (out may be NULL); on failure *out is left unchanged.
 * A NULL text is RULES_ID_LENGTH. */
enum rules_id_error rules_national_id_parse(const char *text, int today_yyyymmdd,
                                            struct national_id *out);

/* Returns the check character ('0'..'9' or 'X') for the first 17 characters of
 * first17 (for generators and tests), or 0 if they are not 17 digits. */
char rules_national_id_check_char(const char *first17);

/* Writes the masked form, first 6 + 8 '*' + last 4 (110101********123X), into
 * out. If normalized is not exactly 18 characters, out becomes "" so that no
 * partial copy of the input can leak. */
void rules_national_id_mask(const char *normalized, char out[19]);

/* A stable English reason ("check_digit") and a Chinese + English message for
 * API field errors. Static strings, never NULL. */
const char *rules_id_error_reason(enum rules_id_error e);
const char *rules_id_error_message(enum rules_id_error e);

/* Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from
 * "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I O S V Z), characters 3-8 a region code
 * of digits, the 18th a MOD 31 check character. Codes are printed upper-case,
 * so lower-case letters are a charset error. */
enum rules_credit_error {
	RULES_CREDIT_OK = 0,
	RULES_CREDIT_LENGTH,
	RULES_CREDIT_CHARSET,
	RULES_CREDIT_CHECK_CHAR
};

/* Validates text (NUL-terminated, exactly 18 characters, no surrounding
 * spaces). A NULL text is RULES_CREDIT_LENGTH. */
enum rules_credit_error rules_credit_code_check(const char *text);

/* Returns the check character for the first 17 characters of first17, or 0 if
 * one of them is outside the alphabet (or the string is shorter). */
char rules_credit_code_check_char(const char *first17);

/* As rules_id_error_reason / _message. */
const char *rules_credit_error_reason(enum rules_credit_error e);
const char *rules_credit_error_message(enum rules_credit_error e);

/* Returns 1 if text is a well-formed GB/T 2260 region code: exactly 6 ASCII
 * digits, the first 1-8; unknown codes are not rejected beyond that. Else 0. */
int rules_region_code_valid(const char *text);

/* A calendar date as the API writes it, YYYY-MM-DD (ISO 8601), years 1900-2999. */
struct rules_date {
	int year, month, day;
};

/* Parses exactly "YYYY-MM-DD" with a real calendar day (no Feb 30). 0 or -1. */
int rules_date_parse(const char *text, struct rules_date *out);
/* 20261123 for 2026-11-23: comparable as an integer. */
int rules_date_yyyymmdd(const struct rules_date *date);

#endif
