//! Catalog versions published through the API and kept in the database: publish (admin), a dry
//! run with the price differences (finance), the list, one version's file, and withdrawing a
//! version not yet in force (admin). See `publishing` for the rules.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::{AdminRole, Auth, FinanceRole};
use super::extract::{ImageBytes, QueryParams, TomlText};
use super::problem::ApiError;
use super::responses::{AuthErrors, BodyErrors, ConflictError, NotFoundError, ServerErrors};
use super::state::AppState;
use crate::access::Role;
use crate::catalog::Language;
use crate::exports::catalog_diff::{self, CatalogDiff};
use crate::pricing::{FieldError, InputError};
use crate::publishing::PublishError;
use crate::publishing::model::{AssetInfo, VersionInfo};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishQuery {
    /// Check the file and show the price differences against the version in force on its
    /// `valid_from`; nothing is stored (role `finance` or `admin`).
    #[serde(default)]
    pub dry_run: bool,
    /// The language of the differences' texts (default `nl`).
    pub lang: Option<Language>,
}

/// What a dry run found: the version the file would be, and its price differences.
#[derive(Debug, Serialize, ToSchema)]
pub struct DryRun {
    #[schema(example = "2025.1")]
    pub version: String,
    pub valid_from: chrono::NaiveDate,
    pub sha256: String,
    /// Against the version in force on `valid_from` (absent when none is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<CatalogDiff>,
}

/// Publish a catalog version (or, with `dry_run=true`, check it and see its price changes).
///
/// The body is the catalog file exactly as in `pricing/` (`Content-Type: application/toml`). It
/// gets every check `offerte catalog check` makes, against the stored versions (overlaps,
/// unreachable rules, the logo among the stored assets), and its `valid_from` may not lie before
/// today. A refused file is a 422 listing every problem by its key path; nothing is stored. A
/// published version never changes; it prices on every instance within seconds and takes effect
/// at 00:00 Europe/Amsterdam on its `valid_from`. Two publishes of one name or `valid_from`: one
/// wins, the other gets a 409. Publishing needs `admin`; a dry run `finance`.
#[utoipa::path(
    tag = "catalog",
    params(PublishQuery),
    request_body(content = String, content_type = "application/toml", description = "The catalog file"),
    responses(
        (status = 201, description = "Published; `Location` names it", body = VersionInfo,
         headers(("Location" = String, description = "/api/v1/catalog/versions/{version}"))),
        (status = 200, description = "Dry run: checked, nothing stored", body = DryRun),
        AuthErrors, BodyErrors, ConflictError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/catalog/versions")]
pub async fn publish_version(
    auth: Auth<FinanceRole>,
    state: web::Data<AppState>,
    query: QueryParams<PublishQuery>,
    file: TomlText,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    if query.dry_run {
        let checked = auth.tenant.publisher.check(&file.0).await?;
        let current = auth.tenant.catalogs();
        let new = checked.version.clone();
        let diff = match current.in_force(new.valid_from).cloned() {
            Some(old) => {
                let language = query.lang.unwrap_or_default();
                let new_set = checked.set.clone();
                let diff = web::block(move || {
                    catalog_diff::diff(&current, &old, &new_set, &new, language)
                })
                .await
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("diff task: {e}")))??;
                Some(diff)
            }
            None => None,
        };
        return Ok(HttpResponse::Ok().json(DryRun {
            version: checked.version.version.clone(),
            valid_from: checked.version.valid_from,
            sha256: checked.sha256,
            diff,
        }));
    }
    if auth.caller.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "publishing a catalog version needs an admin key",
        ));
    }
    let published = auth
        .tenant
        .publisher
        .publish(&file.0, &auth.caller.key_id)
        .await?;
    state.in_force_here().await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/catalog/versions/{}", published.version),
        ))
        .json(published))
}

/// Every stored catalog version, oldest first: `valid_from`, SHA-256, who published it and
/// when, and whether it is in force, in the future or past.
#[utoipa::path(
    tag = "catalog",
    responses((status = 200, description = "The versions", body = Vec<VersionInfo>), AuthErrors, ServerErrors),
    security(("api_key" = []))
)]
#[get("/catalog/versions")]
pub async fn list_versions(
    auth: Auth<FinanceRole>,
) -> Result<web::Json<Vec<VersionInfo>>, ApiError> {
    Ok(web::Json(auth.tenant.publisher.list().await?))
}

/// One catalog version: with `Accept: application/toml` its file byte for byte, else its
/// metadata as JSON.
#[utoipa::path(
    tag = "catalog",
    params(("version" = String, Path, description = "The version's name, e.g. 2025.1")),
    responses(
        (status = 200, description = "The version",
         content((VersionInfo = "application/json"), (String = "application/toml"))),
        AuthErrors, NotFoundError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/catalog/versions/{version}")]
pub async fn get_version(
    auth: Auth<FinanceRole>,
    req: HttpRequest,
    version: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (stored, info) = auth.tenant.publisher.get(&version).await?;
    let wants_toml = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/toml"));
    if wants_toml {
        return Ok(HttpResponse::Ok()
            .content_type("application/toml")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", stored.file_name()),
            ))
            .insert_header(("x-catalog-sha256", stored.sha256.clone()))
            .body(stored.source));
    }
    Ok(HttpResponse::Ok().json(info))
}

/// Withdraw a catalog version that is not yet in force (a 409 for one in force or past: the
/// prices quoted with it stand).
#[utoipa::path(
    tag = "catalog",
    params(("version" = String, Path, description = "The version's name")),
    responses(
        (status = 204, description = "Withdrawn"),
        AuthErrors, NotFoundError, ConflictError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[delete("/catalog/versions/{version}")]
pub async fn withdraw_version(
    auth: Auth<AdminRole>,
    state: web::Data<AppState>,
    version: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.tenant.publisher.withdraw(&version).await?;
    state.in_force_here().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Store a catalog asset (the logo a version names) under `name`.
///
/// Checked as the catalog check checks a logo (PNG, JPEG or SVG, at most 512 KiB) and kept by
/// its SHA-256; an asset never changes: the same bytes again answer 200, other bytes under a
/// stored name a 409 (publish it under a new name and name that in the next version).
#[utoipa::path(
    tag = "catalog",
    params(("name" = String, Path, description = "The asset's name, e.g. logo-2025.svg")),
    request_body(content = Vec<u8>, content_type = "image/svg+xml", description = "The image (also image/png, image/jpeg)"),
    responses(
        (status = 201, description = "Stored", body = AssetInfo),
        (status = 200, description = "Stored before, with these bytes", body = AssetInfo),
        AuthErrors, BodyErrors, ConflictError, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[put("/catalog/assets/{name}")]
pub async fn put_asset(
    auth: Auth<AdminRole>,
    state: web::Data<AppState>,
    name: web::Path<String>,
    image: ImageBytes,
) -> Result<HttpResponse, ApiError> {
    let (asset, created) = auth
        .tenant
        .publisher
        .publish_asset(&name, image.0.to_vec(), &auth.caller.key_id)
        .await?;
    state.in_force_here().await?;
    Ok(if created {
        HttpResponse::Created().json(asset)
    } else {
        HttpResponse::Ok().json(asset)
    })
}

impl From<PublishError> for ApiError {
    fn from(error: PublishError) -> Self {
        match error {
            PublishError::Invalid(problems) => {
                let errors = problems
                    .into_iter()
                    .map(|p| FieldError {
                        field: if p.path.is_empty() {
                            "body".into()
                        } else {
                            p.path
                        },
                        code: "catalog".into(),
                        message: p.message,
                    })
                    .collect();
                ApiError::Invalid(InputError { errors })
            }
            e @ PublishError::InThePast(_) => {
                ApiError::Invalid(InputError::one("valid_from", "in_the_past", e.to_string()))
            }
            PublishError::BadAsset(field, message) => {
                ApiError::Invalid(InputError::one(field, "asset", message))
            }
            e @ (PublishError::Taken
            | PublishError::NotWithdrawable(_)
            | PublishError::AssetTaken(_)) => ApiError::conflict(e.to_string()),
            e @ PublishError::NotFound(_) => ApiError::NotFound(e.to_string()),
            PublishError::Storage(e) => e.into(),
        }
    }
}
