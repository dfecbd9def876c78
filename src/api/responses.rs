//! The error responses operations list in the OpenAPI document, shared by kind.

use super::problem::Problem;

/// Errors of every operation that needs an API key.
#[derive(utoipa::IntoResponses)]
pub enum AuthErrors {
    /// No key, or an unknown key.
    #[response(
        status = 401,
        description = "Missing or unknown API key",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    /// The key's role may not use this operation.
    #[response(
        status = 403,
        description = "The key's role may not use this operation",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
}

/// Errors of every operation that reads a JSON body.
#[derive(utoipa::IntoResponses)]
pub enum BodyErrors {
    /// Malformed JSON, a wrong type or an unknown field; `errors` names the field.
    #[response(
        status = 400,
        description = "The body could not be read: malformed JSON, a wrong type or an unknown field",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    /// The body is larger than the configured limit.
    #[response(
        status = 413,
        description = "The body is larger than the configured limit",
        content_type = "application/problem+json"
    )]
    TooLarge(Problem),
    /// The body is not `application/json`.
    #[response(
        status = 415,
        description = "The body is not application/json",
        content_type = "application/problem+json"
    )]
    UnsupportedMediaType(Problem),
    /// A value is refused (range, date, code); `errors` names the field.
    #[response(
        status = 422,
        description = "A value is refused; `errors` names the field and the reason",
        content_type = "application/problem+json"
    )]
    Invalid(Problem),
}

/// Errors of an operation with query parameters.
#[derive(utoipa::IntoResponses)]
pub enum QueryErrors {
    /// A query parameter could not be read or is unknown; `errors` names it.
    #[response(
        status = 400,
        description = "A query parameter could not be read or is unknown",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    /// A query parameter's value is refused; `errors` names it.
    #[response(
        status = 422,
        description = "A query parameter's value is refused",
        content_type = "application/problem+json"
    )]
    Invalid(Problem),
}

/// The error every operation can end in.
#[derive(utoipa::IntoResponses)]
pub enum ServerErrors {
    /// An unexpected failure; the body says nothing internal and carries the request id.
    #[response(
        status = 500,
        description = "Unexpected failure; the body carries the request id for the log",
        content_type = "application/problem+json"
    )]
    Internal(Problem),
}

/// The 404 of operations on one quote.
#[derive(utoipa::IntoResponses)]
pub enum NotFoundError {
    /// No quote with this id.
    #[response(
        status = 404,
        description = "No quote with this id",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
}

/// The 409 of lifecycle operations.
#[derive(utoipa::IntoResponses)]
pub enum ConflictError {
    /// The quote's status does not allow this; `current_status` and `allowed` say what does.
    #[response(
        status = 409,
        description = "The quote's status does not allow this; `current_status` and `allowed` say what does",
        content_type = "application/problem+json"
    )]
    Conflict(Problem),
}
