/* verify.c — `tcard verify`: decodes a QR token (doc/qr-token.md, version 1),
 * finds the key whose id it names among the public keys given, and checks the
 * Ed25519 signature. Offline: the live status (valid, suspended, withdrawn,
 * cancelled) is only known to the server; a valid signature says that the
 * claim was issued by whoever holds the key. The CLI shares no code with the
 * server: this is the format's second, independent reading. */
#include "verify.h"

#include <sodium.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VERIFY_KEYS_MAX  16
#define TOKEN_HEAD       18 /* version, key id, officer id, issued at, number length */
#define TOKEN_SIG        crypto_sign_BYTES
#define TOKEN_NUMBER_MIN 4
#define TOKEN_NUMBER_MAX 120
#define TOKEN_BYTES_MAX  (TOKEN_HEAD + TOKEN_NUMBER_MAX + TOKEN_SIG)

struct verify_key {
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char kid[4];
};

/* The key id: the first 4 bytes of BLAKE2b-256 of the public key. */
static void verify_key_id(struct verify_key *key)
{
	unsigned char hash[32];

	crypto_generichash(hash, sizeof(hash), key->pk, sizeof(key->pk), NULL, 0);
	memcpy(key->kid, hash, sizeof(key->kid));
}

/* Reads a public key file: 64 hex characters (the server's <kid>.pub) or
 * base64url (as GET /api/v1/keys publishes it), surrounding white space
 * allowed. 0, 1 when the text is no key, -1 when the file is unreadable. */
static int verify_read_key(const char *path, struct verify_key *key)
{
	char text[256];
	size_t len, start = 0, bin_len = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	len = fread(text, 1, sizeof(text) - 1, f);
	(void)fclose(f);
	text[len] = '\0';
	while (start < len && isspace((unsigned char)text[start]))
		start++;
	while (len > start && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	if (len - start == 2 * sizeof(key->pk)) {
		if (sodium_hex2bin(key->pk, sizeof(key->pk), text + start, len - start, NULL,
		                   &bin_len, NULL) != 0 ||
		    bin_len != sizeof(key->pk))
			return 1;
	} else if (sodium_base642bin(key->pk, sizeof(key->pk), text + start, len - start, NULL,
	                             &bin_len, NULL,
	                             sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	           bin_len != sizeof(key->pk)) {
		return 1;
	}
	verify_key_id(key);
	return 0;
}

/* The token of a verification URL (the part after the last "/v/", up to a '?'
 * or '#'), or the argument itself. */
static void verify_token_of(const char *arg, char *out, size_t size)
{
	const char *p = arg, *found;
	size_t len;

	while ((found = strstr(p, "/v/")) != NULL)
		p = found + 3;
	if (p == arg && strncmp(arg, "v/", 2) == 0)
		p = arg + 2;
	len = strcspn(p, "?#");
	if (len >= size)
		len = size - 1;
	memcpy(out, p, len);
	out[len] = '\0';
}

static uint64_t verify_be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int verify_usage(FILE *err)
{
	(void)fputs(
	        "用法 / usage: tcard verify TOKEN-or-URL --key PUBLIC_KEY_FILE [--key FILE …]\n",
	        err);
	return 64;
}

int verify_command(int argc, char **argv, FILE *out, FILE *err)
{
	struct verify_key keys[VERIFY_KEYS_MAX];
	unsigned char bin[TOKEN_BYTES_MAX + 1];
	char token[2 * TOKEN_BYTES_MAX], kid_hex[9], when[32];
	const char *arg = NULL;
	const struct verify_key *key = NULL;
	size_t nkeys = 0, len = 0, n, i;
	int a, rc;
	time_t at;

	if (sodium_init() < 0) {
		(void)fputs("tcard: libsodium could not start\n", err);
		return 70;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--key") == 0 && a + 1 < argc) {
			if (nkeys == VERIFY_KEYS_MAX)
				return verify_usage(err);
			rc = verify_read_key(argv[++a], &keys[nkeys]);
			if (rc < 0) {
				(void)fprintf(err,
				              "tcard: 无法读取公钥 / cannot read the key file %s\n",
				              argv[a]);
				return 66;
			}
			if (rc > 0) {
				(void)fprintf(err,
				              "tcard: %s 不是公钥 / is no Ed25519 public key\n",
				              argv[a]);
				return 64;
			}
			nkeys++;
		} else if (strncmp(argv[a], "--key=", 6) == 0 || argv[a][0] == '-' || arg != NULL) {
			return verify_usage(err);
		} else {
			arg = argv[a];
		}
	}
	if (arg == NULL || nkeys == 0)
		return verify_usage(err);

	verify_token_of(arg, token, sizeof(token));
	if (sodium_base642bin(bin, sizeof(bin), token, strlen(token), NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len < TOKEN_HEAD + TOKEN_NUMBER_MIN + TOKEN_SIG || bin[0] != 1) {
		(void)fputs("无效 / invalid: malformed\n", out);
		return 1;
	}
	n = bin[17];
	if (n < TOKEN_NUMBER_MIN || n > TOKEN_NUMBER_MAX || len != TOKEN_HEAD + n + TOKEN_SIG) {
		(void)fputs("无效 / invalid: malformed\n", out);
		return 1;
	}
	for (i = 0; i < nkeys && key == NULL; i++)
		if (memcmp(keys[i].kid, bin + 1, 4) == 0)
			key = &keys[i];
	(void)snprintf(kid_hex, sizeof(kid_hex), "%02x%02x%02x%02x", bin[1], bin[2], bin[3],
	               bin[4]);
	if (key == NULL) {
		(void)fprintf(out, "无效 / invalid: unknown_key %s\n", kid_hex);
		return 1;
	}
	if (crypto_sign_verify_detached(bin + TOKEN_HEAD + n, bin, TOKEN_HEAD + n, key->pk) != 0) {
		(void)fputs("无效 / invalid: bad_signature\n", out);
		return 1;
	}
	at = (time_t)verify_be(bin + 13, 4);
	(void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&at));
	(void)fprintf(out,
	              "签名有效 / valid signature\n"
	              "执法证号 / certificate: %.*s\n"
	              "人员编号 / officer id: %llu\n"
	              "签发时间 / issued at: %s\n"
	              "密钥 / key: %s\n"
	              "证件现时状态请扫码在线核验 / the live status is online only\n",
	              (int)n, (const char *)(bin + TOKEN_HEAD),
	              (unsigned long long)verify_be(bin + 5, 8), when, kid_hex);
	return 0;
}
