//! The quote domain's storage interface ([`QuoteRepository`]) on SQLite and PostgreSQL.

use chrono::NaiveDate;
use futures_util::stream::BoxStream;
use uuid::Uuid;

use super::creates::CreateJob;
use super::documents::insert_documents;
use super::rows::{event_from_row, link_from_row, parse_uuid, quote_from_row};
use super::writes::{QuoteInsert, QuoteRow, insert_events, insert_jobs, insert_quotes};
use super::{Store, WritePool};
use crate::catalog::Language;
use crate::outbox::model::NewJob;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Event, Quote, RegisterEntry, ScheduleEntry};
use crate::quotes::ports::{
    CreateQuote, Link, NewEvent, NewQuote, QuoteQuery, QuoteRepository, RegisterQuery, Revision,
    StatusChange, Stored,
};
use crate::storage::{StorageError, Version};

/// `LIKE` pattern for a substring, with the pattern characters escaped.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A guarded write that changed no row: the row is gone or no longer in the version decided on.
fn one_row(affected: u64) -> Result<(), StorageError> {
    if affected == 1 {
        Ok(())
    } else {
        Err(StorageError::Stale)
    }
}

impl Store {
    /// Wakes this process's outbox worker after a commit that queued jobs.
    pub(super) fn jobs_queued(&self, jobs: &[NewJob]) {
        if !jobs.is_empty() {
            self.writes().jobs_queued.notify_one();
        }
    }
}

impl QuoteRepository for Store {
    async fn ping(&self) -> Result<(), StorageError> {
        in_bureau!(self, conn => sqlx::query(self.sql().ping).execute(&mut *conn).await.map(|_| ()))?;
        Ok(())
    }

    async fn create(&self, create: CreateQuote<'_>) -> Result<String, StorageError> {
        self.commit_create(CreateJob::new(self, create)?).await
    }

    async fn find_by_idempotency_key(
        &self,
        key: &str,
    ) -> Result<Option<(Uuid, String)>, StorageError> {
        let found: Option<(String, Option<String>)> = in_bureau!(self, conn => {
            sqlx::query_as(self.sql().find_idempotent)
                .bind(self.id()).bind(key).fetch_optional(&mut *conn).await
        })?;
        found
            .map(|(id, hash)| Ok((parse_uuid(&id)?, hash.unwrap_or_default())))
            .transpose()
    }

    async fn fetch(&self, id: Uuid) -> Result<Option<Stored>, StorageError> {
        in_bureau!(self, conn => {
            let row = sqlx::query(self.sql().fetch_quote)
                .bind(self.id())
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            row.as_ref().map(quote_from_row).transpose()
        })
    }

    async fn list(&self, query: &QuoteQuery) -> Result<(Vec<Quote>, i64), StorageError> {
        let filter = &query.filter;
        let pattern = filter.employer.as_deref().map(contains_pattern);
        let status = query.status.map(|m| m.status.as_str());
        let except = query.except.map(Status::as_str);
        let valid_on = query.status.and_then(|m| m.valid_on);
        let lapsed = query.status.and_then(|m| m.or_lapsed);
        let lapsed_status = lapsed.map(|(s, _)| s.as_str());
        let lapsed_before = lapsed.map(|(_, d)| d);
        // The page and the count take the same filters, in the same order.
        macro_rules! filtered {
            ($statement:expr) => {
                $statement
                    .bind(status)
                    .bind(except)
                    .bind(valid_on)
                    .bind(lapsed_status)
                    .bind(lapsed_before)
                    .bind(filter.number.as_deref())
                    .bind(pattern.as_deref())
                    .bind(filter.created_from)
                    .bind(filter.created_before)
            };
        }
        in_bureau!(self, conn => {
            let rows = filtered!(sqlx::query(self.sql().list_quotes)
                .bind(self.id()))
                .bind(filter.limit)
                .bind(filter.offset)
                .fetch_all(&mut *conn)
                .await?;
            let total: i64 = filtered!(sqlx::query_scalar(self.sql().count_quotes)
                .bind(self.id()))
                .fetch_one(&mut *conn)
                .await?;
            let quotes = rows
                .iter()
                .map(|row| quote_from_row(row).map(|stored| stored.quote))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((quotes, total))
        })
    }

    fn register<'a>(
        &'a self,
        query: &RegisterQuery,
    ) -> BoxStream<'a, Result<RegisterEntry, StorageError>> {
        self.register_rows(query)
    }

    fn schedules<'a>(
        &'a self,
        status: Status,
        language: Language,
    ) -> BoxStream<'a, Result<ScheduleEntry, StorageError>> {
        self.schedule_rows(status, language)
    }

    async fn replace(
        &self,
        expected: Version,
        new: NewQuote<'_>,
        event: NewEvent,
        jobs: Vec<NewJob>,
    ) -> Result<(), StorageError> {
        let row = QuoteRow::new(self, &new)?;
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            let affected = sqlx::query(self.sql().replace_draft)
                .bind(self.id())
                .bind(row.id.to_string())
                .bind(row.language)
                .bind(&row.employer_name)
                .bind(&row.employer)
                .bind(&row.employee)
                .bind(&row.circumstances)
                .bind(&row.computation)
                .bind(&row.catalog_version)
                .bind(&row.catalog_hash)
                .bind(&row.tier_code)
                .bind(&row.excl_vat)
                .bind(&row.vat)
                .bind(&row.incl_vat)
                .bind(row.valid_until)
                .bind(row.now)
                .bind(&row.translated)
                .bind(expected)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            one_row(affected)?;
            insert_events(self, &mut tx, &[event]).await?;
            insert_jobs(self, &mut tx, &jobs).await?;
            tx.commit().await?;
            Ok::<(), StorageError>(())
        })?;
        self.jobs_queued(&jobs);
        Ok(())
    }

    async fn change_status(&self, change: StatusChange) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            let affected = sqlx::query(self.sql().change_status)
                .bind(self.id())
                .bind(change.id.to_string())
                .bind(change.to.as_str())
                .bind(change.at)
                .bind(change.decided_at)
                .bind(change.expected)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            one_row(affected)?;
            insert_documents(self, &mut tx, &change.documents, change.at).await?;
            insert_events(self, &mut tx, &[change.event]).await?;
            insert_jobs(self, &mut tx, &change.jobs).await?;
            if let Some(link) = &change.link {
                sqlx::query(self.sql().insert_link)
                .bind(self.id())
                    .bind(&link.token_sha256)
                    .bind(change.id.to_string())
                    .bind(change.at)
                    .bind(link.purpose.as_str())
                    .bind(link.expires_at)
                    .bind(link.document_sha256.as_deref())
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(consent) = &change.consent {
                sqlx::query(self.sql().set_consent)
                .bind(self.id())
                    .bind(change.id.to_string())
                    .bind(consent.status.map(|s| s.as_str()))
                    .bind(consent.asked_at)
                    .bind(consent.at)
                    .bind(consent.specification_sha256.as_deref())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<(), StorageError>(())
        })?;
        self.jobs_queued(&change.jobs);
        Ok(())
    }

    async fn document_events(&self, sha256: &str) -> Result<Vec<Event>, StorageError> {
        self.events_of_document(sha256).await
    }

    async fn find_link(&self, token_sha256: &str) -> Result<Option<Link>, StorageError> {
        in_bureau!(self, conn => {
            let row = sqlx::query(self.sql().find_link)
                .bind(self.id())
                .bind(token_sha256)
                .fetch_optional(&mut *conn)
                .await?;
            row.as_ref().map(link_from_row).transpose()
        })
    }

    async fn revise(&self, revision: Revision<'_>) -> Result<(), StorageError> {
        let row = QuoteRow::new(self, &revision.new)?;
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            let affected = sqlx::query(self.sql().supersede)
                .bind(self.id())
                .bind(revision.old.to_string())
                .bind(Status::Superseded.as_str())
                .bind(revision.new.id.to_string())
                .bind(revision.new.now)
                .bind(revision.expected)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            one_row(affected)?;
            let insert = QuoteInsert {
                row: &row,
                number: revision.number,
                revision: revision.revision,
                supersedes: Some(revision.old),
                idempotency: None,
            };
            insert_quotes(self, &mut tx, std::slice::from_ref(&insert)).await?;
            insert_events(self, &mut tx, &revision.events).await?;
            insert_jobs(self, &mut tx, &revision.jobs).await?;
            tx.commit().await?;
            Ok::<(), StorageError>(())
        })?;
        self.jobs_queued(&revision.jobs);
        Ok(())
    }

    async fn last_revision(&self, number: &str) -> Result<i64, StorageError> {
        let last: Option<i64> = in_bureau!(self, conn => {
            sqlx::query_scalar(self.sql().last_revision)
                .bind(self.id()).bind(number).fetch_one(&mut *conn).await
        })?;
        Ok(last.unwrap_or(0))
    }

    async fn events(&self, id: Uuid) -> Result<Vec<Event>, StorageError> {
        in_bureau!(self, conn => {
            let rows = sqlx::query(self.sql().events)
                .bind(self.id())
                .bind(id.to_string())
                .fetch_all(&mut *conn)
                .await?;
            rows.iter().map(event_from_row).collect()
        })
    }

    async fn without_job(
        &self,
        status: Status,
        from: NaiveDate,
        to: NaiveDate,
        topic: &str,
    ) -> Result<Vec<Uuid>, StorageError> {
        let ids: Vec<String> = in_bureau!(self, conn => {
            sqlx::query_scalar(self.sql().without_job)
                .bind(self.id())
                .bind(status.as_str())
                .bind(from)
                .bind(to)
                .bind(topic)
                .fetch_all(&mut *conn)
                .await
        })?;
        ids.iter().map(|id| parse_uuid(id)).collect()
    }

    async fn lapsed(
        &self,
        status: Status,
        day: NaiveDate,
    ) -> Result<Vec<(Uuid, Version)>, StorageError> {
        let rows: Vec<(String, i64)> = in_bureau!(self, conn => {
            sqlx::query_as(self.sql().lapsed)
                .bind(self.id())
                .bind(status.as_str())
                .bind(day)
                .fetch_all(&mut *conn)
                .await
        })?;
        rows.into_iter()
            .map(|(id, version)| Ok((parse_uuid(&id)?, version)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_escape_like_characters() {
        assert_eq!(contains_pattern("50%_A\\b"), "%50\\%\\_a\\\\b%");
    }
}
