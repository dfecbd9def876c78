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
use crate::pricing::{self, Circumstances, Computation};
use crate::telemetry;
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
