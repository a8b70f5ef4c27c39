-- Read model of ratings (好差评): one row per rated encounter, for satisfaction per window and
-- department. The comment stays in the events; only what the metrics count is here.
CREATE TABLE evaluation_list (
    id              uuid        PRIMARY KEY,
    window_id       text        NOT NULL,
    department      text        NOT NULL,
    staff_id        text,
    rating          smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
    service_item    text,
    rated_at        timestamptz NOT NULL,
    position        bigint      NOT NULL
);

CREATE INDEX evaluation_list_department_idx ON evaluation_list (department, rated_at);
CREATE INDEX evaluation_list_window_idx ON evaluation_list (window_id, rated_at);
