-- Departments, windows and staff as the directory records them, for the read side's scores,
-- lists and reports (every window and staff member has a score, deducted from or not).
CREATE TABLE directory_subjects (
    key            text        PRIMARY KEY,  -- '<kind>:<id>'
    kind           text        NOT NULL,     -- 'department', 'window' or 'staff'
    id             text        NOT NULL,
    name           text        NOT NULL,
    name_en        text,                     -- departments
    department     text,                     -- windows and staff
    window_id      text,                     -- staff
    zone           text,                     -- windows
    post           text,                     -- staff: 'A' or 'B'
    active         boolean     NOT NULL,
    updated_at     timestamptz NOT NULL,
    last_position  bigint      NOT NULL
);

CREATE INDEX directory_subjects_department_idx ON directory_subjects (department, kind);
