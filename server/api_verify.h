/* api_verify.h — the public side of the QR code (doc/qr-token.md): the published
 * keys, the verification page a phone opens after scanning (/v/{token}, Chinese
 * with an English toggle) and the same verdict as JSON, each verification
 * counted per certificate and rate-limited per address. */
#ifndef TCARD_API_VERIFY_H
#define TCARD_API_VERIFY_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_verify_statements;

int api_keys_list(struct request *req);
int api_verify_json(struct request *req);
int api_verify_page(struct request *req);

/* Verifications allowed per client address and minute, both verify routes
 * together (tcardd --verify-rate); 0 lifts the limit. Call before serving. */
#define API_VERIFY_RATE_DEFAULT 60
void api_verify_set_rate(unsigned per_minute);

#endif
