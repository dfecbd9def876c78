//! `GET /api/v1/catalog`: the price list in force, public, in one language.

use actix_web::{get, web};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::QueryParams;
use super::problem::ApiError;
use super::responses::{QueryErrors, ServerErrors};
use super::state::AppState;
use crate::catalog::model::{Bureau, Quantity};
use crate::catalog::{Catalog, Language, Rounding, TierDuration, Unit};
use crate::pricing::Money;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CatalogQuery {
    /// The version in force on this date (default: today).
    pub date: Option<NaiveDate>,
    /// Language of the texts (default `nl`).
    pub lang: Option<Language>,
}

/// A catalog version as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogView {
    pub version: String,
    pub valid_from: NaiveDate,
    /// SHA-256 of the catalog file.
    pub hash: String,
    pub language: Language,
    pub bureau: Bureau,
    /// Days a quote stays valid.
    pub validity_days: u32,
    pub rounding: Rounding,
    pub items: Vec<ItemView>,
    pub tiers: Vec<TierView>,
}

/// A line item and its price.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub code: String,
    pub name: String,
    pub description: String,
    pub unit: Unit,
    /// Excl. BTW.
    pub unit_price: Money,
    #[schema(value_type = String, example = "21")]
    pub vat_rate: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_exempt_reason: Option<String>,
}

/// A package tier.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierView {
    pub code: String,
    pub name: String,
    pub description: String,
    /// Months, or absent for the tier that runs until the end of the waiting period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    pub until_waiting_period_end: bool,
    /// Price for the standard composition, excl. BTW.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle_price: Option<Money>,
    pub phases: Vec<String>,
    pub components: Vec<ComponentView>,
}

/// An item in a tier with its quantity rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentView {
    pub item: String,
    /// `fixed`, `per_month` or `hours_per_month`.
    pub quantity_kind: String,
    /// For `fixed` and `per_month`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub quantity: Option<Decimal>,
    /// For `hours_per_month`: hours by intensity.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub hours_per_month: Option<std::collections::BTreeMap<String, Decimal>>,
}

impl CatalogView {
    pub fn new(catalog: &Catalog, language: Language) -> CatalogView {
        let items = catalog
            .items
            .iter()
            .map(|item| {
                let vat = catalog.vat_category(&item.vat);
                ItemView {
                    code: item.code.clone(),
                    name: item.name.get(language).into(),
                    description: item.description.get(language).into(),
                    unit: item.unit,
                    unit_price: Money::round(item.unit_price),
                    vat_rate: vat.rate.normalize(),
                    vat_exempt_reason: vat.exempt_reason.as_ref().map(|r| r.get(language).into()),
                }
            })
            .collect();
        let tiers = catalog
            .tiers
            .iter()
            .map(|tier| TierView {
                code: tier.code.clone(),
                name: tier.name.get(language).into(),
                description: tier.description.get(language).into(),
                months: match tier.duration {
                    TierDuration::Months(m) => Some(m),
                    TierDuration::UntilWaitingPeriodEnd => None,
                },
                until_waiting_period_end: tier.duration == TierDuration::UntilWaitingPeriodEnd,
                bundle_price: tier.bundle_price.map(Money::round),
                phases: tier.phases.iter().map(|p| p.get(language).into()).collect(),
                components: tier
                    .lines
                    .iter()
                    .map(|c| {
                        let (kind, quantity, hours) = match &c.quantity {
                            Quantity::Fixed(q) => ("fixed", Some(q.normalize()), None),
                            Quantity::PerMonth(q) => ("per_month", Some(q.normalize()), None),
                            Quantity::HoursPerMonth(h) => (
                                "hours_per_month",
                                None,
                                Some(
                                    h.iter()
                                        .map(|(k, v)| (k.as_str().to_string(), v.normalize()))
                                        .collect(),
                                ),
                            ),
                        };
                        ComponentView {
                            item: c.item.clone(),
                            quantity_kind: kind.into(),
                            quantity,
                            hours_per_month: hours,
                        }
                    })
                    .collect(),
            })
            .collect();
        CatalogView {
            version: catalog.version.clone(),
            valid_from: catalog.valid_from,
            hash: catalog.hash.clone(),
            language,
            bureau: catalog.bureau.clone(),
            validity_days: catalog.settings.validity_days,
            rounding: catalog.settings.rounding,
            items,
            tiers,
        }
    }
}

/// The catalog in force: tiers, items, prices and texts.
///
/// Public: bureau websites may show it. With `date`, the version valid on that date.
#[utoipa::path(
    tag = "catalog",
    params(CatalogQuery),
    responses(
        (status = 200, description = "The catalog version in force on the date", body = CatalogView),
        (status = 404, description = "No catalog version is in force on that date", body = super::problem::Problem, content_type = "application/problem+json"),
        QueryErrors,
        ServerErrors,
    ),
    security(())
)]
#[get("/catalog")]
pub async fn get_catalog(
    state: web::Data<AppState>,
    query: QueryParams<CatalogQuery>,
) -> Result<web::Json<CatalogView>, ApiError> {
    let query = query.0;
    let date = query.date.unwrap_or_else(super::state::today);
    let catalog = state.catalogs.in_force(date).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no catalog version is in force on {date}; the earliest is valid from {}",
            state.catalogs.earliest()
        ))
    })?;
    Ok(web::Json(CatalogView::new(
        catalog,
        query.lang.unwrap_or_default(),
    )))
}
