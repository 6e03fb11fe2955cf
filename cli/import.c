/* import.c — `tcard import`: checks and renames the header locally (Chinese,
 * English or a --map file's names to the canonical names of doc/import.md),
 * converts the file to UTF-8 and streams it with chunked transfer encoding
 * through libcurl's read callback, a fixed buffer at a time, so memory does not
 * grow with the file. The server validates the rows; a 422 becomes
 * FILE.errors.csv. */
#include "import.h"

#include "client.h"
#include "config.h"
#include "csv_source.h"
#include "errors_csv.h"

#include <curl/curl.h>
#include <jansson.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define IMPORT_REPLY_MAX (64u * 1024u * 1024u) /* row errors of a large bad file */
#define IMPORT_SHOW      5                     /* errors printed to the terminal */

struct import_column {
	const char *name;    /* canonical, as sent */
	const char *chinese; /* the header the CLI also accepts */
	int required;
};

struct import_kind {
	const char *name;
	const struct import_column *columns; /* NULL: not yet supported by the CLI */
	size_t count;
};

static const struct import_column attendance_columns[] = {
        {"national_id", "身份证号", 1},  {"session_code", "培训编号", 1},
        {"hours", "认定学时", 0},        {"override_reason", "认定说明", 0},
        {"platform", "学习平台", 0},     {"record_id", "平台记录号", 0},
        {"completed_at", "完成时间", 0},
};

static const struct import_column assessment_columns[] = {
        {"national_id", "身份证号", 1},
        {"year", "年度", 1},
        {"grade", "考核等次", 1},
        {"note", "备注", 0},
};

static const struct import_column officer_columns[] = {
        {"national_id", "身份证号", 1},
        {"name", "姓名", 1},
        {"org_code", "单位编码", 1},
        {"kind", "人员类别", 0},
        {"post", "岗位", 0},
        {"hire_date", "入职日期", 0},
        {"status", "状态", 0},
        {"status_date", "状态日期", 0},
        {"enforcement_post", "执法岗位", 0},
};

static const struct import_column session_columns[] = {
        {"code", "培训编号", 1},
        {"title", "培训名称", 1},
        {"org_code", "主办单位编码", 1},
        {"category", "类别", 1},
        {"form", "形式", 1},
        {"platform", "学习平台", 0},
        {"starts_at", "开始时间", 1},
        {"ends_at", "结束时间", 1},
        {"duration_minutes", "时长（分钟）", 0},
        {"declared_hours", "学时", 0},
};

static const struct import_column organisation_columns[] = {
        {"code", "单位编码", 1},
        {"name", "单位名称", 1},
        {"kind", "单位类别", 1},
        {"parent_code", "上级单位编码", 0},
        {"region_code", "行政区划代码", 0},
        {"credit_code", "统一社会信用代码", 0},
};

static const struct import_column certificate_columns[] = {
        {"number", "证号", 1},
        {"national_id", "身份证号", 1},
        {"issuing_org_code", "发证机关编码", 1},
        {"domain", "执法类别", 1},
        {"area", "执法区域", 0},
        {"issued_on", "发证日期", 1},
        {"expires_on", "有效期至", 1},
        {"custody", "保管", 0},
};

static const struct import_kind import_kinds[] = {
        {"attendance", attendance_columns,
         sizeof(attendance_columns) / sizeof(attendance_columns[0])},
        {"assessments", assessment_columns,
         sizeof(assessment_columns) / sizeof(assessment_columns[0])},
        {"organisations", organisation_columns,
         sizeof(organisation_columns) / sizeof(organisation_columns[0])},
        {"officers", officer_columns, sizeof(officer_columns) / sizeof(officer_columns[0])},
        {"certificates", certificate_columns,
         sizeof(certificate_columns) / sizeof(certificate_columns[0])},
        {"sessions", session_columns, sizeof(session_columns) / sizeof(session_columns[0])},
};

struct import_options {
	const char *kind_name, *file, *server, *token, *map_path;
	enum csv_encoding encoding;
	int dry_run, json, convert_only;
};

/* The upload in progress: the header line first, then the converted body. */
struct import_upload {
	struct csv_source *src;
	char header[4096];
	size_t header_len, header_pos;
	long long total_bytes, total_rows;
	int json, tty, failed;
	char err[512];
	struct timespec started, last_shown;
};

static void import_usage(FILE *out)
{
	(void)fputs(
	        "用法 / usage: tcard import KIND FILE [--server URL] [--token TOKEN]\n"
	        "        [--encoding utf-8|gb18030] [--map MAP.json] [--dry-run] [--json]\n"
	        "        [--convert-only]\n"
	        "KIND: attendance 培训登记, assessments 年度考核, officers 人员, sessions 培训,\n"
	        "      certificates 执法证, organisations 单位 (仅管理员 / admin only)\n"
	        "FILE: CSV, UTF-8（可带 BOM / with or without BOM）或 / or GB18030/GBK（Excel\n"
	        "      中文版 / Excel on Chinese Windows），自动识别 / detected, or --encoding.\n"
	        "表头 / header (中文或英文 / Chinese or English, any order):\n"
	        "  attendance:  身份证号 national_id*, 培训编号 session_code*, 认定学时 hours,\n"
	        "               认定说明 override_reason (与学时同填 / required with hours),\n"
	        "               学习平台 platform, 平台记录号 record_id, 完成时间 completed_at\n"
	        "  assessments: 身份证号 national_id*, 年度 year*, 考核等次 grade* (优秀 "
	        "excellent,\n"
	        "               合格 pass, 基本合格 basic, 不合格 fail), 备注 note\n"
	        "  officers:    身份证号 national_id*, 姓名 name*, 单位编码 org_code*, 人员类别 "
	        "kind\n"
	        "               (执法人员 officer, 辅助人员 auxiliary), 岗位 post, 入职日期\n"
	        "               hire_date, 状态 status (在岗 active, 调动 transferred, 辞职\n"
	        "               resigned, 辞退 dismissed, 退休 retired), 状态日期 status_date,\n"
	        "               执法岗位 enforcement_post (是/否 true/false)\n"
	        "  sessions:    培训编号 code*, 培训名称 title*, 主办单位编码 org_code*, 类别\n"
	        "               category* (公共法律知识 public_law, 业务知识 business, "
	        "行政执法技能\n"
	        "               skills, 政治理论 political, 其他 other), 形式 form*, 学习平台\n"
	        "               platform, 开始时间 starts_at*, 结束时间 ends_at*, 时长（分钟）\n"
	        "               duration_minutes, 学时 declared_hours\n"
	        "  certificates: 证号 number*, 身份证号 national_id*, 发证机关编码\n"
	        "               issuing_org_code*, 执法类别 domain*, 执法区域 area, 发证日期\n"
	        "               issued_on*, 有效期至 expires_on*, 保管 custody (单位保管\n"
	        "               unit_hr, 本人保管 officer)\n"
	        "  organisations: 单位编码 code*, 单位名称 name*, 单位类别 kind* (省 province,\n"
	        "               市 city, 县 county, 镇 town, 部门 department), 上级单位编码\n"
	        "               parent_code, 行政区划代码 region_code, 统一社会信用代码\n"
	        "               credit_code\n"
	        "  (* 必填 / required)\n"
	        "--map MAP.json   平台列名映射 / a platform's column names: {\"学员证件号\": "
	        "\"national_id\", …}\n"
	        "--dry-run        只校验不写入 / validate everything, write nothing\n"
	        "--json           在标准输出给出 JSON 结果 / a JSON summary on stdout\n"
	        "--convert-only   只把转换后的 CSV 写到标准输出 / write the converted CSV to "
	        "stdout,\n"
	        "                 send nothing\n"
	        "服务器与令牌 / server and token: --server or TCARD_SERVER, --token or "
	        "TCARD_TOKEN,\n"
	        "  else what `tcard login` stored.\n"
	        "退出码 / exit status: 0 导入成功 imported, 64 用法 usage, 65 数据错误 data "
	        "errors\n"
	        "  (FILE.errors.csv; 未写入 nothing written), 69 服务器不可达 server unreachable,\n"
	        "  77 无权限 not allowed\n",
	        out);
}

static int import_fail(const struct import_options *opt, int status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Reports a failure on stderr (and as JSON on stdout with --json). */
static int import_fail(const struct import_options *opt, int status, const char *fmt, ...)
{
	char message[1024];
	va_list ap;
	json_t *doc;

	va_start(ap, fmt);
	(void)vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "tcard import: %s\n", message);
	if (opt->json) {
		doc = json_pack("{s:s, s:i}", "error", message, "exit", status);
		if (doc != NULL) {
			(void)json_dumpf(doc, stdout, JSON_INDENT(2));
			(void)fputc('\n', stdout);
			json_decref(doc);
		}
	}
	return status;
}

static int import_parse(int argc, char **argv, struct import_options *opt)
{
	const char *positional[2];
	int i, n = 0;

	memset(opt, 0, sizeof(*opt));
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int has_value = i + 1 < argc;

		if (strcmp(arg, "--dry-run") == 0)
			opt->dry_run = 1;
		else if (strcmp(arg, "--json") == 0)
			opt->json = 1;
		else if (strcmp(arg, "--convert-only") == 0)
			opt->convert_only = 1;
		else if (strcmp(arg, "--server") == 0 && has_value)
			opt->server = argv[++i];
		else if (strcmp(arg, "--token") == 0 && has_value)
			opt->token = argv[++i];
		else if (strcmp(arg, "--map") == 0 && has_value)
			opt->map_path = argv[++i];
		else if (strcmp(arg, "--encoding") == 0 && has_value) {
			const char *e = argv[++i];

			if (strcasecmp(e, "utf-8") == 0 || strcasecmp(e, "utf8") == 0)
				opt->encoding = CSV_ENCODING_UTF8;
			else if (strcasecmp(e, "gb18030") == 0 || strcasecmp(e, "gbk") == 0 ||
			         strcasecmp(e, "gb2312") == 0)
				opt->encoding = CSV_ENCODING_GB18030;
			else
				return -1;
		} else if (arg[0] == '-' && arg[1] != '\0')
			return -1;
		else if (n < 2)
			positional[n++] = arg;
		else
			return -1;
	}
	if (n != 2)
		return -1;
	opt->kind_name = positional[0];
	opt->file = positional[1];
	return 0;
}

/* The canonical column a header names: through the --map file first, then
 * the canonical and Chinese names. NULL when unknown. */
static const struct import_column *import_column_of(const struct import_kind *kind,
                                                    const json_t *map, const char *header)
{
	const char *name = header;
	const json_t *mapped = json_object_get(map, header);
	size_t i;

	if (json_is_string(mapped))
		name = json_string_value(mapped);
	for (i = 0; i < kind->count; i++)
		if (strcasecmp(name, kind->columns[i].name) == 0 ||
		    strcmp(name, kind->columns[i].chinese) == 0)
			return &kind->columns[i];
	return NULL;
}

/* Checks the header and writes the canonical one into up->header. */
static int import_header(const struct import_options *opt, const struct import_kind *kind,
                         const json_t *map, struct import_upload *up)
{
	const char *fields[CSV_HEADER_FIELDS_MAX];
	const struct import_column *seen[CSV_HEADER_FIELDS_MAX];
	int count, i, j;
	size_t k;

	count = csv_source_header(up->src, fields, CSV_HEADER_FIELDS_MAX, up->err, sizeof(up->err));
	if (count < 0)
		return import_fail(opt, CLIENT_EXIT_DATA, "%s", up->err);
	up->header_len = 0;
	for (i = 0; i < count; i++) {
		size_t len;

		seen[i] = import_column_of(kind, map, fields[i]);
		if (seen[i] == NULL)
			return import_fail(
			        opt, CLIENT_EXIT_DATA,
			        "第 %d 列“%s”不是 %s 的列 / column %d \"%s\" is not a column "
			        "of %s (tcard import --help)",
			        i + 1, fields[i], kind->name, i + 1, fields[i], kind->name);
		for (j = 0; j < i; j++)
			if (seen[j] == seen[i])
				return import_fail(opt, CLIENT_EXIT_DATA,
				                   "列 %s 出现了两次 / column %s appears twice",
				                   seen[i]->name, seen[i]->name);
		len = strlen(seen[i]->name);
		if (up->header_len + len + 2 >= sizeof(up->header))
			return import_fail(opt, CLIENT_EXIT_DATA,
			                   "表头太长 / the header is too long");
		if (i > 0)
			up->header[up->header_len++] = ',';
		memcpy(up->header + up->header_len, seen[i]->name, len);
		up->header_len += len;
	}
	up->header[up->header_len++] = '\n';
	for (k = 0; k < kind->count; k++) {
		if (!kind->columns[k].required)
			continue;
		for (i = 0; i < count && seen[i] != &kind->columns[k]; i++)
			;
		if (i == count)
			return import_fail(opt, CLIENT_EXIT_DATA,
			                   "缺少必填列 %s（%s）/ the required column %s is missing",
			                   kind->columns[k].chinese, kind->columns[k].name,
			                   kind->columns[k].name);
	}
	return 0;
}

static double import_seconds(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/* Progress: on a terminal one line redrawn, else a plain line every 5 s;
 * nothing with --json. */
static void import_progress(struct import_upload *up, int final)
{
	struct timespec now;
	double elapsed, rate, fraction, eta;
	long long rows = csv_source_records(up->src);

	if (up->json)
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && import_seconds(&up->last_shown, &now) < (up->tty ? 0.25 : 5.0))
		return;
	up->last_shown = now;
	elapsed = import_seconds(&up->started, &now);
	rate = elapsed > 0 ? (double)rows / elapsed : 0;
	fraction = up->total_bytes > 0
	                   ? (double)csv_source_offset(up->src) / (double)up->total_bytes
	                   : 1;
	eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
	(void)fprintf(stderr,
	              "%s已发送 / sent %lld/%lld 行 rows, %.0f 行/秒 rows/s, %3.0f%%, 剩余 / ETA "
	              "%d:%02d%s",
	              up->tty ? "\r" : "", rows, up->total_rows, rate, fraction * 100,
	              (int)eta / 60, (int)eta % 60, up->tty && !final ? "" : "\n");
	(void)fflush(stderr);
}

static size_t import_read(char *buffer, size_t size, size_t count, void *userdata)
{
	struct import_upload *up = userdata;
	size_t room = size * count, n = 0;
	ssize_t got;

	if (up->header_pos < up->header_len) {
		n = up->header_len - up->header_pos;
		if (n > room)
			n = room;
		memcpy(buffer, up->header + up->header_pos, n);
		up->header_pos += n;
		return n;
	}
	got = csv_source_read(up->src, buffer, room, up->err, sizeof(up->err));
	if (got < 0) {
		up->failed = 1;
		return CURL_READFUNC_ABORT;
	}
	import_progress(up, got == 0);
	return (size_t)got;
}

/* --convert-only: the converted file on stdout, as it would be sent. */
static int import_convert(const struct import_options *opt, struct import_upload *up)
{
	char buffer[65536];
	ssize_t got;

	if (fwrite(up->header, 1, up->header_len, stdout) != up->header_len)
		return import_fail(opt, 74, "无法写出 / cannot write to stdout");
	while ((got = csv_source_read(up->src, buffer, sizeof(buffer), up->err, sizeof(up->err))) >
	       0)
		if (fwrite(buffer, 1, (size_t)got, stdout) != (size_t)got)
			return import_fail(opt, 74, "无法写出 / cannot write to stdout");
	if (got < 0)
		return import_fail(opt, CLIENT_EXIT_DATA, "%s", up->err);
	return fflush(stdout) == 0 ? 0 : 74;
}

/* The outcome of a reply: summary, errors file, exit status. */
static int import_reply(const struct import_options *opt, long status,
                        const struct client_reply *reply)
{
	json_error_t error;
	json_t *doc = reply->body != NULL ? json_loads(reply->body, 0, &error) : NULL;
	const json_t *row_errors = json_object_get(doc, "row_errors");
	const char *detail = json_string_value(json_object_get(doc, "detail"));
	const char *title = json_string_value(json_object_get(doc, "title"));
	char path[4200];
	int exit_status = status == 200 ? 0 : client_status_exit(status), written;
	size_t i;

	if (opt->json && reply->body != NULL)
		(void)printf("%s\n", reply->body);
	else if (opt->json)
		(void)printf("{\"status\": %ld}\n", status);
	if (status == 200) {
		if (!opt->json)
			(void)fprintf(
			        stderr,
			        "%s / %s: %lld 行 rows, 新增 inserted %lld, 更新 updated %lld, "
			        "未变 unchanged %lld\n",
			        opt->dry_run ? "校验通过（未写入）" : "导入完成",
			        opt->dry_run ? "valid (dry run, nothing written)" : "imported",
			        (long long)json_integer_value(json_object_get(doc, "rows")),
			        (long long)json_integer_value(json_object_get(doc, "inserted")),
			        (long long)json_integer_value(json_object_get(doc, "updated")),
			        (long long)json_integer_value(json_object_get(doc, "unchanged")));
		goto done;
	}
	(void)fprintf(stderr, "tcard import: 服务器回答 / the server answered %ld: %s%s%s\n",
	              status, title != NULL ? title : "", detail != NULL ? " — " : "",
	              detail != NULL ? detail : "");
	if (json_array_size(row_errors) > 0) {
		if (snprintf(path, sizeof(path), "%s.errors.csv", opt->file) >= (int)sizeof(path))
			goto done;
		(void)fprintf(stderr,
		              "未写入任何记录 / nothing was written. 有错的行 / rows in error "
		              "(%zu):\n",
		              json_array_size(row_errors));
		written = errors_csv_write(path, row_errors, stderr, IMPORT_SHOW);
		if (written < 0)
			(void)fprintf(stderr, "tcard import: 无法写入 / cannot write %s\n", path);
		else
			(void)fprintf(stderr, "全部错误见 / every error is in %s\n", path);
	} else {
		const json_t *errors = json_object_get(doc, "errors");

		for (i = 0; i < json_array_size(errors) && i < IMPORT_SHOW; i++) {
			const json_t *e = json_array_get(errors, i);

			(void)fprintf(stderr, "  %s: %s\n",
			              json_string_value(json_object_get(e, "field")) != NULL
			                      ? json_string_value(json_object_get(e, "field"))
			                      : "",
			              json_string_value(json_object_get(e, "message")) != NULL
			                      ? json_string_value(json_object_get(e, "message"))
			                      : "");
		}
	}
done:
	json_decref(doc);
	return exit_status;
}

static int import_send(const struct import_options *opt, struct import_upload *up)
{
	char url[8192], auth[1200];
	const char *base =
	        strrchr(opt->file, '/') != NULL ? strrchr(opt->file, '/') + 1 : opt->file;
	struct client_reply reply = {NULL, 0, IMPORT_REPLY_MAX, 0};
	struct curl_slist *headers = NULL;
	CURL *curl = curl_easy_init();
	char *escaped = NULL;
	long status = 0;
	CURLcode rc;
	int exit_status = CLIENT_EXIT_SOFTWARE;
	size_t len = strlen(opt->server);

	if (curl == NULL)
		return import_fail(opt, CLIENT_EXIT_SOFTWARE,
		                   "libcurl 初始化失败 / libcurl failed");
	while (len > 0 && opt->server[len - 1] == '/')
		len--;
	escaped = curl_easy_escape(curl, base, 0);
	if (escaped == NULL ||
	    snprintf(url, sizeof(url), "%.*s/api/v1/imports/%s?dry_run=%s&file=%s", (int)len,
	             opt->server, opt->kind_name, opt->dry_run ? "true" : "false",
	             escaped) >= (int)sizeof(url) ||
	    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", opt->token) >=
	            (int)sizeof(auth)) {
		exit_status = import_fail(opt, CLIENT_EXIT_USAGE,
		                          "地址或令牌太长 / URL or token too long");
		goto done;
	}
	headers = curl_slist_append(headers, "Content-Type: text/csv; charset=utf-8");
	headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
	headers = curl_slist_append(headers, "Accept: application/json");
	headers = curl_slist_append(headers, auth);
	if (headers == NULL) {
		exit_status = import_fail(opt, CLIENT_EXIT_SOFTWARE, "内存不足 / out of memory");
		goto done;
	}
	(void)curl_easy_setopt(curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(curl, CURLOPT_POST, 1L);
	(void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	(void)curl_easy_setopt(curl, CURLOPT_READFUNCTION, import_read);
	(void)curl_easy_setopt(curl, CURLOPT_READDATA, up);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, client_reply_write);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
	(void)curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
	(void)curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	(void)clock_gettime(CLOCK_MONOTONIC, &up->started);
	up->last_shown = up->started;
	rc = curl_easy_perform(curl);
	if (up->failed) {
		exit_status = import_fail(opt, CLIENT_EXIT_DATA, "%s（未写入 / nothing written）",
		                          up->err);
		goto done;
	}
	if (rc != CURLE_OK) {
		exit_status = import_fail(opt, CLIENT_EXIT_UNAVAILABLE,
		                          "无法连接服务器 / cannot reach the server %.*s: %s",
		                          (int)len, opt->server, curl_easy_strerror(rc));
		goto done;
	}
	(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	exit_status = import_reply(opt, status, &reply);
done:
	curl_free(escaped);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	client_reply_clear(&reply);
	return exit_status;
}

int import_command(int argc, char **argv)
{
	struct import_options opt;
	struct import_upload *up = NULL;
	const struct import_kind *kind = NULL;
	struct csv_scan scan;
	char server[2048], token[1024], err[512];
	json_t *map = NULL;
	json_error_t json_error;
	int status;
	size_t i;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		import_usage(stdout);
		return 0;
	}
	if (import_parse(argc, argv, &opt) != 0) {
		import_usage(stderr);
		return CLIENT_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(import_kinds) / sizeof(import_kinds[0]); i++)
		if (strcmp(opt.kind_name, import_kinds[i].name) == 0)
			kind = &import_kinds[i];
	if (kind == NULL)
		return import_fail(&opt, CLIENT_EXIT_USAGE, "未知类型 / unknown kind %s",
		                   opt.kind_name);
	if (kind->columns == NULL)
		return import_fail(&opt, CLIENT_EXIT_USAGE,
		                   "尚不支持导入 %s / importing %s is not yet supported",
		                   kind->name, kind->name);
	if (opt.map_path != NULL) {
		const char *key;
		json_t *value;

		map = json_load_file(opt.map_path, 0, &json_error);
		if (!json_is_object(map)) {
			status = import_fail(
			        &opt, CLIENT_EXIT_USAGE,
			        "映射文件不是 JSON 对象 / the map file is not a JSON object: "
			        "%s",
			        json_error.text);
			goto done;
		}
		json_object_foreach(map, key, value)
		{
			if (!json_is_string(value) ||
			    import_column_of(kind, NULL, json_string_value(value)) == NULL) {
				status = import_fail(
				        &opt, CLIENT_EXIT_USAGE,
				        "映射文件把“%s”映射到未知列 / the map file maps \"%s\" "
				        "to an unknown column",
				        key, key);
				goto done;
			}
		}
	}
	if (csv_scan_file(opt.file, opt.encoding, &scan, err, sizeof(err)) != 0) {
		status = import_fail(&opt, CLIENT_EXIT_DATA, "%s: %s", opt.file, err);
		goto done;
	}
	up = calloc(1, sizeof(*up));
	if (up == NULL) {
		status = import_fail(&opt, CLIENT_EXIT_SOFTWARE, "内存不足 / out of memory");
		goto done;
	}
	up->src = csv_source_open(opt.file, scan.encoding, err, sizeof(err));
	if (up->src == NULL) {
		status = import_fail(&opt, CLIENT_EXIT_DATA, "%s: %s", opt.file, err);
		goto done;
	}
	status = import_header(&opt, kind, map, up);
	if (status != 0)
		goto done;
	if (scan.records < 2) {
		status = import_fail(&opt, CLIENT_EXIT_DATA,
		                     "%s: 只有表头，没有数据 / the file has a header and no rows",
		                     opt.file);
		goto done;
	}
	if (opt.convert_only) {
		status = import_convert(&opt, up);
		goto done;
	}
	up->total_bytes = scan.bytes;
	up->total_rows = scan.records - 1;
	up->json = opt.json;
	up->tty = isatty(STDERR_FILENO);
	if (opt.server == NULL)
		opt.server = getenv("TCARD_SERVER");
	if (opt.server == NULL && config_read("server", server, sizeof(server)) == 0)
		opt.server = server;
	if (opt.server == NULL || opt.server[0] == '\0') {
		status = import_fail(
		        &opt, CLIENT_EXIT_USAGE,
		        "请用 --server 或 TCARD_SERVER 指定服务器 / give the server with "
		        "--server or TCARD_SERVER");
		goto done;
	}
	if (opt.token == NULL)
		opt.token = getenv("TCARD_TOKEN");
	if ((opt.token == NULL || opt.token[0] == '\0') &&
	    config_read("token", token, sizeof(token)) == 0)
		opt.token = token;
	if (opt.token == NULL || opt.token[0] == '\0') {
		status = import_fail(
		        &opt, CLIENT_EXIT_NOPERM,
		        "未登录：请先运行 tcard login，或给出 --token / not logged in: run "
		        "tcard login, or give --token");
		goto done;
	}
	if (!opt.json)
		(void)fprintf(stderr, "%s: %s, %lld 行 / rows\n", opt.file,
		              scan.encoding == CSV_ENCODING_UTF8 ? "UTF-8" : "GB18030",
		              scan.records - 1);
	status = import_send(&opt, up);
done:
	if (up != NULL)
		csv_source_free(up->src);
	free(up);
	json_decref(map);
	return status;
}
