-- Reminders sent by hand (人工催办, docs/api.md "Reminders by hand"): one row per reminder,
-- kept by the case_reminders and order_reminders projections from the RemindedByHand events
-- of cases and rectification orders. `department` is the department reminded (the one
-- handling the task then), so a case reassigned since keeps each reminder with the department
-- it was sent to. The department metrics count them over a period; the boards show each open
-- task's count and its last reminder.
CREATE TABLE case_reminders (
    id             text        PRIMARY KEY,
    task_id        uuid        NOT NULL,
    department     text        NOT NULL,
    message        text        NOT NULL,
    sent_at        timestamptz NOT NULL,
    sent_by_role   text        NOT NULL,
    sent_by_name   text,
    position       bigint      NOT NULL
);

CREATE INDEX case_reminders_task_idx ON case_reminders (task_id, department, position);
CREATE INDEX case_reminders_department_sent_idx ON case_reminders (department, sent_at);

CREATE TABLE order_reminders (LIKE case_reminders INCLUDING ALL);
