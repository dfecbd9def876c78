//! The archive in the quote database (the default): a table of documents by SHA-256, written
//! in the transaction of the change whose event names them (see [`insert_documents`]).

use chrono::{DateTime, Utc};
use sqlx::{Database, Transaction, Type};

use super::Store;
use super::rows::event_from_row;
use crate::archive::{DocumentArchive, NewDocument};
use crate::quotes::model::Event;
use crate::storage::StorageError;

/// Stores documents inside a change's transaction (the same bytes twice change nothing).
pub(crate) async fn insert_documents<DB>(
    store: &Store,
    tx: &mut Transaction<'static, DB>,
    documents: &[NewDocument],
    at: DateTime<Utc>,
) -> Result<(), StorageError>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + Type<DB>,
{
    for document in documents {
        sqlx::query(store.sql().insert_document)
            .bind(store.id())
            .bind(document.sha256.as_str())
            .bind(document.content_type)
            .bind(i64::try_from(document.bytes.len()).unwrap_or(i64::MAX))
            .bind(document.bytes.as_slice())
            .bind(at)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl DocumentArchive for Store {
    fn in_database(&self) -> bool {
        true
    }

    async fn put(&self, document: &NewDocument) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = super::WritePool::begin_write(pool, self.scope()).await?;
            insert_documents(self, &mut tx, std::slice::from_ref(document), Utc::now()).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(in_bureau!(self, conn => {
            sqlx::query_scalar(self.sql().document)
                .bind(self.id()).bind(sha256).fetch_optional(&mut *conn).await
        })?)
    }

    /// None: a document is written with the event that names it.
    async fn stored_before(&self, _before: DateTime<Utc>) -> Result<Vec<String>, StorageError> {
        Ok(Vec::new())
    }

    async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        in_bureau!(self, conn => {
            let _turn = self.write_turn().await;
            sqlx::query(self.sql().delete_document)
                .bind(self.id()).bind(sha256).execute(&mut *conn).await.map(|_| ())
        })?;
        Ok(())
    }
}

impl Store {
    /// Every event that names the document with this hash, oldest first.
    pub(crate) async fn events_of_document(
        &self,
        sha256: &str,
    ) -> Result<Vec<Event>, StorageError> {
        in_bureau!(self, conn => {
            let rows = sqlx::query(self.sql().events_of_document)
                .bind(self.id())
                .bind(sha256)
                .fetch_all(&mut *conn)
                .await?;
            rows.iter().map(event_from_row).collect()
        })
    }
}
