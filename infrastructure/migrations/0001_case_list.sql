-- Read model of cases: one row per case, kept current by the case_list projection.
-- No personal data of complainants lives here: it stays in the (encrypted) events.
CREATE TABLE case_list (
    id                    uuid PRIMARY KEY,
    tracking_number       text        NOT NULL UNIQUE,
    access_code_hash      text        NOT NULL,
    kind                  text        NOT NULL,
    channel               text        NOT NULL,
    status                text        NOT NULL,
    department            text,
    assigned_department   text,
    window_id             text,
    staff_id              text,
    category              text,
    urgent                boolean     NOT NULL,
    final                 boolean     NOT NULL DEFAULT false,
    summary               text        NOT NULL,
    registered_at         timestamptz NOT NULL,
    registered_position   bigint      NOT NULL,
    updated_at            timestamptz NOT NULL,
    last_position         bigint      NOT NULL,
    assigned_at           timestamptz,
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
    answered_at           timestamptz,
    closed_at             timestamptz,
    outcome               text,
    satisfaction          text,
    reopenings            integer     NOT NULL DEFAULT 0,
    merged_into           uuid,
    public_timeline       jsonb       NOT NULL DEFAULT '[]'::jsonb,
    next_clock_at         timestamptz
);

CREATE INDEX case_list_registered_idx ON case_list (registered_position DESC);
CREATE INDEX case_list_board_idx ON case_list (assigned_department, status, due_at);
CREATE INDEX case_list_status_idx ON case_list (status, registered_position DESC);
CREATE INDEX case_list_clock_idx ON case_list (next_clock_at) WHERE next_clock_at IS NOT NULL;
CREATE INDEX case_list_provisional_idx ON case_list (id) WHERE provisional;

-- Where each projection has got to in the notification log; changed in the same
-- transaction as the rows it describes, so a restart resumes exactly where it stopped.
CREATE TABLE projection_tracking (
    name      text   PRIMARY KEY,
    position  bigint NOT NULL
);
