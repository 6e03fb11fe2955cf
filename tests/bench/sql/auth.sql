-- auth.sql — the API token's resolution, as auth.c runs it before every
-- request (its own statement, outside the request's transaction). hash is
-- the token's hash (api_token.token_hash).
SELECT state, credential_id, user_id, username, role, scope, officer_id, must_change_password,
       csrf_token, stale
  FROM tcard_resolve_credential('token', :hash::bytea, '30 minutes'::interval);
