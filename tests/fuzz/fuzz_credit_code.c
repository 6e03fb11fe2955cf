/* fuzz_credit_code.c — fuzz harness for rules_credit_code_check and
 * rules_region_code_valid: an accepted code is 18 characters of the GB 32100
 * alphabet with a digit region and the MOD 31 check character. */
#include "fuzz.h"

#include "rules.h"

#include <string.h>

static const char fuzz_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

const struct fuzz_input fuzz_seeds[] = {
        FUZZ_TEXT("91350100M000100Y43"),
        FUZZ_TEXT("91110000600037341L"),
        FUZZ_TEXT("12100000400000770H"),
        FUZZ_TEXT("91350100M000100Y44"),
        FUZZ_TEXT("91350100m000100Y43"),
        FUZZ_TEXT("9135010OM000100Y43"),
        FUZZ_TEXT("91350100M000100Y4"),
        FUZZ_TEXT("110101"),
        FUZZ_TEXT("910101"),
        FUZZ_TEXT(""),
};
const size_t fuzz_seed_count = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

const struct fuzz_input fuzz_tokens[] = {
        FUZZ_TEXT("I"), FUZZ_TEXT("O"), FUZZ_TEXT("S"),      FUZZ_TEXT("V"),
        FUZZ_TEXT("Z"), FUZZ_TEXT("Y"), FUZZ_TEXT("350100"), FUZZ_TEXT("\0"),
};
const size_t fuzz_token_count = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64];
	enum rules_credit_error result;
	char check;
	size_t i;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';

	result = rules_credit_code_check(text);
	FUZZ_REQUIRE(result >= RULES_CREDIT_OK && result <= RULES_CREDIT_CHECK_CHAR);
	FUZZ_REQUIRE(rules_credit_error_reason(result) != NULL);
	FUZZ_REQUIRE(rules_credit_error_message(result) != NULL);
	/* The check character is computable for any string and always in the alphabet. */
	check = rules_credit_code_check_char(text);
	FUZZ_REQUIRE(check == 0 || strchr(fuzz_alphabet, check) != NULL);
	if (result == RULES_CREDIT_OK) {
		FUZZ_REQUIRE(strlen(text) == 18);
		for (i = 0; i < 18; i++)
			FUZZ_REQUIRE(text[i] != '\0' && strchr(fuzz_alphabet, text[i]) != NULL);
		for (i = 2; i < 8; i++)
			FUZZ_REQUIRE(text[i] >= '0' && text[i] <= '9');
		FUZZ_REQUIRE(check == text[17]);
	} else if (result == RULES_CREDIT_CHECK_CHAR) {
		FUZZ_REQUIRE(check != 0 && check != text[17]);
	}
	if (rules_region_code_valid(text)) {
		FUZZ_REQUIRE(strlen(text) == 6);
		FUZZ_REQUIRE(strspn(text, "0123456789") == 6);
		FUZZ_REQUIRE(text[0] >= '1' && text[0] <= '8');
	}
	return 0;
}
