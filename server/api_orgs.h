/* api_orgs.h — organisations: the tree every scope and report hangs from. */
#ifndef TCARD_API_ORGS_H
#define TCARD_API_ORGS_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_orgs_statements;

int api_orgs_list(struct request *req);
int api_orgs_create(struct request *req);
int api_orgs_get(struct request *req);
int api_orgs_update(struct request *req);

#endif
