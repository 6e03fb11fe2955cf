/* csv_reader.h — a streaming CSV reader (RFC 4180 as Excel writes it: quoted
 * fields with doubled quotes and line breaks inside, CRLF or LF line ends, an
 * optional UTF-8 BOM). It holds one record at a time in a fixed buffer, so
 * memory does not grow with the input, and hands each record to a callback;
 * the input may arrive in chunks split anywhere. Pure: no I/O, no allocation. */
#ifndef TCARD_CSV_READER_H
#define TCARD_CSV_READER_H

#include <stddef.h>

#define CSV_READER_FIELDS_MAX 12            /* fields kept of a record; more are only counted */
#define CSV_READER_RECORD_MAX (16u * 1024u) /* bytes of one record's kept fields */

struct csv_reader;

/* Called with each complete record; a non-zero return stops the reading and
 * csv_reader_feed returns -1. */
typedef int (*csv_record_fn)(void *context, const struct csv_reader *reader);

enum csv_reader_state { CSV_FIELD_START, CSV_UNQUOTED, CSV_QUOTED, CSV_QUOTE_IN_QUOTED };

struct csv_reader {
	csv_record_fn on_record;
	void *context;
	enum csv_reader_state state;
	size_t bom_len; /* bytes of a BOM matched so far (≤ 3) */
	int bom_done;
	/* The record being read: its fields, each NUL-terminated, back to back. */
	char record[CSV_READER_RECORD_MAX];
	size_t record_len;
	size_t field_start[CSV_READER_FIELDS_MAX];
	int nfields;   /* fields of the record, also past CSV_READER_FIELDS_MAX */
	int too_long;  /* the record outgrew record[]: its fields are not kept */
	int bad_quote; /* a character followed a closing quote */
};

void csv_reader_init(struct csv_reader *reader, csv_record_fn on_record, void *context);

/* Reads the next len bytes. 0, or -1 when the callback stopped it. */
int csv_reader_feed(struct csv_reader *reader, const char *data, size_t len);

/* Ends the input: a last record without a line end is handed over. 0 or -1
 * as csv_reader_feed. */
int csv_reader_finish(struct csv_reader *reader);

/* Field i (< nfields and < CSV_READER_FIELDS_MAX) of the current record, when
 * the record is not too_long. */
const char *csv_reader_field(const struct csv_reader *reader, int i);

#endif
