-- load.sql — loads bench_province_gen's CSV files (tests/bench/README.md) into
-- tcardd's database, set-wise: COPY into staging tables, then one INSERT …
-- SELECT per table (per tree level for orgs), so that the statement-level
-- triggers keep the derived tables (totals, stale officer-years) in one go.
-- Run by province_load.c as the superuser in the directory of the files:
--   psql -X -v ON_ERROR_STOP=1 CONNINFO -f load.sql
-- Under tcard.bulk = 'import' (schema 010, 012) as an import is: no audit
-- entry per row, attendance's derived columns computed here and verified
-- by attendance_bulk_verify.
\timing on
BEGIN;
SELECT set_config('tcard.scope', 'all', true), set_config('tcard.actor', 'bench', true),
       set_config('tcard.bulk', 'import', true);

CREATE TEMP TABLE s_org (seq int, code text, name text, kind text, parent_code text, level int)
	ON COMMIT DROP;
\copy s_org FROM 'orgs.csv' csv
INSERT INTO org (code, name, kind, parent_id)
SELECT s.code, s.name, s.kind, p.id FROM s_org s LEFT JOIN org p ON p.code = s.parent_code
 WHERE s.level = 0 ORDER BY s.seq;
INSERT INTO org (code, name, kind, parent_id)
SELECT s.code, s.name, s.kind, p.id FROM s_org s JOIN org p ON p.code = s.parent_code
 WHERE s.level = 1 ORDER BY s.seq;
INSERT INTO org (code, name, kind, parent_id)
SELECT s.code, s.name, s.kind, p.id FROM s_org s JOIN org p ON p.code = s.parent_code
 WHERE s.level = 2 ORDER BY s.seq;
INSERT INTO org (code, name, kind, parent_id)
SELECT s.code, s.name, s.kind, p.id FROM s_org s JOIN org p ON p.code = s.parent_code
 WHERE s.level = 3 ORDER BY s.seq;

CREATE TEMP TABLE s_officer (seq int, sealed bytea, idx bytea, masked text, name text,
                             gender text, birth_date date, org_code text, kind text, post text,
                             status text, status_date date, hire_date date,
                             enforcement_post boolean) ON COMMIT DROP;
\copy s_officer FROM 'officers.csv' csv
INSERT INTO officer (national_id_sealed, national_id_index, national_id_masked, name, gender,
                     birth_date, org_id, kind, post, status, status_date, hire_date,
                     enforcement_post)
SELECT s.sealed, s.idx, s.masked, s.name, s.gender, s.birth_date, g.id, s.kind, s.post, s.status,
       s.status_date, s.hire_date, s.enforcement_post
  FROM s_officer s JOIN org g ON g.code = s.org_code ORDER BY s.seq;
CREATE TEMP TABLE m_officer ON COMMIT DROP AS
SELECT s.seq, o.id FROM s_officer s JOIN officer o ON o.national_id_index = s.idx;
ALTER TABLE m_officer ADD PRIMARY KEY (seq);

CREATE TEMP TABLE s_session (seq int, code text, title text, org_code text, category text,
                             form text, platform text, starts_at timestamptz,
                             ends_at timestamptz, duration_minutes int, declared_units bigint)
	ON COMMIT DROP;
\copy s_session FROM 'sessions.csv' csv
INSERT INTO training_session (code, title, org_id, category, form, platform, starts_at, ends_at,
                              duration_minutes, declared_units)
SELECT s.code, s.title, g.id, s.category, s.form, coalesce(s.platform, ''), s.starts_at, s.ends_at,
       s.duration_minutes, s.declared_units
  FROM s_session s JOIN org g ON g.code = s.org_code ORDER BY s.seq;
CREATE TEMP TABLE m_session ON COMMIT DROP AS
SELECT s.seq, t.id FROM s_session s JOIN training_session t ON t.code = s.code;
ALTER TABLE m_session ADD PRIMARY KEY (seq);
ANALYZE m_officer, m_session;

-- One statement: the derived columns as attendance_derive would set them.
-- Hash joins, as tcardd's import runs (api_imports.c): row-level security
-- hides the statistics of the scope filter from the planner, which then
-- expects one officer where there are thousands and loops over new_rows per
-- officer in attendance_bulk_verify (18 s of a 20 s load at 10,000 officers).
SET LOCAL enable_nestloop = off;
CREATE TEMP TABLE s_attendance (officer_seq int, session_seq int) ON COMMIT DROP;
\copy s_attendance FROM 'attendance.csv' csv
ANALYZE s_attendance;
INSERT INTO attendance (session_id, officer_id, org_path, year, category, platform,
                        credited_units, credited_minutes)
SELECT t.id, o.id, o.org_path, t.year, t.category, t.platform,
       attendance_credit_units(NULL, NULL, t.declared_units),
       attendance_credit_minutes(NULL, NULL, t.declared_units, t.duration_minutes)
  FROM s_attendance a
  JOIN m_officer mo ON mo.seq = a.officer_seq JOIN officer o ON o.id = mo.id
  JOIN m_session ms ON ms.seq = a.session_seq JOIN training_session t ON t.id = ms.id
 ORDER BY t.id, o.id;

-- Certificates for officers on an enforcement post (one in 23 without),
-- issued by the province within the last six years.
INSERT INTO certificate (number, officer_id, issuing_org_id, domain, issued_on, expires_on)
SELECT format('PB-%s', lpad(o.id::text, 8, '0')), o.id,
       (SELECT id FROM org WHERE code = 'PB'), o.post, i.issued,
       (i.issued + interval '6 years')::date
  FROM officer o
 CROSS JOIN LATERAL (SELECT greatest(o.hire_date, date '2020-01-01') + (o.id % 300)::int
                     AS issued) i
 WHERE o.kind = 'officer' AND o.enforcement_post AND o.status = 'active' AND o.id % 23 <> 0
 ORDER BY o.id;
COMMIT;
ANALYZE;
