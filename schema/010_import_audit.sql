-- 010_import_audit: one audit entry per import (issue 7). A bulk import
-- writes thousands of rows in one statement; an entry per row would bury
-- the log (and cost a chain-head lock and a hash each). tcardd sets
-- tcard.bulk = 'import' on the import's own connection for the merge
-- statements only, and appends one entry naming who, the kind, the file's
-- SHA-256 and the counts in the same transaction. Every other write, and
-- every consequence of an import in other tables (flags, evaluations),
-- keeps its entry per row. Runs as the owner role in one transaction; never
-- edit after it was applied.
CREATE FUNCTION tcard_bulk_import() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(current_setting('tcard.bulk', true), '') = 'import' $$;

DROP TRIGGER audit_row_change ON org;
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON org
	FOR EACH ROW WHEN (NOT tcard_bulk_import())
	EXECUTE FUNCTION audit_row_change('path', 'path');
DROP TRIGGER audit_row_change ON officer;
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON officer
	FOR EACH ROW WHEN (NOT tcard_bulk_import())
	EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'national_id_sealed',
	                                  'national_id_index');
DROP TRIGGER audit_row_change ON training_session;
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON training_session
	FOR EACH ROW WHEN (NOT tcard_bulk_import())
	EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'year');
DROP TRIGGER audit_row_change ON attendance;
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON attendance
	FOR EACH ROW WHEN (NOT tcard_bulk_import())
	EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'year', 'category', 'platform',
	                                  'credited_units', 'credited_minutes');
DROP TRIGGER audit_row_change ON certificate;
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON certificate
	FOR EACH ROW WHEN (NOT tcard_bulk_import())
	EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'status_changed_at');
DROP TRIGGER audit_row_change ON annual_assessment;
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE ON annual_assessment
	FOR EACH ROW WHEN (NOT tcard_bulk_import())
	EXECUTE FUNCTION audit_row_change('org_path', 'org_path', 'recorded_by');

GRANT EXECUTE ON FUNCTION tcard_bulk_import() TO tcard_app, tcard_ro;
