/* api_users.h — /api/v1/users: accounts, their roles and scopes (admin). */
#ifndef TCARD_API_USERS_H
#define TCARD_API_USERS_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_users_statements;

int api_users_create(struct request *req);
int api_users_get(struct request *req);
int api_users_list(struct request *req);
int api_users_update(struct request *req);
int api_users_reset_password(struct request *req);

#endif
