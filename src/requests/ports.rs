//! What the request flow needs from a database. As for quotes (`quotes::ports`), the domain
//! decides and storage applies: a decision names the status the domain found, and lands only if
//! the request still has it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{QuoteRequest, RequestStatus};
use crate::outbox::model::NewJob;
use crate::storage::StorageError;

/// Which requests a list holds.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub status: Option<RequestStatus>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

/// A decided move of a request that makes no quote (a rejection).
pub struct RequestDecision<'a> {
    pub id: Uuid,
    pub from: RequestStatus,
    pub to: RequestStatus,
    pub reason: Option<&'a str>,
    pub key_id: &'a str,
    pub at: DateTime<Utc>,
    /// What the decision sends (its webhook events), queued in its transaction.
    pub jobs: Vec<NewJob>,
}

#[expect(
    async_fn_in_trait,
    reason = "the ports are implemented and called inside this crate only, by concrete types whose futures are Send"
)]
pub trait RequestRepository {
    /// Stores a new request and queues the jobs it sends, in one transaction.
    async fn create_request(
        &self,
        request: &QuoteRequest,
        jobs: &[NewJob],
    ) -> Result<(), StorageError>;
    async fn fetch_request(&self, id: Uuid) -> Result<Option<QuoteRequest>, StorageError>;
    /// The requests matching, newest first, and how many match in all.
    async fn list_requests(
        &self,
        query: &RequestQuery,
    ) -> Result<(Vec<QuoteRequest>, i64), StorageError>;
    async fn decide_request(&self, decision: RequestDecision<'_>) -> Result<(), StorageError>;
    /// Erases one request; whether it existed.
    async fn delete_request(&self, id: Uuid) -> Result<bool, StorageError>;
    /// Deletes every request that made no quote and was received before `before`; how many.
    async fn purge_requests(&self, before: DateTime<Utc>) -> Result<u64, StorageError>;
}
