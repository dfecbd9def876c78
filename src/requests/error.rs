//! Why a request operation was refused or failed.

use uuid::Uuid;

use super::model::RequestStatus;

use crate::pricing::InputError;
use crate::quotes::error::QuoteError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("no quote request with id {0}")]
    NotFound(Uuid),
    #[error("this quote request is already {0}")]
    Decided(RequestStatus),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Quote(#[from] QuoteError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
