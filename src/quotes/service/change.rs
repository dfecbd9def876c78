//! Changing a quote: edit a draft, move it through its life, revise it. Each decides on a read
//! and writes only if the quote still has the version read, else reads and decides again.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{ATTEMPTS, Now, Priced, event_of, fetch, get, price, quote_jobs, stored};
use crate::catalog::CatalogSet;
use crate::outbox::webhooks::{EventType, Webhooks};
use crate::pricing::Circumstances;
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::{Status, check_transition, display_number};
use crate::quotes::model::{Actor, Quote, QuoteChanges};
use crate::quotes::ports::{
    NewEvent, QuoteRepository, Revision, SentDocument, StatusChange, Stored,
};
use crate::storage::StorageError;

/// Replaces parts of a draft; new circumstances are priced again.
pub async fn update(
    catalogs: &CatalogSet,
    repo: &impl QuoteRepository,
    hooks: &Webhooks,
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
        let jobs = quote_jobs(hooks, EventType::QuoteUpdated, &edited, now.at)?;
        match repo
            .replace(
                version,
                priced.new_quote(id, employer, employee, actor, now),
                event,
                jobs,
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
    }
}

/// Moves a quote through its life (see [`check_transition`]). Sending fixes the document: the
/// PDF is rendered from the very version that is moved to `sent`, and its SHA-256 goes into the
/// event (later renderings of this revision are byte-identical to it).
#[expect(
    clippy::too_many_arguments,
    reason = "each is a different input of the move; a struct would only rename them"
)]
pub async fn transition(
    repo: &impl QuoteRepository,
    documents: &impl SentDocument,
    hooks: &Webhooks,
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
        let decided_at = matches!(to, Status::Accepted | Status::Declined).then_some(now.at);
        let moved = Quote {
            status: to,
            updated_at: now.at,
            decided_at: decided_at.or(quote.decided_at),
            ..quote
        };
        if to == Status::Sent {
            let pdf = documents.pdf(&moved).await.map_err(QuoteError::Render)?;
            event.document_sha256 = Some(hex::encode(Sha256::digest(&pdf)));
        }
        let jobs = match event_of(to) {
            Some(kind) => quote_jobs(hooks, kind, &moved, now.at)?,
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

/// Makes a new revision, priced against the catalog in force today; the old one becomes
/// `superseded`.
pub async fn revise(
    catalogs: &CatalogSet,
    repo: &impl QuoteRepository,
    hooks: &Webhooks,
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
        let revised = Quote {
            id: new_id,
            number: current.number.clone(),
            revision,
            display_number: display_number(&current.number, revision),
            status: Status::Draft,
            valid_until: priced.valid_until,
            employer: employer.clone(),
            employee: employee.clone(),
            circumstances: priced.circumstances.clone(),
            computation: priced.computation.clone(),
            translated: None,
            created_at: now.at,
            updated_at: now.at,
            created_by: actor.clone(),
            supersedes: Some(id),
            superseded_by: None,
            decided_at: None,
        };
        let jobs = quote_jobs(hooks, EventType::QuoteRevised, &revised, now.at)?;
        let stored = repo
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
        match stored {
            Ok(()) => return get(repo, new_id, now.today).await,
            Err(StorageError::Stale | StorageError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(QuoteError::Busy(last))
}
