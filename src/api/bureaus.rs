//! Bureaus for the operator of a deployment (key from `operator_keys`): make one, list them
//! with what each did in a month, suspend and resume; and a bureau's API keys, managed by the
//! operator or by the bureau's own admin.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::{Manager, OperatorAuth};
use super::extract::{JsonBytes, QueryParams, parse_json};
use super::problem::{ApiError, Problem};
use super::responses::{AuthErrors, BodyErrors, QueryErrors, ServerErrors};
use super::state::AppState;
use crate::access::Role;
use crate::bureaus::error::BureauError;
use crate::bureaus::model::shown_slug;
use crate::bureaus::model::{Bureau, BureauStatus, StoredKey, Usage};
use crate::pricing::InputError;

/// A bureau as the operator sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BureauView {
    #[schema(example = "reintegratie-noord")]
    pub slug: String,
    #[schema(example = "Re-integratie Noord B.V.")]
    pub name: String,
    /// Its quote numbers read `PREFIX-YEAR-SEQUENCE`, one gapless series per year.
    #[schema(example = "RN")]
    pub number_prefix: String,
    /// `active` or `suspended`.
    #[schema(example = "active")]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub status_changed_at: Option<DateTime<Utc>>,
    /// What it did in the month asked for (the list only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageView>,
}

/// What a bureau did in a month (UTC): what an operator bills by.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    #[schema(example = "2026-12")]
    pub month: String,
    /// Quotes made (first revisions).
    pub quotes_created: i64,
    /// Quotes moved to `sent`.
    pub quotes_sent: i64,
    /// Quotes moved to `accepted`.
    pub quotes_accepted: i64,
    /// Quote requests from the website form.
    pub requests: i64,
}

impl BureauView {
    pub(super) fn of(bureau: &Bureau, usage: Option<(NaiveDate, Usage)>) -> BureauView {
        BureauView {
            slug: bureau.slug.clone(),
            name: bureau.name.clone(),
            number_prefix: bureau.number_prefix.clone(),
            status: bureau.status.as_str().to_string(),
            created_at: bureau.created_at,
            status_changed_at: bureau.status_changed_at,
            usage: usage.map(|(month, u)| UsageView {
                month: month.format("%Y-%m").to_string(),
                quotes_created: u.quotes_created,
                quotes_sent: u.quotes_sent,
                quotes_accepted: u.quotes_accepted,
                requests: u.requests,
            }),
        }
    }
}

/// A bureau to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBureauBody {
    /// 2 to 40 lowercase letters, digits and dashes; its name in URLs. Never changes.
    #[schema(example = "reintegratie-noord")]
    pub slug: String,
    #[schema(example = "Re-integratie Noord B.V.")]
    pub name: String,
    /// 1 to 12 capital letters or digits.
    #[schema(example = "RN")]
    pub number_prefix: String,
}

impl From<BureauError> for ApiError {
    fn from(e: BureauError) -> ApiError {
        match e {
            BureauError::Invalid(e) => ApiError::Invalid(e),
            e @ BureauError::SlugTaken(_) => ApiError::conflict(e.to_string()),
            e @ (BureauError::EndpointTaken(_) | BureauError::NotErasable(_)) => {
                ApiError::conflict(e.to_string())
            }
            e @ (BureauError::NotFound(_)
            | BureauError::KeyNotFound(_)
            | BureauError::EndpointNotFound(_)) => ApiError::NotFound(e.to_string()),
            BureauError::Storage(e) => ApiError::Internal(e.into()),
        }
    }
}

/// Make a bureau (operator).
///
/// The bureau starts active, with no key (make its admin key next:
/// `POST /api/v1/bureaus/{slug}/api-keys`) and with the deployment's catalog folder as its
/// catalog until it publishes its own versions.
#[utoipa::path(
    tag = "bureaus",
    request_body(content = NewBureauBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Made", body = BureauView),
        AuthErrors, BodyErrors,
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/bureaus")]
pub async fn create_bureau(
    operator: OperatorAuth,
    state: web::Data<AppState>,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: NewBureauBody = parse_json(&body.0)?;
    let bureau = state
        .bureaus
        .create(&body.slug, &body.name, &body.number_prefix)
        .await?;
    tracing::info!(operator = %operator.key_id, bureau = %bureau.slug, "bureau made");
    state.in_force_here().await?;
    Ok(HttpResponse::Created().json(BureauView::of(&bureau, None)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BureauListQuery {
    /// The month whose counts to show, `YYYY-MM` (default: this month).
    #[param(example = "2026-12")]
    pub month: Option<String>,
}

/// List the bureaus with what each did in a month (operator).
#[utoipa::path(
    tag = "bureaus",
    params(BureauListQuery),
    responses(
        (status = 200, description = "Every bureau, the default first", body = [BureauView]),
        AuthErrors, QueryErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/bureaus")]
pub async fn list_bureaus(
    _operator: OperatorAuth,
    state: web::Data<AppState>,
    query: QueryParams<BureauListQuery>,
) -> Result<web::Json<Vec<BureauView>>, ApiError> {
    let month = match query.0.month.as_deref() {
        None => state.today(),
        Some(text) => {
            NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").map_err(|_| {
                ApiError::BadRequest(InputError::one(
                    "month",
                    "invalid_month",
                    "a month as YYYY-MM",
                ))
            })?
        }
    };
    let listed = state.bureaus.list(month).await?;
    Ok(web::Json(
        listed
            .iter()
            .map(|(b, usage)| BureauView::of(b, Some((month, *usage))))
            .collect(),
    ))
}

/// Suspend a bureau (operator): its keys answer 403, its form and online links say to contact
/// the bureau. Nothing is deleted; resume undoes it.
#[utoipa::path(
    tag = "bureaus",
    params(("slug" = String, Path, description = "The bureau's slug")),
    responses(
        (status = 200, description = "The bureau, suspended", body = BureauView),
        AuthErrors,
        (status = 404, description = "No such bureau", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/bureaus/{slug}/suspend")]
pub async fn suspend_bureau(
    _operator: OperatorAuth,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<web::Json<BureauView>, ApiError> {
    set_status(&state, &slug, BureauStatus::Suspended).await
}

/// Resume a suspended bureau (operator).
#[utoipa::path(
    tag = "bureaus",
    params(("slug" = String, Path, description = "The bureau's slug")),
    responses(
        (status = 200, description = "The bureau, active", body = BureauView),
        AuthErrors,
        (status = 404, description = "No such bureau", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/bureaus/{slug}/resume")]
pub async fn resume_bureau(
    _operator: OperatorAuth,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<web::Json<BureauView>, ApiError> {
    set_status(&state, &slug, BureauStatus::Active).await
}

async fn set_status(
    state: &AppState,
    slug: &str,
    status: BureauStatus,
) -> Result<web::Json<BureauView>, ApiError> {
    if slug == "default" && status == BureauStatus::Suspended {
        return Err(ApiError::conflict(
            "the default bureau cannot be suspended: the settings' keys and the form without a key belong to it",
        ));
    }
    let bureau = state
        .bureaus
        .set_status(slug, status)
        .await
        .map_err(|e| match e {
            BureauError::NotFound(_) => {
                ApiError::NotFound(format!("no bureau `{}`", shown_slug(slug)))
            }
            e => e.into(),
        })?;
    state.in_force_here().await?;
    Ok(web::Json(BureauView::of(&bureau, None)))
}

/// A key to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyBody {
    /// `sales`, `finance`, `admin`, or `public` (safe in a web page: it only submits quote
    /// requests and reads the public catalog).
    #[schema(example = "sales")]
    pub role: String,
    /// Whose key it is, for people.
    #[schema(example = "Sales desk, Groningen")]
    pub label: Option<String>,
    /// When it stops working; none: until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A key as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyView {
    pub id: Uuid,
    #[schema(example = "sales")]
    pub role: String,
    pub label: Option<String>,
    /// The short id events record as the key that acted.
    #[schema(example = "3f2a9c01b7e4")]
    pub key_id: String,
    pub created_at: DateTime<Utc>,
    /// The key id of who made it.
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&StoredKey> for KeyView {
    fn from(key: &StoredKey) -> KeyView {
        KeyView {
            id: key.id,
            role: key.role.as_str().to_string(),
            label: key.label.clone(),
            key_id: key.key_id(),
            created_at: key.created_at,
            created_by: key.created_by.clone(),
            expires_at: key.expires_at,
            revoked_at: key.revoked_at,
        }
    }
}

/// A key just made: its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct MadeKeyView {
    /// The secret: send it as `Authorization: Bearer <key>`. Only its hash is kept.
    #[schema(example = "ofk_5d0c...")]
    pub key: String,
    #[serde(flatten)]
    pub info: KeyView,
}

/// Make an API key of a bureau (operator, or the bureau's admin).
#[utoipa::path(
    tag = "bureaus",
    params(("slug" = String, Path, description = "The bureau's slug")),
    request_body(content = NewKeyBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Made; the secret is in `key`, shown this once", body = MadeKeyView),
        AuthErrors, BodyErrors,
        (status = 404, description = "No such bureau", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/bureaus/{slug}/api-keys")]
pub async fn create_key(
    manager: Manager,
    state: web::Data<AppState>,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let body: NewKeyBody = parse_json(&body.0)?;
    let role = Role::parse(&body.role)
        .filter(|r| *r != Role::Operator)
        .ok_or_else(|| {
            ApiError::Invalid(InputError::one(
                "role",
                "unknown_role",
                "one of sales, finance, admin, public",
            ))
        })?;
    let made = state
        .bureaus
        .new_key(
            manager.tenant.id(),
            role,
            body.label.as_deref(),
            body.expires_at,
            &manager.key_id,
        )
        .await?;
    state.in_force_here().await?;
    Ok(HttpResponse::Created().json(MadeKeyView {
        key: made.secret,
        info: KeyView::from(&made.key),
    }))
}

/// List a bureau's API keys (operator, or the bureau's admin), oldest first; no secrets.
#[utoipa::path(
    tag = "bureaus",
    params(("slug" = String, Path, description = "The bureau's slug")),
    responses(
        (status = 200, description = "The keys", body = [KeyView]),
        AuthErrors,
        (status = 404, description = "No such bureau", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/bureaus/{slug}/api-keys")]
pub async fn list_keys(
    manager: Manager,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<KeyView>>, ApiError> {
    let keys = state.bureaus.keys(manager.tenant.id()).await?;
    Ok(web::Json(keys.iter().map(KeyView::from).collect()))
}

/// Revoke a bureau's API key for good (operator, or the bureau's admin).
#[utoipa::path(
    tag = "bureaus",
    params(
        ("slug" = String, Path, description = "The bureau's slug"),
        ("id" = Uuid, Path, description = "The key's id"),
    ),
    responses(
        (status = 204, description = "Revoked: it opens nothing from now on"),
        AuthErrors,
        (status = 404, description = "No such bureau, or no such key not yet revoked", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[delete("/bureaus/{slug}/api-keys/{id}")]
pub async fn revoke_key(
    manager: Manager,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&path.1).map_err(|_| {
        ApiError::NotFound(format!("no key `{}` (ids are UUIDs)", shown_slug(&path.1)))
    })?;
    state.bureaus.revoke_key(manager.tenant.id(), id).await?;
    state.in_force_here().await?;
    Ok(HttpResponse::NoContent().finish())
}
