/* problem.c — the table of problem types and the problem+json builder. */
#include "problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* Cuts a UTF-8 sequence that truncation left incomplete at the end of text,
 * so that a long Chinese detail cut at the buffer's end still renders as JSON. */
static void problem_cut_partial_char(char *text)
{
	size_t len = strlen(text), lead = len, need;
	unsigned char c;

	while (lead > 0 && ((unsigned char)text[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead == 0)
		return;
	c = (unsigned char)text[lead - 1];
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (len - (lead - 1) < need)
		text[lead - 1] = '\0';
}

int problem_set(struct problem *p, enum problem_type type, const char *fmt, ...)
{
	va_list ap;
	int n;

	p->type = type;
	p->detail[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		n = vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
		va_end(ap);
		if (n < 0)
			p->detail[0] = '\0';
		else if ((size_t)n >= sizeof(p->detail))
			problem_cut_partial_char(p->detail);
	}
	return -1;
}

int problem_field(struct problem *p, const char *field, const char *reason, const char *message)
{
	json_t *error;

	if (p->type == PROBLEM_NONE)
		p->type = PROBLEM_VALIDATION;
	if (p->errors == NULL)
		p->errors = json_array();
	error = json_pack("{s:s, s:s, s:s}", "field", field, "reason", reason, "message", message);
	if (p->errors == NULL) {
		json_decref(error);
		goto fail;
	}
	/* json_array_append_new takes error even when it fails. */
	if (error == NULL || json_array_append_new(p->errors, error) != 0)
		goto fail;
	return -1;
fail:
	/* A list that lost an entry must not pass for the whole one: out of
	 * memory is the server's failure, not the client's. */
	return problem_set(p, PROBLEM_INTERNAL, "out of memory while recording field errors");
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
	json_t *body = NULL, *text;

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
	body = json_pack("{s:s, s:s, s:i}", "type", uri, "title", problem_kinds[type].title,
	                 "status", (int)problem_kinds[type].status);
	if (body == NULL)
		goto fail;
	/* A detail that is not UTF-8 (client text passed through %s) would make
	 * the whole problem unrenderable: the title stands in for it (as it does
	 * when memory for the detail runs out). */
	text = json_string(detail);
	if (text == NULL)
		text = json_string(problem_kinds[type].title);
	if (json_object_set_new(body, "detail", text) != 0)
		goto fail;
	/* instance and request_id are client text: left out when not UTF-8. */
	if (instance != NULL)
		(void)json_object_set_new(body, "instance", json_string(instance));
	if (request_id != NULL)
		(void)json_object_set_new(body, "request_id", json_string(request_id));
	if (p->errors != NULL && json_object_set(body, "errors", p->errors) != 0)
		goto fail;
	return body;
fail:
	json_decref(body);
	return NULL;
}

void problem_clear(struct problem *p)
{
	json_decref(p->errors);
	p->errors = NULL;
	p->type = PROBLEM_NONE;
	p->detail[0] = '\0';
}
