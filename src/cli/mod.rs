//! The `offerte` command line.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::access::{Role, new_key};
use crate::catalog::{CatalogError, CatalogSet};

mod catalog;
mod export;
mod publish;
mod quote;
mod serve;

pub use catalog::DiffArgs;
use export::export;
pub use export::{
    ExportCommand, ExportOptions, InvoicingExportArgs, PricingExportArgs, QuotesExportArgs,
};
use quote::quote;
pub use quote::summary;
use serve::{purge, serve};

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
    /// Make a fresh webhook signing secret (`whsec_` and 32 random bytes in base64), to configure
    /// as `webhook_secret` or in `[[webhooks]]`, and to give to the receiver.
    WebhookSecret,
    /// Delete quote requests not turned into a quote that are older than the retention
    /// (`request_retention_days`, default 180); the running server's sweep does the same.
    Purge(PurgeArgs),
    /// Finance exports to a file: the pricing table, the quote register or the expected
    /// invoicing.
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

/// A command-line value read as its JSON name (`csv`, `nl`, ...); serde's error names the
/// values it knows.
pub(crate) fn wire<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
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
    /// Where archived documents live, `database` or `s3://BUCKET/PREFIX?endpoint=...`
    /// (overrides OFFERTE_DOCUMENT_STORE).
    #[arg(long)]
    pub document_store: Option<String>,
    /// A config file (default: offerte.toml in the working folder, when present).
    #[arg(long, env = "OFFERTE_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Make a fresh random key; prints the key and the entry to configure.
    New {
        /// sales, finance or admin (a key of the default bureau, for api_keys), public (pk_…),
        /// or operator (for operator_keys).
        #[arg(long, value_parser = ["sales", "finance", "admin", "public", "operator"])]
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
    /// Compare two catalog versions: every tier and variation, old and new price, difference,
    /// % (and the item price list); what a price change does before it takes effect.
    Diff(DiffArgs),
    /// Publish a catalog file into the database (the checks of `POST /api/v1/catalog/versions`).
    Publish {
        file: PathBuf,
        #[command(flatten)]
        store: publish::StoreArgs,
    },
    /// Publish every file of a catalog folder the database does not hold yet (and its logos).
    Import {
        dir: PathBuf,
        #[command(flatten)]
        store: publish::StoreArgs,
    },
    /// Write the stored versions (as `{valid_from}.toml`, byte for byte) and assets to a folder.
    Export {
        dir: PathBuf,
        #[command(flatten)]
        store: publish::StoreArgs,
    },
}

/// Runs a parsed command line; the exit code says how it went (2: the input was refused).
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Quote(args)) => quote(&args),
        Some(Command::Catalog(CatalogCommand::Check { dir })) => check(&dir),
        Some(Command::Catalog(CatalogCommand::Diff(args))) => catalog::diff(&args),
        Some(Command::Catalog(CatalogCommand::Publish { file, store })) => {
            publish::publish(&file, &store)
        }
        Some(Command::Catalog(CatalogCommand::Import { dir, store })) => {
            publish::import(&dir, &store)
        }
        Some(Command::Catalog(CatalogCommand::Export { dir, store })) => {
            publish::export(&dir, &store)
        }
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Purge(args)) => purge(args),
        None => serve(ServeArgs::default()),
        Some(Command::Openapi) => {
            print!("{}", crate::api::openapi_json());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export(command)) => export(command),
        Some(Command::WebhookSecret) => {
            use base64::Engine;
            let bytes: [u8; 32] = rand::random();
            println!(
                "whsec_{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::ApiKey(ApiKeyCommand::New { role })) => {
            let role = Role::parse(&role).context("unknown role")?;
            let (key, entry) = new_key(role);
            println!("key:   {key}");
            println!("entry: {entry}");
            let setting = if role == Role::Operator {
                "OFFERTE_OPERATOR_KEYS (comma-separated) or in offerte.toml under operator_keys"
            } else {
                "OFFERTE_API_KEYS (comma-separated) or in offerte.toml under api_keys"
            };
            eprintln!(
                "Give the key to its user (it is shown only now). Configure the entry in {setting}."
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(crate) fn load_catalog(dir: &Path) -> Result<Option<CatalogSet>> {
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
