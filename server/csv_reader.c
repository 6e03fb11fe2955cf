/* csv_reader.c — see csv_reader.h. A four-state machine over bytes; a
 * malformed quote is reported (bad_quote), not fatal, so that the caller can
 * name the row. */
#include "csv_reader.h"

#include <string.h>

static const unsigned char csv_bom[3] = {0xEF, 0xBB, 0xBF};

void csv_reader_init(struct csv_reader *reader, csv_record_fn on_record, void *context)
{
	memset(reader, 0, sizeof(*reader));
	reader->on_record = on_record;
	reader->context = context;
	reader->state = CSV_FIELD_START;
}

static void csv_field_char(struct csv_reader *r, char c)
{
	if (r->nfields >= CSV_READER_FIELDS_MAX)
		return; /* counted, not kept */
	if (r->record_len + 2 > sizeof(r->record)) {
		r->too_long = 1;
		return;
	}
	r->record[r->record_len++] = c;
}

static void csv_field_end(struct csv_reader *r)
{
	if (r->nfields < CSV_READER_FIELDS_MAX && !r->too_long)
		r->record[r->record_len++] = '\0';
	r->nfields++;
	if (r->nfields < CSV_READER_FIELDS_MAX)
		r->field_start[r->nfields] = r->record_len;
}

static int csv_record_end(struct csv_reader *r)
{
	int rc;

	csv_field_end(r);
	rc = r->on_record(r->context, r);
	r->record_len = 0;
	r->nfields = 0;
	r->field_start[0] = 0;
	r->too_long = 0;
	r->bad_quote = 0;
	r->state = CSV_FIELD_START;
	return rc != 0 ? -1 : 0;
}

/* One byte outside quotes: a comma ends the field, a line feed the record, a
 * carriage return is dropped (CRLF), anything else is the field's. */
static int csv_unquoted(struct csv_reader *r, char c)
{
	r->state = CSV_UNQUOTED;
	if (c == ',') {
		csv_field_end(r);
		r->state = CSV_FIELD_START;
	} else if (c == '\n') {
		return csv_record_end(r);
	} else if (c != '\r') {
		csv_field_char(r, c);
	}
	return 0;
}

static int csv_parse(struct csv_reader *r, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = data[i];

		switch (r->state) {
		case CSV_FIELD_START:
			if (c == '"') {
				r->state = CSV_QUOTED;
				break;
			}
			/* fall through */
		case CSV_UNQUOTED:
			if (csv_unquoted(r, c) != 0)
				return -1;
			break;
		case CSV_QUOTED:
			if (c == '"')
				r->state = CSV_QUOTE_IN_QUOTED;
			else
				csv_field_char(r, c);
			break;
		case CSV_QUOTE_IN_QUOTED:
			if (c == '"') { /* a doubled quote is one quote */
				csv_field_char(r, c);
				r->state = CSV_QUOTED;
				break;
			}
			/* After a closing quote only a separator may follow. */
			if (c != ',' && c != '\n' && c != '\r')
				r->bad_quote = 1;
			if (csv_unquoted(r, c) != 0)
				return -1;
			break;
		}
	}
	return 0;
}

int csv_reader_feed(struct csv_reader *reader, const char *data, size_t len)
{
	/* A leading UTF-8 BOM is dropped; it may arrive split across chunks. */
	while (!reader->bom_done && len > 0) {
		if ((unsigned char)*data != csv_bom[reader->bom_len]) {
			reader->bom_done = 1;
			if (csv_parse(reader, (const char *)csv_bom, reader->bom_len) != 0)
				return -1;
			break;
		}
		reader->bom_len++;
		data++;
		len--;
		if (reader->bom_len == sizeof(csv_bom))
			reader->bom_done = 1;
	}
	return csv_parse(reader, data, len);
}

int csv_reader_finish(struct csv_reader *reader)
{
	/* An input shorter than a BOM that began like one. */
	if (!reader->bom_done) {
		reader->bom_done = 1;
		if (csv_parse(reader, (const char *)csv_bom, reader->bom_len) != 0)
			return -1;
	}
	if (reader->state == CSV_QUOTED)
		reader->bad_quote = 1; /* a quote never closed */
	if (reader->record_len > 0 || reader->nfields > 0 || reader->state != CSV_FIELD_START)
		return csv_record_end(reader);
	return 0;
}

const char *csv_reader_field(const struct csv_reader *reader, int i)
{
	return reader->record + reader->field_start[i];
}
