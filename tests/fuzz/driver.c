/* driver.c — runs a libFuzzer-style harness without libFuzzer, so that every
 * harness is exercised by ctest with any compiler: the harness's seeds, then
 * -runs=N inputs mutated from them by a fixed-seed generator (the same inputs
 * on every run, so a failure reproduces). Files named on the command line are
 * run as inputs instead (a crash reproducer, a corpus from a real fuzzer).
 *
 * Usage: fuzz_<name> [-runs=N] [-seed=S] [FILE]... */
#include "fuzz.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define DRIVER_MAX_INPUT   4096
#define DRIVER_DEFAULT_RUN 20000

/* The input being run, for the crash report. */
static const uint8_t *driver_input;
static size_t driver_input_size;
static long driver_runs;

#define DRIVER_WRITE_LITERAL(text) ((void)!write(STDERR_FILENO, text, sizeof(text) - 1))

/* Sanitizers call this before they exit, even without abort_on_error; weak, so
 * the driver links without them too. (GCC's UBSan runtime next to ASan's keeps
 * its own callback: tests/fuzz/CMakeLists.txt makes UBSan abort instead.) */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* Async-signal-safe: writes the input that crashed as C string escapes, so it
 * can be pasted into a seed or a unit test. */
static void driver_print_input(void)
{
	static const char hex[] = "0123456789abcdef";
	char escape[4];
	size_t i;
	uint8_t c;

	static volatile sig_atomic_t printed;

	if (printed)
		return; /* a sanitizer's death callback, then its abort() */
	printed = 1;
	DRIVER_WRITE_LITERAL("\nfuzz driver: failed on input \"");
	for (i = 0; i < driver_input_size; i++) {
		c = driver_input[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			(void)!write(STDERR_FILENO, &c, 1);
			continue;
		}
		escape[0] = '\\';
		escape[1] = 'x';
		escape[2] = hex[c >> 4];
		escape[3] = hex[c & 15];
		(void)!write(STDERR_FILENO, escape, 4);
		/* A hex escape swallows the hex digits after it: end the literal. */
		c = i + 1 < driver_input_size ? driver_input[i + 1] : 0;
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
			DRIVER_WRITE_LITERAL("\" \"");
	}
	DRIVER_WRITE_LITERAL("\"\n");
}

static void driver_report_signal(int signal_number)
{
	driver_print_input();
	(void)signal(signal_number, SIG_DFL);
	(void)raise(signal_number);
}

static void driver_run_one(const uint8_t *data, size_t size)
{
	driver_input = data;
	driver_input_size = size;
	(void)LLVMFuzzerTestOneInput(data, size);
	driver_runs++;
}

/* xorshift64*: small, fast and the same everywhere. */
static uint64_t driver_state;

static uint64_t driver_next(void)
{
	driver_state ^= driver_state >> 12;
	driver_state ^= driver_state << 25;
	driver_state ^= driver_state >> 27;
	return driver_state * 2685821657736338717ULL;
}

static size_t driver_below(size_t bound)
{
	return bound == 0 ? 0 : (size_t)(driver_next() % bound);
}

/* Bytes that tend to matter to parsers of text. */
static const uint8_t driver_interesting[] = {
        0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1f, 0x20, '"',  '\\', '/',  '{',  '}',
        '[',  ']',  ':',  ',',  '-',  '0',  '9',  'X',  'x',  'e',  0x7f, 0x80,
        0xbf, 0xc0, 0xc3, 0xe4, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
};

/* Applies one random mutation to buf (length *len, capacity DRIVER_MAX_INPUT). */
static void driver_mutate(uint8_t *buf, size_t *len)
{
	const struct fuzz_input *token;
	size_t at, n, room;

	switch (driver_below(8)) {
	case 0: /* flip a bit */
		if (*len > 0)
			buf[driver_below(*len)] ^= (uint8_t)(1u << driver_below(8));
		break;
	case 1: /* overwrite a byte with an interesting one */
		if (*len > 0)
			buf[driver_below(*len)] =
			        driver_interesting[driver_below(sizeof(driver_interesting))];
		break;
	case 2: /* insert a random byte */
		if (*len < DRIVER_MAX_INPUT) {
			at = driver_below(*len + 1);
			memmove(buf + at + 1, buf + at, *len - at);
			buf[at] = (uint8_t)driver_next();
			(*len)++;
		}
		break;
	case 3: /* delete a range */
		if (*len > 0) {
			at = driver_below(*len);
			n = 1 + driver_below(*len - at < 8 ? *len - at : 8);
			memmove(buf + at, buf + at + n, *len - at - n);
			*len -= n;
		}
		break;
	case 4: /* duplicate a range in place */
		if (*len > 0) {
			at = driver_below(*len);
			n = 1 + driver_below(*len - at < 16 ? *len - at : 16);
			if (*len + n <= DRIVER_MAX_INPUT) {
				memmove(buf + at + n, buf + at, *len - at);
				*len += n;
			}
		}
		break;
	case 5: /* insert a token */
	case 6:
		if (fuzz_token_count == 0)
			break;
		token = &fuzz_tokens[driver_below(fuzz_token_count)];
		if (*len + token->size <= DRIVER_MAX_INPUT) {
			at = driver_below(*len + 1);
			memmove(buf + at + token->size, buf + at, *len - at);
			memcpy(buf + at, token->data, token->size);
			*len += token->size;
		}
		break;
	default: /* splice: keep a prefix, append the tail of another seed */
		token = &fuzz_seeds[driver_below(fuzz_seed_count)];
		*len = driver_below(*len + 1);
		at = driver_below(token->size + 1);
		room = DRIVER_MAX_INPUT - *len;
		n = token->size - at < room ? token->size - at : room;
		memcpy(buf + *len, token->data + at, n);
		*len += n;
		break;
	}
}

static int driver_run_file(const char *path)
{
	static uint8_t data[1 << 20];
	size_t size;
	FILE *in = fopen(path, "rb");

	if (in == NULL) {
		(void)fprintf(stderr, "fuzz driver: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	size = fread(data, 1, sizeof(data), in);
	if (ferror(in) || !feof(in)) {
		(void)fprintf(stderr, "fuzz driver: cannot read %s (at most 1 MiB)\n", path);
		(void)fclose(in);
		return -1;
	}
	(void)fclose(in);
	driver_run_one(data, size);
	return 0;
}

static int driver_number(const char *text, unsigned long long *out)
{
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	*out = strtoull(text, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

int main(int argc, char **argv)
{
	static uint8_t buf[DRIVER_MAX_INPUT];
	unsigned long long runs = DRIVER_DEFAULT_RUN, seed = 20261123;
	const struct fuzz_input *start;
	size_t len = 0, i;
	int files = 0, arg, status = 0;
	unsigned long long n;

	(void)signal(SIGABRT, driver_report_signal);
	(void)signal(SIGSEGV, driver_report_signal);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(driver_print_input);
	for (arg = 1; arg < argc; arg++) {
		if (strncmp(argv[arg], "-runs=", 6) == 0) {
			if (driver_number(argv[arg] + 6, &runs) != 0)
				goto usage;
		} else if (strncmp(argv[arg], "-seed=", 6) == 0) {
			if (driver_number(argv[arg] + 6, &seed) != 0)
				goto usage;
		} else if (argv[arg][0] == '-') {
			goto usage;
		} else {
			files++;
			if (driver_run_file(argv[arg]) != 0)
				status = 1;
		}
	}
	if (files > 0)
		return status;

	for (i = 0; i < fuzz_seed_count; i++)
		driver_run_one((const uint8_t *)fuzz_seeds[i].data, fuzz_seeds[i].size);
	driver_state = seed * 2 + 1; /* never 0 */
	for (n = 0; n < runs; n++) {
		/* Mostly start over from a seed; sometimes keep mutating the last
		 * input, to reach further from the seeds. */
		if (n == 0 || driver_below(4) != 0) {
			start = &fuzz_seeds[driver_below(fuzz_seed_count)];
			len = start->size < DRIVER_MAX_INPUT ? start->size : DRIVER_MAX_INPUT;
			memcpy(buf, start->data, len);
		}
		for (i = 1 + driver_below(4); i > 0; i--)
			driver_mutate(buf, &len);
		driver_run_one(buf, len);
	}
	(void)printf("%s: %ld inputs (%zu seeds, %llu mutated, seed %llu): no failure\n", argv[0],
	             driver_runs, fuzz_seed_count, runs, seed);
	return 0;
usage:
	(void)fprintf(stderr, "usage: %s [-runs=N] [-seed=S] [FILE]...\n", argv[0]);
	return 64;
}
