//! `offerte export`: the pricing table, the quote register and the expected invoicing to a file.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::Subcommand;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{load_catalog, wire};
use crate::catalog::CatalogSet;
use crate::catalog::select::Selection;
use crate::clock::{Now, SystemClock};
use crate::config::{Overrides, Settings};
use crate::exports::invoicing::InvoicingPart;
use crate::exports::invoicing::Period;
use crate::exports::pricing::Part;
use crate::exports::service::ExportService;
use crate::exports::{Dialect, ExportFormat, tables, write};
use crate::pricing::InputError;
use crate::quotes::lifecycle::Status;
use crate::store::Store;
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The pricing table of a catalog version (tiers, variations, item price list).
    Pricing(PricingExportArgs),
    /// The quote register from the database (every revision, every status unless filtered).
    Quotes(QuotesExportArgs),
    /// The expected invoicing: per month, what falls due from the accepted quotes by their
    /// payment schedules (and every instalment behind it).
    Invoicing(InvoicingExportArgs),
}

/// Options every export takes.
#[derive(Debug, clap::Args)]
pub struct ExportOptions {
    /// csv, xlsx or json.
    #[arg(long, value_parser = wire::<ExportFormat>)]
    pub format: ExportFormat,
    /// nl (`;`, decimal comma, BOM, Dutch) or intl (RFC 4180, decimal point, English).
    #[arg(long, value_parser = wire::<Dialect>, default_value = "nl")]
    pub dialect: Dialect,
    /// The file to write (written beside it first, then renamed: never half a file).
    #[arg(long, short)]
    pub output: PathBuf,
    /// A config file (default: offerte.toml in the working folder, when present).
    #[arg(long, env = "OFFERTE_CONFIG")]
    pub config: Option<PathBuf>,
    /// The catalog folder (overrides OFFERTE_PRICING_DIR).
    #[arg(long)]
    pub pricing_dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct PricingExportArgs {
    #[command(flatten)]
    pub options: ExportOptions,
    /// The catalog version in force on this date (default: today).
    #[arg(long, conflicts_with = "version")]
    pub date: Option<NaiveDate>,
    /// A catalog version by name, e.g. 2024.1.
    #[arg(long)]
    pub version: Option<String>,
    /// tiers, variations, items or success_fees (the last present with all parts only when the
    /// catalog has a success fee): the table of a CSV (default tiers); XLSX and JSON hold every
    /// part unless one is given.
    #[arg(long, value_parser = wire::<Part>)]
    pub part: Option<Part>,
}

#[derive(Debug, clap::Args)]
pub struct QuotesExportArgs {
    #[command(flatten)]
    pub options: ExportOptions,
    /// Quotes created on or after this day (UTC).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Quotes created on or before this day (UTC).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Only quotes in this status.
    #[arg(long, value_parser = wire::<Status>)]
    pub status: Option<Status>,
    /// Database URL, `sqlite://...` or `postgres://...` (overrides DATABASE_URL).
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct InvoicingExportArgs {
    #[command(flatten)]
    pub options: ExportOptions,
    /// Instalments due on or after this day; the months start with its month.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Instalments due on or before this day; the months end with its month.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// months (default) or instalments: the table of a CSV; XLSX and JSON hold both.
    #[arg(long, value_parser = wire::<InvoicingPart>, default_value = "months")]
    pub part: InvoicingPart,
    /// Database URL, `sqlite://...` or `postgres://...` (overrides DATABASE_URL).
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Runs an `offerte export` command.
pub(super) fn export(command: ExportCommand) -> Result<ExitCode> {
    let (options, database_url) = match &command {
        ExportCommand::Pricing(args) => (&args.options, None),
        ExportCommand::Quotes(args) => (&args.options, args.database_url.clone()),
        ExportCommand::Invoicing(args) => (&args.options, args.database_url.clone()),
    };
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let overrides = Overrides {
        bind: None,
        database_url,
        pricing_dir: options.pricing_dir.clone(),
        document_store: None,
    };
    let (settings, _) = Settings::load(options.config.as_deref(), &env, &overrides)?;
    let Some(catalogs) = load_catalog(&settings.pricing_dir)? else {
        return Ok(ExitCode::FAILURE);
    };
    write_beside(&options.output.clone(), |out| match command {
        ExportCommand::Pricing(args) => export_pricing(&catalogs, &args, out),
        ExportCommand::Quotes(args) => export_quotes(catalogs, &settings, &args, out),
        ExportCommand::Invoicing(args) => export_invoicing(catalogs, &settings, &args, out),
    })
}

/// Runs `write` into a file beside `output` and renames it to `output` when `write` says what
/// it wrote; when it refused (`None`, the reason printed: exit code 2) or failed, the partial
/// file is removed, so a failed export leaves no half file.
pub(super) fn write_beside(
    output: &Path,
    write: impl FnOnce(std::io::BufWriter<std::fs::File>) -> Result<Option<String>>,
) -> Result<ExitCode> {
    let partial = partial_path(output);
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    match write(std::io::BufWriter::new(file)) {
        Ok(Some(message)) => {
            std::fs::rename(&partial, output).with_context(|| {
                format!("renaming {} to {}", partial.display(), output.display())
            })?;
            eprintln!("{message} to {}", output.display());
            Ok(ExitCode::SUCCESS)
        }
        Ok(None) => {
            let _ = std::fs::remove_file(&partial);
            Ok(ExitCode::from(2))
        }
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            Err(error)
        }
    }
}

/// `report.csv` → `.report.csv.part` in the same folder (so the rename stays on one disk).
fn partial_path(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    output.with_file_name(format!(".{name}.part"))
}

/// Writes the pricing table; `None` when the request was refused (the reason is printed).
fn export_pricing(
    catalogs: &CatalogSet,
    args: &PricingExportArgs,
    out: impl std::io::Write + Send,
) -> Result<Option<String>> {
    let selected = Selection::new(args.date, args.version.as_deref(), Now::current().today)
        .and_then(|selection| catalogs.select(&selection));
    let catalog = match selected {
        Ok(catalog) => catalog,
        Err(refused) => {
            eprintln!("error: {refused}");
            return Ok(None);
        }
    };
    let format = args.options.format;
    let parts = match (args.part, format) {
        (Some(part), _) => vec![part],
        (None, ExportFormat::Csv) => vec![Part::Tiers],
        (None, _) => Part::ALL.to_vec(),
    };
    let dialect = args.options.dialect;
    let export = crate::exports::pricing::build(catalogs, catalog, dialect.language(), &parts)?;
    write::pricing(
        &export,
        format,
        dialect,
        parts[0],
        &catalog.bureau.name,
        out,
    )?;
    Ok(Some(format!(
        "wrote the pricing table of catalog {} ({})",
        catalog.version,
        parts
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// Writes the quote register from the configured database.
fn export_quotes(
    catalogs: CatalogSet,
    settings: &Settings,
    args: &QuotesExportArgs,
    out: impl std::io::Write + Send + 'static,
) -> Result<Option<String>> {
    let period = match Period::new(args.from, args.to) {
        Ok(period) => period,
        Err(refused) => return Ok(refused_period(&refused)),
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let count = runtime.block_on(async {
        let exports = export_service(catalogs, settings).await?;
        let (format, dialect) = (args.options.format, args.options.dialect);
        let job = exports.register_job(period, args.status, format, dialect);
        let rows = exports.register_rows(&job);
        write::register(rows, job, out).await
    })?;
    Ok(Some(format!("wrote {count} quote(s)")))
}

/// Writes the expected invoicing from the accepted quotes of the configured database.
fn export_invoicing(
    catalogs: CatalogSet,
    settings: &Settings,
    args: &InvoicingExportArgs,
    out: impl std::io::Write + Send,
) -> Result<Option<String>> {
    let period = match Period::new(args.from, args.to) {
        Ok(period) => period,
        Err(refused) => return Ok(refused_period(&refused)),
    };
    let dialect = args.options.dialect;
    let language = dialect.language();
    let names = catalogs.names();
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let (expected, company) = runtime.block_on(async {
        let exports = export_service(catalogs, settings).await?;
        let expected = exports.invoicing(period, language).await?;
        anyhow::Ok((expected, exports.company()))
    })?;
    tables::write(
        &expected,
        &expected.tables(),
        args.options.format,
        dialect,
        args.part.as_str(),
        &expected.properties(&company, &names),
        out,
    )?;
    Ok(Some(format!(
        "wrote {} instalment(s) over {} month(s)",
        expected.instalments.len(),
        expected.months.len()
    )))
}

/// The export service over the configured database.
async fn export_service(catalogs: CatalogSet, settings: &Settings) -> Result<ExportService<Store>> {
    let store = Store::connect(&settings.database_url)
        .await
        .context("opening the database")?;
    Ok(ExportService::new(
        store,
        Arc::new(catalogs),
        Arc::new(SystemClock),
    ))
}

/// Prints why a period was refused, naming the option; `None`: nothing was written.
fn refused_period(refused: &InputError) -> Option<String> {
    for e in &refused.errors {
        eprintln!("error: --{} {}", e.field, e.message);
    }
    None
}
