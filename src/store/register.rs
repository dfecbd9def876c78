//! The register: every quote revision matching, streamed as the consumer reads; and the payment
//! schedules of the quotes in one status, the same way.

use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::Store;
use super::rows::{register_entry_from_row, schedule_entry_from_row};
use crate::catalog::Language;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{RegisterEntry, ScheduleEntry};
use crate::quotes::ports::RegisterQuery;
use crate::storage::StorageError;

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
        on_pool!(self, pool => {
            let mut q = sqlx::query(text)
                .bind(status)
                .bind(None::<&str>)
                .bind(valid_on)
                .bind(lapsed.map(|(s, _)| s.as_str()))
                .bind(lapsed.map(|(_, d)| d));
            for bound in [from, before].into_iter().flatten() {
                q = q.bind(bound);
            }
            q.fetch(pool)
                .map(|row| register_entry_from_row(&row?))
                .boxed()
        })
    }

    /// The schedules of the revisions stored in `status`, streamed like the register.
    pub(super) fn schedule_rows<'a>(
        &'a self,
        status: Status,
        language: Language,
    ) -> BoxStream<'a, Result<ScheduleEntry, StorageError>> {
        let sql = self.sql();
        on_pool!(self, pool => {
            sqlx::query(sql.schedules)
                .bind(status.as_str())
                .bind(language.as_str())
                .fetch(pool)
                .map(|row| schedule_entry_from_row(&row?))
                .boxed()
        })
    }
}
