/* api_certificates.h — /api/v1/certificates: enforcement certificates (行政执法证) — issue, correct,
 * change status with the reason, list (by status, expiring soon), an officer's
 * certificates, officers on a post without a valid one, and the certificate
 * policy of a subtree (cancel at once or after review when an officer leaves). */
#ifndef TCARD_API_CERTIFICATES_H
#define TCARD_API_CERTIFICATES_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_certificates_statements;

int api_certificates_list(struct request *req);
int api_certificates_create(struct request *req);
int api_certificates_get(struct request *req);
int api_certificates_update(struct request *req);
int api_certificates_status(struct request *req);
int api_certificates_of_officer(struct request *req);
int api_certificates_uncertified(struct request *req);
int api_certificate_policy_get(struct request *req);
int api_certificate_policy_put(struct request *req);

#endif
