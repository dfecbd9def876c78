//! Quote requests: the public form's endpoint (rate-limited per client) and the sales side
//! (list, read, turn into a quote, reject) and erasure (admin).

use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::{
    Governor, GovernorConfig, GovernorConfigBuilder, KeyExtractor, PeerIpKeyExtractor,
};
use actix_web::dev::{AppService, HttpServiceFactory, ServiceRequest};
use actix_web::http::header;
use actix_web::{HttpResponse, HttpResponseBuilder, delete, get, guard, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use std::time::Duration;
use utoipa::IntoParams;
use uuid::Uuid;

use super::auth::{AdminRole, Auth, PublicBureau, SalesRole};
use super::extract::{JsonBody, JsonBytes, Paging, QueryParams, parse_json};
use super::metrics::Metrics;
use super::problem::{ApiError, Problem};
use super::responses::{
    AuthErrors, BodyErrors, ConflictError, NotFoundError, QueryErrors, ServerErrors,
};
use crate::exports::register::created_range;
use crate::quotes::model::{Actor, Quote};
use crate::requests::model::{
    NewRequestBody, QuoteRequest, RejectBody, RequestPage, RequestReceipt, RequestStatus,
};
use crate::requests::ports::RequestQuery;

/// A request id from the path; anything that is not a UUID is no request.
fn request_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| {
        ApiError::NotFound(format!("no quote request with id `{text}` (ids are UUIDs)"))
    })
}

/// The rate limit's key: the client's address (IPv6 by /56), as the TCP peer sees it. Behind
/// a reverse proxy every client shares the proxy's address (see docs/operations.md).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress;

impl KeyExtractor for ClientAddress {
    type Key = <PeerIpKeyExtractor as KeyExtractor>::Key;
    type KeyExtractionError = <PeerIpKeyExtractor as KeyExtractor>::KeyExtractionError;

    fn extract(&self, req: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        PeerIpKeyExtractor.extract(req)
    }

    /// 429 as a problem document, `Retry-After` in whole seconds (rounded up).
    fn exceed_rate_limit_response(
        &self,
        negative: &actix_governor::governor::NotUntil<QuantaInstant>,
        mut response: HttpResponseBuilder,
    ) -> HttpResponse {
        let wait = negative.wait_time_from(DefaultClock::default().now());
        let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let error = ApiError::TooManyRequests(seconds);
        response
            .insert_header((header::RETRY_AFTER, seconds.to_string()))
            .insert_header((header::CONTENT_TYPE, super::problem::PROBLEM_JSON))
            .json(error.problem())
    }
}

/// The shared limiter of the public form (one per server, all workers).
pub type RequestLimit = GovernorConfig<ClientAddress, NoOpMiddleware>;

/// A limiter allowing `burst` requests at once, then `per_minute` a minute, per client.
pub fn request_limit(burst: u32, per_minute: u32) -> anyhow::Result<RequestLimit> {
    // Nanoseconds: the employer's pages allow six times the form's rate, past 60,000 a minute
    // when the form's limit is lifted (the contract fuzzer), and a period of 0 ms is refused.
    let period = Duration::from_nanos(60_000_000_000 / u64::from(per_minute.max(1)));
    GovernorConfigBuilder::default()
        .key_extractor(ClientAddress)
        .period(period)
        .burst_size(burst)
        .finish()
        .ok_or_else(|| anyhow::anyhow!("the rate limit needs a burst and a rate of at least 1"))
}

/// `POST /quote-requests` with its rate limit: the resource is wrapped, nothing else is.
pub struct SubmitRoute(pub RequestLimit);

impl HttpServiceFactory for SubmitRoute {
    fn register(self, config: &mut AppService) {
        web::resource("/quote-requests")
            .guard(guard::Post())
            .wrap(Governor::new(&self.0))
            .route(web::post().to(submit_request))
            .register(config);
    }
}

impl utoipa_actix_web::OpenApiFactory for SubmitRoute {
    fn paths(&self) -> utoipa::openapi::path::Paths {
        utoipa_actix_web::OpenApiFactory::paths(&__path_submit_request)
    }

    fn schemas(
        &self,
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        utoipa_actix_web::OpenApiFactory::schemas(&__path_submit_request, schemas);
    }
}

/// Ask for a quote (public, for the bureau's website form).
///
/// Takes the same `employer`, `employee` and `circumstances` as `POST /api/v1/quotes` (same
/// rules; unknown fields such as a diagnosis are refused), plus `consent` (must be `true`) and
/// `website` (a hidden field that must stay empty). Answers with a reference and an
/// **indicative** price: the recommended tier, its totals excl. and incl. BTW and the
/// alternatives. Limited per client: a burst (default 20), then a steady rate (default 10 a
/// minute); past it a 429 with `Retry-After`.
#[utoipa::path(
    post,
    path = "/quote-requests",
    tag = "requests",
    request_body(content = NewRequestBody, content_type = "application/json", example = json!({
        "employer": {"company_name": "Bakkerij De Korenschoof B.V.", "kvk_number": "12345678", "contact_person": "J. de Vries",
                     "email": "hr@korenschoof.example", "phone": "030 123 45 67"},
        "employee": {"reference": "PV-0412", "hours_per_week": 32},
        "circumstances": {"first_sick_day": "2026-01-05", "readiness": "ready_with_support"},
        "consent": true,
        "website": ""
    })),
    responses(
        (status = 201, description = "Received; the price is indicative", body = RequestReceipt),
        BodyErrors,
        (status = 429, description = "Too many requests from this client; `Retry-After` says when to try again",
         body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = String, description = "Seconds to wait"))),
        ServerErrors,
    ),
    security(())
)]
pub async fn submit_request(
    bureau: PublicBureau,
    metrics: web::Data<Metrics>,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let input: NewRequestBody = parse_json(&body.0)?;
    let (receipt, _) = bureau.tenant.requests.submit(input).await?;
    metrics.quote_computed();
    Ok(HttpResponse::Created().json(receipt))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestListQuery {
    /// Only requests in this status.
    pub status: Option<RequestStatus>,
    /// Received on or after this date.
    pub from: Option<NaiveDate>,
    /// Received on or before this date.
    pub to: Option<NaiveDate>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Requests per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// List quote requests, newest first.
#[utoipa::path(
    tag = "requests",
    params(RequestListQuery),
    responses((status = 200, description = "A page of requests", body = RequestPage), AuthErrors, QueryErrors, ServerErrors),
    security(("api_key" = []))
)]
#[get("/quote-requests")]
pub async fn list_requests(
    auth: Auth<SalesRole>,
    query: QueryParams<RequestListQuery>,
) -> Result<web::Json<RequestPage>, ApiError> {
    let q = query.0;
    let paging = Paging::new(q.page, q.per_page)?;
    let Paging { page, per_page } = paging;
    let (created_from, created_before) = created_range(q.from, q.to);
    let filter = RequestQuery {
        status: q.status,
        created_from,
        created_before,
        limit: paging.limit(),
        offset: paging.offset(),
    };
    let (items, total) = auth.tenant.requests.list(&filter).await?;
    Ok(web::Json(RequestPage {
        items,
        page,
        per_page,
        total,
    }))
}

/// Read one quote request.
#[utoipa::path(
    tag = "requests",
    params(("id" = Uuid, Path, description = "The request's id")),
    responses((status = 200, description = "The request", body = QuoteRequest), AuthErrors, NotFoundError, ServerErrors),
    security(("api_key" = []))
)]
#[get("/quote-requests/{id}")]
pub async fn get_request(
    auth: Auth<SalesRole>,
    id: web::Path<String>,
) -> Result<web::Json<QuoteRequest>, ApiError> {
    let id = request_id(&id)?;
    Ok(web::Json(auth.tenant.requests.get(id).await?))
}

/// Turn a new request into a draft quote, priced today; the request is marked `converted`
/// and names the quote, the quote's events name the request. A request that is already
/// converted or rejected is a 409.
#[utoipa::path(
    tag = "requests",
    params(("id" = Uuid, Path, description = "The request's id")),
    responses(
        (status = 201, description = "The draft quote; `Location` points at it", body = Quote,
         headers(("Location" = String, description = "URL of the new quote"))),
        AuthErrors, NotFoundError, ConflictError,
        (status = 422, description = "The request can no longer be priced (e.g. the waiting period has ended)",
         body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/quote-requests/{id}/quote")]
pub async fn convert_request(
    auth: Auth<SalesRole>,
    metrics: web::Data<Metrics>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = request_id(&id)?;
    let (_, quote) = auth
        .tenant
        .requests
        .convert(id, &Actor::from(&auth.caller))
        .await?;
    metrics.quote_computed();
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/quotes/{}", quote.id)))
        .json(quote))
}

/// Reject a new request, optionally with a reason.
#[utoipa::path(
    tag = "requests",
    params(("id" = Uuid, Path, description = "The request's id")),
    request_body(content = RejectBody, content_type = "application/json", example = json!({"reason": "outside our region"})),
    responses(
        (status = 200, description = "The rejected request", body = QuoteRequest),
        AuthErrors, BodyErrors, NotFoundError, ConflictError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/quote-requests/{id}/reject")]
pub async fn reject_request(
    auth: Auth<SalesRole>,
    id: web::Path<String>,
    body: JsonBody<RejectBody>,
) -> Result<web::Json<QuoteRequest>, ApiError> {
    let id = request_id(&id)?;
    let request = auth
        .tenant
        .requests
        .reject(id, body.0.reason.as_deref(), &Actor::from(&auth.caller))
        .await?;
    Ok(web::Json(request))
}

/// Erase a request (admin), e.g. on the requester's demand. A quote made from it stays.
#[utoipa::path(
    tag = "requests",
    params(("id" = Uuid, Path, description = "The request's id")),
    responses(
        (status = 204, description = "Erased"),
        AuthErrors, NotFoundError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[delete("/quote-requests/{id}")]
pub async fn delete_request(
    auth: Auth<AdminRole>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = request_id(&id)?;
    auth.tenant.requests.erase(id).await?;
    Ok(HttpResponse::NoContent().finish())
}
