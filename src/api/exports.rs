//! Finance exports over HTTP: the pricing table of a catalog version and the quote register,
//! as CSV (dialect `nl` or `intl`), XLSX or JSON, downloaded under a name that says what they
//! hold. The register streams: rows go from the database to the client in chunks.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use futures_util::StreamExt;
use serde::Deserialize;
use std::io::{self, Write};
use std::sync::Arc;
use tokio::sync::mpsc;
use tracing::Instrument;
use utoipa::IntoParams;

use super::auth::{Auth, FinanceRole};
use super::errors::selection_refused;
use super::extract::QueryParams;
use super::problem::ApiError;
use super::responses::{AuthErrors, QueryErrors, ServerErrors};
use crate::catalog::Catalog;
use crate::exports::invoicing::Period;
use crate::exports::pricing::{self, Part, PricingExport};
use crate::exports::register::RegisterExport;
use crate::exports::{Dialect, ExportFormat, write};
use crate::quotes::lifecycle::Status;

/// A file download (CSV or XLSX).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ExportFile(
    #[expect(
        dead_code,
        reason = "only its schema is used: the OpenAPI type of a file download"
    )]
    Vec<u8>,
);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PricingQuery {
    /// `csv`, `xlsx` or `json` (default `xlsx`).
    #[param(inline)]
    pub format: Option<ExportFormat>,
    /// The catalog version in force on this date (default: today).
    pub date: Option<NaiveDate>,
    /// A catalog version by name, e.g. `2024.1` (instead of `date`).
    #[param(max_length = 100, example = "2024.1")]
    pub version: Option<String>,
    /// The part: `tiers`, `variations`, `items` or `success_fees` (the last present with all
    /// parts only when the catalog has a success fee). A CSV holds one part (default `tiers`);
    /// XLSX (one sheet per part) and JSON hold every part unless one is asked for.
    #[param(inline)]
    pub part: Option<Part>,
    /// `nl` (default: `;`, decimal comma, UTF-8 BOM, Dutch headers) or `intl` (RFC 4180 `,`,
    /// decimal point, English headers).
    #[param(inline)]
    pub dialect: Option<Dialect>,
}

/// The pricing table of a catalog version.
///
/// Every tier priced under standard circumstances (one row per line item and a total row per
/// tier), the variations the rules make (light/intensive guidance, training/retraining) and the
/// plain item price list. The standard circumstances are in the JSON (`standard_circumstances`):
/// quote and start date on the version's `valid_from`, first sick day 8 weeks earlier, readiness
/// `ready_with_support`, no schooling, standard intensity.
#[utoipa::path(
    tag = "exports",
    params(PricingQuery),
    responses(
        (status = 200, description = "The export; `Content-Disposition` names the file, e.g. prijstabel-2024-01-01.xlsx",
         content(
            (ExportFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (ExportFile = "text/csv"),
            (PricingExport = "application/json"),
         ),
         headers(("Content-Disposition" = String, description = "attachment; filename=\"prijstabel-<valid_from>[-<part>].<ext>\""))),
        AuthErrors, QueryErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/exports/pricing")]
pub async fn export_pricing(
    auth: Auth<FinanceRole>,
    query: QueryParams<PricingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let catalog: Arc<Catalog> = auth
        .tenant
        .exports
        .pricing_catalog(q.date, q.version.as_deref())
        .map_err(|e| {
            selection_refused(
                if q.version.is_some() {
                    "version"
                } else {
                    "date"
                },
                e,
            )
        })?;
    let format = q.format.unwrap_or(ExportFormat::Xlsx);
    let dialect = q.dialect.unwrap_or_default();
    let parts = match (q.part, format) {
        (Some(part), _) => vec![part],
        (None, ExportFormat::Csv) => vec![Part::Tiers],
        (None, _) => Part::ALL.to_vec(),
    };
    let csv_part = parts[0];
    let suffix = match (q.part, format) {
        (None, _) | (Some(Part::Tiers), ExportFormat::Csv) => String::new(),
        (Some(part), _) => format!(
            "-{}",
            part.title(crate::catalog::Language::Nl).to_lowercase()
        ),
    };
    let file_name = format!(
        "prijstabel-{}{suffix}.{}",
        catalog.valid_from,
        format.extension()
    );
    let catalogs = auth.tenant.catalogs().clone();
    export_file(format, move || {
        let export: PricingExport =
            pricing::build(&catalogs, &catalog, dialect.language(), &parts)?;
        let mut out = Vec::new();
        write::pricing(
            &export,
            format,
            dialect,
            csv_part,
            &catalog.bureau.name,
            &mut out,
        )?;
        Ok((file_name, out))
    })
    .await
}

/// Builds an export off the async workers (it is CPU work) and answers it as an attachment
/// under the file name the build gives.
pub(super) async fn export_file(
    format: ExportFormat,
    build: impl FnOnce() -> anyhow::Result<(String, Vec<u8>)> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let (file_name, bytes) = web::block(build)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("export task: {e}")))??;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(attachment(&file_name))
        .body(bytes))
}

pub(super) fn attachment(file_name: &str) -> (header::HeaderName, String) {
    (
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{file_name}\""),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegisterParams {
    /// Quotes created on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Quotes created on or before this day (UTC).
    pub to: Option<NaiveDate>,
    /// Only quotes in this status (default: every status, drafts and superseded revisions
    /// included).
    pub status: Option<Status>,
    /// `csv`, `xlsx` or `json` (default `xlsx`).
    #[param(inline)]
    pub format: Option<ExportFormat>,
    /// `nl` (default) or `intl`; see the pricing export.
    #[param(inline)]
    pub dialect: Option<Dialect>,
}

/// The quote register: every quote revision with its amounts and BTW per rate.
///
/// One row per revision, by number and revision: number, revision, created, status, employer,
/// tier, catalog version, excl. BTW, base and BTW per rate (every rate of the loaded catalog
/// versions), BTW, incl. BTW, the success fee excl. BTW, its BTW and incl. BTW (empty when the
/// quote has none; contingent, so not in the amounts before it), valid until, accepted/declined
/// date. Every filter is optional.
/// The body streams (chunked): memory does not grow with the number of quotes.
#[utoipa::path(
    tag = "exports",
    params(RegisterParams),
    responses(
        (status = 200, description = "The register; `Content-Disposition` names the file, e.g. offertes-2026-11.csv",
         content(
            (ExportFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (ExportFile = "text/csv"),
            (RegisterExport = "application/json"),
         ),
         headers(("Content-Disposition" = String, description = "attachment; filename=\"offertes-<period>[-<status>].<ext>\""))),
        AuthErrors, QueryErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/exports/quotes")]
pub async fn export_quotes(
    auth: Auth<FinanceRole>,
    query: QueryParams<RegisterParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let period = Period::new(q.from, q.to).map_err(ApiError::Invalid)?;
    let format = q.format.unwrap_or(ExportFormat::Xlsx);
    let dialect = q.dialect.unwrap_or_default();
    let exports = auth.tenant.exports.clone();
    let job = exports.register_job(period, q.status, format, dialect);
    let file_name = format!("{}.{}", job.filter.file_stem(), format.extension());

    let (sender, mut receiver) = mpsc::channel::<io::Result<web::Bytes>>(4);
    let out = ChannelWriter::new(sender.clone());
    actix_web::rt::spawn(
        async move {
            let rows = exports.register_rows(&job);
            match write::register(rows, job, out).await {
                Ok(count) => tracing::info!(rows = count, "quote register exported"),
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "quote register export failed");
                    // Ends the body with an error: the connection is cut, so a broken register
                    // never arrives looking complete.
                    let _ = sender
                        .send(Err(io::Error::other("the export failed")))
                        .await;
                }
            }
        }
        .instrument(tracing::Span::current()),
    );
    // Wait for the first chunk, so a failure before it is still an honest 500.
    let first = match receiver.recv().await {
        Some(Ok(bytes)) => bytes,
        _ => {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "the quote register export failed before its first byte"
            )));
        }
    };
    let rest = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let body = futures_util::stream::once(async move { Ok::<_, io::Error>(first) }).chain(rest);
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(attachment(&file_name))
        .streaming(body))
}

/// Bytes written on the export's blocking thread, handed to the response in chunks of about
/// 64 KiB through a bounded channel (the writer waits while the client is slow).
struct ChannelWriter {
    sender: mpsc::Sender<io::Result<web::Bytes>>,
    buffer: Vec<u8>,
}

const CHUNK: usize = 64 * 1024;

impl ChannelWriter {
    fn new(sender: mpsc::Sender<io::Result<web::Bytes>>) -> ChannelWriter {
        ChannelWriter {
            sender,
            buffer: Vec::with_capacity(CHUNK),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        self.sender
            .blocking_send(Ok(web::Bytes::from(chunk)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            Ok(())
        } else {
            self.send()
        }
    }
}
