/* fuzz_hours.c — fuzz harness for hours_parse: accepted text is digits with at
 * most two decimals, 0 < hours <= 24, a whole number of hundredths (360 units),
 * and prints back as the same value; refused text leaves *units alone and has
 * a reason and a message. hours_parse_amount agrees with it where they overlap. */
#include "fuzz.h"

#include "rules_hours.h"

#include <string.h>

const struct fuzz_input fuzz_seeds[] = {
        FUZZ_TEXT("4"),     FUZZ_TEXT("4.5"),
        FUZZ_TEXT("4.25"),  FUZZ_TEXT("04.50"),
        FUZZ_TEXT("24"),    FUZZ_TEXT("24.01"),
        FUZZ_TEXT("0"),     FUZZ_TEXT("0.01"),
        FUZZ_TEXT("4.255"), FUZZ_TEXT("-1"),
        FUZZ_TEXT(".5"),    FUZZ_TEXT("4."),
        FUZZ_TEXT("1e3"),   FUZZ_TEXT(""),
        FUZZ_TEXT(" 4"),    FUZZ_TEXT("99999999999999999999"),
};
const size_t fuzz_seed_count = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

const struct fuzz_input fuzz_tokens[] = {
        FUZZ_TEXT("."), FUZZ_TEXT("-"), FUZZ_TEXT("0"), FUZZ_TEXT("9"),  FUZZ_TEXT("24"),
        FUZZ_TEXT("e"), FUZZ_TEXT("+"), FUZZ_TEXT(" "), FUZZ_TEXT("\0"), FUZZ_TEXT("00"),
};
const size_t fuzz_token_count = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64], printed[HOURS_TEXT_SIZE];
	int64_t units = -7;
	enum hours_text_error error;
	size_t i;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';

	/* An amount is the same text with a wider range: whatever a session's hours
	 * accept, it accepts with the same units; it never exceeds 1000 h. */
	{
		int64_t amount = -7;
		enum hours_text_error amount_error = hours_parse_amount(text, &amount);

		FUZZ_REQUIRE(amount_error != HOURS_TEXT_OK ||
		             (amount >= 0 && amount <= HOURS_AMOUNT_UNITS_MAX &&
		              amount % HOURS_UNITS_PER_HUNDREDTH == 0));
		if (hours_parse(text, &units) == HOURS_TEXT_OK)
			FUZZ_REQUIRE(amount_error == HOURS_TEXT_OK && amount == units);
		units = -7;
	}
	error = hours_parse(text, &units);
	if (error != HOURS_TEXT_OK) {
		FUZZ_REQUIRE(units == -7);
		FUZZ_REQUIRE(hours_text_error_reason(error)[0] != '\0');
		FUZZ_REQUIRE(strstr(hours_text_error_message(error), " / ") != NULL);
		return 0;
	}
	FUZZ_REQUIRE(units > 0 && units <= 24 * HOURS_UNITS_PER_HOUR);
	FUZZ_REQUIRE(units % (HOURS_UNITS_PER_HOUR / 100) == 0);
	for (i = 0; text[i] != '\0'; i++)
		FUZZ_REQUIRE((text[i] >= '0' && text[i] <= '9') || text[i] == '.');
	/* Exact hundredths print back as the same number, and parse to the same units. */
	hours_format(units, printed);
	{
		int64_t again = -1;

		FUZZ_REQUIRE(hours_parse(printed, &again) == HOURS_TEXT_OK && again == units);
	}
	return 0;
}
