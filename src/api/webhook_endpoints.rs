//! A bureau's webhook endpoints, for its admin: add one (the secret is made here and shown
//! once), list them, remove one, rotate a secret. The endpoints of the settings are the
//! default bureau's and are not changed here.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{AdminRole, Auth};
use super::extract::{JsonBytes, parse_json};
use super::problem::{ApiError, Problem};
use super::responses::{AuthErrors, BodyErrors, ServerErrors};
use super::state::AppState;
use crate::bureaus::model::StoredEndpoint;
use crate::bureaus::service::endpoints::MadeEndpoint;
use crate::outbox::webhooks::display_url;

/// An endpoint to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEndpointBody {
    /// Where to POST: http or https, on the public internet.
    #[schema(example = "https://crm.noord.example/hooks/offerte")]
    pub url: String,
    /// Event names, groups (`quote.*`) or `*` (the default).
    #[schema(example = json!(["quote.*"]))]
    pub events: Option<Vec<String>>,
}

/// An endpoint as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointView {
    #[schema(example = "ep_1f0c9d2b7a6e4c3d")]
    pub id: String,
    /// The URL without credentials or query (as deliveries show it).
    #[schema(example = "https://crm.noord.example/hooks/offerte")]
    pub url: String,
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// When the secret was last rotated; the one before signs too for a day after.
    pub rotated_at: Option<DateTime<Utc>>,
    /// Since when it is disabled (it answered 410 Gone); a retried delivery enables it.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<&StoredEndpoint> for EndpointView {
    fn from(e: &StoredEndpoint) -> Self {
        EndpointView {
            id: e.id.clone(),
            url: display_url(&e.url),
            events: e.events.clone(),
            created_at: e.created_at,
            rotated_at: e.rotated_at,
            disabled_at: e.disabled.as_ref().map(|(at, _)| *at),
        }
    }
}

/// An endpoint with its new secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct MadeEndpointView {
    /// `whsec_…`: verify each delivery's `webhook-signature` with it (Standard Webhooks).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
    #[serde(flatten)]
    pub endpoint: EndpointView,
}

impl From<MadeEndpoint> for MadeEndpointView {
    fn from(made: MadeEndpoint) -> Self {
        MadeEndpointView {
            endpoint: EndpointView::from(&made.endpoint),
            secret: made.secret,
        }
    }
}

/// Add a webhook endpoint (admin).
///
/// The URL must be http or https and reach the public internet: a name that resolves to a
/// loopback, private, link-local or cloud metadata address is refused now and again at every
/// delivery. Every event of the bureau from now on goes to it, signed with the secret in the
/// answer (shown this once).
#[utoipa::path(
    tag = "webhooks",
    request_body(content = NewEndpointBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Added; the secret is in `secret`, shown this once", body = MadeEndpointView),
        AuthErrors, BodyErrors,
        (status = 409, description = "An endpoint with this URL exists", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/webhook-endpoints")]
pub async fn add_endpoint(
    auth: Auth<AdminRole>,
    state: web::Data<AppState>,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: NewEndpointBody = parse_json(&body.0)?;
    let made = state
        .bureaus
        .add_endpoint(auth.tenant.id(), &body.url, body.events)
        .await?;
    state.in_force_here().await?;
    Ok(HttpResponse::Created().json(MadeEndpointView::from(made)))
}

/// List the bureau's webhook endpoints (admin); no secrets.
#[utoipa::path(
    tag = "webhooks",
    responses(
        (status = 200, description = "The endpoints, oldest first", body = [EndpointView]),
        AuthErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/webhook-endpoints")]
pub async fn list_endpoints(
    auth: Auth<AdminRole>,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<EndpointView>>, ApiError> {
    let endpoints = state.bureaus.endpoints(auth.tenant.id()).await?;
    Ok(web::Json(
        endpoints.iter().map(EndpointView::from).collect(),
    ))
}

/// Remove a webhook endpoint (admin); its queued deliveries fail.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id (`ep_…`)")),
    responses(
        (status = 204, description = "Removed"),
        AuthErrors,
        (status = 404, description = "No such endpoint of this bureau", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[delete("/webhook-endpoints/{id}")]
pub async fn remove_endpoint(
    auth: Auth<AdminRole>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.bureaus.remove_endpoint(auth.tenant.id(), &id).await?;
    state.in_force_here().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a webhook endpoint's secret (admin).
///
/// The new secret is in the answer, shown this once; for a day deliveries are signed with both
/// the new and the previous one, so the receiver can switch without losing a delivery.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id (`ep_…`)")),
    responses(
        (status = 200, description = "The endpoint with its new secret", body = MadeEndpointView),
        AuthErrors,
        (status = 404, description = "No such endpoint of this bureau", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/webhook-endpoints/{id}/rotate")]
pub async fn rotate_endpoint(
    auth: Auth<AdminRole>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<web::Json<MadeEndpointView>, ApiError> {
    let made = state.bureaus.rotate_endpoint(auth.tenant.id(), &id).await?;
    state.in_force_here().await?;
    Ok(web::Json(MadeEndpointView::from(made)))
}
