//! The pricing table of one catalog version, priced by the pricing core itself.
//!
//! **Standard circumstances**: every tier is priced with [`compute`] for one fixed case inside
//! the version's validity: quote date and start date on the version's `valid_from` (so exactly
//! this version is in force), first sick day 8 weeks earlier (the trajectory starts in week 9,
//! before the week-52 warning, with about 22 months of the waiting period left, so every tier
//! of up to 22 months is eligible), readiness `ready_with_support`, no schooling, intensity
//! `standard`, no expected duration, no options, the tier chosen explicitly. The until-the-end
//! tier therefore runs 23 (partial) months from the start in the default catalog; its price by
//! the months left is at its cap there.
//!
//! Four parts: `tiers` (each tier's lines and a total row), `variations` (the same for each
//! intensity and schooling other than the standard one: what the line rules add or scale),
//! `items` (the plain price list) and `success_fees` (each tier's fee due only on placement,
//! outside its total; present only for a catalog that has one, or when asked for alone).
//!
//! Files: `standard` (the standard case and the variations), `rows` (a computation and the
//! price list as rows), `sheets` (the columns and cells the CSV and XLSX writers read).

mod rows;
mod sheets;
mod standard;

use anyhow::{Context, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::word;
use crate::catalog::{Catalog, CatalogSet, Language, Unit};
use crate::pricing::{CatalogRef, Circumstances, Computation, Money, compute};

pub use rows::{item_rows, success_fee_row, tier_rows};
pub use sheets::{item_sheet, success_fee_sheet, tier_sheet};
pub use standard::{Variation, standard_circumstances};

/// A part of the pricing export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Each tier's lines under standard circumstances, with a total row per tier.
    Tiers,
    /// The same for each variation the rules make (light/intensive, training/retraining).
    Variations,
    /// The plain item price list.
    Items,
    /// Each tier's success fee (due only on placement, not in its total).
    SuccessFees,
}

impl Part {
    pub const ALL: [Part; 4] = [
        Part::Tiers,
        Part::Variations,
        Part::Items,
        Part::SuccessFees,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Tiers => "tiers",
            Part::Variations => "variations",
            Part::Items => "items",
            Part::SuccessFees => "success_fees",
        }
    }

    /// The sheet name.
    pub fn title(self, language: Language) -> &'static str {
        match self {
            Part::Tiers => word(language, "Pakketten", "Tiers"),
            Part::Variations => word(language, "Varianten", "Variations"),
            Part::Items => word(language, "Prijslijst", "Items"),
            Part::SuccessFees => word(language, "Succesfee", "Success fees"),
        }
    }
}

/// What a row of a tier table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A catalog item.
    Item,
    /// The difference between the tier's bundle price and the sum of its standard parts.
    BundleAdjustment,
    /// What lifts the tier to its minimum price.
    MinimumAdjustment,
    /// What brings the tier down to the price of a tier that runs at least as long.
    LengthCap,
    /// The tier's total (the computation's totals).
    Total,
}

/// One row of the tier or variation table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PricingRow {
    /// In the variations table: the intensity or schooling priced (`light`, `intensive`,
    /// `training`, `retraining`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variation: Option<String>,
    #[schema(example = "m3")]
    pub tier: String,
    pub tier_name: String,
    /// Months the tier runs under these circumstances.
    pub months: u32,
    pub kind: RowKind,
    /// The item code (for an adjustment its kind: `bundle_adjustment`, `minimum_adjustment`,
    /// `length_cap`; none on a total row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The item's name, or "Total …" on a total row.
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "9")]
    pub quantity: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Money>,
    /// BTW percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "21")]
    pub vat_rate: Option<Decimal>,
    pub excl_vat: Money,
    /// On a line: that line's BTW, rounded on its own. On a total row: the computation's BTW
    /// (with `per_total` rounding it can differ a cent from the sum of the lines' BTW).
    pub vat: Money,
    pub incl_vat: Money,
}

/// One item of the price list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ItemRow {
    #[schema(example = "coaching")]
    pub code: String,
    pub name: String,
    pub description: String,
    pub unit: Unit,
    /// Excl. BTW.
    pub unit_price: Money,
    #[schema(value_type = String, example = "21")]
    pub vat_rate: Decimal,
    /// BTW on one unit.
    pub vat: Money,
    pub unit_price_incl_vat: Money,
    /// For an exempt item: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_exempt_reason: Option<String>,
}

/// A tier's success fee under standard circumstances: due only on placement, outside the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SuccessFeeRow {
    #[schema(example = "m3")]
    pub tier: String,
    pub tier_name: String,
    /// The item code of the fee.
    pub item: String,
    pub description: String,
    /// When the fee is due.
    pub condition: String,
    #[schema(value_type = String, example = "1")]
    pub quantity: Decimal,
    pub unit_price: Money,
    /// BTW percentage.
    #[schema(value_type = String, example = "21")]
    pub vat_rate: Decimal,
    pub excl_vat: Money,
    pub vat: Money,
    pub incl_vat: Money,
}

/// The pricing export as JSON (and the rows the CSV and XLSX writers read). Parts not asked for
/// are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PricingExport {
    pub catalog: CatalogRef,
    /// Language of the texts.
    pub language: Language,
    /// The case every tier is priced with (with `tier` and the variation set per row).
    pub standard_circumstances: Circumstances,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<PricingRow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variations: Option<Vec<PricingRow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ItemRow>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_fees: Option<Vec<SuccessFeeRow>>,
}

/// Every tier of `catalog` priced under standard circumstances (with `variation` applied), in
/// catalog order. `catalogs` must hold `catalog` (the computation picks the version by date).
pub fn standard_computations(
    catalogs: &CatalogSet,
    catalog: &Catalog,
    language: Language,
    variation: Option<Variation>,
) -> Result<Vec<Computation>> {
    let standard = standard_circumstances(catalog, language);
    let mut computations = Vec::new();
    for tier in &catalog.tiers {
        let mut input = standard.clone();
        input.tier = Some(tier.code.clone());
        if let Some(variation) = variation {
            variation.apply(&mut input);
        }
        let computation = compute(catalogs, &input, catalog.valid_from).with_context(|| {
            format!(
                "pricing tier `{}` of catalog {} under standard circumstances{}",
                tier.code,
                catalog.version,
                variation
                    .map(|v| format!(" ({})", v.code()))
                    .unwrap_or_default()
            )
        })?;
        anyhow::ensure!(
            computation.catalog.version == catalog.version,
            "catalog {} is not the version in force on its own valid_from",
            catalog.version
        );
        computations.push(computation);
    }
    Ok(computations)
}

/// Builds the parts asked for. `catalogs` must hold `catalog` (the computation picks the version
/// by date). An error means the catalog cannot price a tier under standard circumstances.
pub fn build(
    catalogs: &CatalogSet,
    catalog: &Catalog,
    language: Language,
    parts: &[Part],
) -> Result<PricingExport> {
    let standard = if parts.contains(&Part::Tiers) || parts.contains(&Part::SuccessFees) {
        standard_computations(catalogs, catalog, language, None)?
    } else {
        Vec::new()
    };
    let tiers = parts.contains(&Part::Tiers).then(|| {
        standard
            .iter()
            .flat_map(|c| tier_rows(c, None, language))
            .collect()
    });
    let variations = if parts.contains(&Part::Variations) {
        let mut rows = Vec::new();
        for variation in Variation::all() {
            for c in standard_computations(catalogs, catalog, language, Some(variation))? {
                rows.extend(tier_rows(&c, Some(variation.code()), language));
            }
        }
        Some(rows)
    } else {
        None
    };
    let items = parts
        .contains(&Part::Items)
        .then(|| item_rows(catalog, language));
    let success_fees = if parts.contains(&Part::SuccessFees) {
        let rows: Vec<SuccessFeeRow> = standard.iter().filter_map(success_fee_row).collect();
        // No empty sheet beside the others for a catalog without success fees.
        (!rows.is_empty() || parts.len() == 1).then_some(rows)
    } else {
        None
    };
    Ok(PricingExport {
        catalog: CatalogRef {
            version: catalog.version.clone(),
            valid_from: catalog.valid_from,
            hash: catalog.hash.clone(),
        },
        language,
        standard_circumstances: standard_circumstances(catalog, language),
        tiers,
        variations,
        items,
        success_fees,
    })
}
