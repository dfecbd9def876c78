//! Bureaus: one deployment serves many re-integration bureaus, each with its own catalog,
//! brand, keys, quote numbers, settings and webhooks. Everything a bureau owns is stored under
//! its id, and every operation runs for exactly one bureau (see `store` for how the database
//! holds them apart).
//!
//! - [`model`]: the bureau, its id and slug, status, settings and keys. Pure.
//! - [`ports`]: what bureaus need from a database.
//! - [`service`]: the operator's operations and a bureau's keys.

pub mod error;
pub mod model;
pub mod ports;
pub mod service;
