-- The bytes of evidence files (附件, §17) when no OVERSIGHT_ATTACHMENTS_DIR is set: one row
-- per distinct stored content, named by the SHA-256 (hex) of the bytes as stored (for a
-- complainant's file, its sealed form). What a file is, whose it is and its hashes are in
-- its `Attachment` event; a row no event names (an upload whose save was refused) is never
-- read. Rows are never updated: the same bytes uploaded again find their row.
CREATE TABLE attachment_blobs (
    sha256      text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size        bigint      NOT NULL,
    content     bytea       NOT NULL,
    stored_at   timestamptz NOT NULL DEFAULT now()
);
-- The bytes are compressed photos, audio and video, or ciphertext: compressing them again
-- costs time and saves nothing.
ALTER TABLE attachment_blobs ALTER COLUMN content SET STORAGE EXTERNAL;
