//! The acceptance certificate: on one page, what proves that the costs were agreed in writing
//! beforehand. Which quote (number and version), between whom, the SHA-256 of the document sent
//! and of the one accepted, and every step with its time on a Dutch clock: sent to which
//! address, taken by the mail relay, first viewed, accepted (the name typed, the exact sentence
//! the box said, where the answer came from) or declined; and the employee's consent to deducting
//! the costs from the transitievergoeding, with its own evidence, specification and timing.
//!
//! Built from what is stored only (the quote, its events, its e-mail deliveries), by a pure
//! function, so the same history always gives the same certificate.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::consent::{CONSENT_ASKED, CONSENT_DECLINED, CONSENT_GIVEN, ConsentStatus};
use super::lifecycle::Status;
use super::model::{Event, Quote};
use crate::clock::amsterdam;
use crate::outbox::model::{Delivery, JobKind, JobStatus};

vocabulary! {
    /// What a step in a quote's life was.
    pub StepKind {
        Created => "created",
        Edited => "edited",
        Sent => "sent",
        /// An e-mail about the quote taken by the mail relay.
        Delivered => "delivered",
        Viewed => "viewed",
        Reminded => "reminded",
        Accepted => "accepted",
        Declined => "declined",
        Withdrawn => "withdrawn",
        Expired => "expired",
        Superseded => "superseded",
        /// The employee's consent asked (a consent link made, the specification archived).
        ConsentAsked => "consent_asked",
        ConsentGiven => "consent_given",
        ConsentDeclined => "consent_declined",
    }
}

/// The reason recorded on the first online view of a sent quote.
pub const VIEWED: &str = "viewed online";
/// The reason of the step that records an issued certificate's PDF (archived, by its hash).
pub const CERTIFIED: &str = "acceptance certificate issued";

/// A party to the quote as the certificate names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Party {
    pub name: String,
    /// KvK number, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kvk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_person: Option<String>,
    pub email: String,
}

/// A document the certificate vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CertifiedDocument {
    /// SHA-256 of the PDF, lowercase hex.
    pub sha256: String,
    /// Whether the archive keeps these exact bytes (`false`: sent before there was an archive;
    /// only the hash is known).
    pub archived: bool,
    /// When it was sent or accepted, on a Dutch clock.
    pub at: DateTime<FixedOffset>,
}

/// How the employer accepted online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CertifiedAcceptance {
    pub at: DateTime<FixedOffset>,
    /// The name typed.
    pub name: String,
    /// The sentence next to the box that was ticked, word for word, in `language`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

/// The employee's consent to deducting the costs from the transitievergoeding, as the
/// certificate shows it (also when nobody asked: `pending`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CertifiedConsent {
    pub status: ConsentStatus,
    /// When consent was last asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asked_at: Option<DateTime<FixedOffset>>,
    /// When the employee answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<FixedOffset>>,
    /// The name the employee typed when consenting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The sentence next to the box that was ticked, word for word, in `language`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_address: Option<String>,
    /// The cost specification the employee was shown (answered on, else last asked with).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specification: Option<CertifiedDocument>,
    /// The trajectory started before consent was given (or has started while it is pending).
    pub started_before_consent: bool,
    /// The first day whose costs may be deducted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deductible_from: Option<NaiveDate>,
}

/// One step in the quote's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Step {
    /// On a Dutch clock, with its offset.
    pub at: DateTime<FixedOffset>,
    pub step: StepKind,
    /// Who: the role (and key id) of the key, `employer` for the online answers, `system`.
    pub by: String,
    /// What else is known: to which address, why, by which name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_sha256: Option<String>,
}

/// The acceptance certificate of one quote (version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Certificate {
    pub quote_id: Uuid,
    pub number: String,
    /// The quote's version (revision).
    pub version: i64,
    /// `OFF-2026-00042-2`: number and version as the documents show them.
    pub display_number: String,
    pub status: Status,
    pub bureau: Party,
    pub employer: Party,
    /// The document last sent (what the employer was shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_document: Option<CertifiedDocument>,
    /// The document accepted (the one sent, its signature block filled in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_document: Option<CertifiedDocument>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acceptance: Option<CertifiedAcceptance>,
    /// The employee's consent, once asked or once the quote is accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_consent: Option<CertifiedConsent>,
    /// Oldest first.
    pub steps: Vec<Step>,
}

/// What a certificate is made from.
pub struct CertificateFacts<'a> {
    pub quote: &'a Quote,
    pub events: &'a [Event],
    /// The quote's outbox deliveries (e-mails taken by the relay become steps).
    pub deliveries: &'a [Delivery],
    pub bureau: Party,
    /// Whether the archive holds the bytes of a hash.
    pub archived: &'a dyn Fn(&str) -> bool,
}

/// The certificate of a quote.
pub fn certificate(facts: &CertificateFacts<'_>) -> Certificate {
    let quote = facts.quote;
    let document = |event: &Event| {
        event
            .document_sha256
            .as_ref()
            .map(|sha256| CertifiedDocument {
                sha256: sha256.clone(),
                archived: (facts.archived)(sha256),
                at: amsterdam(event.at),
            })
    };
    let sent = facts
        .events
        .iter()
        .rev()
        .find(|e| e.to == Status::Sent && e.document_sha256.is_some() && !e.is_aside());
    let accepted = facts
        .events
        .iter()
        .rev()
        .find(|e| e.to == Status::Accepted && e.name.is_some() && !e.is_aside());
    let acceptance = accepted.map(|e| CertifiedAcceptance {
        at: amsterdam(e.at),
        name: e.name.clone().unwrap_or_default(),
        statement: e.evidence.as_ref().map(|v| v.statement.clone()),
        language: e.evidence.as_ref().map(|v| v.language.clone()),
        client_address: e.evidence.as_ref().and_then(|v| v.client_address.clone()),
        user_agent: e.evidence.as_ref().and_then(|v| v.user_agent.clone()),
    });
    let certified = |e: &&Event| e.reason.as_deref() == Some(CERTIFIED);
    let events = facts.events.iter().filter(|e| !certified(e));
    let mut steps: Vec<Step> = events.map(step_of).collect();
    let delivered = facts
        .deliveries
        .iter()
        .filter(|d| d.kind == JobKind::Email && d.status == JobStatus::Sent && d.done_at.is_some());
    steps.extend(delivered.map(|d| Step {
        at: amsterdam(d.done_at.unwrap_or(d.created_at)),
        step: StepKind::Delivered,
        by: "system".into(),
        detail: Some(format!(
            "{} taken by the mail relay for {}",
            d.topic, d.recipient
        )),
        document_sha256: None,
    }));
    steps.sort_by_key(|s| s.at);
    Certificate {
        quote_id: quote.id,
        number: quote.number.clone(),
        version: quote.revision,
        display_number: quote.display_number.clone(),
        status: quote.status,
        bureau: facts.bureau.clone(),
        employer: Party {
            name: quote.employer.company_name.clone(),
            kvk: quote.employer.kvk_number.clone(),
            contact_person: Some(quote.employer.contact_person.clone()),
            email: quote.employer.email.clone(),
        },
        sent_document: sent.and_then(document),
        accepted_document: accepted.and_then(document),
        acceptance,
        employee_consent: consent(facts, &document),
        steps,
    }
}

/// The consent section: the quote's consent with the answer's evidence and the specification.
fn consent(
    facts: &CertificateFacts<'_>,
    document: &dyn Fn(&Event) -> Option<CertifiedDocument>,
) -> Option<CertifiedConsent> {
    let shown = facts.quote.employee_consent.as_ref()?;
    let reason = |e: &Event, what: &str| e.reason.as_deref().is_some_and(|r| r.starts_with(what));
    let latest = |what: &str| facts.events.iter().rev().find(|e| reason(e, what));
    let answer = latest(CONSENT_GIVEN).or_else(|| latest(CONSENT_DECLINED));
    let asked = latest(CONSENT_ASKED);
    let evidence = answer.and_then(|e| e.evidence.as_ref());
    Some(CertifiedConsent {
        status: shown.status,
        asked_at: shown.asked_at.map(amsterdam),
        at: shown.at.map(amsterdam),
        name: answer.and_then(|e| e.name.clone()),
        statement: evidence.map(|v| v.statement.clone()),
        language: evidence.map(|v| v.language.clone()),
        client_address: evidence.and_then(|v| v.client_address.clone()),
        specification: answer.or(asked).and_then(document),
        started_before_consent: shown.started_before_consent,
        deductible_from: shown.deductible_from,
    })
}

/// The step an event is.
fn step_of(event: &Event) -> Step {
    let reason = event.reason.as_deref();
    let consent = |what: &str| reason.is_some_and(|r| r.starts_with(what));
    let step = match (event.from, event.to) {
        _ if consent(CONSENT_ASKED) => StepKind::ConsentAsked,
        _ if consent(CONSENT_GIVEN) => StepKind::ConsentGiven,
        _ if consent(CONSENT_DECLINED) => StepKind::ConsentDeclined,
        (None, Status::Draft) => StepKind::Created,
        (Some(Status::Draft), Status::Draft) => StepKind::Edited,
        (Some(Status::Sent), Status::Sent) if reason == Some(VIEWED) => StepKind::Viewed,
        (Some(Status::Sent), Status::Sent) if reason.is_some_and(|r| r.starts_with("reminder")) => {
            StepKind::Reminded
        }
        (_, Status::Sent) => StepKind::Sent,
        (_, Status::Draft) => StepKind::Created,
        (_, Status::Accepted) => StepKind::Accepted,
        (_, Status::Declined) => StepKind::Declined,
        (_, Status::Withdrawn) => StepKind::Withdrawn,
        (_, Status::Expired) => StepKind::Expired,
        (_, Status::Superseded) => StepKind::Superseded,
    };
    let by = match event.role.as_str() {
        "employer" | "employee" | "system" => event.role.as_str().to_string(),
        role => format!("{role} ({})", event.key_id),
    };
    let detail = match step {
        StepKind::Accepted | StepKind::ConsentGiven => event.name.clone().or(event.reason.clone()),
        StepKind::Viewed => None,
        _ => event.reason.clone(),
    };
    Step {
        at: amsterdam(event.at),
        step,
        by,
        detail,
        document_sha256: event.document_sha256.clone(),
    }
}
