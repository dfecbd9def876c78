//! Storage with sqlx: SQLite (the embedded default) or PostgreSQL (production), chosen by the
//! database URL. One set of SQL, written for PostgreSQL with explicit casts; for SQLite the
//! casts and row locks are stripped (SQLite takes the whole database for a write transaction,
//! started with `BEGIN IMMEDIATE`). sqlx's `Any` driver cannot carry NUMERIC or timestamps, so
//! each query runs through [`on_pool!`] on the concrete pool.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, ColumnIndex, Database, Decode, Row, Transaction, Type};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

use crate::pricing::Circumstances;
use crate::pricing::{Computation, Totals};
use crate::quotes::lifecycle::{Status, TransitionError, check_transition, display_number};
use crate::quotes::model::{Actor, Employee, Employer, Event, Quote, RegisterEntry};

/// The database behind the service, and this process's write coordination ([`Writes`]): SQLite
/// takes one writer at a time, and a writer that finds the database locked sleeps in SQLite's
/// busy handler (1, 2, 5, 10 ... ms) instead of waiting its turn, so SQLite writers queue on the
/// turn; on both backends new quotes are committed in groups (see [`creates`]).
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqlitePool, Arc<Writes>),
    Postgres(PgPool, Arc<Writes>),
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no quote with id {0}")]
    NotFound(Uuid),
    #[error("no quote request with id {0}")]
    RequestNotFound(Uuid),
    #[error("this quote request is already {0}")]
    RequestDecided(crate::requests::model::RequestStatus),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("only a draft can be edited; this quote is {0}")]
    NotDraft(Status),
    #[error("a revision can be made only from a draft or sent quote; this quote is {0}")]
    NotRevisable(Status),
    #[error("this Idempotency-Key was used before with a different body")]
    IdempotencyMismatch,
    #[error("conflict with an existing record ({0})")]
    Constraint(String),
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error("stored data could not be read")]
    Data(#[from] anyhow::Error),
}

/// Runs the same code on whichever pool the store has.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool, _) => $body,
            Store::Postgres($pool, _) => $body,
        }
    };
}

mod creates;
mod requests;
pub use creates::Writes;
use creates::{CreateJob, QuoteRow};
pub use requests::RequestFilter;

/// Opening a write transaction the right way for each backend.
trait WritePool {
    type Db: Database;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Self::Db>>;
}

impl WritePool for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, sqlx::Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl WritePool for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, sqlx::Postgres>> {
        self.begin().await
    }
}

const QUOTE_COLUMNS: &str = "id::text AS id, number, revision, status, employer, employee, circumstances, computation, computation_translated, \
     valid_until, created_at, updated_at, created_by_role, created_by_key, supersedes::text AS supersedes, \
     superseded_by::text AS superseded_by, decided_at";

/// What a new quote (or a new revision) is made of.
pub struct NewQuote<'a> {
    pub id: Uuid,
    pub employer: &'a Employer,
    pub employee: &'a Employee,
    pub circumstances: &'a Circumstances,
    pub computation: &'a Computation,
    /// The computation in the other language.
    pub translated: &'a Computation,
    pub valid_until: NaiveDate,
    pub now: DateTime<Utc>,
    pub actor: &'a Actor,
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

/// Filters of the register (all quote revisions, every status unless one is given).
#[derive(Debug, Clone, Default)]
pub struct RegisterQuery {
    pub status: Option<Status>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
}

/// The outcome of a create: the quote, and whether an earlier request made it.
pub struct Created {
    pub quote: Quote,
    pub replayed: bool,
}

impl Store {
    /// Connects and applies the embedded migrations. For SQLite the file and its folder are
    /// created when missing; WAL with `synchronous=NORMAL` (survives a killed process; a power
    /// cut may lose the last transactions), foreign keys on.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        let store = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .with_context(|| "reading the SQLite database URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            if let Some(folder) = options
                .get_filename()
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
            {
                std::fs::create_dir_all(folder).with_context(|| {
                    format!("creating the database folder {}", folder.display())
                })?;
            }
            let pool = SqlitePoolOptions::new()
                // SQLite allows one writer at a time; writers waiting for the lock sleep in
                // SQLite's busy handler (1, 2, 5, 10 ... ms). One connection avoids that sleep
                // (+19% creates in one load run) but then reads, such as a long export, block
                // writes: four it is, with the cost noted in the README.
                .max_connections(4)
                .connect_with(options)
                .await
                .context("opening the SQLite database")?;
            Store::Sqlite(pool, Arc::default())
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .context("connecting to PostgreSQL")?;
            Store::Postgres(pool, Arc::default())
        } else {
            anyhow::bail!("the database URL must start with sqlite:// or postgres://");
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the embedded migrations (idempotent).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Store::Sqlite(pool, _) => sqlx::migrate!("./migrations/sqlite").run(pool).await,
            Store::Postgres(pool, _) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
        .context("applying database migrations")
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(..) => "sqlite",
            Store::Postgres(..) => "postgres",
        }
    }

    /// Waits for this process's turn to write (SQLite only; PostgreSQL locks rows itself).
    pub(super) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self {
            Store::Sqlite(_, writes) => Some(writes.turn.lock().await),
            Store::Postgres(..) => None,
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// The SQL for this backend: PostgreSQL as written, SQLite without casts and row locks.
    fn sql(&self, text: &str) -> AssertSqlSafe<String> {
        match self {
            Store::Postgres(..) => AssertSqlSafe(text.to_string()),
            Store::Sqlite(..) => {
                let mut out = text.replace(" FOR UPDATE", "");
                for cast in ["::uuid", "::numeric", "::timestamptz", "::text"] {
                    out = out.replace(cast, "");
                }
                AssertSqlSafe(out)
            }
        }
    }

    /// Stores a new draft with the next number of `year`. With an idempotency key, a repeat of
    /// the same request returns the quote the first one made.
    pub async fn create_quote(
        &self,
        new: NewQuote<'_>,
        prefix: &str,
        year: i32,
        idempotency: Option<(&str, &str)>,
    ) -> Result<Created, StoreError> {
        if let Some((key, hash)) = idempotency
            && let Some(existing) = self.find_idempotent(key, hash).await?
        {
            return Ok(Created {
                quote: existing,
                replayed: true,
            });
        }
        let job = CreateJob {
            row: QuoteRow::new(&new)?,
            prefix: prefix.to_string(),
            year,
            idempotency: idempotency.map(|(k, h)| (k.to_string(), h.to_string())),
        };
        let result = self.commit_create(job).await;
        let number = match result {
            Ok(number) => number,
            Err(StoreError::Constraint(name)) if name == "quotes_idempotency_key_key" => {
                let (key, hash) = idempotency.expect("only keyed creates hit this constraint");
                let existing = self
                    .find_idempotent(key, hash)
                    .await?
                    .ok_or(StoreError::Constraint(name))?;
                return Ok(Created {
                    quote: existing,
                    replayed: true,
                });
            }
            Err(e) => return Err(e),
        };
        // The record as stored, without reading it back: every value is in hand.
        let quote = Quote {
            id: new.id,
            display_number: display_number(&number, 1),
            number,
            revision: 1,
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
            supersedes: None,
            superseded_by: None,
            decided_at: None,
        };
        Ok(Created {
            quote,
            replayed: false,
        })
    }

    async fn find_idempotent(&self, key: &str, hash: &str) -> Result<Option<Quote>, StoreError> {
        let found: Option<(String, Option<String>)> = on_pool!(self, pool => {
            sqlx::query_as(self.sql("SELECT id::text, idempotency_hash FROM quotes WHERE idempotency_key = $1"))
                .bind(key)
                .fetch_optional(pool)
                .await
        })?;
        match found {
            None => Ok(None),
            Some((_, stored)) if stored.as_deref() != Some(hash) => {
                Err(StoreError::IdempotencyMismatch)
            }
            Some((id, _)) => self.fetch(parse_uuid(&id)?).await,
        }
    }

    /// Reads a quote as stored (no expiry applied).
    pub async fn fetch(&self, id: Uuid) -> Result<Option<Quote>, StoreError> {
        let sql = format!("SELECT {QUOTE_COLUMNS} FROM quotes WHERE id = $1::uuid");
        on_pool!(self, pool => {
            let row = sqlx::query(self.sql(&sql)).bind(id.to_string()).fetch_optional(pool).await?;
            row.as_ref().map(quote_from_row).transpose()
        })
    }

    /// Reads a quote, first expiring it when it was sent and its validity date has passed.
    pub async fn get(
        &self,
        id: Uuid,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Option<Quote>, StoreError> {
        let Some(quote) = self.fetch(id).await? else {
            return Ok(None);
        };
        if quote.status == Status::Sent && quote.valid_until < today {
            self.expire(id, now).await?;
            return self.fetch(id).await;
        }
        Ok(Some(quote))
    }

    /// Moves one sent quote to expired, if it still is sent. Returns whether it moved.
    async fn expire(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            let moved = sqlx::query(self.sql(
                "UPDATE quotes SET status = 'expired', updated_at = $2 WHERE id = $1::uuid AND status = 'sent'",
            ))
            .bind(id.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if moved {
                let event = NewEvent {
                    quote_id: id,
                    from: Some(Status::Sent),
                    to: Status::Expired,
                    at: now,
                    actor: &Actor::system(),
                    reason: Some("validity date passed"),
                    document_sha256: None,
                };
                insert_events(self, &mut tx, &[event]).await?;
            }
            tx.commit().await?;
            Ok(moved)
        })
    }

    /// Expires every sent quote whose validity date lies before `today`. Returns how many.
    pub async fn expire_due(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let ids: Vec<String> = on_pool!(self, pool => {
            sqlx::query_scalar(self.sql("SELECT id::text FROM quotes WHERE status = 'sent' AND valid_until < $1"))
                .bind(today)
                .fetch_all(pool)
                .await
        })?;
        let mut count = 0;
        for id in ids {
            if self.expire(parse_uuid(&id)?, now).await? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The latest revision of each quote matching the filters, newest first, and the total.
    pub async fn list(&self, filter: &ListFilter) -> Result<(Vec<Quote>, i64), StoreError> {
        const WHERE: &str = "WHERE (($1::text IS NULL AND status <> 'superseded') OR status = $1::text) \
             AND ($2::text IS NULL OR number = $2::text) \
             AND ($3::text IS NULL OR LOWER(employer_name) LIKE $3::text ESCAPE '\\') \
             AND ($4::timestamptz IS NULL OR created_at >= $4::timestamptz) \
             AND ($5::timestamptz IS NULL OR created_at < $5::timestamptz)";
        let pattern = filter.employer.as_ref().map(|e| {
            let escaped = e
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let select = format!(
            "SELECT {QUOTE_COLUMNS} FROM quotes {WHERE} ORDER BY created_at DESC, id DESC LIMIT $6 OFFSET $7"
        );
        let count = format!("SELECT COUNT(*) FROM quotes {WHERE}");
        let (select, count) = (self.sql(&select), self.sql(&count));
        let status = filter.status.map(|s| s.as_str());
        on_pool!(self, pool => {
            let rows = sqlx::query(select)
                .bind(status)
                .bind(filter.number.as_deref())
                .bind(pattern.as_deref())
                .bind(filter.created_from)
                .bind(filter.created_before)
                .bind(filter.limit)
                .bind(filter.offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(count)
                .bind(status)
                .bind(filter.number.as_deref())
                .bind(pattern.as_deref())
                .bind(filter.created_from)
                .bind(filter.created_before)
                .fetch_one(pool)
                .await?;
            let quotes = rows.iter().map(quote_from_row).collect::<Result<Vec<_>, _>>()?;
            Ok((quotes, total))
        })
    }

    /// Every quote revision matching the filters, by number and revision, as a stream: rows are
    /// read from the database as the consumer takes them, so memory does not grow with their
    /// number. The stream holds one pooled connection until it ends or is dropped.
    pub fn register<'a>(
        &'a self,
        query: &RegisterQuery,
    ) -> BoxStream<'a, Result<RegisterEntry, StoreError>> {
        // Only the filters given go into the SQL: an `$1 IS NULL OR ...` filter would keep the
        // planner off the created_at index, and a one-month export would read the whole table.
        let mut filters = Vec::new();
        if query.status.is_some() {
            filters.push(format!("status = ${}::text", filters.len() + 1));
        }
        if query.created_from.is_some() {
            filters.push(format!("created_at >= ${}::timestamptz", filters.len() + 1));
        }
        if query.created_before.is_some() {
            filters.push(format!("created_at < ${}::timestamptz", filters.len() + 1));
        }
        let filters = if filters.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", filters.join(" AND "))
        };
        let sql = format!(
            "SELECT number, revision, created_at, status, employer_name, tier_code, \
             catalog_version, computation, valid_until, decided_at FROM quotes {filters} \
             ORDER BY number, revision"
        );
        let status = query.status.map(|s| s.as_str());
        let (from, before) = (query.created_from, query.created_before);
        on_pool!(self, pool => {
            let mut q = sqlx::query(self.sql(&sql));
            if let Some(status) = status {
                q = q.bind(status);
            }
            if let Some(from) = from {
                q = q.bind(from);
            }
            if let Some(before) = before {
                q = q.bind(before);
            }
            q.fetch(pool)
                .map(|row| register_entry_from_row(&row?))
                .boxed()
        })
    }

    /// Replaces the parts of a draft (and its computation).
    pub async fn update_draft(&self, new: NewQuote<'_>) -> Result<Quote, StoreError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            let status = lock_status(self, &mut tx, new.id).await?;
            if status != Status::Draft {
                return Err(StoreError::NotDraft(status));
            }
            sqlx::query(self.sql(
                "UPDATE quotes SET language = $2, employer_name = $3, employer = $4, employee = $5, circumstances = $6, \
                 computation = $7, catalog_version = $8, catalog_hash = $9, tier_code = $10, excl_vat = $11::numeric, \
                 vat = $12::numeric, incl_vat = $13::numeric, valid_until = $14, updated_at = $15, \
                 computation_translated = $16 WHERE id = $1::uuid",
            ))
            .bind(new.id.to_string())
            .bind(new.computation.language.as_str())
            .bind(&new.employer.company_name)
            .bind(to_json(new.employer)?)
            .bind(to_json(new.employee)?)
            .bind(to_json(new.circumstances)?)
            .bind(to_json(new.computation)?)
            .bind(&new.computation.catalog.version)
            .bind(&new.computation.catalog.hash)
            .bind(&new.computation.tier.code)
            .bind(new.computation.totals.excl_vat.to_string())
            .bind(new.computation.totals.vat.to_string())
            .bind(new.computation.totals.incl_vat.to_string())
            .bind(new.valid_until)
            .bind(new.now)
            .bind(to_json(new.translated)?)
            .execute(&mut *tx)
            .await?;
            let event = NewEvent {
                quote_id: new.id,
                from: Some(Status::Draft),
                to: Status::Draft,
                at: new.now,
                actor: new.actor,
                reason: Some("edited"),
                document_sha256: None,
            };
            insert_events(self, &mut tx, &[event]).await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.fetch(new.id)
            .await?
            .ok_or(StoreError::NotFound(new.id))
    }

    /// Moves a quote to `to` after checking the lifecycle (the state before the reason).
    #[expect(
        clippy::too_many_arguments,
        reason = "one call site; a struct would only rename them"
    )]
    pub async fn transition(
        &self,
        id: Uuid,
        to: Status,
        reason: Option<&str>,
        actor: &Actor,
        today: NaiveDate,
        now: DateTime<Utc>,
        document_sha256: Option<&str>,
    ) -> Result<Quote, StoreError> {
        // An expired quote is expired before anyone may act on it.
        self.get(id, today, now)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            let from = lock_status(self, &mut tx, id).await?;
            check_transition(from, to, reason)?;
            let decided = matches!(to, Status::Accepted | Status::Declined).then_some(now);
            sqlx::query(self.sql(
                "UPDATE quotes SET status = $2, updated_at = $3, decided_at = COALESCE($4, decided_at) WHERE id = $1::uuid",
            ))
            .bind(id.to_string())
            .bind(to.as_str())
            .bind(now)
            .bind(decided)
            .execute(&mut *tx)
            .await?;
            let event = NewEvent {
                quote_id: id,
                from: Some(from), to,
                at: now, actor, reason,
                document_sha256,
            };
            insert_events(self, &mut tx, &[event]).await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.fetch(id).await?.ok_or(StoreError::NotFound(id))
    }

    /// Makes a new revision of a draft or sent quote; the old one becomes `superseded`.
    pub async fn revise(
        &self,
        old_id: Uuid,
        new: NewQuote<'_>,
        today: NaiveDate,
    ) -> Result<Quote, StoreError> {
        self.get(old_id, today, new.now)
            .await?
            .ok_or(StoreError::NotFound(old_id))?;
        let row = QuoteRow::new(&new)?;
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            let from = lock_status(self, &mut tx, old_id).await?;
            if !from.can_revise() {
                return Err(StoreError::NotRevisable(from));
            }
            let number: String = sqlx::query_scalar(self.sql("SELECT number FROM quotes WHERE id = $1::uuid"))
                .bind(old_id.to_string())
                .fetch_one(&mut *tx)
                .await?;
            let last: i64 = sqlx::query_scalar(self.sql("SELECT MAX(revision) FROM quotes WHERE number = $1"))
                .bind(&number)
                .fetch_one(&mut *tx)
                .await?;
            let insert = QuoteInsert { row: &row, number: &number, revision: last + 1, supersedes: Some(old_id), idempotency: None };
            insert_quotes(self, &mut tx, std::slice::from_ref(&insert)).await?;
            sqlx::query(self.sql(
                "UPDATE quotes SET status = 'superseded', superseded_by = $2::uuid, updated_at = $3 WHERE id = $1::uuid",
            ))
            .bind(old_id.to_string())
            .bind(new.id.to_string())
            .bind(new.now)
            .execute(&mut *tx)
            .await?;
            let old_note = format!("replaced by revision {}", last + 1);
            let new_note = format!("revision {} of {}", last + 1, display_number(&number, 1));
            let events = [(old_id, Some(from), Status::Superseded, &old_note), (new.id, None, Status::Draft, &new_note)]
                .map(|(quote_id, from, to, note)| NewEvent {
                    quote_id,
                    from,
                    to,
                    at: new.now,
                    actor: new.actor,
                    reason: Some(note.as_str()),
                    document_sha256: None,
                });
            insert_events(self, &mut tx, &events).await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.fetch(new.id)
            .await?
            .ok_or(StoreError::NotFound(new.id))
    }

    /// Every event of a quote, oldest first.
    pub async fn events(&self, id: Uuid) -> Result<Vec<Event>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(self.sql(
                "SELECT id, quote_id::text AS quote_id, from_status, to_status, at, role, key_id, reason, document_sha256 \
                 FROM quote_events WHERE quote_id = $1::uuid ORDER BY id",
            ))
            .bind(id.to_string())
            .fetch_all(pool)
            .await?;
            rows.iter().map(event_from_row).collect()
        })
    }
}

async fn lock_status<DB>(
    store: &Store,
    tx: &mut Transaction<'static, DB>,
    id: Uuid,
) -> Result<Status, StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments: sqlx::IntoArguments<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + Type<DB> + for<'r> Decode<'r, DB>,
    (String,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let row: Option<(String,)> =
        sqlx::query_as(store.sql("SELECT status FROM quotes WHERE id = $1::uuid FOR UPDATE"))
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    let (status,) = row.ok_or(StoreError::NotFound(id))?;
    Status::parse(&status)
        .ok_or_else(|| StoreError::Data(anyhow::anyhow!("unknown status `{status}`")))
}

/// One row of `quote_events`.
struct NewEvent<'a> {
    quote_id: Uuid,
    from: Option<Status>,
    to: Status,
    at: DateTime<Utc>,
    actor: &'a Actor,
    reason: Option<&'a str>,
    document_sha256: Option<&'a str>,
}

/// Inserts events with one statement.
async fn insert_events<DB>(
    store: &Store,
    tx: &mut Transaction<'static, DB>,
    events: &[NewEvent<'_>],
) -> Result<(), StoreError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + Type<DB>,
{
    let sql = format!(
        "INSERT INTO quote_events (quote_id, from_status, to_status, at, role, key_id, reason, document_sha256) VALUES {}",
        numbered_rows("(?::uuid, ?, ?, ?, ?, ?, ?, ?)", events.len())
    );
    let mut query = sqlx::query(store.sql(&sql));
    for e in events {
        query = query
            .bind(e.quote_id.to_string())
            .bind(e.from.map(|s| s.as_str()))
            .bind(e.to.as_str())
            .bind(e.at)
            .bind(e.actor.role.as_str())
            .bind(e.actor.key_id.as_str())
            .bind(e.reason)
            .bind(e.document_sha256);
    }
    query.execute(&mut **tx).await.map_err(map_constraint)?;
    Ok(())
}

/// `rows` copies of a `VALUES` row `template`, its `?` numbered `$1, $2, ...` throughout.
fn numbered_rows(template: &str, rows: usize) -> String {
    let mut out = String::with_capacity((template.len() + 16) * rows);
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        for c in template.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// One new row of `quotes`: its values, number and revision.
struct QuoteInsert<'a> {
    row: &'a QuoteRow,
    number: &'a str,
    revision: i64,
    supersedes: Option<Uuid>,
    /// Idempotency key and the hash of the request body.
    idempotency: Option<(&'a str, &'a str)>,
}

/// Inserts quotes with one statement.
async fn insert_quotes<DB>(
    store: &Store,
    tx: &mut Transaction<'static, DB>,
    quotes: &[QuoteInsert<'_>],
) -> Result<(), StoreError>
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
    let sql = format!(
        "INSERT INTO quotes (id, number, revision, status, language, employer_name, employer, employee, circumstances, \
         computation, catalog_version, catalog_hash, tier_code, excl_vat, vat, incl_vat, valid_until, created_at, \
         updated_at, created_by_role, created_by_key, supersedes, idempotency_key, idempotency_hash, \
         computation_translated) VALUES {}",
        numbered_rows(
            "(?::uuid, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::numeric, ?::numeric, ?::numeric, ?, ?, ?, ?, ?, ?::uuid, ?, ?, ?)",
            quotes.len()
        )
    );
    let mut query = sqlx::query(store.sql(&sql));
    for q in quotes {
        let row = q.row;
        query = query
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
    query.execute(&mut **tx).await.map_err(map_constraint)?;
    Ok(())
}

/// A unique or check violation becomes [`StoreError::Constraint`] with the constraint's name
/// (SQLite reports columns, not names: they are mapped to the same names).
fn map_constraint(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &error {
        if let Some(name) = db.constraint() {
            return StoreError::Constraint(name.to_string());
        }
        let message = db.message();
        for (columns, name) in [
            ("quotes.idempotency_key", "quotes_idempotency_key_key"),
            (
                "quotes.number, quotes.revision",
                "quotes_number_revision_key",
            ),
            ("quotes.id", "quotes_pkey"),
            ("quote_requests.reference", "quote_requests_reference_key"),
        ] {
            if message.contains("UNIQUE constraint failed") && message.contains(columns) {
                return StoreError::Constraint(name.to_string());
            }
        }
    }
    StoreError::Db(error)
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Data(e.into()))
}

fn from_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Data(anyhow::anyhow!("column {column}: {e}")))
}

fn parse_uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|e| StoreError::Data(anyhow::anyhow!("bad id `{text}`: {e}")))
}

fn quote_from_row<'r, R>(row: &'r R) -> Result<Quote, StoreError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let text = |name: &'static str| row.try_get::<String, _>(name);
    let optional = |name: &'static str| row.try_get::<Option<String>, _>(name);
    let status = text("status")?;
    let number = text("number")?;
    let revision: i64 = row.try_get("revision")?;
    Ok(Quote {
        id: parse_uuid(&text("id")?)?,
        display_number: display_number(&number, revision),
        number,
        revision,
        status: Status::parse(&status)
            .ok_or_else(|| StoreError::Data(anyhow::anyhow!("unknown status `{status}`")))?,
        valid_until: row.try_get("valid_until")?,
        employer: from_json("employer", &text("employer")?)?,
        employee: from_json("employee", &text("employee")?)?,
        circumstances: from_json("circumstances", &text("circumstances")?)?,
        computation: from_json("computation", &text("computation")?)?,
        translated: Some(from_json(
            "computation_translated",
            &text("computation_translated")?,
        )?),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        created_by: Actor {
            role: text("created_by_role")?,
            key_id: text("created_by_key")?,
        },
        supersedes: optional("supersedes")?
            .as_deref()
            .map(parse_uuid)
            .transpose()?,
        superseded_by: optional("superseded_by")?
            .as_deref()
            .map(parse_uuid)
            .transpose()?,
        decided_at: row.try_get("decided_at")?,
    })
}

/// The part of a stored computation the register reads.
#[derive(serde::Deserialize)]
struct StoredTotals {
    totals: Totals,
}

fn register_entry_from_row<'r, R>(row: &'r R) -> Result<RegisterEntry, StoreError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let status: String = row.try_get("status")?;
    let stored: StoredTotals = from_json("computation", &row.try_get::<String, _>("computation")?)?;
    Ok(RegisterEntry {
        number: row.try_get("number")?,
        revision: row.try_get("revision")?,
        created_at: row.try_get("created_at")?,
        status: Status::parse(&status)
            .ok_or_else(|| StoreError::Data(anyhow::anyhow!("unknown status `{status}`")))?,
        employer: row.try_get("employer_name")?,
        tier: row.try_get("tier_code")?,
        catalog_version: row.try_get("catalog_version")?,
        totals: stored.totals,
        valid_until: row.try_get("valid_until")?,
        decided_at: row.try_get("decided_at")?,
    })
}

fn event_from_row<'r, R>(row: &'r R) -> Result<Event, StoreError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let status = |text: &str| {
        Status::parse(text)
            .ok_or_else(|| StoreError::Data(anyhow::anyhow!("unknown status `{text}`")))
    };
    Ok(Event {
        id: row.try_get("id")?,
        quote_id: parse_uuid(&row.try_get::<String, _>("quote_id")?)?,
        from: row
            .try_get::<Option<String>, _>("from_status")?
            .as_deref()
            .map(status)
            .transpose()?,
        to: status(&row.try_get::<String, _>("to_status")?)?,
        at: row.try_get("at")?,
        role: row.try_get("role")?,
        key_id: row.try_get("key_id")?,
        reason: row.try_get("reason")?,
        document_sha256: row.try_get("document_sha256")?,
    })
}

#[cfg(test)]
mod tests {
    use super::numbered_rows;

    #[test]
    fn rows_are_numbered_throughout() {
        assert_eq!(numbered_rows("(?::uuid, 'x', ?)", 1), "($1::uuid, 'x', $2)");
        assert_eq!(numbered_rows("(?, ?)", 3), "($1, $2), ($3, $4), ($5, $6)");
    }
}
