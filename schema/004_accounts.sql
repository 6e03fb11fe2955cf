-- 004_accounts: users with roles and an organisation scope, browser sessions,
-- API tokens and login throttling (SECURITY.md 3, 4). Secrets are stored only
-- as hashes: argon2id for passwords, SHA-256 for 256-bit random tokens.

-- The officer a request may see when the principal is an officer (its own card
-- only); NULL for every other role. Set per transaction by tcardd.
CREATE FUNCTION tcard_officer() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('tcard.officer', true), '')::bigint $$;
GRANT EXECUTE ON FUNCTION tcard_officer() TO tcard_app, tcard_ro;

DROP POLICY officer_in_scope ON officer;
CREATE POLICY officer_in_scope ON officer
	USING (org_path <@ tcard_scope() AND (tcard_officer() IS NULL OR id = tcard_officer()))
	WITH CHECK (org_path <@ tcard_scope() AND tcard_officer() IS NULL);

CREATE TABLE app_user (
	id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username             text NOT NULL CONSTRAINT app_user_username_key UNIQUE
	                     CONSTRAINT app_user_username_form CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,31}$'),
	display_name         text NOT NULL
	                     CONSTRAINT app_user_display_name_length CHECK (length(display_name) BETWEEN 1 AND 50),
	role                 text NOT NULL
	                     CONSTRAINT app_user_role_valid CHECK (role IN ('admin', 'hr', 'auditor', 'officer')),
	-- The scope: NULL for admin (everything); the unit for hr and auditor; the
	-- officer's own record for officer (its scope follows the officer's unit).
	org_id               bigint REFERENCES org (id),
	officer_id           bigint CONSTRAINT app_user_officer_key UNIQUE REFERENCES officer (id),
	password_hash        text NOT NULL, -- crypto_pwhash_str (argon2id)
	must_change_password boolean NOT NULL DEFAULT false,
	disabled             boolean NOT NULL DEFAULT false,
	version              integer NOT NULL DEFAULT 1,
	created_at           timestamptz NOT NULL DEFAULT now(),
	updated_at           timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT app_user_scope_fits_role CHECK (CASE role
		WHEN 'admin' THEN org_id IS NULL AND officer_id IS NULL
		WHEN 'officer' THEN org_id IS NULL AND officer_id IS NOT NULL
		ELSE org_id IS NOT NULL AND officer_id IS NULL END)
);

-- A browser session: the cookie holds a 256-bit random token, the table its
-- SHA-256. The CSRF token is not a credential on its own (it is useless
-- without the cookie), so it is kept as is and handed to the page again.
CREATE TABLE auth_session (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id      bigint NOT NULL REFERENCES app_user (id),
	token_hash   bytea NOT NULL CONSTRAINT auth_session_token_key UNIQUE
	             CONSTRAINT auth_session_token_length CHECK (length(token_hash) = 32),
	csrf_token   text NOT NULL,
	created_at   timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	expires_at   timestamptz NOT NULL, -- absolute expiry
	revoked_at   timestamptz,
	address      text
);
CREATE INDEX auth_session_user ON auth_session (user_id) WHERE revoked_at IS NULL;

-- An API token for the CLI and integrations, created by a user for itself.
CREATE TABLE api_token (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id      bigint NOT NULL REFERENCES app_user (id),
	name         text NOT NULL CONSTRAINT api_token_name_length CHECK (length(name) BETWEEN 1 AND 100),
	token_hash   bytea NOT NULL CONSTRAINT api_token_token_key UNIQUE
	             CONSTRAINT api_token_token_length CHECK (length(token_hash) = 32),
	prefix       text NOT NULL, -- the first characters, to recognise a token in a list
	created_at   timestamptz NOT NULL DEFAULT now(),
	expires_at   timestamptz NOT NULL,
	last_used_at timestamptz,
	revoked_at   timestamptz,
	CONSTRAINT api_token_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX api_token_user ON api_token (user_id, id);

-- Failed logins per account ('user:<name>', also for names that do not exist,
-- so the reply cannot tell them apart) and per address ('addr:<ip>').
CREATE TABLE login_throttle (
	key           text PRIMARY KEY,
	failures      integer NOT NULL,
	first_failure timestamptz NOT NULL,
	last_failure  timestamptz NOT NULL
);
CREATE INDEX login_throttle_last_failure ON login_throttle (last_failure);

-- Accounts are global data guarded by the route table (admin only); sessions
-- and tokens are reached by their hashes only. The read-only role sees none.
GRANT SELECT, INSERT, UPDATE ON app_user, auth_session, api_token TO tcard_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO tcard_app;

-- Resolves a session or API token hash to the principal, before the request's
-- own transaction exists: it reads units and officers across the whole tree
-- (scope 'all' for these statements only) and says why a credential it found
-- is refused. It changes nothing: stale says that last_seen_at / last_used_at
-- is over a minute old, and tcardd touches it (server/auth.c) only once the
-- request passed every check, so that a refused request (CSRF, Origin, role,
-- a pending password change) leaves no trace and keeps no session alive.
-- state: 'ok', 'expired', 'revoked' or 'disabled'; no row when unknown.
CREATE FUNCTION tcard_resolve_credential(kind text, hash bytea, idle interval)
RETURNS TABLE (state text, credential_id bigint, user_id bigint, username text, role text,
               scope text, officer_id bigint, must_change_password boolean, csrf_token text,
               stale boolean)
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp
AS $$
BEGIN
	PERFORM set_config('tcard.scope', 'all', true);
	IF kind = 'session' THEN
		RETURN QUERY
		SELECT CASE WHEN s.revoked_at IS NOT NULL THEN 'revoked'
		            WHEN s.expires_at <= now() OR s.last_seen_at <= now() - idle THEN 'expired'
		            WHEN u.disabled THEN 'disabled'
		            ELSE 'ok' END,
		       s.id, u.id, u.username, u.role,
		       coalesce(o.path::text, f.org_path::text, 'all'), u.officer_id,
		       u.must_change_password, s.csrf_token,
		       s.last_seen_at < now() - interval '1 minute'
		  FROM auth_session s
		  JOIN app_user u ON u.id = s.user_id
		  LEFT JOIN org o ON o.id = u.org_id
		  LEFT JOIN officer f ON f.id = u.officer_id
		 WHERE s.token_hash = hash;
	ELSE
		RETURN QUERY
		SELECT CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked'
		            WHEN t.expires_at <= now() THEN 'expired'
		            WHEN u.disabled THEN 'disabled'
		            ELSE 'ok' END,
		       t.id, u.id, u.username, u.role,
		       coalesce(o.path::text, f.org_path::text, 'all'), u.officer_id,
		       u.must_change_password, NULL::text,
		       t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute'
		  FROM api_token t
		  JOIN app_user u ON u.id = t.user_id
		  LEFT JOIN org o ON o.id = u.org_id
		  LEFT JOIN officer f ON f.id = u.officer_id
		 WHERE t.token_hash = hash;
	END IF;
	PERFORM set_config('tcard.scope', '', true);
END
$$;
GRANT EXECUTE ON FUNCTION tcard_resolve_credential(text, bytea, interval) TO tcard_app;
