//! Sending by e-mail, and the employer's side: the link opened, accepted or declined.

use super::{EMPLOYER_EMAIL, Fixture, fixture, fixture_with, mailed};
use crate::outbox::model::{EmailJob, JobKind};
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::ActorRole;
use crate::quotes::service::fakes::{BUREAU, FakeDocuments};
use crate::quotes::service::send::token_sha256;

fn mail_of(job: &crate::outbox::model::NewJob) -> EmailJob {
    serde_json::from_str(&job.payload).unwrap()
}

#[tokio::test]
async fn sending_needs_e_mail() {
    let f = fixture();
    let q = f.draft().await;
    let writes = f.writes();
    let got = f.send(q.id).await;
    assert!(
        matches!(got, Err(QuoteError::EmailNotConfigured)),
        "{got:?}"
    );
    assert_eq!(f.writes(), writes);
    assert_eq!(f.documents.renders(), 0);
}

/// One write moves the quote, records the document's hash, queues the e-mail with exactly
/// that document and keeps the SHA-256 of a fresh link (not the token).
#[tokio::test]
async fn sending_queues_the_e_mail_and_a_link_in_one_change() {
    let f = mailed();
    let q = f.draft().await;
    let writes = f.writes();
    let (sent, token) = {
        let sent = f.send(q.id).await.unwrap();
        let mails = f.store.with(|s| s.jobs_of(q.id, "quote_sent"));
        assert_eq!(mails.len(), 1);
        (sent, super::token_in(&mails[0]))
    };
    assert_eq!(sent.status, Status::Sent);
    assert_eq!(f.writes() - writes, 1, "one change");
    let mail = mail_of(&f.store.with(|s| s.jobs_of(q.id, "quote_sent"))[0]);
    assert_eq!(mail.to, [EMPLOYER_EMAIL]);
    assert_eq!(mail.reply_to.as_deref(), Some(BUREAU));
    assert!(mail.text.contains("Zoals besproken."));
    assert_eq!(f.attached(&mail), FakeDocuments::pdf_of(&sent));
    assert!(
        mail.attachments[0].base64.is_empty(),
        "the job points into the archive"
    );
    let event = f.events(q.id).pop().unwrap();
    assert_eq!((event.from, event.to), (Some(Status::Draft), Status::Sent));
    assert_eq!(event.document_sha256, Some(FakeDocuments::sha256_of(&sent)));
    assert_eq!(
        event.reason.as_deref(),
        Some("sent by e-mail to hr@korenschoof.example")
    );
    let links = f.store.with(|s| s.links.clone());
    assert_eq!(
        links.get(&token_sha256(&token)).map(|l| l.quote_id),
        Some(q.id)
    );
    assert!(!links.contains_key(&token), "the token itself is not kept");
    // The outbox lists the e-mail among the quote's deliveries.
    let deliveries = f.service.deliveries(q.id).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(
        (deliveries[0].kind, deliveries[0].topic.as_str()),
        (JobKind::Email, "quote_sent")
    );
}

#[tokio::test]
async fn a_second_send_sends_again_with_a_new_link() {
    let f = mailed();
    let (q, first) = f.sent_with_link().await;
    let again = f.send(q.id).await.unwrap();
    assert_eq!(again.status, Status::Sent);
    let mails = f.store.with(|s| s.jobs_of(q.id, "quote_sent"));
    assert_eq!(mails.len(), 2);
    let second = super::token_in(&mails[1]);
    assert_ne!(first, second);
    let last = f.events(q.id).pop().unwrap();
    assert_eq!((last.from, last.to), (Some(Status::Sent), Status::Sent));
    assert_eq!(last.document_sha256, Some(FakeDocuments::sha256_of(&again)));
    // Each link opens the quote.
    for token in [first, second] {
        assert_eq!(f.service.open(&token).await.unwrap().0.id, q.id);
    }
    // A quote that is answered is not sent again.
    f.transition(q.id, Status::Withdrawn, None).await.unwrap();
    assert!(matches!(f.send(q.id).await, Err(QuoteError::Transition(_))));
}

#[tokio::test]
async fn an_unknown_token_is_not_found() {
    let f = mailed();
    let (_, token) = f.sent_with_link().await;
    // A made-up token, and the stored hash offered as a token.
    for bad in ["no-such-token".to_string(), token_sha256(&token)] {
        let open = f.service.open(&bad).await;
        assert!(matches!(open, Err(QuoteError::LinkNotFound)), "{open:?}");
        let accept = f.accept(&bad, "J. de Vries").await;
        assert!(
            matches!(accept, Err(QuoteError::LinkNotFound)),
            "{accept:?}"
        );
        let decline = f.service.decline(&bad, None).await;
        assert!(
            matches!(decline, Err(QuoteError::LinkNotFound)),
            "{decline:?}"
        );
    }
}

fn views(f: &Fixture, id: uuid::Uuid) -> usize {
    let events = f.events(id);
    let viewed = events
        .iter()
        .filter(|e| e.reason.as_deref() == Some("viewed online"));
    viewed.count()
}

#[tokio::test]
async fn the_first_view_is_recorded_once() {
    let f = fixture_with(&["quote.viewed"], true);
    let (q, token) = f.sent_with_link().await;
    for _ in 0..3 {
        let (opened, accepted) = f.service.open(&token).await.unwrap();
        assert_eq!(
            (opened.id, opened.status, accepted),
            (q.id, Status::Sent, None)
        );
    }
    assert_eq!(views(&f, q.id), 1);
    let event = f.events(q.id).pop().unwrap();
    assert_eq!((event.to, event.role), (Status::Sent, ActorRole::Employer));
    assert_eq!(f.store.with(|s| s.jobs_of(q.id, "quote.viewed")).len(), 1);
}

/// A view whose write finds the quote changed is not recorded (the other change stands); the
/// next view is.
#[tokio::test]
async fn a_view_that_loses_a_race_goes_unrecorded() {
    let f = mailed();
    let (q, token) = f.sent_with_link().await;
    f.store.stale_next(1);
    assert_eq!(f.service.open(&token).await.unwrap().0.status, Status::Sent);
    assert_eq!(views(&f, q.id), 0);
    f.service.open(&token).await.unwrap();
    assert_eq!(views(&f, q.id), 1);
}

/// Accepting records who signed and the hash of the document they accepted (the one sent, its
/// signature block filled in: archived), and confirms by e-mail with that document to the
/// employer with the bureau in copy.
#[tokio::test]
async fn accepting_records_the_name_and_the_document() {
    let f = fixture_with(&["quote.accepted"], true);
    let (q, token) = f.sent_with_link().await;
    let sent_hash = f.events(q.id).pop().unwrap().document_sha256;
    assert_eq!(sent_hash, Some(FakeDocuments::sha256_of(&q)));
    let accepted = f.accept(&token, "  J. de Vries ").await.unwrap();
    assert_eq!(accepted.status, Status::Accepted);
    assert_eq!(accepted.decided_at, Some(f.service.now().at));
    let event = f.events(q.id).pop().unwrap();
    assert_eq!(
        (event.from, event.to),
        (Some(Status::Sent), Status::Accepted)
    );
    assert_eq!(event.name.as_deref(), Some("J. de Vries"));
    assert_eq!(event.role, ActorRole::Employer);
    let accepted_hash = event
        .document_sha256
        .clone()
        .expect("the accepted document's hash");
    assert_ne!(Some(&accepted_hash), sent_hash.as_ref());
    let accepted_pdf = f.archived(&accepted_hash).expect("archived");
    assert!(accepted_pdf.ends_with(b"signed by J. de Vries"));
    let confirmations = f.store.with(|s| s.jobs_of(q.id, "accepted_confirmation"));
    let mail = mail_of(&confirmations[0]);
    assert_eq!(f.attached(&mail), accepted_pdf);
    assert_eq!(
        (mail.to, mail.cc),
        (vec![EMPLOYER_EMAIL.to_string()], vec![BUREAU.to_string()])
    );

    assert_eq!(f.store.with(|s| s.jobs_of(q.id, "quote.accepted")).len(), 1);
    // The link and the document show the acceptance.
    let (_, shown) = f.service.open(&token).await.unwrap();
    let (_, documented) = f.service.for_document(q.id).await.unwrap();
    for acceptance in [shown, documented] {
        let acceptance = acceptance.expect("an acceptance");
        assert_eq!(
            (acceptance.name.as_str(), acceptance.at),
            ("J. de Vries", event.at)
        );
    }
}

/// Once its quote is answered, withdrawn, expired or revised, a link answers nothing and says
/// why.
#[tokio::test]
async fn a_link_closes_with_its_quote() {
    let cases = [
        (
            "withdrawn between the read and the write",
            Status::Withdrawn,
        ),
        ("accepted before", Status::Accepted),
        ("declined before", Status::Declined),
        ("validity passed", Status::Expired),
        ("revised", Status::Superseded),
    ];
    for (case, closed) in cases {
        let f = mailed();
        let (q, token) = f.sent_with_link().await;
        match closed {
            Status::Withdrawn => f
                .store
                .before_next_write(move |s| s.force_status(q.id, Status::Withdrawn)),
            Status::Accepted => {
                f.accept(&token, "J. de Vries").await.unwrap();
            }
            Status::Declined => {
                f.service.decline(&token, None).await.unwrap();
            }
            Status::Expired => f.clock.set(q.valid_until.succ_opt().unwrap()),
            _ => {
                f.revise(q.id).await.unwrap();
            }
        }
        let accept = f.accept(&token, "J. de Vries").await;
        assert!(
            matches!(&accept, Err(QuoteError::LinkClosed(s)) if *s == closed),
            "{case}: {accept:?}"
        );
        let version = f.version(q.id);
        let decline = f.service.decline(&token, Some("te duur")).await;
        assert!(
            matches!(&decline, Err(QuoteError::LinkClosed(s)) if *s == closed),
            "{case}: {decline:?}"
        );
        assert_eq!(f.version(q.id), version, "{case}: nothing written");
        // Only the answer given before is recorded (the refused accept is not).
        let answers = f
            .events(q.id)
            .iter()
            .filter(|e| e.role == ActorRole::Employer)
            .count();
        let answered = matches!(closed, Status::Accepted | Status::Declined);
        assert_eq!(answers, usize::from(answered), "{case}");
    }
}

#[tokio::test]
async fn declining_online_records_the_reason_or_a_default() {
    let default = "declined online (no reason given)";
    let cases = [
        (None, default),
        (Some("   "), default),
        (Some(" te duur "), "te duur"),
    ];
    for (reason, recorded) in cases {
        let f = mailed();
        let (q, token) = f.sent_with_link().await;
        let declined = f.service.decline(&token, reason).await.unwrap();
        assert_eq!(declined.status, Status::Declined);
        let event = f.events(q.id).pop().unwrap();
        assert_eq!(
            (event.to, event.reason.as_deref()),
            (Status::Declined, Some(recorded))
        );
        assert_eq!(event.document_sha256, Some(FakeDocuments::sha256_of(&q)));
        assert_eq!(event.name, None);
        assert!(
            f.store
                .with(|s| s.jobs_of(q.id, "accepted_confirmation"))
                .is_empty()
        );
    }
}
