/* config.c — command-line parsing for tcardd (see config.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#ifndef TCARD_SCHEMA_DIR
#define TCARD_SCHEMA_DIR "schema"
#endif
#ifndef TCARD_WEB_ROOT
#define TCARD_WEB_ROOT "web"
#endif

enum {
	OPT_DB_OWNER = 1000,
	OPT_SCHEMA_DIR,
	OPT_MAX_CONNECTIONS,
	OPT_MAX_PER_ADDRESS,
	OPT_IDLE_TIMEOUT,
	OPT_CONNECTION_MEMORY,
	OPT_MAX_BODY,
	OPT_IMPORT_MAX_BYTES,
	OPT_DEMO,
	OPT_NO_DEMO,
	OPT_VERIFY_AUDIT,
	OPT_CREATE_ADMIN,
	OPT_PUBLIC_URL,
	OPT_ROTATE_QR_KEY,
	OPT_VERIFY_RATE,
	OPT_VENDOR_DIR,
};

static const struct option config_options[] = {
        {"listen", required_argument, NULL, 'l'},
        {"db", required_argument, NULL, 'd'},
        {"db-owner", required_argument, NULL, OPT_DB_OWNER},
        {"data-dir", required_argument, NULL, 'D'},
        {"web-root", required_argument, NULL, 'w'},
        {"vendor-dir", required_argument, NULL, OPT_VENDOR_DIR},
        {"schema-dir", required_argument, NULL, OPT_SCHEMA_DIR},
        {"workers", required_argument, NULL, 'j'},
        {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
        {"max-per-address", required_argument, NULL, OPT_MAX_PER_ADDRESS},
        {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
        {"connection-memory", required_argument, NULL, OPT_CONNECTION_MEMORY},
        {"max-body", required_argument, NULL, OPT_MAX_BODY},
        {"import-max-bytes", required_argument, NULL, OPT_IMPORT_MAX_BYTES},
        {"demo", no_argument, NULL, OPT_DEMO},
        {"no-demo", no_argument, NULL, OPT_NO_DEMO},
        {"verify-audit", no_argument, NULL, OPT_VERIFY_AUDIT},
        {"create-admin", required_argument, NULL, OPT_CREATE_ADMIN},
        {"public-url", required_argument, NULL, OPT_PUBLIC_URL},
        {"rotate-qr-key", no_argument, NULL, OPT_ROTATE_QR_KEY},
        {"verify-rate", required_argument, NULL, OPT_VERIFY_RATE},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
};

void config_usage(FILE *out)
{
	(void)fputs(
	        "Usage: tcardd [OPTION]...\n"
	        "Serve the tcard training-registration-card API and web UI.\n"
	        "\n"
	        "  -l, --listen=HOST:PORT      address to listen on (default 127.0.0.1:8080)\n"
	        "  -d, --db=CONNINFO           PostgreSQL connection string or URL for the app\n"
	        "                              role (also TCARD_DB); default: an embedded\n"
	        "                              cluster under DATA_DIR/pg, started and stopped\n"
	        "                              by tcardd\n"
	        "      --db-owner=CONNINFO     connection for migrations (default: as --db)\n"
	        "  -D, --data-dir=DIR          embedded database and keys (default ./var)\n"
	        "  -w, --web-root=DIR          static files of the web UI\n"
	        "      --vendor-dir=DIR        npm packages the web UI imports, e.g. ECharts\n"
	        "                              (also TCARD_VENDOR_DIR; default\n"
	        "                              WEB_ROOT/../node_modules)\n"
	        "      --schema-dir=DIR        SQL migrations\n"
	        "  -j, --workers=N             worker threads = database connections (default 4)\n"
	        "      --max-connections=N     open HTTP connections in all (default 2000)\n"
	        "      --max-per-address=N     per client address, 0 = unlimited (default:\n"
	        "                              unlimited on loopback, else 64)\n"
	        "      --idle-timeout=SECONDS  close idle connections after this (default 15)\n"
	        "      --connection-memory=N   bytes of buffer per connection (default 32K)\n"
	        "      --max-body=N            largest JSON request body (default 1M)\n"
	        "      --import-max-bytes=N    largest CSV import body (default 512M)\n"
	        "      --demo                  load the demo city now (into an empty database)\n"
	        "      --no-demo               do not load it on the first embedded start\n"
	        "      --verify-audit          check the audit log's hash chain and signed\n"
	        "                              checkpoints, print the result and exit: 0\n"
	        "                              intact, 1 broken, 2 when it cannot be checked\n"
	        "      --create-admin=NAME     create the administrator NAME, or give it a new\n"
	        "                              password; print the one-time password and exit\n"
	        "      --public-url=URL        base URL in QR codes, http:// or https:// (also\n"
	        "                              TCARD_PUBLIC_URL; default http://HOST:PORT of\n"
	        "                              --listen)\n"
	        "      --rotate-qr-key         add a QR signing key, make it current and exit\n"
	        "                              (older keys keep verifying earlier codes)\n"
	        "      --verify-rate=N         public verifications per client address and\n"
	        "                              minute, 0 = unlimited (default 60)\n"
	        "  -v, --verbose               log debug events\n"
	        "  -h, --help                  show this help and exit\n"
	        "  -V, --version               show the version and exit\n"
	        "\n"
	        "Sizes take a K or M suffix (1024-based). Exit status: 0 after a clean\n"
	        "shutdown (SIGINT/SIGTERM), 1 on a start-up failure, 64 on bad usage.\n",
	        out);
}

/* The form app_user.username accepts (004_accounts.sql): [a-z0-9][a-z0-9._-]{1,31}. */
static int config_username_ok(const char *name)
{
	size_t len = strlen(name), i;

	if (len < 2 || len > 32 ||
	    !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
		return 0;
	for (i = 1; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      strchr("._-", name[i]) != NULL))
			return 0;
	return 1;
}

/* A base URL for QR codes: http:// or https://, a host, printable ASCII
 * without white space, quotes, angle brackets, '?' or '#'. */
static int config_public_url_ok(const char *url)
{
	size_t len = strlen(url), i, start;

	if (strncmp(url, "https://", 8) == 0)
		start = 8;
	else if (strncmp(url, "http://", 7) == 0)
		start = 7;
	else
		return 0;
	if (len <= start || len > CONFIG_PUBLIC_URL_MAX || url[start] == '/')
		return 0;
	for (i = 0; i < len; i++)
		if (url[i] <= ' ' || url[i] >= 0x7f || strchr("\"'<>?#\\`", url[i]) != NULL)
			return 0;
	return 1;
}

/* Parses a decimal count in [min, max]. */
static int config_number(const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long value;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || value < min || value > max)
		return -1;
	*out = value;
	return 0;
}

/* Parses a byte size with an optional K or M suffix, in [min, max]. */
static int config_size(const char *text, size_t min, size_t max, size_t *out)
{
	char *end;
	unsigned long long value, unit = 1;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == 'K' || *end == 'k') {
		unit = 1024ULL;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		unit = 1024ULL * 1024ULL;
		end++;
	}
	/* Checked before multiplying: 18014398509481985K must not wrap to 1K. */
	if (value > max / unit)
		return -1;
	value *= unit;
	if (*end != '\0' || value < min || value > max)
		return -1;
	*out = (size_t)value;
	return 0;
}

/* Accepts what http.c can listen on: HOST:PORT with an IPv4 or IPv6 address (in
 * brackets if it has colons of its own: [::1]:8080), port 0-65535 (0 = any free
 * port), so that a typo is bad usage (exit 64) rather than a start-up failure. */
static int config_listen(const char *address)
{
	char host[INET6_ADDRSTRLEN];
	unsigned char addr[sizeof(struct in6_addr)];
	const char *colon, *host_start = address, *host_end;
	unsigned long port;

	if (address[0] == '[') {
		host_start = address + 1;
		host_end = strchr(address, ']');
		if (host_end == NULL || host_end[1] != ':')
			return -1;
		colon = host_end + 1;
	} else {
		colon = strrchr(address, ':');
		if (colon == NULL)
			return -1;
		host_end = colon;
	}
	if ((size_t)(host_end - host_start) >= sizeof(host))
		return -1;
	memcpy(host, host_start, (size_t)(host_end - host_start));
	host[host_end - host_start] = '\0';
	if (inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1)
		return -1;
	return config_number(colon + 1, 0, 65535, &port);
}

int config_parse(struct config *c, int argc, char **argv, struct err *err)
{
	unsigned long number;
	int opt;

	memset(c, 0, sizeof(*c));
	c->action = CONFIG_RUN;
	c->listen = "127.0.0.1:8080";
	c->db = getenv("TCARD_DB");
	if (c->db != NULL && c->db[0] == '\0')
		c->db = NULL;
	c->data_dir = "./var";
	c->web_root = TCARD_WEB_ROOT;
	c->vendor_dir = getenv("TCARD_VENDOR_DIR");
	if (c->vendor_dir != NULL && c->vendor_dir[0] == '\0')
		c->vendor_dir = NULL;
	c->schema_dir = TCARD_SCHEMA_DIR;
	c->workers = 4;
	c->connection_limit = 2000;
	c->per_address_limit = -1;
	c->idle_timeout = 15;
	/* Headers and the body's chunks pass through it (bodies are gathered
	 * elsewhere): 32K holds any sane header set, and 1,000 idle keep-alive
	 * connections then cost 32 MB, not 64 (issue 9's memory target). */
	c->connection_memory = 32 * 1024;
	c->json_body_max = 1024 * 1024;
	c->import_max_bytes = (size_t)512 * 1024 * 1024;
	c->demo = DEMO_AUTO;
	c->verify_rate = 60;
	c->public_url = getenv("TCARD_PUBLIC_URL");
	if (c->public_url != NULL && c->public_url[0] == '\0')
		c->public_url = NULL;
	if (c->public_url != NULL && !config_public_url_ok(c->public_url))
		return err_set(err,
		               "TCARD_PUBLIC_URL must be an http:// or https:// URL of at most "
		               "200 characters");

	optind = 0; /* GNU: full re-initialisation, so the parser can run twice */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":l:d:D:w:j:vhV", config_options, NULL)) != -1) {
		switch (opt) {
		case 'l':
			if (config_listen(optarg) != 0)
				return err_set(err,
				               "--listen must be HOST:PORT with an IPv4 or IPv6 "
				               "address and a port from 0 to 65535, not \"%s\"",
				               optarg);
			c->listen = optarg;
			break;
		case 'd':
			c->db = optarg;
			break;
		case OPT_DB_OWNER:
			c->db_owner = optarg;
			break;
		case 'D':
			c->data_dir = optarg;
			break;
		case 'w':
			c->web_root = optarg;
			break;
		case OPT_VENDOR_DIR:
			c->vendor_dir = optarg;
			break;
		case OPT_SCHEMA_DIR:
			c->schema_dir = optarg;
			break;
		case 'j':
			if (config_number(optarg, 1, 256, &number) != 0)
				return err_set(err,
				               "--workers must be a number from 1 to 256, not "
				               "\"%s\"",
				               optarg);
			c->workers = (unsigned)number;
			break;
		case OPT_MAX_CONNECTIONS:
			if (config_number(optarg, 1, 1000000, &number) != 0)
				return err_set(err,
				               "--max-connections must be a number from 1 to "
				               "1000000, not \"%s\"",
				               optarg);
			c->connection_limit = (unsigned)number;
			break;
		case OPT_MAX_PER_ADDRESS:
			if (config_number(optarg, 0, 1000000, &number) != 0)
				return err_set(err,
				               "--max-per-address must be a number from 0 to "
				               "1000000, not \"%s\"",
				               optarg);
			c->per_address_limit = (int)number;
			break;
		case OPT_IDLE_TIMEOUT:
			if (config_number(optarg, 1, 3600, &number) != 0)
				return err_set(err,
				               "--idle-timeout must be 1 to 3600 seconds, not "
				               "\"%s\"",
				               optarg);
			c->idle_timeout = (unsigned)number;
			break;
		case OPT_CONNECTION_MEMORY:
			if (config_size(optarg, 8 * 1024, 16 * 1024 * 1024, &c->connection_memory))
				return err_set(err,
				               "--connection-memory must be 8K to 16M, not "
				               "\"%s\"",
				               optarg);
			break;
		case OPT_MAX_BODY:
			if (config_size(optarg, 1024, 64 * 1024 * 1024, &c->json_body_max) != 0)
				return err_set(err, "--max-body must be 1K to 64M, not \"%s\"",
				               optarg);
			break;
		case OPT_IMPORT_MAX_BYTES:
			if (config_size(optarg, 1024, (size_t)64 * 1024 * 1024 * 1024,
			                &c->import_max_bytes) != 0)
				return err_set(
				        err, "--import-max-bytes must be 1K to 65536M, not \"%s\"",
				        optarg);
			break;
		case OPT_DEMO:
			c->demo = DEMO_NOW;
			break;
		case OPT_NO_DEMO:
			c->demo = DEMO_NEVER;
			break;
		case OPT_VERIFY_AUDIT:
			c->action = CONFIG_VERIFY_AUDIT;
			break;
		case OPT_CREATE_ADMIN:
			if (!config_username_ok(optarg))
				return err_set(
				        err,
				        "--create-admin needs a user name of 2 to 32 lower-case "
				        "letters, digits, '.', '_' or '-', not \"%s\"",
				        optarg);
			c->action = CONFIG_CREATE_ADMIN;
			c->admin_name = optarg;
			break;
		case OPT_PUBLIC_URL:
			if (!config_public_url_ok(optarg))
				return err_set(err,
				               "--public-url must be an http:// or https:// URL of "
				               "at most 200 characters, not \"%s\"",
				               optarg);
			c->public_url = optarg;
			break;
		case OPT_ROTATE_QR_KEY:
			c->action = CONFIG_ROTATE_QR_KEY;
			break;
		case OPT_VERIFY_RATE:
			if (config_number(optarg, 0, 1000000, &number) != 0)
				return err_set(err,
				               "--verify-rate must be a number from 0 to 1000000, "
				               "not \"%s\"",
				               optarg);
			c->verify_rate = (unsigned)number;
			break;
		case 'v':
			c->verbose = 1;
			break;
		case 'h':
			c->action = CONFIG_HELP;
			return 0;
		case 'V':
			c->action = CONFIG_VERSION;
			return 0;
		case ':':
			return err_set(err, "option %s needs a value", argv[optind - 1]);
		default:
			/* An unknown letter inside a cluster (-xv) leaves optind on the
			 * cluster, so argv[optind - 1] would be the argument before it. */
			if (optopt > 0 && optopt < 256 && strchr("ldDwjvhV", optopt) == NULL)
				return err_set(err, "unknown option -%c", optopt);
			return err_set(err, "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return err_set(err, "unexpected argument \"%s\"", argv[optind]);
	return 0;
}
