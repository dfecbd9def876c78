//! Quotes: the record, its lifecycle and numbering (pure), the interfaces the domain needs from
//! outside (`ports`), and the service that prices, decides and stores them.

pub mod certificate;
pub mod consent;
pub(crate) mod error;
pub(crate) mod input;
pub mod lifecycle;
pub mod model;
pub(crate) mod ports;
pub mod proof;
pub(crate) mod service;
