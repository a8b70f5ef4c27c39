-- Read model of satisfaction surveys (满意度调查, §16): one row per batch of paper forms or of
-- a third party's results at one window, for the survey list, the window metrics and the
-- monthly report. A batch counts in a period by the last day of its collection (period_end).
CREATE TABLE survey_list (
    id              uuid        PRIMARY KEY,
    source          text        NOT NULL,
    provider        text,
    window_id       text        NOT NULL,
    department      text        NOT NULL,
    period_start    date        NOT NULL,
    period_end      date        NOT NULL,
    rated_1         integer     NOT NULL,
    rated_2         integer     NOT NULL,
    rated_3         integer     NOT NULL,
    rated_4         integer     NOT NULL,
    rated_5         integer     NOT NULL,
    recorded_at     timestamptz NOT NULL,
    recorded_by     text        NOT NULL,
    -- Where the batch stands in the list, newest first: its recording.
    position        bigint      NOT NULL
);

CREATE INDEX survey_list_position_idx ON survey_list (position);
CREATE INDEX survey_list_period_end_idx ON survey_list (period_end, window_id);
