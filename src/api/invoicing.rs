//! `GET /api/v1/exports/invoicing`: what falls due, month by month, from the accepted quotes by
//! their payment schedules, as CSV, XLSX or JSON.

use actix_web::{HttpResponse, get};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::{Auth, FinanceRole};
use super::exports::{ExportFile, export_file};
use super::extract::QueryParams;
use super::problem::ApiError;
use super::responses::{AuthErrors, QueryErrors, ServerErrors};
use crate::exports::invoicing::{self, Invoicing, InvoicingPart, Period};
use crate::exports::{Dialect, ExportFormat, tables};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvoicingQuery {
    /// Instalments due on or after this day; the months start with its month. A year from 2000
    /// to 2099.
    pub from: Option<NaiveDate>,
    /// Instalments due on or before this day; the months end with its month. A year from 2000
    /// to 2099, at most ten years after `from` (120 months).
    pub to: Option<NaiveDate>,
    /// `csv`, `xlsx` or `json` (default `xlsx`).
    #[param(inline)]
    pub format: Option<ExportFormat>,
    /// The table of a CSV: `months` (default) or `instalments`. XLSX has a sheet for each,
    /// JSON both.
    #[param(inline)]
    pub part: Option<InvoicingPart>,
    /// `nl` (default) or `intl`; see the pricing export. Also the language of the instalments'
    /// labels.
    #[param(inline)]
    pub dialect: Option<Dialect>,
}

/// Expected invoicing: per month, what falls due from the accepted quotes.
///
/// Every accepted quote's payment schedule (as quoted), each instalment on its payment date
/// (event + payment term), never before the acceptance plus the term: one due on acceptance,
/// or whose date has passed when the quote was accepted, falls due then. The acceptance day is
/// the UTC day of the decision, as in the quote register. A quote stored before schedules
/// existed counts as one instalment of its whole total, 14 days after its acceptance, marked
/// `assumed`. `months`: one row per month of the period (or from the first to the last due
/// date), empty months included; `instalments`: every instalment behind them, by due date.
#[utoipa::path(
    tag = "exports",
    params(InvoicingQuery),
    responses(
        (status = 200, description = "The expected invoicing; `Content-Disposition` names the file, e.g. facturering-2026-11.xlsx",
         content(
            (ExportFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (ExportFile = "text/csv"),
            (Invoicing = "application/json"),
         ),
         headers(("Content-Disposition" = String, description = "attachment; filename=\"facturering-<period>[-termijnen].<ext>\""))),
        AuthErrors, QueryErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/exports/invoicing")]
pub async fn export_invoicing(
    auth: Auth<FinanceRole>,
    query: QueryParams<InvoicingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let format = q.format.unwrap_or(ExportFormat::Xlsx);
    let dialect = q.dialect.unwrap_or_default();
    let part = q.part.unwrap_or(InvoicingPart::Months);
    let language = dialect.language();

    let period = Period::new(q.from, q.to).map_err(ApiError::Invalid)?;
    let expected = auth.tenant.exports.invoicing(period, language).await?;
    let company = auth.tenant.exports.company();
    let versions = auth.tenant.catalogs().names();
    let file_name = invoicing::file_name(q.from, q.to, format, part);
    export_file(format, move || {
        let mut out = Vec::new();
        tables::write(
            &expected,
            &expected.tables(),
            format,
            dialect,
            part.as_str(),
            &expected.properties(&company, &versions),
            &mut out,
        )?;
        Ok((file_name, out))
    })
    .await
}
