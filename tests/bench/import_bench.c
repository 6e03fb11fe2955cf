/* import_bench.c — the issue 7 import benchmark (tests/bench/README.md; run
 * through import.sh, not a test): starts tcardd on a throwaway data dir,
 * creates M officers and their sessions set-wise (bench_gen + psql \copy),
 * imports N attendance rows with `tcard import`, then loads the same rows with
 * psql \copy into a table with attendance's indexes and constraints, and
 * prints both rates, their ratio and tcardd's peak RSS.
 *
 *   bench_import [--rows N] [--officers M] [--keep]   (default 100000, 2500) */
#include "bench_data.h"
#include "testlib.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static struct tcardd_proc proc;
static char conninfo[700], work[600];

static double now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(const char *command)
{
	int status = system(command);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		(void)fprintf(stderr, "bench_import: failed (%d): %s\n", status, command);
		if (proc.pid > 0) /* leave no tcardd behind; its data dir stays for a look */
			(void)kill(proc.pid, SIGTERM);
		exit(1);
	}
}

/* Runs a psql script (text) in work/NAME with ON_ERROR_STOP; returns seconds. */
static double psql(const char *name, const char *script)
{
	char path[700], command[4096];
	double t0;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", work, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(script, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	(void)snprintf(command, sizeof(command),
	               "cd '%s' && psql -X -q -v ON_ERROR_STOP=1 '%s' -f '%s' >/dev/null", work,
	               conninfo, path);
	t0 = now_s();
	run(command);
	return now_s() - t0;
}

int main(int argc, char **argv)
{
	long long rows = 100000, officers = 2500, org, loaded;
	double t_import, t_copy, rate_import, rate_copy;
	char command[4096];
	long idle_kb, peak_kb;
	PGconn *db;
	int a, keep = 0;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--rows") == 0 && a + 1 < argc)
			rows = atoll(argv[++a]);
		else if (strcmp(argv[a], "--officers") == 0 && a + 1 < argc)
			officers = atoll(argv[++a]);
		else if (strcmp(argv[a], "--keep") == 0)
			keep = 1;
		else {
			(void)fprintf(stderr,
			              "usage: bench_import [--rows N] [--officers M] [--keep]\n");
			return 64;
		}
	}
	if (rows <= 0 || officers <= 0 || officers > rows) {
		(void)fprintf(stderr, "bench_import: need 0 < officers <= rows\n");
		return 64;
	}
	tcardd_start(&proc, NULL, NULL);
	(void)snprintf(conninfo, sizeof(conninfo),
	               "host=%s/pg/run port=5432 dbname=tcard user=postgres", proc.data_dir);
	(void)snprintf(work, sizeof(work), "%s/bench", proc.data_dir);
	(void)snprintf(command, sizeof(command), "mkdir -p '%s'", work);
	run(command);
	org = test_create_org(&proc, "bench-unit", "基准测试支队", "city", 0);

	(void)printf("generating %lld rows for %lld officers …\n", rows, officers);
	(void)fflush(stdout);
	(void)snprintf(
	        command, sizeof(command),
	        "'%s' --rows %lld --officers %lld --org %lld --key '%s/keys/pii.key' --out '%s'",
	        BENCH_GEN_PATH, rows, officers, org, proc.data_dir, work);
	run(command);
	(void)psql("setup.sql",
	           "BEGIN;\n"
	           "SELECT set_config('tcard.scope', 'all', true),"
	           " set_config('tcard.actor', 'bench', true);\n"
	           "\\copy officer (national_id_sealed, national_id_index, national_id_masked,"
	           " name, gender, birth_date, org_id, hire_date) FROM 'officers.csv' csv\n"
	           "\\copy training_session (code, title, org_id, category, form, starts_at,"
	           " ends_at, duration_minutes, declared_units) FROM 'sessions.csv' csv\n"
	           "COMMIT;\n"
	           /* Statistics as autovacuum keeps them in service: loaded a second
	            * ago, the tables would have none yet. */
	           "ANALYZE;\n");

	idle_kb = bench_vm_kb((long)proc.pid, "VmHWM");
	(void)snprintf(command, sizeof(command),
	               "'%s' import attendance '%s/attendance.csv' --server '%s' --token '%s'"
	               " --json > '%s/import.json'",
	               TCARD_CLI_PATH, work, proc.base_url, proc.admin.bearer, work);
	t_import = now_s();
	run(command);
	t_import = now_s() - t_import;
	peak_kb = bench_vm_kb((long)proc.pid, "VmHWM");
	db = test_db(&proc);
	loaded = test_db_count(db, "SELECT count(*) FROM attendance");
	if (loaded != rows) {
		(void)fprintf(stderr, "bench_import: %lld rows in attendance, not %lld\n", loaded,
		              rows);
		return 1;
	}

	/* The same rows as attendance holds them (officer and session resolved,
	 * the derived columns filled), into a table with its indexes and
	 * constraints (LIKE … INCLUDING ALL, plus its foreign keys). */
	(void)psql("baseline_setup.sql",
	           "CREATE TABLE bench_attendance (LIKE attendance INCLUDING ALL);\n"
	           "DO $$ DECLARE c record; BEGIN\n"
	           "  FOR c IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint"
	           "   WHERE conrelid = 'attendance'::regclass AND contype = 'f' LOOP\n"
	           "    EXECUTE format('ALTER TABLE bench_attendance ADD CONSTRAINT %I %s',"
	           "                   'bench_' || c.conname, c.def);\n"
	           "  END LOOP; END $$;\n"
	           "\\copy (SELECT session_id, officer_id, org_path, year, category, platform,"
	           " credited_units, credited_minutes FROM attendance) TO 'resolved.csv' csv\n");
	t_copy = psql("baseline.sql",
	              "\\copy bench_attendance (session_id, officer_id, org_path, year, category,"
	              " platform, credited_units, credited_minutes) FROM 'resolved.csv' csv\n");
	if (test_db_count(db, "SELECT count(*) FROM bench_attendance") != rows) {
		(void)fprintf(stderr, "bench_import: the \\copy baseline lost rows\n");
		return 1;
	}
	PQfinish(db);

	rate_import = (double)rows / t_import;
	rate_copy = (double)rows / t_copy;
	(void)printf("rows %lld, officers %lld\n", rows, officers);
	(void)printf("tcard import: %.2f s, %.0f rows/s\n", t_import, rate_import);
	(void)printf("psql \\copy:   %.2f s, %.0f rows/s\n", t_copy, rate_copy);
	(void)printf("ratio %.2f (target >= 0.5)\n", rate_import / rate_copy);
	(void)printf("tcardd peak RSS %ld KiB (before the import %ld KiB; target < 100 MB)\n",
	             peak_kb, idle_kb);
	if (keep) {
		(void)printf("kept %s (tcardd stopped)\n", proc.data_dir);
		(void)tcardd_stop(&proc);
		return 0;
	}
	(void)tcardd_stop(&proc);
	tcardd_cleanup(&proc);
	return 0;
}
