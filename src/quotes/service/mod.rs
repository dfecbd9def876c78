//! Every quote operation: price with the core, decide by the lifecycle, store through the
//! domain's own interface ([`QuoteRepository`]). The HTTP handlers, the CLI and the request flow
//! call these; they hold no rule, pricing or SQL of their own.
//!
//! A change is decided on a read and written only if the quote still has the version read; when
//! it changed meanwhile, the operation reads again and decides again (a few times at most).

use chrono::{DateTime, Datelike, Days, NaiveDate, SubsecRound, Utc};
use std::sync::Arc;
use uuid::Uuid;

use super::error::QuoteError;
use super::lifecycle::{Status, display_number, status_on};
use super::model::{Actor, Employee, Employer, NewQuoteBody, Quote};
use super::ports::{CreateQuote, NewQuote, NumberedJobs, QuoteRepository, RequestLink, Stored};
use crate::catalog::CatalogSet;
use crate::outbox::model::NewJob;
use crate::outbox::webhooks::{EventType, Subject, Webhooks};
use crate::pricing::{self, Circumstances, Computation, InputError};
use crate::storage::StorageError;

mod change;
mod history;
mod online;
mod read;
mod send;

pub use change::{revise, transition, update};
pub use history::{acceptance, events, for_document, sweep_expired};
pub use online::{accept, decline, open};
pub use read::{ListFilter, RegisterFilter, accepted_schedules, list, register};
pub use send::{Mailing, Reminders, deliveries, new_token, send, send_reminders, token_sha256};

/// How often an operation reads and decides again when the quote changed under it.
const ATTEMPTS: usize = 5;

/// The clock of one operation: the local date and the instant.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub today: NaiveDate,
    pub at: DateTime<Utc>,
}

impl Now {
    pub fn current() -> Now {
        Now {
            today: chrono::Local::now().date_naive(),
            // Microseconds: what PostgreSQL keeps, so a stored time reads back equal.
            at: Utc::now().trunc_subsecs(6),
        }
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

/// Whether the quote store answers (the readiness check).
pub async fn ready(repo: &impl QuoteRepository) -> Result<(), StorageError> {
    repo.ping().await
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

/// Creates a draft quote with the next number. With an idempotency key (and the hash of the
/// body it came with), a repeat returns the quote the first one made.
#[expect(
    clippy::too_many_arguments,
    reason = "each is a different input of the create; a struct would only rename them"
)]
pub async fn create(
    catalogs: &CatalogSet,
    repo: &impl QuoteRepository,
    hooks: &Webhooks,
    prefix: &str,
    body: &NewQuoteBody,
    actor: &Actor,
    now: Now,
    idempotency: Option<(&str, &str)>,
) -> Result<Created, QuoteError> {
    if let Some((key, hash)) = idempotency
        && let Some(quote) = replay(repo, key, hash, now.today).await?
    {
        return Ok(Created {
            quote,
            replayed: true,
        });
    }
    let priced = price(catalogs, &body.circumstances, now.today)?;
    let draft = NewDraft {
        id: Uuid::now_v7(),
        priced: &priced,
        body,
        prefix,
        actor,
        now,
        idempotency,
        from_request: None,
    };
    match store_new(repo, hooks, draft).await {
        Err(QuoteError::Storage(StorageError::Conflict(
            crate::storage::Constraint::IdempotencyKey,
        ))) => {
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
    pub body: &'a NewQuoteBody,
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
        body,
        prefix,
        actor,
        now,
        idempotency,
        from_request,
    } = draft;
    let mut quote = Quote {
        id,
        // Storage takes the number inside the create's transaction.
        number: String::new(),
        display_number: String::new(),
        revision: 1,
        status: Status::Draft,
        valid_until: priced.valid_until,
        employer: body.employer.clone(),
        employee: body.employee.clone(),
        circumstances: priced.circumstances.clone(),
        computation: priced.computation.clone(),
        translated: None,
        created_at: now.at,
        updated_at: now.at,
        created_by: actor.clone(),
        supersedes: None,
        superseded_by: None,
        decided_at: None,
    };
    let jobs = hooks.wants(EventType::QuoteCreated).then(|| {
        // The number is filled into this copy where storage takes it (in the write turn, where
        // a deep clone per create would cost); the lock is never contended.
        let (hooks, template) = (hooks.clone(), std::sync::Mutex::new(quote.clone()));
        let make = move |number: &str| {
            let mut quote = template.lock().unwrap_or_else(|p| p.into_inner());
            quote.number = number.to_string();
            quote.display_number = display_number(number, 1);
            let subject = Subject::quote(quote.id, number);
            hooks.jobs(EventType::QuoteCreated, &subject, &*quote, quote.created_at)
        };
        Arc::new(make) as NumberedJobs
    });
    let number = repo
        .create(CreateQuote {
            quote: priced.new_quote(id, &body.employer, &body.employee, actor, now),
            prefix,
            year: now.today.year(),
            idempotency,
            from_request,
            jobs,
        })
        .await?;
    quote.display_number = display_number(&number, 1);
    quote.number = number;
    quote.translated = Some(priced.translated.clone());
    Ok(quote)
}

/// The quote as stored, in the status it has today.
fn as_of(stored: Stored, today: NaiveDate) -> Stored {
    let Stored { mut quote, version } = stored;
    quote.status = status_on(quote.status, quote.valid_until, today);
    Stored { quote, version }
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
/// expired).
async fn stored(repo: &impl QuoteRepository, id: Uuid) -> Result<Quote, QuoteError> {
    let stored = repo.fetch(id).await?.ok_or(QuoteError::NotFound(id))?;
    Ok(stored.quote)
}

/// One quote (any revision), in the status it has today. Reads never write: an expiry that is
/// due shows at once; the sweep stores it.
pub async fn get(
    repo: &impl QuoteRepository,
    id: Uuid,
    today: NaiveDate,
) -> Result<Quote, QuoteError> {
    Ok(fetch(repo, id, today).await?.quote)
}
