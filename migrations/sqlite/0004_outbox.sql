-- The durable outbox, the links employers open quotes with, and names on events. Same order and
-- content as ../postgres (SQLite keeps ids and timestamps as TEXT, and has one writer at a time,
-- so a worker's lease needs no row locks).
CREATE TABLE outbox (
    id TEXT NOT NULL CONSTRAINT outbox_pkey PRIMARY KEY,
    kind TEXT NOT NULL,
    quote_id TEXT NULL CONSTRAINT outbox_quote_id_fkey REFERENCES quotes (id),
    -- What it is about, for people: e.g. `quote_sent`, `reminder`, `accepted_confirmation`.
    topic TEXT NOT NULL,
    -- To whom, for people (the addresses, or the endpoint's URL without secrets).
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NULL,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until TEXT NULL,
    done_at TEXT NULL,
    CONSTRAINT outbox_status_check CHECK (status IN ('queued', 'sent', 'failed'))
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
CREATE INDEX outbox_quote_id_idx ON outbox (quote_id, created_at);

-- Links an employer opens a quote with: only the SHA-256 of the token is kept.
CREATE TABLE quote_links (
    token_sha256 TEXT NOT NULL CONSTRAINT quote_links_pkey PRIMARY KEY,
    quote_id TEXT NOT NULL CONSTRAINT quote_links_quote_id_fkey REFERENCES quotes (id),
    created_at TEXT NOT NULL
);
CREATE INDEX quote_links_quote_id_idx ON quote_links (quote_id);

-- Who acted, by name, where no key did (the employer accepting online).
ALTER TABLE quote_events ADD COLUMN name TEXT NULL;
