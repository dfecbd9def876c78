//! A clock that moves only when a test moves it.

use chrono::{Days, NaiveDate, NaiveTime};
use std::sync::{Arc, Mutex};

use super::lock;
use crate::clock::{Clock, Now};

/// A clock that shows one moment until it is moved.
#[derive(Debug)]
pub(crate) struct FixedClock(Mutex<Now>);

impl FixedClock {
    /// Noon (UTC) of `today`.
    pub fn at(today: NaiveDate) -> Arc<FixedClock> {
        Arc::new(FixedClock(Mutex::new(noon(today))))
    }

    /// Moves the clock `days` on, to noon of that day.
    pub fn advance(&self, days: u64) {
        let mut now = lock(&self.0);
        *now = noon(now.today + Days::new(days));
    }

    /// Moves the clock to noon of `today`.
    pub fn set(&self, today: NaiveDate) {
        *lock(&self.0) = noon(today);
    }
}

fn noon(today: NaiveDate) -> Now {
    Now {
        today,
        at: today
            .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap())
            .and_utc(),
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Now {
        *lock(&self.0)
    }
}
