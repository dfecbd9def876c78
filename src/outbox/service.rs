//! What admins do with webhook deliveries: list them with their attempts, send one again; and
//! what the metrics read of the queue.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::JobStatus;
use super::ports::OutboxRepository;
use super::webhooks::EventType;
use crate::storage::StorageError;

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When the attempt began.
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status; absent when it did not answer (timeout, no connection).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 503)]
    pub status_code: Option<u16>,
    /// What went wrong; absent for a delivered attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "HTTP 503 Service Unavailable: down for maintenance")]
    pub error: Option<String>,
}

/// One webhook delivery: an event for one endpoint, with every attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: Uuid,
    /// The `webhook-id` header the receiver gets, the same on every attempt.
    #[schema(example = "msg_0193a1b2c3d47e8f9a0b1c2d3e4f5a6b")]
    pub webhook_id: String,
    /// The event type.
    pub event: EventType,
    /// The endpoint's URL (without user, password or query).
    #[schema(example = "https://crm.bureau.example/hooks/offerte")]
    pub endpoint: String,
    /// `true` once the endpoint answered 410 Gone: nothing is sent to it until an admin retries
    /// one of its deliveries.
    pub endpoint_disabled: bool,
    /// The quote the event is about (for `quote_request.converted`: the quote made).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<Uuid>,
    /// `queued` (waiting, or between attempts), `sent` or `failed` (given up).
    pub status: JobStatus,
    /// What went wrong at the last attempt (absent once delivered at the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the event happened (and the delivery was queued).
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (while queued).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was delivered or given up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

/// Which webhook deliveries a list holds.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<JobStatus>,
    pub event: Option<EventType>,
    pub quote_id: Option<Uuid>,
    pub limit: i64,
    pub offset: i64,
}

/// A job as the retry needs it.
#[derive(Debug, Clone)]
pub struct JobInfo {
    pub kind: super::model::JobKind,
    pub endpoint: Option<String>,
    pub status: JobStatus,
}

/// The queue of one kind of job, for the metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStats {
    pub kind: super::model::JobKind,
    pub queued: i64,
    /// When the oldest queued job was queued (or retried by an admin).
    pub oldest: Option<DateTime<Utc>>,
}

/// Why an admin operation on a delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("no webhook delivery with id {0}")]
    NotFound(Uuid),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The webhook deliveries matching, newest first, and how many match in all.
pub async fn list(
    repo: &impl OutboxRepository,
    filter: &DeliveryFilter,
) -> Result<(Vec<WebhookDelivery>, i64), DeliveryError> {
    Ok(repo.webhook_deliveries(filter).await?)
}

/// Queues a webhook delivery again at once, on a fresh retry schedule, whatever its status: a
/// failed one (the receiver is fixed), a sent one (the receiver lost it), or a queued one
/// waiting for a late retry. Its endpoint, if a 410 disabled it, is enabled again: asking
/// for a delivery is asking for the endpoint. The `webhook-id` stays the same.
pub async fn retry(
    repo: &impl OutboxRepository,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<WebhookDelivery, DeliveryError> {
    let job = repo
        .job(id)
        .await?
        .filter(|j| j.kind == super::model::JobKind::Webhook)
        .ok_or(DeliveryError::NotFound(id))?;
    if let Some(endpoint) = &job.endpoint {
        repo.enable_endpoint(endpoint).await?;
    }
    repo.requeue(id, now).await?;
    tracing::info!(job = %id, was = job.status.as_str(), "outbox: webhook delivery queued again by an admin");
    one(repo, id).await
}

/// One webhook delivery.
pub async fn one(repo: &impl OutboxRepository, id: Uuid) -> Result<WebhookDelivery, DeliveryError> {
    repo.webhook_delivery(id)
        .await?
        .ok_or(DeliveryError::NotFound(id))
}

/// The queue per kind of job.
pub async fn queue_stats(repo: &impl OutboxRepository) -> Result<Vec<QueueStats>, StorageError> {
    repo.queue_stats().await
}
