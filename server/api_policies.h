/* api_policies.h — /api/v1/orgs/{id}/policies/{year}: the hours policy that
 * applies to an organisation in a year, and setting its own (admin). */
#ifndef TCARD_API_POLICIES_H
#define TCARD_API_POLICIES_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_policies_statements;

int api_policies_get(struct request *req);
int api_policies_put(struct request *req);
int api_policies_delete(struct request *req);

#endif
