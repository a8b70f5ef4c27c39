-- Requests per client in fixed windows of time, for the public routes' limits (§9), shared by
-- every API process. The client is a keyed digest of its network, never its address.
--
-- UNLOGGED: a count is worth nothing after a crash and is read only on the primary, so it
-- skips the write-ahead log (a request's count costs no WAL flush). A crash or a failover
-- empties the table: every client then starts the window afresh.
--
-- The key leads with the counter and the window, so old windows are deleted by a range of
-- the primary key; `hits` is in no index, so a count goes up by a HOT update in place, for
-- which the pages keep room.
CREATE UNLOGGED TABLE client_request_counts (
    counter           text        NOT NULL,
    window_started_at timestamptz NOT NULL,
    client            text        NOT NULL,
    hits              integer     NOT NULL,
    PRIMARY KEY (counter, window_started_at, client)
) WITH (fillfactor = 70);
