//! What a price change does, before it takes effect: two catalog versions side by side.
//!
//! Every tier of either version is priced under each version's own standard circumstances (see
//! [`super::pricing`]), for the standard case and for each variation (light and intensive
//! guidance, training, retraining): old price, new price, the difference and the percentage, excl.
//! and incl. BTW. A tier in one version only has the other side empty. The item price lists are
//! compared the same way. Pure: the caller reads the two versions (files, or the loaded set).

use anyhow::Result;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::pricing::{Variation, standard_computations};
use super::xlsx::Properties;
use super::{Cell, Column, ExportFormat, Kind, Row, Sheet, word};
use crate::catalog::{Catalog, CatalogSet, Language};
use crate::pricing::{CatalogRef, Computation, Money};

/// How a row changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Unchanged,
    Changed,
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Unchanged => "unchanged",
            Change::Changed => "changed",
            Change::Added => "added",
            Change::Removed => "removed",
        }
    }

    fn of(old: Option<Money>, new: Option<Money>) -> Change {
        match (old, new) {
            (Some(a), Some(b)) if a == b => Change::Unchanged,
            (Some(_), Some(_)) => Change::Changed,
            (None, _) => Change::Added,
            (Some(_), None) => Change::Removed,
        }
    }
}

/// One tier (and variation) in both versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TierDiff {
    /// `light`, `intensive`, `training`, `retraining`; absent for the standard case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variation: Option<String>,
    #[schema(example = "m6")]
    pub tier: String,
    /// The tier's name in the new version (the old one's for a removed tier).
    pub tier_name: String,
    pub change: Change,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_excl_vat: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_excl_vat: Option<Money>,
    /// New minus old, excl. BTW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference: Option<Money>,
    /// The difference in percent of the old price, two decimals (none when the old price is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "4.00")]
    pub percentage: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_incl_vat: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_incl_vat: Option<Money>,
}

/// One item's unit price in both versions, excl. BTW.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ItemDiff {
    #[schema(example = "coaching")]
    pub item: String,
    pub name: String,
    pub change: Change,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_unit_price: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_unit_price: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "4.00")]
    pub percentage: Option<Decimal>,
}

/// Two catalog versions compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CatalogDiff {
    pub old: CatalogRef,
    pub new: CatalogRef,
    pub language: Language,
    /// Every tier, first for the standard case, then per variation.
    pub tiers: Vec<TierDiff>,
    pub items: Vec<ItemDiff>,
}

/// Compares `old` (a version of `old_set`) with `new` (a version of `new_set`).
pub fn diff(
    old_set: &CatalogSet,
    old: &Catalog,
    new_set: &CatalogSet,
    new: &Catalog,
    language: Language,
) -> Result<CatalogDiff> {
    let variations = std::iter::once(None).chain(Variation::all().into_iter().map(Some));
    let mut tiers = Vec::new();
    for variation in variations {
        let before = standard_computations(old_set, old, language, variation)?;
        let after = standard_computations(new_set, new, language, variation)?;
        tiers.extend(tier_rows(&before, &after, variation));
    }
    Ok(CatalogDiff {
        old: reference(old),
        new: reference(new),
        language,
        tiers,
        items: item_rows(old, new, language),
    })
}

fn reference(c: &Catalog) -> CatalogRef {
    CatalogRef {
        version: c.version.clone(),
        valid_from: c.valid_from,
        hash: c.hash.clone(),
    }
}

/// The tiers of the old version in their order, then those only in the new one.
fn tier_rows(
    before: &[Computation],
    after: &[Computation],
    variation: Option<Variation>,
) -> Vec<TierDiff> {
    let mut codes: Vec<&str> = before.iter().map(|c| c.tier.code.as_str()).collect();
    for c in after {
        if !codes.contains(&c.tier.code.as_str()) {
            codes.push(&c.tier.code);
        }
    }
    codes
        .into_iter()
        .map(|code| {
            let old = before.iter().find(|c| c.tier.code == code);
            let new = after.iter().find(|c| c.tier.code == code);
            let (old_excl, new_excl) = (
                old.map(|c| c.totals.excl_vat),
                new.map(|c| c.totals.excl_vat),
            );
            TierDiff {
                variation: variation.map(|v| v.code().to_string()),
                tier: code.to_string(),
                tier_name: new.or(old).map(|c| c.tier.name.clone()).unwrap_or_default(),
                change: Change::of(old_excl, new_excl),
                old_excl_vat: old_excl,
                new_excl_vat: new_excl,
                difference: difference(old_excl, new_excl),
                percentage: percentage(old_excl, new_excl),
                old_incl_vat: old.map(|c| c.totals.incl_vat),
                new_incl_vat: new.map(|c| c.totals.incl_vat),
            }
        })
        .collect()
}

fn item_rows(old: &Catalog, new: &Catalog, language: Language) -> Vec<ItemDiff> {
    let mut codes: Vec<&str> = old.items.iter().map(|i| i.code.as_str()).collect();
    for item in &new.items {
        if !codes.contains(&item.code.as_str()) {
            codes.push(&item.code);
        }
    }
    codes
        .into_iter()
        .map(|code| {
            let (before, after) = (old.item(code), new.item(code));
            let price = |i: Option<&crate::catalog::Item>| i.map(|i| Money::round(i.unit_price));
            let (old_price, new_price) = (price(before), price(after));
            ItemDiff {
                item: code.to_string(),
                name: after
                    .or(before)
                    .map(|i| i.name.get(language).to_string())
                    .unwrap_or_default(),
                change: Change::of(old_price, new_price),
                old_unit_price: old_price,
                new_unit_price: new_price,
                difference: difference(old_price, new_price),
                percentage: percentage(old_price, new_price),
            }
        })
        .collect()
}

fn difference(old: Option<Money>, new: Option<Money>) -> Option<Money> {
    Some(new? - old?)
}

/// (new − old) / old × 100, rounded to two decimals half away from zero.
fn percentage(old: Option<Money>, new: Option<Money>) -> Option<Decimal> {
    let (old, new) = (old?.amount(), new?.amount());
    if old.is_zero() {
        return None;
    }
    let mut percent = ((new - old) * Decimal::ONE_HUNDRED / old)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    percent.rescale(2);
    Some(percent)
}

/// A part of the catalog diff: the table of a CSV.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiffPart {
    /// Every tier, for the standard case and each variation.
    #[default]
    Tiers,
    /// The item price list.
    Items,
}

impl DiffPart {
    pub fn as_str(self) -> &'static str {
        match self {
            DiffPart::Tiers => "tiers",
            DiffPart::Items => "items",
        }
    }
}

impl CatalogDiff {
    /// The download name: `prijsverschil-<old valid_from>-<new valid_from>`, `-prijslijst` for
    /// the items table alone (CSV), then the extension.
    pub fn file_name(&self, format: ExportFormat, part: DiffPart) -> String {
        let suffix = match (format, part) {
            (ExportFormat::Csv, DiffPart::Items) => "-prijslijst",
            _ => "",
        };
        format!(
            "prijsverschil-{}-{}{suffix}.{}",
            self.old.valid_from,
            self.new.valid_from,
            format.extension()
        )
    }

    /// XLSX document properties: both versions, the bureau of the new one.
    pub fn properties(&self, company: &str) -> Properties {
        let versions = format!("{} -> {}", self.old.version, self.new.version);
        Properties {
            title: format!(
                "{} {versions}",
                word(self.language, "Prijsverschil", "Price change")
            ),
            subject: format!(
                "{} {} ({}) {} {} ({})",
                word(self.language, "Prijslijst", "Catalog"),
                self.old.version,
                self.old.valid_from,
                word(self.language, "tegen", "against"),
                self.new.version,
                self.new.valid_from,
            ),
            company: company.to_string(),
            catalog_version: versions,
            custom: vec![
                ("old_catalog_sha256".into(), self.old.hash.clone()),
                ("new_catalog_sha256".into(), self.new.hash.clone()),
            ],
        }
    }

    /// The tables for CSV and XLSX: `tiers` and `items`, by their part names.
    pub fn tables(&self) -> Vec<(&'static str, Sheet, Vec<Row>)> {
        let language = self.language;
        let w = |nl, en| word(language, nl, en);
        let money = |m: Option<Money>| m.map_or(Cell::Empty, Cell::Money);
        let number = |d: Option<Decimal>| d.map_or(Cell::Empty, Cell::Number);
        let amount = |key: &str, nl, en| Column::new(key, w(nl, en), Kind::Money, 16.0);
        let tiers = Sheet {
            name: w("Pakketten", "Tiers").into(),
            columns: vec![
                Column::new("variation", w("Variant", "Variation"), Kind::Text, 12.0),
                Column::new("tier", w("Pakket", "Tier"), Kind::Text, 10.0),
                Column::new("tier_name", w("Pakketnaam", "Tier name"), Kind::Text, 34.0),
                Column::new("change", w("Wijziging", "Change"), Kind::Text, 11.0),
                amount("old_excl_vat", "Oud excl. btw", "Old excl. VAT"),
                amount("new_excl_vat", "Nieuw excl. btw", "New excl. VAT"),
                amount("difference", "Verschil", "Difference"),
                Column::new(
                    "percentage",
                    w("Verschil %", "Change %"),
                    Kind::Percentage,
                    11.0,
                ),
                amount("old_incl_vat", "Oud incl. btw", "Old incl. VAT"),
                amount("new_incl_vat", "Nieuw incl. btw", "New incl. VAT"),
            ],
        };
        let tier_rows = self
            .tiers
            .iter()
            .map(|r| {
                Row::plain(vec![
                    r.variation.clone().map_or(Cell::Empty, Cell::Text),
                    Cell::Text(r.tier.clone()),
                    Cell::Text(r.tier_name.clone()),
                    Cell::Text(r.change.as_str().into()),
                    money(r.old_excl_vat),
                    money(r.new_excl_vat),
                    money(r.difference),
                    number(r.percentage),
                    money(r.old_incl_vat),
                    money(r.new_incl_vat),
                ])
            })
            .collect();
        let items = Sheet {
            name: w("Prijslijst", "Items").into(),
            columns: vec![
                Column::new("item", w("Code", "Code"), Kind::Text, 28.0),
                Column::new("name", w("Naam", "Name"), Kind::Text, 38.0),
                Column::new("change", w("Wijziging", "Change"), Kind::Text, 11.0),
                amount("old_unit_price", "Oude prijs", "Old price"),
                amount("new_unit_price", "Nieuwe prijs", "New price"),
                amount("difference", "Verschil", "Difference"),
                Column::new(
                    "percentage",
                    w("Verschil %", "Change %"),
                    Kind::Percentage,
                    11.0,
                ),
            ],
        };
        let item_rows = self
            .items
            .iter()
            .map(|r| {
                Row::plain(vec![
                    Cell::Text(r.item.clone()),
                    Cell::Text(r.name.clone()),
                    Cell::Text(r.change.as_str().into()),
                    money(r.old_unit_price),
                    money(r.new_unit_price),
                    money(r.difference),
                    number(r.percentage),
                ])
            })
            .collect();
        vec![("tiers", tiers, tier_rows), ("items", items, item_rows)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Option<Money> {
        Some(Money::round(s.parse().unwrap()))
    }

    #[test]
    fn differences_and_percentages() {
        assert_eq!(difference(m("2500"), m("2600")), m("100"));
        assert_eq!(
            percentage(m("2500"), m("2600")),
            Some("4.00".parse().unwrap())
        );
        assert_eq!(
            percentage(m("3550"), m("3025")),
            Some("-14.79".parse().unwrap())
        );
        assert_eq!(percentage(m("3"), m("4")), Some("33.33".parse().unwrap()));
        assert_eq!(percentage(m("0"), m("4")), None);
        assert_eq!(percentage(None, m("4")), None);
        assert_eq!(Change::of(None, m("1")), Change::Added);
        assert_eq!(Change::of(m("1"), None), Change::Removed);
        assert_eq!(Change::of(m("1"), m("1")), Change::Unchanged);
    }
}
