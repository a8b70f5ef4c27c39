-- Read model of the item catalogue (事项清单, §16): one row per item code, withdrawn items
-- kept and marked, for the public list, each item's one-time notice (一次性告知) and the
-- checks of cases and ratings that name an item. An item names no person.
CREATE TABLE item_list (
    code                   text        PRIMARY KEY,
    name                   text        NOT NULL,
    department             text        NOT NULL,
    windows                text[]      NOT NULL DEFAULT '{}',
    zone                   text        NOT NULL,
    frequency              text        NOT NULL,
    at_most_one_trip       boolean     NOT NULL,
    promised_working_days  integer     NOT NULL,
    materials              jsonb       NOT NULL DEFAULT '[]'::jsonb,
    legal_basis            text        NOT NULL DEFAULT '',
    sample                 boolean     NOT NULL DEFAULT false,
    withdrawn              boolean     NOT NULL DEFAULT false,
    -- How many times the item was listed or revised (1: as first listed).
    version                integer     NOT NULL,
    listed_at              timestamptz NOT NULL,
    revised_at             timestamptz NOT NULL,
    position               bigint      NOT NULL
);

CREATE INDEX item_list_department_idx ON item_list (department) WHERE NOT withdrawn;

-- Cases and ratings that name an item (Case.ItemNamed, Evaluation.ItemNamed), one row each,
-- for the item metrics (GET /metrics/items): what the metrics count, nothing of the people.
CREATE TABLE case_items (
    case_id        uuid        PRIMARY KEY,
    item           text        NOT NULL,
    kind           text        NOT NULL,
    category       text,
    department     text,
    registered_at  timestamptz NOT NULL,
    position       bigint      NOT NULL
);

CREATE INDEX case_items_item_idx ON case_items (item, registered_at);
CREATE INDEX case_items_registered_idx ON case_items (registered_at);

CREATE TABLE rating_items (
    evaluation_id  uuid        PRIMARY KEY,
    item           text        NOT NULL,
    rating         smallint    NOT NULL,
    window_id      text        NOT NULL,
    department     text        NOT NULL,
    rated_at       timestamptz NOT NULL,
    position       bigint      NOT NULL
);

CREATE INDEX rating_items_rated_idx ON rating_items (rated_at);
