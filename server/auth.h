/* auth.h — who is asking, and may they use this route: the one authorisation
 * choke point every request passes before its handler (SECURITY.md 1). */
#ifndef TCARD_AUTH_H
#define TCARD_AUTH_H

struct request;

/* Resolves req->principal and checks the route's roles. 0, or -1 with
 * req->problem set (401/403). */
int auth_authorize(struct request *req);

/* 1 when the principal may see full national IDs of officers in its scope. */
int auth_sees_full_national_id(const struct request *req);

#endif
