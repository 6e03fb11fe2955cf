/* api_attendance.h — attendance records (培训登记) of training sessions: bulk
 * registration, the list of a session, override and revocation (issue 4). */
#ifndef TCARD_API_ATTENDANCE_H
#define TCARD_API_ATTENDANCE_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_attendance_statements;

/* POST /sessions/{id}/attendance */
int api_attendance_register(struct request *req);
/* GET /sessions/{id}/attendance */
int api_attendance_list(struct request *req);
/* PATCH /attendance/{id} */
int api_attendance_update(struct request *req);

#endif
