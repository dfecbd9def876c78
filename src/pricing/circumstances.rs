//! The input of a computation: what a bureau tells about a case. English field names, unknown
//! fields refused, so a `diagnosis` or `complaints` field can never get in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::error::InputError;
use crate::catalog::{Intensity, Language, Readiness, Schooling};

/// The circumstances of a case. Only these fields are accepted; none of them is medical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "first_sick_day": "2026-01-05",
    "start_date": "2026-12-01",
    "quote_date": "2026-11-22",
    "readiness": "ready_with_support",
    "schooling": "none",
    "intensity": "standard",
    "language": "nl"
}))]
pub struct Circumstances {
    /// The first day of sickness; the legal clock counts from here.
    pub first_sick_day: NaiveDate,
    /// The day the trajectory starts (default: today). May lie in the past for a trajectory
    /// that already began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    /// The date of the quote; picks the catalog version in force (default: today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_date: Option<NaiveDate>,
    /// Months the bureau expects the trajectory to take, 1 to 24.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(range(min = 1, max = 24))]
    #[schema(minimum = 1, maximum = 24)]
    pub expected_duration_months: Option<u32>,
    /// How ready the employee is for the job market.
    pub readiness: Readiness,
    /// Schooling need (default `none`).
    #[serde(default)]
    pub schooling: Schooling,
    /// Intensity of guidance (default `standard`).
    #[serde(default)]
    pub intensity: Intensity,
    /// An explicit, later end of the waiting period (loonsanctie, vrijwillige verlenging or
    /// added-up sick periods). Without it: first sick day + 104 weeks − 1 day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_period_end: Option<NaiveDate>,
    /// A tier chosen by the salesperson, overriding the recommendation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40)]
    pub tier: Option<String>,
    /// Extra line-item codes to add to the quote.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(length(max = 20), custom(function = "validate_codes"))]
    #[schema(max_items = 20)]
    pub options: Vec<String>,
    /// Language of the texts (default `nl`).
    #[serde(default)]
    pub language: Language,
}

fn validate_codes(codes: &[String]) -> Result<(), validator::ValidationError> {
    if codes.iter().all(|c| (1..=40).contains(&c.len())) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("length")
            .with_message("every option is an item code of 1 to 40 characters".into()))
    }
}

impl Circumstances {
    /// Parses and validates a JSON document holding the circumstances object itself.
    pub fn from_json(bytes: &[u8]) -> Result<Circumstances, InputError> {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let parsed: Circumstances =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
                if e.inner().is_syntax() || e.inner().is_eof() {
                    // Not JSON at all: no field is to blame (the path would be `?` inside an
                    // object whose key is broken).
                    InputError::one("", "malformed_json", e.inner().to_string())
                } else {
                    InputError::from_serde(&e.path().to_string(), &e.inner().to_string())
                }
            })?;
        deserializer
            .end()
            .map_err(|e| InputError::from_serde("", &e.to_string()))?;
        parsed.check()?;
        Ok(parsed)
    }

    /// Runs the field rules (ranges, lengths).
    pub fn check(&self) -> Result<(), InputError> {
        self.validate().map_err(|e| InputError::from_validation(&e))
    }

    /// A copy with every default made explicit (`start_date` and `quote_date` today), so a
    /// stored case recomputes to the same dates later.
    pub fn resolved(&self, today: NaiveDate) -> Circumstances {
        Circumstances {
            start_date: Some(self.start_date.unwrap_or(today)),
            quote_date: Some(self.quote_date.unwrap_or(today)),
            ..self.clone()
        }
    }
}
