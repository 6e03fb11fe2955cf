-- 005_training: training sessions, attendance records, hours policies and
-- exemptions, with per-officer-year totals kept by triggers in the writing
-- transaction and a stale flag per officer-year for tcardd's evaluator
-- (doc/hours-engine.md, issue 4). Runs as the owner role in one transaction;
-- never edit after it was applied.
--
-- Hours are integers of 1/36000 class hour ("units"; 0.01 h = 360 units).
-- Untimed minutes are kept apart from units because the minutes per class
-- hour is a policy setting: hours = units + minutes * (36000 / m).

-- ---------------------------------------------------------------- rules as functions
-- The year a training counts in: the calendar year of its start in China
-- Standard Time, whatever the connection's TimeZone. IMMUTABLE like the
-- built-in timezone(text, timestamptz) it uses (Asia/Shanghai has been UTC+8
-- without daylight saving since 1992).
CREATE FUNCTION training_year_of(at timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT extract(year FROM at AT TIME ZONE 'Asia/Shanghai')::integer $$;

-- The day a training counts on (for "more than 24 h on one day" and the
-- hire/leave anomalies): the date of its start in China Standard Time.
CREATE FUNCTION training_day_of(at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (at AT TIME ZONE 'Asia/Shanghai')::date $$;

-- Whether an officer was in post on some day of year: from hire_date (NULL =
-- before the year) until status_date when status is not 'active'.
CREATE FUNCTION officer_in_post_during(hire_date date, status text, status_date date,
                                       year integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT (hire_date IS NULL OR hire_date <= make_date(year, 12, 31))
	   AND (status = 'active' OR status_date >= make_date(year, 1, 1))
$$;

-- One attendance record's contribution (doc/hours-engine.md): the override
-- if present, else the session's declared hours, in units; else the
-- session's duration in untimed minutes; a revoked record gives nothing.
CREATE FUNCTION attendance_credit_units(override_units bigint, revoked_at timestamptz,
                                        declared_units bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN revoked_at IS NOT NULL THEN 0
	            ELSE coalesce(override_units, declared_units, 0) END
$$;

CREATE FUNCTION attendance_credit_minutes(override_units bigint, revoked_at timestamptz,
                                          declared_units bigint, duration_minutes integer)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN revoked_at IS NOT NULL OR override_units IS NOT NULL
	                 OR declared_units IS NOT NULL THEN 0
	            ELSE duration_minutes END
$$;

-- Validates a policy's minima (CHECK constraints cannot hold subqueries):
--   kind 'categories': [{"categories": ["public_law"], "units": 1080000}, …]
--     each set non-empty, of known categories, none twice, none excluded
--     (excluded hours never count, so such a minimum could never be met);
--   kind 'platform':   [{"platform": "法治教育网", "units": 2160000}, …]
--     each name trimmed, 1..100 characters, none twice.
-- units: an integer, > 0, whole hundredths of an hour (% 360), ≤ 1000 h.
-- Exactly these keys; at most 16 rules.
CREATE FUNCTION hours_minima_valid(minima jsonb, kind text, excluded text[]) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
	rule  jsonb;
	units numeric;
	names text[] := '{}';
	name  text;
	item  jsonb;
BEGIN
	IF minima IS NULL OR jsonb_typeof(minima) <> 'array' OR jsonb_array_length(minima) > 16 THEN
		RETURN false;
	END IF;
	FOR rule IN SELECT value FROM jsonb_array_elements(minima) LOOP
		IF jsonb_typeof(rule) <> 'object'
		   OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(rule) k)
		      <> (CASE kind WHEN 'categories' THEN ARRAY['categories', 'units']
		                    ELSE ARRAY['platform', 'units'] END)
		   OR jsonb_typeof(rule -> 'units') <> 'number' THEN
			RETURN false;
		END IF;
		units := (rule ->> 'units')::numeric;
		IF units <> trunc(units) OR units <= 0 OR units > 36000000 OR units % 360 <> 0 THEN
			RETURN false;
		END IF;
		IF kind = 'categories' THEN
			IF jsonb_typeof(rule -> 'categories') <> 'array'
			   OR jsonb_array_length(rule -> 'categories') = 0 THEN
				RETURN false;
			END IF;
			names := '{}';
			FOR item IN SELECT value FROM jsonb_array_elements(rule -> 'categories') LOOP
				name := item #>> '{}';
				IF jsonb_typeof(item) <> 'string'
				   OR name NOT IN ('public_law', 'business', 'skills', 'political', 'other')
				   OR name = ANY (names) OR name = ANY (excluded) THEN
					RETURN false;
				END IF;
				names := names || name;
			END LOOP;
		ELSE
			name := rule ->> 'platform';
			IF jsonb_typeof(rule -> 'platform') <> 'string' OR name <> btrim(name)
			   OR length(name) NOT BETWEEN 1 AND 100 OR name = ANY (names) THEN
				RETURN false;
			END IF;
			names := names || name;
		END IF;
	END LOOP;
	RETURN true;
END
$$;

-- ---------------------------------------------------------------- closed years (issue 5)
-- Whether the year's records are closed for the unit at org_path. Issue 5
-- (closing a year once its report went upward) replaces this body with
-- CREATE OR REPLACE FUNCTION; every write that changes a year's hours already
-- asks through training_refuse_closed_year: sessions (the year before and
-- after an edit that changes credit), attendance (insert, override, revoke),
-- policies and exemptions. Until then no year is closed.
CREATE FUNCTION training_year_closed(org_path ltree, year integer) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT false $$;

CREATE FUNCTION training_refuse_closed_year(org_path ltree, year integer) RETURNS void
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	IF org_path IS NOT NULL AND year IS NOT NULL AND training_year_closed(org_path, year) THEN
		RAISE EXCEPTION 'the training year % is closed', year
			USING ERRCODE = 'TC409', CONSTRAINT = 'training_year_closed';
	END IF;
END
$$;

-- ---------------------------------------------------------------- maintenance scope
-- The maintenance triggers below must see and change every row they derive
-- from or into, whatever the request's scope: an attendee may belong outside
-- the subtree of the unit that edits a session, and a cascade that skipped
-- rows out of scope would leave totals wrong for good. They run as the owner
-- (SECURITY DEFINER: the app role may not write derived columns or the
-- maintained tables) and, since FORCE ROW LEVEL SECURITY binds the owner too,
-- widen the scope to 'all' for their own statements and put the request's
-- scope back before they return. An error aborts the (sub)transaction, which
-- undoes the widening as well. Callable by the owner only.
CREATE FUNCTION training_scope_widen() RETURNS text[]
LANGUAGE plpgsql
AS $$
DECLARE
	kept text[] := ARRAY[coalesce(current_setting('tcard.scope', true), ''),
	                     coalesce(current_setting('tcard.officer', true), '')];
BEGIN
	PERFORM set_config('tcard.scope', 'all', true), set_config('tcard.officer', '', true);
	RETURN kept;
END
$$;

CREATE FUNCTION training_scope_restore(kept text[]) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	PERFORM set_config('tcard.scope', kept[1], true), set_config('tcard.officer', kept[2], true);
END
$$;

-- Copies org.path into NEW.org_path for a row that names its unit by org_id
-- (officer_set_org_path's mechanism, for any table); TG_ARGV[0] is the
-- constraint name reported when the unit does not exist or is out of scope.
CREATE FUNCTION tcard_copy_org_path() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	SELECT path INTO NEW.org_path FROM org WHERE id = NEW.org_id;
	IF NEW.org_path IS NULL THEN
		RAISE EXCEPTION 'the organisation does not exist'
			USING ERRCODE = 'TC422', CONSTRAINT = TG_ARGV[0];
	END IF;
	RETURN NEW;
END
$$;

-- ---------------------------------------------------------------- training sessions
CREATE TABLE training_session (
	id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code             text CONSTRAINT training_session_code_key UNIQUE
	                 CONSTRAINT training_session_code_length CHECK (length(code) BETWEEN 1 AND 64),
	title            text NOT NULL
	                 CONSTRAINT training_session_title_length CHECK (length(title) BETWEEN 1 AND 200),
	org_id           bigint NOT NULL CONSTRAINT training_session_org_id_fkey REFERENCES org (id),
	org_path         ltree NOT NULL, -- the organiser's org.path; kept by triggers
	category         text NOT NULL CONSTRAINT training_session_category_valid
	                 CHECK (category IN ('public_law', 'business', 'skills', 'political', 'other')),
	form             text NOT NULL CONSTRAINT training_session_form_valid
	                 CHECK (form IN ('lecture', 'seminar', 'online', 'mentorship', 'onsite',
	                                 'competition', 'rotation', 'case_study', 'field_demo', 'other')),
	-- The learning platform's name ('' when none), matched exactly by a
	-- policy's platform minima: kept trimmed.
	platform         text NOT NULL DEFAULT ''
	                 CONSTRAINT training_session_platform_form
	                 CHECK (length(platform) <= 100 AND platform = btrim(platform)),
	starts_at        timestamptz NOT NULL CONSTRAINT training_session_starts_at_range
	                 CHECK (starts_at >= '2000-01-01 00:00+08' AND starts_at < '2100-01-01 00:00+08'),
	ends_at          timestamptz NOT NULL,
	duration_minutes integer NOT NULL CONSTRAINT training_session_duration_range
	                 CHECK (duration_minutes BETWEEN 1 AND 1440),
	-- Stated class hours × 36000 (two decimals at most), or NULL: then the
	-- duration counts by the policy's minutes per hour.
	declared_units   bigint CONSTRAINT training_session_declared_units_valid
	                 CHECK (declared_units > 0 AND declared_units <= 864000 AND declared_units % 360 = 0),
	location         text NOT NULL DEFAULT ''
	                 CONSTRAINT training_session_location_length CHECK (length(location) <= 200),
	year             integer NOT NULL GENERATED ALWAYS AS (training_year_of(starts_at)) STORED,
	version          integer NOT NULL DEFAULT 1,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT training_session_ends_after_start CHECK (ends_at > starts_at),
	CONSTRAINT training_session_span_at_most_24h CHECK (ends_at - starts_at <= interval '24 hours'),
	-- PostgreSQL tests CHECKs in name order and reports the first that fails:
	-- this one leaves a reversed span to training_session_ends_after_start.
	CONSTRAINT training_session_duration_within_span
	CHECK (ends_at <= starts_at OR make_interval(mins => duration_minutes) <= ends_at - starts_at)
);
CREATE INDEX training_session_org_path_gist ON training_session USING gist (org_path);
CREATE INDEX training_session_org ON training_session (org_id, starts_at);
CREATE INDEX training_session_starts_at ON training_session (starts_at);

CREATE TRIGGER training_session_org_path BEFORE INSERT OR UPDATE OF org_id ON training_session
	FOR EACH ROW EXECUTE FUNCTION tcard_copy_org_path('training_session_org_exists');

-- An edit that changes what the session credits touches its year before and after.
CREATE FUNCTION training_session_year_open() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	PERFORM training_refuse_closed_year(NEW.org_path, training_year_of(NEW.starts_at));
	IF TG_OP = 'UPDATE' THEN
		PERFORM training_refuse_closed_year(OLD.org_path, OLD.year);
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER training_session_year_open
	BEFORE INSERT OR UPDATE OF org_id, starts_at, category, platform, declared_units,
	                           duration_minutes ON training_session
	FOR EACH ROW EXECUTE FUNCTION training_session_year_open();

-- ---------------------------------------------------------------- attendance records
-- One officer on one session. Never deleted: a revoked record stays, counts
-- nothing, and can be restored. The derived columns at the end are written
-- by triggers only (the app role has no privilege on them): the officer's
-- org_path, the session's year, category and platform, and what the record
-- credits, so that a card is one index range and totals change by deltas.
CREATE TABLE attendance (
	id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	session_id          bigint NOT NULL
	                    CONSTRAINT attendance_session_id_fkey REFERENCES training_session (id),
	officer_id          bigint NOT NULL CONSTRAINT attendance_officer_id_fkey REFERENCES officer (id),
	-- Partial attendance: the hours credited instead of the session's, × 36000.
	override_units      bigint CONSTRAINT attendance_override_units_valid
	                    CHECK (override_units > 0 AND override_units <= 864000 AND override_units % 360 = 0),
	override_reason     text CONSTRAINT attendance_override_reason_length
	                    CHECK (length(override_reason) <= 500),
	revoked_at          timestamptz,
	revoked_reason      text CONSTRAINT attendance_revoked_reason_length
	                    CHECK (length(revoked_reason) <= 500),
	-- Where an imported record came from (DOMAIN.md: its source is kept).
	source_platform     text CONSTRAINT attendance_source_platform_length
	                    CHECK (length(source_platform) BETWEEN 1 AND 100),
	source_record_id    text CONSTRAINT attendance_source_record_id_length
	                    CHECK (length(source_record_id) BETWEEN 1 AND 200),
	source_completed_at timestamptz,
	source_file         text CONSTRAINT attendance_source_file_length
	                    CHECK (length(source_file) BETWEEN 1 AND 255),
	-- derived, kept by triggers
	org_path            ltree NOT NULL,   -- the officer's org_path
	year                integer NOT NULL, -- the session's year
	category            text NOT NULL,    -- the session's category
	platform            text NOT NULL,    -- the session's platform
	credited_units      bigint NOT NULL,  -- this record's contribution in units
	credited_minutes    bigint NOT NULL,  -- … and in untimed minutes
	version             integer NOT NULL DEFAULT 1,
	created_at          timestamptz NOT NULL DEFAULT now(),
	updated_at          timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT attendance_session_officer_key UNIQUE (session_id, officer_id),
	CONSTRAINT attendance_override_reason_required
	CHECK (override_units IS NULL OR coalesce(btrim(override_reason), '') <> ''),
	CONSTRAINT attendance_override_reason_without_override
	CHECK (override_units IS NOT NULL OR override_reason IS NULL),
	CONSTRAINT attendance_revoked_reason_required
	CHECK (revoked_at IS NULL OR coalesce(btrim(revoked_reason), '') <> ''),
	CONSTRAINT attendance_revoked_reason_without_revoke
	CHECK (revoked_at IS NOT NULL OR revoked_reason IS NULL),
	CONSTRAINT attendance_source_record_needs_platform
	CHECK (source_record_id IS NULL OR source_platform IS NOT NULL)
);
-- The card (officer, year); by session through the UNIQUE key. No index on
-- org_path on purpose: the planner cannot know how much of the tree the
-- request's scope covers and, given one, ANDs it into every officer-keyed
-- lookup (reading the whole index when the scope is 'all'); a unit's records
-- are reached through officer_org_path_gist and this index instead.
CREATE INDEX attendance_officer_year ON attendance (officer_id, year);
-- A platform's record imported twice is one record (the re-run of an import inserts nothing).
CREATE UNIQUE INDEX attendance_source_record_key ON attendance (source_platform, source_record_id)
	WHERE source_record_id IS NOT NULL;

-- Fills the derived columns of a new record, or of one whose override,
-- revocation, session or officer changed. A new record's officer and session
-- must be visible to the request (the session: the unit's own, an
-- ancestor's, or one it already has records on). The session and officer
-- rows are share-locked so that a concurrent edit of either, whose cascade
-- cannot see this uncommitted row, commits first and is read here.
CREATE FUNCTION attendance_derive() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	s    training_session;
	kept text[];
BEGIN
	IF TG_OP = 'INSERT' OR NEW.officer_id IS DISTINCT FROM OLD.officer_id THEN
		SELECT org_path INTO NEW.org_path FROM officer WHERE id = NEW.officer_id FOR SHARE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'the officer does not exist'
				USING ERRCODE = 'TC422', CONSTRAINT = 'attendance_officer_exists';
		END IF;
	END IF;
	IF TG_OP = 'INSERT' OR NEW.session_id IS DISTINCT FROM OLD.session_id THEN
		PERFORM FROM training_session WHERE id = NEW.session_id;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'the training session does not exist'
				USING ERRCODE = 'TC422', CONSTRAINT = 'attendance_session_exists';
		END IF;
	END IF;
	-- FOR SHARE needs the update policy, which a visible ancestor's session
	-- does not pass: lock it under the widened scope.
	kept := training_scope_widen();
	SELECT * INTO STRICT s FROM training_session WHERE id = NEW.session_id FOR SHARE;
	PERFORM training_scope_restore(kept);
	NEW.year := s.year;
	NEW.category := s.category;
	NEW.platform := s.platform;
	NEW.credited_units := attendance_credit_units(NEW.override_units, NEW.revoked_at,
	                                              s.declared_units);
	NEW.credited_minutes := attendance_credit_minutes(NEW.override_units, NEW.revoked_at,
	                                                  s.declared_units, s.duration_minutes);
	PERFORM training_refuse_closed_year(NEW.org_path, NEW.year);
	IF TG_OP = 'UPDATE' THEN
		PERFORM training_refuse_closed_year(OLD.org_path, OLD.year);
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER attendance_derive
	BEFORE INSERT OR UPDATE OF session_id, officer_id, override_units, revoked_at ON attendance
	FOR EACH ROW EXECUTE FUNCTION attendance_derive();

-- ---------------------------------------------------------------- hours policies
-- The rule set of a unit's subtree for one year; the nearest ancestor's
-- policy applies (hours_policy_for), none at all means the baseline (60 h,
-- 45 minutes per hour, political and other excluded — DOMAIN.md rule 1: the
-- 60 hours are public_law, business and skills — no minima, prorated, 3 months).
-- Editing a policy re-evaluates, never rewrites, the records.
CREATE TABLE hours_policy (
	id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id              bigint NOT NULL CONSTRAINT hours_policy_org_id_fkey REFERENCES org (id),
	org_path            ltree NOT NULL, -- copy of org.path; kept by triggers
	year                integer NOT NULL CONSTRAINT hours_policy_year_range
	                    CHECK (year BETWEEN 2000 AND 2099),
	required_units      bigint NOT NULL DEFAULT 2160000 CONSTRAINT hours_policy_required_units_valid
	                    CHECK (required_units BETWEEN 0 AND 36000000 AND required_units % 360 = 0),
	-- Minutes of an untimed session per class hour: divides 36000 exactly.
	minutes_per_hour    integer NOT NULL DEFAULT 45 CONSTRAINT hours_policy_minutes_per_hour_valid
	                    CHECK (minutes_per_hour BETWEEN 30 AND 60 AND 36000 % minutes_per_hour = 0),
	excluded_categories text[] NOT NULL DEFAULT '{political,other}'
	                    CONSTRAINT hours_policy_excluded_categories_valid
	                    CHECK (excluded_categories
	                           <@ ARRAY['public_law', 'business', 'skills', 'political', 'other']),
	category_minima     jsonb NOT NULL DEFAULT '[]' CONSTRAINT hours_policy_category_minima_valid
	                    CHECK (hours_minima_valid(category_minima, 'categories', excluded_categories)),
	platform_minima     jsonb NOT NULL DEFAULT '[]' CONSTRAINT hours_policy_platform_minima_valid
	                    CHECK (hours_minima_valid(platform_minima, 'platform', '{}')),
	prorate             boolean NOT NULL DEFAULT true,
	min_months          integer NOT NULL DEFAULT 3
	                    CONSTRAINT hours_policy_min_months_range CHECK (min_months BETWEEN 0 AND 12),
	version             integer NOT NULL DEFAULT 1,
	created_at          timestamptz NOT NULL DEFAULT now(),
	updated_at          timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT hours_policy_org_year_key UNIQUE (org_id, year)
);
CREATE INDEX hours_policy_org_path_gist ON hours_policy USING gist (org_path);

CREATE TRIGGER hours_policy_org_path BEFORE INSERT OR UPDATE OF org_id ON hours_policy
	FOR EACH ROW EXECUTE FUNCTION tcard_copy_org_path('hours_policy_org_exists');

CREATE FUNCTION hours_policy_year_open() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	PERFORM training_refuse_closed_year(NEW.org_path, NEW.year);
	IF TG_OP = 'UPDATE' THEN
		PERFORM training_refuse_closed_year(OLD.org_path, OLD.year);
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER hours_policy_year_open
	BEFORE INSERT OR UPDATE OF org_id, year, required_units, minutes_per_hour,
	                           excluded_categories, category_minima, platform_minima, prorate,
	                           min_months ON hours_policy
	FOR EACH ROW EXECUTE FUNCTION hours_policy_year_open();

-- The policy that applies to a unit at org_path in year: the nearest
-- ancestor's (or the unit's own); NULL when there is none (the baseline
-- applies). Under the caller's row-level security, which shows every
-- ancestor's policy.
CREATE FUNCTION hours_policy_for(org_path ltree, year integer) RETURNS hours_policy
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT p.*
	  FROM hours_policy p
	 WHERE p.org_path @> hours_policy_for.org_path AND p.year = hours_policy_for.year
	 ORDER BY nlevel(p.org_path) DESC
	 LIMIT 1
$$;

-- ---------------------------------------------------------------- exemptions
-- One officer's approved exemption for one year (long sick leave, maternity
-- leave, secondment): waive, or reduce the requirement to reduced_units.
-- Withdrawn by revoking (the row stays, as attendance records do).
CREATE TABLE hours_exemption (
	id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	officer_id     bigint NOT NULL CONSTRAINT hours_exemption_officer_id_fkey REFERENCES officer (id),
	org_path       ltree NOT NULL, -- the officer's org_path; kept by triggers
	year           integer NOT NULL CONSTRAINT hours_exemption_year_range
	               CHECK (year BETWEEN 2000 AND 2099),
	kind           text NOT NULL CONSTRAINT hours_exemption_kind_valid CHECK (kind IN ('waive', 'reduce')),
	reduced_units  bigint CONSTRAINT hours_exemption_reduced_units_valid
	               CHECK (reduced_units BETWEEN 0 AND 36000000 AND reduced_units % 360 = 0),
	reason         text NOT NULL CONSTRAINT hours_exemption_reason_length
	               CHECK (btrim(reason) <> '' AND length(reason) <= 500),
	approver       text NOT NULL CONSTRAINT hours_exemption_approver_length
	               CHECK (btrim(approver) <> '' AND length(approver) <= 100),
	-- Who recorded it: the request's actor, set by the trigger.
	recorded_by    text NOT NULL,
	revoked_at     timestamptz,
	revoked_reason text CONSTRAINT hours_exemption_revoked_reason_length
	               CHECK (length(revoked_reason) <= 500),
	version        integer NOT NULL DEFAULT 1,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT hours_exemption_officer_year_key UNIQUE (officer_id, year),
	CONSTRAINT hours_exemption_reduced_units_required
	CHECK ((kind = 'reduce') = (reduced_units IS NOT NULL)),
	CONSTRAINT hours_exemption_revoked_reason_required
	CHECK (revoked_at IS NULL OR coalesce(btrim(revoked_reason), '') <> ''),
	CONSTRAINT hours_exemption_revoked_reason_without_revoke
	CHECK (revoked_at IS NOT NULL OR revoked_reason IS NULL)
);
CREATE INDEX hours_exemption_org_path_gist ON hours_exemption USING gist (org_path);

-- Copies the officer's org_path (the officer must be visible to the
-- request; share-locked like attendance_derive does) and the recording actor.
CREATE FUNCTION hours_exemption_derive() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	IF TG_OP = 'INSERT' OR NEW.officer_id IS DISTINCT FROM OLD.officer_id THEN
		SELECT org_path INTO NEW.org_path FROM officer WHERE id = NEW.officer_id FOR SHARE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'the officer does not exist'
				USING ERRCODE = 'TC422', CONSTRAINT = 'hours_exemption_officer_exists';
		END IF;
	END IF;
	IF TG_OP = 'INSERT' THEN
		NEW.recorded_by := coalesce(nullif(current_setting('tcard.actor', true), ''), current_user);
	END IF;
	PERFORM training_refuse_closed_year(NEW.org_path, NEW.year);
	IF TG_OP = 'UPDATE' THEN
		PERFORM training_refuse_closed_year(OLD.org_path, OLD.year);
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER hours_exemption_derive
	BEFORE INSERT OR UPDATE OF officer_id, year, kind, reduced_units, revoked_at ON hours_exemption
	FOR EACH ROW EXECUTE FUNCTION hours_exemption_derive();

-- ---------------------------------------------------------------- maintained totals and status
-- Hours per officer, year, category and platform over the records that
-- count: exactly the GROUP BY of officer_year_total_recomputed, kept by
-- attendance_apply_totals in the writing transaction. A row that reaches
-- zero is deleted. No CHECK (units >= 0): PostgreSQL checks an upsert's
-- proposed row before it finds the conflict, and a proposed row here is a
-- delta; the trigger checks the sums it leaves instead.
CREATE TABLE officer_year_total (
	officer_id      bigint NOT NULL CONSTRAINT officer_year_total_officer_id_fkey REFERENCES officer (id),
	year            integer NOT NULL,
	category        text NOT NULL,
	platform        text NOT NULL,
	units           bigint NOT NULL, -- declared and overridden hours × 36000
	untimed_minutes bigint NOT NULL, -- minutes of sessions without declared hours
	CONSTRAINT officer_year_total_pkey PRIMARY KEY (officer_id, year, category, platform)
);

-- The evaluation of one officer-year, written by tcardd's evaluator; the
-- triggers only insert rows and mark them stale. Every marking adds 1 to
-- generation. The evaluator reads generation in the same statement as its
-- inputs (or before them) and writes its result only if it is unchanged:
--   UPDATE officer_year_status SET counted_units = …, required_units = …,
--          status = …, shortfalls = …, evaluated_at = now(), stale = false
--    WHERE officer_id = $1 AND year = $2 AND generation = $read
-- so that a change committed meanwhile leaves the row stale, not overwritten.
CREATE TABLE officer_year_status (
	officer_id     bigint NOT NULL CONSTRAINT officer_year_status_officer_id_fkey REFERENCES officer (id),
	year           integer NOT NULL,
	org_path       ltree NOT NULL, -- the officer's org_path; kept by triggers
	counted_units  bigint,         -- hours that count (excluded categories left out), × 36000
	required_units bigint,         -- after proration and exemption, × 36000
	status         text CONSTRAINT officer_year_status_status_valid
	               CHECK (status IN ('met', 'short', 'at_risk', 'exempt')),
	shortfalls     jsonb CONSTRAINT officer_year_status_shortfalls_form
	               CHECK (jsonb_typeof(shortfalls) = 'array'),
	evaluated_at   timestamptz,
	stale          boolean NOT NULL DEFAULT true,
	generation     bigint NOT NULL DEFAULT 1,
	CONSTRAINT officer_year_status_pkey PRIMARY KEY (officer_id, year),
	-- Never evaluated (all NULL), or evaluated completely.
	CONSTRAINT officer_year_status_evaluated_whole
	CHECK (num_nulls(counted_units, required_units, status, shortfalls, evaluated_at) IN (0, 5))
);
CREATE INDEX officer_year_status_org_path_gist ON officer_year_status USING gist (org_path);
CREATE INDEX officer_year_status_report ON officer_year_status (year, status);
CREATE INDEX officer_year_status_shortfalls ON officer_year_status USING gin (shortfalls jsonb_path_ops);
-- The evaluator's queue.
CREATE INDEX officer_year_status_stale ON officer_year_status (year, officer_id) WHERE stale;

-- Marks officer-years stale, inserting the rows that are missing (pairs of
-- officers[i], years[i]; duplicates allowed). Called by the maintenance
-- triggers under the widened scope; owner only.
CREATE FUNCTION officer_year_mark_stale(officers bigint[], years integer[]) RETURNS void
LANGUAGE sql
AS $$
	INSERT INTO officer_year_status AS s (officer_id, year, org_path)
	SELECT k.officer_id, k.year, o.org_path
	  FROM (SELECT DISTINCT officer_id, year FROM unnest(officers, years) AS k (officer_id, year)
	         WHERE officer_id IS NOT NULL AND year IS NOT NULL) k
	  JOIN officer o ON o.id = k.officer_id
	 ORDER BY 1, 2
	ON CONFLICT (officer_id, year) DO UPDATE
	   SET stale = true, generation = s.generation + 1, org_path = EXCLUDED.org_path
$$;

-- Applies the net change of one statement on attendance to the totals and
-- marks the officer-years whose totals changed. Statement-level: an import of
-- many rows is one aggregate and one upsert, in key order (fewer deadlocks
-- between concurrent writers). Session and officer edits reach the totals
-- through here too: they rewrite the derived columns of attendance.
CREATE FUNCTION attendance_apply_totals() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept       text[] := training_scope_widen();
	changes    text;
	d_officer  bigint[];
	d_year     integer[];
	d_category text[];
	d_platform text[];
	d_units    bigint[];
	d_minutes  bigint[];
	negative   boolean;
	zeroed     boolean;
BEGIN
	changes := CASE TG_OP
		WHEN 'INSERT' THEN 'SELECT officer_id, year, category, platform, credited_units AS units,'
		                   ' credited_minutes AS minutes FROM new_rows'
		WHEN 'DELETE' THEN 'SELECT officer_id, year, category, platform, -credited_units AS units,'
		                   ' -credited_minutes AS minutes FROM old_rows'
		ELSE 'SELECT officer_id, year, category, platform, credited_units AS units,'
		     ' credited_minutes AS minutes FROM new_rows UNION ALL'
		     ' SELECT officer_id, year, category, platform, -credited_units, -credited_minutes'
		     ' FROM old_rows' END;
	EXECUTE format('SELECT array_agg(officer_id ORDER BY officer_id, year, category, platform),'
	               ' array_agg(year ORDER BY officer_id, year, category, platform),'
	               ' array_agg(category ORDER BY officer_id, year, category, platform),'
	               ' array_agg(platform ORDER BY officer_id, year, category, platform),'
	               ' array_agg(units ORDER BY officer_id, year, category, platform),'
	               ' array_agg(minutes ORDER BY officer_id, year, category, platform)'
	               ' FROM (SELECT officer_id, year, category, platform,'
	               '              sum(units)::bigint AS units, sum(minutes)::bigint AS minutes'
	               '         FROM (%s) c GROUP BY officer_id, year, category, platform'
	               '       HAVING sum(units) <> 0 OR sum(minutes) <> 0) d', changes)
		INTO d_officer, d_year, d_category, d_platform, d_units, d_minutes;
	IF d_officer IS NOT NULL THEN
		WITH applied AS (
			INSERT INTO officer_year_total AS t (officer_id, year, category, platform, units,
			                                     untimed_minutes)
			SELECT * FROM unnest(d_officer, d_year, d_category, d_platform, d_units, d_minutes)
			ON CONFLICT (officer_id, year, category, platform) DO UPDATE
			   SET units = t.units + EXCLUDED.units,
			       untimed_minutes = t.untimed_minutes + EXCLUDED.untimed_minutes
			RETURNING t.units, t.untimed_minutes)
		SELECT bool_or(units < 0 OR untimed_minutes < 0), bool_or(units = 0 AND untimed_minutes = 0)
		  INTO negative, zeroed
		  FROM applied;
		IF negative THEN
			RAISE EXCEPTION 'hours totals would become negative: officer_year_total has drifted'
				USING ERRCODE = '23514', CONSTRAINT = 'officer_year_total_nonnegative',
				      HINT = 'SELECT officer_year_total_repair() as the owner';
		END IF;
		IF zeroed THEN
			DELETE FROM officer_year_total
			 WHERE officer_id = ANY (d_officer) AND units = 0 AND untimed_minutes = 0;
		END IF;
		PERFORM officer_year_mark_stale(d_officer, d_year);
	END IF;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER attendance_apply_totals_insert AFTER INSERT ON attendance
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION attendance_apply_totals();
CREATE TRIGGER attendance_apply_totals_update AFTER UPDATE ON attendance
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION attendance_apply_totals();
CREATE TRIGGER attendance_apply_totals_delete AFTER DELETE ON attendance
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION attendance_apply_totals();

-- A session edit that changes what it credits (year, category, platform,
-- declared hours, duration) rewrites the derived columns of all its records,
-- in scope or not; attendance_apply_totals moves the hours.
CREATE FUNCTION training_session_propagate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[] := training_scope_widen();
BEGIN
	UPDATE attendance a
	   SET year = n.year, category = n.category, platform = n.platform,
	       credited_units = attendance_credit_units(a.override_units, a.revoked_at, n.declared_units),
	       credited_minutes = attendance_credit_minutes(a.override_units, a.revoked_at,
	                                                    n.declared_units, n.duration_minutes)
	  FROM new_rows n
	  JOIN old_rows o ON o.id = n.id
	 WHERE a.session_id = n.id
	   AND (o.year, o.category, o.platform, o.declared_units, o.duration_minutes)
	       IS DISTINCT FROM (n.year, n.category, n.platform, n.declared_units, n.duration_minutes);
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER training_session_propagate AFTER UPDATE ON training_session
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION training_session_propagate();

-- An officer's copies follow its moves, and its evaluations go stale when its
-- unit, status or dates change: every year it has a status row for, and the
-- current year (inserted when missing, if it is in post this year). A new
-- officer in post gets the current year's row, so that reports list it.
CREATE FUNCTION officer_training_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept      text[] := training_scope_widen();
	this_year integer := training_year_of(now());
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO officer_year_status AS s (officer_id, year, org_path)
		SELECT n.id, this_year, n.org_path
		  FROM new_rows n
		 WHERE officer_in_post_during(n.hire_date, n.status, n.status_date, this_year)
		 ORDER BY 1
		ON CONFLICT (officer_id, year) DO UPDATE
		   SET stale = true, generation = s.generation + 1, org_path = EXCLUDED.org_path;
	ELSE
		UPDATE attendance a SET org_path = n.org_path
		  FROM new_rows n
		 WHERE a.officer_id = n.id AND a.org_path IS DISTINCT FROM n.org_path;
		UPDATE hours_exemption e SET org_path = n.org_path
		  FROM new_rows n
		 WHERE e.officer_id = n.id AND e.org_path IS DISTINCT FROM n.org_path;
		INSERT INTO officer_year_status AS s (officer_id, year, org_path)
		SELECT n.id, y.year, n.org_path
		  FROM new_rows n
		  JOIN old_rows o ON o.id = n.id
		 CROSS JOIN LATERAL (
		       SELECT x.year FROM officer_year_status x WHERE x.officer_id = n.id
		       UNION
		       SELECT this_year
		        WHERE officer_in_post_during(n.hire_date, n.status, n.status_date, this_year)) y
		 WHERE (o.org_path, o.status, o.status_date, o.hire_date)
		       IS DISTINCT FROM (n.org_path, n.status, n.status_date, n.hire_date)
		 ORDER BY 1, 2
		ON CONFLICT (officer_id, year) DO UPDATE
		   SET stale = true, generation = s.generation + 1, org_path = EXCLUDED.org_path;
	END IF;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER officer_training_follow_insert AFTER INSERT ON officer
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION officer_training_follow();
CREATE TRIGGER officer_training_follow_update AFTER UPDATE ON officer
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION officer_training_follow();

-- A policy change marks, in one statement, every officer-year of its subtree
-- and year stale (before and after the change, if its unit or year moved):
-- officers in post that year, and any that already have a row for it. A
-- deeper unit with its own policy is marked too (harmless: it re-evaluates
-- to the same result).
CREATE FUNCTION hours_policy_mark_stale() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[];
BEGIN
	IF TG_OP = 'UPDATE'
	   AND (OLD.org_path, OLD.year, OLD.required_units, OLD.minutes_per_hour,
	        OLD.excluded_categories, OLD.category_minima, OLD.platform_minima, OLD.prorate,
	        OLD.min_months)
	       IS NOT DISTINCT FROM
	       (NEW.org_path, NEW.year, NEW.required_units, NEW.minutes_per_hour,
	        NEW.excluded_categories, NEW.category_minima, NEW.platform_minima, NEW.prorate,
	        NEW.min_months) THEN
		RETURN NULL;
	END IF;
	kept := training_scope_widen();
	INSERT INTO officer_year_status AS s (officer_id, year, org_path)
	SELECT DISTINCT o.id, k.year, o.org_path
	  FROM (VALUES (OLD.org_path, OLD.year), (NEW.org_path, NEW.year)) AS k (org_path, year)
	  JOIN officer o ON o.org_path <@ k.org_path
	 WHERE officer_in_post_during(o.hire_date, o.status, o.status_date, k.year)
	    OR EXISTS (SELECT FROM officer_year_status x WHERE x.officer_id = o.id AND x.year = k.year)
	 ORDER BY 1, 2
	ON CONFLICT (officer_id, year) DO UPDATE
	   SET stale = true, generation = s.generation + 1, org_path = EXCLUDED.org_path;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER hours_policy_mark_stale AFTER INSERT OR UPDATE OR DELETE ON hours_policy
	FOR EACH ROW EXECUTE FUNCTION hours_policy_mark_stale();

CREATE FUNCTION hours_exemption_mark_stale() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[];
BEGIN
	IF TG_OP = 'UPDATE'
	   AND (OLD.officer_id, OLD.year, OLD.kind, OLD.reduced_units, OLD.revoked_at IS NULL)
	       IS NOT DISTINCT FROM
	       (NEW.officer_id, NEW.year, NEW.kind, NEW.reduced_units, NEW.revoked_at IS NULL) THEN
		RETURN NULL;
	END IF;
	kept := training_scope_widen();
	PERFORM officer_year_mark_stale(ARRAY[OLD.officer_id, NEW.officer_id], ARRAY[OLD.year, NEW.year]);
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER hours_exemption_mark_stale AFTER INSERT OR UPDATE OR DELETE ON hours_exemption
	FOR EACH ROW EXECUTE FUNCTION hours_exemption_mark_stale();

-- A moved organisation carries its sessions and policies along (officers
-- move with org_move_subtree of 001, and officer_training_follow carries
-- their records).
CREATE FUNCTION org_move_training() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[] := training_scope_widen();
BEGIN
	UPDATE training_session SET org_path = NEW.path WHERE org_id = NEW.id;
	UPDATE hours_policy SET org_path = NEW.path WHERE org_id = NEW.id;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER org_move_training AFTER UPDATE ON org
	FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
	EXECUTE FUNCTION org_move_training();

-- Inserts the missing status rows of year, stale, for every officer the
-- caller may see who was in post that year (an officer without any training
-- has no other reason to have one); returns how many. Call before reading a
-- year's compliance report. Under the caller's scope (not widened).
CREATE FUNCTION officer_year_status_ensure(year integer) RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
	WITH added AS (
		INSERT INTO officer_year_status (officer_id, year, org_path)
		SELECT o.id, officer_year_status_ensure.year, o.org_path
		  FROM officer o
		 WHERE officer_in_post_during(o.hire_date, o.status, o.status_date,
		                              officer_year_status_ensure.year)
		 ORDER BY 1
		ON CONFLICT (officer_id, year) DO NOTHING
		RETURNING 1)
	SELECT count(*) FROM added
$$;

-- ---------------------------------------------------------------- recomputation and repair
-- The totals from scratch, straight from the raw rows (not the derived
-- columns): what officer_year_total must equal at every statement's end.
CREATE VIEW officer_year_total_recomputed WITH (security_invoker = true) AS
SELECT a.officer_id, s.year, s.category, s.platform,
       sum(CASE WHEN a.override_units IS NOT NULL THEN a.override_units
                WHEN s.declared_units IS NOT NULL THEN s.declared_units
                ELSE 0 END)::bigint AS units,
       sum(CASE WHEN a.override_units IS NULL AND s.declared_units IS NULL
                THEN s.duration_minutes ELSE 0 END)::bigint AS untimed_minutes
  FROM attendance a
  JOIN training_session s ON s.id = a.session_id
 WHERE a.revoked_at IS NULL
 GROUP BY a.officer_id, s.year, s.category, s.platform;

-- Where the stored totals differ from the recomputation (empty when healthy).
CREATE VIEW officer_year_total_drift WITH (security_invoker = true) AS
SELECT officer_id, year, category, platform,
       t.units AS stored_units, t.untimed_minutes AS stored_minutes,
       r.units AS recomputed_units, r.untimed_minutes AS recomputed_minutes
  FROM officer_year_total t
  FULL JOIN officer_year_total_recomputed r USING (officer_id, year, category, platform)
 WHERE (t.units, t.untimed_minutes) IS DISTINCT FROM (r.units, r.untimed_minutes);

-- Repairs every derived copy and the totals from the raw rows, marks the
-- officer-years whose totals changed stale, and returns how many total rows
-- and records it changed. For the operator (owner only): totals drift only if
-- triggers were off (session_replication_role = replica, a restore without
-- triggers). Two invariants, restored in the order the trigger relies on:
-- first totals = the sum of the records' derived columns (what its deltas
-- assume), then derived columns = what the raw rows say (and the trigger
-- moves the totals along).
CREATE FUNCTION officer_year_total_repair() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept    text[] := training_scope_widen();
	changed bigint;
	records bigint;
BEGIN
	UPDATE training_session s SET org_path = o.path
	  FROM org o WHERE o.id = s.org_id AND s.org_path IS DISTINCT FROM o.path;
	UPDATE hours_policy p SET org_path = o.path
	  FROM org o WHERE o.id = p.org_id AND p.org_path IS DISTINCT FROM o.path;
	UPDATE hours_exemption e SET org_path = o.org_path
	  FROM officer o WHERE o.id = e.officer_id AND e.org_path IS DISTINCT FROM o.org_path;
	UPDATE officer_year_status x SET org_path = o.org_path
	  FROM officer o WHERE o.id = x.officer_id AND x.org_path IS DISTINCT FROM o.org_path;
	UPDATE attendance a SET org_path = o.org_path
	  FROM officer o WHERE o.id = a.officer_id AND a.org_path IS DISTINCT FROM o.org_path;

	CREATE TEMP TABLE officer_year_total_fix ON COMMIT DROP AS
	SELECT officer_id, year, category, platform, c.units, c.untimed_minutes
	  FROM officer_year_total t
	  FULL JOIN (SELECT officer_id, year, category, platform,
	                    sum(credited_units)::bigint AS units,
	                    sum(credited_minutes)::bigint AS untimed_minutes
	               FROM attendance
	              GROUP BY officer_id, year, category, platform
	             HAVING sum(credited_units) <> 0 OR sum(credited_minutes) <> 0) c
	       USING (officer_id, year, category, platform)
	 WHERE (t.units, t.untimed_minutes) IS DISTINCT FROM (c.units, c.untimed_minutes);
	DELETE FROM officer_year_total t USING officer_year_total_fix f
	 WHERE (t.officer_id, t.year, t.category, t.platform)
	       = (f.officer_id, f.year, f.category, f.platform);
	INSERT INTO officer_year_total (officer_id, year, category, platform, units, untimed_minutes)
	SELECT officer_id, year, category, platform, units, untimed_minutes
	  FROM officer_year_total_fix WHERE units IS NOT NULL;
	SELECT count(*) INTO changed FROM officer_year_total_fix;
	PERFORM officer_year_mark_stale(array_agg(officer_id), array_agg(year))
	   FROM officer_year_total_fix;
	DROP TABLE officer_year_total_fix;

	UPDATE attendance a
	   SET year = s.year, category = s.category, platform = s.platform,
	       credited_units = attendance_credit_units(a.override_units, a.revoked_at, s.declared_units),
	       credited_minutes = attendance_credit_minutes(a.override_units, a.revoked_at,
	                                                    s.declared_units, s.duration_minutes)
	  FROM training_session s
	 WHERE s.id = a.session_id
	   AND (a.year, a.category, a.platform, a.credited_units, a.credited_minutes)
	       IS DISTINCT FROM
	       (s.year, s.category, s.platform,
	        attendance_credit_units(a.override_units, a.revoked_at, s.declared_units),
	        attendance_credit_minutes(a.override_units, a.revoked_at, s.declared_units,
	                                  s.duration_minutes));
	GET DIAGNOSTICS records = ROW_COUNT;
	IF EXISTS (SELECT FROM officer_year_total_drift) THEN
		RAISE EXCEPTION 'officer_year_total still differs from its recomputation after repair';
	END IF;
	PERFORM training_scope_restore(kept);
	RETURN changed + records;
END
$$;

-- ---------------------------------------------------------------- anomalies
-- Records kept but shown to auditors (DOMAIN.md), non-revoked only:
--   overlap        two records of one officer whose sessions overlap in time
--                  (attendance_id < other_attendance_id);
--   day_over_24h   more than 24 class hours credited on one day (by session
--                  start in China), untimed minutes converted by the
--                  applicable policy; credited_units holds the day's total;
--   before_hire    a session dated before the officer's hire date;
--   after_leaving  a session dated after the officer left the post
--                  (status_date, when the status is not 'active').
-- Under the caller's row-level security.
CREATE VIEW training_anomaly WITH (security_invoker = true) AS
SELECT 'overlap'::text AS kind, a.officer_id, a.org_path, a.year,
       training_day_of(s.starts_at) AS day, a.id AS attendance_id,
       b.id AS other_attendance_id, NULL::bigint AS credited_units
  FROM attendance a
  JOIN training_session s ON s.id = a.session_id
  JOIN attendance b ON b.officer_id = a.officer_id AND b.id > a.id AND b.revoked_at IS NULL
  JOIN training_session t ON t.id = b.session_id
 WHERE a.revoked_at IS NULL
   AND tstzrange(s.starts_at, s.ends_at) && tstzrange(t.starts_at, t.ends_at)
UNION ALL
SELECT 'day_over_24h', d.officer_id, d.org_path, d.year, d.day, NULL, NULL,
       d.units + d.minutes * (36000 / coalesce((hours_policy_for(d.org_path, d.year)).minutes_per_hour, 45))
  FROM (SELECT a.officer_id, a.org_path, a.year, training_day_of(s.starts_at) AS day,
               sum(a.credited_units)::bigint AS units, sum(a.credited_minutes)::bigint AS minutes
          FROM attendance a
          JOIN training_session s ON s.id = a.session_id
         WHERE a.revoked_at IS NULL
         GROUP BY a.officer_id, a.org_path, a.year, training_day_of(s.starts_at)) d
 WHERE d.units + d.minutes * (36000 / coalesce((hours_policy_for(d.org_path, d.year)).minutes_per_hour, 45))
       > 864000
UNION ALL
SELECT CASE WHEN training_day_of(s.starts_at) < o.hire_date THEN 'before_hire'
            ELSE 'after_leaving' END,
       a.officer_id, a.org_path, a.year, training_day_of(s.starts_at), a.id, NULL, NULL
  FROM attendance a
  JOIN training_session s ON s.id = a.session_id
  JOIN officer o ON o.id = a.officer_id
 WHERE a.revoked_at IS NULL
   AND (training_day_of(s.starts_at) < o.hire_date
        OR (o.status <> 'active' AND training_day_of(s.starts_at) > o.status_date));

-- ---------------------------------------------------------------- audit
-- Derived columns are left out: a cascade that only rewrites them writes no entry.
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON training_session
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'year');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON attendance
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'year', 'category',
	                                               'platform', 'credited_units',
	                                               'credited_minutes');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON hours_policy
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON hours_exemption
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path');

-- ---------------------------------------------------------------- row-level security
-- Sessions: readable in scope, from an ancestor unit (a city's rotation is
-- the county's to register for), or when a visible record refers to it (a
-- card names every session on it); written in scope only.
ALTER TABLE training_session ENABLE ROW LEVEL SECURITY;
ALTER TABLE training_session FORCE ROW LEVEL SECURITY;
CREATE POLICY training_session_read ON training_session FOR SELECT
	USING (org_path <@ tcard_scope() OR org_path @> tcard_scope()
	       OR EXISTS (SELECT FROM attendance a WHERE a.session_id = training_session.id));
CREATE POLICY training_session_insert ON training_session FOR INSERT
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);
CREATE POLICY training_session_update ON training_session FOR UPDATE
	USING (org_path <@ tcard_scope() AND tcard_officer() IS NULL)
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

-- Records, exemptions and evaluations: by the officer's unit; an officer
-- (tcard_officer()) reads its own and writes nothing.
ALTER TABLE attendance ENABLE ROW LEVEL SECURITY;
ALTER TABLE attendance FORCE ROW LEVEL SECURITY;
CREATE POLICY attendance_in_scope ON attendance
	USING (org_path <@ tcard_scope() AND (tcard_officer() IS NULL OR officer_id = tcard_officer()))
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

ALTER TABLE hours_exemption ENABLE ROW LEVEL SECURITY;
ALTER TABLE hours_exemption FORCE ROW LEVEL SECURITY;
CREATE POLICY hours_exemption_in_scope ON hours_exemption
	USING (org_path <@ tcard_scope() AND (tcard_officer() IS NULL OR officer_id = tcard_officer()))
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

ALTER TABLE officer_year_status ENABLE ROW LEVEL SECURITY;
ALTER TABLE officer_year_status FORCE ROW LEVEL SECURITY;
CREATE POLICY officer_year_status_in_scope ON officer_year_status
	USING (org_path <@ tcard_scope() AND (tcard_officer() IS NULL OR officer_id = tcard_officer()))
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

-- Totals: whoever sees the officer (its policy handles scope and the officer role).
ALTER TABLE officer_year_total ENABLE ROW LEVEL SECURITY;
ALTER TABLE officer_year_total FORCE ROW LEVEL SECURITY;
CREATE POLICY officer_year_total_in_scope ON officer_year_total
	USING (EXISTS (SELECT FROM officer o WHERE o.id = officer_year_total.officer_id));

-- Policies: readable in scope and from every ancestor (the one that applies
-- may sit above the reader); written in scope only.
ALTER TABLE hours_policy ENABLE ROW LEVEL SECURITY;
ALTER TABLE hours_policy FORCE ROW LEVEL SECURITY;
CREATE POLICY hours_policy_read ON hours_policy FOR SELECT
	USING (org_path <@ tcard_scope() OR org_path @> tcard_scope());
CREATE POLICY hours_policy_insert ON hours_policy FOR INSERT
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);
CREATE POLICY hours_policy_update ON hours_policy FOR UPDATE
	USING (org_path <@ tcard_scope() AND tcard_officer() IS NULL)
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

-- ---------------------------------------------------------------- privileges
-- The app role reads everything and writes only the columns a request may
-- set (derived columns and the maintained tables are the triggers' own); it
-- deletes nothing (revoke instead) and owns nothing. The evaluator writes its
-- results into officer_year_status. The read-only role reads.
GRANT SELECT ON training_session, attendance, hours_policy, hours_exemption, officer_year_total,
                officer_year_status, officer_year_total_recomputed, officer_year_total_drift,
                training_anomaly
	TO tcard_app, tcard_ro;
GRANT INSERT (code, title, org_id, category, form, platform, starts_at, ends_at, duration_minutes,
              declared_units, location),
      UPDATE (code, title, org_id, category, form, platform, starts_at, ends_at, duration_minutes,
              declared_units, location, version, updated_at)
	ON training_session TO tcard_app;
GRANT INSERT (session_id, officer_id, override_units, override_reason, revoked_at, revoked_reason,
              source_platform, source_record_id, source_completed_at, source_file),
      UPDATE (override_units, override_reason, revoked_at, revoked_reason, source_platform,
              source_record_id, source_completed_at, source_file, version, updated_at)
	ON attendance TO tcard_app;
GRANT INSERT (org_id, year, required_units, minutes_per_hour, excluded_categories, category_minima,
              platform_minima, prorate, min_months),
      UPDATE (required_units, minutes_per_hour, excluded_categories, category_minima,
              platform_minima, prorate, min_months, version, updated_at)
	ON hours_policy TO tcard_app;
GRANT INSERT (officer_id, year, kind, reduced_units, reason, approver),
      UPDATE (kind, reduced_units, reason, approver, revoked_at, revoked_reason, version, updated_at)
	ON hours_exemption TO tcard_app;
GRANT UPDATE (counted_units, required_units, status, shortfalls, evaluated_at, stale)
	ON officer_year_status TO tcard_app;

REVOKE EXECUTE ON FUNCTION training_scope_widen(), training_scope_restore(text[]),
                           officer_year_mark_stale(bigint[], integer[]),
                           officer_year_total_repair(), officer_year_status_ensure(integer)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION officer_year_status_ensure(integer) TO tcard_app;
GRANT EXECUTE ON FUNCTION training_year_of(timestamptz), training_day_of(timestamptz),
                          officer_in_post_during(date, text, date, integer),
                          attendance_credit_units(bigint, timestamptz, bigint),
                          attendance_credit_minutes(bigint, timestamptz, bigint, integer),
                          hours_minima_valid(jsonb, text, text[]),
                          training_year_closed(ltree, integer),
                          training_refuse_closed_year(ltree, integer),
                          hours_policy_for(ltree, integer)
	TO tcard_app, tcard_ro;
