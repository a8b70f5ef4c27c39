-- Reads of the past (§14) read the history tables through the views in `as_of`. Stabbing
-- the versions standing at a position (the GiST index of 0036) finds every row that then
-- existed: at a million events, ~100k cases for a list that shows 50, and a department's
-- board filtered out of all of them. These indexes let a past read do what the present's
-- indexes let it do.

-- Lists newest first by the position that opened each row. A list read of the past says
-- that position is at most the one asked for (always true of a version standing then: it
-- was written by an event at or before it; infrastructure/read_side.py), so it reads the
-- index from there down, as the present reads it from the top.
CREATE INDEX case_list_history_registered_idx ON case_list_history (registered_position DESC);
CREATE INDEX order_list_history_issued_idx ON order_list_history (issued_position DESC);
CREATE INDEX appeal_list_history_filed_idx ON appeal_list_history (filed_position DESC);

-- Boards and escalated work: the open versions only, so a stab finds the backlog then, not
-- every row.
CREATE INDEX case_list_history_open_idx ON case_list_history
    USING gist (int8range(valid_from, valid_to)) WHERE status IN ('assigned', 'in_progress');
CREATE INDEX order_list_history_open_idx ON order_list_history
    USING gist (int8range(valid_from, valid_to)) WHERE status IN ('issued', 'in_progress');
CREATE INDEX case_reminders_history_task_idx ON case_reminders_history (task_id, department);
CREATE INDEX order_reminders_history_task_idx ON order_reminders_history (task_id, department);

-- Scores, the blue list and the report: a month's or a day's deductions.
CREATE INDEX deductions_history_month_idx ON deductions_history (month);
CREATE INDEX deductions_history_day_idx ON deductions_history (occurred_on);
CREATE INDEX deductions_history_deduction_idx ON deductions_history (deduction_id);

-- Each version is written standing and closed once, by the next: a dead row version, and a
-- dead index entry, for every version. A dead entry of a version once standing matches every
-- later position, so past boards read them all until VACUUM removes them (4.5 ms instead of
-- 1.3 at 200k events, more as the store grows). Vacuumed as the tasks' own rows are (0012):
-- after a fiftieth of the table is dead, not a fifth.
DO $$
DECLARE
    history text;
BEGIN
    FOR history IN
        SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname LIKE '%\_history'
    LOOP
        EXECUTE format('ALTER TABLE %I SET (autovacuum_vacuum_scale_factor = 0.02, '
            'autovacuum_vacuum_threshold = 200, autovacuum_analyze_scale_factor = 0.02)',
            history);
    END LOOP;
END
$$;
