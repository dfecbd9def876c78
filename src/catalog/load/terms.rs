//! The commercial terms: payment schedules, the early-end policy and success fees.

use rust_decimal::Decimal;
use std::collections::BTreeMap;

use super::Ctx;
use crate::catalog::file::{EarlyEndFile, Exact, PaymentFile, SuccessFeeFile};
use crate::catalog::model::Unit;
use crate::catalog::terms::{
    DueEvent, EarlyEndTerms, InstalmentTerm, PaymentTerms, Portion, SuccessFeeTerms,
};

/// The longest payment term accepted, in days.
const MAX_TERM_DAYS: u32 = 365;
/// The latest month an `after_months` instalment may name.
const MAX_AFTER_MONTHS: u32 = 48;

impl Ctx<'_> {
    /// A payment schedule: shares that add up to exactly 100 (of what the fixed amounts leave),
    /// at least one of them (it absorbs the rounding), each instalment's event complete.
    pub(super) fn payment(&mut self, path: &str, file: PaymentFile) -> PaymentTerms {
        let term_days = file.term_days.unwrap_or(PaymentTerms::DEFAULT_TERM_DAYS);
        if term_days > MAX_TERM_DAYS {
            self.problem(
                format!("{path}.term_days"),
                format!("must be 0 to {MAX_TERM_DAYS} days (is {term_days})"),
            );
        }
        if file.instalments.is_empty() {
            self.problem(
                format!("{path}.instalments"),
                "a payment schedule needs at least one instalment",
            );
        }
        let mut instalments = Vec::new();
        let mut shares = Decimal::ZERO;
        for (i, file) in file.instalments.into_iter().enumerate() {
            let at = format!("{path}.instalments[{i}]");
            match (file.on, file.months) {
                (DueEvent::AfterMonths, Some(m)) if (1..=MAX_AFTER_MONTHS).contains(&m) => {}
                (DueEvent::AfterMonths, Some(m)) => self.problem(
                    format!("{at}.months"),
                    format!("must be 1 to {MAX_AFTER_MONTHS} (is {m})"),
                ),
                (DueEvent::AfterMonths, None) => self.problem(
                    format!("{at}.months"),
                    "`on = \"after_months\"` needs `months`: after how many months",
                ),
                (_, Some(_)) => self.problem(
                    format!("{at}.months"),
                    "only `on = \"after_months\"` takes `months`",
                ),
                (_, None) => {}
            }
            let portion = match (file.share, file.amount) {
                (Some(Exact(share)), None) => {
                    if share <= Decimal::ZERO || share > Decimal::ONE_HUNDRED {
                        self.problem(
                            format!("{at}.share"),
                            format!("a share is a percentage above 0, at most 100 (is {share})"),
                        );
                    }
                    shares += share;
                    Portion::Share(share)
                }
                (None, Some(Exact(amount))) => {
                    if amount <= Decimal::ZERO {
                        self.problem(
                            format!("{at}.amount"),
                            format!("an amount must be above 0 (is {amount})"),
                        );
                    }
                    if file.on == DueEvent::Monthly {
                        self.problem(
                            format!("{at}.amount"),
                            "a monthly instalment is a `share`, spread over the months",
                        );
                    }
                    Portion::Amount(amount)
                }
                _ => {
                    self.problem(at.clone(), "give exactly one of `share` or `amount`");
                    continue;
                }
            };
            if let Some(label) = &file.label {
                self.text(&format!("{at}.label"), label);
            }
            instalments.push(InstalmentTerm {
                on: file.on,
                months: file.months,
                portion,
                label: file.label,
            });
        }
        let has_share = instalments
            .iter()
            .any(|i| matches!(i.portion, Portion::Share(_)));
        if !instalments.is_empty() && !has_share {
            self.problem(
                format!("{path}.instalments"),
                "at least one instalment must be a `share`: it takes what the amounts leave \
                 and absorbs the rounding",
            );
        } else if has_share && shares != Decimal::ONE_HUNDRED {
            self.problem(
                format!("{path}.instalments"),
                format!("the shares add up to {shares}, not 100"),
            );
        }
        PaymentTerms {
            term_days,
            instalments,
        }
    }

    pub(super) fn early_end(&mut self, file: Option<EarlyEndFile>) -> EarlyEndTerms {
        let default = EarlyEndTerms::default();
        match file {
            None => default,
            Some(f) => EarlyEndTerms {
                fixed: f.fixed.unwrap_or(default.fixed),
                adjustments: f.adjustments.unwrap_or(default.adjustments),
            },
        }
    }

    pub(super) fn success_fee(
        &mut self,
        path: &str,
        file: SuccessFeeFile,
        units: &BTreeMap<String, Unit>,
    ) -> SuccessFeeTerms {
        if !units.contains_key(&file.item) {
            self.problem(
                format!("{path}.item"),
                format!("unknown item `{}`", file.item),
            );
        }
        let quantity = file.quantity.map_or(Decimal::ONE, |q| q.0);
        if quantity <= Decimal::ZERO {
            self.problem(
                format!("{path}.quantity"),
                format!("must be above 0 (is {quantity})"),
            );
        }
        self.text(&format!("{path}.condition"), &file.condition);
        SuccessFeeTerms {
            item: file.item,
            quantity,
            condition: file.condition,
        }
    }
}
