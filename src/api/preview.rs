//! `POST /api/v1/quotes/preview`: price a case without storing anything.

use actix_web::{post, web};

use super::auth::{Auth, SalesRole};
use super::extract::{JsonBytes, parse_json};
use super::metrics::Metrics;
use super::problem::ApiError;
use super::responses::{AuthErrors, BodyErrors, ServerErrors};
use super::state::AppState;
use crate::pricing::{self, Circumstances, Computation};

/// Price a case (nothing is stored).
///
/// The body is the circumstances object itself, exactly what `offerte quote --input` reads; the
/// answer is the same JSON that command prints.
#[utoipa::path(
    tag = "quotes",
    request_body(content = Circumstances, description = "The circumstances of the case", content_type = "application/json"),
    responses(
        (status = 200, description = "The computation: tier, lines, totals, alternatives, explanation, warnings, timeline", body = Computation),
        AuthErrors,
        BodyErrors,
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/quotes/preview")]
pub async fn preview(
    auth: Auth<SalesRole>,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    body: JsonBytes,
) -> Result<web::Json<Computation>, ApiError> {
    let input: Circumstances = parse_json(&body.0)?;
    let computation = pricing::compute(&auth.tenant.catalogs(), &input, state.today())?;
    metrics.quote_computed();
    Ok(web::Json(computation))
}
