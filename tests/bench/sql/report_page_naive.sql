-- report_page_naive.sql — the 50 officers of scope furthest from 60 h,
-- aggregated from raw attendance instead (the baseline policy: public_law,
-- business and skills count; untimed minutes at 45 an hour, 800 units each).
SELECT a.officer_id, 2160000 - sum(a.credited_units + a.credited_minutes * 800) AS missing
  FROM attendance a
 WHERE a.year = :year::int AND a.org_path <@ :scope::ltree
   AND a.category IN ('public_law', 'business', 'skills')
 GROUP BY a.officer_id ORDER BY missing DESC, a.officer_id LIMIT 50;
