/* checkpoint.c — the audit checkpoint line: format and strict parse (see
 * checkpoint.h). A line is accepted only in the exact form this file writes:
 * the parser re-formats what it read and compares, so there is one spelling
 * of every checkpoint. */
#include "checkpoint.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char checkpoint_hex_digits[] = "0123456789abcdef";

static void checkpoint_hex(const unsigned char *bytes, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = checkpoint_hex_digits[bytes[i] >> 4];
		out[2 * i + 1] = checkpoint_hex_digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

static int checkpoint_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes exactly 2n lower-case hex digits. */
static int checkpoint_unhex(const char *text, unsigned char *out, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		hi = checkpoint_nibble(text[2 * i]);
		lo = checkpoint_nibble(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Writes the time as YYYY-MM-DDTHH:MM:SSZ into out[21]. */
static int checkpoint_time_text(long long seconds, char out[21])
{
	time_t t = (time_t)seconds;
	struct tm tm;

	if (seconds < 0 || seconds > 253402300799LL /* 9999-12-31T23:59:59Z */ ||
	    gmtime_r(&t, &tm) == NULL)
		return -1;
	return strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 20 ? 0 : -1;
}

int checkpoint_message(const struct checkpoint *cp, char *out, size_t size)
{
	char hash[2 * CHECKPOINT_HASH_BYTES + 1], when[21];
	int n;

	if (cp->seq < 0 || cp->seq > CHECKPOINT_SEQ_MAX || checkpoint_time_text(cp->time, when))
		return -1;
	checkpoint_hex(cp->hash, sizeof(cp->hash), hash);
	n = snprintf(out, size, "v1 %lld %s %s", cp->seq, hash, when);
	return n > 0 && (size_t)n < size ? n : -1;
}

int checkpoint_format(const struct checkpoint *cp, char *out, size_t size)
{
	char signature[2 * CHECKPOINT_SIGNATURE_BYTES + 1];
	int n = checkpoint_message(cp, out, size);

	if (n < 0)
		return -1;
	checkpoint_hex(cp->signature, sizeof(cp->signature), signature);
	if ((size_t)n + 1 + sizeof(signature) - 1 + 1 >= size)
		return -1;
	out[n] = ' ';
	memcpy(out + n + 1, signature, sizeof(signature) - 1);
	n += 1 + (int)sizeof(signature) - 1;
	out[n++] = '\n';
	out[n] = '\0';
	return n;
}

/* Reads a YYYY-MM-DDTHH:MM:SSZ time; the caller's re-formatting rejects days
 * that do not exist (timegm would roll them over). */
static int checkpoint_parse_time(const char *text, long long *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	struct tm tm;
	int i, value[6] = {0}, field = 0;
	time_t t;

	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] != 'd') {
			if (text[i] != shape[i])
				return -1;
			field++;
			continue;
		}
		if (text[i] < '0' || text[i] > '9')
			return -1;
		value[field] = value[field] * 10 + (text[i] - '0');
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = value[0] - 1900;
	tm.tm_mon = value[1] - 1;
	tm.tm_mday = value[2];
	tm.tm_hour = value[3];
	tm.tm_min = value[4];
	tm.tm_sec = value[5];
	if (value[1] < 1 || value[1] > 12 || value[2] < 1 || value[3] > 23 || value[4] > 59 ||
	    value[5] > 59)
		return -1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = (long long)t;
	return 0;
}

int checkpoint_parse(const char *line, size_t len, struct checkpoint *cp)
{
	char again[CHECKPOINT_LINE_MAX + 1];
	const char *p, *end;
	size_t digits;
	int message_len;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len >= CHECKPOINT_LINE_MAX || memchr(line, '\0', len) != NULL || len < 3 ||
	    memcmp(line, "v1 ", 3) != 0)
		return -1;
	end = line + len;
	p = line + 3;
	memset(cp, 0, sizeof(*cp));
	/* At most 18 digits are summed: a 19th would overflow before it is refused. */
	for (digits = 0; p < end && *p >= '0' && *p <= '9' && digits <= 18; p++, digits++)
		if (digits < 18)
			cp->seq = cp->seq * 10 + (*p - '0');
	if (digits == 0 || digits > 18 || p >= end || *p++ != ' ')
		return -1;
	if (end - p < 2 * CHECKPOINT_HASH_BYTES + 1 ||
	    checkpoint_unhex(p, cp->hash, CHECKPOINT_HASH_BYTES) != 0 ||
	    p[2 * CHECKPOINT_HASH_BYTES] != ' ')
		return -1;
	p += 2 * CHECKPOINT_HASH_BYTES + 1;
	if (end - p < 21 || checkpoint_parse_time(p, &cp->time) != 0 || p[20] != ' ')
		return -1;
	p += 21;
	if (end - p != 2 * CHECKPOINT_SIGNATURE_BYTES ||
	    checkpoint_unhex(p, cp->signature, CHECKPOINT_SIGNATURE_BYTES) != 0)
		return -1;
	/* One spelling only: no leading zeros, no rolled-over days. */
	message_len = checkpoint_message(cp, again, sizeof(again));
	if (message_len < 0 || (size_t)message_len != (size_t)(p - 1 - line) ||
	    memcmp(again, line, (size_t)message_len) != 0)
		return -1;
	return message_len;
}
