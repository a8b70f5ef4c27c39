-- Every step of a case or order rewrites its row, and the board indexes keep an entry for each
-- old version until VACUUM removes it: a board then reads thousands of dead entries to find
-- its fifty live tasks (18 ms instead of 0.6 ms on a million-event store). The default waits
-- for a fifth of the table to be dead; these tables are vacuumed after a fiftieth.
ALTER TABLE case_list SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_threshold = 200,
    autovacuum_analyze_scale_factor = 0.02
);
ALTER TABLE order_list SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_threshold = 200,
    autovacuum_analyze_scale_factor = 0.02
);
