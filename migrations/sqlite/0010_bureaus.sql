-- no-transaction
-- One deployment, many bureaus: every table a bureau owns carries `bureau_id`, and what was
-- unique in the one-bureau service is unique per bureau. What existed belongs to bureau 1, the
-- default bureau. SQLite cannot change a table's constraints in place: those tables are built
-- anew (the procedure of SQLite's ALTER TABLE documentation, foreign keys off meanwhile, checked
-- before the commit).
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE bureaus (
    id INTEGER NOT NULL CONSTRAINT bureaus_pkey PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL CONSTRAINT bureaus_slug_key UNIQUE,
    name TEXT NOT NULL,
    number_prefix TEXT NOT NULL,
    status TEXT NOT NULL,
    -- The bureau's own settings (sender, reply-to, website origins, reminder days), JSON.
    settings TEXT NOT NULL,
    -- Goes up with every change of the bureau, its keys, settings, endpoints or catalog, so
    -- every instance sees which bureaus to load again.
    revision INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    status_changed_at TEXT NULL,
    CONSTRAINT bureaus_status_check CHECK (status IN ('active', 'suspended'))
);
INSERT INTO bureaus (id, slug, name, number_prefix, status, settings, revision, created_at)
VALUES (1, 'default', 'default', '', 'active', '{}', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

CREATE TABLE api_keys (
    id TEXT NOT NULL CONSTRAINT api_keys_pkey PRIMARY KEY,
    bureau_id INTEGER NOT NULL CONSTRAINT api_keys_bureau_id_fkey REFERENCES bureaus (id),
    role TEXT NOT NULL,
    sha256 TEXT NOT NULL CONSTRAINT api_keys_sha256_key UNIQUE,
    label TEXT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT NULL,
    revoked_at TEXT NULL,
    CONSTRAINT api_keys_role_check CHECK (role IN ('sales', 'finance', 'admin', 'public'))
);
CREATE INDEX api_keys_bureau_id_idx ON api_keys (bureau_id, created_at);

CREATE TABLE new_quote_counters (
    bureau_id INTEGER NOT NULL CONSTRAINT quote_counters_bureau_id_fkey REFERENCES bureaus (id),
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    CONSTRAINT quote_counters_pkey PRIMARY KEY (bureau_id, prefix, year)
);
INSERT INTO new_quote_counters (bureau_id, prefix, year, last)
SELECT 1, prefix, year, last FROM quote_counters;
DROP TABLE quote_counters;
ALTER TABLE new_quote_counters RENAME TO quote_counters;

CREATE TABLE new_quotes (
    id TEXT NOT NULL CONSTRAINT quotes_pkey PRIMARY KEY,
    bureau_id INTEGER NOT NULL CONSTRAINT quotes_bureau_id_fkey REFERENCES bureaus (id),
    number TEXT NOT NULL,
    revision INTEGER NOT NULL,
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
    excl_vat TEXT NOT NULL,
    vat TEXT NOT NULL,
    incl_vat TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_role TEXT NOT NULL,
    created_by_key TEXT NOT NULL,
    supersedes TEXT NULL CONSTRAINT quotes_supersedes_fkey REFERENCES quotes (id),
    superseded_by TEXT NULL,
    decided_at TEXT NULL,
    idempotency_key TEXT NULL,
    idempotency_hash TEXT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    employee_consent TEXT NULL,
    employee_consent_asked_at TEXT NULL,
    employee_consent_at TEXT NULL,
    employee_consent_sha256 TEXT NULL,
    CONSTRAINT quotes_number_revision_key UNIQUE (bureau_id, number, revision),
    CONSTRAINT quotes_idempotency_key_key UNIQUE (bureau_id, idempotency_key),
    CONSTRAINT quotes_status_check CHECK (status IN ('draft', 'sent', 'accepted', 'declined', 'withdrawn', 'expired', 'superseded'))
);
INSERT INTO new_quotes (id, bureau_id, number, revision, status, language, employer_name, employer,
    employee, circumstances, computation, computation_translated, catalog_version, catalog_hash,
    tier_code, excl_vat, vat, incl_vat, valid_until, created_at, updated_at, created_by_role,
    created_by_key, supersedes, superseded_by, decided_at, idempotency_key, idempotency_hash, version,
    employee_consent, employee_consent_asked_at, employee_consent_at, employee_consent_sha256)
SELECT id, 1, number, revision, status, language, employer_name, employer,
    employee, circumstances, computation, computation_translated, catalog_version, catalog_hash,
    tier_code, excl_vat, vat, incl_vat, valid_until, created_at, updated_at, created_by_role,
    created_by_key, supersedes, superseded_by, decided_at, idempotency_key, idempotency_hash, version,
    employee_consent, employee_consent_asked_at, employee_consent_at, employee_consent_sha256
FROM quotes;
DROP TABLE quotes;
ALTER TABLE new_quotes RENAME TO quotes;
CREATE INDEX quotes_created_at_idx ON quotes (bureau_id, created_at);
CREATE INDEX quotes_status_valid_until_idx ON quotes (bureau_id, status, valid_until);

CREATE TABLE new_quote_requests (
    id TEXT NOT NULL CONSTRAINT quote_requests_pkey PRIMARY KEY,
    bureau_id INTEGER NOT NULL CONSTRAINT quote_requests_bureau_id_fkey REFERENCES bureaus (id),
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
    excl_vat TEXT NOT NULL,
    incl_vat TEXT NOT NULL,
    consent_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    quote_id TEXT NULL CONSTRAINT quote_requests_quote_id_fkey REFERENCES quotes (id),
    decided_at TEXT NULL,
    decided_by_key TEXT NULL,
    reason TEXT NULL,
    CONSTRAINT quote_requests_reference_key UNIQUE (bureau_id, reference),
    CONSTRAINT quote_requests_status_check CHECK (status IN ('new', 'converted', 'rejected'))
);
INSERT INTO new_quote_requests (id, bureau_id, reference, status, employer_name, employer, employee,
    circumstances, indicative, tier_code, excl_vat, incl_vat, consent_at, created_at, updated_at,
    quote_id, decided_at, decided_by_key, reason)
SELECT id, 1, reference, status, employer_name, employer, employee,
    circumstances, indicative, tier_code, excl_vat, incl_vat, consent_at, created_at, updated_at,
    quote_id, decided_at, decided_by_key, reason
FROM quote_requests;
DROP TABLE quote_requests;
ALTER TABLE new_quote_requests RENAME TO quote_requests;
CREATE INDEX quote_requests_created_at_idx ON quote_requests (bureau_id, created_at);
CREATE INDEX quote_requests_status_created_at_idx ON quote_requests (bureau_id, status, created_at);

CREATE TABLE new_webhook_endpoints (
    bureau_id INTEGER NOT NULL CONSTRAINT webhook_endpoints_bureau_id_fkey REFERENCES bureaus (id),
    id TEXT NOT NULL,
    disabled_at TEXT NULL,
    disabled_reason TEXT NULL,
    CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (bureau_id, id)
);
INSERT INTO new_webhook_endpoints (bureau_id, id, disabled_at, disabled_reason)
SELECT 1, id, disabled_at, disabled_reason FROM webhook_endpoints;
DROP TABLE webhook_endpoints;
ALTER TABLE new_webhook_endpoints RENAME TO webhook_endpoints;

CREATE TABLE new_documents (
    bureau_id INTEGER NOT NULL CONSTRAINT documents_bureau_id_fkey REFERENCES bureaus (id),
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT documents_pkey PRIMARY KEY (bureau_id, sha256),
    CONSTRAINT documents_sha256_check CHECK (length(sha256) = 64)
);
INSERT INTO new_documents (bureau_id, sha256, content_type, size, bytes, created_at)
SELECT 1, sha256, content_type, size, bytes, created_at FROM documents;
DROP TABLE documents;
ALTER TABLE new_documents RENAME TO documents;

CREATE TABLE new_catalog_versions (
    bureau_id INTEGER NOT NULL CONSTRAINT catalog_versions_bureau_id_fkey REFERENCES bureaus (id),
    version TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    CONSTRAINT catalog_versions_pkey PRIMARY KEY (bureau_id, version),
    CONSTRAINT catalog_versions_valid_from_key UNIQUE (bureau_id, valid_from)
);
INSERT INTO new_catalog_versions (bureau_id, version, valid_from, sha256, source, published_by, published_at)
SELECT 1, version, valid_from, sha256, source, published_by, published_at FROM catalog_versions;
DROP TABLE catalog_versions;
ALTER TABLE new_catalog_versions RENAME TO catalog_versions;

CREATE TABLE new_catalog_assets (
    bureau_id INTEGER NOT NULL CONSTRAINT catalog_assets_bureau_id_fkey REFERENCES bureaus (id),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    CONSTRAINT catalog_assets_pkey PRIMARY KEY (bureau_id, name)
);
INSERT INTO new_catalog_assets (bureau_id, name, sha256, bytes, published_by, published_at)
SELECT 1, name, sha256, bytes, published_by, published_at FROM catalog_assets;
DROP TABLE catalog_assets;
ALTER TABLE new_catalog_assets RENAME TO catalog_assets;

-- Tables whose constraints stay: the column is added (SQLite needs a default for that; every
-- statement of the store names the bureau, which tests/tenancy.rs checks).
ALTER TABLE quote_events ADD COLUMN bureau_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE quote_links ADD COLUMN bureau_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE outbox ADD COLUMN bureau_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE outbox_attempts ADD COLUMN bureau_id INTEGER NOT NULL DEFAULT 1;
DROP INDEX quote_events_quote_id_idx;
CREATE INDEX quote_events_quote_id_idx ON quote_events (bureau_id, quote_id, id);
DROP INDEX outbox_quote_id_idx;
CREATE INDEX outbox_quote_id_idx ON outbox (bureau_id, quote_id, created_at);
DROP INDEX outbox_kind_seq_idx;
CREATE INDEX outbox_kind_seq_idx ON outbox (bureau_id, kind, seq);

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
