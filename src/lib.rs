//! offerte: prices and quotes tweede-spoor re-integration trajectories.
//!
//! The arrows point inward: `api` → `quotes`/`documents`/`exports` → `pricing` → `catalog`.
//! The pricing core (`catalog`, `pricing`) knows nothing of HTTP, storage or templates; the
//! exports know nothing of HTTP or storage (they read rows and write bytes).

#[macro_use]
mod words;

pub mod access;
pub mod api;
pub mod app;
pub mod archive;
pub mod bureaus;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod documents;
pub mod exports;
pub(crate) mod outbox;
pub mod pricing;
pub mod publishing;
pub mod quotes;
pub mod requests;
pub mod storage;
pub mod store;
pub(crate) mod telemetry;
pub(crate) mod tenancy;
