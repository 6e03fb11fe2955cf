/* api_cards.h — the printable training registration card (培训登记卡): one A4
 * page of an officer's year with the records, totals by category, the status
 * and the certificate's QR code. */
#ifndef TCARD_API_CARDS_H
#define TCARD_API_CARDS_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_cards_statements;

int api_cards_print(struct request *req);

#endif
