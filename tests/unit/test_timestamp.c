/* test_timestamp.c — unit tests for timestamp.c: RFC 3339 times with an offset become
 * the right instant, and every malformed or impossible time is refused. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "timestamp.h"

static int64_t parsed(const char *text)
{
	int64_t unix_seconds = -1;

	assert_int_equal(timestamp_parse(text, &unix_seconds), 0);
	return unix_seconds;
}

static void test_offsets_name_the_same_instant(void **state)
{
	(void)state;
	assert_int_equal(parsed("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parsed("2025-03-01T09:00:00+08:00"), 1740790800);
	assert_int_equal(parsed("2025-03-01T01:00:00Z"), 1740790800);
	assert_int_equal(parsed("2025-02-28T20:30:00-04:30"), 1740790800);
	assert_int_equal(parsed("2025-03-01t01:00:00z"), 1740790800);
	/* 2025-01-01T07:00+08:00 is 2024-12-31T23:00Z (hours-engine.md's year example). */
	assert_int_equal(parsed("2025-01-01T07:00:00+08:00"), parsed("2024-12-31T23:00:00Z"));
}

static void test_fractions_are_accepted_and_whole_seconds_kept(void **state)
{
	(void)state;
	assert_int_equal(parsed("2025-03-01T01:00:00.999999Z"), 1740790800);
	assert_int_equal(parsed("2025-03-01T01:00:59.5+00:00"), 1740790859);
}

static void test_leap_days_are_real_only_in_leap_years(void **state)
{
	int64_t unused = 7;

	(void)state;
	assert_int_equal(parsed("2024-02-29T00:00:00Z") - parsed("2024-02-28T00:00:00Z"), 86400);
	assert_int_equal(parsed("2000-02-29T00:00:00Z") - parsed("2000-02-28T00:00:00Z"), 86400);
	assert_int_equal(timestamp_parse("2100-02-29T00:00:00Z", &unused), -1);
	assert_int_equal(timestamp_parse("2025-02-29T00:00:00Z", &unused), -1);
	assert_int_equal(unused, 7); /* left alone on failure */
}

static void test_malformed_times_are_refused(void **state)
{
	static const char *const bad[] = {
	        "",
	        "2025-03-01",
	        "2025-03-01T09:00:00",       /* no offset: no instant */
	        "2025-03-01T09:00+08:00",    /* seconds are required */
	        "2025-03-01 09:00:00+08:00", /* a space is not RFC 3339's T */
	        "2025-3-01T09:00:00+08:00",
	        "2025-13-01T09:00:00+08:00",
	        "2025-04-31T09:00:00+08:00",
	        "2025-03-00T09:00:00+08:00",
	        "2025-03-01T24:00:00+08:00",
	        "2025-03-01T09:60:00+08:00",
	        "2025-03-01T09:00:60+08:00", /* no leap seconds */
	        "2025-03-01T09:00:00+0800",
	        "2025-03-01T09:00:00+24:00",
	        "2025-03-01T09:00:00+08:60",
	        "2025-03-01T09:00:00.Z",
	        "2025-03-01T09:00:00.1234567890Z",
	        "2025-03-01T09:00:00Z ",
	        "2025-03-01T09:00:00+08:00x",
	        "+2025-03-01T09:00:00Z",
	};
	int64_t unused = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (timestamp_parse(bad[i], &unused) != -1)
			fail_msg("accepted %s", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_offsets_name_the_same_instant),
	        cmocka_unit_test(test_fractions_are_accepted_and_whole_seconds_kept),
	        cmocka_unit_test(test_leap_days_are_real_only_in_leap_years),
	        cmocka_unit_test(test_malformed_times_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
