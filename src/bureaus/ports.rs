//! What bureaus need from a database. The bureaus themselves are the operator's table (no
//! bureau owns it); keys are the bureau's own, read and written for the store's bureau.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

use super::model::{
    Bureau, BureauSettings, BureauStatus, NewBureau, StoredEndpoint, StoredKey, Usage,
};
use crate::storage::BureauId;
use crate::storage::StorageError;

#[expect(
    async_fn_in_trait,
    reason = "the ports are implemented and called inside this crate only, by concrete types whose futures are Send"
)]
pub trait BureauRepository {
    /// Every bureau, the default first.
    async fn bureaus(&self) -> Result<Vec<Bureau>, StorageError>;
    /// Every bureau's id and revision: what an instance compares to see what changed.
    async fn bureau_marks(&self) -> Result<Vec<(BureauId, i64)>, StorageError>;
    /// Stores a new bureau (`Conflict(BureauSlug)` when the slug is taken).
    async fn create_bureau(
        &self,
        new: &NewBureau,
        at: DateTime<Utc>,
    ) -> Result<Bureau, StorageError>;
    /// Suspends or resumes a bureau (`NotFound` when there is none).
    async fn set_bureau_status(
        &self,
        id: BureauId,
        status: BureauStatus,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// Stores a bureau's settings (`NotFound` when there is none) and moves its revision on.
    async fn set_bureau_settings(
        &self,
        id: BureauId,
        settings: &BureauSettings,
    ) -> Result<(), StorageError>;
    /// Moves a bureau's revision on (its catalog changed, say).
    async fn touch_bureau(&self, id: BureauId) -> Result<(), StorageError>;
    /// The keys of the store's bureau, oldest first.
    async fn keys(&self) -> Result<Vec<StoredKey>, StorageError>;
    /// Stores a key of the store's bureau and moves the bureau's revision on, together.
    async fn insert_key(&self, key: &StoredKey) -> Result<(), StorageError>;
    /// Revokes a key of the store's bureau (`NotFound` when it has none by that id, or it was
    /// revoked already) and moves the bureau's revision on, together.
    async fn revoke_key(&self, id: Uuid, at: DateTime<Utc>) -> Result<(), StorageError>;
    /// The webhook endpoints of the store's bureau set through the API, oldest first.
    async fn endpoints(&self) -> Result<Vec<StoredEndpoint>, StorageError>;
    /// Stores an endpoint of the store's bureau (`Conflict` when its id is taken) and moves the
    /// bureau's revision on, together.
    async fn insert_endpoint(&self, endpoint: &StoredEndpoint) -> Result<(), StorageError>;
    /// Removes an endpoint of the store's bureau (`NotFound` when there is none).
    async fn delete_endpoint(&self, id: &str) -> Result<(), StorageError>;
    /// Stores an endpoint's secrets after a rotation (`NotFound` when there is none).
    async fn rotate_endpoint(
        &self,
        id: &str,
        secrets: &[String],
        at: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// The tables a bureau owns, children before parents.
    fn bureau_tables(&self) -> &'static [&'static str];
    /// Every row of the store's bureau in `table`, each column by its name.
    async fn dump_table(&self, table: &str) -> Result<Vec<serde_json::Value>, StorageError>;
    /// Erases every row of the store's bureau in every table, and the bureau, together.
    async fn erase_bureau(&self) -> Result<(), StorageError>;
    /// The bureau of the link whose token hashes to `token_sha256` (spans bureaus: a link's
    /// page opens before its bureau is known).
    async fn link_bureau(&self, token_sha256: &str) -> Result<Option<BureauId>, StorageError>;
    /// What every bureau did from `from` until `before` (spans bureaus: the operator's view).
    async fn usage(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<HashMap<BureauId, Usage>, StorageError>;
}
