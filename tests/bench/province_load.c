/* province_load.c — sets up the provincial-scale benchmark (run.sh; not a
 * test): starts tcardd on a throwaway data dir, generates a scale with
 * bench_province_gen, loads it set-wise with load.sql, waits until tcardd's
 * hours refresher has evaluated every officer-year, ANALYZEs, and writes what
 * run.sh needs as shell assignments. tcardd keeps running: run.sh stops it
 * (BENCH_PID) and removes BENCH_DATA_DIR.
 *
 *   bench_province_load --scale small|city|province --env FILE [--workers N]
 *                       [--year Y] */
#include "bench_data.h"
#include "testlib.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct tcardd_proc proc;

static double now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Stops tcardd and leaves its data dir for a look. */
static void give_up(const char *what)
{
	(void)fprintf(stderr, "bench_province_load: %s (data dir %s kept)\n", what, proc.data_dir);
	if (proc.pid > 0) {
		(void)kill(proc.pid, SIGTERM);
		(void)waitpid(proc.pid, NULL, 0);
	}
	exit(1);
}

static double run(const char *command)
{
	double t0 = now_s();
	int status = system(command);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		(void)fprintf(stderr, "bench_province_load: failed (%d): %s\n", status, command);
		give_up("a step failed");
	}
	return now_s() - t0;
}

int main(int argc, char **argv)
{
	const char *scale = NULL, *env = NULL, *workers = "4", *year = "2025";
	const char *extra[5];
	char command[4096], conninfo[700], work[600], hash[80], auditor_hash[80], path[64];
	struct test_identity auditor;
	long long county;
	double t_gen, t_load, t_refresh, t0;
	long long stale = 1;
	long idle_kb;
	PGconn *db;
	FILE *f;
	int a;

	for (a = 1; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--scale") == 0)
			scale = argv[a + 1];
		else if (strcmp(argv[a], "--env") == 0)
			env = argv[a + 1];
		else if (strcmp(argv[a], "--workers") == 0)
			workers = argv[a + 1];
		else if (strcmp(argv[a], "--year") == 0)
			year = argv[a + 1];
		else
			break;
	}
	if (a != argc || scale == NULL || env == NULL) {
		(void)fprintf(stderr, "usage: bench_province_load --scale small|city|province"
		                      " --env FILE [--workers N] [--year Y]\n");
		return 64;
	}
	extra[0] = "--workers";
	extra[1] = workers;
	/* Benchmark 7 verifies tokens from one address: no per-address limit. */
	extra[2] = "--verify-rate";
	extra[3] = "0";
	extra[4] = NULL;
	tcardd_start(&proc, NULL, extra);
	idle_kb = bench_vm_kb((long)proc.pid, "VmHWM");
	(void)snprintf(conninfo, sizeof(conninfo),
	               "host=%s/pg/run port=5432 dbname=tcard user=postgres", proc.data_dir);
	(void)snprintf(work, sizeof(work), "%s/bench", proc.data_dir);
	(void)snprintf(command, sizeof(command), "mkdir -p '%s'", work);
	(void)run(command);

	(void)printf("bench_province_load: tcardd %ld on port %u, data dir %s\n", (long)proc.pid,
	             proc.port, proc.data_dir);
	(void)fflush(stdout);
	(void)snprintf(command, sizeof(command),
	               "'%s' --scale '%s' --year '%s' --key '%s/keys/pii.key' --out '%s'",
	               BENCH_PROVINCE_GEN_PATH, scale, year, proc.data_dir, work);
	t_gen = run(command);
	(void)snprintf(command, sizeof(command),
	               "cd '%s' && psql -X -q -v ON_ERROR_STOP=1 '%s' -f '%s/load.sql'"
	               " > load.log && rm -f attendance.csv officers.csv",
	               work, conninfo, BENCH_SOURCE_DIR);
	t_load = run(command);

	/* tcardd's refresher (hours_store.c, every 30 s, then until done)
	 * evaluates the officer-years the load marked stale. */
	db = test_db(&proc);
	t0 = now_s();
	while (stale > 0) {
		stale = test_db_count(db, "SELECT count(*) FROM officer_year_status WHERE stale");
		if (stale > 0) {
			if (now_s() - t0 > 7200)
				give_up("officer-years still stale after two hours");
			(void)sleep(1);
		}
	}
	t_refresh = now_s() - t0;
	PQclear(PQexec(db, "ANALYZE"));
	test_db_text(db, "SELECT token_hash::text FROM api_token ORDER BY id DESC LIMIT 1", NULL,
	             hash, sizeof(hash));
	/* Benchmark 4's reader: the auditor of one county, with an API token. */
	county = test_db_count(db, "SELECT id FROM org WHERE code = 'PB.C01.X01'");
	test_create_user(&proc, "bench-auditor", "auditor", county, 0, NULL, &auditor);
	test_create_token(&proc, &auditor, &auditor);
	test_db_text(db, "SELECT token_hash::text FROM api_token ORDER BY id DESC LIMIT 1", NULL,
	             auditor_hash, sizeof(auditor_hash));

	f = fopen(env, "w");
	if (f == NULL)
		give_up("cannot write the env file");
	(void)fprintf(f,
	              "BENCH_PID=%ld\nBENCH_PORT=%u\nBENCH_URL=%s\nBENCH_DATA_DIR=%s\n"
	              "BENCH_PGHOST=%s/pg/run\nBENCH_TOKEN=%s\nBENCH_TOKEN_HASH='%s'\n"
	              "BENCH_YEAR=%s\nBENCH_WORKERS=%s\nBENCH_IDLE_HWM_KB=%ld\n"
	              "BENCH_LOADED_HWM_KB=%ld\n",
	              (long)proc.pid, proc.port, proc.base_url, proc.data_dir, proc.data_dir,
	              proc.admin.bearer, hash, year, workers, idle_kb,
	              bench_vm_kb((long)proc.pid, "VmHWM"));
	test_db_text(db, "SELECT path::text FROM org WHERE code = 'PB.C01.X01'", NULL, path,
	             sizeof(path));
	(void)fprintf(
	        f, "BENCH_AUDITOR_TOKEN=%s\nBENCH_AUDITOR_TOKEN_HASH='%s'\nBENCH_COUNTY_PATH=%s\n",
	        auditor.bearer, auditor_hash, path);
	test_db_text(db, "SELECT path::text FROM org WHERE code = 'PB'", NULL, path, sizeof(path));
	(void)fprintf(f, "BENCH_PROVINCE_ID=%lld\nBENCH_PROVINCE_PATH=%s\n",
	              test_db_count(db, "SELECT id FROM org WHERE code = 'PB'"), path);
	(void)fprintf(f, "BENCH_OFFICER_MIN=%lld\nBENCH_OFFICER_MAX=%lld\n",
	              test_db_count(db, "SELECT min(id) FROM officer"),
	              test_db_count(db, "SELECT max(id) FROM officer"));
	(void)fprintf(f, "BENCH_SESSION_MIN=%lld\nBENCH_SESSION_MAX=%lld\n",
	              test_db_count(db, "SELECT min(id) FROM training_session"),
	              test_db_count(db, "SELECT max(id) FROM training_session"));
	(void)fprintf(f, "BENCH_ROWS_OFFICER=%lld\nBENCH_ROWS_ATTENDANCE=%lld\n",
	              test_db_count(db, "SELECT count(*) FROM officer"),
	              test_db_count(db, "SELECT count(*) FROM attendance"));
	(void)fprintf(f, "BENCH_T_GEN=%.1f\nBENCH_T_LOAD=%.1f\nBENCH_T_REFRESH=%.1f\n", t_gen,
	              t_load, t_refresh);
	if (fclose(f) != 0)
		give_up("cannot write the env file");
	(void)printf("bench_province_load: generated in %.1f s, loaded in %.1f s, officer-years "
	             "evaluated in %.1f s\n",
	             t_gen, t_load, t_refresh);
	PQfinish(db);
	return 0;
}
