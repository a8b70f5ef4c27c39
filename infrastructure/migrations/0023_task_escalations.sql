-- Escalation (提级督办): a case or rectification order still overdue 5 working days after
-- supervision is escalated to its department's superior, or to the inspectors when it has
-- none (escalated_to NULL). The clock reads escalated_at to escalate once; the superior's
-- board lists its subordinates' escalated work (下级超期件), the inspectors' queue the rest.
ALTER TABLE case_list ADD COLUMN escalated_at timestamptz, ADD COLUMN escalated_to text;
ALTER TABLE order_list ADD COLUMN escalated_at timestamptz, ADD COLUMN escalated_to text;
CREATE INDEX case_list_escalated_to_idx ON case_list (escalated_to, due_at)
    WHERE escalated_at IS NOT NULL;
CREATE INDEX order_list_escalated_to_idx ON order_list (escalated_to, due_at)
    WHERE escalated_at IS NOT NULL;
