//! What publishing needs from a database.

use chrono::NaiveDate;

use super::model::{StoredAsset, StoredVersion};
use crate::outbox::model::NewJob;
use crate::storage::StorageError;

#[expect(
    async_fn_in_trait,
    reason = "the ports are implemented and called inside this crate only, by concrete types whose futures are Send"
)]
pub trait CatalogRepository {
    /// Every stored version with its file, by `valid_from`.
    async fn catalog_versions(&self) -> Result<Vec<StoredVersion>, StorageError>;
    /// Every stored version's name and file hash, by `valid_from`: what tells a change (read
    /// every few seconds, so without the files).
    async fn catalog_marks(&self) -> Result<Vec<(String, String)>, StorageError>;
    /// Stores versions and assets, and queues what their publishing sends, in one transaction;
    /// a taken version name or `valid_from` is `Conflict(CatalogVersion)`, a taken asset name
    /// `Conflict(CatalogAsset)`.
    async fn insert_catalog(
        &self,
        versions: &[StoredVersion],
        assets: &[StoredAsset],
        jobs: &[NewJob],
    ) -> Result<(), StorageError>;
    /// Deletes `version` if it takes effect after `today`; whether it did.
    async fn delete_catalog_version(
        &self,
        version: &str,
        today: NaiveDate,
    ) -> Result<bool, StorageError>;
    /// Every stored asset.
    async fn catalog_assets(&self) -> Result<Vec<StoredAsset>, StorageError>;
}
