-- The operator's desk (DESIGN §13). `phone_digest` is a keyed digest (HMAC-SHA-256 under a
-- key derived from the server key) of the complainant's phone digits: it finds a caller's
-- earlier cases, and the number itself is never in a read table. Erasing the complainant's
-- personal data sets it to NULL. `return_reason` and `returned_by` are the last return's
-- reason and the department that returned the case, for the routing queue.
-- Rows projected before this migration get them from `oversight projections rebuild`.
ALTER TABLE case_list
    ADD COLUMN phone_digest  text,
    ADD COLUMN return_reason text,
    ADD COLUMN returned_by   text;

CREATE INDEX case_list_phone_idx ON case_list (phone_digest, registered_position DESC)
    WHERE phone_digest IS NOT NULL;
CREATE INDEX case_list_window_idx ON case_list (window_id, registered_at DESC)
    WHERE window_id IS NOT NULL;
