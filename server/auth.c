/* auth.c — principal resolution and the route-role check.
 *
 * Stage of the project: accounts, sessions and API tokens arrive with the
 * accounts issue (#3). Until then tcardd listens on loopback by default and
 * every caller acts as the built-in administrator with scope "all"; the role
 * check and row-level security already run on that principal, so adding
 * real principals changes this file only. */
#include "auth.h"

#include "request.h"

int auth_authorize(struct request *req)
{
	req->principal.role = ROLE_ADMIN;
	req->principal.scope = "all";
	req->principal.actor = "system";
	req->principal.user_id = 0;
	if (req->match.route->roles & ROLE_PUBLIC)
		return 0;
	if (!(req->match.route->roles & req->principal.role))
		return problem_set(&req->problem, PROBLEM_FORBIDDEN,
		                   "your role may not use this endpoint");
	return 0;
}

int auth_sees_full_national_id(const struct request *req)
{
	return req->principal.role == ROLE_ADMIN || req->principal.role == ROLE_HR;
}
