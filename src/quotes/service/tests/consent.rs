//! The employee's consent: who may ask it for which quote, what one ask writes, how a link
//! answers once and dies with its quote or its time, and what an answer sends.

use super::{Fixture, fixture, fixture_with, mailed, sales, signature};
use crate::outbox::model::EmailJob;
use crate::quotes::consent::{CONSENT_ASKED, CONSENT_DECLINED, CONSENT_GIVEN, ConsentStatus};
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{ActorRole, Quote};
use crate::quotes::ports::LinkPurpose;
use crate::quotes::service::send::token_sha256;
use crate::quotes::service::{ConsentAnswer, ConsentLink};

const ADDRESS: &str = "p.jansen@example.org";

impl Fixture {
    async fn ask(&self, quote: &Quote, email: Option<&str>) -> Result<ConsentLink, QuoteError> {
        self.service.ask_consent(quote.id, &sales(), email).await
    }

    async fn consent(&self, link: &ConsentLink, name: &str) -> Result<Quote, QuoteError> {
        let answer = ConsentAnswer::Given(signature(name));
        self.service.answer_consent(token(link), &answer).await
    }

    async fn refuse(&self, link: &ConsentLink) -> Result<Quote, QuoteError> {
        let answer = ConsentAnswer::Declined(Some("  liever niet  ".into()));
        self.service.answer_consent(token(link), &answer).await
    }
}

fn token(link: &ConsentLink) -> &str {
    link.url.rsplit_once("/c/").expect("a consent link").1
}

/// Consent can be asked for a sent or accepted quote only; a refusal writes nothing.
#[tokio::test]
async fn consent_is_asked_for_sent_and_accepted_quotes_only() {
    for status in Status::ALL {
        let f = fixture();
        let quote = f.quote_in(*status).await;
        let writes = f.writes();
        let asked = f.ask(&quote, None).await;
        match status {
            Status::Sent | Status::Accepted => {
                let link = asked.unwrap_or_else(|e| panic!("{status}: {e}"));
                assert_eq!(f.writes() - writes, 1, "{status}: one change");
                let shown = f.service.get(quote.id).await.unwrap();
                let consent = shown.employee_consent.expect("shown once asked");
                assert_eq!(consent.status, ConsentStatus::Pending);
                assert_eq!(
                    consent.specification_sha256.as_deref(),
                    Some(link.specification_sha256.as_str())
                );
                assert_eq!(shown.status, *status, "asking moves nothing");
            }
            _ => {
                assert!(
                    matches!(asked, Err(QuoteError::ConsentNotAskable(s)) if s == *status),
                    "{status}: {asked:?}"
                );
                assert_eq!(f.writes(), writes, "{status}: nothing written");
            }
        }
    }
}

/// One ask: the specification archived (its hash on the link and the event), a link for the
/// employee that works 30 days (only its hash kept), and without an address no e-mail.
#[tokio::test]
async fn an_ask_archives_the_specification_and_makes_a_link() {
    let f = fixture();
    let quote = f.quote_in(Status::Sent).await;
    let link = f.ask(&quote, None).await.unwrap();
    assert!(
        link.url.starts_with("http://localhost:8080/c/"),
        "{}",
        link.url
    );
    assert!(!link.emailed);
    assert_eq!(
        link.expires_at,
        f.service.now().at + chrono::TimeDelta::days(30)
    );
    let archived = f.archived(&link.specification_sha256).expect("archived");
    assert_eq!(
        archived,
        format!("specification {}", quote.display_number).into_bytes()
    );
    let stored = f
        .store
        .with(|s| s.links.get(&token_sha256(token(&link))).cloned());
    let stored = stored.expect("the link's hash is kept");
    assert_eq!(stored.purpose, LinkPurpose::Employee);
    assert_eq!(
        stored.document_sha256.as_deref(),
        Some(link.specification_sha256.as_str())
    );
    let asked = f.events(quote.id).pop().unwrap();
    assert_eq!(asked.reason.as_deref(), Some(CONSENT_ASKED));
    assert_eq!(
        asked.document_sha256.as_deref(),
        Some(link.specification_sha256.as_str())
    );
    assert_eq!((asked.from, asked.to), (Some(Status::Sent), Status::Sent));
    assert!(
        f.store
            .with(|s| s.jobs_of(quote.id, "employee_consent"))
            .is_empty()
    );
    // The employer's link machinery does not open it.
    let opened = f.service.open(token(&link)).await;
    assert!(
        matches!(opened, Err(QuoteError::LinkNotFound)),
        "{opened:?}"
    );
}

/// With an address: the e-mail carries the link and the specification, says the address is
/// to be forgotten, and the address is nowhere in the quote's history.
#[tokio::test]
async fn an_e_mailed_link_keeps_no_address() {
    let f = mailed();
    let quote = f.quote_in(Status::Accepted).await;
    let link = f.ask(&quote, Some(ADDRESS)).await.unwrap();
    assert!(link.emailed);
    let jobs = f.store.with(|s| s.jobs_of(quote.id, "employee_consent"));
    let mail: EmailJob = serde_json::from_str(&jobs[0].payload).unwrap();
    assert_eq!(mail.to, [ADDRESS]);
    assert!(mail.cc.is_empty());
    assert!(mail.forget_recipients);
    assert!(mail.text.starts_with(&link.url), "{}", mail.text);
    assert_eq!(
        f.attached(&mail),
        f.archived(&link.specification_sha256).unwrap()
    );
    for event in f.events(quote.id) {
        let text = format!("{event:?}");
        assert!(!text.contains(ADDRESS), "{text}");
    }
    // Without e-mail configured, an address is refused before anything is written.
    let f = fixture();
    let quote = f.quote_in(Status::Sent).await;
    let writes = f.writes();
    let asked = f.ask(&quote, Some(ADDRESS)).await;
    assert!(
        matches!(asked, Err(QuoteError::EmailNotConfigured)),
        "{asked:?}"
    );
    assert_eq!(f.writes(), writes);
}

/// The employee answers once: consent is recorded with the name, the specification's hash and
/// a webhook event; a second answer (either way) changes nothing; sales cannot ask again.
#[tokio::test]
async fn consent_is_answered_once() {
    let f = fixture_with(
        &[
            "quote.employee_consent_given",
            "quote.employee_consent_declined",
        ],
        false,
    );
    let quote = f.quote_in(Status::Accepted).await;
    let link = f.ask(&quote, None).await.unwrap();
    let given = f.consent(&link, "P. Jansen").await.unwrap();
    let consent = given.employee_consent.clone().unwrap();
    assert_eq!(consent.status, ConsentStatus::Given);
    assert_eq!(consent.at, Some(f.service.now().at));
    assert_eq!(given.status, Status::Accepted);
    let event = f.events(quote.id).pop().unwrap();
    assert_eq!(event.reason.as_deref(), Some(CONSENT_GIVEN));
    assert_eq!(event.name.as_deref(), Some("P. Jansen"));
    assert_eq!(event.role, ActorRole::Employee);
    assert_eq!(
        event.document_sha256.as_deref(),
        Some(link.specification_sha256.as_str())
    );
    let hooks = f
        .store
        .with(|s| s.jobs_of(quote.id, "quote.employee_consent_given"));
    assert_eq!(hooks.len(), 1);
    assert!(
        hooks[0].payload.contains("\"given\""),
        "{}",
        hooks[0].payload
    );

    let writes = f.writes();
    let again = f.refuse(&link).await.unwrap();
    assert_eq!(again.employee_consent.unwrap().status, ConsentStatus::Given);
    let again = f.consent(&link, "Iemand Anders").await.unwrap();
    assert_eq!(again.employee_consent.unwrap().at, consent.at);
    assert_eq!(f.writes(), writes, "nothing written");
    let asked = f.ask(&quote, None).await;
    assert!(matches!(asked, Err(QuoteError::ConsentGiven)), "{asked:?}");
}

/// A refusal is recorded with its reason; sales may ask again, and the new link can then be
/// answered with consent.
#[tokio::test]
async fn a_refusal_can_be_asked_again() {
    let f = fixture_with(&["quote.*"], false);
    let quote = f.quote_in(Status::Sent).await;
    let first = f.ask(&quote, None).await.unwrap();
    let refused = f.refuse(&first).await.unwrap();
    assert_eq!(
        refused.employee_consent.unwrap().status,
        ConsentStatus::Declined
    );
    let event = f.events(quote.id).pop().unwrap();
    assert_eq!(
        event.reason.as_deref(),
        Some(format!("{CONSENT_DECLINED}: liever niet").as_str())
    );
    assert_eq!(
        f.store
            .with(|s| s.jobs_of(quote.id, "quote.employee_consent_declined"))
            .len(),
        1
    );
    let second = f.ask(&quote, None).await.unwrap();
    let pending = f
        .service
        .get(quote.id)
        .await
        .unwrap()
        .employee_consent
        .unwrap();
    assert_eq!(pending.status, ConsentStatus::Pending);
    assert_eq!(pending.at, None);
    let given = f.consent(&second, "P. Jansen").await.unwrap();
    assert_eq!(given.employee_consent.unwrap().status, ConsentStatus::Given);
}

/// A link dies when its quote is revised or withdrawn, and when its time is up; a dead link
/// changes nothing.
#[tokio::test]
async fn a_link_dies_with_its_quote_or_its_time() {
    for case in ["revised", "withdrawn", "expired link"] {
        let f = fixture();
        let quote = f.quote_in(Status::Sent).await;
        let link = f.ask(&quote, None).await.unwrap();
        match case {
            "revised" => drop(f.revise(quote.id).await.unwrap()),
            "withdrawn" => drop(
                f.transition(quote.id, Status::Withdrawn, None)
                    .await
                    .unwrap(),
            ),
            _ => f.clock.advance(30),
        }
        let writes = f.writes();
        let opened = f.service.open_consent(token(&link)).await;
        assert!(
            matches!(
                opened,
                Err(QuoteError::LinkClosed(_) | QuoteError::LinkExpired)
            ),
            "{case}: {opened:?}"
        );
        let answered = f.consent(&link, "P. Jansen").await;
        assert!(answered.is_err(), "{case}: {answered:?}");
        assert_eq!(f.writes(), writes, "{case}: nothing written");
    }
    // A guessed token is simply not found.
    let f = fixture();
    let guessed = f.service.open_consent("AAAAAAAAAAAAAAAAAAAAAA").await;
    assert!(
        matches!(guessed, Err(QuoteError::LinkNotFound)),
        "{guessed:?}"
    );
}

/// A trajectory that has started is flagged while consent is pending, and after consent the
/// first deductible day is the day after it.
#[tokio::test]
async fn a_started_trajectory_is_flagged() {
    let f = fixture();
    let quote = f.quote_in(Status::Accepted).await;
    let start = quote.computation.tier.starts_on;
    let shown = f
        .service
        .get(quote.id)
        .await
        .unwrap()
        .employee_consent
        .unwrap();
    assert_eq!(
        shown.status,
        ConsentStatus::Pending,
        "accepted: pending without an ask"
    );
    assert_eq!(shown.started_before_consent, start <= f.service.now().today);
    let link = f.ask(&quote, None).await.unwrap();
    f.clock.set(start + chrono::Days::new(3));
    let given = f.consent(&link, "P. Jansen").await.unwrap();
    let consent = given.employee_consent.unwrap();
    assert!(consent.started_before_consent);
    assert_eq!(consent.deductible_from, Some(start + chrono::Days::new(4)));
}

/// Consent given while the quote was still sent, then the employer accepts: the certificate
/// keeps the two apart (the employer's acceptance and accepted document; the employee's consent
/// with its own specification), and the document served is still the employer's.
#[tokio::test]
async fn the_certificate_keeps_acceptance_and_consent_apart() {
    use crate::quotes::certificate::StepKind;
    use crate::quotes::service::Recorded;
    let f = mailed();
    let (quote, employer) = f.sent_with_link().await;
    let link = f.ask(&quote, None).await.unwrap();
    f.consent(&link, "P. Jansen").await.unwrap();
    let accepted = f.accept(&employer, "J. de Vries").await.unwrap();
    let certificate = f.service.certificate(quote.id).await.unwrap();
    let steps: Vec<StepKind> = certificate.steps.iter().map(|s| s.step).collect();
    assert_eq!(
        steps,
        [
            StepKind::Created,
            StepKind::Sent,
            StepKind::ConsentAsked,
            StepKind::ConsentGiven,
            StepKind::Accepted
        ]
    );
    assert_eq!(certificate.acceptance.unwrap().name, "J. de Vries");
    let sent = certificate.sent_document.unwrap();
    assert_ne!(sent.sha256, link.specification_sha256);
    let consent = certificate.employee_consent.unwrap();
    assert_eq!(consent.status, ConsentStatus::Given);
    assert_eq!(consent.name.as_deref(), Some("P. Jansen"));
    let specification = consent.specification.unwrap();
    assert_eq!(specification.sha256, link.specification_sha256);
    assert!(specification.archived);
    // The PDF the quote's reads serve is the one the employer accepted.
    let Recorded::Archived { sha256, .. } = f.service.recorded_pdf(&accepted).await.unwrap() else {
        panic!("archived");
    };
    assert_eq!(
        Some(sha256),
        certificate.accepted_document.map(|d| d.sha256),
        "the employer's document"
    );
    // The specification is recognised as such.
    let verified = f
        .service
        .verify(&f.archived(&link.specification_sha256).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        verified.kind,
        crate::quotes::proof::DocumentKind::Specification
    );
}
