/* qr_min.c — the limits of run.sh's benchmark 7 (QR codes; not a test): the
 * same signed tokens and PNG images tcardd serves, made by server/qr.c and
 * server/sign.c directly, with no HTTP, no database and no request around
 * them, on as many threads as tcardd has workers.
 *
 *   bench_qr_min tokens DATA_DIR < CLAIMS > TOKENS
 *       CLAIMS: "officer_id<TAB>epoch<TAB>number" per line (api_qr.c's
 *       QR_CERTIFICATE: created_at as Unix seconds); TOKENS: one token a line,
 *       signed with DATA_DIR's current QR key, as api_qr_url signs them.
 *   bench_qr_min png DATA_DIR BASE_URL CLAIMS SECONDS THREADS
 *       signs the claims round robin and draws each code, <BASE_URL>/v/<token>
 *       at 8 pixels a module and a 4-module margin (api_qr.c's defaults), as
 *       qr_png does for GET /api/v1/certificates/{id}/qr.png; prints images/s.
 *   bench_qr_min verify DATA_DIR TOKENS SECONDS THREADS
 *       sign_token_verify over the tokens round robin (the check of
 *       GET /api/v1/verify/{token} before its database lookup); prints
 *       verifications/s. */
#include "err.h"
#include "qr.h"
#include "sign.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINES_MAX 200000

static char **lines;
static size_t line_count;
static const char *base_url;
static double deadline;
static int mode_png;

static double now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	(void)fprintf(stderr, "bench_qr_min: %s\n", what);
	exit(1);
}

static void read_lines(FILE *f)
{
	char line[1024];

	lines = calloc(LINES_MAX, sizeof(*lines));
	if (lines == NULL)
		die("out of memory");
	while (line_count < LINES_MAX && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		lines[line_count] = strdup(line);
		if (lines[line_count++] == NULL)
			die("out of memory");
	}
	if (line_count == 0)
		die("no input lines");
}

/* "officer_id\tepoch\tnumber" → claim. 0 or -1. */
static int parse_claim(const char *line, struct sign_claim *claim)
{
	const char *tab1 = strchr(line, '\t'), *tab2 = tab1 != NULL ? strchr(tab1 + 1, '\t') : NULL;
	size_t n;

	if (tab2 == NULL)
		return -1;
	memset(claim, 0, sizeof(*claim));
	claim->officer_id = strtoull(line, NULL, 10);
	claim->issued_at = (uint32_t)strtoul(tab1 + 1, NULL, 10);
	n = strlen(tab2 + 1);
	if (n > SIGN_NUMBER_MAX)
		return -1;
	memcpy(claim->number, tab2 + 1, n + 1);
	return 0;
}

struct worker {
	pthread_t thread;
	size_t start;
	long done;
	int failed;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	size_t i = w->start;

	while (now_s() < deadline) {
		const char *line = lines[i % line_count];

		i++;
		if (mode_png) {
			struct sign_claim claim;
			char token[SIGN_TOKEN_MAX], url[1024];
			unsigned char *png;
			size_t len = 0;

			if (parse_claim(line, &claim) != 0 ||
			    sign_token_issue(&claim, token, sizeof(token)) != 0) {
				w->failed = 1;
				break;
			}
			(void)snprintf(url, sizeof(url), "%s/v/%s", base_url, token);
			png = qr_png(url, 8, 4, &len);
			if (png == NULL) {
				w->failed = 1;
				break;
			}
			free(png);
		} else {
			struct sign_claim claim;
			char kid[9];

			if (sign_token_verify(line, &claim, kid) != SIGN_VALID) {
				w->failed = 1;
				break;
			}
		}
		w->done++;
	}
	return NULL;
}

static void start_keys(const char *data_dir)
{
	struct err err;

	memset(&err, 0, sizeof(err));
	if (sign_start(data_dir, &err) != 0)
		die("cannot load the QR keys");
}

static void run(double seconds, int threads)
{
	struct worker *w = calloc((size_t)threads, sizeof(*w));
	double t0;
	long total = 0;
	int i;

	if (w == NULL || threads < 1 || seconds <= 0)
		die("bad threads or seconds");
	t0 = now_s();
	deadline = t0 + seconds;
	for (i = 0; i < threads; i++) {
		w[i].start = (line_count / (size_t)threads) * (size_t)i;
		if (pthread_create(&w[i].thread, NULL, work, &w[i]) != 0)
			die("cannot start a thread");
	}
	for (i = 0; i < threads; i++) {
		(void)pthread_join(w[i].thread, NULL);
		if (w[i].failed)
			die(mode_png ? "a code could not be signed or drawn"
			             : "a token did not verify");
		total += w[i].done;
	}
	(void)printf("%.1f\n", (double)total / (now_s() - t0));
	free(w);
}

int main(int argc, char **argv)
{
	FILE *f;

	if (argc == 3 && strcmp(argv[1], "tokens") == 0) {
		size_t i;

		start_keys(argv[2]);
		read_lines(stdin);
		for (i = 0; i < line_count; i++) {
			struct sign_claim claim;
			char token[SIGN_TOKEN_MAX];

			if (parse_claim(lines[i], &claim) != 0 ||
			    sign_token_issue(&claim, token, sizeof(token)) != 0)
				die("a claim could not be signed");
			(void)printf("%s\n", token);
		}
		return 0;
	}
	if (argc == 7 && strcmp(argv[1], "png") == 0) {
		mode_png = 1;
		start_keys(argv[2]);
		base_url = argv[3];
		f = fopen(argv[4], "r");
		if (f == NULL)
			die("cannot read the claims");
		read_lines(f);
		(void)fclose(f);
		run(atof(argv[5]), atoi(argv[6]));
		return 0;
	}
	if (argc == 6 && strcmp(argv[1], "verify") == 0) {
		start_keys(argv[2]);
		f = fopen(argv[3], "r");
		if (f == NULL)
			die("cannot read the tokens");
		read_lines(f);
		(void)fclose(f);
		run(atof(argv[4]), atoi(argv[5]));
		return 0;
	}
	(void)fprintf(stderr, "usage: bench_qr_min tokens DATA_DIR < CLAIMS > TOKENS\n"
	                      "       bench_qr_min png DATA_DIR BASE_URL CLAIMS SECONDS THREADS\n"
	                      "       bench_qr_min verify DATA_DIR TOKENS SECONDS THREADS\n");
	return 64;
}
