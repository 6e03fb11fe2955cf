/* csv_source.h — the file `tcard import` sends, read as Excel writes it:
 * UTF-8 with or without BOM, or GB18030/GBK, CRLF or LF, quoted fields. A scan
 * pass detects the encoding and counts the records; the source then hands out
 * the header's fields and the rest of the file as UTF-8, in bounded chunks, so
 * memory does not grow with the file. */
#ifndef TCARD_CLI_CSV_SOURCE_H
#define TCARD_CLI_CSV_SOURCE_H

#include <stddef.h>
#include <sys/types.h>

enum csv_encoding { CSV_ENCODING_AUTO, CSV_ENCODING_UTF8, CSV_ENCODING_GB18030 };

#define CSV_HEADER_FIELDS_MAX 64
#define CSV_HEADER_BYTES_MAX  65536

struct csv_scan {
	enum csv_encoding encoding; /* what the file is in */
	long long bytes;            /* size of the file */
	long long records;          /* records, the header included */
};

/* Reads the whole file once, in chunks: with CSV_ENCODING_AUTO valid UTF-8 is
 * UTF-8, anything else must convert from GB18030. 0, or -1 with a bilingual
 * message in err (unreadable file, empty file, bytes that are not the
 * encoding, with their line). */
int csv_scan_file(const char *path, enum csv_encoding requested, struct csv_scan *scan, char *err,
                  size_t err_size);

struct csv_source;

/* Opens path for reading in the encoding the scan found; NULL with err set.
 * Caller frees with csv_source_free. */
struct csv_source *csv_source_open(const char *path, enum csv_encoding encoding, char *err,
                                   size_t err_size);

/* Reads the first record, BOM stripped, into fields (pointers into the
 * source, valid until it is freed), unquoted and trimmed. Returns the number of
 * fields, or -1 with err set (no header, header too long, too many fields). */
int csv_source_header(struct csv_source *src, const char **fields, size_t fields_max, char *err,
                      size_t err_size);

/* Copies up to size bytes of UTF-8 after the header into buf: the count, 0 at
 * the end, -1 on a read or conversion error (err set). */
ssize_t csv_source_read(struct csv_source *src, char *buf, size_t size, char *err, size_t err_size);

/* Records handed out by csv_source_read so far (complete lines outside quotes,
 * plus a last line without its newline once the end is reached). */
long long csv_source_records(const struct csv_source *src);

/* Bytes of the file consumed so far. */
long long csv_source_offset(const struct csv_source *src);

void csv_source_free(struct csv_source *src);

#endif
