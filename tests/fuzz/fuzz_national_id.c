/* fuzz_national_id.c — fuzz harness for rules_national_id_parse (and the mask
 * and check character it relies on): an accepted ID is always 18 characters
 * with a correct check character, a real birth date and a stable normal form;
 * a refused one leaves *out untouched. */
#include "fuzz.h"

#include "rules.h"

#include <string.h>

#define FUZZ_TODAY 20261123

const struct fuzz_input fuzz_seeds[] = {
        FUZZ_TEXT("11010519491231002X"),
        FUZZ_TEXT("11010519491231002x"),
        FUZZ_TEXT("110101199003074477"),
        FUZZ_TEXT("440113201410050010"),
        FUZZ_TEXT("110101200002290018"),
        FUZZ_TEXT("110101190001010007"),
        FUZZ_TEXT("110101199003071234"),
        FUZZ_TEXT("910101199003074477"),
        FUZZ_TEXT("1101011990030744"),
        FUZZ_TEXT(" 110101199003074477"),
        FUZZ_TEXT("110101199002300015"),
        FUZZ_TEXT("110101202701010011"),
        FUZZ_TEXT(""),
};
const size_t fuzz_seed_count = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

const struct fuzz_input fuzz_tokens[] = {
        FUZZ_TEXT("X"),      FUZZ_TEXT("x"),      FUZZ_TEXT("0229"), FUZZ_TEXT("0230"),
        FUZZ_TEXT("1231"),   FUZZ_TEXT("1300"),   FUZZ_TEXT("1900"), FUZZ_TEXT("2026"),
        FUZZ_TEXT("110101"), FUZZ_TEXT("820000"), FUZZ_TEXT("\0"),   FUZZ_TEXT("１"),
};
const size_t fuzz_token_count = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);

static int fuzz_days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64], masked[19];
	struct national_id id, again, untouched;
	enum rules_id_error result;
	int birth;

	/* The parser takes a C string: cut at the first NUL, bound the length. */
	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';

	memset(&id, 0x5A, sizeof(id));
	memset(&untouched, 0x5A, sizeof(untouched));
	result = rules_national_id_parse(text, FUZZ_TODAY, &id);
	FUZZ_REQUIRE(result >= RULES_ID_OK && result <= RULES_ID_CHECK_DIGIT);
	FUZZ_REQUIRE(rules_id_error_reason(result) != NULL);
	FUZZ_REQUIRE(rules_id_error_message(result) != NULL);
	/* NULL out is allowed and gives the same verdict. */
	FUZZ_REQUIRE(rules_national_id_parse(text, FUZZ_TODAY, NULL) == result);
	if (result != RULES_ID_OK) {
		FUZZ_REQUIRE(memcmp(&id, &untouched, sizeof(id)) == 0);
		return 0;
	}
	FUZZ_REQUIRE(strlen(text) == 18);
	FUZZ_REQUIRE(strlen(id.normalized) == 18);
	FUZZ_REQUIRE(memcmp(id.normalized, text, 17) == 0);
	FUZZ_REQUIRE(id.normalized[17] == (text[17] == 'x' ? 'X' : text[17]));
	FUZZ_REQUIRE(rules_national_id_check_char(id.normalized) == id.normalized[17]);
	FUZZ_REQUIRE(id.birth_month >= 1 && id.birth_month <= 12);
	FUZZ_REQUIRE(id.birth_day >= 1 &&
	             id.birth_day <= fuzz_days_in_month(id.birth_year, id.birth_month));
	birth = id.birth_year * 10000 + id.birth_month * 100 + id.birth_day;
	FUZZ_REQUIRE(birth >= 19000101 && birth <= FUZZ_TODAY);
	FUZZ_REQUIRE(id.gender == ((text[16] - '0') % 2 == 1 ? 'M' : 'F'));
	/* The normal form is a fixed point. */
	FUZZ_REQUIRE(rules_national_id_parse(id.normalized, FUZZ_TODAY, &again) == RULES_ID_OK);
	FUZZ_REQUIRE(strcmp(again.normalized, id.normalized) == 0);
	/* The mask keeps 6 + 4 characters and hides the birth date. */
	rules_national_id_mask(id.normalized, masked);
	FUZZ_REQUIRE(strlen(masked) == 18);
	FUZZ_REQUIRE(memcmp(masked, id.normalized, 6) == 0);
	FUZZ_REQUIRE(strspn(masked + 6, "*") == 8);
	FUZZ_REQUIRE(memcmp(masked + 14, id.normalized + 14, 4) == 0);
	return 0;
}
