//! Quotes: the record, its lifecycle and numbering (pure), and the service that prices and
//! stores them.

pub mod lifecycle;
pub mod model;
pub mod service;
