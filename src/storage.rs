//! What every storage port shares, neutral ground for the domains that own ports (quotes,
//! requests, outbox): the row version a conditional write names, why a write failed, and the
//! named unique constraints a write can run into. Storage decides no rule: it reports these and
//! the domain decides what they mean.

use serde::{Deserialize, Serialize};

/// A row's version: it goes up by one with every change of the row.
pub type Version = i64;

/// Why storage could not do what was asked. Storage failures only: no business rule.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no such record")]
    NotFound,
    /// The row is no longer in the version (or status) the change was decided on.
    #[error("the record changed meanwhile")]
    Stale,
    #[error("conflict with an existing record ({0:?})")]
    Conflict(Constraint),
    /// The database (or the object store of the archive) could not be reached or refused the
    /// request.
    #[error("storage failed")]
    Unavailable(#[source] anyhow::Error),
    /// A stored value could not be read back.
    #[error("stored data could not be read")]
    Data(#[source] anyhow::Error),
}

/// The named unique constraints a write can run into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    QuoteId,
    QuoteNumberRevision,
    IdempotencyKey,
    RequestReference,
    /// A catalog version's name, or its `valid_from`, is taken.
    CatalogVersion,
    /// A catalog asset's name is taken.
    CatalogAsset,
    /// A bureau's slug is taken.
    BureauSlug,
    /// Any other constraint, by its name.
    Other(String),
}

/// A bureau's number in the database. Bureau 1 is the default bureau: the one a deployment
/// with nothing configured runs as, and the one existing databases migrated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BureauId(i64);

impl BureauId {
    /// The default bureau.
    pub const DEFAULT: BureauId = BureauId(1);

    pub const fn new(id: i64) -> BureauId {
        BureauId(id)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn is_default(self) -> bool {
        self == BureauId::DEFAULT
    }
}

impl std::fmt::Display for BureauId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A handle (a repository, an archive) that works for one bureau, and the same handle for
/// another: what spans bureaus (the outbox worker) takes each bureau's handle per item.
pub trait ForBureau {
    fn for_bureau(&self, bureau: BureauId) -> Self;
}
