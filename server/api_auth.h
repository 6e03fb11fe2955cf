/* api_auth.h — /api/v1/login, /logout, /session, /session/password and
 * /tokens: browser sessions and API tokens of the logged-in user. */
#ifndef TCARD_API_AUTH_H
#define TCARD_API_AUTH_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_auth_statements;

int api_auth_login(struct request *req);
int api_auth_logout(struct request *req);
int api_auth_session(struct request *req);
int api_auth_password(struct request *req);
int api_auth_token_create(struct request *req);
int api_auth_token_list(struct request *req);
int api_auth_token_revoke(struct request *req);

#endif
