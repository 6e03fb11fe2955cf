/* main.c — tcardd: flags, start-up (embedded database, keys, migrations,
 * demo data, statements, HTTP), signals and an orderly shutdown. */
#include "accounts.h"
#include "api_verify.h"
#include "audit.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "demo.h"
#include "fs.h"
#include "hours_store.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"
#include "pgembed.h"
#include "pii.h"
#include "routes.h"
#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_USAGE        64
#define SHUTDOWN_GRACE_MS 10000

/* Connection strings for the app role and the migration owner. */
struct conninfos {
	char app[8192];
	char owner[8192];
};

static int start_database(const struct config *config, struct pgembed *pg, struct conninfos *ci,
                          struct err *err)
{
	if (config->db != NULL) {
		if (snprintf(ci->app, sizeof(ci->app), "%s", config->db) >= (int)sizeof(ci->app) ||
		    snprintf(ci->owner, sizeof(ci->owner), "%s",
		             config->db_owner != NULL ? config->db_owner : config->db) >=
		            (int)sizeof(ci->owner))
			return err_set(err, "the connection string is too long");
		return 0;
	}
	log_event(LOG_INFO, "embedded_database_starting", "data_dir=%s", config->data_dir);
	if (pgembed_start(pg, config->data_dir, err) != 0)
		return -1;
	if (pgembed_conninfo(pg, "tcard_app", ci->app, sizeof(ci->app)) != 0 ||
	    pgembed_conninfo(pg, "tcard_owner", ci->owner, sizeof(ci->owner)) != 0)
		return err_set(err, "the embedded database path is too long");
	log_event(LOG_INFO, "embedded_database_ready", "socket_dir=%s created=%d", pg->socket_dir,
	          pg->created);
	return 0;
}

/* One tcardd per data directory: two would share keys, the embedded cluster
 * and the audit checkpoints. The lock (DATA_DIR/tcardd.lock, holding the pid)
 * goes with the process, however it ends. Returns the descriptor, or -1. */
static int lock_data_dir(const struct config *config, struct err *err)
{
	char path[PATH_MAX], pid[32] = "";
	int fd;
	ssize_t got;

	if (fs_mkdirs(config->data_dir, 0755, err) != 0)
		return -1;
	if (snprintf(path, sizeof(path), "%s/tcardd.lock", config->data_dir) >= (int)sizeof(path))
		return err_set(err, "the data directory path is too long");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, "cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		got = read(fd, pid, sizeof(pid) - 1);
		pid[got > 0 ? got : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		(void)close(fd);
		return err_set(err, "another tcardd (pid %s) is running on %s", pid[0] ? pid : "?",
		               config->data_dir);
	}
	(void)snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || write(fd, pid, strlen(pid)) != (ssize_t)strlen(pid)) {
		(void)close(fd);
		return err_set(err, "cannot write %s: %s", path, strerror(errno));
	}
	return fd;
}

static int open_keys(const struct config *config, struct err *err)
{
	char dir[4096], path[4200];

	if (snprintf(dir, sizeof(dir), "%s/keys", config->data_dir) >= (int)sizeof(dir))
		return err_set(err, "the data directory path is too long");
	if (fs_mkdirs(config->data_dir, 0755, err) != 0)
		return -1;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(err, "cannot create %s: %s", dir, strerror(errno));
	(void)snprintf(path, sizeof(path), "%s/pii.key", dir);
	return pii_init(path, err);
}

/* Row-level security lets the planner read the scope column's statistics only
 * through LEAKPROOF operators (schema/014_scope_estimates.sql). The embedded
 * cluster marks ltree's; on a server of its own the operator must, once. */
static void main_check_leakproof(PGconn *conn)
{
	PGresult *res =
	        PQexec(conn, "SELECT count(*) FROM pg_proc WHERE NOT proleakproof AND oid IN"
	                     " ('ltree_isparent(ltree, ltree)'::regprocedure,"
	                     " 'ltree_risparent(ltree, ltree)'::regprocedure)");

	if (PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "0") != 0)
		log_event(LOG_WARN, "scope_estimates_blind",
		          "hint=\"as a superuser: ALTER FUNCTION ltree_isparent(ltree, ltree)"
		          " LEAKPROOF; ALTER FUNCTION ltree_risparent(ltree, ltree) LEAKPROOF\"");
	PQclear(res);
}

/* Applies migrations, then loads the demo city when asked to (*demo_loaded). */
static int prepare_schema(const struct config *config, const struct conninfos *ci, int created,
                          int *demo_loaded, struct err *err)
{
	PGconn *conn = PQconnectdb(ci->owner);
	int applied, rc = -1, demo;

	if (PQstatus(conn) != CONNECTION_OK) {
		err_set(err, "cannot connect for migrations: %s", PQerrorMessage(conn));
		goto done;
	}
	applied = migrate_apply(conn, config->schema_dir, err);
	if (applied < 0)
		goto done;
	log_event(LOG_INFO, "schema_ready", "migrations_applied=%d", applied);
	main_check_leakproof(conn);
	demo = config->demo == DEMO_NOW || (config->demo == DEMO_AUTO && created);
	*demo_loaded = 0;
	if (demo) {
		PQfinish(conn);
		conn = PQconnectdb(ci->app);
		if (PQstatus(conn) != CONNECTION_OK) {
			err_set(err, "cannot connect to load demo data: %s", PQerrorMessage(conn));
			goto done;
		}
		demo = demo_load(conn, err);
		if (demo < 0)
			goto done;
		log_event(LOG_INFO, "demo_data", "officers_loaded=%d", demo);
		*demo_loaded = 1;
	}
	rc = 0;
done:
	PQfinish(conn);
	return rc;
}

/* Writes the first start's accounts to stdout (never to the log) and to
 * DATA_DIR/initial-accounts.txt (mode 0600), so deploy/run.sh can show them
 * again on later starts. */
static void show_initial_accounts(const struct config *config, const char *admin_password,
                                  const struct accounts_demo *demo)
{
	char path[PATH_MAX];
	FILE *outs[2] = {stdout, NULL};
	int fd, i;

	if (snprintf(path, sizeof(path), "%s/initial-accounts.txt", config->data_dir) <
	    (int)sizeof(path)) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0)
			outs[1] = fdopen(fd, "w");
	}
	for (i = 0; i < 2 && outs[i] != NULL; i++) {
		(void)fprintf(
		        outs[i],
		        "tcard accounts created on the first start (passwords shown once):\n"
		        "  role     username         password          scope\n"
		        "  admin    admin            %-17s everything; one-time: change it at "
		        "the first login\n",
		        admin_password);
		if (demo != NULL)
			(void)fprintf(
			        outs[i],
			        "  hr       hr.meijiang      %-17s 梅江区 (MZ.MJ) and its units\n"
			        "  auditor  auditor.meizhou  %-17s all of 梅州市 (MZ), read-only\n"
			        "  officer  officer.demo     %-17s %s's own card\n",
			        demo->hr_password, demo->auditor_password, demo->officer_password,
			        demo->officer_name);
	}
	(void)fflush(stdout);
	if (outs[1] != NULL)
		(void)fclose(outs[1]);
}

/* On the first start of the embedded default (no account yet): the first
 * administrator, and the demo city's accounts when the demo was loaded. */
static int create_initial_accounts(const struct config *config, const struct conninfos *ci,
                                   int demo_loaded, struct err *err)
{
	PGconn *conn;
	char password[ACCOUNTS_PASSWORD_BYTES];
	struct accounts_demo demo;
	int has, rc = -1;

	if (config->db != NULL)
		return 0; /* an operator's database: tcardd --create-admin NAME */
	conn = PQconnectdb(ci->app);
	if (PQstatus(conn) != CONNECTION_OK) {
		err_set(err, "cannot connect to create accounts: %s", PQerrorMessage(conn));
		goto done;
	}
	has = accounts_has_users(conn, err);
	if (has < 0)
		goto done;
	if (has == 0) {
		if (accounts_create_admin(conn, "admin", password, err) != 0 ||
		    (demo_loaded && accounts_create_demo(conn, &demo, err) != 0))
			goto done;
		show_initial_accounts(config, password, demo_loaded ? &demo : NULL);
		log_event(LOG_INFO, "initial_accounts_created", "demo=%d", demo_loaded);
		sodium_memzero(password, sizeof(password));
		sodium_memzero(&demo, sizeof(demo));
	}
	rc = 0;
done:
	PQfinish(conn);
	return rc;
}

/* 1 when the embedded cluster under data_dir answers already: a running
 * tcardd's, which --verify-audit must leave running. */
static int embedded_running(const char *data_dir)
{
	char dir[PATH_MAX], conninfo[PATH_MAX + 128];

	if (realpath(data_dir, dir) == NULL ||
	    snprintf(conninfo, sizeof(conninfo),
	             "host='%s/pg/run' port=%d dbname=%s user=tcard_app connect_timeout=2", dir,
	             PGEMBED_PORT, PGEMBED_DATABASE) >= (int)sizeof(conninfo))
		return 0;
	return PQping(conninfo) == PQPING_OK;
}

/* tcardd --verify-audit: opens the database as a start does (no migrations),
 * checks the audit chain once (audit.c); exit 0 intact, 1 broken, 2 unchecked. */
static int verify_audit(const struct config *config)
{
	struct pgembed pg;
	struct conninfos ci;
	struct err err = {{0}};
	char version_file[PATH_MAX];
	int status, running = config->db == NULL && embedded_running(config->data_dir);

	memset(&pg, 0, sizeof(pg));
	/* Checking must not create an empty cluster where none was. */
	(void)snprintf(version_file, sizeof(version_file), "%s/pg/data/PG_VERSION",
	               config->data_dir);
	if (config->db == NULL && access(version_file, F_OK) != 0) {
		(void)fprintf(stderr, "tcardd: no embedded database under %s\n", config->data_dir);
		return 2;
	}
	if (start_database(config, &pg, &ci, &err) != 0) {
		(void)fprintf(stderr, "tcardd: cannot open the database: %s\n", err.message);
		return 2;
	}
	status = audit_verify_command(config->data_dir, ci.app, stdout);
	if (!running)
		pgembed_stop(&pg);
	return status;
}

/* tcardd --create-admin NAME: opens (and migrates) the database as a start
 * does, creates the administrator or gives it a new one-time password, prints
 * it on stdout and exits: 0, or 1 on failure. */
static int create_admin(const struct config *config)
{
	struct pgembed pg;
	struct conninfos ci;
	struct err err = {{0}};
	char password[ACCOUNTS_PASSWORD_BYTES];
	int demo_loaded, status = 1,
	                 running = config->db == NULL && embedded_running(config->data_dir);
	PGconn *conn = NULL;
	struct config quiet = *config;

	memset(&pg, 0, sizeof(pg));
	quiet.demo = DEMO_NEVER;
	if (auth_init(&err) != 0 || start_database(config, &pg, &ci, &err) != 0 ||
	    prepare_schema(&quiet, &ci, pg.created, &demo_loaded, &err) != 0)
		goto done;
	conn = PQconnectdb(ci.app);
	if (PQstatus(conn) != CONNECTION_OK) {
		err_set(&err, "cannot connect: %s", PQerrorMessage(conn));
		goto done;
	}
	if (accounts_create_admin(conn, config->admin_name, password, &err) != 0)
		goto done;
	(void)printf("administrator %s, one-time password (change it at the first login): %s\n",
	             config->admin_name, password);
	sodium_memzero(password, sizeof(password));
	status = 0;
done:
	if (status != 0)
		(void)fprintf(stderr, "tcardd: %s\n", err.message);
	PQfinish(conn);
	if (!running)
		pgembed_stop(&pg);
	auth_release();
	return status;
}

/* tcardd --rotate-qr-key: adds a QR signing key under DATA_DIR/keys/qr and
 * makes it current; the running server keeps its keys until it restarts, so
 * this is done on a stopped data directory (the lock says so). 0 or 1. */
static int rotate_qr_key(const struct config *config)
{
	struct err err = {{0}};
	char kid[9];
	int lock = lock_data_dir(config, &err);

	if (lock < 0 || sign_rotate(config->data_dir, kid, &err) != 0) {
		(void)fprintf(stderr, "tcardd: %s\n", err.message);
		if (lock >= 0)
			(void)close(lock);
		return 1;
	}
	(void)printf("new QR signing key %s is current; earlier codes still verify\n", kid);
	(void)close(lock);
	return 0;
}

/* The base URL of QR codes: --public-url, else http:// and the address
 * listened on (with the port really bound when --listen asked for any). */
static int set_public_url(const struct config *config, unsigned port, struct err *err)
{
	char url[CONFIG_PUBLIC_URL_MAX + 80];
	const char *colon = strrchr(config->listen, ':');

	if (config->public_url != NULL) {
		sign_set_public_url(config->public_url);
		return 0;
	}
	if (colon == NULL ||
	    snprintf(url, sizeof(url), "http://%.*s:%u", (int)(colon - config->listen),
	             config->listen, port) >= (int)sizeof(url))
		return err_set(err, "cannot make the public URL of %s", config->listen);
	sign_set_public_url(url);
	return 0;
}

/* Lets the process hold as many connections as it was configured for. */
static void raise_file_limit(unsigned connections)
{
	struct rlimit limit;
	rlim_t want = (rlim_t)connections + 256;

	if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= want)
		return;
	limit.rlim_cur = want < limit.rlim_max ? want : limit.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &limit);
}

int main(int argc, char **argv)
{
	struct config config;
	struct err err = {{0}};
	struct pgembed pg;
	struct conninfos ci;
	struct http_config http;
	struct http_server *server = NULL;
	sigset_t signals;
	int sig, status = EXIT_FAILURE, demo_loaded = 0;
	unsigned listen_port;
	char quoted[600];

	memset(&pg, 0, sizeof(pg));
	if (config_parse(&config, argc, argv, &err) != 0) {
		(void)fprintf(stderr, "tcardd: %s\nTry 'tcardd --help' for more information.\n",
		              err.message);
		return EXIT_USAGE;
	}
	if (config.action == CONFIG_HELP) {
		config_usage(stdout);
		return 0;
	}
	if (config.action == CONFIG_VERSION) {
		(void)printf("tcardd %s\n", TCARD_VERSION);
		return 0;
	}
	log_set_level(config.verbose ? LOG_DEBUG : LOG_INFO);
	if (sodium_init() < 0) {
		log_event(LOG_ERROR, "startup_failed", "reason=\"libsodium cannot start\"");
		return EXIT_FAILURE;
	}
	if (config.action == CONFIG_VERIFY_AUDIT)
		return verify_audit(&config);
	if (config.action == CONFIG_CREATE_ADMIN)
		return create_admin(&config);
	if (config.action == CONFIG_ROTATE_QR_KEY)
		return rotate_qr_key(&config);
	/* Block the stop signals in every thread; main waits for them below. */
	(void)sigemptyset(&signals);
	(void)sigaddset(&signals, SIGINT);
	(void)sigaddset(&signals, SIGTERM);
	(void)pthread_sigmask(SIG_BLOCK, &signals, NULL);
	(void)signal(SIGPIPE, SIG_IGN);
	raise_file_limit(config.connection_limit);

	if (auth_init(&err) != 0 || lock_data_dir(&config, &err) < 0 ||
	    open_keys(&config, &err) != 0 || sign_start(config.data_dir, &err) != 0 ||
	    start_database(&config, &pg, &ci, &err) != 0 ||
	    prepare_schema(&config, &ci, pg.created, &demo_loaded, &err) != 0 ||
	    create_initial_accounts(&config, &ci, demo_loaded, &err) != 0 ||
	    db_setup(ci.app, routes_statements, routes_statement_tables, &err) != 0 ||
	    audit_start(config.data_dir, ci.app, &err) != 0 || hours_store_start(&err) != 0)
		goto fail;

	memset(&http, 0, sizeof(http));
	http.listen = config.listen;
	http.workers = config.workers;
	http.connection_limit = config.connection_limit;
	http.per_address_limit =
	        config.per_address_limit >= 0 ? (unsigned)config.per_address_limit
	        : strncmp(config.listen, "127.", 4) == 0 || strncmp(config.listen, "[::1]", 5) == 0
	                ? 0
	                : 64;
	http.idle_timeout = config.idle_timeout;
	http.connection_memory = config.connection_memory;
	http.json_body_max = config.json_body_max;
	http.stream_body_max = config.import_max_bytes;
	http.routes = routes_table;
	http.route_count = routes_count;
	metrics_init(routes_table, routes_count);
	http.static_files.web_root = config.web_root;
	http.static_files.vendor_dir = config.vendor_dir;
	api_verify_set_rate(config.verify_rate);
	/* Before serving: handlers read the URL without a lock. Only a listen
	 * port of 0 (any; tests) learns the port afterwards. */
	listen_port = (unsigned)strtoul(strrchr(config.listen, ':') + 1, NULL, 10);
	if (set_public_url(&config, listen_port, &err) != 0)
		goto fail;
	server = http_start(&http, &err);
	if (server == NULL ||
	    (listen_port == 0 && set_public_url(&config, http_port(server), &err) != 0))
		goto fail;
	log_event(LOG_INFO, "listening", "url=http://%s port=%u workers=%u version=%s",
	          config.listen, http_port(server), config.workers, TCARD_VERSION);

	do {
		if (sigwait(&signals, &sig) != 0)
			sig = SIGTERM;
	} while (sig != SIGINT && sig != SIGTERM);
	log_event(LOG_INFO, "stopping", "signal=%s", sig == SIGINT ? "SIGINT" : "SIGTERM");
	status = EXIT_SUCCESS;
	goto stop;
fail:
	log_event(LOG_ERROR, "startup_failed", "reason=%s",
	          log_quote(quoted, sizeof(quoted), err.message));
stop:
	http_stop(server, SHUTDOWN_GRACE_MS);
	hours_store_stop();
	audit_stop(); /* a last checkpoint while the database still runs */
	db_shutdown();
	pgembed_stop(&pg);
	pii_release();
	sign_stop();
	auth_release();
	log_event(LOG_INFO, "stopped", "status=%d", status);
	return status;
}
