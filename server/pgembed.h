/* pgembed.h — the embedded default: a private PostgreSQL 15 cluster under <data_dir>/pg that
 * tcardd creates on first start, starts, and stops itself. It listens on a Unix socket only;
 * db.c connects to it with the conninfo built here.
 *
 * Layout: <data_dir>/pg/{data (PGDATA), run (socket, 0700), log, initdb.log}. When tcardd runs
 * as root, everything under pg/ belongs to the `postgres` system user and every child (initdb,
 * pg_ctl) runs as that user; otherwise it all runs as ourselves.
 *
 * Not thread-safe; call pgembed_start before starting threads and pgembed_stop after joining
 * them. SIGCHLD must not be ignored (children are reaped with waitpid). */
#ifndef TCARD_PGEMBED_H
#define TCARD_PGEMBED_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define PGEMBED_PORT     5432
#define PGEMBED_DATABASE "tcard"
#define PGEMBED_PATH_MAX 4096
#define PGEMBED_GROUPS   64

struct pgembed {
	char data_dir[PGEMBED_PATH_MAX];   /* <data_dir>/pg/data (PGDATA), absolute */
	char socket_dir[PGEMBED_PATH_MAX]; /* <data_dir>/pg/run (unix socket only) */
	int port;                          /* PGEMBED_PORT: only names the socket file */
	int created;       /* 1 when this start created the database (caller loads demo data) */
	int started_by_us; /* 1 when we own the postmaster (so pgembed_stop stops it) */

	/* private */
	char root_dir[PGEMBED_PATH_MAX]; /* <data_dir>/pg */
	char log_dir[PGEMBED_PATH_MAX];  /* <data_dir>/pg/log */
	char bindir[PGEMBED_PATH_MAX];   /* $TCARD_PG_BINDIR or /usr/lib/postgresql/15/bin */
	char user[64];                   /* the cluster's OS user, for messages */
	int as_other_user;               /* 1 when root: children drop to uid/gid/groups */
	uid_t uid;
	gid_t gid;
	gid_t groups[PGEMBED_GROUPS]; /* supplementary groups of the cluster user */
	int ngroups;
};

/* Creates the cluster on first use and starts it; reuses an existing cluster, and a postmaster
 * left running by a crashed tcardd. Creates the roles tcard_owner, tcard_app, tcard_ro and the
 * database tcard when missing (created = 1 only when the database was created in this call).
 * Returns 0, or -1 with err; on failure nothing is left running and pgembed_stop is a no-op.
 * <data_dir> may be created even when the call fails. */
int pgembed_start(struct pgembed *pg, const char *data_dir, struct err *err);

/* Writes a libpq conninfo for role into out:
 * "host=<socket_dir> port=5432 dbname=tcard user=<role> connect_timeout=2".
 * role must be a plain lower-case identifier. Returns 0, or -1 if role is invalid or out is too
 * small (out then holds ""). */
int pgembed_conninfo(const struct pgembed *pg, const char *role, char *out, size_t outsize);

/* Stops the postmaster (fast shutdown, waiting for it) if we own it. Safe to call twice, and
 * after a failed pgembed_start. */
void pgembed_stop(struct pgembed *pg);

#endif
