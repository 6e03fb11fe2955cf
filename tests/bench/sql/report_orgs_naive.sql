-- report_orgs_naive.sql — officers and how many met 60 h per child unit of
-- ppath, aggregated from raw attendance (hours as report_page_naive.sql).
SELECT unit, count(*), count(*) FILTER (WHERE hours >= 2160000), sum(hours)
  FROM (SELECT subpath(a.org_path, 0, nlevel(:ppath::ltree) + 1) AS unit, a.officer_id,
               sum(a.credited_units + a.credited_minutes * 800) AS hours
          FROM attendance a
         WHERE a.year = :year::int AND a.org_path <@ :ppath::ltree
           AND nlevel(a.org_path) > nlevel(:ppath::ltree)
           AND a.category IN ('public_law', 'business', 'skills')
         GROUP BY 1, 2) o
 GROUP BY unit ORDER BY unit;
