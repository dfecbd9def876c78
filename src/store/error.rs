//! sqlx's failures as the domain's [`StorageError`]: a unique violation by its constraint's name
//! (SQLite reports columns, not names: they are mapped to the same names), anything else from
//! the database as unavailable.

use crate::storage::{Constraint, StorageError};

pub(crate) fn from_sqlx(error: sqlx::Error) -> StorageError {
    if let sqlx::Error::Database(db) = &error {
        if let Some(name) = db.constraint() {
            return StorageError::Conflict(constraint(name));
        }
        let message = db.message();
        if message.contains("UNIQUE constraint failed") {
            for (columns, name) in [
                (
                    "quotes.bureau_id, quotes.idempotency_key",
                    "quotes_idempotency_key_key",
                ),
                (
                    "quotes.bureau_id, quotes.number, quotes.revision",
                    "quotes_number_revision_key",
                ),
                ("quotes.id", "quotes_pkey"),
                (
                    "quote_requests.bureau_id, quote_requests.reference",
                    "quote_requests_reference_key",
                ),
                (
                    "catalog_versions.bureau_id, catalog_versions.version",
                    "catalog_versions_pkey",
                ),
                (
                    "catalog_versions.bureau_id, catalog_versions.valid_from",
                    "catalog_versions_valid_from_key",
                ),
                (
                    "catalog_assets.bureau_id, catalog_assets.name",
                    "catalog_assets_pkey",
                ),
                ("bureaus.slug", "bureaus_slug_key"),
            ] {
                if message.contains(columns) {
                    return StorageError::Conflict(constraint(name));
                }
            }
            // Any other unique constraint, by its columns.
            let columns = message.split_once(": ").map_or(message, |(_, c)| c);
            return StorageError::Conflict(Constraint::Other(columns.to_string()));
        }
    }
    StorageError::Unavailable(anyhow::Error::new(error))
}

fn constraint(name: &str) -> Constraint {
    match name {
        "quotes_pkey" => Constraint::QuoteId,
        "quotes_number_revision_key" => Constraint::QuoteNumberRevision,
        "quotes_idempotency_key_key" => Constraint::IdempotencyKey,
        "quote_requests_reference_key" => Constraint::RequestReference,
        "catalog_versions_pkey" | "catalog_versions_valid_from_key" => Constraint::CatalogVersion,
        "catalog_assets_pkey" => Constraint::CatalogAsset,
        "bureaus_slug_key" => Constraint::BureauSlug,
        other => Constraint::Other(other.to_string()),
    }
}

/// A stored value that cannot be read back.
pub(crate) fn data(message: String) -> StorageError {
    StorageError::Data(anyhow::anyhow!(message))
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        from_sqlx(error)
    }
}
