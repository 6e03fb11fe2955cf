/* checkpoint.h — one line of the audit checkpoint file (<data_dir>/audit/checkpoints),
 * the anchor of the audit hash chain outside the database (SECURITY.md 8):
 *
 *   v1 <seq> <head hash: 64 lower-case hex> <time: YYYY-MM-DDTHH:MM:SSZ> <signature: 128 hex>\n
 *
 * seq is the chain's last entry (0 = the empty chain, whose hash is 32 zero
 * bytes), the time is UTC, and the Ed25519 signature covers the line's text
 * before the space that precedes it ("v1 … Z"). Pure: formatting and parsing
 * only; audit.c signs and verifies. */
#ifndef TCARD_CHECKPOINT_H
#define TCARD_CHECKPOINT_H

#include <stddef.h>

#define CHECKPOINT_HASH_BYTES      32
#define CHECKPOINT_SIGNATURE_BYTES 64
#define CHECKPOINT_SEQ_MAX         999999999999999999LL /* 18 digits */
/* Longest line with its newline: "v1 " + 18 + 1 + 64 + 1 + 20 + 1 + 128 + "\n". */
#define CHECKPOINT_LINE_MAX 240

struct checkpoint {
	long long seq;
	unsigned char hash[CHECKPOINT_HASH_BYTES];
	long long time; /* seconds since 1970-01-01 UTC, years 1970-9999 */
	unsigned char signature[CHECKPOINT_SIGNATURE_BYTES];
};

/* Writes the signed text "v1 SEQ HASH TIME" (no newline, NUL-terminated) into
 * out. Returns its length, or -1 when a field is out of range or size too small. */
int checkpoint_message(const struct checkpoint *cp, char *out, size_t size);
/* Writes the whole line, signature and newline included. Length or -1. */
int checkpoint_format(const struct checkpoint *cp, char *out, size_t size);
/* Parses exactly one line of len bytes (one trailing newline allowed). Returns
 * the length of its signed text (what checkpoint_message gives back), or -1
 * when the line is not exactly of the form above. */
int checkpoint_parse(const char *line, size_t len, struct checkpoint *cp);

#endif
