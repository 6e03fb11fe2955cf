-- register.sql — api_attendance.c ATTENDANCE_REGISTER for officer oid on
-- session sid. The officer list is built in SQL (pgbench has no string
-- variables) where tcardd passes it as JSON text.
WITH wanted AS (SELECT w.pos, w.officer_id, decode(w.idx, 'hex') AS idx
  FROM jsonb_to_recordset(jsonb_build_array(jsonb_build_object('pos', 0,
       'officer_id', :oid::bigint))) AS w (pos integer, officer_id bigint, idx text)),
 found AS (SELECT w.pos, coalesce(a.id, b.id) AS officer_id FROM wanted w
  LEFT JOIN officer a ON a.id = w.officer_id
  LEFT JOIN officer b ON b.national_id_index = w.idx),
 added AS (INSERT INTO attendance (session_id, officer_id, override_units, override_reason)
  SELECT DISTINCT :sid::bigint, f.officer_id, NULL::bigint, NULL::text FROM found f
  WHERE NOT EXISTS (SELECT FROM found WHERE officer_id IS NULL) ORDER BY 2
  ON CONFLICT (session_id, officer_id) DO NOTHING RETURNING id, officer_id)
SELECT jsonb_build_object(
 'unknown', coalesce((SELECT jsonb_agg(pos ORDER BY pos) FROM found
  WHERE officer_id IS NULL), '[]'),
 'created', coalesce((SELECT jsonb_agg(jsonb_build_object('id', id,
  'officer_id', officer_id) ORDER BY officer_id) FROM added), '[]'),
 'existing', coalesce((SELECT jsonb_agg(jsonb_build_object('id', r.id,
  'officer_id', d.officer_id) ORDER BY d.officer_id)
  FROM (SELECT DISTINCT officer_id FROM found WHERE officer_id IS NOT NULL) d
  LEFT JOIN attendance r ON r.session_id = :sid::bigint
   AND r.officer_id = d.officer_id
  WHERE NOT EXISTS (SELECT FROM found WHERE officer_id IS NULL)
  AND d.officer_id NOT IN (SELECT officer_id FROM added)), '[]'));
