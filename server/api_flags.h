/* api_flags.h — /api/v1/flags: withdrawal flags — lists by unit, reason and state, one flag
 * with its history, and the auditor's review (confirm with an action applied to
 * the certificates, or dismiss with a reason). */
#ifndef TCARD_API_FLAGS_H
#define TCARD_API_FLAGS_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_flags_statements;

int api_flags_list(struct request *req);
int api_flags_summary(struct request *req);
int api_flags_get(struct request *req);
int api_flags_confirm(struct request *req);
int api_flags_dismiss(struct request *req);

#endif
