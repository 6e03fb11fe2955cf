/* api_assessments.h — /api/v1/officers/{id}/assessments: annual assessments (年度考核), one grade
 * per officer and year, with who recorded it. The field specs, the grades and the
 * constraint → field table are exported so that the import (issue 7) validates a
 * row exactly as the API does. */
#ifndef TCARD_API_ASSESSMENTS_H
#define TCARD_API_ASSESSMENTS_H

#include "db.h"
#include "json_in.h"

#include <stddef.h>

struct request;

extern const struct db_stmt_table api_assessments_statements;

/* The grades, NULL-terminated: excellent (优秀), pass (合格), basic (基本合格), fail (不合格). */
extern const char *const api_assessment_grades[];
/* The body of PUT …/assessments/{year}: grade (required), note (optional, ≤ 500). */
extern const struct field_spec api_assessment_fields[];
extern const size_t api_assessment_field_count;
/* The schema's constraints on annual_assessment as field errors (NULL-terminated). */
extern const struct db_field_error api_assessment_field_errors[];

/* Whether year (already 2000..2099) may be assessed: it must have begun in
 * China (Asia/Shanghai), i.e. not lie after today's year. 0, or -1 with a field
 * error on field in p. */
int api_assessment_check_year(struct problem *p, int year, const char *field);

int api_assessments_list(struct request *req);
int api_assessments_put(struct request *req);

#endif
