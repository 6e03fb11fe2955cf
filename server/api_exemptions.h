/* api_exemptions.h — /api/v1/officers/{id}/exemptions: one officer's approved
 * exemptions per year (waive or reduce), recorded and withdrawn by an admin or
 * an auditor. */
#ifndef TCARD_API_EXEMPTIONS_H
#define TCARD_API_EXEMPTIONS_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_exemptions_statements;

int api_exemptions_list(struct request *req);
int api_exemptions_put(struct request *req);
int api_exemptions_revoke(struct request *req);

#endif
