//! Why a bureau operation was refused or failed.

use crate::pricing::InputError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum BureauError {
    /// A field refused (slug, name, prefix, role, expiry), each named.
    #[error("{0}")]
    Invalid(InputError),
    #[error("a bureau with slug `{0}` exists already")]
    SlugTaken(String),
    #[error("no bureau `{0}`")]
    NotFound(String),
    #[error("no key `{0}` of this bureau that is not revoked")]
    KeyNotFound(uuid::Uuid),
    /// Erasing needs the bureau suspended first (and never the default bureau).
    #[error("{0}")]
    NotErasable(&'static str),
    #[error("no webhook endpoint `{0}` of this bureau")]
    EndpointNotFound(String),
    #[error("an endpoint with this URL exists already (`{0}`)")]
    EndpointTaken(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
