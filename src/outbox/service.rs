//! What admins do with webhook deliveries: list them with their attempts, send one again; and
//! what the metrics read of the queue.

use std::sync::Arc;
use uuid::Uuid;

use super::model::{DeliveryFilter, JobKind, QueueStats, WebhookDelivery};
use super::ports::OutboxRepository;
use crate::clock::Clock;
use crate::storage::StorageError;

/// Why an admin operation on a delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("no webhook delivery with id {0}")]
    NotFound(Uuid),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The outbox operations admins and the metrics use, with the store and the clock.
pub struct OutboxService<R> {
    repo: R,
    clock: Arc<dyn Clock>,
}

impl<R: OutboxRepository> OutboxService<R> {
    pub fn new(repo: R, clock: Arc<dyn Clock>) -> Self {
        OutboxService { repo, clock }
    }

    /// The webhook deliveries matching, newest first, and how many match in all.
    #[tracing::instrument(name = "outbox.list", skip_all)]
    pub async fn list(
        &self,
        filter: &DeliveryFilter,
    ) -> Result<(Vec<WebhookDelivery>, i64), DeliveryError> {
        Ok(self.repo.webhook_deliveries(filter).await?)
    }

    /// Queues a webhook delivery again at once, on a fresh retry schedule, whatever its
    /// status: a failed one (the receiver is fixed), a sent one (the receiver lost it), or a
    /// queued one waiting for a late retry. Its endpoint, if a 410 disabled it, is enabled
    /// again: asking for a delivery is asking for the endpoint. The `webhook-id` stays the same.
    #[tracing::instrument(name = "outbox.retry", skip(self))]
    pub async fn retry(&self, id: Uuid) -> Result<WebhookDelivery, DeliveryError> {
        let repo = &self.repo;
        let job = repo
            .job(id)
            .await?
            .filter(|j| j.kind == JobKind::Webhook)
            .ok_or(DeliveryError::NotFound(id))?;
        if let Some(endpoint) = &job.endpoint {
            repo.enable_endpoint(endpoint).await?;
        }
        repo.requeue(id, self.clock.now().at).await?;
        tracing::info!(job = %id, was = job.status.as_str(), "outbox: webhook delivery queued again by an admin");
        self.one(id).await
    }

    /// One webhook delivery.
    #[tracing::instrument(name = "outbox.one", skip(self))]
    pub async fn one(&self, id: Uuid) -> Result<WebhookDelivery, DeliveryError> {
        self.repo
            .webhook_delivery(id)
            .await?
            .ok_or(DeliveryError::NotFound(id))
    }

    /// The queue per kind of job.
    pub async fn queue_stats(&self) -> Result<Vec<QueueStats>, StorageError> {
        self.repo.queue_stats().await
    }
}
