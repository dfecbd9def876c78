-- Quotes, their numbering and their events. Same order and content as ../sqlite; PostgreSQL
-- keeps money as NUMERIC(12,2), dates as DATE, timestamps as TIMESTAMPTZ, ids as UUID.
CREATE TABLE quote_counters (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    last BIGINT NOT NULL,
    CONSTRAINT quote_counters_pkey PRIMARY KEY (prefix, year)
);

CREATE TABLE quotes (
    id UUID NOT NULL CONSTRAINT quotes_pkey PRIMARY KEY,
    number TEXT NOT NULL,
    revision BIGINT NOT NULL,
    status TEXT NOT NULL,
    language TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    employer TEXT NOT NULL,
    employee TEXT NOT NULL,
    circumstances TEXT NOT NULL,
    computation TEXT NOT NULL,
    -- The same computation in the other language, so a document can be rendered in either.
    computation_translated TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    catalog_hash TEXT NOT NULL,
    tier_code TEXT NOT NULL,
    excl_vat NUMERIC(12, 2) NOT NULL,
    vat NUMERIC(12, 2) NOT NULL,
    incl_vat NUMERIC(12, 2) NOT NULL,
    valid_until DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_role TEXT NOT NULL,
    created_by_key TEXT NOT NULL,
    supersedes UUID NULL CONSTRAINT quotes_supersedes_fkey REFERENCES quotes (id),
    superseded_by UUID NULL,
    decided_at TIMESTAMPTZ NULL,
    idempotency_key TEXT NULL,
    idempotency_hash TEXT NULL,
    CONSTRAINT quotes_number_revision_key UNIQUE (number, revision),
    CONSTRAINT quotes_idempotency_key_key UNIQUE (idempotency_key),
    CONSTRAINT quotes_status_check CHECK (status IN ('draft', 'sent', 'accepted', 'declined', 'withdrawn', 'expired', 'superseded'))
);
CREATE INDEX quotes_created_at_idx ON quotes (created_at);
CREATE INDEX quotes_status_valid_until_idx ON quotes (status, valid_until);

CREATE TABLE quote_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY CONSTRAINT quote_events_pkey PRIMARY KEY,
    quote_id UUID NOT NULL CONSTRAINT quote_events_quote_id_fkey REFERENCES quotes (id),
    from_status TEXT NULL,
    to_status TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    role TEXT NOT NULL,
    key_id TEXT NOT NULL,
    reason TEXT NULL,
    document_sha256 TEXT NULL
);
CREATE INDEX quote_events_quote_id_idx ON quote_events (quote_id, id);
