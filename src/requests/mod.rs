//! Requests for a quote from the bureau's website (the public "offerte aanvragen" flow): the
//! record and its bodies (pure), and the service that prices, stores, converts and forgets them.

pub(crate) mod error;
pub mod model;
pub mod ports;
pub(crate) mod service;

#[cfg(test)]
mod service_tests;
