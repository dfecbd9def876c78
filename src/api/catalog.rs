//! `GET /api/v1/catalog`: the price list in force, public, in one language.

use actix_web::{get, web};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::PublicBureau;
use super::errors::selection_refused;
use super::extract::QueryParams;
use super::problem::ApiError;
use super::responses::{QueryErrors, ServerErrors};
use super::state::AppState;
use crate::catalog::model::{Bureau, PeriodCount, Quantity};
use crate::catalog::select::Selection;
use crate::catalog::terms::{PaymentTerms, Portion};
use crate::catalog::{Catalog, DueEvent, Language, Rounding, TierDuration, Unit};
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
    /// For the unit `period`: how many months a period lasts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_months: Option<u32>,
}

/// A package price by the months the tier runs: `start + per_month × months`, at least
/// `at_least`, at most `at_most` (excl. BTW).
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthsPriceView {
    pub start: Money,
    pub per_month: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_least: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_most: Option<Money>,
}

/// One instalment of a payment schedule as the catalog states it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstalmentView {
    /// The event it falls due after (plus the payment term).
    pub on: DueEvent,
    /// For `after_months`: after how many months.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// A share of the quote in percent (of what the fixed amounts leave).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "50")]
    pub share: Option<Decimal>,
    /// A fixed amount excl. BTW.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// When what is invoiced.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    /// Days between the due event and the payment date.
    pub term_days: u32,
    pub instalments: Vec<InstalmentView>,
}

/// The fee due only on placement (not part of the package price).
#[derive(Debug, Serialize, ToSchema)]
pub struct SuccessFeeView {
    /// The item priced (see `items`).
    pub item: String,
    #[schema(value_type = String, example = "1")]
    pub quantity: Decimal,
    /// When it is due, in words.
    pub condition: String,
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
    /// The package price by the months the tier runs (instead of `bundle_price`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle_by_months: Option<MonthsPriceView>,
    /// The least this tier costs excl. BTW; a lower sum is topped up on a line of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_price: Option<Money>,
    pub phases: Vec<String>,
    pub components: Vec<ComponentView>,
    /// When what is invoiced for this tier.
    pub payment: PaymentView,
    /// The fee due only on placement, when the tier has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_fee: Option<SuccessFeeView>,
}

/// An item in a tier with its quantity rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentView {
    pub item: String,
    /// `fixed`, `per_month`, `hours_per_month` or `per_period` (`quantity` for each period of
    /// the item's `period_months`, counted as `periods` says).
    pub quantity_kind: String,
    /// For `fixed`, `per_month` and `per_period`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub quantity: Option<Decimal>,
    /// For `hours_per_month`: hours by intensity.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub hours_per_month: Option<std::collections::BTreeMap<String, Decimal>>,
    /// For `per_period`: `begun` (every period begun counts) or `whole` (whole periods only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "begun")]
    pub periods: Option<String>,
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
                    period_months: item.period_months,
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
                bundle_by_months: tier.bundle_by_months.map(|p| MonthsPriceView {
                    start: Money::round(p.start),
                    per_month: Money::round(p.per_month),
                    at_least: p.at_least.map(Money::round),
                    at_most: p.at_most.map(Money::round),
                }),
                minimum_price: tier.minimum_price.map(Money::round),
                phases: tier.phases.iter().map(|p| p.get(language).into()).collect(),
                payment: payment_view(catalog.payment_for(tier), language),
                success_fee: catalog.success_fee_for(tier).map(|fee| SuccessFeeView {
                    item: fee.item.clone(),
                    quantity: fee.quantity.normalize(),
                    condition: fee.condition.get(language).into(),
                }),
                components: tier
                    .lines
                    .iter()
                    .map(|c| {
                        let (kind, quantity, hours) = match &c.quantity {
                            Quantity::Fixed(q) if c.periods.is_some() => {
                                ("per_period", Some(q.normalize()), None)
                            }
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
                            periods: c.periods.map(|p| {
                                match p {
                                    PeriodCount::Begun => "begun",
                                    PeriodCount::Whole => "whole",
                                }
                                .into()
                            }),
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

fn payment_view(terms: &PaymentTerms, language: Language) -> PaymentView {
    PaymentView {
        term_days: terms.term_days,
        instalments: terms
            .instalments
            .iter()
            .map(|i| {
                let (share, amount) = match i.portion {
                    Portion::Share(share) => (Some(share.normalize()), None),
                    Portion::Amount(amount) => (None, Some(Money::round(amount))),
                };
                InstalmentView {
                    on: i.on,
                    months: i.months,
                    share,
                    amount,
                    label: i.label.as_ref().map(|l| l.get(language).into()),
                }
            })
            .collect(),
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
        QueryErrors,
        ServerErrors,
    ),
    security(())
)]
#[get("/catalog")]
pub async fn get_catalog(
    bureau: PublicBureau,
    state: web::Data<AppState>,
    query: QueryParams<CatalogQuery>,
) -> Result<web::Json<CatalogView>, ApiError> {
    let query = query.0;
    let selection = Selection::InForce(query.date.unwrap_or_else(|| state.today()));
    let catalogs = bureau.tenant.catalogs();
    let catalog = catalogs
        .select(&selection)
        .map_err(|e| selection_refused("date", e))?;
    Ok(web::Json(CatalogView::new(
        catalog,
        query.lang.unwrap_or_default(),
    )))
}
