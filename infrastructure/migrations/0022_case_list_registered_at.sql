-- The dashboard counts the cases registered in a period by kind and by category
-- (GET /metrics/cases): an index on the moment of registration keeps it from reading every
-- case ever registered.
CREATE INDEX case_list_registered_at_idx ON case_list (registered_at);
