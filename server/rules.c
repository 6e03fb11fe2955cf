/* rules.c — pure domain rules; see rules.h for the contracts.
 * Identifier checks follow GB 11643-1999 (national ID), GB 32100-2015 (unified
 * social credit code) and GB/T 2260 (region codes). No I/O, no allocation. */
#include "rules.h"

#include <stddef.h>
#include <string.h>

#define ID_LENGTH     18
#define CREDIT_LENGTH 18

/* ASCII only: identifiers never contain locale-dependent digits. */
static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of text, counting no further than limit + 1, so an overlong input is
 * never scanned to its end. */
static size_t bounded_length(const char *text, size_t limit)
{
	size_t n = 0;

	while (n <= limit && text[n] != '\0')
		n++;
	return n;
}

static int is_leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && is_leap_year(year))
		return 29;
	return days[month - 1];
}

/* Value of n ASCII digits; the caller has checked they are digits. */
static int digits_value(const char *digits, int n)
{
	int value = 0;

	for (int i = 0; i < n; i++)
		value = value * 10 + (digits[i] - '0');
	return value;
}

/* GB/T 2260 province numbers run from 11 (Beijing) to 82 (Macao). */
static int province_plausible(const char *two_digits)
{
	int province = digits_value(two_digits, 2);

	return province >= 11 && province <= 82;
}

char rules_national_id_check_char(const char *first17)
{
	/* ISO 7064 MOD 11-2: weight i is 2^(17-i) mod 11. */
	static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check_chars[] = "10X98765432";
	int sum = 0;

	if (first17 == NULL)
		return 0;
	for (int i = 0; i < 17; i++) {
		if (!is_digit(first17[i]))
			return 0;
		sum += (first17[i] - '0') * weights[i];
	}
	return check_chars[sum % 11];
}

enum rules_id_error rules_national_id_parse(const char *text, int today_yyyymmdd,
                                            struct national_id *out)
{
	struct national_id id;
	int birth;

	if (text == NULL || bounded_length(text, ID_LENGTH) != ID_LENGTH)
		return RULES_ID_LENGTH;
	for (int i = 0; i < 17; i++) {
		if (!is_digit(text[i]))
			return RULES_ID_CHARSET;
	}
	if (!is_digit(text[17]) && text[17] != 'X' && text[17] != 'x')
		return RULES_ID_CHARSET;

	if (text[0] < '1' || text[0] > '8' || !province_plausible(text))
		return RULES_ID_REGION;

	id.birth_year = digits_value(text + 6, 4);
	id.birth_month = digits_value(text + 10, 2);
	id.birth_day = digits_value(text + 12, 2);
	if (id.birth_month < 1 || id.birth_month > 12 || id.birth_day < 1 ||
	    id.birth_day > days_in_month(id.birth_year, id.birth_month))
		return RULES_ID_BIRTH_DATE;
	birth = digits_value(text + 6, 8);
	if (birth < 19000101 || birth > today_yyyymmdd)
		return RULES_ID_BIRTH_DATE;

	memcpy(id.normalized, text, ID_LENGTH);
	id.normalized[ID_LENGTH] = '\0';
	if (id.normalized[17] == 'x')
		id.normalized[17] = 'X';
	if (rules_national_id_check_char(id.normalized) != id.normalized[17])
		return RULES_ID_CHECK_DIGIT;

	id.gender = (text[16] - '0') % 2 == 1 ? 'M' : 'F';
	if (out != NULL)
		*out = id;
	return RULES_ID_OK;
}

void rules_national_id_mask(const char *normalized, char out[19])
{
	if (normalized == NULL || bounded_length(normalized, ID_LENGTH) != ID_LENGTH) {
		out[0] = '\0';
		return;
	}
	memcpy(out, normalized, 6);
	memset(out + 6, '*', 8);
	memcpy(out + 14, normalized + 14, 4);
	out[ID_LENGTH] = '\0';
}

const char *rules_id_error_reason(enum rules_id_error e)
{
	switch (e) {
	case RULES_ID_OK:
		return "ok";
	case RULES_ID_LENGTH:
		return "length";
	case RULES_ID_CHARSET:
		return "charset";
	case RULES_ID_REGION:
		return "region";
	case RULES_ID_BIRTH_DATE:
		return "birth_date";
	case RULES_ID_CHECK_DIGIT:
		return "check_digit";
	}
	return "unknown";
}

const char *rules_id_error_message(enum rules_id_error e)
{
	switch (e) {
	case RULES_ID_OK:
		return "身份证号有效 / the national ID is valid";
	case RULES_ID_LENGTH:
		return "身份证号应为18位 / the national ID must be 18 characters long";
	case RULES_ID_CHARSET:
		return "身份证号只能由数字组成，最后一位可为X / the national ID may contain only "
		       "digits, and X as the last character";
	case RULES_ID_REGION:
		return "身份证号地区码无效 / the region code is not valid";
	case RULES_ID_BIRTH_DATE:
		return "身份证号出生日期无效 / the birth date is not a real date between "
		       "1900-01-01 and today";
	case RULES_ID_CHECK_DIGIT:
		return "身份证号校验码错误 / the check digit is wrong";
	}
	return "身份证号无效 / the national ID is not valid";
}

/* GB 32100 alphabet; a character's value is its index. */
static const char credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Returns the value 0..30 of c, or -1 if c is outside the alphabet. */
static int credit_value(char c)
{
	const char *found;

	if (c == '\0')
		return -1;
	found = strchr(credit_alphabet, c);
	return found == NULL ? -1 : (int)(found - credit_alphabet);
}

char rules_credit_code_check_char(const char *first17)
{
	/* Weight i is 3^(i-1) mod 31. */
	static const int weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
	                                29, 25, 13, 8,  24, 10, 30, 28};
	int sum = 0;

	if (first17 == NULL)
		return 0;
	for (int i = 0; i < 17; i++) {
		int value = credit_value(first17[i]);

		if (value < 0)
			return 0;
		sum += value * weights[i];
	}
	return credit_alphabet[(31 - sum % 31) % 31];
}

enum rules_credit_error rules_credit_code_check(const char *text)
{
	if (text == NULL || bounded_length(text, CREDIT_LENGTH) != CREDIT_LENGTH)
		return RULES_CREDIT_LENGTH;
	for (int i = 0; i < CREDIT_LENGTH; i++) {
		if (credit_value(text[i]) < 0)
			return RULES_CREDIT_CHARSET;
	}
	/* Characters 3-8 are the registering authority's GB/T 2260 region. */
	for (int i = 2; i < 8; i++) {
		if (!is_digit(text[i]))
			return RULES_CREDIT_CHARSET;
	}
	if (rules_credit_code_check_char(text) != text[17])
		return RULES_CREDIT_CHECK_CHAR;
	return RULES_CREDIT_OK;
}

const char *rules_credit_error_reason(enum rules_credit_error e)
{
	switch (e) {
	case RULES_CREDIT_OK:
		return "ok";
	case RULES_CREDIT_LENGTH:
		return "length";
	case RULES_CREDIT_CHARSET:
		return "charset";
	case RULES_CREDIT_CHECK_CHAR:
		return "check_char";
	}
	return "unknown";
}

const char *rules_credit_error_message(enum rules_credit_error e)
{
	switch (e) {
	case RULES_CREDIT_OK:
		return "统一社会信用代码有效 / the unified social credit code is valid";
	case RULES_CREDIT_LENGTH:
		return "统一社会信用代码应为18位 / the unified social credit code must be 18 "
		       "characters long";
	case RULES_CREDIT_CHARSET:
		return "统一社会信用代码含有无效字符 / the unified social credit code may contain "
		       "only digits and upper-case letters other than I, O, S, V and Z, with "
		       "digits in places 3 to 8";
	case RULES_CREDIT_CHECK_CHAR:
		return "统一社会信用代码校验码错误 / the check character is wrong";
	}
	return "统一社会信用代码无效 / the unified social credit code is not valid";
}

int rules_region_code_valid(const char *text)
{
	if (text == NULL || bounded_length(text, 6) != 6)
		return 0;
	for (int i = 0; i < 6; i++) {
		if (!is_digit(text[i]))
			return 0;
	}
	return text[0] >= '1' && text[0] <= '8';
}

int rules_date_parse(const char *text, struct rules_date *out)
{
	int year, month, day;

	if (text == NULL || bounded_length(text, 11) != 10 || text[4] != '-' || text[7] != '-')
		return -1;
	if (!is_digit(text[0]) || !is_digit(text[1]) || !is_digit(text[2]) || !is_digit(text[3]) ||
	    !is_digit(text[5]) || !is_digit(text[6]) || !is_digit(text[8]) || !is_digit(text[9]))
		return -1;
	year = digits_value(text, 4);
	month = digits_value(text + 5, 2);
	day = digits_value(text + 8, 2);
	if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month))
		return -1;
	out->year = year;
	out->month = month;
	out->day = day;
	return 0;
}

int rules_date_yyyymmdd(const struct rules_date *date)
{
	return date->year * 10000 + date->month * 100 + date->day;
}
