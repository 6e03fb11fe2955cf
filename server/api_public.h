/* api_public.h — /public/cancelled-certificates: the published cancellations, for anyone
 * without logging in (number, masked name, unit, date, reason category), as
 * JSON and CSV. */
#ifndef TCARD_API_PUBLIC_H
#define TCARD_API_PUBLIC_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_public_statements;

int api_public_cancelled(struct request *req);
int api_public_cancelled_csv(struct request *req);

#endif
