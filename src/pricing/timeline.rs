//! The checked dates of a case: the waiting period (statutory or extended), the start, when each
//! tier would run, the warnings and the timeline of the legal clock.

use chrono::{Days, NaiveDate};

use super::circumstances::Circumstances;
use super::clock;
use super::computation::{Milestone, Timeline, Warning};
use super::error::{FieldError, InputError};
use super::messages as msg;
use crate::catalog::{Language, Tier, TierDuration};

/// The earliest first sick day the service accepts.
const EARLIEST_FIRST_SICK_DAY: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
/// How far an explicit waiting-period end may lie past the statutory one: a loonsanctie
/// (up to 52 weeks) plus a voluntary extension (up to 52 weeks).
const MAX_EXTENSION_WEEKS: u64 = 104;

/// When a tier would run.
pub(super) struct Span {
    pub(super) starts_on: NaiveDate,
    pub(super) ends_on: NaiveDate,
    pub(super) months: u32,
}

/// The checked dates of a case.
pub(super) struct Clock {
    first_sick_day: NaiveDate,
    pub(super) statutory: NaiveDate,
    pub(super) wpe: NaiveDate,
    start: NaiveDate,
    pub(super) start_week: u32,
    pub(super) months_available: u32,
}

impl Clock {
    pub(super) fn new(
        input: &Circumstances,
        quote_date: NaiveDate,
        today: NaiveDate,
    ) -> Result<Clock, InputError> {
        let first = input.first_sick_day;
        let mut errors = Vec::new();
        let mut refuse = |field: &str, code: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                code: code.into(),
                message,
            })
        };
        if first < EARLIEST_FIRST_SICK_DAY {
            refuse(
                "first_sick_day",
                "out_of_range",
                format!("must be {EARLIEST_FIRST_SICK_DAY} or later"),
            );
        }
        if first > quote_date {
            refuse(
                "first_sick_day",
                "after_quote_date",
                format!(
                    "lies after the quote date ({quote_date}); a quote is for someone who is already sick"
                ),
            );
        }
        let statutory = clock::statutory_waiting_period_end(first).unwrap_or(NaiveDate::MAX);
        let latest = statutory
            .checked_add_days(Days::new(MAX_EXTENSION_WEEKS * 7))
            .unwrap_or(NaiveDate::MAX);
        let wpe = match input.waiting_period_end {
            Some(end) if end < statutory => {
                refuse(
                    "waiting_period_end",
                    "before_statutory_end",
                    format!(
                        "lies before the statutory end of the waiting period ({statutory}); only a later end can be given"
                    ),
                );
                statutory
            }
            Some(end) if end > latest => {
                refuse(
                    "waiting_period_end",
                    "too_late",
                    format!(
                        "lies more than {MAX_EXTENSION_WEEKS} weeks after the statutory end ({statutory})"
                    ),
                );
                statutory
            }
            Some(end) => end,
            None => statutory,
        };
        let start = input.start_date.unwrap_or(today);
        if start < first {
            refuse(
                "start_date",
                "before_first_sick_day",
                format!("lies before the first sick day ({first})"),
            );
        } else if start >= wpe {
            refuse(
                "start_date",
                "after_waiting_period",
                format!(
                    "the trajectory would start on {start}, on or after the end of the waiting period ({wpe}): \
                     that is no longer a second-track trajectory"
                ),
            );
        }
        if !errors.is_empty() {
            return Err(InputError { errors });
        }
        Ok(Clock {
            first_sick_day: first,
            statutory,
            wpe,
            start,
            start_week: clock::week_of_sickness(first, start),
            months_available: clock::months_covering(start, wpe),
        })
    }

    pub(super) fn extended(&self) -> bool {
        self.wpe != self.statutory
    }

    pub(super) fn span(&self, tier: &Tier) -> Span {
        match tier.duration {
            TierDuration::Months(months) => Span {
                starts_on: self.start,
                ends_on: clock::end_after_months(self.start, months).unwrap_or(NaiveDate::MAX),
                months,
            },
            TierDuration::UntilWaitingPeriodEnd => Span {
                starts_on: self.start,
                ends_on: self.wpe,
                months: self.months_available,
            },
        }
    }

    pub(super) fn fits(&self, span: &Span) -> bool {
        span.ends_on <= self.wpe
    }

    pub(super) fn warnings(&self, language: Language, quote_date: NaiveDate) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if self.start_week < 8 {
            warnings.push(Warning {
                code: "early_start".into(),
                message: msg::early_start(language, self.start_week),
            });
        }
        if self.start_week > 52 {
            warnings.push(Warning {
                code: "late_start".into(),
                message: msg::late_start(language, self.start_week),
            });
        }
        if self.start < quote_date {
            warnings.push(Warning {
                code: "started_before_quote".into(),
                message: msg::started_before_quote(language, self.start, quote_date),
            });
        }
        warnings
    }

    pub(super) fn timeline(&self, language: Language, span: &Span) -> Timeline {
        let mut milestones: Vec<Milestone> = msg::MILESTONES
            .iter()
            .filter_map(|(week, code, nl, en)| {
                Some(Milestone {
                    week: *week,
                    date: clock::start_of_week(self.first_sick_day, *week)?,
                    code: (*code).into(),
                    label: msg::milestone_label(language, nl, en),
                })
            })
            .collect();
        milestones.push(Milestone {
            week: clock::week_of_sickness(self.first_sick_day, self.wpe),
            date: self.wpe,
            code: "einde_wachttijd".into(),
            label: msg::waiting_period_end_label(language),
        });
        Timeline {
            first_sick_day: self.first_sick_day,
            waiting_period_end: self.wpe,
            statutory_waiting_period_end: self.statutory,
            waiting_period_extended: self.extended(),
            start_week: self.start_week,
            trajectory_starts_on: span.starts_on,
            trajectory_ends_on: span.ends_on,
            months_available: self.months_available,
            milestones,
        }
    }
}
