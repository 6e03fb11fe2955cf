/* sign.h — the signed QR token of a certificate (doc/qr-token.md): Ed25519
 * keys under <data_dir>/keys/qr with rotation, issuing a token with the
 * current key, and verifying one against every known public key without
 * touching the database. */
#ifndef TCARD_SIGN_H
#define TCARD_SIGN_H

#include "err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SIGN_NUMBER_MAX 120 /* bytes of a certificate number */
#define SIGN_TOKEN_MAX  320 /* characters of a token, NUL included */

/* What a token says. */
struct sign_claim {
	uint64_t officer_id;
	uint32_t issued_at; /* Unix seconds */
	char number[SIGN_NUMBER_MAX + 1];
};

enum sign_verdict {
	SIGN_VALID = 0,
	SIGN_MALFORMED,     /* not base64url, wrong length or version */
	SIGN_UNKNOWN_KEY,   /* no key with this id */
	SIGN_BAD_SIGNATURE, /* the signature does not hold */
};

/* Loads the keys of <data_dir>/keys/qr, creating the directory and a first
 * key when there is none. 0, or -1 with err. */
int sign_start(const char *data_dir, struct err *err);
/* Forgets the keys (wipes the secret). Safe twice. */
void sign_stop(void);
/* tcardd --rotate-qr-key: adds a key and makes it current; writes its id
 * (8 hex characters) into kid. 0, or -1 with err. */
int sign_rotate(const char *data_dir, char kid[9], struct err *err);

/* Encodes claim and signs it with the current key into out (base64url, NUL
 * terminated). 0, or -1 (no key, number too long or too short, out too small). */
int sign_token_issue(const struct sign_claim *claim, char *out, size_t size);
/* Decodes and checks token; fills claim (and kid, 8 hex characters, when not
 * NULL) when SIGN_VALID. Never touches the database. */
enum sign_verdict sign_token_verify(const char *token, struct sign_claim *claim, char kid[9]);
/* "valid", "malformed", "unknown_key", "bad_signature". */
const char *sign_verdict_name(enum sign_verdict v);
/* {"keys": [{"kid", "alg": "Ed25519", "public_key" (base64url), "current"}]};
 * a new reference, or NULL when out of memory. */
json_t *sign_keys_json(void);

/* The public base URL a QR code starts with (tcardd --public-url, without a
 * trailing slash): the code holds <public URL>/v/<token>. Set once at start-up
 * before serving; borrowed, "" until set. */
void sign_set_public_url(const char *url);
const char *sign_public_url(void);

#endif
