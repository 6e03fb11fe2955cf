-- 009_verification: the public verification of a certificate's QR code
-- (issue 6, doc/qr-token.md): every lookup of a validly signed token is
-- counted per certificate, with the time and the place the scanner chose to
-- share, and the public sees the live status through one SECURITY DEFINER
-- function that returns nothing more personal than the masked name.
-- Runs as the owner role in one transaction; never edit after it was applied.

-- ---------------------------------------------------------------- verifications
-- One row per verification of a valid token that named an existing
-- certificate. No address, no user agent: who scanned is nobody's business.
CREATE TABLE certificate_verification (
	id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	certificate_id bigint NOT NULL
	               CONSTRAINT certificate_verification_certificate_id_fkey REFERENCES certificate (id),
	at             timestamptz NOT NULL DEFAULT now(),
	latitude       numeric(9, 6) CONSTRAINT certificate_verification_latitude_range
	               CHECK (latitude BETWEEN -90 AND 90),
	longitude      numeric(9, 6) CONSTRAINT certificate_verification_longitude_range
	               CHECK (longitude BETWEEN -180 AND 180),
	-- A place is both coordinates or none.
	CONSTRAINT certificate_verification_place_whole CHECK (num_nulls(latitude, longitude) IN (0, 2))
);
CREATE INDEX certificate_verification_certificate ON certificate_verification (certificate_id, at);

-- ---------------------------------------------------------------- the public lookup
-- The certificate a token names, by number AND officer id (a token whose
-- officer no longer matches the number names nothing), as the public may see
-- it: number, live status, masked name, the officer's unit, the issuing
-- authority, domain, area, expiry, and whether this year's training is on
-- track ('met' / 'exempt' true, 'short' / 'at_risk' false, not evaluated
-- NULL). When record is set, one verification is counted (with the place
-- when both coordinates are given). No row when there is no such
-- certificate. The request has no scope, so the scope is widened for the
-- function's own statements and put back before it returns.
CREATE FUNCTION certificate_public_status(cert_number text, cert_officer_id bigint,
                                          lat numeric, lon numeric, record boolean)
RETURNS TABLE (number text, status text, name_masked text, unit text, issuing_org text,
               domain text, area text, expires_on date, training_year integer,
               training_on_track boolean)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept      text[] := training_scope_widen();
	this_year integer := extract(year FROM training_day_of(now()))::integer;
	found_id  bigint;
BEGIN
	SELECT c.id INTO found_id
	  FROM certificate c
	 WHERE c.number = cert_number AND c.officer_id = cert_officer_id;
	IF found_id IS NOT NULL THEN
		IF record THEN
			INSERT INTO certificate_verification (certificate_id, latitude, longitude)
			VALUES (found_id, CASE WHEN lon IS NULL THEN NULL ELSE lat END,
			        CASE WHEN lat IS NULL THEN NULL ELSE lon END);
		END IF;
		RETURN QUERY
		SELECT c.number, c.status, tcard_mask_name(o.name), g.name, i.name, c.domain, c.area,
		       c.expires_on, this_year,
		       CASE s.status WHEN 'met' THEN true WHEN 'exempt' THEN true
		                     WHEN 'short' THEN false WHEN 'at_risk' THEN false END
		  FROM certificate c
		  JOIN officer o ON o.id = c.officer_id
		  JOIN org g ON g.id = o.org_id
		  JOIN org i ON i.id = c.issuing_org_id
		  LEFT JOIN officer_year_status s ON s.officer_id = c.officer_id AND s.year = this_year
		 WHERE c.id = found_id;
	END IF;
	PERFORM training_scope_restore(kept);
END
$$;

-- ---------------------------------------------------------------- row-level security
-- Verifications of the certificates the caller may see; written only by the
-- function above (as the owner), which a policy's subquery need not check.
ALTER TABLE certificate_verification ENABLE ROW LEVEL SECURITY;
ALTER TABLE certificate_verification FORCE ROW LEVEL SECURITY;
CREATE POLICY certificate_verification_in_scope ON certificate_verification FOR SELECT
	USING (EXISTS (SELECT FROM certificate c WHERE c.id = certificate_verification.certificate_id));
CREATE POLICY certificate_verification_insert ON certificate_verification FOR INSERT
	WITH CHECK (true);

GRANT SELECT ON certificate_verification TO tcard_app, tcard_ro;
REVOKE EXECUTE ON FUNCTION certificate_public_status(text, bigint, numeric, numeric, boolean)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION certificate_public_status(text, bigint, numeric, numeric, boolean)
	TO tcard_app;
