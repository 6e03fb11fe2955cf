/* test_config.c — unit tests for config.c: defaults, every flag in its long and
 * short spelling, --help/--version, and bad usage that must fail with a message
 * naming the flag (tcardd exits 64 on it). Reads and sets TCARD_DB and
 * TCARD_PUBLIC_URL only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define MAX_ARGS 16

/* Parses "tcardd" followed by the NULL-terminated arguments. */
static int parse(struct config *c, struct err *err, ...)
{
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	va_list ap;
	char *arg;

	argv[argc++] = "tcardd";
	va_start(ap, err);
	while ((arg = va_arg(ap, char *)) != NULL) {
		assert_true(argc <= MAX_ARGS);
		argv[argc++] = arg;
	}
	va_end(ap);
	argv[argc] = NULL;
	memset(err, 0, sizeof(*err));
	return config_parse(c, argc, argv, err);
}

/* Asserts that the single flag arg is refused with a message holding each of
 * the NULL-terminated parts. */
static void assert_refused(const char *arg, ...)
{
	struct config c;
	struct err err;
	va_list ap;
	const char *part;

	assert_int_equal(parse(&c, &err, arg, NULL), -1);
	va_start(ap, arg);
	while ((part = va_arg(ap, const char *)) != NULL) {
		if (strstr(err.message, part) == NULL)
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", arg, err.message, part);
	}
	va_end(ap);
}

static void assert_accepted(const char *arg)
{
	struct config c;
	struct err err;

	if (parse(&c, &err, arg, NULL) != 0)
		fail_msg("\"%s\" refused: %s", arg, err.message);
}

static int setup_no_env(void **state)
{
	(void)state;
	return unsetenv("TCARD_DB") != 0 || unsetenv("TCARD_PUBLIC_URL") != 0 ? -1 : 0;
}

static void test_config_defaults_without_flags(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(parse(&c, &err, NULL), 0);
	assert_int_equal(c.action, CONFIG_RUN);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_null(c.db);
	assert_null(c.db_owner);
	assert_string_equal(c.data_dir, "./var");
	assert_string_equal(c.web_root, TCARD_WEB_ROOT);
	assert_string_equal(c.schema_dir, TCARD_SCHEMA_DIR);
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.connection_limit, 2000);
	assert_int_equal(c.per_address_limit, -1);
	assert_int_equal(c.idle_timeout, 15);
	assert_int_equal(c.connection_memory, 32 * 1024);
	assert_int_equal(c.json_body_max, 1024 * 1024);
	assert_int_equal(c.demo, DEMO_AUTO);
	assert_int_equal(c.verbose, 0);
}

static void test_config_long_flags_set_every_field(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(parse(&c, &err, "--listen=0.0.0.0:9000", "--db", "dbname=tcard",
	                       "--db-owner=dbname=tcard user=owner", "--data-dir=/srv/tcard",
	                       "--web-root", "/srv/web", "--schema-dir=/srv/schema", "--workers=8",
	                       "--max-connections=100", "--max-per-address=0", "--idle-timeout=30",
	                       "--connection-memory=128K", "--max-body=2M", "--verbose", NULL),
	                 0);
	assert_int_equal(c.action, CONFIG_RUN);
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_string_equal(c.db, "dbname=tcard");
	assert_string_equal(c.db_owner, "dbname=tcard user=owner");
	assert_string_equal(c.data_dir, "/srv/tcard");
	assert_string_equal(c.web_root, "/srv/web");
	assert_string_equal(c.schema_dir, "/srv/schema");
	assert_int_equal(c.workers, 8);
	assert_int_equal(c.connection_limit, 100);
	assert_int_equal(c.per_address_limit, 0);
	assert_int_equal(c.idle_timeout, 30);
	assert_int_equal(c.connection_memory, 128 * 1024);
	assert_int_equal(c.json_body_max, 2 * 1024 * 1024);
	assert_int_equal(c.verbose, 1);
}

static void test_config_short_flags_match_long_ones(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(parse(&c, &err, "-l", "[::1]:8443", "-d", "postgresql:///tcard", "-D",
	                       "/tmp/v", "-w", "/tmp/w", "-j", "2", "-v", NULL),
	                 0);
	assert_string_equal(c.listen, "[::1]:8443");
	assert_string_equal(c.db, "postgresql:///tcard");
	assert_string_equal(c.data_dir, "/tmp/v");
	assert_string_equal(c.web_root, "/tmp/w");
	assert_int_equal(c.workers, 2);
	assert_int_equal(c.verbose, 1);
	/* Attached values and clusters, as getopt allows. */
	assert_int_equal(parse(&c, &err, "-vj16", NULL), 0);
	assert_int_equal(c.workers, 16);
	assert_int_equal(c.verbose, 1);
}

static void test_config_demo_flags(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(parse(&c, &err, "--demo", NULL), 0);
	assert_int_equal(c.demo, DEMO_NOW);
	assert_int_equal(parse(&c, &err, "--no-demo", NULL), 0);
	assert_int_equal(c.demo, DEMO_NEVER);
	/* The last one given wins. */
	assert_int_equal(parse(&c, &err, "--no-demo", "--demo", NULL), 0);
	assert_int_equal(c.demo, DEMO_NOW);
}

static void test_config_help_and_version_actions(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(parse(&c, &err, "--help", NULL), 0);
	assert_int_equal(c.action, CONFIG_HELP);
	assert_int_equal(parse(&c, &err, "-h", NULL), 0);
	assert_int_equal(c.action, CONFIG_HELP);
	assert_int_equal(parse(&c, &err, "--version", NULL), 0);
	assert_int_equal(c.action, CONFIG_VERSION);
	assert_int_equal(parse(&c, &err, "-V", NULL), 0);
	assert_int_equal(c.action, CONFIG_VERSION);
	/* Asking for help wins over a mistake after it: help is what was asked. */
	assert_int_equal(parse(&c, &err, "--help", "--workers=0", NULL), 0);
	assert_int_equal(c.action, CONFIG_HELP);
	/* A fresh parse starts from CONFIG_RUN again. */
	assert_int_equal(parse(&c, &err, NULL), 0);
	assert_int_equal(c.action, CONFIG_RUN);
}

static void test_config_create_admin_takes_a_valid_user_name(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(parse(&c, &err, "--create-admin", "ops.admin-2", NULL), 0);
	assert_int_equal(c.action, CONFIG_CREATE_ADMIN);
	assert_string_equal(c.admin_name, "ops.admin-2");
	assert_int_equal(parse(&c, &err, "--create-admin=root", NULL), 0);
	assert_string_equal(c.admin_name, "root");
	/* The names app_user accepts, nothing else: lower case, 2 to 32 characters. */
	assert_refused("--create-admin=Admin", "--create-admin", "Admin", NULL);
	assert_refused("--create-admin=a", "--create-admin", NULL);
	assert_refused("--create-admin=.admin", "--create-admin", NULL);
	assert_refused("--create-admin=adm in", "--create-admin", NULL);
	assert_refused("--create-admin=abcdefghijklmnopqrstuvwxyz0123456", "--create-admin", NULL);
	assert_refused("--create-admin", "needs a value", NULL);
}

static void test_config_public_url_rotation_and_verify_rate(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(parse(&c, &err, NULL), 0);
	assert_null(c.public_url);
	assert_int_equal(c.verify_rate, 60);
	assert_int_equal(parse(&c, &err, "--public-url=https://tcard.example.cn/", "--verify-rate",
	                       "0", "--rotate-qr-key", NULL),
	                 0);
	assert_string_equal(c.public_url, "https://tcard.example.cn/");
	assert_int_equal(c.verify_rate, 0);
	assert_int_equal(c.action, CONFIG_ROTATE_QR_KEY);
	assert_int_equal(setenv("TCARD_PUBLIC_URL", "http://10.0.0.1:8080", 1), 0);
	assert_int_equal(parse(&c, &err, NULL), 0);
	assert_string_equal(c.public_url, "http://10.0.0.1:8080");
	/* The flag wins over the environment. */
	assert_int_equal(parse(&c, &err, "--public-url", "https://a.example", NULL), 0);
	assert_string_equal(c.public_url, "https://a.example");
	assert_int_equal(setenv("TCARD_PUBLIC_URL", "ftp://x", 1), 0);
	assert_int_equal(parse(&c, &err, NULL), -1);
	assert_non_null(strstr(err.message, "TCARD_PUBLIC_URL"));
	(void)unsetenv("TCARD_PUBLIC_URL");
	/* Only http(s) URLs a QR code and an HTML attribute can hold. */
	assert_int_equal(parse(&c, &err, "--public-url=javascript:alert(1)", NULL), -1);
	assert_non_null(strstr(err.message, "--public-url"));
	assert_int_equal(parse(&c, &err, "--public-url=https://", NULL), -1);
	assert_int_equal(parse(&c, &err, "--public-url=https://a.example/\"x", NULL), -1);
	assert_int_equal(parse(&c, &err, "--public-url=https://a b", NULL), -1);
	assert_int_equal(parse(&c, &err, "--public-url=https://a.example/?q=1", NULL), -1);
	assert_int_equal(parse(&c, &err, "--verify-rate=-1", NULL), -1);
	assert_non_null(strstr(err.message, "--verify-rate"));
}

static void test_config_unknown_flag_is_named(void **state)
{
	(void)state;
	assert_refused("--bogus", "unknown option", "--bogus", NULL);
	assert_refused("--bogus=1", "unknown option", "--bogus", NULL);
	assert_refused("-x", "unknown option -x", NULL);
	/* Inside a cluster the unknown letter is named, not a neighbour. */
	assert_refused("-vx", "unknown option -x", NULL);
	assert_refused("-xv", "unknown option -x", NULL);
	/* A prefix of several long options is ambiguous. */
	assert_refused("--max", "--max", NULL);
}

static void test_config_unknown_letter_after_long_flag_is_named(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(parse(&c, &err, "--db=x", "-qv", NULL), -1);
	assert_string_equal(err.message, "unknown option -q");
}

static void test_config_missing_value_names_the_flag(void **state)
{
	(void)state;
	assert_refused("--db", "--db", "needs a value", NULL);
	assert_refused("--workers", "--workers", "needs a value", NULL);
	assert_refused("-j", "-j", "needs a value", NULL);
	assert_refused("--listen", "--listen", "needs a value", NULL);
	assert_refused("--max-body", "--max-body", "needs a value", NULL);
}

static void test_config_bad_worker_counts_are_refused(void **state)
{
	static const char *const bad[] = {
	        "0", "257", "abc", "-1", "+4", " 4", "4x", "", "99999999999999999999999"};
	char arg[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(arg, sizeof(arg), "--workers=%s", bad[i]);
		assert_refused(arg, "--workers", bad[i], NULL);
	}
	assert_accepted("--workers=1");
	assert_accepted("--workers=256");
}

static void test_config_number_flags_enforce_their_ranges(void **state)
{
	(void)state;
	assert_refused("--max-connections=0", "--max-connections", NULL);
	assert_refused("--max-connections=1000001", "--max-connections", NULL);
	assert_accepted("--max-connections=1000000");
	assert_refused("--max-per-address=-1", "--max-per-address", NULL);
	assert_refused("--max-per-address=1000001", "--max-per-address", NULL);
	assert_refused("--idle-timeout=0", "--idle-timeout", NULL);
	assert_refused("--idle-timeout=3601", "--idle-timeout", NULL);
	assert_accepted("--idle-timeout=3600");
}

static void test_config_sizes_take_k_and_m_within_limits(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(parse(&c, &err, "--max-body=1k", "--connection-memory=8192", NULL), 0);
	assert_int_equal(c.json_body_max, 1024);
	assert_int_equal(c.connection_memory, 8192);
	assert_int_equal(parse(&c, &err, "--max-body=64M", "--connection-memory=16m", NULL), 0);
	assert_int_equal(c.json_body_max, 64u * 1024 * 1024);
	assert_int_equal(c.connection_memory, 16u * 1024 * 1024);
	assert_refused("--max-body=1023", "--max-body", "1023", NULL);
	assert_refused("--max-body=65M", "--max-body", NULL);
	assert_refused("--max-body=1G", "--max-body", NULL);
	assert_refused("--max-body=1KB", "--max-body", NULL);
	assert_refused("--max-body=K", "--max-body", NULL);
	assert_refused("--max-body=-1", "--max-body", NULL);
	assert_refused("--connection-memory=8191", "--connection-memory", NULL);
	assert_refused("--connection-memory=17M", "--connection-memory", NULL);
}

static void test_config_size_that_wraps_when_multiplied_is_refused(void **state)
{
	(void)state;
	/* (2^54 + 1) × 1024 wraps to 1024 in 64 bits: that must not pass for 1K. */
	assert_refused("--max-body=18014398509481985K", "--max-body", NULL);
	assert_refused("--max-body=17592186044417M", "--max-body", NULL);
	assert_refused("--connection-memory=18014398509481992K", "--connection-memory", NULL);
}

static void test_config_bad_listen_addresses_are_refused(void **state)
{
	static const char *const bad[] = {
	        "localhost:8080",  "127.0.0.1", "127.0.0.1:",     "127.0.0.1:65536",
	        ":8080",           "8080",      "127.0.0.1:80a",  "127.0.0.1:-1",
	        "[::1]8080",       "[::1]",     "[::1:8080",      "::1",
	        "1.2.3.4.5:80",    "",          "127.0.0.1: 80",  "[]:80",
	        "127.0.0.1:99999", "[zz]:80",   "256.0.0.1:8080", "127.0.0.1:+80",
	};
	char arg[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(arg, sizeof(arg), "--listen=%s", bad[i]);
		assert_refused(arg, "--listen", NULL);
	}
}

static void test_config_good_listen_addresses_are_accepted(void **state)
{
	(void)state;
	assert_accepted("--listen=127.0.0.1:8080");
	assert_accepted("--listen=0.0.0.0:0"); /* port 0: any free port (tests use it) */
	assert_accepted("--listen=10.1.2.3:65535");
	assert_accepted("--listen=[::1]:8080");
	assert_accepted("--listen=[::]:80");
	assert_accepted("--listen=[fe80::1]:443");
}

static void test_config_stray_argument_is_refused(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(parse(&c, &err, "-v", "serve", NULL), -1);
	assert_non_null(strstr(err.message, "unexpected argument \"serve\""));
}

static void test_config_tcard_db_environment_is_the_default_db(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(setenv("TCARD_DB", "host=db.example dbname=tcard", 1), 0);
	assert_int_equal(parse(&c, &err, NULL), 0);
	assert_string_equal(c.db, "host=db.example dbname=tcard");
	/* The flag wins over the environment. */
	assert_int_equal(parse(&c, &err, "--db=dbname=other", NULL), 0);
	assert_string_equal(c.db, "dbname=other");
	assert_int_equal(unsetenv("TCARD_DB"), 0);
}

static void test_config_empty_tcard_db_means_embedded(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	assert_int_equal(setenv("TCARD_DB", "", 1), 0);
	assert_int_equal(parse(&c, &err, NULL), 0);
	assert_null(c.db);
	assert_int_equal(unsetenv("TCARD_DB"), 0);
}

static void test_config_parses_again_after_a_failure(void **state)
{
	struct config c;
	struct err err;

	(void)state;
	/* getopt_long keeps state between calls (a half-read cluster): each parse
	 * must start afresh. */
	assert_int_equal(parse(&c, &err, "-xj3", NULL), -1);
	assert_int_equal(parse(&c, &err, "-j", "5", NULL), 0);
	assert_int_equal(c.workers, 5);
	assert_int_equal(c.verbose, 0);
	assert_int_equal(parse(&c, &err, "--workers=7", NULL), 0);
	assert_int_equal(c.workers, 7);
}

static void test_config_null_err_is_allowed(void **state)
{
	char *argv[] = {"tcardd", "--workers=0", NULL};
	struct config c;

	(void)state;
	assert_int_equal(config_parse(&c, 2, argv, NULL), -1);
}

static void test_config_usage_names_the_flags(void **state)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	static const char *const flags[] = {
	        "--listen",
	        "--db=",
	        "--db-owner",
	        "--data-dir",
	        "--web-root",
	        "--schema-dir",
	        "--workers",
	        "--max-connections",
	        "--max-per-address",
	        "--idle-timeout",
	        "--connection-memory",
	        "--max-body",
	        "--demo",
	        "--no-demo",
	        "--verify-audit",
	        "--create-admin",
	        "--public-url",
	        "--rotate-qr-key",
	        "--verify-rate",
	        "--verbose",
	        "--help",
	        "--version",
	};
	size_t i;

	(void)state;
	assert_non_null(out);
	config_usage(out);
	assert_int_equal(fclose(out), 0);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strstr(text, flags[i]) == NULL)
			fail_msg("usage lacks %s", flags[i]);
	assert_non_null(strstr(text, "127.0.0.1:8080"));
	assert_non_null(strstr(text, "64 on bad usage"));
	free(text);
}

/* Every test starts without TCARD_DB, whatever the shell running ctest has and
 * whatever a failed test before it left behind. */
#define config_test(f) cmocka_unit_test_setup(f, setup_no_env)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        config_test(test_config_defaults_without_flags),
	        config_test(test_config_long_flags_set_every_field),
	        config_test(test_config_short_flags_match_long_ones),
	        config_test(test_config_demo_flags),
	        config_test(test_config_help_and_version_actions),
	        config_test(test_config_create_admin_takes_a_valid_user_name),
	        config_test(test_config_public_url_rotation_and_verify_rate),
	        config_test(test_config_unknown_flag_is_named),
	        config_test(test_config_unknown_letter_after_long_flag_is_named),
	        config_test(test_config_missing_value_names_the_flag),
	        config_test(test_config_bad_worker_counts_are_refused),
	        config_test(test_config_number_flags_enforce_their_ranges),
	        config_test(test_config_sizes_take_k_and_m_within_limits),
	        config_test(test_config_size_that_wraps_when_multiplied_is_refused),
	        config_test(test_config_bad_listen_addresses_are_refused),
	        config_test(test_config_good_listen_addresses_are_accepted),
	        config_test(test_config_stray_argument_is_refused),
	        config_test(test_config_tcard_db_environment_is_the_default_db),
	        config_test(test_config_empty_tcard_db_means_embedded),
	        config_test(test_config_parses_again_after_a_failure),
	        config_test(test_config_null_err_is_allowed),
	        config_test(test_config_usage_names_the_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
