/* test_qr.c — unit tests for qr.c: the PNG and the SVG of a verification URL
 * decode back to the exact URL with a real decoder (zbarimg, Debian's
 * zbar-tools), the code stays small enough for a phone (version ≤ 10 at level
 * M), and sizes, margins and over-long texts are refused. zbarimg cannot read
 * SVG on this machine (no ImageMagick SVG delegate), so the test rasterises
 * the SVG's own path (M x yhNv1h-Nz runs) into a PGM and decodes that. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qr.h"
#include "qr_decode.h"

/* A typical verification URL: a 40-character base URL and a 131-character
 * token (doc/qr-token.md), 170 characters in all. */
static const char *const typical_url =
        "https://tcard.meizhou.gd.gov.cn/tcard/v/"
        "AQ3fZ2kAAAAAAAAAKmZHi6AQ57KkNjIwMjIwMDAxMjPLmJaO_q-Xw1RzVb9r0eTtY2xFzKkZ3pQvU1yA"
        "eHc8G0-sN7dZr4WqLm2Jb6Vn5TfXoC_aP9gEiB3uDhKj1yIwRl";

/* Writes bytes to a fresh temporary file with the suffix; returns its name. */
static char *write_temp(const void *bytes, size_t len, const char *suffix)
{
	char *name = malloc(64);
	int fd;

	assert_non_null(name);
	assert_true(snprintf(name, 64, "/tmp/test_qr_XXXXXX%s", suffix) < 64);
	fd = mkstemps(name, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return name;
}

static void test_png_decodes_to_the_exact_url(void **state)
{
	size_t len = 0;
	unsigned char *png;
	char *file, *text;

	(void)state;
	assert_int_equal(strlen(typical_url), 170);
	png = qr_png(typical_url, 4, 4, &len);
	assert_non_null(png);
	file = write_temp(png, len, ".png");
	text = test_zbar_decode(file);
	(void)unlink(file);
	assert_non_null(text);
	assert_string_equal(text, typical_url);
	free(text);
	free(file);
	free(png);
}

/* The PNG is exactly (modules + 2 × margin) × module pixels square, 1-bit gray. */
static void test_png_size_is_modules_plus_margin_times_module(void **state)
{
	static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
	int version = qr_version_of(typical_url);
	unsigned side = (unsigned)(17 + 4 * version + 2 * 2) * 3;
	size_t len = 0;
	unsigned char *png = qr_png(typical_url, 3, 2, &len);
	uint32_t width, height;

	(void)state;
	assert_non_null(png);
	assert_true(len > 33);
	assert_memory_equal(png, signature, 8);
	assert_memory_equal(png + 12, "IHDR", 4);
	width = (uint32_t)png[16] << 24 | (uint32_t)png[17] << 16 | (uint32_t)png[18] << 8 |
	        png[19];
	height = (uint32_t)png[20] << 24 | (uint32_t)png[21] << 16 | (uint32_t)png[22] << 8 |
	         png[23];
	assert_int_equal(width, side);
	assert_int_equal(height, side);
	assert_int_equal(png[24], 1); /* bit depth */
	assert_int_equal(png[25], 0); /* grayscale */
	free(png);
}

static void test_svg_decodes_to_the_exact_url(void **state)
{
	size_t len = 0;
	char *svg = qr_svg(typical_url, 8, 4, &len);
	char *file, *text;

	(void)state;
	assert_non_null(svg);
	assert_int_equal(strlen(svg), len);
	assert_non_null(strstr(svg, "shape-rendering=\"crispEdges\""));
	assert_non_null(strstr(svg, "fill=\"#fff\""));
	file = write_temp("", 0, ".pgm");
	test_svg_to_pgm_file(svg, 4, file);
	text = test_zbar_decode(file);
	(void)unlink(file);
	assert_non_null(text);
	assert_string_equal(text, typical_url);
	free(text);
	free(file);
	free(svg);
}

/* viewBox covers the quiet zone; width and height scale it by the module size. */
static void test_svg_viewbox_includes_the_quiet_zone(void **state)
{
	int version = qr_version_of(typical_url);
	unsigned side = (unsigned)(17 + 4 * version) + 2 * 6;
	char expected[160];
	size_t len = 0;
	char *svg = qr_svg(typical_url, 5, 6, &len);

	(void)state;
	assert_non_null(svg);
	(void)snprintf(expected, sizeof(expected),
	               "width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\"", side * 5, side * 5, side,
	               side);
	assert_non_null(strstr(svg, expected));
	/* No dark module inside the quiet zone: the first run starts at the margin. */
	assert_non_null(strstr(svg, "d=\"M6 6h7v1h-7z"));
	free(svg);
}

static void test_typical_url_fits_version_10_at_level_m(void **state)
{
	int version = qr_version_of(typical_url);

	(void)state;
	assert_true(version >= 1);
	assert_true(version <= 10);
	assert_true(qr_version_of("https://x/v/a") < version);
}

static void test_out_of_bounds_size_and_margin_are_refused(void **state)
{
	size_t len = 0;
	char *svg;
	unsigned char *png;

	(void)state;
	assert_null(qr_svg(typical_url, QR_MODULE_MIN - 1, 4, &len));
	assert_null(qr_svg(typical_url, QR_MODULE_MAX + 1, 4, &len));
	assert_null(qr_svg(typical_url, 8, QR_MARGIN_MAX + 1, &len));
	assert_null(qr_png(typical_url, QR_MODULE_MIN - 1, 4, &len));
	assert_null(qr_png(typical_url, QR_MODULE_MAX + 1, 4, &len));
	assert_null(qr_png(typical_url, 8, QR_MARGIN_MAX + 1, &len));
	/* The bounds themselves are accepted. */
	svg = qr_svg(typical_url, QR_MODULE_MAX, QR_MARGIN_MIN, &len);
	assert_non_null(svg);
	free(svg);
	png = qr_png(typical_url, QR_MODULE_MIN, QR_MARGIN_MAX, &len);
	assert_non_null(png);
	free(png);
}

/* Level M holds at most 2331 bytes (version 40). */
static void test_text_too_long_for_a_code_gives_null(void **state)
{
	char *text = malloc(3001);
	size_t len = 0;

	(void)state;
	assert_non_null(text);
	memset(text, 'a', 3000);
	text[3000] = '\0';
	assert_int_equal(qr_version_of(text), 0);
	assert_null(qr_svg(text, 8, 4, &len));
	assert_null(qr_png(text, 8, 4, &len));
	assert_int_equal(qr_version_of(""), 0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_png_decodes_to_the_exact_url),
	        cmocka_unit_test(test_png_size_is_modules_plus_margin_times_module),
	        cmocka_unit_test(test_svg_decodes_to_the_exact_url),
	        cmocka_unit_test(test_svg_viewbox_includes_the_quiet_zone),
	        cmocka_unit_test(test_typical_url_fits_version_10_at_level_m),
	        cmocka_unit_test(test_out_of_bounds_size_and_margin_are_refused),
	        cmocka_unit_test(test_text_too_long_for_a_code_gives_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
