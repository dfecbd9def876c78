-- The archive of documents as sent (same content as ../sqlite): the exact bytes of every PDF
-- that left the service, kept for good under their SHA-256 (hex). A row is written in the
-- transaction of the event that names it, and never changed.
CREATE TABLE documents (
    sha256 TEXT NOT NULL CONSTRAINT documents_pkey PRIMARY KEY,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT documents_sha256_check CHECK (length(sha256) = 64)
);
-- "Is this the document we sent?": an event by the hash of its document.
CREATE INDEX quote_events_document_idx ON quote_events (document_sha256)
    WHERE document_sha256 IS NOT NULL;
-- What an online acceptance is evidenced by besides the name (JSON: the exact sentence the box
-- said and its language, the client's address and user agent), kept as long as the quote.
ALTER TABLE quote_events ADD COLUMN evidence TEXT NULL;
