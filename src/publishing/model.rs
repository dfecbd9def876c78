//! A catalog version as the database keeps it: the file exactly as published, by its SHA-256,
//! who published it and when; and an asset (the logo) by name.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// Who published the versions imported from the catalog folder.
pub const IMPORTED_BY: &str = "import";

/// A stored catalog version with its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub version: String,
    pub valid_from: NaiveDate,
    pub sha256: String,
    /// The file exactly as published.
    pub source: String,
    /// The key id that published it, or `import`.
    pub published_by: String,
    pub published_at: DateTime<Utc>,
}

impl StoredVersion {
    /// The file name it has in a catalog folder (and in the catalog check's messages).
    pub fn file_name(&self) -> String {
        format!("{}.toml", self.valid_from)
    }
}

vocabulary! {
    /// Where a version stands on a day.
    pub VersionState {
        /// The newest version whose `valid_from` has come: new quotes are priced with it.
        InForce => "in_force",
        /// Takes effect on its `valid_from` (00:00 Europe/Amsterdam).
        Future => "future",
        /// Replaced by a later version (quotes priced with it keep it).
        Past => "past",
    }
}

/// A stored version as the API lists it (without its file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct VersionInfo {
    #[schema(example = "2025.1")]
    pub version: String,
    pub valid_from: NaiveDate,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// The id of the key that published it, or `import` (from the catalog folder).
    pub published_by: String,
    pub published_at: DateTime<Utc>,
    pub state: VersionState,
}

/// A stored asset as the API answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AssetInfo {
    #[schema(example = "logo.svg")]
    pub name: String,
    pub sha256: String,
    pub size: usize,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
}

/// A catalog asset (the logo) by name: never changed once stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAsset {
    pub name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
}
