//! The request flow: price a public request and store it (unless the honeypot was filled),
//! list and read them, turn one into a draft quote, reject one, erase one, forget old ones.
//! Handlers and the CLI call these; storage is reached through [`RequestRepository`].

use chrono::{DateTime, Days, Utc};
use uuid::Uuid;

use super::error::RequestError;
use super::model::{
    Indicative, NewRequestBody, QuoteRequest, RequestReceipt, RequestStatus, new_reference,
};
use super::ports::{RequestDecision, RequestQuery, RequestRepository};
use crate::catalog::{Catalogs, Language};
use crate::clock::{Clock, SystemClock};
use crate::outbox::model::NewJob;
use crate::outbox::webhooks::{EventType, Subject, Webhooks};
use crate::quotes::error::QuoteError;
use crate::quotes::input::QuoteInput;
use crate::quotes::model::{Actor, Quote};
use crate::quotes::ports::{QuoteRepository, RequestLink};
use crate::quotes::service::{self, NewDraft};
use crate::storage::{Constraint, StorageError};
use std::sync::Arc;

/// What happens next, in the request's language.
fn next_steps(language: Language, reference: &str) -> String {
    match language {
        Language::Nl => format!(
            "Dank u wel. Dit is een indicatie, geen offerte. Wij nemen contact met u op; vermeld \
             referentie {reference}."
        ),
        Language::En => format!(
            "Thank you. This is an indication, not a quote. We will contact you; please mention \
             reference {reference}."
        ),
    }
}

/// The webhook jobs of an event about `request` (as it is after the change).
fn request_jobs(
    hooks: &Webhooks,
    event: EventType,
    request: &QuoteRequest,
    at: DateTime<Utc>,
) -> Result<Vec<NewJob>, RequestError> {
    let subject = Subject::request(request.id, request.quote_id);
    hooks
        .jobs(event, &subject, request, at)
        .map_err(|e| RequestError::Quote(QuoteError::Encode(e)))
}

/// How many fresh references a request tries before giving up (a collision among 31^8
/// references is rare; three in a row means something else is wrong).
const REFERENCE_ATTEMPTS: usize = 3;

/// The request operations with what they work with: the store, the catalog, the webhooks,
/// the numbering of the quotes they become, the retention period and the clock.
pub struct RequestService<S> {
    store: S,
    catalogs: Catalogs,
    webhooks: Webhooks,
    /// The prefix of the numbers of quotes made from requests.
    prefix: String,
    /// Days a request not turned into a quote is kept.
    retention_days: u32,
    clock: Arc<dyn Clock>,
}

impl<S> RequestService<S> {
    pub fn new(
        store: S,
        catalogs: impl Into<Catalogs>,
        webhooks: Webhooks,
        prefix: impl Into<String>,
        retention_days: u32,
    ) -> Self {
        RequestService {
            store,
            catalogs: catalogs.into(),
            webhooks,
            prefix: prefix.into(),
            retention_days,
            clock: Arc::new(SystemClock),
        }
    }

    /// Reads the time from `clock` instead of the system's.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

impl<S: RequestRepository> RequestService<S> {
    /// Checks, prices and (unless the hidden `website` field was filled) stores a request, with
    /// its `quote_request.created` event (a honeypot request is neither stored nor announced).
    /// Returns the receipt and, when stored, the record.
    #[tracing::instrument(name = "request.submit", skip_all)]
    pub async fn submit(
        &self,
        body: NewRequestBody,
    ) -> Result<(RequestReceipt, Option<QuoteRequest>), RequestError> {
        self.submit_with(body, new_reference).await
    }

    /// [`submit`] with the source of references given.
    async fn submit_with(
        &self,
        body: NewRequestBody,
        mut references: impl FnMut() -> String,
    ) -> Result<(RequestReceipt, Option<QuoteRequest>), RequestError> {
        let (store, hooks, now) = (&self.store, &self.webhooks, self.clock.now());
        body.check()?;
        let priced = service::price(&self.catalogs.current(), &body.circumstances, now.today)?;
        let indicative = Indicative::of(&priced.computation);
        let language = priced.computation.language;
        let receipt = |reference: &str| RequestReceipt {
            reference: reference.to_string(),
            indicative: true,
            message: next_steps(language, reference),
            result: indicative.clone(),
        };
        if body.is_honeypot() {
            // Answered like any other request, so a bot learns nothing; nothing is kept.
            return Ok((receipt(&references()), None));
        }
        let mut record = QuoteRequest {
            id: Uuid::now_v7(),
            reference: references(),
            status: RequestStatus::New,
            employer: body.employer,
            employee: body.employee,
            circumstances: body.circumstances,
            indicative: indicative.clone(),
            consent_at: now.at,
            created_at: now.at,
            updated_at: now.at,
            quote_id: None,
            decided_at: None,
            decided_by_key: None,
            reason: None,
        };
        for attempt in 1..=REFERENCE_ATTEMPTS {
            let jobs = request_jobs(hooks, EventType::RequestCreated, &record, now.at)?;
            match store.create_request(&record, &jobs).await {
                Ok(()) => break,
                Err(StorageError::Conflict(Constraint::RequestReference))
                    if attempt < REFERENCE_ATTEMPTS =>
                {
                    tracing::warn!(attempt, "quote request reference taken; trying another");
                    record.reference = references();
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok((receipt(&record.reference), Some(record)))
    }

    /// One request.
    #[tracing::instrument(name = "request.get", skip(self))]
    pub async fn get(&self, id: Uuid) -> Result<QuoteRequest, RequestError> {
        get(&self.store, id).await
    }

    /// The requests matching, newest first, and how many match in all.
    #[tracing::instrument(name = "request.list", skip_all)]
    pub async fn list(
        &self,
        query: &RequestQuery,
    ) -> Result<(Vec<QuoteRequest>, i64), RequestError> {
        Ok(self.store.list_requests(query).await?)
    }
}

/// Turns a new request into a draft quote priced today, in one transaction: the quote is stored
/// and the request marked `converted` (naming it) together, or neither. A second conversion,
/// even a concurrent one, finds the request decided and makes no quote.
impl<S: QuoteRepository + RequestRepository> RequestService<S> {
    #[tracing::instrument(name = "request.convert", skip(self, actor))]
    pub async fn convert(
        &self,
        id: Uuid,
        actor: &Actor,
    ) -> Result<(QuoteRequest, Quote), RequestError> {
        let (store, hooks, now, prefix) = (
            &self.store,
            &self.webhooks,
            self.clock.now(),
            self.prefix.as_str(),
        );
        let request = undecided(store, id).await?;
        let quote_id = Uuid::now_v7();
        let converted = QuoteRequest {
            status: RequestStatus::Converted,
            quote_id: Some(quote_id),
            decided_at: Some(now.at),
            decided_by_key: Some(actor.key_id.clone()),
            updated_at: now.at,
            ..request.clone()
        };
        let input = QuoteInput::new(request.employer, request.employee, request.circumstances)?;
        let priced = service::price(&self.catalogs.current(), input.circumstances(), now.today)?;
        let link = RequestLink {
            request_id: id,
            from: RequestStatus::New.as_str(),
            to: RequestStatus::Converted.as_str(),
            note: format!("made from quote request {}", request.reference),
            jobs: request_jobs(hooks, EventType::RequestConverted, &converted, now.at)?,
        };
        let draft = NewDraft {
            id: quote_id,
            priced: &priced,
            input: &input,
            prefix,
            actor,
            now,
            idempotency: None,
            from_request: Some(link),
        };
        let stored = service::store_new(store, hooks, draft).await;
        match stored {
            Ok(quote) => Ok((get(store, id).await?, quote)),
            // Decided by someone else meanwhile: say how.
            Err(QuoteError::Storage(StorageError::Stale)) => {
                Err(match get(store, id).await?.status {
                    RequestStatus::New => RequestError::Storage(StorageError::Stale),
                    decided => RequestError::Decided(decided),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Rejects a new request, optionally with a reason.
    #[tracing::instrument(name = "request.reject", skip(self, reason, actor))]
    pub async fn reject(
        &self,
        id: Uuid,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<QuoteRequest, RequestError> {
        let (store, hooks, now) = (&self.store, &self.webhooks, self.clock.now());
        let request = undecided(store, id).await?;
        let rejected = QuoteRequest {
            status: RequestStatus::Rejected,
            reason: reason.map(str::to_string),
            decided_at: Some(now.at),
            decided_by_key: Some(actor.key_id.clone()),
            updated_at: now.at,
            ..request
        };
        let decision = RequestDecision {
            id,
            from: RequestStatus::New,
            to: RequestStatus::Rejected,
            reason,
            key_id: &actor.key_id,
            at: now.at,
            jobs: request_jobs(hooks, EventType::RequestRejected, &rejected, now.at)?,
        };
        match store.decide_request(decision).await {
            Ok(()) => get(store, id).await,
            Err(StorageError::Stale) => Err(RequestError::Decided(get(store, id).await?.status)),
            Err(e) => Err(e.into()),
        }
    }

    /// Erases one request (on the requester's demand); a quote made from it stays.
    #[tracing::instrument(name = "request.erase", skip(self))]
    pub async fn erase(&self, id: Uuid) -> Result<(), RequestError> {
        if self.store.delete_request(id).await? {
            Ok(())
        } else {
            Err(RequestError::NotFound(id))
        }
    }

    /// Deletes requests not turned into a quote that are older than the retention. Returns how
    /// many.
    #[tracing::instrument(name = "request.purge", skip(self))]
    pub async fn purge(&self) -> Result<u64, StorageError> {
        let cutoff = retention_cutoff(self.clock.now().at, self.retention_days);
        self.store.purge_requests(cutoff).await
    }
}

/// The moment before which unconverted requests are deleted.
pub fn retention_cutoff(now: DateTime<Utc>, retention_days: u32) -> DateTime<Utc> {
    now.checked_sub_days(Days::new(u64::from(retention_days)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

async fn get(store: &impl RequestRepository, id: Uuid) -> Result<QuoteRequest, RequestError> {
    store
        .fetch_request(id)
        .await?
        .ok_or(RequestError::NotFound(id))
}

/// A request that can still be decided, or why not.
async fn undecided(store: &impl RequestRepository, id: Uuid) -> Result<QuoteRequest, RequestError> {
    let request = get(store, id).await?;
    if request.status != RequestStatus::New {
        return Err(RequestError::Decided(request.status));
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use chrono::TimeZone;

    #[test]
    fn the_cutoff_lies_the_retention_before_now() {
        let now = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        assert_eq!(
            retention_cutoff(now, 180),
            Utc.with_ymd_and_hms(2026, 1, 2, 12, 0, 0).unwrap()
        );
        assert_eq!(retention_cutoff(now, 0), now);
    }

    /// A reference that is taken is replaced by a fresh one: the request is stored, and the
    /// receipt names the reference it was stored under.
    #[tokio::test]
    async fn a_taken_reference_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let store = Store::connect(&url).await.unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let catalogs = crate::catalog::CatalogSet::load_dir(&root.join("pricing")).unwrap();
        let body = || -> NewRequestBody {
            serde_json::from_value(serde_json::json!({
                "employer": {"company_name": "Bakkerij B.V.", "contact_person": "J. de Vries",
                             "email": "hr@bakkerij.example"},
                "employee": {"reference": "PV-1"},
                "circumstances": {"first_sick_day": "2026-01-05", "readiness": "ready_with_support"},
                "consent": true
            }))
            .unwrap()
        };
        let service =
            RequestService::new(store, Arc::new(catalogs), Webhooks::default(), "OFF", 180);
        let fixed = || "AV-TAKEN234".to_string();
        let (first, _) = service.submit_with(body(), fixed).await.unwrap();
        assert_eq!(first.reference, "AV-TAKEN234");

        let mut offered = vec!["AV-FRESH567".to_string(), "AV-TAKEN234".to_string()];
        let (second, stored) = service
            .submit_with(body(), || offered.pop().unwrap())
            .await
            .unwrap();
        assert_eq!(second.reference, "AV-FRESH567");
        assert!(second.message.contains("AV-FRESH567"));
        assert_eq!(stored.unwrap().reference, "AV-FRESH567");

        // Always taken: a clear error after a few tries, nothing stored twice.
        let error = service.submit_with(body(), fixed).await.unwrap_err();
        assert!(
            matches!(
                error,
                RequestError::Storage(StorageError::Conflict(Constraint::RequestReference))
            ),
            "{error:?}"
        );
    }
}
