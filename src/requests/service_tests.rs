//! The request flow's decisions, over the quote services' in-memory store (which keeps requests
//! here, as the request port needs them) and a fixed clock.

use chrono::{DateTime, Days, NaiveDate, Utc};
use std::sync::Arc;
use uuid::Uuid;

use super::error::RequestError;
use super::model::{NewRequestBody, QuoteRequest, RequestStatus};
use super::ports::{RequestDecision, RequestQuery, RequestRepository};
use super::service::RequestService;
use crate::clock::Clock;
use crate::outbox::webhooks::{EventFilter, Subscription, Webhooks};
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Actor, ActorRole};
use crate::quotes::ports::QuoteRepository;
use crate::quotes::service::fakes::{FixedClock, LinkedRequest, MemoryStore, catalogs};
use crate::storage::{Constraint, StorageError};

impl LinkedRequest for QuoteRequest {
    fn id(&self) -> Uuid {
        self.id
    }

    fn status(&self) -> &str {
        self.status.as_str()
    }

    fn link(&mut self, to: &str, quote_id: Uuid, at: DateTime<Utc>, key_id: &str) {
        self.status = RequestStatus::parse(to).expect("a request status");
        self.quote_id = Some(quote_id);
        self.decided_at = Some(at);
        self.decided_by_key = Some(key_id.to_string());
        self.updated_at = at;
    }
}

/// The request port over the memory store, as the real store: references are unique, a
/// decision lands only while the request has the status it was decided on, a purge keeps what
/// made a quote.
impl RequestRepository for MemoryStore<QuoteRequest> {
    async fn create_request(
        &self,
        request: &QuoteRequest,
        jobs: &[crate::outbox::model::NewJob],
    ) -> Result<(), StorageError> {
        self.write(false, |s| {
            if s.requests.iter().any(|r| r.reference == request.reference) {
                return Err(StorageError::Conflict(Constraint::RequestReference));
            }
            s.requests.push(request.clone());
            s.jobs.extend(jobs.iter().cloned());
            Ok(())
        })
    }

    async fn fetch_request(&self, id: Uuid) -> Result<Option<QuoteRequest>, StorageError> {
        Ok(self.with(|s| s.requests.iter().find(|r| r.id == id).cloned()))
    }

    async fn list_requests(
        &self,
        query: &RequestQuery,
    ) -> Result<(Vec<QuoteRequest>, i64), StorageError> {
        Ok(self.with(|s| {
            let mut found: Vec<QuoteRequest> = s.requests.clone();
            found.retain(|r| {
                query.status.is_none_or(|status| r.status == status)
                    && query.created_from.is_none_or(|t| r.created_at >= t)
                    && query.created_before.is_none_or(|t| r.created_at < t)
            });
            found.sort_by_key(|q| std::cmp::Reverse((q.created_at, q.id)));
            let total = found.len() as i64;
            let page = found.into_iter().skip(query.offset.max(0) as usize);
            (page.take(query.limit.max(0) as usize).collect(), total)
        }))
    }

    async fn decide_request(&self, d: RequestDecision<'_>) -> Result<(), StorageError> {
        self.write(false, |s| {
            let request = s.requests.iter_mut().find(|r| r.id == d.id);
            let request = request
                .filter(|r| r.status == d.from)
                .ok_or(StorageError::Stale)?;
            request.status = d.to;
            request.reason = d.reason.map(str::to_string);
            request.decided_at = Some(d.at);
            request.decided_by_key = Some(d.key_id.to_string());
            request.updated_at = d.at;
            s.jobs.extend(d.jobs);
            Ok(())
        })
    }

    async fn delete_request(&self, id: Uuid) -> Result<bool, StorageError> {
        self.write(false, |s| {
            let before = s.requests.len();
            s.requests.retain(|r| r.id != id);
            Ok(s.requests.len() < before)
        })
    }

    async fn purge_requests(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        self.write(false, |s| {
            let count = s.requests.len();
            s.requests
                .retain(|r| r.quote_id.is_some() || r.created_at >= before);
            Ok((count - s.requests.len()) as u64)
        })
    }
}

/// The one place a request's input is made (`website`: the hidden field, filled by bots).
fn request_body(website: Option<&str>) -> NewRequestBody {
    serde_json::from_value(serde_json::json!({
        "employer": {"company_name": "Bakkerij B.V.", "contact_person": "J. de Vries",
                     "email": "hr@bakkerij.example"},
        "employee": {"reference": "PV-1"},
        "circumstances": {"first_sick_day": "2026-01-05", "readiness": "ready_with_support"},
        "consent": true,
        "website": website,
    }))
    .unwrap()
}

fn sales() -> Actor {
    Actor {
        role: ActorRole::Sales,
        key_id: "sales-1".into(),
    }
}

const RETENTION_DAYS: u32 = 180;

struct Fixture {
    service: RequestService<MemoryStore<QuoteRequest>>,
    store: MemoryStore<QuoteRequest>,
    clock: Arc<FixedClock>,
}

/// A request service over a fresh store, starting on 2 March 2026, whose one webhook endpoint
/// wants every event.
fn fixture() -> Fixture {
    let store = MemoryStore::<QuoteRequest>::default();
    let clock = FixedClock::at(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    let hooks = Webhooks::new(vec![Subscription::new(
        "https://hooks.example/in",
        EventFilter::all(),
    )]);
    let service = RequestService::new(store.clone(), catalogs(), hooks, "OFF", RETENTION_DAYS)
        .with_clock(clock.clone());
    Fixture {
        service,
        store,
        clock,
    }
}

impl Fixture {
    /// A new request, stored.
    async fn submit(&self) -> QuoteRequest {
        let (_, stored) = self.service.submit(request_body(None)).await.unwrap();
        stored.expect("a stored request")
    }

    fn clock_now(&self) -> DateTime<Utc> {
        self.clock.now().at
    }

    fn quotes(&self) -> usize {
        self.store.with(|s| s.quotes.len())
    }

    fn topics(&self) -> Vec<String> {
        self.store
            .with(|s| s.jobs.iter().map(|j| j.topic.clone()).collect())
    }
}

#[tokio::test]
async fn converting_makes_a_draft_and_marks_the_request() {
    let f = fixture();
    let request = f.submit().await;
    let (converted, quote) = f.service.convert(request.id, &sales()).await.unwrap();
    assert_eq!(
        (quote.number.as_str(), quote.status),
        ("OFF-2026-00001", Status::Draft)
    );
    assert_eq!(quote.employer, request.employer);
    assert_eq!(converted.status, RequestStatus::Converted);
    assert_eq!(converted.quote_id, Some(quote.id));
    assert_eq!(converted.decided_by_key.as_deref(), Some("sales-1"));
    assert_eq!(converted.decided_at, Some(f.clock_now()));
    let stored = f.store.fetch(quote.id).await.unwrap().unwrap().quote;
    assert_eq!(stored, quote);
    let events = f.store.with(|s| s.events_of(quote.id));
    let note = format!("made from quote request {}", request.reference);
    assert_eq!(events[1].reason.as_deref(), Some(note.as_str()));
    assert_eq!(
        f.topics(),
        [
            "quote_request.created",
            "quote.created",
            "quote_request.converted"
        ]
    );
}

#[tokio::test]
async fn a_decided_request_is_not_decided_again() {
    // (the first decision, the second)
    let cases = [
        ("convert", "convert"),
        ("reject", "convert"),
        ("convert", "reject"),
        ("reject", "reject"),
    ];
    for (first, second) in cases {
        let f = fixture();
        let id = f.submit().await.id;
        let decide = async |how: &str| match how {
            "convert" => f.service.convert(id, &sales()).await.map(|(r, _)| r),
            _ => f.service.reject(id, Some("buiten regio"), &sales()).await,
        };
        let decided = decide(first).await.unwrap();
        let writes = f.store.with(|s| s.writes);
        let got = decide(second).await;
        match got {
            Err(RequestError::Decided(status)) => assert_eq!(status, decided.status),
            other => panic!("{first} then {second}: {other:?}"),
        }
        // Refused on the read: nothing written, no second quote, the request as decided.
        assert_eq!(f.store.with(|s| s.writes), writes, "{first} then {second}");
        assert_eq!(f.quotes(), usize::from(first == "convert"));
        assert_eq!(f.service.get(id).await.unwrap(), decided);
    }
}

/// A conversion decided on a new request whose write finds it decided meanwhile says how,
/// and makes no quote (and takes no number).
#[tokio::test]
async fn a_conversion_that_loses_the_race_says_how() {
    let f = fixture();
    let id = f.submit().await.id;
    f.store.before_next_write(move |s| {
        let request = s.requests.iter_mut().find(|r| r.id == id).unwrap();
        request.status = RequestStatus::Rejected;
    });
    let got = f.service.convert(id, &sales()).await;
    assert!(
        matches!(got, Err(RequestError::Decided(RequestStatus::Rejected))),
        "{got:?}"
    );
    assert_eq!(f.quotes(), 0);
    let other = f.submit().await;
    let (_, quote) = f.service.convert(other.id, &sales()).await.unwrap();
    assert_eq!(quote.number, "OFF-2026-00001");
}

/// Requests that made no quote are forgotten once older than the retention, counted from the
/// service's clock.
#[tokio::test]
async fn the_purge_forgets_unconverted_requests_past_the_retention() {
    // (days after the old requests came in, how many the purge forgets)
    let cases = [(RETENTION_DAYS, 0), (RETENTION_DAYS + 1, 2)];
    for (days, forgotten) in cases {
        let f = fixture();
        let start = f.clock_now().date_naive();
        let untouched = f.submit().await;
        let converted = f.submit().await;
        let rejected = f.submit().await;
        f.service.convert(converted.id, &sales()).await.unwrap();
        f.service.reject(rejected.id, None, &sales()).await.unwrap();
        f.clock.advance(100);
        let recent = f.submit().await;
        f.clock.set(start + Days::new(u64::from(days)));
        assert_eq!(f.service.purge().await.unwrap(), forgotten, "{days} days");
        let kept = |id| f.store.with(|s| s.requests.iter().any(|r| r.id == id));
        let gone = forgotten > 0;
        assert_eq!(kept(untouched.id), !gone, "{days} days");
        assert_eq!(kept(rejected.id), !gone, "{days} days");
        assert!(kept(converted.id) && kept(recent.id), "{days} days");
    }
}

#[tokio::test]
async fn a_honeypot_request_is_answered_but_not_kept() {
    let f = fixture();
    let (receipt, stored) = f
        .service
        .submit(request_body(Some("https://spam.example")))
        .await
        .unwrap();
    assert!(receipt.reference.starts_with("AV-") && receipt.indicative);
    assert!(stored.is_none());
    assert!(f.store.with(|s| s.requests.is_empty() && s.jobs.is_empty()));
}

#[tokio::test]
async fn an_erased_request_is_gone() {
    let f = fixture();
    let id = f.submit().await.id;
    f.service.erase(id).await.unwrap();
    assert!(matches!(
        f.service.get(id).await,
        Err(RequestError::NotFound(_))
    ));
    assert!(matches!(
        f.service.erase(id).await,
        Err(RequestError::NotFound(_))
    ));
}
