-- Webhooks through the outbox (issue 14). Same order and content as ../sqlite.
--
-- `seq` orders jobs as they were committed: a change to a quote is written only on the version
-- it read, so a later change's jobs take later numbers (creation times are taken before the
-- read and need not be in order). `order_key` and `endpoint` keep a quote's webhook events in
-- order per endpoint: a job is not taken while an older one with the same key and endpoint is
-- queued. `round_base`/`round_started_at`: where the retry schedule restarts after an admin's
-- retry (the attempts before it stay counted).
ALTER TABLE outbox ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;
ALTER TABLE outbox ADD CONSTRAINT outbox_seq_key UNIQUE (seq);
ALTER TABLE outbox ADD COLUMN endpoint TEXT NULL;
ALTER TABLE outbox ADD COLUMN order_key TEXT NULL;
ALTER TABLE outbox ADD COLUMN round_base BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN round_started_at TIMESTAMPTZ NULL;
CREATE INDEX outbox_order_idx ON outbox (order_key, endpoint, seq);
CREATE INDEX outbox_kind_seq_idx ON outbox (kind, seq);

-- Every attempt of a job: when, the receiver's HTTP status (webhooks), what went wrong.
CREATE TABLE outbox_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY CONSTRAINT outbox_attempts_pkey PRIMARY KEY,
    job_id UUID NOT NULL CONSTRAINT outbox_attempts_job_id_fkey REFERENCES outbox (id),
    attempt BIGINT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    status_code INTEGER NULL,
    error TEXT NULL
);
CREATE INDEX outbox_attempts_job_id_idx ON outbox_attempts (job_id, id);

-- Webhook endpoints' state, by id (a digest of the URL; URLs and secrets live in the
-- configuration). A row with `disabled_at` set: the endpoint answered 410 Gone.
CREATE TABLE webhook_endpoints (
    id TEXT NOT NULL CONSTRAINT webhook_endpoints_pkey PRIMARY KEY,
    disabled_at TIMESTAMPTZ NULL,
    disabled_reason TEXT NULL
);
