/* errors_csv.h — FILE.errors.csv: the rows a server refused (the 422 reply's
 * row_errors, doc/import.md), in a file Excel opens (UTF-8 with BOM). */
#ifndef TCARD_CLI_ERRORS_CSV_H
#define TCARD_CLI_ERRORS_CSV_H

#include <jansson.h>
#include <stdio.h>

/* Writes row_errors (borrowed: an array of {"row", "column", "value",
 * "message"}) to path with the columns 行号 row, 列 column, 值 value,
 * 说明 message, and prints the first `show` of them to err (NULL: none).
 * Returns the number of rows written, or -1 when path cannot be written. */
int errors_csv_write(const char *path, const json_t *row_errors, FILE *err, size_t show);

#endif
