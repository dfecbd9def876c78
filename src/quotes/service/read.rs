//! Reading quotes in bulk: the list and the register, each quote in the status it has today;
//! the payment schedules of the accepted quotes.

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use crate::catalog::Language;
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::{Status, StatusMatch, status_on};
use crate::quotes::model::{Quote, RegisterEntry, ScheduleEntry};
use crate::quotes::ports::{QuoteQuery, QuoteRepository, RegisterQuery};
use crate::storage::StorageError;

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

/// The payment schedule of every accepted quote, by number and revision, with its labels in
/// `language`, as a stream. `accepted` is final (no move out of it, no revision of it), so each
/// accepted revision is one order and counts once.
pub fn accepted_schedules<'a>(
    repo: &'a impl QuoteRepository,
    language: Language,
) -> BoxStream<'a, Result<ScheduleEntry, StorageError>> {
    repo.schedules(Status::Accepted, language)
}
