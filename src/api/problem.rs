//! One error type for the API. Every failure leaves as an RFC 9457 `application/problem+json`
//! body; a 500 says nothing internal while the log keeps the whole cause chain.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

use crate::pricing::{FieldError, InputError};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:offerte:problem:validation",
    "title": "The request is not valid",
    "status": 422,
    "detail": "circumstances.start_date: the trajectory would start on 2028-02-01, on or after the end of the waiting period (2028-01-02)",
    "errors": [{"field": "circumstances.start_date", "code": "after_waiting_period", "message": "the trajectory would start on 2028-02-01, on or after the end of the waiting period (2028-01-02)"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The id of the request, also in the `x-request-id` header and the server log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The fields at fault, by JSON path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a lifecycle conflict: the quote's current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_status: Option<String>,
    /// For a lifecycle conflict: the moves allowed from the current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

/// Everything an API operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body or query could not be read: malformed JSON, a wrong type, an unknown field.
    #[error("{0}")]
    BadRequest(InputError),
    /// The input was read but its values are refused (ranges, dates, codes).
    #[error("{0}")]
    Invalid(InputError),
    #[error("an API key is required: send `Authorization: Bearer <key>`")]
    Unauthorized,
    #[error("this key's role may not use this operation (needs {0})")]
    Forbidden(&'static str),
    /// A known key that opens nothing (revoked, expired): why.
    #[error("{0}")]
    KeyRefused(&'static str),
    /// The key's bureau is suspended (its slug).
    #[error(
        "bureau `{0}` is suspended: its keys, form and links do not work until the operator resumes it; nothing was deleted"
    )]
    Suspended(String),
    /// An operator key on a bureau's operation, or a bureau's key on the operator's.
    #[error("{0}")]
    WrongParty(&'static str),
    #[error("{0}")]
    NotFound(String),
    /// The path exists, the method does not: `allowed` goes into the `Allow` header.
    #[error("{method} is not an operation of {path}; it allows {}", allowed.join(", "))]
    MethodNotAllowed {
        method: String,
        path: String,
        allowed: Vec<String>,
    },
    /// A state or uniqueness conflict.
    #[error("{detail}")]
    Conflict {
        detail: String,
        current_status: Option<String>,
        allowed: Option<Vec<String>>,
    },
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("send the body as {0}")]
    UnsupportedMediaType(&'static str),
    #[error("too many requests; try again in {0} seconds")]
    TooManyRequests(u64),
    #[error("the service is not ready: {0}")]
    Unavailable(String),
    /// An archived document whose bytes do not match their SHA-256: never served.
    #[error(
        "the archived document {0} does not match its SHA-256 and is not served; restore it from a backup"
    )]
    DocumentCorrupt(String),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn conflict(detail: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            detail: detail.into(),
            current_status: None,
            allowed: None,
        }
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => ("bad-request", "The request could not be read"),
            ApiError::Invalid(_) => ("validation", "The request is not valid"),
            ApiError::Unauthorized => ("unauthorized", "Authentication required"),
            ApiError::Forbidden(_) => ("forbidden", "Not allowed for this role"),
            ApiError::KeyRefused(_) => ("key-refused", "This key no longer works"),
            ApiError::Suspended(_) => ("bureau-suspended", "The bureau is suspended"),
            ApiError::WrongParty(_) => ("forbidden", "Not allowed for this key"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            ApiError::Conflict { .. } => ("conflict", "Conflict"),
            ApiError::PayloadTooLarge(_) => ("payload-too-large", "The request body is too large"),
            ApiError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Unsupported media type")
            }
            ApiError::TooManyRequests(_) => ("too-many-requests", "Too many requests"),
            ApiError::Unavailable(_) => ("unavailable", "Service unavailable"),
            ApiError::DocumentCorrupt(_) => {
                ("document-corrupt", "The archived document is corrupt")
            }
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// The problem document for this error (without the request id, which the middleware adds).
    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind();
        let (errors, current_status, allowed) = match self {
            ApiError::BadRequest(e) | ApiError::Invalid(e) => (e.errors.clone(), None, None),
            ApiError::Conflict {
                current_status,
                allowed,
                ..
            } => (Vec::new(), current_status.clone(), allowed.clone()),
            _ => (Vec::new(), None, None),
        };
        Problem {
            kind: format!("urn:offerte:problem:{kind}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail: self.to_string(),
            request_id: None,
            errors,
            current_status,
            allowed,
        }
    }
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> Self {
        ApiError::Invalid(e)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::Suspended(_) | ApiError::WrongParty(_) => {
                StatusCode::FORBIDDEN
            }
            ApiError::KeyRefused(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::DocumentCorrupt(_) | ApiError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        // The body says nothing internal; `request_id::stamp` logs the cause's chain with the
        // request id.
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if matches!(self, ApiError::Unauthorized | ApiError::KeyRefused(_)) {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if let ApiError::TooManyRequests(seconds) = self {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if let ApiError::MethodNotAllowed { allowed, .. } = self {
            response.insert_header((header::ALLOW, allowed.join(", ")));
        }
        response.json(self.problem())
    }
}

/// A problem body as a response, for places outside handlers (default service, middleware).
pub fn problem_response(error: &ApiError) -> HttpResponse {
    error.error_response()
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.title, self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_maps_to_its_status() {
        let input = InputError::one("x", "c", "m");
        let cases: Vec<(ApiError, u16)> = vec![
            (ApiError::BadRequest(input.clone()), 400),
            (ApiError::Invalid(input), 422),
            (ApiError::Unauthorized, 401),
            (ApiError::Forbidden("sales"), 403),
            (ApiError::NotFound("x".into()), 404),
            (
                ApiError::MethodNotAllowed {
                    method: "PUT".into(),
                    path: "/x".into(),
                    allowed: vec!["GET".into()],
                },
                405,
            ),
            (ApiError::conflict("x"), 409),
            (ApiError::PayloadTooLarge(10), 413),
            (ApiError::UnsupportedMediaType("application/json"), 415),
            (ApiError::TooManyRequests(6), 429),
            (ApiError::Unavailable("db".into()), 503),
            (ApiError::DocumentCorrupt("ab".into()), 500),
            (ApiError::Internal(anyhow::anyhow!("secret detail")), 500),
        ];
        for (error, status) in cases {
            assert_eq!(error.status_code().as_u16(), status, "{error:?}");
            assert_eq!(error.problem().status, status);
        }
    }

    #[test]
    fn internal_errors_say_nothing_internal() {
        let error = ApiError::Internal(anyhow::anyhow!("password=hunter2 in table quotes"));
        let problem = error.problem();
        assert!(!problem.detail.contains("hunter2"));
        assert_eq!(problem.detail, "internal error");
    }
}
