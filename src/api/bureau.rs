//! A bureau's own settings, for its admin: the sender and reply-to address of its e-mail, the
//! website origins its form may be used from, and the days before a validity ends that the one
//! reminder goes out. Unset values fall back to the deployment's settings.

use actix_web::{get, patch, web};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::auth::{AdminRole, Auth};
use super::extract::{JsonBytes, parse_json};
use super::problem::ApiError;
use super::responses::{AuthErrors, BodyErrors, ServerErrors};
use super::state::AppState;
use crate::bureaus::model::{Bureau, SettingsChange};

/// The key's bureau and its settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct BureauSettingsView {
    #[schema(example = "noord")]
    pub slug: String,
    #[schema(example = "Re-integratie Noord B.V.")]
    pub name: String,
    #[schema(example = "RN")]
    pub number_prefix: String,
    /// The sender of its e-mail; none: the deployment's `mail_from`, else the catalog's address.
    #[schema(example = "Re-integratie Noord <offertes@noord.example>")]
    pub mail_from: Option<String>,
    /// Where employers' replies go; none: the bureau's address in its catalog.
    #[schema(example = "verkoop@noord.example")]
    pub reply_to: Option<String>,
    /// The website origins whose pages may call the API (CORS), e.g. for the quote form.
    #[schema(example = json!(["https://www.noord.example"]))]
    pub origins: Vec<String>,
    /// Days before a sent quote's validity ends that the reminder goes out (0: none); none:
    /// the deployment's `reminder_days`.
    pub reminder_days: Option<u32>,
}

impl From<&Bureau> for BureauSettingsView {
    fn from(bureau: &Bureau) -> Self {
        BureauSettingsView {
            slug: bureau.slug.clone(),
            name: bureau.name.clone(),
            number_prefix: bureau.number_prefix.clone(),
            mail_from: bureau.settings.mail_from.clone(),
            reply_to: bureau.settings.reply_to.clone(),
            origins: bureau.settings.origins.clone(),
            reminder_days: bureau.settings.reminder_days,
        }
    }
}

/// A change: a field left out stays as it is, `null` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BureauSettingsChange {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub mail_from: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub reply_to: Option<Option<String>>,
    pub origins: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u32>)]
    pub reminder_days: Option<Option<u32>>,
}

/// A field that is present: `Some(None)` for `null`, `Some(Some(value))` for a value.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// The key's bureau and its settings (admin).
#[utoipa::path(
    tag = "bureaus",
    responses(
        (status = 200, description = "The bureau's settings", body = BureauSettingsView),
        AuthErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/bureau")]
pub async fn get_bureau(auth: Auth<AdminRole>) -> web::Json<BureauSettingsView> {
    web::Json(BureauSettingsView::from(&auth.tenant.bureau))
}

/// Change the key's bureau's settings (admin).
///
/// Every value is checked and each refusal names its field; in force at once on this instance
/// and within seconds on the others.
#[utoipa::path(
    tag = "bureaus",
    request_body(content = BureauSettingsChange, content_type = "application/json", example = json!({
        "mail_from": "Re-integratie Noord <offertes@noord.example>",
        "origins": ["https://www.noord.example"],
        "reminder_days": 5
    })),
    responses(
        (status = 200, description = "The settings as they are now", body = BureauSettingsView),
        AuthErrors, BodyErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[patch("/bureau")]
pub async fn change_bureau(
    auth: Auth<AdminRole>,
    state: web::Data<AppState>,
    body: JsonBytes,
) -> Result<web::Json<BureauSettingsView>, ApiError> {
    let body: BureauSettingsChange = parse_json(&body.0)?;
    let change = SettingsChange {
        mail_from: body.mail_from,
        reply_to: body.reply_to,
        origins: body.origins,
        reminder_days: body.reminder_days,
    };
    let bureau = state
        .bureaus
        .change_settings(&auth.tenant.bureau, change)
        .await?;
    state.in_force_here().await?;
    Ok(web::Json(BureauSettingsView::from(&bureau)))
}
