-- Requests for a quote sent from a bureau's website (the public "offerte aanvragen" form).
-- Same order and content as ../sqlite; PostgreSQL keeps money as NUMERIC(12,2), timestamps as
-- TIMESTAMPTZ, ids as UUID. Requests never turned into a quote are deleted after the retention
-- period (`request_retention_days`); nothing medical is ever stored (the bodies refuse it).
CREATE TABLE quote_requests (
    id UUID NOT NULL CONSTRAINT quote_requests_pkey PRIMARY KEY,
    reference TEXT NOT NULL,
    status TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    employer TEXT NOT NULL,
    employee TEXT NOT NULL,
    -- The circumstances as sent (defaults not made explicit: a quote made later prices on its own date).
    circumstances TEXT NOT NULL,
    -- The indicative result the requester saw.
    indicative TEXT NOT NULL,
    tier_code TEXT NOT NULL,
    excl_vat NUMERIC(12, 2) NOT NULL,
    incl_vat NUMERIC(12, 2) NOT NULL,
    consent_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    quote_id UUID NULL CONSTRAINT quote_requests_quote_id_fkey REFERENCES quotes (id),
    decided_at TIMESTAMPTZ NULL,
    decided_by_key TEXT NULL,
    reason TEXT NULL,
    CONSTRAINT quote_requests_reference_key UNIQUE (reference),
    CONSTRAINT quote_requests_status_check CHECK (status IN ('new', 'converted', 'rejected'))
);
CREATE INDEX quote_requests_created_at_idx ON quote_requests (created_at);
CREATE INDEX quote_requests_status_created_at_idx ON quote_requests (status, created_at);
