//! What every handler can reach.

use chrono::NaiveDate;
use std::sync::Arc;

use crate::catalog::CatalogSet;
use crate::config::Settings;
use crate::documents::Renderer;
use crate::documents::quotes::QuoteDocuments;
use crate::outbox::webhooks::Webhooks;
use crate::quotes::service::Mailing;
use crate::store::Store;

/// Shared, read-only state of the running service.
pub struct AppState {
    pub catalogs: Arc<CatalogSet>,
    pub settings: Settings,
    pub store: Store,
    pub renderer: Arc<Renderer>,
    /// The documents of stored quotes (the renderer and catalogs again, as the services need them).
    pub documents: QuoteDocuments,
    /// How quotes go out by e-mail; `None` when no SMTP relay is configured.
    pub mailing: Option<Mailing>,
    /// The webhook endpoints and the events each wants (none: no webhooks).
    pub webhooks: Webhooks,
}

/// Today's date where the service runs (the default start and quote date).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}
