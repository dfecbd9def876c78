//! A computation as the rows of a tier table, and the catalog's items as the price list.

use super::{ItemRow, PricingRow, RowKind, SuccessFeeRow};
use crate::catalog::{Catalog, Language};
use crate::exports::word;
use crate::pricing::{Computation, LineKind, Money};

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
                    LineKind::MinimumAdjustment => RowKind::MinimumAdjustment,
                    LineKind::LengthCap => RowKind::LengthCap,
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

/// The success fee of one computation, if it has one.
pub fn success_fee_row(c: &Computation) -> Option<SuccessFeeRow> {
    let fee = c.success_fee.as_ref()?;
    Some(SuccessFeeRow {
        tier: c.tier.code.clone(),
        tier_name: c.tier.name.clone(),
        item: fee.code.clone(),
        description: fee.name.clone(),
        condition: fee.condition.clone(),
        quantity: fee.quantity,
        unit_price: fee.unit_price,
        vat_rate: fee.vat_rate,
        excl_vat: fee.excl_vat,
        vat: fee.vat,
        incl_vat: fee.incl_vat,
    })
}
