-- Saved filters of the console's case list, per account (DESIGN §13): a name and the list's
-- query string, as the list's own URL carries it.
CREATE TABLE saved_case_filters (
    account_id  uuid        NOT NULL,
    name        text        NOT NULL,
    query       text        NOT NULL,
    saved_at    timestamptz NOT NULL,
    PRIMARY KEY (account_id, name)
);
