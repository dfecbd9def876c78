-- The catalog versions the service prices with (same content as ../sqlite): each file exactly as
-- published (through the API, the CLI, or imported from the catalog folder at first start), by
-- its SHA-256, who published it (a key id, or `import`) and when. A stored version never
-- changes; one not yet in force may be withdrawn (deleted). Its assets (the logo) are kept by
-- name and never change either.
CREATE TABLE catalog_versions (
    version TEXT NOT NULL CONSTRAINT catalog_versions_pkey PRIMARY KEY,
    valid_from DATE NOT NULL CONSTRAINT catalog_versions_valid_from_key UNIQUE,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE catalog_assets (
    name TEXT NOT NULL CONSTRAINT catalog_assets_pkey PRIMARY KEY,
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    published_by TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL
);
