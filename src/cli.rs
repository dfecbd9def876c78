//! The `offerte` command line.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::api::auth::Role;
use crate::app::Application;
use crate::catalog::{CatalogError, CatalogSet};
use crate::config::{Overrides, Settings};
use crate::documents::{Format, Renderer, view};
use crate::exports::pricing::Part;
use crate::exports::register::{Register, RegisterFilter};
use crate::exports::{Dialect, ExportFormat, write};
use crate::pricing::{self, Circumstances, Computation};
use crate::quotes::lifecycle::Status;
use crate::quotes::service as quote_service;
use crate::quotes::service::Now;
use crate::store::Store;
use crate::telemetry;
use chrono::NaiveDate;
use std::collections::BTreeMap;

#[derive(Debug, Parser)]
#[command(
    name = "offerte",
    version,
    about = "Prices and quotes tweede-spoor re-integration trajectories"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Price a case without a server: reads the circumstances JSON, prints the computation.
    Quote(QuoteArgs),
    /// Work with the catalog files.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Start the HTTP server (the default when no command is given).
    Serve(ServeArgs),
    /// Print the OpenAPI document.
    Openapi,
    /// Manage API keys.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Delete quote requests not turned into a quote that are older than the retention
    /// (`request_retention_days`, default 180); the running server's sweep does the same.
    Purge(PurgeArgs),
    /// Finance exports to a file: the pricing table or the quote register.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Debug, Default, clap::Args)]
pub struct PurgeArgs {
    /// Database URL, `sqlite://...` or `postgres://...` (overrides DATABASE_URL).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Keep requests this many days instead of the configured retention.
    #[arg(long)]
    pub retention_days: Option<u32>,
    /// A config file (default: offerte.toml in the working folder, when present).
    #[arg(long, env = "OFFERTE_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The pricing table of a catalog version (tiers, variations, item price list).
    Pricing(PricingExportArgs),
    /// The quote register from the database (every revision, every status unless filtered).
    Quotes(QuotesExportArgs),
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
    /// tiers, variations or items: the table of a CSV (default tiers); XLSX and JSON hold every
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

/// Parses a value by its wire name (as in JSON and query strings).
fn wire<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|e| e.to_string())
}

#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides OFFERTE_BIND and the config file).
    #[arg(long)]
    pub bind: Option<String>,
    /// Database URL, `sqlite://...` or `postgres://...` (overrides DATABASE_URL).
    #[arg(long)]
    pub database_url: Option<String>,
    /// The catalog folder (overrides OFFERTE_PRICING_DIR).
    #[arg(long)]
    pub pricing_dir: Option<PathBuf>,
    /// A config file (default: offerte.toml in the working folder, when present).
    #[arg(long, env = "OFFERTE_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Make a fresh random key; prints the key and the entry to configure.
    New {
        /// sales, finance or admin.
        #[arg(long, value_parser = ["sales", "finance", "admin"])]
        role: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct QuoteArgs {
    /// File with the circumstances object; `-` reads standard input.
    #[arg(long, short)]
    pub input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = QuoteFormat::Json)]
    pub format: QuoteFormat,
    /// Write to this file instead of standard output (needed for `pdf`).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The catalog folder.
    #[arg(long, env = "OFFERTE_PRICING_DIR", default_value = "pricing")]
    pub pricing_dir: PathBuf,
    /// The templates folder (for `html` and `pdf`).
    #[arg(long, env = "OFFERTE_TEMPLATES_DIR", default_value = "templates")]
    pub templates_dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QuoteFormat {
    /// The computation as JSON, exactly as the API returns it.
    Json,
    /// A readable summary.
    Text,
    /// The quote document as HTML.
    Html,
    /// The quote document as PDF.
    Pdf,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Validate every catalog file and report each problem with its file and key path.
    Check {
        /// The catalog folder.
        #[arg(env = "OFFERTE_PRICING_DIR", default_value = "pricing")]
        dir: PathBuf,
    },
}

/// Runs a parsed command line; the exit code says how it went (2: the input was refused).
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Quote(args)) => quote(&args),
        Some(Command::Catalog(CatalogCommand::Check { dir })) => check(&dir),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Purge(args)) => purge(args),
        None => serve(ServeArgs::default()),
        Some(Command::Openapi) => {
            print!("{}", crate::api::openapi_json());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export(command)) => export(command),
        Some(Command::ApiKey(ApiKeyCommand::New { role })) => {
            let role = Role::parse(&role).context("unknown role")?;
            let (key, entry) = crate::api::auth::new_key(role);
            println!("key:   {key}");
            println!("entry: {entry}");
            eprintln!(
                "Give the key to its user (it is shown only now). Configure the entry in OFFERTE_API_KEYS \
                 (comma-separated) or in offerte.toml under api_keys."
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(args: ServeArgs) -> Result<ExitCode> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let overrides = Overrides {
        bind: args.bind,
        database_url: args.database_url,
        pricing_dir: args.pricing_dir,
    };
    let (settings, warnings) = Settings::load(args.config.as_deref(), &env, &overrides)?;
    let _guard = telemetry::init(settings.log_format);
    for warning in warnings {
        tracing::warn!("{warning}");
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let app = match Application::build(settings).await {
            Ok(app) => app,
            Err(error) => {
                // The catalog check's messages, or what else stopped the start.
                tracing::error!("cannot start: {error:#}");
                return Ok(ExitCode::FAILURE);
            }
        };
        tracing::info!(port = app.port(), "listening; Swagger UI at /swagger-ui/");
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

fn purge(args: PurgeArgs) -> Result<ExitCode> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let overrides = Overrides {
        database_url: args.database_url,
        ..Overrides::default()
    };
    let (settings, warnings) = Settings::load(args.config.as_deref(), &env, &overrides)?;
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    let days = args
        .retention_days
        .unwrap_or(settings.request_retention_days);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let store = crate::store::Store::connect(&settings.database_url)
            .await
            .context("opening the database")?;
        let now = crate::quotes::service::Now::current();
        let deleted = crate::requests::service::purge(&store, days, now.at).await?;
        println!(
            "deleted {deleted} quote request(s) older than {days} days that were not turned into a quote"
        );
        Ok(ExitCode::SUCCESS)
    })
}

fn export(command: ExportCommand) -> Result<ExitCode> {
    let (options, database_url) = match &command {
        ExportCommand::Pricing(args) => (&args.options, None),
        ExportCommand::Quotes(args) => (&args.options, args.database_url.clone()),
    };
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let overrides = Overrides {
        bind: None,
        database_url,
        pricing_dir: options.pricing_dir.clone(),
    };
    let (settings, _) = Settings::load(options.config.as_deref(), &env, &overrides)?;
    let Some(catalogs) = load_catalog(&settings.pricing_dir)? else {
        return Ok(ExitCode::FAILURE);
    };
    let output = options.output.clone();
    let partial = partial_path(&output);
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    let out = std::io::BufWriter::new(file);
    let result = match command {
        ExportCommand::Pricing(args) => export_pricing(&catalogs, &args, out),
        ExportCommand::Quotes(args) => export_quotes(catalogs, &settings, &args, out),
    };
    match result {
        Ok(Some(message)) => {
            std::fs::rename(&partial, &output).with_context(|| {
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
    let catalog = match (&args.version, args.date) {
        (Some(name), _) => catalogs.version(name),
        (None, date) => {
            catalogs.in_force(date.unwrap_or_else(|| chrono::Local::now().date_naive()))
        }
    };
    let Some(catalog) = catalog else {
        eprintln!("error: no such catalog version (or none in force on that date)");
        return Ok(None);
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
    if let (Some(from), Some(to)) = (args.from, args.to)
        && to < from
    {
        eprintln!("error: --to ({to}) lies before --from ({from})");
        return Ok(None);
    }
    let dialect = args.options.dialect;
    let filter = RegisterFilter {
        from: args.from,
        to: args.to,
        status: args.status,
    };
    let (created_from, created_before) = filter.created_range();
    let query = quote_service::RegisterFilter {
        status: args.status,
        created_from,
        created_before,
    };
    let today = chrono::Local::now().date_naive();
    let properties = filter.properties(&catalogs, dialect.language(), today);
    let job = write::RegisterJob {
        register: Register::new(&catalogs, dialect.language()),
        filter,
        format: args.options.format,
        dialect,
        properties,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let count = runtime.block_on(async {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the database")?;
        let rows = quote_service::register(&store, &query, Now::current().today);
        write::register(rows, job, out).await
    })?;
    Ok(Some(format!("wrote {count} quote(s)")))
}

fn load_catalog(dir: &Path) -> Result<Option<CatalogSet>> {
    match CatalogSet::load_dir(dir) {
        Ok(set) => Ok(Some(set)),
        Err(CatalogError::Invalid(problems)) => {
            for p in problems {
                eprintln!("{p}");
            }
            Ok(None)
        }
        Err(CatalogError::Io(e)) => Err(e),
    }
}

fn check(dir: &Path) -> Result<ExitCode> {
    Ok(match load_catalog(dir)? {
        Some(set) => {
            for c in set.versions() {
                println!(
                    "{}: version {} valid from {}: ok ({} tiers, {} items)",
                    c.file,
                    c.version,
                    c.valid_from,
                    c.tiers.len(),
                    c.items.len()
                );
            }
            ExitCode::SUCCESS
        }
        None => ExitCode::FAILURE,
    })
}

fn quote(args: &QuoteArgs) -> Result<ExitCode> {
    let bytes = if args.input.as_os_str() == "-" {
        let mut buffer = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buffer)
            .context("reading the circumstances from standard input")?;
        buffer
    } else {
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?
    };
    let Some(catalogs) = load_catalog(&args.pricing_dir)? else {
        return Ok(ExitCode::FAILURE);
    };
    let today = chrono::Local::now().date_naive();
    let computed = Circumstances::from_json(&bytes)
        .and_then(|input| pricing::compute(&catalogs, &input, today));
    match computed {
        Ok(computation) => {
            let bytes = match args.format {
                QuoteFormat::Json => {
                    format!("{}\n", serde_json::to_string_pretty(&computation)?).into_bytes()
                }
                QuoteFormat::Text => summary(&computation).into_bytes(),
                QuoteFormat::Html | QuoteFormat::Pdf => {
                    let renderer = Renderer::load(&args.templates_dir)?;
                    let bureau = &catalogs
                        .version(&computation.catalog.version)
                        .context("the computation's catalog version")?
                        .bureau;
                    let document = view::build(
                        &computation,
                        None,
                        bureau,
                        renderer.labels(computation.language),
                    );
                    let format = if args.format == QuoteFormat::Pdf {
                        Format::Pdf
                    } else {
                        Format::Html
                    };
                    renderer.render(&document, format, computation.quote_date)?
                }
            };
            match &args.output {
                Some(path) => std::fs::write(path, &bytes)
                    .with_context(|| format!("writing {}", path.display()))?,
                None if args.format == QuoteFormat::Pdf => {
                    anyhow::bail!("give --output FILE for a PDF")
                }
                None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
            }
            for w in &computation.warnings {
                eprintln!("warning: {}", w.message);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            for e in &error.errors {
                let field = if e.field.is_empty() {
                    "input"
                } else {
                    &e.field
                };
                eprintln!("error: {field}: {} ({})", e.message, e.code);
            }
            Ok(ExitCode::from(2))
        }
    }
}

/// A plain-text summary of a computation for the terminal.
pub fn summary(c: &Computation) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let t = &c.tier;
    let _ = writeln!(
        out,
        "{} ({}), {} months, {} to {}",
        t.name, t.code, t.months, t.starts_on, t.ends_on
    );
    let _ = writeln!(
        out,
        "catalog {} ({}), quote date {}",
        c.catalog.version,
        &c.catalog.hash[..12],
        c.quote_date
    );
    let _ = writeln!(out);
    for l in &c.lines {
        let _ = writeln!(
            out,
            "  {:<44} {:>6} {:<8} x {:>9}  {:>3}%  {:>10}",
            l.name,
            l.quantity.to_string(),
            l.unit.as_str(),
            l.unit_price.to_string(),
            l.vat_rate.to_string(),
            l.amount.to_string()
        );
    }
    let _ = writeln!(
        out,
        "  {:<82} {:>10}",
        "excl. VAT",
        c.totals.excl_vat.to_string()
    );
    for v in &c.totals.vat_breakdown {
        let _ = writeln!(
            out,
            "  {:<82} {:>10}",
            format!("VAT {}% on {}", v.rate, v.base),
            v.vat.to_string()
        );
    }
    let _ = writeln!(
        out,
        "  {:<82} {:>10}",
        "incl. VAT",
        c.totals.incl_vat.to_string()
    );
    let _ = writeln!(out, "\nalternatives:");
    for a in &c.alternatives {
        let mark = if a.selected { "*" } else { " " };
        let _ = writeln!(
            out,
            " {mark} {:<44} {:>3} months  {:>10} excl.  {:>10} incl.",
            a.name,
            a.months,
            a.excl_vat.to_string(),
            a.incl_vat.to_string()
        );
    }
    let _ = writeln!(out, "\nwhy:");
    for e in &c.explanation {
        let _ = writeln!(out, "  - {}", e.message);
    }
    let _ = writeln!(
        out,
        "\nclock: first sick day {}, start in week {}, waiting period ends {}",
        c.timeline.first_sick_day, c.timeline.start_week, c.timeline.waiting_period_end
    );
    out
}
