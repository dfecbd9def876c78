-- Webhooks through the outbox (issue 14). Same order and content as ../postgres (see there for
-- why each column exists). SQLite cannot add a numbering column to a table, so the outbox is
-- rebuilt with `seq` as its row number (AUTOINCREMENT: never reused, always rising); the id
-- stays unique, existing jobs keep their order.
CREATE TABLE outbox_new (
    seq INTEGER NOT NULL CONSTRAINT outbox_seq_key PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL CONSTRAINT outbox_pkey UNIQUE,
    kind TEXT NOT NULL,
    quote_id TEXT NULL CONSTRAINT outbox_quote_id_fkey REFERENCES quotes (id),
    topic TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NULL,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until TEXT NULL,
    done_at TEXT NULL,
    endpoint TEXT NULL,
    order_key TEXT NULL,
    round_base BIGINT NOT NULL DEFAULT 0,
    round_started_at TEXT NULL,
    CONSTRAINT outbox_status_check CHECK (status IN ('queued', 'sent', 'failed'))
);
INSERT INTO outbox_new (id, kind, quote_id, topic, recipient, payload, status, attempts, last_error,
    created_at, next_attempt_at, lease_until, done_at)
    SELECT id, kind, quote_id, topic, recipient, payload, status, attempts, last_error,
        created_at, next_attempt_at, lease_until, done_at FROM outbox ORDER BY rowid;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
CREATE INDEX outbox_quote_id_idx ON outbox (quote_id, created_at);
CREATE INDEX outbox_order_idx ON outbox (order_key, endpoint, seq);
CREATE INDEX outbox_kind_seq_idx ON outbox (kind, seq);

CREATE TABLE outbox_attempts (
    id INTEGER NOT NULL CONSTRAINT outbox_attempts_pkey PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL CONSTRAINT outbox_attempts_job_id_fkey REFERENCES outbox (id),
    attempt BIGINT NOT NULL,
    at TEXT NOT NULL,
    status_code INTEGER NULL,
    error TEXT NULL
);
CREATE INDEX outbox_attempts_job_id_idx ON outbox_attempts (job_id, id);

CREATE TABLE webhook_endpoints (
    id TEXT NOT NULL CONSTRAINT webhook_endpoints_pkey PRIMARY KEY,
    disabled_at TEXT NULL,
    disabled_reason TEXT NULL
);
