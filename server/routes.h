/* routes.h — the whole API on one screen: the route table (routes.c). */
#ifndef TCARD_ROUTES_H
#define TCARD_ROUTES_H

#include "db.h"
#include "router.h"

#include <stddef.h>

extern const struct route routes_table[];
extern const size_t routes_count;

/* Every resource's prepared statements, for db_setup. */
extern const struct db_stmt_table *const routes_statements[];
extern const size_t routes_statement_tables;

#endif
