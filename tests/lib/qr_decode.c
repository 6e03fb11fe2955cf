/* qr_decode.c — see qr_decode.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "qr_decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *test_zbar_decode(const char *file)
{
	char command[700], *text = calloc(1, 4096);
	size_t len;
	FILE *pipe;

	assert_non_null(text);
	assert_true(snprintf(command, sizeof(command), "zbarimg --raw -q '%s' 2>/dev/null", file) <
	            (int)sizeof(command));
	pipe = popen(command, "r");
	assert_non_null(pipe);
	len = fread(text, 1, 4095, pipe);
	(void)pclose(pipe);
	if (len == 0) {
		free(text);
		return NULL;
	}
	if (text[len - 1] == '\n')
		text[len - 1] = '\0';
	return text;
}

void test_svg_to_pgm_file(const char *svg, unsigned scale, const char *file)
{
	const char *p = strstr(svg, "viewBox=\"0 0 ");
	unsigned side, x, y, n, i, j;
	unsigned char *grid;
	int runs = 0;
	FILE *f;

	assert_non_null(p);
	assert_int_equal(sscanf(p, "viewBox=\"0 0 %u", &side), 1);
	grid = malloc((size_t)side * side);
	assert_non_null(grid);
	memset(grid, 255, (size_t)side * side);
	p = strstr(svg, " d=\"");
	assert_non_null(p);
	for (p += 4; *p == 'M'; p = strchr(p, 'z') + 1) {
		assert_int_equal(sscanf(p, "M%u %uh%u", &x, &y, &n), 3);
		assert_true(y < side && x + n <= side);
		memset(grid + (size_t)y * side + x, 0, n);
		runs++;
	}
	assert_int_equal(*p, '"');
	assert_true(runs > 0);
	f = fopen(file, "wb");
	assert_non_null(f);
	(void)fprintf(f, "P5 %u %u 255\n", side * scale, side * scale);
	for (i = 0; i < side * scale; i++)
		for (j = 0; j < side * scale; j++)
			(void)fputc(grid[(size_t)(i / scale) * side + j / scale], f);
	assert_int_equal(fclose(f), 0);
	free(grid);
}
