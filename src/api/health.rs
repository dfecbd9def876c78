//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::metrics::Metrics;
use super::problem::ApiError;
use super::responses::ServerErrors;
use super::state::AppState;

/// The answer of the health checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    /// Catalog versions loaded (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_versions: Option<usize>,
}

/// Liveness: the process answers.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The process is alive", body = Health), ServerErrors),
    security(())
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".into(),
        catalog_versions: None,
    })
}

/// Readiness: the catalog is loaded and the database answers.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "Not ready (database unreachable)", body = super::problem::Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(())
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    if let Err(error) = state.tenants.default_tenant().quotes.ready().await {
        tracing::warn!(error = ?error, "not ready: the database does not answer");
        return Err(ApiError::Unavailable("the database does not answer".into()));
    }
    Ok(web::Json(Health {
        status: "ready".into(),
        catalog_versions: Some(state.tenants.default_tenant().catalogs().versions().len()),
    }))
}

/// Prometheus metrics: request counts and latencies per route, quotes computed, and the
/// outbox (e-mail and webhook deliveries): attempts by outcome, queue depth, age of the oldest
/// queued job.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Metrics in the Prometheus text format", body = String, content_type = "text/plain"),
        ServerErrors,
    ),
    security(())
)]
#[get("/metrics")]
pub async fn metrics(metrics: web::Data<Metrics>, state: web::Data<AppState>) -> HttpResponse {
    let queue = match state
        .tenants
        .default_tenant()
        .deliveries
        .queue_stats()
        .await
    {
        Ok(queue) => Some(queue),
        Err(error) => {
            tracing::warn!(error = ?error, "metrics: the outbox queue could not be read");
            None
        }
    };
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render(queue.as_deref(), chrono::Utc::now()))
}
