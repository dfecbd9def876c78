//! The result of pricing a case: what the API returns, what a quote freezes, what documents
//! render. Amounts are [`Money`] (JSON strings); rates and quantities are decimal strings.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::money::Money;
use crate::catalog::{DueEvent, Language, Unit};

/// A priced case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Computation {
    pub catalog: CatalogRef,
    pub language: Language,
    /// The date of the quote (it picked the catalog version).
    #[serde(serialize_with = "super::wire::date")]
    pub quote_date: NaiveDate,
    pub tier: ChosenTier,
    /// The line items of the chosen tier, in order; a bundle adjustment comes last.
    pub lines: Vec<Line>,
    pub totals: Totals,
    /// Every eligible tier priced the same way, the chosen one included, shortest first.
    pub alternatives: Vec<Alternative>,
    /// Which rule chose what, and why, in order.
    pub explanation: Vec<Explanation>,
    pub warnings: Vec<Warning>,
    pub timeline: Timeline,
    /// When what is invoiced. The instalments add up to the cent to `totals` (excl. BTW, BTW and
    /// incl. BTW); the one marked `absorbs_rounding` (the last instalment given as a share, for
    /// a monthly schedule its last month) takes the cents the others' rounding leaves.
    /// Empty only in quotes stored before schedules existed.
    #[serde(default)]
    pub payment_schedule: Vec<Instalment>,
    /// What is owed when the trajectory ends early: one row per month of the trajectory, never
    /// falling, the last equal to `totals`. Empty only in quotes stored before it existed.
    #[serde(default)]
    pub early_end: Vec<EarlyEndRow>,
    /// A fee due only when the employee is placed in work. Contingent: not in `totals`, the
    /// payment schedule or the early-end table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_fee: Option<SuccessFee>,
}

/// One instalment of the payment schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Instalment {
    /// What the instalment is for, in the quote's language (e.g. `At the start`, `Month 2 of 6`).
    pub label: String,
    /// The event it falls due after (plus `term_days`).
    pub due: DueEvent,
    /// For `after_months`: after how many months of the trajectory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_months: Option<u32>,
    /// For `monthly`: which month of the trajectory (1 is the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    /// Days between the event and the payment date.
    pub term_days: u32,
    /// The payment date, where the event's date is known (not for `acceptance`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::wire::option_date"
    )]
    pub due_date: Option<NaiveDate>,
    /// The catalog's share of the quote in percent, for an instalment given as a share
    /// (`monthly` instalments show none: their share is spread over the months).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::wire::option_decimal"
    )]
    #[schema(value_type = Option<String>, example = "50")]
    pub share: Option<Decimal>,
    pub excl_vat: Money,
    pub vat: Money,
    pub incl_vat: Money,
    /// True for the one instalment that takes the rounding difference.
    pub absorbs_rounding: bool,
}

/// What is owed if the trajectory ends after `after_month` months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EarlyEndRow {
    /// Months begun when the trajectory ends (1 to the trajectory's months).
    pub after_month: u32,
    pub excl_vat: Money,
    pub vat: Money,
    pub incl_vat: Money,
}

/// The fee due only on placement, priced like a line, with its own BTW.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SuccessFee {
    /// The item code.
    pub code: String,
    pub name: String,
    pub description: String,
    /// When it is due, in the quote's language.
    pub condition: String,
    #[schema(value_type = String, example = "1")]
    #[serde(serialize_with = "super::wire::decimal")]
    pub quantity: Decimal,
    pub unit: Unit,
    pub unit_price: Money,
    /// BTW percentage.
    #[schema(value_type = String, example = "21")]
    #[serde(serialize_with = "super::wire::decimal")]
    pub vat_rate: Decimal,
    /// Excl. BTW.
    pub excl_vat: Money,
    /// The BTW on this fee, rounded on its own (it is invoiced on its own).
    pub vat: Money,
    pub incl_vat: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_exempt_reason: Option<String>,
}

/// The catalog version a computation used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CatalogRef {
    #[schema(example = "2024.1")]
    pub version: String,
    #[serde(serialize_with = "super::wire::date")]
    pub valid_from: NaiveDate,
    /// SHA-256 of the catalog file.
    pub hash: String,
}

/// How the tier was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// A tier rule recommended it.
    Rule,
    /// The recommended tier would run past the waiting period; this is the fallback.
    Fallback,
    /// The salesperson chose it (`tier` in the input).
    Override,
}

/// The tier on the quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChosenTier {
    #[schema(example = "m6")]
    pub code: String,
    pub name: String,
    pub description: String,
    /// Months the trajectory runs (for the until-the-end tier: counted from the start date).
    pub months: u32,
    #[serde(serialize_with = "super::wire::date")]
    pub starts_on: NaiveDate,
    #[serde(serialize_with = "super::wire::date")]
    pub ends_on: NaiveDate,
    /// True for the tier that runs until the end of the waiting period.
    pub until_waiting_period_end: bool,
    pub selected_by: Selection,
    /// The code of the tier the rules recommended (differs from `code` after an override).
    pub recommended: String,
    /// The phases of the trajectory, in plain words.
    pub phases: Vec<String>,
}

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A catalog item.
    Item,
    /// The difference between the bundle price and the sum of the tier's standard parts.
    BundleAdjustment,
    /// What lifts the tier to its minimum price.
    MinimumAdjustment,
    /// What brings the tier down to the price of a tier that runs at least as long.
    LengthCap,
}

/// One line of a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Line {
    /// The item code (for an adjustment: `bundle_adjustment`, `minimum_adjustment` or
    /// `length_cap`).
    pub code: String,
    pub kind: LineKind,
    pub name: String,
    pub description: String,
    #[schema(value_type = String, example = "10.5")]
    #[serde(serialize_with = "super::wire::decimal")]
    pub quantity: Decimal,
    pub unit: Unit,
    /// For the unit `period`: the months of one period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_months: Option<u32>,
    pub unit_price: Money,
    /// BTW percentage.
    #[schema(value_type = String, example = "21")]
    #[serde(serialize_with = "super::wire::decimal")]
    pub vat_rate: Decimal,
    /// Quantity × unit price, rounded to cents, excl. BTW.
    pub amount: Money,
    /// For a BTW-exempt line: the reason printed on the quote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_exempt_reason: Option<String>,
    /// Where the line comes from: `tier`, `rule:<id>`, `option`, `bundle`, `minimum` or
    /// `length_cap`.
    pub source: String,
}

/// The totals of a quote; they add up: `excl_vat` = Σ lines, `vat` = Σ breakdown,
/// `incl_vat` = `excl_vat` + `vat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    pub excl_vat: Money,
    pub vat: Money,
    pub incl_vat: Money,
    /// One entry per BTW rate, highest rate first.
    pub vat_breakdown: Vec<VatLine>,
}

/// The BTW at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VatLine {
    #[schema(value_type = String, example = "21")]
    #[serde(serialize_with = "super::wire::decimal")]
    pub rate: Decimal,
    /// Sum of the lines at this rate, excl. BTW.
    pub base: Money,
    pub vat: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt_reason: Option<String>,
}

/// Another tier, priced the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Alternative {
    pub code: String,
    pub name: String,
    pub months: u32,
    #[serde(serialize_with = "super::wire::date")]
    pub starts_on: NaiveDate,
    #[serde(serialize_with = "super::wire::date")]
    pub ends_on: NaiveDate,
    pub excl_vat: Money,
    pub vat: Money,
    pub incl_vat: Money,
    /// The tier the rules recommended.
    pub recommended: bool,
    /// The tier on the quote.
    pub selected: bool,
}

/// One step of the reasoning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Explanation {
    /// `tier_rule`, `fallback`, `override`, `not_eligible`, `line_rule`, `option`, `bundle`,
    /// `months_left`, `minimum`, `length_cap`, `waiting_period`.
    pub code: String,
    /// The rule that matched, where a rule did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The rule's condition as written, where a rule matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    pub message: String,
}

/// Something unusual that does not stop the quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Warning {
    /// `early_start`, `late_start` or `started_before_quote`.
    pub code: String,
    pub message: String,
}

/// The legal clock of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Timeline {
    #[serde(serialize_with = "super::wire::date")]
    pub first_sick_day: NaiveDate,
    /// The last day of the waiting period used for this quote.
    #[serde(serialize_with = "super::wire::date")]
    pub waiting_period_end: NaiveDate,
    /// First sick day + 104 weeks − 1 day.
    #[serde(serialize_with = "super::wire::date")]
    pub statutory_waiting_period_end: NaiveDate,
    /// True when the input gave a later waiting-period end.
    pub waiting_period_extended: bool,
    /// The week of sickness in which the trajectory starts.
    pub start_week: u32,
    #[serde(serialize_with = "super::wire::date")]
    pub trajectory_starts_on: NaiveDate,
    #[serde(serialize_with = "super::wire::date")]
    pub trajectory_ends_on: NaiveDate,
    /// Whole or partial months from the start to the end of the waiting period.
    pub months_available: u32,
    pub milestones: Vec<Milestone>,
}

/// A moment of the Wet verbetering poortwachter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Milestone {
    pub week: u32,
    #[serde(serialize_with = "super::wire::date")]
    pub date: NaiveDate,
    /// `probleemanalyse`, `plan_van_aanpak`, `ziekmelding_uwv`, `eerstejaarsevaluatie`,
    /// `wia_aanvraag`, `einde_wachttijd`.
    pub code: String,
    pub label: String,
}
