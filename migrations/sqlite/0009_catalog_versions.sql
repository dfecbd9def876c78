-- The catalog versions and their assets (same content as ../postgres; see there for why).
CREATE TABLE catalog_versions (
    version TEXT NOT NULL CONSTRAINT catalog_versions_pkey PRIMARY KEY,
    valid_from TEXT NOT NULL CONSTRAINT catalog_versions_valid_from_key UNIQUE,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL
);
CREATE TABLE catalog_assets (
    name TEXT NOT NULL CONSTRAINT catalog_assets_pkey PRIMARY KEY,
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL
);
