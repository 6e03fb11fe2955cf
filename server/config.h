/* config.h — tcardd's flags and environment, parsed into one struct.
 * Pure apart from reading the environment, so the parser is unit-tested. */
#ifndef TCARD_CONFIG_H
#define TCARD_CONFIG_H

#include "err.h"

#include <stddef.h>
#include <stdio.h>

/* CONFIG_VERIFY_AUDIT: check the audit chain once and exit (--verify-audit).
 * CONFIG_CREATE_ADMIN: create an administrator (or give it a new one-time
 * password), print the password and exit (--create-admin NAME).
 * CONFIG_ROTATE_QR_KEY: add a QR signing key, make it current and exit. */
enum config_action {
	CONFIG_RUN,
	CONFIG_HELP,
	CONFIG_VERSION,
	CONFIG_VERIFY_AUDIT,
	CONFIG_CREATE_ADMIN,
	CONFIG_ROTATE_QR_KEY
};
enum config_demo { DEMO_AUTO, DEMO_NEVER, DEMO_NOW };

struct config {
	enum config_action action;
	const char *listen;     /* HOST:PORT */
	const char *db;         /* libpq conninfo or URL; NULL = the embedded default */
	const char *db_owner;   /* conninfo for migrations; NULL = same as db */
	const char *data_dir;   /* embedded cluster, keys */
	const char *web_root;   /* static files of the web UI */
	const char *vendor_dir; /* npm packages the UI imports; NULL = WEB_ROOT/../node_modules */
	const char *schema_dir; /* migrations */
	const char *admin_name; /* --create-admin NAME */
	const char *public_url; /* base URL of QR codes; NULL = http://LISTEN */
	unsigned verify_rate;   /* verifications per address and minute; 0 = no limit */
	unsigned workers;
	unsigned connection_limit;
	int per_address_limit; /* -1 = automatic: unlimited on loopback, 64 otherwise */
	unsigned idle_timeout;
	size_t connection_memory;
	size_t json_body_max;
	size_t import_max_bytes; /* --import-max-bytes: a streamed CSV import body */
	enum config_demo demo;
	int verbose;
};

#define CONFIG_PUBLIC_URL_MAX 200

/* Fills c from argv and the environment (TCARD_DB, TCARD_PUBLIC_URL,
 * TCARD_VENDOR_DIR). Returns 0, or -1 with err
 * naming the bad flag (main exits 64). */
int config_parse(struct config *c, int argc, char **argv, struct err *err);
void config_usage(FILE *out);

#endif
