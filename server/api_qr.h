/* api_qr.h — a certificate's QR code as SVG and PNG: the signed URL
 * <public base URL>/v/<token>, with size and margin parameters and caching
 * headers. */
#ifndef TCARD_API_QR_H
#define TCARD_API_QR_H

#include "db.h"

struct request;

extern const struct db_stmt_table api_qr_statements;

int api_qr_svg(struct request *req);
int api_qr_png(struct request *req);

/* The URL a certificate's code holds, <public base URL>/v/<token>, signed with
 * the current key over the claim (officer id and created_at in Unix seconds as
 * digit strings, the number). An arena string, or NULL with req->problem set. */
const char *api_qr_url(struct request *req, const char *officer_id, const char *issued_at,
                       const char *number);

#endif
