//! The outbox's storage interface ([`OutboxRepository`]) on SQLite and PostgreSQL.

use super::Scope;
use super::statements::{FINISH_JOBS, INSERT_ATTEMPTS, MAX_ROWS};
use crate::storage::BureauId;
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Decode, Row, Type};
use std::collections::HashMap;
use uuid::Uuid;

use super::error::data;
use super::rows::parse_uuid;
use super::{Store, WritePool};
use crate::outbox::model::{
    ClaimedJob, Delivery, DeliveryAttempt, DeliveryFilter, FORGOTTEN_RECIPIENT, Finished, JobInfo,
    JobKind, JobStatus, Outcome, QueueStats, WebhookDelivery,
};
use crate::outbox::ports::OutboxRepository;
use crate::outbox::webhooks::{EventType, webhook_id};
use crate::storage::StorageError;

fn kind(text: &str) -> Result<JobKind, StorageError> {
    JobKind::parse(text).ok_or_else(|| data(format!("unknown job kind `{text}`")))
}

fn status(text: &str) -> Result<JobStatus, StorageError> {
    JobStatus::parse(text).ok_or_else(|| data(format!("unknown job status `{text}`")))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A row of `webhook_job_select!` (without its attempts).
fn webhook_job_from_row<'r, R>(row: &'r R) -> Result<WebhookDelivery, StorageError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let id = parse_uuid(&row.try_get::<String, _>("id")?)?;
    let topic: String = row.try_get("topic")?;
    let job_status = status(&row.try_get::<String, _>("status")?)?;
    Ok(WebhookDelivery {
        id,
        webhook_id: webhook_id(id),
        event: EventType::parse(&topic)
            .ok_or_else(|| data(format!("unknown webhook event `{topic}`")))?,
        endpoint: row.try_get("recipient")?,
        endpoint_disabled: row.try_get("endpoint_disabled")?,
        quote_id: row
            .try_get::<Option<String>, _>("quote_id")?
            .as_deref()
            .map(parse_uuid)
            .transpose()?,
        status: job_status,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        next_attempt_at: (job_status == JobStatus::Queued)
            .then(|| row.try_get("next_attempt_at"))
            .transpose()?,
        done_at: row.try_get("done_at")?,
        attempts: Vec::new(),
    })
}

/// A row of `outbox_attempts`, with the job it belongs to.
fn attempt_from_row<'r, R>(row: &'r R) -> Result<(Uuid, DeliveryAttempt), StorageError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    i32: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let status_code: Option<i32> = row.try_get("status_code")?;
    Ok((
        parse_uuid(&row.try_get::<String, _>("job_id")?)?,
        DeliveryAttempt {
            attempt: count(row.try_get("attempt")?),
            at: row.try_get("at")?,
            status_code: status_code.and_then(|c| u16::try_from(c).ok()),
            error: row.try_get("error")?,
        },
    ))
}

/// Puts each attempt under its delivery, in the order read (oldest first).
fn attach(deliveries: &mut [WebhookDelivery], attempts: Vec<(Uuid, DeliveryAttempt)>) {
    let mut by_job: HashMap<Uuid, Vec<DeliveryAttempt>> = HashMap::new();
    for (job, attempt) in attempts {
        by_job.entry(job).or_default().push(attempt);
    }
    for delivery in deliveries {
        delivery.attempts = by_job.remove(&delivery.id).unwrap_or_default();
    }
}

/// What a finished job becomes: its status, last error, next attempt and done time.
struct Ending<'a> {
    status: JobStatus,
    error: Option<&'a str>,
    next: Option<DateTime<Utc>>,
    done: Option<DateTime<Utc>>,
}

fn ending(outcome: &Outcome, now: DateTime<Utc>) -> Ending<'_> {
    let (status, error, next, done) = match outcome {
        Outcome::Sent => (JobStatus::Sent, None, None, Some(now)),
        Outcome::Retry { error, at } => (JobStatus::Queued, Some(error.as_str()), Some(*at), None),
        Outcome::Failed { error } => (JobStatus::Failed, Some(error.as_str()), None, Some(now)),
    };
    Ending {
        status,
        error,
        next,
        done,
    }
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
            let mut tx = pool.begin_write(Scope::All).await?;
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
                    let seq: i64 = row.try_get("seq")?;
                    let job = ClaimedJob {
                        bureau: BureauId::new(row.try_get("bureau_id")?),
                        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
                        kind: kind(&row.try_get::<String, _>("kind")?)?,
                        payload: row.try_get("payload")?,
                        attempts: count(row.try_get("attempts")?),
                        round_attempts: count(row.try_get("round_attempts")?),
                        round_started_at: row.try_get("round_started_at")?,
                    };
                    Ok((seq, job))
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            // RETURNING gives no order: the oldest first, as they were chosen.
            jobs.sort_by_key(|(seq, _)| *seq);
            Ok(jobs.into_iter().map(|(_, job)| job).collect())
        })
    }

    async fn finish_jobs(&self, done: &[Finished], now: DateTime<Utc>) -> Result<(), StorageError> {
        if done.is_empty() {
            return Ok(());
        }
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(Scope::All).await?;
            // Two statements per round (each naming its rows' bureaus), not two per job.
            for jobs in done.chunks(MAX_ROWS) {
                let mut finish = sqlx::query(FINISH_JOBS.text(self.is_sqlite(), jobs.len()));
                for job in jobs {
                    let end = ending(&job.outcome, now);
                    finish = finish
                        .bind(job.bureau.get())
                        .bind(job.id.to_string())
                        .bind(end.status.as_str())
                        .bind(end.error)
                        .bind(end.next)
                        .bind(end.done);
                }
                finish.execute(&mut *tx).await?;
                let mut attempts = sqlx::query(INSERT_ATTEMPTS.text(self.is_sqlite(), jobs.len()));
                for job in jobs {
                    attempts = attempts
                        .bind(job.bureau.get())
                        .bind(job.id.to_string())
                        .bind(i64::from(job.attempt.number))
                        .bind(job.attempt.at)
                        .bind(job.attempt.status_code.map(i32::from))
                        .bind(ending(&job.outcome, now).error);
                }
                attempts.execute(&mut *tx).await?;
            }
            for job in done.iter().filter(|job| job.forget_recipients) {
                sqlx::query(self.sql().forget_recipients)
                    .bind(job.bureau.get())
                    .bind(job.id.to_string())
                    .bind(FORGOTTEN_RECIPIENT)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn deliveries(&self, quote_id: Uuid) -> Result<Vec<Delivery>, StorageError> {
        in_bureau!(self, conn => {
            let rows = sqlx::query(self.sql().deliveries)
                .bind(self.id())
                .bind(quote_id.to_string())
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(|row| {
                    let job_status = status(&row.try_get::<String, _>("status")?)?;
                    Ok(Delivery {
                        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
                        kind: kind(&row.try_get::<String, _>("kind")?)?,
                        topic: row.try_get("topic")?,
                        recipient: row.try_get("recipient")?,
                        status: job_status,
                        attempts: count(row.try_get("attempts")?),
                        last_error: row.try_get("last_error")?,
                        created_at: row.try_get("created_at")?,
                        next_attempt_at: (job_status == JobStatus::Queued)
                            .then(|| row.try_get("next_attempt_at"))
                            .transpose()?,
                        done_at: row.try_get("done_at")?,
                    })
                })
                .collect()
        })
    }

    async fn disabled_endpoints(
        &self,
    ) -> Result<HashMap<String, (DateTime<Utc>, String)>, StorageError> {
        let rows: Vec<(String, DateTime<Utc>, Option<String>)> = in_bureau!(self, conn => {
            sqlx::query_as(self.sql().disabled_endpoints)
                .bind(self.id()).fetch_all(&mut *conn).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, at, reason)| (id, (at, reason.unwrap_or_default())))
            .collect())
    }

    async fn disable_endpoint(
        &self,
        endpoint: &str,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<(), StorageError> {
        in_bureau!(self, conn => {
            let _turn = self.write_turn().await;
            sqlx::query(self.sql().disable_endpoint)
                .bind(self.id())
                .bind(endpoint)
                .bind(at)
                .bind(reason)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    async fn enable_endpoint(&self, endpoint: &str) -> Result<(), StorageError> {
        in_bureau!(self, conn => {
            let _turn = self.write_turn().await;
            sqlx::query(self.sql().enable_endpoint)
                .bind(self.id())
                .bind(endpoint)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    async fn webhook_deliveries(
        &self,
        filter: &DeliveryFilter,
    ) -> Result<(Vec<WebhookDelivery>, i64), StorageError> {
        let webhook = JobKind::Webhook.as_str();
        let job_status = filter.status.map(JobStatus::as_str);
        let event = filter.event.map(EventType::as_str);
        let quote_id = filter.quote_id.map(|id| id.to_string());
        // One snapshot for the jobs and their attempts: a job finished between two statements
        // would show its new attempt with its old status.
        // The page, the count and the page's attempts take the same filters, in the same order.
        macro_rules! filtered {
            ($statement:expr) => {
                $statement
                    .bind(webhook)
                    .bind(job_status)
                    .bind(event)
                    .bind(quote_id.as_deref())
            };
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_read(self.scope()).await?;
            let rows = filtered!(sqlx::query(self.sql().list_webhook_jobs)
                .bind(self.id()))
                .bind(filter.limit)
                .bind(filter.offset)
                .fetch_all(&mut *tx)
                .await?;
            let total: i64 = filtered!(sqlx::query_scalar(self.sql().count_webhook_jobs)
                .bind(self.id()))
                .fetch_one(&mut *tx)
                .await?;
            let attempts = filtered!(sqlx::query(self.sql().webhook_attempts_of_page)
                .bind(self.id()))
                .bind(filter.limit)
                .bind(filter.offset)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            let mut deliveries = rows
                .iter()
                .map(webhook_job_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            let attempts = attempts
                .iter()
                .map(attempt_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            attach(&mut deliveries, attempts);
            Ok((deliveries, total))
        })
    }

    async fn webhook_delivery(&self, id: Uuid) -> Result<Option<WebhookDelivery>, StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_read(self.scope()).await?;
            let Some(row) = sqlx::query(self.sql().webhook_job)
                .bind(self.id())
                .bind(id.to_string())
                .bind(JobKind::Webhook.as_str())
                .fetch_optional(&mut *tx)
                .await?
            else {
                return Ok(None);
            };
            let mut delivery = webhook_job_from_row(&row)?;
            let attempts = sqlx::query(self.sql().attempts_of_job)
                .bind(self.id())
                .bind(id.to_string())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(attempt_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            tx.commit().await?;
            attach(std::slice::from_mut(&mut delivery), attempts);
            Ok(Some(delivery))
        })
    }

    async fn job(&self, id: Uuid) -> Result<Option<JobInfo>, StorageError> {
        let found: Option<(String, Option<String>, String)> = in_bureau!(self, conn => {
            sqlx::query_as(self.sql().job_info)
                .bind(self.id())
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await
        })?;
        found
            .map(|(k, endpoint, s)| {
                Ok(JobInfo {
                    kind: kind(&k)?,
                    endpoint,
                    status: status(&s)?,
                })
            })
            .transpose()
    }

    async fn requeue(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), StorageError> {
        let affected = in_bureau!(self, conn => {
            let _turn = self.write_turn().await;
            sqlx::query(self.sql().requeue_job)
                .bind(self.id())
                .bind(id.to_string())
                .bind(JobStatus::Queued.as_str())
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if affected != 1 {
            return Err(StorageError::NotFound);
        }
        self.writes().jobs_queued.notify_one();
        Ok(())
    }

    async fn queue_stats(&self) -> Result<Vec<QueueStats>, StorageError> {
        let rows: Vec<(String, i64, Option<DateTime<Utc>>)> = in_bureau!(self, Scope::All, conn => {
            sqlx::query_as(self.sql().queue_stats)
                .bind(JobStatus::Queued.as_str())
                .fetch_all(&mut *conn)
                .await
        })?;
        rows.into_iter()
            .map(|(k, queued, oldest)| {
                Ok(QueueStats {
                    kind: kind(&k)?,
                    queued,
                    oldest,
                })
            })
            .collect()
    }
}
