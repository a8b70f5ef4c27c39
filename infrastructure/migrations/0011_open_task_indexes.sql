-- Boards read a department's open tasks. Indexes over open rows only keep that read the
-- size of the backlog, however many closed cases and orders history piles up.
CREATE INDEX case_list_open_board_idx ON case_list (assigned_department, due_at)
    WHERE status IN ('assigned', 'in_progress');
CREATE INDEX order_list_open_board_idx ON order_list (department, due_at)
    WHERE status IN ('issued', 'in_progress');
