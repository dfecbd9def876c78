-- The archive of documents as sent (same content as ../postgres; see there for why).
CREATE TABLE documents (
    sha256 TEXT NOT NULL CONSTRAINT documents_pkey PRIMARY KEY,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT documents_sha256_check CHECK (length(sha256) = 64)
);
CREATE INDEX quote_events_document_idx ON quote_events (document_sha256)
    WHERE document_sha256 IS NOT NULL;
-- What an online acceptance is evidenced by besides the name (JSON: the exact sentence the box
-- said and its language, the client's address and user agent), kept as long as the quote.
ALTER TABLE quote_events ADD COLUMN evidence TEXT NULL;
