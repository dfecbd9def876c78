//! offerte: prices and quotes tweede-spoor re-integration trajectories.
//!
//! The arrows point inward: `api` → `pricing` → `catalog`. The pricing core (`catalog`,
//! `pricing`) knows nothing of HTTP, storage or templates.

pub mod api;
pub mod app;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod documents;
pub mod pricing;
pub mod quotes;
pub mod requests;
pub mod store;
pub mod telemetry;
