//! What is owed when a trajectory ends early: one row per month of the trajectory.
//!
//! After `k` of `M` months a line is owed as the catalog's early-end policy says: lines priced
//! per month or per hour per month by the months begun (quantity × k / M), lines priced per
//! period by the periods begun, fixed lines in full (or pro rata), and the bundle, minimum and
//! length-cap adjustments pro rata (or in full). Each line is rounded to cents and BTW is added
//! the way the totals add it (per line or per total). A row is never below the row before it (a
//! package discount spread pro rata could otherwise make a later month cheaper) and never above
//! the totals; the last row is the totals.

use rust_decimal::Decimal;

use super::computation::{EarlyEndRow, Totals};
use super::lines::{Draft, Scaling};
use super::money::Money;
use super::totals::{LineSum, totals};
use crate::catalog::Rounding;
use crate::catalog::terms::{EarlyEndTerms, Owed};

/// The early-end table of a tier drafted as `drafts`, running `months` months.
pub(super) fn rows(
    drafts: &[Draft<'_>],
    months: u32,
    terms: &EarlyEndTerms,
    rounding: Rounding,
    total: &Totals,
) -> Vec<EarlyEndRow> {
    let months = months.max(1);
    let mut rows: Vec<EarlyEndRow> = Vec::with_capacity(months as usize);
    for k in 1..=months {
        let owed = if k == months {
            (total.excl_vat, total.incl_vat)
        } else {
            let t = totals(
                drafts.iter().map(|d| LineSum {
                    amount: owed(d, k, months, terms),
                    vat_rate: d.vat_rate,
                    exempt_reason: None,
                }),
                rounding,
            );
            (t.excl_vat, t.incl_vat)
        };
        let (mut excl, mut incl) = owed;
        if let Some(before) = rows.last() {
            excl = excl.max(before.excl_vat);
            incl = incl.max(before.incl_vat);
        }
        excl = excl.min(total.excl_vat);
        incl = incl.min(total.incl_vat);
        rows.push(EarlyEndRow {
            after_month: k,
            excl_vat: excl,
            vat: incl - excl,
            incl_vat: incl,
        });
    }
    rows
}

/// What is owed of one line after `k` of `months` months.
fn owed(draft: &Draft<'_>, k: u32, months: u32, terms: &EarlyEndTerms) -> Money {
    let part = |owed: Owed| match owed {
        Owed::InFull => draft.amount,
        Owed::ProRata => {
            Money::round(draft.amount.amount() * Decimal::from(k) / Decimal::from(months))
        }
    };
    match draft.scaling {
        Scaling::Fixed => part(terms.fixed),
        Scaling::Adjustment => part(terms.adjustments),
        Scaling::Monthly => {
            let quantity = draft.quantity * Decimal::from(k) / Decimal::from(months);
            Money::round(quantity * draft.unit_price().amount())
        }
        Scaling::Periods {
            period_months,
            periods,
        } => {
            if periods == 0 {
                return Money::ZERO;
            }
            let begun = k.div_ceil(period_months.max(1)).min(periods);
            let quantity = draft.quantity * Decimal::from(begun) / Decimal::from(periods);
            Money::round(quantity * draft.unit_price().amount())
        }
    }
}
