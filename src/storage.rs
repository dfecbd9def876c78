//! What every storage port shares, neutral ground for the domains that own ports (quotes,
//! requests, outbox): the row version a conditional write names, why a write failed, and the
//! named unique constraints a write can run into. Storage decides no rule: it reports these and
//! the domain decides what they mean.

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
