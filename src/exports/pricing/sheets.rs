//! The columns of the pricing tables and the cells of their rows, for the CSV and XLSX writers.

use super::{ItemRow, Part, PricingExport, PricingRow, RowKind, SuccessFeeRow};
use crate::catalog::{Language, Unit};
use crate::exports::{Cell, Column, Kind, Row, Sheet, word};

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
            RowKind::MinimumAdjustment => "minimum_adjustment",
            RowKind::LengthCap => "length_cap",
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
        if let Some(fees) = &self.success_fees {
            let rows = fees.iter().map(|f| Row::plain(f.cells())).collect();
            tables.push((Part::SuccessFees, success_fee_sheet(self.language), rows));
        }
        tables
    }
}

/// The columns of the success fees.
pub fn success_fee_sheet(language: Language) -> Sheet {
    let w = |nl, en| word(language, nl, en);
    Sheet {
        name: Part::SuccessFees.title(language).into(),
        columns: vec![
            Column::new("tier", w("Pakket", "Tier"), Kind::Text, 10.0),
            Column::new("tier_name", w("Pakketnaam", "Tier name"), Kind::Text, 34.0),
            Column::new("item", w("Onderdeel", "Item"), Kind::Text, 18.0),
            Column::new(
                "description",
                w("Omschrijving", "Description"),
                Kind::Text,
                30.0,
            ),
            Column::new("condition", w("Voorwaarde", "Condition"), Kind::Text, 50.0).wrapped(),
            Column::new("quantity", w("Aantal", "Quantity"), Kind::Number, 9.0),
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
        ],
    }
}

impl SuccessFeeRow {
    /// The cells under [`success_fee_sheet`]'s columns.
    pub fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Text(self.tier.clone()),
            Cell::Text(self.tier_name.clone()),
            Cell::Text(self.item.clone()),
            Cell::Text(self.description.clone()),
            Cell::Text(self.condition.clone()),
            Cell::Number(self.quantity),
            Cell::Money(self.unit_price),
            Cell::Number(self.vat_rate),
            Cell::Money(self.excl_vat),
            Cell::Money(self.vat),
            Cell::Money(self.incl_vat),
        ]
    }
}
