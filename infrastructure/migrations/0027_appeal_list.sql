-- Read model of appeals (申诉, §15): one row per appeal of a deduction, kept current by the
-- appeal_list projection. The clock columns are case_list's and order_list's, so the worker's
-- deadline clock watches an appeal's decision deadline like any other task's; the scores and
-- the monthly report join it on deduction_id to mark a deduction under appeal.
CREATE TABLE appeal_list (
    id                    uuid        PRIMARY KEY,
    deduction_id          uuid        NOT NULL UNIQUE,
    status                text        NOT NULL,     -- open, upheld, granted
    department            text        NOT NULL,     -- the appealing department
    reasons               text        NOT NULL,
    evidence              text,
    rule                  text        NOT NULL,
    rule_name             text        NOT NULL,
    points                integer     NOT NULL,
    staff_id              text,
    window_id             text,
    month                 text        NOT NULL,
    occurred_at           timestamptz NOT NULL,
    filed_at              timestamptz NOT NULL,
    filed_by              text        NOT NULL,
    filed_position        bigint      NOT NULL,
    decided_at            timestamptz,
    decided_by            text,
    decision_reason       text,
    updated_at            timestamptz NOT NULL,
    last_position         bigint      NOT NULL,
    handling_started_at   timestamptz,
    acknowledge_due_at    timestamptz,
    due_at                timestamptz,
    provisional           boolean     NOT NULL DEFAULT false,
    clock_stopped         boolean     NOT NULL DEFAULT false,
    extension_requested   boolean     NOT NULL DEFAULT false,
    reminded_for          timestamptz,
    reminded_at           timestamptz,
    acknowledge_missed_for timestamptz,
    due_missed_for        timestamptz,
    supervised_at         timestamptz,
    public_notice_at      timestamptz,
    next_clock_at         timestamptz
);

CREATE INDEX appeal_list_filed_idx ON appeal_list (filed_position DESC);
CREATE INDEX appeal_list_open_idx ON appeal_list (due_at) WHERE status = 'open';
CREATE INDEX appeal_list_department_idx ON appeal_list (department, filed_position DESC);
CREATE INDEX appeal_list_clock_idx ON appeal_list (next_clock_at) WHERE next_clock_at IS NOT NULL;
CREATE INDEX appeal_list_provisional_idx ON appeal_list (id) WHERE provisional;
