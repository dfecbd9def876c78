//! The outbox port over the memory store.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

use super::MemoryStore;
use crate::outbox::model::{
    ClaimedJob, Delivery, DeliveryFilter, Finished, JobInfo, JobStatus, QueueStats, WebhookDelivery,
};
use crate::outbox::ports::OutboxRepository;
use crate::storage::StorageError;

/// The outbox as the quote services read it: a quote's deliveries (every job queued, none
/// attempted). The worker's side answers empty.
impl<Q> OutboxRepository for MemoryStore<Q> {
    async fn claim_jobs(
        &self,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
        _: i64,
    ) -> Result<Vec<ClaimedJob>, StorageError> {
        Ok(Vec::new())
    }

    async fn finish_jobs(&self, _: &[Finished], _: DateTime<Utc>) -> Result<(), StorageError> {
        Ok(())
    }

    async fn deliveries(&self, quote_id: Uuid) -> Result<Vec<Delivery>, StorageError> {
        Ok(self.with(|s| {
            let jobs = s.jobs.iter().filter(|j| j.quote_id == Some(quote_id));
            jobs.map(|j| Delivery {
                id: j.id,
                kind: j.kind,
                topic: j.topic.clone(),
                recipient: j.recipient.clone(),
                status: JobStatus::Queued,
                attempts: 0,
                last_error: None,
                created_at: j.created_at,
                next_attempt_at: Some(j.created_at),
                done_at: None,
            })
            .collect()
        }))
    }

    async fn disabled_endpoints(
        &self,
    ) -> Result<HashMap<String, (DateTime<Utc>, String)>, StorageError> {
        Ok(HashMap::new())
    }

    async fn disable_endpoint(
        &self,
        _: &str,
        _: DateTime<Utc>,
        _: &str,
    ) -> Result<(), StorageError> {
        Ok(())
    }

    async fn enable_endpoint(&self, _: &str) -> Result<(), StorageError> {
        Ok(())
    }

    async fn webhook_deliveries(
        &self,
        _: &DeliveryFilter,
    ) -> Result<(Vec<WebhookDelivery>, i64), StorageError> {
        Ok((Vec::new(), 0))
    }

    async fn webhook_delivery(&self, _: Uuid) -> Result<Option<WebhookDelivery>, StorageError> {
        Ok(None)
    }

    async fn job(&self, _: Uuid) -> Result<Option<JobInfo>, StorageError> {
        Ok(None)
    }

    async fn requeue(&self, _: Uuid, _: DateTime<Utc>) -> Result<(), StorageError> {
        Ok(())
    }

    async fn queue_stats(&self) -> Result<Vec<QueueStats>, StorageError> {
        Ok(Vec::new())
    }
}
