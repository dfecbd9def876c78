//! Writing an export in its format to any `std::io::Write`: the pricing table at once (it is
//! small), the register from a stream of stored quotes.
//!
//! The register is read asynchronously (a database stream) and written on a blocking thread
//! (CSV, JSON and XLSX writers are synchronous), with a bounded channel between the two: the
//! reader waits when the writer is behind, so memory holds a few hundred rows whatever the
//! register's length. The XLSX writer keeps its rows in a temporary file (constant-memory mode)
//! and zips them into the output at the end.

use anyhow::{Context, Result, bail};
use futures_util::{Stream, StreamExt};
use std::io::Write;
use tokio::sync::mpsc;

use super::csv::CsvTable;
use super::pricing::{Part, PricingExport};
use super::register::{Register, RegisterFilter};
use super::xlsx::{Properties, XlsxBook};
use super::{Dialect, ExportFormat};
use crate::quotes::model::RegisterEntry;

/// Writes the pricing export. A CSV holds one table: `csv_part` (it must be in the export).
pub fn pricing<W: Write + Send>(
    export: &PricingExport,
    format: ExportFormat,
    dialect: Dialect,
    csv_part: Part,
    bureau: &str,
    mut out: W,
) -> Result<()> {
    match format {
        ExportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, export)?;
            out.write_all(b"\n")?;
        }
        ExportFormat::Csv => {
            let (_, sheet, rows) = export
                .tables()
                .into_iter()
                .find(|(part, _, _)| *part == csv_part)
                .with_context(|| format!("the export has no part `{}`", csv_part.as_str()))?;
            let mut table = CsvTable::new(&mut out, dialect, &sheet)?;
            for row in &rows {
                table.row(&row.cells)?;
            }
            table.finish()?;
        }
        ExportFormat::Xlsx => {
            let catalog = &export.catalog;
            let language = export.language;
            let properties = Properties {
                title: format!(
                    "{} {}",
                    super::word(language, "Prijstabel", "Price table"),
                    catalog.version
                ),
                subject: format!(
                    "{} {} ({} {}); {}",
                    super::word(language, "Prijslijst", "Catalog"),
                    catalog.version,
                    super::word(language, "geldig vanaf", "valid from"),
                    catalog.valid_from,
                    super::word(
                        language,
                        "geprijsd onder standaardomstandigheden",
                        "priced under standard circumstances"
                    ),
                ),
                company: bureau.to_string(),
                catalog_version: catalog.version.clone(),
                custom: vec![
                    ("catalog_valid_from".into(), catalog.valid_from.to_string()),
                    ("catalog_sha256".into(), catalog.hash.clone()),
                ],
            };
            let mut book = XlsxBook::new(dialect, &properties);
            for (_, sheet, rows) in export.tables() {
                book.sheet(&sheet)?;
                for row in &rows {
                    book.row(row)?;
                }
            }
            book.finish(&mut out)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Everything the register writer needs besides the rows.
#[derive(Debug, Clone)]
pub struct RegisterJob {
    pub register: Register,
    pub filter: RegisterFilter,
    pub format: ExportFormat,
    pub dialect: Dialect,
    /// XLSX document properties.
    pub properties: Properties,
    /// The day the quotes' statuses are shown as of (a sent quote past its validity then reads
    /// as expired).
    pub as_of: chrono::NaiveDate,
}

/// What the reader hands the writer.
enum Message {
    Row(Box<RegisterEntry>),
    /// Reading failed: the writer must stop without finishing the file.
    Failed,
}

/// Rows in flight between the reader and the writer.
const IN_FLIGHT: usize = 256;

/// Writes the register of `entries` to `out`; returns the number of rows. When reading fails,
/// the output is left unfinished (no closing bracket, no zip directory) and the error returned,
/// so a broken register never looks complete.
pub async fn register<S, E, W>(entries: S, job: RegisterJob, out: W) -> Result<u64>
where
    S: Stream<Item = Result<RegisterEntry, E>>,
    E: Into<anyhow::Error>,
    W: Write + Send + 'static,
{
    let (sender, receiver) = mpsc::channel(IN_FLIGHT);
    let writer = tokio::task::spawn_blocking(move || write_register(receiver, &job, out));
    let mut entries = std::pin::pin!(entries);
    let mut failure = None;
    while let Some(entry) = entries.next().await {
        let message = match entry {
            Ok(entry) => Message::Row(Box::new(entry)),
            Err(e) => {
                failure = Some(e.into());
                Message::Failed
            }
        };
        let failed = matches!(message, Message::Failed);
        // A closed channel: the writer stopped (its error is reported below).
        if sender.send(message).await.is_err() || failed {
            break;
        }
    }
    drop(sender);
    let written = writer.await.context("the export writer panicked")?;
    match failure {
        Some(error) => Err(error.context("reading the quotes")),
        None => written,
    }
}

fn write_register<W: Write + Send>(
    mut receiver: mpsc::Receiver<Message>,
    job: &RegisterJob,
    mut out: W,
) -> Result<u64> {
    let sheet = job.register.sheet();
    let mut count = 0u64;
    let mut next = || match receiver.blocking_recv() {
        Some(Message::Row(entry)) => Ok(Some(job.register.row(*entry))),
        Some(Message::Failed) => bail!("reading the quotes failed"),
        None => Ok(None),
    };
    match job.format {
        ExportFormat::Csv => {
            let mut table = CsvTable::new(&mut out, job.dialect, &sheet)?;
            while let Some(row) = next()? {
                table.row(&row.cells().cells)?;
                count += 1;
            }
            table.finish()?;
        }
        ExportFormat::Json => {
            out.write_all(b"{\"filters\":")?;
            serde_json::to_writer(&mut out, &job.filter)?;
            out.write_all(b",\"language\":")?;
            serde_json::to_writer(&mut out, &job.register.language)?;
            out.write_all(b",\"vat_rates\":")?;
            serde_json::to_writer(&mut out, &job.register.vat_rates)?;
            out.write_all(b",\"rows\":[")?;
            while let Some(row) = next()? {
                out.write_all(if count == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut out, &row)?;
                count += 1;
            }
            out.write_all(b"\n]}\n")?;
        }
        ExportFormat::Xlsx => {
            let mut book = XlsxBook::new(job.dialect, &job.properties);
            book.sheet(&sheet)?;
            while let Some(row) = next()? {
                book.row(&row.cells())?;
                count += 1;
            }
            book.finish(&mut out)?;
        }
    }
    out.flush()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Language;
    use crate::pricing::{Money, Totals, VatLine};
    use crate::quotes::lifecycle::Status;
    use chrono::{TimeZone, Utc};
    use rust_decimal::Decimal;
    use std::sync::{Arc, Mutex};

    /// A writer the test can read after the export thread is done with it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn entry(sequence: u32) -> RegisterEntry {
        let excl = Money::round(Decimal::from(1975));
        let vat = excl.vat_at(Decimal::from(21));
        RegisterEntry {
            number: format!("OFF-2026-{sequence:05}"),
            revision: 1,
            created_at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap(),
            status: Status::Draft,
            employer: "Bakkerij B.V.".into(),
            tier: "m3".into(),
            catalog_version: "2024.1".into(),
            totals: Totals {
                excl_vat: excl,
                vat,
                incl_vat: excl + vat,
                vat_breakdown: vec![VatLine {
                    rate: Decimal::from(21),
                    base: excl,
                    vat,
                    exempt_reason: None,
                }],
            },
            valid_until: "2026-12-02".parse().unwrap(),
            decided_at: None,
            success_fee: None,
            starts_on: "2026-11-02".parse().unwrap(),
            employee_consent: None,
        }
    }

    fn job(format: ExportFormat) -> RegisterJob {
        RegisterJob {
            register: Register {
                language: Language::Nl,
                vat_rates: vec![Decimal::from(21), Decimal::ZERO],
            },
            filter: RegisterFilter::default(),
            format,
            dialect: Dialect::Intl,
            properties: Properties::default(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        }
    }

    #[tokio::test]
    async fn a_complete_register_is_finished() {
        for format in [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Xlsx] {
            let out = Shared::default();
            let entries =
                futures_util::stream::iter((1..=3).map(|i| Ok::<_, std::io::Error>(entry(i))));
            let count = register(entries, job(format), out.clone()).await.unwrap();
            assert_eq!(count, 3);
            let bytes = out.0.lock().unwrap().clone();
            match format {
                ExportFormat::Csv => assert_eq!(
                    String::from_utf8(bytes).unwrap().lines().nth(1),
                    Some(
                        "OFF-2026-00001,1,2026-11-02,draft,Bakkerij B.V.,m3,2024.1,1975.00,1975.00,414.75,0.00,0.00,414.75,2389.75,,,,2026-12-02,,,,,"
                    )
                ),
                ExportFormat::Json => {
                    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    assert_eq!(value["rows"].as_array().unwrap().len(), 3);
                    assert_eq!(value["rows"][2]["number"], "OFF-2026-00003");
                    assert_eq!(value["rows"][0]["vat_by_rate"][1]["base"], "0.00");
                }
                ExportFormat::Xlsx => assert!(bytes.starts_with(b"PK")),
            }
        }
    }

    /// When reading fails half-way, the writer stops: no closing bracket, no zip directory.
    #[tokio::test]
    async fn a_failed_read_leaves_the_output_unfinished() {
        for format in [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Xlsx] {
            let out = Shared::default();
            let entries = futures_util::stream::iter(vec![
                Ok(entry(1)),
                Ok(entry(2)),
                Err(std::io::Error::other("connection reset")),
                Ok(entry(3)),
            ]);
            let error = register(entries, job(format), out.clone())
                .await
                .expect_err("the export fails");
            assert!(
                format!("{error:#}").contains("connection reset"),
                "{error:#}"
            );
            let bytes = out.0.lock().unwrap().clone();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("OFF-2026-00003"),
                "{format:?}: nothing after the failure"
            );
            match format {
                ExportFormat::Json => assert!(!text.ends_with("]}\n"), "{text}"),
                // The XLSX is only zipped at the end: nothing was written at all.
                ExportFormat::Xlsx => assert!(bytes.is_empty()),
                ExportFormat::Csv => {}
            }
        }
    }
}
