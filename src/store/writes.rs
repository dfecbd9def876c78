//! The inserts every write shares: quote rows and events, many rows to one statement (a
//! statement per row would cost a round trip to PostgreSQL, or to sqlx's SQLite thread, each).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Database, Transaction, Type};
use uuid::Uuid;

use super::Store;
use super::rows::to_json;
use super::statements::{INSERT_EVENTS, INSERT_JOBS, INSERT_QUOTES, MAX_ROWS};
use crate::outbox::model::{JobStatus, NewJob};
use crate::quotes::model::Actor;
use crate::quotes::ports::{NewEvent, NewQuote};
use crate::storage::StorageError;

/// A quote row with every value bound as stored: serialized before the write turn, so the JSON
/// work of concurrent creates runs in parallel, not inside the serial part.
pub(crate) struct QuoteRow {
    /// The bureau the quote belongs to (a group of creates may hold several).
    pub bureau: i64,
    pub id: uuid::Uuid,
    pub language: &'static str,
    pub employer_name: String,
    pub employer: String,
    pub employee: String,
    pub circumstances: String,
    pub computation: String,
    pub translated: String,
    pub catalog_version: String,
    pub catalog_hash: String,
    pub tier_code: String,
    pub excl_vat: String,
    pub vat: String,
    pub incl_vat: String,
    pub valid_until: chrono::NaiveDate,
    pub now: chrono::DateTime<chrono::Utc>,
    pub actor: Actor,
}

impl QuoteRow {
    pub fn new(store: &Store, new: &NewQuote<'_>) -> Result<QuoteRow, StorageError> {
        let c = new.computation;
        Ok(QuoteRow {
            bureau: store.id(),
            id: new.id,
            language: c.language.as_str(),
            employer_name: new.employer.company_name.clone(),
            employer: to_json(new.employer)?,
            employee: to_json(new.employee)?,
            circumstances: to_json(new.circumstances)?,
            computation: to_json(c)?,
            translated: to_json(new.translated)?,
            catalog_version: c.catalog.version.clone(),
            catalog_hash: c.catalog.hash.clone(),
            tier_code: c.tier.code.clone(),
            excl_vat: c.totals.excl_vat.to_string(),
            vat: c.totals.vat.to_string(),
            incl_vat: c.totals.incl_vat.to_string(),
            valid_until: new.valid_until,
            now: new.now,
            actor: new.actor.clone(),
        })
    }
}

/// Inserts events of the store's bureau, one statement per [`MAX_ROWS`] of them.
pub(crate) async fn insert_events<DB>(
    store: &Store,
    tx: &mut Transaction<'static, DB>,
    events: &[NewEvent],
) -> Result<(), StorageError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + Type<DB>,
{
    let rows: Vec<(i64, &NewEvent)> = events.iter().map(|e| (store.id(), e)).collect();
    insert_events_of(store.is_sqlite(), tx, &rows).await
}

/// Inserts events, each with its bureau, one statement per [`MAX_ROWS`] of them.
pub(crate) async fn insert_events_of<DB>(
    sqlite: bool,
    tx: &mut Transaction<'static, DB>,
    events: &[(i64, &NewEvent)],
) -> Result<(), StorageError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + Type<DB>,
{
    for chunk in events.chunks(MAX_ROWS) {
        let mut query = sqlx::query(INSERT_EVENTS.text(sqlite, chunk.len()));
        for &(bureau, e) in chunk {
            query = query
                .bind(bureau)
                .bind(e.quote_id.to_string())
                .bind(e.from.map(|s| s.as_str()))
                .bind(e.to.as_str())
                .bind(e.at)
                .bind(e.actor.role.as_str())
                .bind(e.actor.key_id.as_str())
                .bind(e.reason.as_deref())
                .bind(e.document_sha256.as_deref())
                .bind(e.name.as_deref())
                .bind(e.evidence.as_ref().map(to_json).transpose()?);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// One new row of `quotes`: its values, number and revision.
pub(crate) struct QuoteInsert<'a> {
    pub row: &'a QuoteRow,
    pub number: &'a str,
    pub revision: i64,
    pub supersedes: Option<Uuid>,
    /// Idempotency key and the hash of the request body.
    pub idempotency: Option<(&'a str, &'a str)>,
}

/// Inserts quotes with one statement.
pub(crate) async fn insert_quotes<DB>(
    store: &Store,
    tx: &mut Transaction<'static, DB>,
    quotes: &[QuoteInsert<'_>],
) -> Result<(), StorageError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> NaiveDate: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + Type<DB>,
{
    let mut query = sqlx::query(INSERT_QUOTES.text(store.is_sqlite(), quotes.len()));
    for q in quotes {
        let row = q.row;
        query = query
            .bind(row.bureau)
            .bind(row.id.to_string())
            .bind(q.number)
            .bind(q.revision)
            .bind(row.language)
            .bind(row.employer_name.as_str())
            .bind(row.employer.as_str())
            .bind(row.employee.as_str())
            .bind(row.circumstances.as_str())
            .bind(row.computation.as_str())
            .bind(row.catalog_version.as_str())
            .bind(row.catalog_hash.as_str())
            .bind(row.tier_code.as_str())
            .bind(row.excl_vat.as_str())
            .bind(row.vat.as_str())
            .bind(row.incl_vat.as_str())
            .bind(row.valid_until)
            .bind(row.now)
            .bind(row.now)
            .bind(row.actor.role.as_str())
            .bind(row.actor.key_id.as_str())
            .bind(q.supersedes.map(|u| u.to_string()))
            .bind(q.idempotency.map(|(k, _)| k))
            .bind(q.idempotency.map(|(_, h)| h))
            .bind(row.translated.as_str());
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Queues outbox jobs of the store's bureau inside the transaction of the change that causes
/// them.
pub(crate) async fn insert_jobs<DB>(
    store: &Store,
    tx: &mut Transaction<'static, DB>,
    jobs: &[NewJob],
) -> Result<(), StorageError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + Type<DB>,
{
    let rows: Vec<(i64, &NewJob)> = jobs.iter().map(|j| (store.id(), j)).collect();
    insert_jobs_of(store.is_sqlite(), tx, &rows).await
}

/// Queues outbox jobs, each with its bureau, one statement per [`MAX_ROWS`] of them (a group
/// of creates queues one job per create and endpoint).
pub(crate) async fn insert_jobs_of<DB>(
    sqlite: bool,
    tx: &mut Transaction<'static, DB>,
    jobs: &[(i64, &NewJob)],
) -> Result<(), StorageError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + Type<DB>,
{
    for chunk in jobs.chunks(MAX_ROWS) {
        let mut query = sqlx::query(INSERT_JOBS.text(sqlite, chunk.len()));
        for &(bureau, job) in chunk {
            query = query
                .bind(bureau)
                .bind(job.id.to_string())
                .bind(job.kind.as_str())
                .bind(job.quote_id.map(|id| id.to_string()))
                .bind(job.topic.as_str())
                .bind(job.recipient.as_str())
                .bind(job.payload.as_str())
                .bind(JobStatus::Queued.as_str())
                .bind(job.created_at)
                .bind(job.created_at)
                .bind(job.endpoint.as_deref())
                .bind(job.order_key.as_deref());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
