-- Read model of inspection visits (暗访巡查, §16): one row per visit, for the inspectors'
-- list and the monthly report, with the records its findings became counted by type.
CREATE TABLE visit_list (
    id                  uuid        PRIMARY KEY,
    day                 date        NOT NULL,
    month               text        NOT NULL,
    method              text        NOT NULL,
    windows             text[]      NOT NULL DEFAULT '{}',
    -- The departments running the windows visited, for a department's monthly report.
    departments         text[]      NOT NULL DEFAULT '{}',
    summary             text        NOT NULL,
    recorded_at         timestamptz NOT NULL,
    recorded_by         text,
    deductions          integer     NOT NULL DEFAULT 0,
    orders              integer     NOT NULL DEFAULT 0,
    cases               integer     NOT NULL DEFAULT 0,
    updated_at          timestamptz NOT NULL,
    -- Where the visit stands in its list, newest first: its recording.
    listed_position     bigint      NOT NULL,
    position            bigint      NOT NULL
);

CREATE INDEX visit_list_listed_idx ON visit_list (listed_position);
CREATE INDEX visit_list_month_idx ON visit_list (month);
