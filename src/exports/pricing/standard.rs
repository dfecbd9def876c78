//! The standard case every tier is priced with, and the variations priced beside it.

use chrono::{Days, NaiveDate};

use crate::catalog::{Catalog, Intensity, Language, Readiness, Schooling};
use crate::pricing::Circumstances;

/// Weeks of sickness before the standard start: it falls in week 9.
const WEEKS_BEFORE_START: u64 = 8;

/// The standard case of `catalog` (see the module documentation), without a tier.
pub fn standard_circumstances(catalog: &Catalog, language: Language) -> Circumstances {
    let start = catalog.valid_from;
    let first_sick_day = start
        .checked_sub_days(Days::new(WEEKS_BEFORE_START * 7))
        .unwrap_or(NaiveDate::MIN);
    Circumstances {
        first_sick_day,
        start_date: Some(start),
        quote_date: Some(start),
        expected_duration_months: None,
        readiness: Readiness::ReadyWithSupport,
        schooling: Schooling::None,
        intensity: Intensity::Standard,
        waiting_period_end: None,
        tier: None,
        options: Vec::new(),
        language,
    }
}

/// A variation priced in its own table: an intensity or a schooling other than the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variation {
    Intensity(Intensity),
    Schooling(Schooling),
}

impl Variation {
    /// Every intensity and schooling but the standard ones, in vocabulary order.
    pub fn all() -> Vec<Variation> {
        let intensities = Intensity::ALL
            .iter()
            .filter(|i| **i != Intensity::default())
            .map(|i| Variation::Intensity(*i));
        let schoolings = Schooling::ALL
            .iter()
            .filter(|s| **s != Schooling::default())
            .map(|s| Variation::Schooling(*s));
        intensities.chain(schoolings).collect()
    }

    /// `light`, `intensive`, `training`, `retraining`.
    pub fn code(self) -> &'static str {
        match self {
            Variation::Intensity(i) => i.as_str(),
            Variation::Schooling(s) => s.as_str(),
        }
    }

    pub(super) fn apply(self, input: &mut Circumstances) {
        match self {
            Variation::Intensity(i) => input.intensity = i,
            Variation::Schooling(s) => input.schooling = s,
        }
    }
}
