/* fuzz_date.c — fuzz harness for rules_date_parse: an accepted date is exactly
 * YYYY-MM-DD, a real day of 1900-2999, and prints back to the same text. */
#include "fuzz.h"

#include "rules.h"

#include <string.h>

const struct fuzz_input fuzz_seeds[] = {
        FUZZ_TEXT("2026-11-23"), FUZZ_TEXT("2024-02-29"), FUZZ_TEXT("2000-02-29"),
        FUZZ_TEXT("1900-02-29"), FUZZ_TEXT("2026-02-30"), FUZZ_TEXT("2026-13-01"),
        FUZZ_TEXT("2026-1-1"),   FUZZ_TEXT("1899-12-31"), FUZZ_TEXT("2999-12-31"),
        FUZZ_TEXT("3000-01-01"), FUZZ_TEXT("2026-04-31"), FUZZ_TEXT(""),
};
const size_t fuzz_seed_count = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

const struct fuzz_input fuzz_tokens[] = {
        FUZZ_TEXT("-"),  FUZZ_TEXT("00"), FUZZ_TEXT("02"), FUZZ_TEXT("29"), FUZZ_TEXT("31"),
        FUZZ_TEXT("12"), FUZZ_TEXT("19"), FUZZ_TEXT("+"),  FUZZ_TEXT(" "),  FUZZ_TEXT("\0"),
};
const size_t fuzz_token_count = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char text[64], printed[16];
	struct rules_date date = {-1, -1, -1};
	int leap, last;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';

	if (rules_date_parse(text, &date) != 0) {
		/* Refused: *out is left alone. */
		FUZZ_REQUIRE(date.year == -1 && date.month == -1 && date.day == -1);
		return 0;
	}
	FUZZ_REQUIRE(date.year >= 1900 && date.year <= 2999);
	FUZZ_REQUIRE(date.month >= 1 && date.month <= 12);
	leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0;
	last = date.month == 2 && leap ? 29 : days[date.month - 1];
	FUZZ_REQUIRE(date.day >= 1 && date.day <= last);
	FUZZ_REQUIRE(snprintf(printed, sizeof(printed), "%04d-%02d-%02d", date.year, date.month,
	                      date.day) == 10);
	FUZZ_REQUIRE(strcmp(printed, text) == 0);
	FUZZ_REQUIRE(rules_date_yyyymmdd(&date) == date.year * 10000 + date.month * 100 + date.day);
	return 0;
}
