/* test_buf_arena.c — unit tests for buf.c (bounded growable buffer) and
 * arena.c (bounded request arena with cleanups): limits, termination,
 * alignment and the order cleanups run in. ASan/LSan watch every byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

/* ---- buf ---- */

static void test_buf_starts_empty_without_memory(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 100);
}

static void test_buf_append_keeps_data_nul_terminated(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, "abc", 3), 0);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	assert_int_equal(buf_puts(&b, "警"), 0);
	assert_int_equal(b.len, 6);
	assert_int_equal(b.data[6], '\0');
	assert_string_equal(b.data, "abc警");
	buf_release(&b);
}

static void test_buf_counts_embedded_nul_bytes(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b\0", 4);
	buf_release(&b);
}

static void test_buf_fills_exactly_to_max(void **state)
{
	struct buf b;

	(void)state;
	/* The NUL does not count against max. */
	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, "0123456789", 10), 0);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	assert_true(b.cap >= 11);
	buf_release(&b);
}

static void test_buf_append_past_max_fails_and_leaves_content(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "01234567"), 0);
	assert_int_equal(buf_append(&b, "abc", 3), -1);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "01234567");
	assert_int_equal(buf_puts(&b, "ab"), 0);
	assert_int_equal(buf_append(&b, "x", 1), -1);
	assert_string_equal(b.data, "01234567ab");
	/* An empty append at max is fine. */
	assert_int_equal(buf_append(&b, "", 0), 0);
	buf_release(&b);
}

static void test_buf_max_zero_holds_only_the_empty_string(void **state)
{
	struct buf b;
	char *text;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "x", 1), -1);
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	assert_int_equal(buf_printf(&b, "%s", ""), 0);
	assert_string_equal(b.data, "");
	text = buf_detach(&b);
	assert_string_equal(text, "");
	free(text);
}

static void test_buf_huge_append_is_refused_not_wrapped(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1000);
	assert_int_equal(buf_puts(&b, "abc"), 0);
	/* len + n + 1 would wrap around: the check must not. */
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), -1);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX - 2), -1);
	assert_string_equal(b.data, "abc");
	buf_release(&b);
}

static void test_buf_capacity_never_exceeds_max_plus_nul(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 1000);
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_append(&b, "z", 1), 0);
	assert_int_equal(b.len, 1000);
	assert_true(b.cap <= 1001);
	assert_int_equal(buf_append(&b, "z", 1), -1);
	buf_release(&b);
}

static void test_buf_printf_grows_across_many_appends(void **state)
{
	struct buf b;
	char expected[8];
	int i;

	(void)state;
	buf_init(&b, 1 << 20);
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%03d,", i), 0);
	assert_int_equal(b.len, 4000);
	assert_int_equal(b.data[4000], '\0');
	assert_memory_equal(b.data, "000,001,002,", 12);
	(void)snprintf(expected, sizeof(expected), "%03d,", 999);
	assert_memory_equal(b.data + 3996, expected, 4);
	buf_release(&b);
}

static void test_buf_printf_single_long_format_grows_at_once(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10000);
	assert_int_equal(buf_puts(&b, "<"), 0);
	assert_int_equal(buf_printf(&b, "%5000d>", 7), 0);
	assert_int_equal(b.len, 5002);
	assert_int_equal(b.data[5000], '7');
	assert_int_equal(b.data[5001], '>');
	assert_int_equal(b.data[5002], '\0');
	buf_release(&b);
}

static void test_buf_printf_past_max_fails_and_leaves_content(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_printf(&b, "%s", "12345"), 0);
	assert_int_equal(buf_printf(&b, "%d", 1234), -1);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "12345");
	assert_int_equal(buf_printf(&b, "%d", 678), 0);
	assert_string_equal(b.data, "12345678");
	buf_release(&b);
}

static void test_buf_reset_empties_and_keeps_memory(void **state)
{
	struct buf b;
	char *data;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_puts(&b, "hello"), 0);
	data = b.data;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.data, data);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_puts(&b, "hi"), 0);
	assert_string_equal(b.data, "hi");
	buf_release(&b);
	/* Resetting a buffer that never held anything is harmless. */
	buf_reset(&b);
	assert_null(b.data);
}

static void test_buf_release_frees_and_keeps_max(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 50);
	assert_int_equal(buf_puts(&b, "some text"), 0);
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 50);
	/* Reusable after release, and releasing twice is harmless. */
	assert_int_equal(buf_puts(&b, "again"), 0);
	buf_release(&b);
	buf_release(&b);
}

static void test_buf_detach_hands_over_the_text(void **state)
{
	struct buf b;
	char *text;

	(void)state;
	buf_init(&b, 50);
	assert_int_equal(buf_puts(&b, "detached"), 0);
	text = buf_detach(&b);
	assert_string_equal(text, "detached");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 50);
	free(text); /* the caller's now: LSan would see a leak or a double free */
}

static void test_buf_detach_of_empty_buffer_is_empty_string(void **state)
{
	struct buf b;
	char *text;

	(void)state;
	buf_init(&b, 50);
	text = buf_detach(&b);
	assert_non_null(text);
	assert_string_equal(text, "");
	free(text);
}

/* ---- arena ---- */

static void test_arena_alloc_is_zeroed_and_16_aligned(void **state)
{
	struct arena *a = arena_new(1 << 20);
	unsigned char *p;
	size_t size, i;

	(void)state;
	assert_non_null(a);
	for (size = 0; size <= 100; size++) {
		p = arena_alloc(a, size);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (i = 0; i < size; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xAB, size);
	}
	arena_free(a);
}

static void test_arena_allocations_do_not_overlap(void **state)
{
	struct arena *a = arena_new(1 << 20);
	unsigned char *blocks[64];
	size_t i, j;

	(void)state;
	for (i = 0; i < 64; i++) {
		blocks[i] = arena_alloc(a, 100 + i * 37);
		assert_non_null(blocks[i]);
		memset(blocks[i], (int)i, 100 + i * 37);
	}
	for (i = 0; i < 64; i++)
		for (j = 0; j < 100 + i * 37; j++)
			assert_int_equal(blocks[i][j], i);
	arena_free(a);
}

static void test_arena_large_allocation_gets_its_own_block(void **state)
{
	struct arena *a = arena_new(1 << 20);
	unsigned char *small, *large;

	(void)state;
	small = arena_alloc(a, 10);
	large = arena_alloc(a, 100000);
	assert_non_null(small);
	assert_non_null(large);
	assert_int_equal((uintptr_t)large % 16, 0);
	assert_int_equal(large[99999], 0);
	memset(large, 1, 100000);
	assert_int_equal(small[0], 0);
	arena_free(a);
}

static void test_arena_limit_is_enforced(void **state)
{
	struct arena *a = arena_new(64 * 1024);
	size_t got = 0;

	(void)state;
	while (arena_alloc(a, 100) != NULL) {
		got += 112; /* 100 rounded up to the alignment */
		assert_true(got <= 64 * 1024);
	}
	/* Nearly all of the limit was usable, and it stays closed. */
	assert_true(got > 64 * 1024 - 4096);
	assert_null(arena_alloc(a, 100));
	assert_null(arena_alloc(a, 64 * 1024));
	arena_free(a);
}

static void test_arena_limit_counts_bytes_not_blocks(void **state)
{
	struct arena *a = arena_new(100);

	(void)state;
	/* A limit below one 4 KiB block still serves what fits under it. */
	assert_non_null(arena_alloc(a, 80));
	assert_non_null(arena_alloc(a, 16));
	assert_null(arena_alloc(a, 16));
	assert_null(arena_alloc(a, 1));
	arena_free(a);
	a = arena_new(10000);
	assert_non_null(arena_alloc(a, 10000));
	assert_null(arena_alloc(a, 1));
	arena_free(a);
}

static void test_arena_limit_zero_allocates_nothing(void **state)
{
	struct arena *a = arena_new(0);

	(void)state;
	assert_non_null(a);
	assert_null(arena_alloc(a, 0));
	assert_null(arena_alloc(a, 1));
	assert_null(arena_strdup(a, ""));
	arena_free(a);
}

static void test_arena_absurd_sizes_are_refused(void **state)
{
	struct arena *a = arena_new(SIZE_MAX);

	(void)state;
	/* Rounding SIZE_MAX up to 16 would wrap to 0: refused before that. */
	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_alloc(a, SIZE_MAX - 15));
	assert_null(arena_alloc(a, SIZE_MAX / 2 + 1));
	assert_non_null(arena_alloc(a, 16));
	arena_free(a);
}

static void test_arena_strdup_and_strndup_copy(void **state)
{
	struct arena *a = arena_new(4096);
	const char *source = "警号 012345";
	char *copy;

	(void)state;
	copy = arena_strdup(a, source);
	assert_string_equal(copy, source);
	assert_ptr_not_equal(copy, source);
	copy = arena_strndup(a, "abcdef", 3);
	assert_string_equal(copy, "abc");
	copy = arena_strndup(a, "abcdef", 0);
	assert_string_equal(copy, "");
	copy = arena_strdup(a, "");
	assert_string_equal(copy, "");
	arena_free(a);
}

static void test_arena_strndup_copies_embedded_bytes_exactly(void **state)
{
	struct arena *a = arena_new(4096);
	char *copy;

	(void)state;
	copy = arena_strndup(a, "a\0b", 3);
	assert_memory_equal(copy, "a\0b\0", 4);
	arena_free(a);
}

static void test_arena_printf_formats(void **state)
{
	struct arena *a = arena_new(64 * 1024);
	char *text;

	(void)state;
	text = arena_printf(a, "%s-%03d-%s", "TC", 7, "张");
	assert_string_equal(text, "TC-007-张");
	text = arena_printf(a, "%s", "");
	assert_string_equal(text, "");
	text = arena_printf(a, "%6000d", 1);
	assert_non_null(text);
	assert_int_equal(strlen(text), 6000);
	assert_int_equal(text[5999], '1');
	arena_free(a);
}

static void test_arena_printf_past_limit_is_null(void **state)
{
	struct arena *a = arena_new(4096);

	(void)state;
	assert_null(arena_printf(a, "%5000d", 1));
	assert_non_null(arena_printf(a, "%d", 1));
	arena_free(a);
}

/* Cleanup log: which cleanups ran, in what order. */
static int cleanup_order[8];
static int cleanup_count;

static void record_cleanup(void *ptr)
{
	cleanup_order[cleanup_count++] = *(int *)ptr;
}

static void test_arena_defer_runs_cleanups_last_registered_first(void **state)
{
	static int ids[] = {1, 2, 3};
	struct arena *a = arena_new(64 * 1024);

	(void)state;
	cleanup_count = 0;
	assert_int_equal(arena_defer(a, record_cleanup, &ids[0]), 0);
	assert_int_equal(arena_defer(a, record_cleanup, &ids[1]), 0);
	assert_int_equal(arena_defer(a, record_cleanup, &ids[2]), 0);
	assert_int_equal(cleanup_count, 0);
	arena_free(a);
	assert_int_equal(cleanup_count, 3);
	assert_int_equal(cleanup_order[0], 3);
	assert_int_equal(cleanup_order[1], 2);
	assert_int_equal(cleanup_order[2], 1);
}

static void check_arena_text(void *ptr)
{
	/* Reads arena memory: blocks must still be alive (ASan: use after free). */
	assert_string_equal((const char *)ptr, "still here");
	cleanup_count++;
}

static void test_arena_cleanups_run_before_memory_is_freed(void **state)
{
	struct arena *a = arena_new(64 * 1024);
	int i;

	(void)state;
	cleanup_count = 0;
	/* Spread over several blocks. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(arena_defer(a, check_arena_text, arena_strdup(a, "still here")),
		                 0);
		assert_non_null(arena_alloc(a, 5000));
	}
	arena_free(a);
	assert_int_equal(cleanup_count, 3);
}

static void test_arena_defer_frees_malloced_memory(void **state)
{
	struct arena *a = arena_new(4096);
	char *outside = malloc(100);

	(void)state;
	assert_non_null(outside);
	/* LSan fails the run if free never happens. */
	assert_int_equal(arena_defer(a, free, outside), 0);
	arena_free(a);
}

static void test_arena_defer_on_full_arena_runs_cleanup_at_once(void **state)
{
	static int id = 42;
	struct arena *a = arena_new(4096);

	(void)state;
	cleanup_count = 0;
	assert_non_null(arena_alloc(a, 4096));
	/* No room for the cleanup record: run now so nothing leaks, report -1. */
	assert_int_equal(arena_defer(a, record_cleanup, &id), -1);
	assert_int_equal(cleanup_count, 1);
	assert_int_equal(cleanup_order[0], 42);
	arena_free(a);
	/* Not run a second time. */
	assert_int_equal(cleanup_count, 1);
}

static void test_arena_free_null_is_harmless(void **state)
{
	(void)state;
	arena_free(NULL);
}

static void test_arena_free_of_unused_arena(void **state)
{
	(void)state;
	arena_free(arena_new(1024));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_buf_starts_empty_without_memory),
	        cmocka_unit_test(test_buf_append_keeps_data_nul_terminated),
	        cmocka_unit_test(test_buf_counts_embedded_nul_bytes),
	        cmocka_unit_test(test_buf_fills_exactly_to_max),
	        cmocka_unit_test(test_buf_append_past_max_fails_and_leaves_content),
	        cmocka_unit_test(test_buf_max_zero_holds_only_the_empty_string),
	        cmocka_unit_test(test_buf_huge_append_is_refused_not_wrapped),
	        cmocka_unit_test(test_buf_capacity_never_exceeds_max_plus_nul),
	        cmocka_unit_test(test_buf_printf_grows_across_many_appends),
	        cmocka_unit_test(test_buf_printf_single_long_format_grows_at_once),
	        cmocka_unit_test(test_buf_printf_past_max_fails_and_leaves_content),
	        cmocka_unit_test(test_buf_reset_empties_and_keeps_memory),
	        cmocka_unit_test(test_buf_release_frees_and_keeps_max),
	        cmocka_unit_test(test_buf_detach_hands_over_the_text),
	        cmocka_unit_test(test_buf_detach_of_empty_buffer_is_empty_string),
	        cmocka_unit_test(test_arena_alloc_is_zeroed_and_16_aligned),
	        cmocka_unit_test(test_arena_allocations_do_not_overlap),
	        cmocka_unit_test(test_arena_large_allocation_gets_its_own_block),
	        cmocka_unit_test(test_arena_limit_is_enforced),
	        cmocka_unit_test(test_arena_limit_counts_bytes_not_blocks),
	        cmocka_unit_test(test_arena_limit_zero_allocates_nothing),
	        cmocka_unit_test(test_arena_absurd_sizes_are_refused),
	        cmocka_unit_test(test_arena_strdup_and_strndup_copy),
	        cmocka_unit_test(test_arena_strndup_copies_embedded_bytes_exactly),
	        cmocka_unit_test(test_arena_printf_formats),
	        cmocka_unit_test(test_arena_printf_past_limit_is_null),
	        cmocka_unit_test(test_arena_defer_runs_cleanups_last_registered_first),
	        cmocka_unit_test(test_arena_cleanups_run_before_memory_is_freed),
	        cmocka_unit_test(test_arena_defer_frees_malloced_memory),
	        cmocka_unit_test(test_arena_defer_on_full_arena_runs_cleanup_at_once),
	        cmocka_unit_test(test_arena_free_null_is_harmless),
	        cmocka_unit_test(test_arena_free_of_unused_arena),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
