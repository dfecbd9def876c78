//! The employee's consent to deducting the quoted costs from the transitievergoeding. Sales asks
//! through the API (`POST /api/v1/quotes/{id}/employee-consent`), the employer on the page of
//! the quote they accepted (`POST /q/{token}/employee-consent`); both get a link for the
//! employee. The employee's pages (no key; rate-limited per client, like the employer's):
//! `/c/{token}` shows the cost specification and, while consent is pending, the consent and
//! refusal forms; `/c/{token}/pdf` the specification as archived; the forms post to
//! `/c/{token}/consent` and `/c/{token}/decline` and are answered with a redirect back. A wrong
//! token is a plain 404; an expired link, or one whose quote was revised, withdrawn, declined or
//! expired, a 410 page that says so.

use actix_governor::Governor;
use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{Auth, SalesRole};
use super::bodies::ConsentBody;
use super::documents::StoredPdf;
use super::extract::Input;
use super::links::LinkTenant;
use super::online::{
    DeclineForm, FORM_LIMIT, PageQuery, SignForm, html_page, not_found, online_page, opened,
    private,
};
use super::problem::ApiError;
use super::quotes::quote_id;
use super::requests::RequestLimit;
use super::responses::{AuthErrors, BodyErrors, ConflictError, NotFoundError, ServerErrors};
use super::state::AppState;
use crate::catalog::Language;
use crate::documents::letters::ConsentPanel;
use crate::quotes::consent::ConsentStatus;
use crate::quotes::error::QuoteError;
use crate::quotes::input::ConsentOrder;
use crate::quotes::model::Actor;
use crate::quotes::service::{ConsentAnswer, ConsentLink};

/// A consent link for the employee, answered once: only its hash is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployeeConsentLink {
    /// The employee's page: the cost specification and the consent form.
    #[schema(example = "https://offerte.example.nl/c/3q2-7wEjT5Gf0cXc0m2q9A")]
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// The SHA-256 of the cost specification the link shows (archived; recorded with the
    /// employee's answer).
    pub specification_sha256: String,
    /// The link was e-mailed to the address given (queued in the outbox).
    pub emailed: bool,
}

impl From<ConsentLink> for EmployeeConsentLink {
    fn from(link: ConsentLink) -> Self {
        EmployeeConsentLink {
            url: link.url,
            expires_at: link.expires_at,
            specification_sha256: link.specification_sha256,
            emailed: link.emailed,
        }
    }
}

/// Ask the employee's written consent to deducting the quoted costs from the
/// transitievergoeding.
///
/// For a sent or accepted quote: renders the cost specification for the employee (the
/// trajectory and its costs, no payment schedule or terms) in the quote's language, archives it,
/// and answers a link for the employee that works `consent_link_days` (default 30) and dies when
/// the quote is revised, withdrawn, declined or expires. With `email`, the link also goes to that
/// address with the specification attached; the address is used for the delivery only and then
/// forgotten. Asking again makes a new link; once consent is given it stands (409). The answer
/// shows on the quote as `employee_consent`; see `docs/domain.md` for the rule.
#[utoipa::path(
    tag = "quotes",
    params(("id" = Uuid, Path, description = "The quote's id")),
    request_body(content = ConsentBody, content_type = "application/json", example = json!({})),
    responses(
        (status = 201, description = "The link for the employee", body = EmployeeConsentLink),
        AuthErrors, BodyErrors, NotFoundError, ConflictError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/quotes/{id}/employee-consent")]
pub async fn ask_employee_consent(
    auth: Auth<SalesRole>,
    id: web::Path<String>,
    order: Input<ConsentOrder>,
) -> Result<HttpResponse, ApiError> {
    let id = quote_id(&id)?;
    let actor = Actor::from(&auth.caller);
    let link = auth
        .tenant
        .quotes
        .ask_consent(id, &actor, order.0.email())
        .await?;
    Ok(HttpResponse::Created().json(EmployeeConsentLink::from(link)))
}

#[derive(Debug, Deserialize)]
pub(super) struct AskForm {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// The employer asks from the page of the accepted quote: the page again, with the link to
/// copy (and e-mailed when an address was typed).
pub(super) async fn employer_asks(
    state: web::Data<AppState>,
    tenant: LinkTenant,
    token: web::Path<String>,
    form: web::Form<AskForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = form.lang.as_deref().and_then(Language::parse);
    let show = async |error: Option<&str>, made: Option<&ConsentLink>| {
        let Some((quote, document)) = opened(&tenant, &token, lang).await? else {
            return Ok(not_found());
        };
        let made = made.map(|l| (l.url.as_str(), l.expires_at, l.emailed));
        online_page(&state, &token, &quote, &document, error, made)
    };
    let order = match ConsentOrder::new(form.email.clone()) {
        Ok(order) => order,
        Err(_) => return show(Some("email"), None).await,
    };
    match tenant
        .quotes
        .ask_consent_by_link(&token, order.email())
        .await
    {
        Ok(link) => show(None, Some(&link)).await,
        Err(QuoteError::EmailNotConfigured) => show(Some("mail"), None).await,
        Err(QuoteError::LinkNotFound | QuoteError::NotFound(_)) => Ok(not_found()),
        Err(
            QuoteError::ConsentNotAskable(_)
            | QuoteError::ConsentGiven
            | QuoteError::LinkClosed(_)
            | QuoteError::Busy(_),
        ) => show(Some("closed"), None).await,
        Err(e) => Err(e.into()),
    }
}

/// The employee's pages, rate-limited per client.
pub struct ConsentPages(pub RequestLimit);

impl HttpServiceFactory for ConsentPages {
    fn register(self, config: &mut AppService) {
        web::scope("/c")
            .wrap(Governor::new(&self.0))
            // A name of 20 KB is answered as a name too long, not as a body refused.
            .app_data(web::FormConfig::default().limit(FORM_LIMIT))
            .route("/{token}", web::get().to(page))
            .route("/{token}/pdf", web::get().to(pdf))
            .route("/{token}/consent", web::post().to(consent))
            .route("/{token}/decline", web::post().to(decline))
            .register(config);
    }
}

/// A link that no longer works: a 410 that says so in both languages (there is no quote to
/// take the bureau's words from).
fn gone(state: &AppState) -> HttpResponse {
    let word = |lang| {
        state
            .letters
            .word(lang, "consent_closed")
            .unwrap_or_default()
    };
    let escape = |text: &str| handlebars::html_escape(text);
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"nl\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title></head>\n<body style=\"font: 12pt/1.5 'DejaVu Sans', Arial, sans-serif; \
         max-width: 40em; margin: 10vh auto; padding: 0 1em;\">\n<main>\n<h1 style=\"font-size: 14pt;\">{}</h1>\n\
         <p>{}</p>\n<p lang=\"en\">{}</p>\n</main>\n</body>\n</html>\n",
        escape(
            state
                .letters
                .word("nl", "consent_title")
                .unwrap_or_default()
        ),
        escape(
            state
                .letters
                .word("nl", "consent_title")
                .unwrap_or_default()
        ),
        escape(word("nl")),
        escape(word("en")),
    );
    private(HttpResponse::Gone())
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// Answers a refusal of the consent service on the employee's pages.
fn refused(
    state: &AppState,
    token: &str,
    error: QuoteError,
    lang: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    match error {
        QuoteError::LinkNotFound | QuoteError::NotFound(_) => Ok(not_found()),
        QuoteError::LinkExpired | QuoteError::LinkClosed(_) => Ok(gone(state)),
        QuoteError::Input(e) => {
            let field = e.errors.first().map(|f| f.field.as_str()).unwrap_or("name");
            let e = if field == "agree" { "agree" } else { "name" };
            Ok(back(token, Some(e), lang))
        }
        QuoteError::Busy(_) => Ok(back(token, Some("closed"), lang)),
        other => Err(other.into()),
    }
}

fn back(token: &str, error: Option<&str>, lang: Option<&str>) -> HttpResponse {
    let mut query: Vec<String> = Vec::new();
    if let Some(lang) = lang.and_then(Language::parse) {
        query.push(format!("lang={}", lang.as_str()));
    }
    if let Some(e) = error {
        query.push(format!("e={e}"));
    }
    let location = if query.is_empty() {
        format!("/c/{token}")
    } else {
        format!("/c/{token}?{}", query.join("&"))
    };
    private(HttpResponse::SeeOther())
        .insert_header((header::LOCATION, location))
        .finish()
}

async fn page(
    state: web::Data<AppState>,
    tenant: LinkTenant,
    token: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let opened = match tenant.quotes.open_consent(&token).await {
        Ok(opened) => opened,
        Err(e) => return refused(&state, &token, e, None),
    };
    let quote = opened.quote;
    let language = query.lang.unwrap_or(quote.computation.language);
    let document = tenant.documents.view(&quote, language).specification();
    let html = state.renderer.html(&document)?;
    let consent = quote.employee_consent.as_ref();
    let base = format!("/c/{token}");
    let page = state.letters.consent_page(
        &document,
        &html,
        &ConsentPanel {
            status: consent.map_or(ConsentStatus::Pending, |c| c.status),
            at: consent.and_then(|c| c.at),
            base: &base,
            other_lang: language.other().as_str(),
            error: query.error(),
        },
    )?;
    Ok(html_page(page))
}

/// The specification as archived when the link was made (in the quote's language); in the
/// other language, or when the archive lacks it, rendered now.
async fn pdf(
    state: web::Data<AppState>,
    tenant: LinkTenant,
    token: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (opened, archived) = match tenant.quotes.consent_specification(&token).await {
        Ok(found) => found,
        Err(e) => return refused(&state, &token, e, None),
    };
    let quote = opened.quote;
    let language = query.lang.unwrap_or(quote.computation.language);
    let document = tenant.documents.view(&quote, language).specification();
    let pdf = match (archived, language == quote.computation.language) {
        (Some(bytes), true) => {
            let sha256 = opened.link.document_sha256.unwrap_or_default();
            StoredPdf::archived(bytes, format!("{}.pdf", document.file_stem), sha256)
        }
        _ => StoredPdf::live(&state, document, quote.computation.quote_date).await?,
    };
    Ok(pdf.respond(private(HttpResponse::Ok()), "attachment"))
}

async fn consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    tenant: LinkTenant,
    token: web::Path<String>,
    form: web::Form<SignForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = form.lang.as_deref();
    let signature = match form.signature(&req, &state, "consent_agree") {
        Ok(signature) => signature,
        Err(e) => return refused(&state, &token, QuoteError::Input(e), lang),
    };
    let answer = ConsentAnswer::Given(signature);
    match tenant.quotes.answer_consent(&token, &answer).await {
        Ok(_) => Ok(back(&token, None, lang)),
        Err(e) => refused(&state, &token, e, lang),
    }
}

async fn decline(
    state: web::Data<AppState>,
    tenant: LinkTenant,
    token: web::Path<String>,
    form: web::Form<DeclineForm>,
) -> Result<HttpResponse, ApiError> {
    let answer = ConsentAnswer::Declined(form.reason.clone());
    match tenant.quotes.answer_consent(&token, &answer).await {
        Ok(_) => Ok(back(&token, None, form.lang.as_deref())),
        Err(e) => refused(&state, &token, e, form.lang.as_deref()),
    }
}
