-- 001_foundation: database roles, extensions, the organisation tree and officers
-- with their change history, under row-level security (SECURITY.md 2, 10).
-- Runs as the owner role in one transaction; never edit after it was applied.

-- Roles are cluster-wide: the embedded cluster creates them at initdb; an
-- operator's database may have them already (deploy/README: roles.sql).
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tcard_app') THEN
		CREATE ROLE tcard_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tcard_ro') THEN
		CREATE ROLE tcard_ro NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
	END IF;
END
$$;

CREATE EXTENSION IF NOT EXISTS ltree;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO tcard_app, tcard_ro;

-- The request's organisation scope, set per transaction by tcardd
-- (set_config('tcard.scope', …, true)): 'all', or an ltree path such as '1.4.17'.
-- Unset or empty means NULL, and `x <@ NULL` admits no row: an unset scope sees nothing.
CREATE FUNCTION tcard_scope() RETURNS ltree
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT CASE coalesce(current_setting('tcard.scope', true), '')
		WHEN '' THEN NULL
		WHEN 'all' THEN ''::ltree
		ELSE current_setting('tcard.scope', true)::ltree
	END
$$;

-- Escapes LIKE wildcards so that user text is matched literally.
CREATE FUNCTION tcard_like_escape(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT replace(replace(replace($1, '\', '\\'), '%', '\%'), '_', '\_') $$;

-- ---------------------------------------------------------------- organisations
CREATE TABLE org (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code        text NOT NULL CONSTRAINT org_code_key UNIQUE
	            CONSTRAINT org_code_form CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
	name        text NOT NULL CONSTRAINT org_name_length CHECK (length(name) BETWEEN 1 AND 100),
	kind        text NOT NULL CONSTRAINT org_kind_valid
	            CHECK (kind IN ('province', 'city', 'county', 'town', 'department')),
	parent_id   bigint REFERENCES org (id),
	-- Materialised path of ids, root first ('1.4.17'): subtree = `path <@ x`,
	-- index-backed; maintained by org_set_path.
	path        ltree NOT NULL CONSTRAINT org_path_key UNIQUE,
	region_code text CONSTRAINT org_region_code_form CHECK (region_code ~ '^[1-8][0-9]{5}$'),
	credit_code text CONSTRAINT org_credit_code_key UNIQUE
	            CONSTRAINT org_credit_code_form CHECK (credit_code ~ '^[0-9A-HJ-NP-RTUWXY]{18}$'),
	version     integer NOT NULL DEFAULT 1,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT org_not_own_parent CHECK (parent_id <> id)
);
CREATE INDEX org_path_gist ON org USING gist (path);
CREATE INDEX org_parent ON org (parent_id);

-- Computes path from the parent; refuses a parent inside the org's own subtree.
CREATE FUNCTION org_set_path() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
	parent_path ltree;
BEGIN
	IF NEW.parent_id IS NULL THEN
		NEW.path := NEW.id::text::ltree;
	ELSE
		SELECT path INTO parent_path FROM org WHERE id = NEW.parent_id;
		IF parent_path IS NULL THEN
			RAISE EXCEPTION 'the parent organisation does not exist'
				USING ERRCODE = 'TC422', CONSTRAINT = 'org_parent_exists';
		END IF;
		IF TG_OP = 'UPDATE' AND parent_path <@ OLD.path THEN
			RAISE EXCEPTION 'an organisation cannot move under its own subtree'
				USING ERRCODE = 'TC422', CONSTRAINT = 'org_parent_cycle';
		END IF;
		NEW.path := parent_path || NEW.id::text;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER org_set_path BEFORE INSERT OR UPDATE OF parent_id ON org
	FOR EACH ROW EXECUTE FUNCTION org_set_path();

-- A moved organisation carries its subtree and its officers along: each org
-- whose path changed moves its own officers and its direct children, whose
-- paths change in turn (one level per trigger call, as deep as the tree).
-- Not `UPDATE OF path`: path is set by the BEFORE trigger, never listed in the
-- UPDATE's SET, and a column trigger only sees columns named there.
CREATE FUNCTION org_move_subtree() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	UPDATE org SET path = NEW.path || id::text WHERE parent_id = NEW.id;
	UPDATE officer SET org_path = NEW.path WHERE org_id = NEW.id;
	RETURN NULL;
END
$$;
CREATE TRIGGER org_move_subtree AFTER UPDATE ON org
	FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
	EXECUTE FUNCTION org_move_subtree();

-- ---------------------------------------------------------------- officers
CREATE TABLE officer (
	id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- The national ID never reaches the database in clear text (SECURITY.md 10):
	-- sealed with XChaCha20-Poly1305 by tcardd, a keyed BLAKE2b blind index for
	-- uniqueness and exact lookup, and the masked form everyone may see.
	national_id_sealed bytea NOT NULL,
	national_id_index  bytea NOT NULL CONSTRAINT officer_national_id_key UNIQUE
	                   CONSTRAINT officer_national_id_index_length CHECK (length(national_id_index) = 32),
	national_id_masked text NOT NULL
	                   CONSTRAINT officer_national_id_masked_form CHECK (national_id_masked ~ '^[0-9]{6}\*{8}[0-9]{3}[0-9X]$'),
	name               text NOT NULL CONSTRAINT officer_name_length CHECK (length(name) BETWEEN 1 AND 50),
	gender             text NOT NULL CONSTRAINT officer_gender_valid CHECK (gender IN ('M', 'F')),
	birth_date         date NOT NULL,
	org_id             bigint NOT NULL REFERENCES org (id),
	org_path           ltree NOT NULL, -- copy of org.path for scope checks; kept by triggers
	kind               text NOT NULL DEFAULT 'officer'
	                   CONSTRAINT officer_kind_valid CHECK (kind IN ('officer', 'auxiliary')),
	post               text NOT NULL DEFAULT '' CONSTRAINT officer_post_length CHECK (length(post) <= 100),
	status             text NOT NULL DEFAULT 'active' CONSTRAINT officer_status_valid
	                   CHECK (status IN ('active', 'transferred', 'resigned', 'dismissed', 'retired')),
	status_date        date NOT NULL DEFAULT (now() AT TIME ZONE 'Asia/Shanghai')::date,
	hire_date          date,
	version            integer NOT NULL DEFAULT 1,
	created_at         timestamptz NOT NULL DEFAULT now(),
	updated_at         timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT officer_hire_after_birth CHECK (hire_date IS NULL OR hire_date > birth_date)
);
CREATE INDEX officer_org_path_gist ON officer USING gist (org_path);
CREATE INDEX officer_org ON officer (org_id, id);
CREATE INDEX officer_name_trgm ON officer USING gin (name gin_trgm_ops);

CREATE FUNCTION officer_set_org_path() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	SELECT path INTO NEW.org_path FROM org WHERE id = NEW.org_id;
	IF NEW.org_path IS NULL THEN
		RAISE EXCEPTION 'the organisation does not exist'
			USING ERRCODE = 'TC422', CONSTRAINT = 'officer_org_exists';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER officer_set_org_path BEFORE INSERT OR UPDATE OF org_id ON officer
	FOR EACH ROW EXECUTE FUNCTION officer_set_org_path();

-- Every change to an officer, kept forever: officers are never deleted, and
-- leaving the post or moving to another unit is a change with a date.
CREATE TABLE officer_history (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	officer_id  bigint NOT NULL REFERENCES officer (id),
	changed_at  timestamptz NOT NULL DEFAULT now(),
	actor       text NOT NULL,
	request_id  text,
	change      text NOT NULL CONSTRAINT officer_history_change_valid
	            CHECK (change IN ('created', 'updated', 'moved', 'status')),
	before      jsonb,
	after       jsonb NOT NULL
);
CREATE INDEX officer_history_officer ON officer_history (officer_id, id);

-- Records the changed fields (masked national ID only) with the request's actor.
CREATE FUNCTION officer_record_history() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
	tracked CONSTANT text[] := ARRAY['national_id_masked', 'name', 'org_id', 'kind', 'post',
	                                 'status', 'status_date', 'hire_date'];
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
CREATE TRIGGER officer_record_history AFTER INSERT OR UPDATE ON officer
	FOR EACH ROW EXECUTE FUNCTION officer_record_history();

-- ---------------------------------------------------------------- row-level security
ALTER TABLE org ENABLE ROW LEVEL SECURITY;
ALTER TABLE org FORCE ROW LEVEL SECURITY;
CREATE POLICY org_in_scope ON org
	USING (path <@ tcard_scope()) WITH CHECK (path <@ tcard_scope());

ALTER TABLE officer ENABLE ROW LEVEL SECURITY;
ALTER TABLE officer FORCE ROW LEVEL SECURITY;
CREATE POLICY officer_in_scope ON officer
	USING (org_path <@ tcard_scope()) WITH CHECK (org_path <@ tcard_scope());

ALTER TABLE officer_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE officer_history FORCE ROW LEVEL SECURITY;
CREATE POLICY officer_history_in_scope ON officer_history
	USING (EXISTS (SELECT FROM officer o WHERE o.id = officer_id));

-- The app role reads and writes rows, never deletes, owns nothing; the
-- read-only role reads.
GRANT SELECT, INSERT, UPDATE ON org, officer TO tcard_app;
GRANT SELECT, INSERT ON officer_history TO tcard_app;
GRANT SELECT ON org, officer, officer_history TO tcard_ro;
GRANT EXECUTE ON FUNCTION tcard_scope(), tcard_like_escape(text) TO tcard_app, tcard_ro;
