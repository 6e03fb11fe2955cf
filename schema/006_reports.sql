-- 006_reports: the read paths of the compliance reports (issue 4). Reports read
-- the evaluated officer-years (officer_year_status), never raw attendance.

-- The compliance list of a year, worst first: by the total hours still missing
-- (required - counted; negative when the total is met), then by officer.
CREATE INDEX officer_year_status_shortfall
	ON officer_year_status (year, (required_units - counted_units) DESC, officer_id)
	WHERE status IS NOT NULL;
