/* test_rules.c — unit tests for rules.c: identifier validation.
 * Published and independently computed vectors pin the algorithms; property
 * tests over generated IDs and codes pin the check characters. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "rules.h"

#define TODAY 20261123

/* Deterministic xorshift32, so a failing property case reproduces. */
static uint32_t random_state = 2463534242u;

static uint32_t random_below(uint32_t bound)
{
	random_state ^= random_state << 13;
	random_state ^= random_state >> 17;
	random_state ^= random_state << 5;
	return random_state % bound;
}

static void put_digits(char *dst, int value, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		dst[i] = (char)('0' + value % 10);
		value /= 10;
	}
}

/* The one place that knows how to make a national ID: region (6 digits), birth
 * date, sequence 0..999 (odd = male) and the right check character, which
 * rules_national_id_check_char computes (pinned by published vectors below).
 * The date is written as given, so impossible dates can be made too. */
static void make_national_id(char out[19], const char *region, int year, int month, int day,
                             int sequence)
{
	memcpy(out, region, 6);
	put_digits(out + 6, year, 4);
	put_digits(out + 10, month, 2);
	put_digits(out + 12, day, 2);
	put_digits(out + 14, sequence, 3);
	out[17] = '\0';
	out[17] = rules_national_id_check_char(out);
	out[18] = '\0';
}

static enum rules_id_error parse(const char *text)
{
	struct national_id id;

	return rules_national_id_parse(text, TODAY, &id);
}

static enum rules_id_error parse_date(int year, int month, int day)
{
	char text[19];

	make_national_id(text, "110101", year, month, day, 1);
	return parse(text);
}

static void test_national_id_published_example_is_valid(void **state)
{
	(void)state;
	assert_int_equal(parse("11010519491231002X"), RULES_ID_OK);
}

static void test_national_id_with_x_check_digit_is_valid(void **state)
{
	(void)state;
	assert_int_equal(parse("11010519491231002X"), RULES_ID_OK);
	assert_int_equal(parse("44011320141005001X"), RULES_ID_OK);
}

static void test_national_id_with_digit_check_digit_is_valid(void **state)
{
	(void)state;
	assert_int_equal(parse("110101199003074477"), RULES_ID_OK);
	assert_int_equal(parse("360426199101010071"), RULES_ID_OK);
	assert_int_equal(parse("110101199003071233"), RULES_ID_OK);
}

/* Expected values computed independently of rules.c (ISO 7064 MOD 11-2 by hand
 * in a separate script) or taken from published examples. */
static void test_national_id_check_char_matches_known_vectors(void **state)
{
	(void)state;
	assert_int_equal(rules_national_id_check_char("11010519491231002"), 'X');
	assert_int_equal(rules_national_id_check_char("11010119900307447"), '7');
	assert_int_equal(rules_national_id_check_char("11010119900307123"), '3');
	assert_int_equal(rules_national_id_check_char("36042619910101007"), '1');
	assert_int_equal(rules_national_id_check_char("44030019851201311"), '8');
	assert_int_equal(rules_national_id_check_char("11010120000229001"), '8');
	assert_int_equal(rules_national_id_check_char("11010119900101000"), '7');
}

static void test_national_id_check_char_rejects_non_digits(void **state)
{
	(void)state;
	assert_int_equal(rules_national_id_check_char(NULL), 0);
	assert_int_equal(rules_national_id_check_char(""), 0);
	assert_int_equal(rules_national_id_check_char("1101051949123100"), 0);
	assert_int_equal(rules_national_id_check_char("1101051949123100X"), 0);
	assert_int_equal(rules_national_id_check_char("11010519491231 02"), 0);
}

static void test_national_id_lower_case_x_is_normalized(void **state)
{
	struct national_id id;

	(void)state;
	assert_int_equal(rules_national_id_parse("11010519491231002x", TODAY, &id), RULES_ID_OK);
	assert_string_equal(id.normalized, "11010519491231002X");
}

static void test_national_id_wrong_check_digit_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(parse("110101199003071234"), RULES_ID_CHECK_DIGIT);
	assert_int_equal(parse("36042619910102009X"), RULES_ID_CHECK_DIGIT);
	assert_int_equal(parse("110105194912310020"), RULES_ID_CHECK_DIGIT);
	assert_int_equal(parse("11010519900307447x"), RULES_ID_CHECK_DIGIT);
}

static void test_national_id_feb_30_is_impossible_date(void **state)
{
	(void)state;
	assert_int_equal(parse_date(2000, 2, 30), RULES_ID_BIRTH_DATE);
	assert_int_equal(parse_date(1990, 4, 31), RULES_ID_BIRTH_DATE);
	assert_int_equal(parse_date(1990, 4, 30), RULES_ID_OK);
	assert_int_equal(parse_date(1990, 12, 31), RULES_ID_OK);
}

static void test_national_id_month_13_and_day_0_are_impossible_dates(void **state)
{
	(void)state;
	assert_int_equal(parse_date(1990, 13, 1), RULES_ID_BIRTH_DATE);
	assert_int_equal(parse_date(1990, 0, 1), RULES_ID_BIRTH_DATE);
	assert_int_equal(parse_date(1990, 1, 0), RULES_ID_BIRTH_DATE);
	assert_int_equal(parse_date(1990, 1, 32), RULES_ID_BIRTH_DATE);
}

static void test_national_id_feb_29_leap_year_ok_and_non_leap_rejected(void **state)
{
	(void)state;
	assert_int_equal(parse_date(1996, 2, 29), RULES_ID_OK);
	assert_int_equal(parse_date(2000, 2, 29), RULES_ID_OK); /* divisible by 400 */
	assert_int_equal(parse_date(1997, 2, 29), RULES_ID_BIRTH_DATE);
	assert_int_equal(parse_date(1900, 2, 29), RULES_ID_BIRTH_DATE); /* by 100, not 400 */
	assert_int_equal(parse_date(1900, 2, 28), RULES_ID_OK);
}

static void test_national_id_wrong_length(void **state)
{
	(void)state;
	assert_int_equal(parse(NULL), RULES_ID_LENGTH);
	assert_int_equal(parse(""), RULES_ID_LENGTH);
	assert_int_equal(parse("11010519491231002"), RULES_ID_LENGTH);
	assert_int_equal(parse("11010519491231002X0"), RULES_ID_LENGTH);
	assert_int_equal(parse("110105194912310"), RULES_ID_LENGTH); /* old 15-digit form */
}

static void test_national_id_surrounding_spaces_are_rejected(void **state)
{
	(void)state;
	assert_int_equal(parse(" 11010519491231002X"), RULES_ID_LENGTH);
	assert_int_equal(parse("11010519491231002X "), RULES_ID_LENGTH);
	assert_int_equal(parse(" 1010519491231002X"), RULES_ID_CHARSET);
}

static void test_national_id_non_digit_is_charset_error(void **state)
{
	(void)state;
	assert_int_equal(parse("1101051949123100XX"), RULES_ID_CHARSET); /* X only last */
	assert_int_equal(parse("11010519491231002Y"), RULES_ID_CHARSET);
	assert_int_equal(parse("110105-9491231002X"), RULES_ID_CHARSET);
	assert_int_equal(parse("A1010519491231002X"), RULES_ID_CHARSET);
}

static void test_national_id_region_outside_provinces_is_rejected(void **state)
{
	char text[19];

	(void)state;
	make_national_id(text, "010101", 1990, 1, 1, 1);
	assert_int_equal(parse(text), RULES_ID_REGION);
	make_national_id(text, "910101", 1990, 1, 1, 1);
	assert_int_equal(parse(text), RULES_ID_REGION);
	make_national_id(text, "100101", 1990, 1, 1, 1);
	assert_int_equal(parse(text), RULES_ID_REGION);
	make_national_id(text, "830101", 1990, 1, 1, 1);
	assert_int_equal(parse(text), RULES_ID_REGION);
	make_national_id(text, "110000", 1990, 1, 1, 1);
	assert_int_equal(parse(text), RULES_ID_OK);
	make_national_id(text, "820000", 1990, 1, 1, 1);
	assert_int_equal(parse(text), RULES_ID_OK);
}

static void test_national_id_unknown_region_in_a_province_is_accepted(void **state)
{
	char text[19];

	(void)state;
	make_national_id(text, "119999", 1990, 1, 1, 1);
	assert_int_equal(parse(text), RULES_ID_OK);
}

static void test_national_id_future_birth_date(void **state)
{
	(void)state;
	assert_int_equal(parse_date(2026, 11, 23), RULES_ID_OK); /* born today */
	assert_int_equal(parse_date(2026, 11, 24), RULES_ID_BIRTH_DATE);
	assert_int_equal(parse_date(2027, 1, 1), RULES_ID_BIRTH_DATE);
}

static void test_national_id_birth_before_1900_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(parse_date(1899, 12, 31), RULES_ID_BIRTH_DATE);
	assert_int_equal(parse_date(1900, 1, 1), RULES_ID_OK);
}

static void test_national_id_derives_gender_and_birth_date(void **state)
{
	struct national_id id;

	(void)state;
	assert_int_equal(rules_national_id_parse("11010519491231002X", TODAY, &id), RULES_ID_OK);
	assert_int_equal(id.birth_year, 1949);
	assert_int_equal(id.birth_month, 12);
	assert_int_equal(id.birth_day, 31);
	assert_int_equal(id.gender, 'F'); /* 17th digit 2 */

	assert_int_equal(rules_national_id_parse("110101199003074477", TODAY, &id), RULES_ID_OK);
	assert_int_equal(id.birth_year, 1990);
	assert_int_equal(id.birth_month, 3);
	assert_int_equal(id.birth_day, 7);
	assert_int_equal(id.gender, 'M'); /* 17th digit 7 */
	assert_string_equal(id.normalized, "110101199003074477");
}

static void test_national_id_failure_leaves_output_unchanged(void **state)
{
	struct national_id id;

	(void)state;
	memset(&id, 0x5a, sizeof(id));
	assert_int_equal(rules_national_id_parse("110101199003071234", TODAY, &id),
	                 RULES_ID_CHECK_DIGIT);
	for (size_t i = 0; i < sizeof(id); i++)
		assert_int_equal(((const unsigned char *)&id)[i], 0x5a);
}

static void test_national_id_parse_accepts_null_output(void **state)
{
	(void)state;
	assert_int_equal(rules_national_id_parse("11010519491231002X", TODAY, NULL), RULES_ID_OK);
}

static void test_national_id_mask(void **state)
{
	char masked[19];

	(void)state;
	rules_national_id_mask("11010519491231002X", masked);
	assert_string_equal(masked, "110105********002X");
	rules_national_id_mask("110101199003074477", masked);
	assert_string_equal(masked, "110101********4477");
}

static void test_national_id_mask_of_malformed_input_is_empty(void **state)
{
	char masked[19];

	(void)state;
	rules_national_id_mask("1101051949123", masked);
	assert_string_equal(masked, "");
	rules_national_id_mask("11010519491231002X0", masked);
	assert_string_equal(masked, "");
	rules_national_id_mask(NULL, masked);
	assert_string_equal(masked, "");
}

/* Property: for random IDs with real province numbers and valid dates, the
 * computed check character parses, and each of the 10 other characters is
 * RULES_ID_CHECK_DIGIT (MOD 11-2 has exactly one right answer). */
static void test_national_id_check_char_matches_parse(void **state)
{
	static const char *const provinces[] = {
	        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
	        "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
	        "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"};
	static const char check_chars[] = "0123456789X";
	size_t province_count = sizeof(provinces) / sizeof(provinces[0]);

	(void)state;
	for (int n = 0; n < 20000; n++) {
		char region[7], text[19];
		struct national_id id;
		int year = 1900 + (int)random_below(2026 - 1900);
		int month = 1 + (int)random_below(12);
		int day, sequence = (int)random_below(1000);
		int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

		if ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)
			days[1] = 29;
		day = 1 + (int)random_below((uint32_t)days[month - 1]);
		memcpy(region, provinces[random_below((uint32_t)province_count)], 2);
		put_digits(region + 2, (int)random_below(10000), 4);
		region[6] = '\0';
		make_national_id(text, region, year, month, day, sequence);

		assert_int_equal(rules_national_id_parse(text, TODAY, &id), RULES_ID_OK);
		assert_int_equal(id.birth_year, year);
		assert_int_equal(id.birth_month, month);
		assert_int_equal(id.birth_day, day);
		assert_int_equal(id.gender, sequence % 2 == 1 ? 'M' : 'F');

		for (int c = 0; c < 11; c++) {
			char wrong[19];

			if (check_chars[c] == text[17])
				continue;
			memcpy(wrong, text, sizeof(wrong));
			wrong[17] = check_chars[c];
			assert_int_equal(parse(wrong), RULES_ID_CHECK_DIGIT);
		}
	}
}

/* Property: MOD 11-2 catches every single-digit typo and every swap of two
 * different adjacent digits in the sequence part (which no other check sees). */
static void test_national_id_sequence_typo_is_detected(void **state)
{
	(void)state;
	for (int n = 0; n < 2000; n++) {
		char text[19], typo[19];
		int sequence = (int)random_below(1000);

		make_national_id(text, "440300", 1985, 12, 1, sequence);
		for (int pos = 14; pos < 17; pos++) {
			for (char d = '0'; d <= '9'; d++) {
				if (d == text[pos])
					continue;
				memcpy(typo, text, sizeof(typo));
				typo[pos] = d;
				assert_int_equal(parse(typo), RULES_ID_CHECK_DIGIT);
			}
		}
		for (int pos = 14; pos < 16; pos++) {
			if (text[pos] == text[pos + 1])
				continue;
			memcpy(typo, text, sizeof(typo));
			typo[pos] = text[pos + 1];
			typo[pos + 1] = text[pos];
			assert_int_equal(parse(typo), RULES_ID_CHECK_DIGIT);
		}
	}
}

static void test_national_id_error_reasons_and_messages(void **state)
{
	(void)state;
	assert_string_equal(rules_id_error_reason(RULES_ID_OK), "ok");
	assert_string_equal(rules_id_error_reason(RULES_ID_LENGTH), "length");
	assert_string_equal(rules_id_error_reason(RULES_ID_CHARSET), "charset");
	assert_string_equal(rules_id_error_reason(RULES_ID_REGION), "region");
	assert_string_equal(rules_id_error_reason(RULES_ID_BIRTH_DATE), "birth_date");
	assert_string_equal(rules_id_error_reason(RULES_ID_CHECK_DIGIT), "check_digit");
	assert_string_equal(rules_id_error_message(RULES_ID_CHECK_DIGIT),
	                    "身份证号校验码错误 / the check digit is wrong");
	for (int e = RULES_ID_OK; e <= RULES_ID_CHECK_DIGIT; e++)
		assert_non_null(strstr(rules_id_error_message((enum rules_id_error)e), " / "));
	assert_string_equal(rules_id_error_reason((enum rules_id_error)99), "unknown");
	assert_non_null(rules_id_error_message((enum rules_id_error)99));
}

/* Codes printed by their holders, collected in python-stdnum's test suite and
 * each checked there with an independent implementation. */
static void test_credit_code_published_codes_are_valid(void **state)
{
	static const char *const codes[] = {
	        "91110000600037341L", "91440300568520498A", "9144030071526726XG",
	        "91310115MA1K3BTP2B", "121200004013590816", "92340621MA2UK3PJXE",
	        "91620105L015101280",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_int_equal(rules_credit_code_check(codes[i]), RULES_CREDIT_OK);
}

/* GB 32100-2015's own worked example: 91350100M000100Y4 has check value 3, so
 * the printed example 91350100M000100Y4Z is declared invalid. Z is not in the
 * alphabet at all, so it is a charset error before the check is reached. */
static void test_credit_code_standard_worked_example(void **state)
{
	(void)state;
	assert_int_equal(rules_credit_code_check_char("91350100M000100Y4"), '3');
	assert_int_equal(rules_credit_code_check("91350100M000100Y4Z"), RULES_CREDIT_CHARSET);
	assert_int_equal(rules_credit_code_check("91350100M000100Y4Y"), RULES_CREDIT_CHECK_CHAR);
	assert_int_equal(rules_credit_code_check("91350100M000100Y43"), RULES_CREDIT_OK);
}

static void test_credit_code_wrong_check_char_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(rules_credit_code_check("91110000600037341N"), RULES_CREDIT_CHECK_CHAR);
	assert_int_equal(rules_credit_code_check("91110000600037314L"), RULES_CREDIT_CHECK_CHAR);
}

/* Property: every one of the 30 other alphabet characters in place 18 fails. */
static void test_credit_code_only_one_check_char_is_valid(void **state)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const char *const codes[] = {"91110000600037341L", "91310115MA1K3BTP2B",
	                                    "121200004013590816"};

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		for (size_t c = 0; c < sizeof(alphabet) - 1; c++) {
			char code[19];

			memcpy(code, codes[i], sizeof(code));
			code[17] = alphabet[c];
			assert_int_equal(rules_credit_code_check(code),
			                 alphabet[c] == codes[i][17] ? RULES_CREDIT_OK
			                                             : RULES_CREDIT_CHECK_CHAR);
		}
	}
}

static void test_credit_code_lower_case_is_charset_error(void **state)
{
	(void)state;
	assert_int_equal(rules_credit_code_check("91110000600037341l"), RULES_CREDIT_CHARSET);
	assert_int_equal(rules_credit_code_check("91310115ma1k3btp2b"), RULES_CREDIT_CHARSET);
}

static void test_credit_code_excluded_letters_are_charset_error(void **state)
{
	(void)state;
	assert_int_equal(rules_credit_code_check("9111000060003IOZSV"), RULES_CREDIT_CHARSET);
	assert_int_equal(rules_credit_code_check("91110000I00037341L"), RULES_CREDIT_CHARSET);
	assert_int_equal(rules_credit_code_check("91110000600037341-"), RULES_CREDIT_CHARSET);
	assert_int_equal(rules_credit_code_check("91110000 00037341L"), RULES_CREDIT_CHARSET);
}

static void test_credit_code_letter_in_region_is_charset_error(void **state)
{
	char code[19];

	(void)state;
	/* Right check character, so only the region rule can reject it. */
	memcpy(code, "911A0000600037341", 17);
	code[17] = rules_credit_code_check_char(code);
	code[18] = '\0';
	assert_int_not_equal(code[17], 0);
	assert_int_equal(rules_credit_code_check(code), RULES_CREDIT_CHARSET);
}

static void test_credit_code_letters_outside_region_are_accepted(void **state)
{
	char code[19];

	(void)state;
	/* Registration authority and organisation type may be letters (e.g. Y). */
	memcpy(code, "Y1110000MA0000001", 17);
	code[17] = rules_credit_code_check_char(code);
	code[18] = '\0';
	assert_int_equal(rules_credit_code_check(code), RULES_CREDIT_OK);
}

static void test_credit_code_wrong_length(void **state)
{
	(void)state;
	assert_int_equal(rules_credit_code_check(NULL), RULES_CREDIT_LENGTH);
	assert_int_equal(rules_credit_code_check(""), RULES_CREDIT_LENGTH);
	assert_int_equal(rules_credit_code_check("12345"), RULES_CREDIT_LENGTH);
	assert_int_equal(rules_credit_code_check("91110000600037341"), RULES_CREDIT_LENGTH);
	assert_int_equal(rules_credit_code_check("91110000600037341L0"), RULES_CREDIT_LENGTH);
	assert_int_equal(rules_credit_code_check(" 91110000600037341L"), RULES_CREDIT_LENGTH);
}

static void test_credit_code_check_char_rejects_outside_alphabet(void **state)
{
	(void)state;
	assert_int_equal(rules_credit_code_check_char("91110000600037341"), 'L');
	assert_int_equal(rules_credit_code_check_char("9111000060003734I"), 0);
	assert_int_equal(rules_credit_code_check_char("9111000060003734a"), 0);
	assert_int_equal(rules_credit_code_check_char("9111000060003734"), 0);
	assert_int_equal(rules_credit_code_check_char(""), 0);
	assert_int_equal(rules_credit_code_check_char(NULL), 0);
}

static void test_credit_error_reasons_and_messages(void **state)
{
	(void)state;
	assert_string_equal(rules_credit_error_reason(RULES_CREDIT_OK), "ok");
	assert_string_equal(rules_credit_error_reason(RULES_CREDIT_LENGTH), "length");
	assert_string_equal(rules_credit_error_reason(RULES_CREDIT_CHARSET), "charset");
	assert_string_equal(rules_credit_error_reason(RULES_CREDIT_CHECK_CHAR), "check_char");
	for (int e = RULES_CREDIT_OK; e <= RULES_CREDIT_CHECK_CHAR; e++)
		assert_non_null(
		        strstr(rules_credit_error_message((enum rules_credit_error)e), " / "));
	assert_string_equal(rules_credit_error_reason((enum rules_credit_error)99), "unknown");
}

static void test_region_code_six_digits_starting_1_to_8_is_valid(void **state)
{
	(void)state;
	assert_int_equal(rules_region_code_valid("110101"), 1);
	assert_int_equal(rules_region_code_valid("440300"), 1);
	assert_int_equal(rules_region_code_valid("820000"), 1);
	assert_int_equal(rules_region_code_valid("899999"), 1); /* unknown, not rejected */
}

static void test_region_code_malformed_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(rules_region_code_valid(NULL), 0);
	assert_int_equal(rules_region_code_valid(""), 0);
	assert_int_equal(rules_region_code_valid("11010"), 0);
	assert_int_equal(rules_region_code_valid("1101011"), 0);
	assert_int_equal(rules_region_code_valid("010101"), 0);
	assert_int_equal(rules_region_code_valid("910101"), 0);
	assert_int_equal(rules_region_code_valid("11010A"), 0);
	assert_int_equal(rules_region_code_valid(" 11010"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_national_id_published_example_is_valid),
	        cmocka_unit_test(test_national_id_with_x_check_digit_is_valid),
	        cmocka_unit_test(test_national_id_with_digit_check_digit_is_valid),
	        cmocka_unit_test(test_national_id_check_char_matches_known_vectors),
	        cmocka_unit_test(test_national_id_check_char_rejects_non_digits),
	        cmocka_unit_test(test_national_id_lower_case_x_is_normalized),
	        cmocka_unit_test(test_national_id_wrong_check_digit_is_rejected),
	        cmocka_unit_test(test_national_id_feb_30_is_impossible_date),
	        cmocka_unit_test(test_national_id_month_13_and_day_0_are_impossible_dates),
	        cmocka_unit_test(test_national_id_feb_29_leap_year_ok_and_non_leap_rejected),
	        cmocka_unit_test(test_national_id_wrong_length),
	        cmocka_unit_test(test_national_id_surrounding_spaces_are_rejected),
	        cmocka_unit_test(test_national_id_non_digit_is_charset_error),
	        cmocka_unit_test(test_national_id_region_outside_provinces_is_rejected),
	        cmocka_unit_test(test_national_id_unknown_region_in_a_province_is_accepted),
	        cmocka_unit_test(test_national_id_future_birth_date),
	        cmocka_unit_test(test_national_id_birth_before_1900_is_rejected),
	        cmocka_unit_test(test_national_id_derives_gender_and_birth_date),
	        cmocka_unit_test(test_national_id_failure_leaves_output_unchanged),
	        cmocka_unit_test(test_national_id_parse_accepts_null_output),
	        cmocka_unit_test(test_national_id_mask),
	        cmocka_unit_test(test_national_id_mask_of_malformed_input_is_empty),
	        cmocka_unit_test(test_national_id_check_char_matches_parse),
	        cmocka_unit_test(test_national_id_sequence_typo_is_detected),
	        cmocka_unit_test(test_national_id_error_reasons_and_messages),
	        cmocka_unit_test(test_credit_code_published_codes_are_valid),
	        cmocka_unit_test(test_credit_code_standard_worked_example),
	        cmocka_unit_test(test_credit_code_wrong_check_char_is_rejected),
	        cmocka_unit_test(test_credit_code_only_one_check_char_is_valid),
	        cmocka_unit_test(test_credit_code_lower_case_is_charset_error),
	        cmocka_unit_test(test_credit_code_excluded_letters_are_charset_error),
	        cmocka_unit_test(test_credit_code_letter_in_region_is_charset_error),
	        cmocka_unit_test(test_credit_code_letters_outside_region_are_accepted),
	        cmocka_unit_test(test_credit_code_wrong_length),
	        cmocka_unit_test(test_credit_code_check_char_rejects_outside_alphabet),
	        cmocka_unit_test(test_credit_error_reasons_and_messages),
	        cmocka_unit_test(test_region_code_six_digits_starting_1_to_8_is_valid),
	        cmocka_unit_test(test_region_code_malformed_is_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
