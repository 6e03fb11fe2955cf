-- 015_rotation_count: the per-unit roll-up's 全员轮训 count (issue 9, benchmark
-- 4b) probed attendance once per officer-year, re-aggregating raw records on
-- every request (minutes at a province's million officers). Instead
-- officer_year_status.rotation_records keeps, per officer and year, how many
-- records count (not revoked) on a session of form 'rotation': the roll-up is
-- one pass over officer_year_status. Kept exact in the writing transaction by
-- statement-level triggers, like officer_year_total (005): the net change of
-- one statement on attendance is one aggregate and one upsert in key order
-- (the status row is inserted when missing, as officer_year_mark_stale does);
-- a session whose form changes to or from 'rotation' moves its records'
-- counts. Not an input of the evaluation: it neither marks rows stale nor
-- bumps generation. Runs as the owner role in one transaction; never edit
-- after it was applied.

-- Constant default: no table rewrite. No CHECK (rotation_records >= 0): an
-- upsert's proposed row is a delta and checked before its conflict is found;
-- the triggers check the sums they leave instead.
ALTER TABLE officer_year_status ADD COLUMN rotation_records bigint NOT NULL DEFAULT 0;

-- The counts from scratch, straight from the raw rows (the session's year and
-- form, not attendance's derived columns): what rotation_records must equal
-- at every statement's end, 0 where an officer-year has no row here.
CREATE VIEW officer_year_rotation_recomputed WITH (security_invoker = true) AS
SELECT a.officer_id, s.year, count(*)::bigint AS records
  FROM attendance a
  JOIN training_session s ON s.id = a.session_id
 WHERE a.revoked_at IS NULL AND s.form = 'rotation'
 GROUP BY a.officer_id, s.year;

-- Where the stored counts differ from the recomputation (empty when healthy).
CREATE VIEW officer_year_rotation_drift WITH (security_invoker = true) AS
SELECT officer_id, year, coalesce(x.rotation_records, 0) AS stored_records,
       coalesce(r.records, 0) AS recomputed_records
  FROM (SELECT officer_id, year, rotation_records FROM officer_year_status
         WHERE rotation_records <> 0) x
  FULL JOIN officer_year_rotation_recomputed r USING (officer_id, year)
 WHERE coalesce(x.rotation_records, 0) <> coalesce(r.records, 0);

-- Adds deltas[i] to the count of (officers[i], years[i]), inserting the
-- status rows that are missing (stale, as officer_year_mark_stale would);
-- keys in order. Owner only, under the widened scope.
CREATE FUNCTION officer_year_rotation_add(officers bigint[], years integer[], deltas bigint[])
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
	negative boolean;
BEGIN
	WITH applied AS (
		INSERT INTO officer_year_status AS s (officer_id, year, org_path, rotation_records)
		SELECT d.officer_id, d.year, o.org_path, d.delta
		  FROM unnest(officers, years, deltas) AS d (officer_id, year, delta)
		  JOIN officer o ON o.id = d.officer_id
		 ORDER BY 1, 2
		ON CONFLICT (officer_id, year) DO UPDATE
		   SET rotation_records = s.rotation_records + EXCLUDED.rotation_records
		RETURNING s.rotation_records)
	SELECT bool_or(rotation_records < 0) INTO negative FROM applied;
	IF negative THEN
		RAISE EXCEPTION 'rotation counts would become negative: officer_year_status.rotation_records has drifted'
			USING ERRCODE = '23514', CONSTRAINT = 'officer_year_status_rotation_nonnegative',
			      HINT = 'SELECT officer_year_rotation_repair() as the owner';
	END IF;
END
$$;

-- Applies the net change of one statement on attendance: +1 per new row that
-- counts on a rotation session, -1 per old one, per (officer, year). The
-- sessions' forms are read as they are now: a form changed earlier in the
-- transaction was carried by training_session_form_rotation already. Fires
-- after attendance_bulk_verify (trigger names sort), which share-locks the
-- sessions of an import, so a concurrent form change commits either before
-- this reads the form or after this transaction (and then sees its records).
CREATE FUNCTION attendance_rotation_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept      text[] := training_scope_widen();
	sessions  text;
	changes   text;
	rotation  bigint[];
	d_officer bigint[];
	d_year    integer[];
	d_delta   bigint[];
BEGIN
	sessions := CASE TG_OP
		WHEN 'INSERT' THEN 'SELECT session_id FROM new_rows WHERE revoked_at IS NULL'
		WHEN 'DELETE' THEN 'SELECT session_id FROM old_rows WHERE revoked_at IS NULL'
		ELSE 'SELECT session_id FROM new_rows WHERE revoked_at IS NULL UNION'
		     ' SELECT session_id FROM old_rows WHERE revoked_at IS NULL' END;
	-- Most statements touch no rotation session: one look per distinct session.
	EXECUTE format('SELECT array_agg(t.id ORDER BY t.id) FROM training_session t'
	               ' WHERE t.id IN (%s) AND t.form = ''rotation''', sessions)
		INTO rotation;
	IF rotation IS NOT NULL THEN
		changes := CASE TG_OP
			WHEN 'INSERT' THEN 'SELECT officer_id, year, 1 AS delta FROM new_rows'
			                   ' WHERE revoked_at IS NULL AND session_id = ANY ($1)'
			WHEN 'DELETE' THEN 'SELECT officer_id, year, -1 AS delta FROM old_rows'
			                   ' WHERE revoked_at IS NULL AND session_id = ANY ($1)'
			ELSE 'SELECT officer_id, year, 1 AS delta FROM new_rows'
			     ' WHERE revoked_at IS NULL AND session_id = ANY ($1) UNION ALL'
			     ' SELECT officer_id, year, -1 FROM old_rows'
			     ' WHERE revoked_at IS NULL AND session_id = ANY ($1)' END;
		EXECUTE format('SELECT array_agg(officer_id ORDER BY officer_id, year),'
		               ' array_agg(year ORDER BY officer_id, year),'
		               ' array_agg(delta ORDER BY officer_id, year)'
		               ' FROM (SELECT officer_id, year, sum(delta)::bigint AS delta'
		               '         FROM (%s) c GROUP BY officer_id, year'
		               '       HAVING sum(delta) <> 0) d', changes)
			INTO d_officer, d_year, d_delta
			USING rotation;
		IF d_officer IS NOT NULL THEN
			PERFORM officer_year_rotation_add(d_officer, d_year, d_delta);
		END IF;
	END IF;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER attendance_rotation_apply_insert AFTER INSERT ON attendance
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION attendance_rotation_apply();
CREATE TRIGGER attendance_rotation_apply_update AFTER UPDATE ON attendance
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION attendance_rotation_apply();
CREATE TRIGGER attendance_rotation_apply_delete AFTER DELETE ON attendance
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION attendance_rotation_apply();

-- A session whose form changes to or from 'rotation' adds or takes away its
-- counting records. Must fire before training_session_propagate (statement
-- triggers fire in name order: 'form' < 'propagate'): the records still carry
-- the session's old year, so the counts change where they stand, and a year
-- moved in the same statement then carries them with the new form through
-- attendance_rotation_apply — never below zero on the way.
CREATE FUNCTION training_session_form_rotation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept      text[];
	d_officer bigint[];
	d_year    integer[];
	d_delta   bigint[];
BEGIN
	IF NOT EXISTS (SELECT FROM new_rows n JOIN old_rows o ON o.id = n.id
	                WHERE (o.form = 'rotation') <> (n.form = 'rotation')) THEN
		RETURN NULL;
	END IF;
	kept := training_scope_widen();
	SELECT array_agg(officer_id ORDER BY officer_id, year), array_agg(year ORDER BY officer_id, year),
	       array_agg(delta ORDER BY officer_id, year)
	  INTO d_officer, d_year, d_delta
	  FROM (SELECT a.officer_id, a.year,
	               sum(CASE WHEN n.form = 'rotation' THEN 1 ELSE -1 END)::bigint AS delta
	          FROM new_rows n
	          JOIN old_rows o ON o.id = n.id
	          JOIN attendance a ON a.session_id = n.id
	         WHERE (o.form = 'rotation') <> (n.form = 'rotation') AND a.revoked_at IS NULL
	         GROUP BY a.officer_id, a.year
	        HAVING sum(CASE WHEN n.form = 'rotation' THEN 1 ELSE -1 END) <> 0) d;
	IF d_officer IS NOT NULL THEN
		PERFORM officer_year_rotation_add(d_officer, d_year, d_delta);
	END IF;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER training_session_form_rotation AFTER UPDATE ON training_session
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION training_session_form_rotation();

-- Sets every count to its recomputation and returns how many officer-years
-- changed. For the operator (owner only), after officer_year_total_repair()
-- (which rewrites attendance's derived year): counts drift only if triggers
-- were off.
CREATE FUNCTION officer_year_rotation_repair() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept    text[] := training_scope_widen();
	changed bigint;
BEGIN
	WITH fixed AS (
		INSERT INTO officer_year_status AS s (officer_id, year, org_path, rotation_records)
		SELECT d.officer_id, d.year, o.org_path, d.recomputed_records
		  FROM officer_year_rotation_drift d
		  JOIN officer o ON o.id = d.officer_id
		 ORDER BY 1, 2
		ON CONFLICT (officer_id, year) DO UPDATE SET rotation_records = EXCLUDED.rotation_records
		RETURNING 1)
	SELECT count(*) INTO changed FROM fixed;
	PERFORM training_scope_restore(kept);
	RETURN changed;
END
$$;

-- Backfill: the records already kept, under the widened scope.
DO $$
DECLARE
	kept text[] := training_scope_widen();
BEGIN
	PERFORM officer_year_rotation_repair();
	PERFORM training_scope_restore(kept);
END
$$;

-- Row-level security: the column is officer_year_status's, under its policy
-- (005, 014); the views are security_invoker, under attendance's and
-- officer_year_status's. The app role keeps UPDATE on the evaluator's
-- columns only (005's column grant): it never writes rotation_records.
GRANT SELECT ON officer_year_rotation_recomputed, officer_year_rotation_drift TO tcard_app, tcard_ro;
REVOKE EXECUTE ON FUNCTION officer_year_rotation_add(bigint[], integer[], bigint[]),
                           attendance_rotation_apply(), training_session_form_rotation(),
                           officer_year_rotation_repair()
	FROM PUBLIC;
