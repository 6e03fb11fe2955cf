-- 003_audit: the tamper-evident audit log (SECURITY.md 8). Every write appends
-- one entry in its own transaction; entries form a SHA-256 hash chain that
-- tcardd re-checks (server/audit.c) against Ed25519-signed checkpoints kept
-- outside the database (<data_dir>/audit/checkpoints).

-- ---------------------------------------------------------------- the log
-- seq, at, prev_hash and hash are assigned by audit_chain below, whatever the
-- INSERT says: seq counts 1, 2, 3, … without gaps (no sequence object; the
-- chain head hands out numbers under its row lock, and a rolled-back
-- transaction rolls its number back with it).
CREATE TABLE audit_log (
	seq         bigint PRIMARY KEY,
	at          timestamptz NOT NULL,
	actor       text NOT NULL,          -- user name, or 'system', 'demo', …
	user_id     bigint,                 -- app_user id; NULL for the system or nobody
	action      text NOT NULL CONSTRAINT audit_log_action_form
	            CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'),
	target_type text,                   -- 'officer', 'org', 'app_user', …
	target_id   text,
	org_path    ltree,                  -- the organisation the entry concerns; NULL = global
	before      jsonb,                  -- changed fields before; NULL for a creation or an event
	after       jsonb,                  -- changed fields after (or the event's payload)
	request_id  text,
	address     text,                   -- the client's address
	prev_hash   bytea NOT NULL CONSTRAINT audit_log_prev_hash_length CHECK (length(prev_hash) = 32),
	hash        bytea NOT NULL CONSTRAINT audit_log_hash_length CHECK (length(hash) = 32)
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, seq);
CREATE INDEX audit_log_org_path ON audit_log USING gist (org_path);

-- The chain head: the last committed entry's seq and hash (seq 0 and 32 zero
-- bytes before the first entry). Its row lock serialises writers, so the chain
-- follows commit order; verification also compares the chain's end with it.
CREATE TABLE audit_head (
	only_row boolean PRIMARY KEY DEFAULT true CONSTRAINT audit_head_one_row CHECK (only_row),
	seq      bigint NOT NULL,
	hash     bytea NOT NULL CONSTRAINT audit_head_hash_length CHECK (length(hash) = 32)
);
INSERT INTO audit_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'));

-- ---------------------------------------------------------------- canonical form
-- The canonical text of an entry, form 1: the jsonb text output of
--   {"seq", "at", "actor", "user_id", "action", "target_type", "target_id",
--    "org_path", "before", "after", "request_id", "address"}
-- where at is UTC with microseconds ("2025-03-01T02:03:04.000005Z"), org_path
-- is ltree text, absent values are JSON null, and before/after are the stored
-- jsonb. jsonb prints keys in its own sorted order (shorter keys first, equal
-- lengths bytewise: at, seq, actor, after, action, before, address, user_id,
-- org_path, target_id, request_id, target_type; nested objects likewise), with
-- ", " and ": " as separators, numbers as numeric text, and strings escaped as
-- JSON (", \ and control characters; other characters as UTF-8). The output
-- depends on no session setting.
--   hash = sha256(prev_hash || convert_to(audit_canonical(entry), 'UTF8'))
-- and the first entry's prev_hash is 32 zero bytes. tcardd fetches this text
-- and recomputes the hash in C with libsodium (server/audit.c).
CREATE FUNCTION audit_canonical(e audit_log) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT jsonb_build_object(
		'seq', e.seq,
		'at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		'actor', e.actor,
		'user_id', e.user_id,
		'action', e.action,
		'target_type', e.target_type,
		'target_id', e.target_id,
		'org_path', e.org_path::text,
		'before', e.before,
		'after', e.after,
		'request_id', e.request_id,
		'address', e.address)::text
$$;

-- Keeps secrets and national IDs out of payloads whatever a caller hands in
-- (SECURITY.md 10): drops keys that name them, at any depth, and masks any
-- string shaped like an 18-character national ID (first 6 + last 4).
-- audit_scrub looks at the text first and walks the document only when
-- something in it looks like either.
CREATE FUNCTION audit_scrub_walk(doc jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE jsonb_typeof(doc)
	WHEN 'object' THEN (
		SELECT coalesce(jsonb_object_agg(key, audit_scrub_walk(value)), '{}')
		  FROM jsonb_each(doc)
		 WHERE key <> ALL (ARRAY['national_id', 'national_id_sealed', 'national_id_index',
		                         'password', 'password_hash', 'token', 'token_hash',
		                         'csrf_token']))
	WHEN 'array' THEN (
		SELECT coalesce(jsonb_agg(audit_scrub_walk(value) ORDER BY n), '[]')
		  FROM jsonb_array_elements(doc) WITH ORDINALITY AS element(value, n))
	WHEN 'string' THEN CASE WHEN doc #>> '{}' ~ '^[0-9]{17}[0-9Xx]$'
		THEN to_jsonb(left(doc #>> '{}', 6) || '********' || right(doc #>> '{}', 4))
		ELSE doc END
	ELSE doc END
$$;

CREATE FUNCTION audit_scrub(doc jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN doc::text ~ ('"(national_id|national_id_sealed|national_id_index|password'
	                              '|password_hash|token|token_hash|csrf_token)": '
	                              '|"[0-9]{17}[0-9Xx]"')
	            THEN audit_scrub_walk(doc) ELSE doc END
$$;

-- ---------------------------------------------------------------- the chain
-- Links a new entry. The first entry of a transaction locks the head row
-- (until the transaction ends: concurrent writers queue here, and each starts
-- from the head its predecessor committed) and continues from it; later
-- entries of the same transaction continue from the one before, kept in the
-- transaction-local setting tcard.audit_last ("xid:seq:hash hex"; rolled back
-- with a savepoint like the entries themselves), and audit_head_advance moves
-- the head row once, at commit. Moving it per entry would leave a row version
-- per entry for every lock to walk: quadratic in a large import.
-- SECURITY DEFINER because the app role may not touch the head.
CREATE FUNCTION audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	xact      text := txid_current()::text;
	last      text[] := string_to_array(current_setting('tcard.audit_last', true), ':');
	prev_seq  bigint;
	prev_hash bytea;
BEGIN
	IF cardinality(last) = 3 AND last[1] = xact THEN
		prev_seq := last[2]::bigint;
		prev_hash := decode(last[3], 'hex');
	ELSE
		SELECT seq, hash INTO STRICT prev_seq, prev_hash FROM audit_head FOR UPDATE;
	END IF;
	NEW.seq := prev_seq + 1;
	NEW.at := now();
	NEW.actor := coalesce(nullif(NEW.actor, ''), 'anonymous');
	NEW.before := audit_scrub(NEW.before);
	NEW.after := audit_scrub(NEW.after);
	NEW.prev_hash := prev_hash;
	NEW.hash := sha256(prev_hash || convert_to(audit_canonical(NEW), 'UTF8'));
	PERFORM set_config('tcard.audit_last',
	                   xact || ':' || NEW.seq || ':' || encode(NEW.hash, 'hex'), true);
	RETURN NEW;
END
$$;
CREATE TRIGGER audit_chain BEFORE INSERT ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_chain();

-- At commit (deferred), the transaction's last entry becomes the head.
CREATE FUNCTION audit_head_advance() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	last text[] := string_to_array(current_setting('tcard.audit_last', true), ':');
BEGIN
	IF cardinality(last) = 3 AND last[1] = txid_current()::text
	   AND last[2] = NEW.seq::text THEN
		UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash;
	END IF;
	RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER audit_head_advance AFTER INSERT ON audit_log
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION audit_head_advance();

-- Append-only for everyone who keeps triggers on (the app role has no UPDATE
-- or DELETE grant in the first place); a superuser who turns triggers off is
-- caught by verification instead.
CREATE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- ---------------------------------------------------------------- row changes
-- audit_row_change(scope_column [, left_out_column …]): attach to a table as
--   CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE [OR DELETE] ON t
--       FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'secret_col');
-- and every changed row writes one entry in the same transaction:
--   action      <table>.create, <table>.update, <table>.status (status among
--               the changed columns) or <table>.delete
--   target      <table> and the row's id
--   org_path    the row's ltree column scope_column ('' = a global row)
--   before/after the changed columns only (the whole row for create/delete),
--               without version, created_at, updated_at and the left-out
--               columns (sealed secrets, derived copies such as paths)
--   actor, user_id, request_id, address from the request's settings
--               tcard.actor, tcard.user_id, tcard.request_id, tcard.address.
-- An UPDATE that changes nothing but the left-out columns writes no entry.
CREATE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
	left_out  text[] := ARRAY['version', 'created_at', 'updated_at'];
	whole_row jsonb := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
	old_row   jsonb;
	new_row   jsonb;
	before    jsonb;
	after     jsonb;
	action    text;
	i         integer;
BEGIN
	FOR i IN 1 .. TG_NARGS - 1 LOOP
		left_out := left_out || TG_ARGV[i];
	END LOOP;
	IF TG_OP = 'INSERT' THEN
		after := to_jsonb(NEW) - left_out;
		action := 'create';
	ELSIF TG_OP = 'DELETE' THEN
		before := to_jsonb(OLD) - left_out;
		action := 'delete';
	ELSE
		old_row := to_jsonb(OLD) - left_out;
		new_row := to_jsonb(NEW) - left_out;
		SELECT jsonb_object_agg(n.key, n.value), jsonb_object_agg(n.key, old_row -> n.key)
		  INTO after, before
		  FROM jsonb_each(new_row) n
		 WHERE n.value IS DISTINCT FROM old_row -> n.key;
		IF after IS NULL THEN
			RETURN NULL;
		END IF;
		action := CASE WHEN after ? 'status' THEN 'status' ELSE 'update' END;
	END IF;
	INSERT INTO audit_log (actor, user_id, action, target_type, target_id, org_path, before,
	                       after, request_id, address)
	VALUES (coalesce(nullif(current_setting('tcard.actor', true), ''), current_user),
	        nullif(current_setting('tcard.user_id', true), '')::bigint,
	        TG_TABLE_NAME || '.' || action, TG_TABLE_NAME, whole_row ->> 'id',
	        CASE WHEN coalesce(TG_ARGV[0], '') = '' THEN NULL
	             ELSE (whole_row ->> TG_ARGV[0])::ltree END,
	        before, after,
	        nullif(current_setting('tcard.request_id', true), ''),
	        nullif(current_setting('tcard.address', true), ''));
	RETURN NULL;
END
$$;

CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON org
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('path', 'path');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON officer
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'national_id_sealed',
	                                               'national_id_index');

-- ---------------------------------------------------------------- access
-- An entry is visible within the reader's scope; global entries (org_path
-- NULL) only to scope 'all'. Anyone who may write may append (the entry's
-- scope is not the writer's to choose).
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT
	USING (org_path <@ tcard_scope()
	       OR (org_path IS NULL AND current_setting('tcard.scope', true) = 'all'));
CREATE POLICY audit_log_append ON audit_log FOR INSERT WITH CHECK (true);

GRANT SELECT, INSERT ON audit_log TO tcard_app;
GRANT SELECT ON audit_log TO tcard_ro;
GRANT SELECT ON audit_head TO tcard_app, tcard_ro;
GRANT EXECUTE ON FUNCTION audit_canonical(audit_log), audit_scrub(jsonb), audit_scrub_walk(jsonb)
	TO tcard_app, tcard_ro;

-- Where the log begins: rows that existed before this migration have no entry.
SELECT set_config('tcard.scope', 'all', true);
INSERT INTO audit_log (actor, action, after)
SELECT 'system', 'audit.start',
       jsonb_build_object('orgs', (SELECT count(*) FROM org),
                          'officers', (SELECT count(*) FROM officer));
SELECT set_config('tcard.scope', '', true);
