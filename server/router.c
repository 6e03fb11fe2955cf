/* router.c — matches a request's method and path against the route table. */
#include "router.h"

#include <stdio.h>
#include <string.h>

static const struct {
	unsigned method;
	const char *name;
} router_methods[] = {
        {HTTP_GET, "GET"},         {HTTP_HEAD, "HEAD"},   {HTTP_POST, "POST"},
        {HTTP_PUT, "PUT"},         {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"},
        {HTTP_OPTIONS, "OPTIONS"},
};

unsigned router_method(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(router_methods) / sizeof(router_methods[0]); i++)
		if (strcmp(router_methods[i].name, name) == 0)
			return router_methods[i].method;
	return 0;
}

const char *router_method_name(unsigned method)
{
	size_t i;

	for (i = 0; i < sizeof(router_methods) / sizeof(router_methods[0]); i++)
		if (router_methods[i].method == method)
			return router_methods[i].name;
	return "-";
}

const char *router_allow_header(unsigned methods, char *out, size_t size)
{
	size_t i, len = 0;
	int n;

	if (size == 0)
		return out;
	out[0] = '\0';
	for (i = 0; i < sizeof(router_methods) / sizeof(router_methods[0]); i++) {
		if (!(methods & router_methods[i].method))
			continue;
		n = snprintf(out + len, size - len, "%s%s", len ? ", " : "",
		             router_methods[i].name);
		if (n < 0 || (size_t)n >= size - len) {
			/* Too small: list whole methods only, never a cut-off "HE". */
			out[len] = '\0';
			break;
		}
		len += (size_t)n;
	}
	return out;
}

/* Matches one pattern against path, filling params; returns 1 on a match. */
static int router_match_pattern(const char *pattern, const char *path, struct route_match *m)
{
	const char *p = pattern, *s = path;

	m->nparams = 0;
	while (*p != '\0' && *s != '\0') {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t seg = strcspn(s, "/");

			if (close == NULL || seg == 0 || m->nparams == ROUTER_MAX_PARAMS)
				return 0;
			m->params[m->nparams].name = p + 1;
			m->params[m->nparams].name_len = (size_t)(close - p - 1);
			m->params[m->nparams].value = s;
			m->params[m->nparams].value_len = seg;
			m->nparams++;
			p = close + 1;
			s += seg;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return 0;
		}
	}
	return *p == '\0' && *s == '\0';
}

enum router_result router_match(const struct route *table, size_t count, unsigned method,
                                const char *path, struct route_match *out)
{
	unsigned wanted = method == HTTP_HEAD ? HTTP_GET : method;
	struct route_match candidate;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&candidate, 0, sizeof(candidate));
	for (i = 0; i < count; i++) {
		if (!router_match_pattern(table[i].pattern, path, &candidate))
			continue;
		out->allowed |= table[i].method;
		if (table[i].method == HTTP_GET)
			out->allowed |= HTTP_HEAD;
		if (table[i].method == wanted && out->route == NULL) {
			unsigned allowed = out->allowed;

			*out = candidate;
			out->allowed = allowed;
			out->route = &table[i];
		}
	}
	if (out->route != NULL)
		return ROUTER_FOUND;
	return out->allowed ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}
