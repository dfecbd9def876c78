//! A bureau that leaves (operator): its export, everything it owns in one download, and then
//! its erasure.

use actix_web::{HttpResponse, delete, get, web};
use base64::Engine;
use serde_json::json;

use super::auth::OperatorAuth;
use super::bureaus::BureauView;
use super::problem::{ApiError, Problem};
use super::responses::{AuthErrors, ServerErrors};
use super::state::AppState;
use crate::archive::{DocumentArchive, read};
use crate::bureaus::error::BureauError;
use crate::bureaus::model::shown_slug;

/// How far ahead "every stored document" reaches when an object store is listed.
const EVERYTHING: chrono::Duration = chrono::Duration::days(1);

/// Every document in an object-store archive (of one bureau), by hash.
async fn stored_documents(
    archive: &impl DocumentArchive,
    state: &AppState,
) -> Result<Vec<String>, ApiError> {
    archive
        .stored_before(state.clock.now().at + EVERYTHING)
        .await
        .map_err(|e| ApiError::Internal(e.into()))
}

fn no_such(slug: &str) -> ApiError {
    ApiError::NotFound(format!("no bureau `{}`", shown_slug(slug)))
}

/// Export everything a bureau owns (operator), in one download.
///
/// JSON lines (`application/x-ndjson`): first the bureau, then every row of every table it
/// owns (`{"table": …, "row": {…}}`: catalog versions with their files, assets, keys as
/// hashes, webhook endpoints without their secrets, quotes with every revision, events,
/// links, requests, deliveries with their attempts, counters, and the archived documents as
/// sent, bytes in base64); with documents in an object store, each as
/// `{"table": "archive", "sha256": …, "base64": …}`.
#[utoipa::path(
    tag = "bureaus",
    params(("slug" = String, Path, description = "The bureau's slug")),
    responses(
        (status = 200, description = "Everything the bureau owns, as JSON lines", body = String, content_type = "application/x-ndjson"),
        AuthErrors,
        (status = 404, description = "No such bureau", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/bureaus/{slug}/export")]
pub async fn export_bureau(
    operator: OperatorAuth,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let bureau = state.bureaus.find(&slug).await.map_err(|e| match e {
        BureauError::NotFound(_) => no_such(&slug),
        e => e.into(),
    })?;
    let mut out = String::new();
    let mut line = |value: serde_json::Value| {
        out.push_str(&value.to_string());
        out.push('\n');
    };
    line(json!({"table": "bureau", "row": BureauView::of(&bureau, None)}));
    for (table, rows) in state.bureaus.export_rows(bureau.id).await? {
        for row in rows {
            line(json!({"table": table, "row": row}));
        }
    }
    let archive = state.tenants.archive(bureau.id);
    if !archive.in_database() {
        let hashes = stored_documents(&archive, &state).await?;
        for sha256 in hashes {
            let bytes = read(&archive, &sha256)
                .await
                .map_err(|e| ApiError::Internal(e.into()))?
                .unwrap_or_default();
            line(json!({
                "table": "archive",
                "sha256": sha256,
                "base64": base64::engine::general_purpose::STANDARD.encode(bytes),
            }));
        }
    }
    tracing::info!(operator = %operator.key_id, bureau = %bureau.slug, bytes = out.len(), "bureau exported");
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}-export.ndjson\"", bureau.slug),
        ))
        .body(out))
}

/// Erase a bureau and everything it owns (operator).
///
/// Only a suspended bureau (suspend, export, then erase), never the default bureau: its quotes,
/// events, requests, documents (in the database or the object store), catalog versions,
/// assets, keys, endpoints and deliveries are deleted, and the bureau itself. It cannot be
/// undone.
#[utoipa::path(
    tag = "bureaus",
    params(("slug" = String, Path, description = "The bureau's slug")),
    responses(
        (status = 204, description = "Erased"),
        AuthErrors,
        (status = 404, description = "No such bureau", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not suspended, or the default bureau", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[delete("/bureaus/{slug}")]
pub async fn erase_bureau(
    operator: OperatorAuth,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = state.bureaus.erase(&slug).await.map_err(|e| match e {
        BureauError::NotFound(_) => no_such(&slug),
        e => e.into(),
    })?;
    let archive = state.tenants.archive(id);
    if !archive.in_database() {
        let hashes = stored_documents(&archive, &state).await?;
        for sha256 in hashes {
            archive
                .delete(&sha256)
                .await
                .map_err(|e| ApiError::Internal(e.into()))?;
        }
    }
    state.in_force_here().await?;
    tracing::warn!(operator = %operator.key_id, bureau = %slug, "bureau erased");
    Ok(HttpResponse::NoContent().finish())
}
