-- The appeal list has the shape every task list shares (the clock's projection writes the
-- same columns for cases, orders and appeals). An appeal is never escalated (the inspectors
-- decide it, with nobody above them), so here the two columns stay empty.
ALTER TABLE appeal_list ADD COLUMN escalated_at timestamptz, ADD COLUMN escalated_to text;
