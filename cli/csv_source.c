/* csv_source.c — reads the file `tcard import` sends, in fixed chunks: the scan
 * pass (encoding, records), then the header and the rest as UTF-8 through
 * iconv when the file is GB18030. Quotes, commas and newlines are ASCII and
 * never occur inside a GB18030 multi-byte character, so records are counted
 * on the raw bytes in either encoding. */
#include "csv_source.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_CHUNK 65536

struct csv_source {
	FILE *file;
	iconv_t cd; /* (iconv_t)-1 for UTF-8, which passes through */
	char raw[CSV_CHUNK];
	size_t raw_len;
	char out[2 * CSV_CHUNK + 16]; /* one raw chunk converted: at most 1.5 times larger */
	size_t out_pos, out_len;
	int eof;
	long long offset;
	long long records;
	int quoted;    /* inside a quoted field */
	int line_open; /* bytes since the last record's end */
	int finished;  /* the last record was counted */
	char header[CSV_HEADER_BYTES_MAX + 1];
	char names[CSV_HEADER_BYTES_MAX + 1];
};

static void csv_error(char *err, size_t err_size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* A message for the user; a truncated one is still a message. */
static void csv_error(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= err_size)
		err[err_size - 1] = '\0';
}

static void csv_count(const char *p, size_t len, int *quoted, long long *records, int *line_open)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '"')
			*quoted = !*quoted;
		if (p[i] == '\n' && !*quoted) {
			(*records)++;
			*line_open = 0;
		} else {
			*line_open = 1;
		}
	}
}

/* How many continuation bytes a UTF-8 lead byte announces, or -1. */
static int utf8_needs(unsigned char c)
{
	if (c < 0x80)
		return 0;
	if (c >= 0xC2 && c <= 0xDF)
		return 1;
	if (c >= 0xE0 && c <= 0xEF)
		return 2;
	if (c >= 0xF0 && c <= 0xF4)
		return 3;
	return -1;
}

/* One pass over the file: 0 when every byte is in the encoding, 1 when not
 * (bad_line says where), -1 when unreadable. */
static int csv_scan_pass(FILE *f, enum csv_encoding encoding, struct csv_scan *scan,
                         long long *bad_line)
{
	static char raw[CSV_CHUNK], out[2 * CSV_CHUNK + 16];
	iconv_t cd = (iconv_t)-1;
	size_t raw_len = 0, n, i;
	int quoted = 0, line_open = 0, need = 0, result = 0;
	long long lines = 0;

	if (encoding == CSV_ENCODING_GB18030) {
		cd = iconv_open("UTF-8", "GB18030");
		if (cd == (iconv_t)-1)
			return -1;
	}
	scan->bytes = 0;
	scan->records = 0;
	for (;;) {
		n = fread(raw + raw_len, 1, sizeof(raw) - raw_len, f);
		if (n == 0 && ferror(f)) {
			result = -1;
			goto done;
		}
		scan->bytes += (long long)n;
		csv_count(raw + raw_len, n, &quoted, &scan->records, &line_open);
		if (encoding == CSV_ENCODING_UTF8) {
			for (i = 0; i < n; i++) {
				unsigned char c = (unsigned char)raw[i];

				if (need > 0) {
					if ((c & 0xC0) != 0x80)
						goto bad_utf8;
					need--;
				} else if ((need = utf8_needs(c)) < 0) {
					goto bad_utf8;
				}
				if (c == '\n')
					lines++;
				continue;
			bad_utf8:
				*bad_line = lines + 1;
				result = 1;
				goto done;
			}
			if (n == 0) {
				if (need > 0) {
					*bad_line = lines + 1;
					result = 1;
				}
				goto done;
			}
		} else {
			char *in = raw, *o = out;
			size_t in_left = raw_len + n, out_left = sizeof(out);

			if (iconv(cd, &in, &in_left, &o, &out_left) == (size_t)-1 &&
			    errno != EINVAL && errno != E2BIG) {
				for (i = 0; raw + i < in; i++)
					lines += raw[i] == '\n';
				*bad_line = lines + 1;
				result = 1;
				goto done;
			}
			for (i = 0; raw + i < in; i++)
				lines += raw[i] == '\n';
			if (n == 0) {
				if (in_left > 0) {
					*bad_line = lines + 1;
					result = 1;
				}
				goto done;
			}
			memmove(raw, in, in_left);
			raw_len = in_left;
		}
	}
done:
	if (line_open)
		scan->records++;
	if (cd != (iconv_t)-1)
		(void)iconv_close(cd);
	return result;
}

int csv_scan_file(const char *path, enum csv_encoding requested, struct csv_scan *scan, char *err,
                  size_t err_size)
{
	FILE *f = fopen(path, "rb");
	long long bad_line = 0;
	int rc = -1;

	if (f == NULL) {
		csv_error(err, err_size, "无法读取文件 / cannot read the file %s", path);
		return -1;
	}
	scan->encoding =
	        requested == CSV_ENCODING_GB18030 ? CSV_ENCODING_GB18030 : CSV_ENCODING_UTF8;
	rc = csv_scan_pass(f, scan->encoding, scan, &bad_line);
	if (rc == 1 && requested == CSV_ENCODING_AUTO) {
		rewind(f);
		scan->encoding = CSV_ENCODING_GB18030;
		rc = csv_scan_pass(f, scan->encoding, scan, &bad_line);
		if (rc == 1) {
			csv_error(err, err_size,
			          "文件既不是 UTF-8 也不是 GB18030（第 %lld 行）/ the file is "
			          "neither "
			          "UTF-8 nor GB18030 (line %lld)",
			          bad_line, bad_line);
			goto fail;
		}
	}
	if (rc == 1) {
		csv_error(err, err_size,
		          "文件不是 %s 编码（第 %lld 行）/ the file is not %s (line %lld)",
		          scan->encoding == CSV_ENCODING_UTF8 ? "UTF-8" : "GB18030", bad_line,
		          scan->encoding == CSV_ENCODING_UTF8 ? "UTF-8" : "GB18030", bad_line);
		goto fail;
	}
	if (rc < 0) {
		csv_error(err, err_size, "无法读取文件 / cannot read the file %s", path);
		goto fail;
	}
	if (scan->bytes == 0 ||
	    (scan->bytes == 3 && scan->records <= 1 && scan->encoding == CSV_ENCODING_UTF8)) {
		csv_error(err, err_size, "文件是空的 / the file is empty");
		rc = -1;
		goto fail;
	}
	rc = 0;
fail:
	(void)fclose(f);
	return rc == 0 ? 0 : -1;
}

struct csv_source *csv_source_open(const char *path, enum csv_encoding encoding, char *err,
                                   size_t err_size)
{
	struct csv_source *src = calloc(1, sizeof(*src));

	if (src == NULL) {
		csv_error(err, err_size, "内存不足 / out of memory");
		return NULL;
	}
	src->cd = (iconv_t)-1;
	src->file = fopen(path, "rb");
	if (src->file == NULL) {
		csv_error(err, err_size, "无法读取文件 / cannot read the file %s", path);
		goto fail;
	}
	if (encoding == CSV_ENCODING_GB18030) {
		src->cd = iconv_open("UTF-8", "GB18030");
		if (src->cd == (iconv_t)-1) {
			csv_error(err, err_size, "无法转换 GB18030 / cannot convert GB18030");
			goto fail;
		}
	}
	return src;
fail:
	csv_source_free(src);
	return NULL;
}

/* Makes converted bytes available: 1, 0 at the end, -1 on error. */
static int csv_fill(struct csv_source *src, char *err, size_t err_size)
{
	while (src->out_pos >= src->out_len) {
		size_t n;

		src->out_pos = src->out_len = 0;
		if (src->eof && src->raw_len == 0)
			return 0;
		n = fread(src->raw + src->raw_len, 1, sizeof(src->raw) - src->raw_len, src->file);
		if (n == 0 && ferror(src->file)) {
			csv_error(err, err_size, "读取文件出错 / error reading the file");
			return -1;
		}
		if (n == 0)
			src->eof = 1;
		src->offset += (long long)n;
		src->raw_len += n;
		if (src->cd == (iconv_t)-1) {
			memcpy(src->out, src->raw, src->raw_len);
			src->out_len = src->raw_len;
			src->raw_len = 0;
		} else {
			char *in = src->raw, *o = src->out;
			size_t in_left = src->raw_len, out_left = sizeof(src->out);

			if (iconv(src->cd, &in, &in_left, &o, &out_left) == (size_t)-1 &&
			    (errno == EILSEQ || (errno == EINVAL && src->eof))) {
				csv_error(err, err_size,
				          "文件不是 GB18030 编码 / the file is not GB18030");
				return -1;
			}
			src->out_len = sizeof(src->out) - out_left;
			memmove(src->raw, in, in_left);
			src->raw_len = in_left;
		}
	}
	return 1;
}

int csv_source_header(struct csv_source *src, const char **fields, size_t fields_max, char *err,
                      size_t err_size)
{
	size_t len = 0, count = 0;
	int quoted = 0, rc;
	char *p, *w;

	for (;;) {
		char c;

		rc = csv_fill(src, err, err_size);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		c = src->out[src->out_pos++];
		if (c == '"')
			quoted = !quoted;
		if (c == '\n' && !quoted)
			break;
		if (len >= CSV_HEADER_BYTES_MAX) {
			csv_error(err, err_size, "表头太长 / the header line is too long");
			return -1;
		}
		src->header[len++] = c;
	}
	src->header[len] = '\0';
	p = src->header;
	if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	w = src->names;
	for (;;) {
		char *start;

		while (*p == ' ' || *p == '\t')
			p++;
		start = w;
		if (*p == '"') {
			for (p++; *p != '\0'; p++) {
				if (*p == '"' && p[1] == '"')
					*w++ = *p++;
				else if (*p == '"')
					break;
				else
					*w++ = *p;
			}
			if (*p == '"')
				p++;
			while (*p != '\0' && *p != ',')
				p++;
		} else {
			while (*p != '\0' && *p != ',')
				*w++ = *p++;
		}
		while (w > start && (w[-1] == ' ' || w[-1] == '\t' || w[-1] == '\r'))
			w--;
		*w++ = '\0';
		if (count >= fields_max) {
			csv_error(err, err_size, "表头的列太多 / too many columns in the header");
			return -1;
		}
		fields[count++] = start;
		if (*p != ',')
			break;
		p++;
	}
	if (count == 1 && fields[0][0] == '\0') {
		csv_error(err, err_size, "没有表头 / the file has no header");
		return -1;
	}
	return (int)count;
}

ssize_t csv_source_read(struct csv_source *src, char *buf, size_t size, char *err, size_t err_size)
{
	size_t n;
	int rc = csv_fill(src, err, err_size);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (src->line_open && !src->finished)
			src->records++;
		src->finished = 1;
		return 0;
	}
	n = src->out_len - src->out_pos;
	if (n > size)
		n = size;
	memcpy(buf, src->out + src->out_pos, n);
	src->out_pos += n;
	csv_count(buf, n, &src->quoted, &src->records, &src->line_open);
	return (ssize_t)n;
}

long long csv_source_records(const struct csv_source *src)
{
	return src->records;
}

long long csv_source_offset(const struct csv_source *src)
{
	return src->offset;
}

void csv_source_free(struct csv_source *src)
{
	if (src == NULL)
		return;
	if (src->file != NULL)
		(void)fclose(src->file);
	if (src->cd != (iconv_t)-1)
		(void)iconv_close(src->cd);
	free(src);
}
