/* test_cli_import.c — `tcard import` run as a program: the header is renamed
 * from Chinese, English or a --map file's names, a BOM is dropped, a GB18030
 * file (made here with iconv) arrives as UTF-8; bad headers, empty files and
 * bad usage have their exit statuses; against a small fake server that
 * answers a canned reply, a 422 writes FILE.errors.csv, a 401 is 77, a 200 is
 * 0, and the CLI's memory stays flat while it streams a 50 MB file. The real
 * server's end-to-end test lives with the endpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/tcard-import-XXXXXX";
static char out[1 << 16];
static long max_rss_kb;

#define ID_A "110101199003074514"

/* The CLI's peak RSS bound; ASan's shadow memory and quarantine add ~20 MB. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_MAX_KB (48 * 1024)
#else
#define RSS_MAX_KB (30 * 1024)
#endif

static void path_of(char *buf, size_t size, const char *name)
{
	assert_true((size_t)snprintf(buf, size, "%s/%s", dir, name) < size);
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	path_of(path, sizeof(path), name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static size_t read_file(const char *name, char *buf, size_t size)
{
	char path[512];
	FILE *f;
	size_t len;

	path_of(path, sizeof(path), name);
	f = fopen(path, "rb");
	if (f == NULL)
		return (size_t)-1;
	len = fread(buf, 1, size - 1, f);
	buf[len] = '\0';
	(void)fclose(f);
	return len;
}

/* Runs `tcard ARGS` in dir (stdout and stderr to out); the exit status, and
 * the CLI's peak RSS in max_rss_kb. */
static int run_cli(const char *fmt, ...)
{
	char args[2048], command[4096];
	struct rusage usage;
	va_list ap;
	int status;
	pid_t pid;
	size_t len;

	va_start(ap, fmt);
	assert_true((size_t)vsnprintf(args, sizeof(args), fmt, ap) < sizeof(args));
	va_end(ap);
	assert_true((size_t)snprintf(command, sizeof(command),
	                             "cd %s && exec env -u TCARD_SERVER -u TCARD_TOKEN "
	                             "XDG_CONFIG_HOME=%s/config %s %s >%s/out.txt 2>&1",
	                             dir, dir, TCARD_CLI_PATH, args, dir) < sizeof(command));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(wait4(pid, &status, 0, &usage), pid);
	max_rss_kb = usage.ru_maxrss;
	len = read_file("out.txt", out, sizeof(out));
	assert_true(len != (size_t)-1);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A one-shot HTTP server: accepts one request, keeps its first 64 KiB in
 * dir/request.txt, reads the chunked body to its end, answers status/body. */
static pid_t fake_server(int status, const char *body, unsigned *port)
{
	struct sockaddr_in addr;
	socklen_t addr_len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	pid_t pid;

	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &addr_len), 0);
	*port = ntohs(addr.sin_port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static char buf[65536], keep[65536];
		char reply[8192], tail[8] = {0}, path[512];
		size_t kept = 0;
		int c = accept(fd, NULL, NULL), continued = 0;
		ssize_t n;
		FILE *f;

		if (c < 0)
			_exit(1);
		while ((n = read(c, buf, sizeof(buf))) > 0) {
			ssize_t i;

			if (kept < sizeof(keep) - 1) {
				size_t take = (size_t)n < sizeof(keep) - 1 - kept
				                      ? (size_t)n
				                      : sizeof(keep) - 1 - kept;
				memcpy(keep + kept, buf, take);
				kept += take;
				keep[kept] = '\0';
			}
			if (!continued && strstr(keep, "\r\n\r\n") != NULL) {
				continued = 1;
				if (strstr(keep, "100-continue") != NULL &&
				    write(c, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 25)
					_exit(1);
			}
			for (i = 0; i < n; i++) {
				memmove(tail, tail + 1, 6);
				tail[6] = buf[i];
			}
			if (memcmp(tail, "\r\n0\r\n\r\n", 7) == 0)
				break;
		}
		(void)snprintf(path, sizeof(path), "%s/request.txt", dir);
		f = fopen(path, "wb");
		if (f != NULL) {
			(void)fwrite(keep, 1, kept, f);
			(void)fclose(f);
		}
		n = snprintf(reply, sizeof(reply),
		             "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: "
		             "%zu\r\nConnection: close\r\n\r\n%s",
		             status, strlen(body), body);
		if (write(c, reply, (size_t)n) != n)
			_exit(1);
		(void)shutdown(c, SHUT_WR);
		while (read(c, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	(void)close(fd);
	return pid;
}

static void fake_server_wait(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_chinese_header_with_bom_is_renamed(void **state)
{
	(void)state;
	write_file("zh.csv", "\xEF\xBB\xBF身份证号,培训编号,认定学时,认定说明\r\n" ID_A
	                     ",S-1,2.5,\"部分, \"\"学时\"\"\"\r\n" ID_A ",S-2,,\r\n");
	assert_int_equal(run_cli("import attendance zh.csv --convert-only"), 0);
	assert_string_equal(out, "national_id,session_code,hours,override_reason\n" ID_A
	                         ",S-1,2.5,\"部分, \"\"学时\"\"\"\r\n" ID_A ",S-2,,\r\n");
}

static void test_english_header_without_bom_passes_as_is(void **state)
{
	(void)state;
	write_file("en.csv", "Grade,year,national_id,note\n合格,2024," ID_A ",\n");
	assert_int_equal(run_cli("import assessments en.csv --convert-only"), 0);
	assert_string_equal(out, "grade,year,national_id,note\n合格,2024," ID_A ",\n");
}

static void test_map_file_renames_a_platform_s_columns(void **state)
{
	(void)state;
	write_file("map.json", "{\"学员证件号\": \"national_id\", \"课程代码\": \"session_code\"}");
	write_file("platform.csv", "学员证件号,课程代码,学习平台\n" ID_A ",S-1,干部网院\n");
	assert_int_equal(run_cli("import attendance platform.csv --map map.json --convert-only"),
	                 0);
	assert_string_equal(out, "national_id,session_code,platform\n" ID_A ",S-1,干部网院\n");
	write_file("badmap.json", "{\"学员证件号\": \"nonsense\"}");
	assert_int_equal(run_cli("import attendance platform.csv --map badmap.json"), 64);
}

static void test_gb18030_file_converts_to_utf8(void **state)
{
	char command[1024];

	(void)state;
	write_file("utf8.csv", "身份证号,年度,考核等次,备注\n" ID_A ",2024,优秀,表彰𠀋\n");
	assert_true((size_t)snprintf(command, sizeof(command),
	                             "iconv -f UTF-8 -t GB18030 %s/utf8.csv > %s/gb.csv", dir,
	                             dir) < sizeof(command));
	assert_int_equal(system(command), 0);
	assert_int_equal(run_cli("import assessments gb.csv --convert-only"), 0);
	assert_string_equal(out, "national_id,year,grade,note\n" ID_A ",2024,优秀,表彰𠀋\n");
	assert_int_equal(run_cli("import assessments gb.csv --encoding gb18030 --convert-only"), 0);
	assert_int_equal(run_cli("import assessments gb.csv --encoding utf-8 --convert-only"), 65);
	assert_non_null(strstr(out, "UTF-8"));
}

static void test_bad_headers_and_files_are_data_errors(void **state)
{
	(void)state;
	write_file("unknown.csv", "national_id,session_code,favourite_colour\n" ID_A ",S-1,red\n");
	assert_int_equal(run_cli("import attendance unknown.csv --server http://127.0.0.1:1 "
	                         "--token t"),
	                 65);
	assert_non_null(strstr(out, "favourite_colour"));
	write_file("missing.csv", "national_id,hours\n" ID_A ",2\n");
	assert_int_equal(run_cli("import attendance missing.csv"), 65);
	assert_non_null(strstr(out, "session_code"));
	write_file("twice.csv", "national_id,身份证号,session_code\n1,2,3\n");
	assert_int_equal(run_cli("import attendance twice.csv"), 65);
	write_file("empty.csv", "");
	assert_int_equal(run_cli("import attendance empty.csv"), 65);
	write_file("header.csv", "national_id,session_code\r\n");
	assert_int_equal(run_cli("import attendance header.csv"), 65);
	assert_int_equal(run_cli("import attendance does-not-exist.csv"), 65);
}

static void test_usage_errors_are_64(void **state)
{
	(void)state;
	assert_int_equal(run_cli("import"), 64);
	assert_int_equal(run_cli("import attendance"), 64);
	assert_int_equal(run_cli("import attendance a.csv b.csv"), 64);
	assert_int_equal(run_cli("import attendance a.csv --encoding latin1"), 64);
	assert_int_equal(run_cli("import attendance a.csv --frobnicate"), 64);
	assert_int_equal(run_cli("import rockets a.csv"), 64);
	assert_int_equal(run_cli("import widgets a.csv"), 64);
	assert_int_equal(run_cli("import --help"), 0);
	assert_non_null(strstr(out, "身份证号 national_id"));
	assert_int_equal(run_cli("login --user x"), 64);
}

static void test_unreachable_server_is_69_and_no_token_77(void **state)
{
	(void)state;
	write_file("ok.csv", "national_id,session_code\n" ID_A ",S-1\n");
	assert_int_equal(run_cli("import attendance ok.csv --server http://127.0.0.1:1 --token t"),
	                 69);
	assert_int_equal(run_cli("import attendance ok.csv --server http://127.0.0.1:1 --json "
	                         "--token t"),
	                 69);
	assert_non_null(strstr(out, "\"exit\": 69"));
	assert_int_equal(run_cli("import attendance ok.csv --server http://127.0.0.1:1"), 77);
	assert_int_equal(run_cli("login --server http://127.0.0.1:1 --user x </dev/null"), 64);
}

static void test_422_writes_errors_csv_and_exits_65(void **state)
{
	static const char reply[] =
	        "{\"type\": \"about:blank\", \"title\": \"数据有误 / invalid rows\", \"status\": "
	        "422,"
	        " \"rows\": 2, \"rejected\": 2, \"row_errors\": ["
	        "{\"row\": 2, \"column\": \"national_id\", \"value\": \"1101**********4513\","
	        " \"reason\": \"check_digit\", \"message\": \"校验位错误 / bad check digit\"},"
	        "{\"row\": 3, \"column\": \"hours\", \"value\": \"=1+1\", \"reason\": \"format\","
	        " \"message\": \"学时格式, 有误 / \\\"hours\\\" malformed\"}]}";
	char text[4096];
	unsigned port;
	pid_t pid;

	(void)state;
	write_file("bad.csv", "身份证号,培训编号,认定学时,认定说明\n110101199003074513,S-1,,\n" ID_A
	                      ",S-1,=1+1,x\n");
	(void)remove("bad.csv.errors.csv");
	pid = fake_server(422, reply, &port);
	assert_int_equal(run_cli("import attendance bad.csv --server http://127.0.0.1:%u/ "
	                         "--token tok123",
	                         port),
	                 65);
	fake_server_wait(pid);
	assert_non_null(strstr(out, "bad check digit"));
	assert_non_null(strstr(out, "bad.csv.errors.csv"));
	assert_true(read_file("bad.csv.errors.csv", text, sizeof(text)) != (size_t)-1);
	assert_string_equal(text,
	                    "\xEF\xBB\xBF行号 row,列 column,值 value,说明 message\r\n"
	                    "2,national_id,1101**********4513,校验位错误 / bad check digit\r\n"
	                    "3,hours,'=1+1,\"学时格式, 有误 / \"\"hours\"\" malformed\"\r\n");
	assert_true(read_file("request.txt", text, sizeof(text)) != (size_t)-1);
	assert_non_null(
	        strstr(text, "POST /api/v1/imports/attendance?dry_run=false&file=bad.csv "));
	assert_non_null(strstr(text, "Authorization: Bearer tok123"));
	assert_non_null(strstr(text, "text/csv; charset=utf-8"));
	assert_non_null(strstr(text, "national_id,session_code,hours,override_reason\n"));
}

static void test_401_is_77_and_200_is_0(void **state)
{
	unsigned port;
	pid_t pid;

	(void)state;
	write_file("ok.csv", "national_id,session_code\n" ID_A ",S-1\n");
	pid = fake_server(401, "{\"title\": \"未认证 / not authenticated\", \"status\": 401}",
	                  &port);
	assert_int_equal(
	        run_cli("import attendance ok.csv --server http://127.0.0.1:%u --token t", port),
	        77);
	fake_server_wait(pid);
	pid = fake_server(
	        200,
	        "{\"kind\": \"attendance\", \"dry_run\": true, \"rows\": 1, \"inserted\": 0,"
	        " \"updated\": 0, \"unchanged\": 0, \"rejected\": 0}",
	        &port);
	assert_int_equal(run_cli("import attendance ok.csv --dry-run --json --token t "
	                         "--server http://127.0.0.1:%u",
	                         port),
	                 0);
	fake_server_wait(pid);
	assert_non_null(strstr(out, "\"kind\": \"attendance\""));
	assert_null(strstr(out, "行/秒")); /* no progress with --json */
	assert_true(read_file("request.txt", out, sizeof(out)) != (size_t)-1);
	assert_non_null(strstr(out, "dry_run=true"));
}

/* 50 MB of rows: converting and uploading keep the CLI's peak RSS small. */
static void test_50_mb_file_streams_in_flat_memory(void **state)
{
	char path[512];
	unsigned port, i;
	pid_t pid;
	FILE *f;

	(void)state;
	path_of(path, sizeof(path), "big.csv");
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_true(fputs("身份证号,培训编号,认定学时,认定说明,学习平台,平台记录号\r\n", f) >= 0);
	for (i = 0; i < 600000; i++)
		assert_true(fprintf(f, "%s,SESSION-%06u,1.5,平台认定,干部网络学院,REC-%010u\r\n",
		                    ID_A, i % 1000, i) > 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(run_cli("import attendance big.csv --convert-only > /dev/null"), 0);
	assert_true(max_rss_kb < RSS_MAX_KB);
	pid = fake_server(200, "{\"rows\": 600000, \"inserted\": 600000}", &port);
	assert_int_equal(
	        run_cli("import attendance big.csv --token t --server http://127.0.0.1:%u", port),
	        0);
	fake_server_wait(pid);
	(void)fprintf(stderr, "# peak RSS while uploading 50 MB: %ld KiB\n", max_rss_kb);
	assert_true(max_rss_kb < RSS_MAX_KB);
	assert_non_null(strstr(out, "600000/600000"));
	(void)remove(path);
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char command[128];

	(void)state;
	(void)snprintf(command, sizeof(command), "rm -rf %s", dir);
	assert_int_equal(system(command), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_chinese_header_with_bom_is_renamed),
	        cmocka_unit_test(test_english_header_without_bom_passes_as_is),
	        cmocka_unit_test(test_map_file_renames_a_platform_s_columns),
	        cmocka_unit_test(test_gb18030_file_converts_to_utf8),
	        cmocka_unit_test(test_bad_headers_and_files_are_data_errors),
	        cmocka_unit_test(test_usage_errors_are_64),
	        cmocka_unit_test(test_unreachable_server_is_69_and_no_token_77),
	        cmocka_unit_test(test_422_writes_errors_csv_and_exits_65),
	        cmocka_unit_test(test_401_is_77_and_200_is_0),
	        cmocka_unit_test(test_50_mb_file_streams_in_flat_memory),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
