//! Making and changing quotes: price with the core, then store. The HTTP handlers (and the
//! public request flow) call these; they hold no pricing or SQL of their own.

use chrono::{DateTime, Datelike, Days, NaiveDate, SubsecRound, Utc};
use uuid::Uuid;

use super::lifecycle::Status;
use super::model::{Actor, Employee, Employer, NewQuoteBody, Quote, QuoteChanges};
use crate::catalog::CatalogSet;
use crate::pricing::{self, Circumstances, Computation, InputError};
use crate::store::{Created, NewQuote, Store, StoreError};

/// Why a quote could not be made or changed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The clock of one operation: the local date and the instant.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub today: NaiveDate,
    pub at: DateTime<Utc>,
}

impl Now {
    pub fn current() -> Now {
        Now {
            today: chrono::Local::now().date_naive(),
            // Microseconds: what PostgreSQL keeps, so a stored time reads back equal.
            at: Utc::now().trunc_subsecs(6),
        }
    }
}

/// A priced case, ready to store.
pub struct Priced {
    /// The circumstances with the start and quote dates made explicit.
    pub circumstances: Circumstances,
    pub computation: Computation,
    /// The same computation in the other language.
    pub translated: Computation,
    pub valid_until: NaiveDate,
}

impl Priced {
    fn new_quote<'a>(
        &'a self,
        id: Uuid,
        employer: &'a Employer,
        employee: &'a Employee,
        actor: &'a Actor,
        now: Now,
    ) -> NewQuote<'a> {
        NewQuote {
            id,
            employer,
            employee,
            circumstances: &self.circumstances,
            computation: &self.computation,
            translated: &self.translated,
            valid_until: self.valid_until,
            now: now.at,
            actor,
        }
    }
}

/// Prices the circumstances (defaults made explicit), in both languages, and works out the
/// validity date.
pub fn price(
    catalogs: &CatalogSet,
    circumstances: &Circumstances,
    today: NaiveDate,
) -> Result<Priced, InputError> {
    let resolved = circumstances.resolved(today);
    let computation =
        pricing::compute(catalogs, &resolved, today).map_err(|e| e.under("circumstances"))?;
    let other = Circumstances {
        language: resolved.language.other(),
        ..resolved.clone()
    };
    let translated =
        pricing::compute(catalogs, &other, today).map_err(|e| e.under("circumstances"))?;
    let days = catalogs
        .version(&computation.catalog.version)
        .map(|c| c.settings.validity_days)
        .unwrap_or(30);
    let valid_until = computation
        .quote_date
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(computation.quote_date);
    Ok(Priced {
        circumstances: resolved,
        computation,
        translated,
        valid_until,
    })
}

/// Creates a draft quote with the next number.
pub async fn create(
    catalogs: &CatalogSet,
    store: &Store,
    prefix: &str,
    body: &NewQuoteBody,
    actor: &Actor,
    now: Now,
    idempotency: Option<(&str, &str)>,
) -> Result<Created, ServiceError> {
    let priced = price(catalogs, &body.circumstances, now.today)?;
    let new = priced.new_quote(Uuid::now_v7(), &body.employer, &body.employee, actor, now);
    Ok(store
        .create_quote(new, prefix, now.today.year(), idempotency)
        .await?)
}

/// Replaces parts of a draft; new circumstances are priced again.
pub async fn update(
    catalogs: &CatalogSet,
    store: &Store,
    id: Uuid,
    changes: &QuoteChanges,
    actor: &Actor,
    now: Now,
) -> Result<Quote, ServiceError> {
    let current = store
        .get(id, now.today, now.at)
        .await?
        .ok_or(StoreError::NotFound(id))?;
    if current.status != Status::Draft {
        return Err(StoreError::NotDraft(current.status).into());
    }
    let priced = match &changes.circumstances {
        Some(c) => price(catalogs, c, now.today)?,
        None => Priced {
            circumstances: current.circumstances.clone(),
            translated: current
                .translated
                .clone()
                .unwrap_or_else(|| current.computation.clone()),
            computation: current.computation.clone(),
            valid_until: current.valid_until,
        },
    };
    let employer = changes.employer.as_ref().unwrap_or(&current.employer);
    let employee = changes.employee.as_ref().unwrap_or(&current.employee);
    Ok(store
        .update_draft(priced.new_quote(id, employer, employee, actor, now))
        .await?)
}

/// Makes a new revision, priced against the catalog in force today.
pub async fn revise(
    catalogs: &CatalogSet,
    store: &Store,
    id: Uuid,
    changes: &QuoteChanges,
    actor: &Actor,
    now: Now,
) -> Result<Quote, ServiceError> {
    let current = store
        .get(id, now.today, now.at)
        .await?
        .ok_or(StoreError::NotFound(id))?;
    if !current.status.can_revise() {
        return Err(StoreError::NotRevisable(current.status).into());
    }
    let circumstances = match &changes.circumstances {
        Some(c) => c.clone(),
        None => Circumstances {
            quote_date: Some(now.today),
            ..current.circumstances.clone()
        },
    };
    let priced = price(catalogs, &circumstances, now.today)?;
    let employer = changes.employer.as_ref().unwrap_or(&current.employer);
    let employee = changes.employee.as_ref().unwrap_or(&current.employee);
    Ok(store
        .revise(
            id,
            priced.new_quote(Uuid::now_v7(), employer, employee, actor, now),
            now.today,
        )
        .await?)
}
