//! The archive over HTTP: "is this the document we sent?" answered from the PDF itself, and
//! the acceptance certificate of a quote.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::{Auth, SalesRole};
use super::documents::DocumentBody;
use super::extract::{PdfBytes, QueryParams};
use super::problem::ApiError;
use super::quotes::quote_id;
use super::responses::{
    AuthErrors, BodyErrors, ConflictError, NotFoundError, QueryErrors, ServerErrors,
};
use crate::pricing::InputError;
use crate::quotes::certificate::Certificate;
use crate::quotes::model::Actor;
use crate::quotes::proof::DocumentKind;

/// Whether a PDF is a document this service sent or had accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// `true`: exactly these bytes were sent (or accepted) for the quote named.
    #[serde(rename = "match")]
    pub matched: bool,
    /// The SHA-256 of the PDF received (lowercase hex).
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<Uuid>,
    /// The quote number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The quote's revision (its version: 1, 2, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// `sent`: the quote as sent; `accepted`: as the employer accepted it online;
    /// `certificate`: an acceptance certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<DocumentKind>,
    /// When it was sent or accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
}

/// Tells whether a PDF is a document this service sent or had accepted, and which.
///
/// The PDF is recognised by its SHA-256 among the recorded steps of every quote, so a document
/// changed in any byte does not match. Nothing is stored.
#[utoipa::path(
    tag = "quotes",
    request_body(content = DocumentBody, content_type = "application/pdf",
        description = "The PDF to check (at most 10 MiB)"),
    responses(
        (status = 200, description = "Whether it matches, and what it is", body = Verification),
        AuthErrors, BodyErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/documents/verify")]
pub async fn verify_document(
    auth: Auth<SalesRole>,
    body: PdfBytes,
) -> Result<HttpResponse, ApiError> {
    let pdf = body.0;
    if pdf.is_empty() {
        return Err(refused("empty", "the body is empty: send the PDF to check"));
    }
    if !pdf.starts_with(b"%PDF-") {
        return Err(refused(
            "not_pdf",
            "the body is not a PDF (it does not start with %PDF-)",
        ));
    }
    let sha256 = crate::archive::sha256_hex(&pdf);
    let answer = match auth.tenant.quotes.verify(&pdf).await? {
        Some(found) => Verification {
            matched: true,
            sha256,
            quote_id: Some(found.quote_id),
            number: Some(found.number),
            version: Some(found.revision),
            kind: Some(found.kind),
            at: Some(found.at),
        },
        None => Verification {
            matched: false,
            sha256,
            quote_id: None,
            number: None,
            version: None,
            kind: None,
            at: None,
        },
    };
    Ok(HttpResponse::Ok().json(answer))
}

/// The acceptance certificate of a quote: which document was sent and which accepted (their
/// SHA-256), between whom, and every step with its time on a Dutch clock (Europe/Amsterdam,
/// with its offset): sent to which address, taken by the mail relay, first viewed, accepted
/// (the name typed, the sentence the box said, the client's address and user agent) or
/// declined.
///
/// As JSON, or as a PDF (`format=pdf`, or `Accept: application/pdf`) in the quote's language.
/// The PDF is archived, and each one issued is a step of the quote naming its SHA-256 (the same
/// history gives the same bytes, issued once), so `POST /documents/verify` recognises it.
#[utoipa::path(
    tag = "quotes",
    params(("id" = Uuid, Path, description = "The quote's id"), CertificateQuery),
    responses(
        (status = 200, description = "The certificate", content(
            (Certificate = "application/json"),
            (DocumentBody = "application/pdf"),
        )),
        AuthErrors, QueryErrors, NotFoundError, ConflictError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/quotes/{id}/certificate")]
pub async fn quote_certificate(
    auth: Auth<SalesRole>,
    req: HttpRequest,
    id: web::Path<String>,
    query: QueryParams<CertificateQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = quote_id(&id)?;
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let pdf = match query.0.format {
        Some(format) => format == CertificateFormat::Pdf,
        None => accept.is_some_and(|a| a.contains("application/pdf")),
    };
    if !pdf {
        let certificate = auth.tenant.quotes.certificate(id).await?;
        return Ok(HttpResponse::Ok().json(certificate));
    }
    let actor = Actor::from(&auth.caller);
    let (bytes, sha256) = auth.tenant.quotes.certificate_pdf(id, &actor).await?;
    Ok(certificate_response(HttpResponse::Ok(), id, bytes, &sha256))
}

/// A certificate's PDF as an answer (inline, with its hash).
pub(crate) fn certificate_response(
    mut response: actix_web::HttpResponseBuilder,
    id: Uuid,
    bytes: Vec<u8>,
    sha256: &str,
) -> HttpResponse {
    response
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"certificate-{id}.pdf\""),
        ))
        .insert_header(("x-document-sha256", sha256))
        .body(bytes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateFormat {
    Json,
    Pdf,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CertificateQuery {
    /// `json` or `pdf`; without it the `Accept` header decides (default `json`).
    #[param(inline)]
    pub format: Option<CertificateFormat>,
}

fn refused(code: &str, message: &str) -> ApiError {
    ApiError::Invalid(InputError::one("body", code, message))
}
