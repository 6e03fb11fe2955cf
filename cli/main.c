/* main.c — tcard, the command-line client of tcardd (DESIGN.md): it talks to
 * the server over HTTP only and shares no C code with it. Commands so far:
 *   tcard verify TOKEN-or-URL --key FILE   check a QR token offline */
#include "verify.h"

#include <stdio.h>
#include <string.h>

static int usage(FILE *out, int status)
{
	(void)fputs("tcard — 培训登记卡 / training registration cards\n"
	            "用法 / usage:\n"
	            "  tcard verify TOKEN-or-URL --key PUBLIC_KEY_FILE   离线核验二维码 / check a "
	            "QR token offline\n",
	            out);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, 64);
	if (strcmp(argv[1], "verify") == 0)
		return verify_command(argc - 1, argv + 1, stdout, stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
		return usage(stdout, 0);
	(void)fprintf(stderr, "tcard: 未知命令 / unknown command %s\n", argv[1]);
	return usage(stderr, 64);
}
