-- hours_input.sql — hours_store.c HOURS_INPUT_SELECT: what the engine needs
-- of the officer-years k (the FROM follows in the composed script).
SELECT k.officer_id, k.year, k.generation,
       coalesce(to_char(o.hire_date, 'YYYYMMDD')::int, 0),
       CASE WHEN o.status <> 'active' THEN to_char(o.status_date, 'YYYYMMDD')::int ELSE 0 END,
       CASE WHEN p.id IS NULL THEN NULL ELSE jsonb_build_object(
        'required_units', p.required_units, 'minutes_per_hour', p.minutes_per_hour,
        'excluded_categories', to_jsonb(p.excluded_categories),
        'category_minima', p.category_minima, 'platform_minima', p.platform_minima,
        'prorate', p.prorate, 'min_months', p.min_months, 'org_id', p.org_id) END,
       e.kind, e.reduced_units,
       (SELECT coalesce(jsonb_agg(jsonb_build_array(t.category, t.platform,
        t.units, t.untimed_minutes)), '[]') FROM officer_year_total t
        WHERE t.officer_id = k.officer_id AND t.year = k.year)
