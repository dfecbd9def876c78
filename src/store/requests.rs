//! Quote requests in storage: the same one-SQL-for-both pattern as the quotes (PostgreSQL
//! dialect, casts stripped for SQLite).

use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Decode, Row, Type};
use uuid::Uuid;

use super::{
    NewEvent, Store, StoreError, WritePool, from_json, insert_events, parse_uuid, to_json,
};
use crate::quotes::lifecycle::Status;
use crate::quotes::model::Actor;
use crate::requests::model::{QuoteRequest, RequestStatus};

const REQUEST_COLUMNS: &str = "id::text AS id, reference, status, employer, employee, circumstances, indicative, \
     consent_at, created_at, updated_at, quote_id::text AS quote_id, decided_at, decided_by_key, reason";

/// Filters of the request list.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// Stores a new request.
    pub async fn create_request(&self, r: &QuoteRequest) -> Result<(), StoreError> {
        let sql = self.sql(
            "INSERT INTO quote_requests (id, reference, status, employer_name, employer, employee, circumstances, \
             indicative, tier_code, excl_vat, incl_vat, consent_at, created_at, updated_at) \
             VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10::numeric, $11::numeric, $12, $13, $14)",
        );
        on_pool!(self, pool => {
            sqlx::query(sql)
                .bind(r.id.to_string())
                .bind(&r.reference)
                .bind(r.status.as_str())
                .bind(&r.employer.company_name)
                .bind(to_json(&r.employer)?)
                .bind(to_json(&r.employee)?)
                .bind(to_json(&r.circumstances)?)
                .bind(to_json(&r.indicative)?)
                .bind(&r.indicative.tier.code)
                .bind(r.indicative.excl_vat.to_string())
                .bind(r.indicative.incl_vat.to_string())
                .bind(r.consent_at)
                .bind(r.created_at)
                .bind(r.updated_at)
                .execute(pool)
                .await
                .map_err(super::map_constraint)?;
        });
        Ok(())
    }

    /// Reads one request.
    pub async fn get_request(&self, id: Uuid) -> Result<Option<QuoteRequest>, StoreError> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM quote_requests WHERE id = $1::uuid");
        on_pool!(self, pool => {
            let row = sqlx::query(self.sql(&sql)).bind(id.to_string()).fetch_optional(pool).await?;
            row.as_ref().map(request_from_row).transpose()
        })
    }

    /// The requests matching the filters, newest first, and the total.
    pub async fn list_requests(
        &self,
        filter: &RequestFilter,
    ) -> Result<(Vec<QuoteRequest>, i64), StoreError> {
        const WHERE: &str = "WHERE ($1::text IS NULL OR status = $1::text) \
             AND ($2::timestamptz IS NULL OR created_at >= $2::timestamptz) \
             AND ($3::timestamptz IS NULL OR created_at < $3::timestamptz)";
        let select = format!(
            "SELECT {REQUEST_COLUMNS} FROM quote_requests {WHERE} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"
        );
        let count = format!("SELECT COUNT(*) FROM quote_requests {WHERE}");
        let (select, count) = (self.sql(&select), self.sql(&count));
        let status = filter.status.map(|s| s.as_str());
        on_pool!(self, pool => {
            let rows = sqlx::query(select)
                .bind(status)
                .bind(filter.created_from)
                .bind(filter.created_before)
                .bind(filter.limit)
                .bind(filter.offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(count)
                .bind(status)
                .bind(filter.created_from)
                .bind(filter.created_before)
                .fetch_one(pool)
                .await?;
            let items = rows.iter().map(request_from_row).collect::<Result<Vec<_>, _>>()?;
            Ok((items, total))
        })
    }

    /// Marks a new request as turned into `quote_id`, and notes the request on the quote's
    /// record (an event). A request that is no longer new is a conflict.
    pub async fn link_request(
        &self,
        id: Uuid,
        quote_id: Uuid,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<QuoteRequest, StoreError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            let row: Option<(String, String)> = sqlx::query_as(self.sql(
                "SELECT status, reference FROM quote_requests WHERE id = $1::uuid FOR UPDATE",
            ))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            let (status, reference) = row.ok_or(StoreError::RequestNotFound(id))?;
            let status = parse_status(&status)?;
            if status != RequestStatus::New {
                return Err(StoreError::RequestDecided(status));
            }
            sqlx::query(self.sql(
                "UPDATE quote_requests SET status = 'converted', quote_id = $2::uuid, decided_at = $3, \
                 decided_by_key = $4, updated_at = $3 WHERE id = $1::uuid",
            ))
            .bind(id.to_string())
            .bind(quote_id.to_string())
            .bind(now)
            .bind(actor.key_id.as_str())
            .execute(&mut *tx)
            .await?;
            let note = format!("made from quote request {reference}");
            let event = NewEvent {
                quote_id,
                from: Some(Status::Draft),
                to: Status::Draft,
                at: now, actor,
                reason: Some(&note),
                document_sha256: None,
            };
            insert_events(self, &mut tx, &[event]).await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.get_request(id)
            .await?
            .ok_or(StoreError::RequestNotFound(id))
    }

    /// Rejects a new request.
    pub async fn reject_request(
        &self,
        id: Uuid,
        reason: Option<&str>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<QuoteRequest, StoreError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            let row: Option<(String,)> = sqlx::query_as(self.sql(
                "SELECT status FROM quote_requests WHERE id = $1::uuid FOR UPDATE",
            ))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            let (status,) = row.ok_or(StoreError::RequestNotFound(id))?;
            let status = parse_status(&status)?;
            if status != RequestStatus::New {
                return Err(StoreError::RequestDecided(status));
            }
            sqlx::query(self.sql(
                "UPDATE quote_requests SET status = 'rejected', reason = $2, decided_at = $3, \
                 decided_by_key = $4, updated_at = $3 WHERE id = $1::uuid",
            ))
            .bind(id.to_string())
            .bind(reason)
            .bind(now)
            .bind(actor.key_id.as_str())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.get_request(id)
            .await?
            .ok_or(StoreError::RequestNotFound(id))
    }

    /// Erases one request (the quote made from it, if any, stays). Returns whether it existed.
    pub async fn delete_request(&self, id: Uuid) -> Result<bool, StoreError> {
        let sql = self.sql("DELETE FROM quote_requests WHERE id = $1::uuid");
        let deleted = on_pool!(self, pool => {
            sqlx::query(sql).bind(id.to_string()).execute(pool).await?.rows_affected()
        });
        Ok(deleted == 1)
    }

    /// Deletes every request not turned into a quote that was made before `before`. Returns how
    /// many.
    pub async fn purge_requests(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let sql = self.sql("DELETE FROM quote_requests WHERE quote_id IS NULL AND created_at < $1");
        let deleted = on_pool!(self, pool => {
            sqlx::query(sql).bind(before).execute(pool).await?.rows_affected()
        });
        Ok(deleted)
    }
}

fn parse_status(text: &str) -> Result<RequestStatus, StoreError> {
    RequestStatus::parse(text)
        .ok_or_else(|| StoreError::Data(anyhow::anyhow!("unknown request status `{text}`")))
}

fn request_from_row<'r, R>(row: &'r R) -> Result<QuoteRequest, StoreError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let text = |name: &'static str| row.try_get::<String, _>(name);
    let optional = |name: &'static str| row.try_get::<Option<String>, _>(name);
    Ok(QuoteRequest {
        id: parse_uuid(&text("id")?)?,
        reference: text("reference")?,
        status: parse_status(&text("status")?)?,
        employer: from_json("employer", &text("employer")?)?,
        employee: from_json("employee", &text("employee")?)?,
        circumstances: from_json("circumstances", &text("circumstances")?)?,
        indicative: from_json("indicative", &text("indicative")?)?,
        consent_at: row.try_get("consent_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        quote_id: optional("quote_id")?
            .as_deref()
            .map(parse_uuid)
            .transpose()?,
        decided_at: row.try_get("decided_at")?,
        decided_by_key: optional("decided_by_key")?,
        reason: optional("reason")?,
    })
}
