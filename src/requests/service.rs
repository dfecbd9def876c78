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
    body.check()?;
    let priced = service::price(catalogs, &body.circumstances, now.today)?;
    let indicative = Indicative::of(&priced.computation);
    let reference = new_reference();
    let receipt = RequestReceipt {
        reference: reference.clone(),
        indicative: true,
        message: next_steps(priced.computation.language, &reference),
        result: indicative.clone(),
    };
    if body.is_honeypot() {
        // Answered like any other request, so a bot learns nothing; nothing is kept.
        return Ok((receipt, None));
    }
    let record = QuoteRequest {
        id: Uuid::now_v7(),
        reference,
        status: super::model::RequestStatus::New,
        employer: body.employer,
        employee: body.employee,
        circumstances: body.circumstances,
        indicative,
        consent_at: now.at,
        created_at: now.at,
        updated_at: now.at,
        quote_id: None,
        decided_at: None,
        decided_by_key: None,
        reason: None,
    };
    store.create_request(&record).await?;
    Ok((receipt, Some(record)))
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
}
