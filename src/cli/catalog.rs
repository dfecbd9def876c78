//! `offerte catalog diff OLD NEW`: two catalog versions side by side, to a file or standard
//! output.

use anyhow::Result;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use super::export::write_beside;
use super::{load_catalog, wire};
use crate::catalog::select::Selection;
use crate::catalog::{Catalog, CatalogSet};
use crate::config::{Overrides, Settings};
use crate::exports::catalog_diff::{self, DiffPart};
use crate::exports::{Dialect, ExportFormat, tables};

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version: a catalog file (.toml), or a version name or date (YYYY-MM-DD: the
    /// version in force then) of the catalog folder.
    pub old: String,
    /// The new version, the same way.
    pub new: String,
    /// csv, xlsx or json.
    #[arg(long, value_parser = wire::<ExportFormat>, default_value = "csv")]
    pub format: ExportFormat,
    /// nl (`;`, decimal comma, BOM, Dutch) or intl (RFC 4180, decimal point, English).
    #[arg(long, value_parser = wire::<Dialect>, default_value = "nl")]
    pub dialect: Dialect,
    /// tiers (default) or items: the table of a CSV; XLSX and JSON hold both.
    #[arg(long, value_parser = part, default_value = "tiers")]
    pub part: DiffPart,
    /// The file to write (written beside it first, then renamed); without it, standard output
    /// (not for xlsx).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// A config file (default: offerte.toml in the working folder, when present).
    #[arg(long, env = "OFFERTE_CONFIG")]
    pub config: Option<PathBuf>,
    /// The catalog folder for version names and dates (overrides OFFERTE_PRICING_DIR).
    #[arg(long)]
    pub pricing_dir: Option<PathBuf>,
}

/// `--part` refused, in the words `offerte catalog diff` has always used (clap prints this
/// message); what serde said stays the cause.
#[derive(Debug, thiserror::Error)]
#[error("part must be tiers or items")]
struct PartError(#[source] serde_json::Error);

fn part(text: &str) -> Result<DiffPart, PartError> {
    wire::<DiffPart>(text).map_err(PartError)
}

/// One side of the comparison: the set it belongs to and the version.
type Side = (Arc<CatalogSet>, Arc<Catalog>);

/// The folder's catalog set, loaded on first need (only when an argument is not a file).
struct Folder<'a> {
    args: &'a DiffArgs,
    set: Option<Arc<CatalogSet>>,
}

impl Folder<'_> {
    /// `None` when the folder is invalid (its problems are printed).
    fn set(&mut self) -> Result<Option<Arc<CatalogSet>>> {
        if self.set.is_none() {
            let env: BTreeMap<String, String> = std::env::vars().collect();
            let overrides = Overrides {
                bind: None,
                database_url: None,
                pricing_dir: self.args.pricing_dir.clone(),
                document_store: None,
            };
            let (settings, _) = Settings::load(self.args.config.as_deref(), &env, &overrides)?;
            self.set = load_catalog(&settings.pricing_dir)?.map(Arc::new);
        }
        Ok(self.set.clone())
    }
}

/// Reads one argument; `None` when it names nothing (the reason is printed).
fn side(folder: &mut Folder<'_>, which: &str, text: &str) -> Result<Option<Side>> {
    let path = Path::new(text);
    if path.is_file() {
        return match CatalogSet::from_sources(vec![CatalogSet::read_source(path)?]) {
            Ok(set) => {
                let catalog = set.versions()[0].clone();
                Ok(Some((Arc::new(set), catalog)))
            }
            Err(problems) => {
                for p in problems {
                    eprintln!("{p}");
                }
                eprintln!("error: {which}: {text} is not a valid catalog file");
                Ok(None)
            }
        };
    }
    let Some(set) = folder.set()? else {
        return Ok(None);
    };
    match set.select(&Selection::name_or_date(text, &set)) {
        Ok(catalog) => {
            let catalog = catalog.clone();
            Ok(Some((set, catalog)))
        }
        Err(_) => {
            eprintln!(
                "error: {which}: `{text}` is neither a catalog file nor a version name or date of \
                 the catalog folder (versions: {}; the earliest is valid from {})",
                set.names(),
                set.earliest()
            );
            Ok(None)
        }
    }
}

/// Compares two catalog versions; exit code 2 when an argument names nothing.
pub(super) fn diff(args: &DiffArgs) -> Result<ExitCode> {
    if args.format == ExportFormat::Xlsx && args.output.is_none() {
        eprintln!("error: xlsx needs --output");
        return Ok(ExitCode::from(2));
    }
    let mut folder = Folder { args, set: None };
    let Some((old_set, old)) = side(&mut folder, "OLD", &args.old)? else {
        return Ok(ExitCode::from(2));
    };
    let Some((new_set, new)) = side(&mut folder, "NEW", &args.new)? else {
        return Ok(ExitCode::from(2));
    };
    let language = args.dialect.language();
    let diff = catalog_diff::diff(&old_set, &old, &new_set, &new, language)?;
    // The comparison is small: made in memory, then written out at once.
    let mut bytes = Vec::new();
    tables::write(
        &diff,
        &diff.tables(),
        args.format,
        args.dialect,
        args.part.as_str(),
        &diff.properties(&new.bureau.name),
        &mut bytes,
    )?;
    let changed = diff
        .tiers
        .iter()
        .filter(|t| t.change != catalog_diff::Change::Unchanged)
        .count();
    let message = format!(
        "compared catalog {} with {}: {changed} of {} tier prices differ",
        old.version,
        new.version,
        diff.tiers.len()
    );
    match &args.output {
        Some(output) => write_beside(output, |mut out| {
            out.write_all(&bytes)?;
            out.flush()?;
            Ok(Some(message))
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes)?;
            stdout.flush()?;
            eprintln!("{message}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
