//! Every quote operation: price with the core, decide by the lifecycle, store through the
//! domain's own interface ([`QuoteRepository`]). The HTTP handlers, the CLI and the request flow
//! call these; they hold no rule, pricing or SQL of their own.
//!
//! A change is decided on a read and written only if the quote still has the version read; when
//! it changed meanwhile, the operation reads again and decides again (a few times at most).

use chrono::{DateTime, Datelike, Days, NaiveDate, SubsecRound, Utc};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::error::QuoteError;
use super::lifecycle::{
    Status, StatusMatch, check_transition, display_number, lapse_moment, status_on,
};
use super::model::{
    Actor, Employee, Employer, Event, NewQuoteBody, Quote, QuoteChanges, RegisterEntry,
};
use super::ports::{
    CreateQuote, NewEvent, NewQuote, QuoteQuery, QuoteRepository, RegisterQuery, RequestLink,
    Revision, SentDocument, StatusChange, StorageError, Stored,
};
use crate::catalog::CatalogSet;
use crate::pricing::{self, Circumstances, Computation, InputError};

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

/// Creates a draft quote with the next number. With an idempotency key (and the hash of the
/// body it came with), a repeat returns the quote the first one made.
pub async fn create(
    catalogs: &CatalogSet,
    repo: &impl QuoteRepository,
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
    match store_new(repo, &priced, body, prefix, actor, now, idempotency, None).await {
        Err(QuoteError::Storage(StorageError::Conflict(
            super::ports::Constraint::IdempotencyKey,
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

/// Stores a priced new quote (optionally moving the request it is made from, in the same
/// transaction) and returns the record as stored, without reading it back.
#[expect(
    clippy::too_many_arguments,
    reason = "the two create paths pass their parts through"
)]
pub(crate) async fn store_new(
    repo: &impl QuoteRepository,
    priced: &Priced,
    body: &NewQuoteBody,
    prefix: &str,
    actor: &Actor,
    now: Now,
    idempotency: Option<(&str, &str)>,
    from_request: Option<RequestLink>,
) -> Result<Quote, QuoteError> {
    let id = Uuid::now_v7();
    let number = repo
        .create(CreateQuote {
            quote: priced.new_quote(id, &body.employer, &body.employee, actor, now),
            prefix,
            year: now.today.year(),
            idempotency,
            from_request,
        })
        .await?;
    Ok(Quote {
        id,
        display_number: display_number(&number, 1),
        number,
        revision: 1,
        status: Status::Draft,
        valid_until: priced.valid_until,
        employer: body.employer.clone(),
        employee: body.employee.clone(),
        circumstances: priced.circumstances.clone(),
        computation: priced.computation.clone(),
        translated: Some(priced.translated.clone()),
        created_at: now.at,
        updated_at: now.at,
        created_by: actor.clone(),
        supersedes: None,
        superseded_by: None,
        decided_at: None,
    })
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

/// One quote (any revision), in the status it has today. Reads never write: an expiry that is
/// due shows at once; the sweep stores it.
pub async fn get(
    repo: &impl QuoteRepository,
    id: Uuid,
    today: NaiveDate,
) -> Result<Quote, QuoteError> {
    Ok(fetch(repo, id, today).await?.quote)
}

/// Filters of the quote list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub number: Option<String>,
    pub employer: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

/// The latest revision of each quote (replaced revisions only when asked for `superseded`),
/// newest first, filtered and shown by the status each has today; and how many match.
pub async fn list(
    repo: &impl QuoteRepository,
    filter: ListFilter,
    today: NaiveDate,
) -> Result<(Vec<Quote>, i64), QuoteError> {
    let query = QuoteQuery {
        status: filter.status.map(|s| StatusMatch::new(s, today)),
        except: filter.status.is_none().then_some(Status::Superseded),
        number: filter.number,
        employer: filter.employer,
        created_from: filter.created_from,
        created_before: filter.created_before,
        limit: filter.limit,
        offset: filter.offset,
    };
    let (quotes, total) = repo.list(&query).await?;
    let quotes = quotes
        .into_iter()
        .map(|mut q| {
            q.status = status_on(q.status, q.valid_until, today);
            q
        })
        .collect();
    Ok((quotes, total))
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct RegisterFilter {
    pub status: Option<Status>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
}

/// Every quote revision matching (every status unless one is given), by number and revision,
/// each in the status it has today, as a stream.
pub fn register<'a>(
    repo: &'a impl QuoteRepository,
    filter: &RegisterFilter,
    today: NaiveDate,
) -> BoxStream<'a, Result<RegisterEntry, StorageError>> {
    let query = RegisterQuery {
        status: filter.status.map(|s| StatusMatch::new(s, today)),
        created_from: filter.created_from,
        created_before: filter.created_before,
    };
    repo.register(&query)
        .map(move |entry| {
            entry.map(|mut e| {
                e.status = status_on(e.status, e.valid_until, today);
                e
            })
        })
        .boxed()
}

/// Replaces parts of a draft; new circumstances are priced again.
pub async fn update(
    catalogs: &CatalogSet,
    repo: &impl QuoteRepository,
    id: Uuid,
    changes: &QuoteChanges,
    actor: &Actor,
    now: Now,
) -> Result<Quote, QuoteError> {
    let mut last = Status::Draft;
    for _ in 0..ATTEMPTS {
        let Stored {
            quote: current,
            version,
        } = fetch(repo, id, now.today).await?;
        if current.status != Status::Draft {
            return Err(QuoteError::NotDraft(current.status));
        }
        last = current.status;
        let priced = match &changes.circumstances {
            Some(c) => price(catalogs, c, now.today)?,
            None => Priced {
                circumstances: current.circumstances.clone(),
                translated: current
                    .translated
                    .clone()
                    .unwrap_or_else(|| current.computation.clone()),
                computation: current.computation.clone(),
                valid_until: current.valid_until,
            },
        };
        let employer = changes.employer.as_ref().unwrap_or(&current.employer);
        let employee = changes.employee.as_ref().unwrap_or(&current.employee);
        let event = event(
            id,
            Some(Status::Draft),
            Status::Draft,
            now.at,
            actor,
            Some("edited"),
        );
        match repo
            .replace(
                version,
                priced.new_quote(id, employer, employee, actor, now),
                event,
            )
            .await
        {
            Ok(()) => return get(repo, id, now.today).await,
            Err(StorageError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(QuoteError::Busy(last))
}

fn event(
    quote_id: Uuid,
    from: Option<Status>,
    to: Status,
    at: DateTime<Utc>,
    actor: &Actor,
    reason: Option<&str>,
) -> NewEvent {
    NewEvent {
        quote_id,
        from,
        to,
        at,
        actor: actor.clone(),
        reason: reason.map(str::to_string),
        document_sha256: None,
    }
}

/// Moves a quote through its life (see [`check_transition`]). Sending fixes the document: the
/// PDF is rendered from the very version that is moved to `sent`, and its SHA-256 goes into the
/// event (later renderings of this revision are byte-identical to it).
pub async fn transition(
    repo: &impl QuoteRepository,
    documents: &impl SentDocument,
    id: Uuid,
    to: Status,
    reason: Option<&str>,
    actor: &Actor,
    now: Now,
) -> Result<Quote, QuoteError> {
    let mut last = to;
    for _ in 0..ATTEMPTS {
        let Stored { quote, version } = fetch(repo, id, now.today).await?;
        let from = quote.status;
        last = from;
        check_transition(from, to, reason)?;
        let mut event = event(id, Some(from), to, now.at, actor, reason);
        if to == Status::Sent {
            let sent = Quote {
                status: Status::Sent,
                ..quote
            };
            let pdf = documents.pdf(&sent).await.map_err(QuoteError::Render)?;
            event.document_sha256 = Some(hex::encode(Sha256::digest(&pdf)));
        }
        let change = StatusChange {
            id,
            expected: version,
            to,
            at: now.at,
            decided_at: matches!(to, Status::Accepted | Status::Declined).then_some(now.at),
            event,
        };
        match repo.change_status(change).await {
            // The quote as the move left it (a move to `sent` answers `sent`, even when its
            // validity has already passed and reads now show it expired).
            Ok(()) => return stored(repo, id).await,
            Err(StorageError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(QuoteError::Busy(last))
}

async fn stored(repo: &impl QuoteRepository, id: Uuid) -> Result<Quote, QuoteError> {
    let stored = repo.fetch(id).await?.ok_or(QuoteError::NotFound(id))?;
    Ok(stored.quote)
}

/// Makes a new revision, priced against the catalog in force today; the old one becomes
/// `superseded`.
pub async fn revise(
    catalogs: &CatalogSet,
    repo: &impl QuoteRepository,
    id: Uuid,
    changes: &QuoteChanges,
    actor: &Actor,
    now: Now,
) -> Result<Quote, QuoteError> {
    let mut last = Status::Draft;
    for _ in 0..ATTEMPTS {
        let Stored {
            quote: current,
            version,
        } = fetch(repo, id, now.today).await?;
        last = current.status;
        if !current.status.can_revise() {
            return Err(QuoteError::NotRevisable(current.status));
        }
        let circumstances = match &changes.circumstances {
            Some(c) => c.clone(),
            None => Circumstances {
                quote_date: Some(now.today),
                ..current.circumstances.clone()
            },
        };
        let priced = price(catalogs, &circumstances, now.today)?;
        let employer = changes.employer.as_ref().unwrap_or(&current.employer);
        let employee = changes.employee.as_ref().unwrap_or(&current.employee);
        let revision = repo.last_revision(&current.number).await? + 1;
        let new_id = Uuid::now_v7();
        let old_note = format!("replaced by revision {revision}");
        let new_note = format!(
            "revision {revision} of {}",
            display_number(&current.number, 1)
        );
        let events = [
            event(
                id,
                Some(current.status),
                Status::Superseded,
                now.at,
                actor,
                Some(&old_note),
            ),
            event(new_id, None, Status::Draft, now.at, actor, Some(&new_note)),
        ];
        let stored = repo
            .revise(Revision {
                old: id,
                expected: version,
                number: &current.number,
                revision,
                new: priced.new_quote(new_id, employer, employee, actor, now),
                events,
            })
            .await;
        match stored {
            Ok(()) => return get(repo, new_id, now.today).await,
            Err(StorageError::Stale | StorageError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(QuoteError::Busy(last))
}

/// Every step in the quote's life, oldest first; an expiry that is due but not yet stored by
/// the sweep is shown (without an id) at the moment the quote lapsed.
pub async fn events(
    repo: &impl QuoteRepository,
    id: Uuid,
    today: NaiveDate,
) -> Result<Vec<Event>, QuoteError> {
    let stored = repo.fetch(id).await?.ok_or(QuoteError::NotFound(id))?;
    let mut events = repo.events(id).await?;
    let quote = &stored.quote;
    if status_on(quote.status, quote.valid_until, today) != quote.status {
        events.push(Event {
            id: None,
            quote_id: id,
            from: Some(quote.status),
            to: Status::Expired,
            at: lapse_moment(quote.valid_until),
            role: Actor::system().role,
            key_id: Actor::system().key_id,
            reason: Some(EXPIRY_REASON.into()),
            document_sha256: None,
        });
    }
    Ok(events)
}

const EXPIRY_REASON: &str = "validity date passed";

/// Stores the expiry of every sent quote whose validity date has passed (with the event the
/// reads already show). Returns how many it stored.
pub async fn sweep_expired(repo: &impl QuoteRepository, now: Now) -> Result<u64, QuoteError> {
    let mut count = 0;
    for (id, _) in repo.lapsed(Status::Sent, now.today).await? {
        let Some(Stored { quote, version }) = repo.fetch(id).await? else {
            continue;
        };
        if quote.status != Status::Sent
            || status_on(quote.status, quote.valid_until, now.today) != Status::Expired
        {
            continue;
        }
        let at = lapse_moment(quote.valid_until);
        let change = StatusChange {
            id,
            expected: version,
            to: Status::Expired,
            at: now.at,
            decided_at: None,
            event: event(
                id,
                Some(Status::Sent),
                Status::Expired,
                at,
                &Actor::system(),
                Some(EXPIRY_REASON),
            ),
        };
        match repo.change_status(change).await {
            Ok(()) => count += 1,
            // Moved meanwhile (withdrawn, revised, expired by another instance): nothing to do.
            Err(StorageError::Stale) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(count)
}
