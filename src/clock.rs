//! The time as the services read it: the system's clock in the service, a fixed one in
//! tests of the services' decisions.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

/// The clock of one operation: the local date and the instant.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub today: NaiveDate,
    pub at: DateTime<Utc>,
}

impl Now {
    pub fn current() -> Now {
        Now {
            today: chrono::Local::now().date_naive(),
            // Microseconds: what PostgreSQL keeps, so a stored time reads back equal.
            at: Utc::now().trunc_subsecs(6),
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
