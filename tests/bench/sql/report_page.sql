-- report_page.sql — api_reports.c REPORT_PAGE: the first page (no cursor, no
-- status filter), 50 rows, of the subtree at scope, worst first.
SELECT s.officer_id, s.required_units - s.counted_units, s.counted_units, s.required_units,
       s.status, jsonb_build_object('id', o.id, 'name', o.name,
       'national_id_masked', o.national_id_masked, 'kind', o.kind, 'post', o.post,
       'status', o.status, 'org', jsonb_build_object('id', g.id, 'code', g.code,
       'name', g.name)), s.shortfalls
  FROM officer_year_status s JOIN officer o ON o.id = s.officer_id
  JOIN org g ON g.id = o.org_id
 WHERE s.year = :year::int AND s.status IS NOT NULL AND s.org_path <@ :scope::ltree
   AND (NULL::text IS NULL OR s.status = NULL::text)
   AND (NULL::bigint IS NULL OR (s.required_units - s.counted_units, -s.officer_id) <
        (NULL::bigint, -NULL::bigint))
 ORDER BY s.required_units - s.counted_units DESC, s.officer_id LIMIT 50;
