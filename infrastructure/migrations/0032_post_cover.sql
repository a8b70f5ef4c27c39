-- Read model of A/B post cover (AB岗, §16), from the PostCover events of each window.

-- One row per absence of a post holder; a cancelled one is kept, marked.
CREATE TABLE absence_list (
    id             text        PRIMARY KEY,
    post_cover_id  uuid        NOT NULL,
    staff          text        NOT NULL,
    post           text        NOT NULL,
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL,
    reason         text        NOT NULL,
    covered_by     text,
    recorded_at    timestamptz NOT NULL,
    recorded_by    text        NOT NULL,
    cancelled_at   timestamptz,
    position       bigint      NOT NULL
);

CREATE INDEX absence_list_period_idx ON absence_list (starts_at, ends_at) WHERE cancelled_at IS NULL;

-- One row per cover gap proposed: a window and an office day with neither post on duty.
CREATE TABLE cover_gap_list (
    id            text        PRIMARY KEY,  -- window/day
    window_id     text        NOT NULL,
    department    text        NOT NULL,
    day           date        NOT NULL,
    month         text        NOT NULL,
    starts_at     timestamptz NOT NULL,
    rule          text        NOT NULL,
    status        text        NOT NULL,
    proposed_at   timestamptz NOT NULL,
    decided_at    timestamptz,
    decided_by    text,
    deduction_id  text,
    reason        text,
    position      bigint      NOT NULL
);

CREATE INDEX cover_gap_list_day_idx ON cover_gap_list (day, window_id);
CREATE INDEX cover_gap_list_month_idx ON cover_gap_list (month);

-- One row per window with absences: when the clock next has a gap of it to propose.
CREATE TABLE post_cover_list (
    id           uuid        PRIMARY KEY,
    window_id    text        NOT NULL,
    department   text        NOT NULL,
    next_gap_at  timestamptz,
    position     bigint      NOT NULL
);

CREATE INDEX post_cover_list_clock_idx ON post_cover_list (next_gap_at) WHERE next_gap_at IS NOT NULL;
