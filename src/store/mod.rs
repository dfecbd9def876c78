//! Storage with sqlx: SQLite (the embedded default) or PostgreSQL (production), chosen by the
//! database URL. It implements the interfaces the domain defines (`quotes::ports`,
//! `requests::ports`) and decides no business rule: every change it applies was decided by the
//! domain and is guarded by the version (or status) the domain read.
//!
//! One set of SQL ([`statements`]), written for PostgreSQL and turned into SQLite's form once.
//! sqlx's `Any` driver cannot carry NUMERIC or timestamps, so each query runs through
//! [`on_pool!`] on the concrete pool.
//!
//! A `Store` works for one bureau ([`Store::scoped`]): every statement names the bureau
//! (`bureau_id = $1`; `tests/tenancy.rs` checks each one). On PostgreSQL the database holds
//! the bureaus apart as well: the service's connections run as the role `offerte_service`,
//! under forced row-level security, and every transaction sets `offerte.bureau`, so a
//! statement that forgot its filter still sees only its bureau's rows (migration 0010).

use anyhow::Context;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Database, Executor, PgConnection, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Runs the same code on whichever pool the store has.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn`, a connection in the store's bureau: on SQLite a pooled
/// connection, on PostgreSQL a transaction that set the bureau (committed after `$body`).
/// For reads and single writes outside a transaction of their own.
macro_rules! in_bureau {
    ($store:expr, $conn:ident => $body:expr) => {
        in_bureau!($store, $store.scope(), $conn => $body)
    };
    ($store:expr, $scope:expr, $conn:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite(pool) => {
                let mut connection = pool.acquire().await?;
                let $conn = &mut *connection;
                $body
            }
            $crate::store::Db::Postgres(pool) => {
                let mut tx = $crate::store::WritePool::begin_write(pool, $scope).await?;
                let $conn = &mut *tx;
                let result = $body;
                tx.commit().await?;
                result
            }
        }
    };
}

mod bureaus;
mod catalog;
mod creates;
mod documents;
mod dump;
mod error;
mod outbox;
mod quotes;
mod register;
mod requests;
mod rows;
pub(crate) mod statements;
mod writes;

pub use creates::Writes;
pub use dump::BUREAU_TABLES;

use crate::storage::BureauId;

/// What every connection of the PostgreSQL pool runs first (migration 0010 makes the role).
const SERVICE_ROLE: &str = "SET ROLE offerte_service";

/// The database behind the service, the bureau this handle works for, and this process's
/// write coordination ([`Writes`]): SQLite takes one writer at a time, and a writer that finds
/// the database locked sleeps in SQLite's busy handler (1, 2, 5, 10 ... ms) instead of waiting
/// its turn, so SQLite writers queue on the turn; on both backends new quotes are committed in
/// groups (see [`creates`]).
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    writes: Arc<Writes>,
    bureau: BureauId,
}

/// The pool of one backend.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which rows a PostgreSQL transaction may see: one bureau's, or, for the few operations that
/// span bureaus by nature (see migration 0010), all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Bureau(BureauId),
    All,
}

impl Scope {
    /// The transaction's first statements: `offerte.bureau` for its duration.
    fn begin(self, head: &str) -> String {
        match self {
            Scope::Bureau(id) => format!("{head}; SET LOCAL offerte.bureau = '{}'", id.get()),
            Scope::All => format!("{head}; SET LOCAL offerte.bureau = '*'"),
        }
    }
}

/// Opening a write transaction the right way for each backend, and a read transaction that
/// sees one snapshot (for a read made of several statements), in a [`Scope`].
pub(crate) trait WritePool {
    type Db: Database;
    async fn begin_write(&self, scope: Scope) -> sqlx::Result<Transaction<'static, Self::Db>>;
    async fn begin_read(&self, scope: Scope) -> sqlx::Result<Transaction<'static, Self::Db>>;
}

/// SQLite has no row-level security: its statements name the bureau themselves.
impl WritePool for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self, _: Scope) -> sqlx::Result<Transaction<'static, sqlx::Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }

    /// In WAL mode a transaction reads from the snapshot its first read took.
    async fn begin_read(&self, _: Scope) -> sqlx::Result<Transaction<'static, sqlx::Sqlite>> {
        self.begin().await
    }
}

impl WritePool for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(
        &self,
        scope: Scope,
    ) -> sqlx::Result<Transaction<'static, sqlx::Postgres>> {
        self.begin_with(sqlx::AssertSqlSafe(scope.begin("BEGIN")))
            .await
    }

    /// Read committed would give each statement its own snapshot.
    async fn begin_read(&self, scope: Scope) -> sqlx::Result<Transaction<'static, sqlx::Postgres>> {
        self.begin_with(sqlx::AssertSqlSafe(
            scope.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
        ))
        .await
    }
}

impl crate::storage::ForBureau for Store {
    fn for_bureau(&self, bureau: BureauId) -> Store {
        self.scoped(bureau)
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
            sqlx::migrate!("./migrations/sqlite")
                .run(&pool)
                .await
                .context("applying database migrations")?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // Migrations run as the URL's user, the owner of the tables; every connection of the
            // service's pool then becomes `offerte_service`, bound by row-level security.
            let mut owner = PgConnection::connect(url)
                .await
                .context("connecting to PostgreSQL")?;
            sqlx::migrate!("./migrations/postgres")
                .run(&mut owner)
                .await
                .context("applying database migrations")?;
            owner.close().await.ok();
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(|connection, _| {
                    Box::pin(async move { connection.execute(SERVICE_ROLE).await.map(|_| ()) })
                })
                .connect(url)
                .await
                .context(
                    "connecting to PostgreSQL as offerte_service (the URL's user must be a member \
                     of that role: docs/operations.md)",
                )?;
            Db::Postgres(pool)
        } else {
            anyhow::bail!("the database URL must start with sqlite:// or postgres://");
        };
        Ok(Store {
            db: store,
            writes: Arc::default(),
            bureau: BureauId::DEFAULT,
        })
    }

    /// The same database and write coordination, working for `bureau`.
    pub fn scoped(&self, bureau: BureauId) -> Store {
        Store {
            db: self.db.clone(),
            writes: self.writes.clone(),
            bureau,
        }
    }

    /// The bureau this handle works for.
    pub fn bureau(&self) -> BureauId {
        self.bureau
    }

    /// The bureau as bound to statements (`$1`).
    fn id(&self) -> i64 {
        self.bureau.get()
    }

    fn scope(&self) -> Scope {
        Scope::Bureau(self.bureau)
    }

    /// The SQLite pool, for a benchmark that seeds rows directly.
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.db {
            Db::Sqlite(pool) => Some(pool),
            Db::Postgres(..) => None,
        }
    }

    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite(..) => "sqlite",
            Db::Postgres(..) => "postgres",
        }
    }

    fn is_sqlite(&self) -> bool {
        matches!(self.db, Db::Sqlite(..))
    }

    /// This backend's statements.
    fn sql(&self) -> &'static statements::Statements {
        statements::of(self.is_sqlite())
    }

    /// Waits for this process's turn to write (SQLite only; PostgreSQL locks rows itself).
    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.db {
            Db::Sqlite(..) => Some(self.writes.turn.lock().await),
            Db::Postgres(..) => None,
        }
    }

    /// Prepares every statement of the store on this backend without running it, so a statement
    /// that does not fit the schema fails here (the test suite runs this on both backends).
    pub async fn prepare_all(&self) -> Result<usize, PrepareError> {
        use sqlx::SqlSafeStr;
        let texts = statement_texts(self.is_sqlite());
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

/// Every statement of the store in one backend's dialect, with its name (the multi-row statements
/// for one, two and the most rows).
pub fn statement_texts(sqlite: bool) -> Vec<(&'static str, &'static str)> {
    let mut texts = statements::of(sqlite).all();
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
        texts.push((
            "take_numbers_of",
            statements::TAKE_NUMBERS.text(sqlite, rows),
        ));
        texts.push(("finish_jobs", statements::FINISH_JOBS.text(sqlite, rows)));
        texts.push((
            "insert_attempts",
            statements::INSERT_ATTEMPTS.text(sqlite, rows),
        ));
    }
    texts
}

pub use statements::SPANNING;

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
