//! Adding lines up per BTW rate.

use rust_decimal::Decimal;
use std::collections::BTreeMap;

use super::computation::{Totals, VatLine};
use super::money::Money;
use crate::catalog::Rounding;

/// What the totals need of a line.
pub(super) struct LineSum<'t> {
    pub(super) amount: Money,
    pub(super) vat_rate: Decimal,
    pub(super) exempt_reason: Option<&'t str>,
}

/// Adds the lines up per BTW rate, rounding BTW per line or per total as the catalog says.
pub(super) fn totals<'t>(
    lines: impl Iterator<Item = LineSum<'t>> + Clone,
    rounding: Rounding,
) -> Totals {
    let mut by_rate: BTreeMap<Decimal, VatLine> = BTreeMap::new();
    for line in lines.clone() {
        let entry = by_rate.entry(line.vat_rate).or_insert_with(|| VatLine {
            rate: line.vat_rate,
            base: Money::ZERO,
            vat: Money::ZERO,
            exempt_reason: None,
        });
        entry.base = entry.base + line.amount;
        if rounding == Rounding::PerLine {
            entry.vat = entry.vat + line.amount.vat_at(line.vat_rate);
        }
        if entry.exempt_reason.is_none() {
            entry.exempt_reason = line.exempt_reason.map(str::to_string);
        }
    }
    let vat_breakdown: Vec<VatLine> = by_rate
        .into_values()
        .rev()
        .map(|mut v| {
            if rounding == Rounding::PerTotal {
                v.vat = v.base.vat_at(v.rate);
            }
            v
        })
        .collect();
    let excl_vat: Money = lines.map(|l| l.amount).sum();
    let vat: Money = vat_breakdown.iter().map(|v| v.vat).sum();
    Totals {
        excl_vat,
        vat,
        incl_vat: excl_vat + vat,
        vat_breakdown,
    }
}
