-- A department reads a case's summary with the complainant's identity masked (DESIGN §3):
-- the case_list projection keeps that text beside the whole summary, which only operators
-- and inspectors read. Rows projected before this migration cannot be masked here (the
-- complainant is only in the sealed events): they show a stand-in until
-- `oversight projections rebuild` writes every row again (docs/operations.md).
ALTER TABLE case_list ADD COLUMN department_summary text NOT NULL DEFAULT '（摘要暂不显示）';
ALTER TABLE case_list ALTER COLUMN department_summary DROP DEFAULT;

-- Summaries and details are personal data now: the audit feed copies them no more, and an
-- erased case keeps them nowhere. Rows written before are brought in line with what the
-- feed writes from now on.
UPDATE audit_events SET changes = changes - 'summary' - 'details'
WHERE event_type = 'Case.Registered' AND changes ?| ARRAY['summary', 'details'];

UPDATE case_list SET summary = '（已删除个人信息）', department_summary = '（已删除个人信息）'
WHERE id IN (
    SELECT record_id FROM audit_events WHERE event_type = 'Case.PersonalDataErased'
);
