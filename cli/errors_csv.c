/* errors_csv.c — writes the refused rows of an import as CSV for a clerk to
 * fix in Excel: UTF-8 with a BOM (or Excel reads it as the ANSI code page),
 * CRLF, fields quoted when they must be, and cells that Excel would take for a
 * formula (= + - @, tab, CR) prefixed with an apostrophe (OWASP CSV injection). */
#include "errors_csv.h"

#include <string.h>

static void errors_csv_field(FILE *f, const char *text)
{
	const char *p;

	if (text == NULL)
		text = "";
	if (strchr("=+-@\t\r", text[0]) != NULL && text[0] != '\0')
		(void)fputc('\'', f);
	if (strpbrk(text, ",\"\r\n") == NULL) {
		(void)fputs(text, f);
		return;
	}
	(void)fputc('"', f);
	for (p = text; *p != '\0'; p++) {
		if (*p == '"')
			(void)fputc('"', f);
		(void)fputc(*p, f);
	}
	(void)fputc('"', f);
}

/* A member as text: strings as they are, numbers written out, else "". */
static void errors_csv_text(const json_t *value, char *out, size_t size)
{
	out[0] = '\0';
	if (json_is_string(value))
		(void)snprintf(out, size, "%s", json_string_value(value));
	else if (json_is_integer(value))
		(void)snprintf(out, size, "%lld", (long long)json_integer_value(value));
	else if (json_is_real(value))
		(void)snprintf(out, size, "%g", json_real_value(value));
}

int errors_csv_write(const char *path, const json_t *row_errors, FILE *err, size_t show)
{
	static const char *const keys[] = {"row", "column", "value", "message"};
	char text[4][1024];
	FILE *f = fopen(path, "wb");
	size_t i, k;
	int written = 0;

	if (f == NULL)
		return -1;
	(void)fputs("\xEF\xBB\xBF"
	            "行号 row,列 column,值 value,说明 message\r\n",
	            f);
	for (i = 0; i < json_array_size(row_errors); i++) {
		const json_t *item = json_array_get(row_errors, i);

		for (k = 0; k < 4; k++) {
			errors_csv_text(json_object_get(item, keys[k]), text[k], sizeof(text[k]));
			if (k > 0)
				(void)fputc(',', f);
			errors_csv_field(f, text[k]);
		}
		(void)fputs("\r\n", f);
		if (err != NULL && i < show)
			(void)fprintf(err, "  第 %s 行 / row %s, %s = \"%s\": %s\n", text[0],
			              text[0], text[1], text[2], text[3]);
		written++;
	}
	if (fclose(f) != 0)
		return -1;
	return written;
}
