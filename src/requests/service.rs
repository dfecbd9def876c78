//! The request flow: price a public request and store it (unless the honeypot was filled),
//! turn one into a draft quote, reject one, forget old ones. Handlers and the CLI call these.

use chrono::{DateTime, Days, Utc};
use uuid::Uuid;

use super::model::{Indicative, NewRequestBody, QuoteRequest, RequestReceipt, new_reference};
use crate::catalog::{CatalogSet, Language};
use crate::quotes::model::{Actor, NewQuoteBody, Quote};
use crate::quotes::service::{self, Now, ServiceError};
use crate::store::{Store, StoreError};

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

/// Checks, prices and (unless the hidden `website` field was filled) stores a request.
/// Returns the receipt and, when stored, the record.
pub async fn submit(
    catalogs: &CatalogSet,
    store: &Store,
    body: NewRequestBody,
    now: Now,
) -> Result<(RequestReceipt, Option<QuoteRequest>), ServiceError> {
    submit_with(catalogs, store, body, now, new_reference).await
}

/// How many fresh references a request tries before giving up (a collision among 31^8
/// references is rare; three in a row means something else is wrong).
const REFERENCE_ATTEMPTS: usize = 3;

/// [`submit`] with the source of references given.
async fn submit_with(
    catalogs: &CatalogSet,
    store: &Store,
    body: NewRequestBody,
    now: Now,
    mut references: impl FnMut() -> String,
) -> Result<(RequestReceipt, Option<QuoteRequest>), ServiceError> {
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
        status: super::model::RequestStatus::New,
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
        match store.create_request(&record).await {
            Ok(()) => break,
            Err(StoreError::Constraint(name))
                if name == "quote_requests_reference_key" && attempt < REFERENCE_ATTEMPTS =>
            {
                tracing::warn!(attempt, "quote request reference taken; trying another");
                record.reference = references();
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok((receipt(&record.reference), Some(record)))
}

/// Turns a new request into a draft quote priced today, and links both. A second conversion
/// (even a concurrent one) makes no second quote: the create is keyed by the request.
pub async fn convert(
    catalogs: &CatalogSet,
    store: &Store,
    prefix: &str,
    id: Uuid,
    actor: &Actor,
    now: Now,
) -> Result<(QuoteRequest, Quote), ServiceError> {
    let request = store
        .get_request(id)
        .await?
        .ok_or(StoreError::RequestNotFound(id))?;
    if request.status != super::model::RequestStatus::New {
        return Err(StoreError::RequestDecided(request.status).into());
    }
    let body = NewQuoteBody {
        employer: request.employer,
        employee: request.employee,
        circumstances: request.circumstances,
    };
    let key = format!("quote-request:{id}");
    let created = service::create(
        catalogs,
        store,
        prefix,
        &body,
        actor,
        now,
        Some((&key, &key)),
    )
    .await?;
    let request = store
        .link_request(id, created.quote.id, actor, now.at)
        .await?;
    Ok((request, created.quote))
}

/// The moment before which unconverted requests are deleted.
pub fn retention_cutoff(now: DateTime<Utc>, retention_days: u32) -> DateTime<Utc> {
    now.checked_sub_days(Days::new(u64::from(retention_days)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Deletes requests not turned into a quote that are older than the retention. Returns how
/// many.
pub async fn purge(
    store: &Store,
    retention_days: u32,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    store
        .purge_requests(retention_cutoff(now, retention_days))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let (first, _) = submit_with(&catalogs, &store, body(), now, fixed)
            .await
            .unwrap();
        assert_eq!(first.reference, "AV-TAKEN234");

        let mut offered = vec!["AV-FRESH567".to_string(), "AV-TAKEN234".to_string()];
        let (second, stored) =
            submit_with(&catalogs, &store, body(), now, || offered.pop().unwrap())
                .await
                .unwrap();
        assert_eq!(second.reference, "AV-FRESH567");
        assert!(second.message.contains("AV-FRESH567"));
        assert_eq!(stored.unwrap().reference, "AV-FRESH567");

        // Always taken: a clear error after a few tries, nothing stored twice.
        let error = submit_with(&catalogs, &store, body(), now, fixed)
            .await
            .unwrap_err();
        assert!(
            matches!(error, ServiceError::Store(StoreError::Constraint(_))),
            "{error:?}"
        );
    }
}
