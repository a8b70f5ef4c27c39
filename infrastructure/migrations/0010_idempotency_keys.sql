-- The first answer to each command sent with an Idempotency-Key, so a retry gets it again.
-- `scope` is a digest of who sent it (their credentials) and where (method and path), with the
-- key; `body_digest` tells a retry from a different request reusing the key.
CREATE TABLE idempotency_keys (
    scope         text        PRIMARY KEY,
    body_digest   text        NOT NULL,
    claimed_at    timestamptz NOT NULL,
    status        integer,
    content_type  text,
    body          bytea,
    completed_at  timestamptz
);

CREATE INDEX idempotency_keys_claimed_idx ON idempotency_keys (claimed_at);
