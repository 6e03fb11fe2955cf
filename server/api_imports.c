/* api_imports.c — POST /api/v1/imports/{kind} (issue 7, doc/import.md): a CSV
 * body streamed through a CSV parser in C into COPY on a connection of the
 * import's own, validated set-wise in C (check digits, hours, dates, grades)
 * and SQL (officers, sessions, scope, duplicates in the file), merged with
 * INSERT … ON CONFLICT, the officer-years re-evaluated and one audit entry
 * written, all in one transaction. Kinds: attendance, assessments, officers,
 * sessions, certificates, organisations.
 *
 * National IDs never reach the database in clear text: the parser replaces
 * each by its blind index and masked form before the row is copied. Memory is
 * bounded whatever the file size: one record, one COPY batch and at most
 * IMPORT_ERRORS_MAX row errors are held. */
#include "api_imports.h"

#include "api.h"
#include "arena.h"
#include "audit.h"
#include "buf.h"
#include "csv_reader.h"
#include "db.h"
#include "hours_store.h"
#include "log.h"
#include "metrics.h"
#include "pii.h"
#include "request.h"
#include "rules.h"
#include "rules_hours.h"

#include <jansson.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IMPORT_CONCURRENT  2                     /* imports at a time; beyond: 503 */
#define IMPORT_COLUMNS_MAX CSV_READER_FIELDS_MAX /* columns of any kind */
#define IMPORT_COPY_BATCH  (256u * 1024u)
#define IMPORT_ERRORS_MAX  1000 /* row errors kept in the reply; more are counted */
#define IMPORT_FILE_MAX    255

static atomic_int import_running;

enum import_kind {
	IMPORT_ATTENDANCE,
	IMPORT_ASSESSMENTS,
	IMPORT_OFFICERS,
	IMPORT_SESSIONS,
	IMPORT_CERTIFICATES,
	IMPORT_ORGANISATIONS
};

struct import_column {
	const char *name;
	int required;
};

/* Canonical columns, in the order the parser fills values[] (doc/import.md). */
enum {
	ATT_NATIONAL_ID,
	ATT_SESSION_CODE,
	ATT_HOURS,
	ATT_REASON,
	ATT_PLATFORM,
	ATT_RECORD_ID,
	ATT_COMPLETED_AT,
	ATT_COLUMNS
};
enum { ASM_NATIONAL_ID, ASM_YEAR, ASM_GRADE, ASM_NOTE, ASM_COLUMNS };
enum {
	OFF_NATIONAL_ID,
	OFF_NAME,
	OFF_ORG_CODE,
	OFF_KIND,
	OFF_POST,
	OFF_HIRE_DATE,
	OFF_STATUS,
	OFF_STATUS_DATE,
	OFF_ENFORCEMENT_POST,
	OFF_COLUMNS
};
enum {
	SES_CODE,
	SES_TITLE,
	SES_ORG_CODE,
	SES_CATEGORY,
	SES_FORM,
	SES_PLATFORM,
	SES_STARTS_AT,
	SES_ENDS_AT,
	SES_DURATION,
	SES_DECLARED_HOURS,
	SES_COLUMNS
};
enum {
	CER_NUMBER,
	CER_NATIONAL_ID,
	CER_ISSUING_ORG_CODE,
	CER_DOMAIN,
	CER_AREA,
	CER_ISSUED_ON,
	CER_EXPIRES_ON,
	CER_CUSTODY,
	CER_COLUMNS
};
enum {
	ORG_CODE,
	ORG_NAME,
	ORG_KIND,
	ORG_PARENT_CODE,
	ORG_REGION_CODE,
	ORG_CREDIT_CODE,
	ORG_COLUMNS
};

static const struct import_column attendance_columns[ATT_COLUMNS] = {
        {"national_id", 1}, {"session_code", 1}, {"hours", 0},        {"override_reason", 0},
        {"platform", 0},    {"record_id", 0},    {"completed_at", 0},
};
static const struct import_column assessment_columns[ASM_COLUMNS] = {
        {"national_id", 1}, {"year", 1}, {"grade", 1}, {"note", 0}};
static const struct import_column officer_columns[OFF_COLUMNS] = {
        {"national_id", 1}, {"name", 1},        {"org_code", 1},
        {"kind", 0},        {"post", 0},        {"hire_date", 0},
        {"status", 0},      {"status_date", 0}, {"enforcement_post", 0},
};
static const struct import_column session_columns[SES_COLUMNS] = {
        {"code", 1},           {"title", 1},   {"org_code", 1},
        {"category", 1},       {"form", 1},    {"platform", 0},
        {"starts_at", 1},      {"ends_at", 1}, {"duration_minutes", 0},
        {"declared_hours", 0},
};
static const struct import_column organisation_columns[ORG_COLUMNS] = {
        {"code", 1},        {"name", 1},        {"kind", 1},
        {"parent_code", 0}, {"region_code", 0}, {"credit_code", 0},
};
static const struct import_column certificate_columns[CER_COLUMNS] = {
        {"number", 1}, {"national_id", 1}, {"issuing_org_code", 1}, {"domain", 1},
        {"area", 0},   {"issued_on", 1},   {"expires_on", 1},       {"custody", 0},
};

enum import_stmt {
	STAGE_ATTENDANCE,
	COPY_ATTENDANCE,
	CHECK_ATTENDANCE,
	MERGE_ATTENDANCE,
	STAGE_ASSESSMENTS,
	COPY_ASSESSMENTS,
	CHECK_ASSESSMENTS,
	MERGE_ASSESSMENTS,
	STAGE_OFFICERS,
	COPY_OFFICERS,
	CHECK_OFFICERS,
	MERGE_OFFICERS,
	STAGE_SESSIONS,
	COPY_SESSIONS,
	CHECK_SESSIONS,
	MERGE_SESSIONS,
	STAGE_CERTIFICATES,
	COPY_CERTIFICATES,
	CHECK_CERTIFICATES,
	MERGE_CERTIFICATES,
	STAGE_ORGANISATIONS,
	COPY_ORGANISATIONS,
	CHECK_ORGANISATIONS,
	MERGE_ORGANISATIONS,
	IMPORT_STMT_COUNT
};

/* Not prepared on connect: they name the transaction's temporary staging table. */
/* The merge's rows leave no audit entry each (schema 010_import_audit). */
static const struct db_stmt import_bulk_on = {"import_bulk_on",
                                              "SELECT set_config('tcard.bulk', 'import', true)"};
static const struct db_stmt import_analyze = {"import_analyze", "ANALYZE import_staging"};
/* The check and the merge join the whole file with officers and sessions:
 * hash joins, whatever the planner guesses. Row-level security keeps it from
 * the statistics (the scope operator is not leakproof), so it takes a scope
 * of thousands of rows for a handful and nests loops over the whole file. */
static const struct db_stmt import_hash_joins = {
        "import_hash_joins", "SELECT set_config('enable_nestloop', 'off', true)"};
static const struct db_stmt import_bulk_off = {"import_bulk_off",
                                               "SELECT set_config('tcard.bulk', '', true),"
                                               " set_config('enable_nestloop', 'on', true)"};

static const struct db_stmt import_stmts[IMPORT_STMT_COUNT] = {
        [STAGE_ATTENDANCE] =
                {"import_stage_attendance",
                 "CREATE TEMP TABLE import_staging (row_no bigint NOT NULL,"
                 " idx bytea NOT NULL, masked text NOT NULL, session_code text NOT NULL,"
                 " override_units bigint, override_reason text, platform text,"
                 " record_id text, completed_at timestamptz) ON COMMIT DROP",
                 NULL},
        [COPY_ATTENDANCE] =
                {"import_copy_attendance",
                 "COPY import_staging (row_no, idx, masked, session_code, override_units,"
                 " override_reason, platform, record_id, completed_at) FROM STDIN",
                 NULL},
        /* Every bad row the database can tell: officer unknown or out of the
         * caller's scope (row-level security hides it), session unknown or out
         * of scope, the same officer and session twice in the file, a platform
         * record id twice in the file or already kept for another record. */
        [CHECK_ATTENDANCE] =
                {"import_check_attendance",
                 "WITH r AS (SELECT s.row_no, s.masked, s.session_code, o.id AS officer_id,"
                 "  t.id AS session_id FROM import_staging s"
                 "  LEFT JOIN officer o ON o.national_id_index = s.idx"
                 "  LEFT JOIN training_session t ON t.code = s.session_code)"
                 " SELECT row_no, 'national_id', masked, 'unknown',"
                 "  '人员不存在或不在管辖范围内 / unknown officer or outside your scope'"
                 "  FROM r WHERE officer_id IS NULL"
                 " UNION ALL SELECT row_no, 'session_code', session_code, 'unknown',"
                 "  '培训不存在或不在管辖范围内 / unknown training session or outside your scope'"
                 "  FROM r WHERE session_id IS NULL"
                 " UNION ALL SELECT row_no, 'national_id', masked, 'duplicate',"
                 "  '同一人员同一培训在文件中重复 / the same officer and session twice in the file'"
                 "  FROM (SELECT row_no, masked, row_number() OVER (PARTITION BY idx, session_code"
                 "  ORDER BY row_no) AS n FROM import_staging) d WHERE n > 1"
                 " UNION ALL SELECT row_no, 'record_id', record_id, 'duplicate',"
                 "  '平台记录号在文件中重复 / the platform record id twice in the file'"
                 "  FROM (SELECT row_no, record_id, row_number() OVER (PARTITION BY platform,"
                 "  record_id ORDER BY row_no) AS n FROM import_staging"
                 "  WHERE record_id IS NOT NULL) d WHERE n > 1"
                 " UNION ALL SELECT r.row_no, 'record_id', s.record_id, 'taken',"
                 "  '平台记录号已属于另一条登记 / the platform record id belongs to another record'"
                 "  FROM r JOIN import_staging s USING (row_no) JOIN attendance a"
                 "  ON a.source_platform = s.platform AND a.source_record_id = s.record_id"
                 "  WHERE (a.session_id, a.officer_id) IS DISTINCT FROM (r.session_id, "
                 "r.officer_id)"
                 " ORDER BY 1, 2",
                 NULL},
        /* $1 file name, $2 whether the file has the hours column (else an
         * existing override stays). New records carry their derived columns,
         * computed here set-wise and verified by attendance_bulk_verify
         * (schema 012) instead of row by row. Source fields absent from a row keep what
         * the record has; a revoked record stays revoked. Unchanged rows are
         * not touched (no new version, no history, no audit row). */
        [MERGE_ATTENDANCE] =
                {"import_merge_attendance",
                 "WITH m AS (INSERT INTO attendance AS a (session_id, officer_id, override_units,"
                 "  override_reason, source_platform, source_record_id, source_completed_at,"
                 "  source_file, org_path, year, category, platform, credited_units,"
                 "  credited_minutes)"
                 "  SELECT t.id, o.id, s.override_units, s.override_reason, s.platform,"
                 "  s.record_id, s.completed_at, $1, o.org_path, t.year, t.category, t.platform,"
                 "  attendance_credit_units(s.override_units, NULL, t.declared_units),"
                 "  attendance_credit_minutes(s.override_units, NULL, t.declared_units,"
                 "   t.duration_minutes) FROM import_staging s"
                 "  JOIN officer o ON o.national_id_index = s.idx"
                 "  JOIN training_session t ON t.code = s.session_code ORDER BY 1, 2"
                 "  ON CONFLICT (session_id, officer_id) DO UPDATE SET"
                 "  override_units = CASE WHEN $2 THEN EXCLUDED.override_units"
                 "   ELSE a.override_units END,"
                 "  override_reason = CASE WHEN $2 THEN EXCLUDED.override_reason"
                 "   ELSE a.override_reason END,"
                 "  source_platform = coalesce(EXCLUDED.source_platform, a.source_platform),"
                 "  source_record_id = coalesce(EXCLUDED.source_record_id, a.source_record_id),"
                 "  source_completed_at = coalesce(EXCLUDED.source_completed_at,"
                 "   a.source_completed_at),"
                 "  source_file = EXCLUDED.source_file, version = a.version + 1, updated_at = now()"
                 "  WHERE (CASE WHEN $2 THEN EXCLUDED.override_units ELSE a.override_units END,"
                 "   CASE WHEN $2 THEN EXCLUDED.override_reason ELSE a.override_reason END,"
                 "   coalesce(EXCLUDED.source_platform, a.source_platform),"
                 "   coalesce(EXCLUDED.source_record_id, a.source_record_id),"
                 "   coalesce(EXCLUDED.source_completed_at, a.source_completed_at))"
                 "  IS DISTINCT FROM (a.override_units, a.override_reason, a.source_platform,"
                 "   a.source_record_id, a.source_completed_at)"
                 "  RETURNING (xmax = 0) AS inserted)"
                 " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
                 " FROM m",
                 NULL},
        [STAGE_ASSESSMENTS] = {"import_stage_assessments",
                               "CREATE TEMP TABLE import_staging (row_no bigint NOT NULL,"
                               " idx bytea NOT NULL, masked text NOT NULL, year integer NOT NULL,"
                               " grade text NOT NULL, note text) ON COMMIT DROP",
                               NULL},
        [COPY_ASSESSMENTS] = {"import_copy_assessments",
                              "COPY import_staging (row_no, idx, masked, year, grade, note)"
                              " FROM STDIN",
                              NULL},
        [CHECK_ASSESSMENTS] =
                {"import_check_assessments",
                 "SELECT s.row_no, 'national_id', s.masked, 'unknown',"
                 "  '人员不存在或不在管辖范围内 / unknown officer or outside your scope'"
                 "  FROM import_staging s WHERE NOT EXISTS (SELECT FROM officer o"
                 "  WHERE o.national_id_index = s.idx)"
                 " UNION ALL SELECT row_no, 'national_id', masked, 'duplicate',"
                 "  '同一人员同一年度在文件中重复 / the same officer and year twice in the file'"
                 "  FROM (SELECT row_no, masked, row_number() OVER (PARTITION BY idx, year"
                 "  ORDER BY row_no) AS n FROM import_staging) d WHERE n > 1"
                 " ORDER BY 1, 2",
                 NULL},
        /* $1 whether the file has the note column (else an existing note stays). */
        [MERGE_ASSESSMENTS] =
                {"import_merge_assessments",
                 "WITH m AS (INSERT INTO annual_assessment AS a (officer_id, year, grade, note)"
                 "  SELECT o.id, s.year, s.grade, coalesce(s.note, '') FROM import_staging s"
                 "  JOIN officer o ON o.national_id_index = s.idx ORDER BY 1, 2"
                 "  ON CONFLICT (officer_id, year) DO UPDATE SET grade = EXCLUDED.grade,"
                 "  note = CASE WHEN $1 THEN EXCLUDED.note ELSE a.note END,"
                 "  version = a.version + 1, updated_at = now()"
                 "  WHERE (EXCLUDED.grade, CASE WHEN $1 THEN EXCLUDED.note ELSE a.note END)"
                 "  IS DISTINCT FROM (a.grade, a.note)"
                 "  RETURNING (xmax = 0) AS inserted)"
                 " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
                 " FROM m",
                 NULL},
        /* Officers: the national ID sealed, indexed and masked by the parser,
         * gender and birth date derived from it as POST /officers does. */
        [STAGE_OFFICERS] = {"import_stage_officers",
                            "CREATE TEMP TABLE import_staging (row_no bigint NOT NULL,"
                            " idx bytea NOT NULL, sealed bytea NOT NULL, masked text NOT NULL,"
                            " gender text NOT NULL, birth_date date NOT NULL, name text NOT NULL,"
                            " org_code text NOT NULL, kind text, post text, hire_date date,"
                            " status text, status_date date, enforcement_post boolean)"
                            " ON COMMIT DROP",
                            NULL},
        [COPY_OFFICERS] = {"import_copy_officers",
                           "COPY import_staging (row_no, idx, sealed, masked, gender, birth_date,"
                           " name, org_code, kind, post, hire_date, status, status_date,"
                           " enforcement_post) FROM STDIN",
                           NULL},
        /* The unit unknown or outside the caller's scope (row-level security
         * hides it), the same national ID twice in the file. */
        [CHECK_OFFICERS] =
                {"import_check_officers",
                 "SELECT s.row_no, 'org_code', s.org_code, 'unknown',"
                 "  '单位不存在或不在管辖范围内 / unknown organisation or outside your scope'"
                 "  FROM import_staging s WHERE NOT EXISTS (SELECT FROM org g"
                 "  WHERE g.code = s.org_code)"
                 " UNION ALL SELECT row_no, 'national_id', masked, 'duplicate',"
                 "  '同一身份证号在文件中重复 / the same national ID twice in the file'"
                 "  FROM (SELECT row_no, masked, row_number() OVER (PARTITION BY idx"
                 "  ORDER BY row_no) AS n FROM import_staging) d WHERE n > 1"
                 " ORDER BY 1, 2",
                 NULL},
        /* $1 whether the file has the post column, $2 the hire_date column
         * (else the stored values stay). Officers the caller sees are updated
         * when a value differs; the others are inserted as POST /officers
         * would. A national ID registered outside the caller's scope neither
         * updates nor inserts: its rows come back (row_no, masked) after the
         * counts and the import is refused. */
        [MERGE_OFFICERS] =
                {"import_merge_officers",
                 "WITH src AS (SELECT s.*, g.id AS org_id FROM import_staging s"
                 "  JOIN org g ON g.code = s.org_code),"
                 " u AS (UPDATE officer o SET name = src.name, org_id = src.org_id,"
                 "  kind = coalesce(src.kind, o.kind),"
                 "  post = CASE WHEN $1 THEN coalesce(src.post, '') ELSE o.post END,"
                 "  hire_date = CASE WHEN $2 THEN src.hire_date ELSE o.hire_date END,"
                 "  status = coalesce(src.status, o.status),"
                 "  status_date = CASE WHEN src.status_date IS NOT NULL THEN src.status_date"
                 "   WHEN coalesce(src.status, o.status) <> o.status"
                 "   THEN (now() AT TIME ZONE 'Asia/Shanghai')::date ELSE o.status_date END,"
                 "  enforcement_post = coalesce(src.enforcement_post, o.enforcement_post),"
                 "  version = o.version + 1, updated_at = now()"
                 "  FROM src WHERE o.national_id_index = src.idx"
                 "  AND (src.name, src.org_id, coalesce(src.kind, o.kind),"
                 "   CASE WHEN $1 THEN coalesce(src.post, '') ELSE o.post END,"
                 "   CASE WHEN $2 THEN src.hire_date ELSE o.hire_date END,"
                 "   coalesce(src.status, o.status), coalesce(src.status_date, o.status_date),"
                 "   coalesce(src.enforcement_post, o.enforcement_post))"
                 "  IS DISTINCT FROM (o.name, o.org_id, o.kind, o.post, o.hire_date, o.status,"
                 "   o.status_date, o.enforcement_post) RETURNING o.id),"
                 " i AS (INSERT INTO officer (national_id_sealed, national_id_index,"
                 "  national_id_masked, name, gender, birth_date, org_id, kind, post, status,"
                 "  status_date, hire_date, enforcement_post)"
                 "  SELECT sealed, idx, masked, name, gender, birth_date, org_id,"
                 "  coalesce(kind, 'officer'), coalesce(post, ''), coalesce(status, 'active'),"
                 "  coalesce(status_date, (now() AT TIME ZONE 'Asia/Shanghai')::date),"
                 "  hire_date, coalesce(enforcement_post, true) FROM src"
                 "  WHERE NOT EXISTS (SELECT FROM officer o WHERE o.national_id_index = src.idx)"
                 "  ORDER BY row_no ON CONFLICT DO NOTHING RETURNING national_id_index)"
                 " SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM u), x.row_no, x.masked"
                 " FROM (SELECT 1) one LEFT JOIN (SELECT row_no, masked FROM src"
                 "  WHERE NOT EXISTS (SELECT FROM officer o WHERE o.national_id_index = src.idx)"
                 "  AND NOT EXISTS (SELECT FROM i WHERE i.national_id_index = src.idx)) x"
                 " ON true ORDER BY x.row_no",
                 NULL},
        /* Sessions: the times resolved to instants, the duration (the span when
         * the file gives none) and the declared hours checked by the parser. */
        [STAGE_SESSIONS] = {"import_stage_sessions",
                            "CREATE TEMP TABLE import_staging (row_no bigint NOT NULL,"
                            " code text NOT NULL, title text NOT NULL, org_code text NOT NULL,"
                            " category text NOT NULL, form text NOT NULL, platform text,"
                            " starts_at timestamptz NOT NULL, ends_at timestamptz NOT NULL,"
                            " duration_minutes integer NOT NULL, declared_units bigint)"
                            " ON COMMIT DROP",
                            NULL},
        [COPY_SESSIONS] = {"import_copy_sessions",
                           "COPY import_staging (row_no, code, title, org_code, category, form,"
                           " platform, starts_at, ends_at, duration_minutes, declared_units)"
                           " FROM STDIN",
                           NULL},
        /* The organiser unknown or outside the caller's scope, the same code
         * twice in the file, a session the caller reads but may not change
         * (an ancestor unit's). */
        [CHECK_SESSIONS] =
                {"import_check_sessions",
                 "SELECT s.row_no, 'org_code', s.org_code, 'unknown',"
                 "  '单位不存在或不在管辖范围内 / unknown organisation or outside your scope'"
                 "  FROM import_staging s WHERE NOT EXISTS (SELECT FROM org g"
                 "  WHERE g.code = s.org_code)"
                 " UNION ALL SELECT row_no, 'code', code, 'duplicate',"
                 "  '同一培训编号在文件中重复 / the same code twice in the file'"
                 "  FROM (SELECT row_no, code, row_number() OVER (PARTITION BY code"
                 "  ORDER BY row_no) AS n FROM import_staging) d WHERE n > 1"
                 " UNION ALL SELECT s.row_no, 'code', s.code, 'not_yours',"
                 "  '该培训属于上级单位，不能修改 / the session belongs to a unit above yours'"
                 "  FROM import_staging s JOIN training_session t ON t.code = s.code"
                 "  WHERE NOT (t.org_path <@ tcard_scope())"
                 " ORDER BY 1, 2",
                 NULL},
        /* $1 whether the file has the platform column, $2 the declared_hours
         * column (else the stored values stay). Sessions the caller may change
         * are updated when a value differs (their records' hours follow,
         * schema 005), the others inserted as POST /sessions would. A code
         * used outside the caller's scope comes back (row_no, code) after the
         * counts and the import is refused. */
        [MERGE_SESSIONS] =
                {"import_merge_sessions",
                 "WITH src AS (SELECT s.*, g.id AS org_id FROM import_staging s"
                 "  JOIN org g ON g.code = s.org_code),"
                 " u AS (UPDATE training_session t SET title = src.title, org_id = src.org_id,"
                 "  category = src.category, form = src.form,"
                 "  platform = CASE WHEN $1 THEN coalesce(src.platform, '') ELSE t.platform END,"
                 "  starts_at = src.starts_at, ends_at = src.ends_at,"
                 "  duration_minutes = src.duration_minutes,"
                 "  declared_units = CASE WHEN $2 THEN src.declared_units"
                 "   ELSE t.declared_units END,"
                 "  version = t.version + 1, updated_at = now()"
                 "  FROM src WHERE t.code = src.code"
                 "  AND (src.title, src.org_id, src.category, src.form,"
                 "   CASE WHEN $1 THEN coalesce(src.platform, '') ELSE t.platform END,"
                 "   src.starts_at, src.ends_at, src.duration_minutes,"
                 "   CASE WHEN $2 THEN src.declared_units ELSE t.declared_units END)"
                 "  IS DISTINCT FROM (t.title, t.org_id, t.category, t.form, t.platform,"
                 "   t.starts_at, t.ends_at, t.duration_minutes, t.declared_units)"
                 "  RETURNING t.id),"
                 " i AS (INSERT INTO training_session (code, title, org_id, category, form,"
                 "  platform, starts_at, ends_at, duration_minutes, declared_units)"
                 "  SELECT code, title, org_id, category, form, coalesce(platform, ''),"
                 "  starts_at, ends_at, duration_minutes, declared_units FROM src"
                 "  WHERE NOT EXISTS (SELECT FROM training_session t WHERE t.code = src.code)"
                 "  ORDER BY row_no ON CONFLICT DO NOTHING RETURNING code)"
                 " SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM u), x.row_no, x.code"
                 " FROM (SELECT 1) one LEFT JOIN (SELECT row_no, code FROM src"
                 "  WHERE NOT EXISTS (SELECT FROM training_session t WHERE t.code = src.code)"
                 "  AND NOT EXISTS (SELECT FROM i WHERE i.code = src.code)) x"
                 " ON true ORDER BY x.row_no",
                 NULL},
        /* Certificates: the national ID indexed and masked by the parser, the
         * dates and words checked there. */
        [STAGE_CERTIFICATES] = {"import_stage_certificates",
                                "CREATE TEMP TABLE import_staging (row_no bigint NOT NULL,"
                                " number text NOT NULL, idx bytea NOT NULL, masked text NOT NULL,"
                                " issuing_org_code text NOT NULL, domain text NOT NULL,"
                                " area text, issued_on date NOT NULL, expires_on date NOT NULL,"
                                " custody text) ON COMMIT DROP",
                                NULL},
        [COPY_CERTIFICATES] = {"import_copy_certificates",
                               "COPY import_staging (row_no, number, idx, masked,"
                               " issuing_org_code, domain, area, issued_on, expires_on, custody)"
                               " FROM STDIN",
                               NULL},
        /* What the triggers of schema 008 would refuse, row by row: the
         * officer unknown or out of scope, auxiliary, not in post, not on an
         * enforcement post; the issuing authority unknown (looked up anywhere
         * in the tree, schema 011); the number's form, twice in the file, or
         * registered for another officer (in any scope); a second live
         * certificate of the officer in the domain, in the table or the file. */
        [CHECK_CERTIFICATES] =
                {"import_check_certificates",
                 "WITH r AS (SELECT s.*, o.id AS officer_id, o.kind, o.status AS o_status,"
                 "  o.enforcement_post, g.id AS issuer_id, w.officer_id AS owner_id,"
                 "  w.status AS c_status FROM import_staging s"
                 "  LEFT JOIN officer o ON o.national_id_index = s.idx"
                 "  LEFT JOIN tcard_org_ids_by_code(ARRAY(SELECT DISTINCT issuing_org_code"
                 "   FROM import_staging)) g ON g.code = s.issuing_org_code"
                 "  LEFT JOIN tcard_certificate_owners(ARRAY(SELECT number FROM import_staging))"
                 "   w ON w.number = s.number)"
                 " SELECT row_no, 'national_id', masked, 'unknown',"
                 "  '人员不存在或不在管辖范围内 / unknown officer or outside your scope'"
                 "  FROM r WHERE officer_id IS NULL"
                 " UNION ALL SELECT row_no, 'national_id', masked, 'auxiliary',"
                 "  '辅助人员不能持有执法证 / auxiliary staff hold no certificate'"
                 "  FROM r WHERE kind <> 'officer'"
                 " UNION ALL SELECT row_no, 'national_id', masked, 'not_active',"
                 "  '该人员已不在岗 / the officer is no longer in post'"
                 "  FROM r WHERE kind = 'officer' AND o_status <> 'active'"
                 " UNION ALL SELECT row_no, 'national_id', masked, 'not_on_post',"
                 "  '该人员不在执法岗位 / the officer is not on an enforcement post'"
                 "  FROM r WHERE kind = 'officer' AND o_status = 'active'"
                 "  AND NOT enforcement_post"
                 " UNION ALL SELECT row_no, 'issuing_org_code', issuing_org_code, 'unknown',"
                 "  '发证机关不存在 / unknown issuing organisation'"
                 "  FROM r WHERE issuer_id IS NULL"
                 " UNION ALL SELECT row_no, 'number', number, 'format',"
                 "  '证号为 4 至 40 个字母、数字、汉字或 -，不以 - 开头 / the number has 4 to 40"
                 " letters, digits, Chinese characters or -, not starting with -'"
                 "  FROM r WHERE number !~ '^[0-9A-Za-z\\u4e00-\\u9fff][0-9A-Za-z\\u4e00-\\u9fff-]"
                 "{3,39}$'"
                 " UNION ALL SELECT row_no, 'number', number, 'duplicate',"
                 "  '同一证号在文件中重复 / the same number twice in the file'"
                 "  FROM (SELECT row_no, number, row_number() OVER (PARTITION BY number"
                 "  ORDER BY row_no) AS n FROM import_staging) d WHERE n > 1"
                 " UNION ALL SELECT row_no, 'number', number, 'taken',"
                 "  '该证号已属于另一人员 / the number belongs to another officer'"
                 "  FROM r WHERE officer_id IS NOT NULL AND owner_id IS NOT NULL"
                 "  AND owner_id <> officer_id"
                 " UNION ALL SELECT row_no, 'domain', domain, 'live_certificate',"
                 "  '该人员在此执法类别已有有效或暂扣的执法证 / the officer holds a valid or"
                 " suspended certificate in this domain'"
                 "  FROM r WHERE officer_id IS NOT NULL"
                 "  AND coalesce(c_status IN ('valid', 'suspended'), true)"
                 "  AND EXISTS (SELECT FROM certificate c WHERE c.officer_id = r.officer_id"
                 "  AND c.domain = r.domain AND c.status IN ('valid', 'suspended')"
                 "  AND c.number <> r.number)"
                 " UNION ALL SELECT row_no, 'domain', domain, 'duplicate',"
                 "  '同一人员同一执法类别在文件中重复 / the same officer and domain twice in the"
                 " file'"
                 "  FROM (SELECT row_no, domain, row_number() OVER (PARTITION BY idx, domain"
                 "  ORDER BY row_no) AS n FROM import_staging) d WHERE n > 1"
                 " ORDER BY 1, 2",
                 NULL},
        /* $1 whether the file has the area column, $2 the custody column
         * (else the stored values stay). A number of the same officer is
         * updated when a value differs (its status stays); a new number is
         * issued valid. */
        [MERGE_CERTIFICATES] =
                {"import_merge_certificates",
                 "WITH m AS (INSERT INTO certificate AS c (number, officer_id, issuing_org_id,"
                 "  domain, area, issued_on, expires_on, custody)"
                 "  SELECT s.number, o.id, g.id, s.domain, coalesce(s.area, ''), s.issued_on,"
                 "  s.expires_on, coalesce(s.custody, 'unit_hr') FROM import_staging s"
                 "  JOIN officer o ON o.national_id_index = s.idx"
                 "  JOIN tcard_org_ids_by_code(ARRAY(SELECT DISTINCT issuing_org_code"
                 "   FROM import_staging)) g ON g.code = s.issuing_org_code ORDER BY s.row_no"
                 "  ON CONFLICT (number) DO UPDATE SET issuing_org_id = EXCLUDED.issuing_org_id,"
                 "  domain = EXCLUDED.domain,"
                 "  area = CASE WHEN $1 THEN EXCLUDED.area ELSE c.area END,"
                 "  issued_on = EXCLUDED.issued_on, expires_on = EXCLUDED.expires_on,"
                 "  custody = CASE WHEN $2 THEN EXCLUDED.custody ELSE c.custody END,"
                 "  version = c.version + 1, updated_at = now()"
                 "  WHERE c.officer_id = EXCLUDED.officer_id"
                 "  AND (EXCLUDED.issuing_org_id, EXCLUDED.domain,"
                 "   CASE WHEN $1 THEN EXCLUDED.area ELSE c.area END, EXCLUDED.issued_on,"
                 "   EXCLUDED.expires_on, CASE WHEN $2 THEN EXCLUDED.custody ELSE c.custody END)"
                 "  IS DISTINCT FROM (c.issuing_org_id, c.domain, c.area, c.issued_on,"
                 "   c.expires_on, c.custody)"
                 "  RETURNING (xmax = 0) AS inserted)"
                 " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
                 " FROM m",
                 NULL},
        /* Organisations (admin only): codes and words checked by the parser. */
        [STAGE_ORGANISATIONS] = {"import_stage_organisations",
                                 "CREATE TEMP TABLE import_staging (row_no bigint NOT NULL,"
                                 " code text NOT NULL, name text NOT NULL, kind text NOT NULL,"
                                 " parent_code text, region_code text, credit_code text,"
                                 " done boolean NOT NULL DEFAULT false) ON COMMIT DROP",
                                 NULL},
        [COPY_ORGANISATIONS] = {"import_copy_organisations",
                                "COPY import_staging (row_no, code, name, kind, parent_code,"
                                " region_code, credit_code) FROM STDIN",
                                NULL},
        /* The code or credit code twice in the file, a credit code of another
         * organisation, a parent neither in the file nor in the tree, a cycle:
         * the parents as the file leaves them (the file's rows over the
         * tree's), followed up from each row until it comes back to itself. */
        [CHECK_ORGANISATIONS] =
                {"import_check_organisations",
                 "WITH RECURSIVE e AS (SELECT DISTINCT ON (code) code, parent_code AS parent"
                 "  FROM import_staging ORDER BY code, row_no)"
                 " , edge AS (SELECT code, parent FROM e UNION ALL SELECT g.code, p.code"
                 "  FROM org g JOIN org p ON p.id = g.parent_id"
                 "  WHERE NOT EXISTS (SELECT FROM e WHERE e.code = g.code)),"
                 " walk (row_no, start, cur, depth) AS (SELECT row_no, code, parent_code, 1"
                 "  FROM import_staging WHERE parent_code IS NOT NULL"
                 "  UNION ALL SELECT w.row_no, w.start, edge.parent, w.depth + 1 FROM walk w"
                 "  JOIN edge ON edge.code = w.cur WHERE w.cur <> w.start AND w.depth < 200"
                 "  AND edge.parent IS NOT NULL)"
                 " SELECT row_no, 'code', code, 'duplicate',"
                 "  '同一单位编码在文件中重复 / the same code twice in the file'"
                 "  FROM (SELECT row_no, code, row_number() OVER (PARTITION BY code"
                 "  ORDER BY row_no) AS n FROM import_staging) d WHERE n > 1"
                 " UNION ALL SELECT row_no, 'credit_code', credit_code, 'duplicate',"
                 "  '同一统一社会信用代码在文件中重复 / the same credit code twice in the file'"
                 "  FROM (SELECT row_no, credit_code, row_number() OVER (PARTITION BY"
                 "  credit_code ORDER BY row_no) AS n FROM import_staging"
                 "  WHERE credit_code IS NOT NULL) d WHERE n > 1"
                 " UNION ALL SELECT s.row_no, 'credit_code', s.credit_code, 'taken',"
                 "  '统一社会信用代码已属于另一单位 / the credit code belongs to another"
                 " organisation'"
                 "  FROM import_staging s JOIN org g ON g.credit_code = s.credit_code"
                 "  WHERE g.code <> s.code"
                 " UNION ALL SELECT s.row_no, 'parent_code', s.parent_code, 'unknown',"
                 "  '上级单位不存在 / unknown parent organisation'"
                 "  FROM import_staging s WHERE s.parent_code IS NOT NULL"
                 "  AND NOT EXISTS (SELECT FROM org g WHERE g.code = s.parent_code)"
                 "  AND NOT EXISTS (SELECT FROM import_staging q WHERE q.code = s.parent_code)"
                 " UNION ALL SELECT DISTINCT w.row_no, 'parent_code', s.parent_code, 'cycle',"
                 "  '上级关系成环 / the parents form a cycle'"
                 "  FROM walk w JOIN import_staging s USING (row_no) WHERE w.cur = w.start"
                 " ORDER BY 1, 2",
                 NULL},
        /* One level of the tree: the rows whose parent is in the tree and not
         * waiting in the file. $1 whether the file has the parent_code column,
         * $2 region_code, $3 credit_code (else the stored values stay; a new
         * organisation without a parent is top-level). Run until no row is
         * left; returns the level's inserted, updated and rows. */
        [MERGE_ORGANISATIONS] =
                {"import_merge_organisations",
                 "WITH ready AS (SELECT s.* FROM import_staging s WHERE NOT s.done"
                 "  AND NOT EXISTS (SELECT FROM import_staging q WHERE q.code = s.parent_code"
                 "  AND NOT q.done)),"
                 " m AS (INSERT INTO org AS g (code, name, kind, parent_id, region_code,"
                 "  credit_code) SELECT r.code, r.name, r.kind, p.id, r.region_code,"
                 "  r.credit_code FROM ready r LEFT JOIN org p ON p.code = r.parent_code"
                 "  ORDER BY r.row_no"
                 "  ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,"
                 "  parent_id = CASE WHEN $1 THEN EXCLUDED.parent_id ELSE g.parent_id END,"
                 "  region_code = CASE WHEN $2 THEN EXCLUDED.region_code ELSE g.region_code END,"
                 "  credit_code = CASE WHEN $3 THEN EXCLUDED.credit_code ELSE g.credit_code END,"
                 "  version = g.version + 1, updated_at = now()"
                 "  WHERE (EXCLUDED.name, EXCLUDED.kind,"
                 "   CASE WHEN $1 THEN EXCLUDED.parent_id ELSE g.parent_id END,"
                 "   CASE WHEN $2 THEN EXCLUDED.region_code ELSE g.region_code END,"
                 "   CASE WHEN $3 THEN EXCLUDED.credit_code ELSE g.credit_code END)"
                 "  IS DISTINCT FROM (g.name, g.kind, g.parent_id, g.region_code,"
                 "   g.credit_code)"
                 "  RETURNING (xmax = 0) AS inserted),"
                 " d AS (UPDATE import_staging s SET done = true FROM ready"
                 "  WHERE s.row_no = ready.row_no RETURNING 1)"
                 " SELECT (SELECT count(*) FROM m WHERE inserted),"
                 " (SELECT count(*) FROM m WHERE NOT inserted), (SELECT count(*) FROM d)",
                 NULL},
};

/* What differs between the kinds. */
#define IMPORT_OPTIONAL_MAX 3

struct import_kind_spec {
	const char *name;
	const char *action; /* the audit entry's */
	const struct import_column *columns;
	int ncolumns;
	enum import_stmt stage, copy, check, merge;
	int takes_file; /* the merge's $1 is the file name */
	/* Optional columns whose presence the merge takes next, as booleans (an
	 * absent column keeps what a record has); -1 ends the list. */
	int optional[IMPORT_OPTIONAL_MAX];
};

static const struct import_kind_spec import_kinds[] = {
        [IMPORT_ATTENDANCE] = {"attendance",
                               "import.attendance",
                               attendance_columns,
                               ATT_COLUMNS,
                               STAGE_ATTENDANCE,
                               COPY_ATTENDANCE,
                               CHECK_ATTENDANCE,
                               MERGE_ATTENDANCE,
                               1,
                               {ATT_HOURS, -1, -1}},
        [IMPORT_ASSESSMENTS] = {"assessments",
                                "import.assessments",
                                assessment_columns,
                                ASM_COLUMNS,
                                STAGE_ASSESSMENTS,
                                COPY_ASSESSMENTS,
                                CHECK_ASSESSMENTS,
                                MERGE_ASSESSMENTS,
                                0,
                                {ASM_NOTE, -1, -1}},
        [IMPORT_OFFICERS] = {"officers",
                             "import.officers",
                             officer_columns,
                             OFF_COLUMNS,
                             STAGE_OFFICERS,
                             COPY_OFFICERS,
                             CHECK_OFFICERS,
                             MERGE_OFFICERS,
                             0,
                             {OFF_POST, OFF_HIRE_DATE, -1}},
        [IMPORT_SESSIONS] = {"sessions",
                             "import.sessions",
                             session_columns,
                             SES_COLUMNS,
                             STAGE_SESSIONS,
                             COPY_SESSIONS,
                             CHECK_SESSIONS,
                             MERGE_SESSIONS,
                             0,
                             {SES_PLATFORM, SES_DECLARED_HOURS, -1}},
        [IMPORT_CERTIFICATES] = {"certificates",
                                 "import.certificates",
                                 certificate_columns,
                                 CER_COLUMNS,
                                 STAGE_CERTIFICATES,
                                 COPY_CERTIFICATES,
                                 CHECK_CERTIFICATES,
                                 MERGE_CERTIFICATES,
                                 0,
                                 {CER_AREA, CER_CUSTODY, -1}},
        [IMPORT_ORGANISATIONS] = {"organisations",
                                  "import.organisations",
                                  organisation_columns,
                                  ORG_COLUMNS,
                                  STAGE_ORGANISATIONS,
                                  COPY_ORGANISATIONS,
                                  CHECK_ORGANISATIONS,
                                  MERGE_ORGANISATIONS,
                                  0,
                                  {ORG_PARENT_CODE, ORG_REGION_CODE, ORG_CREDIT_CODE}},
};

struct import {
	enum import_kind kind;
	const struct import_column *columns;
	int ncolumns;
	const char *file;
	int dry_run;
	crypto_hash_sha256_state sha;
	int today; /* YYYYMMDD in China */

	/* The CSV reader: one record at a time. */
	struct csv_reader csv;
	struct request *req; /* for the reader's callback */
	long long row;       /* the record's row as a spreadsheet numbers it (header = 1) */
	int header_done;     /* the header was read and COPY started */
	int header_nfields;
	int position[IMPORT_COLUMNS_MAX]; /* file column → canonical column, -1 unknown */
	int present[IMPORT_COLUMNS_MAX];  /* canonical column → file column, -1 absent */

	struct buf copy; /* COPY text waiting to be sent */
	long long rows;  /* data rows */
	long long rejected;
	json_t *row_errors; /* at most IMPORT_ERRORS_MAX */
	long long last_rejected_row;
	int written;   /* committed */
	int slot;      /* holds one of IMPORT_CONCURRENT */
	struct db *db; /* the import's own connection (owned), or NULL */
};

/* ---- text ---- */

/* 1 when bytes are well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int utf8_check_len(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;

	while (p < end) {
		unsigned c = *p++, n, cp, i;

		if (c < 0x80)
			continue;
		if (c >= 0xC2 && c <= 0xDF)
			n = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		if ((size_t)(end - p) < n)
			return 0;
		for (i = 0; i < n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		p += n;
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
	}
	return 1;
}

static int utf8_check(const char *text)
{
	return utf8_check_len(text, strlen(text));
}

/* ---- row errors ---- */

static int import_row_error(struct request *req, struct import *im, long long row,
                            const char *column, const char *value, const char *reason,
                            const char *message)
{
	json_t *item;

	if (row != im->last_rejected_row) {
		im->rejected++;
		im->last_rejected_row = row;
	}
	if (json_array_size(im->row_errors) >= IMPORT_ERRORS_MAX)
		return 0;
	item = json_pack("{s:I, s:s, s:s, s:s, s:s}", "row", (json_int_t)row, "column", column,
	                 "value", value != NULL && utf8_check(value) ? value : "", "reason", reason,
	                 "message", message);
	if (item == NULL || json_array_append_new(im->row_errors, item) != 0)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return 0;
}

/* ---- COPY ---- */

static int import_copy_flush(struct request *req, struct import *im)
{
	PGconn *conn = db_connection(req->db);

	if (im->copy.len == 0)
		return 0;
	if (PQputCopyData(conn, im->copy.data, (int)im->copy.len) != 1)
		return problem_set(&req->problem, PROBLEM_UNAVAILABLE,
		                   "the database connection broke during the import");
	buf_reset(&im->copy);
	return 0;
}

/* Appends one value in COPY's text format (NULL = \N), then a tab or newline. */
static int import_copy_value(struct buf *out, const char *value, int last)
{
	const char *p;
	int rc = 0;

	if (value == NULL)
		rc = buf_append(out, "\\N", 2);
	for (p = value; rc == 0 && p != NULL && *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			rc = buf_append(out, "\\\\", 2);
			break;
		case '\t':
			rc = buf_append(out, "\\t", 2);
			break;
		case '\n':
			rc = buf_append(out, "\\n", 2);
			break;
		case '\r':
			rc = buf_append(out, "\\r", 2);
			break;
		default:
			rc = buf_append(out, p, 1);
		}
	}
	if (rc == 0)
		rc = buf_append(out, last ? "\n" : "\t", 1);
	return rc;
}

static int import_copy_row(struct request *req, struct import *im, const char *const *values,
                           int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (import_copy_value(&im->copy, values[i], i == count - 1) != 0)
			return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (im->copy.len >= IMPORT_COPY_BATCH)
		return import_copy_flush(req, im);
	return 0;
}

/* ---- values ---- */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static long long import_days(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void import_civil(long long z, int *y, int *m, int *d)
{
	long long era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

/* Reads 1..max digits into *out; returns the count read (0 = none). */
static int import_digits(const char **p, int max, int *out)
{
	int n = 0, value = 0;

	while (n < max && **p >= '0' && **p <= '9') {
		value = value * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*out = value;
	return n;
}

static int import_valid_date(int y, int m, int d)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return y >= 1990 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days[m - 1] + (m == 2 && leap);
}

/* completed_at (and a session's times) as doc/import.md takes it, into
 * "YYYY-MM-DD HH:MM:SS±HH:MM" (China time unless the text names an offset) and,
 * when unix is not NULL, seconds since the epoch. 0, or -1. */
static int import_parse_time_unix(const char *text, char out[40], int64_t *unix_seconds)
{
	const char *p = text;
	int y, m, d, hh = 0, mm = 0, ss = 0, oh = 8, om = 0, sign = 1, n;
	char sep;

	/* An Excel serial number: days since 1899-12-30, a fraction of a day. */
	if (strchr(text, '-') == NULL && strchr(text, '/') == NULL) {
		char *end;
		double serial = strtod(text, &end);
		long long days, seconds;

		if (end == text || *end != '\0' || !(serial >= 32874.0 && serial < 73051.0))
			return -1; /* 1990-01-01 … 2099-12-31 */
		days = (long long)serial;
		seconds = (long long)((serial - (double)days) * 86400.0 + 0.5);
		if (seconds >= 86400)
			seconds = 86399;
		import_civil(days + import_days(1899, 12, 30), &y, &m, &d);
		hh = (int)(seconds / 3600);
		mm = (int)(seconds / 60 % 60);
		ss = (int)(seconds % 60);
		goto done;
	}
	n = import_digits(&p, 4, &y);
	if (n != 4 || (*p != '-' && *p != '/'))
		return -1;
	sep = *p++;
	if (import_digits(&p, 2, &m) == 0 || *p++ != sep || import_digits(&p, 2, &d) == 0)
		return -1;
	if (sep == '-' && (p[-1] < '0' || strlen(text) < 10 || text[7] != '-'))
		return -1;
	if (*p == ' ' || *p == 'T' || *p == 't') {
		p++;
		if (import_digits(&p, 2, &hh) == 0 || *p++ != ':' || import_digits(&p, 2, &mm) != 2)
			return -1;
		if (*p == ':' && (p++, import_digits(&p, 2, &ss) != 2))
			return -1;
		if (*p == '.') /* fractions of a second are dropped */
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
		if (sep == '-' && (*p == 'Z' || *p == 'z')) {
			oh = 0;
			p++;
		} else if (sep == '-' && (*p == '+' || *p == '-')) {
			sign = *p++ == '-' ? -1 : 1;
			if (import_digits(&p, 2, &oh) != 2 || *p++ != ':' ||
			    import_digits(&p, 2, &om) != 2 || oh > 14 || om > 59)
				return -1;
		}
	}
	if (*p != '\0' || hh > 23 || mm > 59 || ss > 59)
		return -1;
done:
	if (!import_valid_date(y, m, d))
		return -1;
	if (unix_seconds != NULL)
		*unix_seconds = (int64_t)import_days(y, (unsigned)m, (unsigned)d) * 86400 +
		                hh * 3600 + mm * 60 + ss - sign * (oh * 3600 + om * 60);
	n = snprintf(out, 40, "%04d-%02d-%02d %02d:%02d:%02d%c%02d:%02d", y, m, d, hh, mm, ss,
	             sign < 0 ? '-' : '+', oh, om);
	return n > 0 && n < 40 ? 0 : -1;
}

static int import_parse_time(const char *text, char out[40])
{
	return import_parse_time_unix(text, out, NULL);
}

/* A grade in English or Chinese → the schema's word, or NULL. */
static const char *import_grade(const char *text)
{
	static const char *const words[][2] = {
	        {"excellent", "优秀"}, {"pass", "合格"}, {"basic", "基本合格"}, {"fail", "不合格"}};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(text, words[i][0]) == 0 || strcmp(text, words[i][1]) == 0)
			return words[i][0];
	return NULL;
}

/* Checks a national ID; on success writes its blind index as bytea text and its
 * masked form. Returns 0, or -1 after recording the row error. */
static int import_national_id(struct request *req, struct import *im, const char *text,
                              char index_hex[2 * PII_INDEX_BYTES + 3], char masked[19])
{
	struct national_id parsed;
	unsigned char index[PII_INDEX_BYTES];
	enum rules_id_error error = rules_national_id_parse(text, im->today, &parsed);

	rules_national_id_mask(text, masked);
	if (error != RULES_ID_OK) {
		(void)import_row_error(req, im, im->row, "national_id", masked,
		                       rules_id_error_reason(error), rules_id_error_message(error));
		return -1;
	}
	rules_national_id_mask(parsed.normalized, masked);
	pii_index_national_id(parsed.normalized, index);
	sodium_memzero(&parsed, sizeof(parsed));
	(void)pii_bytea_hex(index, sizeof(index), index_hex);
	return 0;
}

static int import_text_length(struct request *req, struct import *im, const char *column,
                              const char *value, size_t max)
{
	if (value == NULL || strlen(value) <= max) /* bytes ≥ characters */
		return 0;
	(void)import_row_error(req, im, im->row, column, "", "too_long",
	                       "内容过长 / the value is too long");
	return -1;
}

/* One attendance row: checks what C can and copies the row unless it is bad. */
static int import_attendance_row(struct request *req, struct import *im, const char **v)
{
	char row[24], index_hex[2 * PII_INDEX_BYTES + 3], masked[19], units_text[24], when[40];
	const char *values[9];
	int64_t units = 0;
	int bad = 0;
	enum hours_text_error herr;

	bad |= import_national_id(req, im, v[ATT_NATIONAL_ID], index_hex, masked) != 0;
	if (v[ATT_HOURS] != NULL) {
		herr = hours_parse(v[ATT_HOURS], &units);
		if (herr != HOURS_TEXT_OK) {
			(void)import_row_error(req, im, im->row, "hours", v[ATT_HOURS],
			                       hours_text_error_reason(herr),
			                       hours_text_error_message(herr));
			bad = 1;
		} else if (v[ATT_REASON] == NULL) {
			(void)import_row_error(req, im, im->row, "override_reason", "", "required",
			                       "调整学时须说明原因 / an override needs its reason");
			bad = 1;
		}
	} else if (v[ATT_REASON] != NULL) {
		(void)import_row_error(
		        req, im, im->row, "override_reason", v[ATT_REASON], "without_override",
		        "未调整学时，不能填写调整原因 / a reason without an override");
		bad = 1;
	}
	if (v[ATT_RECORD_ID] != NULL && v[ATT_PLATFORM] == NULL) {
		(void)import_row_error(req, im, im->row, "record_id", v[ATT_RECORD_ID],
		                       "needs_platform",
		                       "平台记录号须有学习平台 / a record id needs its platform");
		bad = 1;
	}
	if (v[ATT_COMPLETED_AT] != NULL && import_parse_time(v[ATT_COMPLETED_AT], when) != 0) {
		(void)import_row_error(req, im, im->row, "completed_at", v[ATT_COMPLETED_AT],
		                       "format",
		                       "完成时间格式不对 / not a date and time this import reads");
		bad = 1;
	}
	bad |= import_text_length(req, im, "override_reason", v[ATT_REASON], 500) != 0;
	bad |= import_text_length(req, im, "platform", v[ATT_PLATFORM], 100) != 0;
	bad |= import_text_length(req, im, "record_id", v[ATT_RECORD_ID], 200) != 0;
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	if (bad)
		return 0;
	(void)snprintf(row, sizeof(row), "%lld", im->row);
	(void)snprintf(units_text, sizeof(units_text), "%lld", (long long)units);
	values[0] = row;
	values[1] = index_hex;
	values[2] = masked;
	values[3] = v[ATT_SESSION_CODE];
	values[4] = v[ATT_HOURS] != NULL ? units_text : NULL;
	values[5] = v[ATT_REASON];
	values[6] = v[ATT_PLATFORM];
	values[7] = v[ATT_RECORD_ID];
	values[8] = v[ATT_COMPLETED_AT] != NULL ? when : NULL;
	return import_copy_row(req, im, values, 9);
}

static int import_assessment_row(struct request *req, struct import *im, const char **v)
{
	char row[24], index_hex[2 * PII_INDEX_BYTES + 3], masked[19], year_text[8];
	const char *values[6], *grade = import_grade(v[ASM_GRADE]);
	const char *y = v[ASM_YEAR];
	int bad = 0, year = 0;

	bad |= import_national_id(req, im, v[ASM_NATIONAL_ID], index_hex, masked) != 0;
	if (strlen(y) != 4 || strspn(y, "0123456789") != 4 || (year = atoi(y)) < 2000 ||
	    year > 2099) {
		(void)import_row_error(req, im, im->row, "year", y, "range",
		                       "年度应为 2000 至 2099 / the year is 2000 to 2099");
		bad = 1;
	} else if (year > im->today / 10000) {
		(void)import_row_error(req, im, im->row, "year", y, "future",
		                       "该年度尚未开始 / the year has not begun");
		bad = 1;
	}
	if (grade == NULL) {
		(void)import_row_error(req, im, im->row, "grade", v[ASM_GRADE], "unknown",
		                       "考核等次应为 优秀、合格、基本合格 或 不合格 / the grade is "
		                       "excellent, pass, "
		                       "basic or fail");
		bad = 1;
	}
	bad |= import_text_length(req, im, "note", v[ASM_NOTE], 500) != 0;
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	if (bad)
		return 0;
	(void)snprintf(row, sizeof(row), "%lld", im->row);
	(void)snprintf(year_text, sizeof(year_text), "%d", year);
	values[0] = row;
	values[1] = index_hex;
	values[2] = masked;
	values[3] = year_text;
	values[4] = grade;
	values[5] = v[ASM_NOTE];
	return import_copy_row(req, im, values, 6);
}

/* A date as YYYY-MM-DD, YYYY/M/D or an Excel serial number (days since
 * 1899-12-30), 1950..2099, into "YYYY-MM-DD". 0, or -1. */
static int import_parse_date(const char *text, char out[16])
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *p = text;
	int y, m, d, leap, n;
	char sep;

	if (strspn(text, "0123456789") == strlen(text)) {
		long serial = strtol(text, NULL, 10);

		if (strlen(text) > 5 || serial < 18264 || serial > 73050) /* 1950 … 2099 */
			return -1;
		import_civil(serial + import_days(1899, 12, 30), &y, &m, &d);
	} else {
		if (import_digits(&p, 4, &y) != 4 || (*p != '-' && *p != '/'))
			return -1;
		sep = *p++;
		n = import_digits(&p, 2, &m);
		if (n == 0 || (sep == '-' && n != 2) || *p++ != sep)
			return -1;
		n = import_digits(&p, 2, &d);
		if (n == 0 || (sep == '-' && n != 2) || *p != '\0')
			return -1;
	}
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1950 || y > 2099 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap))
		return -1;
	n = snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
	return n == 10 ? 0 : -1;
}

/* Characters of well-formed UTF-8 text. */
static size_t import_chars(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		n += ((unsigned char)*text & 0xC0) != 0x80;
	return n;
}

static int import_text_chars(struct request *req, struct import *im, const char *column,
                             const char *value, size_t max)
{
	char message[120];

	if (value == NULL || import_chars(value) <= max)
		return 0;
	(void)snprintf(message, sizeof(message), "最多 %zu 个字 / at most %zu characters", max,
	               max);
	(void)import_row_error(req, im, im->row, column, value, "too_long", message);
	return -1;
}

/* A word in English or Chinese → the schema's word; NULL when text is NULL.
 * -1 after recording the row error when text is none of them. */
static int import_choice(struct request *req, struct import *im, const char *column,
                         const char *text, const char *const (*words)[2], size_t count,
                         const char *message, const char **out)
{
	size_t i;

	*out = NULL;
	if (text == NULL)
		return 0;
	for (i = 0; i < count; i++) {
		if (strcasecmp(text, words[i][0]) == 0 || strcmp(text, words[i][1]) == 0) {
			*out = words[i][0];
			return 0;
		}
	}
	(void)import_row_error(req, im, im->row, column, text, "choice", message);
	return -1;
}

/* A date column: format, and not after today. */
static int import_past_date(struct request *req, struct import *im, const char *column,
                            const char *text, char out[16])
{
	char today[16];

	if (text == NULL)
		return 0;
	if (import_parse_date(text, out) != 0) {
		(void)import_row_error(req, im, im->row, column, text, "format",
		                       "日期格式不对 / not a date (YYYY-MM-DD, YYYY/M/D)");
		return -1;
	}
	(void)snprintf(today, sizeof(today), "%04d-%02d-%02d", im->today / 10000,
	               im->today / 100 % 100, im->today % 100);
	if (strcmp(out, today) > 0) {
		(void)import_row_error(req, im, im->row, column, text, "future",
		                       "日期不能晚于今天 / the date is in the future");
		return -1;
	}
	return 0;
}

/* One officer row: the national ID sealed, indexed and masked as POST
 * /api/v1/officers does it, gender and birth date derived from it. */
static int import_officer_row(struct request *req, struct import *im, const char **v)
{
	static const char *const kinds[][2] = {{"officer", "执法人员"}, {"auxiliary", "辅助人员"}};
	static const char *const statuses[][2] = {{"active", "在岗"},
	                                          {"transferred", "调动"},
	                                          {"resigned", "辞职"},
	                                          {"dismissed", "辞退"},
	                                          {"retired", "退休"}};
	static const char *const booleans[][2] = {{"true", "是"}, {"false", "否"}};
	char row[24], index_hex[2 * PII_INDEX_BYTES + 3], sealed_hex[2 * PII_SEALED_ID_BYTES + 3];
	char masked[19], gender[2] = "", birth[16] = "", hire[16], status_date[16];
	unsigned char sealed[PII_SEALED_ID_BYTES], index[PII_INDEX_BYTES];
	const char *values[14], *kind, *status, *on_post;
	struct national_id parsed;
	enum rules_id_error error = rules_national_id_parse(v[OFF_NATIONAL_ID], im->today, &parsed);
	int bad = 0;

	rules_national_id_mask(v[OFF_NATIONAL_ID], masked);
	if (error != RULES_ID_OK) {
		(void)import_row_error(req, im, im->row, "national_id", masked,
		                       rules_id_error_reason(error), rules_id_error_message(error));
		bad = 1;
	} else {
		rules_national_id_mask(parsed.normalized, masked);
		pii_seal_national_id(parsed.normalized, sealed);
		pii_index_national_id(parsed.normalized, index);
		(void)pii_bytea_hex(sealed, sizeof(sealed), sealed_hex);
		(void)pii_bytea_hex(index, sizeof(index), index_hex);
		gender[0] = parsed.gender;
		gender[1] = '\0';
		(void)snprintf(birth, sizeof(birth), "%04d-%02d-%02d", parsed.birth_year,
		               parsed.birth_month, parsed.birth_day);
	}
	sodium_memzero(&parsed, sizeof(parsed));
	bad |= import_text_chars(req, im, "name", v[OFF_NAME], 50) != 0;
	bad |= import_text_length(req, im, "org_code", v[OFF_ORG_CODE], 64) != 0;
	bad |= import_choice(req, im, "kind", v[OFF_KIND], kinds, 2,
	                     "人员类别应为 执法人员 或 辅助人员 / the kind is officer or auxiliary",
	                     &kind) != 0;
	bad |= import_text_chars(req, im, "post", v[OFF_POST], 100) != 0;
	if (v[OFF_HIRE_DATE] != NULL) {
		if (import_past_date(req, im, "hire_date", v[OFF_HIRE_DATE], hire) != 0) {
			bad = 1;
		} else if (birth[0] != '\0' && strcmp(hire, birth) <= 0) {
			(void)import_row_error(
			        req, im, im->row, "hire_date", v[OFF_HIRE_DATE], "before_birth",
			        "入职日期早于出生日期 / the hire date is before the birth date");
			bad = 1;
		}
	}
	bad |= import_choice(req, im, "status", v[OFF_STATUS], statuses, 5,
	                     "状态应为 在岗、调动、辞职、辞退 或 退休 / the status is active, "
	                     "transferred, resigned, dismissed or retired",
	                     &status) != 0;
	bad |= import_past_date(req, im, "status_date", v[OFF_STATUS_DATE], status_date) != 0;
	bad |= import_choice(req, im, "enforcement_post", v[OFF_ENFORCEMENT_POST], booleans, 2,
	                     "执法岗位应为 是 或 否 / enforcement_post is true or false",
	                     &on_post) != 0;
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	if (bad)
		return 0;
	(void)snprintf(row, sizeof(row), "%lld", im->row);
	values[0] = row;
	values[1] = index_hex;
	values[2] = sealed_hex;
	values[3] = masked;
	values[4] = gender;
	values[5] = birth;
	values[6] = v[OFF_NAME];
	values[7] = v[OFF_ORG_CODE];
	values[8] = kind;
	values[9] = v[OFF_POST];
	values[10] = v[OFF_HIRE_DATE] != NULL ? hire : NULL;
	values[11] = status;
	values[12] = v[OFF_STATUS_DATE] != NULL ? status_date : NULL;
	values[13] = on_post;
	return import_copy_row(req, im, values, 14);
}

/* A category or form in English or its Chinese label → the schema's word. */
static const char *import_category(const char *text)
{
	enum hours_category c;

	for (c = 0; c < HOURS_CATEGORY_COUNT; c++)
		if (strcasecmp(text, hours_category_name(c)) == 0 ||
		    strcmp(text, hours_category_label(c)) == 0)
			return hours_category_name(c);
	return NULL;
}

static const char *import_form(const char *text)
{
	enum hours_form f;

	for (f = 0; f < HOURS_FORM_COUNT; f++)
		if (strcasecmp(text, hours_form_name(f)) == 0 ||
		    strcmp(text, hours_form_label(f)) == 0)
			return hours_form_name(f);
	return NULL;
}

/* One session row: the checks of POST /api/v1/sessions (rules_hours.h). */
static int import_session_row(struct request *req, struct import *im, const char **v)
{
	char row[24], starts[40], ends[40], minutes_text[24], units_text[24];
	const char *values[11], *category = import_category(v[SES_CATEGORY]);
	const char *form = import_form(v[SES_FORM]);
	int64_t start = 0, end = 0, minutes = -1, units = 0;
	int bad = 0, has_start, has_end;
	enum hours_session_error serr;
	enum hours_text_error herr;

	bad |= import_text_length(req, im, "code", v[SES_CODE], 64) != 0;
	bad |= import_text_chars(req, im, "title", v[SES_TITLE], 200) != 0;
	bad |= import_text_length(req, im, "org_code", v[SES_ORG_CODE], 64) != 0;
	if (category == NULL) {
		(void)import_row_error(req, im, im->row, "category", v[SES_CATEGORY], "choice",
		                       "类别应为 公共法律知识、业务知识、行政执法技能、政治理论 或 "
		                       "其他 / the category is public_law, business, skills, "
		                       "political or other");
		bad = 1;
	}
	if (form == NULL) {
		(void)import_row_error(req, im, im->row, "form", v[SES_FORM], "choice",
		                       "培训形式无效 / unknown form (doc/import.md)");
		bad = 1;
	}
	if (v[SES_PLATFORM] != NULL && !hours_platform_name_valid(v[SES_PLATFORM])) {
		(void)import_row_error(req, im, im->row, "platform", v[SES_PLATFORM], "format",
		                       "平台名称最多 100 个字符且不含控制字符 / at most 100 "
		                       "characters, no control characters");
		bad = 1;
	}
	has_start = import_parse_time_unix(v[SES_STARTS_AT], starts, &start) == 0;
	has_end = import_parse_time_unix(v[SES_ENDS_AT], ends, &end) == 0;
	if (!has_start)
		(void)import_row_error(req, im, im->row, "starts_at", v[SES_STARTS_AT], "format",
		                       "开始时间格式不对 / not a date and time this import reads");
	if (!has_end)
		(void)import_row_error(req, im, im->row, "ends_at", v[SES_ENDS_AT], "format",
		                       "结束时间格式不对 / not a date and time this import reads");
	bad |= !has_start || !has_end;
	if (has_start && has_end) {
		serr = hours_session_check(start, end);
		if (serr != HOURS_SESSION_OK) {
			(void)import_row_error(
			        req, im, im->row,
			        serr == HOURS_SESSION_RANGE ? "starts_at" : "ends_at",
			        serr == HOURS_SESSION_RANGE ? v[SES_STARTS_AT] : v[SES_ENDS_AT],
			        hours_session_error_reason(serr),
			        hours_session_error_message(serr));
			bad = 1;
		} else {
			minutes = hours_session_minutes(start, end);
		}
	}
	if (v[SES_DURATION] != NULL) {
		const char *d = v[SES_DURATION];
		long value = strspn(d, "0123456789") == strlen(d) && strlen(d) <= 4
		                     ? strtol(d, NULL, 10)
		                     : -1;

		if (value < 1 || value > 1440) {
			(void)import_row_error(
			        req, im, im->row, "duration_minutes", d, "range",
			        "时长应为 1 至 1440 分钟 / the duration is 1 to 1440 "
			        "minutes");
			bad = 1;
		} else if (minutes >= 0 && value > minutes) {
			(void)import_row_error(
			        req, im, im->row, "duration_minutes", d, "exceeds_span",
			        "时长不能超过开始至结束的时间 / the duration exceeds the "
			        "span from start to end");
			bad = 1;
		} else {
			minutes = value;
		}
	}
	if (v[SES_DECLARED_HOURS] != NULL) {
		herr = hours_parse(v[SES_DECLARED_HOURS], &units);
		if (herr != HOURS_TEXT_OK) {
			(void)import_row_error(req, im, im->row, "declared_hours",
			                       v[SES_DECLARED_HOURS], hours_text_error_reason(herr),
			                       hours_text_error_message(herr));
			bad = 1;
		}
	}
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	if (bad)
		return 0;
	(void)snprintf(row, sizeof(row), "%lld", im->row);
	(void)snprintf(minutes_text, sizeof(minutes_text), "%lld", (long long)minutes);
	(void)snprintf(units_text, sizeof(units_text), "%lld", (long long)units);
	values[0] = row;
	values[1] = v[SES_CODE];
	values[2] = v[SES_TITLE];
	values[3] = v[SES_ORG_CODE];
	values[4] = category;
	values[5] = form;
	values[6] = v[SES_PLATFORM];
	values[7] = starts;
	values[8] = ends;
	values[9] = minutes_text;
	values[10] = v[SES_DECLARED_HOURS] != NULL ? units_text : NULL;
	return import_copy_row(req, im, values, 11);
}

/* A text without spaces at either end, of at most max characters (NULL, an
 * empty cell, passes). 0, or -1 after the row error. */
static int import_trimmed(struct request *req, struct import *im, const char *column,
                          const char *value, size_t max)
{
	size_t len;

	if (value == NULL)
		return 0;
	len = strlen(value);
	if (value[0] == ' ' || value[0] == '\t' || value[len - 1] == ' ' ||
	    value[len - 1] == '\t') {
		(void)import_row_error(req, im, im->row, column, value, "format",
		                       "首尾不能有空格 / no spaces at either end");
		return -1;
	}
	return import_text_chars(req, im, column, value, max);
}

/* One certificate row: what C can tell (national ID, dates, words, lengths);
 * the rest is CHECK_CERTIFICATES'. */
static int import_certificate_row(struct request *req, struct import *im, const char **v)
{
	static const char *const custodies[][2] = {{"unit_hr", "单位保管"},
	                                           {"officer", "本人保管"}};
	char row[24], index_hex[2 * PII_INDEX_BYTES + 3], masked[19], issued[16], expires[16];
	const char *values[10], *custody;
	int bad = 0, has_issued = 0, has_expires = 0;

	bad |= import_text_length(req, im, "number", v[CER_NUMBER], 160) != 0;
	bad |= import_national_id(req, im, v[CER_NATIONAL_ID], index_hex, masked) != 0;
	bad |= import_text_length(req, im, "issuing_org_code", v[CER_ISSUING_ORG_CODE], 64) != 0;
	bad |= import_trimmed(req, im, "domain", v[CER_DOMAIN], 100) != 0;
	bad |= import_trimmed(req, im, "area", v[CER_AREA], 100) != 0;
	if (import_parse_date(v[CER_ISSUED_ON], issued) != 0 || strcmp(issued, "2000-01-01") < 0) {
		(void)import_row_error(req, im, im->row, "issued_on", v[CER_ISSUED_ON], "format",
		                       "发证日期应为 2000 年以后的日期 / not a date from 2000 on "
		                       "(YYYY-MM-DD, YYYY/M/D)");
		bad = 1;
	} else {
		has_issued = 1;
	}
	if (import_parse_date(v[CER_EXPIRES_ON], expires) != 0) {
		(void)import_row_error(req, im, im->row, "expires_on", v[CER_EXPIRES_ON], "format",
		                       "日期格式不对 / not a date (YYYY-MM-DD, YYYY/M/D)");
		bad = 1;
	} else {
		has_expires = 1;
	}
	if (has_issued && has_expires && strcmp(expires, issued) <= 0) {
		(void)import_row_error(req, im, im->row, "expires_on", v[CER_EXPIRES_ON],
		                       "before_issue",
		                       "有效期须晚于发证日期 / the certificate expires after it "
		                       "is issued");
		bad = 1;
	}
	bad |= import_choice(req, im, "custody", v[CER_CUSTODY], custodies, 2,
	                     "保管应为 单位保管 或 本人保管 / custody is unit_hr or officer",
	                     &custody) != 0;
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	if (bad)
		return 0;
	(void)snprintf(row, sizeof(row), "%lld", im->row);
	values[0] = row;
	values[1] = v[CER_NUMBER];
	values[2] = index_hex;
	values[3] = masked;
	values[4] = v[CER_ISSUING_ORG_CODE];
	values[5] = v[CER_DOMAIN];
	values[6] = v[CER_AREA];
	values[7] = issued;
	values[8] = expires;
	values[9] = custody;
	return import_copy_row(req, im, values, 10);
}

/* One organisation row: the forms of schema 001 and the credit code's check
 * character (GB 32100); references and cycles are CHECK_ORGANISATIONS'. */
static int import_organisation_row(struct request *req, struct import *im, const char **v)
{
	static const char *const kinds[][2] = {{"province", "省"},
	                                       {"city", "市"},
	                                       {"county", "县"},
	                                       {"town", "镇"},
	                                       {"department", "部门"}};
	static const char code_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                 "0123456789_.-";
	char row[24];
	const char *values[7], *kind;
	const char *codes[2] = {v[ORG_CODE], v[ORG_PARENT_CODE]};
	static const char *const code_columns[2] = {"code", "parent_code"};
	const char *region = v[ORG_REGION_CODE];
	int bad = 0, i;
	enum rules_credit_error cerr;

	for (i = 0; i < 2; i++) {
		const char *c = codes[i];

		if (c != NULL && (strlen(c) > 64 || strspn(c, code_chars) != strlen(c) ||
		                  c[0] == '_' || c[0] == '.' || c[0] == '-')) {
			(void)import_row_error(
			        req, im, im->row, code_columns[i], c, "format",
			        "单位编码为 1 至 64 个字母、数字或 _.-，以字母或数字开头 / "
			        "1 to 64 letters, digits or _.-, starting with a letter "
			        "or digit");
			bad = 1;
		}
	}
	bad |= import_text_chars(req, im, "name", v[ORG_NAME], 100) != 0;
	bad |= import_choice(req, im, "kind", v[ORG_KIND], kinds, 5,
	                     "单位类别应为 省、市、县、镇 或 部门 / the kind is province, city, "
	                     "county, town or department",
	                     &kind) != 0;
	if (region != NULL && (strlen(region) != 6 || strspn(region, "0123456789") != 6 ||
	                       region[0] < '1' || region[0] > '8')) {
		(void)import_row_error(req, im, im->row, "region_code", region, "format",
		                       "行政区划代码为 6 位数字 / the region code has 6 digits");
		bad = 1;
	}
	if (v[ORG_CREDIT_CODE] != NULL &&
	    (cerr = rules_credit_code_check(v[ORG_CREDIT_CODE])) != RULES_CREDIT_OK) {
		(void)import_row_error(req, im, im->row, "credit_code", v[ORG_CREDIT_CODE],
		                       rules_credit_error_reason(cerr),
		                       rules_credit_error_message(cerr));
		bad = 1;
	}
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	if (bad)
		return 0;
	(void)snprintf(row, sizeof(row), "%lld", im->row);
	values[0] = row;
	values[1] = v[ORG_CODE];
	values[2] = v[ORG_NAME];
	values[3] = kind;
	values[4] = v[ORG_PARENT_CODE];
	values[5] = region;
	values[6] = v[ORG_CREDIT_CODE];
	return import_copy_row(req, im, values, 7);
}

/* Merges the organisations level by level (parents before children, in any
 * order in the file): *inserted and *updated summed. 0, or -1. */
static int import_merge_organisations(struct request *req, const char *const *params,
                                      long long *inserted, long long *updated)
{
	const struct db_stmt *merge = &import_stmts[MERGE_ORGANISATIONS];
	PGresult *res;
	long long rows;

	*inserted = 0;
	*updated = 0;
	do {
		res = db_exec_unprepared(req, merge, 3, params);
		if (res == NULL)
			return -1;
		*inserted += strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		*updated += strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		rows = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	} while (rows > 0); /* the check refused cycles and unknown parents */
	return 0;
}

/* ---- the header and the transaction ---- */

/* Checks the header's names against the kind's columns (422 `columns`), then
 * begins the transaction, creates the staging table and starts COPY. */
static int import_header(struct request *req, struct import *im)
{
	const struct db_stmt *stage, *copy;
	PGresult *res;
	char message[200];
	int i, c;

	for (c = 0; c < IMPORT_COLUMNS_MAX; c++)
		im->present[c] = -1;
	if (im->csv.nfields > IMPORT_COLUMNS_MAX || im->csv.too_long)
		problem_field(&req->problem, "columns", "too_many",
		              "列太多 / the header has too many columns");
	for (i = 0; i < im->csv.nfields && i < IMPORT_COLUMNS_MAX && !im->csv.too_long; i++) {
		const char *name = csv_reader_field(&im->csv, i);

		im->position[i] = -1;
		for (c = 0; c < im->ncolumns; c++)
			if (strcmp(name, im->columns[c].name) == 0)
				im->position[i] = c;
		if (im->position[i] < 0) {
			(void)snprintf(message, sizeof(message),
			               "未知列 / unknown column \"%.60s\"",
			               utf8_check(name) ? name : "?");
			problem_field(&req->problem, "columns", "unknown", message);
		} else if (im->present[im->position[i]] >= 0) {
			(void)snprintf(message, sizeof(message), "列重复 / column \"%s\" twice",
			               name);
			problem_field(&req->problem, "columns", "duplicate", message);
		} else {
			im->present[im->position[i]] = i;
		}
	}
	for (c = 0; c < im->ncolumns && !problem_has_fields(&req->problem); c++) {
		if (im->columns[c].required && im->present[c] < 0) {
			(void)snprintf(message, sizeof(message), "缺少列 / missing column \"%s\"",
			               im->columns[c].name);
			problem_field(&req->problem, "columns", "missing", message);
		}
	}
	if (req->problem.type != PROBLEM_NONE) {
		problem_set(&req->problem, req->problem.type,
		            "the header does not name the columns of this kind (doc/import.md)");
		return -1;
	}
	stage = &import_stmts[import_kinds[im->kind].stage];
	copy = &import_stmts[import_kinds[im->kind].copy];
	if (db_begin_dedicated(req) != 0)
		return -1;
	/* COPY waits on the client between chunks: a long upload is one statement. */
	res = PQexec(db_connection(req->db), "SET LOCAL statement_timeout = '30min'");
	i = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!i)
		return problem_set(&req->problem, PROBLEM_UNAVAILABLE,
		                   "the database is unreachable");
	if (db_exec_unprepared(req, stage, 0, NULL) == NULL)
		return -1;
	res = PQexec(db_connection(req->db), copy->sql);
	i = PQresultStatus(res) == PGRES_COPY_IN;
	PQclear(res);
	if (!i)
		return problem_set(&req->problem, PROBLEM_UNAVAILABLE,
		                   "the database did not accept the import");
	im->header_done = 1;
	return 0;
}

/* One data record: its values by canonical column, then the kind's row. */
static int import_record(struct request *req, struct import *im)
{
	const char *values[IMPORT_COLUMNS_MAX] = {NULL};
	char message[120];
	int i, c;

	/* An empty line (a spreadsheet's blank row) is skipped. */
	if (im->csv.nfields == 1 && im->csv.record_len == 1)
		return 0;
	im->rows++;
	if (im->csv.too_long)
		return import_row_error(req, im, im->row, "-", "", "too_long",
		                        "这一行太长 / the row is too long");
	if (im->csv.bad_quote)
		return import_row_error(req, im, im->row, "-", "", "quote",
		                        "引号用法不对 / a quote in the wrong place");
	if (im->csv.nfields != (int)im->header_nfields) {
		(void)snprintf(message, sizeof(message),
		               "应有 %d 列，实有 %d 列 / %d columns expected, %d found",
		               im->header_nfields, im->csv.nfields, im->header_nfields,
		               im->csv.nfields);
		return import_row_error(req, im, im->row, "-", "",
		                        im->csv.nfields < im->header_nfields ? "missing_column"
		                                                             : "extra_column",
		                        message);
	}
	if (!utf8_check_len(im->csv.record, im->csv.record_len))
		return import_row_error(req, im, im->row, "-", "", "encoding",
		                        "不是 UTF-8 编码 / not UTF-8");
	for (i = 0; i < im->csv.nfields; i++) {
		const char *text = csv_reader_field(&im->csv, i);

		c = im->position[i];
		values[c] = text[0] != '\0' ? text : NULL; /* an empty cell is absent */
	}
	for (c = 0; c < im->ncolumns; c++) {
		if (im->columns[c].required && values[c] == NULL) {
			(void)snprintf(message, sizeof(message), "%s 不能为空 / %s is required",
			               im->columns[c].name, im->columns[c].name);
			(void)import_row_error(req, im, im->row, im->columns[c].name, "",
			                       "required", message);
		}
	}
	if (req->problem.type != PROBLEM_NONE)
		return -1;
	if (im->last_rejected_row == im->row)
		return 0;
	switch (im->kind) {
	case IMPORT_ATTENDANCE:
		return import_attendance_row(req, im, values);
	case IMPORT_ASSESSMENTS:
		return import_assessment_row(req, im, values);
	case IMPORT_OFFICERS:
		return import_officer_row(req, im, values);
	case IMPORT_SESSIONS:
		return import_session_row(req, im, values);
	case IMPORT_CERTIFICATES:
		return import_certificate_row(req, im, values);
	case IMPORT_ORGANISATIONS:
		return import_organisation_row(req, im, values);
	}
	return problem_set(&req->problem, PROBLEM_INTERNAL, "unknown import kind");
}

/* One record from the CSV reader: the header first, then the rows. */
static int import_on_record(void *context, const struct csv_reader *csv)
{
	struct import *im = context;

	im->row++;
	if (!im->header_done) {
		im->header_nfields = csv->nfields;
		return import_header(im->req, im);
	}
	return import_record(im->req, im);
}

/* ---- the stream ---- */

static int import_chunk(struct request *req, const char *data, size_t len)
{
	struct import *im = req->stream.state;

	crypto_hash_sha256_update(&im->sha, (const unsigned char *)data, len);
	return csv_reader_feed(&im->csv, data, len);
}

/* Collects the database's row errors in row order after the C ones. */
static int import_check(struct request *req, struct import *im)
{
	const struct db_stmt *stmt = &import_stmts[import_kinds[im->kind].check];
	PGresult *res = db_exec_unprepared(req, stmt, 0, NULL);
	int i;

	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if (import_row_error(req, im, strtoll(PQgetvalue(res, i, 0), NULL, 10),
		                     PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		                     PQgetvalue(res, i, 3), PQgetvalue(res, i, 4)) != 0)
			return -1;
	return 0;
}

static int import_row_order(const void *a, const void *b)
{
	json_int_t ra = json_integer_value(json_object_get(*(json_t *const *)a, "row"));
	json_int_t rb = json_integer_value(json_object_get(*(json_t *const *)b, "row"));

	return (ra > rb) - (ra < rb);
}

/* The 422 reply: problem+json with row_errors, rows and rejected. */
static int import_reply_rejected(struct request *req, struct import *im)
{
	size_t n = json_array_size(im->row_errors), i;
	json_t **items = n > 0 ? calloc(n, sizeof(*items)) : NULL, *sorted = json_array(), *doc;
	struct problem p = {PROBLEM_NONE, "", NULL};
	char field[48], *text;
	long long rejected = 0, last = -1;

	if ((n > 0 && items == NULL) || sorted == NULL) {
		free(items);
		json_decref(sorted);
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	for (i = 0; i < n; i++)
		items[i] = json_array_get(im->row_errors, i);
	qsort(items, n, sizeof(*items), import_row_order);
	for (i = 0; i < n; i++) {
		json_int_t row = json_integer_value(json_object_get(items[i], "row"));

		(void)json_array_append(sorted, items[i]);
		if (row != last)
			rejected++;
		last = row;
		if (i < 20) {
			(void)snprintf(field, sizeof(field), "rows[%lld].%s", (long long)row,
			               json_string_value(json_object_get(items[i], "column")));
			problem_field(&p, field,
			              json_string_value(json_object_get(items[i], "reason")),
			              json_string_value(json_object_get(items[i], "message")));
		}
	}
	free(items);
	if (rejected < im->rejected)
		rejected = im->rejected; /* C and SQL may name the same row; never fewer */
	problem_set(&p, PROBLEM_VALIDATION, "%lld of %lld rows are bad; nothing was imported",
	            rejected, im->rows);
	doc = problem_to_json(&p, req->path, req->id);
	problem_clear(&p);
	if (doc == NULL || json_object_set_new(doc, "row_errors", sorted) != 0) {
		json_decref(doc);
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	}
	(void)json_object_set_new(doc, "rows", json_integer(im->rows));
	(void)json_object_set_new(doc, "rejected", json_integer(rejected));
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (text == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	return request_reply_raw(req, 422, "application/problem+json", text, strlen(text));
}

static int import_finish(struct request *req)
{
	struct import *im = req->stream.state;
	const struct import_kind_spec *spec = &import_kinds[im->kind];
	const struct db_stmt *merge = &import_stmts[spec->merge];
	unsigned char digest[crypto_hash_sha256_BYTES];
	char sha_hex[2 * crypto_hash_sha256_BYTES + 1], present[IMPORT_OPTIONAL_MAX][2];
	const char *params[1 + IMPORT_OPTIONAL_MAX];
	long long inserted, updated;
	PGresult *res;
	json_t *counts;
	int ok, nparams = 0, i;

	if (csv_reader_finish(&im->csv) != 0)
		return -1;
	if (!im->header_done) {
		problem_field(&req->problem, "file", "empty", "文件是空的 / the file is empty");
		return problem_set(&req->problem, PROBLEM_VALIDATION, "the file is empty");
	}
	if (im->rows == 0) {
		problem_field(&req->problem, "file", "no_rows",
		              "文件只有表头，没有数据行 / the file has a header but no rows");
		return problem_set(&req->problem, PROBLEM_VALIDATION, "the file has no rows");
	}
	if (import_copy_flush(req, im) != 0)
		return -1;
	if (PQputCopyEnd(db_connection(req->db), NULL) != 1)
		return problem_set(&req->problem, PROBLEM_UNAVAILABLE,
		                   "the database connection broke during the import");
	res = PQgetResult(db_connection(req->db));
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		log_event(LOG_ERROR, "import_copy_failed", "request_id=%s sqlstate=%s", req->id,
		          PQresultErrorField(res, PG_DIAG_SQLSTATE) != NULL
		                  ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
		                  : "-");
	PQclear(res);
	while ((res = PQgetResult(db_connection(req->db))) != NULL)
		PQclear(res);
	if (!ok)
		return problem_set(&req->problem, PROBLEM_INTERNAL,
		                   "the database refused the rows");
	/* A temporary table has no statistics until analysed: without them the
	 * planner guesses its size and may join the whole file row by row. */
	if (db_exec_unprepared(req, &import_analyze, 0, NULL) == NULL ||
	    db_exec_unprepared(req, &import_hash_joins, 0, NULL) == NULL ||
	    import_check(req, im) != 0)
		return -1;
	if (im->rejected > 0)
		return import_reply_rejected(req, im);

	crypto_hash_sha256_final(&im->sha, digest);
	(void)sodium_bin2hex(sha_hex, sizeof(sha_hex), digest, sizeof(digest));
	if (spec->takes_file)
		params[nparams++] = im->file;
	for (i = 0; i < IMPORT_OPTIONAL_MAX && spec->optional[i] >= 0; i++) {
		present[i][0] = im->present[spec->optional[i]] >= 0 ? 't' : 'f';
		present[i][1] = '\0';
		params[nparams++] = present[i];
	}
	/* One audit entry for the whole import, appended below: the rows the
	 * merge writes leave none of their own (schema 010, tcard.bulk). */
	if (db_exec_unprepared(req, &import_bulk_on, 0, NULL) == NULL)
		return -1;
	if (im->kind == IMPORT_ORGANISATIONS) {
		res = NULL;
		if (import_merge_organisations(req, params, &inserted, &updated) != 0 ||
		    db_exec_unprepared(req, &import_bulk_off, 0, NULL) == NULL)
			return -1;
	} else {
		res = db_exec_unprepared(req, merge, nparams, params);
		if (res == NULL || db_exec_unprepared(req, &import_bulk_off, 0, NULL) == NULL)
			return -1;
		inserted = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		updated = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	}
	/* Officers and sessions: natural keys taken outside the caller's scope
	 * were neither updated nor inserted; the transaction is never committed. */
	for (i = 0; im->kind == IMPORT_OFFICERS && i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 2) &&
		    import_row_error(req, im, strtoll(PQgetvalue(res, i, 2), NULL, 10),
		                     "national_id", PQgetvalue(res, i, 3), "outside_scope",
		                     "该身份证号已在您管辖范围以外的单位登记 / this national ID is "
		                     "registered in a unit outside your scope") != 0)
			return -1;
	for (i = 0; im->kind == IMPORT_SESSIONS && i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 2) &&
		    import_row_error(
		            req, im, strtoll(PQgetvalue(res, i, 2), NULL, 10), "code",
		            PQgetvalue(res, i, 3), "outside_scope",
		            "该培训编号已被您管辖范围以外的单位使用 / this code is used by "
		            "a unit outside your scope") != 0)
			return -1;
	if (im->rejected > 0)
		return import_reply_rejected(req, im);
	counts = json_pack("{s:s, s:b, s:s, s:s?, s:I, s:I, s:I, s:I, s:i}", "kind",
	                   import_kinds[im->kind].name, "dry_run", im->dry_run, "file_sha256",
	                   sha_hex, "file", im->file, "rows", (json_int_t)im->rows, "inserted",
	                   (json_int_t)inserted, "updated", (json_int_t)updated, "unchanged",
	                   (json_int_t)(im->rows - inserted - updated), "rejected", 0);
	if (counts == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (!im->dry_run) {
		/* The triggers marked the officer-years stale; they are evaluated here,
		 * in this transaction, set-wise in batches. */
		if (hours_store_refresh(req) != 0 ||
		    audit_record(req, import_kinds[im->kind].action, "import", NULL,
		                 strcmp(req->principal.scope, "all") != 0 ? req->principal.scope
		                                                          : NULL,
		                 NULL, counts) != 0 ||
		    db_commit(req) != 0) {
			json_decref(counts);
			return -1;
		}
		im->written = 1;
	}
	/* A dry run ends here: the transaction is rolled back when the
	 * connection closes. */
	log_event(LOG_INFO, "import", "request_id=%s kind=%s rows=%lld inserted=%lld dry_run=%d",
	          req->id, import_kinds[im->kind].name, im->rows, inserted, im->dry_run);
	return request_reply_json(req, 200, counts);
}

static void import_release(struct request *req)
{
	struct import *im = req->stream.state;

	if (im == NULL)
		return;
	if (im->slot) /* an import refused with 503 never ran */
		metrics_observe_import(im->rows, im->written);
	/* req->db may still be the worker's connection (auth) if opening failed. */
	if (req->db == im->db)
		req->db = NULL;
	db_close_dedicated(im->db);
	json_decref(im->row_errors);
	buf_release(&im->copy);
	if (im->slot)
		atomic_fetch_sub(&import_running, 1);
	sodium_memzero(im->csv.record, sizeof(im->csv.record));
	free(im);
	req->stream.state = NULL;
}

int api_imports_running(void)
{
	return atomic_load(&import_running);
}

static int import_is_csv(const char *type)
{
	size_t len = strlen("text/csv");

	if (type == NULL || strncasecmp(type, "text/csv", len) != 0)
		return 0;
	type += len;
	while (*type == ' ')
		type++;
	return *type == '\0' || *type == ';';
}

int api_imports_post(struct request *req)
{
	const char *kind = request_param(req, "kind");
	const char *dry_run = request_query(req, "dry_run");
	const char *file = request_query(req, "file");
	struct import *im;
	size_t k;

	for (k = 0; kind != NULL && k < sizeof(import_kinds) / sizeof(import_kinds[0]); k++)
		if (strcmp(kind, import_kinds[k].name) == 0)
			break;
	if (kind == NULL || k == sizeof(import_kinds) / sizeof(import_kinds[0]))
		return problem_set(&req->problem, PROBLEM_NOT_FOUND,
		                   "no import of this kind (attendance, assessments, officers, "
		                   "sessions, certificates, organisations)");
	if (k == IMPORT_ORGANISATIONS && req->principal.role != ROLE_ADMIN)
		return problem_set(&req->problem, PROBLEM_FORBIDDEN,
		                   "只有管理员可导入单位 / only an admin imports organisations");
	if (!import_is_csv(request_header(req, "Content-Type")))
		return problem_set(&req->problem, PROBLEM_MEDIA_TYPE,
		                   "the body must be text/csv; charset=utf-8");
	if (dry_run != NULL && strcmp(dry_run, "true") != 0 && strcmp(dry_run, "false") != 0)
		return problem_field(&req->problem, "dry_run", "choice",
		                     "应为 true 或 false / true or false");
	if (file != NULL && (file[0] == '\0' || strlen(file) > IMPORT_FILE_MAX ||
	                     !utf8_check(file) || strpbrk(file, "/\\") != NULL))
		return problem_field(
		        &req->problem, "file", "format",
		        "文件名应为 1 至 255 个字符，不含路径 / a base name of 1 to 255 "
		        "characters");
	im = calloc(1, sizeof(*im));
	if (im == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	req->stream.state = im;
	req->stream.release = import_release;
	im->row_errors = json_array();
	if (im->row_errors == NULL)
		return problem_set(&req->problem, PROBLEM_INTERNAL, "out of memory");
	if (atomic_fetch_add(&import_running, 1) >= IMPORT_CONCURRENT) {
		atomic_fetch_sub(&import_running, 1);
		(void)request_add_header(req, "Retry-After", "30");
		return problem_set(&req->problem, PROBLEM_UNAVAILABLE,
		                   "%d imports are running; try again later", IMPORT_CONCURRENT);
	}
	im->slot = 1;
	im->kind = (enum import_kind)k;
	im->columns = import_kinds[k].columns;
	im->ncolumns = import_kinds[k].ncolumns;
	im->file = file != NULL ? arena_strdup(req->arena, file) : NULL;
	im->dry_run = dry_run != NULL && strcmp(dry_run, "true") == 0;
	im->today = api_today();
	im->last_rejected_row = -1;
	im->req = req;
	csv_reader_init(&im->csv, import_on_record, im);
	buf_init(&im->copy, 2 * IMPORT_COPY_BATCH);
	crypto_hash_sha256_init(&im->sha);
	/* The worker's shared connection is left alone: COPY spans many callbacks. */
	req->db = NULL;
	if (db_open_dedicated(req) != 0)
		return -1;
	im->db = req->db;
	req->stream.chunk = import_chunk;
	req->stream.finish = import_finish;
	return 0;
}
