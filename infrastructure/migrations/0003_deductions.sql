-- Read model of double-hundred deductions (§6): one row per deduction and scorecard, so an
-- act that cost a staff member and their window has two rows, one per card.
CREATE TABLE deductions (
    id                 text        PRIMARY KEY,  -- '<deduction id>/<scorecard id>'
    deduction_id       uuid        NOT NULL,
    card_id            uuid        NOT NULL,
    subject_kind       text        NOT NULL,     -- 'staff' or 'window'
    subject_id         text        NOT NULL,
    month              text        NOT NULL,     -- YYYY-MM in Asia/Shanghai
    department         text        NOT NULL,
    window_id          text,                     -- where it happened
    staff_id           text,                     -- who did it
    rule               text        NOT NULL,
    rule_name          text        NOT NULL,
    points             integer     NOT NULL,
    all_remaining      boolean     NOT NULL DEFAULT false,
    occurred_at        timestamptz NOT NULL,
    occurred_on        date        NOT NULL,     -- the day in Asia/Shanghai (blue list)
    evidence           text        NOT NULL,
    source_type        text        NOT NULL,
    source_ref         text,
    revoked            boolean     NOT NULL DEFAULT false,
    revoked_at         timestamptz,
    revoke_reason      text,
    recorded_at        timestamptz NOT NULL,
    recorded_by        text        NOT NULL,
    recorded_position  bigint      NOT NULL,
    last_position      bigint      NOT NULL
);

CREATE INDEX deductions_month_idx ON deductions (month, subject_kind, subject_id);
CREATE INDEX deductions_department_month_idx ON deductions (department, month);
CREATE INDEX deductions_day_idx ON deductions (occurred_on);
CREATE INDEX deductions_deduction_idx ON deductions (deduction_id);
