//! The quote services' decisions, over in-memory fakes of what they need from outside
//! (`fakes`): no database, mail relay or PDF engine, and a clock that moves only when told.
//!
//! What an operation is given is made in one helper per kind ([`quote_body`], [`changes`],
//! [`send_body`]) and each operation is called through one method of [`Fixture`], so a change
//! of an operation's input types touches one place.

mod archive;
mod certificate;
mod consent;
mod lifecycle;
mod online;

use chrono::NaiveDate;
use std::sync::Arc;
use uuid::Uuid;

use super::fakes::{FakeDocuments, FixedClock, MemoryArchive, MemoryStore, catalogs};
use super::{Created, Mailing, QuoteService};
use crate::outbox::model::EmailJob;
use crate::outbox::webhooks::{EventFilter, Subscription, Webhooks};
use crate::quotes::error::QuoteError;
use crate::quotes::input::Signature;
use crate::quotes::input::{QuoteEdit, QuoteInput, SendOrder};
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Actor, ActorRole, Event, Quote};

/// The day every fixture starts on.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

/// The employer's address in [`quote_body`].
const EMPLOYER_EMAIL: &str = "hr@korenschoof.example";

/// The one place a new quote's input is made.
fn quote_body() -> QuoteInput {
    fn json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
        serde_json::from_value(value).unwrap()
    }
    QuoteInput::new(
        json(
            serde_json::json!({"company_name": "Bakkerij De Korenschoof B.V.",
                                "contact_person": "J. de Vries", "email": EMPLOYER_EMAIL}),
        ),
        json(serde_json::json!({"reference": "PV-0412", "hours_per_week": 32})),
        json(
            serde_json::json!({"first_sick_day": "2026-01-05", "readiness": "ready_with_support"}),
        ),
    )
    .unwrap()
}

/// The one place the changes of an edit or a revision are made: another employee reference.
fn changes() -> QuoteEdit {
    let employee = serde_json::from_value(serde_json::json!({"reference": "PV-0413"})).unwrap();
    QuoteEdit::new(None, Some(employee), None).unwrap()
}

/// The one place what a send is given is made: to the employer, with a word from sales.
fn send_body() -> SendOrder {
    SendOrder::new(None, Vec::new(), Some("Zoals besproken.".into())).unwrap()
}

fn sales() -> Actor {
    Actor {
        role: ActorRole::Sales,
        key_id: "sales-1".into(),
    }
}

fn signature(name: &str) -> Signature {
    Signature::new(name, true).unwrap()
}

/// A service over fresh fakes, and handles to them.
struct Fixture {
    service: QuoteService<MemoryStore, FakeDocuments, MemoryStore>,
    store: MemoryStore,
    documents: FakeDocuments,
    clock: Arc<FixedClock>,
}

/// A service whose one webhook endpoint wants `events` (none: no endpoint), with e-mail when
/// `mail`.
fn fixture_with(events: &[&str], mail: bool) -> Fixture {
    let store = MemoryStore::new();
    let documents = FakeDocuments::default();
    let clock = FixedClock::at(today());
    let hooks = if events.is_empty() {
        Webhooks::default()
    } else {
        let patterns: Vec<String> = events.iter().map(|e| e.to_string()).collect();
        let filter = EventFilter::parse(&patterns).unwrap();
        Webhooks::new(vec![Subscription::new("https://hooks.example/in", filter)])
    };
    let mailing = mail.then(|| Mailing {
        from: None,
        public_url: "https://offerte.test".into(),
        reply_to: None,
    });
    let service = QuoteService::new(
        store.clone(),
        documents.clone(),
        store.clone(),
        catalogs(),
        hooks,
        "OFF",
    )
    .with_mailing(mailing, 0)
    .with_clock(clock.clone());
    Fixture {
        service,
        store,
        documents,
        clock,
    }
}

/// Without webhooks and without e-mail.
fn fixture() -> Fixture {
    fixture_with(&[], false)
}

/// With e-mail.
fn mailed() -> Fixture {
    fixture_with(&[], true)
}

impl Fixture {
    async fn create(&self, key: Option<(&str, &str)>) -> Result<Created, QuoteError> {
        self.service.create(&quote_body(), &sales(), key).await
    }

    async fn update(&self, id: Uuid) -> Result<Quote, QuoteError> {
        self.service.update(id, &changes(), &sales()).await
    }

    async fn transition(
        &self,
        id: Uuid,
        to: Status,
        reason: Option<&str>,
    ) -> Result<Quote, QuoteError> {
        self.service.transition(id, to, reason, &sales()).await
    }

    async fn send(&self, id: Uuid) -> Result<Quote, QuoteError> {
        self.service.send(id, &send_body(), &sales()).await
    }

    async fn revise(&self, id: Uuid) -> Result<Quote, QuoteError> {
        self.service.revise(id, &changes(), &sales()).await
    }

    async fn draft(&self) -> Quote {
        self.create(None).await.unwrap().quote
    }

    /// A quote brought to `status` through the service (an expiry as the sweep stores it).
    async fn quote_in(&self, status: Status) -> Quote {
        let id = self.draft().await.id;
        let sent = async || self.transition(id, Status::Sent, None).await.unwrap();
        match status {
            Status::Draft => {}
            Status::Sent => {
                sent().await;
            }
            Status::Accepted | Status::Declined => {
                sent().await;
                self.transition(id, status, Some("a reason")).await.unwrap();
            }
            Status::Withdrawn => {
                self.transition(id, status, None).await.unwrap();
            }
            Status::Expired => {
                sent().await;
                self.store.with(|s| s.force_status(id, Status::Expired));
            }
            Status::Superseded => {
                self.revise(id).await.unwrap();
            }
        }
        let quote = self.service.get(id).await.unwrap();
        assert_eq!(quote.status, status);
        quote
    }

    /// A quote sent by e-mail, and the token of the link the e-mail carries.
    async fn sent_with_link(&self) -> (Quote, String) {
        let id = self.draft().await.id;
        let quote = self.send(id).await.unwrap();
        let mails = self.store.with(|s| s.jobs_of(id, "quote_sent"));
        (quote, token_in(mails.last().expect("a queued e-mail")))
    }

    async fn accept(&self, token: &str, name: &str) -> Result<Quote, QuoteError> {
        self.service.accept(token, &signature(name)).await
    }

    fn events(&self, id: Uuid) -> Vec<Event> {
        self.store.with(|s| s.events_of(id))
    }

    /// The bytes the archive keeps under `sha256`.
    fn archived(&self, sha256: &str) -> Option<Vec<u8>> {
        self.store.with(|s| s.documents.get(sha256).cloned())
    }

    /// The bytes of an e-mail's first attachment: from the archive (where the job points).
    fn attached(&self, mail: &EmailJob) -> Vec<u8> {
        let sha256 = mail.attachments[0]
            .sha256
            .as_deref()
            .expect("an archived attachment");
        self.archived(sha256).expect("the attachment is archived")
    }

    fn version(&self, id: Uuid) -> i64 {
        self.store.with(|s| s.version(id))
    }

    /// Writes asked of the store so far.
    fn writes(&self) -> usize {
        self.store.with(|s| s.writes)
    }

    fn stored_quotes(&self) -> usize {
        self.store.with(|s| s.quotes.len())
    }
}

/// The link token in a queued e-mail (the fake letter's first line is the link).
fn token_in(job: &crate::outbox::model::NewJob) -> String {
    let mail: crate::outbox::model::EmailJob = serde_json::from_str(&job.payload).unwrap();
    let link = mail.text.lines().next().unwrap();
    let (_, token) = link.rsplit_once("/q/").expect("a link in the e-mail");
    token.to_string()
}

#[tokio::test]
async fn numbers_are_gapless_per_prefix_and_year() {
    let f = fixture();
    let first = f.draft().await;
    let second = f.draft().await;
    f.clock.set(NaiveDate::from_ymd_opt(2027, 1, 4).unwrap());
    let next_year = f.draft().await;
    let numbers = [&first.number, &second.number, &next_year.number];
    assert_eq!(
        numbers,
        ["OFF-2026-00001", "OFF-2026-00002", "OFF-2027-00001"]
    );
    // A new quote is a draft, revision 1, as stored, with one event.
    assert_eq!(f.service.get(first.id).await.unwrap(), first);
    assert_eq!((first.status, first.revision), (Status::Draft, 1));
    assert_eq!(first.display_number, "OFF-2026-00001");
    assert_eq!(f.version(first.id), 1);
    let events = f.events(first.id);
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].from, events[0].to), (None, Status::Draft));
}

#[tokio::test]
async fn an_idempotency_key_replays_its_quote_or_refuses_another_body() {
    #[derive(Debug)]
    enum Want {
        Replay,
        New,
        Mismatch,
    }
    // The first request is keyed (k-1, body hash h-1); the second's key and hash, and its answer.
    let cases = [
        (("k-1", "h-1"), Want::Replay),
        (("k-1", "h-2"), Want::Mismatch),
        (("k-2", "h-2"), Want::New),
    ];
    for (second, want) in cases {
        let f = fixture();
        let first = f.create(Some(("k-1", "h-1"))).await.unwrap();
        assert!(!first.replayed);
        let got = f.create(Some(second)).await;
        let stored = match (&want, got) {
            (Want::Replay, Ok(c)) if c.replayed => {
                assert_eq!(c.quote, first.quote, "{second:?}");
                1
            }
            (Want::New, Ok(c)) if !c.replayed => {
                assert_eq!(c.quote.number, "OFF-2026-00002");
                2
            }
            (Want::Mismatch, Err(QuoteError::IdempotencyMismatch)) => 1,
            (_, got) => panic!(
                "{second:?}: want {want:?}, got {:?}",
                got.map(|c| c.replayed)
            ),
        };
        assert_eq!(f.stored_quotes(), stored, "{second:?}");
    }
}

/// Two requests with one key at once: the lookup of the one that loses finds nothing, its write
/// runs into the key the winner stored, and it answers as the winner's replay (or refuses a
/// different body).
#[tokio::test]
async fn a_key_that_loses_the_race_answers_as_the_replay() {
    for (winner_hash, replayed) in [("h-1", true), ("h-other", false)] {
        let f = fixture();
        let winner = f.draft().await;
        f.store.before_next_write(move |s| {
            let row = s.quotes.iter_mut().find(|r| r.quote.id == winner.id);
            row.unwrap().idempotency = Some(("k-1".into(), winner_hash.into()));
        });
        let got = f.create(Some(("k-1", "h-1"))).await;
        match got {
            Ok(c) if replayed => {
                assert!(c.replayed);
                assert_eq!(c.quote.id, winner.id);
            }
            Err(QuoteError::IdempotencyMismatch) if !replayed => {}
            other => panic!("{winner_hash}: {:?}", other.map(|c| c.replayed)),
        }
        // The loser took no number and stored nothing.
        assert_eq!(f.stored_quotes(), 1);
        assert_eq!(f.draft().await.number, "OFF-2026-00002");
    }
}

/// A conditional write that finds the quote changed is decided again on a fresh read; after
/// five tries the operation gives up as busy, naming the status it last read.
#[tokio::test]
async fn a_move_is_decided_again_until_it_lands_or_gives_up() {
    // (stale writes before one lands, whether the move lands)
    let cases = [(0, true), (1, true), (4, true), (5, false), (8, false)];
    for (stale, lands) in cases {
        let f = fixture();
        let q = f.draft().await;
        f.store.stale_next(stale);
        let before = f.writes();
        let got = f.transition(q.id, Status::Withdrawn, None).await;
        let tries = f.writes() - before;
        if lands {
            assert_eq!(got.unwrap().status, Status::Withdrawn, "{stale} stale");
            assert_eq!(tries, stale + 1);
            assert_eq!(f.version(q.id), 2, "one change landed");
        } else {
            assert!(
                matches!(got, Err(QuoteError::Busy(Status::Draft))),
                "{stale} stale: {got:?}"
            );
            assert_eq!(tries, 5);
            assert_eq!(f.version(q.id), 1, "nothing landed");
            assert_eq!(f.events(q.id).len(), 1);
        }
    }
}

/// Every read-decide-write operation retries the same way.
#[tokio::test]
async fn every_change_retries_then_gives_up_as_busy() {
    let operations = ["update", "transition", "send", "revise", "accept"];
    for op in operations {
        for (stale, lands) in [(4, true), (5, false)] {
            let f = mailed();
            let (id, token) = if op == "accept" {
                let (q, token) = f.sent_with_link().await;
                (q.id, token)
            } else {
                (f.draft().await.id, String::new())
            };
            f.store.stale_next(stale);
            let got = match op {
                "update" => f.update(id).await,
                "transition" => f.transition(id, Status::Withdrawn, None).await,
                "send" => f.send(id).await,
                "revise" => f.revise(id).await,
                _ => f.accept(&token, "J. de Vries").await,
            };
            let read = if op == "accept" {
                Status::Sent
            } else {
                Status::Draft
            };
            match got {
                Ok(_) if lands => {}
                Err(QuoteError::Busy(status)) if !lands => assert_eq!(status, read, "{op}"),
                other => panic!("{op} after {stale} stale writes: {other:?}"),
            }
        }
    }
}
