//! Every quote operation: price with the core, decide by the lifecycle, store through the
//! domain's own interface ([`QuoteRepository`]). The HTTP handlers, the CLI and the request flow
//! call these; they hold no rule, pricing or SQL of their own.
//!
//! A change is decided on a read and written only if the quote still has the version read; when
//! it changed meanwhile, the operation reads again and decides again (a few times at most).

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use std::sync::Arc;
use uuid::Uuid;

use super::error::QuoteError;
use super::input::QuoteInput;
use super::lifecycle::{Status, display_number};
use super::model::{Actor, Employee, Employer, Quote, QuoteContent};
use super::ports::{
    CreateQuote, NewQuote, NumberedJobs, QuoteRepository, RequestLink, SentDocument, Stored,
};
use crate::archive::DocumentArchive;
use crate::catalog::{CatalogSet, Catalogs};
use crate::clock::{Clock, Now, SystemClock};
use crate::outbox::model::NewJob;
use crate::outbox::webhooks::{EventType, Subject, Webhooks};
use crate::pricing::{self, Circumstances, Computation, InputError};
use crate::storage::{Constraint, StorageError};

mod archived;
mod certificate;
mod change;
mod consent;
mod history;
mod online;
mod read;
mod send;

pub use archived::Recorded;
pub use consent::{ConsentAnswer, ConsentLink, ConsentLinks};
pub use send::{Mailing, token_sha256};

/// How often an operation reads and decides again when the quote changed under it.
const ATTEMPTS: usize = 5;

/// What one attempt of a read-decide-write operation came to.
pub(crate) enum Attempt<T> {
    /// Decided and written (or nothing to write): the operation's answer.
    Done(T),
    /// The record changed between the read and the write; the status it had when read.
    Stale(Status),
}

/// Whether a conditional write landed: `false` when the record changed since it was read (read
/// and decide again); any other failure ends the operation.
pub(crate) fn landed(written: Result<(), StorageError>) -> Result<bool, QuoteError> {
    match written {
        Ok(()) => Ok(true),
        Err(StorageError::Stale) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Runs a read-decide-write `attempt` until it is done, at most [`ATTEMPTS`] times; when the
/// record kept changing under it, the operation is busy (a 409 naming the status last read,
/// `first` when nothing was read).
pub(crate) async fn until_settled<T>(
    first: Status,
    mut attempt: impl AsyncFnMut() -> Result<Attempt<T>, QuoteError>,
) -> Result<T, QuoteError> {
    let mut last = first;
    for _ in 0..ATTEMPTS {
        match attempt().await? {
            Attempt::Done(value) => return Ok(value),
            Attempt::Stale(status) => last = status,
        }
    }
    Err(QuoteError::Busy(last))
}

/// The quote operations with what they work with: the store, the documents, the catalog,
/// the webhooks, e-mail and the clock. Built once at start and shared by HTTP, the CLI and the
/// sweep, so every caller gets the same answer for the same input.
pub struct QuoteService<R, D, A> {
    repo: R,
    documents: D,
    /// Where the documents as sent are kept.
    archive: A,
    catalogs: Catalogs,
    webhooks: Webhooks,
    /// The prefix of new quote numbers (`OFF` → `OFF-2026-00042`).
    prefix: String,
    mailing: Option<Mailing>,
    /// Days before a sent quote's validity ends that its one reminder goes out; 0: none.
    reminder_days: u32,
    /// Where the employee's consent links point and how long they work.
    consent_links: ConsentLinks,
    clock: Arc<dyn Clock>,
}

impl<R, D, A> QuoteService<R, D, A> {
    pub fn new(
        repo: R,
        documents: D,
        archive: A,
        catalogs: impl Into<Catalogs>,
        webhooks: Webhooks,
        prefix: impl Into<String>,
    ) -> Self {
        QuoteService {
            repo,
            documents,
            archive,
            catalogs: catalogs.into(),
            webhooks,
            prefix: prefix.into(),
            mailing: None,
            reminder_days: 0,
            consent_links: ConsentLinks::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Sends quotes by e-mail (and reminds `reminder_days` before validity ends; 0: never).
    pub fn with_mailing(mut self, mailing: Option<Mailing>, reminder_days: u32) -> Self {
        self.mailing = mailing;
        self.reminder_days = reminder_days;
        self
    }

    /// Makes consent links under `links.public_url`, working `links.days` days.
    pub fn with_consent_links(mut self, links: ConsentLinks) -> Self {
        self.consent_links = links;
        self
    }

    /// Reads the time from `clock` instead of the system's.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The time as this service sees it.
    pub fn now(&self) -> Now {
        self.clock.now()
    }

    /// The catalog versions quotes are priced with.
    pub fn catalogs(&self) -> Arc<CatalogSet> {
        self.catalogs.current()
    }
}

/// A priced case, ready to store.
pub struct Priced {
    /// The circumstances with the start and quote dates made explicit.
    pub circumstances: Circumstances,
    pub computation: Computation,
    /// The same computation in the other language.
    pub translated: Computation,
    pub valid_until: NaiveDate,
}

impl Priced {
    pub(crate) fn new_quote<'a>(
        &'a self,
        id: Uuid,
        employer: &'a Employer,
        employee: &'a Employee,
        actor: &'a Actor,
        now: Now,
    ) -> NewQuote<'a> {
        NewQuote {
            id,
            employer,
            employee,
            circumstances: &self.circumstances,
            computation: &self.computation,
            translated: &self.translated,
            valid_until: self.valid_until,
            now: now.at,
            actor,
        }
    }
}

/// Prices the circumstances (defaults made explicit), in both languages, and works out the
/// validity date.
pub fn price(
    catalogs: &CatalogSet,
    circumstances: &Circumstances,
    today: NaiveDate,
) -> Result<Priced, InputError> {
    let resolved = circumstances.resolved(today);
    let computation =
        pricing::compute(catalogs, &resolved, today).map_err(|e| e.under("circumstances"))?;
    let other = Circumstances {
        language: resolved.language.other(),
        ..resolved.clone()
    };
    let translated =
        pricing::compute(catalogs, &other, today).map_err(|e| e.under("circumstances"))?;
    let days = catalogs
        .version(&computation.catalog.version)
        .map(|c| c.settings.validity_days)
        .unwrap_or(30);
    let valid_until = computation
        .quote_date
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(computation.quote_date);
    Ok(Priced {
        circumstances: resolved,
        computation,
        translated,
        valid_until,
    })
}

/// The outcome of a create: the quote, and whether an earlier request made it.
pub struct Created {
    pub quote: Quote,
    pub replayed: bool,
}

/// The webhook jobs of an event about `quote` (as it is after the change), dated `at`.
pub(crate) fn quote_jobs(
    hooks: &Webhooks,
    event: EventType,
    quote: &Quote,
    at: DateTime<Utc>,
) -> Result<Vec<NewJob>, QuoteError> {
    hooks
        .jobs(event, &Subject::quote(quote.id, &quote.number), quote, at)
        .map_err(QuoteError::Encode)
}

/// The webhook event of a move to `to`; `None` for a status that is no event of its own (a
/// revision announces the new revision instead of the old one's superseding).
fn event_of(to: Status) -> Option<EventType> {
    match to {
        Status::Sent => Some(EventType::QuoteSent),
        Status::Accepted => Some(EventType::QuoteAccepted),
        Status::Declined => Some(EventType::QuoteDeclined),
        Status::Expired => Some(EventType::QuoteExpired),
        Status::Withdrawn => Some(EventType::QuoteWithdrawn),
        Status::Draft | Status::Superseded => None,
    }
}

impl<R: QuoteRepository, D: SentDocument, A: DocumentArchive> QuoteService<R, D, A> {
    /// Whether the quote store answers (the readiness check).
    pub async fn ready(&self) -> Result<(), StorageError> {
        self.repo.ping().await
    }

    /// Creates a draft quote with the next number. With an idempotency key (and the hash of the
    /// body it came with), a repeat returns the quote the first one made.
    #[tracing::instrument(name = "quote.create", skip_all, fields(quote_id))]
    pub async fn create(
        &self,
        input: &QuoteInput,
        actor: &Actor,
        idempotency: Option<(&str, &str)>,
    ) -> Result<Created, QuoteError> {
        let now = self.now();
        let repo = &self.repo;
        if let Some((key, hash)) = idempotency
            && let Some(quote) = replay(repo, key, hash, now.today).await?
        {
            return Ok(Created {
                quote,
                replayed: true,
            });
        }
        let priced = price(&self.catalogs.current(), input.circumstances(), now.today)?;
        let draft = NewDraft {
            id: Uuid::now_v7(),
            priced: &priced,
            input,
            prefix: &self.prefix,
            actor,
            now,
            idempotency,
            from_request: None,
        };
        tracing::Span::current().record("quote_id", tracing::field::display(draft.id));
        match store_new(repo, &self.webhooks, draft).await {
            Err(QuoteError::Storage(StorageError::Conflict(Constraint::IdempotencyKey))) => {
                // Another request with the same key won the race: answer as its replay.
                let (key, hash) = idempotency.expect("only keyed creates hit this constraint");
                let quote = replay(repo, key, hash, now.today)
                    .await?
                    .ok_or(QuoteError::Storage(StorageError::Stale))?;
                Ok(Created {
                    quote,
                    replayed: true,
                })
            }
            other => other.map(|quote| Created {
                quote,
                replayed: false,
            }),
        }
    }

    /// One quote (any revision), in the status it has today. Reads never write: an expiry
    /// that is due shows at once; the sweep stores it.
    #[tracing::instrument(name = "quote.get", skip(self))]
    pub async fn get(&self, id: Uuid) -> Result<Quote, QuoteError> {
        get(&self.repo, id, self.now().today).await
    }
}

/// The quote an idempotency key made, if any; a key reused with another body is refused.
async fn replay(
    repo: &impl QuoteRepository,
    key: &str,
    hash: &str,
    today: NaiveDate,
) -> Result<Option<Quote>, QuoteError> {
    match repo.find_by_idempotency_key(key).await? {
        None => Ok(None),
        Some((_, stored)) if stored != hash => Err(QuoteError::IdempotencyMismatch),
        Some((id, _)) => get(repo, id, today).await.map(Some),
    }
}

/// A priced new draft and what it is made with.
pub(crate) struct NewDraft<'a> {
    pub id: Uuid,
    pub priced: &'a Priced,
    pub input: &'a QuoteInput,
    pub prefix: &'a str,
    pub actor: &'a Actor,
    pub now: Now,
    pub idempotency: Option<(&'a str, &'a str)>,
    /// The request it is made from, moved in the same transaction.
    pub from_request: Option<RequestLink>,
}

/// Stores a priced new quote (optionally moving the request it is made from, in the same
/// transaction) with its `quote.created` event, and returns the record as stored, without
/// reading it back.
pub(crate) async fn store_new(
    repo: &impl QuoteRepository,
    hooks: &Webhooks,
    draft: NewDraft<'_>,
) -> Result<Quote, QuoteError> {
    let NewDraft {
        id,
        priced,
        input,
        prefix,
        actor,
        now,
        idempotency,
        from_request,
    } = draft;
    let content = QuoteContent {
        employer: input.employer().clone(),
        employee: input.employee().clone(),
        circumstances: priced.circumstances.clone(),
        computation: priced.computation.clone(),
        valid_until: priced.valid_until,
    };
    let jobs = hooks.wants(EventType::QuoteCreated).then(|| {
        // Storage takes the number in the write turn (and again, with another number, if the
        // group it was in is retried one by one). The first call makes the quote from this copy
        // of the content, later ones only change its number: no deep clone in the write turn.
        // The lock is never contended.
        let hooks = hooks.clone();
        let (actor, at) = (actor.clone(), now.at);
        let slot = std::sync::Mutex::new((Some(content.clone()), None::<Quote>));
        let make = move |number: &str| {
            let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
            let (pending, made) = &mut *slot;
            let quote = match (made.as_mut(), pending.take()) {
                (Some(quote), _) => {
                    quote.number = number.to_string();
                    quote.display_number = display_number(number, 1);
                    quote
                }
                (None, content) => made.insert(Quote::draft(
                    id,
                    number.to_string(),
                    content.expect("the content is there until the first quote is made"),
                    actor.clone(),
                    at,
                )),
            };
            let subject = Subject::quote(quote.id, number);
            hooks.jobs(EventType::QuoteCreated, &subject, &*quote, quote.created_at)
        };
        Arc::new(make) as NumberedJobs
    });
    let number = repo
        .create(CreateQuote {
            quote: priced.new_quote(id, input.employer(), input.employee(), actor, now),
            prefix,
            year: now.today.year(),
            idempotency,
            from_request,
            jobs,
        })
        .await?;
    let mut quote = Quote::draft(id, number, content, actor.clone(), now.at);
    quote.translated = Some(priced.translated.clone());
    Ok(quote)
}

/// The quote as stored, in the status it has today.
pub(crate) fn as_of(stored: Stored, today: NaiveDate) -> Stored {
    let Stored { quote, version } = stored;
    Stored {
        quote: quote.seen_on(today),
        version,
    }
}

async fn fetch(
    repo: &impl QuoteRepository,
    id: Uuid,
    today: NaiveDate,
) -> Result<Stored, QuoteError> {
    let stored = repo.fetch(id).await?.ok_or(QuoteError::NotFound(id))?;
    Ok(as_of(stored, today))
}

/// The quote as stored (the status a change just gave it, even when reads now show it
/// expired), its consent seen from `today`.
async fn stored(
    repo: &impl QuoteRepository,
    id: Uuid,
    today: NaiveDate,
) -> Result<Quote, QuoteError> {
    let stored = repo.fetch(id).await?.ok_or(QuoteError::NotFound(id))?;
    Ok(stored.quote.consent_seen_on(today))
}

/// One quote (any revision), in the status it has today.
pub(crate) async fn get(
    repo: &impl QuoteRepository,
    id: Uuid,
    today: NaiveDate,
) -> Result<Quote, QuoteError> {
    Ok(fetch(repo, id, today).await?.quote)
}

#[cfg(test)]
pub(crate) mod fakes;
#[cfg(test)]
mod tests;
