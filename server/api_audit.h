/* api_audit.h — /api/v1/audit: reading the audit log within the reader's
 * scope, and re-checking its hash chain (audit.h). */
#ifndef TCARD_API_AUDIT_H
#define TCARD_API_AUDIT_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_audit_statements;

int api_audit_list(struct request *req);
int api_audit_verify(struct request *req);

#endif
