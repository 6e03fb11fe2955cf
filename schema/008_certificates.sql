-- 008_certificates: enforcement certificates with the history of their
-- status, annual assessments, the closing of a training year, withdrawal
-- flags and the published cancellations (DOMAIN.md rules 8–10, issue 5).
-- Runs as the owner role in one transaction; never edit after it was applied.
--
-- Closing a year does not freeze its records: a platform's late records, an
-- approved exemption or a corrected assessment still land, and the flags of
-- the closed year are re-evaluated in the same transaction (their history
-- says so). training_year_closed (005) therefore keeps answering false.

-- ---------------------------------------------------------------- officers on a post
-- Whether the officer holds an enforcement post (在执法岗位): certificates
-- go to people on enforcement posts only (DOMAIN.md rule 8).
ALTER TABLE officer ADD COLUMN enforcement_post boolean NOT NULL DEFAULT true;

-- officer_record_history (001) with enforcement_post among the tracked fields.
CREATE OR REPLACE FUNCTION officer_record_history() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
	tracked CONSTANT text[] := ARRAY['national_id_masked', 'name', 'org_id', 'kind', 'post',
	                                 'status', 'status_date', 'hire_date', 'enforcement_post'];
	old_row jsonb;
	new_row jsonb := to_jsonb(NEW);
	before  jsonb := '{}';
	after   jsonb := '{}';
	field   text;
	kind    text := 'updated';
BEGIN
	IF TG_OP = 'INSERT' THEN
		FOREACH field IN ARRAY tracked LOOP
			after := after || jsonb_build_object(field, new_row -> field);
		END LOOP;
		kind := 'created';
		before := NULL;
	ELSE
		old_row := to_jsonb(OLD);
		FOREACH field IN ARRAY tracked LOOP
			IF old_row -> field IS DISTINCT FROM new_row -> field THEN
				before := before || jsonb_build_object(field, old_row -> field);
				after := after || jsonb_build_object(field, new_row -> field);
			END IF;
		END LOOP;
		IF after = '{}' THEN
			RETURN NULL;
		ELSIF after ? 'status' THEN
			kind := 'status';
		ELSIF after ? 'org_id' THEN
			kind := 'moved';
		END IF;
	END IF;
	INSERT INTO officer_history (officer_id, actor, request_id, change, before, after)
	VALUES (NEW.id, coalesce(nullif(current_setting('tcard.actor', true), ''), current_user),
	        nullif(current_setting('tcard.request_id', true), ''), kind, before, after);
	RETURN NULL;
END
$$;

-- ---------------------------------------------------------------- small shared functions
-- A name as the public sees it: the first and last character, '*' between
-- (张*明, 欧阳**明); a two-character name keeps its first (李*).
CREATE FUNCTION tcard_mask_name(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN length(name) <= 1 THEN name
	            WHEN length(name) = 2 THEN left(name, 1) || '*'
	            ELSE left(name, 1) || repeat('*', length(name) - 2) || right(name, 1) END
$$;

-- Any organisation's name, whatever the caller's scope (an issuing authority
-- usually sits above the unit that registers the certificate; names are
-- public). NULL when there is no such organisation.
CREATE FUNCTION tcard_org_name(org_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[] := training_scope_widen();
	found text;
BEGIN
	SELECT name INTO found FROM org WHERE id = org_id;
	PERFORM training_scope_restore(kept);
	RETURN found;
END
$$;

-- The request's actor, for the rows triggers write.
CREATE FUNCTION tcard_actor() RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT coalesce(nullif(current_setting('tcard.actor', true), ''), current_user::text) $$;

-- ---------------------------------------------------------------- certificates
-- The status changes a certificate may take (DOMAIN.md rule 8): suspended
-- (暂扣) comes back on reinstatement; withdrawn (收回) ends in cancellation;
-- cancelled (注销) is final. A lost certificate is cancelled with reason
-- 'lost', which publishes it.
CREATE TABLE certificate_transition (
	from_status text NOT NULL,
	to_status   text NOT NULL,
	CONSTRAINT certificate_transition_pkey PRIMARY KEY (from_status, to_status)
);
INSERT INTO certificate_transition (from_status, to_status) VALUES
	('valid', 'suspended'), ('valid', 'withdrawn'), ('valid', 'cancelled'),
	('suspended', 'valid'), ('suspended', 'withdrawn'), ('suspended', 'cancelled'),
	('withdrawn', 'cancelled');

-- Why a certificate's status changed:
--   transferred, resigned, dismissed, retired  the officer left the post
--   hours_short       training hours short after the year ended
--   assessment_fail   two consecutive failing annual assessments
--   not_eligible      an auxiliary, or not on an enforcement post
--   lost              lost (announced by the published cancellation)
--   expired           the validity ended
--   misconduct        violation of law or discipline
--   reinstated        a suspension ended (to valid only)
--   other
CREATE FUNCTION certificate_reason_valid(category text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT category IN ('transferred', 'resigned', 'dismissed', 'retired', 'hours_short',
	                    'assessment_fail', 'not_eligible', 'lost', 'expired', 'misconduct',
	                    'reinstated', 'other')
$$;

CREATE TABLE certificate (
	id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- 行政执法证号: letters, digits, Chinese characters and '-', as printed.
	number                 text NOT NULL CONSTRAINT certificate_number_key UNIQUE
	                       CONSTRAINT certificate_number_form
	                       CHECK (number ~ '^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff-]{3,39}$'),
	officer_id             bigint NOT NULL CONSTRAINT certificate_officer_id_fkey REFERENCES officer (id),
	org_path               ltree NOT NULL, -- the officer's org_path; kept by triggers
	issuing_org_id         bigint NOT NULL
	                       CONSTRAINT certificate_issuing_org_id_fkey REFERENCES org (id),
	-- The enforcement domain (执法类别, e.g. 城市管理) and area (执法区域).
	domain                 text NOT NULL CONSTRAINT certificate_domain_length
	                       CHECK (length(domain) BETWEEN 1 AND 100 AND domain = btrim(domain)),
	area                   text NOT NULL DEFAULT '' CONSTRAINT certificate_area_length
	                       CHECK (length(area) <= 100 AND area = btrim(area)),
	issued_on              date NOT NULL CONSTRAINT certificate_issued_on_range
	                       CHECK (issued_on >= '2000-01-01' AND issued_on < '2100-01-01'),
	expires_on             date NOT NULL,
	-- Who holds the card (持证): the unit's HR keeps it in custody (001 §4).
	custody                text NOT NULL DEFAULT 'unit_hr'
	                       CONSTRAINT certificate_custody_valid CHECK (custody IN ('unit_hr', 'officer')),
	status                 text NOT NULL DEFAULT 'valid' CONSTRAINT certificate_status_valid
	                       CHECK (status IN ('valid', 'suspended', 'withdrawn', 'cancelled')),
	-- The last status change: when (set by the trigger), why, and the flag
	-- whose review caused it; every change is kept in certificate_event.
	status_changed_at      timestamptz NOT NULL DEFAULT now(),
	status_reason_category text CONSTRAINT certificate_status_reason_category_valid
	                       CHECK (certificate_reason_valid(status_reason_category)),
	status_reason          text CONSTRAINT certificate_status_reason_length
	                       CHECK (length(status_reason) <= 500),
	status_flag_id         bigint,
	version                integer NOT NULL DEFAULT 1,
	created_at             timestamptz NOT NULL DEFAULT now(),
	updated_at             timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT certificate_expires_after_issue CHECK (expires_on > issued_on),
	-- Not valid: a reason is named. Valid: none, or the reinstatement.
	CONSTRAINT certificate_status_reason_fits
	CHECK (CASE WHEN status = 'valid'
	            THEN status_reason_category IS NULL OR status_reason_category = 'reinstated'
	            ELSE status_reason_category IS NOT NULL AND status_reason_category <> 'reinstated' END)
);
-- At most one live (valid or suspended) certificate per officer and domain.
CREATE UNIQUE INDEX certificate_live_per_domain ON certificate (officer_id, domain)
	WHERE status IN ('valid', 'suspended');
CREATE INDEX certificate_officer ON certificate (officer_id, id);
CREATE INDEX certificate_org_path_gist ON certificate USING gist (org_path);
CREATE INDEX certificate_status ON certificate (status, id);
CREATE INDEX certificate_expiry ON certificate (expires_on, id) WHERE status = 'valid';

-- Every status a certificate took: who, when, why, which flag caused it.
-- Written by certificate_record_event only.
CREATE TABLE certificate_event (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	certificate_id  bigint NOT NULL CONSTRAINT certificate_event_certificate_id_fkey
	                REFERENCES certificate (id),
	at              timestamptz NOT NULL DEFAULT now(),
	actor           text NOT NULL,
	request_id      text,
	from_status     text, -- NULL when issued
	to_status       text NOT NULL,
	reason_category text,
	reason          text,
	flag_id         bigint
);
CREATE INDEX certificate_event_certificate ON certificate_event (certificate_id, id);
-- The published list, newest first (a certificate is cancelled once: it is final).
CREATE INDEX certificate_event_cancelled ON certificate_event (id) WHERE to_status = 'cancelled';

-- Whether an officer may hold a live certificate (issue and reinstatement):
-- kind 'officer', active, on an enforcement post. Raises TC409 otherwise.
CREATE FUNCTION certificate_refuse_ineligible(o officer) RETURNS void
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
	IF o.kind <> 'officer' THEN
		RAISE EXCEPTION 'auxiliary staff hold no certificate'
			USING ERRCODE = 'TC409', CONSTRAINT = 'certificate_officer_auxiliary';
	ELSIF o.status <> 'active' THEN
		RAISE EXCEPTION 'the officer is no longer in post (%)', o.status
			USING ERRCODE = 'TC409', CONSTRAINT = 'certificate_officer_not_active';
	ELSIF NOT o.enforcement_post THEN
		RAISE EXCEPTION 'the officer is not on an enforcement post'
			USING ERRCODE = 'TC409', CONSTRAINT = 'certificate_officer_not_on_post';
	END IF;
END
$$;

-- Copies the officer's org_path (the officer must be visible; share-locked
-- so that a concurrent status change commits first and is seen here),
-- checks the issuing authority, the transition and the issuing rules, and
-- stamps the status change.
CREATE FUNCTION certificate_derive() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
	o officer;
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT * INTO o FROM officer WHERE id = NEW.officer_id FOR SHARE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'the officer does not exist'
				USING ERRCODE = 'TC422', CONSTRAINT = 'certificate_officer_exists';
		END IF;
		NEW.org_path := o.org_path;
		NEW.status_changed_at := now();
		IF NEW.status IN ('valid', 'suspended') THEN
			PERFORM certificate_refuse_ineligible(o);
		END IF;
	ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
		IF NOT EXISTS (SELECT FROM certificate_transition t
		                WHERE t.from_status = OLD.status AND t.to_status = NEW.status) THEN
			RAISE EXCEPTION 'a % certificate cannot become %', OLD.status, NEW.status
				USING ERRCODE = 'TC409', CONSTRAINT = 'certificate_transition';
		END IF;
		NEW.status_changed_at := now();
		IF NEW.status = 'valid' THEN
			SELECT * INTO o FROM officer WHERE id = NEW.officer_id FOR SHARE;
			PERFORM certificate_refuse_ineligible(o);
		END IF;
	ELSIF (NEW.status_reason_category, NEW.status_reason, NEW.status_flag_id)
	      IS DISTINCT FROM (OLD.status_reason_category, OLD.status_reason, OLD.status_flag_id) THEN
		RAISE EXCEPTION 'the reason of a status change is given with the change'
			USING ERRCODE = 'TC422', CONSTRAINT = 'certificate_reason_without_change';
	END IF;
	IF TG_OP = 'INSERT' OR NEW.issuing_org_id IS DISTINCT FROM OLD.issuing_org_id THEN
		IF tcard_org_name(NEW.issuing_org_id) IS NULL THEN
			RAISE EXCEPTION 'the issuing organisation does not exist'
				USING ERRCODE = 'TC422', CONSTRAINT = 'certificate_issuing_org_exists';
		END IF;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER certificate_derive
	BEFORE INSERT OR UPDATE OF officer_id, issuing_org_id, status, status_reason_category,
	                           status_reason, status_flag_id ON certificate
	FOR EACH ROW EXECUTE FUNCTION certificate_derive();

CREATE FUNCTION certificate_record_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
	INSERT INTO certificate_event (certificate_id, actor, request_id, from_status, to_status,
	                               reason_category, reason, flag_id)
	VALUES (NEW.id, tcard_actor(), nullif(current_setting('tcard.request_id', true), ''),
	        CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
	        NEW.status_reason_category, NEW.status_reason, NEW.status_flag_id);
	RETURN NULL;
END
$$;
CREATE TRIGGER certificate_record_event_insert AFTER INSERT ON certificate
	FOR EACH ROW EXECUTE FUNCTION certificate_record_event();
CREATE TRIGGER certificate_record_event_update AFTER UPDATE OF status ON certificate
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION certificate_record_event();

-- ---------------------------------------------------------------- certificate policy
-- What happens to the certificates of an officer who leaves the post: they
-- are withdrawn at once, and their cancellation is either queued for an
-- auditor's review (a 'left_post' flag) or done at once. The nearest
-- ancestor's setting applies; none means review.
CREATE TABLE certificate_policy (
	org_id            bigint NOT NULL CONSTRAINT certificate_policy_org_id_fkey REFERENCES org (id),
	org_path          ltree NOT NULL, -- copy of org.path; kept by triggers
	cancel_on_leaving text NOT NULL DEFAULT 'review'
	                  CONSTRAINT certificate_policy_cancel_on_leaving_valid
	                  CHECK (cancel_on_leaving IN ('review', 'immediate')),
	version           integer NOT NULL DEFAULT 1,
	created_at        timestamptz NOT NULL DEFAULT now(),
	updated_at        timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT certificate_policy_pkey PRIMARY KEY (org_id)
);
CREATE INDEX certificate_policy_org_path_gist ON certificate_policy USING gist (org_path);
CREATE TRIGGER certificate_policy_org_path BEFORE INSERT OR UPDATE OF org_id ON certificate_policy
	FOR EACH ROW EXECUTE FUNCTION tcard_copy_org_path('certificate_policy_org_exists');

-- The setting for a unit at org_path, under the caller's row-level security
-- (which shows every ancestor's).
CREATE FUNCTION certificate_policy_for(org_path ltree) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT coalesce((SELECT p.cancel_on_leaving FROM certificate_policy p
	                  WHERE p.org_path @> certificate_policy_for.org_path
	                  ORDER BY nlevel(p.org_path) DESC LIMIT 1), 'review')
$$;

-- ---------------------------------------------------------------- annual assessments
-- 年度考核: one grade per officer and year, with who recorded it.
CREATE TABLE annual_assessment (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	officer_id  bigint NOT NULL CONSTRAINT annual_assessment_officer_id_fkey REFERENCES officer (id),
	org_path    ltree NOT NULL, -- the officer's org_path; kept by triggers
	year        integer NOT NULL CONSTRAINT annual_assessment_year_range
	            CHECK (year BETWEEN 2000 AND 2099),
	grade       text NOT NULL CONSTRAINT annual_assessment_grade_valid
	            CHECK (grade IN ('excellent', 'pass', 'basic', 'fail')),
	note        text NOT NULL DEFAULT '' CONSTRAINT annual_assessment_note_length
	            CHECK (length(note) <= 500),
	recorded_by text NOT NULL, -- the request's actor, set by the trigger
	version     integer NOT NULL DEFAULT 1,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT annual_assessment_officer_year_key UNIQUE (officer_id, year)
);
CREATE INDEX annual_assessment_org_path_gist ON annual_assessment USING gist (org_path);
CREATE INDEX annual_assessment_fail ON annual_assessment (year, officer_id) WHERE grade = 'fail';

CREATE FUNCTION annual_assessment_derive() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	IF TG_OP = 'INSERT' OR NEW.officer_id IS DISTINCT FROM OLD.officer_id THEN
		SELECT org_path INTO NEW.org_path FROM officer WHERE id = NEW.officer_id FOR SHARE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'the officer does not exist'
				USING ERRCODE = 'TC422', CONSTRAINT = 'annual_assessment_officer_exists';
		END IF;
	END IF;
	NEW.recorded_by := tcard_actor();
	RETURN NEW;
END
$$;
CREATE TRIGGER annual_assessment_derive BEFORE INSERT OR UPDATE ON annual_assessment
	FOR EACH ROW EXECUTE FUNCTION annual_assessment_derive();

-- ---------------------------------------------------------------- closing a year
-- A training year closed for a subtree (org_id NULL and org_path '' = the
-- whole tree): its withdrawal flags were raised, and later changes to its
-- data re-evaluate them. Closing again re-evaluates and counts the closings.
CREATE TABLE training_year_close (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id      bigint CONSTRAINT training_year_close_org_id_fkey REFERENCES org (id),
	org_path    ltree NOT NULL, -- copy of org.path ('' for the whole tree); kept by triggers
	year        integer NOT NULL CONSTRAINT training_year_close_year_range
	            CHECK (year BETWEEN 2000 AND 2099),
	closed_at   timestamptz NOT NULL DEFAULT now(),
	closed_by   text NOT NULL, -- the last closing's actor, set by the trigger
	closings    integer NOT NULL DEFAULT 1,
	last_result jsonb NOT NULL DEFAULT '{}',
	version     integer NOT NULL DEFAULT 1,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT training_year_close_org_year_key UNIQUE (org_path, year)
);
CREATE INDEX training_year_close_org_path_gist ON training_year_close USING gist (org_path);

CREATE FUNCTION training_year_close_derive() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	IF NEW.org_id IS NULL THEN
		NEW.org_path := '';
	ELSE
		SELECT path INTO NEW.org_path FROM org WHERE id = NEW.org_id;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'the organisation does not exist'
				USING ERRCODE = 'TC422', CONSTRAINT = 'training_year_close_org_exists';
		END IF;
	END IF;
	NEW.closed_by := tcard_actor();
	RETURN NEW;
END
$$;
CREATE TRIGGER training_year_close_derive BEFORE INSERT OR UPDATE ON training_year_close
	FOR EACH ROW EXECUTE FUNCTION training_year_close_derive();

-- Whether year is closed for the unit at org_path (by it or an ancestor).
CREATE FUNCTION training_year_is_closed(org_path ltree, year integer) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT EXISTS (SELECT FROM training_year_close c
	                WHERE c.year = training_year_is_closed.year
	                  AND c.org_path @> training_year_is_closed.org_path)
$$;

-- ---------------------------------------------------------------- withdrawal flags
-- A reason to suspend, withdraw or cancel an officer's certificates (or to
-- recommend exit from the enforcement team), for an auditor to review:
--   hours_short            hours short after the year ended (hours,
--                          category or platform rule), per officer and year
--   assessment_fail_twice  the year's assessment and the year before's are
--                          'fail' (001 §5: exit recommended), per officer and year
--   left_post              a certificate not yet cancelled of an officer who
--                          left the post (the queued cancellation), per certificate
--   not_eligible           a live certificate held by an auxiliary or by
--                          someone not on an enforcement post, per certificate
-- holds says whether the condition still holds at the last evaluation;
-- state is the review: open → confirmed or dismissed by an auditor, open ⇄
-- lapsed by re-evaluation (the condition went away, or came back).
CREATE TABLE withdrawal_flag (
	id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	officer_id     bigint NOT NULL CONSTRAINT withdrawal_flag_officer_id_fkey REFERENCES officer (id),
	org_path       ltree NOT NULL, -- the officer's org_path; kept by triggers
	year           integer NOT NULL, -- the year evaluated; for certificate reasons, the year raised
	reason         text NOT NULL CONSTRAINT withdrawal_flag_reason_valid
	               CHECK (reason IN ('hours_short', 'assessment_fail_twice', 'left_post',
	                                 'not_eligible')),
	certificate_id bigint CONSTRAINT withdrawal_flag_certificate_id_fkey REFERENCES certificate (id),
	details        jsonb NOT NULL DEFAULT '{}',
	holds          boolean NOT NULL DEFAULT true,
	state          text NOT NULL DEFAULT 'open' CONSTRAINT withdrawal_flag_state_valid
	               CHECK (state IN ('open', 'confirmed', 'dismissed', 'lapsed')),
	review_action  text CONSTRAINT withdrawal_flag_review_action_valid
	               CHECK (review_action IN ('suspend', 'withdraw', 'cancel')),
	review_note    text CONSTRAINT withdrawal_flag_review_note_length
	               CHECK (length(review_note) <= 500),
	reviewed_by    text,
	reviewed_at    timestamptz,
	version        integer NOT NULL DEFAULT 1,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT withdrawal_flag_certificate_fits
	CHECK ((reason IN ('left_post', 'not_eligible')) = (certificate_id IS NOT NULL)),
	CONSTRAINT withdrawal_flag_review_fits
	CHECK (CASE state
	       WHEN 'confirmed' THEN review_action IS NOT NULL AND reviewed_at IS NOT NULL
	       WHEN 'dismissed' THEN review_action IS NULL AND reviewed_at IS NOT NULL
	                             AND coalesce(btrim(review_note), '') <> ''
	       ELSE review_action IS NULL AND reviewed_at IS NULL END)
);
-- Closing twice raises nothing twice.
CREATE UNIQUE INDEX withdrawal_flag_officer_year_key ON withdrawal_flag (officer_id, year, reason)
	WHERE certificate_id IS NULL;
CREATE UNIQUE INDEX withdrawal_flag_certificate_key ON withdrawal_flag (certificate_id, reason)
	WHERE certificate_id IS NOT NULL;
CREATE INDEX withdrawal_flag_org_path_gist ON withdrawal_flag USING gist (org_path);
CREATE INDEX withdrawal_flag_queue ON withdrawal_flag (state, year, reason, id);
CREATE INDEX withdrawal_flag_officer ON withdrawal_flag (officer_id, id);

ALTER TABLE certificate ADD CONSTRAINT certificate_status_flag_id_fkey
	FOREIGN KEY (status_flag_id) REFERENCES withdrawal_flag (id);

-- Everything that happened to a flag. Written by the evaluation and the review triggers.
CREATE TABLE withdrawal_flag_event (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	flag_id    bigint NOT NULL CONSTRAINT withdrawal_flag_event_flag_id_fkey
	           REFERENCES withdrawal_flag (id),
	at         timestamptz NOT NULL DEFAULT now(),
	actor      text NOT NULL,
	request_id text,
	event      text NOT NULL CONSTRAINT withdrawal_flag_event_event_valid
	           CHECK (event IN ('raised', 'reevaluated', 'lapsed', 'reopened', 'confirmed',
	                            'dismissed')),
	holds      boolean NOT NULL,
	details    jsonb,
	note       text
);
CREATE INDEX withdrawal_flag_event_flag ON withdrawal_flag_event (flag_id, id);

-- The review: open → confirmed | dismissed, lapsed → dismissed; open ⇄
-- lapsed belongs to the evaluation. Stamps who reviewed and when.
CREATE FUNCTION withdrawal_flag_review() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	IF NEW.state IS DISTINCT FROM OLD.state THEN
		IF NOT (OLD.state, NEW.state) IN (('open', 'confirmed'), ('open', 'dismissed'),
		                                  ('lapsed', 'dismissed'), ('open', 'lapsed'),
		                                  ('lapsed', 'open')) THEN
			RAISE EXCEPTION 'a % flag cannot become %', OLD.state, NEW.state
				USING ERRCODE = 'TC409', CONSTRAINT = 'withdrawal_flag_review';
		END IF;
		IF NEW.state IN ('confirmed', 'dismissed') THEN
			NEW.reviewed_by := tcard_actor();
			NEW.reviewed_at := now();
		END IF;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER withdrawal_flag_review BEFORE UPDATE OF state ON withdrawal_flag
	FOR EACH ROW EXECUTE FUNCTION withdrawal_flag_review();

CREATE FUNCTION withdrawal_flag_record_review() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
	INSERT INTO withdrawal_flag_event (flag_id, actor, request_id, event, holds, details, note)
	VALUES (NEW.id, tcard_actor(), nullif(current_setting('tcard.request_id', true), ''),
	        NEW.state, NEW.holds,
	        CASE WHEN NEW.review_action IS NOT NULL
	             THEN jsonb_build_object('action', NEW.review_action) END,
	        NEW.review_note);
	RETURN NULL;
END
$$;
CREATE TRIGGER withdrawal_flag_record_review AFTER UPDATE OF state ON withdrawal_flag
	FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state
	                   AND NEW.state IN ('confirmed', 'dismissed'))
	EXECUTE FUNCTION withdrawal_flag_record_review();

-- The conditions that hold now for officers within scope_path (and among
-- officers, when given): hours and assessments of year, certificates
-- whatever the year. reasons limits the kinds computed. Under the caller's
-- row-level security. hours_short needs the year to have ended, and reads
-- the stored evaluation (a closing refreshes it first).
CREATE FUNCTION withdrawal_conditions(scope_path ltree, officers bigint[], year integer,
                                      reasons text[])
RETURNS TABLE (officer_id bigint, org_path ltree, reason text, certificate_id bigint,
               details jsonb)
LANGUAGE sql STABLE
AS $$
	SELECT s.officer_id, s.org_path, 'hours_short', NULL::bigint,
	       jsonb_build_object('counted_units', s.counted_units,
	                          'required_units', s.required_units, 'shortfalls', s.shortfalls)
	  FROM officer_year_status s
	 WHERE 'hours_short' = ANY (reasons)
	   AND s.year = withdrawal_conditions.year
	   AND s.year < training_year_of(now())
	   AND s.status IN ('short', 'at_risk')
	   AND s.org_path <@ scope_path
	   AND (officers IS NULL OR s.officer_id = ANY (officers))
	UNION ALL
	SELECT a.officer_id, a.org_path, 'assessment_fail_twice', NULL,
	       jsonb_build_object('years', jsonb_build_array(p.year, a.year))
	  FROM annual_assessment a
	  JOIN annual_assessment p
	    ON p.officer_id = a.officer_id AND p.year = a.year - 1 AND p.grade = 'fail'
	 WHERE 'assessment_fail_twice' = ANY (reasons)
	   AND a.year = withdrawal_conditions.year
	   AND a.grade = 'fail'
	   AND a.org_path <@ scope_path
	   AND (officers IS NULL OR a.officer_id = ANY (officers))
	UNION ALL
	SELECT c.officer_id, c.org_path,
	       CASE WHEN o.status <> 'active' THEN 'left_post' ELSE 'not_eligible' END, c.id,
	       jsonb_build_object('certificate_number', c.number, 'officer_status', o.status,
	                          'officer_kind', o.kind, 'enforcement_post', o.enforcement_post)
	  FROM certificate c
	  JOIN officer o ON o.id = c.officer_id
	 WHERE ((o.status <> 'active' AND c.status <> 'cancelled' AND 'left_post' = ANY (reasons))
	        OR (o.status = 'active' AND c.status IN ('valid', 'suspended')
	            AND (o.kind = 'auxiliary' OR NOT o.enforcement_post)
	            AND 'not_eligible' = ANY (reasons)))
	   AND c.org_path <@ scope_path
	   AND (officers IS NULL OR c.officer_id = ANY (officers))
$$;

-- Brings the flags of scope_path (and officers, when given) for year and
-- reasons in line with the conditions, in one statement: a condition
-- without a flag raises one; an open flag whose condition went away lapses
-- and comes back open when it returns; an open flag's details follow. A
-- reviewed flag keeps its decision; its holds follows, and for hours and
-- assessments a 'reevaluated' event says what changed. Every change leaves
-- an event. Returns {raised, lapsed, reopened, reevaluated, holding}.
-- The scope must lie within the request's.
CREATE FUNCTION withdrawal_flag_evaluate(scope_path ltree, officers bigint[], year integer,
                                         reasons text[]) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept   text[];
	result jsonb;
BEGIN
	IF tcard_scope() IS NULL OR NOT (scope_path <@ tcard_scope()) THEN
		RAISE EXCEPTION 'flags outside the request''s scope'
			USING ERRCODE = 'TC404', CONSTRAINT = 'withdrawal_flag_scope';
	END IF;
	kept := training_scope_widen();
	WITH cond AS (
		SELECT c.*, CASE WHEN c.certificate_id IS NULL THEN -c.officer_id
		                 ELSE c.certificate_id END AS k
		  FROM withdrawal_conditions(scope_path, officers, year, reasons) c
	), existing AS (
		SELECT f.id, f.state, f.holds, f.details, f.reason,
		       CASE WHEN f.certificate_id IS NULL THEN -f.officer_id ELSE f.certificate_id END AS k
		  FROM withdrawal_flag f
		 WHERE f.reason = ANY (reasons)
		   AND f.org_path <@ scope_path
		   AND (officers IS NULL OR f.officer_id = ANY (officers))
		   AND (f.certificate_id IS NOT NULL OR f.year = withdrawal_flag_evaluate.year)
	), matched AS (
		SELECT e.id, e.state AS old_state, e.holds AS old_holds, e.details AS old_details,
		       coalesce(e.reason, c.reason) AS flag_reason, c.officer_id, c.org_path,
		       c.reason, c.certificate_id, c.details
		  FROM existing e
		  FULL JOIN cond c ON c.reason = e.reason AND c.k = e.k
	), raised AS (
		INSERT INTO withdrawal_flag (officer_id, org_path, year, reason, certificate_id, details)
		SELECT m.officer_id, m.org_path, withdrawal_flag_evaluate.year, m.reason,
		       m.certificate_id, m.details
		  FROM matched m
		 WHERE m.id IS NULL
		 ORDER BY m.officer_id, m.reason, m.certificate_id
		ON CONFLICT DO NOTHING
		RETURNING id, details
	), changed AS (
		UPDATE withdrawal_flag f
		   SET holds = m.reason IS NOT NULL,
		       details = coalesce(m.details, f.details),
		       state = CASE WHEN f.state = 'open' AND m.reason IS NULL THEN 'lapsed'
		                    WHEN f.state = 'lapsed' AND m.reason IS NOT NULL THEN 'open'
		                    ELSE f.state END,
		       version = f.version + 1, updated_at = now()
		  FROM matched m
		 WHERE m.id = f.id
		   AND (m.old_holds <> (m.reason IS NOT NULL) OR m.old_details <> m.details)
		RETURNING f.id, m.old_state, f.state, f.holds, f.details, f.reason
	), happened AS (
		SELECT r.id, 'raised' AS event, true AS holds, r.details FROM raised r
		UNION ALL
		SELECT c.id, CASE WHEN c.state = 'lapsed' AND c.old_state = 'open' THEN 'lapsed'
		                  WHEN c.state = 'open' AND c.old_state = 'lapsed' THEN 'reopened'
		                  ELSE 'reevaluated' END,
		       c.holds, c.details
		  FROM changed c
		 WHERE c.old_state IN ('open', 'lapsed') OR c.reason IN ('hours_short', 'assessment_fail_twice')
	), events AS (
		-- No RETURNING: it would have to pass the read policy, whose subquery
		-- cannot see the flags this statement raised.
		INSERT INTO withdrawal_flag_event (flag_id, actor, request_id, event, holds, details)
		SELECT h.id, tcard_actor(), nullif(current_setting('tcard.request_id', true), ''),
		       h.event, h.holds, h.details
		  FROM happened h
	)
	SELECT jsonb_build_object(
	       'raised', (SELECT count(*) FROM happened WHERE event = 'raised'),
	       'lapsed', (SELECT count(*) FROM happened WHERE event = 'lapsed'),
	       'reopened', (SELECT count(*) FROM happened WHERE event = 'reopened'),
	       'reevaluated', (SELECT count(*) FROM happened WHERE event = 'reevaluated'),
	       'holding', (SELECT count(*) FROM matched WHERE reason IS NOT NULL))
	  INTO result;
	PERFORM training_scope_restore(kept);
	RETURN result;
END
$$;

-- Confirms an open flag with an action, applied in the same transaction to
-- the flag's certificate, or (hours and assessments) to every live
-- certificate of the officer that is not in the target status already.
-- Returns the flag and the certificates changed, or NULL when the flag is
-- not visible. A reviewed flag raises TC409 withdrawal_flag_review; a
-- certificate that cannot take the action raises TC409
-- certificate_transition naming the allowed actions.
CREATE FUNCTION withdrawal_flag_confirm(flag_id bigint, action text, note text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
	f        withdrawal_flag;
	target   text := CASE action WHEN 'suspend' THEN 'suspended' WHEN 'withdraw' THEN 'withdrawn'
	                             WHEN 'cancel' THEN 'cancelled' END;
	category text;
	blocked  record;
	changed  jsonb;
BEGIN
	SELECT * INTO f FROM withdrawal_flag WHERE id = flag_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF f.state <> 'open' THEN
		RAISE EXCEPTION 'the flag is % already: only an open flag is confirmed', f.state
			USING ERRCODE = 'TC409', CONSTRAINT = 'withdrawal_flag_review';
	END IF;
	category := CASE f.reason
		WHEN 'hours_short' THEN 'hours_short'
		WHEN 'assessment_fail_twice' THEN 'assessment_fail'
		WHEN 'not_eligible' THEN 'not_eligible'
		ELSE (SELECT CASE WHEN o.status = 'active' THEN 'other' ELSE o.status END
		        FROM officer o WHERE o.id = f.officer_id) END;
	SELECT c.number, c.status,
	       (SELECT string_agg(CASE t.to_status WHEN 'suspended' THEN 'suspend'
	                                            WHEN 'withdrawn' THEN 'withdraw'
	                                            WHEN 'cancelled' THEN 'cancel' END, ', '
	                          ORDER BY t.to_status DESC)
	          FROM certificate_transition t
	         WHERE t.from_status = c.status AND t.to_status <> 'valid') AS allowed
	  INTO blocked
	  FROM certificate c
	 WHERE (c.id = f.certificate_id
	        OR (f.certificate_id IS NULL AND c.officer_id = f.officer_id
	            AND c.status IN ('valid', 'suspended')))
	   AND c.status <> target
	   AND NOT EXISTS (SELECT FROM certificate_transition t
	                    WHERE t.from_status = c.status AND t.to_status = target)
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'certificate % is %: allowed actions: %', blocked.number, blocked.status,
		                coalesce(blocked.allowed, 'none')
			USING ERRCODE = 'TC409', CONSTRAINT = 'certificate_transition';
	END IF;
	UPDATE withdrawal_flag
	   SET state = 'confirmed', review_action = action, review_note = nullif(note, ''),
	       version = version + 1, updated_at = now()
	 WHERE id = f.id;
	WITH done AS (
		UPDATE certificate c
		   SET status = target, status_reason_category = category,
		       status_reason = coalesce(nullif(note, ''), '复核确认 / confirmed on review'),
		       status_flag_id = f.id, version = c.version + 1, updated_at = now()
		 WHERE (c.id = f.certificate_id
		        OR (f.certificate_id IS NULL AND c.officer_id = f.officer_id
		            AND c.status IN ('valid', 'suspended')))
		   AND c.status <> target
		RETURNING c.id, c.number, c.status)
	SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'number', number, 'status', status)
	                ORDER BY id), '[]')
	  INTO changed
	  FROM done;
	RETURN jsonb_build_object('flag_id', f.id, 'certificates', changed);
END
$$;

-- ---------------------------------------------------------------- re-evaluation triggers
-- A closed year's evaluation changed (a late record, an exemption, a policy):
-- its hours flags follow.
CREATE FUNCTION officer_year_status_reevaluate_flags() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[];
	r    record;
BEGIN
	kept := training_scope_widen();
	IF EXISTS (SELECT FROM training_year_close) THEN
		FOR r IN SELECT n.year, array_agg(n.officer_id ORDER BY n.officer_id) AS officers
		           FROM new_rows n
		           JOIN old_rows o ON o.officer_id = n.officer_id AND o.year = n.year
		          WHERE NOT n.stale
		            AND (o.status, o.counted_units, o.required_units, o.shortfalls)
		                IS DISTINCT FROM (n.status, n.counted_units, n.required_units, n.shortfalls)
		            AND training_year_is_closed(n.org_path, n.year)
		          GROUP BY n.year LOOP
			PERFORM withdrawal_flag_evaluate('', r.officers, r.year, ARRAY['hours_short']);
		END LOOP;
	END IF;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER officer_year_status_reevaluate_flags AFTER UPDATE ON officer_year_status
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION officer_year_status_reevaluate_flags();

-- A changed assessment of year Y concerns the flags of Y and Y + 1, where closed.
CREATE FUNCTION annual_assessment_reevaluate_flags() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[];
	r    record;
BEGIN
	kept := training_scope_widen();
	IF EXISTS (SELECT FROM training_year_close) THEN
		FOR r IN SELECT k.year, array_agg(DISTINCT k.officer_id) AS officers
		           FROM new_rows n
		          CROSS JOIN LATERAL (VALUES (n.officer_id, n.year, n.org_path),
		                                     (n.officer_id, n.year + 1, n.org_path))
		                AS k (officer_id, year, org_path)
		          WHERE training_year_is_closed(k.org_path, k.year)
		          GROUP BY k.year LOOP
			PERFORM withdrawal_flag_evaluate('', r.officers, r.year,
			                                 ARRAY['assessment_fail_twice']);
		END LOOP;
	END IF;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER annual_assessment_reevaluate_flags_insert AFTER INSERT ON annual_assessment
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION annual_assessment_reevaluate_flags();
CREATE TRIGGER annual_assessment_reevaluate_flags_update AFTER UPDATE ON annual_assessment
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION annual_assessment_reevaluate_flags();

-- Certificate flags are live: a certificate issued, or changing status,
-- re-evaluates its officer's certificate flags at once.
CREATE FUNCTION certificate_reevaluate_flags() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept     text[] := training_scope_widen();
	officers bigint[];
BEGIN
	SELECT array_agg(DISTINCT officer_id) INTO officers FROM new_rows;
	IF officers IS NOT NULL THEN
		PERFORM withdrawal_flag_evaluate('', officers, training_year_of(now()),
		                                 ARRAY['left_post', 'not_eligible']);
	END IF;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER certificate_reevaluate_flags_insert AFTER INSERT ON certificate
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION certificate_reevaluate_flags();
CREATE TRIGGER certificate_reevaluate_flags_update AFTER UPDATE ON certificate
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION certificate_reevaluate_flags();

-- An officer's copies follow its moves. Leaving the post (transferred,
-- resigned, dismissed, retired) withdraws every live certificate in the same
-- transaction — or cancels it, where the certificate policy says
-- 'immediate' — and the evaluation queues the cancellation as a 'left_post'
-- flag. A change of status, kind or post re-evaluates the certificate flags.
CREATE FUNCTION officer_certificates_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept     text[] := training_scope_widen();
	officers bigint[];
BEGIN
	UPDATE certificate c SET org_path = n.org_path
	  FROM new_rows n WHERE c.officer_id = n.id AND c.org_path IS DISTINCT FROM n.org_path;
	UPDATE annual_assessment a SET org_path = n.org_path
	  FROM new_rows n WHERE a.officer_id = n.id AND a.org_path IS DISTINCT FROM n.org_path;
	UPDATE withdrawal_flag f SET org_path = n.org_path
	  FROM new_rows n WHERE f.officer_id = n.id AND f.org_path IS DISTINCT FROM n.org_path;

	UPDATE certificate c
	   SET status = CASE WHEN certificate_policy_for(n.org_path) = 'immediate' THEN 'cancelled'
	                     ELSE 'withdrawn' END,
	       status_reason_category = n.status,
	       status_reason = CASE WHEN certificate_policy_for(n.org_path) = 'immediate'
	                            THEN '离岗，执法证注销 / left the post: certificate cancelled'
	                            ELSE '离岗，执法证收回 / left the post: certificate withdrawn' END,
	       status_flag_id = NULL, version = c.version + 1, updated_at = now()
	  FROM new_rows n
	  JOIN old_rows o ON o.id = n.id
	 WHERE c.officer_id = n.id AND o.status = 'active' AND n.status <> 'active'
	   AND c.status IN ('valid', 'suspended');

	SELECT array_agg(n.id ORDER BY n.id) INTO officers
	  FROM new_rows n
	  JOIN old_rows o ON o.id = n.id
	 WHERE (o.status, o.kind, o.enforcement_post) IS DISTINCT FROM (n.status, n.kind, n.enforcement_post)
	   AND EXISTS (SELECT FROM certificate c WHERE c.officer_id = n.id);
	IF officers IS NOT NULL THEN
		PERFORM withdrawal_flag_evaluate('', officers, training_year_of(now()),
		                                 ARRAY['left_post', 'not_eligible']);
	END IF;
	PERFORM training_scope_restore(kept);
	RETURN NULL;
END
$$;
CREATE TRIGGER officer_certificates_follow AFTER UPDATE ON officer
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION officer_certificates_follow();

-- ---------------------------------------------------------------- closing, step by step
-- Before tcardd refreshes the evaluations: every officer in post that year
-- has a status row, and rows evaluated before the year ended (while "at
-- risk" still meant something) are marked stale. Under the caller's scope;
-- scope_path must lie within it.
CREATE FUNCTION training_year_close_prepare(scope_path ltree, year integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept   text[];
	marked bigint;
BEGIN
	IF tcard_scope() IS NULL OR NOT (scope_path <@ tcard_scope()) THEN
		RAISE EXCEPTION 'outside the request''s scope'
			USING ERRCODE = 'TC404', CONSTRAINT = 'training_year_close_scope';
	END IF;
	IF year >= training_year_of(now()) THEN
		RAISE EXCEPTION 'the year % has not ended', year
			USING ERRCODE = 'TC409', CONSTRAINT = 'training_year_not_ended';
	END IF;
	kept := training_scope_widen();
	INSERT INTO officer_year_status AS s (officer_id, year, org_path)
	SELECT o.id, training_year_close_prepare.year, o.org_path
	  FROM officer o
	 WHERE o.org_path <@ scope_path
	   AND officer_in_post_during(o.hire_date, o.status, o.status_date,
	                              training_year_close_prepare.year)
	 ORDER BY 1
	ON CONFLICT ON CONSTRAINT officer_year_status_pkey DO NOTHING;
	UPDATE officer_year_status s SET stale = true, generation = s.generation + 1
	 WHERE s.year = training_year_close_prepare.year AND s.org_path <@ scope_path
	   AND NOT s.stale
	   AND s.evaluated_at < make_timestamptz(training_year_close_prepare.year + 1, 1, 1, 0, 0, 0,
	                                         'Asia/Shanghai');
	GET DIAGNOSTICS marked = ROW_COUNT;
	PERFORM training_scope_restore(kept);
	RETURN marked;
END
$$;

-- After the refresh: evaluates every flag of the year in the subtree and
-- records the closing. Returns the closing as JSON with the evaluation's counts.
CREATE FUNCTION training_year_close_finish(close_org_id bigint, scope_path ltree, year integer)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
	counts jsonb;
	closed training_year_close;
BEGIN
	counts := withdrawal_flag_evaluate(scope_path, NULL, year,
	                                   ARRAY['hours_short', 'assessment_fail_twice', 'left_post',
	                                         'not_eligible']);
	INSERT INTO training_year_close AS c (org_id, year, last_result)
	VALUES (close_org_id, year, counts)
	ON CONFLICT ON CONSTRAINT training_year_close_org_year_key DO UPDATE
	   SET closings = c.closings + 1, closed_at = now(), last_result = EXCLUDED.last_result,
	       version = c.version + 1, updated_at = now()
	RETURNING * INTO closed;
	RETURN jsonb_build_object('id', closed.id, 'org_id', closed.org_id, 'year', closed.year,
	                          'closed_at', closed.closed_at, 'closed_by', closed.closed_by,
	                          'closings', closed.closings, 'flags', counts);
END
$$;

-- ---------------------------------------------------------------- published cancellations
-- The cancellations anyone may read (002 §4; lost certificates, 004 §3):
-- certificate number, masked name, unit, date and reason category, newest
-- first, after the event id after_event (0 = from the newest). Nothing more
-- personal. Runs for a caller with no scope at all.
CREATE FUNCTION public_cancelled_certificates(after_event bigint, page_size integer)
RETURNS TABLE (event_id bigint, number text, name_masked text, unit text, cancelled_on date,
               reason_category text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[] := training_scope_widen();
BEGIN
	RETURN QUERY
	SELECT e.id, c.number, tcard_mask_name(o.name), g.name, training_day_of(e.at),
	       CASE WHEN e.reason_category IN ('transferred', 'resigned', 'dismissed', 'retired',
	                                       'hours_short', 'assessment_fail', 'not_eligible',
	                                       'lost', 'expired', 'misconduct')
	            THEN e.reason_category ELSE 'other' END
	  FROM certificate_event e
	  JOIN certificate c ON c.id = e.certificate_id
	  JOIN officer o ON o.id = c.officer_id
	  JOIN org g ON g.id = o.org_id
	 WHERE e.to_status = 'cancelled'
	   AND (after_event = 0 OR e.id < after_event)
	 ORDER BY e.id DESC
	 LIMIT least(greatest(page_size, 1), 500);
	PERFORM training_scope_restore(kept);
END
$$;

-- ---------------------------------------------------------------- audit
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON certificate
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'status_changed_at');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON certificate_policy
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON annual_assessment
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'recorded_by');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON training_year_close
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'closed_at',
	                                               'closed_by');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON withdrawal_flag
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'details',
	                                               'reviewed_at');

-- ---------------------------------------------------------------- row-level security
-- Certificates, assessments and flags: by the officer's unit; an officer
-- reads its own and writes nothing.
ALTER TABLE certificate ENABLE ROW LEVEL SECURITY;
ALTER TABLE certificate FORCE ROW LEVEL SECURITY;
CREATE POLICY certificate_in_scope ON certificate
	USING (org_path <@ tcard_scope() AND (tcard_officer() IS NULL OR officer_id = tcard_officer()))
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

ALTER TABLE certificate_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE certificate_event FORCE ROW LEVEL SECURITY;
CREATE POLICY certificate_event_in_scope ON certificate_event FOR SELECT
	USING (EXISTS (SELECT FROM certificate c WHERE c.id = certificate_event.certificate_id));
-- Histories are written by the owner's triggers only (the app role may not
-- insert): in the statement that changed the row, which a policy's subquery
-- may not see yet.
CREATE POLICY certificate_event_insert ON certificate_event FOR INSERT WITH CHECK (true);

ALTER TABLE annual_assessment ENABLE ROW LEVEL SECURITY;
ALTER TABLE annual_assessment FORCE ROW LEVEL SECURITY;
CREATE POLICY annual_assessment_in_scope ON annual_assessment
	USING (org_path <@ tcard_scope() AND (tcard_officer() IS NULL OR officer_id = tcard_officer()))
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

ALTER TABLE withdrawal_flag ENABLE ROW LEVEL SECURITY;
ALTER TABLE withdrawal_flag FORCE ROW LEVEL SECURITY;
CREATE POLICY withdrawal_flag_in_scope ON withdrawal_flag
	USING (org_path <@ tcard_scope() AND (tcard_officer() IS NULL OR officer_id = tcard_officer()))
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

ALTER TABLE withdrawal_flag_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE withdrawal_flag_event FORCE ROW LEVEL SECURITY;
CREATE POLICY withdrawal_flag_event_in_scope ON withdrawal_flag_event FOR SELECT
	USING (EXISTS (SELECT FROM withdrawal_flag f WHERE f.id = withdrawal_flag_event.flag_id));
CREATE POLICY withdrawal_flag_event_insert ON withdrawal_flag_event FOR INSERT WITH CHECK (true);

-- Settings and closings: readable in scope and from every ancestor (the one
-- that applies may sit above the reader); written in scope only.
ALTER TABLE certificate_policy ENABLE ROW LEVEL SECURITY;
ALTER TABLE certificate_policy FORCE ROW LEVEL SECURITY;
CREATE POLICY certificate_policy_read ON certificate_policy FOR SELECT
	USING (org_path <@ tcard_scope() OR org_path @> tcard_scope());
CREATE POLICY certificate_policy_insert ON certificate_policy FOR INSERT
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);
CREATE POLICY certificate_policy_update ON certificate_policy FOR UPDATE
	USING (org_path <@ tcard_scope() AND tcard_officer() IS NULL)
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

ALTER TABLE training_year_close ENABLE ROW LEVEL SECURITY;
ALTER TABLE training_year_close FORCE ROW LEVEL SECURITY;
CREATE POLICY training_year_close_read ON training_year_close FOR SELECT
	USING (org_path <@ tcard_scope() OR org_path @> tcard_scope());
CREATE POLICY training_year_close_insert ON training_year_close FOR INSERT
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);
CREATE POLICY training_year_close_update ON training_year_close FOR UPDATE
	USING (org_path <@ tcard_scope() AND tcard_officer() IS NULL)
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

-- ---------------------------------------------------------------- privileges
-- The app role reads, and writes only the columns a request may set; the
-- histories, flags' conditions and derived columns are the triggers' own.
GRANT SELECT ON certificate, certificate_event, certificate_transition, certificate_policy,
                annual_assessment, training_year_close, withdrawal_flag, withdrawal_flag_event
	TO tcard_app, tcard_ro;
GRANT INSERT (number, officer_id, issuing_org_id, domain, area, issued_on, expires_on, custody,
              status, status_reason_category, status_reason),
      UPDATE (issuing_org_id, domain, area, issued_on, expires_on, custody, status,
              status_reason_category, status_reason, status_flag_id, version, updated_at)
	ON certificate TO tcard_app;
GRANT INSERT (org_id, cancel_on_leaving), UPDATE (cancel_on_leaving, version, updated_at)
	ON certificate_policy TO tcard_app;
GRANT INSERT (officer_id, year, grade, note), UPDATE (grade, note, version, updated_at)
	ON annual_assessment TO tcard_app;
GRANT INSERT (org_id, year, last_result),
      UPDATE (closings, closed_at, last_result, version, updated_at)
	ON training_year_close TO tcard_app;
GRANT UPDATE (state, review_action, review_note, version, updated_at) ON withdrawal_flag TO tcard_app;

REVOKE EXECUTE ON FUNCTION tcard_org_name(bigint), withdrawal_flag_evaluate(ltree, bigint[], integer, text[]),
                           training_year_close_prepare(ltree, integer),
                           public_cancelled_certificates(bigint, integer)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tcard_mask_name(text), tcard_org_name(bigint), tcard_actor(),
                          certificate_reason_valid(text), certificate_policy_for(ltree),
                          training_year_is_closed(ltree, integer),
                          withdrawal_conditions(ltree, bigint[], integer, text[]),
                          withdrawal_flag_evaluate(ltree, bigint[], integer, text[]),
                          withdrawal_flag_confirm(bigint, text, text),
                          training_year_close_prepare(ltree, integer),
                          training_year_close_finish(bigint, ltree, integer),
                          public_cancelled_certificates(bigint, integer)
	TO tcard_app;
GRANT EXECUTE ON FUNCTION tcard_mask_name(text), certificate_reason_valid(text),
                          certificate_policy_for(ltree), training_year_is_closed(ltree, integer),
                          withdrawal_conditions(ltree, bigint[], integer, text[])
	TO tcard_ro;
