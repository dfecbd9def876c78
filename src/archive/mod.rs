//! The archive of documents as they were sent: the exact bytes of every PDF that left the
//! service (the quote sent, the document the employer accepted, the acceptance certificate),
//! kept for good, found by their SHA-256. A read checks the hash of what it found and never
//! hands out bytes that do not match it ([`ArchiveError::Corrupt`]).
//!
//! Two places can hold the bytes: the quote database itself (the default: nothing else to run,
//! and a document is stored in the same transaction as the event that names it) or an
//! S3-compatible object store ([`s3`]), for deployments that keep documents out of the
//! database (the bytes are stored first, then the event; a crash between leaves an orphan
//! document, never an event naming a missing one).

use crate::storage::BureauId;
use crate::storage::ForBureau;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::storage::StorageError;

pub mod s3;

/// A document to keep: its bytes, their SHA-256 (hex) and what they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub sha256: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl NewDocument {
    pub fn pdf(bytes: Vec<u8>) -> NewDocument {
        NewDocument {
            sha256: sha256_hex(&bytes),
            content_type: "application/pdf",
            bytes,
        }
    }
}

/// The SHA-256 of `bytes`, lowercase hex: how documents are named everywhere.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Where the bytes live.
#[expect(
    async_fn_in_trait,
    reason = "used with concrete types only (the wiring and the tests), so Send is inferred"
)]
pub trait DocumentArchive {
    /// Whether the bytes live in the quote database: then a change stores the documents it
    /// names in its own transaction, and [`DocumentArchive::put`] is not called for them.
    fn in_database(&self) -> bool;
    /// Keeps a document (a second put of the same bytes changes nothing).
    async fn put(&self, document: &NewDocument) -> Result<(), StorageError>;
    /// The bytes stored under `sha256`, unchecked (see [`read`]).
    async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError>;
    /// The documents stored before `before`, by hash (object stores; the database answers
    /// none: there a document is written with the event that names it, so none is orphaned).
    async fn stored_before(&self, before: DateTime<Utc>) -> Result<Vec<String>, StorageError>;
    /// Removes a document (an orphan: one no event names).
    async fn delete(&self, sha256: &str) -> Result<(), StorageError>;
}

/// Why an archived document cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The stored bytes do not have the hash they are stored under.
    #[error("the archived document {expected} is corrupt (its bytes hash to {found})")]
    Corrupt { expected: String, found: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Reads a document and checks its hash: a mismatch is logged as an error, counted
/// ([`corrupt_reads`]) and refused, never served.
pub async fn read(
    archive: &impl DocumentArchive,
    sha256: &str,
) -> Result<Option<Vec<u8>>, ArchiveError> {
    let Some(bytes) = archive.get(sha256).await? else {
        return Ok(None);
    };
    let found = sha256_hex(&bytes);
    if found != sha256 {
        CORRUPT_READS.fetch_add(1, Ordering::Relaxed);
        tracing::error!(
            expected = sha256,
            found = %found,
            size = bytes.len(),
            "archived document is corrupt: refused"
        );
        return Err(ArchiveError::Corrupt {
            expected: sha256.to_string(),
            found,
        });
    }
    Ok(Some(bytes))
}

static CORRUPT_READS: AtomicU64 = AtomicU64::new(0);

/// How many reads of this process found an archived document corrupt.
pub fn corrupt_reads() -> u64 {
    CORRUPT_READS.load(Ordering::Relaxed)
}

/// The archive a service runs with: the quote database `D` (the default), or an object store.
#[derive(Debug, Clone)]
pub enum Archive<D> {
    Database(D),
    Objects(s3::S3Archive),
}

impl<D: ForBureau> ForBureau for Archive<D> {
    fn for_bureau(&self, bureau: BureauId) -> Self {
        match self {
            Archive::Database(d) => Archive::Database(d.for_bureau(bureau)),
            Archive::Objects(o) => Archive::Objects(o.for_bureau(bureau)),
        }
    }
}

impl<D: DocumentArchive> DocumentArchive for Archive<D> {
    fn in_database(&self) -> bool {
        match self {
            Archive::Database(d) => d.in_database(),
            Archive::Objects(o) => o.in_database(),
        }
    }

    async fn put(&self, document: &NewDocument) -> Result<(), StorageError> {
        match self {
            Archive::Database(d) => d.put(document).await,
            Archive::Objects(o) => o.put(document).await,
        }
    }

    async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError> {
        match self {
            Archive::Database(d) => d.get(sha256).await,
            Archive::Objects(o) => o.get(sha256).await,
        }
    }

    async fn stored_before(&self, before: DateTime<Utc>) -> Result<Vec<String>, StorageError> {
        match self {
            Archive::Database(d) => d.stored_before(before).await,
            Archive::Objects(o) => o.stored_before(before).await,
        }
    }

    async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        match self {
            Archive::Database(d) => d.delete(sha256).await,
            Archive::Objects(o) => o.delete(sha256).await,
        }
    }
}
