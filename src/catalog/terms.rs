//! The commercial terms of a catalog, beside its prices: when what is invoiced (the payment
//! schedule), what is owed when a trajectory ends early, and the fee due only on placement.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::vocabulary::Text;

/// The moment an instalment falls due (before the payment term).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DueEvent {
    /// When the employer accepts the quote (the date is not known when quoting).
    Acceptance,
    /// On the first day of the trajectory.
    Start,
    /// N months after the start (at the end when the trajectory is shorter).
    AfterMonths,
    /// On the last day of the trajectory.
    End,
    /// At the start of every month of the trajectory, in advance.
    Monthly,
}

impl DueEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            DueEvent::Acceptance => "acceptance",
            DueEvent::Start => "start",
            DueEvent::AfterMonths => "after_months",
            DueEvent::End => "end",
            DueEvent::Monthly => "monthly",
        }
    }
}

/// How much of the quote an instalment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Portion {
    /// A percentage of what the fixed amounts leave (they add up to 100).
    Share(Decimal),
    /// A fixed amount excl. BTW (never more than what is left of the quote).
    Amount(Decimal),
}

/// One instalment as the catalog writes it. A monthly one becomes one instalment per month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalmentTerm {
    pub on: DueEvent,
    /// For [`DueEvent::AfterMonths`]: after how many months.
    pub months: Option<u32>,
    pub portion: Portion,
    /// The label on the quote; without one the engine words it from the event.
    pub label: Option<Text>,
}

/// When what is invoiced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentTerms {
    /// Days between the due event and the payment date.
    pub term_days: u32,
    pub instalments: Vec<InstalmentTerm>,
}

impl PaymentTerms {
    /// Days of the default payment term.
    pub const DEFAULT_TERM_DAYS: u32 = 14;

    /// Without a `[payment]` table: the whole quote on acceptance, payable in 14 days.
    pub fn default_terms() -> PaymentTerms {
        PaymentTerms {
            term_days: Self::DEFAULT_TERM_DAYS,
            instalments: vec![InstalmentTerm {
                on: DueEvent::Acceptance,
                months: None,
                portion: Portion::Share(Decimal::ONE_HUNDRED),
                label: None,
            }],
        }
    }
}

/// What is owed of a line when the trajectory ends after some months of the planned ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Owed {
    /// The whole amount, from the first month.
    #[default]
    InFull,
    /// The part of the months begun: amount × months begun / months planned.
    ProRata,
}

/// The early-end policy. Lines priced per month or per hour per month are always owed by the
/// months begun, and lines priced per period by the periods begun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarlyEndTerms {
    /// Lines with a fixed quantity (intake, reports, training): default in full.
    pub fixed: Owed,
    /// Bundle, minimum and length-cap adjustments: default pro rata.
    pub adjustments: Owed,
}

impl Default for EarlyEndTerms {
    fn default() -> Self {
        EarlyEndTerms {
            fixed: Owed::InFull,
            adjustments: Owed::ProRata,
        }
    }
}

/// A fee due only when the employee is placed in work: contingent, so never in the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessFeeTerms {
    /// The item priced (its unit price and BTW category).
    pub item: String,
    pub quantity: Decimal,
    /// When it is due, in words (e.g. "on a contract of at least six months").
    pub condition: Text,
}
