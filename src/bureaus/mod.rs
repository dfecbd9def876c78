//! Bureaus: one deployment serves many re-integration bureaus, each with its own catalog,
//! brand, keys, quote numbers, settings and webhooks. Everything a bureau owns is stored under
//! its id, and every operation runs for exactly one bureau (see `store` for how the database
//! holds them apart).
//!
//! - [`model`]: the bureau, its id and slug, its status and settings. Pure.

pub mod model;

pub use model::BureauId;
