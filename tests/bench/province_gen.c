/* province_gen.c — the provincial-scale benchmark's data (tests/bench/README.md):
 * an organisation tree, officers, training sessions and a year of attendance
 * as COPY-ready CSV, deterministic for a seed. load.sql loads it set-wise;
 * province_load.c drives both. Not a test; built with the tests.
 *
 *   bench_province_gen --scale small|city|province --key DATA_DIR/keys/pii.key
 *                      --out DIR [--year 2025] [--seed 1]
 *
 * small: 10,000 officers; city: 100,000; province: 1,000,000 (~35M records).
 * The tree is province → cities → counties → departments, and each city has
 * departments of its own; officers work in departments, weighted by kind.
 * Writes DIR/orgs.csv (seq, code, name, kind, parent code, level),
 * DIR/officers.csv (seq, sealed ID, blind index, masked ID, name, gender,
 * birth date, department code, kind, post, status, status date, hire date,
 * enforcement post), DIR/sessions.csv (seq, code, title, department code,
 * category, form, platform, starts_at, ends_at, duration_minutes,
 * declared_units or empty) and DIR/attendance.csv (officer seq, session seq).
 * National IDs are sealed and blind-indexed with the data directory's PII key
 * (pii.h), as tcardd does. About 12 % are auxiliaries, 4 % were hired during
 * the year, 3 % left during it. Each officer attends sessions of its own
 * department while in post until a target is reached: most near 60 counted
 * hours, a tail short of it, a few far above. */
#include "bench_data.h"
#include "err.h"
#include "pii.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define UNITS_PER_HOUR       36000LL
#define SESSIONS_PER_UNIT    160
#define CITY_DEPARTMENTS     6
#define MINUTES_PER_HOUR_STD 45 /* the baseline policy's minutes per class hour */

struct scale {
	const char *name;
	long officers;
	int cities, counties, departments; /* counties per city, departments per county */
};

static const struct scale scales[] = {
        {"small", 10000, 2, 3, 5},
        {"city", 100000, 2, 8, 8},
        {"province", 1000000, 16, 10, 8},
};

/* Kinds of enforcement department: their post and how many officers they have. */
static const struct dept_kind {
	const char *code;
	const char *name;
	const char *post;
	int weight;
} dept_kinds[] = {
        {"SFJ", "司法局", "行政执法监督", 2},
        {"SCJG", "市场监督管理局", "市场监管执法", 5},
        {"ZHZF", "综合执法局", "城市管理综合执法", 6},
        {"NYNC", "农业农村局", "农业综合执法", 3},
        {"STHJ", "生态环境局", "生态环境执法", 3},
        {"JTYS", "交通运输局", "交通运输综合执法", 4},
        {"WSJK", "卫生健康委", "卫生监督执法", 2},
        {"YJGL", "应急管理局", "安全生产执法", 2},
};
#define DEPT_KINDS (sizeof(dept_kinds) / sizeof(dept_kinds[0]))

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵",
                                       "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "强", "磊", "军",
                                    "洋", "勇", "艳", "杰", "涛", "明", "超", "华"};
static const char *const platforms[] = {"法治教育网", "学习强国", "执法培训平台"};

struct unit {
	char code[48];
	int kind; /* dept_kinds index */
};

struct session {
	int day;          /* day of the year, 0-based */
	int counted_x100; /* counted class hours × 100 under the baseline policy */
};

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finaliser: a well-spread hash of (seed, purpose, index). */
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct rng {
	uint64_t state;
};

static void rng_init(struct rng *r, uint64_t seed, uint64_t purpose, uint64_t index)
{
	r->state = mix(seed ^ mix(purpose * 1000003ULL ^ mix(index)));
}

static uint64_t rng_next(struct rng *r)
{
	r->state += 0x9e3779b97f4a7c15ULL;
	return mix(r->state);
}

/* Uniform in [0, n). */
static long rng_below(struct rng *r, long n)
{
	return (long)(rng_next(r) % (uint64_t)n);
}

static void day_text(int year, int day, char out[40])
{
	struct tm tm = {.tm_year = year - 1900, .tm_mon = 0, .tm_mday = 1 + day, .tm_hour = 12};
	time_t t = timegm(&tm);

	(void)gmtime_r(&t, &tm);
	(void)snprintf(out, 40, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Writes the tree; fills units with the departments. Returns their count. */
static int write_orgs(const char *dir, const struct scale *sc, struct unit *units)
{
	FILE *f = bench_open_out(dir, "orgs.csv");
	int seq = 0, n = 0, c, x, d;

	(void)fprintf(f, "%d,PB,基准省,province,,0\n", seq++);
	for (c = 1; c <= sc->cities; c++) {
		(void)fprintf(f, "%d,PB.C%02d,基准省第%d市,city,PB,1\n", seq++, c, c);
		for (d = 0; d < CITY_DEPARTMENTS; d++) {
			const struct dept_kind *k = &dept_kinds[d % DEPT_KINDS];

			(void)snprintf(units[n].code, sizeof(units[n].code), "PB.C%02d.%s", c,
			               k->code);
			units[n].kind = d % (int)DEPT_KINDS;
			(void)fprintf(f, "%d,%s,第%d市%s,department,PB.C%02d,2\n", seq++,
			              units[n].code, c, k->name, c);
			n++;
		}
		for (x = 1; x <= sc->counties; x++) {
			(void)fprintf(f, "%d,PB.C%02d.X%02d,第%d市第%d县,county,PB.C%02d,2\n",
			              seq++, c, x, c, x, c);
			for (d = 0; d < sc->departments; d++) {
				const struct dept_kind *k = &dept_kinds[d % DEPT_KINDS];

				(void)snprintf(units[n].code, sizeof(units[n].code),
				               "PB.C%02d.X%02d.%s", c, x, k->code);
				units[n].kind = d % (int)DEPT_KINDS;
				(void)fprintf(f,
				              "%d,%s,第%d市第%d县%s,department,PB.C%02d.X%02d,3\n",
				              seq++, units[n].code, c, x, k->name, c, x);
				n++;
			}
		}
	}
	bench_close_out(f);
	return n;
}

/* SESSIONS_PER_UNIT sessions per department across the year: online courses
 * on a platform (0.5–1.5 h), lectures and seminars (2–4 h declared), untimed
 * on-site training (90–180 minutes), and some political or other study that
 * the baseline policy does not count. */
static void write_sessions(const char *dir, uint64_t seed, int year, const struct unit *units,
                           int unit_count, struct session *sessions)
{
	static const char *const counted[] = {"public_law", "public_law", "business", "skills"};
	FILE *f = bench_open_out(dir, "sessions.csv");
	long seq;

	for (seq = 0; seq < (long)unit_count * SESSIONS_PER_UNIT; seq++) {
		const struct unit *u = &units[seq / SESSIONS_PER_UNIT];
		struct rng r;
		long kind;
		int hour, minutes, declared_x100;
		const char *category, *form, *platform = "";
		char day[40];

		rng_init(&r, seed, 2, (uint64_t)seq);
		kind = rng_below(&r, 100);
		category = counted[rng_below(&r, 4)];
		if (kind < 45) { /* online */
			form = "online";
			platform = platforms[rng_below(&r, 3)];
			declared_x100 = 50 * (1 + (int)rng_below(&r, 3));
			minutes = declared_x100 * 60 / 100;
		} else if (kind < 80) { /* lecture or seminar */
			form = kind % 3 == 0 ? "seminar" : "lecture";
			declared_x100 = 100 * (2 + (int)rng_below(&r, 3));
			minutes = declared_x100 * 60 / 100;
		} else if (kind < 92) { /* untimed: the duration counts */
			form = kind % 2 == 0 ? "onsite" : "field_demo";
			declared_x100 = 0;
			minutes = 90 + 45 * (int)rng_below(&r, 3);
		} else { /* not counted by the baseline */
			form = "lecture";
			category = kind % 2 == 0 ? "political" : "other";
			declared_x100 = 200;
			minutes = 120;
		}
		sessions[seq].day = (int)rng_below(&r, 365);
		sessions[seq].counted_x100 =
		        kind >= 92 ? 0
		                   : (declared_x100 > 0 ? declared_x100
		                                        : minutes * 100 / MINUTES_PER_HOUR_STD);
		hour = rng_below(&r, 2) == 0 ? 9 : 14;
		day_text(year, sessions[seq].day, day);
		(void)fprintf(
		        f, "%ld,PB-%ld,基准培训 %ld,%s,%s,%s,%s,%s %02d:00+08,%s %02d:%02d+08,%d,",
		        seq, seq, seq, u->code, category, form, platform, day, hour, day,
		        hour + minutes / 60, minutes % 60, minutes);
		if (declared_x100 > 0)
			(void)fprintf(f, "%lld\n", declared_x100 * UNITS_PER_HOUR / 100);
		else
			(void)fputc('\n', f);
	}
	bench_close_out(f);
}

/* The department of officer i: weighted by the department's kind. */
static int officer_unit(struct rng *r, const long *cumulative, int unit_count)
{
	long pick = rng_below(r, cumulative[unit_count - 1]);
	int lo = 0, hi = unit_count - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (cumulative[mid] > pick)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Counted hours × 100 an officer aims at over a whole year: most near 60
 * (a bell from the sum of four uniforms), 15 % short of it, 5 % far above. */
static int officer_target_x100(struct rng *r)
{
	long spread = rng_below(r, 100);

	if (spread < 80)
		return 5200 + (int)(rng_below(r, 600) + rng_below(r, 600) + rng_below(r, 600) +
		                    rng_below(r, 600));
	if (spread < 95)
		return 500 + (int)rng_below(r, 5000);
	return 9000 + (int)rng_below(r, 7000);
}

int main(int argc, char **argv)
{
	const struct scale *sc = NULL;
	const char *key = NULL, *out = NULL;
	uint64_t seed = 1;
	int year = 2025, a, unit_count, order[SESSIONS_PER_UNIT];
	struct unit *units;
	struct session *sessions;
	long *cumulative, i, records = 0;
	unsigned char sealed[PII_SEALED_ID_BYTES], index[PII_INDEX_BYTES];
	char sealed_hex[2 * PII_SEALED_ID_BYTES + 3], index_hex[2 * PII_INDEX_BYTES + 3], id[19];
	struct err err = {0};
	FILE *officers, *attendance;
	size_t s;

	for (a = 1; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--scale") == 0) {
			for (s = 0; s < sizeof(scales) / sizeof(scales[0]); s++)
				if (strcmp(argv[a + 1], scales[s].name) == 0)
					sc = &scales[s];
		} else if (strcmp(argv[a], "--key") == 0) {
			key = argv[a + 1];
		} else if (strcmp(argv[a], "--out") == 0) {
			out = argv[a + 1];
		} else if (strcmp(argv[a], "--year") == 0) {
			year = atoi(argv[a + 1]);
		} else if (strcmp(argv[a], "--seed") == 0) {
			seed = strtoull(argv[a + 1], NULL, 10);
		} else {
			break;
		}
	}
	if (a != argc || sc == NULL || key == NULL || out == NULL || year < 2001 || year > 2098) {
		(void)fprintf(stderr,
		              "usage: bench_province_gen --scale small|city|province"
		              " --key DATA_DIR/keys/pii.key --out DIR [--year Y] [--seed N]\n");
		return 64;
	}
	if (sodium_init() < 0 || pii_init(key, &err) != 0) {
		(void)fprintf(stderr, "bench_province_gen: %s\n", err.message);
		return 1;
	}
	unit_count = sc->cities * (CITY_DEPARTMENTS + sc->counties * sc->departments);
	units = calloc((size_t)unit_count, sizeof(*units));
	cumulative = calloc((size_t)unit_count, sizeof(*cumulative));
	sessions = calloc((size_t)unit_count * SESSIONS_PER_UNIT, sizeof(*sessions));
	if (units == NULL || cumulative == NULL || sessions == NULL) {
		(void)fprintf(stderr, "bench_province_gen: out of memory\n");
		return 1;
	}
	if (write_orgs(out, sc, units) != unit_count)
		return 1;
	for (a = 0; a < unit_count; a++)
		cumulative[a] = (a > 0 ? cumulative[a - 1] : 0) + dept_kinds[units[a].kind].weight;
	write_sessions(out, seed, year, units, unit_count, sessions);

	officers = bench_open_out(out, "officers.csv");
	attendance = bench_open_out(out, "attendance.csv");
	for (i = 0; i < sc->officers; i++) {
		struct rng r;
		int unit, auxiliary, first = 0, last = 364, target, got = 0, k, hire_year;
		const char *status = "active";
		char hire[40], status_date[40];
		long base;

		rng_init(&r, seed, 3, (uint64_t)i);
		bench_national_id((unsigned)i, id);
		pii_seal_national_id(id, sealed);
		pii_index_national_id(id, index);
		unit = officer_unit(&r, cumulative, unit_count);
		auxiliary = rng_below(&r, 100) < 12;
		if (rng_below(&r, 100) < 4) { /* hired during the year */
			first = 31 + (int)rng_below(&r, 270);
			day_text(year, first, hire);
		} else {
			/* Hired at 21 to 28, the year before at the latest. */
			hire_year = (id[6] - '0') * 1000 + (id[7] - '0') * 100 +
			            (id[8] - '0') * 10 + (id[9] - '0') + 21 + (int)rng_below(&r, 8);
			if (hire_year >= year)
				hire_year = year - 1;
			(void)snprintf(hire, sizeof(hire), "%04d-%02d-01", hire_year,
			               1 + (int)rng_below(&r, 12));
		}
		(void)snprintf(status_date, sizeof(status_date), "%s", hire);
		if (rng_below(&r, 100) < 3) { /* left during the year */
			static const char *const left[] = {"resigned", "retired", "transferred"};

			status = left[rng_below(&r, 3)];
			last = first + 30 + (int)rng_below(&r, 364 - first - 30);
			day_text(year, last, status_date);
		}
		(void)fprintf(officers,
		              "%ld,%s,%s,%.6s********%.4s,%s%s%s,%c,%.4s-%.2s-%.2s,%s,%s,%s,%s,%s,%"
		              "s,%s\n",
		              i, pii_bytea_hex(sealed, sizeof(sealed), sealed_hex),
		              pii_bytea_hex(index, sizeof(index), index_hex), id, id + 14,
		              surnames[rng_below(&r, 16)], given[rng_below(&r, 16)],
		              given[rng_below(&r, 16)], (id[16] - '0') % 2 == 1 ? 'M' : 'F', id + 6,
		              id + 10, id + 12, units[unit].code,
		              auxiliary ? "auxiliary" : "officer",
		              auxiliary ? "执法辅助" : dept_kinds[units[unit].kind].post, status,
		              status_date, hire,
		              !auxiliary && rng_below(&r, 100) < 90 ? "true" : "false");

		/* Sessions of the department in a random order, those in post only,
		 * until the target (prorated to the days in post) is reached. */
		target = (int)((long)officer_target_x100(&r) * (last - first + 1) / 365);
		base = (long)unit * SESSIONS_PER_UNIT;
		for (k = 0; k < SESSIONS_PER_UNIT; k++)
			order[k] = k;
		for (k = 0; k < SESSIONS_PER_UNIT && got < target; k++) {
			int pick = k + (int)rng_below(&r, SESSIONS_PER_UNIT - k), swap = order[k];
			const struct session *sn;

			order[k] = order[pick];
			order[pick] = swap;
			sn = &sessions[base + order[k]];
			if (sn->day < first || sn->day > last)
				continue;
			(void)fprintf(attendance, "%ld,%ld\n", i, base + order[k]);
			got += sn->counted_x100;
			records++;
		}
	}
	bench_close_out(officers);
	bench_close_out(attendance);
	pii_release();
	(void)printf("bench_province_gen: %s: %d departments, %ld sessions, %ld officers, %ld "
	             "attendance records\n",
	             sc->name, unit_count, (long)unit_count * SESSIONS_PER_UNIT, sc->officers,
	             records);
	free(units);
	free(cumulative);
	free(sessions);
	return 0;
}
