//! Rows into the domain's records, and the JSON columns in and out.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::{ColumnIndex, Decode, Row, Type};
use uuid::Uuid;

use super::error::data;
use crate::pricing::{Instalment, SuccessFee, Totals};
use crate::quotes::consent::{ConsentRecord, ConsentStatus, EmployeeConsent};
use crate::quotes::lifecycle::{Status, display_number};
use crate::quotes::model::{Actor, ActorRole, Event, Quote, RegisterEntry, ScheduleEntry};
use crate::quotes::ports::{Link, LinkPurpose, Stored};
use crate::requests::model::{QuoteRequest, RequestStatus};
use crate::storage::StorageError;

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|e| StorageError::Data(e.into()))
}

pub(crate) fn from_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StorageError> {
    serde_json::from_str(text).map_err(|e| data(format!("column {column}: {e}")))
}

pub(crate) fn parse_uuid(text: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(text).map_err(|e| data(format!("bad id `{text}`: {e}")))
}

pub(crate) fn parse_status(text: &str) -> Result<Status, StorageError> {
    Status::parse(text).ok_or_else(|| data(format!("unknown status `{text}`")))
}

fn parse_role(text: &str) -> Result<ActorRole, StorageError> {
    ActorRole::parse(text).ok_or_else(|| data(format!("unknown role `{text}`")))
}

fn parse_consent(text: &str) -> Result<ConsentStatus, StorageError> {
    ConsentStatus::parse(text).ok_or_else(|| data(format!("unknown consent status `{text}`")))
}

/// A link row.
pub(crate) fn link_from_row<'r, R>(row: &'r R) -> Result<Link, StorageError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let purpose: String = row.try_get("purpose")?;
    Ok(Link {
        quote_id: parse_uuid(&row.try_get::<String, _>("quote_id")?)?,
        purpose: LinkPurpose::parse(&purpose)
            .ok_or_else(|| data(format!("unknown link purpose `{purpose}`")))?,
        expires_at: row.try_get("expires_at")?,
        document_sha256: row.try_get("document_sha256")?,
    })
}

fn parse_request_status(text: &str) -> Result<RequestStatus, StorageError> {
    RequestStatus::parse(text).ok_or_else(|| data(format!("unknown request status `{text}`")))
}

pub(crate) fn quote_from_row<'r, R>(row: &'r R) -> Result<Stored, StorageError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let text = |name: &'static str| row.try_get::<String, _>(name);
    let optional = |name: &'static str| row.try_get::<Option<String>, _>(name);
    let status = text("status")?;
    let number = text("number")?;
    let revision: i64 = row.try_get("revision")?;
    let quote = Quote {
        id: parse_uuid(&text("id")?)?,
        display_number: display_number(&number, revision),
        number,
        revision,
        status: parse_status(&status)?,
        valid_until: row.try_get("valid_until")?,
        employer: from_json("employer", &text("employer")?)?,
        employee: from_json("employee", &text("employee")?)?,
        circumstances: from_json("circumstances", &text("circumstances")?)?,
        computation: from_json("computation", &text("computation")?)?,
        translated: Some(from_json(
            "computation_translated",
            &text("computation_translated")?,
        )?),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        created_by: Actor {
            role: parse_role(&text("created_by_role")?)?,
            key_id: text("created_by_key")?,
        },
        supersedes: optional("supersedes")?
            .as_deref()
            .map(parse_uuid)
            .transpose()?,
        superseded_by: optional("superseded_by")?
            .as_deref()
            .map(parse_uuid)
            .transpose()?,
        decided_at: row.try_get("decided_at")?,
        employee_consent: None,
    };
    let start = quote.computation.tier.starts_on;
    let quote = Quote {
        employee_consent: consent_from_row(row, quote.status, start)?,
        ..quote
    };
    Ok(Stored {
        quote,
        version: row.try_get("version")?,
    })
}

/// The employee's consent of a quote row in `status` whose trajectory starts on `start`, as
/// stored (no day: the services see it on theirs).
fn consent_from_row<'r, R>(
    row: &'r R,
    status: Status,
    start: NaiveDate,
) -> Result<Option<EmployeeConsent>, StorageError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let optional = |name: &'static str| row.try_get::<Option<String>, _>(name);
    let record = ConsentRecord {
        status: optional("employee_consent")?
            .as_deref()
            .map(parse_consent)
            .transpose()?,
        asked_at: row.try_get("employee_consent_asked_at")?,
        at: row.try_get("employee_consent_at")?,
        specification_sha256: optional("employee_consent_sha256")?,
    };
    Ok(EmployeeConsent::shown(
        &record,
        status == Status::Accepted,
        start,
        None,
    ))
}

/// The start of the trajectory of a stored computation.
#[derive(serde::Deserialize)]
struct StoredTier {
    starts_on: NaiveDate,
}

/// The part of a stored computation the register reads.
#[derive(serde::Deserialize)]
struct StoredTotals {
    totals: Totals,
    #[serde(default)]
    success_fee: Option<SuccessFee>,
    tier: StoredTier,
}

/// The part of a stored computation the expected invoicing reads (a quote stored before
/// schedules existed has none: an empty list).
#[derive(serde::Deserialize)]
struct StoredSchedule {
    #[serde(default)]
    payment_schedule: Vec<Instalment>,
    totals: Totals,
    tier: StoredTier,
}

pub(crate) fn register_entry_from_row<'r, R>(row: &'r R) -> Result<RegisterEntry, StorageError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let status = parse_status(&row.try_get::<String, _>("status")?)?;
    let stored: StoredTotals = from_json("computation", &row.try_get::<String, _>("computation")?)?;
    Ok(RegisterEntry {
        number: row.try_get("number")?,
        revision: row.try_get("revision")?,
        created_at: row.try_get("created_at")?,
        status,
        employer: row.try_get("employer_name")?,
        tier: row.try_get("tier_code")?,
        catalog_version: row.try_get("catalog_version")?,
        totals: stored.totals,
        valid_until: row.try_get("valid_until")?,
        decided_at: row.try_get("decided_at")?,
        success_fee: stored.success_fee,
        starts_on: stored.tier.starts_on,
        employee_consent: consent_from_row(row, status, stored.tier.starts_on)?,
    })
}

pub(crate) fn schedule_entry_from_row<'r, R>(row: &'r R) -> Result<ScheduleEntry, StorageError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let stored: StoredSchedule =
        from_json("computation", &row.try_get::<String, _>("computation")?)?;
    let number: String = row.try_get("number")?;
    let status = parse_status(&row.try_get::<String, _>("status")?)?;
    Ok(ScheduleEntry {
        display_number: display_number(&number, row.try_get("revision")?),
        employer: row.try_get("employer_name")?,
        decided_at: row.try_get("decided_at")?,
        updated_at: row.try_get("updated_at")?,
        payment_schedule: stored.payment_schedule,
        totals: stored.totals,
        starts_on: stored.tier.starts_on,
        employee_consent: consent_from_row(row, status, stored.tier.starts_on)?,
    })
}

pub(crate) fn event_from_row<'r, R>(row: &'r R) -> Result<Event, StorageError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(Event {
        id: Some(row.try_get("id")?),
        quote_id: parse_uuid(&row.try_get::<String, _>("quote_id")?)?,
        from: row
            .try_get::<Option<String>, _>("from_status")?
            .as_deref()
            .map(parse_status)
            .transpose()?,
        to: parse_status(&row.try_get::<String, _>("to_status")?)?,
        at: row.try_get("at")?,
        role: parse_role(&row.try_get::<String, _>("role")?)?,
        key_id: row.try_get("key_id")?,
        reason: row.try_get("reason")?,
        document_sha256: row.try_get("document_sha256")?,
        name: row.try_get("name")?,
        evidence: row
            .try_get::<Option<String>, _>("evidence")?
            .as_deref()
            .map(|text| from_json("evidence", text))
            .transpose()?,
    })
}

pub(crate) fn request_from_row<'r, R>(row: &'r R) -> Result<QuoteRequest, StorageError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let text = |name: &'static str| row.try_get::<String, _>(name);
    let optional = |name: &'static str| row.try_get::<Option<String>, _>(name);
    Ok(QuoteRequest {
        id: parse_uuid(&text("id")?)?,
        reference: text("reference")?,
        status: parse_request_status(&text("status")?)?,
        employer: from_json("employer", &text("employer")?)?,
        employee: from_json("employee", &text("employee")?)?,
        circumstances: from_json("circumstances", &text("circumstances")?)?,
        indicative: from_json("indicative", &text("indicative")?)?,
        consent_at: row.try_get("consent_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        quote_id: optional("quote_id")?
            .as_deref()
            .map(parse_uuid)
            .transpose()?,
        decided_at: row.try_get("decided_at")?,
        decided_by_key: optional("decided_by_key")?,
        reason: optional("reason")?,
    })
}
