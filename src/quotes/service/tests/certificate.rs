//! The acceptance certificate as the service makes it from what is stored.

use super::*;
use crate::quotes::certificate::{Certificate, StepKind};
use crate::quotes::proof::Evidence;

fn steps(certificate: &Certificate) -> Vec<StepKind> {
    certificate.steps.iter().map(|s| s.step).collect()
}

/// An online acceptance: each step in order, both documents with their hashes (archived), the
/// acceptance with its evidence, every time on a Dutch clock.
#[tokio::test]
async fn an_accepted_quote_is_certified_with_every_step() {
    let f = mailed();
    let (q, token) = f.sent_with_link().await;
    f.service.open(&token).await.unwrap();
    let evidence = Evidence {
        statement: "Ik ga akkoord met deze offerte en de voorwaarden.".into(),
        language: "nl".into(),
        client_address: Some("203.0.113.7".into()),
        user_agent: Some("Firefox".into()),
    };
    let signature = Signature::new("J. de Vries", true)
        .unwrap()
        .attested(evidence.clone());
    f.service.accept(&token, &signature).await.unwrap();
    let certificate = f.service.certificate(q.id).await.unwrap();
    assert_eq!(
        steps(&certificate),
        [
            StepKind::Created,
            StepKind::Sent,
            StepKind::Viewed,
            StepKind::Accepted
        ]
    );
    assert_eq!(
        (certificate.number.as_str(), certificate.version),
        (q.number.as_str(), 1)
    );
    let sent = certificate.sent_document.as_ref().unwrap();
    assert_eq!(sent.sha256, FakeDocuments::sha256_of(&q));
    assert!(sent.archived);
    let accepted = certificate.accepted_document.as_ref().unwrap();
    let accepted_event = f.events(q.id).pop().unwrap();
    assert_eq!(
        Some(&accepted.sha256),
        accepted_event.document_sha256.as_ref()
    );
    let acceptance = certificate.acceptance.as_ref().unwrap();
    assert_eq!(acceptance.name, "J. de Vries");
    assert_eq!(
        acceptance.statement.as_deref(),
        Some(evidence.statement.as_str())
    );
    assert_eq!(acceptance.client_address.as_deref(), Some("203.0.113.7"));
    assert_eq!(acceptance.user_agent.as_deref(), Some("Firefox"));
    assert_eq!(acceptance.at.to_utc(), accepted_event.at);
    let sent_step = &certificate.steps[1];
    assert_eq!(sent_step.by, "sales (sales-1)");
    assert_eq!(
        sent_step.detail.as_deref(),
        Some("sent by e-mail to hr@korenschoof.example")
    );
    for step in &certificate.steps {
        let offset = step.at.offset().local_minus_utc();
        assert!(offset == 3600 || offset == 7200, "{step:?}");
    }
}

/// Drafts are not certified; a document the archive lacks is said to be so; reminders,
/// withdrawals and edits are steps of their own.
#[tokio::test]
async fn what_the_certificate_says_of_other_histories() {
    let f = fixture();
    let draft = f.draft().await;
    assert!(matches!(
        f.service.certificate(draft.id).await,
        Err(QuoteError::NotSent)
    ));
    f.update(draft.id).await.unwrap();
    let sent = f.transition(draft.id, Status::Sent, None).await.unwrap();
    let sha256 = FakeDocuments::sha256_of(&sent);
    f.store.with(|s| s.documents.remove(&sha256));
    f.transition(draft.id, Status::Withdrawn, None)
        .await
        .unwrap();
    let certificate = f.service.certificate(draft.id).await.unwrap();
    assert_eq!(
        steps(&certificate),
        [
            StepKind::Created,
            StepKind::Edited,
            StepKind::Sent,
            StepKind::Withdrawn
        ]
    );
    let document = certificate.sent_document.unwrap();
    assert_eq!((document.sha256, document.archived), (sha256, false));
    assert_eq!(certificate.accepted_document, None);
    assert_eq!(certificate.acceptance, None);
}
