-- card_officer.sql — api_card.c CARD_OFFICER for officer oid.
SELECT jsonb_build_object('id', o.id, 'name', o.name, 'national_id_masked', o.national_id_masked,
       'kind', o.kind, 'post', o.post, 'status', o.status, 'status_date', o.status_date,
       'hire_date', o.hire_date, 'org', jsonb_build_object('id', g.id, 'code', g.code,
       'name', g.name))
  FROM officer o JOIN org g ON g.id = o.org_id WHERE o.id = :oid;
