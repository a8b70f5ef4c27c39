-- Read model of notices (通报, §15): one row per notice, for the public list, the inspectors'
-- drafts and the monthly report. A subject is held as the public may read it (a directory
-- entry's name, a case's or order's tracking number and a case's category), never more.
CREATE TABLE notice_list (
    id                  uuid        PRIMARY KEY,
    status              text        NOT NULL,
    kind                text        NOT NULL,
    title               text        NOT NULL,
    text                text        NOT NULL,
    subject_type        text        NOT NULL,
    subject_id          text        NOT NULL,
    subject_name        text        NOT NULL,
    subject_department  text,
    subject_category    text,
    flagged_task        text,
    drafted_at          timestamptz NOT NULL,
    published_at        timestamptz,
    published_month     text,
    withdrawn_at        timestamptz,
    withdraw_reason     text,
    updated_at          timestamptz NOT NULL,
    -- Where the notice stands in its list, newest first: its publication (a draft: its
    -- drafting); a withdrawal keeps the place.
    listed_position     bigint      NOT NULL,
    position            bigint      NOT NULL
);

CREATE INDEX notice_list_listed_idx ON notice_list (listed_position);
CREATE INDEX notice_list_month_idx ON notice_list (published_month) WHERE published_month IS NOT NULL;
