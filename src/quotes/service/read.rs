//! Reading quotes in bulk: the list, each quote in the status it has today.

use chrono::{DateTime, NaiveDate, Utc};

use super::QuoteService;
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::{Status, StatusMatch, status_on};
use crate::quotes::model::Quote;
use crate::quotes::ports::{QuoteQuery, QuoteRepository, SentDocument};

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
async fn list(
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

impl<R: QuoteRepository, D: SentDocument> QuoteService<R, D> {
    /// The latest revision of each quote (replaced revisions only when asked for
    /// `superseded`), newest first, filtered and shown by the status each has today; and how
    /// many match.
    #[tracing::instrument(name = "quote.list", skip_all)]
    pub async fn list(&self, filter: ListFilter) -> Result<(Vec<Quote>, i64), QuoteError> {
        list(&self.repo, filter, self.now().today).await
    }
}
