//! Why publishing refused or failed.

use crate::catalog::Problem;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The file fails the catalog check (every problem, with its key path).
    #[error("the catalog file has {} problem(s)", .0.len())]
    Invalid(Vec<Problem>),
    /// A version's `valid_from` lies before today: history is not rewritten.
    #[error("valid_from {0} lies in the past: a new version takes effect today or later")]
    InThePast(chrono::NaiveDate),
    /// Another version with this name or `valid_from` is stored (perhaps published at the same
    /// moment).
    #[error("a version with this name or valid_from is stored already")]
    Taken,
    /// An asset of this name holds other bytes: assets never change.
    #[error(
        "asset `{0}` is stored with other bytes; an asset never changes: publish it under a new name"
    )]
    AssetTaken(String),
    /// Not a name an asset can have, or not an image the catalog check accepts.
    #[error("{1}")]
    BadAsset(&'static str, String),
    #[error("no catalog version `{0}`")]
    NotFound(String),
    /// In force or past: withdrawing it would change prices already quoted.
    #[error("version `{0}` is in force or past; only a version not yet in force can be withdrawn")]
    NotWithdrawable(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
