//! Moves through the lifecycle, edits, revisions and expiry.

use super::{fixture, fixture_with};
use crate::outbox::model::JobKind;
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::{Status, TransitionError, lapse_moment};
use crate::quotes::model::ActorRole;
use crate::quotes::ports::ListFilter;
use crate::quotes::service::fakes::FakeDocuments;

#[tokio::test]
async fn every_move_lands_or_names_the_moves_allowed() {
    use Status::*;
    // From each status, the moves a person may ask for.
    let table: &[(Status, &[Status])] = &[
        (Draft, &[Sent, Withdrawn]),
        (Sent, &[Accepted, Declined, Withdrawn]),
        (Accepted, &[]),
        (Declined, &[]),
        (Withdrawn, &[]),
        (Expired, &[]),
        (Superseded, &[]),
    ];
    for &(from, allowed) in table {
        for &to in Status::ALL {
            let f = fixture();
            let q = f.quote_in(from).await;
            let version = f.version(q.id);
            let got = f.transition(q.id, to, Some("a reason")).await;
            if allowed.contains(&to) {
                let moved = got.unwrap_or_else(|e| panic!("{from} → {to}: {e}"));
                assert_eq!(moved.status, to);
                assert_eq!(f.version(q.id), version + 1, "{from} → {to}");
                let last = f.events(q.id).pop().unwrap();
                assert_eq!((last.from, last.to), (Some(from), to));
                assert_eq!(last.reason.as_deref(), Some("a reason"));
                assert_eq!(last.role, ActorRole::Sales);
                let decides = matches!(to, Accepted | Declined);
                assert_eq!(moved.decided_at.is_some(), decides, "{from} → {to}");
            } else {
                match got {
                    Err(QuoteError::Transition(TransitionError::NotAllowed {
                        from: was,
                        to: asked,
                        allowed: named,
                    })) => {
                        assert_eq!((was, asked), (from, to));
                        assert_eq!(named, allowed, "{from} → {to}");
                    }
                    other => panic!("{from} → {to}: {other:?}"),
                }
                assert_eq!(f.version(q.id), version, "{from} → {to} wrote");
            }
        }
    }
}

#[tokio::test]
async fn declining_needs_a_reason() {
    for (reason, declines) in [(None, false), (Some(""), false), (Some("  "), false)]
        .into_iter()
        .chain([(Some("te duur"), true)])
    {
        let f = fixture();
        let q = f.quote_in(Status::Sent).await;
        let got = f.transition(q.id, Status::Declined, reason).await;
        if declines {
            let declined = got.unwrap();
            assert_eq!(declined.status, Status::Declined);
            assert_eq!(declined.decided_at, Some(f.service.now().at));
            let last = f.events(q.id).pop().unwrap();
            assert_eq!(last.reason.as_deref(), reason);
        } else {
            assert!(
                matches!(
                    got,
                    Err(QuoteError::Transition(TransitionError::ReasonRequired))
                ),
                "{reason:?}: {got:?}"
            );
            assert_eq!(f.service.get(q.id).await.unwrap().status, Status::Sent);
        }
    }
}

/// The move to `sent` fixes the document: the PDF of exactly the version moved (as sent, with
/// the content that version has) is hashed into the event.
#[tokio::test]
async fn the_sent_move_records_the_hash_of_the_document_it_moved() {
    let f = fixture();
    let q = f.draft().await;
    let sent = f.transition(q.id, Status::Sent, None).await.unwrap();
    let event = f.events(q.id).pop().unwrap();
    assert_eq!(event.document_sha256, Some(FakeDocuments::sha256_of(&sent)));
    assert_ne!(event.document_sha256, Some(FakeDocuments::sha256_of(&q)));
    assert_eq!(f.documents.renders(), 1);
    // Another move renders nothing and records no hash.
    f.transition(q.id, Status::Withdrawn, None).await.unwrap();
    assert_eq!(f.events(q.id).pop().unwrap().document_sha256, None);
    assert_eq!(f.documents.renders(), 1);

    // Edited by someone else between the read and the write: the hash is of the edited version.
    let f = fixture();
    let q = f.draft().await;
    f.store.before_next_write(move |s| {
        s.edit(q.id, |quote| quote.employee.reference = "PV-EDITED".into());
    });
    let sent = f.transition(q.id, Status::Sent, None).await.unwrap();
    assert_eq!(sent.employee.reference, "PV-EDITED");
    let event = f.events(q.id).pop().unwrap();
    assert_eq!(event.document_sha256, Some(FakeDocuments::sha256_of(&sent)));
}

#[tokio::test]
async fn the_sent_move_queues_quote_sent_for_the_endpoints_that_want_it() {
    // (what the endpoint wants, how many `quote.sent` jobs the move queues)
    let cases: &[(&[&str], usize)] = &[
        (&[], 0),
        (&["quote.sent"], 1),
        (&["quote.*"], 1),
        (&["quote.accepted", "quote_request.*"], 0),
    ];
    for &(wants, queued) in cases {
        let f = fixture_with(wants, false);
        let q = f.draft().await;
        f.transition(q.id, Status::Sent, None).await.unwrap();
        let jobs = f.store.with(|s| s.jobs_of(q.id, "quote.sent"));
        assert_eq!(jobs.len(), queued, "{wants:?}");
        for job in jobs {
            assert_eq!(job.kind, JobKind::Webhook);
            assert_eq!(job.order_key.as_deref(), Some("quote:OFF-2026-00001"));
            let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap();
            assert_eq!(payload["body"]["type"], "quote.sent");
            assert_eq!(payload["body"]["data"]["status"], "sent");
            assert_eq!(payload["body"]["data"]["id"], q.id.to_string());
        }
    }
}

#[tokio::test]
async fn only_a_draft_can_be_edited() {
    for status in [Status::Draft, Status::Sent, Status::Withdrawn] {
        let f = fixture();
        let q = f.quote_in(status).await;
        match f.update(q.id).await {
            Ok(edited) if status == Status::Draft => {
                assert_eq!(edited.employee.reference, "PV-0413");
                assert_eq!(f.version(q.id), 2);
            }
            Err(QuoteError::NotDraft(s)) if status != Status::Draft => assert_eq!(s, status),
            other => panic!("{status}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_revision_supersedes_a_draft_or_sent_quote() {
    for from in [Status::Draft, Status::Sent] {
        let f = fixture();
        let q = f.quote_in(from).await;
        let new = f.revise(q.id).await.unwrap();
        assert_eq!((new.number.as_str(), new.revision), ("OFF-2026-00001", 2));
        assert_eq!(new.display_number, "OFF-2026-00001-2");
        assert_eq!((new.status, new.supersedes), (Status::Draft, Some(q.id)));
        assert_eq!(new.employee.reference, "PV-0413", "the changes are applied");
        let old = f.service.get(q.id).await.unwrap();
        assert_eq!(old.status, Status::Superseded);
        assert_eq!(old.superseded_by, Some(new.id));
        let last = f.events(q.id).pop().unwrap();
        assert_eq!((last.from, last.to), (Some(from), Status::Superseded));
        assert_eq!(last.reason.as_deref(), Some("replaced by revision 2"));
        let first = &f.events(new.id)[0];
        assert_eq!(
            first.reason.as_deref(),
            Some("revision 2 of OFF-2026-00001")
        );
        // The next revision of the number is 3; no number is taken.
        let third = f.revise(new.id).await.unwrap();
        assert_eq!(third.display_number, "OFF-2026-00001-3");
        assert_eq!(f.draft().await.number, "OFF-2026-00002");
    }
}

#[tokio::test]
async fn only_a_draft_or_sent_quote_can_be_revised() {
    use Status::*;
    for status in [Accepted, Declined, Withdrawn, Expired, Superseded] {
        let f = fixture();
        let q = f.quote_in(status).await;
        let (quotes, version) = (f.stored_quotes(), f.version(q.id));
        match f.revise(q.id).await {
            Err(QuoteError::NotRevisable(s)) => assert_eq!(s, status),
            other => panic!("{status}: {other:?}"),
        }
        assert_eq!((f.stored_quotes(), f.version(q.id)), (quotes, version));
    }
}

/// A sent quote whose validity has passed reads as expired at once, everywhere, while nothing
/// is written.
#[tokio::test]
async fn reads_show_a_lapsed_quote_expired_without_writing() {
    let f = fixture();
    let q = f.quote_in(Status::Sent).await;
    f.clock.set(q.valid_until);
    assert_eq!(f.service.get(q.id).await.unwrap().status, Status::Sent);
    f.clock.advance(1);
    let (writes, version) = (f.writes(), f.version(q.id));
    assert_eq!(f.service.get(q.id).await.unwrap().status, Status::Expired);
    let list = || ListFilter {
        limit: 10,
        ..ListFilter::default()
    };
    let (expired, total) = f.service.list(Some(Status::Expired), list()).await.unwrap();
    assert_eq!(
        (expired[0].id, expired[0].status, total),
        (q.id, Status::Expired, 1)
    );
    assert_eq!(
        f.service.list(Some(Status::Sent), list()).await.unwrap().1,
        0
    );
    let shown = f.service.events(q.id).await.unwrap().pop().unwrap();
    assert_eq!((shown.id, shown.to), (None, Status::Expired));
    assert_eq!(shown.at, lapse_moment(q.valid_until));
    // Nothing was written, and it can no longer be answered.
    assert_eq!((f.writes(), f.version(q.id)), (writes, version));
    let got = f.transition(q.id, Status::Accepted, None).await;
    assert!(
        matches!(
            got,
            Err(QuoteError::Transition(TransitionError::NotAllowed {
                from: Status::Expired,
                ..
            }))
        ),
        "{got:?}"
    );
}

#[tokio::test]
async fn the_sweep_stores_each_expiry_once() {
    let f = fixture_with(&["quote.expired"], false);
    let lapsing = f.quote_in(Status::Sent).await;
    let draft = f.draft().await;
    f.clock.advance(10);
    let valid = f.quote_in(Status::Sent).await;
    f.clock.set(lapsing.valid_until.succ_opt().unwrap());
    assert_eq!(f.service.sweep_expired().await.unwrap(), 1);
    let stored = f.store.with(|s| s.row(lapsing.id).unwrap().quote.status);
    assert_eq!(stored, Status::Expired);
    let expiries: Vec<_> = f.service.events(lapsing.id).await.unwrap();
    let expiries: Vec<_> = expiries
        .iter()
        .filter(|e| e.to == Status::Expired)
        .collect();
    assert_eq!(expiries.len(), 1, "stored once, no longer shown besides");
    assert!(expiries[0].id.is_some());
    assert_eq!(expiries[0].at, lapse_moment(lapsing.valid_until));
    assert_eq!(expiries[0].role, ActorRole::System);
    let hooks = f.store.with(|s| s.jobs_of(lapsing.id, "quote.expired"));
    assert_eq!(hooks.len(), 1);
    // A draft past its validity and a sent quote still valid are left alone.
    assert_eq!((f.version(draft.id), f.version(valid.id)), (1, 2));
    // A second sweep finds nothing to store.
    let writes = f.writes();
    assert_eq!(f.service.sweep_expired().await.unwrap(), 0);
    assert_eq!(f.writes(), writes);
}

/// An expiry whose write finds the quote changed meanwhile is not counted (nor retried: the
/// next sweep decides again).
#[tokio::test]
async fn the_sweep_leaves_a_quote_changed_meanwhile_to_the_next_sweep() {
    let f = fixture();
    let q = f.quote_in(Status::Sent).await;
    f.clock.set(q.valid_until.succ_opt().unwrap());
    f.store.stale_next(1);
    assert_eq!(f.service.sweep_expired().await.unwrap(), 0);
    assert_eq!(f.version(q.id), 2, "nothing stored");
    assert_eq!(f.service.sweep_expired().await.unwrap(), 1);
    assert_eq!(f.version(q.id), 3);
}
