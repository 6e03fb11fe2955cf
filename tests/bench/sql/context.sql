-- context.sql — the request context db.c sets first in every transaction;
-- scope is the principal's ('all', or an org path).
SELECT set_config('tcard.scope', :scope, true), set_config('tcard.actor', 'bench', true),
       set_config('tcard.request_id', 'pgbench', true), set_config('tcard.user_id', '1', true),
       set_config('tcard.address', '127.0.0.1', true), set_config('tcard.officer', '', true);
