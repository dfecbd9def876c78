//! The view of a quote's commercial terms: the payment schedule, what is owed on an early end,
//! and the success fee. Texts in the document's language, amounts and dates formatted.

use chrono::NaiveDate;
use serde::Serialize;

use super::format;
use super::messages::Labels;
use crate::pricing::Computation;

/// One instalment as printed.
#[derive(Debug, Clone, Serialize)]
pub struct InstalmentView {
    pub label: String,
    /// The payment date, or when it falls due if that is not known yet ("14 days after
    /// acceptance").
    pub when: String,
    /// `50%`, or empty for an amount or a month of a monthly share.
    pub share: String,
    pub excl_vat: String,
    pub vat: String,
    pub incl_vat: String,
    /// This instalment takes the cents of rounding (marked on the page).
    pub absorbs_rounding: bool,
}

/// What is owed if the trajectory ends after a month.
#[derive(Debug, Clone, Serialize)]
pub struct EarlyEndView {
    pub after_month: u32,
    pub excl_vat: String,
    pub incl_vat: String,
    /// The last row: the whole quote.
    pub last: bool,
}

/// The fee due only on placement.
#[derive(Debug, Clone, Serialize)]
pub struct SuccessFeeView {
    pub name: String,
    pub description: String,
    pub condition: String,
    pub excl_vat: String,
    /// `Btw 21%` / `VAT 21%`.
    pub vat_label: String,
    pub vat: String,
    pub incl_vat: String,
    pub exempt_reason: Option<String>,
}

/// The terms of `c` for the document.
pub struct Terms {
    pub schedule: Vec<InstalmentView>,
    /// The payment term in words, e.g. "Payment within 14 days of the moment shown."
    pub schedule_note: String,
    pub early_end: Vec<EarlyEndView>,
    pub success_fee: Option<SuccessFeeView>,
}

pub fn build(c: &Computation, labels: &Labels) -> Terms {
    let language = c.language;
    let money = |m| format::money(m, language);
    let day = |d: NaiveDate| format::date(d, &labels.month_names);
    let days = |n: u32| n.to_string();
    let schedule = c
        .payment_schedule
        .iter()
        .map(|i| InstalmentView {
            label: i.label.clone(),
            when: match i.due_date {
                Some(date) => day(date),
                None if i.term_days == 0 => labels.text("due_on_acceptance"),
                None => labels
                    .text("due_after_acceptance")
                    .replace("{days}", &days(i.term_days)),
            },
            share: i
                .share
                .map(|s| format::percent(s, language))
                .unwrap_or_default(),
            excl_vat: money(i.excl_vat),
            vat: money(i.vat),
            incl_vat: money(i.incl_vat),
            absorbs_rounding: i.absorbs_rounding,
        })
        .collect();
    let term = c.payment_schedule.first().map_or(0, |i| i.term_days);
    let schedule_note = labels.text("schedule_note").replace("{days}", &days(term));
    let last = c.early_end.len();
    let early_end = c
        .early_end
        .iter()
        .map(|r| EarlyEndView {
            after_month: r.after_month,
            excl_vat: money(r.excl_vat),
            incl_vat: money(r.incl_vat),
            last: r.after_month as usize == last,
        })
        .collect();
    let success_fee = c.success_fee.as_ref().map(|f| SuccessFeeView {
        name: f.name.clone(),
        description: f.description.clone(),
        condition: f.condition.clone(),
        excl_vat: money(f.excl_vat),
        vat_label: format!(
            "{} {}",
            labels.text("col_vat"),
            format::percent(f.vat_rate, language)
        ),
        vat: money(f.vat),
        incl_vat: money(f.incl_vat),
        exempt_reason: f.vat_exempt_reason.clone(),
    });
    Terms {
        schedule,
        schedule_note,
        early_end,
        success_fee,
    }
}
