//! offerte: prices and quotes tweede-spoor re-integration trajectories.
//!
//! The arrows point inward: `cli` → `pricing` → `catalog`. The pricing core (`catalog`,
//! `pricing`) knows nothing of HTTP, storage or templates.

pub mod catalog;
pub mod cli;
pub mod pricing;
