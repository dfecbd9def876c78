//! The payment schedule: the catalog's instalments applied to a quote's totals and dates.
//!
//! Fixed amounts come first, in the catalog's order, each at most what is left of the quote.
//! The shares split what the amounts leave; a monthly share is spread evenly over the months of
//! the trajectory, one instalment per month, due at the start of each month. Each instalment's
//! BTW is the quote's BTW in proportion to its amount excl. BTW. Every amount is rounded to cents
//! half away from zero, and the last instalment given as a share (for a monthly share: its last
//! month) absorbs what the rounding of the others leaves, so the instalments add up to the
//! totals to the cent, excl. BTW, BTW and incl. BTW.

use chrono::{Days, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::computation::{Instalment, Totals};
use super::messages as msg;
use super::money::Money;
use super::timeline::Span;
use crate::catalog::Language;
use crate::catalog::terms::{DueEvent, PaymentTerms, Portion};

/// One instalment before its amounts: the catalog's term, expanded per month.
struct Part {
    due: DueEvent,
    after_months: Option<u32>,
    month: Option<u32>,
    label: String,
    event_date: Option<NaiveDate>,
    /// The catalog's share (none for a monthly part and for an amount).
    share: Option<Decimal>,
    portion: Portion,
}

/// The schedule of a quote with these totals over this span.
pub(super) fn instalments(
    terms: &PaymentTerms,
    totals: &Totals,
    span: &Span,
    language: Language,
) -> Vec<Instalment> {
    let parts = expand(terms, span, language);
    let excl = split_excl(&parts, totals.excl_vat);
    let absorber = parts
        .iter()
        .rposition(|p| matches!(p.portion, Portion::Share(_)));
    let vat = split_vat(&excl, totals, absorber);
    parts
        .into_iter()
        .zip(excl.into_iter().zip(vat))
        .enumerate()
        .map(|(i, (part, (excl_vat, vat)))| Instalment {
            label: part.label,
            due: part.due,
            after_months: part.after_months,
            month: part.month,
            term_days: terms.term_days,
            due_date: part
                .event_date
                .and_then(|d| d.checked_add_days(Days::new(terms.term_days.into()))),
            share: part.share.map(|s| s.normalize()),
            excl_vat,
            vat,
            incl_vat: excl_vat + vat,
            absorbs_rounding: Some(i) == absorber,
        })
        .collect()
}

fn expand(terms: &PaymentTerms, span: &Span, language: Language) -> Vec<Part> {
    let months = span.months.max(1);
    let mut parts = Vec::new();
    for term in &terms.instalments {
        let label = term.label.as_ref().map(|t| t.get(language));
        let share = match term.portion {
            Portion::Share(share) => Some(share),
            Portion::Amount(_) => None,
        };
        let mut part = |due, after_months, month, event_date, share, portion, label| {
            parts.push(Part {
                due,
                after_months,
                month,
                label,
                event_date,
                share,
                portion,
            })
        };
        match term.on {
            DueEvent::Monthly => {
                let each = match term.portion {
                    Portion::Share(share) => Portion::Share(share / Decimal::from(months)),
                    amount => amount,
                };
                for k in 1..=months {
                    let date = span.starts_on.checked_add_months(Months::new(k - 1));
                    let label = msg::monthly_instalment(language, label, k, months);
                    part(DueEvent::Monthly, None, Some(k), date, None, each, label);
                }
            }
            on => {
                let date = match on {
                    DueEvent::Acceptance => None,
                    DueEvent::Start => Some(span.starts_on),
                    DueEvent::End => Some(span.ends_on),
                    DueEvent::AfterMonths => span
                        .starts_on
                        .checked_add_months(Months::new(term.months.unwrap_or(0)))
                        .map(|d| d.min(span.ends_on)),
                    DueEvent::Monthly => unreachable!("handled above"),
                };
                let label = match label {
                    Some(label) => label.to_string(),
                    None => msg::instalment(language, on, term.months),
                };
                part(on, term.months, None, date, share, term.portion, label);
            }
        }
    }
    parts
}

/// The amounts excl. BTW: fixed amounts first, then the shares of what they leave, the last
/// share taking the rounding.
fn split_excl(parts: &[Part], total: Money) -> Vec<Money> {
    let mut left = total;
    let mut excl: Vec<Money> = parts
        .iter()
        .map(|part| match part.portion {
            Portion::Amount(amount) => {
                let taken = Money::round(amount).min(left).max(Money::ZERO);
                left = left - taken;
                taken
            }
            Portion::Share(_) => Money::ZERO,
        })
        .collect();
    let shares: Vec<(usize, Decimal)> = parts
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p.portion {
            Portion::Share(share) => Some((i, share / Decimal::ONE_HUNDRED)),
            Portion::Amount(_) => None,
        })
        .collect();
    for (i, amount) in allocate(left, &shares) {
        excl[i] = amount;
    }
    excl
}

/// The BTW of each instalment: the quote's BTW in proportion to its amount.
fn split_vat(excl: &[Money], totals: &Totals, absorber: Option<usize>) -> Vec<Money> {
    let mut vat = vec![Money::ZERO; excl.len()];
    let Some(absorber) = absorber else {
        return vat;
    };
    let total = totals.excl_vat.amount();
    let mut weights: Vec<(usize, Decimal)> = excl
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != absorber)
        .map(|(i, amount)| {
            let weight = if total.is_zero() {
                Decimal::ZERO
            } else {
                amount.amount() / total
            };
            (i, weight)
        })
        .collect();
    weights.push((absorber, Decimal::ZERO));
    for (i, amount) in allocate(totals.vat, &weights) {
        vat[i] = amount;
    }
    vat
}

/// Splits `total` by the fractions given; the last entry takes what the others leave. Each of
/// the others is rounded half away from zero; should that leave the last one below zero (only
/// for a tiny total spread over many parts), they are rounded towards zero instead.
fn allocate(total: Money, fractions: &[(usize, Decimal)]) -> Vec<(usize, Money)> {
    let Some(((last, _), others)) = fractions.split_last() else {
        return Vec::new();
    };
    for strategy in [
        RoundingStrategy::MidpointAwayFromZero,
        RoundingStrategy::ToZero,
    ] {
        let mut parts: Vec<(usize, Money)> = others
            .iter()
            .map(|(i, fraction)| {
                let value = (total.amount() * fraction).round_dp_with_strategy(2, strategy);
                (*i, Money::round(value))
            })
            .collect();
        let rest = total - parts.iter().map(|(_, m)| *m).sum();
        if !rest.is_negative() || strategy == RoundingStrategy::ToZero {
            parts.push((*last, rest));
            return parts;
        }
    }
    unreachable!("the loop returns on its last strategy")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::round(s.parse().unwrap())
    }

    fn share(s: &str) -> Decimal {
        s.parse::<Decimal>().unwrap() / Decimal::ONE_HUNDRED
    }

    #[test]
    fn the_last_part_takes_the_rounding() {
        let parts = allocate(
            m("100.00"),
            &[
                (0, share("33.33")),
                (1, share("33.33")),
                (2, share("33.34")),
            ],
        );
        assert_eq!(
            parts,
            vec![(0, m("33.33")), (1, m("33.33")), (2, m("33.34"))]
        );
        let parts = allocate(m("0.05"), &[(0, share("50")), (1, share("50"))]);
        assert_eq!(parts, vec![(0, m("0.03")), (1, m("0.02"))]);
    }

    #[test]
    fn a_tiny_total_over_many_parts_never_leaves_the_last_below_zero() {
        // Ten parts of 0.005 each round up to 0.01: nine of them would take 0.09 of 0.05.
        let fractions: Vec<(usize, Decimal)> = (0..10).map(|i| (i, share("10"))).collect();
        let parts = allocate(m("0.05"), &fractions);
        assert!(parts.iter().all(|(_, p)| !p.is_negative()), "{parts:?}");
        assert_eq!(parts.iter().map(|(_, p)| *p).sum::<Money>(), m("0.05"));
        assert_eq!(parts.last(), Some(&(9, m("0.05"))));
    }

    #[test]
    fn amounts_come_first_and_never_exceed_what_is_left() {
        let part = |portion| Part {
            due: DueEvent::Start,
            after_months: None,
            month: None,
            label: String::new(),
            event_date: None,
            share: None,
            portion,
        };
        let parts = [
            part(Portion::Amount("1000".parse().unwrap())),
            part(Portion::Amount("800".parse().unwrap())),
            part(Portion::Share(Decimal::ONE_HUNDRED)),
        ];
        assert_eq!(
            split_excl(&parts, m("1500.00")),
            vec![m("1000.00"), m("500.00"), m("0.00")]
        );
        assert_eq!(
            split_excl(&parts, m("2500.00")),
            vec![m("1000.00"), m("800.00"), m("700.00")]
        );
    }
}
