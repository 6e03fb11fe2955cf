-- hours_joins.sql — hours_store.c HOURS_INPUT_JOINS.
  JOIN officer o ON o.id = k.officer_id
  LEFT JOIN LATERAL hours_policy_for(o.org_path, k.year) p ON true
  LEFT JOIN hours_exemption e ON e.officer_id = k.officer_id
   AND e.year = k.year AND e.revoked_at IS NULL
