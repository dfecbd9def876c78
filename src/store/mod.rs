//! Storage with sqlx: SQLite (the embedded default) or PostgreSQL (production), chosen by the
//! database URL. It implements the interfaces the domain defines (`quotes::ports`,
//! `requests::ports`) and decides no business rule: every change it applies was decided by the
//! domain and is guarded by the version (or status) the domain read.
//!
//! One set of SQL ([`statements`]), written for PostgreSQL and turned into SQLite's form once.
//! sqlx's `Any` driver cannot carry NUMERIC or timestamps, so each query runs through
//! [`on_pool!`] on the concrete pool.

use anyhow::Context;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Database, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Runs the same code on whichever pool the store has.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool, _) => $body,
            Store::Postgres($pool, _) => $body,
        }
    };
}

mod catalog;
mod creates;
mod documents;
mod error;
mod outbox;
mod quotes;
mod register;
mod requests;
mod rows;
pub(crate) mod statements;
mod writes;

pub use creates::Writes;

/// The database behind the service, and this process's write coordination ([`Writes`]): SQLite
/// takes one writer at a time, and a writer that finds the database locked sleeps in SQLite's
/// busy handler (1, 2, 5, 10 ... ms) instead of waiting its turn, so SQLite writers queue on the
/// turn; on both backends new quotes are committed in groups (see [`creates`]).
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqlitePool, Arc<Writes>),
    Postgres(PgPool, Arc<Writes>),
}

/// Opening a write transaction the right way for each backend, and a read transaction that
/// sees one snapshot (for a read made of several statements).
trait WritePool {
    type Db: Database;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Self::Db>>;
    async fn begin_read(&self) -> sqlx::Result<Transaction<'static, Self::Db>>;
}

impl WritePool for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, sqlx::Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }

    /// In WAL mode a transaction reads from the snapshot its first read took.
    async fn begin_read(&self) -> sqlx::Result<Transaction<'static, sqlx::Sqlite>> {
        self.begin().await
    }
}

impl WritePool for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, sqlx::Postgres>> {
        self.begin().await
    }

    /// Read committed would give each statement its own snapshot.
    async fn begin_read(&self) -> sqlx::Result<Transaction<'static, sqlx::Postgres>> {
        self.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
    }
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
                // (more creates per second) but then reads, such as a long export, block
                // writes: four it is (docs/operations.md gives the measured cost).
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

    fn is_sqlite(&self) -> bool {
        matches!(self, Store::Sqlite(..))
    }

    /// This backend's statements.
    fn sql(&self) -> &'static statements::Statements {
        statements::of(self.is_sqlite())
    }

    /// Waits for this process's turn to write (SQLite only; PostgreSQL locks rows itself).
    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self {
            Store::Sqlite(_, writes) => Some(writes.turn.lock().await),
            Store::Postgres(..) => None,
        }
    }

    /// Prepares every statement of the store on this backend without running it, so a statement
    /// that does not fit the schema fails here (the test suite runs this on both backends).
    pub async fn prepare_all(&self) -> Result<usize, PrepareError> {
        use sqlx::{Executor, SqlSafeStr};
        let sqlite = self.is_sqlite();
        let mut texts = self.sql().all();
        for rows in [1, 2, statements::MAX_ROWS] {
            texts.push((
                "insert_quotes",
                statements::INSERT_QUOTES.text(sqlite, rows),
            ));
            texts.push((
                "insert_events",
                statements::INSERT_EVENTS.text(sqlite, rows),
            ));
            texts.push(("insert_jobs", statements::INSERT_JOBS.text(sqlite, rows)));
        }
        for &(name, text) in &texts {
            let prepared =
                on_pool!(self, pool => pool.prepare(text.into_sql_str()).await.map(|_| ()));
            prepared.map_err(|source| PrepareError {
                name,
                backend: self.backend(),
                text,
                source,
            })?;
        }
        Ok(texts.len())
    }
}

/// A statement of the store that does not prepare on a backend (see [`Store::prepare_all`]).
#[derive(Debug, thiserror::Error)]
#[error("{name} on {backend} does not prepare:\n{text}")]
pub struct PrepareError {
    pub name: &'static str,
    pub backend: &'static str,
    pub text: &'static str,
    #[source]
    pub source: sqlx::Error,
}
