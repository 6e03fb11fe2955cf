-- verify_lookup.sql — api_verify.c VERIFY_LOOKUP: a valid token's certificate,
-- by number and officer id, counting the verification (no place shared).
SELECT number, status, name_masked, unit, issuing_org, domain, area, expires_on, training_year,
       training_on_track
  FROM certificate_public_status(:number, :officer::bigint, NULL::numeric, NULL::numeric,
                                 true::boolean);
