//! The time as the services read it: the system's clock in the service, a fixed one in
//! tests of the services' decisions.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

/// The clock of one operation: the date in the Netherlands and the instant. Days are Dutch
/// days whatever the server's time zone: a catalog version takes effect at 00:00 in Amsterdam,
/// a quote is dated on the day it is in the Netherlands.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub today: NaiveDate,
    pub at: DateTime<Utc>,
}

impl Now {
    pub fn current() -> Now {
        // Microseconds: what PostgreSQL keeps, so a stored time reads back equal.
        let at = Utc::now().trunc_subsecs(6);
        Now {
            today: amsterdam(at).date_naive(),
            at,
        }
    }
}

/// Where a service reads the time: the system clock in the service, a fixed one in tests.
pub trait Clock: Send + Sync {
    fn now(&self) -> Now;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Now {
        Now::current()
    }
}

/// An instant as a clock in the Netherlands shows it, with its offset: CET (+01:00), or CEST
/// (+02:00) from the last Sunday of March, 01:00 UTC, until the last Sunday of October, 01:00
/// UTC (the EU's summer-time rule, Directive 2000/84/EC, in force since 1996). Steps in a
/// quote's history are shown so, for people who read Dutch clocks.
pub fn amsterdam(at: DateTime<Utc>) -> DateTime<chrono::FixedOffset> {
    use chrono::{Datelike, FixedOffset, TimeZone};
    let year = at.year();
    let summer = last_sunday_01_utc(year, 3)..last_sunday_01_utc(year, 10);
    let hours = if summer.contains(&at) { 2 } else { 1 };
    let offset = FixedOffset::east_opt(hours * 3600).expect("a valid offset");
    offset.from_utc_datetime(&at.naive_utc())
}

/// 01:00 UTC on the last Sunday of `month`.
fn last_sunday_01_utc(year: i32, month: u32) -> DateTime<Utc> {
    use chrono::{Datelike, Weekday};
    let last = NaiveDate::from_ymd_opt(year, month, 31).expect("March and October have 31 days");
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - chrono::Days::new(u64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    sunday.and_hms_opt(1, 0, 0).expect("a valid time").and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    /// The switches of 2026 (29 March, 25 October) and 2027 (28 March, 31 October), to the
    /// second, against what a Dutch clock showed.
    #[test]
    fn dutch_clocks_switch_on_the_last_sundays_at_one_utc() {
        let cases = [
            ("2026-01-15T12:00:00Z", "2026-01-15T13:00:00+01:00"),
            ("2026-03-29T00:59:59Z", "2026-03-29T01:59:59+01:00"),
            ("2026-03-29T01:00:00Z", "2026-03-29T03:00:00+02:00"),
            ("2026-07-01T22:30:00Z", "2026-07-02T00:30:00+02:00"),
            ("2026-10-25T00:59:59Z", "2026-10-25T02:59:59+02:00"),
            ("2026-10-25T01:00:00Z", "2026-10-25T02:00:00+01:00"),
            ("2026-12-31T23:30:00Z", "2027-01-01T00:30:00+01:00"),
            ("2027-03-28T01:00:00Z", "2027-03-28T03:00:00+02:00"),
            ("2027-10-31T00:59:59Z", "2027-10-31T02:59:59+02:00"),
            ("2027-10-31T01:00:00Z", "2027-10-31T02:00:00+01:00"),
        ];
        for (at, shown) in cases {
            assert_eq!(amsterdam(utc(at)).to_rfc3339(), shown, "{at}");
            assert_eq!(amsterdam(utc(at)).to_utc(), utc(at), "the same instant");
        }
    }
}
