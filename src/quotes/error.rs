//! Why a quote operation was refused or failed: the domain's rules, then storage's failures.

use uuid::Uuid;

use super::lifecycle::{Status, TransitionError};

use crate::pricing::InputError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    #[error("no quote with id {0}")]
    NotFound(Uuid),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("only a draft can be edited; this quote is {0}")]
    NotDraft(Status),
    #[error("a revision can be made only from a draft or sent quote; this quote is {0}")]
    NotRevisable(Status),
    #[error("this Idempotency-Key was used before with a different body")]
    IdempotencyMismatch,
    /// The quote kept changing under this operation (it was retried and gave up).
    #[error("the quote was changed by someone else at the same time; try again")]
    Busy(Status),
    #[error(transparent)]
    Input(#[from] InputError),
    /// No link with this token (a plain not-found: no hint whether it ever existed).
    #[error("not found")]
    LinkNotFound,
    /// The link's quote can no longer be answered: it is in this status now.
    #[error("this quote can no longer be answered online; it is {0}")]
    LinkClosed(Status),
    /// A consent link that has run out.
    #[error("this link has expired")]
    LinkExpired,
    /// The employee's consent can be asked only for a sent or accepted quote.
    #[error("the employee's consent can be asked for a sent or accepted quote; this quote is {0}")]
    ConsentNotAskable(Status),
    #[error("the employee has given consent for this quote already; it stands")]
    ConsentGiven,
    /// A draft: nothing was sent, nothing to certify.
    #[error("this quote is a draft: a certificate exists once it is sent")]
    NotSent,
    #[error("e-mail is not configured: set smtp_url (OFFERTE_SMTP_URL) to send quotes by e-mail")]
    EmailNotConfigured,
    /// The archived bytes of a document do not match the hash they are kept under; they are
    /// never served.
    #[error("the archived document {0} is corrupt; it is not served")]
    DocumentCorrupt(String),
    #[error("the document could not be rendered")]
    Render(#[source] anyhow::Error),
    /// A webhook event's record could not be written as JSON.
    #[error("the event could not be written")]
    Encode(#[source] serde_json::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
