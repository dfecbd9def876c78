//! The archive: a quote's PDF is rendered once, when it is first sent; what went out is kept
//! and served ever after, checked against its hash, and recognised by it.

use super::super::Recorded;
use super::*;
use crate::quotes::proof::DocumentKind;

/// The archived PDF the reads of `id` serve, or the other answers.
async fn recorded(f: &Fixture, id: Uuid) -> Result<Recorded, QuoteError> {
    let quote = f.service.get(id).await.unwrap();
    f.service.recorded_pdf(&quote).await
}

#[tokio::test]
async fn a_draft_is_rendered_live_and_a_sent_quote_is_served_as_archived() {
    let f = mailed();
    let draft = f.draft().await;
    assert_eq!(recorded(&f, draft.id).await.unwrap(), Recorded::Live);
    let sent = f.send(draft.id).await.unwrap();
    let Recorded::Archived { sha256, bytes } = recorded(&f, sent.id).await.unwrap() else {
        panic!("archived");
    };
    assert_eq!(bytes, FakeDocuments::pdf_of(&sent));
    assert_eq!(sha256, FakeDocuments::sha256_of(&sent));
    assert_eq!(f.documents.renders(), 1, "rendered once, at the send");
}

/// A re-send and a manual re-read take the archived bytes: nothing is rendered again, and the
/// e-mail points at the same document.
#[tokio::test]
async fn a_second_send_renders_nothing_and_attaches_the_same_document() {
    let f = mailed();
    let (q, _) = f.sent_with_link().await;
    f.send(q.id).await.unwrap();
    assert_eq!(f.documents.renders(), 1);
    let mails = f.store.with(|s| s.jobs_of(q.id, "quote_sent"));
    let hashes: Vec<_> = mails
        .iter()
        .map(|m| serde_json::from_str::<EmailJob>(&m.payload).unwrap())
        .map(|m| m.attachments[0].sha256.clone().unwrap())
        .collect();
    assert_eq!(hashes[0], hashes[1]);
    assert_eq!(f.store.with(|s| s.documents.len()), 1);
}

/// The reminder carries the document as sent, even after the quote's document would render
/// differently, and records its hash.
#[tokio::test]
async fn a_reminder_carries_the_archived_document() {
    let mut f = mailed();
    f.service = f.service.with_mailing(
        Some(Mailing {
            from: None,
            public_url: "https://offerte.test".into(),
            reply_to: None,
        }),
        30,
    );
    let (q, _) = f.sent_with_link().await;
    let sent_hash = FakeDocuments::sha256_of(&q);
    // Another writer changes what the document would show (a later rendering differs).
    f.store
        .with(|s| s.edit(q.id, |quote| quote.employee.reference = "X".into()));
    assert_eq!(f.service.send_reminders().await.unwrap(), 1);
    assert_eq!(f.documents.renders(), 1, "no render for the reminder");
    let reminder = f.store.with(|s| s.jobs_of(q.id, "reminder")).pop().unwrap();
    let mail: EmailJob = serde_json::from_str(&reminder.payload).unwrap();
    assert_eq!(
        mail.attachments[0].sha256.as_deref(),
        Some(sent_hash.as_str())
    );
    let event = f.events(q.id).pop().unwrap();
    assert_eq!(event.document_sha256.as_deref(), Some(sent_hash.as_str()));
}

/// Accepted online: the reads serve the accepted document; declined: the one sent.
#[tokio::test]
async fn answered_quotes_serve_what_was_answered() {
    let f = mailed();
    let (q, token) = f.sent_with_link().await;
    f.accept(&token, "J. de Vries").await.unwrap();
    let Recorded::Archived { bytes, .. } = recorded(&f, q.id).await.unwrap() else {
        panic!("archived");
    };
    assert!(bytes.ends_with(b"signed by J. de Vries"));

    let (q, token) = f.sent_with_link().await;
    f.service.decline(&token, Some("too dear")).await.unwrap();
    let event = f.events(q.id).pop().unwrap();
    assert_eq!(event.document_sha256, Some(FakeDocuments::sha256_of(&q)));
    let Recorded::Archived { bytes, .. } = recorded(&f, q.id).await.unwrap() else {
        panic!("archived");
    };
    assert_eq!(bytes, FakeDocuments::pdf_of(&q));
}

/// Superseded, withdrawn and expired quotes keep serving what was sent.
#[tokio::test]
async fn later_states_serve_the_document_as_sent() {
    let f = fixture();
    for status in [Status::Expired, Status::Superseded, Status::Withdrawn] {
        let q = f.quote_in(Status::Sent).await;
        match status {
            Status::Expired => f.store.with(|s| s.force_status(q.id, status)),
            Status::Superseded => drop(f.revise(q.id).await.unwrap()),
            _ => drop(f.transition(q.id, status, None).await.unwrap()),
        }
        let Recorded::Archived { bytes, .. } = recorded(&f, q.id).await.unwrap() else {
            panic!("{status}: archived");
        };
        assert_eq!(bytes, FakeDocuments::pdf_of(&q), "{status}");
    }
}

/// Bytes that do not match their hash are refused, never served; a document missing from the
/// archive (sent before it existed) is said to be missing, never re-rendered in its place.
#[tokio::test]
async fn corrupt_bytes_are_refused_and_missing_ones_reported() {
    let f = fixture();
    let q = f.quote_in(Status::Sent).await;
    let sha256 = FakeDocuments::sha256_of(&q);
    let before = crate::archive::corrupt_reads();
    f.store
        .with(|s| s.documents.insert(sha256.clone(), b"tampered".to_vec()));
    match recorded(&f, q.id).await {
        Err(QuoteError::DocumentCorrupt(hash)) => assert_eq!(hash, sha256),
        other => panic!("{other:?}"),
    }
    assert!(crate::archive::corrupt_reads() > before);
    f.store.with(|s| s.documents.remove(&sha256));
    assert_eq!(
        recorded(&f, q.id).await.unwrap(),
        Recorded::Missing { sha256 }
    );
}

#[tokio::test]
async fn a_document_is_recognised_by_its_bytes() {
    let f = mailed();
    let (q, token) = f.sent_with_link().await;
    let sent = f
        .service
        .verify(&FakeDocuments::pdf_of(&q))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (sent.quote_id, sent.revision, sent.kind),
        (q.id, 1, DocumentKind::Sent)
    );
    f.accept(&token, "J. de Vries").await.unwrap();
    let hash = f.events(q.id).pop().unwrap().document_sha256.unwrap();
    let accepted = f.archived(&hash).unwrap();
    let found = f.service.verify(&accepted).await.unwrap().unwrap();
    assert_eq!(
        (found.number, found.kind),
        (q.number.clone(), DocumentKind::Accepted)
    );
    let mut changed = accepted.clone();
    changed.push(b' ');
    assert_eq!(f.service.verify(&changed).await.unwrap(), None);
}

/// With the archive outside the database, a send stores its document first, then the change:
/// a change that does not land leaves an orphan, which the sweep removes once it is a day old;
/// a document a step names stays.
#[tokio::test]
async fn an_object_store_keeps_documents_first_and_orphans_are_swept() {
    let store = MemoryStore::new();
    let clock = FixedClock::at(today());
    let archive = MemoryArchive::new(clock.clone());
    let service = QuoteService::new(
        store.clone(),
        FakeDocuments::default(),
        archive.clone(),
        catalogs(),
        Webhooks::default(),
        "OFF",
    )
    .with_clock(clock.clone());
    let created = service.create(&quote_body(), &sales(), None).await.unwrap();
    let sent = service
        .transition(created.quote.id, Status::Sent, None, &sales())
        .await
        .unwrap();
    let kept = FakeDocuments::sha256_of(&sent);
    assert_eq!(archive.hashes(), std::slice::from_ref(&kept));
    assert!(
        store.with(|s| s.documents.is_empty()),
        "not in the database"
    );
    let Recorded::Archived { bytes, .. } = service.recorded_pdf(&sent).await.unwrap() else {
        panic!("archived");
    };
    assert_eq!(bytes, FakeDocuments::pdf_of(&sent));

    // A second quote's send that keeps losing its write: its document is stored, no step
    // names it.
    let other = service.create(&quote_body(), &sales(), None).await.unwrap();
    store.stale_next(10);
    let lost = service
        .transition(other.quote.id, Status::Sent, None, &sales())
        .await;
    assert!(matches!(lost, Err(QuoteError::Busy(_))), "{lost:?}");
    assert_eq!(archive.hashes().len(), 2);
    assert_eq!(service.sweep_orphans().await.unwrap(), 0, "too young");
    clock.advance(2);
    assert_eq!(service.sweep_orphans().await.unwrap(), 1);
    assert_eq!(archive.hashes(), [kept]);
}
