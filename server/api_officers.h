/* api_officers.h — officers (行政执法人员): never deleted, every change kept. */
#ifndef TCARD_API_OFFICERS_H
#define TCARD_API_OFFICERS_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_officers_statements;

int api_officers_list(struct request *req);
int api_officers_create(struct request *req);
int api_officers_get(struct request *req);
int api_officers_update(struct request *req);
int api_officers_history(struct request *req);

#endif
