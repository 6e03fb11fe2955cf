/* migrate.c — schema migrations (see migrate.h). Several tcardd processes may
 * start at once behind a proxy: an advisory lock makes them take turns. */
#include "migrate.h"

#include "buf.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATE_LOCK_KEY  "7261001"
#define MIGRATE_MAX_FILES 512
#define MIGRATE_MAX_SIZE  (4u * 1024u * 1024u)

/* NNN_name.sql with a lower-case name. */
static int migrate_name_valid(const char *name)
{
	size_t len = strlen(name), i;

	if (len < 9 || strcmp(name + len - 4, ".sql") != 0 || name[3] != '_')
		return 0;
	for (i = 0; i < 3; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	for (i = 4; i < len - 4; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_'))
			return 0;
	return 1;
}

static int migrate_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int migrate_read(const char *dir, const char *name, struct buf *sql, struct err *err)
{
	char path[4096];
	char chunk[8192];
	size_t n;
	FILE *f;
	int rc = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return err_set(err, "schema path too long: %s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return err_set(err, "cannot read %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(sql, chunk, n) != 0) {
			rc = err_set(err, "%s is larger than %u bytes", path, MIGRATE_MAX_SIZE);
			break;
		}
	if (rc == 0 && ferror(f))
		rc = err_set(err, "cannot read %s", path);
	(void)fclose(f);
	return rc;
}

static int migrate_command(PGconn *conn, const char *sql, const char *what, struct err *err)
{
	PGresult *res = PQexec(conn, sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = err_set(err, "%s failed: %s", what, PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

/* The record of applied migrations. Only its owner creates it or grants the
 * app and read-only roles to read it, so that a tcardd given only the app role
 * (--db without --db-owner) starts when every migration is applied already. */
static const char migrate_table_sql[] =
        "SET client_min_messages = warning;"
        "DO $$ DECLARE r text; BEGIN"
        " IF to_regclass('schema_migration') IS NULL THEN"
        "  CREATE TABLE schema_migration (version integer PRIMARY KEY, name text NOT NULL,"
        "   sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"
        " END IF;"
        " IF pg_has_role((SELECT relowner FROM pg_class"
        "   WHERE oid = 'schema_migration'::regclass), 'USAGE') THEN"
        "  FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('tcard_app', 'tcard_ro') LOOP"
        "   EXECUTE format('GRANT SELECT ON schema_migration TO %I', r);"
        "  END LOOP;"
        " END IF;"
        "END $$";

/* Applies one file in its own transaction. */
static int migrate_one(PGconn *conn, int version, const char *name, const char *sql,
                       const char *sha, struct err *err)
{
	char version_text[16];
	const char *params[3] = {version_text, name, sha};
	PGresult *res;
	int rc;

	(void)snprintf(version_text, sizeof(version_text), "%d", version);
	if (migrate_command(conn, "BEGIN", "BEGIN", err) != 0)
		return -1;
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		err_set(err, "migration %s failed: %s%s", name, PQresultErrorMessage(res),
		        state != NULL && strcmp(state, "42501") == 0
		                ? " (this role may not change the schema: give --db-owner)"
		                : "");
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	res = PQexecParams(
	        conn, "INSERT INTO schema_migration (version, name, sha256) VALUES ($1, $2, $3)", 3,
	        NULL, params, NULL, NULL, 0);
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
	if (rc != 0)
		err_set(err, "cannot record migration %s: %s", name, PQresultErrorMessage(res));
	PQclear(res);
	if (rc != 0)
		goto fail;
	return migrate_command(conn, "COMMIT", "COMMIT", err);
fail:
	(void)migrate_command(conn, "ROLLBACK", "ROLLBACK", NULL);
	return -1;
}

/* Loads the recorded migrations: version → sha256 (64 hex + NUL). */
static int migrate_recorded(PGconn *conn, PGresult **out, struct err *err)
{
	*out = PQexec(conn, "SELECT version, name, sha256 FROM schema_migration ORDER BY version");
	if (PQresultStatus(*out) != PGRES_TUPLES_OK) {
		err_set(err, "cannot read schema_migration: %s", PQresultErrorMessage(*out));
		PQclear(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int migrate_apply(PGconn *conn, const char *schema_dir, struct err *err)
{
	char *names[MIGRATE_MAX_FILES];
	size_t count = 0, i;
	int applied = 0, row, rc = -1;
	DIR *dir = NULL;
	struct dirent *entry;
	PGresult *recorded = NULL;
	struct buf sql;

	buf_init(&sql, MIGRATE_MAX_SIZE);
	if (migrate_command(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "locking", err))
		return -1;
	if (migrate_command(conn, migrate_table_sql, "creating schema_migration", err) != 0)
		goto done;
	dir = opendir(schema_dir);
	if (dir == NULL) {
		err_set(err, "cannot open the schema directory %s: %s", schema_dir,
		        strerror(errno));
		goto done;
	}
	while ((entry = readdir(dir)) != NULL) {
		if (!migrate_name_valid(entry->d_name))
			continue;
		if (count == MIGRATE_MAX_FILES || (names[count] = strdup(entry->d_name)) == NULL) {
			err_set(err, "too many migrations or out of memory");
			goto done;
		}
		count++;
	}
	qsort(names, count, sizeof(names[0]), migrate_compare);
	for (i = 1; i < count; i++)
		if (strncmp(names[i], names[i - 1], 3) == 0) {
			err_set(err, "two migrations share the number %.3s: %s and %s", names[i],
			        names[i - 1], names[i]);
			goto done;
		}
	if (migrate_recorded(conn, &recorded, err) != 0)
		goto done;
	/* Every recorded migration must still be here, unchanged. */
	for (row = 0; row < PQntuples(recorded); row++) {
		const char *name = PQgetvalue(recorded, row, 1);

		for (i = 0; i < count && strcmp(names[i], name) != 0; i++)
			;
		if (i == count) {
			err_set(err,
			        "the database has migration %s, which is not in %s: this tcardd is "
			        "older than the database",
			        name, schema_dir);
			goto done;
		}
	}
	for (i = 0; i < count; i++) {
		unsigned char digest[crypto_hash_sha256_BYTES];
		char sha[crypto_hash_sha256_BYTES * 2 + 1];
		int version = atoi(names[i]), known = 0;

		buf_reset(&sql);
		if (migrate_read(schema_dir, names[i], &sql, err) != 0)
			goto done;
		crypto_hash_sha256(digest, (const unsigned char *)sql.data, sql.len);
		(void)sodium_bin2hex(sha, sizeof(sha), digest, sizeof(digest));
		for (row = 0; row < PQntuples(recorded); row++) {
			if (atoi(PQgetvalue(recorded, row, 0)) != version)
				continue;
			known = 1;
			if (strcmp(PQgetvalue(recorded, row, 1), names[i]) != 0 ||
			    strcmp(PQgetvalue(recorded, row, 2), sha) != 0) {
				err_set(err,
				        "migration %s was changed after it was applied (applied "
				        "sha256 %.12s…, file now %.12s…): restore the file and put "
				        "the change in a new migration",
				        names[i], PQgetvalue(recorded, row, 2), sha);
				goto done;
			}
		}
		if (known)
			continue;
		if (migrate_one(conn, version, names[i], sql.data != NULL ? sql.data : "", sha,
		                err) != 0)
			goto done;
		log_event(LOG_INFO, "migration_applied", "name=%s", names[i]);
		applied++;
	}
	rc = applied;
done:
	(void)migrate_command(conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", "unlock",
	                      NULL);
	PQclear(recorded);
	if (dir != NULL)
		(void)closedir(dir);
	for (i = 0; i < count; i++)
		free(names[i]);
	buf_release(&sql);
	return rc;
}
