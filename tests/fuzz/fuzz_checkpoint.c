/* fuzz_checkpoint.c — fuzz harness for checkpoint_parse, which reads the audit
 * checkpoint file (outside the database, so anyone with the disk may edit it):
 * an accepted line is exactly what checkpoint_format writes for what was read,
 * and its signed text is the line before the signature. */
#include "fuzz.h"

#include "checkpoint.h"

#include <string.h>

const struct fuzz_input fuzz_seeds[] = {
        FUZZ_TEXT("v1 42 abababababababababababababababababababababababababababababababab "
                  "2025-11-23T10:00:00Z "
                  "0101010101010101010101010101010101010101010101010101010101010101"
                  "0101010101010101010101010101010101010101010101010101010101010101\n"),
        FUZZ_TEXT("v1 0 0000000000000000000000000000000000000000000000000000000000000000 "
                  "1970-01-01T00:00:00Z "
                  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
                  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
        FUZZ_TEXT("v1 999999999999999999 "
                  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef "
                  "9999-12-31T23:59:59Z "
                  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"),
        FUZZ_TEXT("v1 7 00 2024-02-29T12:00:00Z 00\n"),
        FUZZ_TEXT(""),
};
const size_t fuzz_seed_count = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

const struct fuzz_input fuzz_tokens[] = {
        FUZZ_TEXT("v1 "), FUZZ_TEXT(" "),     FUZZ_TEXT("\n"), FUZZ_TEXT("\r\n"), FUZZ_TEXT("T"),
        FUZZ_TEXT("Z"),   FUZZ_TEXT("-"),     FUZZ_TEXT(":"),  FUZZ_TEXT("0"),    FUZZ_TEXT("f"),
        FUZZ_TEXT("F"),   FUZZ_TEXT("02-29"), FUZZ_TEXT("\0"),
};
const size_t fuzz_token_count = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkpoint cp;
	char again[CHECKPOINT_LINE_MAX + 1], message[CHECKPOINT_LINE_MAX + 1];
	size_t body = size;
	int message_len, len;

	message_len = checkpoint_parse((const char *)data, size, &cp);
	if (message_len < 0)
		return 0;
	if (body > 0 && data[body - 1] == '\n')
		body--;
	FUZZ_REQUIRE(cp.seq >= 0 && cp.seq <= CHECKPOINT_SEQ_MAX);
	len = checkpoint_format(&cp, again, sizeof(again));
	FUZZ_REQUIRE(len > 0 && (size_t)len == body + 1);
	FUZZ_REQUIRE(memcmp(again, data, body) == 0 && again[body] == '\n');
	FUZZ_REQUIRE(checkpoint_message(&cp, message, sizeof(message)) == message_len);
	FUZZ_REQUIRE(memcmp(message, data, (size_t)message_len) == 0);
	FUZZ_REQUIRE(data[message_len] == ' ');
	return 0;
}
