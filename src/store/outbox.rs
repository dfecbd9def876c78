//! The outbox's storage interface ([`OutboxRepository`]) on SQLite and PostgreSQL.

use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::error::data;
use super::rows::parse_uuid;
use super::{Store, WritePool};
use crate::outbox::ports::{OutboxRepository, StorageError};
use crate::outbox::{ClaimedJob, Delivery, JobKind, JobStatus, Outcome};

fn kind(text: &str) -> Result<JobKind, StorageError> {
    JobKind::parse(text).ok_or_else(|| data(format!("unknown job kind `{text}`")))
}

impl OutboxRepository for Store {
    async fn claim_jobs(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedJob>, StorageError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            let rows = sqlx::query(self.sql().claim_jobs)
                .bind(now)
                .bind(lease_until)
                .bind(limit)
                .bind(JobStatus::Queued.as_str())
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            let mut jobs = rows
                .iter()
                .map(|row| {
                    let attempts: i64 = row.try_get("attempts")?;
                    Ok(ClaimedJob {
                        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
                        kind: kind(&row.try_get::<String, _>("kind")?)?,
                        payload: row.try_get("payload")?,
                        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                        created_at: row.try_get("created_at")?,
                    })
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            // RETURNING gives no order: the oldest first, as they were chosen.
            jobs.sort_by_key(|j| j.created_at);
            Ok(jobs)
        })
    }

    async fn finish_job(
        &self,
        id: Uuid,
        outcome: &Outcome,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let (status, error, next, done) = match outcome {
            Outcome::Sent => (JobStatus::Sent, None, None, Some(now)),
            Outcome::Retry { error, at } => {
                (JobStatus::Queued, Some(error.as_str()), Some(*at), None)
            }
            Outcome::Failed { error } => (JobStatus::Failed, Some(error.as_str()), None, Some(now)),
        };
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            sqlx::query(self.sql().finish_job)
                .bind(id.to_string())
                .bind(status.as_str())
                .bind(error)
                .bind(next)
                .bind(done)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    async fn deliveries(&self, quote_id: Uuid) -> Result<Vec<Delivery>, StorageError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(self.sql().deliveries)
                .bind(quote_id.to_string())
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| {
                    let status: String = row.try_get("status")?;
                    let attempts: i64 = row.try_get("attempts")?;
                    Ok(Delivery {
                        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
                        kind: kind(&row.try_get::<String, _>("kind")?)?,
                        topic: row.try_get("topic")?,
                        recipient: row.try_get("recipient")?,
                        status: JobStatus::parse(&status)
                            .ok_or_else(|| data(format!("unknown job status `{status}`")))?,
                        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                        last_error: row.try_get("last_error")?,
                        created_at: row.try_get("created_at")?,
                        next_attempt_at: (status == JobStatus::Queued.as_str())
                            .then(|| row.try_get("next_attempt_at"))
                            .transpose()?,
                        done_at: row.try_get("done_at")?,
                    })
                })
                .collect()
        })
    }
}
