/* api_card.h — /api/v1/officers/{id}/card: one officer's training
 * registration card for a year. */
#ifndef TCARD_API_CARD_H
#define TCARD_API_CARD_H

#include "db.h"

#include <jansson.h>

struct request;

extern const struct db_stmt_table api_card_statements;

int api_card_get(struct request *req);

/* The card document of officer id for year (both digit strings, year
 * 2000..2099) inside the caller's open transaction (db_begin): what GET
 * …/card replies, reused by the printable card (api_cards.c). A new reference,
 * or NULL with req->problem set (404 when the officer is out of scope). */
json_t *api_card_json(struct request *req, const char *id, const char *year);

#endif
