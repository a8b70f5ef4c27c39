-- The inspector's supervision queue (DESIGN §13): a deduction a department proposed with its
-- result (建议扣分) and where it stands — `proposal_status` proposed, confirmed or dismissed
-- (domain.case.ProposalStatus), with the rule, staff member, window and points proposed, so
-- the queue lists the proposals no inspector has decided without opening every case.
-- Rows projected before this migration get them from `oversight projections rebuild`.
ALTER TABLE case_list
    ADD COLUMN proposal_status text,
    ADD COLUMN proposal_rule   text,
    ADD COLUMN proposal_staff  text,
    ADD COLUMN proposal_window text,
    ADD COLUMN proposal_points integer;

CREATE INDEX case_list_proposed_idx ON case_list (registered_position)
    WHERE proposal_status = 'proposed';
CREATE INDEX case_list_extension_requested_idx ON case_list (registered_position)
    WHERE extension_requested;
