//! The pricing table of one catalog version, priced by the pricing core itself.
//!
//! **Standard circumstances**: every tier is priced with [`compute`] for one fixed case inside
//! the version's validity: quote date and start date on the version's `valid_from` (so exactly
//! this version is in force), first sick day 8 weeks earlier (the trajectory starts in week 9,
//! before the week-52 warning, with about 22 months of the waiting period left, so every tier
//! of up to 22 months is eligible), readiness `ready_with_support`, no schooling, intensity
//! `standard`, no expected duration, no options, the tier chosen explicitly. The until-the-end
//! tier therefore runs 23 (partial) months from the start in the default catalog; its bundle
//! price makes its total independent of that.
//!
//! Three parts: `tiers` (each tier's lines and a total row), `variations` (the same for each
//! intensity and schooling other than the standard one: what the line rules add or scale) and
//! `items` (the plain price list).

use anyhow::{Context, Result};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Cell, Column, Kind, Row, Sheet, word};
use crate::catalog::{Catalog, CatalogSet, Intensity, Language, Readiness, Schooling, Unit};
use crate::pricing::{CatalogRef, Circumstances, Computation, LineKind, Money, compute};

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
}

impl Part {
    pub const ALL: [Part; 3] = [Part::Tiers, Part::Variations, Part::Items];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Tiers => "tiers",
            Part::Variations => "variations",
            Part::Items => "items",
        }
    }

    /// The sheet name.
    pub fn title(self, language: Language) -> &'static str {
        match self {
            Part::Tiers => word(language, "Pakketten", "Tiers"),
            Part::Variations => word(language, "Varianten", "Variations"),
            Part::Items => word(language, "Prijslijst", "Items"),
        }
    }
}

/// What a row of a tier table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A catalog item.
    Item,
    /// The difference between the bundle price and the sum of the tier's standard parts.
    BundleAdjustment,
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
    /// The item code (`bundle_adjustment` for the adjustment; none on a total row).
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
}

/// Weeks of sickness before the standard start: it falls in week 9.
const WEEKS_BEFORE_START: u64 = 8;

/// The standard case of `catalog` (see the module documentation), without a tier.
pub fn standard_circumstances(catalog: &Catalog, language: Language) -> Circumstances {
    let start = catalog.valid_from;
    let first_sick_day = start
        .checked_sub_days(Days::new(WEEKS_BEFORE_START * 7))
        .unwrap_or(NaiveDate::MIN);
    Circumstances {
        first_sick_day,
        start_date: Some(start),
        quote_date: Some(start),
        expected_duration_months: None,
        readiness: Readiness::ReadyWithSupport,
        schooling: Schooling::None,
        intensity: Intensity::Standard,
        waiting_period_end: None,
        tier: None,
        options: Vec::new(),
        language,
    }
}

/// A variation priced in its own table: an intensity or a schooling other than the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variation {
    Intensity(Intensity),
    Schooling(Schooling),
}

impl Variation {
    /// Every intensity and schooling but the standard ones, in vocabulary order.
    pub fn all() -> Vec<Variation> {
        let intensities = Intensity::ALL
            .iter()
            .filter(|i| **i != Intensity::default())
            .map(|i| Variation::Intensity(*i));
        let schoolings = Schooling::ALL
            .iter()
            .filter(|s| **s != Schooling::default())
            .map(|s| Variation::Schooling(*s));
        intensities.chain(schoolings).collect()
    }

    /// `light`, `intensive`, `training`, `retraining`.
    pub fn code(self) -> &'static str {
        match self {
            Variation::Intensity(i) => i.as_str(),
            Variation::Schooling(s) => s.as_str(),
        }
    }

    fn apply(self, input: &mut Circumstances) {
        match self {
            Variation::Intensity(i) => input.intensity = i,
            Variation::Schooling(s) => input.schooling = s,
        }
    }
}

/// Builds the parts asked for. `catalogs` must hold `catalog` (the computation picks the version
/// by date). An error means the catalog cannot price a tier under standard circumstances.
pub fn build(
    catalogs: &CatalogSet,
    catalog: &Catalog,
    language: Language,
    parts: &[Part],
) -> Result<PricingExport> {
    let standard = standard_circumstances(catalog, language);
    let price = |variation: Option<Variation>| {
        let mut rows = Vec::new();
        for tier in &catalog.tiers {
            let mut input = standard.clone();
            input.tier = Some(tier.code.clone());
            if let Some(variation) = variation {
                variation.apply(&mut input);
            }
            let computation = compute(catalogs, &input, catalog.valid_from)
                .map_err(|e| anyhow::anyhow!("{e}"))
                .with_context(|| {
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
            rows.extend(tier_rows(
                &computation,
                variation.map(Variation::code),
                language,
            ));
        }
        Ok::<_, anyhow::Error>(rows)
    };
    let tiers = if parts.contains(&Part::Tiers) {
        Some(price(None)?)
    } else {
        None
    };
    let variations = if parts.contains(&Part::Variations) {
        let mut rows = Vec::new();
        for variation in Variation::all() {
            rows.extend(price(Some(variation))?);
        }
        Some(rows)
    } else {
        None
    };
    let items = parts
        .contains(&Part::Items)
        .then(|| item_rows(catalog, language));
    Ok(PricingExport {
        catalog: CatalogRef {
            version: catalog.version.clone(),
            valid_from: catalog.valid_from,
            hash: catalog.hash.clone(),
        },
        language,
        standard_circumstances: standard,
        tiers,
        variations,
        items,
    })
}

/// The lines of one computation and its total row.
pub fn tier_rows(c: &Computation, variation: Option<&str>, language: Language) -> Vec<PricingRow> {
    let base = PricingRow {
        variation: variation.map(str::to_string),
        tier: c.tier.code.clone(),
        tier_name: c.tier.name.clone(),
        months: c.tier.months,
        kind: RowKind::Total,
        item: None,
        description: String::new(),
        quantity: None,
        unit: None,
        unit_price: None,
        vat_rate: None,
        excl_vat: Money::ZERO,
        vat: Money::ZERO,
        incl_vat: Money::ZERO,
    };
    let mut rows: Vec<PricingRow> = c
        .lines
        .iter()
        .map(|line| {
            let vat = line.amount.vat_at(line.vat_rate);
            PricingRow {
                kind: match line.kind {
                    LineKind::Item => RowKind::Item,
                    LineKind::BundleAdjustment => RowKind::BundleAdjustment,
                },
                item: Some(line.code.clone()),
                description: line.name.clone(),
                quantity: Some(line.quantity),
                unit: Some(line.unit),
                unit_price: Some(line.unit_price),
                vat_rate: Some(line.vat_rate),
                excl_vat: line.amount,
                vat,
                incl_vat: line.amount + vat,
                ..base.clone()
            }
        })
        .collect();
    rows.push(PricingRow {
        description: format!("{} {}", word(language, "Totaal", "Total"), c.tier.name),
        excl_vat: c.totals.excl_vat,
        vat: c.totals.vat,
        incl_vat: c.totals.incl_vat,
        ..base
    });
    rows
}

/// The plain price list.
pub fn item_rows(catalog: &Catalog, language: Language) -> Vec<ItemRow> {
    catalog
        .items
        .iter()
        .map(|item| {
            let category = catalog.vat_category(&item.vat);
            let unit_price = Money::round(item.unit_price);
            let vat = unit_price.vat_at(category.rate);
            ItemRow {
                code: item.code.clone(),
                name: item.name.get(language).to_string(),
                description: item.description.get(language).to_string(),
                unit: item.unit,
                unit_price,
                vat_rate: category.rate.normalize(),
                vat,
                unit_price_incl_vat: unit_price + vat,
                vat_exempt_reason: category
                    .exempt_reason
                    .as_ref()
                    .map(|r| r.get(language).to_string()),
            }
        })
        .collect()
}

/// The columns of the tier table (with `variation` first for the variations table).
pub fn tier_sheet(part: Part, language: Language) -> Sheet {
    let w = |nl, en| word(language, nl, en);
    let mut columns = Vec::new();
    if part == Part::Variations {
        columns.push(Column::new(
            "variation",
            w("Variant", "Variation"),
            Kind::Text,
            12.0,
        ));
    }
    columns.extend([
        Column::new("tier", w("Pakket", "Tier"), Kind::Text, 10.0),
        Column::new("tier_name", w("Pakketnaam", "Tier name"), Kind::Text, 34.0),
        Column::new("months", w("Maanden", "Months"), Kind::Integer, 9.0),
        Column::new("kind", w("Soort", "Kind"), Kind::Text, 18.0),
        Column::new("item", w("Onderdeel", "Item"), Kind::Text, 22.0),
        Column::new(
            "description",
            w("Omschrijving", "Description"),
            Kind::Text,
            48.0,
        ),
        Column::new("quantity", w("Aantal", "Quantity"), Kind::Number, 9.0),
        Column::new("unit", w("Eenheid", "Unit"), Kind::Text, 10.0),
        Column::new(
            "unit_price",
            w("Prijs per eenheid", "Unit price"),
            Kind::Money,
            17.0,
        ),
        Column::new("vat_rate", w("Btw %", "VAT %"), Kind::Number, 7.0),
        Column::new(
            "excl_vat",
            w("Bedrag excl. btw", "Excl. VAT"),
            Kind::Money,
            17.0,
        ),
        Column::new("vat", w("Btw", "VAT"), Kind::Money, 14.0),
        Column::new(
            "incl_vat",
            w("Bedrag incl. btw", "Incl. VAT"),
            Kind::Money,
            17.0,
        ),
    ]);
    Sheet {
        name: part.title(language).into(),
        columns,
    }
}

impl PricingRow {
    /// The cells under [`tier_sheet`]'s columns.
    pub fn cells(&self, part: Part) -> Vec<Cell> {
        let mut cells = Vec::new();
        if part == Part::Variations {
            cells.push(text(self.variation.as_deref()));
        }
        let kind = match self.kind {
            RowKind::Item => "item",
            RowKind::BundleAdjustment => "bundle_adjustment",
            RowKind::Total => "total",
        };
        cells.extend([
            Cell::Text(self.tier.clone()),
            Cell::Text(self.tier_name.clone()),
            Cell::Integer(i64::from(self.months)),
            Cell::Text(kind.into()),
            text(self.item.as_deref()),
            Cell::Text(self.description.clone()),
            self.quantity.map_or(Cell::Empty, Cell::Number),
            text(self.unit.map(Unit::as_str)),
            self.unit_price.map_or(Cell::Empty, Cell::Money),
            self.vat_rate.map_or(Cell::Empty, Cell::Number),
            Cell::Money(self.excl_vat),
            Cell::Money(self.vat),
            Cell::Money(self.incl_vat),
        ]);
        cells
    }
}

/// The columns of the price list.
pub fn item_sheet(language: Language) -> Sheet {
    let w = |nl, en| word(language, nl, en);
    Sheet {
        name: Part::Items.title(language).into(),
        columns: vec![
            Column::new("code", w("Code", "Code"), Kind::Text, 28.0),
            Column::new("name", w("Naam", "Name"), Kind::Text, 38.0),
            Column::new(
                "description",
                w("Omschrijving", "Description"),
                Kind::Text,
                50.0,
            )
            .wrapped(),
            Column::new("unit", w("Eenheid", "Unit"), Kind::Text, 10.0),
            Column::new(
                "unit_price",
                w("Prijs excl. btw", "Price excl. VAT"),
                Kind::Money,
                16.0,
            ),
            Column::new("vat_rate", w("Btw %", "VAT %"), Kind::Number, 7.0),
            Column::new("vat", w("Btw", "VAT"), Kind::Money, 13.0),
            Column::new(
                "unit_price_incl_vat",
                w("Prijs incl. btw", "Price incl. VAT"),
                Kind::Money,
                16.0,
            ),
            Column::new(
                "vat_exempt_reason",
                w("Reden vrijstelling", "Exemption reason"),
                Kind::Text,
                50.0,
            )
            .wrapped(),
        ],
    }
}

impl ItemRow {
    /// The cells under [`item_sheet`]'s columns.
    pub fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Text(self.code.clone()),
            Cell::Text(self.name.clone()),
            Cell::Text(self.description.clone()),
            Cell::Text(self.unit.as_str().into()),
            Cell::Money(self.unit_price),
            Cell::Number(self.vat_rate),
            Cell::Money(self.vat),
            Cell::Money(self.unit_price_incl_vat),
            text(self.vat_exempt_reason.as_deref()),
        ]
    }
}

fn text(value: Option<&str>) -> Cell {
    value.map_or(Cell::Empty, |v| Cell::Text(v.to_string()))
}

impl PricingExport {
    /// The tables of the parts present, in order: sheet and rows (total rows bold).
    pub fn tables(&self) -> Vec<(Part, Sheet, Vec<Row>)> {
        let mut tables = Vec::new();
        for (part, rows) in [
            (Part::Tiers, &self.tiers),
            (Part::Variations, &self.variations),
        ] {
            if let Some(rows) = rows {
                let rows = rows
                    .iter()
                    .map(|r| Row {
                        cells: r.cells(part),
                        bold: r.kind == RowKind::Total,
                    })
                    .collect();
                tables.push((part, tier_sheet(part, self.language), rows));
            }
        }
        if let Some(items) = &self.items {
            let rows = items.iter().map(|i| Row::plain(i.cells())).collect();
            tables.push((Part::Items, item_sheet(self.language), rows));
        }
        tables
    }
}
