/* gen.c — the import benchmark's data (tests/bench/README.md): N attendance
 * rows for M officers with valid national IDs (GB 11643 check digits), and the
 * officers and sessions they refer to as CSV for COPY, the officers' IDs
 * sealed and indexed with the data directory's own PII key (pii.h) so tcardd
 * finds them by blind index. Not a test; built with the tests.
 *
 *   bench_gen --rows N --officers M --org ORG_ID --key DATA_DIR/keys/pii.key --out DIR
 *
 * writes DIR/officers.csv (national_id_sealed, national_id_index,
 * national_id_masked, name, gender, birth_date, org_id, hire_date),
 * DIR/sessions.csv (code, title, org_id, category, form, starts_at, ends_at,
 * duration_minutes, declared_units) and DIR/attendance.csv (national_id,
 * session_code): row i is officer i % M on session BENCH-(i / M + 1). */
#include "bench_data.h"
#include "err.h"
#include "pii.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNITS_PER_HOUR 36000LL

int main(int argc, char **argv)
{
	long long rows = 100000, officers = 2500, org = 0, sessions, i;
	const char *key = NULL, *out = NULL;
	unsigned char sealed[PII_SEALED_ID_BYTES], index[PII_INDEX_BYTES];
	char sealed_hex[2 * PII_SEALED_ID_BYTES + 3], index_hex[2 * PII_INDEX_BYTES + 3], id[19];
	struct err err = {0};
	FILE *f;
	int a;

	for (a = 1; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--rows") == 0)
			rows = atoll(argv[a + 1]);
		else if (strcmp(argv[a], "--officers") == 0)
			officers = atoll(argv[a + 1]);
		else if (strcmp(argv[a], "--org") == 0)
			org = atoll(argv[a + 1]);
		else if (strcmp(argv[a], "--key") == 0)
			key = argv[a + 1];
		else if (strcmp(argv[a], "--out") == 0)
			out = argv[a + 1];
		else
			break;
	}
	if (a != argc || key == NULL || out == NULL || org <= 0 || rows <= 0 || officers <= 0 ||
	    officers > 10000000) {
		(void)fprintf(stderr, "usage: bench_gen --rows N --officers M --org ORG_ID"
		                      " --key DATA_DIR/keys/pii.key --out DIR\n");
		return 64;
	}
	if (sodium_init() < 0 || pii_init(key, &err) != 0) {
		(void)fprintf(stderr, "bench_gen: %s\n", err.message);
		return 1;
	}
	sessions = (rows + officers - 1) / officers;

	f = bench_open_out(out, "officers.csv");
	for (i = 0; i < officers; i++) {
		bench_national_id((unsigned)i, id);
		pii_seal_national_id(id, sealed);
		pii_index_national_id(id, index);
		(void)fprintf(
		        f,
		        "%s,%s,%.6s********%.4s,基准警员%lld,%c,%.4s-%.2s-%.2s,%lld,2015-03-01\n",
		        pii_bytea_hex(sealed, sizeof(sealed), sealed_hex),
		        pii_bytea_hex(index, sizeof(index), index_hex), id, id + 14, i,
		        (id[16] - '0') % 2 == 1 ? 'M' : 'F', id + 6, id + 10, id + 12, org);
	}
	bench_close_out(f);

	f = bench_open_out(out, "sessions.csv");
	for (i = 1; i <= sessions; i++)
		(void)fprintf(f,
		              "BENCH-%lld,基准培训 %lld,%lld,business,lecture,"
		              "2025-%02lld-%02lld 09:00+08,2025-%02lld-%02lld 13:00+08,240,%lld\n",
		              i, i, org, i % 12 + 1, i % 28 + 1, i % 12 + 1, i % 28 + 1,
		              4 * UNITS_PER_HOUR);
	bench_close_out(f);

	f = bench_open_out(out, "attendance.csv");
	(void)fputs("national_id,session_code\n", f);
	for (i = 0; i < rows; i++) {
		bench_national_id((unsigned)(i % officers), id);
		(void)fprintf(f, "%s,BENCH-%lld\n", id, i / officers + 1);
	}
	bench_close_out(f);
	pii_release();
	return 0;
}
