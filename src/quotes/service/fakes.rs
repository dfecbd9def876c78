//! In-memory stand-ins for what the quote services need from outside, for tests of the
//! services' decisions without a database, a mail relay or a PDF engine: a store
//! ([`MemoryStore`]) that keeps the semantics of the real one (versions go up by one with every
//! change, a write naming a stale version is refused, numbers are gapless per prefix and year,
//! idempotency keys are unique), documents ([`FakeDocuments`]) whose bytes are known in advance,
//! and a clock ([`FixedClock`]) that moves only when told.
//!
//! Two knobs model what happens between a service's read and its write: [`MemoryStore::stale_next`]
//! refuses the next versioned writes as stale, and [`MemoryStore::before_next_write`] lets
//! another writer change the store first.

mod archive;
mod clock;
mod documents;
mod outbox;
mod repository;

pub(crate) use archive::MemoryArchive;
pub(crate) use clock::FixedClock;
pub(crate) use documents::{BUREAU, FakeDocuments};

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use uuid::Uuid;

use crate::catalog::CatalogSet;
use crate::outbox::model::NewJob;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Actor, Event, Quote};
use crate::quotes::ports::{Link, NewEvent};
use crate::storage::{StorageError, Version};

/// The catalogs in `pricing/`, read once per test run.
pub(crate) fn catalogs() -> Arc<CatalogSet> {
    static CATALOGS: OnceLock<Arc<CatalogSet>> = OnceLock::new();
    CATALOGS
        .get_or_init(|| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing");
            Arc::new(CatalogSet::load_dir(&dir).expect("the catalogs in pricing/"))
        })
        .clone()
}

/// What the store needs of a quote request to move it in a create ([`crate::quotes::ports::RequestLink`]).
/// The request flow's tests give it their record; the quote tests keep none ([`NoRequest`]).
pub(crate) trait LinkedRequest {
    fn id(&self) -> Uuid;
    fn status(&self) -> &str;
    /// Moves it to `to`, naming the quote made from it.
    fn link(&mut self, to: &str, quote_id: Uuid, at: DateTime<Utc>, key_id: &str);
}

/// No request: a store for the quote tests.
#[derive(Debug, Clone)]
pub(crate) enum NoRequest {}

impl LinkedRequest for NoRequest {
    fn id(&self) -> Uuid {
        match *self {}
    }
    fn status(&self) -> &str {
        match *self {}
    }
    fn link(&mut self, _: &str, _: Uuid, _: DateTime<Utc>, _: &str) {
        match *self {}
    }
}

/// One stored quote row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub quote: Quote,
    pub version: Version,
    /// The idempotency key and body hash it was made with.
    pub idempotency: Option<(String, String)>,
}

/// Another writer's change, made between a service's read and its write.
type Hook<Q> = Box<dyn FnOnce(&mut State<Q>) + Send>;

/// Everything the store holds, and its knobs.
pub(crate) struct State<Q> {
    /// In the order they were stored.
    pub quotes: Vec<Row>,
    pub events: Vec<Event>,
    /// Every outbox job queued, in order.
    pub jobs: Vec<NewJob>,
    /// Token SHA-256 → quote.
    pub links: HashMap<String, Link>,
    /// The archive: SHA-256 → bytes.
    pub documents: HashMap<String, Vec<u8>>,
    /// The last number taken per prefix and year.
    pub counters: HashMap<(String, i32), i64>,
    pub requests: Vec<Q>,
    /// Writes asked for (create, replace, change_status, revise), landed or not.
    pub writes: usize,
    /// How many of the next versioned writes are refused as stale.
    stale: usize,
    hook: Option<Hook<Q>>,
}

impl<Q> State<Q> {
    pub fn row(&self, id: Uuid) -> Option<&Row> {
        self.quotes.iter().find(|r| r.quote.id == id)
    }

    fn row_mut(&mut self, id: Uuid) -> Option<&mut Row> {
        self.quotes.iter_mut().find(|r| r.quote.id == id)
    }

    /// The row, if it still has `expected`.
    fn current(&mut self, id: Uuid, expected: Version) -> Result<&mut Row, StorageError> {
        self.row_mut(id)
            .filter(|r| r.version == expected)
            .ok_or(StorageError::Stale)
    }

    fn push_event(&mut self, e: NewEvent) {
        let id = self.events.len() as i64 + 1;
        self.events.push(Event {
            id: Some(id),
            quote_id: e.quote_id,
            from: e.from,
            to: e.to,
            at: e.at,
            role: e.actor.role,
            key_id: e.actor.key_id,
            reason: e.reason,
            document_sha256: e.document_sha256,
            name: e.name,
            evidence: e.evidence,
        });
    }

    /// Another writer changes a quote's content (its version goes up).
    pub fn edit(&mut self, id: Uuid, change: impl FnOnce(&mut Quote)) {
        let row = self.row_mut(id).expect("a stored quote");
        change(&mut row.quote);
        row.version += 1;
    }

    /// Another writer moves a quote (its version goes up, an event is recorded), as a change
    /// through the port would.
    pub fn force_status(&mut self, id: Uuid, to: Status) {
        let row = self.row_mut(id).expect("a stored quote");
        let from = row.quote.status;
        row.quote.status = to;
        row.version += 1;
        let event = NewEvent {
            quote_id: id,
            from: Some(from),
            to,
            at: row.quote.updated_at,
            actor: Actor::system(),
            reason: Some("changed by another writer".into()),
            document_sha256: None,
            name: None,
            evidence: None,
        };
        self.push_event(event);
    }

    /// The version a quote has now.
    pub fn version(&self, id: Uuid) -> Version {
        self.row(id).expect("a stored quote").version
    }

    /// A quote's stored events.
    pub fn events_of(&self, id: Uuid) -> Vec<Event> {
        let events = self.events.iter().filter(|e| e.quote_id == id);
        events.cloned().collect()
    }

    /// The jobs queued about a quote with this topic.
    pub fn jobs_of(&self, id: Uuid, topic: &str) -> Vec<NewJob> {
        let jobs = self.jobs.iter().filter(|j| j.quote_id == Some(id));
        jobs.filter(|j| j.topic == topic).cloned().collect()
    }
}

/// An in-memory store of quotes, their events, links and outbox jobs (and, for the request
/// flow's tests, requests). Clones share it, so a test keeps a handle to what the service holds.
pub(crate) struct MemoryStore<Q = NoRequest>(Arc<Mutex<State<Q>>>);

impl<Q> Clone for MemoryStore<Q> {
    fn clone(&self) -> Self {
        MemoryStore(self.0.clone())
    }
}

impl<Q> Default for MemoryStore<Q> {
    fn default() -> Self {
        MemoryStore(Arc::new(Mutex::new(State {
            quotes: Vec::new(),
            events: Vec::new(),
            jobs: Vec::new(),
            links: HashMap::new(),
            documents: HashMap::new(),
            counters: HashMap::new(),
            requests: Vec::new(),
            writes: 0,
            stale: 0,
            hook: None,
        })))
    }
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

impl<Q> MemoryStore<Q> {
    /// Reads or changes the state directly (for setting up and checking; no knob fires).
    pub fn with<T>(&self, f: impl FnOnce(&mut State<Q>) -> T) -> T {
        f(&mut lock(&self.0))
    }

    /// The next `n` versioned writes (replace, change_status, revise) are refused as stale,
    /// changing nothing, as if another writer had changed the quote each time.
    pub fn stale_next(&self, n: usize) {
        lock(&self.0).stale = n;
    }

    /// Runs `change` at the start of the next write, after the service read and decided:
    /// another writer that got there first.
    pub fn before_next_write(&self, change: impl FnOnce(&mut State<Q>) + Send + 'static) {
        lock(&self.0).hook = Some(Box::new(change));
    }

    /// A write: the other writer's change first, then `f` on the state.
    pub fn write<T>(
        &self,
        versioned: bool,
        f: impl FnOnce(&mut State<Q>) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let mut state = lock(&self.0);
        state.writes += 1;
        if let Some(hook) = state.hook.take() {
            hook(&mut *state);
        }
        if versioned && state.stale > 0 {
            state.stale -= 1;
            return Err(StorageError::Stale);
        }
        f(&mut *state)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
