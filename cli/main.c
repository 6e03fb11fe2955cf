/* main.c — tcard, the command-line client of tcardd (DESIGN.md): it talks to
 * the server over HTTP only and shares no C code with it. Commands so far:
 *   tcard verify TOKEN-or-URL --key FILE   check a QR token offline
 *   tcard import KIND FILE                 stream a CSV file to the server
 *   tcard login --server URL --user NAME   store an API token */
#include "import.h"
#include "login.h"
#include "verify.h"

#include <curl/curl.h>

#include <stdio.h>
#include <string.h>

static int usage(FILE *out, int status)
{
	(void)fputs("tcard — 培训登记卡 / training registration cards\n"
	            "用法 / usage:\n"
	            "  tcard verify TOKEN-or-URL --key PUBLIC_KEY_FILE   离线核验二维码 / check a "
	            "QR token offline\n"
	            "  tcard import KIND FILE [options]                 批量导入 CSV / import a "
	            "CSV file (tcard import --help)\n"
	            "  tcard login --server URL --user NAME             登录并保存令牌 / log in, "
	            "store a token\n",
	            out);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, 64);
	if (strcmp(argv[1], "verify") == 0)
		return verify_command(argc - 1, argv + 1, stdout, stderr);
	if (strcmp(argv[1], "import") == 0 || strcmp(argv[1], "login") == 0) {
		int status;

		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
			(void)fputs("tcard: libcurl 初始化失败 / libcurl failed to start\n",
			            stderr);
			return 70;
		}
		status = argv[1][1] == 'm' ? import_command(argc - 1, argv + 1)
		                           : login_command(argc - 1, argv + 1);
		curl_global_cleanup();
		return status;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
		return usage(stdout, 0);
	(void)fprintf(stderr, "tcard: 未知命令 / unknown command %s\n", argv[1]);
	return usage(stderr, 64);
}
