//! The quote port over the memory store, with the real store's semantics: conditional writes
//! name a version, numbers are gapless per prefix and year, idempotency keys are unique.

use chrono::NaiveDate;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use uuid::Uuid;

use super::{LinkedRequest, MemoryStore, Row};
use crate::catalog::Language;
use crate::outbox::model::NewJob;
use crate::quotes::consent::EmployeeConsent;
use crate::quotes::lifecycle::{Status, display_number, format_number};
use crate::quotes::model::{Event, Quote, RegisterEntry, ScheduleEntry};
use crate::quotes::ports::{
    CreateQuote, Link, NewEvent, NewQuote, QuoteQuery, QuoteRepository, RegisterQuery, Revision,
    StatusChange, Stored,
};
use crate::storage::{Constraint, StorageError, Version};

/// A new row's quote from what a create or revision stores.
fn quote_of(new: &NewQuote<'_>, number: &str, revision: i64, supersedes: Option<Uuid>) -> Quote {
    Quote {
        id: new.id,
        number: number.to_string(),
        revision,
        display_number: display_number(number, revision),
        status: Status::Draft,
        valid_until: new.valid_until,
        employer: new.employer.clone(),
        employee: new.employee.clone(),
        circumstances: new.circumstances.clone(),
        computation: new.computation.clone(),
        translated: Some(new.translated.clone()),
        created_at: new.now,
        updated_at: new.now,
        created_by: new.actor.clone(),
        supersedes,
        superseded_by: None,
        decided_at: None,
        employee_consent: None,
    }
}

fn draft_event(quote: &Quote, from: Option<Status>, reason: Option<String>) -> NewEvent {
    NewEvent {
        quote_id: quote.id,
        from,
        to: Status::Draft,
        at: quote.created_at,
        actor: quote.created_by.clone(),
        reason,
        document_sha256: None,
        name: None,
        evidence: None,
    }
}

impl<Q: LinkedRequest> QuoteRepository for MemoryStore<Q> {
    async fn ping(&self) -> Result<(), StorageError> {
        Ok(())
    }

    async fn create(&self, create: CreateQuote<'_>) -> Result<String, StorageError> {
        self.write(false, |s| {
            let key = create
                .idempotency
                .map(|(k, h)| (k.to_string(), h.to_string()));
            if let Some((k, _)) = &key
                && s.quotes
                    .iter()
                    .any(|r| r.idempotency.as_ref().is_some_and(|i| &i.0 == k))
            {
                return Err(StorageError::Conflict(Constraint::IdempotencyKey));
            }
            if s.row(create.quote.id).is_some() {
                return Err(StorageError::Conflict(Constraint::QuoteId));
            }
            let link = create.from_request.as_ref();
            // The request moves only if it still is where the domain found it.
            let request = match link {
                Some(l) => Some(
                    s.requests
                        .iter()
                        .position(|r| r.id() == l.request_id && r.status() == l.from)
                        .ok_or(StorageError::Stale)?,
                ),
                None => None,
            };
            let counter = (create.prefix.to_string(), create.year);
            let sequence = s.counters.get(&counter).copied().unwrap_or(0) + 1;
            let number = format_number(create.prefix, create.year, sequence);
            let mut jobs = match &create.jobs {
                Some(make) => make(&number).map_err(|e| StorageError::Data(e.into()))?,
                None => Vec::new(),
            };
            let quote = quote_of(&create.quote, &number, 1, None);
            s.push_event(draft_event(&quote, None, None));
            if let (Some(l), Some(i)) = (link, request) {
                s.requests[i].link(l.to, quote.id, quote.created_at, &quote.created_by.key_id);
                s.push_event(draft_event(
                    &quote,
                    Some(Status::Draft),
                    Some(l.note.clone()),
                ));
                jobs.extend(l.jobs.iter().cloned());
            }
            s.counters.insert(counter, sequence);
            s.quotes.push(Row {
                quote,
                version: 1,
                idempotency: key,
            });
            s.jobs.extend(jobs);
            Ok(number)
        })
    }

    async fn find_by_idempotency_key(
        &self,
        key: &str,
    ) -> Result<Option<(Uuid, String)>, StorageError> {
        Ok(self.with(|s| {
            s.quotes.iter().find_map(|r| match &r.idempotency {
                Some((k, hash)) if k == key => Some((r.quote.id, hash.clone())),
                _ => None,
            })
        }))
    }

    async fn fetch(&self, id: Uuid) -> Result<Option<Stored>, StorageError> {
        Ok(self.with(|s| {
            s.row(id).map(|r| Stored {
                quote: r.quote.clone(),
                version: r.version,
            })
        }))
    }

    async fn list(&self, query: &QuoteQuery) -> Result<(Vec<Quote>, i64), StorageError> {
        let filter = &query.filter;
        let matches = |q: &Quote| {
            let status = match query.status {
                None => query.except.is_none_or(|e| q.status != e),
                Some(m) => {
                    (q.status == m.status && m.valid_on.is_none_or(|d| q.valid_until >= d))
                        || m.or_lapsed
                            .is_some_and(|(s, d)| q.status == s && q.valid_until < d)
                }
            };
            let employer = q.employer.company_name.to_lowercase();
            status
                && filter.number.as_ref().is_none_or(|n| &q.number == n)
                && filter
                    .employer
                    .as_ref()
                    .is_none_or(|e| employer.contains(e))
                && filter.created_from.is_none_or(|t| q.created_at >= t)
                && filter.created_before.is_none_or(|t| q.created_at < t)
        };
        Ok(self.with(|s| {
            let mut found: Vec<Quote> = s.quotes.iter().map(|r| r.quote.clone()).collect();
            found.retain(|q| matches(q));
            found.sort_by_key(|q| std::cmp::Reverse((q.created_at, q.id)));
            let total = found.len() as i64;
            let page = found.into_iter().skip(filter.offset.max(0) as usize);
            (page.take(filter.limit.max(0) as usize).collect(), total)
        }))
    }

    fn register<'a>(
        &'a self,
        _: &RegisterQuery,
    ) -> BoxStream<'a, Result<RegisterEntry, StorageError>> {
        futures_util::stream::empty().boxed()
    }

    fn schedules<'a>(
        &'a self,
        _: Status,
        _: Language,
    ) -> BoxStream<'a, Result<ScheduleEntry, StorageError>> {
        futures_util::stream::empty().boxed()
    }

    async fn replace(
        &self,
        expected: Version,
        new: NewQuote<'_>,
        event: NewEvent,
        jobs: Vec<NewJob>,
    ) -> Result<(), StorageError> {
        self.write(true, |s| {
            let row = s.current(new.id, expected)?;
            let q = &mut row.quote;
            q.employer = new.employer.clone();
            q.employee = new.employee.clone();
            q.circumstances = new.circumstances.clone();
            q.computation = new.computation.clone();
            q.translated = Some(new.translated.clone());
            q.valid_until = new.valid_until;
            q.updated_at = new.now;
            row.version += 1;
            s.push_event(event);
            s.jobs.extend(jobs);
            Ok(())
        })
    }

    async fn change_status(&self, change: StatusChange) -> Result<(), StorageError> {
        self.write(true, |s| {
            let row = s.current(change.id, change.expected)?;
            row.quote.status = change.to;
            row.quote.updated_at = change.at;
            row.quote.decided_at = change.decided_at.or(row.quote.decided_at);
            row.version += 1;
            if let Some(record) = change.consent {
                let start = row.quote.computation.tier.starts_on;
                row.quote.employee_consent = EmployeeConsent::shown(&record, false, start, None);
            }
            s.push_event(change.event);
            s.jobs.extend(change.jobs);
            for d in change.documents {
                s.documents.entry(d.sha256).or_insert(d.bytes);
            }
            if let Some(link) = change.link {
                let stored = Link {
                    quote_id: change.id,
                    purpose: link.purpose,
                    expires_at: link.expires_at,
                    document_sha256: link.document_sha256,
                };
                s.links.insert(link.token_sha256, stored);
            }

            Ok(())
        })
    }

    async fn revise(&self, revision: Revision<'_>) -> Result<(), StorageError> {
        self.write(true, |s| {
            s.current(revision.old, revision.expected)?;
            let (number, new) = (revision.number, &revision.new);
            if s.quotes
                .iter()
                .any(|r| r.quote.number == number && r.quote.revision == revision.revision)
            {
                return Err(StorageError::Conflict(Constraint::QuoteNumberRevision));
            }
            if s.row(new.id).is_some() {
                return Err(StorageError::Conflict(Constraint::QuoteId));
            }
            let old = s.current(revision.old, revision.expected)?;
            old.quote.status = Status::Superseded;
            old.quote.superseded_by = Some(new.id);
            old.quote.updated_at = new.now;
            old.version += 1;
            let quote = quote_of(new, number, revision.revision, Some(revision.old));
            s.quotes.push(Row {
                quote,
                version: 1,
                idempotency: None,
            });
            revision.events.into_iter().for_each(|e| s.push_event(e));
            s.jobs.extend(revision.jobs);
            Ok(())
        })
    }

    async fn last_revision(&self, number: &str) -> Result<i64, StorageError> {
        Ok(self.with(|s| {
            let revisions = s.quotes.iter().filter(|r| r.quote.number == number);
            revisions.map(|r| r.quote.revision).max().unwrap_or(0)
        }))
    }

    async fn events(&self, id: Uuid) -> Result<Vec<Event>, StorageError> {
        Ok(self.with(|s| s.events_of(id)))
    }

    async fn document_events(&self, sha256: &str) -> Result<Vec<Event>, StorageError> {
        Ok(self.with(|s| {
            let named = s
                .events
                .iter()
                .filter(|e| e.document_sha256.as_deref() == Some(sha256));
            named.cloned().collect()
        }))
    }

    async fn find_link(&self, token_sha256: &str) -> Result<Option<Link>, StorageError> {
        Ok(self.with(|s| s.links.get(token_sha256).cloned()))
    }

    async fn without_job(
        &self,
        status: Status,
        from: NaiveDate,
        to: NaiveDate,
        topic: &str,
    ) -> Result<Vec<Uuid>, StorageError> {
        Ok(self.with(|s| {
            let due = s
                .quotes
                .iter()
                .map(|r| &r.quote)
                .filter(|q| q.status == status && (from..=to).contains(&q.valid_until));
            due.filter(|q| s.jobs_of(q.id, topic).is_empty())
                .map(|q| q.id)
                .collect()
        }))
    }

    async fn lapsed(
        &self,
        status: Status,
        day: NaiveDate,
    ) -> Result<Vec<(Uuid, Version)>, StorageError> {
        Ok(self.with(|s| {
            let rows = s.quotes.iter();
            let lapsed = rows.filter(|r| r.quote.status == status && r.quote.valid_until < day);
            lapsed.map(|r| (r.quote.id, r.version)).collect()
        }))
    }
}
