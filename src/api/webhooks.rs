//! Webhook deliveries for admins: what went out to which endpoint, each attempt, and sending
//! one again.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::auth::{AdminRole, Auth};
use super::extract::{Paging, QueryParams};
use super::problem::{ApiError, Problem};
use super::responses::{AuthErrors, QueryErrors, ServerErrors};
use super::state::AppState;
use crate::outbox::JobStatus;
use crate::outbox::service::{self, DeliveryFilter, WebhookDelivery};
use crate::outbox::webhooks::EventType;
use crate::quotes::model::Page;

/// A page of webhook deliveries.
pub type WebhookDeliveryPage = Page<WebhookDelivery>;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this status: `queued` (waiting or between attempts), `sent`, `failed`.
    pub status: Option<JobStatus>,
    /// Only deliveries of this event type, e.g. `quote.sent`.
    pub event: Option<EventType>,
    /// Only deliveries about this quote (any event about it, and the request it was made from).
    pub quote_id: Option<Uuid>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Deliveries per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// A delivery id from the path; anything that is not a UUID is no delivery.
fn delivery_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| {
        ApiError::NotFound(format!(
            "no webhook delivery with id `{text}` (ids are UUIDs)"
        ))
    })
}

/// List webhook deliveries (admin), newest first, each with its attempts.
///
/// One delivery is one event for one endpoint: its `webhook-id` (the same on every attempt, so
/// receivers can drop duplicates), its status, and every attempt with its time, the receiver's
/// HTTP status and what went wrong. An endpoint that answered 410 Gone is disabled
/// (`endpoint_disabled`): its deliveries fail at once until an admin retries one of them.
#[utoipa::path(
    tag = "webhooks",
    params(DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = WebhookDeliveryPage),
        AuthErrors, QueryErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/webhook-deliveries")]
pub async fn list_deliveries(
    _auth: Auth<AdminRole>,
    state: web::Data<AppState>,
    query: QueryParams<DeliveryQuery>,
) -> Result<web::Json<WebhookDeliveryPage>, ApiError> {
    let q = query.0;
    let paging = Paging::new(q.page, q.per_page)?;
    let filter = DeliveryFilter {
        status: q.status,
        event: q.event,
        quote_id: q.quote_id,
        limit: paging.limit(),
        offset: paging.offset(),
    };
    let (items, total) = service::list(&state.store, &filter).await?;
    Ok(web::Json(Page {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    }))
}

/// Send a webhook delivery again (admin).
///
/// Queues it at once on a fresh retry schedule, whatever its status: `failed` (the receiver is
/// fixed), `sent` (the receiver lost it) or `queued` (waiting for a late retry). It keeps its
/// `webhook-id` and body; the signature is made anew. If its endpoint was disabled by a 410, the
/// endpoint is enabled again. Deliveries about one quote still go out in order: this one waits
/// for older queued ones of the same quote and endpoint.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The delivery's id")),
    responses(
        (status = 202, description = "Queued again; the delivery as it is now", body = WebhookDelivery),
        AuthErrors,
        (status = 404, description = "No webhook delivery with this id", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/webhook-deliveries/{id}/retry")]
pub async fn retry_delivery(
    _auth: Auth<AdminRole>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = delivery_id(&id)?;
    let delivery = service::retry(&state.store, id, chrono::Utc::now()).await?;
    Ok(HttpResponse::Accepted().json(delivery))
}
