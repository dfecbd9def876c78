//! What every handler can reach.

use chrono::NaiveDate;
use std::sync::Arc;

use crate::catalog::CatalogSet;
use crate::config::Settings;
use crate::store::Store;

/// Shared, read-only state of the running service.
pub struct AppState {
    pub catalogs: Arc<CatalogSet>,
    pub settings: Settings,
    pub store: Store,
}

/// Today's date where the service runs (the default start and quote date).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}
