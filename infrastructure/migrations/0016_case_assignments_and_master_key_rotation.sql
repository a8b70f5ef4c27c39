-- Every department that held each case, so the department metrics judge each assignment on
-- its own (docs/api.md, "Department metrics"): kept by the case_assignments projection. One
-- row per case ever assigned; `assignments` lists its assignments in order, each an object
-- (application/projections/case_assignments.py says which fields). first/last_assigned_at
-- let a period's metrics skip the cases assigned wholly outside it.
CREATE TABLE case_assignments (
    case_id            uuid        PRIMARY KEY,
    first_assigned_at  timestamptz NOT NULL,
    last_assigned_at   timestamptz NOT NULL,
    assignments        jsonb       NOT NULL
);

CREATE INDEX case_assignments_last_assigned_idx ON case_assignments (last_assigned_at);

-- Every step of a case rewrites its row, as in case_list (0012): vacuumed early.
ALTER TABLE case_assignments SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_threshold = 200,
    autovacuum_analyze_scale_factor = 0.02
);

-- Master key rotation (`oversight keys rotate`, docs/operations.md "Keys and personal
-- data"): each data key names the master key that wraps it, by its fingerprint (NULL once
-- erased), and the database records the key a rotation moves to until every data key is
-- re-wrapped; only then does `fingerprint` become the new key's.
ALTER TABLE personal_data_keys ADD COLUMN wrapped_by bytea;
UPDATE personal_data_keys
   SET wrapped_by = (SELECT fingerprint FROM personal_data_master_key)
 WHERE wrapped_key IS NOT NULL;

ALTER TABLE personal_data_master_key
    ADD COLUMN rotating_to         bytea,
    ADD COLUMN rotation_started_at timestamptz,
    ADD COLUMN rotated_at          timestamptz;
