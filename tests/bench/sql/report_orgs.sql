-- report_orgs.sql — api_reports.c REPORT_ORG and REPORT_ORGS: the roll-up
-- per child unit of the organisation pid (path ppath) for year.
SELECT path::text FROM org WHERE id = :pid;
SELECT u.id, u.code, u.name, count(*),
       count(*) FILTER (WHERE s.status = 'met'),
       count(*) FILTER (WHERE s.status = 'short'),
       count(*) FILTER (WHERE s.status = 'at_risk'),
       count(*) FILTER (WHERE s.status = 'exempt'),
       coalesce(sum(s.counted_units) FILTER (WHERE s.status <> 'exempt'), 0),
       count(*) FILTER (WHERE s.rotation_records > 0)
  FROM officer_year_status s
  JOIN org u ON u.path = subpath(s.org_path, 0, nlevel(:ppath::ltree) + 1)
 WHERE s.year = :year::int AND s.status IS NOT NULL
   AND s.org_path <@ :ppath::ltree AND nlevel(s.org_path) > nlevel(:ppath::ltree)
 GROUP BY u.id, u.code, u.name ORDER BY u.code;
