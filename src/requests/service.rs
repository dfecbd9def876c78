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
use crate::catalog::{CatalogSet, Language};
use crate::outbox::model::NewJob;
use crate::outbox::webhooks::{EventType, Subject, Webhooks};
use crate::quotes::error::QuoteError;
use crate::quotes::model::{Actor, NewQuoteBody, Quote};
use crate::quotes::ports::{QuoteRepository, RequestLink};
use crate::quotes::service::{self, NewDraft, Now};
use crate::storage::{Constraint, StorageError};

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

/// Checks, prices and (unless the hidden `website` field was filled) stores a request, with
/// its `quote_request.created` event (a honeypot request is neither stored nor announced).
/// Returns the receipt and, when stored, the record.
pub async fn submit(
    catalogs: &CatalogSet,
    store: &impl RequestRepository,
    hooks: &Webhooks,
    body: NewRequestBody,
    now: Now,
) -> Result<(RequestReceipt, Option<QuoteRequest>), RequestError> {
    submit_with(catalogs, store, hooks, body, now, new_reference).await
}

/// How many fresh references a request tries before giving up (a collision among 31^8
/// references is rare; three in a row means something else is wrong).
const REFERENCE_ATTEMPTS: usize = 3;

/// [`submit`] with the source of references given.
async fn submit_with(
    catalogs: &CatalogSet,
    store: &impl RequestRepository,
    hooks: &Webhooks,
    body: NewRequestBody,
    now: Now,
    mut references: impl FnMut() -> String,
) -> Result<(RequestReceipt, Option<QuoteRequest>), RequestError> {
    body.check()?;
    let priced = service::price(catalogs, &body.circumstances, now.today)?;
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
pub async fn get(store: &impl RequestRepository, id: Uuid) -> Result<QuoteRequest, RequestError> {
    store
        .fetch_request(id)
        .await?
        .ok_or(RequestError::NotFound(id))
}

/// The requests matching, newest first, and how many match in all.
pub async fn list(
    store: &impl RequestRepository,
    query: &RequestQuery,
) -> Result<(Vec<QuoteRequest>, i64), RequestError> {
    Ok(store.list_requests(query).await?)
}

/// A request that can still be decided, or why not.
async fn undecided(store: &impl RequestRepository, id: Uuid) -> Result<QuoteRequest, RequestError> {
    let request = get(store, id).await?;
    if request.status != RequestStatus::New {
        return Err(RequestError::Decided(request.status));
    }
    Ok(request)
}

/// Turns a new request into a draft quote priced today, in one transaction: the quote is stored
/// and the request marked `converted` (naming it) together, or neither. A second conversion,
/// even a concurrent one, finds the request decided and makes no quote.
pub async fn convert<S: QuoteRepository + RequestRepository>(
    catalogs: &CatalogSet,
    store: &S,
    hooks: &Webhooks,
    prefix: &str,
    id: Uuid,
    actor: &Actor,
    now: Now,
) -> Result<(QuoteRequest, Quote), RequestError> {
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
    let body = NewQuoteBody {
        employer: request.employer,
        employee: request.employee,
        circumstances: request.circumstances,
    };
    let priced = service::price(catalogs, &body.circumstances, now.today)?;
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
        body: &body,
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
        Err(QuoteError::Storage(StorageError::Stale)) => Err(match get(store, id).await?.status {
            RequestStatus::New => RequestError::Storage(StorageError::Stale),
            decided => RequestError::Decided(decided),
        }),
        Err(e) => Err(e.into()),
    }
}

/// Rejects a new request, optionally with a reason.
pub async fn reject(
    store: &impl RequestRepository,
    hooks: &Webhooks,
    id: Uuid,
    reason: Option<&str>,
    actor: &Actor,
    now: Now,
) -> Result<QuoteRequest, RequestError> {
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
pub async fn erase(store: &impl RequestRepository, id: Uuid) -> Result<(), RequestError> {
    if store.delete_request(id).await? {
        Ok(())
    } else {
        Err(RequestError::NotFound(id))
    }
}

/// The moment before which unconverted requests are deleted.
pub fn retention_cutoff(now: DateTime<Utc>, retention_days: u32) -> DateTime<Utc> {
    now.checked_sub_days(Days::new(u64::from(retention_days)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Deletes requests not turned into a quote that are older than the retention. Returns how
/// many.
pub async fn purge(
    store: &impl RequestRepository,
    retention_days: u32,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    store
        .purge_requests(retention_cutoff(now, retention_days))
        .await
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
        let catalogs = CatalogSet::load_dir(&root.join("pricing")).unwrap();
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
        let now = Now::current();
        let fixed = || "AV-TAKEN234".to_string();
        let (first, _) = submit_with(&catalogs, &store, &Webhooks::default(), body(), now, fixed)
            .await
            .unwrap();
        assert_eq!(first.reference, "AV-TAKEN234");

        let mut offered = vec!["AV-FRESH567".to_string(), "AV-TAKEN234".to_string()];
        let (second, stored) =
            submit_with(&catalogs, &store, &Webhooks::default(), body(), now, || {
                offered.pop().unwrap()
            })
            .await
            .unwrap();
        assert_eq!(second.reference, "AV-FRESH567");
        assert!(second.message.contains("AV-FRESH567"));
        assert_eq!(stored.unwrap().reference, "AV-FRESH567");

        // Always taken: a clear error after a few tries, nothing stored twice.
        let error = submit_with(&catalogs, &store, &Webhooks::default(), body(), now, fixed)
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                RequestError::Storage(StorageError::Conflict(Constraint::RequestReference))
            ),
            "{error:?}"
        );
    }
}
