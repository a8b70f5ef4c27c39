-- Failed public status lookups per tracking number (§9), shared by every API process and
-- kept across restarts. No personal data and no client addresses: only the number, how many
-- failures since the window began, and until when the number is locked.
CREATE TABLE IF NOT EXISTS public_lookup_failures (
    tracking_number   text        PRIMARY KEY,
    failures          integer     NOT NULL,
    window_started_at timestamptz NOT NULL,
    locked_until      timestamptz
);

-- Rows whose window and lock are over are purged by age.
CREATE INDEX IF NOT EXISTS public_lookup_failures_window_idx
    ON public_lookup_failures (window_started_at);
