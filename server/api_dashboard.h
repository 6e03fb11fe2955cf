/* api_dashboard.h — GET /api/v1/reports/dashboard: a year of a subtree at a
 * glance for the auditor's dashboard (status totals, the distribution of
 * officers' hours, the training records per month). */
#ifndef TCARD_API_DASHBOARD_H
#define TCARD_API_DASHBOARD_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_dashboard_statements;

int api_reports_dashboard(struct request *req);

#endif
