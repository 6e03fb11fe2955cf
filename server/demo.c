/* demo.c — the demo city of Meizhou (梅州市): the city, five of its counties
 * with their real GB/T 2260 region codes, 31 enforcement units with valid
 * unified social credit codes, 500 officers with valid national IDs, a year
 * and a half of training sessions and attendance, enforcement certificates
 * and two years of annual assessments.
 *
 * Everything comes from a fixed-seed generator, so every run builds the same
 * city. Rows go in set-wise: one INSERT … SELECT FROM unnest(arrays) per tree
 * level and one for all officers, in one transaction, as the app role under
 * row-level security like any other write. */
#include "demo.h"

#include "buf.h"
#include "pii.h"
#include "rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_OFFICERS  500
#define DEMO_MAX_ORGS  64
#define DEMO_ARRAY_MAX (4u << 20)

struct demo_county {
	const char *code; /* our org code */
	const char *name;
	const char *kind;
	const char *region; /* GB/T 2260 */
};

/* The city first; its departments sit directly under it. */
static const struct demo_county demo_areas[] = {
        {"MZ", "梅州市", "city", "441400"},      {"MZ.MJ", "梅江区", "county", "441402"},
        {"MZ.MX", "梅县区", "county", "441403"}, {"MZ.XN", "兴宁市", "county", "441481"},
        {"MZ.WH", "五华县", "county", "441424"}, {"MZ.DP", "大埔县", "county", "441422"},
};

/* Where officers were born: Meizhou's eight county-level areas (GB/T 2260). */
static const char *const demo_birth_regions[] = {
        "441402", "441403", "441422", "441423", "441424", "441426", "441427", "441481",
};

/* Enforcement departments and the post their officers hold. weight: how many
 * officers a unit of this kind has, relative to the others. */
static const struct demo_department {
	const char *code;
	const char *name;
	const char *post;
	int weight;
	int city_only;
} demo_departments[] = {
        {"SFJ", "司法局", "行政执法监督", 2, 0},
        {"SCJG", "市场监督管理局", "市场监管执法", 5, 0},
        {"ZHZF", "城市管理和综合执法局", "城市管理综合执法", 6, 0},
        {"NYNC", "农业农村局", "农业综合执法", 3, 0},
        {"STHJ", "生态环境局", "生态环境执法", 3, 0},
        {"JTYS", "交通运输局", "交通运输综合执法", 4, 1},
};

static const char *const demo_surnames[] = {
        "李", "张", "陈", "黄", "刘", "钟", "曾", "罗", "杨", "温", "丘", "古", "廖", "叶",
        "谢", "林", "朱", "侯", "何", "邱", "潘", "吴", "赖", "彭", "饶", "熊", "蓝", "肖",
};
static const char *const demo_given_male[] = {
        "伟",   "强",   "军",   "斌",   "华",   "明",   "建国", "志强",
        "文杰", "海峰", "国平", "永红", "晓东", "俊杰", "振华", "家豪",
        "锦荣", "德明", "子健", "宏伟", "浩",   "鹏",   "涛",   "勇",
};
static const char *const demo_given_female[] = {
        "芳",   "敏",   "静",   "丽",   "婷",   "燕",   "秀英", "美玲",
        "晓红", "雅琴", "慧",   "玉兰", "嘉欣", "思颖", "春梅", "丽华",
        "翠萍", "海燕", "佳怡", "文静", "颖",   "琳",   "洁",   "霞",
};

#define DEMO_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* splitmix64: small, fast, and the same sequence everywhere. */
struct demo_rng {
	uint64_t state;
};

static uint32_t demo_next(struct demo_rng *rng, uint32_t bound)
{
	uint64_t z = (rng->state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return (uint32_t)(z % bound);
}

struct demo_org {
	char code[32];
	char name[128];
	const char *kind;
	const char *parent; /* code, or NULL */
	const char *region;
	char credit[19]; /* "" for areas */
	const struct demo_department *department;
};

/* A GB 11714 organisation code (8 characters + check) then the GB 32100 credit
 * code: '1' (state organ) '1' (organ), region, organisation code, check. */
static void demo_credit_code(struct demo_rng *rng, const char *region, char out[19])
{
	static const int weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	char first17[18];
	int i, sum = 0, check;

	(void)snprintf(first17, sizeof(first17), "11%s", region);
	first17[8] = '0'; /* government organs' codes start with 0 */
	for (i = 1; i < 8; i++)
		first17[8 + i] = (char)('0' + demo_next(rng, 10));
	for (i = 0; i < 8; i++)
		sum += (first17[8 + i] - '0') * weights[i];
	check = 11 - sum % 11;
	first17[16] = check == 10 ? 'X' : check == 11 ? '0' : (char)('0' + check);
	first17[17] = '\0';
	(void)snprintf(out, 19, "%s%c", first17, rules_credit_code_check_char(first17));
}

static size_t demo_build_orgs(struct demo_rng *rng, struct demo_org *orgs)
{
	size_t n = 0, a, d;

	for (a = 0; a < DEMO_COUNT(demo_areas); a++) {
		struct demo_org *o = &orgs[n++];

		memset(o, 0, sizeof(*o));
		(void)snprintf(o->code, sizeof(o->code), "%s", demo_areas[a].code);
		(void)snprintf(o->name, sizeof(o->name), "%s", demo_areas[a].name);
		o->kind = demo_areas[a].kind;
		o->parent = a == 0 ? NULL : demo_areas[0].code;
		o->region = demo_areas[a].region;
	}
	for (a = 0; a < DEMO_COUNT(demo_areas); a++) {
		for (d = 0; d < DEMO_COUNT(demo_departments); d++) {
			const struct demo_department *dep = &demo_departments[d];
			struct demo_org *o;

			if (dep->city_only && a != 0)
				continue;
			o = &orgs[n++];
			memset(o, 0, sizeof(*o));
			(void)snprintf(o->code, sizeof(o->code), "%s.%s", demo_areas[a].code,
			               dep->code);
			(void)snprintf(o->name, sizeof(o->name), "%s%s", demo_areas[a].name,
			               dep->name);
			o->kind = "department";
			o->parent = demo_areas[a].code;
			o->region = demo_areas[a].region;
			o->department = dep;
			demo_credit_code(rng, o->region, o->credit);
		}
	}
	return n;
}

/* A PostgreSQL array literal of quoted text elements; NULL elements as NULL. */
struct demo_array {
	struct buf text;
	int count;
};

static void demo_array_init(struct demo_array *array)
{
	buf_init(&array->text, DEMO_ARRAY_MAX);
	array->count = 0;
}

static int demo_array_add(struct demo_array *array, const char *value)
{
	const char *p;
	int rc = buf_puts(&array->text, array->count++ == 0 ? "{" : ",");

	if (value == NULL)
		return rc | buf_puts(&array->text, "NULL");
	rc |= buf_puts(&array->text, "\"");
	for (p = value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			rc |= buf_puts(&array->text, "\\");
		rc |= buf_append(&array->text, p, 1);
	}
	return rc | buf_puts(&array->text, "\"");
}

static const char *demo_array_text(struct demo_array *array)
{
	if (array->count == 0 && buf_puts(&array->text, "{") != 0)
		return NULL;
	if (buf_puts(&array->text, "}") != 0)
		return NULL;
	return array->text.data;
}

static int demo_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
                     struct err *err)
{
	PGresult *res = nparams == 0
	                        ? PQexec(conn, sql)
	                        : PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType status = PQresultStatus(res);
	int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

	if (!ok)
		err_set(err, "demo data: %s", PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

static const char demo_org_sql[] =
        "INSERT INTO org (code, name, kind, parent_id, region_code, credit_code) "
        "SELECT u.code, u.name, u.kind, p.id, u.region, nullif(u.credit, '') "
        "  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) "
        "       WITH ORDINALITY AS u(code, name, kind, parent, region, credit, ord) "
        "  LEFT JOIN org p ON p.code = u.parent "
        " WHERE u.ord = ANY ($7::int[]) ORDER BY u.ord";

/* Inserts the orgs of one tree level (a parent must exist before its children). */
static int demo_insert_orgs(PGconn *conn, const struct demo_org *orgs, size_t n, int level,
                            struct err *err)
{
	struct demo_array columns[7];
	const char *params[7];
	char ordinal[24];
	size_t i, c;
	int rc = 0;

	for (c = 0; c < 7; c++)
		demo_array_init(&columns[c]);
	for (i = 0; i < n; i++) {
		const struct demo_org *o = &orgs[i];
		int o_level = o->parent == NULL ? 0 : o->department != NULL ? 2 : 1;

		/* Departments of the city itself hang under the city: still level 2. */
		rc |= demo_array_add(&columns[0], o->code);
		rc |= demo_array_add(&columns[1], o->name);
		rc |= demo_array_add(&columns[2], o->kind);
		rc |= demo_array_add(&columns[3], o->parent);
		rc |= demo_array_add(&columns[4], o->region);
		rc |= demo_array_add(&columns[5], o->credit);
		if (o_level == level) {
			(void)snprintf(ordinal, sizeof(ordinal), "%zu", i + 1);
			rc |= demo_array_add(&columns[6], ordinal);
		}
	}
	for (c = 0; c < 7; c++)
		if ((params[c] = demo_array_text(&columns[c])) == NULL)
			rc = -1;
	if (rc != 0)
		err_set(err, "demo data: out of memory");
	else
		rc = demo_exec(conn, demo_org_sql, 7, params, err);
	for (c = 0; c < 7; c++)
		buf_release(&columns[c].text);
	return rc;
}

/* One generated officer, as text for the arrays. */
struct demo_officer {
	char national_id[19];
	char name[32];
	char gender[2];
	char birth[16];
	const char *org;
	const char *kind;
	const char *post;
	const char *status;
	char status_date[16];
	char hire[16];
};

static int demo_days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD; the modulos tell the compiler the text fits. */
static void demo_format_date(char out[16], int year, int month, int day)
{
	(void)snprintf(out, 16, "%04u-%02u-%02u", (unsigned)year % 10000u, (unsigned)month % 100u,
	               (unsigned)day % 100u);
}

static void demo_date(struct demo_rng *rng, int year, int max_month, char out[16], int *month,
                      int *day)
{
	*month = 1 + (int)demo_next(rng, (uint32_t)max_month);
	*day = 1 + (int)demo_next(rng, (uint32_t)demo_days_in_month(year, *month));
	demo_format_date(out, year, *month, *day);
}

/* A national ID with the given region, unique among those made so far. */
static void demo_national_id(struct demo_rng *rng, const char *region, int year, int month, int day,
                             char gender, const struct demo_officer *made, size_t count,
                             char out[19])
{
	char first17[48];
	size_t i;

	for (;;) {
		int sequence = (int)demo_next(rng, 500) * 2 + (gender == 'M' ? 1 : 0);

		(void)snprintf(first17, sizeof(first17), "%s%04d%02d%02d%03d", region, year, month,
		               day, sequence % 1000);
		(void)snprintf(out, 19, "%.17s%c", first17, rules_national_id_check_char(first17));
		for (i = 0; i < count; i++)
			if (strcmp(made[i].national_id, out) == 0)
				break;
		if (i == count)
			return;
	}
}

/* Picks a department with probability proportional to its weight. */
static const struct demo_org *demo_pick_unit(struct demo_rng *rng, const struct demo_org *orgs,
                                             size_t n)
{
	uint32_t total = 0, pick;
	size_t i;

	for (i = 0; i < n; i++)
		if (orgs[i].department != NULL)
			total += (uint32_t)orgs[i].department->weight;
	pick = demo_next(rng, total);
	for (i = 0; i < n; i++) {
		if (orgs[i].department == NULL)
			continue;
		if (pick < (uint32_t)orgs[i].department->weight)
			return &orgs[i];
		pick -= (uint32_t)orgs[i].department->weight;
	}
	return NULL; /* not reached */
}

static void demo_make_officer(struct demo_rng *rng, const struct demo_org *orgs, size_t n,
                              struct demo_officer *made, size_t index)
{
	struct demo_officer *o = &made[index];
	const struct demo_org *unit = demo_pick_unit(rng, orgs, n);
	char gender = demo_next(rng, 100) < 68 ? 'M' : 'F';
	const char *given =
	        gender == 'M' ? demo_given_male[demo_next(rng, DEMO_COUNT(demo_given_male))]
	                      : demo_given_female[demo_next(rng, DEMO_COUNT(demo_given_female))];
	int birth_year = 1964 + (int)demo_next(rng, 38), month, day, hire_year, roll;
	const char *region;

	demo_date(rng, birth_year, 12, o->birth, &month, &day);
	/* Most were born in the county they serve; city staff and the rest anywhere
	 * in Meizhou (a city-level code such as 441400 is not a birthplace). */
	region = strcmp(unit->region, demo_areas[0].region) != 0 && demo_next(rng, 100) < 70
	                 ? unit->region
	                 : demo_birth_regions[demo_next(rng, DEMO_COUNT(demo_birth_regions))];
	demo_national_id(rng, region, birth_year, month, day, gender, made, index, o->national_id);
	(void)snprintf(o->name, sizeof(o->name), "%s%s",
	               demo_surnames[demo_next(rng, DEMO_COUNT(demo_surnames))], given);
	o->gender[0] = gender;
	o->gender[1] = '\0';
	o->org = unit->code;
	o->kind = demo_next(rng, 100) < 10 ? "auxiliary" : "officer";
	o->post = strcmp(o->kind, "auxiliary") == 0 ? "执法辅助" : unit->department->post;

	/* Hired between 22 and 30, and no later than 2026; about 3% this year up
	 * to November, to show proration for mid-year hires. */
	hire_year = birth_year + 22 + (int)demo_next(rng, 9);
	if (hire_year > 2026 || demo_next(rng, 100) < 3)
		hire_year = 2026;
	demo_date(rng, hire_year, hire_year == 2026 ? 11 : 12, o->hire, &month, &day);
	if (hire_year == 2026 && month == 11 && day > 20)
		demo_format_date(o->hire, 2026, 11, day % 20 + 1);

	/* Most are active; those born before 1966 have retired; a few left. */
	roll = (int)demo_next(rng, 100);
	o->status = birth_year < 1966 ? "retired"
	            : roll < 4        ? "transferred"
	            : roll < 6        ? "resigned"
	            : roll < 7        ? "dismissed"
	                              : "active";
	if (strcmp(o->status, "active") == 0 || hire_year == 2026)
		(void)snprintf(o->status_date, sizeof(o->status_date), "%s", o->hire);
	else
		demo_date(rng, 2026, 10, o->status_date, &month, &day);
	if (hire_year == 2026)
		o->status = "active";
}

static const char demo_officer_sql[] =
        "INSERT INTO officer (national_id_sealed, national_id_index, national_id_masked, name, "
        "                     gender, birth_date, org_id, kind, post, status, status_date, "
        "                     hire_date) "
        "SELECT decode(u.sealed, 'hex'), decode(u.index, 'hex'), u.masked, u.name, u.gender, "
        "       u.birth::date, o.id, u.kind, u.post, u.status, u.status_date::date, u.hire::date "
        "  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
        "              $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[]) "
        "       WITH ORDINALITY AS u(sealed, index, masked, name, gender, birth, org, kind, post, "
        "                            status, status_date, hire, ord) "
        "  JOIN org o ON o.code = u.org "
        " ORDER BY u.ord";

static void demo_hex(const unsigned char *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

static int demo_insert_officers(PGconn *conn, const struct demo_officer *made, size_t n,
                                struct err *err)
{
	struct demo_array columns[12];
	const char *params[12];
	unsigned char sealed[PII_SEALED_ID_BYTES], index[PII_INDEX_BYTES];
	char sealed_hex[2 * PII_SEALED_ID_BYTES + 1], index_hex[2 * PII_INDEX_BYTES + 1];
	char masked[19];
	size_t i, c;
	int rc = 0;

	for (c = 0; c < 12; c++)
		demo_array_init(&columns[c]);
	for (i = 0; i < n; i++) {
		const struct demo_officer *o = &made[i];

		pii_seal_national_id(o->national_id, sealed);
		pii_index_national_id(o->national_id, index);
		rules_national_id_mask(o->national_id, masked);
		demo_hex(sealed, sizeof(sealed), sealed_hex);
		demo_hex(index, sizeof(index), index_hex);
		rc |= demo_array_add(&columns[0], sealed_hex);
		rc |= demo_array_add(&columns[1], index_hex);
		rc |= demo_array_add(&columns[2], masked);
		rc |= demo_array_add(&columns[3], o->name);
		rc |= demo_array_add(&columns[4], o->gender);
		rc |= demo_array_add(&columns[5], o->birth);
		rc |= demo_array_add(&columns[6], o->org);
		rc |= demo_array_add(&columns[7], o->kind);
		rc |= demo_array_add(&columns[8], o->post);
		rc |= demo_array_add(&columns[9], o->status);
		rc |= demo_array_add(&columns[10], o->status_date);
		rc |= demo_array_add(&columns[11], o->hire);
	}
	for (c = 0; c < 12; c++)
		if ((params[c] = demo_array_text(&columns[c])) == NULL)
			rc = -1;
	if (rc != 0)
		err_set(err, "demo data: out of memory");
	else
		rc = demo_exec(conn, demo_officer_sql, 12, params, err);
	for (c = 0; c < 12; c++)
		buf_release(&columns[c].text);
	return rc;
}

/* Returns 1 if the database has an organisation already, 0 if not, -1 on error. */
static int demo_has_orgs(PGconn *conn, struct err *err)
{
	PGresult *res = PQexec(conn, "SELECT EXISTS (SELECT FROM org)");
	int rc = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	else
		err_set(err, "demo data: %s", PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

/* A year and a half of training, set-wise and deterministic: each county and
 * each of the city's own departments (the organisations just below the city)
 * organises 20 sessions a year (lectures of 4 declared 学时, untimed 3-hour
 * seminars and case studies, online courses on 法治教育网, one rotation round,
 * two political-theory sessions), last year's all and this year's up to
 * today. Each officer in post attends each of its organiser's sessions with a
 * fixed chance: 19 in 20 for most, 8 in 20 for one in five of them, so most
 * come out near 60 h and a tail is short. */
static const char demo_training_sql[] =
        "INSERT INTO training_session (code, title, org_id, category, form, platform,"
        "  starts_at, ends_at, duration_minutes, declared_units)"
        " SELECT format('DEMO-%s-%s-%s', g.code, y, n),"
        "  (ARRAY['行政处罚法专题讲座', '行政许可实务', '执法文书规范', '现场执法技能实训',"
        "   '典型案例研讨', '法治教育网在线课程', '全员轮训', '政治理论学习',"
        "   '行政复议与诉讼', '执法监督与证据'])[1 + (n * 7) % 10],"
        "  g.id,"
        "  CASE WHEN n IN (8, 18) THEN 'political' WHEN n % 3 = 0 THEN 'public_law'"
        "   WHEN n % 3 = 1 THEN 'business' ELSE 'skills' END,"
        "  CASE WHEN n = 7 THEN 'rotation' WHEN n % 5 = 0 THEN 'online'"
        "   WHEN n % 4 = 0 THEN 'case_study' WHEN n % 4 = 1 THEN 'lecture' ELSE 'seminar' END,"
        "  CASE WHEN n % 5 = 0 THEN '法治教育网' ELSE '' END,"
        "  make_timestamptz(y, 1 + (n * 5) % 12, 1 + (n * 11) % 27, 9, 0, 0, 'Asia/Shanghai'),"
        "  make_timestamptz(y, 1 + (n * 5) % 12, 1 + (n * 11) % 27, 12, 0, 0, 'Asia/Shanghai'),"
        "  180, CASE WHEN n % 2 = 1 THEN 4 * 36000 END"
        " FROM org g, generate_series(extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int"
        "  - 1, extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int) y,"
        "  generate_series(1, 20) n"
        " WHERE nlevel(g.path) = 2"
        "  AND make_timestamptz(y, 1 + (n * 5) % 12, 1 + (n * 11) % 27, 12, 0, 0,"
        "  'Asia/Shanghai') < now()"
        "  ORDER BY 1;"
        /* The records in a statement of their own: the attendance triggers must
         * see the sessions. */
        " INSERT INTO attendance (session_id, officer_id)"
        " SELECT s.id, o.id FROM training_session s JOIN officer o ON o.org_path <@ s.org_path"
        " WHERE s.code LIKE 'DEMO-%' AND o.status = 'active' AND (o.hire_date IS NULL"
        "  OR o.hire_date <= (s.starts_at AT TIME ZONE 'Asia/Shanghai')::date)"
        "  AND abs(hashtext(o.id || '/' || s.id)) % 20"
        "   < CASE WHEN abs(hashtext(o.id::text)) % 5 = 0 THEN 8 ELSE 19 END"
        " ORDER BY s.id, o.id";

/* Certificates and assessments, set-wise and deterministic. Every officer
 * (not auxiliary) but one in 17 got a certificate from the city for its
 * post: valid while in post (one in 25 expiring within two months), withdrawn
 * for those who left (their cancellations wait in the review queue as
 * 'left_post' flags); a few valid ones were lost and cancelled (the public
 * list) or suspended. Everyone in post was assessed in the two years before
 * this one (hired before October); one in 40 failed a year, and one in 97
 * failed both, which closing last year flags. */
static const char demo_certificates_sql[] =
        "INSERT INTO certificate (number, officer_id, issuing_org_id, domain, area, issued_on,"
        "  expires_on, status, status_reason_category, status_reason)"
        " SELECT format('粤梅%s%s', extract(year FROM i.issued)::int, lpad(o.id::text, 6, '0')),"
        "  o.id, (SELECT min(id) FROM org WHERE parent_id IS NULL), o.post, g.name, i.issued,"
        "  CASE WHEN o.id % 25 = 0 AND o.status = 'active' THEN i.today + 1 + (o.id % 60)::int"
        "   ELSE (i.issued + interval '6 years')::date END,"
        "  CASE WHEN o.status = 'active' THEN 'valid' ELSE 'withdrawn' END,"
        "  CASE WHEN o.status <> 'active' THEN o.status END,"
        "  CASE WHEN o.status <> 'active'"
        "   THEN '离岗，执法证收回 / left the post: certificate withdrawn' END"
        " FROM officer o JOIN org g ON g.id = o.org_id"
        " CROSS JOIN LATERAL (SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date AS today) t"
        /* Issued within the last four years, so that six years of validity
         * have not run out (only the one in 25 above expires soon). */
        " CROSS JOIN LATERAL (SELECT t.today, least(greatest(o.hire_date,"
        "  (t.today - interval '4 years')::date) + (o.id % 200)::int, t.today - 1) AS issued) i"
        " WHERE o.kind = 'officer' AND o.id % 17 <> 0 AND o.post <> ''"
        " ORDER BY o.id;"
        " UPDATE certificate SET status = 'cancelled', status_reason_category = 'lost',"
        "  status_reason = '遗失，已登报声明作废 / lost, announced void',"
        "  version = version + 1, updated_at = now()"
        " WHERE status = 'valid' AND officer_id % 41 = 0;"
        " UPDATE certificate SET status = 'suspended', status_reason_category = 'misconduct',"
        "  status_reason = '违纪调查期间暂扣 / suspended during a disciplinary inquiry',"
        "  version = version + 1, updated_at = now()"
        " WHERE status = 'valid' AND officer_id % 53 = 0;"
        " INSERT INTO annual_assessment (officer_id, year, grade)"
        " SELECT o.id, y, CASE WHEN o.id % 97 = 0 OR abs(hashtext(o.id || '/' || y)) % 40 = 0"
        "   THEN 'fail' WHEN o.id % 5 = 0 THEN 'excellent' WHEN o.id % 11 = 0 THEN 'basic'"
        "   ELSE 'pass' END"
        " FROM officer o, generate_series(extract(year FROM now() AT TIME ZONE "
        "'Asia/Shanghai')::int"
        "  - 2, extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int - 1) y"
        " WHERE officer_in_post_during(o.hire_date, o.status, o.status_date, y)"
        "  AND (o.hire_date IS NULL OR o.hire_date < make_date(y, 10, 1))"
        " ORDER BY 1, 2";

int demo_load(PGconn *conn, struct err *err)
{
	/* As the app role when the login may act as it (an operator's URL), so
	 * that row-level security applies as for every other write. */
	static const char begin_sql[] =
	        "BEGIN;"
	        "SELECT set_config('role', 'tcard_app', true) "
	        " WHERE current_user <> 'tcard_app' AND pg_has_role('tcard_app', 'MEMBER');"
	        "SELECT set_config('tcard.scope', 'all', true), "
	        "set_config('tcard.actor', 'demo', true)";
	struct demo_rng rng = {0x7463617264ULL}; /* "tcard" */
	struct demo_org orgs[DEMO_MAX_ORGS];
	struct demo_officer *made;
	size_t n_orgs, i;
	int level, rc = -1, has;

	made = calloc(DEMO_OFFICERS, sizeof(*made));
	if (made == NULL)
		return err_set(err, "demo data: out of memory");
	n_orgs = demo_build_orgs(&rng, orgs);
	for (i = 0; i < DEMO_OFFICERS; i++)
		demo_make_officer(&rng, orgs, n_orgs, made, i);

	if (demo_exec(conn, begin_sql, 0, NULL, err) != 0)
		goto done;
	has = demo_has_orgs(conn, err);
	if (has != 0) {
		rc = has > 0 ? 0 : -1;
		goto done;
	}
	for (level = 0; level <= 2; level++)
		if (demo_insert_orgs(conn, orgs, n_orgs, level, err) != 0)
			goto done;
	if (demo_insert_officers(conn, made, DEMO_OFFICERS, err) != 0 ||
	    demo_exec(conn, demo_training_sql, 0, NULL, err) != 0 ||
	    demo_exec(conn, demo_certificates_sql, 0, NULL, err) != 0 ||
	    demo_exec(conn, "COMMIT", 0, NULL, err) != 0)
		goto done;
	rc = DEMO_OFFICERS;
done:
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	memset(made, 0, DEMO_OFFICERS * sizeof(*made)); /* national IDs */
	free(made);
	return rc;
}
