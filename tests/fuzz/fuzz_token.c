/* fuzz_token.c — fuzz harness for sign_token_verify, the parser of the one
 * input anyone on the internet sends (a scanned QR code): it never crashes,
 * refuses what does not verify without filling the claim, and what it accepts
 * is exactly what issuing the claim again gives (Ed25519 is deterministic, the
 * encoding strict). Keys: a throwaway key directory made on the first input;
 * the mutations start from tokens of that key, so that a share of them reach
 * the signature check. */
#include "fuzz.h"

#include "err.h"
#include "sign.h"

#include <string.h>

const struct fuzz_input fuzz_seeds[] = {
        FUZZ_TEXT("AQ3fZ2kAAAAAAAAAKmZHi6AQ57KkNjIwMjIwMDAxMjPLmJaO_q-Xw1RzVb9r0eTtY2xFzKkZ3p"),
        FUZZ_TEXT(
                "AQAAAAAAAAAAAAAAAAAAAAAE0000AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        FUZZ_TEXT(""),
        FUZZ_TEXT("=="),
};
const size_t fuzz_seed_count = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

const struct fuzz_input fuzz_tokens[] = {
        FUZZ_TEXT("A"), FUZZ_TEXT("Q"), FUZZ_TEXT("-"), FUZZ_TEXT("_"),
        FUZZ_TEXT("="), FUZZ_TEXT("+"), FUZZ_TEXT("/"), FUZZ_TEXT("AQ"),
};
const size_t fuzz_token_count = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);

static char fuzz_token_dir[] = "/tmp/tcard-fuzz-token-XXXXXX";

/* Forgets the keys and removes their directory at exit. */
static void fuzz_token_cleanup(void)
{
	char command[64];

	sign_stop();
	(void)snprintf(command, sizeof(command), "rm -rf '%s'", fuzz_token_dir);
	(void)system(command);
}

/* A key directory of its own, once. */
static void fuzz_token_keys(void)
{
	static int ready;
	struct err err;

	if (ready)
		return;
	FUZZ_REQUIRE(mkdtemp(fuzz_token_dir) != NULL);
	FUZZ_REQUIRE(atexit(fuzz_token_cleanup) == 0);
	FUZZ_REQUIRE(sign_start(fuzz_token_dir, &err) == 0);
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[SIGN_TOKEN_MAX + 64], again[SIGN_TOKEN_MAX];
	struct sign_claim claim, issued;
	enum sign_verdict verdict;

	fuzz_token_keys();
	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';

	memset(&claim, 0x5a, sizeof(claim));
	verdict = sign_token_verify(text, &claim, NULL);
	FUZZ_REQUIRE(verdict == SIGN_VALID || verdict == SIGN_MALFORMED ||
	             verdict == SIGN_UNKNOWN_KEY || verdict == SIGN_BAD_SIGNATURE);
	if (verdict != SIGN_VALID)
		return 0;
	/* Accepted: the claim is the one signed, and signing it again gives the same text. */
	FUZZ_REQUIRE(sign_token_issue(&claim, again, sizeof(again)) == 0);
	FUZZ_REQUIRE(strcmp(again, text) == 0);
	issued = claim;
	FUZZ_REQUIRE(sign_token_verify(again, &claim, NULL) == SIGN_VALID);
	FUZZ_REQUIRE(memcmp(&issued, &claim, sizeof(claim)) == 0);
	return 0;
}
