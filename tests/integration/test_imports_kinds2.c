/* test_imports_kinds2.c — POST /api/v1/imports/certificates (issue 7,
 * doc/import.md). A good file lands (the issuing authority above the HR
 * unit's scope), the same file again changes nothing, a file with the
 * typical bad rows reports every one with its row and writes nothing, one
 * `tcard import` run; then POST /api/v1/imports/organisations (admin only,
 * parents after their children in the file) the same way. The tests run in
 * order. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tcardd_proc proc;
static PGconn *db;
static long long province, county_a, county_b, officer_a1, officer_a2, officer_b1;
static long long officer_aux, officer_retired, officer_off_post;
static char id_a1[19], id_a2[19], id_b1[19], id_aux[19], id_retired[19], id_off_post[19];
static char id_cli[19];
static struct test_identity hr_a;
static char dir[] = "/tmp/tcard-import-kinds2-XXXXXX";

static long long certificate_count(void)
{
	return test_db_count(db, "SELECT count(*) FROM certificate");
}

static int group_setup(void **state)
{
	long long city;

	(void)state;
	assert_non_null(mkdtemp(dir));
	tcardd_start(&proc, NULL, NULL);
	db = test_db(&proc);
	province = test_create_org(&proc, "k2-prov", "证省", "province", 0);
	city = test_create_org(&proc, "k2-city", "证市", "city", province);
	county_a = test_create_org(&proc, "k2-a", "证甲县", "county", city);
	county_b = test_create_org(&proc, "k2-b", "证乙县", "county", city);
	officer_a1 = test_create_officer(&proc, 9601, "证甲一", county_a);
	officer_a2 = test_create_officer(&proc, 9602, "证甲二", county_a);
	officer_b1 = test_create_officer(&proc, 9603, "证乙一", county_b);
	officer_aux = test_create_officer(&proc, 9604, "证辅助", county_a);
	officer_retired = test_create_officer(&proc, 9605, "证退休", county_a);
	officer_off_post = test_create_officer(&proc, 9606, "证非执法", county_a);
	test_db_execf(db, "UPDATE officer SET kind = 'auxiliary' WHERE id = %lld", officer_aux);
	test_db_execf(db, "UPDATE officer SET status = 'retired' WHERE id = %lld", officer_retired);
	test_db_execf(db, "UPDATE officer SET enforcement_post = false WHERE id = %lld",
	              officer_off_post);
	test_national_id(9601, id_a1);
	test_national_id(9602, id_a2);
	test_national_id(9603, id_b1);
	test_national_id(9604, id_aux);
	test_national_id(9605, id_retired);
	test_national_id(9606, id_off_post);
	test_national_id(9607, id_cli);
	test_create_officer(&proc, 9607, "证命令行", county_a);
	test_create_user(&proc, "k2.hr.a", "hr", county_a, 0, NULL, &hr_a);
	return 0;
}

static int group_teardown(void **state)
{
	char command[128];

	(void)state;
	tcardd_finish(&proc, db);
	db = NULL;
	(void)snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	assert_int_equal(system(command), 0);
	return 0;
}

/* ---- certificates ---- */

static char certificates_csv[2048];

static void test_certificates_good_file_inserts_and_updates(void **state)
{
	struct http_result r;

	(void)state;
	/* An existing certificate of officer a1, re-imported with new dates. */
	test_issue_certificate(&proc, officer_a1, province, "K2-0001", "城市管理");
	(void)snprintf(certificates_csv, sizeof(certificates_csv),
	               "\xEF\xBB\xBFnumber,national_id,issuing_org_code,domain,area,issued_on,"
	               "expires_on,custody\r\n"
	               "K2-0001,%s,k2-prov,城市管理,甲县,2024-01-01,2031-12-31,\r\n"
	               "K2-0002,%s,k2-prov,市场监管,,2024/3/1,2029-02-28,本人保管\r\n"
	               "粤K2-0003,%s,k2-city,\"交通, 运输\",乙区,45292,2030-01-01,unit_hr\r\n",
	               id_a1, id_a1, id_a2);
	/* The HR unit of county a imports; the issuers sit above its scope. */
	test_import_post(&proc, &hr_a, &r, "certificates", "file=certs.csv", certificates_csv, 0);
	if (r.status != 200)
		fail_msg("%d %s", r.status, r.body);
	assert_string_equal(test_json_str(r.json, "kind"), "certificates");
	assert_int_equal(test_json_int(r.json, "rows"), 3);
	assert_int_equal(test_json_int(r.json, "inserted"), 2);
	assert_int_equal(test_json_int(r.json, "updated"), 1);
	assert_int_equal(test_json_int(r.json, "unchanged"), 0);
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate WHERE number = 'K2-0001'"
	                                " AND officer_id = %lld AND expires_on = '2031-12-31'"
	                                " AND area = '甲县' AND status = 'valid' AND version = 2",
	                                officer_a1),
	                 1);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate WHERE number = 'K2-0002'"
	                                " AND officer_id = %lld AND issuing_org_id = %lld AND"
	                                " domain = '市场监管' AND area = '' AND issued_on ="
	                                " '2024-03-01' AND custody = 'officer' AND status ="
	                                " 'valid'",
	                                officer_a1, province),
	                 1);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate WHERE number ="
	                                " '粤K2-0003' AND officer_id = %lld AND domain = '交通,"
	                                " 运输' AND issued_on = '2024-01-01' AND custody ="
	                                " 'unit_hr'",
	                                officer_a2),
	                 1);
	/* Issued certificates have their event, as through the API. */
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM certificate_event e JOIN"
	                                   " certificate c ON c.id = e.certificate_id WHERE"
	                                   " c.number = 'K2-0002' AND e.to_status = 'valid'"),
	                 1);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                   " 'import.certificates'"),
	                 1);
}

static void test_certificates_same_file_again_changes_nothing(void **state)
{
	struct http_result r;
	long long versions = test_db_count(db, "SELECT sum(version) FROM certificate");

	(void)state;
	test_import_post(&proc, &hr_a, &r, "certificates", NULL, certificates_csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "inserted"), 0);
	assert_int_equal(test_json_int(r.json, "updated"), 0);
	assert_int_equal(test_json_int(r.json, "unchanged"), 3);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT sum(version) FROM certificate"), versions);
	/* Without the custody column the stored custody stays. */
	(void)snprintf(certificates_csv, sizeof(certificates_csv),
	               "number,national_id,issuing_org_code,domain,issued_on,expires_on\n"
	               "K2-0002,%s,k2-prov,市场监管,2024/3/1,2029-02-28\n",
	               id_a1);
	test_import_post(&proc, &hr_a, &r, "certificates", NULL, certificates_csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "unchanged"), 1);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM certificate WHERE number ="
	                                   " 'K2-0002' AND custody = 'officer'"),
	                 1);
}

static void test_certificates_bad_rows_are_all_reported_and_nothing_is_written(void **state)
{
	char csv[4096], bad_digit[19], unknown[19];
	struct http_result r;
	long long before, versions;

	(void)state;
	/* A certificate of an officer outside hr_a's scope. */
	test_issue_certificate(&proc, officer_b1, province, "K2-B001", "城市管理");
	before = certificate_count();
	versions = test_db_count(db, "SELECT sum(version) FROM certificate");
	memcpy(bad_digit, id_a2, sizeof(bad_digit));
	bad_digit[17] = bad_digit[17] == '1' ? '2' : '1';
	test_national_id(9650, unknown);
	(void)snprintf(
	        csv, sizeof(csv),
	        "number,national_id,issuing_org_code,domain,area,issued_on,expires_on,custody\n"
	        "N-0001,%s,k2-prov,环保,,2024-01-01,2030-01-01,\n"     /* 2: bad check digit */
	        "N-0002,%s,k2-prov,环保,,2024-01-01,2030-01-01,\n"     /* 3: unknown officer */
	        "N-0003,%s,k2-prov,环保,,2024-01-01,2030-01-01,\n"     /* 4: outside scope */
	        "N-0004,%s,k2-prov,环保,,2024-01-01,2030-01-01,\n"     /* 5: auxiliary */
	        "N-0005,%s,k2-prov,环保,,2024-01-01,2030-01-01,\n"     /* 6: retired */
	        "N-0006,%s,k2-prov,环保,,2024-01-01,2030-01-01,\n"     /* 7: not on post */
	        "N-0007,%s,no-such,环保,,2024-01-01,2030-01-01,\n"     /* 8: unknown issuer */
	        "N-0008,%s,k2-prov,环保,,2024-01-01,2024-01-01,\n"     /* 9: expires = issued */
	        "N-0009,%s,k2-prov,环保,,2024-13-01,2030-01-01,\n"     /* 10: bad date */
	        "-BAD,%s,k2-prov,环保,,2024-01-01,2030-01-01,\n"       /* 11: number form */
	        "N-0011,%s,k2-prov,环保,,2024-01-01,2030-01-01,desk\n" /* 12: custody */
	        "K2-B001,%s,k2-prov,林业,,2024-01-01,2030-01-01,\n"    /* 13: another's */
	        "N-0013,%s,k2-prov,城市管理,,2024-01-01,2030-01-01,\n" /* 14: live in table */
	        "N-0014,%s,k2-prov,水务,,2024-01-01,2030-01-01,\n"     /* 15: fine */
	        "N-0014,%s,k2-prov,渔业,,2024-01-01,2030-01-01,\n"     /* 16: number twice */
	        "N-0016,%s,k2-prov,水务,,2024-01-01,2030-01-01,\n"     /* 17: domain twice */
	        "N-0017,%s,k2-prov\n"                                  /* 18: missing column */
	        "N-0018,%s,k2-prov,,,2024-01-01,2030-01-01,\n"         /* 19: domain required */
	        "N-0019,%s,k2-prov,海关,,1999-12-31,2030-01-01,\n",    /* 20: before 2000 */
	        bad_digit, unknown, id_b1, id_aux, id_retired, id_off_post, id_a2, id_a2, id_a2,
	        id_a2, id_a2, id_a2, id_a1, id_a2, id_a2, id_a2, id_a2, id_a2, id_a2);
	test_import_post(&proc, &hr_a, &r, "certificates", NULL, csv, 0);
	assert_int_equal(r.status, 422);
	assert_true(test_row_error(&r, 2, "national_id", "check_digit"));
	assert_true(test_row_error(&r, 3, "national_id", "unknown"));
	assert_true(test_row_error(&r, 4, "national_id", "unknown"));
	assert_true(test_row_error(&r, 5, "national_id", "auxiliary"));
	assert_true(test_row_error(&r, 6, "national_id", "not_active"));
	assert_true(test_row_error(&r, 7, "national_id", "not_on_post"));
	assert_true(test_row_error(&r, 8, "issuing_org_code", "unknown"));
	assert_true(test_row_error(&r, 9, "expires_on", "before_issue"));
	assert_true(test_row_error(&r, 10, "issued_on", "format"));
	assert_true(test_row_error(&r, 11, "number", "format"));
	assert_true(test_row_error(&r, 12, "custody", "choice"));
	assert_true(test_row_error(&r, 13, "number", "taken"));
	assert_true(test_row_error(&r, 14, "domain", "live_certificate"));
	assert_false(test_row_error(&r, 15, "number", "duplicate"));
	assert_true(test_row_error(&r, 16, "number", "duplicate"));
	assert_true(test_row_error(&r, 17, "domain", "duplicate"));
	assert_true(test_row_error(&r, 18, "-", "missing_column"));
	assert_true(test_row_error(&r, 19, "domain", "required"));
	assert_true(test_row_error(&r, 20, "issued_on", "format"));
	assert_int_equal(test_json_int(r.json, "rows"), 19);
	assert_int_equal(test_json_int(r.json, "rejected"), 18);
	assert_null(strstr(r.body, bad_digit)); /* national IDs masked */
	http_result_clear(&r);
	assert_int_equal(certificate_count(), before);
	assert_int_equal(test_db_count(db, "SELECT sum(version) FROM certificate"), versions);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM certificate WHERE number = 'K2-B001'"
	                                " AND officer_id = %lld AND domain = '城市管理'",
	                                officer_b1),
	                 1);
}

static void test_certificates_through_the_cli(void **state)
{
	char path[600], text[1024];

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/执法证.csv", dir);
	(void)snprintf(text, sizeof(text),
	               "\xEF\xBB\xBF证号,身份证号,发证机关编码,执法类别,执法区域,发证日期,有效期至,"
	               "保管\r\n"
	               "K2-CLI-1,%s,k2-prov,城市管理,甲县,2025/1/2,2030/1/1,本人保管\r\n",
	               id_cli);
	test_write_file(path, text);
	assert_int_equal(test_cli_imported(&proc, dir, "certificates", path), 1);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM certificate WHERE number ="
	                                   " 'K2-CLI-1' AND custody = 'officer' AND area = '甲县'"
	                                   " AND issued_on = '2025-01-02'"),
	                 1);
}

/* ---- organisations ---- */

/* A unified social credit code (GB 32100) from its first 17 characters. */
static void credit_code(const char *first17, char out[19])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
	                                29, 25, 13, 8,  24, 10, 30, 28};
	int sum = 0, i;

	for (i = 0; i < 17; i++)
		sum += (int)(strchr(alphabet, first17[i]) - alphabet) * weights[i];
	memcpy(out, first17, 17);
	out[17] = alphabet[(31 - sum % 31) % 31];
	out[18] = '\0';
}

static long long org_count(void)
{
	return test_db_count(db, "SELECT count(*) FROM org");
}

static char organisations_csv[2048], credit_city[19];

static void test_organisations_children_before_parents_land_in_tree_order(void **state)
{
	struct http_result r;

	(void)state;
	credit_code("11330100MB0000001", credit_city);
	(void)snprintf(organisations_csv, sizeof(organisations_csv),
	               "code,name,kind,parent_code,region_code,credit_code\r\n"
	               "k2o-town,某镇,镇,k2o-county,,\r\n"
	               "k2o-county,某县,county,k2o-city,330102,\r\n"
	               "k2o-city,某市,市,k2-prov,330100,%s\r\n"
	               "k2-b,证乙县（改）,县,k2-city,,\r\n",
	               credit_city);
	test_import_post(&proc, NULL, &r, "organisations", "file=orgs.csv", organisations_csv, 0);
	if (r.status != 200)
		fail_msg("%d %s", r.status, r.body);
	assert_int_equal(test_json_int(r.json, "rows"), 4);
	assert_int_equal(test_json_int(r.json, "inserted"), 3);
	assert_int_equal(test_json_int(r.json, "updated"), 1);
	assert_int_equal(test_json_int(r.json, "unchanged"), 0);
	http_result_clear(&r);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM org t JOIN org c ON c.id ="
	                                " t.parent_id JOIN org y ON y.id = c.parent_id WHERE"
	                                " t.code = 'k2o-town' AND t.kind = 'town' AND c.code ="
	                                " 'k2o-county' AND c.region_code = '330102' AND y.code ="
	                                " 'k2o-city' AND y.credit_code = '%s' AND y.parent_id ="
	                                " %lld AND t.path <@ y.path",
	                                credit_city, province),
	                 1);
	assert_int_equal(test_db_countf(db,
	                                "SELECT count(*) FROM org WHERE id = %lld AND name ="
	                                " '证乙县（改）' AND version = 2",
	                                county_b),
	                 1);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM audit_log WHERE action ="
	                                   " 'import.organisations'"),
	                 1);
}

static void test_organisations_same_file_again_changes_nothing(void **state)
{
	struct http_result r;
	long long versions = test_db_count(db, "SELECT sum(version) FROM org");

	(void)state;
	test_import_post(&proc, NULL, &r, "organisations", NULL, organisations_csv, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_json_int(r.json, "inserted"), 0);
	assert_int_equal(test_json_int(r.json, "updated"), 0);
	assert_int_equal(test_json_int(r.json, "unchanged"), 4);
	http_result_clear(&r);
	assert_int_equal(test_db_count(db, "SELECT sum(version) FROM org"), versions);
}

static void test_organisations_bad_rows_are_all_reported_and_nothing_is_written(void **state)
{
	char csv[4096], bad_credit[19];
	struct http_result r;
	long long before = org_count(),
	          versions = test_db_count(db, "SELECT sum(version) FROM org");

	(void)state;
	memcpy(bad_credit, credit_city, sizeof(bad_credit));
	bad_credit[17] = bad_credit[17] == '0' ? '1' : '0';
	(void)snprintf(csv, sizeof(csv),
	               "code,name,kind,parent_code,region_code,credit_code\n"
	               "b-1,甲,county,no-such,,\n"           /* 2: unknown parent */
	               "b-2,乙,county,b-3,,\n"               /* 3: cycle with 4 */
	               "b-3,丙,county,b-2,,\n"               /* 4: cycle with 3 */
	               "b-4,丁,county,b-4,,\n"               /* 5: its own parent */
	               "b-5,戊,village,,,\n"                 /* 6: unknown kind */
	               "b-6,己,county,,,%s\n"                /* 7: credit check character */
	               "-b7,庚,county,,,\n"                  /* 8: code form */
	               "b-8,辛,county,,99999,\n"             /* 9: region code */
	               "b-9,壬,county\n"                     /* 10: missing column */
	               "b-10,癸,county,,,%s\n"               /* 11: credit code taken */
	               "b-11,好,county,k2-prov,,\n"          /* 12: fine */
	               "b-11,重,county,k2-prov,,\n"          /* 13: code twice */
	               "k2-prov,证省,province,k2o-town,,\n", /* 14: under its own subtree */
	               bad_credit, credit_city);
	test_import_post(&proc, NULL, &r, "organisations", NULL, csv, 0);
	assert_int_equal(r.status, 422);
	assert_true(test_row_error(&r, 2, "parent_code", "unknown"));
	assert_true(test_row_error(&r, 3, "parent_code", "cycle"));
	assert_true(test_row_error(&r, 4, "parent_code", "cycle"));
	assert_true(test_row_error(&r, 5, "parent_code", "cycle"));
	assert_true(test_row_error(&r, 6, "kind", "choice"));
	assert_true(test_row_error(&r, 7, "credit_code", "check_char"));
	assert_true(test_row_error(&r, 8, "code", "format"));
	assert_true(test_row_error(&r, 9, "region_code", "format"));
	assert_true(test_row_error(&r, 10, "-", "missing_column"));
	assert_true(test_row_error(&r, 11, "credit_code", "taken"));
	assert_false(test_row_error(&r, 12, "code", "duplicate"));
	assert_true(test_row_error(&r, 13, "code", "duplicate"));
	assert_true(test_row_error(&r, 14, "parent_code", "cycle"));
	assert_int_equal(test_json_int(r.json, "rows"), 13);
	assert_int_equal(test_json_int(r.json, "rejected"), 12);
	http_result_clear(&r);
	assert_int_equal(org_count(), before);
	assert_int_equal(test_db_count(db, "SELECT sum(version) FROM org"), versions);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM org WHERE code = 'k2-prov'"
	                                   " AND parent_id IS NULL"),
	                 1);
}

static void test_organisations_are_for_the_admin_only(void **state)
{
	struct http_result r;

	(void)state;
	test_import_post(&proc, &hr_a, &r, "organisations", NULL, organisations_csv, 0);
	assert_int_equal(r.status, 403);
	http_result_clear(&r);
}

static void test_organisations_through_the_cli(void **state)
{
	char path[600];

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/单位.csv", dir);
	test_write_file(path, "\xEF\xBB\xBF单位编码,单位名称,单位类别,上级单位编码\r\n"
	                      "k2o-dept,命令行部门,部门,k2o-city\r\n");
	assert_int_equal(test_cli_imported(&proc, dir, "organisations", path), 1);
	assert_int_equal(test_db_count(db, "SELECT count(*) FROM org g JOIN org p ON p.id ="
	                                   " g.parent_id WHERE g.code = 'k2o-dept' AND g.kind ="
	                                   " 'department' AND p.code = 'k2o-city'"),
	                 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_certificates_good_file_inserts_and_updates),
	        cmocka_unit_test(test_certificates_same_file_again_changes_nothing),
	        cmocka_unit_test(
	                test_certificates_bad_rows_are_all_reported_and_nothing_is_written),
	        cmocka_unit_test(test_certificates_through_the_cli),
	        cmocka_unit_test(test_organisations_children_before_parents_land_in_tree_order),
	        cmocka_unit_test(test_organisations_same_file_again_changes_nothing),
	        cmocka_unit_test(
	                test_organisations_bad_rows_are_all_reported_and_nothing_is_written),
	        cmocka_unit_test(test_organisations_are_for_the_admin_only),
	        cmocka_unit_test(test_organisations_through_the_cli),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
