/* api_sessions.h — /api/v1/sessions: register, read, list and correct training
 * sessions (issue 4). Attendance records live in api_attendance.h. */
#ifndef TCARD_API_SESSIONS_H
#define TCARD_API_SESSIONS_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_sessions_statements;

int api_sessions_create(struct request *req);
int api_sessions_list(struct request *req);
int api_sessions_get(struct request *req);
int api_sessions_update(struct request *req);

#endif
