//! The legal clock of the Wet verbetering poortwachter, counted from the first sick day.
//!
//! Convention: the waiting period's last day is the first sick day + 104 weeks − 1 day
//! (first sick day Monday 2025-01-06 → last day Sunday 2027-01-03). Week 1 of sickness starts
//! on the first sick day. A trajectory of N months starting on day S ends on S + N months − 1
//! day (the end of a shorter month clamps: 31 January + 1 month → 28/29 February).

use chrono::{Days, Months, NaiveDate};

/// The last day of the statutory waiting period.
pub fn statutory_waiting_period_end(first_sick_day: NaiveDate) -> Option<NaiveDate> {
    first_sick_day.checked_add_days(Days::new(104 * 7 - 1))
}

/// The week of sickness `day` falls in (week 1 starts on the first sick day). `day` must not
/// lie before the first sick day.
pub fn week_of_sickness(first_sick_day: NaiveDate, day: NaiveDate) -> u32 {
    let days = (day - first_sick_day).num_days().max(0);
    u32::try_from(days / 7 + 1).unwrap_or(u32::MAX)
}

/// The first day of week `week` of sickness.
pub fn start_of_week(first_sick_day: NaiveDate, week: u32) -> Option<NaiveDate> {
    first_sick_day.checked_add_days(Days::new(u64::from(week.saturating_sub(1)) * 7))
}

/// The last day of a trajectory of `months` months that starts on `start`.
pub fn end_after_months(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start
        .checked_add_months(Months::new(months))?
        .checked_sub_days(Days::new(1))
}

/// The number of (whole or partial) months from `start` up to and including `last_day`: the
/// smallest N whose N-month trajectory reaches `last_day`.
pub fn months_covering(start: NaiveDate, last_day: NaiveDate) -> u32 {
    let mut months = 1;
    while end_after_months(start, months).is_some_and(|end| end < last_day) {
        months += 1;
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn waiting_period_ends_104_weeks_minus_a_day_later() {
        for (first, end) in [
            ("2025-01-06", "2027-01-03"),
            ("2024-02-29", "2026-02-25"),
            ("2024-12-31", "2026-12-28"),
            ("2026-01-05", "2028-01-02"),
        ] {
            assert_eq!(
                statutory_waiting_period_end(d(first)),
                Some(d(end)),
                "{first}"
            );
        }
    }

    #[test]
    fn weeks_count_from_one() {
        let first = d("2025-01-06");
        assert_eq!(week_of_sickness(first, first), 1);
        assert_eq!(week_of_sickness(first, d("2025-01-12")), 1);
        assert_eq!(week_of_sickness(first, d("2025-01-13")), 2);
        assert_eq!(week_of_sickness(first, d("2025-03-03")), 9);
        assert_eq!(week_of_sickness(first, d("2027-01-03")), 104);
        assert_eq!(start_of_week(first, 8), Some(d("2025-02-24")));
    }

    #[test]
    fn months_clamp_and_cover() {
        assert_eq!(end_after_months(d("2026-01-31"), 1), Some(d("2026-02-27")));
        assert_eq!(end_after_months(d("2026-03-01"), 3), Some(d("2026-05-31")));
        assert_eq!(end_after_months(d("2024-02-29"), 12), Some(d("2025-02-27")));
        assert_eq!(months_covering(d("2026-03-01"), d("2026-05-31")), 3);
        assert_eq!(months_covering(d("2026-03-01"), d("2026-06-01")), 4);
        assert_eq!(months_covering(d("2026-03-01"), d("2026-03-01")), 1);
    }
}
