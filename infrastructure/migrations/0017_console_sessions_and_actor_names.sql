-- Console sessions (DESIGN §12, infrastructure/sessions.py): kept on the server, so that
-- disabling an account or resetting its password ends them at once. Only a SHA-256 digest
-- of each token is kept: the table opens no session to whoever reads it. `pending` names
-- the step of a sign-in still owed (a one-time code, a password change, a second factor's
-- set-up); NULL once signed in. The idle and absolute limits are applied on reading, with
-- the service's clock, so they are not stored.
CREATE TABLE console_sessions (
    token_digest  bytea       PRIMARY KEY,
    account_id    uuid        NOT NULL,
    username      text        NOT NULL,
    name          text        NOT NULL,
    role          text        NOT NULL,
    department    text,
    pending       text,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL
);

CREATE INDEX console_sessions_account_idx ON console_sessions (account_id);
CREATE INDEX console_sessions_created_idx ON console_sessions (created_at);

-- The audit feed names the person who acted (an account's display name), beside the
-- principal; events recorded before names existed, and those of tokens, have none.
ALTER TABLE audit_events ADD COLUMN actor_name text;
