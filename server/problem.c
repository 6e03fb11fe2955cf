/* problem.c — the table of problem types and the problem+json builder. */
#include "problem.h"

#include <stdarg.h>
#include <stdio.h>

struct problem_kind {
	unsigned status;
	const char *slug;
	const char *title; /* Chinese / English */
};

static const struct problem_kind problem_kinds[PROBLEM_TYPE_COUNT] = {
        [PROBLEM_NONE] = {500, "internal", "服务器内部错误 / Internal server error"},
        [PROBLEM_BAD_REQUEST] = {400, "bad-request", "请求格式错误 / Malformed request"},
        [PROBLEM_UNAUTHENTICATED] = {401, "unauthenticated", "需要登录 / Authentication required"},
        [PROBLEM_FORBIDDEN] = {403, "forbidden", "无权操作 / Forbidden"},
        [PROBLEM_NOT_FOUND] = {404, "not-found", "资源不存在 / Not found"},
        [PROBLEM_METHOD] = {405, "method-not-allowed", "不支持该请求方法 / Method not allowed"},
        [PROBLEM_NOT_ACCEPTABLE] = {406, "not-acceptable", "无法提供所需格式 / Not acceptable"},
        [PROBLEM_CONFLICT] = {409, "conflict", "与现有数据冲突 / Conflict"},
        [PROBLEM_PRECONDITION] = {412, "precondition-failed",
                                  "数据已被他人修改 / The resource was changed meanwhile"},
        [PROBLEM_TOO_LARGE] = {413, "payload-too-large", "请求体过大 / Request body too large"},
        [PROBLEM_MEDIA_TYPE] = {415, "unsupported-media-type",
                                "不支持的内容类型 / Unsupported media type"},
        [PROBLEM_VALIDATION] = {422, "validation", "输入数据有误 / Invalid input"},
        [PROBLEM_PRECONDITION_REQUIRED] = {428, "precondition-required",
                                           "缺少 If-Match 请求头 / If-Match required"},
        [PROBLEM_RATE_LIMITED] = {429, "rate-limited", "请求过于频繁 / Too many requests"},
        [PROBLEM_INTERNAL] = {500, "internal", "服务器内部错误 / Internal server error"},
        [PROBLEM_UNAVAILABLE] = {503, "unavailable", "服务暂不可用 / Service unavailable"},
};

int problem_set(struct problem *p, enum problem_type type, const char *fmt, ...)
{
	va_list ap;

	p->type = type;
	p->detail[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
		va_end(ap);
	}
	return -1;
}

int problem_field(struct problem *p, const char *field, const char *reason, const char *message)
{
	if (p->type == PROBLEM_NONE)
		p->type = PROBLEM_VALIDATION;
	if (p->errors == NULL)
		p->errors = json_array();
	if (p->errors != NULL)
		(void)json_array_append_new(p->errors,
		                            json_pack("{s:s, s:s, s:s}", "field", field, "reason",
		                                      reason, "message", message));
	return -1;
}

int problem_has_fields(const struct problem *p)
{
	return p->errors != NULL && json_array_size(p->errors) > 0;
}

unsigned problem_status(enum problem_type type)
{
	if (type <= PROBLEM_NONE || type >= PROBLEM_TYPE_COUNT)
		return 500;
	return problem_kinds[type].status;
}

const char *problem_slug(enum problem_type type)
{
	if (type <= PROBLEM_NONE || type >= PROBLEM_TYPE_COUNT)
		return problem_kinds[PROBLEM_INTERNAL].slug;
	return problem_kinds[type].slug;
}

json_t *problem_to_json(const struct problem *p, const char *instance, const char *request_id)
{
	enum problem_type type = p->type;
	char uri[96], detail[sizeof(p->detail)];
	json_t *body;

	if (type <= PROBLEM_NONE || type >= PROBLEM_TYPE_COUNT)
		type = PROBLEM_INTERNAL;
	(void)snprintf(uri, sizeof(uri), "urn:tcard:problem:%s", problem_kinds[type].slug);
	if (p->detail[0] != '\0')
		(void)snprintf(detail, sizeof(detail), "%s", p->detail);
	else if (p->errors != NULL)
		(void)snprintf(detail, sizeof(detail), "%zu 处输入有误 / %zu invalid field(s)",
		               json_array_size(p->errors), json_array_size(p->errors));
	else
		(void)snprintf(detail, sizeof(detail), "%s", problem_kinds[type].title);
	body = json_pack("{s:s, s:s, s:i, s:s}", "type", uri, "title", problem_kinds[type].title,
	                 "status", (int)problem_kinds[type].status, "detail", detail);
	if (body == NULL)
		return NULL;
	if (instance != NULL)
		(void)json_object_set_new(body, "instance", json_string(instance));
	if (request_id != NULL)
		(void)json_object_set_new(body, "request_id", json_string(request_id));
	if (p->errors != NULL)
		(void)json_object_set(body, "errors", p->errors);
	return body;
}

void problem_clear(struct problem *p)
{
	json_decref(p->errors);
	p->errors = NULL;
	p->type = PROBLEM_NONE;
	p->detail[0] = '\0';
}
