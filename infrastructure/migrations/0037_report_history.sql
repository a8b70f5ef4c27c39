-- Time travel (§14) for the whole monthly report: besides the scores and deductions, it lists
-- the month's notices, cover gaps, staff assessments, item metrics and inspection visits. A
-- report asked as of an instant must read these as they stood then too, or a notice withdrawn
-- or a gap decided later would change a report the leaders already received. So their tables
-- keep row versions like migration 0036's, beside them, with a view in schema as_of.
SELECT keep_history('notice_list', 'id');
SELECT keep_history('cover_gap_list', 'id');
SELECT keep_history('assessment_list', 'id');
SELECT keep_history('item_list', 'code');
SELECT keep_history('case_items', 'case_id');
SELECT keep_history('rating_items', 'evaluation_id');
SELECT keep_history('visit_list', 'id');

-- The versions before this migration were never kept: these tables are projected again from
-- the start of the log (the worker does it on its next turn), versions and all.
TRUNCATE notice_list, cover_gap_list, assessment_list, item_list, case_items, rating_items,
    visit_list;
DELETE FROM projection_tracking WHERE name IN (
    'notice_list', 'cover_gap_list', 'assessment_list', 'item_list', 'case_items',
    'rating_items', 'visit_list');
