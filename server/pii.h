/* pii.h — protection of personal data at rest (SECURITY.md 10): national IDs
 * sealed with XChaCha20-Poly1305 and indexed with keyed BLAKE2b, both keys
 * derived from one master key kept in a file outside the database. */
#ifndef TCARD_PII_H
#define TCARD_PII_H

#include "err.h"

#include <stddef.h>

/* Loads the master key from path, creating it (mode 0600, 32 random bytes)
 * when absent. Call once before the workers start. */
int pii_init(const char *path, struct err *err);
void pii_release(void);

/* Sealed form: version byte, nonce, ciphertext + tag. */
#define PII_SEALED_ID_BYTES (1 + 24 + 18 + 16)
#define PII_INDEX_BYTES     32

/* Both take a normalized 18-character national ID. */
void pii_seal_national_id(const char *national_id, unsigned char out[PII_SEALED_ID_BYTES]);
void pii_index_national_id(const char *national_id, unsigned char out[PII_INDEX_BYTES]);
/* Opens a sealed ID into out (19 bytes). 0, or -1 when it was tampered with. */
int pii_open_national_id(const unsigned char *sealed, size_t len, char out[19]);

/* PostgreSQL bytea text form "\x…" of bytes, for a query parameter; out must
 * hold 2 * len + 3 bytes. Returns out. */
char *pii_bytea_hex(const unsigned char *bytes, size_t len, char *out);
/* Parses "\x…" back; returns the byte count or -1. */
int pii_bytea_parse(const char *text, unsigned char *out, size_t size);

#endif
