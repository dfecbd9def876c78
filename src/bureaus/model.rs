//! What a bureau is, without storage or HTTP.

use serde::{Deserialize, Serialize};

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
