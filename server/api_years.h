/* api_years.h — /api/v1/years/{year}: closing a training year for a subtree (raises the
 * withdrawal flags), a preview of what closing would raise, and the closings. */
#ifndef TCARD_API_YEARS_H
#define TCARD_API_YEARS_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_years_statements;

int api_years_close(struct request *req);
int api_years_preview(struct request *req);
int api_years_closings(struct request *req);

#endif
