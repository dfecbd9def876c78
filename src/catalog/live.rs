//! The catalog versions in force for the whole service, swapped whole when the versions change
//! (a version published or withdrawn on any instance): every operation takes the set as it is
//! when it starts and keeps it to the end, so one quote is never priced with two sets.

use std::sync::{Arc, PoisonError, RwLock};

use super::CatalogSet;

/// A shared, replaceable [`CatalogSet`]. Clones share it.
#[derive(Debug, Clone)]
pub struct Catalogs(Arc<RwLock<Arc<CatalogSet>>>);

impl Catalogs {
    pub fn new(set: CatalogSet) -> Catalogs {
        Catalogs(Arc::new(RwLock::new(Arc::new(set))))
    }

    /// The set in force now.
    pub fn current(&self) -> Arc<CatalogSet> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts `set` in force for every later operation.
    pub fn replace(&self, set: CatalogSet) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(set);
    }
}

impl From<Arc<CatalogSet>> for Catalogs {
    fn from(set: Arc<CatalogSet>) -> Catalogs {
        Catalogs(Arc::new(RwLock::new(set)))
    }
}
