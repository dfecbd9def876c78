//! The domain's refusals and failures as API errors: each on purpose to its status.

use super::problem::ApiError;
use crate::catalog::select::SelectionError;
use crate::outbox::service::DeliveryError;
use crate::pricing::InputError;
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::{Status, TransitionError};

use crate::requests::error::RequestError;
use crate::storage::StorageError;

fn statuses(list: &[Status]) -> Vec<String> {
    list.iter().map(|s| s.as_str().to_string()).collect()
}

/// A conflict with the quote's current status, naming it and the moves it allows.
fn status_conflict(detail: String, status: Status) -> ApiError {
    ApiError::Conflict {
        detail,
        current_status: Some(status.as_str().into()),
        allowed: Some(statuses(status.allowed_moves())),
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound => ApiError::NotFound("not found".into()),
            e @ (StorageError::Stale | StorageError::Conflict(_)) => {
                ApiError::conflict(format!("{e}; try again"))
            }
            StorageError::Unavailable(e) => ApiError::Internal(e.context("storage")),
            StorageError::Data(e) => ApiError::Internal(e.context("stored data")),
        }
    }
}

impl From<QuoteError> for ApiError {
    fn from(error: QuoteError) -> Self {
        match error {
            QuoteError::NotFound(id) => ApiError::NotFound(format!("no quote with id {id}")),
            QuoteError::Transition(TransitionError::NotAllowed { from, to, allowed }) => {
                let detail = TransitionError::NotAllowed {
                    from,
                    to,
                    allowed: allowed.clone(),
                }
                .to_string();
                ApiError::Conflict {
                    detail,
                    current_status: Some(from.as_str().into()),
                    allowed: Some(statuses(&allowed)),
                }
            }
            QuoteError::Transition(TransitionError::ReasonRequired) => ApiError::Invalid(
                InputError::one("reason", "required", "declining needs a reason"),
            ),
            e @ (QuoteError::NotDraft(status)
            | QuoteError::NotRevisable(status)
            | QuoteError::Busy(status)) => status_conflict(e.to_string(), status),
            QuoteError::IdempotencyMismatch => ApiError::Invalid(InputError::one(
                "Idempotency-Key",
                "idempotency_key_reused",
                "this Idempotency-Key was used before with a different body",
            )),
            e @ QuoteError::EmailNotConfigured => ApiError::conflict(e.to_string()),
            e @ QuoteError::NotSent => status_conflict(e.to_string(), Status::Draft),
            QuoteError::LinkNotFound => ApiError::NotFound("not found".into()),
            e @ (QuoteError::LinkClosed(status) | QuoteError::ConsentNotAskable(status)) => {
                status_conflict(e.to_string(), status)
            }
            e @ (QuoteError::LinkExpired | QuoteError::ConsentGiven) => {
                ApiError::conflict(e.to_string())
            }
            QuoteError::Input(e) => ApiError::Invalid(e),
            QuoteError::DocumentCorrupt(sha256) => ApiError::DocumentCorrupt(sha256),
            QuoteError::Render(e) => ApiError::Internal(e.context("rendering the document")),
            QuoteError::Encode(e) => {
                ApiError::Internal(anyhow::Error::new(e).context("writing a webhook event"))
            }
            QuoteError::Storage(e) => e.into(),
        }
    }
}

impl From<RequestError> for ApiError {
    fn from(error: RequestError) -> Self {
        match error {
            RequestError::NotFound(id) => {
                ApiError::NotFound(format!("no quote request with id {id}"))
            }
            e @ RequestError::Decided(status) => ApiError::Conflict {
                detail: e.to_string(),
                current_status: Some(status.as_str().into()),
                allowed: Some(Vec::new()),
            },
            RequestError::Input(e) => ApiError::Invalid(e),
            RequestError::Quote(e) => e.into(),
            RequestError::Storage(e) => e.into(),
        }
    }
}

impl From<DeliveryError> for ApiError {
    fn from(error: DeliveryError) -> Self {
        match error {
            e @ DeliveryError::NotFound(_) => ApiError::NotFound(e.to_string()),
            DeliveryError::Storage(e) => e.into(),
        }
    }
}

/// A catalog version that could not be selected, as a refusal of the parameter `field`.
pub(crate) fn selection_refused(field: &str, error: SelectionError) -> ApiError {
    let field = match error {
        SelectionError::Both => "version",
        _ => field,
    };
    ApiError::Invalid(InputError::one(field, error.code(), error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError;
    use uuid::Uuid;

    #[test]
    fn every_domain_error_maps_to_its_status() {
        let id = Uuid::nil();
        let cases: Vec<(ApiError, u16)> = vec![
            (QuoteError::NotFound(id).into(), 404),
            (QuoteError::NotDraft(Status::Sent).into(), 409),
            (QuoteError::NotRevisable(Status::Accepted).into(), 409),
            (QuoteError::Busy(Status::Draft).into(), 409),
            (QuoteError::IdempotencyMismatch.into(), 422),
            (
                QuoteError::Transition(TransitionError::ReasonRequired).into(),
                422,
            ),
            (StorageError::Stale.into(), 409),
            (
                StorageError::Unavailable(anyhow::anyhow!("connection refused")).into(),
                500,
            ),
            (RequestError::NotFound(id).into(), 404),
            (DeliveryError::NotFound(id).into(), 404),
            (
                RequestError::Decided(crate::requests::model::RequestStatus::Converted).into(),
                409,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(error.status_code().as_u16(), status, "{error:?}");
        }
    }
}
