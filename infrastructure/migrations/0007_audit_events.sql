-- The inspectors' event feed (§8): one row per event of the notification log, kept current
-- by the audit_events projection. No personal data of complainants lives here: their name,
-- phone and address are never copied, and free text quoting them is masked; a record's full
-- history is read from the event store itself.
CREATE TABLE audit_events (
    position          bigint      PRIMARY KEY,
    record_id         uuid        NOT NULL,
    record_type       text        NOT NULL,
    version           bigint      NOT NULL,
    event_type        text        NOT NULL,
    at                timestamptz,
    actor_principal   text,
    actor_role        text,
    actor_department  text,
    request_id        text,
    reason            text,
    staff_ids         text[]      NOT NULL DEFAULT '{}',
    window_ids        text[]      NOT NULL DEFAULT '{}',
    department_ids    text[]      NOT NULL DEFAULT '{}',
    changes           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    readable          boolean     NOT NULL DEFAULT true
);

CREATE INDEX audit_events_at_idx ON audit_events (at);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_principal, position DESC);
CREATE INDEX audit_events_type_idx ON audit_events (event_type, position DESC);
CREATE INDEX audit_events_record_type_idx ON audit_events (record_type, position DESC);
CREATE INDEX audit_events_record_idx ON audit_events (record_id, version);

-- The index a person's (or window's, or department's) history is read from: which events
-- concern which subject, including every event of a record created about them.
CREATE TABLE audit_subjects (
    kind        text   NOT NULL,
    subject_id  text   NOT NULL,
    position    bigint NOT NULL,
    PRIMARY KEY (kind, subject_id, position)
);

-- What each record was created about (a case naming a staff member, a scorecard of one):
-- its later events concern the same subjects.
CREATE TABLE audit_record_subjects (
    record_id   uuid   NOT NULL,
    kind        text   NOT NULL,
    subject_id  text   NOT NULL,
    PRIMARY KEY (record_id, kind, subject_id)
);
