//! The pricing core: circumstances, the legal clock, exact money and the computation.
//! Pure: it reads a [`crate::catalog::CatalogSet`] and knows nothing of HTTP, storage or templates.

mod circumstances;
pub mod clock;
mod computation;
mod early_end;
mod engine;
mod error;
mod lines;
mod messages;
pub mod money;
mod schedule;
mod selection;
mod success_fee;
mod timeline;
mod totals;
mod wire;

pub use circumstances::Circumstances;
pub use computation::*;
pub use engine::compute;
pub use error::{FieldError, InputError};
pub use money::Money;
