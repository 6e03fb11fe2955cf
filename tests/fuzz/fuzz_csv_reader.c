/* fuzz_csv_reader.c — fuzz harness for the import's CSV reader (server/
 * csv_reader.c), which reads every byte of an uploaded file. Properties:
 * it never crashes; every kept field is a NUL-terminated string inside the
 * record buffer; how the input is split into chunks changes nothing (the body
 * arrives in arbitrary pieces); and a record written back out with full
 * quoting reads back as the same fields. */
#include "fuzz.h"

#include "csv_reader.h"

#include <string.h>

const struct fuzz_input fuzz_seeds[] = {
        FUZZ_TEXT("national_id,session_code\n11010519491231002X,S-1\n"),
        FUZZ_TEXT("\xEF\xBB\xBF身份证号,培训编号\r\n11010519491231002X,\"S,1\"\r\n"),
        FUZZ_TEXT("a,\"b \"\"quoted\"\"\nline\",c\n,,\n"),
        FUZZ_TEXT("\"open quote,x\n"),
        FUZZ_TEXT("a\"b,\"c\"d\n"),
        FUZZ_TEXT("1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"),
        FUZZ_TEXT("\xEF\xBB"),
        FUZZ_TEXT("no line end"),
        FUZZ_TEXT(""),
};
const size_t fuzz_seed_count = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

const struct fuzz_input fuzz_tokens[] = {
        FUZZ_TEXT(","),  FUZZ_TEXT("\""),           FUZZ_TEXT("\"\""), FUZZ_TEXT("\r\n"),
        FUZZ_TEXT("\n"), FUZZ_TEXT("\xEF\xBB\xBF"), FUZZ_TEXT("\r"),
};
const size_t fuzz_token_count = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);

/* What a reading saw: a running FNV-1a hash of every record's shape and
 * fields, and the count. */
struct fuzz_digest {
	uint64_t hash;
	size_t records;
	int round_trip; /* check that each clean record reads back the same */
};

static void fuzz_hash(struct fuzz_digest *d, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		d->hash ^= p[i];
		d->hash *= 1099511628211ULL;
	}
}

static int fuzz_record(void *context, const struct csv_reader *r);

/* Writes the record's fields back out, every field quoted, and reads them. */
static void fuzz_round_trip(const struct csv_reader *r)
{
	static char text[4 * CSV_READER_RECORD_MAX + 64];
	struct csv_reader *again = malloc(sizeof(*again));
	struct fuzz_digest expected = {14695981039346656037ULL, 0, 0};
	struct fuzz_digest seen = {14695981039346656037ULL, 0, 0};
	size_t n = 0;
	int i;

	FUZZ_REQUIRE(again != NULL);
	for (i = 0; i < r->nfields; i++) {
		const char *f = csv_reader_field(r, i);

		text[n++] = '"';
		for (; *f != '\0'; f++) {
			if (*f == '"')
				text[n++] = '"';
			text[n++] = *f;
		}
		text[n++] = '"';
		text[n++] = i + 1 < r->nfields ? ',' : '\n';
	}
	(void)fuzz_record(&expected, r);
	csv_reader_init(again, fuzz_record, &seen);
	/* A record that begins with a BOM's bytes would lose them: no BOM. */
	again->bom_done = 1;
	FUZZ_REQUIRE(csv_reader_feed(again, text, n) == 0);
	FUZZ_REQUIRE(csv_reader_finish(again) == 0);
	FUZZ_REQUIRE(seen.records == 1 && seen.hash == expected.hash);
	free(again);
}

static int fuzz_record(void *context, const struct csv_reader *r)
{
	struct fuzz_digest *d = context;
	int i, kept = r->nfields < CSV_READER_FIELDS_MAX ? r->nfields : CSV_READER_FIELDS_MAX;

	FUZZ_REQUIRE(r->nfields >= 1);
	FUZZ_REQUIRE(r->record_len <= sizeof(r->record));
	d->records++;
	fuzz_hash(d, &r->nfields, sizeof(r->nfields));
	fuzz_hash(d, &r->too_long, sizeof(r->too_long));
	fuzz_hash(d, &r->bad_quote, sizeof(r->bad_quote));
	if (r->too_long)
		return 0;
	for (i = 0; i < kept; i++) {
		const char *f = csv_reader_field(r, i);
		size_t len;

		FUZZ_REQUIRE(f >= r->record && f < r->record + r->record_len);
		len = strnlen(f, (size_t)(r->record + r->record_len - f));
		FUZZ_REQUIRE(f + len < r->record + r->record_len); /* NUL inside */
		fuzz_hash(d, f, len + 1);
	}
	if (d->round_trip && !r->bad_quote && r->nfields <= CSV_READER_FIELDS_MAX)
		fuzz_round_trip(r);
	return 0;
}

/* Reads data whole, then in chunks whose sizes come from the data itself. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct csv_reader reader;
	struct fuzz_digest whole = {14695981039346656037ULL, 0, 1};
	struct fuzz_digest split = {14695981039346656037ULL, 0, 0};
	size_t at = 0, step;

	csv_reader_init(&reader, fuzz_record, &whole);
	FUZZ_REQUIRE(csv_reader_feed(&reader, (const char *)data, size) == 0);
	FUZZ_REQUIRE(csv_reader_finish(&reader) == 0);

	csv_reader_init(&reader, fuzz_record, &split);
	while (at < size) {
		step = 1 + data[at] % 7;
		if (step > size - at)
			step = size - at;
		FUZZ_REQUIRE(csv_reader_feed(&reader, (const char *)data + at, step) == 0);
		at += step;
	}
	FUZZ_REQUIRE(csv_reader_finish(&reader) == 0);
	FUZZ_REQUIRE(split.records == whole.records && split.hash == whole.hash);
	return 0;
}
