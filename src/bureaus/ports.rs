//! What bureaus need from a database. The bureaus themselves are the operator's table (no
//! bureau owns it); keys are the bureau's own, read and written for the store's bureau.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

use super::model::{Bureau, BureauId, BureauSettings, BureauStatus, NewBureau, StoredKey, Usage};
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
