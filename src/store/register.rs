//! The register: every quote revision matching, streamed as the consumer reads; and the payment
//! schedules of the quotes in one status, the same way.

use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::rows::{register_entry_from_row, schedule_entry_from_row};
use super::{Db, Store, WritePool};
use crate::catalog::Language;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{RegisterEntry, ScheduleEntry};
use crate::quotes::ports::RegisterQuery;
use crate::storage::StorageError;

/// The rows of `$query` (a query of the store's bureau, every bound value owned) as `$map`
/// makes them, streamed as the consumer reads. On PostgreSQL the rows are read inside a
/// transaction that set the bureau, held by a task that hands them over a short channel: the
/// stream ends that task (and the transaction) when it is dropped.
macro_rules! rows_in_bureau {
    ($store:expr, $query:expr, $map:expr) => {
        match &$store.db {
            Db::Sqlite(pool) => $query.fetch(pool).map(|row| $map(&row?)).boxed(),
            Db::Postgres(pool) => {
                let (pool, scope) = (pool.clone(), $store.scope());
                let query = $query;
                let (sender, receiver) = tokio::sync::mpsc::channel(64);
                tokio::spawn(async move {
                    let read = async {
                        let mut tx = pool.begin_read(scope).await?;
                        let mut rows = query.fetch(&mut *tx);
                        while let Some(row) = rows.next().await {
                            let item = row.map_err(StorageError::from).and_then(|r| $map(&r));
                            if sender.send(item).await.is_err() {
                                break;
                            }
                        }
                        Ok::<(), StorageError>(())
                    };
                    if let Err(error) = read.await {
                        let _ = sender.send(Err(error)).await;
                    }
                });
                futures_util::stream::unfold(receiver, |mut receiver| async move {
                    receiver.recv().await.map(|item| (item, receiver))
                })
                .boxed()
            }
        }
    };
}

impl Store {
    /// Rows are read from the database as the consumer takes them, so memory does not grow with
    /// their number. The stream holds one pooled connection until it ends or is dropped.
    pub(super) fn register_rows<'a>(
        &'a self,
        query: &RegisterQuery,
    ) -> BoxStream<'a, Result<RegisterEntry, StorageError>> {
        let sql = self.sql();
        // Only the creation bounds given go into the SQL: an `$n IS NULL OR ...` bound would keep
        // the planner off the created_at index, and a one-month export would read the whole table.
        let (from, before) = (query.created_from, query.created_before);
        let text = match (from.is_some(), before.is_some()) {
            (false, false) => sql.register_all,
            (true, false) => sql.register_from,
            (false, true) => sql.register_before,
            (true, true) => sql.register_between,
        };
        let status = query.status.map(|m| m.status.as_str());
        let valid_on = query.status.and_then(|m| m.valid_on);
        let lapsed = query.status.and_then(|m| m.or_lapsed);
        let bureau = self.id();
        // A macro, not a closure: each backend builds its own query.
        macro_rules! query {
            () => {{
                let mut q = sqlx::query(text)
                    .bind(bureau)
                    .bind(status)
                    .bind(None::<&str>)
                    .bind(valid_on)
                    .bind(lapsed.map(|(s, _)| s.as_str()))
                    .bind(lapsed.map(|(_, d)| d));
                for bound in [from, before].into_iter().flatten() {
                    q = q.bind(bound);
                }
                q
            }};
        }
        rows_in_bureau!(self, query!(), register_entry_from_row)
    }

    /// The schedules of the revisions stored in `status`, streamed like the register.
    pub(super) fn schedule_rows<'a>(
        &'a self,
        status: Status,
        language: Language,
    ) -> BoxStream<'a, Result<ScheduleEntry, StorageError>> {
        let sql = self.sql();
        rows_in_bureau!(
            self,
            sqlx::query(sql.schedules)
                .bind(self.id())
                .bind(status.as_str())
                .bind(language.as_str()),
            schedule_entry_from_row
        )
    }
}
