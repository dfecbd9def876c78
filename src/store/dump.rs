//! A bureau that leaves: every row of every table it owns, as JSON (its export), and all of
//! them erased, with the bureau itself, in one transaction.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Column, Row, TypeInfo, ValueRef};

use super::{Store, WritePool};
use crate::storage::StorageError;

/// The tables a bureau owns, children before parents (the order they are erased in).
pub const BUREAU_TABLES: [&str; 12] = [
    "outbox_attempts",
    "outbox",
    "quote_events",
    "quote_links",
    "quote_requests",
    "quotes",
    "quote_counters",
    "documents",
    "catalog_versions",
    "catalog_assets",
    "webhook_endpoints",
    "api_keys",
];

impl Store {
    /// The statements of [`BUREAU_TABLES`]: the dump and the erase of each.
    fn table_statements(&self) -> [(&'static str, &'static str, &'static str); 12] {
        let s = self.sql();
        [
            (
                "outbox_attempts",
                s.dump_outbox_attempts,
                s.erase_outbox_attempts,
            ),
            ("outbox", s.dump_outbox, s.erase_outbox),
            ("quote_events", s.dump_quote_events, s.erase_quote_events),
            ("quote_links", s.dump_quote_links, s.erase_quote_links),
            (
                "quote_requests",
                s.dump_quote_requests,
                s.erase_quote_requests,
            ),
            ("quotes", s.dump_quotes, s.erase_quotes),
            (
                "quote_counters",
                s.dump_quote_counters,
                s.erase_quote_counters,
            ),
            ("documents", s.dump_documents, s.erase_documents),
            (
                "catalog_versions",
                s.dump_catalog_versions,
                s.erase_catalog_versions,
            ),
            (
                "catalog_assets",
                s.dump_catalog_assets,
                s.erase_catalog_assets,
            ),
            (
                "webhook_endpoints",
                s.dump_webhook_endpoints,
                s.erase_webhook_endpoints,
            ),
            ("api_keys", s.dump_api_keys, s.erase_api_keys),
        ]
    }

    /// Every row of the store's bureau in `table` (one of [`BUREAU_TABLES`]), each column by
    /// its name: text as text, numbers as numbers, amounts as strings, times in RFC 3339, bytes
    /// as `{"base64": …}`.
    pub(super) async fn dump_rows(&self, table: &str) -> Result<Vec<Value>, StorageError> {
        let Some((_, dump, _)) = self.table_statements().into_iter().find(|t| t.0 == table) else {
            return Err(StorageError::NotFound);
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_read(self.scope()).await?;
            let rows = sqlx::query(dump).bind(self.id()).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            rows.iter().map(to_json).collect()
        })
    }

    /// Erases every row of the store's bureau, and the bureau, in one transaction.
    pub(super) async fn erase_all(&self) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            sqlx::query(self.sql().unlink_revisions).bind(self.id()).execute(&mut *tx).await?;
            for (_, _, erase) in self.table_statements() {
                sqlx::query(erase).bind(self.id()).execute(&mut *tx).await?;
            }
            sqlx::query(self.sql().erase_bureau).bind(self.id()).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }
}

trait ToJson {
    fn value(&self, index: usize) -> Result<Value, StorageError>;
}

fn to_json<R: Row + ToJson>(row: &R) -> Result<Value, StorageError> {
    let mut object = Map::new();
    for (index, column) in row.columns().iter().enumerate() {
        object.insert(column.name().to_string(), row.value(index)?);
    }
    Ok(Value::Object(object))
}

impl ToJson for PgRow {
    fn value(&self, i: usize) -> Result<Value, StorageError> {
        if self.try_get_raw(i)?.is_null() {
            return Ok(Value::Null);
        }
        Ok(match self.column(i).type_info().name() {
            "INT8" => json!(self.try_get::<i64, _>(i)?),
            "INT4" => json!(self.try_get::<i32, _>(i)?),
            "BOOL" => json!(self.try_get::<bool, _>(i)?),
            "UUID" => json!(self.try_get::<uuid::Uuid, _>(i)?.to_string()),
            "NUMERIC" => json!(self.try_get::<rust_decimal::Decimal, _>(i)?.to_string()),
            "TIMESTAMPTZ" => json!(self.try_get::<DateTime<Utc>, _>(i)?.to_rfc3339()),
            "DATE" => json!(self.try_get::<NaiveDate, _>(i)?.to_string()),
            "BYTEA" => json!({"base64": STANDARD.encode(self.try_get::<Vec<u8>, _>(i)?)}),
            _ => json!(self.try_get::<String, _>(i)?),
        })
    }
}

impl ToJson for SqliteRow {
    fn value(&self, i: usize) -> Result<Value, StorageError> {
        let raw = self.try_get_raw(i)?;
        if raw.is_null() {
            return Ok(Value::Null);
        }
        let kind = raw.type_info().name().to_string();
        Ok(match kind.as_str() {
            "INTEGER" => json!(self.try_get::<i64, _>(i)?),
            "REAL" => json!(self.try_get::<f64, _>(i)?),
            "BLOB" => json!({"base64": STANDARD.encode(self.try_get::<Vec<u8>, _>(i)?)}),
            _ => json!(self.try_get::<String, _>(i)?),
        })
    }
}
