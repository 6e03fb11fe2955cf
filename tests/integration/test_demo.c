/* test_demo.c — the demo city (server/demo.c) as deploy/run.sh's first start
 * loads it: the tree, 500 officers with valid national IDs of their county,
 * valid credit codes, a believable mix of kinds and statuses; the same city on
 * every run; loading again into a database with data changes nothing. */
#include "testlib.h"

#include "pii.h"
#include "rules.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tcardd_proc demo;

static int setup(void **state)
{
	static const char *const flags[] = {"--demo", NULL};

	(void)state;
	tcardd_start(&demo, NULL, flags);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(tcardd_stop(&demo), 0);
	tcardd_cleanup(&demo);
	return 0;
}

static void test_demo_city_has_counties_units_and_500_officers(void **state)
{
	PGconn *db = test_db(&demo);

	(void)state;
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM org WHERE kind = 'city'"), 1);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM org WHERE kind = 'county'"), 5);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM org WHERE kind = 'department'"),
	                 31);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM officer"), 500);
	/* every officer sits in a unit, and every unit of a county below it */
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM officer o JOIN org u ON "
	                                   "u.id = o.org_id WHERE u.kind <> 'department'"),
	                 0);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM org WHERE kind = 'department' "
	                                   "AND nlevel(path) NOT IN (2, 3)"),
	                 0);
	/* each creation recorded in the history, by the demo loader */
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM officer_history "
	                                   "WHERE change = 'created' AND actor = 'demo'"),
	                 500);
	PQfinish(db);
}

static void test_demo_mix_of_kinds_and_statuses_is_believable(void **state)
{
	PGconn *db = test_db(&demo);
	long long auxiliary, active, retired, left, hired_2026, women;

	(void)state;
	auxiliary = test_db_count(db, "SELECT count(*) FROM officer WHERE kind = 'auxiliary'");
	active = test_db_count(db, "SELECT count(*) FROM officer WHERE status = 'active'");
	retired = test_db_count(db, "SELECT count(*) FROM officer WHERE status = 'retired'");
	left = test_db_count(db, "SELECT count(*) FROM officer WHERE status IN "
	                         "('transferred', 'resigned', 'dismissed')");
	hired_2026 = test_db_count(db, "SELECT count(*) FROM officer "
	                               "WHERE hire_date >= '2026-01-01'");
	women = test_db_count(db, "SELECT count(*) FROM officer WHERE gender = 'F'");
	assert_in_range(auxiliary, 25, 80);
	assert_in_range(active, 400, 490);
	assert_true(retired > 0);
	assert_true(left > 0);
	assert_true(hired_2026 > 0);
	assert_in_range(women, 100, 250);
	/* no status change before the hire, no hire before 18 */
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM officer WHERE status_date < "
	                                   "hire_date OR hire_date < birth_date + interval "
	                                   "'18 years'"),
	                 0);
	PQfinish(db);
}

/* Walks every officer over the API (as the admin sees the full IDs). */
/* The demo's national IDs as stored: opened with the data directory's key
 * (the API shows them whole only one by one, audited). Indexed by officer id. */
static void open_national_ids(char ids[501][19])
{
	PGconn *db = test_db(&demo);
	PGresult *res;
	char key[700];
	unsigned char sealed[PII_SEALED_ID_BYTES + 1];
	struct err err = {{0}};
	int row, len;
	long long id;

	assert_true(sodium_init() >= 0);
	(void)snprintf(key, sizeof(key), "%s/keys/pii.key", demo.data_dir);
	if (pii_init(key, &err) != 0)
		fail_msg("%s", err.message);
	res = PQexec(db, "SELECT id, national_id_sealed FROM officer WHERE id <= 500");
	assert_int_equal(PQntuples(res), 500);
	for (row = 0; row < 500; row++) {
		id = atoll(PQgetvalue(res, row, 0));
		assert_true(id >= 1 && id <= 500);
		len = pii_bytea_parse(PQgetvalue(res, row, 1), sealed, sizeof(sealed));
		assert_true(len > 0);
		assert_int_equal(pii_open_national_id(sealed, (size_t)len, ids[id]), 0);
	}
	PQclear(res);
	PQfinish(db);
	pii_release();
}

static void test_demo_national_ids_are_valid_and_of_the_unit_county(void **state)
{
	static char ids[501][19];
	struct http_result r;
	char path[256], cursor[64] = "";
	size_t seen = 0, i, from_meijiang = 0, in_meijiang = 0, local_meijiang = 0;

	(void)state;
	open_national_ids(ids);
	for (;;) {
		json_t *items, *item;

		(void)snprintf(path, sizeof(path), "/api/v1/officers?limit=200%s%s",
		               cursor[0] != '\0' ? "&cursor=" : "", cursor);
		http_call(&demo, &r, "GET", path, NULL, NULL);
		assert_int_equal(r.status, 200);
		items = json_object_get(r.json, "items");
		json_array_foreach(items, i, item)
		{
			json_int_t officer = json_integer_value(json_object_get(item, "id"));
			const char *id = officer >= 1 && officer <= 500 ? ids[officer] : NULL;
			const char *birth = json_string_value(json_object_get(item, "birth_date"));
			const char *unit = json_string_value(
			        json_object_get(json_object_get(item, "org"), "code"));
			struct national_id parsed;
			char digits[9];

			assert_non_null(id);
			assert_int_equal(rules_national_id_parse(id, 20261123, &parsed),
			                 RULES_ID_OK);
			(void)snprintf(digits, sizeof(digits), "%.4s%.2s%.2s", birth, birth + 5,
			               birth + 8);
			assert_memory_equal(id + 6, digits, 8);
			/* born in one of Meizhou's counties, never "441400" (the city) */
			assert_memory_equal(id, "4414", 4);
			assert_memory_not_equal(id, "441400", 6);
			if (strncmp(id, "441402", 6) == 0)
				from_meijiang++;
			if (strncmp(unit, "MZ.MJ.", 6) == 0) {
				in_meijiang++;
				if (strncmp(id, "441402", 6) == 0)
					local_meijiang++;
			}
			assert_false(test_file_contains(demo.log_path, id));
			seen++;
		}
		if (!json_is_string(json_object_get(r.json, "next_cursor"))) {
			http_result_clear(&r);
			break;
		}
		(void)snprintf(cursor, sizeof(cursor), "%s",
		               json_string_value(json_object_get(r.json, "next_cursor")));
		http_result_clear(&r);
	}
	assert_int_equal(seen, 500);
	/* most of 梅江区's staff were born there, and not only they */
	assert_true(local_meijiang * 2 > in_meijiang);
	assert_true(from_meijiang > local_meijiang);
}

/* The demo loader writes officers in SQL, outside any request: the background
 * refresher gives each officer in post this year an evaluated row soon after start. */
static void test_demo_officer_years_are_evaluated_by_the_refresher(void **state)
{
	PGconn *db = test_db(&demo);
	long long stale = -1, in_post, rows;
	int attempt;

	(void)state;
	for (attempt = 0; attempt < 200; attempt++) {
		stale = test_db_count(db, "SELECT count(*) FROM officer_year_status WHERE stale");
		if (stale == 0)
			break;
		(void)usleep(100000);
	}
	assert_int_equal(stale, 0);
	in_post = test_db_count(db, "SELECT count(*) FROM officer WHERE status = 'active'");
	rows = test_db_count(db, "SELECT count(*) FROM officer_year_status s JOIN officer o"
	                         " ON o.id = s.officer_id WHERE o.status = 'active'"
	                         " AND s.year = extract(year FROM now() AT TIME ZONE"
	                         " 'Asia/Shanghai') AND s.status IS NOT NULL");
	assert_true(in_post > 400);
	assert_int_equal(rows, in_post);
	/* Last year's training: 20 sessions by each of the city's 11 organisers; most
	 * officers met the 60 学时 and a tail fell short. */
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM training_session WHERE year ="
	                                   " extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')"
	                                   " - 1"),
	                 220);
	{
		long long met = test_db_count(db,
		                              "SELECT count(*) FROM officer_year_status WHERE"
		                              " status = 'met' AND year = extract(year FROM now()"
		                              " AT TIME ZONE 'Asia/Shanghai') - 1"),
		          short_ =
		                  test_db_count(db, "SELECT count(*) FROM officer_year_status WHERE"
		                                    " status = 'short' AND year = extract(year FROM"
		                                    " now() AT TIME ZONE 'Asia/Shanghai') - 1");

		assert_true(short_ > 20);
		assert_true(met > 3 * short_);
	}
	PQfinish(db);
}

static void test_demo_unit_credit_codes_are_valid(void **state)
{
	PGconn *db = test_db(&demo);
	PGresult *res = PQexec(db, "SELECT credit_code, region_code FROM org "
	                           "WHERE kind = 'department'");
	int row;

	(void)state;
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(res), 31);
	for (row = 0; row < PQntuples(res); row++) {
		const char *code = PQgetvalue(res, row, 0);

		assert_int_equal(rules_credit_code_check(code), RULES_CREDIT_OK);
		assert_memory_equal(code, "11", 2); /* a state organ */
		assert_memory_equal(code + 2, PQgetvalue(res, row, 1), 6);
	}
	PQclear(res);
	PQfinish(db);
}

/* Certificates for officers on a post, never for auxiliaries; the leavers'
 * certificates withdrawn with their cancellation queued for review; a few lost
 * ones published; two years of assessments with some failing twice. */
static void test_demo_certificates_and_assessments_are_believable(void **state)
{
	PGconn *db = test_db(&demo);
	long long valid, withdrawn, queued, leavers;

	(void)state;
	valid = test_db_count(db, "SELECT count(*) FROM certificate WHERE status = 'valid'");
	withdrawn =
	        test_db_count(db, "SELECT count(*) FROM certificate WHERE status = 'withdrawn'");
	queued = test_db_count(db, "SELECT count(*) FROM withdrawal_flag"
	                           " WHERE reason = 'left_post' AND state = 'open'");
	leavers = test_db_count(db, "SELECT count(*) FROM certificate c JOIN officer o"
	                            " ON o.id = c.officer_id WHERE o.status <> 'active'");
	assert_in_range(valid, 300, 450);
	assert_true(withdrawn > 0);
	assert_int_equal(withdrawn, leavers);
	assert_int_equal(queued, withdrawn);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM certificate c JOIN officer o"
	                                   " ON o.id = c.officer_id WHERE o.kind = 'auxiliary'"),
	                 0);
	assert_true(test_db_count(db, "SELECT count(*) FROM certificate WHERE status = 'cancelled'"
	                              " AND status_reason_category = 'lost'") > 0);
	assert_true(test_db_count(db, "SELECT count(*) FROM certificate WHERE status = 'valid'"
	                              " AND expires_on < (now() AT TIME ZONE 'Asia/Shanghai')::date"
	                              " + 60") > 0);
	/* …but none has run out while still shown as valid. */
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM certificate WHERE status = 'valid'"
	                                   " AND expires_on < (now() AT TIME ZONE"
	                                   " 'Asia/Shanghai')::date"),
	                 0);
	assert_true(test_db_count(db, "SELECT count(*) FROM annual_assessment a"
	                              " JOIN annual_assessment p ON p.officer_id = a.officer_id"
	                              " AND p.year = a.year - 1 AND p.grade = 'fail'"
	                              " WHERE a.grade = 'fail'") > 0);
	assert_true(test_db_count(db, "SELECT count(*) FROM annual_assessment") > 700);
	PQfinish(db);
}

/* A digest of what the demo made, comparable across clusters. */
static void demo_digest(struct tcardd_proc *proc, char out[64])
{
	PGconn *db = test_db(proc);
	PGresult *res =
	        PQexec(db, "SELECT md5(string_agg(concat_ws('|', o.name, "
	                   "o.national_id_masked, o.kind, o.status, o.hire_date, u.code), "
	                   "',' ORDER BY o.id)) FROM officer o JOIN org u ON u.id = o.org_id");

	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	(void)snprintf(out, 64, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(db);
}

static void test_demo_again_on_a_loaded_database_changes_nothing(void **state)
{
	static const char *const flags[] = {"--demo", NULL};
	char before[64], after[64], dir[512];

	(void)state;
	demo_digest(&demo, before);
	assert_int_equal(tcardd_stop(&demo), 0);
	(void)snprintf(dir, sizeof(dir), "%s", demo.data_dir);
	tcardd_start(&demo, dir, flags);
	demo_digest(&demo, after);
	assert_string_equal(before, after);
	{
		PGconn *db = test_db(&demo);

		assert_int_equal(test_db_count(db, "SELECT count(*) FROM officer"), 500);
		PQfinish(db);
	}
}

static void test_demo_is_the_same_city_on_every_run(void **state)
{
	static const char *const flags[] = {"--demo", NULL};
	struct tcardd_proc other;
	char first[64], second[64];

	(void)state;
	demo_digest(&demo, first);
	tcardd_start(&other, NULL, flags);
	demo_digest(&other, second);
	assert_int_equal(tcardd_stop(&other), 0);
	tcardd_cleanup(&other);
	assert_string_equal(first, second);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_demo_city_has_counties_units_and_500_officers),
	        cmocka_unit_test(test_demo_mix_of_kinds_and_statuses_is_believable),
	        cmocka_unit_test(test_demo_national_ids_are_valid_and_of_the_unit_county),
	        cmocka_unit_test(test_demo_officer_years_are_evaluated_by_the_refresher),
	        cmocka_unit_test(test_demo_unit_credit_codes_are_valid),
	        cmocka_unit_test(test_demo_certificates_and_assessments_are_believable),
	        cmocka_unit_test(test_demo_again_on_a_loaded_database_changes_nothing),
	        cmocka_unit_test(test_demo_is_the_same_city_on_every_run),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
