-- The data keys of complainants' personal data: one per case (key_id = the case id), kept
-- only wrapped (AES-256-GCM) by the master key, which never enters the database. Erasing a
-- key overwrites wrapped_key with NULL and records erased_at: the sealed fields in the
-- events stay as stored (the ledger still verifies) and can no longer be opened.
CREATE TABLE IF NOT EXISTS personal_data_keys (
    key_id      uuid        PRIMARY KEY,
    wrapped_key bytea,
    created_at  timestamptz NOT NULL,
    erased_at   timestamptz,
    CONSTRAINT personal_data_keys_erased_has_no_key
        CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);

-- The fingerprint (an HMAC of a fixed text) of the master key the data keys are wrapped
-- with, so a process started with another master key refuses to run. One row at most.
CREATE TABLE IF NOT EXISTS personal_data_master_key (
    only_one    boolean     PRIMARY KEY DEFAULT true CHECK (only_one),
    fingerprint bytea       NOT NULL,
    created_at  timestamptz NOT NULL
);
