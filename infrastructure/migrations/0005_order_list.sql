-- Read model of rectification orders (整改通知, §7): one row per order, kept current by the
-- order_list projection; the clock columns mirror case_list's, so the worker's deadline
-- clock and the department boards treat both kinds of task alike.
CREATE TABLE order_list (
    id                    uuid        PRIMARY KEY,
    tracking_number       text        NOT NULL UNIQUE,
    status                text        NOT NULL,     -- issued, in_progress, reported, closed
    department            text        NOT NULL,
    window_id             text,
    staff_id              text,
    problem               text        NOT NULL,
    source_type           text        NOT NULL,
    source_ref            text,
    working_days          integer     NOT NULL,
    issued_at             timestamptz NOT NULL,
    issued_by             text        NOT NULL,
    issued_position       bigint      NOT NULL,
    updated_at            timestamptz NOT NULL,
    last_position         bigint      NOT NULL,
    acknowledged_at       timestamptz,
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
    first_reported_at     timestamptz,
    reported_at           timestamptz,
    reported_due_at       timestamptz,  -- the due date in force when last reported
    reports               integer     NOT NULL DEFAULT 0,
    rejections            integer     NOT NULL DEFAULT 0,
    closed_at             timestamptz,
    next_clock_at         timestamptz
);

CREATE INDEX order_list_issued_idx ON order_list (issued_position DESC);
CREATE INDEX order_list_board_idx ON order_list (department, status, due_at);
CREATE INDEX order_list_clock_idx ON order_list (next_clock_at) WHERE next_clock_at IS NOT NULL;
CREATE INDEX order_list_provisional_idx ON order_list (id) WHERE provisional;
