/* fuzz_router.c — fuzz harness for router_match over request paths (the one
 * part of routing that comes from outside): a match rebuilds the exact path
 * from its pattern and parameters, 404 allows nothing, 405 allows other
 * methods only. The first input byte picks the method. */
#include "fuzz.h"

#include "router.h"

#include <string.h>

static int fuzz_handler(struct request *req)
{
	(void)req;
	return 0;
}

static const struct route fuzz_routes[] = {
        {HTTP_GET, "/healthz", fuzz_handler, ROLE_PUBLIC, ROUTE_BODY_NONE, ""},
        {HTTP_GET, "/api/v1/officers", fuzz_handler, ROLE_STAFF, ROUTE_BODY_NONE, ""},
        {HTTP_POST, "/api/v1/officers", fuzz_handler, ROLE_ADMIN, ROUTE_BODY_JSON, ""},
        {HTTP_GET, "/api/v1/officers/{id}", fuzz_handler, ROLE_STAFF, ROUTE_BODY_NONE, ""},
        {HTTP_PATCH, "/api/v1/officers/{id}", fuzz_handler, ROLE_ADMIN, ROUTE_BODY_JSON, ""},
        {HTTP_DELETE, "/api/v1/officers/{id}", fuzz_handler, ROLE_ADMIN, ROUTE_BODY_NONE, ""},
        {HTTP_GET, "/api/v1/officers/{id}/records/{record}", fuzz_handler, ROLE_STAFF,
         ROUTE_BODY_NONE, ""},
        {HTTP_PUT, "/api/v1/orgs/{org}/units/{unit}/members/{member}", fuzz_handler, ROLE_ADMIN,
         ROUTE_BODY_JSON, ""},
        {HTTP_GET, "/x/{a}/{b}/{c}/{d}", fuzz_handler, ROLE_ADMIN, ROUTE_BODY_NONE, ""},
        {HTTP_GET, "/y/{a}/{b}/{c}/{d}/{e}", fuzz_handler, ROLE_ADMIN, ROUTE_BODY_NONE, ""},
        {HTTP_OPTIONS, "/api/v1/{anything}", fuzz_handler, ROLE_PUBLIC, ROUTE_BODY_NONE, ""},
};
#define FUZZ_ROUTE_COUNT (sizeof(fuzz_routes) / sizeof(fuzz_routes[0]))

static const unsigned fuzz_methods[] = {
        HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS, 0,
};

const struct fuzz_input fuzz_seeds[] = {
        FUZZ_TEXT("\0/healthz"),
        FUZZ_TEXT("\1/api/v1/officers/12"),
        FUZZ_TEXT("\2/api/v1/officers"),
        FUZZ_TEXT("\4/api/v1/officers/7"),
        FUZZ_TEXT("\0/api/v1/officers/7/records/2026-1"),
        FUZZ_TEXT("\3/api/v1/orgs/a/units/b/members/c"),
        FUZZ_TEXT("\0/x/1/2/3/4"),
        FUZZ_TEXT("\0/y/1/2/3/4/5"),
        FUZZ_TEXT("\6/api/v1/zzz"),
        FUZZ_TEXT("\0/api/v1/officers/"),
        FUZZ_TEXT("\0//"),
        FUZZ_TEXT("\7"),
};
const size_t fuzz_seed_count = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

const struct fuzz_input fuzz_tokens[] = {
        FUZZ_TEXT("/"),    FUZZ_TEXT("//"),       FUZZ_TEXT("{id}"),      FUZZ_TEXT("{"),
        FUZZ_TEXT("}"),    FUZZ_TEXT("/api/v1/"), FUZZ_TEXT("officers"),  FUZZ_TEXT("records"),
        FUZZ_TEXT("orgs"), FUZZ_TEXT("/units/"),  FUZZ_TEXT("/members/"), FUZZ_TEXT("%2F"),
        FUZZ_TEXT("张三"), FUZZ_TEXT(".."),       FUZZ_TEXT("\0"),
};
const size_t fuzz_token_count = sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]);

/* Rebuilds a path from m's pattern and parameters into out; 0 if it does not fit. */
static int fuzz_rebuild(const struct route_match *m, char *out, size_t size)
{
	const char *p = m->route->pattern;
	size_t len = 0, n;
	int param = 0;

	while (*p != '\0') {
		if (*p == '{') {
			FUZZ_REQUIRE(param < m->nparams);
			FUZZ_REQUIRE(strncmp(m->params[param].name, p + 1,
			                     m->params[param].name_len) == 0);
			n = m->params[param].value_len;
			if (len + n >= size)
				return 0;
			memcpy(out + len, m->params[param].value, n);
			len += n;
			param++;
			p = strchr(p, '}') + 1;
		} else {
			if (len + 1 >= size)
				return 0;
			out[len++] = *p++;
		}
	}
	FUZZ_REQUIRE(param == m->nparams);
	out[len] = '\0';
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[512], rebuilt[1024], allow[128];
	struct route_match m;
	enum router_result result;
	unsigned method, wanted;
	int i;

	if (size == 0)
		return 0;
	method = fuzz_methods[data[0] % (sizeof(fuzz_methods) / sizeof(fuzz_methods[0]))];
	wanted = method == HTTP_HEAD ? HTTP_GET : method;
	size--;
	if (size >= sizeof(path))
		size = sizeof(path) - 1;
	memcpy(path, data + 1, size);
	path[size] = '\0';

	result = router_match(fuzz_routes, FUZZ_ROUTE_COUNT, method, path, &m);
	FUZZ_REQUIRE(m.nparams >= 0 && m.nparams <= ROUTER_MAX_PARAMS);
	(void)router_allow_header(m.allowed, allow, sizeof(allow));
	FUZZ_REQUIRE(strlen(allow) < sizeof(allow));
	switch (result) {
	case ROUTER_FOUND:
		FUZZ_REQUIRE(m.route != NULL && m.route->method == wanted);
		FUZZ_REQUIRE(m.allowed & wanted);
		FUZZ_REQUIRE(allow[0] != '\0');
		for (i = 0; i < m.nparams; i++) {
			/* A parameter is one non-empty segment inside the path. */
			FUZZ_REQUIRE(m.params[i].value >= path);
			FUZZ_REQUIRE(m.params[i].value + m.params[i].value_len <= path + size);
			FUZZ_REQUIRE(m.params[i].value_len > 0);
			FUZZ_REQUIRE(memchr(m.params[i].value, '/', m.params[i].value_len) == NULL);
			FUZZ_REQUIRE(m.params[i].name_len > 0);
		}
		FUZZ_REQUIRE(fuzz_rebuild(&m, rebuilt, sizeof(rebuilt)));
		FUZZ_REQUIRE(strcmp(rebuilt, path) == 0);
		break;
	case ROUTER_METHOD_NOT_ALLOWED:
		FUZZ_REQUIRE(m.route == NULL);
		FUZZ_REQUIRE(m.allowed != 0 && !(m.allowed & wanted));
		FUZZ_REQUIRE(allow[0] != '\0');
		break;
	case ROUTER_NOT_FOUND:
		FUZZ_REQUIRE(m.route == NULL && m.allowed == 0 && m.nparams == 0);
		FUZZ_REQUIRE(allow[0] == '\0');
		break;
	default:
		FUZZ_REQUIRE(!"router_match returned no router_result");
	}
	return 0;
}
