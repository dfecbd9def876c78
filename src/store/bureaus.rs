//! The bureaus' storage interface ([`BureauRepository`]): the operator's table of bureaus, a
//! bureau's keys, and the counts an operator bills by.

use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

use super::error::data;
use super::rows::parse_uuid;
use super::{Scope, Store, WritePool};
use crate::access::Role;
use crate::bureaus::model::{
    Bureau, BureauSettings, BureauStatus, NewBureau, StoredEndpoint, StoredKey, Usage,
};
use crate::bureaus::ports::BureauRepository;
use crate::quotes::lifecycle::Status;
use crate::storage::BureauId;
use crate::storage::StorageError;

/// Runs `$body` (with `$tx`) in a write transaction of the store's bureau that also moves the
/// bureau's revision on (every instance loads the bureau again); the value of `$body`.
macro_rules! touching {
    ($store:expr, $tx:ident => $body:expr) => {
        on_pool!($store, pool => {
            let _turn = $store.write_turn().await;
            let mut $tx = pool.begin_write($store.scope()).await?;
            let value = $body;
            sqlx::query($store.sql().touch_bureau)
                .bind($store.id())
                .execute(&mut *$tx)
                .await?;
            $tx.commit().await?;
            value
        })
    };
}

/// A write of one row that changed none: there is no such row.
fn one_row(affected: u64) -> Result<(), StorageError> {
    if affected == 1 {
        Ok(())
    } else {
        Err(StorageError::NotFound)
    }
}

/// Rows of `bureau_id, COUNT(*)`.
type Counts = Vec<(i64, i64)>;

/// A bureau from its columns.
macro_rules! bureau_from_row {
    ($row:expr) => {{
        let row = $row;
        let status: String = row.try_get("status")?;
        let settings: String = row.try_get("settings")?;
        Ok::<Bureau, StorageError>(Bureau {
            id: BureauId::new(row.try_get("id")?),
            slug: row.try_get("slug")?,
            name: row.try_get("name")?,
            number_prefix: row.try_get("number_prefix")?,
            status: BureauStatus::parse(&status)
                .ok_or_else(|| data(format!("unknown bureau status `{status}`")))?,
            settings: serde_json::from_str::<BureauSettings>(&settings)
                .map_err(|e| data(format!("unreadable bureau settings: {e}")))?,
            revision: row.try_get("revision")?,
            created_at: row.try_get("created_at")?,
            status_changed_at: row.try_get("status_changed_at")?,
        })
    }};
}

impl BureauRepository for Store {
    async fn bureaus(&self) -> Result<Vec<Bureau>, StorageError> {
        in_bureau!(self, conn => {
            let rows = sqlx::query(self.sql().bureaus).fetch_all(&mut *conn).await?;
            rows.iter().map(|row| bureau_from_row!(row)).collect()
        })
    }

    async fn bureau_marks(&self) -> Result<Vec<(BureauId, i64)>, StorageError> {
        let rows: Vec<(i64, i64)> = in_bureau!(self, conn => {
            sqlx::query_as(self.sql().bureau_marks).fetch_all(&mut *conn).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, revision)| (BureauId::new(id), revision))
            .collect())
    }

    async fn create_bureau(
        &self,
        new: &NewBureau,
        at: DateTime<Utc>,
    ) -> Result<Bureau, StorageError> {
        let id: i64 = on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            let id: i64 = sqlx::query_scalar(self.sql().insert_bureau)
                .bind(new.slug.as_str())
                .bind(new.name.as_str())
                .bind(new.number_prefix.as_str())
                .bind(BureauStatus::Active.as_str())
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        });
        self.bureaus()
            .await?
            .into_iter()
            .find(|b| b.id.get() == id)
            .ok_or(StorageError::NotFound)
    }

    async fn set_bureau_status(
        &self,
        id: BureauId,
        status: BureauStatus,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let affected = on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            let affected = sqlx::query(self.sql().set_bureau_status)
                .bind(id.get())
                .bind(status.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            affected
        });
        one_row(affected)
    }

    async fn set_bureau_settings(
        &self,
        id: BureauId,
        settings: &BureauSettings,
    ) -> Result<(), StorageError> {
        let text = serde_json::to_string(settings).map_err(|e| StorageError::Data(e.into()))?;
        let affected = on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            let affected = sqlx::query(self.sql().set_bureau_settings)
                .bind(id.get())
                .bind(text.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            affected
        });
        one_row(affected)
    }

    async fn touch_bureau(&self, id: BureauId) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            sqlx::query(self.sql().touch_bureau)
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn keys(&self) -> Result<Vec<StoredKey>, StorageError> {
        in_bureau!(self, conn => {
            let rows = sqlx::query(self.sql().keys)
                .bind(self.id())
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(|row| {
                    let role: String = row.try_get("role")?;
                    let hash: String = row.try_get("sha256")?;
                    let sha256: [u8; 32] = hex::decode(&hash)
                        .ok()
                        .and_then(|b| b.try_into().ok())
                        .ok_or_else(|| data(format!("a key hash that is not SHA-256: `{hash}`")))?;
                    Ok(StoredKey {
                        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
                        bureau: self.bureau(),
                        role: Role::parse(&role)
                            .ok_or_else(|| data(format!("unknown key role `{role}`")))?,
                        sha256,
                        label: row.try_get("label")?,
                        created_at: row.try_get("created_at")?,
                        created_by: row.try_get("created_by")?,
                        expires_at: row.try_get("expires_at")?,
                        revoked_at: row.try_get("revoked_at")?,
                    })
                })
                .collect()
        })
    }

    async fn insert_key(&self, key: &StoredKey) -> Result<(), StorageError> {
        touching!(self, tx => {
            sqlx::query(self.sql().insert_key)
                .bind(self.id())
                .bind(key.id.to_string())
                .bind(key.role.as_str())
                .bind(hex::encode(key.sha256))
                .bind(key.label.as_deref())
                .bind(key.created_at)
                .bind(key.created_by.as_str())
                .bind(key.expires_at)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    async fn revoke_key(&self, id: Uuid, at: DateTime<Utc>) -> Result<(), StorageError> {
        let affected = touching!(self, tx => {
            sqlx::query(self.sql().revoke_key)
                .bind(self.id())
                .bind(id.to_string())
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        one_row(affected)
    }

    async fn endpoints(&self) -> Result<Vec<StoredEndpoint>, StorageError> {
        in_bureau!(self, conn => {
            let rows = sqlx::query(self.sql().endpoints)
                .bind(self.id())
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(|row| {
                    let list = |name: &'static str| -> Result<Vec<String>, StorageError> {
                        let text: String = row.try_get(name)?;
                        serde_json::from_str(&text)
                            .map_err(|e| data(format!("unreadable endpoint {name}: {e}")))
                    };
                    let disabled_at: Option<DateTime<Utc>> = row.try_get("disabled_at")?;
                    let reason: Option<String> = row.try_get("disabled_reason")?;
                    Ok(StoredEndpoint {
                        id: row.try_get("id")?,
                        url: row.try_get("url")?,
                        secrets: list("secrets")?,
                        events: list("events")?,
                        created_at: row.try_get("created_at")?,
                        rotated_at: row.try_get("rotated_at")?,
                        disabled: disabled_at.map(|at| (at, reason.unwrap_or_default())),
                    })
                })
                .collect()
        })
    }

    async fn insert_endpoint(&self, endpoint: &StoredEndpoint) -> Result<(), StorageError> {
        let secrets =
            serde_json::to_string(&endpoint.secrets).map_err(|e| StorageError::Data(e.into()))?;
        let events =
            serde_json::to_string(&endpoint.events).map_err(|e| StorageError::Data(e.into()))?;
        touching!(self, tx => {
            sqlx::query(self.sql().insert_endpoint)
                .bind(self.id())
                .bind(endpoint.id.as_str())
                .bind(endpoint.url.as_str())
                .bind(secrets.as_str())
                .bind(events.as_str())
                .bind(endpoint.created_at)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    async fn delete_endpoint(&self, id: &str) -> Result<(), StorageError> {
        let affected = touching!(self, tx => {
            sqlx::query(self.sql().delete_endpoint)
                .bind(self.id())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        one_row(affected)
    }

    async fn rotate_endpoint(
        &self,
        id: &str,
        secrets: &[String],
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let secrets = serde_json::to_string(secrets).map_err(|e| StorageError::Data(e.into()))?;
        let affected = touching!(self, tx => {
            sqlx::query(self.sql().rotate_endpoint)
                .bind(self.id())
                .bind(id)
                .bind(secrets.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        one_row(affected)
    }

    fn bureau_tables(&self) -> &'static [&'static str] {
        &super::BUREAU_TABLES
    }

    async fn dump_table(&self, table: &str) -> Result<Vec<serde_json::Value>, StorageError> {
        self.dump_rows(table).await
    }

    async fn erase_bureau(&self) -> Result<(), StorageError> {
        self.erase_all().await
    }

    async fn link_bureau(&self, token_sha256: &str) -> Result<Option<BureauId>, StorageError> {
        let found: Option<i64> = in_bureau!(self, Scope::All, conn => {
            sqlx::query_scalar(self.sql().link_bureau)
                .bind(token_sha256)
                .fetch_optional(&mut *conn)
                .await
        })?;
        Ok(found.map(BureauId::new))
    }

    async fn usage(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<HashMap<BureauId, Usage>, StorageError> {
        let sql = self.sql();
        let (created, sent, accepted, requests): (Counts, Counts, Counts, Counts) = in_bureau!(self, Scope::All, conn => {
            let created = sqlx::query_as(sql.usage_created).bind(from).bind(before)
                .fetch_all(&mut *conn).await?;
            let sent = sqlx::query_as(sql.usage_moved).bind(Status::Sent.as_str()).bind(from)
                .bind(before).fetch_all(&mut *conn).await?;
            let accepted = sqlx::query_as(sql.usage_moved).bind(Status::Accepted.as_str())
                .bind(from).bind(before).fetch_all(&mut *conn).await?;
            let requests = sqlx::query_as(sql.usage_requests).bind(from).bind(before)
                .fetch_all(&mut *conn).await?;
            (created, sent, accepted, requests)
        });
        let mut usage: HashMap<BureauId, Usage> = HashMap::new();
        let mut add = |rows: Counts, set: fn(&mut Usage, i64)| {
            for (bureau, count) in rows {
                set(usage.entry(BureauId::new(bureau)).or_default(), count);
            }
        };
        add(created, |u, n| u.quotes_created = n);
        add(sent, |u, n| u.quotes_sent = n);
        add(accepted, |u, n| u.quotes_accepted = n);
        add(requests, |u, n| u.requests = n);
        Ok(usage)
    }
}
