-- The outbox of notifications (§17): one message per event and recipient. The worker's
-- notification feed writes a message in the transaction that moves its own tracking position,
-- so each event is turned into messages exactly once; `projections rebuild` leaves the outbox
-- alone, so rebuilt history never sends anything again. The sender delivers due messages with
-- retries and records every attempt. A citizen's phone and the text sent to them are kept only
-- sealed under the case's data key (`sealed`, `key_id`), and only until the message is
-- delivered, dead or erased; `masked_address` and `text` are what staff are shown.
CREATE TABLE outbox_messages (
    id               uuid        PRIMARY KEY,
    -- Sent to the gateway with every attempt (and with a resend): a receiver that saw it
    -- before can drop the repeat.
    idempotency_key  text        NOT NULL UNIQUE,
    position         bigint      NOT NULL,
    event_topic      text        NOT NULL,
    template         text        NOT NULL,
    channel          text        NOT NULL CHECK (channel IN ('sms', 'email', 'webhook')),
    recipient_kind   text        NOT NULL
                     CHECK (recipient_kind IN ('citizen', 'department', 'inspectors')),
    -- A department's id, 'inspectors', or 'complainant'.
    recipient        text        NOT NULL,
    -- The e-mail address or webhook URL; NULL for a citizen, whose phone is sealed.
    address          text,
    masked_address   text        NOT NULL,
    subject          text        NOT NULL,
    -- For a citizen, with the access code masked; the text sent is sealed.
    text             text        NOT NULL,
    sealed           jsonb,
    key_id           uuid,
    record_type      text        NOT NULL,
    record_id        uuid        NOT NULL,
    case_id          uuid,
    urgent           boolean     NOT NULL DEFAULT false,
    state            text        NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'delivered', 'dead', 'erased')),
    attempts         integer     NOT NULL DEFAULT 0,
    -- Quiet hours put a citizen's SMS off until 08:00 office time; retries back off.
    next_attempt_at  timestamptz NOT NULL,
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    last_error       text,
    UNIQUE (position, channel, recipient)
);

CREATE INDEX outbox_messages_due_idx ON outbox_messages (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_messages_state_idx ON outbox_messages (state, created_at DESC, id);
CREATE INDEX outbox_messages_case_idx ON outbox_messages (case_id) WHERE case_id IS NOT NULL;

-- Every delivery attempt of a message, in order.
CREATE TABLE outbox_attempts (
    message_id  uuid        NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
    attempt     integer     NOT NULL,
    at          timestamptz NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    detail      text        NOT NULL,
    PRIMARY KEY (message_id, attempt)
);

-- Where the notification feed starts: at the log's head as it is when the outbox comes in.
-- A database upgraded to this version does not notify its whole past (which events would
-- have sent what, when, is no news to anyone now). A new database has no events yet: it gets
-- no row, and the feed starts at 0 as it does without one. The events table is the event
-- store's, made before migrations run; without it there is nothing to skip either.
DO $$
BEGIN
    IF to_regclass('oversight_events') IS NOT NULL THEN
        EXECUTE 'INSERT INTO projection_tracking (name, position) '
                'SELECT ''notification_feed'', max(notification_id) FROM oversight_events '
                'HAVING max(notification_id) IS NOT NULL ON CONFLICT (name) DO NOTHING';
    END IF;
END $$;
