/* api_imports.h — POST /api/v1/imports/{kind}: bulk import of a streamed CSV
 * body in one transaction (issue 7, doc/import.md). A ROUTE_BODY_STREAM route:
 * the handler runs before the body and sets up the stream (request.h). */
#ifndef TCARD_API_IMPORTS_H
#define TCARD_API_IMPORTS_H

struct request;

int api_imports_post(struct request *req);
/* Imports being received now (for /metrics). */
int api_imports_running(void);

#endif
