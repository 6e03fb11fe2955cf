-- card_records.sql — api_card.c CARD_RECORDS for officer oid in year.
SELECT a.id, a.credited_units, a.credited_minutes, a.override_units IS NOT NULL,
       s.declared_units IS NOT NULL,
       jsonb_build_object('id', a.id, 'override_reason', a.override_reason,
       'revoked', a.revoked_at IS NOT NULL, 'revoked_at', a.revoked_at,
       'revoked_reason', a.revoked_reason, 'source_platform', a.source_platform,
       'source_record_id', a.source_record_id,
       'session', jsonb_build_object('id', s.id, 'code', s.code, 'title', s.title,
       'category', s.category, 'form', s.form, 'platform', s.platform,
       'starts_at', s.starts_at, 'ends_at', s.ends_at, 'duration_minutes', s.duration_minutes,
       'location', s.location, 'organiser', jsonb_build_object('id', s.org_id,
       'name', tcard_org_name(s.org_id))))
  FROM attendance a JOIN training_session s ON s.id = a.session_id
 WHERE a.officer_id = :oid AND a.year = :year
 ORDER BY s.starts_at, a.id;
