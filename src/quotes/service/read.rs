//! Reading quotes in bulk: the list, each quote in the status it has today.

use chrono::NaiveDate;

use super::QuoteService;
use crate::archive::DocumentArchive;
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::{Status, StatusMatch};
use crate::quotes::model::Quote;
use crate::quotes::ports::{ListFilter, QuoteQuery, QuoteRepository, SentDocument};

/// The latest revision of each quote (replaced revisions only when asked for `superseded`),
/// newest first, filtered and shown by the status each has today; and how many match.
async fn list(
    repo: &impl QuoteRepository,
    status: Option<Status>,
    filter: ListFilter,
    today: NaiveDate,
) -> Result<(Vec<Quote>, i64), QuoteError> {
    let query = QuoteQuery {
        status: status.map(|s| StatusMatch::new(s, today)),
        except: status.is_none().then_some(Status::Superseded),
        filter,
    };
    let (quotes, total) = repo.list(&query).await?;
    let quotes = quotes.into_iter().map(|q| q.seen_on(today)).collect();
    Ok((quotes, total))
}

impl<R: QuoteRepository, D: SentDocument, A: DocumentArchive> QuoteService<R, D, A> {
    /// The latest revision of each quote (replaced revisions only when asked for
    /// `superseded`), newest first, filtered and shown by the status each has today; and how
    /// many match.
    #[tracing::instrument(name = "quote.list", skip_all)]
    pub async fn list(
        &self,
        status: Option<Status>,
        filter: ListFilter,
    ) -> Result<(Vec<Quote>, i64), QuoteError> {
        list(&self.repo, status, filter, self.now().today).await
    }
}
