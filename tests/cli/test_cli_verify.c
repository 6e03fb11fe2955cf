/* test_cli_verify.c — `tcard verify` run as a program against tokens made
 * here, independently, from doc/qr-token.md: a valid token (bare, or inside a
 * verification URL) verifies with the key as hex or base64url; every changed
 * byte, every changed character and every truncation is invalid; a key that
 * is not the signer's is an unknown key; bad usage and unreadable key files
 * have their own exit statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/tcard-cli-XXXXXX";
static char hex_key[256], b64_key[256], other_key[256], bad_key[256];
static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static const char number[] = "粤梅2022000123";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* The token's bytes: version 1, key id, officer id, issued at, number, signature. */
static size_t make_token_bytes(unsigned char *out, const unsigned char *public_key,
                               const unsigned char *secret_key)
{
	unsigned char hash[32];
	size_t n = strlen(number), i;
	uint64_t officer = 4242;
	uint32_t issued = 1760000000u;

	crypto_generichash(hash, sizeof(hash), public_key, crypto_sign_PUBLICKEYBYTES, NULL, 0);
	out[0] = 1;
	memcpy(out + 1, hash, 4);
	for (i = 0; i < 8; i++)
		out[5 + i] = (unsigned char)(officer >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		out[13 + i] = (unsigned char)(issued >> (24 - 8 * i));
	out[17] = (unsigned char)n;
	memcpy(out + 18, number, n);
	crypto_sign_detached(out + 18 + n, NULL, out, 18 + n, secret_key);
	return 18 + n + crypto_sign_BYTES;
}

static void encode(const unsigned char *bin, size_t len, char *out, size_t size)
{
	sodium_bin2base64(out, size, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Runs tcard with args; returns its exit status and its output in out. */
static int run_cli(const char *args, char *out, size_t size)
{
	char command[2048];
	FILE *p;
	size_t len;
	int status;

	(void)snprintf(command, sizeof(command), "%s %s 2>&1", TCARD_CLI_PATH, args);
	p = popen(command, "r");
	assert_non_null(p);
	len = fread(out, 1, size - 1, p);
	out[len] = '\0';
	status = pclose(p);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int verify(const char *token, const char *key_path, char *out, size_t size)
{
	char args[1024];

	(void)snprintf(args, sizeof(args), "verify '%s' --key %s", token, key_path);
	return run_cli(args, out, size);
}

static int setup(void **state)
{
	unsigned char other_pk[crypto_sign_PUBLICKEYBYTES], other_sk[crypto_sign_SECRETKEYBYTES];
	char text[128];

	(void)state;
	assert_true(sodium_init() >= 0);
	assert_non_null(mkdtemp(dir));
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(other_pk, other_sk);
	(void)snprintf(hex_key, sizeof(hex_key), "%s/key.pub", dir);
	(void)snprintf(b64_key, sizeof(b64_key), "%s/key.b64", dir);
	(void)snprintf(other_key, sizeof(other_key), "%s/other.pub", dir);
	(void)snprintf(bad_key, sizeof(bad_key), "%s/bad.pub", dir);
	write_text(hex_key, sodium_bin2hex(text, sizeof(text), pk, sizeof(pk)));
	encode(pk, sizeof(pk), text, sizeof(text));
	write_text(b64_key, text);
	write_text(other_key, sodium_bin2hex(text, sizeof(text), other_pk, sizeof(other_pk)));
	write_text(bad_key, "not a key at all\n");
	return 0;
}

static int teardown(void **state)
{
	char command[128];

	(void)state;
	(void)snprintf(command, sizeof(command), "rm -rf %s", dir);
	assert_int_equal(system(command), 0);
	return 0;
}

static void test_a_valid_token_verifies_bare_or_in_its_url(void **state)
{
	unsigned char bin[256];
	char token[512], url[640], out[2048];
	size_t len = make_token_bytes(bin, pk, sk);

	(void)state;
	encode(bin, len, token, sizeof(token));
	assert_int_equal(verify(token, hex_key, out, sizeof(out)), 0);
	assert_non_null(strstr(out, number));
	assert_non_null(strstr(out, "4242"));
	assert_non_null(strstr(out, "2025-10-09T08:53:20Z"));
	assert_int_equal(verify(token, b64_key, out, sizeof(out)), 0);
	(void)snprintf(url, sizeof(url), "https://tcard.example.gov.cn/v/%s?lang=en", token);
	assert_int_equal(verify(url, hex_key, out, sizeof(out)), 0);
}

static void test_every_changed_byte_or_character_is_invalid(void **state)
{
	static const char alphabet[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char bin[256];
	char token[512], out[2048];
	size_t len = make_token_bytes(bin, pk, sk), i;

	(void)state;
	for (i = 0; i < len; i++) {
		bin[i] ^= 0x01;
		encode(bin, len, token, sizeof(token));
		if (verify(token, hex_key, out, sizeof(out)) != 1)
			fail_msg("byte %zu changed still verifies: %s", i, out);
		bin[i] ^= 0x01;
	}
	encode(bin, len, token, sizeof(token));
	for (i = 0; token[i] != '\0'; i++) {
		char kept = token[i];

		token[i] = kept == alphabet[0] ? alphabet[1] : alphabet[0];
		if (verify(token, hex_key, out, sizeof(out)) != 1)
			fail_msg("character %zu changed still verifies: %s", i, out);
		token[i] = kept;
	}
}

static void test_every_truncation_is_invalid(void **state)
{
	unsigned char bin[256];
	char token[512], cut[520], out[2048];
	size_t len = make_token_bytes(bin, pk, sk), i;

	(void)state;
	encode(bin, len, token, sizeof(token));
	for (i = 1; i < strlen(token); i++) {
		memcpy(cut, token, i);
		cut[i] = '\0';
		if (verify(cut, hex_key, out, sizeof(out)) != 1)
			fail_msg("the first %zu characters still verify: %s", i, out);
	}
	(void)snprintf(cut, sizeof(cut), "%s=", token);
	assert_int_equal(verify(cut, hex_key, out, sizeof(out)), 1);
}

static void test_another_key_is_an_unknown_key(void **state)
{
	unsigned char bin[256];
	char token[512], out[2048];
	size_t len = make_token_bytes(bin, pk, sk);

	(void)state;
	encode(bin, len, token, sizeof(token));
	assert_int_equal(verify(token, other_key, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "unknown_key"));
}

static void test_usage_and_key_files(void **state)
{
	char out[2048], args[512];

	(void)state;
	assert_int_equal(run_cli("verify AAAA", out, sizeof(out)), 64);
	assert_int_equal(run_cli("", out, sizeof(out)), 64);
	assert_int_equal(run_cli("frobnicate", out, sizeof(out)), 64);
	(void)snprintf(args, sizeof(args), "verify AAAA --key %s/missing.pub", dir);
	assert_int_equal(run_cli(args, out, sizeof(out)), 66);
	assert_int_equal(verify("AAAA", bad_key, out, sizeof(out)), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_a_valid_token_verifies_bare_or_in_its_url),
	        cmocka_unit_test(test_every_changed_byte_or_character_is_invalid),
	        cmocka_unit_test(test_every_truncation_is_invalid),
	        cmocka_unit_test(test_another_key_is_an_unknown_key),
	        cmocka_unit_test(test_usage_and_key_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
