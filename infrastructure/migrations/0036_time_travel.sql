-- Time travel (§14): reads as the record stood at a past instant.
--
-- Record time. audit_events.recorded_at is the latest event time among the events up to and
-- including each position (a running maximum, so it never goes back): the log's prefix
-- recorded by an instant T ends at the last position whose recorded_at <= T.
ALTER TABLE audit_events ADD COLUMN recorded_at timestamptz;
UPDATE audit_events AS a SET recorded_at = r.recorded_at
FROM (
    SELECT position, max(at) OVER (ORDER BY position) AS recorded_at FROM audit_events
) AS r
WHERE r.position = a.position;
CREATE INDEX audit_events_recorded_at_idx ON audit_events (recorded_at, position);

-- Row versions. Each table read as of an instant has a `<table>_history` beside it: every
-- version of every row, valid from the log position of the event that made it to the
-- position of the next one (valid_to NULL: the version standing now). The projection that
-- writes the table writes its versions in the same transaction.
--
-- Schema `as_of` holds, under each such table's name, a view of the versions standing at
-- the position `oversight.as_of_position` (a setting of the reading transaction), and
-- projection_tracking capped at it: a read query run with `as_of` first on its search_path
-- reads the past with the text it reads the present with.
CREATE SCHEMA as_of;

CREATE VIEW as_of.projection_tracking AS
SELECT name, least(position, current_setting('oversight.as_of_position')::bigint) AS position
FROM projection_tracking;

-- Make (or bring up to date, after a migration added columns to `live`) the history table
-- of `live`, keyed by `key`, and its view in schema as_of. A migration that changes a
-- table keeping history calls it again. A column added takes the live column's default: the
-- versions then hold what the live rows were filled with, and a version written without the
-- column holds what its row got.
CREATE FUNCTION keep_history(live text, key text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    history text := live || '_history';
    missing record;
    listed text;
BEGIN
    IF to_regclass(history) IS NULL THEN
        EXECUTE format(
            'CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS, '
            'valid_from bigint NOT NULL, valid_to bigint, CHECK (valid_to > valid_from))',
            history, live);
        EXECUTE format('CREATE INDEX %I ON %I (%I) WHERE valid_to IS NULL',
            history || '_standing_idx', history, key);
        EXECUTE format('CREATE INDEX %I ON %I USING gist (int8range(valid_from, valid_to))',
            history || '_positions_idx', history);
    END IF;
    FOR missing IN
        SELECT l.attname, format_type(l.atttypid, l.atttypmod) AS kind,
               CASE WHEN l.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END
                   AS default_expression
        FROM pg_attribute AS l
        LEFT JOIN pg_attrdef AS d ON d.adrelid = l.attrelid AND d.adnum = l.attnum
        WHERE l.attrelid = live::regclass AND l.attnum > 0 AND NOT l.attisdropped
          AND NOT EXISTS (
              SELECT 1 FROM pg_attribute AS h
              WHERE h.attrelid = history::regclass AND h.attname = l.attname
                AND NOT h.attisdropped)
        ORDER BY l.attnum
    LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN %I %s', history, missing.attname, missing.kind)
            || coalesce(' DEFAULT ' || missing.default_expression, '');
    END LOOP;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO listed
    FROM pg_attribute
    WHERE attrelid = live::regclass AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('DROP VIEW IF EXISTS as_of.%I', live);
    EXECUTE format(
        'CREATE VIEW as_of.%I AS SELECT %s FROM %I '
        'WHERE int8range(valid_from, valid_to) @> '
        'current_setting(''oversight.as_of_position'')::bigint',
        live, listed, history);
END
$$;

SELECT keep_history('case_list', 'id');
SELECT keep_history('order_list', 'id');
SELECT keep_history('appeal_list', 'id');
SELECT keep_history('case_assignments', 'case_id');
SELECT keep_history('case_reminders', 'id');
SELECT keep_history('order_reminders', 'id');
SELECT keep_history('evaluation_list', 'id');
SELECT keep_history('survey_list', 'id');
SELECT keep_history('deductions', 'id');
SELECT keep_history('directory_subjects', 'key');
-- The monthly report's other sections: notices, cover gaps, staff assessments, item metrics
-- and inspection visits, so that a report asked as of an instant reads them as they stood.
SELECT keep_history('notice_list', 'id');
SELECT keep_history('cover_gap_list', 'id');
SELECT keep_history('assessment_list', 'id');
SELECT keep_history('item_list', 'code');
SELECT keep_history('case_items', 'case_id');
SELECT keep_history('rating_items', 'evaluation_id');
SELECT keep_history('visit_list', 'id');

-- The versions before this migration were never kept: these tables are projected again from
-- the start of the log (the worker does it on its next turn), versions and all.
TRUNCATE case_list, order_list, appeal_list, case_assignments, case_reminders,
    order_reminders, evaluation_list, survey_list, deductions, directory_subjects,
    notice_list, cover_gap_list, assessment_list, item_list, case_items, rating_items,
    visit_list;
DELETE FROM projection_tracking WHERE name IN (
    'case_list', 'order_list', 'appeal_list', 'case_assignments', 'case_reminders',
    'order_reminders', 'evaluation_list', 'survey_list', 'deductions', 'directory_subjects',
    'notice_list', 'cover_gap_list', 'assessment_list', 'item_list', 'case_items',
    'rating_items', 'visit_list');
