/* test_checkpoint.c — unit tests for checkpoint.c: the line of the audit
 * checkpoint file is written in one exact form, read back field for field,
 * and every other spelling of it is refused (audit.c signs what
 * checkpoint_message gives, so one checkpoint must have one text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "checkpoint.h"

/* 2025-11-23T10:00:00Z */
#define SOME_TIME 1763892000LL

static struct checkpoint some_checkpoint(long long seq)
{
	struct checkpoint cp;
	size_t i;

	memset(&cp, 0, sizeof(cp));
	cp.seq = seq;
	cp.time = SOME_TIME;
	for (i = 0; i < sizeof(cp.hash); i++)
		cp.hash[i] = (unsigned char)(i * 7 + 1);
	for (i = 0; i < sizeof(cp.signature); i++)
		cp.signature[i] = (unsigned char)(255 - i * 3);
	return cp;
}

static void format_ok(const struct checkpoint *cp, char line[CHECKPOINT_LINE_MAX + 1])
{
	int len = checkpoint_format(cp, line, CHECKPOINT_LINE_MAX + 1);

	assert_true(len > 0);
	assert_int_equal((size_t)len, strlen(line));
}

static void test_checkpoint_line_reads_back_field_for_field(void **state)
{
	struct checkpoint cp = some_checkpoint(123456), back;
	char line[CHECKPOINT_LINE_MAX + 1];

	(void)state;
	format_ok(&cp, line);
	assert_true(checkpoint_parse(line, strlen(line), &back) > 0);
	assert_int_equal(back.seq, 123456);
	assert_int_equal(back.time, SOME_TIME);
	assert_memory_equal(back.hash, cp.hash, sizeof(cp.hash));
	assert_memory_equal(back.signature, cp.signature, sizeof(cp.signature));
}

static void test_checkpoint_line_has_the_documented_form(void **state)
{
	struct checkpoint cp = some_checkpoint(42);
	char line[CHECKPOINT_LINE_MAX + 1];

	(void)state;
	memset(cp.hash, 0xab, sizeof(cp.hash));
	memset(cp.signature, 0x01, sizeof(cp.signature));
	format_ok(&cp, line);
	assert_string_equal(line, "v1 42 "
	                          "abababababababababababababababababababababababababababababababab"
	                          " 2025-11-23T10:00:00Z "
	                          "01010101010101010101010101010101010101010101010101010101010101"
	                          "01010101010101010101010101010101010101010101010101010101010101"
	                          "0101\n");
}

static void test_checkpoint_signed_text_is_the_line_before_the_signature(void **state)
{
	struct checkpoint cp = some_checkpoint(7), back;
	char line[CHECKPOINT_LINE_MAX + 1], message[CHECKPOINT_LINE_MAX + 1];
	int message_len;

	(void)state;
	format_ok(&cp, line);
	message_len = checkpoint_message(&cp, message, sizeof(message));
	assert_true(message_len > 0);
	assert_int_equal(checkpoint_parse(line, strlen(line), &back), message_len);
	assert_memory_equal(line, message, (size_t)message_len);
	assert_int_equal(line[message_len], ' ');
}

static void test_checkpoint_of_the_empty_chain_is_seq_0(void **state)
{
	struct checkpoint cp = some_checkpoint(0), back;
	char line[CHECKPOINT_LINE_MAX + 1];

	(void)state;
	memset(cp.hash, 0, sizeof(cp.hash));
	format_ok(&cp, line);
	assert_int_equal(strncmp(line, "v1 0 0000", 9), 0);
	assert_true(checkpoint_parse(line, strlen(line), &back) > 0);
	assert_int_equal(back.seq, 0);
}

static void test_checkpoint_largest_seq_fits_the_line_limit(void **state)
{
	struct checkpoint cp = some_checkpoint(CHECKPOINT_SEQ_MAX), back;
	char line[CHECKPOINT_LINE_MAX + 1];

	(void)state;
	cp.time = 253402300799LL; /* 9999-12-31T23:59:59Z */
	format_ok(&cp, line);
	assert_true(strlen(line) < CHECKPOINT_LINE_MAX);
	assert_true(checkpoint_parse(line, strlen(line), &back) > 0);
	assert_int_equal(back.seq, CHECKPOINT_SEQ_MAX);
	assert_int_equal(back.time, 253402300799LL);
}

static void test_checkpoint_line_without_newline_is_read(void **state)
{
	struct checkpoint cp = some_checkpoint(9), back;
	char line[CHECKPOINT_LINE_MAX + 1];

	(void)state;
	format_ok(&cp, line);
	assert_true(checkpoint_parse(line, strlen(line) - 1, &back) > 0);
	assert_int_equal(back.seq, 9);
}

static void test_checkpoint_out_of_range_fields_are_not_formatted(void **state)
{
	struct checkpoint cp = some_checkpoint(1);
	char line[CHECKPOINT_LINE_MAX + 1];

	(void)state;
	cp.seq = -1;
	assert_int_equal(checkpoint_format(&cp, line, sizeof(line)), -1);
	cp.seq = CHECKPOINT_SEQ_MAX + 1;
	assert_int_equal(checkpoint_format(&cp, line, sizeof(line)), -1);
	cp = some_checkpoint(1);
	cp.time = -1;
	assert_int_equal(checkpoint_format(&cp, line, sizeof(line)), -1);
	cp.time = 253402300800LL; /* year 10000 */
	assert_int_equal(checkpoint_format(&cp, line, sizeof(line)), -1);
}

static void test_checkpoint_small_buffer_is_refused_not_overrun(void **state)
{
	struct checkpoint cp = some_checkpoint(1);
	char line[CHECKPOINT_LINE_MAX + 1];
	int full;

	(void)state;
	full = checkpoint_format(&cp, line, sizeof(line));
	assert_true(full > 0);
	/* The line, its newline and the NUL need full + 1 bytes. */
	assert_int_equal(checkpoint_format(&cp, line, (size_t)full), -1);
	assert_int_equal(checkpoint_format(&cp, line, (size_t)full + 1), full);
	assert_int_equal(checkpoint_message(&cp, line, 10), -1);
}

/* Replaces the first occurrence of from in line with to, in place. */
static void mutate(char *line, const char *from, const char *to)
{
	char *at = strstr(line, from), rest[CHECKPOINT_LINE_MAX * 2];

	assert_non_null(at);
	(void)snprintf(rest, sizeof(rest), "%s", at + strlen(from));
	(void)snprintf(at, CHECKPOINT_LINE_MAX * 2 - (size_t)(at - line), "%s%s", to, rest);
}

static void test_checkpoint_every_other_spelling_is_refused(void **state)
{
	static const struct {
		const char *from, *to;
	} spellings[] = {
	        {"v1 ", "v2 "},                       /* another version */
	        {"v1 ", "V1 "},                       /* case */
	        {"v1 5 ", "v1 05 "},                  /* leading zero */
	        {"v1 5 ", "v1 +5 "},                  /* sign */
	        {"v1 5 ", "v1 -5 "},                  /* negative */
	        {"v1 5 ", "v1  5 "},                  /* two spaces */
	        {"v1 5 ", "v1 1234567890123456789 "}, /* 19 digits */
	        {"v1 5 ", "v1 "},                     /* no seq */
	        {"0108", "0I08"},                     /* not hex */
	        {"0108", "0108a"},                    /* hash too long */
	        {"2025-11-23T10:00:00Z", "2025-11-23T10:00:00+08:00"},
	        {"2025-11-23T10:00:00Z", "2025-11-23 10:00:00Z"},
	        {"2025-11-23T10:00:00Z", "2025-02-30T10:00:00Z"}, /* no such day */
	        {"2025-11-23T10:00:00Z", "2025-11-23T24:00:00Z"},
	        {"2025-11-23T10:00:00Z", "2025-11-23T10:00:60Z"},
	        {"2025-11-23T10:00:00Z", "1969-12-31T23:59:59Z"},
	        {"2025-11-23T10:00:00Z", "2025-11-23T10:00:00.5Z"},
	        {"Z ff", "Z FF"},  /* upper-case hex in the signature */
	        {"Z ff", "Z  ff"}, /* two spaces */
	        {"Z ff", "Zff"},   /* no space */
	        {"\n", "00\n"},    /* signature too long */
	        {"\n", " \n"},     /* trailing space */
	        {"\n", "\r\n"},    /* CRLF */
	        {"\n", "\n\n"},    /* two newlines */
	};
	struct checkpoint cp = some_checkpoint(5), back;
	char good[CHECKPOINT_LINE_MAX + 1], line[CHECKPOINT_LINE_MAX * 2];
	size_t i;

	(void)state;
	format_ok(&cp, good);
	for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		(void)snprintf(line, sizeof(line), "%s", good);
		mutate(line, spellings[i].from, spellings[i].to);
		if (checkpoint_parse(line, strlen(line), &back) >= 0)
			fail_msg("accepted spelling %zu: %s", i, line);
	}
	/* Cut short anywhere: refused. */
	for (i = 0; i + 1 < strlen(good); i++)
		if (checkpoint_parse(good, i, &back) >= 0)
			fail_msg("accepted a line cut at %zu", i);
	/* An embedded NUL: refused. */
	(void)snprintf(line, sizeof(line), "%s", good);
	line[10] = '\0';
	assert_int_equal(checkpoint_parse(line, strlen(good), &back), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_checkpoint_line_reads_back_field_for_field),
	        cmocka_unit_test(test_checkpoint_line_has_the_documented_form),
	        cmocka_unit_test(test_checkpoint_signed_text_is_the_line_before_the_signature),
	        cmocka_unit_test(test_checkpoint_of_the_empty_chain_is_seq_0),
	        cmocka_unit_test(test_checkpoint_largest_seq_fits_the_line_limit),
	        cmocka_unit_test(test_checkpoint_line_without_newline_is_read),
	        cmocka_unit_test(test_checkpoint_out_of_range_fields_are_not_formatted),
	        cmocka_unit_test(test_checkpoint_small_buffer_is_refused_not_overrun),
	        cmocka_unit_test(test_checkpoint_every_other_spelling_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
