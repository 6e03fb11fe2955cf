/* fuzz.h — what a fuzz harness provides: libFuzzer's entry point, a seed
 * corpus and a dictionary of tokens. driver.c runs a harness without libFuzzer
 * (a deterministic smoke under ctest); with clang, -fsanitize=fuzzer runs it
 * for real and the seeds and tokens are simply unused. */
#ifndef TCARD_FUZZ_H
#define TCARD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fuzz_input {
	const char *data;
	size_t size;
};

/* A seed or token from a string literal; embedded NUL bytes are kept. */
#define FUZZ_TEXT(literal)                   \
	{                                    \
		literal, sizeof(literal) - 1 \
	}

/* Each harness defines these. */
extern const struct fuzz_input fuzz_seeds[];
extern const size_t fuzz_seed_count;
extern const struct fuzz_input fuzz_tokens[];
extern const size_t fuzz_token_count;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the code under test must keep, whatever the input: a broken one
 * is a crash, so both libFuzzer and the driver report the input. */
#define FUZZ_REQUIRE(condition)                                                                   \
	do {                                                                                      \
		if (!(condition)) {                                                               \
			(void)fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
			              #condition);                                                \
			abort();                                                                  \
		}                                                                                 \
	} while (0)

#endif
