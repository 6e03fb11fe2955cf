-- 014_scope_estimates: row-level security the planner can estimate (issue 9).
-- A policy's predicate is part of every scoped query, and the planner guessed
-- its selectivity blind: (a) ltree's <@ is not LEAKPROOF, so under row-level
-- security the planner may not look at the column's statistics and takes 1 %
-- (the embedded cluster's superuser marks ltree_isparent/ltree_risparent
-- LEAKPROOF — they raise no error, so they leak nothing — see pgembed.c and
-- the README for an external server); (b) "tcard_officer() IS NULL OR
-- officer_id = tcard_officer()" is guessed at 0.5 % whatever the setting, as
-- a NULL test of an expression. Guesses of a handful of rows for whole
-- provinces made the planner nest loops over them. The officer condition is
-- now a range over the id, which the planner folds with the setting and reads
-- from the histogram: every id for staff (no officer set), one for an officer.
-- Same rows as before for every caller. Runs as the owner role in one
-- transaction; never edit after it was applied.

CREATE FUNCTION tcard_officer_low() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(tcard_officer(), 0) $$;
CREATE FUNCTION tcard_officer_high() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(tcard_officer(), 9223372036854775807) $$;
GRANT EXECUTE ON FUNCTION tcard_officer_low(), tcard_officer_high() TO tcard_app, tcard_ro;

DROP POLICY officer_in_scope ON officer;
CREATE POLICY officer_in_scope ON officer
	USING (org_path <@ tcard_scope() AND id BETWEEN tcard_officer_low() AND tcard_officer_high())
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

DROP POLICY attendance_in_scope ON attendance;
CREATE POLICY attendance_in_scope ON attendance
	USING (org_path <@ tcard_scope()
	       AND officer_id BETWEEN tcard_officer_low() AND tcard_officer_high())
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

DROP POLICY hours_exemption_in_scope ON hours_exemption;
CREATE POLICY hours_exemption_in_scope ON hours_exemption
	USING (org_path <@ tcard_scope()
	       AND officer_id BETWEEN tcard_officer_low() AND tcard_officer_high())
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

DROP POLICY officer_year_status_in_scope ON officer_year_status;
CREATE POLICY officer_year_status_in_scope ON officer_year_status
	USING (org_path <@ tcard_scope()
	       AND officer_id BETWEEN tcard_officer_low() AND tcard_officer_high())
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

DROP POLICY certificate_in_scope ON certificate;
CREATE POLICY certificate_in_scope ON certificate
	USING (org_path <@ tcard_scope()
	       AND officer_id BETWEEN tcard_officer_low() AND tcard_officer_high())
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

DROP POLICY annual_assessment_in_scope ON annual_assessment;
CREATE POLICY annual_assessment_in_scope ON annual_assessment
	USING (org_path <@ tcard_scope()
	       AND officer_id BETWEEN tcard_officer_low() AND tcard_officer_high())
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

DROP POLICY withdrawal_flag_in_scope ON withdrawal_flag;
CREATE POLICY withdrawal_flag_in_scope ON withdrawal_flag
	USING (org_path <@ tcard_scope()
	       AND officer_id BETWEEN tcard_officer_low() AND tcard_officer_high())
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);
