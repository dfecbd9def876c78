//! Catalog versions published through the API (or the CLI, or imported from the catalog folder
//! on a database that has none) and kept in the database, the one source of truth for every
//! instance: [`model`] (a stored version and asset), [`ports`] (what it needs from a database),
//! [`service`] (publish, check, list, withdraw, and keep every instance's catalog set current).

pub mod error;
pub mod model;
pub mod ports;
pub mod service;

pub use error::PublishError;
pub use service::Publisher;
