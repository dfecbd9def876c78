//! Quotes: create, list, read, edit drafts, move through the lifecycle, revise, events.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;
use uuid::Uuid;

use super::auth::{Auth, Caller, SalesRole};
use super::bodies::{NewQuoteBody, QuoteChanges, SendBody, TransitionBody};
use super::extract::{Input, JsonBody, JsonBytes, Paging, QueryParams, parse_json};
use super::metrics::Metrics;
use super::problem::ApiError;
use super::responses::{
    AuthErrors, BodyErrors, ConflictError, NotFoundError, QueryErrors, ServerErrors,
};
use crate::access::Role;
use crate::exports::register::created_range;
use crate::outbox::model::Delivery;
use crate::pricing::InputError;
use crate::quotes::input::{QuoteEdit, QuoteInput, SendOrder};
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Actor, ActorRole, Event, Quote, QuotePage};
use crate::quotes::ports::ListFilter;

impl From<&Caller> for Actor {
    fn from(caller: &Caller) -> Actor {
        Actor {
            role: match caller.role {
                Role::Sales => ActorRole::Sales,
                Role::Finance => ActorRole::Finance,
                Role::Admin => ActorRole::Admin,
                Role::Public => ActorRole::Public,
                Role::Operator => ActorRole::Operator,
            },
            key_id: caller.key_id.clone(),
        }
    }
}

/// A quote id from the path; anything that is not a UUID is no quote.
pub fn quote_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text)
        .map_err(|_| ApiError::NotFound(format!("no quote with id `{text}` (ids are UUIDs)")))
}

/// Create a draft quote.
///
/// Prices the circumstances with the catalog in force on the quote date and stores the result
/// with the next number. With an `Idempotency-Key` header, a retried request returns the quote
/// the first one made (header `Idempotent-Replayed: true`) instead of a second quote.
#[utoipa::path(
    tag = "quotes",
    request_body(content = NewQuoteBody, content_type = "application/json", example = json!({
        "employer": {"company_name": "Bakkerij De Korenschoof B.V.", "kvk_number": "12345678", "contact_person": "J. de Vries",
                     "email": "hr@korenschoof.example", "phone": "030 123 45 67",
                     "address": {"street": "Stationsplein 1", "postal_code": "3511 ED", "city": "Utrecht"}},
        "employee": {"reference": "PV-0412", "hours_per_week": 32, "job_title": "Baker"},
        "circumstances": {"first_sick_day": "2026-01-05", "start_date": "2026-12-01", "readiness": "ready_with_support"}
    })),
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string (max 200); a retry with the same key and body returns the first result")),
    responses(
        (status = 201, description = "Created; `Location` points at the quote", body = Quote,
         headers(("Location" = String, description = "URL of the new quote"))),
        (status = 200, description = "A replay of an earlier request with the same Idempotency-Key", body = Quote),
        AuthErrors, BodyErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/quotes")]
pub async fn create_quote(
    auth: Auth<SalesRole>,
    req: HttpRequest,
    metrics: web::Data<Metrics>,
    bytes: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: NewQuoteBody = parse_json(&bytes.0)?;
    let input = QuoteInput::try_from(body).map_err(ApiError::Invalid)?;
    let key = req
        .headers()
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .ok_or_else(|| {
                    ApiError::BadRequest(InputError::one(
                        "Idempotency-Key",
                        "invalid",
                        "1 to 200 visible ASCII characters",
                    ))
                })
        })
        .transpose()?;
    let hash = hex::encode(Sha256::digest(&bytes.0));
    let created = auth
        .tenant
        .quotes
        .create(
            &input,
            &Actor::from(&auth.caller),
            key.map(|k| (k, hash.as_str())),
        )
        .await?;
    metrics.quote_computed();
    let location = format!("/api/v1/quotes/{}", created.quote.id);
    let mut response = if created.replayed {
        HttpResponse::Ok()
    } else {
        HttpResponse::Created()
    };
    response.insert_header((header::LOCATION, location));
    if created.replayed {
        response.insert_header(("idempotent-replayed", "true"));
    }
    Ok(response.json(created.quote))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only quotes in this status (`superseded` shows replaced revisions).
    pub status: Option<Status>,
    /// Only this number, e.g. `OFF-2026-00042`.
    pub number: Option<String>,
    /// Employer company name contains this (case-insensitive).
    pub employer: Option<String>,
    /// Created on or after this date.
    pub created_from: Option<NaiveDate>,
    /// Created on or before this date.
    pub created_to: Option<NaiveDate>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Quotes per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// List quotes (the latest revision of each), newest first.
#[utoipa::path(
    tag = "quotes",
    params(ListQuery),
    responses((status = 200, description = "A page of quotes", body = QuotePage), AuthErrors, QueryErrors, ServerErrors),
    security(("api_key" = []))
)]
#[get("/quotes")]
pub async fn list_quotes(
    auth: Auth<SalesRole>,
    query: QueryParams<ListQuery>,
) -> Result<web::Json<QuotePage>, ApiError> {
    let q = query.0;
    let paging = Paging::new(q.page, q.per_page)?;
    let Paging { page, per_page } = paging;
    let (created_from, created_before) = created_range(q.created_from, q.created_to);
    let filter = ListFilter {
        number: q.number,
        employer: q.employer,
        created_from,
        created_before,
        limit: paging.limit(),
        offset: paging.offset(),
    };
    // A sent quote past its validity is listed (and filtered) as expired, without a write.
    let (items, total) = auth.tenant.quotes.list(q.status, filter).await?;
    Ok(web::Json(QuotePage {
        items,
        page,
        per_page,
        total,
    }))
}

/// Read one quote (any revision), exactly as it was quoted.
#[utoipa::path(
    tag = "quotes",
    params(("id" = Uuid, Path, description = "The quote's id")),
    responses((status = 200, description = "The quote", body = Quote), AuthErrors, NotFoundError, ServerErrors),
    security(("api_key" = []))
)]
#[get("/quotes/{id}")]
pub async fn get_quote(
    auth: Auth<SalesRole>,
    id: web::Path<String>,
) -> Result<web::Json<Quote>, ApiError> {
    let id = quote_id(&id)?;
    let quote = auth.tenant.quotes.get(id).await?;
    Ok(web::Json(quote))
}

/// Edit a draft: replace the employer, the employee or the circumstances (then it is priced again).
#[utoipa::path(
    tag = "quotes",
    params(("id" = Uuid, Path, description = "The quote's id")),
    request_body(content = QuoteChanges, content_type = "application/json"),
    responses(
        (status = 200, description = "The edited draft", body = Quote),
        AuthErrors, BodyErrors, NotFoundError, ConflictError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[patch("/quotes/{id}")]
pub async fn update_quote(
    auth: Auth<SalesRole>,
    id: web::Path<String>,
    changes: Input<QuoteEdit>,
) -> Result<web::Json<Quote>, ApiError> {
    let id = quote_id(&id)?;
    let quote = auth
        .tenant
        .quotes
        .update(id, &changes.0, &Actor::from(&auth.caller))
        .await?;
    Ok(web::Json(quote))
}

/// Move a quote through its life: `draft` → `sent` → `accepted` | `declined` (reason
/// required); `draft` or `sent` → `withdrawn`. Any other move is a 409 naming the current
/// status and the allowed moves.
#[utoipa::path(
    tag = "quotes",
    params(("id" = Uuid, Path, description = "The quote's id")),
    request_body(content = TransitionBody, content_type = "application/json", example = json!({"to": "sent"})),
    responses(
        (status = 200, description = "The quote in its new status", body = Quote),
        AuthErrors, BodyErrors, NotFoundError, ConflictError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/quotes/{id}/transitions")]
pub async fn transition_quote(
    auth: Auth<SalesRole>,
    id: web::Path<String>,
    body: JsonBody<TransitionBody>,
) -> Result<web::Json<Quote>, ApiError> {
    let id = quote_id(&id)?;
    let body = body.0;
    let quote = auth
        .tenant
        .quotes
        .transition(
            id,
            body.to,
            body.reason.as_deref(),
            &Actor::from(&auth.caller),
        )
        .await?;
    Ok(web::Json(quote))
}

/// Make a new revision of a draft or sent quote, optionally with changes; it is priced against
/// the catalog in force today. The old revision becomes `superseded` and stays readable.
#[utoipa::path(
    tag = "quotes",
    params(("id" = Uuid, Path, description = "The id of the revision to replace")),
    request_body(content = QuoteChanges, content_type = "application/json", example = json!({})),
    responses(
        (status = 201, description = "The new revision", body = Quote, headers(("Location" = String, description = "URL of the new revision"))),
        AuthErrors, BodyErrors, NotFoundError, ConflictError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/quotes/{id}/revisions")]
pub async fn revise_quote(
    auth: Auth<SalesRole>,
    metrics: web::Data<Metrics>,
    id: web::Path<String>,
    changes: Input<QuoteEdit>,
) -> Result<HttpResponse, ApiError> {
    let id = quote_id(&id)?;
    let quote = auth
        .tenant
        .quotes
        .revise(id, &changes.0, &Actor::from(&auth.caller))
        .await?;
    metrics.quote_computed();
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/quotes/{}", quote.id)))
        .json(quote))
}

/// Every step in the quote's life, oldest first.
#[utoipa::path(
    tag = "quotes",
    params(("id" = Uuid, Path, description = "The quote's id")),
    responses((status = 200, description = "The events", body = Vec<Event>), AuthErrors, NotFoundError, ServerErrors),
    security(("api_key" = []))
)]
#[get("/quotes/{id}/events")]
pub async fn quote_events(
    auth: Auth<SalesRole>,
    id: web::Path<String>,
) -> Result<web::Json<Vec<Event>>, ApiError> {
    let id = quote_id(&id)?;
    let events = auth.tenant.quotes.events(id).await?;
    Ok(web::Json(events))
}

/// Send the quote to the employer by e-mail.
///
/// A draft moves to `sent` (a sent quote goes out again, with a new link): the PDF of exactly
/// this version is attached and its SHA-256 recorded in the `sent` event, the e-mail (in the
/// quote's language) carries a link to read and accept the quote online, and it is queued in the
/// outbox in the same write; delivery follows the answer (see `GET .../deliveries`). Without an
/// SMTP relay configured this is a 409.
#[utoipa::path(
    tag = "quotes",
    params(("id" = Uuid, Path, description = "The quote's id")),
    request_body(content = SendBody, content_type = "application/json", example = json!({
        "cc": ["directie@korenschoof.example"],
        "message": "Zoals besproken ontvangt u hierbij onze offerte."
    })),
    responses(
        (status = 202, description = "Sent (the e-mail is queued); the quote in its new status", body = Quote),
        AuthErrors, BodyErrors, NotFoundError, ConflictError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/quotes/{id}/send")]
pub async fn send_quote(
    auth: Auth<SalesRole>,
    id: web::Path<String>,
    order: Input<SendOrder>,
) -> Result<HttpResponse, ApiError> {
    let id = quote_id(&id)?;
    let quote = auth
        .tenant
        .quotes
        .send(id, &order.0, &Actor::from(&auth.caller))
        .await?;
    Ok(HttpResponse::Accepted().json(quote))
}

/// What became of the quote's e-mails: each with its status (`queued`, `sent`, `failed`),
/// attempts, last error and times, oldest first.
#[utoipa::path(
    tag = "quotes",
    params(("id" = Uuid, Path, description = "The quote's id")),
    responses((status = 200, description = "The deliveries", body = Vec<Delivery>), AuthErrors, NotFoundError, ServerErrors),
    security(("api_key" = []))
)]
#[get("/quotes/{id}/deliveries")]
pub async fn quote_deliveries(
    auth: Auth<SalesRole>,
    id: web::Path<String>,
) -> Result<web::Json<Vec<Delivery>>, ApiError> {
    let id = quote_id(&id)?;
    Ok(web::Json(auth.tenant.quotes.deliveries(id).await?))
}
