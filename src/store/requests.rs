//! The request flow's storage interface ([`RequestRepository`]) on SQLite and PostgreSQL.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::rows::{request_from_row, to_json};
use super::writes::insert_jobs;
use super::{Store, WritePool};
use crate::outbox::model::NewJob;
use crate::requests::model::QuoteRequest;
use crate::requests::ports::{RequestDecision, RequestQuery, RequestRepository};
use crate::storage::StorageError;

impl RequestRepository for Store {
    async fn create_request(&self, r: &QuoteRequest, jobs: &[NewJob]) -> Result<(), StorageError> {
        let (employer, employee) = (to_json(&r.employer)?, to_json(&r.employee)?);
        let (circumstances, indicative) = (to_json(&r.circumstances)?, to_json(&r.indicative)?);
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            sqlx::query(self.sql().insert_request)
                .bind(self.id())
                .bind(r.id.to_string())
                .bind(&r.reference)
                .bind(r.status.as_str())
                .bind(&r.employer.company_name)
                .bind(&employer)
                .bind(&employee)
                .bind(&circumstances)
                .bind(&indicative)
                .bind(&r.indicative.tier.code)
                .bind(r.indicative.excl_vat.to_string())
                .bind(r.indicative.incl_vat.to_string())
                .bind(r.consent_at)
                .bind(r.created_at)
                .bind(r.updated_at)
                .execute(&mut *tx)
                .await?;
            insert_jobs(self, &mut tx, jobs).await?;
            tx.commit().await?;
        });
        self.jobs_queued(jobs);
        Ok(())
    }

    async fn fetch_request(&self, id: Uuid) -> Result<Option<QuoteRequest>, StorageError> {
        in_bureau!(self, conn => {
            let row = sqlx::query(self.sql().fetch_request)
                .bind(self.id())
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            row.as_ref().map(request_from_row).transpose()
        })
    }

    async fn list_requests(
        &self,
        query: &RequestQuery,
    ) -> Result<(Vec<QuoteRequest>, i64), StorageError> {
        let status = query.status.map(|s| s.as_str());
        in_bureau!(self, conn => {
            let rows = sqlx::query(self.sql().list_requests)
                .bind(self.id())
                .bind(status)
                .bind(query.created_from)
                .bind(query.created_before)
                .bind(query.limit)
                .bind(query.offset)
                .fetch_all(&mut *conn)
                .await?;
            let total: i64 = sqlx::query_scalar(self.sql().count_requests)
                .bind(self.id())
                .bind(status)
                .bind(query.created_from)
                .bind(query.created_before)
                .fetch_one(&mut *conn)
                .await?;
            let items = rows.iter().map(request_from_row).collect::<Result<Vec<_>, _>>()?;
            Ok((items, total))
        })
    }

    async fn decide_request(&self, d: RequestDecision<'_>) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            let affected = sqlx::query(self.sql().decide_request)
                .bind(self.id())
                .bind(d.id.to_string())
                .bind(d.from.as_str())
                .bind(d.to.as_str())
                .bind(d.reason)
                .bind(d.at)
                .bind(d.key_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if affected != 1 {
                return Err(StorageError::Stale);
            }
            insert_jobs(self, &mut tx, &d.jobs).await?;
            tx.commit().await?;
            Ok::<(), StorageError>(())
        })?;
        self.jobs_queued(&d.jobs);
        Ok(())
    }

    async fn delete_request(&self, id: Uuid) -> Result<bool, StorageError> {
        let deleted = in_bureau!(self, conn => {
            let _turn = self.write_turn().await;
            sqlx::query(self.sql().delete_request)
                .bind(self.id())
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(deleted == 1)
    }

    async fn purge_requests(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        let deleted = in_bureau!(self, conn => {
            let _turn = self.write_turn().await;
            sqlx::query(self.sql().purge_requests)
                .bind(self.id())
                .bind(before)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(deleted)
    }
}
