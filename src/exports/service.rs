//! The finance exports as one service, shared by HTTP and the CLI, so both take the same
//! input the same way: which catalog version a pricing table is of, which period a register
//! or an invoicing covers (checked once, here), and the rows read from the store, each quote
//! in the status it has today.

use chrono::NaiveDate;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::sync::Arc;

use super::invoicing::{self, Invoicing, Period};
use super::register::{Register, RegisterFilter};
use super::write::RegisterJob;
use super::{Dialect, ExportFormat};
use crate::catalog::select::{Selection, SelectionError};
use crate::catalog::{Catalog, Catalogs, Language};
use crate::clock::Clock;
use crate::quotes::lifecycle::{Status, StatusMatch, status_on};
use crate::quotes::model::{RegisterEntry, ScheduleEntry, consent_of_row};
use crate::quotes::ports::{QuoteRepository, RegisterQuery};
use crate::storage::StorageError;

/// The exports with what they read: the quote store, the catalog and the clock.
pub struct ExportService<R> {
    repo: R,
    catalogs: Catalogs,
    clock: Arc<dyn Clock>,
}

impl<R: QuoteRepository> ExportService<R> {
    pub fn new(repo: R, catalogs: impl Into<Catalogs>, clock: Arc<dyn Clock>) -> Self {
        ExportService {
            repo,
            catalogs: catalogs.into(),
            clock,
        }
    }

    /// The catalog version a pricing table is of: by `version`, or the one in force on `date`
    /// (default today); not both.
    pub fn pricing_catalog(
        &self,
        date: Option<NaiveDate>,
        version: Option<&str>,
    ) -> Result<Arc<Catalog>, SelectionError> {
        let selection = Selection::new(date, version, self.clock.now().today)?;
        self.catalogs.current().select(&selection).cloned()
    }

    /// How to write the quote register of a period, of every status or one.
    pub fn register_job(
        &self,
        period: Period,
        status: Option<Status>,
        format: ExportFormat,
        dialect: Dialect,
    ) -> RegisterJob {
        let filter = RegisterFilter {
            from: period.from(),
            to: period.to(),
            status,
        };
        let today = self.clock.now().today;
        let catalogs = self.catalogs.current();
        RegisterJob {
            register: Register::new(&catalogs, dialect.language()),
            properties: filter.properties(&catalogs, dialect.language(), today),
            filter,
            format,
            dialect,
            as_of: today,
        }
    }

    /// The register's rows: every revision in the job's period and status, by number and
    /// revision, each in the status it has on the job's day (a sent quote past its validity is
    /// exported, and filtered, as expired).
    #[tracing::instrument(name = "export.register", skip_all)]
    pub fn register_rows(
        &self,
        job: &RegisterJob,
    ) -> BoxStream<'_, Result<RegisterEntry, StorageError>> {
        let today = job.as_of;
        let (created_from, created_before) = job.filter.created_range();
        let query = RegisterQuery {
            status: job.filter.status.map(|s| StatusMatch::new(s, today)),
            created_from,
            created_before,
        };
        self.repo
            .register(&query)
            .map(move |entry| {
                entry.map(|mut e| {
                    e.status = status_on(e.status, e.valid_until, today);
                    let consent = e.employee_consent.take();
                    e.employee_consent = consent_of_row(consent, e.status, e.starts_on, today);
                    e
                })
            })
            .boxed()
    }

    /// The expected invoicing of the accepted quotes over a period (by month and instalment),
    /// labelled in `language`. `accepted` is final (no move out of it, no revision of it), so
    /// each accepted revision is one order and counts once.
    #[tracing::instrument(name = "export.invoicing", skip(self))]
    pub async fn invoicing(&self, period: Period, language: Language) -> anyhow::Result<Invoicing> {
        let today = self.clock.now().today;
        let schedules: BoxStream<'_, Result<ScheduleEntry, StorageError>> = self
            .repo
            .schedules(Status::Accepted, language)
            .map(move |entry| {
                entry.map(|mut e| {
                    let consent = e.employee_consent.take();
                    e.employee_consent =
                        consent_of_row(consent, Status::Accepted, e.starts_on, today);
                    e
                })
            })
            .boxed();
        invoicing::collect(schedules, period.from(), period.to(), language).await
    }

    /// The bureau's name as the catalog in force today has it (for file properties).
    pub fn company(&self) -> String {
        self.catalogs
            .current()
            .in_force(self.clock.now().today)
            .map(|c| c.bureau.name.clone())
            .unwrap_or_default()
    }
}
