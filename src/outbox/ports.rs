//! What the outbox needs from a database.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

use super::model::{
    ClaimedJob, Delivery, DeliveryFilter, Finished, JobInfo, QueueStats, WebhookDelivery,
};
use crate::storage::StorageError;

pub trait OutboxRepository {
    /// Leases up to `limit` due jobs of every bureau until `lease_until` (each attempt
    /// counted), oldest first;
    /// jobs leased by another worker whose lease has not run out are left alone, and so is a
    /// job while an older job with its order key and endpoint is still queued.
    async fn claim_jobs(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedJob>, StorageError>;
    /// Records what became of attempts (and the attempts themselves) and ends their leases, in
    /// one transaction (each in its job's bureau).
    async fn finish_jobs(&self, done: &[Finished], now: DateTime<Utc>) -> Result<(), StorageError>;
    /// A quote's deliveries, oldest first.
    async fn deliveries(&self, quote_id: Uuid) -> Result<Vec<Delivery>, StorageError>;
    /// The disabled endpoints: since when, and why.
    async fn disabled_endpoints(
        &self,
    ) -> Result<HashMap<String, (DateTime<Utc>, String)>, StorageError>;
    async fn disable_endpoint(
        &self,
        endpoint: &str,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<(), StorageError>;
    async fn enable_endpoint(&self, endpoint: &str) -> Result<(), StorageError>;
    /// The webhook deliveries matching, newest first, with their attempts; and how many match.
    async fn webhook_deliveries(
        &self,
        filter: &DeliveryFilter,
    ) -> Result<(Vec<WebhookDelivery>, i64), StorageError>;
    async fn webhook_delivery(&self, id: Uuid) -> Result<Option<WebhookDelivery>, StorageError>;
    async fn job(&self, id: Uuid) -> Result<Option<JobInfo>, StorageError>;
    /// Queues a job again, due `now`, its retry schedule starting afresh.
    async fn requeue(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), StorageError>;
    /// The queued jobs per kind.
    async fn queue_stats(&self) -> Result<Vec<QueueStats>, StorageError>;
}
