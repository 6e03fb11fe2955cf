/* sign.c — the signed QR token of a certificate (doc/qr-token.md): the keys
 * under <data_dir>/keys/qr, loaded once by sign_start and read-only while the
 * server runs (so verifying from many threads needs no lock), rotation as an
 * offline command, issuing and strictly verifying tokens. */
#include "sign.h"

#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIGN_VERSION    0x01
#define SIGN_HEADER     18 /* version, kid, officer id, issued at, n */
#define SIGN_NUMBER_MIN 4
#define SIGN_KEYS_MAX   64
#define SIGN_KID_BYTES  4
#define SIGN_BYTES_MAX  (SIGN_HEADER + SIGN_NUMBER_MAX + crypto_sign_BYTES)
#define SIGN_URL_MAX    256

struct sign_key {
	unsigned char kid[SIGN_KID_BYTES];
	char kid_hex[9];
	unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
	unsigned char *secret_key; /* sodium_malloc'd; NULL for a key known by its .pub only */
};

/* Written by sign_start and sign_stop only (start-up and shutdown, one
 * thread); read by everything else. */
static struct {
	struct sign_key keys[SIGN_KEYS_MAX];
	size_t count;
	int current; /* index of the signing key, -1 when none */
	char public_url[SIGN_URL_MAX];
} sign_global = {.current = -1};

/* ---------------------------------------------------------------- key files */

static int sign_path(char *out, size_t size, const char *dir, const char *name, const char *suffix,
                     struct err *err)
{
	int n = snprintf(out, size, "%s/%s%s", dir, name, suffix);

	if (n < 0 || (size_t)n >= size)
		return err_set(err, "the path %s/%s%s is too long", dir, name, suffix);
	return 0;
}

/* The key id of a public key: the first 4 bytes of its BLAKE2b-256. */
static void sign_kid_of(const unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
                        unsigned char kid[SIGN_KID_BYTES], char kid_hex[9])
{
	unsigned char hash[crypto_generichash_BYTES];

	(void)crypto_generichash(hash, sizeof(hash), public_key, crypto_sign_PUBLICKEYBYTES, NULL,
	                         0);
	memcpy(kid, hash, SIGN_KID_BYTES);
	(void)sodium_bin2hex(kid_hex, 9, kid, SIGN_KID_BYTES);
}

static int sign_kid_form(const char *text, size_t len)
{
	size_t i;

	if (len != 8)
		return 0;
	for (i = 0; i < len; i++)
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
			return 0;
	return 1;
}

static int sign_qr_dir(char *out, size_t size, const char *data_dir, struct err *err)
{
	char keys[PATH_MAX];

	if (sign_path(keys, sizeof(keys), data_dir, "keys", "", err) != 0 ||
	    sign_path(out, size, keys, "qr", "", err) != 0 || fs_mkdirs(data_dir, 0755, err) != 0)
		return -1;
	if (mkdir(keys, 0700) != 0 && errno != EEXIST)
		return err_set(err, "cannot create %s: %s", keys, strerror(errno));
	if (mkdir(out, 0700) != 0 && errno != EEXIST)
		return err_set(err, "cannot create %s: %s", out, strerror(errno));
	return 0;
}

/* Writes len bytes to path, created with mode (exclusive when excl), synced. */
static int sign_write_file(const char *path, const void *data, size_t len, mode_t mode, int excl,
                           struct err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (excl ? O_EXCL : O_TRUNC),
	              mode);

	if (fd < 0)
		return err_set(err, "cannot create %s: %s", path, strerror(errno));
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) != 0) {
		(void)close(fd);
		(void)unlink(path);
		return err_set(err, "cannot write %s", path);
	}
	if (close(fd) != 0)
		return err_set(err, "cannot write %s", path);
	return 0;
}

/* Makes the file `current` name kid_hex (written aside, then renamed). */
static int sign_write_current(const char *dir, const char *kid_hex, struct err *err)
{
	char path[PATH_MAX], temp[PATH_MAX], line[10];

	if (sign_path(path, sizeof(path), dir, "current", "", err) != 0 ||
	    sign_path(temp, sizeof(temp), dir, "current", ".new", err) != 0)
		return -1;
	(void)snprintf(line, sizeof(line), "%s\n", kid_hex);
	(void)unlink(temp);
	if (sign_write_file(temp, line, 9, 0644, 1, err) != 0)
		return -1;
	if (rename(temp, path) != 0)
		return err_set(err, "cannot rename %s: %s", temp, strerror(errno));
	return 0;
}

/* Creates a key in dir (<kid>.seed 0600, <kid>.pub 0644) and makes it current. */
static int sign_create_key(const char *dir, char kid_hex[9], struct err *err)
{
	unsigned char seed[crypto_sign_SEEDBYTES], public_key[crypto_sign_PUBLICKEYBYTES],
	        secret_key[crypto_sign_SECRETKEYBYTES], kid[SIGN_KID_BYTES];
	char path[PATH_MAX], text[2 * crypto_sign_PUBLICKEYBYTES + 2];
	int rc = -1;

	randombytes_buf(seed, sizeof(seed));
	(void)crypto_sign_seed_keypair(public_key, secret_key, seed);
	sign_kid_of(public_key, kid, kid_hex);
	if (sign_path(path, sizeof(path), dir, kid_hex, ".seed", err) != 0 ||
	    sign_write_file(path, seed, sizeof(seed), 0600, 1, err) != 0)
		goto done;
	(void)sodium_bin2hex(text, sizeof(text), public_key, sizeof(public_key));
	text[2 * crypto_sign_PUBLICKEYBYTES] = '\n';
	if (sign_path(path, sizeof(path), dir, kid_hex, ".pub", err) != 0 ||
	    sign_write_file(path, text, 2 * crypto_sign_PUBLICKEYBYTES + 1, 0644, 0, err) != 0 ||
	    sign_write_current(dir, kid_hex, err) != 0)
		goto done;
	rc = 0;
done:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(secret_key, sizeof(secret_key));
	return rc;
}

static struct sign_key *sign_find_hex(const char *kid_hex)
{
	size_t i;

	for (i = 0; i < sign_global.count; i++)
		if (strcmp(sign_global.keys[i].kid_hex, kid_hex) == 0)
			return &sign_global.keys[i];
	return NULL;
}

/* Adds a public key under kid_hex, which must be its id. */
static struct sign_key *sign_add(const char *kid_hex,
                                 const unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
                                 const char *path, struct err *err)
{
	struct sign_key *key = sign_find_hex(kid_hex);
	unsigned char kid[SIGN_KID_BYTES];
	char computed[9];

	sign_kid_of(public_key, kid, computed);
	if (strcmp(computed, kid_hex) != 0) {
		err_set(err, "the key file %s does not hold key %s", path, kid_hex);
		return NULL;
	}
	if (key != NULL)
		return key;
	if (sign_global.count == SIGN_KEYS_MAX) {
		err_set(err, "more than %d QR keys", SIGN_KEYS_MAX);
		return NULL;
	}
	key = &sign_global.keys[sign_global.count++];
	memcpy(key->kid, kid, sizeof(kid));
	memcpy(key->kid_hex, kid_hex, 9);
	memcpy(key->public_key, public_key, crypto_sign_PUBLICKEYBYTES);
	key->secret_key = NULL;
	return key;
}

/* Loads <kid>.seed: the key pair, refusing a file others may read. */
static int sign_load_seed(const char *dir, const char *kid_hex, struct err *err)
{
	unsigned char seed[crypto_sign_SEEDBYTES + 1], public_key[crypto_sign_PUBLICKEYBYTES];
	char path[PATH_MAX];
	struct sign_key *key;
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	if (sign_path(path, sizeof(path), dir, kid_hex, ".seed", err) != 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_set(err, "cannot open the key file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
		(void)close(fd);
		return err_set(
		        err, "the key file %s must not be readable by group or others (chmod 600)",
		        path);
	}
	n = read(fd, seed, sizeof(seed));
	(void)close(fd);
	if (n != (ssize_t)crypto_sign_SEEDBYTES) {
		err_set(err, "the key file %s is damaged (expected %d bytes)", path,
		        crypto_sign_SEEDBYTES);
		goto done;
	}
	{
		unsigned char secret_key[crypto_sign_SECRETKEYBYTES];

		(void)crypto_sign_seed_keypair(public_key, secret_key, seed);
		key = sign_add(kid_hex, public_key, path, err);
		if (key == NULL) {
			sodium_memzero(secret_key, sizeof(secret_key));
			goto done;
		}
		if (key->secret_key == NULL) {
			key->secret_key = sodium_malloc(crypto_sign_SECRETKEYBYTES);
			if (key->secret_key == NULL) {
				sodium_memzero(secret_key, sizeof(secret_key));
				err_set(err, "out of memory");
				goto done;
			}
			memcpy(key->secret_key, secret_key, sizeof(secret_key));
			(void)sodium_mprotect_readonly(key->secret_key);
		}
		sodium_memzero(secret_key, sizeof(secret_key));
	}
	rc = 0;
done:
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

/* Reads the first line of a small file (no symbolic link) into text, without
 * its newline: 1 read, 0 absent, -1 with err. */
static int sign_read_line(const char *path, char *text, size_t size, struct err *err)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return err_set(err, "cannot open %s: %s", path, strerror(errno));
	n = read(fd, text, size - 1);
	(void)close(fd);
	if (n < 0)
		return err_set(err, "cannot read %s: %s", path, strerror(errno));
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	return 1;
}

/* Loads <kid>.pub: 64 hex characters and an optional newline. */
static int sign_load_pub(const char *dir, const char *kid_hex, struct err *err)
{
	unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
	char path[PATH_MAX], text[2 * crypto_sign_PUBLICKEYBYTES + 4];
	size_t bin_len;

	if (sign_path(path, sizeof(path), dir, kid_hex, ".pub", err) != 0)
		return -1;
	if (sign_read_line(path, text, sizeof(text), err) <= 0)
		return err_set(err, "cannot read the key file %s", path);
	if (strlen(text) != 2 * crypto_sign_PUBLICKEYBYTES ||
	    sodium_hex2bin(public_key, sizeof(public_key), text, strlen(text), NULL, &bin_len,
	                   NULL) != 0 ||
	    bin_len != sizeof(public_key))
		return err_set(err, "the key file %s is damaged (expected 64 hex characters)",
		               path);
	return sign_add(kid_hex, public_key, path, err) != NULL ? 0 : -1;
}

/* Reads `current` into kid_hex: 1 read, 0 absent, -1 with err. */
static int sign_read_current(const char *dir, char kid_hex[9], struct err *err)
{
	char path[PATH_MAX], text[16];
	int rc;

	if (sign_path(path, sizeof(path), dir, "current", "", err) != 0)
		return -1;
	rc = sign_read_line(path, text, sizeof(text), err);
	if (rc <= 0)
		return rc;
	if (!sign_kid_form(text, strlen(text)))
		return err_set(err, "%s must name a key (8 lower-case hex characters)", path);
	memcpy(kid_hex, text, 9);
	return 1;
}

/* Loads every <kid>.seed, then every <kid>.pub of dir. */
static int sign_load_dir(const char *dir, struct err *err)
{
	DIR *d;
	struct dirent *entry;
	int pass, rc = 0;
	char kid_hex[9];

	for (pass = 0; pass < 2 && rc == 0; pass++) {
		const char *suffix = pass == 0 ? ".seed" : ".pub";

		d = opendir(dir);
		if (d == NULL)
			return err_set(err, "cannot open %s: %s", dir, strerror(errno));
		while (rc == 0 && (entry = readdir(d)) != NULL) {
			const char *dot = strchr(entry->d_name, '.');

			if (dot == NULL || strcmp(dot, suffix) != 0 ||
			    !sign_kid_form(entry->d_name, (size_t)(dot - entry->d_name)))
				continue;
			memcpy(kid_hex, entry->d_name, 8);
			kid_hex[8] = '\0';
			rc = pass == 0 ? sign_load_seed(dir, kid_hex, err)
			               : sign_load_pub(dir, kid_hex, err);
		}
		(void)closedir(d);
	}
	return rc;
}

int sign_start(const char *data_dir, struct err *err)
{
	char dir[PATH_MAX], kid_hex[9];
	struct sign_key *key;
	int has_current;

	sign_stop();
	if (sodium_init() < 0)
		return err_set(err, "libsodium cannot start");
	if (sign_qr_dir(dir, sizeof(dir), data_dir, err) != 0 || sign_load_dir(dir, err) != 0)
		goto fail;
	has_current = sign_read_current(dir, kid_hex, err);
	if (has_current < 0)
		goto fail;
	if (has_current == 0) {
		if (sign_global.count != 0) {
			err_set(err, "%s/current is missing: it must name the signing key", dir);
			goto fail;
		}
		/* The first start: a key of our own. */
		if (sign_create_key(dir, kid_hex, err) != 0 ||
		    sign_load_seed(dir, kid_hex, err) != 0)
			goto fail;
	}
	key = sign_find_hex(kid_hex);
	if (key == NULL || key->secret_key == NULL) {
		err_set(err, "the current QR key %s has no %s/%s.seed", kid_hex, dir, kid_hex);
		goto fail;
	}
	sign_global.current = (int)(key - sign_global.keys);
	return 0;
fail:
	sign_stop();
	return -1;
}

void sign_stop(void)
{
	size_t i;

	for (i = 0; i < sign_global.count; i++)
		sodium_free(sign_global.keys[i].secret_key); /* wipes it */
	sodium_memzero(sign_global.keys, sizeof(sign_global.keys));
	sign_global.count = 0;
	sign_global.current = -1;
}

int sign_rotate(const char *data_dir, char kid[9], struct err *err)
{
	char dir[PATH_MAX];

	if (sodium_init() < 0)
		return err_set(err, "libsodium cannot start");
	if (sign_qr_dir(dir, sizeof(dir), data_dir, err) != 0)
		return -1;
	return sign_create_key(dir, kid, err);
}

void sign_set_public_url(const char *url)
{
	size_t len = strlen(url);

	while (len > 0 && url[len - 1] == '/')
		len--; /* "https://x/" + "/v/…" would double the slash */
	if (len >= sizeof(sign_global.public_url))
		len = 0;
	memcpy(sign_global.public_url, url, len);
	sign_global.public_url[len] = '\0';
}

const char *sign_public_url(void)
{
	return sign_global.public_url;
}

/* ---------------------------------------------------------------- tokens */

static void sign_put_be(unsigned char *out, uint64_t value, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		out[i] = (unsigned char)(value & 0xff);
		value >>= 8;
	}
}

static uint64_t sign_get_be(const unsigned char *in, int bytes)
{
	uint64_t value = 0;
	int i;

	for (i = 0; i < bytes; i++)
		value = (value << 8) | in[i];
	return value;
}

int sign_token_issue(const struct sign_claim *claim, char *out, size_t size)
{
	unsigned char raw[SIGN_BYTES_MAX];
	const struct sign_key *key;
	size_t n, len;

	if (sign_global.current < 0)
		return -1;
	key = &sign_global.keys[sign_global.current];
	n = strnlen(claim->number, sizeof(claim->number));
	if (n < SIGN_NUMBER_MIN || n > SIGN_NUMBER_MAX)
		return -1;
	len = SIGN_HEADER + n + crypto_sign_BYTES;
	if (size < sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return -1;
	raw[0] = SIGN_VERSION;
	memcpy(raw + 1, key->kid, SIGN_KID_BYTES);
	sign_put_be(raw + 5, claim->officer_id, 8);
	sign_put_be(raw + 13, claim->issued_at, 4);
	raw[17] = (unsigned char)n;
	memcpy(raw + SIGN_HEADER, claim->number, n);
	(void)crypto_sign_detached(raw + SIGN_HEADER + n, NULL, raw, SIGN_HEADER + n,
	                           key->secret_key);
	(void)sodium_bin2base64(out, size, raw, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

enum sign_verdict sign_token_verify(const char *token, struct sign_claim *claim, char kid[9])
{
	unsigned char raw[SIGN_BYTES_MAX];
	char again[SIGN_TOKEN_MAX];
	const struct sign_key *key = NULL;
	size_t token_len, len, n, i;

	if (token == NULL)
		return SIGN_MALFORMED;
	token_len = strnlen(token, SIGN_TOKEN_MAX);
	if (token_len == SIGN_TOKEN_MAX)
		return SIGN_MALFORMED;
	/* Strict: only the URL-safe alphabet, no padding, and the canonical
	 * encoding (re-encoding gives the same text, so no unused bit is set). */
	if (sodium_base642bin(raw, sizeof(raw), token, token_len, NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len < SIGN_HEADER + SIGN_NUMBER_MIN + crypto_sign_BYTES)
		return SIGN_MALFORMED;
	(void)sodium_bin2base64(again, sizeof(again), raw, len,
	                        sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (strcmp(again, token) != 0)
		return SIGN_MALFORMED;
	n = raw[17];
	if (raw[0] != SIGN_VERSION || n < SIGN_NUMBER_MIN || n > SIGN_NUMBER_MAX ||
	    len != SIGN_HEADER + n + crypto_sign_BYTES ||
	    memchr(raw + SIGN_HEADER, '\0', n) != NULL)
		return SIGN_MALFORMED;
	for (i = 0; i < sign_global.count && key == NULL; i++)
		if (memcmp(sign_global.keys[i].kid, raw + 1, SIGN_KID_BYTES) == 0)
			key = &sign_global.keys[i];
	if (key == NULL)
		return SIGN_UNKNOWN_KEY;
	if (crypto_sign_verify_detached(raw + SIGN_HEADER + n, raw, SIGN_HEADER + n,
	                                key->public_key) != 0)
		return SIGN_BAD_SIGNATURE;
	if (claim != NULL) {
		claim->officer_id = sign_get_be(raw + 5, 8);
		claim->issued_at = (uint32_t)sign_get_be(raw + 13, 4);
		memcpy(claim->number, raw + SIGN_HEADER, n);
		claim->number[n] = '\0';
	}
	if (kid != NULL)
		memcpy(kid, key->kid_hex, 9);
	return SIGN_VALID;
}

const char *sign_verdict_name(enum sign_verdict v)
{
	switch (v) {
	case SIGN_VALID:
		return "valid";
	case SIGN_MALFORMED:
		return "malformed";
	case SIGN_UNKNOWN_KEY:
		return "unknown_key";
	case SIGN_BAD_SIGNATURE:
		return "bad_signature";
	}
	return "malformed";
}

json_t *sign_keys_json(void)
{
	json_t *keys = json_array(), *key;
	char public_key[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES,
	                                          sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	size_t i;

	for (i = 0; keys != NULL && i < sign_global.count; i++) {
		(void)sodium_bin2base64(public_key, sizeof(public_key),
		                        sign_global.keys[i].public_key, crypto_sign_PUBLICKEYBYTES,
		                        sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		key = json_pack("{s:s, s:s, s:s, s:b}", "kid", sign_global.keys[i].kid_hex, "alg",
		                "Ed25519", "public_key", public_key, "current",
		                (int)i == sign_global.current);
		if (key == NULL || json_array_append_new(keys, key) != 0) {
			json_decref(keys);
			return NULL;
		}
	}
	return keys != NULL ? json_pack("{s:o}", "keys", keys) : NULL;
}
