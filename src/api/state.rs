//! What every handler can reach.

use chrono::NaiveDate;
use std::sync::Arc;

use crate::catalog::{Catalog, CatalogSet};
use crate::config::Settings;
use crate::documents::Renderer;
use crate::pricing::Computation;
use crate::store::Store;

/// Shared, read-only state of the running service.
pub struct AppState {
    pub catalogs: Arc<CatalogSet>,
    pub settings: Settings,
    pub store: Store,
    pub renderer: Arc<Renderer>,
    /// Where new quote requests are announced, when configured.
    pub webhook: Option<crate::requests::webhook::Webhook>,
}

impl AppState {
    /// The catalog version a computation used (or, if that file is gone, the one in force now).
    pub fn catalog_for(&self, computation: &Computation) -> &Catalog {
        self.catalogs
            .version(&computation.catalog.version)
            .or_else(|| self.catalogs.in_force(today()))
            .unwrap_or(&self.catalogs.versions()[0])
    }
}

/// Today's date where the service runs (the default start and quote date).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}
