-- 013_dashboard: the auditor's dashboard (issue 8) draws the training records
-- of a year per month. Counting them from attendance on every request would
-- read every record of a county; instead attendance_month_count keeps, per
-- session and officer unit, how many records count (not revoked), with the
-- session's year and month in China Standard Time: a year's months are one
-- GROUP BY over (sessions × units) rows. Kept exact in the writing transaction
-- by statement-level triggers, like officer_year_total (005): the net change
-- of one statement on attendance is one aggregate and one upsert in key order;
-- a session moved to another month or year moves its rows. Runs as the owner
-- role in one transaction; never edit after it was applied.

-- The month (1–12) a training counts in: of its start in China Standard Time.
CREATE FUNCTION training_month_of(at timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT extract(month FROM at AT TIME ZONE 'Asia/Shanghai')::integer $$;

-- Records that count (revoked_at IS NULL) per session and officer unit. A row
-- that reaches zero is deleted; year and month are the session's.
CREATE TABLE attendance_month_count (
	session_id bigint NOT NULL
	           CONSTRAINT attendance_month_count_session_id_fkey REFERENCES training_session (id),
	org_path   ltree NOT NULL, -- the attendees' unit (attendance.org_path)
	year       integer NOT NULL,
	month      integer NOT NULL CONSTRAINT attendance_month_count_month_range
	           CHECK (month BETWEEN 1 AND 12),
	records    bigint NOT NULL,
	CONSTRAINT attendance_month_count_pkey PRIMARY KEY (session_id, org_path)
);
CREATE INDEX attendance_month_count_year ON attendance_month_count (year, month);
CREATE INDEX attendance_month_count_org_path_gist ON attendance_month_count USING gist (org_path);

-- The counts from scratch: what attendance_month_count must equal at every
-- statement's end (empty difference when healthy).
CREATE VIEW attendance_month_count_recomputed WITH (security_invoker = true) AS
SELECT a.session_id, a.org_path, s.year, training_month_of(s.starts_at) AS month,
       count(*)::bigint AS records
  FROM attendance a
  JOIN training_session s ON s.id = a.session_id
 WHERE a.revoked_at IS NULL
 GROUP BY a.session_id, a.org_path, s.year, training_month_of(s.starts_at);

-- Applies the net change of one statement on attendance: +1 per new row that
-- counts, -1 per old one, per (session, unit); rows left at zero are deleted.
CREATE FUNCTION attendance_month_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept      text[] := training_scope_widen();
	changes   text;
	d_session bigint[];
	d_path    ltree[];
	d_delta   bigint[];
	negative  boolean;
	zeroed    boolean;
BEGIN
	changes := CASE TG_OP
		WHEN 'INSERT' THEN 'SELECT session_id, org_path, 1 AS delta FROM new_rows'
		                   ' WHERE revoked_at IS NULL'
		WHEN 'DELETE' THEN 'SELECT session_id, org_path, -1 AS delta FROM old_rows'
		                   ' WHERE revoked_at IS NULL'
		ELSE 'SELECT session_id, org_path, 1 AS delta FROM new_rows WHERE revoked_at IS NULL'
		     ' UNION ALL SELECT session_id, org_path, -1 FROM old_rows WHERE revoked_at IS NULL'
		END;
	EXECUTE format('SELECT array_agg(session_id ORDER BY session_id, org_path),'
	               ' array_agg(org_path ORDER BY session_id, org_path),'
	               ' array_agg(delta ORDER BY session_id, org_path)'
	               ' FROM (SELECT session_id, org_path, sum(delta)::bigint AS delta'
	               '         FROM (%s) c GROUP BY session_id, org_path'
	               '       HAVING sum(delta) <> 0) d', changes)
		INTO d_session, d_path, d_delta;
	IF d_session IS NOT NULL THEN
		WITH applied AS (
			INSERT INTO attendance_month_count AS m (session_id, org_path, year, month, records)
			SELECT d.session_id, d.org_path, s.year, training_month_of(s.starts_at), d.delta
			  FROM unnest(d_session, d_path, d_delta) AS d (session_id, org_path, delta)
			  JOIN training_session s ON s.id = d.session_id
			 ORDER BY d.session_id, d.org_path
			ON CONFLICT (session_id, org_path) DO UPDATE
			   SET records = m.records + EXCLUDED.records
			RETURNING m.records)
		SELECT bool_or(records < 0), bool_or(records = 0) INTO negative, zeroed FROM applied;
		IF negative THEN
			RAISE EXCEPTION 'record counts would become negative: attendance_month_count has drifted'
				USING ERRCODE = '23514', CONSTRAINT = 'attendance_month_count_nonnegative';
		END IF;
		IF zeroed THEN
			DELETE FROM attendance_month_count
			 WHERE session_id = ANY (d_session) AND records = 0;
		END IF;
	END IF;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER attendance_month_apply_insert AFTER INSERT ON attendance
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION attendance_month_apply();
CREATE TRIGGER attendance_month_apply_update AFTER UPDATE ON attendance
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION attendance_month_apply();
CREATE TRIGGER attendance_month_apply_delete AFTER DELETE ON attendance
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION attendance_month_apply();

-- A session moved in time carries its counts to its new year and month (a
-- move within a year rewrites none of its records, so attendance's trigger
-- would not see it).
CREATE FUNCTION training_session_month_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[] := training_scope_widen();
BEGIN
	UPDATE attendance_month_count m
	   SET year = n.year, month = training_month_of(n.starts_at)
	  FROM new_rows n
	  JOIN old_rows o ON o.id = n.id
	 WHERE m.session_id = n.id AND o.starts_at IS DISTINCT FROM n.starts_at
	   AND (m.year, m.month) IS DISTINCT FROM (n.year, training_month_of(n.starts_at));
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER training_session_month_follow AFTER UPDATE ON training_session
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION training_session_month_follow();

-- Backfill: the records already kept, under the widened scope.
DO $$
DECLARE
	kept text[] := training_scope_widen();
BEGIN
	INSERT INTO attendance_month_count (session_id, org_path, year, month, records)
	SELECT session_id, org_path, year, month, records
	  FROM attendance_month_count_recomputed
	 ORDER BY session_id, org_path;
	PERFORM training_scope_restore(kept);
END
$$;

-- Row-level security: by the attendees' unit, as attendance; an officer
-- (tcard_officer()) reads none (no row is its own).
ALTER TABLE attendance_month_count ENABLE ROW LEVEL SECURITY;
ALTER TABLE attendance_month_count FORCE ROW LEVEL SECURITY;
CREATE POLICY attendance_month_count_in_scope ON attendance_month_count
	USING (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

GRANT SELECT ON attendance_month_count, attendance_month_count_recomputed TO tcard_app, tcard_ro;
REVOKE EXECUTE ON FUNCTION attendance_month_apply(), training_session_month_follow() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION training_month_of(timestamptz) TO tcard_app, tcard_ro;
