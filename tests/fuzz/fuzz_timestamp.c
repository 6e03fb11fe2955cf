/* fuzz_timestamp.c — fuzz harness for timestamp_parse: a refused text leaves the result
 * alone; an accepted one starts with a real YYYY-MM-DDTHH:MM:SS, and without fraction and
 * with Z it prints back to the same text. */
#include "fuzz.h"

#include "timestamp.h"

#include <string.h>
#include <time.h>

const struct fuzz_input fuzz_seeds[] = {
        FUZZ_TEXT("2025-03-01T09:00:00+08:00"),   FUZZ_TEXT("2024-12-31T23:00:00Z"),
        FUZZ_TEXT("2024-02-29T00:00:00.5-04:30"), FUZZ_TEXT("2025-02-29T00:00:00Z"),
        FUZZ_TEXT("9999-12-31T23:59:59Z"),        FUZZ_TEXT("0000-01-01T00:00:00+23:59"),
        FUZZ_TEXT("2025-03-01T09:00:00"),         FUZZ_TEXT(""),
};
const size_t fuzz_seed_count = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

const struct fuzz_input fuzz_tokens[] = {
        FUZZ_TEXT("T"), FUZZ_TEXT("Z"),  FUZZ_TEXT("+08:00"), FUZZ_TEXT("-"),  FUZZ_TEXT(":"),
        FUZZ_TEXT("."), FUZZ_TEXT("29"), FUZZ_TEXT("59"),     FUZZ_TEXT("60"), FUZZ_TEXT("\0"),
};
const size_t fuzz_token_count = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64], printed[32];
	int64_t unix_seconds = INT64_MIN;
	struct tm tm;
	time_t t;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';

	if (timestamp_parse(text, &unix_seconds) != 0) {
		FUZZ_REQUIRE(unix_seconds == INT64_MIN);
		return 0;
	}
	FUZZ_REQUIRE(strlen(text) >= 20);
	/* Years 0000..9999 with offsets of at most a day either side. */
	FUZZ_REQUIRE(unix_seconds >= INT64_C(-62167219200) - 86400);
	FUZZ_REQUIRE(unix_seconds <= INT64_C(253402300799) + 86400);
	if (strlen(text) == 20 && text[19] == 'Z' && text[10] == 'T' && text[0] != '0') {
		t = (time_t)unix_seconds;
		FUZZ_REQUIRE(gmtime_r(&t, &tm) != NULL);
		FUZZ_REQUIRE(strftime(printed, sizeof(printed), "%Y-%m-%dT%H:%M:%SZ", &tm) == 20);
		FUZZ_REQUIRE(strcmp(printed, text) == 0);
	}
	return 0;
}
