//! The employee's written consent, and what it means for the deduction from the
//! transitievergoeding. The Besluit voorwaarden in mindering brengen kosten op
//! transitievergoeding (Stb. 2015, 171), article 2(1), lets the employer deduct re-integration
//! costs only when they were made after they were specified in writing to the employee (a) and
//! after the employee consented in writing to their deduction (b). So what counts is the day
//! consent was given, against the day the trajectory (and its costs) started.
//!
//! Pure: the dates in, the timing out. Days are Dutch calendar days (the consent's instant read
//! on a Dutch clock).

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::amsterdam;

vocabulary! {
    /// Where the employee's consent to the deduction is.
    pub ConsentStatus {
        /// Asked, not answered (or not asked yet).
        Pending => "pending",
        Given => "given",
        Declined => "declined",
    }
}

/// The reasons of the events that record the consent (the event's `reason` starts with them; a
/// decline's reason follows after `: `).
pub const CONSENT_ASKED: &str = "employee consent asked";
pub const CONSENT_GIVEN: &str = "employee consent given";
pub const CONSENT_DECLINED: &str = "employee consent declined";

/// Whether an event's reason records the consent (asked, given or declined).
pub fn is_consent_reason(reason: &str) -> bool {
    reason.starts_with("employee consent ")
}

/// The consent as a quote row keeps it: written by a change, read back with the quote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsentRecord {
    /// `None`: nobody asked.
    pub status: Option<ConsentStatus>,
    /// When a consent link was last made.
    pub asked_at: Option<DateTime<Utc>>,
    /// When the employee answered.
    pub at: Option<DateTime<Utc>>,
    /// The SHA-256 of the cost specification the employee was shown (the last one asked with,
    /// then the one answered).
    pub specification_sha256: Option<String>,
}

/// The employee's consent to deducting the quoted costs from the transitievergoeding, as the
/// quote shows it: shown once consent was asked or the quote was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmployeeConsent {
    pub status: ConsentStatus,
    /// When the employee was last asked (a consent link made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_at: Option<DateTime<Utc>>,
    /// When the employee answered (given or declined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    /// The SHA-256 of the cost specification the employee was shown (archived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specification_sha256: Option<String>,
    /// The trajectory started before consent was given (or has started while it is pending):
    /// costs made before consent cannot be deducted.
    pub started_before_consent: bool,
    /// The first day whose costs may be deducted; absent while pending and when declined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deductible_from: Option<NaiveDate>,
}

impl EmployeeConsent {
    /// What a quote whose trajectory starts on `start`, `accepted` or not, shows on `today` of
    /// the consent its row keeps: nothing while nobody asked and the quote is not accepted.
    /// Without a day (storage reads no clock), a pending consent is not flagged yet: the
    /// services see every quote again on their own day ([`crate::quotes::model::Quote::seen_on`]).
    pub fn shown(
        record: &ConsentRecord,
        accepted: bool,
        start: NaiveDate,
        today: Option<NaiveDate>,
    ) -> Option<EmployeeConsent> {
        let status = match record.status {
            Some(status) => status,
            None if accepted => ConsentStatus::Pending,
            None => return None,
        };
        let timing = timing(start, status, record.at, today);
        Some(EmployeeConsent {
            status,
            asked_at: record.asked_at,
            at: record.at,
            specification_sha256: record.specification_sha256.clone(),
            started_before_consent: timing.started_before_consent,
            deductible_from: timing.deductible_from,
        })
    }

    /// The record this view was made from.
    pub fn record(&self) -> ConsentRecord {
        ConsentRecord {
            status: Some(self.status),
            asked_at: self.asked_at,
            at: self.at,
            specification_sha256: self.specification_sha256.clone(),
        }
    }

    /// Whether the employee's answer is in (a given consent is final; a declined one may be
    /// asked again).
    pub fn is_given(&self) -> bool {
        self.status == ConsentStatus::Given
    }
}

/// When costs count against the transitievergoeding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct ConsentTiming {
    /// The trajectory started on or before the day consent was given (or, while consent is
    /// pending, it has started already): costs made before consent cannot be deducted.
    pub started_before_consent: bool,
    /// The first day whose costs may be deducted: the trajectory's start when consent came
    /// before it, else the day after the consent (costs of the consent's own day are not
    /// counted: the day does not say whether they came before or after the consent). `None`
    /// while consent is pending, and when it was declined.
    pub deductible_from: Option<NaiveDate>,
}

/// The timing of a trajectory starting on `start`, with consent in `status` (given at
/// `given_at`), seen on `today` (none: a pending consent is not flagged).
pub fn timing(
    start: NaiveDate,
    status: ConsentStatus,
    given_at: Option<DateTime<Utc>>,
    today: Option<NaiveDate>,
) -> ConsentTiming {
    match (status, given_at) {
        (ConsentStatus::Given, Some(at)) => {
            let day = amsterdam(at).date_naive();
            if start > day {
                ConsentTiming {
                    started_before_consent: false,
                    deductible_from: Some(start),
                }
            } else {
                ConsentTiming {
                    started_before_consent: true,
                    deductible_from: day.checked_add_days(Days::new(1)),
                }
            }
        }
        (ConsentStatus::Declined, _) => ConsentTiming {
            started_before_consent: false,
            deductible_from: None,
        },
        // Pending (or given without a time, which storage never holds): nothing counts yet.
        _ => ConsentTiming {
            started_before_consent: today.is_some_and(|today| start <= today),
            deductible_from: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn what_counts_depends_on_the_day_of_consent() {
        let today = day("2026-12-04");
        let cases = [
            // Consent before the start: everything from the start counts.
            (
                "2026-12-10",
                ConsentStatus::Given,
                Some("2026-12-01T10:00:00Z"),
                false,
                Some("2026-12-10"),
            ),
            // Consent on the start day: that day's costs do not count.
            (
                "2026-12-01",
                ConsentStatus::Given,
                Some("2026-12-01T10:00:00Z"),
                true,
                Some("2026-12-02"),
            ),
            // Started a month before consent.
            (
                "2026-11-01",
                ConsentStatus::Given,
                Some("2026-12-01T10:00:00Z"),
                true,
                Some("2026-12-02"),
            ),
            // 23:30 UTC on 30 November is 1 December on a Dutch clock.
            (
                "2026-12-01",
                ConsentStatus::Given,
                Some("2026-11-30T23:30:00Z"),
                true,
                Some("2026-12-02"),
            ),
            (
                "2026-12-02",
                ConsentStatus::Given,
                Some("2026-11-30T23:30:00Z"),
                false,
                Some("2026-12-02"),
            ),
            // Pending: nothing counts; started already, or not.
            ("2026-11-01", ConsentStatus::Pending, None, true, None),
            ("2026-12-10", ConsentStatus::Pending, None, false, None),
            // Declined: nothing counts, ever.
            (
                "2026-11-01",
                ConsentStatus::Declined,
                Some("2026-12-01T10:00:00Z"),
                false,
                None,
            ),
        ];
        for (start, status, given, before, from) in cases {
            let timing = timing(day(start), status, given.map(at), Some(today));
            assert_eq!(
                (timing.started_before_consent, timing.deductible_from),
                (before, from.map(day)),
                "{start} {status} {given:?}"
            );
        }
    }

    proptest! {
        /// With consent given, the first deductible day is never on or before the consent's
        /// day, never before the start, and is the start exactly when the trajectory started
        /// after the consent.
        #[test]
        fn deductible_days_come_after_consent_and_from_the_start(
            start_offset in -400i64..400,
            seconds in 0i64..(3 * 365 * 86_400),
        ) {
            let given = at("2026-01-01T00:00:00Z") + chrono::TimeDelta::seconds(seconds);
            let consent_day = amsterdam(given).date_naive();
            let start = consent_day + chrono::TimeDelta::days(start_offset);
            let t = timing(start, ConsentStatus::Given, Some(given), Some(consent_day));
            let from = t.deductible_from.unwrap();
            prop_assert!(from > consent_day);
            prop_assert!(from >= start);
            prop_assert_eq!(from == start, !t.started_before_consent);
        }
    }
}
