//! What every handler can reach: the bureaus with their services (a handler takes its
//! bureau's from the key, [`super::auth::Auth`]), the operator's bureau operations, and what
//! the documents render with.

use chrono::NaiveDate;
use std::sync::Arc;

use super::problem::ApiError;
use crate::bureaus::service::BureauService;
use crate::clock::Clock;
use crate::documents::Renderer;
use crate::documents::letters::Letters;
use crate::store::Store;
use crate::tenancy::Tenants;

/// The operator's operations as the running service has them.
pub type Bureaus = BureauService<Store>;

/// Shared, read-only state of the running service.
pub struct AppState {
    pub tenants: Arc<Tenants>,
    pub bureaus: Arc<Bureaus>,
    pub renderer: Arc<Renderer>,
    /// The words of e-mails and pages (the same for every bureau).
    pub letters: Arc<Letters>,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    /// Loads the bureaus again before an admin change is answered, so it is in force on this
    /// instance when the caller hears of it (a rebuild begun before the change by the timer
    /// cannot put the older state back).
    pub async fn in_force_here(&self) -> Result<(), ApiError> {
        self.tenants.refresh().await.map_err(ApiError::Internal)
    }

    /// Today's date where the service runs (the default start and quote date).
    pub fn today(&self) -> NaiveDate {
        self.clock.now().today
    }
}
