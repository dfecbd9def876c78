//! Quote documents over HTTP: HTML, PDF or plain text, in Dutch or English.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::{Auth, SalesRole};
use super::extract::{JsonBytes, QueryParams, parse_json};
use super::problem::ApiError;
use super::quotes::quote_id;
use super::responses::{AuthErrors, BodyErrors, NotFoundError, QueryErrors, ServerErrors};
use super::state::AppState;
use crate::catalog::Language;
use crate::documents::{Document, Format, view};
use crate::pricing::{self, Circumstances};
use crate::quotes::model::Quote;
use crate::quotes::service::Recorded;
use crate::tenancy::Tenant;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// `html`, `pdf` or `txt`; without it the `Accept` header decides (default `pdf`).
    #[param(inline)]
    pub format: Option<Format>,
    /// `nl` or `en` (default: the quote's language).
    #[param(inline)]
    pub lang: Option<Language>,
}

/// Binary or text document body (HTML, PDF or plain text).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct DocumentBody(
    #[expect(
        dead_code,
        reason = "only its schema is used: the OpenAPI type of a PDF download"
    )]
    Vec<u8>,
);

fn negotiate(req: &HttpRequest, format: Option<Format>) -> Format {
    if let Some(format) = format {
        return format;
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains("application/pdf") {
        Format::Pdf
    } else if accept.contains("text/html") {
        Format::Html
    } else if accept.contains("text/plain") {
        Format::Txt
    } else {
        Format::Pdf
    }
}

/// Renders off the async workers (PDF rendering is CPU work).
async fn render(
    state: &web::Data<AppState>,
    document: Document,
    format: Format,
    date: chrono::NaiveDate,
) -> Result<Vec<u8>, ApiError> {
    let renderer = state.renderer.clone();
    let rendered = web::block(move || renderer.render(&document, format, date)).await;
    Ok(rendered.map_err(|e| ApiError::Internal(anyhow::anyhow!("render task: {e}")))??)
}

/// Renders (see [`render`]) and answers with a file name.
pub async fn respond(
    state: &web::Data<AppState>,
    document: Document,
    format: Format,
    date: chrono::NaiveDate,
) -> Result<HttpResponse, ApiError> {
    let file_name = format!("{}.{}", document.file_stem, format.extension());
    let bytes = render(state, document, format, date).await?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{file_name}\""),
        ))
        .body(bytes))
}

/// The quote document (HTML, PDF or text), in the quote's language or another.
///
/// Renderings of the same revision are byte-identical; the SHA-256 of the PDF is recorded when
/// the quote is sent.
#[utoipa::path(
    tag = "quotes",
    params(("id" = Uuid, Path, description = "The quote's id"), DocumentQuery),
    responses(
        (status = 200, description = "The document; `Content-Disposition` names the file (e.g. OFF-2026-00042-2.pdf)", content(
            (DocumentBody = "application/pdf"),
            (String = "text/html"),
            (String = "text/plain"),
        )),
        AuthErrors, QueryErrors, NotFoundError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/quotes/{id}/document")]
pub async fn quote_document_endpoint(
    auth: Auth<SalesRole>,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: QueryParams<DocumentQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = quote_id(&id)?;
    let (quote, accepted) = auth.tenant.quotes.for_document(id).await?;
    let format = negotiate(&req, query.0.format);
    let language = query.0.lang.unwrap_or(quote.computation.language);
    let document = auth
        .tenant
        .documents
        .view_accepted(&quote, language, accepted.as_ref());
    if format == Format::Pdf {
        let pdf = stored_pdf(&state, &auth.tenant, &quote, document).await?;
        return Ok(pdf.respond(HttpResponse::Ok(), "inline"));
    }
    respond(&state, document, format, quote.computation.quote_date).await
}

/// The PDF of a stored quote in its own language, as [`stored_pdf`] finds it.
pub(crate) struct StoredPdf {
    bytes: Vec<u8>,
    file_name: String,
    /// Whether these are the archived bytes; `None` for a draft (nothing to archive yet).
    archived: Option<bool>,
    sha256: Option<String>,
}

impl StoredPdf {
    /// Bytes as the archive keeps them under `sha256`.
    pub(crate) fn archived(bytes: Vec<u8>, file_name: String, sha256: String) -> StoredPdf {
        StoredPdf {
            bytes,
            file_name,
            archived: Some(true),
            sha256: Some(sha256),
        }
    }

    /// `document` rendered now (not what the archive keeps).
    pub(crate) async fn live(
        state: &web::Data<AppState>,
        document: Document,
        date: chrono::NaiveDate,
    ) -> Result<StoredPdf, ApiError> {
        let file_name = format!("{}.pdf", document.file_stem);
        Ok(StoredPdf {
            bytes: render(state, document, Format::Pdf, date).await?,
            file_name,
            archived: Some(false),
            sha256: None,
        })
    }

    /// The answer: the PDF under its file name (`disposition` inline or attachment), with
    /// `X-Document-Archived` and, for archived bytes, `X-Document-SHA256` and an `ETag`.
    pub(crate) fn respond(
        self,
        mut response: actix_web::HttpResponseBuilder,
        disposition: &str,
    ) -> HttpResponse {
        response.content_type("application/pdf").insert_header((
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename=\"{}\"", self.file_name),
        ));
        if let Some(archived) = self.archived {
            response.insert_header((ARCHIVED, if archived { "true" } else { "false" }));
        }
        if let Some(sha256) = &self.sha256 {
            response
                .insert_header((SHA256, sha256.as_str()))
                .insert_header((header::ETAG, format!("\"{sha256}\"")));
        }
        response.body(self.bytes)
    }
}

/// Whether a PDF is the document as archived (`false`: a copy rendered now).
const ARCHIVED: &str = "x-document-archived";
/// The SHA-256 of the archived document served.
const SHA256: &str = "x-document-sha256";

/// The PDF of a stored quote (`document`: its view in the language asked for). In the quote's
/// own language, once sent: the archived bytes (as sent, or as accepted online), their hash
/// checked. A quote sent before documents were archived has only the hash of what was sent: it
/// gets a copy rendered now, marked `X-Document-Archived: false` (never passed off as the
/// original). A draft, and any quote in the other language, is rendered now.
pub(crate) async fn stored_pdf(
    state: &web::Data<AppState>,
    tenant: &Tenant,
    quote: &Quote,
    document: Document,
) -> Result<StoredPdf, ApiError> {
    let file_name = format!("{}.pdf", document.file_stem);
    let live = |document| render(state, document, Format::Pdf, quote.computation.quote_date);
    let recorded = if document.lang == quote.computation.language.as_str() {
        tenant.quotes.recorded_pdf(quote).await?
    } else {
        Recorded::Live
    };
    Ok(match recorded {
        Recorded::Archived { sha256, bytes } => StoredPdf {
            bytes,
            file_name,
            archived: Some(true),
            sha256: Some(sha256),
        },
        Recorded::Missing { .. } => StoredPdf {
            bytes: live(Document {
                is_copy: true,
                ..document
            })
            .await?,
            file_name,
            archived: Some(false),
            sha256: None,
        },
        Recorded::Live => StoredPdf {
            bytes: live(document).await?,
            file_name,
            archived: None,
            sha256: None,
        },
    })
}

/// The document of an unsaved computation (the body is the circumstances, as for preview).
#[utoipa::path(
    tag = "quotes",
    params(DocumentQuery),
    request_body(content = Circumstances, content_type = "application/json"),
    responses(
        (status = 200, description = "The document of the preview", content(
            (DocumentBody = "application/pdf"),
            (String = "text/html"),
            (String = "text/plain"),
        )),
        AuthErrors, BodyErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/quotes/preview/document")]
pub async fn preview_document(
    auth: Auth<SalesRole>,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: QueryParams<DocumentQuery>,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let mut input: Circumstances = parse_json(&body.0)?;
    if let Some(lang) = query.0.lang {
        input.language = lang;
    }
    let computation = pricing::compute(&auth.tenant.catalogs(), &input, state.today())?;
    let bureau = &auth.tenant.documents.catalog_for(&computation).bureau;
    let document = view::build(
        &computation,
        None,
        bureau,
        state.renderer.labels(computation.language),
    );
    let format = negotiate(&req, query.0.format);
    respond(&state, document, format, computation.quote_date).await
}
