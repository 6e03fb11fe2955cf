-- 007_policy_delete: an administrator may remove an organisation's own hours
-- policy for a year, so that the nearest ancestor's (or the baseline) applies
-- again. The subtree is marked stale by hours_policy_mark_stale (005, which
-- already fires on DELETE) and the removal is audited like any change.
CREATE POLICY hours_policy_delete ON hours_policy FOR DELETE
	USING (org_path <@ tcard_scope() AND tcard_officer() IS NULL);
GRANT DELETE ON hours_policy TO tcard_app;

CREATE TRIGGER audit_row_delete AFTER DELETE ON hours_policy
	FOR EACH ROW EXECUTE FUNCTION audit_row_change('org_path', 'org_path');

-- A closed year's policy stays as it was (issue 5 closes years).
CREATE FUNCTION hours_policy_delete_year_open() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	PERFORM training_refuse_closed_year(OLD.org_path, OLD.year);
	RETURN OLD;
END
$$;
CREATE TRIGGER hours_policy_delete_year_open BEFORE DELETE ON hours_policy
	FOR EACH ROW EXECUTE FUNCTION hours_policy_delete_year_open();
