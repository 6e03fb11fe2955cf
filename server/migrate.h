/* migrate.h — applies schema/NNN_name.sql in order, each once and in its own
 * transaction, recorded with its SHA-256; refuses to go on when an applied
 * file was changed afterwards or the database knows a migration we do not. */
#ifndef TCARD_MIGRATE_H
#define TCARD_MIGRATE_H

#include "err.h"

#include <libpq-fe.h>

/* conn must be the owner role. Returns the number of migrations applied now, or -1 with err. */
int migrate_apply(PGconn *conn, const char *schema_dir, struct err *err);

#endif
