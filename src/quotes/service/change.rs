//! Changing a quote: edit a draft, move it through its life, revise it. Each decides on a read
//! and writes only if the quote still has the version read, else reads and decides again.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Attempt, Priced, QuoteService, event_of, fetch, get, landed, price, quote_jobs, stored,
    until_settled,
};
use crate::archive::DocumentArchive;
use crate::outbox::webhooks::EventType;
use crate::pricing::Circumstances;
use crate::quotes::error::QuoteError;
use crate::quotes::input::QuoteEdit;
use crate::quotes::lifecycle::{Status, check_transition, display_number};
use crate::quotes::model::{Actor, Quote, QuoteContent};
use crate::quotes::ports::{
    NewEvent, QuoteRepository, Revision, SentDocument, StatusChange, Stored,
};
use crate::storage::StorageError;

impl<R: QuoteRepository, D: SentDocument, A: DocumentArchive> QuoteService<R, D, A> {
    /// Replaces parts of a draft; new circumstances are priced again.
    #[tracing::instrument(name = "quote.update", skip(self, changes, actor))]
    pub async fn update(
        &self,
        id: Uuid,
        changes: &QuoteEdit,
        actor: &Actor,
    ) -> Result<Quote, QuoteError> {
        let now = self.now();
        let repo = &self.repo;
        until_settled(Status::Draft, async || {
            let Stored {
                quote: current,
                version,
            } = fetch(repo, id, now.today).await?;
            if current.status != Status::Draft {
                return Err(QuoteError::NotDraft(current.status));
            }
            let priced = match changes.circumstances() {
                Some(c) => price(&self.catalogs.current(), c, now.today)?,
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
            let employer = changes.employer().unwrap_or(&current.employer);
            let employee = changes.employee().unwrap_or(&current.employee);
            let event = event(
                id,
                Some(Status::Draft),
                Status::Draft,
                now.at,
                actor,
                Some("edited"),
            );
            let edited = Quote {
                employer: employer.clone(),
                employee: employee.clone(),
                circumstances: priced.circumstances.clone(),
                computation: priced.computation.clone(),
                translated: None,
                valid_until: priced.valid_until,
                updated_at: now.at,
                ..current.clone()
            };
            let jobs = quote_jobs(&self.webhooks, EventType::QuoteUpdated, &edited, now.at)?;
            let written = repo
                .replace(
                    version,
                    priced.new_quote(id, employer, employee, actor, now),
                    event,
                    jobs,
                )
                .await;
            if !landed(written)? {
                return Ok(Attempt::Stale(current.status));
            }
            Ok(Attempt::Done(get(repo, id, now.today).await?))
        })
        .await
    }
}

pub(super) fn event(
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
        name: None,
        evidence: None,
    }
}

impl<R: QuoteRepository, D: SentDocument, A: DocumentArchive> QuoteService<R, D, A> {
    /// Moves a quote through its life (see [`check_transition`]). Sending fixes the document:
    /// the PDF is rendered from the very version that is moved to `sent`, archived, and its
    /// SHA-256 goes into the event.
    #[tracing::instrument(name = "quote.transition", skip(self, reason, actor))]
    pub async fn transition(
        &self,
        id: Uuid,
        to: Status,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<Quote, QuoteError> {
        let now = self.now();
        let repo = &self.repo;
        until_settled(to, async || {
            let Stored { quote, version } = fetch(repo, id, now.today).await?;
            let from = quote.status;
            check_transition(from, to, reason)?;
            let mut event = event(id, Some(from), to, now.at, actor, reason);
            let decided_at = matches!(to, Status::Accepted | Status::Declined).then_some(now.at);
            let moved = Quote {
                status: to,
                updated_at: now.at,
                decided_at: decided_at.or(quote.decided_at),
                ..quote
            }
            .consent_seen_on(now.today);
            let mut documents = Vec::new();
            if to == Status::Sent {
                let (sha256, kept) = self.pdf_to_send(false, &moved).await?;
                event.document_sha256 = Some(sha256);
                documents = kept;
            }
            let jobs = match event_of(to) {
                Some(kind) => quote_jobs(&self.webhooks, kind, &moved, now.at)?,
                None => Vec::new(),
            };
            let change = StatusChange {
                id,
                expected: version,
                to,
                at: now.at,
                decided_at,
                jobs,
                link: None,
                event,
                documents,
                consent: None,
            };
            if !landed(repo.change_status(change).await)? {
                return Ok(Attempt::Stale(from));
            }
            // The quote as the move left it (a move to `sent` answers `sent`, even when its
            // validity has already passed and reads now show it expired).
            Ok(Attempt::Done(stored(repo, id, now.today).await?))
        })
        .await
    }

    /// Makes a new revision, priced against the catalog in force today; the old one becomes
    /// `superseded`.
    #[tracing::instrument(name = "quote.revise", skip(self, changes, actor))]
    pub async fn revise(
        &self,
        id: Uuid,
        changes: &QuoteEdit,
        actor: &Actor,
    ) -> Result<Quote, QuoteError> {
        let now = self.now();
        let repo = &self.repo;
        until_settled(Status::Draft, async || {
            let Stored {
                quote: current,
                version,
            } = fetch(repo, id, now.today).await?;
            if !current.status.can_revise() {
                return Err(QuoteError::NotRevisable(current.status));
            }
            let circumstances = match changes.circumstances() {
                Some(c) => c.clone(),
                None => Circumstances {
                    quote_date: Some(now.today),
                    ..current.circumstances.clone()
                },
            };
            let priced = price(&self.catalogs.current(), &circumstances, now.today)?;
            let employer = changes.employer().unwrap_or(&current.employer);
            let employee = changes.employee().unwrap_or(&current.employee);
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
            let content = QuoteContent {
                employer: employer.clone(),
                employee: employee.clone(),
                circumstances: priced.circumstances.clone(),
                computation: priced.computation.clone(),
                valid_until: priced.valid_until,
            };
            let revised =
                Quote::revision_of(&current, new_id, revision, content, actor.clone(), now.at);
            let jobs = quote_jobs(&self.webhooks, EventType::QuoteRevised, &revised, now.at)?;
            let written = repo
                .revise(Revision {
                    old: id,
                    expected: version,
                    number: &current.number,
                    revision,
                    new: priced.new_quote(new_id, employer, employee, actor, now),
                    events,
                    jobs,
                })
                .await;
            // A revision number taken meanwhile is a change under us too: decide again.
            let written = match written {
                Err(StorageError::Conflict(_)) => Err(StorageError::Stale),
                other => other,
            };
            if !landed(written)? {
                return Ok(Attempt::Stale(current.status));
            }
            Ok(Attempt::Done(get(repo, new_id, now.today).await?))
        })
        .await
    }
}
