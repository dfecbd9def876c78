//! A quote's history, and the sweep that stores the expiries reads already show.

use chrono::NaiveDate;
use uuid::Uuid;

use super::change::event;
use super::{QuoteService, landed, quote_jobs};
use crate::archive::DocumentArchive;
use crate::outbox::webhooks::EventType;
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::{Status, lapse_moment, status_on};
use crate::quotes::model::{Acceptance, Actor, Event, Quote};
use crate::quotes::ports::{QuoteRepository, SentDocument, StatusChange, Stored};

/// Every step in the quote's life, oldest first; an expiry that is due but not yet stored by
/// the sweep is shown (without an id) at the moment the quote lapsed.
pub(crate) async fn events(
    repo: &impl QuoteRepository,
    id: Uuid,
    today: NaiveDate,
) -> Result<Vec<Event>, QuoteError> {
    let stored = repo.fetch(id).await?.ok_or(QuoteError::NotFound(id))?;
    with_expiry(repo, &stored.quote, today).await
}

/// The stored events of `quote` (as stored, not as shown today), with the expiry a read shows
/// before the sweep stores it.
pub(crate) async fn with_expiry(
    repo: &impl QuoteRepository,
    quote: &Quote,
    today: NaiveDate,
) -> Result<Vec<Event>, QuoteError> {
    let id = quote.id;
    let mut events = repo.events(id).await?;
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
            name: None,
            evidence: None,
        });
    }
    Ok(events)
}

const EXPIRY_REASON: &str = "validity date passed";

impl<R: QuoteRepository, D: SentDocument, A: DocumentArchive> QuoteService<R, D, A> {
    /// Every step in the quote's life, oldest first; an expiry that is due but not yet stored
    /// by the sweep is shown (without an id) at the moment the quote lapsed.
    #[tracing::instrument(name = "quote.events", skip(self))]
    pub async fn events(&self, id: Uuid) -> Result<Vec<Event>, QuoteError> {
        events(&self.repo, id, self.now().today).await
    }

    /// A quote for its document: as read today, and its online acceptance if any.
    #[tracing::instrument(name = "quote.for_document", skip(self))]
    pub async fn for_document(&self, id: Uuid) -> Result<(Quote, Option<Acceptance>), QuoteError> {
        let quote = super::get(&self.repo, id, self.now().today).await?;
        let accepted = acceptance(&self.repo, &quote).await?;
        Ok((quote, accepted))
    }

    /// Stores the expiry of every sent quote whose validity date has passed (with the event
    /// the reads already show, and `quote.expired`). Returns how many it stored.
    #[tracing::instrument(name = "quote.sweep_expired", skip(self))]
    pub async fn sweep_expired(&self) -> Result<u64, QuoteError> {
        let now = self.now();
        let repo = &self.repo;
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
            let expired = Quote {
                status: Status::Expired,
                updated_at: now.at,
                ..quote
            };
            let jobs = quote_jobs(&self.webhooks, EventType::QuoteExpired, &expired, now.at)?;
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
                jobs,
                link: None,
                documents: Vec::new(),
                consent: None,
            };
            // Moved meanwhile (withdrawn, revised, expired by another instance): nothing to do.
            if landed(repo.change_status(change).await)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// Who accepted the quote online, and when: from its `accepted` event (`None` for a quote not
/// accepted, or accepted by a salesperson's transition).
pub(crate) async fn acceptance(
    repo: &impl QuoteRepository,
    quote: &Quote,
) -> Result<Option<Acceptance>, QuoteError> {
    if quote.status != Status::Accepted {
        return Ok(None);
    }
    Ok(repo
        .events(quote.id)
        .await?
        .into_iter()
        .filter(|e| e.to == Status::Accepted && !e.is_aside())
        .find_map(|e| e.name.map(|name| Acceptance { name, at: e.at })))
}
