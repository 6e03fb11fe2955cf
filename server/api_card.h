/* api_card.h — /api/v1/officers/{id}/card: one officer's training
 * registration card for a year. */
#ifndef TCARD_API_CARD_H
#define TCARD_API_CARD_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_card_statements;

int api_card_get(struct request *req);

#endif
