-- Read model of staff assessments (千人千题, §16): one row per test session, its results as a
-- jsonb array of {staff, name, department, score, passed}, for the session list, the staff
-- who owe a retest (补考) and the monthly report. `departments`: whose staff sat it, so that
-- a department lists the sessions its own staff sat.
CREATE TABLE assessment_list (
    id           uuid        PRIMARY KEY,
    title        text        NOT NULL,
    held_on      date        NOT NULL,
    pass_mark    integer     NOT NULL,
    results      jsonb       NOT NULL,
    departments  text[]      NOT NULL,
    failed       integer     NOT NULL,
    recorded_at  timestamptz NOT NULL,
    recorded_by  text        NOT NULL,
    position     bigint      NOT NULL
);

CREATE INDEX assessment_list_position_idx ON assessment_list (position);
CREATE INDEX assessment_list_departments_idx ON assessment_list USING gin (departments);
