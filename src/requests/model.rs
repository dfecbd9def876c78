//! A request for a quote: what the public form sends, what it answers, what sales sees. The
//! same `employer`, `employee` and `circumstances` objects as a quote, so the same rules apply;
//! unknown fields are refused everywhere, so nothing medical can get in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::pricing::{Circumstances, Computation, InputError, Money};
use crate::quotes::model::{Employee, Employer};

/// The body of `POST /api/v1/quote-requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestBody {
    #[validate(nested)]
    pub employer: Employer,
    #[validate(nested)]
    pub employee: Employee,
    #[validate(nested)]
    pub circumstances: Circumstances,
    /// The employer confirms the privacy statement; must be `true`.
    pub consent: bool,
    /// Leave empty. A field people never see (hidden in the form); a request that fills it is
    /// answered like any other but not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 200))]
    #[schema(max_length = 200, example = "")]
    pub website: Option<String>,
}

impl NewRequestBody {
    /// Every field rule, and the consent, in one list of field errors.
    pub fn check(&self) -> Result<(), InputError> {
        let mut errors = match self.validate() {
            Ok(()) => Vec::new(),
            Err(e) => InputError::from_validation(&e).errors,
        };
        if !self.consent {
            errors.extend(
                InputError::one(
                    "consent",
                    "consent_required",
                    "the privacy statement must be accepted (consent: true)",
                )
                .errors,
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(InputError { errors })
        }
    }

    /// Whether the hidden field was filled (a bot).
    pub fn is_honeypot(&self) -> bool {
        self.website
            .as_deref()
            .is_some_and(|w| !w.trim().is_empty())
    }
}

vocabulary! {
    /// Where a request stands.
    pub RequestStatus {
        /// Waiting for sales.
        New => "new",
        /// Turned into a draft quote (`quote_id`).
        Converted => "converted",
        /// Declined by sales.
        Rejected => "rejected",
    }
}

/// One priced tier of the indicative result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IndicativeTier {
    #[schema(example = "m6")]
    pub code: String,
    pub name: String,
    pub months: u32,
    pub excl_vat: Money,
    pub incl_vat: Money,
    /// The tier the rules recommend for these circumstances.
    pub recommended: bool,
}

/// The price shown to the requester: an indication, not an offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Indicative {
    /// Always `true`: the bureau confirms the price in a quote.
    pub indicative: bool,
    /// The recommended tier and its totals.
    pub tier: IndicativeTier,
    /// Total excl. BTW of the recommended tier.
    pub excl_vat: Money,
    /// Total incl. BTW of the recommended tier.
    pub incl_vat: Money,
    /// Every eligible tier, the recommended one included, shortest first.
    pub alternatives: Vec<IndicativeTier>,
    /// The catalog version used.
    pub catalog_version: String,
    pub language: crate::catalog::Language,
}

impl Indicative {
    /// The indication of a computation.
    pub fn of(c: &Computation) -> Indicative {
        let alternatives: Vec<IndicativeTier> = c
            .alternatives
            .iter()
            .map(|a| IndicativeTier {
                code: a.code.clone(),
                name: a.name.clone(),
                months: a.months,
                excl_vat: a.excl_vat,
                incl_vat: a.incl_vat,
                recommended: a.selected,
            })
            .collect();
        Indicative {
            indicative: true,
            tier: IndicativeTier {
                code: c.tier.code.clone(),
                name: c.tier.name.clone(),
                months: c.tier.months,
                excl_vat: c.totals.excl_vat,
                incl_vat: c.totals.incl_vat,
                recommended: true,
            },
            excl_vat: c.totals.excl_vat,
            incl_vat: c.totals.incl_vat,
            alternatives,
            catalog_version: c.catalog.version.clone(),
            language: c.language,
        }
    }
}

/// The answer to the public form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequestReceipt {
    /// The reference to quote when contacting the bureau, e.g. `AV-7K3M9Q2X`.
    #[schema(example = "AV-7K3M9Q2X")]
    pub reference: String,
    /// Always `true`: the price is an indication.
    pub indicative: bool,
    pub result: Indicative,
    /// What happens next, in the request's language.
    pub message: String,
}

/// A stored request, as sales sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuoteRequest {
    pub id: Uuid,
    #[schema(example = "AV-7K3M9Q2X")]
    pub reference: String,
    pub status: RequestStatus,
    pub employer: Employer,
    pub employee: Employee,
    /// The circumstances as sent.
    pub circumstances: Circumstances,
    /// The indicative result the requester saw.
    pub indicative: Indicative,
    /// When the privacy statement was accepted.
    pub consent_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The draft quote made from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<Uuid>,
    /// When it was converted or rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The id of the key that converted or rejected it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by_key: Option<String>,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The body of `POST /api/v1/quote-requests/{id}/reject`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    #[serde(default)]
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

/// A page of requests.
pub type RequestPage = crate::quotes::model::Page<QuoteRequest>;

/// A fresh reference: `AV-` and 8 characters without look-alikes (0/O, 1/I/L).
pub fn new_reference() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let tail: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("AV-{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_readable() {
        let r = new_reference();
        assert_eq!(r.len(), 11);
        assert!(r.starts_with("AV-"));
        assert!(!r[3..].contains(['0', 'O', '1', 'I', 'L']));
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            RequestStatus::New,
            RequestStatus::Converted,
            RequestStatus::Rejected,
        ] {
            assert_eq!(RequestStatus::parse(s.as_str()), Some(s));
        }
    }
}
