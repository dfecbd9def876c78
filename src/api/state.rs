//! What every handler can reach: the services, built once at start, and what the preview and
//! the documents render with.

use chrono::NaiveDate;
use std::sync::Arc;

use crate::archive::Archive;
use crate::catalog::CatalogSet;
use crate::clock::Clock;
use crate::documents::Renderer;
use crate::documents::quotes::QuoteDocuments;
use crate::exports::service::ExportService;
use crate::outbox::service::OutboxService;
use crate::publishing::Publisher;
use crate::quotes::service::QuoteService;
use crate::requests::service::RequestService;
use crate::store::Store;

/// The quote operations as the running service has them.
pub type Quotes = QuoteService<Store, QuoteDocuments, Archive<Store>>;
/// The request operations as the running service has them.
pub type Requests = RequestService<Store>;
/// The finance exports as the running service has them.
pub type Exports = ExportService<Store>;
/// The outbox operations as the running service has them.
pub type Deliveries = OutboxService<Store>;

/// Shared, read-only state of the running service.
pub struct AppState {
    pub quotes: Arc<Quotes>,
    /// The catalog versions in the database.
    pub publisher: Arc<Publisher<Store>>,
    pub requests: Arc<Requests>,
    pub deliveries: Arc<Deliveries>,
    pub exports: Arc<Exports>,
    /// The documents of stored quotes and their renderer (previews render with it too).
    pub documents: QuoteDocuments,
    pub renderer: Arc<Renderer>,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    /// The catalog versions the service prices with.
    pub fn catalogs(&self) -> Arc<CatalogSet> {
        self.quotes.catalogs()
    }

    /// Today's date where the service runs (the default start and quote date).
    pub fn today(&self) -> NaiveDate {
        self.clock.now().today
    }
}
