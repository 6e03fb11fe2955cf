-- 012_import_attendance_derive: set-wise derived columns for a bulk import of
-- attendance (issue 7). attendance_derive (005) looks up and share-locks the
-- officer and the session of every inserted row; at a million rows that per-row
-- work was three quarters of an import. Under tcard.bulk = 'import' (010) the
-- import's merge now computes the derived columns in its own SELECT, and one
-- statement-level check per INSERT verifies every row against the officer and
-- the session (share-locked first, so a concurrent edit of either cannot slip
-- between the merge and the check) and refuses closed years. A wrong or stale
-- row aborts the whole statement: nothing reaches the table unverified.
-- Outside an import, and for every UPDATE, attendance_derive runs per row as
-- before. Runs as the owner role in one transaction; never edit after it was
-- applied.

DROP TRIGGER attendance_derive ON attendance;
CREATE TRIGGER attendance_derive
	BEFORE UPDATE OF session_id, officer_id, override_units, revoked_at ON attendance
	FOR EACH ROW EXECUTE FUNCTION attendance_derive();
CREATE TRIGGER attendance_derive_insert
	BEFORE INSERT ON attendance
	FOR EACH ROW WHEN (NOT tcard_bulk_import())
	EXECUTE FUNCTION attendance_derive();

-- The rows one bulk INSERT wrote, checked as attendance_derive would have
-- derived them. The officers and sessions are locked FOR SHARE as
-- attendance_derive locks them (a session edit propagates to its records,
-- and would miss these uncommitted ones), in id order so that two imports
-- cannot deadlock on them.
CREATE FUNCTION attendance_bulk_verify() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[];
	bad  record;
BEGIN
	IF NOT tcard_bulk_import() THEN
		RETURN NULL;
	END IF;
	kept := training_scope_widen();
	PERFORM 1 FROM officer
	  WHERE id IN (SELECT DISTINCT officer_id FROM new_rows) ORDER BY id FOR SHARE;
	PERFORM 1 FROM training_session
	  WHERE id IN (SELECT DISTINCT session_id FROM new_rows) ORDER BY id FOR SHARE;
	-- An aggregate, not LIMIT 1: a fast-start plan would join row by row.
	SELECT count(*) AS n, min(n.officer_id) AS officer_id, min(n.session_id) AS session_id
	  INTO bad
	  FROM new_rows n
	  LEFT JOIN officer o ON o.id = n.officer_id
	  LEFT JOIN training_session s ON s.id = n.session_id
	 WHERE o.id IS NULL OR s.id IS NULL
	    OR (n.org_path, n.year, n.category, n.platform, n.credited_units, n.credited_minutes)
	       IS DISTINCT FROM
	       (o.org_path, s.year, s.category, s.platform,
	        attendance_credit_units(n.override_units, n.revoked_at, s.declared_units),
	        attendance_credit_minutes(n.override_units, n.revoked_at, s.declared_units,
	                                  s.duration_minutes));
	IF bad.n > 0 THEN
		-- The officer or the session changed between the merge and this
		-- check (or a caller wrote wrong derived columns). Not 40001: a
		-- streamed import cannot be re-run by the server; the client can.
		RAISE EXCEPTION '导入期间人员或培训被修改，请重新导入 / an officer or a training session '
		                'changed during the import (officer %, session %): import the file again',
			bad.officer_id, bad.session_id
			USING ERRCODE = 'TC409', CONSTRAINT = 'attendance_bulk_derived';
	END IF;
	PERFORM training_refuse_closed_year(k.org_path, k.year)
	   FROM (SELECT DISTINCT org_path, year FROM new_rows) k;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER attendance_bulk_verify AFTER INSERT ON attendance
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION attendance_bulk_verify();
REVOKE EXECUTE ON FUNCTION attendance_bulk_verify() FROM PUBLIC;

-- The import inserts the derived columns it computed; outside an import
-- attendance_derive overwrites whatever a caller gives them.
GRANT INSERT (org_path, year, category, platform, credited_units, credited_minutes)
	ON attendance TO tcard_app;
