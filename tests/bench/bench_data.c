/* bench_data.c — helpers of the benchmark data generators (bench_data.h). */
#include "bench_data.h"

#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void bench_national_id(unsigned n, char out[19])
{
	struct tm tm = {.tm_year = 70, .tm_mon = 0, .tm_mday = 1 + (int)(n % 10000), .tm_hour = 12};
	time_t t = timegm(&tm);
	char first17[48];

	(void)gmtime_r(&t, &tm);
	(void)snprintf(first17, sizeof(first17), "110105%04d%02d%02d%03u", tm.tm_year + 1900,
	               tm.tm_mon + 1, tm.tm_mday, (n / 10000) % 1000);
	(void)snprintf(out, 19, "%.17s%c", first17, rules_national_id_check_char(first17));
}

FILE *bench_open_out(const char *dir, const char *name)
{
	char path[1024];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	return f;
}

void bench_close_out(FILE *f)
{
	if (fclose(f) != 0) {
		perror("write");
		exit(1);
	}
}

long bench_vm_kb(long pid, const char *key)
{
	char path[64], line[256];
	size_t len = strlen(key);
	long kb = -1;
	FILE *f;

	(void)snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, len) == 0 && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	(void)fclose(f);
	return kb;
}
