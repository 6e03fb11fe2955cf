/* api_reports.h — /api/v1/reports: the compliance list of a year (JSON pages
 * and CSV) and the per-unit roll-up, for auditors and HR. */
#ifndef TCARD_API_REPORTS_H
#define TCARD_API_REPORTS_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_reports_statements;

int api_reports_compliance(struct request *req);
int api_reports_compliance_csv(struct request *req);
int api_reports_compliance_xlsx(struct request *req);
int api_reports_orgs(struct request *req);
int api_reports_anomalies(struct request *req);

#endif
