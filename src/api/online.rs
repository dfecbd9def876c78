//! The employer's pages (no key; rate-limited per client): `/q/{token}` shows the quote with its
//! state and, while it can be answered, the accept and decline forms; `/q/{token}/pdf` the PDF;
//! the forms post to `/q/{token}/accept` and `/q/{token}/decline` and are answered with a
//! redirect back to the page (POST-redirect-GET). An accepted quote's page also asks the
//! employee's consent (`/q/{token}/employee-consent`, see [`super::consent`]). A wrong token is a plain 404. The pages are
//! not API operations and are not in the OpenAPI document.

use actix_governor::Governor;
use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::archive::certificate_response;
use super::documents::stored_pdf;
use super::links::LinkTenant;
use super::problem::ApiError;
use super::requests::RequestLimit;
use super::state::AppState;
use crate::catalog::Language;
use crate::documents::Document;
use crate::documents::letters::{ConsentOnPage, OnlinePage};
use crate::pricing::InputError;
use crate::quotes::consent::ConsentStatus;
use crate::quotes::error::QuoteError;
use crate::quotes::input::Signature;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::Quote;
use crate::quotes::proof::Evidence;
use crate::tenancy::Tenant;
use chrono::{DateTime, Utc};

/// The largest form the pages read (the fields themselves are checked for their own limits).
pub(super) const FORM_LIMIT: usize = 64 * 1024;

/// The pages, rate-limited per client; each answer carries the headers that keep the token
/// private and the page unframed.
pub struct OnlinePages(pub RequestLimit);

impl HttpServiceFactory for OnlinePages {
    fn register(self, config: &mut AppService) {
        web::scope("/q")
            .wrap(Governor::new(&self.0))
            // A name of 20 KB is answered as a name too long, not as a body refused.
            .app_data(web::FormConfig::default().limit(FORM_LIMIT))
            .route("/{token}", web::get().to(page))
            .route("/{token}/pdf", web::get().to(pdf))
            .route("/{token}/certificate", web::get().to(certificate))
            .route("/{token}/accept", web::post().to(accept))
            .route("/{token}/decline", web::post().to(decline))
            .route(
                "/{token}/employee-consent",
                web::post().to(super::consent::employer_asks),
            )
            .register(config);
    }
}

/// The query of a page: its language, and a refusal to show.
#[derive(Debug, Deserialize)]
pub(super) struct PageQuery {
    pub(super) lang: Option<Language>,
    /// A refusal to show after a redirect: `name`, `agree` or `closed`.
    pub(super) e: Option<String>,
}

impl PageQuery {
    /// The refusal to show, if it is one the pages know.
    pub(super) fn error(&self) -> Option<&str> {
        self.e
            .as_deref()
            .filter(|e| ["name", "agree", "closed"].contains(e))
    }
}

/// An HTML page with the private headers.
pub(super) fn html_page(page: String) -> HttpResponse {
    private(HttpResponse::Ok())
        .content_type("text/html; charset=utf-8")
        .body(page)
}

/// A form signed with a typed name and a ticked box (the employer accepting, the employee
/// consenting).
#[derive(Debug, Deserialize)]
pub(super) struct SignForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    agree: Option<String>,
    /// The language the page was shown in (its box's sentence is recorded).
    #[serde(default)]
    pub(super) lang: Option<String>,
}

impl SignForm {
    /// The signature the form makes, attested by the request and the sentence of `statement`
    /// (a word of `letters.toml`) in the page's language.
    pub(super) fn signature(
        &self,
        req: &HttpRequest,
        state: &AppState,
        statement: &str,
    ) -> Result<Signature, InputError> {
        let agree = self
            .agree
            .as_deref()
            .is_some_and(|v| matches!(v, "yes" | "on" | "true" | "1"));
        let signature = Signature::new(&self.name, agree)?;
        Ok(signature.attested(evidence(req, state, self.lang.as_deref(), statement)))
    }
}

/// A form declining, with an optional reason.
#[derive(Debug, Deserialize)]
pub(super) struct DeclineForm {
    #[serde(default)]
    pub(super) reason: Option<String>,
    #[serde(default)]
    pub(super) lang: Option<String>,
}

/// The headers of every page: the token is in the URL, so no referrer leaves; no framing, no
/// indexing, no caching; scripts none at all.
pub(super) fn private(
    mut response: actix_web::HttpResponseBuilder,
) -> actix_web::HttpResponseBuilder {
    response
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header(("x-robots-tag", "noindex, nofollow"))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

pub(super) fn not_found() -> HttpResponse {
    private(HttpResponse::NotFound())
        .content_type("text/plain; charset=utf-8")
        .body("Not found")
}

fn back(token: &str, error: Option<&str>) -> HttpResponse {
    let location = match error {
        Some(e) => format!("/q/{token}?e={e}"),
        None => format!("/q/{token}"),
    };
    private(HttpResponse::SeeOther())
        .insert_header((header::LOCATION, location))
        .finish()
}

/// The quote a token opens and its document in the language asked for (else the quote's);
/// `None` for a wrong token.
pub(super) async fn opened(
    tenant: &Tenant,
    token: &str,
    lang: Option<Language>,
) -> Result<Option<(Quote, Document)>, ApiError> {
    let (quote, accepted) = match tenant.quotes.open(token).await {
        Err(QuoteError::LinkNotFound | QuoteError::NotFound(_)) => return Ok(None),
        other => other?,
    };
    let language = lang.unwrap_or(quote.computation.language);
    let document = tenant
        .documents
        .view_accepted(&quote, language, accepted.as_ref());
    Ok(Some((quote, document)))
}

async fn page(
    state: web::Data<AppState>,
    tenant: LinkTenant,
    token: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let Some((quote, document)) = opened(&tenant, &token, query.lang).await? else {
        return Ok(not_found());
    };
    online_page(&state, &token, &quote, &document, query.error(), None)
}

/// The employer's page of `quote`: its document with the panel, showing `error`, and a consent
/// link just `made` (its URL, end, and whether it was e-mailed).
pub(super) fn online_page(
    state: &AppState,
    token: &str,
    quote: &Quote,
    document: &Document,
    error: Option<&str>,
    made: Option<(&str, DateTime<Utc>, bool)>,
) -> Result<HttpResponse, ApiError> {
    let lang = Language::parse(document.lang).unwrap_or_default();
    let html = state.renderer.html(document)?;
    let base = format!("/q/{token}");
    let consent = (quote.status == Status::Accepted).then(|| {
        let consent = quote.employee_consent.as_ref();
        ConsentOnPage {
            status: consent.map_or(ConsentStatus::Pending, |c| c.status),
            at: consent.and_then(|c| c.at),
            made,
        }
    });
    let page = state.letters.online_page(
        document,
        &html,
        &OnlinePage {
            status: quote.status.as_str(),
            base: &base,
            other_lang: lang.other().as_str(),
            error,
            consent,
        },
    )?;
    Ok(html_page(page))
}

async fn pdf(
    state: web::Data<AppState>,
    tenant: LinkTenant,
    token: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let Some((quote, document)) = opened(&tenant, &token, query.lang).await? else {
        return Ok(not_found());
    };
    let pdf = stored_pdf(&state, &tenant, &quote, document).await?;
    Ok(pdf.respond(private(HttpResponse::Ok()), "attachment"))
}

/// The acceptance certificate of a quote the employer accepted (a 404 for anything else).
async fn certificate(
    tenant: LinkTenant,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    match tenant.quotes.certificate_by_link(&token.into_inner()).await {
        Ok((quote, bytes, sha256)) => Ok(certificate_response(
            private(HttpResponse::Ok()),
            quote.id,
            bytes,
            &sha256,
        )),
        Err(QuoteError::LinkNotFound | QuoteError::NotFound(_) | QuoteError::LinkClosed(_)) => {
            Ok(not_found())
        }
        Err(e) => Err(e.into()),
    }
}

/// Where a refusal sends the employer back to.
fn refused(token: &str, error: QuoteError) -> Result<HttpResponse, ApiError> {
    match error {
        QuoteError::LinkNotFound | QuoteError::NotFound(_) => Ok(not_found()),
        QuoteError::Input(e) => {
            let field = e.errors.first().map(|f| f.field.as_str()).unwrap_or("name");
            Ok(back(
                token,
                Some(if field == "agree" { "agree" } else { "name" }),
            ))
        }
        QuoteError::LinkClosed(_) | QuoteError::Busy(_) => Ok(back(token, Some("closed"))),
        other => Err(other.into()),
    }
}

async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    tenant: LinkTenant,
    token: web::Path<String>,
    form: web::Form<SignForm>,
) -> Result<HttpResponse, ApiError> {
    let signature = match form.signature(&req, &state, "online_agree") {
        Ok(signature) => signature,
        Err(e) => return refused(&token, QuoteError::Input(e)),
    };
    match tenant.quotes.accept(&token, &signature).await {
        Ok(_) => Ok(back(&token, None)),
        Err(e) => refused(&token, e),
    }
}

/// What evidences an online answer besides the name: the sentence next to the box (the word
/// `statement` of `letters.toml`) in the language the page was shown in (Dutch when the form
/// does not say), the peer's address and the user agent (cut to 500 characters).
fn evidence(req: &HttpRequest, state: &AppState, lang: Option<&str>, statement: &str) -> Evidence {
    let language = lang.and_then(Language::parse).unwrap_or_default();
    let statement = state.letters.word(language.as_str(), statement);
    Evidence {
        statement: statement.unwrap_or_default().to_string(),
        language: language.as_str().to_string(),
        client_address: req.peer_addr().map(|a| a.ip().to_string()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(500).collect()),
    }
}

async fn decline(
    tenant: LinkTenant,
    token: web::Path<String>,
    form: web::Form<DeclineForm>,
) -> Result<HttpResponse, ApiError> {
    match tenant.quotes.decline(&token, form.reason.as_deref()).await {
        Ok(_) => Ok(back(&token, None)),
        Err(e) => refused(&token, e),
    }
}
