-- Which of the worker's runners (projections, policies, the audit feed, the ledger) cannot
-- get past a position: one row per failing runner, written by the active worker when a
-- turn of that runner fails and deleted when it moves on again, so every process (the API's
-- /readyz included) sees it. `position` is the last one the runner handled: what fails is
-- among the notifications after it. `attempts` counts the failed turns at that position.
CREATE TABLE runner_health (
    name            text        PRIMARY KEY,
    position        bigint      NOT NULL,
    failing_since   timestamptz NOT NULL,
    last_failed_at  timestamptz NOT NULL,
    attempts        integer     NOT NULL,
    error_type      text        NOT NULL,
    message         text        NOT NULL
);
