-- The tamper-evident ledger (§8): a running SHA-256 chain over every stored event's bytes
-- as stored, in position order. A run of positions no event holds is one `gap` entry
-- (position .. through); the chain covers it. `seal` is an HMAC of (through, chain_hash)
-- under a key derived from the service's signing key: a ledger recomputed without that
-- key is told apart row by row.
CREATE TABLE ledger (
    position            bigint  PRIMARY KEY,
    through             bigint  NOT NULL,
    kind                text    NOT NULL CHECK (kind IN ('event', 'gap')),
    originator_id       uuid,
    originator_version  bigint,
    event_hash          bytea   NOT NULL,
    chain_hash          bytea   NOT NULL,
    seal                bytea   NOT NULL,
    CHECK (through >= position),
    CHECK ((kind = 'event') = (originator_id IS NOT NULL))
);

-- Ed25519-signed statements of the ledger's head, each naming the hash of the one before.
-- `statement` is the exact JSON text that was signed; the other columns repeat it for
-- queries, and verification trusts only the signed text.
CREATE TABLE ledger_checkpoints (
    number         bigint      PRIMARY KEY,
    position       bigint      NOT NULL,
    chain_hash     bytea       NOT NULL,
    made_at        timestamptz NOT NULL,
    previous_hash  bytea,
    key_id         text        NOT NULL,
    statement      text        NOT NULL,
    signature      bytea       NOT NULL
);
