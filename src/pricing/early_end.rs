//! What is owed when a trajectory ends early: one row per month of the trajectory.
//!
//! After `k` of `M` months a line is owed as the catalog's early-end policy says: lines priced
//! per month or per hour per month by the months begun (amount × k / M), lines priced per period
//! by the periods begun (amount × periods begun / periods), fixed lines in full (or pro rata),
//! and the bundle, minimum and length-cap adjustments pro rata (or in full). Each line is rounded
//! to cents half away from zero and BTW is added the way the totals add it (per line or per
//! rate). A row is never below the row before it (a package discount spread pro rata could
//! otherwise make a later month cheaper) and never above the totals; the last row is the totals.
//!
//! The table has a row per month for every quote, so it is computed in whole cents: what does
//! not change with the months is added up once per BTW rate, and each changing line costs one
//! integer multiplication and division per row.

use rust_decimal::Decimal;

use super::computation::{EarlyEndRow, Totals};
use super::lines::{Draft, Scaling};
use super::money::Money;
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
    let table = Table::new(drafts, months, terms, rounding);
    let mut rows: Vec<EarlyEndRow> = Vec::with_capacity(months as usize);
    for k in 1..=months {
        let (mut excl, mut incl) = if k == months {
            (total.excl_vat, total.incl_vat)
        } else {
            table.owed(k)
        };
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

/// A BTW rate as a fraction `numerator / denominator` (21% is 21 / 100).
#[derive(Clone, Copy, PartialEq)]
struct Rate {
    numerator: i128,
    denominator: i128,
}

impl Rate {
    fn of(percent: Decimal) -> Rate {
        Rate {
            numerator: percent.mantissa(),
            denominator: 100 * 10i128.pow(percent.scale()),
        }
    }

    fn vat(self, cents: i128) -> i128 {
        divide(cents * self.numerator, self.denominator)
    }
}

/// A line whose amount follows the months: `value × count(k) / of`, rounded to cents, where
/// `value` is `mantissa / 10^scale` euros.
struct Scaled {
    rate: usize,
    mantissa: i128,
    scale: u32,
    of: i128,
    /// For a per-period line: (months per period, periods); else the count is `k` itself.
    periods: Option<(u32, u32)>,
    /// The same amount in `Decimal`, for the rare value too large for whole-cent arithmetic.
    value: Decimal,
}

impl Scaled {
    fn at(&self, k: u32) -> i128 {
        let count = match self.periods {
            None => k,
            Some((per, periods)) => k.div_ceil(per.max(1)).min(periods),
        };
        let exact = self
            .mantissa
            .checked_mul(i128::from(count) * 100)
            .zip(
                10i128
                    .checked_pow(self.scale)
                    .and_then(|p| p.checked_mul(self.of)),
            )
            .map(|(numerator, denominator)| divide(numerator, denominator));
        exact.unwrap_or_else(|| {
            Money::round(self.value * Decimal::from(count) / Decimal::from(self.of)).cents()
        })
    }
}

/// The lines of a tier sorted for the table: per BTW rate what stays the same, and the lines
/// that change with the months.
struct Table {
    rates: Vec<Rate>,
    /// Per rate: the base and (rounding per line) the BTW of the lines that stay the same.
    fixed: Vec<(i128, i128)>,
    scaled: Vec<Scaled>,
    rounding: Rounding,
}

impl Table {
    fn new(drafts: &[Draft<'_>], months: u32, terms: &EarlyEndTerms, rounding: Rounding) -> Table {
        let mut table = Table {
            rates: Vec::new(),
            fixed: Vec::new(),
            scaled: Vec::new(),
            rounding,
        };
        for draft in drafts {
            let rate = Rate::of(draft.vat_rate);
            let r = match table.rates.iter().position(|x| *x == rate) {
                Some(r) => r,
                None => {
                    table.rates.push(rate);
                    table.fixed.push((0, 0));
                    table.rates.len() - 1
                }
            };
            let amount = draft.amount;
            let whole = |value: Decimal, of: u32, periods| Scaled {
                rate: r,
                mantissa: value.mantissa(),
                scale: value.scale(),
                of: i128::from(of.max(1)),
                periods,
                value,
            };
            let scaled = match (draft.scaling, terms.fixed, terms.adjustments) {
                (Scaling::Fixed, Owed::InFull, _) | (Scaling::Adjustment, _, Owed::InFull) => None,
                (Scaling::Fixed, Owed::ProRata, _) | (Scaling::Adjustment, _, Owed::ProRata) => {
                    Some(whole(amount.amount(), months, None))
                }
                (Scaling::Monthly, ..) => Some(whole(
                    draft.quantity * draft.unit_price().amount(),
                    months,
                    None,
                )),
                (Scaling::Periods { periods: 0, .. }, ..) => Some(whole(Decimal::ZERO, 1, None)),
                (
                    Scaling::Periods {
                        period_months,
                        periods,
                    },
                    ..,
                ) => Some(whole(
                    draft.quantity * draft.unit_price().amount(),
                    periods,
                    Some((period_months, periods)),
                )),
            };
            match scaled {
                Some(line) => table.scaled.push(line),
                None => {
                    let cents = amount.cents();
                    table.fixed[r].0 += cents;
                    table.fixed[r].1 += rate.vat(cents);
                }
            }
        }
        table
    }

    /// Excl. and incl. BTW owed after `k` months.
    fn owed(&self, k: u32) -> (Money, Money) {
        let mut per_rate = self.fixed.clone();
        for line in &self.scaled {
            let cents = line.at(k);
            per_rate[line.rate].0 += cents;
            per_rate[line.rate].1 += self.rates[line.rate].vat(cents);
        }
        let excl: i128 = per_rate.iter().map(|(base, _)| base).sum();
        let vat: i128 = per_rate
            .iter()
            .zip(&self.rates)
            .map(|((base, line_vat), rate)| match self.rounding {
                Rounding::PerLine => *line_vat,
                Rounding::PerTotal => rate.vat(*base),
            })
            .sum();
        let money = |cents| Money::from_cents(cents).unwrap_or(Money::ZERO);
        (money(excl), money(excl + vat))
    }
}

/// `numerator / denominator` rounded half away from zero (`denominator` > 0).
fn divide(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if 2 * remainder.abs() >= denominator {
        quotient + numerator.signum()
    } else {
        quotient
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_cents_round_half_away_from_zero_like_money() {
        for (n, d) in [
            (5, 10),
            (-5, 10),
            (4, 10),
            (-4, 10),
            (15, 10),
            (1005, 1000),
            (-2345, 1000),
        ] {
            let expected = Money::round(Decimal::from(n) / Decimal::from(d) / Decimal::ONE_HUNDRED);
            assert_eq!(divide(n, d), expected.cents(), "{n}/{d}");
        }
        assert_eq!(Rate::of(Decimal::from(21)).vat(197_500), 41_475);
        assert_eq!(Rate::of("9".parse().unwrap()).vat(5), 0);
        assert_eq!(Rate::of("21".parse().unwrap()).vat(-250), -53);
    }

    #[test]
    fn a_scaled_line_is_its_amount_times_the_months_begun() {
        let line = |value: &str, of: u32, periods| {
            let value: Decimal = value.parse().unwrap();
            Scaled {
                rate: 0,
                mantissa: value.mantissa(),
                scale: value.scale(),
                of: i128::from(of),
                periods,
                value,
            }
        };
        // 13.5 hours at 89.00 over 9 months: 133.50 a month.
        assert_eq!(line("1201.500", 9, None).at(1), 13_350);
        // 1/3 of 3.015 is 1.005: half away from zero, 1.01.
        assert_eq!(line("3.015", 3, None).at(1), 101);
        // Five quarters of 1250.00: after 4 months two are begun.
        assert_eq!(line("6250.00", 5, Some((3, 5))).at(4), 250_000);
        assert_eq!(line("6250.00", 5, Some((3, 5))).at(14), 625_000);
    }
}
