//! Quotes: the record, its lifecycle and numbering (pure), the interfaces the domain needs from
//! outside (`ports`), and the service that prices, decides and stores them.

pub mod error;
pub mod input;
pub mod lifecycle;
pub mod model;
pub mod ports;
pub mod service;
