//! What the outbox needs from a database.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ClaimedJob, Delivery, Outcome};
pub use crate::quotes::ports::StorageError;

#[allow(async_fn_in_trait)]
pub trait OutboxRepository {
    /// Leases up to `limit` due jobs until `lease_until` (each attempt counted), oldest first;
    /// jobs leased by another worker whose lease has not run out are left alone.
    async fn claim_jobs(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedJob>, StorageError>;
    /// Records what became of an attempt and ends the lease.
    async fn finish_job(
        &self,
        id: Uuid,
        outcome: &Outcome,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// A quote's deliveries, oldest first.
    async fn deliveries(&self, quote_id: Uuid) -> Result<Vec<Delivery>, StorageError>;
}
