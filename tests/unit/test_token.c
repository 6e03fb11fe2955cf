/* test_token.c — unit tests for sign.c, the signed QR token (doc/qr-token.md):
 * round trip, the binary layout, every single-character and single-bit tamper
 * and every truncation failing, strict base64url, unknown keys, rotation
 * (old tokens keep verifying, a .pub alone verifies) and the key files.
 * Keys live in a temp dir; nothing else is touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sign.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* A fresh data dir (malloc'd path). */
static char *make_dir(void)
{
	char *dir = strdup("/tmp/tcard-token-XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void remove_dir(char *dir)
{
	char command[600];

	(void)snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
	free(dir);
}

static void start(const char *dir)
{
	struct err err = {{0}};

	if (sign_start(dir, &err) != 0)
		fail_msg("sign_start: %s", err.message);
}

static struct sign_claim claim_of(uint64_t officer, uint32_t at, const char *number)
{
	struct sign_claim c;

	memset(&c, 0, sizeof(c));
	c.officer_id = officer;
	c.issued_at = at;
	(void)snprintf(c.number, sizeof(c.number), "%s", number);
	return c;
}

static void issue(const struct sign_claim *c, char token[SIGN_TOKEN_MAX])
{
	assert_int_equal(sign_token_issue(c, token, SIGN_TOKEN_MAX), 0);
}

/* The current kid according to sign_keys_json. */
static void current_kid(char out[9])
{
	json_t *doc = sign_keys_json(), *key;
	size_t i;
	int found = 0;

	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "keys"), i, key)
	{
		if (json_is_true(json_object_get(key, "current"))) {
			(void)snprintf(out, 9, "%s",
			               json_string_value(json_object_get(key, "kid")));
			found++;
		}
	}
	json_decref(doc);
	assert_int_equal(found, 1);
}

static void test_token_round_trip_gives_back_the_claim(void **state)
{
	char *dir = make_dir(), token[SIGN_TOKEN_MAX], kid[9], current[9];
	struct sign_claim in = claim_of(123456789012ULL, 1700000000u, "粤梅2022000123"), out;

	(void)state;
	start(dir);
	issue(&in, token);
	/* 18 + 16 + 64 = 98 bytes → 131 characters (doc/qr-token.md). */
	assert_int_equal(strlen(token), 131);
	memset(&out, 0, sizeof(out));
	assert_int_equal(sign_token_verify(token, &out, kid), SIGN_VALID);
	assert_true(out.officer_id == in.officer_id);
	assert_int_equal(out.issued_at, in.issued_at);
	assert_string_equal(out.number, "粤梅2022000123");
	current_kid(current);
	assert_string_equal(kid, current);
	assert_string_equal(sign_verdict_name(SIGN_VALID), "valid");
	sign_stop();
	remove_dir(dir);
}

static void test_token_layout_follows_the_document(void **state)
{
	char *dir = make_dir(), token[SIGN_TOKEN_MAX], kid[9], kid_hex[9], path[600], pub[80];
	unsigned char raw[256], pk[32], hash[32];
	struct sign_claim in = claim_of(0x0102030405060708ULL, 0x0a0b0c0dU, "AB-1234");
	size_t len, pk_len;
	FILE *f;

	(void)state;
	start(dir);
	issue(&in, token);
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), token, strlen(token), NULL, &len, NULL,
	                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	                 0);
	assert_int_equal(len, 18 + 7 + 64);
	assert_int_equal(raw[0], 1);
	assert_memory_equal(raw + 5, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_memory_equal(raw + 13, "\x0a\x0b\x0c\x0d", 4);
	assert_int_equal(raw[17], 7);
	assert_memory_equal(raw + 18, "AB-1234", 7);
	/* The key id is BLAKE2b-256 of the public key in <kid>.pub, first 4 bytes. */
	assert_int_equal(sign_token_verify(token, NULL, kid), SIGN_VALID);
	(void)snprintf(path, sizeof(path), "%s/keys/qr/%s.pub", dir, kid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(pub, sizeof(pub), f));
	(void)fclose(f);
	pub[strcspn(pub, "\n")] = '\0';
	assert_int_equal(sodium_hex2bin(pk, sizeof(pk), pub, strlen(pub), NULL, &pk_len, NULL), 0);
	assert_int_equal(pk_len, 32);
	(void)crypto_generichash(hash, sizeof(hash), pk, sizeof(pk), NULL, 0);
	(void)sodium_bin2hex(kid_hex, sizeof(kid_hex), hash, 4);
	assert_string_equal(kid_hex, kid);
	assert_memory_equal(raw + 1, hash, 4);
	/* The signature holds over bytes 0 … 17 + n with that public key. */
	assert_int_equal(crypto_sign_verify_detached(raw + 25, raw, 25, pk), 0);
	sign_stop();
	remove_dir(dir);
}

static void test_token_every_changed_character_fails(void **state)
{
	char *dir = make_dir(), token[SIGN_TOKEN_MAX], tampered[SIGN_TOKEN_MAX];
	struct sign_claim in = claim_of(42, 1700000000u, "粤梅2022000123");
	const char *others = "=+/ .~%\t";
	size_t len, i, j, tried = 0;

	(void)state;
	start(dir);
	issue(&in, token);
	len = strlen(token);
	for (i = 0; i < len; i++) {
		for (j = 0; j < sizeof(alphabet) - 1 + strlen(others); j++) {
			char c = j < sizeof(alphabet) - 1 ? alphabet[j]
			                                  : others[j - (sizeof(alphabet) - 1)];

			if (c == token[i])
				continue;
			memcpy(tampered, token, len + 1);
			tampered[i] = c;
			if (sign_token_verify(tampered, NULL, NULL) == SIGN_VALID)
				fail_msg("changing character %zu to '%c' still verifies", i, c);
			tried++;
		}
	}
	assert_true(tried > len * 64);
	assert_int_equal(sign_token_verify(token, NULL, NULL), SIGN_VALID);
	sign_stop();
	remove_dir(dir);
}

static void test_token_every_changed_bit_fails_for_its_reason(void **state)
{
	char *dir = make_dir(), token[SIGN_TOKEN_MAX], tampered[SIGN_TOKEN_MAX];
	unsigned char raw[256];
	struct sign_claim in = claim_of(7, 1700000000u, "粤梅-00001");
	size_t len, i;
	int bit;
	enum sign_verdict v, expected;

	(void)state;
	start(dir);
	issue(&in, token);
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), token, strlen(token), NULL, &len, NULL,
	                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	                 0);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			raw[i] ^= (unsigned char)(1u << bit);
			(void)sodium_bin2base64(tampered, sizeof(tampered), raw, len,
			                        sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			raw[i] ^= (unsigned char)(1u << bit);
			v = sign_token_verify(tampered, NULL, NULL);
			/* Version and length byte: malformed; key id: unknown key
			 * (one key only); anything else: the signature. */
			expected = i == 0 || i == 17 ? SIGN_MALFORMED
			           : i < 5           ? SIGN_UNKNOWN_KEY
			                             : SIGN_BAD_SIGNATURE;
			if (v != expected)
				fail_msg("byte %zu bit %d: %s, expected %s", i, bit,
				         sign_verdict_name(v), sign_verdict_name(expected));
		}
	}
	sign_stop();
	remove_dir(dir);
}

static void test_token_every_truncation_and_extension_fails(void **state)
{
	char *dir = make_dir(), token[SIGN_TOKEN_MAX], cut[SIGN_TOKEN_MAX];
	struct sign_claim in = claim_of(9, 1, "粤梅2022000123");
	size_t len, n, j;

	(void)state;
	start(dir);
	issue(&in, token);
	len = strlen(token);
	for (n = 0; n < len; n++) {
		memcpy(cut, token, n);
		cut[n] = '\0';
		if (sign_token_verify(cut, NULL, NULL) != SIGN_MALFORMED)
			fail_msg("token cut to %zu characters: %s", n,
			         sign_verdict_name(sign_token_verify(cut, NULL, NULL)));
	}
	for (j = 0; j < sizeof(alphabet) - 1; j++) {
		memcpy(cut, token, len);
		cut[len] = alphabet[j];
		cut[len + 1] = '\0';
		assert_int_not_equal(sign_token_verify(cut, NULL, NULL), SIGN_VALID);
	}
	assert_int_equal(sign_token_verify("", NULL, NULL), SIGN_MALFORMED);
	assert_int_equal(sign_token_verify(NULL, NULL, NULL), SIGN_MALFORMED);
	sign_stop();
	remove_dir(dir);
}

static void test_token_only_strict_base64url_is_read(void **state)
{
	char *dir = make_dir(), token[SIGN_TOKEN_MAX], other[SIGN_TOKEN_MAX * 2];
	unsigned char raw[256];
	struct sign_claim in = claim_of(9, 1, "ABCDEFGH");
	size_t len, i;

	(void)state;
	start(dir);
	/* 18 + 8 + 64 = 90 bytes: a multiple of 3, so no padding would be due;
	 * find a token whose standard base64 differs (has '+' or '/'). */
	for (in.issued_at = 1;; in.issued_at++) {
		issue(&in, token);
		if (strpbrk(token, "-_") != NULL)
			break;
	}
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), token, strlen(token), NULL, &len, NULL,
	                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	                 0);
	(void)sodium_bin2base64(other, sizeof(other), raw, len, sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(sign_token_verify(other, NULL, NULL), SIGN_MALFORMED);
	(void)sodium_bin2base64(other, sizeof(other), raw, len, sodium_base64_VARIANT_URLSAFE);
	assert_string_equal(other, token); /* no padding for 90 bytes: same text */
	/* Padding, white space and line breaks are refused. */
	(void)snprintf(other, sizeof(other), "%s=", token);
	assert_int_equal(sign_token_verify(other, NULL, NULL), SIGN_MALFORMED);
	(void)snprintf(other, sizeof(other), "%s==", token);
	assert_int_equal(sign_token_verify(other, NULL, NULL), SIGN_MALFORMED);
	(void)snprintf(other, sizeof(other), " %s", token);
	assert_int_equal(sign_token_verify(other, NULL, NULL), SIGN_MALFORMED);
	(void)snprintf(other, sizeof(other), "%.40s\n%s", token, token + 40);
	assert_int_equal(sign_token_verify(other, NULL, NULL), SIGN_MALFORMED);
	/* A 98-byte token's last 2 bytes take 3 characters, the last of them
	 * with 2 unused bits: set, they would spell the same bytes another way,
	 * which is refused like any other change of that character. */
	in = claim_of(9, 1, "粤梅2022000123");
	issue(&in, token);
	len = strlen(token);
	for (i = 0; i < 64; i++) {
		(void)snprintf(other, sizeof(other), "%s", token);
		other[len - 1] = alphabet[i];
		if (other[len - 1] != token[len - 1])
			assert_int_not_equal(sign_token_verify(other, NULL, NULL), SIGN_VALID);
	}
	/* A token longer than any valid one. */
	memset(other, 'A', SIGN_TOKEN_MAX + 10);
	other[SIGN_TOKEN_MAX + 10] = '\0';
	assert_int_equal(sign_token_verify(other, NULL, NULL), SIGN_MALFORMED);
	sign_stop();
	remove_dir(dir);
}

static void test_token_of_another_key_is_an_unknown_key(void **state)
{
	char *dir_a = make_dir(), *dir_b = make_dir(), token[SIGN_TOKEN_MAX];
	struct sign_claim in = claim_of(5, 100, "粤梅-00042");

	(void)state;
	start(dir_a);
	issue(&in, token);
	sign_stop();
	/* Stopped: no key at all. */
	assert_int_equal(sign_token_verify(token, NULL, NULL), SIGN_UNKNOWN_KEY);
	assert_int_equal(sign_token_issue(&in, token, sizeof(token)), -1);
	start(dir_b);
	assert_int_equal(sign_token_verify(token, NULL, NULL), SIGN_UNKNOWN_KEY);
	assert_string_equal(sign_verdict_name(SIGN_UNKNOWN_KEY), "unknown_key");
	sign_stop();
	remove_dir(dir_a);
	remove_dir(dir_b);
}

static void test_token_number_length_is_bounded(void **state)
{
	char *dir = make_dir(), token[SIGN_TOKEN_MAX], small[100];
	struct sign_claim in = claim_of(5, 100, "ABC"), out;

	(void)state;
	start(dir);
	assert_int_equal(sign_token_issue(&in, token, sizeof(token)), -1); /* 3 bytes */
	in = claim_of(5, 100, "ABCD");
	assert_int_equal(sign_token_issue(&in, token, sizeof(token)), 0);
	memset(in.number, 'A', SIGN_NUMBER_MAX);
	in.number[SIGN_NUMBER_MAX] = '\0';
	issue(&in, token);
	assert_true(strlen(token) < SIGN_TOKEN_MAX);
	assert_int_equal(sign_token_verify(token, &out, NULL), SIGN_VALID);
	assert_int_equal(strlen(out.number), SIGN_NUMBER_MAX);
	/* An output buffer too small is refused, not overrun. */
	assert_int_equal(sign_token_issue(&in, small, sizeof(small)), -1);
	sign_stop();
	remove_dir(dir);
}

/* Counts the keys of sign_keys_json and how many are current. */
static size_t keys_count(int *current)
{
	json_t *doc = sign_keys_json(), *key;
	size_t i, n;

	assert_non_null(doc);
	*current = 0;
	json_array_foreach(json_object_get(doc, "keys"), i, key)
	{
		assert_string_equal(json_string_value(json_object_get(key, "alg")), "Ed25519");
		assert_int_equal(strlen(json_string_value(json_object_get(key, "public_key"))), 43);
		assert_int_equal(strlen(json_string_value(json_object_get(key, "kid"))), 8);
		*current += json_is_true(json_object_get(key, "current"));
	}
	n = json_array_size(json_object_get(doc, "keys"));
	json_decref(doc);
	return n;
}

static void test_token_rotation_keeps_old_tokens_valid(void **state)
{
	char *dir = make_dir(), old_token[SIGN_TOKEN_MAX], new_token[SIGN_TOKEN_MAX], old_kid[9],
	     new_kid[9], kid[9], path[600];
	struct sign_claim in = claim_of(11, 1700000000u, "粤梅-00007");
	struct err err = {{0}};
	int current;

	(void)state;
	start(dir);
	issue(&in, old_token);
	current_kid(old_kid);
	assert_int_equal(keys_count(&current), 1);
	sign_stop();
	assert_int_equal(sign_rotate(dir, new_kid, &err), 0);
	assert_string_not_equal(new_kid, old_kid);
	start(dir);
	assert_int_equal(keys_count(&current), 2);
	assert_int_equal(current, 1);
	current_kid(kid);
	assert_string_equal(kid, new_kid);
	assert_int_equal(sign_token_verify(old_token, NULL, kid), SIGN_VALID);
	assert_string_equal(kid, old_kid);
	issue(&in, new_token);
	assert_int_equal(sign_token_verify(new_token, NULL, kid), SIGN_VALID);
	assert_string_equal(kid, new_kid);
	/* The same claim under another key is another token. */
	assert_string_not_equal(new_token, old_token);
	sign_stop();
	/* The old secret retired: its .pub alone still verifies. */
	(void)snprintf(path, sizeof(path), "%s/keys/qr/%s.seed", dir, old_kid);
	assert_int_equal(unlink(path), 0);
	start(dir);
	assert_int_equal(keys_count(&current), 2);
	assert_int_equal(sign_token_verify(old_token, NULL, kid), SIGN_VALID);
	assert_string_equal(kid, old_kid);
	sign_stop();
	remove_dir(dir);
}

static void test_token_key_files_are_private(void **state)
{
	char *dir = make_dir(), path[600], kid[9], current[16];
	struct err err = {{0}};
	struct stat st;
	FILE *f;

	(void)state;
	start(dir);
	current_kid(kid);
	sign_stop();
	(void)snprintf(path, sizeof(path), "%s/keys/qr", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	(void)snprintf(path, sizeof(path), "%s/keys/qr/%s.seed", dir, kid);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	(void)snprintf(path, sizeof(path), "%s/keys/qr/current", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(current, sizeof(current), f));
	(void)fclose(f);
	assert_int_equal(strlen(current), 9);
	assert_int_equal(current[8], '\n');
	current[8] = '\0';
	assert_string_equal(current, kid); /* "<kid>\n" */
	/* A second start loads the same key rather than making another. */
	start(dir);
	current_kid(current);
	assert_string_equal(current, kid);
	sign_stop();
	/* A seed others may read is refused. */
	(void)snprintf(path, sizeof(path), "%s/keys/qr/%s.seed", dir, kid);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(sign_start(dir, &err), -1);
	assert_non_null(strstr(err.message, "chmod 600"));
	assert_int_equal(
	        sign_token_issue(&(struct sign_claim){.number = "ABCD"}, path, sizeof(path)), -1);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_token_round_trip_gives_back_the_claim),
	        cmocka_unit_test(test_token_layout_follows_the_document),
	        cmocka_unit_test(test_token_every_changed_character_fails),
	        cmocka_unit_test(test_token_every_changed_bit_fails_for_its_reason),
	        cmocka_unit_test(test_token_every_truncation_and_extension_fails),
	        cmocka_unit_test(test_token_only_strict_base64url_is_read),
	        cmocka_unit_test(test_token_of_another_key_is_an_unknown_key),
	        cmocka_unit_test(test_token_number_length_is_bounded),
	        cmocka_unit_test(test_token_rotation_keeps_old_tokens_valid),
	        cmocka_unit_test(test_token_key_files_are_private),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
