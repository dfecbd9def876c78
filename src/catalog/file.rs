//! The catalog file format (TOML), exactly as a catalog owner writes it. Every struct refuses
//! unknown keys, so a typo is reported instead of silently ignored. `super::load` turns these
//! into the validated [`super::model`] types.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

use super::model::{PeriodCount, Rounding, Unit};
use super::terms::{DueEvent, Owed};
use super::vocabulary::Text;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    pub version: String,
    pub valid_from: toml::value::Datetime,
    pub bureau: BureauFile,
    pub quote: QuoteFile,
    pub vat: BTreeMap<String, VatFile>,
    #[serde(default)]
    pub items: Vec<ItemFile>,
    #[serde(default)]
    pub tiers: Vec<TierFile>,
    #[serde(default)]
    pub tier_rules: Vec<TierRuleFile>,
    #[serde(default)]
    pub line_rules: Vec<LineRuleFile>,
    /// The payment schedule of every tier without its own.
    pub payment: Option<PaymentFile>,
    pub early_end: Option<EarlyEndFile>,
    /// The success fee of every tier without its own.
    pub success_fee: Option<SuccessFeeFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BureauFile {
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub kvk: String,
    pub btw_number: String,
    pub iban: String,
    pub email: String,
    pub phone: String,
    pub website: Option<String>,
    pub logo: Option<String>,
    pub primary_colour: Option<String>,
    pub accent_colour: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteFile {
    pub validity_days: u32,
    pub rounding: Rounding,
    pub adjustment_vat: String,
    pub discount_name: Text,
    pub surcharge_name: Text,
    pub minimum_name: Option<Text>,
    pub length_cap: Option<bool>,
    pub length_cap_name: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VatFile {
    pub rate: Exact,
    pub exempt_reason: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemFile {
    pub code: String,
    pub name: Text,
    pub description: Text,
    pub unit: Unit,
    pub unit_price: Exact,
    pub vat: String,
    pub period_months: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierFile {
    pub code: String,
    pub name: Text,
    pub description: Text,
    pub months: Option<u32>,
    pub until_waiting_period_end: Option<bool>,
    pub bundle_price: Option<Exact>,
    pub bundle_by_months: Option<MonthsPriceFile>,
    pub minimum_price: Option<Exact>,
    #[serde(default)]
    pub phases: Vec<Text>,
    #[serde(default)]
    pub lines: Vec<ComponentFile>,
    pub payment: Option<PaymentFile>,
    pub success_fee: Option<SuccessFeeFile>,
}

/// `{ start = "1450.00", per_month = "175.00", at_least = "1800.00", at_most = "3550.00" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthsPriceFile {
    pub start: Exact,
    pub per_month: Exact,
    pub at_least: Option<Exact>,
    pub at_most: Option<Exact>,
}

/// `[payment]`: `term_days` and the instalments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentFile {
    pub term_days: Option<u32>,
    pub instalments: Vec<InstalmentFile>,
}

/// `{ on = "start", share = "50" }`, `{ on = "after_months", months = 3, amount = "500" }`,
/// `{ on = "monthly", share = "100", label = { nl = "…", en = "…" } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstalmentFile {
    pub on: DueEvent,
    pub months: Option<u32>,
    pub share: Option<Exact>,
    pub amount: Option<Exact>,
    pub label: Option<Text>,
}

/// `[early_end]`: what is owed of fixed lines and of adjustments when a trajectory ends early.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyEndFile {
    pub fixed: Option<Owed>,
    pub adjustments: Option<Owed>,
}

/// `{ item = "plaatsing", quantity = "1", condition = { nl = "…", en = "…" } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuccessFeeFile {
    pub item: String,
    pub quantity: Option<Exact>,
    pub condition: Text,
}

/// `{ item = "intake", fixed = "1" }`, `{ item = "bemiddeling", per_month = "1" }`,
/// `{ item = "coaching", hours_per_month = { light = "2", standard = "3", intensive = "5" } }`
/// or, for an item priced per period, `{ item = "periode", per_period = "1", periods = "begun" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentFile {
    pub item: String,
    pub fixed: Option<Exact>,
    pub per_month: Option<Exact>,
    pub hours_per_month: Option<HoursFile>,
    pub per_period: Option<Exact>,
    pub periods: Option<PeriodCount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursFile {
    pub light: Exact,
    pub standard: Exact,
    pub intensive: Exact,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRuleFile {
    pub id: String,
    pub when: Option<ConditionFile>,
    pub tier: String,
    pub reason: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRuleFile {
    pub id: String,
    pub group: String,
    pub when: Option<ConditionFile>,
    #[serde(default)]
    pub add: Vec<ComponentFile>,
    #[serde(default)]
    pub scale: Vec<ScaleFile>,
    pub reason: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleFile {
    pub item: String,
    pub factor: Exact,
}

/// One node of a condition: exactly one of `all`, `any`, `not`, or a leaf (`field` with one of
/// `equals`, `in`, `at_least`, `at_most`; `at_least` and `at_most` may be combined).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionFile {
    pub all: Option<Vec<ConditionFile>>,
    pub any: Option<Vec<ConditionFile>>,
    pub not: Option<Box<ConditionFile>>,
    pub field: Option<String>,
    pub equals: Option<ValueFile>,
    #[serde(rename = "in")]
    pub in_: Option<Vec<ValueFile>>,
    pub at_least: Option<u32>,
    pub at_most: Option<u32>,
}

/// A value in a leaf: a word (`"job_ready"`) or a whole number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ValueFile {
    Text(String),
    Number(u32),
}

/// An exact decimal: written as a string (`"89.50"`) or a whole number (`395`). TOML floats
/// are refused, because `0.1` in a float is not 0.1 and prices must be exact.
#[derive(Debug, Clone, Copy)]
pub struct Exact(pub Decimal);

impl<'de> Deserialize<'de> for Exact {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Exact;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an exact amount as a string such as \"89.50\", or a whole number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Exact, E> {
                v.trim()
                    .parse::<Decimal>()
                    .map(Exact)
                    .map_err(|_| E::custom(format!("`{v}` is not a decimal number")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Exact, E> {
                Ok(Exact(Decimal::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Exact, E> {
                Ok(Exact(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Exact, E> {
                Err(E::custom(format!(
                    "{v} is a floating-point number; write amounts as strings (\"{v}\") so they stay exact"
                )))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}
