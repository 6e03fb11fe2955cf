-- 011_import_lookup: look-ups a bulk import needs beyond the caller's scope
-- (issue 7). A certificate's issuing authority usually sits above the HR
-- unit that registers it, where row-level security hides it; and a
-- certificate number is unique across the country, so a number registered
-- outside the caller's scope must be told apart from a new one. Both return
-- ids only (as tcard_org_name in 008 returns names). Runs as the owner role
-- in one transaction; never edit after it was applied.

-- The ids of the organisations with these codes, anywhere in the tree.
CREATE FUNCTION tcard_org_ids_by_code(codes text[])
RETURNS TABLE (code text, id bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[] := training_scope_widen();
BEGIN
	RETURN QUERY SELECT g.code, g.id FROM org g WHERE g.code = ANY (codes);
	PERFORM training_scope_restore(kept);
END
$$;

-- The officer and status of the certificates with these numbers, whatever
-- the caller's scope.
CREATE FUNCTION tcard_certificate_owners(numbers text[])
RETURNS TABLE (number text, officer_id bigint, status text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
	kept text[] := training_scope_widen();
BEGIN
	RETURN QUERY SELECT c.number, c.officer_id, c.status FROM certificate c
	              WHERE c.number = ANY (numbers);
	PERFORM training_scope_restore(kept);
END
$$;

REVOKE EXECUTE ON FUNCTION tcard_org_ids_by_code(text[]), tcard_certificate_owners(text[])
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tcard_org_ids_by_code(text[]), tcard_certificate_owners(text[])
	TO tcard_app;
